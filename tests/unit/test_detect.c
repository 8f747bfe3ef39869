/* models/detect: the Start/End lifecycle on small hand-made series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "evbatch.h"
#include "stream.h"

#include <string.h>

#define DAY 1440u
#define T0 (20000u * DAY) /* a day boundary */

/* What the engine decided, one entry per Insight (its End completes it). */
struct found {
    struct insight v[64];
    char name[64][32];
    double start_average[64], end_average[64]; /* insight.average reported */
    size_t n;
};

struct fixture {
    struct config cfg;
    struct diag diag;
    struct evbatch batch;
    struct found out;
};

static void on_report(void *ctx, const struct insight_report *r)
{
    struct found *f = ctx;
    if (r->state == STATE_END) {
        for (size_t i = 0; i < f->n; i++)
            if (f->v[i].start == r->ins->start && f->v[i].direction == r->ins->direction &&
                strcmp(f->name[i], r->name) == 0) {
                f->v[i] = *r->ins;
                f->end_average[i] = r->insight_average;
            }
        return;
    }
    assert_true(f->n < 64);
    f->v[f->n] = *r->ins;
    f->start_average[f->n] = r->insight_average;
    snprintf(f->name[f->n], sizeof f->name[0], "%s", r->name);
    f->n++;
}

/* How many gaps (decrease Insights) were found; *at is the last one. */
static size_t gaps_found(const struct found *f, size_t *at)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].direction == DIRECTION_DECREASE) {
            *at = i;
            n++;
        }
    return n;
}

static void add_named(struct fixture *f, const char *name, uint32_t minute,
                      uint32_t n)
{
    struct ct_record r = {"111122223333", "us-east-1", "iam.amazonaws.com",
                          name, NULL, "arn:aws:iam::111122223333:user/a",
                          "cli", 0, minute, 1, 0, 0, 0, NULL};
    for (uint32_t i = 0; i < n; i++)
        evbatch_add(&f->batch, &r, RECORD_COUNT);
}

static void add(struct fixture *f, uint32_t minute, uint32_t n)
{
    add_named(f, "CreateUser", minute, n);
}

/* Coverage of the account/region from T0 to `end` (a read call at each end)
 * and one CreateUser every two hours in between. */
static void background(struct fixture *f, uint32_t end)
{
    struct ct_record r = {"111122223333", "us-east-1", "ec2.amazonaws.com",
                          "DescribeInstances", NULL, "x", "y", 0, T0, 0, 0,
                          IGNORE_READ_OK, 0, NULL};
    evbatch_add(&f->batch, &r, RECORD_IGNORE);
    r.minute = end;
    evbatch_add(&f->batch, &r, RECORD_IGNORE);
    for (uint32_t m = T0 + 37; m < end; m += 120)
        add(f, m, 1);
}

/* Score the batch as `score` would (events sorted whole). */
static void run(struct fixture *f)
{
    struct stream *s = stream_new(&f->cfg, 60, on_report, &f->out);
    stream_buffer_all(s);
    stream_add_batch(s, &f->batch, &f->diag);
    stream_finish(s);
    stream_free(s);
}

static int setup(void **state)
{
    static struct fixture f;
    config_defaults(&f.cfg);
    diag_init(&f.diag);
    evbatch_init(&f.batch);
    memset(&f.out, 0, sizeof(f.out));
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    evbatch_free(&f->batch);
    config_free(&f->cfg);
    return 0;
}

static void test_burst_starts_and_ends(void **state)
{
    struct fixture *f = *state;
    uint32_t b = T0 + 8 * DAY + 200;
    background(f, T0 + 10 * DAY);
    add(f, b, 20);
    add(f, b + 1, 25);
    add(f, b + 2, 12);
    run(f);
    assert_int_equal(f->out.n, 1);
    const struct insight *i = &f->out.v[0];
    assert_int_equal(i->start, b);
    assert_int_equal(i->end, b + 3);
    assert_true(i->closed);
    assert_int_equal(i->observed, 20);
    assert_true(i->mean > 0 && i->mean < 0.02); /* about 1/120 per minute */
    assert_int_equal(i->direction, DIRECTION_INCREASE);
    assert_int_equal(i->window, 1);
}

