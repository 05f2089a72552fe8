/*
 * jk_msg: a bounds-checked AJP13 packet buffer.
 *
 * A message owns a fixed buffer of `cap` bytes (the worker's max_packet_size)
 * that holds one whole packet: a 4-byte header (magic, payload length) and the
 * payload.  Writers append after the header and jk_msg_end() fills it in;
 * readers walk the payload with a cursor.  Every put/get checks the room left
 * and returns APR_EGENERAL-style errors instead of touching memory it does not
 * own: an AJP peer is never trusted.  The buffer is never cleared; `len`
 * alone says what is valid.
 */
#ifndef JK_MSG_H
#define JK_MSG_H

#include <apr_pools.h>
#include <apr_errno.h>
#include <stdint.h>

#define JK_MSG_HEADER_LEN 4

/* Errors of this module, beyond APR's own. */
#define JK_MSG_EOVERFLOW (APR_OS_START_USERERR + 1) /* write past capacity */
#define JK_MSG_ETRUNC    (APR_OS_START_USERERR + 2) /* read past payload end */
#define JK_MSG_EBADSTR   (APR_OS_START_USERERR + 3) /* string without its NUL */
#define JK_MSG_EBADHDR   (APR_OS_START_USERERR + 4) /* bad magic or length */

typedef struct jk_msg {
    uint8_t *buf;   /* cap bytes */
    apr_size_t cap; /* whole packet capacity, header included */
    apr_size_t len; /* bytes valid in buf, header included */
    apr_size_t pos; /* read cursor */
} jk_msg;

jk_msg *jk_msg_create(apr_pool_t *pool, apr_size_t cap);

/* Start a request packet (server -> container): header reserved, payload empty. */
void jk_msg_reset(jk_msg *m);
/* Write the header for a server -> container packet once the payload is complete. */
void jk_msg_end(jk_msg *m);
apr_size_t jk_msg_payload_len(const jk_msg *m);
apr_size_t jk_msg_room(const jk_msg *m);

apr_status_t jk_msg_put_byte(jk_msg *m, uint8_t v);
apr_status_t jk_msg_put_int(jk_msg *m, uint16_t v);
apr_status_t jk_msg_put_bytes(jk_msg *m, const void *data, apr_size_t n);
/* AJP string: length, bytes, NUL.  NULL is written as the null string (0xFFFF). */
apr_status_t jk_msg_put_string(jk_msg *m, const char *s);
apr_status_t jk_msg_put_stringn(jk_msg *m, const char *s, apr_size_t n);

/*
 * Check a container -> server header in the first 4 bytes of `hdr` and
 * return the payload length it announces.  Fails on a wrong magic or a
 * length that does not fit in `cap`.
 */
apr_status_t jk_msg_parse_reply_header(const uint8_t *hdr, apr_size_t cap,
                                       apr_size_t *payload_len);
/* Make `m` hold a received payload of `n` bytes (already in m->buf + 4) for reading. */
void jk_msg_set_received(jk_msg *m, apr_size_t n);

apr_status_t jk_msg_get_byte(jk_msg *m, uint8_t *v);
apr_status_t jk_msg_get_int(jk_msg *m, uint16_t *v);
/* Points into the buffer; no copy.  `*s` is NULL for the null string. */
apr_status_t jk_msg_get_string(jk_msg *m, const char **s, apr_size_t *n);
apr_status_t jk_msg_get_bytes(jk_msg *m, const uint8_t **p, apr_size_t n);
apr_size_t jk_msg_unread(const jk_msg *m);

#endif
