/*
 * setup.c: the whole configuration, read as the module reads it (workers.properties,
 * JkWorkerProperty, the mount files of every server), and the property
 * look-ups the validator makes; shared by check, show and map.
 */
#include "jkctl.h"

#define WORKER_PREFIX_LEN (sizeof(WORKER_PREFIX) - 1)
#define MAX_REFERENCE_DEPTH 20      /* as the validator (jk_config.c) */

const char *source_line(setup *s, const char *file, int line)
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

apr_array_header_t *all_servers(const setup *s)
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
jk_uri_map *server_rules(setup *s, const ctl_server *srv)
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

setup *load_setup(apr_pool_t *p, const options *o, const char *workers_file,
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

const jk_prop *own_prop(setup *s, const char *worker, const char *key)
{
    return jk_props_get(s->props, apr_pstrcat(s->pool, WORKER_PREFIX, worker, ".", key, NULL));
}

/* The worker's own key, else along its `reference` chain (jk_config.c worker_prop()). */
const jk_prop *chain_prop(setup *s, const char *worker, const char *key)
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
const jk_prop *chain_prop_any(setup *s, const char *worker, const char *key,
                                     const char *old_key)
{
    const jk_prop *p = chain_prop(s, worker, key);
    return p || old_key == NULL ? p : chain_prop(s, worker, old_key);
}

/* Was the key written for this worker itself (not taken from a reference)? */
int is_own(setup *s, const jk_prop *p, const char *worker)
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
apr_array_header_t *lbs_of(const setup *s, const char *name)
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

const jk_prop *members_prop(setup *s, const jk_worker_config *lb)
{
    return chain_prop_any(s, lb->name, "balance_workers", "balanced_workers");
}

int report_errors(const setup *s)
{
    if (s->diags->errors == 0)
        return EXIT_CLEAN;
    diags_print(s->diags, stderr, 1);
    fprintf(stderr, "jkctl: the configuration has %d error%s; httpd would not start\n",
            s->diags->errors, s->diags->errors == 1 ? "" : "s");
    return EXIT_ERRORS;
}
