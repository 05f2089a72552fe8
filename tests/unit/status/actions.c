/* actions.c: updates, reset and recover, and who may make them (tokens, sites, users). */
#include "status_fixture.h"

/* ------------------------------------------------------------------ */
/* Actions                                                              */

START_TEST(post_update_changes_activation_and_lbfactor_in_shm)
{
    capture *c = post("cmd=update&w=lb&sw=b&vwa=S&vwf=5&token=" TOKEN);
    const char *log;
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus");
    ck_assert_str_eq(header(c, "Cache-Control"), "no-store");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 5);
    ck_assert_int_eq(atomic_load(&rec("a")->activation), JK_ACTIVATION_ACTIVE);
    log = log_text();
    assert_contains(log, "[info] status jkstatus: client 192.0.2.7 set activation of member b "
                         "of lb lb: Active -> Stopped");
    assert_contains(log, "set lbfactor of member b of lb lb: 2 -> 5");
    /* Digits as mod_jk allows, and the refresh kept across the redirect. */
    c = post("cmd=update&w=lb&sw=b&vwa=1&refresh=30&token=" TOKEN);
    ck_assert_int_eq(c->status, 303);
    ck_assert_str_eq(header(c, "Location"), "/jkstatus?refresh=30");
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
    /* The page shows it. */
    assert_contains(get("mime=json")->text, "\"activation\":\"Disabled\"");
}
END_TEST

START_TEST(reactivated_member_starts_level_with_the_others)
{
    atomic_store(&rec("a")->lb_value, 500);
    atomic_store(&rec("b")->lb_value, 3);
    atomic_store(&rec("b")->activation, JK_ACTIVATION_STOPPED);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=A&token=" TOKEN)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_uint_eq(atomic_load(&rec("b")->lb_value), 500);
}
END_TEST

START_TEST(strict_update_refuses_gets_with_action_parameters)
{
    static const char *const queries[] = {
        "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwf=9",
        "w=lb&sw=b&vwa=S",
        "cmd=reset&w=lb&token=" TOKEN,
        "cmd=recover&w=lb&sw=a&token=" TOKEN,
    };
    atomic_store(&rec("a")->requests, 4);
    atomic_store(&rec("a")->state, JK_MEMBER_ERROR);
    atomic_store(&rec("a")->error_time, 777);
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        capture *c = get_as("jkstrict", queries[i], NULL);
        ck_assert_int_eq(c->status, 403);
        assert_contains(c->text, "POST");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 2);
    ck_assert_uint_eq(atomic_load(&rec("a")->requests), 4);
    ck_assert_int_eq(atomic_load(&rec("a")->error_time), 777);
}
END_TEST

