/*
 * Unit tests for jk_props, the workers.properties reader.
 *
 * Each test writes its fixture files into a temporary directory of its own,
 * so that file names are known and the exact "file:line: message" texts can
 * be asserted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setenv, unsetenv */
#endif

#include "jk_props.h"

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_fixtures.h"

static apr_pool_t *pool;
static char *dir;           /* this test's own, below the run's (unit_fixtures.h) */

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    dir = unit_make_dir(pool);
}

static void teardown(void)
{
    unit_remove_tree(pool, dir);
    apr_pool_destroy(pool);
    pool = NULL;
}

/* Write `text` to dir/name and return the full path. */
static const char *write_file(const char *name, const char *text)
{
    return unit_write_file(pool, dir, name, text);
}

/* All messages of an array, one a line, for comparing in one assertion. */
static const char *joined(const apr_array_header_t *a)
{
    return unit_joined(pool, a);
}

static jk_props *load(const char *path)
{
    jk_props *p = jk_props_create(pool);
    jk_props_load_file(p, path);
    return p;
}

static const char *value_of(const jk_props *p, const char *key)
{
    const jk_prop *prop = jk_props_get(p, key);
    ck_assert_msg(prop != NULL, "%s is not set", key);
    return prop->value;
}

/* --- good files --- */

