#include "detect.h"

#include <math.h>
#include <string.h>

/* Prior weight, in minutes, of a key's all-hours rate in each slot. */
#define PRIOR_MINUTES 240.0
#define WEEK_MINUTES 10080.0

void detect_run_init(struct detect_run *r, const struct detect_params *p,
                     struct detect_events events)
{
    r->p = *p;
    r->events = events;
}

const char *detect_insight_type(int error_rate)
{
    return error_rate ? "ApiErrorRateInsight" : "ApiCallRateInsight";
}

void detect_model_init(struct key_model *m, const struct detect_settings *s)
{
    memset(m, 0, sizeof(*m));
    m->set = *s;
    season_init(&m->season);
    gap_init(&m->gap);
    m->head = UINT32_MAX;
}

/* Sensitivity 5 budgets 0.1 false alarm per account/region-week; each
 * step multiplies it by sqrt(10). */
static double derived_alpha(double sensitivity, uint32_t nkeys)
{
    double budget = pow(10.0, (sensitivity - 7.0) / 2.0);
    return budget / ((nkeys ? nkeys : 1) * WEEK_MINUTES * SEASON_SCALES);
}

static struct rate_params params_of(const struct detect_run *r,
                                    const struct detect_scope *sc,
                                    const struct key_model *m)
{
    const struct detect_params *p = &r->p;
    double alpha = p->alpha_start > 0 ? p->alpha_start
                                      : derived_alpha(m->set.sensitivity, sc->active_keys);
    return (struct rate_params){alpha, p->alpha_end > alpha ? p->alpha_end : alpha,
                                m->set.min_count, p->min_ratio};
}

static int has_history(const struct detect_scope *sc, const struct key_model *m,
                       uint32_t t)
{
    return t >= sc->coverage_start + m->set.min_history;
}

uint32_t detect_count_at(const struct key_model *m, uint32_t t)
{
    if (m->head == UINT32_MAX || t > m->head || m->head - t >= DETECT_RECENT)
        return 0;
    return m->recent[t % DETECT_RECENT];
}

void detect_baseline_totals(const struct key_model *m,
                            const struct season_exposure *e, double *events,
                            double *minutes)
{
    season_totals(&m->season, e, events, minutes);
    if (m->head == UINT32_MAX)
        return;
    for (uint32_t k = 0; k < DETECT_RECENT && k <= m->head; k++) {
        uint32_t u = m->head - k, x = m->recent[u % DETECT_RECENT];
        if (x && u < e->upto)
            *events += x * pow(e->decay, (double)e->day - u / MINUTES_PER_DAY);
    }
}

/* Move the recent window to end at t, folding the minutes that leave it
 * into the baseline, oldest first. */
static void remember(const struct detect_run *r, struct key_model *m,
                     uint32_t t, uint32_t x)
{
    if (m->head != UINT32_MAX && t - m->head >= DETECT_RECENT) {
        /* Every recent minute leaves. */
        for (uint32_t k = DETECT_RECENT; k-- > 0;) {
            uint32_t u = m->head - k;
            if (k <= m->head && m->recent[u % DETECT_RECENT])
                season_fold(&m->season, u, m->recent[u % DETECT_RECENT], r->p.decay);
        }
        memset(m->recent, 0, sizeof(m->recent));
    } else if (m->head != UINT32_MAX) {
        /* Minutes head+1..t take the slots of minutes 64 earlier. */
        for (uint32_t u = m->head + 1; u <= t; u++) {
            uint16_t *slot = &m->recent[u % DETECT_RECENT];
            if (*slot)
                season_fold(&m->season, u - DETECT_RECENT, *slot, r->p.decay);
            *slot = 0;
        }
    }
    m->head = t;
    m->recent[t % DETECT_RECENT] = (uint16_t)x;
}

/* An Insight ends after the later of where its excess peaked and its last
 * minute that was unusual on its own. */
uint32_t detect_increase_end(const struct key_model *m)
{
    uint32_t last = m->cusum_end > m->last_minute_elevated ? m->cusum_end
                                                           : m->last_minute_elevated;
    return last + 1;
}

static void close_increase(const struct detect_run *r, struct key_model *m,
                           uint32_t key)
{
    m->cur.closed = 1;
    m->cur.end = detect_increase_end(m);
    r->events.end(r->events.ctx, key, &m->cur);
    m->prev_end = m->last_elevated + 1;
    m->open = 0;
}

