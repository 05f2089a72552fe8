/*
 * jk_ajp_worker.c: the ajp13 worker (see jk_ajp_worker.h).  Creates it from its
 * configuration, forwards a request with its attempts and retries (the exchange itself is
 * jk_ajp_exchange.c, the connection jk_ajp_connect.c), keeps the shared counters, pings
 * and closes idle connections, and probes the backend for the health check.
 */
#include "jk_ajp_worker_int.h"

#include <string.h>

static jk_result attempt(exchange *x)
{
    jk_result res;
    int reuse = 0;

    x->retry = 0;
    x->received_any = 0;
    x->member_busy = 0;
    if ((res = ajpw_get_connection(x)) != JK_OK)
        return res;
    x->received_any = 0;
    x->timeout = ms_or_forever(reply_timeout_ms(x->w, x->s));
    x->stalls_seen = atomic_load(&x->w->shm->stalls);
    x->watch_stalls = x->s->single_attempt;
    x->s->sent_at = x->sent_at = x->watch_stalls || x->s->want_times ? apr_time_now() : 0;
    x->s->first_byte_at = 0;
    res = ajpw_send_request(x);
    if (res == JK_ERR_TOO_LARGE) {
        jk_conn_pool_release(x->c, 1); /* nothing was sent: the connection is intact */
        return res;
    }
    if (res == JK_OK)
        res = ajpw_read_reply(x, &reuse);
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
    if ((res = ajpw_read_first_chunk(&x)) != JK_OK)
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
        alive = ajpw_cping(&x, w->cfg->ping_timeout) == APR_SUCCESS;
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
        return ajpw_cping(x, x->w->cfg->ping_timeout) == APR_SUCCESS ? JK_OK : JK_ERR_UNAVAILABLE;
    x->timeout = ms_or_forever(x->w->cfg->ping_timeout);
    if ((res = ajpw_send_request(x)) != JK_OK || (res = ajpw_read_reply(x, &reuse)) != JK_OK)
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
        if (ajpw_open_connection(w, x.c) == APR_SUCCESS) {
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
    jk_worker_init_base(&w->base, "ajp13", &ajp_ops, cfg, env, w);
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
