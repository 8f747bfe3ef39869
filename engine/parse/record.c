#include "record.h"

#include "strpool.h"

#include "timefmt.h"

#include <string.h>
#include <strings.h>

int record_looks_like(const json_t *rec)
{
    return json_is_object(rec) &&
           (json_object_get(rec, "eventVersion") ||
            json_object_get(rec, "eventTime") ||
            json_object_get(rec, "eventName") ||
            json_object_get(rec, "eventSource"));
}

/* ---- gathering from a DOM (the reference) */

static void field_of(const json_t *v, struct rfield *f)
{
    f->v.s = NULL;
    f->v.len = 0;
    if (!v)
        f->type = RFT_ABSENT;
    else if (json_is_null(v))
        f->type = RFT_NULL;
    else if (json_is_true(v))
        f->type = RFT_TRUE;
    else if (json_is_false(v))
        f->type = RFT_FALSE;
    else if (json_is_object(v))
        f->type = RFT_OBJECT;
    else if (json_is_string(v)) {
        f->type = RFT_STRING;
        f->v.s = json_string_value(v);
        f->v.len = json_string_length(v);
    } else
        f->type = RFT_OTHER;
}

void record_fields_from_json(const json_t *rec, struct record_fields *out)
{
    static const char *const top[RF__COUNT] = {
        [RF_EVENT_TYPE] = "eventType",
        [RF_EVENT_CATEGORY] = "eventCategory",
        [RF_EVENT_TIME] = "eventTime",
        [RF_EVENT_SOURCE] = "eventSource",
        [RF_EVENT_NAME] = "eventName",
        [RF_AWS_REGION] = "awsRegion",
        [RF_RECIPIENT_ACCOUNT] = "recipientAccountId",
        [RF_ERROR_CODE] = "errorCode",
        [RF_READ_ONLY] = "readOnly",
        [RF_MANAGEMENT_EVENT] = "managementEvent",
        [RF_USER_AGENT] = "userAgent",
        [RF_EVENT_ID] = "eventID",
        [RF_USER_IDENTITY] = "userIdentity",
    };
    for (int i = 0; i <= RF_USER_IDENTITY; i++)
        field_of(json_object_get(rec, top[i]), &out->f[i]);
    const json_t *who = json_object_get(rec, "userIdentity");
    if (!json_is_object(who))
        who = NULL;
    field_of(who ? json_object_get(who, "accountId") : NULL, &out->f[RF_UI_ACCOUNT_ID]);
    field_of(who ? json_object_get(who, "arn") : NULL, &out->f[RF_UI_ARN]);
    field_of(who ? json_object_get(who, "invokedBy") : NULL, &out->f[RF_UI_INVOKED_BY]);
}

/* ---- classification */

static int str_is(struct rstr s, const char *lit)
{
    size_t n = strlen(lit);
    return s.s && s.len == n && memcmp(s.s, lit, n) == 0;
}

static int str_is_nocase(struct rstr s, const char *lit)
{
    size_t n = strlen(lit);
    return s.s && s.len == n && strncasecmp(s.s, lit, n) == 0;
}

/* A boolean given as JSON true/false or as the string "true"/"false" in
 * any case.  Returns 1/0, -1 when absent or null, -2 for any other type. */
static int flag(const struct rfield *v)
{
    switch (v->type) {
    case RFT_ABSENT:
    case RFT_NULL:
        return -1;
    case RFT_TRUE:
        return 1;
    case RFT_FALSE:
        return 0;
    case RFT_STRING:
        if (str_is_nocase(v->v, "true"))
            return 1;
        if (str_is_nocase(v->v, "false"))
            return 0;
        return -2;
    default:
        return -2;
    }
}

static enum record_class skip(struct record_event *r, enum skip_reason why,
                              const char *detail)
{
    r->skip = why;
    r->detail = detail;
    return RECORD_SKIP;
}

/* A needed non-empty string member: 0 ok, or a skip reason. */
static int need_string(const struct rfield *v, struct rstr *out)
{
    if (v->type == RFT_ABSENT || v->type == RFT_NULL)
        return SKIP_MISSING_FIELD;
    if (v->type != RFT_STRING)
        return SKIP_WRONG_TYPE;
    *out = v->v;
    return out->len ? 0 : SKIP_MISSING_FIELD;
}

/* A non-empty string member, else {NULL, 0}. */
static struct rstr opt_string(const struct rfield *v)
{
    struct rstr none = {NULL, 0};
    return v->type == RFT_STRING && v->v.len ? v->v : none;
}

static struct rstr or_null(struct rstr s)
{
    struct rstr null = {"null", 4};
    return s.s ? s : null;
}

static int is_read_verb(struct rstr name)
{
    static const char *const verbs[] = {"Get", "List", "Describe", "Head",
                                        "Lookup", "Search", "BatchGet",
                                        "Query", "Scan", "Select", NULL};
    for (int i = 0; verbs[i]; i++) {
        size_t n = strlen(verbs[i]);
        if (name.len >= n && memcmp(name.s, verbs[i], n) == 0)
            return 1;
    }
    return 0;
}

static int is_management_type(struct rstr type)
{
    return !type.s || str_is(type, "AwsApiCall") ||
           str_is(type, "AwsConsoleAction") ||
           str_is_nocase(type, "AwsConsoleSignIn") ||
           str_is(type, "AwsServiceEvent");
}

