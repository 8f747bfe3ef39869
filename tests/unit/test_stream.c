/* engine/stream: event time whatever the input order — the reorder
 * window, late events, and the sorted whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "evbatch.h"
#include "state.h"
#include "stream.h"
#include "stream_state.h"

#include <unistd.h>

#define DAY 1440u
#define T0 (20000u * DAY)

/* Every report, flattened to a line. */
struct lines {
    char v[64][256];
    size_t n;
};

static void on_report(void *ctx, const struct insight_report *r)
{
    struct lines *l = ctx;
    assert_true(l->n < 64);
    snprintf(l->v[l->n++], sizeof l->v[0], "%s %s %s %u-%u %.6g %.6g %u %s %zu",
             r->state == STATE_START ? "Start" : "End", r->name,
             r->error ? r->error : "-", r->ins->start, r->ins->end,
             r->baseline_average, r->insight_average, r->insight_minutes,
             r->category, r->insight_attr[0].n);
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Ten days of an account: a CreateUser every 2 hours, a job every 10
 * minutes (absent for 3 hours on day 9), and on day 9 a burst of
 * CreateUser with some LimitExceededException errors. */
static size_t make_events(struct ct_record *out, size_t cap)
{
    size_t n = 0;
    struct ct_record base = {"111122223333", "us-east-1", "iam.amazonaws.com",
                             "CreateUser", NULL, "arn:aws:iam::111122223333:user/a",
                             "cli", 0, 1, 0, 0, 0, NULL};
    for (uint32_t m = T0 + 37; m < T0 + 10 * DAY && n < cap; m += 120) {
        out[n] = base;
        out[n++].minute = m;
    }
    uint32_t stop = T0 + 9 * DAY + 600;
    for (uint32_t m = T0 + 3; m < T0 + 10 * DAY && n < cap; m += 10) {
        if (m >= stop && m < stop + 180)
            continue;
        out[n] = base;
        out[n].source = "ssm.amazonaws.com";
        out[n].name = "PutParameter";
        out[n].arn = "arn:aws:sts::111122223333:assumed-role/job/x";
        out[n++].minute = m;
    }
    for (uint32_t i = 0; i < 60 && n < cap; i++) {
        out[n] = base;
        out[n].minute = T0 + 9 * DAY + 300 + i / 15;
        out[n].arn = "arn:aws:iam::111122223333:user/mallory";
        if (i % 3 == 0) {
            out[n].error = "LimitExceededException";
            out[n].counts_error = 1;
        }
        n++;
    }
    return n;
}

/* perm[0..n) gets the indexes of recs in time order. */
static void time_order(const struct ct_record *recs, size_t *perm, size_t n)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && recs[perm[j]].minute < recs[perm[j - 1]].minute; j--) {
            size_t t = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = t;
        }
}

/* Score records in the order of perm with the given reorder window (or
 * sorted whole), one batch per `per` records; returns the late events. */
static size_t score(const struct ct_record *recs, const size_t *perm, size_t n,
                    uint32_t reorder, int sorted, size_t per, struct lines *out)
{
    struct config c;
    struct diag d;
    struct evbatch b;
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    memset(out, 0, sizeof(*out));
    struct stream *s = stream_new(&c, reorder, on_report, out);
    if (sorted)
        stream_buffer_all(s);
    size_t late = 0;
    for (size_t i = 0; i < n; i++) {
        evbatch_add(&b, &recs[perm[i]], RECORD_COUNT);
        if (b.n == per || i + 1 == n) {
            late += stream_add_batch(s, &b, &d);
            evbatch_clear(&b);
        }
    }
    stream_finish(s);
    assert_int_equal(d.late, late);
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
    qsort(out->v, out->n, sizeof out->v[0], line_cmp);
    return late;
}

#define MAXREC 4000

