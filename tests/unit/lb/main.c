/* main.c: the lb suite: one TCase per topic, run under APR. */
#include "lb_fixture.h"
#include "unit_fixtures.h"

static Suite *lb_suite(void)
{
    Suite *s = suite_create("lb");

    suite_add_tcase(s, lb_choice_tcase());
    suite_add_tcase(s, lb_sticky_tcase());
    suite_add_tcase(s, lb_recovery_tcase());
    return s;
}

int main(void)
{
    return unit_main(lb_suite, "lb");
}
