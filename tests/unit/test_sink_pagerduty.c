/*
 * Unit tests for engine/alert/sink_pagerduty.c against a receiver on
 * 127.0.0.1: a page's Start is an Events API v2 trigger and its End a
 * resolve, both with the routing key (read from the environment) and the
 * page_id as dedup_key, so PagerDuty folds re-sends and joins into one
 * incident; a trigger's payload says what happened (summary, source,
 * severity, timestamp, component, group, class, custom_details with the
 * rates and every Insight of the page); no routing key, no sink.
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
#include "alert_insight.h"

#define KEY "R0UT1NGKEY0123456789abcdef"
#define PAGE "c14bba7a-bcc7-8df1-aa53-a28637c19b82"

static struct http_fixture srv;
static struct sink_fixture sf;

static int setup(void **state)
{
    (void)state;
    setenv("TEST_PD_KEY", KEY, 1);
    sink_fixture_open_http(&sf, &srv, "sinks:\n  - type: pagerduty\n"
                                      "    url: \"%s/v2/enqueue\"\n"
                                      "    routing_key_env: TEST_PD_KEY\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sink_fixture_close_http(&sf, &srv);
    unsetenv("TEST_PD_KEY");
    return 0;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_t *post_page(enum alert_kind kind, json_t *rec, json_t *members)
{
    struct alert_outcome o;
    sink_fixture_send(&sf, kind, rec, members, 1773239460, &o);
    assert_int_equal(o.result, ALERT_OK);
    assert_string_equal(srv.method, "POST");
    assert_string_equal(srv.path, "/v2/enqueue");
    assert_string_equal(http_fixture_header(&srv, "Content-Type"), "application/json");
    json_t *body = http_fixture_json(&srv);
    assert_string_equal(str(body, "routing_key"), KEY);
    assert_string_equal(str(body, "dedup_key"), PAGE);
    return body;
}

static void test_trigger(void **state)
{
    json_t *r0 = case_record(0), *r1 = case_record(1);
    json_t *members = json_pack("[O,O]", r0, r1);
    struct alert_insight lead;
    (void)state;
    assert_int_equal(alert_insight_read(r0, &lead), 0);
    json_t *body = post_page(ALERT_FIRING, r1, members);
    assert_string_equal(str(body, "event_action"), "trigger");
    json_t *p = json_object_get(body, "payload");
    assert_contains(str(p, "summary"), "RunInstances");
    assert_contains(str(p, "summary"), "+1 more");
    assert_true(strlen(str(p, "summary")) <= 1024);
    assert_string_equal(str(p, "source"), "ctinsights"); /* the default */
    assert_string_equal(str(p, "severity"), alert_insight_severity(&lead));
    assert_string_equal(str(p, "timestamp"), "2026-03-11T14:30:00Z");
    assert_string_equal(str(p, "component"), "ec2.amazonaws.com");
    assert_string_equal(str(p, "group"), "111122223333");
    assert_string_equal(str(p, "class"), "service-limit");
    json_t *cd = json_object_get(p, "custom_details");
    assert_float_equal(json_real_value(json_object_get(cd, "insight_per_minute")), 30, 1e-9);
    assert_float_equal(json_real_value(json_object_get(cd, "score")), lead.score, 1e-9);
    assert_contains(str(cd, "attributions"), "ci-deployer");
    assert_true(json_equal(json_object_get(cd, "insights"), members));
    json_decref(body);
    json_decref(members);
    json_decref(r0);
    json_decref(r1);
}

static void test_resolve(void **state)
{
    json_t *e0 = case_record(2), *e1 = case_record(3);
    json_t *members = json_pack("[O,O]", e0, e1);
    (void)state;
    json_t *body = post_page(ALERT_RESOLVED, e1, members);
    assert_string_equal(str(body, "event_action"), "resolve");
    assert_null(json_object_get(body, "payload"));
    json_decref(body);
    json_decref(members);
    json_decref(e0);
    json_decref(e1);
}

/* A refusal that quotes the key does not show it. */
static void test_key_not_shown(void **state)
{
    json_t *r0 = case_record(0), *members = json_pack("[O]", r0);
    struct alert_outcome o;
    (void)state;
    srv.status = 400;
    srv.reply = "{\"status\":\"invalid event\",\"errors\":[\"bad key " KEY "\"]}";
    sink_fixture_send(&sf, ALERT_FIRING, r0, members, 1773239460, &o);
    srv.status = 200;
    srv.reply = "";
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_contains(o.detail, "invalid event");
    assert_null(strstr(o.detail, KEY));
    json_decref(members);
    json_decref(r0);
}

static void test_no_key_no_sink(void **state)
{
    (void)state;
    unsetenv("TEST_PD_UNSET");
    sink_fixture_refused("sinks:\n  - type: pagerduty\n    routing_key_env: TEST_PD_UNSET\n", "TEST_PD_UNSET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trigger),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_key_not_shown),
        cmocka_unit_test(test_no_key_no_sink),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
