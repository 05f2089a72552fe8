/*
 * The snapshot: every shared record of the workers shown, read once into
 * plain structs (struct view), the one model that every format reads, so
 * that all of them show the same numbers; and the facts the renderers
 * derive from it.
 */
#include "jk_status_int.h"

#include <string.h>

const char *const status_rating_names[3] = { "good", "degraded", "bad" };
const char *const status_state_names[VS_COUNT] = { "OK", "idle", "busy", "recovering",
                                                   "probing", "error" };
const char status_activation_letters[] = "ads";

int status_is_member_of(const jk_worker *lb, const char *name)
{
    const apr_array_header_t *members = lb->config->members;
    for (int i = 0; members && i < members->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(members, i, jk_worker_config *)->name, name) == 0)
            return 1;
    return 0;
}

static apr_array_header_t *lbs_of(const status_worker *sw, apr_pool_t *pool, const char *name)
{
    apr_array_header_t *lbs = apr_array_make(pool, 1, sizeof(const char *));
    for (int i = 0; i < sw->workers->all->nelts; i++) {
        const jk_worker *w = APR_ARRAY_IDX(sw->workers->all, i, jk_worker *);
        if (w->config->type == JK_TYPE_LB && status_is_member_of(w, name))
            APR_ARRAY_PUSH(lbs, const char *) = w->name;
    }
    return lbs;
}

static void read_record(member_view *m, jk_shm_member *rec)
{
    m->activation = (jk_activation)atomic_load(&rec->activation);
    m->lbfactor = atomic_load(&rec->lbfactor);
    m->busy = atomic_load(&rec->busy);
    m->max_busy = atomic_load(&rec->max_busy);
    m->lb_value = atomic_load(&rec->lb_value);
    m->requests = atomic_load(&rec->requests);
    m->errors = atomic_load(&rec->errors);
    m->client_errors = atomic_load(&rec->client_errors);
    m->reply_timeouts = atomic_load(&rec->reply_timeouts);
    m->bytes_read = atomic_load(&rec->bytes_read);
    m->bytes_written = atomic_load(&rec->bytes_written);
    m->error_time = (apr_time_t)atomic_load(&rec->error_time);
    m->last_check = (apr_time_t)atomic_load(&rec->last_check);
    m->last_check_ok = atomic_load(&rec->last_check_ok);
}

/* The state as the lb sees it with its recover_time. */
static view_state state_of(const member_view *m, int shared_state, int recover_time,
                           apr_time_t now)
{
    if (shared_state == JK_MEMBER_PROBING)
        return VS_PROBING;
    if (shared_state == JK_MEMBER_ERROR)
        return now - m->error_time >= apr_time_from_sec(recover_time) ? VS_RECOVERING
                                                                      : VS_ERROR;
    if (m->cfg->busy_limit > 0 && m->busy >= m->cfg->busy_limit)
        return VS_BUSY;
    return m->requests == 0 ? VS_IDLE : VS_OK;
}

static member_view snapshot(const status_worker *sw, apr_pool_t *pool, const jk_worker *w)
{
    member_view m;
    memset(&m, 0, sizeof(m));
    m.worker = w;
    m.cfg = w->config;
    m.lbs = lbs_of(sw, pool, w->name);
    read_record(&m, w->shm);
    m.state = VS_OK;
    return m;
}

static member_view snapshot_in_lb(const status_worker *sw, apr_pool_t *pool,
                                  const jk_worker *lb, const jk_worker *w, apr_time_t now)
{
    member_view m = snapshot(sw, pool, w);
    int shared_state = atomic_load(&w->shm->state);
    m.state = state_of(&m, shared_state, lb->config->recover_time, now);
    m.rating = status_rate(sw, m.activation, m.state);
    if (shared_state != JK_MEMBER_OK)
        m.probe_due = m.error_time + apr_time_from_sec(lb->config->recover_time);
    return m;
}

