/*
 * Unit tests for jk_uri_map: JkMount/JkUnMount rules, the URI normaliser
 * and the path encoder.  Most tests are tables, one Check loop iteration per
 * row, so that a failure names its row.
 */
#include "jk_uri_map.h"

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_fixtures.h"

static apr_pool_t *pool;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    pool = NULL;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One rule: "!" in front of the pattern makes an exclusion. */
typedef struct rule_spec {
    const char *pattern;
    const char *worker;
    jk_rule_source source;
} rule_spec;

static jk_uri_map *map_of(const rule_spec *rules, int n)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    for (int i = 0; i < n; i++) {
        const char *pattern = rules[i].pattern;
        int exclude = pattern[0] == '!';
        const char *err = jk_uri_map_add(m, pool, exclude ? pattern + 1 : pattern,
                                         rules[i].worker, exclude,
                                         rules[i].source ? rules[i].source : JK_RULE_FROM_JKMOUNT,
                                         "test.conf", i + 1);
        ck_assert_msg(err == NULL, "rule %s: %s", pattern, err);
    }
    jk_uri_map_prepare(m);
    return m;
}

/* --- matching --- */

static const rule_spec wildcard_rules[] = {
    { "/examples/*", "ex", 0 },
    { "/*.jsp", "jsp", 0 },
    { "/exact", "exact", 0 },
    { "/a?c", "q", 0 },
};

static const rule_spec precedence_rules[] = {
    { "/*", "all", 0 },
    { "/app/*", "app", 0 },
    { "/app/sp*", "sp", 0 },
    { "/app/*.do", "do", 0 },
    { "/app/special/*", "special", 0 },
    { "/app/special/page", "page", 0 },
    { "/x/*", "xdir", 0 },
    { "/x", "xexact", 0 },
    { "/src/*", "from_properties", JK_RULE_FROM_PROPERTIES },
    { "/src/*", "from_mountfile", JK_RULE_FROM_MOUNTFILE },
    { "/src/*", "from_jkmount", JK_RULE_FROM_JKMOUNT },
    { "/src2/*", "from_properties", JK_RULE_FROM_PROPERTIES },
    { "/src2/*", "from_jkmount", JK_RULE_FROM_JKMOUNT },
};

static const rule_spec exclusion_rules[] = {
    { "/app/*", "w1", 0 },
    { "!/app/static/*", "w1", 0 },
    { "!/app/login", "w1", 0 },
    { "/shop/*", "w2", 0 },
    { "!/shop/*.gif", "*", 0 },
    { "/api/*", "w3", 0 },
    { "!/api/internal/*", "other", 0 },
    { "/img/*", "w4", 0 },
    { "!/img/*.png", "w5", 0 },
    { "/mixed/*", "w6", 0 },
    { "/mixed/*.jsp", "w7", 0 },
    { "!/mixed/*.jsp", "w7", 0 },
};

static const rule_spec star_in_uri_rules[] = {
    { "/*", "w", 0 },
    { "!/files/*.secret", "w", 0 },
};

typedef struct match_case {
    const rule_spec *rules;
    int nrules;
    const char *path;
    const char *want;   /* NULL: not mapped */
} match_case;

#define W(path, want) { wildcard_rules, COUNT(wildcard_rules), path, want }
#define P(path, want) { precedence_rules, COUNT(precedence_rules), path, want }
#define X(path, want) { exclusion_rules, COUNT(exclusion_rules), path, want }
#define S(path, want) { star_in_uri_rules, COUNT(star_in_uri_rules), path, want }