static void test_nothing_before_min_history(void **state)
{
    struct fixture *f = *state;
    background(f, T0 + 10 * DAY);
    add(f, T0 + 6 * DAY + 500, 40); /* 6.3 days of history */
    run(f);
    assert_int_equal(f->out.n, 0);
}

static void test_short_pause_keeps_one_insight(void **state)
{
    struct fixture *f = *state;
    uint32_t b = T0 + 9 * DAY;
    background(f, T0 + 10 * DAY);
    add(f, b, 30);
    add(f, b + 4, 30); /* 3 quiet minutes: under end_after_minutes (5) */
    add(f, b + 20, 30); /* 15 quiet minutes: a new Insight */
    run(f);
    assert_int_equal(f->out.n, 2);
    assert_int_equal(f->out.v[0].start, b);
    assert_int_equal(f->out.v[0].end, b + 5);
    assert_int_equal(f->out.v[1].start, b + 20);
}

static void test_open_at_end_of_data(void **state)
{
    struct fixture *f = *state;
    uint32_t end = T0 + 10 * DAY;
    background(f, end);
    add(f, end - 2, 30);
    run(f);
    assert_int_equal(f->out.n, 1);
    assert_false(f->out.v[0].closed);
    assert_int_equal(f->out.v[0].start, end - 2);
}

static void test_steady_rate_is_quiet(void **state)
{
    struct fixture *f = *state;
    background(f, T0 + 14 * DAY);
    for (uint32_t m = T0 + 3; m < T0 + 14 * DAY; m += 60)
        add(f, m, 8); /* an hourly job making 8 calls */
    run(f);
    assert_int_equal(f->out.n, 0);
}

static void test_missed_runs_are_a_gap(void **state)
{
    /* A job every 10 minutes for 10 days, silent from day 9 12:00 to
     * 14:00: a decrease Insight from the first missed run to the return. */
    struct fixture *f = *state;
    uint32_t end = T0 + 10 * DAY, stop = T0 + 9 * DAY + 720, back = stop + 120;
    background(f, end);
    for (uint32_t m = T0 + 5; m < end; m += 10)
        if (m < stop || m >= back)
            add_named(f, "PutParameter", m, 2);
    run(f);
    size_t i = 0;
    assert_int_equal(gaps_found(&f->out, &i), 1);
    const struct insight *g = &f->out.v[i];
    assert_int_equal(g->start, stop + 5);    /* the first run that did not come */
    assert_int_equal(g->end, back + 5);      /* the run that came back */
    assert_true(g->decided <= g->start + 10); /* known within minutes */
    assert_int_equal(g->period, 10);
    assert_true(g->closed);
}

static void test_sustained_rise_is_found_by_a_window(void **state)
{
    /* One call every 2 minutes, then 2 calls a minute for 3 hours: no
     * single minute is extreme, an hour of them is. */
    struct fixture *f = *state;
    uint32_t end = T0 + 10 * DAY, rise = T0 + 9 * DAY + 300;
    background(f, end);
    for (uint32_t m = T0 + 1; m < end; m += 2)
        if (m < rise || m >= rise + 180)
            add_named(f, "CreateTags", m, 1);
    for (uint32_t m = rise; m < rise + 180; m++)
        add_named(f, "CreateTags", m, 2);
    run(f);
    const struct insight *i = NULL;
    for (size_t k = 0; k < f->out.n; k++)
        if (strcmp(f->out.name[k], "CreateTags") == 0)
            i = &f->out.v[k];
    assert_non_null(i);
    assert_int_equal(i->direction, DIRECTION_INCREASE);
    assert_true(i->window > 1);
    assert_in_range(i->start, rise - 2, rise + 30);
    assert_true(i->decided < rise + 60);
    assert_in_range(i->end, rise + 170, rise + 181);
}

