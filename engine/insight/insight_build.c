#include "insight_build.h"

#include "category.h"
#include "model_sketch.h"
#include "strpool.h"
#include "suppress.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void insight_build_free(struct open_rec *o)
{
    if (!o)
        return;
    tally_free(&o->main);
    xfree(o->pending);
    xfree(o);
}

/* ---- attributions -------------------------------------------------------- */

/* The events of key in minute t of sc (the run being stepped, or a closed
 * minute still among the recent ones). */
static void minute_events(const struct stream *s, const struct scope *sc,
                          uint32_t key, uint32_t t, const struct mev **ev, size_t *n)
{
    *ev = NULL;
    *n = 0;
    if (t == s->run_minute && s->run_n && s->run_ev[0].key == key) {
        *ev = s->run_ev;
        *n = s->run_n;
        return;
    }
    const struct bucket *b = &sc->recent[t % DETECT_RECENT];
    if (b->minute != t)
        return;
    /* Sorted by key: find its run. */
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->ev[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < b->n && b->ev[end].key == key)
        end++;
    *ev = b->ev + lo;
    *n = end - lo;
}

static void tally_minutes(const struct stream *s, const struct scope *sc, uint32_t key,
                          uint32_t from, uint32_t to, struct tally *t)
{
    for (uint32_t u = from; u < to; u++) {
        const struct mev *ev;
        size_t n;
        minute_events(s, sc, key, u, &ev, &n);
        for (size_t i = 0; i < n; i++)
            tally_event(t, ev[i].arn, ev[i].agent, ev[i].error);
    }
}

static void attr_from_tally(const struct stream *s, const struct tally *t,
                            double minutes, struct attr_list *out)
{
    struct tally_entry top[ATTR_TOP];
    for (int f = 0; f < TALLY__FIELDS; f++) {
        size_t n = tally_top(t, (enum tally_field)f, s->pool, ATTR_TOP, top);
        out[f].n = n;
        for (size_t i = 0; i < n; i++)
            out[f].v[i] = (struct attr_value){tally_value_str(s->pool, top[i].id),
                                              top[i].count / minutes};
    }
}

struct ranked {
    uint32_t id;
    double count;
};

static int ranked_cmp(const void *pa, const void *pb, void *ctx)
{
    const struct ranked *x = pa, *y = pb;
    return tally_rank(x->count, x->id, y->count, y->id, ctx);
}

/* The key's baseline: its weighted rate, the minutes behind it, and the
 * top values of each attribute. */
static void baseline_of(const struct stream *s, const struct scope *sc,
                        const struct key *k, uint32_t start, struct open_rec *o)
{
    double events, minutes;
    detect_baseline_totals(&k->m, &sc->exposure, &events, &minutes);
    o->base_avg = minutes > 0 ? events / minutes : 0;
    uint32_t window = (uint32_t)s->cfg->window_days * MINUTES_PER_DAY;
    uint32_t from = start > window ? start - window : 0;
    if (from < sc->ds.coverage_start)
        from = sc->ds.coverage_start;
    o->base_minutes = start > from ? start - from : 0;
    for (int f = 0; f < TALLY__FIELDS; f++) {
        uint32_t ids[SKETCH_SIZE];
        double counts[SKETCH_SIZE];
        size_t n = sketch_entries(&k->sk[f], sc->exposure.day, s->run.p.decay, ids, counts);
        struct ranked r[SKETCH_SIZE];
        for (size_t i = 0; i < n; i++)
            r[i] = (struct ranked){ids[i], counts[i]};
        qsort_r(r, n, sizeof(*r), ranked_cmp, s->pool);
        o->base_attr[f].n = n < ATTR_TOP ? n : ATTR_TOP;
        for (size_t i = 0; i < o->base_attr[f].n; i++) {
            o->base_attr[f].id[i] = r[i].id;
            o->base_attr[f].average[i] = minutes > 0 ? r[i].count / minutes : 0;
        }
    }
}

/* The error code a call-rate Insight is about: the one most calls of its
 * window returned, when most of them failed. */
static const char *dominant_error(const struct stream *s, const struct tally *t)
{
    struct tally_entry top[2];
    size_t n = tally_top(t, TALLY_ERROR, s->pool, 2, top);
    uint64_t ok = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].field == TALLY_ERROR && t->v[i].id == 0)
            ok = t->v[i].count;
    if (t->total == 0 || (t->total - ok) * 2 <= t->total)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (top[i].id)
            return str(s, top[i].id);
    return NULL;
}

