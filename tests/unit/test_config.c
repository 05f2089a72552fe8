/*
 * Unit tests for jk_config, the workers.properties validator.
 *
 * Every fixture is a real file in a temporary directory of the test's own,
 * read with jk_props_load_file() and then given to jk_config_build(), so the
 * exact "file:line: message" texts can be asserted.
 */
#include "jk_config.h"

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

/* The users' configurations ship in conf/examples/; the Makefile passes its absolute path. */
#ifndef JK_EXAMPLES_DIR
#error "JK_EXAMPLES_DIR must name the conf/examples directory"
#endif

static apr_pool_t *pool;
static char *dir;           /* this test's own, below the run's (unit_fixtures.h) */
static const char *wpath; /* the workers file of the current test */

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    dir = unit_make_dir(pool);
    wpath = NULL;
}

static void teardown(void)
{
    unit_remove_tree(pool, dir);
    apr_pool_destroy(pool);
    pool = NULL;
}

/* Write `text` as workers.properties, read it and build the config. */
static jk_config *build(const char *text)
{
    jk_props *p = jk_props_create(pool);
    wpath = unit_write_file(pool, dir, "workers.properties", text);
    jk_props_load_file(p, wpath);
    return jk_config_build(pool, p);
}

static const char *joined(const apr_array_header_t *a)
{
    return unit_joined(pool, a);
}

/* "<workers file>:<line>: <msg>\n" */
static const char *at(int line, const char *msg)
{
    return apr_psprintf(pool, "%s:%d: %s\n", wpath, line, msg);
}

static const jk_worker_config *worker(const jk_config *c, const char *name)
{
    const jk_worker_config *w = jk_config_find(c, name);
    ck_assert_msg(w != NULL, "worker %s was not built; errors:\n%s", name, joined(c->errors));
    return w;
}

static int contains(const apr_array_header_t *a, const char *s)
{
    for (int i = 0; i < a->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), s) == 0)
            return 1;
    return 0;
}

static void assert_ajp_defaults_except_mountable(const jk_worker_config *w);

static void assert_ajp_defaults(const jk_worker_config *w)
{
    assert_ajp_defaults_except_mountable(w);
    ck_assert_int_eq(w->mountable, 1);
}

static void assert_ajp_defaults_except_mountable(const jk_worker_config *w)
{
    ck_assert_int_eq(w->type, JK_TYPE_AJP13);
    ck_assert_str_eq(w->host, "localhost");
    ck_assert_int_eq(w->port, 8009);
    ck_assert_int_eq(w->socket_timeout, 0);
    ck_assert_int_eq(w->socket_connect_timeout, 0);   /* socket_timeout x 1000 */
    ck_assert_int_eq(w->socket_keepalive, 0);
    ck_assert_int_eq(w->connection_pool_size, 0);
    ck_assert_int_eq(w->connection_pool_minsize, -1);
    ck_assert_int_eq(w->connection_pool_timeout, 0);
    ck_assert_int_eq(w->connection_acquire_timeout, 200); /* retries x retry_interval */
    ck_assert_int_eq(w->retries, 2);
    ck_assert_int_eq(w->retry_interval, 100);
    ck_assert_int_eq(w->max_packet_size, 8192);
    ck_assert_int_eq(w->reply_timeout, 0);
    ck_assert_ptr_null(w->secret);
    ck_assert_ptr_null(w->source);
    ck_assert_int_eq(w->prefer_ipv6, 0);
    ck_assert_int_eq(w->socket_buffer, 0);
    ck_assert_uint_eq(w->ping_mode, 0);
    ck_assert_int_eq(w->ping_timeout, 10000);
    ck_assert_int_eq(w->connection_ping_interval, 0);
    ck_assert_int_eq(w->connect_timeout, 0);
    ck_assert_int_eq(w->prepost_timeout, 0);
    ck_assert_int_eq(w->recovery_options, 0);
    ck_assert_ptr_null(w->fail_on_status);
    ck_assert_int_eq(w->busy_limit, 0);
    ck_assert_int_eq(w->lbfactor, 1);
    ck_assert_str_eq(w->route, w->name);
    ck_assert_str_eq(w->domain, "");
    ck_assert_str_eq(w->redirect, "");
    ck_assert_int_eq(w->distance, 0);
    ck_assert_int_eq(w->activation, JK_ACTIVATION_ACTIVE);
    ck_assert_ptr_nonnull(w->ignored_keys);
    ck_assert_int_eq(w->ignored_keys->nelts, 0);
}

/* --- defaults and values --- */

START_TEST(test_defaults_of_bare_worker)
{
    jk_config *c = build("worker.list=w\nworker.w.type=ajp13\n");
    const jk_worker_config *w;

    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_int_eq(c->workers->nelts, 1);
    w = worker(c, "w");
    ck_assert_str_eq(w->name, "w");
    ck_assert_str_eq(w->route, "w");
    ck_assert_str_eq(w->file, wpath);
    ck_assert_int_eq(w->line, 1);
    assert_ajp_defaults(w);
    ck_assert_int_eq(c->maintain, 60);
    ck_assert_int_eq(c->list->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(c->list, 0, const char *), "w");
}
END_TEST

START_TEST(test_default_worker_function)
{
    jk_worker_config *w = jk_config_default_worker(pool, "ajp13");
    ck_assert_str_eq(w->name, "ajp13");
    assert_ajp_defaults(w);
}
END_TEST

START_TEST(test_derived_defaults)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.socket_timeout=5\n"
                         "worker.w.retries=3\n"
                         "worker.w.retry_interval=50\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(w->socket_timeout, 5);
    ck_assert_int_eq(w->socket_connect_timeout, 5000);
    ck_assert_int_eq(w->connection_acquire_timeout, 150);
}
END_TEST

START_TEST(test_derived_values_set_explicitly)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.socket_timeout=5\n"
                         "worker.w.socket_connect_timeout=1234\n"
                         "worker.w.connection_acquire_timeout=77\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_int_eq(w->socket_connect_timeout, 1234);
    ck_assert_int_eq(w->connection_acquire_timeout, 77);
}
END_TEST

START_TEST(test_every_used_key_is_read)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.type=ajp13\n"
                         "worker.w.host=tomcat.example\n"
                         "worker.w.port=8010\n"
                         "worker.w.socket_keepalive=true\n"
                         "worker.w.connection_pool_size=10\n"
                         "worker.w.connection_pool_minsize=3\n"
                         "worker.w.connection_pool_timeout=600\n"
                         "worker.w.reply_timeout=30000\n"
                         "worker.w.secret=xyz\n"
                         "worker.w.lbfactor=5\n"
                         "worker.w.route=r5\n"
                         "worker.w.max_packet_size=16384\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_str_eq(w->host, "tomcat.example");
    ck_assert_int_eq(w->port, 8010);
    ck_assert_int_eq(w->socket_keepalive, 1);
    ck_assert_int_eq(w->connection_pool_size, 10);
    ck_assert_int_eq(w->connection_pool_minsize, 3);
    ck_assert_int_eq(w->connection_pool_timeout, 600);
    ck_assert_int_eq(w->reply_timeout, 30000);
    ck_assert_str_eq(w->secret, "xyz");
    ck_assert_int_eq(w->lbfactor, 5);
    ck_assert_str_eq(w->route, "r5");
    ck_assert_int_eq(w->max_packet_size, 16384);
    ck_assert_int_eq(w->ignored_keys->nelts, 0);
}
END_TEST

