/* urls.c: mod_jk's URL interface for scripts, cross-site refusals, dump, URLs and methods. */
#include "status_fixture.h"

/* ------------------------------------------------------------------ */
/* mod_jk's URL interface, for scripts                                  */

START_TEST(mod_jk_get_urls_change_the_shared_records)
{
    capture *c = get("cmd=update&from=list&w=lb&sw=b&vwa=2");
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
    assert_contains(log_text(), "[info] status jkstatus: client 192.0.2.7 set activation of "
                                "member b of lb lb: Active -> Stopped");
    /* Letters as well as digits, and from=show goes back to that worker's view. */
    c = get("cmd=update&from=show&w=lb&sw=b&vwa=Disabled&re=30");
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus?cmd=show&w=lb&refresh=30");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
    /* mod_jk's result line for mime=txt, element for xml, keys for prop. */
    c = get("cmd=update&w=lb&sw=b&vwa=0&vwf=7&mime=txt");
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(c->text, "Result: type=OK message=\"member b of lb lb updated\"\n");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 7);
    assert_contains(log_text(), "set lbfactor of member b of lb lb: 2 -> 7");
    c = get("cmd=reset&w=lb&mime=xml");
    ck_assert_int_eq(c->status, 200);
    ck_assert_ptr_null(xml_check(c->text));
    assert_contains(c->text, "<jk:result type=\"OK\" message=\"counters of lb lb reset\"/>");
    c = get("cmd=update&w=lb&sw=a&vwf=2&mime=prop");
    ck_assert_str_eq(c->text, "worker.result.type=OK\n"
                              "worker.result.message=member a of lb lb updated\n");
}
END_TEST

START_TEST(a_wildcard_member_updates_every_match_or_none)
{
    capture *c = get("cmd=update&w=lb&sw=*&vwf=3&mime=txt");
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "members a, b of lb lb updated");
    ck_assert_int_eq(atomic_load(&rec("a")->lbfactor), 3);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 3);
    c = get("cmd=update&w=lb&sw=z*&vwf=4&mime=txt");
    ck_assert_int_eq(c->status, 404);
    assert_contains(c->text, "Result: type=ERROR message=\"no member of lb lb matches 'z*'\"");
    /* b's domain is not a's: asking both for b's is refused for both. */
    c = get("cmd=update&w=lb&sw=?&vwf=5&vwc=d%26%22'x");
    ck_assert_int_eq(c->status, 409);
    ck_assert_int_eq(atomic_load(&rec("a")->lbfactor), 3);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 3);
}
END_TEST

static capture *get_with(const char *site, const char *origin, const char *referer,
                         const char *host)
{
    call k = { .worker = "jkstatus", .method = "GET", .fetch_site = site, .origin = origin,
               .referer = referer, .host = host, .query = "cmd=update&w=lb&sw=b&vwa=S" };
    return run_call(&k);
}

