/* choice.c: the lb's choice of member: weights, distance and the counting methods. */
#include "lb_fixture.h"

/* ------------------------------------------------------------------ */
/* Weights                                                              */

START_TEST(multipliers)
{
    static const struct {
        int n;
        int factors[3];
        uint64_t mult[3];
    } cases[] = {
        { 2, { 1, 1 }, { 1, 1 } },
        { 2, { 3, 1 }, { 1, 3 } },
        { 3, { 1, 2, 3 }, { 6, 3, 2 } },
        { 2, { 4, 6 }, { 3, 2 } },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        uint64_t mult[3] = { 0, 0, 0 };
        jk_lb_multipliers(cases[c].factors, cases[c].n, mult);
        for (int i = 0; i < cases[c].n; i++)
            ck_assert_msg(mult[i] == cases[c].mult[i], "case %zu member %d: lb_mult %llu, "
                          "expected %llu", c, i, (unsigned long long)mult[i],
                          (unsigned long long)cases[c].mult[i]);
    }
}
END_TEST

START_TEST(request_1_1_strictly_alternates)
{
    build(2, NULL);
    send_plain(1000);
    ck_assert_int_eq(trace_len, 1000);
    for (int i = 0; i < trace_len; i++)
        ck_assert_msg(trace[i] == i % 2, "request %d went to worker%d", i + 1, trace[i] + 1);
}
END_TEST

START_TEST(request_3_1_gives_75_25_interleaved)
{
    build(2, "worker.worker1.lbfactor=3\nworker.worker2.lbfactor=1");
    send_plain(10000);
    /* 75% +- 1 point of 10,000 */
    ck_assert_int_ge(count_of(trace, trace_len, 0), 7400);
    ck_assert_int_le(count_of(trace, trace_len, 0), 7600);
    ck_assert_int_ge(count_of(trace, trace_len, 1), 2400);
    ck_assert_int_le(count_of(trace, trace_len, 1), 2600);
    /* interleaved, not in bursts */
    ck_assert_int_le(longest_run(trace, trace_len, 0), 3);
    ck_assert_int_eq(longest_run(trace, trace_len, 1), 1);
}
END_TEST

START_TEST(request_5_1_1)
{
    build(3, "worker.worker1.lbfactor=5\nworker.worker2.lbfactor=1\nworker.worker3.lbfactor=1");
    send_plain(7000);
    ck_assert_int_ge(count_of(trace, trace_len, 0), 4930);
    ck_assert_int_le(count_of(trace, trace_len, 0), 5070);
    for (int m = 1; m <= 2; m++) {
        ck_assert_int_ge(count_of(trace, trace_len, m), 930);
        ck_assert_int_le(count_of(trace, trace_len, m), 1070);
        ck_assert_int_eq(longest_run(trace, trace_len, m), 1);
    }
    ck_assert_int_le(longest_run(trace, trace_len, 0), 5);
}
END_TEST

START_TEST(lowest_distance_is_used_while_usable)
{
    /* worker1 is far away; worker2 and worker3 are near and share the load. */
    build(3, "worker.worker1.distance=1\nworker.worker2.distance=0\nworker.worker3.distance=0\n"
             "worker.worker1.lbfactor=100");
    send_plain(100);
    ck_assert_int_eq(T.m[0]->calls, 0);
    ck_assert_int_eq(T.m[1]->calls, 50);
    ck_assert_int_eq(T.m[2]->calls, 50);

    /* Both near members fail: the far one takes the request, and the next ones. */
    T.m[1]->otherwise = JK_ERR_UNAVAILABLE;
    T.m[2]->otherwise = JK_ERR_UNAVAILABLE;
    {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.member, 0);
        ck_assert_int_eq(o.calls, 3);
    }
    trace_len = 0;
    send_plain(10);
    ck_assert_int_eq(count_of(trace, trace_len, 0), 10);
}
END_TEST

