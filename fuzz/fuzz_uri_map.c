/*
 * Fuzz target: URI mapping (JkMount / JkUnMount / JkMountFile rules), the
 * path normaliser, the path encoder and the wildcard matcher.
 *
 * Input: byte 0 is a flag byte, the rest is split on '\n'.  The last line is
 * the request path; each earlier line (up to 32) is a rule:
 *   - with '=': "pattern=worker[;ext=value...]" through jk_uri_map_add_spec(),
 *     as a JkMountFile line ("[-][!]pattern", "X|Y", extensions);
 *   - without: a bare pattern through jk_uri_map_add(), for worker w0, w1 or
 *     w2 (by line number), an exclusion when the flag byte's bit for that
 *     line (line % 8) is set; exclusions of every fourth line are for "*".
 *
 * Checked (abort() when broken):
 *   - jk_uri_normalize: on success the result starts with '/', has no "//",
 *     no "." or ".." segment, no ';' and no '\\'; normalising it again gives
 *     the same string; a path that is already normal is returned unchanged;
 *     a path not starting with '/' is refused.
 *   - jk_uri_map_find: the indexed lookup gives the same rule as a plain scan
 *     of the sorted rules with a reference matcher; prepare() sorts by the
 *     documented precedence (exact, more slashes, longer, later source).
 *   - jk_uri_wildcard_match agrees with a reference dynamic-programming glob.
 *   - jk_uri_encode_path: only unreserved/sub-delim/':@/' bytes stay raw, the
 *     rest become %XX, and decoding gives back the input exactly.
 *   - "[-][!]X|Y" adds the same rules as "[-][!]X" then "[-][!]XY".
 */
#include "fuzz_common.h"

#include "jk_uri_map.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 33
#define MAX_GLOB_CELLS (1u << 22) /* reference glob table limit: pattern x text */

/* --- reference implementations --- */

/* Glob with '*' (any run, '/' included) and '?' (one byte), by dynamic programming. */
static int ref_glob(const char *p, const char *t, int *decided)
{
    size_t pl = strlen(p), tl = strlen(t);
    unsigned char *prev, *cur, *swap;
    int result;

    *decided = (pl + 1) * (tl + 1) <= MAX_GLOB_CELLS;
    if (!*decided)
        return 0;
    prev = calloc(tl + 1, 1);
    cur = calloc(tl + 1, 1);
    if (prev == NULL || cur == NULL)
        abort();
    prev[0] = 1;
    for (size_t i = 1; i <= pl; i++) {
        char c = p[i - 1];
        cur[0] = prev[0] && c == '*';
        for (size_t j = 1; j <= tl; j++) {
            if (c == '*')
                cur[j] = prev[j] || cur[j - 1];
            else
                cur[j] = (c == '?' || c == t[j - 1]) && prev[j - 1];
        }
        swap = prev;
        prev = cur;
        cur = swap;
    }
    result = prev[tl];
    free(prev);
    free(cur);
    return result;
}

static int ref_rule_matches(const jk_uri_rule *r, const char *path, int *decided)
{
    size_t n = strlen(r->pattern);
    *decided = 1;
    if (r->exact)
        return strcmp(r->pattern, path) == 0;
    if (ref_glob(r->pattern, path, decided))
        return 1;
    /* "/app/" + "*" also covers "/app". */
    return n >= 2 && strcmp(r->pattern + n - 2, "/*") == 0 && strlen(path) == n - 2 &&
           strncmp(r->pattern, path, n - 2) == 0;
}

