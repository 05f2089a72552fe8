/*
 * mime=prop: workers.properties lines (prefix.worker.key=value), as mod_jk
 * writes them, one fact per line.
 */
#include "jk_status_int.h"

static void prop(req *r, const char *worker, const char *key, const char *value)
{
    putf(r, "%s.%s.%s=%s\n", r->sw->cfg->prefix ? r->sw->cfg->prefix : "worker", worker, key,
         status_prop_value(r->pool, value));
}

static void propn(req *r, const char *worker, const char *key, apr_int64_t value)
{
    prop(r, worker, key, apr_psprintf(r->pool, I64, value));
}

static void propu(req *r, const char *worker, const char *key, uint64_t value)
{
    prop(r, worker, key, apr_psprintf(r->pool, U64, (apr_uint64_t)value));
}

static const char *member_names(apr_pool_t *pool, const lb_view *lb)
{
    const char *out = "";
    for (int i = 0; i < lb->n; i++)
        out = apr_pstrcat(pool, out, i ? "," : "", lb->members[i].worker->name, NULL);
    return out;
}

static void prop_lb(req *r, const lb_view *lb)
{
    const char *n = lb->worker->name;
    prop(r, n, "type", "lb");
    prop(r, n, "balance_workers", member_names(r->pool, lb));
    prop(r, n, "method", jk_config_method_name(lb->cfg->method));
    prop(r, n, "sticky_session", status_bool_text(lb->cfg->sticky_session));
    prop(r, n, "sticky_session_force", status_bool_text(lb->cfg->sticky_session_force));
    propn(r, n, "recover_time", lb->cfg->recover_time);
    propn(r, n, "retries", lb->cfg->retries);
    propn(r, n, "good", lb->count[RATING_GOOD]);
    propn(r, n, "degraded", lb->count[RATING_DEGRADED]);
    propn(r, n, "bad", lb->count[RATING_BAD]);
}

static void prop_member_state(req *r, const member_view *m)
{
    const char *n = m->worker->name;
    prop(r, n, "activation", jk_config_activation_name(m->activation));
    propn(r, n, "lbfactor", m->lbfactor);
    prop(r, n, "route", m->cfg->route);
    prop(r, n, "domain", m->cfg->domain);
    prop(r, n, "redirect", m->cfg->redirect);
    propn(r, n, "distance", m->cfg->distance);
    prop(r, n, "state", status_state_names[m->state]);
    prop(r, n, "rating", status_rating_names[m->rating]);
    propn(r, n, "error_time", m->error_time ? (apr_int64_t)apr_time_sec(m->error_time) : 0);
}

static void prop_ajp(req *r, const member_view *m)
{
    const char *n = m->worker->name;
    const jk_worker_config *c = m->cfg;
    prop(r, n, "type", "ajp13");
    prop(r, n, "host", c->host);
    propn(r, n, "port", c->port);
    propn(r, n, "connection_pool_size", status_pool_size(r->sw, c));
    propn(r, n, "connection_pool_minsize", status_pool_minsize(r->sw, c));
    propn(r, n, "connection_pool_timeout", c->connection_pool_timeout);
    propn(r, n, "socket_connect_timeout", c->socket_connect_timeout);
    propn(r, n, "socket_timeout", c->socket_timeout);
    propn(r, n, "reply_timeout", c->reply_timeout);
    propu(r, n, "requests", m->requests);
    propu(r, n, "errors", m->errors);
    propu(r, n, "client_errors", m->client_errors);
    propu(r, n, "reply_timeouts", m->reply_timeouts);
    propn(r, n, "busy", m->busy);
    propn(r, n, "max_busy", m->max_busy);
    propu(r, n, "bytes_read", m->bytes_read);
    propu(r, n, "bytes_written", m->bytes_written);
}

static const char *top_level_names(req *r, const view *v)
{
    apr_array_header_t *names = apr_array_make(r->pool, 4, sizeof(const char *));
    for (int i = 0; i < v->lbs->nelts; i++)
        APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(v->lbs, i, lb_view).worker->name;
    for (int i = 0; i < v->ajps->nelts; i++) {
        const member_view *m = &APR_ARRAY_IDX(v->ajps, i, member_view);
        if (m->lbs->nelts == 0)
            APR_ARRAY_PUSH(names, const char *) = m->worker->name;
    }
    return status_join_names(r->pool, names);
}

void status_render_prop(req *r, const view *v)
{
    putf(r, "%s.list=%s\n", r->sw->cfg->prefix ? r->sw->cfg->prefix : "worker",
         status_prop_value(r->pool, top_level_names(r, v)));
    for (int i = 0; i < v->lbs->nelts; i++)
        prop_lb(r, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    for (int i = 0; i < v->ajps->nelts; i++) {
        const member_view *m = &APR_ARRAY_IDX(v->ajps, i, member_view);
        const member_view *lm = status_in_some_lb(v, m->worker->name);
        prop_ajp(r, m);
        if (lm)
            prop_member_state(r, lm);
    }
}

/* ------------------------------------------------------------------ */
/* The small answers                                                    */

/* `prefix.key=value`: mod_jk's properties lines that belong to no worker. */
static void prop_top(req *r, const char *key, const char *value)
{
    putf(r, "%s.%s=%s\n", r->sw->cfg->prefix ? r->sw->cfg->prefix : "worker", key,
         status_prop_value(r->pool, value));
}

void status_prop_result(req *r, const char *type, const char *message)
{
    prop(r, "result", "type", type);
    prop(r, "result", "message", message);
}

void status_prop_version(req *r, const char *software)
{
    prop_top(r, "server_name", status_server_name(r));
    prop_top(r, "server_port", apr_itoa(r->pool, r->s->server_port));
    prop_top(r, "jk_version", software);
}

/* The configuration as it was read: key=value, with the values escaped. */
void status_prop_dump(req *r, const apr_array_header_t *items)
{
    for (int i = 0; i < items->nelts; i++) {
        const jk_prop *p = APR_ARRAY_IDX(items, i, const jk_prop *);
        putf(r, "%s=%s\n", p->key, status_prop_value(r->pool, p->value));
    }
}
