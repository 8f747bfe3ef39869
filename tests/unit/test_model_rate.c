/* models/model_rate: baselines from daily sums, tail probabilities and the
 * small-count guards, on hand-checked series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "model_rate.h"

static const struct rate_params params = {1e-6, 1e-3, 5, 3};

/* Day 100 with 1 call in each of 144 minutes (every 10 minutes). */
static void fill_day(struct rate_history *h, uint32_t day)
{
    for (int i = 0; i < 144; i++)
        rate_history_add(h, day, 1);
}

static void test_baseline_counts_missing_minutes_as_zero(void **state)
{
    struct rate_history h;
    rate_history_init(&h, 28);
    for (uint32_t d = 100; d < 107; d++)
        fill_day(&h, d);
    struct rate_baseline b;
    rate_history_baseline(&h, 107, 100 * MINUTES_PER_DAY, &b);
    assert_true(fabs(b.minutes - 7 * 1440.0) < 1e-9);
    assert_true(fabs(b.mean - 0.1) < 1e-12);          /* 144 / 1440 */
    assert_true(fabs(b.var - (0.1 - 0.01)) < 1e-12); /* E[x^2] - mean^2 */
    rate_history_free(&h);
}

static void test_baseline_uses_only_the_window_and_coverage(void **state)
{
    struct rate_history h;
    rate_history_init(&h, 7);
    for (uint32_t d = 100; d < 120; d++)
        fill_day(&h, d);
    rate_history_add(&h, 120, 50); /* the day being judged is not in its baseline */
    struct rate_baseline b;
    rate_history_baseline(&h, 120, 0, &b);
    assert_true(fabs(b.minutes - 7 * 1440.0) < 1e-9);
    assert_true(fabs(b.mean - 0.1) < 1e-12);
    /* Coverage that began half-way through day 118: 1.5 days. */
    rate_history_baseline(&h, 120, 118 * MINUTES_PER_DAY + 720, &b);
    assert_true(fabs(b.minutes - 2160.0) < 1e-9);
    rate_history_free(&h);
}

static void test_no_history_gives_empty_baseline(void **state)
{
    struct rate_history h;
    rate_history_init(&h, 28);
    struct rate_baseline b;
    rate_history_baseline(&h, 50, 50 * MINUTES_PER_DAY, &b);
    assert_true(b.minutes == 0 && b.mean == 0);
    rate_history_free(&h);
}

static void test_tail_is_poisson_without_overdispersion(void **state)
{
    struct rate_baseline b = {2.0, 2.0, 10080};
    /* P(X >= 1) = 1 - e^-2 */
    assert_true(fabs(rate_tail(&b, 1) - (1 - exp(-2.0))) < 1e-9);
    assert_true(rate_tail(&b, 0) == 1.0);
    assert_true(rate_tail(&b, 10) < rate_tail(&b, 5));
}

static void test_overdispersion_widens_the_tail(void **state)
{
    struct rate_baseline poisson = {0.1, 0.1, 10080};
    struct rate_baseline bursty = {0.1, 5.0, 10080};
    assert_true(rate_tail(&bursty, 20) > 1e3 * rate_tail(&poisson, 20));
}

static void test_small_counts_never_start(void **state)
{
    /* A key never seen: 2 calls are improbable but must not page. */
    struct rate_baseline none = {0, 0, 10080};
    double t;
    assert_int_not_equal(rate_judge(&params, &none, 2, &t), RATE_UNUSUAL);
    assert_true(t < 1e-6);
    assert_int_equal(rate_judge(&params, &none, 5, &t), RATE_UNUSUAL);
}

static void test_ratio_guard(void **state)
{
    /* Busy key: 40/min expected; 70 is very improbable under Poisson but
     * under 3x the rate, so it keeps an Insight going without starting one. */
    struct rate_baseline busy = {40, 40, 40320};
    double t;
    assert_int_equal(rate_judge(&params, &busy, 70, &t), RATE_ELEVATED);
    assert_int_equal(rate_judge(&params, &busy, 130, &t), RATE_UNUSUAL);
    assert_int_equal(rate_judge(&params, &busy, 41, &t), RATE_NORMAL);
    assert_int_equal(rate_judge(&params, &busy, 10, &t), RATE_NORMAL);
}

static void test_job_burst_is_normal_for_a_bursty_key(void **state)
{
    /* A job that makes 30 calls in one minute once a day: 30 again starts
     * nothing; 300 does. */
    struct rate_history h;
    rate_history_init(&h, 28);
    for (uint32_t d = 10; d < 38; d++)
        rate_history_add(&h, d, 30);
    struct rate_baseline b;
    rate_history_baseline(&h, 38, 0, &b);
    double t;
    assert_int_not_equal(rate_judge(&params, &b, 30, &t), RATE_UNUSUAL);
    assert_int_equal(rate_judge(&params, &b, 300, &t), RATE_UNUSUAL);
    rate_history_free(&h);
}

static void test_score(void **state)
{
    assert_true(fabs(rate_score(1e-6) - 6.0) < 1e-9);
    assert_true(rate_score(0) == 300.0);
    assert_true(rate_score(1.0) == 0.0);
}

int main(void)
{
    model_rate_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_counts_missing_minutes_as_zero),
        cmocka_unit_test(test_baseline_uses_only_the_window_and_coverage),
        cmocka_unit_test(test_no_history_gives_empty_baseline),
        cmocka_unit_test(test_tail_is_poisson_without_overdispersion),
        cmocka_unit_test(test_overdispersion_widens_the_tail),
        cmocka_unit_test(test_small_counts_never_start),
        cmocka_unit_test(test_ratio_guard),
        cmocka_unit_test(test_job_burst_is_normal_for_a_bursty_key),
        cmocka_unit_test(test_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
