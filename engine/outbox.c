/* outbox — stored alerts, their pages, retries and rate (see outbox.h). */
#include "outbox.h"

#include "alert_insight.h"
#include "outbox_sql.h"
#include "xalloc.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A page's message lists at most this many Insights. */
#define MAX_PAGE_MEMBERS 100

enum stmt {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
    S_FIND_ITEM, S_FIND_PAGE, S_ADD_PAGE,
    S_ADD_ITEM, S_HEAD, S_MEMBERS, S_STILL_OPEN, S_SET_ITEM, S_MERGE,
    S_PAGE_FIRED, S_PAGE_CLOSED, S_RESEND_DUE, S_PENDING, NSTMT
};

static const char *const stmt_sql[NSTMT] = {
    OUTBOX_SQL_BEGIN,       OUTBOX_SQL_COMMIT,      OUTBOX_SQL_ROLLBACK,
    OUTBOX_SQL_SAVEPOINT,   OUTBOX_SQL_RELEASE,     OUTBOX_SQL_ROLLBACK_TO,
    OUTBOX_SQL_FIND_ITEM,   OUTBOX_SQL_FIND_PAGE,   OUTBOX_SQL_ADD_PAGE,
    OUTBOX_SQL_ADD_ITEM,    OUTBOX_SQL_HEAD,        OUTBOX_SQL_MEMBERS,
    OUTBOX_SQL_STILL_OPEN,  OUTBOX_SQL_SET_ITEM,    OUTBOX_SQL_MERGE,
    OUTBOX_SQL_PAGE_FIRED,  OUTBOX_SQL_PAGE_CLOSED, OUTBOX_SQL_RESEND_DUE,
    OUTBOX_SQL_PENDING,
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

/* One item as read by OUTBOX_SQL_HEAD; strings are copies. */
struct item {
    sqlite3_int64 id;
    char *shared_id, *state, *page_id, *record;
    int attempts;
    double created_at, next_at;
};

const char *outbox_outcome_name(enum outbox_outcome o)
{
    static const char *const names[] = {"delivered", "merged", "retry",
                                        "failed", "resent"};

    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

/* ---- database helpers --------------------------------------------------- */

static int db_fail(struct outbox *ob, const char *what)
{
    if (ob->err && ob->errlen)
        snprintf(ob->err, ob->errlen, "state database: %s: %s", what,
                 sqlite3_errmsg(ob->db));
    return -1;
}

static void bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);

    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static void bind_double(sqlite3_stmt *s, const char *name, double v)
{
    sqlite3_bind_double(s, sqlite3_bind_parameter_index(s, name), v);
}

static void bind_int(sqlite3_stmt *s, const char *name, sqlite3_int64 v)
{
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, name), v);
}

static void done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Step a statement that returns no rows (or whose rows are not needed),
 * then reset it.  0, or -1 with the message set. */
static int exec_stmt(struct outbox *ob, enum stmt k)
{
    int rc = sqlite3_step(ob->st[k]);

    while (rc == SQLITE_ROW)
        rc = sqlite3_step(ob->st[k]);
    if (rc != SQLITE_DONE) {
        db_fail(ob, stmt_sql[k]);
        done(ob->st[k]);
        return -1;
    }
    done(ob->st[k]);
    return 0;
}

/* Start a group of writes: a transaction of its own, or, when the caller
 * has one open, a savepoint in it (the caller's commit then covers both). */
static int begin(struct outbox *ob)
{
    ob->nested = !sqlite3_get_autocommit(ob->db);
    return exec_stmt(ob, ob->nested ? S_SAVEPOINT : S_BEGIN);
}

/* Commit (or release) when rc is 0, else roll back; returns 0, or -1 when
 * rc was not 0 or the commit failed (the writes are then rolled back). */
