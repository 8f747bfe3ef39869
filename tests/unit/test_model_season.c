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
 * of 10:00-10:59 on weekdays, nothing otherwise. */
static void business_key(struct season *s, struct season_exposure *e, int days,
                         uint32_t busy)
{
    season_init(s);
    season_exposure_init(e, MONDAY * DAY);
    for (int d = 0; d < days; d++) {
        uint32_t day = MONDAY + (uint32_t)d;
        season_advance(s, day, decay);
        int weekend = d % 7 >= 5;
        for (uint32_t m = 0; m < 60 && !weekend; m++)
            season_add(s, day * DAY + 600 + m, busy);
    }
    uint32_t next = MONDAY + (uint32_t)days;
    season_advance(s, next, decay);
    season_exposure_advance(e, next, decay);
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
    season_exposure_init(&e, MONDAY * DAY + 630); /* logs begin Monday 10:30 */
    season_exposure_advance(&e, MONDAY + 7, 1.0);
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

static void test_today_is_not_in_its_own_baseline(void **state)
{
    struct season s;
    struct season_exposure e;
    business_key(&s, &e, 7, 1);
    struct season_expect before, after;
    uint32_t today = MONDAY + 7;
    season_expect(&s, &e, today * DAY + 900, 1, 240, &before);
    season_add(&s, today * DAY + 900, 500); /* a burst today */
    season_expect(&s, &e, today * DAY + 901, 1, 240, &after);
    assert_true(before.mean == after.mean);
    season_advance(&s, today + 1, decay); /* tomorrow it counts */
    season_exposure_advance(&e, today + 1, decay);
    season_expect(&s, &e, (today + 1) * DAY + 900, 1, 240, &after);
    assert_true(after.mean > before.mean * 10);
}

static void test_decay_weights_recent_days(void **state)
{
    struct season s;
    struct season_exposure e;
    double d = season_decay(28);
    assert_true(fabs(d - exp(-2.0 / 28)) < 1e-12);
    season_init(&s);
    season_exposure_init(&e, MONDAY * DAY);
    season_advance(&s, MONDAY, d);
    season_add(&s, MONDAY * DAY + 5, 100); /* long ago */
    season_advance(&s, MONDAY + 30, d);
    season_exposure_advance(&e, MONDAY + 30, d);
    struct season_expect x;
    season_expect(&s, &e, (MONDAY + 30) * DAY, 0, 240, &x);
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
    season_exposure_init(&e, MONDAY * DAY);
    for (uint32_t d = 0; d < 21; d++) {
        season_advance(&s, MONDAY + d, decay);
        if (d % 7 == 1)
            for (uint32_t m = 0; m < 10; m++)
                season_add(&s, (MONDAY + d) * DAY + 840 + m, 4);
    }
    season_advance(&s, MONDAY + 22, decay);
    season_exposure_advance(&e, MONDAY + 22, decay);
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
        cmocka_unit_test(test_today_is_not_in_its_own_baseline),
        cmocka_unit_test(test_decay_weights_recent_days),
        cmocka_unit_test(test_bursts_are_normal_at_their_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
