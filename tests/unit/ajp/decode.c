/* decode.c: Tomcat's good replies decoded: headers, body chunks, END_RESPONSE, CPONG. */
#include "ajp_fixture.h"

START_TEST(test_decode_send_headers)
{
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(good_headers, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_SEND_HEADERS);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.reason, "OK");
    ck_assert_int_eq(r.num_headers, 5);
    ck_assert_str_eq(r.headers[0].name, "Content-Type");
    ck_assert_str_eq(r.headers[0].value, "text/html");
    ck_assert_str_eq(r.headers[1].name, "Set-Cookie");
    ck_assert_str_eq(r.headers[1].value, "a=1");
    ck_assert_str_eq(r.headers[2].name, "X-Powered-By");
    ck_assert_str_eq(r.headers[2].value, "JSP");
    ck_assert_str_eq(r.headers[3].name, "Set-Cookie");
    ck_assert_str_eq(r.headers[3].value, "b=2");
    ck_assert_str_eq(r.headers[4].name, "WWW-Authenticate");
    ck_assert_str_eq(r.headers[4].value, "Basic");
}
END_TEST

START_TEST(test_decode_send_headers_no_headers)
{
    static const uint8_t in[] = {
        0x04, 0x01, 0x30, 0x00, 0x0C, 'N', 'o', 't', ' ', 'M', 'o', 'd', 'i', 'f', 'i', 'e', 'd',
        0x00, 0x00, 0x00
    };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), APR_SUCCESS);
    ck_assert_int_eq(r.status, 304);
    ck_assert_str_eq(r.reason, "Not Modified");
    ck_assert_int_eq(r.num_headers, 0);
}
END_TEST

START_TEST(test_decode_every_coded_response_header)
{
    static const char *const names[] = {
        "Content-Type", "Content-Language", "Content-Length", "Date", "Last-Modified",
        "Location", "Set-Cookie", "Set-Cookie2", "Servlet-Engine", "Status", "WWW-Authenticate"
    };
    uint8_t in[256];
    apr_size_t n = 0;
    jk_ajp_reply r;

    in[n++] = 0x04;
    in[n++] = 0x00;
    in[n++] = 0xC8;
    in[n++] = 0xFF;                     /* null reason */
    in[n++] = 0xFF;
    in[n++] = 0x00;
    in[n++] = 11;
    for (int i = 1; i <= 11; i++) {
        in[n++] = 0xA0;
        in[n++] = (uint8_t)i;
        in[n++] = 0x00;
        in[n++] = 0x01;
        in[n++] = (uint8_t)('a' + i);
        in[n++] = 0x00;
    }
    ck_assert_int_eq(decode(in, n, &r), APR_SUCCESS);
    ck_assert_int_eq(r.num_headers, 11);
    for (int i = 0; i < 11; i++) {
        char v[2] = { (char)('a' + i + 1), '\0' };
        ck_assert_str_eq(r.headers[i].name, names[i]);
        ck_assert_str_eq(r.headers[i].value, v);
    }
}
END_TEST

START_TEST(test_decode_status_limits)
{
    static const uint8_t s100[] = { 0x04, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t s999[] = { 0x04, 0x03, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(s100, &r), APR_SUCCESS);
    ck_assert_int_eq(r.status, 100);
    ck_assert_int_eq(DECODE(s999, &r), APR_SUCCESS);
    ck_assert_int_eq(r.status, 999);
}
END_TEST

START_TEST(test_decode_body_chunk_with_nul)
{
    static const uint8_t in[] = { 0x03, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_SEND_BODY_CHUNK);
    ck_assert_uint_eq(r.chunk_len, 5);
    ck_assert_int_eq(memcmp(r.chunk, "hello", 5), 0);
}
END_TEST

START_TEST(test_decode_body_chunk_without_nul)
{
    static const uint8_t in[] = { 0x03, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o' };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), APR_SUCCESS);
    ck_assert_uint_eq(r.chunk_len, 5);
    ck_assert_int_eq(memcmp(r.chunk, "hello", 5), 0);
}
END_TEST

START_TEST(test_decode_body_chunk_binary)
{
    static const uint8_t in[] = { 0x03, 0x00, 0x03, 0x00, 0xFF, 0x00, 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), APR_SUCCESS);
    ck_assert_uint_eq(r.chunk_len, 3);
    ck_assert_int_eq(memcmp(r.chunk, "\0\xff\0", 3), 0);
}
END_TEST

START_TEST(test_decode_empty_body_chunk)
{
    static const uint8_t with_nul[] = { 0x03, 0x00, 0x00, 0x00 };
    static const uint8_t bare[] = { 0x03, 0x00, 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(with_nul, &r), APR_SUCCESS);
    ck_assert_uint_eq(r.chunk_len, 0);
    ck_assert_int_eq(DECODE(bare, &r), APR_SUCCESS);
    ck_assert_uint_eq(r.chunk_len, 0);
}
END_TEST

START_TEST(test_decode_end_response)
{
    static const uint8_t reuse[] = { 0x05, 0x01 };
    static const uint8_t close[] = { 0x05, 0x00 };
    static const uint8_t missing[] = { 0x05 };
    jk_ajp_reply r;

    ck_assert_int_eq(DECODE(reuse, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_END_RESPONSE);
    ck_assert_int_eq(r.reuse, 1);
    ck_assert_int_eq(DECODE(close, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_END_RESPONSE);
    ck_assert_int_eq(r.reuse, 0);
    ck_assert_int_eq(DECODE(missing, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_END_RESPONSE);
    ck_assert_int_eq(r.reuse, 0);
}
END_TEST

START_TEST(test_decode_get_body_chunk)
{
    static const uint8_t in[] = { 0x06, 0x1F, 0xFA };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_GET_BODY_CHUNK);
    ck_assert_uint_eq(r.requested, 8186);
}
END_TEST

START_TEST(test_decode_cpong)
{
    static const uint8_t in[] = { 0x09 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), APR_SUCCESS);
    ck_assert_int_eq(r.type, JK_AJP_CPONG);
}
END_TEST

/* Every reply type, as Tomcat sends it. */
TCase *ajp_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_decode_send_headers);
    tcase_add_test(tc, test_decode_send_headers_no_headers);
    tcase_add_test(tc, test_decode_every_coded_response_header);
    tcase_add_test(tc, test_decode_status_limits);
    tcase_add_test(tc, test_decode_body_chunk_with_nul);
    tcase_add_test(tc, test_decode_body_chunk_without_nul);
    tcase_add_test(tc, test_decode_body_chunk_binary);
    tcase_add_test(tc, test_decode_empty_body_chunk);
    tcase_add_test(tc, test_decode_end_response);
    tcase_add_test(tc, test_decode_get_body_chunk);
    tcase_add_test(tc, test_decode_cpong);
    return tc;
}
