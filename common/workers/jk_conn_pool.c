/*
 * jk_conn_pool.c: one process's connections to one backend (see jk_conn_pool.h):
 * fixed slots, acquire with a limit, release, idle ones closed.
 */
#include "jk_conn_pool.h"

/*
 * Each slot's pool has an allocator of its own: it is cleared whenever its
 * connection closes, by whichever thread holds the slot, and must not touch
 * memory that other threads allocate from.
 */
static apr_status_t create_slot_pool(apr_pool_t *parent, apr_pool_t **out)
{
    apr_allocator_t *allocator;
    apr_status_t rv = apr_allocator_create(&allocator);
    if (rv != APR_SUCCESS)
        return rv;
    if ((rv = apr_pool_create_ex(out, parent, NULL, allocator)) != APR_SUCCESS) {
        apr_allocator_destroy(allocator);
        return rv;
    }
    apr_allocator_owner_set(allocator, *out);
    return APR_SUCCESS;
}

apr_status_t jk_conn_pool_create(apr_pool_t *pool, int size, apr_size_t packet_size,
                                 jk_conn_pool **out)
{
    jk_conn_pool *p = apr_pcalloc(pool, sizeof(*p));
    apr_status_t rv;

    if ((rv = apr_thread_mutex_create(&p->mutex, APR_THREAD_MUTEX_DEFAULT, pool)) != APR_SUCCESS)
        return rv;
    if ((rv = apr_thread_cond_create(&p->freed, pool)) != APR_SUCCESS)
        return rv;
    p->size = size;
    p->slots = apr_pcalloc(pool, sizeof(jk_conn) * (apr_size_t)size);
    for (int i = 0; i < size; i++) {
        jk_conn *c = &p->slots[i];
        if ((rv = create_slot_pool(pool, &c->pool)) != APR_SUCCESS)
            return rv;
        c->out = jk_msg_create(pool, packet_size);
        /* Room for a whole packet after whatever is left of the previous one, and for
         * several packets per read when the backend sends them back to back. */
        c->rcap = 2 * packet_size > JK_CONN_READ_BUFFER ? 2 * packet_size : JK_CONN_READ_BUFFER;
        c->rbuf = apr_palloc(pool, c->rcap);
        c->owner = p;
    }
    *out = p;
    return APR_SUCCESS;
}

/* The idle slot to hand out: the connected one used last, else any unconnected one. */
static jk_conn *pick_idle(jk_conn_pool *p)
{
    jk_conn *best = NULL, *empty = NULL;
    for (int i = 0; i < p->size; i++) {
        jk_conn *c = &p->slots[i];
        if (c->in_use)
            continue;
        if (c->sock == NULL) {
            if (empty == NULL)
                empty = c;
        } else if (best == NULL || c->last_used > best->last_used) {
            best = c;
        }
    }
    return best ? best : empty;
}

apr_status_t jk_conn_pool_acquire(jk_conn_pool *p, apr_interval_time_t wait, jk_conn **out)
{
    apr_time_t deadline = apr_time_now() + wait;
    jk_conn *c;

    apr_thread_mutex_lock(p->mutex);
    while ((c = pick_idle(p)) == NULL) {
        apr_interval_time_t left = deadline - apr_time_now();
        if (left <= 0) {
            apr_thread_mutex_unlock(p->mutex);
            return APR_TIMEUP;
        }
        p->waiting++;
        apr_thread_cond_timedwait(p->freed, p->mutex, left);
        p->waiting--;
    }
    c->in_use = 1;
    apr_thread_mutex_unlock(p->mutex);
    *out = c;
    return APR_SUCCESS;
}

void jk_conn_close(jk_conn *c)
{
    if (c->sock) {
        apr_socket_close(c->sock);
        c->sock = NULL;
        apr_pool_clear(c->pool);
    }
    c->rpos = c->rlen = 0;
    c->requests = 0;
}

void jk_conn_pool_release(jk_conn *c, int reuse)
{
    jk_conn_pool *p = c->owner;
    if (!reuse)
        jk_conn_close(c);
    else
        c->last_used = apr_time_now();
    apr_thread_mutex_lock(p->mutex);
    c->in_use = 0;
    if (p->waiting)
        apr_thread_cond_signal(p->freed);
    apr_thread_mutex_unlock(p->mutex);
}

/* The idle connected slot unused for longest, or NULL. */
static jk_conn *oldest_idle(jk_conn_pool *p)
{
    jk_conn *oldest = NULL;
    for (int i = 0; i < p->size; i++) {
        jk_conn *c = &p->slots[i];
        if (!c->in_use && c->sock && (oldest == NULL || c->last_used < oldest->last_used))
            oldest = c;
    }
    return oldest;
}

int jk_conn_pool_close_idle(jk_conn_pool *p, apr_interval_time_t max_idle, int keep, apr_time_t now)
{
    int open = 0, closed = 0;
    jk_conn *c;

    apr_thread_mutex_lock(p->mutex);
    for (int i = 0; i < p->size; i++)
        open += p->slots[i].sock != NULL;
    /* Oldest first, so the connections kept are the ones most recently used. */
    while (open > keep && (c = oldest_idle(p)) != NULL && now - c->last_used >= max_idle) {
        jk_conn_close(c);
        open--;
        closed++;
    }
    apr_thread_mutex_unlock(p->mutex);
    return closed;
}

int jk_conn_pool_take_idle(jk_conn_pool *p, int i, apr_time_t cutoff, jk_conn **out)
{
    jk_conn *c = &p->slots[i];
    int taken = 0;
    apr_thread_mutex_lock(p->mutex);
    if (!c->in_use && c->sock && c->last_used < cutoff) {
        c->in_use = 1;
        taken = 1;
        *out = c;
    }
    apr_thread_mutex_unlock(p->mutex);
    return taken;
}

void jk_conn_pool_put_back(jk_conn *c, int keep)
{
    jk_conn_pool *p = c->owner;
    if (!keep)
        jk_conn_close(c);
    apr_thread_mutex_lock(p->mutex);
    c->in_use = 0;
    if (p->waiting)
        apr_thread_cond_signal(p->freed);
    apr_thread_mutex_unlock(p->mutex);
}

int jk_conn_pool_open_count(jk_conn_pool *p)
{
    int open = 0;
    apr_thread_mutex_lock(p->mutex);
    for (int i = 0; i < p->size; i++)
        open += p->slots[i].sock != NULL;
    apr_thread_mutex_unlock(p->mutex);
    return open;
}
