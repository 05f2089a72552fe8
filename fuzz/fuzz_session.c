/*
 * Fuzz target: session ids from the URI path parameter and Cookie headers,
 * and the route in each id (what sticky load balancing acts on).
 *
 * Input: byte 0 picks the cookie name and the path parameter name, the rest
 * is split on '\n'.  Line 0 is the URI.  Every further line is a request
 * header "Name: value" (split at the first ':', one leading space dropped);
 * a line without ':' is a "Cookie" header with the whole line as value.
 *   byte 0 bits 0-2: cookie name  JSESSIONID, jsessionid, "" (none), NULL
 *                    (none), SID, or (5-7) the value of the last header line
 *   byte 0 bits 3-5: path param   ;jsessionid, jsessionid, "" (none), ";",
 *                    ;sid, or (5-7) the name of the last header line
 *   byte 0 bit 6:    the URI is NULL
 *
 * Checked: no memory error; every id is non-empty, is found in the URI or in
 * a Cookie header value, and holds none of the bytes that end an id (';' and
 * '?' and '/' for path ids, ';' and ',' for cookie ids); the route of an id is
 * NULL or the non-empty text after the id's first '.'.
 */
#include "fuzz_common.h"

#include "jk_service.h"
#include "jk_session.h"

#include <apr_strings.h>
#include <string.h>
#include <strings.h>

#define MAX_HEADERS 32

static void check_route(const char *id)
{
    const char *route = jk_session_route(id);
    const char *dot = strchr(id, '.');
    if (dot == NULL || dot[1] == '\0') {
        FUZZ_CHECK(route == NULL, "id '%s' without a route gave route '%s'", id, route);
        return;
    }
    FUZZ_CHECK(route == dot + 1, "id '%s': route %p, expected the text after the first '.'", id,
               (const void *)route);
}

static int found_in_cookies(const char *id, const jk_header *h, int n)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(h[i].name, "Cookie") == 0 && strstr(h[i].value, id) != NULL &&
            strpbrk(id, ";,") == NULL)
            return 1;
    return 0;
}

static int found_in_uri(const char *id, const char *uri)
{
    return uri && strstr(uri, id) != NULL && strpbrk(id, ";?/") == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cookie_names[] = { "JSESSIONID", "jsessionid", "", NULL, "SID" };
    static const char *const path_params[] = { ";jsessionid", "jsessionid", "", ";", ";sid" };
    apr_pool_t *pool;
    fuzz_input in;
    jk_header headers[MAX_HEADERS];
    int num_headers = 0;
    unsigned sel_cookie, sel_param;
    const char *uri, *cookie_name, *path_param;
    char *line;
    apr_array_header_t *ids;

    if (size < 1)
        return 0;
    pool = fuzz_pool_begin();
    in = (fuzz_input){ data + 1, size - 1 };
    sel_cookie = data[0] & 7;
    sel_param = (data[0] >> 3) & 7;
    uri = fuzz_field(&in, pool, '\n');
    if (uri == NULL || (data[0] & 0x40))
        uri = NULL;
    while (num_headers < MAX_HEADERS && (line = fuzz_field(&in, pool, '\n')) != NULL) {
        char *colon = strchr(line, ':');
        jk_header *h = &headers[num_headers++];
        if (colon == NULL) {
            h->name = "Cookie";
            h->value = line;
            continue;
        }
        *colon = '\0';
        h->name = line;
        h->value = colon[1] == ' ' ? colon + 2 : colon + 1;
    }
    if (sel_cookie < 5)
        cookie_name = cookie_names[sel_cookie];
    else
        cookie_name = num_headers ? headers[num_headers - 1].value : "JSESSIONID";
    if (sel_param < 5)
        path_param = path_params[sel_param];
    else
        path_param = num_headers ? headers[num_headers - 1].name : ";jsessionid";

    ids = jk_session_ids(pool, uri, headers, num_headers, cookie_name, path_param);
    FUZZ_CHECK(ids != NULL, "jk_session_ids returned NULL");
    for (int i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        FUZZ_CHECK(id != NULL, "id %d is NULL", i);
        FUZZ_CHECK(fuzz_touch_str(id) > 0, "id %d is empty", i);
        FUZZ_CHECK(found_in_uri(id, uri) || found_in_cookies(id, headers, num_headers),
                   "id '%s' is in neither the URI nor a Cookie header, or holds a separator", id);
        check_route(id);
    }
    FUZZ_CHECK(jk_session_route(NULL) == NULL && jk_session_route("") == NULL &&
                   jk_session_route("a.") == NULL,
               "a route for an id that has none");
    fuzz_pool_end(pool);
    return 0;
}
