/* config_fixture.h: the jk_config tests' workers file, its build, and their assertions. */
#ifndef CONFIG_FIXTURE_H
#define CONFIG_FIXTURE_H

/*
 * Unit tests for jk_config, the workers.properties validator.
 *
 * Every fixture is a real file in a temporary directory of the test's own,
 * read with jk_props_load_file() and then given to jk_config_build(), so the
 * exact "file:line: message" texts can be asserted.
 */
#include "jk_config.h"

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

extern apr_pool_t *pool;
extern const char *wpath; /* the workers file of the current test */

/* Every TCase's checked fixture: a pool and a directory of the test's own. */
void setup(void);
void teardown(void);

/* Write `text` as workers.properties, read it and build the config. */
jk_config *build(const char *text);

/* All messages of an array, one a line. */
const char *joined(const apr_array_header_t *a);

/* "<workers file>:<line>: <msg>\n" */
const char *at(int line, const char *msg);

/* The built worker of that name; fails the test, with the errors, if there is none. */
const jk_worker_config *worker(const jk_config *c, const char *name);

/* Every default of an ajp13 worker that no key changed. */
void assert_ajp_defaults(const jk_worker_config *w);

/* The topics, one TCase each. */
TCase *config_values_tcase(void);
TCase *config_lists_tcase(void);
TCase *config_errors_tcase(void);
TCase *config_lb_status_tcase(void);
TCase *config_examples_tcase(void);

#endif
