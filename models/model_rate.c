#include "model_rate.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>

void model_rate_init(void)
{
    gsl_set_error_handler_off();
}

double rate_tail(const struct rate_baseline *b, uint32_t x)
{
    if (x == 0)
        return 1.0;
    /* With no history of the key, expect at most one event in the whole
     * window, so that a first appearance is judged, not divided by zero. */
    double floor_mean = b->samples > 0 ? 1.0 / b->samples : 1.0 / MINUTES_PER_DAY;
    double mean = b->mean > floor_mean ? b->mean : floor_mean;
    double var = b->var;
    double t;
    if (var > mean * 1.0001) {
        double p = mean / var;
        double r = mean * mean / (var - mean);
        t = gsl_cdf_negative_binomial_Q(x - 1, p, r);
    } else {
        t = gsl_cdf_poisson_Q(x - 1, mean);
    }
    if (!(t >= 0))
        t = 0;
    return t > 1 ? 1 : t;
}

enum rate_verdict rate_judge(const struct rate_params *p,
                             const struct rate_baseline *b, uint32_t x,
                             double *tail)
{
    /* No excess: normal, whatever the tail (not computed). */
    if (x == 0 || (double)x <= b->mean) {
        *tail = 1.0;
        return RATE_NORMAL;
    }
    double t = rate_tail(b, x);
    *tail = t;
    if (t > p->alpha_end)
        return RATE_NORMAL;
    if (t <= p->alpha_start && (double)x >= p->min_count &&
        (double)x >= p->min_ratio * b->mean)
        return RATE_UNUSUAL;
    return RATE_ELEVATED;
}

double rate_score(double tail)
{
    if (tail <= 1e-300)
        return 300.0;
    double s = -log10(tail);
    return s > 0 ? s : 0;
}
