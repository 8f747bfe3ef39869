/* outbox_send — delivery: pages, retries, rate (see outbox.h). */
#include "outbox_int.h"

#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A page's message lists at most this many Insights. */
#define MAX_PAGE_MEMBERS 100

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

    outbox__bind_text(s, "@sink", name);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        it->id = sqlite3_column_int64(s, 0);
        it->shared_id = outbox__column_dup(s, 1);
        it->state = outbox__column_dup(s, 2);
        it->page_id = outbox__column_dup(s, 3);
        it->record = outbox__column_dup(s, 4);
        it->attempts = sqlite3_column_int(s, 5);
        it->created_at = sqlite3_column_double(s, 6);
        it->next_at = sqlite3_column_double(s, 7);
        outbox__done(s);
        return 1;
    }
    outbox__done(s);
    return rc == SQLITE_DONE ? 0 : outbox__db_fail(ob, "cannot read the outbox");
}

/* Insights of the page still open as of the End item current, or -1. */
static long long still_open(struct outbox *ob, const char *sink,
                            const char *page, sqlite3_int64 current)
{
    sqlite3_stmt *s = ob->st[S_STILL_OPEN];
    long long n = -1;

    outbox__bind_text(s, "@sink", sink);
    outbox__bind_text(s, "@page", page);
    outbox__bind_int(s, "@current", current);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    else
        outbox__db_fail(ob, "cannot read a page");
    outbox__done(s);
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

    outbox__bind_text(s, "@sink", sink);
    outbox__bind_text(s, "@page", page);
    outbox__bind_int(s, "@current", current);
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
    outbox__done(s);
    json_decref(ids);
    if (rc != SQLITE_DONE) {
        outbox__db_fail(ob, "cannot read a page");
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

    outbox__bind_text(s, "@sink", sink);
    outbox__bind_text(s, "@page", page);
    outbox__bind_text(s, "@state", state);
    outbox__bind_double(s, "@now", now);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ob->stats.merged++;
        emit(ob, OUTBOX_MERGED, sink, (const char *)sqlite3_column_text(s, 0),
             state, 0, 0, "delivered with its page");
    }
    outbox__done(s);
    return rc == SQLITE_DONE ? 0 : outbox__db_fail(ob, "cannot update the outbox");
}

static int set_item(struct outbox *ob, const struct item *it,
                    const char *status, int attempts, double next_at,
                    double done_at, const char *error)
{
    sqlite3_stmt *s = ob->st[S_SET_ITEM];

    outbox__bind_int(s, "@id", it->id);
    outbox__bind_text(s, "@status", status);
    outbox__bind_int(s, "@attempts", attempts);
    outbox__bind_double(s, "@next", next_at);
    if (done_at > 0)
        outbox__bind_double(s, "@done", done_at);
    outbox__bind_text(s, "@error", error);
    return outbox__exec(ob, S_SET_ITEM);
}

static int page_update(struct outbox *ob, enum stmt k, const char *sink,
                       const char *page, double resend_at)
{
    sqlite3_stmt *s = ob->st[k];

    outbox__bind_text(s, "@sink", sink);
    outbox__bind_text(s, "@page", page);
    if (k == S_PAGE_FIRED && resend_at > 0)
        outbox__bind_double(s, "@resend", resend_at);
    return outbox__exec(ob, k);
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
    rc = outbox__begin(ob);
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
    rc = outbox__end(ob, rc);
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

    outbox__bind_text(s, "@sink", cfg->name);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        outbox__done(s);
        return rc == SQLITE_DONE ? 0 : outbox__db_fail(ob, "cannot read the pages");
    }
    page = outbox__column_dup(s, 0);
    at = sqlite3_column_double(s, 1);
    outbox__done(s);
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

