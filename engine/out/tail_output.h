/*
 * tail_output — where `ctinsights tail` writes Insight records: standard
 * output or a file, one record per line.
 *
 * Lines are written before the checkpoint that stores the engine state
 * which decided them commits; the file's length at each commit goes into
 * the state.  After a crash the file is cut back to its length at the
 * last commit, and the replay from there decides the same records again:
 * a file gets every record exactly once.  Standard output cannot be cut
 * back: a crash between writing and committing may repeat the records of
 * that moment (never lose one).  tail_output_reopen closes and reopens
 * the file (after log rotation).  Not thread-safe.
 */
#ifndef CTI_TAIL_OUTPUT_H
#define CTI_TAIL_OUTPUT_H

#include "state.h"

#include <stddef.h>

struct tail_output;

/* Open path for appending (NULL: standard output), cut back to the length
 * st recorded at its last commit (st may be NULL).  NULL with a message in
 * err on failure. */
struct tail_output *tail_output_open(const char *path, struct state *st, char *err,
                                     size_t errlen);
void tail_output_close(struct tail_output *o);
/* Write one line (a newline is added) and flush.  0 or -1 (message in
 * err). */
int tail_output_line(struct tail_output *o, const char *line, char *err, size_t errlen);
/* Record the output's length in st (inside the checkpoint transaction). */
int tail_output_checkpoint(struct tail_output *o, struct state *st);
/* Reopen the file (SIGHUP); standard output stays.  0 or -1. */
int tail_output_reopen(struct tail_output *o, char *err, size_t errlen);

#endif