static const match_case match_cases[] = {
    /* '*' and '?' */
    W("/examples/servlets/hello", "ex"),
    W("/examples/", "ex"),
    W("/examples", "ex"),             /* slash-star also covers the bare prefix */
    W("/examplesX", NULL),
    W("/examples.txt", NULL),
    W("/index.jsp", "jsp"),
    W("/dir/sub/page.jsp", "jsp"),    /* '*' crosses slashes */
    W("/.jsp", "jsp"),                /* '*' matches nothing too */
    W("/index.jsp.bak", NULL),
    W("/index.jspx", NULL),
    W("/examples/x.jsp", "ex"),       /* more slashes first */
    W("/exact", "exact"),
    W("/exact/", NULL),               /* exact means exact: no prefix semantics */
    W("/exactly", NULL),
    W("/exac", NULL),
    W("/abc", "q"),
    W("/a-c", "q"),
    W("/ac", NULL),                   /* '?' is exactly one character */
    W("/abbc", NULL),
    /* case sensitivity */
    W("/index.JSP", NULL),
    W("/Examples/x", NULL),
    W("/EXACT", NULL),
    W("/", NULL),
    /* precedence */
    P("/app/special/page", "page"),   /* exact before wildcard */
    P("/x", "xexact"),                /* exact wins although "/x/" + star has more slashes */
    P("/x/y", "xdir"),
    P("/app/special/other", "special"),
    P("/app/special", "special"),     /* 3 slashes of "/app/special/" + star beat 2 */
    P("/app/spx", "sp"),              /* longer first among equal slashes */
    P("/app/spx.do", "do"),           /* "/app/" + "*.do" is longer than "/app/sp" + star */
    P("/app/foo", "app"),
    P("/app", "app"),
    P("/other", "all"),
    P("/", "all"),
    P("/src/x", "from_mountfile"),    /* same pattern: the later source wins */
    P("/src2/x", "from_jkmount"),
    /* exclusions */
    X("/app/page", "w1"),
    X("/app/static/logo.png", NULL),  /* exclusion for the same worker */
    X("/app/static", NULL),           /* also covers the bare prefix */
    X("/app/login", NULL),            /* exact exclusion */
    X("/app/login/x", "w1"),
    X("/app/staticx", "w1"),
    X("/shop/cart", "w2"),
    X("/shop/a/b.gif", NULL),         /* exclusion for every worker ("*") */
    X("/api/internal/x", "w3"),       /* exclusion for another worker does not apply */
    X("/img/a.png", "w4"),
    X("/mixed/a.jsp", NULL),          /* the match is w7 and w7 is excluded */
    X("/mixed/a.html", "w6"),
    /* A '*' in the URI is an ordinary character: it must not slip past an exclusion. */
    S("/files/a.secret", NULL),
    S("/files/*a.secret", NULL),
    S("/files/a.txt", "w"),
};

START_TEST(test_match_table)
{
    const match_case *c = &match_cases[_i];
    jk_uri_map *m = map_of(c->rules, c->nrules);
    const char *got = jk_uri_map_match(m, c->path);
    if (c->want == NULL)
        ck_assert_msg(got == NULL, "%s: got %s, expected no worker", c->path, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, c->want) == 0, "%s: got %s, expected %s",
                      c->path, got ? got : "(none)", c->want);
}
END_TEST

/* Precedence must not depend on the order the rules were added in. */
START_TEST(test_match_table_reversed)
{
    const match_case *c = &match_cases[_i];
    rule_spec *reversed = apr_palloc(pool, sizeof(rule_spec) * (apr_size_t)c->nrules);
    jk_uri_map *m;
    const char *got;

    for (int i = 0; i < c->nrules; i++)
        reversed[i] = c->rules[c->nrules - 1 - i];
    m = map_of(reversed, c->nrules);
    got = jk_uri_map_match(m, c->path);
    if (c->want == NULL)
        ck_assert_msg(got == NULL, "%s: got %s, expected no worker", c->path, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, c->want) == 0, "%s: got %s, expected %s",
                      c->path, got ? got : "(none)", c->want);
}
END_TEST

