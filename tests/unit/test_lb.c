/*
 * Unit tests of the lb worker: member choice, sticky sessions, failover and
 * recovery, driven through jk_lb_worker_create() + service() with fake
 * members.  A fake member is a jk_worker whose service() records that it was
 * called and returns a scripted jk_result; its shared record comes from a
 * jk_shm built from the same workers.properties text as the lb, so state and
 * counters are read where every httpd child would read them.  Time is the
 * test's own clock and sleep (jk_lb_worker_set_clock), so recover_time and retry_interval
 * are simulated.
 */
#include "jk_lb_worker.h"
#include "jk_session.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#define MAX_MEMBERS 8
#define MAX_SCRIPT 32
#define MAX_TRACE 40000

/* ------------------------------------------------------------------ */
/* Simulated time                                                       */

static apr_time_t now_us;

static apr_time_t test_clock(void)
{
    return now_us;
}

static void advance(int seconds)
{
    now_us += apr_time_from_sec(seconds);
}

/* The lb's waits between rounds: counted, and they move the simulated clock. */
static int sleeps;
static apr_interval_time_t slept_us;

static void test_sleep(apr_interval_time_t usec)
{
    sleeps++;
    slept_us += usec;
    now_us += usec;
}

/* ------------------------------------------------------------------ */
/* Fake members                                                         */

typedef struct fake_member fake_member;
typedef void (*fake_hook)(fake_member *f, jk_service *s);

struct fake_member {
    jk_worker worker;
    int index;                      /* position in balance_workers */
    jk_result script[MAX_SCRIPT];   /* results of the next calls, in order */
    int script_len, script_pos;
    jk_result otherwise;            /* once the script is used up */
    int calls;
    apr_off_t add_read, add_written; /* bytes this member "moves" per request */
    fake_hook during;               /* runs inside service(), e.g. nested requests */
    int in_hook;
};

/* Every member call, in order, across all requests of a test. */
static int trace[MAX_TRACE];
static int trace_len;

static jk_result fake_service(jk_worker *w, jk_service *s)
{
    fake_member *f = w->impl;
    jk_result r;
    if (trace_len < MAX_TRACE)
        trace[trace_len++] = f->index;
    f->calls++;
    s->bytes_read += f->add_read;
    s->bytes_written += f->add_written;
    if (f->during && !f->in_hook) {
        f->in_hook = 1;
        f->during(f, s);
        f->in_hook = 0;
    }
    r = f->script_pos < f->script_len ? f->script[f->script_pos++] : f->otherwise;
    if (r == JK_OK) {
        s->response_started = 1;
        s->response_status = 200;
    }
    return r;
}

/* The fake's health: what probe() answers, and how often it was asked. */
static jk_result probe_answer = JK_OK;
static int probes;

static jk_result fake_probe(jk_worker *w, const char *uri)
{
    (void)w;
    (void)uri;
    probes++;
    return probe_answer;
}

static const jk_worker_ops fake_ops = { fake_service, NULL, fake_probe };

static void script(fake_member *f, int n, const jk_result *results)
{
    ck_assert_int_le(n, MAX_SCRIPT);
    memcpy(f->script, results, sizeof(jk_result) * (size_t)n);
    f->script_len = n;
    f->script_pos = 0;
}

/* ------------------------------------------------------------------ */
/* An lb named "lb" over worker1..workerN, built from properties text   */

typedef struct lb_fixture {
    apr_pool_t *pool;
    jk_config *config;
    jk_shm *shm;
    jk_worker *lb;
    const jk_worker_config *lb_config;
    fake_member *m[MAX_MEMBERS];
    int n;
} lb_fixture;

static apr_pool_t *pool;
static lb_fixture T;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    memset(&T, 0, sizeof(T));
    trace_len = 0;
    now_us = apr_time_from_sec(1000000);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static void add_lines(jk_props *p, const char *text, int *line)
{
    char *copy = apr_pstrdup(pool, text), *state = NULL;
    for (char *l = apr_strtok(copy, "\n", &state); l; l = apr_strtok(NULL, "\n", &state))
        jk_props_add_line(p, l, "workers.properties", ++*line);
}

