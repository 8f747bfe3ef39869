/* outbox — storage: the tables, enqueue, counts (see outbox.h). */
#include "outbox_int.h"

#include "alert_insight.h"
#include "outbox_sql.h"
#include "xalloc.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static const char *const stmt_sql[NSTMT] = {
    OUTBOX_SQL_BEGIN,       OUTBOX_SQL_COMMIT,      OUTBOX_SQL_ROLLBACK,
    OUTBOX_SQL_SAVEPOINT,   OUTBOX_SQL_RELEASE,     OUTBOX_SQL_ROLLBACK_TO,
    OUTBOX_SQL_FIND_ITEM,   OUTBOX_SQL_FIND_PAGE,   OUTBOX_SQL_ADD_PAGE,
    OUTBOX_SQL_ADD_ITEM,    OUTBOX_SQL_HEAD,        OUTBOX_SQL_MEMBERS,
    OUTBOX_SQL_STILL_OPEN,  OUTBOX_SQL_SET_ITEM,    OUTBOX_SQL_MERGE,
    OUTBOX_SQL_PAGE_FIRED,  OUTBOX_SQL_PAGE_CLOSED, OUTBOX_SQL_RESEND_DUE,
    OUTBOX_SQL_PENDING,
};

/* ---- database helpers --------------------------------------------------- */

int outbox__db_fail(struct outbox *ob, const char *what)
{
    if (ob->err && ob->errlen)
        snprintf(ob->err, ob->errlen, "state database: %s: %s", what,
                 sqlite3_errmsg(ob->db));
    return -1;
}

void outbox__bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);

    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

void outbox__bind_double(sqlite3_stmt *s, const char *name, double v)
{
    sqlite3_bind_double(s, sqlite3_bind_parameter_index(s, name), v);
}

void outbox__bind_int(sqlite3_stmt *s, const char *name, sqlite3_int64 v)
{
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, name), v);
}

void outbox__done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

int outbox__exec(struct outbox *ob, enum stmt k)
{
    int rc = sqlite3_step(ob->st[k]);

    while (rc == SQLITE_ROW)
        rc = sqlite3_step(ob->st[k]);
    if (rc != SQLITE_DONE) {
        outbox__db_fail(ob, stmt_sql[k]);
        outbox__done(ob->st[k]);
        return -1;
    }
    outbox__done(ob->st[k]);
    return 0;
}

int outbox__begin(struct outbox *ob)
{
    ob->nested = !sqlite3_get_autocommit(ob->db);
    return outbox__exec(ob, ob->nested ? S_SAVEPOINT : S_BEGIN);
}

int outbox__end(struct outbox *ob, int rc)
{
    if (ob->nested) {
        if (rc == 0 && outbox__exec(ob, S_RELEASE) == 0)
            return 0;
        sqlite3_step(ob->st[S_ROLLBACK_TO]);
        outbox__done(ob->st[S_ROLLBACK_TO]);
        sqlite3_step(ob->st[S_RELEASE]);
        outbox__done(ob->st[S_RELEASE]);
        return -1;
    }
    if (rc == 0 && outbox__exec(ob, S_COMMIT) == 0)
        return 0;
    if (sqlite3_get_autocommit(ob->db))
        return -1;
    sqlite3_step(ob->st[S_ROLLBACK]);
    outbox__done(ob->st[S_ROLLBACK]);
    return -1;
}

char *outbox__column_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    return t ? xstrdup((const char *)t) : NULL;
}

/* ---- open, close -------------------------------------------------------- */

int outbox_open(sqlite3 *db, struct alert_sink *sinks, size_t nsinks,
                uint64_t seed, outbox_event_fn on_event, void *ctx,
                struct outbox **out, char *err, size_t errlen)
{
    struct outbox *ob = xcalloc(1, sizeof *ob);
    char *msg = NULL;

    *out = NULL;
    ob->db = db;
    ob->sinks = sinks;
    ob->nsinks = nsinks;
    ob->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
    ob->on_event = on_event;
    ob->ctx = ctx;
    ob->err = err;
    ob->errlen = errlen;
    ob->buckets = xcalloc(nsinks + 1, sizeof *ob->buckets);
    for (size_t i = 0; i < nsinks; i++) {
        ob->buckets[i].tokens = sinks[i].cfg->burst;
        ob->buckets[i].at = -1;
    }
    if (sqlite3_exec(db, OUTBOX_SQL_SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "state database: cannot create the outbox "
                 "tables: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        goto fail;
    }
    for (int k = 0; k < NSTMT; k++) {
        if (sqlite3_prepare_v3(db, stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT,
                               &ob->st[k], NULL) != SQLITE_OK) {
            outbox__db_fail(ob, "cannot prepare the outbox statements");
            goto fail;
        }
    }
    *out = ob;
    return 0;
fail:
    outbox_close(ob);
    return -1;
}

void outbox_close(struct outbox *ob)
{
    if (!ob)
        return;
    for (int k = 0; k < NSTMT; k++)
        sqlite3_finalize(ob->st[k]);
    xfree(ob->buckets);
    xfree(ob);
}

const struct outbox_stats *outbox_stats(const struct outbox *ob)
{
    return &ob->stats;
}

/* ---- enqueue ------------------------------------------------------------ */

static int glob_ok(const char *pattern, const char *value)
{
    return !pattern || fnmatch(pattern, value, 0) == 0;
}

/* Whether the Start ai passes the filters of sink cfg. */
static int passes(const struct config_sink *cfg, const struct alert_insight *ai)
{
    return config_match(&cfg->match, ai->account, ai->region, ai->source,
                        ai->name, ai->error_code, ai->type) &&
           glob_ok(cfg->category, ai->category) && ai->score >= cfg->min_score;
}

/* The group key of ai for cfg into buf: its account, or its principal
 * (account when it has none), or the Insight itself. */
static void group_key(const struct config_sink *cfg,
                      const struct alert_insight *ai, char *buf, size_t n)
{
    if (cfg->group_by == GROUP_PRINCIPAL && ai->principal)
        snprintf(buf, n, "principal:%s", ai->principal);
    else if (cfg->group_by != GROUP_NONE)
        snprintf(buf, n, "account:%s", ai->account);
    else
        snprintf(buf, n, "insight:%s", ai->shared_id);
}

/* Look up (sink, shared_id, state): 1 with *page (a copy) when stored, 0
 * when not, -1 on error. */
static int find_item(struct outbox *ob, const char *sink, const char *shared,
                     const char *state, char **page)
{
    sqlite3_stmt *s = ob->st[S_FIND_ITEM];
    int rc;

    outbox__bind_text(s, "@sink", sink);
    outbox__bind_text(s, "@shared", shared);
    outbox__bind_text(s, "@state", state);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (page)
            *page = outbox__column_dup(s, 0);
        outbox__done(s);
        return 1;
    }
    outbox__done(s);
    return rc == SQLITE_DONE ? 0 : outbox__db_fail(ob, "cannot look up an alert");
}

