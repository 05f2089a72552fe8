/* Placeholder replaced by the status worker implementation (issue 6); refuses requests. */
#include "jk_status.h"

static jk_result status_service(jk_worker *w, jk_service *s)
{
    (void)w;
    (void)s;
    return JK_ERR_INTERNAL;
}

static const jk_worker_ops status_ops = { status_service, NULL };

apr_status_t jk_status_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                     const jk_worker_env *env, const jk_worker_table *workers,
                                     jk_worker **out)
{
    jk_worker *w = apr_pcalloc(pool, sizeof(*w));
    (void)workers;
    w->name = cfg->name;
    w->type_name = "status";
    w->ops = &status_ops;
    w->config = cfg;
    w->log = env->log;
    w->endpoint = cfg->name;
    *out = w;
    return APR_SUCCESS;
}
