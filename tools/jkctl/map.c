/*
 * jkctl map: which rule and which worker serve a URL, and for an lb worker
 * which member a session sticks to.
 */
#include "jkctl.h"

typedef struct request {
    const char *url;
    const char *host;       /* from --vhost or the URL; NULL: the main server */
    const char *raw_path;   /* as the client sends it, without the query */
    const char *path;       /* decoded, as httpd hands it to the module (r->uri) */
    const char *resolved;   /* what the module matches (jk_uri_normalize) */
    int status;             /* httpd's answer before any mapping, or 0 */
    const char *why;
} request;

static void parse_url(apr_pool_t *p, const char *url, request *rq)
{
    const char *s = strstr(url, "://");
    if (s) {
        const char *authority = s + 3, *end = authority + strcspn(authority, "/?#"), *at;
        const char *host = apr_pstrndup(p, authority, (apr_size_t)(end - authority));
        if ((at = strrchr(host, '@')) != NULL)
            host = at + 1;
        rq->host = bare_host(p, host);
        s = end;
    } else {
        s = url;
    }
    rq->raw_path = apr_pstrndup(p, s, strcspn(s, "?#"));
    if (*rq->raw_path == '\0')
        rq->raw_path = "/";
}

static int hex_value(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_isxdigit(c) ? apr_tolower(c) - 'a' + 10 : -1;
}

/* As httpd's ap_unescape_url() with AllowEncodedSlashes Off (its default). */
static void decode_path(apr_pool_t *p, request *rq)
{
    char *out = apr_palloc(p, strlen(rq->raw_path) + 1), *o = out;
    for (const char *c = rq->raw_path; *c; c++) {
        int hi, lo;
        if (*c != '%') {
            *o++ = *c;
            continue;
        }
        if ((hi = hex_value(c[1])) < 0 || (lo = hex_value(c[2])) < 0) {
            rq->status = 400;
            rq->why = "a '%' not followed by two hex digits";
            return;
        }
        if (hi * 16 + lo == '/' || hi * 16 + lo == 0) {
            rq->status = 404;
            rq->why = "an encoded '/' or NUL (AllowEncodedSlashes Off, httpd's default)";
            return;
        }
        *o++ = (char)(hi * 16 + lo);
        c += 2;
    }
    *o = '\0';
    rq->path = out;
}

static int server_named(const ctl_server *srv, const char *host)
{
    if (srv->name && strcasecmp(srv->name, host) == 0)
        return 1;
    for (int i = 0; i < srv->aliases->nelts; i++)
        if (apr_fnmatch(APR_ARRAY_IDX(srv->aliases, i, const char *), host,
                        APR_FNM_CASE_BLIND) == APR_SUCCESS)
            return 1;
    return 0;
}

/* As name-based virtual hosting picks one (all vhosts assumed on one address). */
static const ctl_server *pick_server(setup *s, const char *host, const char **note)
{
    const apr_array_header_t *v = s->httpd->vhosts;
    *note = NULL;
    if (host == NULL || v->nelts == 0) {
        if (v->nelts > 0)
            *note = "no Host given: the main server's rules (give --vhost NAME for a vhost's)";
        return s->httpd->main;
    }
    for (int i = 0; i < v->nelts; i++)
        if (server_named(APR_ARRAY_IDX(v, i, ctl_server *), host))
            return APR_ARRAY_IDX(v, i, ctl_server *);
    *note = apr_psprintf(s->pool, "no <VirtualHost> is named %s: httpd uses the first one "
                         "(assuming all share one address)", host);
    return APR_ARRAY_IDX(v, 0, ctl_server *);
}

static const char *server_text(apr_pool_t *p, const ctl_server *srv)
{
    if (!srv->is_vhost)
        return "main server";
    return apr_psprintf(p, "vhost %s (%s)", srv->name ? srv->name : "without ServerName",
                        place(p, srv->file, srv->line));
}

static const char *ext_item(apr_pool_t *p, const char *name, const char *value)
{
    return value ? apr_pstrcat(p, ";", name, "=", value, NULL) : "";
}

static const char *ext_flag(apr_pool_t *p, const char *name, int value)
{
    return value >= 0 ? ext_item(p, name, value ? "1" : "0") : "";
}

