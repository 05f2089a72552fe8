/*
 * mod_jk.c: the httpd side of the connector.
 *
 * Directives, hooks, and the adapter between request_rec and jk_service (what
 * Tomcat is told about a request is gathered in jk_request_facts.c).  These two
 * files are the only ones that know httpd's types; everything they decide is
 * delegated to common/.  Life cycle:
 *   check_config  read and validate workers.properties (also for configtest)
 *   post_config   open mod_jk.log, say which workers are set up
 *   child_init    create this process's workers and the maintenance thread
 *   translate     map the URI to a worker (on the normalised path)
 *   handler       forward the request
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
#define JK_NOTE_WORKER "JK_WORKER_NAME"
#define JK_ENV_NO_JK "no-jk"
#define JK_DEFAULT_LOG_FILE "logs/mod_jk.log"


module AP_MODULE_DECLARE_DATA jk_module;


/* Process-wide state: one configuration, built in check_config. */
typedef struct jk_global {
    const char *workers_file;
    const char *workers_file_where;   /* "file:line" of JkWorkersFile */
    apr_array_header_t *worker_lines; /* JkWorkerProperty: jk_prop */
    int mount_copy_all;
    apr_array_header_t *mount_warnings; /* unknown rule extensions, reported at start */
    int watchdog_interval;            /* s, UNSET: worker.maintain */
    jk_config *config;
    const jk_props *props;            /* what config was built from: the status worker's dump */
    jk_shm *shm;                      /* created by the parent, shared by the children */
    const char *token;                /* status worker actions; made by the parent */
    jk_worker_table *workers;         /* per child */
    const jk_logger *log;             /* main server's */
} jk_global;

static jk_global g;

/* ------------------------------------------------------------------ */
/* Configuration records                                                */

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    jk_server_conf *c = apr_pcalloc(p, sizeof(*c));
    (void)s;
    c->log_level = UNSET;
    c->mounts = jk_uri_map_create(p);
    c->mount_copy = UNSET;
    c->options = 0;
    c->env_vars = apr_array_make(p, 2, sizeof(jk_env_var));
    c->mount_file_reload = UNSET;
    c->strip_session = UNSET;
    c->extract_ssl = UNSET;
    return c;
}

/* Options: the base's, with the vhost's own +/- applied; the URI mode is replaced whole. */
static int merge_options(const jk_server_conf *base, const jk_server_conf *add)
{
    int opts = base->options;
    if (!add->options_set)
        return opts;
    if (add->options & JK_OPT_FWD_URI_MASK)
        opts &= ~JK_OPT_FWD_URI_MASK;
    return (opts | add->options) & ~add->options_minus;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const jk_server_conf *base = basev, *add = addv;
    jk_server_conf *c = apr_pcalloc(p, sizeof(*c));

    c->log_file = add->log_file ? add->log_file : base->log_file;
    c->log_level = add->log_level != UNSET ? add->log_level : base->log_level;
    c->stamp_format = add->stamp_format ? add->stamp_format : base->stamp_format;
    c->mount_copy = add->mount_copy;
    /* Mounts are copied from the main server only with JkMountCopy (decided in post_config). */
    c->mounts = add->mounts;
    c->options = merge_options(base, add);
    c->options_set = 1;
    c->options_minus = add->options_minus;
    c->env_vars = apr_array_append(p, base->env_vars, add->env_vars);
    /* A vhost's own JkMountFile, or the main server's with JkMountCopy (post_config). */
    c->mount_file = add->mount_file;
    c->auto_alias = add->auto_alias; /* the main server's only with JkMountCopy */
    c->mount_file_reload = add->mount_file_reload != UNSET ? add->mount_file_reload
                                                           : base->mount_file_reload;
    c->strip_session = add->strip_session != UNSET ? add->strip_session : base->strip_session;
    c->request_log_format = add->request_log_format ? add->request_log_format
                                                    : base->request_log_format;
    c->strip_session_name = add->strip_session_name ? add->strip_session_name
                                                    : base->strip_session_name;
    for (int i = 0; i < IND_COUNT; i++)
        c->indicators[i] = add->indicators[i] ? add->indicators[i] : base->indicators[i];
    c->extract_ssl = add->extract_ssl != UNSET ? add->extract_ssl : base->extract_ssl;
    return c;
}

static jk_server_conf *server_conf(server_rec *s)
{
    return ap_get_module_config(s->module_config, &jk_module);
}

/* ------------------------------------------------------------------ */
/* Directives                                                           */

static const char *where(cmd_parms *cmd)
{
    if (cmd->directive)
        return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename, cmd->directive->line_num);
    return "(unknown)";
}

