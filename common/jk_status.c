/*
 * The status worker (type=status); see jk_status.h.
 *
 * A request goes through four steps: access (the user list), parsing (query
 * string, or the form body of a POST), then either an action or a view.
 * Actions come as mod_jk's GET URLs (cmd=update&w=..&sw=..&vwa=..) or as the
 * page's POST forms; either is refused when the browser shows that another
 * site sent it, and with strict_update only a POST with the token counts.
 * A view first takes a snapshot of the shared records (struct view), so
 * every format shows the same numbers, then one
 * renderer writes the snapshot as HTML, JSON, Prometheus text, XML,
 * properties or text into a list of string pieces, joined once at the end.
 * Every string that comes from the configuration or the request goes through
 * the escaper of its output format.
 */
#include "jk_status.h"
#include "jk_uri_map.h"

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define MAX_FORM_BYTES 16384    /* a status form is a few hundred bytes */
#define MAX_REFRESH 86400       /* s */
#define MAX_LBFACTOR 100000     /* as workers.properties allows */

/* printf conversions for APR's formatter, which knows no %llu. */
#define U64 "%" APR_UINT64_T_FMT
#define I64 "%" APR_INT64_T_FMT

/* ------------------------------------------------------------------ */
/* Types                                                                */

typedef enum rating {
    RATING_GOOD = 0,
    RATING_DEGRADED,
    RATING_BAD
} rating;

static const char *const rating_names[] = { "good", "degraded", "bad" };

/* What a member's shared state means for a person reading the page. */
typedef enum view_state {
    VS_OK = 0,
    VS_IDLE,        /* OK, and no request since start or the last reset */
    VS_BUSY,        /* OK, but busy_limit requests are running */
    VS_RECOVERING,  /* in error, recover_time has passed: the next request probes it */
    VS_PROBING,     /* one request is finding out whether it is back */
    VS_ERROR,       /* in error, waiting for recover_time */
    VS_COUNT
} view_state;

static const char *const state_names[VS_COUNT] = { "OK", "idle", "busy", "recovering",
                                                   "probing", "error" };
static const char *const state_labels[VS_COUNT] = { "ok", "idle", "busy", "recovering",
                                                    "probing", "error" };
/* The letters of the good/bad keys: activation a/d/s, state o/n/b/r/p/e. */
static const char state_letters[] = "onbrpe";
static const char activation_letters[] = "ads";
static const char *const activation_labels[] = { "active", "disabled", "stopped" };

/* One entry of `good` or `bad`: an activation letter, a state letter, 0 for any. */
typedef struct rating_rule {
    char activation;
    char state;
} rating_rule;

typedef struct status_worker {
    jk_worker base;
    const jk_worker_config *cfg;
    const jk_worker_table *workers;
    jk_shm *shm;
    const char *token;              /* NULL: no actions possible */
    int threads_per_child;
    apr_array_header_t *good;       /* rating_rule */
    apr_array_header_t *bad;
    const char *ns;                 /* element prefix with its ':', or "" */
    const char *xmlns_name;         /* "xmlns:jk", or NULL for no declaration */
    const char *xmlns_value;
    const char *doctype;            /* NULL for none */
    const jk_props *props;          /* for cmd=dump; NULL: not known */
} status_worker;

/* A snapshot of one ajp13 worker: its shared record, read once. */
typedef struct member_view {
    const jk_worker *worker;
    const jk_worker_config *cfg;
    apr_array_header_t *lbs;        /* const char *: the lbs it belongs to */
    jk_activation activation;
    view_state state;
    rating rating;
    int lbfactor;
    int busy;
    int max_busy;
    uint64_t lb_value;
    uint64_t requests;
    uint64_t errors;
    uint64_t client_errors;
    uint64_t reply_timeouts;
    uint64_t bytes_read;
    uint64_t bytes_written;
    apr_time_t error_time;          /* 0: never */
    apr_time_t probe_due;           /* an error member: when it may be probed */
    apr_time_t last_check;          /* last background health check, 0: none */
    int last_check_ok;
} member_view;

typedef struct lb_view {
    const jk_worker *worker;
    const jk_worker_config *cfg;
    member_view *members;
    int n;
    int count[3];                   /* members per rating */
} lb_view;

typedef struct view {
    apr_time_t now;
    apr_array_header_t *lbs;        /* lb_view */
    apr_array_header_t *ajps;       /* member_view of every ajp13 worker shown */
} view;

/* One request to the status worker. */
typedef struct req {
    status_worker *sw;
    jk_service *s;
    apr_pool_t *pool;
    apr_table_t *params;
    const char *mime;
    const char *only;               /* w=: show only this worker */
    int refresh;                    /* s; 0: none */
    apr_array_header_t *out;        /* const char *: the body, in pieces */
    const char *why;                /* why an action was refused */
    int mime_asked;                 /* mime= was given: answer errors in that format */
} req;

/* What an action is about. */
typedef struct target {
    const jk_worker *lb;            /* NULL: w= names an ajp13 worker */
    const jk_worker *member;        /* NULL: the whole lb */
} target;

typedef struct update {
    int has_activation;
    jk_activation activation;
    int has_lbfactor;
    int lbfactor;
} update;

#define LOG(sw, level, ...) jk_log((sw)->base.log, level, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Output pieces                                                        */

static void put(req *r, const char *text)
{
    APR_ARRAY_PUSH(r->out, const char *) = text;
}

