#include "idset.h"

#include "xalloc.h"

#include <string.h>

/* One group's keys: an open-addressing table (linear probing, 0 = empty
 * slot; the key 0 itself is a flag). */
struct idset_group {
    uint64_t group;
    uint64_t *slots;
    size_t cap, n; /* cap a power of two, or 0 */
    int has_zero;
};

static uint64_t mix(uint64_t k)
{
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    return k ^ (k >> 31);
}

static struct idset_group *group_of(const struct idset *s, uint64_t group)
{
    for (size_t i = 0; i < s->ngroups; i++)
        if (s->groups[i].group == group)
            return &s->groups[i];
    return NULL;
}

/* The slot of key in g: where it is, or the empty slot it would go in. */
static uint64_t *slot_of(const struct idset_group *g, uint64_t key)
{
    size_t mask = g->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask)
        if (g->slots[i] == key || g->slots[i] == 0)
            return &g->slots[i];
}

static void grow(struct idset_group *g)
{
    struct idset_group old = *g;
    g->cap = old.cap ? old.cap * 2 : 64;
    g->slots = xcalloc(g->cap, sizeof *g->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i])
            *slot_of(g, old.slots[i]) = old.slots[i];
    xfree(old.slots);
}

int idset_add(struct idset *s, uint64_t group, uint64_t key)
{
    struct idset_group *g = group_of(s, group);
    if (!g) {
        s->groups = xgrow(s->groups, &s->cap, s->ngroups + 1, sizeof *s->groups);
        g = &s->groups[s->ngroups++];
        memset(g, 0, sizeof *g);
        g->group = group;
    }
    if (key == 0) {
        int added = !g->has_zero;
        g->has_zero = 1;
        return added;
    }
    if ((g->n + 1) * 4 > g->cap * 3)
        grow(g);
    uint64_t *at = slot_of(g, key);
    if (*at)
        return 0;
    *at = key;
    g->n++;
    return 1;
}

int idset_has(const struct idset *s, uint64_t group, uint64_t key)
{
    const struct idset_group *g = group_of(s, group);
    if (!g)
        return 0;
    if (key == 0)
        return g->has_zero;
    return g->cap && *slot_of(g, key) == key;
}

size_t idset_count(const struct idset *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ngroups; i++)
        n += s->groups[i].n + (size_t)s->groups[i].has_zero;
    return n;
}

void idset_each(const struct idset *s, void (*fn)(void *ctx, uint64_t group, uint64_t key),
                void *ctx)
{
    for (size_t i = 0; i < s->ngroups; i++) {
        const struct idset_group *g = &s->groups[i];
        if (g->has_zero)
            fn(ctx, g->group, 0);
        for (size_t k = 0; k < g->cap; k++)
            if (g->slots[k])
                fn(ctx, g->group, g->slots[k]);
    }
}

void idset_clear(struct idset *s)
{
    for (size_t i = 0; i < s->ngroups; i++) {
        struct idset_group *g = &s->groups[i];
        if (g->n)
            memset(g->slots, 0, g->cap * sizeof *g->slots);
        g->n = 0;
        g->has_zero = 0;
    }
}

void idset_free(struct idset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ngroups; i++)
        xfree(s->groups[i].slots);
    xfree(s->groups);
    memset(s, 0, sizeof *s);
}
