/*
 * Unit tests for jk_msg, the bounds-checked AJP13 packet buffer.
 *
 * The expected bytes are written out by hand from the AJP13 framing rules
 * (big-endian integers, strings as length + bytes + NUL, 0xFFFF for null),
 * never computed with the code under test.
 */
#include "jk_msg.h"

#include <apr_general.h>
#include <apr_pools.h>
#include <check.h>

#include "unit_fixtures.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *pool;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    pool = NULL;
}

/* Compare a byte range with the expected bytes and name the first difference. */
static void assert_bytes(const uint8_t *got, apr_size_t got_len,
                         const uint8_t *want, apr_size_t want_len)
{
    apr_size_t n = got_len < want_len ? got_len : want_len;
    for (apr_size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "byte %zu: got 0x%02X, expected 0x%02X",
                      i, got[i], want[i]);
    ck_assert_msg(got_len == want_len, "length: got %zu, expected %zu", got_len, want_len);
}

/* Put `n` payload bytes into a message as if they had been received. */
static void receive(jk_msg *m, const uint8_t *payload, apr_size_t n)
{
    ck_assert_uint_le(n + JK_MSG_HEADER_LEN, m->cap);
    memcpy(m->buf + JK_MSG_HEADER_LEN, payload, n);
    jk_msg_set_received(m, n);
}

/* --- creation and bookkeeping --- */

START_TEST(test_create_is_empty)
{
    jk_msg *m = jk_msg_create(pool, 64);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(m->buf);
    ck_assert_uint_eq(m->cap, 64);
    ck_assert_uint_eq(m->len, JK_MSG_HEADER_LEN);
    ck_assert_uint_eq(m->pos, JK_MSG_HEADER_LEN);
    ck_assert_uint_eq(jk_msg_payload_len(m), 0);
    ck_assert_uint_eq(jk_msg_room(m), 60);
    ck_assert_uint_eq(jk_msg_unread(m), 0);
}
END_TEST

START_TEST(test_reset_discards_payload)
{
    jk_msg *m = jk_msg_create(pool, 64);
    ck_assert_int_eq(jk_msg_put_int(m, 0x1234), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_put_byte(m, 7), APR_SUCCESS);
    ck_assert_uint_eq(jk_msg_payload_len(m), 3);
    ck_assert_uint_eq(jk_msg_room(m), 57);
    jk_msg_reset(m);
    ck_assert_uint_eq(jk_msg_payload_len(m), 0);
    ck_assert_uint_eq(jk_msg_room(m), 60);
    ck_assert_uint_eq(m->pos, JK_MSG_HEADER_LEN);
}
END_TEST

/* --- byte --- */

START_TEST(test_byte_roundtrip)
{
    static const uint8_t want[] = { 0x00, 0x7F, 0x80, 0xFF };
    jk_msg *m = jk_msg_create(pool, 16);
    uint8_t v;

    for (apr_size_t i = 0; i < sizeof(want); i++)
        ck_assert_int_eq(jk_msg_put_byte(m, want[i]), APR_SUCCESS);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));

    for (apr_size_t i = 0; i < sizeof(want); i++) {
        ck_assert_int_eq(jk_msg_get_byte(m, &v), APR_SUCCESS);
        ck_assert_uint_eq(v, want[i]);
    }
    ck_assert_uint_eq(jk_msg_unread(m), 0);
    ck_assert_int_eq(jk_msg_get_byte(m, &v), JK_MSG_ETRUNC);
}
END_TEST

/* --- int --- */

