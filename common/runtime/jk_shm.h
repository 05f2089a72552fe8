/*
 * jk_shm: state shared by every httpd child.
 *
 * One record per ajp13 worker (its state as an lb member and its counters)
 * and one per lb worker (its selection lock and rotation).  The parent
 * creates the segment in post_config, before the children are forked, so
 * every child sees the same memory: a member put into error by one child is
 * skipped by all, and lb counters balance across processes and threads alike.
 * Fields are C11 atomics; member choice takes the lb record's lock (a robust,
 * process-shared mutex), which is held for a few hundred instructions and never
 * across I/O.
 */
#ifndef JK_SHM_H
#define JK_SHM_H

#include "jk_config.h"

#include <apr_shm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef enum jk_member_state {
    JK_MEMBER_OK = 0,
    JK_MEMBER_ERROR,        /* skipped until recover_time has passed */
    JK_MEMBER_PROBING       /* one request is finding out whether it is back */
} jk_member_state;

typedef struct jk_shm_member {
    char name[JK_MAX_NAME_LEN + 4];
    int configured_lbfactor;        /* as workers.properties said, to tell run-time changes apart */
    int configured_activation;
    _Atomic int state;              /* jk_member_state */
    _Atomic int activation;         /* jk_activation, changeable at run time */
    _Atomic int lbfactor;
    _Atomic int64_t error_time;     /* apr_time_t: entered error, or started probing */
    _Atomic uint64_t lb_value;      /* lowest is chosen next */
    _Atomic uint64_t requests;      /* times chosen */
    _Atomic uint64_t errors;        /* backend failures */
    _Atomic uint64_t client_errors;
    _Atomic uint64_t reply_timeouts;
    _Atomic int timeouts_in_a_row;  /* reply timeouts since the last good reply */
    _Atomic uint64_t bytes_read;    /* request body bytes sent to the backend */
    _Atomic uint64_t bytes_written; /* response body bytes sent to clients */
    _Atomic int busy;
    _Atomic int max_busy;
    _Atomic int64_t ok_since;       /* back in service (or activated) at; 0: from the start */
    _Atomic int64_t last_check;     /* last background health check, 0: none */
    _Atomic int last_check_ok;
    /* Times a CPing or a connect to the member timed out: it accepts but does not answer.
     * A request waiting on it since before the last such time is cut (JK_ERR_STALLED). */
    _Atomic uint64_t stalls;
    _Atomic uint64_t requests_cut;  /* requests ended that way */
    /* When the member last answered anything (a reply's first bytes, a CPONG), on any
     * connection of any child: a CPing that times out while others are answered meets a
     * busy member, not a stopped one. */
    _Atomic int64_t last_answer_at;
    _Atomic uint64_t busy_waits;    /* CPings or connects that timed out on a busy member */
} jk_shm_member;

typedef struct jk_shm_lb {
    char name[JK_MAX_NAME_LEN + 4];
    pthread_mutex_t lock;           /* shared by every child, robust: see jk_shm_lock() */
    _Atomic unsigned next;          /* where the next tie-break starts */
    /* The retry budget's sliding window: this period and the one before. */
    _Atomic int64_t window_start;
    _Atomic uint64_t window_requests, window_retries;
    _Atomic uint64_t last_requests, last_retries;
    _Atomic int64_t forced_at;      /* last forced recovery (every member in error) */
} jk_shm_lb;

typedef struct jk_shm {
    apr_shm_t *segment;
    int num_members;
    int num_lbs;
    jk_shm_member *members;
    jk_shm_lb *lbs;
} jk_shm;

/* A segment with a record for every ajp13 and lb worker of `cfg` (anonymous memory). */
apr_status_t jk_shm_create(apr_pool_t *pool, const jk_config *cfg, jk_shm **out);
jk_shm_member *jk_shm_member_find(const jk_shm *shm, const char *name);

/*
 * After a graceful restart: give each member of `to` the state its namesake had
 * in `from` (error state, counters, lb_value, and run-time activation and
 * lbfactor changes, unless workers.properties itself changed that value).
 * Returns how many members carried over.
 */
int jk_shm_carry_over(jk_shm *to, const jk_shm *from);
jk_shm_lb *jk_shm_lb_find(const jk_shm *shm, const char *name);

/*
 * The lb record's selection lock: process-shared and robust.  A waiter sleeps until the
 * holder lets go (a spin-and-yield lock made waiters queue behind dozens of runnable
 * threads whenever the holder was preempted: waits of up to 100 ms on two busy CPUs),
 * and a child that dies holding it does not freeze every other child: the next one to
 * lock it takes it over.
 */
apr_status_t jk_shm_lb_init_lock(jk_shm_lb *lb);
void jk_shm_lock(jk_shm_lb *lb);
void jk_shm_unlock(jk_shm_lb *lb);

/* Busy counting that keeps max_busy up to date. */
void jk_shm_member_enter(jk_shm_member *m);
void jk_shm_member_leave(jk_shm_member *m);

#endif
