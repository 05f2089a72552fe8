/*
 * mod_jk.c: the httpd side of the connector: its hooks, and a request's way through them.
 *
 * The hooks, and the adapter between request_rec and jk_service.  Beside this file:
 *   jk_directives.c      the Jk* directives, the server records and their merging
 *   jk_mount_reload.c    JkMountFile, read at start-up and reloaded per child
 *   jk_request_log.c     JkRequestLogFormat, and the notes for httpd's LogFormat
 *   jk_request_facts.c   what Tomcat is told about a request
 *   jk_startup_log.c     mod_jk.log opened at start-up, and what each worker is set up as
 * They are the only files that know httpd's types; everything they decide is
 * delegated to common/.  Life cycle:
 *   check_config  read and validate workers.properties (also for configtest)
 *   post_config   open mod_jk.log, say which workers are set up
 *   child_init    create this process's workers and the maintenance thread
 *   translate     map the URI to a worker (on the normalised path)
 *   handler       forward the request
 *   log_transaction  the JkRequestLogFormat line
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_mpm.h"
#include "mod_log_config.h"
#include "util_filter.h"

#include "apr_date.h"
#include "apr_optional.h"
#include "apr_general.h"
#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_thread_cond.h"
#include "apr_file_info.h"

#include <limits.h>
#include <stdatomic.h>

#include "jk_ajp.h"
#include "jk_config.h"
#include "jk_log.h"
#include "jk_props.h"
#include "jk_service.h"
#include "jk_uri_map.h"
#include "jk_worker.h"
#include "mod_jk.h"

#define JK_HANDLER "jakarta-servlet"
#define JK_ENV_NO_JK "no-jk"

/* Process-wide state: one configuration, built in check_config. */
jk_global jk_globals;

/* ------------------------------------------------------------------ */
/* Start-up: configuration, logs, workers                               */

static jk_props *read_properties(apr_pool_t *p)
{
    jk_props *props = jk_props_create(p);
    if (jk_globals.workers_file)
        jk_props_load_file(props, jk_globals.workers_file);
    for (int i = 0; i < jk_globals.worker_lines->nelts; i++) {
        const jk_prop *line = &APR_ARRAY_IDX(jk_globals.worker_lines, i, jk_prop);
        jk_props_add_line(props, line->value, line->file, line->line);
    }
    return props;
}

static void report(apr_array_header_t *messages, int level, server_rec *s)
{
    for (int i = 0; i < messages->nelts; i++)
        ap_log_error(APLOG_MARK, APLOG_STARTUP | level, 0, s, "mod_jk: %s",
                     APR_ARRAY_IDX(messages, i, const char *));
}

static int check_mounts(server_rec *main_server, const jk_config *cfg, apr_array_header_t *errors,
                        apr_pool_t *p)
{
    for (server_rec *s = main_server; s; s = s->next) {
        jk_server_conf *c = jk_server_config(s);
        jk_check_rule_workers(c->mounts, cfg, errors, p);
        if (c->mount_file && (s == main_server || c != jk_server_config(main_server)))
            jk_load_mount_file(p, c->mount_file, cfg, errors, jk_globals.mount_warnings);
    }
    return errors->nelts;
}

static int jk_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    jk_props *props = read_properties(pconf);
    jk_config *cfg = jk_config_build(pconf, props);
    (void)plog;
    (void)ptemp;
    check_mounts(s, cfg, cfg->errors, pconf);
    report(cfg->warnings, APLOG_WARNING, s);
    report(jk_globals.mount_warnings, APLOG_WARNING, s);
    if (cfg->errors->nelts > 0) {
        report(cfg->errors, APLOG_CRIT, s);
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     "mod_jk: %d error(s) in the worker configuration%s%s; httpd will not start",
                     cfg->errors->nelts, jk_globals.workers_file ? " from " : "",
                     jk_globals.workers_file ? jk_globals.workers_file : "");
        return !OK;
    }
    jk_globals.config = cfg;
    jk_globals.props = props;
    return OK;
}

