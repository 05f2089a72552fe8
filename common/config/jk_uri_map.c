/*
 * jk_uri_map.c: the URI map (see jk_uri_map.h): JkMount/JkUnMount rules and mount
 * files, their order, matching on the normalised path, copying and merging maps.
 */
#include "jk_uri_map.h"

#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

jk_uri_map *jk_uri_map_create(apr_pool_t *pool)
{
    jk_uri_map *m = apr_pcalloc(pool, sizeof(*m));
    m->rules = apr_array_make(pool, 8, sizeof(jk_uri_rule));
    m->pool = pool;
    return m;
}

jk_uri_map *jk_uri_map_copy(apr_pool_t *pool, const jk_uri_map *from)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    apr_array_cat(m->rules, from->rules);
    return m;
}

static int count_slashes(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '/';
    return n;
}

const char *jk_uri_map_add(jk_uri_map *m, apr_pool_t *pool, const char *pattern,
                           const char *worker, int exclude, jk_rule_source source,
                           const char *file, int line)
{
    jk_uri_rule *r;
    if (pattern[0] != '/')
        return apr_psprintf(pool, "URI pattern '%s' must start with '/'", pattern);
    if (worker == NULL || *worker == '\0')
        return apr_psprintf(pool, "URI pattern '%s' has no worker", pattern);
    r = apr_array_push(m->rules);
    r->pattern = apr_pstrdup(pool, pattern);
    r->worker = apr_pstrdup(pool, worker);
    r->exclude = exclude;
    r->exact = strpbrk(pattern, "*?") == NULL;
    r->slashes = count_slashes(pattern);
    r->len = strlen(pattern);
    r->source = source;
    r->file = file;
    r->line = line;
    r->ext = NULL;
    r->disabled = 0;
    r->rank = 0;
    return NULL;
}

static jk_rule_ext *new_ext(apr_pool_t *pool)
{
    jk_rule_ext *e = apr_pcalloc(pool, sizeof(*e));
    e->sticky_ignore = -1;
    e->stateless = -1;
    e->set_session_cookie = -1;
    return e;
}

static int ext_flag(const char *value)
{
    return value[0] == '1' || value[0] == 't' || value[0] == 'T' || value[0] == 'y' ||
           value[0] == 'Y' || !strcasecmp(value, "on");
}

/* One "name=value" extension; returns 0, or -1 when the name is unknown. */
static int set_ext(apr_pool_t *pool, jk_rule_ext *e, const char *name, const char *value)
{
    if (!strcmp(name, "reply_timeout"))
        e->reply_timeout = atoi(value);
    else if (!strcmp(name, "sticky_ignore"))
        e->sticky_ignore = ext_flag(value);
    else if (!strcmp(name, "stateless"))
        e->stateless = ext_flag(value);
    else if (!strcmp(name, "use_server_errors"))
        e->use_server_errors = atoi(value);
    else if (!strcmp(name, "active"))
        e->active = apr_pstrdup(pool, value);
    else if (!strcmp(name, "disabled"))
        e->disabled = apr_pstrdup(pool, value);
    else if (!strcmp(name, "stopped"))
        e->stopped = apr_pstrdup(pool, value);
    else if (!strcmp(name, "fail_on_status"))
        e->fail_on_status = apr_pstrdup(pool, value);
    else if (!strcmp(name, "session_cookie"))
        e->session_cookie = apr_pstrdup(pool, value);
    else if (!strcmp(name, "session_path"))
        e->session_path = apr_pstrdup(pool, value);
    else if (!strcmp(name, "set_session_cookie"))
        e->set_session_cookie = ext_flag(value);
    else if (strcmp(name, "session_cookie_path") != 0)
        return -1;
    return 0;
}

#define KNOWN_EXTENSIONS "reply_timeout, sticky_ignore, stateless, use_server_errors, " \
    "active, disabled, stopped, fail_on_status, session_cookie, session_path, " \
    "set_session_cookie, session_cookie_path"

/*
 * "worker;a=1;b=2": the worker name, and its extensions (NULL when none).  An extension
 * that is unknown or lacks its '=' is an error in *err: mod_jk would drop it, and the
 * rule would then behave unlike what was written.
 */
