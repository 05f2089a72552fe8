/*
 * jk_props.c: the workers.properties reader (see jk_props.h): lines, comments,
 * $(name) substitution, list keys that accumulate, file:line for every property.
 */
#include "jk_props.h"

#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static const char *const list_key_suffixes[] = {
    "list", "balance_workers", "balanced_workers", "mount", "user", "good", "bad",
    "fail_on_status", NULL
};

jk_props *jk_props_create(apr_pool_t *pool)
{
    jk_props *p = apr_pcalloc(pool, sizeof(*p));
    p->pool = pool;
    p->items = apr_array_make(pool, 64, sizeof(jk_prop));
    p->index = apr_hash_make(pool);
    p->errors = apr_array_make(pool, 4, sizeof(const char *));
    p->warnings = apr_array_make(pool, 4, sizeof(const char *));
    return p;
}

static void add_message(jk_props *p, apr_array_header_t *to, const char *file, int line,
                        const char *fmt, va_list ap)
{
    const char *msg = apr_pvsprintf(p->pool, fmt, ap);
    APR_ARRAY_PUSH(to, const char *) = line > 0
        ? apr_psprintf(p->pool, "%s:%d: %s", file, line, msg)
        : apr_psprintf(p->pool, "%s: %s", file, msg);
}

void jk_props_error(jk_props *p, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_message(p, p->errors, file, line, fmt, ap);
    va_end(ap);
}

void jk_props_warning(jk_props *p, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_message(p, p->warnings, file, line, fmt, ap);
    va_end(ap);
}

int jk_props_is_list_key(const char *key)
{
    const char *last = strrchr(key, '.');
    last = last ? last + 1 : key;
    for (int i = 0; list_key_suffixes[i]; i++)
        if (strcmp(last, list_key_suffixes[i]) == 0)
            return 1;
    return 0;
}

/*
 * The index maps a key to its position in `items` (plus one), not to the element
 * itself: the array moves when it grows, and a pointer kept in the hash would then
 * point at a stale copy.
 */
static jk_prop *find(const jk_props *p, const char *key)
{
    apr_size_t i = (apr_size_t)(uintptr_t)apr_hash_get(p->index, key, APR_HASH_KEY_STRING);
    return i ? &APR_ARRAY_IDX(p->items, i - 1, jk_prop) : NULL;
}

const jk_prop *jk_props_get(const jk_props *p, const char *key)
{
    return find(p, key);
}

static char *trim(char *s)
{
    char *end;
    while (apr_isspace(*s))
        s++;
    end = s + strlen(s);
    while (end > s && apr_isspace(end[-1]))
        *--end = '\0';
    return s;
}

/* The value of a $(name) reference: an earlier property (now used), else the environment. */
static const char *lookup_variable(jk_props *p, const char *name)
{
    jk_prop *prop = find(p, name);
    if (prop) {
        prop->used = 1;
        return prop->value;
    }
    return getenv(name);
}

/* Replace every $(name) in `value`; NULL (and an error) when one is undefined. */
static const char *substitute(jk_props *p, const char *value, const char *file, int line)
{
    const char *start = strstr(value, "$(");
    const char *end, *replacement;
    char *name;

    if (start == NULL)
        return value;
    end = strchr(start + 2, ')');
    if (end == NULL) {
        jk_props_error(p, file, line, "unterminated '$(' in value '%s'", value);
        return NULL;
    }
    name = apr_pstrndup(p->pool, start + 2, (apr_size_t)(end - start - 2));
    replacement = lookup_variable(p, name);
    if (replacement == NULL) {
        jk_props_error(p, file, line,
                       "$(%s) is neither an earlier property nor an environment variable", name);
        return NULL;
    }
    /* The rest may hold more references; a replacement is not scanned again. */
    {
        const char *rest = substitute(p, end + 1, file, line);
        if (rest == NULL)
            return NULL;
        return apr_pstrcat(p->pool, apr_pstrndup(p->pool, value, (apr_size_t)(start - value)),
                           replacement, rest, NULL);
    }
}

