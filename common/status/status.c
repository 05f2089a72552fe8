/*
 * The status worker (type=status); see jk_status.h.  Its creation (the XML
 * settings checked once), and the way a request goes: access, parameters,
 * then an action, a small answer or a view in the format asked for.
 */
#include "jk_status_int.h"

#include <apr_lib.h>
#include <string.h>
#include <strings.h>

typedef void (*render_fn)(req *r, const view *v);

typedef struct format {
    const char *mime;
    const char *content_type;
    render_fn render;
} format;

static const format formats[] = {
    { "html", "text/html; charset=utf-8", status_render_html },
    { "json", "application/json", status_render_json },
    { "prometheus", "text/plain; version=0.0.4; charset=utf-8", status_render_prometheus },
    { "xml", "application/xml", status_render_xml },
    { "prop", "text/plain; charset=utf-8", status_render_prop },
    { "txt", "text/plain; charset=utf-8", status_render_txt },
};

static const format *find_format(const char *mime)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcasecmp(formats[i].mime, mime) == 0)
            return &formats[i];
    return NULL;
}

static jk_result serve_view(req *r, const format *f)
{
    apr_array_header_t *h = status_headers(r, f->content_type);
    if (f->render == status_render_html)
        status_add_page_headers(h);
    f->render(r, status_take_view(r));
    return status_send(r, 200, "OK", h);
}

static jk_result serve_post(req *r)
{
    const char *body = NULL;
    int status;
    if (!status_is_form(r->s))
        return status_refuse(r, 415, "actions are sent as application/x-www-form-urlencoded");
    if ((status = status_read_form(r, &body)) != 0)
        return status_refuse(r, status,
                             status == 413 ? "the form is too large" : "unreadable form");
    if ((r->params = status_parse_params(r->pool, body)) == NULL) {
        r->params = apr_table_make(r->pool, 1);
        return status_refuse(r, 400, "malformed form data");
    }
    status_set_mime(r);
    return status_serve_action(r);
}

static jk_result serve_get(req *r)
{
    const char *cmd;
    const format *f;
    if ((r->params = status_parse_params(r->pool, r->s->query_string)) == NULL) {
        r->params = apr_table_make(r->pool, 1);
        return status_refuse(r, 400, "malformed query string");
    }
    status_set_mime(r);
    if (status_asks_for_change(r))
        return status_serve_action(r);
    if (status_parse_number(status_refresh_param(r), 1, MAX_REFRESH, &r->refresh) != 0)
        r->refresh = 0;
    r->only = status_param(r, "w") && *status_param(r, "w") ? status_param(r, "w") : NULL;
    if (r->only && !status_known_worker(r, r->only))
        return status_refuse(r, 404, apr_psprintf(r->pool, "no lb or ajp13 worker named '%s'",
                                                  status_safe_text(r->pool, r->only)));
    cmd = status_param(r, "cmd") ? status_param(r, "cmd") : "list";
    if (strcmp(cmd, "check") == 0)
        return status_serve_check(r);
    if (strcmp(cmd, "list") != 0 && strcmp(cmd, "show") != 0 && strcmp(cmd, "edit") != 0 &&
        strcmp(cmd, "version") != 0 && strcmp(cmd, "dump") != 0)
        return status_refuse(r, 400, apr_psprintf(r->pool, "unknown cmd '%s' (list, show, edit, "
                                                  "check, version, dump, update, reset, "
                                                  "recover)", status_safe_text(r->pool, cmd)));
    if ((f = find_format(r->mime)) == NULL)
        return status_refuse(r, 400, apr_psprintf(r->pool, "unknown mime '%s' (html, json, "
                                                  "prometheus, xml, prop, txt)",
                                                  status_safe_text(r->pool, r->mime)));
    if (cmd[0] == 'v' || cmd[0] == 'd') {
        if (f->render == status_render_prometheus)
            return status_refuse(r, 400, "cmd=version and cmd=dump have no Prometheus form");
        return status_serve_facts(r, cmd[0] == 'v' ? status_render_version : status_render_dump);
    }
    return serve_view(r, f);
}

