#include "stream.h"

#include "stream_int.h"

#include "detect_config.h"
#include "insight_build.h"
#include "model_sketch.h"
#include "strpool.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- the engine ---------------------------------------------------------- */

struct stream *stream_new(const struct config *c, uint32_t reorder_minutes,
                          stream_emit_fn emit, void *ctx)
{
    struct stream *s = xcalloc(1, sizeof(*s));
    s->cfg = c;
    s->reorder = reorder_minutes;
    s->emit = emit;
    s->emit_ctx = ctx;
    struct detect_params dp;
    detect_params_of(c, &dp);
    detect_run_init(&s->run, &dp, (struct detect_events){insight_build_start, insight_build_end, s});
    s->pool = strpool_new();
    s->key_nslots = 1024;
    s->key_slots = xcalloc(s->key_nslots, sizeof(*s->key_slots));
    s->scope_nslots = 64;
    s->scope_slots = xcalloc(s->scope_nslots, sizeof(*s->scope_slots));
    tally_init(&s->scratch);
    return s;
}

void stream_free(struct stream *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nkeys; i++) {
        struct key *k = key_at(s, (uint32_t)i);
        insight_build_free(k->open_inc);
        insight_build_free(k->open_gap);
    }
    for (size_t i = 0; i < s->nchunks; i++)
        xfree(s->chunks[i]);
    for (size_t i = 0; i < s->nscopes; i++) {
        struct scope *sc = s->scopes[i];
        for (uint32_t b = 0; b < sc->nring; b++) {
            xfree(sc->ring[b].ev);
            idset_free(&sc->ring[b].ids);
        }
        xfree(sc->ring);
        xfree(sc->timers);
        xfree(sc->keys);
        xfree(sc);
    }
    xfree(s->chunks);
    xfree(s->key_slots);
    xfree(s->scopes);
    xfree(s->scope_slots);
    xfree(s->all);
    idset_free(&s->all_ids);
    xfree(s->touched);
    xfree(s->map);
    tally_free(&s->scratch);
    strpool_free(s->pool);
    stream__store_free(s->store);
    xfree(s);
}

/* ---- scopes and keys ------------------------------------------------------ */

static uint64_t hash_ids(const uint32_t *f, size_t n)
{
    return strpool_hash(f, n * sizeof(*f), 7);
}

uint32_t stream__scope_of(struct stream *s, uint32_t account, uint32_t region)
{
    uint32_t f[2] = {account, region};
    size_t mask = s->scope_nslots - 1, i = (size_t)hash_ids(f, 2) & mask;
    while (s->scope_slots[i]) {
        struct scope *sc = s->scopes[s->scope_slots[i] - 1];
        if (sc->account == account && sc->region == region)
            return s->scope_slots[i] - 1;
        i = (i + 1) & mask;
    }
    s->scopes = xgrow(s->scopes, &s->scopes_cap, s->nscopes + 1, sizeof(*s->scopes));
    struct scope *sc = xcalloc(1, sizeof(*sc)); /* never moves: ds points into it */
    s->scopes[s->nscopes] = sc;
    sc->account = account;
    sc->region = region;
    sc->min_seen = sc->max_seen = sc->closed = sc->timers_upto = NONE;
    sc->day = NONE;
    lateness_init(&sc->late);
    sc->lateness = s->learn ? lateness_needed(&sc->late, s->least_lateness, s->reorder)
                            : s->reorder;
    for (uint32_t r = 0; r < DETECT_RECENT; r++)
        sc->recent[r].minute = NONE;
    sc->nring = s->reorder + DETECT_RECENT + 1;
    sc->ring = xcalloc(sc->nring, sizeof(*sc->ring));
    for (uint32_t b = 0; b < sc->nring; b++)
        sc->ring[b].minute = NONE;
    s->scope_slots[i] = (uint32_t)++s->nscopes;
    if (s->nscopes * 2 > s->scope_nslots) {
        s->scope_nslots *= 2;
        xfree(s->scope_slots);
        s->scope_slots = xcalloc(s->scope_nslots, sizeof(*s->scope_slots));
        for (size_t k = 0; k < s->nscopes; k++) {
            uint32_t g[2] = {s->scopes[k]->account, s->scopes[k]->region};
            size_t j = (size_t)hash_ids(g, 2) & (s->scope_nslots - 1);
            while (s->scope_slots[j])
                j = (j + 1) & (s->scope_nslots - 1);
            s->scope_slots[j] = (uint32_t)k + 1;
        }
    }
    return (uint32_t)s->nscopes - 1;
}

