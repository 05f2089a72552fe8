/*
 * jk_lb_worker.c: the lb worker (see jk_lb_worker.h): choosing a member (session
 * route, redirect, domain, lowest distance and lb_value), failover, recovery.
 */
#include "jk_lb_worker.h"
#include "jk_session.h"

#include <apr_strings.h>
#include <string.h>

typedef struct lb_member {
    jk_worker *worker;
    const jk_worker_config *cfg;
    jk_shm_member *shm;
    /* Process-local, but any thread may refresh them (see refresh_multipliers). */
    _Atomic uint64_t mult;
    _Atomic int factor;         /* the lbfactor `mult` was computed from */
} lb_member;

typedef struct lb_worker {
    jk_worker base;
    const jk_worker_config *cfg;
    lb_member *members;
    int n;
    jk_shm_lb *shm;
    jk_shm_lb local_record;     /* when there is no shared memory (unit tests) */
    jk_clock_fn clock;
    jk_sleep_fn sleep;
} lb_worker;

#define LOG(lb, level, ...) jk_log((lb)->base.log, level, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Weights                                                              */

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void jk_lb_multipliers(const int *factors, int n, uint64_t *mult)
{
    uint64_t lcm = 1;
    for (int i = 0; i < n; i++)
        lcm = lcm / gcd(lcm, (uint64_t)factors[i]) * (uint64_t)factors[i];
    for (int i = 0; i < n; i++)
        mult[i] = lcm / (uint64_t)factors[i];
}

static void update_multipliers(lb_worker *lb, apr_pool_t *pool)
{
    int *factors = apr_palloc(pool, sizeof(int) * (apr_size_t)lb->n);
    uint64_t *mult = apr_palloc(pool, sizeof(uint64_t) * (apr_size_t)lb->n);
    for (int i = 0; i < lb->n; i++)
        factors[i] = atomic_load(&lb->members[i].shm->lbfactor);
    jk_lb_multipliers(factors, lb->n, mult);
    for (int i = 0; i < lb->n; i++) {
        atomic_store_explicit(&lb->members[i].mult, mult[i], memory_order_relaxed);
        atomic_store_explicit(&lb->members[i].factor, factors[i], memory_order_relaxed);
    }
}

static uint64_t mult_of(const lb_member *m)
{
    return atomic_load_explicit(&m->mult, memory_order_relaxed);
}

/* A factor changed on the status page (in any child) takes effect here on the next choice. */
static void refresh_multipliers(lb_worker *lb, apr_pool_t *pool)
{
    for (int i = 0; i < lb->n; i++)
        if (atomic_load(&lb->members[i].shm->lbfactor) !=
            atomic_load_explicit(&lb->members[i].factor, memory_order_relaxed)) {
            update_multipliers(lb, pool);
            return;
        }
}

/* ------------------------------------------------------------------ */
/* Member state                                                         */

static int recovery_due(const lb_worker *lb, const jk_shm_member *m, apr_time_t now)
{
    return now - atomic_load(&m->error_time) >= apr_time_from_sec(lb->cfg->recover_time);
}

/* Can `m` take a request now?  An error member past recover_time can, as a probe. */
static int available(const lb_worker *lb, const jk_shm_member *m, apr_time_t now)
{
    int state = atomic_load(&m->state);
    return state == JK_MEMBER_OK || recovery_due(lb, m, now);
}

static int listed(const char *list, const char *name)
{
    apr_size_t n = strlen(name);
    for (const char *p = list; p && (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || strchr(", \t", p[-1])) && (p[n] == '\0' || strchr(", \t", p[n])))
            return 1;
    return 0;
}

/* The member's activation for this request: a mount rule's override, else the shared one. */
static int activation_for(const lb_member *m, const jk_service *s)
{
    if (listed(s->members_stopped, m->worker->name))
        return JK_ACTIVATION_STOPPED;
    if (listed(s->members_disabled, m->worker->name))
        return JK_ACTIVATION_DISABLED;
    if (listed(s->members_active, m->worker->name))
        return JK_ACTIVATION_ACTIVE;
    return atomic_load(&m->shm->activation);
}

/* The activation as mod_jk names it in the JK_LB_ACTIVATION request attribute. */
static const char *activation_code(int activation)
{
    return activation == JK_ACTIVATION_STOPPED ? "STP"
         : activation == JK_ACTIVATION_DISABLED ? "DIS" : "ACT";
}

