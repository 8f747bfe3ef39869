/*
 * model_season — what a key's count should be in a given minute or window.
 *
 * A key keeps, for each of 48 slots (hour of day × weekday/weekend, UTC),
 * the sum of its per-minute counts and, at each window scale (1, 5, 15 and
 * 60 minutes), the sum of squares of its counts per aligned block of that
 * scale, over past days, weighted down by `decay` per day of age.  Squares
 * at each scale capture how bursty the key is at that scale (a job that
 * makes 40 calls within ten minutes once a week is normal at 15 minutes
 * even though its minutes look wild one by one).  The current day is held
 * apart and folded in when the day ends, so a day's own burst never raises
 * its own baseline.  The exposure — how many minutes each slot has been
 * observed, with the same weights, since the account/region's logs began —
 * is carried forward day by day beside it (season_exposure_advance).
 * Expectations for a slot shrink toward the key's all-hours figures with
 * the weight of `prior_minutes` minutes, so sparse keys lean on their
 * overall rate and busy keys get their own daily shape.
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
    float sum[SEASON_SLOTS];                  /* completed days, weighted */
    float sq[SEASON_SCALES][SEASON_SLOTS];
    float today[SEASON_HOURS];                /* the current day */
    float today_sq[SEASON_SCALES][SEASON_HOURS];
    uint32_t block[SEASON_SCALES];            /* open block per scale (minute / scale) */
    float block_sum[SEASON_SCALES];
    uint32_t day; /* the day `today` holds; UINT32_MAX before any data */
};

struct season_exposure {
    uint32_t day;                 /* the baseline of this day */
    uint32_t coverage_start;      /* first minute of the account/region's logs */
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
/* Move s to day (>= its day), folding finished days into the slots. */
void season_advance(struct season *s, uint32_t day, double decay);
/* Add x calls in minute (of s's current day, minutes in increasing order;
 * call season_advance first). */
void season_add(struct season *s, uint32_t minute, uint32_t x);
/* Start an exposure at the day of coverage_start (nothing observed). */
void season_exposure_init(struct season_exposure *e, uint32_t coverage_start);
/* Move e forward to the baseline of day (>= e->day), adding each whole
 * day's minutes (only those at or after coverage_start). */
void season_exposure_advance(struct season_exposure *e, uint32_t day,
                             double decay);
/* Expected mean per minute and variance per block of each scale, for
 * minute (of the exposure's day).  seasonal = 0 uses all hours alike. */
void season_expect(const struct season *s, const struct season_exposure *e,
                   uint32_t minute, int seasonal, double prior_minutes,
                   struct season_expect *out);

#endif
