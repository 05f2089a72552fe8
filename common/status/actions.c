/*
 * Who may do what, and the actions.  Access: the user list, the canonical
 * URL, and for a change: not read only, not HEAD, not sent by another site
 * as the browser tells (Sec-Fetch-Site, Origin, Referer), and with
 * strict_update only a POST with the page's token.  The actions (update,
 * reset, recover) change the shared records, so every child sees them at
 * once; what lives in the per-process configuration is refused (409).
 */
#include "jk_status_int.h"

#include "jk_uri_map.h"

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <string.h>
#include <strings.h>

/* What an action is about. */
typedef struct target {
    const jk_worker *lb;            /* NULL: w= names an ajp13 worker */
    const jk_worker *member;        /* NULL: the whole lb */
} target;

typedef struct update {
    int has_activation;
    jk_activation activation;
    int has_lbfactor;
    int lbfactor;
} update;

/* An action cannot go on: remember why, and give the HTTP status to answer. */
static int fail(req *r, int status, const char *why)
{
    r->why = why;
    return status;
}

/* The page offers actions: it is not read only, and there is a token for its forms. */
int status_can_act(const req *r)
{
    return !r->sw->cfg->read_only && r->sw->token != NULL;
}

/* ------------------------------------------------------------------ */
/* Access                                                               */

int status_user_allowed(const status_worker *sw, const char *user)
{
    const apr_array_header_t *users = sw->cfg->users;
    if (users == NULL || users->nelts == 0)
        return 1;
    if (user == NULL)
        return 0;
    for (int i = 0; i < users->nelts; i++) {
        const char *u = APR_ARRAY_IDX(users, i, const char *);
        if (sw->cfg->user_case_insensitive ? strcasecmp(u, user) == 0 : strcmp(u, user) == 0)
            return 1;
    }
    return 0;
}

/*
 * Only the canonical URL: "/jkstatus;x" or "/a/..;/jkstatus" are mapped to
 * this worker after normalisation, but httpd's <Location "/jkstatus"> rules
 * compare the URL as written and would not apply to them.
 */
int status_canonical_uri(const req *r)
{
    char *norm;
    if (r->s->uri == NULL)
        return 1;
    return jk_uri_normalize(r->pool, r->s->uri, &norm) == JK_NORMALIZE_OK &&
           strcmp(norm, r->s->uri) == 0;
}

/* Same length, same bytes, in a time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
    size_t n = strlen(a);
    unsigned char diff = 0;
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* host[:port] in lower case, without the scheme's default port. */
static const char *normal_authority(req *r, const char *scheme, const char *text, size_t n)
{
    char *a = apr_pstrndup(r->pool, text, n);
    size_t len;
    for (char *p = a; *p; p++)
        *p = (char)apr_tolower(*p);
    len = strlen(a);
    if ((strcasecmp(scheme, "http") == 0 && len > 3 && strcmp(a + len - 3, ":80") == 0) ||
        (strcasecmp(scheme, "https") == 0 && len > 4 && strcmp(a + len - 4, ":443") == 0))
        *strrchr(a, ':') = '\0';
    return a;
}

/* Does an Origin or Referer URL name the host this request was sent to? */
static int names_this_host(req *r, const char *url)
{
    const char *sep = strstr(url, "://"), *start, *host = status_request_header(r->s, "Host");
    const char *scheme;
    size_t n;
    if (sep == NULL || sep == url)
        return 0;
    scheme = apr_pstrndup(r->pool, url, (apr_size_t)(sep - url));
    start = sep + 3;
    n = strcspn(start, "/?#");
    for (size_t i = n; i > 0; i--)
        if (start[i - 1] == '@') { /* a Referer may carry user:password@ */
            start += i;
            n -= i;
            break;
        }
    if (host == NULL || *host == '\0')
        host = apr_psprintf(r->pool, "%s:%d", status_server_name(r), r->s->server_port);
    return strcmp(normal_authority(r, scheme, start, n),
                  normal_authority(r, scheme, host, strlen(host))) == 0;
}

