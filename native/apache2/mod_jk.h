/*
 * mod_jk.h: what the module's files share (private: nothing here is exported, the
 * module's only exported symbol is jk_module).
 *
 *   mod_jk.c             the hooks, the request adapter (jk_service <-> httpd)
 *   jk_directives.c      the Jk* directives, the server records and their merging
 *   jk_mount_reload.c    JkMountFile: read at start-up, reloaded per child
 *   jk_request_log.c     JkRequestLogFormat, and the notes for httpd's LogFormat
 *   jk_request_facts.c   what Tomcat is told about a request: URI, addresses, TLS,
 *                        headers, attributes, and the Jk*Indicator variables
 *   jk_startup_log.c     mod_jk.log opened at start-up, and what each worker is set up as
 */
#ifndef MOD_JK_H
#define MOD_JK_H

#include "httpd.h"
#include "http_config.h"
#include "apr_tables.h"

#include "jk_config.h"
#include "jk_log.h"
#include "jk_props.h"
#include "jk_service.h"
#include "jk_shm.h"
#include "jk_uri_map.h"
#include "jk_worker.h"

extern module AP_MODULE_DECLARE_DATA jk_module;

#define JK_NOTE_ORIG_URI "JK_ORIG_URI"
#define JK_NOTE_WORKER "JK_WORKER_NAME"

/* JkOptions flags, with mod_jk's names. */
#define JK_OPT_FWD_URI_COMPAT          0x0001
#define JK_OPT_FWD_URI_COMPAT_UNPARSED 0x0002
#define JK_OPT_FWD_URI_ESCAPED         0x0003
#define JK_OPT_FWD_URI_PROXY           0x0004
#define JK_OPT_FWD_URI_MASK            0x0007
#define JK_OPT_FWD_LOCAL_ADDRESS       0x0010
#define JK_OPT_FLUSH_PACKETS           0x0020
#define JK_OPT_FLUSH_HEADER            0x0040
#define JK_OPT_DISABLE_REUSE           0x0080
#define JK_OPT_FWD_CERT_CHAIN          0x0100
#define JK_OPT_FWD_KEY_SIZE            0x0200
#define JK_OPT_REJECT_UNSAFE_URI       0x0400
#define JK_OPT_FWD_PHYSICAL_ADDRESS    0x0800
#define JK_OPT_DEFAULT (JK_OPT_FWD_URI_PROXY | JK_OPT_FWD_KEY_SIZE)

#define UNSET -1

typedef struct jk_env_var {
    const char *name;
    const char *default_value; /* NULL: sent only when set */
} jk_env_var;

/*
 * The Jk*Indicator directives: which environment variable holds each fact. SetEnvIf or
 * SetEnv rules (the administrator's, never the client's own) set them, e.g. behind a
 * proxy that ends TLS or knows the real client.
 */
typedef enum {
    IND_WORKER, IND_HTTPS, IND_SSL_PROTOCOL, IND_CERTS, IND_CIPHER, IND_SESSION, IND_KEY_SIZE,
    IND_CERT_CHAIN_PREFIX, IND_REQUEST_ID, IND_REMOTE_ADDR, IND_REMOTE_PORT, IND_REMOTE_HOST,
    IND_REMOTE_USER, IND_AUTH_TYPE, IND_LOCAL_NAME, IND_LOCAL_ADDR, IND_LOCAL_PORT,
    IND_IGNORE_CL, IND_COUNT
} jk_indicator;

