#include "insight_json.h"

#include "ids.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define TOP_N 5
#define RATE_MODEL "seasonal-negbin-v2"
#define GAP_MODEL "periodic-gap-v1"

static json_t *attr_json(const struct attr_list *l)
{
    json_t *list = json_array();
    for (size_t i = 0; i < l->n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "value", json_string(l->v[i].value));
        json_object_set_new(o, "average", json_real(l->v[i].average));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *attributions(const struct insight_report *r)
{
    static const char *const names[TALLY__FIELDS] = {
        [TALLY_ARN] = "userIdentityArn", [TALLY_AGENT] = "userAgent",
        [TALLY_ERROR] = "errorCode"};
    json_t *list = json_array();
    int nattrs = r->error_rate ? TALLY_ERROR : TALLY__FIELDS;
    for (int f = 0; f < nattrs; f++) {
        json_t *o = json_object();
        json_object_set_new(o, "attribute", json_string(names[f]));
        json_object_set_new(o, "insight", attr_json(&r->insight_attr[f]));
        json_object_set_new(o, "baseline", attr_json(&r->baseline_attr[f]));
        json_array_append_new(list, o);
    }
    return list;
}

static const char *type_name(const struct insight_report *r)
{
    return detect_insight_type(r->error_rate);
}

/* The ID seed of an Insight: its key's strings and start minute. */
void insight_json_shared_id(const struct insight_report *r, char out[IDS_UUID_LEN])
{
    const char *parts[6] = {type_name(r), r->account, r->region, r->source,
                            r->name, r->error ? r->error : ""};
    char buf[4096];
    size_t len = 0;
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(parts[i]);
        if (len + n + 1 >= sizeof(buf))
            n = sizeof(buf) - len - 2;
        memcpy(buf + len, parts[i], n);
        len += n;
        buf[len++] = '\n';
    }
    char when[TIMEFMT_LEN];
    timefmt_minute(r->ins->start, when);
    size_t n = strlen(when);
    if (len + n < sizeof(buf)) {
        memcpy(buf + len, when, n);
        len += n;
    }
    ids_uuid(buf, len, out);
}

static const char *const weekday_names[2] = {"weekday", "weekend"};

/* The explanation AWS has no field for. */
static json_t *extras(const struct insight_report *r)
{
    const struct insight *ins = r->ins;
    json_t *x = json_object();
    char when[TIMEFMT_LEN];
    json_object_set_new(x, "direction", json_string(ins->direction == DIRECTION_INCREASE
                                                        ? "increase" : "decrease"));
    json_object_set_new(x, "category", json_string(r->category));
    timefmt_minute(ins->decided + 1, when);
    json_object_set_new(x, "decidedAt", json_string(when));
    if (ins->direction == DIRECTION_DECREASE) {
        json_object_set_new(x, "periodMinutes", json_integer(ins->period));
        timefmt_minute(ins->last_run, when);
        json_object_set_new(x, "lastRun", json_string(when));
        timefmt_minute(ins->start, when);
        json_object_set_new(x, "expectedRunAt", json_string(when));
        json_object_set_new(x, "expected", json_real(ins->mean));
        json_object_set_new(x, "model", json_string(GAP_MODEL));
        return x;
    }
    json_object_set_new(x, "expected", json_real(ins->mean));
    json_object_set_new(x, "windowMinutes", json_integer(ins->window));
    json_object_set_new(x, "observedInWindow", json_integer(ins->observed));
    json_object_set_new(x, "expectedInWindow", json_real(ins->expected));
    json_object_set_new(x, "score", json_real(r->state == STATE_START
                                                             ? rate_score(ins->tail)
                                                             : ins->peak_score));
    if (ins->slot >= 0) {
        char slot[64];
        snprintf(slot, sizeof(slot), "%s %02d:00-%02d:59 UTC",
                 weekday_names[ins->slot / SEASON_HOURS], ins->slot % SEASON_HOURS,
                 ins->slot % SEASON_HOURS);
        json_object_set_new(x, "seasonalSlot", json_string(slot));
    } else {
        json_object_set_new(x, "seasonalSlot", json_string("all hours"));
    }
    json_object_set_new(x, "model", json_string(RATE_MODEL));
    return x;
}

json_t *insight_json(const struct insight_report *r)
{
    const struct insight *ins = r->ins;
    char shared[IDS_UUID_LEN], eid[IDS_UUID_LEN + 8], event_id[IDS_UUID_LEN];
    insight_json_shared_id(r, shared);
    snprintf(eid, sizeof(eid), "%s/%s", shared, r->state == STATE_START ? "Start" : "End");
    ids_uuid(eid, strlen(eid), event_id);
    char when[TIMEFMT_LEN];
    timefmt_minute(r->state == STATE_START ? ins->start : ins->end, when);

    json_t *stats = json_object();
    json_t *baseline = json_object(), *insight = json_object();
    json_object_set_new(baseline, "average", json_real(r->baseline_average));
    json_object_set_new(insight, "average", json_real(r->insight_average));
    json_object_set_new(stats, "baseline", baseline);
    json_object_set_new(stats, "insight", insight);
    json_object_set_new(stats, "insightDuration", json_integer(r->insight_minutes));
    json_object_set_new(stats, "baselineDuration", json_integer(r->baseline_minutes));

    json_t *context = json_object();
    json_object_set_new(context, "statistics", stats);
    json_object_set_new(context, "attributions", attributions(r));

    json_t *details = json_object();
    json_object_set_new(details, "state", json_string(r->state == STATE_START ? "Start" : "End"));
    json_object_set_new(details, "eventSource", json_string(r->source));
    json_object_set_new(details, "eventName", json_string(r->name));
    json_object_set_new(details, "insightType", json_string(type_name(r)));
    if (r->error_rate)
        json_object_set_new(details, "errorCode", json_string(r->error));
    json_object_set_new(details, "insightContext", context);

    json_t *rec = json_object();
    json_object_set_new(rec, "eventVersion", json_string("1.08"));
    json_object_set_new(rec, "eventTime", json_string(when));
    json_object_set_new(rec, "awsRegion", json_string(r->region));
    json_object_set_new(rec, "eventID", json_string(event_id));
    json_object_set_new(rec, "eventType", json_string("AwsCloudTrailInsight"));
    json_object_set_new(rec, "recipientAccountId", json_string(r->account));
    json_object_set_new(rec, "sharedEventID", json_string(shared));
    json_object_set_new(rec, "insightDetails", details);
    json_object_set_new(rec, "eventCategory", json_string("Insight"));
    json_object_set_new(rec, "additionalEventData", extras(r));
    return rec;
}
