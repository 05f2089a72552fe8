/* status_fixture.c: the status tests' workers and shm, mod_jk.log, and the capturing jk_service. */
#include "status_fixture.h"

#define NASTY_ROUTE "r<script>alert(1)</script>"

apr_pool_t *pool;
static jk_shm *shm;
static jk_worker_table *workers;
static const char *log_path;

static const char *const config_lines[] = {
    "worker.list=lb,plain,jkstatus,jkro,jkusers,jkcase,jkxml,jkstrict",
    "worker.lb.type=lb",
    "worker.lb.balance_workers=a,b",
    "worker.lb.recover_time=30",
    "worker.a.host=127.0.0.1",
    "worker.a.port=8101",
    "worker.a.route=" NASTY_ROUTE,
    "worker.b.host=127.0.0.1",
    "worker.b.port=8102",
    "worker.b.lbfactor=2",
    "worker.b.domain=d&\"'x",
    "worker.plain.host=127.0.0.1",
    "worker.plain.port=8103",
    "worker.plain.connection_pool_size=7",
    "worker.plain.reply_timeout=1500",
    "worker.jkstatus.type=status",
    "worker.jkro.type=status",
    "worker.jkro.read_only=true",
    "worker.jkusers.type=status",
    "worker.jkusers.user=Alice,bob",
    "worker.jkusers.user_case_insensitive=true",
    "worker.jkcase.type=status",
    "worker.jkcase.user=Alice",
    "worker.jkxml.type=status",
    "worker.jkxml.ns=-",
    "worker.jkxml.css=/s.css?a=1&b=\"x\"",
    "worker.jkxml.prefix=jk",
    "worker.jkxml.good=a.o,a.n",
    "worker.jkxml.bad=s,e,d",
    "worker.jkstrict.type=status",
    "worker.jkstrict.strict_update=true",
    "worker.plain.secret=s3cr3t-value",
    NULL
};

void setup(void)
{
    jk_props *p;
    jk_config *c;
    jk_worker_env env;
    apr_file_t *f;

    apr_pool_create(&pool, NULL);
    p = jk_props_create(pool);
    for (int i = 0; config_lines[i]; i++)
        jk_props_add_line(p, config_lines[i], "workers.properties", i + 1);
    c = jk_config_build(pool, p);
    for (int i = 0; i < c->errors->nelts; i++)
        fprintf(stderr, "%s\n", APR_ARRAY_IDX(c->errors, i, const char *));
    ck_assert_int_eq(c->errors->nelts, 0);
    ck_assert_int_eq(jk_shm_create(pool, c, &shm), APR_SUCCESS);
    log_path = apr_psprintf(pool, "/tmp/test_status.%ld.log", (long)getpid());
    f = unit_open_log(pool, log_path);
    memset(&env, 0, sizeof(env));
    env.log = jk_log_create(pool, f, JK_LOG_INFO, "[%H:%M:%S] ");
    env.threads_per_child = 25;
    env.shm = shm;
    env.token = TOKEN;
    env.props = p;
    ck_assert_int_eq(jk_workers_create(pool, c, &env, &workers), APR_SUCCESS);
}

void teardown(void)
{
    unlink(log_path);
    apr_pool_destroy(pool);
}

const char *log_text(void)
{
    return unit_read_file(pool, log_path);
}

jk_shm_member *rec(const char *name)
{
    jk_shm_member *m = jk_shm_member_find(shm, name);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* ------------------------------------------------------------------ */
/* A jk_service that captures what the worker answers                   */

static apr_status_t cap_read(jk_service *s, char *buf, apr_size_t want, apr_size_t *got)
{
    capture *c = s->ctx;
    apr_size_t n = c->request_left < want ? c->request_left : want;
    if (n > 7)
        n = 7; /* small pieces: the worker must loop */
    memcpy(buf, c->request_body, n);
    c->request_body += n;
    c->request_left -= n;
    *got = n;
    return APR_SUCCESS;
}

static apr_status_t cap_start(jk_service *s, int status, const char *reason,
                              const jk_header *headers, int num_headers)
{
    capture *c = s->ctx;
    c->calls++;
    c->status = status;
    c->reason = apr_pstrdup(pool, reason);
    for (int i = 0; i < num_headers; i++)
        apr_table_add(c->headers, headers[i].name, headers[i].value);
    return APR_SUCCESS;
}

static apr_status_t cap_write(jk_service *s, const char *buf, apr_size_t len)
{
    capture *c = s->ctx;
    ck_assert_int_eq(c->calls, 1);
    for (apr_size_t i = 0; i < len; i++)
        APR_ARRAY_PUSH(c->body, char) = buf[i];
    return APR_SUCCESS;
}

static apr_status_t cap_flush(jk_service *s)
{
    (void)s;
    return APR_SUCCESS;
}

static const jk_service_io cap_io = { cap_read, cap_start, cap_write, cap_flush, NULL };

static int add_request_header(jk_header *h, int n, const char *name, const char *value)
{
    if (value == NULL)
        return n;
    h[n].name = name;
    h[n].value = value;
    return n + 1;
}

capture *run_call(const call *k)
{
    capture *c = apr_pcalloc(pool, sizeof(*c));
    jk_service s;
    jk_header *h = apr_pcalloc(pool, sizeof(jk_header) * 6);
    int n = 0;
    jk_worker *w = jk_workers_find(workers, k->worker);

    ck_assert_ptr_nonnull(w);
    c->headers = apr_table_make(pool, 8);
    c->body = apr_array_make(pool, 4096, 1);
    c->request_body = k->body ? k->body : "";
    c->request_left = strlen(c->request_body);
    memset(&s, 0, sizeof(s));
    s.pool = pool;
    s.method = k->method;
    s.protocol = "HTTP/1.1";
    s.uri = k->uri ? k->uri : "/jkstatus";
    s.query_string = k->query;
    s.remote_addr = "192.0.2.7";
    s.server_name = "status.example";
    s.server_port = 80;
    s.remote_user = k->user;
    if (k->body) {
        h[n].name = "Content-Type";
        h[n++].value = k->content_type ? k->content_type : "application/x-www-form-urlencoded";
    }
    n = add_request_header(h, n, "Sec-Fetch-Site", k->fetch_site);
    n = add_request_header(h, n, "Origin", k->origin);
    n = add_request_header(h, n, "Referer", k->referer);
    n = add_request_header(h, n, "Host", k->host);
    s.headers = h;
    s.num_headers = n;
    s.content_length = (apr_off_t)c->request_left;
    s.io = &cap_io;
    s.ctx = c;
    ck_assert_int_eq(w->ops->service(w, &s), JK_OK);
    ck_assert_int_eq(c->calls, 1);
    ck_assert_int_eq(s.response_status, c->status);
    APR_ARRAY_PUSH(c->body, char) = '\0';
    c->text = c->body->elts;
    return c;
}

capture *get_as(const char *worker, const char *query, const char *user)
{
    call k = { .worker = worker, .method = "GET", .query = query, .user = user };
    return run_call(&k);
}

capture *get(const char *query)
{
    return get_as("jkstatus", query, NULL);
}

capture *post_to(const char *worker, const char *body)
{
    call k = { .worker = worker, .method = "POST", .body = body };
    return run_call(&k);
}

capture *post(const char *body)
{
    return post_to("jkstatus", body);
}

const char *header(const capture *c, const char *name)
{
    return apr_table_get(c->headers, name);
}

