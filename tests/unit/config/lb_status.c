/* lb_status.c: the keys of ajp13 members, lb and status workers. */
#include "config_fixture.h"

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

/* Members, lb and status workers, good and bad. */
TCase *config_lb_status_tcase(void)
{
    TCase *tc = tcase_create("lb and status");
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
    return tc;
}