static int usable(const lb_worker *lb, const lb_member *m, const jk_service *s, apr_time_t now)
{
    return activation_for(m, s) == JK_ACTIVATION_ACTIVE && available(lb, m->shm, now);
}

/* Disabled members still serve the sessions they hold (a graceful drain). */
static int usable_sticky(const lb_worker *lb, const lb_member *m, const jk_service *s,
                         apr_time_t now)
{
    return activation_for(m, s) != JK_ACTIVATION_STOPPED && available(lb, m->shm, now);
}

/* A member in error that is picked becomes the probe. */
static void start_probe_if_due(lb_member *m, apr_time_t now)
{
    if (atomic_load(&m->shm->state) != JK_MEMBER_OK) {
        atomic_store(&m->shm->state, JK_MEMBER_PROBING);
        atomic_store(&m->shm->error_time, now);
    }
}

/*
 * May this request have the member it picked?  A member that is OK: yes.  One in error
 * (or probing) whose recover_time is up: only the one request, in any child, that moves
 * its error_time on; it becomes the probe, and the others see a member that failed just
 * now.  No lock: requests that pick at the same moment race on one compare-and-swap.
 */
static int claim(const lb_worker *lb, lb_member *m, apr_time_t now)
{
    int state = atomic_load(&m->shm->state);
    int64_t since = atomic_load(&m->shm->error_time);
    if (state == JK_MEMBER_OK)
        return 1;
    if (now - since < apr_time_from_sec(lb->cfg->recover_time) ||
        !atomic_compare_exchange_strong(&m->shm->error_time, &since, now))
        return 0;
    /* Unless it came back meanwhile (then it is simply OK). */
    atomic_compare_exchange_strong(&m->shm->state, &state, JK_MEMBER_PROBING);
    return 1;
}

static uint64_t highest_lb_value(const lb_worker *lb)
{
    uint64_t max = 0;
    for (int i = 0; i < lb->n; i++) {
        uint64_t v = atomic_load(&lb->members[i].shm->lb_value);
        if (v > max)
            max = v;
    }
    return max;
}

static void mark_ok(lb_worker *lb, lb_member *m)
{
    int was;
    atomic_store(&m->shm->timeouts_in_a_row, 0);
    was = atomic_exchange(&m->shm->state, JK_MEMBER_OK);
    if (was == JK_MEMBER_OK)
        return;
    /* Back from error: start level with the others, not with a flood of requests. */
    atomic_store(&m->shm->lb_value, highest_lb_value(lb));
    atomic_store(&m->shm->ok_since, lb->clock());
    LOG(lb, JK_LOG_INFO, "lb %s: member %s (%s) answers again; it takes requests", lb->base.name,
        m->worker->name, m->worker->endpoint);
}

static void mark_error(lb_worker *lb, lb_member *m, jk_result why)
{
    int was;
    /* A slow reply now and then is tolerated up to max_reply_timeouts in a row. */
    if (why == JK_ERR_TIMEOUT &&
        atomic_fetch_add(&m->shm->timeouts_in_a_row, 1) < lb->cfg->max_reply_timeouts)
        return;
    was = atomic_exchange(&m->shm->state, JK_MEMBER_ERROR);
    atomic_store(&m->shm->error_time, lb->clock());
    if (was == JK_MEMBER_ERROR)
        return;
    if (was == JK_MEMBER_PROBING) {
        LOG(lb, JK_LOG_DEBUG, "lb %s: probe of member %s failed (%s); next probe in %d s",
            lb->base.name, m->worker->name, jk_result_text(why), lb->cfg->recover_time);
        return;
    }
    LOG(lb, JK_LOG_ERROR, "lb %s: member %s (%s) is in error (%s); requests go to the other "
        "members, and one will probe it again in %d s", lb->base.name, m->worker->name,
        m->worker->endpoint, jk_result_text(why), lb->cfg->recover_time);
}

/* ------------------------------------------------------------------ */
/* Choosing                                                             */

typedef struct choice_ctx {
    lb_worker *lb;
    jk_service *s;
    char *tried;
    apr_time_t now;
    int has_session;
    int refused_by_force;
} choice_ctx;

static lb_member *by_route(lb_worker *lb, const char *route)
{
    for (int i = 0; i < lb->n; i++)
        if (strcmp(lb->members[i].cfg->route, route) == 0)
            return &lb->members[i];
    return NULL;
}

