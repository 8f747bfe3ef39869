/* alert_batch — score --alert: enqueue, drain within a deadline, report. */
#include "alert_batch.h"

#include "alert.h"
#include "outbox.h"
#include "xalloc.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Deliveries per outbox_run call: the loop checks its deadline between. */
#define RUN_BUDGET 16
/* Longest nap between two runs, so the deadline is kept. */
#define MAX_NAP 1.0

struct report {
    int quiet;
    unsigned long long failed;
};

static double wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap(double seconds)
{
    struct timespec ts;

    if (seconds <= 0)
        return;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

static void on_event(void *ctx, const struct outbox_event *ev)
{
    struct report *r = ctx;

    if (ev->outcome == OUTBOX_FAILED)
        fprintf(stderr, "ctinsights: alert: sink '%s': %s %s: failed after "
                "%d attempt%s: %s\n", ev->sink, ev->state, ev->shared_id,
                ev->attempts, ev->attempts == 1 ? "" : "s", ev->detail);
    else if (ev->outcome == OUTBOX_RETRY && !r->quiet)
        fprintf(stderr, "ctinsights: alert: sink '%s': %s %s: %s; retrying "
                "in %.1fs\n", ev->sink, ev->state, ev->shared_id, ev->detail,
                ev->next_at - wall());
}

/* An in-memory database for a run without a state file. */
static sqlite3 *open_memory(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        fprintf(stderr, "ctinsights: cannot open an in-memory database: %s\n",
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Run the outbox until nothing is pending or deadline passes. */
static int drain(struct outbox *ob, double deadline, char *err, size_t errlen)
{
    for (;;) {
        double now = wall();
        double next = outbox_run(ob, now, RUN_BUDGET, err, errlen);
        long long pending = outbox_pending(ob);

        if (isnan(next) || pending < 0)
            return -1;
        if (pending == 0 || now >= deadline)
            return 0;
        if (next > deadline)
            next = deadline;
        now = wall();
        nap(next - now < MAX_NAP ? next - now : MAX_NAP);
    }
}

int alert_batch_deliver(const struct config *c, sqlite3 *state_db,
                        json_t *const *recs, size_t n, int quiet)
{
    struct alert_sink *sinks = xcalloc(c->n_sinks + 1, sizeof *sinks);
    size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(c->precision);
    struct report rep = {quiet, 0};
    struct outbox *ob = NULL;
    sqlite3 *db = NULL;
    char err[1024] = "";
    long long pending = 0;
    int rc = 2;

    for (size_t i = 0; i < c->n_sinks; i++) {
        if (alert_sink_open(&sinks[i], &c->sinks[i], flags, err,
                            sizeof err) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            goto out;
        }
    }
    db = state_db ? state_db : open_memory();
    if (!db)
        goto out;
    if (outbox_open(db, sinks, c->n_sinks, (uint64_t)wall() ^ (uint64_t)getpid(),
                    on_event, &rep, &ob, err, sizeof err) != 0 ||
        outbox_enqueue(ob, recs, n, wall(), err, sizeof err) != 0 ||
        drain(ob, wall() + c->drain_seconds, err, sizeof err) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        goto out;
    }
    pending = outbox_pending(ob);
    {
        const struct outbox_stats *st = outbox_stats(ob);

        if (!quiet)
            fprintf(stderr, "ctinsights: alerts: %llu stored (%llu already "
                "stored), %llu delivered, %llu merged into pages, %llu "
                "retries, %llu failed, %lld still waiting%s\n",
                (unsigned long long)st->enqueued,
                (unsigned long long)st->duplicates,
                (unsigned long long)st->delivered,
                (unsigned long long)st->merged,
                (unsigned long long)st->retries,
                (unsigned long long)st->failed, pending,
                pending > 0 ? (state_db ? " (kept in the state file for the "
                                            "next run)"
                                          : " (lost: give --state FILE to "
                                            "keep them)")
                            : "");
        rc = st->failed > 0 || pending > 0 ? 1 : 0;
    }
out:
    outbox_close(ob);
    if (db != state_db)
        sqlite3_close(db);
    for (size_t i = 0; i < c->n_sinks; i++)
        alert_sink_close(&sinks[i]);
    xfree(sinks);
    return rc;
}