static jk_result status_service(jk_worker *w, jk_service *s)
{
    req r;
    memset(&r, 0, sizeof(r));
    r.sw = w->impl;
    r.s = s;
    r.pool = s->pool;
    r.out = apr_array_make(s->pool, 256, sizeof(const char *));
    r.params = apr_table_make(s->pool, 1);
    r.mime = "txt";
    if (!status_canonical_uri(&r)) {
        LOG(r.sw, JK_LOG_INFO, "status %s: refused %s from %s: not the canonical URL", w->name,
            status_safe_text(s->pool, s->uri), status_who(&r));
        return status_refuse(&r, 404, "the status worker answers only at its canonical URL");
    }
    if (!status_user_allowed(r.sw, s->remote_user)) {
        LOG(r.sw, JK_LOG_INFO, "status %s: refused %s: not in the user list", w->name,
            status_who(&r));
        return status_refuse(&r, 403, s->remote_user
                                          ? "this user may not use this status worker"
                                          : "this status worker needs an httpd-authenticated "
                                            "user from its user list");
    }
    if (strcmp(s->method, "GET") == 0 || strcmp(s->method, "HEAD") == 0)
        return serve_get(&r);
    if (strcmp(s->method, "POST") == 0)
        return serve_post(&r);
    return status_refuse(&r, 405, "the status worker answers GET, HEAD and POST");
}

static const jk_worker_ops status_ops = { status_service, NULL, NULL };

/* ------------------------------------------------------------------ */
/* Creation                                                             */

static int is_ncname(const char *p, size_t n)
{
    if (n == 0 || !(apr_isalpha(p[0]) || p[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(apr_isalnum(p[i]) || strchr("_-.", p[i])))
            return 0;
    return 1;
}

/* ns: "jk:" (a name and a colon), "" or "-" for none. */
static void setup_ns(status_worker *sw)
{
    const char *ns = sw->cfg->ns ? sw->cfg->ns : "";
    size_t n = strlen(ns);
    sw->ns = "";
    if (n == 0 || strcmp(ns, "-") == 0)
        return;
    if (ns[n - 1] == ':' && is_ncname(ns, n - 1))
        sw->ns = ns;
    else
        LOG(sw, JK_LOG_WARN, "status %s: ns '%s' is not an XML prefix such as jk: ; the XML "
            "output has none", sw->base.name, ns);
}

/* xmlns: `xmlns:jk="http://..."`, "-" for none. */
static void setup_xmlns(status_worker *sw, apr_pool_t *pool)
{
    const char *x = sw->cfg->xmlns ? sw->cfg->xmlns : "";
    const char *eq = strchr(x, '=');
    size_t vlen;
    sw->xmlns_name = NULL;
    if (*x == '\0' || strcmp(x, "-") == 0 || (sw->cfg->ns && strcmp(sw->cfg->ns, "-") == 0))
        return;
    vlen = eq ? strlen(eq + 1) : 0;
    if (eq && vlen >= 2 && (eq[1] == '"' || eq[1] == '\'') && eq[vlen] == eq[1] &&
        strncmp(x, "xmlns", 5) == 0 &&
        (eq == x + 5 || (x[5] == ':' && is_ncname(x + 6, (size_t)(eq - x - 6))))) {
        sw->xmlns_name = apr_pstrndup(pool, x, (apr_size_t)(eq - x));
        sw->xmlns_value = apr_pstrndup(pool, eq + 2, vlen - 2);
        return;
    }
    LOG(sw, JK_LOG_WARN, "status %s: xmlns '%s' is not of the form xmlns:jk=\"URI\"; the XML "
        "output declares no namespace", sw->base.name, x);
}

static void setup_doctype(status_worker *sw)
{
    const char *d = sw->cfg->doctype;
    size_t n = d ? strlen(d) : 0;
    sw->doctype = NULL;
    if (n == 0)
        return;
    if (strncmp(d, "<!DOCTYPE ", 10) == 0 && d[n - 1] == '>' && !strchr(d + 1, '<') &&
        !strpbrk(d, "\r\n"))
        sw->doctype = d;
    else
        LOG(sw, JK_LOG_WARN, "status %s: doctype must be one <!DOCTYPE ...> line; ignored",
            sw->base.name);
}

apr_status_t jk_status_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                     const jk_worker_env *env, const jk_worker_table *workers,
                                     jk_worker **out)
{
    status_worker *sw = apr_pcalloc(pool, sizeof(*sw));
    jk_worker_init_base(&sw->base, "status", &status_ops, cfg, env, sw);
    sw->cfg = cfg;
    sw->workers = workers;
    sw->shm = env->shm;
    sw->token = env->token && *env->token ? env->token : NULL;
    sw->props = env->props;
    sw->threads_per_child = env->threads_per_child > 0 ? env->threads_per_child : 1;
    sw->good = status_parse_rules(sw, pool, "good", cfg->good);
    sw->bad = status_parse_rules(sw, pool, "bad", cfg->bad);
    setup_ns(sw);
    setup_xmlns(sw, pool);
    setup_doctype(sw);
    *out = &sw->base;
    return APR_SUCCESS;
}