static const char *parse_worker_spec(apr_pool_t *pool, const char *spec, const jk_rule_ext **ext,
                                     const char **err)
{
    char *copy = apr_pstrdup(pool, spec), *state = NULL, *item;
    char *worker = apr_strtok(copy, ";", &state);
    jk_rule_ext *e = NULL;

    *ext = NULL;
    *err = NULL;
    if (worker == NULL || spec[0] == ';')
        return ""; /* no worker name: the caller reports it */

    while ((item = apr_strtok(NULL, ";", &state)) != NULL) {
        char *eq = strchr(item, '=');
        if (e == NULL)
            e = new_ext(pool);
        if (eq)
            *eq = '\0';
        if (eq == NULL && *err == NULL)
            *err = apr_psprintf(pool, "rule extension '%s' needs '=value'", item);
        else if (eq && set_ext(pool, e, item, eq + 1) != 0 && *err == NULL)
            *err = apr_psprintf(pool, "unknown rule extension '%s' (known: " KNOWN_EXTENSIONS ")",
                                item);
    }
    *ext = e;
    return worker ? worker : "";
}

const char *jk_uri_map_add_spec(jk_uri_map *m, apr_pool_t *pool, const char *pattern,
                                const char *worker_spec, jk_rule_source source, const char *file,
                                int line, apr_array_header_t *warnings)
{
    const jk_rule_ext *ext;
    const char *worker, *bar, *err, *prefixes = pattern;
    int disabled = 0, exclude = 0;

    (void)warnings; /* no rule problem is a mere warning any more; kept for the callers */
    /* "-" disables a rule (checked first, so "-!" is a disabled exclusion); "!" excludes. */
    if (*pattern == '-') {
        disabled = 1;
        pattern++;
    }
    if (*pattern == '!') {
        exclude = 1;
        pattern++;
    }
    worker = parse_worker_spec(pool, worker_spec, &ext, &err);
    if (err)
        return err;
    if ((bar = strchr(pattern, '|')) != NULL) {
        /* "X|Y" is the two rules X and XY: "/app|" + "/" + "*" covers /app and all below it. */
        const char *x = apr_pstrndup(pool, pattern, (apr_size_t)(bar - pattern));
        const char *prefix = apr_pstrndup(pool, prefixes, (apr_size_t)(pattern - prefixes));
        if ((err = jk_uri_map_add_spec(m, pool, apr_pstrcat(pool, prefix, x, NULL), worker_spec,
                                       source, file, line, NULL)))
            return err;
        pattern = apr_pstrcat(pool, x, bar + 1, NULL);
    }
    if ((err = jk_uri_map_add(m, pool, pattern, worker, exclude, source, file, line)) != NULL)
        return err;
    APR_ARRAY_IDX(m->rules, m->rules->nelts - 1, jk_uri_rule).ext = ext;
    APR_ARRAY_IDX(m->rules, m->rules->nelts - 1, jk_uri_rule).disabled = disabled;
    return NULL;
}

static char *trim_line(char *s)
{
    char *end;
    char *hash = strchr(s, '#');
    if (hash)
        *hash = '\0';
    while (apr_isspace(*s))
        s++;
    end = s + strlen(s);
    while (end > s && apr_isspace(end[-1]))
        *--end = '\0';
    return s;
}

int jk_uri_map_load_file(jk_uri_map *m, apr_pool_t *pool, const char *path,
                         apr_array_header_t *errors, apr_array_header_t *warnings)
{
    apr_file_t *f;
    char buf[8192], errbuf[120];
    int line = 0, before = errors->nelts;
    const char *file = apr_pstrdup(pool, path);
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BUFFERED, APR_OS_DEFAULT,
                                    pool);
    if (rv != APR_SUCCESS) {
        APR_ARRAY_PUSH(errors, const char *) = apr_psprintf(pool, "%s: cannot open: %s", file,
                                                            apr_strerror(rv, errbuf, sizeof(errbuf)));
        return -1;
    }
    while (apr_file_gets(buf, sizeof(buf), f) == APR_SUCCESS) {
        char *text = trim_line(buf), *eq;
        const char *err;
        line++;
        if (*text == '\0')
            continue;
        if ((eq = strchr(text, '=')) == NULL) {
            APR_ARRAY_PUSH(errors, const char *) = apr_psprintf(pool,
                "%s:%d: expected pattern=worker, found '%s'", file, line, text);
            continue;
        }
        *eq = '\0';
        err = jk_uri_map_add_spec(m, pool, trim_line(text), trim_line(eq + 1),
                                  JK_RULE_FROM_MOUNTFILE, file, line, warnings);
        if (err)
            APR_ARRAY_PUSH(errors, const char *) = apr_psprintf(pool, "%s:%d: %s", file, line, err);
    }
    apr_file_close(f);
    return errors->nelts == before ? 0 : -1;
}