static const char *set_workers_file(cmd_parms *cmd, void *dummy, const char *path)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dummy;
    if (err)
        return err;
    g.workers_file = ap_server_root_relative(cmd->pool, path);
    if (g.workers_file == NULL)
        return apr_psprintf(cmd->pool, "JkWorkersFile: bad path '%s'", path);
    g.workers_file_where = where(cmd);
    return NULL;
}

static const char *set_worker_property(cmd_parms *cmd, void *dummy, const char *line)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    jk_prop *p;
    (void)dummy;
    if (err)
        return err;
    /* A bare JkWorkerProperty (or one holding only a comment) sets nothing anyone can see. */
    if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
        return "JkWorkerProperty needs a name=value line";
    p = apr_array_push(g.worker_lines);
    p->key = NULL;
    p->value = apr_pstrdup(cmd->pool, line);
    p->file = cmd->directive ? cmd->directive->filename : "JkWorkerProperty";
    p->line = cmd->directive ? cmd->directive->line_num : 0;
    return NULL;
}

static const char *set_log_file(cmd_parms *cmd, void *dummy, const char *path)
{
    (void)dummy;
    server_conf(cmd->server)->log_file = apr_pstrdup(cmd->pool, path);
    return NULL;
}

static const char *set_log_level(cmd_parms *cmd, void *dummy, const char *level)
{
    int l = jk_log_level_parse(level);
    (void)dummy;
    if (l < 0)
        return apr_psprintf(cmd->pool, "JkLogLevel: '%s' is not one of trace, debug, info, "
                            "warn, error, emerg", level);
    server_conf(cmd->server)->log_level = l;
    return NULL;
}

static const char *set_stamp_format(cmd_parms *cmd, void *dummy, const char *format)
{
    (void)dummy;
    if (strlen(format) > 200)
        return "JkLogStampFormat: the format is longer than 200 characters";
    server_conf(cmd->server)->stamp_format = apr_pstrdup(cmd->pool, format);
    return NULL;
}

static const char *add_mount(cmd_parms *cmd, void *dir, const char *a1, const char *a2,
                             int exclude)
{
    const char *pattern = a1, *worker = a2, *err;
    jk_server_conf *c = server_conf(cmd->server);

    /* Inside <Location /path>, the one-argument form mounts the Location's own path. */
    if (a2 == NULL) {
        if (cmd->path == NULL)
            return apr_psprintf(cmd->pool, "%s needs a URI pattern and a worker name",
                                cmd->cmd->name);
        pattern = cmd->path;
        worker = a1;
    }
    (void)dir;
    if (worker[0] == ';')
        return apr_psprintf(cmd->pool, "%s %s: the worker name is missing", cmd->cmd->name, pattern);
    if (exclude)
        pattern = apr_pstrcat(cmd->pool, "!", pattern, NULL);
    err = jk_uri_map_add_spec(c->mounts, cmd->pool, pattern, worker, JK_RULE_FROM_JKMOUNT,
                              cmd->directive ? cmd->directive->filename : "",
                              cmd->directive ? cmd->directive->line_num : 0, g.mount_warnings);
    return err ? apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err) : NULL;
}

static const char *set_mount(cmd_parms *cmd, void *dir, const char *a1, const char *a2)
{
    return add_mount(cmd, dir, a1, a2, 0);
}

static const char *set_unmount(cmd_parms *cmd, void *dir, const char *a1, const char *a2)
{
    return add_mount(cmd, dir, a1, a2, 1);
}

static const char *set_mount_file(cmd_parms *cmd, void *dummy, const char *path)
{
    (void)dummy;
    if ((server_conf(cmd->server)->mount_file = ap_server_root_relative(cmd->pool, path)) == NULL)
        return apr_psprintf(cmd->pool, "JkMountFile: bad path '%s'", path);
    return NULL;
}

static const char *set_mount_file_reload(cmd_parms *cmd, void *dummy, const char *value)
{
    (void)dummy;
    if (jk_config_parse_int(value, 0, 86400, &server_conf(cmd->server)->mount_file_reload) != 0)
        return "JkMountFileReload takes a number of seconds (0: never reload)";
    return NULL;
}

/* JkStripSession On|Off [name]: drop ";jsessionid=..." from URLs httpd serves itself. */
static const char *set_strip_session(cmd_parms *cmd, void *dummy, const char *flag,
                                     const char *name)
{
    jk_server_conf *c = server_conf(cmd->server);
    (void)dummy;
    if (strcasecmp(flag, "on") != 0 && strcasecmp(flag, "off") != 0)
        return "JkStripSession takes On or Off, and optionally the parameter name";
    c->strip_session = strcasecmp(flag, "on") == 0;
    if (name)
        c->strip_session_name = apr_pstrdup(cmd->pool, name[0] == ';' ? name + 1 : name);
    return NULL;
}

