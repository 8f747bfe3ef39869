/*
 * in_decode — turning an HTTP request body into one unit of CloudTrail
 * JSON, whatever its sender wrapped it in.
 *
 * Accepted bodies (after a Content-Encoding: gzip is undone):
 *   - JSON as frame_buffer takes it: `{"Records":[…]}`, NDJSON, one
 *     EventBridge event or an array of them, a CloudWatch Logs
 *     subscription payload (DATA_MESSAGE / CONTROL_MESSAGE);
 *   - gzip of any of those (a raw CloudWatch Logs subscription body);
 *   - base64 of gzip (or of JSON): a CloudWatch Logs payload as a
 *     destination forwards it; `{"awslogs":{"data":"<base64 gzip>"}}`, the
 *     event a CloudWatch Logs subscription hands a Lambda function;
 *   - a Kinesis Data Firehose HTTP-endpoint delivery:
 *     `{"requestId":"…","timestamp":…,"records":[{"data":"<base64>"}…]}`
 *     where each record's data is CloudTrail JSON (possibly NDJSON) or a
 *     gzip CloudWatch Logs payload.  The records become the lines of the
 *     unit (a record holding one JSON value over several lines is put on
 *     one line: raw newlines in JSON are only whitespace).
 * The unit is bounded by max_out after every inflation.  A body whose
 * envelope cannot be decoded (not JSON, gzip or base64; damaged base64 or
 * gzip at any level; a Firehose delivery without its records) is refused
 * with the reason, the byte offset where it was seen and a message; JSON
 * damage inside records is left to frame, which reports it per record.
 * Reentrant; one struct in_body per request.
 */
#ifndef CTI_IN_DECODE_H
#define CTI_IN_DECODE_H

#include "diag.h"

#include <stddef.h>

struct in_body {
    /* read-only, after in_decode_body */
    char *unit;             /* the decoded unit, unit[0..len) (owned) */
    size_t len;
    int firehose;           /* the body was a Firehose delivery */
    char request_id[128];   /* its requestId ("" when none) */
    size_t records;         /* Firehose records decoded */
    /* on failure */
    enum skip_reason why;   /* SKIP_OVERSIZED: over max_out */
    size_t at;              /* byte offset where it was seen */
    char msg[200];          /* what is wrong, lowercase, no secret */
    /* private */
    size_t cap;
    char *tmp[2];
    size_t tmp_cap[2];
};

void in_body_init(struct in_body *b);
void in_body_free(struct in_body *b);

/* Decode body[0..len) into b->unit.  gzip_encoded: the request said
 * Content-Encoding: gzip.  Returns 0, or -1 with b->why, b->at and b->msg
 * set. */
int in_decode_body(struct in_body *b, const char *body, size_t len,
                   int gzip_encoded, size_t max_out, int max_depth);

/* Decode base64 text in[0..len) (standard alphabet, '=' padding optional,
 * whitespace ignored) into *out (grown with xgrow; *cap updated).
 * Returns 0, or -1 with *at the offset of the first bad character. */
int in_decode_base64(const char *in, size_t len, char **out, size_t *outlen,
                     size_t *cap, size_t *at);

#endif
