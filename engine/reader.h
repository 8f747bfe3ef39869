/*
 * reader — the files a user names, as evbatches handed over in order.
 *
 * reader_run reads each file of a pathlist (source_load: plain or gzip),
 * finds its records (frame), classifies them (record) and hands the
 * consumer one evbatch per file, in the order of the list, on the calling
 * thread.  Problems are counted in d and reported (diag) in input order.
 * The batch and the name are borrowed for the call.  Progress, when
 * asked, goes to stderr.
 */
#ifndef CTI_READER_H
#define CTI_READER_H

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "source.h"

typedef void (*reader_batch_fn)(void *ctx, const char *name,
                                const struct evbatch *b);

struct reader_opts {
    int progress; /* a progress line on stderr while reading */
};

/* Read every file of files, calling cb once per file (even when it held
 * no valid record).  Files that cannot be opened are counted and reported
 * as read errors. */
void reader_run(const struct pathlist *files, const struct config *c,
                const struct reader_opts *o, struct diag *d,
                reader_batch_fn cb, void *ctx);

/* Find, classify and add to b the records of one buffer of JSON (a unit
 * of a live source); name names it in messages.  Problems are counted in
 * d and reported. */
void reader_frame(const char *name, const char *buf, size_t len,
                  const struct config *c, struct diag *d, struct evbatch *b);

#endif
