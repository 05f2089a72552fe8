/*
 * jk_config: workers.properties, validated into plain structs.
 *
 * jk_config_build() takes what jk_props read and checks every key against
 * one table (known keys, their kinds, ranges and defaults: the single place
 * where defaults live).  It reports every problem as `file:line: message`,
 * with a did-you-mean for misspelled keys, and builds a jk_worker_config per
 * worker that is used.  Workers are created only from a config without errors.
 */
#ifndef JK_CONFIG_H
#define JK_CONFIG_H

#include "jk_props.h"

typedef enum jk_worker_type {
    JK_TYPE_AJP13 = 0,
    JK_TYPE_LB,
    JK_TYPE_STATUS
} jk_worker_type;

/* Which workers a key applies to. */
#define JK_APPLIES_AJP    0x1
#define JK_APPLIES_LB     0x2
#define JK_APPLIES_STATUS 0x4
#define JK_APPLIES_ALL    0x7

/* Key status in this version. */
#define JK_KEY_USED        0x1 /* the module acts on it */
#define JK_KEY_DEPRECATED  0x2 /* an old spelling: accepted with a warning */
#define JK_KEY_IGNORED     0x4 /* accepted for compatibility, has no effect (said at start) */

typedef enum jk_activation {
    JK_ACTIVATION_ACTIVE = 0,
    JK_ACTIVATION_DISABLED,         /* only requests that stick to it */
    JK_ACTIVATION_STOPPED           /* no requests at all */
} jk_activation;

typedef enum jk_lb_method {
    JK_LB_METHOD_REQUEST = 0,
    JK_LB_METHOD_SESSION,
    JK_LB_METHOD_NEXT,
    JK_LB_METHOD_TRAFFIC,
    JK_LB_METHOD_BUSYNESS
} jk_lb_method;

typedef enum jk_lb_lock {
    JK_LB_LOCK_OPTIMISTIC = 0,
    JK_LB_LOCK_PESSIMISTIC
} jk_lb_lock;

/* ping_mode letters. */
#define JK_PING_CONNECT  0x1    /* C: after opening a connection */
#define JK_PING_PREPOST  0x2    /* P: before each request on a pooled connection */
#define JK_PING_INTERVAL 0x4    /* I: idle connections, at connection_ping_interval */

/* recovery_options bits, as mod_jk numbers them. */
#define JK_RECOVER_NOT_AFTER_SENT    0x01 /* never resend once the backend got the request */
#define JK_RECOVER_NOT_AFTER_HEADERS 0x02 /* never resend once headers went out (always true here) */
#define JK_RECOVER_CLOSE_ON_CLIENT   0x04 /* close on client write error (always true here) */
#define JK_RECOVER_ALWAYS_HEAD       0x08 /* resend HEAD even with bit 1 */
#define JK_RECOVER_ALWAYS_GET        0x10 /* resend GET even with bit 1 */