START_TEST(test_round_packet_size)
{
    static const int table[][2] = {
        { 1, 8192 }, { 1024, 8192 }, { 8191, 8192 }, { 8192, 8192 }, { 8193, 9216 },
        { 9000, 9216 }, { 9216, 9216 }, { 20000, 20480 }, { 65535, 65536 }, { 65536, 65536 },
        { 70000, 65536 }
    };
    for (apr_size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        ck_assert_msg(jk_config_round_packet_size(table[i][0]) == table[i][1],
                      "%d: got %d, expected %d", table[i][0],
                      jk_config_round_packet_size(table[i][0]), table[i][1]);
}
END_TEST

START_TEST(test_packet_size_in_config)
{
    jk_config *c = build("worker.list=a,b,c,d\n"
                         "worker.a.max_packet_size=1\n"
                         "worker.b.max_packet_size=8193\n"
                         "worker.c.max_packet_size=65536\n"
                         "worker.d.max_packet_size=9000\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(worker(c, "a")->max_packet_size, 8192);
    ck_assert_int_eq(worker(c, "b")->max_packet_size, 9216);
    ck_assert_int_eq(worker(c, "c")->max_packet_size, 65536);
    ck_assert_int_eq(worker(c, "d")->max_packet_size, 9216);
}
END_TEST

/* host forms: value of worker.w.host, the host and port that result */
static const struct {
    const char *value;
    const char *host;
    int port;
} host_forms[] = {
    { "backend", "backend", 8009 },
    { "backend:8010", "backend", 8010 },
    { "127.0.0.2:8011", "127.0.0.2", 8011 },
    { "[::1]:8012", "::1", 8012 },
    { "[::1]", "::1", 8009 },
    { "[2001:db8::5]:65535", "2001:db8::5", 65535 },
    { "::1", "::1", 8009 },
    { "fe80::1", "fe80::1", 8009 },
    { "2001:db8::1:8010", "2001:db8::1:8010", 8009 },
};

START_TEST(test_host_forms)
{
    jk_config *c = build(apr_psprintf(pool, "worker.list=w\nworker.w.host=%s\n",
                                      host_forms[_i].value));
    const jk_worker_config *w;
    ck_assert_str_eq(joined(c->errors), "");
    w = worker(c, "w");
    ck_assert_str_eq(w->host, host_forms[_i].host);
    ck_assert_int_eq(w->port, host_forms[_i].port);
}
END_TEST

START_TEST(test_deprecated_spellings)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.cachesize=5\n"
                         "worker.w.cache_timeout=30\n"
                         "worker.w.jvm_route=r1\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), apr_pstrcat(pool,
        at(2, "worker.w.cachesize is an old spelling; use connection_pool_size"),
        at(3, "worker.w.cache_timeout is an old spelling; use connection_pool_timeout"),
        at(4, "worker.w.jvm_route is an old spelling; use route"), NULL));
    ck_assert_int_eq(w->connection_pool_size, 5);
    ck_assert_int_eq(w->connection_pool_timeout, 30);
    ck_assert_str_eq(w->route, "r1");
}
END_TEST

START_TEST(test_new_spelling_beats_old)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.cachesize=5\n"
                         "worker.w.connection_pool_size=8\n"
                         "worker.w.jvm_route=old\n"
                         "worker.w.route=new\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_int_eq(w->connection_pool_size, 8);
    ck_assert_str_eq(w->route, "new");
}
END_TEST

START_TEST(test_deprecated_activation_booleans)
{
    jk_config *c = build("worker.list=a,b,c\n"
                         "worker.a.disabled=true\n"
                         "worker.b.stopped=1\n"
                         "worker.c.disabled=true\n"
                         "worker.c.activation=S\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), apr_pstrcat(pool,
        at(2, "worker.a.disabled is an old spelling; use activation"),
        at(3, "worker.b.stopped is an old spelling; use activation"),
        at(4, "worker.c.disabled is an old spelling; use activation"), NULL));
    ck_assert_int_eq(worker(c, "a")->activation, JK_ACTIVATION_DISABLED);
    ck_assert_int_eq(worker(c, "b")->activation, JK_ACTIVATION_STOPPED);
    ck_assert_int_eq(worker(c, "c")->activation, JK_ACTIVATION_STOPPED); /* the new key wins */
    ck_assert_int_eq(worker(c, "a")->ignored_keys->nelts, 0);
}
END_TEST

static const char reference_file[] =
    "worker.list=w1,w2\n"                       /* 1 */
    "worker.template.type=ajp13\n"              /* 2 */
    "worker.template.host=tomcat.example\n"     /* 3 */
    "worker.template.port=8010\n"               /* 4 */
    "worker.template.socket_timeout=10\n"       /* 5 */
    "worker.template.recycle_timeout=100\n"     /* 6 */
    "worker.w1.reference=worker.template\n"     /* 7 */
    "worker.w1.port=8011\n"                     /* 8 */
    "worker.w2.reference=worker.mid\n"          /* 9 */
    "worker.mid.reference=worker.template\n"    /* 10 */
    "worker.mid.retries=5\n";                   /* 11 */

START_TEST(test_reference_inheritance)
{
    jk_config *c = build(reference_file);
    const jk_worker_config *w1, *w2;

    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(c->workers->nelts, 2);
    w1 = worker(c, "w1");
    ck_assert_str_eq(w1->host, "tomcat.example");
    ck_assert_int_eq(w1->port, 8011);                   /* its own key wins */
    ck_assert_int_eq(w1->socket_timeout, 10);
    ck_assert_int_eq(w1->socket_connect_timeout, 10000);
    ck_assert_int_eq(w1->retries, 2);
    ck_assert_str_eq(w1->route, "w1");                  /* a name is not inherited */
    ck_assert_int_eq(w1->ignored_keys->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(w1->ignored_keys, 0, const char *), "recycle_timeout");

    w2 = worker(c, "w2");                               /* two levels deep */
    ck_assert_str_eq(w2->host, "tomcat.example");
    ck_assert_int_eq(w2->port, 8010);
    ck_assert_int_eq(w2->retries, 5);
    ck_assert_int_eq(w2->connection_acquire_timeout, 500);
    ck_assert_ptr_null(jk_config_find(c, "template"));
    ck_assert_ptr_null(jk_config_find(c, "mid"));
}
END_TEST

START_TEST(test_referenced_template_is_not_unused)
{
    /* A template that a listed worker references is used: no "not used" warning. */
    jk_config *c = build(reference_file);
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
}
END_TEST

START_TEST(test_no_worker_list)
{
    jk_config *c = build("# no worker.list: the default worker\nworker.maintain=60\n");
    const jk_worker_config *w;
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_int_eq(c->workers->nelts, 1);
    ck_assert_int_eq(c->list->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(c->list, 0, const char *), JK_DEFAULT_WORKER);
    w = worker(c, "ajp13");
    assert_ajp_defaults(w);
}
END_TEST

START_TEST(test_no_worker_list_keys_of_default_worker)
{
    jk_config *c = build("worker.ajp13.port=8010\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_int_eq(worker(c, "ajp13")->port, 8010);
}
END_TEST

START_TEST(test_listed_worker_without_keys)
{
    /* mod_jk would make b an ajp13 worker at localhost:8009: a typo would route there. */
    jk_config *c = build("worker.list=a,b\nworker.a.port=8010\n");
    ck_assert_str_eq(joined(c->errors), at(1, "worker.list: worker 'b' is defined nowhere (no "
                                              "worker.b.* key); did you mean a?"));
    ck_assert_ptr_null(jk_config_find(c, "b"));
}
END_TEST

START_TEST(test_listed_worker_hint_names_the_defined_ones)
{
    jk_config *c = build("worker.list=lb,ghost\nworker.lb.type=lb\n"
                         "worker.lb.balance_workers=worker1,worker2\n"
                         "worker.worker1.port=8010\nworker.worker2.port=8011\n");
    ck_assert_str_eq(joined(c->errors), at(1, "worker.list: worker 'ghost' is defined nowhere (no "
                                              "worker.ghost.* key); defined workers: lb, worker1, "
                                              "worker2"));
}
END_TEST

START_TEST(test_list_items_are_reported_at_their_own_lines)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1\n"
                         "worker.m1.port=8010\n"
                         "worker.list=ghost\n"
                         "worker.lb.balance_workers=m1,m9\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(5, "worker.list: worker 'ghost' is defined nowhere (no worker.ghost.* key); "
              "defined workers: lb, m1"),
        at(6, "worker.lb.balance_workers: member m1 is listed twice"),
        at(6, "worker.lb.balance_workers: member 'm9' is defined nowhere (no worker.m9.* key); "
              "did you mean m1?"), NULL));
}
END_TEST

