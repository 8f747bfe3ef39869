#include "insight_store.h"

#include "xalloc.h"

#include <fnmatch.h>
#include <string.h>

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS insights_emitted ("
    " seq INTEGER PRIMARY KEY,"
    " shared_id TEXT NOT NULL, state TEXT NOT NULL,"
    " start_minute INTEGER NOT NULL, event_minute INTEGER NOT NULL,"
    " type TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,"
    " source TEXT NOT NULL, name TEXT NOT NULL, error TEXT,"
    " category TEXT NOT NULL, record TEXT NOT NULL,"
    " UNIQUE (shared_id, state));"
    "CREATE INDEX IF NOT EXISTS insights_emitted_by_start"
    " ON insights_emitted (start_minute)";

struct insight_store {
    struct state *st;
    sqlite3_stmt *add, *list;
};

struct insight_store *insight_store_open(struct state *st)
{
    char *msg = NULL;
    if (sqlite3_exec(state_db(st), SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return NULL;
    }
    struct insight_store *is = xcalloc(1, sizeof(*is));
    is->st = st;
    is->add = state_prepare(st,
        "INSERT OR IGNORE INTO insights_emitted (shared_id, state, start_minute,"
        " event_minute, type, account, region, source, name, error, category, record)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    /* Open only: a Start whose End is not stored. */
    is->list = state_prepare(st,
        "SELECT seq, record, account, source, name FROM insights_emitted e"
        " WHERE seq > ?1 AND start_minute >= ?2 AND start_minute < ?3"
        " AND (?4 = 0 OR (state = 'Start' AND NOT EXISTS (SELECT 1 FROM insights_emitted x"
        "  WHERE x.shared_id = e.shared_id AND x.state = 'End')))"
        " ORDER BY seq");
    if (!is->add || !is->list) {
        xfree(is);
        return NULL;
    }
    return is;
}

void insight_store_close(struct insight_store *is)
{
    xfree(is); /* its statements are the state's */
}

int64_t insight_store_add(struct insight_store *is, const struct insight_report *r,
                          const char *shared_id, const char *record)
{
    sqlite3_stmt *q = is->add;
    const struct insight *ins = r->ins;
    sqlite3_bind_text(q, 1, shared_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, r->state == STATE_START ? "Start" : "End", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, ins->start);
    sqlite3_bind_int64(q, 4, r->state == STATE_START ? ins->start : ins->end);
    sqlite3_bind_text(q, 5, detect_insight_type(r->error_rate),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, r->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 8, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, r->name, -1, SQLITE_STATIC);
    if (r->error)
        sqlite3_bind_text(q, 10, r->error, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 11, r->category, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 12, record, -1, SQLITE_STATIC);
    if (state_exec_stmt(is->st, q) != 0)
        return -1;
    sqlite3 *db = state_db(is->st);
    return sqlite3_changes(db) ? sqlite3_last_insert_rowid(db) : 0;
}

static int glob_ok(const char *pattern, const unsigned char *value)
{
    return !pattern || (value && fnmatch(pattern, (const char *)value, 0) == 0);
}

int insight_store_each(struct insight_store *is, const struct insight_filter *f,
                       int (*fn)(void *ctx, int64_t seq, const char *record),
                       void *ctx)
{
    sqlite3_stmt *q = is->list;
    sqlite3_bind_int64(q, 1, f->after);
    sqlite3_bind_int64(q, 2, f->from >= 0 ? f->from : 0);
    sqlite3_bind_int64(q, 3, f->until >= 0 ? f->until : INT64_MAX);
    sqlite3_bind_int(q, 4, f->open_only);
    int rc, out = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (!glob_ok(f->account, sqlite3_column_text(q, 2)) ||
            !glob_ok(f->source, sqlite3_column_text(q, 3)) ||
            !glob_ok(f->name, sqlite3_column_text(q, 4)))
            continue;
        if (fn(ctx, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        out = -1;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return out;
}
