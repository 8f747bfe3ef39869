/*
 * Unit tests for engine/alert/sink_slack.c against a receiver on
 * 127.0.0.1: the webhook URL read from sinks.url_env (it embeds a token);
 * a firing page is one message whose text (for notifications) and first
 * block say Firing and the summary, with fields for account, region,
 * category and rates, the top attributions, and the page's other Insights;
 * a resolved page says Resolved; the URL never in a detail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_fixture.h"

static struct http_fixture srv;
static struct sink_fixture sf;

static int setup(void **state)
{
    char url[128];
    (void)state;
    /* The receiver's port is only known once it runs: start it first. */
    http_fixture_start(&srv);
    snprintf(url, sizeof url, "%s/services/T0/B0/t0ken", srv.base);
    setenv("TEST_SLACK_URL", url, 1);
    sink_fixture_open(&sf, "sinks:\n  - type: slack\n    url_env: TEST_SLACK_URL\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sink_fixture_close_http(&sf, &srv);
    unsetenv("TEST_SLACK_URL");
    return 0;
}

/* The text of block i, a section (NULL for other blocks). */
static const char *block_text(json_t *body, size_t i)
{
    json_t *b = json_array_get(json_object_get(body, "blocks"), i);
    return json_string_value(json_object_get(json_object_get(b, "text"), "text"));
}

static json_t *post_page(enum alert_kind kind, json_t *rec, json_t *members)
{
    struct alert_outcome o;
    sink_fixture_send(&sf, kind, rec, members, 1773239460, &o);
    assert_int_equal(o.result, ALERT_OK);
    assert_string_equal(srv.method, "POST");
    assert_string_equal(srv.path, "/services/T0/B0/t0ken");
    assert_string_equal(http_fixture_header(&srv, "Content-Type"), "application/json");
    return http_fixture_json(&srv);
}

static void test_firing(void **state)
{
    json_t *r0 = case_record(0), *r1 = case_record(1);
    json_t *members = json_pack("[O,O]", r0, r1);
    (void)state;
    json_t *body = post_page(ALERT_FIRING, r1, members);
    const char *text = json_string_value(json_object_get(body, "text"));
    assert_non_null(text);
    assert_true(strncmp(text, ":rotating_light: *Firing* ", 26) == 0);
    assert_contains(text, "RunInstances");
    assert_contains(text, "+1 more");
    assert_string_equal(block_text(body, 0), text);
    /* Fields: account, region, category, rate. */
    char *fields = json_dumps(json_object_get(json_array_get(json_object_get(body, "blocks"), 1),
                                              "fields"), JSON_COMPACT);
    assert_contains(fields, "*Account*\\n111122223333");
    assert_contains(fields, "*Region*\\nus-east-1");
    assert_contains(fields, "*Category*\\nservice-limit");
    assert_contains(fields, "*Rate*\\n30/min");
    free(fields);
    /* The attributions, then the other Insight of the page. */
    json_t *context = json_array_get(json_object_get(body, "blocks"), 2);
    assert_contains(json_string_value(json_object_get(
                        json_array_get(json_object_get(context, "elements"), 0), "text")),
                    "ci-deployer");
    assert_contains(block_text(body, 3), "\xe2\x80\xa2 CloudTrail Insight: RunInstances");
    assert_contains(block_text(body, 3), "error rate");
    assert_null(strstr(block_text(body, 3), "call rate")); /* only the others */
    json_decref(body);
    json_decref(members);
    json_decref(r0);
    json_decref(r1);
}

static void test_resolved(void **state)
{
    json_t *e0 = case_record(2), *members = json_pack("[O]", e0);
    (void)state;
    json_t *body = post_page(ALERT_RESOLVED, e0, members);
    const char *text = json_string_value(json_object_get(body, "text"));
    assert_true(strncmp(text, ":white_check_mark: *Resolved* ", 30) == 0);
    assert_contains(text, "ended after");
    assert_null(strstr(text, "Firing"));
    json_decref(body);
    json_decref(members);
    json_decref(e0);
}

static void test_url_not_shown(void **state)
{
    json_t *r0 = case_record(0), *members = json_pack("[O]", r0);
    struct alert_outcome o;
    char reply[192];
    (void)state;
    snprintf(reply, sizeof reply, "no_service for %s/services/T0/B0/t0ken", srv.base);
    srv.status = 404;
    srv.reply = reply;
    sink_fixture_send(&sf, ALERT_FIRING, r0, members, 1773239460, &o);
    srv.status = 200;
    srv.reply = "";
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_contains(o.detail, "no_service");
    assert_null(strstr(o.detail, "t0ken"));
    json_decref(members);
    json_decref(r0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firing),
        cmocka_unit_test(test_resolved),
        cmocka_unit_test(test_url_not_shown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
