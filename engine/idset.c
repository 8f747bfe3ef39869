#include "idset.h"

#include "xalloc.h"

#include <string.h>

void idset_free(struct idset *s)
{
    xfree(s->slot);
    memset(s, 0, sizeof(*s));
}

void idset_clear(struct idset *s)
{
    if (s->n)
        memset(s->slot, 0, s->cap * sizeof(*s->slot));
    s->n = 0;
}

static size_t slot_of(const struct idset *s, uint64_t id)
{
    size_t mask = s->cap - 1, i = (size_t)id & mask;
    while (s->slot[i] && s->slot[i] != id)
        i = (i + 1) & mask;
    return i;
}

static void grow(struct idset *s)
{
    struct idset bigger = {xcalloc(s->cap ? s->cap * 2 : 16, sizeof(uint64_t)), s->n,
                           s->cap ? s->cap * 2 : 16};
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i])
            bigger.slot[slot_of(&bigger, s->slot[i])] = s->slot[i];
    xfree(s->slot);
    *s = bigger;
}

int idset_add(struct idset *s, uint64_t id)
{
    if ((s->n + 1) * 2 > s->cap)
        grow(s);
    size_t i = slot_of(s, id);
    if (s->slot[i])
        return 0;
    s->slot[i] = id;
    s->n++;
    return 1;
}

int idset_has(const struct idset *s, uint64_t id)
{
    return s->cap && s->slot[slot_of(s, id)] == id;
}