static int key_is(const struct key *k, const uint32_t *f)
{
    return k->account == f[0] && k->region == f[1] && k->source == f[2] &&
           k->name == f[3] && k->error == f[4] && k->error_rate == f[5];
}

static size_t key_slot(const struct stream *s, uint32_t hash, const uint32_t *f)
{
    size_t mask = s->key_nslots - 1, i = hash & mask;
    const struct key_slot *t = s->key_slots;
    while (t[i].id && (t[i].hash != hash || !key_is(key_at(s, t[i].id - 1), f)))
        i = (i + 1) & mask;
    return i;
}

static void key_rehash(struct stream *s)
{
    size_t n = s->key_nslots * 2, mask = n - 1;
    struct key_slot *t = xcalloc(n, sizeof(*t));
    for (size_t j = 0; j < s->key_nslots; j++) {
        struct key_slot e = s->key_slots[j];
        if (!e.id)
            continue;
        size_t i = e.hash & mask;
        while (t[i].id)
            i = (i + 1) & mask;
        t[i] = e;
    }
    xfree(s->key_slots);
    s->key_slots = t;
    s->key_nslots = n;
}

/* What the config says of key k: whether an ignore rule drops it, and its
 * settings into set. */
static void key_configure(const struct stream *s, struct key *k,
                          struct detect_settings *set)
{
    const char *type = detect_insight_type(k->error_rate);
    const char *err = k->error ? str(s, k->error) : NULL;
    k->ignored = (uint8_t)config_ignored(s->cfg, str(s, k->account), str(s, k->region),
                                         str(s, k->source), str(s, k->name), err, type);
    detect_settings_for(s->cfg, str(s, k->account), str(s, k->region), str(s, k->source),
                        str(s, k->name), err, k->error_rate, set);
}

static uint32_t key_hash(const uint32_t *f)
{
    return (uint32_t)hash_ids(f, 6);
}

/* stream__key_of, hash being key_hash(f). */
static uint32_t key_of_hashed(struct stream *s, uint32_t scope, const uint32_t *f,
                              uint32_t hash)
{
    size_t i = key_slot(s, hash, f);
    if (s->key_slots[i].id)
        return s->key_slots[i].id - 1;
    if (s->nkeys % KEY_CHUNK == 0) {
        s->chunks = xrealloc(s->chunks, (s->nchunks + 1) * sizeof(*s->chunks));
        s->chunks[s->nchunks++] = xmalloc(KEY_CHUNK * sizeof(struct key));
    }
    uint32_t id = (uint32_t)s->nkeys++;
    struct key *k = key_at(s, id);
    memset(k, 0, sizeof(*k));
    k->account = f[0];
    k->region = f[1];
    k->source = f[2];
    k->name = f[3];
    k->error = f[4];
    k->error_rate = (uint8_t)f[5];
    k->scope = scope;
    k->timer = NONE;
    k->last_event = NONE;
    struct detect_settings set;
    key_configure(s, k, &set);
    detect_model_init(&k->m, &set);
    for (int a = 0; a < TALLY__FIELDS; a++)
        sketch_init(&k->sk[a]);
    k->dirty = 1;
    s->key_slots[i] = (struct key_slot){id + 1, hash};
    if (s->nkeys * 2 > s->key_nslots)
        key_rehash(s);
    struct scope *sc = s->scopes[scope];
    sc->keys = xgrow(sc->keys, &sc->keys_cap, sc->nkeys + 1, sizeof(*sc->keys));
    sc->keys[sc->nkeys++] = id;
    return id;
}

uint32_t stream__key_of(struct stream *s, uint32_t scope, const uint32_t *f)
{
    return key_of_hashed(s, scope, f, key_hash(f));
}

/* ---- timers -------------------------------------------------------------- */

static int timer_less(const struct timer *a, const struct timer *b)
{
    return a->minute < b->minute || (a->minute == b->minute && a->key < b->key);
}

