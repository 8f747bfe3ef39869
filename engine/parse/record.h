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
 * eventName verb instead of being ignored.
 *
 * Reading a record is two steps: gathering the fields classification looks
 * at (struct record_fields: each field's JSON type and, for strings, the
 * unescaped text) and classifying them (record_classify).  record_read is
 * the reference: it gathers from a jansson DOM.  The fast extractor
 * (fastrec) gathers the same fields straight from the JSON text, and the
 * same record_classify decides, so the two differ only in how fields are
 * found.  Pure; strings are borrowed from where the fields came from.
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
    uint64_t id;       /* as struct record_event's */
    int64_t minute;    /* UTC minutes since 1970 of eventTime */
    int is_write;      /* counts for call rate */
    int counts_error;  /* counts for error rate */
    enum ignore_reason ignore;
    enum skip_reason skip;
    const char *detail; /* static text naming the problem */
};

/* A string as pointer and length; not necessarily NUL-terminated, never
 * holding a NUL. */
struct rstr {
    const char *s;
    size_t len;
};

/* The JSON type of a field as found in a record. */
enum rfield_type {
    RFT_ABSENT, /* no such member */
    RFT_NULL,
    RFT_FALSE,
    RFT_TRUE,
    RFT_STRING, /* v holds the unescaped text */
    RFT_OBJECT,
    RFT_OTHER, /* number or array */
};

/* The members classification reads; RF_UI_* are members of userIdentity,
 * absent unless userIdentity is an object.  With duplicate members the
 * last one counts, as in jansson. */
enum rfield_id {
    RF_EVENT_TYPE, RF_EVENT_CATEGORY, RF_EVENT_TIME, RF_EVENT_SOURCE,
    RF_EVENT_NAME, RF_AWS_REGION, RF_RECIPIENT_ACCOUNT, RF_ERROR_CODE,
    RF_READ_ONLY, RF_MANAGEMENT_EVENT, RF_USER_AGENT, RF_EVENT_ID, RF_USER_IDENTITY,
    RF_UI_ACCOUNT_ID, RF_UI_ARN, RF_UI_INVOKED_BY,
    RF__COUNT
};

struct rfield {
    struct rstr v; /* RFT_STRING only */
    enum rfield_type type;
};

struct record_fields {
    struct rfield f[RF__COUNT];
};

/* What classification makes of a record: the strings of struct ct_record
 * as (pointer, length), borrowed from the fields (or static text). */
struct record_event {
    struct rstr account, region, source, name;
    struct rstr error; /* s NULL when the call succeeded */
    struct rstr arn;   /* userIdentity.arn, else invokedBy, else "null" */
    struct rstr agent; /* userAgent, else "null" */
    uint64_t id;       /* what tells the record from a copy of it: see record_classify */
    int64_t minute;
    int is_write, counts_error;
    enum ignore_reason ignore;
    enum skip_reason skip;
    const char *detail;
};

/* Gather the fields of the object rec (borrowed from it).  rec must be an
 * object. */
void record_fields_from_json(const json_t *rec, struct record_fields *out);

/* Classify gathered fields into out.  Returns the class; out->skip,
 * out->detail (RECORD_SKIP) or out->ignore (RECORD_IGNORE) say why.
 * out->id is a hash of the record's eventID with its eventTime,
 * eventSource, eventName, errorCode and principal, never 0 — the same for
 * a record delivered twice, different for records that merely share an
 * eventID (test fixtures reuse them) — or 0 when it has no eventID or is
 * not counted (RECORD_COUNT only: nothing else has copies to drop). */
enum record_class record_classify(const struct record_fields *f,
                                  const struct config *c,
                                  struct record_event *out);

/* Read rec into out and classify it (the reference path:
 * record_fields_from_json, then record_classify). Returns the class; out->skip,
 * out->detail (RECORD_SKIP) or out->ignore (RECORD_IGNORE) say why. */
enum record_class record_read(const json_t *rec, const struct config *c,
                              struct ct_record *out);

/* Whether rec looks like a CloudTrail record at all (has eventVersion,
 * eventTime, eventName or eventSource), used to tell records from other
 * JSON. */
int record_looks_like(const json_t *rec);

#endif
