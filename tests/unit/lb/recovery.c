/* recovery.c: failover, errors, probes, forced recovery, retries, slow start, health checks. */
#include "lb_fixture.h"

/* ------------------------------------------------------------------ */
/* Failover and state                                                   */

START_TEST(unavailable_member_goes_to_error_and_the_other_serves)
{
    build(2, NULL);
    T.m[0]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.first_call, 0);
        ck_assert_int_eq(o.member, 1);
    }
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_OK);
    /* nothing is connection-refused twice: the error member is skipped */
    send_plain(20);
    ck_assert_int_eq(T.m[0]->calls, 1);
}
END_TEST

START_TEST(unavailable_post_fails_over_too)
{
    /* the backend never saw the request, so even a POST may go elsewhere */
    build(2, NULL);
    T.m[1]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = request("POST", "/form.jsp", "JSESSIONID=A.worker2");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.first_call, 1);
        ck_assert_int_eq(o.member, 0);
    }
}
END_TEST

START_TEST(backend_io_on_get_fails_over)
{
    build(2, NULL);
    T.m[0]->otherwise = JK_ERR_BACKEND_IO;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.first_call, 0);
        ck_assert_int_eq(o.member, 1);
    }
}
END_TEST

START_TEST(backend_io_on_post_is_not_resent)
{
    build(2, NULL);
    T.m[0]->otherwise = JK_ERR_BACKEND_IO;
    {
        outcome o = request("POST", "/form.jsp", NULL);
        ck_assert_int_eq(o.result, JK_ERR_BACKEND_IO);
        ck_assert_int_eq(jk_result_http_status(o.result), 502);
        ck_assert_int_eq(o.calls, 1);
    }
    ck_assert_int_eq(T.m[1]->calls, 0);
}
END_TEST

static void start_response_then_fail(fake_member *f, jk_service *s)
{
    (void)f;
    s->response_started = 1;
}

START_TEST(no_failover_once_the_response_started)
{
    build(2, NULL);
    T.m[0]->otherwise = JK_ERR_BACKEND_IO;
    T.m[0]->during = start_response_then_fail;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_ERR_BACKEND_IO);
        ck_assert_int_eq(o.calls, 1);
    }
    ck_assert_int_eq(T.m[1]->calls, 0);
}
END_TEST

/* Tomcat's headers came, then its connection broke: the client has not seen a byte. */
static void hold_headers_then_fail(fake_member *f, jk_service *s)
{
    (void)f;
    s->response_status = 200;
    s->bytes_written += 100;
}

START_TEST(a_held_response_is_dropped_and_the_request_goes_to_the_other_member)
{
    build(2, NULL);
    discards = 0;
    T.m[0]->otherwise = JK_ERR_BACKEND_IO;
    T.m[0]->during = hold_headers_then_fail;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 1);
        ck_assert_int_eq(o.calls, 2);
    }
    ck_assert_int_eq(discards, 1);
}
END_TEST

START_TEST(client_error_changes_nothing)
{
    build(2, NULL);
    T.m[0]->otherwise = JK_ERR_CLIENT;
    for (int i = 0; i < 3; i++) {
        outcome o = get_sticky("worker1");
        ck_assert_int_eq(o.result, JK_ERR_CLIENT);
        ck_assert_int_eq(o.calls, 1);
        ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
    }
    ck_assert_int_eq(T.m[1]->calls, 0);
    /* worker1 still takes its share of new requests (its 3 sticky ones counted as load) */
    T.m[0]->otherwise = JK_OK;
    trace_len = 0;
    send_plain(10);
    ck_assert_int_ge(count_of(trace, trace_len, 0), 3);
    ck_assert_int_eq(T.m[0]->calls, 3 + count_of(trace, trace_len, 0));
}
END_TEST

START_TEST(busy_member_stays_ok_and_the_other_serves)
{
    build(2, NULL);
    script(T.m[0], 1, (jk_result[]){ JK_ERR_BUSY });
    {
        outcome o = request("POST", "/form.jsp", NULL);
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 1);
    }
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
}
END_TEST

