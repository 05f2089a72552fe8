/*
 * jk_request_facts.c: what Tomcat is told about a request.
 *
 * The URI in the form JkOptions chooses, the client's and the server's addresses, TLS
 * facts (from mod_ssl, or from the Jk*Indicator variables when TLS ended in front of
 * httpd), the request headers, JkEnvVar attributes and the per-request reply timeout.
 * Only what httpd knows and the administrator's configuration go in; nothing a client
 * sends becomes an attribute.
 */
#include "mod_jk.h"

#include "http_core.h"
#include "http_protocol.h"
#include "apr_optional.h"
#include "apr_strings.h"

#include <limits.h>
#include <strings.h>

#include "jk_config.h"

APR_DECLARE_OPTIONAL_FN(int, ssl_is_https, (conn_rec *));
APR_DECLARE_OPTIONAL_FN(char *, ssl_var_lookup,
                        (apr_pool_t *, server_rec *, conn_rec *, request_rec *, char *));

static const char *const indicator_defaults[IND_COUNT] = {
    [IND_WORKER] = "JK_WORKER_NAME",
    [IND_HTTPS] = "HTTPS",
    [IND_SSL_PROTOCOL] = "SSL_PROTOCOL",
    [IND_CERTS] = "SSL_CLIENT_CERT",
    [IND_CIPHER] = "SSL_CIPHER",
    [IND_SESSION] = "SSL_SESSION_ID",
    [IND_KEY_SIZE] = "SSL_CIPHER_USEKEYSIZE",
    [IND_CERT_CHAIN_PREFIX] = "SSL_CLIENT_CERT_CHAIN_",
    [IND_REQUEST_ID] = "UNIQUE_ID",
    [IND_REMOTE_ADDR] = "JK_REMOTE_ADDR",
    [IND_REMOTE_PORT] = "JK_REMOTE_PORT",
    [IND_REMOTE_HOST] = "JK_REMOTE_HOST",
    [IND_REMOTE_USER] = "JK_REMOTE_USER",
    [IND_AUTH_TYPE] = "JK_AUTH_TYPE",
    [IND_LOCAL_NAME] = "JK_LOCAL_NAME",
    [IND_LOCAL_ADDR] = "JK_LOCAL_ADDR",
    [IND_LOCAL_PORT] = "JK_LOCAL_PORT",
    [IND_IGNORE_CL] = "JK_IGNORE_CL",
};

const char *jk_indicator_name(const jk_server_conf *c, jk_indicator i)
{
    return c->indicators[i] ? c->indicators[i] : indicator_defaults[i];
}

const char *jk_indicated(request_rec *r, const jk_server_conf *c, jk_indicator i)
{
    const char *v;
    /* Most requests have no environment variables at all: then nothing is looked up. */
    if (apr_is_empty_table(r->subprocess_env))
        return NULL;
    v = apr_table_get(r->subprocess_env, jk_indicator_name(c, i));
    return v && *v ? v : NULL;
}

/* The URI as JkOptions says to forward it: from the client's path, not the normalised one. */
static const char *forward_uri(request_rec *r, int options)
{
    const char *uri = apr_table_get(r->notes, JK_NOTE_ORIG_URI);
    if (uri == NULL)
        uri = r->uri;
    switch (options & JK_OPT_FWD_URI_MASK) {
    case JK_OPT_FWD_URI_COMPAT:
        return uri;
    case JK_OPT_FWD_URI_COMPAT_UNPARSED: {
        const char *q = strchr(r->unparsed_uri, '?');
        return q ? apr_pstrndup(r->pool, r->unparsed_uri, (apr_size_t)(q - r->unparsed_uri))
                 : r->unparsed_uri;
    }
    case JK_OPT_FWD_URI_ESCAPED:
        return ap_escape_uri(r->pool, uri);
    default:
        return jk_uri_encode_path(r->pool, uri);
    }
}

/* Request headers as they are (without Content-Length when told to ignore it), plus
 * Content-Length: 0 on every request without a body, whatever its method: mod_jk does so,
 * and applications behind it see getContentLength() == 0 rather than -1. */
