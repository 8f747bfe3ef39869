/*
 * Unit tests for engine/alert/outbox.c with a scripted sink and a clock the test
 * drives: pages group a principal's Insights and resolve with the last End;
 * a Start that comes after its page fired updates the same page; replays
 * store nothing; retries back off and give up; a permanent refusal fails at
 * once; the rate limit holds a flood back without dropping it; open pages
 * are re-sent; the queue survives closing and reopening over the same
 * database; enqueuing inside the caller's transaction commits with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "outbox.h"
#include "xalloc.h"

#define MAX_SENT 64

/* What the scripted sink answers, and what it was given. */
static struct {
    enum alert_result answer[MAX_SENT]; /* per send, then the last repeats */
    size_t nanswer;
    size_t nsent;
    enum alert_kind kind[MAX_SENT];
    char page[MAX_SENT][40];
    char shared[MAX_SENT][40];
    size_t members[MAX_SENT];
    int resend[MAX_SENT];
} fake;

static int fake_open(struct alert_sink *s, char *err, size_t errlen)
{
    return 0;
}

static void fake_close(struct alert_sink *s)
{
}

static void fake_send(struct alert_sink *s, const struct alert *a,
                      struct alert_outcome *o)
{
    size_t i = fake.nsent++;
    const char *id = json_string_value(json_object_get(a->record,
                                                       "sharedEventID"));

    assert_true(i < MAX_SENT);
    fake.kind[i] = a->kind;
    snprintf(fake.page[i], sizeof fake.page[i], "%s", a->page_id);
    snprintf(fake.shared[i], sizeof fake.shared[i], "%s", id ? id : "");
    fake.members[i] = json_array_size(a->members);
    fake.resend[i] = a->resend;
    memset(o, 0, sizeof *o);
    o->result = fake.nanswer == 0 ? ALERT_OK
                : fake.answer[i < fake.nanswer ? i : fake.nanswer - 1];
    snprintf(o->detail, sizeof o->detail, "scripted %s",
             alert_result_name(o->result));
}

static const struct alert_sink_ops pager_ops = {
    .config = {.name = "pagerduty"}, .help = "scripted pager", .pager = 1,
    .open = fake_open, .send = fake_send, .close = fake_close,
};
static const struct alert_sink_ops record_ops = {
    .config = {.name = "webhook"}, .help = "scripted record sink", .pager = 0,
    .open = fake_open, .send = fake_send, .close = fake_close,
};

/* A sink config with quick retries and no rate limit to speak of. */
static struct config_sink sink_cfg(const char *name)
{
    struct config_sink c;

    memset(&c, 0, sizeof c);
    c.type = (char *)"pagerduty";
    c.name = (char *)name;
    c.group_by = GROUP_PRINCIPAL;
    c.group_window = 600;
    c.rate_per_minute = 6000;
    c.burst = 100;
    c.retry_initial = 1;
    c.retry_max = 8;
    c.give_up_after = 3600;
    c.timeout = 1;
    return c;
}

/* An Insight record of the shape insight_json writes. */
static json_t *insight(const char *shared, const char *state,
                       const char *time, const char *name,
                       const char *principal, double score)
{
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:{s:{s:{s:f},s:{s:f}},"
        "s:[{s:s,s:[{s:s,s:f}],s:[]}]}},s:{s:s,s:s,s:f}}",
        "eventTime", time, "awsRegion", "us-east-1", "eventID", state,
        "recipientAccountId", "111122223333", "sharedEventID", shared,
        "eventType", "AwsCloudTrailInsight", "insightDetails", "state", state,
        "eventSource", "iam.amazonaws.com", "eventName", name, "insightType",
        "ApiCallRateInsight", "insightContext", "statistics", "baseline",
        "average", 0.01, "insight", "average", 9.0, "attributions",
        "attribute", "userIdentityArn", "insight", "value", principal,
        "average", 9.0, "baseline", "additionalEventData", "direction",
        "increase", "category", "iam-burst", "score", score);
}

struct fixture {
    sqlite3 *db;
    struct config_sink cfg[2];
    struct alert_sink sinks[2];
    struct outbox *ob;
};

