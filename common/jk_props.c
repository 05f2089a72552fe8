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

/* The value of a $(name) reference: an earlier property, else the environment. */
static const char *lookup_variable(const jk_props *p, const char *name)
{
    const jk_prop *prop = jk_props_get(p, name);
    if (prop)
        return prop->value;
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

static void store(jk_props *p, const char *key, const char *value, const char *file, int line)
{
    jk_prop *old = find(p, key);
    jk_prop *prop;

    if (old && jk_props_is_list_key(key)) {
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
    apr_hash_set(p->index, prop->key, APR_HASH_KEY_STRING, (void *)(uintptr_t)p->items->nelts);
}

void jk_props_add_line(jk_props *p, const char *text, const char *file, int line)
{
    char *buf = apr_pstrdup(p->pool, text);
    char *hash = strchr(buf, '#');
    char *eq, *key, *value;

    if (hash)
        *hash = '\0';
    buf = trim(buf);
    if (*buf == '\0')
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

int jk_props_load_file(jk_props *p, const char *path)
{
    char errbuf[128], *data;
    apr_size_t len, start = 0;
    int before = p->errors->nelts, line = 0;
    const char *file = apr_pstrdup(p->pool, path);
    apr_status_t rv = slurp(p->pool, path, &data, &len);

    if (rv != APR_SUCCESS) {
        jk_props_error(p, file, 0, "cannot open: %s", apr_strerror(rv, errbuf, sizeof(errbuf)));
        return -1;
    }
    while (start < len) {
        char *nl = memchr(data + start, '\n', len - start);
        apr_size_t end = nl ? (apr_size_t)(nl - data) : len;
        add_file_line(p, data + start, end - start, file, ++line);
        start = end + 1;
    }
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
