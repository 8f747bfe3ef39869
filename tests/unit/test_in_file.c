/*
 * Unit tests for engine/input/in_file.c (and in_stdin's sibling rules): a
 * followed file hands over whole lines once each — through a half-written
 * line, a rotation (rename + new file), a copytruncate, a refusal by the
 * engine, and restarts from a checkpoint, including one across a rotation
 * that happened while stopped.
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

#include "input_fixture.h"
#include "xalloc.h"

struct fixture {
    struct input_fixture x;
    char path[128], spec[140];
    struct input *in;
    char got[4096]; /* units delivered, each "NAME|TEXT" */
    int refuse;
};

static int on_unit(void *ctx, const char *unit, const char *buf, size_t len)
{
    struct fixture *f = ctx;
    if (f->refuse)
        return -1;
    const char *base = strrchr(unit, '/');
    size_t used = strlen(f->got);
    snprintf(f->got + used, sizeof f->got - used, "%s|%.*s", base + 1,
             (int)len, buf);
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    input_fixture_init(&f->x);
    snprintf(f->path, sizeof f->path, "%s/ct.ndjson", f->x.dir);
    snprintf(f->spec, sizeof f->spec, "file:%s", f->path);
    f->x.cfg.file_rotate_wait_ms = 0;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    input_close(f->in);
    input_fixture_free(&f->x);
    xfree(f);
    return 0;
}

static void put(const char *path, const char *mode, const char *text)
{
    FILE *o = fopen(path, mode);
    assert_non_null(o);
    fputs(text, o);
    fclose(o);
}

static void open_input(struct fixture *f)
{
    char err[256];
    if (input_open(f->spec, &f->x.env, &f->in, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
}

/* Poll until nothing more comes; return what came since the last call. */
static const char *drain(struct fixture *f)
{
    static char out[4096];
    f->got[0] = '\0';
    for (int i = 0; i < 4; i++)
        input_poll(f->in, on_unit, f);
    snprintf(out, sizeof out, "%s", f->got);
    return out;
}

/* A checkpoint the way the daemon does it, then close. */
static int save(void *in, char *err, size_t errlen)
{
    return input_checkpoint(in, err, errlen);
}

static void committed(void *in)
{
    input_committed(in);
}

static void checkpoint_and_close(struct fixture *f)
{
    input_fixture_checkpoint(&f->x, save, committed, f->in);
    input_close(f->in);
    f->in = NULL;
}

static void test_whole_lines_and_half_written_line(void **state)
{
    struct fixture *f = *state;
    put(f->path, "w", "a1\na2\na3");
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson|a1\na2\n");
    assert_string_equal(drain(f), "");
    put(f->path, "a", "-end\nb1\n");
    assert_string_equal(drain(f), "ct.ndjson@6|a3-end\nb1\n");
}

static void test_file_appearing_later(void **state)
{
    struct fixture *f = *state;
    open_input(f);
    assert_string_equal(drain(f), "");
    assert_non_null(strstr(f->x.log, "waiting for the file to appear"));
    put(f->path, "w", "a1\n");
    assert_string_equal(drain(f), "ct.ndjson|a1\n");
}

static void test_rotation_finishes_old_file_first(void **state)
{
    struct fixture *f = *state;
    char old[160];
    snprintf(old, sizeof old, "%s.1", f->path);
    put(f->path, "w", "a1\n");
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson|a1\n");
    assert_int_equal(rename(f->path, old), 0);
    put(old, "a", "a2\na3-no-newline"); /* the writer had not reopened yet */
    put(f->path, "w", "b1\n");
    assert_string_equal(drain(f),
                        "ct.ndjson.1@3|a2\n" "ct.ndjson.1@6|a3-no-newline"
                        "ct.ndjson|b1\n");
    assert_non_null(strstr(f->x.log, "rotated"));
    put(f->path, "a", "b2\n");
    assert_string_equal(drain(f), "ct.ndjson@3|b2\n");
}

static void test_truncation_reads_from_start(void **state)
{
    struct fixture *f = *state;
    put(f->path, "w", "a1-long-line\na2-long-line\n");
    open_input(f);
    drain(f);
    put(f->path, "w", "b1\n"); /* copytruncate, then a short write */
    assert_string_equal(drain(f), "ct.ndjson|b1\n");
    /* Truncated and regrown past the old offset between two looks: the
     * fingerprint tells. */
    put(f->path, "w", "c1-much-longer-than-before\n");
    assert_string_equal(drain(f), "ct.ndjson|c1-much-longer-than-before\n");
    assert_non_null(strstr(f->x.log, "truncated"));
}

static void test_refused_unit_is_offered_again(void **state)
{
    struct fixture *f = *state;
    put(f->path, "w", "a1\n");
    open_input(f);
    f->refuse = 1;
    assert_string_equal(drain(f), "");
    f->refuse = 0;
    assert_string_equal(drain(f), "ct.ndjson|a1\n");
}

static void test_restart_resumes_after_checkpoint(void **state)
{
    struct fixture *f = *state;
    put(f->path, "w", "a1\na2\n");
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson|a1\na2\n");
    checkpoint_and_close(f);
    put(f->path, "a", "a3\n");
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson@6|a3\n");
    /* Accepted but not checkpointed: offered again after a restart (the
     * engine state that held it was lost too). */
    input_close(f->in);
    f->in = NULL;
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson@6|a3\n");
}

static void test_restart_after_rotation_while_stopped(void **state)
{
    struct fixture *f = *state;
    char old[160];
    snprintf(old, sizeof old, "%s.1", f->path);
    put(f->path, "w", "a1\n");
    open_input(f);
    drain(f);
    checkpoint_and_close(f);
    put(f->path, "a", "a2\n");
    assert_int_equal(rename(f->path, old), 0);
    put(f->path, "w", "b1\n");
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson.1@3|a2\n" "ct.ndjson|b1\n");
    assert_non_null(strstr(f->x.log, "rotated while stopped"));
}

static void test_restart_after_truncation_while_stopped(void **state)
{
    struct fixture *f = *state;
    put(f->path, "w", "a1-long-line\n");
    open_input(f);
    drain(f);
    checkpoint_and_close(f);
    put(f->path, "w", "b1-other-longer-line\n"); /* same inode, rewritten */
    open_input(f);
    assert_string_equal(drain(f), "ct.ndjson|b1-other-longer-line\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_whole_lines_and_half_written_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_appearing_later, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_finishes_old_file_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation_reads_from_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_unit_is_offered_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_resumes_after_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_after_rotation_while_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_after_truncation_while_stopped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
