/*
 * zero_ajp: an AJP13 backend that costs (almost) nothing, for the benchmarks.
 *
 * It answers every FORWARD_REQUEST at once from memory: SEND_HEADERS 200 with a
 * Content-Type and a Content-Length, the body in SEND_BODY_CHUNK packets, END_RESPONSE
 * with reuse=1. A request body is read and thrown away first (the first chunk arrives
 * unasked, the rest is asked for with GET_BODY_CHUNK). CPING gets CPONG.
 *
 * The body size is the number in the request URI's last path segment (/jkz/1024 gives
 * 1024 bytes), else the -s default. Body packets carry at most max_packet_size - 8 bytes
 * (8184 by default, as Tomcat sends them): 'AB', length, code, data length, data and a
 * trailing 0 must fit in one packet, so 8186 data bytes (the limit for request body
 * chunks, which have no code byte and no trailing 0) would overflow it. The bytes are the
 * pattern of download.jsp and of the benchmark's static files: byte i is i % 251.
 *
 * One thread per backend connection with blocking I/O: the connectors keep their
 * connections open, so threads are few and long-lived, and each request costs one read
 * and one write system call. It listens on 127.0.0.0/8 only.
 *
 * Build: gcc -O2 -pthread -o zero_ajp zero_ajp.c
 * Usage: zero_ajp -p PORT [-l 127.0.0.1] [-s DEFAULT_SIZE] [-m MAX_PACKET_SIZE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    FORWARD_REQUEST = 2, SEND_BODY_CHUNK = 3, SEND_HEADERS = 4, END_RESPONSE = 5,
    GET_BODY_CHUNK = 6, SHUTDOWN = 7, CPONG = 9, CPING = 10,
    METHOD_HEAD = 3,
    SC_REQ_CONTENT_LENGTH = 0xA008, SC_RESP_CONTENT_TYPE = 0xA001,
    SC_RESP_CONTENT_LENGTH = 0xA003,
    PATTERN_PERIOD = 251,
    READ_BUFFER = 65536 + 8,
    MAX_BODY = 64 * 1024 * 1024,
};

static size_t max_packet = 8192;   /* whole packet, header included */
static long default_size = 1024;

/* ---- a connection's input: whole packets out of a buffered reader ---- */

struct reader {
    int fd;
    unsigned char buf[READ_BUFFER];
    size_t start, end;
};

/* Make sure want bytes are buffered; 0 when they are, -1 on EOF or error. */
static int fill(struct reader *r, size_t want)
{
    if (r->end - r->start >= want)
        return 0;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    while (r->end < want) {
        ssize_t n = read(r->fd, r->buf + r->end, sizeof(r->buf) - r->end);
        if (n > 0)
            r->end += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            return -1;
    }
    return 0;
}

/* The next packet from the web server: its payload and length, or -1. */
static int next_packet(struct reader *r, const unsigned char **payload, size_t *len)
{
    if (fill(r, 4) < 0)
        return -1;
    const unsigned char *h = r->buf + r->start;
    if (h[0] != 0x12 || h[1] != 0x34)
        return -1;
    size_t n = ((size_t)h[2] << 8) | h[3];
    if (n + 4 > max_packet || fill(r, 4 + n) < 0)
        return -1;
    *payload = r->buf + r->start + 4;
    *len = n;
    r->start += 4 + n;
    return 0;
}

static int has_buffered(const struct reader *r)
{
    return r->end > r->start;
}

/* ---- FORWARD_REQUEST: only what this server needs from it ---- */

struct request {
    int method;
    long content_length;   /* -1: not given */
    int chunked;
    long body_size;        /* of the response */
};

struct cursor {
    const unsigned char *p;
    size_t left;
};

static int get_u8(struct cursor *c, unsigned *v)
{
    if (c->left < 1)
        return -1;
    *v = c->p[0];
    c->p++, c->left--;
    return 0;
}

static int get_u16(struct cursor *c, unsigned *v)
{
    if (c->left < 2)
        return -1;
    *v = ((unsigned)c->p[0] << 8) | c->p[1];
    c->p += 2, c->left -= 2;
    return 0;
}

/* A string: *s points at its bytes (NULL for the null string), *n is its length. */
static int get_string(struct cursor *c, const char **s, size_t *n)
{
    unsigned len;
    if (get_u16(c, &len) < 0)
        return -1;
    if (len == 0xFFFF) {
        *s = NULL, *n = 0;
        return 0;
    }
    if (c->left < (size_t)len + 1)
        return -1;
    *s = (const char *)c->p, *n = len;
    c->p += len + 1, c->left -= len + 1;
    return 0;
}

static long parse_long(const char *s, size_t n)
{
    long v = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > MAX_BODY)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The response size asked for by the URI's last path segment, or the default. */