static const struct {
    const char *pattern;
    const char *text;
    int want;
} wildcard_cases[] = {
    { "*", "", 1 },
    { "*", "/anything/at/all", 1 },
    { "", "", 1 },
    { "", "x", 0 },
    { "/a*b", "/axxb", 1 },
    { "/a*b", "/ab", 1 },
    { "/a*b", "/axxbc", 0 },
    { "/a*b*c", "/abxbyc", 1 },
    { "/a**", "/a", 1 },
    { "/a?", "/a", 0 },
    { "/a?c", "/a?c", 1 },
    { "/*/x", "/a/b/x", 1 },
    { "/*.jsp", "/a.jsp/b.jsp", 1 },
    { "/*a*a*a*a*b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
    /* A '*' in the text is an ordinary character: the pattern's '*' still spans it. */
    { "/a*c", "/a*bc", 1 },
    { "/*.jsp", "/*x.jsp", 1 },
    { "/a*", "/a*", 1 },
};

START_TEST(test_wildcard_match)
{
    int got = jk_uri_wildcard_match(wildcard_cases[_i].pattern, wildcard_cases[_i].text);
    ck_assert_msg(got == wildcard_cases[_i].want, "pattern '%s', text '%s': got %d, expected %d",
                  wildcard_cases[_i].pattern, wildcard_cases[_i].text, got,
                  wildcard_cases[_i].want);
}
END_TEST

START_TEST(test_add_rejects_bad_patterns)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    const char *err;

    err = jk_uri_map_add(m, pool, "app/*", "w", 0, JK_RULE_FROM_JKMOUNT, "httpd.conf", 3);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err, "URI pattern 'app/*' must start with '/'");
    err = jk_uri_map_add(m, pool, "*.jsp", "w", 0, JK_RULE_FROM_JKMOUNT, "httpd.conf", 4);
    ck_assert_str_eq(err, "URI pattern '*.jsp' must start with '/'");
    err = jk_uri_map_add(m, pool, "", "w", 0, JK_RULE_FROM_JKMOUNT, "httpd.conf", 5);
    ck_assert_str_eq(err, "URI pattern '' must start with '/'");
    err = jk_uri_map_add(m, pool, "/x", "", 0, JK_RULE_FROM_JKMOUNT, "httpd.conf", 6);
    ck_assert_str_eq(err, "URI pattern '/x' has no worker");
    err = jk_uri_map_add(m, pool, "/x", NULL, 0, JK_RULE_FROM_JKMOUNT, "httpd.conf", 7);
    ck_assert_str_eq(err, "URI pattern '/x' has no worker");
    ck_assert_int_eq(m->rules->nelts, 0);
}
END_TEST

START_TEST(test_add_records_rule)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    const jk_uri_rule *r;
    char pattern[] = "/app/*.do";

    ck_assert_ptr_null(jk_uri_map_add(m, pool, pattern, "w", 1, JK_RULE_FROM_MOUNTFILE,
                                      "uriworkermap.properties", 9));
    pattern[1] = 'X'; /* the map keeps its own copy */
    r = &APR_ARRAY_IDX(m->rules, 0, jk_uri_rule);
    ck_assert_str_eq(r->pattern, "/app/*.do");
    ck_assert_str_eq(r->worker, "w");
    ck_assert_int_eq(r->exclude, 1);
    ck_assert_int_eq(r->exact, 0);
    ck_assert_int_eq(r->slashes, 2);
    ck_assert_uint_eq(r->len, 9);
    ck_assert_int_eq(r->source, JK_RULE_FROM_MOUNTFILE);
    ck_assert_str_eq(r->file, "uriworkermap.properties");
    ck_assert_int_eq(r->line, 9);
}
END_TEST

START_TEST(test_empty_map)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    jk_uri_map_prepare(m);
    ck_assert_ptr_null(jk_uri_map_match(m, "/"));
    ck_assert_ptr_null(jk_uri_map_match(m, "/app"));
}
END_TEST

START_TEST(test_only_exclusions_map_nothing)
{
    static const rule_spec rules[] = { { "!/*", "*", 0 }, { "!/app/*", "w", 0 } };
    jk_uri_map *m = map_of(rules, COUNT(rules));
    ck_assert_ptr_null(jk_uri_map_match(m, "/app/x"));
}
END_TEST