/*
 * An lb over n members worker1..workerN (balance_workers in that order), every
 * member with its own host line, plus `extra` properties lines (lb keys as
 * worker.lb.*, member keys as worker.workerN.*).
 */
static void build(int n, const char *extra)
{
    jk_props *p = jk_props_create(pool);
    jk_worker_env env;
    jk_worker_table table;
    char *members = "";
    int line = 0;
    apr_status_t rv;

    ck_assert_int_le(n, MAX_MEMBERS);
    for (int i = 1; i <= n; i++)
        members = apr_psprintf(pool, "%s%sworker%d", members, i > 1 ? "," : "", i);
    add_lines(p, "worker.list=lb\nworker.lb.type=lb", &line);
    add_lines(p, apr_psprintf(pool, "worker.lb.balance_workers=%s", members), &line);
    for (int i = 1; i <= n; i++)
        add_lines(p, apr_psprintf(pool, "worker.worker%d.type=ajp13\nworker.worker%d.host="
                                  "127.0.0.1\nworker.worker%d.port=%d", i, i, i, 8000 + i), &line);
    if (extra)
        add_lines(p, extra, &line);

    T.config = jk_config_build(pool, p);
    ck_assert_msg(T.config->errors->nelts == 0, "config error: %s",
                  T.config->errors->nelts ? APR_ARRAY_IDX(T.config->errors, 0, const char *) : "");
    ck_assert_int_eq(jk_shm_create(pool, T.config, &T.shm), APR_SUCCESS);
    T.lb_config = jk_config_find(T.config, "lb");
    ck_assert_ptr_nonnull(T.lb_config);
    ck_assert_int_eq(T.lb_config->members->nelts, n);

    table.by_name = apr_hash_make(pool);
    table.all = apr_array_make(pool, n, sizeof(jk_worker *));
    for (int i = 0; i < n; i++) {
        const jk_worker_config *mc = APR_ARRAY_IDX(T.lb_config->members, i, jk_worker_config *);
        fake_member *f = apr_pcalloc(pool, sizeof(*f));
        f->index = i;
        f->otherwise = JK_OK;
        f->worker.name = mc->name;
        f->worker.type_name = "fake";
        f->worker.ops = &fake_ops;
        f->worker.config = mc;
        f->worker.endpoint = apr_psprintf(pool, "fake:%d", i + 1);
        f->worker.shm = jk_shm_member_find(T.shm, mc->name);
        f->worker.impl = f;
        ck_assert_ptr_nonnull(f->worker.shm);
        apr_hash_set(table.by_name, mc->name, APR_HASH_KEY_STRING, &f->worker);
        APR_ARRAY_PUSH(table.all, jk_worker *) = &f->worker;
        T.m[i] = f;
    }
    T.n = n;

    memset(&env, 0, sizeof(env));
    env.threads_per_child = 1;
    env.shm = T.shm;
    rv = jk_lb_worker_create(pool, T.lb_config, &env, &table, &T.lb);
    ck_assert_int_eq(rv, APR_SUCCESS);
    jk_lb_worker_set_clock(T.lb, test_clock, test_sleep);
    sleeps = 0;
    slept_us = 0;
}

static jk_shm_member *shm_of(int i)
{
    return T.m[i]->worker.shm;
}

/* Which member (0-based) has this route, or -1. */
static int member_of_route(const char *route)
{
    for (int i = 0; route && i < T.n; i++)
        if (strcmp(T.m[i]->worker.config->route, route) == 0)
            return i;
    return -1;
}

typedef struct outcome {
    jk_result result;
    int member;          /* who the lb says served it (s->route), -1 if none */
    int calls;           /* member calls this request made (nested requests excluded) */
    int first_call;      /* the first member called, -1 if none */
    const char *activation; /* what Tomcat is told in JK_LB_ACTIVATION (s->activation) */
} outcome;

/* One request through the lb: method, uri, and up to two Cookie headers (NULL: absent). */
/* The web server's side: it holds a response until it commits it, and can drop it. */
static int discards;

static void count_discard(jk_service *s)
{
    (void)s;
    discards++;
}

static const jk_service_io holding_io = { NULL, NULL, NULL, NULL, count_discard };

