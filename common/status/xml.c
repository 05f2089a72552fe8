/*
 * mime=xml: mod_jk's element and attribute names (balancer, member, elected,
 * readed, transferred), under the configured ns prefix, xmlns and doctype.
 */
#include "jk_status_int.h"

/* The counters, with mod_jk's attribute names (elected, readed, transferred). */
static void xml_counters(req *r, const member_view *m)
{
    putf(r, "elected=\"" U64 "\" errors=\"" U64 "\" client_errors=\"" U64 "\" ",
         (apr_uint64_t)m->requests, (apr_uint64_t)m->errors, (apr_uint64_t)m->client_errors);
    putf(r, "reply_timeouts=\"" U64 "\" readed=\"" U64 "\" transferred=\"" U64 "\" ",
         (apr_uint64_t)m->reply_timeouts, (apr_uint64_t)m->bytes_read,
         (apr_uint64_t)m->bytes_written);
    putf(r, "busy=\"%d\" max_busy=\"%d\"", m->busy, m->max_busy);
}

static void xml_member(req *r, const view *v, const member_view *m)
{
    const jk_worker_config *c = m->cfg;
    const char *ns = r->sw->ns;
    putf(r, "      <%smember name=\"%s\" type=\"ajp13\" host=\"%s\" port=\"%d\" address=\"%s\" "
         "activation=\"%s\" state=\"%s\" rating=\"%s\" lbfactor=\"%d\" lbvalue=\"" U64 "\" "
         "route=\"%s\" redirect=\"%s\" domain=\"%s\" distance=\"%d\" ", ns,
         xa(r, m->worker->name), xa(r, c->host), c->port, xa(r, m->worker->endpoint),
         jk_config_activation_name(m->activation), status_state_names[m->state],
         status_rating_names[m->rating], m->lbfactor, (apr_uint64_t)m->lb_value, xa(r, c->route),
         xa(r, c->redirect), xa(r, c->domain), c->distance);
    xml_counters(r, m);
    putf(r, " error_time=\"" I64 "\" seconds_since_error=\"" I64 "\"/>\n",
         m->error_time ? (apr_int64_t)apr_time_sec(m->error_time) : (apr_int64_t)0,
         m->error_time ? status_seconds_since(v->now, m->error_time) : (apr_int64_t)-1);
}

static void xml_lb(req *r, const view *v, const lb_view *lb)
{
    const jk_worker_config *c = lb->cfg;
    const char *ns = r->sw->ns;
    putf(r, "    <%sbalancer name=\"%s\" type=\"lb\" method=\"%s\" sticky_session=\"%s\" "
         "sticky_session_force=\"%s\" recover_time=\"%d\" retries=\"%d\" member_count=\"%d\" "
         "good=\"%d\" degraded=\"%d\" bad=\"%d\">\n", ns, xa(r, lb->worker->name),
         jk_config_method_name(c->method), status_bool_text(c->sticky_session),
         status_bool_text(c->sticky_session_force), c->recover_time, c->retries, lb->n,
         lb->count[RATING_GOOD], lb->count[RATING_DEGRADED], lb->count[RATING_BAD]);
    for (int i = 0; i < lb->n; i++)
        xml_member(r, v, &lb->members[i]);
    putf(r, "    </%sbalancer>\n", ns);
}

static void xml_ajp(req *r, const member_view *m)
{
    const jk_worker_config *c = m->cfg;
    putf(r, "    <%sajp name=\"%s\" type=\"ajp13\" host=\"%s\" port=\"%d\" address=\"%s\" "
         "lbs=\"%s\" connection_pool_size=\"%d\" connection_pool_minsize=\"%d\" "
         "connection_pool_timeout=\"%d\" socket_connect_timeout=\"%d\" socket_timeout=\"%d\" "
         "reply_timeout=\"%d\" ping_mode=\"%s\" ping_timeout=\"%d\" max_packet_size=\"%d\" ",
         r->sw->ns, xa(r, m->worker->name), xa(r, c->host), c->port, xa(r, m->worker->endpoint),
         xa(r, status_join_names(r->pool, m->lbs)), status_pool_size(r->sw, c),
         status_pool_minsize(r->sw, c), c->connection_pool_timeout, c->socket_connect_timeout,
         c->socket_timeout, c->reply_timeout, status_ping_mode_text(r->pool, c->ping_mode),
         c->ping_timeout, c->max_packet_size);
    xml_counters(r, m);
    put(r, "/>\n");
}

/* The declaration, the DOCTYPE and the root element up to its own attributes. */
static void xml_prolog(req *r)
{
    const status_worker *sw = r->sw;
    put(r, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (sw->doctype)
        putf(r, "%s\n", sw->doctype);
    putf(r, "<%sstatus", sw->ns);
    if (sw->xmlns_name)
        putf(r, " %s=\"%s\"", sw->xmlns_name, xa(r, sw->xmlns_value));
    putf(r, " worker=\"%s\"", xa(r, sw->base.name));
}

static void xml_root_open(req *r, const view *v)
{
    xml_prolog(r);
    putf(r, " time=\"" I64 "\" read_only=\"%s\">\n", (apr_int64_t)apr_time_sec(v->now),
         status_bool_text(r->sw->cfg->read_only));
}

void status_render_xml(req *r, const view *v)
{
    const char *ns = r->sw->ns;
    xml_root_open(r, v);
    putf(r, "  <%sbalancers count=\"%d\">\n", ns, v->lbs->nelts);
    for (int i = 0; i < v->lbs->nelts; i++)
        xml_lb(r, v, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    putf(r, "  </%sbalancers>\n  <%sajp_workers count=\"%d\">\n", ns, ns, v->ajps->nelts);
    for (int i = 0; i < v->ajps->nelts; i++)
        xml_ajp(r, &APR_ARRAY_IDX(v->ajps, i, member_view));
    putf(r, "  </%sajp_workers>\n</%sstatus>\n", ns, ns);
}

/* ------------------------------------------------------------------ */
/* The small answers                                                    */

void status_xml_result(req *r, const char *type, const char *message)
{
    const char *ns = r->sw->ns;
    xml_prolog(r);
    putf(r, ">\n  <%sresult type=\"%s\" message=\"%s\"/>\n</%sstatus>\n", ns, type,
         xa(r, message), ns);
}

void status_xml_version(req *r, const char *software)
{
    const char *ns = r->sw->ns;
    xml_prolog(r);
    putf(r, ">\n  <%sserver name=\"%s\" port=\"%d\"/>\n  <%ssoftware jk_version=\"%s\"/>\n"
         "</%sstatus>\n", ns, xa(r, status_server_name(r)), r->s->server_port, ns, software, ns);
}

void status_xml_dump(req *r, const apr_array_header_t *items)
{
    const char *ns = r->sw->ns;
    xml_prolog(r);
    putf(r, ">\n  <%sconfiguration>\n", ns);
    for (int i = 0; i < items->nelts; i++) {
        const jk_prop *p = APR_ARRAY_IDX(items, i, const jk_prop *);
        putf(r, "    <%sproperty name=\"%s\" value=\"%s\"/>\n", ns, xa(r, p->key),
             xa(r, p->value));
    }
    putf(r, "  </%sconfiguration>\n</%sstatus>\n", ns, ns);
}
