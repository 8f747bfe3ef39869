/*
 * outbox — durable, ordered, at-least-once delivery of Insights to alert
 * sinks, paged once.
 *
 * Every alert is stored in the SQLite state before it is sent.  The
 * caller opens the database and hands it over (the same file later holds
 * the engine's baselines and checkpoints); the outbox owns only the tables
 * named outbox_*, prepares its statements at open, and never opens, closes
 * or reconfigures the database (the caller sets WAL and busy_timeout).
 *
 *   outbox_enqueue  stores the Start and End records of Insights for every
 *                   sink whose filters they pass, in one transaction (a
 *                   savepoint when the caller has a transaction open, so
 *                   that a checkpoint and its alerts commit together).  An
 *                   item is (sink, sharedEventID, state): enqueuing it again
 *                   (a replay, a rerun over the same logs, a restart) is a
 *                   no-op, so nothing pages twice.  An End is stored for a
 *                   sink only when its Start was.
 *   outbox_run      sends what is due at `now` and returns when the next
 *                   attempt is due.  It never sleeps and needs no thread: a
 *                   daemon calls it from its loop, a batch run in a loop
 *                   until nothing is pending or its time is up.
 *
 * Order: each sink's items go out in the order they were stored (so a
 * Start always before its End); an item waiting for a retry holds back
 * the sink's later items.  Retries back off exponentially from
 * sinks.retry_initial to sinks.retry_max with jitter (each wait is drawn
 * between half and all of the step), or wait as long as the sink's
 * Retry-After when that is longer; an item still refused after
 * sinks.give_up_after fails.  A permanent refusal (HTTP 4xx other than
 * 408/429) fails at once.  Failures are kept in the table and reported
 * through the event callback.  A crash between a send and its record means
 * that item is sent again after restart: pages carry their page_id
 * (PagerDuty dedup_key, Alertmanager labels), so that re-send does not page.
 *
 * Pages (pager sinks): a Start joins the open page of the same sink and
 * group key (its account, or its top principal, per sinks.group_by) whose
 * first Insight started within sinks.group_window of it; else it opens a
 * new page named after its sharedEventID.  A page fires with its first
 * Start, carrying every Start of it still waiting (the others are "merged"
 * into it); a later Start updates the same page; an End is merged while
 * other Insights of the page are still open, and the last End resolves the
 * page.  Sinks with sinks.resend_interval (Alertmanager) get every open
 * page again at that interval.
 *
 * Rate: each sink spends one token per send from a bucket of sinks.burst
 * tokens refilled at sinks.rate_per_minute; without a token it waits (the
 * alerts stay queued; none is dropped).
 *
 * Times are wall-clock seconds since 1970 given by the caller, so tests can
 * drive time.  One outbox per database connection; not thread-safe.
 */
#ifndef CTI_OUTBOX_H
#define CTI_OUTBOX_H

#include "alert.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct outbox;

/* What happened to one item, for the event callback. */
enum outbox_outcome {
    OUTBOX_DELIVERED, /* the sink accepted it */
    OUTBOX_MERGED,    /* delivered as part of another item's page */
    OUTBOX_RETRY,     /* refused for now; next_at says when it is tried again */
    OUTBOX_FAILED,    /* refused for good, or given up after give_up_after */
    OUTBOX_RESENT,    /* an open page re-sent (resend_interval) */
};

/* "delivered", "merged", "retry", "failed", "resent". */
const char *outbox_outcome_name(enum outbox_outcome o);

struct outbox_event {
    enum outbox_outcome outcome;
    const char *sink;      /* the sink's name */
    const char *shared_id; /* the Insight's sharedEventID (page_id on resend) */
    const char *state;     /* "Start" or "End" */
    int attempts;          /* sends tried for this item so far */
    double next_at;        /* OUTBOX_RETRY: when it is tried again */
    const char *detail;    /* the sink's words; no secrets */
};

/* Counts since outbox_open. */
struct outbox_stats {
    uint64_t enqueued;   /* items stored */
    uint64_t duplicates; /* items already stored (replays) */
    uint64_t filtered;   /* (record, sink) pairs left out by the sink's filters */
    uint64_t delivered;  /* items accepted by their sink */
    uint64_t merged;     /* items delivered within another item's page */
    uint64_t retries;    /* sends refused for now */
    uint64_t failed;     /* items failed for good */
    uint64_t resent;     /* re-sends of open pages */
};

typedef void (*outbox_event_fn)(void *ctx, const struct outbox_event *ev);

/* An outbox over db (borrowed; must stay open until outbox_close) for the
 * nsinks opened sinks (borrowed), creating its tables if needed.  seed
 * drives the retry jitter.  on_event (may be NULL) hears every outcome.
 * Returns 0 and *out, or -1 with a message in err. */
int outbox_open(sqlite3 *db, struct alert_sink *sinks, size_t nsinks,
                uint64_t seed, outbox_event_fn on_event, void *ctx,
                struct outbox **out, char *err, size_t errlen);

/* Finalize the statements and free ob; the database stays open.
 * NULL-safe. */
void outbox_close(struct outbox *ob);

/* Store the n Insight records recs (borrowed) for every sink they pass,
 * in one transaction; now is when they are first due.  Records that are
 * not Insight records are counted as filtered.  Returns 0, or -1 with a
 * message in err (nothing is stored then). */
int outbox_enqueue(struct outbox *ob, json_t *const *recs, size_t n,
                   double now, char *err, size_t errlen);

/* Send at most budget items (or re-sends) that are due at now.  Returns
 * the time the next attempt is due (<= now when the budget ran out with
 * more due), or INFINITY when nothing is waiting; a database error
 * returns NAN with a message in err. */
double outbox_run(struct outbox *ob, double now, size_t budget, char *err,
                  size_t errlen);

/* Items of the open sinks neither delivered, merged nor failed (re-sends
 * do not count; items of a sink no longer configured stay in the table,
 * untouched, and do not count either).  Returns -1 on a database error. */
long long outbox_pending(struct outbox *ob);

/* The counts so far. */
const struct outbox_stats *outbox_stats(const struct outbox *ob);

#endif
