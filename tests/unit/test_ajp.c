/*
 * Unit tests for jk_ajp, the AJP13 encoder and decoder.
 *
 * Expected packets are built with the small `pkt` builder below (or written
 * out byte by byte), straight from the protocol description, and compared
 * with the encoder's output byte by byte.  Decoder inputs are placed in
 * buffers of their exact size on the heap, so that a read past the end is
 * caught by AddressSanitizer when the tests run under it.
 */
#include "jk_ajp.h"

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <check.h>
#include <ctype.h>
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

/* ------------------------------------------------------------------ */
/* An expected-packet builder, independent of jk_msg.                   */

typedef struct pkt {
    uint8_t b[70000];
    size_t n;
} pkt;

static pkt *pkt_begin(void)
{
    pkt *p = apr_pcalloc(pool, sizeof(*p));
    p->n = 4; /* the header is filled in by pkt_finish() */
    return p;
}

static void pkt_byte(pkt *p, unsigned v)
{
    p->b[p->n++] = (uint8_t)v;
}

static void pkt_int(pkt *p, unsigned v)
{
    pkt_byte(p, (v >> 8) & 0xFF);
    pkt_byte(p, v & 0xFF);
}

static void pkt_str(pkt *p, const char *s)
{
    size_t len;
    if (s == NULL) {
        pkt_int(p, 0xFFFF);
        return;
    }
    len = strlen(s);
    pkt_int(p, (unsigned)len);
    memcpy(p->b + p->n, s, len);
    p->n += len;
    pkt_byte(p, 0);
}

/* attribute 0x0A: name and value */
static void pkt_req_attr(pkt *p, const char *name, const char *value)
{
    pkt_byte(p, 0x0A);
    pkt_str(p, name);
    pkt_str(p, value);
}

static void pkt_finish(pkt *p)
{
    size_t len = p->n - 4;
    p->b[0] = 0x12;
    p->b[1] = 0x34;
    p->b[2] = (uint8_t)(len >> 8);
    p->b[3] = (uint8_t)(len & 0xFF);
}

static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    size_t n = got_len < want_len ? got_len : want_len;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "byte %zu: got 0x%02X, expected 0x%02X",
                      i, got[i], want[i]);
    ck_assert_msg(got_len == want_len, "length: got %zu, expected %zu", got_len, want_len);
}

static void assert_packet(const jk_msg *m, const pkt *p)
{
    assert_bytes(m->buf, m->len, p->b, p->n);
}

/* ------------------------------------------------------------------ */
/* Services built by hand.                                              */

static jk_service *base_service(void)
{
    jk_service *s = apr_pcalloc(pool, sizeof(*s));
    s->pool = pool;
    s->method = "GET";
    s->protocol = "HTTP/1.1";
    s->uri = "/";
    s->remote_addr = "127.0.0.1";
    s->remote_host = "127.0.0.1";
    s->remote_port = 40000;
    s->server_name = "localhost";
    s->server_port = 80;
    s->ssl_key_size = -1;
    return s;
}

static const jk_header get_headers[] = {
    { "Host", "www.example.com:8080" },
    { "user-AGENT", "Mozilla/5.0 (test)" },
    { "Cookie", "JSESSIONID=ABC123.worker1" },
    { "X-Custom", "one" },
    { "ACCEPT-language", "en" },
    { "X-Custom", "two" },
};

static const jk_header configured_attrs[] = {
    { "MY_ENV", "on" },
};

static jk_service *get_service(void)
{
    jk_service *s = base_service();
    s->method = "GET";
    s->protocol = "HTTP/1.1";
    s->uri = "/app/index.jsp";
    s->query_string = "a=1&b=2";
    s->remote_addr = "192.0.2.10";
    s->remote_host = "client.example.org";
    s->remote_port = 54321;
    s->local_addr = "10.1.2.3";
    s->server_name = "www.example.com";
    s->server_port = 8080;
    s->is_ssl = 0;
    s->headers = get_headers;
    s->num_headers = 6;
    s->remote_user = "alice";
    s->auth_type = "BASIC";
    s->route = "worker1";
    s->attributes = configured_attrs;
    s->num_attributes = 1;
    return s;
}