START_TEST(test_worker_key_with_empty_or_bad_name)
{
    jk_config *c = build("worker.list=a\nworker.a.port=8010\nworker..port=8009\n"
                         "worker.a b.port=1\n");
    ck_assert_str_eq(joined(c->errors),
                     apr_pstrcat(pool, at(3, "worker..port: the worker name is empty (nothing "
                                             "between 'worker.' and '.port')"),
                                 at(4, "worker.a b.port: 'a b' is not a valid worker name "
                                       "(letters, digits, '_' and '-', at most 60)"), NULL));
    ck_assert_str_eq(joined(c->warnings), "");
}
END_TEST

START_TEST(test_misspelt_worker_prefix_is_an_error)
{
    /* A worker-like variable that $(name) uses is fine; an unused one is a lost setting. */
    jk_config *c = build("worker_port=8010\nworkers.list=a\nworker.a.port=$(worker_port)\n");
    ck_assert_str_eq(joined(c->errors), at(2, "'workers.list' is not a worker key (those start "
                                              "with 'worker.'), and no $(workers.list) uses it: "
                                              "did you mean worker.list?"));
}
END_TEST

START_TEST(test_defined_but_unused_worker)
{
    jk_config *c = build("worker.list=a\n"
                         "worker.a.port=8010\n"
                         "worker.old.port=8011\n"
                         "worker.old.host=x\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings),
                     at(3, "worker old is defined but not in worker.list; it is not used"));
    ck_assert_ptr_null(jk_config_find(c, "old"));
}
END_TEST

START_TEST(test_list_order_and_duplicates)
{
    jk_config *c = build("worker.list=b,a\nworker.list=b\nworker.a.port=1\nworker.b.port=2\n");
    /* The repeat is refused at the line that repeats it. */
    ck_assert_str_eq(joined(c->errors), at(2, "worker.list: worker b is listed twice"));
    ck_assert_int_eq(c->workers->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(c->workers, 0, jk_worker_config *)->name, "b");
    ck_assert_str_eq(APR_ARRAY_IDX(c->workers, 1, jk_worker_config *)->name, "a");
    ck_assert_ptr_null(jk_config_find(c, "c"));
}
END_TEST

