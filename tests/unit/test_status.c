/*
 * The status worker, driven through its service() with a jk_service whose
 * callbacks capture the response: every format is checked for form (a small
 * JSON parser, a Prometheus line validator, an XML tag checker) and for the
 * numbers in the shared records; every action is checked for what it
 * changes in jk_shm, and for the requests that must change nothing.
 */
#include "jk_status.h"
#include "jk_status_int.h"
#include "jk_worker.h"

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit_fixtures.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
#define NASTY_ROUTE "r<script>alert(1)</script>"

static apr_pool_t *pool;
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

static void setup(void)
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

static void teardown(void)
{
    unlink(log_path);
    apr_pool_destroy(pool);
}

static const char *log_text(void)
{
    return unit_read_file(pool, log_path);
}

static jk_shm_member *rec(const char *name)
{
    jk_shm_member *m = jk_shm_member_find(shm, name);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* ------------------------------------------------------------------ */
/* A jk_service that captures what the worker answers                   */

typedef struct capture {
    int calls;
    int status;
    const char *reason;
    apr_table_t *headers;
    apr_array_header_t *body;       /* char */
    const char *request_body;
    apr_size_t request_left;
    const char *text;               /* body, NUL-terminated, after the call */
} capture;

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

typedef struct call {
    const char *worker;
    const char *method;
    const char *query;
    const char *body;
    const char *user;
    const char *content_type;
    const char *fetch_site;
    const char *origin;
    const char *referer;
    const char *host;
    const char *uri;                /* NULL: /jkstatus */
} call;

static int add_request_header(jk_header *h, int n, const char *name, const char *value)
{
    if (value == NULL)
        return n;
    h[n].name = name;
    h[n].value = value;
    return n + 1;
}

static capture *run_call(const call *k)
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

static capture *get_as(const char *worker, const char *query, const char *user)
{
    call k = { .worker = worker, .method = "GET", .query = query, .user = user };
    return run_call(&k);
}

static capture *get(const char *query)
{
    return get_as("jkstatus", query, NULL);
}

static capture *post_to(const char *worker, const char *body)
{
    call k = { .worker = worker, .method = "POST", .body = body };
    return run_call(&k);
}

static capture *post(const char *body)
{
    return post_to("jkstatus", body);
}

static const char *header(const capture *c, const char *name)
{
    return apr_table_get(c->headers, name);
}

#define assert_contains(text, part) \
    ck_assert_msg(strstr((text), (part)) != NULL, "expected %s in:\n%s", (part), (text))
#define assert_lacks(text, part) \
    ck_assert_msg(strstr((text), (part)) == NULL, "did not expect %s in:\n%s", (part), (text))

/* ------------------------------------------------------------------ */
/* A strict JSON parser (RFC 8259), for well-formedness only             */

typedef struct jp {
    const char *p;
} jp;

static int json_value(jp *j, int depth);

static void json_ws(jp *j)
{
    while (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')
        j->p++;
}

static int json_str(jp *j)
{
    if (*j->p != '"')
        return 0;
    for (j->p++; *j->p != '"'; j->p++) {
        if ((unsigned char)*j->p < 0x20)
            return 0;
        if (*j->p == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!apr_isxdigit(j->p[i]))
                        return 0;
                j->p += 4;
            } else if (!strchr("\"\\/bfnrt", *j->p) || *j->p == '\0') {
                return 0;
            }
        }
    }
    j->p++;
    return 1;
}

static int json_digits(jp *j)
{
    const char *start = j->p;
    while (apr_isdigit(*j->p))
        j->p++;
    return j->p > start;
}

static int json_num(jp *j)
{
    if (*j->p == '-')
        j->p++;
    if (*j->p == '0')
        j->p++;
    else if (!json_digits(j))
        return 0;
    if (*j->p == '.') {
        j->p++;
        if (!json_digits(j))
            return 0;
    }
    if (*j->p == 'e' || *j->p == 'E') {
        j->p++;
        if (*j->p == '+' || *j->p == '-')
            j->p++;
        if (!json_digits(j))
            return 0;
    }
    return 1;
}

static int json_seq(jp *j, int depth, char close, int object)
{
    j->p++;
    json_ws(j);
    if (*j->p == close) {
        j->p++;
        return 1;
    }
    for (;;) {
        json_ws(j);
        if (object) {
            if (!json_str(j))
                return 0;
            json_ws(j);
            if (*j->p++ != ':')
                return 0;
        }
        if (!json_value(j, depth + 1))
            return 0;
        json_ws(j);
        if (*j->p == close) {
            j->p++;
            return 1;
        }
        if (*j->p++ != ',')
            return 0;
    }
}

static int json_value(jp *j, int depth)
{
    if (depth > 32)
        return 0;
    json_ws(j);
    switch (*j->p) {
    case '{': return json_seq(j, depth, '}', 1);
    case '[': return json_seq(j, depth, ']', 0);
    case '"': return json_str(j);
    case 't': return strncmp(j->p, "true", 4) == 0 ? (j->p += 4, 1) : 0;
    case 'f': return strncmp(j->p, "false", 5) == 0 ? (j->p += 5, 1) : 0;
    case 'n': return strncmp(j->p, "null", 4) == 0 ? (j->p += 4, 1) : 0;
    default:  return json_num(j);
    }
}

static int json_valid(const char *text)
{
    jp j = { text };
    if (!json_value(&j, 0))
        return 0;
    json_ws(&j);
    return *j.p == '\0';
}

/* The text of the JSON object that starts with "name":"<name>" (up to its closing brace). */
static const char *json_object_named(const char *text, const char *name)
{
    const char *start = strstr(text, apr_psprintf(pool, "{\"name\":\"%s\"", name));
    const char *end;
    ck_assert_msg(start != NULL, "no object named %s in %s", name, text);
    end = strchr(start, '}');
    return apr_pstrndup(pool, start, (apr_size_t)(end - start + 1));
}

/* ------------------------------------------------------------------ */
/* A strict Prometheus text format 0.0.4 validator                       */

#define MAX_FAMILIES 64

typedef struct prom_state {
    const char *help[MAX_FAMILIES];
    const char *type[MAX_FAMILIES];
    const char *names[MAX_FAMILIES];
    int samples[MAX_FAMILIES];
    int n;
    int current;            /* the family whose lines come now, -1 before the first */
} prom_state;

static int prom_name_len(const char *p)
{
    int n = 0;
    if (!(apr_isalpha(p[0]) || p[0] == '_' || p[0] == ':'))
        return 0;
    while (apr_isalnum(p[n]) || p[n] == '_' || p[n] == ':')
        n++;
    return n;
}

/* The family of `name`; a new one only where a family may start (contiguity). */
static int prom_family(prom_state *st, const char *name, const char **why)
{
    for (int i = 0; i < st->n; i++)
        if (strcmp(st->names[i], name) == 0) {
            if (i != st->current)
                *why = "family lines are not contiguous";
            return i;
        }
    ck_assert_int_lt(st->n, MAX_FAMILIES);
    st->names[st->n] = name;
    st->current = st->n;
    return st->n++;
}

