/*
 * mime=prometheus: the text exposition format 0.0.4.  A table of the metric
 * families and what each reads from the snapshot; lb members are labelled
 * lb and member, ajp13 workers in no lb shown are labelled worker.
 */
#include "jk_status_int.h"

static const char *const state_labels[VS_COUNT] = { "ok", "idle", "busy", "recovering",
                                                    "probing", "error" };
static const char *const activation_labels[] = { "active", "disabled", "stopped" };

typedef uint64_t (*metric_fn)(const member_view *m);

static uint64_t m_requests(const member_view *m) { return m->requests; }
static uint64_t m_errors(const member_view *m) { return m->errors; }
static uint64_t m_client_errors(const member_view *m) { return m->client_errors; }
static uint64_t m_reply_timeouts(const member_view *m) { return m->reply_timeouts; }
static uint64_t m_bytes_read(const member_view *m) { return m->bytes_read; }
static uint64_t m_bytes_written(const member_view *m) { return m->bytes_written; }
static uint64_t m_busy(const member_view *m) { return (uint64_t)m->busy; }
static uint64_t m_max_busy(const member_view *m) { return (uint64_t)m->max_busy; }
static uint64_t m_lbfactor(const member_view *m) { return (uint64_t)m->lbfactor; }
static uint64_t m_distance(const member_view *m) { return (uint64_t)m->cfg->distance; }
static uint64_t m_lb_value(const member_view *m) { return m->lb_value; }
static uint64_t m_error_time(const member_view *m)
{
    return m->error_time > 0 ? (uint64_t)apr_time_sec(m->error_time) : 0;
}

typedef struct metric_def {
    const char *name;
    const char *type;
    const char *help;
    metric_fn value;
    int members_only;       /* only lb members have it */
} metric_def;

static const metric_def metrics[] = {
    { "jk_requests_total", "counter", "Requests sent to the backend.", m_requests, 0 },
    { "jk_errors_total", "counter", "Requests that failed on the backend's side.", m_errors, 0 },
    { "jk_client_errors_total", "counter", "Requests that failed on the client's side.",
      m_client_errors, 0 },
    { "jk_reply_timeouts_total", "counter", "Backend replies that exceeded reply_timeout.",
      m_reply_timeouts, 0 },
    { "jk_request_bytes_total", "counter", "Request body bytes sent to the backend.",
      m_bytes_read, 0 },
    { "jk_response_bytes_total", "counter", "Response body bytes sent to clients.",
      m_bytes_written, 0 },
    { "jk_busy", "gauge", "Requests running on the backend now.", m_busy, 0 },
    { "jk_max_busy", "gauge", "Most requests running at once since start or reset.",
      m_max_busy, 0 },
    { "jk_member_lbfactor", "gauge", "Load balancing weight of the member.", m_lbfactor, 1 },
    { "jk_member_distance", "gauge", "Distance of the member; the lowest usable wins.",
      m_distance, 1 },
    { "jk_member_lb_value", "gauge", "Load balancing value of the member; the lowest is chosen.",
      m_lb_value, 1 },
    { "jk_member_last_error_timestamp_seconds", "gauge",
      "When the member last went into error or started a probe (0: never).", m_error_time, 1 },
};

static const char *member_labels(req *r, const char *lb, const char *member)
{
    return apr_psprintf(r->pool, "lb=\"%s\",member=\"%s\"", status_prom_label(r->pool, lb),
                        status_prom_label(r->pool, member));
}

static void prom_family_head(req *r, const char *name, const char *type, const char *help)
{
    putf(r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A worker not shown in any lb on this page gets a worker label instead of lb and member. */
static int prom_plain(const view *v, const member_view *m)
{
    return status_in_some_lb(v, m->worker->name) == NULL;
}

static int member_count(const view *v)
{
    int n = 0;
    for (int i = 0; i < v->lbs->nelts; i++)
        n += APR_ARRAY_IDX(v->lbs, i, lb_view).n;
    return n;
}

static int prom_samples(const view *v, const metric_def *d)
{
    int n = member_count(v);
    for (int i = 0; i < v->ajps->nelts && !d->members_only; i++)
        n += prom_plain(v, &APR_ARRAY_IDX(v->ajps, i, member_view));
    return n;
}

static void prom_family(req *r, const view *v, const metric_def *d)
{
    if (prom_samples(v, d) == 0)
        return;
    prom_family_head(r, d->name, d->type, d->help);
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            putf(r, "%s{%s} " U64 "\n", d->name,
                 member_labels(r, lb->worker->name, lb->members[k].worker->name),
                 (apr_uint64_t)d->value(&lb->members[k]));
    }
    for (int i = 0; i < v->ajps->nelts && !d->members_only; i++) {
        const member_view *m = &APR_ARRAY_IDX(v->ajps, i, member_view);
        if (prom_plain(v, m))
            putf(r, "%s{worker=\"%s\"} " U64 "\n", d->name,
                 status_prom_label(r->pool, m->worker->name), (apr_uint64_t)d->value(m));
    }
}

/* A state set: one sample per possible value, 1 for the current one. */
static void prom_member_sets(req *r, const view *v)
{
    if (member_count(v) == 0)
        return;
    prom_family_head(r, "jk_member_activation", "gauge",
                     "Activation of the member: 1 for the current one.");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            for (int a = 0; a < 3; a++)
                putf(r, "jk_member_activation{%s,activation=\"%s\"} %d\n",
                     member_labels(r, lb->worker->name, lb->members[k].worker->name),
                     activation_labels[a], (int)lb->members[k].activation == a);
    }
    prom_family_head(r, "jk_member_state", "gauge", "State of the member: 1 for the current one.");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < lb->n; k++)
            for (int st = 0; st < VS_COUNT; st++)
                putf(r, "jk_member_state{%s,state=\"%s\"} %d\n",
                     member_labels(r, lb->worker->name, lb->members[k].worker->name),
                     state_labels[st], (int)lb->members[k].state == st);
    }
}

static void prom_lb_ratings(req *r, const view *v)
{
    if (v->lbs->nelts == 0)
        return;
    prom_family_head(r, "jk_lb_members", "gauge",
                     "Members of the lb by rating (the status worker's good and bad keys).");
    for (int i = 0; i < v->lbs->nelts; i++) {
        const lb_view *lb = &APR_ARRAY_IDX(v->lbs, i, lb_view);
        for (int k = 0; k < 3; k++)
            putf(r, "jk_lb_members{lb=\"%s\",rating=\"%s\"} %d\n",
                 status_prom_label(r->pool, lb->worker->name), status_rating_names[k],
                 lb->count[k]);
    }
}

void status_render_prometheus(req *r, const view *v)
{
    for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
        prom_family(r, v, &metrics[i]);
    prom_member_sets(r, v);
    prom_lb_ratings(r, v);
}