void detect_silence(const struct detect_run *r, const struct detect_scope *sc,
                    struct key_model *m, uint32_t key, uint32_t t)
{
    if (m->open && t > m->last_elevated + r->p.end_after)
        close_increase(r, m, key);
    if (!m->set.gaps || m->gap_open)
        return;
    struct gap_verdict v;
    gap_judge(&m->gap, &r->p.gap, &v);
    /* A gap only when the key was silent through the deadline (a run
     * still going on at it is not missing). */
    if (!v.periodic || t <= v.deadline || m->gap.last_active >= v.deadline ||
        !has_history(sc, m, v.due))
        return;
    m->gap_open = 1;
    m->gcur = (struct insight){
        .start = v.due, .direction = DIRECTION_DECREASE, .decided = v.deadline,
        .window = 0, .observed = 0, .expected = 1, .mean = 1.0 / v.period,
        .slot = -1, .tail = 0, .peak_score = 0, .period = v.period,
        .last_run = v.last_run,
    };
    r->events.start(r->events.ctx, key, &m->gcur);
}

uint32_t detect_timer(const struct detect_run *r, const struct key_model *m,
                      uint32_t after)
{
    uint32_t t = UINT32_MAX;
    if (m->open) {
        uint32_t end = m->last_elevated + r->p.end_after + 1;
        if (end > after)
            t = end;
    }
    if (m->set.gaps && !m->gap_open) {
        struct gap_verdict v;
        gap_judge(&m->gap, &r->p.gap, &v);
        /* A deadline already judged (a gap that could not be raised, e.g.
         * before min_history_days) is not asked for again. */
        if (v.periodic && m->gap.last_active < v.deadline && v.deadline + 1 > after &&
            v.deadline + 1 < t)
            t = v.deadline + 1;
    }
    return t;
}

struct window_test {
    enum rate_verdict verdict;
    uint32_t window, observed;
    double expected, tail;
};

/* Judge minute t over each window of at most max_window minutes ending at
 * it, clipped so that it starts no earlier than `from` (minutes an earlier
 * Insight already explained are not evidence again).  best gets the
 * shortest unusual window, else the most elevated one; *minute_verdict
 * the verdict of minute t alone.  starting: only an unusual window
 * matters (no Insight is open), so windows too small to be one are not
 * judged. */
static void judge_windows(const struct key_model *m, const struct rate_params *p,
                          uint32_t t, const struct season_expect *e1,
                          uint32_t max_window, uint32_t from, int starting,
                          struct window_test *best, enum rate_verdict *minute_verdict)
{
    *best = (struct window_test){RATE_NORMAL, 0, 0, 0, 1};
    *minute_verdict = RATE_NORMAL;
    uint32_t sum = 0, span = 0;
    for (int w = 0; w < SEASON_SCALES && season_scales[w] <= max_window; w++) {
        uint32_t want = season_scales[w] < t - from + 1 ? season_scales[w] : t - from + 1;
        if (w > 0 && want == span)
            break; /* clipped: no longer window to try */
        for (; span < want; span++)
            sum += detect_count_at(m, t - span);
        /* Variance of the window's count: the key's own spread at that
         * scale (at least that of independent minutes), plus the
         * uncertainty of the estimated rate (Gamma-Poisson predictive), as
         * if at least one event stood behind it. */
        double mean = e1->mean * span;
        if (starting && (sum < p->min_count || sum < p->min_ratio * mean))
            continue; /* cannot start anything */
        double events = e1->events > 1 ? e1->events : 1;
        double spread = e1->var[0] * span;
        if (span == season_scales[w] && e1->var[w] > spread)
            spread = e1->var[w];
        struct rate_baseline b = {mean, spread + mean * mean / events,
                                  e1->minutes / span};
        double tail;
        enum rate_verdict v = rate_judge(p, &b, sum, &tail);
        if (w == 0)
            *minute_verdict = v;
        if (best->verdict == RATE_UNUSUAL)
            continue; /* keep the shortest unusual window */
        if (v > best->verdict || (v != RATE_NORMAL && tail < best->tail))
            *best = (struct window_test){v, span, sum, b.mean, tail};
    }
}

/* Where the rise that the window ending at t caught began: the minute
 * after the lowest point of the cumulative excess over the reference rate
 * (the CUSUM change point). */
static uint32_t onset(const struct key_model *m, uint32_t t, uint32_t window,
                      double ref)
{
    double cum = 0, low = 0;
    uint32_t start = t - window + 1;
    for (uint32_t u = t - window + 1; u < t; u++) {
        cum += detect_count_at(m, u) - ref;
        if (cum < low) {
            low = cum;
            start = u + 1;
        }
    }
    return start;
}

