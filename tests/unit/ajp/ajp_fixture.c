/* ajp_fixture.c: the jk_ajp tests' pool, the hand-built base request, replies as received. */
#include "ajp_fixture.h"

apr_pool_t *pool;

void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

void teardown(void)
{
    apr_pool_destroy(pool);
    pool = NULL;
}

/* ------------------------------------------------------------------ */
/* Services built by hand.                                              */

jk_service *base_service(void)
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

/* ------------------------------------------------------------------ */
/* Decoder                                                              */

static apr_status_t free_buffer(void *data)
{
    free(data);
    return APR_SUCCESS;
}

jk_msg *received(const uint8_t *payload, apr_size_t n)
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

apr_status_t decode(const uint8_t *payload, apr_size_t n, jk_ajp_reply *r)
{
    return jk_ajp_decode_reply(received(payload, n), pool, r);
}

const uint8_t good_headers[] = {
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
