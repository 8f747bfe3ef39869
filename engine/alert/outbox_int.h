/*
 * outbox_int — what outbox.c (storage: open, enqueue, counts) and
 * outbox_send.c (delivery: pages, retries, rate) share.  Private to the
 * outbox; see outbox.h for the contract.
 *
 * The database helpers bind by @name, reset and clear bindings after each
 * use, and report errors as "state database: WHAT: sqlite message" in the
 * error buffer of the call under way (ob->err); they return 0 or -1.
 */
#ifndef CTI_OUTBOX_INT_H
#define CTI_OUTBOX_INT_H

#include "outbox.h"

#include <sqlite3.h>

/* The prepared statements, one per OUTBOX_SQL_* of outbox_sql.h. */
enum stmt {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
    S_FIND_ITEM, S_FIND_PAGE, S_ADD_PAGE, S_ADD_ITEM, S_HEAD, S_MEMBERS,
    S_STILL_OPEN, S_SET_ITEM, S_MERGE, S_PAGE_FIRED, S_PAGE_CLOSED,
    S_RESEND_DUE, S_PENDING, NSTMT
};

/* A sink's token bucket. */
struct bucket {
    double tokens;
    double at; /* when tokens was last refilled; < 0 before first use */
};

struct outbox {
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT];
    struct alert_sink *sinks;
    struct bucket *buckets;
    size_t nsinks;
    uint64_t rng;
    size_t turn; /* the sink outbox_run serves first, in rotation */
    int nested;  /* the writes under way are a savepoint in the caller's
                  * transaction */
    outbox_event_fn on_event;
    void *ctx;
    struct outbox_stats stats;
    char *err; /* of the call under way */
    size_t errlen;
};

/* Set ob->err from the database's last error; returns -1. */
int outbox__db_fail(struct outbox *ob, const char *what);
/* Bind a value to the named parameter of s; text NULL binds NULL. */
void outbox__bind_text(sqlite3_stmt *s, const char *name, const char *v);
void outbox__bind_double(sqlite3_stmt *s, const char *name, double v);
void outbox__bind_int(sqlite3_stmt *s, const char *name, sqlite3_int64 v);
/* Reset s and clear its bindings, ready for the next use. */
void outbox__done(sqlite3_stmt *s);
/* Step statement k to its end (rows are not needed) and reset it. */
int outbox__exec(struct outbox *ob, enum stmt k);
/* Start a group of writes: a transaction of its own, or, when the caller
 * has one open, a savepoint in it (the caller's commit then covers both). */
int outbox__begin(struct outbox *ob);
/* Commit (or release) when rc is 0, else roll back; returns 0, or -1 when
 * rc was not 0 or the commit failed (the writes are then rolled back). */
int outbox__end(struct outbox *ob, int rc);
/* The text of column col of s's current row, copied (NULL stays NULL). */
char *outbox__column_dup(sqlite3_stmt *s, int col);

#endif
