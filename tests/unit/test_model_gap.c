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
    /* Due a day after the schedule's time, which sits amid the runs (at
     * +2, +3, +1, +2, +4 minutes), not a day after the last run (+4); a
     * gap once 30 minutes have passed. */
    assert_in_range(v.due, t + 5 * 1440 + 2, t + 5 * 1440 + 3);
    assert_int_equal(v.deadline, v.due + 30);
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
    /* Six hours of regular runs are evidence enough, not fewer: 72
     * intervals, each judged against the ones before it (so the first
     * interval is no evidence). */
    for (uint32_t i = 0; i < 73; i++)
        gap_activity(&g, 7000 + i * 5, 0);
    gap_judge(&g, &params, &v);
    assert_false(v.periodic);
    gap_activity(&g, 7000 + 73 * 5, 0);
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

/* A steady worker calling at random (Poisson, 0.4 calls a minute) breaks
 * into runs at random silences; over two weeks it must never be taken for
 * a job, whatever its last intervals happen to look like. */
static void test_random_activity_is_never_periodic(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint64_t x = 0x9e3779b97f4a7c15u;
    int ever = 0;
    gap_init(&g);
    for (uint32_t m = 0; m < 14 * 1440; m++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        if ((x >> 33) % 1000 >= 330) /* P(at least one call) = 1 - e^-0.4 */
            continue;
        if (gap_activity(&g, m, 0)) {
            gap_judge(&g, &params, &v);
            ever |= v.periodic;
        }
    }
    assert_false(ever);
}

/* A run flagged as ending a gap starts a new run even when it comes right
 * after the last activity. */
static void test_flagged_activity_starts_a_run(void **state)
{
    struct gap_state g;
    gap_init(&g);
    gap_activity(&g, 100, 0);
    assert_int_equal(gap_activity(&g, 101, 0), 0);
    assert_int_equal(gap_activity(&g, 102, 1), 1);
    assert_int_equal(g.run_start, 102);
    assert_int_equal(g.n, 0); /* the flagged interval is not learned */
}

/* A sparse key changed by hand every few days: its first intervals agree
 * with themselves, and its long silences are of every length; it is no
 * job at any point. */
static void test_sparse_key_is_never_periodic(void **state)
{
    static const uint32_t iv[] = {1203, 5766, 4240, 7251, 4578, 4315, 2725,
                                  1484, 1184, 4240, 4300, 4180};
    struct gap_state g;
    struct gap_verdict v;
    uint32_t m = 100000;
    gap_init(&g);
    gap_activity(&g, m, 0);
    for (size_t i = 0; i < sizeof(iv) / sizeof(iv[0]); i++) {
        m += iv[i];
        gap_activity(&g, m, 0);
        gap_judge(&g, &params, &v);
        assert_false(v.periodic);
    }
}

/* An extra run at another time (someone deleting snapshots by hand in the
 * afternoon) does not move the schedule: the next run is still due at the
 * job's own time, and a missed one is a gap from then. */
static void test_extra_run_keeps_the_schedule(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    uint32_t at = 2000000 + 234; /* 03:54 */
    for (uint32_t d = 0; d < 10; d++)
        gap_activity(&g, at + d * 1440, 0);
    uint32_t regular = at + 9 * 1440;
    gap_activity(&g, regular + 192, 0); /* 07:06 the same day */
    gap_judge(&g, &params, &v);
    assert_true(v.periodic);
    assert_int_equal(v.period, 1440);
    assert_int_equal(v.last_run, regular);
    assert_int_equal(v.due, regular + 1440);
    assert_int_equal(v.deadline, regular + 1440 + 30);
    /* The job's next run, on time, keeps and moves the schedule. */
    gap_activity(&g, regular + 1440, 0);
    gap_judge(&g, &params, &v);
    assert_int_equal(v.last_run, regular + 1440);
}

/* A cron job of every 7 minutes runs at :00, :07, ... :56, then :00 again;
 * one of every 97 minutes from midnight restarts each day.  Neither
 * restart is a gap, and both are jobs whose missed run is. */
static void restart_job(uint32_t step, uint32_t cycle, int days)
{
    struct gap_state g;
    struct gap_verdict v;
    gap_init(&g);
    uint32_t t0 = 3000000 - 3000000 % cycle, last = t0;
    for (uint32_t t = t0; t < t0 + (uint32_t)days * 1440; t += cycle)
        for (uint32_t m = 0; m < cycle; m += step) {
            gap_judge(&g, &params, &v);
            /* Once the job has restarted twice, a run never comes after
             * the deadline it was given. */
            if (v.periodic && t >= t0 + 2 * cycle)
                assert_true(t + m <= v.deadline);
            gap_activity(&g, t + m, 0);
            last = t + m;
        }
    gap_judge(&g, &params, &v);
    assert_true(v.periodic);
    assert_int_equal(v.period, step);
    assert_int_equal(v.last_run, last);
}

static void test_schedule_restarts_are_no_gap(void **state)
{
    restart_job(7, 60, 2);
    restart_job(11, 60, 2);
    restart_job(97, 1440, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily_job_is_learned),
        cmocka_unit_test(test_too_few_runs_is_not_periodic),
        cmocka_unit_test(test_irregular_activity_is_not_periodic),
        cmocka_unit_test(test_nightly_pause_is_not_a_gap),
        cmocka_unit_test(test_fast_job_gap_is_due_quickly),
        cmocka_unit_test(test_random_activity_is_never_periodic),
        cmocka_unit_test(test_flagged_activity_starts_a_run),
        cmocka_unit_test(test_sparse_key_is_never_periodic),
        cmocka_unit_test(test_extra_run_keeps_the_schedule),
        cmocka_unit_test(test_schedule_restarts_are_no_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
