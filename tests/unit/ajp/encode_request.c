/* encode_request.c: FORWARD_REQUEST byte by byte: methods, headers, attributes, SSL. */
#include "ajp_fixture.h"

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

/* Requests as Tomcat must read them. */
TCase *ajp_encode_request_tcase(void)
{
    TCase *tc = tcase_create("encode request");
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
    return tc;
}
