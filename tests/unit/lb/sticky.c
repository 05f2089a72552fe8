/* sticky.c: session ids and routes, the sticky choice, domains, redirect, activation. */
#include "lb_fixture.h"

/* ------------------------------------------------------------------ */
/* Session ids and routes                                               */

/* The session ids of a request, joined with '|' ("" if none). */
static const char *ids(const char *uri, const char *cookie1, const char *cookie2,
                       const char *cookie_name, const char *path_param)
{
    jk_header h[2];
    int n = 0;
    apr_array_header_t *a;
    const char *joined = "";
    if (cookie1) {
        h[n].name = "Cookie";
        h[n++].value = cookie1;
    }
    if (cookie2) {
        h[n].name = "cookie";
        h[n++].value = cookie2;
    }
    a = jk_session_ids(pool, uri, h, n, cookie_name, path_param);
    for (int i = 0; i < a->nelts; i++)
        joined = apr_pstrcat(pool, joined, i ? "|" : "", APR_ARRAY_IDX(a, i, const char *),
                             NULL);
    return joined;
}

static const char *std_ids(const char *uri, const char *cookie)
{
    return ids(uri, cookie, NULL, "JSESSIONID", ";jsessionid");
}

typedef struct parse_case {
    const char *uri;
    const char *cookie;
    const char *expected;
} parse_case;

static const parse_case parse_cases[] = {
    /* cookie */
    { "/index.jsp", "JSESSIONID=ABC123.worker2", "ABC123.worker2" },
    { "/index.jsp", "theme=dark; JSESSIONID=ABC123.worker2; lang=ko", "ABC123.worker2" },
    /* path parameter, final segment, and followed by a query, a parameter */
    { "/app/index.jsp;jsessionid=ABC.worker1", NULL, "ABC.worker1" },
    { "/app/index.jsp;jsessionid=ABC.worker1?x=1", NULL, "ABC.worker1" },
    { "/app/index.jsp;jsessionid=ABC.worker1;v=2", NULL, "ABC.worker1" },
    /* path parameter in a segment that is not the last */
    { "/app;jsessionid=ABC.worker1/index.jsp", NULL, "ABC.worker1" },
    /* the path parameter comes before the cookie */
    { "/index.jsp;jsessionid=P.worker1", "JSESSIONID=C.worker2", "P.worker1|C.worker2" },
    /* several cookies of that name, in order */
    { "/", "JSESSIONID=A.worker1; other=x; JSESSIONID=B.worker2", "A.worker1|B.worker2" },
    /* quoted value */
    { "/", "JSESSIONID=\"ABC.worker2\"", "ABC.worker2" },
    /* spaces around '=', a ',' separator */
    { "/", "JSESSIONID = ABC.worker2", "ABC.worker2" },
    { "/", "a=1,JSESSIONID=B.worker2,c=3", "B.worker2" },
    /* odd characters stay part of the id */
    { "/", "JSESSIONID=AB=C+/~!*.work-er_2", "AB=C+/~!*.work-er_2" },
    /* empty values are no session */
    { "/", "JSESSIONID=; x=1", "" },
    { "/", "JSESSIONID=\"\"", "" },
    { "/x;jsessionid=", NULL, "" },
    /* names that merely contain the cookie name, or differ in case, do not match */
    { "/", "XJSESSIONID=X.worker1", "" },
    { "/", "XJSESSIONID=X.worker1; JSESSIONID=Y.worker2", "Y.worker2" },
    { "/", "MYJSESSIONID=X.worker1", "" },
    { "/", "JSESSIONIDX=X.worker1", "" },
    { "/", "jsessionid=X.worker1", "" },
    { "/", "other=JSESSIONID=X.worker1", "" },
    /* a path parameter that only starts like the session one */
    { "/x;jsessionidfoo=A.worker1", NULL, "" },
    { "/x;notjsessionid=A.worker1", NULL, "" },
    /* nothing at all */
    { "/index.jsp", NULL, "" },
};

