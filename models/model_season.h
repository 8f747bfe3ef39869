/*
 * model_season — what a key's count should be in a given minute or window.
 *
 * A key keeps, for each of 48 slots (hour of day × weekday/weekend, UTC),
 * the sum of its per-minute counts and, at each window scale (1, 5, 15 and
 * 60 minutes), the sum of squares of its counts per aligned block of that
 * scale, over past days, weighted down by `decay` per day of age.  Squares
 * at each scale capture how bursty the key is at that scale (a job that
 * makes 40 calls within ten minutes once a week is normal at 15 minutes
 * even though its minutes look wild one by one).  Minutes are folded in
 * (season_fold) in time order, once no window under test reaches back to
 * them, so recent activity never raises its own baseline.  The exposure —
 * how many minutes each slot has been observed, with the same weights,
 * since the account/region's logs began — is carried forward beside it
 * (season_exposure_advance) up to the same horizon.  Expectations for a
 * slot shrink toward the key's all-hours figures with the weight of
 * `prior_minutes` minutes, so sparse keys lean on their overall rate and
 * busy keys get their own daily shape.
 * Pure; a struct season belongs to one thread.
 */
#ifndef CTI_MODEL_SEASON_H
#define CTI_MODEL_SEASON_H

#include <stdint.h>

#define SEASON_SLOTS 48
#define SEASON_HOURS 24
#define SEASON_SCALES 4

/* Window scales in minutes: 1, 5, 15, 60 (each divides an hour). */
extern const uint32_t season_scales[SEASON_SCALES];

struct season {
    float sum[SEASON_SLOTS];                  /* weighted as of `day` */
    float sq[SEASON_SCALES][SEASON_SLOTS];
    uint32_t block[SEASON_SCALES];            /* open block per scale (minute / scale) */
    float block_sum[SEASON_SCALES];
    uint32_t day; /* the day the weights refer to; UINT32_MAX before any data */
};

struct season_exposure {
    uint32_t day;                 /* the day the weights refer to */
    uint32_t upto;                /* minutes before this one are counted */
    uint32_t coverage_start;      /* first minute of the account/region's logs */
    double decay;                 /* weight per day of age */
    double minutes[SEASON_SLOTS]; /* weighted minutes observed per slot */
};

struct season_expect {
    double mean;                  /* per minute */
    double var[SEASON_SCALES];    /* of the count in a block of each scale */
    double minutes;               /* total weighted minutes behind it */
    double events;                /* weighted events behind the mean (its certainty) */
    int slot;                     /* slot used; -1 when seasonality is off */
};

/* Slot of a minute since 1970: hour + 24 on Saturdays and Sundays. */
int season_slot(uint32_t minute);
/* Day weight for a window of days: e^(-2/window_days). */
double season_decay(int window_days);

void season_init(struct season *s);
/* Fold x calls in minute into the baseline.  Minutes come in
 * increasing order; the sums age by decay per day. */
void season_fold(struct season *s, uint32_t minute, uint32_t x, double decay);
/* x more events in a minute already folded or older than the last folded
 * one (an event that came late): they join the slot's sum, weighted by
 * their age, not the spreads of blocks already closed. */
void season_fold_late(struct season *s, uint32_t minute, uint32_t x, double decay);
/* Start an exposure at coverage_start (nothing observed yet). */
void season_exposure_init(struct season_exposure *e, uint32_t coverage_start,
                          double decay);
/* Count the minutes from where e stopped up to (not including) upto. */
void season_exposure_advance(struct season_exposure *e, uint32_t upto);
/* Expected mean per minute and variance per block of each scale, for
 * minute, from s (folded up to e's horizon or before).  seasonal = 0 uses
 * all hours alike. */
void season_expect(const struct season *s, const struct season_exposure *e,
                   uint32_t minute, int seasonal, double prior_minutes,
                   struct season_expect *out);
/* The key's all-hours weighted events and minutes behind its baseline:
 * events / minutes is its average rate per minute. */
void season_totals(const struct season *s, const struct season_exposure *e,
                   double *events, double *minutes);

#endif
