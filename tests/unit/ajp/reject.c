/* reject.c: malformed replies refused: bad types, lengths, strings, trailing bytes. */
#include "ajp_fixture.h"

/* --- rejected input --- */

START_TEST(test_reject_unknown_types)
{
    static const uint8_t types[] = { 0x00, 0x01, 0x02, 0x07, 0x08, 0x0A, 0x0B, 0x41, 0xFF };
    for (apr_size_t i = 0; i < sizeof(types); i++) {
        uint8_t in[3] = { types[i], 0x00, 0x00 };
        jk_ajp_reply r;
        ck_assert_msg(decode(in, sizeof(in), &r) == JK_AJP_EBADTYPE, "type 0x%02X accepted",
                      types[i]);
    }
}
END_TEST

START_TEST(test_reject_unknown_coded_header)
{
    static const uint8_t a00c[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0x00, 0x01,
        0xA0, 0x0C, 0x00, 0x01, 'x', 0x00
    };
    static const uint8_t a000[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0x00, 0x01,
        0xA0, 0x00, 0x00, 0x01, 'x', 0x00
    };
    static const uint8_t a0ff[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0x00, 0x01,
        0xA0, 0xFF, 0x00, 0x01, 'x', 0x00
    };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(a00c, &r), JK_AJP_EBADHEADER);
    ck_assert_int_eq(DECODE(a000, &r), JK_AJP_EBADHEADER);
    ck_assert_int_eq(DECODE(a0ff, &r), JK_AJP_EBADHEADER);
}
END_TEST

START_TEST(test_reject_header_count_too_large)
{
    static const uint8_t huge[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0xFF, 0xFF,
        0xA0, 0x01, 0x00, 0x01, 'x', 0x00
    };
    static const uint8_t one_more[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0x00, 0x02,
        0xA0, 0x01, 0x00, 0x01, 'x', 0x00
    };
    jk_ajp_reply r;
    ck_assert_int_ne(DECODE(huge, &r), APR_SUCCESS);
    ck_assert_int_ne(DECODE(one_more, &r), APR_SUCCESS);
}
END_TEST

START_TEST(test_reject_string_past_end)
{
    static const uint8_t reason[] = {
        0x04, 0x00, 0xC8, 0x7F, 0xFF, 'O', 'K', 0x00, 0x00, 0x00
    };
    static const uint8_t value[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0x00, 0x01,
        0xA0, 0x01, 0x01, 0x00, 'x', 0x00
    };
    static const uint8_t name[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 0x00, 0x00, 0x01,
        0x00, 0x40, 'X', 0x00, 0x00, 0x00
    };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(reason, &r), JK_MSG_ETRUNC);
    ck_assert_int_eq(DECODE(value, &r), JK_MSG_ETRUNC);
    ck_assert_int_eq(DECODE(name, &r), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_reject_string_without_nul)
{
    static const uint8_t in[] = {
        0x04, 0x00, 0xC8, 0x00, 0x02, 'O', 'K', 'X', 0x00, 0x00
    };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), JK_MSG_EBADSTR);
}
END_TEST

START_TEST(test_reject_chunk_longer_than_packet)
{
    /* CVE-2006-7197: a chunk length beyond the packet must never be trusted. */
    static const uint8_t huge[] = { 0x03, 0xFF, 0xFF, 'a', 'b', 0x00 };
    static const uint8_t one_over[] = { 0x03, 0x00, 0x06, 'h', 'e', 'l', 'l', 'o' };
    static const uint8_t no_data[] = { 0x03, 0x00, 0x01 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(huge, &r), JK_AJP_EBADCHUNK);
    ck_assert_int_eq(DECODE(one_over, &r), JK_AJP_EBADCHUNK);
    ck_assert_int_eq(DECODE(no_data, &r), JK_AJP_EBADCHUNK);
}
END_TEST

START_TEST(test_reject_chunk_with_extra_bytes)
{
    static const uint8_t in[] = { 0x03, 0x00, 0x01, 'x', 0x00, 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(in, &r), JK_AJP_ETRAILING);
}
END_TEST

