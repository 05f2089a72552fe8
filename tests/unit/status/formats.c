/* formats.c: the status views: HTML, JSON, Prometheus, XML, properties, text, check. */
#include "status_fixture.h"

/* ------------------------------------------------------------------ */
/* Views                                                                */

START_TEST(html_page_lists_workers_with_forms_and_escapes_config_text)
{
    capture *c = get(NULL);
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "text/html; charset=utf-8");
    ck_assert_str_eq(header(c, "Cache-Control"), "no-store");
    ck_assert_ptr_nonnull(header(c, "Content-Security-Policy"));
    ck_assert_str_eq(header(c, "X-Frame-Options"), "DENY");
    assert_contains(c->text, "<!DOCTYPE html>");
    assert_contains(c->text, "<tr id=\"m.lb.a\">");
    assert_contains(c->text, "<tr id=\"m.lb.b\">");
    assert_contains(c->text, "<tr id=\"w.plain\">");
    assert_contains(c->text, "127.0.0.1:8103");
    assert_contains(c->text, "data-key=\"connection_pool_size\" data-value=\"7\"");
    assert_contains(c->text, "data-key=\"connection_pool_size\" data-value=\"25\"");
    assert_contains(c->text, "1500 ms");
    assert_contains(c->text, "<style>");
    /* Forms: POST, with the token, one per member action. */
    assert_contains(c->text, "<form method=\"post\" action=\"/jkstatus\" id=\"u.lb.a\">");
    assert_contains(c->text, "name=\"token\" value=\"" TOKEN "\"");
    assert_contains(c->text, "<select name=\"vwa\" form=\"u.lb.b\"");
    assert_contains(c->text, "name=\"vwf\" min=\"1\" max=\"100000\" value=\"2\" form=\"u.lb.b\"");
    assert_contains(c->text, "name=\"cmd\" value=\"reset\"");
    assert_lacks(c->text, "method=\"get\"");
    /* Config text is escaped. */
    assert_lacks(c->text, "<script>");
    assert_contains(c->text, "r&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_contains(c->text, "d&amp;&quot;&#39;x");
    /* Nothing is in error: no recover button. */
    assert_lacks(c->text, "value=\"recover\"");
}
END_TEST

START_TEST(query_parameters_are_never_reflected_raw)
{
    static const char *const queries[] = {
        "w=%3Cscript%3Ealert(1)%3C/script%3E",
        "refresh=%3Cscript%3E",
        "mime=%3Cscript%3E",
        "cmd=%3Cscript%3E",
        "mime=json&w=%3Cscript%3E",
        "refresh=5%3Cscript%3E&mime=html",
        "x=%3Cscript%3E",
    };
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        capture *c = get(queries[i]);
        ck_assert_msg(strstr(c->text, "<script>") == NULL, "raw <script> for %s: %s", queries[i],
                      c->text);
        ck_assert_msg(strstr(c->text, "<script") == NULL || c->status == 200,
                      "reflected for %s", queries[i]);
    }
    ck_assert_int_eq(get(queries[0])->status, 404);
    ck_assert_int_eq(get(queries[2])->status, 400);
    ck_assert_int_eq(get(queries[3])->status, 400);
    ck_assert_int_eq(get(queries[1])->status, 200);
    ck_assert_int_eq(get("a=%zz")->status, 400);
}
END_TEST

