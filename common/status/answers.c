/*
 * The small answers, in the format asked for: mod_jk's "Result: type=OK"
 * lines that scripts written for it look for, cmd=version, cmd=dump
 * (workers.properties as read at start, without secrets) and cmd=check (the
 * health check).  Each format writes its own form (its renderer's file);
 * here is which format answers what, and what stands in where one has none.
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

static int mime_is(const req *r, const char *mime)
{
    return strcasecmp(r->mime, mime) == 0;
}

/* mod_jk's result in txt, xml or prop; 0 when `r->mime` is none of those. */
int status_put_result(req *r, const char *type, const char *message, const char **ctype)
{
    *ctype = "text/plain; charset=utf-8";
    if (mime_is(r, "txt")) {
        status_txt_result(r, type, message);
    } else if (mime_is(r, "prop")) {
        status_prop_result(r, type, message);
    } else if (mime_is(r, "xml")) {
        *ctype = "application/xml";
        status_xml_result(r, type, message);
    } else {
        return 0;
    }
    return 1;
}

/* cmd=version; the text form for html. */
void status_render_version(req *r, const char **ctype)
{
    *ctype = "text/plain; charset=utf-8";
    if (mime_is(r, "json")) {
        *ctype = "application/json";
        status_json_version(r, JK_SOFTWARE);
    } else if (mime_is(r, "xml")) {
        *ctype = "application/xml";
        status_xml_version(r, JK_SOFTWARE);
    } else if (mime_is(r, "prop")) {
        status_prop_version(r, JK_SOFTWARE);
    } else {
        status_txt_version(r, JK_SOFTWARE);
    }
}

/* A secret never leaves httpd, as in mod_jk's dump. */
static int is_secret_key(const char *key)
{
    size_t n = strlen(key);
    return n >= 7 && strcmp(key + n - 7, ".secret") == 0;
}

/* The properties as read at start, secrets left out (const jk_prop *). */
static apr_array_header_t *shown_props(req *r)
{
    const jk_props *props = r->sw->props;
    apr_array_header_t *items = apr_array_make(r->pool, 16, sizeof(const jk_prop *));
    for (int i = 0; props && i < props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(props->items, i, jk_prop);
        if (!is_secret_key(p->key))
            APR_ARRAY_PUSH(items, const jk_prop *) = p;
    }
    return items;
}

/* cmd=dump: workers.properties as httpd read it at start, without secrets. */
void status_render_dump(req *r, const char **ctype)
{
    const apr_array_header_t *items = shown_props(r);
    *ctype = "text/plain; charset=utf-8";
    if (mime_is(r, "json")) {
        *ctype = "application/json";
        status_json_dump(r, items);
    } else if (mime_is(r, "xml")) {
        *ctype = "application/xml";
        status_xml_dump(r, items);
    } else if (mime_is(r, "html")) {
        *ctype = "text/html; charset=utf-8";
        status_html_dump(r, items);
    } else if (mime_is(r, "txt")) {
        status_txt_dump(r, items);
    } else {
        status_prop_dump(r, items);
    }
}

/* cmd=version and cmd=dump: 200 with the facts, then mod_jk's result where it has one. */
jk_result status_serve_facts(req *r, void (*render)(req *, const char **))
{
    const char *ctype, *ignored;
    apr_array_header_t *h;
    render(r, &ctype);
    h = status_headers(r, ctype);
    if (mime_is(r, "txt") || mime_is(r, "prop"))
        status_put_result(r, "OK", "Action finished", &ignored);
    if (mime_is(r, "html"))
        status_add_page_headers(h);
    return status_send(r, 200, "OK", h);
}

/* cmd=check: JSON, or the text form for every other mime. */
jk_result status_serve_check(req *r)
{
    int json = mime_is(r, "json");
    apr_array_header_t *h = status_headers(r, json ? "application/json"
                                                   : "text/plain; charset=utf-8");
    view *v = status_take_view(r);
    if (json)
        status_json_check(r, v);
    else
        status_txt_check(r, v);
    return status_send(r, 200, "OK", h);
}
