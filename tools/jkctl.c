/*
 * jkctl: check, explain and try out a mod_jk configuration without starting httpd.
 *
 * The tool links the module's own reader, validator, URI mapper and session
 * parser (common/), so what it reports is what the module will do:
 *
 *   check  every error and warning of workers.properties, uriworkermap.properties
 *          and the Jk directives of httpd.conf, as `file:line`, plus warnings for
 *          settings that are valid but almost certainly wrong;
 *   show   every worker's effective settings after `reference` and $(var), and
 *          where each value comes from;
 *   map    which rule and which worker serve a URL, and for an lb worker which
 *          member a session sticks to;
 *   keys   the workers.properties keys the module knows.
 *
 * It reads only what httpd would read and never connects to anything.  The
 * httpd.conf reader understands just what decides mapping: the Jk directives,
 * <VirtualHost> with ServerName/ServerAlias, <Location>, Include and Define.
 */
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_fnmatch.h>
#include <apr_general.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jk_config.h"
#include "jk_props.h"
#include "jk_service.h"
#include "jk_session.h"
#include "jk_uri_map.h"

#ifdef PACKAGE_VERSION
#define JKCTL_VERSION PACKAGE_VERSION
#else
#define JKCTL_VERSION "0.1.0"
#endif

/* Exit statuses (also in jkctl.1). */
#define EXIT_CLEAN 0
#define EXIT_WARNINGS 1     /* check --strict: warnings only; map: not forwarded */
#define EXIT_ERRORS 2       /* the configuration has errors: httpd would not start */
#define EXIT_USAGE 64

#define UNSET -1
#define WORKER_PREFIX "worker."
#define WORKER_PREFIX_LEN (sizeof(WORKER_PREFIX) - 1)
#define MAX_REFERENCE_DEPTH 20      /* as the validator (jk_config.c) */
#define MAX_INCLUDE_DEPTH 16
#define COMMAND_LINE "(command line)"

/* The module's directives (native/apache2/mod_jk.c); a test keeps the two lists equal. */
static const char *const module_directives[] = {
    "JkWorkersFile", "JkWorkerProperty", "JkLogFile", "JkLogLevel", "JkLogStampFormat",
    "JkMount", "JkUnMount", "JkMountFile", "JkMountFileReload", "JkStripSession",
    "JkRequestLogFormat", "JkMountCopy", "JkOptions", "JkEnvVar", "JkWatchdogInterval",
    "JkWorkerIndicator", "JkHTTPSIndicator", "JkSSLPROTOCOLIndicator", "JkCERTSIndicator",
    "JkCIPHERIndicator", "JkSESSIONIndicator", "JkKEYSIZEIndicator", "JkCERTCHAINPrefix",
    "JkRequestIdIndicator", "JkRemoteAddrIndicator", "JkRemotePortIndicator",
    "JkRemoteHostIndicator", "JkRemoteUserIndicator", "JkAuthTypeIndicator",
    "JkLocalNameIndicator", "JkLocalAddrIndicator", "JkLocalPortIndicator",
    "JkIgnoreCLIndicator", "JkAutoAlias", "JkExtractSSL", "JkShmFile", "JkShmSize",
    NULL
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *place(apr_pool_t *p, const char *file, int line)
{
    return line > 0 ? apr_psprintf(p, "%s:%d", file, line) : file;
}

/* Items (const char *) joined by `sep`. */
static const char *join(apr_pool_t *p, const apr_array_header_t *items, const char *sep)
{
    const char *out = "";
    for (int i = 0; i < items->nelts; i++)
        out = apr_pstrcat(p, out, i ? sep : "", APR_ARRAY_IDX(items, i, const char *), NULL);
    return out;
}

static void push_str(apr_array_header_t *a, const char *s)
{
    APR_ARRAY_PUSH(a, const char *) = s;
}

static const char *type_name(jk_worker_type t)
{
    return t == JK_TYPE_LB ? "lb" : t == JK_TYPE_STATUS ? "status" : "ajp13";
}

static unsigned type_bit(jk_worker_type t)
{
    return t == JK_TYPE_LB ? JK_APPLIES_LB : t == JK_TYPE_STATUS ? JK_APPLIES_STATUS
                                                                  : JK_APPLIES_AJP;
}

static const char *applies_text(apr_pool_t *p, unsigned applies, const char *sep)
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
static apr_status_t read_whole_file(apr_pool_t *p, const char *path, char **data, apr_size_t *size)
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
static apr_array_header_t *split_lines(apr_pool_t *p, const char *data, apr_size_t size)
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

static const char *error_text(apr_pool_t *p, apr_status_t rv)
{
    char buf[120];
    return apr_pstrdup(p, apr_strerror(rv, buf, sizeof(buf)));
}

/* ------------------------------------------------------------------ */
/* Diagnostics: every message once, sorted by file and line             */

typedef struct diag {
    int error;
    const char *file;   /* NULL: no place */
    int line;           /* 0: the file as a whole */
    const char *text;
    int seq;
    int file_rank;
} diag;

typedef struct diags {
    apr_pool_t *pool;
    apr_array_header_t *list;   /* diag */
    apr_hash_t *seen;           /* full text -> itself */
    apr_hash_t *ranks;          /* file -> rank, in the order files were read */
    int errors, warnings;
} diags;

static diags *diags_create(apr_pool_t *p)
{
    diags *d = apr_pcalloc(p, sizeof(*d));
    d->pool = p;
    d->list = apr_array_make(p, 16, sizeof(diag));
    d->seen = apr_hash_make(p);
    d->ranks = apr_hash_make(p);
    return d;
}

static int diags_rank(diags *d, const char *file)
{
    int *rank;
    if (file == NULL)
        return -1;
    if ((rank = apr_hash_get(d->ranks, file, APR_HASH_KEY_STRING)) == NULL) {
        rank = apr_palloc(d->pool, sizeof(*rank));
        *rank = (int)apr_hash_count(d->ranks);
        apr_hash_set(d->ranks, apr_pstrdup(d->pool, file), APR_HASH_KEY_STRING, rank);
    }
    return *rank;
}

static void diags_add(diags *d, int error, const char *file, int line, const char *text)
{
    const char *key = apr_psprintf(d->pool, "%d|%s|%d|%s", error, file ? file : "", line, text);
    diag *g;
    if (apr_hash_get(d->seen, key, APR_HASH_KEY_STRING))
        return;
    apr_hash_set(d->seen, key, APR_HASH_KEY_STRING, key);
    g = apr_array_push(d->list);
    g->error = error;
    g->file = file;
    g->line = line;
    g->text = text;
    g->seq = d->list->nelts;
    g->file_rank = diags_rank(d, file);
    if (error)
        d->errors++;
    else
        d->warnings++;
}

static void diags_addf(diags *d, int error, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diags_addf(diags *d, int error, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    const char *text;
    va_start(ap, fmt);
    text = apr_pvsprintf(d->pool, fmt, ap);
    va_end(ap);
    diags_add(d, error, file, line, text);
}

/* "file:12: text" or "file: text", as the module writes them: split off the place. */
static void split_place(apr_pool_t *p, const char *msg, const char **file, int *line,
                        const char **text)
{
    const char *c;
    for (c = strchr(msg, ':'); c; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        while (apr_isdigit(*d))
            d++;
        if (d > c + 1 && d[0] == ':' && d[1] == ' ') {
            *file = apr_pstrndup(p, msg, (apr_size_t)(c - msg));
            *line = atoi(c + 1);
            *text = d + 2;
            return;
        }
    }
    *line = 0;
    if ((c = strstr(msg, ": ")) != NULL) {
        *file = apr_pstrndup(p, msg, (apr_size_t)(c - msg));
        *text = c + 2;
    } else {
        *file = NULL;
        *text = msg;
    }
}

static void diags_import(diags *d, int error, const apr_array_header_t *messages)
{
    for (int i = 0; i < messages->nelts; i++) {
        const char *file, *text;
        int line;
        split_place(d->pool, APR_ARRAY_IDX(messages, i, const char *), &file, &line, &text);
        diags_add(d, error, file, line, text);
    }
}

static int compare_diags(const void *a, const void *b)
{
    const diag *x = a, *y = b;
    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->error != y->error)
        return y->error - x->error;
    return x->seq - y->seq;
}

static void print_diag(FILE *out, const diag *g)
{
    const char *sev = g->error ? "error" : "warning";
    if (g->file && g->line > 0)
        fprintf(out, "%s:%d: %s: %s\n", g->file, g->line, sev, g->text);
    else if (g->file)
        fprintf(out, "%s: %s: %s\n", g->file, sev, g->text);
    else
        fprintf(out, "%s: %s\n", sev, g->text);
}

static void diags_print(diags *d, FILE *out, int errors_only)
{
    if (d->list->nelts > 1)
        qsort(d->list->elts, (size_t)d->list->nelts, sizeof(diag), compare_diags);
    for (int i = 0; i < d->list->nelts; i++) {
        const diag *g = &APR_ARRAY_IDX(d->list, i, diag);
        if (g->error || !errors_only)
            print_diag(out, g);
    }
}

/* ------------------------------------------------------------------ */
/* Command line                                                         */

typedef struct options {
    const char *command;
    apr_array_header_t *args;           /* positional, const char * */
    const char *httpd_conf;
    const char *server_root;
    const char *workers;
    const char *vhost;
    const char *format;
    apr_array_header_t *mount_files;
    apr_array_header_t *mounts;         /* "PATTERN WORKER" */
    apr_array_header_t *unmounts;
    apr_array_header_t *cookies;        /* "NAME=VALUE" */
    apr_array_header_t *defines;        /* "NAME" or "NAME=VALUE" */
    int strict;
    int show_secrets;
} options;

typedef enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_LIST } opt_kind;

typedef struct opt_def {
    const char *name;
    opt_kind kind;
    size_t offset;
    const char *commands;   /* the commands that take it */
} opt_def;

#define OPT(name, kind, field, commands) { name, kind, offsetof(options, field), commands }

static const opt_def option_table[] = {
    OPT("--strict", OPT_FLAG, strict, "check"),
    OPT("--httpd-conf", OPT_VALUE, httpd_conf, "check show map"),
    OPT("--server-root", OPT_VALUE, server_root, "check show map"),
    OPT("--define", OPT_LIST, defines, "check show map"),
    OPT("--workers", OPT_VALUE, workers, "check show map"),
    OPT("--mount-file", OPT_LIST, mount_files, "check map"),
    OPT("--mount", OPT_LIST, mounts, "check map"),
    OPT("--unmount", OPT_LIST, unmounts, "check map"),
    OPT("--vhost", OPT_VALUE, vhost, "map"),
    OPT("--cookie", OPT_LIST, cookies, "map"),
    OPT("--format", OPT_VALUE, format, "show"),
    OPT("--show-secrets", OPT_FLAG, show_secrets, "show"),
    { NULL, OPT_FLAG, 0, NULL }
};

static const char usage_text[] =
    "Usage: jkctl COMMAND [OPTIONS] ...\n"
    "\n"
    "Check, explain and try out a mod_jk configuration with the module's own code.\n"
    "\n"
    "Commands:\n"
    "  check [WORKERS.properties [URIWORKERMAP.properties...]]\n"
    "        Every error and warning, as file:line: error|warning: message, plus\n"
    "        warnings for settings that are valid but almost certainly wrong.\n"
    "        Exit status: 0 no errors, 1 warnings only (with --strict), 2 errors.\n"
    "  show [WORKERS.properties] [WORKER...]\n"
    "        The resolved worker table: every effective value, after reference and\n"
    "        $(var), with where it comes from (file:line, or default).\n"
    "  map URL... [--vhost NAME] [--cookie NAME=VALUE]...\n"
    "        The rule and the worker that serve URL, and for an lb worker the member\n"
    "        a session sticks to.  Exit status: 0 forwarded, 1 not forwarded,\n"
    "        2 the configuration has errors.\n"
    "  keys  The workers.properties keys the module knows.\n"
    "  directives\n"
    "        The httpd directives of the module.\n"
    "\n"
    "Where the configuration comes from:\n"
    "  --httpd-conf FILE    read JkWorkersFile, JkWorkerProperty, JkMount, JkUnMount,\n"
    "                       JkMountFile, JkMountCopy and JkOptions from httpd.conf,\n"
    "                       its <VirtualHost> sections and Included files\n"
    "  --server-root DIR    resolve relative paths there (default: ServerRoot, else\n"
    "                       the directory of --httpd-conf)\n"
    "  --define NAME[=VAL]  as httpd -D NAME, for <IfDefine> and ${NAME}\n"
    "  --workers FILE       the workers.properties (instead of JkWorkersFile)\n"
    "  --mount-file FILE    a uriworkermap.properties for the main server\n"
    "  --mount 'PATTERN WORKER'    as JkMount in the main server\n"
    "  --unmount 'PATTERN WORKER'  as JkUnMount in the main server\n"
    "\n"
    "Other options:\n"
    "  --strict             check: exit 1 when there are warnings\n"
    "  --vhost NAME         map: the Host the request is for (default: the URL's host)\n"
    "  --cookie NAME=VALUE  map: a cookie the request carries; may repeat\n"
    "  --format text|tsv    show: aligned text (default) or worker<TAB>key<TAB>value<TAB>source\n"
    "  --show-secrets       show: print secrets instead of (set)\n"
    "  -h, --help           this text\n"
    "  --version            the version\n"
    "\n"
    "Examples:\n"
    "  jkctl check /etc/apache2/workers.properties /etc/apache2/uriworkermap.properties\n"
    "  jkctl check --strict --httpd-conf /etc/apache2/apache2.conf\n"
    "  jkctl show /etc/apache2/workers.properties loadbalancer\n"
    "  jkctl map http://shop.example.com/app/cart --cookie JSESSIONID=ABC.worker2 \\\n"
    "        --httpd-conf /etc/apache2/apache2.conf\n"
    "\n"
    "See jkctl(1) and docs/jkctl.md.\n";

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("jkctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'jkctl --help'.\n", stderr);
    exit(EXIT_USAGE);
}

