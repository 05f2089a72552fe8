/*
 * jk_ajp_worker: forwards requests to one AJP13 backend.
 *
 * The worker owns this process's connection pool to its backend.  For each
 * request it takes a connection (opening one when needed, dropping ones the
 * backend has closed), sends FORWARD_REQUEST and the first body chunk, then
 * answers the backend until END_RESPONSE: headers and body go to the client
 * as they arrive, more request body goes to the backend when it asks.
 * Failures before anything reached the backend are retried on a fresh
 * connection; everything else ends the request with a precise jk_result.
 */
#ifndef JK_AJP_WORKER_H
#define JK_AJP_WORKER_H

#include "jk_worker.h"
#include "jk_conn_pool.h"

apr_status_t jk_ajp_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                  const jk_worker_env *env, jk_worker **out);

/* "host:port" of the backend, for log lines and the status worker. */
const char *jk_ajp_worker_endpoint(const jk_worker *w);
/* This process's connection pool (for tests and the status worker). */
jk_conn_pool *jk_ajp_worker_pool(const jk_worker *w);

#endif