static int jk_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    memset(&jk_globals, 0, sizeof(jk_globals));
    jk_globals.worker_lines = apr_array_make(pconf, 4, sizeof(jk_prop));
    jk_globals.mount_warnings = apr_array_make(pconf, 2, sizeof(const char *));
    jk_globals.watchdog_interval = UNSET;
    return OK;
}

#define JK_SHM_KEY "jk_module_shared_state"

/*
 * The shared segment lives in the process pool, which survives graceful restarts
 * (the module itself is unloaded and loaded again): the new generation's segment
 * takes over members' state and counters from the previous one, which the old
 * children keep using until they finish.
 */
static apr_status_t create_shared_state(server_rec *s)
{
    apr_pool_t *process_pool = s->process->pool;
    jk_shm *previous = NULL, *shm;
    apr_status_t rv;
    int carried;

    apr_pool_userdata_get((void **)&previous, JK_SHM_KEY, process_pool);
    if ((rv = jk_shm_create(process_pool, jk_globals.config, &shm)) != APR_SUCCESS)
        return rv;
    carried = jk_shm_carry_over(shm, previous);
    if (previous) {
        jk_log(jk_globals.log, JK_LOG_INFO, "restart: %d worker(s) keep their state and counters",
               carried);
        apr_shm_destroy(previous->segment); /* the parent's mapping only */
    }
    apr_pool_userdata_set(shm, JK_SHM_KEY, apr_pool_cleanup_null, process_pool);
    jk_globals.shm = shm;
    return APR_SUCCESS;
}

/* Random hex, made before the children fork so that all of them accept it. */
static const char *make_token(apr_pool_t *p)
{
    unsigned char raw[16];
    char *hex = apr_palloc(p, sizeof(raw) * 2 + 1);
    if (apr_generate_random_bytes(raw, sizeof(raw)) != APR_SUCCESS)
        return NULL;
    for (size_t i = 0; i < sizeof(raw); i++)
        apr_snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    return hex;
}

static int jk_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_status_t rv;
    (void)plog;
    (void)ptemp;
    if (jk_globals.config == NULL)
        return !OK;
    if (jk_open_logs(pconf, s) != OK)
        return !OK;
    jk_finish_mounts(pconf, s);
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    if ((rv = create_shared_state(s)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_jk: cannot create shared memory");
        return !OK;
    }
    jk_globals.token = make_token(pconf);
    jk_globals.timing_notes = jk_log_formats_mention("JK_TIME_");
    jk_log_worker_setup(jk_globals.config);
    return OK;
}

/* ------------------------------------------------------------------ */
/* Per child: workers and their maintenance                             */

typedef struct maintainer {
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *wake;
    apr_thread_t *thread;
    int stop;
    apr_interval_time_t interval;
} maintainer;

