/*
 * Unit tests for engine/out/tail_output.c: records are appended one per
 * line after what the file held; after a crash the file is cut back to its
 * length at the last checkpoint (what was written after it is decided
 * again), and without a checkpoint nothing is cut; a reopen after log
 * rotation writes to the new file; a path that cannot be opened and a full
 * disk are reported with the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch_fixture.h"
#include "state.h"
#include "tail_output.h"

static char out_path[128], state_path_[128];

static int setup(void **state)
{
    if (scratch_setup(state) != 0)
        return -1;
    snprintf(out_path, sizeof out_path, "%s/insights.ndjson", scratch);
    snprintf(state_path_, sizeof state_path_, "%s/state.db", scratch);
    return 0;
}

/* The whole of path into buf (cap bytes), NUL-terminated. */
static const char *slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void line(struct tail_output *o, const char *text)
{
    char err[256] = "";
    if (tail_output_line(o, text, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
}

static void checkpoint(struct tail_output *o, struct state *st)
{
    assert_int_equal(state_begin(st), 0);
    assert_int_equal(tail_output_checkpoint(o, st), 0);
    assert_int_equal(state_commit(st), 0);
}

static struct state *open_state(void)
{
    struct state *st = NULL;
    char err[256] = "";
    if (state_open(state_path_, 0, &st, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    return st;
}

static void test_lines_appended(void **state)
{
    char err[256] = "", buf[256];
    (void)state;
    put_file(out_path, "{\"old\":1}\n");
    struct tail_output *o = tail_output_open(out_path, NULL, err, sizeof err);
    assert_non_null(o);
    line(o, "{\"a\":1}");
    /* Flushed at once: a reader of the file sees the line now. */
    assert_string_equal(slurp(out_path, buf, sizeof buf), "{\"old\":1}\n{\"a\":1}\n");
    line(o, "{\"b\":2}");
    tail_output_close(o);
    assert_string_equal(slurp(out_path, buf, sizeof buf),
                        "{\"old\":1}\n{\"a\":1}\n{\"b\":2}\n");
}

static void test_restart_cuts_back_to_the_checkpoint(void **state)
{
    char err[256] = "", buf[256];
    (void)state;
    struct state *st = open_state();
    struct tail_output *o = tail_output_open(out_path, st, err, sizeof err);
    assert_non_null(o);
    line(o, "{\"a\":1}");
    line(o, "{\"b\":2}");
    checkpoint(o, st);
    line(o, "{\"c\":3}"); /* decided after the checkpoint: lost in a crash */
    tail_output_close(o);
    state_close(st);
    assert_string_equal(slurp(out_path, buf, sizeof buf),
                        "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");

    st = open_state();
    o = tail_output_open(out_path, st, err, sizeof err);
    assert_non_null(o);
    assert_string_equal(slurp(out_path, buf, sizeof buf), "{\"a\":1}\n{\"b\":2}\n");
    line(o, "{\"c\":3}"); /* the replay decides it again: once in the file */
    checkpoint(o, st);
    tail_output_close(o);
    state_close(st);

    /* A restart right after a checkpoint keeps everything. */
    st = open_state();
    o = tail_output_open(out_path, st, err, sizeof err);
    assert_non_null(o);
    tail_output_close(o);
    state_close(st);
    assert_string_equal(slurp(out_path, buf, sizeof buf),
                        "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
}

/* The length recorded counts what the file held before it was opened. */
static void test_checkpoint_counts_what_was_there(void **state)
{
    char err[256] = "", buf[256];
    (void)state;
    put_file(out_path, "{\"old\":1}\n");
    struct state *st = open_state();
    struct tail_output *o = tail_output_open(out_path, st, err, sizeof err);
    assert_non_null(o);
    line(o, "{\"a\":1}");
    checkpoint(o, st);
    line(o, "{\"b\":2}");
    tail_output_close(o);
    o = tail_output_open(out_path, st, err, sizeof err);
    assert_non_null(o);
    tail_output_close(o);
    state_close(st);
    assert_string_equal(slurp(out_path, buf, sizeof buf), "{\"old\":1}\n{\"a\":1}\n");
}

static void test_no_state_no_cut(void **state)
{
    char err[256] = "", buf[256];
    (void)state;
    put_file(out_path, "{\"a\":1}\n{\"b\":2}\n");
    struct state *st = open_state(); /* has never recorded a length */
    struct tail_output *o = tail_output_open(out_path, st, err, sizeof err);
    assert_non_null(o);
    tail_output_close(o);
    o = tail_output_open(out_path, NULL, err, sizeof err);
    assert_non_null(o);
    tail_output_close(o);
    state_close(st);
    assert_string_equal(slurp(out_path, buf, sizeof buf), "{\"a\":1}\n{\"b\":2}\n");
}

static void test_reopen_after_rotation(void **state)
{
    char err[256] = "", buf[256], rotated[160];
    (void)state;
    snprintf(rotated, sizeof rotated, "%s.1", out_path);
    struct tail_output *o = tail_output_open(out_path, NULL, err, sizeof err);
    assert_non_null(o);
    line(o, "{\"a\":1}");
    assert_int_equal(rename(out_path, rotated), 0);
    assert_int_equal(tail_output_reopen(o, err, sizeof err), 0);
    line(o, "{\"b\":2}");
    tail_output_close(o);
    assert_string_equal(slurp(rotated, buf, sizeof buf), "{\"a\":1}\n");
    assert_string_equal(slurp(out_path, buf, sizeof buf), "{\"b\":2}\n");
}

static void test_bad_path(void **state)
{
    char err[256] = "", path[160];
    (void)state;
    snprintf(path, sizeof path, "%s/no/such/folder/out.ndjson", scratch);
    assert_null(tail_output_open(path, NULL, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "cannot open"));
    /* A folder where the file should be. */
    err[0] = '\0';
    assert_null(tail_output_open(scratch, NULL, err, sizeof err));
    assert_non_null(strstr(err, scratch));
}

static void test_full_disk(void **state)
{
    char err[256] = "";
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    struct tail_output *o = tail_output_open("/dev/full", NULL, err, sizeof err);
    assert_non_null(o);
    assert_int_equal(tail_output_line(o, "{\"a\":1}", err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/full: cannot write"));
    assert_non_null(strstr(err, "No space left"));
    tail_output_close(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lines_appended, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_restart_cuts_back_to_the_checkpoint, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_counts_what_was_there, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_no_state_no_cut, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_reopen_after_rotation, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_bad_path, setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
