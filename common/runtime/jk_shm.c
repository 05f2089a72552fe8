/*
 * jk_shm.c: the shared segment (see jk_shm.h): one record per ajp13 and per lb
 * worker, created by the parent, carried over a graceful restart.
 */
#include "jk_shm.h"

#include <errno.h>
#include <string.h>

static void copy_name(char *to, const char *from)
{
    strncpy(to, from, JK_MAX_NAME_LEN);
    to[JK_MAX_NAME_LEN] = '\0';
}

static void init_member(jk_shm_member *m, const jk_worker_config *w)
{
    copy_name(m->name, w->name);
    m->configured_lbfactor = w->lbfactor;
    m->configured_activation = (int)w->activation;
    atomic_init(&m->state, JK_MEMBER_OK);
    atomic_init(&m->activation, (int)w->activation);
    atomic_init(&m->lbfactor, w->lbfactor);
    atomic_init(&m->error_time, 0);
    atomic_init(&m->lb_value, 0);
    atomic_init(&m->busy, 0);
    atomic_init(&m->max_busy, 0);
}

static apr_status_t init_lb(jk_shm_lb *lb, const jk_worker_config *w)
{
    copy_name(lb->name, w->name);
    atomic_init(&lb->next, 0);
    return jk_shm_lb_init_lock(lb);
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
        else if (w->type == JK_TYPE_LB &&
                 (rv = init_lb(&shm->lbs[shm->num_lbs++], w)) != APR_SUCCESS)
            return rv;
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

/* A run-time value survives unless the file now says something new. */
static int kept_setting(int runtime, int configured_before, int configured_now)
{
    return configured_before == configured_now ? runtime : configured_now;
}

static void carry_member(jk_shm_member *to, const jk_shm_member *from)
{
    atomic_store(&to->state, atomic_load(&from->state));
    atomic_store(&to->error_time, atomic_load(&from->error_time));
    atomic_store(&to->lb_value, atomic_load(&from->lb_value));
    atomic_store(&to->requests, atomic_load(&from->requests));
    atomic_store(&to->errors, atomic_load(&from->errors));
    atomic_store(&to->client_errors, atomic_load(&from->client_errors));
    atomic_store(&to->reply_timeouts, atomic_load(&from->reply_timeouts));
    atomic_store(&to->bytes_read, atomic_load(&from->bytes_read));
    atomic_store(&to->bytes_written, atomic_load(&from->bytes_written));
    atomic_store(&to->max_busy, atomic_load(&from->max_busy));
    atomic_store(&to->lbfactor, kept_setting(atomic_load(&from->lbfactor),
                                             from->configured_lbfactor, to->configured_lbfactor));
    atomic_store(&to->activation, kept_setting(atomic_load(&from->activation),
                                               from->configured_activation,
                                               to->configured_activation));
    /* busy is not carried: the old generation's requests finish in the old segment. */
}

int jk_shm_carry_over(jk_shm *to, const jk_shm *from)
{
    int carried = 0;
    for (int i = 0; to && from && i < to->num_members; i++) {
        const jk_shm_member *old = jk_shm_member_find(from, to->members[i].name);
        if (old) {
            carry_member(&to->members[i], old);
            carried++;
        }
    }
    for (int i = 0; to && from && i < to->num_lbs; i++) {
        const jk_shm_lb *old = jk_shm_lb_find(from, to->lbs[i].name);
        if (old)
            atomic_store(&to->lbs[i].next, atomic_load(&old->next));
    }
    return carried;
}

apr_status_t jk_shm_lb_init_lock(jk_shm_lb *lb)
{
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc != 0)
        return rc;
    if ((rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) == 0)
        rc = pthread_mutex_init(&lb->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    return rc;
}

void jk_shm_lock(jk_shm_lb *lb)
{
    /* EOWNERDEAD: a child died holding it.  What the lock orders are atomics, each of
     * them whole, so the lock is simply taken over. */
    if (pthread_mutex_lock(&lb->lock) == EOWNERDEAD)
        pthread_mutex_consistent(&lb->lock);
}

void jk_shm_unlock(jk_shm_lb *lb)
{
    pthread_mutex_unlock(&lb->lock);
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