static const char *prom_meta(prom_state *st, const char *line)
{
    int help = strncmp(line, "# HELP ", 7) == 0, type = strncmp(line, "# TYPE ", 7) == 0;
    const char *rest = line + 7, *why = NULL;
    int n = prom_name_len(rest), f;
    if (!help && !type)
        return "a comment line that is neither HELP nor TYPE";
    if (n == 0 || rest[n] != ' ')
        return "bad metric name in HELP/TYPE";
    f = prom_family(st, apr_pstrndup(pool, rest, (apr_size_t)n), &why);
    if (why)
        return why;
    if (st->samples[f])
        return "HELP/TYPE after samples";
    if (help) {
        if (st->help[f])
            return "HELP twice";
        st->help[f] = rest + n + 1;
        return NULL;
    }
    if (st->type[f])
        return "TYPE twice";
    st->type[f] = rest + n + 1;
    if (strcmp(st->type[f], "counter") && strcmp(st->type[f], "gauge") &&
        strcmp(st->type[f], "untyped") && strcmp(st->type[f], "summary") &&
        strcmp(st->type[f], "histogram"))
        return "unknown TYPE";
    if (strcmp(st->type[f], "counter") == 0 &&
        (strlen(st->names[f]) < 6 || strcmp(st->names[f] + strlen(st->names[f]) - 6, "_total")))
        return "a counter whose name does not end in _total";
    return NULL;
}

static const char *prom_labels(const char **pp)
{
    const char *p = *pp + 1;
    while (*p != '}') {
        int n = prom_name_len(p);
        if (n == 0 || p[n] != '=' || p[n + 1] != '"')
            return "bad label";
        for (p += n + 2; *p != '"'; p++) {
            if (*p == '\0' || *p == '\n')
                return "unterminated label value";
            if (*p == '\\' && !strchr("\\\"n", *++p))
                return "bad escape in label value";
        }
        p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            return "labels not separated by commas";
    }
    *pp = p + 1;
    return NULL;
}

static const char *prom_sample(prom_state *st, const char *line)
{
    const char *p = line, *why = NULL;
    int n = prom_name_len(p), f;
    char *end;
    if (n == 0)
        return "bad sample name";
    f = prom_family(st, apr_pstrndup(pool, line, (apr_size_t)n), &why);
    if (why)
        return why;
    if (!st->help[f] || !st->type[f])
        return "a sample before its family's HELP and TYPE";
    p += n;
    if (*p == '{' && (why = prom_labels(&p)) != NULL)
        return why;
    if (*p++ != ' ')
        return "no space before the value";
    (void)strtod(p, &end);
    if (end == p || (*end != '\0' && *end != ' '))
        return "bad sample value";
    st->samples[f]++;
    return NULL;
}

/* NULL when `text` is valid exposition text; else what is wrong and where. */
static const char *prom_validate(const char *text)
{
    prom_state st;
    char *copy = apr_pstrdup(pool, text), *save, *line;
    memset(&st, 0, sizeof(st));
    st.current = -1;
    if (*text == '\0' || text[strlen(text) - 1] != '\n')
        return "must end with a newline";
    for (line = apr_strtok(copy, "\n", &save); line; line = apr_strtok(NULL, "\n", &save)) {
        const char *why = line[0] == '#' ? prom_meta(&st, line) : prom_sample(&st, line);
        if (why)
            return apr_psprintf(pool, "%s: %s", why, line);
    }
    return st.n > 0 ? NULL : "no families";
}

/* ------------------------------------------------------------------ */
/* XML: balanced tags, quoted attributes, only known entities            */

static int bare_amp(const char *p)
{
    return strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
           strncmp(p, "&quot;", 6) && strncmp(p, "&#39;", 5);
}

static const char *xml_check(const char *text)
{
    const char *stack[32];
    int depth = 0, roots = 0;
    const char *p = text;
    if (strncmp(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) != 0)
        return "no XML declaration";
    for (p += 39; *p; p++) {
        if (*p == '&') {
            if (bare_amp(p))
                return "a bare &";
        } else if (*p == '>') {
            return "a bare >";
        } else if (*p == '<') {
            const char *end = p + 1;
            int quote = 0;
            for (; *end && (quote || *end != '>'); end++) {
                if (*end == '"')
                    quote = !quote;
                else if (*end == '<')
                    return "< inside a tag";
                else if (*end == '&' && bare_amp(end))
                    return "a bare & inside a tag";
            }
            if (*end != '>')
                return "unterminated tag";
            if (p[1] == '!' || p[1] == '?') {
                p = end;
                continue;
            }
            if (p[1] == '/') {
                size_t n = (size_t)(end - p - 2);
                if (depth == 0 || strlen(stack[depth - 1]) != n || strncmp(stack[depth - 1],
                                                                           p + 2, n))
                    return "mismatched end tag";
                depth--;
            } else {
                size_t n = strcspn(p + 1, " />");
                if (depth == 0)
                    roots++;
                if (end[-1] != '/') {
                    ck_assert_int_lt(depth, 32);
                    stack[depth++] = apr_pstrndup(pool, p + 1, n);
                }
            }
            p = end;
        }
    }
    if (depth != 0)
        return "unclosed element";
    return roots == 1 ? NULL : "not exactly one root element";
}

/* ------------------------------------------------------------------ */
/* Views                                                                */

START_TEST(html_page_lists_workers_with_forms_and_escapes_config_text)
{
    capture *c = get(NULL);
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "text/html; charset=utf-8");
    ck_assert_str_eq(header(c, "Cache-Control"), "no-store");
    ck_assert_ptr_nonnull(header(c, "Content-Security-Policy"));
    ck_assert_str_eq(header(c, "X-Frame-Options"), "DENY");
    assert_contains(c->text, "<!DOCTYPE html>");
    assert_contains(c->text, "<tr id=\"m.lb.a\">");
    assert_contains(c->text, "<tr id=\"m.lb.b\">");
    assert_contains(c->text, "<tr id=\"w.plain\">");
    assert_contains(c->text, "127.0.0.1:8103");
    assert_contains(c->text, "data-key=\"connection_pool_size\" data-value=\"7\"");
    assert_contains(c->text, "data-key=\"connection_pool_size\" data-value=\"25\"");
    assert_contains(c->text, "1500 ms");
    assert_contains(c->text, "<style>");
    /* Forms: POST, with the token, one per member action. */
    assert_contains(c->text, "<form method=\"post\" action=\"/jkstatus\" id=\"u.lb.a\">");
    assert_contains(c->text, "name=\"token\" value=\"" TOKEN "\"");
    assert_contains(c->text, "<select name=\"vwa\" form=\"u.lb.b\"");
    assert_contains(c->text, "name=\"vwf\" min=\"1\" max=\"100000\" value=\"2\" form=\"u.lb.b\"");
    assert_contains(c->text, "name=\"cmd\" value=\"reset\"");
    assert_lacks(c->text, "method=\"get\"");
    /* Config text is escaped. */
    assert_lacks(c->text, "<script>");
    assert_contains(c->text, "r&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_contains(c->text, "d&amp;&quot;&#39;x");
    /* Nothing is in error: no recover button. */
    assert_lacks(c->text, "value=\"recover\"");
}
END_TEST

