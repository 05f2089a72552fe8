#include "jk_ajp_worker.h"
#include "jk_ajp.h"

#include <apr_poll.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

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

static const char *errtext(apr_status_t rv, char *buf, apr_size_t n)
{
    return apr_strerror(rv, buf, n);
}

static apr_interval_time_t ms_or_forever(int ms)
{
    return ms > 0 ? (apr_interval_time_t)ms * 1000 : -1;
}

/* The wait for each reply packet: JK_REPLY_TIMEOUT, reply_timeout, else socket_timeout. */
static int reply_timeout_ms(const ajp_worker *w, const jk_service *s)
{
    if (s->reply_timeout > 0)
        return s->reply_timeout;
    if (w->cfg->reply_timeout > 0)
        return w->cfg->reply_timeout;
    return w->cfg->socket_timeout * 1000;
}

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

/* Ends a wait on the backend: another request found the member stalled (no CPONG). */
#define JK_ESTALLED (APR_OS_START_USERERR + 90)

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

/* --- connecting --- */

static apr_status_t connect_addr(ajp_worker *w, jk_conn *c, apr_sockaddr_t *addr)
{
    apr_status_t rv = apr_socket_create(&c->sock, addr->family, SOCK_STREAM, APR_PROTO_TCP,
                                        c->pool);
    if (rv != APR_SUCCESS)
        return rv;
    apr_socket_opt_set(c->sock, APR_TCP_NODELAY, 1);
    if (w->cfg->socket_keepalive)
        apr_socket_opt_set(c->sock, APR_SO_KEEPALIVE, 1);
    if (w->cfg->socket_buffer > 0) {
        /* Never below one packet, or a reply could not be read in one go. */
        int size = w->cfg->socket_buffer < w->cfg->max_packet_size ? w->cfg->max_packet_size
                                                                    : w->cfg->socket_buffer;
        apr_socket_opt_set(c->sock, APR_SO_SNDBUF, size);
        apr_socket_opt_set(c->sock, APR_SO_RCVBUF, size);
    }
    if (w->source && w->source->family == addr->family &&
        (rv = apr_socket_bind(c->sock, w->source)) != APR_SUCCESS) {
        jk_conn_close(c);
        return rv;
    }
    apr_socket_timeout_set(c->sock, ms_or_forever(w->cfg->socket_connect_timeout));
    rv = apr_socket_connect(c->sock, addr);
    if (rv == APR_SUCCESS)
        /* From here on every wait is an explicit poll, so the socket never blocks. */
        rv = apr_socket_timeout_set(c->sock, 0);
    if (rv != APR_SUCCESS)
        jk_conn_close(c);
    return rv;
}

static apr_status_t resolve(ajp_worker *w, apr_pool_t *pool, apr_sockaddr_t **addr)
{
    if (w->addr) {
        *addr = w->addr;
        return APR_SUCCESS;
    }
    return apr_sockaddr_info_get(addr, w->cfg->host, APR_UNSPEC, (apr_port_t)w->cfg->port, 0, pool);
}

/* Try the addresses of one family in turn; APR_ENOENT when the host has none of it. */
static apr_status_t connect_family(ajp_worker *w, jk_conn *c, apr_sockaddr_t *addr, int v6)
{
    apr_status_t rv = APR_ENOENT;
    for (; addr; addr = addr->next) {
        if ((addr->family == APR_INET6) != v6)
            continue;
        if ((rv = connect_addr(w, c, addr)) == APR_SUCCESS)
            break;
    }
    return rv;
}

/* Every address of the host, IPv4 first unless prefer_ipv6 (mod_jk's order). */
static apr_status_t open_connection(ajp_worker *w, jk_conn *c)
{
    apr_sockaddr_t *addr;
    apr_status_t rv = resolve(w, c->pool, &addr), second;
    char err[120];
    int v6 = w->cfg->prefer_ipv6 != 0;

    if (rv != APR_SUCCESS) {
        LOG(w, JK_LOG_ERROR, "worker %s: cannot resolve host %s: %s", w->base.name, w->cfg->host,
            errtext(rv, err, sizeof(err)));
        return rv;
    }
    rv = connect_family(w, c, addr, v6);
    if (rv != APR_SUCCESS && (second = connect_family(w, c, addr, !v6)) != APR_ENOENT)
        rv = second;
    if (rv == APR_SUCCESS)
        LOG(w, JK_LOG_DEBUG, "worker %s: connected to %s", w->base.name, w->endpoint);
    return rv;
}