static int command_takes(const char *commands, const char *command)
{
    apr_size_t n = strlen(command);
    for (const char *c = strstr(commands, command); c; c = strstr(c + 1, command))
        if ((c == commands || c[-1] == ' ') && (c[n] == '\0' || c[n] == ' '))
            return 1;
    return 0;
}

static const opt_def *find_option(const char *arg, const char **value)
{
    const char *eq = strchr(arg, '=');
    apr_size_t n = eq ? (apr_size_t)(eq - arg) : strlen(arg);
    for (const opt_def *o = option_table; o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, arg, n) == 0) {
            *value = eq ? eq + 1 : NULL;
            return o;
        }
    return NULL;
}

static void set_option(options *o, const opt_def *def, const char *value)
{
    char *field = (char *)o + def->offset;
    if (def->kind == OPT_FLAG)
        *(int *)(void *)field = 1;
    else if (def->kind == OPT_VALUE)
        *(const char **)(void *)field = value;
    else
        push_str(*(apr_array_header_t **)(void *)field, value);
}

/* One argument; returns how many were used (1 or 2). */
static int parse_one(options *o, int argc, const char *const *argv, int i)
{
    const char *value = NULL;
    const opt_def *def = find_option(argv[i], &value);
    if (def == NULL)
        usage_error("unknown option '%s'", argv[i]);
    if (!command_takes(def->commands, o->command))
        usage_error("%s does not apply to '%s'", def->name, o->command);
    if (def->kind == OPT_FLAG) {
        if (value)
            usage_error("%s takes no value", def->name);
        set_option(o, def, NULL);
        return 1;
    }
    if (value == NULL && i + 1 >= argc)
        usage_error("%s needs a value", def->name);
    set_option(o, def, value ? value : argv[i + 1]);
    return value ? 1 : 2;
}

static options *parse_options(apr_pool_t *p, int argc, const char *const *argv)
{
    options *o = apr_pcalloc(p, sizeof(*o));
    o->args = apr_array_make(p, 4, sizeof(const char *));
    o->mount_files = apr_array_make(p, 2, sizeof(const char *));
    o->mounts = apr_array_make(p, 2, sizeof(const char *));
    o->unmounts = apr_array_make(p, 2, sizeof(const char *));
    o->cookies = apr_array_make(p, 2, sizeof(const char *));
    o->defines = apr_array_make(p, 2, sizeof(const char *));
    o->command = argv[1];
    for (int i = 2; i < argc;) {
        if (strcmp(argv[i], "--") == 0) {
            while (++i < argc)
                push_str(o->args, argv[i]);
            break;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            i += parse_one(o, argc, argv, i);
            continue;
        }
        push_str(o->args, argv[i++]);
    }
    if (o->format && strcmp(o->format, "text") != 0 && strcmp(o->format, "tsv") != 0)
        usage_error("--format takes text or tsv");
    return o;
}

/* ------------------------------------------------------------------ */
/* httpd.conf: what decides mapping                                     */

typedef struct mount_file_ref {
    const char *path;
    const char *file;   /* where it was named */
    int line;
} mount_file_ref;

typedef struct ctl_server {
    int is_vhost;
    const char *name;                   /* ServerName, or NULL */
    apr_array_header_t *aliases;        /* ServerAlias patterns */
    const char *file;                   /* where <VirtualHost> opens */
    int line;
    jk_uri_map *mounts;                 /* its JkMount and JkUnMount rules */
    apr_array_header_t *mount_files;    /* mount_file_ref */
    int mount_copy;                     /* UNSET, 0, 1 */
    int reject_unsafe;                  /* JkOptions RejectUnsafeURI: UNSET, 0, 1 */
} ctl_server;

typedef struct ctl_location {
    const char *path;
    int regex;          /* <LocationMatch> */
    int guarded;        /* has Require (other than "all granted"), Deny, AuthType ... */
} ctl_location;

typedef struct ctl_httpd {
    ctl_server *main;
    apr_array_header_t *vhosts;         /* ctl_server * */
    const char *workers_file;
    apr_array_header_t *worker_lines;   /* jk_prop: JkWorkerProperty */
    int mount_copy_all;
    const char *server_root;
    apr_hash_t *defines;                /* Define and --define */
    apr_array_header_t *locations;      /* ctl_location * */
    apr_hash_t *rule_location;          /* "file:line" of a JkMount -> its ctl_location */
    apr_array_header_t *errors;         /* "file:line: message" */
    apr_array_header_t *warnings;
} ctl_httpd;

typedef struct section {
    const char *name;           /* lower case, e.g. "virtualhost" */
    int skip;                   /* httpd ignores what is inside */
    int vhost;                  /* this section made a server */
    ctl_location *location;     /* the innermost <Location> */
} section;

typedef struct reader {
    apr_pool_t *pool;
    ctl_httpd *conf;
    ctl_server *server;
    apr_array_header_t *sections;   /* section */
    int depth;
    const char *file;
    int line;
} reader;

static ctl_server *server_create(apr_pool_t *p, int is_vhost, const char *file, int line)
{
    ctl_server *s = apr_pcalloc(p, sizeof(*s));
    s->is_vhost = is_vhost;
    s->aliases = apr_array_make(p, 2, sizeof(const char *));
    s->file = file;
    s->line = line;
    s->mounts = jk_uri_map_create(p);
    s->mount_files = apr_array_make(p, 1, sizeof(mount_file_ref));
    s->mount_copy = UNSET;
    s->reject_unsafe = UNSET;
    return s;
}

static ctl_httpd *httpd_create(apr_pool_t *p)
{
    ctl_httpd *c = apr_pcalloc(p, sizeof(*c));
    c->main = server_create(p, 0, NULL, 0);
    c->vhosts = apr_array_make(p, 4, sizeof(ctl_server *));
    c->worker_lines = apr_array_make(p, 4, sizeof(jk_prop));
    c->defines = apr_hash_make(p);
    c->locations = apr_array_make(p, 4, sizeof(ctl_location *));
    c->rule_location = apr_hash_make(p);
    c->errors = apr_array_make(p, 4, sizeof(const char *));
    c->warnings = apr_array_make(p, 4, sizeof(const char *));
    return c;
}

static void reader_message(reader *r, apr_array_header_t *to, const char *fmt, va_list ap)
{
    push_str(to, apr_psprintf(r->pool, "%s:%d: %s", r->file, r->line,
                              apr_pvsprintf(r->pool, fmt, ap)));
}

