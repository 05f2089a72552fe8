/*
 * Fuzz target: workers.properties, read line by line and validated.
 *
 * Input: the text of a workers.properties file.  It is split on '\n' and each
 * line goes to jk_props_add_line() with the fake file name "fuzz.properties"
 * and its line number, as JkWorkersFile and JkWorkerProperty do; then
 * jk_config_build() validates the whole.  No length limit is applied to a
 * line (JkWorkerProperty lines do not go through the file reader's 8192
 * limit), and NUL bytes end a line early, as they would in the module.
 *
 * Checked, for any bytes: no memory error, no undefined behaviour, every
 * message starts with its file ("fuzz.properties:", or "workers.properties:"
 * for the default worker when there is no worker.list), every
 * property can be found again by its key, and every string of every worker
 * is readable.  For a configuration without errors (the only kind workers are
 * made from): every listed worker exists, ports and packet sizes are in
 * range, every lb has members that are distinct ajp13 workers with distinct
 * routes, and every worker built is either listed or a member of an lb.
 * The value parsers shared with directive parsing are also run on every
 * value, and their results checked against their ranges.
 *
 * The same bytes are also read as a file with jk_props_load_file() (from a
 * memfd, so no disk is touched): it must give the same properties, line for
 * line, as adding the lines one by one, except that each line longer than
 * JK_PROPS_MAX_LINE is one error at its own line number and adds nothing
 * ("a line longer than the limit is an error, not two lines"), and that the
 * file as a whole may be refused once more: a byte order mark (then skipped),
 * or no property at all.
 *
 * Open finding (tag "props-moved-items", see docs/fuzzing.md): the key index
 * points into the items array, which moves when it grows past 64 properties;
 * a key set again after that updates a copy the validation never sees.
 *
 * Open finding (tag "props-long-line-nul", see docs/fuzzing.md): a NUL byte in
 * a line longer than the limit fools the file reader's strlen()/strchr(): the
 * rest of that line is read as further lines, or the next line is skipped.
 */
#include "fuzz_common.h"

#include "jk_config.h"
#include "jk_props.h"

#include <apr_hash.h>
#include <apr_strings.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FAKE_FILE "fuzz.properties"

static void check_messages(const apr_array_header_t *msgs, const char *what)
{
    for (int i = 0; i < msgs->nelts; i++) {
        const char *msg = APR_ARRAY_IDX(msgs, i, const char *);
        FUZZ_CHECK(msg != NULL, "%s %d is NULL", what, i);
        fuzz_touch_str(msg);
        /* Without worker.list, the default worker is placed in "workers.properties". */
        FUZZ_CHECK(strncmp(msg, FAKE_FILE ":", sizeof(FAKE_FILE)) == 0 ||
                       strncmp(msg, "workers.properties:", 19) == 0,
                   "%s without its file name: '%s'", what, msg);
    }
}

static void check_props(const jk_props *p)
{
    for (int i = 0; i < p->items->nelts; i++) {
        const jk_prop *prop = &APR_ARRAY_IDX(p->items, i, jk_prop);
        size_t klen;
        FUZZ_CHECK(prop->key && prop->value && prop->file, "property %d has a NULL field", i);
        klen = fuzz_touch_str(prop->key);
        fuzz_touch_str(prop->value);
        FUZZ_CHECK(klen > 0, "property %d has an empty key", i);
        FUZZ_CHECK(prop->line > 0, "property %s has line %d", prop->key, prop->line);
        FUZZ_CHECK(strchr(prop->key, '#') == NULL && strchr(prop->key, '=') == NULL,
                   "key '%s' kept a comment or '='", prop->key);
        if (!fuzz_ignored("props-moved-items"))
            FUZZ_CHECK(jk_props_get(p, prop->key) == prop, "property '%s' not found by its key",
                       prop->key);
        (void)jk_props_is_list_key(prop->key);
    }
    check_messages(p->errors, "props error");
    check_messages(p->warnings, "props warning");
}