START_TEST(distance_beats_lb_value)
{
    /* The near member keeps everything even though its lb_value grows far past the other's. */
    build(2, "worker.worker1.distance=0\nworker.worker2.distance=2");
    send_plain(200);
    ck_assert_int_eq(T.m[0]->calls, 200);
    ck_assert_int_eq(T.m[1]->calls, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Methods                                                              */

START_TEST(request_method_counts_sticky_requests)
{
    build(2, NULL);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(get_sticky("worker2").member, 1);
    /* worker2 got 6 requests already: the next 6 new ones all go to worker1. */
    trace_len = 0;
    send_plain(6);
    ck_assert_int_eq(count_of(trace, trace_len, 0), 6);
}
END_TEST

static void sticky_requests_do_not_count(const char *method)
{
    build(2, apr_psprintf(pool, "worker.lb.method=%s", method));
    ck_assert_int_eq(T.lb_config->method, method[0] == 'S' ? JK_LB_METHOD_SESSION
                                                           : JK_LB_METHOD_NEXT);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(get_sticky("worker2").member, 1);
    ck_assert_int_eq(atomic_load(&shm_of(1)->lb_value), 0);
    /* Only new sessions count: the new requests keep alternating. */
    trace_len = 0;
    send_plain(6);
    for (int i = 0; i < trace_len; i++)
        ck_assert_msg(trace[i] == i % 2, "new request %d went to worker%d", i + 1, trace[i] + 1);
}

START_TEST(session_method_counts_only_new_sessions)
{
    sticky_requests_do_not_count("Session");
}
END_TEST

START_TEST(next_method_counts_only_new_sessions)
{
    sticky_requests_do_not_count("Next");
}
END_TEST

START_TEST(traffic_method_balances_bytes)
{
    /* worker1's answers are three times as big: worker2 gets three requests for its one. */
    build(2, "worker.lb.method=T");
    ck_assert_int_eq(T.lb_config->method, JK_LB_METHOD_TRAFFIC);
    T.m[0]->add_written = 300;
    T.m[1]->add_written = 100;
    send_plain(4000);
    ck_assert_int_ge(count_of(trace, trace_len, 1), 2960);
    ck_assert_int_le(count_of(trace, trace_len, 1), 3040);
    ck_assert_int_le(longest_run(trace, trace_len, 1), 3);
}
END_TEST

START_TEST(traffic_method_counts_both_directions)
{
    /* 200 in + 100 out on worker1 weighs the same as 300 out on worker2. */
    build(2, "worker.lb.method=Traffic");
    T.m[0]->add_read = 200;
    T.m[0]->add_written = 100;
    T.m[1]->add_written = 300;
    send_plain(100);
    for (int i = 0; i < trace_len; i++)
        ck_assert_msg(trace[i] == i % 2, "request %d went to worker%d", i + 1, trace[i] + 1);
    ck_assert_int_eq(atomic_load(&shm_of(0)->lb_value), 50 * 300);
    ck_assert_int_eq(atomic_load(&shm_of(1)->lb_value), 50 * 300);
}
END_TEST

/* Without sessions every counting method gives 3:1 weights a 75/25 split. */
static const char *const counting_methods[] = { "Request", "Session", "Next", "Traffic" };

START_TEST(weights_3_1_hold_for_every_counting_method)
{
    const char *method = counting_methods[_i];
    int w1;
    build(2, apr_psprintf(pool, "worker.lb.method=%s\nworker.worker1.lbfactor=3", method));
    T.m[0]->add_written = 100; /* equal answers: Traffic then weighs by lbfactor alone */
    T.m[1]->add_written = 100;
    send_plain(4000);
    w1 = count_of(trace, trace_len, 0);
    ck_assert_msg(w1 >= 2960 && w1 <= 3040, "method %s: worker1 got %d of 4000, expected 3000",
                  method, w1);
    ck_assert_msg(longest_run(trace, trace_len, 0) <= 3, "method %s: worker1 got %d in a row",
                  method, longest_run(trace, trace_len, 0));
}
END_TEST

START_TEST(busyness_idle_members_rotate_and_counters_return_to_zero)
{
    build(2, "worker.lb.method=Busyness");
    ck_assert_int_eq(T.lb_config->method, JK_LB_METHOD_BUSYNESS);
    for (int i = 0; i < 20; i++) {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_msg(o.member == i % 2, "request %d went to worker%d", i + 1, o.member + 1);
        /* Busyness counts requests in flight: none is once a request ended. */
        ck_assert_msg(atomic_load(&shm_of(0)->lb_value) == 0 &&
                      atomic_load(&shm_of(1)->lb_value) == 0,
                      "after request %d: lb_value %llu / %llu, expected 0 / 0 (nothing in "
                      "flight)", i + 1, (unsigned long long)atomic_load(&shm_of(0)->lb_value),
                      (unsigned long long)atomic_load(&shm_of(1)->lb_value));
    }
}
END_TEST

static int nested_served[16];
static int nested_count;

/* While worker1 is busy with one request, ten more arrive one after the other. */
static void send_ten_while_busy(fake_member *f, jk_service *s)
{
    (void)f;
    (void)s;
    for (int i = 0; i < 10; i++) {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        nested_served[nested_count++] = o.member;
    }
}

START_TEST(busyness_avoids_the_busy_member)
{
    build(2, "worker.lb.method=B");
    T.m[0]->during = send_ten_while_busy;
    nested_count = 0;
    ck_assert_int_eq(get().member, 0);
    ck_assert_int_eq(nested_count, 10);
    for (int i = 0; i < nested_count; i++)
        ck_assert_msg(nested_served[i] == 1, "request %d arriving while worker1 was busy went to "
                      "worker%d; expected worker2 (idle)", i + 1, nested_served[i] + 1);
}
END_TEST

/* Weights, distance, then the methods. */
TCase *lb_choice_tcase(void)
{
    TCase *tc = tcase_create("choice");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, multipliers);
    tcase_add_test(tc, request_1_1_strictly_alternates);
    tcase_add_test(tc, request_3_1_gives_75_25_interleaved);
    tcase_add_test(tc, request_5_1_1);
    tcase_add_test(tc, lowest_distance_is_used_while_usable);
    tcase_add_test(tc, distance_beats_lb_value);
    tcase_add_test(tc, request_method_counts_sticky_requests);
    tcase_add_test(tc, session_method_counts_only_new_sessions);
    tcase_add_test(tc, next_method_counts_only_new_sessions);
    tcase_add_test(tc, traffic_method_balances_bytes);
    tcase_add_test(tc, traffic_method_counts_both_directions);
    tcase_add_loop_test(tc, weights_3_1_hold_for_every_counting_method, 0,
                        (int)(sizeof(counting_methods) / sizeof(counting_methods[0])));
    tcase_add_test(tc, busyness_idle_members_rotate_and_counters_return_to_zero);
    tcase_add_test(tc, busyness_avoids_the_busy_member);
    return tc;
}