/* The packet get_service() must become, with secret "s3cr3t". */
static pkt *expected_get(void)
{
    pkt *p = pkt_begin();
    pkt_byte(p, 0x02);                  /* FORWARD_REQUEST */
    pkt_byte(p, 0x02);                  /* GET */
    pkt_str(p, "HTTP/1.1");
    pkt_str(p, "/app/index.jsp");
    pkt_str(p, "192.0.2.10");
    pkt_str(p, "client.example.org");
    pkt_str(p, "www.example.com");
    pkt_int(p, 8080);
    pkt_byte(p, 0);                     /* is_ssl */
    pkt_int(p, 6);
    pkt_int(p, 0xA00B);                 /* Host */
    pkt_str(p, "www.example.com:8080");
    pkt_int(p, 0xA00E);                 /* User-Agent */
    pkt_str(p, "Mozilla/5.0 (test)");
    pkt_int(p, 0xA009);                 /* Cookie */
    pkt_str(p, "JSESSIONID=ABC123.worker1");
    pkt_str(p, "X-Custom");             /* not coded: name as a string, case kept */
    pkt_str(p, "one");
    pkt_str(p, "ACCEPT-language");      /* sent as a string, as mod_jk 1.2.48 does */
    pkt_str(p, "en");
    pkt_str(p, "X-Custom");
    pkt_str(p, "two");
    pkt_byte(p, 0x03);                  /* remote_user */
    pkt_str(p, "alice");
    pkt_byte(p, 0x04);                  /* auth_type */
    pkt_str(p, "BASIC");
    pkt_byte(p, 0x05);                  /* query_string */
    pkt_str(p, "a=1&b=2");
    pkt_byte(p, 0x06);                  /* route */
    pkt_str(p, "worker1");
    pkt_byte(p, 0x0C);                  /* secret */
    pkt_str(p, "s3cr3t");
    pkt_req_attr(p, "AJP_REMOTE_PORT", "54321");
    pkt_req_attr(p, "AJP_LOCAL_ADDR", "10.1.2.3");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_req_attr(p, "MY_ENV", "on");
    pkt_byte(p, 0xFF);
    pkt_finish(p);
    return p;
}

/* ------------------------------------------------------------------ */
/* Encoder                                                              */

START_TEST(test_encode_minimal_explicit_bytes)
{
    /* Written out in full, without the builder. */
    static const uint8_t want[] = {
        0x12, 0x34, 0x00, 0x5A,
        0x02, 0x02,
        0x00, 0x08, 'H', 'T', 'T', 'P', '/', '1', '.', '1', 0x00,
        0x00, 0x01, '/', 0x00,
        0x00, 0x07, '1', '.', '2', '.', '3', '.', '4', 0x00,
        0x00, 0x01, 'h', 0x00,
        0x00, 0x01, 's', 0x00,
        0x00, 0x50,
        0x00,
        0x00, 0x00,
        0x0A, 0x00, 0x0F, 'A', 'J', 'P', '_', 'R', 'E', 'M', 'O', 'T', 'E', '_', 'P', 'O',
        'R', 'T', 0x00, 0x00, 0x01, '5', 0x00,
        0x0A, 0x00, 0x10, 'J', 'K', '_', 'L', 'B', '_', 'A', 'C', 'T', 'I', 'V', 'A', 'T',
        'I', 'O', 'N', 0x00, 0x00, 0x03, 'A', 'C', 'T', 0x00,
        0xFF
    };
    jk_service *s = base_service();
    jk_ajp_options o = { NULL, 0 };
    jk_msg *m = jk_msg_create(pool, 8192);

    s->remote_addr = "1.2.3.4";
    s->remote_host = "h";
    s->server_name = "s";
    s->remote_port = 5;
    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    assert_bytes(m->buf, m->len, want, sizeof(want));
}
END_TEST