static void report_init(const struct stream *s, const struct key *k,
                        const struct open_rec *o, enum insight_state state,
                        struct insight_report *r)
{
    memset(r, 0, sizeof(*r));
    r->state = state;
    r->error_rate = k->error_rate;
    r->account = str(s, k->account);
    r->region = str(s, k->region);
    r->source = str(s, k->source);
    r->name = str(s, k->name);
    r->error = k->error_rate ? str(s, k->error) : NULL;
    r->ins = &o->ins;
    r->category = o->category;
    r->baseline_average = o->base_avg;
    r->baseline_minutes = o->base_minutes;
    for (int f = 0; f < TALLY__FIELDS; f++) {
        r->baseline_attr[f].n = o->base_attr[f].n;
        for (size_t i = 0; i < o->base_attr[f].n; i++)
            r->baseline_attr[f].v[i] = (struct attr_value){
                tally_value_str(s->pool, o->base_attr[f].id[i]), o->base_attr[f].average[i]};
    }
}

/* ---- Start and End --------------------------------------------------------- */

void insight_build_start(void *ctx, uint32_t id, const struct insight *ins)
{
    struct stream *s = ctx;
    struct key *k = key_at(s, id);
    struct scope *sc = s->scopes[k->scope];
    struct open_rec *o = xcalloc(1, sizeof(*o));
    o->ins = *ins;
    tally_init(&o->main);
    baseline_of(s, sc, k, ins->start, o);
    /* What the model saw up to its decision: the category's error code and
     * the top principal come from there. */
    tally_clear(&s->scratch);
    tally_minutes(s, sc, id, ins->start, ins->decided + 1, &s->scratch);
    const char *code = k->error_rate ? str(s, k->error) : dominant_error(s, &s->scratch);
    o->category = category_of(s->cfg, ins->direction == DIRECTION_DECREASE,
                              str(s, k->source), str(s, k->name), code);
    struct tally_entry top;
    const char *principal = tally_top(&s->scratch, TALLY_ARN, s->pool, 1, &top)
                                ? tally_value_str(s->pool, top.id) : "null";
    struct insight_report r;
    report_init(s, k, o, STATE_START, &r);
    o->suppressed = suppress_match(s->cfg, &r, principal);
    if (ins->direction == DIRECTION_INCREASE) {
        tally_merge(&o->main, &s->scratch);
        o->cand_end = ins->decided + 1;
        k->open_inc = o;
    } else {
        k->open_gap = o;
    }
    if (o->suppressed) {
        s->stats.suppressed++;
        return;
    }
    s->stats.insights++;
    s->stats.open++;
    /* Start: the first minute. */
    struct tally first;
    tally_init(&first);
    tally_minutes(s, sc, id, ins->start, ins->start + 1, &first);
    r.insight_average = (double)first.total;
    r.insight_minutes = 1;
    attr_from_tally(s, &first, 1, r.insight_attr);
    tally_free(&first);
    s->emit(s->emit_ctx, &r);
}

/* Events of the open increase from pending whose minute is before end
 * join its span. */
static void settle_pending(struct open_rec *o, uint32_t end)
{
    size_t kept = 0;
    for (size_t i = 0; i < o->npending; i++) {
        const struct tev *p = &o->pending[i];
        if (p->minute < end)
            tally_event(&o->main, p->e.arn, p->e.agent, p->e.error);
        else
            o->pending[kept++] = *p;
    }
    o->npending = kept;
    if (end > o->cand_end)
        o->cand_end = end;
}

void insight_build_end(void *ctx, uint32_t id, const struct insight *ins)
{
    struct stream *s = ctx;
    struct key *k = key_at(s, id);
    struct open_rec **slot = ins->direction == DIRECTION_INCREASE ? &k->open_inc : &k->open_gap;
    struct open_rec *o = *slot;
    *slot = NULL;
    if (!o)
        return;
    if (!o->suppressed) {
        settle_pending(o, ins->end);
        o->ins = *ins;
        struct insight_report r;
        report_init(s, k, o, STATE_END, &r);
        double minutes = ins->end > ins->start ? ins->end - ins->start : 1;
        r.insight_average = o->main.total / minutes;
        r.insight_minutes = ins->end - ins->start;
        attr_from_tally(s, &o->main, minutes, r.insight_attr);
        s->stats.open--;
        s->emit(s->emit_ctx, &r);
    }
    insight_build_free(o);
}

void insight_build_follow(struct stream *s, struct key *k, uint32_t t,
                          const struct mev *ev, size_t n)
{
    struct open_rec *o = k->open_inc;
    if (!o || o->ins.decided == t)
        return;
    o->pending = xgrow(o->pending, &o->pending_cap, o->npending + n, sizeof(*o->pending));
    for (size_t i = 0; i < n; i++)
        o->pending[o->npending++] = (struct tev){t, 0, ev[i]};
    settle_pending(o, detect_increase_end(&k->m));
}