START_TEST(test_ignored_keys_listed)
{
    /* mod_jk.c reports these at start-up as having no effect. */
    jk_config *c = build("worker.list=w\n"
                         "worker.w.recycle_timeout=100\n"
                         "worker.w.local_worker=1\n"
                         "worker.w.mount=/app/*\n"
                         "worker.w.ping_mode=A\n"
                         "worker.w.port=8010\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(w->ignored_keys->nelts, 3);
    ck_assert(contains(w->ignored_keys, "recycle_timeout"));
    ck_assert(contains(w->ignored_keys, "local_worker"));
    ck_assert(contains(w->ignored_keys, "mount"));
    ck_assert(!contains(w->ignored_keys, "ping_mode"));
    ck_assert(!contains(w->ignored_keys, "port"));
}
END_TEST

START_TEST(test_maintain)
{
    jk_config *c = build("worker.list=w\nworker.w.port=8010\nworker.maintain=30\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(c->maintain, 30);
}
END_TEST

START_TEST(test_variables_outside_worker_are_allowed)
{
    jk_config *c = build("tomcat_home=/opt/tomcat\nworker.list=w\nworker.w.host=h\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
}
END_TEST

START_TEST(test_obsolete_jni_key_is_a_warning)
{
    jk_config *c = build("worker.list=w\nworker.w.mx=128\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings),
                     at(2, "worker.w.mx belongs to an obsolete worker type and is ignored"));
}
END_TEST

/* --- the key table and the value parsers --- */

START_TEST(test_key_table)
{
    const jk_key_def *k;
    int n = 0;
    for (k = jk_config_keys(); k->name; k++) {
        n++;
        ck_assert_ptr_eq(jk_config_key(k->name), k);
        ck_assert_msg(k->applies != 0, "%s applies to nothing", k->name);
        if (k->replaced_by)
            ck_assert_msg(jk_config_key(k->replaced_by) != NULL, "%s: %s is not a key",
                          k->name, k->replaced_by);
    }
    ck_assert_int_gt(n, 40);
    ck_assert_ptr_null(jk_config_key("no_such_key"));
    k = jk_config_key("cachesize");
    ck_assert(k->flags & JK_KEY_DEPRECATED);
    ck_assert_str_eq(k->replaced_by, "connection_pool_size");
    ck_assert(jk_config_key("recycle_timeout")->flags & JK_KEY_IGNORED);
    ck_assert(jk_config_key("set_session_cookie")->flags & JK_KEY_IGNORED);
    ck_assert(jk_config_key("ping_mode")->flags & JK_KEY_USED);
    ck_assert(jk_config_key("balance_workers")->flags & JK_KEY_USED);
    ck_assert(jk_config_key("port")->flags & JK_KEY_USED);
}
END_TEST

START_TEST(test_key_table_defaults_match_code)
{
    /* Defaults live in one table: its texts must say what the code does. */
    jk_worker_config *w = jk_config_default_worker(pool, "x");
    ck_assert_str_eq(jk_config_key("type")->default_text, "ajp13");
    ck_assert_str_eq(jk_config_key("host")->default_text, w->host);
    ck_assert_int_eq(atoi(jk_config_key("port")->default_text), w->port);
    ck_assert_int_eq(atoi(jk_config_key("socket_timeout")->default_text), w->socket_timeout);
    ck_assert_int_eq(atoi(jk_config_key("retries")->default_text), w->retries);
    ck_assert_int_eq(atoi(jk_config_key("retry_interval")->default_text), w->retry_interval);
    ck_assert_int_eq(atoi(jk_config_key("max_packet_size")->default_text), w->max_packet_size);
    ck_assert_int_eq(atoi(jk_config_key("reply_timeout")->default_text), w->reply_timeout);
    ck_assert_int_eq(atoi(jk_config_key("lbfactor")->default_text), w->lbfactor);
    ck_assert_int_eq(atoi(jk_config_key("connection_pool_timeout")->default_text),
                     w->connection_pool_timeout);
    ck_assert_str_eq(jk_config_key("socket_keepalive")->default_text, "false");
    ck_assert_int_eq(w->socket_keepalive, 0);
}
END_TEST

START_TEST(test_suggest)
{
    ck_assert_str_eq(jk_config_suggest("sockettimeout"), "socket_timeout");
    ck_assert_str_eq(jk_config_suggest("SOCKET_TIMEOUT"), "socket_timeout");
    ck_assert_str_eq(jk_config_suggest("socket_time_out"), "socket_timeout");
    ck_assert_str_eq(jk_config_suggest("prot"), "port");
    ck_assert_str_eq(jk_config_suggest("hots"), "host");
    ck_assert_str_eq(jk_config_suggest("retrys"), "retries");
    ck_assert_str_eq(jk_config_suggest("conection_pool_size"), "connection_pool_size");
    ck_assert_str_eq(jk_config_suggest("lbfactr"), "lbfactor");
    ck_assert_str_eq(jk_config_suggest("balance_worker"), "balance_workers");
    ck_assert_ptr_null(jk_config_suggest("zzzzzzzz"));
    ck_assert_ptr_null(jk_config_suggest("completely_unrelated_thing"));
}
END_TEST

START_TEST(test_parse_bool)
{
    static const struct { const char *text; int value; } good[] = {
        { "1", 1 }, { "0", 0 }, { "on", 1 }, { "off", 0 }, { "On", 1 }, { "OFF", 0 },
        { "true", 1 }, { "false", 0 }, { "True", 1 }, { "FALSE", 0 }, { "yes", 1 },
        { "no", 0 }, { "Y", 1 }, { "n", 0 }, { "t", 1 }, { "f", 0 }
    };
    static const char *const bad[] = { "garbage", "", "2", "-1", "maybe", "o", "10", "enabled" };
    for (apr_size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int v = -7;
        ck_assert_msg(jk_config_parse_bool(good[i].text, &v) == 0, "'%s' rejected", good[i].text);
        ck_assert_msg(v == good[i].value, "'%s': got %d", good[i].text, v);
    }
    for (apr_size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int v = -7;
        ck_assert_msg(jk_config_parse_bool(bad[i], &v) != 0, "'%s' accepted", bad[i]);
        ck_assert_int_eq(v, -7);
    }
}
END_TEST

START_TEST(test_parse_int)
{
    int v = -7;
    ck_assert_int_eq(jk_config_parse_int("0", 0, 10, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(jk_config_parse_int("10", 0, 10, &v), 0);
    ck_assert_int_eq(v, 10);
    ck_assert_int_eq(jk_config_parse_int("1", 1, 65535, &v), 0);
    ck_assert_int_eq(jk_config_parse_int("65535", 1, 65535, &v), 0);
    ck_assert_int_eq(v, 65535);
    v = -7;
    ck_assert_int_ne(jk_config_parse_int("11", 0, 10, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("-1", 0, 10, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("0", 1, 65535, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("65536", 1, 65535, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("abc", 0, 10, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("5abc", 0, 10, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("5 ", 0, 10, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("", 0, 10, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("2147483648", 0, 2147483647, &v), 0);
    ck_assert_int_ne(jk_config_parse_int("99999999999999999999999", 0, 2147483647, &v), 0);
    ck_assert_int_eq(v, -7);
    ck_assert_int_eq(jk_config_parse_int("2147483647", 0, 2147483647, &v), 0);
    ck_assert_int_eq(v, 2147483647);
}
END_TEST

/* --- bad configurations: exact messages --- */

START_TEST(test_bad_key_did_you_mean_socket_timeout)
{
    jk_config *c = build("worker.list=w\nworker.w.sockettimeout=10\n");
    ck_assert_str_eq(joined(c->errors), at(2,
        "unknown key 'sockettimeout' in worker.w.sockettimeout (did you mean socket_timeout?)"));
}
END_TEST

START_TEST(test_bad_key_did_you_mean_port)
{
    jk_config *c = build("worker.list=w\nworker.w.prot=8010\n");
    ck_assert_str_eq(joined(c->errors), at(2,
        "unknown key 'prot' in worker.w.prot (did you mean port?)"));
}
END_TEST

START_TEST(test_bad_key_without_suggestion)
{
    jk_config *c = build("worker.list=w\nworker.w.zzzzzzzz=1\n");
    ck_assert_str_eq(joined(c->errors), at(2, "unknown key 'zzzzzzzz' in worker.w.zzzzzzzz"));
}
END_TEST

START_TEST(test_bad_key_of_unlisted_worker)
{
    /* Every worker.* key is checked, even for a worker nobody uses. */
    jk_config *c = build("worker.list=w\nworker.w.port=8010\nworker.other.hots=x\n");
    ck_assert_str_eq(joined(c->errors), at(3,
        "unknown key 'hots' in worker.other.hots (did you mean host?)"));
}
END_TEST

START_TEST(test_bad_port_numbers)
{
    jk_config *c = build("worker.list=a,b,c\n"
                         "worker.a.port=abc\n"
                         "worker.b.port=70000\n"
                         "worker.c.port=0\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.a.port: 'abc' is not a whole number from 1 to 65535"),
        at(3, "worker.b.port: '70000' is not a whole number from 1 to 65535"),
        at(4, "worker.c.port: '0' is not a whole number from 1 to 65535"), NULL));
}
END_TEST

START_TEST(test_bad_other_numbers)
{
    jk_config *c = build("worker.list=a,b,c\n"
                         "worker.a.retries=0\n"
                         "worker.b.max_packet_size=65537\n"
                         "worker.c.socket_timeout=-1\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.a.retries: '0' is not a whole number from 1 to 1000"),
        at(3, "worker.b.max_packet_size: '65537' is not a whole number from 1 to 65536"),
        at(4, "worker.c.socket_timeout: '-1' is not a whole number from 0 to 2147483"), NULL));
}
END_TEST

START_TEST(test_bad_number_in_template)
{
    /* The message points at the line that holds the bad value, not at the user of it. */
    jk_config *c = build("worker.list=w\n"
                         "worker.t.port=x\n"
                         "worker.w.reference=worker.t\n");
    ck_assert_str_eq(joined(c->errors),
                     at(2, "worker.t.port: 'x' is not a whole number from 1 to 65535"));
}
END_TEST

START_TEST(test_bad_boolean)
{
    jk_config *c = build("worker.list=w\nworker.w.socket_keepalive=maybe\n");
    ck_assert_str_eq(joined(c->errors), at(2,
        "worker.w.socket_keepalive: 'maybe' is not a boolean (true/false, 1/0, on/off)"));
}
END_TEST

START_TEST(test_bad_unknown_type)
{
    jk_config *c = build("worker.list=w\nworker.w.type=ajp15\n");
    ck_assert_str_eq(joined(c->errors), at(2,
        "worker.w.type: unknown worker type 'ajp15' (known: ajp13, lb, status)"));
    ck_assert_ptr_null(jk_config_find(c, "w"));
}
END_TEST

START_TEST(test_bad_obsolete_types)
{
    jk_config *c = build("worker.list=a,b,c\n"
                         "worker.a.type=ajp12\n"
                         "worker.b.type=ajp14\n"
                         "worker.c.type=jni\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.a.type: type ajp12 is obsolete; use ajp13"),
        at(3, "worker.b.type: type ajp14 is obsolete; use ajp13"),
        at(4, "worker.c.type: type jni is obsolete; use ajp13"), NULL));
    ck_assert_int_eq(c->workers->nelts, 0);
}
END_TEST

START_TEST(test_bad_worker_name)
{
    jk_config *c = build("worker.list=bad.name\n");
    ck_assert_str_eq(joined(c->errors), at(1,
        "'bad.name' is not a valid worker name (letters, digits, '_' and '-', at most 60)"));
    ck_assert_int_eq(c->workers->nelts, 0);
}
END_TEST

START_TEST(test_worker_name_length)
{
    char name60[61], name61[62];
    jk_config *c;

    memset(name60, 'n', 60);
    name60[60] = '\0';
    memset(name61, 'n', 61);
    name61[61] = '\0';
    c = build(apr_psprintf(pool, "worker.list=%s,%s,ok_name-2\nworker.%s.port=1\n"
                           "worker.ok_name-2.port=2\n", name60, name61, name60));
    ck_assert_str_eq(joined(c->errors), at(1, apr_psprintf(pool,
        "'%s' is not a valid worker name (letters, digits, '_' and '-', at most 60)", name61)));
    ck_assert_ptr_nonnull(jk_config_find(c, name60));
    ck_assert_ptr_nonnull(jk_config_find(c, "ok_name-2"));
}
END_TEST

START_TEST(test_worker_list_spaces_separate_names)
{
    /* "a b" in worker.list is two workers, as in mod_jk (space is a separator). */
    jk_config *c = build("worker.list=a b\nworker.a.port=1\nworker.b.port=2\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(c->workers->nelts, 2);
}
END_TEST

START_TEST(test_bad_empty_worker_list)
{
    jk_config *c = build("worker.list=\n");
    ck_assert_str_eq(joined(c->errors), at(1, "worker.list names no worker"));
    ck_assert_int_eq(c->workers->nelts, 0);
}
END_TEST

START_TEST(test_bad_worker_list_only_separators)
{
    jk_config *c = build("# list\nworker.list= , \t,\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.list names no worker"));
}
END_TEST

START_TEST(test_bad_global_key)
{
    jk_config *c = build("worker.list=w\nworker.foo=1\nworker.w.port=1\n");
    ck_assert_str_eq(joined(c->errors), at(2,
        "unknown global key 'worker.foo' (known: worker.list, worker.maintain, worker.NAME.KEY)"));
}
END_TEST

START_TEST(test_bad_maintain)
{
    jk_config *c = build("worker.list=w\nworker.maintain=abc\nworker.w.port=1\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.maintain: 'abc' is not a number of seconds"));
}
END_TEST

START_TEST(test_bad_reference_cycle)
{
    jk_config *c = build("worker.list=a\n"
                         "worker.a.reference=worker.b\n"
                         "worker.b.reference=worker.a\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.a.reference: the references of a form a cycle"),
        at(3, "worker.b.reference: the references of b form a cycle"), NULL));
}
END_TEST

START_TEST(test_bad_self_reference)
{
    jk_config *c = build("worker.list=a\nworker.a.reference=worker.a\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.a.reference: the references of a form a cycle"));
}
END_TEST

START_TEST(test_bad_reference_without_prefix)
{
    jk_config *c = build("worker.list=a\nworker.a.reference=template\nworker.template.port=1\n");
    ck_assert_str_eq(joined(c->errors), at(2,
        "worker.a.reference: 'template' should name another worker as worker.NAME"));
}
END_TEST

START_TEST(test_bad_host_unclosed_bracket)
{
    jk_config *c = build("worker.list=w\nworker.w.host=[::1\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.w.host: '[::1' lacks its closing ']'"));
}
END_TEST

START_TEST(test_bad_host_port)
{
    jk_config *c = build("worker.list=a,b,c,d\n"
                         "worker.a.host=h:notaport\n"
                         "worker.b.host=h:0\n"
                         "worker.c.host=[::1]:\n"
                         "worker.d.host=h:70000\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.a.host: 'h:notaport' has no valid port after ':'"),
        at(3, "worker.b.host: 'h:0' has no valid port after ':'"),
        at(4, "worker.c.host: '[::1]:' has no valid port after ':'"),
        at(5, "worker.d.host: 'h:70000' has no valid port after ':'"), NULL));
}
END_TEST

