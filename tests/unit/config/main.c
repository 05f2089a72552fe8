/* main.c: the jk_config suite: one TCase per topic, run by unit_main(). */
#include "config_fixture.h"

static Suite *config_suite(void)
{
    Suite *s = suite_create("jk_config");
    suite_add_tcase(s, config_values_tcase());
    suite_add_tcase(s, config_lists_tcase());
    suite_add_tcase(s, config_errors_tcase());
    suite_add_tcase(s, config_lb_status_tcase());
    suite_add_tcase(s, config_examples_tcase());
    return s;
}

int main(void)
{
    return unit_main(config_suite, "jk_config");
}