/* Has the backend closed (or written to) this idle connection? */
static int is_stale(const jk_conn *c)
{
    apr_os_sock_t fd;
    char byte;
    ssize_t n;
    if (c->rlen > c->rpos)
        return 1;
    apr_os_sock_get(&fd, c->sock);
    n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

static int idle_too_long(const ajp_worker *w, const jk_conn *c)
{
    int limit = w->cfg->connection_pool_timeout;
    return limit > 0 && apr_time_now() - c->last_used > apr_time_from_sec(limit);
}

/* --- socket I/O with timeouts --- */

static apr_status_t send_all(ajp_worker *w, jk_conn *c, struct iovec *iov, int n)
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

static apr_status_t send_msg(exchange *x, jk_msg *m)
{
    struct iovec iov = { m->buf, m->len };
    x->just_sent = 1;
    return send_all(x->w, x->c, &iov, 1);
}

/* Let the client have what it was given. */
static void flush_client(exchange *x)
{
    if (x->flush_at && x->s)
        x->s->io->flush(x->s);
    x->flush_at = 0;
}

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

/* The flush owed to the client happens at most `hold` from now. */
static void owe_flush(exchange *x, apr_interval_time_t hold)
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
                atomic_store(&x->w->shm->last_answer_at, apr_time_now());
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
static apr_status_t recv_packet(exchange *x, jk_msg *m)
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

/* --- request body --- */

/* Read up to `want` bytes of body, looping over short reads until `want` or the end. */
static apr_status_t read_client_body(jk_service *s, char *buf, apr_size_t want, apr_size_t *got)
{
    *got = 0;
    while (*got < want) {
        apr_size_t n = 0;
        apr_status_t rv = s->io->read_body(s, buf + *got, want - *got, &n);
        if (rv != APR_SUCCESS)
            return rv;
        if (n == 0)
            break;
        *got += n;
    }
    s->bytes_read += (apr_off_t)*got;
    return APR_SUCCESS;
}

/* With a known length the first chunk goes unasked, right after the request. */
static jk_result read_first_chunk(exchange *x)
{
    jk_service *s = x->s;
    apr_size_t max = (apr_size_t)x->w->cfg->max_packet_size - JK_AJP_BODY_CHUNK_OVERHEAD;
    apr_size_t want;
    char err[120];
    apr_status_t rv;

    if (s->content_length <= 0 || s->first_chunk_read)
        return JK_OK;
    s->first_chunk_read = 1;
    want = (apr_off_t)max < s->content_length ? max : (apr_size_t)s->content_length;
    s->first_chunk = apr_palloc(s->pool, want);
    if ((rv = read_client_body(s, s->first_chunk, want, &s->first_chunk_len)) != APR_SUCCESS) {
        LOG(x->w, JK_LOG_INFO, "worker %s: reading the request body from the client failed "
            "(%s); nothing sent to %s", x->w->base.name, errtext(rv, err, sizeof(err)),
            x->w->endpoint);
        return JK_ERR_CLIENT;
    }
    return JK_OK;
}

/* Answer GET_BODY_CHUNK: up to `requested` bytes, or the empty chunk at the end. */
static jk_result send_body_chunk(exchange *x, apr_size_t requested)
{
    jk_msg *m = x->c->out;
    apr_size_t max = m->cap - JK_AJP_BODY_CHUNK_OVERHEAD, got = 0;
    apr_off_t left = x->s->content_length - x->s->bytes_read;
    apr_status_t rv = APR_SUCCESS, srv;
    char err[120];

    if (requested > max)
        requested = max;
    if (x->s->content_length >= 0 && (apr_off_t)requested > left)
        requested = (apr_size_t)left;
    if (requested > 0)
        rv = read_client_body(x->s, (char *)m->buf + JK_AJP_BODY_CHUNK_OVERHEAD, requested, &got);
    if (rv != APR_SUCCESS)
        got = 0;
    /* Body beyond the kept first chunk has now gone to this backend: it cannot be sent again.
     * An empty answer (no body, or its end) leaves the request replayable. */
    if (got > 0)
        x->s->body_streamed = 1;
    /* The data is already in place after the chunk header: build the header around it. */
    jk_msg_reset(m);
    if (got > 0) {
        jk_msg_put_int(m, (uint16_t)got);
        m->len += got;
    }
    jk_msg_end(m);
    srv = send_msg(x, m);
    if (rv != APR_SUCCESS) {
        /* The backend got an empty chunk, so it will not take the next request as body. */
        LOG(x->w, JK_LOG_INFO, "worker %s: the client's request body broke off (%s); "
            "%s was told the body ended", x->w->base.name, errtext(rv, err, sizeof(err)),
            x->w->endpoint);
        return JK_ERR_CLIENT;
    }
    if (srv != APR_SUCCESS) {
        LOG(x->w, JK_LOG_ERROR, "worker %s: sending request body to %s failed: %s",
            x->w->base.name, x->w->endpoint, errtext(srv, err, sizeof(err)));
        return JK_ERR_BACKEND_IO;
    }
    return JK_OK;
}

/* --- sending the request --- */

static jk_result send_request(exchange *x)
{
    jk_msg *m = x->c->out;
    uint8_t chunk_head[JK_AJP_BODY_CHUNK_OVERHEAD];
    struct iovec iov[3];
    int n = 1;
    char err[120];
    apr_status_t rv = jk_ajp_encode_request(m, x->s, &x->w->opts);

    if (rv != APR_SUCCESS) {
        LOG(x->w, JK_LOG_ERROR, "worker %s: request for %s %s: %s (%d bytes); the client gets %d",
            x->w->base.name, x->s->method, x->s->uri, jk_ajp_strerror(rv),
            x->w->cfg->max_packet_size, jk_result_http_status(JK_ERR_TOO_LARGE));
        return JK_ERR_TOO_LARGE;
    }
    iov[0].iov_base = m->buf;
    iov[0].iov_len = m->len;
    if (x->s->first_chunk_len > 0) {
        apr_size_t len = x->s->first_chunk_len;
        chunk_head[0] = 0x12;
        chunk_head[1] = 0x34;
        chunk_head[2] = (uint8_t)((len + 2) >> 8);
        chunk_head[3] = (uint8_t)((len + 2) & 0xFF);
        chunk_head[4] = (uint8_t)(len >> 8);
        chunk_head[5] = (uint8_t)(len & 0xFF);
        iov[1].iov_base = chunk_head;
        iov[1].iov_len = sizeof(chunk_head);
        iov[2].iov_base = x->s->first_chunk;
        iov[2].iov_len = len;
        n = 3;
    }
    x->just_sent = 1;
    if ((rv = send_all(x->w, x->c, iov, n)) != APR_SUCCESS) {
        /* A reused connection that fails here was closed by the backend: nothing was processed. */
        x->retry = x->c->requests > 0;
        LOG(x->w, x->retry ? JK_LOG_DEBUG : JK_LOG_ERROR,
            "worker %s: sending the request to %s failed: %s", x->w->base.name, x->w->endpoint,
            errtext(rv, err, sizeof(err)));
        return JK_ERR_UNAVAILABLE;
    }
    return JK_OK;
}

/* --- the reply --- */

/* Is `status` in fail_on_status?  JK_ERR_STATUS(_SOFT) if so, JK_OK if not. */
static jk_result status_check(const ajp_worker *w, const jk_service *s, int status)
{
    const apr_array_header_t *codes = s->fail_on_status ? s->fail_on_status
                                                        : w->cfg->fail_on_status;
    for (int i = 0; codes && i < codes->nelts; i++) {
        int code = APR_ARRAY_IDX(codes, i, int);
        if (code == status)
            return JK_ERR_STATUS;
        if (code == -status)
            return JK_ERR_STATUS_SOFT;
    }
    return JK_OK;
}

/*
 * Tomcat's AJP connector refuses a wrong or missing secret with 403 and closes
 * the connection (END_RESPONSE with reuse=0), before any servlet runs; an
 * application's own 403 keeps the connection.  Say so once per process, and
 * flag the request so that an lb takes the member out of rotation.
 */
static void note_refused_by_connector(exchange *x)
{
    ajp_worker *w = x->w;
    x->s->backend_refused = 1;
    if (atomic_exchange(&w->secret_hint, 1))
        return;
    LOG(w, JK_LOG_ERROR, "worker %s: %s refused the request at its AJP connector (403, "
        "connection closed): the connector most likely requires a different secret than this "
        "worker's (%s); compare secret= in workers.properties with the secret attribute of "
        "Tomcat's AJP Connector", w->base.name, w->endpoint,
        w->cfg->secret ? "one is set" : "none is set");
}

static jk_result on_headers(exchange *x, const jk_ajp_reply *r)
{
    jk_result failed;
    if (x->headers_sent) {
        LOG(x->w, JK_LOG_ERROR, "worker %s: %s sent the response headers twice", x->w->base.name,
            x->w->endpoint);
        return JK_ERR_PROTOCOL;
    }
    if ((failed = status_check(x->w, x->s, r->status)) != JK_OK) {
        LOG(x->w, JK_LOG_ERROR, "worker %s: %s answered %d, which fail_on_status lists%s; "
            "connection closed", x->w->base.name, x->w->endpoint, r->status,
            failed == JK_ERR_STATUS ? "" : " (as a soft failure)");
        return failed;
    }
    x->headers_sent = 1;
    x->s->response_status = r->status;
    if (x->s->io->start_response(x->s, r->status, r->reason, r->headers, r->num_headers)
        != APR_SUCCESS)
        return JK_ERR_CLIENT;
    /* A server that holds the response until it commits it says itself when it has. */
    if (x->s->io->discard == NULL)
        x->s->response_started = 1;
    return JK_OK;
}

static jk_result on_body(exchange *x, const jk_ajp_reply *r)
{
    if (!x->headers_sent) {
        LOG(x->w, JK_LOG_ERROR, "worker %s: %s sent body data before the response headers",
            x->w->base.name, x->w->endpoint);
        return JK_ERR_PROTOCOL;
    }
    if (r->chunk_len == 0) {
        owe_flush(x, JK_FLUSH_HOLD); /* headers alone too: the servlet committed them */
        return JK_OK;
    }
    if (x->s->io->write_body(x->s, r->chunk, r->chunk_len) != APR_SUCCESS)
        return JK_ERR_CLIENT;
    x->s->bytes_written += (apr_off_t)r->chunk_len;
    if (++x->body_packets > 1 && x->flush_at == 0)
        owe_flush(x, JK_TRICKLE_HOLD);
    return JK_OK;
}

static jk_result protocol_error(exchange *x, apr_status_t rv)
{
    LOG(x->w, JK_LOG_ERROR, "worker %s: bad reply from %s: %s; connection closed",
        x->w->base.name, x->w->endpoint, jk_ajp_strerror(rv));
    return JK_ERR_PROTOCOL;
}

static jk_result cut_stalled(exchange *x)
{
    uint64_t cut = atomic_fetch_add(&x->w->shm->requests_cut, 1) + 1;
    LOG(x->w, JK_LOG_ERROR, "worker %s: %s stopped answering (a CPing or connect on another "
        "connection timed out): %s %s, waiting %d ms for its reply, is cut (%llu cut so far); "
        "connection closed", x->w->base.name, x->w->endpoint, x->s->method, x->s->uri,
        (int)apr_time_as_msec(apr_time_now() - x->sent_at), (unsigned long long)cut);
    return JK_ERR_STALLED;
}

static jk_result receive_failed(exchange *x, apr_status_t rv)
{
    char err[120];
    if (APR_STATUS_IS_TIMEUP(rv)) {
        LOG(x->w, JK_LOG_ERROR, "worker %s: no reply from %s within %d ms; connection closed",
            x->w->base.name, x->w->endpoint, reply_timeout_ms(x->w, x->s));
        return JK_ERR_TIMEOUT;
    }
    if (rv == JK_ESTALLED)
        return cut_stalled(x);
    if (rv >= JK_MSG_EOVERFLOW && rv <= JK_MSG_EBADHDR)
        return protocol_error(x, rv);
    /* A pooled connection closed under us before any reply: the backend never saw the request. */
    if (!x->received_any && x->c->requests > 0 && !x->s->body_streamed &&
        jk_service_is_idempotent(x->s)) {
        x->retry = 1;
        LOG(x->w, JK_LOG_DEBUG, "worker %s: pooled connection to %s was closed by the backend; "
            "retrying on another", x->w->base.name, x->w->endpoint);
        return JK_ERR_UNAVAILABLE;
    }
    LOG(x->w, JK_LOG_ERROR, "worker %s: connection to %s lost while waiting for the reply: %s",
        x->w->base.name, x->w->endpoint, rv == APR_EOF ? "closed by the backend"
                                                       : errtext(rv, err, sizeof(err)));
    return JK_ERR_BACKEND_IO;
}

/* Read replies until END_RESPONSE.  *reuse says whether the connection stays usable. */
static jk_result read_reply(exchange *x, int *reuse)
{
    for (;;) {
        jk_msg m;
        jk_ajp_reply r;
        jk_result res;
        apr_status_t rv = recv_packet(x, &m);

        if (rv != APR_SUCCESS)
            return receive_failed(x, rv);
        if ((rv = jk_ajp_decode_reply(&m, x->pool, &r)) != APR_SUCCESS)
            return protocol_error(x, rv);
        switch (r.type) {
        case JK_AJP_SEND_HEADERS:   res = on_headers(x, &r); break;
        case JK_AJP_SEND_BODY_CHUNK: res = on_body(x, &r); break;
        case JK_AJP_GET_BODY_CHUNK: res = send_body_chunk(x, r.requested); break;
        case JK_AJP_END_RESPONSE:
            if (!x->headers_sent)
                return protocol_error(x, JK_MSG_ETRUNC);
            /* Anything after END_RESPONSE would poison the next request. */
            *reuse = r.reuse && x->c->rlen == x->c->rpos;
            if (x->s->response_status == 403 && !r.reuse)
                note_refused_by_connector(x);
            return JK_OK;
        default:
            return protocol_error(x, JK_AJP_EBADTYPE);
        }
        if (res != JK_OK)
            return res;
    }
}

/* --- one attempt on one connection --- */

/* Did the member answer anyone, on any connection, since `t`? */
static int answered_since(const ajp_worker *w, apr_time_t t)
{
    return atomic_load(&w->shm->last_answer_at) >= t;
}

/*
 * How many more times a CPing that timed out waits again, as long as the member answered
 * other requests during the wait.  An overloaded Tomcat (every CPU busy, a garbage
 * collection) answers late but answers: that is no reason to give up on it.
 */
#define JK_BUSY_EXTRA_WAITS 2

/* CPING on the exchange's connection; APR_SUCCESS when CPONG came within `ms` (or a
 * little later, from a member busy answering others). */
static apr_status_t cping(exchange *x, int ms)
{
    jk_msg reply;
    jk_ajp_reply r;
    apr_status_t rv;
    apr_time_t asked = apr_time_now(), waited_from = asked;

    jk_ajp_encode_cping(x->c->out);
    if ((rv = send_msg(x, x->c->out)) != APR_SUCCESS)
        return rv;
    for (int extra = 0;; extra++) {
        x->timeout = ms_or_forever(ms);
        rv = recv_packet(x, &reply);
        if (!APR_STATUS_IS_TIMEUP(rv) || !answered_since(x->w, waited_from))
            break;
        if (extra == JK_BUSY_EXTRA_WAITS) {
            x->member_busy = 1;
            break;
        }
        waited_from = apr_time_now();
    }
    if (rv != APR_SUCCESS)
        return rv;
    if (apr_time_now() - asked > apr_time_from_msec(ms))
        LOG(x->w, JK_LOG_WARN, "worker %s: CPONG from %s came after %" APR_TIME_T_FMT " ms, more "
            "than the %d ms allowed; it answered others meanwhile (busy, not stopped), so it "
            "was waited for", x->w->base.name, x->w->endpoint,
            apr_time_as_msec(apr_time_now() - asked), ms);
    if ((rv = jk_ajp_decode_reply(&reply, x->pool, &r)) != APR_SUCCESS)
        return rv;
    return r.type == JK_AJP_CPONG ? APR_SUCCESS : JK_AJP_EBADTYPE;
}

/* A CPing or connect timed out and nobody else was answered meanwhile: the member
 * accepts but does not answer anyone. */
static void note_stall(exchange *x, apr_status_t rv)
{
    if (APR_STATUS_IS_TIMEUP(rv) && !x->member_busy)
        atomic_fetch_add(&x->w->shm->stalls, 1);
}

/* The member is busy, not stopped: this request goes elsewhere (or waits its turn), and
 * the member stays in the lb's rotation. */
static jk_result busy_member(exchange *x, const char *what, const char *when, int ms)
{
    atomic_fetch_add(&x->w->shm->busy_waits, 1);
    LOG(x->w, JK_LOG_WARN, "worker %s: %s %s%s%s timed out (%d ms) while the member answered "
        "other requests: it is busy, not stopped; connection closed", x->w->base.name, what,
        x->w->endpoint, when ? " " : "", when ? when : "", ms);
    jk_conn_pool_release(x->c, 0);
    x->c = NULL;
    return JK_ERR_BUSY;
}

static jk_result cping_failed(exchange *x, const char *when, int ms, apr_status_t rv)
{
    char err[120];
    if (x->member_busy)
        return busy_member(x, "the CPing to", when, ms);
    note_stall(x, rv);
    LOG(x->w, JK_LOG_ERROR, "worker %s: no CPONG from %s %s (waited up to %d ms: %s); "
        "connection closed", x->w->base.name, x->w->endpoint, when, ms,
        APR_STATUS_IS_TIMEUP(rv) ? "timed out" : rv >= APR_OS_START_USERERR
        ? jk_ajp_strerror(rv) : errtext(rv, err, sizeof(err)));
    jk_conn_pool_release(x->c, 0);
    x->c = NULL;
    return JK_ERR_UNAVAILABLE;
}

static jk_result open_checked(exchange *x)
{
    ajp_worker *w = x->w;
    char err[120];
    apr_time_t asked = apr_time_now();
    apr_status_t rv = open_connection(w, x->c);
    x->refused = APR_STATUS_IS_ECONNREFUSED(rv);
    if (rv != APR_SUCCESS) {
        if (APR_STATUS_IS_TIMEUP(rv) && answered_since(w, asked)) {
            x->member_busy = 1; /* a full accept queue, not a dead host */
            return busy_member(x, "connecting to", NULL, w->cfg->socket_connect_timeout);
        }
        note_stall(x, rv);
        LOG(w, JK_LOG_ERROR, "worker %s: cannot connect to %s: %s", w->base.name, w->endpoint,
            errtext(rv, err, sizeof(err)));
        jk_conn_pool_release(x->c, 0);
        x->c = NULL;
        return JK_ERR_UNAVAILABLE;
    }
    if ((w->cfg->ping_mode & JK_PING_CONNECT) &&
        (rv = cping(x, w->cfg->connect_timeout)) != APR_SUCCESS)
        return cping_failed(x, "after connecting", w->cfg->connect_timeout, rv);
    return JK_OK;
}

static jk_result get_connection(exchange *x)
{
    ajp_worker *w = x->w;
    apr_interval_time_t wait = ms_or_forever(w->cfg->connection_acquire_timeout);
    apr_status_t rv;

    if (wait < 0)
        wait = apr_time_from_sec(3600);
    if (jk_conn_pool_acquire(w->conns, wait, &x->c) != APR_SUCCESS) {
        LOG(w, JK_LOG_ERROR, "worker %s: all %d connections to %s busy for %d ms",
            w->base.name, w->conns->size, w->endpoint, w->cfg->connection_acquire_timeout);
        return JK_ERR_BUSY;
    }
    if (x->c->sock && (idle_too_long(w, x->c) || is_stale(x->c)))
        jk_conn_close(x->c);
    if (x->c->sock == NULL)
        return open_checked(x);
    if ((w->cfg->ping_mode & JK_PING_PREPOST) &&
        (rv = cping(x, w->cfg->prepost_timeout)) != APR_SUCCESS)
        return cping_failed(x, "before the request", w->cfg->prepost_timeout, rv);
    return JK_OK;
}

static jk_result attempt(exchange *x)
{
    jk_result res;
    int reuse = 0;

    x->retry = 0;
    x->received_any = 0;
    x->member_busy = 0;
    if ((res = get_connection(x)) != JK_OK)
        return res;
    x->received_any = 0;
    x->timeout = ms_or_forever(reply_timeout_ms(x->w, x->s));
    x->stalls_seen = atomic_load(&x->w->shm->stalls);
    x->watch_stalls = x->s->single_attempt;
    x->sent_at = x->watch_stalls ? apr_time_now() : 0;
    res = send_request(x);
    if (res == JK_ERR_TOO_LARGE) {
        jk_conn_pool_release(x->c, 1); /* nothing was sent: the connection is intact */
        return res;
    }
    if (res == JK_OK)
        res = read_reply(x, &reuse);
    if (res == JK_OK)
        x->c->requests++;
    jk_conn_pool_release(x->c, res == JK_OK && reuse && !x->s->disable_reuse);
    x->c = NULL;
    return res;
}

static void count_result(ajp_worker *w, const jk_service *s, jk_result res, apr_off_t read0,
                         apr_off_t written0)
{
    atomic_fetch_add(&w->shm->bytes_read, (uint64_t)(s->bytes_read - read0));
    atomic_fetch_add(&w->shm->bytes_written, (uint64_t)(s->bytes_written - written0));
    if (res == JK_ERR_CLIENT)
        atomic_fetch_add(&w->shm->client_errors, 1);
    else if (res == JK_ERR_TIMEOUT)
        atomic_fetch_add(&w->shm->reply_timeouts, 1);
    if (res != JK_OK && res != JK_ERR_CLIENT && res != JK_ERR_TOO_LARGE)
        atomic_fetch_add(&w->shm->errors, 1);
}

static jk_result forward(ajp_worker *w, jk_service *s);

static jk_result ajp_service(jk_worker *base, jk_service *s)
{
    ajp_worker *w = base->impl;
    apr_off_t read0 = s->bytes_read, written0 = s->bytes_written;
    jk_result res;

    if (w->cfg->busy_limit > 0 && atomic_load(&w->shm->busy) >= w->cfg->busy_limit) {
        LOG(w, JK_LOG_WARN, "worker %s: busy_limit %d reached; %s %s not sent", base->name,
            w->cfg->busy_limit, s->method, s->uri);
        return JK_ERR_BUSY;
    }
    atomic_fetch_add(&w->shm->requests, 1);
    if (s->member == NULL)
        s->member = base->name;
    jk_shm_member_enter(w->shm);
    res = forward(w, s);
    jk_shm_member_leave(w->shm);
    count_result(w, s, res, read0, written0);
    return res;
}

/* Send the request, on a fresh connection again when that is safe and worthwhile. */
static jk_result forward(ajp_worker *w, jk_service *s)
{
    jk_worker *base = &w->base;
    exchange x;
    jk_result res;
    int failures = 0;

    memset(&x, 0, sizeof(x));
    x.w = w;
    x.s = s;
    x.pool = s->pool;
    if ((res = read_first_chunk(&x)) != JK_OK)
        return res;
    for (;;) {
        res = attempt(&x);
        /* A busy member is retried as an unreachable one would be, not taken out. */
        if ((res != JK_ERR_UNAVAILABLE && !(res == JK_ERR_BUSY && x.member_busy)) ||
            x.headers_sent)
            break;
        /* A stale pooled connection costs no attempt: there are at most pool-size of them. */
        if (x.retry)
            continue;
        if (++failures >= w->cfg->retries || s->single_attempt)
            break;
        /* Nothing listens: waiting would only delay the answer, so try again at once. */
        if (w->cfg->retry_interval > 0 && !x.refused)
            apr_sleep((apr_interval_time_t)w->cfg->retry_interval * 1000);
    }
    if (res == JK_ERR_UNAVAILABLE)
        LOG(w, JK_LOG_ERROR, "worker %s: %s unavailable after %d attempt(s)",
            base->name, w->endpoint, failures);
    return res;
}

/* ping_mode I: CPING every connection idle for connection_ping_interval; drop the silent. */
static void ping_idle_connections(ajp_worker *w, apr_time_t now)
{
    apr_time_t cutoff = now - apr_time_from_sec(w->cfg->connection_ping_interval);
    int dropped = 0;
    for (int i = 0; i < w->conns->size; i++) {
        exchange x;
        int alive;
        memset(&x, 0, sizeof(x));
        x.w = w;
        if (!jk_conn_pool_take_idle(w->conns, i, cutoff, &x.c))
            continue;
        x.pool = x.c->pool;
        alive = cping(&x, w->cfg->ping_timeout) == APR_SUCCESS;
        dropped += !alive;
        jk_conn_pool_put_back(x.c, alive);
    }
    if (dropped > 0)
        LOG(w, JK_LOG_WARN, "worker %s: %d idle connection(s) to %s did not answer CPING within "
            "%d ms; closed", w->base.name, dropped, w->endpoint, w->cfg->ping_timeout);
}

static void ajp_maintain(jk_worker *base, apr_time_t now)
{
    ajp_worker *w = base->impl;
    int closed;
    if ((w->cfg->ping_mode & JK_PING_INTERVAL) && w->cfg->connection_ping_interval > 0)
        ping_idle_connections(w, now);
    if (w->cfg->connection_pool_timeout <= 0)
        return;
    closed = jk_conn_pool_close_idle(w->conns, apr_time_from_sec(w->cfg->connection_pool_timeout),
                                     w->pool_min, now);
    if (closed > 0)
        LOG(w, JK_LOG_DEBUG, "worker %s: closed %d connection(s) to %s idle for %d s or more",
            base->name, closed, w->endpoint, w->cfg->connection_pool_timeout);
}

/* --- health probe: a connection of its own, never one of the pool --- */

static apr_status_t probe_read_body(jk_service *s, char *buf, apr_size_t want, apr_size_t *got)
{
    (void)s; (void)buf; (void)want;
    *got = 0;
    return APR_SUCCESS;
}

static apr_status_t probe_start(jk_service *s, int status, const char *reason,
                                const jk_header *h, int n)
{
    (void)reason; (void)h; (void)n;
    s->response_status = status;
    return APR_SUCCESS;
}

static apr_status_t probe_write(jk_service *s, const char *buf, apr_size_t len)
{
    (void)s; (void)buf; (void)len;
    return APR_SUCCESS;
}

static apr_status_t probe_flush(jk_service *s)
{
    (void)s;
    return APR_SUCCESS;
}

static const jk_service_io probe_io = { probe_read_body, probe_start, probe_write, probe_flush,
                                        NULL };

static void probe_request(jk_service *s, apr_pool_t *pool, const ajp_worker *w, const char *uri)
{
    static const jk_header host = { "Host", "localhost" };
    memset(s, 0, sizeof(*s));
    s->pool = pool;
    s->method = "GET";
    s->protocol = "HTTP/1.1";
    s->uri = uri;
    s->remote_addr = s->remote_host = s->local_addr = "127.0.0.1";
    s->server_name = "localhost";
    s->server_port = 80;
    s->ssl_key_size = -1;
    s->headers = &host;
    s->num_headers = 1;
    s->io = &probe_io;
    (void)w;
}

/* CPing, or GET `uri`: healthy when CPONG comes, or a status below 400. */
static jk_result probe_on(exchange *x, const char *uri)
{
    int reuse;
    jk_result res;
    if (uri == NULL)
        return cping(x, x->w->cfg->ping_timeout) == APR_SUCCESS ? JK_OK : JK_ERR_UNAVAILABLE;
    x->timeout = ms_or_forever(x->w->cfg->ping_timeout);
    if ((res = send_request(x)) != JK_OK || (res = read_reply(x, &reuse)) != JK_OK)
        return res;
    return x->s->response_status < 400 ? JK_OK : JK_ERR_STATUS;
}

static jk_result ajp_probe(jk_worker *base, const char *uri)
{
    ajp_worker *w = base->impl;
    apr_pool_t *pool;
    jk_conn_pool *one;
    jk_service s;
    exchange x;
    jk_result res = JK_ERR_UNAVAILABLE;

    if (apr_pool_create_unmanaged_ex(&pool, NULL, NULL) != APR_SUCCESS)
        return JK_ERR_INTERNAL;
    if (jk_conn_pool_create(pool, 1, (apr_size_t)w->cfg->max_packet_size, &one) == APR_SUCCESS) {
        memset(&x, 0, sizeof(x));
        x.w = w;
        x.s = &s;
        x.pool = pool;
        probe_request(&s, pool, w, uri);
        x.c = &one->slots[0];
        if (open_connection(w, x.c) == APR_SUCCESS) {
            res = probe_on(&x, uri);
            jk_conn_close(x.c);
        }
    }
    apr_pool_destroy(pool);
    return res;
}

static const jk_worker_ops ajp_ops = { ajp_service, ajp_maintain, ajp_probe };

static const char *format_endpoint(apr_pool_t *pool, const jk_worker_config *cfg)
{
    return strchr(cfg->host, ':') ? apr_psprintf(pool, "[%s]:%d", cfg->host, cfg->port)
                                  : apr_psprintf(pool, "%s:%d", cfg->host, cfg->port);
}

apr_status_t jk_ajp_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                  const jk_worker_env *env, jk_worker **out)
{
    ajp_worker *w = apr_pcalloc(pool, sizeof(*w));
    int size = cfg->connection_pool_size > 0 ? cfg->connection_pool_size : env->threads_per_child;
    apr_status_t rv;
    char err[120];

    if (size < 1)
        size = 1;
    w->base.name = cfg->name;
    w->base.type_name = "ajp13";
    w->base.ops = &ajp_ops;
    w->base.config = cfg;
    w->base.log = env->log;
    w->base.impl = w;
    w->cfg = cfg;
    w->endpoint = format_endpoint(pool, cfg);
    w->opts.secret = cfg->secret;
    w->opts.forward_key_size = 1;
    w->pool_min = cfg->connection_pool_minsize >= 0 ? cfg->connection_pool_minsize
                                                     : (size + 1) / 2;
    w->shm = jk_shm_member_find(env->shm, cfg->name);
    if (w->shm == NULL)
        w->shm = apr_pcalloc(pool, sizeof(*w->shm));
    w->base.shm = w->shm;
    w->base.endpoint = w->endpoint;
    if ((rv = jk_conn_pool_create(pool, size, (apr_size_t)cfg->max_packet_size, &w->conns))
        != APR_SUCCESS)
        return rv;
    if (cfg->source && *cfg->source &&
        apr_sockaddr_info_get(&w->source, cfg->source, APR_UNSPEC, 0, 0, pool) != APR_SUCCESS) {
        LOG(w, JK_LOG_WARN, "worker %s: source address %s does not resolve; connecting from any "
            "address", cfg->name, cfg->source);
        w->source = NULL;
    }
    rv = apr_sockaddr_info_get(&w->addr, cfg->host, APR_UNSPEC, (apr_port_t)cfg->port, 0, pool);
    if (rv != APR_SUCCESS) {
        w->addr = NULL;
        LOG(w, JK_LOG_WARN, "worker %s: host %s does not resolve now (%s); will retry per request",
            cfg->name, cfg->host, errtext(rv, err, sizeof(err)));
    }
    *out = &w->base;
    return APR_SUCCESS;
}

const char *jk_ajp_worker_endpoint(const jk_worker *w)
{
    return ((const ajp_worker *)w->impl)->endpoint;
}

jk_conn_pool *jk_ajp_worker_pool(const jk_worker *w)
{
    return ((const ajp_worker *)w->impl)->conns;
}

