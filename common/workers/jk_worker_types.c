/*
 * jk_worker_types.c: the worker types the registry (jk_worker.c) can create, by name and
 * in creation order.  Each type includes jk_worker.h; only this table includes the types,
 * so the registry depends on none of them.  A new type is one line here.
 */
#include "jk_worker.h"
#include "jk_ajp_worker.h"
#include "jk_lb_worker.h"
#include "jk_status.h"

/* An ajp13 worker reads no other worker. */
static apr_status_t create_ajp13(apr_pool_t *pool, const jk_worker_config *cfg,
                                 const jk_worker_env *env, const jk_worker_table *workers,
                                 jk_worker **out)
{
    (void)workers;
    return jk_ajp_worker_create(pool, cfg, env, out);
}

const jk_worker_type_def jk_worker_types[] = {
    { "ajp13", JK_TYPE_AJP13, 0, create_ajp13 },
    { "lb", JK_TYPE_LB, 1, jk_lb_worker_create },
    { "status", JK_TYPE_STATUS, 1, jk_status_worker_create },
    { NULL, JK_TYPE_AJP13, 0, NULL }
};