static void timer_push(struct scope *sc, uint32_t minute, uint32_t key)
{
    sc->timers = xgrow(sc->timers, &sc->timers_cap, sc->ntimers + 1, sizeof(*sc->timers));
    size_t i = sc->ntimers++;
    struct timer t = {minute, key};
    while (i > 0 && timer_less(&t, &sc->timers[(i - 1) / 2])) {
        sc->timers[i] = sc->timers[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    sc->timers[i] = t;
}

static struct timer timer_pop(struct scope *sc)
{
    struct timer top = sc->timers[0], last = sc->timers[--sc->ntimers];
    size_t i = 0, n = sc->ntimers;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && timer_less(&sc->timers[c + 1], &sc->timers[c]))
            c++;
        if (!timer_less(&sc->timers[c], &last))
            break;
        sc->timers[i] = sc->timers[c];
        i = c;
    }
    if (n)
        sc->timers[i] = last;
    return top;
}

/* Ask for detect_silence at the key's new timer, after minute `after`
 * (up to which its silence has been judged).  Entries the key no longer
 * wants stay in the heap and are passed over when they come up. */
static void reschedule(struct stream *s, struct scope *sc, uint32_t id, struct key *k,
                       uint32_t after)
{
    uint32_t t = detect_timer(&s->run, &k->m, after);
    if (t == k->timer)
        return;
    k->timer = t;
    if (t != NONE)
        timer_push(sc, t, id);
}

/* ---- closing minutes ---------------------------------------------------------- */

