/* tables.c: the method, header and response header codes, and the error texts. */
#include "ajp_fixture.h"

/* ------------------------------------------------------------------ */
/* Tables                                                               */

static const char *const methods[] = {
    "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "PROPFIND", "PROPPATCH",
    "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN",
    "CHECKOUT", "UNCHECKOUT", "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
    "BASELINE-CONTROL", "MKACTIVITY"
};

START_TEST(test_method_codes)
{
    ck_assert_uint_eq(sizeof(methods) / sizeof(methods[0]), 27);
    for (int i = 0; i < 27; i++)
        ck_assert_msg(jk_ajp_method_code(methods[i]) == i + 1, "%s: got %d, expected %d",
                      methods[i], jk_ajp_method_code(methods[i]), i + 1);
}
END_TEST

START_TEST(test_method_codes_case_sensitive)
{
    ck_assert_int_eq(jk_ajp_method_code("get"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("Get"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("post"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("mkactivity"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("FOO"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("PATCH"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("GET "), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code("GETX"), JK_AJP_METHOD_UNKNOWN);
    ck_assert_int_eq(jk_ajp_method_code(""), JK_AJP_METHOD_UNKNOWN);
}
END_TEST

static const char *const request_headers[] = {
    "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization",
    "Connection", "Content-Type", "Content-Length", "Cookie", "Cookie2", "Host", "Pragma",
    "Referer", "User-Agent"
};

START_TEST(test_request_header_codes)
{
    for (int i = 0; i < 14; i++) {
        const char *name = request_headers[i];
        char *upper = apr_pstrdup(pool, name), *lower = apr_pstrdup(pool, name);
        for (char *c = upper; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        for (char *c = lower; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        /* The three Accept-* names with codes travel as strings (mod_jk 1.2.48 does so). */
        int code = i >= 1 && i <= 3 ? 0 : 0xA001 + i;
        ck_assert_int_eq(jk_ajp_request_header_code(name), code);
        ck_assert_int_eq(jk_ajp_request_header_code(upper), code);
        ck_assert_int_eq(jk_ajp_request_header_code(lower), code);
    }
    ck_assert_int_eq(jk_ajp_request_header_code("user-AGENT"), 0xA00E);
    ck_assert_int_eq(jk_ajp_request_header_code("cOOKIE"), 0xA009);
}
END_TEST

START_TEST(test_request_header_uncoded)
{
    ck_assert_int_eq(jk_ajp_request_header_code("X-Custom"), 0);
    ck_assert_int_eq(jk_ajp_request_header_code("Content-Lengths"), 0);
    ck_assert_int_eq(jk_ajp_request_header_code("Cookie3"), 0);
    ck_assert_int_eq(jk_ajp_request_header_code("Accept "), 0);
    ck_assert_int_eq(jk_ajp_request_header_code("Set-Cookie"), 0);
    ck_assert_int_eq(jk_ajp_request_header_code(""), 0);
}
END_TEST

START_TEST(test_response_header_names)
{
    ck_assert_str_eq(jk_ajp_response_header_name(0xA001), "Content-Type");
    ck_assert_str_eq(jk_ajp_response_header_name(0xA007), "Set-Cookie");
    ck_assert_str_eq(jk_ajp_response_header_name(0xA00B), "WWW-Authenticate");
    ck_assert_ptr_null(jk_ajp_response_header_name(0xA000));
    ck_assert_ptr_null(jk_ajp_response_header_name(0xA00C));
    ck_assert_ptr_null(jk_ajp_response_header_name(0xA0FF));
    ck_assert_ptr_null(jk_ajp_response_header_name(0xB001));
    ck_assert_ptr_null(jk_ajp_response_header_name(0x0001));
}
END_TEST

START_TEST(test_strerror)
{
    static const apr_status_t codes[] = {
        JK_MSG_EOVERFLOW, JK_MSG_ETRUNC, JK_MSG_EBADSTR, JK_MSG_EBADHDR, JK_AJP_EBADTYPE,
        JK_AJP_EBADHEADER, JK_AJP_EBADCHUNK, JK_AJP_ETRAILING, JK_AJP_EBADSTATUS
    };
    for (apr_size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        ck_assert_ptr_nonnull(jk_ajp_strerror(codes[i]));
        for (apr_size_t j = 0; j < i; j++)
            ck_assert_str_ne(jk_ajp_strerror(codes[i]), jk_ajp_strerror(codes[j]));
    }
    ck_assert_ptr_nonnull(jk_ajp_strerror(APR_EGENERAL));
}
END_TEST

/* The AJP13 code tables. */
TCase *ajp_tables_tcase(void)
{
    TCase *tc = tcase_create("tables");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_method_codes);
    tcase_add_test(tc, test_method_codes_case_sensitive);
    tcase_add_test(tc, test_request_header_codes);
    tcase_add_test(tc, test_request_header_uncoded);
    tcase_add_test(tc, test_response_header_names);
    tcase_add_test(tc, test_strerror);
    return tc;
}
