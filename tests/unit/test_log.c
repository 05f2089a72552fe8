/*
 * Unit tests for jk_log, the mod_jk.log writer.  Each test logs into a file
 * of its own temporary directory and reads the lines back.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* localtime_r */
#endif

#include "jk_log.h"

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit_fixtures.h"

static apr_pool_t *pool;
static char *dir;           /* this test's own, below the run's (unit_fixtures.h) */
static const char *log_path;
static apr_file_t *log_file;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    dir = unit_make_dir(pool);
    log_path = apr_pstrcat(pool, dir, "/mod_jk.log", NULL);
    log_file = unit_open_log(pool, log_path);
}

static void teardown(void)
{
    apr_file_close(log_file);
    unit_remove_tree(pool, dir);
    apr_pool_destroy(pool);
    pool = NULL;
}

/* Everything written to the log so far. */
static const char *log_text(void)
{
    return unit_read_file(pool, log_path);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static int local_year(apr_time_t t)
{
    time_t secs = (time_t)apr_time_sec(t);
    struct tm tm;
    localtime_r(&secs, &tm);
    return tm.tm_year + 1900;
}

/* "[pid:tid] [level] " as this thread would write it. */
static const char *ids(const char *level)
{
    return apr_psprintf(pool, "[%ld:%lu] [%s] ", (long)getpid(), (unsigned long)pthread_self(),
                        level);
}

START_TEST(test_line_format)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "[%Y]");
    apr_time_t before = apr_time_now(), after;
    const char *text, *want1, *want2;

    jk_log(l, JK_LOG_INFO, "worker %s: %d", "w1", 42);
    after = apr_time_now();
    text = log_text();
    /* The stamp gets a space of its own when its format has none. */
    want1 = apr_psprintf(pool, "[%d] %sworker w1: 42\n", local_year(before), ids("info"));
    want2 = apr_psprintf(pool, "[%d] %sworker w1: 42\n", local_year(after), ids("info"));
    ck_assert_msg(strcmp(text, want1) == 0 || strcmp(text, want2) == 0,
                  "got '%s', expected '%s'", text, want1);
}
END_TEST

START_TEST(test_request_id_marks_this_threads_lines_until_cleared)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "");
    char long_id[200];
    memset(long_id, 'i', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';

    jk_log_set_request_id("Zx9-abc");
    jk_log(l, JK_LOG_INFO, "during");
    jk_log_set_request_id(long_id);
    jk_log(l, JK_LOG_ERROR, "long id");
    jk_log_set_request_id(NULL);
    jk_log(l, JK_LOG_INFO, "after");
    ck_assert_str_eq(log_text(), apr_pstrcat(pool, ids("info"), "[Zx9-abc] during\n",
                                             ids("error"), "[", apr_pstrndup(pool, long_id, 64),
                                             "] long id\n", ids("info"), "after\n", NULL));
}
END_TEST

START_TEST(test_stamp_with_its_own_space)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "[%Y] ");
    const char *text;
    char want_prefix[16];

    jk_log(l, JK_LOG_WARN, "x");
    text = log_text();
    snprintf(want_prefix, sizeof(want_prefix), "[%d] [", local_year(apr_time_now()));
    ck_assert_msg(strncmp(text, want_prefix, strlen(want_prefix)) == 0, "got '%s'", text);
    ck_assert_ptr_null(strstr(text, "]  ["));
    ck_assert_ptr_nonnull(strstr(text, ids("warn")));
}
END_TEST

START_TEST(test_empty_stamp)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "");
    jk_log(l, JK_LOG_ERROR, "no stamp");
    ck_assert_str_eq(log_text(), apr_pstrcat(pool, ids("error"), "no stamp\n", NULL));
}
END_TEST

