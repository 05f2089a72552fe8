/*
 * Fuzz target: AJP13 replies (container -> server), as a hostile backend
 * could send them.
 *
 * Input: the first byte picks the mode.
 *   even: the rest is a byte stream from the backend.  Packets are taken off
 *         it as the ajp13 worker does: jk_msg_parse_reply_header() on 4 bytes
 *         with max_packet_size 8192, then the announced payload, then
 *         jk_msg_set_received() and jk_ajp_decode_reply().  Up to 64 packets;
 *         a payload longer than what is left stops the stream (the worker
 *         would wait for more).
 *   odd:  the rest is one payload, decoded directly (no header check), so
 *         that the decoder sees sizes the header check would refuse.
 *
 * Each packet gets a buffer of exactly 4 + payload bytes, as the worker's
 * jk_msg does (cap = len), so any read past the packet is outside the
 * allocation and ASan reports it.
 *
 * Checked: decoding never reads outside the packet; it fails only with the
 * decoder's own error codes; a decoded reply is consistent (status in
 * 100..999, header names non-empty, every string it returns lies inside the
 * packet with its NUL and is exactly as long as the peer said, i.e. holds no
 * NUL of its own, or is one of the coded header names; a body chunk lies
 * inside the packet; nothing is left unread except after END_RESPONSE).
 *
 * Open finding (tag "ajp-nul-string", see docs/fuzzing.md): the decoder
 * accepts AJP strings with a NUL inside their bytes.
 */
#include "fuzz_common.h"

#include "jk_ajp.h"
#include "jk_msg.h"

#include <string.h>

#define REPLY_CAP 8192
#define MAX_PACKETS 64

static int decode_error(apr_status_t rv)
{
    switch (rv) {
    case JK_MSG_ETRUNC:
    case JK_MSG_EBADSTR:
    case JK_AJP_EBADTYPE:
    case JK_AJP_EBADHEADER:
    case JK_AJP_EBADCHUNK:
    case JK_AJP_ETRAILING:
    case JK_AJP_EBADSTATUS:
        return 1;
    default:
        return 0;
    }
}

static int in_payload(const jk_msg *m, const void *p, size_t n)
{
    const uint8_t *b = p;
    return b >= m->buf + JK_MSG_HEADER_LEN && b <= m->buf + m->len &&
           n <= (size_t)(m->buf + m->len - b);
}

/*
 * A string the decoder returned: inside the payload, NUL-terminated there,
 * and as long as the length in front of it says.  A NUL inside the bytes
 * would make the C string shorter than what the peer sent ("Set-Cookie\0x"
 * read as "Set-Cookie", or an empty header name).
 */
static void check_packet_string(const jk_msg *m, const char *s, const char *what)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len, wire;
    FUZZ_CHECK(in_payload(m, s, 1), "%s points outside the packet", what);
    len = fuzz_touch_str(s);
    FUZZ_CHECK(in_payload(m, s, len + 1), "%s runs past the packet (len %zu)", what, len);
    FUZZ_CHECK(p >= m->buf + JK_MSG_HEADER_LEN + 2, "%s has no length in front of it", what);
    wire = ((size_t)p[-2] << 8) | p[-1];
    if (fuzz_ignored("ajp-nul-string"))
        return;
    FUZZ_CHECK(wire == len, "%s was sent with %zu bytes but holds a NUL after %zu: '%s' was "
               "accepted", what, wire, len, s);
}

static int is_coded_name(const char *name)
{
    for (int low = 1; low < 0x100; low++)
        if (jk_ajp_response_header_name((JK_AJP_HEADER_CODE_PREFIX << 8) | low) == name)
            return 1;
    return 0;
}