START_TEST(query_parameters_are_never_reflected_raw)
{
    static const char *const queries[] = {
        "w=%3Cscript%3Ealert(1)%3C/script%3E",
        "refresh=%3Cscript%3E",
        "mime=%3Cscript%3E",
        "cmd=%3Cscript%3E",
        "mime=json&w=%3Cscript%3E",
        "refresh=5%3Cscript%3E&mime=html",
        "x=%3Cscript%3E",
    };
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        capture *c = get(queries[i]);
        ck_assert_msg(strstr(c->text, "<script>") == NULL, "raw <script> for %s: %s", queries[i],
                      c->text);
        ck_assert_msg(strstr(c->text, "<script") == NULL || c->status == 200,
                      "reflected for %s", queries[i]);
    }
    ck_assert_int_eq(get(queries[0])->status, 404);
    ck_assert_int_eq(get(queries[2])->status, 400);
    ck_assert_int_eq(get(queries[3])->status, 400);
    ck_assert_int_eq(get(queries[1])->status, 200);
    ck_assert_int_eq(get("a=%zz")->status, 400);
}
END_TEST

START_TEST(every_format_escapes_config_text)
{
    const char *xml = get("mime=xml")->text, *json = get("mime=json")->text;
    const char *prom = get("mime=prometheus")->text;
    assert_lacks(xml, "<script>");
    assert_contains(xml, "route=\"r&lt;script&gt;alert(1)&lt;/script&gt;\"");
    assert_contains(xml, "domain=\"d&amp;&quot;&#39;x\"");
    assert_lacks(json, "<script>");
    assert_contains(json, "\"route\":\"r\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
    assert_contains(json, "\"domain\":\"d\\u0026\\\"'x\"");
    ck_assert_ptr_null(prom_validate(prom));
    assert_contains(get("mime=txt")->text, "domain=d%26%22%27x");
    assert_contains(get("mime=prop")->text, "worker.b.domain=d&\"'x\n");
}
END_TEST

START_TEST(json_is_well_formed_and_carries_the_shared_numbers)
{
    jk_shm_member *a = rec("a");
    capture *c;
    const char *ma, *wp;
    atomic_store(&a->requests, 7);
    atomic_store(&a->errors, 2);
    atomic_store(&a->client_errors, 3);
    atomic_store(&a->reply_timeouts, 1);
    atomic_store(&a->bytes_read, 1234);
    atomic_store(&a->bytes_written, 9876543210ULL);
    atomic_store(&a->busy, 2);
    atomic_store(&a->max_busy, 5);
    atomic_store(&rec("plain")->requests, 11);
    c = get("mime=json");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "application/json");
    ck_assert_str_eq(header(c, "Cache-Control"), "no-store");
    ck_assert_msg(json_valid(c->text), "invalid JSON:\n%s", c->text);
    assert_contains(c->text, "\"token\":\"" TOKEN "\"");
    assert_contains(c->text, "\"action_url\":\"/jkstatus\"");
    assert_contains(c->text, "\"lbs\":[");
    ma = json_object_named(c->text, "a");
    assert_contains(ma, "\"requests\":7,\"errors\":2,\"client_errors\":3,\"reply_timeouts\":1,"
                        "\"busy\":2,\"max_busy\":5,\"bytes_read\":1234,"
                        "\"bytes_written\":9876543210");
    assert_contains(ma, "\"activation\":\"Active\",\"state\":\"OK\",\"rating\":\"good\","
                        "\"lbfactor\":1");
    assert_contains(ma, "\"error_time\":null");
    assert_contains(json_object_named(c->text, "b"), "\"state\":\"idle\"");
    assert_contains(json_object_named(c->text, "b"), "\"lbfactor\":2");
    wp = json_object_named(c->text, "plain");
    assert_contains(wp, "\"port\":8103,\"lbs\":[],\"connection_pool_size\":7");
    assert_contains(wp, "\"reply_timeout\":1500");
    assert_contains(wp, "\"requests\":11");
    /* A read-only worker gives no token. */
    c = get_as("jkro", "mime=json", NULL);
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"read_only\":true,\"token\":null");
    /* One worker only. */
    c = get("mime=json&w=plain");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"lbs\":[]");
    assert_lacks(c->text, "\"name\":\"a\"");
}
END_TEST

START_TEST(prometheus_output_is_well_formed_with_the_shared_numbers)
{
    capture *c;
    atomic_store(&rec("a")->requests, 42);
    atomic_store(&rec("b")->activation, JK_ACTIVATION_STOPPED);
    atomic_store(&rec("plain")->errors, 3);
    c = get("mime=prometheus");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    ck_assert_msg(prom_validate(c->text) == NULL, "%s\n%s", prom_validate(c->text), c->text);
    assert_contains(c->text, "# TYPE jk_requests_total counter\n");
    assert_contains(c->text, "\njk_requests_total{lb=\"lb\",member=\"a\"} 42\n");
    assert_contains(c->text, "\njk_errors_total{worker=\"plain\"} 3\n");
    assert_contains(c->text, "\njk_member_lbfactor{lb=\"lb\",member=\"b\"} 2\n");
    assert_contains(c->text,
                    "\njk_member_activation{lb=\"lb\",member=\"b\",activation=\"stopped\"} 1\n");
    assert_contains(c->text,
                    "\njk_member_activation{lb=\"lb\",member=\"b\",activation=\"active\"} 0\n");
    assert_contains(c->text, "\njk_member_state{lb=\"lb\",member=\"a\",state=\"ok\"} 1\n");
    assert_contains(c->text, "\njk_lb_members{lb=\"lb\",rating=\"bad\"} 1\n");
    /* Members have no worker label, plain workers no lb label. */
    assert_lacks(c->text, "{worker=\"a\"}");
    assert_lacks(c->text, "member=\"plain\"");
}
END_TEST

START_TEST(the_validators_catch_what_they_must)
{
    ck_assert_ptr_nonnull(prom_validate("x_total 1\n"));
    ck_assert_ptr_nonnull(prom_validate("# HELP x h\n# TYPE x counter\nx 1\n"));
    ck_assert_ptr_nonnull(prom_validate("# HELP x h\n# TYPE x gauge\nx{a=\"b} 1\n"));
    ck_assert_ptr_nonnull(prom_validate("# HELP x h\n# TYPE x gauge\nx 1\n# HELP y h\n"
                                        "# TYPE y gauge\ny 1\nx 2\n"));
    ck_assert_ptr_null(prom_validate("# HELP x h\n# TYPE x gauge\nx{a=\"\\\"\"} 1\n"));
    ck_assert(!json_valid("{\"a\":1,}"));
    ck_assert(!json_valid("{\"a\":\"<\n\"}"));
    ck_assert(json_valid("{\"a\":[1,-2.5e3,true,null,\"\\u003c\"]}"));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a>"));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"&\"/>"));
}
END_TEST

