/*
 * jk_msg.c: the bounds-checked AJP13 packet buffer (see jk_msg.h): header, puts and
 * gets that never step outside the buffer.
 */
#include "jk_msg.h"

#include <string.h>

#define JK_MAGIC_TO_CONTAINER_0 0x12
#define JK_MAGIC_TO_CONTAINER_1 0x34
#define JK_MAGIC_FROM_CONTAINER_0 0x41 /* 'A' */
#define JK_MAGIC_FROM_CONTAINER_1 0x42 /* 'B' */
#define JK_NULL_STRING_LEN 0xFFFF

jk_msg *jk_msg_create(apr_pool_t *pool, apr_size_t cap)
{
    jk_msg *m = apr_palloc(pool, sizeof(*m));
    m->buf = apr_palloc(pool, cap);
    m->cap = cap;
    jk_msg_reset(m);
    return m;
}

void jk_msg_reset(jk_msg *m)
{
    m->len = JK_MSG_HEADER_LEN;
    m->pos = JK_MSG_HEADER_LEN;
}

void jk_msg_end(jk_msg *m)
{
    apr_size_t n = jk_msg_payload_len(m);
    m->buf[0] = JK_MAGIC_TO_CONTAINER_0;
    m->buf[1] = JK_MAGIC_TO_CONTAINER_1;
    m->buf[2] = (uint8_t)(n >> 8);
    m->buf[3] = (uint8_t)(n & 0xFF);
}

apr_size_t jk_msg_payload_len(const jk_msg *m)
{
    return m->len - JK_MSG_HEADER_LEN;
}

apr_size_t jk_msg_room(const jk_msg *m)
{
    return m->cap - m->len;
}

apr_status_t jk_msg_put_byte(jk_msg *m, uint8_t v)
{
    if (jk_msg_room(m) < 1)
        return JK_MSG_EOVERFLOW;
    m->buf[m->len++] = v;
    return APR_SUCCESS;
}

apr_status_t jk_msg_put_int(jk_msg *m, uint16_t v)
{
    if (jk_msg_room(m) < 2)
        return JK_MSG_EOVERFLOW;
    m->buf[m->len++] = (uint8_t)(v >> 8);
    m->buf[m->len++] = (uint8_t)(v & 0xFF);
    return APR_SUCCESS;
}

apr_status_t jk_msg_put_bytes(jk_msg *m, const void *data, apr_size_t n)
{
    if (jk_msg_room(m) < n)
        return JK_MSG_EOVERFLOW;
    if (n)
        memcpy(m->buf + m->len, data, n);
    m->len += n;
    return APR_SUCCESS;
}

apr_status_t jk_msg_put_stringn(jk_msg *m, const char *s, apr_size_t n)
{
    if (s == NULL)
        return jk_msg_put_int(m, JK_NULL_STRING_LEN);
    /* 0xFFFF is reserved for null, so the longest string is one byte shorter. */
    if (n >= JK_NULL_STRING_LEN || jk_msg_room(m) < n + 3)
        return JK_MSG_EOVERFLOW;
    jk_msg_put_int(m, (uint16_t)n);
    jk_msg_put_bytes(m, s, n);
    return jk_msg_put_byte(m, 0);
}

apr_status_t jk_msg_put_string(jk_msg *m, const char *s)
{
    return jk_msg_put_stringn(m, s, s ? strlen(s) : 0);
}

apr_status_t jk_msg_parse_reply_header(const uint8_t *hdr, apr_size_t cap,
                                       apr_size_t *payload_len)
{
    apr_size_t n;
    if (hdr[0] != JK_MAGIC_FROM_CONTAINER_0 || hdr[1] != JK_MAGIC_FROM_CONTAINER_1)
        return JK_MSG_EBADHDR;
    n = ((apr_size_t)hdr[2] << 8) | hdr[3];
    if (n == 0 || n > cap - JK_MSG_HEADER_LEN)
        return JK_MSG_EBADHDR;
    *payload_len = n;
    return APR_SUCCESS;
}

void jk_msg_set_received(jk_msg *m, apr_size_t n)
{
    m->len = JK_MSG_HEADER_LEN + n;
    m->pos = JK_MSG_HEADER_LEN;
}

apr_size_t jk_msg_unread(const jk_msg *m)
{
    return m->len - m->pos;
}

apr_status_t jk_msg_get_byte(jk_msg *m, uint8_t *v)
{
    if (jk_msg_unread(m) < 1)
        return JK_MSG_ETRUNC;
    *v = m->buf[m->pos++];
    return APR_SUCCESS;
}

apr_status_t jk_msg_get_int(jk_msg *m, uint16_t *v)
{
    if (jk_msg_unread(m) < 2)
        return JK_MSG_ETRUNC;
    *v = (uint16_t)((m->buf[m->pos] << 8) | m->buf[m->pos + 1]);
    m->pos += 2;
    return APR_SUCCESS;
}

apr_status_t jk_msg_get_bytes(jk_msg *m, const uint8_t **p, apr_size_t n)
{
    if (jk_msg_unread(m) < n)
        return JK_MSG_ETRUNC;
    *p = m->buf + m->pos;
    m->pos += n;
    return APR_SUCCESS;
}

apr_status_t jk_msg_get_string(jk_msg *m, const char **s, apr_size_t *n)
{
    uint16_t len;
    const uint8_t *p;
    apr_status_t rv = jk_msg_get_int(m, &len);
    if (rv != APR_SUCCESS)
        return rv;
    if (len == JK_NULL_STRING_LEN) {
        *s = NULL;
        *n = 0;
        return APR_SUCCESS;
    }
    if ((rv = jk_msg_get_bytes(m, &p, (apr_size_t)len + 1)) != APR_SUCCESS)
        return rv;
    /* The terminator must be there, and only there: a NUL inside would cut the string short. */
    if (p[len] != 0 || memchr(p, 0, len) != NULL)
        return JK_MSG_EBADSTR;
    *s = (const char *)p;
    *n = len;
    return APR_SUCCESS;
}
