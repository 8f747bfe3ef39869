/*
 * in_lines — cutting a byte stream (a followed file, stdin) into units of
 * whole lines.
 *
 * The reader keeps the bytes it has not delivered yet and asks in_lines
 * what to do with them: deliver a prefix that ends at a newline (at most
 * max_unit bytes, or one whole line if that is longer), wait for more
 * bytes (a half-written last line), or drop a line longer than max_line
 * (reported once by the caller, then dropped up to its newline however
 * many calls that takes).  At the end of a stream (`final`) a last line
 * without a newline is delivered as it is.  Pure; one struct per stream.
 */
#ifndef CTI_IN_LINES_H
#define CTI_IN_LINES_H

#include <stddef.h>

struct in_lines {
    size_t max_unit; /* public: preferred unit size, bytes */
    size_t max_line; /* public: longer lines are dropped */
    int dropping;    /* private: inside a dropped line */
};

enum in_cut {
    IN_CUT_WAIT,     /* nothing to do until more bytes come */
    IN_CUT_UNIT,     /* deliver buf[0..*n) */
    IN_CUT_OVERSIZED, /* a line over max_line starts: drop buf[0..*n), report it */
    IN_CUT_DROP,     /* drop buf[0..*n), more of that line */
};

/* Set the limits and clear the state. */
void in_lines_init(struct in_lines *l, size_t max_unit, size_t max_line);

/* What to do with buf[0..len), the pending bytes of the stream.  final:
 * no more bytes will come.  OUT: *n bytes concerned. */
enum in_cut in_lines_next(struct in_lines *l, const char *buf, size_t len,
                          int final, size_t *n);

#endif