/* The public value parsers, on one value: results must respect their ranges. */
static void check_value_parsers(apr_pool_t *pool, const char *value)
{
    int b = -7, v = -7;
    jk_activation a;
    jk_lb_method meth;
    apr_array_header_t *items = jk_props_split_list(pool, value);

    if (jk_config_parse_bool(value, &b) == 0)
        FUZZ_CHECK(b == 0 || b == 1, "parse_bool('%s') gave %d", value, b);
    if (jk_config_parse_int(value, -999, 999, &v) == 0)
        FUZZ_CHECK(v >= -999 && v <= 999, "parse_int('%s') gave %d", value, v);
    if (jk_config_parse_int(value, 1, 65536, &v) == 0) {
        int rounded = jk_config_round_packet_size(v);
        FUZZ_CHECK(rounded >= 8192 && rounded <= 65536 && rounded % 1024 == 0 && rounded >= v,
                   "round_packet_size(%d) = %d", v, rounded);
    }
    if (jk_config_parse_int(value, INT_MIN, INT_MAX, &v) == 0)
        (void)v;
    if (jk_config_parse_activation(value, &a) == 0)
        FUZZ_CHECK((unsigned)a <= JK_ACTIVATION_STOPPED && strcmp(jk_config_activation_name(a), "?"),
                   "activation %d", (int)a);
    if (jk_config_parse_method(value, &meth) == 0)
        FUZZ_CHECK((unsigned)meth <= JK_LB_METHOD_BUSYNESS && strcmp(jk_config_method_name(meth), "?"),
                   "method %d", (int)meth);
    for (int i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);
        FUZZ_CHECK(item[0] != '\0' && strpbrk(item, ", \t") == NULL,
                   "split_list item '%s' is empty or holds a separator", item);
    }
}

static void check_strings(const jk_worker_config *w)
{
    const char *always[] = { w->name, w->file, w->host, w->route, w->domain, w->redirect,
                             w->session_cookie, w->session_path, w->good, w->bad, w->prefix,
                             w->ns, w->xmlns };
    const char *maybe[] = { w->secret, w->source, w->css, w->doctype };
    for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
        FUZZ_CHECK(always[i] != NULL, "worker %s: string field %zu is NULL", w->name, i);
        fuzz_touch_str(always[i]);
    }
    for (size_t i = 0; i < sizeof(maybe) / sizeof(maybe[0]); i++)
        if (maybe[i])
            fuzz_touch_str(maybe[i]);
    if (w->users)
        for (int i = 0; i < w->users->nelts; i++)
            fuzz_touch_str(APR_ARRAY_IDX(w->users, i, const char *));
    FUZZ_CHECK(w->ignored_keys != NULL, "worker %s: ignored_keys is NULL", w->name);
    for (int i = 0; i < w->ignored_keys->nelts; i++)
        fuzz_touch_str(APR_ARRAY_IDX(w->ignored_keys, i, const char *));
    if (w->fail_on_status)
        for (int i = 0; i < w->fail_on_status->nelts; i++) {
            int code = APR_ARRAY_IDX(w->fail_on_status, i, int);
            int mag = code < 0 ? -code : code;
            FUZZ_CHECK(mag >= 100 && mag <= 999, "worker %s: fail_on_status %d", w->name, code);
        }
}

static int is_member(const jk_config *c, const jk_worker_config *w)
{
    for (int i = 0; i < c->workers->nelts; i++) {
        const jk_worker_config *lb = APR_ARRAY_IDX(c->workers, i, const jk_worker_config *);
        if (lb->type != JK_TYPE_LB || lb->members == NULL)
            continue;
        for (int j = 0; j < lb->members->nelts; j++)
            if (APR_ARRAY_IDX(lb->members, j, const jk_worker_config *) == w)
                return 1;
    }
    return 0;
}

