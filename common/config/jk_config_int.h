/*
 * jk_config_int.h: what the files of the configuration builder share (private to them).
 *
 *   jk_config.c         the one table of keys (kinds, ranges, defaults), the value
 *                       parsers, a worker's defaults, and jk_config_build() itself
 *   jk_config_worker.c  reading one worker's keys, through its `reference` chain
 *   jk_config_check.c   every worker.* key checked, the errors and warnings with their
 *                       file:line, and the did-you-mean hints for worker names
 *   jk_config_lists.c   worker.list and each lb's balance_workers: the workers they
 *                       name, and the members' routes and redirects
 */
#ifndef JK_CONFIG_INT_H
#define JK_CONFIG_INT_H

#include "jk_config.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#define MAX_REFERENCE_DEPTH 20
#define WORKER_PREFIX "worker."
#define WORKER_PREFIX_LEN (sizeof(WORKER_PREFIX) - 1)

/* One jk_config_build() run: what it reads, and the config it fills in. */
typedef struct builder {
    apr_pool_t *pool;
    jk_props *props;
    jk_config *config;
} builder;

/* jk_config.c */
/* A per-worker key of the JNI worker, gone since mod_jk 1.2.x (warned about, ignored). */
int cfg_is_obsolete_jni_key(const char *name);
/* Levenshtein distance, capped: only small distances matter for suggestions. */
int cfg_edit_distance(const char *a, const char *b);
void cfg_apply_defaults(jk_worker_config *w);
/* Values whose default depends on others, as mod_jk computes them. */
void cfg_resolve_derived(jk_worker_config *w);

/* jk_config_worker.c */
const jk_prop *cfg_own_prop(builder *b, const char *worker, const char *key);
/* The property `key` of `worker`, or of the worker it references, recursively. */
const jk_prop *cfg_worker_prop(builder *b, const char *worker, const char *key);
/* A key, or its deprecated spelling. */
const jk_prop *cfg_worker_prop_any(builder *b, const char *worker, const char *key,
                                   const char *old_key);
int cfg_valid_worker_name(const char *name);
/* The worker `name` with its defaults and its keys; NULL (and an error) if it cannot be. */
jk_worker_config *cfg_build_worker(builder *b, const char *name, const char *file, int line);

/* jk_config_check.c */
/* "file:line: message" into the config's errors (warnings); line 0: "file: message". */
void error_at(builder *b, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void warn_at(builder *b, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void cfg_check_all_keys(builder *b);
void cfg_add_worker(builder *b, jk_worker_config *w);
int cfg_worker_has_keys(builder *b, const char *name);
/* Names joined with ", ". */
const char *cfg_join_names(apr_pool_t *pool, const apr_array_header_t *names);
/* For a worker name that has no keys: the closest defined one(s), else all of them. */
const char *cfg_worker_hint(builder *b, const char *name);

/* jk_config_lists.c */
void cfg_build_listed_workers(builder *b);
void cfg_build_all_lb_members(builder *b);

#endif