static long size_from_uri(const char *uri, size_t n)
{
    size_t i = n;
    while (i > 0 && uri[i - 1] != '/')
        i--;
    long v = parse_long(uri + i, n - i);
    return (v >= 0 && v <= MAX_BODY) ? v : default_size;
}

static int parse_request(const unsigned char *p, size_t len, struct request *rq)
{
    struct cursor c = { p + 1, len - 1 };
    const char *s, *uri;
    size_t n, uri_len;
    unsigned v, headers;

    rq->content_length = -1;
    rq->chunked = 0;
    if (get_u8(&c, &v) < 0)
        return -1;
    rq->method = (int)v;
    if (get_string(&c, &s, &n) < 0 || get_string(&c, &uri, &uri_len) < 0 ||
        get_string(&c, &s, &n) < 0 || get_string(&c, &s, &n) < 0 ||
        get_string(&c, &s, &n) < 0 || get_u16(&c, &v) < 0 || get_u8(&c, &v) < 0 ||
        get_u16(&c, &headers) < 0)
        return -1;
    rq->body_size = uri ? size_from_uri(uri, uri_len) : default_size;
    for (unsigned i = 0; i < headers; i++) {
        const char *name = NULL, *value;
        size_t name_len = 0, value_len;
        unsigned code = 0;
        if (c.left >= 2 && c.p[0] == 0xA0) {
            if (get_u16(&c, &code) < 0)
                return -1;
        } else if (get_string(&c, &name, &name_len) < 0) {
            return -1;
        }
        if (get_string(&c, &value, &value_len) < 0)
            return -1;
        if (!value)
            continue;
        if (code == SC_REQ_CONTENT_LENGTH ||
            (name && name_len == 14 && strncasecmp(name, "content-length", 14) == 0))
            rq->content_length = parse_long(value, value_len);
        else if (name && name_len == 17 && strncasecmp(name, "transfer-encoding", 17) == 0 &&
                 memmem(value, value_len, "chunked", 7))
            rq->chunked = 1;
    }
    return 0;   /* the attributes that follow are of no interest here */
}

/* ---- output ---- */

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

static unsigned char *put_u16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
    return p + 2;
}

static unsigned char *put_string(unsigned char *p, const char *s)
{
    size_t n = strlen(s);
    p = put_u16(p, (unsigned)n);
    memcpy(p, s, n);
    p[n] = 0;
    return p + n + 1;
}

/* A whole response (headers, body packets, end) built once per size and reused. */
struct response {
    long body_size;
    int head_only;
    unsigned char *bytes;
    size_t len;
};

static int build_response(struct response *out, long body_size, int head_only)
{
    size_t chunk_max = max_packet - 8;   /* 'AB' len code n(2) ... trailing 0 */
    size_t packets = head_only ? 0 : ((size_t)body_size + chunk_max - 1) / chunk_max;
    size_t cap = 256 + packets * 8 + (head_only ? 0 : (size_t)body_size);
    unsigned char *buf = malloc(cap), *p = buf, *start;
    char number[32];

    if (!buf)
        return -1;
    /* SEND_HEADERS */
    start = p;
    p += 4;
    *p++ = SEND_HEADERS;
    p = put_u16(p, 200);
    p = put_string(p, "OK");
    p = put_u16(p, 2);
    p = put_u16(p, SC_RESP_CONTENT_TYPE);
    p = put_string(p, "application/octet-stream");
    p = put_u16(p, SC_RESP_CONTENT_LENGTH);
    snprintf(number, sizeof(number), "%ld", body_size);
    p = put_string(p, number);
    start[0] = 'A', start[1] = 'B';
    put_u16(start + 2, (unsigned)(p - start - 4));
    /* SEND_BODY_CHUNKs */
    for (size_t sent = 0; !head_only && sent < (size_t)body_size;) {
        size_t n = (size_t)body_size - sent < chunk_max ? (size_t)body_size - sent : chunk_max;
        *p++ = 'A', *p++ = 'B';
        p = put_u16(p, (unsigned)(n + 4));
        *p++ = SEND_BODY_CHUNK;
        p = put_u16(p, (unsigned)n);
        for (size_t i = 0; i < n; i++)
            p[i] = (unsigned char)((sent + i) % PATTERN_PERIOD);
        p += n;
        *p++ = 0;
        sent += n;
    }
    /* END_RESPONSE, reuse */
    *p++ = 'A', *p++ = 'B';
    p = put_u16(p, 2);
    *p++ = END_RESPONSE;
    *p++ = 1;
    free(out->bytes);
    out->bytes = buf;
    out->len = (size_t)(p - buf);
    out->body_size = body_size;
    out->head_only = head_only;
    return 0;
}

/* ---- one request ---- */

