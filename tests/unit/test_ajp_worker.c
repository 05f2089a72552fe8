/*
 * Component tests of the ajp13 worker: a jk_service driven through
 * jk_ajp_worker against the fake AJP backend (faults) in this process.
 */
#include "jk_ajp_worker.h"
#include "fake_ajp.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <check.h>

#include "unit_fixtures.h"
#include <string.h>

static apr_pool_t *pool;
static fake_ajp fake;

/* What the "client" saw. */
typedef struct client {
    int status;
    int num_headers;
    char header_dump[512];
    apr_size_t body_len;
    const char *upload;      /* request body to give */
    apr_size_t upload_len, upload_pos;
    int fail_upload_at;      /* >0: the client breaks off after this many bytes */
    int flushes;             /* flushes the worker asked for */
    apr_size_t body_at_first_flush;
    int discards;
} client;

static apr_status_t c_read(jk_service *s, char *buf, apr_size_t want, apr_size_t *got)
{
    client *c = s->ctx;
    apr_size_t left = c->upload_len - c->upload_pos;
    if (c->fail_upload_at > 0 && c->upload_pos >= (apr_size_t)c->fail_upload_at)
        return APR_ECONNRESET;
    *got = want < left ? want : left;
    memcpy(buf, c->upload + c->upload_pos, *got);
    c->upload_pos += *got;
    return APR_SUCCESS;
}

static apr_status_t c_start(jk_service *s, int status, const char *reason, const jk_header *h,
                            int n)
{
    client *c = s->ctx;
    (void)reason;
    c->status = status;
    c->num_headers = n;
    for (int i = 0; i < n; i++) {
        strncat(c->header_dump, h[i].name, sizeof(c->header_dump) - strlen(c->header_dump) - 1);
        strncat(c->header_dump, "=", sizeof(c->header_dump) - strlen(c->header_dump) - 1);
        strncat(c->header_dump, h[i].value, sizeof(c->header_dump) - strlen(c->header_dump) - 1);
        strncat(c->header_dump, ";", sizeof(c->header_dump) - strlen(c->header_dump) - 1);
    }
    return APR_SUCCESS;
}

static apr_status_t c_write(jk_service *s, const char *buf, apr_size_t len)
{
    client *c = s->ctx;
    (void)buf;
    c->body_len += len;
    return APR_SUCCESS;
}

/* As httpd's side: a flush is what lets the client see the response. */
static apr_status_t c_flush(jk_service *s)
{
    client *c = s->ctx;
    if (c->flushes++ == 0)
        c->body_at_first_flush = c->body_len;
    s->response_started = 1;
    return APR_SUCCESS;
}

static void c_discard(jk_service *s)
{
    client *c = s->ctx;
    c->discards++;
}

static const jk_service_io client_io = { c_read, c_start, c_write, c_flush, NULL };
/* A client side that holds the response until it is flushed, as httpd's does. */
static const jk_service_io holding_io = { c_read, c_start, c_write, c_flush, c_discard };

static void make_service(jk_service *s, client *c, const char *method, apr_off_t cl)
{
    static const jk_header headers[] = { { "Host", "example" }, { "X-Test", "1" } };
    memset(s, 0, sizeof(*s));
    s->pool = pool;
    s->method = method;
    s->protocol = "HTTP/1.1";
    s->uri = "/x";
    s->remote_addr = s->remote_host = "127.0.0.1";
    s->remote_port = 4242;
    s->server_name = "example";
    s->server_port = 80;
    s->ssl_key_size = -1;
    s->headers = headers;
    s->num_headers = 2;
    s->content_length = cl;
    s->io = &client_io;
    s->ctx = c;
}

static jk_worker *make_worker_with(int port, int retries, void (*adjust)(jk_worker_config *))
{
    jk_worker_config *cfg = jk_config_default_worker(pool, "w1");
    jk_worker_env env = { .threads_per_child = 4 };
    jk_worker *w;
    cfg->host = "127.0.0.1";
    cfg->port = port;
    cfg->retries = retries;
    cfg->retry_interval = 1;
    cfg->reply_timeout = 500;
    if (adjust)
        adjust(cfg);
    ck_assert_int_eq(jk_ajp_worker_create(pool, cfg, &env, &w), APR_SUCCESS);
    return w;
}

static jk_worker *make_worker(int port, int retries)
{
    return make_worker_with(port, retries, NULL);
}

static jk_result run(jk_worker *w, client *c, const char *method, apr_off_t cl)
{
    jk_service s;
    make_service(&s, c, method, cl);
    return w->ops->service(w, &s);
}

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