static int end(struct outbox *ob, int rc)
{
    if (ob->nested) {
        if (rc == 0 && exec_stmt(ob, S_RELEASE) == 0)
            return 0;
        sqlite3_step(ob->st[S_ROLLBACK_TO]);
        done(ob->st[S_ROLLBACK_TO]);
        sqlite3_step(ob->st[S_RELEASE]);
        done(ob->st[S_RELEASE]);
        return -1;
    }
    if (rc == 0 && exec_stmt(ob, S_COMMIT) == 0)
        return 0;
    if (sqlite3_get_autocommit(ob->db))
        return -1;
    sqlite3_step(ob->st[S_ROLLBACK]);
    done(ob->st[S_ROLLBACK]);
    return -1;
}

/* The text of column col of the current row, copied (NULL stays NULL). */
static char *column_dup(sqlite3_stmt *s, int col)
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
            db_fail(ob, "cannot prepare the outbox statements");
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

    bind_text(s, "@sink", sink);
    bind_text(s, "@shared", shared);
    bind_text(s, "@state", state);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (page)
            *page = column_dup(s, 0);
        done(s);
        return 1;
    }
    done(s);
    return rc == SQLITE_DONE ? 0 : db_fail(ob, "cannot look up an alert");
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
    bind_text(s, "@sink", cfg->name);
    bind_text(s, "@key", key);
    bind_int(s, "@time", ai->time);
    bind_double(s, "@window", cfg->group_window);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *page = column_dup(s, 0);
        done(s);
        return 0;
    }
    done(s);
    if (rc != SQLITE_DONE)
        return db_fail(ob, "cannot look up a page");
    s = ob->st[S_ADD_PAGE];
    bind_text(s, "@sink", cfg->name);
    bind_text(s, "@page", ai->shared_id);
    bind_text(s, "@key", key);
    bind_int(s, "@time", ai->time);
    if (exec_stmt(ob, S_ADD_PAGE))
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
    bind_text(s, "@sink", name);
    bind_text(s, "@shared", ai->shared_id);
    bind_text(s, "@state", ai->state);
    bind_text(s, "@page", page);
    bind_int(s, "@time", ai->time);
    bind_text(s, "@record", text);
    bind_double(s, "@now", now);
    rc = exec_stmt(ob, S_ADD_ITEM);
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
    rc = begin(ob);
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
    rc = end(ob, rc);
    if (rc != 0)
        ob->stats = before; /* rolled back */
    return rc;
}

/* ---- delivery ----------------------------------------------------------- */

static void item_free(struct item *it)
{
    xfree(it->shared_id);
    xfree(it->state);
    xfree(it->page_id);
    xfree(it->record);
    memset(it, 0, sizeof *it);
}

/* The next pending item of sink name: 1 (it filled), 0 none, -1 error. */
static int head(struct outbox *ob, const char *name, struct item *it)
{
    sqlite3_stmt *s = ob->st[S_HEAD];
    int rc;

    bind_text(s, "@sink", name);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        it->id = sqlite3_column_int64(s, 0);
        it->shared_id = column_dup(s, 1);
        it->state = column_dup(s, 2);
        it->page_id = column_dup(s, 3);
        it->record = column_dup(s, 4);
        it->attempts = sqlite3_column_int(s, 5);
        it->created_at = sqlite3_column_double(s, 6);
        it->next_at = sqlite3_column_double(s, 7);
        done(s);
        return 1;
    }
    done(s);
    return rc == SQLITE_DONE ? 0 : db_fail(ob, "cannot read the outbox");
}

/* Insights of the page still open as of the End item current, or -1. */
static long long still_open(struct outbox *ob, const char *sink,
                            const char *page, sqlite3_int64 current)
{
    sqlite3_stmt *s = ob->st[S_STILL_OPEN];
    long long n = -1;

    bind_text(s, "@sink", sink);
    bind_text(s, "@page", page);
    bind_int(s, "@current", current);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    else
        db_fail(ob, "cannot read a page");
    done(s);
    return n;
}

/* Every Insight of the page as of item current (0: none), the latest
 * record of each, first first; NULL on a database error. */