START_TEST(soft_status_fails_over_and_keeps_the_member)
{
    build(2, NULL);
    script(T.m[0], 1, (jk_result[]){ JK_ERR_STATUS_SOFT });
    ck_assert_int_eq(get().member, 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
}
END_TEST

START_TEST(fatal_status_fails_over_and_puts_the_member_in_error)
{
    build(2, NULL);
    script(T.m[0], 1, (jk_result[]){ JK_ERR_STATUS });
    ck_assert_int_eq(get().member, 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
}
END_TEST

/* recover_time 10: worker1 fails once, then comes back. */
static void put_worker1_in_error(void)
{
    build(2, "worker.lb.recover_time=10");
    script(T.m[0], 1, (jk_result[]){ JK_ERR_UNAVAILABLE });
    ck_assert_int_eq(get().member, 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
    ck_assert_int_eq(T.m[0]->calls, 1);
}

START_TEST(error_member_is_skipped_until_recover_time)
{
    put_worker1_in_error();
    for (int t = 0; t < 9; t++) {
        advance(1);
        send_plain(5);
    }
    ck_assert_int_eq(T.m[0]->calls, 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
}
END_TEST

START_TEST(one_request_probes_after_recover_time_and_success_brings_it_back)
{
    uint64_t v0, v1;
    put_worker1_in_error();
    advance(5);
    send_plain(30); /* worker2's lb_value runs far ahead */
    advance(6);     /* 11 s after the error */
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 0);
    }
    ck_assert_int_eq(T.m[0]->calls, 2);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
    /* levelled with the others: no flood of requests to catch up */
    v0 = atomic_load(&shm_of(0)->lb_value);
    v1 = atomic_load(&shm_of(1)->lb_value);
    ck_assert_msg(v0 + 1 >= v1 && v0 <= v1 + 1, "lb_value after recovery %llu, other %llu",
                  (unsigned long long)v0, (unsigned long long)v1);
    trace_len = 0;
    send_plain(10);
    ck_assert_int_eq(count_of(trace, trace_len, 0), 5);
    ck_assert_int_eq(longest_run(trace, trace_len, 0), 1);
}
END_TEST

START_TEST(failed_probe_keeps_the_member_in_error_for_another_recover_time)
{
    put_worker1_in_error();
    advance(11);
    T.m[0]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get(); /* the probe: fails, the request is served by worker2 */
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.first_call, 0);
        ck_assert_int_eq(o.member, 1);
    }
    ck_assert_int_eq(T.m[0]->calls, 2);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
    advance(9);
    send_plain(10);
    ck_assert_int_eq(T.m[0]->calls, 2);
    advance(2);
    T.m[0]->otherwise = JK_OK;
    ck_assert_int_eq(get().member, 0);
    ck_assert_int_eq(T.m[0]->calls, 3);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
}
END_TEST

static int probe_nested_calls_to_worker1;

static void requests_during_the_probe(fake_member *f, jk_service *s)
{
    int before = f->calls;
    (void)s;
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(get().member, 1);
    probe_nested_calls_to_worker1 = f->calls - before;
}

START_TEST(only_one_request_probes_at_a_time)
{
    put_worker1_in_error();
    advance(11);
    T.m[0]->during = requests_during_the_probe;
    probe_nested_calls_to_worker1 = -1;
    ck_assert_int_eq(get().member, 0);
    ck_assert_int_eq(probe_nested_calls_to_worker1, 0);
}
END_TEST

START_TEST(sticky_requests_wait_for_recovery_too)
{
    put_worker1_in_error();
    advance(3);
    ck_assert_int_eq(get_sticky("worker1").member, 1);
    ck_assert_int_eq(T.m[0]->calls, 1);
    advance(8);
    ck_assert_int_eq(get_sticky("worker1").member, 0);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
}
END_TEST

START_TEST(max_reply_timeouts_tolerates_that_many_in_a_row)
{
    build(2, "worker.lb.max_reply_timeouts=2");
    script(T.m[0], 6, (jk_result[]){ JK_ERR_TIMEOUT, JK_ERR_TIMEOUT, JK_OK, JK_ERR_TIMEOUT,
                                     JK_ERR_TIMEOUT, JK_ERR_TIMEOUT });
    for (int i = 0; i < 5; i++) {
        outcome o = get_sticky("worker1");
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.first_call, 0);
        ck_assert_int_eq(o.member, i == 2 ? 0 : 1);
        ck_assert_msg(atomic_load(&shm_of(0)->state) == JK_MEMBER_OK, "request %d: worker1 "
                      "in error after a tolerated reply timeout", i + 1);
    }
    /* the third timeout in a row */
    ck_assert_int_eq(get_sticky("worker1").member, 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
}
END_TEST

START_TEST(reply_timeout_without_tolerance_is_an_error)
{
    build(2, NULL);
    script(T.m[0], 1, (jk_result[]){ JK_ERR_TIMEOUT });
    ck_assert_int_eq(get_sticky("worker1").member, 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_ERROR);
}
END_TEST

