/* lb_fixture.h: the lb tests' fakes, clock, built lb and request helpers, shared by the topics. */
#ifndef LB_FIXTURE_H
#define LB_FIXTURE_H

/*
 * Unit tests of the lb worker: member choice, sticky sessions, failover and
 * recovery, driven through jk_lb_worker_create() + service() with fake
 * members.  A fake member is a jk_worker whose service() records that it was
 * called and returns a scripted jk_result; its shared record comes from a
 * jk_shm built from the same workers.properties text as the lb, so state and
 * counters are read where every httpd child would read them.  Time is the
 * test's own clock and sleep (jk_lb_worker_set_clock), so recover_time and retry_interval
 * are simulated.
 */
#include "jk_lb_worker.h"
#include "jk_session.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#define MAX_MEMBERS 8
#define MAX_SCRIPT 32
#define MAX_TRACE 40000

/* Simulated time: the lb's clock, moved by advance() and by the lb's own waits. */
apr_time_t test_clock(void);
void advance(int seconds);

/* The lb's waits between rounds: how many, and how long in all. */
extern int sleeps;
extern apr_interval_time_t slept_us;

/* Fake members */

typedef struct fake_member fake_member;
typedef void (*fake_hook)(fake_member *f, jk_service *s);

struct fake_member {
    jk_worker worker;
    int index;                      /* position in balance_workers */
    jk_result script[MAX_SCRIPT];   /* results of the next calls, in order */
    int script_len, script_pos;
    jk_result otherwise;            /* once the script is used up */
    int calls;
    apr_off_t add_read, add_written; /* bytes this member "moves" per request */
    fake_hook during;               /* runs inside service(), e.g. nested requests */
    int in_hook;
};

/* Every member call, in order, across all requests of a test. */
extern int trace[MAX_TRACE];
extern int trace_len;

/* The fake's health: what probe() answers, and how often it was asked. */
extern jk_result probe_answer;
extern int probes;

/* The results of f's next n calls. */
void script(fake_member *f, int n, const jk_result *results);

/* An lb named "lb" over worker1..workerN, built from properties text */

typedef struct lb_fixture {
    apr_pool_t *pool;
    jk_config *config;
    jk_shm *shm;
    jk_worker *lb;
    const jk_worker_config *lb_config;
    fake_member *m[MAX_MEMBERS];
    int n;
} lb_fixture;

extern apr_pool_t *pool;
extern lb_fixture T;

/* Every TCase's checked fixture: a fresh pool, trace and clock. */
void setup(void);
void teardown(void);

/*
 * An lb over n members worker1..workerN (balance_workers in that order), every
 * member with its own host line, plus `extra` properties lines (lb keys as
 * worker.lb.*, member keys as worker.workerN.*).
 */
void build(int n, const char *extra);

/* Member i's (0-based) shared record. */
jk_shm_member *shm_of(int i);

/* Requests through the lb */

typedef struct outcome {
    jk_result result;
    int member;          /* who the lb says served it (s->route), -1 if none */
    int calls;           /* member calls this request made (nested requests excluded) */
    int first_call;      /* the first member called, -1 if none */
    const char *activation; /* what Tomcat is told in JK_LB_ACTIVATION (s->activation) */
} outcome;

/* The web server's side holds a response until it commits it: how many it dropped. */
extern int discards;

/* One request through the lb: method, uri, and up to two Cookie headers (NULL: absent). */
outcome request2(const char *method, const char *uri, const char *cookie,
                 const char *cookie2);
outcome request(const char *method, const char *uri, const char *cookie);
outcome get(void);

/* GET with a JSESSIONID cookie whose route is `route`. */
outcome get_sticky(const char *route);

/* The longest run of `member` in seq, and how often it occurs there. */
int longest_run(const int *seq, int len, int member);
int count_of(const int *seq, int len, int member);

/* Sends n plain GETs that must all succeed; their servers go to trace. */
void send_plain(int n);

/* The topics, one TCase each. */
TCase *lb_choice_tcase(void);
TCase *lb_sticky_tcase(void);
TCase *lb_recovery_tcase(void);

#endif