START_TEST(xml_is_well_formed_with_the_configured_namespace)
{
    capture *c = get("mime=xml");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "application/xml");
    ck_assert_msg(xml_check(c->text) == NULL, "%s\n%s", xml_check(c->text), c->text);
    assert_contains(c->text, "<jk:status xmlns:jk=\"http://tomcat.apache.org\" "
                             "worker=\"jkstatus\"");
    assert_contains(c->text, "<jk:balancer name=\"lb\"");
    assert_contains(c->text, "<jk:member name=\"a\"");
    assert_contains(c->text, "<jk:ajp name=\"plain\"");
    /* ns=- : no prefix and no declaration. */
    c = get_as("jkxml", "mime=xml", NULL);
    ck_assert_msg(xml_check(c->text) == NULL, "%s\n%s", xml_check(c->text), c->text);
    assert_contains(c->text, "<status worker=\"jkxml\"");
    assert_lacks(c->text, "xmlns");
    assert_lacks(c->text, "jk:");
}
END_TEST

START_TEST(prop_and_txt_have_one_fact_per_line)
{
    capture *c = get("mime=prop");
    char *save, *line;
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "worker.list=lb,plain\n");
    assert_contains(c->text, "worker.lb.balance_workers=a,b\n");
    assert_contains(c->text, "worker.b.lbfactor=2\n");
    assert_contains(c->text, "worker.a.activation=Active\n");
    assert_contains(c->text, "worker.plain.connection_pool_size=7\n");
    for (line = apr_strtok(apr_pstrdup(pool, c->text), "\n", &save); line;
         line = apr_strtok(NULL, "\n", &save))
        ck_assert_msg(strncmp(line, "worker.", 7) == 0 && strchr(line, '='), "line: %s", line);
    /* The configured prefix. */
    assert_contains(get_as("jkxml", "mime=prop", NULL)->text, "jk.b.lbfactor=2\n");
    c = get("mime=txt");
    for (line = apr_strtok(apr_pstrdup(pool, c->text), "\n", &save); line;
         line = apr_strtok(NULL, "\n", &save))
        ck_assert_msg(!strncmp(line, "lb ", 3) || !strncmp(line, "member ", 7) ||
                      !strncmp(line, "ajp13 ", 6), "line: %s", line);
    assert_contains(c->text, "member lb=lb name=b endpoint=127.0.0.1:8102 ");
    assert_contains(c->text, "ajp13 name=plain endpoint=127.0.0.1:8103 lbs= ");
}
END_TEST

START_TEST(check_says_ok_only_when_every_member_is_good)
{
    capture *c = get("cmd=check");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(c->text, "OK\n");
    atomic_store(&rec("b")->activation, JK_ACTIVATION_DISABLED);
    c = get("cmd=check");
    ck_assert_str_eq(c->text, "NOT OK\nmember lb=lb name=b activation=Disabled state=idle "
                              "rating=degraded\n");
    atomic_store(&rec("a")->state, JK_MEMBER_ERROR);
    atomic_store(&rec("a")->error_time, (int64_t)apr_time_now());
    c = get("cmd=check&mime=json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "{\"ok\":false,");
    assert_contains(c->text, "\"member\":\"a\",\"activation\":\"Active\",\"state\":\"error\","
                             "\"rating\":\"bad\"");
    /* jkxml: bad=s,e,d makes a disabled member bad; good=a.o,a.n. */
    c = get_as("jkxml", "cmd=check", NULL);
    assert_contains(c->text, "name=b activation=Disabled state=idle rating=bad");
    /* A recovering member is good by default (a.r). */
    atomic_store(&rec("b")->activation, JK_ACTIVATION_ACTIVE);
    atomic_store(&rec("a")->error_time, (int64_t)(apr_time_now() - apr_time_from_sec(31)));
    ck_assert_str_eq(get("cmd=check")->text, "OK\n");
}
END_TEST

START_TEST(refresh_and_css)
{
    capture *c = get("refresh=10");
    assert_contains(c->text, "<meta http-equiv=\"refresh\" content=\"10\">");
    assert_contains(c->text, "name=\"refresh\" value=\"10\"");
    assert_lacks(get("refresh=0")->text, "http-equiv=\"refresh\"");
    assert_lacks(get("refresh=99999999")->text, "http-equiv=\"refresh\"");
    c = get_as("jkxml", NULL, NULL);
    assert_contains(c->text, "<link rel=\"stylesheet\" href=\"/s.css?a=1&amp;b=&quot;x&quot;\">");
    assert_lacks(c->text, "<style>");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Actions                                                              */

START_TEST(post_update_changes_activation_and_lbfactor_in_shm)
{
    capture *c = post("cmd=update&w=lb&sw=b&vwa=S&vwf=5&token=" TOKEN);
    const char *log;
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus");
    ck_assert_str_eq(header(c, "Cache-Control"), "no-store");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 5);
    ck_assert_int_eq(atomic_load(&rec("a")->activation), JK_ACTIVATION_ACTIVE);
    log = log_text();
    assert_contains(log, "[info] status jkstatus: client 192.0.2.7 set activation of member b "
                         "of lb lb: Active -> Stopped");
    assert_contains(log, "set lbfactor of member b of lb lb: 2 -> 5");
    /* Digits as mod_jk allows, and the refresh kept across the redirect. */
    c = post("cmd=update&w=lb&sw=b&vwa=1&refresh=30&token=" TOKEN);
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus?refresh=30");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
    /* The page shows it. */
    assert_contains(get("mime=json")->text, "\"activation\":\"Disabled\"");
}
END_TEST

START_TEST(reactivated_member_starts_level_with_the_others)
{
    atomic_store(&rec("a")->lb_value, 500);
    atomic_store(&rec("b")->lb_value, 3);
    atomic_store(&rec("b")->activation, JK_ACTIVATION_STOPPED);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=A&token=" TOKEN)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_uint_eq(atomic_load(&rec("b")->lb_value), 500);
}
END_TEST

START_TEST(strict_update_refuses_gets_with_action_parameters)
{
    static const char *const queries[] = {
        "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwf=9",
        "w=lb&sw=b&vwa=S",
        "cmd=reset&w=lb&token=" TOKEN,
        "cmd=recover&w=lb&sw=a&token=" TOKEN,
    };
    atomic_store(&rec("a")->requests, 4);
    atomic_store(&rec("a")->state, JK_MEMBER_ERROR);
    atomic_store(&rec("a")->error_time, 777);
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        capture *c = get_as("jkstrict", queries[i], NULL);
        ck_assert_int_eq(c->status, 403);
        assert_contains(c->text, "POST");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 2);
    ck_assert_uint_eq(atomic_load(&rec("a")->requests), 4);
    ck_assert_int_eq(atomic_load(&rec("a")->error_time), 777);
}
END_TEST