START_TEST(all_members_in_error_gives_503_at_once)
{
    build(3, NULL);
    for (int i = 0; i < 3; i++)
        T.m[i]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_ERR_UNAVAILABLE);
        ck_assert_int_eq(o.calls, 3);
    }
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(atomic_load(&shm_of(i)->state), JK_MEMBER_ERROR);
    advance(1);
    for (int i = 0; i < 10; i++) {
        outcome o = i % 2 ? get() : get_sticky("worker2");
        ck_assert_int_eq(o.result, JK_ERR_UNAVAILABLE);
        ck_assert_int_eq(jk_result_http_status(o.result), 503);
        /* One forced recovery attempt per second at most; the rest are refused at once. */
        ck_assert_int_eq(o.calls, i == 0 ? 1 : 0);
    }
    /* Failed members are no reason to wait: no retry_interval was slept anywhere. */
    ck_assert_int_eq(sleeps, 0);
}
END_TEST

/* Both in error, but worker2 answered someone a moment ago (overloaded, not dead): the
 * forced recovery tries it, not worker1. */
START_TEST(forced_recovery_tries_the_member_that_answered_last)
{
    build(2, NULL);
    T.m[0]->otherwise = JK_ERR_UNAVAILABLE;
    T.m[1]->otherwise = JK_ERR_UNAVAILABLE;
    ck_assert_int_eq(get().result, JK_ERR_UNAVAILABLE);
    advance(1);
    atomic_store(&shm_of(1)->last_answer_at, 1000);
    T.m[1]->otherwise = JK_OK;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 1);
        ck_assert_int_eq(o.calls, 1);
    }
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_OK);
}
END_TEST

START_TEST(all_members_busy_waits_between_rounds_only)
{
    build(2, "worker.lb.retries=2\nworker.lb.retry_interval=300");
    T.m[0]->otherwise = JK_ERR_BUSY;
    T.m[1]->otherwise = JK_ERR_BUSY;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_ERR_BUSY);
        ck_assert_int_eq(o.calls, 4);
    }
    /* two rounds, one retry_interval between them; none after the last */
    ck_assert_int_eq(sleeps, 1);
    ck_assert_int_eq(slept_us, apr_time_from_msec(300));
    ck_assert_int_eq(atomic_load(&shm_of(0)->state), JK_MEMBER_OK);
}
END_TEST

START_TEST(lb_retries_bounds_members_tried_per_round)
{
    build(4, "worker.lb.lb_retries=2\nworker.lb.retries=1");
    ck_assert_int_eq(T.lb_config->lb_retries, 2);
    for (int i = 0; i < 4; i++)
        T.m[i]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_ERR_UNAVAILABLE);
        ck_assert_msg(o.calls == 2, "lb_retries=2, retries=1: %d members tried, expected 2",
                      o.calls);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Beyond mod_jk: slow start, retry budget, background health checks    */

/* Share of member 1 (0-based) among n plain requests. */
static double share_of_second(int n)
{
    int before = T.m[1]->calls;
    send_plain(n);
    return (double)(T.m[1]->calls - before) / n;
}

/* Requests whose outcome does not matter here (failovers allowed). */
static void send_any(int n)
{
    for (int i = 0; i < n; i++)
        get();
}

START_TEST(slow_start_ramps_a_returning_members_share)
{
    build(2, "worker.lb.slow_start=10\nworker.lb.recover_time=5");
    script(T.m[1], 1, (jk_result[]){ JK_ERR_UNAVAILABLE });
    send_any(2);
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_ERROR);
    advance(6);
    send_any(2); /* one of them is the probe; it succeeds: worker2 is back */
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_OK);
    {
        double early = share_of_second(200);
        advance(5);
        double middle = share_of_second(200);
        advance(6);
        double late = share_of_second(200);
        ck_assert_msg(early < 0.2, "just back: %.2f", early);
        ck_assert_msg(middle > early && middle < 0.45, "half way: %.2f", middle);
        ck_assert_msg(late > 0.45 && late < 0.55, "ramp over: %.2f", late);
    }
}
END_TEST

START_TEST(without_slow_start_a_returning_member_gets_its_share_at_once)
{
    build(2, "worker.lb.recover_time=5");
    script(T.m[1], 1, (jk_result[]){ JK_ERR_UNAVAILABLE });
    send_any(2);
    advance(6);
    send_any(2);
    ck_assert(share_of_second(200) > 0.45);
}
END_TEST

