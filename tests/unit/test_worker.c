/*
 * The decisions shared by the workers: which result gives the client which
 * status, and when a request may be sent again.
 */
#include "jk_worker.h"

#include <apr_general.h>
#include <check.h>

#include "unit_fixtures.h"
#include <string.h>

static jk_service make(const char *method, int started, int streamed)
{
    jk_service s;
    memset(&s, 0, sizeof(s));
    s.method = method;
    s.response_started = started;
    s.body_streamed = streamed;
    return s;
}

typedef struct resend_case {
    const char *method;
    jk_result result;
    int recovery_options;
    int started;
    int streamed;
    int expected;
} resend_case;

static const resend_case resend_cases[] = {
    /* Nothing reached the backend: always safe, whatever the method. */
    { "POST", JK_ERR_UNAVAILABLE, 0, 0, 0, 1 },
    { "POST", JK_ERR_BUSY, 0, 0, 0, 1 },
    { "POST", JK_ERR_UNAVAILABLE, JK_RECOVER_NOT_AFTER_SENT, 0, 0, 1 },
    /* The backend may have acted: idempotent methods only. */
    { "GET", JK_ERR_BACKEND_IO, 0, 0, 0, 1 },
    { "HEAD", JK_ERR_TIMEOUT, 0, 0, 0, 1 },
    { "PUT", JK_ERR_PROTOCOL, 0, 0, 0, 1 },
    { "DELETE", JK_ERR_BACKEND_IO, 0, 0, 0, 1 },
    { "OPTIONS", JK_ERR_STATUS, 0, 0, 0, 1 },
    { "POST", JK_ERR_BACKEND_IO, 0, 0, 0, 0 },
    { "PATCH", JK_ERR_TIMEOUT, 0, 0, 0, 0 },
    { "FOO", JK_ERR_BACKEND_IO, 0, 0, 0, 0 },
    { "get", JK_ERR_BACKEND_IO, 0, 0, 0, 0 },
    /* recovery_options 1: never after sending, unless 8 (HEAD) or 16 (GET) say so. */
    { "GET", JK_ERR_BACKEND_IO, JK_RECOVER_NOT_AFTER_SENT, 0, 0, 0 },
    { "GET", JK_ERR_BACKEND_IO, JK_RECOVER_NOT_AFTER_SENT | JK_RECOVER_ALWAYS_GET, 0, 0, 1 },
    { "HEAD", JK_ERR_BACKEND_IO, JK_RECOVER_NOT_AFTER_SENT | JK_RECOVER_ALWAYS_HEAD, 0, 0, 1 },
    { "HEAD", JK_ERR_BACKEND_IO, JK_RECOVER_NOT_AFTER_SENT | JK_RECOVER_ALWAYS_GET, 0, 0, 0 },
    { "GET", JK_ERR_BACKEND_IO, JK_RECOVER_NOT_AFTER_SENT | JK_RECOVER_ALWAYS_HEAD |
                                JK_RECOVER_ALWAYS_GET, 0, 0, 1 },
    /* Once the client got headers, or the body was streamed, never. */
    { "GET", JK_ERR_BACKEND_IO, 0, 1, 0, 0 },
    { "GET", JK_ERR_UNAVAILABLE, 0, 1, 0, 0 },
    { "PUT", JK_ERR_BACKEND_IO, 0, 0, 1, 0 },
    { "GET", JK_ERR_BACKEND_IO, JK_RECOVER_ALWAYS_GET, 0, 1, 0 },
    /* Not the backend's fault, or not worth repeating. */
    { "GET", JK_ERR_CLIENT, 0, 0, 0, 0 },
    { "GET", JK_ERR_TOO_LARGE, 0, 0, 0, 0 },
    { "GET", JK_ERR_INTERNAL, 0, 0, 0, 0 },
    { "GET", JK_OK, 0, 0, 0, 0 },
};

START_TEST(resend_decision)
{
    const resend_case *c = &resend_cases[_i];
    jk_service s = make(c->method, c->started, c->streamed);
    ck_assert_msg(jk_may_resend(&s, c->result, c->recovery_options) == c->expected,
                  "case %d: %s %s options %d started %d streamed %d: expected %d", _i, c->method,
                  jk_result_text(c->result), c->recovery_options, c->started, c->streamed,
                  c->expected);
}
END_TEST

START_TEST(client_status_for_each_result)
{
    ck_assert_int_eq(jk_result_http_status(JK_OK), 200);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_CLIENT), 400);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_UNAVAILABLE), 503);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_BUSY), 503);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_TIMEOUT), 504);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_PROTOCOL), 502);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_BACKEND_IO), 502);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_TOO_LARGE), 431);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_STATUS), 503);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_STATUS_SOFT), 503);
    ck_assert_int_eq(jk_result_http_status(JK_ERR_INTERNAL), 500);
}
END_TEST

START_TEST(idempotent_methods)
{
    static const char *const yes[] = { "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" };
    static const char *const no[] = { "POST", "PATCH", "LOCK", "MKCOL", "FOO", "" };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        jk_service s = make(yes[i], 0, 0);
        ck_assert_msg(jk_service_is_idempotent(&s), "%s", yes[i]);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        jk_service s = make(no[i], 0, 0);
        ck_assert_msg(!jk_service_is_idempotent(&s), "%s", no[i]);
    }
}
END_TEST

static Suite *worker_suite(void)
{
    Suite *s = suite_create("worker");
    TCase *tc = tcase_create("decisions");

    tcase_add_loop_test(tc, resend_decision, 0,
                        (int)(sizeof(resend_cases) / sizeof(resend_cases[0])));
    tcase_add_test(tc, client_status_for_each_result);
    tcase_add_test(tc, idempotent_methods);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(worker_suite, "worker");
}
