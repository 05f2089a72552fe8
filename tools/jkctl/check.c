/*
 * jkctl check: every error and warning of the configuration, plus warnings for
 * settings that are valid but almost certainly wrong (the lints).
 */
#include "jkctl.h"

/* A lint's message at a property's place, or at the worker's when there is none. */
static void lint_at(setup *s, const jk_prop *p, const jk_worker_config *w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void lint_at(setup *s, const jk_prop *p, const jk_worker_config *w, const char *fmt, ...)
{
    va_list ap;
    const char *text;
    va_start(ap, fmt);
    text = apr_pvsprintf(s->pool, fmt, ap);
    va_end(ap);
    if (p)
        diags_add(s->diags, 0, p->file, p->line, text);
    else
        diags_add(s->diags, 0, w->file, w->line, text);
}

/* Every rule of every server and mount file, once. */
static apr_array_header_t *all_rules(setup *s)
{
    apr_array_header_t *rules = apr_array_make(s->pool, 8, sizeof(const jk_uri_rule *));
    apr_array_header_t *servers = all_servers(s);
    apr_hash_index_t *hi;
    for (int i = 0; i < servers->nelts; i++) {
        const jk_uri_map *m = APR_ARRAY_IDX(servers, i, ctl_server *)->mounts;
        for (int j = 0; j < m->rules->nelts; j++)
            APR_ARRAY_PUSH(rules, const jk_uri_rule *) = &APR_ARRAY_IDX(m->rules, j, jk_uri_rule);
    }
    for (hi = apr_hash_first(s->pool, s->mount_maps); hi; hi = apr_hash_next(hi)) {
        const jk_uri_map *m = apr_hash_this_val(hi);
        for (int j = 0; j < m->rules->nelts; j++)
            APR_ARRAY_PUSH(rules, const jk_uri_rule *) = &APR_ARRAY_IDX(m->rules, j, jk_uri_rule);
    }
    return rules;
}

static const char *rule_kind(const jk_uri_rule *r)
{
    if (r->source == JK_RULE_FROM_MOUNTFILE)
        return r->exclude ? "rule !" : "rule ";
    return r->exclude ? "JkUnMount " : "JkMount ";
}

/* A member mounted directly: its requests skip the balancer (no failover, no stickiness). */
static void lint_member_mounts(setup *s, const apr_array_header_t *rules)
{
    for (int i = 0; i < rules->nelts; i++) {
        const jk_uri_rule *r = APR_ARRAY_IDX(rules, i, const jk_uri_rule *);
        const jk_worker_config *w = jk_config_find(s->config, r->worker);
        apr_array_header_t *lbs;
        if (r->exclude || r->disabled || w == NULL || !w->mountable || w->type != JK_TYPE_AJP13)
            continue;
        lbs = lbs_of(s, w->name);
        if (lbs->nelts > 0)
            diags_addf(s->diags, 0, r->file, r->line, "%s%s sends requests straight to %s, a "
                       "member of lb %s: they bypass the balancer (no failover, and sessions of "
                       "other members break there)", rule_kind(r), r->pattern, w->name,
                       APR_ARRAY_IDX(lbs, 0, jk_worker_config *)->name);
    }
}

static int location_covers(const ctl_location *loc, const char *pattern)
{
    apr_size_t n = strlen(loc->path);
    if (!loc->guarded || loc->regex || n == 0)
        return 0;
    return strncmp(pattern, loc->path, n) == 0 || (loc->path[n - 1] == '/' &&
                                                    strncmp(pattern, loc->path, n - 1) == 0);
}

static int rule_guarded(setup *s, const jk_uri_rule *r)
{
    const ctl_location *own = apr_hash_get(s->httpd->rule_location,
                                           place(s->pool, r->file, r->line), APR_HASH_KEY_STRING);
    if (own && own->guarded)
        return 1;
    for (int i = 0; i < s->httpd->locations->nelts; i++)
        if (location_covers(APR_ARRAY_IDX(s->httpd->locations, i, ctl_location *), r->pattern))
            return 1;
    return 0;
}

/* A status worker anyone can reach, and that lets them change members. */
static void lint_status_access(setup *s, const apr_array_header_t *rules)
{
    if (s->opt->httpd_conf == NULL)
        return; /* without httpd.conf there is no <Location> to look at */
    for (int i = 0; i < rules->nelts; i++) {
        const jk_uri_rule *r = APR_ARRAY_IDX(rules, i, const jk_uri_rule *);
        const jk_worker_config *w = jk_config_find(s->config, r->worker);
        if (r->exclude || r->disabled || w == NULL || w->type != JK_TYPE_STATUS ||
            w->read_only || w->users || rule_guarded(s, r))
            continue;
        diags_addf(s->diags, 0, r->file, r->line, "status worker %s is mounted at %s with no "
                   "access control in sight: anyone who reaches httpd can stop members; put it "
                   "in a <Location> with Require ip 127.0.0.1, or set read_only or user",
                   w->name, r->pattern);
    }
}

/* A route inherited through `reference`: every member of a template gets the same one. */
static void lint_inherited_route(setup *s, const jk_worker_config *lb, const jk_worker_config *m)
{
    const jk_prop *p = chain_prop_any(s, m->name, "route", "jvm_route");
    if (p == NULL || is_own(s, p, m->name))
        return;
    lint_at(s, own_prop(s, m->name, "reference"), m, "member %s of lb %s takes route '%s' from "
            "%s by reference: each member needs a route of its own, equal to its Tomcat's "
            "<Engine jvmRoute>; set worker.%s.route", m->name, lb->name, m->route, p->key,
            m->name);
}

static void lint_same_endpoint(setup *s, const jk_worker_config *lb)
{
    for (int i = 0; i < lb->members->nelts; i++)
        for (int j = i + 1; j < lb->members->nelts; j++) {
            const jk_worker_config *x = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
            const jk_worker_config *y = APR_ARRAY_IDX(lb->members, j, jk_worker_config *);
            if (strcmp(x->host, y->host) != 0 || x->port != y->port)
                continue;
            lint_at(s, members_prop(s, lb), lb, "members %s and %s of lb %s both connect to "
                    "%s:%d: one Tomcat behind two members balances nothing and has one "
                    "jvmRoute, so one member's sessions never stick", x->name, y->name,
                    lb->name, x->host, x->port);
        }
}

static void lint_partial_secret(setup *s, const jk_worker_config *lb)
{
    apr_array_header_t *with = apr_array_make(s->pool, 2, sizeof(const char *));
    apr_array_header_t *without = apr_array_make(s->pool, 2, sizeof(const char *));
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        push_str(m->secret ? with : without, m->name);
    }
    if (with->nelts == 0 || without->nelts == 0)
        return;
    lint_at(s, members_prop(s, lb), lb, "in lb %s, %s %s a secret but %s %s none: a Tomcat "
            "that requires one (secretRequired) refuses every request without it (403)",
            lb->name, join(s->pool, with, ", "), with->nelts > 1 ? "have" : "has",
            join(s->pool, without, ", "), without->nelts > 1 ? "have" : "has");
}