static outcome request2(const char *method, const char *uri, const char *cookie,
                        const char *cookie2)
{
    apr_pool_t *rp;
    jk_service *s;
    jk_header *h;
    outcome o;
    int before = trace_len;
    int calls_before[MAX_MEMBERS];

    for (int i = 0; i < T.n; i++)
        calls_before[i] = T.m[i]->calls;
    apr_pool_create(&rp, pool);
    s = apr_pcalloc(rp, sizeof(*s));
    h = apr_pcalloc(rp, sizeof(*h) * 2);
    s->pool = rp;
    s->method = method;
    s->protocol = "HTTP/1.1";
    s->uri = uri;
    s->remote_addr = "127.0.0.1";
    s->server_name = "localhost";
    s->server_port = 80;
    s->ssl_key_size = -1;
    s->content_length = 0;
    if (cookie) {
        h[s->num_headers].name = "Cookie";
        h[s->num_headers++].value = cookie;
    }
    if (cookie2) {
        h[s->num_headers].name = "Cookie";
        h[s->num_headers++].value = cookie2;
    }
    s->headers = h;
    s->io = &holding_io;

    o.result = T.lb->ops->service(T.lb, s);
    o.member = member_of_route(s->route);
    o.activation = s->activation; /* a string constant: outlives the request's pool */
    o.calls = 0;
    for (int i = 0; i < T.n; i++)
        o.calls += T.m[i]->calls - calls_before[i];
    o.first_call = trace_len > before ? trace[before] : -1;
    apr_pool_destroy(rp);
    return o;
}

static outcome request(const char *method, const char *uri, const char *cookie)
{
    return request2(method, uri, cookie, NULL);
}

static outcome get(void)
{
    return request("GET", "/index.jsp", NULL);
}

/* GET with a JSESSIONID cookie whose route is `route`. */
static outcome get_sticky(const char *route)
{
    return request("GET", "/index.jsp", apr_psprintf(pool, "JSESSIONID=0123456789ABCDEF.%s",
                                                     route));
}

