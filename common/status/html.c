/*
 * The HTML page, for people: a table per lb with its members, one for the
 * ajp13 workers, and (unless read only) a POST form per action carrying the
 * page's token.
 */
#include "jk_status_int.h"

#include <apr_lib.h>

static const char page_css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.2em 1.5em;"
    "color:#1f2328;background:#fff}"
    "h1{font-size:1.45em;margin:0 0 .2em}"
    "h2{font-size:1.15em;margin:1.6em 0 .3em}"
    "p.meta{color:#57606a;margin:.2em 0}"
    "p.meta a{margin-right:.6em}"
    "div.scroll{overflow-x:auto}"
    "table{border-collapse:collapse;margin:.5em 0 1em;font-size:12.5px}"
    "th,td{border:1px solid #d0d7de;padding:.25em .4em;text-align:left;white-space:nowrap;"
    "vertical-align:middle}"
    "thead th{background:#f3f5f8;font-weight:600;text-align:center}"
    "tbody tr:nth-child(even){background:#fafbfc}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".s-OK,.s-idle{color:#1a7f37;font-weight:600}"
    ".s-busy,.s-recovering,.s-probing{color:#9a6700;font-weight:600}"
    ".s-error{color:#cf222e;font-weight:600}"
    ".a-Disabled{color:#9a6700}.a-Stopped{color:#cf222e}"
    ".good{color:#1a7f37}.degraded{color:#9a6700}.bad{color:#cf222e}"
    "form{display:inline;margin:0}"
    "input[type=number]{width:3.6em}"
    "select,input,button{font:inherit}"
    "button{margin:0 .1em;padding:0 .4em;cursor:pointer}"
    "p.note{color:#57606a;font-size:.9em;margin-top:2em}";

/* A link to this page in another format or with another parameter. */
static const char *self_link(req *r, const char *query)
{
    const char *uri = r->s->uri ? r->s->uri : "";
    if (r->only)
        query = apr_pstrcat(r->pool, query, "&w=", status_query_value(r->pool, r->only), NULL);
    return status_markup(r->pool, apr_pstrcat(r->pool, uri, "?", query, NULL));
}

static const char *human_bytes(apr_pool_t *pool, uint64_t n)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)n / 1024;
    int u = 0;
    if (n < 1024)
        return apr_psprintf(pool, U64 " B", (apr_uint64_t)n);
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    return apr_psprintf(pool, "%.1f %s", v, units[u]);
}

static const char *human_age(apr_pool_t *pool, apr_time_t now, apr_time_t then)
{
    apr_int64_t s;
    if (then == 0)
        return "never";
    s = status_seconds_since(now, then);
    if (s < 120)
        return apr_psprintf(pool, I64 " s ago", s);
    if (s < 7200)
        return apr_psprintf(pool, I64 " min ago", s / 60);
    if (s < 172800)
        return apr_psprintf(pool, I64 " h ago", s / 3600);
    return apr_psprintf(pool, I64 " days ago", s / 86400);
}

