/*
 * What the request says: its parameters (the query string, or the form body
 * of a POST, decoded with APR's URL unescaping), its headers, and the few
 * parameters every answer looks at (mime=, refresh=).
 */
#include "jk_status_int.h"

#include <apr_escape.h>
#include <apr_lib.h>
#include <string.h>
#include <strings.h>

/*
 * Form decoding ('+' is a space, %XX a byte); NULL when malformed or holding
 * a NUL byte.  The piece is copied first: APR reads a NUL-terminated string.
 */
static const char *form_decode(apr_pool_t *pool, const char *text, apr_size_t len)
{
    return apr_punescape_url(pool, apr_pstrmemdup(pool, text, len), NULL, NULL, 1);
}

/* name=value&... into a table (the first of repeated names wins); NULL when malformed. */
apr_table_t *status_parse_params(apr_pool_t *pool, const char *text)
{
    apr_table_t *t = apr_table_make(pool, 8);
    const char *p = text ? text : "";
    while (*p) {
        apr_size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        apr_size_t name_len = eq ? (apr_size_t)(eq - p) : len;
        const char *name = form_decode(pool, p, name_len);
        const char *value = eq ? form_decode(pool, eq + 1, len - name_len - 1) : "";
        if (name == NULL || value == NULL)
            return NULL;
        if (*name)
            apr_table_add(t, name, value);
        p += len;
        if (*p)
            p++;
    }
    return t;
}

const char *status_param(const req *r, const char *name)
{
    return apr_table_get(r->params, name);
}

/* A whole decimal number in [min, max]; 0 on success. */
int status_parse_number(const char *text, int min, int max, int *out)
{
    char *end;
    apr_int64_t v;
    if (text == NULL || !apr_isdigit(text[0]))
        return -1;
    v = apr_strtoi64(text, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

const char *status_request_header(const jk_service *s, const char *name)
{
    for (int i = 0; i < s->num_headers; i++)
        if (strcasecmp(s->headers[i].name, name) == 0)
            return s->headers[i].value;
    return NULL;
}

/* The request body, at most MAX_FORM_BYTES; 0 when read, else the HTTP status. */
int status_read_form(req *r, const char **out)
{
    jk_service *s = r->s;
    char *buf = apr_palloc(r->pool, MAX_FORM_BYTES + 2);
    apr_size_t have = 0, got;
    do {
        if (s->io->read_body(s, buf + have, MAX_FORM_BYTES + 1 - have, &got) != APR_SUCCESS)
            return 400;
        have += got;
        s->bytes_read += (apr_off_t)got;
    } while (got > 0 && have <= MAX_FORM_BYTES);
    if (have > MAX_FORM_BYTES)
        return 413;
    buf[have] = '\0';
    if (strlen(buf) != have)
        return 400;
    *out = buf;
    return 0;
}

int status_is_form(const jk_service *s)
{
    static const char type[] = "application/x-www-form-urlencoded";
    const char *ct = status_request_header(s, "Content-Type");
    size_t n = sizeof(type) - 1;
    return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
                                                    ct[n] == ' ');
}

/* refresh=, or mod_jk's re= */
const char *status_refresh_param(const req *r)
{
    return status_param(r, "refresh") ? status_param(r, "refresh") : status_param(r, "re");
}

void status_set_mime(req *r)
{
    r->mime_asked = status_param(r, "mime") != NULL;
    r->mime = r->mime_asked ? status_param(r, "mime") : "html";
}

const char *status_server_name(const req *r)
{
    return r->s->server_name ? r->s->server_name : "";
}
