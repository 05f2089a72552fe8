/*
 * jk_session.c: a request's session ids, from the path parameter and the cookies,
 * and the route in each (see jk_session.h).
 */
#include "jk_session.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>
#include <strings.h>

static void add_id(apr_pool_t *pool, apr_array_header_t *ids, const char *start, apr_size_t len)
{
    /* Quoted cookie values are allowed ("ID"). */
    if (len >= 2 && start[0] == '"' && start[len - 1] == '"') {
        start++;
        len -= 2;
    }
    if (len > 0)
        APR_ARRAY_PUSH(ids, const char *) = apr_pstrndup(pool, start, len);
}

/* ";jsessionid=ID" anywhere in the path; the id ends at ';', '?', '/' or the end. */
static void ids_from_path(apr_pool_t *pool, apr_array_header_t *ids, const char *uri,
                          const char *param)
{
    apr_size_t n = strlen(param);
    const char *p = uri;
    if (n == 0 || uri == NULL)
        return;
    while ((p = strstr(p, param)) != NULL) {
        p += n;
        if (*p != '=')
            continue;
        p++;
        add_id(pool, ids, p, strcspn(p, ";?/"));
    }
}

static int is_cookie_separator(char c)
{
    return c == ';' || c == ',' || apr_isspace(c);
}

/* Every value of cookie `name` in one Cookie header. */
static void ids_from_cookie_header(apr_pool_t *pool, apr_array_header_t *ids, const char *value,
                                   const char *name)
{
    apr_size_t n = strlen(name);
    for (const char *p = value; (p = strstr(p, name)) != NULL; p += n) {
        const char *v;
        if (p != value && !is_cookie_separator(p[-1]))
            continue;
        v = p + n;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v != '=')
            continue;
        v++;
        while (*v == ' ' || *v == '\t')
            v++;
        add_id(pool, ids, v, strcspn(v, ";,"));
    }
}

apr_array_header_t *jk_session_ids(apr_pool_t *pool, const char *uri, const jk_header *headers,
                                   int num_headers, const char *cookie_name,
                                   const char *path_param)
{
    apr_array_header_t *ids = apr_array_make(pool, 2, sizeof(const char *));
    ids_from_path(pool, ids, uri, path_param);
    if (cookie_name == NULL || *cookie_name == '\0')
        return ids;
    for (int i = 0; i < num_headers; i++)
        if (strcasecmp(headers[i].name, "Cookie") == 0)
            ids_from_cookie_header(pool, ids, headers[i].value, cookie_name);
    return ids;
}

const char *jk_session_route(const char *session_id)
{
    const char *dot = session_id ? strchr(session_id, '.') : NULL;
    return dot && dot[1] ? dot + 1 : NULL;
}
