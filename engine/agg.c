#include "agg.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct agg *agg_new(const struct config *c)
{
    struct agg *a = xcalloc(1, sizeof(*a));
    a->cfg = c;
    a->pool = strpool_new();
    a->key_nslots = 1024;
    a->key_slots = xcalloc(a->key_nslots, sizeof(*a->key_slots));
    a->scope_nslots = 64;
    a->scope_slots = xcalloc(a->scope_nslots, sizeof(*a->scope_slots));
    a->first_minute = UINT32_MAX;
    return a;
}

void agg_free(struct agg *a)
{
    if (!a)
        return;
    strpool_free(a->pool);
    xfree(a->keys);
    xfree(a->events);
    xfree(a->scopes);
    xfree(a->key_slots);
    xfree(a->scope_slots);
    xfree(a);
}

const char *agg_str(const struct agg *a, uint32_t id)
{
    return strpool_str(a->pool, id);
}

static uint64_t key_hash(const struct agg_key *k)
{
    uint32_t f[6] = {k->account, k->region, k->source, k->name, k->error,
                     (uint32_t)k->type};
    return strpool_hash(f, sizeof(f), 7);
}

static int key_same(const struct agg_key *x, const struct agg_key *y)
{
    return x->account == y->account && x->region == y->region &&
           x->source == y->source && x->name == y->name &&
           x->error == y->error && x->type == y->type;
}

/* Open-addressing slot of k in slots (entries are key index + 1). */
static size_t key_slot(const struct agg *a, const uint32_t *slots,
                       size_t nslots, const struct agg_key *k)
{
    size_t mask = nslots - 1, i = (size_t)key_hash(k) & mask;
    while (slots[i] && !key_same(&a->keys[slots[i] - 1], k))
        i = (i + 1) & mask;
    return i;
}

static void key_rehash(struct agg *a)
{
    size_t n = a->key_nslots * 2;
    uint32_t *slots = xcalloc(n, sizeof(*slots));
    for (size_t i = 0; i < a->nkeys; i++)
        slots[key_slot(a, slots, n, &a->keys[i])] = (uint32_t)i + 1;
    xfree(a->key_slots);
    a->key_slots = slots;
    a->key_nslots = n;
}

static uint32_t scope_of(struct agg *a, uint32_t account, uint32_t region)
{
    size_t mask = a->scope_nslots - 1;
    uint32_t f[2] = {account, region};
    size_t i = (size_t)strpool_hash(f, sizeof(f), 3) & mask;
    while (a->scope_slots[i]) {
        struct agg_scope *s = &a->scopes[a->scope_slots[i] - 1];
        if (s->account == account && s->region == region)
            return a->scope_slots[i] - 1;
        i = (i + 1) & mask;
    }
    a->scopes = xgrow(a->scopes, &a->scopes_cap, a->nscopes + 1, sizeof(*a->scopes));
    a->scopes[a->nscopes] = (struct agg_scope){account, region, UINT32_MAX, 0, 0};
    a->scope_slots[i] = (uint32_t)++a->nscopes;
    if (a->nscopes * 2 > a->scope_nslots) {
        a->scope_nslots *= 2;
        xfree(a->scope_slots);
        a->scope_slots = xcalloc(a->scope_nslots, sizeof(*a->scope_slots));
        for (size_t s = 0; s < a->nscopes; s++) {
            uint32_t g[2] = {a->scopes[s].account, a->scopes[s].region};
            size_t j = (size_t)strpool_hash(g, sizeof(g), 3) & (a->scope_nslots - 1);
            while (a->scope_slots[j])
                j = (j + 1) & (a->scope_nslots - 1);
            a->scope_slots[j] = (uint32_t)s + 1;
        }
    }
    return (uint32_t)a->nscopes - 1;
}

static uint32_t key_of(struct agg *a, struct agg_key *k)
{
    size_t i = key_slot(a, a->key_slots, a->key_nslots, k);
    if (a->key_slots[i])
        return a->key_slots[i] - 1;
    const char *type = k->type == INSIGHT_CALL_RATE ? "ApiCallRateInsight"
                                                    : "ApiErrorRateInsight";
    k->ignored = config_ignored(a->cfg, agg_str(a, k->account),
                                agg_str(a, k->region), agg_str(a, k->source),
                                agg_str(a, k->name), agg_str(a, k->error), type);
    a->keys = xgrow(a->keys, &a->keys_cap, a->nkeys + 1, sizeof(*a->keys));
    a->keys[a->nkeys] = *k;
    a->key_slots[i] = (uint32_t)++a->nkeys;
    if (a->nkeys * 2 > a->key_nslots)
        key_rehash(a);
    return (uint32_t)a->nkeys - 1;
}

static void add_event(struct agg *a, struct agg_key *k, const struct agg_event *proto,
                      struct diag *d)
{
    uint32_t id = key_of(a, k);
    if (a->keys[id].ignored) {
        d->ignored[IGNORE_RULE]++;
        return;
    }
    a->events = xgrow(a->events, &a->events_cap, a->nevents + 1, sizeof(*a->events));
    a->events[a->nevents] = *proto;
    a->events[a->nevents].key = id;
    a->nevents++;
}

/* One valid record, its strings already interned (source and name 0 for
 * a coverage-only record, flags 0). */