static lb_view lb_snapshot(const status_worker *sw, apr_pool_t *pool, const jk_worker *lb,
                           apr_time_t now)
{
    lb_view v;
    const apr_array_header_t *members = lb->config->members;
    memset(&v, 0, sizeof(v));
    v.worker = lb;
    v.cfg = lb->config;
    v.members = apr_pcalloc(pool, sizeof(member_view) * (apr_size_t)(members->nelts + 1));
    for (int i = 0; i < members->nelts; i++) {
        const jk_worker_config *mc = APR_ARRAY_IDX(members, i, jk_worker_config *);
        const jk_worker *w = jk_workers_find(sw->workers, mc->name);
        if (w == NULL || w->shm == NULL)
            continue;
        v.members[v.n] = snapshot_in_lb(sw, pool, lb, w, now);
        v.count[v.members[v.n].rating]++;
        v.n++;
    }
    return v;
}

static int shown(const req *r, const jk_worker *w)
{
    return r->only == NULL || strcmp(r->only, w->name) == 0;
}

view *status_take_view(req *r)
{
    const status_worker *sw = r->sw;
    view *v = apr_pcalloc(r->pool, sizeof(*v));
    v->now = apr_time_now();
    v->lbs = apr_array_make(r->pool, 2, sizeof(lb_view));
    v->ajps = apr_array_make(r->pool, 4, sizeof(member_view));
    for (int i = 0; i < sw->workers->all->nelts; i++) {
        const jk_worker *w = APR_ARRAY_IDX(sw->workers->all, i, jk_worker *);
        if (!shown(r, w))
            continue;
        if (w->config->type == JK_TYPE_LB)
            APR_ARRAY_PUSH(v->lbs, lb_view) = lb_snapshot(sw, r->pool, w, v->now);
        else if (w->config->type == JK_TYPE_AJP13 && w->shm)
            APR_ARRAY_PUSH(v->ajps, member_view) = snapshot(sw, r->pool, w);
    }
    return v;
}

/* w= names a worker this page can show: an lb or an ajp13 worker. */
int status_known_worker(const req *r, const char *name)
{
    const jk_worker *w = jk_workers_find(r->sw->workers, name);
    return w && (w->config->type == JK_TYPE_LB || w->config->type == JK_TYPE_AJP13);
}

/* ------------------------------------------------------------------ */
/* Facts shared by the renderers                                        */

int status_pool_size(const status_worker *sw, const jk_worker_config *c)
{
    return c->connection_pool_size > 0 ? c->connection_pool_size : sw->threads_per_child;
}

int status_pool_minsize(const status_worker *sw, const jk_worker_config *c)
{
    return c->connection_pool_minsize >= 0 ? c->connection_pool_minsize
                                           : (status_pool_size(sw, c) + 1) / 2;
}

const char *status_ping_mode_text(apr_pool_t *pool, unsigned mode)
{
    return apr_psprintf(pool, "%s%s%s", (mode & JK_PING_CONNECT) ? "C" : "",
                        (mode & JK_PING_PREPOST) ? "P" : "", (mode & JK_PING_INTERVAL) ? "I" : "");
}

const char *status_join_names(apr_pool_t *pool, const apr_array_header_t *names)
{
    const char *out = "";
    for (int i = 0; i < names->nelts; i++)
        out = apr_pstrcat(pool, out, i ? "," : "", APR_ARRAY_IDX(names, i, const char *), NULL);
    return out;
}

apr_int64_t status_seconds_since(apr_time_t now, apr_time_t then)
{
    return (apr_int64_t)apr_time_sec(now - then);
}

apr_int64_t status_seconds_until(apr_time_t now, apr_time_t then)
{
    return then > now ? (apr_int64_t)apr_time_sec(then - now + APR_USEC_PER_SEC - 1) : 0;
}

/* The member's lb state, from the first lb shown that has it. */
const member_view *status_in_some_lb(const view *v, const char *name)
{
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            if (strcmp(lb->members[k].worker->name, name) == 0)
                return &lb->members[k];
    }
    return NULL;
}

const char *status_bool_text(int b)
{
    return b ? "true" : "false";
}

/* Every member of every lb shown is rated good: the health check's OK. */
int status_all_good(const view *v)
{
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        if (lb->count[RATING_GOOD] != lb->n)
            return 0;
    }
    return 1;
}