static void *APR_THREAD_FUNC maintain_loop(apr_thread_t *t, void *data)
{
    maintainer *m = data;
    apr_thread_mutex_lock(m->mutex);
    while (!m->stop) {
        apr_thread_cond_timedwait(m->wake, m->mutex, m->interval);
        if (m->stop)
            break;
        apr_thread_mutex_unlock(m->mutex);
        jk_workers_maintain(jk_globals.workers, apr_time_now());
        apr_thread_mutex_lock(m->mutex);
    }
    apr_thread_mutex_unlock(m->mutex);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_status_t stop_maintainer(void *data)
{
    maintainer *m = data;
    apr_status_t rv;
    apr_thread_mutex_lock(m->mutex);
    m->stop = 1;
    apr_thread_cond_signal(m->wake);
    apr_thread_mutex_unlock(m->mutex);
    apr_thread_join(&rv, m->thread);
    return APR_SUCCESS;
}

/* Maintenance runs every worker.maintain (or JkWatchdogInterval), and often enough for health checks. */
static int maintenance_interval(void)
{
    const jk_config *cfg = jk_globals.config;
    int seconds = jk_globals.watchdog_interval != UNSET ? jk_globals.watchdog_interval
                                                        : cfg->maintain;
    for (int i = 0; i < cfg->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(cfg->workers, i, jk_worker_config *);
        if (w->health_check_interval > 0 && (seconds <= 0 || w->health_check_interval < seconds))
            seconds = w->health_check_interval;
    }
    return seconds;
}

static void start_maintainer(apr_pool_t *pchild, server_rec *s)
{
    int seconds = maintenance_interval();
    maintainer *m = apr_pcalloc(pchild, sizeof(*m));
    apr_status_t rv;

    if (seconds <= 0)
        return;
    m->interval = apr_time_from_sec(seconds);
    if ((rv = apr_thread_mutex_create(&m->mutex, APR_THREAD_MUTEX_DEFAULT, pchild)) != APR_SUCCESS ||
        (rv = apr_thread_cond_create(&m->wake, pchild)) != APR_SUCCESS ||
        (rv = apr_thread_create(&m->thread, NULL, maintain_loop, m, pchild)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, "mod_jk: cannot start the maintenance thread");
        return;
    }
    apr_pool_pre_cleanup_register(pchild, m, stop_maintainer);
}

static void jk_child_init(apr_pool_t *pchild, server_rec *s)
{
    jk_worker_env env;
    int threads = 1;
    apr_status_t rv;

    if (jk_globals.config == NULL)
        return;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    env.log = jk_globals.log;
    env.threads_per_child = threads > 0 ? threads : 1;
    env.shm = jk_globals.shm;
    env.token = jk_globals.token;
    env.props = jk_globals.props;
    rv = jk_workers_create(pchild, jk_globals.config, &env, &jk_globals.workers);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_jk: cannot create the workers");
        jk_log(jk_globals.log, JK_LOG_EMERG, "cannot create the workers in this process");
        jk_globals.workers = NULL;
        return;
    }
    start_maintainer(pchild, s);
    jk_start_live_maps(pchild, s);
}

/* ------------------------------------------------------------------ */
/* Mapping                                                              */

/* The rule's extensions, copied into the request: the map may be replaced meanwhile. */
static const jk_rule_ext *copy_ext(apr_pool_t *p, const jk_rule_ext *e)
{
    jk_rule_ext *c;
    if (e == NULL)
        return NULL;
    c = apr_pmemdup(p, e, sizeof(*c));
    c->active = e->active ? apr_pstrdup(p, e->active) : NULL;
    c->disabled = e->disabled ? apr_pstrdup(p, e->disabled) : NULL;
    c->stopped = e->stopped ? apr_pstrdup(p, e->stopped) : NULL;
    c->fail_on_status = e->fail_on_status ? apr_pstrdup(p, e->fail_on_status) : NULL;
    c->session_cookie = e->session_cookie ? apr_pstrdup(p, e->session_cookie) : NULL;
    c->session_path = e->session_path ? apr_pstrdup(p, e->session_path) : NULL;
    return c;
}

/* JkStripSession: "/a.html;jsessionid=X" is httpd's file "/a.html". */
static void strip_session_param(request_rec *r, const jk_server_conf *c)
{
    const char *name = c->strip_session_name ? c->strip_session_name : "jsessionid";
    char *param = apr_pstrcat(r->pool, ";", name, "=", NULL);
    char *at = strstr(r->uri, param), *end;
    if (at == NULL)
        return;
    end = at + 1;
    while (*end && *end != '/' && *end != ';')
        end++;
    memmove(at, end, strlen(end) + 1);
}

/* Is `rest` ("/x/...") in the directory `name`, whatever its case? */
static int in_dir_ci(const char *rest, const char *name)
{
    apr_size_t n = strlen(name);
    return strncasecmp(rest + 1, name, n) == 0 && (rest[n + 1] == '/' || rest[n + 1] == '\0');
}

/*
 * JkAutoAlias DIR: a request that no rule forwards, for /ctx/..., is served by httpd from
 * DIR/ctx/... when DIR/ctx is a directory (a webapp Tomcat deployed there), as an Alias
 * would. Its WEB-INF and META-INF are never served (404), nor a .war archive (403).
 * `path` is normalised: no spelling of WEB-INF gets past this.
 */
