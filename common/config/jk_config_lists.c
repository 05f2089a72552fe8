/*
 * jk_config_lists.c: the workers that lists name.  worker.list (each listed worker built,
 * mountable) and each lb's balance_workers: members defined, ajp13, listed once, given the
 * lb's secret, slow start and health check unless they set their own, with routes that
 * tell them apart and redirects that name a route of the same lb.
 */
#include "jk_config_int.h"

/* One item of a list key, and where it was written (its own line when the list spans several). */
typedef struct list_item {
    const char *name;
    const char *key;
    const char *file;
    int line;
} list_item;

/* How many times names[i] occurs before i. */
static int earlier_count(const apr_array_header_t *names, int i)
{
    int n = 0;
    for (int j = 0; j < i; j++)
        n += strcmp(APR_ARRAY_IDX(names, j, const char *), APR_ARRAY_IDX(names, i, const char *))
             == 0;
    return n;
}

static list_item item_at(builder *b, const jk_prop *list, const apr_array_header_t *names, int i)
{
    list_item it;
    it.name = APR_ARRAY_IDX(names, i, const char *);
    it.key = list->key;
    jk_props_item_place(b->pool, list, it.name, earlier_count(names, i), &it.file, &it.line);
    return it;
}

/*
 * mod_jk makes an ajp13 worker to localhost:8009 of a name it finds no key for: a typo
 * in worker.list or balance_workers then sends traffic to whatever listens there.
 */
static int check_defined(builder *b, const list_item *it, const char *what)
{
    if (!cfg_valid_worker_name(it->name) || cfg_worker_has_keys(b, it->name))
        return 0; /* a bad name is cfg_build_worker()'s to report */
    error_at(b, it->file, it->line, "%s: %s '%s' is defined nowhere (no worker.%s.* key); %s",
             it->key, what, it->name, it->name, cfg_worker_hint(b, it->name));
    return -1;
}

void cfg_build_listed_workers(builder *b)
{
    const jk_prop *list = jk_props_get(b->props, "worker.list");
    apr_array_header_t *names;

    names = jk_props_split_list(b->pool, list ? list->value : JK_DEFAULT_WORKER);
    b->config->list = names;
    if (list && names->nelts == 0)
        error_at(b, list->file, list->line, "worker.list names no worker");
    for (int i = 0; i < names->nelts; i++) {
        list_item it = { APR_ARRAY_IDX(names, i, const char *), "worker.list",
                         "workers.properties", 0 };
        jk_worker_config *w;
        if (list)
            it = item_at(b, list, names, i);
        if (earlier_count(names, i) > 0) {
            error_at(b, it.file, it.line, "worker.list: worker %s is listed twice", it.name);
            continue;
        }
        if (list && check_defined(b, &it, "worker") != 0)
            continue;
        if ((w = cfg_build_worker(b, it.name, it.file, it.line)) != NULL) {
            w->mountable = 1;
            cfg_add_worker(b, w);
        }
    }
}

/* Both spellings may be used, and each may repeat: all their names count. */
static apr_array_header_t *member_names(builder *b, const jk_worker_config *lb, const jk_prop **where)
{
    const jk_prop *now = cfg_worker_prop(b, lb->name, "balance_workers");
    const jk_prop *old = cfg_worker_prop(b, lb->name, "balanced_workers");
    apr_array_header_t *names = apr_array_make(b->pool, 4, sizeof(const char *));
    *where = now ? now : old;
    if (now)
        apr_array_cat(names, jk_props_split_list(b->pool, now->value));
    if (old)
        apr_array_cat(names, jk_props_split_list(b->pool, old->value));
    return names;
}

static jk_worker_config *member_config(builder *b, const list_item *it)
{
    jk_worker_config *m = apr_hash_get(b->config->by_name, it->name, APR_HASH_KEY_STRING);
    if (m == NULL) {
        if (check_defined(b, it, "member") != 0)
            return NULL;
        if ((m = cfg_build_worker(b, it->name, it->file, it->line)) == NULL)
            return NULL;
        cfg_add_worker(b, m);
    }
    if (m->type != JK_TYPE_AJP13) {
        error_at(b, it->file, it->line, "%s: member %s is of type %s; lb members must be "
                 "ajp13 workers", it->key, it->name, m->type == JK_TYPE_LB ? "lb" : "status");
        return NULL;
    }
    return m;
}