static void reader_error(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reader_error(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reader_message(r, r->conf->errors, fmt, ap);
    va_end(ap);
}

static void reader_warning(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reader_warning(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reader_message(r, r->conf->warnings, fmt, ap);
    va_end(ap);
}

static const section *top_section(const reader *r)
{
    static const section none = { "", 0, 0, NULL };
    return r->sections->nelts ? &APR_ARRAY_IDX(r->sections, r->sections->nelts - 1, section)
                              : &none;
}

/* The next argument as httpd reads one: in "..." or '...', or up to white space. */
static char *next_word(apr_pool_t *p, const char **line)
{
    const char *s = *line;
    char quote = 0, *out, *o;
    while (apr_isspace(*s))
        s++;
    if (*s == '\0') {
        *line = s;
        return NULL;
    }
    if (*s == '"' || *s == '\'')
        quote = *s++;
    out = o = apr_palloc(p, strlen(s) + 1);
    while (*s && (quote ? *s != quote : !apr_isspace(*s))) {
        if (quote && s[0] == '\\' && s[1] == quote)
            s++;
        *o++ = *s++;
    }
    if (quote && *s == quote)
        s++;
    *o = '\0';
    *line = s;
    return out;
}

/*
 * ${NAME}: a Define, else the environment.  An unknown one stays as written, as httpd
 * leaves it; *missing names the first (Debian's envvars are not read here).
 */
static const char *substitute_vars(reader *r, const char *text, const char **missing)
{
    const char *out = "", *s = text, *start, *end;
    *missing = NULL;
    while ((start = strstr(s, "${")) != NULL && (end = strchr(start, '}')) != NULL) {
        const char *name = apr_pstrndup(r->pool, start + 2, (apr_size_t)(end - start - 2));
        const char *value = apr_hash_get(r->conf->defines, name, APR_HASH_KEY_STRING);
        if (value == NULL)
            value = getenv(name);
        if (value == NULL) {
            if (*missing == NULL)
                *missing = name;
            value = apr_pstrndup(r->pool, start, (apr_size_t)(end - start + 1));
        }
        out = apr_pstrcat(r->pool, out, apr_pstrndup(r->pool, s, (apr_size_t)(start - s)),
                          value, NULL);
        s = end + 1;
    }
    return apr_pstrcat(r->pool, out, s, NULL);
}

/* Lines whose arguments jkctl uses: an unknown ${NAME} there changes its answers. */
static int line_matters(apr_pool_t *p, const char *line)
{
    static const char *const names[] = {
        "JkWorkersFile", "JkWorkerProperty", "JkMount", "JkUnMount", "JkMountFile",
        "Include", "IncludeOptional", "ServerName", "ServerAlias", "ServerRoot",
        "VirtualHost", "Location", "LocationMatch", NULL
    };
    const char *word;
    line += strspn(line, "</");
    word = apr_pstrndup(p, line, strcspn(line, " \t>"));
    for (int i = 0; names[i]; i++)
        if (strcasecmp(names[i], word) == 0)
            return 1;
    return 0;
}

static const char *server_relative(const reader *r, const char *path)
{
    if (path[0] == '/' || strcmp(r->conf->server_root, ".") == 0)
        return path;
    return apr_pstrcat(r->pool, r->conf->server_root, "/", path, NULL);
}

static int is_module_directive(const char *name)
{
    for (int i = 0; module_directives[i]; i++)
        if (strcasecmp(module_directives[i], name) == 0)
            return 1;
    return 0;
}

/* Directives that httpd accepts only in the main server (GLOBAL_ONLY in the module). */
static int refuse_in_vhost(reader *r, const char *name)
{
    if (!r->server->is_vhost && top_section(r)->location == NULL)
        return 0;
    reader_error(r, "%s cannot occur within a <VirtualHost> or <Location> section", name);
    return 1;
}

static void d_workers_file(reader *r, const char *name, const char *args)
{
    const char *path = next_word(r->pool, &args);
    if (refuse_in_vhost(r, name))
        return;
    if (path == NULL || *path == '\0') { /* httpd's TAKE1 refuses "" too, in these words */
        reader_error(r, "%s takes one argument, the workers.properties file", name);
        return;
    }
    r->conf->workers_file = server_relative(r, path);
}

static void d_worker_property(reader *r, const char *name, const char *args)
{
    jk_prop *p;
    if (refuse_in_vhost(r, name))
        return;
    while (apr_isspace(*args))
        args++;
    if (*args == '\0' || *args == '#') {
        reader_error(r, "%s needs a name=value line", name);
        return;
    }
    p = apr_array_push(r->conf->worker_lines);
    p->key = NULL;
    p->value = apr_pstrdup(r->pool, args);
    p->file = r->file;
    p->line = r->line;
}

/* JkMount and JkUnMount, as the module's add_mount() reads them. */
static void d_mount(reader *r, const char *name, const char *args)
{
    const char *a1 = next_word(r->pool, &args), *a2 = next_word(r->pool, &args);
    const char *pattern = a1, *worker = a2, *err;
    ctl_location *loc = top_section(r)->location;
    int exclude = strcasecmp(name, "JkUnMount") == 0;

    if (a1 == NULL || next_word(r->pool, &args) != NULL) {
        reader_error(r, "%s takes one or two arguments, URI pattern and worker", name);
        return;
    }
    if (a2 == NULL) {
        if (loc == NULL) {
            reader_error(r, "%s needs a URI pattern and a worker name", name);
            return;
        }
        pattern = loc->path;
        worker = a1;
    }
    if (worker[0] == ';') {
        reader_error(r, "%s %s: the worker name is missing", name, pattern);
        return;
    }
    if (exclude)
        pattern = apr_pstrcat(r->pool, "!", pattern, NULL);
    err = jk_uri_map_add_spec(r->server->mounts, r->pool, pattern, worker, JK_RULE_FROM_JKMOUNT,
                              r->file, r->line, r->conf->warnings);
    if (err) {
        reader_error(r, "%s: %s", name, err);
        return;
    }
    if (loc)
        apr_hash_set(r->conf->rule_location, place(r->pool, r->file, r->line),
                     APR_HASH_KEY_STRING, loc);
}

static void d_mount_file(reader *r, const char *name, const char *args)
{
    const char *path = next_word(r->pool, &args);
    mount_file_ref *ref;
    if (path == NULL || *path == '\0') {
        reader_error(r, "%s takes one argument, the uriworkermap.properties file", name);
        return;
    }
    apr_array_clear(r->server->mount_files); /* the last JkMountFile of a server counts */
    ref = apr_array_push(r->server->mount_files);
    ref->path = server_relative(r, path);
    ref->file = r->file;
    ref->line = r->line;
}

static void d_mount_copy(reader *r, const char *name, const char *args)
{
    const char *value = next_word(r->pool, &args);
    (void)name;
    if (value && strcasecmp(value, "all") == 0) {
        if (r->server->is_vhost)
            reader_error(r, "JkMountCopy All belongs in the main server");
        else
            r->conf->mount_copy_all = 1;
    } else if (value && (strcasecmp(value, "on") == 0 || strcasecmp(value, "off") == 0)) {
        r->server->mount_copy = strcasecmp(value, "on") == 0;
    } else {
        reader_error(r, "JkMountCopy takes On, Off or All");
    }
}

/* Only RejectUnsafeURI changes what map answers. */
static void d_options(reader *r, const char *name, const char *args)
{
    const char *word;
    (void)name;
    while ((word = next_word(r->pool, &args)) != NULL) {
        int on = word[0] != '-';
        if (word[0] == '+' || word[0] == '-')
            word++;
        if (strcasecmp(word, "RejectUnsafeURI") == 0)
            r->server->reject_unsafe = on;
    }
}

/* "www.example.com", from "https://www.example.com:443" too. */
static const char *bare_host(apr_pool_t *p, const char *name)
{
    const char *s = strstr(name, "://"), *colon;
    s = s ? s + 3 : name;
    colon = strrchr(s, ':');
    if (s[0] != '[' && colon)
        return apr_pstrndup(p, s, (apr_size_t)(colon - s));
    return s;
}

static void d_server_name(reader *r, const char *name, const char *args)
{
    const char *value = next_word(r->pool, &args);
    (void)name;
    if (value)
        r->server->name = bare_host(r->pool, value);
}

static void d_server_alias(reader *r, const char *name, const char *args)
{
    const char *value;
    (void)name;
    while ((value = next_word(r->pool, &args)) != NULL)
        push_str(r->server->aliases, value);
}

static void d_server_root(reader *r, const char *name, const char *args)
{
    const char *value = next_word(r->pool, &args);
    (void)name;
    if (value && !r->server->is_vhost)
        r->conf->server_root = value;
}

static void d_define(reader *r, const char *name, const char *args)
{
    const char *key = next_word(r->pool, &args), *value = next_word(r->pool, &args);
    (void)name;
    if (key)
        apr_hash_set(r->conf->defines, key, APR_HASH_KEY_STRING, value ? value : "");
}

/* Access control inside a <Location>: anything but "Require all granted" / "Allow from all". */
static void d_access(reader *r, const char *name, const char *args)
{
    ctl_location *loc = top_section(r)->location;
    const char *a1 = next_word(r->pool, &args), *a2 = next_word(r->pool, &args);
    if (loc == NULL)
        return;
    if (strcasecmp(name, "Require") == 0 && a1 && a2 && !strcasecmp(a1, "all") &&
        !strcasecmp(a2, "granted"))
        return;
    if (strcasecmp(name, "Allow") == 0 && a2 && !strcasecmp(a2, "all"))
        return;
    loc->guarded = 1;
}

static void read_conf_file(reader *r, const char *path, int optional);
static void d_include(reader *r, const char *name, const char *args);

typedef void (*directive_fn)(reader *r, const char *name, const char *args);

typedef struct directive {
    const char *name;
    directive_fn fn;
} directive;

static const directive directive_table[] = {
    { "JkWorkersFile", d_workers_file },
    { "JkWorkerProperty", d_worker_property },
    { "JkMount", d_mount },
    { "JkUnMount", d_mount },
    { "JkMountFile", d_mount_file },
    { "JkMountCopy", d_mount_copy },
    { "JkOptions", d_options },
    { "ServerName", d_server_name },
    { "ServerAlias", d_server_alias },
    { "ServerRoot", d_server_root },
    { "Define", d_define },
    { "Include", d_include },
    { "IncludeOptional", d_include },
    { "Require", d_access },
    { "Allow", d_access },
    { "Deny", d_access },
    { "AuthType", d_access },
    { NULL, NULL }
};

static void run_directive(reader *r, const char *text)
{
    const char *args = text;
    const char *name = next_word(r->pool, &args);
    for (const directive *d = directive_table; d->name; d++)
        if (strcasecmp(d->name, name) == 0) {
            d->fn(r, d->name, args);
            return;
        }
    if (strncasecmp(name, "Jk", 2) == 0 && !is_module_directive(name))
        reader_error(r, "Invalid command '%s': this module has no such directive, so httpd "
                     "will not start", name);
}

/* ---- sections ---- */

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

static ctl_location *new_location(reader *r, const char *path, int regex)
{
    ctl_location *loc = apr_pcalloc(r->pool, sizeof(*loc));
    loc->path = path ? path : "";
    loc->regex = regex;
    APR_ARRAY_PUSH(r->conf->locations, ctl_location *) = loc;
    return loc;
}

/* httpd -t is run with every module it loads: assume each is there, so "!" is false. */
static int if_module(const char *arg)
{
    return arg == NULL || arg[0] != '!';
}

static int if_define(reader *r, const char *arg)
{
    int negate = arg && arg[0] == '!';
    const char *name = arg ? arg + negate : "";
    int defined = apr_hash_get(r->conf->defines, name, APR_HASH_KEY_STRING) != NULL;
    return negate ? !defined : defined;
}

static void start_vhost(reader *r, section *sec)
{
    ctl_server *s = server_create(r->pool, 1, r->file, r->line);
    APR_ARRAY_PUSH(r->conf->vhosts, ctl_server *) = s;
    r->server = s;
    sec->vhost = 1;
}

static void open_section(reader *r, const char *text)
{
    char *body = apr_pstrdup(r->pool, text), *gt = strrchr(body, '>');
    const char *args = body, *arg;
    section sec = *top_section(r);
    char *name;

    if (gt)
        *gt = '\0';
    else
        reader_error(r, "<%s lacks its closing '>'", body);
    name = next_word(r->pool, &args);
    if (name == NULL)
        name = "";
    for (char *c = name; *c; c++)
        *c = (char)apr_tolower(*c);
    sec.name = name;
    sec.vhost = 0;
    arg = next_word(r->pool, &args);
    if (!sec.skip) {
        if (strcmp(name, "virtualhost") == 0)
            start_vhost(r, &sec);
        else if (strcmp(name, "location") == 0 || strcmp(name, "locationmatch") == 0)
            sec.location = new_location(r, arg, name[8] != '\0');
        else if (strcmp(name, "ifmodule") == 0)
            sec.skip = !if_module(arg);
        else if (strcmp(name, "ifdefine") == 0)
            sec.skip = !if_define(r, arg);
    }
    *(section *)apr_array_push(r->sections) = sec;
}

static void close_section(reader *r, const char *text)
{
    apr_size_t n = strcspn(text, "> \t");
    const section *top = top_section(r);
    if (r->sections->nelts == 0) {
        reader_error(r, "</%.*s> without a matching <%.*s> section", (int)n, text, (int)n, text);
        return;
    }
    if (strlen(top->name) != n || strncasecmp(top->name, text, n) != 0)
        reader_error(r, "expected </%s> but saw </%.*s>", top->name, (int)n, text);
    if (top->vhost)
        r->server = r->conf->main;
    r->sections->nelts--;
}

static void process_line(reader *r, const char *line)
{
    const char *missing;
    while (apr_isspace(*line))
        line++;
    if (*line == '\0' || *line == '#')
        return;
    line = substitute_vars(r, line, &missing);
    if (missing && !top_section(r)->skip && line_matters(r->pool, line))
        reader_warning(r, "${%s} is not defined, so jkctl reads it as written (httpd takes it "
                       "from a Define or its environment: give --define %s=VALUE)", missing,
                       missing);
    if (line[0] == '<' && line[1] == '/')
        close_section(r, line + 2);
    else if (line[0] == '<')
        open_section(r, line + 1);
    else if (!top_section(r)->skip)
        run_directive(r, line);
}

/* Lines with httpd's continuation: a backslash at the end joins the next line. */
static void read_conf_lines(reader *r, const apr_array_header_t *lines)
{
    for (int i = 0; i < lines->nelts; i++) {
        const char *text = APR_ARRAY_IDX(lines, i, const char *);
        r->line = i + 1;
        while (*text && text[strlen(text) - 1] == '\\' && i + 1 < lines->nelts) {
            text = apr_pstrcat(r->pool, apr_pstrndup(r->pool, text, strlen(text) - 1),
                               APR_ARRAY_IDX(lines, i + 1, const char *), NULL);
            i++;
        }
        process_line(r, text);
    }
}

static void read_conf_file(reader *r, const char *path, int optional)
{
    const char *saved_file = r->file;
    int saved_line = r->line;
    char *data;
    apr_size_t size;
    apr_status_t rv;

    if (r->depth >= MAX_INCLUDE_DEPTH) {
        reader_error(r, "Include nests deeper than %d (does a file include itself?)",
                     MAX_INCLUDE_DEPTH);
        return;
    }
    if ((rv = read_whole_file(r->pool, path, &data, &size)) != APR_SUCCESS) {
        if (optional)
            return;
        if (r->depth == 0)
            push_str(r->conf->errors, apr_psprintf(r->pool, "%s: cannot open: %s", path,
                                                   error_text(r->pool, rv)));
        else
            reader_error(r, "Include: cannot open %s: %s", path, error_text(r->pool, rv));
        return;
    }
    r->depth++;
    r->file = apr_pstrdup(r->pool, path);
    read_conf_lines(r, split_lines(r->pool, data, size));
    r->depth--;
    r->file = saved_file;
    r->line = saved_line;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names in `dir` matching `pattern`, sorted as httpd includes them. */
static apr_array_header_t *dir_matches(apr_pool_t *p, const char *dir, const char *pattern)
{
    apr_array_header_t *names = apr_array_make(p, 8, sizeof(const char *));
    apr_dir_t *d;
    apr_finfo_t fi;
    if (apr_dir_open(&d, dir, p) != APR_SUCCESS)
        return names;
    while (apr_dir_read(&fi, APR_FINFO_NAME, d) == APR_SUCCESS)
        if (strcmp(fi.name, ".") != 0 && strcmp(fi.name, "..") != 0 &&
            apr_fnmatch(pattern, fi.name, APR_FNM_PERIOD) == APR_SUCCESS)
            push_str(names, apr_pstrcat(p, dir, "/", fi.name, NULL));
    apr_dir_close(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), compare_strings);
    return names;
}

static void include_path(reader *r, const char *path, int optional)
{
    const char *slash = strrchr(path, '/');
    const char *dir = slash ? apr_pstrndup(r->pool, path, (apr_size_t)(slash - path)) : ".";
    const char *base = slash ? slash + 1 : path;
    apr_finfo_t fi;

    if (has_wildcard(base) || (apr_stat(&fi, path, APR_FINFO_TYPE, r->pool) == APR_SUCCESS &&
                               fi.filetype == APR_DIR)) {
        apr_array_header_t *names = has_wildcard(base) ? dir_matches(r->pool, dir, base)
                                                       : dir_matches(r->pool, path, "*");
        if (names->nelts == 0 && !optional && has_wildcard(base))
            reader_error(r, "Include: no file matches '%s'", path);
        for (int i = 0; i < names->nelts; i++)
            include_path(r, APR_ARRAY_IDX(names, i, const char *), optional);
        return;
    }
    if (has_wildcard(dir))
        reader_warning(r, "Include '%s': jkctl follows wildcards only in the last part", path);
    read_conf_file(r, path, optional);
}

static void d_include(reader *r, const char *name, const char *args)
{
    const char *path = next_word(r->pool, &args);
    if (path == NULL) {
        reader_error(r, "%s takes one argument", name);
        return;
    }
    include_path(r, server_relative(r, path), strcasecmp(name, "IncludeOptional") == 0);
}

static void add_defines(ctl_httpd *c, apr_pool_t *p, const apr_array_header_t *defines)
{
    for (int i = 0; i < defines->nelts; i++) {
        const char *d = APR_ARRAY_IDX(defines, i, const char *), *eq = strchr(d, '=');
        const char *name = eq ? apr_pstrndup(p, d, (apr_size_t)(eq - d)) : d;
        apr_hash_set(c->defines, name, APR_HASH_KEY_STRING, eq ? eq + 1 : "");
    }
}

static const char *dir_of(apr_pool_t *p, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return ".";
    return slash == path ? "/" : apr_pstrndup(p, path, (apr_size_t)(slash - path));
}

static void read_httpd_conf(ctl_httpd *c, apr_pool_t *p, const options *o)
{
    reader r;
    memset(&r, 0, sizeof(r));
    r.pool = p;
    r.conf = c;
    r.server = c->main;
    r.sections = apr_array_make(p, 8, sizeof(section));
    r.file = o->httpd_conf;
    c->server_root = o->server_root ? o->server_root : dir_of(p, o->httpd_conf);
    add_defines(c, p, o->defines);
    read_conf_file(&r, o->httpd_conf, 0);
    if (r.sections->nelts > 0)
        push_str(c->errors, apr_psprintf(p, "%s: <%s> is never closed", o->httpd_conf,
                                         top_section(&r)->name));
}

/* --mount, --unmount and --mount-file: rules of the main server. */
static void add_command_line_mounts(ctl_httpd *c, apr_pool_t *p, const options *o)
{
    const apr_array_header_t *lists[2] = { o->mounts, o->unmounts };
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < lists[k]->nelts; i++) {
            const char *spec = APR_ARRAY_IDX(lists[k], i, const char *), *rest = spec, *err;
            const char *pattern = next_word(p, &rest), *worker = next_word(p, &rest);
            if (pattern == NULL || worker == NULL)
                usage_error("--%s takes 'PATTERN WORKER', not '%s'", k ? "unmount" : "mount",
                            spec);
            err = jk_uri_map_add_spec(c->main->mounts, p, k ? apr_pstrcat(p, "!", pattern, NULL)
                                                              : pattern,
                                      worker, JK_RULE_FROM_JKMOUNT, COMMAND_LINE, 0, c->warnings);
            if (err)
                usage_error("--%s '%s': %s", k ? "unmount" : "mount", spec, err);
        }
    for (int i = 0; i < o->mount_files->nelts; i++) {
        mount_file_ref *ref = apr_array_push(c->main->mount_files);
        ref->path = APR_ARRAY_IDX(o->mount_files, i, const char *);
        ref->file = COMMAND_LINE;
        ref->line = 0;
    }
}

/* ------------------------------------------------------------------ */
/* The whole configuration, read as the module reads it                 */

typedef struct setup {
    apr_pool_t *pool;
    const options *opt;
    diags *diags;
    ctl_httpd *httpd;
    const char *workers_file;           /* NULL: none (the module's default worker) */
    apr_array_header_t *extra_mount_files; /* check's positional uriworkermap files */
    jk_props *props;
    jk_config *config;
    apr_hash_t *mount_maps;             /* path -> jk_uri_map * (read once) */
    apr_hash_t *line_cache;             /* path -> apr_array_header_t * of lines */
} setup;

/* A source line as the reader saw it, or NULL. */
static const char *source_line(setup *s, const char *file, int line)
{
    apr_array_header_t *lines = apr_hash_get(s->line_cache, file, APR_HASH_KEY_STRING);
    if (lines == NULL) {
        char *data;
        apr_size_t size;
        lines = read_whole_file(s->pool, file, &data, &size) == APR_SUCCESS
                    ? split_lines(s->pool, data, size)
                    : apr_array_make(s->pool, 1, sizeof(const char *));
        apr_hash_set(s->line_cache, file, APR_HASH_KEY_STRING, lines);
    }
    return line >= 1 && line <= lines->nelts ? APR_ARRAY_IDX(lines, line - 1, const char *)
                                             : NULL;
}

static void load_properties(setup *s)
{
    s->props = jk_props_create(s->pool);
    if (s->workers_file) {
        diags_rank(s->diags, s->workers_file);
        jk_props_load_file(s->props, s->workers_file);
    }
    for (int i = 0; i < s->httpd->worker_lines->nelts; i++) {
        const jk_prop *l = &APR_ARRAY_IDX(s->httpd->worker_lines, i, jk_prop);
        jk_props_add_line(s->props, l->value, l->file, l->line);
    }
    s->config = jk_config_build(s->pool, s->props);
    diags_import(s->diags, 1, s->config->errors);
    diags_import(s->diags, 0, s->config->warnings);
}

/* As the module's check_rule_workers(): a rule must name a worker in worker.list. */
static void check_rule_workers(setup *s, const jk_uri_map *m)
{
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *r = &APR_ARRAY_IDX(m->rules, i, jk_uri_rule);
        const jk_worker_config *w;
        if (strcmp(r->worker, "*") == 0 && r->exclude)
            continue;
        w = jk_config_find(s->config, r->worker);
        if (w == NULL || !w->mountable)
            diags_addf(s->diags, 1, r->file, r->line, "%s %s names worker '%s', which is not "
                       "in worker.list; %s",
                       r->source == JK_RULE_FROM_MOUNTFILE ? "rule"
                                                           : r->exclude ? "JkUnMount" : "JkMount",
                       r->pattern, r->worker, jk_config_mount_hint(s->pool, s->config, r->worker));
    }
}