static int auto_alias(request_rec *r, const jk_server_conf *c, const char *path)
{
    const char *rest = strchr(path + 1, '/');
    const char *context = rest ? apr_pstrmemdup(r->pool, path + 1, (apr_size_t)(rest - path - 1))
                               : path + 1;
    apr_size_t n = strlen(context);
    apr_finfo_t dir;

    if (n == 0)
        return DECLINED;
    if (rest == NULL && n > 4 && strcasecmp(context + n - 4, ".war") == 0)
        return HTTP_FORBIDDEN;
    if (apr_stat(&dir, apr_pstrcat(r->pool, c->auto_alias, "/", context, NULL), APR_FINFO_TYPE,
                 r->pool) != APR_SUCCESS || dir.filetype != APR_DIR)
        return DECLINED;
    if (rest && (in_dir_ci(rest, "WEB-INF") || in_dir_ci(rest, "META-INF")))
        return HTTP_NOT_FOUND;
    r->filename = apr_pstrcat(r->pool, c->auto_alias, path, NULL);
    return OK;
}

static int jk_translate(request_rec *r)
{
    jk_server_conf *c = jk_server_config(r->server);
    const jk_uri_map *map;
    const jk_uri_rule *rule;
    const jk_worker_config *w;
    char *path;

    if (r->uri == NULL || r->proxyreq || r->uri[0] != '/')
        return DECLINED; /* "OPTIONS *" and the like are httpd's */
    map = jk_current_map(c, r);
    if ((map->rules->nelts == 0 && c->auto_alias == NULL) ||
        apr_table_get(r->subprocess_env, JK_ENV_NO_JK))
        return DECLINED;
    if (jk_uri_normalize(r->pool, r->uri, &path) != JK_NORMALIZE_OK) {
        jk_log(c->log, JK_LOG_INFO, "refused URI %s: it climbs above the root", r->uri);
        return HTTP_BAD_REQUEST;
    }
    if ((rule = jk_uri_map_find(map, path)) == NULL ||
        (w = jk_config_find(jk_globals.config, rule->worker)) == NULL) {
        if (c->strip_session > 0)
            strip_session_param(r, c);
        return c->auto_alias ? auto_alias(r, c, path) : DECLINED;
    }
    if ((c->options & JK_OPT_REJECT_UNSAFE_URI) && strpbrk(r->uri, "%\\")) {
        jk_log(c->log, JK_LOG_INFO, "refused URI %s for worker %s: RejectUnsafeURI", r->uri,
               w->name);
        return HTTP_FORBIDDEN;
    }
    apr_table_setn(r->notes, JK_NOTE_WORKER, w->name);
    ap_set_module_config(r->request_config, &jk_module, (void *)copy_ext(r->pool, rule->ext));
    r->handler = JK_HANDLER;
    /*
     * httpd's <Location> sections are matched after this hook: give them the path as
     * Tomcat resolves it, so "/jkstatus;x" meets <Location /jkstatus> too.  Tomcat still
     * receives the URI as the client wrote it (path parameters included).
     */
    apr_table_setn(r->notes, JK_NOTE_ORIG_URI, r->uri);
    r->uri = path;
    return DECLINED;
}

/* A mapped request is no file: skip httpd's directory and file walk. */
static int jk_map_to_storage(request_rec *r)
{
    if (apr_table_get(r->notes, JK_NOTE_WORKER))
        return OK;
    return DECLINED;
}

/* ------------------------------------------------------------------ */
/* The request adapter                                                  */

typedef struct jk_request_ctx {
    request_rec *r;
    apr_bucket_brigade *bb;
    int body_started;           /* ap_should_client_block() was called */
    int flush_packets;
    int flush_header;
    int use_server_errors;      /* statuses from this up get httpd's error page; 0: off */
    int server_error;           /* the status whose body is being dropped */
    apr_size_t pending;         /* body bytes in bb, not yet passed to the output filters */
    jk_service *s;
    /* What the response looked like before a backend's headers were applied: a response
     * held back (nothing passed to the output filters yet) can be undone for another member. */
    int saved;
    int status0;
    const char *status_line0;
    const char *content_type0;
    apr_time_t mtime0;
    apr_table_t *headers_out0;
    apr_table_t *err_headers_out0;
} jk_request_ctx;

