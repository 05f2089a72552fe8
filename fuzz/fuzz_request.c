/*
 * Fuzz target: encoding a request (FORWARD_REQUEST), body chunks and CPING.
 *
 * Input:
 *   byte 0     flags: bit 0 is_ssl, bit 1 forward_key_size, bit 2 remote_host
 *              is NULL (else it is remote_addr)
 *   byte 1     packet size: < 0xC0: 8192 (the default); 0xC0-0xEF: 8 to 760
 *              bytes (overflow at every field); 0xF0-0xFF: 8192 to 65536
 *   bytes 2-3  stretch length L (big-endian)
 *   byte 4     stretch target (% 8): none, uri, first header name, first header
 *              value, query, first attribute value, secret, method.  The
 *              target is replaced by its own bytes repeated to L bytes, so
 *              fields up to 65535 bytes are reachable from a short input.
 *   bytes 5-6  remote port; bytes 7-8 server port
 *   then '\n'-separated lines: method, uri, protocol, remote_addr,
 *   server_name; after those, "@X=value" sets an optional field (q query,
 *   r route, u remote_user, a auth_type, s secret, c ssl_cert, C ssl_cipher,
 *   S ssl_session, p ssl_protocol, l local_addr, h remote_host, k
 *   ssl_key_size), "+name=value" adds a configured request attribute, and
 *   any other line is a header "Name: value" (no ':': an empty value).
 *
 * Checked: encoding into a packet of exactly its size never touches memory
 * outside it and returns APR_SUCCESS or JK_MSG_EOVERFLOW, nothing else; it
 * overflows exactly when the request does not fit (compared with encoding
 * into a 256 KB buffer), and succeeds with the same bytes otherwise.  A packet
 * that was built is decoded as Tomcat decodes it (a first int 0xA0xx is a
 * coded header name) and every field must come back as the jk_service holds
 * it: method, strings, ports, headers, and the attribute set.  Body chunks
 * and CPING are checked byte by byte.
 *
 * Open finding (tag "ajp-header-name-length", see docs/fuzzing.md): a header
 * name of 0xA000-0xA0FF bytes is sent as a string whose length Tomcat reads
 * as a coded header name.
 */
#include "fuzz_common.h"

#include "jk_ajp.h"
#include "jk_msg.h"
#include "jk_service.h"

#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 64
#define MAX_ATTRS 16
#define MAX_DECODED_ATTRS 64
#define BIG_CAP (256 * 1024)

static apr_size_t packet_size(uint8_t sel)
{
    if (sel < 0xC0)
        return 8192;
    if (sel < 0xF0)
        return 8 + (apr_size_t)(sel - 0xC0) * 16;
    /* 0xF0 + 14 = 0xFE reaches 65536, the largest max_packet_size; 0xFF stays there. */
    return sel == 0xFF ? 65536 : 8192 + (apr_size_t)(sel - 0xF0) * 4096;
}

/* `s` repeated to exactly `len` bytes ("x" when `s` is empty). */
static char *stretch(apr_pool_t *pool, const char *s, apr_size_t len)
{
    char *out = apr_palloc(pool, len + 1);
    size_t n = strlen(s), have;
    if (n == 0) {
        s = "x";
        n = 1;
    }
    have = n < len ? n : len;
    memcpy(out, s, have);
    /* Doubling what is there keeps the cycle: a few copies instead of a loop per byte. */
    while (have < len) {
        size_t more = have < len - have ? have : len - have;
        memcpy(out + have, out, more);
        have += more;
    }
    out[len] = '\0';
    return out;
}

/* --- decoding the packet back, as Tomcat's AjpProcessor reads it --- */

typedef struct attr {
    int code;
    const char *name;   /* JK_AJP_ATTR_REQ_ATTRIBUTE only */
    const char *value;  /* NULL for the null string */
    int number;         /* JK_AJP_ATTR_SSL_KEY_SIZE only */
    int used;
} attr;

static const char *get_string_or_fail(jk_msg *m, const char *what)
{
    const char *s = NULL;
    apr_size_t n = 0;
    apr_status_t rv = jk_msg_get_string(m, &s, &n);
    FUZZ_CHECK(rv == APR_SUCCESS, "encoded packet: %s cannot be read back (%s)", what,
               jk_ajp_strerror(rv));
    FUZZ_CHECK(s == NULL || strlen(s) == n, "encoded packet: %s holds a NUL", what);
    return s;
}

