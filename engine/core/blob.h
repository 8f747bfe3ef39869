/*
 * blob — packing the engine's state into bytes and reading it back.
 *
 * A writer appends fixed-size values and byte runs to a growing buffer;
 * a reader takes them back in the same order, refusing (and remembering
 * that it refused) any read past the end, so a short or damaged blob is
 * an error, never an overrun.  Values are in the machine's own byte order
 * and layout: a state file is read by the build that wrote it (the state
 * records a format fingerprint to tell).  Not thread-safe per object.
 */
#ifndef CTI_BLOB_H
#define CTI_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob_writer {
    unsigned char *data; /* owned */
    size_t len, cap;
};

struct blob_reader {
    const unsigned char *data; /* borrowed */
    size_t len, pos;
    int bad; /* a read went past the end */
};

void blob_writer_init(struct blob_writer *w);
void blob_writer_free(struct blob_writer *w);
/* Append n bytes of p. */
void blob_put(struct blob_writer *w, const void *p, size_t n);
void blob_put_u32(struct blob_writer *w, uint32_t v);
/* A length (u32) and then the bytes. */
void blob_put_bytes(struct blob_writer *w, const void *p, size_t n);

void blob_reader_init(struct blob_reader *r, const void *data, size_t len);
/* Copy n bytes into p; zeros and marks r bad when fewer remain. */
void blob_get(struct blob_reader *r, void *p, size_t n);
uint32_t blob_get_u32(struct blob_reader *r);
/* A run written by blob_put_bytes: *n gets its length; the bytes are
 * borrowed from the reader's data (NULL when bad). */
const void *blob_get_bytes(struct blob_reader *r, size_t *n);
/* Whether every byte was read and none was missing. */
int blob_done(const struct blob_reader *r);

#endif
