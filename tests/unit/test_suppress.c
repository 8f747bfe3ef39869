/*
 * Unit tests for engine/insight/suppress.c: a `suppress:` rule, loaded from
 * YAML the way a user writes it, drops an Insight whose start falls inside
 * its daily window (also one across midnight), on its weekdays, inside
 * [from, until), and of its key, principal and category — and keeps one
 * just outside each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "config.h"
#include "report.h"
#include "report_fixture.h"
#include "suppress.h"

/* Minutes since 1970 of a UTC time. */
static uint32_t at(int y, int mon, int d, int h, int m)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = m};
    return (uint32_t)(timegm(&tm) / 60);
}

static void load(struct config *c, const char *yaml)
{
    char err[512] = "";
    config_defaults(c);
    if (config_load_string(c, yaml, strlen(yaml), "test.yaml", err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
}

static int suppressed_at(const struct config *c, uint32_t start)
{
    struct report_fixture f;
    report_fixture_init(&f, STATE_START, start, start + 10);
    return suppress_match(c, &f.r, "null");
}

static void test_no_rules_suppress_nothing(void **state)
{
    struct config c;
    (void)state;
    load(&c, "suppress: []\n");
    assert_false(suppressed_at(&c, at(2026, 3, 7, 23, 0)));
    config_free(&c);
}

static void test_daily_window_across_midnight(void **state)
{
    struct config c;
    (void)state;
    load(&c, "suppress:\n  - daily: \"22:00-06:00\"\n");
    assert_true(suppressed_at(&c, at(2026, 3, 4, 22, 0)));  /* its first minute */
    assert_true(suppressed_at(&c, at(2026, 3, 4, 23, 59)));
    assert_true(suppressed_at(&c, at(2026, 3, 5, 0, 0)));   /* past midnight */
    assert_true(suppressed_at(&c, at(2026, 3, 5, 5, 59)));
    assert_false(suppressed_at(&c, at(2026, 3, 5, 6, 0)));  /* the end is out */
    assert_false(suppressed_at(&c, at(2026, 3, 5, 12, 0)));
    assert_false(suppressed_at(&c, at(2026, 3, 5, 21, 59)));
    config_free(&c);
}

static void test_daily_window_within_a_day(void **state)
{
    struct config c;
    (void)state;
    load(&c, "suppress:\n  - daily: \"09:30-17:00\"\n");
    assert_false(suppressed_at(&c, at(2026, 3, 4, 9, 29)));
    assert_true(suppressed_at(&c, at(2026, 3, 4, 9, 30)));
    assert_true(suppressed_at(&c, at(2026, 3, 4, 16, 59)));
    assert_false(suppressed_at(&c, at(2026, 3, 4, 17, 0)));
    assert_false(suppressed_at(&c, at(2026, 3, 4, 23, 0))); /* does not wrap */
    assert_false(suppressed_at(&c, at(2026, 3, 4, 3, 0)));
    config_free(&c);
}

static void test_weekdays(void **state)
{
    struct config c;
    (void)state;
    /* 2026-03-07 is a Saturday. */
    load(&c, "suppress:\n  - weekdays: [sat, sun]\n");
    assert_false(suppressed_at(&c, at(2026, 3, 6, 23, 59))); /* Friday */
    assert_true(suppressed_at(&c, at(2026, 3, 7, 0, 0)));    /* Saturday */
    assert_true(suppressed_at(&c, at(2026, 3, 8, 12, 0)));   /* Sunday */
    assert_false(suppressed_at(&c, at(2026, 3, 9, 0, 0)));   /* Monday */
    config_free(&c);

    load(&c, "suppress:\n  - weekdays: [mon]\n");
    assert_true(suppressed_at(&c, at(2026, 3, 9, 8, 0)));
    assert_false(suppressed_at(&c, at(2026, 3, 10, 8, 0)));  /* Tuesday */
    assert_false(suppressed_at(&c, at(2026, 3, 8, 8, 0)));   /* Sunday */
    config_free(&c);
}

static void test_daily_window_on_weekdays(void **state)
{
    struct config c;
    (void)state;
    /* The weekend nightly window of config/ctinsights.yaml: both must hold. */
    load(&c, "suppress:\n  - daily: \"22:00-02:00\"\n    weekdays: [sat, sun]\n");
    assert_true(suppressed_at(&c, at(2026, 3, 7, 23, 0)));   /* Sat night */
    assert_true(suppressed_at(&c, at(2026, 3, 8, 1, 0)));    /* Sun small hours */
    assert_false(suppressed_at(&c, at(2026, 3, 7, 12, 0)));  /* Sat noon */
    assert_false(suppressed_at(&c, at(2026, 3, 6, 23, 0)));  /* Fri night */
    assert_false(suppressed_at(&c, at(2026, 3, 10, 1, 0)));  /* Tue small hours */
    config_free(&c);
}

static void test_from_until(void **state)
{
    struct config c;
    (void)state;
    load(&c, "suppress:\n  - from: 2026-03-01T00:00Z\n    until: 2026-03-02T06:00Z\n");
    assert_false(suppressed_at(&c, at(2026, 2, 28, 23, 59)));
    assert_true(suppressed_at(&c, at(2026, 3, 1, 0, 0)));
    assert_true(suppressed_at(&c, at(2026, 3, 2, 5, 59)));
    assert_false(suppressed_at(&c, at(2026, 3, 2, 6, 0)));   /* until is out */
    config_free(&c);

    load(&c, "suppress:\n  - from: 2026-03-01T12:00Z\n");  /* open-ended */
    assert_false(suppressed_at(&c, at(2026, 3, 1, 11, 59)));
    assert_true(suppressed_at(&c, at(2030, 1, 1, 0, 0)));
    config_free(&c);

    load(&c, "suppress:\n  - until: 2026-03-01T12:00Z\n");
    assert_true(suppressed_at(&c, at(2026, 1, 1, 0, 0)));
    assert_false(suppressed_at(&c, at(2026, 3, 1, 12, 0)));
    config_free(&c);
}

static void test_key_principal_category(void **state)
{
    struct config c;
    struct report_fixture f;
    (void)state;
    load(&c, "suppress:\n"
             "  - match: {account: \"111122223333\", event_name: \"Create*\"}\n"
             "    principal: \"arn:aws:sts::*:assumed-role/deploy/*\"\n"
             "    category: iam-*\n");
    report_fixture_init(&f, STATE_START, at(2026, 3, 4, 12, 0), at(2026, 3, 4, 12, 10));
    assert_true(suppress_match(&c, &f.r,
                               "arn:aws:sts::111122223333:assumed-role/deploy/ci"));
    assert_false(suppress_match(&c, &f.r,
                                "arn:aws:sts::111122223333:assumed-role/admin/bob"));
    assert_false(suppress_match(&c, &f.r, "null"));
    f.r.category = "provisioning";
    assert_false(suppress_match(&c, &f.r,
                                "arn:aws:sts::111122223333:assumed-role/deploy/ci"));
    f.r.category = "iam-burst";
    f.r.account = "444455556666";
    assert_false(suppress_match(&c, &f.r,
                                "arn:aws:sts::444455556666:assumed-role/deploy/ci"));
    f.r.account = "111122223333";
    f.r.name = "DeleteUser";
    assert_false(suppress_match(&c, &f.r,
                                "arn:aws:sts::111122223333:assumed-role/deploy/ci"));
    config_free(&c);
}

/* Any one rule is enough; all of a rule's conditions must hold. */
static void test_rules_are_alternatives(void **state)
{
    struct config c;
    (void)state;
    load(&c, "suppress:\n"
             "  - daily: \"01:00-02:00\"\n"
             "    from: 2026-03-05T00:00Z\n"
             "  - weekdays: [sun]\n");
    assert_false(suppressed_at(&c, at(2026, 3, 4, 1, 30)));  /* before from */
    assert_true(suppressed_at(&c, at(2026, 3, 5, 1, 30)));
    assert_false(suppressed_at(&c, at(2026, 3, 5, 2, 30)));
    assert_true(suppressed_at(&c, at(2026, 3, 1, 2, 30)));   /* a Sunday */
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_rules_suppress_nothing),
        cmocka_unit_test(test_daily_window_across_midnight),
        cmocka_unit_test(test_daily_window_within_a_day),
        cmocka_unit_test(test_weekdays),
        cmocka_unit_test(test_daily_window_on_weekdays),
        cmocka_unit_test(test_from_until),
        cmocka_unit_test(test_key_principal_category),
        cmocka_unit_test(test_rules_are_alternatives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
