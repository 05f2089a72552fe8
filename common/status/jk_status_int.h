/*
 * What the files of the status worker share (not part of its API; that is
 * jk_status.h).  A request goes through access (user list, canonical URL),
 * parsing (params.c), then either an action (actions.c) or a view: a
 * snapshot of the shared records (snapshot.c), the one model every format
 * reads, written by the renderer of its format (html.c, json.c,
 * prometheus.c, xml.c, properties.c, text.c) into a list of string pieces,
 * joined and sent once at the end (response.c).  Every string that comes
 * from the configuration or the request goes through the escaper of its
 * output format (escape.c).
 */
#ifndef JK_STATUS_INT_H
#define JK_STATUS_INT_H

#include "jk_status.h"

#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <stdarg.h>
#include <stdint.h>

#define MAX_FORM_BYTES 16384    /* a status form is a few hundred bytes */
#define MAX_REFRESH 86400       /* s */
#define MAX_LBFACTOR 100000     /* as workers.properties allows */

/* printf conversions for APR's formatter, which knows no %llu. */
#define U64 "%" APR_UINT64_T_FMT
#define I64 "%" APR_INT64_T_FMT

#define LOG(sw, level, ...) jk_log((sw)->base.log, level, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Types                                                                */

typedef enum rating {
    RATING_GOOD = 0,
    RATING_DEGRADED,
    RATING_BAD
} rating;

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

/* ------------------------------------------------------------------ */
/* escape.c: one escaper per output format                              */

const char *status_markup(apr_pool_t *pool, const char *text);        /* HTML and XML */
const char *status_json_string(apr_pool_t *pool, const char *text);   /* quotes included */
const char *status_prom_label(apr_pool_t *pool, const char *text);
const char *status_prop_value(apr_pool_t *pool, const char *text);
const char *status_percent_encode(apr_pool_t *pool, const char *text, const char *keep);
const char *status_query_value(apr_pool_t *pool, const char *text);
const char *status_safe_text(apr_pool_t *pool, const char *text);

/* ------------------------------------------------------------------ */
/* Output pieces: what the renderers write with                         */

static inline void put(req *r, const char *text)
{
    APR_ARRAY_PUSH(r->out, const char *) = text;
}

static inline void putf(req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void putf(req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put(r, apr_pvsprintf(r->pool, fmt, ap));
    va_end(ap);
}

/* The escapers as the renderers call them: JSON string, XML attribute, text value. */
static inline const char *js(req *r, const char *text)
{
    return status_json_string(r->pool, text);
}

static inline const char *xa(req *r, const char *text)
{
    return status_markup(r->pool, text);
}

static inline const char *tv(req *r, const char *text)
{
    return status_percent_encode(r->pool, text, ":/,@+");
}

/* ------------------------------------------------------------------ */
/* params.c: the query string and the form                              */

apr_table_t *status_parse_params(apr_pool_t *pool, const char *text);
const char *status_param(const req *r, const char *name);
int status_parse_number(const char *text, int min, int max, int *out);
const char *status_request_header(const jk_service *s, const char *name);
int status_read_form(req *r, const char **out);
int status_is_form(const jk_service *s);
const char *status_refresh_param(const req *r);
void status_set_mime(req *r);
const char *status_server_name(const req *r);

/* ------------------------------------------------------------------ */
/* response.c: headers, sending, refusing                               */

void status_add_header(apr_array_header_t *h, const char *name, const char *value);
apr_array_header_t *status_headers(req *r, const char *type);
void status_add_page_headers(apr_array_header_t *h);
jk_result status_send(req *r, int status, const char *reason, apr_array_header_t *headers);
jk_result status_refuse(req *r, int status, const char *message);

/* ------------------------------------------------------------------ */
/* rating.c: the good and bad keys                                      */

apr_array_header_t *status_parse_rules(status_worker *sw, apr_pool_t *pool, const char *key,
                                       const char *list);
rating status_rate(const status_worker *sw, jk_activation activation, view_state state);

/* ------------------------------------------------------------------ */
/* snapshot.c: the model, and the facts the renderers derive from it    */

extern const char *const status_state_names[VS_COUNT];
extern const char *const status_rating_names[3];
extern const char status_activation_letters[];

view *status_take_view(req *r);
int status_is_member_of(const jk_worker *lb, const char *name);
int status_known_worker(const req *r, const char *name);
int status_pool_size(const status_worker *sw, const jk_worker_config *c);
int status_pool_minsize(const status_worker *sw, const jk_worker_config *c);
const char *status_ping_mode_text(apr_pool_t *pool, unsigned mode);
const char *status_join_names(apr_pool_t *pool, const apr_array_header_t *names);
apr_int64_t status_seconds_since(apr_time_t now, apr_time_t then);
apr_int64_t status_seconds_until(apr_time_t now, apr_time_t then);
const member_view *status_in_some_lb(const view *v, const char *name);
const char *status_bool_text(int b);
int status_all_good(const view *v);

/* ------------------------------------------------------------------ */
/* The renderers, one file per format: the page, and the small answers   */
/* the format has (dumps take the shown properties, const jk_prop *)     */

void status_render_html(req *r, const view *v);
void status_html_dump(req *r, const apr_array_header_t *items);

void status_render_json(req *r, const view *v);
void status_json_error(req *r, int status, const char *message);
void status_json_done(req *r, const char *message);
void status_json_version(req *r, const char *software);
void status_json_dump(req *r, const apr_array_header_t *items);
void status_json_check(req *r, const view *v);

void status_render_prometheus(req *r, const view *v);

void status_render_xml(req *r, const view *v);
void status_xml_result(req *r, const char *type, const char *message);
void status_xml_version(req *r, const char *software);
void status_xml_dump(req *r, const apr_array_header_t *items);

void status_render_prop(req *r, const view *v);
void status_prop_result(req *r, const char *type, const char *message);
void status_prop_version(req *r, const char *software);
void status_prop_dump(req *r, const apr_array_header_t *items);

void status_render_txt(req *r, const view *v);
void status_txt_result(req *r, const char *type, const char *message);
void status_txt_version(req *r, const char *software);
void status_txt_dump(req *r, const apr_array_header_t *items);
void status_txt_check(req *r, const view *v);

/* ------------------------------------------------------------------ */
/* answers.c: which format gives the small answers                      */

int status_put_result(req *r, const char *type, const char *message, const char **ctype);
void status_render_version(req *r, const char **ctype);
void status_render_dump(req *r, const char **ctype);
jk_result status_serve_facts(req *r, void (*render)(req *, const char **));
jk_result status_serve_check(req *r);

/* ------------------------------------------------------------------ */
/* actions.c: who may do what, and the actions                          */

int status_user_allowed(const status_worker *sw, const char *user);
int status_canonical_uri(const req *r);
int status_can_act(const req *r);
int status_asks_for_change(const req *r);
const char *status_who(req *r);
jk_result status_serve_action(req *r);

#endif
