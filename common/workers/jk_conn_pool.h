/*
 * jk_conn_pool: one process's connections to one backend.
 *
 * A fixed number of slots, each able to hold one connected socket with its
 * own send and receive buffers.  Threads take a slot with
 * jk_conn_pool_acquire() (waiting up to a limit when all are busy) and give
 * it back with jk_conn_pool_release(), saying whether the connection may be
 * reused.  The most recently used connection is handed out first, so surplus
 * connections age and are closed by jk_conn_pool_close_idle().
 */
#ifndef JK_CONN_POOL_H
#define JK_CONN_POOL_H

#include "jk_msg.h"

#include <apr_network_io.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include <apr_time.h>

typedef struct jk_conn_pool jk_conn_pool;

/* The least a connection's receive buffer holds: one read takes in several 8 KiB packets. */
#define JK_CONN_READ_BUFFER (32 * 1024)

typedef struct jk_conn {
    apr_socket_t *sock;     /* NULL when not connected */
    apr_pool_t *pool;       /* owns the socket; cleared when it closes */
    jk_msg *out;            /* one outgoing packet */
    uint8_t *rbuf;          /* received bytes not yet consumed: rbuf[rpos..rlen) */
    apr_size_t rcap, rpos, rlen;
    apr_time_t last_used;
    unsigned requests;      /* requests served on this connection */
    int in_use;
    jk_conn_pool *owner;
} jk_conn;

struct jk_conn_pool {
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *freed;
    jk_conn *slots;
    int size;
    int waiting;            /* threads waiting for a slot */
};

apr_status_t jk_conn_pool_create(apr_pool_t *pool, int size, apr_size_t packet_size,
                                 jk_conn_pool **out);
/* A slot, connected or not.  APR_TIMEUP when none frees up within `wait`. */
apr_status_t jk_conn_pool_acquire(jk_conn_pool *p, apr_interval_time_t wait, jk_conn **out);
/* Give a slot back; with reuse == 0 its connection is closed first. */
void jk_conn_pool_release(jk_conn *c, int reuse);
void jk_conn_close(jk_conn *c);
/* Close idle connections unused for `max_idle`, keeping at least `keep` open. Returns how many. */
int jk_conn_pool_close_idle(jk_conn_pool *p, apr_interval_time_t max_idle, int keep, apr_time_t now);
/*
 * Take idle slot `i` if it holds a connection unused since before `cutoff`
 * (for maintenance).  Give it back with jk_conn_pool_put_back(), which keeps
 * its last-used time: a health check is not use.
 */
int jk_conn_pool_take_idle(jk_conn_pool *p, int i, apr_time_t cutoff, jk_conn **out);
void jk_conn_pool_put_back(jk_conn *c, int keep);
/* Connections open (idle or busy). */
int jk_conn_pool_open_count(jk_conn_pool *p);

#endif
