/* pkt.c: an expected-packet builder, independent of jk_msg, and the byte comparisons. */
#include "ajp_fixture.h"

pkt *pkt_begin(void)
{
    pkt *p = apr_pcalloc(pool, sizeof(*p));
    p->n = 4; /* the header is filled in by pkt_finish() */
    return p;
}

void pkt_byte(pkt *p, unsigned v)
{
    p->b[p->n++] = (uint8_t)v;
}

void pkt_int(pkt *p, unsigned v)
{
    pkt_byte(p, (v >> 8) & 0xFF);
    pkt_byte(p, v & 0xFF);
}

void pkt_str(pkt *p, const char *s)
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

void pkt_req_attr(pkt *p, const char *name, const char *value)
{
    pkt_byte(p, 0x0A);
    pkt_str(p, name);
    pkt_str(p, value);
}

void pkt_finish(pkt *p)
{
    size_t len = p->n - 4;
    p->b[0] = 0x12;
    p->b[1] = 0x34;
    p->b[2] = (uint8_t)(len >> 8);
    p->b[3] = (uint8_t)(len & 0xFF);
}

void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    size_t n = got_len < want_len ? got_len : want_len;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "byte %zu: got 0x%02X, expected 0x%02X",
                      i, got[i], want[i]);
    ck_assert_msg(got_len == want_len, "length: got %zu, expected %zu", got_len, want_len);
}

void assert_packet(const jk_msg *m, const pkt *p)
{
    assert_bytes(m->buf, m->len, p->b, p->n);
}
