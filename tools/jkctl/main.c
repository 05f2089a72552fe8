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
 *
 * This file: the command line (options, usage, --help, --version) and the
 * dispatch to one command; each command has a file of its own (check.c,
 * show.c, map.c, keys.c, directives.c), jkctl.h is what they share.
 */
#include "jkctl.h"

#ifdef PACKAGE_VERSION
#define JKCTL_VERSION PACKAGE_VERSION
#else
#define JKCTL_VERSION "0.1.0"
#endif


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

void usage_error(const char *fmt, ...)
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
