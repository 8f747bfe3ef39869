#include "record.h"

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

/* A boolean given as JSON true/false or as the string "true"/"false" in
 * any case.  Returns 1/0, -1 when absent or null, -2 for any other type. */
static int flag(const json_t *v)
{
    if (!v || json_is_null(v))
        return -1;
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcasecmp(s, "true") == 0)
            return 1;
        if (strcasecmp(s, "false") == 0)
            return 0;
    }
    return -2;
}

static enum record_class skip(struct ct_record *r, enum skip_reason why,
                              const char *detail)
{
    r->skip = why;
    r->detail = detail;
    return RECORD_SKIP;
}

/* A needed non-empty string member: 0 ok, or a skip reason. */
static int need_string(const json_t *rec, const char *name, const char **out)
{
    const json_t *v = json_object_get(rec, name);
    if (!v || json_is_null(v))
        return SKIP_MISSING_FIELD;
    if (!json_is_string(v))
        return SKIP_WRONG_TYPE;
    *out = json_string_value(v);
    return **out ? 0 : SKIP_MISSING_FIELD;
}

static const char *opt_string(const json_t *obj, const char *name)
{
    const json_t *v = obj ? json_object_get(obj, name) : NULL;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    return s && *s ? s : NULL;
}

static int is_read_verb(const char *name)
{
    static const char *const verbs[] = {"Get", "List", "Describe", "Head",
                                        "Lookup", "Search", "BatchGet",
                                        "Query", "Scan", "Select", NULL};
    for (int i = 0; verbs[i]; i++)
        if (strncmp(name, verbs[i], strlen(verbs[i])) == 0)
            return 1;
    return 0;
}

static int is_management_type(const char *type)
{
    return !type || strcmp(type, "AwsApiCall") == 0 ||
           strcmp(type, "AwsConsoleAction") == 0 ||
           strcasecmp(type, "AwsConsoleSignIn") == 0 ||
           strcmp(type, "AwsServiceEvent") == 0;
}

enum record_class record_read(const json_t *rec, const struct config *c,
                              struct ct_record *r)
{
    memset(r, 0, sizeof(*r));
    if (!json_is_object(rec))
        return skip(r, SKIP_NOT_CLOUDTRAIL, "record is not a JSON object");
    const char *type = opt_string(rec, "eventType");
    const char *category = opt_string(rec, "eventCategory");
    if ((type && strcmp(type, "AwsCloudTrailInsight") == 0) ||
        (category && strcmp(category, "Insight") == 0)) {
        r->ignore = IGNORE_INSIGHT;
        return RECORD_IGNORE;
    }
    const char *when = NULL;
    const struct {
        const char *name, **out, *missing, *wrong;
    } needed[] = {
        {"eventTime", &when, "no eventTime", "eventTime is not a string"},
        {"eventSource", &r->source, "no eventSource", "eventSource is not a string"},
        {"eventName", &r->name, "no eventName", "eventName is not a string"},
        {"awsRegion", &r->region, "no awsRegion", "awsRegion is not a string"},
    };
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        int rc = need_string(rec, needed[i].name, needed[i].out);
        if (rc)
            return skip(r, rc, rc == SKIP_MISSING_FIELD ? needed[i].missing
                                                        : needed[i].wrong);
    }
    const json_t *who = json_object_get(rec, "userIdentity");
    r->account = opt_string(rec, "recipientAccountId");
    if (!r->account)
        r->account = opt_string(json_is_object(who) ? who : NULL, "accountId");
    if (!r->account)
        return skip(r, SKIP_MISSING_FIELD,
                    "no recipientAccountId or userIdentity.accountId");
    int64_t secs;
    if (timefmt_parse(when, &secs) != 0)
        return skip(r, SKIP_BAD_TIME, "eventTime is not YYYY-MM-DDTHH:MM:SSZ");
    r->minute = secs / 60;

    const json_t *err = json_object_get(rec, "errorCode");
    if (err && !json_is_null(err) && !json_is_string(err))
        return skip(r, SKIP_WRONG_TYPE, "errorCode is not a string");
    r->error = opt_string(rec, "errorCode");
    int read_only = flag(json_object_get(rec, "readOnly"));
    int mgmt_flag = flag(json_object_get(rec, "managementEvent"));
    if (read_only == -2)
        return skip(r, SKIP_WRONG_TYPE, "readOnly is not a boolean");
    if (mgmt_flag == -2)
        return skip(r, SKIP_WRONG_TYPE, "managementEvent is not a boolean");

    const json_t *who_obj = json_is_object(who) ? who : NULL;
    r->arn = opt_string(who_obj, "arn");
    if (!r->arn)
        r->arn = opt_string(who_obj, "invokedBy");
    if (!r->arn)
        r->arn = "null";
    r->agent = opt_string(rec, "userAgent");
    if (!r->agent)
        r->agent = "null";

    int management = mgmt_flag == 1 || (category && strcmp(category, "Management") == 0);
    if (c->infer_missing) {
        if (mgmt_flag == -1 && !category)
            management = is_management_type(type);
        if (read_only == -1)
            read_only = is_read_verb(r->name);
    }
    if (!management) {
        r->ignore = IGNORE_NOT_MANAGEMENT;
        return RECORD_IGNORE;
    }
    r->is_write = read_only == 0;
    r->counts_error = r->error != NULL;
    if (!r->is_write && !r->counts_error) {
        r->ignore = read_only == 1 ? IGNORE_READ_OK : IGNORE_NOT_MANAGEMENT;
        return RECORD_IGNORE;
    }
    return RECORD_COUNT;
}