static void expect_string(jk_msg *m, const char *want, const char *what)
{
    const char *got = get_string_or_fail(m, what);
    if (want == NULL)
        FUZZ_CHECK(got == NULL, "%s: NULL was encoded as '%s'", what, got);
    else
        FUZZ_CHECK(got != NULL && strcmp(got, want) == 0, "%s: '%.60s' came back as '%.60s'",
                   what, want, got ? got : "(null)");
}

static uint8_t get_u8(jk_msg *m, const char *what)
{
    uint8_t v = 0;
    FUZZ_CHECK(jk_msg_get_byte(m, &v) == APR_SUCCESS, "encoded packet: %s missing", what);
    return v;
}

static uint16_t get_u16(jk_msg *m, const char *what)
{
    uint16_t v = 0;
    FUZZ_CHECK(jk_msg_get_int(m, &v) == APR_SUCCESS, "encoded packet: %s missing", what);
    return v;
}

/* Returns 0 when the rest cannot be read as Tomcat would (an ignored open finding). */
static int decode_headers(jk_msg *m, const jk_service *s)
{
    uint16_t count = get_u16(m, "header count");
    FUZZ_CHECK(count == s->num_headers, "%d headers sent as %u", s->num_headers, count);
    for (int i = 0; i < s->num_headers; i++) {
        const char *name = s->headers[i].name;
        uint16_t first = get_u16(m, "header name");
        if ((first & 0xFF00) == (JK_AJP_HEADER_CODE_PREFIX << 8)) {
            if (fuzz_ignored("ajp-header-name-length") && jk_ajp_request_header_code(name) == 0)
                return 0; /* the rest of the packet is misaligned for Tomcat */
            FUZZ_CHECK(jk_ajp_request_header_code(name) == first,
                       "header %d: its name of %zu bytes ('%.40s...') was sent so that Tomcat "
                       "reads coded header 0x%04X instead", i, strlen(name), name, first);
        } else {
            m->pos -= 2;
            FUZZ_CHECK(jk_ajp_request_header_code(name) == 0, "header '%s' was not coded", name);
            expect_string(m, name, "header name");
        }
        expect_string(m, s->headers[i].value, "header value");
    }
    return 1;
}

