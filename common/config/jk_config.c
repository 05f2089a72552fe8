#include "jk_config.h"

#include <apr_strings.h>
#include <apr_lib.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define A JK_APPLIES_AJP
#define L JK_APPLIES_LB
#define S JK_APPLIES_STATUS
#define U JK_KEY_USED
#define D JK_KEY_DEPRECATED
#define I JK_KEY_IGNORED

/*
 * Every worker key mod_jk users write.  Keys marked I are accepted so that
 * existing files keep working; the module says at start-up that they have no
 * effect yet, rather than failing or pretending.
 */
static const jk_key_def key_table[] = {
    { "type",                       A | L | S, U, "ajp13", NULL },
    { "reference",                  A | L | S, U, NULL, NULL },
    { "host",                       A, U, "localhost", NULL },
    { "port",                       A, U, "8009", NULL },
    { "socket_timeout",             A, U, "0", NULL },
    { "socket_connect_timeout",     A, U, "socket_timeout x 1000", NULL },
    { "socket_keepalive",           A, U, "false", NULL },
    { "connection_pool_size",       A, U, "ThreadsPerChild (1 on prefork)", NULL },
    { "cachesize",                  A, U | D, NULL, "connection_pool_size" },
    { "connection_pool_minsize",    A, U, "(connection_pool_size + 1) / 2", NULL },
    { "connection_pool_timeout",    A, U, "0", NULL },
    { "cache_timeout",              A, U | D, NULL, "connection_pool_timeout" },
    { "connection_acquire_timeout", A, U, "retries x retry_interval", NULL },
    { "retries",                    A | L, U, "2", NULL },
    { "retry_interval",             A | L, U, "100", NULL },
    { "max_packet_size",            A, U, "8192", NULL },
    { "reply_timeout",              A, U, "0", NULL },
    { "secret",                     A | L, U, NULL, NULL },
    { "lbfactor",                   A, U, "1", NULL },
    { "route",                      A, U, "the worker's name", NULL },
    { "jvm_route",                  A, U | D, NULL, "route" },
    { "source",                     A, U, NULL, NULL },
    { "prefer_ipv6",                A, U, "false", NULL },
    { "socket_buffer",              A, U, "0", NULL },
    { "ping_mode",                  A, U, "none", NULL },
    { "ping_timeout",               A, U, "10000", NULL },
    { "connection_ping_interval",   A, U, "ping_timeout / 100 s with ping_mode I", NULL },
    { "connect_timeout",            A, U, "0", NULL },
    { "prepost_timeout",            A, U, "0", NULL },
    { "recovery_options",           A, U, "0", NULL },
    { "fail_on_status",             A, U, NULL, NULL },
    { "busy_limit",                 A, U, "0", NULL },
    { "distance",                   A, U, "0", NULL },
    { "activation",                 A, U, "Active", NULL },
    { "domain",                     A, U, NULL, NULL },
    { "redirect",                   A, U, NULL, NULL },
    { "recycle_timeout",            A, I | D, NULL, NULL },
    { "disabled",                   A, U | D, NULL, "activation" },
    { "stopped",                    A, U | D, NULL, "activation" },
    { "local_worker",               A, I | D, NULL, NULL },
    { "local_worker_only",          A, I | D, NULL, NULL },
    { "mount",                      A | L | S, I, NULL, NULL },
    { "balance_workers",            L, U, NULL, NULL },
    { "balanced_workers",           L, U | D, NULL, "balance_workers" },
    { "sticky_session",             L, U, "true", NULL },
    { "sticky_session_force",       L, U, "false", NULL },
    { "method",                     L, U, "Request", NULL },
    { "lock",                       L, U, "Optimistic", NULL },
    { "lb_retries",                 L, U, "2", NULL },
    { "recover_time",               L, U, "60", NULL },
    { "error_escalation_time",      L, U, "recover_time / 2", NULL },
    { "max_reply_timeouts",         L, U, "0", NULL },
    { "slow_start",                 A | L, U, "0", NULL },
    { "retry_budget",               L, U, "0 (no limit)", NULL },
    { "health_check_interval",      A | L, U, "0 (off)", NULL },
    { "health_check_uri",           A | L, U, "none (CPing)", NULL },
    { "session_cookie",             L, U, "JSESSIONID", NULL },
    { "session_path",               L, U, ";jsessionid", NULL },
    { "set_session_cookie",         L, I, "false", NULL },
    { "session_cookie_path",        L, I, "/", NULL },
    { "css",                        S, U, NULL, NULL },
    { "read_only",                  S, U, "false", NULL },
    { "strict_update",              S, U, "false", NULL },
    { "user",                       S, U, NULL, NULL },
    { "user_case_insensitive",      S, U, "false", NULL },
    { "good",                       S, U, "a.o,a.n,a.b,a.r", NULL },
    { "bad",                        S, U, "s,e", NULL },
    { "prefix",                     S, U, "worker", NULL },
    { "ns",                         S, U, "jk:", NULL },
    { "xmlns",                      S, U, "xmlns:jk=\"http://tomcat.apache.org\"", NULL },
    { "doctype",                    S, U, NULL, NULL },
    { NULL, 0, 0, NULL, NULL }
};