START_TEST(test_bad_host_empty)
{
    jk_config *c = build("worker.list=w\nworker.w.host=\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.w.host: the host is empty"));
}
END_TEST

START_TEST(test_bad_host_junk_after_bracket)
{
    /* "[::1]8010" (colon forgotten) must not quietly become ::1 port 8009. */
    jk_config *c = build("worker.list=w\nworker.w.host=[::1]8010\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.w.host: unexpected '8010' after ']'"));
}
END_TEST

START_TEST(test_bad_host_empty_before_port)
{
    /* ":8010" and "[]:8010" name no host: they must not become an empty host name. */
    jk_config *c = build("worker.list=a,b\nworker.a.host=:8010\nworker.b.host=[]:8010\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.a.host: ':8010' names no host"),
        at(3, "worker.b.host: '[]:8010' names no host"), NULL));
}
END_TEST

START_TEST(test_props_errors_are_kept)
{
    jk_config *c = build("worker.list=w\ngarbage\nworker.w.port=8010\nworker.w.port=8011\n");
    ck_assert_str_eq(joined(c->errors), at(2, "expected name=value, found 'garbage'"));
    ck_assert_str_eq(joined(c->warnings), at(4,
        apr_psprintf(pool, "worker.w.port set again; this value replaces the one from %s:3", wpath)));
    ck_assert_int_eq(worker(c, "w")->port, 8011);
}
END_TEST

START_TEST(test_all_problems_reported)
{
    jk_config *c = build("worker.list=a,b\n"
                         "worker.a.prot=1\n"
                         "worker.a.port=x\n"
                         "worker.b.type=ajp12\n"
                         "worker.nope=1\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "unknown key 'prot' in worker.a.prot (did you mean port?)"),
        at(5, "unknown global key 'worker.nope' (known: worker.list, worker.maintain, "
              "worker.NAME.KEY)"),
        at(3, "worker.a.port: 'x' is not a whole number from 1 to 65535"),
        at(4, "worker.b.type: type ajp12 is obsolete; use ajp13"), NULL));
}
END_TEST

/* --- the keys of ajp13 members, lb and status workers --- */

START_TEST(test_ping_modes)
{
    jk_config *c = build("worker.list=a,b,c,d,e,f\n"
                         "worker.a.ping_mode=A\n"
                         "worker.b.ping_mode=C\n"
                         "worker.b.ping_timeout=2000\n"
                         "worker.c.connect_timeout=500\n"
                         "worker.d.prepost_timeout=300\n"
                         "worker.e.connection_ping_interval=30\n"
                         "worker.f.ping_mode=ci\n");
    const jk_worker_config *w;
    ck_assert_str_eq(joined(c->errors), "");

    w = worker(c, "a");
    ck_assert_uint_eq(w->ping_mode, JK_PING_CONNECT | JK_PING_PREPOST | JK_PING_INTERVAL);
    ck_assert_int_eq(w->connect_timeout, 10000);
    ck_assert_int_eq(w->prepost_timeout, 10000);
    ck_assert_int_eq(w->connection_ping_interval, 100);     /* ping_timeout / 100 s */
    w = worker(c, "b");
    ck_assert_uint_eq(w->ping_mode, JK_PING_CONNECT);
    ck_assert_int_eq(w->connect_timeout, 2000);
    ck_assert_int_eq(w->prepost_timeout, 0);
    ck_assert_int_eq(w->connection_ping_interval, 0);
    w = worker(c, "c");                                     /* the old key turns C on */
    ck_assert_uint_eq(w->ping_mode, JK_PING_CONNECT);
    ck_assert_int_eq(w->connect_timeout, 500);
    w = worker(c, "d");
    ck_assert_uint_eq(w->ping_mode, JK_PING_PREPOST);
    ck_assert_int_eq(w->prepost_timeout, 300);
    w = worker(c, "e");
    ck_assert_uint_eq(w->ping_mode, JK_PING_INTERVAL);
    ck_assert_int_eq(w->connection_ping_interval, 30);
    w = worker(c, "f");
    ck_assert_uint_eq(w->ping_mode, JK_PING_CONNECT | JK_PING_INTERVAL);
}
END_TEST

START_TEST(test_bad_ping_mode)
{
    jk_config *c = build("worker.list=w\nworker.w.ping_mode=X\n");
    ck_assert_str_eq(joined(c->errors), at(2, "worker.w.ping_mode: 'X' is not a ping mode (C, P, I or A)"));
}
END_TEST

START_TEST(test_fail_on_status)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.fail_on_status=500,503 -404\n"
                         "worker.w.fail_on_status=502\n");
    const jk_worker_config *w = worker(c, "w");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_ptr_nonnull(w->fail_on_status);
    ck_assert_int_eq(w->fail_on_status->nelts, 4);
    ck_assert_int_eq(APR_ARRAY_IDX(w->fail_on_status, 0, int), 500);
    ck_assert_int_eq(APR_ARRAY_IDX(w->fail_on_status, 1, int), 503);
    ck_assert_int_eq(APR_ARRAY_IDX(w->fail_on_status, 2, int), -404);
    ck_assert_int_eq(APR_ARRAY_IDX(w->fail_on_status, 3, int), 502);
}
END_TEST

START_TEST(test_bad_fail_on_status)
{
    jk_config *c = build("worker.list=w\nworker.w.fail_on_status=500,99,abc,-1000\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(2, "worker.w.fail_on_status: '99' is not an HTTP status (100-999, or -100 to -999)"),
        at(2, "worker.w.fail_on_status: 'abc' is not an HTTP status (100-999, or -100 to -999)"),
        at(2, "worker.w.fail_on_status: '-1000' is not an HTTP status (100-999, or -100 to -999)"),
        NULL));
}
END_TEST

