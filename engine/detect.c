#include "detect.h"

#include "xalloc.h"

#include <math.h>
#include <string.h>

#define RING 64 /* >= the longest window, a power of two */
/* Prior weight, in minutes, of a key's all-hours rate in each slot. */
#define PRIOR_MINUTES 240.0
#define WEEK_MINUTES 10080.0

void detector_init(struct detector *dt, const struct config *c)
{
    dt->cfg = c;
    dt->decay = season_decay(c->window_days);
}

void detector_free(struct detector *dt)
{
    (void)dt;
}

void insight_list_free(struct insight_list *l)
{
    xfree(l->v);
    memset(l, 0, sizeof(*l));
}

/* The state of one key's pass over its minutes. */
struct pass {
    const struct config *cfg;
    double decay;
    const struct agg_scope *scope;
    uint32_t key;
    /* this key's settings */
    struct rate_params params;
    uint32_t min_history; /* minutes */
    int gaps;
    struct gap_params gap_params;
    /* models */
    struct season season;
    struct season_exposure exposure;
    struct gap_state gap;
    uint32_t ring_minute[RING], ring_count[RING];
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
    struct insight_list *out;
};

static void push(struct pass *ps, const struct insight *ins)
{
    struct insight_list *l = ps->out;
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = *ins;
}

/* Sensitivity 5 budgets 0.1 false alarm per account/region-week; each
 * step multiplies it by sqrt(10). */
static double derived_alpha(double sensitivity, uint32_t nkeys)
{
    double budget = pow(10.0, (sensitivity - 7.0) / 2.0);
    return budget / ((nkeys ? nkeys : 1) * WEEK_MINUTES * SEASON_SCALES);
}

static void settings(struct pass *ps, const struct agg *a, const struct agg_key *k)
{
    const struct config *c = ps->cfg;
    const char *type = k->type == INSIGHT_CALL_RATE ? "ApiCallRateInsight"
                                                    : "ApiErrorRateInsight";
    const struct config_override *o = config_override_for(
        c, agg_str(a, k->account), agg_str(a, k->region), agg_str(a, k->source),
        agg_str(a, k->name), agg_str(a, k->error), type);
    double sensitivity = o && o->sensitivity >= 0 ? o->sensitivity : c->sensitivity;
    double alpha = c->alpha_start > 0 ? c->alpha_start
                                      : derived_alpha(sensitivity, ps->scope->nkeys);
    int min_count = o && o->min_count >= 0 ? o->min_count : c->min_count;
    int history = o && o->min_history_days >= 0 ? o->min_history_days : c->min_history_days;
    int gaps = o && o->gaps >= 0 ? o->gaps : c->gaps;
    ps->params = (struct rate_params){alpha, c->alpha_end > alpha ? c->alpha_end : alpha,
                                      min_count, c->min_ratio};
    ps->min_history = (uint32_t)history * MINUTES_PER_DAY;
    ps->gaps = gaps && k->type == INSIGHT_CALL_RATE;
    ps->gap_params = (struct gap_params){c->gap_min_runs, (uint32_t)c->gap_min_period,
                                         (uint32_t)c->gap_max_period};
}

static int has_history(const struct pass *ps, uint32_t m)
{
    return m >= ps->scope->first_minute + ps->min_history;
}

static uint32_t count_at(const struct pass *ps, uint32_t m)
{
    return ps->ring_minute[m % RING] == m ? ps->ring_count[m % RING] : 0;
}

/* An Insight ends after the later of where its excess peaked and its last
 * minute that was unusual on its own. */
static uint32_t increase_end(const struct pass *ps)
{
    uint32_t last = ps->cusum_end > ps->last_minute_elevated ? ps->cusum_end
                                                             : ps->last_minute_elevated;
    return last + 1;
}

static void close_increase(struct pass *ps)
{
    ps->cur.closed = 1;
    ps->cur.end = increase_end(ps);
    push(ps, &ps->cur);
    ps->prev_end = ps->last_elevated + 1;
    ps->open = 0;
}

/* Nothing happened on the key from its last active minute until m:
 * an open increase may end; a periodic job's run may be overdue. */