static void check_member_routes(builder *b, jk_worker_config *lb, const jk_prop *where)
{
    for (int i = 0; i < lb->members->nelts; i++)
        for (int j = i + 1; j < lb->members->nelts; j++) {
            jk_worker_config *x = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
            jk_worker_config *y = APR_ARRAY_IDX(lb->members, j, jk_worker_config *);
            if (strcmp(x->route, y->route) == 0)
                error_at(b, where->file, where->line, "%s: members %s and %s have the same "
                         "route '%s'; sessions could not tell them apart", where->key, x->name,
                         y->name, x->route);
        }
}

/* The place to name for a member's key: where it is set, else where the member is named. */
static void member_key_place(builder *b, const jk_worker_config *m, const char *key,
                             const char *old_key, const char **file, int *line)
{
    const jk_prop *p = cfg_worker_prop_any(b, m->name, key, old_key);
    *file = p ? p->file : m->file;
    *line = p ? p->line : m->line;
}

/* With sticky sessions, a member whose route is empty can never be named by a session id. */
static void check_empty_routes(builder *b, const jk_worker_config *lb)
{
    const char *file;
    int line;
    if (!lb->sticky_session)
        return;
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        if (*m->route != '\0')
            continue;
        member_key_place(b, m, "route", "jvm_route", &file, &line);
        error_at(b, file, line, "member %s of lb %s has an empty route: with sticky_session no "
                 "session id can name it, so its sessions move on every request", m->name,
                 lb->name);
    }
}

/* A redirect must name the route of a member of the same lb, or the failover goes nowhere. */
static void check_redirects(builder *b, const jk_worker_config *lb)
{
    apr_array_header_t *routes = apr_array_make(b->pool, lb->members->nelts, sizeof(const char *));
    const char *file;
    int line;
    for (int i = 0; i < lb->members->nelts; i++)
        APR_ARRAY_PUSH(routes, const char *) =
            APR_ARRAY_IDX(lb->members, i, jk_worker_config *)->route;
    for (int i = 0; i < lb->members->nelts; i++) {
        const jk_worker_config *m = APR_ARRAY_IDX(lb->members, i, jk_worker_config *);
        int found = *m->redirect == '\0';
        for (int j = 0; !found && j < routes->nelts; j++)
            found = strcmp(APR_ARRAY_IDX(routes, j, const char *), m->redirect) == 0;
        if (found)
            continue;
        member_key_place(b, m, "redirect", NULL, &file, &line);
        error_at(b, file, line, "redirect '%s' of %s names no route of lb %s (%s): the sessions "
                 "of %s would have nowhere to go when it is down", m->redirect, m->name, lb->name,
                 cfg_join_names(b->pool, routes), m->name);
    }
}

static void build_lb_members(builder *b, jk_worker_config *lb)
{
    const jk_prop *where;
    apr_array_header_t *names = member_names(b, lb, &where);

    lb->members = apr_array_make(b->pool, names->nelts, sizeof(jk_worker_config *));
    if (names->nelts == 0) {
        error_at(b, lb->file, lb->line, "lb worker %s has no members (set worker.%s."
                 "balance_workers)", lb->name, lb->name);
        return;
    }
    for (int i = 0; i < names->nelts; i++) {
        list_item it = item_at(b, where, names, i);
        jk_worker_config *m;
        if (strcmp(it.name, lb->name) == 0) {
            error_at(b, it.file, it.line, "%s: lb worker %s cannot be its own member", it.key,
                     it.name);
            continue;
        }
        if (earlier_count(names, i) > 0) {
            error_at(b, it.file, it.line, "%s: member %s is listed twice", it.key, it.name);
            continue;
        }
        if ((m = member_config(b, &it)) == NULL)
            continue;
        /* A secret on the lb applies to members that have none (mod_jk's rule). */
        if (m->secret == NULL && lb->secret != NULL)
            m->secret = lb->secret;
        /* So do slow start and health checks, unless the member sets its own. */
        if (m->slow_start < 0)
            m->slow_start = lb->slow_start;
        if (m->health_check_interval < 0)
            m->health_check_interval = lb->health_check_interval;
        if (m->health_check_uri == NULL)
            m->health_check_uri = lb->health_check_uri;
        APR_ARRAY_PUSH(lb->members, jk_worker_config *) = m;
    }
    check_member_routes(b, lb, where);
    check_empty_routes(b, lb);
    check_redirects(b, lb);
}

void cfg_build_all_lb_members(builder *b)
{
    /* Members are appended while iterating: walk only the workers present now. */
    int n = b->config->workers->nelts;
    for (int i = 0; i < n; i++) {
        jk_worker_config *w = APR_ARRAY_IDX(b->config->workers, i, jk_worker_config *);
        if (w->type == JK_TYPE_LB)
            build_lb_members(b, w);
    }
}