static apr_status_t read_body(jk_service *s, char *buf, apr_size_t want, apr_size_t *got)
{
    jk_request_ctx *x = s->ctx;
    long n;
    if (!x->body_started) {
        x->body_started = 1;
        if (!ap_should_client_block(x->r)) {
            *got = 0;
            return APR_SUCCESS;
        }
    }
    n = ap_get_client_block(x->r, buf, want);
    if (n < 0) {
        *got = 0;
        return APR_EGENERAL;
    }
    *got = (apr_size_t)n;
    return APR_SUCCESS;
}

/* Once per request, before the first backend's headers change it. */
static void save_response_state(jk_request_ctx *x)
{
    request_rec *r = x->r;
    if (x->saved)
        return;
    x->saved = 1;
    x->status0 = r->status;
    x->status_line0 = r->status_line;
    x->content_type0 = r->content_type;
    x->mtime0 = r->mtime;
    x->headers_out0 = apr_table_copy(r->pool, r->headers_out);
    x->err_headers_out0 = apr_table_copy(r->pool, r->err_headers_out);
}

/* APR's parser answers 0 both for 1 January 1970 and for what is no date at all: only the
 * former, written as Tomcat writes dates, is a date. */
static int is_epoch_date(request_rec *r, const char *value)
{
    char *epoch = apr_palloc(r->pool, APR_RFC822_DATE_LEN);
    return apr_rfc822_date(epoch, 0) == APR_SUCCESS && strcmp(epoch, value) == 0;
}

/* Last-Modified as mod_jk passes it: through httpd, which spells the name its way and never
 * lets the date lie in the future. A value that is no date goes on as Tomcat sent it
 * (mod_jk would turn it into 1970: see docs/compatibility.md). */
static void set_last_modified(request_rec *r, const jk_header *h)
{
    apr_time_t when = apr_date_parse_http(h->value);
    if (when == APR_DATE_BAD && !is_epoch_date(r, h->value)) {
        apr_table_add(r->headers_out, h->name, h->value);
        return;
    }
    ap_update_mtime(r, when);
    ap_set_last_modified(r);
}

/* Tomcat's response headers into httpd's, with mod_jk's special cases: the media type in
 * lower case (so AddOutputFilterByType matches), one Location (the last one), and
 * Last-Modified through httpd. */
static void set_response_header(request_rec *r, const jk_header *h)
{
    if (strcasecmp(h->name, "Content-Type") == 0) {
        char *type = apr_pstrdup(r->pool, h->value);
        ap_content_type_tolower(type);
        ap_set_content_type(r, type);
    } else if (strcasecmp(h->name, "Location") == 0) {
        apr_table_set(r->headers_out, h->name, h->value);
    } else if (strcasecmp(h->name, "Last-Modified") == 0) {
        set_last_modified(r, h);
    } else {
        apr_table_add(r->headers_out, h->name, h->value);
    }
}

static apr_status_t start_response(jk_service *s, int status, const char *reason,
                                   const jk_header *headers, int num_headers)
{
    jk_request_ctx *x = s->ctx;
    request_rec *r = x->r;

    save_response_state(x);
    if (x->use_server_errors && status >= x->use_server_errors) {
        /* httpd answers with its own ErrorDocument; a 401 keeps Tomcat's challenge. */
        x->server_error = status;
        for (int i = 0; i < num_headers; i++)
            if (strcasecmp(headers[i].name, "WWW-Authenticate") == 0)
                apr_table_add(r->err_headers_out, headers[i].name, headers[i].value);
        return APR_SUCCESS;
    }
    r->status = status;
    if (reason && *reason)
        r->status_line = apr_psprintf(r->pool, "%d %s", status, reason);
    for (int i = 0; i < num_headers; i++)
        set_response_header(r, &headers[i]);
    if (x->flush_header) {
        s->response_started = 1;
        return ap_fflush(r->output_filters, x->bb);
    }
    return r->connection->aborted ? APR_ECONNABORTED : APR_SUCCESS;
}