static void putf(req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put(r, apr_pvsprintf(r->pool, fmt, ap));
    va_end(ap);
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

static apr_array_header_t *new_text(apr_pool_t *pool, const char *hint)
{
    return apr_array_make(pool, (int)strlen(hint) + 16, sizeof(char));
}

/* ------------------------------------------------------------------ */
/* Escaping                                                             */

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

static const char *markup(apr_pool_t *pool, const char *text)
{
    return escape_utf8(pool, text, markup_ascii);
}

/* A JSON string literal, quotes included. */
static const char *json_string(apr_pool_t *pool, const char *text)
{
    return apr_pstrcat(pool, "\"", escape_utf8(pool, text, json_ascii), "\"", NULL);
}

static const char *prom_label(apr_pool_t *pool, const char *text)
{
    return escape_utf8(pool, text, prom_ascii);
}

static const char *prop_value(apr_pool_t *pool, const char *text)
{
    return escape_utf8(pool, text, prop_ascii);
}

/* Bytes outside `keep` and the unreserved set become %XX. */
static const char *percent_encode(apr_pool_t *pool, const char *text, const char *keep)
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
 * Request data quoted in messages and mod_jk.log: plain printable ASCII is
 * kept, anything else becomes \xHH, so no markup, no line break and no
 * terminal control sequence ever comes through.
 */
static const char *safe_text(apr_pool_t *pool, const char *text)
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

/* ------------------------------------------------------------------ */
/* Parameters                                                           */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)apr_tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Form decoding ('+' is a space, %XX a byte); NULL when malformed or holding a NUL byte. */
static const char *form_decode(apr_pool_t *pool, const char *text, apr_size_t len)
{
    char *out = apr_palloc(pool, len + 1), *o = out;
    for (apr_size_t i = 0; i < len; i++) {
        if (text[i] == '+') {
            *o++ = ' ';
        } else if (text[i] == '%') {
            int hi = i + 2 < len ? hex_digit(text[i + 1]) : -1;
            int lo = hi >= 0 ? hex_digit(text[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = text[i];
        }
    }
    *o = '\0';
    return out;
}

/* name=value&... into a table (the first of repeated names wins); NULL when malformed. */
static apr_table_t *parse_params(apr_pool_t *pool, const char *text)
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

static const char *param(const req *r, const char *name)
{
    return apr_table_get(r->params, name);
}

/* An action cannot go on: remember why, and give the HTTP status to answer. */
static int fail(req *r, int status, const char *why)
{
    r->why = why;
    return status;
}

/* A whole decimal number in [min, max]; 0 on success. */
static int parse_number(const char *text, int min, int max, int *out)
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

static const char *request_header(const jk_service *s, const char *name)
{
    for (int i = 0; i < s->num_headers; i++)
        if (strcasecmp(s->headers[i].name, name) == 0)
            return s->headers[i].value;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Responses                                                            */

static void add_header(apr_array_header_t *h, const char *name, const char *value)
{
    jk_header *e = &APR_ARRAY_PUSH(h, jk_header);
    e->name = name;
    e->value = value;
}

static apr_array_header_t *base_headers(req *r, const char *type)
{
    apr_array_header_t *h = apr_array_make(r->pool, 8, sizeof(jk_header));
    add_header(h, "Content-Type", type);
    add_header(h, "Cache-Control", "no-store");
    add_header(h, "X-Content-Type-Options", "nosniff");
    return h;
}

/* Headers that keep the HTML page out of frames and scripts out of the page. */
static void add_page_headers(apr_array_header_t *h)
{
    add_header(h, "Content-Security-Policy", "default-src 'none'; style-src * 'unsafe-inline'; "
               "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    add_header(h, "X-Frame-Options", "DENY");
    /* Our own forms then name this page in Origin and Referer; other sites learn nothing. */
    add_header(h, "Referrer-Policy", "same-origin");
}

/* Send status, headers and what was put() so far. */
static jk_result send_out(req *r, int status, const char *reason, apr_array_header_t *headers)
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

static int put_result(req *r, const char *type, const char *message, const char **ctype);

/* An error with its reason in words; in the format the client asked for. */
static jk_result refuse(req *r, int status, const char *message)
{
    apr_array_header_t *h;
    const char *ctype;
    r->out->nelts = 0;
    if (r->mime_asked && put_result(r, "ERROR", message, &ctype)) {
        h = base_headers(r, ctype);
    } else if (r->mime && strcasecmp(r->mime, "json") == 0) {
        h = base_headers(r, "application/json");
        putf(r, "{\"ok\":false,\"status\":%d,\"error\":%s}\n", status,
             json_string(r->pool, message));
    } else {
        h = base_headers(r, "text/plain; charset=utf-8");
        putf(r, "%d %s: %s\n", status, reason_of(status), message);
    }
    if (status == 405)
        add_header(h, "Allow", "GET, HEAD, POST");
    return send_out(r, status, reason_of(status), h);
}

/* ------------------------------------------------------------------ */
/* Ratings: the good and bad keys                                       */

/* One entry: "a.o", "s", "e", ".r", "d.", "*.e"; 0 when it is one. */
static int parse_rule(const char *text, rating_rule *rule)
{
    const char *dot = strchr(text, '.');
    char first = (char)apr_tolower(text[0]);
    rule->activation = 0;
    rule->state = 0;
    if (dot == NULL) {
        if (text[0] == '\0' || text[1] != '\0')
            return -1;
        if (strchr(activation_letters, first))
            rule->activation = first;
        else if (strchr(state_letters, first))
            rule->state = first;
        else if (first != '*')
            return -1;
        return 0;
    }
    if (dot - text > 1 || strlen(dot + 1) > 1)
        return -1;
    if (dot != text && first != '*') {
        if (!strchr(activation_letters, first))
            return -1;
        rule->activation = first;
    }
    if (dot[1] && dot[1] != '*') {
        char second = (char)apr_tolower(dot[1]);
        if (!strchr(state_letters, second))
            return -1;
        rule->state = second;
    }
    return 0;
}

static apr_array_header_t *parse_rules(status_worker *sw, apr_pool_t *pool, const char *key,
                                       const char *list)
{
    apr_array_header_t *items = jk_props_split_list(pool, list ? list : "");
    apr_array_header_t *rules = apr_array_make(pool, items->nelts + 1, sizeof(rating_rule));
    for (int i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);
        rating_rule rule;
        if (parse_rule(item, &rule) == 0)
            APR_ARRAY_PUSH(rules, rating_rule) = rule;
        else
            LOG(sw, JK_LOG_WARN, "status %s: %s entry '%s' is not activation.state (letters "
                "a/d/s and o/n/b/r/p/e); ignored", sw->base.name, key, item);
    }
    return rules;
}

static int rules_match(const apr_array_header_t *rules, char activation, char state)
{
    for (int i = 0; i < rules->nelts; i++) {
        const rating_rule *rule = &APR_ARRAY_IDX(rules, i, rating_rule);
        if ((!rule->activation || rule->activation == activation) &&
            (!rule->state || rule->state == state))
            return 1;
    }
    return 0;
}

/* Bad wins over good; what is neither is degraded. */
static rating rate(const status_worker *sw, jk_activation activation, view_state state)
{
    char a = activation_letters[(unsigned)activation < 3 ? activation : 0];
    char st = state_letters[state];
    if (rules_match(sw->bad, a, st))
        return RATING_BAD;
    if (rules_match(sw->good, a, st))
        return RATING_GOOD;
    return RATING_DEGRADED;
}

/* ------------------------------------------------------------------ */
/* Snapshot                                                             */

static int is_member_of(const jk_worker *lb, const char *name)
{
    const apr_array_header_t *members = lb->config->members;
    for (int i = 0; members && i < members->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(members, i, jk_worker_config *)->name, name) == 0)
            return 1;
    return 0;
}

static apr_array_header_t *lbs_of(const status_worker *sw, apr_pool_t *pool, const char *name)
{
    apr_array_header_t *lbs = apr_array_make(pool, 1, sizeof(const char *));
    for (int i = 0; i < sw->workers->all->nelts; i++) {
        const jk_worker *w = APR_ARRAY_IDX(sw->workers->all, i, jk_worker *);
        if (w->config->type == JK_TYPE_LB && is_member_of(w, name))
            APR_ARRAY_PUSH(lbs, const char *) = w->name;
    }
    return lbs;
}

static void read_record(member_view *m, jk_shm_member *rec)
{
    m->activation = (jk_activation)atomic_load(&rec->activation);
    m->lbfactor = atomic_load(&rec->lbfactor);
    m->busy = atomic_load(&rec->busy);
    m->max_busy = atomic_load(&rec->max_busy);
    m->lb_value = atomic_load(&rec->lb_value);
    m->requests = atomic_load(&rec->requests);
    m->errors = atomic_load(&rec->errors);
    m->client_errors = atomic_load(&rec->client_errors);
    m->reply_timeouts = atomic_load(&rec->reply_timeouts);
    m->bytes_read = atomic_load(&rec->bytes_read);
    m->bytes_written = atomic_load(&rec->bytes_written);
    m->error_time = (apr_time_t)atomic_load(&rec->error_time);
    m->last_check = (apr_time_t)atomic_load(&rec->last_check);
    m->last_check_ok = atomic_load(&rec->last_check_ok);
}

/* The state as the lb sees it with its recover_time. */
static view_state state_of(const member_view *m, int shared_state, int recover_time,
                           apr_time_t now)
{
    if (shared_state == JK_MEMBER_PROBING)
        return VS_PROBING;
    if (shared_state == JK_MEMBER_ERROR)
        return now - m->error_time >= apr_time_from_sec(recover_time) ? VS_RECOVERING
                                                                      : VS_ERROR;
    if (m->cfg->busy_limit > 0 && m->busy >= m->cfg->busy_limit)
        return VS_BUSY;
    return m->requests == 0 ? VS_IDLE : VS_OK;
}

static member_view snapshot(const status_worker *sw, apr_pool_t *pool, const jk_worker *w)
{
    member_view m;
    memset(&m, 0, sizeof(m));
    m.worker = w;
    m.cfg = w->config;
    m.lbs = lbs_of(sw, pool, w->name);
    read_record(&m, w->shm);
    m.state = VS_OK;
    return m;
}

static member_view snapshot_in_lb(const status_worker *sw, apr_pool_t *pool,
                                  const jk_worker *lb, const jk_worker *w, apr_time_t now)
{
    member_view m = snapshot(sw, pool, w);
    int shared_state = atomic_load(&w->shm->state);
    m.state = state_of(&m, shared_state, lb->config->recover_time, now);
    m.rating = rate(sw, m.activation, m.state);
    if (shared_state != JK_MEMBER_OK)
        m.probe_due = m.error_time + apr_time_from_sec(lb->config->recover_time);
    return m;
}

static lb_view lb_snapshot(const status_worker *sw, apr_pool_t *pool, const jk_worker *lb,
                           apr_time_t now)
{
    lb_view v;
    const apr_array_header_t *members = lb->config->members;
    memset(&v, 0, sizeof(v));
    v.worker = lb;
    v.cfg = lb->config;
    v.members = apr_pcalloc(pool, sizeof(member_view) * (apr_size_t)(members->nelts + 1));
    for (int i = 0; i < members->nelts; i++) {
        const jk_worker_config *mc = APR_ARRAY_IDX(members, i, jk_worker_config *);
        const jk_worker *w = jk_workers_find(sw->workers, mc->name);
        if (w == NULL || w->shm == NULL)
            continue;
        v.members[v.n] = snapshot_in_lb(sw, pool, lb, w, now);
        v.count[v.members[v.n].rating]++;
        v.n++;
    }
    return v;
}

static int shown(const req *r, const jk_worker *w)
{
    return r->only == NULL || strcmp(r->only, w->name) == 0;
}

static view *take_view(req *r)
{
    const status_worker *sw = r->sw;
    view *v = apr_pcalloc(r->pool, sizeof(*v));
    v->now = apr_time_now();
    v->lbs = apr_array_make(r->pool, 2, sizeof(lb_view));
    v->ajps = apr_array_make(r->pool, 4, sizeof(member_view));
    for (int i = 0; i < sw->workers->all->nelts; i++) {
        const jk_worker *w = APR_ARRAY_IDX(sw->workers->all, i, jk_worker *);
        if (!shown(r, w))
            continue;
        if (w->config->type == JK_TYPE_LB)
            APR_ARRAY_PUSH(v->lbs, lb_view) = lb_snapshot(sw, r->pool, w, v->now);
        else if (w->config->type == JK_TYPE_AJP13 && w->shm)
            APR_ARRAY_PUSH(v->ajps, member_view) = snapshot(sw, r->pool, w);
    }
    return v;
}

/* ------------------------------------------------------------------ */
/* Facts shared by the renderers                                        */

static int pool_size(const status_worker *sw, const jk_worker_config *c)
{
    return c->connection_pool_size > 0 ? c->connection_pool_size : sw->threads_per_child;
}

static int pool_minsize(const status_worker *sw, const jk_worker_config *c)
{
    return c->connection_pool_minsize >= 0 ? c->connection_pool_minsize
                                           : (pool_size(sw, c) + 1) / 2;
}

static const char *ping_mode_text(apr_pool_t *pool, unsigned mode)
{
    return apr_psprintf(pool, "%s%s%s", (mode & JK_PING_CONNECT) ? "C" : "",
                        (mode & JK_PING_PREPOST) ? "P" : "", (mode & JK_PING_INTERVAL) ? "I" : "");
}

static const char *join_names(apr_pool_t *pool, const apr_array_header_t *names)
{
    const char *out = "";
    for (int i = 0; i < names->nelts; i++)
        out = apr_pstrcat(pool, out, i ? "," : "", APR_ARRAY_IDX(names, i, const char *), NULL);
    return out;
}

static const char *member_names(apr_pool_t *pool, const lb_view *lb)
{
    const char *out = "";
    for (int i = 0; i < lb->n; i++)
        out = apr_pstrcat(pool, out, i ? "," : "", lb->members[i].worker->name, NULL);
    return out;
}

static apr_int64_t seconds_since(apr_time_t now, apr_time_t then)
{
    return (apr_int64_t)apr_time_sec(now - then);
}

static apr_int64_t seconds_until(apr_time_t now, apr_time_t then)
{
    return then > now ? (apr_int64_t)apr_time_sec(then - now + APR_USEC_PER_SEC - 1) : 0;
}

/* The member's lb state, from the first lb shown that has it. */
static const member_view *in_some_lb(const view *v, const char *name)
{
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            if (strcmp(lb->members[k].worker->name, name) == 0)
                return &lb->members[k];
    }
    return NULL;
}

static const char *bool_text(int b)
{
    return b ? "true" : "false";
}

/* ------------------------------------------------------------------ */
/* HTML                                                                 */

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
        query = apr_pstrcat(r->pool, query, "&w=", percent_encode(r->pool, r->only, ""), NULL);
    return markup(r->pool, apr_pstrcat(r->pool, uri, "?", query, NULL));
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
    s = seconds_since(now, then);
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
    putf(r, "<title>JK status: %s</title>\n", markup(r->pool, r->sw->base.name));
    put(r, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    if (r->refresh > 0)
        putf(r, "<meta http-equiv=\"refresh\" content=\"%d\">\n", r->refresh);
    if (c->css && *c->css)
        putf(r, "<link rel=\"stylesheet\" href=\"%s\">\n", markup(r->pool, c->css));
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
    putf(r, "Status worker <b>%s</b> &middot; %s", markup(r->pool, r->sw->base.name), date);
    if (r->s->remote_user)
        putf(r, " &middot; signed in as <b>%s</b>", markup(r->pool, r->s->remote_user));
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
             markup(r->pool, r->s->uri ? r->s->uri : ""));
    put(r, "</p>\n");
    html_refresh_links(r);
}

