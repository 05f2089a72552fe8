/* main.c: the jk_ajp suite: one TCase per topic, run under APR. */
#include "ajp_fixture.h"
#include "unit_fixtures.h"

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
    return unit_main(ajp_suite, "jk_ajp");
}
