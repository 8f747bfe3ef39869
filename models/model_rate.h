/*
 * model_rate — how unusual is a minute's count for one key.
 *
 * History: a ring of per-day sums (count and sum of squares of per-minute
 * counts) over the trailing window; the baseline for a day is computed from
 * the complete days before it (recalculated daily, like AWS), clipped to
 * when the trail's coverage began, with missing minutes counted as zeros.
 * Test: the upper-tail probability of the minute's count under a negative
 * binomial with the baseline's mean and variance (Poisson when the counts
 * are not overdispersed), with guards so that small counts (0 → 2 calls)
 * never start anything.  Pure: no I/O, no globals besides GSL's error
 * handler, which model_rate_init turns off.  A history is owned by one
 * thread at a time.
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
    double mean;    /* expected events per minute */
    double var;     /* variance of events per minute */
    double minutes; /* minutes of history behind it */
};

enum rate_verdict {
    RATE_NORMAL,   /* tail probability above alpha_end, or no excess */
    RATE_ELEVATED, /* unusual enough to keep an open Insight going */
    RATE_UNUSUAL,  /* unusual enough to start an Insight */
};

struct rate_history {
    uint32_t window;  /* days */
    uint32_t *day;    /* ring of window + 1 slots: the day each holds (UINT32_MAX = none) */
    double *sum;      /* ring: events that day */
    double *sumsq;    /* ring: sum over its minutes of count^2 */
};

/* Turn GSL's abort-on-error handler off. Call once at start-up. */
void model_rate_init(void);

/* An empty history over window days (1..365). Free with rate_history_free. */
void rate_history_init(struct rate_history *h, uint32_t window);
void rate_history_free(struct rate_history *h);
/* Forget everything (reuse for another key). */
void rate_history_reset(struct rate_history *h);
/* Add a minute's count x on day (days since 1970). Days must not go back
 * by more than the window. */
void rate_history_add(struct rate_history *h, uint32_t day, uint32_t x);
/* The baseline for minutes of day: days [day-window, day), not before
 * coverage_start (a minute since 1970). minutes is 0 when there is none. */
void rate_history_baseline(const struct rate_history *h, uint32_t day,
                           uint32_t coverage_start, struct rate_baseline *out);

/* P(X >= x) for the baseline's distribution (1 for x = 0). */
double rate_tail(const struct rate_baseline *b, uint32_t x);
/* Judge a minute's count x; *tail gets P(X >= x). */
enum rate_verdict rate_judge(const struct rate_params *p,
                             const struct rate_baseline *b, uint32_t x,
                             double *tail);
/* -log10 of a tail probability, capped at 300: the score we report. */
double rate_score(double tail);

#endif