/*
 * The body is gathered into writes of up to this much: Tomcat sends it in packets of
 * max_packet_size (8 KiB), and one write per packet costs the client a wake-up each.
 * The worker flushes sooner when Tomcat asks for a flush or is slow to send the rest
 * (see wait_backend in jk_ajp_worker.c).
 */
#define JK_WRITE_GATHER (64 * 1024)

static apr_status_t pass_body(jk_request_ctx *x, int flush)
{
    apr_status_t rv;
    x->s->response_started = 1;
    x->pending = 0;
    rv = flush ? ap_fflush(x->r->output_filters, x->bb)
               : ap_pass_brigade(x->r->output_filters, x->bb);
    apr_brigade_cleanup(x->bb);
    if (rv == APR_SUCCESS && x->r->connection->aborted)
        rv = APR_ECONNABORTED;
    return rv;
}

static apr_status_t write_body(jk_service *s, const char *buf, apr_size_t len)
{
    jk_request_ctx *x = s->ctx;
    apr_status_t rv;
    if (x->server_error)
        return APR_SUCCESS; /* Tomcat's error page is replaced by httpd's */
    /* A copy into heap buckets: the connection's buffer is reused for the next packet. */
    if ((rv = apr_brigade_write(x->bb, NULL, NULL, buf, len)) != APR_SUCCESS)
        return rv;
    x->pending += len;
    if (x->flush_packets || x->pending >= JK_WRITE_GATHER)
        return pass_body(x, x->flush_packets);
    return APR_SUCCESS;
}

static apr_status_t flush_body(jk_service *s)
{
    jk_request_ctx *x = s->ctx;
    return x->server_error ? APR_SUCCESS : pass_body(x, 1);
}

/* The member failed before the client got a byte: undo its headers, drop its body. */
static void discard_response(jk_service *s)
{
    jk_request_ctx *x = s->ctx;
    request_rec *r = x->r;
    apr_brigade_cleanup(x->bb);
    x->pending = 0;
    x->server_error = 0;
    if (!x->saved)
        return;
    r->status = x->status0;
    r->status_line = x->status_line0;
    r->content_type = x->content_type0;
    r->mtime = x->mtime0;
    r->headers_out = apr_table_copy(r->pool, x->headers_out0);
    r->err_headers_out = apr_table_copy(r->pool, x->err_headers_out0);
}

static const jk_service_io httpd_io = { read_body, start_response, write_body, flush_body,
                                        discard_response };

static apr_array_header_t *parse_status_list(apr_pool_t *p, const char *list)
{
    apr_array_header_t *codes = apr_array_make(p, 2, sizeof(int)), *items;
    items = jk_props_split_list(p, list);
    for (int i = 0; i < items->nelts; i++) {
        int code;
        if (jk_config_parse_int(APR_ARRAY_IDX(items, i, const char *), -999, 999, &code) == 0)
            APR_ARRAY_PUSH(codes, int) = code;
    }
    return codes;
}

/* What the mount rule's extensions change for this request. */
static void apply_rule_ext(request_rec *r, jk_service *s, jk_request_ctx *x)
{
    const jk_rule_ext *e = ap_get_module_config(r->request_config, &jk_module);
    if (e == NULL)
        return;
    if (e->reply_timeout > 0 && s->reply_timeout == 0)
        s->reply_timeout = e->reply_timeout;
    s->sticky_ignore = e->sticky_ignore > 0;
    s->session_cookie = e->session_cookie;
    s->session_path = e->session_path;
    s->members_active = e->active;
    s->members_disabled = e->disabled;
    s->members_stopped = e->stopped;
    if (e->fail_on_status)
        s->fail_on_status = parse_status_list(r->pool, e->fail_on_status);
    x->use_server_errors = e->use_server_errors;
}