START_TEST(test_basic_file)
{
    const char *path = write_file("workers.properties",
        "# workers for the shop\n"
        "\n"
        "worker.list=w1\n"
        "   \t\n"
        "worker.w1.type = ajp13\n"
        "  worker.w1.host\t=\t127.0.0.2  \n"
        "worker.w1.port=8010   # the AJP port\n"
        "#worker.w1.secret=commented out\n"
        "worker.w1.lbfactor=1# no space before the comment\n");
    jk_props *p = jk_props_create(pool);
    const jk_prop *prop;

    jk_props_load_file(p, path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(joined(p->warnings), "");
    ck_assert_int_eq(p->items->nelts, 5);
    ck_assert_str_eq(value_of(p, "worker.list"), "w1");
    ck_assert_str_eq(value_of(p, "worker.w1.type"), "ajp13");
    ck_assert_str_eq(value_of(p, "worker.w1.host"), "127.0.0.2");
    ck_assert_str_eq(value_of(p, "worker.w1.port"), "8010");
    ck_assert_str_eq(value_of(p, "worker.w1.lbfactor"), "1");
    ck_assert_ptr_null(jk_props_get(p, "worker.w1.secret"));

    prop = jk_props_get(p, "worker.w1.port");
    ck_assert_str_eq(prop->file, path);
    ck_assert_int_eq(prop->line, 7);
    prop = jk_props_get(p, "worker.w1.host");
    ck_assert_int_eq(prop->line, 6);

    /* First-seen order. */
    ck_assert_str_eq(APR_ARRAY_IDX(p->items, 0, jk_prop).key, "worker.list");
    ck_assert_str_eq(APR_ARRAY_IDX(p->items, 4, jk_prop).key, "worker.w1.lbfactor");
}
END_TEST

START_TEST(test_load_file_return_value)
{
    /* jk_props.h: "Returns 0 when none were added, else -1." */
    const char *good = write_file("good.properties", "worker.list=w1\n");
    const char *bad = write_file("bad.properties", "garbage\n");
    jk_props *p = jk_props_create(pool);

    ck_assert_int_eq(jk_props_load_file(p, good), 0);
    ck_assert_int_eq(jk_props_load_file(p, bad), -1);
    ck_assert_int_eq(jk_props_load_file(p, apr_pstrcat(pool, dir, "/missing", NULL)), -1);
    /* Errors from earlier files do not make a good file fail. */
    ck_assert_int_eq(jk_props_load_file(p, good), 0);
    ck_assert_int_eq(p->errors->nelts, 2);
}
END_TEST

START_TEST(test_value_keeps_equals_sign)
{
    const char *path = write_file("w.properties", "worker.w.secret=a=b==c\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(value_of(p, "worker.w.secret"), "a=b==c");
}
END_TEST

START_TEST(test_hash_starts_comment_inside_value)
{
    const char *path = write_file("w.properties", "worker.w.secret=ab#cd\n");
    jk_props *p = load(path);
    ck_assert_str_eq(value_of(p, "worker.w.secret"), "ab");
}
END_TEST

START_TEST(test_empty_value)
{
    const char *path = write_file("w.properties", "worker.w.secret=\nworker.w.route =   \n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(value_of(p, "worker.w.secret"), "");
    ck_assert_str_eq(value_of(p, "worker.w.route"), "");
}
END_TEST

START_TEST(test_crlf_line_endings)
{
    const char *path = write_file("w.properties",
        "# made on Windows\r\n"
        "worker.list=w1\r\n"
        "\r\n"
        "worker.w1.host=backend\r\n"
        "worker.w1.port=8010 # comment\r\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(value_of(p, "worker.list"), "w1");
    ck_assert_str_eq(value_of(p, "worker.w1.host"), "backend");
    ck_assert_str_eq(value_of(p, "worker.w1.port"), "8010");
    ck_assert_int_eq(jk_props_get(p, "worker.w1.port")->line, 5);
}
END_TEST

START_TEST(test_last_line_without_newline)
{
    const char *path = write_file("w.properties", "worker.list=w1\nworker.w1.port=8011");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(value_of(p, "worker.w1.port"), "8011");
    ck_assert_int_eq(jk_props_get(p, "worker.w1.port")->line, 2);
}
END_TEST

START_TEST(test_empty_file)
{
    /* An empty file, or comments only, is a wrong path or a failed copy: refused. */
    const char *path = write_file("w.properties", "");
    const char *comments = write_file("c.properties", "# nothing\n\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool, "%s:1: the file sets no property "
                     "(empty, or comments only): is JkWorkersFile the right file?\n", path));
    ck_assert_int_eq(p->items->nelts, 0);
    ck_assert_int_eq(jk_props_load_file(p, comments), -1);
}
END_TEST

START_TEST(test_byte_order_mark)
{
    const char *path = write_file("w.properties", "\xEF\xBB\xBFworker.list=w1\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool, "%s:1: the file starts with a UTF-8 "
                     "byte order mark, which mod_jk reads as part of the first line; save the "
                     "file without it (as UTF-8 without BOM, or plain ASCII)\n", path));
    /* Read on without it, so that it is the one error. */
    ck_assert_str_eq(value_of(p, "worker.list"), "w1");
}
END_TEST

START_TEST(test_bytes_that_are_not_utf8_or_control)
{
    jk_props *p = jk_props_create(pool);
    jk_props_add_line(p, "worker.w.host=h\xff\xfe", "f", 1);
    jk_props_add_line(p, "worker.w.route=a\x01" "b", "f", 2);
    jk_props_add_line(p, "worker.w.port=8009 # caf\xe9: comments may hold anything", "f", 3);
    jk_props_add_line(p, "worker.w.domain=caf\xc3\xa9\tx", "f", 4);
    jk_props_add_line(p, "worker.w.redirect=\xc3(", "f", 5);
    jk_props_add_line(p, "worker.w.secret=\x7f", "f", 6);
    ck_assert_str_eq(joined(p->errors),
        "f:1: byte 0xFF at column 16 is not UTF-8 (was the file saved in another encoding?); "
        "names, hosts and routes are plain ASCII\n"
        "f:2: control character 0x01 at column 17; a line holds printable characters and tabs "
        "only\n"
        "f:5: byte 0xC3 at column 19 is not UTF-8 (was the file saved in another encoding?); "
        "names, hosts and routes are plain ASCII\n"
        "f:6: control character 0x7F at column 17; a line holds printable characters and tabs "
        "only\n");
    ck_assert_str_eq(value_of(p, "worker.w.port"), "8009");
    ck_assert_ptr_null(jk_props_get(p, "worker.w.host"));
    /* Blanks around, a CR of a CRLF line included, are dropped before the bytes are looked at. */
    jk_props_add_line(p, "  worker.w.lbfactor=2\r", "f", 7);
    ck_assert_str_eq(value_of(p, "worker.w.lbfactor"), "2");
    ck_assert_int_eq(p->errors->nelts, 4);
}
END_TEST

START_TEST(test_list_item_place)
{
    jk_props *p = jk_props_create(pool);
    const char *file;
    int line;
    jk_props_add_line(p, "worker.list=a,b", "f", 1);
    jk_props_add_line(p, "worker.list=c,a", "g", 7);
    jk_props_item_place(pool, jk_props_get(p, "worker.list"), "a", 1, &file, &line);
    ck_assert_str_eq(file, "g");
    ck_assert_int_eq(line, 7);
    jk_props_item_place(pool, jk_props_get(p, "worker.list"), "b", 0, &file, &line);
    ck_assert_int_eq(line, 1);
    /* Not there: the property's first line. */
    jk_props_item_place(pool, jk_props_get(p, "worker.list"), "z", 0, &file, &line);
    ck_assert_str_eq(file, "f");
    ck_assert_int_eq(line, 1);
}
END_TEST

START_TEST(test_variable_use_is_recorded)
{
    jk_props *p = jk_props_create(pool);
    jk_props_add_line(p, "port=8010", "f", 1);
    jk_props_add_line(p, "other=1", "f", 2);
    jk_props_add_line(p, "worker.w.port=$(port)", "f", 3);
    ck_assert_int_eq(jk_props_get(p, "port")->used, 1);
    ck_assert_int_eq(jk_props_get(p, "other")->used, 0);
}
END_TEST

START_TEST(test_list_key_accumulates)
{
    const char *path = write_file("w.properties",
        "worker.list=a\n"
        "worker.list=b, c\n"
        "worker.lb.balance_workers=m1\n"
        "worker.lb.balance_workers=m2\n");
    jk_props *p = load(path);
    apr_array_header_t *items;

    ck_assert_str_eq(joined(p->errors), "");
    /* Accumulating is what list keys are for: no warning. */
    ck_assert_str_eq(joined(p->warnings), "");
    ck_assert_int_eq(p->items->nelts, 2);
    items = jk_props_split_list(pool, value_of(p, "worker.list"));
    ck_assert_int_eq(items->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(items, 0, const char *), "a");
    ck_assert_str_eq(APR_ARRAY_IDX(items, 1, const char *), "b");
    ck_assert_str_eq(APR_ARRAY_IDX(items, 2, const char *), "c");
    items = jk_props_split_list(pool, value_of(p, "worker.lb.balance_workers"));
    ck_assert_int_eq(items->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(items, 0, const char *), "m1");
    ck_assert_str_eq(APR_ARRAY_IDX(items, 1, const char *), "m2");
}
END_TEST

START_TEST(test_list_key_after_empty_value)
{
    const char *path = write_file("w.properties", "worker.list=\nworker.list=w1\n");
    jk_props *p = load(path);
    apr_array_header_t *items = jk_props_split_list(pool, value_of(p, "worker.list"));
    ck_assert_int_eq(items->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(items, 0, const char *), "w1");
}
END_TEST

START_TEST(test_unique_key_later_wins)
{
    const char *path = write_file("w.properties",
        "worker.list=w\n"
        "worker.w.port=8010\n"
        "worker.w.host=a\n"
        "\n"
        "worker.w.port=8011\n");
    jk_props *p = load(path);
    const jk_prop *prop = jk_props_get(p, "worker.w.port");

    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(prop->value, "8011");
    ck_assert_int_eq(prop->line, 5);
    ck_assert_int_eq(p->items->nelts, 3);
    ck_assert_str_eq(joined(p->warnings),
        apr_psprintf(pool, "%s:5: worker.w.port set again; this value replaces the one from %s:2\n",
                     path, path));
}
END_TEST

START_TEST(test_unique_key_repeated_across_files)
{
    const char *a = write_file("a.properties", "worker.w.port=8010\n");
    const char *b = write_file("b.properties", "# second file\nworker.w.port=8012\n");
    jk_props *p = jk_props_create(pool);
    jk_props_load_file(p, a);
    jk_props_load_file(p, b);
    ck_assert_str_eq(value_of(p, "worker.w.port"), "8012");
    ck_assert_str_eq(jk_props_get(p, "worker.w.port")->file, b);
    ck_assert_str_eq(joined(p->warnings),
        apr_psprintf(pool, "%s:2: worker.w.port set again; this value replaces the one from %s:1\n",
                     b, a));
}
END_TEST

START_TEST(test_variable_from_property)
{
    const char *path = write_file("w.properties",
        "base=/opt/tomcat\n"
        "backend=127.0.0.3\n"
        "worker.w.host=$(backend)\n"
        "worker.w.secret=$(base)/conf and $(backend)!\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(value_of(p, "worker.w.host"), "127.0.0.3");
    ck_assert_str_eq(value_of(p, "worker.w.secret"), "/opt/tomcat/conf and 127.0.0.3!");
}
END_TEST

START_TEST(test_variable_from_environment)
{
    const char *path;
    jk_props *p;

    ck_assert_int_eq(setenv("JK_TEST_BACKEND_HOST", "tomcat.example", 1), 0);
    path = write_file("w.properties", "worker.w.host=$(JK_TEST_BACKEND_HOST)\n"
                                      "worker.w.route=r-$(JK_TEST_BACKEND_HOST)-1\n");
    p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_str_eq(value_of(p, "worker.w.host"), "tomcat.example");
    ck_assert_str_eq(value_of(p, "worker.w.route"), "r-tomcat.example-1");
}
END_TEST

START_TEST(test_property_before_environment)
{
    const char *path;
    jk_props *p;

    ck_assert_int_eq(setenv("JK_TEST_PORT", "1111", 1), 0);
    path = write_file("w.properties", "JK_TEST_PORT=2222\nworker.w.port=$(JK_TEST_PORT)\n");
    p = load(path);
    ck_assert_str_eq(value_of(p, "worker.w.port"), "2222");
}
END_TEST

START_TEST(test_split_list)
{
    apr_array_header_t *a = jk_props_split_list(pool, "a,b c\td,,  e ,\t");
    ck_assert_int_eq(a->nelts, 5);
    ck_assert_str_eq(APR_ARRAY_IDX(a, 0, const char *), "a");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 1, const char *), "b");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 2, const char *), "c");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 3, const char *), "d");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 4, const char *), "e");
    ck_assert_int_eq(jk_props_split_list(pool, "")->nelts, 0);
    ck_assert_int_eq(jk_props_split_list(pool, NULL)->nelts, 0);
    ck_assert_int_eq(jk_props_split_list(pool, " ,\t, ")->nelts, 0);
    a = jk_props_split_list(pool, "single");
    ck_assert_int_eq(a->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(a, 0, const char *), "single");
}
END_TEST

