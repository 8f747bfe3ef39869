/*
 * Unit tests for engine/alert/sink_exec.c with sh as the command: every
 * Start and End record and a newline on its standard input, with
 * CTINSIGHTS_EVENT and CTINSIGHTS_SHARED_EVENT_ID set and its standard
 * output sent to our standard error; exit 0 delivered, 75 retried, other
 * statuses and a program that cannot be run permanent; a command past the
 * timeout killed and retried; one that does not read its input harmless.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "alert_fixture.h"
#include "scratch_fixture.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Deliver record line of the case as kind through an exec sink running
 * `sh -c script sh DIR` (timeout seconds); the outcome in o. */
static void run(const char *script, double timeout, int line, enum alert_kind kind,
                struct alert_outcome *o)
{
    char yaml[1024];
    struct sink_fixture sf;
    json_t *rec = case_record(line);
    snprintf(yaml, sizeof yaml, "sinks:\n  - type: exec\n    timeout: %g\n"
                                "    argv: [sh, -c, '%s', sh, \"%s\"]\n", timeout, script, scratch);
    sink_fixture_open(&sf, yaml);
    sink_fixture_send(&sf, kind, rec, NULL, 1773239460, o);
    sink_fixture_close(&sf);
    json_decref(rec);
}

/* The whole of file name in scratch, NUL-terminated, or "" when absent. */
static const char *slurp(const char *name, char *buf, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f) {
        buf[fread(buf, 1, cap - 1, f)] = '\0';
        fclose(f);
    }
    return buf;
}

static void test_record_and_environment(void **state)
{
    static char got[16384];
    char env[256];
    struct alert_outcome o;
    (void)state;
    const char *script = "cat > \"$1/stdin\"; "
                         "printf \"%s %s\" \"$CTINSIGHTS_EVENT\" \"$CTINSIGHTS_SHARED_EVENT_ID\""
                         " > \"$1/env\"";
    for (int line = 0; line < 4; line += 2) {
        json_t *rec = case_record(line);
        char *want = json_dumps(rec, JSON_COMPACT);
        run(script, 5, line, line ? ALERT_RESOLVED : ALERT_FIRING, &o);
        assert_int_equal(o.result, ALERT_OK);
        assert_contains(o.detail, "exited 0");
        slurp("stdin", got, sizeof got);
        assert_int_equal(strlen(got), strlen(want) + 1);
        assert_memory_equal(got, want, strlen(want));
        assert_int_equal(got[strlen(want)], '\n');
        assert_string_equal(slurp("env", env, sizeof env),
                            line ? "End c14bba7a-bcc7-8df1-aa53-a28637c19b82"
                                 : "Start c14bba7a-bcc7-8df1-aa53-a28637c19b82");
        free(want);
        json_decref(rec);
    }
}

/* Its standard output goes to our standard error. */
static void test_stdout_to_stderr(void **state)
{
    char path[128], got[256];
    struct alert_outcome o;
    (void)state;
    snprintf(path, sizeof path, "%s/stderr", scratch);
    int saved_out = dup(1), saved_err = dup(2);
    int err = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int devnull = open("/dev/null", O_WRONLY);
    fflush(NULL);
    dup2(err, 2);
    dup2(devnull, 1);
    run("cat >/dev/null; echo said-on-stdout", 5, 0, ALERT_FIRING, &o);
    fflush(NULL);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(err);
    close(devnull);
    close(saved_out);
    close(saved_err);
    assert_int_equal(o.result, ALERT_OK);
    assert_contains(slurp("stderr", got, sizeof got), "said-on-stdout");
}

static void test_exit_status(void **state)
{
    struct alert_outcome o;
    (void)state;
    run("cat >/dev/null; exit 75", 5, 0, ALERT_FIRING, &o);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_contains(o.detail, "status 75");
    run("cat >/dev/null; exit 3", 5, 0, ALERT_FIRING, &o);
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_contains(o.detail, "status 3");
    run("kill -TERM $$", 5, 0, ALERT_FIRING, &o);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_contains(o.detail, "signal 15");
}

static void test_cannot_be_run(void **state)
{
    struct sink_fixture sf;
    struct alert_outcome o;
    json_t *rec = case_record(0);
    (void)state;
    sink_fixture_open(&sf, "sinks:\n  - type: exec\n"
                           "    argv: [/nonexistent/ctinsights-hook]\n");
    int saved_err = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2); /* the child's message */
    sink_fixture_send(&sf, ALERT_FIRING, rec, NULL, 1773239460, &o);
    dup2(saved_err, 2);
    close(saved_err);
    close(devnull);
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_contains(o.detail, "cannot be run");
    sink_fixture_close(&sf);
    json_decref(rec);
}

/* Whether process pid still runs (a zombie waiting for its reaper does
 * not). */
static int alive(int pid)
{
    char path[64], stat[512];
    struct timespec nap = {0, 20 * 1000 * 1000};
    for (int tries = 0; tries < 50; tries++) {
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return 0;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        const char *paren = strrchr(stat, ')');
        if (!paren || paren[2] == 'Z' || paren[2] == 'X')
            return 0;
        nanosleep(&nap, NULL); /* SIGKILL is on its way */
    }
    return 1;
}

static void test_timeout_kills(void **state)
{
    struct alert_outcome o;
    char pid[32];
    (void)state;
    double t0 = mono();
    /* A child of the command is killed with it (its process group). */
    run("sleep 5 & echo $! > \"$1/pid\"; wait", 0.3, 0, ALERT_FIRING, &o);
    double took = mono() - t0;
    assert_int_equal(o.result, ALERT_RETRY);
    assert_contains(o.detail, "killed");
    assert_true(took < 2);
    slurp("pid", pid, sizeof pid);
    assert_true(atoi(pid) > 0);
    assert_false(alive(atoi(pid)));
}

/* A command that exits without reading is delivered; we are not killed by
 * SIGPIPE. */
static void test_not_reading(void **state)
{
    struct alert_outcome o;
    (void)state;
    run("exit 0", 5, 0, ALERT_FIRING, &o);
    assert_int_equal(o.result, ALERT_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_and_environment),
        cmocka_unit_test(test_stdout_to_stderr),
        cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_cannot_be_run),
        cmocka_unit_test(test_timeout_kills),
        cmocka_unit_test(test_not_reading),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