void jk_uri_map_merge(jk_uri_map *m, const jk_uri_map *from)
{
    apr_array_cat(m->rules, from->rules);
}

static int compare_rules(const void *a, const void *b)
{
    const jk_uri_rule *x = a, *y = b;
    if (x->exact != y->exact)
        return y->exact - x->exact;
    if (x->slashes != y->slashes)
        return y->slashes - x->slashes;
    if (x->len != y->len)
        return x->len < y->len ? 1 : -1;
    return (int)y->source - (int)x->source;
}

/* The first segment of a pattern or path ("app" in "/app/x"), and whether it is literal. */
static const char *first_segment(apr_pool_t *pool, const char *path, int *literal)
{
    const char *end = strchr(path + 1, '/');
    apr_size_t n = end ? (apr_size_t)(end - path - 1) : strlen(path + 1);
    const char *seg = apr_pstrndup(pool, path + 1, n);
    *literal = strpbrk(seg, "*?") == NULL;
    return seg;
}

static void index_rule(jk_uri_map *m, int i)
{
    jk_uri_rule *r = &APR_ARRAY_IDX(m->rules, i, jk_uri_rule);
    int literal;
    const char *seg = first_segment(m->pool, r->pattern, &literal);
    apr_array_header_t *list;

    r->rank = i;
    /* A rule for /app/ + "*" also matches "/app": the same literal first segment covers both. */
    if (!literal) {
        APR_ARRAY_PUSH(m->general, int) = i;
        return;
    }
    list = apr_hash_get(m->by_segment, seg, APR_HASH_KEY_STRING);
    if (list == NULL) {
        list = apr_array_make(m->pool, 2, sizeof(int));
        apr_hash_set(m->by_segment, seg, APR_HASH_KEY_STRING, list);
    }
    APR_ARRAY_PUSH(list, int) = i;
}

void jk_uri_map_prepare(jk_uri_map *m)
{
    if (m->pool == NULL)
        m->pool = m->rules->pool;
    if (m->rules->nelts > 1)
        qsort(m->rules->elts, (size_t)m->rules->nelts, sizeof(jk_uri_rule), compare_rules);
    m->by_segment = apr_hash_make(m->pool);
    m->general = apr_array_make(m->pool, 4, sizeof(int));
    for (int i = 0; i < m->rules->nelts; i++)
        index_rule(m, i);
}

