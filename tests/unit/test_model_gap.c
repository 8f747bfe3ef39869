/* models/model_gap: learning a job's period and phase; when a run is due
 * and when its absence is a gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model_gap.h"

static const struct gap_params params = {4, 5, 10080};

/* ---- a key fed minute by minute, as models/detect does -------------------- */

#define DAY 1440u
#define T0 (20000u * DAY) /* a day boundary */
#define SPAN (12u * DAY)

/* The key's active minutes from T0, one flag a minute. */
static uint8_t act[SPAN];

/* A tiny deterministic generator (xorshift), so the cases are fixed. */
static uint64_t rnd_state;
static uint32_t rnd(uint32_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)(rnd_state % n);
}

static void job(uint32_t period, uint32_t phase, uint32_t days)
{
    memset(act, 0, sizeof(act));
    for (uint32_t m = phase; m < days * DAY; m += period)
        act[m] = 1;
}

/* Feed the active minutes of [from, to): before each, the silence since
 * the last is judged as detect_silence does (a gap when the key is
 * periodic and was silent through the deadline), then the activity is
 * recorded (flagged when it ends a gap).  The due minutes of the gaps
 * raised go to dues (at most max); returns how many there were.  From
 * periodic_from on, the key must be periodic at every active minute. */
static size_t feed(struct gap_state *g, uint32_t from, uint32_t to,
                   uint32_t periodic_from, uint32_t *dues, size_t max)
{
    size_t n = 0;
    for (uint32_t m = from; m < to; m++) {
        if (!act[m])
            continue;
        struct gap_verdict v;
        gap_judge(g, &params, &v);
        if (m >= periodic_from)
            assert_true(v.periodic);
        int gap = v.periodic && T0 + m > v.deadline && g->last_active < v.deadline;
        if (gap && n < max)
            dues[n] = v.due - T0;
        n += gap;
        gap_activity(g, T0 + m, gap);
    }
    return n;
}

static void judge(const struct gap_state *g, struct gap_verdict *v)
{
    gap_judge(g, &params, v);
    v->due -= T0;
    v->deadline -= T0;
    v->last_run -= T0;
}

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
        gap_activity(&g, m, 0); /* any minute may change the evidence */
        gap_judge(&g, &params, &v);
        ever |= v.periodic;
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

/* The minimal case: a job every 10 minutes for 10 days and one
 * extra call at 11:58 on the last.  The run at 12:00 is the run on
 * schedule (not part of a run that started off it at 11:58), the period
 * stays 10, and no gap is due at 11:59. */
static void test_extra_call_just_before_a_run(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4], day9 = 9 * DAY;
    gap_init(&g);
    job(10, 0, 10);
    assert_int_equal(feed(&g, 0, day9 + 718, 2 * DAY, dues, 4), 0);
    act[day9 + 718] = 1;
    assert_int_equal(feed(&g, day9 + 718, day9 + 719, 2 * DAY, dues, 4), 0);
    /* Two minutes early, the call may be the run: it serves 12:00 for now
     * (the schedule stays at the job's time, :00). */
    judge(&g, &v);
    assert_int_equal(v.period, 10);
    assert_int_equal(v.due, day9 + 730);
    assert_int_equal(feed(&g, day9 + 719, day9 + 721, 2 * DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.last_run, day9 + 720);
    assert_int_equal(v.due, day9 + 730);
    assert_int_equal(v.deadline, day9 + 735);
    assert_int_equal(feed(&g, day9 + 721, 10 * DAY, 2 * DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.period, 10);
    assert_int_equal(v.tolerance, 0);
    /* Cost it nothing: the evidence went on growing. */
    assert_true(g.streak > 1000);
}

/* Extra calls just after a run (one merged with it, one a run of its own
 * three minutes later) do not move the schedule either. */
static void test_extra_call_just_after_a_run(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4], day9 = 9 * DAY;
    gap_init(&g);
    job(10, 0, 10);
    act[day9 + 721] = 1;
    act[day9 + 733] = 1;
    act[day9 + 736] = 1;
    assert_int_equal(feed(&g, 0, day9 + 737, 2 * DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.period, 10);
    assert_int_equal(v.last_run, day9 + 730);
    assert_int_equal(v.due, day9 + 740);
    assert_int_equal(feed(&g, day9 + 737, 10 * DAY, 2 * DAY, dues, 4), 0);
}

/* People call the job's API by hand several times a day, at random times
 * of the working day (some land right beside a run).  The job stays a job
 * of 10 minutes throughout, and no gap is ever due. */
static void test_extra_calls_through_the_day(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4];
    gap_init(&g);
    job(10, 3, 12);
    rnd_state = 0x2545f4914f6cdd1du;
    for (uint32_t d = 0; d < 12; d++)
        for (int i = 0; i < 8; i++)
            act[d * DAY + 480 + rnd(600)] = 1;
    assert_int_equal(feed(&g, 0, 12 * DAY, 2 * DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.period, 10);
    assert_int_equal(v.due % 10, 3);
}

/* Runs early and late within the jitter keep the schedule: a job of 10
 * minutes a minute either side of its time, an hourly one 3 minutes
 * either side, a daily one up to 15 minutes late.  None is ever taken for
 * a gap, and the schedule stays at the job's time. */
static void jittered(uint32_t period, uint32_t phase, int early, int late,
                     uint32_t days, uint64_t seed)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4];
    rnd_state = seed;
    memset(act, 0, sizeof(act));
    for (uint32_t m = phase; m + late < days * DAY; m += period)
        act[m - early + rnd((uint32_t)(early + late + 1))] = 1;
    gap_init(&g);
    assert_int_equal(feed(&g, 0, days * DAY, days * DAY / 2, dues, 4), 0);
    judge(&g, &v);
    /* Daily: within the noise of 12 runs up to 15 minutes late. */
    assert_in_range(v.period, period - period / 720, period + period / 720);
    /* The due sits among the job's runs: at most `early` before its time
     * or `late` after. */
    uint32_t off = (v.due + period - phase % period) % period;
    assert_true(off <= (uint32_t)late || off + (uint32_t)early >= period);
}

