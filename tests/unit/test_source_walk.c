/*
 * Unit tests for engine/input/source_walk.c: the files a folder stands for, in
 * name order across nested folders, passing over (and counting) what is
 * not a log; the same again after a rewind; a folder that goes away while
 * the walk is under way reported as a read error and passed over, the
 * walk going on; paths named one by one read whatever their names.
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
#include <unistd.h>

#include "source_walk.h"

static char root[64];

static void put(const char *rel)
{
    char path[256], *slash;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{}\n", f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/test_source_walk.XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* The walk's files, relative to root, one per line, into out. */
static void walk_all(struct source_walk *w, struct diag *d, char *out, size_t cap)
{
    size_t rl = strlen(root), used = 0;
    out[0] = '\0';
    for (const char *p; (p = source_walk_next(w, d)) != NULL;) {
        assert_int_equal(strncmp(p, root, rl), 0);
        used += (size_t)snprintf(out + used, cap - used, "%s\n", p + rl + 1);
    }
}

static void test_name_order_and_passed_over(void **state)
{
    (void)state;
    put("AWSLogs/1/CloudTrail/us-east-1/2024/03/12/b.json.gz");
    put("AWSLogs/1/CloudTrail/us-east-1/2024/03/12/a.json");
    put("AWSLogs/1/CloudTrail/us-east-1/2024/03/11/z.ndjson");
    put("AWSLogs/1/CloudTrail/eu-west-1/2024/03/12/c.jsonl");
    put("AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz");
    put("AWSLogs/1/notes.txt");
    put("AWSLogs/.sync/e.json");
    put("top.gz");
    struct source_walk w;
    struct diag d;
    char got[2048], again[2048];
    diag_init(&d);
    source_walk_init(&w, (char *[]){root}, 1);
    assert_false(source_walk_single(&w));
    walk_all(&w, &d, got, sizeof got);
    assert_string_equal(got,
                        "AWSLogs/1/CloudTrail/eu-west-1/2024/03/12/c.jsonl\n"
                        "AWSLogs/1/CloudTrail/us-east-1/2024/03/11/z.ndjson\n"
                        "AWSLogs/1/CloudTrail/us-east-1/2024/03/12/a.json\n"
                        "AWSLogs/1/CloudTrail/us-east-1/2024/03/12/b.json.gz\n"
                        "top.gz\n");
    assert_int_equal(d.files_passed, 2); /* the digest folder, notes.txt */
    source_walk_rewind(&w);
    walk_all(&w, &d, again, sizeof again);
    assert_string_equal(again, got);
    assert_int_equal(d.files_passed, 4);
    source_walk_free(&w);
    diag_free(&d);
}

static void test_folder_gone_midway(void **state)
{
    (void)state;
    put("a/x.json");
    put("b/y.json");
    put("c/z.json");
    struct source_walk w;
    struct diag d;
    char path[256];
    diag_init(&d);
    d.out = fopen("/dev/null", "w");
    source_walk_init(&w, (char *[]){root}, 1);
    const char *p = source_walk_next(&w, &d);
    assert_non_null(p);
    assert_non_null(strstr(p, "/a/x.json"));
    snprintf(path, sizeof path, "%s/b/y.json", root);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof path, "%s/b", root);
    assert_int_equal(rmdir(path), 0);
    p = source_walk_next(&w, &d);
    assert_non_null(p);
    assert_non_null(strstr(p, "/c/z.json"));
    assert_null(source_walk_next(&w, &d));
    assert_int_equal(d.skipped[SKIP_READ_ERROR], 1);
    fclose(d.out);
    source_walk_free(&w);
    diag_free(&d);
}

static void test_named_paths(void **state)
{
    (void)state;
    put("notes.txt");
    put("dir/a.json");
    char file[128], dir[128], err[256];
    snprintf(file, sizeof file, "%s/notes.txt", root);
    snprintf(dir, sizeof dir, "%s/dir", root);
    assert_int_equal(source_check(file, err, sizeof err), 0);
    assert_int_equal(source_check("-", err, sizeof err), 0);
    assert_int_equal(source_check("/nonexistent/x.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.json"));
    struct source_walk w;
    struct diag d;
    diag_init(&d);
    source_walk_init(&w, (char *[]){file, "-", dir}, 3);
    assert_true(source_walk_stdin(&w));
    assert_string_equal(source_walk_next(&w, &d), file); /* named: read */
    assert_string_equal(source_walk_next(&w, &d), "-");
    assert_non_null(strstr(source_walk_next(&w, &d), "/dir/a.json"));
    assert_null(source_walk_next(&w, &d));
    source_walk_free(&w);
    source_walk_init(&w, (char *[]){file}, 1);
    assert_true(source_walk_single(&w));
    assert_false(source_walk_stdin(&w));
    source_walk_free(&w);
    diag_free(&d);
}