START_TEST(retry_budget_caps_failovers)
{
    int calls = 0, requests = 200;
    build(3, "worker.lb.retry_budget=20\nworker.lb.recover_time=1000");
    for (int i = 0; i < 3; i++)
        T.m[i]->otherwise = JK_ERR_BACKEND_IO; /* every member fails every request */
    for (int i = 0; i < requests; i++) {
        ck_assert_int_ne(get().result, JK_OK);
        /* Keep all members "usable" so that only the budget limits the failovers. */
        for (int k = 0; k < 3; k++)
            atomic_store(&shm_of(k)->state, JK_MEMBER_OK);
    }
    for (int i = 0; i < 3; i++)
        calls += T.m[i]->calls;
    /* Without a budget: 3 attempts per request.  With 20%: about 1.2. */
    ck_assert_msg(calls <= requests + requests / 5 + 3 + 1, "%d backend attempts", calls);
}
END_TEST

START_TEST(without_retry_budget_every_member_is_tried)
{
    int calls = 0;
    build(3, "worker.lb.recover_time=1000\nworker.lb.lb_retries=3");
    for (int i = 0; i < 3; i++)
        T.m[i]->otherwise = JK_ERR_BACKEND_IO;
    get();
    for (int i = 0; i < 3; i++)
        calls += T.m[i]->calls;
    ck_assert_int_eq(calls, 3);
}
END_TEST

START_TEST(health_check_brings_a_member_back_without_traffic)
{
    build(2, "worker.lb.health_check_interval=5\nworker.lb.recover_time=600");
    script(T.m[1], 1, (jk_result[]){ JK_ERR_UNAVAILABLE });
    send_any(2);
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_ERROR);
    probes = 0;
    probe_answer = JK_ERR_UNAVAILABLE;
    T.lb->ops->maintain(T.lb, test_clock());       /* too early: last check is "never" -> runs */
    ck_assert_int_eq(probes, 1);
    T.lb->ops->maintain(T.lb, test_clock());       /* same instant: not again */
    ck_assert_int_eq(probes, 1);
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_ERROR);
    advance(5);
    probe_answer = JK_OK;
    T.lb->ops->maintain(T.lb, test_clock());
    ck_assert_int_eq(probes, 2);
    ck_assert_int_eq(atomic_load(&shm_of(1)->state), JK_MEMBER_OK);
    ck_assert_int_eq(atomic_load(&shm_of(1)->last_check_ok), 1);
    /* Healthy members are not probed. */
    advance(10);
    T.lb->ops->maintain(T.lb, test_clock());
    ck_assert_int_eq(probes, 2);
}
END_TEST

/* Failover and recovery, then what mod_jk lacked. */
TCase *lb_recovery_tcase(void)
{
    TCase *tc = tcase_create("recovery");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unavailable_member_goes_to_error_and_the_other_serves);
    tcase_add_test(tc, unavailable_post_fails_over_too);
    tcase_add_test(tc, backend_io_on_get_fails_over);
    tcase_add_test(tc, backend_io_on_post_is_not_resent);
    tcase_add_test(tc, no_failover_once_the_response_started);
    tcase_add_test(tc, a_held_response_is_dropped_and_the_request_goes_to_the_other_member);
    tcase_add_test(tc, client_error_changes_nothing);
    tcase_add_test(tc, busy_member_stays_ok_and_the_other_serves);
    tcase_add_test(tc, soft_status_fails_over_and_keeps_the_member);
    tcase_add_test(tc, fatal_status_fails_over_and_puts_the_member_in_error);
    tcase_add_test(tc, error_member_is_skipped_until_recover_time);
    tcase_add_test(tc, one_request_probes_after_recover_time_and_success_brings_it_back);
    tcase_add_test(tc, failed_probe_keeps_the_member_in_error_for_another_recover_time);
    tcase_add_test(tc, only_one_request_probes_at_a_time);
    tcase_add_test(tc, sticky_requests_wait_for_recovery_too);
    tcase_add_test(tc, max_reply_timeouts_tolerates_that_many_in_a_row);
    tcase_add_test(tc, reply_timeout_without_tolerance_is_an_error);
    tcase_add_test(tc, all_members_in_error_gives_503_at_once);
    tcase_add_test(tc, forced_recovery_tries_the_member_that_answered_last);
    tcase_add_test(tc, all_members_busy_waits_between_rounds_only);
    tcase_add_test(tc, lb_retries_bounds_members_tried_per_round);
    tcase_add_test(tc, slow_start_ramps_a_returning_members_share);
    tcase_add_test(tc, without_slow_start_a_returning_member_gets_its_share_at_once);
    tcase_add_test(tc, retry_budget_caps_failovers);
    tcase_add_test(tc, without_retry_budget_every_member_is_tried);
    tcase_add_test(tc, health_check_brings_a_member_back_without_traffic);
    return tc;
}
