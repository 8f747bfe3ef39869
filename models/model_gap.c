#include "model_gap.h"

#include <string.h>

#define NONE UINT32_MAX

void gap_init(struct gap_state *g)
{
    memset(g, 0, sizeof(*g));
    g->run_start = NONE;
    g->sched = NONE;
    g->last_run = NONE;
    g->served_due = NONE;
    g->restart_at = NONE;
}

static uint32_t absdiff(uint32_t a, uint32_t b)
{
    return a > b ? a - b : b - a;
}

/* Tolerance of agreement with a period: 5%, at least 1 minute (as far as
 * a job with a minute of jitter strays) and at most GAP_MAX_JITTER
 * (schedules keep their time to minutes; a key whose runs wander by hours
 * is not one). */
static uint32_t tolerance(uint32_t period)
{
    uint32_t tol = period / 20 > 1 ? period / 20 : 1;
    return tol < GAP_MAX_JITTER ? tol : GAP_MAX_JITTER;
}

/* ---- the period ------------------------------------------------------------ */

/* The period the ring's intervals agree with.  Two runs within a job's
 * jitter are up to twice its tolerance apart (a 10-minute job a minute
 * either side of its time shows 8 to 12; one straddling minute boundaries
 * 4 and 6 for a period of 5), so agreement is within twice the tolerance:
 * of the ring's values and their neighbours, the candidate most intervals
 * agree with, then the one they stray least from, then the shortest.  The
 * period is the mean of the intervals that agree with it, the window moved
 * onto the mean until it stays, so that an interval at the edge (a
 * 10-minute job's 8 beside its 10s) neither pulls it nor makes the
 * candidate beside it win; the period held stays while it is within 3/4
 * of a minute of that mean (a day's jitter does not make a daily job's
 * period 1441 one day and 1439 the next).  0 when the ring is empty.  The
 * candidates are tried in increasing order over the intervals sorted, so
 * each is tried once and the intervals agreeing with it are a run that
 * only moves forward. */
