/*
 * jkctl show: every worker's effective settings after `reference` and $(var),
 * and where each value comes from (file:line, or default).
 */
#include "jkctl.h"

typedef enum field_kind {
    FK_INT, FK_BOOL, FK_STR, FK_SECRET, FK_TYPE, FK_PING, FK_ACTIVATION, FK_METHOD, FK_LOCK,
    FK_CODES, FK_USERS, FK_MEMBERS, FK_POOL_SIZE, FK_POOL_MIN
} field_kind;

typedef struct field {
    const char *key;
    field_kind kind;
    size_t offset;
} field;

#define FIELD(key, kind, member) { key, kind, offsetof(jk_worker_config, member) }

static const field fields[] = {
    FIELD("type", FK_TYPE, type),
    FIELD("host", FK_STR, host),
    FIELD("port", FK_INT, port),
    FIELD("socket_timeout", FK_INT, socket_timeout),
    FIELD("socket_connect_timeout", FK_INT, socket_connect_timeout),
    FIELD("socket_keepalive", FK_BOOL, socket_keepalive),
    FIELD("connection_pool_size", FK_POOL_SIZE, connection_pool_size),
    FIELD("connection_pool_minsize", FK_POOL_MIN, connection_pool_minsize),
    FIELD("connection_pool_timeout", FK_INT, connection_pool_timeout),
    FIELD("connection_acquire_timeout", FK_INT, connection_acquire_timeout),
    FIELD("retries", FK_INT, retries),
    FIELD("retry_interval", FK_INT, retry_interval),
    FIELD("max_packet_size", FK_INT, max_packet_size),
    FIELD("reply_timeout", FK_INT, reply_timeout),
    FIELD("secret", FK_SECRET, secret),
    FIELD("source", FK_STR, source),
    FIELD("prefer_ipv6", FK_BOOL, prefer_ipv6),
    FIELD("socket_buffer", FK_INT, socket_buffer),
    FIELD("ping_mode", FK_PING, ping_mode),
    FIELD("ping_timeout", FK_INT, ping_timeout),
    FIELD("connection_ping_interval", FK_INT, connection_ping_interval),
    FIELD("connect_timeout", FK_INT, connect_timeout),
    FIELD("prepost_timeout", FK_INT, prepost_timeout),
    FIELD("recovery_options", FK_INT, recovery_options),
    FIELD("fail_on_status", FK_CODES, fail_on_status),
    FIELD("busy_limit", FK_INT, busy_limit),
    FIELD("lbfactor", FK_INT, lbfactor),
    FIELD("route", FK_STR, route),
    FIELD("domain", FK_STR, domain),
    FIELD("redirect", FK_STR, redirect),
    FIELD("distance", FK_INT, distance),
    FIELD("activation", FK_ACTIVATION, activation),
    FIELD("balance_workers", FK_MEMBERS, members),
    FIELD("sticky_session", FK_BOOL, sticky_session),
    FIELD("sticky_session_force", FK_BOOL, sticky_session_force),
    FIELD("method", FK_METHOD, method),
    FIELD("lock", FK_LOCK, lock),
    FIELD("lb_retries", FK_INT, lb_retries),
    FIELD("recover_time", FK_INT, recover_time),
    FIELD("error_escalation_time", FK_INT, error_escalation_time),
    FIELD("max_reply_timeouts", FK_INT, max_reply_timeouts),
    FIELD("session_cookie", FK_STR, session_cookie),
    FIELD("session_path", FK_STR, session_path),
    FIELD("css", FK_STR, css),
    FIELD("read_only", FK_BOOL, read_only),
    FIELD("user", FK_USERS, users),
    FIELD("user_case_insensitive", FK_BOOL, user_case_insensitive),
    FIELD("good", FK_STR, good),
    FIELD("bad", FK_STR, bad),
    FIELD("prefix", FK_STR, prefix),
    FIELD("ns", FK_STR, ns),
    FIELD("xmlns", FK_STR, xmlns),
    FIELD("doctype", FK_STR, doctype),
    { NULL, FK_INT, 0 }
};

