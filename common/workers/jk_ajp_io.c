/*
 * jk_ajp_io.c: the ajp13 worker's socket, never blocking: every wait is a poll with the
 * worker's timeouts.  Sends whole buffers, reads whole AJP packets into the connection's
 * buffer, ends a wait early when the member is found stalled, and makes the flushes the
 * client is owed while the backend is slow.
 */
#include "jk_ajp_worker_int.h"

#include <apr_poll.h>
#include <string.h>

/* Wait for the socket; a signal (httpd's graceful restart) only makes it wait on for the rest. */
static apr_status_t wait_io(apr_socket_t *sock, apr_int16_t events, apr_interval_time_t timeout)
{
    apr_pollfd_t pfd;
    apr_int32_t n;
    apr_time_t deadline = timeout >= 0 ? apr_time_now() + timeout : 0;
    apr_status_t rv;
    memset(&pfd, 0, sizeof(pfd));
    pfd.desc_type = APR_POLL_SOCKET;
    pfd.reqevents = events;
    pfd.desc.s = sock;
    while (APR_STATUS_IS_EINTR(rv = apr_poll(&pfd, 1, &n, timeout)) && timeout != 0) {
        if (timeout > 0 && (timeout = deadline - apr_time_now()) <= 0)
            return APR_TIMEUP;
    }
    return rv;
}

/*
 * How often a request waiting for its reply looks whether the member was found stalled
 * meanwhile.  Only waits this long pay for the look: a reply that comes sooner never does.
 */
#define JK_STALL_SLICE (APR_USEC_PER_SEC / 10)

static int member_stalled_since_sent(const exchange *x)
{
    return atomic_load(&x->w->shm->stalls) != x->stalls_seen;
}

/* wait_io for a reply, in slices, ending early when the member is found stalled. */
static apr_status_t wait_reply(exchange *x, apr_interval_time_t timeout)
{
    apr_time_t deadline;
    if (!x->watch_stalls)
        return wait_io(x->c->sock, APR_POLLIN, timeout);
    deadline = timeout >= 0 ? apr_time_now() + timeout : -1;
    for (;;) {
        apr_interval_time_t slice = JK_STALL_SLICE;
        apr_status_t rv;
        if (deadline >= 0) {
            apr_interval_time_t left = deadline - apr_time_now();
            if (left <= 0)
                return APR_TIMEUP;
            if (left < slice)
                slice = left;
        }
        rv = wait_io(x->c->sock, APR_POLLIN, slice);
        if (!APR_STATUS_IS_TIMEUP(rv))
            return rv;
        /* A response the client has begun cannot go elsewhere: it waits on, to complete. */
        if (member_stalled_since_sent(x) && !x->s->response_started)
            return JK_ESTALLED;
    }
}

/* --- socket I/O with timeouts --- */

apr_status_t ajpw_send_all(ajp_worker *w, jk_conn *c, struct iovec *iov, int n)
{
    apr_interval_time_t timeout = w->cfg->socket_timeout > 0
                                      ? apr_time_from_sec(w->cfg->socket_timeout) : -1;
    while (n > 0) {
        apr_size_t sent = 0;
        apr_status_t rv = apr_socket_sendv(c->sock, iov, n, &sent);
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv))
            return rv;
        while (n > 0 && sent >= iov->iov_len) {
            sent -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + sent;
            iov->iov_len -= sent;
            if ((rv = wait_io(c->sock, APR_POLLOUT, timeout)) != APR_SUCCESS)
                return rv;
        }
    }
    return APR_SUCCESS;
}

apr_status_t ajpw_send_msg(exchange *x, jk_msg *m)
{
    struct iovec iov = { m->buf, m->len };
    x->just_sent = 1;
    return ajpw_send_all(x->w, x->c, &iov, 1);
}

/* Let the client have what it was given. */
static void flush_client(exchange *x)
{
    if (x->flush_at && x->s)
        x->s->io->flush(x->s);
    x->flush_at = 0;
}

/* The flush owed to the client happens at most `hold` from now. */
void ajpw_owe_flush(exchange *x, apr_interval_time_t hold)
{
    apr_time_t due = apr_time_now() + hold;
    if (x->flush_at == 0 || due < x->flush_at)
        x->flush_at = due;
}

/* Wait until the backend has more to read; a flush that falls due meanwhile is made. */
static apr_status_t wait_backend(exchange *x)
{
    apr_interval_time_t left = x->timeout;
    if (x->flush_at) {
        apr_interval_time_t hold = x->flush_at - apr_time_now();
        if (hold > 0) {
            apr_status_t rv;
            if (left >= 0 && left <= hold)
                return wait_io(x->c->sock, APR_POLLIN, left);
            rv = wait_io(x->c->sock, APR_POLLIN, hold);
            if (!APR_STATUS_IS_TIMEUP(rv))
                return rv;
            if (left >= 0)
                left -= hold;
        }
        flush_client(x);
    }
    return wait_reply(x, left);
}

/* Read more bytes into the connection's buffer; APR_EOF when the backend closed. */
static apr_status_t fill(exchange *x)
{
    jk_conn *c = x->c;
    apr_status_t rv;

    if (c->rpos > 0 && c->rpos == c->rlen)
        c->rpos = c->rlen = 0;
    else if (c->rpos > c->rcap / 2) {
        memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
        c->rlen -= c->rpos;
        c->rpos = 0;
    }
    /* Right after sending, a read would only say EAGAIN: save that system call. */
    if (x->just_sent) {
        x->just_sent = 0;
        if ((rv = wait_backend(x)) != APR_SUCCESS)
            return rv;
    }
    for (;;) {
        apr_size_t n = c->rcap - c->rlen;
        rv = apr_socket_recv(c->sock, (char *)c->rbuf + c->rlen, &n);
        if (n > 0) {
            c->rlen += n;
            if (!x->received_any) {
                x->received_any = 1;
                x->s->first_byte_at = apr_time_now();
                atomic_store(&x->w->shm->last_answer_at, x->s->first_byte_at);
            }
            return APR_SUCCESS;
        }
        if (!APR_STATUS_IS_EAGAIN(rv))
            return rv == APR_SUCCESS ? APR_EOF : rv;
        if ((rv = wait_backend(x)) != APR_SUCCESS)
            return rv;
    }
}

static apr_status_t need(exchange *x, apr_size_t n)
{
    while (x->c->rlen - x->c->rpos < n) {
        apr_status_t rv = fill(x);
        if (rv != APR_SUCCESS)
            return rv;
    }
    return APR_SUCCESS;
}

/* Receive one packet; `m` then reads its payload in place. */
apr_status_t ajpw_recv_packet(exchange *x, jk_msg *m)
{
    jk_conn *c = x->c;
    apr_size_t payload;
    apr_status_t rv;

    if ((rv = need(x, JK_MSG_HEADER_LEN)) != APR_SUCCESS)
        return rv;
    if ((rv = jk_msg_parse_reply_header(c->rbuf + c->rpos, c->out->cap, &payload)) != APR_SUCCESS)
        return rv;
    if ((rv = need(x, JK_MSG_HEADER_LEN + payload)) != APR_SUCCESS)
        return rv;
    m->buf = c->rbuf + c->rpos;
    m->cap = m->len = JK_MSG_HEADER_LEN + payload;
    m->pos = JK_MSG_HEADER_LEN;
    c->rpos += JK_MSG_HEADER_LEN + payload;
    return APR_SUCCESS;
}
