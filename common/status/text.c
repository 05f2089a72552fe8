/*
 * mime=txt: one line per lb, member and ajp13 worker, of key=value pairs
 * with the values percent-encoded, for grep and awk.
 */
#include "jk_status_int.h"

static void txt_counters(req *r, const member_view *m)
{
    putf(r, "requests=" U64 " errors=" U64 " client_errors=" U64 " reply_timeouts=" U64 " ",
         (apr_uint64_t)m->requests, (apr_uint64_t)m->errors, (apr_uint64_t)m->client_errors,
         (apr_uint64_t)m->reply_timeouts);
    putf(r, "busy=%d max_busy=%d bytes_read=" U64 " bytes_written=" U64, m->busy, m->max_busy,
         (apr_uint64_t)m->bytes_read, (apr_uint64_t)m->bytes_written);
}

static void txt_member(req *r, const view *v, const lb_view *lb, const member_view *m)
{
    putf(r, "member lb=%s name=%s endpoint=%s route=%s domain=%s redirect=%s distance=%d "
         "activation=%s state=%s rating=%s lbfactor=%d lb_value=" U64 " ",
         tv(r, lb->worker->name), tv(r, m->worker->name), tv(r, m->worker->endpoint),
         tv(r, m->cfg->route), tv(r, m->cfg->domain), tv(r, m->cfg->redirect), m->cfg->distance,
         jk_config_activation_name(m->activation), status_state_names[m->state],
         status_rating_names[m->rating], m->lbfactor, (apr_uint64_t)m->lb_value);
    txt_counters(r, m);
    putf(r, " seconds_since_error=%s\n",
         m->error_time ? apr_psprintf(r->pool, I64, status_seconds_since(v->now, m->error_time))
                       : "-");
}

static void txt_lb(req *r, const view *v, const lb_view *lb)
{
    putf(r, "lb name=%s method=%s sticky_session=%s recover_time=%d members=%d good=%d "
         "degraded=%d bad=%d\n", tv(r, lb->worker->name), jk_config_method_name(lb->cfg->method),
         status_bool_text(lb->cfg->sticky_session), lb->cfg->recover_time, lb->n,
         lb->count[RATING_GOOD], lb->count[RATING_DEGRADED], lb->count[RATING_BAD]);
    for (int i = 0; i < lb->n; i++)
        txt_member(r, v, lb, &lb->members[i]);
}

static void txt_ajp(req *r, const member_view *m)
{
    const jk_worker_config *c = m->cfg;
    putf(r, "ajp13 name=%s endpoint=%s lbs=%s connection_pool_size=%d "
         "connection_pool_minsize=%d connection_pool_timeout=%d socket_connect_timeout=%d "
         "socket_timeout=%d reply_timeout=%d ",
         tv(r, m->worker->name), tv(r, m->worker->endpoint),
         tv(r, status_join_names(r->pool, m->lbs)), status_pool_size(r->sw, c),
         status_pool_minsize(r->sw, c), c->connection_pool_timeout,
         c->socket_connect_timeout, c->socket_timeout, c->reply_timeout);
    txt_counters(r, m);
    put(r, "\n");
}

void status_render_txt(req *r, const view *v)
{
    for (int i = 0; i < v->lbs->nelts; i++)
        txt_lb(r, v, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    for (int i = 0; i < v->ajps->nelts; i++)
        txt_ajp(r, &APR_ARRAY_IDX(v->ajps, i, member_view));
}

/* ------------------------------------------------------------------ */
/* The small answers                                                    */

/* mod_jk's line, which scripts written for it look for. */
void status_txt_result(req *r, const char *type, const char *message)
{
    putf(r, "Result: type=%s message=\"%s\"\n", type, message);
}

void status_txt_version(req *r, const char *software)
{
    putf(r, "Server: name=%s port=%d\nSoftware: jk_version=%s\n",
         tv(r, status_server_name(r)), r->s->server_port, software);
}

void status_txt_dump(req *r, const apr_array_header_t *items)
{
    put(r, "Configuration:\n");
    status_prop_dump(r, items);
}

/* OK or NOT OK, then a line for each member that is not good. */
void status_txt_check(req *r, const view *v)
{
    put(r, status_all_good(v) ? "OK\n" : "NOT OK\n");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++) {
            const member_view *m = &lb->members[k];
            if (m->rating != RATING_GOOD)
                putf(r, "member lb=%s name=%s activation=%s state=%s rating=%s\n",
                     tv(r, lb->worker->name), tv(r, m->worker->name),
                     jk_config_activation_name(m->activation), status_state_names[m->state],
                     status_rating_names[m->rating]);
        }
    }
}
