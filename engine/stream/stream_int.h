/*
 * stream_int — the engine's internals, shared by engine/stream/stream.c (the
 * engine) and engine/state/stream_state.c (saving and loading it).  Nothing
 * else includes this.
 */
#ifndef CTI_STREAM_INT_H
#define CTI_STREAM_INT_H

#include "stream.h"

#include "idset.h"
#include "model_lateness.h"
#include "model_sketch.h"
#include "strpool.h"
#include "tally.h"

#define NONE UINT32_MAX
#define KEY_CHUNK 4096u

/* One counted event of a key, in a scope's minute. */
struct mev {
    uint32_t key;
    uint32_t arn, agent, error;
};

/* One event with its minute (an Insight's events past its current end;
 * with its scope, the buffer of stream_buffer_all). */
struct tev {
    uint32_t minute, scope;
    struct mev e;
};

/* An Insight being tracked from its Start to its End. */
struct open_rec {
    struct insight ins;    /* as the model had it at the Start */
    int suppressed;        /* not emitted */
    const char *category;
    double base_avg;
    uint32_t base_minutes;
    struct {
        size_t n;
        uint32_t id[ATTR_TOP];
        double average[ATTR_TOP];
    } base_attr[TALLY__FIELDS]; /* top values of the baseline */
    struct tally main;     /* events of [start, cand_end) */
    uint32_t cand_end;
    struct tev *pending;   /* events at or after cand_end */
    size_t npending, pending_cap;
};

struct key {
    uint32_t account, region, source, name, error; /* strpool ids; error 0 for call rate */
    uint32_t scope;
    uint8_t error_rate;
    uint8_t ignored;
    uint8_t dirty;        /* changed since the last stream_save */
    uint32_t timer;       /* minute its model wants detect_silence; NONE */
    uint32_t last_event;  /* latest minute it was stepped; NONE */
    uint64_t count;
    struct open_rec *open_inc, *open_gap;
    struct key_model m;
    struct sketch sk[TALLY__FIELDS];
};

/* A key's place in the hash table: its id + 1 (0 = empty) and the low 32
 * bits of its hash (its home slot, and a check that spares reading other
 * keys' state on the way). */
struct key_slot {
    uint32_t id, hash;
};

struct timer {
    uint32_t minute, key;
};

/* The events of one closed (or open) minute of a scope, and the eventIDs
 * of the records they came from (a record delivered again is counted
 * once). */
struct bucket {
    uint32_t minute;
    struct mev *ev;
    size_t n, cap;
    struct idset ids;
};

struct scope {
    uint32_t account, region;
    uint32_t min_seen, max_seen; /* over every valid record; NONE before one */
    uint32_t closed;             /* last closed minute; NONE before the first */
    uint32_t lateness;           /* minutes its watermark lags max_seen */
    uint32_t timers_upto;        /* silence timers (a job's run due, an
                                    increase ending) fire up to this minute
                                    (NONE: all); at the end of the data,
                                    its watermark as tail would hold it */
    struct lateness late;        /* how late its events have come */
    uint32_t batch_newest;       /* max_seen when the batch being added reached it */
    int touched;                 /* in stream__touched */
    struct detect_scope ds;      /* coverage start, exposure, active keys */
    struct season_exposure exposure;
    uint32_t day;                /* day of the last active-key count */
    struct bucket *ring;         /* open and recent minutes, minute % nring */
    uint32_t nring;
    struct bucket recent[DETECT_RECENT]; /* views of the last closed minutes */
    struct timer *timers;        /* min-heap by minute */
    size_t ntimers, timers_cap;
    uint32_t *keys;              /* its keys */
    size_t nkeys, keys_cap;
    int dirty;                   /* changed since the last stream_save */
};

struct stream {
    const struct config *cfg;
    uint32_t reorder;        /* most minutes a watermark lags (the ring's open span) */
    uint32_t least_lateness; /* learning (stream_learn_lateness): the least it lags */
    int learn;
    struct detect_run run;
    stream_emit_fn emit;
    void *emit_ctx;
    struct strpool *pool;
    struct key **chunks;
    size_t nkeys, nchunks;
    struct key_slot *key_slots; /* open addressing, at most half full */
    size_t key_nslots;
    struct scope **scopes; /* each allocated once: it never moves */
    size_t nscopes, scopes_cap;
    uint32_t *scope_slots;
    size_t scope_nslots;
    int buffering;   /* stream_buffer_all: events wait in all, unsorted */
    struct tev *all;
    size_t nall, all_cap;
    struct idset all_ids; /* the records in all, by scope, minute and eventID */
    int replaying;   /* events come again in time order (no lateness learned) */
    uint32_t *touched; /* scopes the batch being added reached */
    size_t ntouched, touched_cap;
    uint32_t *map;   /* batch string id -> strpool id */
    size_t map_cap;
    /* the key run being stepped (its events in the current minute) */
    const struct mev *run_ev;
    size_t run_n;
    uint32_t run_minute;
    struct tally scratch;
    struct stream_stats stats;
    int finished;
    size_t strings_saved; /* strpool strings already in the state file */
    struct stream_store *store; /* stream_state's statements */
};

static inline struct key *key_at(const struct stream *s, uint32_t i)
{
    return &s->chunks[i / KEY_CHUNK][i % KEY_CHUNK];
}

static inline const char *str(const struct stream *s, uint32_t id)
{
    return strpool_str(s->pool, id);
}

struct stream_store;

/* Shared with stream_state.c. */
void stream__store_free(struct stream_store *ss);
uint32_t stream__scope_of(struct stream *s, uint32_t account, uint32_t region);
/* A new key (f: account, region, source, name, error, error_rate) in
 * scope, or the existing one. */
uint32_t stream__key_of(struct stream *s, uint32_t scope, const uint32_t *f);
/* One record's events in time order (or into the buffer that will be
 * sorted): e->key is NONE for a coverage-only record.  Returns 1 when
 * late (nothing is done with it).  The scope's watermark moves once
 * stream__advance_touched is called. */
int stream__deliver(struct stream *s, uint32_t scope, uint32_t minute,
                    const struct mev *e);
/* The ring's bucket for minute (open, or closed among the recent ones),
 * emptied first when it held an older minute. */
struct bucket *stream__bucket(struct scope *sc, uint32_t minute);
/* Move the watermark of every scope events reached since the last call. */
void stream__advance_touched(struct stream *s);

#endif
