/* engine/state, engine/insight_store, engine/blob, engine/tally: the state
 * file and the small pieces the engine keeps there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "insight_store.h"
#include "state.h"
#include "strpool.h"
#include "tally.h"
#include "xalloc.h"

static void temp_path(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/ctinsights-state-%d-%d.db", (int)getpid(), rand());
}

static void remove_db(const char *path)
{
    char p[256];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void test_values_and_format(void **state)
{
    char path[128], err[512];
    struct state *st;
    (void)state;
    temp_path(path, sizeof path);
    assert_int_equal(state_open(path, 0, &st, err, sizeof err), 0);
    void *v;
    size_t n;
    assert_int_equal(state_get(st, "x", &v, &n), 1);
    assert_int_equal(state_begin(st), 0);
    assert_int_equal(state_put(st, "x", "abc", 3), 0);
    state_rollback(st); /* not kept */
    assert_int_equal(state_get(st, "x", &v, &n), 1);
    assert_int_equal(state_begin(st), 0);
    assert_int_equal(state_put(st, "x", "abc", 3), 0);
    assert_int_equal(state_commit(st), 0);
    state_close(st);
    assert_int_equal(state_open(path, 0, &st, err, sizeof err), 0);
    assert_int_equal(state_get(st, "x", &v, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(v, "abc", 3);
    xfree(v);
    /* Another build's file is refused, with its path. */
    assert_int_equal(state_begin(st), 0);
    assert_int_equal(state_put(st, "format", "other", 5), 0);
    assert_int_equal(state_commit(st), 0);
    state_close(st);
    assert_int_equal(state_open(path, 0, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "another version"));
    remove_db(path);
}

static void test_full(void **state)
{
    char path[128], err[512];
    struct state *st;
    (void)state;
    temp_path(path, sizeof path);
    assert_int_equal(state_open(path, 64 * 1024, &st, err, sizeof err), 0);
    char *big = xcalloc(1, 200 * 1024);
    assert_int_equal(state_begin(st), 0);
    assert_int_equal(state_put(st, "big", big, 200 * 1024), -1);
    assert_true(state_full(st));
    state_rollback(st);
    /* Small writes still go. */
    assert_int_equal(state_begin(st), 0);
    assert_int_equal(state_put(st, "small", "x", 1), 0);
    assert_int_equal(state_commit(st), 0);
    xfree(big);
    state_close(st);
    remove_db(path);
}

/* The records insight_store_each hands over. */
struct seen {
    int n;
    char text[8][16];
};

static int cb(void *ctx, int64_t seq, const char *rec)
{
    struct seen *s = ctx;
    (void)seq;
    snprintf(s->text[s->n++], sizeof s->text[0], "%s", rec);
    return 0;
}

static void test_insight_store(void **state)
{
    char path[128], err[512];
    struct state *st;
    (void)state;
    temp_path(path, sizeof path);
    assert_int_equal(state_open(path, 0, &st, err, sizeof err), 0);
    struct insight_store *is = insight_store_open(st);
    assert_non_null(is);
    struct insight ins = {.start = 100, .end = 105};
    struct insight_report r = {.state = STATE_START, .account = "111122223333",
                               .region = "us-east-1", .source = "iam.amazonaws.com",
                               .name = "CreateUser", .ins = &ins, .category = "iam-burst"};
    assert_int_equal(state_begin(st), 0);
    assert_true(insight_store_add(is, &r, "id-1", "{\"a\":1}") > 0);
    assert_int_equal(insight_store_add(is, &r, "id-1", "{\"a\":1}"), 0); /* again */
    struct insight ins2 = {.start = 200};
    struct insight_report r2 = r;
    r2.ins = &ins2;
    r2.account = "444455556666";
    assert_true(insight_store_add(is, &r2, "id-2", "{\"b\":2}") > 0);
    r.state = STATE_END;
    assert_true(insight_store_add(is, &r, "id-1", "{\"c\":3}") > 0);
    assert_int_equal(state_commit(st), 0);
    struct seen seen;
    struct insight_filter all = {-1, -1, NULL, NULL, NULL, 0, 0};
    memset(&seen, 0, sizeof seen);
    assert_int_equal(insight_store_each(is, &all, cb, &seen), 0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.text[0], "{\"a\":1}");
    assert_string_equal(seen.text[2], "{\"c\":3}");
    struct insight_filter open = all;
    open.open_only = 1;
    memset(&seen, 0, sizeof seen);
    assert_int_equal(insight_store_each(is, &open, cb, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.text[0], "{\"b\":2}");
    struct insight_filter acct = all;
    acct.account = "1111*";
    acct.from = 50;
    acct.until = 150;
    memset(&seen, 0, sizeof seen);
    assert_int_equal(insight_store_each(is, &acct, cb, &seen), 0);
    assert_int_equal(seen.n, 2);
    insight_store_close(is);
    state_close(st);
    remove_db(path);
}

static void test_blob_bounds(void **state)
{
    (void)state;
    struct blob_writer w;
    blob_writer_init(&w);
    blob_put_u32(&w, 7);
    blob_put_bytes(&w, "hello", 5);
    struct blob_reader r;
    blob_reader_init(&r, w.data, w.len);
    assert_int_equal(blob_get_u32(&r), 7);
    size_t n;
    const char *p = blob_get_bytes(&r, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(p, "hello", 5);
    assert_true(blob_done(&r));
    /* Cut short: every read past the end is refused, and remembered. */
    blob_reader_init(&r, w.data, w.len - 2);
    blob_get_u32(&r);
    assert_null(blob_get_bytes(&r, &n));
    assert_int_equal(n, 0);
    assert_false(blob_done(&r));
    assert_int_equal(blob_get_u32(&r), 0);
    blob_writer_free(&w);
}

static void test_tally_rank(void **state)
{
    (void)state;
    struct strpool *pool = strpool_new();
    uint32_t b = strpool_intern(pool, "bob", 3), a = strpool_intern(pool, "alice", 5);
    struct tally t;
    tally_init(&t);
    for (int i = 0; i < 3; i++)
        tally_event(&t, b, 0, 0);
    for (int i = 0; i < 3; i++)
        tally_event(&t, a, 0, 0);
    tally_event(&t, 0, 0, 0);
    struct tally_entry top[5];
    size_t n = tally_top(&t, TALLY_ARN, pool, 5, top);
    assert_int_equal(n, 3);
    assert_int_equal(top[0].id, a); /* ties by string: alice first */
    assert_int_equal(top[1].id, b);
    assert_int_equal(top[2].id, 0);
    assert_string_equal(tally_value_str(pool, top[2].id), "null");
    assert_int_equal(t.total, 7);
    assert_int_equal(tally_top(&t, TALLY_ERROR, pool, 5, top), 1);
    assert_int_equal(top[0].count, 7);
    tally_free(&t);
    strpool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_format),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_insight_store),
        cmocka_unit_test(test_blob_bounds),
        cmocka_unit_test(test_tally_rank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