START_TEST(session_ids_are_found)
{
    const parse_case *c = &parse_cases[_i];
    const char *got = std_ids(c->uri, c->cookie);
    ck_assert_msg(strcmp(got, c->expected) == 0, "uri '%s' cookie '%s': ids '%s', expected '%s'",
                  c->uri, c->cookie ? c->cookie : "(none)", got, c->expected);
}
END_TEST

START_TEST(session_ids_from_several_cookie_headers_in_order)
{
    ck_assert_str_eq(ids("/", "JSESSIONID=A.worker1", "JSESSIONID=B.worker2", "JSESSIONID",
                         ";jsessionid"), "A.worker1|B.worker2");
    /* no headers at all */
    ck_assert_int_eq(jk_session_ids(pool, "/", NULL, 0, "JSESSIONID", ";jsessionid")->nelts, 0);
}
END_TEST

START_TEST(custom_session_cookie_and_path)
{
    ck_assert_str_eq(ids("/x;mysess=P.worker1", "JSESSIONID=J.worker2; MYSESS=M.worker2", NULL,
                         "MYSESS", ";mysess"), "P.worker1|M.worker2");
    /* the default names are not looked at any more */
    ck_assert_str_eq(ids("/x;jsessionid=Q.worker1", "JSESSIONID=J.worker2", NULL, "MYSESS",
                         ";mysess"), "");
}
END_TEST

START_TEST(route_of_a_session_id)
{
    ck_assert_str_eq(jk_session_route("ABC123.worker2"), "worker2");
    /* only the first dot counts: the rest is the route */
    ck_assert_str_eq(jk_session_route("ABC.dc1.node2"), "dc1.node2");
    ck_assert_str_eq(jk_session_route("AB=C+/~!*.work-er_2"), "work-er_2");
    ck_assert_str_eq(jk_session_route(".worker1"), "worker1");
    /* no dot, or nothing after it: no route */
    ck_assert_ptr_null(jk_session_route("ABC123"));
    ck_assert_ptr_null(jk_session_route("ABC."));
    ck_assert_ptr_null(jk_session_route(""));
    ck_assert_ptr_null(jk_session_route(NULL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Sticky choice                                                        */

START_TEST(session_of_worker2_always_goes_to_worker2)
{
    build(2, NULL);
    for (int i = 0; i < 100; i++) {
        outcome o = get_sticky("worker2");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 1);
    }
    ck_assert_int_eq(T.m[0]->calls, 0);
    /* the same through the path parameter */
    ck_assert_int_eq(request("GET", "/index.jsp;jsessionid=ABC.worker2", NULL).member, 1);
    ck_assert_int_eq(request("GET", "/app;jsessionid=ABC.worker1/index.jsp", NULL).member, 0);
    ck_assert_int_eq(T.m[0]->calls, 1);
}
END_TEST

START_TEST(path_parameter_wins_over_cookie)
{
    build(2, NULL);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(request("GET", "/a.jsp;jsessionid=P.worker1", "JSESSIONID=C.worker2")
                         .member, 0);
}
END_TEST

START_TEST(session_ids_are_tried_in_order)
{
    build(3, "worker.worker1.activation=S");
    /* an id whose route nobody has, then worker3's */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(request("GET", "/", "JSESSIONID=A.gone; JSESSIONID=B.worker3").member, 2);
    /* the first id's member is stopped: the second id decides */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(request2("GET", "/", "JSESSIONID=A.worker1", "JSESSIONID=B.worker3")
                         .member, 2);
    ck_assert_int_eq(T.m[0]->calls, 0);
}
END_TEST

START_TEST(custom_cookie_name_is_used_for_stickiness)
{
    build(2, "worker.lb.session_cookie=MYSESS\nworker.lb.session_path=;mysess");
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(request("GET", "/", "JSESSIONID=J.worker1; MYSESS=M.worker2").member, 1);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(request("GET", "/x;mysess=M.worker1", NULL).member, 0);
}
END_TEST

START_TEST(session_without_route_is_balanced)
{
    build(2, NULL);
    for (int i = 0; i < 10; i++) {
        outcome o = request("GET", "/", i % 2 ? "JSESSIONID=NODOT" : "JSESSIONID=ABC.");
        ck_assert_int_eq(o.member, i % 2);
    }
}
END_TEST

START_TEST(sticky_session_off_ignores_the_route)
{
    build(2, "worker.lb.sticky_session=false");
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(get_sticky("worker2").member, i % 2);
}
END_TEST

START_TEST(unknown_route_names_a_domain)
{
    /* Routes dc1.a, dc1.b (domain dc1, derived) and dc2.a (domain dc2). */
    build(3, "worker.worker1.route=dc1.a\nworker.worker2.route=dc1.b\n"
             "worker.worker3.route=dc2.a");
    ck_assert_str_eq(T.m[0]->worker.config->domain, "dc1");
    /* dc1.c does not exist: its domain dc1 does, and both its members share the session. */
    for (int i = 0; i < 20; i++) {
        outcome o = get_sticky("dc1.c");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_msg(o.member == 0 || o.member == 1, "dc1 session went to worker%d",
                      o.member + 1);
    }
    ck_assert_int_eq(T.m[2]->calls, 0);
    ck_assert_int_gt(T.m[0]->calls, 0);
    ck_assert_int_gt(T.m[1]->calls, 0);
    /* a route that is only a domain name */
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(get_sticky("dc2").member, 2);
}
END_TEST

START_TEST(owner_in_error_redirects)
{
    build(3, "worker.worker1.redirect=worker3");
    T.m[0]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get_sticky("worker1");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.first_call, 0);
        ck_assert_int_eq(o.member, 2);
    }
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
    for (int i = 0; i < 10; i++) {
        outcome o = get_sticky("worker1");
        ck_assert_int_eq(o.member, 2);
        ck_assert_int_eq(o.calls, 1);
    }
    ck_assert_int_eq(T.m[1]->calls, 0);
}
END_TEST

