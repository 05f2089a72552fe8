/* main.c: the status suite: one TCase per topic, run under APR. */
#include "status_fixture.h"

int main(void)
{
    Suite *s = suite_create("status");
    SRunner *sr;
    int failed;

    apr_initialize();
    suite_add_tcase(s, status_formats_tcase());
    suite_add_tcase(s, status_actions_tcase());
    suite_add_tcase(s, status_urls_tcase());
    suite_add_tcase(s, status_escapers_tcase());
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? 0 : 1;
}