static int mev_cmp(const void *pa, const void *pb)
{
    const struct mev *x = pa, *y = pb;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Ask for the n bytes at p ahead of their use: with many keys, each key a
 * minute reaches is a cache miss per line it touches, and the next key is
 * known while this one is worked on. */
static inline void prefetch_lines(const void *p, size_t n)
{
    for (size_t o = 0; o < n; o += 64)
        __builtin_prefetch((const char *)p + o);
}

/* The baseline top values of each key active in the minute leaving the
 * recent window take its events, in an order that does not depend on the
 * input's: by count, then by string. */
static void fold_attributes(struct stream *s, const struct bucket *b)
{
    size_t i = 0;
    while (i < b->n) {
        uint32_t id = b->ev[i].key;
        size_t j = i;
        tally_clear(&s->scratch);
        for (; j < b->n && b->ev[j].key == id; j++)
            tally_event(&s->scratch, b->ev[j].arn, b->ev[j].agent, b->ev[j].error);
        if (j < b->n)
            prefetch_lines(key_at(s, b->ev[j].key)->sk, sizeof(key_at(s, 0)->sk));
        struct key *k = key_at(s, id);
        k->dirty = 1;
        for (int f = 0; f < TALLY__FIELDS; f++) {
            struct tally_entry top[SKETCH_SIZE * 2];
            size_t n = tally_top(&s->scratch, (enum tally_field)f, s->pool,
                                 SKETCH_SIZE * 2, top);
            for (size_t q = n; q-- > 0;)
                sketch_add(&k->sk[f], top[q].id, (uint32_t)top[q].count, b->minute,
                           s->run.p.decay);
        }
        i = j;
    }
}

/* Keys active in the trailing baseline window share the false-alarm
 * budget; counted at the start of each day. */
static void count_active(struct stream *s, struct scope *sc, uint32_t t)
{
    uint32_t day = t / MINUTES_PER_DAY;
    if (day == sc->day)
        return;
    sc->day = day;
    uint32_t window = (uint32_t)s->cfg->window_days * MINUTES_PER_DAY;
    uint32_t since = t > window ? t - window : 0;
    uint32_t n = 0;
    for (size_t i = 0; i < sc->nkeys; i++) {
        const struct key *k = key_at(s, sc->keys[i]);
        n += k->last_event != NONE && k->last_event >= since;
    }
    sc->ds.active_keys = n;
}

/* Timers due by minute upto: the silence until minute `at` (>= upto)
 * ends what it ends. */
static void fire_timers(struct stream *s, struct scope *sc, uint32_t upto, uint32_t at)
{
    while (sc->ntimers && sc->timers[0].minute <= upto) {
        struct timer t = timer_pop(sc);
        struct key *k = key_at(s, t.key);
        if (k->timer != t.minute)
            continue; /* superseded */
        k->timer = NONE;
        k->dirty = 1;
        detect_silence(&s->run, &sc->ds, &k->m, t.key, at);
        reschedule(s, sc, t.key, k, at);
    }
}

/* Close minute t of sc: its events (sorted by key) are ev[0..n). */
static void close_minute(struct stream *s, struct scope *sc, uint32_t t,
                         struct mev *ev, size_t n)
{
    if (sc->closed == NONE) {
        sc->ds.coverage_start = sc->min_seen;
        season_exposure_init(&sc->exposure, sc->min_seen, s->run.p.decay);
        sc->ds.exposure = &sc->exposure;
    }
    /* Minutes leaving the recent window join the baselines. */
    if (t + 1 >= DETECT_RECENT)
        season_exposure_advance(&sc->exposure, t + 1 - DETECT_RECENT);
    struct bucket *old = &sc->recent[t % DETECT_RECENT];
    if (old->minute != NONE && old->n)
        fold_attributes(s, old);
    count_active(s, sc, t);
    fire_timers(s, sc, t < sc->timers_upto ? t : sc->timers_upto, t);
    size_t i = 0;
    while (i < n) {
        uint32_t id = ev[i].key;
        size_t j = i;
        while (j < n && ev[j].key == id)
            j++;
        if (j < n)
            prefetch_lines(key_at(s, ev[j].key), sizeof(struct key));
        struct key *k = key_at(s, id);
        s->run_ev = ev + i;
        s->run_n = j - i;
        s->run_minute = t;
        detect_step(&s->run, &sc->ds, &k->m, id, t, (uint32_t)(j - i));
        k->last_event = t;
        k->dirty = 1;
        if (k->open_inc)
            insight_build_follow(s, k, t, ev + i, j - i);
        reschedule(s, sc, id, k, t);
        i = j;
    }
    s->run_n = 0;
    s->run_minute = NONE;
    *old = (struct bucket){.minute = t, .ev = ev, .n = n};
    sc->closed = t;
    sc->dirty = 1;
}

/* Close sc's minutes up to w (its watermark). */
static void advance(struct stream *s, struct scope *sc, uint32_t w)
{
    if (sc->min_seen == NONE || w < sc->min_seen)
        return;
    uint32_t t = sc->closed == NONE ? sc->min_seen : sc->closed + 1;
    for (; t <= w; t++) {
        struct bucket *b = &sc->ring[t % sc->nring];
        /* A minute in which nothing happens (no events, none leaving the
         * recent window, no timer, no new day) is passed over; the
         * exposure catches up at the next one that is closed. */
        if (!(b->minute == t && b->n) && sc->closed != NONE &&
            t / MINUTES_PER_DAY == sc->day && sc->recent[t % DETECT_RECENT].n == 0 &&
            (sc->ntimers == 0 || sc->timers[0].minute > t)) {
            sc->closed = t;
            sc->dirty = 1;
            continue;
        }
        if (b->minute == t && b->n) {
            qsort(b->ev, b->n, sizeof(*b->ev), mev_cmp);
            close_minute(s, sc, t, b->ev, b->n);
        } else {
            close_minute(s, sc, t, NULL, 0);
        }
    }
}

/* ---- events in ---------------------------------------------------------------- */

struct bucket *stream__bucket(struct scope *sc, uint32_t minute)
{
    struct bucket *b = &sc->ring[minute % sc->nring];
    if (b->minute != minute) {
        b->minute = minute;
        b->n = 0;
        idset_clear(&b->ids);
    }
    return b;
}

/* Put counted event e in its minute's bucket (the minute is open). */
static void put(struct scope *sc, uint32_t minute, const struct mev *e)
{
    struct bucket *b = stream__bucket(sc, minute);
    b->ev = xgrow(b->ev, &b->cap, b->n + 1, sizeof(*b->ev));
    b->ev[b->n++] = *e;
}

/* Whether a minute of sc can no longer take events: it is closed, or it
 * is older than the reorder window below the newest (in time order it
 * would have been closed by now). */
static int is_late(const struct stream *s, const struct scope *sc, uint32_t minute)
{
    return (sc->closed != NONE && minute <= sc->closed) ||
           (sc->max_seen != NONE && minute + s->reorder < sc->max_seen);
}

/* sc is among the scopes whose watermark moves at the end of the batch. */
static void touch(struct stream *s, struct scope *sc, uint32_t id)
{
    if (sc->touched)
        return;
    sc->touched = 1;
    sc->batch_newest = sc->max_seen;
    s->touched = xgrow(s->touched, &s->touched_cap, s->ntouched + 1, sizeof(*s->touched));
    s->touched[s->ntouched++] = id;
}

/* A valid record of scope at minute: its lateness is learned (unless
 * events come again), then coverage.  The open minutes never span more
 * than the reorder window: a newer minute closes the oldest at once.
 * Returns 1 when the minute can no longer take events. */
static int see(struct stream *s, uint32_t scope, uint32_t minute)
{
    struct scope *sc = s->scopes[scope];
    touch(s, sc, scope);
    if (!s->replaying) {
        uint32_t ref = sc->batch_newest;
        if (ref == NONE || ref < minute)
            lateness_add(&sc->late, 0, minute);
        else
            lateness_add(&sc->late, ref - minute, ref);
    }
    if (is_late(s, sc, minute))
        return 1;
    sc->dirty = 1;
    if (sc->min_seen == NONE || minute < sc->min_seen)
        sc->min_seen = minute;
    if (sc->max_seen == NONE || minute > sc->max_seen) {
        sc->max_seen = minute;
        if (minute > s->reorder)
            advance(s, sc, minute - s->reorder - 1);
    }
    return 0;
}

void stream__advance_touched(struct stream *s)
{
    for (size_t i = 0; i < s->ntouched; i++) {
        struct scope *sc = s->scopes[s->touched[i]];
        sc->touched = 0;
        if (s->learn)
            sc->lateness = lateness_needed(&sc->late, s->least_lateness, s->reorder);
        if (sc->max_seen != NONE && sc->max_seen >= sc->lateness)
            advance(s, sc, sc->max_seen - sc->lateness);
    }
    s->ntouched = 0;
}

int stream__deliver(struct stream *s, uint32_t scope, uint32_t minute, const struct mev *e)
{
    if (s->buffering) {
        s->all = xgrow(s->all, &s->all_cap, s->nall + 1, sizeof(*s->all));
        s->all[s->nall++] = (struct tev){minute, scope, *e};
        return 0;
    }
    if (see(s, scope, minute))
        return 1;
    if (e->key != NONE)
        put(s->scopes[scope], minute, e);
    return 0;
}

/* Whether the counted record with eventID id, of scope at minute, was
 * counted before (it is noted as counted now).  Only its minute's records
 * are looked at: a copy has its original's eventTime.  A closed minute
 * whose bucket has left the ring cannot tell. */
static int seen_before(struct stream *s, uint32_t scope, uint32_t minute, uint64_t id)
{
    if (s->buffering)
        return !idset_add(&s->all_ids, scope, id ^ (uint64_t)minute * 0x9e3779b97f4a7c15ULL);
    struct scope *sc = s->scopes[scope];
    struct bucket *b = &sc->ring[minute % sc->nring];
    if (b->minute != minute) {
        if (is_late(s, sc, minute))
            return 0;
        b = stream__bucket(sc, minute);
    }
    return !idset_add(&b->ids, 0, id);
}

/* A counted event of key id, for a minute of sc already decided: it joins
 * the key's counts (and so its baseline), and a periodic key's run it is
 * ends what its absence started. */
static void fold_late(struct stream *s, struct scope *sc, uint32_t id, struct key *k,
                      uint32_t minute)
{
    detect_late(&s->run, &k->m, id, minute);
    if (k->last_event == NONE || minute > k->last_event)
        k->last_event = minute;
    reschedule(s, sc, id, k, sc->closed);
}

/* The call-rate key fields of event e (its error-rate key shares the
 * first four). */
static void call_fields(const struct stream *s, const struct evbatch_event *e,
                        uint32_t *f)
{
    f[0] = s->map[e->str[EVF_ACCOUNT]];
    f[1] = s->map[e->str[EVF_REGION]];
    f[2] = s->map[e->str[EVF_SOURCE]];
    f[3] = s->map[e->str[EVF_NAME]];
    f[4] = f[5] = 0;
}

/* With many keys, each event's key is a cache miss twice over (its hash
 * slot, then its state): the batch is known ahead, so the slot of the
 * event PREFETCH_SLOT ahead and the key of the one PREFETCH_KEY ahead are
 * fetched while this one is worked on.  The call-rate keys' hashes are
 * kept in a ring of twice PREFETCH_SLOT, so an event's is still there when
 * its turn comes. */
#define PREFETCH_SLOT 16u
#define PREFETCH_KEY 8u
#define PREFETCH_RING (2 * PREFETCH_SLOT)

static void prefetch_slot(const struct stream *s, const struct evbatch *b,
                          size_t i, uint32_t *hash)
{
    uint32_t f[6];
    if (i >= b->n || !(b->ev[i].flags & EV_CALL))
        return;
    call_fields(s, &b->ev[i], f);
    hash[i % PREFETCH_RING] = key_hash(f);
    __builtin_prefetch(&s->key_slots[hash[i % PREFETCH_RING] & (s->key_nslots - 1)]);
}

static void prefetch_key(const struct stream *s, const struct evbatch *b,
                         size_t i, const uint32_t *hash)
{
    if (i >= b->n || !(b->ev[i].flags & EV_CALL))
        return;
    uint32_t slot = s->key_slots[hash[i % PREFETCH_RING] & (s->key_nslots - 1)].id;
    if (slot)
        __builtin_prefetch(key_at(s, slot - 1));
}

size_t stream_add_batch(struct stream *s, const struct evbatch *b, struct diag *d)
{
    uint32_t hash[PREFETCH_RING];
    size_t late = 0;
    s->map = xgrow(s->map, &s->map_cap, b->nstrs + 1, sizeof(*s->map));
    s->map[0] = 0;
    for (size_t i = 1; i < b->nstrs; i++)
        s->map[i] = strpool_intern_hashed(s->pool, b->text + b->strs[i].off,
                                          b->strs[i].len, b->strs[i].hash);
    for (size_t i = 0; i < PREFETCH_SLOT; i++)
        prefetch_slot(s, b, i, hash);
    for (size_t i = 0; i < b->n; i++) {
        prefetch_key(s, b, i + PREFETCH_KEY, hash);
        prefetch_slot(s, b, i + PREFETCH_SLOT, hash);
        const struct evbatch_event *e = &b->ev[i];
        uint32_t f[6];
        call_fields(s, e, f);
        uint32_t scope = stream__scope_of(s, f[0], f[1]);
        struct mev ev = {NONE, s->map[e->str[EVF_ARN]], s->map[e->str[EVF_AGENT]],
                         s->map[e->str[EVF_ERROR]]};
        if (!e->flags) {
            stream__deliver(s, scope, e->minute, &ev);
            continue;
        }
        /* When is the record's minute (once for its call and error
         * events); buffering, every event waits whatever its minute. */
        int in_late = !s->buffering && see(s, scope, e->minute);
        if (e->id && seen_before(s, scope, e->minute, e->id)) {
            d->duplicates++;
            continue;
        }
        for (int type = 0; type < 2; type++) {
            if (!(e->flags & (type ? EV_ERROR : EV_CALL)) ||
                !(type ? s->cfg->error_rate : s->cfg->call_rate))
                continue;
            f[4] = type ? ev.error : 0;
            f[5] = (uint32_t)type;
            ev.key = type ? stream__key_of(s, scope, f)
                          : key_of_hashed(s, scope, f, hash[i % PREFETCH_RING]);
            struct key *k = key_at(s, ev.key);
            if (k->ignored) {
                d->ignored[IGNORE_RULE]++;
                if (s->buffering) { /* still tells the coverage */
                    struct mev cov = {NONE, 0, 0, 0};
                    stream__deliver(s, scope, e->minute, &cov);
                }
                continue;
            }
            if (in_late) {
                late++;
                d->late++;
                fold_late(s, s->scopes[scope], ev.key, k, e->minute);
            } else if (s->buffering) {
                stream__deliver(s, scope, e->minute, &ev);
            } else {
                put(s->scopes[scope], e->minute, &ev);
            }
            k->count++;
            k->dirty = 1;
            if (type)
                d->counted_errors++;
            else
                d->counted_calls++;
        }
    }
    stream__advance_touched(s);
    return late;
}

void stream_buffer_all(struct stream *s)
{
    s->buffering = 1;
}

void stream_learn_lateness(struct stream *s, uint32_t least)
{
    s->learn = 1;
    s->least_lateness = least < s->reorder ? least : s->reorder;
    for (size_t i = 0; i < s->nscopes; i++)
        s->scopes[i]->lateness =
            lateness_needed(&s->scopes[i]->late, s->least_lateness, s->reorder);
}

static int tev_cmp(const void *pa, const void *pb)
{
    const struct tev *x = pa, *y = pb;
    return x->minute < y->minute ? -1 : x->minute > y->minute;
}

void stream_settle(struct stream *s)
{
    if (!s->buffering)
        return;
    s->buffering = 0;
    if (s->nall)
        qsort(s->all, s->nall, sizeof(*s->all), tev_cmp);
    s->replaying = 1;
    for (size_t i = 0; i < s->nall; i++)
        stream__deliver(s, s->all[i].scope, s->all[i].minute, &s->all[i].e);
    stream__advance_touched(s);
    s->replaying = 0;
    xfree(s->all);
    s->all = NULL;
    s->nall = s->all_cap = 0;
    idset_free(&s->all_ids);
}

void stream_finish(struct stream *s)
{
    if (s->finished)
        return;
    stream_settle(s);
    s->finished = 1;
    for (size_t q = 0; q < s->nscopes; q++) {
        struct scope *sc = s->scopes[q];
        if (sc->min_seen == NONE)
            continue;
        /* The scope's data ends after its last minute, but its last
         * minutes may still take events: silence there decides nothing
         * yet — a run due that has not come is not a gap, an increase not
         * over (tail would not decide them either; a state file keeps the
         * timers for the next run). */
        uint32_t hold = lateness_needed(&sc->late, (uint32_t)s->cfg->tail_min_lateness,
                                        (uint32_t)s->cfg->tail_max_lateness);
        sc->timers_upto = sc->max_seen + 1 > hold ? sc->max_seen + 1 - hold : 0;
        advance(s, sc, sc->max_seen);
        fire_timers(s, sc, sc->timers_upto, sc->max_seen + 1);
    }
}

void stream_reconfigure(struct stream *s)
{
    struct detect_params dp;
    detect_params_of(s->cfg, &dp);
    detect_run_init(&s->run, &dp, s->run.events);
    for (size_t i = 0; i < s->nkeys; i++) {
        struct key *k = key_at(s, (uint32_t)i);
        key_configure(s, k, &k->m.set);
        k->dirty = 1;
    }
}

void stream_get_stats(const struct stream *s, struct stream_stats *out)
{
    *out = s->stats;
    out->keys = s->nkeys;
    out->lateness_least = out->decided_oldest = NONE;
    out->lateness_most = out->decided_newest = 0;
    out->scopes = 0;
    for (size_t i = 0; i < s->nscopes; i++) {
        const struct scope *sc = s->scopes[i];
        if (sc->max_seen == NONE)
            continue;
        out->scopes++;
        if (sc->lateness < out->lateness_least)
            out->lateness_least = sc->lateness;
        if (sc->lateness > out->lateness_most)
            out->lateness_most = sc->lateness;
        if (sc->closed == NONE || sc->closed < out->decided_oldest)
            out->decided_oldest = sc->closed;
        if (sc->closed != NONE && sc->closed > out->decided_newest)
            out->decided_newest = sc->closed;
    }
    if (!out->scopes)
        out->lateness_most = out->decided_newest = NONE;
}

void stream_each_key(const struct stream *s, stream_key_fn fn, void *ctx)
{
    for (size_t i = 0; i < s->nkeys; i++) {
        const struct key *k = key_at(s, (uint32_t)i);
        if (!k->count)
            continue;
        struct stream_key_info info = {k->error_rate, str(s, k->account),
                                       str(s, k->region), str(s, k->source),
                                       str(s, k->name),
                                       k->error_rate ? str(s, k->error) : NULL,
                                       k->count};
        fn(ctx, &info);
    }
}