/* A rule's extensions as they would be written after the worker. */
static const char *ext_text(apr_pool_t *p, const jk_rule_ext *e)
{
    if (e == NULL)
        return "";
    return apr_pstrcat(p,
        e->reply_timeout ? ext_item(p, "reply_timeout", apr_itoa(p, e->reply_timeout)) : "",
        ext_flag(p, "sticky_ignore", e->sticky_ignore), ext_flag(p, "stateless", e->stateless),
        e->use_server_errors ? ext_item(p, "use_server_errors", apr_itoa(p, e->use_server_errors))
                             : "",
        ext_item(p, "active", e->active), ext_item(p, "disabled", e->disabled),
        ext_item(p, "stopped", e->stopped), ext_item(p, "fail_on_status", e->fail_on_status),
        ext_item(p, "session_cookie", e->session_cookie),
        ext_item(p, "session_path", e->session_path),
        ext_flag(p, "set_session_cookie", e->set_session_cookie), NULL);
}

static const char *rule_text(apr_pool_t *p, const jk_uri_rule *r)
{
    const char *where = r->line > 0 ? place(p, r->file, r->line) : r->file;
    if (r->source == JK_RULE_FROM_MOUNTFILE)
        return apr_psprintf(p, "%s%s=%s%s (%s)", r->exclude ? "!" : "", r->pattern, r->worker,
                            ext_text(p, r->ext), where);
    return apr_psprintf(p, "%s %s %s%s (%s)", r->exclude ? "JkUnMount" : "JkMount", r->pattern,
                        r->worker, ext_text(p, r->ext), where);
}

static const jk_uri_rule *find_rule(apr_pool_t *p, const jk_uri_map *rules, const char *path,
                                    int ignore_exclusions)
{
    jk_uri_map *m = jk_uri_map_copy(p, rules);
    if (ignore_exclusions)
        for (int i = 0; i < m->rules->nelts; i++)
            if (APR_ARRAY_IDX(m->rules, i, jk_uri_rule).exclude)
                APR_ARRAY_IDX(m->rules, i, jk_uri_rule).disabled = 1;
    jk_uri_map_prepare(m);
    return jk_uri_map_find(m, path);
}

/* The exclusion that cancels a match for `worker`: each tried alone with the module's matcher. */
static const jk_uri_rule *find_exclusion(apr_pool_t *p, const jk_uri_map *rules,
                                         const char *worker, const char *path)
{
    for (int i = 0; i < rules->rules->nelts; i++) {
        const jk_uri_rule *r = &APR_ARRAY_IDX(rules->rules, i, jk_uri_rule);
        jk_uri_map *one;
        if (!r->exclude || r->disabled ||
            (strcmp(r->worker, "*") != 0 && strcmp(r->worker, worker) != 0))
            continue;
        one = jk_uri_map_create(p);
        jk_uri_map_add(one, p, r->pattern, r->worker, 0, r->source, r->file, r->line);
        jk_uri_map_prepare(one);
        if (jk_uri_map_find(one, path))
            return r;
    }
    return NULL;
}

static void say(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const char *label, const char *fmt, ...)
{
    va_list ap;
    printf("%-9s ", label);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- the lb member a session sticks to (configuration only, no live state) ---- */

static int listed_in(const char *list, const char *name)
{
    apr_size_t n = strlen(name);
    for (const char *p = list; p && (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || strchr(", \t", p[-1])) && (p[n] == '\0' || strchr(", \t", p[n])))
            return 1;
    return 0;
}

/* A member's activation for this rule (its `active=`, `disabled=`, `stopped=` first). */
static jk_activation activation_for(const jk_worker_config *m, const jk_rule_ext *ext)
{
    if (ext && listed_in(ext->stopped, m->name))
        return JK_ACTIVATION_STOPPED;
    if (ext && listed_in(ext->disabled, m->name))
        return JK_ACTIVATION_DISABLED;
    if (ext && listed_in(ext->active, m->name))
        return JK_ACTIVATION_ACTIVE;
    return m->activation;
}

static const jk_worker_config *member_by_route(const jk_worker_config *lb, const char *route)
{
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        if (strcmp(m->route, route) == 0)
            return m;
    }
    return NULL;
}

/* Active members (of `domain`, if given) at the lowest distance: balancing picks among them. */
static const char *candidates(apr_pool_t *p, const jk_worker_config *lb, const char *domain,
                              const jk_rule_ext *ext)
{
    apr_array_header_t *names = apr_array_make(p, 4, sizeof(const char *));
    int best = -1;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < lb->members->nelts; i++) {
            const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
            if (activation_for(m, ext) != JK_ACTIVATION_ACTIVE ||
                (domain && strcmp(m->domain, domain) != 0))
                continue;
            if (pass == 0 && (best < 0 || m->distance < best))
                best = m->distance;
            if (pass == 1 && m->distance == best)
                push_str(names, m->name);
        }
    return names->nelts ? join(p, names, ", ") : NULL;
}

