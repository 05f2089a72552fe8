#include "jk_uri_map.h"

#include <apr_strings.h>
#include <apr_lib.h>
#include <stdlib.h>
#include <string.h>

jk_uri_map *jk_uri_map_create(apr_pool_t *pool)
{
    jk_uri_map *m = apr_palloc(pool, sizeof(*m));
    m->rules = apr_array_make(pool, 8, sizeof(jk_uri_rule));
    return m;
}

jk_uri_map *jk_uri_map_copy(apr_pool_t *pool, const jk_uri_map *from)
{
    jk_uri_map *m = apr_palloc(pool, sizeof(*m));
    m->rules = apr_array_copy(pool, from->rules);
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
    return NULL;
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

void jk_uri_map_prepare(jk_uri_map *m)
{
    if (m->rules->nelts > 1)
        qsort(m->rules->elts, (size_t)m->rules->nelts, sizeof(jk_uri_rule), compare_rules);
}

int jk_uri_wildcard_match(const char *p, const char *t)
{
    /* Iterative glob with one backtrack point: linear in practice, never recursive. */
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '?' || *p == *t) {
            p++;
            t++;
        } else if (*p == '*') {
            star = p++;
            resume = t;
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

static int excluded(const jk_uri_map *m, const char *worker, const char *path)
{
    const jk_uri_rule *rules = (const jk_uri_rule *)m->rules->elts;
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *r = &rules[i];
        if (r->exclude && (strcmp(r->worker, "*") == 0 || strcmp(r->worker, worker) == 0) &&
            rule_matches(r, path))
            return 1;
    }
    return 0;
}

const char *jk_uri_map_match(const jk_uri_map *m, const char *path)
{
    const jk_uri_rule *rules = (const jk_uri_rule *)m->rules->elts;
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *r = &rules[i];
        if (!r->exclude && rule_matches(r, path))
            return excluded(m, r->worker, path) ? NULL : r->worker;
    }
    return NULL;
}

/* Copy `path` without the ";..." part of each segment. */
static char *strip_path_params(apr_pool_t *pool, const char *path)
{
    char *out = apr_palloc(pool, strlen(path) + 1), *o = out;
    int in_param = 0;
    for (const char *c = path; *c; c++) {
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
