/*
 * jk_mount_reload.c: JkMountFile.  The file is read into a map of its own (at start-up,
 * for every server that names one) and, per child, re-read when its mtime changes, at
 * most once per JkMountFileReload seconds; requests keep using the previous map until
 * the new one is complete and valid.
 */
#include "httpd.h"

#include "apr_file_info.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include <stdatomic.h>

#include "jk_config.h"
#include "jk_log.h"
#include "jk_uri_map.h"
#include "mod_jk.h"

/* Every rule must name a worker that can be mounted (or "*" for an exclusion). */
void jk_check_rule_workers(const jk_uri_map *m, const jk_config *cfg,
                           apr_array_header_t *errors, apr_pool_t *p)
{
    for (int i = 0; i < m->rules->nelts; i++) {
        const jk_uri_rule *r = &APR_ARRAY_IDX(m->rules, i, jk_uri_rule);
        const jk_worker_config *w;
        if (strcmp(r->worker, "*") == 0 && r->exclude)
            continue;
        w = jk_config_find(cfg, r->worker);
        if (w == NULL || !w->mountable)
            APR_ARRAY_PUSH(errors, const char *) = apr_psprintf(p,
                "%s:%d: %s %s names worker '%s', which is not in worker.list; %s", r->file,
                r->line,
                r->source == JK_RULE_FROM_MOUNTFILE ? "rule" : r->exclude ? "JkUnMount" : "JkMount",
                r->pattern, r->worker, jk_config_mount_hint(p, cfg, r->worker));
    }
}

/* A JkMountFile read into a map of its own; problems go to `errors`. */
jk_uri_map *jk_load_mount_file(apr_pool_t *p, const char *path, const jk_config *cfg,
                               apr_array_header_t *errors, apr_array_header_t *warnings)
{
    jk_uri_map *m = jk_uri_map_create(p);
    jk_uri_map_load_file(m, p, path, errors, warnings);
    jk_check_rule_workers(m, cfg, errors, p);
    return m;
}

/* ------------------------------------------------------------------ */
/* Reloading (per child)                                                */

/*
 * The map in use, swapped whole when the JkMountFile changes.  Each map lives
 * in a pool of its own; a replaced map is destroyed two swaps later, long after
 * any request that read it has copied what it needed (names, extensions).
 */
typedef struct jk_mount_state {
    apr_thread_mutex_t *lock;
    _Atomic(const jk_uri_map *) current;
    _Atomic apr_time_t next_check;
    apr_time_t mtime;
    apr_pool_t *generations[2];
} jk_mount_state;

static int reload_interval(const jk_server_conf *c);

static apr_time_t file_mtime(apr_pool_t *p, const char *path)
{
    apr_finfo_t finfo;
    return apr_stat(&finfo, path, APR_FINFO_MTIME, p) == APR_SUCCESS ? finfo.mtime : 0;
}

static void start_live_map(apr_pool_t *pchild, jk_server_conf *c)
{
    jk_mount_state *st;
    if (c->mount_file == NULL || c->mount_file_reload == 0 || c->live)
        return;
    st = apr_pcalloc(pchild, sizeof(*st));
    apr_thread_mutex_create(&st->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    atomic_init(&st->current, c->mounts);
    st->mtime = file_mtime(pchild, c->mount_file);
    atomic_init(&st->next_check, apr_time_now() + apr_time_from_sec(reload_interval(c)));
    c->live = st;
}

static int reload_interval(const jk_server_conf *c)
{
    return c->mount_file_reload != UNSET ? c->mount_file_reload : JK_MOUNT_FILE_RELOAD_DEFAULT;
}

/* Read the file into a new map; on any error keep the old one and say why, once per edit. */
static void reload_map(jk_server_conf *c, jk_mount_state *st, apr_time_t mtime)
{
    apr_pool_t *p;
    apr_array_header_t *errors, *warnings;
    jk_uri_map *m;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    errors = apr_array_make(p, 2, sizeof(const char *));
    warnings = apr_array_make(p, 2, sizeof(const char *));
    m = jk_uri_map_copy(p, c->static_mounts);
    jk_uri_map_merge(m, jk_load_mount_file(p, c->mount_file, jk_globals.config, errors, warnings));
    st->mtime = mtime;
    for (int i = 0; i < warnings->nelts; i++)
        jk_log(c->log, JK_LOG_WARN, "%s", APR_ARRAY_IDX(warnings, i, const char *));
    if (errors->nelts > 0) {
        for (int i = 0; i < errors->nelts; i++)
            jk_log(c->log, JK_LOG_ERROR, "%s", APR_ARRAY_IDX(errors, i, const char *));
        jk_log(c->log, JK_LOG_ERROR, "JkMountFile %s not reloaded: the previous rules stay in use",
               c->mount_file);
        apr_pool_destroy(p);
        return;
    }
    jk_uri_map_prepare(m);
    atomic_store(&st->current, m);
    if (st->generations[1])
        apr_pool_destroy(st->generations[1]);
    st->generations[1] = st->generations[0];
    st->generations[0] = p;
    jk_log(c->log, JK_LOG_INFO, "JkMountFile %s reloaded: %d rule(s)", c->mount_file,
           m->rules->nelts);
}

/* The map for this request; at most once per JkMountFileReload, one thread looks at the file. */
const jk_uri_map *jk_current_map(jk_server_conf *c, request_rec *r)
{
    jk_mount_state *st = c->live;
    apr_time_t now;
    if (st == NULL)
        return c->mounts;
    now = r->request_time;
    if (now >= atomic_load(&st->next_check) && apr_thread_mutex_trylock(st->lock) == APR_SUCCESS) {
        apr_time_t mtime;
        atomic_store(&st->next_check, now + apr_time_from_sec(reload_interval(c)));
        mtime = file_mtime(r->pool, c->mount_file);
        if (mtime != 0 && mtime != st->mtime)
            reload_map(c, st, mtime);
        apr_thread_mutex_unlock(st->lock);
    }
    return atomic_load(&st->current);
}

void jk_start_live_maps(apr_pool_t *pchild, server_rec *main_server)
{
    for (server_rec *s = main_server; s; s = s->next)
        start_live_map(pchild, jk_server_config(s));
}