static uint32_t ring_period(const struct gap_state *g, uint32_t *tol)
{
    uint32_t k = g->n < GAP_RING ? g->n : GAP_RING, v[GAP_RING];
    for (uint32_t i = 0; i < k; i++) { /* insertion sort: k is small */
        uint32_t x = g->interval[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    uint32_t best = 0, best_n = 0, best_dev = 0, last = 0, lo = 0;
    for (uint32_t i = 0; i < k; i++) {
        for (uint32_t d = 0; d < 3; d++) {
            uint32_t c = v[i] + d - 1;
            if (c == 0 || c == UINT32_MAX || c <= last)
                continue;
            last = c;
            uint32_t t = 2 * tolerance(c), n = 0, dev = 0;
            while (lo < k && v[lo] + t < c) /* c - t only grows with c */
                lo++;
            for (uint32_t j = lo; j < k && v[j] <= c + t; j++) {
                n++;
                dev += absdiff(v[j], c);
            }
            if (n > best_n || (n == best_n && dev < best_dev)) {
                best = c;
                best_n = n;
                best_dev = dev;
            }
        }
    }
    if (!best_n) {
        *tol = 0;
        return 0;
    }
    /* The mean, over a window moved onto it until it stays (from the
     * candidate beside the true period, the window cuts one side off). */
    uint64_t best_sum = 0;
    uint32_t period = best;
    best_n = 0;
    for (int step = 0; step < 4; step++) {
        uint32_t wide = 2 * tolerance(period), n = 0;
        uint64_t sum = 0;
        for (uint32_t i = 0; i < k; i++)
            if (absdiff(v[i], period) <= wide) {
                n++;
                sum += v[i];
            }
        if (!n)
            break;
        best_n = n;
        best_sum = sum;
        uint32_t mean = (uint32_t)((sum + n / 2) / n);
        if (mean == period)
            break;
        period = mean;
    }
    uint64_t held = (uint64_t)g->period * best_n;
    uint64_t off = held > best_sum ? held - best_sum : best_sum - held;
    if (g->period && best_n && 4 * off < 3 * (uint64_t)best_n)
        period = g->period;
    if (!period)
        period = 1;
    *tol = tolerance(period);
    return period;
}

/* The ring changed: what it agrees with now.  Evidence is of runs on a
 * period, so a period that moves beyond its tolerance starts it again (a
 * key busy by day looks like a 5-minute job, sparse at night like one of
 * hours; neither's runs are evidence for the other). */
static void reperiod(struct gap_state *g)
{
    uint32_t old = g->period, old_tol = g->tol;
    g->period = ring_period(g, &g->tol);
    if (old && absdiff(g->period, old) > old_tol)
        g->streak = 0;
}

/* Learn interval iv. */
static void record(struct gap_state *g, uint32_t iv)
{
    g->interval[g->n % GAP_RING] = iv;
    g->n++;
    reperiod(g);
    if (iv > g->longest)
        g->longest = iv;
}

/* ---- the schedule's centre ---------------------------------------------------- */

static void dev_push(struct gap_state *g, int64_t d)
{
    int64_t lim = 4 * GAP_MAX_JITTER;
    g->dev[g->dev_at] = (int8_t)(d < -lim ? -lim : d > lim ? lim : d);
    g->dev_at = (uint8_t)((g->dev_at + 1) % GAP_DEVS);
    if (g->ndev < GAP_DEVS)
        g->ndev++;
}

/* How far the schedule should move to sit amid the latest runs: their
 * mean deviation, rounded toward no move, so a job whose runs come a
 * minute either side of the schedule keeps it (it moves only when all of
 * them come on one side) and one that drifts is followed. */
static int dev_centre(const struct gap_state *g)
{
    int sum = 0;
    for (uint8_t i = 0; i < g->ndev; i++)
        sum += g->dev[i];
    return g->ndev ? sum / g->ndev : 0;
}

static void dev_shift(struct gap_state *g, int c)
{
    for (uint8_t i = 0; i < g->ndev; i++) {
        int v = g->dev[i] - c;
        g->dev[i] = (int8_t)(v < -127 ? -127 : v > 127 ? 127 : v);
    }
}

/* The jitter seen: how far the latest runs strayed from the schedule, or
 * the intervals on the period from it. */
static uint32_t jitter(const struct gap_state *g)
{
    uint32_t j = 0, k = g->n < GAP_RING ? g->n : GAP_RING;
    for (uint8_t i = 0; i < g->ndev; i++) {
        uint32_t a = (uint32_t)(g->dev[i] < 0 ? -g->dev[i] : g->dev[i]);
        if (a > j)
            j = a;
    }
    for (uint32_t i = 0; i < k; i++) {
        uint32_t dev = absdiff(g->interval[i], g->period);
        if (dev <= g->tol && dev > j)
            j = dev;
    }
    return j;
}

/* Grace before a late run is a gap: half the period, at most 30 minutes,
 * but never less than twice the jitter seen (plus a minute). */
static uint32_t grace(const struct gap_state *g)
{
    uint32_t grace = g->period / 2 < 30 ? g->period / 2 : 30, j = jitter(g);
    return grace < 2 * (j + 1) ? 2 * (j + 1) : grace;
}

/* ---- serving dues ----------------------------------------------------------- */

/* The schedule starts again at the run at m (the first run, a run after a
 * gap, a job that moved or restarted): what it knew of its centre was
 * relative to the old phase. */
static void rephase(struct gap_state *g, uint32_t m)
{
    g->provisional = 0;
    g->sched = m;
    g->last_run = m;
    g->served_due = NONE;
    g->extra = 0;
    g->ndev = 0;
    g->dev_at = 0;
}

enum { SERVE_NEAR = 1, SERVE_LEARN = 2 };

/* What the ring learns of a run near its due: the interval since the run
 * before, unbiased (a period a minute off shows at once), when it is
 * within twice the tolerance of the period — as far as two runs within
 * the jitter are apart, and symmetric, so that the period it gives does
 * not lean toward the one held —, else the step the schedule took. */
static uint32_t served_interval(const struct gap_state *g, uint32_t m,
                                uint32_t prev_run, uint32_t prev_sched)
{
    uint32_t iv = m - prev_run;
    return absdiff(iv, g->period) <= 2 * g->tol ? iv : g->sched - prev_sched;
}

/* The active minute m served the due d.  SERVE_NEAR: m is within twice
 * the tolerance of d, so its deviation centres the schedule (and a closer
 * minute may yet replace it).  SERVE_LEARN: the ring learns the interval
 * (not the silence a gap ended), see served_interval. */
static void serve(struct gap_state *g, uint32_t m, uint32_t d, int how)
{
    int near = how & SERVE_NEAR;
    uint32_t prev = g->sched, prev_run = g->last_run;
    int c = 0;
    g->served_due = NONE;
    if (near) {
        dev_push(g, (int64_t)m - (int64_t)d);
        c = dev_centre(g);
        dev_shift(g, c);
        g->served_due = d;
        g->served_c = (int8_t)c;
    }
    g->sched = (uint32_t)((int64_t)d + c);
    g->last_run = m;
    g->extra = 0;
    g->provisional = 0;
    g->served_prev_run = prev_run;
    g->served_prev_sched = prev;
    if (how & SERVE_LEARN)
        record(g, near ? served_interval(g, m, prev_run, prev) : m - prev);
}

/* m is closer to the due just served than the minute that served it (an
 * extra call came just before the run): m is the run.  A minute of the
 * same run replaces only one beyond the jitter (a run that took its time
 * started on time); a run of its own, any.  If m is on time and the one
 * it replaces was not, the evidence that one halved is back (the cycle
 * held two runs, so it adds none). */
static int closer(const struct gap_state *g, uint32_t m, int fresh)
{
    uint32_t d = g->served_due;
    return d != NONE && absdiff(m, d) < absdiff(g->last_run, d) &&
           (fresh || absdiff(g->last_run, d) > g->tol);
}

static void reserve(struct gap_state *g, uint32_t m)
{
    uint32_t d = g->served_due;
    if (absdiff(m, d) <= g->tol && absdiff(g->last_run, d) > g->tol)
        g->streak = g->served_streak;
    uint8_t last = (uint8_t)((g->dev_at + GAP_DEVS - 1) % GAP_DEVS);
    dev_shift(g, -g->served_c);
    g->dev[last] = (int8_t)((int64_t)m - (int64_t)d);
    int c = dev_centre(g);
    dev_shift(g, c);
    g->sched = (uint32_t)((int64_t)d + c);
    g->interval[(g->n - 1) % GAP_RING] =
        served_interval(g, m, g->served_prev_run, g->served_prev_sched);
    g->served_c = (int8_t)c;
    g->last_run = m;
    g->extra = 0;
    reperiod(g);
}

/* Whether the cycle before a run on schedule was quiet enough for the run
 * to be evidence: a key with x extra active minutes in it would land one
 * in the run's tolerance window by chance about x * window / period of
 * the time; a job's cycle has none, or for slow jobs a few. */
static int quiet_cycle(const struct gap_state *g)
{
    uint64_t window = 2 * (uint64_t)g->tol + 1;
    return (uint64_t)g->extra * window * 16 <= g->period;
}

/* ---- runs off the schedule ---------------------------------------------------- */

/* Whether iv is a whole number (at least one) of periods, within tol. */
static int whole_periods(uint32_t iv, uint32_t period, uint32_t tol)
{
    uint32_t off = iv % period;
    return iv + tol >= period && (off <= tol || period - off <= tol);
}

/* Whether a run at m, iv after the one before and off the period, restarts
 * the schedule as the job has done before (a cron job of every 7 minutes
 * runs at :56, then :00; one of every 97 minutes from midnight restarts
 * each day): the last run off the period came a whole number of hours
 * earlier, and an interval like iv came before in the ring, followed by
 * one on the period.  Only a schedule that does not run evenly through
 * the hour, and runs more than twice a day, restarts: for a slower one
 * the hour test (within its tolerance of up to 15 minutes) would pass
 * half of all extra calls. */
static int known_restart(const struct gap_state *g, uint32_t m, uint32_t iv)
{
    uint32_t k = g->n < GAP_RING ? g->n : GAP_RING, tol = g->tol, p = g->period;
    if (p > 720 || whole_periods(60, p, tol))
        return 0;
    if (g->restart_at == NONE || m <= g->restart_at ||
        !whole_periods(m - g->restart_at, 60, tol))
        return 0;
    for (uint32_t i = 0; i + 1 < k; i++) {
        uint32_t a = g->interval[(g->n - k + i) % GAP_RING];
        uint32_t b = g->interval[(g->n - k + i + 1) % GAP_RING];
        if (absdiff(a, iv) <= tol && absdiff(a, p) > tol && absdiff(b, p) <= tol)
            return 1;
    }
    return 0;
}

/* A run starting at m, step after the run before, well before the due:
 * an extra run, or a restart the job has shown before.  While the key
 * holds no evidence its interval is learned (it may be the period). */
static void extra_run(struct gap_state *g, uint32_t m, uint32_t step)
{
    int restart = known_restart(g, m, step);
    g->restart_at = m;
    if (restart) {
        record(g, step);
        rephase(g, m);
    } else if (!g->streak) {
        record(g, step);
    }
}

/* The job moved: the run at m came a period after the run before it.  An
 * extra run just before (not learned while the key held evidence) is
 * learned now, so that a restart like it is known next time. */
static void moved(struct gap_state *g, uint32_t m, uint32_t step)
{
    uint32_t before = m - step;
    if (g->streak && before > g->last_run)
        record(g, before - g->last_run);
    record(g, step);
    rephase(g, m);
}

/* A run starting at m after the due and its grace passed with no run
 * (before the key was periodic, or before it had history: else the
 * silence was a gap and m is flagged). */
static void missed(struct gap_state *g, uint32_t m, uint32_t step)
{
    uint32_t p = g->period, tol = g->tol, since = m - g->sched;
    uint32_t k = (since + tol) / p;
    if (absdiff(step, p) <= tol) {
        moved(g, m, step);
    } else if (k >= 2 && absdiff(since, k * p) <= tol) { /* a pause of whole periods */
        serve(g, m, g->sched + k * p, SERVE_NEAR | SERVE_LEARN);
    } else if (p <= GAP_FREE_PAUSE_PERIOD && since + tol >= 2 * p) {
        record(g, m - g->last_run); /* a fast job resumes after a pause */
        rephase(g, m);
    } else if (known_restart(g, m, step)) {
        g->restart_at = m;
        record(g, step);
        rephase(g, m);
    } else {
        g->streak /= 2; /* late: what random activity does, a job not */
        g->restart_at = m;
        record(g, step);
    }
}

/* ---- each active minute ---------------------------------------------------------- */

/* Judge active minute m against the due (the schedule holds a period).
 * fresh: m starts a run; quiet: m's run started after the run that served
 * the last due (a run on schedule is a run of its own). */
static void judge_minute(struct gap_state *g, uint32_t m, int fresh, uint32_t step)
{
    uint32_t p = g->period, tol = g->tol, d = g->sched + p;
    int quiet = g->run_start > g->last_run;
    if (closer(g, m, fresh)) {
        reserve(g, m);
    } else if ((uint64_t)m + 2 * tol < d) {
        if (quiet)
            g->extra++;
        if (fresh)
            extra_run(g, m, step);
    } else if (m <= (uint64_t)d + 2 * tol) {
        uint32_t dev = absdiff(m, d);
        int on_time = dev <= tol;
        if (quiet) {
            uint32_t before = g->streak;
            /* Beyond the tolerance by a third of it, a run may be one
             * whose jitter fills the window while the centre, estimated
             * from a few runs, is a minute off: no evidence either way. */
            if (dev > tol + tol / 3)
                g->streak /= 2; /* early or late beyond the jitter */
            else if (on_time && quiet_cycle(g))
                g->streak++;
            serve(g, m, d, SERVE_NEAR | SERVE_LEARN);
            g->served_streak = before;
        } else if (on_time) {
            serve(g, m, d, SERVE_LEARN); /* busy through the due: the phase holds */
        }
    } else if (m <= (uint64_t)d + grace(g)) {
        if (fresh && absdiff(step, p) <= tol) {
            moved(g, m, step);
        } else if (quiet) {
            g->streak /= 2; /* late beyond the jitter */
            serve(g, m, d, SERVE_LEARN); /* the phase holds */
        }
    } else if (fresh) {
        missed(g, m, step);
    }
}

/* The run at m ended a gap.  A fast job resumes at it, as after any
 * pause, but provisionally: the call that ended the gap may have been an
 * extra one while the job's own runs come back on the old phase (the
 * second of them moves the schedule there, a period after the first), so
 * no gap is judged until a run confirms the phase.  A slower job's
 * schedule holds: the run serves its due when it comes a whole number of
 * periods late, and is otherwise an extra call or a run by hand, which
 * halves the evidence (so a job that stopped stops raising gaps, and one
 * that moved is learned again once it has).  Not "a period after the run
 * before": that run was an extra call too, and people keep hours.  The
 * silence is not learned as a pause. */
static void resumed(struct gap_state *g, uint32_t m)
{
    uint32_t p = g->period, tol = g->tol, since = m - g->sched;
    uint32_t k = (since + tol) / p;
    if (p <= GAP_FREE_PAUSE_PERIOD) {
        rephase(g, m);
        g->provisional = 1;
    } else if (k >= 1 && absdiff(since, k * p) <= tol) {
        serve(g, m, g->sched + k * p, SERVE_NEAR);
        g->served_due = NONE; /* nothing learned that a revision could mend */
    } else {
        g->streak /= 2;
    }
}

int gap_activity(struct gap_state *g, uint32_t m, int flagged)
{
    if (g->run_start == NONE || (flagged && !g->period)) {
        g->run_start = m;
        g->last_active = m;
        rephase(g, m);
        return 1;
    }
    if (flagged) {
        g->run_start = m;
        g->last_active = m;
        resumed(g, m);
        return 1;
    }
    int fresh = m - g->last_active >= GAP_MERGE_MINUTES;
    uint32_t step = m - g->run_start;
    g->last_active = m;
    if (fresh)
        g->run_start = m;
    if (g->period) {
        judge_minute(g, m, fresh, step);
    } else if (fresh) {
        /* Learning: the phase follows the latest run. */
        record(g, step);
        rephase(g, m);
    }
    return fresh;
}

void gap_judge(const struct gap_state *g, const struct gap_params *p,
               struct gap_verdict *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t tol = g->tol, period = g->period;
    if (g->run_start == NONE || g->provisional || period < p->min_period ||
        period > p->max_period)
        return;
    /* Enough regular runs: min_runs, and at least GAP_EVIDENCE_MINUTES of
     * them, so that random activity, whose intervals can look regular for
     * a while, never passes for a job. */
    uint32_t need = (GAP_EVIDENCE_MINUTES + period - 1) / period;
    if (need + 1 < (uint32_t)p->min_runs)
        need = (uint32_t)p->min_runs - 1;
    if (g->streak < need)
        return;
    /* The next due no activity has reached: activity past a due's window
     * without serving it (before the key was periodic, or a run going on
     * through it) leaves that due behind. */
    uint64_t due = (uint64_t)g->sched + period;
    uint64_t reached = (uint64_t)g->last_active + 2 * tol;
    if (reached >= due)
        due = g->sched + (reached - g->sched) / period * period + period;
    uint32_t gr = grace(g);
    uint64_t deadline = due + gr;
    /* A job that pauses (nights, weekends) may be silent as long as its
     * longest pause so far, and a grace. */
    if (g->longest > period + tol && (uint64_t)g->last_run + g->longest + gr > deadline)
        deadline = (uint64_t)g->last_run + g->longest + gr;
    if (deadline >= NONE)
        return;
    out->periodic = 1;
    out->period = period;
    out->tolerance = jitter(g);
    out->last_run = g->last_run;
    out->due = (uint32_t)due;
    out->deadline = (uint32_t)deadline;
}
