/* lb_fixture.c: the lb tests' simulated clock, fake members, built lb and request helpers. */
#include "lb_fixture.h"

/* ------------------------------------------------------------------ */
/* Simulated time                                                       */

static apr_time_t now_us;

apr_time_t test_clock(void)
{
    return now_us;
}

void advance(int seconds)
{
    now_us += apr_time_from_sec(seconds);
}

/* The lb's waits between rounds: counted, and they move the simulated clock. */
int sleeps;
apr_interval_time_t slept_us;

static void test_sleep(apr_interval_time_t usec)
{
    sleeps++;
    slept_us += usec;
    now_us += usec;
}

/* ------------------------------------------------------------------ */
/* Fake members                                                         */

int trace[MAX_TRACE];
int trace_len;

static jk_result fake_service(jk_worker *w, jk_service *s)
{
    fake_member *f = w->impl;
    jk_result r;
    if (trace_len < MAX_TRACE)
        trace[trace_len++] = f->index;
    f->calls++;
    s->bytes_read += f->add_read;
    s->bytes_written += f->add_written;
    if (f->during && !f->in_hook) {
        f->in_hook = 1;
        f->during(f, s);
        f->in_hook = 0;
    }
    r = f->script_pos < f->script_len ? f->script[f->script_pos++] : f->otherwise;
    if (r == JK_OK) {
        s->response_started = 1;
        s->response_status = 200;
    }
    return r;
}

jk_result probe_answer = JK_OK;
int probes;

static jk_result fake_probe(jk_worker *w, const char *uri)
{
    (void)w;
    (void)uri;
    probes++;
    return probe_answer;
}

static const jk_worker_ops fake_ops = { fake_service, NULL, fake_probe };

void script(fake_member *f, int n, const jk_result *results)
{
    ck_assert_int_le(n, MAX_SCRIPT);
    memcpy(f->script, results, sizeof(jk_result) * (size_t)n);
    f->script_len = n;
    f->script_pos = 0;
}

/* ------------------------------------------------------------------ */
/* An lb named "lb" over worker1..workerN, built from properties text   */

apr_pool_t *pool;
lb_fixture T;

void setup(void)
{
    apr_pool_create(&pool, NULL);
    memset(&T, 0, sizeof(T));
    trace_len = 0;
    now_us = apr_time_from_sec(1000000);
}

void teardown(void)
{
    apr_pool_destroy(pool);
}

static void add_lines(jk_props *p, const char *text, int *line)
{
    char *copy = apr_pstrdup(pool, text), *state = NULL;
    for (char *l = apr_strtok(copy, "\n", &state); l; l = apr_strtok(NULL, "\n", &state))
        jk_props_add_line(p, l, "workers.properties", ++*line);
}

/* worker1..workerN with their host lines, then `extra` (see lb_fixture.h). */
void build(int n, const char *extra)
{
    jk_props *p = jk_props_create(pool);
    jk_worker_env env;
    jk_worker_table table;
    char *members = "";
    int line = 0;
    apr_status_t rv;

    ck_assert_int_le(n, MAX_MEMBERS);
    for (int i = 1; i <= n; i++)
        members = apr_psprintf(pool, "%s%sworker%d", members, i > 1 ? "," : "", i);
    add_lines(p, "worker.list=lb\nworker.lb.type=lb", &line);
    add_lines(p, apr_psprintf(pool, "worker.lb.balance_workers=%s", members), &line);
    for (int i = 1; i <= n; i++)
        add_lines(p, apr_psprintf(pool, "worker.worker%d.type=ajp13\nworker.worker%d.host="
                                  "127.0.0.1\nworker.worker%d.port=%d", i, i, i, 8000 + i), &line);
    if (extra)
        add_lines(p, extra, &line);

    T.config = jk_config_build(pool, p);
    ck_assert_msg(T.config->errors->nelts == 0, "config error: %s",
                  T.config->errors->nelts ? APR_ARRAY_IDX(T.config->errors, 0, const char *) : "");
    ck_assert_int_eq(jk_shm_create(pool, T.config, &T.shm), APR_SUCCESS);
    T.lb_config = jk_config_find(T.config, "lb");
    ck_assert_ptr_nonnull(T.lb_config);
    ck_assert_int_eq(T.lb_config->members->nelts, n);

    table.by_name = apr_hash_make(pool);
    table.all = apr_array_make(pool, n, sizeof(jk_worker *));
    for (int i = 0; i < n; i++) {
        const jk_worker_config *mc = APR_ARRAY_IDX(T.lb_config->members, i, jk_worker_config *);
        fake_member *f = apr_pcalloc(pool, sizeof(*f));
        f->index = i;
        f->otherwise = JK_OK;
        f->worker.name = mc->name;
        f->worker.type_name = "fake";
        f->worker.ops = &fake_ops;
        f->worker.config = mc;
        f->worker.endpoint = apr_psprintf(pool, "fake:%d", i + 1);
        f->worker.shm = jk_shm_member_find(T.shm, mc->name);
        f->worker.impl = f;
        ck_assert_ptr_nonnull(f->worker.shm);
        apr_hash_set(table.by_name, mc->name, APR_HASH_KEY_STRING, &f->worker);
        APR_ARRAY_PUSH(table.all, jk_worker *) = &f->worker;
        T.m[i] = f;
    }
    T.n = n;

    memset(&env, 0, sizeof(env));
    env.threads_per_child = 1;
    env.shm = T.shm;
    rv = jk_lb_worker_create(pool, T.lb_config, &env, &table, &T.lb);
    ck_assert_int_eq(rv, APR_SUCCESS);
    jk_lb_worker_set_clock(T.lb, test_clock, test_sleep);
    sleeps = 0;
    slept_us = 0;
}