/* A uriworkermap file, read once however many servers use it. */
static jk_uri_map *mount_map(setup *s, const char *path)
{
    jk_uri_map *m = apr_hash_get(s->mount_maps, path, APR_HASH_KEY_STRING);
    apr_array_header_t *errors, *warnings;
    if (m)
        return m;
    m = jk_uri_map_create(s->pool);
    errors = apr_array_make(s->pool, 2, sizeof(const char *));
    warnings = apr_array_make(s->pool, 2, sizeof(const char *));
    diags_rank(s->diags, path);
    jk_uri_map_load_file(m, s->pool, path, errors, warnings);
    diags_import(s->diags, 1, errors);
    diags_import(s->diags, 0, warnings);
    check_rule_workers(s, m);
    apr_hash_set(s->mount_maps, path, APR_HASH_KEY_STRING, m);
    return m;
}

static apr_array_header_t *all_servers(const setup *s)
{
    apr_array_header_t *list = apr_array_make(s->pool, 4, sizeof(ctl_server *));
    APR_ARRAY_PUSH(list, ctl_server *) = s->httpd->main;
    apr_array_cat(list, s->httpd->vhosts);
    return list;
}

static int copies_main(const setup *s, const ctl_server *srv)
{
    if (!srv->is_vhost)
        return 0;
    return srv->mount_copy != UNSET ? srv->mount_copy : s->httpd->mount_copy_all;
}

/* The mount files a server uses: its own, or with JkMountCopy the main server's. */
static const apr_array_header_t *server_mount_files(const setup *s, const ctl_server *srv)
{
    if (srv->mount_files->nelts == 0 && copies_main(s, srv))
        return s->httpd->main->mount_files;
    return srv->mount_files;
}

/* The server's rules as the module's finish_mounts() puts them together (not prepared). */
static jk_uri_map *server_rules(setup *s, const ctl_server *srv)
{
    jk_uri_map *m = jk_uri_map_copy(s->pool, srv->mounts);
    const apr_array_header_t *files = server_mount_files(s, srv);
    if (copies_main(s, srv))
        jk_uri_map_merge(m, s->httpd->main->mounts);
    for (int i = 0; i < files->nelts; i++)
        jk_uri_map_merge(m, mount_map(s, APR_ARRAY_IDX(files, i, mount_file_ref).path));
    if (!srv->is_vhost)
        for (int i = 0; i < s->extra_mount_files->nelts; i++)
            jk_uri_map_merge(m, mount_map(s, APR_ARRAY_IDX(s->extra_mount_files, i,
                                                            const char *)));
    return m;
}

static void check_all_mounts(setup *s)
{
    apr_array_header_t *servers = all_servers(s);
    for (int i = 0; i < servers->nelts; i++) {
        ctl_server *srv = APR_ARRAY_IDX(servers, i, ctl_server *);
        check_rule_workers(s, srv->mounts);
        server_rules(s, srv);   /* reads (and checks) its mount files */
    }
}

static setup *load_setup(apr_pool_t *p, const options *o, const char *workers_file,
                         apr_array_header_t *extra_mount_files)
{
    setup *s = apr_pcalloc(p, sizeof(*s));
    s->pool = p;
    s->opt = o;
    s->diags = diags_create(p);
    s->httpd = httpd_create(p);
    s->mount_maps = apr_hash_make(p);
    s->line_cache = apr_hash_make(p);
    s->extra_mount_files = extra_mount_files ? extra_mount_files
                                             : apr_array_make(p, 1, sizeof(const char *));
    if (workers_file)
        diags_rank(s->diags, workers_file);
    if (o->httpd_conf)
        read_httpd_conf(s->httpd, p, o);
    add_command_line_mounts(s->httpd, p, o);
    s->workers_file = workers_file ? workers_file : s->httpd->workers_file;
    load_properties(s);
    diags_import(s->diags, 1, s->httpd->errors);
    diags_import(s->diags, 0, s->httpd->warnings);
    check_all_mounts(s);
    return s;
}

/* ------------------------------------------------------------------ */
/* Properties as the validator looks them up                           */

static const jk_prop *own_prop(setup *s, const char *worker, const char *key)
{
    return jk_props_get(s->props, apr_pstrcat(s->pool, WORKER_PREFIX, worker, ".", key, NULL));
}

/* The worker's own key, else along its `reference` chain (jk_config.c worker_prop()). */
static const jk_prop *chain_prop(setup *s, const char *worker, const char *key)
{
    for (int depth = 0; depth <= MAX_REFERENCE_DEPTH; depth++) {
        const jk_prop *p = own_prop(s, worker, key), *ref;
        if (p)
            return p;
        if ((ref = own_prop(s, worker, "reference")) == NULL)
            return NULL;
        worker = starts_with(ref->value, WORKER_PREFIX) ? ref->value + WORKER_PREFIX_LEN
                                                         : ref->value;
    }
    return NULL;
}

/* A key or its old spelling. */
static const jk_prop *chain_prop_any(setup *s, const char *worker, const char *key,
                                     const char *old_key)
{
    const jk_prop *p = chain_prop(s, worker, key);
    return p || old_key == NULL ? p : chain_prop(s, worker, old_key);
}

/* Was the key written for this worker itself (not taken from a reference)? */
static int is_own(setup *s, const jk_prop *p, const char *worker)
{
    return starts_with(p->key, apr_pstrcat(s->pool, WORKER_PREFIX, worker, ".", NULL));
}

static apr_array_header_t *lb_workers(const setup *s)
{
    apr_array_header_t *lbs = apr_array_make(s->pool, 2, sizeof(jk_worker_config *));
    for (int i = 0; i < s->config->workers->nelts; i++) {
        jk_worker_config *w = APR_ARRAY_IDX(s->config->workers, i, jk_worker_config *);
        if (w->type == JK_TYPE_LB)
            APR_ARRAY_PUSH(lbs, jk_worker_config *) = w;
    }
    return lbs;
}

static int has_member(const jk_worker_config *lb, const char *name)
{
    for (int i = 0; lb->members && i < lb->members->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(lb->members, i, jk_worker_config *)->name, name) == 0)
            return 1;
    return 0;
}

/* The lb workers `name` is a member of (jk_worker_config *). */
static apr_array_header_t *lbs_of(const setup *s, const char *name)
{
    apr_array_header_t *lbs = lb_workers(s), *out;
    out = apr_array_make(s->pool, 1, sizeof(jk_worker_config *));
    for (int i = 0; i < lbs->nelts; i++) {
        jk_worker_config *lb = APR_ARRAY_IDX(lbs, i, jk_worker_config *);
        if (has_member(lb, name))
            APR_ARRAY_PUSH(out, jk_worker_config *) = lb;
    }
    return out;
}

static const jk_prop *members_prop(setup *s, const jk_worker_config *lb)
{
    return chain_prop_any(s, lb->name, "balance_workers", "balanced_workers");
}