START_TEST(forwards_and_reuses_the_connection)
{
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    fake.response_size = 20000;
    w = make_worker(fake.port, 2);
    for (int i = 0; i < 5; i++) {
        client c = { 0 };
        ck_assert_int_eq(run(w, &c, "GET", 0), JK_OK);
        ck_assert_int_eq(c.status, 200);
        ck_assert_str_eq(c.header_dump, "Content-Type=text/plain;X-Fake=yes;");
        ck_assert_uint_eq(c.body_len, 20000);
    }
    ck_assert_int_eq(fake_ajp_requests(&fake), 5);
    ck_assert_int_eq(fake_ajp_connections(&fake), 1);
    fake_ajp_stop(&fake);
}
END_TEST

START_TEST(reuse_zero_closes_the_connection)
{
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NO_REUSE), 0);
    w = make_worker(fake.port, 2);
    for (int i = 0; i < 3; i++) {
        client c = { 0 };
        ck_assert_int_eq(run(w, &c, "GET", 0), JK_OK);
    }
    ck_assert_int_eq(fake_ajp_connections(&fake), 3);
    fake_ajp_stop(&fake);
}
END_TEST

START_TEST(streams_a_body_larger_than_a_packet)
{
    static char upload[100000];
    client c = { 0 };
    jk_worker *w;
    memset(upload, 'u', sizeof(upload));
    c.upload = upload;
    c.upload_len = sizeof(upload);
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    w = make_worker(fake.port, 2);
    ck_assert_int_eq(run(w, &c, "POST", (apr_off_t)sizeof(upload)), JK_OK);
    ck_assert_uint_eq(fake_ajp_body_bytes(&fake), sizeof(upload));
    fake_ajp_stop(&fake);
}
END_TEST

START_TEST(broken_upload_ends_the_body_for_the_backend)
{
    static char upload[50000];
    client c = { 0 };
    jk_worker *w;
    c.upload = upload;
    c.upload_len = sizeof(upload);
    c.fail_upload_at = 20000;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    w = make_worker(fake.port, 2);
    ck_assert_int_eq(run(w, &c, "POST", (apr_off_t)sizeof(upload)), JK_ERR_CLIENT);
    /* The backend was told the body ended (CVE-2008-5519), and the connection is not reused. */
    {
        client next = { 0 };
        ck_assert_int_eq(run(w, &next, "GET", 0), JK_OK);
        ck_assert_int_eq(fake_ajp_connections(&fake), 2);
    }
    ck_assert_int_ge(fake.empty_chunks, 1);
    fake_ajp_stop(&fake);
}
END_TEST

/* A loopback port where nothing listens: the fake's, after it stopped. */
static int refusing_port(void)
{
    int port;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    port = fake.port;
    fake_ajp_stop(&fake);
    return port;
}

START_TEST(refused_connection_is_unavailable)
{
    client c = { 0 };
    jk_worker *w = make_worker(refusing_port(), 3);
    ck_assert_int_eq(run(w, &c, "GET", 0), JK_ERR_UNAVAILABLE);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_UNAVAILABLE), 503);
}
END_TEST

static void hour_long_retry_interval(jk_worker_config *cfg)
{
    cfg->retry_interval = 3600 * 1000;
}

/* A refused connect is final: the retries go at once.  Were retry_interval slept, this test
 * would sit for hours and Check's timeout would fail it. */
START_TEST(refused_connection_retries_without_sleeping)
{
    client c = { 0 };
    jk_worker *w = make_worker_with(refusing_port(), 3, hour_long_retry_interval);
    ck_assert_int_eq(run(w, &c, "GET", 0), JK_ERR_UNAVAILABLE);
}
END_TEST

START_TEST(stale_pooled_connection_is_retried)
{
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    fake.close_after_each = 1; /* the backend drops every idle connection */
    w = make_worker(fake.port, 1);
    for (int i = 0; i < 3; i++) {
        client c = { 0 };
        ck_assert_int_eq(run(w, &c, "GET", 0), JK_OK);
        ck_assert_int_eq(c.status, 200);
    }
    ck_assert_int_eq(fake_ajp_requests(&fake), 3);
    fake_ajp_stop(&fake);
}
END_TEST

static void cping_after_connect_and_long_replies(jk_worker_config *cfg)
{
    cfg->ping_mode = JK_PING_CONNECT;
    cfg->connect_timeout = 200;
    cfg->reply_timeout = 3600 * 1000;
}