/* The best member by distance, then lb_value, then rotation; `domain` limits the field. */
static lb_member *best(choice_ctx *c, const char *domain, int sticky_rules)
{
    lb_worker *lb = c->lb;
    unsigned start = atomic_load(&lb->shm->next);
    lb_member *pick = NULL;
    for (int k = 0; k < lb->n; k++) {
        int i = (int)((start + (unsigned)k) % (unsigned)lb->n);
        lb_member *m = &lb->members[i];
        int ok = sticky_rules ? usable_sticky(lb, m, c->s, c->now) : usable(lb, m, c->s, c->now);
        if (c->tried[i] || !ok)
            continue;
        if (domain && strcmp(m->cfg->domain, domain) != 0)
            continue;
        if (pick == NULL || m->cfg->distance < pick->cfg->distance ||
            (m->cfg->distance == pick->cfg->distance &&
             atomic_load(&m->shm->lb_value) < atomic_load(&pick->shm->lb_value)))
            pick = m;
    }
    if (pick)
        atomic_store(&lb->shm->next, (unsigned)(pick - lb->members) + 1);
    return pick;
}

/* The member that holds the session, or the fallback its settings name. */
static lb_member *sticky_choice(choice_ctx *c, const char *route)
{
    lb_worker *lb = c->lb;
    lb_member *owner = by_route(lb, route);
    const char *dot;

    if (owner == NULL) {
        /* A route no member has: its part before '.' may name a domain of active members. */
        lb_member *m;
        dot = strchr(route, '.');
        m = best(c, dot ? apr_pstrndup(c->s->pool, route, (apr_size_t)(dot - route)) : route, 0);
        if (m == NULL && lb->cfg->sticky_session_force)
            c->refused_by_force = 1;
        return m;
    }
    if (!c->tried[owner - lb->members] && usable_sticky(lb, owner, c->s, c->now))
        return owner;
    if (lb->cfg->sticky_session_force) {
        c->refused_by_force = 1;
        return NULL;
    }
    if (*owner->cfg->redirect) {
        lb_member *r = by_route(lb, owner->cfg->redirect);
        if (r && !c->tried[r - lb->members] && usable_sticky(lb, r, c->s, c->now))
            return r;
    }
    if (*owner->cfg->domain)
        return best(c, owner->cfg->domain, 0);
    return NULL;
}

static lb_member *choose_unlocked(choice_ctx *c, apr_array_header_t *routes)
{
    for (int i = 0; i < routes->nelts; i++) {
        lb_member *m = sticky_choice(c, APR_ARRAY_IDX(routes, i, const char *));
        if (m || c->refused_by_force)
            return m;
    }
    return best(c, NULL, 0);
}

/*
 * Slow start: for slow_start seconds after a member comes back, each request it gets
 * counts more (up to 10 times), so its share grows from a tenth to its full lbfactor.
 */
static uint64_t slow_start_weight(const lb_member *m, apr_time_t now)
{
    apr_time_t since = atomic_load(&m->shm->ok_since), ramp, elapsed;
    if (m->cfg->slow_start <= 0 || since == 0)
        return 1;
    ramp = apr_time_from_sec(m->cfg->slow_start);
    elapsed = now - since;
    if (elapsed >= ramp)
        return 1;
    if (elapsed < ramp / 10)
        elapsed = ramp / 10;
    return (uint64_t)((ramp + elapsed - 1) / elapsed);
}

static int counts_as_new_load(const lb_worker *lb, const choice_ctx *c)
{
    switch (lb->cfg->method) {
    case JK_LB_METHOD_SESSION:
    case JK_LB_METHOD_NEXT:
        return !c->has_session;
    case JK_LB_METHOD_TRAFFIC:
        return 0; /* added after the request, by bytes */
    case JK_LB_METHOD_BUSYNESS:
        return 0; /* added while the request runs, taken off when it ends */
    default:
        return 1;
    }
}

/*
 * Pick a member and count the request against it, without a lock: the lb_values, states
 * and error times are atomics in shared memory.  Requests that choose at the same instant
 * may both take the member with the lowest lb_value (the next ones then go elsewhere);
 * one after the other, the choice is exact across children.  A lock here made every lb
 * request of every child queue behind one holder, which on busy CPUs was now and then
 * preempted while holding it (waits of up to 100 ms, measured with bench/tail.py).
 */