/*
 * What a browser tells about where a request comes from.  Another site can
 * make a browser send a GET or a form here, but not make it say that it
 * comes from this site: Sec-Fetch-Site, Origin and Referer are set by the
 * browser alone.  Scripts (curl) send none of them.  Sec-Fetch-Site, where a
 * browser sends it, decides alone: it needs no Host to compare with, so a
 * proxy in front that rewrites Host does not make the page's own forms fail.
 */
static const char *foreign_site(req *r)
{
    const char *site = status_request_header(r->s, "Sec-Fetch-Site");
    const char *origin = status_request_header(r->s, "Origin");
    const char *referer = status_request_header(r->s, "Referer");
    if (site)
        return strcasecmp(site, "same-origin") == 0 || strcasecmp(site, "none") == 0
                   ? NULL
                   : apr_psprintf(r->pool, "the browser says this request came from another "
                                  "site (Sec-Fetch-Site: %s)", status_safe_text(r->pool, site));
    /* Origin: null is a page that hides where it is. */
    if (origin && (strcmp(origin, "null") == 0 || !names_this_host(r, origin)))
        return apr_psprintf(r->pool, "the request came from another site (Origin: %s)",
                            status_safe_text(r->pool, origin));
    if (referer && !names_this_host(r, referer))
        return apr_psprintf(r->pool, "the request came from another site (Referer: %s)",
                            status_safe_text(r->pool, referer));
    return NULL;
}

/* strict_update: only a POST with the page's token, as no other site can read it. */
static const char *strict_refusal(req *r)
{
    const char *token = status_param(r, "token");
    if (strcmp(r->s->method, "POST") != 0)
        return "changes are accepted only as a POST carrying the status page's token "
               "(strict_update); nothing was changed";
    if (r->sw->token == NULL)
        return "no action token could be made at start-up; actions are disabled";
    if (token == NULL || !same_secret(token, r->sw->token))
        return "the action token is missing or wrong: reload the status page and try again";
    return NULL;
}

#define OPT_READ_ONLY 0x20     /* mod_jk's opt= bit for a read-only view */

/* mod_jk's page links to itself with opt=32 to browse without changing anything. */
static int asked_read_only(const req *r)
{
    int opt;
    return status_parse_number(status_param(r, "opt"), 0, 0xFFFF, &opt) == 0 &&
           (opt & OPT_READ_ONLY);
}

/* Why the request may not change anything, or NULL when it may. */
static const char *action_refusal(req *r)
{
    const char *why;
    if (r->sw->cfg->read_only)
        return "this status worker is read only";
    if (asked_read_only(r))
        return "opt=32 asks for read only mode: this command is not allowed";
    if (strcmp(r->s->method, "HEAD") == 0)
        return "a HEAD request never changes anything; use GET or POST";
    if ((why = foreign_site(r)) != NULL)
        return why;
    return r->sw->cfg->strict_update ? strict_refusal(r) : NULL;
}

/* ------------------------------------------------------------------ */
/* Actions: finding what they are about                                 */

static int is_action_cmd(const char *cmd)
{
    return cmd && (!strcmp(cmd, "update") || !strcmp(cmd, "reset") || !strcmp(cmd, "recover"));
}

/*
 * Parameters of mod_jk's edit forms that this version does not apply: an
 * lb's own settings (vl*), an AJP13 worker's connection settings (va*, and
 * val0.. of the all-members form) and that form's att=.
 */
static int is_unchangeable_key(const char *key)
{
    return strncmp(key, "vl", 2) == 0 || strncmp(key, "va", 2) == 0 || strcmp(key, "att") == 0;
}

