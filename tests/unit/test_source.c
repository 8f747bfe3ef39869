/*
 * Unit tests for engine/input/source.c loading: plain files, gzip with one or
 * several members, and gzip that is cut off, damaged or followed by other
 * bytes, where what could be inflated is kept and the damage is counted;
 * only regular files are read: a FIFO or device at a file's path is passed
 * over without blocking, and so is an empty file; a file that cannot be
 * opened is reported with why.
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
#include <zlib.h>

#include "diag.h"
#include "gzip_fixture.h"
#include "source.h"

static char path[64];

static void write_file(const void *data, size_t n)
{
    strcpy(path, "/tmp/test_source.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* Load path; returns source_load's result, fills b and d. */
static int load(const void *data, size_t n, struct source_buf *b,
                struct diag *d)
{
    struct source_loader l = {0};
    write_file(data, n);
    diag_init(d);
    d->out = fopen("/dev/null", "w");
    int rc = source_load(&l, path, b, d);
    fclose(d->out);
    unlink(path);
    source_loader_free(&l);
    return rc;
}

/* Text of n bytes that compresses well but not trivially. */
static char *text_of(size_t n)
{
    char *t = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        t[i] = "{\"eventName\":\"RunInstances\"}\n"[i % 29] + (char)((i / 4096) % 3);
    t[n] = '\0';
    return t;
}

static void test_plain_and_one_member(void **state)
{
    static unsigned char gz[1 << 16];
    struct source_buf b = {0};
    struct diag d;
    const char *text = "{\"Records\":[]}\n";
    assert_int_equal(load(text, strlen(text), &b, &d), 0);
    assert_string_equal(b.data, text);
    size_t n = gzip_member(text, strlen(text), gz, sizeof gz);
    assert_int_equal(load(gz, n, &b, &d), 0);
    assert_int_equal(b.len, strlen(text));
    assert_string_equal(b.data, text);
    assert_int_equal(d.bytes_read, n);
    assert_int_equal(d.bytes_json, strlen(text));
    assert_int_equal(diag_skipped(&d), 0);
    source_buf_free(&b);
}

/* Members are inflated one after the other, whatever their sizes (the
 * first larger than the size the last one announces). */
static void test_members(void **state)
{
    size_t big = 3 << 20, cap = 4 << 20;
    char *t = text_of(big);
    unsigned char *gz = malloc(cap);
    size_t n = gzip_member(t, big, gz, cap);
    n += gzip_member("tail\n", 5, gz + n, cap - n);
    struct source_buf b = {0};
    struct diag d;
    assert_int_equal(load(gz, n, &b, &d), 0);
    assert_int_equal(b.len, big + 5);
    assert_memory_equal(b.data, t, big);
    assert_memory_equal(b.data + big, "tail\n", 5);
    source_buf_free(&b);
    free(gz);
    free(t);
}

/* Cut off, damaged or followed by junk: what came before is kept. */
static void test_damage_keeps_what_was_inflated(void **state)
{
    size_t size = 1 << 20, cap = 2 << 20;
    char *t = text_of(size);
    unsigned char *gz = malloc(cap + 16);
    size_t n = gzip_member(t, size, gz, cap);
    struct source_buf b = {0};
    struct diag d;

    assert_int_equal(load(gz, n / 2, &b, &d), 1);
    assert_int_equal(d.skipped[SKIP_TRUNCATED], 1);
    assert_true(b.len > 0 && b.len < size);
    assert_memory_equal(b.data, t, b.len);

    memcpy(gz + n, "junk", 4);
    assert_int_equal(load(gz, n + 4, &b, &d), 1);
    assert_int_equal(d.skipped[SKIP_BAD_GZIP], 1);
    assert_int_equal(b.len, size);
    assert_memory_equal(b.data, t, size);

    gz[n - 6] ^= 0xff; /* the CRC */
    assert_int_equal(load(gz, n, &b, &d), 1);
    assert_int_equal(d.skipped[SKIP_BAD_GZIP], 1);
    assert_memory_equal(b.data, t, b.len);

    memset(gz + n / 2, 0xff, 64); /* the deflate data */
    gz[n - 6] ^= 0xff;
    assert_int_equal(load(gz, n, &b, &d), 1);
    assert_int_equal(diag_skipped(&d), 1);
    assert_true(b.len < size);
    assert_memory_equal(b.data, t, b.len / 2);
    source_buf_free(&b);
    free(gz);
    free(t);
}

/* What is not a regular file is never read, and opening it never blocks
 * (a FIFO with no writer would, opened the usual way). */
static void test_only_regular_files(void **state)
{
    char fifo[64], err_log[4096];
    struct source_loader l = {0};
    struct source_buf b = {0};
    struct source_stream st;
    struct diag d;
    strcpy(fifo, "/tmp/test_source.XXXXXX");
    assert_non_null(mkdtemp(fifo));
    strcat(fifo, "/f.json");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    diag_init(&d);
    d.out = fmemopen(err_log, sizeof err_log, "w");
    setvbuf(d.out, NULL, _IONBF, 0);
    assert_int_equal(source_stream_open(fifo, 0, &st), -1);
    assert_int_equal(source_load(&l, fifo, &b, &d), 1);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(source_load(&l, "/dev/zero", &b, &d), 1);
    assert_int_equal(d.passed[PASS_NOT_FILE], 2);
    assert_int_equal(d.files, 0);
    strcpy(strrchr(fifo, '/'), "/e.json"); /* an empty file beside it */
    FILE *e = fopen(fifo, "w");
    fclose(e);
    assert_int_equal(source_load(&l, fifo, &b, &d), 1);
    assert_int_equal(d.passed[PASS_EMPTY], 1);
    assert_int_equal(d.files, 0);
    unlink(fifo);
    strcpy(strrchr(fifo, '/'), "/f.json");
    assert_int_equal(source_load(&l, "/nonexistent/x.json", &b, &d), 1);
    assert_int_equal(d.skipped[SKIP_READ_ERROR], 1);
    assert_non_null(strstr(err_log, "f.json: not_a_file: a FIFO, not a regular file; passed over"));
    assert_non_null(strstr(err_log, "/dev/zero: not_a_file: a character device"));
    assert_non_null(strstr(err_log, "e.json: empty: an empty file; passed over"));
    assert_non_null(strstr(err_log, "/nonexistent/x.json (byte 0): read_error: cannot open: No such file"));
    struct stat sb;
    assert_int_equal(source_open(fifo, &sb), -2);
    assert_true(S_ISFIFO(sb.st_mode));
    fclose(d.out);
    unlink(fifo);
    *strrchr(fifo, '/') = '\0';
    rmdir(fifo);
    source_buf_free(&b);
    source_loader_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_one_member),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_damage_keeps_what_was_inflated),
        cmocka_unit_test(test_only_regular_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
