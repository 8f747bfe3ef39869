/*
 * agg — keys and the events counted for them.
 *
 * A key is (account, region, eventSource, eventName) for call rate, plus
 * errorCode for error rate.  Every counted record becomes one compact event
 * (key, minute, principal, user agent, error code) per key it feeds; strings
 * are interned once in the aggregate's pool.  Each account × region is a
 * scope, whose first and last minutes (over every valid record, counted or
 * not) tell how much history the trail covers.  After agg_finish the events
 * are sorted by key and time, whatever order the input came in, and each
 * key's events can be read as one slice.  Not thread-safe while adding;
 * read-only (and shareable) after agg_finish.
 */
#ifndef CTI_AGG_H
#define CTI_AGG_H

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "record.h"
#include "strpool.h"

#include <stddef.h>
#include <stdint.h>

enum insight_type { INSIGHT_CALL_RATE, INSIGHT_ERROR_RATE };

struct agg_key {
    uint32_t account, region, source, name; /* strpool ids */
    uint32_t error;                         /* strpool id; 0 for call rate */
    uint32_t scope;                         /* index into agg scopes */
    enum insight_type type;
    int ignored;      /* matched an ignore rule: no events kept */
    size_t first, n;  /* its slice of events, valid after agg_finish */
};

struct agg_event {
    uint32_t key;
    uint32_t minute; /* UTC minutes since 1970 */
    uint32_t arn, agent;
    uint32_t error;  /* strpool id of errorCode, 0 when it succeeded */
};

struct agg_scope {
    uint32_t account, region;
    uint32_t first_minute, last_minute;
    uint32_t nkeys; /* keys with events, after agg_finish */
};

struct agg {
    struct strpool *pool;
    struct agg_key *keys;
    size_t nkeys;
    struct agg_event *events;
    size_t nevents;
    struct agg_scope *scopes;
    size_t nscopes;
    uint32_t first_minute, last_minute; /* over all valid records */
    /* private */
    size_t keys_cap, events_cap, scopes_cap;
    uint32_t *key_slots, *scope_slots; /* index + 1, 0 = empty */
    size_t key_nslots, scope_nslots;
    const struct config *cfg;
};

/* A new, empty aggregate using c (borrowed; must outlive it). */
struct agg *agg_new(const struct config *c);
/* Free it. NULL-safe. */
void agg_free(struct agg *a);
/* Add every event of b (coverage-only ones extend their scope's
 * coverage).  Counts into d. */
void agg_add_batch(struct agg *a, const struct evbatch *b, struct diag *d);
/* Sort the events by (key, minute, …) and fill each key's slice. */
void agg_finish(struct agg *a);
/* The string of an id (borrowed). */
const char *agg_str(const struct agg *a, uint32_t id);
/* Index, within key k's slice, of its first event at or after minute m
 * (k->n when there is none). */
size_t agg_lower_bound(const struct agg *a, const struct agg_key *k, uint32_t m);
enum agg_field { AGG_ARN, AGG_AGENT, AGG_ERROR };

struct agg_tally {
    uint32_t id; /* strpool id; 0 is "null" (no error) */
    size_t count;
};

/* The distinct values of field f over key k's events in minutes
 * [from, to), most frequent first (ties: smaller string first).  Returns
 * how many; *out is an array the caller frees (xfree). */
size_t agg_tally(const struct agg *a, const struct agg_key *k, uint32_t from,
                 uint32_t to, enum agg_field f, struct agg_tally **out);
/* Compare two keys by their strings (type, account, region, source,
 * name, error), for output in a stable order. */
int agg_key_cmp(const struct agg *a, const struct agg_key *x,
                const struct agg_key *y);

#endif