static int can_act(const req *r)
{
    return !r->sw->cfg->read_only && r->sw->token != NULL;
}

/* The hidden fields every action form carries. */
static void html_hidden(req *r, const char *cmd, const char *w, const char *sub)
{
    putf(r, "<input type=\"hidden\" name=\"cmd\" value=\"%s\">", cmd);
    putf(r, "<input type=\"hidden\" name=\"w\" value=\"%s\">", markup(r->pool, w));
    if (sub)
        putf(r, "<input type=\"hidden\" name=\"sw\" value=\"%s\">", markup(r->pool, sub));
    if (r->refresh > 0)
        putf(r, "<input type=\"hidden\" name=\"refresh\" value=\"%d\">", r->refresh);
    putf(r, "<input type=\"hidden\" name=\"token\" value=\"%s\">",
         markup(r->pool, r->sw->token));
}

static void html_form(req *r, const char *id, const char *cmd, const char *w, const char *sub,
                      const char *button, const char *title)
{
    put(r, "<form method=\"post\" action=\"");
    put(r, markup(r->pool, r->s->uri ? r->s->uri : ""));
    put(r, "\"");
    if (id)
        putf(r, " id=\"%s\"", markup(r->pool, id));
    put(r, ">");
    html_hidden(r, cmd, w, sub);
    putf(r, "<button type=\"submit\" title=\"%s\">%s</button></form>", markup(r->pool, title),
         button);
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
    if (!can_act(r)) {
        putf(r, "%s</td>", name);
        return;
    }
    putf(r, "<select name=\"vwa\" form=\"%s\" aria-label=\"activation of %s\">",
         markup(r->pool, form), markup(r->pool, m->worker->name));
    for (int a = 0; a < 3; a++)
        putf(r, "<option value=\"%c\"%s>%s</option>", apr_toupper(activation_letters[a]),
             a == (int)m->activation ? " selected" : "",
             jk_config_activation_name((jk_activation)a));
    put(r, "</select></td>");
}

static void html_factor_cell(req *r, const char *form, const member_view *m)
{
    putf(r, "<td class=\"n\" data-key=\"lbfactor\" data-value=\"%d\">", m->lbfactor);
    if (can_act(r))
        putf(r, "<input type=\"number\" name=\"vwf\" min=\"1\" max=\"%d\" value=\"%d\" "
             "form=\"%s\" aria-label=\"lbfactor of %s\">", MAX_LBFACTOR, m->lbfactor,
             markup(r->pool, form), markup(r->pool, m->worker->name));
    else
        putf(r, "%d", m->lbfactor);
    put(r, "</td>");
}

static void html_state_cell(req *r, const view *v, const member_view *m)
{
    const char *name = state_names[m->state];
    putf(r, "<td class=\"s-%s\" data-key=\"state\" data-value=\"%s\"", name, name);
    putf(r, " title=\"%s", rating_names[m->rating]);
    if (m->state == VS_ERROR)
        putf(r, "; probed again in " I64 " s", seconds_until(v->now, m->probe_due));
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
    putf(r, "<tr id=\"m.%s.%s\">", markup(r->pool, lb->worker->name),
         markup(r->pool, m->worker->name));
    putf(r, "<th scope=\"row\" data-key=\"name\" title=\"%s\">%s</th>",
         markup(r->pool, m->worker->endpoint), markup(r->pool, m->worker->name));
    putf(r, "<td data-key=\"route\">%s</td>", markup(r->pool, c->route));
    putf(r, "<td data-key=\"domain\">%s</td>", markup(r->pool, c->domain));
    putf(r, "<td data-key=\"redirect\">%s</td>", markup(r->pool, c->redirect));
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
    if (can_act(r))
        html_member_actions(r, lb, m);
    put(r, "</tr>\n");
}