static const char *set_request_log_format(cmd_parms *cmd, void *dummy, const char *format)
{
    (void)dummy;
    server_conf(cmd->server)->request_log_format = apr_pstrdup(cmd->pool, format);
    return NULL;
}

static const char *set_mount_copy(cmd_parms *cmd, void *dummy, const char *value)
{
    jk_server_conf *c = server_conf(cmd->server);
    (void)dummy;
    if (strcasecmp(value, "all") == 0) {
        if (cmd->server->is_virtual)
            return "JkMountCopy All belongs in the main server";
        g.mount_copy_all = 1;
    } else if (strcasecmp(value, "on") == 0) {
        c->mount_copy = 1;
    } else if (strcasecmp(value, "off") == 0) {
        c->mount_copy = 0;
    } else {
        return "JkMountCopy takes On, Off or All";
    }
    return NULL;
}

typedef struct option_name {
    const char *name;
    int flag;
} option_name;

static const option_name option_names[] = {
    { "ForwardURIProxy", JK_OPT_FWD_URI_PROXY },
    { "ForwardURICompat", JK_OPT_FWD_URI_COMPAT },
    { "ForwardURICompatUnparsed", JK_OPT_FWD_URI_COMPAT_UNPARSED },
    { "ForwardURIEscaped", JK_OPT_FWD_URI_ESCAPED },
    { "ForwardLocalAddress", JK_OPT_FWD_LOCAL_ADDRESS },
    { "ForwardPhysicalAddress", JK_OPT_FWD_PHYSICAL_ADDRESS },
    { "ForwardKeySize", JK_OPT_FWD_KEY_SIZE },
    { "FlushPackets", JK_OPT_FLUSH_PACKETS },
    { "FlushHeader", JK_OPT_FLUSH_HEADER },
    { "DisableReuse", JK_OPT_DISABLE_REUSE },
    { "RejectUnsafeURI", JK_OPT_REJECT_UNSAFE_URI },
    { "ForwardSSLCertChain", JK_OPT_FWD_CERT_CHAIN },
    { NULL, 0 }
};

/* Options mod_jk still accepts but that change nothing (slashes are always collapsed). */
static const char *const inert_options[] = {
    "CollapseSlashesAll", "CollapseSlashesNone", "CollapseSlashesUnmount",
    "ForwardDirectories", NULL
};

static int find_option(const char *name)
{
    for (int i = 0; option_names[i].name; i++)
        if (strcasecmp(option_names[i].name, name) == 0)
            return option_names[i].flag;
    for (int i = 0; inert_options[i]; i++)
        if (strcasecmp(inert_options[i], name) == 0)
            return 0;
    return -1;
}

static const char *set_options(cmd_parms *cmd, void *dummy, const char *arg)
{
    jk_server_conf *c = server_conf(cmd->server);
    char sign = '+';
    int flag;
    (void)dummy;

    if (*arg == '+' || *arg == '-')
        sign = *arg++;
    if ((flag = find_option(arg)) < 0)
        return apr_psprintf(cmd->pool, "JkOptions: unknown option '%s'", arg);
    if (sign == '-' && (flag & JK_OPT_FWD_URI_MASK) && flag <= JK_OPT_FWD_URI_MASK)
        return apr_psprintf(cmd->pool, "JkOptions: '-%s' is not allowed; choose another "
                            "ForwardURI option instead", arg);
    c->options_set = 1;
    if (sign == '-') {
        c->options_minus |= flag;
        c->options &= ~flag;
    } else {
        if (flag & JK_OPT_FWD_URI_MASK && flag <= JK_OPT_FWD_URI_MASK)
            c->options &= ~JK_OPT_FWD_URI_MASK;
        c->options |= flag;
        c->options_minus &= ~flag;
    }
    return NULL;
}

static const char *set_env_var(cmd_parms *cmd, void *dummy, const char *name, const char *def)
{
    jk_env_var *v;
    (void)dummy;
    /* Such names would let configuration include arbitrary files in Tomcat (Ghostcat). */
    if (!strncasecmp(name, "javax.servlet.", 14) || !strncasecmp(name, "jakarta.servlet.", 16))
        return apr_psprintf(cmd->pool, "JkEnvVar: '%s' may not be forwarded as a request "
                            "attribute", name);
    v = apr_array_push(server_conf(cmd->server)->env_vars);
    v->name = apr_pstrdup(cmd->pool, name);
    v->default_value = def ? apr_pstrdup(cmd->pool, def) : NULL;
    return NULL;
}

