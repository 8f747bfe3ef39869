/*
 * score_run — one scoring of the files a user names (`score`, `keys`):
 * read once through the engine, and the Insight records it decided, in
 * output order.
 *
 * Files are read in the order listed (reader) into the engine (stream),
 * which puts each account/region's records in time order within
 * score.reorder_minutes.  When the input is more out of order than that
 * (a shuffled export), or comes from standard input, it is read again and
 * sorted whole first, so the result never depends on the order of files
 * or of records in them.  Records are sorted by time, then key, then
 * Start before End.  With a state file, the engine goes on from what it
 * holds (input older than it has seen is late, counted and dropped) and is
 * saved there, with the records it emitted, before the end of the data is
 * taken as the end (so `tail` can go on from it); records the state had
 * already emitted are not written again.  Not thread-safe.
 */
#ifndef CTI_SCORE_RUN_H
#define CTI_SCORE_RUN_H

#include "config.h"
#include "diag.h"
#include "insight_store.h"
#include "source_walk.h"
#include "state.h"
#include "stream.h"

#include <jansson.h>
#include <stdint.h>

/* One Insight record and what it is sorted by. */
struct score_record {
    json_t *rec;             /* owned */
    struct insight_report r; /* strings borrowed from the stream */
    struct insight ins;      /* r.ins points here once sorted */
};

struct score_run {
    const struct config *cfg;
    struct diag diag;
    struct stream *stream;     /* owned */
    struct score_record *recs; /* after score_run_files, in output order */
    size_t nrecs, recs_cap;
    int progress;              /* a progress line on stderr */
    int sorted;                /* the input needed the sorted second pass */
    int resumed;               /* the engine came from the state file */
    /* with a state file */
    struct state *state;       /* borrowed */
    struct insight_store *store;
    int storing;               /* records go to the store as they come */
    int state_failed;          /* the state could not be written */
    char state_err[512];
};

/* An empty run under c (borrowed, outlives the run). */
void score_run_init(struct score_run *run, const struct config *c);
/* Free what run holds; the state file (borrowed) stays open. */
void score_run_free(struct score_run *run);
/* Score every file of files, going on from and saving to st when not
 * NULL; run->recs holds the records, run->diag the counts.  Returns 0, or
 * -1 when the state file could not be read or written (message in
 * run->state_err; the records are still complete). */
int score_run_files(struct score_run *run, struct source_walk *files, struct state *st);

#endif
