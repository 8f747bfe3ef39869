/*
 * inflate — gzip data held in memory, inflated with a bound on the output.
 *
 * The one inflater of every input: a file `score` reads, a file of a
 * watched folder, an HTTP body, a Firehose record, a CloudWatch Logs
 * payload.  Several gzip members in a row are inflated one after the
 * other, and zero bytes padding the end are passed over (as gzip -d
 * does).  The output is bounded so a small body cannot inflate into
 * gigabytes.  Given a struct inflater, sound data is inflated by libdeflate
 * a whole member at a time; data it refuses (damaged, cut off, past the
 * bound) and every call without one go through zlib, streaming, which
 * keeps what was inflated before the problem and says where it was seen.
 * Pure apart from allocation (xalloc); reentrant, one inflater per thread.
 */
#ifndef CTI_INFLATE_H
#define CTI_INFLATE_H

#include <stddef.h>

enum inflate_rc {
    INFLATE_OK = 0,        /* every member inflated to its end */
    INFLATE_TRUNCATED = 1, /* the data ends inside a member */
    INFLATE_DAMAGED = 2,   /* data that is not gzip, or damaged */
    INFLATE_TOO_BIG = 3,   /* the output would pass max_out */
};

/* libdeflate's decompressor, kept between calls.  Zero-initialise it;
 * inflater_free releases it. */
struct inflater {
    struct libdeflate_decompressor *dec;
};
void inflater_free(struct inflater *z);

/* Whether buf starts with the gzip magic bytes. */
int inflate_is_gzip(const char *buf, size_t len);

/* Inflate in[0..inlen) into *out (replacing it; grown with xgrow, *cap
 * updated; caller frees; NUL-terminated at (*out)[*outlen]), at most
 * max_out bytes; z may be NULL (zlib only).  On any rc other than
 * INFLATE_OK, *out holds what was inflated before the problem and *at the
 * offset in `in` where it was seen. */
enum inflate_rc inflate_gzip(struct inflater *z, const char *in, size_t inlen,
                             size_t max_out, char **out, size_t *outlen,
                             size_t *cap, size_t *at);

/* Short lowercase phrase for rc, e.g. "gzip data is damaged". */
const char *inflate_str(enum inflate_rc rc);

#endif