/* Properties of a configuration that jk_config_build() accepted. */
static void check_valid_config(const jk_config *c)
{
    FUZZ_CHECK(c->list != NULL && c->list->nelts > 0, "no worker.list in a valid config");
    FUZZ_CHECK(c->maintain >= 0, "maintain %d", c->maintain);
    for (int i = 0; i < c->list->nelts; i++) {
        const char *name = APR_ARRAY_IDX(c->list, i, const char *);
        const jk_worker_config *w = jk_config_find(c, name);
        FUZZ_CHECK(w != NULL, "listed worker '%s' was not built", name);
        FUZZ_CHECK(w->mountable, "listed worker '%s' is not mountable", name);
    }
    for (int i = 0; i < c->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(c->workers, i, const jk_worker_config *);
        FUZZ_CHECK(w->mountable || is_member(c, w), "worker %s is neither listed nor a member",
                   w->name);
        if (w->type == JK_TYPE_AJP13) {
            FUZZ_CHECK(w->port >= 1 && w->port <= 65535, "worker %s: port %d", w->name, w->port);
            FUZZ_CHECK(w->max_packet_size >= 8192 && w->max_packet_size <= 65536 &&
                       w->max_packet_size % 1024 == 0,
                       "worker %s: max_packet_size %d", w->name, w->max_packet_size);
            FUZZ_CHECK(w->host[0] != '\0', "worker %s: empty host", w->name);
            FUZZ_CHECK(w->socket_connect_timeout >= 0 && w->connection_acquire_timeout >= 0 &&
                       w->connection_ping_interval >= 0,
                       "worker %s: a derived timeout is negative", w->name);
        }
        if (w->type != JK_TYPE_LB)
            continue;
        FUZZ_CHECK(w->members != NULL && w->members->nelts > 0, "lb %s without members",
                   w->name);
        for (int j = 0; j < w->members->nelts; j++) {
            const jk_worker_config *m = APR_ARRAY_IDX(w->members, j, const jk_worker_config *);
            FUZZ_CHECK(m != NULL && m != w, "lb %s: member %d is NULL or itself", w->name, j);
            FUZZ_CHECK(m->type == JK_TYPE_AJP13, "lb %s: member %s has type %d", w->name,
                       m->name, (int)m->type);
            FUZZ_CHECK(jk_config_find(c, m->name) == m, "lb %s: member %s not in by_name",
                       w->name, m->name);
            for (int k = j + 1; k < w->members->nelts; k++) {
                const jk_worker_config *o = APR_ARRAY_IDX(w->members, k, const jk_worker_config *);
                FUZZ_CHECK(o != m, "lb %s: member %s twice", w->name, m->name);
                FUZZ_CHECK(strcmp(o->route, m->route) != 0, "lb %s: members %s and %s share "
                           "route '%s'", w->name, m->name, o->name, m->route);
            }
        }
    }
}

static void check_config(const jk_props *p, const jk_config *c)
{
    FUZZ_CHECK(c != NULL && c->workers && c->by_name && c->errors && c->warnings,
               "jk_config_build returned an incomplete config");
    FUZZ_CHECK(c->errors->nelts >= p->errors->nelts, "config lost errors of the reader");
    check_messages(c->errors, "config error");
    check_messages(c->warnings, "config warning");
    for (int i = 0; i < c->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(c->workers, i, const jk_worker_config *);
        FUZZ_CHECK(w != NULL && w->name != NULL, "worker %d is NULL", i);
        FUZZ_CHECK(jk_config_find(c, w->name) == w, "worker %s not found by name", w->name);
        FUZZ_CHECK((unsigned)w->type <= JK_TYPE_STATUS, "worker %s: type %d", w->name,
                   (int)w->type);
        FUZZ_CHECK(strlen(w->name) <= JK_MAX_NAME_LEN, "worker name '%s' too long", w->name);
        check_strings(w);
    }
    if (c->errors->nelts == 0)
        check_valid_config(c);
}

/* The input as a file: a memfd, reopened through /proc. NULL when that is not possible. */
static const char *as_file(const uint8_t *data, size_t size)
{
    static int fd = -2;
    static char path[64];
    if (fd == -2) {
        fd = memfd_create("fuzz_props", 0);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (fd >= 0 && access(path, R_OK) != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0 || ftruncate(fd, 0) != 0)
        return NULL;
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            return NULL;
        done += (size_t)n;
    }
    return path;
}

/* Refusals of the file as a whole, which the line API cannot see: a BOM, no property at all. */
static int whole_file_errors(apr_pool_t *pool, const jk_props *p, const char *path)
{
    const char *bom = apr_pstrcat(pool, path, ":1: the file starts with a UTF-8 byte order mark",
                                  NULL);
    const char *empty = apr_pstrcat(pool, path, ":1: the file sets no property", NULL);
    int n = 0;
    /* By their start: a line's own message may quote these words, but never begins with them. */
    for (int i = 0; i < p->errors->nelts; i++) {
        const char *msg = APR_ARRAY_IDX(p->errors, i, const char *);
        n += strncmp(msg, bom, strlen(bom)) == 0 || strncmp(msg, empty, strlen(empty)) == 0;
    }
    return n;
}

