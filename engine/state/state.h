/*
 * state — the SQLite file that keeps what the engine knows between runs.
 *
 * One file (WAL journal, synchronous=NORMAL: a process killed at any point
 * loses nothing committed) holds the engine's models (engine/stream_state),
 * the Insights emitted (engine/insight_store), where each input got to
 * (the positions below) and whatever other modules keep there (they get
 * the handle with state_db and own tables named after themselves).
 * Everything written between state_begin and state_commit lands together
 * or not at all.  state.max_megabytes caps the file: past it a write fails
 * as a full disk would, the transaction is rolled back and the caller
 * tries again later.  The file records the engine format it was written
 * with; another build's file is refused with a message.  Not thread-safe:
 * one thread uses a state.
 */
#ifndef CTI_STATE_H
#define CTI_STATE_H

#include <sqlite3.h>
#include <stddef.h>

struct state;

/* Open (creating it if needed) the state file at path.  max_bytes caps
 * its size (0: no cap).  Returns 0, or -1 with "path: what is wrong" in
 * err. */
int state_open(const char *path, size_t max_bytes, struct state **out,
               char *err, size_t errlen);
/* Close it (NULL-safe); an open transaction is rolled back. */
void state_close(struct state *st);
/* The database handle, for modules with tables of their own. */
sqlite3 *state_db(struct state *st);
/* The file's path, for messages. */
const char *state_path(const struct state *st);

/* Start a write transaction; 0 or -1 (message in state_error). */
int state_begin(struct state *st);
/* Commit it; 0, or -1 with the transaction rolled back. */
int state_commit(struct state *st);
void state_rollback(struct state *st);
/* The last SQLite error, e.g. "database or disk is full". */
const char *state_error(const struct state *st);
/* Whether the last failure was the file being full. */
int state_full(const struct state *st);

/* A small named value (positions of inputs, engine counters): 0 and the
 * value in *data (caller xfrees) / *len, 1 when absent, -1 on error. */
int state_get(struct state *st, const char *name, void **data, size_t *len);
/* Set it (inside a transaction). 0 or -1. */
int state_put(struct state *st, const char *name, const void *data, size_t len);

/* Prepare sql on st's handle for a module (finalised by state_close).
 * Returns NULL with state_error set when it does not compile. */
sqlite3_stmt *state_prepare(struct state *st, const char *sql);
/* Step a statement that returns no rows, then reset it and clear its
 * bindings.  0 or -1. */
int state_exec_stmt(struct state *st, sqlite3_stmt *stmt);

#endif
