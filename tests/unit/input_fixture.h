/*
 * input_fixture — what the input unit tests share: a scratch folder, the
 * default config, a diag whose messages are captured, an in-memory state
 * database and the env lent to inputs, plus a checkpoint done the way the
 * daemon does it.  Include after cmocka.h, in one test file each.
 */
#ifndef CTI_TEST_INPUT_FIXTURE_H
#define CTI_TEST_INPUT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "input.h"

struct input_fixture {
    char dir[64];   /* scratch folder, removed by input_fixture_free */
    struct config cfg;
    struct diag d;
    sqlite3 *db;
    struct input_env env;
    char log[8192]; /* what the inputs printed */
    FILE *logf;
};

static void input_fixture_init(struct input_fixture *x)
{
    char *real;
    snprintf(x->dir, sizeof x->dir, "/tmp/cti-input-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    real = realpath(x->dir, NULL);
    snprintf(x->dir, sizeof x->dir, "%s", real);
    free(real);
    config_defaults(&x->cfg);
    diag_init(&x->d);
    x->logf = fmemopen(x->log, sizeof x->log, "w");
    setvbuf(x->logf, NULL, _IONBF, 0);
    x->d.out = x->logf;
    assert_int_equal(sqlite3_open(":memory:", &x->db), SQLITE_OK);
    x->env = (struct input_env){.cfg = &x->cfg, .d = &x->d, .db = x->db};
}

static void input_fixture_free(struct input_fixture *x)
{
    char cmd[128];
    sqlite3_close(x->db);
    fclose(x->logf);
    snprintf(cmd, sizeof cmd, "rm -rf %s", x->dir);
    assert_int_equal(system(cmd), 0);
}

/* BEGIN, save(ctx), COMMIT, then committed(ctx). */
static void input_fixture_checkpoint(struct input_fixture *x,
                                     int (*save)(void *, char *, size_t),
                                     void (*committed)(void *), void *ctx)
{
    char err[256];
    assert_int_equal(sqlite3_exec(x->db, "BEGIN", 0, 0, 0), SQLITE_OK);
    assert_int_equal(save(ctx, err, sizeof err), 0);
    assert_int_equal(sqlite3_exec(x->db, "COMMIT", 0, 0, 0), SQLITE_OK);
    committed(ctx);
}

#endif