static void html_lb_header(req *r, const lb_view *lb)
{
    const jk_worker_config *c = lb->cfg;
    putf(r, "<section id=\"lb.%s\">\n<h2>Load balancer %s</h2>\n",
         markup(r->pool, lb->worker->name), markup(r->pool, lb->worker->name));
    putf(r, "<p class=\"meta\">method %s &middot; sticky_session %s%s &middot; recover_time %d s "
         "&middot; retries %d &middot; members: <span class=\"good\">%d good</span>, "
         "<span class=\"degraded\">%d degraded</span>, <span class=\"bad\">%d bad</span>",
         jk_config_method_name(c->method), c->sticky_session ? "on" : "off",
         c->sticky_session_force ? " (forced)" : "", c->recover_time, c->retries,
         lb->count[RATING_GOOD], lb->count[RATING_DEGRADED], lb->count[RATING_BAD]);
    if (can_act(r)) {
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
    if (can_act(r))
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
    for (int i = 0; can_act(r) && i < v->ajps->nelts; i++)
        if (APR_ARRAY_IDX(v->ajps, i, member_view).lbs->nelts == 0)
            return 1;
    return 0;
}

static void html_ajp_row(req *r, const member_view *m, int actions)
{
    const jk_worker_config *c = m->cfg;
    putf(r, "<tr id=\"w.%s\">", markup(r->pool, m->worker->name));
    putf(r, "<th scope=\"row\" data-key=\"name\">%s</th>", markup(r->pool, m->worker->name));
    putf(r, "<td data-key=\"endpoint\">%s</td>", markup(r->pool, m->worker->endpoint));
    putf(r, "<td data-key=\"lbs\">%s</td>",
         m->lbs->nelts ? markup(r->pool, join_names(r->pool, m->lbs)) : "&ndash;");
    html_num(r, "connection_pool_size", (uint64_t)pool_size(r->sw, c), NULL);
    html_num(r, "connection_pool_minsize", (uint64_t)pool_minsize(r->sw, c), NULL);
    putf(r, "<td data-key=\"connection_pool_timeout\">%s</td>",
         s_text(r->pool, c->connection_pool_timeout));
    putf(r, "<td data-key=\"socket_connect_timeout\">%s</td>",
         ms_text(r->pool, c->socket_connect_timeout));
    putf(r, "<td data-key=\"socket_timeout\">%s</td>", s_text(r->pool, c->socket_timeout));
    putf(r, "<td data-key=\"reply_timeout\">%s</td>", ms_text(r->pool, c->reply_timeout));
    putf(r, "<td data-key=\"ping\">%s</td>", c->ping_mode
         ? apr_psprintf(r->pool, "%s, %d ms", ping_mode_text(r->pool, c->ping_mode),
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
    if (can_act(r))
        put(r, "Changes apply to every httpd child at once and survive graceful restarts "
            "(not a full stop); workers.properties is not changed.");
    put(r, "</p>\n</body>\n</html>\n");
}

static void render_html(req *r, const view *v)
{
    html_head(r);
    html_intro(r, v);
    for (int i = 0; i < v->lbs->nelts; i++)
        html_lb(r, v, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    html_ajps(r, v);
    html_foot(r);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

static const char *js(req *r, const char *text)
{
    return json_string(r->pool, text);
}

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
         js(r, jk_config_activation_name(m->activation)), js(r, state_names[m->state]),
         js(r, rating_names[m->rating]), m->lbfactor, (apr_uint64_t)m->lb_value);
    json_counters(r, m);
    putf(r, ",\"last_check\":%s,\"last_check_ok\":%s", json_time(r, m->last_check),
         m->last_check ? (m->last_check_ok ? "true" : "false") : "null");
    putf(r, ",\"error_time\":%s,\"seconds_since_error\":%s,\"seconds_to_probe\":%s}",
         json_time(r, m->error_time),
         m->error_time ? apr_psprintf(r->pool, I64, seconds_since(v->now, m->error_time))
                       : "null",
         m->state == VS_ERROR ? apr_psprintf(r->pool, I64, seconds_until(v->now, m->probe_due))
                              : "null");
}

static void json_lb(req *r, const view *v, const lb_view *lb)
{
    const jk_worker_config *c = lb->cfg;
    putf(r, "{\"name\":%s,\"method\":%s,\"sticky_session\":%s,\"sticky_session_force\":%s,"
         "\"recover_time\":%d,\"retries\":%d,\"good\":%d,\"degraded\":%d,\"bad\":%d,"
         "\"members\":[", js(r, lb->worker->name), js(r, jk_config_method_name(c->method)),
         bool_text(c->sticky_session), bool_text(c->sticky_session_force), c->recover_time,
         c->retries, lb->count[RATING_GOOD], lb->count[RATING_DEGRADED], lb->count[RATING_BAD]);
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
         pool_size(r->sw, c), pool_minsize(r->sw, c), c->connection_pool_timeout,
         c->socket_connect_timeout, c->socket_timeout, c->reply_timeout,
         js(r, ping_mode_text(r->pool, c->ping_mode)), c->ping_timeout, c->max_packet_size);
    json_counters(r, m);
    put(r, "}");
}

static void render_json(req *r, const view *v)
{
    putf(r, "{\"status_worker\":%s,\"time\":" I64 ",\"read_only\":%s,\"token\":%s,"
         "\"action_url\":%s,\n\"lbs\":[", js(r, r->sw->base.name),
         (apr_int64_t)apr_time_sec(v->now), bool_text(r->sw->cfg->read_only),
         can_act(r) ? js(r, r->sw->token) : "null", js(r, r->s->uri ? r->s->uri : ""));
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
/* Prometheus text format 0.0.4                                         */

typedef uint64_t (*metric_fn)(const member_view *m);

static uint64_t m_requests(const member_view *m) { return m->requests; }
static uint64_t m_errors(const member_view *m) { return m->errors; }
static uint64_t m_client_errors(const member_view *m) { return m->client_errors; }
static uint64_t m_reply_timeouts(const member_view *m) { return m->reply_timeouts; }
static uint64_t m_bytes_read(const member_view *m) { return m->bytes_read; }
static uint64_t m_bytes_written(const member_view *m) { return m->bytes_written; }
static uint64_t m_busy(const member_view *m) { return (uint64_t)m->busy; }
static uint64_t m_max_busy(const member_view *m) { return (uint64_t)m->max_busy; }
static uint64_t m_lbfactor(const member_view *m) { return (uint64_t)m->lbfactor; }
static uint64_t m_distance(const member_view *m) { return (uint64_t)m->cfg->distance; }
static uint64_t m_lb_value(const member_view *m) { return m->lb_value; }
static uint64_t m_error_time(const member_view *m)
{
    return m->error_time > 0 ? (uint64_t)apr_time_sec(m->error_time) : 0;
}

typedef struct metric_def {
    const char *name;
    const char *type;
    const char *help;
    metric_fn value;
    int members_only;       /* only lb members have it */
} metric_def;

static const metric_def metrics[] = {
    { "jk_requests_total", "counter", "Requests sent to the backend.", m_requests, 0 },
    { "jk_errors_total", "counter", "Requests that failed on the backend's side.", m_errors, 0 },
    { "jk_client_errors_total", "counter", "Requests that failed on the client's side.",
      m_client_errors, 0 },
    { "jk_reply_timeouts_total", "counter", "Backend replies that exceeded reply_timeout.",
      m_reply_timeouts, 0 },
    { "jk_request_bytes_total", "counter", "Request body bytes sent to the backend.",
      m_bytes_read, 0 },
    { "jk_response_bytes_total", "counter", "Response body bytes sent to clients.",
      m_bytes_written, 0 },
    { "jk_busy", "gauge", "Requests running on the backend now.", m_busy, 0 },
    { "jk_max_busy", "gauge", "Most requests running at once since start or reset.",
      m_max_busy, 0 },
    { "jk_member_lbfactor", "gauge", "Load balancing weight of the member.", m_lbfactor, 1 },
    { "jk_member_distance", "gauge", "Distance of the member; the lowest usable wins.",
      m_distance, 1 },
    { "jk_member_lb_value", "gauge", "Load balancing value of the member; the lowest is chosen.",
      m_lb_value, 1 },
    { "jk_member_last_error_timestamp_seconds", "gauge",
      "When the member last went into error or started a probe (0: never).", m_error_time, 1 },
};

static const char *member_labels(req *r, const char *lb, const char *member)
{
    return apr_psprintf(r->pool, "lb=\"%s\",member=\"%s\"", prom_label(r->pool, lb),
                        prom_label(r->pool, member));
}

static void prom_family_head(req *r, const char *name, const char *type, const char *help)
{
    putf(r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A worker not shown in any lb on this page gets a worker label instead of lb and member. */
static int prom_plain(const view *v, const member_view *m)
{
    return in_some_lb(v, m->worker->name) == NULL;
}

static int member_count(const view *v)
{
    int n = 0;
    for (int i = 0; i < v->lbs->nelts; i++)
        n += APR_ARRAY_IDX(v->lbs, i, lb_view).n;
    return n;
}

static int prom_samples(const view *v, const metric_def *d)
{
    int n = member_count(v);
    for (int i = 0; i < v->ajps->nelts && !d->members_only; i++)
        n += prom_plain(v, &APR_ARRAY_IDX(v->ajps, i, member_view));
    return n;
}

static void prom_family(req *r, const view *v, const metric_def *d)
{
    if (prom_samples(v, d) == 0)
        return;
    prom_family_head(r, d->name, d->type, d->help);
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            putf(r, "%s{%s} " U64 "\n", d->name,
                 member_labels(r, lb->worker->name, lb->members[k].worker->name),
                 (apr_uint64_t)d->value(&lb->members[k]));
    }
    for (int i = 0; i < v->ajps->nelts && !d->members_only; i++) {
        const member_view *m = &APR_ARRAY_IDX(v->ajps, i, member_view);
        if (prom_plain(v, m))
            putf(r, "%s{worker=\"%s\"} " U64 "\n", d->name,
                 prom_label(r->pool, m->worker->name), (apr_uint64_t)d->value(m));
    }
}

/* A state set: one sample per possible value, 1 for the current one. */
static void prom_member_sets(req *r, const view *v)
{
    if (member_count(v) == 0)
        return;
    prom_family_head(r, "jk_member_activation", "gauge",
                     "Activation of the member: 1 for the current one.");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            for (int a = 0; a < 3; a++)
                putf(r, "jk_member_activation{%s,activation=\"%s\"} %d\n",
                     member_labels(r, lb->worker->name, lb->members[k].worker->name),
                     activation_labels[a], (int)lb->members[k].activation == a);
    }
    prom_family_head(r, "jk_member_state", "gauge", "State of the member: 1 for the current one.");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            for (int st = 0; st < VS_COUNT; st++)
                putf(r, "jk_member_state{%s,state=\"%s\"} %d\n",
                     member_labels(r, lb->worker->name, lb->members[k].worker->name),
                     state_labels[st], (int)lb->members[k].state == st);
    }
}

static void prom_lb_ratings(req *r, const view *v)
{
    if (v->lbs->nelts == 0)
        return;
    prom_family_head(r, "jk_lb_members", "gauge",
                     "Members of the lb by rating (the status worker's good and bad keys).");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < 3; k++)
            putf(r, "jk_lb_members{lb=\"%s\",rating=\"%s\"} %d\n",
                 prom_label(r->pool, lb->worker->name), rating_names[k], lb->count[k]);
    }
}

static void render_prometheus(req *r, const view *v)
{
    for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
        prom_family(r, v, &metrics[i]);
    prom_member_sets(r, v);
    prom_lb_ratings(r, v);
}

/* ------------------------------------------------------------------ */
/* XML                                                                  */

static const char *xa(req *r, const char *text)
{
    return markup(r->pool, text);
}

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
         jk_config_activation_name(m->activation), state_names[m->state],
         rating_names[m->rating], m->lbfactor, (apr_uint64_t)m->lb_value, xa(r, c->route),
         xa(r, c->redirect), xa(r, c->domain), c->distance);
    xml_counters(r, m);
    putf(r, " error_time=\"" I64 "\" seconds_since_error=\"" I64 "\"/>\n",
         m->error_time ? (apr_int64_t)apr_time_sec(m->error_time) : (apr_int64_t)0,
         m->error_time ? seconds_since(v->now, m->error_time) : (apr_int64_t)-1);
}

static void xml_lb(req *r, const view *v, const lb_view *lb)
{
    const jk_worker_config *c = lb->cfg;
    const char *ns = r->sw->ns;
    putf(r, "    <%sbalancer name=\"%s\" type=\"lb\" method=\"%s\" sticky_session=\"%s\" "
         "sticky_session_force=\"%s\" recover_time=\"%d\" retries=\"%d\" member_count=\"%d\" "
         "good=\"%d\" degraded=\"%d\" bad=\"%d\">\n", ns, xa(r, lb->worker->name),
         jk_config_method_name(c->method), bool_text(c->sticky_session),
         bool_text(c->sticky_session_force), c->recover_time, c->retries, lb->n,
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
         xa(r, join_names(r->pool, m->lbs)), pool_size(r->sw, c), pool_minsize(r->sw, c),
         c->connection_pool_timeout, c->socket_connect_timeout, c->socket_timeout,
         c->reply_timeout, ping_mode_text(r->pool, c->ping_mode), c->ping_timeout,
         c->max_packet_size);
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
         bool_text(r->sw->cfg->read_only));
}

static void render_xml(req *r, const view *v)
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
/* Properties                                                           */

static void prop(req *r, const char *worker, const char *key, const char *value)
{
    putf(r, "%s.%s.%s=%s\n", r->sw->cfg->prefix ? r->sw->cfg->prefix : "worker", worker, key,
         prop_value(r->pool, value));
}

static void propn(req *r, const char *worker, const char *key, apr_int64_t value)
{
    prop(r, worker, key, apr_psprintf(r->pool, I64, value));
}

static void propu(req *r, const char *worker, const char *key, uint64_t value)
{
    prop(r, worker, key, apr_psprintf(r->pool, U64, (apr_uint64_t)value));
}