START_TEST(test_merge)
{
    static const rule_spec main_rules[] = { { "/a/*", "w1", 0 } };
    static const rule_spec vhost_rules[] = { { "/b/*", "w2", 0 }, { "!/a/private/*", "w1", 0 } };
    jk_uri_map *main_map = map_of(main_rules, COUNT(main_rules));
    jk_uri_map *vhost = map_of(vhost_rules, COUNT(vhost_rules));

    /* Before: the vhost knows only its own rules. */
    ck_assert_ptr_null(jk_uri_map_match(vhost, "/a/x"));
    jk_uri_map_merge(vhost, main_map);
    jk_uri_map_prepare(vhost);
    ck_assert_int_eq(vhost->rules->nelts, 3);
    ck_assert_str_eq(jk_uri_map_match(vhost, "/a/x"), "w1");
    ck_assert_str_eq(jk_uri_map_match(vhost, "/b/x"), "w2");
    ck_assert_ptr_null(jk_uri_map_match(vhost, "/a/private/x"));
    /* The source map is unchanged. */
    ck_assert_int_eq(main_map->rules->nelts, 1);
    ck_assert_ptr_null(jk_uri_map_match(main_map, "/b/x"));
    ck_assert_str_eq(jk_uri_map_match(main_map, "/a/private/x"), "w1");
}
END_TEST

START_TEST(test_copy_is_independent)
{
    static const rule_spec rules[] = { { "/a/*", "w1", 0 } };
    jk_uri_map *orig = map_of(rules, COUNT(rules));
    jk_uri_map *copy = jk_uri_map_copy(pool, orig);
    ck_assert_ptr_null(jk_uri_map_add(copy, pool, "/b/*", "w2", 0, JK_RULE_FROM_JKMOUNT, "x", 1));
    jk_uri_map_prepare(copy);
    ck_assert_int_eq(orig->rules->nelts, 1);
    ck_assert_int_eq(copy->rules->nelts, 2);
    ck_assert_ptr_null(jk_uri_map_match(orig, "/b/x"));
    ck_assert_str_eq(jk_uri_map_match(copy, "/b/x"), "w2");
    ck_assert_str_eq(jk_uri_map_match(copy, "/a/x"), "w1");
}
END_TEST

/* --- normalisation --- */

static const struct {
    const char *in;
    const char *want;   /* NULL: JK_NORMALIZE_BAD */
} normalize_cases[] = {
    { "/", "/" },
    { "/a/b", "/a/b" },
    { "/a/b/", "/a/b/" },                     /* trailing slash kept */
    { "/a;x=1/b;y=2", "/a/b" },                /* ;params stripped per segment */
    { "/app/index.jsp;jsessionid=ABC.w1", "/app/index.jsp" },
    { "/;jsessionid=x", "/" },
    { "//a///b", "/a/b" },                     /* "//" collapsed */
    { "/a//", "/a/" },
    { "/a/./b", "/a/b" },                      /* "/./" removed */
    { "/./a", "/a" },
    { "/a/.", "/a/" },
    { "/a/../b", "/b" },
    { "/a/b/..", "/a/" },
    { "/a/b/../", "/a/" },
    { "/a/b/../../c", "/c" },
    { "/a/..", "/" },
    { "/a/b//../c", "/a/c" },
    { "/x/..;/y", "/y" },                      /* params stripped before ".." is resolved */
    { "/x/.;a=b/y", "/x/y" },
    { "/...", "/..." },                        /* three dots is a name */
    { "/a/..b", "/a/..b" },
    { "/a/b..", "/a/b.." },
    { "/..", NULL },                           /* above the root */
    { "/../x", NULL },
    { "/a/../..", NULL },
    { "/a/../../b", NULL },
    { "/..;x", NULL },
    { "relative", NULL },                      /* not a path */
    { "", NULL },
    { "a/b", NULL },
    { "/a\\b", "/a/b" },                       /* a backslash is a slash, as for Tomcat */
    { "/app\\..\\WEB-INF\\web.xml", "/WEB-INF/web.xml" },
    { "/a\\..\\..", NULL },
    { "\\a", NULL },
};

START_TEST(test_normalize)
{
    char *out = NULL;
    jk_normalize_result rv = jk_uri_normalize(pool, normalize_cases[_i].in, &out);
    if (normalize_cases[_i].want == NULL) {
        ck_assert_msg(rv == JK_NORMALIZE_BAD, "'%s': got '%s', expected BAD",
                      normalize_cases[_i].in, rv == JK_NORMALIZE_OK ? out : "?");
    } else {
        ck_assert_msg(rv == JK_NORMALIZE_OK, "'%s': rejected", normalize_cases[_i].in);
        ck_assert_msg(strcmp(out, normalize_cases[_i].want) == 0, "'%s': got '%s', expected '%s'",
                      normalize_cases[_i].in, out, normalize_cases[_i].want);
    }
}
END_TEST

