/*
 * detect — the Start/End lifecycle of Insights for one key, minute by
 * minute in event time.
 *
 * A key's model sees its active minutes in time order (detect_step) and is
 * told when nothing happened until a minute (detect_silence, at the time
 * detect_timer asks for).  Each active minute is judged, once the
 * account/region has min_history_days of coverage, against the key's
 * seasonal expectation (models/model_season) over windows of 1, 5, 15 and
 * 60 minutes ending at it (models/model_rate), so sharp bursts start within
 * their first minute and sustained moderate rises within the hour.  The
 * start probability threshold is detector.alpha_start, or, when that is 0,
 * derived from detector.sensitivity as a false-alarm budget per
 * account/region-week shared by its active keys and window sizes.  An
 * Insight stays open while minutes stay elevated and ends after
 * end_after_minutes normal minutes; it spans its onset (the change point
 * of the window that caught it) to the later of where its excess peaked
 * and its last minute unusual on its own.  A key's minutes join its
 * baseline once they leave its DETECT_RECENT-minute window of recent
 * counts.  For periodic call-rate keys (models/model_gap) a run that does
 * not come opens a decrease Insight (a maintenance gap) at the minute it
 * was due, decided once its grace has passed; the key's next activity
 * ends it, so no call falls inside a gap (its Start and End report an
 * insight.average of 0).
 * Starts and Ends are reported through struct detect_events as they are
 * decided.  Pure statistics: the engine maps its configuration to struct
 * detect_params and struct detect_settings (engine/stream/detect_config).
 * Reentrant; a model belongs to one thread.
 */
#ifndef CTI_DETECT_H
#define CTI_DETECT_H

#include "model_gap.h"
#include "model_rate.h"
#include "model_season.h"

#include <stddef.h>
#include <stdint.h>

/* Minutes of recent counts a key keeps (>= the longest window, a power of
 * two). */
#define DETECT_RECENT 64u
/* A minute's count as the model holds it is at most this (a key making
 * more calls than that in one minute is judged, and learned, as making
 * this many; the Insight records count every call). */
#define DETECT_COUNT_MAX 65535u

enum direction { DIRECTION_INCREASE, DIRECTION_DECREASE };

struct insight {
    uint32_t start;        /* first minute */
    uint32_t end;          /* minute after the last one (when closed) */
    int closed;            /* End decided */
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
    uint32_t last_run;     /* gaps: start of the last run on schedule */
};

/* A key's settings: the global ones, or an override's. */
struct detect_settings {
    double sensitivity;
    uint32_t min_count;
    uint32_t min_history; /* minutes */
    int gaps;             /* learn periodic runs (call-rate keys only) */
};

/* Where decisions go.  ins is borrowed for the call; key is the caller's. */
struct detect_events {
    void (*start)(void *ctx, uint32_t key, const struct insight *ins);
    void (*end)(void *ctx, uint32_t key, const struct insight *ins);
    void *ctx;
};

/* What a key's account/region tells its model. */
struct detect_scope {
    uint32_t coverage_start;                  /* first minute of its logs */
    const struct season_exposure *exposure;   /* minutes observed per slot */
    uint32_t active_keys;                     /* keys sharing the false-alarm budget */
};

/* Run-wide parameters shared by every key. */
struct detect_params {
    double decay;            /* weight lost per day of age (season_decay) */
    double alpha_start;      /* a window's start threshold; 0: derived
                                from each key's sensitivity */
    double alpha_end;        /* a minute stays elevated below this */
    double min_ratio;        /* observed over expected a start needs */
    uint32_t end_after;      /* normal minutes that end an increase */
    struct gap_params gap;   /* periodic jobs */
    int seasonality;         /* hour-of-day x weekday/weekend baselines */
};

struct detect_run {
    struct detect_params p;
    struct detect_events events;
};

struct key_model {
    struct detect_settings set;
    struct season season;
    struct gap_state gap;
    uint16_t recent[DETECT_RECENT]; /* counts of minutes (head - DETECT_RECENT, head],
                                       held at most DETECT_COUNT_MAX */
    uint32_t head;                  /* latest minute in recent; UINT32_MAX = none */
    /* the open increase Insight */
    int open;
    struct insight cur;
    uint32_t last_elevated;        /* last minute whose window was elevated */
    uint32_t last_minute_elevated; /* last minute elevated on its own */
    uint32_t prev_end;             /* end of the previous increase */
    double ref;                    /* reference rate half-way to the rise */
    double cusum, cusum_peak;      /* cumulative excess over ref */
    uint32_t cusum_minute, cusum_end;
    /* the open gap Insight */
    int gap_open;
    struct insight gcur;
};

/* The insightType of a key's Insights: ApiErrorRateInsight for an
 * error-rate key, else ApiCallRateInsight. */
const char *detect_insight_type(int error_rate);

void detect_run_init(struct detect_run *r, const struct detect_params *p,
                     struct detect_events events);
void detect_model_init(struct key_model *m, const struct detect_settings *s);
/* Key `key` had x (> 0) events in minute t (later than any minute seen
 * before). */
void detect_step(const struct detect_run *r, const struct detect_scope *sc,
                 struct key_model *m, uint32_t key, uint32_t t, uint32_t x);
/* One event for minute t, which has been decided already (it came too
 * late to be judged): it joins the key's counts, and so its baseline, and
 * for a periodic key a run it makes ends the gap its absence opened. */
void detect_late(const struct detect_run *r, struct key_model *m, uint32_t key,
                 uint32_t t);
/* Nothing happened on the key after its last active minute until t. */
void detect_silence(const struct detect_run *r, const struct detect_scope *sc,
                    struct key_model *m, uint32_t key, uint32_t t);
/* The first minute after `after` at which silence would change something
 * (an open increase ends, a job's run is overdue), for detect_silence;
 * UINT32_MAX when none.  `after` is the latest minute the key's silence
 * has been judged at. */
uint32_t detect_timer(const struct detect_run *r, const struct key_model *m,
                      uint32_t after);
/* Where the open increase would end if it ended now (minute after its
 * last minute). */
uint32_t detect_increase_end(const struct key_model *m);
/* The key's weighted events and minutes behind its baseline as e counts
 * it (recent minutes e has already counted included): events / minutes is
 * its baseline rate per minute. */
void detect_baseline_totals(const struct key_model *m,
                            const struct season_exposure *e, double *events,
                            double *minutes);
/* What the key expects in minute t, as judge would see it now. */
void detect_expect(const struct detect_run *r, const struct detect_scope *sc,
                   const struct key_model *m, uint32_t t, struct season_expect *out);
/* The count of minute t if it is among the recent minutes, else 0. */
uint32_t detect_count_at(const struct key_model *m, uint32_t t);

#endif