static json_t *members(struct outbox *ob, const char *sink, const char *page,
                       sqlite3_int64 current)
{
    sqlite3_stmt *s = ob->st[S_MEMBERS];
    json_t *list = json_array(), *ids = json_object();
    int rc;

    bind_text(s, "@sink", sink);
    bind_text(s, "@page", page);
    bind_int(s, "@current", current);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        const char *text = (const char *)sqlite3_column_text(s, 1);
        json_t *rec = text ? json_loads(text, 0, NULL) : NULL;
        json_t *at = json_object_get(ids, id);

        if (!rec)
            continue;
        if (at) {
            json_array_set_new(list, (size_t)json_integer_value(at), rec);
        } else if (json_array_size(list) < MAX_PAGE_MEMBERS) {
            json_object_set_new(ids, id,
                                json_integer((json_int_t)json_array_size(list)));
            json_array_append_new(list, rec);
        } else {
            json_decref(rec);
        }
    }
    done(s);
    json_decref(ids);
    if (rc != SQLITE_DONE) {
        db_fail(ob, "cannot read a page");
        json_decref(list);
        return NULL;
    }
    return list;
}

static void emit(struct outbox *ob, enum outbox_outcome outcome,
                 const char *sink, const char *shared, const char *state,
                 int attempts, double next_at, const char *detail)
{
    struct outbox_event ev = {outcome, sink, shared, state, attempts, next_at,
                              detail};

    if (ob->on_event)
        ob->on_event(ob->ctx, &ev);
}

/* Mark the pending items of page in state merged; one event each. */
static int merge(struct outbox *ob, const char *sink, const char *page,
                 const char *state, double now)
{
    sqlite3_stmt *s = ob->st[S_MERGE];
    int rc;

    bind_text(s, "@sink", sink);
    bind_text(s, "@page", page);
    bind_text(s, "@state", state);
    bind_double(s, "@now", now);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ob->stats.merged++;
        emit(ob, OUTBOX_MERGED, sink, (const char *)sqlite3_column_text(s, 0),
             state, 0, 0, "delivered with its page");
    }
    done(s);
    return rc == SQLITE_DONE ? 0 : db_fail(ob, "cannot update the outbox");
}

static int set_item(struct outbox *ob, const struct item *it,
                    const char *status, int attempts, double next_at,
                    double done_at, const char *error)
{
    sqlite3_stmt *s = ob->st[S_SET_ITEM];

    bind_int(s, "@id", it->id);
    bind_text(s, "@status", status);
    bind_int(s, "@attempts", attempts);
    bind_double(s, "@next", next_at);
    if (done_at > 0)
        bind_double(s, "@done", done_at);
    bind_text(s, "@error", error);
    return exec_stmt(ob, S_SET_ITEM);
}

static int page_update(struct outbox *ob, enum stmt k, const char *sink,
                       const char *page, double resend_at)
{
    sqlite3_stmt *s = ob->st[k];

    bind_text(s, "@sink", sink);
    bind_text(s, "@page", page);
    if (k == S_PAGE_FIRED && resend_at > 0)
        bind_double(s, "@resend", resend_at);
    return exec_stmt(ob, k);
}