START_TEST(test_encode_get_full)
{
    jk_ajp_options o = { "s3cr3t", 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    ck_assert_int_eq(jk_ajp_encode_request(m, get_service(), &o), APR_SUCCESS);
    assert_packet(m, expected_get());
}
END_TEST

START_TEST(test_encode_is_repeatable)
{
    /* Encoding resets the message: nothing of an earlier packet remains. */
    jk_ajp_options o = { "s3cr3t", 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    jk_service *post = base_service();
    post->method = "POST";
    ck_assert_int_eq(jk_ajp_encode_request(m, post, &o), APR_SUCCESS);
    ck_assert_int_eq(jk_ajp_encode_request(m, get_service(), &o), APR_SUCCESS);
    assert_packet(m, expected_get());
}
END_TEST

START_TEST(test_encode_post)
{
    static const jk_header h[] = {
        { "Content-Type", "application/x-www-form-urlencoded" },
        { "content-length", "11" },
        { "Host", "shop.example" },
        { "Accept", "*/*" },
        { "Accept", "text/html" },
    };
    jk_service *s = base_service();
    jk_ajp_options o = { NULL, 1 };
    jk_msg *m = jk_msg_create(pool, 8192);
    pkt *p = pkt_begin();

    s->method = "POST";
    s->protocol = "HTTP/1.0";
    s->uri = "/shop/cart";
    s->remote_addr = "2001:db8::7";
    s->remote_host = "2001:db8::7";
    s->remote_port = 1;
    s->server_name = "shop.example";
    s->server_port = 443;
    s->headers = h;
    s->num_headers = 5;
    s->content_length = 11;

    pkt_byte(p, 0x02);
    pkt_byte(p, 0x04);                  /* POST */
    pkt_str(p, "HTTP/1.0");
    pkt_str(p, "/shop/cart");
    pkt_str(p, "2001:db8::7");
    pkt_str(p, "2001:db8::7");
    pkt_str(p, "shop.example");
    pkt_int(p, 443);
    pkt_byte(p, 0);
    pkt_int(p, 5);
    pkt_int(p, 0xA007);
    pkt_str(p, "application/x-www-form-urlencoded");
    pkt_int(p, 0xA008);
    pkt_str(p, "11");
    pkt_int(p, 0xA00B);
    pkt_str(p, "shop.example");
    pkt_int(p, 0xA001);
    pkt_str(p, "*/*");
    pkt_int(p, 0xA001);
    pkt_str(p, "text/html");
    /* No user, auth type, query, route, TLS, secret or local address. */
    pkt_req_attr(p, "AJP_REMOTE_PORT", "1");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_byte(p, 0xFF);
    pkt_finish(p);

    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    assert_packet(m, p);
}
END_TEST

START_TEST(test_encode_unknown_method)
{
    jk_service *s = base_service();
    jk_ajp_options o = { "k", 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    pkt *p = pkt_begin();

    s->method = "FOO";
    pkt_byte(p, 0x02);
    pkt_byte(p, 0xFF);                  /* unknown method */
    pkt_str(p, "HTTP/1.1");
    pkt_str(p, "/");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "localhost");
    pkt_int(p, 80);
    pkt_byte(p, 0);
    pkt_int(p, 0);
    pkt_byte(p, 0x0C);
    pkt_str(p, "k");
    pkt_byte(p, 0x0D);                  /* stored_method */
    pkt_str(p, "FOO");
    pkt_req_attr(p, "AJP_REMOTE_PORT", "40000");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_byte(p, 0xFF);
    pkt_finish(p);

    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    assert_packet(m, p);
}
END_TEST

START_TEST(test_encode_known_method_has_no_stored_method)
{
    jk_service *s = base_service();
    jk_ajp_options o = { NULL, 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    s->method = "MKACTIVITY";
    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    ck_assert_uint_eq(m->buf[5], 27);
    for (apr_size_t i = 6; i + 2 < m->len; i++)
        ck_assert_msg(!(m->buf[i] == 0x0D && m->buf[i + 1] == 0x00 && m->buf[i + 2] == 0x0A),
                      "stored_method attribute found at %zu", i);
}
END_TEST

static const char test_cert[] =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

static jk_service *ssl_service(void)
{
    jk_service *s = base_service();
    s->is_ssl = 1;
    s->server_port = 443;
    s->ssl_cert = test_cert;
    s->ssl_cipher = "TLS_AES_128_GCM_SHA256";
    s->ssl_session = "0123456789abcdef";
    s->ssl_protocol = "TLSv1.3";
    s->ssl_key_size = 128;
    return s;
}

static pkt *expected_ssl(int with_key_size)
{
    pkt *p = pkt_begin();
    pkt_byte(p, 0x02);
    pkt_byte(p, 0x02);
    pkt_str(p, "HTTP/1.1");
    pkt_str(p, "/");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "localhost");
    pkt_int(p, 443);
    pkt_byte(p, 1);                     /* is_ssl */
    pkt_int(p, 0);
    pkt_byte(p, 0x07);
    pkt_str(p, test_cert);
    pkt_byte(p, 0x08);
    pkt_str(p, "TLS_AES_128_GCM_SHA256");
    pkt_byte(p, 0x09);
    pkt_str(p, "0123456789abcdef");
    if (with_key_size) {
        pkt_byte(p, 0x0B);
        pkt_int(p, 128);
    }
    pkt_req_attr(p, "AJP_SSL_PROTOCOL", "TLSv1.3");
    pkt_req_attr(p, "AJP_REMOTE_PORT", "40000");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_byte(p, 0xFF);
    pkt_finish(p);
    return p;
}

START_TEST(test_encode_ssl_with_key_size)
{
    jk_ajp_options o = { NULL, 1 };
    jk_msg *m = jk_msg_create(pool, 8192);
    ck_assert_int_eq(jk_ajp_encode_request(m, ssl_service(), &o), APR_SUCCESS);
    assert_packet(m, expected_ssl(1));
}
END_TEST

START_TEST(test_encode_ssl_without_key_size)
{
    jk_ajp_options o = { NULL, 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    ck_assert_int_eq(jk_ajp_encode_request(m, ssl_service(), &o), APR_SUCCESS);
    assert_packet(m, expected_ssl(0));
}
END_TEST

START_TEST(test_encode_ssl_unknown_key_size)
{
    jk_ajp_options o = { NULL, 1 };
    jk_msg *m = jk_msg_create(pool, 8192);
    jk_service *s = ssl_service();
    s->ssl_key_size = -1;
    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    assert_packet(m, expected_ssl(0));
}
END_TEST

START_TEST(test_encode_ssl_without_client_cert)
{
    jk_ajp_options o = { NULL, 0 };
    jk_msg *m = jk_msg_create(pool, 8192);
    jk_service *s = ssl_service();
    pkt *p = pkt_begin();

    s->ssl_cert = NULL;
    s->ssl_session = NULL;
    pkt_byte(p, 0x02);
    pkt_byte(p, 0x02);
    pkt_str(p, "HTTP/1.1");
    pkt_str(p, "/");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "localhost");
    pkt_int(p, 443);
    pkt_byte(p, 1);
    pkt_int(p, 0);
    pkt_byte(p, 0x08);
    pkt_str(p, "TLS_AES_128_GCM_SHA256");
    pkt_req_attr(p, "AJP_SSL_PROTOCOL", "TLSv1.3");
    pkt_req_attr(p, "AJP_REMOTE_PORT", "40000");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_byte(p, 0xFF);
    pkt_finish(p);

    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    assert_packet(m, p);
}
END_TEST

START_TEST(test_encode_no_ssl_attributes_without_ssl)
{
    /* TLS facts are sent only for a TLS request, whatever the struct holds. */
    jk_ajp_options o = { NULL, 1 };
    jk_msg *m = jk_msg_create(pool, 8192);
    jk_service *s = ssl_service();
    pkt *p = pkt_begin();

    s->is_ssl = 0;
    s->server_port = 80;
    pkt_byte(p, 0x02);
    pkt_byte(p, 0x02);
    pkt_str(p, "HTTP/1.1");
    pkt_str(p, "/");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "127.0.0.1");
    pkt_str(p, "localhost");
    pkt_int(p, 80);
    pkt_byte(p, 0);
    pkt_int(p, 0);
    pkt_req_attr(p, "AJP_REMOTE_PORT", "40000");
    pkt_req_attr(p, "JK_LB_ACTIVATION", "ACT");
    pkt_byte(p, 0xFF);
    pkt_finish(p);

    ck_assert_int_eq(jk_ajp_encode_request(m, s, &o), APR_SUCCESS);
    assert_packet(m, p);
}
END_TEST

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

/* ------------------------------------------------------------------ */
/* Decoder                                                              */

static apr_status_t free_buffer(void *data)
{
    free(data);
    return APR_SUCCESS;
}

/* A message holding exactly `n` received payload bytes, on the heap at its exact size. */
static jk_msg *received(const uint8_t *payload, apr_size_t n)
{
    jk_msg *m = apr_pcalloc(pool, sizeof(*m));
    m->buf = malloc(JK_MSG_HEADER_LEN + n);
    ck_assert_ptr_nonnull(m->buf);
    apr_pool_cleanup_register(pool, m->buf, free_buffer, apr_pool_cleanup_null);
    m->cap = JK_MSG_HEADER_LEN + n;
    m->buf[0] = 'A';
    m->buf[1] = 'B';
    m->buf[2] = (uint8_t)(n >> 8);
    m->buf[3] = (uint8_t)(n & 0xFF);
    if (n)
        memcpy(m->buf + JK_MSG_HEADER_LEN, payload, n);
    jk_msg_set_received(m, n);
    return m;
}

static apr_status_t decode(const uint8_t *payload, apr_size_t n, jk_ajp_reply *r)
{
    return jk_ajp_decode_reply(received(payload, n), pool, r);
}

#define DECODE(bytes, r) decode((bytes), sizeof(bytes), (r))

static const uint8_t good_headers[] = {
    0x04,
    0x00, 0xC8,                                             /* 200 */
    0x00, 0x02, 'O', 'K', 0x00,
    0x00, 0x05,                                             /* 5 headers */
    0xA0, 0x01, 0x00, 0x09, 't', 'e', 'x', 't', '/', 'h', 't', 'm', 'l', 0x00,
    0xA0, 0x07, 0x00, 0x03, 'a', '=', '1', 0x00,
    0x00, 0x0C, 'X', '-', 'P', 'o', 'w', 'e', 'r', 'e', 'd', '-', 'B', 'y', 0x00,
    0x00, 0x03, 'J', 'S', 'P', 0x00,
    0xA0, 0x07, 0x00, 0x03, 'b', '=', '2', 0x00,
    0xA0, 0x0B, 0x00, 0x05, 'B', 'a', 's', 'i', 'c', 0x00,
};

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

static Suite *ajp_suite(void)
{
    Suite *s = suite_create("jk_ajp");
    TCase *tc;

    tc = tcase_create("encode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_encode_minimal_explicit_bytes);
    tcase_add_test(tc, test_encode_get_full);
    tcase_add_test(tc, test_encode_is_repeatable);
    tcase_add_test(tc, test_encode_post);
    tcase_add_test(tc, test_encode_unknown_method);
    tcase_add_test(tc, test_encode_known_method_has_no_stored_method);
    tcase_add_test(tc, test_encode_ssl_with_key_size);
    tcase_add_test(tc, test_encode_ssl_without_key_size);
    tcase_add_test(tc, test_encode_ssl_unknown_key_size);
    tcase_add_test(tc, test_encode_ssl_without_client_cert);
    tcase_add_test(tc, test_encode_no_ssl_attributes_without_ssl);
    tcase_add_test(tc, test_encode_too_large);
    tcase_add_test(tc, test_encode_exactly_fills_packet);
    tcase_add_test(tc, test_encode_body_chunk);
    tcase_add_test(tc, test_encode_body_chunk_binary);
    tcase_add_test(tc, test_encode_empty_body_chunk);
    tcase_add_test(tc, test_encode_body_chunk_limits);
    tcase_add_test(tc, test_encode_cping);
    suite_add_tcase(s, tc);

    tc = tcase_create("decode");
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
    suite_add_tcase(s, tc);

    tc = tcase_create("reject");
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
    suite_add_tcase(s, tc);

    tc = tcase_create("tables");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_method_codes);
    tcase_add_test(tc, test_method_codes_case_sensitive);
    tcase_add_test(tc, test_request_header_codes);
    tcase_add_test(tc, test_request_header_uncoded);
    tcase_add_test(tc, test_response_header_names);
    tcase_add_test(tc, test_strerror);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (apr_initialize() != APR_SUCCESS) {
        fprintf(stderr, "apr_initialize failed\n");
        return EXIT_FAILURE;
    }
    sr = srunner_create(ajp_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