static int decode_attributes(jk_msg *m, attr *out)
{
    int n = 0;
    for (;;) {
        uint8_t code = get_u8(m, "attribute code or end");
        attr *a;
        if (code == JK_AJP_ATTR_END)
            return n;
        FUZZ_CHECK(n < MAX_DECODED_ATTRS, "more than %d attributes", MAX_DECODED_ATTRS);
        a = &out[n++];
        memset(a, 0, sizeof(*a));
        a->code = code;
        switch (code) {
        case JK_AJP_ATTR_REQ_ATTRIBUTE:
            a->name = get_string_or_fail(m, "request attribute name");
            a->value = get_string_or_fail(m, "request attribute value");
            break;
        case JK_AJP_ATTR_SSL_KEY_SIZE:
            a->number = get_u16(m, "ssl key size");
            break;
        case JK_AJP_ATTR_REMOTE_USER: case JK_AJP_ATTR_AUTH_TYPE:
        case JK_AJP_ATTR_QUERY_STRING: case JK_AJP_ATTR_ROUTE: case JK_AJP_ATTR_SSL_CERT:
        case JK_AJP_ATTR_SSL_CIPHER: case JK_AJP_ATTR_SSL_SESSION: case JK_AJP_ATTR_SECRET:
        case JK_AJP_ATTR_STORED_METHOD:
            a->value = get_string_or_fail(m, "attribute value");
            break;
        default:
            FUZZ_CHECK(0, "attribute code 0x%02X is not one Tomcat knows", code);
        }
    }
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* One expected attribute must be among the decoded ones, once. */
static void expect_attr(attr *got, int n, int code, const char *name, const char *value,
                        int number)
{
    for (int i = 0; i < n; i++)
        if (!got[i].used && got[i].code == code && same(got[i].name, name) &&
            same(got[i].value, value) && got[i].number == number) {
            got[i].used = 1;
            return;
        }
    FUZZ_CHECK(0, "attribute 0x%02X %s='%.60s' is missing from the packet", code,
               name ? name : "", value ? value : "(null)");
}

static void check_attributes(attr *got, int n, const jk_service *s, const jk_ajp_options *o)
{
    char port[16];
    int want = 0;
    const struct { int code; const char *value; } plain[] = {
        { JK_AJP_ATTR_REMOTE_USER, s->remote_user },
        { JK_AJP_ATTR_AUTH_TYPE, s->auth_type },
        { JK_AJP_ATTR_QUERY_STRING, s->query_string },
        { JK_AJP_ATTR_ROUTE, s->route },
        { JK_AJP_ATTR_SSL_CERT, s->is_ssl ? s->ssl_cert : NULL },
        { JK_AJP_ATTR_SSL_CIPHER, s->is_ssl ? s->ssl_cipher : NULL },
        { JK_AJP_ATTR_SSL_SESSION, s->is_ssl ? s->ssl_session : NULL },
        { JK_AJP_ATTR_SECRET, o->secret },
        { JK_AJP_ATTR_STORED_METHOD,
          jk_ajp_method_code(s->method) == JK_AJP_METHOD_UNKNOWN ? s->method : NULL },
    };

    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (plain[i].value) {
            expect_attr(got, n, plain[i].code, NULL, plain[i].value, 0);
            want++;
        }
    if (s->is_ssl && o->forward_key_size && s->ssl_key_size >= 0) {
        expect_attr(got, n, JK_AJP_ATTR_SSL_KEY_SIZE, NULL, NULL, (uint16_t)s->ssl_key_size);
        want++;
    }
    if (s->is_ssl && s->ssl_protocol) {
        expect_attr(got, n, JK_AJP_ATTR_REQ_ATTRIBUTE, JK_AJP_SSL_PROTOCOL_ATTR, s->ssl_protocol,
                    0);
        want++;
    }
    snprintf(port, sizeof(port), "%d", s->remote_port);
    expect_attr(got, n, JK_AJP_ATTR_REQ_ATTRIBUTE, JK_AJP_REMOTE_PORT_ATTR, port, 0);
    want++;
    if (s->local_addr) {
        expect_attr(got, n, JK_AJP_ATTR_REQ_ATTRIBUTE, JK_AJP_LOCAL_ADDR_ATTR, s->local_addr, 0);
        want++;
    }
    expect_attr(got, n, JK_AJP_ATTR_REQ_ATTRIBUTE, JK_AJP_LB_ACTIVATION_ATTR,
                s->activation ? s->activation : "ACT", 0);
    want++;
    for (int i = 0; i < s->num_attributes; i++)
        if (s->attributes[i].value) {
            expect_attr(got, n, JK_AJP_ATTR_REQ_ATTRIBUTE, s->attributes[i].name,
                        s->attributes[i].value, 0);
            want++;
        }
    FUZZ_CHECK(n == want, "%d attributes in the packet, %d expected", n, want);
}

static void verify_forward_request(const jk_msg *enc, const jk_service *s,
                                   const jk_ajp_options *o)
{
    jk_msg r = *enc;
    attr got[MAX_DECODED_ATTRS];
    int n;

    FUZZ_CHECK(enc->len <= enc->cap && enc->len > JK_MSG_HEADER_LEN, "len %zu, cap %zu",
               (size_t)enc->len, (size_t)enc->cap);
    FUZZ_CHECK(enc->buf[0] == 0x12 && enc->buf[1] == 0x34 &&
                   (((size_t)enc->buf[2] << 8) | enc->buf[3]) == enc->len - JK_MSG_HEADER_LEN,
               "bad packet header %02X %02X %02X %02X for %zu bytes", enc->buf[0], enc->buf[1],
               enc->buf[2], enc->buf[3], (size_t)enc->len);
    r.pos = JK_MSG_HEADER_LEN;
    FUZZ_CHECK(get_u8(&r, "type") == JK_AJP_FORWARD_REQUEST, "not a FORWARD_REQUEST");
    FUZZ_CHECK(get_u8(&r, "method") == (uint8_t)jk_ajp_method_code(s->method),
               "method code of '%s'", s->method);
    expect_string(&r, s->protocol, "protocol");
    expect_string(&r, s->uri, "uri");
    expect_string(&r, s->remote_addr, "remote_addr");
    expect_string(&r, s->remote_host, "remote_host");
    expect_string(&r, s->server_name, "server_name");
    FUZZ_CHECK(get_u16(&r, "server port") == (uint16_t)s->server_port, "server port");
    FUZZ_CHECK(get_u8(&r, "is_ssl") == (s->is_ssl ? 1 : 0), "is_ssl");
    if (!decode_headers(&r, s))
        return;
    n = decode_attributes(&r, got);
    FUZZ_CHECK(r.pos == r.len, "%zu bytes after the attributes' end", (size_t)(r.len - r.pos));
    check_attributes(got, n, s, o);
}

/* --- building the request from the input --- */

typedef struct request {
    jk_service s;
    jk_ajp_options o;
    jk_header headers[MAX_HEADERS];
    jk_header attributes[MAX_ATTRS];
} request;

static void set_option(request *q, apr_pool_t *pool, char key, const char *value)
{
    jk_service *s = &q->s;
    switch (key) {
    case 'q': s->query_string = value; break;
    case 'r': s->route = value; break;
    case 'u': s->remote_user = value; break;
    case 'a': s->auth_type = value; break;
    case 's': q->o.secret = value; break;
    case 'c': s->ssl_cert = value; break;
    case 'C': s->ssl_cipher = value; break;
    case 'S': s->ssl_session = value; break;
    case 'p': s->ssl_protocol = value; break;
    case 'l': s->local_addr = value; break;
    case 'h': s->remote_host = value; break;
    case 'k': s->ssl_key_size = atoi(value) % 100000; break;
    default: (void)pool; break;
    }
}

static void build_request(request *q, apr_pool_t *pool, const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size };
    jk_service *s = &q->s;
    uint8_t flags = fuzz_u8(&in);
    char *line;

    memset(q, 0, sizeof(*q));
    (void)fuzz_u8(&in);               /* packet size: read by the caller */
    (void)fuzz_u16(&in);              /* stretch length: applied by the caller */
    (void)fuzz_u8(&in);               /* stretch target */
    s->pool = pool;
    s->is_ssl = flags & 1;
    q->o.forward_key_size = (flags >> 1) & 1;
    s->remote_port = fuzz_u16(&in);
    s->server_port = fuzz_u16(&in);
    s->ssl_key_size = -1;
    s->content_length = 0;
    s->method = fuzz_field(&in, pool, '\n');
    s->uri = fuzz_field(&in, pool, '\n');
    s->protocol = fuzz_field(&in, pool, '\n');
    s->remote_addr = fuzz_field(&in, pool, '\n');
    s->server_name = fuzz_field(&in, pool, '\n');
    if (s->method == NULL)
        s->method = "GET";
    if (s->uri == NULL)
        s->uri = "/";
    if (s->protocol == NULL)
        s->protocol = "HTTP/1.1";
    if (s->remote_addr == NULL)
        s->remote_addr = "127.0.0.1";
    if (s->server_name == NULL)
        s->server_name = "localhost";
    s->remote_host = (flags & 4) ? NULL : s->remote_addr;
    s->headers = q->headers;
    s->attributes = q->attributes;
    while ((line = fuzz_field(&in, pool, '\n')) != NULL) {
        if (line[0] == '@' && line[1] && line[2] == '=') {
            set_option(q, pool, line[1], line + 3);
        } else if (line[0] == '+') {
            char *eq = strchr(line + 1, '=');
            jk_header *a;
            if (s->num_attributes == MAX_ATTRS)
                continue;
            a = &q->attributes[s->num_attributes++];
            a->name = line + 1;
            a->value = eq ? eq + 1 : NULL;
            if (eq)
                *eq = '\0';
        } else if (s->num_headers < MAX_HEADERS) {
            char *colon = strchr(line, ':');
            jk_header *h = &q->headers[s->num_headers++];
            h->name = line;
            h->value = "";
            if (colon) {
                *colon = '\0';
                h->value = colon[1] == ' ' ? colon + 2 : colon + 1;
            }
        }
    }
}

