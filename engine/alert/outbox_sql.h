/*
 * outbox_sql — the outbox's schema and statements (engine/alert/outbox.c).
 *
 * outbox_items holds one row per (sink, sharedEventID, state): the Insight
 * record as sent, its page, and where its delivery stands (status pending,
 * delivered, merged or failed; attempts; next_at, when it is tried next;
 * last_error).  id gives the order items go out in.  outbox_pages holds
 * the pages of pager sinks: the group key they collect, when their first
 * Insight started, whether they are still open, and when an open page is
 * re-sent.  Times are seconds since 1970: REAL for wall-clock delivery
 * times, INTEGER for Insight event times.
 */
#ifndef CTI_OUTBOX_SQL_H
#define CTI_OUTBOX_SQL_H

#define OUTBOX_SQL_SCHEMA                                                   \
    "CREATE TABLE IF NOT EXISTS outbox_items ("                             \
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"                                \
    " sink TEXT NOT NULL,"                                                  \
    " shared_id TEXT NOT NULL,"                                             \
    " state TEXT NOT NULL CHECK (state IN ('Start', 'End')),"               \
    " page_id TEXT NOT NULL,"                                               \
    " event_time INTEGER NOT NULL,"                                         \
    " record TEXT NOT NULL,"                                                \
    " status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN"              \
    "  ('pending', 'delivered', 'merged', 'failed')),"                      \
    " attempts INTEGER NOT NULL DEFAULT 0,"                                 \
    " created_at REAL NOT NULL,"                                            \
    " next_at REAL NOT NULL,"                                               \
    " done_at REAL,"                                                        \
    " last_error TEXT,"                                                     \
    " UNIQUE (sink, shared_id, state));"                                    \
    "CREATE INDEX IF NOT EXISTS outbox_items_queue"                         \
    " ON outbox_items (sink, status, id);"                                  \
    "CREATE INDEX IF NOT EXISTS outbox_items_page"                          \
    " ON outbox_items (sink, page_id);"                                     \
    "CREATE TABLE IF NOT EXISTS outbox_pages ("                             \
    " sink TEXT NOT NULL,"                                                  \
    " page_id TEXT NOT NULL,"                                               \
    " page_key TEXT NOT NULL,"                                              \
    " first_time INTEGER NOT NULL,"                                         \
    " open INTEGER NOT NULL DEFAULT 1,"                                     \
    " resend_at REAL,"                                                      \
    " PRIMARY KEY (sink, page_id));"                                        \
    "CREATE INDEX IF NOT EXISTS outbox_pages_key"                           \
    " ON outbox_pages (sink, page_key, open, first_time);"

#define OUTBOX_SQL_BEGIN "BEGIN IMMEDIATE"
#define OUTBOX_SQL_COMMIT "COMMIT"
#define OUTBOX_SQL_ROLLBACK "ROLLBACK"
/* Within a transaction the caller has open. */
#define OUTBOX_SQL_SAVEPOINT "SAVEPOINT outbox"
#define OUTBOX_SQL_RELEASE "RELEASE outbox"
#define OUTBOX_SQL_ROLLBACK_TO "ROLLBACK TO outbox"

/* @sink @shared @state -> page_id */
#define OUTBOX_SQL_FIND_ITEM                                                \
    "SELECT page_id FROM outbox_items"                                      \
    " WHERE sink = @sink AND shared_id = @shared AND state = @state"

/* @sink @key @time @window -> page_id of the open page to join */
#define OUTBOX_SQL_FIND_PAGE                                                \
    "SELECT page_id FROM outbox_pages"                                      \
    " WHERE sink = @sink AND page_key = @key AND open = 1"                  \
    " AND first_time BETWEEN @time - @window AND @time + @window"           \
    " ORDER BY first_time, rowid LIMIT 1"

#define OUTBOX_SQL_ADD_PAGE                                                 \
    "INSERT INTO outbox_pages (sink, page_id, page_key, first_time)"        \
    " VALUES (@sink, @page, @key, @time)"

#define OUTBOX_SQL_ADD_ITEM                                                 \
    "INSERT INTO outbox_items (sink, shared_id, state, page_id, event_time," \
    " record, created_at, next_at)"                                         \
    " VALUES (@sink, @shared, @state, @page, @time, @record, @now, @now)"

/* @sink -> the next item to go out */
#define OUTBOX_SQL_HEAD                                                     \
    "SELECT id, shared_id, state, page_id, record, attempts, created_at,"   \
    " next_at FROM outbox_items"                                            \
    " WHERE sink = @sink AND status = 'pending' ORDER BY id LIMIT 1"

/* @sink @page @current -> the items of the page as of @current, in
 * order: every Start, and the Ends already dealt with or being sent (an
 * End still waiting its turn does not show yet). */
#define OUTBOX_SQL_MEMBERS                                                  \
    "SELECT shared_id, record FROM outbox_items"                            \
    " WHERE sink = @sink AND page_id = @page AND status <> 'failed'"        \
    " AND (state = 'Start' OR status <> 'pending' OR id = @current)"        \
    " ORDER BY id"

/* @sink @page @current -> Insights of the page still open as of the End
 * @current: no End of theirs dealt with yet, nor being dealt with */
#define OUTBOX_SQL_STILL_OPEN                                               \
    "SELECT count(*) FROM outbox_items s"                                   \
    " WHERE s.sink = @sink AND s.page_id = @page AND s.state = 'Start'"     \
    " AND s.status <> 'failed' AND NOT EXISTS (SELECT 1 FROM outbox_items e" \
    "  WHERE e.sink = s.sink AND e.shared_id = s.shared_id"                 \
    "  AND e.state = 'End' AND (e.status <> 'pending' OR e.id = @current))"

#define OUTBOX_SQL_SET_ITEM                                                 \
    "UPDATE outbox_items SET status = @status, attempts = @attempts,"       \
    " next_at = @next, done_at = @done, last_error = @error WHERE id = @id"

/* Pending items of a page in one state, now delivered with another. */
#define OUTBOX_SQL_MERGE                                                    \
    "UPDATE outbox_items SET status = 'merged', done_at = @now"             \
    " WHERE sink = @sink AND page_id = @page AND state = @state"            \
    " AND status = 'pending' RETURNING shared_id"

#define OUTBOX_SQL_PAGE_FIRED                                               \
    "UPDATE outbox_pages SET resend_at = @resend"                           \
    " WHERE sink = @sink AND page_id = @page"

#define OUTBOX_SQL_PAGE_CLOSED                                              \
    "UPDATE outbox_pages SET open = 0, resend_at = NULL"                    \
    " WHERE sink = @sink AND page_id = @page"

/* @sink -> the open page to re-send first */
#define OUTBOX_SQL_RESEND_DUE                                               \
    "SELECT page_id, resend_at FROM outbox_pages"                           \
    " WHERE sink = @sink AND open = 1 AND resend_at IS NOT NULL"            \
    " ORDER BY resend_at LIMIT 1"

#define OUTBOX_SQL_PENDING                                                  \
    "SELECT count(*) FROM outbox_items"                                     \
    " WHERE sink = @sink AND status = 'pending'"

#endif
