/*
 * model_gap — periodic jobs and the runs that do not come.
 *
 * A key's active minutes are grouped into runs (activity less than
 * GAP_MERGE_MINUTES apart is one run).  The intervals between run starts
 * are kept in a small ring; the period is the value most of them agree
 * with.  Evidence builds
 * with every interval on the period (within a jitter tolerance), stays
 * through pauses (two periods or more; a whole number of them for jobs
 * slower than hourly) and halves on an irregular interval; a key is
 * periodic once it holds min_runs and at least GAP_EVIDENCE_MINUTES of
 * regular runs, which random activity (whose intervals can look regular
 * for a while) practically never builds.  Pauses the job has shown before
 * (a nightly or weekend stop) are remembered as the longest ordinary
 * interval, so they never count as gaps.  The schedule's phase is the
 * latest run that kept it (an extra run at another time does not move it;
 * a restart of the schedule the job has shown before does, and is no
 * evidence against it: a cron job of every 7 minutes runs at :56 and :00).
 * A gap is due when, after that run, the period plus a grace (half the
 * period, at most 30 minutes, at least twice the jitter seen) — or, for a
 * job that pauses, its longest pause plus that grace — has passed without
 * another run.
 * Pure; one struct gap_state per key, owned by one thread.
 */
#ifndef CTI_MODEL_GAP_H
#define CTI_MODEL_GAP_H

#include <stdint.h>

#define GAP_RING 16
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

struct gap_state {
    uint32_t run_start;   /* start of the latest run; UINT32_MAX = none */
    uint32_t anchor;      /* start of the latest run on schedule */
    uint32_t restart_at;  /* start of the latest run off the period */
    uint32_t last_active; /* latest active minute */
    uint32_t interval[GAP_RING];
    uint32_t n;           /* intervals recorded (ring holds the last GAP_RING) */
    uint32_t longest;     /* longest ordinary interval seen */
    uint32_t streak;      /* evidence: regular intervals, see above */
    uint32_t period, tol; /* what the ring agrees with (0: empty) */
};

struct gap_verdict {
    int periodic;
    uint32_t period;   /* minutes, when periodic */
    uint32_t tolerance;/* jitter seen, minutes */
    uint32_t last_run; /* start of the latest run on schedule */
    uint32_t due;      /* minute the next run is expected */
    uint32_t deadline; /* minute after which its absence is a gap */
};

void gap_init(struct gap_state *g);
/* Record activity in minute m (minutes in increasing order).  flagged
 * says the silence before m was reported as a gap: m starts a new run, and
 * the interval it ends is not learned as ordinary.  Returns 1 when m starts
 * a new run. */
int gap_activity(struct gap_state *g, uint32_t m, int flagged);
/* Whether the key is periodic now, and when its next run is due. */
void gap_judge(const struct gap_state *g, const struct gap_params *p,
               struct gap_verdict *out);

#endif
