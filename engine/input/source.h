/*
 * source — the bytes of JSON in the files a user names.
 *
 * source_load reads one file (named by source_walk) whole and inflates
 * it when it starts with the gzip magic (whatever its name), keeping what it
 * could inflate when the gzip is cut off or damaged (reported to diag).
 * Gzip is inflated by inflate (libdeflate for sound data, zlib keeping
 * what came before damage and saying where it is), unbounded.  Only regular files are read: every file
 * is opened without blocking (O_NONBLOCK, so a FIFO or device put where a
 * file was does not hang the opening) and checked with fstat before a byte
 * is read; anything else is closed again and reported as passed over.  Not
 * thread-safe per object; separate loaders and buffers may be used by
 * separate threads.
 */
#ifndef CTI_SOURCE_H
#define CTI_SOURCE_H

#include "diag.h"
#include "inflate.h"

#include <stddef.h>
#include <sys/stat.h>

struct source_buf {
    char *data; /* owned; NUL-terminated after source_load */
    size_t len, cap;
    /* private: data is a mapping of this many bytes (a large plain file,
     * mapped rather than copied), 0 when it was allocated */
    size_t map_len;
};

/* What one thread needs to load files: the compressed bytes and the
 * inflater, kept between files.  Zero-initialise, free with
 * source_loader_free. */
struct source_loader {
    /* private */
    struct source_buf raw;
    struct inflater z;
    char *dir;  /* the folder of the last file opened (NULL: none) */
    int dir_fd; /* and a handle on it */
};

/* Read path ("-" = stdin) into b (replacing its contents), inflating gzip.
 * b->data is NUL-terminated.  Returns 0 when the whole file was read; 1
 * when only part of it could be, or none (the reason is counted and
 * reported in d and b holds what was read): a file that cannot be opened
 * is a read error ("cannot open: REASON"), one that is not a regular file
 * or is empty is passed over (not_a_file, empty); none counts as a file
 * opened. */
int source_load(struct source_loader *l, const char *path,
                struct source_buf *b, struct diag *d);
void source_loader_free(struct source_loader *l);

/* Open path, a regular file, for reading without blocking.  Returns the
 * descriptor (the caller closes it) with st its fstat; -1 when it cannot
 * be opened (errno set); -2 when it is not a regular file (closed again at
 * once, nothing read; st says what it is). */
int source_open(const char *path, struct stat *st);

/* What a file of this mode is, for messages: "a FIFO", "a character
 * device", "a folder"... */
const char *source_kind(mode_t mode);

/* A large plain file read piece by piece rather than whole: pieces are
 * mapped (read-only, no copy) one at a time.  The file must not shrink
 * while it is read. */
struct source_stream {
    int fd;
    size_t size; /* at opening; what is read */
};

/* Open path for reading in pieces when it is a regular file of at least
 * min_size bytes that is not gzip: returns 0, or -1 (nothing opened; read
 * it with source_load). */
int source_stream_open(const char *path, size_t min_size,
                       struct source_stream *s);
/* Map bytes [off, off + len) of the file (off + len <= s->size).  Returns
 * a pointer to byte off, or NULL (errno set); *base and *maplen are what to
 * hand source_stream_unmap. */
const char *source_stream_map(const struct source_stream *s, size_t off,
                              size_t len, void **base, size_t *maplen);
void source_stream_unmap(void *base, size_t maplen);
void source_stream_close(struct source_stream *s);

void source_buf_free(struct source_buf *b);

#endif
