/*
 * jk_config.c: the configuration's keys and jk_config_build() (see jk_config.h).  The
 * one table of every key (kinds, where it applies, its default), looking keys up with a
 * did-you-mean, the value parsers, a worker's defaults, and the build: every key checked
 * (jk_config_check.c), the listed workers and lb members built (jk_config_lists.c, each
 * worker's keys read by jk_config_worker.c), unused workers warned about.
 */
#include "jk_config_int.h"

#include <stddef.h>
#include <stdlib.h>

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

int cfg_is_obsolete_jni_key(const char *name)
{
    for (int i = 0; obsolete_jni_keys[i]; i++)
        if (strcmp(obsolete_jni_keys[i], name) == 0)
            return 1;
    return 0;
}

/* Levenshtein distance, capped: only small distances matter for suggestions. */
int cfg_edit_distance(const char *a, const char *b)
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
        d = cfg_edit_distance(name, k->name);
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

void cfg_apply_defaults(jk_worker_config *w)
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
void cfg_resolve_derived(jk_worker_config *w)
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
        if (!cfg_valid_worker_name(name) || /* refused by check_global_key() */
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
    cfg_check_all_keys(&b);
    cfg_build_listed_workers(&b);
    cfg_build_all_lb_members(&b);
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
    cfg_apply_defaults(w);
    cfg_resolve_derived(w);
    w->ignored_keys = apr_array_make(pool, 1, sizeof(const char *));
    return w;
}

const jk_worker_config *jk_config_find(const jk_config *c, const char *name)
{
    return apr_hash_get(c->by_name, name, APR_HASH_KEY_STRING);
}