/* The documented rule: first matching rule in sorted order, unless an exclusion matches. */
static const jk_uri_rule *ref_find(const jk_uri_map *m, const char *path, int *decided)
{
    const jk_uri_rule *rules = (const jk_uri_rule *)m->rules->elts;
    *decided = 1;
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *r = &rules[i];
        int d;
        if (r->exclude || r->disabled)
            continue;
        if (!ref_rule_matches(r, path, &d)) {
            if (!d)
                *decided = 0;
            continue;
        }
        for (int j = 0; j < m->rules->nelts; j++) {
            const jk_uri_rule *e = &rules[j];
            if (e->exclude && !e->disabled &&
                (strcmp(e->worker, "*") == 0 || strcmp(e->worker, r->worker) == 0)) {
                if (ref_rule_matches(e, path, &d))
                    return NULL;
                if (!d)
                    *decided = 0;
            }
        }
        return r;
    }
    return NULL;
}

/* --- checks --- */

static void check_sorted(const jk_uri_map *m)
{
    const jk_uri_rule *rules = (const jk_uri_rule *)m->rules->elts;
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *b = &rules[i];
        FUZZ_CHECK(b->rank == i, "rule %d has rank %d", i, b->rank);
        FUZZ_CHECK(b->pattern[0] == '/' && b->worker[0] != '\0',
                   "rule '%s' -> '%s' was accepted", b->pattern, b->worker);
        FUZZ_CHECK(b->len == strlen(b->pattern), "rule '%s' has len %zu", b->pattern,
                   (size_t)b->len);
        if (i == 0)
            continue;
        const jk_uri_rule *a = &rules[i - 1];
        int ordered = a->exact != b->exact       ? a->exact > b->exact
                      : a->slashes != b->slashes ? a->slashes > b->slashes
                      : a->len != b->len         ? a->len > b->len
                                                 : a->source >= b->source;
        FUZZ_CHECK(ordered, "rules '%s' and '%s' are out of precedence order", a->pattern,
                   b->pattern);
    }
}

static void check_lookup(const jk_uri_map *m, const char *path)
{
    const jk_uri_rule *got, *want;
    const char *worker;
    int decided;

    if (path[0] != '/') {
        FUZZ_CHECK(jk_uri_map_match(m, path) == NULL, "'%s' matched without a leading '/'",
                   path);
        return;
    }
    got = jk_uri_map_find(m, path);
    worker = jk_uri_map_match(m, path);
    FUZZ_CHECK(worker == (got ? got->worker : NULL), "find and match disagree on '%s'", path);
    want = ref_find(m, path, &decided);
    if (decided)
        FUZZ_CHECK(got == want, "path '%s': index gives rule '%s' (%s), plain scan gives '%s' (%s)",
                   path, got ? got->pattern : "none", got ? got->worker : "-",
                   want ? want->pattern : "none", want ? want->worker : "-");
}

static void check_glob(const char *pattern, const char *text)
{
    int decided, want = ref_glob(pattern, text, &decided);
    if (!decided)
        return;
    FUZZ_CHECK(jk_uri_wildcard_match(pattern, text) == want,
               "wildcard_match('%s', '%s') != %d", pattern, text, want);
}

