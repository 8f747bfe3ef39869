/*
 * frame — finding the CloudTrail records in a buffer of JSON.
 *
 * Accepts every shape users export (docs/cloudtrail-insights.md §2):
 * `{"Records":[…]}` log files (one or several documents), bare arrays,
 * NDJSON (one value per line), EventBridge envelopes (`detail`), CloudWatch
 * Logs subscription payloads (`logEvents[].message`, CONTROL_MESSAGE
 * passed over), and LookupEvents responses (`Events[]`, or one entry per
 * line, with the record in `CloudTrailEvent` as a string).  A file is
 * NDJSON when its first line holds one whole value and more follows.  A
 * `Records` array, and a page's `Events`, are walked one element at a time
 * (in a file or on a line), so a damaged element costs that element (or,
 * when the damage breaks the structure, what follows it), never what came
 * before; each element, like each line, must be within
 * input.max_record_bytes.  Every problem is counted and reported in diag with its place.
 * Reentrant; one call per buffer.  With frame_fields, whole records are
 * read by the fast extractor where it can (one pass, no DOM) and by
 * jansson where it declines.
 */
#ifndef CTI_FRAME_H
#define CTI_FRAME_H

#include "config.h"
#include "diag.h"
#include "record.h"

#include <jansson.h>
#include <stddef.h>

/* Called for each record candidate with the fields record_classify reads
 * (borrowed for the call); offset as for frame_record_fn. */
typedef void (*frame_fields_fn)(void *ctx, const struct record_fields *rec,
                                size_t offset);

/* Called for each record candidate (a JSON object that looks like a
 * CloudTrail record); rec is borrowed for the call; offset is the byte
 * offset in buf of the value it came from. */
typedef void (*frame_record_fn)(void *ctx, const json_t *rec, size_t offset);

/* Find the records in buf[0..len) (file names the buffer in messages) and
 * hand each to cb.  Increments d->records for every candidate. */
void frame_buffer(const char *file, const char *buf, size_t len,
                  const struct config *c, struct diag *d, frame_record_fn cb,
                  void *ctx);

/* The same, handing over each record's fields.  With FRAME_FAST, records
 * the fast extractor (fastrec) accepts are read without jansson; the
 * others, and everything else, take the path of frame_buffer, so the
 * records delivered, their fields and every count and message are the
 * same either way. */
enum { FRAME_FAST = 1 };
void frame_fields(const char *file, const char *buf, size_t len,
                  const struct config *c, struct diag *d, unsigned flags,
                  frame_fields_fn cb, void *ctx);

/* Whether frame_fields reads buf[0..len) as NDJSON (one value per line),
 * judging by its first two lines. */
int frame_is_ndjson(const char *buf, size_t len, const struct config *c);

/* frame_fields for a piece of an NDJSON file: buf[0..len) is read line by
 * line, as frame_fields reads a file it finds to be NDJSON (offsets and
 * lines in messages are the piece's own).  A large file can so be read in
 * pieces that each start a line.  Returns the number of newlines in the
 * piece. */
size_t frame_fields_lines(const char *file, const char *buf, size_t len,
                          const struct config *c, struct diag *d,
                          unsigned flags, frame_fields_fn cb, void *ctx);

#endif
