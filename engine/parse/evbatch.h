/*
 * evbatch — the records of one unit of input (a file, a chunk of a stream)
 * reduced to what the engine counts.
 *
 * A batch is what a reader hands the engine: one compact event per valid
 * record (its minute, whether it feeds call rate and/or error rate, and
 * the ids of its strings), with the strings themselves stored once per
 * batch, each with its strpool_hash, so the engine interns a file's few
 * distinct strings once rather than every record's.  A reader may fill
 * batches on any thread; a batch is then read by one consumer, in input
 * order.  Records that are valid but feed nothing (read calls without an
 * error, data events) are kept as coverage-only events: they tell how much
 * time the account/region's logs cover.  Not thread-safe per batch.
 */
#ifndef CTI_EVBATCH_H
#define CTI_EVBATCH_H

#include "record.h"

#include <stddef.h>
#include <stdint.h>

/* What an event feeds (bits of evbatch_event.flags). */
enum {
    EV_CALL = 1,  /* counts for call rate (a management write event) */
    EV_ERROR = 2, /* counts for error rate (a management event with an errorCode) */
};

/* String fields of an event, indexes into evbatch_event.str. */
enum ev_field {
    EVF_ACCOUNT, EVF_REGION, EVF_SOURCE, EVF_NAME,
    EVF_ERROR,  /* 0 when the call succeeded */
    EVF_ARN,    /* userIdentity.arn, else invokedBy, else "null" */
    EVF_AGENT,  /* userAgent, else "null" */
    EVF__COUNT
};

struct evbatch_event {
    uint64_t id;                 /* record_event.id; 0 = none (and coverage only) */
    uint32_t minute;             /* UTC minutes since 1970 */
    uint32_t str[EVF__COUNT];    /* batch string ids; 0 = none */
    uint8_t flags;               /* EV_CALL | EV_ERROR; 0 = coverage only */
};

struct evbatch_str {
    uint32_t off, len; /* in the batch's text */
    uint64_t hash;     /* strpool_hash(text + off, len, 0) */
};

struct evbatch_slot {
    uint32_t id, tag; /* tag: bits of a quick hash, to skip most compares */
};

struct evbatch {
    struct evbatch_event *ev;
    size_t n;
    /* strings: id i (>= 1) is strs[i], NUL-terminated at text + strs[i].off */
    struct evbatch_str *strs;
    size_t nstrs;
    /* private */
    char *text;
    size_t text_len, text_cap, ev_cap, strs_cap;
    struct evbatch_slot *slots; /* open addressing over strs, id 0 = empty */
    size_t nslots;
    uint32_t last[EVF__COUNT]; /* the id each field had in the last event */
};

void evbatch_init(struct evbatch *b);
void evbatch_free(struct evbatch *b);
/* Empty b for reuse (keeps its memory). */
void evbatch_clear(struct evbatch *b);
/* Add a record classified RECORD_COUNT or RECORD_IGNORE (the latter as a
 * coverage-only event; nothing is added when it has no account, as for
 * Insight records).  r's strings are copied. */
void evbatch_add(struct evbatch *b, const struct ct_record *r,
                 enum record_class cls);
/* The same for a record classified by record_classify; e's strings need not
 * be NUL-terminated and are copied. */
void evbatch_add_event(struct evbatch *b, const struct record_event *e,
                       enum record_class cls);
/* Add every event of src to b, after b's own (src is unchanged); a file
 * read in pieces is so made one batch. */
void evbatch_append(struct evbatch *b, const struct evbatch *src);
/* The string of id (borrowed, valid until b changes); NULL for 0. */
const char *evbatch_str(const struct evbatch *b, uint32_t id);

#endif
