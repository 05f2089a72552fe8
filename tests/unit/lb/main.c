/* main.c: the lb suite: one TCase per topic, run under APR. */
#include "lb_fixture.h"

int main(void)
{
    Suite *s = suite_create("lb");
    SRunner *sr;
    int failed;

    apr_initialize();
    suite_add_tcase(s, lb_choice_tcase());
    suite_add_tcase(s, lb_sticky_tcase());
    suite_add_tcase(s, lb_recovery_tcase());

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
