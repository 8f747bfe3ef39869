/*
 * tally — counts of attribute values (principals, user agents, error
 * codes) over an Insight's minutes, and their ranking for attributions.
 *
 * Values are strpool ids per field (0 is "null": no error, no user agent);
 * a tally is a small hash map, grown as needed.  Ranking is by count, then
 * by the value's string, so the result never depends on input order.  Not
 * thread-safe per tally.
 */
#ifndef CTI_TALLY_H
#define CTI_TALLY_H

#include "strpool.h"

#include <stddef.h>
#include <stdint.h>

enum tally_field { TALLY_ARN, TALLY_AGENT, TALLY_ERROR, TALLY__FIELDS };

struct tally_entry {
    uint32_t field, id;
    uint64_t count;
};

struct tally {
    struct tally_entry *v;
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 = empty */
    size_t nslots;
    uint64_t total;  /* events added (each counts once per field) */
};

void tally_init(struct tally *t);
void tally_free(struct tally *t);
void tally_clear(struct tally *t);
/* Count n more of value id of field (not counted in total). */
void tally_add(struct tally *t, uint32_t field, uint32_t id, uint64_t n);
/* One event: its value of each field. */
void tally_event(struct tally *t, uint32_t arn, uint32_t agent, uint32_t error);
/* Add every count of from to into. */
void tally_merge(struct tally *into, const struct tally *from);
/* The at most max most frequent values of field, by count descending then
 * string ascending ("null" for id 0), into out.  Returns how many. */
size_t tally_top(const struct tally *t, enum tally_field field,
                 const struct strpool *pool, size_t max, struct tally_entry *out);
/* The ranking order of attribute values: count cx of value x before
 * count cy of y (negative), after (positive) or the same (0): higher
 * counts first, then the strings in byte order. */
int tally_rank(double cx, uint32_t x, double cy, uint32_t y,
               const struct strpool *pool);
/* The string of a value id: its strpool string, or "null" for 0. */
const char *tally_value_str(const struct strpool *pool, uint32_t id);

#endif
