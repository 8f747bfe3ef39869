/*
 * Unit tests for engine/alert/sink_alertmanager.c against a receiver on
 * 127.0.0.1: a page is POSTed to {url}/api/v2/alerts as one Alertmanager
 * alert whose labels identify the page (the same on every send), with
 * summary and rates annotations (and every Insight of a page of several);
 * firing, endsAt is four resend intervals ahead; resolved, it is the
 * page's last End.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "alert_fixture.h"

/* 2026-03-11T14:31:00Z, a minute after the limit-hit Starts. */
#define NOW 1773239460.0

static struct http_fixture srv;
static struct sink_fixture sf;

static int setup(void **state)
{
    (void)state;
    sink_fixture_open_http(&sf, &srv, "sinks:\n  - type: alertmanager\n    url: \"%s/am/\"\n"
                                      "    resend_interval: 30\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sink_fixture_close_http(&sf, &srv);
    return 0;
}

static const char *field(json_t *o, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(o, a), b));
}

/* Send a page of members (rec the latest); the one alert posted. */
static json_t *send_page(enum alert_kind kind, json_t *rec, json_t *members,
                         double now, json_t **body)
{
    struct alert_outcome o;
    sink_fixture_send(&sf, kind, rec, members, now, &o);
    assert_int_equal(o.result, ALERT_OK);
    assert_string_equal(srv.method, "POST");
    assert_string_equal(srv.path, "/am/api/v2/alerts");
    assert_string_equal(http_fixture_header(&srv, "Content-Type"), "application/json");
    *body = http_fixture_json(&srv);
    assert_true(json_is_array(*body));
    assert_int_equal(json_array_size(*body), 1);
    return json_array_get(*body, 0);
}

static void test_firing(void **state)
{
    json_t *start = case_record(0), *members = json_pack("[O]", start), *body;
    (void)state;
    json_t *a = send_page(ALERT_FIRING, start, members, NOW, &body);
    assert_string_equal(field(a, "labels", "alertname"), "CloudTrailInsight");
    assert_string_equal(field(a, "labels", "account"), "111122223333");
    assert_string_equal(field(a, "labels", "region"), "us-east-1");
    assert_string_equal(field(a, "labels", "eventSource"), "ec2.amazonaws.com");
    assert_string_equal(field(a, "labels", "eventName"), "RunInstances");
    assert_string_equal(field(a, "labels", "insightType"), "ApiCallRateInsight");
    assert_string_equal(field(a, "labels", "category"), "service-limit");
    assert_string_equal(field(a, "labels", "page"), "c14bba7a-bcc7-8df1-aa53-a28637c19b82");
    assert_null(json_object_get(json_object_get(a, "labels"), "errorCode"));
    assert_contains(field(a, "annotations", "summary"), "RunInstances");
    assert_contains(field(a, "annotations", "rates"), "insight 30/min");
    assert_contains(field(a, "annotations", "attributions"), "ci-deployer");
    assert_null(json_object_get(json_object_get(a, "annotations"), "insights"));
    assert_string_equal(json_string_value(json_object_get(a, "startsAt")),
                        "2026-03-11T14:30:00Z");
    /* 4 x resend_interval (30 s) after now. */
    assert_string_equal(json_string_value(json_object_get(a, "endsAt")),
                        "2026-03-11T14:33:00Z");
    json_decref(body);
    json_decref(members);
    json_decref(start);
}

static void test_page_of_several(void **state)
{
    json_t *r0 = case_record(0), *r1 = case_record(1), *body;
    json_t *members = json_pack("[O,O]", r0, r1);
    char labels[1024];
    (void)state;
    json_t *a = send_page(ALERT_FIRING, r1, members, NOW, &body);
    /* Labelled by the first Insight, whatever joined. */
    assert_string_equal(field(a, "labels", "page"), "c14bba7a-bcc7-8df1-aa53-a28637c19b82");
    assert_string_equal(field(a, "labels", "insightType"), "ApiCallRateInsight");
    assert_contains(field(a, "annotations", "insights"), "error rate");
    assert_contains(field(a, "annotations", "summary"), "+1 more");
    char *l = json_dumps(json_object_get(a, "labels"), JSON_SORT_KEYS);
    snprintf(labels, sizeof labels, "%s", l);
    free(l);
    json_decref(body);
    /* A re-send later is the same alert: the same labels. */
    a = send_page(ALERT_FIRING, r1, members, NOW + 600, &body);
    l = json_dumps(json_object_get(a, "labels"), JSON_SORT_KEYS);
    assert_string_equal(l, labels);
    free(l);
    json_decref(body);
    json_decref(members);
    json_decref(r0);
    json_decref(r1);
}

static void test_resolved(void **state)
{
    json_t *e0 = case_record(2), *e1 = case_record(3), *body;
    json_t *members = json_pack("[O,O]", e0, e1);
    (void)state;
    json_t *a = send_page(ALERT_RESOLVED, e1, members, NOW + 3600, &body);
    assert_string_equal(field(a, "labels", "page"), "c14bba7a-bcc7-8df1-aa53-a28637c19b82");
    assert_string_equal(json_string_value(json_object_get(a, "startsAt")),
                        "2026-03-11T14:35:00Z");
    /* The last End, not now. */
    assert_string_equal(json_string_value(json_object_get(a, "endsAt")),
                        "2026-03-11T14:35:00Z");
    json_decref(body);
    /* Never after now. */
    a = send_page(ALERT_RESOLVED, e1, members, NOW + 120, &body);
    assert_string_equal(json_string_value(json_object_get(a, "endsAt")),
                        "2026-03-11T14:33:00Z");
    json_decref(body);
    json_decref(members);
    json_decref(e0);
    json_decref(e1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firing),
        cmocka_unit_test(test_page_of_several),
        cmocka_unit_test(test_resolved),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
