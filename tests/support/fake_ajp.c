#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fake_ajp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PACKET 8192

/* Reads give up when the fake is stopped, so a pooled idle connection never blocks stop(). */
static volatile int *stop_flag;

static int read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t r;
        if (poll(&pfd, 1, 50) == 0) {
            if (*stop_flag)
                return -1;
            continue;
        }
        r = recv(fd, buf + got, n - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(fd, buf + done, n - done, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

/* Read one server -> container packet; returns its payload length or -1. */
static int read_packet(int fd, uint8_t *payload)
{
    uint8_t h[4];
    size_t n;
    if (read_full(fd, h, 4) != 0 || h[0] != 0x12 || h[1] != 0x34)
        return -1;
    n = ((size_t)h[2] << 8) | h[3];
    if (n > PACKET - 4 || (n > 0 && read_full(fd, payload, n) != 0))
        return -1;
    return (int)n;
}

static size_t put_reply_header(uint8_t *p, size_t payload)
{
    p[0] = 'A';
    p[1] = 'B';
    p[2] = (uint8_t)(payload >> 8);
    p[3] = (uint8_t)(payload & 0xFF);
    return 4;
}

static size_t put_int(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)(v & 0xFF);
    return 2;
}

static size_t put_string(uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    put_int(p, (unsigned)n);
    memcpy(p + 2, s, n);
    p[2 + n] = 0;
    return n + 3;
}

static int send_headers(int fd, int status)
{
    uint8_t pkt[256], *p = pkt + 4;
    p[0] = 4;
    p++;
    p += put_int(p, (unsigned)status);
    p += put_string(p, "OK");
    p += put_int(p, 2);
    p += put_int(p, 0xA001);
    p += put_string(p, "text/plain");
    p += put_string(p, "X-Fake");
    p += put_string(p, "yes");
    put_reply_header(pkt, (size_t)(p - pkt - 4));
    return write_full(fd, pkt, (size_t)(p - pkt));
}

static int send_body(int fd, size_t total)
{
    uint8_t pkt[PACKET];
    while (total > 0) {
        size_t n = total > 4000 ? 4000 : total;
        uint8_t *p = pkt + 4;
        *p++ = 3;
        p += put_int(p, (unsigned)n);
        memset(p, 'b', n);
        p += n;
        *p++ = 0;
        put_reply_header(pkt, (size_t)(p - pkt - 4));
        if (write_full(fd, pkt, (size_t)(p - pkt)) != 0)
            return -1;
        total -= n;
    }
    return 0;
}

static int send_end(int fd, int reuse)
{
    uint8_t pkt[6] = { 'A', 'B', 0, 2, 5, (uint8_t)reuse };
    return write_full(fd, pkt, sizeof(pkt));
}

static void count(fake_ajp *f, int *field, int n)
{
    pthread_mutex_lock(&f->lock);
    *field += n;
    if (f->events) {
        fprintf(f->events, "%s\n", field == &f->connections ? "connection"
                                   : field == &f->requests   ? "request" : "cping");
        fflush(f->events);
    }
    pthread_mutex_unlock(&f->lock);
}

static const char *const mode_names[] = {
    "normal", "no-reuse", "close", "silent", "bad-magic", "big-chunk", "body-first",
    "headers-twice", "truncated", "unknown-type", "ignore-cping", "oversized", "bad-header",
    "stall-body", "flush-pause", "slow-body", "pause-lost", NULL
};

int fake_ajp_mode_by_name(const char *name)
{
    for (int i = 0; mode_names[i]; i++)
        if (strcmp(mode_names[i], name) == 0)
            return i;
    return -1;
}

static void count_body(fake_ajp *f, size_t n)
{
    pthread_mutex_lock(&f->lock);
    f->body_bytes += n;
    if (n == 0)
        f->empty_chunks++;
    pthread_mutex_unlock(&f->lock);
}

/* Content-Length is announced by the test through the first chunk; read the rest on request. */
static int read_body(fake_ajp *f, int fd, uint8_t *buf)
{
    /* The first chunk, if any, follows the request at once: peek with a short poll. */
    for (;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        uint8_t ask[7] = { 'A', 'B', 0, 3, 6, 0x1F, 0xFA };
        int n;
        if (poll(&pfd, 1, 50) <= 0) {
            /* Nothing pending: ask for more, as a servlet reading its input would. */
            if (write_full(fd, ask, sizeof(ask)) != 0)
                return -1;
        }
        if ((n = read_packet(fd, buf)) < 0)
            return -1;
        if (n == 0) {
            count_body(f, 0);
            return 0;
        }
        count_body(f, (size_t)(n - 2));
    }
}

static int answer_normal(fake_ajp *f, int fd, int reuse)
{
    if (send_headers(fd, f->status) != 0 || send_body(fd, f->response_size) != 0)
        return -1;
    return send_end(fd, reuse);
}

static const uint8_t one_chunk[] = { 'A', 'B', 0, 5, 3, 0, 1, 'x', 0 };

/* Headers and `chunks` one-byte chunks, a flush message if asked, then a pause of `ms`. */
static int start_then_pause(int fd, int chunks, int flush, int ms)
{
    static const uint8_t flush_msg[] = { 'A', 'B', 0, 3, 3, 0, 0 };
    if (send_headers(fd, 200) != 0)
        return -1;
    for (int i = 0; i < chunks; i++)
        if (write_full(fd, one_chunk, sizeof(one_chunk)) != 0)
            return -1;
    if (flush && write_full(fd, flush_msg, sizeof(flush_msg)) != 0)
        return -1;
    poll(NULL, 0, ms);
    return 0;
}

static int answer_fault(fake_ajp *f, int fd)
{
    static const uint8_t bad_magic[] = { 'X', 'Y', 0, 2, 5, 1 };
    static const uint8_t big_chunk[] = { 'A', 'B', 0, 5, 3, 0x10, 0x00, 'a', 'b' };
    static const uint8_t body_first[] = { 'A', 'B', 0, 5, 3, 0, 1, 'z', 0 };
    static const uint8_t truncated[] = { 'A', 'B', 0, 40, 4, 0 };
    static const uint8_t unknown[] = { 'A', 'B', 0, 1, 0x42 };
    static const uint8_t oversized[] = { 'A', 'B', 0xFF, 0xFF, 4, 0, 200 };
    static const uint8_t bad_header[] = { 'A', 'B', 0, 14, 4, 0, 200, 0, 2, 'O', 'K', 0,
                                          0, 1, 0xA0, 0xFF, 0, 0 };
    switch (f->mode) {
    case FAKE_FLUSH_PAUSE:
    case FAKE_SLOW_BODY:
        if ((f->mode == FAKE_FLUSH_PAUSE ? start_then_pause(fd, 1, 1, 60)
                                         : start_then_pause(fd, 2, 0, 250)) != 0 ||
            write_full(fd, one_chunk, sizeof(one_chunk)) != 0)
            return -1;
        return send_end(fd, 0);
    case FAKE_PAUSE_LOST: return start_then_pause(fd, 1, 0, 150);
    case FAKE_OVERSIZED: return write_full(fd, oversized, sizeof(oversized));
    case FAKE_BAD_HEADER: return write_full(fd, bad_header, sizeof(bad_header));
    case FAKE_STALL_BODY: {
        uint8_t sink[64];
        if (send_headers(fd, 200) != 0 || write_full(fd, one_chunk, sizeof(one_chunk)) != 0)
            return -1;
        while (read_full(fd, sink, 1) == 0)
            ;
        return 0;
    }
    case FAKE_BAD_MAGIC: return write_full(fd, bad_magic, sizeof(bad_magic));
    case FAKE_BIG_CHUNK:
        if (send_headers(fd, 200) != 0)
            return -1;
        return write_full(fd, big_chunk, sizeof(big_chunk));
    case FAKE_BODY_FIRST: return write_full(fd, body_first, sizeof(body_first));
    case FAKE_HEADERS_TWICE:
        if (send_headers(fd, 200) != 0)
            return -1;
        return send_headers(fd, 200);
    case FAKE_TRUNCATED: return write_full(fd, truncated, sizeof(truncated));
    case FAKE_UNKNOWN_TYPE: return write_full(fd, unknown, sizeof(unknown));
    default: return -1;
    }
}

/* Serve requests on one connection until it closes; returns when done. */
static void serve_connection(fake_ajp *f, int fd)
{
    uint8_t buf[PACKET];
    for (;;) {
        int n = read_packet(fd, buf);
        fake_mode mode;
        if (n <= 0)
            return;
        if (buf[0] == 10) { /* CPING */
            static const uint8_t cpong[] = { 'A', 'B', 0, 1, 9 };
            count(f, &f->cpings, 1);
            if (f->mode != FAKE_IGNORE_CPING && write_full(fd, cpong, sizeof(cpong)) != 0)
                return;
            continue;
        }
        count(f, &f->requests, 1);
        mode = f->mode;
        if (mode == FAKE_CLOSE)
            return;
        if (mode == FAKE_SILENT) {
            while (read_full(fd, buf, 1) == 0)
                ;
            return;
        }
        if (mode != FAKE_NORMAL && mode != FAKE_NO_REUSE && mode != FAKE_IGNORE_CPING) {
            answer_fault(f, fd);
            return;
        }
        if (read_body(f, fd, buf) != 0)
            return;
        if (answer_normal(f, fd, mode == FAKE_NORMAL) != 0 || mode == FAKE_NO_REUSE ||
            f->close_after_each)
            return;
    }
}

static void *accept_loop(void *arg)
{
    fake_ajp *f = arg;
    while (!f->stop) {
        struct pollfd pfd = { f->listen_fd, POLLIN, 0 };
        int fd;
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        if ((fd = accept(f->listen_fd, NULL, NULL)) < 0)
            continue;
        count(f, &f->connections, 1);
        serve_connection(f, fd);
        close(fd);
    }
    return NULL;
}

int fake_ajp_start(fake_ajp *f, fake_mode mode)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    memset(f, 0, sizeof(*f));
    stop_flag = &f->stop;
    f->mode = mode;
    f->response_size = 10;
    f->status = 200;
    pthread_mutex_init(&f->lock, NULL);
    if ((f->listen_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    setsockopt(f->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(f->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(f->listen_fd, 16) != 0)
        return -1;
    getsockname(f->listen_fd, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    return pthread_create(&f->thread, NULL, accept_loop, f);
}

void fake_ajp_stop(fake_ajp *f)
{
    f->stop = 1;
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
    pthread_mutex_destroy(&f->lock);
}

void fake_ajp_set_mode(fake_ajp *f, fake_mode mode)
{
    pthread_mutex_lock(&f->lock);
    f->mode = mode;
    pthread_mutex_unlock(&f->lock);
}

int fake_ajp_connections(fake_ajp *f)
{
    int n;
    pthread_mutex_lock(&f->lock);
    n = f->connections;
    pthread_mutex_unlock(&f->lock);
    return n;
}

int fake_ajp_requests(fake_ajp *f)
{
    int n;
    pthread_mutex_lock(&f->lock);
    n = f->requests;
    pthread_mutex_unlock(&f->lock);
    return n;
}

size_t fake_ajp_body_bytes(fake_ajp *f)
{
    size_t n;
    pthread_mutex_lock(&f->lock);
    n = f->body_bytes;
    pthread_mutex_unlock(&f->lock);
    return n;
}