static void apply_stretch(request *q, apr_pool_t *pool, uint8_t target, apr_size_t len)
{
    jk_service *s = &q->s;
    switch (target % 8) {
    case 1: s->uri = stretch(pool, s->uri, len); break;
    case 2: if (s->num_headers) q->headers[0].name = stretch(pool, q->headers[0].name, len); break;
    case 3: if (s->num_headers) q->headers[0].value = stretch(pool, q->headers[0].value, len); break;
    case 4: if (s->query_string) s->query_string = stretch(pool, s->query_string, len); break;
    case 5:
        if (s->num_attributes && q->attributes[0].value)
            q->attributes[0].value = stretch(pool, q->attributes[0].value, len);
        break;
    case 6: if (q->o.secret) q->o.secret = stretch(pool, q->o.secret, len); break;
    case 7: s->method = stretch(pool, s->method, len); break;
    default: break;
    }
}

/* --- the other two encoders --- */

static void check_body_chunk(apr_pool_t *pool, apr_size_t cap, const uint8_t *data, size_t n)
{
    jk_msg *m = jk_msg_create(pool, cap);
    apr_status_t rv = jk_ajp_encode_body_chunk(m, (const char *)data, n);
    size_t payload;

    FUZZ_CHECK(m->len <= m->cap, "body chunk: len %zu > cap %zu", (size_t)m->len, (size_t)cap);
    if (n > cap - JK_AJP_BODY_CHUNK_OVERHEAD) {
        FUZZ_CHECK(rv == JK_MSG_EOVERFLOW, "a %zu-byte chunk in a %zu-byte packet gave %d", n,
                   (size_t)cap, rv);
        return;
    }
    FUZZ_CHECK(rv == APR_SUCCESS, "a %zu-byte chunk in a %zu-byte packet failed: %d", n,
               (size_t)cap, rv);
    payload = ((size_t)m->buf[2] << 8) | m->buf[3];
    FUZZ_CHECK(m->buf[0] == 0x12 && m->buf[1] == 0x34 && payload == m->len - JK_MSG_HEADER_LEN,
               "body chunk header");
    if (n == 0) {
        FUZZ_CHECK(payload == 0, "the empty chunk has a %zu-byte payload", payload);
        return;
    }
    FUZZ_CHECK(payload == n + 2 && (((size_t)m->buf[4] << 8) | m->buf[5]) == n &&
                   memcmp(m->buf + 6, data, n) == 0,
               "body chunk of %zu bytes encoded wrongly", n);
}