static void lint_no_active_member(setup *s, const jk_worker_config *lb)
{
    for (int i = 0; i < lb->members->nelts; i++)
        if (APR_ARRAY_IDX(lb->members, i, jk_worker_config *)->activation ==
            JK_ACTIVATION_ACTIVE)
            return;
    if (lb->members->nelts > 0)
        lint_at(s, members_prop(s, lb), lb, "no member of lb %s is Active: every request "
                "without a session gets 503", lb->name);
}

static void lint_lb(setup *s, const jk_worker_config *lb)
{
    if (lb->members == NULL)
        return; /* an lb named as a member: already an error */
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        lint_inherited_route(s, lb, m);
    }
    lint_same_endpoint(s, lb);
    lint_partial_secret(s, lb);
    lint_no_active_member(s, lb);
}

static void lint_pool_timeout(setup *s, const jk_worker_config *w)
{
    const jk_prop *t = chain_prop_any(s, w->name, "connection_pool_timeout", "cache_timeout");
    if (t == NULL || w->connection_pool_timeout <= 0 ||
        chain_prop(s, w->name, "connection_pool_minsize"))
        return;
    lint_at(s, t, w, "%s is set but connection_pool_minsize is not: (connection_pool_size + 1) "
            "/ 2 idle connections stay open past the timeout, where Tomcat's connectionTimeout "
            "closes them; set %.*s.connection_pool_minsize=0", t->key,
            (int)(strrchr(t->key, '.') - t->key), t->key);
}

