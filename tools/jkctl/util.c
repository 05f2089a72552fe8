/*
 * util.c: small helpers every command uses: strings, lists, worker types, whole files
 * read into memory and split into lines.
 */
#include "jkctl.h"

int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *place(apr_pool_t *p, const char *file, int line)
{
    return line > 0 ? apr_psprintf(p, "%s:%d", file, line) : file;
}

/* Items (const char *) joined by `sep`. */
const char *join(apr_pool_t *p, const apr_array_header_t *items, const char *sep)
{
    const char *out = "";
    for (int i = 0; i < items->nelts; i++)
        out = apr_pstrcat(p, out, i ? sep : "", APR_ARRAY_IDX(items, i, const char *), NULL);
    return out;
}

void push_str(apr_array_header_t *a, const char *s)
{
    APR_ARRAY_PUSH(a, const char *) = s;
}

const char *type_name(jk_worker_type t)
{
    return t == JK_TYPE_LB ? "lb" : t == JK_TYPE_STATUS ? "status" : "ajp13";
}

unsigned type_bit(jk_worker_type t)
{
    return t == JK_TYPE_LB ? JK_APPLIES_LB : t == JK_TYPE_STATUS ? JK_APPLIES_STATUS
                                                                  : JK_APPLIES_AJP;
}

const char *applies_text(apr_pool_t *p, unsigned applies, const char *sep)
{
    apr_array_header_t *t = apr_array_make(p, 3, sizeof(const char *));
    if (applies & JK_APPLIES_AJP)
        push_str(t, "ajp13");
    if (applies & JK_APPLIES_LB)
        push_str(t, "lb");
    if (applies & JK_APPLIES_STATUS)
        push_str(t, "status");
    return join(p, t, sep);
}

/* A whole file in memory, NUL-terminated; APR_EOF on a short read is fine. */
apr_status_t read_whole_file(apr_pool_t *p, const char *path, char **data, apr_size_t *size)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS)
        return rv;
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
    if (rv == APR_SUCCESS && fi.filetype != APR_REG)
        rv = APR_EINVAL;
    *size = 0;
    if (rv == APR_SUCCESS) {
        *data = apr_palloc(p, (apr_size_t)fi.size + 1);
        if (fi.size > 0)
            rv = apr_file_read_full(f, *data, (apr_size_t)fi.size, size);
        if (rv == APR_EOF)
            rv = APR_SUCCESS;
        (*data)[*size] = '\0';
    }
    apr_file_close(f);
    return rv;
}

/* Lines as jk_props counts them: split at '\n', without the '\r' before it. */
apr_array_header_t *split_lines(apr_pool_t *p, const char *data, apr_size_t size)
{
    apr_array_header_t *lines = apr_array_make(p, 64, sizeof(const char *));
    const char *end = data + size;
    for (const char *s = data; s < end;) {
        const char *nl = memchr(s, '\n', (apr_size_t)(end - s));
        const char *stop = nl ? nl : end;
        apr_size_t n = (apr_size_t)(stop - s);
        if (n > 0 && s[n - 1] == '\r')
            n--;
        push_str(lines, apr_pstrndup(p, s, n));
        s = nl ? nl + 1 : end;
    }
    return lines;
}

const char *error_text(apr_pool_t *p, apr_status_t rv)
{
    char buf[120];
    return apr_pstrdup(p, apr_strerror(rv, buf, sizeof(buf)));
}

const char *members_text(apr_pool_t *p, const apr_array_header_t *members)
{
    apr_array_header_t *names = apr_array_make(p, 4, sizeof(const char *));
    for (int i = 0; members && i < members->nelts; i++)
        push_str(names, APR_ARRAY_IDX(members, i, jk_worker_config *)->name);
    return names->nelts ? join(p, names, ",") : NULL;
}