/* record_event.id: the eventID and the fields a copy shares with its
 * original, hashed one after the other. */
static uint64_t identity(const struct rfield *event_id, struct rstr when,
                         const struct record_event *r)
{
    struct rstr id = opt_string(event_id);
    if (!id.s)
        return 0;
    const struct rstr part[] = {when, r->source, r->name, r->error, r->arn};
    uint64_t h = strpool_hash(id.s, id.len, 0x6576656e744944ULL); /* "eventID" */
    for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++)
        h = strpool_hash(part[i].s ? part[i].s : "", part[i].len, h);
    return h ? h : 1;
}

enum record_class record_classify(const struct record_fields *fl,
                                  const struct config *c,
                                  struct record_event *r)
{
    const struct rfield *f = fl->f;
    memset(r, 0, sizeof(*r));
    struct rstr type = opt_string(&f[RF_EVENT_TYPE]);
    struct rstr category = opt_string(&f[RF_EVENT_CATEGORY]);
    if (str_is(type, "AwsCloudTrailInsight") || str_is(category, "Insight")) {
        r->ignore = IGNORE_INSIGHT;
        return RECORD_IGNORE;
    }
    struct rstr when = {NULL, 0};
    const struct {
        enum rfield_id id;
        struct rstr *out;
        const char *missing, *wrong;
    } needed[] = {
        {RF_EVENT_TIME, &when, "no eventTime", "eventTime is not a string"},
        {RF_EVENT_SOURCE, &r->source, "no eventSource", "eventSource is not a string"},
        {RF_EVENT_NAME, &r->name, "no eventName", "eventName is not a string"},
        {RF_AWS_REGION, &r->region, "no awsRegion", "awsRegion is not a string"},
    };
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        int rc = need_string(&f[needed[i].id], needed[i].out);
        if (rc)
            return skip(r, rc, rc == SKIP_MISSING_FIELD ? needed[i].missing
                                                        : needed[i].wrong);
    }
    r->account = opt_string(&f[RF_RECIPIENT_ACCOUNT]);
    if (!r->account.s)
        r->account = opt_string(&f[RF_UI_ACCOUNT_ID]);
    if (!r->account.s)
        return skip(r, SKIP_MISSING_FIELD,
                    "no recipientAccountId or userIdentity.accountId");
    int64_t secs;
    if (timefmt_parse_n(when.s, when.len, &secs) != 0)
        return skip(r, SKIP_BAD_TIME, "eventTime is not YYYY-MM-DDTHH:MM:SSZ");
    r->minute = secs / 60;

    const struct rfield *err = &f[RF_ERROR_CODE];
    if (err->type != RFT_ABSENT && err->type != RFT_NULL && err->type != RFT_STRING)
        return skip(r, SKIP_WRONG_TYPE, "errorCode is not a string");
    r->error = opt_string(err);
    int read_only = flag(&f[RF_READ_ONLY]);
    int mgmt_flag = flag(&f[RF_MANAGEMENT_EVENT]);
    if (read_only == -2)
        return skip(r, SKIP_WRONG_TYPE, "readOnly is not a boolean");
    if (mgmt_flag == -2)
        return skip(r, SKIP_WRONG_TYPE, "managementEvent is not a boolean");

    r->arn = opt_string(&f[RF_UI_ARN]);
    if (!r->arn.s)
        r->arn = opt_string(&f[RF_UI_INVOKED_BY]);
    r->arn = or_null(r->arn);
    r->agent = or_null(opt_string(&f[RF_USER_AGENT]));

    int management = mgmt_flag == 1 || str_is(category, "Management");
    if (c->infer_missing) {
        if (mgmt_flag == -1 && !category.s)
            management = is_management_type(type);
        if (read_only == -1)
            read_only = is_read_verb(r->name);
    }
    if (!management) {
        r->ignore = IGNORE_NOT_MANAGEMENT;
        return RECORD_IGNORE;
    }
    r->is_write = read_only == 0;
    r->counts_error = r->error.s != NULL;
    if (!r->is_write && !r->counts_error) {
        r->ignore = read_only == 1 ? IGNORE_READ_OK : IGNORE_NOT_MANAGEMENT;
        return RECORD_IGNORE;
    }
    r->id = identity(&f[RF_EVENT_ID], when, r); /* only what counts has copies to drop */
    return RECORD_COUNT;
}

enum record_class record_read(const json_t *rec, const struct config *c,
                              struct ct_record *out)
{
    struct record_fields f;
    struct record_event e;
    memset(out, 0, sizeof(*out));
    if (!json_is_object(rec)) {
        out->skip = SKIP_NOT_CLOUDTRAIL;
        out->detail = "record is not a JSON object";
        return RECORD_SKIP;
    }
    record_fields_from_json(rec, &f);
    enum record_class cls = record_classify(&f, c, &e);
    /* Strings from jansson (or static text) are NUL-terminated. */
    out->account = e.account.s;
    out->region = e.region.s;
    out->source = e.source.s;
    out->name = e.name.s;
    out->error = e.error.s;
    out->arn = e.arn.s;
    out->agent = e.agent.s;
    out->id = e.id;
    out->minute = e.minute;
    out->is_write = e.is_write;
    out->counts_error = e.counts_error;
    out->ignore = e.ignore;
    out->skip = e.skip;
    out->detail = e.detail;
    return cls;
}
