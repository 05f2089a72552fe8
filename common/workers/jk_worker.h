/*
 * jk_worker: the worker interface and the table of configured workers.
 *
 * A worker is an object with a small vtable; an ajp13 worker forwards to one
 * backend, other types (lb, status) are built from the same interface.  The
 * result of service() names what went wrong, and jk_result_http_status()
 * says what the client gets when the response has not started yet.
 */
#ifndef JK_WORKER_H
#define JK_WORKER_H

#include "jk_config.h"
#include "jk_log.h"
#include "jk_service.h"
#include "jk_shm.h"

#include <apr_hash.h>

typedef enum jk_result {
    JK_OK = 0,
    JK_ERR_CLIENT,       /* the client went away or sent a broken body: not the backend's fault */
    JK_ERR_UNAVAILABLE,  /* backend unreachable; nothing was processed (503) */
    JK_ERR_BUSY,         /* no free connection within connection_acquire_timeout (503) */
    JK_ERR_TIMEOUT,      /* no reply within reply_timeout (504) */
    JK_ERR_PROTOCOL,     /* the backend broke the AJP protocol (502) */
    JK_ERR_BACKEND_IO,   /* connection lost after the request was sent (502) */
    JK_ERR_TOO_LARGE,    /* request head does not fit in one AJP packet (431) */
    JK_ERR_STATUS,       /* the backend answered a fail_on_status code: member in error (503) */
    JK_ERR_STATUS_SOFT,  /* a negative fail_on_status code: fail over, member stays OK (503) */
    JK_ERR_REFUSED,      /* the backend's AJP connector refused the request (a wrong secret; 403) */
    JK_ERR_INTERNAL,     /* a bug or resource failure here (500) */
    JK_ERR_STALLED       /* cut while waiting: the member stopped answering everyone (502) */
} jk_result;

typedef struct jk_worker jk_worker;

typedef struct jk_worker_ops {
    jk_result (*service)(jk_worker *w, jk_service *s);
    /* Periodic housekeeping: idle connections, recovery.  May be NULL. */
    void (*maintain)(jk_worker *w, apr_time_t now);
    /* Is the backend there?  CPing on a fresh connection, or GET `uri` over AJP.  May be NULL. */
    jk_result (*probe)(jk_worker *w, const char *uri);
} jk_worker_ops;

struct jk_worker {
    const char *name;
    const char *type_name;
    const jk_worker_ops *ops;
    const jk_worker_config *config;
    const jk_logger *log;
    const char *endpoint;       /* "host:port" of a backend, or the name */
    jk_shm_member *shm;         /* shared state and counters; NULL for an lb */
    void *impl;
};

/* Process-wide facts a worker needs when it is created. */
typedef struct jk_worker_env {
    const jk_logger *log;
    int threads_per_child;  /* default connection_pool_size */
    jk_shm *shm;            /* NULL: no shared state (unit tests) */
    const char *token;      /* the status worker's action token, the same in every child */
    const jk_props *props;  /* workers.properties as read, for cmd=dump; may be NULL */
} jk_worker_env;

int jk_result_http_status(jk_result r);
/*
 * May a request that ended with `r` be sent again (to another connection or
 * member)?  Never once the response started or the body was streamed; always
 * when the backend cannot have seen it; otherwise for idempotent methods,
 * unless recovery_options forbids it (bit 1, with bits 8/16 re-allowing HEAD/GET).
 */
int jk_may_resend(const jk_service *s, jk_result r, int recovery_options);
/*
 * A backend failed after its response headers came but before anything reached the
 * client: drop what the web server holds, so another backend (or an error page) answers.
 */
void jk_service_discard_response(jk_service *s);
const char *jk_result_text(jk_result r);

/* Create the runtime worker for a validated config (per process); APR_ENOTIMPL for a
 * type that reads other workers (lb, status): jk_workers_create() makes those. */
apr_status_t jk_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                              const jk_worker_env *env, jk_worker **out);

/* All workers of a config. */
typedef struct jk_worker_table {
    apr_hash_t *by_name;        /* name -> jk_worker * */
    apr_array_header_t *all;    /* jk_worker *, in configuration order */
} jk_worker_table;

/*
 * A worker type, as the registry sees it: the registry creates every worker through
 * jk_worker_types[] (jk_worker_types.c) and includes no concrete type's header.
 * `workers` holds the workers of the types before it in the table (NULL from
 * jk_worker_create()).
 */
typedef apr_status_t (*jk_worker_create_fn)(apr_pool_t *pool, const jk_worker_config *cfg,
                                            const jk_worker_env *env,
                                            const jk_worker_table *workers, jk_worker **out);
typedef struct jk_worker_type_def {
    const char *name;           /* type= in workers.properties; NULL ends the table */
    jk_worker_type type;
    int reads_workers;          /* created only after the types before it (lb, status) */
    jk_worker_create_fn create;
} jk_worker_type_def;

/* Every worker type, in creation order: ajp13 members, then lbs, then status. */
extern const jk_worker_type_def jk_worker_types[];

/* Workers are created members first, so an lb can find its members here. */
/* What every worker type's create function fills in the same way; endpoint is the name
 * until the type says otherwise. */
void jk_worker_init_base(jk_worker *base, const char *type_name, const jk_worker_ops *ops,
                         const jk_worker_config *cfg, const jk_worker_env *env, void *impl);

apr_status_t jk_workers_create(apr_pool_t *pool, const jk_config *cfg, const jk_worker_env *env,
                               jk_worker_table **out);
jk_worker *jk_workers_find(const jk_worker_table *t, const char *name);
void jk_workers_maintain(const jk_worker_table *t, apr_time_t now);

#endif
