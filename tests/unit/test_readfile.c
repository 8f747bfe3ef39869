/*
 * Unit tests for engine/input/readfile.c: a large NDJSON file read in pieces
 * (from a plain file in a stream, or from inflated gzip in memory), on one
 * thread or several, gives the batch, the counts and the messages (bytes,
 * lines, columns) of reading it whole, whatever falls on a cut: damaged
 * lines, a line longer than a piece, blank lines, CRLF, no final newline.
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
#include <zlib.h>

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "readfile.h"

/* What reading one file gave, as text. */
struct result {
    char *events, *messages;
    size_t events_len, messages_len;
    struct diag d;
};

/* The events of b as text, to o. */
static void print_batch(void *ctx, const char *name, const struct evbatch *b)
{
    FILE *o = ctx;
    (void)name;
    for (size_t i = 0; i < b->n; i++) {
        fprintf(o, "%u %u", b->ev[i].minute, b->ev[i].flags);
        for (int f = 0; f < EVF__COUNT; f++) {
            const char *s = evbatch_str(b, b->ev[i].str[f]);
            fprintf(o, " %s", s ? s : "-");
        }
        fputc('\n', o);
    }
}

/* Read path; flushed: the pieces' batches handed on wave by wave (as the
 * reader does), else all in one batch. */
static void read_one(const char *path, int threads, int flushed, struct result *r)
{
    struct config c;
    struct readfile rf;
    struct evbatch b;
    config_defaults(&c);
    c.max_record_bytes = 4096;
    readfile_init(&rf);
    evbatch_init(&b);
    diag_init(&r->d);
    r->d.out = open_memstream(&r->messages, &r->messages_len);
    FILE *o = open_memstream(&r->events, &r->events_len);
    if (flushed) {
        rf.flush = print_batch;
        rf.flush_ctx = o;
    }
    readfile_read(&rf, path, &c, threads, &b, &r->d);
    fclose(r->d.out);
    print_batch(o, path, &b);
    fclose(o);
    evbatch_free(&b);
    readfile_free(&rf);
    config_free(&c);
}

static void same(const struct result *want, const struct result *got,
                 const char *what)
{
    if (strcmp(want->events, got->events) != 0 ||
        strcmp(want->messages, got->messages) != 0 ||
        want->d.records != got->d.records || want->d.files != got->d.files ||
        want->d.bytes_json != got->d.bytes_json ||
        memcmp(want->d.skipped, got->d.skipped, sizeof want->d.skipped) ||
        memcmp(want->d.ignored, got->d.ignored, sizeof want->d.ignored)) {
        print_error("%s differs from reading whole:\n--- messages whole:\n%s\n"
                    "--- messages %s:\n%s\n", what, want->messages, what,
                    got->messages);
        fail();
    }
}

static void result_free(struct result *r)
{
    free(r->events);
    free(r->messages);
}

/* NDJSON with something awkward every few lines. */
static char *ndjson(size_t *len)
{
    char *text;
    size_t n;
    FILE *o = open_memstream(&text, &n);
    for (int i = 0; i < 400; i++) {
        const char *tail = i % 7 == 3 ? "\r\n" : "\n";
        switch (i % 23) {
        case 5:
            fprintf(o, "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-03-12T14:%02d:00Z\"", i % 60);
            break; /* cut off: truncated */
        case 9:
            fprintf(o, "{\"eventTime\":\"x\xff\"}");
            break;
        case 13:
            fputs("", o); /* a blank line */
            break;
        case 17: /* longer than a piece */
            fprintf(o, "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-03-12T14:07:12Z\","
                       "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"PutObject%d\","
                       "\"awsRegion\":\"eu-west-1\",\"recipientAccountId\":\"1\",\"readOnly\":false,"
                       "\"managementEvent\":true,\"userAgent\":\"", i);
            for (int k = 0; k < 600; k++)
                fputc('a' + k % 26, o);
            fputs("\"}", o);
            break;
        default:
            fprintf(o, "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-03-12T%02d:%02d:00Z\","
                       "\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"Op%d\","
                       "\"awsRegion\":\"us-east-1\",\"recipientAccountId\":\"%d\","
                       "\"readOnly\":%s,\"managementEvent\":true%s}",
                    i % 24, i % 60, i % 5, 100 + i % 3, i % 4 ? "false" : "true",
                    i % 11 == 0 ? ",\"errorCode\":\"Throttling\"" : "");
        }
        fputs(i == 399 ? "" : tail, o); /* no final newline */
    }
    fclose(o);
    *len = n;
    return text;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_pieces_read_as_whole(void **state)
{
    size_t n;
    char *text = ndjson(&n);
    char plain[] = "/tmp/test_readfile.XXXXXX";
    int fd = mkstemp(plain);
    assert_true(fd >= 0);
    close(fd);
    write_file(plain, text, n);
    char gz[64];
    snprintf(gz, sizeof gz, "%s.gz", plain);
    gzFile g = gzopen(gz, "wb");
    gzwrite(g, text, (unsigned)n);
    gzclose(g);

    struct result whole, whole_gz, got;
    read_one(plain, 1, 0, &whole); /* smaller than READFILE_BIG: read whole */
    read_one(gz, 1, 0, &whole_gz);
    assert_true(whole.d.records > 300);
    assert_true(whole.d.skipped[SKIP_TRUNCATED] > 0);
    assert_true(whole.d.skipped[SKIP_INVALID_UTF8] > 0);
    static const size_t pieces[] = {150, 700, 4096};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        readfile_set_sizes(1024, pieces[i]);
        for (int threads = 1; threads <= 3; threads += 2) {
            for (int flushed = 0; flushed < 2; flushed++) {
                read_one(plain, threads, flushed, &got);
                same(&whole, &got, "plain file in pieces");
                result_free(&got);
                read_one(gz, threads, flushed, &got);
                same(&whole_gz, &got, "gzip in pieces");
                result_free(&got);
            }
        }
    }
    readfile_set_sizes(0, 0);
    result_free(&whole);
    result_free(&whole_gz);
    unlink(plain);
    unlink(gz);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_read_as_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