/* A number in [0, 1) (xorshift64*). */
static double uniform(struct outbox *ob)
{
    ob->rng ^= ob->rng >> 12;
    ob->rng ^= ob->rng << 25;
    ob->rng ^= ob->rng >> 27;
    return (double)((ob->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* The wait before retry number attempts (1 = the first retry). */
static double backoff(struct outbox *ob, const struct config_sink *cfg,
                      int attempts, double retry_after)
{
    double step = cfg->retry_initial * pow(2.0, attempts - 1);
    double wait;

    if (step > cfg->retry_max)
        step = cfg->retry_max;
    wait = step * (0.5 + 0.5 * uniform(ob));
    return retry_after > wait ? retry_after : wait;
}

/* Take a token from sink k's bucket at now: 1, or 0 with *when the time
 * one will be there. */
static int take_token(struct outbox *ob, size_t k, double now, double *when)
{
    struct bucket *b = &ob->buckets[k];
    const struct config_sink *cfg = ob->sinks[k].cfg;
    double per_second = cfg->rate_per_minute / 60.0;

    if (b->at < 0)
        b->at = now;
    if (now > b->at) {
        b->tokens += (now - b->at) * per_second;
        if (b->tokens > cfg->burst)
            b->tokens = cfg->burst;
        b->at = now;
    }
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 1;
    }
    *when = b->at + (1.0 - b->tokens) / per_second;
    return 0;
}

/* Send item it of sink k and record how it went. */
static int deliver(struct outbox *ob, size_t k, const struct item *it,
                   double now)
{
    struct alert_sink *sink = &ob->sinks[k];
    const struct config_sink *cfg = sink->cfg;
    int start = strcmp(it->state, "Start") == 0;
    struct alert a = {start ? ALERT_FIRING : ALERT_RESOLVED, it->page_id,
                      NULL, NULL, 0, now};
    struct alert_outcome o;
    enum outbox_outcome outcome;
    int attempts = it->attempts + 1, rc;
    double next_at = now;
    char detail[sizeof o.detail + 96];

    a.record = json_loads(it->record, 0, NULL);
    if (sink->ops->pager) {
        a.members = members(ob, cfg->name, it->page_id, it->id);
        if (!a.members) {
            json_decref(a.record);
            return -1;
        }
    }
    if (!a.record) {
        o.result = ALERT_PERMANENT;
        o.retry_after = 0;
        snprintf(o.detail, sizeof o.detail, "the stored record is not JSON");
    } else {
        sink->ops->send(sink, &a, &o);
    }
    json_decref(a.record);
    json_decref(a.members);
    snprintf(detail, sizeof detail, "%s", o.detail);
    if (o.result == ALERT_RETRY) {
        next_at = now + backoff(ob, cfg, attempts, o.retry_after);
        if (next_at - it->created_at > cfg->give_up_after) {
            o.result = ALERT_PERMANENT;
            snprintf(detail, sizeof detail, "gave up after %d attempts over "
                     "%.0fs: %s", attempts, now - it->created_at, o.detail);
        }
    }
    rc = begin(ob);
    if (rc != 0)
        return -1;
    switch (o.result) {
    case ALERT_OK:
        outcome = OUTBOX_DELIVERED;
        rc = set_item(ob, it, "delivered", attempts, now, now, NULL);
        if (rc == 0 && sink->ops->pager)
            rc = merge(ob, cfg->name, it->page_id, it->state, now);
        if (rc == 0 && sink->ops->pager)
            rc = start ? page_update(ob, S_PAGE_FIRED, cfg->name, it->page_id,
                                     cfg->resend_interval > 0
                                         ? now + cfg->resend_interval : 0)
                       : page_update(ob, S_PAGE_CLOSED, cfg->name,
                                     it->page_id, 0);
        break;
    case ALERT_RETRY:
        outcome = OUTBOX_RETRY;
        rc = set_item(ob, it, "pending", attempts, next_at, 0, detail);
        break;
    case ALERT_PERMANENT:
    default:
        outcome = OUTBOX_FAILED;
        rc = set_item(ob, it, "failed", attempts, now, now, detail);
        if (rc == 0 && sink->ops->pager && !start)
            rc = page_update(ob, S_PAGE_CLOSED, cfg->name, it->page_id, 0);
        break;
    }
    rc = end(ob, rc);
    if (rc != 0)
        return -1;
    ob->stats.delivered += outcome == OUTBOX_DELIVERED;
    ob->stats.retries += outcome == OUTBOX_RETRY;
    ob->stats.failed += outcome == OUTBOX_FAILED;
    emit(ob, outcome, cfg->name, it->shared_id, it->state, attempts, next_at,
         detail);
    return 0;
}

/* An End of a page other Insights of which are still open: it will be
 * resolved with the last one.  1 when it was merged, 0 not, -1 error. */
static int absorb_end(struct outbox *ob, size_t k, const struct item *it,
                      double now)
{
    const char *name = ob->sinks[k].cfg->name;
    long long open;
    int rc;

    if (!ob->sinks[k].ops->pager || strcmp(it->state, "End") != 0)
        return 0;
    open = still_open(ob, name, it->page_id, it->id);
    if (open <= 0)
        return open < 0 ? -1 : 0;
    rc = set_item(ob, it, "merged", it->attempts, now, now, NULL);
    if (rc != 0)
        return -1;
    ob->stats.merged++;
    emit(ob, OUTBOX_MERGED, name, it->shared_id, it->state, it->attempts, now,
         "resolved with the last Insight of its page");
    return 1;
}

/* Re-send sink k's most overdue open page if one is due: 1 sent, 0 not
 * (*next lowered to when one is due), -1 error. */
static int resend(struct outbox *ob, size_t k, double now, double *next)
{
    struct alert_sink *sink = &ob->sinks[k];
    const struct config_sink *cfg = sink->cfg;
    sqlite3_stmt *s = ob->st[S_RESEND_DUE];
    struct alert a = {ALERT_FIRING, NULL, NULL, NULL, 1, now};
    struct alert_outcome o;
    double at, when;
    char *page;
    int rc;

    bind_text(s, "@sink", cfg->name);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        done(s);
        return rc == SQLITE_DONE ? 0 : db_fail(ob, "cannot read the pages");
    }
    page = column_dup(s, 0);
    at = sqlite3_column_double(s, 1);
    done(s);
    if (at > now || !take_token(ob, k, now, &when)) {
        when = at > now ? at : when;
        *next = when < *next ? when : *next;
        xfree(page);
        return 0;
    }
    a.page_id = page;
    a.members = members(ob, cfg->name, page, 0);
    rc = -1;
    if (!a.members)
        goto out;
    a.record = json_array_get(a.members, 0);
    if (a.record)
        sink->ops->send(sink, &a, &o);
    rc = page_update(ob, S_PAGE_FIRED, cfg->name, page,
                     now + cfg->resend_interval);
    if (rc == 0 && a.record) {
        ob->stats.resent += o.result == ALERT_OK;
        emit(ob, OUTBOX_RESENT, cfg->name, page, "Start", 0,
             now + cfg->resend_interval, o.detail);
    }
    rc = rc == 0 ? 1 : -1;
out:
    json_decref(a.members);
    xfree(page);
    return rc;
}

/* Work on sink k until its next item is not due, its tokens run out, or
 * *sent reaches budget.  Lowers *next to when it has more to do. */
static int run_sink(struct outbox *ob, size_t k, double now, size_t budget,
                    size_t *sent, double *next)
{
    const char *name = ob->sinks[k].cfg->name;

    while (*sent < budget) {
        struct item it;
        double when;
        int rc;

        memset(&it, 0, sizeof it);
        rc = head(ob, name, &it);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            rc = resend(ob, k, now, next);
            *sent += rc > 0;
            if (rc <= 0)
                return rc;
            continue;
        }
        if (it.next_at > now) {
            *next = it.next_at < *next ? it.next_at : *next;
            item_free(&it);
            return 0;
        }
        rc = absorb_end(ob, k, &it, now);
        if (rc == 0 && !take_token(ob, k, now, &when)) {
            *next = when < *next ? when : *next;
            item_free(&it);
            return 0;
        }
        if (rc == 0) {
            rc = deliver(ob, k, &it, now);
            *sent += 1;
        }
        item_free(&it);
        if (rc < 0)
            return -1;
    }
    *next = now; /* budget spent; there may be more */
    return 0;
}

double outbox_run(struct outbox *ob, double now, size_t budget, char *err,
                  size_t errlen)
{
    double next = INFINITY;
    size_t sent = 0;

    ob->err = err;
    ob->errlen = errlen;
    if (ob->nsinks == 0)
        return next;
    ob->turn = (ob->turn + 1) % ob->nsinks;
    for (size_t i = 0; i < ob->nsinks; i++) {
        size_t k = (ob->turn + i) % ob->nsinks;

        if (run_sink(ob, k, now, budget, &sent, &next) != 0)
            return NAN;
    }
    return next;
}

long long outbox_pending(struct outbox *ob)
{
    sqlite3_stmt *s = ob->st[S_PENDING];
    long long n = 0;

    for (size_t k = 0; k < ob->nsinks; k++) {
        bind_text(s, "@sink", ob->sinks[k].cfg->name);
        if (sqlite3_step(s) != SQLITE_ROW) {
            done(s);
            return -1;
        }
        n += sqlite3_column_int64(s, 0);
        done(s);
    }
    return n;
}
