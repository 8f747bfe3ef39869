#include "model_rate.h"

#include "xalloc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

void model_rate_init(void)
{
    gsl_set_error_handler_off();
}

/* The ring holds the window's days and the day being filled. */
static uint32_t slots(const struct rate_history *h)
{
    return h->window + 1;
}

void rate_history_init(struct rate_history *h, uint32_t window)
{
    h->window = window;
    h->day = xmalloc(slots(h) * sizeof(*h->day));
    h->sum = xmalloc(slots(h) * sizeof(*h->sum));
    h->sumsq = xmalloc(slots(h) * sizeof(*h->sumsq));
    rate_history_reset(h);
}

void rate_history_free(struct rate_history *h)
{
    xfree(h->day);
    xfree(h->sum);
    xfree(h->sumsq);
    memset(h, 0, sizeof(*h));
}

void rate_history_reset(struct rate_history *h)
{
    for (uint32_t i = 0; i < slots(h); i++) {
        h->day[i] = UINT32_MAX;
        h->sum[i] = 0;
        h->sumsq[i] = 0;
    }
}

void rate_history_add(struct rate_history *h, uint32_t day, uint32_t x)
{
    uint32_t slot = day % slots(h);
    if (h->day[slot] != day) {
        h->day[slot] = day;
        h->sum[slot] = 0;
        h->sumsq[slot] = 0;
    }
    h->sum[slot] += x;
    h->sumsq[slot] += (double)x * x;
}

void rate_history_baseline(const struct rate_history *h, uint32_t day,
                           uint32_t coverage_start, struct rate_baseline *out)
{
    uint64_t end = (uint64_t)day * MINUTES_PER_DAY;
    uint64_t start = day >= h->window ? (uint64_t)(day - h->window) * MINUTES_PER_DAY : 0;
    if (coverage_start > start)
        start = coverage_start;
    memset(out, 0, sizeof(*out));
    if (start >= end)
        return;
    double s = 0, q = 0;
    for (uint32_t i = 0; i < slots(h); i++) {
        uint32_t d = h->day[i];
        if (d != UINT32_MAX && d < day && (uint64_t)d + h->window >= day) {
            s += h->sum[i];
            q += h->sumsq[i];
        }
    }
    double n = (double)(end - start);
    out->minutes = n;
    out->mean = s / n;
    double var = q / n - out->mean * out->mean;
    out->var = var > 0 ? var : 0;
}

double rate_tail(const struct rate_baseline *b, uint32_t x)
{
    if (x == 0)
        return 1.0;
    /* With no history of the key, expect at most one event in the whole
     * window, so that a first appearance is judged, not divided by zero. */
    double floor_mean = b->minutes > 0 ? 1.0 / b->minutes : 1.0 / MINUTES_PER_DAY;
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
    double t = rate_tail(b, x);
    *tail = t;
    if (x == 0 || (double)x <= b->mean || t > p->alpha_end)
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