static void fx_open(struct fixture *f, size_t n, const struct alert_sink_ops *ops)
{
    char err[256] = "";

    for (size_t i = 0; i < n; i++) {
        f->sinks[i].ops = ops;
        f->sinks[i].cfg = &f->cfg[i];
        f->sinks[i].dump_flags = JSON_COMPACT;
    }
    if (outbox_open(f->db, f->sinks, n, 42, NULL, NULL, &f->ob, err,
                    sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);

    memset(&fake, 0, sizeof fake);
    assert_int_equal(sqlite3_open(":memory:", &f->db), SQLITE_OK);
    f->cfg[0] = sink_cfg("pager");
    f->cfg[1] = sink_cfg("second");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    outbox_close(f->ob);
    sqlite3_close(f->db);
    xfree(f);
    return 0;
}

static void enqueue(struct fixture *f, json_t *rec, double now)
{
    char err[256] = "";

    if (outbox_enqueue(f->ob, &rec, 1, now, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    json_decref(rec);
}

static double run(struct fixture *f, double now)
{
    char err[256] = "";
    double next = outbox_run(f->ob, now, 100, err, sizeof err);

    assert_false(isnan(next));
    return next;
}

#define P1 "arn:aws:sts::111122223333:assumed-role/ci/one"
#define P2 "arn:aws:iam::111122223333:user/other"

/* Three Insights of one principal: one trigger carrying all three, the
 * Ends of the first two merged, the last one resolving; another
 * principal's Insight has its own page. */
static void test_page_groups_and_resolves(void **state)
{
    struct fixture *f = *state;

    fx_open(f, 1, &pager_ops);
    enqueue(f, insight("a", "Start", "2026-03-11T02:13:00Z", "CreateUser", P1, 20), 0);
    enqueue(f, insight("b", "Start", "2026-03-11T02:14:00Z", "CreateAccessKey", P1, 20), 0);
    enqueue(f, insight("c", "Start", "2026-03-11T02:15:00Z", "AttachUserPolicy", P1, 20), 0);
    enqueue(f, insight("d", "Start", "2026-03-11T02:15:00Z", "DeleteUser", P2, 20), 0);
    enqueue(f, insight("a", "End", "2026-03-11T02:20:00Z", "CreateUser", P1, 20), 0);
    enqueue(f, insight("c", "End", "2026-03-11T02:21:00Z", "AttachUserPolicy", P1, 20), 0);
    enqueue(f, insight("d", "End", "2026-03-11T02:21:00Z", "DeleteUser", P2, 20), 0);
    enqueue(f, insight("b", "End", "2026-03-11T02:22:00Z", "CreateAccessKey", P1, 20), 0);
    assert_true(isinf(run(f, 1)));
    assert_int_equal(fake.nsent, 4);
    assert_int_equal(fake.kind[0], ALERT_FIRING);
    assert_string_equal(fake.page[0], "a");
    assert_int_equal(fake.members[0], 3);
    assert_int_equal(fake.kind[1], ALERT_FIRING);
    assert_string_equal(fake.page[1], "d");
    assert_int_equal(fake.kind[2], ALERT_RESOLVED);
    assert_string_equal(fake.page[2], "d");
    assert_int_equal(fake.kind[3], ALERT_RESOLVED);
    assert_string_equal(fake.page[3], "a");
    assert_string_equal(fake.shared[3], "b");
    assert_int_equal(outbox_stats(f->ob)->merged, 4);
    assert_int_equal(outbox_pending(f->ob), 0);
}

/* A Start past the window opens its own page; one within it, arriving
 * after the page fired, updates the same page (no new page). */
static void test_window_and_late_join(void **state)
{
    struct fixture *f = *state;

    fx_open(f, 1, &pager_ops);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    run(f, 1);
    enqueue(f, insight("b", "Start", "2026-03-11T02:05:00Z", "CreateRole", P1, 20), 2);
    enqueue(f, insight("c", "Start", "2026-03-11T03:00:00Z", "CreateLogin", P1, 20), 2);
    run(f, 3);
    assert_int_equal(fake.nsent, 3);
    assert_string_equal(fake.page[1], "a");
    assert_string_equal(fake.shared[1], "b");
    assert_int_equal(fake.members[1], 2);
    assert_string_equal(fake.page[2], "c");
}

/* Enqueuing the same records again stores nothing and sends nothing; an
 * End whose Start was filtered out is not stored. */
static void test_replay_and_filters(void **state)
{
    struct fixture *f = *state;

    f->cfg[0].min_score = 10;
    fx_open(f, 1, &record_ops);
    for (int pass = 0; pass < 2; pass++) {
        enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
        enqueue(f, insight("a", "End", "2026-03-11T02:10:00Z", "CreateUser", P1, 20), 0);
        enqueue(f, insight("z", "Start", "2026-03-11T02:00:00Z", "GetUser", P1, 3), 0);
        enqueue(f, insight("z", "End", "2026-03-11T02:10:00Z", "GetUser", P1, 30), 0);
        run(f, 1 + pass);
    }
    assert_int_equal(fake.nsent, 2);
    assert_int_equal(fake.kind[0], ALERT_FIRING);
    assert_int_equal(fake.kind[1], ALERT_RESOLVED);
    assert_int_equal(outbox_stats(f->ob)->enqueued, 2);
    assert_int_equal(outbox_stats(f->ob)->duplicates, 2);
    assert_int_equal(outbox_stats(f->ob)->filtered, 4);
}

/* Retries wait longer each time (with jitter between half and all of the
 * step, capped at retry_max), hold the End back, and give up after
 * give_up_after. */
static void test_backoff_order_give_up(void **state)
{
    struct fixture *f = *state;
    double now = 100, next, prev_wait = 0;

    f->cfg[0].give_up_after = 30;
    fake.answer[0] = ALERT_RETRY;
    fake.nanswer = 1;
    fx_open(f, 1, &record_ops);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), now);
    enqueue(f, insight("a", "End", "2026-03-11T02:10:00Z", "CreateUser", P1, 20), now);
    for (int i = 1; i <= 4; i++) {
        double step = i == 1 ? 1 : i == 2 ? 2 : i == 3 ? 4 : 8;

        next = run(f, now);
        assert_int_equal(fake.nsent, (size_t)i);
        assert_string_equal(fake.shared[i - 1], "a");
        assert_int_equal(fake.kind[i - 1], ALERT_FIRING); /* End waits */
        assert_true(next - now >= step / 2 && next - now <= step);
        assert_true(i < 3 || next - now > prev_wait / 2);
        prev_wait = next - now;
        assert_int_equal(run(f, next - 0.01) , next); /* not before it */
        assert_int_equal(fake.nsent, (size_t)i);
        now = next;
    }
    while (outbox_stats(f->ob)->failed == 0)
        now = run(f, now);
    assert_true(now - 100 <= 30 + 8);
    assert_int_equal(outbox_stats(f->ob)->failed, 1);
    /* the End goes out after its Start failed for good */
    fake.nanswer = 0;
    fake.nsent = 0;
    assert_true(isinf(run(f, now)));
    assert_int_equal(fake.nsent, 1);
    assert_int_equal(fake.kind[0], ALERT_RESOLVED);
}

/* A permanent refusal fails at once and the next item goes out. */
static void test_permanent(void **state)
{
    struct fixture *f = *state;

    fake.answer[0] = ALERT_PERMANENT;
    fake.answer[1] = ALERT_OK;
    fake.nanswer = 2;
    fx_open(f, 1, &record_ops);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    enqueue(f, insight("b", "Start", "2026-03-11T02:00:00Z", "CreateRole", P2, 20), 0);
    assert_true(isinf(run(f, 1)));
    assert_int_equal(fake.nsent, 2);
    assert_int_equal(outbox_stats(f->ob)->failed, 1);
    assert_int_equal(outbox_stats(f->ob)->delivered, 1);
}

/* A flood of 20 alerts at 60 a minute with a burst of 5: 5 at once, then
 * one a second, none dropped. */
static void test_rate_limit(void **state)
{
    struct fixture *f = *state;
    char id[16];
    double now = 0, next;

    f->cfg[0].rate_per_minute = 60;
    f->cfg[0].burst = 5;
    fx_open(f, 1, &record_ops);
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "i%02d", i);
        enqueue(f, insight(id, "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    }
    next = run(f, now);
    assert_int_equal(fake.nsent, 5);
    assert_true(fabs(next - 1.0) < 1e-6);
    next = run(f, 1.0);
    assert_int_equal(fake.nsent, 6);
    while (!isinf(next))
        next = run(f, next);
    assert_int_equal(fake.nsent, 20);
    assert_string_equal(fake.shared[19], "i19"); /* in order */
}

/* With resend_interval an open page is sent again until it resolves. */
static void test_resend(void **state)
{
    struct fixture *f = *state;
    double next;

    f->cfg[0].resend_interval = 60;
    fx_open(f, 1, &pager_ops);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    next = run(f, 0);
    assert_true(next == 60);
    run(f, 60);
    assert_int_equal(fake.nsent, 2);
    assert_int_equal(fake.resend[1], 1);
    assert_string_equal(fake.page[1], "a");
    enqueue(f, insight("a", "End", "2026-03-11T02:10:00Z", "CreateUser", P1, 20), 70);
    assert_true(isinf(run(f, 70)));
    assert_int_equal(fake.nsent, 3);
    assert_int_equal(fake.kind[2], ALERT_RESOLVED);
}

/* What is pending survives closing the outbox; each sink has its own
 * queue, counted while the sink is configured. */
static void test_reopen(void **state)
{
    struct fixture *f = *state;

    fake.answer[0] = ALERT_RETRY;
    fake.nanswer = 1;
    fx_open(f, 2, &record_ops);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    run(f, 0);
    assert_int_equal(outbox_pending(f->ob), 2);
    outbox_close(f->ob);
    /* A sink left out of the config keeps its items, uncounted. */
    fx_open(f, 1, &record_ops);
    assert_int_equal(outbox_pending(f->ob), 1);
    outbox_close(f->ob);
    f->ob = NULL;
    fake.nanswer = 0;
    fx_open(f, 2, &record_ops);
    assert_int_equal(outbox_pending(f->ob), 2);
    assert_true(isinf(run(f, 100)));
    assert_int_equal(outbox_pending(f->ob), 0);
    assert_int_equal(fake.nsent, 4);
}

/* Inside the caller's transaction, enqueue commits or rolls back with
 * it. */
static void test_callers_transaction(void **state)
{
    struct fixture *f = *state;

    fx_open(f, 1, &record_ops);
    assert_int_equal(sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    assert_int_equal(sqlite3_exec(f->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(outbox_pending(f->ob), 0);
    assert_int_equal(sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    enqueue(f, insight("a", "Start", "2026-03-11T02:00:00Z", "CreateUser", P1, 20), 0);
    assert_int_equal(sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(outbox_pending(f->ob), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_page_groups_and_resolves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_and_late_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_order_give_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permanent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callers_transaction, setup, teardown),
    };

    xalloc_install_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
