/*
 * alerting — the config's alert sinks and their outbox, opened together,
 * for `score --alert` (engine/alert_batch) and `tail`.
 *
 * alerting_open opens every sink of c->sinks (reading their secrets) and
 * an outbox (engine/outbox) over db; outcomes are reported on stderr as
 * "ctinsights: alert: sink 'NAME': STATE SHARED-ID: what happened"
 * (retries only unless quiet).  Not thread-safe.
 */
#ifndef CTI_ALERTING_H
#define CTI_ALERTING_H

#include "config.h"
#include "outbox.h"

#include <sqlite3.h>
#include <stddef.h>

struct alerting;

/* Open c's sinks and an outbox over db (borrowed; stays open until
 * alerting_close).  Returns 0 and *out, or -1 with a message in err (a
 * sink or its secret cannot be opened, the outbox tables cannot be
 * made). */
int alerting_open(const struct config *c, sqlite3 *db, int quiet,
                  struct alerting **out, char *err, size_t errlen);
/* Close the outbox and the sinks (the database stays open).  NULL-safe. */
void alerting_close(struct alerting *a);
/* The outbox, for enqueue, run, pending and stats. */
struct outbox *alerting_outbox(struct alerting *a);
/* Send what is due until nothing is pending or deadline (alerting_now's
 * clock) has passed, napping between attempts.  0, or -1 with a message
 * in err (a database error). */
int alerting_drain(struct alerting *a, double deadline, char *err, size_t errlen);
/* Wall-clock seconds since 1970, the outbox's clock. */
double alerting_now(void);

#endif