static void test_order_does_not_matter(void **state)
{
    static struct ct_record recs[MAXREC];
    static size_t perm[MAXREC];
    static struct lines sorted, near, shuffled;
    (void)state;
    size_t n = make_events(recs, MAXREC);
    assert_true(n < MAXREC);
    time_order(recs, perm, n);
    assert_int_equal(score(recs, perm, n, 60, 0, 50, &sorted), 0);
    assert_true(sorted.n >= 4); /* the burst (call and error rate) and the gap */
    /* Near order: neighbours swapped within 30 minutes of each other. */
    for (size_t i = 0; i + 1 < n; i += 2)
        if (recs[perm[i + 1]].minute - recs[perm[i]].minute < 30) {
            size_t t = perm[i];
            perm[i] = perm[i + 1];
            perm[i + 1] = t;
        }
    assert_int_equal(score(recs, perm, n, 60, 0, 7, &near), 0);
    assert_int_equal(near.n, sorted.n);
    for (size_t i = 0; i < sorted.n; i++)
        assert_string_equal(near.v[i], sorted.v[i]);
    /* Shuffled: late within a reorder window, the same when sorted whole. */
    uint64_t x = 12345;
    for (size_t i = n - 1; i > 0; i--) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        size_t j = (size_t)(x >> 33) % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    assert_true(score(recs, perm, n, 60, 0, 100, &shuffled) > 0);
    assert_int_equal(score(recs, perm, n, 60, 1, 100, &shuffled), 0);
    assert_int_equal(shuffled.n, sorted.n);
    for (size_t i = 0; i < sorted.n; i++)
        assert_string_equal(shuffled.v[i], sorted.v[i]);
}

/* An event older than its scope's closed minutes is late, counted and
 * dropped; other scopes have their own clocks. */
static void test_late_per_scope(void **state)
{
    struct config c;
    struct diag d;
    struct evbatch b;
    struct lines out = {0};
    (void)state;
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    struct stream *s = stream_new(&c, 10, on_report, &out);
    struct ct_record r = {"111122223333", "us-east-1", "iam.amazonaws.com",
                          "CreateUser", NULL, "arn", "agent", T0 + 100, 1, 0, 0, 0, NULL};
    evbatch_add(&b, &r, RECORD_COUNT);
    r.minute = T0 + 95; /* within 10 minutes: fine */
    evbatch_add(&b, &r, RECORD_COUNT);
    r.minute = T0 + 200; /* closes up to 190 */
    evbatch_add(&b, &r, RECORD_COUNT);
    r.minute = T0 + 150; /* late */
    evbatch_add(&b, &r, RECORD_COUNT);
    r.region = "eu-west-1"; /* another scope: not late */
    evbatch_add(&b, &r, RECORD_COUNT);
    assert_int_equal(stream_add_batch(s, &b, &d), 1);
    assert_int_equal(d.late, 1);
    assert_int_equal(d.counted_calls, 4);
    stream_finish(s);
    struct stream_stats st;
    stream_get_stats(s, &st);
    assert_int_equal(st.keys, 2);
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
}

/* Stop after any record, save, load into a new engine, go on: the
 * Insights are those of a run that never stopped. */
