/*
 * jk_startup_log.c: mod_jk.log at start-up (post_config).  Every server's JkLogFile is
 * opened (a file below ServerRoot, or a piped log), one logger per distinct file and level;
 * then one line per worker says what it is set up as (ajp13 backend, lb members and method,
 * status worker), with the keys that have no effect and the configuration's warnings.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "apr_strings.h"

#include "jk_config.h"
#include "jk_log.h"
#include "mod_jk.h"

#define JK_DEFAULT_LOG_FILE "logs/mod_jk.log"

static apr_status_t open_log_file(apr_pool_t *p, server_rec *s, const char *name,
                                  apr_file_t **out)
{
    if (name[0] == '|') {
        piped_log *pl = ap_open_piped_log(p, name + 1);
        if (pl == NULL)
            return APR_EGENERAL;
        *out = ap_piped_log_write_fd(pl);
        return APR_SUCCESS;
    }
    name = ap_server_root_relative(p, name);
    if (name == NULL)
        return APR_EBADPATH;
    (void)s;
    return apr_file_open(out, name, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_APPEND,
                         APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD | APR_FPROT_WREAD,
                         p);
}

/* One logger per distinct JkLogFile; a vhost without its own uses the main server's. */
int jk_open_logs(apr_pool_t *p, server_rec *main_server)
{
    for (server_rec *s = main_server; s; s = s->next) {
        jk_server_conf *c = jk_server_config(s);
        jk_server_conf *mc = jk_server_config(main_server);
        apr_file_t *f;
        apr_status_t rv;
        const char *file = c->log_file ? c->log_file : JK_DEFAULT_LOG_FILE;
        int level = c->log_level != UNSET ? c->log_level : JK_LOG_DEFAULT_LEVEL;

        if (s != main_server && (c->log_file == NULL || c->log_file == mc->log_file) &&
            level == (mc->log_level != UNSET ? mc->log_level : JK_LOG_DEFAULT_LEVEL) &&
            c->stamp_format == mc->stamp_format) {
            c->log = mc->log;
            continue;
        }
        if ((rv = open_log_file(p, s, file, &f)) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, rv, s,
                         "mod_jk: cannot open JkLogFile %s", file);
            return !OK;
        }
        c->log = jk_log_create(p, f, level, c->stamp_format);
    }
    jk_globals.log = jk_server_config(main_server)->log;
    return OK;
}

static void log_lb_setup(apr_pool_t *p, const jk_worker_config *w)
{
    const char *members = "";
    for (int i = 0; i < w->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(w->members, i, jk_worker_config *);
        members = apr_psprintf(p, "%s%s%s (lbfactor %d, route %s, %s)", members, i ? ", " : "",
                               m->name, m->lbfactor, m->route,
                               jk_config_activation_name(m->activation));
    }
    jk_log(jk_globals.log, JK_LOG_INFO, "worker %s: lb over %s; method %s, sticky_session %s, "
           "recover_time %d s", w->name, members, jk_config_method_name(w->method),
           w->sticky_session ? (w->sticky_session_force ? "forced" : "on") : "off",
           w->recover_time);
}

void jk_log_worker_setup(const jk_config *cfg)
{
    for (int i = 0; i < cfg->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(cfg->workers, i, jk_worker_config *);
        if (w->type == JK_TYPE_LB) {
            log_lb_setup(cfg->workers->pool, w);
            continue;
        }
        if (w->type == JK_TYPE_STATUS) {
            jk_log(jk_globals.log, JK_LOG_INFO, "worker %s: status worker%s", w->name,
                   w->read_only ? " (read only)" : "");
            continue;
        }
        jk_log(jk_globals.log, JK_LOG_INFO, "worker %s: ajp13 to %s:%d, max_packet_size %d, "
               "connection_pool_size %s, socket_timeout %d s, secret %s", w->name, w->host,
               w->port, w->max_packet_size, w->connection_pool_size > 0
               ? apr_itoa(cfg->workers->pool, w->connection_pool_size) : "auto",
               w->socket_timeout, w->secret ? "set" : "none");
        for (int k = 0; k < w->ignored_keys->nelts; k++)
            jk_log(jk_globals.log, JK_LOG_WARN, "worker %s: %s is accepted but has no effect "
                   "in this version", w->name, APR_ARRAY_IDX(w->ignored_keys, k, const char *));
    }
    for (int i = 0; i < cfg->warnings->nelts; i++)
        jk_log(jk_globals.log, JK_LOG_WARN, "%s", APR_ARRAY_IDX(cfg->warnings, i, const char *));
}