int jk_uri_wildcard_match(const char *p, const char *t)
{
    /* Iterative glob with one backtrack point: linear in practice, never recursive. */
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '*') {
            star = p++;
            resume = t;
        } else if (*p == '?' || *p == *t) {
            p++;
            t++;
        } else if (star) {
            p = star + 1;
            t = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static int rule_matches(const jk_uri_rule *r, const char *path)
{
    if (r->exact)
        return strcmp(r->pattern, path) == 0;
    if (jk_uri_wildcard_match(r->pattern, path))
        return 1;
    /* A pattern ending in slash-star also covers the bare prefix ("/app" for /app/ + star). */
    return r->len >= 2 && strcmp(r->pattern + r->len - 2, "/*") == 0 &&
           strncmp(r->pattern, path, r->len - 2) == 0 && path[r->len - 2] == '\0';
}

/* The candidates for `path`: its segment's list and the general list, in rank order. */
typedef struct candidates {
    const apr_array_header_t *a, *b;
    int i, j;
} candidates;

static void candidates_init(candidates *c, const jk_uri_map *m, const char *path)
{
    const char *end = strchr(path + 1, '/');
    apr_size_t n = end ? (apr_size_t)(end - path - 1) : strlen(path + 1);
    c->a = m->by_segment ? apr_hash_get(m->by_segment, path + 1, (apr_ssize_t)n) : NULL;
    c->b = m->general;
    c->i = c->j = 0;
}

/* The next rule index in rank order, or -1. */
static int candidates_next(candidates *c)
{
    int x = c->a && c->i < c->a->nelts ? APR_ARRAY_IDX(c->a, c->i, int) : -1;
    int y = c->b && c->j < c->b->nelts ? APR_ARRAY_IDX(c->b, c->j, int) : -1;
    if (x >= 0 && (y < 0 || x < y)) {
        c->i++;
        return x;
    }
    if (y >= 0)
        c->j++;
    return y;
}

static int excluded(const jk_uri_map *m, const char *worker, const char *path)
{
    const jk_uri_rule *rules = (const jk_uri_rule *)m->rules->elts;
    candidates c;
    int i;
    candidates_init(&c, m, path);
    while ((i = candidates_next(&c)) >= 0) {
        const jk_uri_rule *r = &rules[i];
        if (r->exclude && !r->disabled &&
            (strcmp(r->worker, "*") == 0 || strcmp(r->worker, worker) == 0) &&
            rule_matches(r, path))
            return 1;
    }
    return 0;
}

const jk_uri_rule *jk_uri_map_find(const jk_uri_map *m, const char *path)
{
    const jk_uri_rule *rules = (const jk_uri_rule *)m->rules->elts;
    candidates c;
    int i;
    if (m->by_segment == NULL)
        jk_uri_map_prepare((jk_uri_map *)m);
    candidates_init(&c, m, path);
    while ((i = candidates_next(&c)) >= 0) {
        const jk_uri_rule *r = &rules[i];
        if (!r->exclude && !r->disabled && rule_matches(r, path))
            return excluded(m, r->worker, path) ? NULL : r;
    }
    return NULL;
}

const char *jk_uri_map_match(const jk_uri_map *m, const char *path)
{
    const jk_uri_rule *r = path[0] == '/' ? jk_uri_map_find(m, path) : NULL;
    return r ? r->worker : NULL;
}

/*
 * Copy `path` without the ";..." part of each segment.  A backslash counts as a
 * slash, because that is how Tomcat resolves it.
 */
static char *strip_path_params(apr_pool_t *pool, const char *path)
{
    char *out = apr_palloc(pool, strlen(path) + 1), *o = out;
    int in_param = 0;
    for (const char *c = path; *c; c++) {
        if (*c == '\\') {
            in_param = 0;
            *o++ = '/';
            continue;
        }
        if (*c == '/')
            in_param = 0;
        else if (*c == ';')
            in_param = 1;
        if (!in_param)
            *o++ = *c;
    }
    *o = '\0';
    return out;
}

static int is_dot_segment(const char *seg, apr_size_t len)
{
    return (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.');
}

jk_normalize_result jk_uri_normalize(apr_pool_t *pool, const char *path, char **out)
{
    char *src, *dst;
    apr_size_t n = 0;
    int directory = 0; /* the result names a directory: keep its trailing '/' */

    if (path == NULL || path[0] != '/')
        return JK_NORMALIZE_BAD;
    src = strip_path_params(pool, path);
    dst = apr_palloc(pool, strlen(src) + 2);
    for (const char *seg = src; *seg;) {
        const char *end;
        apr_size_t len;
        while (*seg == '/')
            seg++;
        for (end = seg; *end && *end != '/'; end++)
            ;
        len = (apr_size_t)(end - seg);
        if (len > 0)
            directory = is_dot_segment(seg, len);
        if (len == 2 && is_dot_segment(seg, len)) {
            if (n == 0)
                return JK_NORMALIZE_BAD; /* above the root */
            while (n > 0 && dst[--n] != '/')
                ;
        } else if (len > 0 && !is_dot_segment(seg, len)) {
            dst[n++] = '/';
            memcpy(dst + n, seg, len);
            n += len;
        }
        seg = end;
    }
    if (n == 0 || directory || src[strlen(src) - 1] == '/')
        dst[n++] = '/';
    dst[n] = '\0';
    *out = dst;
    return JK_NORMALIZE_OK;
}

char *jk_uri_encode_path(apr_pool_t *pool, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    /* RFC 3986 pchar plus '/': unreserved, sub-delims, ':' and '@'. */
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    apr_size_t need = 0;
    char *out, *o;

    for (const unsigned char *c = (const unsigned char *)path; *c; c++)
        need += (apr_isalnum(*c) || strchr(keep, *c)) ? 1 : 3;
    out = o = apr_palloc(pool, need + 1);
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if (apr_isalnum(*c) || strchr(keep, *c)) {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 0xF];
        }
    }
    *o = '\0';
    return out;
}
