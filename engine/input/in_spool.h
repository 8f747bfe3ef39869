/*
 * in_spool — the durable log that lets an http input answer 200 only for
 * what a crash cannot lose.
 *
 * Every accepted body is appended to a spool file and fsynced before the
 * sender is answered; the checkpoint records how far the spool has been
 * consumed (generation, offset) in the state database (in_http_spool), in
 * the daemon's transaction, together with the engine state that holds it.
 * After a crash the daemon replays the spool from the checkpointed
 * position: exactly what was accepted after that checkpoint, each unit
 * once.
 *
 * Files are DIR/spool-GGGGGGGGGGGGGGGGGGGG.log, one generation each; a
 * unit is the line "CTSPOOL1 <len> <name>\n", len bytes, then "\n".  A
 * generation wholly consumed by a committed checkpoint is closed, and
 * deleted once a later checkpoint has committed, so the spool holds about
 * two checkpoints' worth of bodies.  A unit cut off by a crash while it
 * was written was never acknowledged and is dropped on replay; damage in
 * the middle of a file is reported and skipped up to the next unit.
 * Not thread-safe.
 */
#ifndef CTI_IN_SPOOL_H
#define CTI_IN_SPOOL_H

#include "input.h"

#include <stddef.h>

struct in_spool;

/* Open (creating) the spool in folder dir for input spec, restoring its
 * position from env->db (required).  Returns 0 and *out, or -1 with a
 * message in err. */
int in_spool_open(const char *dir, const char *spec,
                  const struct input_env *env, struct in_spool **out,
                  char *err, size_t errlen);
void in_spool_close(struct in_spool *s);

/* Whether units written before the last start are still to be replayed;
 * new units must wait (answer 503) until they are, so that the spool is
 * consumed in order. */
int in_spool_replaying(const struct in_spool *s);

/* Offer the units after the checkpointed position to cb, in order, until
 * it refuses one.  Returns 1 when the replay is done, 0 otherwise. */
int in_spool_replay(struct in_spool *s, input_unit_fn cb, void *ctx);

/* Append the unit name/buf[0..len) and make it durable (fdatasync).
 * Returns 0, or -1 with a message in err (nothing is then kept). */
int in_spool_append(struct in_spool *s, const char *name, const char *buf,
                    size_t len, char *err, size_t errlen);

/* Take back the last in_spool_append (the engine refused the unit). */
void in_spool_undo(struct in_spool *s);

/* Save the position (everything replayed or appended so far is consumed)
 * in the caller's open transaction.  Returns 0 or -1 with a message. */
int in_spool_checkpoint(struct in_spool *s, char *err, size_t errlen);

/* The last checkpoint committed: close and delete what it consumed. */
void in_spool_committed(struct in_spool *s);

#endif
