/* values.c: defaults, derived values, host forms, old spellings, key table, parsers. */
#include "config_fixture.h"

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

/* Defaults and values as built, then the key table and the parsers. */
TCase *config_values_tcase(void)
{
    TCase *tc = tcase_create("values");
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
    tcase_add_test(tc, test_key_table);
    tcase_add_test(tc, test_key_table_defaults_match_code);
    tcase_add_test(tc, test_suggest);
    tcase_add_test(tc, test_parse_bool);
    tcase_add_test(tc, test_parse_int);
    return tc;
}
