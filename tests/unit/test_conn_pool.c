/*
 * Unit tests for jk_conn_pool.
 *
 * "Connected" slots hold real sockets: each test listens on 127.0.0.1 (an
 * ephemeral port) and connects slots to it with APR, accepting the server
 * side so that a close can be seen as EOF by the peer.
 */
#include "jk_conn_pool.h"

#include <apr_general.h>
#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_thread_proc.h>
#include <apr_time.h>
#include <check.h>

#include "unit_fixtures.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACKET 8192

static apr_pool_t *pool;
static apr_socket_t *listener;
static apr_sockaddr_t *listen_addr;

static void setup(void)
{
    apr_sockaddr_t *sa;
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    ck_assert_int_eq(apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&listener, APR_INET, SOCK_STREAM, APR_PROTO_TCP, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_socket_opt_set(listener, APR_SO_REUSEADDR, 1), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_bind(listener, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_listen(listener, 32), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_addr_get(&listen_addr, APR_LOCAL, listener), APR_SUCCESS);
}

static void teardown(void)
{
    apr_socket_close(listener);
    apr_pool_destroy(pool);
    pool = NULL;
}

/* Connect slot `c` (allocating its socket from the slot's own pool); return the server side. */
static apr_socket_t *connect_slot(jk_conn *c)
{
    apr_socket_t *s, *peer;
    ck_assert_ptr_null(c->sock);
    ck_assert_int_eq(apr_socket_create(&s, APR_INET, SOCK_STREAM, APR_PROTO_TCP, c->pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_socket_connect(s, listen_addr), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_accept(&peer, listener, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_timeout_set(peer, apr_time_from_sec(2)), APR_SUCCESS);
    c->sock = s;
    return peer;
}

/* Has the other end closed?  (A read gives EOF, not a timeout.) */
static int peer_sees_eof(apr_socket_t *peer)
{
    char b;
    apr_size_t n = 1;
    apr_status_t rv = apr_socket_recv(peer, &b, &n);
    return rv == APR_EOF || (rv == APR_SUCCESS && n == 0);
}

/* Is the other end still open?  A short read times out. */
static int peer_still_open(apr_socket_t *peer)
{
    char b;
    apr_size_t n = 1;
    apr_status_t rv;
    apr_socket_timeout_set(peer, apr_time_from_msec(20));
    rv = apr_socket_recv(peer, &b, &n);
    apr_socket_timeout_set(peer, apr_time_from_sec(2));
    return APR_STATUS_IS_TIMEUP(rv) || APR_STATUS_IS_EAGAIN(rv);
}

static jk_conn_pool *make_pool(int size)
{
    jk_conn_pool *p = NULL;
    ck_assert_int_eq(jk_conn_pool_create(pool, size, PACKET, &p), APR_SUCCESS);
    ck_assert_ptr_nonnull(p);
    return p;
}

static jk_conn *acquire(jk_conn_pool *p)
{
    jk_conn *c = NULL;
    ck_assert_int_eq(jk_conn_pool_acquire(p, 0, &c), APR_SUCCESS);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* --- creation, acquire and release --- */

START_TEST(test_create)
{
    jk_conn_pool *p = make_pool(3);
    ck_assert_int_eq(p->size, 3);
    ck_assert_int_eq(p->waiting, 0);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 0);
    for (int i = 0; i < 3; i++) {
        jk_conn *c = &p->slots[i];
        ck_assert_ptr_null(c->sock);
        ck_assert_ptr_nonnull(c->pool);
        ck_assert_ptr_nonnull(c->out);
        ck_assert_uint_eq(c->out->cap, PACKET);
        ck_assert_ptr_nonnull(c->rbuf);
        ck_assert_uint_ge(c->rcap, 2 * PACKET);
        ck_assert_uint_eq(c->rpos, 0);
        ck_assert_uint_eq(c->rlen, 0);
        ck_assert_int_eq(c->in_use, 0);
        ck_assert_ptr_eq(c->owner, p);
    }
}
END_TEST

START_TEST(test_acquire_release)
{
    jk_conn_pool *p = make_pool(3);
    jk_conn *a = acquire(p), *b = acquire(p), *c = acquire(p);

    ck_assert(a != b && b != c && a != c);
    ck_assert_int_eq(a->in_use, 1);
    ck_assert_int_eq(b->in_use, 1);
    ck_assert_int_eq(c->in_use, 1);
    jk_conn_pool_release(b, 1);
    ck_assert_int_eq(b->in_use, 0);
    /* The only free slot comes back. */
    ck_assert_ptr_eq(acquire(p), b);
    jk_conn_pool_release(a, 1);
    jk_conn_pool_release(b, 1);
    jk_conn_pool_release(c, 1);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 0);
}
END_TEST

START_TEST(test_connected_slot_preferred)
{
    jk_conn_pool *p = make_pool(3);
    jk_conn *a = acquire(p);
    connect_slot(a);
    jk_conn_pool_release(a, 1);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 1);
    /* The connected slot, not an empty one. */
    ck_assert_ptr_eq(acquire(p), a);
    ck_assert_ptr_nonnull(a->sock);
}
END_TEST

START_TEST(test_most_recently_used_first)
{
    jk_conn_pool *p = make_pool(3);
    jk_conn *a = acquire(p), *b = acquire(p), *c = acquire(p);

    connect_slot(a);
    connect_slot(b);
    connect_slot(c);
    /* Released b, then c, then a: a is the most recent. */
    jk_conn_pool_release(b, 1);
    apr_sleep(2000);
    jk_conn_pool_release(c, 1);
    apr_sleep(2000);
    jk_conn_pool_release(a, 1);
    ck_assert_ptr_eq(acquire(p), a);
    ck_assert_ptr_eq(acquire(p), c);
    ck_assert_ptr_eq(acquire(p), b);

    /* Used again, b is now the freshest. */
    jk_conn_pool_release(c, 1);
    apr_sleep(2000);
    jk_conn_pool_release(b, 1);
    ck_assert_ptr_eq(acquire(p), b);
}
END_TEST

START_TEST(test_release_without_reuse_closes)
{
    jk_conn_pool *p = make_pool(2);
    jk_conn *a = acquire(p);
    apr_socket_t *peer = connect_slot(a);

    a->requests = 5;
    a->rpos = 3;
    a->rlen = 10;
    ck_assert_int_eq(jk_conn_pool_open_count(p), 1);
    jk_conn_pool_release(a, 0);
    ck_assert_ptr_null(a->sock);
    ck_assert_int_eq(a->in_use, 0);
    ck_assert_uint_eq(a->requests, 0);
    ck_assert_uint_eq(a->rpos, 0);
    ck_assert_uint_eq(a->rlen, 0);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 0);
    ck_assert(peer_sees_eof(peer));
}
END_TEST

