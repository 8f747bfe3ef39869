/*
 * fastrec — the fields of a CloudTrail record, straight from its JSON text.
 *
 * fastrec_parse reads one JSON value in a single pass without building a
 * tree: it validates all of it exactly as jansson would accept it (syntax,
 * UTF-8, escapes and surrogates, \u0000, control characters, integer and
 * real overflow) while stepping over the members the engine does not use
 * (requestParameters, responseElements, tlsDetails …), and gathers the
 * members record_classify reads into struct record_fields (strings
 * unescaped, duplicates: the last one counts).  Strings are scanned 16
 * bytes at a time with SSE2 where the build has it (x86-64 always does),
 * else byte by byte; CTI_SCALAR=1 at build time forces the latter.
 *
 * It handles the common case and declines the rest: a value that is not an
 * object, not valid JSON, not a CloudTrail record (no eventVersion,
 * eventTime, eventName or eventSource), a wrapper (Records, Events,
 * logEvents, detail, CloudTrailEvent, digestStartTime), too large, nested
 * too deep, or with escapes in the member names it reads.  fastrec_entry
 * reads the one wrapper that is common and costly in jansson: a
 * LookupEvents entry, whose record is a JSON string.  The caller then
 * takes the reference path (jansson), which says exactly what is wrong, so
 * declining is always safe; accepting means jansson accepts the value and
 * would gather the same fields.  Reentrant: one struct fastrec per thread.
 */
#ifndef CTI_FASTREC_H
#define CTI_FASTREC_H

#include "record.h"

#include <stddef.h>

/* Nesting deeper than this is left to the reference path. */
#define FASTREC_MAX_DEPTH 128

struct fastrec {
    struct record_fields fields; /* read-only: the last record accepted */
    /* private */
    char *scratch; /* unescaped strings */
    size_t cap;
    char *doc; /* fastrec_entry: the embedded record, unescaped */
    size_t doc_cap, doc_len;
    int doc_found; /* the entry's CloudTrailEvent is a string */
    unsigned escaped; /* bit i: field i holds escapes (raw text in v) */
};

/* Zero-initialise a struct fastrec, or use these. */
void fastrec_init(struct fastrec *fr);
void fastrec_free(struct fastrec *fr);

/* Parse the value starting at buf[at] (not whitespace), which must end
 * within buf[at .. at + max_bytes) and buf[0..len), nest at most max_depth
 * deep ({} is 1) and be a CloudTrail record as above.  Returns 0 with
 * fr->fields gathered and *end one past the value (fields stay valid until
 * the next call and while buf lives), or -1: declined, take the reference
 * path. */
int fastrec_parse(struct fastrec *fr, const char *buf, size_t len, size_t at,
                  int max_depth, size_t max_bytes, size_t *end);

/* The same for a LookupEvents entry: the object at buf[at] (validated
 * whole as jansson would, within max_bytes and max_depth) whose last
 * member named CloudTrailEvent is a string holding, within max_bytes once
 * unescaped, one CloudTrailEvent record (blanks around it allowed).
 * Returns 0 with that record's fields in fr->fields and *end one past the
 * entry, or -1: declined. */
int fastrec_entry(struct fastrec *fr, const char *buf, size_t len, size_t at,
                  int max_depth, size_t max_bytes, size_t *end);

/* Which string scanner this build uses: "sse2" or "scalar". */
const char *fastrec_isa(void);

#endif