/* Remember which line gave which part of a list key (its first line too, the first time). */
static void add_part(jk_props *p, jk_prop *prop, const char *value, const char *file, int line)
{
    jk_prop_part *part;
    if (prop->parts == NULL) {
        prop->parts = apr_array_make(p->pool, 2, sizeof(jk_prop_part));
        part = apr_array_push(prop->parts);
        part->value = prop->value;
        part->file = prop->file;
        part->line = prop->line;
    }
    part = apr_array_push(prop->parts);
    part->value = apr_pstrdup(p->pool, value);
    part->file = file;
    part->line = line;
}

void jk_props_item_place(apr_pool_t *pool, const jk_prop *p, const char *item, int occurrence,
                         const char **file, int *line)
{
    *file = p->file;
    *line = p->line;
    for (int i = 0; p->parts && i < p->parts->nelts; i++) {
        const jk_prop_part *part = &APR_ARRAY_IDX(p->parts, i, jk_prop_part);
        apr_array_header_t *items = jk_props_split_list(pool, part->value);
        for (int j = 0; j < items->nelts; j++)
            if (strcmp(APR_ARRAY_IDX(items, j, const char *), item) == 0 && occurrence-- == 0) {
                *file = part->file;
                *line = part->line;
                return;
            }
    }
}

static void store(jk_props *p, const char *key, const char *value, const char *file, int line)
{
    jk_prop *old = find(p, key);
    jk_prop *prop;

    if (old && jk_props_is_list_key(key)) {
        add_part(p, old, value, file, line);
        old->value = *old->value ? apr_pstrcat(p->pool, old->value, ",", value, NULL)
                                 : apr_pstrdup(p->pool, value);
        return;
    }
    if (old) {
        jk_props_warning(p, file, line, "%s set again; this value replaces the one from %s:%d",
                         key, old->file, old->line);
        old->value = apr_pstrdup(p->pool, value);
        old->file = file;
        old->line = line;
        return;
    }
    prop = apr_array_push(p->items);
    prop->key = apr_pstrdup(p->pool, key);
    prop->value = apr_pstrdup(p->pool, value);
    prop->file = file;
    prop->line = line;
    prop->used = 0;
    prop->parts = NULL;
    apr_hash_set(p->index, prop->key, APR_HASH_KEY_STRING, (void *)(uintptr_t)p->items->nelts);
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 when it is not one. */
static apr_size_t utf8_length(const unsigned char *s, apr_size_t n)
{
    apr_size_t need;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 1;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 2;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 3;
    else
        return 0;
    if (need >= n)
        return 0;
    for (apr_size_t k = 1; k <= need; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return need + 1;
}

/*
 * A byte no editor shows as the user meant it: not UTF-8 (a file saved in another
 * encoding), or a control character other than tab (a paste from a terminal).  Such a
 * byte ends up in a host, route or secret and nothing matches it.  Returns 0 when clean.
 */
static int check_bytes(jk_props *p, const char *line_start, const char *text, const char *file,
                       int line)
{
    const unsigned char *s = (const unsigned char *)text;
    apr_size_t n = strlen(text), column = (apr_size_t)(text - line_start) + 1;
    for (apr_size_t i = 0; i < n;) {
        apr_size_t len = utf8_length(s + i, n - i);
        if (len == 0) {
            jk_props_error(p, file, line, "byte 0x%02X at column %lu is not UTF-8 (was the file "
                           "saved in another encoding?); names, hosts and routes are plain ASCII",
                           s[i], (unsigned long)(column + i));
            return -1;
        }
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F) {
            jk_props_error(p, file, line, "control character 0x%02X at column %lu; a line holds "
                           "printable characters and tabs only", s[i], (unsigned long)(column + i));
            return -1;
        }
        i += len;
    }
    return 0;
}

void jk_props_add_line(jk_props *p, const char *text, const char *file, int line)
{
    char *start = apr_pstrdup(p->pool, text);
    char *hash = strchr(start, '#');
    char *buf, *eq, *key, *value;

    if (hash)
        *hash = '\0';
    buf = trim(start);
    if (*buf == '\0')
        return;
    /* Comments and the blanks around may hold anything; the rest becomes names and values. */
    if (check_bytes(p, start, buf, file, line) != 0)
        return;
    eq = strchr(buf, '=');
    if (eq == NULL) {
        jk_props_error(p, file, line, "expected name=value, found '%s'", buf);
        return;
    }
    *eq = '\0';
    key = trim(buf);
    value = trim(eq + 1);
    if (*key == '\0') {
        jk_props_error(p, file, line, "a property name is missing before '='");
        return;
    }
    if ((value = (char *)substitute(p, value, file, line)) == NULL)
        return;
    store(p, key, value, file, line);
}

/* The whole file in memory, NUL-terminated; *len excludes the terminator. */
static apr_status_t slurp(apr_pool_t *pool, const char *path, char **data, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t finfo;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, pool);
    if (rv != APR_SUCCESS)
        return rv;
    if ((rv = apr_file_info_get(&finfo, APR_FINFO_SIZE, f)) == APR_SUCCESS) {
        *len = (apr_size_t)finfo.size;
        *data = apr_palloc(pool, *len + 1);
        rv = *len ? apr_file_read_full(f, *data, *len, len) : APR_SUCCESS;
        (*data)[*len] = '\0';
    }
    apr_file_close(f);
    return rv;
}