START_TEST(test_reject_bad_status)
{
    static const uint8_t s0[] = { 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t s99[] = { 0x04, 0x00, 0x63, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t s1000[] = { 0x04, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t sffff[] = { 0x04, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(s0, &r), JK_AJP_EBADSTATUS);
    ck_assert_int_eq(DECODE(s99, &r), JK_AJP_EBADSTATUS);
    ck_assert_int_eq(DECODE(s1000, &r), JK_AJP_EBADSTATUS);
    ck_assert_int_eq(DECODE(sffff, &r), JK_AJP_EBADSTATUS);
}
END_TEST

START_TEST(test_reject_trailing_after_headers)
{
    uint8_t in[sizeof(good_headers) + 1];
    jk_ajp_reply r;
    memcpy(in, good_headers, sizeof(good_headers));
    in[sizeof(good_headers)] = 'X';
    ck_assert_int_eq(decode(in, sizeof(in), &r), JK_AJP_ETRAILING);
}
END_TEST

START_TEST(test_reject_trailing_after_small_messages)
{
    static const uint8_t cpong[] = { 0x09, 0x00 };
    static const uint8_t get_body[] = { 0x06, 0x1F, 0xFA, 0x00 };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(cpong, &r), JK_AJP_ETRAILING);
    ck_assert_int_eq(DECODE(get_body, &r), JK_AJP_ETRAILING);
}
END_TEST

START_TEST(test_reject_empty_payload)
{
    jk_ajp_reply r;
    ck_assert_int_eq(decode(NULL, 0, &r), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_reject_truncated_get_body_chunk)
{
    static const uint8_t none[] = { 0x06 };
    static const uint8_t half[] = { 0x06, 0x1F };
    jk_ajp_reply r;
    ck_assert_int_eq(DECODE(none, &r), JK_MSG_ETRUNC);
    ck_assert_int_eq(DECODE(half, &r), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_reject_every_truncation_of_headers)
{
    /* Every proper prefix of a valid SEND_HEADERS is an error, never a crash. */
    for (apr_size_t n = 0; n < sizeof(good_headers); n++) {
        jk_ajp_reply r;
        ck_assert_msg(decode(good_headers, n, &r) != APR_SUCCESS,
                      "prefix of %zu bytes accepted", n);
    }
}
END_TEST

START_TEST(test_reject_every_truncation_of_chunk)
{
    static const uint8_t chunk[] = { 0x03, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o' };
    for (apr_size_t n = 0; n < sizeof(chunk); n++) {
        jk_ajp_reply r;
        ck_assert_msg(decode(chunk, n, &r) != APR_SUCCESS, "prefix of %zu bytes accepted", n);
    }
}
END_TEST

START_TEST(test_decode_random_input_never_crashes)
{
    /*
     * A fixed pseudo-random sequence of small payloads, most of them
     * starting with a valid type byte.  Whatever is accepted must point
     * inside the payload.
     */
    static const uint8_t types[] = { 3, 4, 5, 6, 9 };
    uint32_t x = 12345;
    for (int round = 0; round < 3000; round++) {
        uint8_t in[48];
        apr_size_t n;
        jk_msg *m;
        jk_ajp_reply r;
        x = x * 1103515245u + 12345u;
        n = (x >> 16) % sizeof(in);
        for (apr_size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            in[i] = (uint8_t)(x >> 16);
            /* Small lengths and counts, so that many inputs get deep into the decoder. */
            if (i > 0 && (x >> 8) % 3 == 0)
                in[i] = (uint8_t)((x >> 20) % 6);
        }
        if (n > 0 && round % 4 != 0)
            in[0] = types[(x >> 24) % sizeof(types)];
        m = received(in, n);
        if (jk_ajp_decode_reply(m, pool, &r) != APR_SUCCESS)
            continue;
        ck_assert_uint_le(m->pos, m->len);
        if (r.type == JK_AJP_SEND_BODY_CHUNK) {
            const uint8_t *c = (const uint8_t *)r.chunk;
            ck_assert_msg(c >= m->buf + JK_MSG_HEADER_LEN && c + r.chunk_len <= m->buf + m->len,
                          "round %d: chunk outside the payload", round);
        }
        if (r.type == JK_AJP_SEND_HEADERS)
            for (int i = 0; i < r.num_headers; i++) {
                ck_assert_ptr_nonnull(r.headers[i].name);
                ck_assert_ptr_nonnull(r.headers[i].value);
            }
    }
}
END_TEST

/* Every malformed or truncated reply is a protocol error. */
TCase *ajp_reject_tcase(void)
{
    TCase *tc = tcase_create("reject");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reject_unknown_types);
    tcase_add_test(tc, test_reject_unknown_coded_header);
    tcase_add_test(tc, test_reject_header_count_too_large);
    tcase_add_test(tc, test_reject_string_past_end);
    tcase_add_test(tc, test_reject_string_without_nul);
    tcase_add_test(tc, test_reject_chunk_longer_than_packet);
    tcase_add_test(tc, test_reject_chunk_with_extra_bytes);
    tcase_add_test(tc, test_reject_bad_status);
    tcase_add_test(tc, test_reject_trailing_after_headers);
    tcase_add_test(tc, test_reject_trailing_after_small_messages);
    tcase_add_test(tc, test_reject_empty_payload);
    tcase_add_test(tc, test_reject_truncated_get_body_chunk);
    tcase_add_test(tc, test_reject_every_truncation_of_headers);
    tcase_add_test(tc, test_reject_every_truncation_of_chunk);
    tcase_add_test(tc, test_decode_random_input_never_crashes);
    return tc;
}
