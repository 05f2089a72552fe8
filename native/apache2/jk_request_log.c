/*
 * jk_request_log.c: what is logged about a forwarded request: the JkRequestLogFormat
 * line in mod_jk.log (log_transaction hook), and the notes httpd's own LogFormat can
 * print (JK_WORKER_TYPE, JK_WORKER_ROUTE, JK_REQUEST_DURATION, JK_TIME_*: where its
 * time went, JK_LB_FIRST_* and JK_LB_LAST_*: the first and the last lb member tried,
 * with their shared figures).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_protocol.h"
#include "util_cfgtree.h"

#include "apr_strings.h"

#include <stdatomic.h>

#include "jk_config.h"
#include "jk_log.h"
#include "jk_shm.h"
#include "jk_worker.h"
#include "mod_jk.h"

enum { MEMBER_NOTES = 9 };

#define MEMBER_NOTE_KEYS(which) { "JK_LB_" which "_NAME", "JK_LB_" which "_VALUE", \
    "JK_LB_" which "_ACCESSED", "JK_LB_" which "_READ", "JK_LB_" which "_TRANSFERRED", \
    "JK_LB_" which "_ERRORS", "JK_LB_" which "_BUSY", "JK_LB_" which "_ACTIVATION", \
    "JK_LB_" which "_STATE" }
static const char *const first_member_keys[MEMBER_NOTES] = MEMBER_NOTE_KEYS("FIRST");
static const char *const last_member_keys[MEMBER_NOTES] = MEMBER_NOTE_KEYS("LAST");
#undef MEMBER_NOTE_KEYS

/* A member's shared figures, in the order of the key tables above; 0 if it has none. */
static int member_figures(apr_pool_t *p, const char *name, const char *values[MEMBER_NOTES])
{
    const jk_worker *m = jk_globals.workers ? jk_workers_find(jk_globals.workers, name) : NULL;
    jk_shm_member *rec;
    int state, busy;
    if (m == NULL || (rec = m->shm) == NULL)
        return 0;
    state = atomic_load(&rec->state);
    values[0] = name;
    values[1] = apr_off_t_toa(p, (apr_off_t)atomic_load(&rec->lb_value));
    values[2] = apr_off_t_toa(p, (apr_off_t)atomic_load(&rec->requests));
    values[3] = apr_off_t_toa(p, (apr_off_t)atomic_load(&rec->bytes_read));
    values[4] = apr_off_t_toa(p, (apr_off_t)atomic_load(&rec->bytes_written));
    values[5] = apr_off_t_toa(p, (apr_off_t)atomic_load(&rec->errors));
    busy = atomic_load(&rec->busy);
    values[6] = apr_off_t_toa(p, (apr_off_t)(busy > 0 ? busy : 0));
    values[7] = jk_config_activation_name((jk_activation)atomic_load(&rec->activation));
    values[8] = state == JK_MEMBER_OK ? "OK" : state == JK_MEMBER_PROBING ? "ERR/PRB" : "ERR";
    return 1;
}

static void add_notes(apr_table_t *notes, const char *const keys[MEMBER_NOTES],
                      const char *const values[MEMBER_NOTES])
{
    for (int i = 0; i < MEMBER_NOTES; i++)
        apr_table_addn(notes, keys[i], values[i]);
}

/* JK_LB_FIRST_* and JK_LB_LAST_* notes, for httpd's LogFormat; one lookup when they agree. */
static void set_member_notes(request_rec *r, const char *first, const char *last)
{
    const char *first_values[MEMBER_NOTES], *last_values[MEMBER_NOTES];
    int have = member_figures(r->pool, first, first_values);
    if (have)
        add_notes(r->notes, first_member_keys, first_values);
    if (strcmp(first, last) != 0)
        have = member_figures(r->pool, last, last_values);
    else
        memcpy(last_values, first_values, sizeof(last_values));
    if (have)
        add_notes(r->notes, last_member_keys, last_values);
}

/* Notes set once, at the end of the request: added, not searched for first. */
static void set_micros(request_rec *r, const char *key, apr_interval_time_t t)
{
    apr_table_addn(r->notes, key, apr_off_t_toa(r->pool, (apr_off_t)(t > 0 ? t : 0)));
}

/*
 * Where a request's time went, in microseconds: JK_TIME_TO_SEND from httpd reading the
 * request line to the request sent to Tomcat (the worker chosen, a connection taken,
 * connected or CPinged if need be), JK_TIME_TO_FIRST_BYTE from then to Tomcat's first
 * reply bytes, JK_TIME_REPLY from those to the end of the reply (passed to the client).
 * For the last attempt when there were several.  Only when a log format prints them:
 * they cost a few hundred instructions per request.
 */
