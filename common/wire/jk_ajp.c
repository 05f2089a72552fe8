/*
 * jk_ajp.c: AJP13 encoding and decoding over jk_msg, no I/O (see jk_ajp.h):
 * FORWARD_REQUEST, body chunks and CPING out; replies in, checked and typed.
 */
#include "jk_ajp.h"

#include <apr_strings.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Index = AJP method code. */
static const char *const method_names[] = {
    NULL, "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
    "ACL", "REPORT", "VERSION-CONTROL", "CHECKIN", "CHECKOUT", "UNCHECKOUT",
    "SEARCH", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE", "BASELINE-CONTROL",
    "MKACTIVITY"
};
#define METHOD_COUNT (int)(sizeof(method_names) / sizeof(method_names[0]))

/* Index = low byte of the request header code. */
static const char *const request_header_names[] = {
    NULL, "accept", "accept-charset", "accept-encoding", "accept-language",
    "authorization", "connection", "content-type", "content-length", "cookie",
    "cookie2", "host", "pragma", "referer", "user-agent"
};
#define REQUEST_HEADER_COUNT (int)(sizeof(request_header_names) / sizeof(request_header_names[0]))

/* Index = low byte of the response header code. */
static const char *const response_header_names[] = {
    NULL, "Content-Type", "Content-Language", "Content-Length", "Date",
    "Last-Modified", "Location", "Set-Cookie", "Set-Cookie2", "Servlet-Engine",
    "Status", "WWW-Authenticate"
};
#define RESPONSE_HEADER_COUNT (int)(sizeof(response_header_names) / sizeof(response_header_names[0]))

int jk_ajp_method_code(const char *method)
{
    /* Methods are case-sensitive in HTTP: "get" is not GET. */
    for (int i = 1; i < METHOD_COUNT; i++)
        if (strcmp(method, method_names[i]) == 0)
            return i;
    return JK_AJP_METHOD_UNKNOWN;
}

/* mod_jk 1.2.48 sends Accept-Charset, Accept-Encoding and Accept-Language as strings, never
 * as their codes, so Tomcat keeps the client's spelling of those names (an application may
 * have come to rely on it): the same here. Every other name with a code is sent coded,
 * whatever its case, and Tomcat then reports it in lower case. */
static int sent_as_string(int index)
{
    return index >= 2 && index <= 4;
}

int jk_ajp_request_header_code(const char *name)
{
    /* Most names are ruled out by their first letter alone: compare only the candidates. */
    int first = name[0] | 0x20;
    for (int i = 1; i < REQUEST_HEADER_COUNT; i++)
        if (request_header_names[i][0] == first && !sent_as_string(i) &&
            strcasecmp(name, request_header_names[i]) == 0)
            return (JK_AJP_HEADER_CODE_PREFIX << 8) | i;
    return 0;
}

const char *jk_ajp_response_header_name(int code)
{
    int low = code & 0xFF;
    if ((code >> 8) != JK_AJP_HEADER_CODE_PREFIX || low < 1 || low >= RESPONSE_HEADER_COUNT)
        return NULL;
    return response_header_names[low];
}

/* Stops at the first error: callers chain puts with this. */
#define PUT(expr) do { apr_status_t rv_ = (expr); if (rv_ != APR_SUCCESS) return rv_; } while (0)

static apr_status_t put_headers(jk_msg *m, const jk_service *s)
{
    PUT(jk_msg_put_int(m, (uint16_t)s->num_headers));
    for (int i = 0; i < s->num_headers; i++) {
        int code = jk_ajp_request_header_code(s->headers[i].name);
        if (code) {
            PUT(jk_msg_put_int(m, (uint16_t)code));
        } else {
            /* A name whose length starts with 0xA0 would be read by Tomcat as a header code. */
            if ((strlen(s->headers[i].name) >> 8) >= JK_AJP_HEADER_CODE_PREFIX)
                return JK_MSG_EOVERFLOW;
            PUT(jk_msg_put_string(m, s->headers[i].name));
        }
        PUT(jk_msg_put_string(m, s->headers[i].value));
    }
    return APR_SUCCESS;
}

static apr_status_t put_string_attr(jk_msg *m, uint8_t code, const char *value)
{
    if (value == NULL)
        return APR_SUCCESS;
    PUT(jk_msg_put_byte(m, code));
    return jk_msg_put_string(m, value);
}

static apr_status_t put_req_attribute(jk_msg *m, const char *name, const char *value)
{
    if (value == NULL)
        return APR_SUCCESS;
    PUT(jk_msg_put_byte(m, JK_AJP_ATTR_REQ_ATTRIBUTE));
    PUT(jk_msg_put_string(m, name));
    return jk_msg_put_string(m, value);
}