START_TEST(strict_update_refuses_posts_without_the_right_token)
{
    static const char *const bodies[] = {
        "cmd=update&w=lb&sw=b&vwa=S",
        "cmd=update&w=lb&sw=b&vwa=S&token=",
        "cmd=update&w=lb&sw=b&vwa=S&token=0123456789abcdef0123456789abcdeF",
        "cmd=update&w=lb&sw=b&vwa=S&token=0123456789abcdef0123456789abcde",
        "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN "0",
        "cmd=reset&w=lb",
    };
    atomic_store(&rec("a")->requests, 4);
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        capture *c = post_to("jkstrict", bodies[i]);
        ck_assert_int_eq(c->status, 403);
        assert_contains(c->text, "token");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_uint_eq(atomic_load(&rec("a")->requests), 4);
    /* The token in the query string of a POST does not count either. */
    {
        call k = { .worker = "jkstrict", .method = "POST", .query = "token=" TOKEN,
                   .body = "cmd=update&w=lb&sw=b&vwa=S" };
        ck_assert_int_eq(run_call(&k)->status, 403);
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    assert_contains(log_text(), "refused update from client 192.0.2.7");
    /* The right token passes. */
    ck_assert_int_eq(post_to("jkstrict", "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN)->status,
                     303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
}
END_TEST

START_TEST(cross_site_or_non_form_posts_are_refused)
{
    call cross = { .worker = "jkstatus", .method = "POST", .fetch_site = "cross-site",
                   .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
    call json = { .worker = "jkstatus", .method = "POST", .content_type = "application/json",
                  .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
    call text = { .worker = "jkstatus", .method = "POST", .content_type = "text/plain",
                  .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
    ck_assert_int_eq(run_call(&cross)->status, 403);
    ck_assert_int_eq(run_call(&json)->status, 415);
    ck_assert_int_eq(run_call(&text)->status, 415);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    cross.fetch_site = "same-origin";
    ck_assert_int_eq(run_call(&cross)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
}
END_TEST

START_TEST(read_only_refuses_every_action)
{
    capture *c = post_to("jkro", "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN);
    ck_assert_int_eq(c->status, 403);
    assert_contains(c->text, "read only");
    atomic_store(&rec("a")->requests, 4);
    ck_assert_int_eq(post_to("jkro", "cmd=reset&w=lb&token=" TOKEN)->status, 403);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_uint_eq(atomic_load(&rec("a")->requests), 4);
    /* Its page has no forms and no token. */
    c = get_as("jkro", NULL, NULL);
    ck_assert_int_eq(c->status, 200);
    assert_lacks(c->text, "<form");
    assert_lacks(c->text, TOKEN);
}
END_TEST

START_TEST(user_list_is_enforced)
{
    call k = { .worker = "jkusers", .method = "POST", .user = "carol",
               .body = "cmd=update&w=lb&sw=b&vwa=D&token=" TOKEN };
    ck_assert_int_eq(get_as("jkusers", NULL, NULL)->status, 403);
    ck_assert_int_eq(get_as("jkusers", NULL, "carol")->status, 403);
    ck_assert_int_eq(get_as("jkusers", NULL, "Alice")->status, 200);
    ck_assert_int_eq(get_as("jkusers", NULL, "ALICE")->status, 200);
    ck_assert_int_eq(get_as("jkusers", NULL, "Bob")->status, 200);
    ck_assert_int_eq(get_as("jkcase", NULL, "Alice")->status, 200);
    ck_assert_int_eq(get_as("jkcase", NULL, "alice")->status, 403);
    ck_assert_int_eq(run_call(&k)->status, 403);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    k.user = "aLiCe";
    ck_assert_int_eq(run_call(&k)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
    assert_contains(log_text(), "status jkusers: user aLiCe at 192.0.2.7 set activation");
    /* A user name is quoted safely in the log. */
    ck_assert_int_eq(get_as("jkusers", NULL, "<b>\nx")->status, 403);
    assert_contains(log_text(), "user \\x3Cb\\x3E\\x0Ax at 192.0.2.7");
}
END_TEST

static void set_counters(jk_shm_member *m, uint64_t v)
{
    atomic_store(&m->requests, v);
    atomic_store(&m->errors, v);
    atomic_store(&m->client_errors, v);
    atomic_store(&m->reply_timeouts, v);
    atomic_store(&m->bytes_read, v);
    atomic_store(&m->bytes_written, v);
    atomic_store(&m->max_busy, (int)v);
}

static int counters_zero(jk_shm_member *m)
{
    return atomic_load(&m->requests) == 0 && atomic_load(&m->errors) == 0 &&
           atomic_load(&m->client_errors) == 0 && atomic_load(&m->reply_timeouts) == 0 &&
           atomic_load(&m->bytes_read) == 0 && atomic_load(&m->bytes_written) == 0 &&
           atomic_load(&m->max_busy) == atomic_load(&m->busy);
}

START_TEST(reset_zeroes_counters)
{
    set_counters(rec("a"), 9);
    set_counters(rec("b"), 9);
    set_counters(rec("plain"), 9);
    atomic_store(&rec("a")->lb_value, 77);
    ck_assert_int_eq(post("cmd=reset&w=lb&sw=a&token=" TOKEN)->status, 303);
    ck_assert(counters_zero(rec("a")));
    ck_assert_uint_eq(atomic_load(&rec("a")->lb_value), 77);
    ck_assert_uint_eq(atomic_load(&rec("b")->requests), 9);
    ck_assert_int_eq(post("cmd=reset&w=lb&token=" TOKEN)->status, 303);
    ck_assert(counters_zero(rec("b")));
    ck_assert_uint_eq(atomic_load(&rec("plain")->requests), 9);
    ck_assert_int_eq(post("cmd=reset&w=plain&token=" TOKEN)->status, 303);
    ck_assert(counters_zero(rec("plain")));
    assert_contains(log_text(), "client 192.0.2.7: counters of member a of lb lb reset");
    /* What the counters were: a was reset already, b still had its 9s. */
    assert_contains(log_text(), "counters of lb lb reset (a: requests 0 -> 0, errors 0 -> 0, "
                                "client errors 0 -> 0, reply timeouts 0 -> 0, bytes in 0 -> 0, "
                                "bytes out 0 -> 0, max busy 0 -> 0; b: requests 9 -> 0, errors "
                                "9 -> 0, client errors 9 -> 0, reply timeouts 9 -> 0, bytes in 9 "
                                "-> 0, bytes out 9 -> 0, max busy 9 -> 0)");
    assert_contains(log_text(), "counters of worker plain reset (plain: requests 9 -> 0");
    ck_assert_int_eq(post("cmd=reset&w=nope&token=" TOKEN)->status, 404);
    ck_assert_int_eq(post("cmd=reset&w=lb&sw=plain&token=" TOKEN)->status, 404);
}
END_TEST

START_TEST(recover_makes_an_error_member_due_for_a_probe)
{
    jk_shm_member *a = rec("a");
    apr_time_t now = apr_time_now();
    capture *c;
    /* An OK member has nothing to recover. */
    c = post("cmd=recover&w=lb&sw=a&token=" TOKEN);
    ck_assert_int_eq(c->status, 409);
    atomic_store(&a->state, JK_MEMBER_ERROR);
    atomic_store(&a->error_time, (int64_t)now);
    c = get("mime=json");
    assert_contains(json_object_named(c->text, "a"), "\"state\":\"error\"");
    assert_contains(get(NULL)->text, "name=\"cmd\" value=\"recover\"");
    c = post("cmd=recover&w=lb&sw=a&token=" TOKEN);
    ck_assert_int_eq(c->status, 303);
    ck_assert_int_eq(atomic_load(&a->state), JK_MEMBER_ERROR);
    /* The lb's rule: due when now - error_time >= recover_time (30 s). */
    ck_assert(apr_time_now() - atomic_load(&a->error_time) >= apr_time_from_sec(30));
    c = get("mime=json");
    assert_contains(json_object_named(c->text, "a"), "\"state\":\"recovering\"");
    assert_contains(log_text(), "forced recovery: member a of lb lb will be probed");
    ck_assert_int_eq(post("cmd=recover&w=lb&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=recover&w=plain&token=" TOKEN)->status, 400);
}
END_TEST

START_TEST(config_only_keys_conflict_unless_unchanged)
{
    static const char *const bodies[] = {
        "cmd=update&w=lb&sw=b&vwn=other&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwr=a&vwf=3&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwc=dom2&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwd=4&vwa=S&token=" TOKEN,
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        capture *c = post(bodies[i]);
        ck_assert_int_eq(c->status, 409);
        assert_contains(c->text, "not changeable at run time in this version");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 2);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    /* A mod_jk edit form sends every field; unchanged ones are fine. */
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=A&vwf=3&vwn=b&vwr=&vwc=d%26%22%27x&vwd=0"
                          "&token=" TOKEN)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 3);
}
END_TEST

START_TEST(invalid_updates_are_refused)
{
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwf=0&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwf=100001&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwf=2x&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=X&vwf=4&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=zz&vwa=S&token=" TOKEN)->status, 404);
    ck_assert_int_eq(post("cmd=update&w=jkro&sw=b&vwa=S&token=" TOKEN)->status, 404);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=S&token=%G0")->status, 400);
    ck_assert_int_eq(post("cmd=list&token=" TOKEN)->status, 400);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 2);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    {
        capture *c = post("cmd=update&w=lb&sw=%3Cscript%3E&vwa=S&token=" TOKEN);
        ck_assert_int_eq(c->status, 404);
        assert_lacks(c->text, "<script>");
    }
}
END_TEST

START_TEST(scripts_can_ask_for_a_json_answer)
{
    capture *c = post("cmd=update&w=lb&sw=b&vwf=4&mime=json&token=" TOKEN);
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "application/json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"ok\":true");
    c = post_to("jkstrict", "cmd=update&w=lb&sw=b&vwf=4&mime=json");
    ck_assert_int_eq(c->status, 403);
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"ok\":false");
    c = post("cmd=reset&w=lb&mime=txt&token=" TOKEN);
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(c->text, "Result: type=OK message=\"counters of lb lb reset\"\n");
}
END_TEST

/* ------------------------------------------------------------------ */
/* mod_jk's URL interface, for scripts                                  */

START_TEST(mod_jk_get_urls_change_the_shared_records)
{
    capture *c = get("cmd=update&from=list&w=lb&sw=b&vwa=2");
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
    assert_contains(log_text(), "[info] status jkstatus: client 192.0.2.7 set activation of "
                                "member b of lb lb: Active -> Stopped");
    /* Letters as well as digits, and from=show goes back to that worker's view. */
    c = get("cmd=update&from=show&w=lb&sw=b&vwa=Disabled&re=30");
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus?cmd=show&w=lb&refresh=30");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
    /* mod_jk's result line for mime=txt, element for xml, keys for prop. */
    c = get("cmd=update&w=lb&sw=b&vwa=0&vwf=7&mime=txt");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(c->text, "Result: type=OK message=\"member b of lb lb updated\"\n");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 7);
    assert_contains(log_text(), "set lbfactor of member b of lb lb: 2 -> 7");
    c = get("cmd=reset&w=lb&mime=xml");
    ck_assert_int_eq(c->status, 200);
    ck_assert_ptr_null(xml_check(c->text));
    assert_contains(c->text, "<jk:result type=\"OK\" message=\"counters of lb lb reset\"/>");
    c = get("cmd=update&w=lb&sw=a&vwf=2&mime=prop");
    ck_assert_str_eq(c->text, "worker.result.type=OK\n"
                              "worker.result.message=member a of lb lb updated\n");
}
END_TEST

START_TEST(a_wildcard_member_updates_every_match_or_none)
{
    capture *c = get("cmd=update&w=lb&sw=*&vwf=3&mime=txt");
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "members a, b of lb lb updated");
    ck_assert_int_eq(atomic_load(&rec("a")->lbfactor), 3);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 3);
    c = get("cmd=update&w=lb&sw=z*&vwf=4&mime=txt");
    ck_assert_int_eq(c->status, 404);
    assert_contains(c->text, "Result: type=ERROR message=\"no member of lb lb matches 'z*'\"");
    /* b's domain is not a's: asking both for b's is refused for both. */
    c = get("cmd=update&w=lb&sw=?&vwf=5&vwc=d%26%22'x");
    ck_assert_int_eq(c->status, 409);
    ck_assert_int_eq(atomic_load(&rec("a")->lbfactor), 3);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 3);
}
END_TEST

