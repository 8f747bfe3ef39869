/*
 * Unit tests for engine/input/in_spool.c: what an http input answered 200 for
 * is replayed after a restart exactly when no committed checkpoint holds
 * it — once, in order — while a unit cut off by a crash (never answered)
 * or taken back (answered 503) is not, and consumed generations are
 * deleted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "in_spool.h"
#include "input_fixture.h"
#include "xalloc.h"

struct fixture {
    struct input_fixture x;
    struct in_spool *s;
    char got[4096];
    int refuse;
};

static int on_unit(void *ctx, const char *unit, const char *buf, size_t len)
{
    struct fixture *f = ctx;
    if (f->refuse)
        return -1;
    size_t used = strlen(f->got);
    snprintf(f->got + used, sizeof f->got - used, "%s=%.*s;", unit, (int)len,
             buf);
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    input_fixture_init(&f->x);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    in_spool_close(f->s);
    input_fixture_free(&f->x);
    xfree(f);
    return 0;
}

static void reopen(struct fixture *f)
{
    char err[256];
    in_spool_close(f->s);
    f->s = NULL;
    if (in_spool_open(f->x.dir, "http://test", &f->x.env, &f->s, err, sizeof err)) {
        print_error("%s\n", err);
        fail();
    }
}

static const char *replay(struct fixture *f)
{
    f->got[0] = '\0';
    in_spool_replay(f->s, on_unit, f);
    return f->got;
}

static void append(struct fixture *f, const char *name, const char *text)
{
    char err[256];
    assert_int_equal(in_spool_append(f->s, name, text, strlen(text), err,
                                     sizeof err), 0);
}

static int save(void *s, char *err, size_t errlen)
{
    return in_spool_checkpoint(s, err, errlen);
}

static void committed(void *s)
{
    in_spool_committed(s);
}

static void checkpoint(struct fixture *f)
{
    input_fixture_checkpoint(&f->x, save, committed, f->s);
}

static int files(struct fixture *f)
{
    DIR *d = opendir(f->x.dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "spool-", 6) == 0;
    closedir(d);
    return n;
}

static void test_replays_what_no_checkpoint_holds(void **state)
{
    struct fixture *f = *state;
    reopen(f);
    assert_string_equal(replay(f), "");
    append(f, "http:a", "{\"A\":1}");
    checkpoint(f);
    append(f, "http:b", "{\"B\":2}\n{\"B\":3}");
    append(f, "http:c", "{\"C\":4}");
    reopen(f); /* a crash: b and c were answered 200, never checkpointed */
    assert_true(in_spool_replaying(f->s));
    assert_string_equal(replay(f), "http:b={\"B\":2}\n{\"B\":3};http:c={\"C\":4};");
    assert_false(in_spool_replaying(f->s));
    checkpoint(f);
    reopen(f);
    assert_string_equal(replay(f), "");
    checkpoint(f);
    assert_true(files(f) <= 1);
}

static void test_refused_replay_waits(void **state)
{
    struct fixture *f = *state;
    reopen(f);
    append(f, "http:a", "{}");
    reopen(f);
    f->refuse = 1;
    assert_string_equal(replay(f), "");
    assert_true(in_spool_replaying(f->s));
    f->refuse = 0;
    assert_string_equal(replay(f), "http:a={};");
}

static void test_taken_back_unit_is_not_replayed(void **state)
{
    struct fixture *f = *state;
    reopen(f);
    append(f, "http:a", "{\"A\":1}");
    append(f, "http:b", "{\"B\":1}");
    in_spool_undo(f->s); /* the engine refused b: answered 503 */
    reopen(f);
    assert_string_equal(replay(f), "http:a={\"A\":1};");
}

static void test_cut_off_and_damaged_units(void **state)
{
    struct fixture *f = *state;
    char path[128];
    reopen(f);
    append(f, "http:a", "{\"A\":1}");
    reopen(f); /* the generation holding a is now closed */
    snprintf(path, sizeof path, "%s/spool-%020d.log", f->x.dir, 1);
    FILE *o = fopen(path, "ab");
    assert_non_null(o);
    fputs("junk in the middle\n", o);
    fputs("CTSPOOL1 7 http:b\n{\"B\":1}\n", o);
    fputs("CTSPOOL1 100 http:c\n{\"C\"", o); /* a crash while writing c */
    fclose(o);
    reopen(f);
    assert_string_equal(replay(f), "http:a={\"A\":1};http:b={\"B\":1};");
    assert_non_null(strstr(f->x.log, "damaged at byte"));
    assert_non_null(strstr(f->x.log, "never acknowledged"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_replays_what_no_checkpoint_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_replay_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_taken_back_unit_is_not_replayed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_off_and_damaged_units, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
