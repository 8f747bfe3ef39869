/*
 * record — one CloudTrail record: the fields the engine uses, and whether
 * it feeds call-rate and/or error-rate keys.
 *
 * Classification follows docs/cloudtrail-insights.md §1: a management write
 * event (readOnly false and managementEvent true or eventCategory
 * "Management") counts for call rate, errored ones included; a management
 * event with an errorCode counts for error rate, read or write.  Insight
 * records are ignored.  With input.infer_missing, records from before
 * managementEvent/readOnly existed are classified by eventType and the
 * eventName verb instead of being ignored.  Pure; strings are borrowed from
 * the json_t and live as long as it does.
 */
#ifndef CTI_RECORD_H
#define CTI_RECORD_H

#include "config.h"
#include "diag.h"

#include <jansson.h>
#include <stdint.h>

enum record_class {
    RECORD_COUNT,  /* feeds at least one key: see is_write / error */
    RECORD_IGNORE, /* valid, feeds nothing: see ignore */
    RECORD_SKIP,   /* invalid: see skip and detail */
};

struct ct_record {
    const char *account, *region, *source, *name;
    const char *error; /* NULL when the call succeeded */
    const char *arn;   /* userIdentity.arn, else invokedBy, else "null" */
    const char *agent; /* userAgent, else "null" */
    int64_t minute;    /* UTC minutes since 1970 of eventTime */
    int is_write;      /* counts for call rate */
    int counts_error;  /* counts for error rate */
    enum ignore_reason ignore;
    enum skip_reason skip;
    const char *detail; /* static text naming the problem */
};

/* Read rec into out and classify it. Returns the class; out->skip,
 * out->detail (RECORD_SKIP) or out->ignore (RECORD_IGNORE) say why. */
enum record_class record_read(const json_t *rec, const struct config *c,
                              struct ct_record *out);

/* Whether rec looks like a CloudTrail record at all (has eventVersion,
 * eventTime, eventName or eventSource), used to tell records from other
 * JSON. */
int record_looks_like(const json_t *rec);

#endif
