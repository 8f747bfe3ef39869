/*
 * reader — the files a user names, as evbatches handed over in order.
 *
 * reader_run reads each file of a walk (source_load: plain or gzip),
 * finds its records (frame, with the fast extractor), classifies them
 * (record) and hands the consumer the evbatches of each file, in the order
 * of the list, on the calling thread: one per file, or for a large NDJSON
 * file read in pieces one per wave of pieces (the consumer works on one
 * while the next is scanned).  Files are read, inflated and scanned on
 * worker threads, a few files ahead of the consumer; each file's problems
 * are kept with it and reported (diag) when its batch is handed over, so
 * counts and messages are those of a one-thread run, in input order,
 * whatever the thread count; on a walk gone over again (rewound), what is
 * passed over is counted but not reported again.  The batch and the name
 * are borrowed for the call.  Progress, when asked, goes to stderr.
 */
#ifndef CTI_READER_H
#define CTI_READER_H

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "source_walk.h"

typedef void (*reader_batch_fn)(void *ctx, const char *name,
                                const struct evbatch *b);

struct reader_opts {
    int progress;     /* a progress line on stderr while reading */
    const int *stop;  /* when not NULL: once cb has set *stop, no further
                         file is handed over (the one being handed over
                         still is, whole) */
};

/* Read every file of the walk w (from where it stands), calling cb at
 * least once per file (even when it held no valid record), its batches in
 * order.  Files that cannot be opened are counted and reported as read
 * errors.  cb runs on the calling thread, never concurrently. */
void reader_run(struct source_walk *w, const struct config *c,
                const struct reader_opts *o, struct diag *d,
                reader_batch_fn cb, void *ctx);

/* Set the number of reading threads: n >= 1, or 0 for one per core
 * available to the process (the initial setting).  Meant to be called once
 * at start-up (the command line's --threads), before reader_run. */
void reader_default_threads(int n);

/* The number of reading threads reader_run uses. */
int reader_threads(void);

#endif