static int longest_run(const int *seq, int len, int member)
{
    int best = 0, run = 0;
    for (int i = 0; i < len; i++) {
        run = seq[i] == member ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

static int count_of(const int *seq, int len, int member)
{
    int n = 0;
    for (int i = 0; i < len; i++)
        n += seq[i] == member;
    return n;
}

/* Sends n plain GETs that must all succeed; their servers go to trace. */
static void send_plain(int n)
{
    for (int i = 0; i < n; i++) {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.calls, 1);
    }
}

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

int main(void)
{
    Suite *s = suite_create("lb");
    TCase *weights = tcase_create("weights");
    TCase *methods = tcase_create("methods");
    TCase *parsing = tcase_create("session ids");
    TCase *sticky = tcase_create("sticky");
    TCase *failover = tcase_create("failover");
    SRunner *sr;
    int failed;

    apr_initialize();

    tcase_add_checked_fixture(weights, setup, teardown);
    tcase_add_test(weights, multipliers);
    tcase_add_test(weights, request_1_1_strictly_alternates);
    tcase_add_test(weights, request_3_1_gives_75_25_interleaved);
    tcase_add_test(weights, request_5_1_1);
    tcase_add_test(weights, lowest_distance_is_used_while_usable);
    tcase_add_test(weights, distance_beats_lb_value);
    suite_add_tcase(s, weights);

    tcase_add_checked_fixture(methods, setup, teardown);
    tcase_add_test(methods, request_method_counts_sticky_requests);
    tcase_add_test(methods, session_method_counts_only_new_sessions);
    tcase_add_test(methods, next_method_counts_only_new_sessions);
    tcase_add_test(methods, traffic_method_balances_bytes);
    tcase_add_test(methods, traffic_method_counts_both_directions);
    tcase_add_loop_test(methods, weights_3_1_hold_for_every_counting_method, 0,
                        (int)(sizeof(counting_methods) / sizeof(counting_methods[0])));
    tcase_add_test(methods, busyness_idle_members_rotate_and_counters_return_to_zero);
    tcase_add_test(methods, busyness_avoids_the_busy_member);
    suite_add_tcase(s, methods);

    tcase_add_checked_fixture(parsing, setup, teardown);
    tcase_add_loop_test(parsing, session_ids_are_found, 0,
                        (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
    tcase_add_test(parsing, session_ids_from_several_cookie_headers_in_order);
    tcase_add_test(parsing, custom_session_cookie_and_path);
    tcase_add_test(parsing, route_of_a_session_id);
    suite_add_tcase(s, parsing);

    tcase_add_checked_fixture(sticky, setup, teardown);
    tcase_add_test(sticky, session_of_worker2_always_goes_to_worker2);
    tcase_add_test(sticky, path_parameter_wins_over_cookie);
    tcase_add_test(sticky, session_ids_are_tried_in_order);
    tcase_add_test(sticky, custom_cookie_name_is_used_for_stickiness);
    tcase_add_test(sticky, session_without_route_is_balanced);
    tcase_add_test(sticky, sticky_session_off_ignores_the_route);
    tcase_add_test(sticky, unknown_route_names_a_domain);
    tcase_add_test(sticky, owner_in_error_redirects);
    tcase_add_test(sticky, redirect_may_go_to_a_disabled_member);
    tcase_add_test(sticky, owner_in_error_falls_back_to_its_domain);
    tcase_add_test(sticky, owner_without_redirect_or_domain_falls_back_to_balancing);
    tcase_add_test(sticky, sticky_session_force_gives_503_without_another_member);
    tcase_add_test(sticky, disabled_member_keeps_its_sessions_only);
    tcase_add_test(sticky, stopped_member_gets_nothing);
    tcase_add_test(sticky, route_of_the_serving_member_is_reported);
    tcase_add_test(sticky, activation_of_the_serving_member_is_sent);
    suite_add_tcase(s, sticky);

    tcase_add_checked_fixture(failover, setup, teardown);
    tcase_add_test(failover, unavailable_member_goes_to_error_and_the_other_serves);
    tcase_add_test(failover, unavailable_post_fails_over_too);
    tcase_add_test(failover, backend_io_on_get_fails_over);
    tcase_add_test(failover, backend_io_on_post_is_not_resent);
    tcase_add_test(failover, no_failover_once_the_response_started);
    tcase_add_test(failover, a_held_response_is_dropped_and_the_request_goes_to_the_other_member);
    tcase_add_test(failover, client_error_changes_nothing);
    tcase_add_test(failover, busy_member_stays_ok_and_the_other_serves);
    tcase_add_test(failover, soft_status_fails_over_and_keeps_the_member);
    tcase_add_test(failover, fatal_status_fails_over_and_puts_the_member_in_error);
    tcase_add_test(failover, error_member_is_skipped_until_recover_time);
    tcase_add_test(failover, one_request_probes_after_recover_time_and_success_brings_it_back);
    tcase_add_test(failover, failed_probe_keeps_the_member_in_error_for_another_recover_time);
    tcase_add_test(failover, only_one_request_probes_at_a_time);
    tcase_add_test(failover, sticky_requests_wait_for_recovery_too);
    tcase_add_test(failover, max_reply_timeouts_tolerates_that_many_in_a_row);
    tcase_add_test(failover, reply_timeout_without_tolerance_is_an_error);
    tcase_add_test(failover, all_members_in_error_gives_503_at_once);
    tcase_add_test(failover, forced_recovery_tries_the_member_that_answered_last);
    tcase_add_test(failover, all_members_busy_waits_between_rounds_only);
    tcase_add_test(failover, lb_retries_bounds_members_tried_per_round);
    suite_add_tcase(s, failover);
    {
        TCase *beyond = tcase_create("beyond_mod_jk");
        tcase_add_checked_fixture(beyond, setup, teardown);
        tcase_add_test(beyond, slow_start_ramps_a_returning_members_share);
        tcase_add_test(beyond, without_slow_start_a_returning_member_gets_its_share_at_once);
        tcase_add_test(beyond, retry_budget_caps_failovers);
        tcase_add_test(beyond, without_retry_budget_every_member_is_tried);
        tcase_add_test(beyond, health_check_brings_a_member_back_without_traffic);
        suite_add_tcase(s, beyond);
    }

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