START_TEST(redirect_may_go_to_a_disabled_member)
{
    build(3, "worker.worker1.redirect=worker3\nworker.worker3.activation=D");
    T.m[0]->otherwise = JK_ERR_UNAVAILABLE;
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(get_sticky("worker1").member, 2);
    ck_assert_int_eq(T.m[1]->calls, 0);
}
END_TEST

START_TEST(owner_in_error_falls_back_to_its_domain)
{
    build(3, "worker.worker1.domain=dc1\nworker.worker2.domain=dc1\nworker.worker3.domain=dc2\n"
             "worker.worker2.lbfactor=1\nworker.worker3.lbfactor=50");
    T.m[0]->otherwise = JK_ERR_UNAVAILABLE;
    for (int i = 0; i < 10; i++) {
        outcome o = get_sticky("worker1");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 1);
    }
    ck_assert_int_eq(T.m[2]->calls, 0);
    ck_assert_int_eq(T.m[0]->calls, 1);
}
END_TEST

START_TEST(owner_without_redirect_or_domain_falls_back_to_balancing)
{
    build(2, NULL);
    T.m[1]->otherwise = JK_ERR_UNAVAILABLE;
    ck_assert_int_eq(get_sticky("worker2").member, 0);
    ck_assert_int_eq(get_sticky("worker2").member, 0);
    ck_assert_int_eq(T.m[1]->calls, 1);
}
END_TEST

START_TEST(sticky_session_force_gives_503_without_another_member)
{
    build(2, "worker.lb.sticky_session_force=true");
    /* healthy owner: served as usual */
    ck_assert_int_eq(get_sticky("worker2").member, 1);
    /* the owner fails: no failover to worker1 */
    T.m[1]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get_sticky("worker2");
        ck_assert_int_eq(o.result, JK_ERR_UNAVAILABLE);
        ck_assert_int_eq(jk_result_http_status(o.result), 503);
        ck_assert_int_eq(o.calls, 1);
        ck_assert_int_eq(o.first_call, 1);
    }
    /* the owner is in error now: 503 at once, nobody is called */
    {
        outcome o = get_sticky("worker2");
        ck_assert_int_eq(o.result, JK_ERR_UNAVAILABLE);
        ck_assert_int_eq(o.calls, 0);
    }
    ck_assert_int_eq(T.m[0]->calls, 0);
    /* requests without a session still work */
    ck_assert_int_eq(get().member, 0);
}
END_TEST