START_TEST(test_normalize_null)
{
    char *out = NULL;
    ck_assert_int_eq(jk_uri_normalize(pool, NULL, &out), JK_NORMALIZE_BAD);
}
END_TEST

START_TEST(test_normalize_then_exclusion_holds)
{
    /* No spelling of a URI escapes an exclusion once it is normalised. */
    static const rule_spec rules[] = { { "/app/*", "w", 0 }, { "!/app/WEB-INF/*", "w", 0 } };
    static const char *const spellings[] = {
        "/app/WEB-INF/web.xml", "/app//WEB-INF/web.xml", "/app/./WEB-INF/web.xml",
        "/app/x/../WEB-INF/web.xml", "/app/WEB-INF;x=y/web.xml", "/app/foo/..;/WEB-INF/web.xml"
    };
    jk_uri_map *m = map_of(rules, COUNT(rules));
    for (int i = 0; i < COUNT(spellings); i++) {
        char *norm = NULL;
        ck_assert_int_eq(jk_uri_normalize(pool, spellings[i], &norm), JK_NORMALIZE_OK);
        ck_assert_msg(jk_uri_map_match(m, norm) == NULL, "%s (as %s) was mapped", spellings[i],
                      norm);
    }
}
END_TEST

/* --- encoding --- */

static const struct {
    const char *in;
    const char *want;
} encode_cases[] = {
    { "/a b", "/a%20b" },
    { "/100%", "/100%25" },
    { "/a;b=c/d", "/a;b=c/d" },                /* ';' and '/' kept */
    { "/caf\xC3\xA9", "/caf%C3%A9" },          /* non-ASCII bytes encoded */
    { "/q?x#f", "/q%3Fx%23f" },                /* '?' and '#' encoded */
    { "/a-b._~!$&'()*+,=:@", "/a-b._~!$&'()*+,=:@" },
    { "/\"<>\\^`{|}", "/%22%3C%3E%5C%5E%60%7B%7C%7D" },
    { "/\x01\x7F\xFF", "/%01%7F%FF" },
    { "/tab\there", "/tab%09here" },
    { "", "" },
    { "/AZaz09", "/AZaz09" },
};

START_TEST(test_encode_path)
{
    const char *got = jk_uri_encode_path(pool, encode_cases[_i].in);
    ck_assert_msg(strcmp(got, encode_cases[_i].want) == 0, "'%s': got '%s', expected '%s'",
                  encode_cases[_i].in, got, encode_cases[_i].want);
}
END_TEST

/* --- rules as users write them (jk_uri_map_add_spec) --- */

static const char *spec_match(jk_uri_map *m, const char *path)
{
    const char *w = jk_uri_map_match(m, path);
    return w ? w : "(none)";
}

static void add_spec(jk_uri_map *m, const char *pattern, const char *worker_spec,
                     apr_array_header_t *warnings)
{
    const char *err = jk_uri_map_add_spec(m, pool, pattern, worker_spec, JK_RULE_FROM_JKMOUNT,
                                          "httpd.conf", 10, warnings);
    ck_assert_msg(err == NULL, "%s=%s: %s", pattern, worker_spec, err);
}

START_TEST(test_spec_bar_expands_to_two_rules)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    add_spec(m, "/app|/*", "w", NULL);
    jk_uri_map_prepare(m);
    ck_assert_int_eq(m->rules->nelts, 2);
    ck_assert_str_eq(spec_match(m, "/app"), "w");
    ck_assert_str_eq(spec_match(m, "/app/x/y"), "w");
    ck_assert_str_eq(spec_match(m, "/apple"), "(none)");
}
END_TEST

START_TEST(test_spec_exclusion_and_disabled)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    add_spec(m, "/*", "w", NULL);
    add_spec(m, "!/private/*", "w", NULL);
    add_spec(m, "-/old/*", "old", NULL);
    add_spec(m, "-!/public/*", "w", NULL);      /* a disabled exclusion excludes nothing */
    jk_uri_map_prepare(m);
    ck_assert_int_eq(m->rules->nelts, 4);
    ck_assert_str_eq(spec_match(m, "/private/x"), "(none)");
    ck_assert_str_eq(spec_match(m, "/old/x"), "w");   /* the disabled rule is never used */
    ck_assert_str_eq(spec_match(m, "/public/x"), "w");
}
END_TEST

