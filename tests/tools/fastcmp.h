/*
 * fastcmp — the differential check of the fast extractor against jansson.
 *
 * fastcmp_buffer frames one buffer twice, once with jansson for every
 * record (the reference) and once with FRAME_FAST, and compares what the
 * engine gets: every record delivered (offset, class, every string, minute,
 * what it counts for, the reason it was ignored or skipped), every counter
 * and every message printed.  For each record of the reference run that the
 * fast extractor accepts on its own (a record, or a LookupEvents entry), it
 * also compares the gathered fields member by member.  Used by
 * tests/tools/fastdiff.c (files) and tests/fuzz/fuzz_fastrec.c (arbitrary
 * bytes).
 */
#ifndef CTI_FASTCMP_H
#define CTI_FASTCMP_H

#include "config.h"

#include <stddef.h>
#include <stdio.h>

struct fastcmp_stats {
    size_t records;      /* record candidates in the reference run */
    size_t fast;         /* of which the fast extractor accepted alone */
    size_t skipped;      /* skips in the reference run */
    size_t disagreements;
};

/* Compare the two paths on buf[0..len) (named name in messages) under c.
 * Describes each disagreement on report (NULL: silent) and adds to st.
 * Returns the number of disagreements. */
size_t fastcmp_buffer(const char *name, const char *buf, size_t len,
                      const struct config *c, FILE *report,
                      struct fastcmp_stats *st);

#endif
