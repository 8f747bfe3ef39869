/*
 * readfile — one file read into one evbatch.
 *
 * readfile_read loads a file (source), finds its records (frame, with the
 * fast extractor), classifies them (record) and adds them to a batch,
 * counting and reporting what it passes over in a diag.  A large NDJSON
 * file (READFILE_BIG bytes or more) is read in pieces of about
 * READFILE_PIECE bytes cut at line ends, scanned on up to `threads` threads while the next
 * pieces are read, and joined in order into the one batch, each piece's
 * messages placed at their byte and line in the file: the result is that
 * of reading it whole, and a plain file that size is never held whole in
 * memory.  One struct readfile per thread; it keeps its buffers between
 * files.
 */
#ifndef CTI_READFILE_H
#define CTI_READFILE_H

#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "source.h"

#define READFILE_BIG ((size_t)64 << 20)
#define READFILE_PIECE ((size_t)16 << 20)

/* Use other sizes than READFILE_BIG and READFILE_PIECE (for tests: pieces
 * of a few bytes exercise the joins); 0 restores the default. */
void readfile_set_sizes(size_t big, size_t piece);

struct readfile_piece;

/* Handed the batch so far of a large file read in pieces, after each wave
 * of pieces (the batch is cleared after): a consumer can work on it while
 * the next wave is scanned.  The rest comes in the batch readfile_read
 * leaves. */
typedef void (*readfile_flush_fn)(void *ctx, const char *name, const struct evbatch *batch);

struct readfile {
    readfile_flush_fn flush; /* public: NULL keeps the whole file in one batch */
    void *flush_ctx;
    const int *stop; /* public: once flush has set *stop, the rest of the
                        file is not read */
    /* private */
    struct source_loader loader;
    struct source_buf buf;
    struct readfile_piece *pieces; /* two waves of `threads` pieces */
    size_t npieces;
};

/* Zero-initialise a struct readfile, or use these. */
void readfile_init(struct readfile *rf);
void readfile_free(struct readfile *rf);

/* Read path ("-" = stdin) into batch (cleared first) under c, counting
 * and reporting into d; a file that cannot be opened is reported as a read
 * error.  threads >= 1 bounds the threads a large NDJSON file is scanned
 * on. */
void readfile_read(struct readfile *rf, const char *path,
                   const struct config *c, int threads, struct evbatch *batch,
                   struct diag *d);

/* Add the records of one buffer of JSON (a unit of a live source, any
 * shape frame_fields reads) to batch (not cleared), name naming it in
 * messages; problems are counted in d and reported. */
void readfile_buffer(const char *name, const char *buf, size_t len,
                     const struct config *c, struct diag *d, struct evbatch *batch);

/* The name messages and consumers give path ("<stdin>" for "-"). */
const char *readfile_name(const char *path);

#endif
