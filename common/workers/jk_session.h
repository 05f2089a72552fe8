/*
 * jk_session: the session ids a request carries, and the route in each.
 *
 * Candidates come first from the path parameter (";jsessionid=ID" in any
 * segment, or the configured session_path), then from every cookie named
 * session_cookie, in the order they appear.  The route is what follows the
 * first '.' of an id ("ABC.worker2" -> "worker2"); an id without one, or with
 * nothing after it, has no route.
 */
#ifndef JK_SESSION_H
#define JK_SESSION_H

#include "jk_service.h"

#include <apr_tables.h>

/* Session ids in the order they should be tried (const char *). */
apr_array_header_t *jk_session_ids(apr_pool_t *pool, const char *uri, const jk_header *headers,
                                   int num_headers, const char *cookie_name,
                                   const char *path_param);
/* The route of a session id, or NULL. */
const char *jk_session_route(const char *session_id);

#endif