static void set_timing_notes(request_rec *r, const jk_service *s, apr_time_t now)
{
    if (!jk_globals.timing_notes || s->sent_at == 0)
        return;
    set_micros(r, "JK_TIME_TO_SEND", s->sent_at - r->request_time);
    if (s->first_byte_at == 0)
        return;
    set_micros(r, "JK_TIME_TO_FIRST_BYTE", s->first_byte_at - s->sent_at);
    set_micros(r, "JK_TIME_REPLY", now - s->first_byte_at);
}

static int is_log_format_directive(const char *name)
{
    return strcasecmp(name, "LogFormat") == 0 || strcasecmp(name, "CustomLog") == 0 ||
           strcasecmp(name, "TransferLog") == 0 || strcasecmp(name, "ErrorLogFormat") == 0;
}

static int tree_mentions(const ap_directive_t *d, const char *what)
{
    for (; d; d = d->next) {
        if (d->directive && d->args && is_log_format_directive(d->directive) &&
            strstr(d->args, what))
            return 1;
        if (tree_mentions(d->first_child, what))
            return 1;
    }
    return 0;
}

int jk_log_formats_mention(const char *what)
{
    return tree_mentions(ap_conftree, what);
}

void jk_set_result_notes(request_rec *r, const jk_worker *w, const jk_service *s)
{
    apr_time_t now = apr_time_now();
    apr_table_addn(r->notes, "JK_WORKER_TYPE", w->type_name);
    if (s->route)
        apr_table_addn(r->notes, "JK_WORKER_ROUTE", s->route);
    if (strcmp(w->type_name, "lb") == 0 && s->member) {
        set_member_notes(r, s->first_member ? s->first_member : s->member, s->member);
    }
    set_micros(r, "JK_REQUEST_DURATION", now - r->request_time);
    set_timing_notes(r, s, now);
}

/* One JkRequestLogFormat item. */
static const char *log_item(request_rec *r, char item, apr_time_t took)
{
    const char *v;
    switch (item) {
    case 'b': return r->bytes_sent ? apr_off_t_toa(r->pool, r->bytes_sent) : "-";
    case 'B': return apr_off_t_toa(r->pool, r->bytes_sent);
    case 'H': return r->protocol;
    case 'm': return r->method;
    case 'p': return apr_itoa(r->pool, (int)ap_get_server_port(r));
    case 'q': return r->args ? apr_pstrcat(r->pool, "?", r->args, NULL) : "";
    case 'r': return r->the_request;
    case 's': return apr_itoa(r->pool, r->status);
    case 'T': return apr_psprintf(r->pool, "%" APR_TIME_T_FMT ".%06" APR_TIME_T_FMT,
                                  apr_time_sec(took), apr_time_usec(took));
    case 'D': return apr_psprintf(r->pool, "%" APR_TIME_T_FMT, took);
    case 'U': return (v = apr_table_get(r->notes, JK_NOTE_ORIG_URI)) ? v : r->uri;
    case 'v': return r->server->server_hostname;
    case 'V': return ap_get_server_name(r);
    case 'a': return r->useragent_ip;
    case 'w': return (v = apr_table_get(r->notes, JK_NOTE_WORKER)) ? v : "-";
    case 'R': return (v = apr_table_get(r->notes, "JK_WORKER_ROUTE")) ? v : "-";
    case '%': return "%";
    default:  return apr_psprintf(r->pool, "%%%c", item);
    }
}

static const char *format_request_log(request_rec *r, const char *format, apr_time_t took)
{
    const char *out = "";
    for (const char *p = format; *p; p++) {
        if (*p == '%' && p[1]) {
            out = apr_pstrcat(r->pool, out, log_item(r, *++p, took), NULL);
        } else if (*p == '%') {
            out = apr_pstrcat(r->pool, out, "%", NULL); /* a lone '%' at the end */
        } else {
            const char *next = strchr(p, '%');
            apr_size_t n = next ? (apr_size_t)(next - p) : strlen(p);
            out = apr_pstrcat(r->pool, out, apr_pstrndup(r->pool, p, n), NULL);
            p += n - 1;
        }
    }
    return out;
}

int jk_log_transaction(request_rec *r)
{
    jk_server_conf *c = jk_server_config(r->server);
    if (c->request_log_format == NULL || apr_table_get(r->notes, JK_NOTE_WORKER) == NULL)
        return DECLINED;
    jk_log_request(c->log, format_request_log(r, c->request_log_format,
                                              apr_time_now() - r->request_time));
    return DECLINED;
}
