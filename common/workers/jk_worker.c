/*
 * jk_worker.c: the worker registry and the decisions every worker type shares (which
 * result gives the client which status, when a request may be sent again).  The registry
 * knows no concrete type: it creates each worker through the table of types,
 * jk_worker_types.c.
 */
#include "jk_worker.h"

#include <string.h>

int jk_service_is_idempotent(const jk_service *s)
{
    static const char *const methods[] = { "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE",
                                           NULL };
    for (int i = 0; methods[i]; i++)
        if (strcmp(s->method, methods[i]) == 0)
            return 1;
    return 0;
}

void jk_service_discard_response(jk_service *s)
{
    if (s->response_status == 0 || s->response_started || s->io == NULL || s->io->discard == NULL)
        return;
    s->io->discard(s);
    s->response_status = 0;
    s->bytes_written = 0;
}

int jk_may_resend(const jk_service *s, jk_result r, int recovery_options)
{
    int head = strcmp(s->method, "HEAD") == 0, get = strcmp(s->method, "GET") == 0;
    if (s->response_started)
        return 0;
    switch (r) {
    case JK_ERR_UNAVAILABLE:
    case JK_ERR_BUSY:
        return 1; /* the backend never saw the request */
    case JK_ERR_TIMEOUT:
    case JK_ERR_STALLED:
    case JK_ERR_PROTOCOL:
    case JK_ERR_BACKEND_IO:
    case JK_ERR_STATUS:
    case JK_ERR_STATUS_SOFT:
        break;
    default:
        return 0;
    }
    if (s->body_streamed)
        return 0; /* the body is gone: it cannot be sent twice */
    if ((head && (recovery_options & JK_RECOVER_ALWAYS_HEAD)) ||
        (get && (recovery_options & JK_RECOVER_ALWAYS_GET)))
        return 1;
    if (recovery_options & JK_RECOVER_NOT_AFTER_SENT)
        return 0;
    return jk_service_is_idempotent(s);
}

int jk_result_http_status(jk_result r)
{
    switch (r) {
    case JK_OK:              return 200;
    case JK_ERR_CLIENT:      return 400;
    case JK_ERR_UNAVAILABLE: return 503;
    case JK_ERR_BUSY:        return 503;
    case JK_ERR_TIMEOUT:     return 504;
    case JK_ERR_PROTOCOL:    return 502;
    case JK_ERR_BACKEND_IO:  return 502;
    case JK_ERR_TOO_LARGE:   return 431;
    case JK_ERR_STATUS:      return 503;
    case JK_ERR_STATUS_SOFT: return 503;
    case JK_ERR_REFUSED:     return 403;
    case JK_ERR_INTERNAL:    return 500;
    case JK_ERR_STALLED:     return 502;
    }
    return 500;
}

const char *jk_result_text(jk_result r)
{
    switch (r) {
    case JK_OK:              return "ok";
    case JK_ERR_CLIENT:      return "client error";
    case JK_ERR_UNAVAILABLE: return "backend unavailable";
    case JK_ERR_BUSY:        return "backend busy (no free connection, or a late CPONG)";
    case JK_ERR_TIMEOUT:     return "backend reply timeout";
    case JK_ERR_PROTOCOL:    return "backend protocol error";
    case JK_ERR_BACKEND_IO:  return "backend connection lost";
    case JK_ERR_TOO_LARGE:   return "request too large for one AJP packet";
    case JK_ERR_STATUS:      return "fail_on_status code";
    case JK_ERR_STATUS_SOFT: return "fail_on_status code (member kept)";
    case JK_ERR_REFUSED:     return "refused by the backend's AJP connector (secret?)";
    case JK_ERR_INTERNAL:    return "internal error";
    case JK_ERR_STALLED:     return "backend stopped answering";
    }
    return "?";
}

static const jk_worker_type_def *type_def(jk_worker_type type)
{
    for (const jk_worker_type_def *d = jk_worker_types; d->name; d++)
        if (d->type == type)
            return d;
    return NULL;
}

apr_status_t jk_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                              const jk_worker_env *env, jk_worker **out)
{
    const jk_worker_type_def *d = type_def(cfg->type);
    if (d == NULL || d->reads_workers)
        return APR_ENOTIMPL;
    return d->create(pool, cfg, env, NULL, out);
}

static apr_status_t create_of_type(apr_pool_t *pool, const jk_config *cfg,
                                   const jk_worker_env *env, jk_worker_table *t,
                                   const jk_worker_type_def *d)
{
    for (int i = 0; i < cfg->workers->nelts; i++) {
        const jk_worker_config *wc = APR_ARRAY_IDX(cfg->workers, i, jk_worker_config *);
        jk_worker *w;
        apr_status_t rv;
        if (wc->type != d->type)
            continue;
        if ((rv = d->create(pool, wc, env, t, &w)) != APR_SUCCESS)
            return rv;
        apr_hash_set(t->by_name, w->name, APR_HASH_KEY_STRING, w);
        APR_ARRAY_PUSH(t->all, jk_worker *) = w;
    }
    return APR_SUCCESS;
}

void jk_worker_init_base(jk_worker *base, const char *type_name, const jk_worker_ops *ops,
                         const jk_worker_config *cfg, const jk_worker_env *env, void *impl)
{
    base->name = cfg->name;
    base->type_name = type_name;
    base->ops = ops;
    base->config = cfg;
    base->log = env->log;
    base->endpoint = cfg->name;
    base->impl = impl;
}

apr_status_t jk_workers_create(apr_pool_t *pool, const jk_config *cfg, const jk_worker_env *env,
                               jk_worker_table **out)
{
    jk_worker_table *t = apr_palloc(pool, sizeof(*t));
    apr_status_t rv;
    t->by_name = apr_hash_make(pool);
    t->all = apr_array_make(pool, cfg->workers->nelts, sizeof(jk_worker *));
    for (const jk_worker_type_def *d = jk_worker_types; d->name; d++)
        if ((rv = create_of_type(pool, cfg, env, t, d)) != APR_SUCCESS)
            return rv;
    *out = t;
    return APR_SUCCESS;
}

jk_worker *jk_workers_find(const jk_worker_table *t, const char *name)
{
    return apr_hash_get(t->by_name, name, APR_HASH_KEY_STRING);
}

void jk_workers_maintain(const jk_worker_table *t, apr_time_t now)
{
    for (int i = 0; i < t->all->nelts; i++) {
        jk_worker *w = APR_ARRAY_IDX(t->all, i, jk_worker *);
        if (w->ops->maintain)
            w->ops->maintain(w, now);
    }
}