START_TEST(test_spec_bar_keeps_disabled_prefix)
{
    /* "-X|Y" disables both X and XY, as mod_jk expands the prefix with the pattern. */
    jk_uri_map *m = jk_uri_map_create(pool);
    add_spec(m, "-/old|/*", "w", NULL);
    jk_uri_map_prepare(m);
    ck_assert_str_eq(spec_match(m, "/old/x"), "(none)");
    ck_assert_str_eq(spec_match(m, "/old"), "(none)");
}
END_TEST

START_TEST(test_spec_bar_keeps_exclusion_prefix)
{
    /* "!X|Y" excludes both X and XY; it must never turn X into a mount. */
    jk_uri_map *m = jk_uri_map_create(pool);
    add_spec(m, "/*", "w", NULL);
    add_spec(m, "!/file|.bak", "w", NULL);
    jk_uri_map_prepare(m);
    ck_assert_str_eq(spec_match(m, "/file.bak"), "(none)");
    ck_assert_str_eq(spec_match(m, "/file"), "(none)");
    ck_assert_str_eq(spec_match(m, "/other"), "w");
}
END_TEST

START_TEST(test_spec_extensions)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    apr_array_header_t *warnings = apr_array_make(pool, 2, sizeof(const char *));
    const jk_uri_rule *r;

    add_spec(m, "/app/*", "lb;reply_timeout=5000;sticky_ignore=1;stateless=0;"
             "use_server_errors=500;active=m1,m2;disabled=m3;stopped=m4;fail_on_status=500,503;"
             "session_cookie=SID", warnings);
    add_spec(m, "/plain/*", "w", warnings);
    jk_uri_map_prepare(m);
    ck_assert_int_eq(warnings->nelts, 0);
    r = jk_uri_map_find(m, "/app/x");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->worker, "lb");
    ck_assert_ptr_nonnull(r->ext);
    ck_assert_int_eq(r->ext->reply_timeout, 5000);
    ck_assert_int_eq(r->ext->sticky_ignore, 1);
    ck_assert_int_eq(r->ext->stateless, 0);
    ck_assert_int_eq(r->ext->use_server_errors, 500);
    ck_assert_str_eq(r->ext->active, "m1,m2");
    ck_assert_str_eq(r->ext->disabled, "m3");
    ck_assert_str_eq(r->ext->stopped, "m4");
    ck_assert_str_eq(r->ext->fail_on_status, "500,503");
    ck_assert_str_eq(r->ext->session_cookie, "SID");
    ck_assert_ptr_null(r->ext->session_path);
    ck_assert_str_eq(r->file, "httpd.conf");
    ck_assert_int_eq(r->line, 10);
    r = jk_uri_map_find(m, "/plain/x");
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_null(r->ext);
    ck_assert_ptr_null(jk_uri_map_find(m, "/nothing"));
}
END_TEST

START_TEST(test_spec_unknown_extension_is_an_error)
{
    /* mod_jk drops it with a warning; the rule would then act unlike what was written. */
    jk_uri_map *m = jk_uri_map_create(pool);
    const char *err = jk_uri_map_add_spec(m, pool, "/app/*", "w;bogus=1;reply_timeout=10",
                                          JK_RULE_FROM_JKMOUNT, "httpd.conf", 10, NULL);
    ck_assert_str_eq(err, "unknown rule extension 'bogus' (known: reply_timeout, sticky_ignore, "
                          "stateless, use_server_errors, active, disabled, stopped, "
                          "fail_on_status, session_cookie, session_path, set_session_cookie, "
                          "session_cookie_path)");
    ck_assert_int_eq(m->rules->nelts, 0);
    err = jk_uri_map_add_spec(m, pool, "/app/*", "w;stateless", JK_RULE_FROM_JKMOUNT,
                              "httpd.conf", 11, NULL);
    ck_assert_str_eq(err, "rule extension 'stateless' needs '=value'");
}
END_TEST

