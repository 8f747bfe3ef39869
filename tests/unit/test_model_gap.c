/* models/model_gap: learning a job's period and phase; when a run is due
 * and when its absence is a gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_gap.h"

static const struct gap_params params = {4, 5, 10080};

static void test_daily_job_is_learned(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    uint32_t t = 1000000;
    int jitter[] = {0, 1, -1, 0, 2};
    for (int d = 0; d < 5; d++) {
        uint32_t run = t + (uint32_t)d * 1440 + (uint32_t)(jitter[d] + 2);
        assert_int_equal(gap_activity(&g, run, 0), 1);
        assert_int_equal(gap_activity(&g, run + 1, 0), 0); /* same run */
    }
    gap_judge(&g, &params, &v);
    assert_true(v.periodic);
    assert_in_range(v.period, 1438, 1442);
    /* Due a day after the last run; a gap once 30 minutes have passed. */
    assert_int_equal(v.due, g.run_start + v.period);
    assert_int_equal(v.deadline, g.run_start + v.period + 30);
}

static void test_too_few_runs_is_not_periodic(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    for (uint32_t i = 0; i < 3; i++)
        gap_activity(&g, 5000 + i * 30, 0);
    gap_judge(&g, &params, &v);
    assert_false(v.periodic);
}

static void test_irregular_activity_is_not_periodic(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    uint32_t at[] = {100, 117, 190, 230, 300, 309, 480, 520, 700};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
        gap_activity(&g, at[i], 0);
    gap_judge(&g, &params, &v);
    assert_false(v.periodic);
}

static void test_nightly_pause_is_not_a_gap(void **state)
{
    /* Every 10 minutes from 08:00 to 18:00, two days: the 14-hour night
     * becomes the longest ordinary interval, so silence that long is no
     * gap. */
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    for (uint32_t d = 0; d < 2; d++)
        for (uint32_t m = 480; m <= 1080; m += 10)
            gap_activity(&g, d * 1440 + m, 0);
    gap_judge(&g, &params, &v);
    assert_true(v.periodic);
    assert_int_equal(v.period, 10);
    assert_true(v.deadline > g.run_start + 840);
}

static void test_fast_job_gap_is_due_quickly(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    for (uint32_t i = 0; i < 20; i++)
        gap_activity(&g, 7000 + i * 5, 0);
    gap_judge(&g, &params, &v);
    assert_true(v.periodic);
    assert_int_equal(v.period, 5);
    assert_int_equal(v.deadline, g.run_start + 5 + 2); /* grace: 2 x (no jitter + 1) */
    /* The gap's end does not teach the model a long ordinary interval. */
    gap_activity(&g, g.run_start + 300, 1);
    gap_activity(&g, g.run_start + 5, 0);
    gap_judge(&g, &params, &v);
    assert_true(v.periodic);
    assert_int_equal(v.deadline, g.run_start + 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily_job_is_learned),
        cmocka_unit_test(test_too_few_runs_is_not_periodic),
        cmocka_unit_test(test_irregular_activity_is_not_periodic),
        cmocka_unit_test(test_nightly_pause_is_not_a_gap),
        cmocka_unit_test(test_fast_job_gap_is_due_quickly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
