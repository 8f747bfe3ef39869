/*
 * detect — the Start/End lifecycle of Insights for one key at a time.
 *
 * A key's events (sorted by minute) become per-minute counts, zeros
 * included.  Once the account/region has min_history_days of coverage,
 * each active minute is judged against the key's seasonal expectation
 * (models/model_season) over windows of 1, 5, 15 and 60 minutes ending at
 * it (models/model_rate), so sharp bursts start within their first minute
 * and sustained moderate rises within the hour.  The start probability
 * threshold is detector.alpha_start, or, when that is 0, derived from
 * detector.sensitivity as a false-alarm budget per account/region-week
 * shared by all its keys and window sizes.  An Insight stays open while
 * minutes stay elevated and ends after end_after_minutes normal minutes;
 * it spans its first to its last minute above expectation.  For periodic
 * call-rate keys (models/model_gap) a run that does not come opens a
 * decrease Insight (a maintenance gap) at the minute it was due, decided
 * once its grace has passed; the next run ends it.  Insights still open
 * where the scope's data ends are reported open.  Reentrant: one struct
 * detector per thread.
 */
#ifndef CTI_DETECT_H
#define CTI_DETECT_H

#include "agg.h"
#include "config.h"
#include "model_gap.h"
#include "model_rate.h"
#include "model_season.h"

#include <stddef.h>
#include <stdint.h>

enum direction { DIRECTION_INCREASE, DIRECTION_DECREASE };

struct insight {
    uint32_t key;          /* index into agg keys */
    uint32_t start;        /* first minute */
    uint32_t end;          /* minute after the last one */
    int closed;            /* End decided (else still open at end of data) */
    enum direction direction;
    uint32_t decided;      /* the Start could be emitted at the end of this minute */
    uint32_t window;       /* minutes of the test that started it (0: gap) */
    uint32_t observed;     /* events in that window */
    double expected;       /* events expected in that window */
    double mean;           /* expected events per minute at the start */
    int slot;              /* seasonal slot used, -1 for all hours */
    double tail;           /* probability of the observed count, or more */
    double peak_score;     /* highest score over the Insight's minutes */
    uint32_t period;       /* gaps: the job's period, minutes */
    uint32_t last_run;     /* gaps: start of the last run before the gap */
    const char *category;  /* set by insight_categorize */
};

struct insight_list {
    struct insight *v;
    size_t n, cap;
};

struct detector {
    const struct config *cfg;
    double decay; /* per day of age, from baseline.window_days */
};

void detector_init(struct detector *dt, const struct config *c);
void detector_free(struct detector *dt);
/* Find the Insights of key index k of a (after agg_finish), appending to
 * out. */
void detect_key(struct detector *dt, const struct agg *a, uint32_t k,
                struct insight_list *out);
void insight_list_free(struct insight_list *l);

#endif