static capture *get_with(const char *site, const char *origin, const char *referer,
                         const char *host)
{
    call k = { .worker = "jkstatus", .method = "GET", .fetch_site = site, .origin = origin,
               .referer = referer, .host = host, .query = "cmd=update&w=lb&sw=b&vwa=S" };
    return run_call(&k);
}

START_TEST(browsers_on_another_site_change_nothing)
{
    struct { const char *site, *origin, *referer, *host; } foreign[] = {
        { "cross-site", NULL, NULL, NULL },
        { "same-site", NULL, NULL, NULL },
        { NULL, "http://evil.test", NULL, "status.example" },
        { NULL, "null", NULL, "status.example" },
        { NULL, "http://status.example:8080", NULL, "status.example" },
        { NULL, NULL, "http://evil.test/page", "status.example" },
        { NULL, NULL, "http://status.example@evil.test/", "status.example" },
        { NULL, NULL, "not a url", "status.example" },
        { "cross-site", "http://status.example", NULL, "status.example" },
        { NULL, "http://evil.test", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        capture *c = get_with(foreign[i].site, foreign[i].origin, foreign[i].referer,
                              foreign[i].host);
        ck_assert_msg(c->status == 403, "case %zu: %d", i, c->status);
        assert_contains(c->text, "another site");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    assert_contains(log_text(), "refused update from client 192.0.2.7: the request came from "
                                "another site (Origin: http://evil.test)");
}
END_TEST

START_TEST(this_site_and_scripts_may_change)
{
    struct { const char *site, *origin, *referer, *host; } own[] = {
        { NULL, NULL, NULL, NULL },                 /* curl */
        { "same-origin", "null", NULL, NULL },      /* a form under no-referrer */
        { "none", NULL, NULL, NULL },               /* typed into the address bar */
        { NULL, "http://status.example", NULL, "status.example" },
        { NULL, "http://STATUS.example:80", NULL, "status.example" },
        { NULL, "https://status.example", NULL, "status.example:443" },
        { NULL, NULL, "http://u:p@status.example/jkstatus?x", "status.example" },
        { NULL, "http://status.example", NULL, NULL }, /* HTTP/1.0: ServerName and port */
        /* A proxy in front rewrote Host: the browser's own word decides. */
        { "same-origin", "https://www.example", NULL, "backend:8080" },
    };
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        capture *c;
        atomic_store(&rec("b")->activation, JK_ACTIVATION_ACTIVE);
        c = get_with(own[i].site, own[i].origin, own[i].referer, own[i].host);
        ck_assert_msg(c->status == 303, "case %zu: %d %s", i, c->status, c->text);
        ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
    }
    /* Without strict_update a POST needs no token either. */
    atomic_store(&rec("b")->activation, JK_ACTIVATION_ACTIVE);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=D")->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
}
END_TEST

START_TEST(head_read_only_and_unchangeable_settings_change_nothing)
{
    call head = { .worker = "jkstatus", .method = "HEAD", .query = "cmd=update&w=lb&sw=b&vwa=S" };
    capture *c = run_call(&head);
    ck_assert_int_eq(c->status, 403);
    c = get_as("jkro", "cmd=update&w=lb&sw=b&vwa=S&mime=txt", NULL);
    ck_assert_int_eq(c->status, 403);
    ck_assert_str_eq(c->text, "Result: type=ERROR message=\"this status worker is read only\"\n");
    /* mod_jk's read-only view option, per request. */
    c = get("cmd=update&w=lb&sw=b&vwa=S&opt=33");
    ck_assert_int_eq(c->status, 403);
    assert_contains(c->text, "opt=32 asks for read only mode");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    c = get("cmd=update&w=lb&vlr=5");
    ck_assert_int_eq(c->status, 409);
    assert_contains(c->text, "vlr= (lb settings");
    ck_assert_int_eq(get("cmd=update&w=lb&sw=b&vwa=S&vart=100")->status, 409);
    ck_assert_int_eq(get("cmd=update&w=lb&att=vwf&val0=3")->status, 409);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    /* Change parameters without a cmd that applies them. */
    ck_assert_int_eq(get("w=lb&sw=b&vwa=S")->status, 400);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
}
END_TEST

START_TEST(version_and_dump)
{
    capture *c = get("cmd=version&mime=txt");
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "Server: name=status.example port=80\n"
                             "Software: jk_version=jk-connector/");
    assert_contains(c->text, "Result: type=OK message=\"Action finished\"\n");
    c = get("cmd=version&mime=json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"jk_version\":\"jk-connector/");
    ck_assert_ptr_null(xml_check(get("cmd=version&mime=xml")->text));
    c = get("cmd=dump&mime=txt");
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "Configuration:\nworker.list=lb,plain,");
    assert_contains(c->text, "worker.lb.balance_workers=a,b\n");
    assert_lacks(c->text, "s3cr3t");
    c = get("cmd=dump&mime=json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "{\"key\":\"worker.lb.type\",\"value\":\"lb\",");
    assert_lacks(c->text, "s3cr3t");
    c = get("cmd=dump&mime=xml");
    ck_assert_ptr_null(xml_check(c->text));
    assert_contains(c->text,
                    "<jk:property name=\"worker.b.domain\" value=\"d&amp;&quot;&#39;x\"/>");
    c = get("cmd=dump");
    ck_assert_str_eq(header(c, "Content-Type"), "text/html; charset=utf-8");
    assert_contains(c->text, "worker.b.domain=d&amp;&quot;&#39;x\n");
    assert_lacks(c->text, "s3cr3t");
    ck_assert_int_eq(get("cmd=dump&mime=prometheus")->status, 400);
}
END_TEST

