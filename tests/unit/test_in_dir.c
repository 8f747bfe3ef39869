/*
 * Unit tests for engine/input/in_dir.c: a watched folder hands over each
 * complete file once — the same files `score` would read, new subfolders
 * included, never a half-written file, a damaged gzip reported once
 * without blocking the others, and nothing read twice or missed across a
 * restart; in inotify and in polling mode.  Links as score takes them: a
 * loop not followed, a file reached through links or hard links read once
 * (also when the link comes later, and after a restart), FIFOs and devices
 * never opened, each reported once however many rescans find it.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "input_fixture.h"
#include "source_walk.h"
#include "xalloc.h"

struct fixture {
    struct input_fixture x;
    char *root, spec[80];
    struct input *in;
    char got[8192]; /* relative paths delivered, one per line */
    int refuse;
};

static int on_unit(void *ctx, const char *unit, const char *buf, size_t len)
{
    struct fixture *f = ctx;
    (void)buf;
    (void)len;
    if (f->refuse)
        return -1;
    size_t used = strlen(f->got), rl = strlen(f->root);
    assert_int_equal(strncmp(unit, f->root, rl), 0);
    snprintf(f->got + used, sizeof f->got - used, "%s\n", unit + rl + 1);
    return 0;
}

static int setup_mode(void **state, int watch)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    input_fixture_init(&f->x);
    f->root = f->x.dir;
    snprintf(f->spec, sizeof f->spec, "dir:%s", f->root);
    f->x.cfg.dir_watch = watch;
    f->x.cfg.dir_settle_ms = 100;
    f->x.cfg.dir_incomplete_ms = 400;
    f->x.cfg.dir_rescan_ms = 100;
    *state = f;
    return 0;
}

static int setup_watch(void **state) { return setup_mode(state, 1); }
static int setup_poll(void **state) { return setup_mode(state, 0); }