static lb_member *choose(choice_ctx *c, apr_array_header_t *routes)
{
    lb_worker *lb = c->lb;
    lb_member *m = NULL;
    refresh_multipliers(lb, c->s->pool);
    /* A member lost to another request's probe is no longer available: pick again. */
    for (int round = 0; round <= lb->n; round++) {
        if ((m = choose_unlocked(c, routes)) == NULL || claim(lb, m, c->now))
            break;
        m = NULL;
    }
    if (m && counts_as_new_load(lb, c))
        atomic_fetch_add(&m->shm->lb_value, mult_of(m) * slow_start_weight(m, c->now));
    return m;
}

/* Routes of the session ids the request carries, in the order to try them. */
static apr_array_header_t *session_routes(lb_worker *lb, jk_service *s)
{
    apr_array_header_t *ids, *routes = apr_array_make(s->pool, 1, sizeof(const char *));
    if (!lb->cfg->sticky_session || s->sticky_ignore > 0)
        return routes;
    ids = jk_session_ids(s->pool, s->uri, s->headers, s->num_headers,
                         s->session_cookie ? s->session_cookie : lb->cfg->session_cookie,
                         s->session_path ? s->session_path : lb->cfg->session_path);
    for (int i = 0; i < ids->nelts; i++) {
        const char *route = jk_session_route(APR_ARRAY_IDX(ids, i, const char *));
        if (route)
            APR_ARRAY_PUSH(routes, const char *) = route;
    }
    return routes;
}

/* ------------------------------------------------------------------ */
/* Serving                                                              */

static void account(lb_worker *lb, lb_member *m, const jk_service *s, jk_result r,
                    apr_off_t read0, apr_off_t written0)
{
    uint64_t in = (uint64_t)(s->bytes_read - read0), out = (uint64_t)(s->bytes_written - written0);
    if (lb->cfg->method == JK_LB_METHOD_TRAFFIC)
        atomic_fetch_add(&m->shm->lb_value, (in + out) * mult_of(m));
    switch (r) {
    case JK_OK:
        /* Refused by the connector (a wrong secret): every request would be, so take it out. */
        if (s->backend_refused)
            mark_error(lb, m, JK_ERR_REFUSED);
        else
            mark_ok(lb, m);
        break;
    case JK_ERR_CLIENT:
    case JK_ERR_TOO_LARGE:
        /* Not the backend's fault; but a probe that got this far proved it alive. */
        mark_ok(lb, m);
        break;
    case JK_ERR_BUSY:
    case JK_ERR_STATUS_SOFT:
        /* The member is alive; a probe that saw this proved it. */
        mark_ok(lb, m);
        break;
    default:
        mark_error(lb, m, r);
        break;
    }
}

static int usable_left(choice_ctx *c)
{
    int n = 0;
    for (int i = 0; i < c->lb->n; i++)
        n += !c->tried[i] && usable(c->lb, &c->lb->members[i], c->s, c->now);
    return n;
}

#define RETRY_WINDOW apr_time_from_sec(10)
#define RETRY_ALLOWANCE 3 /* failovers always allowed per window, so a quiet site can fail over */

/* Count a request (retry = 0) or a failover (retry = 1) in the current window. */
static void budget_count(jk_shm_lb *rec, apr_time_t now, int retry)
{
    apr_time_t start = atomic_load(&rec->window_start);
    if (now - start >= RETRY_WINDOW &&
        atomic_compare_exchange_strong(&rec->window_start, &start, now)) {
        atomic_store(&rec->last_requests, atomic_exchange(&rec->window_requests, 0));
        atomic_store(&rec->last_retries, atomic_exchange(&rec->window_retries, 0));
    }
    atomic_fetch_add(retry ? &rec->window_retries : &rec->window_requests, 1);
}

/* May one more failover happen?  Over the last two windows, within retry_budget percent. */
static int budget_allows(const lb_worker *lb)
{
    uint64_t requests, retries;
    if (lb->cfg->retry_budget <= 0)
        return 1;
    requests = atomic_load(&lb->shm->window_requests) + atomic_load(&lb->shm->last_requests);
    retries = atomic_load(&lb->shm->window_retries) + atomic_load(&lb->shm->last_retries);
    return retries < RETRY_ALLOWANCE || retries * 100 < requests * (uint64_t)lb->cfg->retry_budget;
}

