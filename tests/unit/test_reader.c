/*
 * Unit tests for engine/input/reader.c: the files of a walk are handed to
 * the consumer in the walk's order, one callback per file (also one with
 * no valid record), each with its own batch, whatever the thread count;
 * a file that cannot be opened is counted as a read error; once the
 * callback sets the stop flag no further file is handed over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "reader.h"
#include "scratch_fixture.h"
#include "source_walk.h"

#define NFILES 70

/* Records in file i: 0 to 4 (0: one damaged line only). */
static size_t records_in(int i)
{
    return (size_t)(i % 5);
}

static int setup(void **state)
{
    if (scratch_setup(state) != 0)
        return -1;
    for (int i = 0; i < NFILES; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/f%03d.json", scratch, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        if (records_in(i) == 0)
            fputs("{\"eventTime\":\n", f);
        for (size_t k = 0; k < records_in(i); k++)
            fprintf(f, "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-03-12T14:%02zu:00Z\","
                       "\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"Op%d\","
                       "\"awsRegion\":\"us-east-1\",\"recipientAccountId\":\"1\","
                       "\"readOnly\":false,\"managementEvent\":true}\n",
                    k, i);
        fclose(f);
    }
    return 0;
}

static int teardown(void **state)
{
    reader_default_threads(0);
    return scratch_teardown(state);
}

/* What the consumer saw. */
struct seen {
    char name[NFILES + 8][128];
    size_t n[NFILES + 8];
    int op[NFILES + 8]; /* the i of eventName Op<i> of the batch, -1: none */
    size_t calls;
    size_t stop_after; /* set stop once this many files were handed over */
    int stop;
};

static void on_batch(void *ctx, const char *name, const struct evbatch *b)
{
    struct seen *s = ctx;
    assert_true(s->calls < NFILES + 8);
    snprintf(s->name[s->calls], sizeof s->name[0], "%s", name);
    s->n[s->calls] = b->n;
    s->op[s->calls] = -1;
    for (size_t i = 0; i < b->n; i++) {
        int op = atoi(evbatch_str(b, b->ev[i].str[EVF_NAME]) + 2);
        assert_true(i == 0 || op == s->op[s->calls]); /* one file's records */
        s->op[s->calls] = op;
    }
    s->calls++;
    if (s->stop_after && s->calls >= s->stop_after)
        s->stop = 1;
}

/* Read the walk over paths with threads threads into s. */
static void run(char *const *paths, size_t npaths, int threads, struct seen *s,
                struct diag *d)
{
    struct config c;
    struct source_walk w;
    struct reader_opts o = {0, &s->stop};
    config_defaults(&c);
    diag_init(d);
    d->out = fopen("/dev/null", "w");
    reader_default_threads(threads);
    assert_int_equal(reader_threads(), threads);
    source_walk_init(&w, paths, npaths);
    reader_run(&w, &c, &o, d, on_batch, s);
    source_walk_free(&w);
    fclose(d->out);
    d->out = NULL;
    config_free(&c);
}

static void test_walk_order_whatever_the_threads(void **state)
{
    static const int threads[] = {1, 2, 3, 8};
    char *paths[] = {scratch};
    (void)state;
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        struct seen *s = calloc(1, sizeof *s);
        struct diag d;
        run(paths, 1, threads[t], s, &d);
        assert_int_equal(s->calls, NFILES);
        for (int i = 0; i < NFILES; i++) {
            char want[128];
            snprintf(want, sizeof want, "%s/f%03d.json", scratch, i);
            assert_string_equal(s->name[i], want);
            assert_int_equal(s->n[i], records_in(i));
            assert_int_equal(s->op[i], records_in(i) ? i : -1);
        }
        assert_int_equal(d.files, NFILES);
        /* Each file's records, and every fifth file's damaged line, once. */
        size_t want = 0;
        for (int i = 0; i < NFILES; i++)
            want += records_in(i) ? records_in(i) : 1;
        assert_int_equal(d.records, want);
        assert_int_equal(d.skipped[SKIP_TRUNCATED] + d.skipped[SKIP_INVALID_JSON], NFILES / 5);
        diag_free(&d);
        free(s);
    }
}

static void test_read_error_counted(void **state)
{
    char missing[128], one[128], two[128];
    char *paths[] = {one, missing, two};
    (void)state;
    snprintf(one, sizeof one, "%s/f001.json", scratch);
    snprintf(missing, sizeof missing, "%s/gone.json", scratch);
    snprintf(two, sizeof two, "%s/f002.json", scratch);
    for (int threads = 1; threads <= 4; threads += 3) {
        struct seen *s = calloc(1, sizeof *s);
        struct diag d;
        run(paths, 3, threads, s, &d);
        assert_int_equal(d.skipped[SKIP_READ_ERROR], 1);
        /* Handed over in its place, empty, and the walk goes on. */
        assert_int_equal(s->calls, 3);
        assert_string_equal(s->name[0], one);
        assert_string_equal(s->name[1], missing);
        assert_string_equal(s->name[2], two);
        assert_int_equal(s->n[0], 1);
        assert_int_equal(s->n[1], 0);
        assert_int_equal(s->n[2], 2);
        diag_free(&d);
        free(s);
    }
}

/* Read with threads threads, setting stop once after files were handed
 * over; the number of files handed over. */
static size_t handed_over_before_stop(int threads, size_t after)
{
    char *paths[] = {scratch};
    struct seen *s = calloc(1, sizeof *s);
    struct diag d;
    size_t calls;
    s->stop_after = after;
    run(paths, 1, threads, s, &d);
    calls = s->calls;
    if (calls != after)
        print_error("threads %d, stop after %zu: %zu files handed over\n",
                    threads, after, calls);
    diag_free(&d);
    free(s);
    return calls;
}

static void test_stop_flag(void **state)
{
    static const size_t at[] = {1, 5, 17, 40};
    (void)state;
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++)
        assert_int_equal(handed_over_before_stop(1, at[k]), at[k]);
    /* Worker threads: also while the walk is claimed a file at a time. */
    assert_int_equal(handed_over_before_stop(4, 1), 1);
    assert_int_equal(handed_over_before_stop(4, 5), 5);
}

/* reader.h: once cb has set *stop no further file is handed over, also
 * late in a walk, when worker threads claim files in groups (more than one
 * once 4 * threads groups were claimed). */
static void test_stop_flag_late_in_the_walk(void **state)
{
    (void)state;
    assert_int_equal(handed_over_before_stop(4, 17), 17);
    assert_int_equal(handed_over_before_stop(4, 40), 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_order_whatever_the_threads),
        cmocka_unit_test(test_read_error_counted),
        cmocka_unit_test(test_stop_flag),
        cmocka_unit_test(test_stop_flag_late_in_the_walk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
