/*
 * idset — a set of 64-bit ids (never 0), for telling a record already
 * counted from a new one.
 *
 * Open addressing, at most half full; ids are hashes already, so their
 * low bits pick the slot.  Grows as ids are added; idset_clear empties it
 * and keeps its memory for the next use.  Not thread-safe.
 */
#ifndef CTI_IDSET_H
#define CTI_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
    uint64_t *slot; /* 0 = empty */
    size_t n, cap;  /* ids held; slots (0 or a power of two) */
};

/* An empty set is all zeros. */
void idset_free(struct idset *s);
void idset_clear(struct idset *s);
/* Add id (not 0): 1 when it is new, 0 when the set held it already. */
int idset_add(struct idset *s, uint64_t id);
/* Whether the set holds id. */
int idset_has(const struct idset *s, uint64_t id);

#endif
