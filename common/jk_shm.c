#include "jk_shm.h"

#include <sched.h>
#include <string.h>

static void copy_name(char *to, const char *from)
{
    strncpy(to, from, JK_MAX_NAME_LEN);
    to[JK_MAX_NAME_LEN] = '\0';
}

static void init_member(jk_shm_member *m, const jk_worker_config *w)
{
    copy_name(m->name, w->name);
    atomic_init(&m->state, JK_MEMBER_OK);
    atomic_init(&m->activation, (int)w->activation);
    atomic_init(&m->lbfactor, w->lbfactor);
    atomic_init(&m->error_time, 0);
    atomic_init(&m->lb_value, 0);
    atomic_init(&m->busy, 0);
    atomic_init(&m->max_busy, 0);
}

static void init_lb(jk_shm_lb *lb, const jk_worker_config *w)
{
    copy_name(lb->name, w->name);
    atomic_flag_clear(&lb->lock);
    atomic_init(&lb->next, 0);
}

apr_status_t jk_shm_create(apr_pool_t *pool, const jk_config *cfg, jk_shm **out)
{
    jk_shm *shm = apr_pcalloc(pool, sizeof(*shm));
    int members = 0, lbs = 0;
    apr_size_t size;
    char *base;
    apr_status_t rv;

    for (int i = 0; i < cfg->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(cfg->workers, i, jk_worker_config *);
        members += w->type == JK_TYPE_AJP13;
        lbs += w->type == JK_TYPE_LB;
    }
    size = sizeof(jk_shm_member) * (apr_size_t)(members + 1) +
           sizeof(jk_shm_lb) * (apr_size_t)(lbs + 1);
    /* Anonymous shared memory: inherited by the children, no file to clean up. */
    if ((rv = apr_shm_create(&shm->segment, size, NULL, pool)) != APR_SUCCESS)
        return rv;
    base = apr_shm_baseaddr_get(shm->segment);
    memset(base, 0, size);
    shm->members = (jk_shm_member *)base;
    shm->lbs = (jk_shm_lb *)(base + sizeof(jk_shm_member) * (apr_size_t)(members + 1));
    for (int i = 0; i < cfg->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(cfg->workers, i, jk_worker_config *);
        if (w->type == JK_TYPE_AJP13)
            init_member(&shm->members[shm->num_members++], w);
        else if (w->type == JK_TYPE_LB)
            init_lb(&shm->lbs[shm->num_lbs++], w);
    }
    *out = shm;
    return APR_SUCCESS;
}

jk_shm_member *jk_shm_member_find(const jk_shm *shm, const char *name)
{
    for (int i = 0; shm && i < shm->num_members; i++)
        if (strcmp(shm->members[i].name, name) == 0)
            return &shm->members[i];
    return NULL;
}

jk_shm_lb *jk_shm_lb_find(const jk_shm *shm, const char *name)
{
    for (int i = 0; shm && i < shm->num_lbs; i++)
        if (strcmp(shm->lbs[i].name, name) == 0)
            return &shm->lbs[i];
    return NULL;
}

void jk_shm_lock(jk_shm_lb *lb)
{
    while (atomic_flag_test_and_set_explicit(&lb->lock, memory_order_acquire))
        sched_yield();
}

void jk_shm_unlock(jk_shm_lb *lb)
{
    atomic_flag_clear_explicit(&lb->lock, memory_order_release);
}

void jk_shm_member_enter(jk_shm_member *m)
{
    int busy = atomic_fetch_add(&m->busy, 1) + 1;
    int max = atomic_load(&m->max_busy);
    while (busy > max && !atomic_compare_exchange_weak(&m->max_busy, &max, busy))
        ;
}

void jk_shm_member_leave(jk_shm_member *m)
{
    atomic_fetch_sub(&m->busy, 1);
}