/* jk_props_load_file() on the same bytes against line-by-line reading (see the top). */
static void check_file_reader(apr_pool_t *pool, const uint8_t *data, size_t size)
{
    const char *path = as_file(data, size);
    jk_props *by_line = jk_props_create(pool), *by_file;
    /* The file reader refuses a byte order mark, then reads on without it. */
    size_t bom = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    fuzz_input in = { data + bom, size - bom };
    char *line;
    int number = 0, long_lines = 0, rv;
    size_t plen;

    if (path == NULL)
        return;
    if (fuzz_ignored("props-long-line-nul")) {
        /* Skip inputs with a NUL in an over-long line: the reader splits or merges those. */
        fuzz_input scan = { data, size };
        while (scan.n) {
            const uint8_t *nl = memchr(scan.p, '\n', scan.n);
            size_t len = nl ? (size_t)(nl - scan.p) : scan.n;
            if (len > JK_PROPS_MAX_LINE && memchr(scan.p, '\0', len))
                return;
            scan.p += nl ? len + 1 : len;
            scan.n -= nl ? len + 1 : len;
        }
    }
    plen = strlen(path);
    by_file = jk_props_create(pool);
    rv = jk_props_load_file(by_file, path);
    FUZZ_CHECK(rv == (by_file->errors->nelts ? -1 : 0), "load_file returned %d with %d errors",
               rv, by_file->errors->nelts);
    while (in.n) {
        const uint8_t *nl = memchr(in.p, '\n', in.n);
        size_t len = nl ? (size_t)(nl - in.p) : in.n;
        /* The reader drops one '\r' before the newline, then measures the line. */
        size_t text_len = len > 0 && in.p[len - 1] == '\r' ? len - 1 : len;
        int has_nul = text_len > 0 && memchr(in.p, 0, text_len) != NULL;
        number++;
        line = fuzz_field(&in, pool, '\n');
        if (has_nul && text_len <= JK_PROPS_MAX_LINE) {
            /* The file reader refuses such a line (the line-by-line API cannot see the NUL). */
            const char *want = apr_psprintf(pool, "%s:%d: the line holds a NUL byte", path, number);
            int found = 0;
            for (int i = 0; i < by_file->errors->nelts && !found; i++)
                found = strcmp(APR_ARRAY_IDX(by_file->errors, i, const char *), want) == 0;
            FUZZ_CHECK(found, "line %d holds a NUL but was not refused", number);
            long_lines++; /* counted with the lines the file reader refuses on its own */
            continue;
        }
        if (text_len > JK_PROPS_MAX_LINE) {
            const char *want = apr_psprintf(pool, "%s:%d: line longer than", path, number);
            int found = 0;
            long_lines++;
            for (int i = 0; i < by_file->errors->nelts && !found; i++)
                found = strncmp(APR_ARRAY_IDX(by_file->errors, i, const char *), want,
                                strlen(want)) == 0;
            FUZZ_CHECK(found, "line %d of %zu bytes was not reported as too long", number, len);
            continue;
        }
        jk_props_add_line(by_line, line, FAKE_FILE, number);
    }
    FUZZ_CHECK(by_file->items->nelts == by_line->items->nelts,
               "the file gives %d properties, its lines %d", by_file->items->nelts,
               by_line->items->nelts);
    for (int i = 0; i < by_line->items->nelts; i++) {
        const jk_prop *a = &APR_ARRAY_IDX(by_file->items, i, jk_prop);
        const jk_prop *b = &APR_ARRAY_IDX(by_line->items, i, jk_prop);
        FUZZ_CHECK(strcmp(a->key, b->key) == 0 && strcmp(a->value, b->value) == 0 &&
                       a->line == b->line,
                   "property %d: file gives %s=%.40s (line %d), lines give %s=%.40s (line %d)",
                   i, a->key, a->value, a->line, b->key, b->value, b->line);
        FUZZ_CHECK(strncmp(a->file, path, plen) == 0, "property %s has file %s", a->key, a->file);
    }
    FUZZ_CHECK(by_file->errors->nelts == by_line->errors->nelts + long_lines +
                   whole_file_errors(pool, by_file, path),
               "the file gives %d errors, its lines %d plus %d too long plus %d for the file",
               by_file->errors->nelts, by_line->errors->nelts, long_lines,
               whole_file_errors(pool, by_file, path));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_begin();
    jk_props *props = jk_props_create(pool);
    fuzz_input in = { data, size };
    jk_config *config;
    char *line;
    int number = 0;

    while ((line = fuzz_field(&in, pool, '\n')) != NULL)
        jk_props_add_line(props, line, FAKE_FILE, ++number);
    check_props(props);
    check_file_reader(pool, data, size);
    for (int i = 0; i < props->items->nelts; i++) {
        const jk_prop *prop = &APR_ARRAY_IDX(props->items, i, jk_prop);
        const char *dot = strrchr(prop->key, '.');
        check_value_parsers(pool, prop->value);
        /* jk_config_suggest() runs inside jk_config_build() for every unknown worker key. */
        (void)jk_config_key(dot ? dot + 1 : prop->key);
    }
    config = jk_config_build(pool, props);
    check_config(props, config);
    fuzz_pool_end(pool);
    return 0;
}