static void say_balanced(apr_pool_t *p, const jk_worker_config *lb, const jk_rule_ext *ext,
                         const char *why)
{
    const char *list = candidates(p, lb, NULL, ext);
    if (list)
        say("member", "by load among %s (%s)", list, why);
    else
        say("member", "none: no member is Active, so the client gets 503 (%s)", why);
}

/* The session's member when it is stopped: force, redirect, domain, or lost. */
static int say_stopped_owner(apr_pool_t *p, const jk_worker_config *lb,
                             const jk_worker_config *owner, const jk_rule_ext *ext)
{
    const jk_worker_config *r = *owner->redirect ? member_by_route(lb, owner->redirect) : NULL;
    const char *list;
    if (lb->sticky_session_force) {
        say("member", "none: %s holds the session but is Stopped, and sticky_session_force "
            "answers 503", owner->name);
        return 1;
    }
    if (r && activation_for(r, ext) != JK_ACTIVATION_STOPPED) {
        say("member", "%s (route %s): the redirect of %s, which holds the session but is "
            "Stopped", r->name, r->route, owner->name);
        return 1;
    }
    if (*owner->domain && (list = candidates(p, lb, owner->domain, ext)) != NULL) {
        say("member", "by load among %s (domain %s of %s, which holds the session but is "
            "Stopped)", list, owner->domain, owner->name);
        return 1;
    }
    return 0;
}

/* One route: 1 when it decides the member. */
static int say_route(apr_pool_t *p, const jk_worker_config *lb, const char *route,
                     const jk_rule_ext *ext)
{
    const jk_worker_config *owner = member_by_route(lb, route);
    const char *dot, *list;
    if (owner == NULL) {
        dot = strchr(route, '.');
        list = candidates(p, lb, dot ? apr_pstrndup(p, route, (apr_size_t)(dot - route)) : route,
                          ext);
        if (list)
            say("member", "by load among %s: no member has route %s, but its domain matches",
                list, route);
        else if (lb->sticky_session_force)
            say("member", "none: no member has route %s, and sticky_session_force answers 503",
                route);
        return list != NULL || lb->sticky_session_force;
    }
    if (activation_for(owner, ext) != JK_ACTIVATION_STOPPED) {
        say("member", "%s (route %s): it holds the session%s", owner->name, owner->route,
            activation_for(owner, ext) == JK_ACTIVATION_DISABLED
                ? "; it is Disabled, and still serves the sessions it holds" : "");
        return 1;
    }
    return say_stopped_owner(p, lb, owner, ext);
}

static jk_header *cookie_headers(apr_pool_t *p, const options *o, int *n)
{
    jk_header *h = apr_pcalloc(p, sizeof(jk_header));
    *n = 0;
    if (o->cookies->nelts == 0)
        return h;
    h->name = "Cookie";
    h->value = join(p, o->cookies, "; ");
    *n = 1;
    return h;
}

static void explain_lb(apr_pool_t *p, const options *o, const request *rq,
                       const jk_worker_config *lb, const jk_rule_ext *ext)
{
    const char *cookie = ext && ext->session_cookie ? ext->session_cookie : lb->session_cookie;
    const char *param = ext && ext->session_path ? ext->session_path : lb->session_path;
    apr_array_header_t *in_path, *ids;
    jk_header *headers;
    int n;

    if (!lb->sticky_session || (ext && ext->sticky_ignore > 0)) {
        say_balanced(p, lb, ext, lb->sticky_session ? "the rule's sticky_ignore: sessions are "
                     "ignored" : "sticky_session is off");
        return;
    }
    headers = cookie_headers(p, o, &n);
    in_path = jk_session_ids(p, rq->path, NULL, 0, NULL, param);
    ids = jk_session_ids(p, rq->path, headers, n, cookie, param);
    for (int i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        const char *route = jk_session_route(id);
        say("session", "%s (%s %s) -> %s", id, i < in_path->nelts ? "path parameter" : "cookie",
            i < in_path->nelts ? param : cookie,
            route ? apr_pstrcat(p, "route ", route, NULL) : "no route (nothing after a '.')");
        if (route && say_route(p, lb, route, ext))
            return;
    }
    say_balanced(p, lb, ext, ids->nelts ? "no session names a usable member" : "no session");
}