static jk_result serve_on(lb_worker *lb, lb_member *m, choice_ctx *c)
{
    jk_service *s = c->s;
    apr_off_t read0 = s->bytes_read, written0 = s->bytes_written;
    jk_result r;

    c->tried[m - lb->members] = 1;
    s->route = m->cfg->route;
    s->activation = activation_code(activation_for(m, s));
    if (s->member)
        s->failovers++;
    else
        s->first_member = m->worker->name;
    s->member = m->worker->name;
    s->single_attempt = usable_left(c) > 0;
    if (lb->cfg->method == JK_LB_METHOD_BUSYNESS)
        atomic_fetch_add(&m->shm->lb_value, mult_of(m));
    r = m->worker->ops->service(m->worker, s);
    if (lb->cfg->method == JK_LB_METHOD_BUSYNESS)
        atomic_fetch_sub(&m->shm->lb_value, mult_of(m));
    account(lb, m, s, r, read0, written0);
    if (r != JK_OK)
        jk_service_discard_response(s);
    return r;
}

#define FORCED_RECOVERY_GAP apr_time_from_sec(1)

/* Which member a forced recovery tries first: the one that answered anyone last (a
 * member overloaded into error still answers; a dead one does not), else the one that
 * failed longest ago. */
static int better_forced_pick(const lb_member *m, const lb_member *pick)
{
    int64_t answered = atomic_load(&m->shm->last_answer_at);
    int64_t pick_answered = atomic_load(&pick->shm->last_answer_at);
    if (answered != pick_answered)
        return answered > pick_answered;
    return atomic_load(&m->shm->error_time) < atomic_load(&pick->shm->error_time);
}

/*
 * Every member is in error: rather than refuse everyone until recover_time, let one
 * request a second try (mod_jk's forced recovery).
 * A member that failed only because the machine was overloaded comes back at once.
 */
static lb_member *forced_recovery(lb_worker *lb, choice_ctx *c)
{
    lb_member *pick = NULL;
    apr_time_t last = atomic_load(&lb->shm->forced_at);
    if (c->now - last < FORCED_RECOVERY_GAP ||
        !atomic_compare_exchange_strong(&lb->shm->forced_at, &last, c->now))
        return NULL;
    /* Only the request that moved forced_at on gets here: no other to exclude. */
    for (int i = 0; i < lb->n; i++) {
        lb_member *m = &lb->members[i];
        if (c->tried[i] || activation_for(m, c->s) != JK_ACTIVATION_ACTIVE ||
            atomic_load(&m->shm->state) != JK_MEMBER_ERROR)
            continue;
        if (pick == NULL || better_forced_pick(m, pick))
            pick = m;
    }
    if (pick)
        start_probe_if_due(pick, c->now);
    if (pick)
        LOG(lb, JK_LOG_INFO, "lb %s: every member is in error; trying %s again anyway (forced "
            "recovery)", lb->base.name, pick->worker->name);
    return pick;
}

static int nothing_tried(const choice_ctx *c)
{
    for (int i = 0; i < c->lb->n; i++)
        if (c->tried[i])
            return 0;
    return 1;
}

static jk_result lb_service(jk_worker *base, jk_service *s)
{
    lb_worker *lb = base->impl;
    choice_ctx c = { lb, s, apr_pcalloc(s->pool, (apr_size_t)lb->n), 0, 0, 0 };
    apr_array_header_t *routes = session_routes(lb, s);
    jk_result r = JK_ERR_UNAVAILABLE;

    c.has_session = routes->nelts > 0;
    budget_count(lb->shm, lb->clock(), 0);
    for (int round = 0; round < lb->cfg->retries; round++) {
        lb_member *m;
        int tries = 0;
        c.now = lb->clock();
        /* lb_retries: how many members one round may try. */
        while (tries++ < lb->cfg->lb_retries && (m = choose(&c, routes)) != NULL) {
            r = serve_on(lb, m, &c);
            if (r == JK_OK)
                return r;
            if (!jk_may_resend(s, r, m->cfg->recovery_options)) {
                LOG(lb, JK_LOG_INFO, "lb %s: %s %s failed on member %s (%s); not sent to another "
                    "member: %s", base->name, s->method, s->uri, m->worker->name,
                    jk_result_text(r), s->response_started ? "the response had started"
                    : s->body_streamed ? "its body was already streamed"
                    : "the method is not idempotent (see recovery_options)");
                return r;
            }
            if (!budget_allows(lb)) {
                LOG(lb, JK_LOG_WARN, "lb %s: %s %s failed on member %s (%s); the retry budget "
                    "(%d%%) is spent, so no other member is tried", base->name, s->method,
                    s->uri, m->worker->name, jk_result_text(r), lb->cfg->retry_budget);
                return JK_ERR_UNAVAILABLE;
            }
            budget_count(lb->shm, c.now, 1);
            LOG(lb, JK_LOG_INFO, "lb %s: %s %s failed on member %s (%s); trying another member",
                base->name, s->method, s->uri, m->worker->name, jk_result_text(r));
        }
        if (c.refused_by_force) {
            LOG(lb, JK_LOG_ERROR, "lb %s: the session's member cannot take %s and "
                "sticky_session_force is set; the client gets 503", base->name, s->uri);
            return JK_ERR_UNAVAILABLE;
        }
        if (round == 0 && nothing_tried(&c) && (m = forced_recovery(lb, &c)) != NULL) {
            if ((r = serve_on(lb, m, &c)) == JK_OK)
                return r;
        }
        if (round + 1 >= lb->cfg->retries)
            break;
        if (r != JK_ERR_BUSY) {
            /* Members failed: the next round goes on with the ones not tried yet, at once. */
            if (usable_left(&c) == 0)
                break;
            continue;
        }
        /* Every member was busy: wait a little and look again at all of them. */
        memset(c.tried, 0, (apr_size_t)lb->n);
        lb->sleep((apr_interval_time_t)lb->cfg->retry_interval * 1000);
    }
    LOG(lb, JK_LOG_ERROR, "lb %s: no member could take %s %s; the client gets %d", base->name,
        s->method, s->uri, jk_result_http_status(r));
    return r;
}

