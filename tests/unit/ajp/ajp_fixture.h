/* ajp_fixture.h: the jk_ajp tests' pool, packet builder, base request, received replies. */
#ifndef AJP_FIXTURE_H
#define AJP_FIXTURE_H

/*
 * Unit tests for jk_ajp, the AJP13 encoder and decoder.
 *
 * Expected packets are built with the small `pkt` builder (pkt.c, or written
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

extern apr_pool_t *pool;

/* Every TCase's checked fixture: the test's pool. */
void setup(void);
void teardown(void);

/* An expected-packet builder, independent of jk_msg (pkt.c). */

typedef struct pkt {
    uint8_t b[70000];
    size_t n;
} pkt;

pkt *pkt_begin(void);
void pkt_byte(pkt *p, unsigned v);
void pkt_int(pkt *p, unsigned v);
void pkt_str(pkt *p, const char *s);
/* attribute 0x0A: name and value */
void pkt_req_attr(pkt *p, const char *name, const char *value);
/* The header: magic 0x1234 and the payload's length. */
void pkt_finish(pkt *p);

/* Byte by byte, then the lengths. */
void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len);
void assert_packet(const jk_msg *m, const pkt *p);

/* A plain GET of "/" from 127.0.0.1 to localhost:80, without SSL. */
jk_service *base_service(void);

/* Replies as received */

/* A message holding exactly `n` received payload bytes, on the heap at its exact size. */
jk_msg *received(const uint8_t *payload, apr_size_t n);

/* jk_ajp_decode_reply() of such a message. */
apr_status_t decode(const uint8_t *payload, apr_size_t n, jk_ajp_reply *r);

#define DECODE(bytes, r) decode((bytes), sizeof(bytes), (r))

/* A good SEND_HEADERS: 200 OK and 5 headers (the size is checked against the definition). */
extern const uint8_t good_headers[71];

/* The topics, one TCase each. */
TCase *ajp_encode_request_tcase(void);
TCase *ajp_encode_limits_tcase(void);
TCase *ajp_decode_tcase(void);
TCase *ajp_reject_tcase(void);
TCase *ajp_tables_tcase(void);

#endif