static void html_head(req *r)
{
    const jk_worker_config *c = r->sw->cfg;
    put(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    putf(r, "<title>JK status: %s</title>\n", status_markup(r->pool, r->sw->base.name));
    put(r, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    if (r->refresh > 0)
        putf(r, "<meta http-equiv=\"refresh\" content=\"%d\">\n", r->refresh);
    if (c->css && *c->css)
        putf(r, "<link rel=\"stylesheet\" href=\"%s\">\n", status_markup(r->pool, c->css));
    else
        putf(r, "<style>%s</style>\n", page_css);
    put(r, "</head>\n<body>\n");
}

static void html_refresh_links(req *r)
{
    static const int choices[] = { 0, 10, 30, 60 };
    put(r, "<p class=\"meta\">Refresh:");
    for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
        const char *label = choices[i] ? apr_psprintf(r->pool, "%d s", choices[i]) : "off";
        if (choices[i] == r->refresh)
            putf(r, " <b>%s</b>", label);
        else
            putf(r, " <a href=\"%s\">%s</a>", self_link(r, apr_psprintf(r->pool, "refresh=%d",
                                                                         choices[i])), label);
    }
    put(r, "</p>\n");
}

static void html_intro(req *r, const view *v)
{
    char *date = apr_palloc(r->pool, APR_RFC822_DATE_LEN);
    apr_rfc822_date(date, v->now);
    put(r, "<h1>JK status</h1>\n<p class=\"meta\">");
    putf(r, "Status worker <b>%s</b> &middot; %s", status_markup(r->pool, r->sw->base.name), date);
    if (r->s->remote_user)
        putf(r, " &middot; signed in as <b>%s</b>", status_markup(r->pool, r->s->remote_user));
    if (r->sw->cfg->read_only)
        put(r, " &middot; <b>read only</b>");
    put(r, "</p>\n<p class=\"meta\">Also as: ");
    putf(r, "<a href=\"%s\">JSON</a>", self_link(r, "mime=json"));
    putf(r, "<a href=\"%s\">Prometheus</a>", self_link(r, "mime=prometheus"));
    putf(r, "<a href=\"%s\">XML</a>", self_link(r, "mime=xml"));
    putf(r, "<a href=\"%s\">properties</a>", self_link(r, "mime=prop"));
    putf(r, "<a href=\"%s\">text</a>", self_link(r, "mime=txt"));
    putf(r, "<a href=\"%s\">health check</a>", self_link(r, "cmd=check"));
    if (r->only)
        putf(r, "&middot; <a href=\"%s\">all workers</a>",
             status_markup(r->pool, r->s->uri ? r->s->uri : ""));
    put(r, "</p>\n");
    html_refresh_links(r);
}

/* The hidden fields every action form carries. */
static void html_hidden(req *r, const char *cmd, const char *w, const char *sub)
{
    putf(r, "<input type=\"hidden\" name=\"cmd\" value=\"%s\">", cmd);
    putf(r, "<input type=\"hidden\" name=\"w\" value=\"%s\">", status_markup(r->pool, w));
    if (sub)
        putf(r, "<input type=\"hidden\" name=\"sw\" value=\"%s\">", status_markup(r->pool, sub));
    if (r->refresh > 0)
        putf(r, "<input type=\"hidden\" name=\"refresh\" value=\"%d\">", r->refresh);
    putf(r, "<input type=\"hidden\" name=\"token\" value=\"%s\">",
         status_markup(r->pool, r->sw->token));
}

static void html_form(req *r, const char *id, const char *cmd, const char *w, const char *sub,
                      const char *button, const char *title)
{
    put(r, "<form method=\"post\" action=\"");
    put(r, status_markup(r->pool, r->s->uri ? r->s->uri : ""));
    put(r, "\"");
    if (id)
        putf(r, " id=\"%s\"", status_markup(r->pool, id));
    put(r, ">");
    html_hidden(r, cmd, w, sub);
    putf(r, "<button type=\"submit\" title=\"%s\">%s</button></form>",
         status_markup(r->pool, title), button);
}

static const char *update_form_id(req *r, const char *lb, const char *member)
{
    return apr_pstrcat(r->pool, "u.", lb, ".", member, NULL);
}

static void html_num(req *r, const char *key, uint64_t value, const char *text)
{
    putf(r, "<td class=\"n\" data-key=\"%s\" data-value=\"" U64 "\">%s</td>", key,
         (apr_uint64_t)value,
         text ? text : apr_psprintf(r->pool, U64, (apr_uint64_t)value));
}

static void html_activation_cell(req *r, const char *form, const member_view *m)
{
    const char *name = jk_config_activation_name(m->activation);
    putf(r, "<td class=\"a-%s\" data-key=\"activation\" data-value=\"%s\">", name, name);
    if (!status_can_act(r)) {
        putf(r, "%s</td>", name);
        return;
    }
    putf(r, "<select name=\"vwa\" form=\"%s\" aria-label=\"activation of %s\">",
         status_markup(r->pool, form), status_markup(r->pool, m->worker->name));
    for (int a = 0; a < 3; a++)
        putf(r, "<option value=\"%c\"%s>%s</option>", apr_toupper(status_activation_letters[a]),
             a == (int)m->activation ? " selected" : "",
             jk_config_activation_name((jk_activation)a));
    put(r, "</select></td>");
}

static void html_factor_cell(req *r, const char *form, const member_view *m)
{
    putf(r, "<td class=\"n\" data-key=\"lbfactor\" data-value=\"%d\">", m->lbfactor);
    if (status_can_act(r))
        putf(r, "<input type=\"number\" name=\"vwf\" min=\"1\" max=\"%d\" value=\"%d\" "
             "form=\"%s\" aria-label=\"lbfactor of %s\">", MAX_LBFACTOR, m->lbfactor,
             status_markup(r->pool, form), status_markup(r->pool, m->worker->name));
    else
        putf(r, "%d", m->lbfactor);
    put(r, "</td>");
}

static void html_state_cell(req *r, const view *v, const member_view *m)
{
    const char *name = status_state_names[m->state];
    putf(r, "<td class=\"s-%s\" data-key=\"state\" data-value=\"%s\"", name, name);
    putf(r, " title=\"%s", status_rating_names[m->rating]);
    if (m->state == VS_ERROR)
        putf(r, "; probed again in " I64 " s", status_seconds_until(v->now, m->probe_due));
    putf(r, "\">%s</td>", name);
}

static void html_member_actions(req *r, const lb_view *lb, const member_view *m)
{
    const char *lbn = lb->worker->name, *mn = m->worker->name;
    put(r, "<td>");
    html_form(r, update_form_id(r, lbn, mn), "update", lbn, mn, "Apply",
              "apply activation and lbfactor");
    html_form(r, NULL, "reset", lbn, mn, "Reset", "reset the counters of this member");
    if (m->state == VS_ERROR || m->state == VS_RECOVERING || m->state == VS_PROBING)
        html_form(r, NULL, "recover", lbn, mn, "Recover",
                  "probe this member with the next request");
    put(r, "</td>");
}

static void html_member_row(req *r, const view *v, const lb_view *lb, const member_view *m)
{
    const jk_worker_config *c = m->cfg;
    const char *form = update_form_id(r, lb->worker->name, m->worker->name);
    putf(r, "<tr id=\"m.%s.%s\">", status_markup(r->pool, lb->worker->name),
         status_markup(r->pool, m->worker->name));
    putf(r, "<th scope=\"row\" data-key=\"name\" title=\"%s\">%s</th>",
         status_markup(r->pool, m->worker->endpoint), status_markup(r->pool, m->worker->name));
    putf(r, "<td data-key=\"route\">%s</td>", status_markup(r->pool, c->route));
    putf(r, "<td data-key=\"domain\">%s</td>", status_markup(r->pool, c->domain));
    putf(r, "<td data-key=\"redirect\">%s</td>", status_markup(r->pool, c->redirect));
    html_num(r, "distance", (uint64_t)c->distance, NULL);
    html_activation_cell(r, form, m);
    html_state_cell(r, v, m);
    html_factor_cell(r, form, m);
    html_num(r, "requests", m->requests, NULL);
    html_num(r, "errors", m->errors, NULL);
    html_num(r, "client_errors", m->client_errors, NULL);
    html_num(r, "reply_timeouts", m->reply_timeouts, NULL);
    html_num(r, "busy", (uint64_t)m->busy, NULL);
    html_num(r, "max_busy", (uint64_t)m->max_busy, NULL);
    html_num(r, "bytes_read", m->bytes_read, human_bytes(r->pool, m->bytes_read));
    html_num(r, "bytes_written", m->bytes_written, human_bytes(r->pool, m->bytes_written));
    putf(r, "<td data-key=\"last_error\">%s", human_age(r->pool, v->now, m->error_time));
    if (m->last_check)
        putf(r, "<br><small data-key=\"last_check\">health check %s: %s</small>",
             human_age(r->pool, v->now, m->last_check), m->last_check_ok ? "passed" : "failed");
    put(r, "</td>");
    if (status_can_act(r))
        html_member_actions(r, lb, m);
    put(r, "</tr>\n");
}

static void html_lb_header(req *r, const lb_view *lb)
{
    const jk_worker_config *c = lb->cfg;
    putf(r, "<section id=\"lb.%s\">\n<h2>Load balancer %s</h2>\n",
         status_markup(r->pool, lb->worker->name), status_markup(r->pool, lb->worker->name));
    putf(r, "<p class=\"meta\">method %s &middot; sticky_session %s%s &middot; recover_time %d s "
         "&middot; retries %d &middot; members: <span class=\"good\">%d good</span>, "
         "<span class=\"degraded\">%d degraded</span>, <span class=\"bad\">%d bad</span>",
         jk_config_method_name(c->method), c->sticky_session ? "on" : "off",
         c->sticky_session_force ? " (forced)" : "", c->recover_time, c->retries,
         lb->count[RATING_GOOD], lb->count[RATING_DEGRADED], lb->count[RATING_BAD]);
    if (status_can_act(r)) {
        put(r, " ");
        html_form(r, NULL, "reset", lb->worker->name, NULL, "Reset all counters",
                  "reset the counters of every member");
    }
    put(r, "</p>\n");
}

static void html_lb(req *r, const view *v, const lb_view *lb)
{
    html_lb_header(r, lb);
    put(r, "<div class=\"scroll\"><table>\n<thead><tr><th rowspan=\"2\">Member</th>"
        "<th rowspan=\"2\">Route</th><th rowspan=\"2\">Domain</th><th rowspan=\"2\">Redirect</th>"
        "<th rowspan=\"2\" title=\"distance\">Dist.</th><th rowspan=\"2\">Activation</th>"
        "<th rowspan=\"2\">State</th><th rowspan=\"2\" title=\"lbfactor\">Factor</th>"
        "<th rowspan=\"2\">Requests</th><th colspan=\"3\">Errors</th><th colspan=\"2\">Busy</th>"
        "<th colspan=\"2\">Bytes</th><th rowspan=\"2\">Last error</th>");
    if (status_can_act(r))
        put(r, "<th rowspan=\"2\">Actions</th>");
    put(r, "</tr>\n<tr><th title=\"backend failures\">Backend</th>"
        "<th title=\"client errors\">Client</th><th title=\"reply timeouts\">Timeout</th>"
        "<th>Now</th><th>Max</th><th title=\"request body bytes to the backend\">In</th>"
        "<th title=\"response body bytes to clients\">Out</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < lb->n; i++)
        html_member_row(r, v, lb, &lb->members[i]);
    put(r, "</tbody>\n</table></div>\n</section>\n");
}

static const char *ms_text(apr_pool_t *pool, int ms)
{
    return ms > 0 ? apr_psprintf(pool, "%d ms", ms) : "none";
}

static const char *s_text(apr_pool_t *pool, int s)
{
    return s > 0 ? apr_psprintf(pool, "%d s", s) : "none";
}

/* Plain ajp13 workers can be reset here; lb members are reset in their lb's table. */
static int ajp_actions(const req *r, const view *v)
{
    for (int i = 0; status_can_act(r) && i < v->ajps->nelts; i++)
        if (APR_ARRAY_IDX(v->ajps, i, member_view).lbs->nelts == 0)
            return 1;
    return 0;
}

static void html_ajp_row(req *r, const member_view *m, int actions)
{
    const jk_worker_config *c = m->cfg;
    putf(r, "<tr id=\"w.%s\">", status_markup(r->pool, m->worker->name));
    putf(r, "<th scope=\"row\" data-key=\"name\">%s</th>",
         status_markup(r->pool, m->worker->name));
    putf(r, "<td data-key=\"endpoint\">%s</td>", status_markup(r->pool, m->worker->endpoint));
    putf(r, "<td data-key=\"lbs\">%s</td>",
         m->lbs->nelts ? status_markup(r->pool, status_join_names(r->pool, m->lbs)) : "&ndash;");
    html_num(r, "connection_pool_size", (uint64_t)status_pool_size(r->sw, c), NULL);
    html_num(r, "connection_pool_minsize", (uint64_t)status_pool_minsize(r->sw, c), NULL);
    putf(r, "<td data-key=\"connection_pool_timeout\">%s</td>",
         s_text(r->pool, c->connection_pool_timeout));
    putf(r, "<td data-key=\"socket_connect_timeout\">%s</td>",
         ms_text(r->pool, c->socket_connect_timeout));
    putf(r, "<td data-key=\"socket_timeout\">%s</td>", s_text(r->pool, c->socket_timeout));
    putf(r, "<td data-key=\"reply_timeout\">%s</td>", ms_text(r->pool, c->reply_timeout));
    putf(r, "<td data-key=\"ping\">%s</td>", c->ping_mode
         ? apr_psprintf(r->pool, "%s, %d ms", status_ping_mode_text(r->pool, c->ping_mode),
                        c->ping_timeout) : "off");
    html_num(r, "max_packet_size", (uint64_t)c->max_packet_size, NULL);
    html_num(r, "requests", m->requests, NULL);
    html_num(r, "errors", m->errors, NULL);
    html_num(r, "busy", (uint64_t)m->busy, NULL);
    if (actions) {
        put(r, "<td>");
        if (m->lbs->nelts == 0)
            html_form(r, NULL, "reset", m->worker->name, NULL, "Reset", "reset the counters");
        put(r, "</td>");
    }
    put(r, "</tr>\n");
}

static void html_ajps(req *r, const view *v)
{
    int actions = ajp_actions(r, v);
    if (v->ajps->nelts == 0)
        return;
    put(r, "<section id=\"ajp13\">\n<h2>AJP13 workers</h2>\n<div class=\"scroll\"><table>\n"
        "<thead><tr><th rowspan=\"2\">Worker</th><th rowspan=\"2\">Backend</th>"
        "<th rowspan=\"2\">In lb</th><th colspan=\"3\">Connection pool</th>"
        "<th colspan=\"3\">Timeouts</th><th rowspan=\"2\">CPing</th>"
        "<th rowspan=\"2\" title=\"max_packet_size\">Packet</th><th rowspan=\"2\">Requests</th>"
        "<th rowspan=\"2\">Errors</th><th rowspan=\"2\">Busy</th>");
    if (actions)
        put(r, "<th rowspan=\"2\">Actions</th>");
    put(r, "</tr>\n<tr><th title=\"connection_pool_size\">Size</th>"
        "<th title=\"connection_pool_minsize\">Min</th>"
        "<th title=\"connection_pool_timeout\">Idle close</th>"
        "<th title=\"socket_connect_timeout\">Connect</th><th title=\"socket_timeout\">Socket</th>"
        "<th title=\"reply_timeout\">Reply</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < v->ajps->nelts; i++)
        html_ajp_row(r, &APR_ARRAY_IDX(v->ajps, i, member_view), actions);
    put(r, "</tbody>\n</table></div>\n</section>\n");
}

static void html_foot(req *r)
{
    put(r, "<p class=\"note\">States: OK; idle (no request since start or the last reset); "
        "busy (busy_limit reached); error (skipped until recover_time passes); recovering "
        "(the next request probes it); probing (a request is finding out). ");
    if (status_can_act(r))
        put(r, "Changes apply to every httpd child at once and survive graceful restarts "
            "(not a full stop); workers.properties is not changed.");
    put(r, "</p>\n</body>\n</html>\n");
}

void status_render_html(req *r, const view *v)
{
    html_head(r);
    html_intro(r, v);
    for (int i = 0; i < v->lbs->nelts; i++)
        html_lb(r, v, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    html_ajps(r, v);
    html_foot(r);
}

/* cmd=dump: the configuration as it was read, in a <pre>. */
void status_html_dump(req *r, const apr_array_header_t *items)
{
    html_head(r);
    put(r, "<h1>JK status: configuration</h1>\n<p class=\"meta\">As read at start; "
           "changes made here since are not included.</p>\n<pre>");
    for (int i = 0; i < items->nelts; i++) {
        const jk_prop *p = APR_ARRAY_IDX(items, i, const jk_prop *);
        putf(r, "%s=%s\n", status_markup(r->pool, p->key), status_markup(r->pool, p->value));
    }
    put(r, "</pre>\n</body>\n</html>\n");
}
