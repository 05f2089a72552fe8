/*
 * The escapers, one per output format: every string that comes from the
 * configuration or the request goes through the one of the format it is
 * written in.  APR encodes the query values of our own links (worker names,
 * which it keeps as they are).  The others are ours, as APR has none that
 * does the same job: it has no JSON string nor Prometheus label escaping;
 * its entity escaping (apr_escape_entity) leaves ' as it is and passes
 * control characters and bytes that are not UTF-8, which XML does not
 * allow, where ours writes &#39; and U+FFFD; its URL and path escaping
 * write lower-case hex and keep other characters than the text format's
 * values and the Location after an action keep.
 */
#include "jk_status_int.h"

#include <apr_escape.h>
#include <apr_lib.h>
#include <string.h>

static apr_array_header_t *new_text(apr_pool_t *pool, const char *hint)
{
    return apr_array_make(pool, (int)strlen(hint) + 16, sizeof(char));
}

static void add_bytes(apr_array_header_t *buf, const char *bytes, apr_size_t n)
{
    for (apr_size_t i = 0; i < n; i++)
        APR_ARRAY_PUSH(buf, char) = bytes[i];
}

static void add_text(apr_array_header_t *buf, const char *text)
{
    add_bytes(buf, text, strlen(text));
}

static const char *finish_text(apr_array_header_t *buf)
{
    APR_ARRAY_PUSH(buf, char) = '\0';
    return buf->elts;
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 when the bytes there are none. */
static int utf8_length(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F))
            return 0; /* overlong, or a surrogate */
        return 3;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

/* Replacement for one ASCII byte in some format, or NULL to keep it. */
typedef const char *(*ascii_escape_fn)(apr_pool_t *pool, unsigned char c);

#define REPLACEMENT_CHAR "\xEF\xBF\xBD"

/*
 * `text` with every ASCII byte through `ascii`, valid UTF-8 sequences kept,
 * and every byte that is not valid UTF-8 replaced by U+FFFD: the result is
 * always valid UTF-8, as JSON, XML and the Prometheus format require.
 */
static const char *escape_utf8(apr_pool_t *pool, const char *text, ascii_escape_fn ascii)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    apr_array_header_t *buf = new_text(pool, (const char *)p);
    while (*p) {
        int n = utf8_length(p);
        const char *rep = n == 1 ? ascii(pool, *p) : NULL;
        if (n == 0)
            add_text(buf, REPLACEMENT_CHAR);
        else if (rep)
            add_text(buf, rep);
        else
            add_bytes(buf, (const char *)p, (apr_size_t)n);
        p += n ? n : 1;
    }
    return finish_text(buf);
}

/* HTML and XML share one rule: the five special characters, and no control characters. */
static const char *markup_ascii(apr_pool_t *pool, unsigned char c)
{
    (void)pool;
    switch (c) {
    case '&':  return "&amp;";
    case '<':  return "&lt;";
    case '>':  return "&gt;";
    case '"':  return "&quot;";
    case '\'': return "&#39;";
    case '\t':
    case '\n':
    case '\r': return NULL;
    default:   return c < 0x20 || c == 0x7F ? REPLACEMENT_CHAR : NULL;
    }
}

static const char *json_ascii(apr_pool_t *pool, unsigned char c)
{
    switch (c) {
    case '"':  return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    /* Never markup, even in JSON, should a browser ever sniff it as HTML. */
    case '<':
    case '>':
    case '&':  return apr_psprintf(pool, "\\u%04x", c);
    default:   return c < 0x20 || c == 0x7F ? apr_psprintf(pool, "\\u%04x", c) : NULL;
    }
}

/* Label values of the Prometheus text format: \\, \" and \n, nothing else. */
static const char *prom_ascii(apr_pool_t *pool, unsigned char c)
{
    (void)pool;
    switch (c) {
    case '\\': return "\\\\";
    case '"':  return "\\\"";
    case '\n': return "\\n";
    default:   return c < 0x20 || c == 0x7F ? REPLACEMENT_CHAR : NULL;
    }
}

/* Property values: one line each, backslash escapes as in workers.properties readers. */
static const char *prop_ascii(apr_pool_t *pool, unsigned char c)
{
    (void)pool;
    switch (c) {
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    default:   return c < 0x20 || c == 0x7F ? REPLACEMENT_CHAR : NULL;
    }
}

const char *status_markup(apr_pool_t *pool, const char *text)
{
    return escape_utf8(pool, text, markup_ascii);
}

/* A JSON string literal, quotes included. */
const char *status_json_string(apr_pool_t *pool, const char *text)
{
    return apr_pstrcat(pool, "\"", escape_utf8(pool, text, json_ascii), "\"", NULL);
}

const char *status_prom_label(apr_pool_t *pool, const char *text)
{
    return escape_utf8(pool, text, prom_ascii);
}

const char *status_prop_value(apr_pool_t *pool, const char *text)
{
    return escape_utf8(pool, text, prop_ascii);
}

/* Bytes outside `keep` and the unreserved set become %XX. */
const char *status_percent_encode(apr_pool_t *pool, const char *text, const char *keep)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    apr_array_header_t *buf = new_text(pool, (const char *)p);
    for (; *p; p++) {
        if (apr_isalnum(*p) || strchr("-._~", *p) || (*p > 0x20 && *p < 0x7F && strchr(keep, *p)))
            APR_ARRAY_PUSH(buf, char) = (char)*p;
        else
            add_text(buf, apr_psprintf(pool, "%%%02X", *p));
    }
    return finish_text(buf);
}

/*
 * A value in a query string of our own links.  Only worker names go there
 * (letters, digits, '_' and '-'), which APR keeps as they are.
 */
const char *status_query_value(apr_pool_t *pool, const char *text)
{
    return apr_pescape_urlencoded(pool, text ? text : "");
}

/*
 * Request data quoted in messages and mod_jk.log: plain printable ASCII is
 * kept, anything else becomes \xHH, so no markup, no line break and no
 * terminal control sequence ever comes through.
 */
const char *status_safe_text(apr_pool_t *pool, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "(none)");
    apr_array_header_t *buf = new_text(pool, (const char *)p);
    for (; *p; p++) {
        if (apr_isalnum(*p) || strchr(" _.,:;/=+-@()[]!?*", *p))
            APR_ARRAY_PUSH(buf, char) = (char)*p;
        else
            add_text(buf, apr_psprintf(pool, "\\x%02X", *p));
    }
    return finish_text(buf);
}