static void collect_headers(request_rec *r, jk_service *s, int ignore_cl)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int add_zero_length = !ignore_cl && s->content_length == 0 &&
                          apr_table_get(r->headers_in, "Content-Length") == NULL;
    jk_header *h = apr_palloc(r->pool, sizeof(jk_header) * (apr_size_t)(arr->nelts + 1));
    int n = 0;

    for (int i = 0; i < arr->nelts; i++) {
        if (e[i].key == NULL || (ignore_cl && strcasecmp(e[i].key, "Content-Length") == 0))
            continue;
        h[n].name = e[i].key;
        h[n].value = e[i].val ? e[i].val : "";
        n++;
    }
    if (add_zero_length) {
        h[n].name = "Content-Length";
        h[n].value = "0";
        n++;
    }
    s->headers = h;
    s->num_headers = n;
}

static void collect_env_vars(request_rec *r, const jk_server_conf *c, jk_service *s)
{
    jk_header *a;
    int n = 0;
    if (c->env_vars->nelts == 0)
        return;
    a = apr_palloc(r->pool, sizeof(jk_header) * (apr_size_t)c->env_vars->nelts);
    for (int i = 0; i < c->env_vars->nelts; i++) {
        const jk_env_var *v = &APR_ARRAY_IDX(c->env_vars, i, jk_env_var);
        const char *value = apr_table_get(r->subprocess_env, v->name);
        if (value == NULL)
            value = v->default_value;
        if (value == NULL)
            continue;
        a[n].name = v->name;
        a[n].value = value;
        n++;
    }
    s->attributes = a;
    s->num_attributes = n;
}

static APR_OPTIONAL_FN_TYPE(ssl_is_https) *ssl_is_https_fn;
static APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *ssl_var_lookup_fn;

void jk_retrieve_ssl_functions(void)
{
    ssl_is_https_fn = APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);
    ssl_var_lookup_fn = APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);
}

static const char *mod_ssl_var(request_rec *r, const char *name)
{
    return ssl_var_lookup_fn(r->pool, r->server, r->connection, r, (char *)name);
}

static const char *env_var(request_rec *r, const char *name)
{
    return apr_table_get(r->subprocess_env, name);
}

/* ForwardSSLCertChain: the client's certificate, then the chain it sent (PEM after PEM). */
static const char *with_chain(request_rec *r, const char *cert, const char *prefix,
                              const char *(*get)(request_rec *, const char *))
{
    for (int i = 0; cert != NULL && i < 16; i++) {
        const char *next = get(r, apr_psprintf(r->pool, "%s%d", prefix, i));
        apr_size_t len = strlen(cert);
        if (next == NULL || *next == '\0')
            break;
        cert = apr_pstrcat(r->pool, cert, len > 0 && cert[len - 1] == '\n' ? "" : "\n", next,
                           NULL);
    }
    return cert;
}

/* The TLS facts of a TLS connection, from mod_ssl itself. */
static void tls_from_mod_ssl(request_rec *r, const jk_server_conf *conf, jk_service *s)
{
    const char *bits;
    s->is_ssl = 1;
    if (ssl_var_lookup_fn == NULL)
        return;
    s->ssl_cipher = mod_ssl_var(r, "SSL_CIPHER");
    s->ssl_session = mod_ssl_var(r, "SSL_SESSION_ID");
    s->ssl_protocol = mod_ssl_var(r, "SSL_PROTOCOL");
    s->ssl_cert = mod_ssl_var(r, "SSL_CLIENT_CERT");
    if (s->ssl_cert && *s->ssl_cert == '\0')
        s->ssl_cert = NULL;
    if (conf->options & JK_OPT_FWD_CERT_CHAIN)
        s->ssl_cert = with_chain(r, s->ssl_cert, "SSL_CLIENT_CERT_CHAIN_", mod_ssl_var);
    bits = mod_ssl_var(r, "SSL_CIPHER_USEKEYSIZE");
    if (bits && *bits)
        s->ssl_key_size = atoi(bits);
}

/* TLS that ended before httpd (a proxy or balancer in front): the facts its rules put into
 * the variables the Jk*Indicator directives name; HTTPS must say "on". */
static void tls_from_indicators(request_rec *r, const jk_server_conf *conf, jk_service *s)
{
    const char *https = jk_indicated(r, conf, IND_HTTPS), *bits;
    if (https == NULL || strcasecmp(https, "on") != 0)
        return;
    s->is_ssl = 1;
    s->ssl_cipher = jk_indicated(r, conf, IND_CIPHER);
    s->ssl_session = jk_indicated(r, conf, IND_SESSION);
    s->ssl_protocol = jk_indicated(r, conf, IND_SSL_PROTOCOL);
    s->ssl_cert = jk_indicated(r, conf, IND_CERTS);
    if (conf->options & JK_OPT_FWD_CERT_CHAIN)
        s->ssl_cert = with_chain(r, s->ssl_cert, jk_indicator_name(conf, IND_CERT_CHAIN_PREFIX),
                                 env_var);
    if ((bits = jk_indicated(r, conf, IND_KEY_SIZE)) != NULL)
        s->ssl_key_size = atoi(bits);
}