static const field *find_field(const char *key)
{
    for (const field *f = fields; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

typedef struct row {
    const char *key;
    const char *value;      /* NULL: not set */
    const char *source;
} row;

static const char *ping_letters(apr_pool_t *p, unsigned mode)
{
    if (mode == 0)
        return "none";
    return apr_pstrcat(p, (mode & JK_PING_CONNECT) ? "C" : "", (mode & JK_PING_PREPOST) ? "P" : "",
                       (mode & JK_PING_INTERVAL) ? "I" : "", NULL);
}

static const char *codes_text(apr_pool_t *p, const apr_array_header_t *codes)
{
    apr_array_header_t *items;
    if (codes == NULL || codes->nelts == 0)
        return NULL;
    items = apr_array_make(p, codes->nelts, sizeof(const char *));
    for (int i = 0; i < codes->nelts; i++)
        push_str(items, apr_itoa(p, APR_ARRAY_IDX(codes, i, int)));
    return join(p, items, ",");
}

static int int_at(const jk_worker_config *w, size_t offset)
{
    int v;
    memcpy(&v, (const char *)w + offset, sizeof(v));
    return v;
}

static const void *ptr_at(const jk_worker_config *w, size_t offset)
{
    const void *v;
    memcpy(&v, (const char *)w + offset, sizeof(v));
    return v;
}

/* The effective value as text; NULL when it is not set. */
static const char *field_value(apr_pool_t *p, const jk_worker_config *w, const field *f,
                               int show_secrets)
{
    const char *str;
    switch (f->kind) {
    case FK_INT: return apr_itoa(p, int_at(w, f->offset));
    case FK_BOOL: return int_at(w, f->offset) ? "true" : "false";
    case FK_STR:
        str = ptr_at(w, f->offset);
        return str && *str ? str : NULL;
    case FK_SECRET:
        str = ptr_at(w, f->offset);
        return str ? (show_secrets ? str : "(set)") : NULL;
    case FK_TYPE: return type_name(w->type);
    case FK_PING: return ping_letters(p, w->ping_mode);
    case FK_ACTIVATION: return jk_config_activation_name(w->activation);
    case FK_METHOD: return jk_config_method_name(w->method);
    case FK_LOCK: return w->lock == JK_LB_LOCK_PESSIMISTIC ? "Pessimistic" : "Optimistic";
    case FK_CODES: return codes_text(p, w->fail_on_status);
    case FK_USERS: return w->users ? join(p, w->users, ",") : NULL;
    case FK_MEMBERS: return members_text(p, w->members);
    case FK_POOL_SIZE: return w->connection_pool_size > 0 ? apr_itoa(p, w->connection_pool_size)
                                                         : "auto";
    case FK_POOL_MIN: return w->connection_pool_minsize >= 0
                                ? apr_itoa(p, w->connection_pool_minsize) : "auto";
    }
    return NULL;
}

/* "$(port) from workers.properties:2" for each variable the source line uses. */
static const char *variable_notes(setup *s, const jk_prop *p)
{
    const char *text = source_line(s, p->file, p->line), *start, *end, *notes = "";
    if (text == NULL)
        return "";
    for (start = strstr(text, "$("); start && (end = strchr(start, ')')) != NULL;
         start = strstr(end, "$(")) {
        const char *name = apr_pstrndup(s->pool, start + 2, (apr_size_t)(end - start - 2));
        const jk_prop *var = jk_props_get(s->props, name);
        notes = apr_psprintf(s->pool, "%s; $(%s) from %s", notes, name,
                             var ? place(s->pool, var->file, var->line) : "the environment");
    }
    return notes;
}

/* "workers.properties:12 (worker.tmpl.port, by reference; $(p) from ...)". */
static const char *prop_source(setup *s, const jk_worker_config *w, const jk_key_def *k,
                               const jk_prop *p)
{
    const char *notes = "";
    const char *suffix = strrchr(p->key, '.') + 1;
    if (!is_own(s, p, w->name))
        notes = apr_psprintf(s->pool, "; %s, by reference", p->key);
    else if (strcmp(suffix, k->name) != 0)
        notes = apr_psprintf(s->pool, "; as %s, an old spelling", suffix);
    if (strcmp(k->name, "max_packet_size") == 0 && atoi(p->value) != w->max_packet_size)
        notes = apr_psprintf(s->pool, "%s; %s rounded", notes, p->value);
    notes = apr_pstrcat(s->pool, notes, variable_notes(s, p), NULL);
    return *notes ? apr_psprintf(s->pool, "%s (%s)", place(s->pool, p->file, p->line), notes + 2)
                  : place(s->pool, p->file, p->line);
}

/* The properties a key was read from: itself and its old spellings. */
static apr_array_header_t *key_props(setup *s, const jk_worker_config *w, const jk_key_def *k)
{
    apr_array_header_t *found = apr_array_make(s->pool, 2, sizeof(const jk_prop *));
    const jk_prop *p = chain_prop(s, w->name, k->name);
    if (p)
        APR_ARRAY_PUSH(found, const jk_prop *) = p;
    for (const jk_key_def *old = jk_config_keys(); old->name; old++)
        if (old->replaced_by && strcmp(old->replaced_by, k->name) == 0 &&
            (p = chain_prop(s, w->name, old->name)) != NULL)
            APR_ARRAY_PUSH(found, const jk_prop *) = p;
    return found;
}

/* The lb whose secret a member uses. */
static const char *secret_source(setup *s, const jk_worker_config *w)
{
    apr_array_header_t *lbs = lbs_of(s, w->name);
    for (int i = 0; i < lbs->nelts; i++) {
        const jk_worker_config *lb = APR_ARRAY_IDX(lbs, i, jk_worker_config *);
        const jk_prop *p = chain_prop(s, lb->name, "secret");
        if (p && lb->secret == w->secret)
            return apr_psprintf(s->pool, "from lb %s: %s", lb->name,
                                place(s->pool, p->file, p->line));
    }
    return "derived";
}

/* No property: a default, or a value the module derives from other keys. */
static const char *derived_source(setup *s, const jk_worker_config *w, const jk_key_def *k,
                                  const char *value)
{
    const char *key = k->name;
    if (strcmp(key, "secret") == 0 && w->secret)
        return secret_source(s, w);
    if (strcmp(key, "domain") == 0 && value)
        return apr_psprintf(s->pool, "from route '%s' (its part before '.')", w->route);
    if (strcmp(key, "connect_timeout") == 0 && w->connect_timeout > 0)
        return "ping_timeout, as ping_mode has C";
    if (strcmp(key, "prepost_timeout") == 0 && w->prepost_timeout > 0)
        return "ping_timeout, as ping_mode has P";
    if (strcmp(key, "connection_ping_interval") == 0 && w->connection_ping_interval > 0)
        return "ping_timeout / 100 s, as ping_mode has I";
    if (strcmp(key, "ping_mode") == 0 && w->ping_mode)
        return "from connect_timeout, prepost_timeout or connection_ping_interval";
    if (k->default_text == NULL || (value && strcmp(value, k->default_text) == 0))
        return "default";
    return apr_psprintf(s->pool, "default: %s", k->default_text);
}

static const char *row_source(setup *s, const jk_worker_config *w, const jk_key_def *k,
                              const char *value)
{
    apr_array_header_t *found = key_props(s, w, k);
    const char *out = "";
    if (found->nelts == 0)
        return derived_source(s, w, k, value);
    for (int i = 0; i < found->nelts; i++)
        out = apr_pstrcat(s->pool, out, i ? "; " : "",
                          prop_source(s, w, k, APR_ARRAY_IDX(found, i, const jk_prop *)), NULL);
    return out;
}

static void push_row(apr_array_header_t *rows, const char *key, const char *value,
                     const char *source)
{
    row *r = apr_array_push(rows);
    r->key = key;
    r->value = value;
    r->source = source;
}

/* A key the module accepts but does not act on: shown only when set. */
static void ignored_row(setup *s, apr_array_header_t *rows, const jk_worker_config *w,
                        const jk_key_def *k)
{
    const jk_prop *p = chain_prop(s, w->name, k->name);
    if (p)
        push_row(rows, k->name, p->value, apr_pstrcat(s->pool, prop_source(s, w, k, p),
                                                      "; accepted, no effect", NULL));
}

static apr_array_header_t *worker_rows(setup *s, const jk_worker_config *w)
{
    apr_array_header_t *rows = apr_array_make(s->pool, 40, sizeof(row));
    const jk_prop *ref = own_prop(s, w->name, "reference");
    for (const jk_key_def *k = jk_config_keys(); k->name; k++) {
        const field *f = find_field(k->name);
        const char *value;
        if (!(k->applies & type_bit(w->type)) || (k->replaced_by && (k->flags & JK_KEY_DEPRECATED)))
            continue;
        if (strcmp(k->name, "reference") == 0) {
            if (ref)
                push_row(rows, k->name, ref->value, place(s->pool, ref->file, ref->line));
            continue;
        }
        if ((k->flags & JK_KEY_IGNORED) || f == NULL) {
            ignored_row(s, rows, w, k);
            continue;
        }
        value = field_value(s->pool, w, f, s->opt->show_secrets);
        push_row(rows, k->name, value, row_source(s, w, k, value));
    }
    return rows;
}

static const char *worker_facts(setup *s, const jk_worker_config *w)
{
    apr_array_header_t *facts = apr_array_make(s->pool, 3, sizeof(const char *));
    apr_array_header_t *lbs = lbs_of(s, w->name);
    if (w->mountable)
        push_str(facts, "in worker.list");
    for (int i = 0; i < lbs->nelts; i++)
        push_str(facts, apr_psprintf(s->pool, "member of %s",
                                     APR_ARRAY_IDX(lbs, i, jk_worker_config *)->name));
    push_str(facts, apr_psprintf(s->pool, "named at %s", place(s->pool, w->file, w->line)));
    return join(s->pool, facts, ", ");
}

static apr_array_header_t *global_rows(setup *s)
{
    apr_array_header_t *rows = apr_array_make(s->pool, 2, sizeof(row));
    const jk_prop *list = jk_props_get(s->props, "worker.list");
    const jk_prop *maintain = jk_props_get(s->props, "worker.maintain");
    push_row(rows, "worker.list", join(s->pool, s->config->list, ","),
             list ? place(s->pool, list->file, list->line) : "default");
    push_row(rows, "worker.maintain", apr_itoa(s->pool, s->config->maintain),
             maintain ? place(s->pool, maintain->file, maintain->line) : "default");
    return rows;
}

static void print_rows_text(const apr_array_header_t *rows)
{
    int width = 0;
    for (int i = 0; i < rows->nelts; i++) {
        const row *r = &APR_ARRAY_IDX(rows, i, row);
        int n = (int)strlen(r->value ? r->value : "(none)");
        if (n > width)
            width = n > 40 ? 40 : n;
    }
    for (int i = 0; i < rows->nelts; i++) {
        const row *r = &APR_ARRAY_IDX(rows, i, row);
        printf("  %-27s %-*s  %s\n", r->key, width, r->value ? r->value : "(none)", r->source);
    }
}

static void print_rows_tsv(const char *worker, const apr_array_header_t *rows)
{
    for (int i = 0; i < rows->nelts; i++) {
        const row *r = &APR_ARRAY_IDX(rows, i, row);
        printf("%s\t%s\t%s\t%s\n", worker, r->key, r->value ? r->value : "", r->source);
    }
}

static int wanted(const apr_array_header_t *names, const char *name)
{
    if (names->nelts == 0)
        return 1;
    for (int i = 0; i < names->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(names, i, const char *), name) == 0)
            return 1;
    return 0;
}

static void show_worker(setup *s, const jk_worker_config *w, int tsv)
{
    apr_array_header_t *rows = worker_rows(s, w);
    if (tsv) {
        print_rows_tsv(w->name, rows);
        return;
    }
    printf("\n%s: %s (%s)\n", w->name, type_name(w->type), worker_facts(s, w));
    print_rows_text(rows);
}

static void show_globals(setup *s, int tsv)
{
    if (tsv) {
        print_rows_tsv("(global)", global_rows(s));
        return;
    }
    printf("global\n");
    print_rows_text(global_rows(s));
}

/* The workers named (all when none is); 1 when a name is no worker in use. */
static int show_workers(setup *s, const apr_array_header_t *names, int tsv)
{
    int missing = 0;
    if (names->nelts == 0)
        show_globals(s, tsv);
    for (int i = 0; i < s->config->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(s->config->workers, i, jk_worker_config *);
        if (wanted(names, w->name))
            show_worker(s, w, tsv);
    }
    for (int i = 0; i < names->nelts; i++)
        if (jk_config_find(s->config, APR_ARRAY_IDX(names, i, const char *)) == NULL) {
            fprintf(stderr, "jkctl: no worker named %s is in use\n",
                    APR_ARRAY_IDX(names, i, const char *));
            missing = 1;
        }
    return missing;
}

int cmd_show(apr_pool_t *p, const options *o)
{
    const char *workers = o->workers;
    apr_array_header_t *names = apr_array_make(p, 2, sizeof(const char *));
    int missing, rc;
    setup *s;

    /* Without --workers or --httpd-conf, the first argument is the file. */
    for (int i = 0; i < o->args->nelts; i++) {
        const char *arg = APR_ARRAY_IDX(o->args, i, const char *);
        if (workers == NULL && o->httpd_conf == NULL)
            workers = arg;
        else
            push_str(names, arg);
    }
    if (workers == NULL && o->httpd_conf == NULL)
        usage_error("show needs a workers.properties file or --httpd-conf");
    s = load_setup(p, o, workers, NULL);
    missing = show_workers(s, names, o->format && strcmp(o->format, "tsv") == 0);
    rc = report_errors(s);
    return rc != EXIT_CLEAN ? rc : missing ? EXIT_WARNINGS : EXIT_CLEAN;
}