START_TEST(test_member_keys)
{
    jk_config *c = build("worker.list=a,b\n"
                         "worker.a.route=dc1.node1\n"
                         "worker.a.lbfactor=3\n"
                         "worker.a.distance=2\n"
                         "worker.a.redirect=b\n"
                         "worker.a.activation=Disabled\n"
                         "worker.b.route=dc2.node2\n"
                         "worker.b.domain=shared\n"
                         "worker.b.activation=2\n");
    const jk_worker_config *a = worker(c, "a"), *b = worker(c, "b");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(a->route, "dc1.node1");
    ck_assert_str_eq(a->domain, "dc1");             /* from the route */
    ck_assert_int_eq(a->lbfactor, 3);
    ck_assert_int_eq(a->distance, 2);
    ck_assert_str_eq(a->redirect, "b");
    ck_assert_int_eq(a->activation, JK_ACTIVATION_DISABLED);
    ck_assert_str_eq(b->domain, "shared");          /* a domain that is set wins */
    ck_assert_int_eq(b->activation, JK_ACTIVATION_STOPPED);
}
END_TEST

START_TEST(test_bad_member_keys)
{
    jk_config *c = build("worker.list=w\n"
                         "worker.w.activation=x\n"
                         "worker.w.distance=1001\n"
                         "worker.w.lbfactor=0\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(4, "worker.w.lbfactor: '0' is not a whole number from 1 to 100000"),
        at(3, "worker.w.distance: '1001' is not a whole number from 0 to 1000"),
        at(2, "worker.w.activation: 'x' is not an activation (Active, Disabled, Stopped)"),
        NULL));
}
END_TEST

START_TEST(test_parse_activation_and_method)
{
    static const struct { const char *text; int value; } activations[] = {
        { "Active", JK_ACTIVATION_ACTIVE }, { "a", JK_ACTIVATION_ACTIVE },
        { "0", JK_ACTIVATION_ACTIVE }, { "D", JK_ACTIVATION_DISABLED },
        { "disabled", JK_ACTIVATION_DISABLED }, { "1", JK_ACTIVATION_DISABLED },
        { "S", JK_ACTIVATION_STOPPED }, { "stopped", JK_ACTIVATION_STOPPED },
        { "2", JK_ACTIVATION_STOPPED }
    };
    static const struct { const char *text; int value; } methods[] = {
        { "Request", JK_LB_METHOD_REQUEST }, { "r", JK_LB_METHOD_REQUEST },
        { "0", JK_LB_METHOD_REQUEST }, { "Session", JK_LB_METHOD_SESSION },
        { "N", JK_LB_METHOD_NEXT }, { "traffic", JK_LB_METHOD_TRAFFIC },
        { "B", JK_LB_METHOD_BUSYNESS }, { "4", JK_LB_METHOD_BUSYNESS }
    };
    static const char *const bad_activations[] = { "x", "3", "", "-" };
    static const char *const bad_methods[] = { "x", "5", "", "Q" };
    jk_activation a;
    jk_lb_method m;

    for (apr_size_t i = 0; i < sizeof(activations) / sizeof(activations[0]); i++) {
        a = (jk_activation)99;
        ck_assert_msg(jk_config_parse_activation(activations[i].text, &a) == 0 &&
                      (int)a == activations[i].value, "activation '%s'", activations[i].text);
    }
    for (apr_size_t i = 0; i < sizeof(bad_activations) / sizeof(bad_activations[0]); i++)
        ck_assert_msg(jk_config_parse_activation(bad_activations[i], &a) != 0,
                      "activation '%s' accepted", bad_activations[i]);
    for (apr_size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        m = (jk_lb_method)99;
        ck_assert_msg(jk_config_parse_method(methods[i].text, &m) == 0 &&
                      (int)m == methods[i].value, "method '%s'", methods[i].text);
    }
    for (apr_size_t i = 0; i < sizeof(bad_methods) / sizeof(bad_methods[0]); i++)
        ck_assert_msg(jk_config_parse_method(bad_methods[i], &m) != 0,
                      "method '%s' accepted", bad_methods[i]);

    ck_assert_str_eq(jk_config_activation_name(JK_ACTIVATION_ACTIVE), "Active");
    ck_assert_str_eq(jk_config_activation_name(JK_ACTIVATION_STOPPED), "Stopped");
    ck_assert_str_eq(jk_config_activation_name((jk_activation)7), "?");
    ck_assert_str_eq(jk_config_method_name(JK_LB_METHOD_BUSYNESS), "Busyness");
    ck_assert_str_eq(jk_config_method_name((jk_lb_method)7), "?");
}
END_TEST

START_TEST(test_lb_defaults)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1,m2\n"
                         "worker.m1.host=h1\n"
                         "worker.m2.host=h2\n");
    const jk_worker_config *lb;
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    lb = worker(c, "lb");
    ck_assert_int_eq(lb->type, JK_TYPE_LB);
    ck_assert_int_eq(lb->mountable, 1);
    ck_assert_int_eq(lb->members->nelts, 2);
    ck_assert_ptr_eq(APR_ARRAY_IDX(lb->members, 0, jk_worker_config *), worker(c, "m1"));
    ck_assert_ptr_eq(APR_ARRAY_IDX(lb->members, 1, jk_worker_config *), worker(c, "m2"));
    ck_assert_int_eq(lb->sticky_session, 1);
    ck_assert_int_eq(lb->sticky_session_force, 0);
    ck_assert_int_eq(lb->method, JK_LB_METHOD_REQUEST);
    ck_assert_int_eq(lb->lock, JK_LB_LOCK_OPTIMISTIC);
    ck_assert_int_eq(lb->retries, 2);
    ck_assert_int_eq(lb->retry_interval, 100);
    ck_assert_int_eq(lb->lb_retries, 2);
    ck_assert_int_eq(lb->recover_time, 60);
    ck_assert_int_eq(lb->error_escalation_time, 30);
    ck_assert_int_eq(lb->max_reply_timeouts, 0);
    ck_assert_str_eq(lb->session_cookie, "JSESSIONID");
    ck_assert_str_eq(lb->session_path, ";jsessionid");
    ck_assert_ptr_null(lb->secret);

    /* Members are built though not listed, and cannot be mounted. */
    ck_assert_int_eq(worker(c, "m1")->type, JK_TYPE_AJP13);
    ck_assert_str_eq(worker(c, "m1")->host, "h1");
    ck_assert_int_eq(worker(c, "m1")->mountable, 0);
    ck_assert_int_eq(c->workers->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(c->workers, 0, jk_worker_config *)->name, "lb");
    ck_assert_int_eq(c->list->nelts, 1);
}
END_TEST

START_TEST(test_lb_keys)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1\n"
                         "worker.lb.balance_workers=m2\n"
                         "worker.lb.sticky_session=false\n"
                         "worker.lb.sticky_session_force=1\n"
                         "worker.lb.method=B\n"
                         "worker.lb.lock=P\n"
                         "worker.lb.retries=4\n"
                         "worker.lb.lb_retries=3\n"
                         "worker.lb.recover_time=30\n"
                         "worker.lb.max_reply_timeouts=5\n"
                         "worker.lb.session_cookie=MYSESSION\n"
                         "worker.lb.session_path=;mysession\n"
                         "worker.lb.secret=lbsecret\n"
                         "worker.m1.secret=own\n"
                         "worker.m2.port=8010\n");
    const jk_worker_config *lb = worker(c, "lb");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_int_eq(lb->members->nelts, 2);
    ck_assert_int_eq(lb->sticky_session, 0);
    ck_assert_int_eq(lb->sticky_session_force, 1);
    ck_assert_int_eq(lb->method, JK_LB_METHOD_BUSYNESS);
    ck_assert_int_eq(lb->lock, JK_LB_LOCK_PESSIMISTIC);
    ck_assert_int_eq(lb->retries, 4);
    ck_assert_int_eq(lb->lb_retries, 3);
    ck_assert_int_eq(lb->recover_time, 30);
    ck_assert_int_eq(lb->error_escalation_time, 15);
    ck_assert_int_eq(lb->max_reply_timeouts, 5);
    ck_assert_str_eq(lb->session_cookie, "MYSESSION");
    ck_assert_str_eq(lb->session_path, ";mysession");
    /* The lb's secret goes to members without one of their own. */
    ck_assert_str_eq(worker(c, "m1")->secret, "own");
    ck_assert_str_eq(worker(c, "m2")->secret, "lbsecret");
}
END_TEST

