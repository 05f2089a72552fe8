/*
 * jk_status: the status worker (type=status).
 *
 * Shows every worker of this httpd: lb workers with their members' activation,
 * state, weights and counters (from jk_shm, so the same in every child), and
 * ajp13 workers with their backend and pool.  Formats: HTML for people, and
 * mime=json, mime=prometheus, mime=xml, mime=prop, mime=txt for programs.
 * Actions (change a member's activation and lbfactor; reset counters; force
 * recovery) change the shared records, so they take effect in every child at
 * once; route, redirect, domain and distance live in the per-process
 * configuration and are refused (409).  Actions come as mod_jk's GET URLs
 * or the page's POST forms; one that a browser shows it sends for another
 * site (Sec-Fetch-Site, Origin, Referer) is refused, so that no other site
 * can make a logged-in operator's browser change anything, and with
 * strict_update only a POST with the page's token counts.  See docs/status.md.
 * The code is in common/status/; its jk_status_int.h says which file does what.
 */
#ifndef JK_STATUS_H
#define JK_STATUS_H

#include "jk_worker.h"

/* `workers` holds every other worker; the status worker only reads it and the shared records. */
apr_status_t jk_status_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                     const jk_worker_env *env, const jk_worker_table *workers,
                                     jk_worker **out);

#endif