#undef A
#undef L
#undef S
#undef U
#undef D
#undef I

/* Per-worker keys kept out of the table: the JNI worker's, gone since mod_jk 1.2.x. */
static const char *const obsolete_jni_keys[] = {
    "sysprops", "stderr", "stdout", "mx", "ms", "class_path", "bridge", "jvm_lib",
    "ld_path", "cmd_line", "native_lib", "secretkey", NULL
};

#define MAX_REFERENCE_DEPTH 20
#define WORKER_PREFIX "worker."
#define WORKER_PREFIX_LEN (sizeof(WORKER_PREFIX) - 1)

const jk_key_def *jk_config_keys(void)
{
    return key_table;
}

const jk_key_def *jk_config_key(const char *name)
{
    for (const jk_key_def *k = key_table; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static int is_obsolete_jni_key(const char *name)
{
    for (int i = 0; obsolete_jni_keys[i]; i++)
        if (strcmp(obsolete_jni_keys[i], name) == 0)
            return 1;
    return 0;
}

/* Levenshtein distance, capped: only small distances matter for suggestions. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int prev[64], cur[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof(int) * (lb + 1));
    }
    return prev[lb];
}

/* Compare ignoring '_' so that "sockettimeout" finds "socket_timeout". */
static int same_without_underscores(const char *a, const char *b)
{
    while (*a || *b) {
        if (*a == '_') { a++; continue; }
        if (*b == '_') { b++; continue; }
        if (apr_tolower(*a) != apr_tolower(*b))
            return 0;
        a++;
        b++;
    }
    return 1;
}

const char *jk_config_suggest(const char *name)
{
    const char *best = NULL;
    int best_distance = 3;
    for (const jk_key_def *k = key_table; k->name; k++) {
        int d;
        if (same_without_underscores(name, k->name))
            return k->name;
        d = edit_distance(name, k->name);
        if (d < best_distance) {
            best_distance = d;
            best = k->name;
        }
    }
    return best;
}

/* mod_jk's booleans: 1/0, on/off, or any word starting with t, y, f or n. */
int jk_config_parse_bool(const char *text, int *out)
{
    if (!strcasecmp(text, "1") || !strcasecmp(text, "on") ||
        (text[0] && strchr("tTyY", text[0]))) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(text, "0") || !strcasecmp(text, "off") ||
        (text[0] && strchr("fFnN", text[0]))) {
        *out = 0;
        return 0;
    }
    return -1;
}

int jk_config_parse_int(const char *text, int min, int max, int *out)
{
    char *end;
    long v;
    if (!apr_isdigit(text[0]) && !(text[0] == '-' && apr_isdigit(text[1])))
        return -1;
    v = strtol(text, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int jk_config_round_packet_size(int size)
{
    size = (size + 1023) & ~1023;
    if (size < 8192)
        return 8192;
    if (size > 65536)
        return 65536;
    return size;
}

static const char *const activation_names[] = { "Active", "Disabled", "Stopped" };
static const char *const method_names[] = { "Request", "Session", "Next", "Traffic", "Busyness" };

/* mod_jk reads only the first character: a letter of the name, or its number. */
static int parse_first_letter(const char *text, const char *const *names, int count, int *out)
{
    for (int i = 0; i < count; i++)
        if (apr_toupper(text[0]) == names[i][0] || text[0] == '0' + i) {
            *out = i;
            return 0;
        }
    return -1;
}

int jk_config_parse_activation(const char *text, jk_activation *out)
{
    int v;
    if (parse_first_letter(text, activation_names, 3, &v) != 0)
        return -1;
    *out = (jk_activation)v;
    return 0;
}

int jk_config_parse_method(const char *text, jk_lb_method *out)
{
    int v;
    if (parse_first_letter(text, method_names, 5, &v) != 0)
        return -1;
    *out = (jk_lb_method)v;
    return 0;
}

const char *jk_config_activation_name(jk_activation a)
{
    return (unsigned)a < 3 ? activation_names[a] : "?";
}

const char *jk_config_method_name(jk_lb_method m)
{
    return (unsigned)m < 5 ? method_names[m] : "?";
}

/* --- reading one worker's keys, through its `reference` chain --- */

typedef struct builder {
    apr_pool_t *pool;
    jk_props *props;
    jk_config *config;
} builder;

static void error_at(builder *b, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void error_at(builder *b, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    const char *msg;
    va_start(ap, fmt);
    msg = apr_pvsprintf(b->pool, fmt, ap);
    va_end(ap);
    APR_ARRAY_PUSH(b->config->errors, const char *) =
        line > 0 ? apr_psprintf(b->pool, "%s:%d: %s", file, line, msg)
                 : apr_psprintf(b->pool, "%s: %s", file, msg);
}

static void warn_at(builder *b, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn_at(builder *b, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    const char *msg;
    va_start(ap, fmt);
    msg = apr_pvsprintf(b->pool, fmt, ap);
    va_end(ap);
    APR_ARRAY_PUSH(b->config->warnings, const char *) =
        apr_psprintf(b->pool, "%s:%d: %s", file, line, msg);
}

static const jk_prop *own_prop(builder *b, const char *worker, const char *key)
{
    return jk_props_get(b->props, apr_pstrcat(b->pool, WORKER_PREFIX, worker, ".", key, NULL));
}

/* The property `key` of `worker`, or of the worker it references, recursively. */
static const jk_prop *worker_prop(builder *b, const char *worker, const char *key)
{
    for (int depth = 0; depth <= MAX_REFERENCE_DEPTH; depth++) {
        const jk_prop *p = own_prop(b, worker, key), *ref;
        if (p)
            return p;
        ref = own_prop(b, worker, "reference");
        if (ref == NULL)
            return NULL;
        worker = strncmp(ref->value, WORKER_PREFIX, WORKER_PREFIX_LEN) == 0
                     ? ref->value + WORKER_PREFIX_LEN : ref->value;
    }
    return NULL; /* a cycle; reported once by check_reference() */
}

/* A key, or its deprecated spelling. */
static const jk_prop *worker_prop_any(builder *b, const char *worker, const char *key,
                                      const char *old_key)
{
    const jk_prop *p = worker_prop(b, worker, key);
    return p || old_key == NULL ? p : worker_prop(b, worker, old_key);
}

static void read_int(builder *b, const char *worker, const char *key, const char *old_key,
                     int min, int max, int *field)
{
    const jk_prop *p = worker_prop_any(b, worker, key, old_key);
    if (p && jk_config_parse_int(p->value, min, max, field) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not a whole number from %d to %d",
                 p->key, p->value, min, max);
}

static void read_bool(builder *b, const char *worker, const char *key, int *field)
{
    const jk_prop *p = worker_prop(b, worker, key);
    if (p && jk_config_parse_bool(p->value, field) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not a boolean (true/false, 1/0, on/off)",
                 p->key, p->value);
}

static void read_string(builder *b, const char *worker, const char *key, const char *old_key,
                        const char **field)
{
    const jk_prop *p = worker_prop_any(b, worker, key, old_key);
    if (p)
        *field = p->value;
}

static int valid_worker_name(const char *name)
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

static void apply_defaults(jk_worker_config *w)
{
    w->host = "localhost";
    w->port = 8009;
    w->socket_timeout = 0;
    w->socket_connect_timeout = -1;
    w->socket_keepalive = 0;
    w->connection_pool_size = 0;
    w->connection_pool_minsize = -1;
    w->connection_pool_timeout = 0;
    w->connection_acquire_timeout = -1;
    w->retries = 2;
    w->retry_interval = 100;
    w->max_packet_size = 8192;
    w->reply_timeout = 0;
    w->secret = NULL;
    w->source = NULL;
    w->prefer_ipv6 = 0;
    w->socket_buffer = 0;
    w->ping_mode = 0;
    w->ping_timeout = 10000;
    w->connection_ping_interval = -1;
    w->connect_timeout = 0;
    w->prepost_timeout = 0;
    w->recovery_options = 0;
    w->fail_on_status = NULL;
    w->busy_limit = 0;
    w->lbfactor = 1;
    w->route = w->name;
    w->domain = "";
    w->redirect = "";
    w->distance = 0;
    w->activation = JK_ACTIVATION_ACTIVE;
    w->sticky_session = 1;
    w->sticky_session_force = 0;
    w->method = JK_LB_METHOD_REQUEST;
    w->lock = JK_LB_LOCK_OPTIMISTIC;
    w->lb_retries = 2;
    w->recover_time = 60;
    w->error_escalation_time = -1;
    w->max_reply_timeouts = 0;
    w->slow_start = -1;
    w->retry_budget = 0;
    w->health_check_interval = -1;
    w->health_check_uri = NULL;
    w->session_cookie = "JSESSIONID";
    w->session_path = ";jsessionid";
    w->css = NULL;
    w->read_only = 0;
    w->strict_update = 0;
    w->users = NULL;
    w->user_case_insensitive = 0;
    w->good = "a.o,a.n,a.b,a.r";
    w->bad = "s,e";
    w->prefix = "worker";
    w->ns = "jk:";
    w->xmlns = "xmlns:jk=\"http://tomcat.apache.org\"";
    w->doctype = NULL;
}

/* Values whose default depends on others, as mod_jk computes them. */
static void resolve_derived(jk_worker_config *w)
{
    /* The old timeouts switch their CPing on, with their own wait. */
    if (w->connect_timeout > 0)
        w->ping_mode |= JK_PING_CONNECT;
    if (w->prepost_timeout > 0)
        w->ping_mode |= JK_PING_PREPOST;
    if (w->connect_timeout == 0 && (w->ping_mode & JK_PING_CONNECT))
        w->connect_timeout = w->ping_timeout;
    if (w->prepost_timeout == 0 && (w->ping_mode & JK_PING_PREPOST))
        w->prepost_timeout = w->ping_timeout;
    if (w->connection_ping_interval < 0)
        w->connection_ping_interval = (w->ping_mode & JK_PING_INTERVAL) ? w->ping_timeout / 100 : 0;
    if (w->connection_ping_interval > 0)
        w->ping_mode |= JK_PING_INTERVAL;
    if (w->socket_connect_timeout < 0)
        w->socket_connect_timeout = w->socket_timeout * 1000;
    if (w->connection_acquire_timeout < 0)
        w->connection_acquire_timeout = w->retries * w->retry_interval;
    w->max_packet_size = jk_config_round_packet_size(w->max_packet_size);
}

/* Letters C (after connect), P (before each request), I (idle interval), A (all). */
static void read_ping_mode(builder *b, jk_worker_config *w)
{
    const jk_prop *p = worker_prop(b, w->name, "ping_mode");
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
    const jk_prop *p = worker_prop(b, w->name, "fail_on_status");
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
    const jk_prop *p = worker_prop(b, w->name, "activation");
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
        const jk_prop *p = worker_prop(b, n, "health_check_uri");
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
    if ((p = worker_prop(b, n, "method")) && jk_config_parse_method(p->value, &w->method) != 0)
        error_at(b, p->file, p->line, "%s: '%s' is not a method (Request, Session, Next, "
                 "Traffic, Busyness)", p->key, p->value);
    if ((p = worker_prop(b, n, "lock")) != NULL) {
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
    const jk_prop *users = worker_prop(b, n, "user");
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
    const jk_prop *host = worker_prop(b, n, "host");

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
    resolve_derived(w);
}

static int parse_type(builder *b, const char *name, jk_worker_type *type)
{
    const jk_prop *p = worker_prop(b, name, "type");
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
    for (const jk_key_def *k = key_table; k->name; k++)
        if ((k->flags & JK_KEY_IGNORED) && worker_prop(b, w->name, k->name))
            APR_ARRAY_PUSH(w->ignored_keys, const char *) = k->name;
}

static jk_worker_config *build_worker(builder *b, const char *name, const char *file, int line)
{
    jk_worker_config *w = apr_pcalloc(b->pool, sizeof(*w));
    w->name = name;
    w->file = file;
    w->line = line;
    if (!valid_worker_name(name)) {
        error_at(b, file, line, "'%s' is not a valid worker name (letters, digits, '_' and '-', "
                 "at most %d)", name, JK_MAX_NAME_LEN);
        return NULL;
    }
    if (parse_type(b, name, &w->type) != 0)
        return NULL;
    apply_defaults(w);
    if (w->type == JK_TYPE_LB)
        read_lb_keys(b, w);
    else if (w->type == JK_TYPE_STATUS)
        read_status_keys(b, w);
    else
        read_ajp_keys(b, w);
    note_ignored_keys(b, w);
    return w;
}

/* --- checking every worker.* key, whether or not its worker is used --- */

static void check_worker_key(builder *b, const jk_prop *p, const char *key)
{
    const jk_key_def *def = jk_config_key(key);
    const char *hint;
    if (def) {
        if ((def->flags & JK_KEY_DEPRECATED) && def->replaced_by)
            warn_at(b, p->file, p->line, "%s is an old spelling; use %s", p->key, def->replaced_by);
        return;
    }
    if (is_obsolete_jni_key(key)) {
        warn_at(b, p->file, p->line, "%s belongs to an obsolete worker type and is ignored", p->key);
        return;
    }
    hint = jk_config_suggest(key);
    if (hint)
        error_at(b, p->file, p->line, "unknown key '%s' in %s (did you mean %s?)", key, p->key, hint);
    else
        error_at(b, p->file, p->line, "unknown key '%s' in %s", key, p->key);
}

static void check_reference(builder *b, const jk_prop *p, const char *worker)
{
    const char *target = p->value;
    if (strncmp(target, WORKER_PREFIX, WORKER_PREFIX_LEN) != 0) {
        error_at(b, p->file, p->line, "%s: '%s' should name another worker as worker.NAME",
                 p->key, target);
        return;
    }
    /* Follow the chain: it must end within the depth limit and never come back. */
    for (int depth = 0; depth < MAX_REFERENCE_DEPTH; depth++) {
        const jk_prop *next;
        target += WORKER_PREFIX_LEN;
        if (strcmp(target, worker) == 0) {
            error_at(b, p->file, p->line, "%s: the references of %s form a cycle", p->key, worker);
            return;
        }
        next = own_prop(b, target, "reference");
        if (next == NULL)
            return;
        target = next->value;
        if (strncmp(target, WORKER_PREFIX, WORKER_PREFIX_LEN) != 0)
            return; /* reported at its own line */
    }
    error_at(b, p->file, p->line, "%s: references nest deeper than %d", p->key, MAX_REFERENCE_DEPTH);
}

static void check_global_key(builder *b, const jk_prop *p)
{
    const char *rest = p->key + WORKER_PREFIX_LEN;
    const char *dot = strchr(rest, '.');
    if (dot == NULL) {
        if (strcmp(rest, "list") == 0)
            return;
        if (strcmp(rest, "maintain") == 0) {
            if (jk_config_parse_int(p->value, 0, INT_MAX, &b->config->maintain) != 0)
                error_at(b, p->file, p->line, "worker.maintain: '%s' is not a number of seconds",
                         p->value);
            return;
        }
        error_at(b, p->file, p->line, "unknown global key '%s' (known: worker.list, "
                 "worker.maintain, worker.NAME.KEY)", p->key);
        return;
    }
    if (dot == rest) {
        error_at(b, p->file, p->line, "%s: the worker name is empty (nothing between 'worker.' "
                 "and '.%s')", p->key, dot + 1);
        return;
    }
    if (!valid_worker_name(apr_pstrndup(b->pool, rest, (apr_size_t)(dot - rest)))) {
        error_at(b, p->file, p->line, "%s: '%.*s' is not a valid worker name (letters, digits, "
                 "'_' and '-', at most %d)", p->key, (int)(dot - rest), rest, JK_MAX_NAME_LEN);
        return;
    }
    check_worker_key(b, p, dot + 1);
    if (strcmp(dot + 1, "reference") == 0)
        check_reference(b, p, apr_pstrndup(b->pool, rest, (apr_size_t)(dot - rest)));
}

/*
 * Keys outside worker.* are variables for $(name); mod_jk allows them.  One that reads
 * like a worker key ("workers.list", "Worker.list") and that nothing uses is a misspelt
 * key whose setting is lost.
 */
static void check_variable(builder *b, const jk_prop *p)
{
    const char *dot = strchr(p->key, '.');
    if (p->used || strncasecmp(p->key, "worker", 6) != 0)
        return;
    if (dot)
        error_at(b, p->file, p->line, "'%s' is not a worker key (those start with 'worker.'), "
                 "and no $(%s) uses it: did you mean worker%s?", p->key, p->key, dot);
    else
        error_at(b, p->file, p->line, "'%s' is not a worker key (those start with 'worker.'), "
                 "and no $(%s) uses it", p->key, p->key);
}

static void check_all_keys(builder *b)
{
    for (int i = 0; i < b->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(b->props->items, i, jk_prop);
        if (strncmp(p->key, WORKER_PREFIX, WORKER_PREFIX_LEN) == 0)
            check_global_key(b, p);
        else
            check_variable(b, p);
    }
}

static void add_worker(builder *b, jk_worker_config *w)
{
    APR_ARRAY_PUSH(b->config->workers, jk_worker_config *) = w;
    apr_hash_set(b->config->by_name, w->name, APR_HASH_KEY_STRING, w);
}

static int worker_has_keys(builder *b, const char *name)
{
    const char *prefix = apr_pstrcat(b->pool, WORKER_PREFIX, name, ".", NULL);
    size_t n = strlen(prefix);
    for (int i = 0; i < b->props->items->nelts; i++)
        if (strncmp(APR_ARRAY_IDX(b->props->items, i, jk_prop).key, prefix, n) == 0)
            return 1;
    return 0;
}

/* The names of the workers that have keys of their own, in file order, each once. */
static apr_array_header_t *defined_workers(builder *b)
{
    apr_array_header_t *names = apr_array_make(b->pool, 8, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(b->pool);
    for (int i = 0; i < b->props->items->nelts; i++) {
        const char *key = APR_ARRAY_IDX(b->props->items, i, jk_prop).key, *dot, *name;
        if (strncmp(key, WORKER_PREFIX, WORKER_PREFIX_LEN) != 0 ||
            (dot = strchr(key + WORKER_PREFIX_LEN, '.')) == NULL)
            continue;
        name = apr_pstrndup(b->pool, key + WORKER_PREFIX_LEN,
                            (apr_size_t)(dot - key - WORKER_PREFIX_LEN));
        if (!valid_worker_name(name) || apr_hash_get(seen, name, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
        APR_ARRAY_PUSH(names, const char *) = name;
    }
    return names;
}

/* Names joined with ", ". */
static const char *join_names(apr_pool_t *pool, const apr_array_header_t *names)
{
    const char *out = "";
    for (int i = 0; i < names->nelts; i++)
        out = apr_pstrcat(pool, out, i ? ", " : "", APR_ARRAY_IDX(names, i, const char *), NULL);
    return out;
}

/* For a name that is not among `names`: the closest of them, else all of them under `label`. */
static const char *names_hint(apr_pool_t *pool, const apr_array_header_t *names, const char *name,
                              const char *label)
{
    apr_array_header_t *closest = apr_array_make(pool, 2, sizeof(const char *));
    /* Short names are all near each other: only one edit away counts for them. */
    int limit = strlen(name) >= 6 ? 2 : 1, best_distance = limit + 1;
    for (int i = 0; i < names->nelts; i++) {
        const char *n = APR_ARRAY_IDX(names, i, const char *);
        int d = edit_distance(name, n);
        if (d > limit)
            continue;
        if (d < best_distance) {
            best_distance = d;
            apr_array_clear(closest);
        }
        if (d == best_distance)
            APR_ARRAY_PUSH(closest, const char *) = n;
    }
    if (closest->nelts == 1)
        return apr_psprintf(pool, "did you mean %s?", APR_ARRAY_IDX(closest, 0, const char *));
    if (closest->nelts > 1)
        return apr_psprintf(pool, "did you mean one of %s?", join_names(pool, closest));
    return apr_psprintf(pool, "%s: %s", label, join_names(pool, names));
}

static const char *worker_hint(builder *b, const char *name)
{
    apr_array_header_t *names = defined_workers(b);
    if (names->nelts == 0)
        return "no worker has a key in this configuration";
    return names_hint(b->pool, names, name, "defined workers");
}

const char *jk_config_mount_hint(apr_pool_t *pool, const jk_config *c, const char *name)
{
    if (c->list == NULL || c->list->nelts == 0)
        return "worker.list names no worker";
    return names_hint(pool, c->list, name, "worker.list has");
}

/* One item of a list key, and where it was written (its own line when the list spans several). */
typedef struct list_item {
    const char *name;
    const char *key;
    const char *file;
    int line;
} list_item;

/* How many times names[i] occurs before i. */
static int earlier_count(const apr_array_header_t *names, int i)
{
    int n = 0;
    for (int j = 0; j < i; j++)
        n += strcmp(APR_ARRAY_IDX(names, j, const char *), APR_ARRAY_IDX(names, i, const char *))
             == 0;
    return n;
}

static list_item item_at(builder *b, const jk_prop *list, const apr_array_header_t *names, int i)
{
    list_item it;
    it.name = APR_ARRAY_IDX(names, i, const char *);
    it.key = list->key;
    jk_props_item_place(b->pool, list, it.name, earlier_count(names, i), &it.file, &it.line);
    return it;
}

/*
 * mod_jk makes an ajp13 worker to localhost:8009 of a name it finds no key for: a typo
 * in worker.list or balance_workers then sends traffic to whatever listens there.
 */
static int check_defined(builder *b, const list_item *it, const char *what)
{
    if (!valid_worker_name(it->name) || worker_has_keys(b, it->name))
        return 0; /* a bad name is build_worker()'s to report */
    error_at(b, it->file, it->line, "%s: %s '%s' is defined nowhere (no worker.%s.* key); %s",
             it->key, what, it->name, it->name, worker_hint(b, it->name));
    return -1;
}

static void build_listed_workers(builder *b)
{
    const jk_prop *list = jk_props_get(b->props, "worker.list");
    apr_array_header_t *names;

    names = jk_props_split_list(b->pool, list ? list->value : JK_DEFAULT_WORKER);
    b->config->list = names;
    if (list && names->nelts == 0)
        error_at(b, list->file, list->line, "worker.list names no worker");
    for (int i = 0; i < names->nelts; i++) {
        list_item it = { APR_ARRAY_IDX(names, i, const char *), "worker.list",
                         "workers.properties", 0 };
        jk_worker_config *w;
        if (list)
            it = item_at(b, list, names, i);
        if (earlier_count(names, i) > 0) {
            error_at(b, it.file, it.line, "worker.list: worker %s is listed twice", it.name);
            continue;
        }
        if (list && check_defined(b, &it, "worker") != 0)
            continue;
        if ((w = build_worker(b, it.name, it.file, it.line)) != NULL) {
            w->mountable = 1;
            add_worker(b, w);
        }
    }
}

/* Both spellings may be used, and each may repeat: all their names count. */
static apr_array_header_t *member_names(builder *b, const jk_worker_config *lb, const jk_prop **where)
{
    const jk_prop *now = worker_prop(b, lb->name, "balance_workers");
    const jk_prop *old = worker_prop(b, lb->name, "balanced_workers");
    apr_array_header_t *names = apr_array_make(b->pool, 4, sizeof(const char *));
    *where = now ? now : old;
    if (now)
        apr_array_cat(names, jk_props_split_list(b->pool, now->value));
    if (old)
        apr_array_cat(names, jk_props_split_list(b->pool, old->value));
    return names;
}

static jk_worker_config *member_config(builder *b, const list_item *it)
{
    jk_worker_config *m = apr_hash_get(b->config->by_name, it->name, APR_HASH_KEY_STRING);
    if (m == NULL) {
        if (check_defined(b, it, "member") != 0)
            return NULL;
        if ((m = build_worker(b, it->name, it->file, it->line)) == NULL)
            return NULL;
        add_worker(b, m);
    }
    if (m->type != JK_TYPE_AJP13) {
        error_at(b, it->file, it->line, "%s: member %s is of type %s; lb members must be "
                 "ajp13 workers", it->key, it->name, m->type == JK_TYPE_LB ? "lb" : "status");
        return NULL;
    }
    return m;
}

static void check_member_routes(builder *b, jk_worker_config *lb, const jk_prop *where)
{
    for (int i = 0; i < lb->members->nelts; i++)
        for (int j = i + 1; j < lb->members->nelts; j++) {
            jk_worker_config *x = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
            jk_worker_config *y = APR_ARRAY_IDX(lb->members, j, jk_worker_config *);
            if (strcmp(x->route, y->route) == 0)
                error_at(b, where->file, where->line, "%s: members %s and %s have the same "
                         "route '%s'; sessions could not tell them apart", where->key, x->name,
                         y->name, x->route);
        }
}

/* The place to name for a member's key: where it is set, else where the member is named. */
static void member_key_place(builder *b, const jk_worker_config *m, const char *key,
                             const char *old_key, const char **file, int *line)
{
    const jk_prop *p = worker_prop_any(b, m->name, key, old_key);
    *file = p ? p->file : m->file;
    *line = p ? p->line : m->line;
}

/* With sticky sessions, a member whose route is empty can never be named by a session id. */
static void check_empty_routes(builder *b, const jk_worker_config *lb)
{
    const char *file;
    int line;
    if (!lb->sticky_session)
        return;
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        if (*m->route != '\0')
            continue;
        member_key_place(b, m, "route", "jvm_route", &file, &line);
        error_at(b, file, line, "member %s of lb %s has an empty route: with sticky_session no "
                 "session id can name it, so its sessions move on every request", m->name,
                 lb->name);
    }
}

/* A redirect must name the route of a member of the same lb, or the failover goes nowhere. */
static void check_redirects(builder *b, const jk_worker_config *lb)
{
    apr_array_header_t *routes = apr_array_make(b->pool, lb->members->nelts, sizeof(const char *));
    const char *file;
    int line;
    for (int i = 0; i < lb->members->nelts; i++)
        APR_ARRAY_PUSH(routes, const char *) =
            APR_ARRAY_IDX(lb->members, i, jk_worker_config *)->route;
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        int found = *m->redirect == '\0';
        for (int j = 0; !found && j < routes->nelts; j++)
            found = strcmp(APR_ARRAY_IDX(routes, j, const char *), m->redirect) == 0;
        if (found)
            continue;
        member_key_place(b, m, "redirect", NULL, &file, &line);
        error_at(b, file, line, "redirect '%s' of %s names no route of lb %s (%s): the sessions "
                 "of %s would have nowhere to go when it is down", m->redirect, m->name, lb->name,
                 join_names(b->pool, routes), m->name);
    }
}

static void build_lb_members(builder *b, jk_worker_config *lb)
{
    const jk_prop *where;
    apr_array_header_t *names = member_names(b, lb, &where);

    lb->members = apr_array_make(b->pool, names->nelts, sizeof(jk_worker_config *));
    if (names->nelts == 0) {
        error_at(b, lb->file, lb->line, "lb worker %s has no members (set worker.%s."
                 "balance_workers)", lb->name, lb->name);
        return;
    }
    for (int i = 0; i < names->nelts; i++) {
        list_item it = item_at(b, where, names, i);
        jk_worker_config *m;
        if (strcmp(it.name, lb->name) == 0) {
            error_at(b, it.file, it.line, "%s: lb worker %s cannot be its own member", it.key,
                     it.name);
            continue;
        }
        if (earlier_count(names, i) > 0) {
            error_at(b, it.file, it.line, "%s: member %s is listed twice", it.key, it.name);
            continue;
        }
        if ((m = member_config(b, &it)) == NULL)
            continue;
        /* A secret on the lb applies to members that have none (mod_jk's rule). */
        if (m->secret == NULL && lb->secret != NULL)
            m->secret = lb->secret;
        /* So do slow start and health checks, unless the member sets its own. */
        if (m->slow_start < 0)
            m->slow_start = lb->slow_start;
        if (m->health_check_interval < 0)
            m->health_check_interval = lb->health_check_interval;
        if (m->health_check_uri == NULL)
            m->health_check_uri = lb->health_check_uri;
        APR_ARRAY_PUSH(lb->members, jk_worker_config *) = m;
    }
    check_member_routes(b, lb, where);
    check_empty_routes(b, lb);
    check_redirects(b, lb);
}

static void build_all_lb_members(builder *b)
{
    /* Members are appended while iterating: walk only the workers present now. */
    int n = b->config->workers->nelts;
    for (int i = 0; i < n; i++) {
        jk_worker_config *w = APR_ARRAY_IDX(b->config->workers, i, jk_worker_config *);
        if (w->type == JK_TYPE_LB)
            build_lb_members(b, w);
    }
}

/* Every "worker.X" that some `reference` names: such templates are used, though never listed. */
static apr_hash_t *referenced_workers(builder *b)
{
    apr_hash_t *targets = apr_hash_make(b->pool);
    for (int i = 0; i < b->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(b->props->items, i, jk_prop);
        apr_size_t n = strlen(p->key);
        if (n > 10 && strcmp(p->key + n - 10, ".reference") == 0 &&
            strncmp(p->value, WORKER_PREFIX, WORKER_PREFIX_LEN) == 0)
            apr_hash_set(targets, p->value + WORKER_PREFIX_LEN, APR_HASH_KEY_STRING, p->value);
    }
    return targets;
}

static void warn_unused_workers(builder *b)
{
    apr_hash_t *seen = apr_hash_make(b->pool), *referenced = referenced_workers(b);
    for (int i = 0; i < b->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(b->props->items, i, jk_prop);
        const char *rest, *dot, *name;
        if (strncmp(p->key, WORKER_PREFIX, WORKER_PREFIX_LEN) != 0)
            continue;
        rest = p->key + WORKER_PREFIX_LEN;
        if ((dot = strchr(rest, '.')) == NULL)
            continue;
        name = apr_pstrndup(b->pool, rest, (apr_size_t)(dot - rest));
        if (!valid_worker_name(name) || /* refused by check_global_key() */
            apr_hash_get(b->config->by_name, name, APR_HASH_KEY_STRING) ||
            apr_hash_get(seen, name, APR_HASH_KEY_STRING) ||
            apr_hash_get(referenced, name, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
        warn_at(b, p->file, p->line, "worker %s is defined but not in worker.list; it is not used",
                name);
    }
}

jk_config *jk_config_build(apr_pool_t *pool, jk_props *props)
{
    builder b = { pool, props, apr_pcalloc(pool, sizeof(jk_config)) };
    jk_config *c = b.config;

    c->workers = apr_array_make(pool, 8, sizeof(jk_worker_config *));
    c->by_name = apr_hash_make(pool);
    c->maintain = 60;
    c->errors = apr_array_copy(pool, props->errors);
    c->warnings = apr_array_copy(pool, props->warnings);
    check_all_keys(&b);
    build_listed_workers(&b);
    build_all_lb_members(&b);
    warn_unused_workers(&b);
    return c;
}

jk_worker_config *jk_config_default_worker(apr_pool_t *pool, const char *name)
{
    jk_worker_config *w = apr_pcalloc(pool, sizeof(*w));
    w->name = name;
    w->type = JK_TYPE_AJP13;
    w->file = "(default)";
    w->mountable = 1;
    apply_defaults(w);
    resolve_derived(w);
    w->ignored_keys = apr_array_make(pool, 1, sizeof(const char *));
    return w;
}

const jk_worker_config *jk_config_find(const jk_config *c, const char *name)
{
    return apr_hash_get(c->by_name, name, APR_HASH_KEY_STRING);
}