START_TEST(test_spec_empty_worker)
{
    /* A mount file line with nothing after "=": an error, never a read past the spec. */
    jk_uri_map *m = jk_uri_map_create(pool);
    apr_array_header_t *warnings = apr_array_make(pool, 2, sizeof(const char *));
    ck_assert_str_eq(jk_uri_map_add_spec(m, pool, "/z/*", "", JK_RULE_FROM_MOUNTFILE, "f", 1,
                                         warnings), "URI pattern '/z/*' has no worker");
    ck_assert_str_eq(jk_uri_map_add_spec(m, pool, "/z/*", ";;", JK_RULE_FROM_MOUNTFILE, "f", 2,
                                         warnings), "URI pattern '/z/*' has no worker");
    ck_assert_int_eq(warnings->nelts, 0);
    ck_assert_int_eq(m->rules->nelts, 0);
}
END_TEST

START_TEST(test_spec_bad_pattern)
{
    jk_uri_map *m = jk_uri_map_create(pool);
    ck_assert_str_eq(jk_uri_map_add_spec(m, pool, "app/*", "w", JK_RULE_FROM_JKMOUNT, "f", 1, NULL),
                     "URI pattern 'app/*' must start with '/'");
    ck_assert_str_eq(jk_uri_map_add_spec(m, pool, "!*.gif", "w", JK_RULE_FROM_JKMOUNT, "f", 1, NULL),
                     "URI pattern '*.gif' must start with '/'");
    ck_assert_int_eq(m->rules->nelts, 0);
}
END_TEST

/* --- mount files (jk_uri_map_load_file) --- */

static char *dir;           /* this test's own, below the run's (unit_fixtures.h) */

static void setup_files(void)
{
    setup();
    dir = unit_make_dir(pool);
}

static const char *write_file(const char *name, const char *text)
{
    return unit_write_file(pool, dir, name, text);
}

static const char *joined(const apr_array_header_t *a)
{
    return unit_joined(pool, a);
}

START_TEST(test_load_file)
{
    const char *path = write_file("uriworkermap.properties",
        "# mounts\n"                                    /* 1 */
        "/app/*=w1\n"                                   /* 2 */
        "!/app/static/*=w1\n"                           /* 3 */
        "\n"                                            /* 4 */
        "/shop|/*=w2;reply_timeout=1000\n"              /* 5 */
        "-/old/*=w3\n"                                  /* 6 */
        "  /y/* = w6   # spaces and a comment\n");      /* 7 */
    jk_uri_map *m = jk_uri_map_create(pool);
    apr_array_header_t *errors = apr_array_make(pool, 2, sizeof(const char *));
    apr_array_header_t *warnings = apr_array_make(pool, 2, sizeof(const char *));
    const jk_uri_rule *r;

    ck_assert_int_eq(jk_uri_map_load_file(m, pool, path, errors, warnings), 0);
    jk_uri_map_prepare(m);
    ck_assert_str_eq(joined(errors), "");
    ck_assert_str_eq(joined(warnings), "");
    ck_assert_str_eq(spec_match(m, "/app/x"), "w1");
    ck_assert_str_eq(spec_match(m, "/app/static/a.png"), "(none)");
    ck_assert_str_eq(spec_match(m, "/shop"), "w2");
    ck_assert_str_eq(spec_match(m, "/shop/cart"), "w2");
    ck_assert_str_eq(spec_match(m, "/old/x"), "(none)");
    ck_assert_str_eq(spec_match(m, "/y/z"), "w6");
    r = jk_uri_map_find(m, "/shop/cart");
    ck_assert_int_eq(r->ext->reply_timeout, 1000);
    ck_assert_int_eq(r->source, JK_RULE_FROM_MOUNTFILE);
    ck_assert_str_eq(r->file, path);
    ck_assert_int_eq(r->line, 5);
}
END_TEST