START_TEST(browsers_on_another_site_change_nothing)
{
    struct { const char *site, *origin, *referer, *host; } foreign[] = {
        { "cross-site", NULL, NULL, NULL },
        { "same-site", NULL, NULL, NULL },
        { NULL, "http://evil.test", NULL, "status.example" },
        { NULL, "null", NULL, "status.example" },
        { NULL, "http://status.example:8080", NULL, "status.example" },
        { NULL, NULL, "http://evil.test/page", "status.example" },
        { NULL, NULL, "http://status.example@evil.test/", "status.example" },
        { NULL, NULL, "not a url", "status.example" },
        { "cross-site", "http://status.example", NULL, "status.example" },
        { NULL, "http://evil.test", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        capture *c = get_with(foreign[i].site, foreign[i].origin, foreign[i].referer,
                              foreign[i].host);
        ck_assert_msg(c->status == 403, "case %zu: %d", i, c->status);
        assert_contains(c->text, "another site");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    assert_contains(log_text(), "refused update from client 192.0.2.7: the request came from "
                                "another site (Origin: http://evil.test)");
}
END_TEST

START_TEST(this_site_and_scripts_may_change)
{
    struct { const char *site, *origin, *referer, *host; } own[] = {
        { NULL, NULL, NULL, NULL },                 /* curl */
        { "same-origin", "null", NULL, NULL },      /* a form under no-referrer */
        { "none", NULL, NULL, NULL },               /* typed into the address bar */
        { NULL, "http://status.example", NULL, "status.example" },
        { NULL, "http://STATUS.example:80", NULL, "status.example" },
        { NULL, "https://status.example", NULL, "status.example:443" },
        { NULL, NULL, "http://u:p@status.example/jkstatus?x", "status.example" },
        { NULL, "http://status.example", NULL, NULL }, /* HTTP/1.0: ServerName and port */
        /* A proxy in front rewrote Host: the browser's own word decides. */
        { "same-origin", "https://www.example", NULL, "backend:8080" },
    };
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        capture *c;
        atomic_store(&rec("b")->activation, JK_ACTIVATION_ACTIVE);
        c = get_with(own[i].site, own[i].origin, own[i].referer, own[i].host);
        ck_assert_msg(c->status == 303, "case %zu: %d %s", i, c->status, c->text);
        ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
    }
    /* Without strict_update a POST needs no token either. */
    atomic_store(&rec("b")->activation, JK_ACTIVATION_ACTIVE);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=D")->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
}
END_TEST

START_TEST(head_read_only_and_unchangeable_settings_change_nothing)
{
    call head = { .worker = "jkstatus", .method = "HEAD", .query = "cmd=update&w=lb&sw=b&vwa=S" };
    capture *c = run_call(&head);
    ck_assert_int_eq(c->status, 403);
    c = get_as("jkro", "cmd=update&w=lb&sw=b&vwa=S&mime=txt", NULL);
    ck_assert_int_eq(c->status, 403);
    ck_assert_str_eq(c->text, "Result: type=ERROR message=\"this status worker is read only\"\n");
    /* mod_jk's read-only view option, per request. */
    c = get("cmd=update&w=lb&sw=b&vwa=S&opt=33");
    ck_assert_int_eq(c->status, 403);
    assert_contains(c->text, "opt=32 asks for read only mode");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    c = get("cmd=update&w=lb&vlr=5");
    ck_assert_int_eq(c->status, 409);
    assert_contains(c->text, "vlr= (lb settings");
    ck_assert_int_eq(get("cmd=update&w=lb&sw=b&vwa=S&vart=100")->status, 409);
    ck_assert_int_eq(get("cmd=update&w=lb&att=vwf&val0=3")->status, 409);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    /* Change parameters without a cmd that applies them. */
    ck_assert_int_eq(get("w=lb&sw=b&vwa=S")->status, 400);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
}
END_TEST

START_TEST(version_and_dump)
{
    capture *c = get("cmd=version&mime=txt");
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "Server: name=status.example port=80\n"
                             "Software: jk_version=jk-connector/");
    assert_contains(c->text, "Result: type=OK message=\"Action finished\"\n");
    c = get("cmd=version&mime=json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"jk_version\":\"jk-connector/");
    ck_assert_ptr_null(xml_check(get("cmd=version&mime=xml")->text));
    c = get("cmd=dump&mime=txt");
    ck_assert_int_eq(c->status, 200);
    assert_contains(c->text, "Configuration:\nworker.list=lb,plain,");
    assert_contains(c->text, "worker.lb.balance_workers=a,b\n");
    assert_lacks(c->text, "s3cr3t");
    c = get("cmd=dump&mime=json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "{\"key\":\"worker.lb.type\",\"value\":\"lb\",");
    assert_lacks(c->text, "s3cr3t");
    c = get("cmd=dump&mime=xml");
    ck_assert_ptr_null(xml_check(c->text));
    assert_contains(c->text,
                    "<jk:property name=\"worker.b.domain\" value=\"d&amp;&quot;&#39;x\"/>");
    c = get("cmd=dump");
    ck_assert_str_eq(header(c, "Content-Type"), "text/html; charset=utf-8");
    assert_contains(c->text, "worker.b.domain=d&amp;&quot;&#39;x\n");
    assert_lacks(c->text, "s3cr3t");
    ck_assert_int_eq(get("cmd=dump&mime=prometheus")->status, 400);
}
END_TEST

START_TEST(only_the_canonical_url_is_served)
{
    static const char *const uris[] = { "/jkstatus;x", "/x/..;/jkstatus", "/jkstatus/.",
                                        "//jkstatus", "/a/b/..;/../jkstatus" };
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        call k = { .worker = "jkstatus", .method = "GET", .uri = uris[i] };
        capture *c = run_call(&k);
        ck_assert_msg(c->status == 404, "%s answered %d", uris[i], c->status);
    }
    {
        call k = { .worker = "jkstatus", .method = "POST", .uri = "/jkstatus;x",
                   .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
        ck_assert_int_eq(run_call(&k)->status, 404);
        ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    }
    {
        call k = { .worker = "jkstatus", .method = "GET", .uri = "/status/jk" };
        ck_assert_int_eq(run_call(&k)->status, 200);
    }
    assert_contains(log_text(), "refused /jkstatus;x from client 192.0.2.7: not the canonical");
}
END_TEST

START_TEST(other_methods_and_large_forms)
{
    call put = { .worker = "jkstatus", .method = "PUT", .body = "x" };
    char *big = apr_palloc(pool, 20001);
    capture *c = run_call(&put);
    ck_assert_int_eq(c->status, 405);
    ck_assert_str_eq(header(c, "Allow"), "GET, HEAD, POST");
    memset(big, 'a', 20000);
    big[20000] = '\0';
    memcpy(big, "token=", 6);
    ck_assert_int_eq(post(big)->status, 413);
    c = get_as("jkstatus", NULL, NULL);
    ck_assert_int_eq(c->status, 200);
}
END_TEST

/* mod_jk's GET URLs and what may use them. */
TCase *status_urls_tcase(void)
{
    TCase *tc = tcase_create("mod_jk urls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mod_jk_get_urls_change_the_shared_records);
    tcase_add_test(tc, a_wildcard_member_updates_every_match_or_none);
    tcase_add_test(tc, browsers_on_another_site_change_nothing);
    tcase_add_test(tc, this_site_and_scripts_may_change);
    tcase_add_test(tc, head_read_only_and_unchangeable_settings_change_nothing);
    tcase_add_test(tc, version_and_dump);
    tcase_add_test(tc, only_the_canonical_url_is_served);
    tcase_add_test(tc, other_methods_and_large_forms);
    return tc;
}