jk_shm_member *shm_of(int i)
{
    return T.m[i]->worker.shm;
}

/* Which member (0-based) has this route, or -1. */
static int member_of_route(const char *route)
{
    for (int i = 0; route && i < T.n; i++)
        if (strcmp(T.m[i]->worker.config->route, route) == 0)
            return i;
    return -1;
}

/* The web server's side: it holds a response until it commits it, and can drop it. */
int discards;

static void count_discard(jk_service *s)
{
    (void)s;
    discards++;
}

static const jk_service_io holding_io = { NULL, NULL, NULL, NULL, count_discard };

outcome request2(const char *method, const char *uri, const char *cookie,
                 const char *cookie2)
{
    apr_pool_t *rp;
    jk_service *s;
    jk_header *h;
    outcome o;
    int before = trace_len;
    int calls_before[MAX_MEMBERS];

    for (int i = 0; i < T.n; i++)
        calls_before[i] = T.m[i]->calls;
    apr_pool_create(&rp, pool);
    s = apr_pcalloc(rp, sizeof(*s));
    h = apr_pcalloc(rp, sizeof(*h) * 2);
    s->pool = rp;
    s->method = method;
    s->protocol = "HTTP/1.1";
    s->uri = uri;
    s->remote_addr = "127.0.0.1";
    s->server_name = "localhost";
    s->server_port = 80;
    s->ssl_key_size = -1;
    s->content_length = 0;
    if (cookie) {
        h[s->num_headers].name = "Cookie";
        h[s->num_headers++].value = cookie;
    }
    if (cookie2) {
        h[s->num_headers].name = "Cookie";
        h[s->num_headers++].value = cookie2;
    }
    s->headers = h;
    s->io = &holding_io;

    o.result = T.lb->ops->service(T.lb, s);
    o.member = member_of_route(s->route);
    o.activation = s->activation; /* a string constant: outlives the request's pool */
    o.calls = 0;
    for (int i = 0; i < T.n; i++)
        o.calls += T.m[i]->calls - calls_before[i];
    o.first_call = trace_len > before ? trace[before] : -1;
    apr_pool_destroy(rp);
    return o;
}

outcome request(const char *method, const char *uri, const char *cookie)
{
    return request2(method, uri, cookie, NULL);
}

outcome get(void)
{
    return request("GET", "/index.jsp", NULL);
}

outcome get_sticky(const char *route)
{
    return request("GET", "/index.jsp", apr_psprintf(pool, "JSESSIONID=0123456789ABCDEF.%s",
                                                     route));
}

int longest_run(const int *seq, int len, int member)
{
    int best = 0, run = 0;
    for (int i = 0; i < len; i++) {
        run = seq[i] == member ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

int count_of(const int *seq, int len, int member)
{
    int n = 0;
    for (int i = 0; i < len; i++)
        n += seq[i] == member;
    return n;
}

void send_plain(int n)
{
    for (int i = 0; i < n; i++) {
        outcome o = get();
        ck_assert_int_eq(o.result, JK_OK);
        ck_assert_int_eq(o.calls, 1);
    }
}
