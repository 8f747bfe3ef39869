/*
 * model_gap — periodic jobs and the runs that do not come.
 *
 * A key's active minutes are grouped into runs (activity less than
 * GAP_MERGE_MINUTES apart is one run).  Intervals are kept in a small
 * ring; the period is the mean of the cluster of intervals most of them
 * agree with (within a tolerance of 5%, at least 1, at most
 * GAP_MAX_JITTER minutes), so that one stray interval neither pulls nor
 * splits it and a job whose runs straddle minute boundaries (4, 6, 5, ...)
 * is still one of 5; the period held stays while it is within 3/4 of a
 * minute of that mean.
 *
 * Once a period is known, each active minute is judged against the
 * schedule's next due time (not only the starts of runs: an extra call
 * just before a run must not hide it), in zones around it:
 *   - within the tolerance: the run on schedule;
 *   - within twice the tolerance: the run, early or late beyond its
 *     jitter (how a schedule first learned from an early or late run
 *     finds its centre);
 *   - later, within the grace: the run, late;
 *   - earlier: an extra call.  It does not move the schedule, and once the
 *     key holds evidence of a job it does not enter the ring either.
 * Of the active minutes near one due, the one closest to it is the run.
 * The run that serves a due moves the schedule to that due, centred on
 * the mean deviation of the latest GAP_DEVS runs from it: runs early or
 * late within the jitter keep it, and a job that drifts is followed.  When
 * the due has passed: a run a period after the run before moves the
 * schedule (the job moved); a pause of whole periods keeps it; for a fast
 * job (period up to GAP_FREE_PAUSE_PERIOD) any pause of two periods or
 * more restarts it; a restart the job has shown before moves it (a cron
 * job of every 7 minutes runs at :56 and :00).  The run that ends a gap
 * restarts a fast job's schedule, provisionally (no gap is judged until a
 * run confirms it); a slower job's schedule holds.
 *
 * Evidence that a key is a job: each run on schedule adds one when the
 * cycle before it was quiet (no extra activity; a few extra minutes for
 * slow jobs, whose tolerance window is a small part of the period), so
 * that a key busy at random never collects it by chance; a run early or
 * late beyond the jitter halves it, and so does a run that ended a slow
 * job's gap off its schedule; extra calls cost nothing (an extra call just
 * before a run, which first served the due, gives the halving back when
 * the run replaces it).  Evidence is of runs on one period: a period that
 * moves beyond its tolerance starts it again.  A key is periodic once it
 * holds min_runs and at least GAP_EVIDENCE_MINUTES of such runs.
 *
 * A gap is due when the key stays silent from twice the tolerance before
 * the next due through the grace after it (half the period, at most 30
 * minutes, at least twice the jitter seen, plus a minute) — or, for a job
 * that pauses, through its longest pause so far plus that grace.
 * Pure; one struct gap_state per key, owned by one thread.
 */
#ifndef CTI_MODEL_GAP_H
#define CTI_MODEL_GAP_H

#include <stdint.h>

#define GAP_RING 16
/* Deviations of the latest runs from their due times, kept to centre the
 * schedule and measure its jitter. */
#define GAP_DEVS 8
#define GAP_MERGE_MINUTES 3
/* Regular runs needed: at least this many minutes of them. */
#define GAP_EVIDENCE_MINUTES 360
/* Most a run may stray from its schedule, minutes. */
#define GAP_MAX_JITTER 15
/* Jobs of up to this period may pause for any length of time. */
#define GAP_FREE_PAUSE_PERIOD 60

struct gap_params {
    int min_runs;        /* runs before a key may count as periodic */
    uint32_t min_period; /* minutes */
    uint32_t max_period; /* minutes */
};

/* All private to model_gap; read by tests. */
struct gap_state {
    uint32_t run_start;   /* start of the latest run; UINT32_MAX = none */
    uint32_t last_active; /* latest active minute */
    uint32_t sched;       /* the schedule's time of the latest due served */
    uint32_t last_run;    /* the active minute that served it */
    uint32_t served_due;  /* that due, while a closer minute may replace
                             the one that served it; UINT32_MAX = none */
    uint32_t restart_at;  /* start of the latest run off the period */
    uint32_t extra;       /* extra active minutes since last_run */
    uint32_t served_streak; /* before served_due was served: the streak, */
    uint32_t served_prev_run, served_prev_sched; /* last_run and sched */
    uint32_t interval[GAP_RING];
    uint32_t n;           /* intervals recorded (ring holds the last GAP_RING) */
    uint32_t longest;     /* longest ordinary interval seen */
    uint32_t streak;      /* evidence: regular runs, see above */
    uint32_t period, tol; /* what the ring agrees with (0: empty) */
    int8_t dev[GAP_DEVS]; /* deviations from the schedule as it is now */
    uint8_t ndev, dev_at; /* how many dev holds; where the next goes */
    int8_t served_c;      /* the centring applied when served_due was served */
    uint8_t provisional;  /* the phase is the run that ended a gap, unconfirmed */
};

struct gap_verdict {
    int periodic;
    uint32_t period;   /* minutes, when periodic */
    uint32_t tolerance;/* jitter seen, minutes */
    uint32_t last_run; /* the latest run on schedule */
    uint32_t due;      /* minute the next run is expected */
    uint32_t deadline; /* minute after which its absence is a gap */
};

void gap_init(struct gap_state *g);
/* Record activity in minute m (minutes in increasing order).  flagged
 * says the silence before m was reported as a gap: m starts a new run and
 * the schedule, and the interval it ends is not learned.  Returns 1 when m
 * starts a new run. */
int gap_activity(struct gap_state *g, uint32_t m, int flagged);
/* Whether the key is periodic now, and when its next run is due.  The
 * key's activity since last_run is all before due minus twice the
 * tolerance, so a gap from due spans no call. */
void gap_judge(const struct gap_state *g, const struct gap_params *p,
               struct gap_verdict *out);

#endif