typedef struct jk_worker_config {
    const char *name;
    jk_worker_type type;
    const char *file;               /* where the worker is first mentioned */
    int line;

    /* ajp13 */
    const char *host;
    int port;
    int socket_timeout;             /* s, 0 = none */
    int socket_connect_timeout;     /* ms */
    int socket_keepalive;
    int connection_pool_size;       /* 0 = as many as httpd threads per child */
    int connection_pool_minsize;    /* -1 = (size + 1) / 2 */
    int connection_pool_timeout;    /* s, 0 = never close idle connections */
    int connection_acquire_timeout; /* ms, -1 = retries * retry_interval */
    int retries;
    int retry_interval;             /* ms */
    int max_packet_size;
    int reply_timeout;              /* ms, 0 = none */
    const char *secret;
    const char *source;             /* local address to connect from, NULL = any */
    int prefer_ipv6;
    int socket_buffer;              /* bytes, 0 = the system's */
    unsigned ping_mode;             /* JK_PING_* */
    int ping_timeout;               /* ms */
    int connection_ping_interval;   /* s */
    int connect_timeout;            /* ms to wait for CPONG after connect */
    int prepost_timeout;            /* ms to wait for CPONG before a request */
    int recovery_options;           /* JK_RECOVER_* */
    apr_array_header_t *fail_on_status; /* int; negative: fail over, member stays OK */
    int busy_limit;                 /* 0 = none */

    /* lb member settings */
    int lbfactor;
    const char *route;
    const char *domain;
    const char *redirect;           /* route of the member to fail over to */
    int distance;
    jk_activation activation;

    /* lb */
    apr_array_header_t *members;    /* jk_worker_config *, in balance_workers order */
    int sticky_session;
    int sticky_session_force;
    jk_lb_method method;
    jk_lb_lock lock;
    int lb_retries;
    int recover_time;               /* s */
    int error_escalation_time;      /* s */
    int max_reply_timeouts;
    int slow_start;                 /* s over which a returning member's share ramps up; -1 unset */
    int retry_budget;               /* % of requests that may be failovers; 0: no limit */
    int health_check_interval;      /* s between background checks of members in error; -1 unset */
    const char *health_check_uri;   /* GET this over AJP instead of CPing */
    const char *session_cookie;
    const char *session_path;

    /* status */
    const char *css;                /* stylesheet URL for the HTML page */
    int read_only;
    int strict_update;              /* changes only as a POST with the page's token */
    apr_array_header_t *users;      /* const char *; NULL: every user httpd let through */
    int user_case_insensitive;
    const char *good;               /* activation.state pairs counted as good */
    const char *bad;
    const char *prefix;             /* key prefix of mime=prop */
    const char *ns;                 /* XML namespace prefix */
    const char *xmlns;
    const char *doctype;

    int mountable;                  /* named in worker.list */

    /* Keys set for this worker that the module accepts but does not act on. */
    apr_array_header_t *ignored_keys; /* const char * */
} jk_worker_config;

typedef struct jk_key_def {
    const char *name;
    unsigned applies;
    unsigned flags;
    const char *default_text;   /* as documented; NULL when there is none */
    const char *replaced_by;    /* for deprecated spellings */
} jk_key_def;

typedef struct jk_config {
    apr_array_header_t *workers;  /* jk_worker_config *, mountable ones first */
    apr_hash_t *by_name;          /* name -> jk_worker_config * */
    apr_array_header_t *list;     /* names in worker.list */
    int maintain;                 /* s */
    apr_array_header_t *errors;   /* "file:line: message" */
    apr_array_header_t *warnings;
} jk_config;

#define JK_DEFAULT_WORKER "ajp13"
#define JK_MAX_NAME_LEN 60

jk_config *jk_config_build(apr_pool_t *pool, jk_props *props);
/* Defaults for a worker of type ajp13 named `name` (the no-JkWorkersFile case). */
jk_worker_config *jk_config_default_worker(apr_pool_t *pool, const char *name);
const jk_worker_config *jk_config_find(const jk_config *c, const char *name);
/* For a rule naming `name`, which is not in worker.list: the closest listed names, or all. */
const char *jk_config_mount_hint(apr_pool_t *pool, const jk_config *c, const char *name);

/* The key table, ending with a NULL name. */
const jk_key_def *jk_config_keys(void);
const jk_key_def *jk_config_key(const char *name);
/* The known key closest to `name`, or NULL when none is close. */
const char *jk_config_suggest(const char *name);

/* Value parsers, shared with directive parsing.  Return 0 on success. */
int jk_config_parse_bool(const char *text, int *out);
int jk_config_parse_int(const char *text, int min, int max, int *out);
/* Activation, method and lock: mod_jk reads the first letter (or a digit). Return 0 on success. */
int jk_config_parse_activation(const char *text, jk_activation *out);
int jk_config_parse_method(const char *text, jk_lb_method *out);
const char *jk_config_activation_name(jk_activation a);
const char *jk_config_method_name(jk_lb_method m);
/* mod_jk's rule: up to a multiple of 1024, then into 8192..65536. */
int jk_config_round_packet_size(int size);

#endif