static int teardown(void **state)
{
    struct fixture *f = *state;
    input_close(f->in);
    input_fixture_free(&f->x);
    xfree(f);
    return 0;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Write rel (creating its folders) with text, gzip'd when gz. */
static void put(struct fixture *f, const char *rel, const char *text, int gz)
{
    char path[256], cmd[300];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    if (gz) {
        gzFile g = gzopen(path, "wb");
        gzputs(g, text);
        gzclose(g);
    } else {
        FILE *o = fopen(path, "wb");
        fputs(text, o);
        fclose(o);
    }
}

/* Make rel look written long ago (found by a scan: complete at once). */
static void age(struct fixture *f, const char *rel)
{
    char path[256];
    struct timespec t[2] = {{1000000000, 0}, {1000000000, 0}};
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void open_input(struct fixture *f)
{
    char err[256];
    if (input_open(f->spec, &f->x.env, &f->in, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
}

/* Poll for ms; return what was delivered meanwhile. */
static const char *run(struct fixture *f, int ms)
{
    static char out[8192];
    f->got[0] = '\0';
    for (int t = 0; t <= ms; t += 25) {
        input_poll(f->in, on_unit, f);
        sleep_ms(25);
    }
    input_poll(f->in, on_unit, f);
    snprintf(out, sizeof out, "%s", f->got);
    return out;
}

static int save(void *in, char *err, size_t errlen)
{
    return input_checkpoint(in, err, errlen);
}

static void committed(void *in)
{
    input_committed(in);
}

static void checkpoint(struct fixture *f)
{
    input_fixture_checkpoint(&f->x, save, committed, f->in);
}

static void reopen(struct fixture *f)
{
    input_close(f->in);
    f->in = NULL;
    open_input(f);
}

#define DAY "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12/"

static void test_same_files_as_score(void **state)
{
    struct fixture *f = *state;
    static const char *const files[] = {
        DAY "a.json.gz", DAY "b.json", DAY "c.jsonl", DAY "d.ndjson.gz",
        DAY "e.gz", DAY "notes.txt", DAY ".hidden.json", DAY "f.json.tmp",
        "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/12/g.json.gz",
        "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/h.json",
        "AWSLogs/111122223333/CloudTrail-Aggregated/i.json",
        "AWSLogs/111122223333/CloudTrail-Lake/Query/j.json",
        "AWSLogs/o-abc/111122223333/CloudTrail/eu-west-1/k.json",
        ".sync/l.json", "top.ndjson",
    };
    struct source_walk walk;
    struct diag d;
    char err[256], want[8192] = "";
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        put(f, files[i], "{}", strstr(files[i], ".gz") != NULL);
        age(f, files[i]);
    }
    diag_init(&d);
    assert_int_equal(source_check(f->root, err, sizeof err), 0);
    source_walk_init(&walk, &f->root, 1);
    size_t rl = strlen(f->root);
    for (const char *p; (p = source_walk_next(&walk, &d)) != NULL;) {
        strcat(want, p + rl + 1);
        strcat(want, "\n");
    }
    source_walk_free(&walk);
    open_input(f);
    assert_string_equal(run(f, 0), want); /* name order, like score */
    assert_string_equal(run(f, 200), "");
}

static void test_each_file_once_across_restarts(void **state)
{
    struct fixture *f = *state;
    put(f, DAY "a.json", "{}", 0);
    age(f, DAY "a.json");
    open_input(f);
    assert_string_equal(run(f, 0), DAY "a.json\n");
    checkpoint(f);
    reopen(f);
    put(f, DAY "b.json", "{}", 0);
    assert_string_equal(run(f, 300), DAY "b.json\n");
    /* b was accepted but not checkpointed: after a restart it comes again
     * (the engine state that held it is gone too), a does not. */
    reopen(f);
    assert_string_equal(run(f, 300), DAY "b.json\n");
    checkpoint(f);
    reopen(f);
    assert_string_equal(run(f, 300), "");
}

static void test_half_written_files_wait(void **state)
{
    struct fixture *f = *state;
    char path[256];
    open_input(f);
    run(f, 0);
    /* Open for writing, not closed: not read while it is written. */
    snprintf(path, sizeof path, "%s/%s", f->root, "w.json");
    FILE *w = fopen(path, "wb");
    fputs("{\"Records\":[", w);
    fflush(w);
    assert_string_equal(run(f, 200), "");
    fputs("]}", w);
    fclose(w);
    assert_string_equal(run(f, 100), "w.json\n");
    /* A gzip cut off (being copied in): waits for the rest. */
    put(f, "z.json.gz", "{\"Records\":[{\"eventVersion\":\"1.08\"}]}", 1);
    snprintf(path, sizeof path, "%s/%s", f->root, "z.json.gz");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 8), 0);
    assert_string_equal(run(f, 150), "");
    put(f, "z.json.gz", "{\"Records\":[{\"eventVersion\":\"1.08\"}]}", 1);
    assert_string_equal(run(f, 150), "z.json.gz\n");
    assert_int_equal(f->x.d.skipped[SKIP_TRUNCATED], 0);
    /* One that stays cut off is read after dir_incomplete_ms, reported. */
    put(f, "y.json.gz", "{\"Records\":[{\"eventVersion\":\"1.08\"}]}", 1);
    snprintf(path, sizeof path, "%s/%s", f->root, "y.json.gz");
    assert_int_equal(truncate(path, 20), 0);
    assert_string_equal(run(f, 200), "");
    assert_string_equal(run(f, 500), "y.json.gz\n");
    assert_int_equal(f->x.d.skipped[SKIP_TRUNCATED], 1);
}

static void test_damaged_gzip_reported_once(void **state)
{
    struct fixture *f = *state;
    char path[256];
    put(f, DAY "a.json.gz", "{\"Records\":[{\"eventVersion\":\"1.08\"}]}", 1);
    snprintf(path, sizeof path, "%s/%s", f->root, DAY "a.json.gz");
    FILE *o = fopen(path, "r+b");
    fseek(o, 12, SEEK_SET);
    fputs("\xff\xff\xff\xff\xff\xff", o); /* damage the deflate data */
    fclose(o);
    age(f, DAY "a.json.gz");
    put(f, DAY "b.json", "{}", 0);
    age(f, DAY "b.json");
    open_input(f);
    /* What inflated before the damage is handed over, then b. */
    assert_string_equal(run(f, 100), DAY "a.json.gz\n" DAY "b.json\n");
    assert_int_equal(f->x.d.skipped[SKIP_BAD_GZIP], 1);
    assert_non_null(strstr(f->x.log, "a.json.gz (byte"));
    checkpoint(f);
    reopen(f);
    run(f, 100);
    assert_int_equal(f->x.d.skipped[SKIP_BAD_GZIP], 1);
}

static void test_new_subfolders_and_renames(void **state)
{
    struct fixture *f = *state;
    char tmp[256], dst[256];
    open_input(f);
    run(f, 0);
    /* A new folder tree, then a file in it: found by the scan of the new
     * folder (complete after dir_settle_ms), or by its close event. */
    put(f, DAY "a.json", "{}", 0);
    assert_string_equal(run(f, 250), DAY "a.json\n");
    put(f, DAY ".a2.json.XYZ", "{}", 0); /* written under a temporary name */
    assert_string_equal(run(f, 150), "");
    snprintf(tmp, sizeof tmp, "%s/" DAY ".a2.json.XYZ", f->root);
    snprintf(dst, sizeof dst, "%s/" DAY "a2.json", f->root);
    assert_int_equal(rename(tmp, dst), 0);
    assert_string_equal(run(f, 25), DAY "a2.json\n");
}

static void test_refused_file_offered_again_in_order(void **state)
{
    struct fixture *f = *state;
    put(f, "a.json", "{}", 0);
    put(f, "b.json", "{}", 0);
    age(f, "a.json");
    age(f, "b.json");
    open_input(f);
    f->refuse = 1;
    assert_string_equal(run(f, 50), "");
    f->refuse = 0;
    assert_string_equal(run(f, 0), "a.json\nb.json\n");
}

static void test_polling_finds_new_files(void **state)
{
    struct fixture *f = *state;
    open_input(f);
    assert_int_equal(input_fd(f->in), -1);
    run(f, 0);
    put(f, DAY "a.json", "{}", 0);
    /* Found by a rescan, read once unchanged for dir_settle_ms. */
    assert_string_equal(run(f, 400), DAY "a.json\n");
}

/* Make rel (below the root) a symbolic link to target. */
static void link_to(struct fixture *f, const char *target, const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    assert_int_equal(symlink(target, path), 0);
}

static void test_links_and_special_files(void **state)
{
    struct fixture *f = *state;
    char a[256], b[256];
    put(f, "a/x.json", "{}", 0);
    age(f, "a/x.json");
    link_to(f, "..", "a/loop");
    snprintf(a, sizeof a, "%s/a/x.json", f->root);
    snprintf(b, sizeof b, "%s/b.json", f->root);
    assert_int_equal(link(a, b), 0);
    link_to(f, "a/x.json", "c.json");
    snprintf(a, sizeof a, "%s/fifo.json", f->root);
    assert_int_equal(mkfifo(a, 0644), 0);
    link_to(f, "/dev/null", "null.json");
    open_input(f);
    assert_string_equal(run(f, 300), "a/x.json\n"); /* rescans when polling */
    assert_int_equal(f->x.d.passed[PASS_LOOP], 1);
    assert_int_equal(f->x.d.passed[PASS_SAME_FILE], 2);
    assert_int_equal(f->x.d.passed[PASS_NOT_FILE], 2);
    assert_int_equal(count_of(f->x.log, "a/loop: loop:"), 1);
}

static void test_later_links_not_read_again(void **state)
{
    struct fixture *f = *state;
    char a[256], h[256];
    put(f, "a/x.json", "{}", 0);
    age(f, "a/x.json");
    open_input(f);
    assert_string_equal(run(f, 0), "a/x.json\n");
    /* A link to the folder (before it in name order), a link to the file
     * and a hard link, made while the file is in memory. */
    link_to(f, "a", "0");
    link_to(f, "a/x.json", "l.json");
    snprintf(a, sizeof a, "%s/a/x.json", f->root);
    snprintf(h, sizeof h, "%s/h.json", f->root);
    assert_int_equal(link(a, h), 0);
    assert_string_equal(run(f, 300), "");
    assert_int_equal(count_of(f->x.log, "h.json: same_file:"), 1); /* once */
    checkpoint(f);
    reopen(f); /* a full scan: 0/x.json is a/x.json, read already */
    assert_string_equal(run(f, 300), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_files_as_score, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_each_file_once_across_restarts, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_half_written_files_wait, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_gzip_reported_once, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_new_subfolders_and_renames, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_refused_file_offered_again_in_order, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_polling_finds_new_files, setup_poll, teardown),
        cmocka_unit_test_setup_teardown(test_each_file_once_across_restarts, setup_poll, teardown),
        cmocka_unit_test_setup_teardown(test_links_and_special_files, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_links_and_special_files, setup_poll, teardown),
        cmocka_unit_test_setup_teardown(test_later_links_not_read_again, setup_watch, teardown),
        cmocka_unit_test_setup_teardown(test_later_links_not_read_again, setup_poll, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