static void test_runs_early_and_late_within_the_jitter(void **state)
{
    jittered(10, 5, 1, 1, 10, 11);
    jittered(60, 30, 3, 3, 10, 12);
    jittered(1440, 150, 0, 15, 12, 13);
}

/* A job of every 5 minutes that runs within seconds of the minute falls
 * one minute or the next: 4, 6, 5, 4 minutes apart.  It is one of 5. */
static void test_straddling_five_minute_job(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4];
    rnd_state = 7;
    memset(act, 0, sizeof(act));
    for (uint32_t s = 300; s < 6 * DAY * 60u; s += 300)
        act[(s - 20 + rnd(41)) / 60] = 1; /* within 20 s of the 5-minute mark */
    gap_init(&g);
    assert_int_equal(feed(&g, 0, 6 * DAY, DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.period, 5);
}

/* A job that really misses runs, amid extra calls: the gap is due at the
 * first run that did not come, is raised when its grace has passed, and
 * the next run ends it; the job is a job again from the run after. */
static void test_missed_runs_amid_extra_calls(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4], day9 = 9 * DAY;
    gap_init(&g);
    job(10, 0, 11);
    rnd_state = 99;
    for (uint32_t d = 0; d < 11; d++)
        for (int i = 0; i < 6; i++)
            act[d * DAY + 480 + rnd(600)] = 1;
    for (uint32_t m = day9 + 715; m < day9 + 780; m++)
        act[m] = 0; /* 12:00 to 12:50 do not come */
    act[day9 + 768] = 1; /* and a person calls at 12:48 */
    assert_int_equal(feed(&g, 0, day9 + 711, 2 * DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.due, day9 + 720);
    assert_int_equal(v.deadline, day9 + 725);
    /* The gap is raised by the first activity after the deadline. */
    assert_int_equal(feed(&g, day9 + 711, day9 + 769, DAY * 11, dues, 4), 1);
    assert_int_equal(dues[0], day9 + 720);
    /* The call that ended it is no run of the job's: no gap is judged on
     * its phase, and the job's runs take the schedule back. */
    judge(&g, &v);
    assert_false(v.periodic);
    assert_int_equal(feed(&g, day9 + 769, day9 + 800, DAY * 11, dues, 4), 0);
    judge(&g, &v);
    assert_true(v.periodic);
    assert_int_equal(v.due, day9 + 800);
    assert_int_equal(feed(&g, day9 + 800, 11 * DAY, day9 + 800, dues, 4), 0);
}

/* A daily backup at 02:30 whose run takes three minutes and starts up to
 * two minutes late, with a call or two by hand on some days: a missed day
 * is a gap from 02:30, and the next day's run, on time, ends it and keeps
 * the schedule. */
static void test_daily_job_missed_day(void **state)
{
    struct gap_state g;
    struct gap_verdict v;
    uint32_t dues[4];
    rnd_state = 5;
    memset(act, 0, sizeof(act));
    for (uint32_t d = 0; d < 12; d++) {
        if (d == 9)
            continue;
        uint32_t at = d * DAY + 150 + rnd(3);
        act[at] = act[at + 1] = act[at + 2] = 1;
        if (d % 3 == 1)
            act[d * DAY + 600 + rnd(300)] = 1;
    }
    gap_init(&g);
    assert_int_equal(feed(&g, 0, 9 * DAY, 7 * DAY, dues, 4), 0);
    judge(&g, &v);
    assert_int_equal(v.period, DAY);
    assert_in_range(v.due, 9 * DAY + 150, 9 * DAY + 153);
    assert_int_equal(v.deadline, v.due + 30);
    assert_int_equal(feed(&g, 9 * DAY, 12 * DAY, 7 * DAY, dues, 4), 1);
    assert_in_range(dues[0], 9 * DAY + 150, 9 * DAY + 153);
    judge(&g, &v);
    assert_in_range(v.due, 12 * DAY + 150, 12 * DAY + 153);
}

/* A worker busy by day (3 calls a minute at random on weekdays 09:00 to
 * 17:00, hardly any at night and at weekends) looks like a job of a few
 * minutes by day and one of hours at night; neither's runs are evidence
 * for the other, and it is never taken for a job. */
static void test_busy_days_quiet_nights_are_never_periodic(void **state)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct gap_state g;
        struct gap_verdict v;
        rnd_state = seed * 0x9e3779b97f4a7c15u;
        gap_init(&g);
        for (uint32_t m = 0; m < 28 * DAY; m++) {
            uint32_t h = m % DAY / 60, weekday = m / DAY % 7 < 5;
            uint32_t per_mille = weekday && h >= 9 && h < 17 ? 260 : 5;
            if (rnd(1000) >= per_mille)
                continue;
            gap_judge(&g, &params, &v);
            assert_false(v.periodic);
            gap_activity(&g, T0 + m, 0);
        }
    }
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
        cmocka_unit_test(test_extra_call_just_before_a_run),
        cmocka_unit_test(test_extra_call_just_after_a_run),
        cmocka_unit_test(test_extra_calls_through_the_day),
        cmocka_unit_test(test_runs_early_and_late_within_the_jitter),
        cmocka_unit_test(test_straddling_five_minute_job),
        cmocka_unit_test(test_missed_runs_amid_extra_calls),
        cmocka_unit_test(test_daily_job_missed_day),
        cmocka_unit_test(test_busy_days_quiet_nights_are_never_periodic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
