/*
 * Sending an answer: the headers every answer has, the page's own, the body
 * joined from its pieces, and a refusal with its reason in the format the
 * client asked for.
 */
#include "jk_status_int.h"

#include <string.h>
#include <strings.h>

void status_add_header(apr_array_header_t *h, const char *name, const char *value)
{
    jk_header *e = &APR_ARRAY_PUSH(h, jk_header);
    e->name = name;
    e->value = value;
}

apr_array_header_t *status_headers(req *r, const char *type)
{
    apr_array_header_t *h = apr_array_make(r->pool, 8, sizeof(jk_header));
    status_add_header(h, "Content-Type", type);
    status_add_header(h, "Cache-Control", "no-store");
    status_add_header(h, "X-Content-Type-Options", "nosniff");
    return h;
}

/* Headers that keep the HTML page out of frames and scripts out of the page. */
void status_add_page_headers(apr_array_header_t *h)
{
    status_add_header(h, "Content-Security-Policy",
                      "default-src 'none'; style-src * 'unsafe-inline'; img-src 'self'; "
                      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    status_add_header(h, "X-Frame-Options", "DENY");
    /* Our own forms then name this page in Origin and Referer; other sites learn nothing. */
    status_add_header(h, "Referrer-Policy", "same-origin");
}

/* Send status, headers and what was put() so far. */
jk_result status_send(req *r, int status, const char *reason, apr_array_header_t *headers)
{
    jk_service *s = r->s;
    const char *body = apr_array_pstrcat(r->pool, r->out, 0);
    apr_size_t len = strlen(body);
    if (s->io->start_response(s, status, reason, (const jk_header *)headers->elts,
                              headers->nelts) != APR_SUCCESS)
        return JK_ERR_CLIENT;
    s->response_started = 1;
    s->response_status = status;
    if (len > 0 && s->io->write_body(s, body, len) != APR_SUCCESS)
        return JK_ERR_CLIENT;
    s->bytes_written += (apr_off_t)len;
    return JK_OK;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    default:  return "Internal Server Error";
    }
}

/* An error with its reason in words; in the format the client asked for. */
jk_result status_refuse(req *r, int status, const char *message)
{
    apr_array_header_t *h;
    const char *ctype;
    r->out->nelts = 0;
    if (r->mime_asked && status_put_result(r, "ERROR", message, &ctype)) {
        h = status_headers(r, ctype);
    } else if (r->mime && strcasecmp(r->mime, "json") == 0) {
        h = status_headers(r, "application/json");
        status_json_error(r, status, message);
    } else {
        h = status_headers(r, "text/plain; charset=utf-8");
        putf(r, "%d %s: %s\n", status, reason_of(status), message);
    }
    if (status == 405)
        status_add_header(h, "Allow", "GET, HEAD, POST");
    return status_send(r, status, reason_of(status), h);
}