static const char *set_auto_alias(cmd_parms *cmd, void *dummy, const char *dir)
{
    char *path = ap_server_root_relative(cmd->pool, dir);
    apr_size_t n;
    (void)dummy;
    if (path == NULL || *dir == '\0')
        return apr_psprintf(cmd->pool, "JkAutoAlias: '%s' is not a usable directory", dir);
    for (n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
        path[n - 1] = '\0';
    server_conf(cmd->server)->auto_alias = path;
    return NULL;
}

/* Jk*Indicator NAME: cmd->info is the jk_indicator. */
static const char *set_indicator(cmd_parms *cmd, void *dummy, const char *name)
{
    (void)dummy;
    if (*name == '\0')
        return apr_psprintf(cmd->pool, "%s needs the name of an environment variable",
                            cmd->cmd->name);
    server_conf(cmd->server)->indicators[(intptr_t)cmd->info] = apr_pstrdup(cmd->pool, name);
    return NULL;
}

static const char *set_extract_ssl(cmd_parms *cmd, void *dummy, int on)
{
    (void)dummy;
    server_conf(cmd->server)->extract_ssl = on;
    return NULL;
}

static const char *set_watchdog(cmd_parms *cmd, void *dummy, const char *value)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dummy;
    if (err)
        return err;
    if (jk_config_parse_int(value, 0, 86400, &g.watchdog_interval) != 0)
        return "JkWatchdogInterval takes a number of seconds";
    return NULL;
}

/* Accepted for compatibility; the module keeps no state in shared memory yet. */
static const char *set_accepted(cmd_parms *cmd, void *dummy, const char *value)
{
    (void)cmd;
    (void)dummy;
    (void)value;
    return NULL;
}

static const command_rec jk_cmds[] = {
    AP_INIT_TAKE1("JkWorkersFile", set_workers_file, NULL, RSRC_CONF,
                  "the workers.properties file"),
    AP_INIT_RAW_ARGS("JkWorkerProperty", set_worker_property, NULL, RSRC_CONF,
                     "one workers.properties line"),
    AP_INIT_TAKE1("JkLogFile", set_log_file, NULL, RSRC_CONF,
                  "mod_jk.log path, or \"|program\""),
    AP_INIT_TAKE1("JkLogLevel", set_log_level, NULL, RSRC_CONF,
                  "trace, debug, info, warn, error or emerg"),
    AP_INIT_TAKE1("JkLogStampFormat", set_stamp_format, NULL, RSRC_CONF,
                  "strftime format of the log stamp (%Q: ms, %q: us)"),
    AP_INIT_TAKE12("JkMount", set_mount, NULL, RSRC_CONF | ACCESS_CONF,
                   "URI pattern and worker"),
    AP_INIT_TAKE12("JkUnMount", set_unmount, NULL, RSRC_CONF | ACCESS_CONF,
                   "URI pattern and worker to exclude"),
    AP_INIT_TAKE1("JkMountFile", set_mount_file, NULL, RSRC_CONF,
                  "the uriworkermap.properties file"),
    AP_INIT_TAKE1("JkMountFileReload", set_mount_file_reload, NULL, RSRC_CONF,
                  "seconds between checks of the JkMountFile for changes (0: never)"),
    AP_INIT_TAKE12("JkStripSession", set_strip_session, NULL, RSRC_CONF,
                   "On|Off [name]: strip the session path parameter from URLs httpd serves"),
    AP_INIT_TAKE1("JkRequestLogFormat", set_request_log_format, NULL, RSRC_CONF,
                  "a line per forwarded request in mod_jk.log: %w worker, %R route, %T/%D time, ..."),
    AP_INIT_TAKE1("JkMountCopy", set_mount_copy, NULL, RSRC_CONF,
                  "On, Off or All: copy the main server's mounts into virtual hosts"),
    AP_INIT_ITERATE("JkOptions", set_options, NULL, RSRC_CONF, "+/- options"),
    AP_INIT_TAKE12("JkEnvVar", set_env_var, NULL, RSRC_CONF,
                   "environment variable forwarded as a request attribute [default]"),
    AP_INIT_TAKE1("JkWatchdogInterval", set_watchdog, NULL, RSRC_CONF,
                  "seconds between maintenance runs"),
    AP_INIT_TAKE1("JkWorkerIndicator", set_indicator, (void *)IND_WORKER, RSRC_CONF,
                  "environment variable with the worker's name with SetHandler jakarta-servlet"),
    AP_INIT_TAKE1("JkHTTPSIndicator", set_indicator, (void *)IND_HTTPS, RSRC_CONF,
                  "environment variable with 'on' when the client used TLS"),
    AP_INIT_TAKE1("JkSSLPROTOCOLIndicator", set_indicator, (void *)IND_SSL_PROTOCOL, RSRC_CONF,
                  "environment variable with the TLS protocol"),
    AP_INIT_TAKE1("JkCERTSIndicator", set_indicator, (void *)IND_CERTS, RSRC_CONF,
                  "environment variable with the client certificate (PEM)"),
    AP_INIT_TAKE1("JkCIPHERIndicator", set_indicator, (void *)IND_CIPHER, RSRC_CONF,
                  "environment variable with the TLS cipher"),
    AP_INIT_TAKE1("JkSESSIONIndicator", set_indicator, (void *)IND_SESSION, RSRC_CONF,
                  "environment variable with the TLS session id"),
    AP_INIT_TAKE1("JkKEYSIZEIndicator", set_indicator, (void *)IND_KEY_SIZE, RSRC_CONF,
                  "environment variable with the cipher's key size"),
    AP_INIT_TAKE1("JkCERTCHAINPrefix", set_indicator, (void *)IND_CERT_CHAIN_PREFIX, RSRC_CONF,
                  "environment variable with the client certificate chain, numbered from 0"),
    AP_INIT_TAKE1("JkRequestIdIndicator", set_indicator, (void *)IND_REQUEST_ID, RSRC_CONF,
                  "environment variable with the request id in mod_jk.log lines"),
    AP_INIT_TAKE1("JkRemoteAddrIndicator", set_indicator, (void *)IND_REMOTE_ADDR, RSRC_CONF,
                  "environment variable with the client's address"),
    AP_INIT_TAKE1("JkRemotePortIndicator", set_indicator, (void *)IND_REMOTE_PORT, RSRC_CONF,
                  "environment variable with the client's port"),
    AP_INIT_TAKE1("JkRemoteHostIndicator", set_indicator, (void *)IND_REMOTE_HOST, RSRC_CONF,
                  "environment variable with the client's host name"),
    AP_INIT_TAKE1("JkRemoteUserIndicator", set_indicator, (void *)IND_REMOTE_USER, RSRC_CONF,
                  "environment variable with the authenticated user"),
    AP_INIT_TAKE1("JkAuthTypeIndicator", set_indicator, (void *)IND_AUTH_TYPE, RSRC_CONF,
                  "environment variable with the authentication type"),
    AP_INIT_TAKE1("JkLocalNameIndicator", set_indicator, (void *)IND_LOCAL_NAME, RSRC_CONF,
                  "environment variable with the server name"),
    AP_INIT_TAKE1("JkLocalAddrIndicator", set_indicator, (void *)IND_LOCAL_ADDR, RSRC_CONF,
                  "environment variable with the server's address"),
    AP_INIT_TAKE1("JkLocalPortIndicator", set_indicator, (void *)IND_LOCAL_PORT, RSRC_CONF,
                  "environment variable with the server's port"),
    AP_INIT_TAKE1("JkIgnoreCLIndicator", set_indicator, (void *)IND_IGNORE_CL, RSRC_CONF,
                  "environment variable with set: stream the body, ignoring Content-Length"),
    AP_INIT_TAKE1("JkAutoAlias", set_auto_alias, NULL, RSRC_CONF,
                  "Tomcat's webapps directory: serve its contexts' static files"),
    AP_INIT_FLAG("JkExtractSSL", set_extract_ssl, NULL, RSRC_CONF,
                 "On: forward the TLS facts of the request (the default)"),
    AP_INIT_TAKE1("JkShmFile", set_accepted, NULL, RSRC_CONF, "shared memory file"),
    AP_INIT_TAKE1("JkShmSize", set_accepted, NULL, RSRC_CONF, "shared memory size (KB)"),
    { .name = NULL }
};