/* A lint's message at a property's place, or at the worker's when there is none. */
static void lint_at(setup *s, const jk_prop *p, const jk_worker_config *w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void lint_at(setup *s, const jk_prop *p, const jk_worker_config *w, const char *fmt, ...)
{
    va_list ap;
    const char *text;
    va_start(ap, fmt);
    text = apr_pvsprintf(s->pool, fmt, ap);
    va_end(ap);
    if (p)
        diags_add(s->diags, 0, p->file, p->line, text);
    else
        diags_add(s->diags, 0, w->file, w->line, text);
}

/* ------------------------------------------------------------------ */
/* check: valid, but almost certainly wrong                             */

/* Every rule of every server and mount file, once. */
static apr_array_header_t *all_rules(setup *s)
{
    apr_array_header_t *rules = apr_array_make(s->pool, 8, sizeof(const jk_uri_rule *));
    apr_array_header_t *servers = all_servers(s);
    apr_hash_index_t *hi;
    for (int i = 0; i < servers->nelts; i++) {
        const jk_uri_map *m = APR_ARRAY_IDX(servers, i, ctl_server *)->mounts;
        for (int j = 0; j < m->rules->nelts; j++)
            APR_ARRAY_PUSH(rules, const jk_uri_rule *) = &APR_ARRAY_IDX(m->rules, j, jk_uri_rule);
    }
    for (hi = apr_hash_first(s->pool, s->mount_maps); hi; hi = apr_hash_next(hi)) {
        const jk_uri_map *m = apr_hash_this_val(hi);
        for (int j = 0; j < m->rules->nelts; j++)
            APR_ARRAY_PUSH(rules, const jk_uri_rule *) = &APR_ARRAY_IDX(m->rules, j, jk_uri_rule);
    }
    return rules;
}

static const char *rule_kind(const jk_uri_rule *r)
{
    if (r->source == JK_RULE_FROM_MOUNTFILE)
        return r->exclude ? "rule !" : "rule ";
    return r->exclude ? "JkUnMount " : "JkMount ";
}

/* A member mounted directly: its requests skip the balancer (no failover, no stickiness). */
static void lint_member_mounts(setup *s, const apr_array_header_t *rules)
{
    for (int i = 0; i < rules->nelts; i++) {
        const jk_uri_rule *r = APR_ARRAY_IDX(rules, i, const jk_uri_rule *);
        const jk_worker_config *w = jk_config_find(s->config, r->worker);
        apr_array_header_t *lbs;
        if (r->exclude || r->disabled || w == NULL || !w->mountable || w->type != JK_TYPE_AJP13)
            continue;
        lbs = lbs_of(s, w->name);
        if (lbs->nelts > 0)
            diags_addf(s->diags, 0, r->file, r->line, "%s%s sends requests straight to %s, a "
                       "member of lb %s: they bypass the balancer (no failover, and sessions of "
                       "other members break there)", rule_kind(r), r->pattern, w->name,
                       APR_ARRAY_IDX(lbs, 0, jk_worker_config *)->name);
    }
}

static int location_covers(const ctl_location *loc, const char *pattern)
{
    apr_size_t n = strlen(loc->path);
    if (!loc->guarded || loc->regex || n == 0)
        return 0;
    return strncmp(pattern, loc->path, n) == 0 || (loc->path[n - 1] == '/' &&
                                                    strncmp(pattern, loc->path, n - 1) == 0);
}

static int rule_guarded(setup *s, const jk_uri_rule *r)
{
    const ctl_location *own = apr_hash_get(s->httpd->rule_location,
                                           place(s->pool, r->file, r->line), APR_HASH_KEY_STRING);
    if (own && own->guarded)
        return 1;
    for (int i = 0; i < s->httpd->locations->nelts; i++)
        if (location_covers(APR_ARRAY_IDX(s->httpd->locations, i, ctl_location *), r->pattern))
            return 1;
    return 0;
}

/* A status worker anyone can reach, and that lets them change members. */
static void lint_status_access(setup *s, const apr_array_header_t *rules)
{
    if (s->opt->httpd_conf == NULL)
        return; /* without httpd.conf there is no <Location> to look at */
    for (int i = 0; i < rules->nelts; i++) {
        const jk_uri_rule *r = APR_ARRAY_IDX(rules, i, const jk_uri_rule *);
        const jk_worker_config *w = jk_config_find(s->config, r->worker);
        if (r->exclude || r->disabled || w == NULL || w->type != JK_TYPE_STATUS ||
            w->read_only || w->users || rule_guarded(s, r))
            continue;
        diags_addf(s->diags, 0, r->file, r->line, "status worker %s is mounted at %s with no "
                   "access control in sight: anyone who reaches httpd can stop members; put it "
                   "in a <Location> with Require ip 127.0.0.1, or set read_only or user",
                   w->name, r->pattern);
    }
}

/* A route inherited through `reference`: every member of a template gets the same one. */
static void lint_inherited_route(setup *s, const jk_worker_config *lb, const jk_worker_config *m)
{
    const jk_prop *p = chain_prop_any(s, m->name, "route", "jvm_route");
    if (p == NULL || is_own(s, p, m->name))
        return;
    lint_at(s, own_prop(s, m->name, "reference"), m, "member %s of lb %s takes route '%s' from "
            "%s by reference: each member needs a route of its own, equal to its Tomcat's "
            "<Engine jvmRoute>; set worker.%s.route", m->name, lb->name, m->route, p->key,
            m->name);
}

static void lint_same_endpoint(setup *s, const jk_worker_config *lb)
{
    for (int i = 0; i < lb->members->nelts; i++)
        for (int j = i + 1; j < lb->members->nelts; j++) {
            const jk_worker_config *x = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
            const jk_worker_config *y = APR_ARRAY_IDX(lb->members, j, jk_worker_config *);
            if (strcmp(x->host, y->host) != 0 || x->port != y->port)
                continue;
            lint_at(s, members_prop(s, lb), lb, "members %s and %s of lb %s both connect to "
                    "%s:%d: one Tomcat behind two members balances nothing and has one "
                    "jvmRoute, so one member's sessions never stick", x->name, y->name,
                    lb->name, x->host, x->port);
        }
}

static void lint_partial_secret(setup *s, const jk_worker_config *lb)
{
    apr_array_header_t *with = apr_array_make(s->pool, 2, sizeof(const char *));
    apr_array_header_t *without = apr_array_make(s->pool, 2, sizeof(const char *));
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        push_str(m->secret ? with : without, m->name);
    }
    if (with->nelts == 0 || without->nelts == 0)
        return;
    lint_at(s, members_prop(s, lb), lb, "in lb %s, %s %s a secret but %s %s none: a Tomcat "
            "that requires one (secretRequired) refuses every request without it (403)",
            lb->name, join(s->pool, with, ", "), with->nelts > 1 ? "have" : "has",
            join(s->pool, without, ", "), without->nelts > 1 ? "have" : "has");
}

static void lint_no_active_member(setup *s, const jk_worker_config *lb)
{
    for (int i = 0; i < lb->members->nelts; i++)
        if (APR_ARRAY_IDX(lb->members, i, jk_worker_config *)->activation ==
            JK_ACTIVATION_ACTIVE)
            return;
    if (lb->members->nelts > 0)
        lint_at(s, members_prop(s, lb), lb, "no member of lb %s is Active: every request "
                "without a session gets 503", lb->name);
}

static void lint_lb(setup *s, const jk_worker_config *lb)
{
    if (lb->members == NULL)
        return; /* an lb named as a member: already an error */
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        lint_inherited_route(s, lb, m);
    }
    lint_same_endpoint(s, lb);
    lint_partial_secret(s, lb);
    lint_no_active_member(s, lb);
}

static void lint_pool_timeout(setup *s, const jk_worker_config *w)
{
    const jk_prop *t = chain_prop_any(s, w->name, "connection_pool_timeout", "cache_timeout");
    if (t == NULL || w->connection_pool_timeout <= 0 ||
        chain_prop(s, w->name, "connection_pool_minsize"))
        return;
    lint_at(s, t, w, "%s is set but connection_pool_minsize is not: (connection_pool_size + 1) "
            "/ 2 idle connections stay open past the timeout, where Tomcat's connectionTimeout "
            "closes them; set %.*s.connection_pool_minsize=0", t->key,
            (int)(strrchr(t->key, '.') - t->key), t->key);
}

/* Keys in milliseconds with a value that reads like seconds (below 100), and the reverse. */
static void lint_units(setup *s, const jk_worker_config *w)
{
    static const char *const ms_keys[] = {
        "socket_connect_timeout", "reply_timeout", "ping_timeout", "connect_timeout",
        "prepost_timeout", "connection_acquire_timeout", NULL
    };
    static const char *const s_keys[] = { "socket_timeout", "connection_pool_timeout", NULL };
    for (int i = 0; ms_keys[i]; i++) {
        const jk_prop *p = chain_prop(s, w->name, ms_keys[i]);
        int v = p ? atoi(p->value) : 0;
        if (v > 0 && v < 100)
            lint_at(s, p, w, "%s is in milliseconds: %d ms is very short; for %d seconds write "
                    "%d", p->key, v, v, v * 1000);
    }
    for (int i = 0; s_keys[i]; i++) {
        const jk_prop *p = chain_prop(s, w->name, s_keys[i]);
        int v = p ? atoi(p->value) : 0;
        if (v >= 10000)
            lint_at(s, p, w, "%s is in seconds: %d s is over %d hours (Tomcat's timeouts are in "
                    "milliseconds; for %d ms write %d)", p->key, v, v / 3600, v, v / 1000);
    }
}

static void lint_packet_size(setup *s, const jk_worker_config *w)
{
    const jk_prop *p = chain_prop(s, w->name, "max_packet_size");
    int written;
    if (p == NULL || jk_config_parse_int(p->value, 1, 65536, &written) != 0 ||
        written == w->max_packet_size)
        return;
    lint_at(s, p, w, "max_packet_size %d is used as %d (a multiple of 1024 within "
            "8192..65536); Tomcat's packetSize must be %d", written, w->max_packet_size,
            w->max_packet_size);
}

/* Keys of the worker itself that its type never reads. */
static void lint_type_keys(setup *s, const jk_worker_config *w)
{
    const char *prefix = apr_pstrcat(s->pool, WORKER_PREFIX, w->name, ".", NULL);
    for (int i = 0; i < s->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(s->props->items, i, jk_prop);
        const jk_key_def *k;
        if (!starts_with(p->key, prefix) ||
            (k = jk_config_key(p->key + strlen(prefix))) == NULL ||
            (k->applies & type_bit(w->type)))
            continue;
        lint_at(s, p, w, "%s applies to %s workers; %s is of type %s, so it has no effect",
                k->name, applies_text(s->pool, k->applies, " and "), w->name, type_name(w->type));
    }
}

/* lb member settings on a worker that is in no lb. */
static void lint_member_keys(setup *s, const jk_worker_config *w)
{
    static const char *const member_keys[] = {
        "lbfactor", "route", "jvm_route", "domain", "redirect", "distance", "activation",
        "disabled", "stopped", NULL
    };
    if (w->type != JK_TYPE_AJP13 || lbs_of(s, w->name)->nelts > 0)
        return;
    for (int i = 0; member_keys[i]; i++) {
        const jk_prop *p = own_prop(s, w->name, member_keys[i]);
        if (p)
            lint_at(s, p, w, "%s only matters to an lb worker, and %s is a member of none: "
                    "it has no effect%s", p->key, w->name,
                    strcmp(member_keys[i], "activation") == 0 ? " (the worker keeps serving "
                    "its own mounts)" : "");
    }
}