/* One line of the file: refused when too long or when it holds a NUL byte. */
static void add_file_line(jk_props *p, char *text, apr_size_t len, const char *file, int line)
{
    if (len > 0 && text[len - 1] == '\r')
        len--;
    if (len > JK_PROPS_MAX_LINE) {
        jk_props_error(p, file, line, "line longer than %d characters", JK_PROPS_MAX_LINE);
        return;
    }
    if (memchr(text, '\0', len)) {
        jk_props_error(p, file, line, "the line holds a NUL byte");
        return;
    }
    text[len] = '\0';
    jk_props_add_line(p, text, file, line);
}

#define UTF8_BOM "\xEF\xBB\xBF"

/* mod_jk reads a byte order mark as part of the first name: refuse it, then read on without it. */
static apr_size_t skip_bom(jk_props *p, const char *data, apr_size_t len, const char *file)
{
    if (len < 3 || memcmp(data, UTF8_BOM, 3) != 0)
        return 0;
    jk_props_error(p, file, 1, "the file starts with a UTF-8 byte order mark, which mod_jk reads "
                   "as part of the first line; save the file without it (as UTF-8 without BOM, "
                   "or plain ASCII)");
    return 3;
}

/* Does the line hold more than blanks and a comment? */
static int has_content(const char *text, apr_size_t len)
{
    apr_size_t i = 0;
    while (i < len && apr_isspace(text[i]))
        i++;
    return i < len && text[i] != '#';
}

/* An empty file (or comments only) is a file someone meant to fill: a wrong path, a failed copy. */
static void check_not_empty(jk_props *p, const char *file, int content_lines)
{
    if (content_lines == 0)
        jk_props_error(p, file, 1, "the file sets no property (empty, or comments only): is "
                       "JkWorkersFile the right file?");
}

int jk_props_load_file(jk_props *p, const char *path)
{
    char errbuf[128], *data;
    apr_size_t len, start;
    int before = p->errors->nelts, line = 0, content_lines = 0;
    const char *file = apr_pstrdup(p->pool, path);
    apr_status_t rv = slurp(p->pool, path, &data, &len);

    if (rv != APR_SUCCESS) {
        jk_props_error(p, file, 0, "cannot open: %s", apr_strerror(rv, errbuf, sizeof(errbuf)));
        return -1;
    }
    start = skip_bom(p, data, len, file);
    while (start < len) {
        char *nl = memchr(data + start, '\n', len - start);
        apr_size_t end = nl ? (apr_size_t)(nl - data) : len;
        content_lines += has_content(data + start, end - start);
        add_file_line(p, data + start, end - start, file, ++line);
        start = end + 1;
    }
    check_not_empty(p, file, content_lines);
    return p->errors->nelts == before ? 0 : -1;
}

apr_array_header_t *jk_props_split_list(apr_pool_t *pool, const char *value)
{
    apr_array_header_t *out = apr_array_make(pool, 4, sizeof(const char *));
    char *copy = apr_pstrdup(pool, value ? value : "");
    char *state, *tok;
    for (tok = apr_strtok(copy, ", \t", &state); tok; tok = apr_strtok(NULL, ", \t", &state))
        APR_ARRAY_PUSH(out, const char *) = tok;
    return out;
}