START_TEST(test_release_with_reuse_keeps_connection)
{
    jk_conn_pool *p = make_pool(2);
    jk_conn *a = acquire(p);
    apr_socket_t *peer = connect_slot(a);
    apr_time_t before = apr_time_now();

    jk_conn_pool_release(a, 1);
    ck_assert_ptr_nonnull(a->sock);
    ck_assert(a->last_used >= before);
    ck_assert(peer_still_open(peer));
}
END_TEST

START_TEST(test_close_unconnected_is_harmless)
{
    jk_conn_pool *p = make_pool(1);
    jk_conn *a = acquire(p);
    jk_conn_close(a);
    jk_conn_close(a);
    ck_assert_ptr_null(a->sock);
    jk_conn_pool_release(a, 0);
    ck_assert_ptr_eq(acquire(p), a);
}
END_TEST

START_TEST(test_slot_reconnects_after_close)
{
    jk_conn_pool *p = make_pool(1);
    jk_conn *a = acquire(p);
    connect_slot(a);
    jk_conn_pool_release(a, 0);
    a = acquire(p);
    connect_slot(a);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 1);
}
END_TEST

/* --- waiting for a slot --- */

START_TEST(test_acquire_times_out)
{
    jk_conn_pool *p = make_pool(1);
    jk_conn *a = acquire(p), *b = NULL;
    ck_assert_int_eq(jk_conn_pool_acquire(p, apr_time_from_msec(50), &b), APR_TIMEUP);
    ck_assert_int_eq(jk_conn_pool_acquire(p, 0, &b), APR_TIMEUP);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(p->waiting, 0);
    ck_assert_int_eq(a->in_use, 1);
}
END_TEST

typedef struct waiter {
    jk_conn_pool *p;
    apr_interval_time_t wait;
    apr_status_t rv;
    jk_conn *got;
} waiter;

