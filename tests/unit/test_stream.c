/* engine/stream: event time whatever the input order — the reorder
 * window, late events (and what they still count for), the sorted whole,
 * batches taken whole, copies counted once, and learned lateness. */
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
                             "cli", 0, 0, 1, 0, 0, 0, NULL};
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
    /* Newest first (LookupEvents): late, never silently lost, and the
     * same when sorted whole. */
    static size_t rev[MAXREC];
    static struct lines reversed;
    for (size_t i = 0; i < n; i++)
        rev[i] = perm[n - 1 - i];
    assert_true(score(recs, rev, n, 60, 0, 50, &reversed) > 0);
    assert_int_equal(score(recs, rev, n, 60, 1, 50, &reversed), 0);
    assert_int_equal(reversed.n, sorted.n);
    for (size_t i = 0; i < sorted.n; i++)
        assert_string_equal(reversed.v[i], sorted.v[i]);
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
                          "CreateUser", NULL, "arn", "agent", 0, T0 + 100, 1, 0, 0, 0, NULL};
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
    assert_int_equal(d.counted_calls, 5); /* the late one too */
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
                          "CreateUser", NULL, "arn", "agent", 0, T0, 1, 0, 0, 0, NULL};
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


/* A batch is taken whole before any watermark moves: each file of 20
 * minutes of events, its records newest first, gives what time order gives
 * with a watermark only 15 minutes behind its newest event (the prior of a
 * learning one: these events are too few to learn from), as long as a file
 * spans less than the reorder window. */
static void test_batch_taken_whole(void **state)
{
    static struct ct_record recs[MAXREC];
    static size_t perm[MAXREC];
    static struct lines sorted, files;
    (void)state;
    size_t n = make_events(recs, MAXREC);
    time_order(recs, perm, n);
    assert_int_equal(score(recs, perm, n, 60, 0, 50, &sorted), 0);
    struct config c;
    struct diag d;
    struct evbatch b;
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    memset(&files, 0, sizeof(files));
    struct stream *s = stream_new(&c, 30, on_report, &files);
    stream_learn_lateness(s, 2);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && recs[perm[j]].minute / 20 == recs[perm[i]].minute / 20)
            j++;
        for (size_t k = j; k-- > i;)
            evbatch_add(&b, &recs[perm[k]], RECORD_COUNT);
        assert_int_equal(stream_add_batch(s, &b, &d), 0);
        evbatch_clear(&b);
        i = j;
    }
    struct stream_stats st;
    stream_get_stats(s, &st);
    assert_int_equal(st.lateness_most, 15);
    stream_finish(s);
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
    qsort(files.v, files.n, sizeof files.v[0], line_cmp);
    assert_int_equal(files.n, sorted.n);
    for (size_t i = 0; i < sorted.n; i++)
        assert_string_equal(files.v[i], sorted.v[i]);
}

/* Records delivered twice (same id) count once, in order and sorted whole;
 * a record that only shares the id of another (id differs: other fields)
 * counts. */
static void test_copies_count_once(void **state)
{
    static struct ct_record recs[MAXREC], twice[2 * MAXREC];
    static size_t perm[MAXREC];
    static struct lines once, copies, copies_sorted;
    (void)state;
    size_t n = make_events(recs, MAXREC);
    time_order(recs, perm, n);
    for (size_t i = 0; i < n; i++)
        recs[i].id = 1000 + i;
    assert_int_equal(score(recs, perm, n, 60, 0, 50, &once), 0);
    /* Every 7th record again, 3 records after the original. */
    size_t m = 0, ncopies = 0;
    for (size_t i = 0; i < n; i++) {
        twice[m++] = recs[perm[i]];
        if (i >= 3 && (i - 3) % 7 == 0) {
            twice[m++] = recs[perm[i - 3]];
            ncopies++;
        }
    }
    struct config c;
    struct diag d;
    struct evbatch b;
    for (int sorted = 0; sorted < 2; sorted++) {
        struct lines *out = sorted ? &copies_sorted : &copies;
        config_defaults(&c);
        diag_init(&d);
        evbatch_init(&b);
        memset(out, 0, sizeof(*out));
        struct stream *s = stream_new(&c, 60, on_report, out);
        if (sorted)
            stream_buffer_all(s);
        for (size_t i = 0; i < m; i += 50) {
            for (size_t k = i; k < m && k < i + 50; k++)
                evbatch_add(&b, &twice[k], RECORD_COUNT);
            assert_int_equal(stream_add_batch(s, &b, &d), 0);
            evbatch_clear(&b);
        }
        stream_finish(s);
        assert_int_equal(d.duplicates, ncopies);
        assert_int_equal(d.counted_calls, n);
        stream_free(s);
        evbatch_free(&b);
        config_free(&c);
        qsort(out->v, out->n, sizeof out->v[0], line_cmp);
        assert_int_equal(out->n, once.n);
        for (size_t i = 0; i < once.n; i++)
            assert_string_equal(out->v[i], once.v[i]);
    }
    /* Same id in a record that is another one (its id was made from
     * other fields): counted. */
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    struct stream *s = stream_new(&c, 60, on_report, &copies);
    struct ct_record r = recs[0];
    evbatch_add(&b, &r, RECORD_COUNT);
    r.id++;
    evbatch_add(&b, &r, RECORD_COUNT);
    stream_add_batch(s, &b, &d);
    assert_int_equal(d.duplicates, 0);
    assert_int_equal(d.counted_calls, 2);
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
}

/* A watermark that learns: the prior until a thousand events, then what
 * the events needed (at least `least`), up to the reorder window. */