/* One child checks a member per interval: whoever moves last_check forward first. */
static int claim_check(jk_shm_member *m, apr_time_t now, int interval)
{
    apr_time_t last = atomic_load(&m->last_check);
    return now - last >= apr_time_from_sec(interval) &&
           atomic_compare_exchange_strong(&m->last_check, &last, now);
}

static void check_member(lb_worker *lb, lb_member *m, apr_time_t now)
{
    jk_result r;
    if (atomic_load(&m->shm->state) != JK_MEMBER_ERROR || m->cfg->health_check_interval <= 0 ||
        m->worker->ops->probe == NULL || !claim_check(m->shm, now, m->cfg->health_check_interval))
        return;
    r = m->worker->ops->probe(m->worker, m->cfg->health_check_uri);
    atomic_store(&m->shm->last_check_ok, r == JK_OK);
    if (r == JK_OK) {
        LOG(lb, JK_LOG_INFO, "lb %s: member %s passed its health check (%s)", lb->base.name,
            m->worker->name, m->cfg->health_check_uri ? m->cfg->health_check_uri : "CPing");
        mark_ok(lb, m);
    }
}

/* Members in error are checked in the background, so no user request has to be the probe. */
static void lb_maintain(jk_worker *base, apr_time_t now)
{
    lb_worker *lb = base->impl;
    for (int i = 0; i < lb->n; i++)
        check_member(lb, &lb->members[i], now);
}

static const jk_worker_ops lb_ops = { lb_service, lb_maintain, NULL };

void jk_lb_worker_set_clock(jk_worker *w, jk_clock_fn clock, jk_sleep_fn sleep)
{
    lb_worker *lb = w->impl;
    lb->clock = clock;
    lb->sleep = sleep;
}

apr_status_t jk_lb_worker_create(apr_pool_t *pool, const jk_worker_config *cfg,
                                 const jk_worker_env *env, const jk_worker_table *members,
                                 jk_worker **out)
{
    lb_worker *lb = apr_pcalloc(pool, sizeof(*lb));

    jk_worker_init_base(&lb->base, "lb", &lb_ops, cfg, env, lb);
    lb->cfg = cfg;
    lb->clock = apr_time_now;
    lb->sleep = apr_sleep;
    lb->n = cfg->members->nelts;
    lb->members = apr_pcalloc(pool, sizeof(lb_member) * (apr_size_t)lb->n);
    lb->shm = jk_shm_lb_find(env->shm, cfg->name);
    if (lb->shm == NULL)
        lb->shm = &lb->local_record;
    for (int i = 0; i < lb->n; i++) {
        const jk_worker_config *mc = APR_ARRAY_IDX(cfg->members, i, jk_worker_config *);
        lb_member *m = &lb->members[i];
        m->cfg = mc;
        m->worker = jk_workers_find(members, mc->name);
        if (m->worker == NULL || m->worker->shm == NULL)
            return APR_EINIT;
        m->shm = m->worker->shm;
    }
    update_multipliers(lb, pool);
    *out = &lb->base;
    return APR_SUCCESS;
}