START_TEST(test_int_is_big_endian)
{
    static const uint8_t want[] = { 0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0xFF, 0xFE, 0xFF, 0xFF };
    static const uint16_t values[] = { 0, 1, 0x1234, 0xFFFE, 0xFFFF };
    jk_msg *m = jk_msg_create(pool, 32);
    uint16_t v;

    for (apr_size_t i = 0; i < 5; i++)
        ck_assert_int_eq(jk_msg_put_int(m, values[i]), APR_SUCCESS);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));

    for (apr_size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(jk_msg_get_int(m, &v), APR_SUCCESS);
        ck_assert_uint_eq(v, values[i]);
    }
    ck_assert_int_eq(jk_msg_get_int(m, &v), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_bytes_roundtrip)
{
    static const uint8_t data[] = { 1, 2, 3, 0, 5 };
    jk_msg *m = jk_msg_create(pool, 16);
    const uint8_t *p = NULL;

    ck_assert_int_eq(jk_msg_put_bytes(m, data, sizeof(data)), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_put_bytes(m, NULL, 0), APR_SUCCESS);
    ck_assert_uint_eq(jk_msg_payload_len(m), sizeof(data));
    ck_assert_int_eq(jk_msg_get_bytes(m, &p, sizeof(data)), APR_SUCCESS);
    assert_bytes(p, sizeof(data), data, sizeof(data));
    ck_assert_int_eq(jk_msg_get_bytes(m, &p, 0), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_get_bytes(m, &p, 1), JK_MSG_ETRUNC);
}
END_TEST

/* --- string --- */

START_TEST(test_string_encoding)
{
    static const uint8_t want[] = { 0x00, 0x03, 'a', 'b', 'c', 0x00 };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = NULL;
    apr_size_t n = 99;

    ck_assert_int_eq(jk_msg_put_string(m, "abc"), APR_SUCCESS);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));

    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), APR_SUCCESS);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(s, "abc");
    /* The string points into the packet, terminator included. */
    ck_assert_ptr_eq(s, (const char *)m->buf + JK_MSG_HEADER_LEN + 2);
    ck_assert_uint_eq(jk_msg_unread(m), 0);
}
END_TEST

START_TEST(test_null_string)
{
    static const uint8_t want[] = { 0xFF, 0xFF };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = "not touched";
    apr_size_t n = 99;

    ck_assert_int_eq(jk_msg_put_string(m, NULL), APR_SUCCESS);
    /* No bytes and no terminator after the 0xFFFF length. */
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));

    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), APR_SUCCESS);
    ck_assert_ptr_null(s);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(jk_msg_unread(m), 0);
}
END_TEST

START_TEST(test_null_string_via_stringn)
{
    static const uint8_t want[] = { 0xFF, 0xFF };
    jk_msg *m = jk_msg_create(pool, 32);
    ck_assert_int_eq(jk_msg_put_stringn(m, NULL, 5), APR_SUCCESS);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));
}
END_TEST

START_TEST(test_empty_string)
{
    static const uint8_t want[] = { 0x00, 0x00, 0x00 };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = NULL;
    apr_size_t n = 99;

    ck_assert_int_eq(jk_msg_put_string(m, ""), APR_SUCCESS);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));

    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), APR_SUCCESS);
    /* Empty is not null. */
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(s, "");
}
END_TEST

START_TEST(test_stringn_takes_prefix)
{
    static const uint8_t want[] = { 0x00, 0x02, 'h', 'e', 0x00 };
    jk_msg *m = jk_msg_create(pool, 32);
    ck_assert_int_eq(jk_msg_put_stringn(m, "hello", 2), APR_SUCCESS);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));
}
END_TEST