/* Keys in milliseconds with a value that reads like seconds (below 100), and the reverse. */
static void lint_units(setup *s, const jk_worker_config *w)
{
    static const char *const ms_keys[] = {
        "socket_connect_timeout", "reply_timeout", "ping_timeout", "connect_timeout",
        "prepost_timeout", "connection_acquire_timeout", NULL
    };
    static const char *const s_keys[] = { "socket_timeout", "connection_pool_timeout", NULL };
    for (int i = 0; ms_keys[i]; i++) {
        const jk_prop *p = chain_prop(s, w->name, ms_keys[i]);
        int v = p ? atoi(p->value) : 0;
        if (v > 0 && v < 100)
            lint_at(s, p, w, "%s is in milliseconds: %d ms is very short; for %d seconds write "
                    "%d", p->key, v, v, v * 1000);
    }
    for (int i = 0; s_keys[i]; i++) {
        const jk_prop *p = chain_prop(s, w->name, s_keys[i]);
        int v = p ? atoi(p->value) : 0;
        if (v >= 10000)
            lint_at(s, p, w, "%s is in seconds: %d s is over %d hours (Tomcat's timeouts are in "
                    "milliseconds; for %d ms write %d)", p->key, v, v / 3600, v, v / 1000);
    }
}

static void lint_packet_size(setup *s, const jk_worker_config *w)
{
    const jk_prop *p = chain_prop(s, w->name, "max_packet_size");
    int written;
    if (p == NULL || jk_config_parse_int(p->value, 1, 65536, &written) != 0 ||
        written == w->max_packet_size)
        return;
    lint_at(s, p, w, "max_packet_size %d is used as %d (a multiple of 1024 within "
            "8192..65536); Tomcat's packetSize must be %d", written, w->max_packet_size,
            w->max_packet_size);
}

/* Keys of the worker itself that its type never reads. */
static void lint_type_keys(setup *s, const jk_worker_config *w)
{
    const char *prefix = apr_pstrcat(s->pool, WORKER_PREFIX, w->name, ".", NULL);
    for (int i = 0; i < s->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(s->props->items, i, jk_prop);
        const jk_key_def *k;
        if (!starts_with(p->key, prefix) ||
            (k = jk_config_key(p->key + strlen(prefix))) == NULL ||
            (k->applies & type_bit(w->type)))
            continue;
        lint_at(s, p, w, "%s applies to %s workers; %s is of type %s, so it has no effect",
                k->name, applies_text(s->pool, k->applies, " and "), w->name, type_name(w->type));
    }
}

/* lb member settings on a worker that is in no lb. */
static void lint_member_keys(setup *s, const jk_worker_config *w)
{
    static const char *const member_keys[] = {
        "lbfactor", "route", "jvm_route", "domain", "redirect", "distance", "activation",
        "disabled", "stopped", NULL
    };
    if (w->type != JK_TYPE_AJP13 || lbs_of(s, w->name)->nelts > 0)
        return;
    for (int i = 0; member_keys[i]; i++) {
        const jk_prop *p = own_prop(s, w->name, member_keys[i]);
        if (p)
            lint_at(s, p, w, "%s only matters to an lb worker, and %s is a member of none: "
                    "it has no effect%s", p->key, w->name,
                    strcmp(member_keys[i], "activation") == 0 ? " (the worker keeps serving "
                    "its own mounts)" : "");
    }
}