/* Make root/rel a symbolic link to target. */
static void link_to(const char *target, const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    assert_int_equal(symlink(target, path), 0);
}

/* A diag whose messages go to a temporary file (read with messages). */
static void diag_capture(struct diag *d)
{
    diag_init(d);
    d->out = tmpfile();
    assert_non_null(d->out);
}

/* What d printed so far (static buffer). */
static const char *messages(struct diag *d)
{
    static char buf[8192];
    long at = ftell(d->out);
    rewind(d->out);
    size_t n = fread(buf, 1, sizeof buf - 1, d->out);
    buf[n] = '\0';
    fseek(d->out, at, SEEK_SET);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Walk root once, its files into got, its messages captured in d (the
 * caller closes d->out). */
static void walk_root(struct diag *d, char *got, size_t cap)
{
    struct source_walk w;
    diag_capture(d);
    source_walk_init(&w, (char *[]){root}, 1);
    walk_all(&w, d, got, cap);
    source_walk_free(&w);
}

static void test_loop_reported_once(void **state)
{
    (void)state;
    put("a/x.json");
    put("b/y.json");
    link_to("..", "a/loop");
    link_to(".", "b/self");
    struct source_walk w;
    struct diag d;
    char got[2048];
    diag_capture(&d);
    source_walk_init(&w, (char *[]){root}, 1);
    walk_all(&w, &d, got, sizeof got);
    assert_string_equal(got, "a/x.json\nb/y.json\n");
    assert_int_equal(d.passed[PASS_LOOP], 2);
    assert_int_equal(count(messages(&d), "a/loop: loop: leads back to"), 1);
    assert_int_equal(count(messages(&d), "b/self: loop:"), 1);
    /* Walked again (as score's sorted pass does, with a new diag quiet
     * for what the first printed): the same files, counted again, not
     * printed again. */
    struct diag d2;
    diag_capture(&d2);
    d2.quiet_passed[PASS_LOOP] = d.passed[PASS_LOOP];
    source_walk_rewind(&w);
    walk_all(&w, &d2, got, sizeof got);
    assert_string_equal(got, "a/x.json\nb/y.json\n");
    assert_int_equal(d2.passed[PASS_LOOP], 2);
    assert_int_equal(count(messages(&d2), ": loop:"), 0);
    fclose(d.out);
    fclose(d2.out);
    source_walk_free(&w);
}

static void test_linked_folder_walked_once(void **state)
{
    (void)state;
    char real[256];
    put("real/x.json");
    link_to("real", "alias"); /* before real in name order: read there */
    snprintf(real, sizeof real, "%s/real", root);
    struct source_walk w;
    struct diag d;
    char got[2048];
    diag_capture(&d);
    source_walk_init(&w, (char *[]){root, real}, 2);
    walk_all(&w, &d, got, sizeof got);
    assert_string_equal(got, "alias/x.json\n");
    assert_int_equal(d.passed[PASS_SAME_FOLDER], 2); /* real, and real named */
    assert_int_equal(d.passed[PASS_LOOP], 0);
    assert_non_null(strstr(messages(&d), "/real: same_folder:"));
    fclose(d.out);
    source_walk_free(&w);
}

static void test_file_once_however_reached(void **state)
{
    (void)state;
    char a[256], b[256], dir[256];
    put("d/a.json");
    snprintf(a, sizeof a, "%s/d/a.json", root);
    snprintf(b, sizeof b, "%s/d/b.json", root);
    assert_int_equal(link(a, b), 0);        /* a hard link */
    link_to("d/a.json", "c.json");          /* a link to the file */
    put("elsewhere/e.json");
    link_to("../elsewhere/e.json", "d/0.json"); /* to a file read later */
    snprintf(dir, sizeof dir, "%s/d", root);
    struct source_walk w;
    struct diag d;
    char got[2048];
    diag_capture(&d);
    /* a named, then the whole tree, then a again and d named. */
    source_walk_init(&w, (char *[]){a, root, a, dir}, 4);
    walk_all(&w, &d, got, sizeof got);
    assert_string_equal(got, "d/a.json\nd/0.json\n");
    /* c.json, d/a.json, d/b.json, elsewhere/e.json in the tree, a named
     * again; d named again is a folder walked already. */
    assert_int_equal(d.passed[PASS_SAME_FILE], 5);
    assert_int_equal(d.passed[PASS_SAME_FOLDER], 1);
    source_walk_rewind(&w); /* a rewind forgets what was met */
    walk_all(&w, &d, got, sizeof got);
    assert_string_equal(got, "d/a.json\nd/0.json\n");
    fclose(d.out);
    source_walk_free(&w);
}

static void test_special_files_never_opened(void **state)
{
    (void)state;
    char fifo[256];
    put("ok.json");
    snprintf(fifo, sizeof fifo, "%s/fifo.json", root);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    link_to("/dev/null", "null.json");
    link_to("/dev/zero", "zero.txt");    /* not a log's name: silent */
    link_to("/nowhere", "dangling.json");
    link_to("/nowhere", "dangling.txt"); /* silent */
    put("empty.json");
    snprintf(fifo, sizeof fifo, "%s/empty.json", root);
    assert_int_equal(truncate(fifo, 0), 0);
    struct diag d;
    char got[2048];
    walk_root(&d, got, sizeof got); /* a FIFO opened would block here */
    assert_string_equal(got, "empty.json\nok.json\n"); /* empty: by source_load */
    assert_int_equal(d.passed[PASS_NOT_FILE], 2);
    assert_int_equal(d.skipped[SKIP_READ_ERROR], 1);
    assert_int_equal(d.files_passed, 4); /* 2 with a message, 2 by name */
    const char *m = messages(&d);
    assert_non_null(strstr(m, "fifo.json: not_a_file: a FIFO, not a regular file; passed over"));
    assert_non_null(strstr(m, "null.json: not_a_file: a character device"));
    assert_non_null(strstr(m, "dangling.json (byte 0): read_error: cannot follow symbolic link"));
    assert_null(strstr(m, ".txt"));
    fclose(d.out);
    /* Named, such a path is refused at once. */
    char err[256];
    snprintf(fifo, sizeof fifo, "%s/fifo.json", root);
    assert_int_equal(source_check(fifo, err, sizeof err), -1);
    assert_non_null(strstr(err, "a FIFO, neither a regular file nor a folder"));
}

static void test_status_and_linked(void **state)
{
    (void)state;
    char x[256];
    put("x/a.json");
    link_to("x/a.json", "0.json");
    snprintf(x, sizeof x, "%s/x", root);
    struct source_walk w;
    struct diag d;
    diag_init(&d);
    d.out = fopen("/dev/null", "w");
    source_walk_init(&w, (char *[]){root}, 1);
    assert_non_null(strstr(source_walk_next(&w, &d), "/0.json"));
    assert_int_equal(source_walk_stat(&w)->st_size, 3);
    assert_true(source_walk_linked(&w)); /* reached through its link */
    assert_null(source_walk_next(&w, &d));
    source_walk_free(&w);
    source_walk_init(&w, (char *[]){x}, 1);
    assert_non_null(strstr(source_walk_next(&w, &d), "/x/a.json"));
    assert_false(source_walk_linked(&w));
    assert_int_equal(source_walk_stat(&w)->st_size, 3);
    assert_null(source_walk_next(&w, &d));
    source_walk_free(&w);
    fclose(d.out);
}

static void test_unreadable_folder(void **state)
{
    (void)state;
    char dir[256];
    put("a.json");
    put("locked/b.json");
    snprintf(dir, sizeof dir, "%s/locked", root);
    assert_int_equal(chmod(dir, 0), 0);
    struct diag d;
    char got[2048];
    walk_root(&d, got, sizeof got);
    if (geteuid() == 0) { /* root reads it all the same */
        assert_string_equal(got, "a.json\nlocked/b.json\n");
    } else {
        assert_string_equal(got, "a.json\n");
        assert_int_equal(d.skipped[SKIP_READ_ERROR], 1);
        assert_non_null(strstr(messages(&d), "locked (byte 0): read_error: cannot read folder"));
    }
    chmod(dir, 0755);
    fclose(d.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_order_and_passed_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_gone_midway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loop_reported_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linked_folder_walked_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_once_however_reached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_files_never_opened, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_and_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_folder, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