static int ask_for_body(int fd, size_t n)
{
    unsigned char m[7] = { 'A', 'B', 0, 3, GET_BODY_CHUNK, 0, 0 };
    put_u16(m + 5, (unsigned)n);
    return write_all(fd, m, sizeof(m));
}

/* Read one body packet; its data length, or -1. */
static long read_body_packet(struct reader *r)
{
    const unsigned char *p;
    size_t len;
    if (next_packet(r, &p, &len) < 0)
        return -1;
    if (len == 0)
        return 0;
    if (len < 2)
        return -1;
    return ((long)p[0] << 8) | p[1];
}

/* True if a packet arrives within ms milliseconds (an unasked first chunk). */
static int arrives_soon(struct reader *r, int ms)
{
    struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
    return has_buffered(r) || poll(&pfd, 1, ms) > 0;
}

/* Read and discard the request body, as the protocol asks. */
static int discard_body(struct reader *r, const struct request *rq)
{
    size_t ask = max_packet - 6;
    if (rq->content_length > 0) {
        long left = rq->content_length, n = read_body_packet(r);   /* sent unasked */
        while (n > 0 && (left -= n) > 0) {
            if (ask_for_body(r->fd, (size_t)left < ask ? (size_t)left : ask) < 0)
                return -1;
            n = read_body_packet(r);
        }
        return n < 0 ? -1 : 0;
    }
    if (rq->chunked) {
        /* Connectors differ: some send a first chunk unasked, some wait to be asked. */
        long n = 1;
        if (arrives_soon(r, 20))
            n = read_body_packet(r);
        while (n > 0) {
            if (ask_for_body(r->fd, ask) < 0)
                return -1;
            n = read_body_packet(r);
        }
        return n < 0 ? -1 : 0;
    }
    return 0;
}

static int serve_request(struct reader *r, const unsigned char *p, size_t len,
                         struct response *cache)
{
    struct request rq;
    if (parse_request(p, len, &rq) < 0 || discard_body(r, &rq) < 0)
        return -1;
    int head_only = rq.method == METHOD_HEAD;
    if (!cache->bytes || cache->body_size != rq.body_size || cache->head_only != head_only)
        if (build_response(cache, rq.body_size, head_only) < 0)
            return -1;
    return write_all(r->fd, cache->bytes, cache->len);
}

static void *serve_connection(void *arg)
{
    struct reader *r = arg;
    struct response cache = { 0 };
    static const unsigned char cpong[5] = { 'A', 'B', 0, 1, CPONG };
    const unsigned char *p;
    size_t len;

    while (next_packet(r, &p, &len) == 0) {
        int rc;
        if (len == 0)
            continue;   /* a stray end-of-body packet: nothing to answer */
        if (p[0] == FORWARD_REQUEST)
            rc = serve_request(r, p, len, &cache);
        else if (p[0] == CPING)
            rc = write_all(r->fd, cpong, sizeof(cpong));
        else
            rc = -1;   /* SHUTDOWN, a stray body chunk, garbage: hang up */
        if (rc < 0)
            break;
    }
    close(r->fd);
    free(cache.bytes);
    free(r);
    return NULL;
}

/* ---- main ---- */

static void usage(const char *argv0)
{
    fprintf(stderr, "usage: %s -p PORT [-l 127.x.y.z] [-s DEFAULT_SIZE] [-m MAX_PACKET_SIZE]\n",
            argv0);
    exit(2);
}

static int listen_on(const char *host, int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1 || (ntohl(a.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "zero_ajp: %s is not a 127.0.0.0/8 address\n", host);
        exit(2);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1024) < 0) {
        fprintf(stderr, "zero_ajp: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = -1, opt;
    pthread_attr_t attr;

    while ((opt = getopt(argc, argv, "l:p:s:m:")) != -1) {
        switch (opt) {
        case 'l': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 's': default_size = atol(optarg); break;
        case 'm': max_packet = (size_t)atol(optarg); break;
        default: usage(argv[0]);
        }
    }
    if (port < 0 || port > 65535 || default_size < 0 || default_size > MAX_BODY ||
        max_packet < 1024 || max_packet > 65536)
        usage(argv[0]);
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(host, port);
    printf("zero_ajp listening on %s:%d\n", host, port);
    fflush(stdout);

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    for (;;) {
        int fd = accept(lfd, NULL, NULL), one = 1;
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
                if (errno == EMFILE || errno == ENFILE)
                    usleep(10000);
                continue;
            }
            perror("zero_ajp: accept");
            return 1;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct reader *r = malloc(sizeof(*r));
        pthread_t t;
        if (!r) {
            close(fd);
            continue;
        }
        r->fd = fd, r->start = r->end = 0;
        if (pthread_create(&t, &attr, serve_connection, r) != 0) {
            close(fd);
            free(r);
        }
    }
}