static void add_interned(struct agg *a, uint32_t minute, const uint32_t *id,
                         unsigned flags, struct diag *d)
{
    uint32_t scope = scope_of(a, id[EVF_ACCOUNT], id[EVF_REGION]);
    struct agg_scope *s = &a->scopes[scope];
    if (minute < s->first_minute)
        s->first_minute = minute;
    if (minute > s->last_minute)
        s->last_minute = minute;
    if (minute < a->first_minute)
        a->first_minute = minute;
    if (minute > a->last_minute)
        a->last_minute = minute;
    if (!flags)
        return;
    struct agg_event ev = {0, minute, id[EVF_ARN], id[EVF_AGENT], id[EVF_ERROR]};
    struct agg_key k = {id[EVF_ACCOUNT], id[EVF_REGION], id[EVF_SOURCE],
                        id[EVF_NAME], 0, scope, INSIGHT_CALL_RATE, 0, 0, 0};
    if ((flags & EV_CALL) && a->cfg->call_rate) {
        add_event(a, &k, &ev, d);
        d->counted_calls++;
    }
    if ((flags & EV_ERROR) && a->cfg->error_rate) {
        k.error = ev.error;
        k.type = INSIGHT_ERROR_RATE;
        add_event(a, &k, &ev, d);
        d->counted_errors++;
    }
}

void agg_add_batch(struct agg *a, const struct evbatch *b, struct diag *d)
{
    uint32_t *map = xmalloc((b->nstrs ? b->nstrs : 1) * sizeof(*map));
    map[0] = 0;
    for (size_t i = 1; i < b->nstrs; i++)
        map[i] = strpool_intern_hashed(a->pool, b->text + b->strs[i].off,
                                       b->strs[i].len, b->strs[i].hash);
    for (size_t i = 0; i < b->n; i++) {
        const struct evbatch_event *e = &b->ev[i];
        uint32_t id[EVF__COUNT];
        for (int f = 0; f < EVF__COUNT; f++)
            id[f] = map[e->str[f]];
        add_interned(a, e->minute, id, e->flags, d);
    }
    xfree(map);
}

static int event_cmp(const void *pa, const void *pb)
{
    const struct agg_event *x = pa, *y = pb;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    if (x->arn != y->arn)
        return x->arn < y->arn ? -1 : 1;
    if (x->agent != y->agent)
        return x->agent < y->agent ? -1 : 1;
    return x->error < y->error ? -1 : x->error > y->error;
}

void agg_finish(struct agg *a)
{
    qsort(a->events, a->nevents, sizeof(*a->events), event_cmp);
    for (size_t i = 0; i < a->nkeys; i++)
        a->keys[i].n = 0;
    for (size_t i = 0; i < a->nscopes; i++)
        a->scopes[i].nkeys = 0;
    for (size_t i = 0; i < a->nevents; i++) {
        struct agg_key *k = &a->keys[a->events[i].key];
        if (k->n++ == 0) {
            k->first = i;
            a->scopes[k->scope].nkeys++;
        }
    }
}

static int str_cmp(const struct agg *a, uint32_t x, uint32_t y)
{
    if (x == y)
        return 0;
    if (!x || !y)
        return x ? 1 : -1;
    return strcmp(agg_str(a, x), agg_str(a, y));
}

int agg_key_cmp(const struct agg *a, const struct agg_key *x,
                const struct agg_key *y)
{
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    const uint32_t fx[5] = {x->account, x->region, x->source, x->name, x->error};
    const uint32_t fy[5] = {y->account, y->region, y->source, y->name, y->error};
    for (int i = 0; i < 5; i++) {
        int c = str_cmp(a, fx[i], fy[i]);
        if (c)
            return c;
    }
    return 0;
}

size_t agg_lower_bound(const struct agg *a, const struct agg_key *k, uint32_t m)
{
    const struct agg_event *ev = a->events + k->first;
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].minute < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t field_of(const struct agg_event *e, enum agg_field f)
{
    return f == AGG_ARN ? e->arn : f == AGG_AGENT ? e->agent : e->error;
}

static int u32_cmp(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    return x < y ? -1 : x > y;
}

static int tally_cmp(const void *pa, const void *pb, void *ctx)
{
    const struct agg_tally *x = pa, *y = pb;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return str_cmp(ctx, x->id, y->id);
}

size_t agg_tally(const struct agg *a, const struct agg_key *k, uint32_t from,
                 uint32_t to, enum agg_field f, struct agg_tally **out)
{
    const struct agg_event *ev = a->events + k->first;
    size_t lo = agg_lower_bound(a, k, from), hi = agg_lower_bound(a, k, to);
    size_t n = hi > lo ? hi - lo : 0, nt = 0;
    uint32_t *ids = xmalloc((n ? n : 1) * sizeof(*ids));
    struct agg_tally *t = xmalloc((n ? n : 1) * sizeof(*t));
    for (size_t i = 0; i < n; i++)
        ids[i] = field_of(&ev[lo + i], f);
    qsort(ids, n, sizeof(*ids), u32_cmp);
    for (size_t i = 0; i < n; i++) {
        if (nt && t[nt - 1].id == ids[i])
            t[nt - 1].count++;
        else
            t[nt++] = (struct agg_tally){ids[i], 1};
    }
    qsort_r(t, nt, sizeof(*t), tally_cmp, (void *)a);
    xfree(ids);
    *out = t;
    return nt;
}
