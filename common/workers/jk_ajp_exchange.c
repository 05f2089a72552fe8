/*
 * jk_ajp_exchange.c: one request/response exchange on one connection.  Sends
 * FORWARD_REQUEST with the first body chunk, answers GET_BODY_CHUNK, passes headers and
 * body to the client as they come until END_RESPONSE, and names each failure precisely:
 * fail_on_status, a bad or missing reply, a timeout, a stalled member, a lost connection
 * (retried when the backend cannot have seen the request).
 */
#include "jk_ajp_worker_int.h"

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
jk_result ajpw_read_first_chunk(exchange *x)
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
    srv = ajpw_send_msg(x, m);
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

jk_result ajpw_send_request(exchange *x)
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
    if ((rv = ajpw_send_all(x->w, x->c, iov, n)) != APR_SUCCESS) {
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
        ajpw_owe_flush(x, JK_FLUSH_HOLD); /* headers alone too: the servlet committed them */
        return JK_OK;
    }
    if (x->s->io->write_body(x->s, r->chunk, r->chunk_len) != APR_SUCCESS)
        return JK_ERR_CLIENT;
    x->s->bytes_written += (apr_off_t)r->chunk_len;
    if (++x->body_packets > 1 && x->flush_at == 0)
        ajpw_owe_flush(x, JK_TRICKLE_HOLD);
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
jk_result ajpw_read_reply(exchange *x, int *reuse)
{
    for (;;) {
        jk_msg m;
        jk_ajp_reply r;
        jk_result res;
        apr_status_t rv = ajpw_recv_packet(x, &m);

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
