/*
 * state_arg — the state file a reading command (`insights`, `baseline`)
 * names with --state, opened to read back what it holds.
 */
#ifndef CTI_STATE_ARG_H
#define CTI_STATE_ARG_H

#include "state.h"

/* Open path (the --state argument, NULL when none was given) with no size
 * limit into *st (OUT; state_close frees it).  0, or -1 with the message
 * printed: no --state, or the file cannot be opened. */
int state_arg_open(const char *path, struct state **st);

#endif
