/*
 * Unit tests for engine/source_walk.c: the files a folder stands for, in
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_order_and_passed_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_gone_midway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_paths, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