START_TEST(test_load_file_problems)
{
    const char *path = write_file("uriworkermap.properties",
        "/app/*=w1\n"                                   /* 1 */
        "garbage\n"                                     /* 2 */
        "relative/*=w4\n"                               /* 3 */
        "/x/*=w5;bogus=1\n"                             /* 4 */
        "/z/*=\n");                                     /* 5 */
    jk_uri_map *m = jk_uri_map_create(pool);
    apr_array_header_t *errors = apr_array_make(pool, 2, sizeof(const char *));
    apr_array_header_t *warnings = apr_array_make(pool, 2, sizeof(const char *));

    ck_assert_int_eq(jk_uri_map_load_file(m, pool, path, errors, warnings), -1);
    jk_uri_map_prepare(m);
    ck_assert_str_eq(joined(errors), apr_psprintf(pool,
        "%s:2: expected pattern=worker, found 'garbage'\n"
        "%s:3: URI pattern 'relative/*' must start with '/'\n"
        "%s:4: unknown rule extension 'bogus' (known: reply_timeout, sticky_ignore, stateless, "
        "use_server_errors, active, disabled, stopped, fail_on_status, session_cookie, "
        "session_path, set_session_cookie, session_cookie_path)\n"
        "%s:5: URI pattern '/z/*' has no worker\n", path, path, path, path));
    ck_assert_str_eq(joined(warnings), "");
    /* The good lines are read all the same (the caller refuses a map with errors). */
    ck_assert_str_eq(spec_match(m, "/app/x"), "w1");
    ck_assert_str_eq(spec_match(m, "/x/1"), "(none)");
}
END_TEST

START_TEST(test_load_missing_file)
{
    const char *path = apr_pstrcat(pool, dir, "/missing.properties", NULL);
    jk_uri_map *m = jk_uri_map_create(pool);
    apr_array_header_t *errors = apr_array_make(pool, 2, sizeof(const char *));
    apr_array_header_t *warnings = apr_array_make(pool, 2, sizeof(const char *));
    ck_assert_int_eq(jk_uri_map_load_file(m, pool, path, errors, warnings), -1);
    ck_assert_str_eq(joined(errors),
                     apr_psprintf(pool, "%s: cannot open: No such file or directory\n", path));
    ck_assert_int_eq(m->rules->nelts, 0);
}
END_TEST

static void teardown_files(void)
{
    unit_remove_tree(pool, dir);
    teardown();
}

static Suite *uri_map_suite(void)
{
    Suite *s = suite_create("jk_uri_map");
    TCase *tc;

    tc = tcase_create("match");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_match_table, 0, COUNT(match_cases));
    tcase_add_loop_test(tc, test_match_table_reversed, 0, COUNT(match_cases));
    tcase_add_loop_test(tc, test_wildcard_match, 0, COUNT(wildcard_cases));
    tcase_add_test(tc, test_add_rejects_bad_patterns);
    tcase_add_test(tc, test_add_records_rule);
    tcase_add_test(tc, test_empty_map);
    tcase_add_test(tc, test_only_exclusions_map_nothing);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_copy_is_independent);
    suite_add_tcase(s, tc);

    tc = tcase_create("spec");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_spec_bar_expands_to_two_rules);
    tcase_add_test(tc, test_spec_exclusion_and_disabled);
    tcase_add_test(tc, test_spec_bar_keeps_disabled_prefix);
    tcase_add_test(tc, test_spec_bar_keeps_exclusion_prefix);
    tcase_add_test(tc, test_spec_extensions);
    tcase_add_test(tc, test_spec_unknown_extension_is_an_error);
    tcase_add_test(tc, test_spec_empty_worker);
    tcase_add_test(tc, test_spec_bad_pattern);
    suite_add_tcase(s, tc);

    tc = tcase_create("mount file");
    tcase_add_checked_fixture(tc, setup_files, teardown_files);
    tcase_add_test(tc, test_load_file);
    tcase_add_test(tc, test_load_file_problems);
    tcase_add_test(tc, test_load_missing_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("normalize");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_normalize, 0, COUNT(normalize_cases));
    tcase_add_test(tc, test_normalize_null);
    tcase_add_test(tc, test_normalize_then_exclusion_holds);
    suite_add_tcase(s, tc);

    tc = tcase_create("encode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_encode_path, 0, COUNT(encode_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(uri_map_suite, "jk_uri_map");
}
