/*
 * scan — a structural JSON scanner over an in-memory buffer.
 *
 * It finds where values start and end (matching brackets, stepping over
 * strings and their escapes) without building a tree and without validating
 * scalars: a record's span found here is then parsed properly by jansson.
 * This is what lets the reader report byte offsets, bound record sizes and
 * nesting, and go on after one bad record inside a large `Records` array.
 * All functions are pure and thread-safe; nothing allocates.
 */
#ifndef CTI_SCAN_H
#define CTI_SCAN_H

#include <stddef.h>

enum scan_rc {
    SCAN_OK = 0,
    SCAN_EOF = -1,       /* no value before the end of the buffer */
    SCAN_TRUNCATED = -2, /* the value is cut off by the end of the buffer */
    SCAN_BAD = -3,       /* a byte that cannot start or continue a value */
    SCAN_TOO_DEEP = -4,  /* nesting deeper than the limit */
};

/* Return the first offset >= at in buf[0..len) that is not JSON whitespace. */
size_t scan_ws(const char *buf, size_t len, size_t at);

/* Find the end of the value starting at buf[at] (at must not be
 * whitespace).  On SCAN_OK, *end is one past its last byte.  On an error,
 * *end is the offset where the problem was seen. */
int scan_value(const char *buf, size_t len, size_t at, int max_depth,
               size_t *end);

/* Step through the members of an object or the elements of an array
 * one at a time, so a caller can act on each value as it is found (and keep
 * what came before a damaged part).  Usage:
 *   scan_iter_begin(&it, buf, len, at, max_depth);   buf[at] is '{' or '['
 *   while ((rc = scan_iter_next(&it, &key, &keylen, &vstart)) == SCAN_OK) {
 *       ... look at the value at vstart, then ...
 *       rc = scan_iter_skip(&it, vstart);   or set it.pos to its end
 *   }
 *   rc == SCAN_EOF: the closing bracket was reached, it.pos is after it.
 * For arrays key is NULL.  Keys are raw bytes between the quotes.  On an
 * error it.pos is where the problem was seen. */
struct scan_iter {
    const char *buf;
    size_t len;
    size_t pos;
    int depth;  /* nesting left for values inside */
    char close; /* '}' or ']' */
    int count;  /* values returned so far */
};
void scan_iter_begin(struct scan_iter *it, const char *buf, size_t len,
                     size_t at, int max_depth);
int scan_iter_next(struct scan_iter *it, const char **key, size_t *keylen,
                   size_t *vstart);
int scan_iter_skip(struct scan_iter *it, size_t vstart);

/* 1-based line and column of offset at in buf. */
void scan_line_col(const char *buf, size_t at, size_t *line, size_t *col);

#endif