/* Follow an open Insight through minute t: the cumulative excess over the
 * reference rate peaks where the rise ends (silent minutes since the last
 * active one count as zeros). */
static void follow(struct key_model *m, uint32_t t, uint32_t x)
{
    m->cusum -= m->ref * (t - m->cusum_minute - 1);
    m->cusum += x - m->ref;
    m->cusum_minute = t;
    if (m->cusum > m->cusum_peak) {
        m->cusum_peak = m->cusum;
        m->cusum_end = t;
    }
}

void detect_expect(const struct detect_run *r, const struct detect_scope *sc,
                   const struct key_model *m, uint32_t t, struct season_expect *out)
{
    season_expect(&m->season, sc->exposure, t, r->p.seasonality, PRIOR_MINUTES, out);
}

static void judge(const struct detect_run *r, const struct detect_scope *sc,
                  struct key_model *m, uint32_t key, uint32_t t, uint32_t x)
{
    if (!has_history(sc, m, t))
        return;
    struct rate_params p = params_of(r, sc, m);
    struct season_expect e;
    detect_expect(r, sc, m, t, &e);
    struct window_test w;
    enum rate_verdict minute;
    if (m->open) {
        judge_windows(m, &p, t, &e, m->cur.window, m->cur.start, 0, &w, &minute);
        follow(m, t, x);
        if (w.verdict != RATE_NORMAL) {
            m->last_elevated = t;
            double score = rate_score(w.tail);
            if (score > m->cur.peak_score)
                m->cur.peak_score = score;
        }
        if (minute != RATE_NORMAL)
            m->last_minute_elevated = t;
        return;
    }
    judge_windows(m, &p, t, &e, season_scales[SEASON_SCALES - 1], m->prev_end, 1, &w,
                  &minute);
    if (w.verdict != RATE_UNUSUAL)
        return;
    m->ref = (e.mean + (double)w.observed / w.window) / 2;
    uint32_t start = onset(m, t, w.window, m->ref);
    m->open = 1;
    m->cur = (struct insight){
        .start = start, .end = t + 1, .closed = 0,
        .direction = DIRECTION_INCREASE, .decided = t, .window = w.window,
        .observed = w.observed, .expected = w.expected, .mean = e.mean,
        .slot = e.slot, .tail = w.tail, .peak_score = rate_score(w.tail),
    };
    m->last_elevated = t;
    m->last_minute_elevated = t;
    /* The excess from the start up to t, for the end's change point. */
    m->cusum = 0;
    m->cusum_peak = -1e300;
    m->cusum_minute = start - 1;
    for (uint32_t u = start; u <= t; u++)
        follow(m, u, detect_count_at(m, u));
    r->events.start(r->events.ctx, key, &m->cur);
}

/* A run came: an open gap ends at it. Returns whether one was open. */
static int run_arrived(const struct detect_run *r, struct key_model *m,
                       uint32_t key, uint32_t t)
{
    if (!m->gap_open)
        return 0;
    m->gcur.end = t;
    m->gcur.closed = 1;
    r->events.end(r->events.ctx, key, &m->gcur);
    m->gap_open = 0;
    return 1;
}

void detect_late(const struct detect_run *r, struct key_model *m, uint32_t key,
                 uint32_t t)
{
    if (m->head == UINT32_MAX || t > m->head) {
        remember(r, m, t, 1);
    } else if (m->head - t < DETECT_RECENT) {
        uint16_t *c = &m->recent[t % DETECT_RECENT];
        if (*c < DETECT_COUNT_MAX)
            (*c)++;
    } else {
        season_fold_late(&m->season, t, 1, r->p.decay);
    }
    if (!m->set.gaps || t <= m->gap.last_active)
        return;
    /* A gap's End is never before its Start. */
    int flagged = run_arrived(r, m, key, t > m->gcur.start ? t : m->gcur.start + 1);
    gap_activity(&m->gap, t, flagged);
}

void detect_step(const struct detect_run *r, const struct detect_scope *sc,
                 struct key_model *m, uint32_t key, uint32_t t, uint32_t x)
{
    if (x > DETECT_COUNT_MAX)
        x = DETECT_COUNT_MAX;
    detect_silence(r, sc, m, key, t);
    remember(r, m, t, x);
    judge(r, sc, m, key, t, x);
    if (m->set.gaps) {
        int flagged = run_arrived(r, m, key, t);
        gap_activity(&m->gap, t, flagged);
    }
}
