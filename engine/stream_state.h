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

#endif
