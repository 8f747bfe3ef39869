#include "state.h"

#include "xalloc.h"

#include <stdio.h>
#include <string.h>

/* Bump when the layout of what the engine writes changes. */
#define STATE_FORMAT "ctinsights-state-1"

#define MAX_STMTS 64

struct state {
    sqlite3 *db;
    char *path;
    int in_txn;
    int full; /* the last failure was SQLITE_FULL */
    char err[512];
    sqlite3_stmt *get, *put;
    sqlite3_stmt *stmts[MAX_STMTS];
    size_t nstmts;
};

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS state_values ("
    " name TEXT PRIMARY KEY, data BLOB NOT NULL)";

static void set_err(struct state *st)
{
    int code = sqlite3_extended_errcode(st->db);
    st->full = (code & 0xff) == SQLITE_FULL;
    snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
}

const char *state_error(const struct state *st)
{
    return st->err;
}

int state_full(const struct state *st)
{
    return st->full;
}

sqlite3 *state_db(struct state *st)
{
    return st->db;
}

const char *state_path(const struct state *st)
{
    return st->path;
}

sqlite3_stmt *state_prepare(struct state *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (st->nstmts == MAX_STMTS) {
        snprintf(st->err, sizeof(st->err), "too many prepared statements");
        return NULL;
    }
    if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        set_err(st);
        return NULL;
    }
    st->stmts[st->nstmts++] = stmt;
    return stmt;
}

int state_exec_stmt(struct state *st, sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        set_err(st);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int exec(struct state *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = sqlite3_extended_errcode(st->db);
        st->full = (code & 0xff) == SQLITE_FULL;
        snprintf(st->err, sizeof(st->err), "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int state_begin(struct state *st)
{
    if (exec(st, "BEGIN IMMEDIATE") != 0)
        return -1;
    st->in_txn = 1;
    return 0;
}

int state_commit(struct state *st)
{
    if (exec(st, "COMMIT") != 0) {
        state_rollback(st);
        return -1;
    }
    st->in_txn = 0;
    return 0;
}

void state_rollback(struct state *st)
{
    if (st->in_txn || !sqlite3_get_autocommit(st->db)) {
        char keep[sizeof(st->err)];
        memcpy(keep, st->err, sizeof(keep));
        int full = st->full;
        exec(st, "ROLLBACK");
        memcpy(st->err, keep, sizeof(keep));
        st->full = full;
    }
    st->in_txn = 0;
}

int state_get(struct state *st, const char *name, void **data, size_t *len)
{
    sqlite3_bind_text(st->get, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st->get), out = 1;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st->get, 0);
        const void *p = sqlite3_column_blob(st->get, 0);
        *data = xmalloc(n ? n : 1);
        if (n)
            memcpy(*data, p, n);
        *len = n;
        out = 0;
    } else if (rc != SQLITE_DONE) {
        set_err(st);
        out = -1;
    }
    sqlite3_reset(st->get);
    sqlite3_clear_bindings(st->get);
    return out;
}

int state_put(struct state *st, const char *name, const void *data, size_t len)
{
    sqlite3_bind_text(st->put, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st->put, 2, data, (int)len, SQLITE_STATIC);
    return state_exec_stmt(st, st->put);
}

static int check_format(struct state *st)
{
    void *v = NULL;
    size_t n = 0;
    int rc = state_get(st, "format", &v, &n);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        if (state_begin(st) || state_put(st, "format", STATE_FORMAT, strlen(STATE_FORMAT)) ||
            state_commit(st))
            return -1;
        return 0;
    }
    int same = n == strlen(STATE_FORMAT) && memcmp(v, STATE_FORMAT, n) == 0;
    xfree(v);
    if (!same) {
        snprintf(st->err, sizeof(st->err),
                 "written by another version of ctinsights (format differs); "
                 "use a new state file or the version that wrote it");
        return -1;
    }
    return 0;
}

int state_open(const char *path, size_t max_bytes, struct state **out,
               char *err, size_t errlen)
{
    struct state *st = xcalloc(1, sizeof(*st));
    st->path = xstrdup(path);
    int rc = sqlite3_open_v2(path, &st->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open state file: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        state_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, 5000);
    char pragmas[160];
    long long pages = max_bytes ? (long long)(max_bytes / 4096) : 0;
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;%s",
             pages ? "" : " PRAGMA max_page_count=1073741823;");
    if (exec(st, pragmas) != 0 || exec(st, SCHEMA) != 0)
        goto fail;
    if (pages) {
        snprintf(pragmas, sizeof(pragmas), "PRAGMA max_page_count=%lld", pages < 8 ? 8 : pages);
        if (exec(st, pragmas) != 0)
            goto fail;
    }
    st->get = state_prepare(st, "SELECT data FROM state_values WHERE name = ?1");
    st->put = state_prepare(st, "INSERT OR REPLACE INTO state_values (name, data) VALUES (?1, ?2)");
    if (!st->get || !st->put || check_format(st) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    snprintf(err, errlen, "%s: %s", path, st->err);
    state_close(st);
    return -1;
}

void state_close(struct state *st)
{
    if (!st)
        return;
    if (st->db) {
        state_rollback(st);
        for (size_t i = 0; i < st->nstmts; i++)
            sqlite3_finalize(st->stmts[i]);
        sqlite3_close(st->db);
    }
    xfree(st->path);
    xfree(st);
}
