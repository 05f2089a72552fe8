/*
 * Ratings: the status worker's good and bad keys (lists of activation.state
 * patterns) and the rating of a member by them: good, degraded or bad.
 */
#include "jk_status_int.h"

#include <apr_lib.h>
#include <string.h>

/* One entry of `good` or `bad`: an activation letter, a state letter, 0 for any. */
typedef struct rating_rule {
    char activation;
    char state;
} rating_rule;

/* The letters of the good/bad keys: activation a/d/s (status_activation_letters),
 * state o/n/b/r/p/e. */
static const char state_letters[] = "onbrpe";

/* One entry: "a.o", "s", "e", ".r", "d.", "*.e"; 0 when it is one. */
static int parse_rule(const char *text, rating_rule *rule)
{
    const char *dot = strchr(text, '.');
    char first = (char)apr_tolower(text[0]);
    rule->activation = 0;
    rule->state = 0;
    if (dot == NULL) {
        if (text[0] == '\0' || text[1] != '\0')
            return -1;
        if (strchr(status_activation_letters, first))
            rule->activation = first;
        else if (strchr(state_letters, first))
            rule->state = first;
        else if (first != '*')
            return -1;
        return 0;
    }
    if (dot - text > 1 || strlen(dot + 1) > 1)
        return -1;
    if (dot != text && first != '*') {
        if (!strchr(status_activation_letters, first))
            return -1;
        rule->activation = first;
    }
    if (dot[1] && dot[1] != '*') {
        char second = (char)apr_tolower(dot[1]);
        if (!strchr(state_letters, second))
            return -1;
        rule->state = second;
    }
    return 0;
}

apr_array_header_t *status_parse_rules(status_worker *sw, apr_pool_t *pool, const char *key,
                                       const char *list)
{
    apr_array_header_t *items = jk_props_split_list(pool, list ? list : "");
    apr_array_header_t *rules = apr_array_make(pool, items->nelts + 1, sizeof(rating_rule));
    for (int i = 0; i < items->nelts; i++) {
        const char *item = APR_ARRAY_IDX(items, i, const char *);
        rating_rule rule;
        if (parse_rule(item, &rule) == 0)
            APR_ARRAY_PUSH(rules, rating_rule) = rule;
        else
            LOG(sw, JK_LOG_WARN, "status %s: %s entry '%s' is not activation.state (letters "
                "a/d/s and o/n/b/r/p/e); ignored", sw->base.name, key, item);
    }
    return rules;
}

static int rules_match(const apr_array_header_t *rules, char activation, char state)
{
    for (int i = 0; i < rules->nelts; i++) {
        const rating_rule *rule = &APR_ARRAY_IDX(rules, i, rating_rule);
        if ((!rule->activation || rule->activation == activation) &&
            (!rule->state || rule->state == state))
            return 1;
    }
    return 0;
}

/* Bad wins over good; what is neither is degraded. */
rating status_rate(const status_worker *sw, jk_activation activation, view_state state)
{
    char a = status_activation_letters[(unsigned)activation < 3 ? activation : 0];
    char st = state_letters[state];
    if (rules_match(sw->bad, a, st))
        return RATING_BAD;
    if (rules_match(sw->good, a, st))
        return RATING_GOOD;
    return RATING_DEGRADED;
}