static void test_save_and_go_on(void **state)
{
    static struct ct_record recs[MAXREC];
    static size_t order[MAXREC];
    static struct lines whole, parts;
    (void)state;
    size_t n = make_events(recs, MAXREC);
    time_order(recs, order, n);
    score(recs, order, n, 30, 0, 40, &whole);
    assert_true(whole.n >= 4);
    /* Cuts: early, mid-history, inside the burst (open Insights, pending
     * events), inside the gap, near the end. */
    size_t burst = 0, gap = 0;
    while (recs[order[burst]].minute < T0 + 9 * DAY + 302)
        burst++;
    while (recs[order[gap]].minute < T0 + 9 * DAY + 700)
        gap++;
    size_t cuts[] = {1, n / 3, burst, burst + 9, gap, n - 2};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        char path[] = "/tmp/ctinsights-test-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        unlink(path);
        struct config cfg;
        struct diag d;
        struct evbatch b;
        char err[512];
        config_defaults(&cfg);
        diag_init(&d);
        evbatch_init(&b);
        memset(&parts, 0, sizeof(parts));
        struct state *st;
        assert_int_equal(state_open(path, 0, &st, err, sizeof err), 0);
        struct stream *s = stream_new(&cfg, 30, on_report, &parts);
        assert_int_equal(stream_load(s, st, err, sizeof err), 1); /* nothing yet */
        for (size_t i = 0; i < cuts[c]; i++) {
            evbatch_add(&b, &recs[order[i]], RECORD_COUNT);
            stream_add_batch(s, &b, &d);
            evbatch_clear(&b);
            if (i % 97 == 0 || i + 1 == cuts[c]) { /* several saves */
                assert_int_equal(state_begin(st), 0);
                assert_int_equal(stream_save(s, st), 0);
                assert_int_equal(state_commit(st), 0);
                stream_saved(s);
            }
        }
        stream_free(s);
        state_close(st);
        /* A new process, every other time with a shorter reorder window
         * (as `tail` going on from what `score` learned). */
        assert_int_equal(state_open(path, 0, &st, err, sizeof err), 0);
        s = stream_new(&cfg, c % 2 ? 5 : 30, on_report, &parts);
        if (stream_load(s, st, err, sizeof err) != 0) {
            print_error("%s\n", err);
            fail();
        }
        for (size_t i = cuts[c]; i < n; i++) {
            evbatch_add(&b, &recs[order[i]], RECORD_COUNT);
            stream_add_batch(s, &b, &d);
            evbatch_clear(&b);
        }
        stream_finish(s);
        stream_free(s);
        state_close(st);
        evbatch_free(&b);
        config_free(&cfg);
        unlink(path);
        char wal[64];
        snprintf(wal, sizeof wal, "%s-wal", path);
        unlink(wal);
        snprintf(wal, sizeof wal, "%s-shm", path);
        unlink(wal);
        qsort(parts.v, parts.n, sizeof parts.v[0], line_cmp);
        assert_int_equal(parts.n, whole.n);
        for (size_t i = 0; i < whole.n; i++)
            assert_string_equal(parts.v[i], whole.v[i]);
    }
}

/* Scopes appear while others are deciding minutes: what the engine holds
 * of the first stays valid (an ASan build of this test once saw it freed). */
static void test_many_scopes(void **state)
{
    struct config c;
    struct diag d;
    struct evbatch b;
    struct lines out = {0};
    char region[32];
    (void)state;
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    struct stream *s = stream_new(&c, 5, on_report, &out);
    struct ct_record r = {"111122223333", "us-east-1", "iam.amazonaws.com",
                          "CreateUser", NULL, "arn", "agent", T0, 1, 0, 0, 0, NULL};
    uint64_t x = 99;
    for (uint32_t day = 0; day < 9; day++) {
        r.region = "us-east-1";
        for (int i = 0; i < 12; i++) { /* a dozen calls a day at random */
            x = x * 6364136223846793005u + 1442695040888963407u;
            r.minute = T0 + day * DAY + (uint32_t)((x >> 33) % DAY);
            evbatch_add(&b, &r, RECORD_COUNT);
        }
        for (int q = 0; q < 40; q++) { /* new scopes every day */
            snprintf(region, sizeof region, "xx-%u-%d", day, q);
            r.region = region;
            r.minute = T0 + day * DAY;
            evbatch_add(&b, &r, RECORD_COUNT);
        }
        stream_add_batch(s, &b, &d);
        evbatch_clear(&b);
    }
    r.region = "us-east-1"; /* a burst in the first scope: its baseline is read */
    for (int i = 0; i < 30; i++) {
        r.minute = T0 + 9 * DAY + 100;
        evbatch_add(&b, &r, RECORD_COUNT);
    }
    r.minute = T0 + 9 * DAY + 200; /* and quiet after it */
    evbatch_add(&b, &r, RECORD_COUNT);
    stream_add_batch(s, &b, &d);
    stream_finish(s);
    assert_int_equal(out.n, 2); /* its Start and End */
    struct stream_stats st;
    stream_get_stats(s, &st);
    assert_int_equal(st.keys, 1 + 9 * 40);
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_late_per_scope),
        cmocka_unit_test(test_save_and_go_on),
        cmocka_unit_test(test_many_scopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
