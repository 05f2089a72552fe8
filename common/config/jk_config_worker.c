/*
 * jk_config_worker.c: one worker's keys, read through its `reference` chain into its
 * jk_worker_config: host and port, the ajp13, lb-member, lb and status keys, each value
 * checked (an error with its file:line when it is wrong), its type, the ignored keys it set.
 */
#include "jk_config_int.h"

/* --- reading one worker's keys, through its `reference` chain --- */

const jk_prop *cfg_own_prop(builder *b, const char *worker, const char *key)
{
    return jk_props_get(b->props, apr_pstrcat(b->pool, WORKER_PREFIX, worker, ".", key, NULL));
}

/* The property `key` of `worker`, or of the worker it references, recursively. */
const jk_prop *cfg_worker_prop(builder *b, const char *worker, const char *key)
{
    for (int depth = 0; depth <= MAX_REFERENCE_DEPTH; depth++) {
        const jk_prop *p = cfg_own_prop(b, worker, key), *ref;
        if (p)
            return p;
        ref = cfg_own_prop(b, worker, "reference");
        if (ref == NULL)
            return NULL;
        worker = strncmp(ref->value, WORKER_PREFIX, WORKER_PREFIX_LEN) == 0
                     ? ref->value + WORKER_PREFIX_LEN : ref->value;
    }
    return NULL; /* a cycle; reported once by check_reference() */
}

/* A key, or its deprecated spelling. */
const jk_prop *cfg_worker_prop_any(builder *b, const char *worker, const char *key,
                                   const char *old_key)
{
    const jk_prop *p = cfg_worker_prop(b, worker, key);
    return p || old_key == NULL ? p : cfg_worker_prop(b, worker, old_key);
}

static void read_int(builder *b, const char *worker, const char *key, const char *old_key,
                     int min, int max, int *field)
{
    const jk_prop *p = cfg_worker_prop_any(b, worker, key, old_key);
    if (p && jk_config_parse_int(p->value, min, max, field) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not a whole number from %d to %d",
                 p->key, p->value, min, max);
}

static void read_bool(builder *b, const char *worker, const char *key, int *field)
{
    const jk_prop *p = cfg_worker_prop(b, worker, key);
    if (p && jk_config_parse_bool(p->value, field) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not a boolean (true/false, 1/0, on/off)",
                 p->key, p->value);
}

static void read_string(builder *b, const char *worker, const char *key, const char *old_key,
                        const char **field)
{
    const jk_prop *p = cfg_worker_prop_any(b, worker, key, old_key);
    if (p)
        *field = p->value;
}

int cfg_valid_worker_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > JK_MAX_NAME_LEN)
        return 0;
    for (const char *c = name; *c; c++)
        if (!apr_isalnum(*c) && *c != '_' && *c != '-')
            return 0;
    return 1;
}

/* Split "host:port", "[v6]:port" and "[v6]" forms; a bare v6 literal stays as it is. */
static void split_host_port(builder *b, const jk_prop *p, jk_worker_config *w)
{
    const char *host = p->value, *colon;
    if (*host == '\0') {
        error_at(b, p->file, p->line, "%s: the host is empty", p->key);
        return;
    }
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (close == NULL) {
            error_at(b, p->file, p->line, "%s: '%s' lacks its closing ']'", p->key, host);
            return;
        }
        w->host = apr_pstrndup(b->pool, host + 1, (apr_size_t)(close - host - 1));
        if (close[1] != '\0' && close[1] != ':') {
            error_at(b, p->file, p->line, "%s: unexpected '%s' after ']'", p->key, close + 1);
            return;
        }
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = strchr(host, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL; /* an IPv6 literal without brackets */
        w->host = colon ? apr_pstrndup(b->pool, host, (apr_size_t)(colon - host)) : host;
    }
    if (*w->host == '\0') {
        error_at(b, p->file, p->line, "%s: '%s' names no host", p->key, host);
        return;
    }
    if (colon && jk_config_parse_int(colon + 1, 1, 65535, &w->port) != 0)
        error_at(b, p->file, p->line, "%s: '%s' has no valid port after ':'", p->key, host);
}