static void prop_lb(req *r, const lb_view *lb)
{
    const char *n = lb->worker->name;
    prop(r, n, "type", "lb");
    prop(r, n, "balance_workers", member_names(r->pool, lb));
    prop(r, n, "method", jk_config_method_name(lb->cfg->method));
    prop(r, n, "sticky_session", bool_text(lb->cfg->sticky_session));
    prop(r, n, "sticky_session_force", bool_text(lb->cfg->sticky_session_force));
    propn(r, n, "recover_time", lb->cfg->recover_time);
    propn(r, n, "retries", lb->cfg->retries);
    propn(r, n, "good", lb->count[RATING_GOOD]);
    propn(r, n, "degraded", lb->count[RATING_DEGRADED]);
    propn(r, n, "bad", lb->count[RATING_BAD]);
}

static void prop_member_state(req *r, const member_view *m)
{
    const char *n = m->worker->name;
    prop(r, n, "activation", jk_config_activation_name(m->activation));
    propn(r, n, "lbfactor", m->lbfactor);
    prop(r, n, "route", m->cfg->route);
    prop(r, n, "domain", m->cfg->domain);
    prop(r, n, "redirect", m->cfg->redirect);
    propn(r, n, "distance", m->cfg->distance);
    prop(r, n, "state", state_names[m->state]);
    prop(r, n, "rating", rating_names[m->rating]);
    propn(r, n, "error_time", m->error_time ? (apr_int64_t)apr_time_sec(m->error_time) : 0);
}

static void prop_ajp(req *r, const member_view *m)
{
    const char *n = m->worker->name;
    const jk_worker_config *c = m->cfg;
    prop(r, n, "type", "ajp13");
    prop(r, n, "host", c->host);
    propn(r, n, "port", c->port);
    propn(r, n, "connection_pool_size", pool_size(r->sw, c));
    propn(r, n, "connection_pool_minsize", pool_minsize(r->sw, c));
    propn(r, n, "connection_pool_timeout", c->connection_pool_timeout);
    propn(r, n, "socket_connect_timeout", c->socket_connect_timeout);
    propn(r, n, "socket_timeout", c->socket_timeout);
    propn(r, n, "reply_timeout", c->reply_timeout);
    propu(r, n, "requests", m->requests);
    propu(r, n, "errors", m->errors);
    propu(r, n, "client_errors", m->client_errors);
    propu(r, n, "reply_timeouts", m->reply_timeouts);
    propn(r, n, "busy", m->busy);
    propn(r, n, "max_busy", m->max_busy);
    propu(r, n, "bytes_read", m->bytes_read);
    propu(r, n, "bytes_written", m->bytes_written);
}

static const char *top_level_names(req *r, const view *v)
{
    apr_array_header_t *names = apr_array_make(r->pool, 4, sizeof(const char *));
    for (int i = 0; i < v->lbs->nelts; i++)
        APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(v->lbs, i, lb_view).worker->name;
    for (int i = 0; i < v->ajps->nelts; i++) {
        const member_view *m = &APR_ARRAY_IDX(v->ajps, i, member_view);
        if (m->lbs->nelts == 0)
            APR_ARRAY_PUSH(names, const char *) = m->worker->name;
    }
    return join_names(r->pool, names);
}

static void render_prop(req *r, const view *v)
{
    putf(r, "%s.list=%s\n", r->sw->cfg->prefix ? r->sw->cfg->prefix : "worker",
         prop_value(r->pool, top_level_names(r, v)));
    for (int i = 0; i < v->lbs->nelts; i++)
        prop_lb(r, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    for (int i = 0; i < v->ajps->nelts; i++) {
        const member_view *m = &APR_ARRAY_IDX(v->ajps, i, member_view);
        const member_view *lm = in_some_lb(v, m->worker->name);
        prop_ajp(r, m);
        if (lm)
            prop_member_state(r, lm);
    }
}

/* ------------------------------------------------------------------ */
/* Text: one line per worker, key=value pairs                           */

static const char *tv(req *r, const char *text)
{
    return percent_encode(r->pool, text, ":/,@+");
}

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
         jk_config_activation_name(m->activation), state_names[m->state],
         rating_names[m->rating], m->lbfactor, (apr_uint64_t)m->lb_value);
    txt_counters(r, m);
    putf(r, " seconds_since_error=%s\n",
         m->error_time ? apr_psprintf(r->pool, I64, seconds_since(v->now, m->error_time)) : "-");
}

static void txt_lb(req *r, const view *v, const lb_view *lb)
{
    putf(r, "lb name=%s method=%s sticky_session=%s recover_time=%d members=%d good=%d "
         "degraded=%d bad=%d\n", tv(r, lb->worker->name), jk_config_method_name(lb->cfg->method),
         bool_text(lb->cfg->sticky_session), lb->cfg->recover_time, lb->n,
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
         tv(r, m->worker->name), tv(r, m->worker->endpoint), tv(r, join_names(r->pool, m->lbs)),
         pool_size(r->sw, c), pool_minsize(r->sw, c), c->connection_pool_timeout,
         c->socket_connect_timeout, c->socket_timeout, c->reply_timeout);
    txt_counters(r, m);
    put(r, "\n");
}

static void render_txt(req *r, const view *v)
{
    for (int i = 0; i < v->lbs->nelts; i++)
        txt_lb(r, v, &APR_ARRAY_IDX(v->lbs, i, lb_view));
    for (int i = 0; i < v->ajps->nelts; i++)
        txt_ajp(r, &APR_ARRAY_IDX(v->ajps, i, member_view));
}

/* ------------------------------------------------------------------ */
/* mod_jk's result, version and dump answers                            */

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
         prop_value(r->pool, value));
}

/*
 * mod_jk's "Result: type=OK message=..." in txt, xml or prop, which scripts
 * written for it look for.  0 when `r->mime` is none of those.
 */
static int put_result(req *r, const char *type, const char *message, const char **ctype)
{
    const char *ns = r->sw->ns;
    *ctype = "text/plain; charset=utf-8";
    if (strcasecmp(r->mime, "txt") == 0) {
        putf(r, "Result: type=%s message=\"%s\"\n", type, message);
    } else if (strcasecmp(r->mime, "prop") == 0) {
        prop(r, "result", "type", type);
        prop(r, "result", "message", message);
    } else if (strcasecmp(r->mime, "xml") == 0) {
        *ctype = "application/xml";
        xml_prolog(r);
        putf(r, ">\n  <%sresult type=\"%s\" message=\"%s\"/>\n</%sstatus>\n", ns, type,
             xa(r, message), ns);
    } else {
        return 0;
    }
    return 1;
}

static const char *server_name(req *r)
{
    return r->s->server_name ? r->s->server_name : "";
}

static void render_version(req *r, const char **ctype)
{
    const char *ns = r->sw->ns;
    int port = r->s->server_port;
    if (strcasecmp(r->mime, "json") == 0) {
        *ctype = "application/json";
        putf(r, "{\"server_name\":%s,\"server_port\":%d,\"jk_version\":%s}\n",
             js(r, server_name(r)), port, js(r, JK_SOFTWARE));
    } else if (strcasecmp(r->mime, "xml") == 0) {
        *ctype = "application/xml";
        xml_prolog(r);
        putf(r, ">\n  <%sserver name=\"%s\" port=\"%d\"/>\n  <%ssoftware jk_version=\"%s\"/>\n"
             "</%sstatus>\n", ns, xa(r, server_name(r)), port, ns, JK_SOFTWARE, ns);
    } else if (strcasecmp(r->mime, "prop") == 0) {
        *ctype = "text/plain; charset=utf-8";
        prop_top(r, "server_name", server_name(r));
        prop_top(r, "server_port", apr_itoa(r->pool, port));
        prop_top(r, "jk_version", JK_SOFTWARE);
    } else {
        *ctype = "text/plain; charset=utf-8";
        putf(r, "Server: name=%s port=%d\nSoftware: jk_version=%s\n",
             tv(r, server_name(r)), port, JK_SOFTWARE);
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
        putf(r, "%s=%s\n", markup(r->pool, p->key), markup(r->pool, p->value));
    else
        putf(r, "%s=%s\n", p->key, prop_value(r->pool, p->value));
}

/* workers.properties as httpd read it at start, without secrets (cmd=dump). */
static void render_dump(req *r, const char **ctype)
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
        xml_prolog(r);
        putf(r, ">\n  <%sconfiguration>\n", ns);
    } else if (html) {
        html_head(r);
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
static jk_result serve_facts(req *r, void (*render)(req *, const char **))
{
    const char *ctype, *ignored;
    apr_array_header_t *h;
    render(r, &ctype);
    h = base_headers(r, ctype);
    if (strcasecmp(r->mime, "txt") == 0 || strcasecmp(r->mime, "prop") == 0)
        put_result(r, "OK", "Action finished", &ignored);
    if (strcasecmp(r->mime, "html") == 0)
        add_page_headers(h);
    return send_out(r, 200, "OK", h);
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
                     jk_config_activation_name(m->activation), state_names[m->state],
                     rating_names[m->rating]);
        }
    }
}

static void check_json(req *r, const view *v)
{
    int first = 1;
    putf(r, "{\"ok\":%s,\"not_good\":[", bool_text(all_good(v)));
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++) {
            const member_view *m = &lb->members[k];
            if (m->rating == RATING_GOOD)
                continue;
            putf(r, "%s{\"lb\":%s,\"member\":%s,\"activation\":%s,\"state\":%s,\"rating\":%s}",
                 first ? "" : ",", js(r, lb->worker->name), js(r, m->worker->name),
                 js(r, jk_config_activation_name(m->activation)), js(r, state_names[m->state]),
                 js(r, rating_names[m->rating]));
            first = 0;
        }
    }
    put(r, "]}\n");
}

/* ------------------------------------------------------------------ */
/* Views                                                                */

