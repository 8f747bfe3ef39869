/*
 * stream_state — the engine's state in the state file, and back.
 *
 * stream_save writes what changed since the last save (new strings, and
 * every scope and key touched: models, baselines, timers, open Insights,
 * the events of open and recent minutes) inside the caller's transaction;
 * once the caller has committed, stream_saved marks it all clean.
 * stream_load fills a new, empty stream from a state file: the stream
 * then goes on as if it had never stopped (its open minutes are delivered
 * again, under the reorder window it was created with).  Keys keep what
 * they learned and take the settings of the config given now.  Not
 * thread-safe.
 */
#ifndef CTI_STREAM_STATE_H
#define CTI_STREAM_STATE_H

#include "state.h"
#include "stream.h"

#include <stddef.h>

/* Write s's changes to st (inside a transaction).  0 or -1 (state_error). */
int stream_save(struct stream *s, struct state *st);
/* The save was committed: everything is clean. */
void stream_saved(struct stream *s);
/* Fill the empty stream s from st.  Returns 0, 1 when st holds no engine
 * yet, or -1 with "path: what is wrong" in err. */
int stream_load(struct stream *s, struct state *st, char *err, size_t errlen);

/* One key as the state file holds it, for `ctinsights baseline`. */
struct stream_key_view {
    struct key_model model;           /* what it learned */
    struct season_exposure exposure;  /* its account/region's minutes */
    struct detect_scope scope;        /* exposure points at the field above */
    uint64_t count;                   /* events it counted */
    uint32_t last_event;              /* its latest minute; UINT32_MAX none */
    int open_increase, open_gap;      /* Insights open on it */
};

/* Read the key (type "ApiCallRateInsight" or "ApiErrorRateInsight"; error
 * NULL for call rate) from st into *out.  Returns 0, 1 when st has no such
 * key, -1 with a message in err. */
int stream_state_key(struct state *st, const char *type, const char *account,
                     const char *region, const char *source, const char *name,
                     const char *error, struct stream_key_view *out, char *err,
                     size_t errlen);

#endif