/* Every $(name) written in the files that gave properties (before substitution). */
static apr_hash_t *variables_used(setup *s)
{
    apr_hash_t *files = apr_hash_make(s->pool), *used = apr_hash_make(s->pool);
    for (int i = 0; i < s->props->items->nelts; i++) {
        const char *file = APR_ARRAY_IDX(s->props->items, i, jk_prop).file;
        const apr_array_header_t *lines;
        if (apr_hash_get(files, file, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(files, file, APR_HASH_KEY_STRING, file);
        source_line(s, file, 1);
        lines = apr_hash_get(s->line_cache, file, APR_HASH_KEY_STRING);
        for (int j = 0; j < lines->nelts; j++) {
            const char *line = APR_ARRAY_IDX(lines, j, const char *), *end;
            const char *start = apr_pstrndup(s->pool, line, strcspn(line, "#"));
            while ((start = strstr(start, "$(")) != NULL && (end = strchr(start, ')')) != NULL) {
                const char *name = apr_pstrndup(s->pool, start + 2, (apr_size_t)(end - start - 2));
                apr_hash_set(used, name, APR_HASH_KEY_STRING, name);
                start = end;
            }
        }
    }
    return used;
}

/* Names outside worker.* are variables; one nothing uses is usually a misspelt key. */
static void lint_stray_names(setup *s)
{
    apr_hash_t *used = variables_used(s);
    for (int i = 0; i < s->props->items->nelts; i++) {
        const jk_prop *p = &APR_ARRAY_IDX(s->props->items, i, jk_prop);
        /* One that reads like a worker key is the validator's error (a misspelt key). */
        if (strncasecmp(p->key, "worker", 6) == 0 || apr_hash_get(used, p->key, APR_HASH_KEY_STRING))
            continue;
        diags_addf(s->diags, 0, p->file, p->line, "'%s' does not start with 'worker.', so it is "
                   "a variable for $(%s), but nothing uses it", p->key, p->key);
    }
}

/* What mod_jk.log says at start-up about keys the module accepts but does not act on. */
static void lint_ignored_keys(setup *s, const jk_worker_config *w)
{
    for (int i = 0; w->ignored_keys && i < w->ignored_keys->nelts; i++) {
        const char *key = APR_ARRAY_IDX(w->ignored_keys, i, const char *);
        lint_at(s, chain_prop(s, w->name, key), w, "worker %s: %s is accepted but has no "
                "effect in this version", w->name, key);
    }
}

static void run_lints(setup *s)
{
    apr_array_header_t *rules = all_rules(s);
    for (int i = 0; i < s->config->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(s->config->workers, i, jk_worker_config *);
        lint_type_keys(s, w);
        lint_ignored_keys(s, w);
        if (w->type == JK_TYPE_LB) {
            lint_lb(s, w);
            continue;
        }
        if (w->type != JK_TYPE_AJP13)
            continue;
        lint_member_keys(s, w);
        lint_pool_timeout(s, w);
        lint_units(s, w);
        lint_packet_size(s, w);
    }
    lint_member_mounts(s, rules);
    lint_status_access(s, rules);
    lint_stray_names(s);
}

static int cmd_check(apr_pool_t *p, const options *o)
{
    const char *workers = o->workers;
    apr_array_header_t *extra = apr_array_make(p, 2, sizeof(const char *));
    setup *s;
    for (int i = 0; i < o->args->nelts; i++) {
        const char *arg = APR_ARRAY_IDX(o->args, i, const char *);
        if (workers == NULL)
            workers = arg;
        else
            push_str(extra, arg);
    }
    if (workers == NULL && o->httpd_conf == NULL)
        usage_error("check needs a workers.properties file or --httpd-conf");
    s = load_setup(p, o, workers, extra);
    run_lints(s);
    diags_print(s->diags, stdout, 0);
    printf("%d error%s, %d warning%s\n", s->diags->errors, s->diags->errors == 1 ? "" : "s",
           s->diags->warnings, s->diags->warnings == 1 ? "" : "s");
    if (s->diags->errors)
        return EXIT_ERRORS;
    return o->strict && s->diags->warnings ? EXIT_WARNINGS : EXIT_CLEAN;
}

/* ------------------------------------------------------------------ */
/* show: effective values and where they come from                      */

typedef enum field_kind {
    FK_INT, FK_BOOL, FK_STR, FK_SECRET, FK_TYPE, FK_PING, FK_ACTIVATION, FK_METHOD, FK_LOCK,
    FK_CODES, FK_USERS, FK_MEMBERS, FK_POOL_SIZE, FK_POOL_MIN
} field_kind;

typedef struct field {
    const char *key;
    field_kind kind;
    size_t offset;
} field;

#define FIELD(key, kind, member) { key, kind, offsetof(jk_worker_config, member) }

static const field fields[] = {
    FIELD("type", FK_TYPE, type),
    FIELD("host", FK_STR, host),
    FIELD("port", FK_INT, port),
    FIELD("socket_timeout", FK_INT, socket_timeout),
    FIELD("socket_connect_timeout", FK_INT, socket_connect_timeout),
    FIELD("socket_keepalive", FK_BOOL, socket_keepalive),
    FIELD("connection_pool_size", FK_POOL_SIZE, connection_pool_size),
    FIELD("connection_pool_minsize", FK_POOL_MIN, connection_pool_minsize),
    FIELD("connection_pool_timeout", FK_INT, connection_pool_timeout),
    FIELD("connection_acquire_timeout", FK_INT, connection_acquire_timeout),
    FIELD("retries", FK_INT, retries),
    FIELD("retry_interval", FK_INT, retry_interval),
    FIELD("max_packet_size", FK_INT, max_packet_size),
    FIELD("reply_timeout", FK_INT, reply_timeout),
    FIELD("secret", FK_SECRET, secret),
    FIELD("source", FK_STR, source),
    FIELD("prefer_ipv6", FK_BOOL, prefer_ipv6),
    FIELD("socket_buffer", FK_INT, socket_buffer),
    FIELD("ping_mode", FK_PING, ping_mode),
    FIELD("ping_timeout", FK_INT, ping_timeout),
    FIELD("connection_ping_interval", FK_INT, connection_ping_interval),
    FIELD("connect_timeout", FK_INT, connect_timeout),
    FIELD("prepost_timeout", FK_INT, prepost_timeout),
    FIELD("recovery_options", FK_INT, recovery_options),
    FIELD("fail_on_status", FK_CODES, fail_on_status),
    FIELD("busy_limit", FK_INT, busy_limit),
    FIELD("lbfactor", FK_INT, lbfactor),
    FIELD("route", FK_STR, route),
    FIELD("domain", FK_STR, domain),
    FIELD("redirect", FK_STR, redirect),
    FIELD("distance", FK_INT, distance),
    FIELD("activation", FK_ACTIVATION, activation),
    FIELD("balance_workers", FK_MEMBERS, members),
    FIELD("sticky_session", FK_BOOL, sticky_session),
    FIELD("sticky_session_force", FK_BOOL, sticky_session_force),
    FIELD("method", FK_METHOD, method),
    FIELD("lock", FK_LOCK, lock),
    FIELD("lb_retries", FK_INT, lb_retries),
    FIELD("recover_time", FK_INT, recover_time),
    FIELD("error_escalation_time", FK_INT, error_escalation_time),
    FIELD("max_reply_timeouts", FK_INT, max_reply_timeouts),
    FIELD("session_cookie", FK_STR, session_cookie),
    FIELD("session_path", FK_STR, session_path),
    FIELD("css", FK_STR, css),
    FIELD("read_only", FK_BOOL, read_only),
    FIELD("user", FK_USERS, users),
    FIELD("user_case_insensitive", FK_BOOL, user_case_insensitive),
    FIELD("good", FK_STR, good),
    FIELD("bad", FK_STR, bad),
    FIELD("prefix", FK_STR, prefix),
    FIELD("ns", FK_STR, ns),
    FIELD("xmlns", FK_STR, xmlns),
    FIELD("doctype", FK_STR, doctype),
    { NULL, FK_INT, 0 }
};

static const field *find_field(const char *key)
{
    for (const field *f = fields; f->key; f++)
        if (strcmp(f->key, key) == 0)
            return f;
    return NULL;
}

typedef struct row {
    const char *key;
    const char *value;      /* NULL: not set */
    const char *source;
} row;

static const char *ping_letters(apr_pool_t *p, unsigned mode)
{
    if (mode == 0)
        return "none";
    return apr_pstrcat(p, (mode & JK_PING_CONNECT) ? "C" : "", (mode & JK_PING_PREPOST) ? "P" : "",
                       (mode & JK_PING_INTERVAL) ? "I" : "", NULL);
}

static const char *codes_text(apr_pool_t *p, const apr_array_header_t *codes)
{
    apr_array_header_t *items;
    if (codes == NULL || codes->nelts == 0)
        return NULL;
    items = apr_array_make(p, codes->nelts, sizeof(const char *));
    for (int i = 0; i < codes->nelts; i++)
        push_str(items, apr_itoa(p, APR_ARRAY_IDX(codes, i, int)));
    return join(p, items, ",");
}

static const char *members_text(apr_pool_t *p, const apr_array_header_t *members)
{
    apr_array_header_t *names = apr_array_make(p, 4, sizeof(const char *));
    for (int i = 0; members && i < members->nelts; i++)
        push_str(names, APR_ARRAY_IDX(members, i, jk_worker_config *)->name);
    return names->nelts ? join(p, names, ",") : NULL;
}

static int int_at(const jk_worker_config *w, size_t offset)
{
    int v;
    memcpy(&v, (const char *)w + offset, sizeof(v));
    return v;
}

static const void *ptr_at(const jk_worker_config *w, size_t offset)
{
    const void *v;
    memcpy(&v, (const char *)w + offset, sizeof(v));
    return v;
}

/* The effective value as text; NULL when it is not set. */
static const char *field_value(apr_pool_t *p, const jk_worker_config *w, const field *f,
                               int show_secrets)
{
    const char *str;
    switch (f->kind) {
    case FK_INT: return apr_itoa(p, int_at(w, f->offset));
    case FK_BOOL: return int_at(w, f->offset) ? "true" : "false";
    case FK_STR:
        str = ptr_at(w, f->offset);
        return str && *str ? str : NULL;
    case FK_SECRET:
        str = ptr_at(w, f->offset);
        return str ? (show_secrets ? str : "(set)") : NULL;
    case FK_TYPE: return type_name(w->type);
    case FK_PING: return ping_letters(p, w->ping_mode);
    case FK_ACTIVATION: return jk_config_activation_name(w->activation);
    case FK_METHOD: return jk_config_method_name(w->method);
    case FK_LOCK: return w->lock == JK_LB_LOCK_PESSIMISTIC ? "Pessimistic" : "Optimistic";
    case FK_CODES: return codes_text(p, w->fail_on_status);
    case FK_USERS: return w->users ? join(p, w->users, ",") : NULL;
    case FK_MEMBERS: return members_text(p, w->members);
    case FK_POOL_SIZE: return w->connection_pool_size > 0 ? apr_itoa(p, w->connection_pool_size)
                                                         : "auto";
    case FK_POOL_MIN: return w->connection_pool_minsize >= 0
                                ? apr_itoa(p, w->connection_pool_minsize) : "auto";
    }
    return NULL;
}

/* "$(port) from workers.properties:2" for each variable the source line uses. */
static const char *variable_notes(setup *s, const jk_prop *p)
{
    const char *text = source_line(s, p->file, p->line), *start, *end, *notes = "";
    if (text == NULL)
        return "";
    for (start = strstr(text, "$("); start && (end = strchr(start, ')')) != NULL;
         start = strstr(end, "$(")) {
        const char *name = apr_pstrndup(s->pool, start + 2, (apr_size_t)(end - start - 2));
        const jk_prop *var = jk_props_get(s->props, name);
        notes = apr_psprintf(s->pool, "%s; $(%s) from %s", notes, name,
                             var ? place(s->pool, var->file, var->line) : "the environment");
    }
    return notes;
}

/* "workers.properties:12 (worker.tmpl.port, by reference; $(p) from ...)". */
static const char *prop_source(setup *s, const jk_worker_config *w, const jk_key_def *k,
                               const jk_prop *p)
{
    const char *notes = "";
    const char *suffix = strrchr(p->key, '.') + 1;
    if (!is_own(s, p, w->name))
        notes = apr_psprintf(s->pool, "; %s, by reference", p->key);
    else if (strcmp(suffix, k->name) != 0)
        notes = apr_psprintf(s->pool, "; as %s, an old spelling", suffix);
    if (strcmp(k->name, "max_packet_size") == 0 && atoi(p->value) != w->max_packet_size)
        notes = apr_psprintf(s->pool, "%s; %s rounded", notes, p->value);
    notes = apr_pstrcat(s->pool, notes, variable_notes(s, p), NULL);
    return *notes ? apr_psprintf(s->pool, "%s (%s)", place(s->pool, p->file, p->line), notes + 2)
                  : place(s->pool, p->file, p->line);
}

/* The properties a key was read from: itself and its old spellings. */
static apr_array_header_t *key_props(setup *s, const jk_worker_config *w, const jk_key_def *k)
{
    apr_array_header_t *found = apr_array_make(s->pool, 2, sizeof(const jk_prop *));
    const jk_prop *p = chain_prop(s, w->name, k->name);
    if (p)
        APR_ARRAY_PUSH(found, const jk_prop *) = p;
    for (const jk_key_def *old = jk_config_keys(); old->name; old++)
        if (old->replaced_by && strcmp(old->replaced_by, k->name) == 0 &&
            (p = chain_prop(s, w->name, old->name)) != NULL)
            APR_ARRAY_PUSH(found, const jk_prop *) = p;
    return found;
}

/* The lb whose secret a member uses. */
static const char *secret_source(setup *s, const jk_worker_config *w)
{
    apr_array_header_t *lbs = lbs_of(s, w->name);
    for (int i = 0; i < lbs->nelts; i++) {
        const jk_worker_config *lb = APR_ARRAY_IDX(lbs, i, jk_worker_config *);
        const jk_prop *p = chain_prop(s, lb->name, "secret");
        if (p && lb->secret == w->secret)
            return apr_psprintf(s->pool, "from lb %s: %s", lb->name,
                                place(s->pool, p->file, p->line));
    }
    return "derived";
}

/* No property: a default, or a value the module derives from other keys. */
static const char *derived_source(setup *s, const jk_worker_config *w, const jk_key_def *k,
                                  const char *value)
{
    const char *key = k->name;
    if (strcmp(key, "secret") == 0 && w->secret)
        return secret_source(s, w);
    if (strcmp(key, "domain") == 0 && value)
        return apr_psprintf(s->pool, "from route '%s' (its part before '.')", w->route);
    if (strcmp(key, "connect_timeout") == 0 && w->connect_timeout > 0)
        return "ping_timeout, as ping_mode has C";
    if (strcmp(key, "prepost_timeout") == 0 && w->prepost_timeout > 0)
        return "ping_timeout, as ping_mode has P";
    if (strcmp(key, "connection_ping_interval") == 0 && w->connection_ping_interval > 0)
        return "ping_timeout / 100 s, as ping_mode has I";
    if (strcmp(key, "ping_mode") == 0 && w->ping_mode)
        return "from connect_timeout, prepost_timeout or connection_ping_interval";
    if (k->default_text == NULL || (value && strcmp(value, k->default_text) == 0))
        return "default";
    return apr_psprintf(s->pool, "default: %s", k->default_text);
}

static const char *row_source(setup *s, const jk_worker_config *w, const jk_key_def *k,
                              const char *value)
{
    apr_array_header_t *found = key_props(s, w, k);
    const char *out = "";
    if (found->nelts == 0)
        return derived_source(s, w, k, value);
    for (int i = 0; i < found->nelts; i++)
        out = apr_pstrcat(s->pool, out, i ? "; " : "",
                          prop_source(s, w, k, APR_ARRAY_IDX(found, i, const jk_prop *)), NULL);
    return out;
}

static void push_row(apr_array_header_t *rows, const char *key, const char *value,
                     const char *source)
{
    row *r = apr_array_push(rows);
    r->key = key;
    r->value = value;
    r->source = source;
}

/* A key the module accepts but does not act on: shown only when set. */
static void ignored_row(setup *s, apr_array_header_t *rows, const jk_worker_config *w,
                        const jk_key_def *k)
{
    const jk_prop *p = chain_prop(s, w->name, k->name);
    if (p)
        push_row(rows, k->name, p->value, apr_pstrcat(s->pool, prop_source(s, w, k, p),
                                                      "; accepted, no effect", NULL));
}

static apr_array_header_t *worker_rows(setup *s, const jk_worker_config *w)
{
    apr_array_header_t *rows = apr_array_make(s->pool, 40, sizeof(row));
    const jk_prop *ref = own_prop(s, w->name, "reference");
    for (const jk_key_def *k = jk_config_keys(); k->name; k++) {
        const field *f = find_field(k->name);
        const char *value;
        if (!(k->applies & type_bit(w->type)) || (k->replaced_by && (k->flags & JK_KEY_DEPRECATED)))
            continue;
        if (strcmp(k->name, "reference") == 0) {
            if (ref)
                push_row(rows, k->name, ref->value, place(s->pool, ref->file, ref->line));
            continue;
        }
        if ((k->flags & JK_KEY_IGNORED) || f == NULL) {
            ignored_row(s, rows, w, k);
            continue;
        }
        value = field_value(s->pool, w, f, s->opt->show_secrets);
        push_row(rows, k->name, value, row_source(s, w, k, value));
    }
    return rows;
}

static const char *worker_facts(setup *s, const jk_worker_config *w)
{
    apr_array_header_t *facts = apr_array_make(s->pool, 3, sizeof(const char *));
    apr_array_header_t *lbs = lbs_of(s, w->name);
    if (w->mountable)
        push_str(facts, "in worker.list");
    for (int i = 0; i < lbs->nelts; i++)
        push_str(facts, apr_psprintf(s->pool, "member of %s",
                                     APR_ARRAY_IDX(lbs, i, jk_worker_config *)->name));
    push_str(facts, apr_psprintf(s->pool, "named at %s", place(s->pool, w->file, w->line)));
    return join(s->pool, facts, ", ");
}

static apr_array_header_t *global_rows(setup *s)
{
    apr_array_header_t *rows = apr_array_make(s->pool, 2, sizeof(row));
    const jk_prop *list = jk_props_get(s->props, "worker.list");
    const jk_prop *maintain = jk_props_get(s->props, "worker.maintain");
    push_row(rows, "worker.list", join(s->pool, s->config->list, ","),
             list ? place(s->pool, list->file, list->line) : "default");
    push_row(rows, "worker.maintain", apr_itoa(s->pool, s->config->maintain),
             maintain ? place(s->pool, maintain->file, maintain->line) : "default");
    return rows;
}

static void print_rows_text(const apr_array_header_t *rows)
{
    int width = 0;
    for (int i = 0; i < rows->nelts; i++) {
        const row *r = &APR_ARRAY_IDX(rows, i, row);
        int n = (int)strlen(r->value ? r->value : "(none)");
        if (n > width)
            width = n > 40 ? 40 : n;
    }
    for (int i = 0; i < rows->nelts; i++) {
        const row *r = &APR_ARRAY_IDX(rows, i, row);
        printf("  %-27s %-*s  %s\n", r->key, width, r->value ? r->value : "(none)", r->source);
    }
}

static void print_rows_tsv(const char *worker, const apr_array_header_t *rows)
{
    for (int i = 0; i < rows->nelts; i++) {
        const row *r = &APR_ARRAY_IDX(rows, i, row);
        printf("%s\t%s\t%s\t%s\n", worker, r->key, r->value ? r->value : "", r->source);
    }
}

static int wanted(const apr_array_header_t *names, const char *name)
{
    if (names->nelts == 0)
        return 1;
    for (int i = 0; i < names->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(names, i, const char *), name) == 0)
            return 1;
    return 0;
}

static void show_worker(setup *s, const jk_worker_config *w, int tsv)
{
    apr_array_header_t *rows = worker_rows(s, w);
    if (tsv) {
        print_rows_tsv(w->name, rows);
        return;
    }
    printf("\n%s: %s (%s)\n", w->name, type_name(w->type), worker_facts(s, w));
    print_rows_text(rows);
}

/* Errors that would stop httpd, on stderr (show and map print their answer anyway). */
static int report_errors(const setup *s)
{
    if (s->diags->errors == 0)
        return EXIT_CLEAN;
    diags_print(s->diags, stderr, 1);
    fprintf(stderr, "jkctl: the configuration has %d error%s; httpd would not start\n",
            s->diags->errors, s->diags->errors == 1 ? "" : "s");
    return EXIT_ERRORS;
}

static void show_globals(setup *s, int tsv)
{
    if (tsv) {
        print_rows_tsv("(global)", global_rows(s));
        return;
    }
    printf("global\n");
    print_rows_text(global_rows(s));
}

/* The workers named (all when none is); 1 when a name is no worker in use. */
static int show_workers(setup *s, const apr_array_header_t *names, int tsv)
{
    int missing = 0;
    if (names->nelts == 0)
        show_globals(s, tsv);
    for (int i = 0; i < s->config->workers->nelts; i++) {
        const jk_worker_config *w = APR_ARRAY_IDX(s->config->workers, i, jk_worker_config *);
        if (wanted(names, w->name))
            show_worker(s, w, tsv);
    }
    for (int i = 0; i < names->nelts; i++)
        if (jk_config_find(s->config, APR_ARRAY_IDX(names, i, const char *)) == NULL) {
            fprintf(stderr, "jkctl: no worker named %s is in use\n",
                    APR_ARRAY_IDX(names, i, const char *));
            missing = 1;
        }
    return missing;
}

static int cmd_show(apr_pool_t *p, const options *o)
{
    const char *workers = o->workers;
    apr_array_header_t *names = apr_array_make(p, 2, sizeof(const char *));
    int missing, rc;
    setup *s;

    /* Without --workers or --httpd-conf, the first argument is the file. */
    for (int i = 0; i < o->args->nelts; i++) {
        const char *arg = APR_ARRAY_IDX(o->args, i, const char *);
        if (workers == NULL && o->httpd_conf == NULL)
            workers = arg;
        else
            push_str(names, arg);
    }
    if (workers == NULL && o->httpd_conf == NULL)
        usage_error("show needs a workers.properties file or --httpd-conf");
    s = load_setup(p, o, workers, NULL);
    missing = show_workers(s, names, o->format && strcmp(o->format, "tsv") == 0);
    rc = report_errors(s);
    return rc != EXIT_CLEAN ? rc : missing ? EXIT_WARNINGS : EXIT_CLEAN;
}

/* ------------------------------------------------------------------ */
/* map: which rule, which worker, which member                          */

typedef struct request {
    const char *url;
    const char *host;       /* from --vhost or the URL; NULL: the main server */
    const char *raw_path;   /* as the client sends it, without the query */
    const char *path;       /* decoded, as httpd hands it to the module (r->uri) */
    const char *resolved;   /* what the module matches (jk_uri_normalize) */
    int status;             /* httpd's answer before any mapping, or 0 */
    const char *why;
} request;

static void parse_url(apr_pool_t *p, const char *url, request *rq)
{
    const char *s = strstr(url, "://");
    if (s) {
        const char *authority = s + 3, *end = authority + strcspn(authority, "/?#"), *at;
        const char *host = apr_pstrndup(p, authority, (apr_size_t)(end - authority));
        if ((at = strrchr(host, '@')) != NULL)
            host = at + 1;
        rq->host = bare_host(p, host);
        s = end;
    } else {
        s = url;
    }
    rq->raw_path = apr_pstrndup(p, s, strcspn(s, "?#"));
    if (*rq->raw_path == '\0')
        rq->raw_path = "/";
}

static int hex_value(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_isxdigit(c) ? apr_tolower(c) - 'a' + 10 : -1;
}

/* As httpd's ap_unescape_url() with AllowEncodedSlashes Off (its default). */
static void decode_path(apr_pool_t *p, request *rq)
{
    char *out = apr_palloc(p, strlen(rq->raw_path) + 1), *o = out;
    for (const char *c = rq->raw_path; *c; c++) {
        int hi, lo;
        if (*c != '%') {
            *o++ = *c;
            continue;
        }
        if ((hi = hex_value(c[1])) < 0 || (lo = hex_value(c[2])) < 0) {
            rq->status = 400;
            rq->why = "a '%' not followed by two hex digits";
            return;
        }
        if (hi * 16 + lo == '/' || hi * 16 + lo == 0) {
            rq->status = 404;
            rq->why = "an encoded '/' or NUL (AllowEncodedSlashes Off, httpd's default)";
            return;
        }
        *o++ = (char)(hi * 16 + lo);
        c += 2;
    }
    *o = '\0';
    rq->path = out;
}

static int server_named(const ctl_server *srv, const char *host)
{
    if (srv->name && strcasecmp(srv->name, host) == 0)
        return 1;
    for (int i = 0; i < srv->aliases->nelts; i++)
        if (apr_fnmatch(APR_ARRAY_IDX(srv->aliases, i, const char *), host,
                        APR_FNM_CASE_BLIND) == APR_SUCCESS)
            return 1;
    return 0;
}

/* As name-based virtual hosting picks one (all vhosts assumed on one address). */
static const ctl_server *pick_server(setup *s, const char *host, const char **note)
{
    const apr_array_header_t *v = s->httpd->vhosts;
    *note = NULL;
    if (host == NULL || v->nelts == 0) {
        if (v->nelts > 0)
            *note = "no Host given: the main server's rules (give --vhost NAME for a vhost's)";
        return s->httpd->main;
    }
    for (int i = 0; i < v->nelts; i++)
        if (server_named(APR_ARRAY_IDX(v, i, ctl_server *), host))
            return APR_ARRAY_IDX(v, i, ctl_server *);
    *note = apr_psprintf(s->pool, "no <VirtualHost> is named %s: httpd uses the first one "
                         "(assuming all share one address)", host);
    return APR_ARRAY_IDX(v, 0, ctl_server *);
}

static const char *server_text(apr_pool_t *p, const ctl_server *srv)
{
    if (!srv->is_vhost)
        return "main server";
    return apr_psprintf(p, "vhost %s (%s)", srv->name ? srv->name : "without ServerName",
                        place(p, srv->file, srv->line));
}

static const char *ext_item(apr_pool_t *p, const char *name, const char *value)
{
    return value ? apr_pstrcat(p, ";", name, "=", value, NULL) : "";
}

static const char *ext_flag(apr_pool_t *p, const char *name, int value)
{
    return value >= 0 ? ext_item(p, name, value ? "1" : "0") : "";
}

/* A rule's extensions as they would be written after the worker. */
static const char *ext_text(apr_pool_t *p, const jk_rule_ext *e)
{
    if (e == NULL)
        return "";
    return apr_pstrcat(p,
        e->reply_timeout ? ext_item(p, "reply_timeout", apr_itoa(p, e->reply_timeout)) : "",
        ext_flag(p, "sticky_ignore", e->sticky_ignore), ext_flag(p, "stateless", e->stateless),
        e->use_server_errors ? ext_item(p, "use_server_errors", apr_itoa(p, e->use_server_errors))
                             : "",
        ext_item(p, "active", e->active), ext_item(p, "disabled", e->disabled),
        ext_item(p, "stopped", e->stopped), ext_item(p, "fail_on_status", e->fail_on_status),
        ext_item(p, "session_cookie", e->session_cookie),
        ext_item(p, "session_path", e->session_path),
        ext_flag(p, "set_session_cookie", e->set_session_cookie), NULL);
}

static const char *rule_text(apr_pool_t *p, const jk_uri_rule *r)
{
    const char *where = r->line > 0 ? place(p, r->file, r->line) : r->file;
    if (r->source == JK_RULE_FROM_MOUNTFILE)
        return apr_psprintf(p, "%s%s=%s%s (%s)", r->exclude ? "!" : "", r->pattern, r->worker,
                            ext_text(p, r->ext), where);
    return apr_psprintf(p, "%s %s %s%s (%s)", r->exclude ? "JkUnMount" : "JkMount", r->pattern,
                        r->worker, ext_text(p, r->ext), where);
}

static const jk_uri_rule *find_rule(apr_pool_t *p, const jk_uri_map *rules, const char *path,
                                    int ignore_exclusions)
{
    jk_uri_map *m = jk_uri_map_copy(p, rules);
    if (ignore_exclusions)
        for (int i = 0; i < m->rules->nelts; i++)
            if (APR_ARRAY_IDX(m->rules, i, jk_uri_rule).exclude)
                APR_ARRAY_IDX(m->rules, i, jk_uri_rule).disabled = 1;
    jk_uri_map_prepare(m);
    return jk_uri_map_find(m, path);
}

/* The exclusion that cancels a match for `worker`: each tried alone with the module's matcher. */
static const jk_uri_rule *find_exclusion(apr_pool_t *p, const jk_uri_map *rules,
                                         const char *worker, const char *path)
{
    for (int i = 0; i < rules->rules->nelts; i++) {
        const jk_uri_rule *r = &APR_ARRAY_IDX(rules->rules, i, jk_uri_rule);
        jk_uri_map *one;
        if (!r->exclude || r->disabled ||
            (strcmp(r->worker, "*") != 0 && strcmp(r->worker, worker) != 0))
            continue;
        one = jk_uri_map_create(p);
        jk_uri_map_add(one, p, r->pattern, r->worker, 0, r->source, r->file, r->line);
        jk_uri_map_prepare(one);
        if (jk_uri_map_find(one, path))
            return r;
    }
    return NULL;
}

static void say(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const char *label, const char *fmt, ...)
{
    va_list ap;
    printf("%-9s ", label);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- the lb member a session sticks to (configuration only, no live state) ---- */

static int listed_in(const char *list, const char *name)
{
    apr_size_t n = strlen(name);
    for (const char *p = list; p && (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || strchr(", \t", p[-1])) && (p[n] == '\0' || strchr(", \t", p[n])))
            return 1;
    return 0;
}

/* A member's activation for this rule (its `active=`, `disabled=`, `stopped=` first). */
static jk_activation activation_for(const jk_worker_config *m, const jk_rule_ext *ext)
{
    if (ext && listed_in(ext->stopped, m->name))
        return JK_ACTIVATION_STOPPED;
    if (ext && listed_in(ext->disabled, m->name))
        return JK_ACTIVATION_DISABLED;
    if (ext && listed_in(ext->active, m->name))
        return JK_ACTIVATION_ACTIVE;
    return m->activation;
}

static const jk_worker_config *member_by_route(const jk_worker_config *lb, const char *route)
{
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        if (strcmp(m->route, route) == 0)
            return m;
    }
    return NULL;
}

/* Active members (of `domain`, if given) at the lowest distance: balancing picks among them. */
static const char *candidates(apr_pool_t *p, const jk_worker_config *lb, const char *domain,
                              const jk_rule_ext *ext)
{
    apr_array_header_t *names = apr_array_make(p, 4, sizeof(const char *));
    int best = -1;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < lb->members->nelts; i++) {
            const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
            if (activation_for(m, ext) != JK_ACTIVATION_ACTIVE ||
                (domain && strcmp(m->domain, domain) != 0))
                continue;
            if (pass == 0 && (best < 0 || m->distance < best))
                best = m->distance;
            if (pass == 1 && m->distance == best)
                push_str(names, m->name);
        }
    return names->nelts ? join(p, names, ", ") : NULL;
}

