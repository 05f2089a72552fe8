/*
 * The small answers: mod_jk's "Result: type=OK" lines that scripts written
 * for it look for, cmd=version, cmd=dump (workers.properties as read at
 * start, without secrets) and cmd=check (the health check).
 */
#include "jk_status_int.h"

#include <string.h>
#include <strings.h>

/* The module's build passes the version; the unit tests' build has autoconf's. */
#ifndef JK_PACKAGE_VERSION
#ifdef PACKAGE_VERSION
#define JK_PACKAGE_VERSION PACKAGE_VERSION
#else
#define JK_PACKAGE_VERSION "unknown"
#endif
#endif
#define JK_SOFTWARE "jk-connector/" JK_PACKAGE_VERSION

/* `prefix.key=value`: mod_jk's properties lines that belong to no worker. */
static void prop_top(req *r, const char *key, const char *value)
{
    putf(r, "%s.%s=%s\n", r->sw->cfg->prefix ? r->sw->cfg->prefix : "worker", key,
         status_prop_value(r->pool, value));
}

/*
 * mod_jk's "Result: type=OK message=..." in txt, xml or prop, which scripts
 * written for it look for.  0 when `r->mime` is none of those.
 */
int status_put_result(req *r, const char *type, const char *message, const char **ctype)
{
    const char *ns = r->sw->ns;
    *ctype = "text/plain; charset=utf-8";
    if (strcasecmp(r->mime, "txt") == 0) {
        putf(r, "Result: type=%s message=\"%s\"\n", type, message);
    } else if (strcasecmp(r->mime, "prop") == 0) {
        status_prop(r, "result", "type", type);
        status_prop(r, "result", "message", message);
    } else if (strcasecmp(r->mime, "xml") == 0) {
        *ctype = "application/xml";
        status_xml_prolog(r);
        putf(r, ">\n  <%sresult type=\"%s\" message=\"%s\"/>\n</%sstatus>\n", ns, type,
             xa(r, message), ns);
    } else {
        return 0;
    }
    return 1;
}

void status_render_version(req *r, const char **ctype)
{
    const char *ns = r->sw->ns;
    int port = r->s->server_port;
    if (strcasecmp(r->mime, "json") == 0) {
        *ctype = "application/json";
        putf(r, "{\"server_name\":%s,\"server_port\":%d,\"jk_version\":%s}\n",
             js(r, status_server_name(r)), port, js(r, JK_SOFTWARE));
    } else if (strcasecmp(r->mime, "xml") == 0) {
        *ctype = "application/xml";
        status_xml_prolog(r);
        putf(r, ">\n  <%sserver name=\"%s\" port=\"%d\"/>\n  <%ssoftware jk_version=\"%s\"/>\n"
             "</%sstatus>\n", ns, xa(r, status_server_name(r)), port, ns, JK_SOFTWARE, ns);
    } else if (strcasecmp(r->mime, "prop") == 0) {
        *ctype = "text/plain; charset=utf-8";
        prop_top(r, "server_name", status_server_name(r));
        prop_top(r, "server_port", apr_itoa(r->pool, port));
        prop_top(r, "jk_version", JK_SOFTWARE);
    } else {
        *ctype = "text/plain; charset=utf-8";
        putf(r, "Server: name=%s port=%d\nSoftware: jk_version=%s\n",
             tv(r, status_server_name(r)), port, JK_SOFTWARE);
    }
}

/* A secret never leaves httpd, as in mod_jk's dump. */
static int is_secret_key(const char *key)
{
    size_t n = strlen(key);
    return n >= 7 && strcmp(key + n - 7, ".secret") == 0;
}

static void dump_line(req *r, const jk_prop *p, int first, int html)
{
    const char *ns = r->sw->ns;
    if (strcasecmp(r->mime, "json") == 0)
        putf(r, "%s{\"key\":%s,\"value\":%s,\"file\":%s,\"line\":%d}",
             first ? "" : ",", js(r, p->key), js(r, p->value),
             js(r, p->file ? p->file : ""), p->line);
    else if (strcasecmp(r->mime, "xml") == 0)
        putf(r, "    <%sproperty name=\"%s\" value=\"%s\"/>\n", ns, xa(r, p->key),
             xa(r, p->value));
    else if (html)
        putf(r, "%s=%s\n", status_markup(r->pool, p->key), status_markup(r->pool, p->value));
    else
        putf(r, "%s=%s\n", p->key, status_prop_value(r->pool, p->value));
}

/* workers.properties as httpd read it at start, without secrets (cmd=dump). */
void status_render_dump(req *r, const char **ctype)
{
    const jk_props *props = r->sw->props;
    const char *ns = r->sw->ns;
    int json = strcasecmp(r->mime, "json") == 0, xml = strcasecmp(r->mime, "xml") == 0;
    int html = strcasecmp(r->mime, "html") == 0;
    *ctype = json ? "application/json" : xml ? "application/xml"
                                             : html ? "text/html; charset=utf-8"
                                                    : "text/plain; charset=utf-8";
    if (json) {
        put(r, "{\"configuration\":[");
    } else if (xml) {
        status_xml_prolog(r);
        putf(r, ">\n  <%sconfiguration>\n", ns);
    } else if (html) {
        status_html_head(r);
        put(r, "<h1>JK status: configuration</h1>\n<p class=\"meta\">As read at start; "
               "changes made here since are not included.</p>\n<pre>");
    } else if (strcasecmp(r->mime, "txt") == 0) {
        put(r, "Configuration:\n");
    }
    for (int i = 0, shown = 0; props && i < props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(props->items, i, jk_prop);
        if (!is_secret_key(p->key))
            dump_line(r, p, shown++ == 0, html);
    }
    if (json)
        put(r, "]}\n");
    else if (xml)
        putf(r, "  </%sconfiguration>\n</%sstatus>\n", ns, ns);
    else if (html)
        put(r, "</pre>\n</body>\n</html>\n");
}

/* cmd=version and cmd=dump: 200 with the facts, then mod_jk's result where it has one. */
jk_result status_serve_facts(req *r, void (*render)(req *, const char **))
{
    const char *ctype, *ignored;
    apr_array_header_t *h;
    render(r, &ctype);
    h = status_headers(r, ctype);
    if (strcasecmp(r->mime, "txt") == 0 || strcasecmp(r->mime, "prop") == 0)
        status_put_result(r, "OK", "Action finished", &ignored);
    if (strcasecmp(r->mime, "html") == 0)
        status_add_page_headers(h);
    return status_send(r, 200, "OK", h);
}

/* ------------------------------------------------------------------ */
/* Health check                                                         */

static int all_good(const view *v)
{
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        if (lb->count[RATING_GOOD] != lb->n)
            return 0;
    }
    return 1;
}

static void check_txt(req *r, const view *v)
{
    put(r, all_good(v) ? "OK\n" : "NOT OK\n");
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

static void check_json(req *r, const view *v)
{
    int first = 1;
    putf(r, "{\"ok\":%s,\"not_good\":[", status_bool_text(all_good(v)));
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

jk_result status_serve_check(req *r)
{
    int json = strcasecmp(r->mime, "json") == 0;
    apr_array_header_t *h = status_headers(r, json ? "application/json"
                                                   : "text/plain; charset=utf-8");
    view *v = status_take_view(r);
    if (json)
        check_json(r, v);
    else
        check_txt(r, v);
    return status_send(r, 200, "OK", h);
}