static void *APR_THREAD_FUNC wait_for_slot(apr_thread_t *t, void *data)
{
    waiter *w = data;
    w->rv = jk_conn_pool_acquire(w->p, w->wait, &w->got);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

START_TEST(test_waiting_thread_gets_released_slot)
{
    jk_conn_pool *p = make_pool(1);
    jk_conn *a = acquire(p);
    waiter w = { p, apr_time_from_sec(10), APR_EGENERAL, NULL };
    apr_thread_t *t;
    apr_status_t trv;

    connect_slot(a);
    ck_assert_int_eq(apr_thread_create(&t, NULL, wait_for_slot, &w, pool), APR_SUCCESS);
    /* Give the thread time to start waiting (not needed for correctness). */
    for (int i = 0; i < 200; i++) {
        int waiting;
        apr_thread_mutex_lock(p->mutex);
        waiting = p->waiting;
        apr_thread_mutex_unlock(p->mutex);
        if (waiting)
            break;
        apr_sleep(1000);
    }
    jk_conn_pool_release(a, 1);
    ck_assert_int_eq(apr_thread_join(&trv, t), APR_SUCCESS);
    ck_assert_int_eq(w.rv, APR_SUCCESS);
    ck_assert_ptr_eq(w.got, a);
    ck_assert_ptr_nonnull(w.got->sock);
    ck_assert_int_eq(a->in_use, 1);
    ck_assert_int_eq(p->waiting, 0);
    jk_conn_pool_release(a, 1);
}
END_TEST

START_TEST(test_waiting_thread_gets_slot_closed_by_release)
{
    /* A slot given back without reuse is free too: empty, but usable. */
    jk_conn_pool *p = make_pool(1);
    jk_conn *a = acquire(p);
    waiter w = { p, apr_time_from_sec(10), APR_EGENERAL, NULL };
    apr_thread_t *t;
    apr_status_t trv;

    connect_slot(a);
    ck_assert_int_eq(apr_thread_create(&t, NULL, wait_for_slot, &w, pool), APR_SUCCESS);
    apr_sleep(apr_time_from_msec(20));
    jk_conn_pool_release(a, 0);
    ck_assert_int_eq(apr_thread_join(&trv, t), APR_SUCCESS);
    ck_assert_int_eq(w.rv, APR_SUCCESS);
    ck_assert_ptr_eq(w.got, a);
    ck_assert_ptr_null(w.got->sock);
}
END_TEST

/* --- closing idle connections --- */

/* Fill a pool of `n` slots with connected, idle slots last used at the given times. */
static apr_socket_t **fill(jk_conn_pool *p, const apr_time_t *last_used)
{
    apr_socket_t **peers = apr_pcalloc(pool, sizeof(*peers) * (apr_size_t)p->size);
    jk_conn **held = apr_pcalloc(pool, sizeof(*held) * (apr_size_t)p->size);
    for (int i = 0; i < p->size; i++) {
        held[i] = acquire(p);
        peers[held[i] - p->slots] = connect_slot(held[i]);
    }
    for (int i = 0; i < p->size; i++)
        jk_conn_pool_release(held[i], 1);
    for (int i = 0; i < p->size; i++)
        p->slots[i].last_used = last_used[i];
    return peers;
}

#define NOW apr_time_from_sec(1000000)
#define AGO(s) (NOW - apr_time_from_sec(s))

START_TEST(test_close_idle_keeps_keep)
{
    jk_conn_pool *p = make_pool(4);
    const apr_time_t used[] = { AGO(100), AGO(100), AGO(100), AGO(100) };
    apr_socket_t **peers = fill(p, used);
    int eof = 0;

    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 2, NOW), 2);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 2);
    for (int i = 0; i < 4; i++)
        if (p->slots[i].sock == NULL) {
            ck_assert(peer_sees_eof(peers[i]));
            eof++;
        } else {
            ck_assert(peer_still_open(peers[i]));
        }
    ck_assert_int_eq(eof, 2);
    /* Nothing more to close. */
    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 2, NOW), 0);
}
END_TEST

START_TEST(test_close_idle_closes_the_oldest)
{
    /* Slot order is not age order: the two oldest go, the two freshest stay. */
    jk_conn_pool *p = make_pool(4);
    const apr_time_t used[] = { AGO(20), AGO(40), AGO(15), AGO(30) };
    fill(p, used);

    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 2, NOW), 2);
    ck_assert_msg(p->slots[0].sock != NULL, "slot 0 (idle 20 s) was closed");
    ck_assert_msg(p->slots[1].sock == NULL, "slot 1 (idle 40 s) is still open");
    ck_assert_msg(p->slots[2].sock != NULL, "slot 2 (idle 15 s) was closed");
    ck_assert_msg(p->slots[3].sock == NULL, "slot 3 (idle 30 s) is still open");
}
END_TEST

START_TEST(test_close_idle_spares_recent)
{
    jk_conn_pool *p = make_pool(4);
    const apr_time_t used[] = { AGO(100), AGO(5), AGO(100), AGO(1) };
    fill(p, used);

    /* Only two are idle long enough; keep 0 would allow closing all four. */
    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 0, NOW), 2);
    ck_assert_ptr_null(p->slots[0].sock);
    ck_assert_ptr_nonnull(p->slots[1].sock);
    ck_assert_ptr_null(p->slots[2].sock);
    ck_assert_ptr_nonnull(p->slots[3].sock);
}
END_TEST

START_TEST(test_close_idle_spares_busy)
{
    jk_conn_pool *p = make_pool(3);
    const apr_time_t used[] = { AGO(100), AGO(100), AGO(100) };
    jk_conn *busy;
    fill(p, used);

    busy = acquire(p);
    busy->last_used = AGO(1000); /* old, but in use right now */
    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 0, NOW), 2);
    ck_assert_ptr_nonnull(busy->sock);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 1);
    jk_conn_pool_release(busy, 1);
}
END_TEST