START_TEST(test_is_list_key)
{
    ck_assert_int_eq(jk_props_is_list_key("worker.list"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.lb.balance_workers"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.lb.balanced_workers"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.w.mount"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.s.user"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.s.good"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.s.bad"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.w.fail_on_status"), 1);
    ck_assert_int_eq(jk_props_is_list_key("worker.w.port"), 0);
    ck_assert_int_eq(jk_props_is_list_key("worker.w.host"), 0);
    ck_assert_int_eq(jk_props_is_list_key("worker.w.user_case_insensitive"), 0);
    ck_assert_int_eq(jk_props_is_list_key("worker.listx"), 0);
    ck_assert_int_eq(jk_props_is_list_key("worker.maintain"), 0);
}
END_TEST

START_TEST(test_add_line_directly)
{
    /* JkWorkerProperty lines come with the httpd config's file and line. */
    jk_props *p = jk_props_create(pool);
    jk_props_add_line(p, "worker.w.port=8020", "/etc/httpd/conf/httpd.conf", 42);
    jk_props_add_line(p, "nonsense", "/etc/httpd/conf/httpd.conf", 43);
    ck_assert_str_eq(value_of(p, "worker.w.port"), "8020");
    ck_assert_str_eq(jk_props_get(p, "worker.w.port")->file, "/etc/httpd/conf/httpd.conf");
    ck_assert_int_eq(jk_props_get(p, "worker.w.port")->line, 42);
    ck_assert_str_eq(joined(p->errors),
                     "/etc/httpd/conf/httpd.conf:43: expected name=value, found 'nonsense'\n");
}
END_TEST

START_TEST(test_message_helpers)
{
    jk_props *p = jk_props_create(pool);
    jk_props_error(p, "f.properties", 3, "bad %s %d", "thing", 7);
    jk_props_error(p, "f.properties", 0, "whole file");
    jk_props_warning(p, "g.properties", 9, "careful");
    ck_assert_str_eq(joined(p->errors), "f.properties:3: bad thing 7\nf.properties: whole file\n");
    ck_assert_str_eq(joined(p->warnings), "g.properties:9: careful\n");
}
END_TEST

START_TEST(test_line_of_max_length)
{
    /* 8192 characters exactly, then a normal line: both are read. */
    char *line = apr_palloc(pool, 8192 + 1);
    const char *path;
    jk_props *p;

    memcpy(line, "worker.w.secret=", 16);
    memset(line + 16, 'x', 8192 - 16);
    line[8192] = '\0';
    path = write_file("w.properties", apr_pstrcat(pool, line, "\nworker.w.port=8010\n", NULL));
    p = load(path);
    ck_assert_str_eq(joined(p->errors), "");
    ck_assert_uint_eq(strlen(value_of(p, "worker.w.secret")), 8192 - 16);
    ck_assert_int_eq(jk_props_get(p, "worker.w.port")->line, 2);
}
END_TEST

/* --- bad input: exact messages --- */

START_TEST(test_bad_missing_file)
{
    const char *path = apr_pstrcat(pool, dir, "/no-such.properties", NULL);
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors),
                     apr_psprintf(pool, "%s: cannot open: No such file or directory\n", path));
}
END_TEST

