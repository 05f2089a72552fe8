/* lists.c: references, worker.list and the names in it, unused, ignored and obsolete keys. */
#include "config_fixture.h"

static int contains(const apr_array_header_t *a, const char *s)
{
    for (int i = 0; i < a->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), s) == 0)
            return 1;
    return 0;
}

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

/* References, the worker list and what is not used. */
TCase *config_lists_tcase(void)
{
    TCase *tc = tcase_create("references and lists");
    tcase_add_checked_fixture(tc, setup, teardown);
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
    return tc;
}