/* A request of an lb member (single_attempt: another member could take it). */
typedef struct waiting_request {
    jk_worker *w;
    jk_result result;
} waiting_request;

static void *APR_THREAD_FUNC send_waiting_request(apr_thread_t *t, void *arg)
{
    waiting_request *q = arg;
    client c = { 0 };
    jk_service s;
    make_service(&s, &c, "GET", 0);
    s.single_attempt = 1;
    q->result = q->w->ops->service(q->w, &s);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/*
 * The backend froze with a request in flight.  A second request then finds it stalled (its
 * CPing after connecting times out): the first one is cut at once instead of waiting for its
 * hour-long reply_timeout (without the cut, Check's timeout fails this test).
 */
START_TEST(a_stall_found_by_another_request_cuts_the_waiting_one)
{
    waiting_request q = { NULL, JK_OK };
    apr_thread_t *thread;
    apr_status_t rv;
    client c = { 0 };
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_SILENT), 0);
    q.w = make_worker_with(fake.port, 1, cping_after_connect_and_long_replies);
    ck_assert_int_eq(apr_thread_create(&thread, NULL, send_waiting_request, &q, pool),
                     APR_SUCCESS);
    while (fake_ajp_requests(&fake) < 1)
        apr_sleep(1000);
    fake_ajp_set_mode(&fake, FAKE_IGNORE_CPING);
    ck_assert_int_eq(run(q.w, &c, "GET", 0), JK_ERR_UNAVAILABLE);
    apr_thread_join(&rv, thread);
    ck_assert_int_eq(q.result, JK_ERR_STALLED);
    ck_assert_int_eq(jk_result_http_status(q.result), 502);
    ck_assert_uint_eq(atomic_load(&q.w->shm->stalls), 1);
    ck_assert_uint_eq(atomic_load(&q.w->shm->requests_cut), 1);
    fake_ajp_stop(&fake);
}
END_TEST

static void expect_fault(fake_mode mode, jk_result expected, int client_status)
{
    jk_worker *w;
    client c = { 0 };
    ck_assert_int_eq(fake_ajp_start(&fake, mode), 0);
    w = make_worker(fake.port, 2);
    ck_assert_int_eq(run(w, &c, "GET", 0), expected);
    ck_assert_int_eq(c.status, client_status);
    /* The poisoned connection is never reused: the next request opens a new one. */
    fake_ajp_set_mode(&fake, FAKE_NORMAL);
    {
        client next = { 0 };
        ck_assert_int_eq(run(w, &next, "GET", 0), JK_OK);
    }
    ck_assert_int_eq(fake_ajp_connections(&fake), 2);
    fake_ajp_stop(&fake);
}

START_TEST(bad_magic_is_a_protocol_error) { expect_fault(FAKE_BAD_MAGIC, JK_ERR_PROTOCOL, 0); }
END_TEST
START_TEST(oversized_chunk_is_a_protocol_error) { expect_fault(FAKE_BIG_CHUNK, JK_ERR_PROTOCOL, 200); }
END_TEST
START_TEST(body_before_headers_is_a_protocol_error) { expect_fault(FAKE_BODY_FIRST, JK_ERR_PROTOCOL, 0); }
END_TEST
START_TEST(headers_twice_is_a_protocol_error) { expect_fault(FAKE_HEADERS_TWICE, JK_ERR_PROTOCOL, 200); }
END_TEST
START_TEST(unknown_type_is_a_protocol_error) { expect_fault(FAKE_UNKNOWN_TYPE, JK_ERR_PROTOCOL, 0); }
END_TEST
START_TEST(truncated_reply_is_a_lost_connection) { expect_fault(FAKE_TRUNCATED, JK_ERR_BACKEND_IO, 0); }
END_TEST
START_TEST(silence_is_a_reply_timeout) { expect_fault(FAKE_SILENT, JK_ERR_TIMEOUT, 0); }
END_TEST

/* One GET through a fresh worker against the fake in `mode`, on the holding client side. */
static jk_result run_holding(fake_mode mode, client *c, jk_service *s)
{
    jk_worker *w;
    jk_result result;
    ck_assert_int_eq(fake_ajp_start(&fake, mode), 0);
    w = make_worker(fake.port, 1);
    make_service(s, c, "GET", 0);
    s->io = &holding_io;
    result = w->ops->service(w, s);
    fake_ajp_stop(&fake);
    return result;
}

/* The fake sends `before` bytes, pauses, then one more: those before are flushed in the
 * pause, alone. */