START_TEST(every_format_escapes_config_text)
{
    const char *xml = get("mime=xml")->text, *json = get("mime=json")->text;
    const char *prom = get("mime=prometheus")->text;
    assert_lacks(xml, "<script>");
    assert_contains(xml, "route=\"r&lt;script&gt;alert(1)&lt;/script&gt;\"");
    assert_contains(xml, "domain=\"d&amp;&quot;&#39;x\"");
    assert_lacks(json, "<script>");
    assert_contains(json, "\"route\":\"r\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
    assert_contains(json, "\"domain\":\"d\\u0026\\\"'x\"");
    ck_assert_ptr_null(prom_validate(prom));
    assert_contains(get("mime=txt")->text, "domain=d%26%22%27x");
    assert_contains(get("mime=prop")->text, "worker.b.domain=d&\"'x\n");
}
END_TEST

START_TEST(json_is_well_formed_and_carries_the_shared_numbers)
{
    jk_shm_member *a = rec("a");
    capture *c;
    const char *ma, *wp;
    atomic_store(&a->requests, 7);
    atomic_store(&a->errors, 2);
    atomic_store(&a->client_errors, 3);
    atomic_store(&a->reply_timeouts, 1);
    atomic_store(&a->bytes_read, 1234);
    atomic_store(&a->bytes_written, 9876543210ULL);
    atomic_store(&a->busy, 2);
    atomic_store(&a->max_busy, 5);
    atomic_store(&rec("plain")->requests, 11);
    c = get("mime=json");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "application/json");
    ck_assert_str_eq(header(c, "Cache-Control"), "no-store");
    ck_assert_msg(json_valid(c->text), "invalid JSON:\n%s", c->text);
    assert_contains(c->text, "\"token\":\"" TOKEN "\"");
    assert_contains(c->text, "\"action_url\":\"/jkstatus\"");
    assert_contains(c->text, "\"lbs\":[");
    ma = json_object_named(c->text, "a");
    assert_contains(ma, "\"requests\":7,\"errors\":2,\"client_errors\":3,\"reply_timeouts\":1,"
                        "\"busy\":2,\"max_busy\":5,\"bytes_read\":1234,"
                        "\"bytes_written\":9876543210");
    assert_contains(ma, "\"activation\":\"Active\",\"state\":\"OK\",\"rating\":\"good\","
                        "\"lbfactor\":1");
    assert_contains(ma, "\"error_time\":null");
    assert_contains(json_object_named(c->text, "b"), "\"state\":\"idle\"");
    assert_contains(json_object_named(c->text, "b"), "\"lbfactor\":2");
    wp = json_object_named(c->text, "plain");
    assert_contains(wp, "\"port\":8103,\"lbs\":[],\"connection_pool_size\":7");
    assert_contains(wp, "\"reply_timeout\":1500");
    assert_contains(wp, "\"requests\":11");
    /* A read-only worker gives no token. */
    c = get_as("jkro", "mime=json", NULL);
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"read_only\":true,\"token\":null");
    /* One worker only. */
    c = get("mime=json&w=plain");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"lbs\":[]");
    assert_lacks(c->text, "\"name\":\"a\"");
}
END_TEST

START_TEST(prometheus_output_is_well_formed_with_the_shared_numbers)
{
    capture *c;
    atomic_store(&rec("a")->requests, 42);
    atomic_store(&rec("b")->activation, JK_ACTIVATION_STOPPED);
    atomic_store(&rec("plain")->errors, 3);
    c = get("mime=prometheus");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    ck_assert_msg(prom_validate(c->text) == NULL, "%s\n%s", prom_validate(c->text), c->text);
    assert_contains(c->text, "# TYPE jk_requests_total counter\n");
    assert_contains(c->text, "\njk_requests_total{lb=\"lb\",member=\"a\"} 42\n");
    assert_contains(c->text, "\njk_errors_total{worker=\"plain\"} 3\n");
    assert_contains(c->text, "\njk_member_lbfactor{lb=\"lb\",member=\"b\"} 2\n");
    assert_contains(c->text,
                    "\njk_member_activation{lb=\"lb\",member=\"b\",activation=\"stopped\"} 1\n");
    assert_contains(c->text,
                    "\njk_member_activation{lb=\"lb\",member=\"b\",activation=\"active\"} 0\n");
    assert_contains(c->text, "\njk_member_state{lb=\"lb\",member=\"a\",state=\"ok\"} 1\n");
    assert_contains(c->text, "\njk_lb_members{lb=\"lb\",rating=\"bad\"} 1\n");
    /* Members have no worker label, plain workers no lb label. */
    assert_lacks(c->text, "{worker=\"a\"}");
    assert_lacks(c->text, "member=\"plain\"");
}
END_TEST

START_TEST(the_validators_catch_what_they_must)
{
    ck_assert_ptr_nonnull(prom_validate("x_total 1\n"));
    ck_assert_ptr_nonnull(prom_validate("# HELP x h\n# TYPE x counter\nx 1\n"));
    ck_assert_ptr_nonnull(prom_validate("# HELP x h\n# TYPE x gauge\nx{a=\"b} 1\n"));
    ck_assert_ptr_nonnull(prom_validate("# HELP x h\n# TYPE x gauge\nx 1\n# HELP y h\n"
                                        "# TYPE y gauge\ny 1\nx 2\n"));
    ck_assert_ptr_null(prom_validate("# HELP x h\n# TYPE x gauge\nx{a=\"\\\"\"} 1\n"));
    ck_assert(!json_valid("{\"a\":1,}"));
    ck_assert(!json_valid("{\"a\":\"<\n\"}"));
    ck_assert(json_valid("{\"a\":[1,-2.5e3,true,null,\"\\u003c\"]}"));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a>"));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"&\"/>"));
}
END_TEST

START_TEST(xml_is_well_formed_with_the_configured_namespace)
{
    capture *c = get("mime=xml");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "application/xml");
    ck_assert_msg(xml_check(c->text) == NULL, "%s\n%s", xml_check(c->text), c->text);
    assert_contains(c->text, "<jk:status xmlns:jk=\"http://tomcat.apache.org\" "
                             "worker=\"jkstatus\"");
    assert_contains(c->text, "<jk:balancer name=\"lb\"");
    assert_contains(c->text, "<jk:member name=\"a\"");
    assert_contains(c->text, "<jk:ajp name=\"plain\"");
    /* ns=- : no prefix and no declaration. */
    c = get_as("jkxml", "mime=xml", NULL);
    ck_assert_msg(xml_check(c->text) == NULL, "%s\n%s", xml_check(c->text), c->text);
    assert_contains(c->text, "<status worker=\"jkxml\"");
    assert_lacks(c->text, "xmlns");
    assert_lacks(c->text, "jk:");
}
END_TEST

