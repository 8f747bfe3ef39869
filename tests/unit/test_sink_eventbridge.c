/*
 * Unit tests for engine/alert/sink_eventbridge.c: every Start and End
 * record appended to sinks.path in the EventBridge envelope, one per line
 * (version, an id derived from the record's eventID, so a re-delivery has
 * the same id, detail-type, source, account, time, region, resources, and
 * the record as detail); a file that cannot be opened or written (a full
 * disk) is retried.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "alert_fixture.h"
#include "scratch_fixture.h"

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Deliver the records lines[0..n) through a sink writing to path. */
static void deliver(const char *path, const int *lines, size_t n, struct alert_outcome *o)
{
    char yaml[256];
    struct sink_fixture sf;
    snprintf(yaml, sizeof yaml, "sinks:\n  - type: eventbridge\n    path: \"%s\"\n", path);
    sink_fixture_open(&sf, yaml);
    for (size_t i = 0; i < n; i++) {
        json_t *rec = case_record(lines[i]);
        sink_fixture_send(&sf, lines[i] < 2 ? ALERT_FIRING : ALERT_RESOLVED, rec, NULL,
                          1773239460, o);
        json_decref(rec);
        if (o->result != ALERT_OK)
            break;
    }
    sink_fixture_close(&sf);
}

static void test_envelopes_appended(void **state)
{
    static const int lines[] = {0, 2, 0};
    char path[128], *line = NULL;
    size_t cap = 0;
    char ids[3][64];
    struct alert_outcome o;
    (void)state;
    snprintf(path, sizeof path, "%s/insights.jsonl", scratch);
    FILE *f = fopen(path, "w");
    fputs("{\"earlier\":true}\n", f);
    fclose(f);
    deliver(path, lines, 3, &o);
    assert_int_equal(o.result, ALERT_OK);
    assert_contains(o.detail, path);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_true(getline(&line, &cap, f) > 0);
    assert_string_equal(line, "{\"earlier\":true}\n"); /* appended after it */
    for (int i = 0; i < 3; i++) {
        json_t *rec = case_record(lines[i]);
        assert_true(getline(&line, &cap, f) > 0);
        assert_int_equal(line[strlen(line) - 1], '\n');
        json_t *env = json_loads(line, 0, NULL);
        assert_non_null(env);
        assert_string_equal(str(env, "version"), "0");
        assert_string_equal(str(env, "detail-type"), "AWS Insight via CloudTrail");
        assert_string_equal(str(env, "source"), "aws.cloudtrail");
        assert_string_equal(str(env, "account"), "111122223333");
        assert_string_equal(str(env, "region"), "us-east-1");
        assert_string_equal(str(env, "time"), str(rec, "eventTime"));
        assert_true(json_is_array(json_object_get(env, "resources")));
        assert_int_equal(json_array_size(json_object_get(env, "resources")), 0);
        assert_true(json_equal(json_object_get(env, "detail"), rec));
        assert_int_equal(strlen(str(env, "id")), 36);
        snprintf(ids[i], sizeof ids[i], "%s", str(env, "id"));
        json_decref(env);
        json_decref(rec);
    }
    assert_int_equal(getline(&line, &cap, f), -1);
    free(line);
    fclose(f);
    /* A re-delivery has its id; another record another one. */
    assert_string_equal(ids[0], ids[2]);
    assert_string_not_equal(ids[0], ids[1]);
}

static void test_cannot_write_is_retried(void **state)
{
    static const int lines[] = {0};
    char path[128];
    struct alert_outcome o;
    (void)state;
    snprintf(path, sizeof path, "%s/no/such/folder/x.jsonl", scratch);
    deliver(path, lines, 1, &o);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_contains(o.detail, "cannot open");
    if (access("/dev/full", W_OK) != 0)
        skip();
    deliver("/dev/full", lines, 1, &o);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_contains(o.detail, "cannot write to /dev/full");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelopes_appended),
        cmocka_unit_test(test_cannot_write_is_retried),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
