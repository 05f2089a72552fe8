/* examples.c: the users' own files in conf/examples/, accepted as they are. */
#include "config_fixture.h"

/* The users' configurations ship in conf/examples/; the Makefile passes its absolute path. */
#ifndef JK_EXAMPLES_DIR
#error "JK_EXAMPLES_DIR must name the conf/examples directory"
#endif

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

/* The shipped examples, placeholders filled. */
TCase *config_examples_tcase(void)
{
    TCase *tc = tcase_create("examples");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_compat_single);
    tcase_add_test(tc, test_compat_lb);
    tcase_add_test(tc, test_compat_lb_secret);
    return tc;
}
