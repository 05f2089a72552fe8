/*
 * jk_ajp_worker_int.h: what the files of the ajp13 worker share (private to them).
 *
 *   jk_ajp_worker.c    the worker: creating it, one request's attempts and retries,
 *                      the counters, idle-connection maintenance, the health probe
 *   jk_ajp_connect.c   getting a usable connection: connecting, dropping stale ones,
 *                      CPing/CPONG and what a missing CPONG means (stalled or busy)
 *   jk_ajp_io.c        the socket with timeouts: sending, waiting for the backend
 *                      (and for a stalled member), reading whole packets, flush holds
 *   jk_ajp_exchange.c  the request/response exchange: the request and its body, the
 *                      reply until END_RESPONSE, and what each failure of it means
 */
#ifndef JK_AJP_WORKER_INT_H
#define JK_AJP_WORKER_INT_H

#include "jk_ajp_worker.h"
#include "jk_ajp.h"

#include <apr_strings.h>
#include <sys/uio.h>

typedef struct ajp_worker {
    jk_worker base;
    const jk_worker_config *cfg;
    apr_sockaddr_t *addr;       /* NULL when the host did not resolve at start */
    const char *endpoint;
    jk_conn_pool *conns;
    jk_ajp_options opts;
    int pool_min;
    jk_shm_member *shm;         /* shared counters (a private record without shm) */
    apr_sockaddr_t *source;     /* local address to bind, or NULL */
    _Atomic int secret_hint;    /* the refused-secret hint was logged */
} ajp_worker;

/* One request's exchange with the backend. */
typedef struct exchange {
    ajp_worker *w;
    jk_service *s;
    jk_conn *c;
    int received_any;           /* a reply byte arrived on this connection */
    int headers_sent;
    apr_time_t flush_at;        /* when what the client was given must be flushed (0: none) */
    int body_packets;           /* body chunks of the reply so far */
    int retry;                  /* the attempt failed before the backend could act on it */
    apr_interval_time_t timeout; /* for the next wait on the backend */
    int just_sent;              /* the backend cannot have answered yet: poll before reading */
    int refused;                /* the last connect was refused: a final answer, no wait helps */
    int member_busy;            /* the last CPing or connect timed out while others were answered */
    int watch_stalls;           /* an lb can send it elsewhere: end the wait if the member stalls */
    uint64_t stalls_seen;       /* the member's stall count when the request was sent */
    apr_time_t sent_at;
    apr_pool_t *pool;           /* for decoding replies */
} exchange;

#define LOG(w, level, ...) jk_log((w)->base.log, level, __VA_ARGS__)

static inline const char *errtext(apr_status_t rv, char *buf, apr_size_t n)
{
    return apr_strerror(rv, buf, n);
}

static inline apr_interval_time_t ms_or_forever(int ms)
{
    return ms > 0 ? (apr_interval_time_t)ms * 1000 : -1;
}

/* The wait for each reply packet: JK_REPLY_TIMEOUT, reply_timeout, else socket_timeout. */
static inline int reply_timeout_ms(const ajp_worker *w, const jk_service *s)
{
    if (s->reply_timeout > 0)
        return s->reply_timeout;
    if (w->cfg->reply_timeout > 0)
        return w->cfg->reply_timeout;
    return w->cfg->socket_timeout * 1000;
}

/* Ends a wait on the backend: another request found the member stalled (no CPONG). */
#define JK_ESTALLED (APR_OS_START_USERERR + 90)

/*
 * How long a flush Tomcat asks for (an empty body chunk: the servlet called flush()) may
 * wait.  Tomcat sends one right before the end of many replies: if the end comes within
 * this time, the whole response is still held, so the client gets it in one write, and a
 * member that fails meanwhile can be replaced by another one.  mod_proxy_ajp's flushwait
 * has the same default.
 */
#define JK_FLUSH_HOLD (10 * (APR_USEC_PER_SEC / 1000))

/*
 * The longest a body of several packets stays in httpd unflushed while Tomcat is slow to
 * send the rest (a page that writes a lot without ever calling flush()).  It is long
 * enough that a busy Tomcat's reply is not cut into pieces, short enough that a slow page
 * still shows.  A reply's first packet alone does not start it: Tomcat sends a body
 * packet before the end only when the page's buffer is full, so a one-packet body is
 * either the whole page or a page that will flush; held until then, it can still go to
 * another member if this one dies (or its packets are dropped) before the end.
 */
#define JK_TRICKLE_HOLD (100 * (APR_USEC_PER_SEC / 1000))

/* jk_ajp_connect.c */
/* Every address of the host, IPv4 first unless prefer_ipv6 (mod_jk's order). */
apr_status_t ajpw_open_connection(ajp_worker *w, jk_conn *c);
/* A pooled connection, fresh or checked (ping_mode C and P); JK_OK or why not. */
jk_result ajpw_get_connection(exchange *x);
/* CPING on the exchange's connection; APR_SUCCESS when CPONG came within `ms` (or a
 * little later, from a member busy answering others). */
apr_status_t ajpw_cping(exchange *x, int ms);

/* jk_ajp_io.c */
apr_status_t ajpw_send_all(ajp_worker *w, jk_conn *c, struct iovec *iov, int n);
apr_status_t ajpw_send_msg(exchange *x, jk_msg *m);
/* Receive one packet; `m` then reads its payload in place. */
apr_status_t ajpw_recv_packet(exchange *x, jk_msg *m);
/* The flush owed to the client happens at most `hold` from now. */
void ajpw_owe_flush(exchange *x, apr_interval_time_t hold);

/* jk_ajp_exchange.c */
/* With a known length the first chunk goes unasked, right after the request. */
jk_result ajpw_read_first_chunk(exchange *x);
jk_result ajpw_send_request(exchange *x);
/* Read replies until END_RESPONSE.  *reuse says whether the connection stays usable. */
jk_result ajpw_read_reply(exchange *x, int *reuse);

#endif