typedef void (*render_fn)(req *r, const view *v);

typedef struct format {
    const char *mime;
    const char *content_type;
    render_fn render;
} format;

static const format formats[] = {
    { "html", "text/html; charset=utf-8", render_html },
    { "json", "application/json", render_json },
    { "prometheus", "text/plain; version=0.0.4; charset=utf-8", render_prometheus },
    { "xml", "application/xml", render_xml },
    { "prop", "text/plain; charset=utf-8", render_prop },
    { "txt", "text/plain; charset=utf-8", render_txt },
};

static const format *find_format(const char *mime)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcasecmp(formats[i].mime, mime) == 0)
            return &formats[i];
    return NULL;
}

/* w= names a worker this page can show: an lb or an ajp13 worker. */
static int known_worker(const req *r, const char *name)
{
    const jk_worker *w = jk_workers_find(r->sw->workers, name);
    return w && (w->config->type == JK_TYPE_LB || w->config->type == JK_TYPE_AJP13);
}

static jk_result serve_view(req *r, const format *f)
{
    apr_array_header_t *h = base_headers(r, f->content_type);
    if (f->render == render_html)
        add_page_headers(h);
    f->render(r, take_view(r));
    return send_out(r, 200, "OK", h);
}

static jk_result serve_check(req *r)
{
    int json = strcasecmp(r->mime, "json") == 0;
    apr_array_header_t *h = base_headers(r, json ? "application/json"
                                                 : "text/plain; charset=utf-8");
    view *v = take_view(r);
    if (json)
        check_json(r, v);
    else
        check_txt(r, v);
    return send_out(r, 200, "OK", h);
}

/* ------------------------------------------------------------------ */
/* Actions: finding what they are about                                 */

static int is_action_cmd(const char *cmd)
{
    return cmd && (!strcmp(cmd, "update") || !strcmp(cmd, "reset") || !strcmp(cmd, "recover"));
}

/*
 * Parameters of mod_jk's edit forms that this version does not apply: an
 * lb's own settings (vl*), an AJP13 worker's connection settings (va*, and
 * val0.. of the all-members form) and that form's att=.
 */
static int is_unchangeable_key(const char *key)
{
    return strncmp(key, "vl", 2) == 0 || strncmp(key, "va", 2) == 0 || strcmp(key, "att") == 0;
}

