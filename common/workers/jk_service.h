/*
 * jk_service: one client request as the core sees it.
 *
 * This is the seam between httpd and the server-independent core: mod_jk.c
 * fills a jk_service from request_rec and gives it callbacks; workers and the
 * AJP codec see nothing else.  Unit tests build a jk_service by hand.
 */
#ifndef JK_SERVICE_H
#define JK_SERVICE_H

#include <apr_pools.h>
#include <apr_errno.h>
#include <apr_time.h>

typedef struct jk_header {
    const char *name;
    const char *value;
} jk_header;

typedef struct jk_service jk_service;

/* Callbacks into the web server.  Each returns APR_SUCCESS or the client-side error. */
typedef struct jk_service_io {
    /* Read up to `want` bytes of the request body (de-chunked); *got == 0 means end. */
    apr_status_t (*read_body)(jk_service *s, char *buf, apr_size_t want, apr_size_t *got);
    apr_status_t (*start_response)(jk_service *s, int status, const char *reason,
                                   const jk_header *headers, int num_headers);
    apr_status_t (*write_body)(jk_service *s, const char *buf, apr_size_t len);
    /* Push what was written so far to the client. */
    apr_status_t (*flush)(jk_service *s);
    /*
     * Forget a response whose headers (and perhaps some body) were given but of which
     * nothing has reached the client yet, so that another backend can answer instead.
     * NULL when the web server cannot hold a response: then the headers count as sent.
     */
    void (*discard)(jk_service *s);
} jk_service_io;

struct jk_service {
    apr_pool_t *pool;               /* the request's pool */
    const char *method;
    const char *protocol;
    const char *uri;                /* as it is to be forwarded, path only */
    const char *query_string;       /* without '?', NULL when absent */
    const char *remote_addr;
    const char *remote_host;
    int remote_port;
    const char *local_addr;
    const char *server_name;
    int server_port;
    int is_ssl;
    const char *ssl_cert;           /* NULL when absent */
    const char *ssl_cipher;
    const char *ssl_session;
    const char *ssl_protocol;
    int ssl_key_size;               /* -1 when unknown */
    const char *remote_user;
    const char *auth_type;
    const jk_header *headers;
    int num_headers;
    const jk_header *attributes;    /* configured request attributes (JkEnvVar) */
    int num_attributes;
    /* Request body length: -1 when unknown (chunked), 0 when there is none. */
    apr_off_t content_length;
    const char *route;              /* set by an lb worker for the member it chose */
    const char *activation;         /* ACT, DIS or STP: that member's; NULL: ACT */
    int disable_reuse;              /* close the backend connection after this request */
    int single_attempt;             /* an lb has other members: do not retry a refused connect */
    int reply_timeout;              /* ms for this request (JK_REPLY_TIMEOUT); 0: the worker's */

    /* Per-request overrides from the mount rule's extensions (NULL / -1: not set). */
    int sticky_ignore;              /* 1: do not route by session */
    const char *session_cookie;
    const char *session_path;
    const char *members_active;     /* lb member names whose activation is overridden */
    const char *members_disabled;
    const char *members_stopped;
    const void *fail_on_status;     /* apr_array_header_t of int, replacing the worker's */

    /*
     * Replay state, kept across backends so that an lb can send the request
     * again: the first body chunk is read once and kept; once a backend has
     * asked for more body, the request can no longer be replayed.
     */
    int first_chunk_read;
    char *first_chunk;
    apr_size_t first_chunk_len;
    int body_streamed;

    const jk_service_io *io;
    void *ctx;                      /* the web server's own request object */

    /* Filled in while the request runs. */
    int response_started;           /* something reached the client: no other backend may answer */
    int response_status;            /* the backend's status, 0 until its headers came */
    apr_off_t bytes_read;           /* request body bytes read from the client */
    apr_off_t bytes_written;        /* response body bytes written to the client */
    int backend_refused;            /* the AJP connector itself refused it (wrong secret) */
    const char *member;             /* the ajp13 worker that served it (for an lb: the member) */
    const char *first_member;       /* an lb's first choice, when it failed over */
    int failovers;                  /* members tried after the first */
    /* When the last attempt sent the request, and when its first reply bytes came
     * (0: not yet): what the JK_TIME_* notes are made of.  sent_at is taken for an lb's
     * member (its stall watch needs it) or when want_times says a log prints them. */
    int want_times;
    apr_time_t sent_at;
    apr_time_t first_byte_at;
};

/* Methods that may be sent again after a backend may have seen them (RFC 9110 9.2.2). */
int jk_service_is_idempotent(const jk_service *s);

#endif