START_TEST(test_lb_both_member_spellings)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1\n"
                         "worker.lb.balanced_workers=m2\n"
                         "worker.m1.port=8010\n"
                         "worker.m2.port=8011\n");
    const jk_worker_config *lb = worker(c, "lb");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings),
                     at(4, "worker.lb.balanced_workers is an old spelling; use balance_workers"));
    ck_assert_int_eq(lb->members->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(lb->members, 0, jk_worker_config *)->name, "m1");
    ck_assert_str_eq(APR_ARRAY_IDX(lb->members, 1, jk_worker_config *)->name, "m2");
}
END_TEST

START_TEST(test_lb_empty_route_and_unknown_redirect)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1,m2\n"
                         "worker.m1.port=8010\n"
                         "worker.m1.redirect=m3\n"
                         "worker.m2.port=8011\n"
                         "worker.m2.route=\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(7, "member m2 of lb lb has an empty route: with sticky_session no session id can "
              "name it, so its sessions move on every request"),
        at(5, "redirect 'm3' of m1 names no route of lb lb (m1, ): the sessions of m1 would "
              "have nowhere to go when it is down"), NULL));
    /* Without sticky sessions a route names nothing, and an empty one is fine. */
    c = build("worker.list=lb\nworker.lb.type=lb\nworker.lb.sticky_session=false\n"
              "worker.lb.balance_workers=m1,m2\nworker.m1.port=8010\nworker.m1.redirect=m2\n"
              "worker.m2.port=8011\n");
    ck_assert_str_eq(joined(c->errors), "");
}
END_TEST

START_TEST(test_mount_hint)
{
    jk_config *c = build("worker.list=lb,status\nworker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1\nworker.m1.port=8010\n"
                         "worker.status.type=status\n");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(jk_config_mount_hint(pool, c, "lb1"), "did you mean lb?");
    ck_assert_str_eq(jk_config_mount_hint(pool, c, "m1"), "worker.list has: lb, status");
}
END_TEST

START_TEST(test_lb_member_without_settings)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1,m2\n"
                         "worker.m1.port=8010\n");
    ck_assert_str_eq(joined(c->errors), at(3, "worker.lb.balance_workers: member 'm2' is defined "
                                              "nowhere (no worker.m2.* key); did you mean m1?"));
    ck_assert_ptr_null(jk_config_find(c, "m2"));
}
END_TEST

START_TEST(test_lb_member_also_listed)
{
    jk_config *c = build("worker.list=lb,m1\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1\n"
                         "worker.m1.port=8010\n");
    const jk_worker_config *lb = worker(c, "lb");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_int_eq(c->workers->nelts, 2);
    ck_assert_ptr_eq(APR_ARRAY_IDX(lb->members, 0, jk_worker_config *), worker(c, "m1"));
    ck_assert_int_eq(worker(c, "m1")->mountable, 1);
}
END_TEST

START_TEST(test_bad_lb_without_members)
{
    jk_config *c = build("worker.list=lb\nworker.lb.type=lb\n");
    ck_assert_str_eq(joined(c->errors), at(1, "lb worker lb has no members (set worker.lb.balance_workers)"));
}
END_TEST

START_TEST(test_bad_lb_members)
{
    jk_config *c = build("worker.list=lb,st\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=lb,m1,m1,st\n"
                         "worker.m1.port=8010\n"
                         "worker.st.type=status\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(3, "worker.lb.balance_workers: lb worker lb cannot be its own member"),
        at(3, "worker.lb.balance_workers: member m1 is listed twice"),
        at(3, "worker.lb.balance_workers: member st is of type status; lb members must be ajp13 "
              "workers"), NULL));
}
END_TEST

START_TEST(test_bad_lb_same_route)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1,m2\n"
                         "worker.m1.route=r\n"
                         "worker.m2.route=r\n");
    ck_assert_str_eq(joined(c->errors), at(3, "worker.lb.balance_workers: members m1 and m2 have "
                                              "the same route 'r'; sessions could not tell them apart"));
}
END_TEST

START_TEST(test_bad_lb_keys)
{
    jk_config *c = build("worker.list=lb\n"
                         "worker.lb.type=lb\n"
                         "worker.lb.balance_workers=m1\n"
                         "worker.m1.port=8010\n"
                         "worker.lb.method=X\n"
                         "worker.lb.lock=Z\n"
                         "worker.lb.recover_time=0\n"
                         "worker.lb.sticky_session=perhaps\n");
    ck_assert_str_eq(joined(c->errors), apr_pstrcat(pool,
        at(8, "worker.lb.sticky_session: 'perhaps' is not a boolean (true/false, 1/0, on/off)"),
        at(5, "worker.lb.method: 'X' is not a method (Request, Session, Next, Traffic, Busyness)"),
        at(6, "worker.lb.lock: 'Z' is not a lock (Optimistic, Pessimistic)"),
        at(7, "worker.lb.recover_time: '0' is not a whole number from 1 to 2147483647"), NULL));
}
END_TEST

START_TEST(test_status_worker)
{
    jk_config *c = build("worker.list=jkstatus,plain\n"
                         "worker.jkstatus.type=status\n"
                         "worker.jkstatus.read_only=true\n"
                         "worker.jkstatus.user=admin,ops\n"
                         "worker.jkstatus.user=root\n"
                         "worker.jkstatus.css=/jk.css\n"
                         "worker.jkstatus.strict_update=true\n"
                         "worker.plain.type=status\n");
    const jk_worker_config *s = worker(c, "jkstatus"), *p = worker(c, "plain");
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_int_eq(s->type, JK_TYPE_STATUS);
    ck_assert_int_eq(s->read_only, 1);
    ck_assert_int_eq(s->strict_update, 1);
    ck_assert_str_eq(s->css, "/jk.css");
    ck_assert_ptr_nonnull(s->users);
    ck_assert_int_eq(s->users->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(s->users, 0, const char *), "admin");
    ck_assert_str_eq(APR_ARRAY_IDX(s->users, 1, const char *), "ops");
    ck_assert_str_eq(APR_ARRAY_IDX(s->users, 2, const char *), "root");

    ck_assert_int_eq(p->type, JK_TYPE_STATUS);
    ck_assert_int_eq(p->read_only, 0);
    ck_assert_int_eq(p->strict_update, 0);
    ck_assert_ptr_null(p->users);
    ck_assert_ptr_null(p->css);
    ck_assert_int_eq(p->user_case_insensitive, 0);
    ck_assert_str_eq(p->good, "a.o,a.n,a.b,a.r");
    ck_assert_str_eq(p->bad, "s,e");
    ck_assert_str_eq(p->prefix, "worker");
    ck_assert_str_eq(p->ns, "jk:");
    ck_assert_str_eq(p->xmlns, "xmlns:jk=\"http://tomcat.apache.org\"");
    ck_assert_ptr_null(p->doctype);
}
END_TEST

/* --- the users' own files --- */

static char *read_compat(const char *name)
{
    return unit_read_file(pool, apr_pstrcat(pool, JK_EXAMPLES_DIR, "/", name, NULL));
}

static char *replace_all(const char *text, const char *from, const char *to)
{
    const char *hit;
    char *out = "";
    while ((hit = strstr(text, from)) != NULL) {
        out = apr_pstrcat(pool, out, apr_pstrndup(pool, text, (apr_size_t)(hit - text)), to, NULL);
        text = hit + strlen(from);
    }
    return apr_pstrcat(pool, out, text, NULL);
}

static char *fill_placeholders(char *text)
{
    text = replace_all(text, "@TOMCAT1_HOST@", "127.0.0.2");
    text = replace_all(text, "@TOMCAT2_HOST@", "127.0.0.3");
    text = replace_all(text, "@TOMCAT1_AJP_PORT@", "18009");
    text = replace_all(text, "@TOMCAT2_AJP_PORT@", "28009");
    text = replace_all(text, "@SECRET1@", "first-secret");
    text = replace_all(text, "@SECRET2@", "second-secret");
    ck_assert_msg(strchr(text, '@') == NULL, "a placeholder is left:\n%s", text);
    return text;
}

