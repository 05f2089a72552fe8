/* config_fixture.c: the jk_config tests' per-test directory, workers file, build and assertions. */
#include "config_fixture.h"

apr_pool_t *pool;
static char *dir;           /* this test's own, below the run's (unit_fixtures.h) */
const char *wpath;

void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    dir = unit_make_dir(pool);
    wpath = NULL;
}

void teardown(void)
{
    unit_remove_tree(pool, dir);
    apr_pool_destroy(pool);
    pool = NULL;
}

jk_config *build(const char *text)
{
    jk_props *p = jk_props_create(pool);
    wpath = unit_write_file(pool, dir, "workers.properties", text);
    jk_props_load_file(p, wpath);
    return jk_config_build(pool, p);
}

const char *joined(const apr_array_header_t *a)
{
    return unit_joined(pool, a);
}

const char *at(int line, const char *msg)
{
    return apr_psprintf(pool, "%s:%d: %s\n", wpath, line, msg);
}

const jk_worker_config *worker(const jk_config *c, const char *name)
{
    const jk_worker_config *w = jk_config_find(c, name);
    ck_assert_msg(w != NULL, "worker %s was not built; errors:\n%s", name, joined(c->errors));
    return w;
}

static void assert_ajp_defaults_except_mountable(const jk_worker_config *w);

void assert_ajp_defaults(const jk_worker_config *w)
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