START_TEST(test_bad_line_without_equals)
{
    const char *path = write_file("w.properties",
        "worker.list=w\n"
        "# fine so far\n"
        "garbage   # with a comment\n"
        "worker.w.port=8010\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors),
                     apr_psprintf(pool, "%s:3: expected name=value, found 'garbage'\n", path));
    /* Reading went on after the bad line. */
    ck_assert_str_eq(value_of(p, "worker.w.port"), "8010");
}
END_TEST

START_TEST(test_bad_empty_name)
{
    const char *path = write_file("w.properties", "=value\n   = x\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool,
        "%s:1: a property name is missing before '='\n"
        "%s:2: a property name is missing before '='\n", path, path));
    ck_assert_int_eq(p->items->nelts, 0);
}
END_TEST

START_TEST(test_bad_undefined_variable)
{
    const char *path;
    jk_props *p;

    unsetenv("JK_TEST_UNDEFINED");
    path = write_file("w.properties", "worker.list=w\nworker.w.host=$(JK_TEST_UNDEFINED)\n");
    p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool,
        "%s:2: $(JK_TEST_UNDEFINED) is neither an earlier property nor an environment variable\n",
        path));
    ck_assert_ptr_null(jk_props_get(p, "worker.w.host"));
}
END_TEST

