/*
 * Unit tests for engine/alert/alert.c and engine/alert/alert_insight.c: the sink
 * registry and the config's sink types agree, every sink setting is
 * documented in config/ctinsights.yaml; what an alert says about a
 * real Insight record written by the engine (tests/cases/limit-hit);
 * severities; secrets read from the environment or a file and never
 * shown.  Run from the repository root.
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
#include "alert_insight.h"
#include "config.h"
#include "xalloc.h"

/* Every sink type and every setting its ops declare are documented in
 * the sinks section of config/ctinsights.yaml ("#   type " and
 * "#   key " lines), and a pager declares the pager settings. */
static void test_sink_settings_documented(void **state)
{
    FILE *f = fopen("config/ctinsights.yaml", "rb");
    char *text = NULL, want[96];
    size_t cap = 0;

    (void)state;
    assert_non_null(f);
    assert_true(getdelim(&text, &cap, '\0', f) > 0);
    fclose(f);
    for (size_t i = 0; alert_sink_registry[i]; i++) {
        const struct alert_sink_ops *ops = alert_sink_registry[i];
        int groups = 0;

        snprintf(want, sizeof want, "\n#   %s ", ops->config.name);
        assert_contains(text, want);
        for (size_t r = 0; r < ops->config.n_rows; r++) {
            const char *key = ops->config.rows[r].key;

            assert_int_equal(strncmp(key, "sinks.", 6), 0);
            snprintf(want, sizeof want, "\n#   %s ", key + 6);
            assert_contains(text, want);
            groups += strcmp(key, "sinks.group_by") == 0;
        }
        assert_int_equal(groups, ops->pager);
    }
    free(text);
}

/* Every registered sink type is a type the config takes, and every type
 * the config names (in its unknown-type message) is registered. */
static void test_registry_matches_config(void **state)
{
    char yaml[128], err[512];
    struct config c;
    const char *list;
    char *copy, *save = NULL;

    (void)state;
    for (size_t i = 0; alert_sink_registry[i]; i++) {
        snprintf(yaml, sizeof yaml, "sinks: [{type: %s}]\n",
                 alert_sink_registry[i]->config.name);
        config_defaults(&c);
        err[0] = '\0';
        config_load_string(&c, yaml, strlen(yaml), "t.yaml", err, sizeof err);
        assert_null(strstr(err, "unknown sink type"));
        config_free(&c);
    }
    config_defaults(&c);
    assert_int_equal(config_load_string(&c, "sinks: [{type: x}]\n", 19,
                                        "t.yaml", err, sizeof err), -1);
    config_free(&c);
    list = strstr(err, "valid types: ");
    assert_non_null(list);
    list += strlen("valid types: ");
    copy = xstrdup(list);
    for (char *t = strtok_r(copy, ", ", &save); t;
         t = strtok_r(NULL, ", ", &save))
        assert_non_null(alert_sink_find(t));
    xfree(copy);
}

static void test_read_start(void **state)
{
    json_t *rec = case_record(0);
    struct alert_insight ai;
    char buf[512];

    (void)state;
    assert_int_equal(alert_insight_read(rec, &ai), 0);
    assert_string_equal(ai.shared_id, "c14bba7a-bcc7-8df1-aa53-a28637c19b82");
    assert_string_equal(ai.state, "Start");
    assert_string_equal(ai.account, "111122223333");
    assert_string_equal(ai.region, "us-east-1");
    assert_string_equal(ai.source, "ec2.amazonaws.com");
    assert_string_equal(ai.name, "RunInstances");
    assert_string_equal(ai.type, "ApiCallRateInsight");
    assert_null(ai.error_code);
    assert_string_equal(ai.category, "service-limit");
    assert_string_equal(ai.principal,
                        "arn:aws:sts::111122223333:assumed-role/ci-deployer/"
                        "session-77");
    assert_true(ai.rate == 30.0);
    assert_true(ai.score > 86 && ai.score < 87);
    assert_int_equal(ai.time, 1773239400); /* 2026-03-11T14:30:00Z */
    alert_insight_summary(&ai, buf, sizeof buf);
    assert_string_equal(buf, "CloudTrail Insight: RunInstances "
                        "(ec2.amazonaws.com) call rate 30/min, baseline "
                        "0.00635/min, in 111122223333 us-east-1 "
                        "[service-limit]");
    assert_string_equal(alert_insight_severity(&ai), "error");
    alert_insight_attributions(rec, 1, buf, sizeof buf);
    assert_string_equal(buf, "userIdentityArn: arn:aws:sts::111122223333:"
                        "assumed-role/ci-deployer/session-77 (30/min); "
                        "userAgent: aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22 "
                        "(30/min); errorCode: Client.InstanceLimitExceeded "
                        "(26/min)");
    /* A buffer too small is cut, never overrun. */
    alert_insight_attributions(rec, 5, buf, 20);
    assert_int_equal(strlen(buf), 19);
    json_decref(rec);
}

