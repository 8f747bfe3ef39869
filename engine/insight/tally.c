#include "tally.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void tally_init(struct tally *t)
{
    memset(t, 0, sizeof(*t));
}

void tally_free(struct tally *t)
{
    xfree(t->v);
    xfree(t->slots);
    memset(t, 0, sizeof(*t));
}

void tally_clear(struct tally *t)
{
    t->n = 0;
    t->total = 0;
    if (t->slots)
        memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

static size_t slot_of(const struct tally *t, uint32_t field, uint32_t id)
{
    uint64_t h = ((uint64_t)field << 32 | id) * 0x9e3779b97f4a7c15ULL;
    size_t mask = t->nslots - 1, i = (size_t)(h >> 32) & mask;
    while (t->slots[i]) {
        const struct tally_entry *e = &t->v[t->slots[i] - 1];
        if (e->field == field && e->id == id)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

void tally_add(struct tally *t, uint32_t field, uint32_t id, uint64_t n)
{
    if ((t->n + 1) * 2 > t->nslots) {
        xfree(t->slots);
        t->nslots = t->nslots ? t->nslots * 2 : 16;
        t->slots = xcalloc(t->nslots, sizeof(*t->slots));
        for (size_t k = 0; k < t->n; k++)
            t->slots[slot_of(t, t->v[k].field, t->v[k].id)] = (uint32_t)k + 1;
    }
    size_t i = slot_of(t, field, id);
    if (t->slots[i]) {
        t->v[t->slots[i] - 1].count += n;
        return;
    }
    t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
    t->v[t->n] = (struct tally_entry){field, id, n};
    t->slots[i] = (uint32_t)++t->n;
}

void tally_event(struct tally *t, uint32_t arn, uint32_t agent, uint32_t error)
{
    tally_add(t, TALLY_ARN, arn, 1);
    tally_add(t, TALLY_AGENT, agent, 1);
    tally_add(t, TALLY_ERROR, error, 1);
    t->total++;
}

void tally_merge(struct tally *into, const struct tally *from)
{
    for (size_t i = 0; i < from->n; i++)
        tally_add(into, from->v[i].field, from->v[i].id, from->v[i].count);
    into->total += from->total;
}

const char *tally_value_str(const struct strpool *pool, uint32_t id)
{
    return id ? strpool_str(pool, id) : "null";
}

int tally_rank(double cx, uint32_t x, double cy, uint32_t y,
               const struct strpool *pool)
{
    if (cx != cy)
        return cx > cy ? -1 : 1;
    if (x == y)
        return 0;
    return strcmp(tally_value_str(pool, x), tally_value_str(pool, y));
}

static int rank_cmp(const void *pa, const void *pb, void *ctx)
{
    const struct tally_entry *a = pa, *b = pb;
    return tally_rank((double)a->count, a->id, (double)b->count, b->id, ctx);
}

size_t tally_top(const struct tally *t, enum tally_field field,
                 const struct strpool *pool, size_t max, struct tally_entry *out)
{
    struct tally_entry *all = xmalloc((t->n ? t->n : 1) * sizeof(*all));
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].field == (uint32_t)field)
            all[n++] = t->v[i];
    qsort_r(all, n, sizeof(*all), rank_cmp, (void *)pool);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof(*out));
    xfree(all);
    return n;
}