START_TEST(strict_update_refuses_posts_without_the_right_token)
{
    static const char *const bodies[] = {
        "cmd=update&w=lb&sw=b&vwa=S",
        "cmd=update&w=lb&sw=b&vwa=S&token=",
        "cmd=update&w=lb&sw=b&vwa=S&token=0123456789abcdef0123456789abcdeF",
        "cmd=update&w=lb&sw=b&vwa=S&token=0123456789abcdef0123456789abcde",
        "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN "0",
        "cmd=reset&w=lb",
    };
    atomic_store(&rec("a")->requests, 4);
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        capture *c = post_to("jkstrict", bodies[i]);
        ck_assert_int_eq(c->status, 403);
        assert_contains(c->text, "token");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_uint_eq(atomic_load(&rec("a")->requests), 4);
    /* The token in the query string of a POST does not count either. */
    {
        call k = { .worker = "jkstrict", .method = "POST", .query = "token=" TOKEN,
                   .body = "cmd=update&w=lb&sw=b&vwa=S" };
        ck_assert_int_eq(run_call(&k)->status, 403);
    }
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    assert_contains(log_text(), "refused update from client 192.0.2.7");
    /* The right token passes. */
    ck_assert_int_eq(post_to("jkstrict", "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN)->status,
                     303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
}
END_TEST

START_TEST(cross_site_or_non_form_posts_are_refused)
{
    call cross = { .worker = "jkstatus", .method = "POST", .fetch_site = "cross-site",
                   .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
    call json = { .worker = "jkstatus", .method = "POST", .content_type = "application/json",
                  .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
    call text = { .worker = "jkstatus", .method = "POST", .content_type = "text/plain",
                  .body = "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN };
    ck_assert_int_eq(run_call(&cross)->status, 403);
    ck_assert_int_eq(run_call(&json)->status, 415);
    ck_assert_int_eq(run_call(&text)->status, 415);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    cross.fetch_site = "same-origin";
    ck_assert_int_eq(run_call(&cross)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_STOPPED);
}
END_TEST

START_TEST(read_only_refuses_every_action)
{
    capture *c = post_to("jkro", "cmd=update&w=lb&sw=b&vwa=S&token=" TOKEN);
    ck_assert_int_eq(c->status, 403);
    assert_contains(c->text, "read only");
    atomic_store(&rec("a")->requests, 4);
    ck_assert_int_eq(post_to("jkro", "cmd=reset&w=lb&token=" TOKEN)->status, 403);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    ck_assert_uint_eq(atomic_load(&rec("a")->requests), 4);
    /* Its page has no forms and no token. */
    c = get_as("jkro", NULL, NULL);
    ck_assert_int_eq(c->status, 200);
    assert_lacks(c->text, "<form");
    assert_lacks(c->text, TOKEN);
}
END_TEST

START_TEST(user_list_is_enforced)
{
    call k = { .worker = "jkusers", .method = "POST", .user = "carol",
               .body = "cmd=update&w=lb&sw=b&vwa=D&token=" TOKEN };
    ck_assert_int_eq(get_as("jkusers", NULL, NULL)->status, 403);
    ck_assert_int_eq(get_as("jkusers", NULL, "carol")->status, 403);
    ck_assert_int_eq(get_as("jkusers", NULL, "Alice")->status, 200);
    ck_assert_int_eq(get_as("jkusers", NULL, "ALICE")->status, 200);
    ck_assert_int_eq(get_as("jkusers", NULL, "Bob")->status, 200);
    ck_assert_int_eq(get_as("jkcase", NULL, "Alice")->status, 200);
    ck_assert_int_eq(get_as("jkcase", NULL, "alice")->status, 403);
    ck_assert_int_eq(run_call(&k)->status, 403);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    k.user = "aLiCe";
    ck_assert_int_eq(run_call(&k)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_DISABLED);
    assert_contains(log_text(), "status jkusers: user aLiCe at 192.0.2.7 set activation");
    /* A user name is quoted safely in the log. */
    ck_assert_int_eq(get_as("jkusers", NULL, "<b>\nx")->status, 403);
    assert_contains(log_text(), "user \\x3Cb\\x3E\\x0Ax at 192.0.2.7");
}
END_TEST

static void set_counters(jk_shm_member *m, uint64_t v)
{
    atomic_store(&m->requests, v);
    atomic_store(&m->errors, v);
    atomic_store(&m->client_errors, v);
    atomic_store(&m->reply_timeouts, v);
    atomic_store(&m->bytes_read, v);
    atomic_store(&m->bytes_written, v);
    atomic_store(&m->max_busy, (int)v);
}

static int counters_zero(jk_shm_member *m)
{
    return atomic_load(&m->requests) == 0 && atomic_load(&m->errors) == 0 &&
           atomic_load(&m->client_errors) == 0 && atomic_load(&m->reply_timeouts) == 0 &&
           atomic_load(&m->bytes_read) == 0 && atomic_load(&m->bytes_written) == 0 &&
           atomic_load(&m->max_busy) == atomic_load(&m->busy);
}

START_TEST(reset_zeroes_counters)
{
    set_counters(rec("a"), 9);
    set_counters(rec("b"), 9);
    set_counters(rec("plain"), 9);
    atomic_store(&rec("a")->lb_value, 77);
    ck_assert_int_eq(post("cmd=reset&w=lb&sw=a&token=" TOKEN)->status, 303);
    ck_assert(counters_zero(rec("a")));
    ck_assert_uint_eq(atomic_load(&rec("a")->lb_value), 77);
    ck_assert_uint_eq(atomic_load(&rec("b")->requests), 9);
    ck_assert_int_eq(post("cmd=reset&w=lb&token=" TOKEN)->status, 303);
    ck_assert(counters_zero(rec("b")));
    ck_assert_uint_eq(atomic_load(&rec("plain")->requests), 9);
    ck_assert_int_eq(post("cmd=reset&w=plain&token=" TOKEN)->status, 303);
    ck_assert(counters_zero(rec("plain")));
    assert_contains(log_text(), "client 192.0.2.7: counters of member a of lb lb reset");
    /* What the counters were: a was reset already, b still had its 9s. */
    assert_contains(log_text(), "counters of lb lb reset (a: requests 0 -> 0, errors 0 -> 0, "
                                "client errors 0 -> 0, reply timeouts 0 -> 0, bytes in 0 -> 0, "
                                "bytes out 0 -> 0, max busy 0 -> 0; b: requests 9 -> 0, errors "
                                "9 -> 0, client errors 9 -> 0, reply timeouts 9 -> 0, bytes in 9 "
                                "-> 0, bytes out 9 -> 0, max busy 9 -> 0)");
    assert_contains(log_text(), "counters of worker plain reset (plain: requests 9 -> 0");
    ck_assert_int_eq(post("cmd=reset&w=nope&token=" TOKEN)->status, 404);
    ck_assert_int_eq(post("cmd=reset&w=lb&sw=plain&token=" TOKEN)->status, 404);
}
END_TEST

START_TEST(recover_makes_an_error_member_due_for_a_probe)
{
    jk_shm_member *a = rec("a");
    apr_time_t now = apr_time_now();
    capture *c;
    /* An OK member has nothing to recover. */
    c = post("cmd=recover&w=lb&sw=a&token=" TOKEN);
    ck_assert_int_eq(c->status, 409);
    atomic_store(&a->state, JK_MEMBER_ERROR);
    atomic_store(&a->error_time, (int64_t)now);
    c = get("mime=json");
    assert_contains(json_object_named(c->text, "a"), "\"state\":\"error\"");
    assert_contains(get(NULL)->text, "name=\"cmd\" value=\"recover\"");
    c = post("cmd=recover&w=lb&sw=a&token=" TOKEN);
    ck_assert_int_eq(c->status, 303);
    ck_assert_int_eq(atomic_load(&a->state), JK_MEMBER_ERROR);
    /* The lb's rule: due when now - error_time >= recover_time (30 s). */
    ck_assert(apr_time_now() - atomic_load(&a->error_time) >= apr_time_from_sec(30));
    c = get("mime=json");
    assert_contains(json_object_named(c->text, "a"), "\"state\":\"recovering\"");
    assert_contains(log_text(), "forced recovery: member a of lb lb will be probed");
    ck_assert_int_eq(post("cmd=recover&w=lb&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=recover&w=plain&token=" TOKEN)->status, 400);
}
END_TEST

START_TEST(config_only_keys_conflict_unless_unchanged)
{
    static const char *const bodies[] = {
        "cmd=update&w=lb&sw=b&vwn=other&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwr=a&vwf=3&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwc=dom2&token=" TOKEN,
        "cmd=update&w=lb&sw=b&vwd=4&vwa=S&token=" TOKEN,
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        capture *c = post(bodies[i]);
        ck_assert_int_eq(c->status, 409);
        assert_contains(c->text, "not changeable at run time in this version");
    }
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 2);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    /* A mod_jk edit form sends every field; unchanged ones are fine. */
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=A&vwf=3&vwn=b&vwr=&vwc=d%26%22%27x&vwd=0"
                          "&token=" TOKEN)->status, 303);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 3);
}
END_TEST

START_TEST(invalid_updates_are_refused)
{
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwf=0&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwf=100001&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwf=2x&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=X&vwf=4&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&token=" TOKEN)->status, 400);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=zz&vwa=S&token=" TOKEN)->status, 404);
    ck_assert_int_eq(post("cmd=update&w=jkro&sw=b&vwa=S&token=" TOKEN)->status, 404);
    ck_assert_int_eq(post("cmd=update&w=lb&sw=b&vwa=S&token=%G0")->status, 400);
    ck_assert_int_eq(post("cmd=list&token=" TOKEN)->status, 400);
    ck_assert_int_eq(atomic_load(&rec("b")->lbfactor), 2);
    ck_assert_int_eq(atomic_load(&rec("b")->activation), JK_ACTIVATION_ACTIVE);
    {
        capture *c = post("cmd=update&w=lb&sw=%3Cscript%3E&vwa=S&token=" TOKEN);
        ck_assert_int_eq(c->status, 404);
        assert_lacks(c->text, "<script>");
    }
}
END_TEST