static void test_learned_lateness(void **state)
{
    struct config c;
    struct diag d;
    struct evbatch b;
    struct lines out = {0};
    struct stream_stats st;
    (void)state;
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    struct stream *s = stream_new(&c, 60, on_report, &out);
    stream_learn_lateness(s, 2);
    struct ct_record r = {"111122223333", "us-east-1", "ec2.amazonaws.com",
                          "DescribeInstances", NULL, "x", "y", 0, T0, 0, 0,
                          IGNORE_READ_OK, 0, NULL};
    uint32_t m = T0;
    for (int i = 0; i < 500; i++, m++) { /* in order, one unit a minute */
        r.minute = m;
        evbatch_add(&b, &r, RECORD_IGNORE);
        stream_add_batch(s, &b, &d);
        evbatch_clear(&b);
    }
    stream_get_stats(s, &st);
    assert_int_equal(st.lateness_most, 15); /* the prior */
    assert_int_equal(st.decided_newest, m - 1 - 15);
    for (int i = 0; i < 2000; i++, m++) {
        r.minute = m;
        evbatch_add(&b, &r, RECORD_IGNORE);
        stream_add_batch(s, &b, &d);
        evbatch_clear(&b);
    }
    stream_get_stats(s, &st);
    assert_int_equal(st.lateness_most, 2); /* never late: the least */
    assert_int_equal(st.decided_newest, m - 1 - 2);
    /* One event in fifty comes in the unit of 12 minutes later, 11 behind
     * the newest before it: late until the watermark has learned to wait
     * 12 minutes. */
    size_t late = 0;
    for (int i = 0; i < 3000; i++, m++) {
        r.minute = m;
        evbatch_add(&b, &r, RECORD_IGNORE);
        if (i % 50 == 0) {
            r.minute = m - 12;
            evbatch_add(&b, &r, RECORD_IGNORE);
        }
        late += stream_add_batch(s, &b, &d);
        evbatch_clear(&b);
    }
    stream_get_stats(s, &st);
    assert_int_equal(st.lateness_most, 12);
    assert_int_equal(st.lateness_least, 12);
    (void)late; /* coverage-only events are not counted as late */
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
}

/* A periodic job every 10 minutes for 9 days, with the account's logs
 * every minute, fed one minute a unit with a watermark 3 minutes behind;
 * on day 8 the 12:00 run is delivered `delay` minutes late (or never, -1),
 * and the data ends `end` minutes after it was due (0: at day 9).
 * Returns the maintenance-gap Starts; *late gets the late events. */
static size_t late_run(int delay, uint32_t end, size_t *late)
{
    struct config c;
    struct diag d;
    struct evbatch b;
    struct lines out = {0};
    config_defaults(&c);
    diag_init(&d);
    evbatch_init(&b);
    struct stream *s = stream_new(&c, 3, on_report, &out);
    stream_learn_lateness(s, 3);
    struct ct_record run = {"111122223333", "us-east-1", "ssm.amazonaws.com",
                            "PutParameter", NULL, "arn:aws:sts::1:assumed-role/job/x",
                            "cli", 0, 0, 1, 0, 0, 0, NULL};
    struct ct_record tick = run;
    tick.name = "GetParameter";
    tick.is_write = 0;
    uint32_t held = T0 + 8 * DAY + 720;
    for (uint32_t m = T0; m < (end ? held + end : T0 + 9 * DAY); m++) {
        tick.minute = m;
        evbatch_add(&b, &tick, RECORD_IGNORE);
        if (m % 10 == 0 && m != held) {
            run.minute = m;
            evbatch_add(&b, &run, RECORD_COUNT);
        }
        if (delay >= 0 && m == held + (uint32_t)delay) {
            run.minute = held;
            evbatch_add(&b, &run, RECORD_COUNT);
        }
        stream_add_batch(s, &b, &d);
        evbatch_clear(&b);
    }
    stream_finish(s);
    *late = d.late;
    stream_free(s);
    evbatch_free(&b);
    config_free(&c);
    size_t gaps = 0;
    for (size_t i = 0; i < out.n; i++)
        gaps += strncmp(out.v[i], "Start PutParameter", 18) == 0 &&
                strstr(out.v[i], "maintenance-gap") != NULL;
    return gaps;
}

/* A run that came after its minute was decided still counts as the run:
 * no gap for its absence.  A run that never comes is a gap. */
static void test_late_run_is_no_gap(void **state)
{
    size_t late;
    (void)state;
    assert_int_equal(late_run(0, 0, &late), 0);
    assert_int_equal(late, 0);
    assert_int_equal(late_run(5, 0, &late), 0);
    assert_int_equal(late, 1);
    assert_int_equal(late_run(-1, 0, &late), 1);
}

/* Where the data ends, its last minutes may still take events (as the
 * lateness learned says): a run due there that has not come is not a gap
 * yet.  The 10-minute job's grace is 6 minutes; the data ending 7 minutes
 * after the due leaves it within the watermark's lag, 20 minutes does not. */
static void test_data_end_is_no_gap(void **state)
{
    size_t late;
    (void)state;
    assert_int_equal(late_run(-1, 7, &late), 0);
    assert_int_equal(late_run(-1, 20, &late), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_late_per_scope),
        cmocka_unit_test(test_save_and_go_on),
        cmocka_unit_test(test_many_scopes),
        cmocka_unit_test(test_batch_taken_whole),
        cmocka_unit_test(test_copies_count_once),
        cmocka_unit_test(test_learned_lateness),
        cmocka_unit_test(test_late_run_is_no_gap),
        cmocka_unit_test(test_data_end_is_no_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
