/* errors.c: bad configurations and the exact messages they get. */
#include "config_fixture.h"

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

/* Bad keys, values, names, references and hosts. */
TCase *config_errors_tcase(void)
{
    TCase *tc = tcase_create("errors");
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
    return tc;
}
