/*
 * jk_ajp_connect.c: a usable connection for the ajp13 worker.  Connects to every address
 * of the host in mod_jk's order, drops pooled connections the backend closed or that idled
 * too long, sends CPing (ping_mode C and P) and tells from a missing CPONG whether the
 * member stalled (counted, so waiting requests give up) or is only busy (left in rotation).
 */
#include "jk_ajp_worker_int.h"

#include <apr_portable.h>
#include <errno.h>
#include <sys/socket.h>

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
apr_status_t ajpw_open_connection(ajp_worker *w, jk_conn *c)
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
apr_status_t ajpw_cping(exchange *x, int ms)
{
    jk_msg reply;
    jk_ajp_reply r;
    apr_status_t rv;
    apr_time_t asked = apr_time_now(), waited_from = asked;

    jk_ajp_encode_cping(x->c->out);
    if ((rv = ajpw_send_msg(x, x->c->out)) != APR_SUCCESS)
        return rv;
    for (int extra = 0;; extra++) {
        x->timeout = ms_or_forever(ms);
        rv = ajpw_recv_packet(x, &reply);
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
    apr_status_t rv = ajpw_open_connection(w, x->c);
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
        (rv = ajpw_cping(x, w->cfg->connect_timeout)) != APR_SUCCESS)
        return cping_failed(x, "after connecting", w->cfg->connect_timeout, rv);
    return JK_OK;
}

jk_result ajpw_get_connection(exchange *x)
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
        (rv = ajpw_cping(x, w->cfg->prepost_timeout)) != APR_SUCCESS)
        return cping_failed(x, "before the request", w->cfg->prepost_timeout, rv);
    return JK_OK;
}
