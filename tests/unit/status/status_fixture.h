/* status_fixture.h: the status tests' workers, capturing jk_service, requests, validators. */
#ifndef STATUS_FIXTURE_H
#define STATUS_FIXTURE_H

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

/* The token of the status pages' forms (env.token). */
#define TOKEN "0123456789abcdef0123456789abcdef"

extern apr_pool_t *pool;

/*
 * Every test's checked fixture: the workers of one workers.properties (an lb over a and
 * b, a plain worker, status workers of every kind), their jk_shm, and mod_jk.log.
 */
void setup(void);
void teardown(void);

/* What mod_jk.log holds so far. */
const char *log_text(void);

/* The shared record of that member or worker. */
jk_shm_member *rec(const char *name);

/* A jk_service that captures what the worker answers */

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

/* One request to a status worker, answered once, its body captured. */
capture *run_call(const call *k);

/* GET and POST to a status worker (get(), post(): to jkstatus). */
capture *get_as(const char *worker, const char *query, const char *user);
capture *get(const char *query);
capture *post_to(const char *worker, const char *body);
capture *post(const char *body);

/* A header of the answer, or NULL. */
const char *header(const capture *c, const char *name);

#define assert_contains(text, part) \
    ck_assert_msg(strstr((text), (part)) != NULL, "expected %s in:\n%s", (part), (text))
#define assert_lacks(text, part) \
    ck_assert_msg(strstr((text), (part)) == NULL, "did not expect %s in:\n%s", (part), (text))

/* The validators (validators.c) */

/* Strict JSON (RFC 8259), for well-formedness only. */
int json_valid(const char *text);

/* The text of the JSON object that starts with "name":"<name>" (up to its closing brace). */
const char *json_object_named(const char *text, const char *name);

/* NULL when `text` is valid Prometheus exposition text 0.0.4; else what is wrong and where. */
const char *prom_validate(const char *text);

/* NULL when `text` is well-formed XML (balanced tags, quoted attributes, only known
 * entities); else what is wrong. */
const char *xml_check(const char *text);

/* The topics, one TCase each. */
TCase *status_formats_tcase(void);
TCase *status_actions_tcase(void);
TCase *status_urls_tcase(void);
TCase *status_escapers_tcase(void);

#endif