static void test_read_error_rate_and_end(void **state)
{
    json_t *err_rec = case_record(1), *end = case_record(2);
    json_t *page = json_pack("[O,O]", end, err_rec);
    struct alert_insight ai;
    char buf[512];

    (void)state;
    assert_int_equal(alert_insight_read(err_rec, &ai), 0);
    assert_string_equal(ai.error_code, "Client.InstanceLimitExceeded");
    alert_insight_summary(&ai, buf, sizeof buf);
    assert_contains(buf, "Client.InstanceLimitExceeded error rate 26/min");
    assert_int_equal(alert_insight_read(end, &ai), 0);
    assert_string_equal(ai.state, "End");
    assert_string_equal(alert_insight_severity(&ai), "info");
    alert_insight_summary(&ai, buf, sizeof buf);
    assert_contains(buf, ", ended after 5 min");
    alert_insight_page_summary(page, end, buf, sizeof buf);
    assert_contains(buf, "(+1 more: RunInstances)");
    json_decref(page);
    json_decref(err_rec);
    json_decref(end);
}

static void test_not_an_insight(void **state)
{
    json_t *rec = json_pack("{s:s}", "eventName", "RunInstances");
    struct alert_insight ai;
    struct alert a = {ALERT_FIRING, "p", rec, NULL, 0, 0};
    struct alert_outcome o;

    (void)state;
    assert_int_equal(alert_insight_read(rec, &ai), -1);
    assert_null(alert_subject(&a, &ai, &o));
    assert_int_equal(o.result, ALERT_PERMANENT);
    json_decref(rec);
}

static void test_severity(void **state)
{
    struct alert_insight ai;

    (void)state;
    memset(&ai, 0, sizeof ai);
    ai.state = "Start";
    ai.category = "iam-burst";
    ai.score = 60;
    assert_string_equal(alert_insight_severity(&ai), "critical");
    ai.score = 10;
    assert_string_equal(alert_insight_severity(&ai), "error");
    ai.category = "provisioning";
    assert_string_equal(alert_insight_severity(&ai), "warning");
    ai.score = 50;
    assert_string_equal(alert_insight_severity(&ai), "error");
}

static void test_secrets(void **state)
{
    char path[] = "/tmp/ctinsights-secret-XXXXXX";
    char err[256], *v = NULL;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hunter2\n", 8), 8);
    close(fd);
    assert_int_equal(alert_secret_read(NULL, path, "routing key", &v, err,
                                       sizeof err), 0);
    assert_string_equal(v, "hunter2");
    alert_secret_free(v);
    setenv("CTI_UNIT_SECRET", "s3cr3t", 1);
    assert_int_equal(alert_secret_read("CTI_UNIT_SECRET", NULL, "secret", &v,
                                       err, sizeof err), 0);
    assert_string_equal(v, "s3cr3t");
    alert_secret_free(v);
    unsetenv("CTI_UNIT_SECRET");
    assert_int_equal(alert_secret_read("CTI_UNIT_SECRET", NULL, "routing key",
                                       &v, err, sizeof err), -1);
    assert_null(v);
    assert_contains(err, "the routing key is not set; export CTI_UNIT_SECRET");
    unlink(path);
    assert_int_equal(alert_secret_read(NULL, path, "secret", &v, err,
                                       sizeof err), -1);
    assert_contains(err, "cannot read the secret from ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_matches_config),
        cmocka_unit_test(test_sink_settings_documented),
        cmocka_unit_test(test_read_start),
        cmocka_unit_test(test_read_error_rate_and_end),
        cmocka_unit_test(test_not_an_insight),
        cmocka_unit_test(test_severity),
        cmocka_unit_test(test_secrets),
    };

    xalloc_install_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