static void collect_tls(request_rec *r, const jk_server_conf *conf, jk_service *s)
{
    s->ssl_key_size = -1;
    if (conf->extract_ssl == 0)
        return;
    if (ssl_is_https_fn != NULL && ssl_is_https_fn(r->connection))
        tls_from_mod_ssl(r, conf, s);
    else
        tls_from_indicators(r, conf, s);
}

/* Jk{Remote,Local}*Indicator: what a proxy in front knows of the client and of the server. */
static void apply_address_indicators(request_rec *r, const jk_server_conf *c, jk_service *s)
{
    const char *v;
    int port;
    if ((v = jk_indicated(r, c, IND_REMOTE_ADDR)) != NULL)
        s->remote_addr = v;
    if ((v = jk_indicated(r, c, IND_REMOTE_PORT)) != NULL &&
        jk_config_parse_int(v, 0, 65535, &port) == 0)
        s->remote_port = port;
    if ((v = jk_indicated(r, c, IND_REMOTE_HOST)) != NULL)
        s->remote_host = v;
    if ((v = jk_indicated(r, c, IND_REMOTE_USER)) != NULL)
        s->remote_user = v;
    if ((v = jk_indicated(r, c, IND_AUTH_TYPE)) != NULL)
        s->auth_type = v;
    if ((v = jk_indicated(r, c, IND_LOCAL_NAME)) != NULL)
        s->server_name = v;
    if ((v = jk_indicated(r, c, IND_LOCAL_ADDR)) != NULL)
        s->local_addr = v;
    if ((v = jk_indicated(r, c, IND_LOCAL_PORT)) != NULL &&
        jk_config_parse_int(v, 0, 65535, &port) == 0)
        s->server_port = port;
}

/* JK_REPLY_TIMEOUT (ms), e.g. from SetEnvIf for a slow report page. */
static int reply_timeout_override(request_rec *r)
{
    const char *v = apr_table_get(r->subprocess_env, "JK_REPLY_TIMEOUT");
    int ms = 0;
    if (v && jk_config_parse_int(v, 1, INT_MAX, &ms) != 0)
        ms = 0;
    return ms;
}

void jk_collect_request_facts(request_rec *r, const jk_server_conf *c, jk_service *s)
{
    conn_rec *conn = r->connection;
    int physical = c->options & JK_OPT_FWD_PHYSICAL_ADDRESS, ignore_cl;

    s->method = r->method;
    s->protocol = r->protocol;
    s->uri = forward_uri(r, c->options);
    s->query_string = r->args;
    if (c->options & JK_OPT_FWD_LOCAL_ADDRESS) {
        s->remote_addr = conn->local_ip;
        s->remote_port = conn->local_addr->port;
    } else {
        s->remote_addr = physical ? conn->client_ip : r->useragent_ip;
        s->remote_port = physical ? conn->client_addr->port : r->useragent_addr->port;
    }
    s->remote_host = ap_get_remote_host(conn, r->per_dir_config, REMOTE_NAME, NULL);
    if (s->remote_host == NULL)
        s->remote_host = s->remote_addr;
    s->local_addr = conn->local_ip;
    s->server_name = ap_get_server_name(r);
    s->server_port = ap_get_server_port(r);
    s->remote_user = r->user;
    s->auth_type = r->ap_auth_type;
    apply_address_indicators(r, c, s);
    collect_tls(r, c, s);
    /* JkIgnoreCLIndicator: the body streams to its end, whatever Content-Length said (e.g.
     * when mod_deflate inflates it); Tomcat then gets no Content-Length either. */
    ignore_cl = jk_indicated(r, c, IND_IGNORE_CL) != NULL;
    s->content_length = ignore_cl || apr_table_get(r->headers_in, "Transfer-Encoding")
                            ? -1 : r->remaining;
    collect_headers(r, s, ignore_cl);
    collect_env_vars(r, c, s);
    s->reply_timeout = reply_timeout_override(r);
}
