/*
 * jk_props: the workers.properties reader.
 *
 * Reads `name=value` lines as mod_jk does: `#` starts a comment anywhere,
 * whitespace around names and values is dropped, `$(name)` is replaced by an
 * earlier property or else an environment variable, list keys (worker.list,
 * balance_workers, mount, ...) accumulate when repeated and other keys are
 * overwritten (with a warning).  Every property remembers its file and line so
 * that later validation can say `file:line: what is wrong`.  Reading never
 * stops at the first problem: all of them are collected in `errors`.
 */
#ifndef JK_PROPS_H
#define JK_PROPS_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>

/* One line's share of a list key that is set on several lines. */
typedef struct jk_prop_part {
    const char *value;
    const char *file;
    int line;
} jk_prop_part;

typedef struct jk_prop {
    const char *key;
    const char *value;
    const char *file;   /* for a list key: its first line */
    int line;
    int used;           /* some $(key) took its value */
    apr_array_header_t *parts; /* jk_prop_part; NULL until a list key is set again */
} jk_prop;

typedef struct jk_props {
    apr_pool_t *pool;
    apr_array_header_t *items;    /* jk_prop, in first-seen order */
    apr_hash_t *index;            /* key -> jk_prop* */
    apr_array_header_t *errors;   /* const char *, "file:line: message" */
    apr_array_header_t *warnings; /* const char *, same form */
} jk_props;

#define JK_PROPS_MAX_LINE 8192

jk_props *jk_props_create(apr_pool_t *pool);
/*
 * Read a whole file; problems go to props->errors.  Returns 0 when none were added, else -1.
 * A byte order mark, and a file that sets no property at all, are errors.
 */
int jk_props_load_file(jk_props *p, const char *path);
/* Read one line (from a file, or a JkWorkerProperty directive).  Bytes that are not UTF-8,
 * and control characters other than tab, are errors (outside comments). */
void jk_props_add_line(jk_props *p, const char *text, const char *file, int line);
const jk_prop *jk_props_get(const jk_props *p, const char *key);
/* Is `key` one whose repeated values accumulate?  Decided by its last component. */
int jk_props_is_list_key(const char *key);

/* Record a problem, formatted as "file:line: message". */
void jk_props_error(jk_props *p, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void jk_props_warning(jk_props *p, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Where the `occurrence`-th (from 0) `item` of list property `p` was written, so that a
 * message about one item of a list set on several lines names its own line.  Falls back to
 * the property's first line.
 */
void jk_props_item_place(apr_pool_t *pool, const jk_prop *p, const char *item, int occurrence,
                         const char **file, int *line);

/* Split a list value on commas, spaces and tabs; empty items are dropped. */
apr_array_header_t *jk_props_split_list(apr_pool_t *pool, const char *value);

#endif
