/*
 * jkctl keys: the workers.properties keys the module knows, the workers they
 * apply to, their status and default.
 */
#include "jkctl.h"

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

int cmd_keys(apr_pool_t *p, const options *o)
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
