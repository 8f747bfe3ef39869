/*
 * alert_batch — alerting for a run that ends (score --alert): store the
 * run's Insight records in the outbox, drain it for at most
 * alerting.drain_seconds, and report.
 *
 * Uses the state file's database (engine/state) or, when there is none,
 * an in-memory database that lasts for the run only (no replay protection
 * across runs).  Prints
 * to stderr: each retry (unless quiet) and each failure, as
 * "ctinsights: alert: sink 'NAME': Start SHARED-ID: what happened", then
 * (unless quiet) one summary line.  Not thread-safe.
 */
#ifndef CTI_ALERT_BATCH_H
#define CTI_ALERT_BATCH_H

#include "config.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

/* Deliver the n records recs (borrowed, in output order) to c's sinks.
 * Returns 0 when every alert was delivered, 1 when some failed or were
 * still waiting when the drain time ran out (they stay in the state file
 * for the next run), 2 when a sink, its secret or the state file could not
 * be opened (message printed). */
int alert_batch_deliver(const struct config *c, sqlite3 *state_db,
                        json_t *const *recs, size_t n, int quiet);

#endif
