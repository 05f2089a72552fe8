/*
 * unit_fixtures.c: the file fixtures the Check unit tests share (see unit_fixtures.h):
 * temporary directories, whole files written and read, a captured log, joined messages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkdtemp */
#endif

#include "unit_fixtures.h"

#include <apr_file_info.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The run's directory, made by unit_main() before any test forks. */
static char *run_dir;

int unit_main(Suite *(*make_suite)(void), const char *name)
{
    SRunner *sr;
    int failed;
    apr_pool_t *main_pool;
    const char *tmp;

    if (apr_initialize() != APR_SUCCESS) {
        fprintf(stderr, "apr_initialize failed\n");
        return EXIT_FAILURE;
    }
    apr_pool_create(&main_pool, NULL);
    if (apr_temp_dir_get(&tmp, main_pool) != APR_SUCCESS ||
        mkdtemp(run_dir = apr_pstrcat(main_pool, tmp, "/", name, "_XXXXXX", NULL)) == NULL) {
        fprintf(stderr, "cannot make a temporary directory\n");
        return EXIT_FAILURE;
    }
    sr = srunner_create(make_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    unit_remove_tree(main_pool, run_dir);
    apr_pool_destroy(main_pool);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *unit_make_dir(apr_pool_t *p)
{
    char *dir;
    ck_assert_ptr_nonnull(run_dir);
    dir = apr_pstrcat(p, run_dir, "/test_XXXXXX", NULL);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

void unit_remove_tree(apr_pool_t *p, const char *path)
{
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv;
    if (apr_dir_open(&d, path, p) != APR_SUCCESS)
        return;
    while ((rv = apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d)) == APR_SUCCESS ||
           rv == APR_INCOMPLETE) {
        const char *child;
        if (strcmp(fi.name, ".") == 0 || strcmp(fi.name, "..") == 0)
            continue;
        child = apr_pstrcat(p, path, "/", fi.name, NULL);
        if ((fi.valid & APR_FINFO_TYPE) && fi.filetype == APR_DIR)
            unit_remove_tree(p, child);
        else if (apr_file_remove(child, p) != APR_SUCCESS)
            unit_remove_tree(p, child);
    }
    apr_dir_close(d);
    apr_dir_remove(path, p);
}

const char *unit_write_file(apr_pool_t *p, const char *dir, const char *name, const char *text)
{
    const char *path = apr_pstrcat(p, dir, "/", name, NULL);
    apr_file_t *f;
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE |
                                   APR_FOPEN_TRUNCATE | APR_FOPEN_BINARY,
                                   APR_FPROT_OS_DEFAULT, p), APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(f, text, strlen(text), NULL), APR_SUCCESS);
    apr_file_close(f);
    return path;
}

char *unit_read_file(apr_pool_t *p, const char *path)
{
    apr_file_t *f;
    apr_finfo_t fi;
    char *text;
    apr_size_t n;

    ck_assert_msg(apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT,
                                p) == APR_SUCCESS,
                  "cannot open %s", path);
    ck_assert_int_eq(apr_file_info_get(&fi, APR_FINFO_SIZE, f), APR_SUCCESS);
    n = (apr_size_t)fi.size;
    text = apr_palloc(p, n + 1);
    if (n)
        ck_assert_int_eq(apr_file_read_full(f, text, n, NULL), APR_SUCCESS);
    text[n] = '\0';
    apr_file_close(f);
    return text;
}

apr_file_t *unit_open_log(apr_pool_t *p, const char *path)
{
    apr_file_t *f;
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE |
                                   APR_FOPEN_APPEND | APR_FOPEN_TRUNCATE | APR_FOPEN_BINARY,
                                   APR_FPROT_OS_DEFAULT, p), APR_SUCCESS);
    return f;
}

const char *unit_joined(apr_pool_t *p, const apr_array_header_t *a)
{
    const char *out = "";
    for (int i = 0; i < a->nelts; i++)
        out = apr_pstrcat(p, out, APR_ARRAY_IDX(a, i, const char *), "\n", NULL);
    return out;
}
