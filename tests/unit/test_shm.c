/* jk_shm: one record per ajp13 and lb worker, found by name, shared across fork(). */
#include "jk_shm.h"

#include <apr_general.h>
#include <check.h>

#include "unit_fixtures.h"
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static jk_config *config_of(const char *const *lines)
{
    jk_props *p = jk_props_create(pool);
    jk_config *c;
    for (int i = 0; lines[i]; i++)
        jk_props_add_line(p, lines[i], "workers.properties", i + 1);
    c = jk_config_build(pool, p);
    ck_assert_int_eq(c->errors->nelts, 0);
    return c;
}

static const char *const lb_lines[] = {
    "worker.list=lb",
    "worker.lb.type=lb",
    "worker.lb.balance_workers=a,b",
    "worker.a.lbfactor=3",
    "worker.b.activation=D",
    NULL
};

START_TEST(records_for_every_worker)
{
    jk_shm *shm;
    jk_shm_member *a, *b;
    ck_assert_int_eq(jk_shm_create(pool, config_of(lb_lines), &shm), APR_SUCCESS);
    ck_assert_int_eq(shm->num_members, 2);
    ck_assert_int_eq(shm->num_lbs, 1);
    a = jk_shm_member_find(shm, "a");
    b = jk_shm_member_find(shm, "b");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(atomic_load(&a->lbfactor), 3);
    ck_assert_int_eq(atomic_load(&b->activation), JK_ACTIVATION_DISABLED);
    ck_assert_int_eq(atomic_load(&a->state), JK_MEMBER_OK);
    ck_assert_ptr_nonnull(jk_shm_lb_find(shm, "lb"));
    ck_assert_ptr_null(jk_shm_member_find(shm, "lb"));
    ck_assert_ptr_null(jk_shm_member_find(shm, "nope"));
    ck_assert_ptr_null(jk_shm_lb_find(NULL, "lb"));
}
END_TEST

START_TEST(busy_counts_and_keeps_its_maximum)
{
    jk_shm *shm;
    jk_shm_member *a;
    ck_assert_int_eq(jk_shm_create(pool, config_of(lb_lines), &shm), APR_SUCCESS);
    a = jk_shm_member_find(shm, "a");
    jk_shm_member_enter(a);
    jk_shm_member_enter(a);
    jk_shm_member_leave(a);
    jk_shm_member_enter(a);
    jk_shm_member_enter(a);
    ck_assert_int_eq(atomic_load(&a->busy), 3);
    ck_assert_int_eq(atomic_load(&a->max_busy), 3);
    jk_shm_member_leave(a);
    ck_assert_int_eq(atomic_load(&a->max_busy), 3);
}
END_TEST

START_TEST(a_child_process_sees_and_changes_the_same_memory)
{
    jk_shm *shm;
    jk_shm_member *a;
    jk_shm_lb *lb;
    pid_t pid;
    int status;
    ck_assert_int_eq(jk_shm_create(pool, config_of(lb_lines), &shm), APR_SUCCESS);
    a = jk_shm_member_find(shm, "a");
    lb = jk_shm_lb_find(shm, "lb");
    atomic_store(&a->lb_value, 41);
    pid = fork();
    if (pid == 0) {
        /* As an httpd child would: take the lock, change the record, leave. */
        jk_shm_lock(lb);
        atomic_fetch_add(&a->lb_value, 1);
        atomic_store(&a->state, JK_MEMBER_ERROR);
        jk_shm_unlock(lb);
        _exit(0);
    }
    ck_assert_int_gt(pid, 0);
    waitpid(pid, &status, 0);
    ck_assert_int_eq(atomic_load(&a->lb_value), 42);
    ck_assert_int_eq(atomic_load(&a->state), JK_MEMBER_ERROR);
    /* The lock was released by the child. */
    jk_shm_lock(lb);
    jk_shm_unlock(lb);
}
END_TEST

START_TEST(a_child_that_dies_holding_the_lock_does_not_block_the_others)
{
    jk_shm *shm;
    jk_shm_lb *lb;
    pid_t pid;
    int status;
    ck_assert_int_eq(jk_shm_create(pool, config_of(lb_lines), &shm), APR_SUCCESS);
    lb = jk_shm_lb_find(shm, "lb");
    pid = fork();
    if (pid == 0) {
        jk_shm_lock(lb);   /* and dies before it lets go, as a crashing httpd child */
        _exit(0);
    }
    ck_assert_int_gt(pid, 0);
    waitpid(pid, &status, 0);
    /* A lock that stayed taken would hang here until Check's timeout fails the test. */
    jk_shm_lock(lb);
    jk_shm_unlock(lb);
    jk_shm_lock(lb);       /* and it works normally after the take-over */
    jk_shm_unlock(lb);
}
END_TEST

/* Two processes add to a plain (non-atomic) shared counter under the lock: none lost. */
START_TEST(the_lock_excludes_other_processes)
{
    enum { CHILDREN = 2, ROUNDS = 20000 };
    jk_shm *shm;
    jk_shm_lb *lb;
    volatile int *counter;
    ck_assert_int_eq(jk_shm_create(pool, config_of(lb_lines), &shm), APR_SUCCESS);
    lb = jk_shm_lb_find(shm, "lb");
    counter = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    ck_assert_ptr_ne((void *)counter, MAP_FAILED);
    *counter = 0;
    for (int c = 0; c < CHILDREN; c++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < ROUNDS; i++) {
                jk_shm_lock(lb);
                int seen = *counter;
                *counter = seen + 1;
                jk_shm_unlock(lb);
            }
            _exit(0);
        }
        ck_assert_int_gt(pid, 0);
    }
    for (int c = 0; c < CHILDREN; c++) {
        int status;
        ck_assert_int_gt(wait(&status), 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ck_assert_int_eq(*counter, CHILDREN * ROUNDS);
    munmap((void *)counter, sizeof(int));
}
END_TEST

static Suite *shm_suite(void)
{
    Suite *s = suite_create("shm");
    TCase *tc = tcase_create("shm");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, records_for_every_worker);
    tcase_add_test(tc, busy_counts_and_keeps_its_maximum);
    tcase_add_test(tc, a_child_process_sees_and_changes_the_same_memory);
    tcase_add_test(tc, a_child_that_dies_holding_the_lock_does_not_block_the_others);
    tcase_add_test(tc, the_lock_excludes_other_processes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(shm_suite, "shm");
}
