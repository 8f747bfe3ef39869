/* models/model_season: seasonal expectations with shrinkage, on small
 * hand-made histories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "model_season.h"

#define DAY 1440u
/* Day 20454 (2026-01-01) is a Thursday; 20459 is the next Tuesday. */
#define MONDAY 20458u

static const double decay = 1.0; /* no ageing: easy arithmetic */

/* Feed a key `days` days from MONDAY: per day, `busy` calls in each minute
 * of 10:00-10:59 on weekdays, nothing otherwise; the exposure up to the
 * next day. */
static void business_key(struct season *s, struct season_exposure *e, int days,
                         uint32_t busy)
{
    season_init(s);
    season_exposure_init(e, MONDAY * DAY, decay);
    for (int d = 0; d < days; d++) {
        uint32_t day = MONDAY + (uint32_t)d;
        int weekend = d % 7 >= 5;
        for (uint32_t m = 0; m < 60 && !weekend; m++)
            season_fold(s, day * DAY + 600 + m, busy, decay);
    }
    season_exposure_advance(e, (MONDAY + (uint32_t)days) * DAY);
}

static void test_slots(void **state)
{
    assert_int_equal(season_slot(MONDAY * DAY + 600), 10);
    assert_int_equal(season_slot((MONDAY + 5) * DAY + 61), 24 + 1); /* Saturday 01:01 */
    assert_int_equal(season_slot((MONDAY + 6) * DAY + 1439), 47);   /* Sunday 23:59 */
}

static void test_exposure_counts_minutes_per_slot(void **state)
{
    struct season_exposure e;
    season_exposure_init(&e, MONDAY * DAY + 630, 1.0); /* logs begin Monday 10:30 */
    season_exposure_advance(&e, (MONDAY + 7) * DAY);
    assert_true(fabs(e.minutes[10] - (30 + 4 * 60)) < 1e-9); /* Mon half hour + Tue-Fri */
    assert_true(fabs(e.minutes[9] - 4 * 60) < 1e-9);
    assert_true(fabs(e.minutes[24 + 10] - 2 * 60) < 1e-9);   /* Sat and Sun */
}

static void test_business_hours_are_expected_busy(void **state)
{
    struct season s;
    struct season_exposure e;
    business_key(&s, &e, 14, 4);
    struct season_expect busy, night, all;
    uint32_t next = MONDAY + 14;
    season_expect(&s, &e, next * DAY + 610, 1, 240, &busy);
    season_expect(&s, &e, next * DAY + 130, 1, 240, &night);
    season_expect(&s, &e, next * DAY + 610, 0, 240, &all);
    /* 10 weekdays x 60 minutes at 4 calls: the slot's own mean is 4,
     * shrunk toward the all-hours mean (2400/20160) by 240 of 840 minutes. */
    double overall = 2400.0 / (14 * 1440);
    assert_true(fabs(all.mean - overall) < 1e-9);
    assert_true(fabs(busy.mean - (2400 + 240 * overall) / (600 + 240)) < 1e-6);
    assert_true(night.mean < overall / 2);
    assert_true(night.mean > 0); /* shrinkage keeps a little */
    assert_int_equal(busy.slot, 10);
    assert_int_equal(all.slot, -1);
    /* Every minute of the busy hour holds exactly 4 calls: per block of
     * 15 minutes, 60 calls every time; the spread comes only from the
     * shrinkage toward the quiet hours. */
    assert_true(busy.var[2] < busy.var[0] * 15 * 15);
}

/* The exposure may be counted minute by minute, in any steps. */
static void test_exposure_in_steps(void **state)
{
    struct season_exposure a, b;
    double d = season_decay(28);
    season_exposure_init(&a, MONDAY * DAY + 17, d);
    season_exposure_init(&b, MONDAY * DAY + 17, d);
    season_exposure_advance(&a, (MONDAY + 9) * DAY + 333);
    for (uint32_t m = MONDAY * DAY + 17; m <= (MONDAY + 9) * DAY + 333; m += 7)
        season_exposure_advance(&b, m);
    season_exposure_advance(&b, (MONDAY + 9) * DAY + 333);
    for (int i = 0; i < SEASON_SLOTS; i++)
        assert_true(fabs(a.minutes[i] - b.minutes[i]) < 1e-6 * (1 + a.minutes[i]));
    assert_int_equal(a.upto, b.upto);
    assert_int_equal(a.day, b.day);
}

static void test_decay_weights_recent_days(void **state)
{
    struct season s;
    struct season_exposure e;
    double d = season_decay(28);
    assert_true(fabs(d - exp(-2.0 / 28)) < 1e-12);
    season_init(&s);
    season_exposure_init(&e, MONDAY * DAY, d);
    season_fold(&s, MONDAY * DAY + 5, 100, d); /* long ago */
    season_exposure_advance(&e, (MONDAY + 30) * DAY);
    struct season_expect x;
    season_expect(&s, &e, (MONDAY + 30) * DAY, 0, 240, &x);
    /* The exposure's day is the 30th (its last counted minute is its last
     * of day 29): the burst is 29 days old, the 30 days' weights sum to
     * (1 - d^30) / (1 - d). */
    double weight = pow(d, 29), minutes = (1 - pow(d, 30)) / (1 - d) * 1440;
    assert_true(fabs(x.mean - 100 * weight / minutes) < 1e-6);
}

static void test_bursts_are_normal_at_their_scale(void **state)
{
    /* A weekly job: 40 calls within ten minutes on Tuesdays at 14:00, for
     * three weeks.  Its 15-minute blocks vary far more than 15 independent
     * minutes would. */
    struct season s;
    struct season_exposure e;
    season_init(&s);
    season_exposure_init(&e, MONDAY * DAY, decay);
    for (uint32_t d = 0; d < 21; d++)
        if (d % 7 == 1)
            for (uint32_t m = 0; m < 10; m++)
                season_fold(&s, (MONDAY + d) * DAY + 840 + m, 4, decay);
    /* A fold in a later day closes the last blocks. */
    season_fold(&s, (MONDAY + 21) * DAY + 1, 0, decay);
    season_exposure_advance(&e, (MONDAY + 22) * DAY);
    struct season_expect x;
    season_expect(&s, &e, (MONDAY + 22) * DAY + 845, 1, 240, &x);
    assert_true(x.var[2] > 5 * 15 * x.var[0]);
    /* Three blocks of 40 in 15 weekdays x 4 blocks: E[X^2] = 3*1600/60. */
    double raw = 3 * 1600.0 / 60;
    assert_true(x.var[2] > raw * 0.5 && x.var[2] < raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots),
        cmocka_unit_test(test_exposure_counts_minutes_per_slot),
        cmocka_unit_test(test_business_hours_are_expected_busy),
        cmocka_unit_test(test_exposure_in_steps),
        cmocka_unit_test(test_decay_weights_recent_days),
        cmocka_unit_test(test_bursts_are_normal_at_their_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
