/*
 * How long matching takes with 1,000 JkMount rules: the mapper's cost per request.
 * Build: see bench/uri_map_bench.sh.  Prints nanoseconds per match (a figure, not a test).
 */
#include "jk_uri_map.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <stdio.h>

#define RULES 1000
#define ROUNDS 200000

int main(void)
{
    apr_pool_t *pool, *req;
    jk_uri_map *m;
    const char *paths[] = { "/app500/index.jsp", "/static/logo.png", "/app999/a/b/c.do",
                            "/nothing/here", "/app1/x.jsp" };
    volatile const char *sink = NULL;
    apr_time_t start, took;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    apr_pool_create(&req, NULL);
    m = jk_uri_map_create(pool);
    /* Typical shapes: an app prefix, an extension rule per app, an exclusion per app. */
    for (int i = 0; i < RULES / 3; i++) {
        jk_uri_map_add_spec(m, pool, apr_psprintf(pool, "/app%d/*", i), "w1",
                            JK_RULE_FROM_JKMOUNT, "bench", i, NULL);
        jk_uri_map_add_spec(m, pool, apr_psprintf(pool, "/app%d/*.jsp", i), "w2",
                            JK_RULE_FROM_JKMOUNT, "bench", i, NULL);
        jk_uri_map_add_spec(m, pool, apr_psprintf(pool, "!/app%d/static/*", i), "w1",
                            JK_RULE_FROM_JKMOUNT, "bench", i, NULL);
    }
    jk_uri_map_add_spec(m, pool, "/*.do", "w3", JK_RULE_FROM_JKMOUNT, "bench", 0, NULL);
    jk_uri_map_prepare(m);
    start = apr_time_now();
    for (int r = 0; r < ROUNDS; r++) {
        char *normal;
        const char *path = paths[r % 5];
        jk_uri_normalize(req, path, &normal);
        sink = jk_uri_map_match(m, normal);
        if ((r & 4095) == 0)
            apr_pool_clear(req); /* like a request pool */
    }
    took = apr_time_now() - start;
    (void)sink;
    printf("%d rules: %.0f ns per request (normalise + match), over %d requests\n",
           m->rules->nelts, (double)took * 1000.0 / ROUNDS, ROUNDS);
    return 0;
}
