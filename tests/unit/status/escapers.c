/* escapers.c: the escapers and the form decoding, on their own. */
#include "status_fixture.h"

/* ------------------------------------------------------------------ */
/* Escapers and form decoding, on their own                             */

#define FFFD "\xEF\xBF\xBD"

START_TEST(json_strings_escape_quotes_backslashes_controls_and_markup)
{
    ck_assert_str_eq(status_json_string(pool, ""), "\"\"");
    ck_assert_str_eq(status_json_string(pool, NULL), "\"\"");
    ck_assert_str_eq(status_json_string(pool, "a\"b\\c'd"), "\"a\\\"b\\\\c'd\"");
    ck_assert_str_eq(status_json_string(pool, "\n\r\t"), "\"\\n\\r\\t\"");
    ck_assert_str_eq(status_json_string(pool, "\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
    ck_assert_str_eq(status_json_string(pool, "<&>"), "\"\\u003c\\u0026\\u003e\"");
    /* Valid UTF-8 is kept; what is not UTF-8 becomes U+FFFD, byte by byte. */
    ck_assert_str_eq(status_json_string(pool, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
                     "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
    ck_assert_str_eq(status_json_string(pool, "a\xFF"), "\"a" FFFD "\"");
    ck_assert_str_eq(status_json_string(pool, "\xC0\xAF"), "\"" FFFD FFFD "\"");
    ck_assert_str_eq(status_json_string(pool, "\xED\xA0\x80"), "\"" FFFD FFFD FFFD "\"");
    ck_assert_str_eq(status_json_string(pool, "x\xE2\x82"), "\"x" FFFD FFFD "\"");
}
END_TEST

START_TEST(prometheus_labels_escape_backslash_quote_and_newline_only)
{
    ck_assert_str_eq(status_prom_label(pool, ""), "");
    ck_assert_str_eq(status_prom_label(pool, NULL), "");
    ck_assert_str_eq(status_prom_label(pool, "a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    ck_assert_str_eq(status_prom_label(pool, "'<&>{},="), "'<&>{},=");
    /* Other control characters have no escape in the format: U+FFFD. */
    ck_assert_str_eq(status_prom_label(pool, "\t\r\x01\x7f"), FFFD FFFD FFFD FFFD);
    ck_assert_str_eq(status_prom_label(pool, "\xC3\xA9"), "\xC3\xA9");
    ck_assert_str_eq(status_prom_label(pool, "\xFF" "b"), FFFD "b");
}
END_TEST

START_TEST(markup_escapes_the_five_specials_and_replaces_controls)
{
    ck_assert_str_eq(status_markup(pool, ""), "");
    ck_assert_str_eq(status_markup(pool, NULL), "");
    ck_assert_str_eq(status_markup(pool, "&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
    ck_assert_str_eq(status_markup(pool, "a\tb\nc\rd\\"), "a\tb\nc\rd\\");
    ck_assert_str_eq(status_markup(pool, "\x01\x7f"), FFFD FFFD);
    ck_assert_str_eq(status_markup(pool, "\xC3\xA9\xFF"), "\xC3\xA9" FFFD);
}
END_TEST

START_TEST(property_text_and_log_values_stay_on_one_line)
{
    ck_assert_str_eq(status_prop_value(pool, ""), "");
    ck_assert_str_eq(status_prop_value(pool, "a\\b\nc\rd"), "a\\\\b\\nc\\rd");
    ck_assert_str_eq(status_prop_value(pool, "=:#!\"'\t"), "=:#!\"'" FFFD);
    ck_assert_str_eq(status_percent_encode(pool, "", ""), "");
    ck_assert_str_eq(status_percent_encode(pool, "a b/c:d,e@f+g~h*%\xC3\xA9", ":/,@+"),
                     "a%20b/c:d,e@f+g~h%2A%25%C3%A9");
    ck_assert_str_eq(status_percent_encode(pool, "a\"b\\c\n", ""), "a%22b%5Cc%0A");
    ck_assert_str_eq(status_safe_text(pool, NULL), "(none)");
    ck_assert_str_eq(status_safe_text(pool, "ok-text_1.2"), "ok-text_1.2");
    ck_assert_str_eq(status_safe_text(pool, "<a>\"'\\\n\x80"),
                     "\\x3Ca\\x3E\\x22\\x27\\x5C\\x0A\\x80");
}
END_TEST

/* APR's encoding, which keeps the letters, digits, '_' and '-' of worker names. */
START_TEST(query_values_are_apr_url_encoded)
{
    ck_assert_str_eq(status_query_value(pool, "lb-1_X"), "lb-1_X");
    ck_assert_str_eq(status_query_value(pool, ""), "");
    ck_assert_str_eq(status_query_value(pool, "a&b=c"), "a%26b%3dc");
}
END_TEST

START_TEST(form_decoding_takes_plus_and_percent_and_refuses_bad_escapes)
{
    apr_table_t *t = status_parse_params(pool, "a=1+2&b=%41%42&a=3&=x&c&d=%C3%a9&x%2By=1");
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(apr_table_get(t, "a"), "1 2");
    ck_assert_str_eq(apr_table_get(t, "b"), "AB");
    ck_assert_str_eq(apr_table_get(t, "c"), "");
    ck_assert_str_eq(apr_table_get(t, "d"), "\xC3\xA9");
    ck_assert_str_eq(apr_table_get(t, "x+y"), "1");
    ck_assert_ptr_null(apr_table_get(t, ""));
    ck_assert_int_eq(apr_table_elts(status_parse_params(pool, NULL))->nelts, 0);
    ck_assert_int_eq(apr_table_elts(status_parse_params(pool, ""))->nelts, 0);
    ck_assert_ptr_null(status_parse_params(pool, "a=%00"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%4"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%4&b=1"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%"));
    ck_assert_ptr_null(status_parse_params(pool, "%zz=1"));
    ck_assert_ptr_null(status_parse_params(pool, "a=%4g"));
}
END_TEST

/* The escapers of every format, query encoding, form decoding. */
TCase *status_escapers_tcase(void)
{
    TCase *tc = tcase_create("escapers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_strings_escape_quotes_backslashes_controls_and_markup);
    tcase_add_test(tc, prometheus_labels_escape_backslash_quote_and_newline_only);
    tcase_add_test(tc, markup_escapes_the_five_specials_and_replaces_controls);
    tcase_add_test(tc, property_text_and_log_values_stay_on_one_line);
    tcase_add_test(tc, query_values_are_apr_url_encoded);
    tcase_add_test(tc, form_decoding_takes_plus_and_percent_and_refuses_bad_escapes);
    return tc;
}
