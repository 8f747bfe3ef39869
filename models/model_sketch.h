/*
 * model_sketch — the most frequent values of one attribute of a key (its
 * principals, user agents or error codes) over the baseline, weighted like
 * the baseline itself.
 *
 * A space-saving sketch of SKETCH_SIZE counters: a value already held adds
 * to its counter; a new one takes over the smallest counter (and its
 * count, so counts are over-estimates by at most that much); counts age by
 * `decay` per day, as model_season's sums do.  Ids are the caller's (0 is
 * a value like any other).  Which value a full sketch gives up depends on
 * the order of additions: a caller that needs results independent of
 * input order adds a minute's values in a canonical order.  Pure; one
 * sketch per key and attribute.
 */
#ifndef CTI_MODEL_SKETCH_H
#define CTI_MODEL_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define SKETCH_SIZE 6

struct sketch {
    uint32_t id[SKETCH_SIZE];
    float count[SKETCH_SIZE]; /* 0 = empty */
    uint32_t day;             /* the day the weights refer to */
};

void sketch_init(struct sketch *k);
/* Count n occurrences of id in minute (minutes in increasing order). */
void sketch_add(struct sketch *k, uint32_t id, uint32_t n, uint32_t minute,
                double decay);
/* The values held, in no particular order (the caller ranks them, e.g.
 * by count and then by the string each id names), with their weighted
 * counts as of day, into ids/counts (room for SKETCH_SIZE).  Returns how
 * many. */
size_t sketch_entries(const struct sketch *k, uint32_t day, double decay,
                      uint32_t *ids, double *counts);

#endif