static apr_status_t put_ssl_attributes(jk_msg *m, const jk_service *s, const jk_ajp_options *o)
{
    if (!s->is_ssl)
        return APR_SUCCESS;
    PUT(put_string_attr(m, JK_AJP_ATTR_SSL_CERT, s->ssl_cert));
    PUT(put_string_attr(m, JK_AJP_ATTR_SSL_CIPHER, s->ssl_cipher));
    PUT(put_string_attr(m, JK_AJP_ATTR_SSL_SESSION, s->ssl_session));
    if (o->forward_key_size && s->ssl_key_size >= 0) {
        PUT(jk_msg_put_byte(m, JK_AJP_ATTR_SSL_KEY_SIZE));
        PUT(jk_msg_put_int(m, (uint16_t)s->ssl_key_size));
    }
    return put_req_attribute(m, JK_AJP_SSL_PROTOCOL_ATTR, s->ssl_protocol);
}

static apr_status_t put_attributes(jk_msg *m, const jk_service *s, const jk_ajp_options *o,
                                   int method_code)
{
    char port[16];

    PUT(put_string_attr(m, JK_AJP_ATTR_REMOTE_USER, s->remote_user));
    PUT(put_string_attr(m, JK_AJP_ATTR_AUTH_TYPE, s->auth_type));
    PUT(put_string_attr(m, JK_AJP_ATTR_QUERY_STRING, s->query_string));
    PUT(put_string_attr(m, JK_AJP_ATTR_ROUTE, s->route));
    PUT(put_ssl_attributes(m, s, o));
    PUT(put_string_attr(m, JK_AJP_ATTR_SECRET, o->secret));
    if (method_code == JK_AJP_METHOD_UNKNOWN)
        PUT(put_string_attr(m, JK_AJP_ATTR_STORED_METHOD, s->method));
    snprintf(port, sizeof(port), "%d", s->remote_port);
    PUT(put_req_attribute(m, JK_AJP_REMOTE_PORT_ATTR, port));
    PUT(put_req_attribute(m, JK_AJP_LOCAL_ADDR_ATTR, s->local_addr));
    PUT(put_req_attribute(m, JK_AJP_LB_ACTIVATION_ATTR, s->activation ? s->activation : "ACT"));
    for (int i = 0; i < s->num_attributes; i++)
        PUT(put_req_attribute(m, s->attributes[i].name, s->attributes[i].value));
    return jk_msg_put_byte(m, JK_AJP_ATTR_END);
}

apr_status_t jk_ajp_encode_request(jk_msg *m, const jk_service *s, const jk_ajp_options *o)
{
    int method_code = jk_ajp_method_code(s->method);

    jk_msg_reset(m);
    PUT(jk_msg_put_byte(m, JK_AJP_FORWARD_REQUEST));
    PUT(jk_msg_put_byte(m, (uint8_t)method_code));
    PUT(jk_msg_put_string(m, s->protocol));
    PUT(jk_msg_put_string(m, s->uri));
    PUT(jk_msg_put_string(m, s->remote_addr));
    PUT(jk_msg_put_string(m, s->remote_host));
    PUT(jk_msg_put_string(m, s->server_name));
    PUT(jk_msg_put_int(m, (uint16_t)s->server_port));
    PUT(jk_msg_put_byte(m, s->is_ssl ? 1 : 0));
    PUT(put_headers(m, s));
    PUT(put_attributes(m, s, o, method_code));
    jk_msg_end(m);
    return APR_SUCCESS;
}

apr_status_t jk_ajp_encode_body_chunk(jk_msg *m, const char *data, apr_size_t n)
{
    jk_msg_reset(m);
    if (n > m->cap - JK_AJP_BODY_CHUNK_OVERHEAD)
        return JK_MSG_EOVERFLOW;
    /* An empty chunk is the bare header: length 0, no payload. */
    if (n > 0) {
        PUT(jk_msg_put_int(m, (uint16_t)n));
        PUT(jk_msg_put_bytes(m, data, n));
    }
    jk_msg_end(m);
    return APR_SUCCESS;
}

void jk_ajp_encode_cping(jk_msg *m)
{
    jk_msg_reset(m);
    jk_msg_put_byte(m, JK_AJP_CPING);
    jk_msg_end(m);
}

