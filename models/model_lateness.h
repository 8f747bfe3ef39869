/*
 * model_lateness — how late an account/region's events arrive, and so how
 * long its minutes must stay open.
 *
 * An event's lateness is how many minutes older it is than the newest
 * event of its account/region that had come before it (0 when it is the
 * newest): for a minute to be decided only once all its events are in, the
 * watermark must lag the newest event by at least that.  A histogram of
 * lateness (minute bins up to LATENESS_BINS - 1, the last bin holding
 * everything later), its weights halving every LATENESS_HALF_LIFE hours of
 * event time, gives a high quantile (LATENESS_QUANTILE of the events): the
 * lag the source has been seen to need.  Until LATENESS_MIN_WEIGHT events
 * stand behind it, a prior (CloudTrail's documented delivery time for S3,
 * LATENESS_PRIOR minutes) is used instead.  Pure; one per account/region.
 */
#ifndef CTI_MODEL_LATENESS_H
#define CTI_MODEL_LATENESS_H

#include <stdint.h>

#define LATENESS_BINS 241u        /* 0..240 minutes; the last bin is "240 or more" */
#define LATENESS_QUANTILE 0.999
#define LATENESS_HALF_LIFE 24.0   /* hours of event time */
#define LATENESS_MIN_WEIGHT 1000.0
#define LATENESS_PRIOR 15u        /* minutes */

struct lateness {
    float w[LATENESS_BINS];
    float total;
    uint32_t hour; /* hour of event time the weights refer to; UINT32_MAX before any */
};

void lateness_init(struct lateness *l);
/* One event arrived `late` minutes older than the newest before it, the
 * newest being in minute `newest` (minutes need not increase). */
void lateness_add(struct lateness *l, uint32_t late, uint32_t newest);
/* The lag, in minutes, the watermark needs: the quantile of lateness plus
 * a minute (an event up to that late is in time), or the prior while too
 * few events stand behind it; clamped to [least, most]. */
uint32_t lateness_needed(const struct lateness *l, uint32_t least, uint32_t most);

#endif
