/*
 * jk_directives.c: the Jk* directives, the server records they fill in and their
 * merging: a virtual host inherits from the main server, and gets the main server's
 * mounts only with JkMountCopy (decided in post_config, by jk_finish_mounts).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"

#include "apr_strings.h"

#include "jk_config.h"
#include "jk_log.h"
#include "jk_props.h"
#include "jk_uri_map.h"
#include "mod_jk.h"

/* ------------------------------------------------------------------ */
/* Configuration records                                                */

void *jk_create_server_conf(apr_pool_t *p, server_rec *s)
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

void *jk_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
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

jk_server_conf *jk_server_config(server_rec *s)
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
    jk_globals.workers_file = ap_server_root_relative(cmd->pool, path);
    if (jk_globals.workers_file == NULL)
        return apr_psprintf(cmd->pool, "JkWorkersFile: bad path '%s'", path);
    jk_globals.workers_file_where = where(cmd);
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
    p = apr_array_push(jk_globals.worker_lines);
    p->key = NULL;
    p->value = apr_pstrdup(cmd->pool, line);
    p->file = cmd->directive ? cmd->directive->filename : "JkWorkerProperty";
    p->line = cmd->directive ? cmd->directive->line_num : 0;
    return NULL;
}

static const char *set_log_file(cmd_parms *cmd, void *dummy, const char *path)
{
    (void)dummy;
    jk_server_config(cmd->server)->log_file = apr_pstrdup(cmd->pool, path);
    return NULL;
}

static const char *set_log_level(cmd_parms *cmd, void *dummy, const char *level)
{
    int l = jk_log_level_parse(level);
    (void)dummy;
    if (l < 0)
        return apr_psprintf(cmd->pool, "JkLogLevel: '%s' is not one of trace, debug, info, "
                            "warn, error, emerg", level);
    jk_server_config(cmd->server)->log_level = l;
    return NULL;
}

static const char *set_stamp_format(cmd_parms *cmd, void *dummy, const char *format)
{
    (void)dummy;
    if (strlen(format) > 200)
        return "JkLogStampFormat: the format is longer than 200 characters";
    jk_server_config(cmd->server)->stamp_format = apr_pstrdup(cmd->pool, format);
    return NULL;
}

static const char *add_mount(cmd_parms *cmd, void *dir, const char *a1, const char *a2,
                             int exclude)
{
    const char *pattern = a1, *worker = a2, *err;
    jk_server_conf *c = jk_server_config(cmd->server);

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
                              cmd->directive ? cmd->directive->line_num : 0,
                              jk_globals.mount_warnings);
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
    jk_server_conf *c = jk_server_config(cmd->server);
    (void)dummy;
    if ((c->mount_file = ap_server_root_relative(cmd->pool, path)) == NULL)
        return apr_psprintf(cmd->pool, "JkMountFile: bad path '%s'", path);
    return NULL;
}

static const char *set_mount_file_reload(cmd_parms *cmd, void *dummy, const char *value)
{
    jk_server_conf *c = jk_server_config(cmd->server);
    (void)dummy;
    if (jk_config_parse_int(value, 0, 86400, &c->mount_file_reload) != 0)
        return "JkMountFileReload takes a number of seconds (0: never reload)";
    return NULL;
}

/* JkStripSession On|Off [name]: drop ";jsessionid=..." from URLs httpd serves itself. */
static const char *set_strip_session(cmd_parms *cmd, void *dummy, const char *flag,
                                     const char *name)
{
    jk_server_conf *c = jk_server_config(cmd->server);
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
    jk_server_config(cmd->server)->request_log_format = apr_pstrdup(cmd->pool, format);
    return NULL;
}

static const char *set_mount_copy(cmd_parms *cmd, void *dummy, const char *value)
{
    jk_server_conf *c = jk_server_config(cmd->server);
    (void)dummy;
    if (strcasecmp(value, "all") == 0) {
        if (cmd->server->is_virtual)
            return "JkMountCopy All belongs in the main server";
        jk_globals.mount_copy_all = 1;
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
    jk_server_conf *c = jk_server_config(cmd->server);
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
    v = apr_array_push(jk_server_config(cmd->server)->env_vars);
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
    jk_server_config(cmd->server)->auto_alias = path;
    return NULL;
}

/* Jk*Indicator NAME: cmd->info is the jk_indicator. */
static const char *set_indicator(cmd_parms *cmd, void *dummy, const char *name)
{
    (void)dummy;
    if (*name == '\0')
        return apr_psprintf(cmd->pool, "%s needs the name of an environment variable",
                            cmd->cmd->name);
    jk_server_config(cmd->server)->indicators[(intptr_t)cmd->info] = apr_pstrdup(cmd->pool, name);
    return NULL;
}

static const char *set_extract_ssl(cmd_parms *cmd, void *dummy, int on)
{
    (void)dummy;
    jk_server_config(cmd->server)->extract_ssl = on;
    return NULL;
}

static const char *set_watchdog(cmd_parms *cmd, void *dummy, const char *value)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    (void)dummy;
    if (err)
        return err;
    if (jk_config_parse_int(value, 0, 86400, &jk_globals.watchdog_interval) != 0)
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

const command_rec jk_cmds[] = {
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
/* JkMountCopy, and the map each server starts with (post_config)       */

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
        jk_uri_map_merge(c->mounts, jk_load_mount_file(p, c->mount_file, jk_globals.config,
                                                       ignored, ignored));
    }
    jk_uri_map_prepare(c->mounts);
}

void jk_finish_mounts(apr_pool_t *p, server_rec *main_server)
{
    jk_server_conf *mc = jk_server_config(main_server);
    for (server_rec *s = main_server->next; s; s = s->next) {
        jk_server_conf *c = jk_server_config(s);
        int copy;
        if (c == mc)
            c = own_vhost_conf(p, s, mc);
        copy = c->mount_copy != UNSET ? c->mount_copy : jk_globals.mount_copy_all;
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