static apr_status_t get_response_header_name(jk_msg *m, const char **name)
{
    uint16_t n;
    const char *s;
    apr_size_t len;

    PUT(jk_msg_get_int(m, &n));
    if ((n >> 8) == JK_AJP_HEADER_CODE_PREFIX) {
        *name = jk_ajp_response_header_name(n);
        return *name ? APR_SUCCESS : JK_AJP_EBADHEADER;
    }
    /* Not a code: the two bytes were a string length.  Step back and read the string. */
    m->pos -= 2;
    PUT(jk_msg_get_string(m, &s, &len));
    if (s == NULL || len == 0)
        return JK_AJP_EBADHEADER;
    *name = s;
    return APR_SUCCESS;
}

static apr_status_t decode_headers(jk_msg *m, apr_pool_t *pool, jk_ajp_reply *r)
{
    uint16_t status, count;
    apr_size_t len;

    PUT(jk_msg_get_int(m, &status));
    if (status < 100 || status > 999)
        return JK_AJP_EBADSTATUS;
    r->status = status;
    PUT(jk_msg_get_string(m, &r->reason, &len));
    PUT(jk_msg_get_int(m, &count));
    /* Each header takes at least 4 bytes: a count larger than that is a lie. */
    if ((apr_size_t)count * 4 > jk_msg_unread(m))
        return JK_MSG_ETRUNC;
    r->headers = count ? apr_palloc(pool, sizeof(jk_header) * count) : NULL;
    r->num_headers = count;
    for (int i = 0; i < count; i++) {
        PUT(get_response_header_name(m, &r->headers[i].name));
        PUT(jk_msg_get_string(m, &r->headers[i].value, &len));
        if (r->headers[i].value == NULL)
            r->headers[i].value = "";
    }
    return APR_SUCCESS;
}

static apr_status_t decode_body_chunk(jk_msg *m, jk_ajp_reply *r)
{
    uint16_t n;
    const uint8_t *p;

    PUT(jk_msg_get_int(m, &n));
    if (n > jk_msg_unread(m))
        return JK_AJP_EBADCHUNK;
    PUT(jk_msg_get_bytes(m, &p, n));
    r->chunk = (const char *)p;
    r->chunk_len = n;
    /* Tomcat appends one NUL after the data; tolerate it, nothing more. */
    if (jk_msg_unread(m) == 1 && m->buf[m->pos] == 0)
        m->pos++;
    return APR_SUCCESS;
}

static apr_status_t decode_end(jk_msg *m, jk_ajp_reply *r)
{
    uint8_t reuse = 0;
    /* Some servers omit the flag; without it the connection is not trusted. */
    if (jk_msg_unread(m) >= 1)
        PUT(jk_msg_get_byte(m, &reuse));
    r->reuse = reuse == 1;
    return APR_SUCCESS;
}

static apr_status_t decode_get_body(jk_msg *m, jk_ajp_reply *r)
{
    uint16_t n;
    PUT(jk_msg_get_int(m, &n));
    r->requested = n;
    return APR_SUCCESS;
}

apr_status_t jk_ajp_decode_reply(jk_msg *m, apr_pool_t *pool, jk_ajp_reply *r)
{
    uint8_t type;
    apr_status_t rv;

    memset(r, 0, sizeof(*r));
    PUT(jk_msg_get_byte(m, &type));
    r->type = type;
    switch (type) {
    case JK_AJP_SEND_HEADERS:   rv = decode_headers(m, pool, r); break;
    case JK_AJP_SEND_BODY_CHUNK: rv = decode_body_chunk(m, r); break;
    case JK_AJP_END_RESPONSE:   rv = decode_end(m, r); break;
    case JK_AJP_GET_BODY_CHUNK: rv = decode_get_body(m, r); break;
    case JK_AJP_CPONG:          rv = APR_SUCCESS; break;
    default:                    return JK_AJP_EBADTYPE;
    }
    if (rv == APR_SUCCESS && jk_msg_unread(m) != 0 && type != JK_AJP_END_RESPONSE)
        return JK_AJP_ETRAILING;
    return rv;
}

const char *jk_ajp_strerror(apr_status_t rv)
{
    switch (rv) {
    case JK_MSG_EOVERFLOW:  return "does not fit in one AJP packet (max_packet_size)";
    case JK_MSG_ETRUNC:     return "AJP message truncated";
    case JK_MSG_EBADSTR:    return "AJP string without its terminator";
    case JK_MSG_EBADHDR:    return "bad AJP packet header (magic or length)";
    case JK_AJP_EBADTYPE:   return "unknown AJP message type";
    case JK_AJP_EBADHEADER: return "unknown coded response header";
    case JK_AJP_EBADCHUNK:  return "body chunk longer than its packet";
    case JK_AJP_ETRAILING:  return "extra bytes after an AJP message";
    case JK_AJP_EBADSTATUS: return "HTTP status out of range";
    default:                return "AJP error";
    }
}
