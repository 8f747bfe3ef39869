/* models/model_rate: tail probabilities and the small-count guards, on
 * hand-checked numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "model_rate.h"

static const struct rate_params params = {1e-6, 1e-3, 5, 3};





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


static void test_bursty_key_needs_a_bigger_burst(void **state)
{
    /* A job that makes 30 calls in one minute once a day (mean 30/1440,
     * second moment 900/1440): 30 again starts nothing; 300 does. */
    double mean = 30.0 / 1440, var = 900.0 / 1440 - mean * mean;
    struct rate_baseline b = {mean, var, 40320};
    double t;
    assert_int_not_equal(rate_judge(&params, &b, 30, &t), RATE_UNUSUAL);
    assert_int_equal(rate_judge(&params, &b, 300, &t), RATE_UNUSUAL);
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
        cmocka_unit_test(test_tail_is_poisson_without_overdispersion),
        cmocka_unit_test(test_overdispersion_widens_the_tail),
        cmocka_unit_test(test_small_counts_never_start),
        cmocka_unit_test(test_ratio_guard),
        cmocka_unit_test(test_bursty_key_needs_a_bigger_burst),
        cmocka_unit_test(test_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