START_TEST(test_bad_variable_defined_later)
{
    /* Only earlier properties count. */
    const char *path;
    jk_props *p;

    unsetenv("later");
    path = write_file("w.properties", "worker.w.host=$(later)\nlater=h\n");
    p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool,
        "%s:1: $(later) is neither an earlier property nor an environment variable\n", path));
}
END_TEST

START_TEST(test_bad_unterminated_variable)
{
    const char *path = write_file("w.properties", "worker.w.host=$(HOME\n");
    jk_props *p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool,
        "%s:1: unterminated '$(' in value '$(HOME'\n", path));
    ck_assert_ptr_null(jk_props_get(p, "worker.w.host"));
}
END_TEST

START_TEST(test_bad_second_variable_undefined)
{
    const char *path;
    jk_props *p;

    unsetenv("JK_TEST_NOPE");
    path = write_file("w.properties", "a=1\nworker.w.route=$(a)-$(JK_TEST_NOPE)\n");
    p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool,
        "%s:2: $(JK_TEST_NOPE) is neither an earlier property nor an environment variable\n",
        path));
}
END_TEST

START_TEST(test_bad_long_line)
{
    /* 8193 characters: one too many.  The lines after it keep their numbers. */
    char *line = apr_palloc(pool, 8193 + 1);
    const char *path;
    jk_props *p;

    memcpy(line, "worker.w.secret=", 16);
    memset(line + 16, 'x', 8193 - 16);
    line[8193] = '\0';
    path = write_file("w.properties",
                      apr_pstrcat(pool, "worker.list=w\n", line, "\nworker.w.port=8010\n", NULL));
    p = load(path);
    ck_assert_str_eq(joined(p->errors),
                     apr_psprintf(pool, "%s:2: line longer than 8192 characters\n", path));
    ck_assert_ptr_null(jk_props_get(p, "worker.w.secret"));
    ck_assert_str_eq(value_of(p, "worker.w.port"), "8010");
    ck_assert_int_eq(jk_props_get(p, "worker.w.port")->line, 3);
}
END_TEST

