/* encode_limits.c: the packet size limit, body chunks and CPING. */
#include "ajp_fixture.h"

/* A request whose only header has a value of `value_len` bytes. */
static jk_service *service_with_value(apr_size_t value_len)
{
    jk_service *s = base_service();
    jk_header *h = apr_pcalloc(pool, sizeof(*h));
    char *v = apr_palloc(pool, value_len + 1);
    memset(v, 'v', value_len);
    v[value_len] = '\0';
    h->name = "X-Big";
    h->value = v;
    s->headers = h;
    s->num_headers = 1;
    return s;
}

START_TEST(test_encode_too_large)
{
    jk_ajp_options o = { NULL, 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    ck_assert_int_eq(jk_ajp_encode_request(m, service_with_value(9000), &o), JK_MSG_EOVERFLOW);
}
END_TEST

START_TEST(test_encode_exactly_fills_packet)
{
    /* Measure the request with an empty value, then grow it to the exact capacity. */
    jk_ajp_options o = { NULL, 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    pkt *p = pkt_begin();
    apr_size_t base, fill;

    pkt_byte(p, 0x02);
    pkt_byte(p, 0x02);
    pkt_str(p, "HTTP/1.1");
    pkt_str(p, "/");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "localhost");
    pkt_int(p, 80);
    pkt_byte(p, 0);
    pkt_int(p, 1);
    pkt_str(p, "X-Big");
    pkt_str(p, "");
    pkt_req_attr(p, "AJP_REMOTE_PORT", "40000");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_byte(p, 0xFF);
    base = p->n;
    fill = 8192 - base;

    ck_assert_int_eq(jk_ajp_encode_request(m, service_with_value(fill), &o), APR_SUCCESS);
    ck_assert_uint_eq(m->len, 8192);
    ck_assert_uint_eq(m->buf[2], 0x1F);
    ck_assert_uint_eq(m->buf[3], 0xFC);
    ck_assert_uint_eq(m->buf[8191], 0xFF);
    ck_assert_int_eq(jk_ajp_encode_request(m, service_with_value(fill + 1), &o),
                     JK_MSG_EOVERFLOW);
}
END_TEST

START_TEST(test_encode_body_chunk)
{
    static const uint8_t want[] = {
        0x12, 0x34, 0x00, 0x07, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'
    };
    jk_msg *m = jk_msg_create(pool, 8192);
    ck_assert_int_eq(jk_ajp_encode_body_chunk(m, "hello", 5), APR_SUCCESS);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

START_TEST(test_encode_body_chunk_binary)
{
    static const uint8_t data[] = { 0x00, 0xFF, 0x12, 0x34 };
    static const uint8_t want[] = {
        0x12, 0x34, 0x00, 0x06, 0x00, 0x04, 0x00, 0xFF, 0x12, 0x34
    };
    jk_msg *m = jk_msg_create(pool, 8192);
    ck_assert_int_eq(jk_ajp_encode_body_chunk(m, (const char *)data, sizeof(data)), APR_SUCCESS);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

START_TEST(test_encode_empty_body_chunk)
{
    static const uint8_t want[] = { 0x12, 0x34, 0x00, 0x00 };
    jk_msg *m = jk_msg_create(pool, 8192);
    /* Leave something in the buffer first: the empty chunk must not carry it. */
    ck_assert_int_eq(jk_ajp_encode_body_chunk(m, "hello", 5), APR_SUCCESS);
    ck_assert_int_eq(jk_ajp_encode_body_chunk(m, NULL, 0), APR_SUCCESS);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

START_TEST(test_encode_body_chunk_limits)
{
    /* 8192 - 6 = 8186 data bytes fit a default packet; 8187 do not. */
    jk_msg *m = jk_msg_create(pool, 8192);
    char *data = apr_pcalloc(pool, 8187);
    ck_assert_int_eq(jk_ajp_encode_body_chunk(m, data, 8186), APR_SUCCESS);
    ck_assert_uint_eq(m->len, 8192);
    ck_assert_uint_eq(m->buf[2], 0x1F);
    ck_assert_uint_eq(m->buf[3], 0xFC);
    ck_assert_uint_eq(m->buf[4], 0x1F);
    ck_assert_uint_eq(m->buf[5], 0xFA);
    ck_assert_int_eq(jk_ajp_encode_body_chunk(m, data, 8187), JK_MSG_EOVERFLOW);
}
END_TEST

START_TEST(test_encode_cping)
{
    static const uint8_t want[] = { 0x12, 0x34, 0x00, 0x01, 0x0A };
    jk_msg *m = jk_msg_create(pool, 8192);
    jk_ajp_encode_body_chunk(m, "leftover", 8);
    jk_ajp_encode_cping(m);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

/* What fits a packet, and the small messages. */
TCase *ajp_encode_limits_tcase(void)
{
    TCase *tc = tcase_create("encode limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_encode_too_large);
    tcase_add_test(tc, test_encode_exactly_fills_packet);
    tcase_add_test(tc, test_encode_body_chunk);
    tcase_add_test(tc, test_encode_body_chunk_binary);
    tcase_add_test(tc, test_encode_empty_body_chunk);
    tcase_add_test(tc, test_encode_body_chunk_limits);
    tcase_add_test(tc, test_encode_cping);
    return tc;
}