static void say_balanced(apr_pool_t *p, const jk_worker_config *lb, const jk_rule_ext *ext,
                         const char *why)
{
    const char *list = candidates(p, lb, NULL, ext);
    if (list)
        say("member", "by load among %s (%s)", list, why);
    else
        say("member", "none: no member is Active, so the client gets 503 (%s)", why);
}

/* The session's member when it is stopped: force, redirect, domain, or lost. */
static int say_stopped_owner(apr_pool_t *p, const jk_worker_config *lb,
                             const jk_worker_config *owner, const jk_rule_ext *ext)
{
    const jk_worker_config *r = *owner->redirect ? member_by_route(lb, owner->redirect) : NULL;
    const char *list;
    if (lb->sticky_session_force) {
        say("member", "none: %s holds the session but is Stopped, and sticky_session_force "
            "answers 503", owner->name);
        return 1;
    }
    if (r && activation_for(r, ext) != JK_ACTIVATION_STOPPED) {
        say("member", "%s (route %s): the redirect of %s, which holds the session but is "
            "Stopped", r->name, r->route, owner->name);
        return 1;
    }
    if (*owner->domain && (list = candidates(p, lb, owner->domain, ext)) != NULL) {
        say("member", "by load among %s (domain %s of %s, which holds the session but is "
            "Stopped)", list, owner->domain, owner->name);
        return 1;
    }
    return 0;
}

