/* main.c: the jk_ajp suite: one TCase per topic, run under APR. */
#include "ajp_fixture.h"

static Suite *ajp_suite(void)
{
    Suite *s = suite_create("jk_ajp");
    suite_add_tcase(s, ajp_encode_request_tcase());
    suite_add_tcase(s, ajp_encode_limits_tcase());
    suite_add_tcase(s, ajp_decode_tcase());
    suite_add_tcase(s, ajp_reject_tcase());
    suite_add_tcase(s, ajp_tables_tcase());
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (apr_initialize() != APR_SUCCESS) {
        fprintf(stderr, "apr_initialize failed\n");
        return EXIT_FAILURE;
    }
    sr = srunner_create(ajp_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