static void check_reply(const jk_msg *m, const jk_ajp_reply *r, apr_status_t rv)
{
    const char *text = jk_ajp_strerror(rv);

    FUZZ_CHECK(text != NULL, "jk_ajp_strerror returned NULL");
    FUZZ_CHECK(m->pos <= m->len, "read cursor %zu past length %zu", (size_t)m->pos,
               (size_t)m->len);
    if (rv != APR_SUCCESS) {
        FUZZ_CHECK(decode_error(rv), "decode failed with unexpected status %d (%s)", rv, text);
        return;
    }
    FUZZ_CHECK(m->len > JK_MSG_HEADER_LEN, "an empty payload decoded");
    FUZZ_CHECK(r->type == m->buf[JK_MSG_HEADER_LEN], "type %d, first byte %d", r->type,
               m->buf[JK_MSG_HEADER_LEN]);
    if (r->type != JK_AJP_END_RESPONSE)
        FUZZ_CHECK(m->pos == m->len, "type %d decoded with %zu bytes unread", r->type,
                   (size_t)(m->len - m->pos));

    switch (r->type) {
    case JK_AJP_SEND_HEADERS:
        FUZZ_CHECK(r->status >= 100 && r->status <= 999, "status %d", r->status);
        if (r->reason)
            check_packet_string(m, r->reason, "reason");
        FUZZ_CHECK(r->num_headers >= 0 && r->num_headers <= 0xFFFF, "num_headers %d",
                   r->num_headers);
        FUZZ_CHECK(r->num_headers == 0 || r->headers != NULL, "headers missing");
        for (int i = 0; i < r->num_headers; i++) {
            const jk_header *h = &r->headers[i];
            FUZZ_CHECK(h->name != NULL && h->value != NULL, "header %d has a NULL field", i);
            if (!fuzz_ignored("ajp-nul-string"))
                FUZZ_CHECK(h->name[0] != '\0', "header %d has an empty name", i);
            if (!is_coded_name(h->name))
                check_packet_string(m, h->name, "header name");
            if (h->value[0] != '\0')
                check_packet_string(m, h->value, "header value");
        }
        break;
    case JK_AJP_SEND_BODY_CHUNK:
        FUZZ_CHECK(r->chunk != NULL, "body chunk without data pointer");
        FUZZ_CHECK(in_payload(m, r->chunk, r->chunk_len), "chunk of %zu bytes outside packet",
                   (size_t)r->chunk_len);
        fuzz_touch(r->chunk, r->chunk_len);
        FUZZ_CHECK(r->chunk_len + 3 <= m->len - JK_MSG_HEADER_LEN,
                   "chunk of %zu bytes in a %zu-byte payload", (size_t)r->chunk_len,
                   (size_t)(m->len - JK_MSG_HEADER_LEN));
        break;
    case JK_AJP_END_RESPONSE:
        FUZZ_CHECK(r->reuse == 0 || r->reuse == 1, "reuse %d", r->reuse);
        break;
    case JK_AJP_GET_BODY_CHUNK:
        FUZZ_CHECK(r->requested <= 0xFFFF, "requested %zu", (size_t)r->requested);
        break;
    case JK_AJP_CPONG:
        break;
    default:
        FUZZ_CHECK(0, "type %d decoded successfully", r->type);
    }
}

static void decode_one(apr_pool_t *pool, const uint8_t *packet, apr_size_t payload_len)
{
    jk_msg *m = jk_msg_create(pool, JK_MSG_HEADER_LEN + payload_len);
    jk_ajp_reply r;
    apr_status_t rv;

    memcpy(m->buf, packet, JK_MSG_HEADER_LEN + payload_len);
    jk_msg_set_received(m, payload_len);
    FUZZ_CHECK(m->len == JK_MSG_HEADER_LEN + payload_len && m->pos == JK_MSG_HEADER_LEN,
               "jk_msg_set_received: len %zu pos %zu", (size_t)m->len, (size_t)m->pos);
    rv = jk_ajp_decode_reply(m, pool, &r);
    check_reply(m, &r, rv);
}

static void decode_stream(apr_pool_t *pool, const uint8_t *p, size_t left)
{
    for (int k = 0; k < MAX_PACKETS && left >= JK_MSG_HEADER_LEN; k++) {
        apr_size_t n = 0;
        apr_status_t rv = jk_msg_parse_reply_header(p, REPLY_CAP, &n);
        if (rv != APR_SUCCESS) {
            FUZZ_CHECK(rv == JK_MSG_EBADHDR, "header check failed with status %d", rv);
            return;
        }
        FUZZ_CHECK(n >= 1 && n <= REPLY_CAP - JK_MSG_HEADER_LEN, "payload length %zu accepted",
                   (size_t)n);
        FUZZ_CHECK(p[0] == 'A' && p[1] == 'B' && n == (((size_t)p[2] << 8) | p[3]),
                   "header accepted with wrong magic or length");
        if (n > left - JK_MSG_HEADER_LEN)
            return;
        decode_one(pool, p, n);
        p += JK_MSG_HEADER_LEN + n;
        left -= JK_MSG_HEADER_LEN + n;
    }
}

static void decode_payload(apr_pool_t *pool, const uint8_t *payload, size_t n)
{
    /* A header in front, so the buffer has the layout the decoder expects. */
    uint8_t *packet = apr_palloc(pool, JK_MSG_HEADER_LEN + n);
    packet[0] = 'A';
    packet[1] = 'B';
    packet[2] = (uint8_t)(n >> 8);
    packet[3] = (uint8_t)n;
    if (n)
        memcpy(packet + JK_MSG_HEADER_LEN, payload, n);
    decode_one(pool, packet, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool;
    if (size < 1)
        return 0;
    pool = fuzz_pool_begin();
    if ((data[0] & 1) == 0)
        decode_stream(pool, data + 1, size - 1);
    else
        decode_payload(pool, data + 1, size - 1);
    fuzz_pool_end(pool);
    return 0;
}