START_TEST(test_compat_single)
{
    jk_config *c = build(fill_placeholders(read_compat("workers-single.properties")));
    const jk_worker_config *w;
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), "");
    ck_assert_int_eq(c->workers->nelts, 1);
    w = worker(c, "worker1");
    ck_assert_int_eq(w->type, JK_TYPE_AJP13);
    ck_assert_str_eq(w->host, "127.0.0.2");
    ck_assert_int_eq(w->port, 18009);
}
END_TEST

START_TEST(test_compat_lb)
{
    jk_config *c = build(fill_placeholders(read_compat("workers-lb.properties")));
    const jk_worker_config *lb;
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), at(4,
        "worker.loadbalancer.balanced_workers is an old spelling; use balance_workers"));
    lb = worker(c, "loadbalancer");
    ck_assert_int_eq(lb->type, JK_TYPE_LB);
    ck_assert_int_eq(lb->sticky_session, 1);
    ck_assert_int_eq(lb->members->nelts, 2);
    ck_assert_ptr_eq(APR_ARRAY_IDX(lb->members, 0, jk_worker_config *), worker(c, "worker1"));
    ck_assert_ptr_eq(APR_ARRAY_IDX(lb->members, 1, jk_worker_config *), worker(c, "worker2"));
    ck_assert_str_eq(worker(c, "worker1")->host, "127.0.0.2");
    ck_assert_int_eq(worker(c, "worker1")->port, 18009);
    ck_assert_int_eq(worker(c, "worker1")->lbfactor, 1);
    ck_assert_str_eq(worker(c, "worker2")->host, "127.0.0.3");
    ck_assert_int_eq(worker(c, "worker2")->port, 28009);
    /* This variant lists the members too: all three can be mounted. */
    ck_assert_int_eq(worker(c, "worker1")->mountable, 1);
    ck_assert_int_eq(lb->mountable, 1);
}
END_TEST

START_TEST(test_compat_lb_secret)
{
    jk_config *c = build(fill_placeholders(read_compat("workers-lb-secret.properties")));
    const jk_worker_config *lb;
    ck_assert_str_eq(joined(c->errors), "");
    ck_assert_str_eq(joined(c->warnings), at(4,
        "worker.loadbalancer.balanced_workers is an old spelling; use balance_workers"));
    lb = worker(c, "loadbalancer");
    ck_assert_int_eq(lb->members->nelts, 2);
    ck_assert_str_eq(worker(c, "worker1")->secret, "first-secret");
    ck_assert_str_eq(worker(c, "worker2")->secret, "second-secret");
    /* Only the lb is listed: the members serve through it alone. */
    ck_assert_int_eq(worker(c, "worker1")->mountable, 0);
    ck_assert_int_eq(c->list->nelts, 1);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("jk_config");
    TCase *tc;

    tc = tcase_create("good");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults_of_bare_worker);
    tcase_add_test(tc, test_default_worker_function);
    tcase_add_test(tc, test_derived_defaults);
    tcase_add_test(tc, test_derived_values_set_explicitly);
    tcase_add_test(tc, test_every_used_key_is_read);
    tcase_add_test(tc, test_round_packet_size);
    tcase_add_test(tc, test_packet_size_in_config);
    tcase_add_loop_test(tc, test_host_forms, 0, (int)(sizeof(host_forms) / sizeof(host_forms[0])));
    tcase_add_test(tc, test_deprecated_spellings);
    tcase_add_test(tc, test_new_spelling_beats_old);
    tcase_add_test(tc, test_deprecated_activation_booleans);
    tcase_add_test(tc, test_reference_inheritance);
    tcase_add_test(tc, test_referenced_template_is_not_unused);
    tcase_add_test(tc, test_no_worker_list);
    tcase_add_test(tc, test_no_worker_list_keys_of_default_worker);
    tcase_add_test(tc, test_listed_worker_without_keys);
    tcase_add_test(tc, test_listed_worker_hint_names_the_defined_ones);
    tcase_add_test(tc, test_worker_key_with_empty_or_bad_name);
    tcase_add_test(tc, test_list_items_are_reported_at_their_own_lines);
    tcase_add_test(tc, test_misspelt_worker_prefix_is_an_error);
    tcase_add_test(tc, test_defined_but_unused_worker);
    tcase_add_test(tc, test_list_order_and_duplicates);
    tcase_add_test(tc, test_ignored_keys_listed);
    tcase_add_test(tc, test_maintain);
    tcase_add_test(tc, test_variables_outside_worker_are_allowed);
    tcase_add_test(tc, test_obsolete_jni_key_is_a_warning);
    tcase_add_test(tc, test_worker_list_spaces_separate_names);
    tcase_add_test(tc, test_worker_name_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("parsers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_key_table);
    tcase_add_test(tc, test_key_table_defaults_match_code);
    tcase_add_test(tc, test_suggest);
    tcase_add_test(tc, test_parse_bool);
    tcase_add_test(tc, test_parse_int);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bad_key_did_you_mean_socket_timeout);
    tcase_add_test(tc, test_bad_key_did_you_mean_port);
    tcase_add_test(tc, test_bad_key_without_suggestion);
    tcase_add_test(tc, test_bad_key_of_unlisted_worker);
    tcase_add_test(tc, test_bad_port_numbers);
    tcase_add_test(tc, test_bad_other_numbers);
    tcase_add_test(tc, test_bad_number_in_template);
    tcase_add_test(tc, test_bad_boolean);
    tcase_add_test(tc, test_bad_unknown_type);
    tcase_add_test(tc, test_bad_obsolete_types);
    tcase_add_test(tc, test_bad_worker_name);
    tcase_add_test(tc, test_bad_empty_worker_list);
    tcase_add_test(tc, test_bad_worker_list_only_separators);
    tcase_add_test(tc, test_bad_global_key);
    tcase_add_test(tc, test_bad_maintain);
    tcase_add_test(tc, test_bad_reference_cycle);
    tcase_add_test(tc, test_bad_self_reference);
    tcase_add_test(tc, test_bad_reference_without_prefix);
    tcase_add_test(tc, test_bad_host_unclosed_bracket);
    tcase_add_test(tc, test_bad_host_port);
    tcase_add_test(tc, test_bad_host_empty);
    tcase_add_test(tc, test_bad_host_junk_after_bracket);
    tcase_add_test(tc, test_bad_host_empty_before_port);
    tcase_add_test(tc, test_props_errors_are_kept);
    tcase_add_test(tc, test_all_problems_reported);
    suite_add_tcase(s, tc);

    tc = tcase_create("lb and status");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ping_modes);
    tcase_add_test(tc, test_bad_ping_mode);
    tcase_add_test(tc, test_fail_on_status);
    tcase_add_test(tc, test_bad_fail_on_status);
    tcase_add_test(tc, test_member_keys);
    tcase_add_test(tc, test_bad_member_keys);
    tcase_add_test(tc, test_parse_activation_and_method);
    tcase_add_test(tc, test_lb_defaults);
    tcase_add_test(tc, test_lb_keys);
    tcase_add_test(tc, test_lb_both_member_spellings);
    tcase_add_test(tc, test_lb_member_without_settings);
    tcase_add_test(tc, test_lb_empty_route_and_unknown_redirect);
    tcase_add_test(tc, test_mount_hint);
    tcase_add_test(tc, test_lb_member_also_listed);
    tcase_add_test(tc, test_bad_lb_without_members);
    tcase_add_test(tc, test_bad_lb_members);
    tcase_add_test(tc, test_bad_lb_same_route);
    tcase_add_test(tc, test_bad_lb_keys);
    tcase_add_test(tc, test_status_worker);
    suite_add_tcase(s, tc);

    tc = tcase_create("compat");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_compat_single);
    tcase_add_test(tc, test_compat_lb);
    tcase_add_test(tc, test_compat_lb_secret);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(config_suite, "jk_config");
}