START_TEST(prop_and_txt_have_one_fact_per_line)
{
    capture *c = get("mime=prop");
    char *save, *line;
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "worker.list=lb,plain\n");
    assert_contains(c->text, "worker.lb.balance_workers=a,b\n");
    assert_contains(c->text, "worker.b.lbfactor=2\n");
    assert_contains(c->text, "worker.a.activation=Active\n");
    assert_contains(c->text, "worker.plain.connection_pool_size=7\n");
    for (line = apr_strtok(apr_pstrdup(pool, c->text), "\n", &save); line;
         line = apr_strtok(NULL, "\n", &save))
        ck_assert_msg(strncmp(line, "worker.", 7) == 0 && strchr(line, '='), "line: %s", line);
    /* The configured prefix. */
    assert_contains(get_as("jkxml", "mime=prop", NULL)->text, "jk.b.lbfactor=2\n");
    c = get("mime=txt");
    for (line = apr_strtok(apr_pstrdup(pool, c->text), "\n", &save); line;
         line = apr_strtok(NULL, "\n", &save))
        ck_assert_msg(!strncmp(line, "lb ", 3) || !strncmp(line, "member ", 7) ||
                      !strncmp(line, "ajp13 ", 6), "line: %s", line);
    assert_contains(c->text, "member lb=lb name=b endpoint=127.0.0.1:8102 ");
    assert_contains(c->text, "ajp13 name=plain endpoint=127.0.0.1:8103 lbs= ");
}
END_TEST

START_TEST(check_says_ok_only_when_every_member_is_good)
{
    capture *c = get("cmd=check");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(c->text, "OK\n");
    atomic_store(&rec("b")->activation, JK_ACTIVATION_DISABLED);
    c = get("cmd=check");
    ck_assert_str_eq(c->text, "NOT OK\nmember lb=lb name=b activation=Disabled state=idle "
                              "rating=degraded\n");
    atomic_store(&rec("a")->state, JK_MEMBER_ERROR);
    atomic_store(&rec("a")->error_time, (int64_t)apr_time_now());
    c = get("cmd=check&mime=json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "{\"ok\":false,");
    assert_contains(c->text, "\"member\":\"a\",\"activation\":\"Active\",\"state\":\"error\","
                             "\"rating\":\"bad\"");
    /* jkxml: bad=s,e,d makes a disabled member bad; good=a.o,a.n. */
    c = get_as("jkxml", "cmd=check", NULL);
    assert_contains(c->text, "name=b activation=Disabled state=idle rating=bad");
    /* A recovering member is good by default (a.r). */
    atomic_store(&rec("b")->activation, JK_ACTIVATION_ACTIVE);
    atomic_store(&rec("a")->error_time, (int64_t)(apr_time_now() - apr_time_from_sec(31)));
    ck_assert_str_eq(get("cmd=check")->text, "OK\n");
}
END_TEST

START_TEST(refresh_and_css)
{
    capture *c = get("refresh=10");
    assert_contains(c->text, "<meta http-equiv=\"refresh\" content=\"10\">");
    assert_contains(c->text, "name=\"refresh\" value=\"10\"");
    assert_lacks(get("refresh=0")->text, "http-equiv=\"refresh\"");
    assert_lacks(get("refresh=99999999")->text, "http-equiv=\"refresh\"");
    c = get_as("jkxml", NULL, NULL);
    assert_contains(c->text, "<link rel=\"stylesheet\" href=\"/s.css?a=1&amp;b=&quot;x&quot;\">");
    assert_lacks(c->text, "<style>");
}
END_TEST

/* Every format: its form, its numbers, its escaping. */
TCase *status_formats_tcase(void)
{
    TCase *tc = tcase_create("formats");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, html_page_lists_workers_with_forms_and_escapes_config_text);
    tcase_add_test(tc, query_parameters_are_never_reflected_raw);
    tcase_add_test(tc, every_format_escapes_config_text);
    tcase_add_test(tc, json_is_well_formed_and_carries_the_shared_numbers);
    tcase_add_test(tc, prometheus_output_is_well_formed_with_the_shared_numbers);
    tcase_add_test(tc, the_validators_catch_what_they_must);
    tcase_add_test(tc, xml_is_well_formed_with_the_configured_namespace);
    tcase_add_test(tc, prop_and_txt_have_one_fact_per_line);
    tcase_add_test(tc, check_says_ok_only_when_every_member_is_good);
    tcase_add_test(tc, refresh_and_css);
    return tc;
}
