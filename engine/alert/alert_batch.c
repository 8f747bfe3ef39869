/* alert_batch — score --alert: enqueue, drain within a deadline, report. */
#include "alert_batch.h"

#include "alerting.h"
#include "outbox.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int alert_batch_deliver(const struct config *c, sqlite3 *state_db,
                        json_t *const *recs, size_t n, int quiet)
{
    struct alerting *al = NULL;
    sqlite3 *db = NULL;
    char err[1024] = "";
    long long pending = 0;
    int rc = 2;

    db = state_db ? state_db : open_memory();
    if (!db)
        goto out;
    if (alerting_open(c, db, quiet, &al, err, sizeof err) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        goto out;
    }
    struct outbox *ob = alerting_outbox(al);
    if (outbox_enqueue(ob, recs, n, alerting_now(), err, sizeof err) != 0 ||
        alerting_drain(al, alerting_now() + c->drain_seconds, err, sizeof err) != 0) {
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
    alerting_close(al);
    if (db != state_db)
        sqlite3_close(db);
    return rc;
}