START_TEST(only_the_canonical_url_is_served)
{
    static const char *const uris[] = { "/jkstatus;x", "/x/..;/jkstatus", "/jkstatus/.",
                                        "//jkstatus", "/a/b/..;/../jkstatus" };
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        call k = { .worker = "jkstatus", .method = "GET", .uri = uris[i] };
        capture *c = run_call(&k);
        ck_assert_msg(c->status == 404, "%s answered %d", uris[i], c->status);
    }
    {
        call k = { .worker = "jkstatus", .method = "POST", .uri = "/jkstatus;x",
                   .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
        ck_assert_int_eq(run_call(&k)->status, 404);
        ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    }
    {
        call k = { .worker = "jkstatus", .method = "GET", .uri = "/status/jk" };
        ck_assert_int_eq(run_call(&k)->status, 200);
    }
    assert_contains(log_text(), "refused /jkstatus;x from client 192.0.2.7: not the canonical");
}
END_TEST

START_TEST(other_methods_and_large_forms)
{
    call put = { .worker = "jkstatus", .method = "PUT", .body = "x" };
    char *big = apr_palloc(pool, 20001);
    capture *c = run_call(&put);
    ck_assert_int_eq(c->status, 405);
    ck_assert_str_eq(header(c, "Allow"), "GET, HEAD, POST");
    memset(big, 'a', 20000);
    big[20000] = '\0';
    memcpy(big, "token=", 6);
    ck_assert_int_eq(post(big)->status, 413);
    c = get_as("jkstatus", NULL, NULL);
    ck_assert_int_eq(c->status, 200);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Escapers and form decoding, on their own                             */

#define FFFD "\xEF\xBF\xBD"

START_TEST(json_strings_escape_quotes_backslashes_controls_and_markup)
{
    ck_assert_str_eq(status_json_string(pool, ""), "\"\"");
    ck_assert_str_eq(status_json_string(pool, NULL), "\"\"");
    ck_assert_str_eq(status_json_string(pool, "a\"b\\c'd"), "\"a\\\"b\\\\c'd\"");
    ck_assert_str_eq(status_json_string(pool, "\n\r\t"), "\"\\n\\r\\t\"");
    ck_assert_str_eq(status_json_string(pool, "\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
    ck_assert_str_eq(status_json_string(pool, "<&>"), "\"\\u003c\\u0026\\u003e\"");
    /* Valid UTF-8 is kept; what is not UTF-8 becomes U+FFFD, byte by byte. */
    ck_assert_str_eq(status_json_string(pool, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
                     "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
    ck_assert_str_eq(status_json_string(pool, "a\xFF"), "\"a" FFFD "\"");
    ck_assert_str_eq(status_json_string(pool, "\xC0\xAF"), "\"" FFFD FFFD "\"");
    ck_assert_str_eq(status_json_string(pool, "\xED\xA0\x80"), "\"" FFFD FFFD FFFD "\"");
    ck_assert_str_eq(status_json_string(pool, "x\xE2\x82"), "\"x" FFFD FFFD "\"");
}
END_TEST

START_TEST(prometheus_labels_escape_backslash_quote_and_newline_only)
{
    ck_assert_str_eq(status_prom_label(pool, ""), "");
    ck_assert_str_eq(status_prom_label(pool, NULL), "");
    ck_assert_str_eq(status_prom_label(pool, "a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    ck_assert_str_eq(status_prom_label(pool, "'<&>{},="), "'<&>{},=");
    /* Other control characters have no escape in the format: U+FFFD. */
    ck_assert_str_eq(status_prom_label(pool, "\t\r\x01\x7f"), FFFD FFFD FFFD FFFD);
    ck_assert_str_eq(status_prom_label(pool, "\xC3\xA9"), "\xC3\xA9");
    ck_assert_str_eq(status_prom_label(pool, "\xFF" "b"), FFFD "b");
}
END_TEST

START_TEST(markup_escapes_the_five_specials_and_replaces_controls)
{
    ck_assert_str_eq(status_markup(pool, ""), "");
    ck_assert_str_eq(status_markup(pool, NULL), "");
    ck_assert_str_eq(status_markup(pool, "&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
    ck_assert_str_eq(status_markup(pool, "a\tb\nc\rd\\"), "a\tb\nc\rd\\");
    ck_assert_str_eq(status_markup(pool, "\x01\x7f"), FFFD FFFD);
    ck_assert_str_eq(status_markup(pool, "\xC3\xA9\xFF"), "\xC3\xA9" FFFD);
}
END_TEST

START_TEST(property_text_and_log_values_stay_on_one_line)
{
    ck_assert_str_eq(status_prop_value(pool, ""), "");
    ck_assert_str_eq(status_prop_value(pool, "a\\b\nc\rd"), "a\\\\b\\nc\\rd");
    ck_assert_str_eq(status_prop_value(pool, "=:#!\"'\t"), "=:#!\"'" FFFD);
    ck_assert_str_eq(status_percent_encode(pool, "", ""), "");
    ck_assert_str_eq(status_percent_encode(pool, "a b/c:d,e@f+g~h*%\xC3\xA9", ":/,@+"),
                     "a%20b/c:d,e@f+g~h%2A%25%C3%A9");
    ck_assert_str_eq(status_percent_encode(pool, "a\"b\\c\n", ""), "a%22b%5Cc%0A");
    ck_assert_str_eq(status_safe_text(pool, NULL), "(none)");
    ck_assert_str_eq(status_safe_text(pool, "ok-text_1.2"), "ok-text_1.2");
    ck_assert_str_eq(status_safe_text(pool, "<a>\"'\\\n\x80"),
                     "\\x3Ca\\x3E\\x22\\x27\\x5C\\x0A\\x80");
}
END_TEST

/* APR's encoding, which keeps the letters, digits, '_' and '-' of worker names. */
START_TEST(query_values_are_apr_url_encoded)
{
    ck_assert_str_eq(status_query_value(pool, "lb-1_X"), "lb-1_X");
    ck_assert_str_eq(status_query_value(pool, ""), "");
    ck_assert_str_eq(status_query_value(pool, "a&b=c"), "a%26b%3dc");
}
END_TEST

START_TEST(form_decoding_takes_plus_and_percent_and_refuses_bad_escapes)
{
    apr_table_t *t = status_parse_params(pool, "a=1+2&b=%41%42&a=3&=x&c&d=%C3%a9&x%2By=1");
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(apr_table_get(t, "a"), "1 2");
    ck_assert_str_eq(apr_table_get(t, "b"), "AB");
    ck_assert_str_eq(apr_table_get(t, "c"), "");
    ck_assert_str_eq(apr_table_get(t, "d"), "\xC3\xA9");
    ck_assert_str_eq(apr_table_get(t, "x+y"), "1");
    ck_assert_ptr_null(apr_table_get(t, ""));
    ck_assert_int_eq(apr_table_elts(status_parse_params(pool, NULL))->nelts, 0);
    ck_assert_int_eq(apr_table_elts(status_parse_params(pool, ""))->nelts, 0);
    ck_assert_ptr_null(status_parse_params(pool, "a=%00"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%4"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%4&b=1"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%"));
    ck_assert_ptr_null(status_parse_params(pool, "%zz=1"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%4g"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("status");
    SRunner *sr;
    int failed;

    apr_initialize();
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, html_page_lists_workers_with_forms_and_escapes_config_text);
    tcase_add_test(tc, query_parameters_are_never_reflected_raw);
    tcase_add_test(tc, every_format_escapes_config_text);
    tcase_add_test(tc, json_is_well_formed_and_carries_the_shared_numbers);
    tcase_add_test(tc, prometheus_output_is_well_formed_with_the_shared_numbers);
    tcase_add_test(tc, the_validators_catch_what_they_must);
    tcase_add_test(tc, xml_is_well_formed_with_the_configured_namespace);
    tcase_add_test(tc, prop_and_txt_have_one_fact_per_line);
    tcase_add_test(tc, check_says_ok_only_when_every_member_is_good);
    tcase_add_test(tc, refresh_and_css);
    tcase_add_test(tc, post_update_changes_activation_and_lbfactor_in_shm);
    tcase_add_test(tc, reactivated_member_starts_level_with_the_others);
    tcase_add_test(tc, strict_update_refuses_gets_with_action_parameters);
    tcase_add_test(tc, strict_update_refuses_posts_without_the_right_token);
    tcase_add_test(tc, mod_jk_get_urls_change_the_shared_records);
    tcase_add_test(tc, a_wildcard_member_updates_every_match_or_none);
    tcase_add_test(tc, browsers_on_another_site_change_nothing);
    tcase_add_test(tc, this_site_and_scripts_may_change);
    tcase_add_test(tc, head_read_only_and_unchangeable_settings_change_nothing);
    tcase_add_test(tc, version_and_dump);
    tcase_add_test(tc, cross_site_or_non_form_posts_are_refused);
    tcase_add_test(tc, read_only_refuses_every_action);
    tcase_add_test(tc, user_list_is_enforced);
    tcase_add_test(tc, reset_zeroes_counters);
    tcase_add_test(tc, recover_makes_an_error_member_due_for_a_probe);
    tcase_add_test(tc, config_only_keys_conflict_unless_unchanged);
    tcase_add_test(tc, invalid_updates_are_refused);
    tcase_add_test(tc, scripts_can_ask_for_a_json_answer);
    tcase_add_test(tc, only_the_canonical_url_is_served);
    tcase_add_test(tc, other_methods_and_large_forms);
    tcase_add_test(tc, json_strings_escape_quotes_backslashes_controls_and_markup);
    tcase_add_test(tc, prometheus_labels_escape_backslash_quote_and_newline_only);
    tcase_add_test(tc, markup_escapes_the_five_specials_and_replaces_controls);
    tcase_add_test(tc, property_text_and_log_values_stay_on_one_line);
    tcase_add_test(tc, query_values_are_apr_url_encoded);
    tcase_add_test(tc, form_decoding_takes_plus_and_percent_and_refuses_bad_escapes);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