/* Letters C (after connect), P (before each request), I (idle interval), A (all). */
static void read_ping_mode(builder *b, jk_worker_config *w)
{
    const jk_prop *p = cfg_worker_prop(b, w->name, "ping_mode");
    if (p == NULL)
        return;
    for (const char *c = p->value; *c; c++) {
        switch (apr_toupper(*c)) {
        case 'C': w->ping_mode |= JK_PING_CONNECT; break;
        case 'P': w->ping_mode |= JK_PING_PREPOST; break;
        case 'I': w->ping_mode |= JK_PING_INTERVAL; break;
        case 'A': w->ping_mode |= JK_PING_CONNECT | JK_PING_PREPOST | JK_PING_INTERVAL; break;
        case ',': case ' ': break;
        default:
            error_at(b, p->file, p->line, "%s: '%c' is not a ping mode (C, P, I or A)", p->key, *c);
            return;
        }
    }
}

/* HTTP codes, a minus sign meaning "fail over but keep the member usable". */
static void read_fail_on_status(builder *b, jk_worker_config *w)
{
    const jk_prop *p = cfg_worker_prop(b, w->name, "fail_on_status");
    apr_array_header_t *items;
    if (p == NULL)
        return;
    items = jk_props_split_list(b->pool, p->value);
    w->fail_on_status = apr_array_make(b->pool, items->nelts, sizeof(int));
    for (int i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);
        int code;
        if (jk_config_parse_int(item, -999, 999, &code) != 0 || (code > -100 && code < 100)) {
            error_at(b, p->file, p->line, "%s: '%s' is not an HTTP status (100-999, or -100 to "
                     "-999)", p->key, item);
            continue;
        }
        APR_ARRAY_PUSH(w->fail_on_status, int) = code;
    }
}

static void read_activation(builder *b, jk_worker_config *w)
{
    const jk_prop *p = cfg_worker_prop(b, w->name, "activation");
    int flag = 0;
    if (p && jk_config_parse_activation(p->value, &w->activation) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not an activation (Active, Disabled, Stopped)",
                 p->key, p->value);
    /* The old boolean spellings. */
    read_bool(b, w->name, "disabled", &flag);
    if (flag && p == NULL)
        w->activation = JK_ACTIVATION_DISABLED;
    flag = 0;
    read_bool(b, w->name, "stopped", &flag);
    if (flag && p == NULL)
        w->activation = JK_ACTIVATION_STOPPED;
}

/* A route "x.y" names the domain "x" unless one is set (mod_jk's rule). */
static void read_member_keys(builder *b, jk_worker_config *w)
{
    const char *n = w->name;
    const char *dot;
    read_int(b, n, "lbfactor", NULL, 1, 100000, &w->lbfactor);
    read_string(b, n, "route", "jvm_route", &w->route);
    read_string(b, n, "domain", NULL, &w->domain);
    read_string(b, n, "redirect", NULL, &w->redirect);
    read_int(b, n, "distance", NULL, 0, 1000, &w->distance);
    read_activation(b, w);
    read_int(b, n, "slow_start", NULL, 0, 3600, &w->slow_start);
    read_int(b, n, "health_check_interval", NULL, 0, 86400, &w->health_check_interval);
    read_string(b, n, "health_check_uri", NULL, &w->health_check_uri);
    if (w->health_check_uri && w->health_check_uri[0] != '/') {
        const jk_prop *p = cfg_worker_prop(b, n, "health_check_uri");
        error_at(b, p->file, p->line, "%s: '%s' must start with '/'", p->key,
                 w->health_check_uri);
    }
    if (*w->domain == '\0' && (dot = strchr(w->route, '.')) != NULL)
        w->domain = apr_pstrndup(b->pool, w->route, (apr_size_t)(dot - w->route));
}

