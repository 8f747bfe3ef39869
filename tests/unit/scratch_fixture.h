/*
 * scratch_fixture — a scratch folder for a test file's tests, made by
 * scratch_setup and removed with what is in it by scratch_teardown (as
 * cmocka group or test setup/teardown).  Include after cmocka.h.
 */
#ifndef CTI_TEST_SCRATCH_FIXTURE_H
#define CTI_TEST_SCRATCH_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char scratch[64]; /* the folder, /tmp/cti-test.XXXXXX */

static inline int scratch_setup(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/cti-test.XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static inline int scratch_teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