/* One route: 1 when it decides the member. */
static int say_route(apr_pool_t *p, const jk_worker_config *lb, const char *route,
                     const jk_rule_ext *ext)
{
    const jk_worker_config *owner = member_by_route(lb, route);
    const char *dot, *list;
    if (owner == NULL) {
        dot = strchr(route, '.');
        list = candidates(p, lb, dot ? apr_pstrndup(p, route, (apr_size_t)(dot - route)) : route,
                          ext);
        if (list)
            say("member", "by load among %s: no member has route %s, but its domain matches",
                list, route);
        else if (lb->sticky_session_force)
            say("member", "none: no member has route %s, and sticky_session_force answers 503",
                route);
        return list != NULL || lb->sticky_session_force;
    }
    if (activation_for(owner, ext) != JK_ACTIVATION_STOPPED) {
        say("member", "%s (route %s): it holds the session%s", owner->name, owner->route,
            activation_for(owner, ext) == JK_ACTIVATION_DISABLED
                ? "; it is Disabled, and still serves the sessions it holds" : "");
        return 1;
    }
    return say_stopped_owner(p, lb, owner, ext);
}

static jk_header *cookie_headers(apr_pool_t *p, const options *o, int *n)
{
    jk_header *h = apr_pcalloc(p, sizeof(jk_header));
    *n = 0;
    if (o->cookies->nelts == 0)
        return h;
    h->name = "Cookie";
    h->value = join(p, o->cookies, "; ");
    *n = 1;
    return h;
}

static void explain_lb(apr_pool_t *p, const options *o, const request *rq,
                       const jk_worker_config *lb, const jk_rule_ext *ext)
{
    const char *cookie = ext && ext->session_cookie ? ext->session_cookie : lb->session_cookie;
    const char *param = ext && ext->session_path ? ext->session_path : lb->session_path;
    apr_array_header_t *in_path, *ids;
    jk_header *headers;
    int n;

    if (!lb->sticky_session || (ext && ext->sticky_ignore > 0)) {
        say_balanced(p, lb, ext, lb->sticky_session ? "the rule's sticky_ignore: sessions are "
                     "ignored" : "sticky_session is off");
        return;
    }
    headers = cookie_headers(p, o, &n);
    in_path = jk_session_ids(p, rq->path, NULL, 0, NULL, param);
    ids = jk_session_ids(p, rq->path, headers, n, cookie, param);
    for (int i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        const char *route = jk_session_route(id);
        say("session", "%s (%s %s) -> %s", id, i < in_path->nelts ? "path parameter" : "cookie",
            i < in_path->nelts ? param : cookie,
            route ? apr_pstrcat(p, "route ", route, NULL) : "no route (nothing after a '.')");
        if (route && say_route(p, lb, route, ext))
            return;
    }
    say_balanced(p, lb, ext, ids->nelts ? "no session names a usable member" : "no session");
}

static void explain_worker(apr_pool_t *p, setup *s, const request *rq,
                           const jk_worker_config *w, const jk_rule_ext *ext)
{
    if (w->type == JK_TYPE_AJP13) {
        say("worker", "%s (ajp13 to %s:%d)", w->name, w->host, w->port);
        return;
    }
    if (w->type == JK_TYPE_STATUS) {
        say("worker", "%s (status page)", w->name);
        return;
    }
    say("worker", "%s (lb over %s; sticky_session %s)", w->name, members_text(p, w->members),
        w->sticky_session ? "on" : "off");
    if (w->members == NULL)
        return;
    explain_lb(p, s->opt, rq, w, ext);
    say("note", "the configuration only: every member is taken to be up");
}

/* JkOptions RejectUnsafeURI: the vhost's own setting, else the main server's. */
static int rejects_unsafe(const setup *s, const ctl_server *srv)
{
    int v = srv->reject_unsafe != UNSET ? srv->reject_unsafe : s->httpd->main->reject_unsafe;
    return v > 0;
}

/* No rule serves the path: none matches, or an exclusion cancels the one that does. */
static void explain_no_rule(apr_pool_t *p, const jk_uri_map *rules, const char *path)
{
    const jk_uri_rule *match = find_rule(p, rules, path, 1);
    const jk_uri_rule *exclusion = match ? find_exclusion(p, rules, match->worker, path) : NULL;
    if (match && exclusion)
        say("rule", "%s, cancelled by %s", rule_text(p, match), rule_text(p, exclusion));
    else
        say("rule", "none matches");
    say("worker", "none: httpd serves this URL itself");
}

/* The module's jk_translate(), step by step; 1 when the request is forwarded. */
static int explain_mapping(apr_pool_t *p, setup *s, const ctl_server *srv, request *rq)
{
    jk_uri_map *rules = server_rules(s, srv);
    const jk_uri_rule *rule;
    const jk_worker_config *w;
    char *resolved;

    if (rules->rules->nelts == 0) {
        say("rule", "none: this server has no JkMount rules");
        return 0;
    }
    if (jk_uri_normalize(p, rq->path, &resolved) != JK_NORMALIZE_OK) {
        say("worker", "none: the module answers 400 (the path climbs above the root)");
        return 0;
    }
    say("resolved", "%s", resolved);
    if ((rule = find_rule(p, rules, resolved, 0)) == NULL) {
        explain_no_rule(p, rules, resolved);
        return 0;
    }
    say("rule", "%s", rule_text(p, rule));
    w = jk_config_find(s->config, rule->worker);
    if (w == NULL || !w->mountable) {
        say("worker", "%s: not in worker.list, so httpd would not start", rule->worker);
        return 0;
    }
    if (rejects_unsafe(s, srv) && strpbrk(rq->path, "%\\")) {
        say("worker", "none: the module answers 403 (RejectUnsafeURI, and the decoded path "
            "holds '%%' or '\\')");
        return 0;
    }
    explain_worker(p, s, rq, w, rule->ext);
    return 1;
}

static int map_one(apr_pool_t *p, setup *s, const char *url)
{
    request rq;
    const ctl_server *srv;
    const char *note;

    memset(&rq, 0, sizeof(rq));
    rq.url = url;
    parse_url(p, url, &rq);
    if (s->opt->vhost)
        rq.host = s->opt->vhost;
    srv = pick_server(s, rq.host, &note);
    say("url", "%s", url);
    say("server", "%s", server_text(p, srv));
    if (note)
        say("note", "%s", note);
    say("path", "%s", rq.raw_path);
    decode_path(p, &rq);
    if (rq.status) {
        say("worker", "none: httpd answers %d (%s)", rq.status, rq.why);
        return 0;
    }
    if (strcmp(rq.path, rq.raw_path) != 0)
        say("decoded", "%s", rq.path);
    return explain_mapping(p, s, srv, &rq);
}

static int cmd_map(apr_pool_t *p, const options *o)
{
    setup *s;
    int all_forwarded = 1;
    if (o->args->nelts == 0)
        usage_error("map needs a URL");
    if (o->httpd_conf == NULL && o->mounts->nelts == 0 && o->mount_files->nelts == 0)
        usage_error("map needs --httpd-conf, or --mount / --mount-file");
    s = load_setup(p, o, o->workers, NULL);
    for (int i = 0; i < o->args->nelts; i++) {
        if (i > 0)
            putchar('\n');
        all_forwarded &= map_one(p, s, APR_ARRAY_IDX(o->args, i, const char *));
    }
    if (report_errors(s) != EXIT_CLEAN)
        return EXIT_ERRORS;
    return all_forwarded ? EXIT_CLEAN : EXIT_WARNINGS;
}

/* ------------------------------------------------------------------ */
/* keys, directives                                                     */

static const char *status_text(apr_pool_t *p, const jk_key_def *k)
{
    if (k->replaced_by)
        return apr_psprintf(p, "old spelling of %s", k->replaced_by);
    if (k->flags & JK_KEY_IGNORED)
        return "accepted, no effect";
    if (k->flags & JK_KEY_DEPRECATED)
        return "deprecated";
    return "used";
}

static int cmd_keys(apr_pool_t *p, const options *o)
{
    (void)o;
    printf("%-28s %-17s %-38s %s\n", "KEY", "WORKERS", "STATUS", "DEFAULT");
    printf("%-28s %-17s %-38s %s\n", "worker.list", "(global)", "used", JK_DEFAULT_WORKER);
    printf("%-28s %-17s %-38s %s\n", "worker.maintain", "(global)", "used", "60");
    for (const jk_key_def *k = jk_config_keys(); k->name; k++)
        printf("%-28s %-17s %-38s %s\n", k->name, applies_text(p, k->applies, ","),
               status_text(p, k), k->default_text ? k->default_text : "-");
    return EXIT_CLEAN;
}

static int cmd_directives(apr_pool_t *p, const options *o)
{
    (void)p;
    (void)o;
    for (int i = 0; module_directives[i]; i++)
        printf("%s\n", module_directives[i]);
    return EXIT_CLEAN;
}

/* ------------------------------------------------------------------ */

typedef int (*command_fn)(apr_pool_t *p, const options *o);

typedef struct command {
    const char *name;
    command_fn fn;
} command;

static const command commands[] = {
    { "check", cmd_check },
    { "show", cmd_show },
    { "map", cmd_map },
    { "keys", cmd_keys },
    { "directives", cmd_directives },
    { NULL, NULL }
};

static int run(apr_pool_t *p, int argc, const char *const *argv)
{
    const options *o;
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("jkctl %s\n", JKCTL_VERSION);
        return EXIT_CLEAN;
    }
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        }
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0) {
            o = parse_options(p, argc, argv);
            return c->fn(p, o);
        }
    usage_error("unknown command '%s'", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    int rc;
    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS ||
        apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fputs("jkctl: cannot initialise APR\n", stderr);
        return EXIT_ERRORS;
    }
    rc = run(pool, argc, argv);
    fflush(stdout);
    apr_pool_destroy(pool);
    apr_terminate();
    return rc;
}
