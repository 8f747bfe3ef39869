/*
 * model_rate — how unusual is a count, given what was expected.
 *
 * The upper-tail probability of the observed count (in a minute or a
 * window of minutes) under a negative binomial with the expected mean and
 * variance (Poisson when the counts are not overdispersed), and a verdict
 * with guards so that small counts (0 → 2 calls) and small excesses over a
 * busy rate never start anything.  Pure: no I/O, no globals besides GSL's
 * error handler, which model_rate_init turns off.
 */
#ifndef CTI_MODEL_RATE_H
#define CTI_MODEL_RATE_H

#include <stdint.h>

#define MINUTES_PER_DAY 1440u

struct rate_params {
    double alpha_start; /* tail probability at or below which a minute is unusual */
    double alpha_end;   /* tail probability above which a minute is normal */
    double min_count;   /* no start below this many events in the minute */
    double min_ratio;   /* no start below this observed / expected */
};

struct rate_baseline {
    double mean;    /* expected events per period (a minute or a window) */
    double var;     /* variance of events per period */
    double samples; /* periods of history behind it; the mean is floored at
                       1/samples so a key never seen is still judged */
};

enum rate_verdict {
    RATE_NORMAL,   /* tail probability above alpha_end, or no excess */
    RATE_ELEVATED, /* unusual enough to keep an open Insight going */
    RATE_UNUSUAL,  /* unusual enough to start an Insight */
};

/* Turn GSL's abort-on-error handler off. Call once at start-up. */
void model_rate_init(void);

/* P(X >= x) for the baseline's distribution (1 for x = 0). */
double rate_tail(const struct rate_baseline *b, uint32_t x);
/* Judge a minute's count x; *tail gets P(X >= x) (1 when x is no more
 * than the mean: then it is not computed). */
enum rate_verdict rate_judge(const struct rate_params *p,
                             const struct rate_baseline *b, uint32_t x,
                             double *tail);
/* -log10 of a tail probability, capped at 300: the score we report. */
double rate_score(double tail);

#endif