static void read_lb_keys(builder *b, jk_worker_config *w)
{
    const char *n = w->name;
    const jk_prop *p;
    read_bool(b, n, "sticky_session", &w->sticky_session);
    read_bool(b, n, "sticky_session_force", &w->sticky_session_force);
    if ((p = cfg_worker_prop(b, n, "method")) && jk_config_parse_method(p->value, &w->method) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not a method (Request, Session, Next, "
                 "Traffic, Busyness)", p->key, p->value);
    if ((p = cfg_worker_prop(b, n, "lock")) != NULL) {
        if (apr_toupper(p->value[0]) == 'O')
            w->lock = JK_LB_LOCK_OPTIMISTIC;
        else if (apr_toupper(p->value[0]) == 'P')
            w->lock = JK_LB_LOCK_PESSIMISTIC;
        else
            error_at(b, p->file, p->line, "%s: '%s' is not a lock (Optimistic, Pessimistic)",
                     p->key, p->value);
    }
    read_int(b, n, "retries", NULL, 1, 1000, &w->retries);
    read_int(b, n, "retry_interval", NULL, 0, 600000, &w->retry_interval);
    read_int(b, n, "lb_retries", NULL, 1, 1000, &w->lb_retries);
    read_int(b, n, "recover_time", NULL, 1, INT_MAX, &w->recover_time);
    read_int(b, n, "error_escalation_time", NULL, 0, INT_MAX, &w->error_escalation_time);
    read_int(b, n, "max_reply_timeouts", NULL, 0, INT_MAX, &w->max_reply_timeouts);
    read_int(b, n, "slow_start", NULL, 0, 3600, &w->slow_start);
    read_int(b, n, "retry_budget", NULL, 0, 100, &w->retry_budget);
    read_int(b, n, "health_check_interval", NULL, 0, 86400, &w->health_check_interval);
    read_string(b, n, "health_check_uri", NULL, &w->health_check_uri);
    read_string(b, n, "session_cookie", NULL, &w->session_cookie);
    read_string(b, n, "session_path", NULL, &w->session_path);
    read_string(b, n, "secret", NULL, &w->secret);
    if (w->error_escalation_time < 0)
        w->error_escalation_time = w->recover_time / 2;
}

static void read_status_keys(builder *b, jk_worker_config *w)
{
    const char *n = w->name;
    const jk_prop *users = cfg_worker_prop(b, n, "user");
    read_string(b, n, "css", NULL, &w->css);
    read_bool(b, n, "read_only", &w->read_only);
    read_bool(b, n, "strict_update", &w->strict_update);
    read_bool(b, n, "user_case_insensitive", &w->user_case_insensitive);
    w->users = users ? jk_props_split_list(b->pool, users->value) : NULL;
    read_string(b, n, "good", NULL, &w->good);
    read_string(b, n, "bad", NULL, &w->bad);
    read_string(b, n, "prefix", NULL, &w->prefix);
    read_string(b, n, "ns", NULL, &w->ns);
    read_string(b, n, "xmlns", NULL, &w->xmlns);
    read_string(b, n, "doctype", NULL, &w->doctype);
}

static void read_ajp_keys(builder *b, jk_worker_config *w)
{
    const char *n = w->name;
    const jk_prop *host = cfg_worker_prop(b, n, "host");

    read_int(b, n, "port", NULL, 1, 65535, &w->port);
    if (host)
        split_host_port(b, host, w);
    read_int(b, n, "socket_timeout", NULL, 0, INT_MAX / 1000, &w->socket_timeout);
    read_int(b, n, "socket_connect_timeout", NULL, 0, INT_MAX, &w->socket_connect_timeout);
    read_bool(b, n, "socket_keepalive", &w->socket_keepalive);
    read_int(b, n, "connection_pool_size", "cachesize", 1, 65535, &w->connection_pool_size);
    read_int(b, n, "connection_pool_minsize", NULL, 0, 65535, &w->connection_pool_minsize);
    read_int(b, n, "connection_pool_timeout", "cache_timeout", 0, INT_MAX,
             &w->connection_pool_timeout);
    read_int(b, n, "connection_acquire_timeout", NULL, 0, INT_MAX,
             &w->connection_acquire_timeout);
    read_int(b, n, "retries", NULL, 1, 1000, &w->retries);
    read_int(b, n, "retry_interval", NULL, 0, 600000, &w->retry_interval);
    read_int(b, n, "max_packet_size", NULL, 1, 65536, &w->max_packet_size);
    read_int(b, n, "reply_timeout", NULL, 0, INT_MAX, &w->reply_timeout);
    read_string(b, n, "secret", NULL, &w->secret);
    read_string(b, n, "source", NULL, &w->source);
    read_bool(b, n, "prefer_ipv6", &w->prefer_ipv6);
    read_int(b, n, "socket_buffer", NULL, 0, 16 * 1024 * 1024, &w->socket_buffer);
    read_ping_mode(b, w);
    read_int(b, n, "ping_timeout", NULL, 1, INT_MAX, &w->ping_timeout);
    read_int(b, n, "connection_ping_interval", NULL, 0, INT_MAX, &w->connection_ping_interval);
    read_int(b, n, "connect_timeout", NULL, 0, INT_MAX, &w->connect_timeout);
    read_int(b, n, "prepost_timeout", NULL, 0, INT_MAX, &w->prepost_timeout);
    read_int(b, n, "recovery_options", NULL, 0, 31, &w->recovery_options);
    read_fail_on_status(b, w);
    read_int(b, n, "busy_limit", NULL, 0, INT_MAX, &w->busy_limit);
    read_member_keys(b, w);
    cfg_resolve_derived(w);
}

static int parse_type(builder *b, const char *name, jk_worker_type *type)
{
    const jk_prop *p = cfg_worker_prop(b, name, "type");
    if (p == NULL || strcmp(p->value, "ajp13") == 0) {
        *type = JK_TYPE_AJP13;
        return 0;
    }
    if (strcmp(p->value, "lb") == 0) {
        *type = JK_TYPE_LB;
        return 0;
    }
    if (strcmp(p->value, "status") == 0) {
        *type = JK_TYPE_STATUS;
        return 0;
    }
    if (!strcmp(p->value, "ajp12") || !strcmp(p->value, "ajp14") || !strcmp(p->value, "jni"))
        error_at(b, p->file, p->line, "%s: type %s is obsolete; use ajp13", p->key, p->value);
    else
        error_at(b, p->file, p->line, "%s: unknown worker type '%s' (known: ajp13, lb, status)",
                 p->key, p->value);
    return -1;
}

static void note_ignored_keys(builder *b, jk_worker_config *w)
{
    w->ignored_keys = apr_array_make(b->pool, 2, sizeof(const char *));
    for (const jk_key_def *k = jk_config_keys(); k->name; k++)
        if ((k->flags & JK_KEY_IGNORED) && cfg_worker_prop(b, w->name, k->name))
            APR_ARRAY_PUSH(w->ignored_keys, const char *) = k->name;
}

jk_worker_config *cfg_build_worker(builder *b, const char *name, const char *file, int line)
{
    jk_worker_config *w = apr_pcalloc(b->pool, sizeof(*w));
    w->name = name;
    w->file = file;
    w->line = line;
    if (!cfg_valid_worker_name(name)) {
        error_at(b, file, line, "'%s' is not a valid worker name (letters, digits, '_' and '-', "
                 "at most %d)", name, JK_MAX_NAME_LEN);
        return NULL;
    }
    if (parse_type(b, name, &w->type) != 0)
        return NULL;
    cfg_apply_defaults(w);
    if (w->type == JK_TYPE_LB)
        read_lb_keys(b, w);
    else if (w->type == JK_TYPE_STATUS)
        read_status_keys(b, w);
    else
        read_ajp_keys(b, w);
    note_ignored_keys(b, w);
    return w;
}