START_TEST(test_string_terminator_is_checked)
{
    /* Length 3, then the terminator position holds 'd' instead of NUL. */
    static const uint8_t payload[] = { 0x00, 0x03, 'a', 'b', 'c', 'd' };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = NULL;
    apr_size_t n = 0;

    receive(m, payload, sizeof(payload));
    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), JK_MSG_EBADSTR);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_string_terminator_missing_at_end)
{
    /* Length 3 and three bytes, but the packet ends before the NUL. */
    static const uint8_t payload[] = { 0x00, 0x03, 'a', 'b', 'c' };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = NULL;
    apr_size_t n = 0;

    receive(m, payload, sizeof(payload));
    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), JK_MSG_ETRUNC);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_string_length_past_end)
{
    static const uint8_t payload[] = { 0x10, 0x00, 'a', 0x00 };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = NULL;
    apr_size_t n = 0;

    receive(m, payload, sizeof(payload));
    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_string_length_cut)
{
    /* Only one byte of the two-byte length. */
    static const uint8_t payload[] = { 0x00 };
    jk_msg *m = jk_msg_create(pool, 32);
    const char *s = NULL;
    apr_size_t n = 0;

    receive(m, payload, sizeof(payload));
    ck_assert_int_eq(jk_msg_get_string(m, &s, &n), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_two_strings_in_sequence)
{
    jk_msg *m = jk_msg_create(pool, 64);
    const char *a, *b, *c;
    apr_size_t na, nb, nc;

    ck_assert_int_eq(jk_msg_put_string(m, "first"), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_put_string(m, NULL), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_put_string(m, "third"), APR_SUCCESS);
    /* 2+5+1, 2, 2+5+1 */
    ck_assert_uint_eq(jk_msg_payload_len(m), 18);
    ck_assert_int_eq(jk_msg_get_string(m, &a, &na), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_get_string(m, &b, &nb), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_get_string(m, &c, &nc), APR_SUCCESS);
    ck_assert_str_eq(a, "first");
    ck_assert_ptr_null(b);
    ck_assert_str_eq(c, "third");
    ck_assert_uint_eq(na + nb + nc, 10);
}
END_TEST

/* --- the capacity boundary --- */

START_TEST(test_overflow_bytes_at_boundary)
{
    uint8_t data[16];
    jk_msg *m = jk_msg_create(pool, 16); /* 12 payload bytes */

    memset(data, 'x', sizeof(data));
    ck_assert_int_eq(jk_msg_put_bytes(m, data, 13), JK_MSG_EOVERFLOW);
    ck_assert_uint_eq(m->len, JK_MSG_HEADER_LEN);
    ck_assert_int_eq(jk_msg_put_bytes(m, data, 12), APR_SUCCESS);
    ck_assert_uint_eq(m->len, 16);
    ck_assert_uint_eq(jk_msg_room(m), 0);
    ck_assert_int_eq(jk_msg_put_byte(m, 1), JK_MSG_EOVERFLOW);
    ck_assert_int_eq(jk_msg_put_int(m, 1), JK_MSG_EOVERFLOW);
    ck_assert_int_eq(jk_msg_put_string(m, ""), JK_MSG_EOVERFLOW);
    ck_assert_int_eq(jk_msg_put_string(m, NULL), JK_MSG_EOVERFLOW);
    ck_assert_int_eq(jk_msg_put_bytes(m, data, 1), JK_MSG_EOVERFLOW);
    ck_assert_int_eq(jk_msg_put_bytes(m, data, 0), APR_SUCCESS);
    ck_assert_uint_eq(m->len, 16);
}
END_TEST

START_TEST(test_overflow_byte_at_boundary)
{
    jk_msg *m = jk_msg_create(pool, 6); /* 2 payload bytes */
    ck_assert_int_eq(jk_msg_put_byte(m, 1), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_put_byte(m, 2), APR_SUCCESS);
    ck_assert_int_eq(jk_msg_put_byte(m, 3), JK_MSG_EOVERFLOW);
    ck_assert_uint_eq(m->len, 6);
}
END_TEST

START_TEST(test_overflow_int_never_half_written)
{
    jk_msg *m = jk_msg_create(pool, 7); /* 3 payload bytes */
    ck_assert_int_eq(jk_msg_put_int(m, 0x0102), APR_SUCCESS);
    ck_assert_uint_eq(jk_msg_room(m), 1);
    ck_assert_int_eq(jk_msg_put_int(m, 0x0304), JK_MSG_EOVERFLOW);
    ck_assert_uint_eq(m->len, 6);
    ck_assert_int_eq(jk_msg_put_byte(m, 9), APR_SUCCESS);
    ck_assert_uint_eq(m->len, 7);
}
END_TEST

START_TEST(test_overflow_string_at_boundary)
{
    jk_msg *m = jk_msg_create(pool, 16); /* 12 payload bytes: a string of 9 plus 3 */
    static const uint8_t want[] = { 0x00, 0x09, '1', '2', '3', '4', '5', '6', '7', '8', '9', 0x00 };

    ck_assert_int_eq(jk_msg_put_string(m, "0123456789"), JK_MSG_EOVERFLOW);
    ck_assert_uint_eq(m->len, JK_MSG_HEADER_LEN); /* nothing of it was written */
    ck_assert_int_eq(jk_msg_put_string(m, "123456789"), APR_SUCCESS);
    ck_assert_uint_eq(jk_msg_room(m), 0);
    assert_bytes(m->buf + JK_MSG_HEADER_LEN, jk_msg_payload_len(m), want, sizeof(want));
}
END_TEST

START_TEST(test_overflow_string_one_byte_short)
{
    /* 11 bytes of room: the 9-byte string needs 12 (length, bytes, NUL). */
    jk_msg *m = jk_msg_create(pool, 15);
    ck_assert_int_eq(jk_msg_put_string(m, "123456789"), JK_MSG_EOVERFLOW);
    ck_assert_uint_eq(m->len, JK_MSG_HEADER_LEN);
    ck_assert_int_eq(jk_msg_put_string(m, "12345678"), APR_SUCCESS);
    ck_assert_uint_eq(jk_msg_room(m), 0);
}
END_TEST

START_TEST(test_longest_string)
{
    /* 0xFFFF means null, so 0xFFFE is the longest string length. */
    apr_size_t big = 0xFFFF;
    char *s = apr_palloc(pool, big + 1);
    jk_msg *m = jk_msg_create(pool, 0x10000 + 16);

    memset(s, 'y', big);
    s[big] = '\0';
    ck_assert_int_eq(jk_msg_put_stringn(m, s, 0xFFFF), JK_MSG_EOVERFLOW);
    ck_assert_uint_eq(m->len, JK_MSG_HEADER_LEN);
    ck_assert_int_eq(jk_msg_put_stringn(m, s, 0xFFFE), APR_SUCCESS);
    ck_assert_uint_eq(m->buf[4], 0xFF);
    ck_assert_uint_eq(m->buf[5], 0xFE);
    ck_assert_uint_eq(m->buf[4 + 2 + 0xFFFE], 0x00);
    ck_assert_uint_eq(jk_msg_payload_len(m), 0xFFFE + 3);
}
END_TEST

/* --- reading past the end --- */

START_TEST(test_read_past_end)
{
    static const uint8_t payload[] = { 0xAB };
    jk_msg *m = jk_msg_create(pool, 32);
    uint16_t i16 = 0;
    uint8_t b = 0;
    const uint8_t *p = NULL;

    receive(m, payload, sizeof(payload));
    ck_assert_uint_eq(jk_msg_unread(m), 1);
    ck_assert_int_eq(jk_msg_get_int(m, &i16), JK_MSG_ETRUNC);
    ck_assert_uint_eq(jk_msg_unread(m), 1); /* a failed read consumes nothing */
    ck_assert_int_eq(jk_msg_get_bytes(m, &p, 2), JK_MSG_ETRUNC);
    ck_assert_uint_eq(jk_msg_unread(m), 1);
    ck_assert_int_eq(jk_msg_get_byte(m, &b), APR_SUCCESS);
    ck_assert_uint_eq(b, 0xAB);
    ck_assert_int_eq(jk_msg_get_byte(m, &b), JK_MSG_ETRUNC);
    ck_assert_int_eq(jk_msg_get_int(m, &i16), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_read_stops_at_len_not_cap)
{
    /* Stale bytes after the received payload must never be read. */
    jk_msg *m = jk_msg_create(pool, 32);
    uint16_t v;
    memset(m->buf, 0x55, m->cap);
    jk_msg_set_received(m, 0);
    ck_assert_uint_eq(jk_msg_unread(m), 0);
    ck_assert_int_eq(jk_msg_get_int(m, &v), JK_MSG_ETRUNC);
}
END_TEST

START_TEST(test_set_received)
{
    jk_msg *m = jk_msg_create(pool, 32);
    uint8_t b;
    jk_msg_put_byte(m, 1);
    jk_msg_get_byte(m, &b);
    jk_msg_set_received(m, 10);
    ck_assert_uint_eq(m->len, 14);
    ck_assert_uint_eq(m->pos, JK_MSG_HEADER_LEN);
    ck_assert_uint_eq(jk_msg_unread(m), 10);
    ck_assert_uint_eq(jk_msg_payload_len(m), 10);
}
END_TEST

/* --- the packet header --- */

START_TEST(test_end_writes_header)
{
    static const uint8_t want[] = { 0x12, 0x34, 0x00, 0x03, 0x0A, 0x00, 0x01 };
    jk_msg *m = jk_msg_create(pool, 32);
    jk_msg_put_byte(m, 0x0A);
    jk_msg_put_int(m, 1);
    jk_msg_end(m);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

START_TEST(test_end_empty_payload)
{
    static const uint8_t want[] = { 0x12, 0x34, 0x00, 0x00 };
    jk_msg *m = jk_msg_create(pool, 32);
    jk_msg_end(m);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

START_TEST(test_end_length_high_byte)
{
    /* 0x0102 = 258 payload bytes: both length bytes matter. */
    uint8_t data[258];
    jk_msg *m = jk_msg_create(pool, 8192);
    memset(data, 0, sizeof(data));
    ck_assert_int_eq(jk_msg_put_bytes(m, data, sizeof(data)), APR_SUCCESS);
    jk_msg_end(m);
    ck_assert_uint_eq(m->buf[0], 0x12);
    ck_assert_uint_eq(m->buf[1], 0x34);
    ck_assert_uint_eq(m->buf[2], 0x01);
    ck_assert_uint_eq(m->buf[3], 0x02);
    ck_assert_uint_eq(m->len, 262);
}
END_TEST

START_TEST(test_end_full_packet)
{
    jk_msg *m = jk_msg_create(pool, 65536);
    uint8_t *data = apr_pcalloc(pool, 65532);
    ck_assert_int_eq(jk_msg_put_bytes(m, data, 65532), APR_SUCCESS);
    jk_msg_end(m);
    ck_assert_uint_eq(m->buf[2], 0xFF);
    ck_assert_uint_eq(m->buf[3], 0xFC);
}
END_TEST

START_TEST(test_reply_header_good)
{
    static const uint8_t hdr[] = { 'A', 'B', 0x01, 0x02 };
    apr_size_t n = 0;
    ck_assert_int_eq(jk_msg_parse_reply_header(hdr, 8192, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 0x0102);
}
END_TEST

START_TEST(test_reply_header_minimum)
{
    static const uint8_t hdr[] = { 0x41, 0x42, 0x00, 0x01 };
    apr_size_t n = 0;
    ck_assert_int_eq(jk_msg_parse_reply_header(hdr, 8192, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(test_reply_header_wrong_magic)
{
    static const uint8_t to_container[] = { 0x12, 0x34, 0x00, 0x01 };
    static const uint8_t swapped[] = { 'B', 'A', 0x00, 0x01 };
    static const uint8_t half[] = { 'A', 'C', 0x00, 0x01 };
    static const uint8_t half2[] = { 'X', 'B', 0x00, 0x01 };
    static const uint8_t http[] = { 'H', 'T', 'T', 'P' };
    apr_size_t n = 12345;
    ck_assert_int_eq(jk_msg_parse_reply_header(to_container, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_int_eq(jk_msg_parse_reply_header(swapped, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_int_eq(jk_msg_parse_reply_header(half, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_int_eq(jk_msg_parse_reply_header(half2, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_int_eq(jk_msg_parse_reply_header(http, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_uint_eq(n, 12345);
}
END_TEST

START_TEST(test_reply_header_zero_length)
{
    static const uint8_t hdr[] = { 'A', 'B', 0x00, 0x00 };
    apr_size_t n = 12345;
    ck_assert_int_eq(jk_msg_parse_reply_header(hdr, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_uint_eq(n, 12345);
}
END_TEST

START_TEST(test_reply_header_length_boundary)
{
    /* 8192 - 4 = 8188 = 0x1FFC fits; one more does not. */
    static const uint8_t fits[] = { 'A', 'B', 0x1F, 0xFC };
    static const uint8_t over[] = { 'A', 'B', 0x1F, 0xFD };
    static const uint8_t max[] = { 'A', 'B', 0xFF, 0xFF };
    apr_size_t n = 0;
    ck_assert_int_eq(jk_msg_parse_reply_header(fits, 8192, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 8188);
    ck_assert_int_eq(jk_msg_parse_reply_header(over, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_int_eq(jk_msg_parse_reply_header(max, 8192, &n), JK_MSG_EBADHDR);
    ck_assert_int_eq(jk_msg_parse_reply_header(max, 65536, &n), JK_MSG_EBADHDR);
}
END_TEST

START_TEST(test_reply_header_large_packets)
{
    static const uint8_t fits[] = { 'A', 'B', 0xFF, 0xFC };
    static const uint8_t over[] = { 'A', 'B', 0xFF, 0xFD };
    apr_size_t n = 0;
    ck_assert_int_eq(jk_msg_parse_reply_header(fits, 65536, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 65532);
    ck_assert_int_eq(jk_msg_parse_reply_header(over, 65536, &n), JK_MSG_EBADHDR);
}
END_TEST

static Suite *msg_suite(void)
{
    Suite *s = suite_create("jk_msg");
    TCase *tc;

    tc = tcase_create("basics");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_is_empty);
    tcase_add_test(tc, test_reset_discards_payload);
    tcase_add_test(tc, test_byte_roundtrip);
    tcase_add_test(tc, test_int_is_big_endian);
    tcase_add_test(tc, test_bytes_roundtrip);
    suite_add_tcase(s, tc);

    tc = tcase_create("strings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_string_encoding);
    tcase_add_test(tc, test_null_string);
    tcase_add_test(tc, test_null_string_via_stringn);
    tcase_add_test(tc, test_empty_string);
    tcase_add_test(tc, test_stringn_takes_prefix);
    tcase_add_test(tc, test_string_terminator_is_checked);
    tcase_add_test(tc, test_string_terminator_missing_at_end);
    tcase_add_test(tc, test_string_length_past_end);
    tcase_add_test(tc, test_string_length_cut);
    tcase_add_test(tc, test_two_strings_in_sequence);
    suite_add_tcase(s, tc);

    tc = tcase_create("bounds");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_overflow_bytes_at_boundary);
    tcase_add_test(tc, test_overflow_byte_at_boundary);
    tcase_add_test(tc, test_overflow_int_never_half_written);
    tcase_add_test(tc, test_overflow_string_at_boundary);
    tcase_add_test(tc, test_overflow_string_one_byte_short);
    tcase_add_test(tc, test_longest_string);
    tcase_add_test(tc, test_read_past_end);
    tcase_add_test(tc, test_read_stops_at_len_not_cap);
    tcase_add_test(tc, test_set_received);
    suite_add_tcase(s, tc);

    tc = tcase_create("header");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_end_writes_header);
    tcase_add_test(tc, test_end_empty_payload);
    tcase_add_test(tc, test_end_length_high_byte);
    tcase_add_test(tc, test_end_full_packet);
    tcase_add_test(tc, test_reply_header_good);
    tcase_add_test(tc, test_reply_header_minimum);
    tcase_add_test(tc, test_reply_header_wrong_magic);
    tcase_add_test(tc, test_reply_header_zero_length);
    tcase_add_test(tc, test_reply_header_length_boundary);
    tcase_add_test(tc, test_reply_header_large_packets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(msg_suite, "msg");
}