static void expect_flushed_in_the_pause(fake_mode mode, apr_size_t before)
{
    client c = { 0 };
    jk_service s;
    ck_assert_int_eq(run_holding(mode, &c, &s), JK_OK);
    ck_assert_int_eq(c.flushes, 1);
    ck_assert_uint_eq(c.body_at_first_flush, before);
    ck_assert_uint_eq(c.body_len, before + 1);
}

START_TEST(a_flush_tomcat_asks_for_reaches_the_client_before_the_rest)
{
    expect_flushed_in_the_pause(FAKE_FLUSH_PAUSE, 1);
}
END_TEST

START_TEST(a_slow_body_reaches_the_client_without_a_flush_message)
{
    expect_flushed_in_the_pause(FAKE_SLOW_BODY, 2);
}
END_TEST

/* Under load (or with its packets dropped) Tomcat's end of reply can be far behind its
 * first body packet: that alone must not commit the response, or a member dying then
 * leaves the client a cut reply instead of a failover.  The pause is longer than the
 * trickle hold. */
START_TEST(a_pause_in_the_body_keeps_the_response_held)
{
    client c = { 0 };
    jk_service s;
    ck_assert_int_eq(run_holding(FAKE_PAUSE_LOST, &c, &s), JK_ERR_BACKEND_IO);
    ck_assert_int_eq(c.flushes, 0);
    ck_assert_int_eq(s.response_started, 0);
    ck_assert_int_eq(c.status, 200);
}
END_TEST

static void ping_after_connect(jk_worker_config *cfg)
{
    cfg->ping_mode = JK_PING_CONNECT;
    cfg->connect_timeout = 200;
}

static void ping_before_request(jk_worker_config *cfg)
{
    cfg->ping_mode = JK_PING_PREPOST;
    cfg->prepost_timeout = 200;
}

START_TEST(cping_after_connect_and_before_each_request)
{
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    w = make_worker_with(fake.port, 2, ping_after_connect);
    for (int i = 0; i < 3; i++) {
        client c = { 0 };
        ck_assert_int_eq(run(w, &c, "GET", 0), JK_OK);
    }
    ck_assert_int_eq(fake.cpings, 1); /* one connection, one CPING */
    fake_ajp_stop(&fake);
    /* The fake serves one connection at a time: a new one for the second worker. */
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    w = make_worker_with(fake.port, 2, ping_before_request);
    for (int i = 0; i < 3; i++) {
        client c = { 0 };
        ck_assert_int_eq(run(w, &c, "GET", 0), JK_OK);
    }
    ck_assert_int_eq(fake.cpings, 2); /* the pooled connection, before requests 2 and 3 */
    fake_ajp_stop(&fake);
}
END_TEST

START_TEST(missing_cpong_makes_the_backend_unavailable)
{
    client c = { 0 };
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_IGNORE_CPING), 0);
    w = make_worker_with(fake.port, 2, ping_after_connect);
    ck_assert_int_eq(run(w, &c, "GET", 0), JK_ERR_UNAVAILABLE);
    ck_assert_int_eq(fake_ajp_requests(&fake), 0); /* the request itself was never sent */
    ck_assert_int_eq(fake_ajp_connections(&fake), 2); /* each attempt on a fresh connection */
    /* Nobody else was answered meanwhile: a stall each time, no busy member. */
    ck_assert_uint_eq(atomic_load(&w->shm->stalls), 2);
    ck_assert_uint_eq(atomic_load(&w->shm->busy_waits), 0);
    fake_ajp_stop(&fake);
}
END_TEST

/* Stands for the member's other connections: it answers them all along. */
typedef struct other_answers {
    jk_worker *w;
    _Atomic int stop;
} other_answers;

static void *APR_THREAD_FUNC keep_answering(apr_thread_t *t, void *arg)
{
    other_answers *o = arg;
    while (!atomic_load(&o->stop)) {
        atomic_store(&o->w->shm->last_answer_at, apr_time_now());
        apr_sleep(20 * 1000);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* A CPing that times out while the member answers others meets a busy member: the request
 * may go elsewhere (503 here, a single worker), but no stall is counted, so nothing in
 * flight on the member is cut and an lb keeps it in rotation. */
START_TEST(missing_cpong_from_a_member_busy_answering_others_is_no_stall)
{
    other_answers o = { NULL, 0 };
    apr_thread_t *thread;
    apr_status_t rv;
    client c = { 0 };
    jk_result result;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_IGNORE_CPING), 0);
    o.w = make_worker_with(fake.port, 2, ping_after_connect);
    ck_assert_int_eq(apr_thread_create(&thread, NULL, keep_answering, &o, pool), APR_SUCCESS);
    result = run(o.w, &c, "GET", 0);
    atomic_store(&o.stop, 1);
    apr_thread_join(&rv, thread);
    ck_assert_int_eq(result, JK_ERR_BUSY);
    ck_assert_int_eq(jk_result_http_status(result), 503);
    ck_assert_uint_eq(atomic_load(&o.w->shm->stalls), 0);
    ck_assert_uint_eq(atomic_load(&o.w->shm->busy_waits), 2);
    ck_assert_int_eq(fake_ajp_connections(&fake), 2); /* retried as an unreachable one is */
    fake_ajp_stop(&fake);
}
END_TEST