/* The page the Start ai joins on sink k, or a new one: *page is a copy. */
static int page_for(struct outbox *ob, size_t k, const struct alert_insight *ai,
                    char **page)
{
    const struct config_sink *cfg = ob->sinks[k].cfg;
    sqlite3_stmt *s = ob->st[S_FIND_PAGE];
    char key[1024];
    int rc;

    group_key(cfg, ai, key, sizeof key);
    outbox__bind_text(s, "@sink", cfg->name);
    outbox__bind_text(s, "@key", key);
    outbox__bind_int(s, "@time", ai->time);
    outbox__bind_double(s, "@window", cfg->group_window);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *page = outbox__column_dup(s, 0);
        outbox__done(s);
        return 0;
    }
    outbox__done(s);
    if (rc != SQLITE_DONE)
        return outbox__db_fail(ob, "cannot look up a page");
    s = ob->st[S_ADD_PAGE];
    outbox__bind_text(s, "@sink", cfg->name);
    outbox__bind_text(s, "@page", ai->shared_id);
    outbox__bind_text(s, "@key", key);
    outbox__bind_int(s, "@time", ai->time);
    if (outbox__exec(ob, S_ADD_PAGE))
        return -1;
    *page = xstrdup(ai->shared_id);
    return 0;
}

/* Store rec (text) for sink k unless it is there or filtered out. */
static int enqueue_one(struct outbox *ob, size_t k,
                       const struct alert_insight *ai, const char *text,
                       double now)
{
    const struct alert_sink *sink = &ob->sinks[k];
    const char *name = sink->cfg->name;
    int start = strcmp(ai->state, "Start") == 0;
    char *page = NULL;
    sqlite3_stmt *s;
    int rc = find_item(ob, name, ai->shared_id, ai->state, NULL);

    if (rc != 0) {
        ob->stats.duplicates += rc > 0;
        return rc < 0 ? -1 : 0;
    }
    if (start) {
        if (!passes(sink->cfg, ai)) {
            ob->stats.filtered++;
            return 0;
        }
        if (sink->ops->pager)
            rc = page_for(ob, k, ai, &page);
        else
            page = xstrdup(ai->shared_id);
    } else {
        /* An End goes where its Start went, and nowhere else. */
        rc = find_item(ob, name, ai->shared_id, "Start", &page);
        if (rc == 0) {
            ob->stats.filtered++;
            return 0;
        }
        rc = rc < 0 ? -1 : 0;
    }
    if (rc != 0)
        goto out;
    s = ob->st[S_ADD_ITEM];
    outbox__bind_text(s, "@sink", name);
    outbox__bind_text(s, "@shared", ai->shared_id);
    outbox__bind_text(s, "@state", ai->state);
    outbox__bind_text(s, "@page", page);
    outbox__bind_int(s, "@time", ai->time);
    outbox__bind_text(s, "@record", text);
    outbox__bind_double(s, "@now", now);
    rc = outbox__exec(ob, S_ADD_ITEM);
    ob->stats.enqueued += rc == 0;
out:
    xfree(page);
    return rc;
}

int outbox_enqueue(struct outbox *ob, json_t *const *recs, size_t n,
                   double now, char *err, size_t errlen)
{
    struct outbox_stats before = ob->stats;
    int rc;

    ob->err = err;
    ob->errlen = errlen;
    if (ob->nsinks == 0 || n == 0)
        return 0;
    rc = outbox__begin(ob);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct alert_insight ai;
        char *text;

        if (alert_insight_read(recs[i], &ai) != 0) {
            ob->stats.filtered += ob->nsinks;
            continue;
        }
        text = json_dumps(recs[i], ob->sinks[0].dump_flags);
        for (size_t k = 0; k < ob->nsinks && rc == 0; k++)
            rc = enqueue_one(ob, k, &ai, text, now);
        xfree(text);
    }
    rc = outbox__end(ob, rc);
    if (rc != 0)
        ob->stats = before; /* rolled back */
    return rc;
}

long long outbox_pending(struct outbox *ob)
{
    sqlite3_stmt *s = ob->st[S_PENDING];
    long long n = 0;

    for (size_t k = 0; k < ob->nsinks; k++) {
        outbox__bind_text(s, "@sink", ob->sinks[k].cfg->name);
        if (sqlite3_step(s) != SQLITE_ROW) {
            outbox__done(s);
            return -1;
        }
        n += sqlite3_column_int64(s, 0);
        outbox__done(s);
    }
    return n;
}
