/*
 * mime=json: one object with the lbs and their members, and the ajp13
 * workers; times as epoch seconds, null where there is none.
 */
#include "jk_status_int.h"

static const char *json_time(req *r, apr_time_t t)
{
    return t ? apr_psprintf(r->pool, I64, (apr_int64_t)apr_time_sec(t)) : "null";
}

static void json_counters(req *r, const member_view *m)
{
    putf(r, "\"requests\":" U64 ",\"errors\":" U64 ",\"client_errors\":" U64 ","
         "\"reply_timeouts\":" U64 ",\"busy\":%d,\"max_busy\":%d,\"bytes_read\":" U64 ","
         "\"bytes_written\":" U64,
         (apr_uint64_t)m->requests, (apr_uint64_t)m->errors,
         (apr_uint64_t)m->client_errors, (apr_uint64_t)m->reply_timeouts, m->busy,
         m->max_busy, (apr_uint64_t)m->bytes_read, (apr_uint64_t)m->bytes_written);
}

static void json_member(req *r, const view *v, const member_view *m)
{
    const jk_worker_config *c = m->cfg;
    putf(r, "{\"name\":%s,\"endpoint\":%s,\"route\":%s,\"domain\":%s,\"redirect\":%s,"
         "\"distance\":%d,", js(r, m->worker->name), js(r, m->worker->endpoint), js(r, c->route),
         js(r, c->domain), js(r, c->redirect), c->distance);
    putf(r, "\"activation\":%s,\"state\":%s,\"rating\":%s,\"lbfactor\":%d,\"lb_value\":" U64 ",",
         js(r, jk_config_activation_name(m->activation)), js(r, status_state_names[m->state]),
         js(r, status_rating_names[m->rating]), m->lbfactor, (apr_uint64_t)m->lb_value);
    json_counters(r, m);
    putf(r, ",\"last_check\":%s,\"last_check_ok\":%s", json_time(r, m->last_check),
         m->last_check ? (m->last_check_ok ? "true" : "false") : "null");
    putf(r, ",\"error_time\":%s,\"seconds_since_error\":%s,\"seconds_to_probe\":%s}",
         json_time(r, m->error_time),
         m->error_time ? apr_psprintf(r->pool, I64, status_seconds_since(v->now, m->error_time))
                       : "null",
         m->state == VS_ERROR
             ? apr_psprintf(r->pool, I64, status_seconds_until(v->now, m->probe_due))
             : "null");
}

static void json_lb(req *r, const view *v, const lb_view *lb)
{
    const jk_worker_config *c = lb->cfg;
    putf(r, "{\"name\":%s,\"method\":%s,\"sticky_session\":%s,\"sticky_session_force\":%s,"
         "\"recover_time\":%d,\"retries\":%d,\"good\":%d,\"degraded\":%d,\"bad\":%d,"
         "\"members\":[", js(r, lb->worker->name), js(r, jk_config_method_name(c->method)),
         status_bool_text(c->sticky_session), status_bool_text(c->sticky_session_force),
         c->recover_time, c->retries, lb->count[RATING_GOOD], lb->count[RATING_DEGRADED],
         lb->count[RATING_BAD]);
    for (int i = 0; i < lb->n; i++) {
        put(r, i ? ",\n    " : "\n    ");
        json_member(r, v, &lb->members[i]);
    }
    put(r, "]}");
}

static void json_names(req *r, const apr_array_header_t *names)
{
    put(r, "[");
    for (int i = 0; i < names->nelts; i++)
        putf(r, "%s%s", i ? "," : "", js(r, APR_ARRAY_IDX(names, i, const char *)));
    put(r, "]");
}

static void json_ajp(req *r, const member_view *m)
{
    const jk_worker_config *c = m->cfg;
    putf(r, "{\"name\":%s,\"endpoint\":%s,\"host\":%s,\"port\":%d,\"lbs\":",
         js(r, m->worker->name), js(r, m->worker->endpoint), js(r, c->host), c->port);
    json_names(r, m->lbs);
    putf(r, ",\"connection_pool_size\":%d,\"connection_pool_minsize\":%d,"
         "\"connection_pool_timeout\":%d,\"socket_connect_timeout\":%d,\"socket_timeout\":%d,"
         "\"reply_timeout\":%d,\"ping_mode\":%s,\"ping_timeout\":%d,\"max_packet_size\":%d,",
         status_pool_size(r->sw, c), status_pool_minsize(r->sw, c), c->connection_pool_timeout,
         c->socket_connect_timeout, c->socket_timeout, c->reply_timeout,
         js(r, status_ping_mode_text(r->pool, c->ping_mode)), c->ping_timeout, c->max_packet_size);
    json_counters(r, m);
    put(r, "}");
}

void status_render_json(req *r, const view *v)
{
    putf(r, "{\"status_worker\":%s,\"time\":" I64 ",\"read_only\":%s,\"token\":%s,"
         "\"action_url\":%s,\n\"lbs\":[", js(r, r->sw->base.name),
         (apr_int64_t)apr_time_sec(v->now), status_bool_text(r->sw->cfg->read_only),
         status_can_act(r) ? js(r, r->sw->token) : "null", js(r, r->s->uri ? r->s->uri : ""));
    for (int i = 0; i < v->lbs->nelts; i++) {
        put(r, i ? ",\n  " : "\n  ");
        json_lb(r, v, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    }
    put(r, "],\n\"workers\":[");
    for (int i = 0; i < v->ajps->nelts; i++) {
        put(r, i ? ",\n  " : "\n  ");
        json_ajp(r, &APR_ARRAY_IDX(v->ajps, i, member_view));
    }
    put(r, "]}\n");
}

/* ------------------------------------------------------------------ */
/* The small answers                                                    */

void status_json_error(req *r, int status, const char *message)
{
    putf(r, "{\"ok\":false,\"status\":%d,\"error\":%s}\n", status, js(r, message));
}

void status_json_done(req *r, const char *message)
{
    putf(r, "{\"ok\":true,\"message\":%s}\n", js(r, message));
}

void status_json_version(req *r, const char *software)
{
    putf(r, "{\"server_name\":%s,\"server_port\":%d,\"jk_version\":%s}\n",
         js(r, status_server_name(r)), r->s->server_port, js(r, software));
}

void status_json_dump(req *r, const apr_array_header_t *items)
{
    put(r, "{\"configuration\":[");
    for (int i = 0; i < items->nelts; i++) {
        const jk_prop *p = APR_ARRAY_IDX(items, i, const jk_prop *);
        putf(r, "%s{\"key\":%s,\"value\":%s,\"file\":%s,\"line\":%d}", i ? "," : "",
             js(r, p->key), js(r, p->value), js(r, p->file ? p->file : ""), p->line);
    }
    put(r, "]}\n");
}

/* ok, and the members that are not good. */
void status_json_check(req *r, const view *v)
{
    int first = 1;
    putf(r, "{\"ok\":%s,\"not_good\":[", status_bool_text(status_all_good(v)));
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++) {
            const member_view *m = &lb->members[k];
            if (m->rating == RATING_GOOD)
                continue;
            putf(r, "%s{\"lb\":%s,\"member\":%s,\"activation\":%s,\"state\":%s,\"rating\":%s}",
                 first ? "" : ",", js(r, lb->worker->name), js(r, m->worker->name),
                 js(r, jk_config_activation_name(m->activation)),
                 js(r, status_state_names[m->state]), js(r, status_rating_names[m->rating]));
            first = 0;
        }
    }
    put(r, "]}\n");
}
