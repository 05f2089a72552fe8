/* main.c: the status suite: one TCase per topic, run under APR. */
#include "status_fixture.h"

static Suite *status_suite(void)
{
    Suite *s = suite_create("status");

    suite_add_tcase(s, status_formats_tcase());
    suite_add_tcase(s, status_actions_tcase());
    suite_add_tcase(s, status_urls_tcase());
    suite_add_tcase(s, status_escapers_tcase());
    return s;
}

int main(void)
{
    return unit_main(status_suite, "status");
}