START_TEST(test_default_stamp)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, NULL);
    const char *text;
    ck_assert_str_eq(l->stamp_format, JK_LOG_DEFAULT_STAMP);
    jk_log(l, JK_LOG_INFO, "hello");
    text = log_text();
    /* "[Wed Nov 25 22:40:01.123 2026] [pid:tid] [info] hello" */
    ck_assert_uint_gt(strlen(text), 32);
    ck_assert_int_eq(text[0], '[');
    ck_assert_int_eq(text[20], '.');
    ck_assert_int_eq(text[24], ' ');
    ck_assert_msg(strstr(text, apr_pstrcat(pool, "] ", ids("info"), "hello\n", NULL)) != NULL,
                  "got '%s'", text);
}
END_TEST

START_TEST(test_levels_below_threshold_dropped)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_WARN, "");
    const char *want;

    jk_log(l, JK_LOG_TRACE, "trace");
    jk_log(l, JK_LOG_DEBUG, "debug");
    jk_log(l, JK_LOG_INFO, "info");
    jk_log(l, JK_LOG_WARN, "warn");
    jk_log(l, JK_LOG_ERROR, "error");
    jk_log(l, JK_LOG_EMERG, "emerg");
    want = apr_pstrcat(pool, ids("warn"), "warn\n", ids("error"), "error\n",
                       ids("emerg"), "emerg\n", NULL);
    ck_assert_str_eq(log_text(), want);
}
END_TEST

START_TEST(test_trace_level_logs_everything)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_TRACE, "");
    for (int lv = JK_LOG_TRACE; lv <= JK_LOG_EMERG; lv++)
        jk_log(l, (jk_log_level)lv, "line %d", lv);
    ck_assert_int_eq(count_lines(log_text()), 6);
    ck_assert_ptr_nonnull(strstr(log_text(), apr_pstrcat(pool, ids("trace"), "line 0\n", NULL)));
}
END_TEST

START_TEST(test_enabled)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "");
    ck_assert_int_eq(jk_log_enabled(l, JK_LOG_DEBUG), 0);
    ck_assert_int_ne(jk_log_enabled(l, JK_LOG_INFO), 0);
    ck_assert_int_ne(jk_log_enabled(l, JK_LOG_EMERG), 0);
    ck_assert_int_eq(jk_log_enabled(NULL, JK_LOG_EMERG), 0);
}
END_TEST

START_TEST(test_lines_are_appended_in_order)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "");
    const char *want = "";
    for (int i = 0; i < 20; i++) {
        jk_log(l, JK_LOG_INFO, "line %02d", i);
        want = apr_psprintf(pool, "%s%sline %02d\n", want, ids("info"), i);
    }
    ck_assert_str_eq(log_text(), want);
}
END_TEST

START_TEST(test_null_logger_is_a_noop)
{
    jk_logger *no_file = jk_log_create(pool, NULL, JK_LOG_TRACE, NULL);
    jk_log(NULL, JK_LOG_EMERG, "nothing %s", "at all");
    jk_log(no_file, JK_LOG_EMERG, "nothing either");
    ck_assert_str_eq(log_text(), "");
}
END_TEST

START_TEST(test_long_message_is_cut)
{
    jk_logger *l = jk_log_create(pool, log_file, JK_LOG_INFO, "[%Y]");
    apr_size_t n = 3 * JK_LOG_MAX_LINE;
    char *msg = apr_palloc(pool, n + 1);
    const char *text;
    apr_size_t len;

    memset(msg, 'm', n);
    msg[n] = '\0';
    jk_log(l, JK_LOG_INFO, "%s", msg);
    jk_log(l, JK_LOG_INFO, "next");
    text = log_text();
    ck_assert_int_eq(count_lines(text), 2);
    len = (apr_size_t)(strchr(text, '\n') - text) + 1;
    ck_assert_uint_le(len, JK_LOG_MAX_LINE);
    ck_assert_uint_gt(len, JK_LOG_MAX_LINE - 64);
    ck_assert_msg(strncmp(text + len - 4, "...\n", 4) == 0, "the cut line ends with '%.8s'",
                  text + len - 8);
    ck_assert_int_eq(text[len - 5], 'm');
    ck_assert_ptr_nonnull(strstr(text, ids("info")));
    /* The next line is whole. */
    ck_assert_str_eq(text + len + strlen(text + len) - 5, "next\n");
}
END_TEST