START_TEST(disabled_member_keeps_its_sessions_only)
{
    build(2, "worker.worker2.activation=D");
    ck_assert_int_eq(atomic_load(&shm_of(1)->activation), JK_ACTIVATION_DISABLED);
    send_plain(50);
    ck_assert_int_eq(T.m[1]->calls, 0);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(get_sticky("worker2").member, 1);
    ck_assert_int_eq(T.m[1]->calls, 10);
    /* activation is read at run time: enable it and it takes new requests again */
    atomic_store(&shm_of(1)->activation, JK_ACTIVATION_ACTIVE);
    trace_len = 0;
    send_plain(10);
    ck_assert_int_gt(count_of(trace, trace_len, 1), 0);
}
END_TEST

START_TEST(stopped_member_gets_nothing)
{
    build(2, "worker.worker2.activation=S");
    send_plain(20);
    for (int i = 0; i < 10; i++) {
        outcome o = get_sticky("worker2");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 0);
    }
    ck_assert_int_eq(T.m[1]->calls, 0);
}
END_TEST

START_TEST(activation_of_the_serving_member_is_sent)
{
    /* mod_jk's JK_LB_ACTIVATION values: the application can refuse a disabled member's
     * sessions, so a sticky request to it must say DIS. */
    build(3, "worker.worker2.activation=D\nworker.worker3.activation=S");
    ck_assert_str_eq(get().activation, "ACT");
    ck_assert_str_eq(get_sticky("worker2").activation, "DIS");
    /* a stopped member's session goes to another member, whose activation is sent */
    ck_assert_int_eq(get_sticky("worker3").member, 0);
    ck_assert_str_eq(get_sticky("worker3").activation, "ACT");
}
END_TEST

START_TEST(route_of_the_serving_member_is_reported)
{
    build(2, "worker.worker2.route=tomcatB");
    ck_assert_int_eq(get_sticky("tomcatB").member, 1);
    /* after a failover, the route is the one that served */
    T.m[1]->otherwise = JK_ERR_UNAVAILABLE;
    ck_assert_int_eq(get_sticky("tomcatB").member, 0);
}
END_TEST

/* Session ids as found, then the sticky choice. */
TCase *lb_sticky_tcase(void)
{
    TCase *tc = tcase_create("sticky");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, session_ids_are_found, 0,
                        (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
    tcase_add_test(tc, session_ids_from_several_cookie_headers_in_order);
    tcase_add_test(tc, custom_session_cookie_and_path);
    tcase_add_test(tc, route_of_a_session_id);
    tcase_add_test(tc, session_of_worker2_always_goes_to_worker2);
    tcase_add_test(tc, path_parameter_wins_over_cookie);
    tcase_add_test(tc, session_ids_are_tried_in_order);
    tcase_add_test(tc, custom_cookie_name_is_used_for_stickiness);
    tcase_add_test(tc, session_without_route_is_balanced);
    tcase_add_test(tc, sticky_session_off_ignores_the_route);
    tcase_add_test(tc, unknown_route_names_a_domain);
    tcase_add_test(tc, owner_in_error_redirects);
    tcase_add_test(tc, redirect_may_go_to_a_disabled_member);
    tcase_add_test(tc, owner_in_error_falls_back_to_its_domain);
    tcase_add_test(tc, owner_without_redirect_or_domain_falls_back_to_balancing);
    tcase_add_test(tc, sticky_session_force_gives_503_without_another_member);
    tcase_add_test(tc, disabled_member_keeps_its_sessions_only);
    tcase_add_test(tc, stopped_member_gets_nothing);
    tcase_add_test(tc, route_of_the_serving_member_is_reported);
    tcase_add_test(tc, activation_of_the_serving_member_is_sent);
    return tc;
}