static int is_dot(const char *seg, size_t n)
{
    return (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.');
}

/* A path in normal form: '/'-rooted, no empty or dot segment, no ';' or '\'. */
static const char *normal_form_problem(const char *p)
{
    if (p[0] != '/')
        return "does not start with '/'";
    if (strstr(p, "//"))
        return "contains '//'";
    if (strchr(p, ';'))
        return "contains ';'";
    if (strchr(p, '\\'))
        return "contains '\\'";
    for (const char *seg = p + 1; *seg;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (is_dot(seg, n))
            return "has a '.' or '..' segment";
        seg += n;
        if (*seg == '/')
            seg++;
    }
    return NULL;
}

static void check_normalize(apr_pool_t *pool, const char *path, char **normal)
{
    char *out = NULL, *again = NULL;
    jk_normalize_result rv = jk_uri_normalize(pool, path, &out);
    const char *problem;

    *normal = NULL;
    if (path[0] != '/') {
        FUZZ_CHECK(rv == JK_NORMALIZE_BAD, "'%s' normalised without a leading '/'", path);
        return;
    }
    if (rv != JK_NORMALIZE_OK) {
        FUZZ_CHECK(rv == JK_NORMALIZE_BAD, "normalize returned %d", (int)rv);
        return;
    }
    FUZZ_CHECK(out != NULL, "normalize succeeded without a result");
    fuzz_touch_str(out);
    problem = normal_form_problem(out);
    FUZZ_CHECK(problem == NULL, "normalize('%s') = '%s', which %s", path, out, problem);
    FUZZ_CHECK(strlen(out) <= strlen(path) + 1, "normalize('%s') grew to '%s'", path, out);
    FUZZ_CHECK(jk_uri_normalize(pool, out, &again) == JK_NORMALIZE_OK && strcmp(out, again) == 0,
               "not idempotent: '%s' -> '%s' -> '%s'", path, out, again ? again : "(refused)");
    if (normal_form_problem(path) == NULL)
        FUZZ_CHECK(strcmp(out, path) == 0, "normal path '%s' changed to '%s'", path, out);
    *normal = out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void check_encode(apr_pool_t *pool, const char *path)
{
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    const char *enc = jk_uri_encode_path(pool, path);
    const unsigned char *in = (const unsigned char *)path;
    size_t i = 0;

    FUZZ_CHECK(enc != NULL, "encode_path returned NULL");
    fuzz_touch_str(enc);
    /* Walk the input and the output together: decoding must give the input back. */
    for (const char *o = enc; *o;) {
        int c;
        if (*o == '%') {
            int hi = hexval(o[1]), lo = hi < 0 ? -1 : hexval(o[2]);
            FUZZ_CHECK(hi >= 0 && lo >= 0, "encode_path('%s') = '%s': bad escape", path, enc);
            c = hi * 16 + lo;
            FUZZ_CHECK(!(apr_isalnum(c) || (c && strchr(keep, c))),
                       "encode_path escaped '%c', which may stay raw", c);
            o += 3;
        } else {
            c = (unsigned char)*o;
            FUZZ_CHECK(apr_isalnum(c) || strchr(keep, c), "encode_path left byte 0x%02x raw", c);
            o++;
        }
        FUZZ_CHECK(in[i] == c, "encode_path('%s') = '%s' does not decode back", path, enc);
        i++;
    }
    FUZZ_CHECK(in[i] == '\0', "encode_path('%s') = '%s' lost bytes", path, enc);
}

/* "[-][!]X|Y" must add what "[-][!]X" and "[-][!]XY" add, in that order. */
static void check_bar_spec(apr_pool_t *pool, const char *pattern, const char *spec)
{
    size_t pre = 0;
    const char *bar, *err_a, *err_b;
    char *prefix, *x;
    jk_uri_map *a, *b;

    if (pattern[pre] == '-')
        pre++;
    if (pattern[pre] == '!')
        pre++;
    bar = strchr(pattern + pre, '|');
    if (bar == NULL || strchr(bar + 1, '|') != NULL)
        return;
    prefix = apr_pstrndup(pool, pattern, pre);
    x = apr_pstrndup(pool, pattern + pre, (apr_size_t)(bar - pattern - pre));
    a = jk_uri_map_create(pool);
    b = jk_uri_map_create(pool);
    err_a = jk_uri_map_add_spec(a, pool, pattern, spec, JK_RULE_FROM_MOUNTFILE, "a", 1, NULL);
    err_b = jk_uri_map_add_spec(b, pool, apr_pstrcat(pool, prefix, x, NULL), spec,
                                JK_RULE_FROM_MOUNTFILE, "b", 1, NULL);
    if (err_b == NULL)
        err_b = jk_uri_map_add_spec(b, pool, apr_pstrcat(pool, prefix, x, bar + 1, NULL), spec,
                                    JK_RULE_FROM_MOUNTFILE, "b", 1, NULL);
    FUZZ_CHECK((err_a == NULL) == (err_b == NULL), "'%s' and its two halves disagree on errors",
               pattern);
    FUZZ_CHECK(a->rules->nelts == b->rules->nelts, "'%s' added %d rules, its halves %d", pattern,
               a->rules->nelts, b->rules->nelts);
    for (int i = 0; i < a->rules->nelts; i++) {
        const jk_uri_rule *ra = &APR_ARRAY_IDX(a->rules, i, jk_uri_rule);
        const jk_uri_rule *rb = &APR_ARRAY_IDX(b->rules, i, jk_uri_rule);
        FUZZ_CHECK(strcmp(ra->pattern, rb->pattern) == 0 && strcmp(ra->worker, rb->worker) == 0 &&
                       ra->exclude == rb->exclude && ra->disabled == rb->disabled,
                   "'%s' rule %d is '%s' (exclude %d, disabled %d), its halves give '%s' "
                   "(exclude %d, disabled %d)", pattern, i, ra->pattern, ra->exclude,
                   ra->disabled, rb->pattern, rb->exclude, rb->disabled);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const workers[] = { "w0", "w1", "w2" };
    apr_pool_t *pool;
    apr_array_header_t *warnings;
    fuzz_input in;
    char *lines[MAX_LINES], *normal;
    const char *path;
    int nlines = 0, nrules;
    uint8_t flags;
    jk_uri_map *m, *copy;

    if (size < 1)
        return 0;
    pool = fuzz_pool_begin();
    flags = data[0];
    in = (fuzz_input){ data + 1, size - 1 };
    while (nlines < MAX_LINES && (lines[nlines] = fuzz_field(&in, pool, '\n')) != NULL)
        nlines++;
    path = nlines ? lines[nlines - 1] : "";
    nrules = nlines ? nlines - 1 : 0;

    m = jk_uri_map_create(pool);
    warnings = apr_array_make(pool, 2, sizeof(const char *));
    for (int i = 0; i < nrules; i++) {
        char *eq = strchr(lines[i], '=');
        const char *err;
        if (eq) {
            char *pattern = apr_pstrndup(pool, lines[i], (apr_size_t)(eq - lines[i]));
            err = jk_uri_map_add_spec(m, pool, pattern, eq + 1, (jk_rule_source)(1 + i % 3),
                                      "fuzz.map", i + 1, warnings);
            check_bar_spec(pool, pattern, eq + 1);
        } else {
            int exclude = (flags >> (i % 8)) & 1;
            const char *worker = exclude && i % 4 == 0 ? "*" : workers[i % 3];
            err = jk_uri_map_add(m, pool, lines[i], worker, exclude,
                                 (jk_rule_source)(1 + i % 3), "fuzz.map", i + 1);
        }
        if (err)
            fuzz_touch_str(err);
    }
    for (int i = 0; i < warnings->nelts; i++)
        fuzz_touch_str(APR_ARRAY_IDX(warnings, i, const char *));
    jk_uri_map_prepare(m);
    check_sorted(m);

    check_normalize(pool, path, &normal);
    check_encode(pool, path);
    check_lookup(m, path);
    if (normal) {
        check_lookup(m, normal);
        check_encode(pool, normal);
    }
    /* Each rule's own pattern, as a path, reaches exact and bare-prefix matches. */
    for (int i = 0; i < m->rules->nelts && i < 8; i++) {
        const jk_uri_rule *r = &APR_ARRAY_IDX(m->rules, i, jk_uri_rule);
        check_lookup(m, r->pattern);
        check_glob(r->pattern, path);
        if (normal)
            check_glob(r->pattern, normal);
    }
    if (nlines >= 2)
        check_glob(lines[0], path);

    /* JkMountCopy's path: a copy with the rules merged in again. */
    copy = jk_uri_map_copy(pool, m);
    jk_uri_map_merge(copy, m);
    jk_uri_map_prepare(copy);
    if (path[0] == '/')
        (void)jk_uri_map_match(copy, path);

    fuzz_pool_end(pool);
    return 0;
}