/* Does the request ask for a change?  Then it goes through action_refusal(). */
int status_asks_for_change(const req *r)
{
    const apr_array_header_t *a = apr_table_elts(r->params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    if (is_action_cmd(status_param(r, "cmd")))
        return 1;
    for (int i = 0; i < a->nelts; i++)
        if (strncmp(e[i].key, "vw", 2) == 0 || is_unchangeable_key(e[i].key))
            return 1;
    return 0;
}

static int unchangeable_keys_absent(req *r)
{
    const apr_array_header_t *a = apr_table_elts(r->params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    for (int i = 0; i < a->nelts; i++)
        if (is_unchangeable_key(e[i].key))
            return fail(r, 409, apr_psprintf(r->pool, "%s= (lb settings vl*, connection "
                                             "settings va*, att=) is not changeable at run "
                                             "time in this version: change "
                                             "workers.properties and restart httpd",
                                             status_safe_text(r->pool, e[i].key)));
    return 0;
}

/* 0 when w= (and sw=) name what an action is about; else the HTTP status. */
static int find_target(req *r, target *t, int need_member)
{
    const char *w = status_param(r, "w"), *sub = status_param(r, "sw");
    const jk_worker *found;
    memset(t, 0, sizeof(*t));
    if (w == NULL || *w == '\0')
        return fail(r, 400, "w= must name a worker");
    found = status_known_worker(r, w) ? jk_workers_find(r->sw->workers, w) : NULL;
    if (found == NULL)
        return fail(r, 404, apr_psprintf(r->pool, "no lb or ajp13 worker named '%s'",
                                         status_safe_text(r->pool, w)));
    if (found->config->type == JK_TYPE_AJP13) {
        if (need_member || (sub && *sub))
            return fail(r, 400, "this action needs w=LB and sw=MEMBER");
        t->member = found;
        return 0;
    }
    t->lb = found;
    if (sub == NULL || *sub == '\0')
        return need_member ? fail(r, 400, "this action needs sw=MEMBER") : 0;
    if (!status_is_member_of(found, sub) ||
        (t->member = jk_workers_find(r->sw->workers, sub)) == NULL || t->member->shm == NULL)
        return fail(r, 404, apr_psprintf(r->pool, "lb %s has no member named '%s'", found->name,
                                         status_safe_text(r->pool, sub)));
    return 0;
}

/* Who did it, for mod_jk.log. */
const char *status_who(req *r)
{
    const jk_service *s = r->s;
    if (s->remote_user)
        return apr_psprintf(r->pool, "user %s at %s", status_safe_text(r->pool, s->remote_user),
                            status_safe_text(r->pool, s->remote_addr));
    return apr_psprintf(r->pool, "client %s", status_safe_text(r->pool, s->remote_addr));
}

static jk_shm_lb *lb_record(const req *r, const jk_worker *lb)
{
    return lb ? jk_shm_lb_find(r->sw->shm, lb->name) : NULL;
}

static void lock_lb(jk_shm_lb *rec)
{
    if (rec)
        jk_shm_lock(rec);
}

static void unlock_lb(jk_shm_lb *rec)
{
    if (rec)
        jk_shm_unlock(rec);
}

/* ------------------------------------------------------------------ */
/* Actions: update                                                      */

/* A key that lives in the per-process configuration: only "no change" is accepted. */
static int unchanged_text(const char *given, const char *current)
{
    return given == NULL || strcmp(given, current ? current : "") == 0;
}

static int fixed_keys_unchanged(req *r, const jk_worker_config *c)
{
    const char *d = status_param(r, "vwd");
    int distance;
    if (d && status_parse_number(d, 0, 1000, &distance) != 0)
        return fail(r, 400, "vwd= must be a distance from 0 to 1000");
    if (!unchanged_text(status_param(r, "vwn"), c->route) ||
        !unchanged_text(status_param(r, "vwr"), c->redirect) ||
        !unchanged_text(status_param(r, "vwc"), c->domain) || (d && distance != c->distance))
        return fail(r, 409, "route, redirect, domain and distance are not changeable at run "
                    "time in this version: change workers.properties and restart httpd");
    return 0;
}

static int parse_update(req *r, const target *t, update *u)
{
    const char *a = status_param(r, "vwa"), *f = status_param(r, "vwf");
    memset(u, 0, sizeof(*u));
    if (!a && !f && !status_param(r, "vwn") && !status_param(r, "vwr") &&
        !status_param(r, "vwc") && !status_param(r, "vwd"))
        return fail(r, 400, "update needs one of vwa, vwf, vwn, vwr, vwc, vwd");
    if (a && jk_config_parse_activation(a, &u->activation) != 0)
        return fail(r, 400, "vwa= must be A, D or S (or 0, 1, 2)");
    if (f && status_parse_number(f, 1, MAX_LBFACTOR, &u->lbfactor) != 0)
        return fail(r, 400, apr_psprintf(r->pool, "vwf= must be a number from 1 to %d",
                                         MAX_LBFACTOR));
    u->has_activation = a != NULL;
    u->has_lbfactor = f != NULL;
    return fixed_keys_unchanged(r, t->member->config);
}

static uint64_t highest_lb_value(const req *r, const jk_worker *lb)
{
    uint64_t max = 0;
    const apr_array_header_t *members = lb->config->members;
    for (int i = 0; i < members->nelts; i++) {
        const jk_worker *w = jk_workers_find(r->sw->workers,
                                             APR_ARRAY_IDX(members, i, jk_worker_config *)->name);
        uint64_t v = w && w->shm ? atomic_load(&w->shm->lb_value) : 0;
        if (v > max)
            max = v;
    }
    return max;
}

/* A member that comes back to Active starts level with the others, not with a flood. */
static void set_activation(req *r, const target *t, jk_activation to)
{
    jk_shm_member *rec = t->member->shm;
    jk_shm_lb *lock = lb_record(r, t->lb);
    int was;
    lock_lb(lock);
    was = atomic_exchange(&rec->activation, (int)to);
    if (was != (int)to && to == JK_ACTIVATION_ACTIVE) {
        atomic_store(&rec->lb_value, highest_lb_value(r, t->lb));
        atomic_store(&rec->ok_since, apr_time_now()); /* slow_start ramps from here */
    }
    unlock_lb(lock);
    if (was != (int)to)
        LOG(r->sw, JK_LOG_INFO, "status %s: %s set activation of member %s of lb %s: %s -> %s",
            r->sw->base.name, status_who(r), t->member->name, t->lb->name,
            jk_config_activation_name((jk_activation)was), jk_config_activation_name(to));
}

static void set_lbfactor(req *r, const target *t, int to)
{
    int was = atomic_exchange(&t->member->shm->lbfactor, to);
    if (was != to)
        LOG(r->sw, JK_LOG_INFO, "status %s: %s set lbfactor of member %s of lb %s: %d -> %d",
            r->sw->base.name, status_who(r), t->member->name, t->lb->name, was, to);
}

static int has_wildcard(const char *name)
{
    return name && strpbrk(name, "*?") != NULL;
}

/* sw= with * or ?, as mod_jk allows for updates: every member of the lb it matches. */
static int find_matching_members(req *r, apr_array_header_t *out)
{
    const char *w = status_param(r, "w"), *pattern = status_param(r, "sw");
    const jk_worker *lb = w && *w ? jk_workers_find(r->sw->workers, w) : NULL;
    const apr_array_header_t *members;
    if (lb == NULL || lb->config->type != JK_TYPE_LB)
        return fail(r, 404, apr_psprintf(r->pool, "a pattern in sw= needs w= to name an lb; "
                                         "no lb named '%s'", status_safe_text(r->pool, w)));
    members = lb->config->members;
    for (int i = 0; i < members->nelts; i++) {
        const char *name = APR_ARRAY_IDX(members, i, jk_worker_config *)->name;
        const jk_worker *m = jk_workers_find(r->sw->workers, name);
        if (m && m->shm && apr_fnmatch(pattern, name, 0) == APR_SUCCESS) {
            target *t = &APR_ARRAY_PUSH(out, target);
            t->lb = lb;
            t->member = m;
        }
    }
    if (out->nelts == 0)
        return fail(r, 404, apr_psprintf(r->pool, "no member of lb %s matches '%s'", lb->name,
                                         status_safe_text(r->pool, pattern)));
    return 0;
}

static int find_update_targets(req *r, apr_array_header_t *out)
{
    int status;
    if (has_wildcard(status_param(r, "sw")))
        return find_matching_members(r, out);
    if ((status = find_target(r, &APR_ARRAY_PUSH(out, target), 1)) != 0)
        return status;
    return 0;
}

static const char *target_names(req *r, const apr_array_header_t *targets)
{
    const char *names = "";
    for (int i = 0; i < targets->nelts; i++)
        names = apr_pstrcat(r->pool, names, i ? ", " : "",
                            APR_ARRAY_IDX(targets, i, target).member->name, NULL);
    return names;
}

/* Every target is checked before any is changed: an update applies to all or to none. */
static int do_update(req *r, const char **done)
{
    apr_array_header_t *targets = apr_array_make(r->pool, 4, sizeof(target));
    const target *t;
    update u;
    int status;
    if ((status = unchangeable_keys_absent(r)) != 0 ||
        (status = find_update_targets(r, targets)) != 0)
        return status;
    t = (const target *)targets->elts;
    for (int i = 0; i < targets->nelts; i++)
        if ((status = parse_update(r, &t[i], &u)) != 0)
            return status;
    for (int i = 0; i < targets->nelts; i++) {
        if (u.has_activation)
            set_activation(r, &t[i], u.activation);
        if (u.has_lbfactor)
            set_lbfactor(r, &t[i], u.lbfactor);
    }
    *done = apr_psprintf(r->pool, "%s %s of lb %s updated",
                         targets->nelts == 1 ? "member" : "members", target_names(r, targets),
                         t[0].lb->name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Actions: reset and recover                                           */

/* Zero one member's counters; what they were, for mod_jk.log ("requests 4 -> 0, ..."). */
static const char *reset_record(req *r, const jk_worker *w)
{
    jk_shm_member *rec = w->shm;
    uint64_t requests = atomic_exchange(&rec->requests, 0);
    uint64_t errors = atomic_exchange(&rec->errors, 0);
    uint64_t client_errors = atomic_exchange(&rec->client_errors, 0);
    uint64_t timeouts = atomic_exchange(&rec->reply_timeouts, 0);
    uint64_t bytes_read = atomic_exchange(&rec->bytes_read, 0);
    uint64_t bytes_written = atomic_exchange(&rec->bytes_written, 0);
    int busy = atomic_load(&rec->busy);
    int max_busy = atomic_exchange(&rec->max_busy, busy);
    return apr_psprintf(r->pool, "%s: requests " U64 " -> 0, errors " U64 " -> 0, client errors "
                        U64 " -> 0, reply timeouts " U64 " -> 0, bytes in " U64 " -> 0, bytes "
                        "out " U64 " -> 0, max busy %d -> %d", w->name, (apr_uint64_t)requests,
                        (apr_uint64_t)errors, (apr_uint64_t)client_errors,
                        (apr_uint64_t)timeouts, (apr_uint64_t)bytes_read,
                        (apr_uint64_t)bytes_written, max_busy, busy);
}

static const char *reset_lb(req *r, const jk_worker *lb)
{
    const apr_array_header_t *members = lb->config->members;
    const char *was = "";
    for (int i = 0; i < members->nelts; i++) {
        const jk_worker *w = jk_workers_find(r->sw->workers,
                                             APR_ARRAY_IDX(members, i, jk_worker_config *)->name);
        if (w && w->shm)
            was = apr_pstrcat(r->pool, was, *was ? "; " : "", reset_record(r, w), NULL);
    }
    return was;
}

static int do_reset(req *r, const char **done)
{
    target t;
    int status;
    const char *was;
    if ((status = find_target(r, &t, 0)) != 0)
        return status;
    was = t.member ? reset_record(r, t.member) : reset_lb(r, t.lb);
    if (t.lb && t.member)
        *done = apr_psprintf(r->pool, "counters of member %s of lb %s reset", t.member->name,
                             t.lb->name);
    else
        *done = apr_psprintf(r->pool, "counters of %s %s reset", t.lb ? "lb" : "worker",
                             t.lb ? t.lb->name : t.member->name);
    LOG(r->sw, JK_LOG_INFO, "status %s: %s: %s (%s)", r->sw->base.name, status_who(r), *done, was);
    return 0;
}

/* The longest recover_time of the lbs that have `name`: after it, every one of them probes. */
static int longest_recover_time(const req *r, const char *name)
{
    int longest = 0;
    for (int i = 0; i < r->sw->workers->all->nelts; i++) {
        const jk_worker *w = APR_ARRAY_IDX(r->sw->workers->all, i, jk_worker *);
        if (w->config->type == JK_TYPE_LB && status_is_member_of(w, name) &&
            w->config->recover_time > longest)
            longest = w->config->recover_time;
    }
    return longest;
}

static int do_recover(req *r, const char **done)
{
    target t;
    int status;
    jk_shm_member *rec;
    jk_shm_lb *lock;
    apr_time_t due;
    if ((status = find_target(r, &t, 1)) != 0)
        return status;
    rec = t.member->shm;
    if (atomic_load(&rec->state) == JK_MEMBER_OK)
        return fail(r, 409, apr_psprintf(r->pool, "member %s is not in error: nothing to "
                                         "recover", t.member->name));
    /* As if it went into error one recover_time ago: the next request probes it. */
    due = apr_time_now() - apr_time_from_sec(longest_recover_time(r, t.member->name)) - 1;
    lock = lb_record(r, t.lb);
    lock_lb(lock);
    atomic_store(&rec->error_time, (int64_t)due);
    unlock_lb(lock);
    *done = apr_psprintf(r->pool, "member %s of lb %s will be probed by the next request",
                         t.member->name, t.lb->name);
    LOG(r->sw, JK_LOG_INFO, "status %s: %s forced recovery: %s", r->sw->base.name, status_who(r),
        *done);
    return 0;
}

/* ------------------------------------------------------------------ */
/* After an action                                                      */

/*
 * Where the browser goes after an action: the page it came from (mod_jk's
 * from=list, or from=show for one worker), so a reload does not repeat it.
 */
static const char *after_action_location(req *r)
{
    const char *loc = status_percent_encode(r->pool, r->s->uri ? r->s->uri : "/",
                                            "/%!$'()*+,;=:@");
    const char *from = status_param(r, "from"), *w = status_param(r, "w"), *sep = "?";
    int refresh;
    if (from && (strcmp(from, "show") == 0 || strcmp(from, "edit") == 0) && w && *w &&
        status_known_worker(r, w)) {
        loc = apr_pstrcat(r->pool, loc, "?cmd=show&w=", status_query_value(r->pool, w), NULL);
        sep = "&";
    }
    if (status_parse_number(status_refresh_param(r), 1, MAX_REFRESH, &refresh) == 0)
        loc = apr_psprintf(r->pool, "%s%srefresh=%d", loc, sep, refresh);
    return loc;
}

static jk_result action_done(req *r, const char *done)
{
    apr_array_header_t *h;
    const char *ctype;
    if (strcasecmp(r->mime, "json") == 0) {
        h = status_headers(r, "application/json");
        status_json_done(r, done);
        return status_send(r, 200, "OK", h);
    }
    if (status_put_result(r, "OK", done, &ctype))
        return status_send(r, 200, "OK", status_headers(r, ctype));
    h = status_headers(r, "text/plain; charset=utf-8");
    status_add_header(h, "Location", after_action_location(r));
    putf(r, "%s; see %s\n", done, status_safe_text(r->pool, after_action_location(r)));
    return status_send(r, 303, "See Other", h);
}

static jk_result run_action(req *r)
{
    const char *cmd = status_param(r, "cmd"), *done = NULL;
    int status;
    if (cmd == NULL || !is_action_cmd(cmd))
        return status_refuse(r, 400, "a change needs cmd=update, cmd=reset or cmd=recover");
    if (strcmp(cmd, "update") == 0)
        status = do_update(r, &done);
    else if (strcmp(cmd, "reset") == 0)
        status = do_reset(r, &done);
    else
        status = do_recover(r, &done);
    return status != 0 ? status_refuse(r, status, r->why) : action_done(r, done);
}

/* Refused (and logged) unless action_refusal() finds nothing against it. */
jk_result status_serve_action(req *r)
{
    const char *why = action_refusal(r);
    if (why != NULL) {
        LOG(r->sw, JK_LOG_INFO, "status %s: refused %s from %s: %s", r->sw->base.name,
            status_safe_text(r->pool, status_param(r, "cmd")), status_who(r), why);
        return status_refuse(r, 403, why);
    }
    return run_action(r);
}
