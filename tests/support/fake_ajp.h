/*
 * fake_ajp: a scriptable AJP13 backend for fault tests.
 *
 * Runs in a thread of the test process (fake_ajp_start) on 127.0.0.1 and
 * answers each FORWARD_REQUEST according to its `mode`: normally, or with one
 * of the faults a real Tomcat does not produce.  It counts what it saw, so
 * tests can check connection reuse and the body bytes that arrived.
 * Real behaviour is tested against real Tomcat; this is for faults only.
 */
#ifndef FAKE_AJP_H
#define FAKE_AJP_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

typedef enum fake_mode {
    FAKE_NORMAL,        /* 200, headers, body, END_RESPONSE reuse=1 */
    FAKE_NO_REUSE,      /* as NORMAL with reuse=0, then close */
    FAKE_CLOSE,         /* accept, read the request, close without a word */
    FAKE_SILENT,        /* read the request, never answer */
    FAKE_BAD_MAGIC,     /* a reply whose magic is not 'AB' */
    FAKE_BIG_CHUNK,     /* a body chunk whose length exceeds its packet */
    FAKE_BODY_FIRST,    /* a body chunk before the headers */
    FAKE_HEADERS_TWICE, /* SEND_HEADERS twice */
    FAKE_TRUNCATED,     /* half a packet, then close */
    FAKE_UNKNOWN_TYPE,  /* a message type that does not exist */
    FAKE_IGNORE_CPING,  /* requests answered normally, CPING never */
    FAKE_OVERSIZED,     /* a packet header announcing more than max_packet_size */
    FAKE_BAD_HEADER,    /* a response header with an unknown code (0xA0FF) */
    FAKE_STALL_BODY,    /* headers and one body chunk, then silence */
    FAKE_FLUSH_PAUSE,   /* headers, a body chunk, a flush, 60 ms pause, a chunk, END */
    FAKE_SLOW_BODY,     /* headers, two body chunks, 250 ms pause, a chunk, END (no flush) */
    FAKE_PAUSE_LOST     /* headers, a body chunk, 150 ms pause, then close */
} fake_mode;

typedef struct fake_ajp {
    int listen_fd;
    int port;
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    fake_mode mode;
    /* Counters, read under lock via the accessors. */
    int connections;
    int requests;
    size_t body_bytes;          /* request body bytes received in total */
    int empty_chunks;           /* empty body chunks received */
    size_t response_size;       /* body bytes to send in NORMAL mode */
    int close_after_each;       /* NORMAL: close the connection after each reply (stale pool test) */
    int status;                 /* status of normal replies (200) */
    int cpings;                 /* CPING packets received */
    FILE *events;               /* when set, one line per connection and request */
} fake_ajp;

int fake_ajp_start(fake_ajp *f, fake_mode mode);
/* The mode for a name such as "bad-magic" (the names fake_ajp_server takes), or -1. */
int fake_ajp_mode_by_name(const char *name);
void fake_ajp_stop(fake_ajp *f);
void fake_ajp_set_mode(fake_ajp *f, fake_mode mode);
int fake_ajp_connections(fake_ajp *f);
int fake_ajp_requests(fake_ajp *f);
size_t fake_ajp_body_bytes(fake_ajp *f);

#endif