START_TEST(test_format_stamp_subseconds)
{
    /* 2023-11-14, well inside the year in every time zone. */
    apr_time_t t = apr_time_from_sec(1700000000) + 123456;
    apr_time_t t2 = apr_time_from_sec(1700000000) + 7;
    char buf[128];

    ck_assert_uint_eq(jk_log_format_stamp("%Q", t, buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "123");
    ck_assert_uint_eq(jk_log_format_stamp("%q", t, buf, sizeof(buf)), 6);
    ck_assert_str_eq(buf, "123456");
    jk_log_format_stamp("%Q|%q", t2, buf, sizeof(buf));
    ck_assert_str_eq(buf, "000|000007");
    jk_log_format_stamp("[%Y.%Q]", t, buf, sizeof(buf));
    ck_assert_str_eq(buf, "[2023.123]");
    jk_log_format_stamp("%%Q %%q", t, buf, sizeof(buf));
    ck_assert_str_eq(buf, "%Q %q");
    jk_log_format_stamp("x%Qy%qz", t, buf, sizeof(buf));
    ck_assert_str_eq(buf, "x123y123456z");
    ck_assert_uint_eq(jk_log_format_stamp("plain", t, buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "plain");
}
END_TEST

START_TEST(test_format_stamp_default_shape)
{
    apr_time_t t = apr_time_from_sec(1700000000) + 5000;
    char buf[128];
    apr_size_t n = jk_log_format_stamp(JK_LOG_DEFAULT_STAMP, t, buf, sizeof(buf));
    /* "[Tue Nov 14 22:13:20.005 2023] " (day and time depend on the zone) */
    ck_assert_uint_eq(n, 31);
    ck_assert_int_eq(buf[0], '[');
    ck_assert_msg(strncmp(buf + 20, ".005 2023] ", 11) == 0, "got '%s'", buf);
}
END_TEST

START_TEST(test_level_parse)
{
    static const char *const names[] = { "trace", "debug", "info", "warn", "error", "emerg" };
    for (int i = 0; i < 6; i++) {
        char *upper = apr_pstrdup(pool, names[i]);
        for (char *c = upper; *c; c++)
            *c = (char)(*c - 'a' + 'A');
        ck_assert_int_eq(jk_log_level_parse(names[i]), i);
        ck_assert_int_eq(jk_log_level_parse(upper), i);
        ck_assert_str_eq(jk_log_level_name((jk_log_level)i), names[i]);
    }
    ck_assert_int_eq(jk_log_level_parse("Debug"), JK_LOG_DEBUG);
    ck_assert_int_eq(jk_log_level_parse("verbose"), -1);
    ck_assert_int_eq(jk_log_level_parse(""), -1);
    ck_assert_int_eq(jk_log_level_parse("info "), -1);
    ck_assert_int_eq(jk_log_level_parse("err"), -1);
    ck_assert_int_eq(jk_log_level_parse("warning"), -1);
    ck_assert_str_eq(jk_log_level_name((jk_log_level)6), "?");
    ck_assert_str_eq(jk_log_level_name((jk_log_level)-1), "?");
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("jk_log");
    TCase *tc = tcase_create("log");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_line_format);
    tcase_add_test(tc, test_stamp_with_its_own_space);
    tcase_add_test(tc, test_empty_stamp);
    tcase_add_test(tc, test_default_stamp);
    tcase_add_test(tc, test_levels_below_threshold_dropped);
    tcase_add_test(tc, test_trace_level_logs_everything);
    tcase_add_test(tc, test_enabled);
    tcase_add_test(tc, test_lines_are_appended_in_order);
    tcase_add_test(tc, test_null_logger_is_a_noop);
    tcase_add_test(tc, test_long_message_is_cut);
    tcase_add_test(tc, test_format_stamp_subseconds);
    tcase_add_test(tc, test_format_stamp_default_shape);
    tcase_add_test(tc, test_level_parse);
    tcase_add_test(tc, test_request_id_marks_this_threads_lines_until_cleared);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(log_suite, "jk_log");
}