static void check_cping(apr_pool_t *pool, apr_size_t cap)
{
    static const uint8_t want[] = { 0x12, 0x34, 0x00, 0x01, JK_AJP_CPING };
    jk_msg *m = jk_msg_create(pool, cap);
    jk_ajp_encode_cping(m);
    FUZZ_CHECK(m->len == sizeof(want) && memcmp(m->buf, want, sizeof(want)) == 0, "CPING bytes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool;
    request *q;
    apr_size_t cap, stretch_len;
    jk_msg *m, *big;
    apr_status_t rv, big_rv;

    if (size < 9)
        return 0;
    pool = fuzz_pool_begin();
    q = apr_palloc(pool, sizeof(*q));
    build_request(q, pool, data, size);
    cap = packet_size(data[1]);
    stretch_len = ((apr_size_t)data[2] << 8) | data[3];
    apply_stretch(q, pool, data[4], stretch_len);

    m = jk_msg_create(pool, cap);
    rv = jk_ajp_encode_request(m, &q->s, &q->o);
    FUZZ_CHECK(rv == APR_SUCCESS || rv == JK_MSG_EOVERFLOW, "encode_request returned %d (%s)",
               rv, jk_ajp_strerror(rv));
    FUZZ_CHECK(m->len <= m->cap, "len %zu past cap %zu", (size_t)m->len, (size_t)m->cap);

    big = jk_msg_create(pool, BIG_CAP);
    big_rv = jk_ajp_encode_request(big, &q->s, &q->o);
    if (rv == APR_SUCCESS) {
        FUZZ_CHECK(big_rv == APR_SUCCESS && big->len == m->len &&
                       memcmp(big->buf, m->buf, m->len) == 0,
                   "the same request encoded differently in a bigger packet");
        verify_forward_request(m, &q->s, &q->o);
    } else if (big_rv == APR_SUCCESS) {
        FUZZ_CHECK(big->len > cap, "overflow reported for a %zu-byte request in a %zu-byte "
                   "packet", (size_t)big->len, (size_t)cap);
        /* The 16-bit length field holds at most 65535: larger is only this oracle's buffer. */
        if (big->len - JK_MSG_HEADER_LEN <= 0xFFFF)
            verify_forward_request(big, &q->s, &q->o);
    }

    check_body_chunk(pool, cap, data, size);
    if (stretch_len) {
        char *body = stretch(pool, apr_pstrndup(pool, (const char *)data + 9, size - 9),
                             stretch_len);
        check_body_chunk(pool, cap, (const uint8_t *)body, stretch_len);
    }
    check_cping(pool, cap);
    fuzz_pool_end(pool);
    return 0;
}