/* ------------------------------------------------------------------ */
/* Start-up: configuration, logs, workers                               */

static jk_props *read_properties(apr_pool_t *p)
{
    jk_props *props = jk_props_create(p);
    if (g.workers_file)
        jk_props_load_file(props, g.workers_file);
    for (int i = 0; i < g.worker_lines->nelts; i++) {
        const jk_prop *line = &APR_ARRAY_IDX(g.worker_lines, i, jk_prop);
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

/* Every rule must name a worker that can be mounted (or "*" for an exclusion). */
static void check_rule_workers(const jk_uri_map *m, const jk_config *cfg,
                               apr_array_header_t *errors, apr_pool_t *p)
{
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *r = &APR_ARRAY_IDX(m->rules, i, jk_uri_rule);
        const jk_worker_config *w;
        if (strcmp(r->worker, "*") == 0 && r->exclude)
            continue;
        w = jk_config_find(cfg, r->worker);
        if (w == NULL || !w->mountable)
            APR_ARRAY_PUSH(errors, const char *) = apr_psprintf(p,
                "%s:%d: %s %s names worker '%s', which is not in worker.list; %s", r->file,
                r->line,
                r->source == JK_RULE_FROM_MOUNTFILE ? "rule" : r->exclude ? "JkUnMount" : "JkMount",
                r->pattern, r->worker, jk_config_mount_hint(p, cfg, r->worker));
    }
}

/* A JkMountFile read into a map of its own; problems go to `errors`. */
static jk_uri_map *load_mount_file(apr_pool_t *p, const char *path, const jk_config *cfg,
                                   apr_array_header_t *errors, apr_array_header_t *warnings)
{
    jk_uri_map *m = jk_uri_map_create(p);
    jk_uri_map_load_file(m, p, path, errors, warnings);
    check_rule_workers(m, cfg, errors, p);
    return m;
}

static int check_mounts(server_rec *main_server, const jk_config *cfg, apr_array_header_t *errors,
                        apr_pool_t *p)
{
    for (server_rec *s = main_server; s; s = s->next) {
        jk_server_conf *c = server_conf(s);
        check_rule_workers(c->mounts, cfg, errors, p);
        if (c->mount_file && (s == main_server || c != server_conf(main_server)))
            load_mount_file(p, c->mount_file, cfg, errors, g.mount_warnings);
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
    report(g.mount_warnings, APLOG_WARNING, s);
    if (cfg->errors->nelts > 0) {
        report(cfg->errors, APLOG_CRIT, s);
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     "mod_jk: %d error(s) in the worker configuration%s%s; httpd will not start",
                     cfg->errors->nelts, g.workers_file ? " from " : "",
                     g.workers_file ? g.workers_file : "");
        return !OK;
    }
    g.config = cfg;
    g.props = props;
    return OK;
}

static int jk_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    memset(&g, 0, sizeof(g));
    g.worker_lines = apr_array_make(pconf, 4, sizeof(jk_prop));
    g.mount_warnings = apr_array_make(pconf, 2, sizeof(const char *));
    g.watchdog_interval = UNSET;
    return OK;
}

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
static int open_logs(apr_pool_t *p, server_rec *main_server)
{
    for (server_rec *s = main_server; s; s = s->next) {
        jk_server_conf *c = server_conf(s);
        jk_server_conf *mc = server_conf(main_server);
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
    g.log = server_conf(main_server)->log;
    return OK;
}

/*
 * Virtual hosts get the main server's mounts only with JkMountCopy On (or All).
 * A vhost without any Jk directive shares the main server's record (httpd does
 * not create one for it), so it gets a record of its own here.
 */
static jk_server_conf *own_vhost_conf(apr_pool_t *p, server_rec *s, const jk_server_conf *main)
{
    jk_server_conf *c = apr_pmemdup(p, main, sizeof(*c));
    c->mounts = jk_uri_map_create(p);
    c->mount_copy = UNSET;
    c->mount_file = NULL;
    c->auto_alias = NULL;
    ap_set_module_config(s->module_config, &jk_module, c);
    return c;
}

/* The map a server starts with: its JkMount rules plus its JkMountFile's. */
static void build_start_map(apr_pool_t *p, jk_server_conf *c)
{
    apr_array_header_t *ignored = apr_array_make(p, 1, sizeof(const char *));
    c->static_mounts = c->mounts;
    if (c->mount_file) {
        c->mounts = jk_uri_map_copy(p, c->static_mounts);
        jk_uri_map_merge(c->mounts, load_mount_file(p, c->mount_file, g.config, ignored, ignored));
    }
    jk_uri_map_prepare(c->mounts);
}

static void finish_mounts(apr_pool_t *p, server_rec *main_server)
{
    jk_server_conf *mc = server_conf(main_server);
    for (server_rec *s = main_server->next; s; s = s->next) {
        jk_server_conf *c = server_conf(s);
        int copy;
        if (c == mc)
            c = own_vhost_conf(p, s, mc);
        copy = c->mount_copy != UNSET ? c->mount_copy : g.mount_copy_all;
        if (copy) {
            c->mounts = jk_uri_map_copy(p, c->mounts);
            jk_uri_map_merge(c->mounts, mc->mounts);
            if (c->mount_file == NULL)
                c->mount_file = mc->mount_file;
            if (c->auto_alias == NULL)
                c->auto_alias = mc->auto_alias;
        }
        build_start_map(p, c);
    }
    build_start_map(p, mc);
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
    jk_log(g.log, JK_LOG_INFO, "worker %s: lb over %s; method %s, sticky_session %s, "
           "recover_time %d s", w->name, members, jk_config_method_name(w->method),
           w->sticky_session ? (w->sticky_session_force ? "forced" : "on") : "off",
           w->recover_time);
}

static void log_worker_setup(const jk_config *cfg)
{
    for (int i = 0; i < cfg->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(cfg->workers, i, jk_worker_config *);
        if (w->type == JK_TYPE_LB) {
            log_lb_setup(cfg->workers->pool, w);
            continue;
        }
        if (w->type == JK_TYPE_STATUS) {
            jk_log(g.log, JK_LOG_INFO, "worker %s: status worker%s", w->name,
                   w->read_only ? " (read only)" : "");
            continue;
        }
        jk_log(g.log, JK_LOG_INFO, "worker %s: ajp13 to %s:%d, max_packet_size %d, "
               "connection_pool_size %s, socket_timeout %d s, secret %s", w->name, w->host,
               w->port, w->max_packet_size, w->connection_pool_size > 0
               ? apr_itoa(cfg->workers->pool, w->connection_pool_size) : "auto",
               w->socket_timeout, w->secret ? "set" : "none");
        for (int k = 0; k < w->ignored_keys->nelts; k++)
            jk_log(g.log, JK_LOG_WARN, "worker %s: %s is accepted but has no effect in this "
                   "version", w->name, APR_ARRAY_IDX(w->ignored_keys, k, const char *));
    }
    for (int i = 0; i < cfg->warnings->nelts; i++)
        jk_log(g.log, JK_LOG_WARN, "%s", APR_ARRAY_IDX(cfg->warnings, i, const char *));
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
    if ((rv = jk_shm_create(process_pool, g.config, &shm)) != APR_SUCCESS)
        return rv;
    carried = jk_shm_carry_over(shm, previous);
    if (previous) {
        jk_log(g.log, JK_LOG_INFO, "restart: %d worker(s) keep their state and counters",
               carried);
        apr_shm_destroy(previous->segment); /* the parent's mapping only */
    }
    apr_pool_userdata_set(shm, JK_SHM_KEY, apr_pool_cleanup_null, process_pool);
    g.shm = shm;
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
    if (g.config == NULL)
        return !OK;
    if (open_logs(pconf, s) != OK)
        return !OK;
    finish_mounts(pconf, s);
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    if ((rv = create_shared_state(s)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_jk: cannot create shared memory");
        return !OK;
    }
    g.token = make_token(pconf);
    log_worker_setup(g.config);
    return OK;
}

/* ------------------------------------------------------------------ */
/* JkMountFile reloading (per child)                                    */

/*
 * The map in use, swapped whole when the JkMountFile changes.  Each map lives
 * in a pool of its own; a replaced map is destroyed two swaps later, long after
 * any request that read it has copied what it needed (names, extensions).
 */
typedef struct jk_mount_state {
    apr_thread_mutex_t *lock;
    _Atomic(const jk_uri_map *) current;
    _Atomic apr_time_t next_check;
    apr_time_t mtime;
    apr_pool_t *generations[2];
} jk_mount_state;

static int reload_interval(const jk_server_conf *c);

static apr_time_t file_mtime(apr_pool_t *p, const char *path)
{
    apr_finfo_t finfo;
    return apr_stat(&finfo, path, APR_FINFO_MTIME, p) == APR_SUCCESS ? finfo.mtime : 0;
}

static void start_live_map(apr_pool_t *pchild, jk_server_conf *c)
{
    jk_mount_state *st;
    if (c->mount_file == NULL || c->mount_file_reload == 0 || c->live)
        return;
    st = apr_pcalloc(pchild, sizeof(*st));
    apr_thread_mutex_create(&st->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    atomic_init(&st->current, c->mounts);
    st->mtime = file_mtime(pchild, c->mount_file);
    atomic_init(&st->next_check, apr_time_now() + apr_time_from_sec(reload_interval(c)));
    c->live = st;
}

static int reload_interval(const jk_server_conf *c)
{
    return c->mount_file_reload != UNSET ? c->mount_file_reload : JK_MOUNT_FILE_RELOAD_DEFAULT;
}

/* Read the file into a new map; on any error keep the old one and say why, once per edit. */
static void reload_map(jk_server_conf *c, jk_mount_state *st, apr_time_t mtime)
{
    apr_pool_t *p;
    apr_array_header_t *errors, *warnings;
    jk_uri_map *m;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    errors = apr_array_make(p, 2, sizeof(const char *));
    warnings = apr_array_make(p, 2, sizeof(const char *));
    m = jk_uri_map_copy(p, c->static_mounts);
    jk_uri_map_merge(m, load_mount_file(p, c->mount_file, g.config, errors, warnings));
    st->mtime = mtime;
    for (int i = 0; i < warnings->nelts; i++)
        jk_log(c->log, JK_LOG_WARN, "%s", APR_ARRAY_IDX(warnings, i, const char *));
    if (errors->nelts > 0) {
        for (int i = 0; i < errors->nelts; i++)
            jk_log(c->log, JK_LOG_ERROR, "%s", APR_ARRAY_IDX(errors, i, const char *));
        jk_log(c->log, JK_LOG_ERROR, "JkMountFile %s not reloaded: the previous rules stay in use",
               c->mount_file);
        apr_pool_destroy(p);
        return;
    }
    jk_uri_map_prepare(m);
    atomic_store(&st->current, m);
    if (st->generations[1])
        apr_pool_destroy(st->generations[1]);
    st->generations[1] = st->generations[0];
    st->generations[0] = p;
    jk_log(c->log, JK_LOG_INFO, "JkMountFile %s reloaded: %d rule(s)", c->mount_file,
           m->rules->nelts);
}

/* The map for this request; at most once per JkMountFileReload, one thread looks at the file. */
static const jk_uri_map *current_map(jk_server_conf *c, request_rec *r)
{
    jk_mount_state *st = c->live;
    apr_time_t now;
    if (st == NULL)
        return c->mounts;
    now = r->request_time;
    if (now >= atomic_load(&st->next_check) && apr_thread_mutex_trylock(st->lock) == APR_SUCCESS) {
        apr_time_t mtime;
        atomic_store(&st->next_check, now + apr_time_from_sec(reload_interval(c)));
        mtime = file_mtime(r->pool, c->mount_file);
        if (mtime != 0 && mtime != st->mtime)
            reload_map(c, st, mtime);
        apr_thread_mutex_unlock(st->lock);
    }
    return atomic_load(&st->current);
}

static void start_live_maps(apr_pool_t *pchild, server_rec *main_server)
{
    for (server_rec *s = main_server; s; s = s->next)
        start_live_map(pchild, server_conf(s));
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
        jk_workers_maintain(g.workers, apr_time_now());
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
    int seconds = g.watchdog_interval != UNSET ? g.watchdog_interval : g.config->maintain;
    for (int i = 0; i < g.config->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(g.config->workers, i, jk_worker_config *);
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

    if (g.config == NULL)
        return;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    env.log = g.log;
    env.threads_per_child = threads > 0 ? threads : 1;
    env.shm = g.shm;
    env.token = g.token;
    env.props = g.props;
    if ((rv = jk_workers_create(pchild, g.config, &env, &g.workers)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_jk: cannot create the workers");
        jk_log(g.log, JK_LOG_EMERG, "cannot create the workers in this process");
        g.workers = NULL;
        return;
    }
    start_maintainer(pchild, s);
    start_live_maps(pchild, s);
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
    jk_server_conf *c = server_conf(r->server);
    const jk_uri_map *map;
    const jk_uri_rule *rule;
    const jk_worker_config *w;
    char *path;

    if (r->uri == NULL || r->proxyreq || r->uri[0] != '/')
        return DECLINED; /* "OPTIONS *" and the like are httpd's */
    map = current_map(c, r);
    if ((map->rules->nelts == 0 && c->auto_alias == NULL) ||
        apr_table_get(r->subprocess_env, JK_ENV_NO_JK))
        return DECLINED;
    if (jk_uri_normalize(r->pool, r->uri, &path) != JK_NORMALIZE_OK) {
        jk_log(c->log, JK_LOG_INFO, "refused URI %s: it climbs above the root", r->uri);
        return HTTP_BAD_REQUEST;
    }
    if ((rule = jk_uri_map_find(map, path)) == NULL || (w = jk_config_find(g.config, rule->worker)) == NULL) {
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
    const jk_worker *m = g.workers ? jk_workers_find(g.workers, name) : NULL;
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

static void set_result_notes(request_rec *r, const jk_worker *w, const jk_service *s)
{
    apr_table_setn(r->notes, "JK_WORKER_TYPE", w->type_name);
    if (s->route)
        apr_table_setn(r->notes, "JK_WORKER_ROUTE", s->route);
    if (strcmp(w->type_name, "lb") == 0 && s->member) {
        set_member_notes(r, s->first_member ? s->first_member : s->member, s->member);
    }
    apr_time_t took = apr_time_now() - r->request_time;
    apr_table_setn(r->notes, "JK_REQUEST_DURATION",
                   apr_off_t_toa(r->pool, (apr_off_t)(took > 0 ? took : 0)));
}

static int jk_handler(request_rec *r)
{
    jk_server_conf *c = server_conf(r->server);
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
    if (g.workers == NULL || (w = jk_workers_find(g.workers, name)) == NULL) {
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

    jk_log_set_request_id(jk_indicated(r, c, IND_REQUEST_ID));
    res = w->ops->service(w, &s);
    jk_log_set_request_id(NULL);
    set_result_notes(r, w, &s);
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

static int jk_log_transaction(request_rec *r)
{
    jk_server_conf *c = server_conf(r->server);
    if (c->request_log_format == NULL || apr_table_get(r->notes, JK_NOTE_WORKER) == NULL)
        return DECLINED;
    jk_log_request(c->log, format_request_log(r, c->request_log_format,
                                              apr_time_now() - r->request_time));
    return DECLINED;
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
    create_server_conf,
    merge_server_conf,
    jk_cmds,
    jk_register_hooks,
#ifdef AP_MODULE_FLAG_ALWAYS_MERGE
    AP_MODULE_FLAG_NONE
#endif
};