static void silence_until(struct pass *ps, uint32_t m)
{
    if (ps->open && m > ps->last_elevated + (uint32_t)ps->cfg->end_after_minutes)
        close_increase(ps);
    if (!ps->gaps || ps->gap_open)
        return;
    struct gap_verdict v;
    gap_judge(&ps->gap, &ps->gap_params, &v);
    /* A gap only when the key was silent through the deadline (a run
     * still going on at it is not missing). */
    if (!v.periodic || m <= v.deadline || ps->gap.last_active >= v.deadline ||
        !has_history(ps, v.due))
        return;
    ps->gap_open = 1;
    ps->gcur = (struct insight){
        .key = ps->key, .start = v.due, .direction = DIRECTION_DECREASE,
        .decided = v.deadline, .window = 0, .observed = 0,
        .expected = 1, .mean = 1.0 / v.period, .slot = -1, .tail = 0,
        .peak_score = 0, .period = v.period, .last_run = v.last_run,
    };
}

/* A run came: an open gap ends at it. Returns whether one was open. */
static int run_arrived(struct pass *ps, uint32_t m)
{
    if (!ps->gap_open)
        return 0;
    ps->gcur.end = m;
    ps->gcur.closed = 1;
    push(ps, &ps->gcur);
    ps->gap_open = 0;
    return 1;
}

struct window_test {
    enum rate_verdict verdict;
    uint32_t window, observed;
    double expected, tail;
};

/* Judge minute m over each window of at most max_window minutes ending at
 * it, clipped so that it starts no earlier than `from` (minutes an earlier
 * Insight already explained are not evidence again).  best gets the
 * shortest unusual window, else the most elevated one; *minute_verdict
 * the verdict of minute m alone. */
static void judge_windows(const struct pass *ps, uint32_t m, const struct season_expect *e1,
                          uint32_t max_window, uint32_t from, struct window_test *best,
                          enum rate_verdict *minute_verdict)
{
    *best = (struct window_test){RATE_NORMAL, 0, 0, 0, 1};
    *minute_verdict = RATE_NORMAL;
    uint32_t sum = 0, span = 0;
    for (int w = 0; w < SEASON_SCALES && season_scales[w] <= max_window; w++) {
        uint32_t want = season_scales[w] < m - from + 1 ? season_scales[w] : m - from + 1;
        if (w > 0 && want == span)
            break; /* clipped: no longer window to try */
        for (; span < want; span++)
            sum += count_at(ps, m - span);
        /* Variance of the window's count: the key's own spread at that
         * scale (at least that of independent minutes), plus the
         * uncertainty of the estimated rate (Gamma-Poisson predictive), as
         * if at least one event stood behind it. */
        double mean = e1->mean * span;
        double events = e1->events > 1 ? e1->events : 1;
        double spread = e1->var[0] * span;
        if (span == season_scales[w] && e1->var[w] > spread)
            spread = e1->var[w];
        struct rate_baseline b = {mean, spread + mean * mean / events,
                                  e1->minutes / span};
        double tail;
        enum rate_verdict v = rate_judge(&ps->params, &b, sum, &tail);
        if (w == 0)
            *minute_verdict = v;
        if (best->verdict == RATE_UNUSUAL)
            continue; /* keep the shortest unusual window */
        if (v > best->verdict || (v != RATE_NORMAL && tail < best->tail))
            *best = (struct window_test){v, span, sum, b.mean, tail};
    }
}

/* Where the rise that the window ending at m caught began: the minute
 * after the lowest point of the cumulative excess over the reference rate
 * (the CUSUM change point). */
static uint32_t onset(const struct pass *ps, uint32_t m, uint32_t window, double ref)
{
    double cum = 0, low = 0;
    uint32_t start = m - window + 1;
    for (uint32_t t = m - window + 1; t < m; t++) {
        cum += count_at(ps, t) - ref;
        if (cum < low) {
            low = cum;
            start = t + 1;
        }
    }
    return start;
}

/* Follow an open Insight through minute m: the cumulative excess over the
 * reference rate peaks where the rise ends (silent minutes since the last
 * active one count as zeros). */
