/*
 * gunzip — inflating gzip data held in memory, with a bound on the output.
 *
 * For the live inputs: a file of a watched folder, an HTTP body, a
 * Firehose record or a CloudWatch Logs payload.  Several gzip members in a
 * row are inflated one after the other (as gzip -d does).  The output is
 * bounded so a small body cannot inflate into gigabytes.  Pure apart from
 * allocation (xalloc); reentrant.
 */
#ifndef CTI_GUNZIP_H
#define CTI_GUNZIP_H

#include <stddef.h>

enum gunzip_rc {
    GUNZIP_OK = 0,        /* every member inflated to its end */
    GUNZIP_TRUNCATED = 1, /* the data ends inside a member */
    GUNZIP_DAMAGED = 2,   /* data that is not gzip, or damaged */
    GUNZIP_TOO_BIG = 3,   /* the output would pass max_out */
};

/* Whether buf starts with the gzip magic bytes. */
int gunzip_is_gzip(const char *buf, size_t len);

/* Inflate in[0..inlen) into *out (replacing it; grown with xgrow, *cap
 * updated; caller frees; NUL-terminated at (*out)[*outlen]).  On any rc
 * other than GUNZIP_OK, *out holds what was inflated before the problem
 * and *at the offset in `in` where it was seen. */
enum gunzip_rc gunzip(const char *in, size_t inlen, size_t max_out,
                      char **out, size_t *outlen, size_t *cap, size_t *at);

/* Short lowercase phrase for rc, e.g. "gzip data is damaged". */
const char *gunzip_str(enum gunzip_rc rc);

#endif
