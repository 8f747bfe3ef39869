/* engine/insight_json: the AWS trail form of an Insight record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "insight_json.h"

#define T0 (20523u * 1440u + 14u * 60u + 30u) /* 2026-03-11T14:30:00Z */

static struct insight ins = {
    .start = T0, .end = T0 + 5, .closed = 1, .direction = DIRECTION_INCREASE,
    .decided = T0, .window = 1, .observed = 30, .expected = 0.016, .mean = 0.016,
    .slot = 14, .tail = 1e-80, .peak_score = 90,
};

static struct insight_report report(enum insight_state state, int error_rate)
{
    struct insight_report r = {0};
    r.state = state;
    r.error_rate = error_rate;
    r.account = "111122223333";
    r.region = "us-east-1";
    r.source = "ec2.amazonaws.com";
    r.name = "RunInstances";
    r.error = error_rate ? "Client.InstanceLimitExceeded" : NULL;
    r.ins = &ins;
    r.category = "service-limit";
    r.baseline_average = 0.00635;
    r.baseline_minutes = 13830;
    r.insight_average = state == STATE_START ? 30 : 29.5;
    r.insight_minutes = state == STATE_START ? 1 : 5;
    r.insight_attr[TALLY_ARN].n = 1;
    r.insight_attr[TALLY_ARN].v[0] = (struct attr_value){"arn:aws:sts::1:assumed-role/x/y", 30};
    r.insight_attr[TALLY_ERROR].n = 2;
    r.insight_attr[TALLY_ERROR].v[0] = (struct attr_value){"Client.InstanceLimitExceeded", 26};
    r.insight_attr[TALLY_ERROR].v[1] = (struct attr_value){"null", 4};
    return r;
}

static const char *str(const json_t *o, const char *path)
{
    return json_string_value(json_object_get(o, path));
}

static void test_trail_form(void **state)
{
    (void)state;
    struct insight_report rs = report(STATE_START, 0), re = report(STATE_END, 0);
    json_t *s = insight_json(&rs), *e = insight_json(&re);
    assert_string_equal(str(s, "eventType"), "AwsCloudTrailInsight");
    assert_string_equal(str(s, "eventCategory"), "Insight");
    assert_string_equal(str(s, "eventTime"), "2026-03-11T14:30:00Z");
    assert_string_equal(str(e, "eventTime"), "2026-03-11T14:35:00Z");
    assert_string_equal(str(s, "recipientAccountId"), "111122223333");
    /* No top-level fields of an ordinary record. */
    assert_null(json_object_get(s, "eventName"));
    assert_null(json_object_get(s, "eventSource"));
    assert_null(json_object_get(s, "userIdentity"));
    /* Start and End share the sharedEventID, not the eventID. */
    assert_string_equal(str(s, "sharedEventID"), str(e, "sharedEventID"));
    assert_string_not_equal(str(s, "eventID"), str(e, "eventID"));
    char id[IDS_UUID_LEN];
    insight_json_shared_id(&rs, id);
    assert_string_equal(id, str(s, "sharedEventID"));
    const json_t *d = json_object_get(s, "insightDetails");
    assert_string_equal(str(d, "state"), "Start");
    assert_string_equal(str(d, "insightType"), "ApiCallRateInsight");
    assert_null(json_object_get(d, "errorCode"));
    const json_t *st = json_object_get(json_object_get(d, "insightContext"), "statistics");
    assert_int_equal(json_integer_value(json_object_get(st, "insightDuration")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "baselineDuration")), 13830);
    const json_t *attrs = json_object_get(json_object_get(d, "insightContext"), "attributions");
    assert_int_equal(json_array_size(attrs), 3);
    assert_string_equal(str(json_array_get(attrs, 2), "attribute"), "errorCode");
    const json_t *x = json_object_get(s, "additionalEventData");
    assert_string_equal(str(x, "direction"), "increase");
    assert_string_equal(str(x, "category"), "service-limit");
    assert_string_equal(str(x, "decidedAt"), "2026-03-11T14:31:00Z");
    assert_string_equal(str(x, "seasonalSlot"), "weekday 14:00-14:59 UTC");
    assert_true(json_real_value(json_object_get(x, "score")) == 80.0); /* -log10(1e-80) */
    assert_true(json_real_value(json_object_get(json_object_get(e, "additionalEventData"),
                                                "score")) == 90.0); /* the peak */
    json_decref(s);
    json_decref(e);
}

static void test_error_rate_and_gap(void **state)
{
    (void)state;
    struct insight_report r = report(STATE_START, 1);
    json_t *s = insight_json(&r);
    const json_t *d = json_object_get(s, "insightDetails");
    assert_string_equal(str(d, "insightType"), "ApiErrorRateInsight");
    assert_string_equal(str(d, "errorCode"), "Client.InstanceLimitExceeded");
    const json_t *attrs = json_object_get(json_object_get(d, "insightContext"), "attributions");
    assert_int_equal(json_array_size(attrs), 2); /* no errorCode attribution */
    /* Another key (its error code), another Insight. */
    struct insight_report c = report(STATE_START, 0);
    char a[IDS_UUID_LEN], b[IDS_UUID_LEN];
    insight_json_shared_id(&r, a);
    insight_json_shared_id(&c, b);
    assert_string_not_equal(a, b);
    json_decref(s);

    struct insight gap = {.start = T0, .end = T0 + 60, .closed = 1,
                          .direction = DIRECTION_DECREASE, .decided = T0 + 6,
                          .period = 10, .last_run = T0 - 10, .mean = 0.1, .slot = -1};
    struct insight_report g = report(STATE_START, 0);
    g.ins = &gap;
    g.category = "maintenance-gap";
    json_t *j = insight_json(&g);
    const json_t *x = json_object_get(j, "additionalEventData");
    assert_string_equal(str(x, "direction"), "decrease");
    assert_int_equal(json_integer_value(json_object_get(x, "periodMinutes")), 10);
    assert_string_equal(str(x, "lastRun"), "2026-03-11T14:20:00Z");
    assert_string_equal(str(x, "expectedRunAt"), "2026-03-11T14:30:00Z");
    assert_null(json_object_get(x, "windowMinutes"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trail_form),
        cmocka_unit_test(test_error_rate_and_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
