/*
 * httpd_conf.c: the httpd.conf reader: just what decides mapping (the Jk directives,
 * <VirtualHost> with ServerName/ServerAlias, <Location>, Include, Define,
 * <IfModule>, <IfDefine>), with every error at its file:line.
 */
#include "jkctl.h"

#define MAX_INCLUDE_DEPTH 16
#define COMMAND_LINE "(command line)"

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

ctl_httpd *httpd_create(apr_pool_t *p)
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
const char *bare_host(apr_pool_t *p, const char *name)
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

void read_httpd_conf(ctl_httpd *c, apr_pool_t *p, const options *o)
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
void add_command_line_mounts(ctl_httpd *c, apr_pool_t *p, const options *o)
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