static void fail_on_500(jk_worker_config *cfg)
{
    static int codes[] = { 500, -503 };
    apr_array_header_t *a = apr_array_make(pool, 2, sizeof(int));
    APR_ARRAY_PUSH(a, int) = codes[0];
    APR_ARRAY_PUSH(a, int) = codes[1];
    cfg->fail_on_status = a;
}

START_TEST(fail_on_status_hides_the_reply)
{
    client c = { 0 }, d = { 0 };
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    w = make_worker_with(fake.port, 2, fail_on_500);
    fake.status = 500;
    ck_assert_int_eq(run(w, &c, "GET", 0), JK_ERR_STATUS);
    ck_assert_int_eq(c.status, 0); /* the client never saw Tomcat's 500 */
    fake.status = 503;
    ck_assert_int_eq(run(w, &d, "GET", 0), JK_ERR_STATUS_SOFT);
    fake_ajp_stop(&fake);
}
END_TEST

static void busy_limit_zero_pool(jk_worker_config *cfg)
{
    cfg->busy_limit = 1;
}

START_TEST(busy_limit_refuses_beyond_the_limit)
{
    client c = { 0 };
    jk_worker *w;
    ck_assert_int_eq(fake_ajp_start(&fake, FAKE_NORMAL), 0);
    w = make_worker_with(fake.port, 2, busy_limit_zero_pool);
    atomic_store(&w->shm->busy, 1); /* another request is in flight */
    ck_assert_int_eq(run(w, &c, "GET", 0), JK_ERR_BUSY);
    atomic_store(&w->shm->busy, 0);
    ck_assert_int_eq(run(w, &c, "GET", 0), JK_OK);
    fake_ajp_stop(&fake);
}
END_TEST

static Suite *ajp_worker_suite(void)
{
    Suite *s = suite_create("ajp_worker");
    TCase *tc = tcase_create("worker");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, forwards_and_reuses_the_connection);
    tcase_add_test(tc, reuse_zero_closes_the_connection);
    tcase_add_test(tc, streams_a_body_larger_than_a_packet);
    tcase_add_test(tc, broken_upload_ends_the_body_for_the_backend);
    tcase_add_test(tc, refused_connection_is_unavailable);
    tcase_add_test(tc, refused_connection_retries_without_sleeping);
    tcase_add_test(tc, a_stall_found_by_another_request_cuts_the_waiting_one);
    tcase_add_test(tc, stale_pooled_connection_is_retried);
    tcase_add_test(tc, bad_magic_is_a_protocol_error);
    tcase_add_test(tc, oversized_chunk_is_a_protocol_error);
    tcase_add_test(tc, body_before_headers_is_a_protocol_error);
    tcase_add_test(tc, headers_twice_is_a_protocol_error);
    tcase_add_test(tc, unknown_type_is_a_protocol_error);
    tcase_add_test(tc, truncated_reply_is_a_lost_connection);
    tcase_add_test(tc, silence_is_a_reply_timeout);
    tcase_add_test(tc, a_flush_tomcat_asks_for_reaches_the_client_before_the_rest);
    tcase_add_test(tc, a_slow_body_reaches_the_client_without_a_flush_message);
    tcase_add_test(tc, a_pause_in_the_body_keeps_the_response_held);
    tcase_add_test(tc, cping_after_connect_and_before_each_request);
    tcase_add_test(tc, missing_cpong_makes_the_backend_unavailable);
    tcase_add_test(tc, missing_cpong_from_a_member_busy_answering_others_is_no_stall);
    tcase_add_test(tc, fail_on_status_hides_the_reply);
    tcase_add_test(tc, busy_limit_refuses_beyond_the_limit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(ajp_worker_suite, "ajp_worker");
}
