/*
 * model_gap — periodic jobs and the runs that do not come.
 *
 * A key's active minutes are grouped into runs (activity less than
 * GAP_MERGE_MINUTES apart is one run).  The intervals between run starts
 * are kept in a small ring; a key is periodic when it has enough intervals
 * and most of them agree with their median (the period) within a jitter
 * tolerance.  Pauses the job has shown before (a nightly or weekend stop)
 * are remembered as the longest ordinary interval, so they never count as
 * gaps.  A gap is due when, after the last run, the period plus a grace
 * (half the period, at most 30 minutes, at least twice the jitter seen) —
 * or, for a job that pauses, its longest pause plus that grace — has passed
 * without another run.
 * Pure; one struct gap_state per key, owned by one thread.
 */
#ifndef CTI_MODEL_GAP_H
#define CTI_MODEL_GAP_H

#include <stdint.h>

#define GAP_RING 8
#define GAP_MERGE_MINUTES 3

struct gap_params {
    int min_runs;        /* runs before a key may count as periodic */
    uint32_t min_period; /* minutes */
    uint32_t max_period; /* minutes */
};

struct gap_state {
    uint32_t run_start;   /* start of the latest run; UINT32_MAX = none */
    uint32_t last_active; /* latest active minute */
    uint32_t interval[GAP_RING];
    uint32_t n;           /* intervals recorded (ring holds the last 8) */
    uint32_t longest;     /* longest ordinary interval seen */
};

struct gap_verdict {
    int periodic;
    uint32_t period;   /* minutes, when periodic */
    uint32_t tolerance;/* jitter seen, minutes */
    uint32_t due;      /* minute the next run is expected */
    uint32_t deadline; /* minute after which its absence is a gap */
};

void gap_init(struct gap_state *g);
/* Record activity in minute m (minutes in increasing order).  flagged
 * says the silence before m was reported as a gap, so the interval it
 * ends is not learned as ordinary.  Returns 1 when m starts a new run. */
int gap_activity(struct gap_state *g, uint32_t m, int flagged);
/* Whether the key is periodic now, and when its next run is due. */
void gap_judge(const struct gap_state *g, const struct gap_params *p,
               struct gap_verdict *out);

#endif