static void build_service(request_rec *r, const jk_server_conf *c, jk_request_ctx *x,
                          jk_service *s)
{
    memset(s, 0, sizeof(*s));
    s->pool = r->pool;
    jk_collect_request_facts(r, c, s);
    s->disable_reuse = (c->options & JK_OPT_DISABLE_REUSE) != 0;
    s->io = &httpd_io;
    s->ctx = x;
    x->s = s;
}

/* APR's ring macros do arithmetic that clang flags; the pattern is APR's own and safe. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnull-pointer-subtraction"
#endif
static void append_bucket(apr_bucket_brigade *bb, apr_bucket *e)
{
    APR_BRIGADE_INSERT_TAIL(bb, e);
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

/* The response started and then broke: make sure the client cannot take it as complete. */
static void abort_response(request_rec *r, jk_request_ctx *x)
{
    conn_rec *c = r->connection;
    r->no_cache = 1;
    append_bucket(x->bb, ap_bucket_error_create(HTTP_BAD_GATEWAY, NULL, r->pool, c->bucket_alloc));
    append_bucket(x->bb, apr_bucket_eos_create(c->bucket_alloc));
    ap_pass_brigade(r->output_filters, x->bb);
    c->keepalive = AP_CONN_CLOSE;
}

static int finish_response(request_rec *r, jk_request_ctx *x)
{
    append_bucket(x->bb, apr_bucket_eos_create(r->connection->bucket_alloc));
    ap_pass_brigade(r->output_filters, x->bb);
    return OK;
}

static int jk_handler(request_rec *r)
{
    jk_server_conf *c = jk_server_config(r->server);
    const char *name = apr_table_get(r->notes, JK_NOTE_WORKER);
    jk_request_ctx x;
    jk_service s;
    jk_worker *w;
    jk_result res;
    int rc;

    if (name == NULL) {
        if (r->handler == NULL || strcmp(r->handler, JK_HANDLER) != 0)
            return DECLINED;
        /* SetHandler jakarta-servlet: the worker must be named; never guess one. */
        if ((name = jk_indicated(r, c, IND_WORKER)) == NULL)
            return DECLINED;
        apr_table_setn(r->notes, JK_NOTE_WORKER, name);
    }
    if (r->proxyreq)
        return HTTP_INTERNAL_SERVER_ERROR;
    if (jk_globals.workers == NULL || (w = jk_workers_find(jk_globals.workers, name)) == NULL) {
        jk_log(c->log, JK_LOG_ERROR, "no worker named %s for %s", name, r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK)
        return rc;

    memset(&x, 0, sizeof(x));
    x.r = r;
    x.bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    x.flush_packets = (c->options & JK_OPT_FLUSH_PACKETS) != 0;
    x.flush_header = (c->options & JK_OPT_FLUSH_HEADER) != 0;
    build_service(r, c, &x, &s);
    apply_rule_ext(r, &s, &x);
    s.want_times = jk_globals.timing_notes;

    jk_log_set_request_id(jk_indicated(r, c, IND_REQUEST_ID));
    res = w->ops->service(w, &s);
    jk_log_set_request_id(NULL);
    jk_set_result_notes(r, w, &s);
    if (res == JK_OK && x.server_error)
        return x.server_error;
    if (res == JK_OK)
        return finish_response(r, &x);
    if (s.response_started) {
        if (res != JK_ERR_CLIENT)
            abort_response(r, &x);
        else
            r->connection->keepalive = AP_CONN_CLOSE;
        return OK;
    }
    jk_service_discard_response(&s);
    if (res == JK_ERR_CLIENT)
        r->connection->keepalive = AP_CONN_CLOSE;
    return jk_result_http_status(res);
}

static void jk_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(jk_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(jk_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(jk_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(jk_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(jk_translate, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_map_to_storage(jk_map_to_storage, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(jk_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(jk_retrieve_ssl_functions, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(jk_log_transaction, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(jk) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    jk_create_server_conf,
    jk_merge_server_conf,
    jk_cmds,
    jk_register_hooks,
#ifdef AP_MODULE_FLAG_ALWAYS_MERGE
    AP_MODULE_FLAG_NONE
#endif
};
