/*
 * insight_store — the Insight records the engine emitted, in the state
 * file.
 *
 * Every Start and End record is stored (table insights_emitted) in the
 * same transaction as the engine state that decided it, before anything
 * is written out, so a record is output only once it can never be decided
 * "again" after a crash; storing the same (sharedEventID, state) twice is
 * a no-op, so a replay never repeats one.  Records are numbered in the
 * order stored; a writer remembers how far it got (insight_store_written)
 * and, after a restart, writes what followed.  `ctinsights insights list`
 * reads them back with filters.  Not thread-safe.
 */
#ifndef CTI_INSIGHT_STORE_H
#define CTI_INSIGHT_STORE_H

#include "report.h"
#include "state.h"

#include <stdint.h>

struct insight_store;

/* The store in st (tables created when missing); NULL with state_error
 * set on failure.  It must be closed before st. */
struct insight_store *insight_store_open(struct state *st);
void insight_store_close(struct insight_store *is);
/* Store record (its JSON text, one line) for report r, inside a
 * transaction.  Returns its number (> 0), 0 when it was stored before,
 * -1 on error. */
int64_t insight_store_add(struct insight_store *is, const struct insight_report *r,
                          const char *shared_id, const char *record);

/* What `insights list` asks for; zeros and NULLs mean "any". */
struct insight_filter {
    int64_t from, until;   /* eventTime of the Start in [from, until), minutes; -1 = open */
    const char *account;   /* glob */
    const char *source;    /* glob on eventSource */
    const char *name;      /* glob on eventName */
    int open_only;         /* only Insights with no End yet */
    int64_t after;         /* only records numbered above this */
};

/* Call fn for each stored record matching f, in the order stored, with
 * its number and JSON text (borrowed).  fn returns 0 to go on.  0 or -1. */
int insight_store_each(struct insight_store *is, const struct insight_filter *f,
                       int (*fn)(void *ctx, int64_t seq, const char *record),
                       void *ctx);

#endif