static void test_business_hours_wave_is_normal(void **state)
{
    /* 3 calls a minute from 09:00 to 17:00 on weekdays, nothing otherwise,
     * for 3 weeks: the morning rise is expected, never an Insight. */
    struct fixture *f = *state;
    uint32_t end = T0 + 21 * DAY;
    background(f, end);
    for (uint32_t d = 0; d < 21; d++) {
        uint32_t day = T0 / DAY + d;
        if ((day + 3) % 7 >= 5) /* Saturday, Sunday */
            continue;
        for (uint32_t m = 540; m < 1020; m++)
            add(f, day * DAY + m, 3);
    }
    run(f);
    assert_int_equal(f->out.n, 0);
}

/* A job that misses runs before the account has min_history_days of logs:
 * no gap can be raised yet, and the engine must not wait for one (this
 * once spun for ever re-asking for the same silence). */
static void test_gap_before_history_is_quiet(void **state)
{
    struct fixture *f = *state;
    uint32_t end = T0 + 3 * DAY, stop = T0 + 2 * DAY, back = stop + 120;
    background(f, end);
    for (uint32_t m = T0 + 5; m < end; m += 10)
        if (m < stop || m >= back)
            add_named(f, "PutParameter", m, 1);
    run(f);
    assert_int_equal(f->out.n, 0);
}

/* The minimal case: an exact 10-minute job for 10 days and one
 * extra call at 11:58 on the last day.  The run at 12:00 came on time, so
 * there is no gap (this raised one at 11:59). */
static void test_extra_call_before_a_run_is_no_gap(void **state)
{
    struct fixture *f = *state;
    uint32_t end = T0 + 10 * DAY;
    background(f, end);
    for (uint32_t m = T0; m < end; m += 10)
        add_named(f, "PutParameter", m, 1);
    add_named(f, "PutParameter", T0 + 9 * DAY + 718, 1);
    run(f);
    size_t i = 0;
    assert_int_equal(gaps_found(&f->out, &i), 0);
}

/* A 10-minute job with calls by hand through the working day misses
 * 12:00 to 12:40 on day 9, and a person calls at 12:48.  One gap, from
 * the first run that did not come (12:00) to the call that ended the
 * silence; no call falls inside it, so its Start and End report 0; and
 * the call by hand, off the job's phase, raises no second gap before the
 * job's runs come back at 12:50. */
static void test_gap_amid_extra_calls_spans_no_call(void **state)
{
    struct fixture *f = *state;
    uint32_t end = T0 + 10 * DAY, day9 = T0 + 9 * DAY;
    uint64_t x = 0x9e3779b97f4a7c15u;
    background(f, end);
    for (uint32_t m = T0; m < end; m += 10)
        if (m < day9 + 720 || m >= day9 + 770)
            add_named(f, "PutParameter", m, 1);
    for (uint32_t d = 0; d < 10; d++)
        for (int i = 0; i < 6; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            uint32_t m = T0 + d * DAY + 480 + (uint32_t)(x >> 33) % 600;
            if (m < day9 + 715 || m >= day9 + 770)
                add_named(f, "PutParameter", m, 1);
        }
    add_named(f, "PutParameter", day9 + 768, 1);
    run(f);
    size_t i = 0;
    assert_int_equal(gaps_found(&f->out, &i), 1);
    const struct insight *g = &f->out.v[i];
    assert_int_equal(g->start, day9 + 720);
    assert_int_equal(g->end, day9 + 768);
    assert_true(g->closed);
    assert_int_equal(g->period, 10);
    assert_true(g->decided <= g->start + 6);
    assert_true(f->out.start_average[i] == 0);
    assert_true(f->out.end_average[i] == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_burst_starts_and_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_before_min_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_pause_keeps_one_insight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_at_end_of_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_steady_rate_is_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missed_runs_are_a_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sustained_rise_is_found_by_a_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_business_hours_wave_is_normal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_before_history_is_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extra_call_before_a_run_is_no_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_amid_extra_calls_spans_no_call, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
