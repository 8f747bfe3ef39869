#include "model_gap.h"

#include <string.h>

void gap_init(struct gap_state *g)
{
    memset(g, 0, sizeof(*g));
    g->run_start = UINT32_MAX;
    g->anchor = UINT32_MAX;
    g->restart_at = UINT32_MAX;
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

/* The period the ring's intervals agree with most: of the ring's values
 * and their neighbours (a job whose runs straddle minute boundaries shows
 * 4 and 6 for a period of 5), the one most intervals are within tolerance
 * of, then the one they stray least from, then the shortest.  0 when the
 * ring is empty.  The candidates are tried in increasing order over the
 * intervals sorted, so each is tried once and the intervals within its
 * tolerance are a run that only moves forward. */
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
            uint32_t t = tolerance(c), n = 0, dev = 0;
            while (lo < k && v[lo] + t < c) /* c - t only grows with c */
                lo++;
            for (uint32_t j = lo; j < k && v[j] <= c + t; j++) {
                n++;
                dev += v[j] > c ? v[j] - c : c - v[j];
            }
            if (n > best_n || (n == best_n && dev < best_dev)) {
                best = c;
                best_n = n;
                best_dev = dev;
            }
        }
    }
    *tol = best ? tolerance(best) : 0;
    return best;
}

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
 * one on the period. */
static int known_restart(const struct gap_state *g, uint32_t m, uint32_t iv)
{
    uint32_t k = g->n < GAP_RING ? g->n : GAP_RING, tol = g->tol, p = g->period;
    if (g->restart_at == UINT32_MAX || m <= g->restart_at ||
        !whole_periods(m - g->restart_at, 60, tol))
        return 0;
    for (uint32_t i = 0; i + 1 < k; i++) {
        uint32_t a = g->interval[(g->n - k + i) % GAP_RING];
        uint32_t b = g->interval[(g->n - k + i + 1) % GAP_RING];
        uint32_t da = a > iv ? a - iv : iv - a, dp = a > p ? a - p : p - a;
        uint32_t db = b > p ? b - p : p - b;
        if (da <= tol && dp > tol && db <= tol)
            return 1;
    }
    return 0;
}

int gap_activity(struct gap_state *g, uint32_t m, int flagged)
{
    if (g->run_start != UINT32_MAX && !flagged &&
        m - g->last_active < GAP_MERGE_MINUTES) {
        g->last_active = m;
        return 0;
    }
    if (g->run_start != UINT32_MAX && !flagged) {
        uint32_t iv = m - g->run_start, tol;
        /* Evidence, judged against the period learned so far and the
         * schedule's phase (so an extra run at another time costs once):
         * a run a period after the last one on schedule adds to it; one a
         * period after the run before (the job moved), a pause (a whole
         * number of periods for a job slower than hourly — a daily job
         * that skips weekends — any length for a faster one, which stops
         * for the night or the weekend; a sparse key called at random has
         * long silences of every length) or a restart the job has shown
         * before leaves it; anything else — a run early or half-way, what
         * random activity does and a job does not — halves it. */
        uint32_t period = g->period;
        tol = g->tol;
        int on_schedule = 1;
        if (period) {
            uint32_t since = m - g->anchor;
            uint32_t dev = since > period ? since - period : period - since;
            uint32_t step = iv > period ? iv - period : period - iv;
            int whole = whole_periods(since, period, tol);
            int agree = dev <= tol;
            int moved = !agree && step <= tol; /* a period after the run before */
            int pause = !agree && !moved && since + tol >= 2 * period &&
                        (period <= GAP_FREE_PAUSE_PERIOD || whole);
            int restart = !agree && !moved && !pause && known_restart(g, m, iv);
            if (agree)
                g->streak++;
            else if (!moved && !pause && !restart)
                g->streak /= 2;
            if (!agree && !moved && !pause)
                g->restart_at = m;
            /* The phase moves to m when m keeps the schedule, comes a
             * period after the run before it (the job moved), after a
             * whole number of periods, or restarts the schedule as the job
             * has done before. */
            on_schedule = agree || moved || whole || restart;
        }
        if (on_schedule)
            g->anchor = m;
        g->interval[g->n % GAP_RING] = iv;
        g->n++;
        g->period = ring_period(g, &g->tol);
        if (iv > g->longest)
            g->longest = iv;
    }
    if (flagged || g->anchor == UINT32_MAX)
        g->anchor = m;
    g->run_start = m;
    g->last_active = m;
    return 1;
}

void gap_judge(const struct gap_state *g, const struct gap_params *p,
               struct gap_verdict *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t tol = g->tol, period = g->period;
    if (g->run_start == UINT32_MAX || period < p->min_period ||
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
    /* The jitter is how far the intervals on the period strayed. */
    uint32_t k = g->n < GAP_RING ? g->n : GAP_RING, jitter = 0;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t iv = g->interval[i];
        uint32_t dev = iv > period ? iv - period : period - iv;
        if (dev <= tol && dev > jitter)
            jitter = dev;
    }
    /* Grace before a late run is a gap: half the period, at most 30
     * minutes, but never less than twice the jitter seen (plus a minute). */
    uint32_t grace = period / 2 < 30 ? period / 2 : 30;
    if (grace < 2 * (jitter + 1))
        grace = 2 * (jitter + 1);
    uint32_t deadline = g->anchor + period + grace;
    /* A job that pauses (nights, weekends) may be silent as long as its
     * longest pause so far, and a grace. */
    if (g->longest > period + tol && g->anchor + g->longest + grace > deadline)
        deadline = g->anchor + g->longest + grace;
    out->periodic = 1;
    out->period = period;
    out->tolerance = jitter;
    out->last_run = g->anchor;
    out->due = g->anchor + period;
    out->deadline = deadline;
}