/* Does the request ask for a change?  Then it goes through action_refusal(). */
static int asks_for_change(const req *r)
{
    const apr_array_header_t *a = apr_table_elts(r->params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    if (is_action_cmd(param(r, "cmd")))
        return 1;
    for (int i = 0; i < a->nelts; i++)
        if (strncmp(e[i].key, "vw", 2) == 0 || is_unchangeable_key(e[i].key))
            return 1;
    return 0;
}

static int unchangeable_keys_absent(req *r)
{
    const apr_array_header_t *a = apr_table_elts(r->params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    for (int i = 0; i < a->nelts; i++)
        if (is_unchangeable_key(e[i].key))
            return fail(r, 409, apr_psprintf(r->pool, "%s= (lb settings vl*, connection "
                                             "settings va*, att=) is not changeable at run "
                                             "time in this version: change "
                                             "workers.properties and restart httpd",
                                             safe_text(r->pool, e[i].key)));
    return 0;
}

/* 0 when w= (and sw=) name what an action is about; else the HTTP status. */
static int find_target(req *r, target *t, int need_member)
{
    const char *w = param(r, "w"), *sub = param(r, "sw");
    const jk_worker *found;
    memset(t, 0, sizeof(*t));
    if (w == NULL || *w == '\0')
        return fail(r, 400, "w= must name a worker");
    found = known_worker(r, w) ? jk_workers_find(r->sw->workers, w) : NULL;
    if (found == NULL)
        return fail(r, 404, apr_psprintf(r->pool, "no lb or ajp13 worker named '%s'",
                                         safe_text(r->pool, w)));
    if (found->config->type == JK_TYPE_AJP13) {
        if (need_member || (sub && *sub))
            return fail(r, 400, "this action needs w=LB and sw=MEMBER");
        t->member = found;
        return 0;
    }
    t->lb = found;
    if (sub == NULL || *sub == '\0')
        return need_member ? fail(r, 400, "this action needs sw=MEMBER") : 0;
    if (!is_member_of(found, sub) || (t->member = jk_workers_find(r->sw->workers, sub)) == NULL ||
        t->member->shm == NULL)
        return fail(r, 404, apr_psprintf(r->pool, "lb %s has no member named '%s'", found->name,
                                         safe_text(r->pool, sub)));
    return 0;
}

/* Who did it, for mod_jk.log. */
static const char *who(req *r)
{
    const jk_service *s = r->s;
    if (s->remote_user)
        return apr_psprintf(r->pool, "user %s at %s", safe_text(r->pool, s->remote_user),
                            safe_text(r->pool, s->remote_addr));
    return apr_psprintf(r->pool, "client %s", safe_text(r->pool, s->remote_addr));
}

static jk_shm_lb *lb_record(const req *r, const jk_worker *lb)
{
    return lb ? jk_shm_lb_find(r->sw->shm, lb->name) : NULL;
}

static void lock_lb(jk_shm_lb *rec)
{
    if (rec)
        jk_shm_lock(rec);
}

static void unlock_lb(jk_shm_lb *rec)
{
    if (rec)
        jk_shm_unlock(rec);
}

/* ------------------------------------------------------------------ */
/* Actions: update                                                      */

/* A key that lives in the per-process configuration: only "no change" is accepted. */
static int unchanged_text(const char *given, const char *current)
{
    return given == NULL || strcmp(given, current ? current : "") == 0;
}

static int fixed_keys_unchanged(req *r, const jk_worker_config *c)
{
    const char *d = param(r, "vwd");
    int distance;
    if (d && parse_number(d, 0, 1000, &distance) != 0)
        return fail(r, 400, "vwd= must be a distance from 0 to 1000");
    if (!unchanged_text(param(r, "vwn"), c->route) ||
        !unchanged_text(param(r, "vwr"), c->redirect) ||
        !unchanged_text(param(r, "vwc"), c->domain) || (d && distance != c->distance))
        return fail(r, 409, "route, redirect, domain and distance are not changeable at run "
                    "time in this version: change workers.properties and restart httpd");
    return 0;
}

static int parse_update(req *r, const target *t, update *u)
{
    const char *a = param(r, "vwa"), *f = param(r, "vwf");
    memset(u, 0, sizeof(*u));
    if (!a && !f && !param(r, "vwn") && !param(r, "vwr") && !param(r, "vwc") && !param(r, "vwd"))
        return fail(r, 400, "update needs one of vwa, vwf, vwn, vwr, vwc, vwd");
    if (a && jk_config_parse_activation(a, &u->activation) != 0)
        return fail(r, 400, "vwa= must be A, D or S (or 0, 1, 2)");
    if (f && parse_number(f, 1, MAX_LBFACTOR, &u->lbfactor) != 0)
        return fail(r, 400, apr_psprintf(r->pool, "vwf= must be a number from 1 to %d",
                                         MAX_LBFACTOR));
    u->has_activation = a != NULL;
    u->has_lbfactor = f != NULL;
    return fixed_keys_unchanged(r, t->member->config);
}

static uint64_t highest_lb_value(const req *r, const jk_worker *lb)
{
    uint64_t max = 0;
    const apr_array_header_t *members = lb->config->members;
    for (int i = 0; i < members->nelts; i++) {
        const jk_worker *w = jk_workers_find(r->sw->workers,
                                             APR_ARRAY_IDX(members, i, jk_worker_config *)->name);
        uint64_t v = w && w->shm ? atomic_load(&w->shm->lb_value) : 0;
        if (v > max)
            max = v;
    }
    return max;
}

/* A member that comes back to Active starts level with the others, not with a flood. */
static void set_activation(req *r, const target *t, jk_activation to)
{
    jk_shm_member *rec = t->member->shm;
    jk_shm_lb *lock = lb_record(r, t->lb);
    int was;
    lock_lb(lock);
    was = atomic_exchange(&rec->activation, (int)to);
    if (was != (int)to && to == JK_ACTIVATION_ACTIVE) {
        atomic_store(&rec->lb_value, highest_lb_value(r, t->lb));
        atomic_store(&rec->ok_since, apr_time_now()); /* slow_start ramps from here */
    }
    unlock_lb(lock);
    if (was != (int)to)
        LOG(r->sw, JK_LOG_INFO, "status %s: %s set activation of member %s of lb %s: %s -> %s",
            r->sw->base.name, who(r), t->member->name, t->lb->name,
            jk_config_activation_name((jk_activation)was), jk_config_activation_name(to));
}

static void set_lbfactor(req *r, const target *t, int to)
{
    int was = atomic_exchange(&t->member->shm->lbfactor, to);
    if (was != to)
        LOG(r->sw, JK_LOG_INFO, "status %s: %s set lbfactor of member %s of lb %s: %d -> %d",
            r->sw->base.name, who(r), t->member->name, t->lb->name, was, to);
}

static int has_wildcard(const char *name)
{
    return name && strpbrk(name, "*?") != NULL;
}

/* sw= with * or ?, as mod_jk allows for updates: every member of the lb it matches. */
static int find_matching_members(req *r, apr_array_header_t *out)
{
    const char *w = param(r, "w"), *pattern = param(r, "sw");
    const jk_worker *lb = w && *w ? jk_workers_find(r->sw->workers, w) : NULL;
    const apr_array_header_t *members;
    if (lb == NULL || lb->config->type != JK_TYPE_LB)
        return fail(r, 404, apr_psprintf(r->pool, "a pattern in sw= needs w= to name an lb; "
                                         "no lb named '%s'", safe_text(r->pool, w)));
    members = lb->config->members;
    for (int i = 0; i < members->nelts; i++) {
        const char *name = APR_ARRAY_IDX(members, i, jk_worker_config *)->name;
        const jk_worker *m = jk_workers_find(r->sw->workers, name);
        if (m && m->shm && apr_fnmatch(pattern, name, 0) == APR_SUCCESS) {
            target *t = &APR_ARRAY_PUSH(out, target);
            t->lb = lb;
            t->member = m;
        }
    }
    if (out->nelts == 0)
        return fail(r, 404, apr_psprintf(r->pool, "no member of lb %s matches '%s'", lb->name,
                                         safe_text(r->pool, pattern)));
    return 0;
}

static int find_update_targets(req *r, apr_array_header_t *out)
{
    int status;
    if (has_wildcard(param(r, "sw")))
        return find_matching_members(r, out);
    if ((status = find_target(r, &APR_ARRAY_PUSH(out, target), 1)) != 0)
        return status;
    return 0;
}

static const char *target_names(req *r, const apr_array_header_t *targets)
{
    const char *names = "";
    for (int i = 0; i < targets->nelts; i++)
        names = apr_pstrcat(r->pool, names, i ? ", " : "",
                            APR_ARRAY_IDX(targets, i, target).member->name, NULL);
    return names;
}

/* Every target is checked before any is changed: an update applies to all or to none. */
static int do_update(req *r, const char **done)
{
    apr_array_header_t *targets = apr_array_make(r->pool, 4, sizeof(target));
    const target *t;
    update u;
    int status;
    if ((status = unchangeable_keys_absent(r)) != 0 ||
        (status = find_update_targets(r, targets)) != 0)
        return status;
    t = (const target *)targets->elts;
    for (int i = 0; i < targets->nelts; i++)
        if ((status = parse_update(r, &t[i], &u)) != 0)
            return status;
    for (int i = 0; i < targets->nelts; i++) {
        if (u.has_activation)
            set_activation(r, &t[i], u.activation);
        if (u.has_lbfactor)
            set_lbfactor(r, &t[i], u.lbfactor);
    }
    *done = apr_psprintf(r->pool, "%s %s of lb %s updated",
                         targets->nelts == 1 ? "member" : "members", target_names(r, targets),
                         t[0].lb->name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Actions: reset and recover                                           */

/* Zero one member's counters; what they were, for mod_jk.log ("requests 4 -> 0, ..."). */
static const char *reset_record(req *r, const jk_worker *w)
{
    jk_shm_member *rec = w->shm;
    uint64_t requests = atomic_exchange(&rec->requests, 0);
    uint64_t errors = atomic_exchange(&rec->errors, 0);
    uint64_t client_errors = atomic_exchange(&rec->client_errors, 0);
    uint64_t timeouts = atomic_exchange(&rec->reply_timeouts, 0);
    uint64_t bytes_read = atomic_exchange(&rec->bytes_read, 0);
    uint64_t bytes_written = atomic_exchange(&rec->bytes_written, 0);
    int busy = atomic_load(&rec->busy);
    int max_busy = atomic_exchange(&rec->max_busy, busy);
    return apr_psprintf(r->pool, "%s: requests " U64 " -> 0, errors " U64 " -> 0, client errors "
                        U64 " -> 0, reply timeouts " U64 " -> 0, bytes in " U64 " -> 0, bytes "
                        "out " U64 " -> 0, max busy %d -> %d", w->name, (apr_uint64_t)requests,
                        (apr_uint64_t)errors, (apr_uint64_t)client_errors,
                        (apr_uint64_t)timeouts, (apr_uint64_t)bytes_read,
                        (apr_uint64_t)bytes_written, max_busy, busy);
}

static const char *reset_lb(req *r, const jk_worker *lb)
{
    const apr_array_header_t *members = lb->config->members;
    const char *was = "";
    for (int i = 0; i < members->nelts; i++) {
        const jk_worker *w = jk_workers_find(r->sw->workers,
                                             APR_ARRAY_IDX(members, i, jk_worker_config *)->name);
        if (w && w->shm)
            was = apr_pstrcat(r->pool, was, *was ? "; " : "", reset_record(r, w), NULL);
    }
    return was;
}

static int do_reset(req *r, const char **done)
{
    target t;
    int status;
    const char *was;
    if ((status = find_target(r, &t, 0)) != 0)
        return status;
    was = t.member ? reset_record(r, t.member) : reset_lb(r, t.lb);
    if (t.lb && t.member)
        *done = apr_psprintf(r->pool, "counters of member %s of lb %s reset", t.member->name,
                             t.lb->name);
    else
        *done = apr_psprintf(r->pool, "counters of %s %s reset", t.lb ? "lb" : "worker",
                             t.lb ? t.lb->name : t.member->name);
    LOG(r->sw, JK_LOG_INFO, "status %s: %s: %s (%s)", r->sw->base.name, who(r), *done, was);
    return 0;
}

/* The longest recover_time of the lbs that have `name`: after it, every one of them probes. */
static int longest_recover_time(const req *r, const char *name)
{
    int longest = 0;
    for (int i = 0; i < r->sw->workers->all->nelts; i++) {
        const jk_worker *w = APR_ARRAY_IDX(r->sw->workers->all, i, jk_worker *);
        if (w->config->type == JK_TYPE_LB && is_member_of(w, name) &&
            w->config->recover_time > longest)
            longest = w->config->recover_time;
    }
    return longest;
}

static int do_recover(req *r, const char **done)
{
    target t;
    int status;
    jk_shm_member *rec;
    jk_shm_lb *lock;
    apr_time_t due;
    if ((status = find_target(r, &t, 1)) != 0)
        return status;
    rec = t.member->shm;
    if (atomic_load(&rec->state) == JK_MEMBER_OK)
        return fail(r, 409, apr_psprintf(r->pool, "member %s is not in error: nothing to "
                                         "recover", t.member->name));
    /* As if it went into error one recover_time ago: the next request probes it. */
    due = apr_time_now() - apr_time_from_sec(longest_recover_time(r, t.member->name)) - 1;
    lock = lb_record(r, t.lb);
    lock_lb(lock);
    atomic_store(&rec->error_time, (int64_t)due);
    unlock_lb(lock);
    *done = apr_psprintf(r->pool, "member %s of lb %s will be probed by the next request",
                         t.member->name, t.lb->name);
    LOG(r->sw, JK_LOG_INFO, "status %s: %s forced recovery: %s", r->sw->base.name, who(r),
        *done);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Actions: the POST                                                    */

/* The request body, at most MAX_FORM_BYTES; 0 when read, else the HTTP status. */
static int read_form(req *r, const char **out)
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

static int is_form(const jk_service *s)
{
    static const char type[] = "application/x-www-form-urlencoded";
    const char *ct = request_header(s, "Content-Type");
    size_t n = sizeof(type) - 1;
    return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' ||
                                                    ct[n] == ' ');
}

/* Same length, same bytes, in a time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
    size_t n = strlen(a);
    unsigned char diff = 0;
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* host[:port] in lower case, without the scheme's default port. */
static const char *normal_authority(req *r, const char *scheme, const char *text, size_t n)
{
    char *a = apr_pstrndup(r->pool, text, n);
    size_t len;
    for (char *p = a; *p; p++)
        *p = (char)apr_tolower(*p);
    len = strlen(a);
    if ((strcasecmp(scheme, "http") == 0 && len > 3 && strcmp(a + len - 3, ":80") == 0) ||
        (strcasecmp(scheme, "https") == 0 && len > 4 && strcmp(a + len - 4, ":443") == 0))
        *strrchr(a, ':') = '\0';
    return a;
}

/* Does an Origin or Referer URL name the host this request was sent to? */
static int names_this_host(req *r, const char *url)
{
    const char *sep = strstr(url, "://"), *start, *host = request_header(r->s, "Host");
    const char *scheme;
    size_t n;
    if (sep == NULL || sep == url)
        return 0;
    scheme = apr_pstrndup(r->pool, url, (apr_size_t)(sep - url));
    start = sep + 3;
    n = strcspn(start, "/?#");
    for (size_t i = n; i > 0; i--)
        if (start[i - 1] == '@') { /* a Referer may carry user:password@ */
            start += i;
            n -= i;
            break;
        }
    if (host == NULL || *host == '\0')
        host = apr_psprintf(r->pool, "%s:%d", server_name(r), r->s->server_port);
    return strcmp(normal_authority(r, scheme, start, n),
                  normal_authority(r, scheme, host, strlen(host))) == 0;
}

/*
 * What a browser tells about where a request comes from.  Another site can
 * make a browser send a GET or a form here, but not make it say that it
 * comes from this site: Sec-Fetch-Site, Origin and Referer are set by the
 * browser alone.  Scripts (curl) send none of them.  Sec-Fetch-Site, where a
 * browser sends it, decides alone: it needs no Host to compare with, so a
 * proxy in front that rewrites Host does not make the page's own forms fail.
 */
static const char *foreign_site(req *r)
{
    const char *site = request_header(r->s, "Sec-Fetch-Site");
    const char *origin = request_header(r->s, "Origin");
    const char *referer = request_header(r->s, "Referer");
    if (site)
        return strcasecmp(site, "same-origin") == 0 || strcasecmp(site, "none") == 0
                   ? NULL
                   : apr_psprintf(r->pool, "the browser says this request came from another "
                                  "site (Sec-Fetch-Site: %s)", safe_text(r->pool, site));
    /* Origin: null is a page that hides where it is. */
    if (origin && (strcmp(origin, "null") == 0 || !names_this_host(r, origin)))
        return apr_psprintf(r->pool, "the request came from another site (Origin: %s)",
                            safe_text(r->pool, origin));
    if (referer && !names_this_host(r, referer))
        return apr_psprintf(r->pool, "the request came from another site (Referer: %s)",
                            safe_text(r->pool, referer));
    return NULL;
}

/* strict_update: only a POST with the page's token, as no other site can read it. */
static const char *strict_refusal(req *r)
{
    const char *token = param(r, "token");
    if (strcmp(r->s->method, "POST") != 0)
        return "changes are accepted only as a POST carrying the status page's token "
               "(strict_update); nothing was changed";
    if (r->sw->token == NULL)
        return "no action token could be made at start-up; actions are disabled";
    if (token == NULL || !same_secret(token, r->sw->token))
        return "the action token is missing or wrong: reload the status page and try again";
    return NULL;
}

#define OPT_READ_ONLY 0x20     /* mod_jk's opt= bit for a read-only view */

/* mod_jk's page links to itself with opt=32 to browse without changing anything. */
static int asked_read_only(const req *r)
{
    int opt;
    return parse_number(param(r, "opt"), 0, 0xFFFF, &opt) == 0 && (opt & OPT_READ_ONLY);
}

/* Why the request may not change anything, or NULL when it may. */
static const char *action_refusal(req *r)
{
    const char *why;
    if (r->sw->cfg->read_only)
        return "this status worker is read only";
    if (asked_read_only(r))
        return "opt=32 asks for read only mode: this command is not allowed";
    if (strcmp(r->s->method, "HEAD") == 0)
        return "a HEAD request never changes anything; use GET or POST";
    if ((why = foreign_site(r)) != NULL)
        return why;
    return r->sw->cfg->strict_update ? strict_refusal(r) : NULL;
}

/* refresh=, or mod_jk's re= */
static const char *refresh_param(const req *r)
{
    return param(r, "refresh") ? param(r, "refresh") : param(r, "re");
}

/*
 * Where the browser goes after an action: the page it came from (mod_jk's
 * from=list, or from=show for one worker), so a reload does not repeat it.
 */
static const char *after_action_location(req *r)
{
    const char *loc = percent_encode(r->pool, r->s->uri ? r->s->uri : "/", "/%!$'()*+,;=:@");
    const char *from = param(r, "from"), *w = param(r, "w"), *sep = "?";
    int refresh;
    if (from && (strcmp(from, "show") == 0 || strcmp(from, "edit") == 0) && w && *w &&
        known_worker(r, w)) {
        loc = apr_pstrcat(r->pool, loc, "?cmd=show&w=", percent_encode(r->pool, w, ""), NULL);
        sep = "&";
    }
    if (parse_number(refresh_param(r), 1, MAX_REFRESH, &refresh) == 0)
        loc = apr_psprintf(r->pool, "%s%srefresh=%d", loc, sep, refresh);
    return loc;
}

static jk_result action_done(req *r, const char *done)
{
    apr_array_header_t *h;
    const char *ctype;
    if (strcasecmp(r->mime, "json") == 0) {
        h = base_headers(r, "application/json");
        putf(r, "{\"ok\":true,\"message\":%s}\n", js(r, done));
        return send_out(r, 200, "OK", h);
    }
    if (put_result(r, "OK", done, &ctype))
        return send_out(r, 200, "OK", base_headers(r, ctype));
    h = base_headers(r, "text/plain; charset=utf-8");
    add_header(h, "Location", after_action_location(r));
    putf(r, "%s; see %s\n", done, safe_text(r->pool, after_action_location(r)));
    return send_out(r, 303, "See Other", h);
}

static jk_result run_action(req *r)
{
    const char *cmd = param(r, "cmd"), *done = NULL;
    int status;
    if (cmd == NULL || !is_action_cmd(cmd))
        return refuse(r, 400, "a change needs cmd=update, cmd=reset or cmd=recover");
    if (strcmp(cmd, "update") == 0)
        status = do_update(r, &done);
    else if (strcmp(cmd, "reset") == 0)
        status = do_reset(r, &done);
    else
        status = do_recover(r, &done);
    return status != 0 ? refuse(r, status, r->why) : action_done(r, done);
}

static void set_mime(req *r)
{
    r->mime_asked = param(r, "mime") != NULL;
    r->mime = r->mime_asked ? param(r, "mime") : "html";
}

/* Refused (and logged) unless action_refusal() finds nothing against it. */
static jk_result serve_action(req *r)
{
    const char *why = action_refusal(r);
    if (why != NULL) {
        LOG(r->sw, JK_LOG_INFO, "status %s: refused %s from %s: %s", r->sw->base.name,
            safe_text(r->pool, param(r, "cmd")), who(r), why);
        return refuse(r, 403, why);
    }
    return run_action(r);
}

static jk_result serve_post(req *r)
{
    const char *body = NULL;
    int status;
    if (!is_form(r->s))
        return refuse(r, 415, "actions are sent as application/x-www-form-urlencoded");
    if ((status = read_form(r, &body)) != 0)
        return refuse(r, status, status == 413 ? "the form is too large" : "unreadable form");
    if ((r->params = parse_params(r->pool, body)) == NULL) {
        r->params = apr_table_make(r->pool, 1);
        return refuse(r, 400, "malformed form data");
    }
    set_mime(r);
    return serve_action(r);
}

/* ------------------------------------------------------------------ */
/* Requests                                                             */

static jk_result serve_get(req *r)
{
    const char *cmd;
    const format *f;
    if ((r->params = parse_params(r->pool, r->s->query_string)) == NULL) {
        r->params = apr_table_make(r->pool, 1);
        return refuse(r, 400, "malformed query string");
    }
    set_mime(r);
    if (asks_for_change(r))
        return serve_action(r);
    if (parse_number(refresh_param(r), 1, MAX_REFRESH, &r->refresh) != 0)
        r->refresh = 0;
    r->only = param(r, "w") && *param(r, "w") ? param(r, "w") : NULL;
    if (r->only && !known_worker(r, r->only))
        return refuse(r, 404, apr_psprintf(r->pool, "no lb or ajp13 worker named '%s'",
                                           safe_text(r->pool, r->only)));
    cmd = param(r, "cmd") ? param(r, "cmd") : "list";
    if (strcmp(cmd, "check") == 0)
        return serve_check(r);
    if (strcmp(cmd, "list") != 0 && strcmp(cmd, "show") != 0 && strcmp(cmd, "edit") != 0 &&
        strcmp(cmd, "version") != 0 && strcmp(cmd, "dump") != 0)
        return refuse(r, 400, apr_psprintf(r->pool, "unknown cmd '%s' (list, show, edit, check, "
                                           "version, dump, update, reset, recover)",
                                           safe_text(r->pool, cmd)));
    if ((f = find_format(r->mime)) == NULL)
        return refuse(r, 400, apr_psprintf(r->pool, "unknown mime '%s' (html, json, prometheus, "
                                           "xml, prop, txt)", safe_text(r->pool, r->mime)));
    if (cmd[0] == 'v' || cmd[0] == 'd') {
        if (f->render == render_prometheus)
            return refuse(r, 400, "cmd=version and cmd=dump have no Prometheus form");
        return serve_facts(r, cmd[0] == 'v' ? render_version : render_dump);
    }
    return serve_view(r, f);
}

static int user_allowed(const status_worker *sw, const char *user)
{
    const apr_array_header_t *users = sw->cfg->users;
    if (users == NULL || users->nelts == 0)
        return 1;
    if (user == NULL)
        return 0;
    for (int i = 0; i < users->nelts; i++) {
        const char *u = APR_ARRAY_IDX(users, i, const char *);
        if (sw->cfg->user_case_insensitive ? strcasecmp(u, user) == 0 : strcmp(u, user) == 0)
            return 1;
    }
    return 0;
}

/*
 * Only the canonical URL: "/jkstatus;x" or "/a/..;/jkstatus" are mapped to
 * this worker after normalisation, but httpd's <Location "/jkstatus"> rules
 * compare the URL as written and would not apply to them.
 */
static int canonical_uri(const req *r)
{
    char *norm;
    if (r->s->uri == NULL)
        return 1;
    return jk_uri_normalize(r->pool, r->s->uri, &norm) == JK_NORMALIZE_OK &&
           strcmp(norm, r->s->uri) == 0;
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
    if (!canonical_uri(&r)) {
        LOG(r.sw, JK_LOG_INFO, "status %s: refused %s from %s: not the canonical URL", w->name,
            safe_text(s->pool, s->uri), who(&r));
        return refuse(&r, 404, "the status worker answers only at its canonical URL");
    }
    if (!user_allowed(r.sw, s->remote_user)) {
        LOG(r.sw, JK_LOG_INFO, "status %s: refused %s: not in the user list", w->name, who(&r));
        return refuse(&r, 403, s->remote_user ? "this user may not use this status worker"
                                               : "this status worker needs an httpd-"
                                                 "authenticated user from its user list");
    }
    if (strcmp(s->method, "GET") == 0 || strcmp(s->method, "HEAD") == 0)
        return serve_get(&r);
    if (strcmp(s->method, "POST") == 0)
        return serve_post(&r);
    return refuse(&r, 405, "the status worker answers GET, HEAD and POST");
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
    sw->base.name = cfg->name;
    sw->base.type_name = "status";
    sw->base.ops = &status_ops;
    sw->base.config = cfg;
    sw->base.log = env->log;
    sw->base.endpoint = cfg->name;
    sw->base.impl = sw;
    sw->cfg = cfg;
    sw->workers = workers;
    sw->shm = env->shm;
    sw->token = env->token && *env->token ? env->token : NULL;
    sw->props = env->props;
    sw->threads_per_child = env->threads_per_child > 0 ? env->threads_per_child : 1;
    sw->good = parse_rules(sw, pool, "good", cfg->good);
    sw->bad = parse_rules(sw, pool, "bad", cfg->bad);
    setup_ns(sw);
    setup_xmlns(sw, pool);
    setup_doctype(sw);
    *out = &sw->base;
    return APR_SUCCESS;
}
