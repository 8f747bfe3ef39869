/*
 * detect — the Start/End lifecycle of Insights for one key at a time.
 *
 * A key's events (sorted by minute) become per-minute counts, zeros
 * included; each minute is judged against the baseline of its day
 * (models/model_rate) once the account/region has min_history_days of
 * coverage.  An Insight starts at an unusual minute, stays open while
 * minutes are elevated, and ends after end_after_minutes normal minutes in
 * a row; its end is the minute after the last elevated one.  An Insight
 * still open when the scope's data ends is reported open (no End).
 * Reentrant: one struct detector per thread.
 */
#ifndef CTI_DETECT_H
#define CTI_DETECT_H

#include "agg.h"
#include "config.h"
#include "model_rate.h"

#include <stddef.h>
#include <stdint.h>

struct insight {
    uint32_t key;        /* index into agg keys */
    uint32_t start;      /* first minute */
    uint32_t end;        /* minute after the last elevated one */
    int closed;          /* End decided (else still open at end of data) */
    uint32_t first_count;/* events in the first minute */
    double expected;     /* model mean per minute at the start */
    double tail;         /* P(X >= first_count) under the baseline */
    double peak_score;   /* highest score over the Insight's minutes */
};

struct insight_list {
    struct insight *v;
    size_t n, cap;
};

struct detector {
    const struct config *cfg;
    struct rate_params params;
    struct rate_history hist;
};

void detector_init(struct detector *dt, const struct config *c);
void detector_free(struct detector *dt);
/* Find the Insights of key index k of a (after agg_finish), appending to
 * out. */
void detect_key(struct detector *dt, const struct agg *a, uint32_t k,
                struct insight_list *out);
void insight_list_free(struct insight_list *l);

#endif
