/*
 * jk_uri_map: which worker serves a URI (JkMount / JkUnMount rules).
 *
 * Patterns are case-sensitive; `*` matches any run of characters (slashes
 * included) and `?` exactly one.  A pattern ending in a slash and a star also
 * matches the path without that slash: the rule for /app/ plus star covers /app.  Rules are tried
 * exact ones first, then those with more slashes, then longer ones; the first
 * match wins unless an exclusion (JkUnMount, or "!" in a mount file) for the
 * same worker, or for "*", also matches.
 *
 * Matching is done on a normalised path (jk_uri_normalize): the form Tomcat
 * will resolve, so that no spelling of a URI escapes an exclusion.
 */
#ifndef JK_URI_MAP_H
#define JK_URI_MAP_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>

/* Where a rule comes from; a later source wins ties, as in mod_jk. */
typedef enum jk_rule_source {
    JK_RULE_FROM_PROPERTIES = 1,
    JK_RULE_FROM_JKMOUNT = 2,
    JK_RULE_FROM_MOUNTFILE = 3
} jk_rule_source;

/* Rule extensions (";name=value" after the worker): per-rule overrides. */
typedef struct jk_rule_ext {
    int reply_timeout;          /* ms; 0: the worker's */
    int sticky_ignore;          /* -1: the lb's setting */
    int stateless;              /* -1: not set */
    int use_server_errors;      /* 0: off; else statuses >= this use httpd's error pages */
    const char *active;         /* lb member lists overriding activation, or NULL */
    const char *disabled;
    const char *stopped;
    const char *fail_on_status; /* overrides the worker's list, or NULL */
    const char *session_cookie; /* NULL: the lb's */
    const char *session_path;
    int set_session_cookie;     /* -1: not set (accepted, not acted on) */
} jk_rule_ext;

typedef struct jk_uri_rule {
    const char *pattern;
    const char *worker;
    const jk_rule_ext *ext;     /* NULL when the rule has none */
    int disabled;               /* "-pattern" in a mount file: kept, never matched */
    int rank;                   /* position after sorting: lower wins */
    int exclude;
    int exact;           /* no wildcard in the pattern */
    int slashes;
    apr_size_t len;
    jk_rule_source source;
    const char *file;    /* where it was written, for messages */
    int line;
} jk_uri_rule;

typedef struct jk_uri_map {
    apr_array_header_t *rules;  /* jk_uri_rule, sorted by jk_uri_map_prepare() */
    /*
     * Index built by prepare: rules whose first path segment is literal, by that
     * segment; the others (a wildcard in the first segment) in `general`.
     * Matching looks only at the two short lists, so 1,000 rules cost little.
     */
    apr_hash_t *by_segment;     /* segment -> apr_array_header_t of int (rule index) */
    apr_array_header_t *general;
    apr_pool_t *pool;
} jk_uri_map;

jk_uri_map *jk_uri_map_create(apr_pool_t *pool);
jk_uri_map *jk_uri_map_copy(apr_pool_t *pool, const jk_uri_map *from);
/* Add a rule; returns NULL or an error message (pattern not starting with '/', ...). */
const char *jk_uri_map_add(jk_uri_map *m, apr_pool_t *pool, const char *pattern,
                           const char *worker, int exclude, jk_rule_source source,
                           const char *file, int line);
/*
 * Add a rule as users write it: "[!|-]pattern" and "worker[;ext=value...]".
 * "X|Y" adds X and XY.  Returns NULL or an error, an unknown extension included
 * (mod_jk only warns; here the rule would act unlike what was written).  `warnings`
 * receives nothing now; it stays for the callers until this module is split.
 */
const char *jk_uri_map_add_spec(jk_uri_map *m, apr_pool_t *pool, const char *pattern,
                                const char *worker_spec, jk_rule_source source, const char *file,
                                int line, apr_array_header_t *warnings);
/*
 * Read a uriworkermap.properties file (JkMountFile): "[!|-]pattern=worker[;ext]"
 * lines, '#' comments.  Problems go to `errors` as "file:line: message".
 * Returns 0 when it found none, else -1.
 */
int jk_uri_map_load_file(jk_uri_map *m, apr_pool_t *pool, const char *path,
                         apr_array_header_t *errors, apr_array_header_t *warnings);
/* Append all rules of `from` (JkMountCopy). */
void jk_uri_map_merge(jk_uri_map *m, const jk_uri_map *from);
/* Sort the rules by precedence; call once after the last add. */
void jk_uri_map_prepare(jk_uri_map *m);
/* The rule that serves a normalised path, or NULL. */
const jk_uri_rule *jk_uri_map_find(const jk_uri_map *m, const char *path);
/* The worker for a normalised path, or NULL. */
const char *jk_uri_map_match(const jk_uri_map *m, const char *path);

int jk_uri_wildcard_match(const char *pattern, const char *text);

typedef enum jk_normalize_result {
    JK_NORMALIZE_OK = 0,
    JK_NORMALIZE_BAD = -1       /* traversal above the root, or not a path: answer 400 */
} jk_normalize_result;

/*
 * Normalise a decoded path as Tomcat resolves it: drop ";params" from every
 * segment, collapse "//", remove "/./", resolve "/x/../".
 */
jk_normalize_result jk_uri_normalize(apr_pool_t *pool, const char *path, char **out);

/* Percent-encode what may not appear raw in a path (keeps '/' and ';'). */
char *jk_uri_encode_path(apr_pool_t *pool, const char *path);

#endif
