#include "detect.h"

#include "xalloc.h"

#include <string.h>

void detector_init(struct detector *dt, const struct config *c)
{
    dt->cfg = c;
    dt->params = (struct rate_params){c->alpha_start, c->alpha_end,
                                      c->min_count, c->min_ratio};
    rate_history_init(&dt->hist, (uint32_t)c->window_days);
}

void detector_free(struct detector *dt)
{
    rate_history_free(&dt->hist);
}

void insight_list_free(struct insight_list *l)
{
    xfree(l->v);
    memset(l, 0, sizeof(*l));
}

/* The state of one key's pass. */
struct pass {
    struct detector *dt;
    const struct agg_scope *scope;
    uint32_t key;
    uint32_t day;              /* day of the cached baseline */
    struct rate_baseline base;
    int open;
    struct insight cur;
    uint32_t last_elevated;    /* last minute that kept cur going */
    struct insight_list *out;
};

static void push(struct pass *ps, int closed)
{
    struct insight_list *l = ps->out;
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    ps->cur.closed = closed;
    ps->cur.end = ps->last_elevated + 1;
    l->v[l->n++] = ps->cur;
    ps->open = 0;
}

/* Normal (zero) minutes pass until minute m: close an open Insight whose
 * quiet run reached end_after_minutes before m. */
static void quiet_until(struct pass *ps, uint32_t m)
{
    uint32_t need = (uint32_t)ps->dt->cfg->end_after_minutes;
    if (ps->open && m > ps->last_elevated + need)
        push(ps, 1);
}

static void judge(struct pass *ps, uint32_t m, uint32_t x)
{
    const struct config *c = ps->dt->cfg;
    uint32_t day = m / MINUTES_PER_DAY;
    if (day != ps->day) {
        rate_history_baseline(&ps->dt->hist, day, ps->scope->first_minute, &ps->base);
        ps->day = day;
    }
    uint32_t history = m - ps->scope->first_minute;
    if (history < (uint32_t)c->min_history_days * MINUTES_PER_DAY)
        return;
    double tail;
    enum rate_verdict v = rate_judge(&ps->dt->params, &ps->base, x, &tail);
    double score = rate_score(tail);
    if (ps->open) {
        if (v != RATE_NORMAL) {
            ps->last_elevated = m;
            if (score > ps->cur.peak_score)
                ps->cur.peak_score = score;
        }
        return;
    }
    if (v == RATE_UNUSUAL) {
        ps->open = 1;
        ps->cur = (struct insight){ps->key, m, m + 1, 0, x, ps->base.mean, tail, score};
        ps->last_elevated = m;
    }
}

void detect_key(struct detector *dt, const struct agg *a, uint32_t k,
                struct insight_list *out)
{
    const struct agg_key *key = &a->keys[k];
    struct pass ps = {dt, &a->scopes[key->scope], k, UINT32_MAX, {0, 0, 0},
                      0, {0}, 0, out};
    rate_history_reset(&dt->hist);
    const struct agg_event *ev = a->events + key->first;
    size_t i = 0;
    while (i < key->n) {
        uint32_t m = ev[i].minute, x = 0;
        while (i < key->n && ev[i].minute == m) {
            x++;
            i++;
        }
        quiet_until(&ps, m);
        judge(&ps, m, x);
        rate_history_add(&dt->hist, m / MINUTES_PER_DAY, x);
    }
    /* The scope's data ends after its last minute. */
    quiet_until(&ps, ps.scope->last_minute + 1);
    if (ps.open)
        push(&ps, 0);
}
