#include "model_gap.h"

#include <stdlib.h>
#include <string.h>

void gap_init(struct gap_state *g)
{
    memset(g, 0, sizeof(*g));
    g->run_start = UINT32_MAX;
}

int gap_activity(struct gap_state *g, uint32_t m, int flagged)
{
    if (g->run_start != UINT32_MAX && m - g->last_active < GAP_MERGE_MINUTES) {
        g->last_active = m;
        return 0;
    }
    if (g->run_start != UINT32_MAX && !flagged) {
        uint32_t iv = m - g->run_start;
        g->interval[g->n % GAP_RING] = iv;
        g->n++;
        if (iv > g->longest)
            g->longest = iv;
    }
    g->run_start = m;
    g->last_active = m;
    return 1;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void gap_judge(const struct gap_state *g, const struct gap_params *p,
               struct gap_verdict *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t k = g->n < GAP_RING ? g->n : GAP_RING;
    if (g->run_start == UINT32_MAX || k + 1 < (uint32_t)p->min_runs || k == 0)
        return;
    uint32_t v[GAP_RING];
    memcpy(v, g->interval, k * sizeof(*v));
    qsort(v, k, sizeof(*v), u32_cmp);
    uint32_t period = v[k / 2];
    if (period < p->min_period || period > p->max_period)
        return;
    /* An interval agrees with the period within 5% (at least 2 minutes);
     * the jitter is how far the agreeing ones actually strayed. */
    uint32_t tol = period / 20 > 2 ? period / 20 : 2;
    uint32_t agree = 0, jitter = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (v[i] + tol < period || v[i] > period + tol)
            continue;
        agree++;
        uint32_t dev = v[i] > period ? v[i] - period : period - v[i];
        if (dev > jitter)
            jitter = dev;
    }
    if (agree * 4 < k * 3) /* at least 75% of intervals on the period */
        return;
    /* Grace before a late run is a gap: half the period, at most 30
     * minutes, but never less than twice the jitter seen (plus a minute). */
    uint32_t grace = period / 2 < 30 ? period / 2 : 30;
    if (grace < 2 * (jitter + 1))
        grace = 2 * (jitter + 1);
    uint32_t deadline = g->run_start + period + grace;
    /* A job that pauses (nights, weekends) may be silent as long as its
     * longest pause so far, and a grace. */
    if (g->longest > period + tol && g->run_start + g->longest + grace > deadline)
        deadline = g->run_start + g->longest + grace;
    out->periodic = 1;
    out->period = period;
    out->tolerance = jitter;
    out->due = g->run_start + period;
    out->deadline = deadline;
}