typedef struct jk_server_conf {
    const char *log_file;
    int log_level;
    const char *stamp_format;
    const jk_logger *log;
    jk_uri_map *mounts;
    int mount_copy;             /* UNSET, 0 (Off), 1 (On) */
    int options;
    int options_set;            /* JkOptions seen in this server */
    int options_minus;
    apr_array_header_t *env_vars; /* jk_env_var */
    const char *mount_file;     /* JkMountFile */
    int mount_file_reload;      /* s between checks of its mtime; UNSET: 60 */
    jk_uri_map *static_mounts;  /* JkMount rules (and copied ones), without the file's */
    struct jk_mount_state *live; /* per child: the map in use, reloaded from mount_file */
    const char *request_log_format; /* JkRequestLogFormat */
    int strip_session;          /* JkStripSession */
    const char *strip_session_name;
    const char *indicators[IND_COUNT]; /* NULL: the main server's, else the default name */
    const char *auto_alias;     /* JkAutoAlias directory, without a trailing '/' */
    int extract_ssl;            /* JkExtractSSL; UNSET: On */
} jk_server_conf;

#define JK_MOUNT_FILE_RELOAD_DEFAULT 60

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
    int timing_notes;                 /* a log format prints a JK_TIME_* note */
} jk_global;

extern jk_global jk_globals;  /* defined in mod_jk.c */

/* ---- jk_directives.c ---- */

extern const command_rec jk_cmds[];
void *jk_create_server_conf(apr_pool_t *p, server_rec *s);
void *jk_merge_server_conf(apr_pool_t *p, void *basev, void *addv);
jk_server_conf *jk_server_config(server_rec *s);
/* post_config: JkMountCopy applied, and every server's map built (rules + JkMountFile). */
void jk_finish_mounts(apr_pool_t *p, server_rec *main_server);

/* ---- jk_mount_reload.c ---- */

/* Every rule must name a worker that can be mounted (or "*" for an exclusion). */
void jk_check_rule_workers(const jk_uri_map *m, const jk_config *cfg,
                           apr_array_header_t *errors, apr_pool_t *p);
/* A JkMountFile read into a map of its own; problems go to `errors`. */
jk_uri_map *jk_load_mount_file(apr_pool_t *p, const char *path, const jk_config *cfg,
                               apr_array_header_t *errors, apr_array_header_t *warnings);
/* child_init: the reloadable map of every server with a JkMountFile. */
void jk_start_live_maps(apr_pool_t *pchild, server_rec *main_server);
/* The map for this request; at most once per JkMountFileReload, one thread looks at the file. */
const jk_uri_map *jk_current_map(jk_server_conf *c, request_rec *r);

/* ---- jk_request_log.c ---- */

/* Does any LogFormat, CustomLog, TransferLog or ErrorLogFormat of the configuration
 * name `what` (e.g. "JK_TIME_")?  Notes no log prints are not worth their cost. */
int jk_log_formats_mention(const char *what);

/* JK_WORKER_TYPE, JK_WORKER_ROUTE, JK_REQUEST_DURATION and the JK_LB_* member notes. */
void jk_set_result_notes(request_rec *r, const jk_worker *w, const jk_service *s);
/* Hook (log_transaction): the JkRequestLogFormat line of a forwarded request. */
int jk_log_transaction(request_rec *r);

/* ---- jk_request_facts.c ---- */

/* The Jk*Indicator variable's name for this server (configured, else mod_jk's default). */
const char *jk_indicator_name(const jk_server_conf *c, jk_indicator i);

/* The variable an indicator names, in this request; NULL when unset or empty. */
const char *jk_indicated(request_rec *r, const jk_server_conf *c, jk_indicator i);

/* Fill in what Tomcat is told about request `r` (every field of `s` but the adapter's). */
void jk_collect_request_facts(request_rec *r, const jk_server_conf *c, jk_service *s);

/* Hook: find mod_ssl's functions once per configuration, not per request. */
void jk_retrieve_ssl_functions(void);

/* ---- jk_startup_log.c ---- */

/* post_config: one logger per distinct JkLogFile; a vhost without its own uses the main
 * server's.  OK, or !OK when a file cannot be opened (said in httpd's error log). */
int jk_open_logs(apr_pool_t *p, server_rec *main_server);
/* post_config: one line per worker saying what it is set up as, then the warnings. */
void jk_log_worker_setup(const jk_config *cfg);

#endif
