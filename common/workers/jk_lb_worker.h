/*
 * jk_lb_worker: spreads requests over ajp13 members.
 *
 * Choice, in order: the member a request's session belongs to (the route
 * after the first '.' of its session id), then its `redirect` or `domain`
 * when that member cannot take it, then the usable member with the lowest
 * distance and the lowest lb_value (each pick adds the member's lb_mult:
 * LCM of the factors / its own factor, so weights interleave rather than
 * burst).  Member state and counters live in jk_shm, so every httpd child
 * sees them.  A member that fails goes into error and is skipped by all
 * children; after recover_time one request probes it.  A request is sent to
 * another member only when that is safe: nothing reached the backend, or the
 * method is idempotent and nothing was sent to the client yet.
 */
#ifndef JK_LB_WORKER_H
#define JK_LB_WORKER_H

#include "jk_worker.h"

/* Members are found in `members` by name; each must have a shared record (worker->shm). */
apr_status_t jk_lb_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                 const jk_worker_env *env, const jk_worker_table *members,
                                 jk_worker **out);

/* Where the lb reads the time, and how it waits between rounds of busy members (tests
 * replace both to simulate time passing). */
typedef apr_time_t (*jk_clock_fn)(void);
typedef void (*jk_sleep_fn)(apr_interval_time_t usec);
void jk_lb_worker_set_clock(jk_worker *w, jk_clock_fn clock, jk_sleep_fn sleep);

/* The lb_mult of each factor: LCM(factors) / factor.  Exposed for tests. */
void jk_lb_multipliers(const int *factors, int n, uint64_t *mult);

#endif
