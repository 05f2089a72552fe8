/*
 * jkctl.h: what the files of jkctl (tools/jkctl/) share: the exit statuses, the
 * options, the diagnostics, the httpd.conf model, the loaded configuration
 * ("setup"), the small helpers and the commands.  main.c says what jkctl does.
 */
#ifndef JKCTL_H
#define JKCTL_H

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

/* Exit statuses (also in jkctl.1). */
#define EXIT_CLEAN 0
#define EXIT_WARNINGS 1     /* check --strict: warnings only; map: not forwarded */
#define EXIT_ERRORS 2       /* the configuration has errors: httpd would not start */
#define EXIT_USAGE 64

#define UNSET -1
#define WORKER_PREFIX "worker."

/* ---- diags.c: diagnostics, every message once, sorted by file and line ---- */

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

diags *diags_create(apr_pool_t *p);
/* The rank of `file` in the order files were read (registering it), -1 for NULL. */
int diags_rank(diags *d, const char *file);
void diags_add(diags *d, int error, const char *file, int line, const char *text);
void diags_addf(diags *d, int error, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Messages "file:line: text" as common/ words them, split into place and text. */
void diags_import(diags *d, int error, const apr_array_header_t *messages);
void diags_print(diags *d, FILE *out, int errors_only);

/* ---- main.c: the command line ---- */

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

/* Prints the message and a hint to --help on stderr; exits with EXIT_USAGE. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- httpd_conf.c: httpd.conf, what decides mapping ---- */

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

ctl_httpd *httpd_create(apr_pool_t *p);
/* A ServerName or ServerAlias without its scheme and port. */
const char *bare_host(apr_pool_t *p, const char *name);
void read_httpd_conf(ctl_httpd *c, apr_pool_t *p, const options *o);
void add_command_line_mounts(ctl_httpd *c, apr_pool_t *p, const options *o);

/* ---- setup.c: the whole configuration, read as the module reads it ---- */

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

setup *load_setup(apr_pool_t *p, const options *o, const char *workers_file,
                  apr_array_header_t *extra_mount_files);
/* A source line as the reader saw it, or NULL. */
const char *source_line(setup *s, const char *file, int line);
apr_array_header_t *all_servers(const setup *s);
jk_uri_map *server_rules(setup *s, const ctl_server *srv);
const jk_prop *own_prop(setup *s, const char *worker, const char *key);
const jk_prop *chain_prop(setup *s, const char *worker, const char *key);
const jk_prop *chain_prop_any(setup *s, const char *worker, const char *key,
                              const char *old_key);
int is_own(setup *s, const jk_prop *p, const char *worker);
apr_array_header_t *lbs_of(const setup *s, const char *name);
const jk_prop *members_prop(setup *s, const jk_worker_config *lb);
/* Errors that would stop httpd, on stderr (show and map print their answer anyway). */
int report_errors(const setup *s);

/* ---- util.c: small helpers ---- */

int starts_with(const char *s, const char *prefix);
/* "file:line", or the file alone when line is 0. */
const char *place(apr_pool_t *p, const char *file, int line);
/* Items (const char *) joined by `sep`. */
const char *join(apr_pool_t *p, const apr_array_header_t *items, const char *sep);
void push_str(apr_array_header_t *a, const char *s);
const char *type_name(jk_worker_type t);
unsigned type_bit(jk_worker_type t);
const char *applies_text(apr_pool_t *p, unsigned applies, const char *sep);
/* A whole file in memory, NUL-terminated; APR_EOF on a short read is fine. */
apr_status_t read_whole_file(apr_pool_t *p, const char *path, char **data, apr_size_t *size);
/* Lines as jk_props counts them: split at '\n', without the '\r' before it. */
apr_array_header_t *split_lines(apr_pool_t *p, const char *data, apr_size_t size);
const char *error_text(apr_pool_t *p, apr_status_t rv);
/* The members' names joined by ",", or NULL for none. */
const char *members_text(apr_pool_t *p, const apr_array_header_t *members);

/* ---- the commands, one file each ---- */

/* The module's directives (native/apache2/jk_directives.c); a test keeps the two lists equal. */
extern const char *const module_directives[];

int cmd_check(apr_pool_t *p, const options *o);
int cmd_show(apr_pool_t *p, const options *o);
int cmd_map(apr_pool_t *p, const options *o);
int cmd_keys(apr_pool_t *p, const options *o);
int cmd_directives(apr_pool_t *p, const options *o);

#endif