/* Every $(name) written in the files that gave properties (before substitution). */
static apr_hash_t *variables_used(setup *s)
{
    apr_hash_t *files = apr_hash_make(s->pool), *used = apr_hash_make(s->pool);
    for (int i = 0; i < s->props->items->nelts; i++) {
        const char *file = APR_ARRAY_IDX(s->props->items, i, jk_prop).file;
        const apr_array_header_t *lines;
        if (apr_hash_get(files, file, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(files, file, APR_HASH_KEY_STRING, file);
        source_line(s, file, 1);
        lines = apr_hash_get(s->line_cache, file, APR_HASH_KEY_STRING);
        for (int j = 0; j < lines->nelts; j++) {
            const char *line = APR_ARRAY_IDX(lines, j, const char *), *end;
            const char *start = apr_pstrndup(s->pool, line, strcspn(line, "#"));
            while ((start = strstr(start, "$(")) != NULL && (end = strchr(start, ')')) != NULL) {
                const char *name = apr_pstrndup(s->pool, start + 2, (apr_size_t)(end - start - 2));
                apr_hash_set(used, name, APR_HASH_KEY_STRING, name);
                start = end;
            }
        }
    }
    return used;
}

/* Names outside worker.* are variables; one nothing uses is usually a misspelt key. */
static void lint_stray_names(setup *s)
{
    apr_hash_t *used = variables_used(s);
    for (int i = 0; i < s->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(s->props->items, i, jk_prop);
        /* One that reads like a worker key is the validator's error (a misspelt key). */
        if (strncasecmp(p->key, "worker", 6) == 0 || apr_hash_get(used, p->key, APR_HASH_KEY_STRING))
            continue;
        diags_addf(s->diags, 0, p->file, p->line, "'%s' does not start with 'worker.', so it is "
                   "a variable for $(%s), but nothing uses it", p->key, p->key);
    }
}

/* What mod_jk.log says at start-up about keys the module accepts but does not act on. */
static void lint_ignored_keys(setup *s, const jk_worker_config *w)
{
    for (int i = 0; w->ignored_keys && i < w->ignored_keys->nelts; i++) {
        const char *key = APR_ARRAY_IDX(w->ignored_keys, i, const char *);
        lint_at(s, chain_prop(s, w->name, key), w, "worker %s: %s is accepted but has no "
                "effect in this version", w->name, key);
    }
}

static void run_lints(setup *s)
{
    apr_array_header_t *rules = all_rules(s);
    for (int i = 0; i < s->config->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(s->config->workers, i, jk_worker_config *);
        lint_type_keys(s, w);
        lint_ignored_keys(s, w);
        if (w->type == JK_TYPE_LB) {
            lint_lb(s, w);
            continue;
        }
        if (w->type != JK_TYPE_AJP13)
            continue;
        lint_member_keys(s, w);
        lint_pool_timeout(s, w);
        lint_units(s, w);
        lint_packet_size(s, w);
    }
    lint_member_mounts(s, rules);
    lint_status_access(s, rules);
    lint_stray_names(s);
}

int cmd_check(apr_pool_t *p, const options *o)
{
    const char *workers = o->workers;
    apr_array_header_t *extra = apr_array_make(p, 2, sizeof(const char *));
    setup *s;
    for (int i = 0; i < o->args->nelts; i++) {
        const char *arg = APR_ARRAY_IDX(o->args, i, const char *);
        if (workers == NULL)
            workers = arg;
        else
            push_str(extra, arg);
    }
    if (workers == NULL && o->httpd_conf == NULL)
        usage_error("check needs a workers.properties file or --httpd-conf");
    s = load_setup(p, o, workers, extra);
    run_lints(s);
    diags_print(s->diags, stdout, 0);
    printf("%d error%s, %d warning%s\n", s->diags->errors, s->diags->errors == 1 ? "" : "s",
           s->diags->warnings, s->diags->warnings == 1 ? "" : "s");
    if (s->diags->errors)
        return EXIT_ERRORS;
    return o->strict && s->diags->warnings ? EXIT_WARNINGS : EXIT_CLEAN;
}
