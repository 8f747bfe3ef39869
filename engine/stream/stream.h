/*
 * stream — the engine: events in, Insights out, in event time.
 *
 * Batches of events (engine/evbatch) go in, in any order within a reorder
 * window; each account × region (a scope) closes its minutes in time order
 * once the newest event it has seen is past them by its lateness (its
 * watermark: the reorder window, or with stream_learn_lateness what its
 * events have been seen to need), or at stream_finish.  A batch is taken
 * whole before any watermark moves, so the order of events within a batch
 * never matters.  Closing a minute fires the timers of its keys that waited
 * for silence (an Insight's end, a job's overdue run) and then steps every
 * key active in it (models/detect), so every key sees its minutes in time
 * order whatever order the input came in.  An event for a minute its scope
 * already closed, or older than the reorder window below its newest, is
 * late: it is counted, joins its key's counts (so its baseline, and a
 * job's runs) without being judged, and stream_add_batch says so (a batch
 * caller can then sort its input and start again; see stream_buffer_all).
 * A counted record whose eventID its minute has already counted (a
 * delivery repeated, as at-least-once shippers do) is counted once, as
 * long as its minute is open or among the recent closed ones.
 *
 * Insights go out through the emit callback as they are decided: a Start
 * (statistics of its first minute, attributions, explanation) and, once
 * it has ended, an End (statistics over its whole span), both as a struct
 * insight_report whose strings live as long as the stream.  Suppressed
 * Insights (config suppress rules) are counted, not emitted.  Per key the
 * engine keeps a compact model (models/detect), the top values of its
 * attributes over the baseline (models/model_sketch), and nothing per
 * record: the events of the last DETECT_RECENT closed minutes of each
 * scope are kept for the attributions of Insights being decided.  Not
 * thread-safe.
 */
#ifndef CTI_STREAM_H
#define CTI_STREAM_H

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "report.h"

#include <stddef.h>
#include <stdint.h>

typedef void (*stream_emit_fn)(void *ctx, const struct insight_report *r);

struct stream;

/* A new engine.  c and the callback's ctx are borrowed and must outlive
 * it. */
struct stream *stream_new(const struct config *c, uint32_t reorder_minutes,
                          stream_emit_fn emit, void *ctx);
void stream_free(struct stream *s);
/* Take every event of b: keys are created (config ignore rules counted in
 * d as ignored), counted events noted in d, repeated records in
 * d->duplicates.  Returns the number of late events (counted in d->late
 * as well). */
size_t stream_add_batch(struct stream *s, const struct evbatch *b, struct diag *d);
/* From now on hold every event, whatever its time, until stream_settle or
 * stream_finish feeds them all in time order: memory grows with the
 * input, but no event is ever late.  Call before the first event. */
void stream_buffer_all(struct stream *s);
/* From now on each account/region's watermark lags its newest event by
 * what its events have been seen to need (models/model_lateness: a high
 * quantile of how late they came), at least `least` minutes and at most
 * the reorder window; without this call it lags by the reorder window.
 * Call before the first event (and before stream_load). */
void stream_learn_lateness(struct stream *s, uint32_t least);
/* Feed the held events (stream_buffer_all) in time order, as if they had
 * come in order; new events are then taken as they come. */
void stream_settle(struct stream *s);
/* End of the data: close every scope's minutes up to its newest, and let
 * the silence after it end what it ends.  Insights still open stay open
 * (their Start was emitted, no End).  The stream takes no more events. */
void stream_finish(struct stream *s);

/* The config (the one given to stream_new, at the same address) has
 * changed: every key takes its settings and ignore rules again.  The
 * reorder window stays as created. */
void stream_reconfigure(struct stream *s);

struct stream_stats {
    size_t keys;       /* keys seen (including ignored ones) */
    size_t insights;   /* Insights started and emitted */
    size_t open;       /* of those, still open */
    size_t suppressed; /* Insights a suppress rule dropped */
    /* over the account/regions with events (UINT32_MAX when none): */
    uint32_t lateness_least, lateness_most; /* minutes their watermarks lag */
    uint32_t decided_oldest, decided_newest; /* last decided minute */
    size_t scopes;
};
void stream_get_stats(const struct stream *s, struct stream_stats *out);

/* One key and how many events it counted, for `ctinsights keys`. */
struct stream_key_info {
    int error_rate;
    const char *account, *region, *source, *name, *error;
    uint64_t count;
};
typedef void (*stream_key_fn)(void *ctx, const struct stream_key_info *k);
/* Every key that counted events, in no particular order. */
void stream_each_key(const struct stream *s, stream_key_fn fn, void *ctx);

#endif
