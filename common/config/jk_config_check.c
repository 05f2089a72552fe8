/*
 * jk_config_check.c: the configuration's errors and warnings, each with its file:line,
 * and the check of every worker.* key whether or not its worker is used (unknown keys
 * with a did-you-mean, old spellings, references that loop, misspelt variables), and the
 * hints that name the closest defined worker.
 */
#include "jk_config_int.h"

/* "where: message" onto the errors or the warnings. */
static void push_at(builder *b, apr_array_header_t *to, const char *where, const char *fmt,
                    va_list ap)
{
    APR_ARRAY_PUSH(to, const char *) =
        apr_pstrcat(b->pool, where, ": ", apr_pvsprintf(b->pool, fmt, ap), NULL);
}

void error_at(builder *b, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push_at(b, b->config->errors, line > 0 ? apr_psprintf(b->pool, "%s:%d", file, line) : file,
            fmt, ap);
    va_end(ap);
}

void warn_at(builder *b, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push_at(b, b->config->warnings, apr_psprintf(b->pool, "%s:%d", file, line), fmt, ap);
    va_end(ap);
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
    if (cfg_is_obsolete_jni_key(key)) {
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
        next = cfg_own_prop(b, target, "reference");
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
    if (!cfg_valid_worker_name(apr_pstrndup(b->pool, rest, (apr_size_t)(dot - rest)))) {
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

void cfg_check_all_keys(builder *b)
{
    for (int i = 0; i < b->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(b->props->items, i, jk_prop);
        if (strncmp(p->key, WORKER_PREFIX, WORKER_PREFIX_LEN) == 0)
            check_global_key(b, p);
        else
            check_variable(b, p);
    }
}

void cfg_add_worker(builder *b, jk_worker_config *w)
{
    APR_ARRAY_PUSH(b->config->workers, jk_worker_config *) = w;
    apr_hash_set(b->config->by_name, w->name, APR_HASH_KEY_STRING, w);
}

int cfg_worker_has_keys(builder *b, const char *name)
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
        if (!cfg_valid_worker_name(name) || apr_hash_get(seen, name, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
        APR_ARRAY_PUSH(names, const char *) = name;
    }
    return names;
}

/* Names joined with ", ". */
const char *cfg_join_names(apr_pool_t *pool, const apr_array_header_t *names)
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
        int d = cfg_edit_distance(name, n);
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
        return apr_psprintf(pool, "did you mean one of %s?", cfg_join_names(pool, closest));
    return apr_psprintf(pool, "%s: %s", label, cfg_join_names(pool, names));
}

const char *cfg_worker_hint(builder *b, const char *name)
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

