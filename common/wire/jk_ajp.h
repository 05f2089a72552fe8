/*
 * jk_ajp: AJP13 encoding and decoding, pure functions over jk_msg.
 *
 * No I/O happens here.  jk_ajp_encode_request() turns a jk_service into a
 * FORWARD_REQUEST packet; jk_ajp_decode_reply() turns a received packet into
 * a typed reply and rejects anything malformed.  Numbers are those of the
 * AJP13 protocol as Tomcat's AJP connector implements it (listed below).
 */
#ifndef JK_AJP_H
#define JK_AJP_H

#include "jk_msg.h"
#include "jk_service.h"

/* Message types, server -> container. */
#define JK_AJP_FORWARD_REQUEST 2
#define JK_AJP_SHUTDOWN        7
#define JK_AJP_PING            8
#define JK_AJP_CPING           10
/* Message types, container -> server. */
#define JK_AJP_SEND_BODY_CHUNK 3
#define JK_AJP_SEND_HEADERS    4
#define JK_AJP_END_RESPONSE    5
#define JK_AJP_GET_BODY_CHUNK  6
#define JK_AJP_CPONG           9

#define JK_AJP_METHOD_UNKNOWN  0xFF

/* Request attributes. */
#define JK_AJP_ATTR_CONTEXT       0x01
#define JK_AJP_ATTR_SERVLET_PATH  0x02
#define JK_AJP_ATTR_REMOTE_USER   0x03
#define JK_AJP_ATTR_AUTH_TYPE     0x04
#define JK_AJP_ATTR_QUERY_STRING  0x05
#define JK_AJP_ATTR_ROUTE         0x06
#define JK_AJP_ATTR_SSL_CERT      0x07
#define JK_AJP_ATTR_SSL_CIPHER    0x08
#define JK_AJP_ATTR_SSL_SESSION   0x09
#define JK_AJP_ATTR_REQ_ATTRIBUTE 0x0A
#define JK_AJP_ATTR_SSL_KEY_SIZE  0x0B
#define JK_AJP_ATTR_SECRET        0x0C
#define JK_AJP_ATTR_STORED_METHOD 0x0D
#define JK_AJP_ATTR_END           0xFF

/* Coded header names share this first byte. */
#define JK_AJP_HEADER_CODE_PREFIX 0xA0

/* Request attribute names Tomcat accepts without extra configuration. */
#define JK_AJP_REMOTE_PORT_ATTR  "AJP_REMOTE_PORT"
#define JK_AJP_LOCAL_ADDR_ATTR   "AJP_LOCAL_ADDR"
#define JK_AJP_SSL_PROTOCOL_ATTR "AJP_SSL_PROTOCOL"
/* The chosen lb member's activation (ACT, DIS, STP), sent on every request as mod_jk does;
 * ACT when no lb is involved. An application can refuse a session on a disabled member. */
#define JK_AJP_LB_ACTIVATION_ATTR "JK_LB_ACTIVATION"

/* A body chunk packet carries at most max_packet_size minus this many data bytes. */
#define JK_AJP_BODY_CHUNK_OVERHEAD 6

/* Decoding errors beyond those of jk_msg. */
#define JK_AJP_EBADTYPE   (APR_OS_START_USERERR + 20) /* unknown message type */
#define JK_AJP_EBADHEADER (APR_OS_START_USERERR + 21) /* unknown coded header */
#define JK_AJP_EBADCHUNK  (APR_OS_START_USERERR + 22) /* chunk longer than its packet */
#define JK_AJP_ETRAILING  (APR_OS_START_USERERR + 23) /* bytes after a complete message */
#define JK_AJP_EBADSTATUS (APR_OS_START_USERERR + 24) /* status outside 100..999 */

typedef struct jk_ajp_options {
    const char *secret;     /* NULL: none */
    int forward_key_size;   /* send JK_AJP_ATTR_SSL_KEY_SIZE when known */
} jk_ajp_options;

typedef struct jk_ajp_reply {
    int type;
    /* SEND_HEADERS */
    int status;
    const char *reason;
    jk_header *headers;     /* names and values point into the packet */
    int num_headers;
    /* SEND_BODY_CHUNK */
    const char *chunk;
    apr_size_t chunk_len;
    /* END_RESPONSE */
    int reuse;
    /* GET_BODY_CHUNK */
    apr_size_t requested;
} jk_ajp_reply;

/* Method code for `method`, or JK_AJP_METHOD_UNKNOWN. */
int jk_ajp_method_code(const char *method);
/* Request header code (0xA0xx) for `name`, or 0 when it travels as a string. */
int jk_ajp_request_header_code(const char *name);
/* Response header name for a code, or NULL when the code is unknown. */
const char *jk_ajp_response_header_name(int code);

/* Build FORWARD_REQUEST in `m`.  JK_MSG_EOVERFLOW when it does not fit a packet. */
apr_status_t jk_ajp_encode_request(jk_msg *m, const jk_service *s, const jk_ajp_options *o);
/* Build a body chunk packet from `n` bytes (n == 0: the empty end-of-body chunk). */
apr_status_t jk_ajp_encode_body_chunk(jk_msg *m, const char *data, apr_size_t n);
/* Build a CPING packet. */
void jk_ajp_encode_cping(jk_msg *m);

/* Decode the payload in `m`; header arrays are allocated from `pool`. */
apr_status_t jk_ajp_decode_reply(jk_msg *m, apr_pool_t *pool, jk_ajp_reply *r);

/* A short operator-readable text for the errors of jk_msg and jk_ajp. */
const char *jk_ajp_strerror(apr_status_t rv);

#endif