START_TEST(test_close_idle_nothing_when_keep_covers_all)
{
    jk_conn_pool *p = make_pool(3);
    const apr_time_t used[] = { AGO(100), AGO(100), AGO(100) };
    fill(p, used);
    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 3, NOW), 0);
    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 5, NOW), 0);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 3);
}
END_TEST

START_TEST(test_close_idle_counts_busy_as_open)
{
    /* keep counts every open connection: with one busy, one idle is enough. */
    jk_conn_pool *p = make_pool(3);
    const apr_time_t used[] = { AGO(100), AGO(100), AGO(100) };
    jk_conn *busy;
    fill(p, used);
    busy = acquire(p);
    ck_assert_int_eq(jk_conn_pool_close_idle(p, apr_time_from_sec(10), 2, NOW), 1);
    ck_assert_int_eq(jk_conn_pool_open_count(p), 2);
    ck_assert_ptr_nonnull(busy->sock);
    jk_conn_pool_release(busy, 1);
}
END_TEST

/* --- maintenance: take_idle and put_back --- */

START_TEST(test_take_idle)
{
    jk_conn_pool *p = make_pool(3);
    const apr_time_t used[] = { AGO(100), AGO(5), AGO(100) };
    jk_conn *c = NULL;
    fill(p, used);
    jk_conn_close(&p->slots[2]); /* slot 2: not connected */

    ck_assert_int_eq(jk_conn_pool_take_idle(p, 0, AGO(10), &c), 1);
    ck_assert_ptr_eq(c, &p->slots[0]);
    ck_assert_int_eq(c->in_use, 1);
    /* Taken: not handed out again, by acquire or another take. */
    ck_assert_int_eq(jk_conn_pool_take_idle(p, 0, AGO(10), &c), 0);
    c = NULL;
    ck_assert_int_eq(jk_conn_pool_take_idle(p, 1, AGO(10), &c), 0); /* used too recently */
    ck_assert_int_eq(jk_conn_pool_take_idle(p, 2, AGO(10), &c), 0); /* no connection */
    ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_put_back_keeps_last_used)
{
    jk_conn_pool *p = make_pool(2);
    const apr_time_t used[] = { AGO(100), AGO(100) };
    apr_socket_t **peers = fill(p, used);
    jk_conn *c = NULL;

    ck_assert_int_eq(jk_conn_pool_take_idle(p, 0, AGO(10), &c), 1);
    jk_conn_pool_put_back(c, 1);
    ck_assert_int_eq(c->in_use, 0);
    ck_assert_ptr_nonnull(c->sock);
    ck_assert(c->last_used == AGO(100)); /* a health check is not use */

    ck_assert_int_eq(jk_conn_pool_take_idle(p, 1, AGO(10), &c), 1);
    jk_conn_pool_put_back(c, 0);
    ck_assert_ptr_null(c->sock);
    ck_assert_int_eq(c->in_use, 0);
    ck_assert(peer_sees_eof(peers[1]));
    ck_assert_int_eq(jk_conn_pool_open_count(p), 1);
}
END_TEST

static Suite *conn_pool_suite(void)
{
    Suite *s = suite_create("jk_conn_pool");
    TCase *tc;

    tc = tcase_create("slots");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create);
    tcase_add_test(tc, test_acquire_release);
    tcase_add_test(tc, test_connected_slot_preferred);
    tcase_add_test(tc, test_most_recently_used_first);
    tcase_add_test(tc, test_release_without_reuse_closes);
    tcase_add_test(tc, test_release_with_reuse_keeps_connection);
    tcase_add_test(tc, test_close_unconnected_is_harmless);
    tcase_add_test(tc, test_slot_reconnects_after_close);
    suite_add_tcase(s, tc);

    tc = tcase_create("waiting");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_acquire_times_out);
    tcase_add_test(tc, test_waiting_thread_gets_released_slot);
    tcase_add_test(tc, test_waiting_thread_gets_slot_closed_by_release);
    suite_add_tcase(s, tc);

    tc = tcase_create("idle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_close_idle_keeps_keep);
    tcase_add_test(tc, test_close_idle_closes_the_oldest);
    tcase_add_test(tc, test_close_idle_spares_recent);
    tcase_add_test(tc, test_close_idle_spares_busy);
    tcase_add_test(tc, test_close_idle_nothing_when_keep_covers_all);
    tcase_add_test(tc, test_close_idle_counts_busy_as_open);
    tcase_add_test(tc, test_take_idle);
    tcase_add_test(tc, test_put_back_keeps_last_used);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(conn_pool_suite, "conn_pool");
}