static void follow(struct pass *ps, uint32_t m, uint32_t x)
{
    ps->cusum -= ps->ref * (m - ps->cusum_minute - 1);
    ps->cusum += x - ps->ref;
    ps->cusum_minute = m;
    if (ps->cusum > ps->cusum_peak) {
        ps->cusum_peak = ps->cusum;
        ps->cusum_end = m;
    }
}

static void judge(struct pass *ps, uint32_t m, uint32_t x)
{
    if (!has_history(ps, m))
        return;
    struct season_expect e;
    season_expect(&ps->season, &ps->exposure, m, ps->cfg->seasonality,
                  PRIOR_MINUTES, &e);
    struct window_test t;
    enum rate_verdict minute;
    if (ps->open) {
        judge_windows(ps, m, &e, ps->cur.window, ps->cur.start, &t, &minute);
        follow(ps, m, x);
        if (t.verdict != RATE_NORMAL) {
            ps->last_elevated = m;
            double score = rate_score(t.tail);
            if (score > ps->cur.peak_score)
                ps->cur.peak_score = score;
        }
        if (minute != RATE_NORMAL)
            ps->last_minute_elevated = m;
        return;
    }
    judge_windows(ps, m, &e, season_scales[SEASON_SCALES - 1], ps->prev_end, &t, &minute);
    if (t.verdict != RATE_UNUSUAL)
        return;
    ps->ref = (e.mean + (double)t.observed / t.window) / 2;
    uint32_t start = onset(ps, m, t.window, ps->ref);
    ps->open = 1;
    ps->cur = (struct insight){
        .key = ps->key, .start = start, .end = m + 1, .closed = 0,
        .direction = DIRECTION_INCREASE, .decided = m, .window = t.window,
        .observed = t.observed, .expected = t.expected, .mean = e.mean,
        .slot = e.slot, .tail = t.tail, .peak_score = rate_score(t.tail),
    };
    ps->last_elevated = m;
    ps->last_minute_elevated = m;
    /* The excess from the start up to m, for the end's change point. */
    ps->cusum = 0;
    ps->cusum_peak = -1e300;
    ps->cusum_minute = start - 1;
    for (uint32_t u = start; u <= m; u++)
        follow(ps, u, count_at(ps, u));
}

static void remember(struct pass *ps, uint32_t m, uint32_t x)
{
    ps->ring_minute[m % RING] = m;
    ps->ring_count[m % RING] = x;
    season_add(&ps->season, m, x);
}

void detect_key(struct detector *dt, const struct agg *a, uint32_t k,
                struct insight_list *out)
{
    const struct agg_key *key = &a->keys[k];
    struct pass *ps = xcalloc(1, sizeof(*ps));
    ps->cfg = dt->cfg;
    ps->decay = dt->decay;
    ps->scope = &a->scopes[key->scope];
    ps->key = k;
    ps->out = out;
    settings(ps, a, key);
    season_init(&ps->season);
    season_exposure_init(&ps->exposure, ps->scope->first_minute);
    gap_init(&ps->gap);
    for (int i = 0; i < RING; i++)
        ps->ring_minute[i] = UINT32_MAX;

    const struct agg_event *ev = a->events + key->first;
    size_t i = 0;
    while (i < key->n) {
        uint32_t m = ev[i].minute, x = 0;
        while (i < key->n && ev[i].minute == m) {
            x++;
            i++;
        }
        uint32_t day = m / MINUTES_PER_DAY;
        season_advance(&ps->season, day, ps->decay);
        season_exposure_advance(&ps->exposure, day, ps->decay);
        silence_until(ps, m);
        remember(ps, m, x);
        judge(ps, m, x);
        int flagged = run_arrived(ps, m);
        gap_activity(&ps->gap, m, flagged);
    }
    /* The scope's data ends after its last minute. */
    silence_until(ps, ps->scope->last_minute + 1);
    if (ps->open) {
        ps->cur.end = increase_end(ps);
        push(ps, &ps->cur);
    }
    if (ps->gap_open) {
        ps->gcur.end = ps->scope->last_minute + 1;
        push(ps, &ps->gcur);
    }
    xfree(ps);
}
