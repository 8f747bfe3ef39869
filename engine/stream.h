/*
 * stream — the engine: events in, Insights out, in event time.
 *
 * Batches of events (engine/evbatch) go in, in any order within a reorder
 * window; each account × region (a scope) closes its minutes in time order
 * once the newest event it has seen is `reorder_minutes` past them (its
 * watermark), or at stream_finish.  Closing a minute fires the timers of
 * its keys that waited for silence (an Insight's end, a job's overdue run)
 * and then steps every key active in it (engine/detect), so every key sees
 * its minutes in time order whatever order the input came in.  An event
 * for a minute its scope already closed is late: it is counted and
 * dropped, and stream_add_batch says so (a batch caller can then sort its
 * input and start again; see stream_buffer_all).
 *
 * Insights go out through the emit callback as they are decided: a Start
 * (statistics of its first minute, attributions, explanation) and, once
 * it has ended, an End (statistics over its whole span), both as a struct
 * insight_report whose strings live as long as the stream.  Suppressed
 * Insights (config suppress rules) are counted, not emitted.  Per key the
 * engine keeps a compact model (engine/detect), the top values of its
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
 * d as ignored), counted events noted in d.  Returns the number of late
 * events (counted in d->late and dropped). */
size_t stream_add_batch(struct stream *s, const struct evbatch *b, struct diag *d);
/* From now on hold every event, whatever its time, until stream_settle or
 * stream_finish feeds them all in time order: memory grows with the
 * input, but no event is ever late.  Call before the first event. */
void stream_buffer_all(struct stream *s);
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