START_TEST(scripts_can_ask_for_a_json_answer)
{
    capture *c = post("cmd=update&w=lb&sw=b&vwf=4&mime=json&token=" TOKEN);
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(header(c, "Content-Type"), "application/json");
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"ok\":true");
    c = post_to("jkstrict", "cmd=update&w=lb&sw=b&vwf=4&mime=json");
    ck_assert_int_eq(c->status, 403);
    ck_assert(json_valid(c->text));
    assert_contains(c->text, "\"ok\":false");
    c = post("cmd=reset&w=lb&mime=txt&token=" TOKEN);
    ck_assert_int_eq(c->status, 200);
    ck_assert_str_eq(c->text, "Result: type=OK message=\"counters of lb lb reset\"\n");
}
END_TEST

/* What the actions change, and the requests that must change nothing. */
TCase *status_actions_tcase(void)
{
    TCase *tc = tcase_create("actions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, post_update_changes_activation_and_lbfactor_in_shm);
    tcase_add_test(tc, reactivated_member_starts_level_with_the_others);
    tcase_add_test(tc, strict_update_refuses_gets_with_action_parameters);
    tcase_add_test(tc, strict_update_refuses_posts_without_the_right_token);
    tcase_add_test(tc, cross_site_or_non_form_posts_are_refused);
    tcase_add_test(tc, read_only_refuses_every_action);
    tcase_add_test(tc, user_list_is_enforced);
    tcase_add_test(tc, reset_zeroes_counters);
    tcase_add_test(tc, recover_makes_an_error_member_due_for_a_probe);
    tcase_add_test(tc, config_only_keys_conflict_unless_unchanged);
    tcase_add_test(tc, invalid_updates_are_refused);
    tcase_add_test(tc, scripts_can_ask_for_a_json_answer);
    return tc;
}