START_TEST(test_bad_very_long_line)
{
    /* Far longer than the buffer: still one error, and the next line is line 3. */
    apr_size_t n = 40000;
    char *line = apr_palloc(pool, n + 1);
    const char *path;
    jk_props *p;

    memset(line, 'y', n);
    line[n] = '\0';
    path = write_file("w.properties",
                      apr_pstrcat(pool, "worker.list=w\n", line, "\nworker.w.port=8010\n", NULL));
    p = load(path);
    ck_assert_str_eq(joined(p->errors),
                     apr_psprintf(pool, "%s:2: line longer than 8192 characters\n", path));
    ck_assert_int_eq(jk_props_get(p, "worker.w.port")->line, 3);
}
END_TEST

START_TEST(test_bad_all_problems_collected)
{
    const char *path;
    jk_props *p;

    unsetenv("JK_TEST_MISSING");
    path = write_file("w.properties",
        "worker.list=w\n"
        "oops\n"
        "=1\n"
        "worker.w.host=$(JK_TEST_MISSING)\n"
        "worker.w.port=8010\n"
        "worker.w.route=$(\n");
    p = load(path);
    ck_assert_str_eq(joined(p->errors), apr_psprintf(pool,
        "%s:2: expected name=value, found 'oops'\n"
        "%s:3: a property name is missing before '='\n"
        "%s:4: $(JK_TEST_MISSING) is neither an earlier property nor an environment variable\n"
        "%s:6: unterminated '$(' in value '$('\n",
        path, path, path, path));
    ck_assert_str_eq(value_of(p, "worker.w.port"), "8010");
}
END_TEST

static Suite *props_suite(void)
{
    Suite *s = suite_create("jk_props");
    TCase *tc;

    tc = tcase_create("good");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_basic_file);
    tcase_add_test(tc, test_load_file_return_value);
    tcase_add_test(tc, test_value_keeps_equals_sign);
    tcase_add_test(tc, test_hash_starts_comment_inside_value);
    tcase_add_test(tc, test_empty_value);
    tcase_add_test(tc, test_crlf_line_endings);
    tcase_add_test(tc, test_last_line_without_newline);
    tcase_add_test(tc, test_empty_file);
    tcase_add_test(tc, test_byte_order_mark);
    tcase_add_test(tc, test_bytes_that_are_not_utf8_or_control);
    tcase_add_test(tc, test_variable_use_is_recorded);
    tcase_add_test(tc, test_list_item_place);
    tcase_add_test(tc, test_list_key_accumulates);
    tcase_add_test(tc, test_list_key_after_empty_value);
    tcase_add_test(tc, test_unique_key_later_wins);
    tcase_add_test(tc, test_unique_key_repeated_across_files);
    tcase_add_test(tc, test_variable_from_property);
    tcase_add_test(tc, test_variable_from_environment);
    tcase_add_test(tc, test_property_before_environment);
    tcase_add_test(tc, test_split_list);
    tcase_add_test(tc, test_is_list_key);
    tcase_add_test(tc, test_add_line_directly);
    tcase_add_test(tc, test_message_helpers);
    tcase_add_test(tc, test_line_of_max_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bad_missing_file);
    tcase_add_test(tc, test_bad_line_without_equals);
    tcase_add_test(tc, test_bad_empty_name);
    tcase_add_test(tc, test_bad_undefined_variable);
    tcase_add_test(tc, test_bad_variable_defined_later);
    tcase_add_test(tc, test_bad_unterminated_variable);
    tcase_add_test(tc, test_bad_second_variable_undefined);
    tcase_add_test(tc, test_bad_long_line);
    tcase_add_test(tc, test_bad_very_long_line);
    tcase_add_test(tc, test_bad_all_problems_collected);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(props_suite, "jk_props");
}