static void explain_worker(apr_pool_t *p, setup *s, const request *rq,
                           const jk_worker_config *w, const jk_rule_ext *ext)
{
    if (w->type == JK_TYPE_AJP13) {
        say("worker", "%s (ajp13 to %s:%d)", w->name, w->host, w->port);
        return;
    }
    if (w->type == JK_TYPE_STATUS) {
        say("worker", "%s (status page)", w->name);
        return;
    }
    say("worker", "%s (lb over %s; sticky_session %s)", w->name, members_text(p, w->members),
        w->sticky_session ? "on" : "off");
    if (w->members == NULL)
        return;
    explain_lb(p, s->opt, rq, w, ext);
    say("note", "the configuration only: every member is taken to be up");
}

/* JkOptions RejectUnsafeURI: the vhost's own setting, else the main server's. */
static int rejects_unsafe(const setup *s, const ctl_server *srv)
{
    int v = srv->reject_unsafe != UNSET ? srv->reject_unsafe : s->httpd->main->reject_unsafe;
    return v > 0;
}

/* No rule serves the path: none matches, or an exclusion cancels the one that does. */
static void explain_no_rule(apr_pool_t *p, const jk_uri_map *rules, const char *path)
{
    const jk_uri_rule *match = find_rule(p, rules, path, 1);
    const jk_uri_rule *exclusion = match ? find_exclusion(p, rules, match->worker, path) : NULL;
    if (match && exclusion)
        say("rule", "%s, cancelled by %s", rule_text(p, match), rule_text(p, exclusion));
    else
        say("rule", "none matches");
    say("worker", "none: httpd serves this URL itself");
}

/* The module's jk_translate(), step by step; 1 when the request is forwarded. */
static int explain_mapping(apr_pool_t *p, setup *s, const ctl_server *srv, request *rq)
{
    jk_uri_map *rules = server_rules(s, srv);
    const jk_uri_rule *rule;
    const jk_worker_config *w;
    char *resolved;

    if (rules->rules->nelts == 0) {
        say("rule", "none: this server has no JkMount rules");
        return 0;
    }
    if (jk_uri_normalize(p, rq->path, &resolved) != JK_NORMALIZE_OK) {
        say("worker", "none: the module answers 400 (the path climbs above the root)");
        return 0;
    }
    say("resolved", "%s", resolved);
    if ((rule = find_rule(p, rules, resolved, 0)) == NULL) {
        explain_no_rule(p, rules, resolved);
        return 0;
    }
    say("rule", "%s", rule_text(p, rule));
    w = jk_config_find(s->config, rule->worker);
    if (w == NULL || !w->mountable) {
        say("worker", "%s: not in worker.list, so httpd would not start", rule->worker);
        return 0;
    }
    if (rejects_unsafe(s, srv) && strpbrk(rq->path, "%\\")) {
        say("worker", "none: the module answers 403 (RejectUnsafeURI, and the decoded path "
            "holds '%%' or '\\')");
        return 0;
    }
    explain_worker(p, s, rq, w, rule->ext);
    return 1;
}

static int map_one(apr_pool_t *p, setup *s, const char *url)
{
    request rq;
    const ctl_server *srv;
    const char *note;

    memset(&rq, 0, sizeof(rq));
    rq.url = url;
    parse_url(p, url, &rq);
    if (s->opt->vhost)
        rq.host = s->opt->vhost;
    srv = pick_server(s, rq.host, &note);
    say("url", "%s", url);
    say("server", "%s", server_text(p, srv));
    if (note)
        say("note", "%s", note);
    say("path", "%s", rq.raw_path);
    decode_path(p, &rq);
    if (rq.status) {
        say("worker", "none: httpd answers %d (%s)", rq.status, rq.why);
        return 0;
    }
    if (strcmp(rq.path, rq.raw_path) != 0)
        say("decoded", "%s", rq.path);
    return explain_mapping(p, s, srv, &rq);
}

int cmd_map(apr_pool_t *p, const options *o)
{
    setup *s;
    int all_forwarded = 1;
    if (o->args->nelts == 0)
        usage_error("map needs a URL");
    if (o->httpd_conf == NULL && o->mounts->nelts == 0 && o->mount_files->nelts == 0)
        usage_error("map needs --httpd-conf, or --mount / --mount-file");
    s = load_setup(p, o, o->workers, NULL);
    for (int i = 0; i < o->args->nelts; i++) {
        if (i > 0)
            putchar('\n');
        all_forwarded &= map_one(p, s, APR_ARRAY_IDX(o->args, i, const char *));
    }
    if (report_errors(s) != EXIT_CLEAN)
        return EXIT_ERRORS;
    return all_forwarded ? EXIT_CLEAN : EXIT_WARNINGS;
}
