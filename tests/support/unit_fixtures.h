/*
 * unit_fixtures.h: the file fixtures the Check unit tests share.
 *
 * A run gets a temporary directory of its own (made and removed by unit_main()), each
 * test a directory below it (unit_make_dir()), so that file names are known and the
 * exact "file:line: message" texts can be asserted.  Files are written and read whole;
 * a test that captures mod_jk.log opens it with unit_open_log() and reads it back with
 * unit_read_file().  Every helper fails the test (ck_assert) when the file system does.
 */
#ifndef UNIT_FIXTURES_H
#define UNIT_FIXTURES_H

#include <apr_file_io.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <check.h>

/*
 * main() of a test program: APR, the run's directory ($TMPDIR/NAME_XXXXXX), the suite,
 * the directory removed (a failed test skips its teardown: this catches what it left).
 * Returns the exit status.
 */
int unit_main(Suite *(*make_suite)(void), const char *name);

/* A new directory below the run's, for one test. */
char *unit_make_dir(apr_pool_t *p);

/* Remove `path` and everything under it. */
void unit_remove_tree(apr_pool_t *p, const char *path);

/* Write `text` to dir/name (replacing it) and return the full path. */
const char *unit_write_file(apr_pool_t *p, const char *dir, const char *name, const char *text);

/* The whole file, NUL-terminated. */
char *unit_read_file(apr_pool_t *p, const char *path);

/* A log file to hand to jk_log_create(): created empty, appended to. */
apr_file_t *unit_open_log(apr_pool_t *p, const char *path);

/* All messages of an array, one a line, for comparing in one assertion. */
const char *unit_joined(apr_pool_t *p, const apr_array_header_t *a);

#endif
