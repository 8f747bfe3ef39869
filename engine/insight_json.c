#include "insight_json.h"

#include "ids.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define TOP_N 5
#define RATE_MODEL "seasonal-negbin-v2"
#define GAP_MODEL "periodic-gap-v1"

static const char *value_str(const struct agg *a, uint32_t id)
{
    return id ? agg_str(a, id) : "null";
}

/* The top values of field f over minutes [from, to) of key k, as a JSON
 * list of {value, average} per minute of the window. */
static json_t *top_values(const struct agg *a, const struct agg_key *k,
                          uint32_t from, uint32_t to, enum agg_field f)
{
    json_t *list = json_array();
    if (to <= from)
        return list;
    struct agg_tally *t;
    size_t nt = agg_tally(a, k, from, to, f, &t);
    double minutes = to - from;
    for (size_t i = 0; i < nt && i < TOP_N; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "value", json_string(value_str(a, t[i].id)));
        json_object_set_new(o, "average", json_real(t[i].count / minutes));
        json_array_append_new(list, o);
    }
    xfree(t);
    return list;
}

static json_t *attributions(const struct agg *a, const struct agg_key *k,
                            uint32_t ins_from, uint32_t ins_to,
                            uint32_t base_from, uint32_t base_to)
{
    static const struct {
        const char *name;
        enum agg_field f;
    } attrs[] = {{"userIdentityArn", AGG_ARN},
                 {"userAgent", AGG_AGENT},
                 {"errorCode", AGG_ERROR}};
    json_t *list = json_array();
    size_t nattrs = k->type == INSIGHT_CALL_RATE ? 3 : 2;
    for (size_t i = 0; i < nattrs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "attribute", json_string(attrs[i].name));
        json_object_set_new(o, "insight", top_values(a, k, ins_from, ins_to, attrs[i].f));
        json_object_set_new(o, "baseline", top_values(a, k, base_from, base_to, attrs[i].f));
        json_array_append_new(list, o);
    }
    return list;
}

/* The ID seed of an Insight: its key's strings and start minute. */
static void shared_id(const struct agg *a, const struct agg_key *k,
                      uint32_t start, char out[IDS_UUID_LEN])
{
    const char *parts[6] = {k->type == INSIGHT_CALL_RATE ? "ApiCallRateInsight"
                                                         : "ApiErrorRateInsight",
                            agg_str(a, k->account), agg_str(a, k->region),
                            agg_str(a, k->source), agg_str(a, k->name),
                            k->error ? agg_str(a, k->error) : ""};
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
    timefmt_minute(start, when);
    size_t n = strlen(when);
    if (len + n < sizeof(buf)) {
        memcpy(buf + len, when, n);
        len += n;
    }
    ids_uuid(buf, len, out);
}

static const char *const weekday_names[2] = {"weekday", "weekend"};

/* The explanation AWS has no field for. */
static json_t *extras(const struct insight *ins, enum insight_state state)
{
    json_t *x = json_object();
    char when[TIMEFMT_LEN];
    json_object_set_new(x, "direction", json_string(ins->direction == DIRECTION_INCREASE
                                                        ? "increase" : "decrease"));
    json_object_set_new(x, "category", json_string(ins->category ? ins->category
                                                                 : "rate-change"));
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
    json_object_set_new(x, "score", json_real(state == STATE_START ? rate_score(ins->tail)
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

json_t *insight_json(const struct agg *a, const struct config *c,
                     const struct insight *ins, enum insight_state state)
{
    const struct agg_key *k = &a->keys[ins->key];
    const struct agg_scope *s = &a->scopes[k->scope];
    uint32_t window = (uint32_t)c->window_days * 1440u;
    uint32_t base_start = ins->start > window ? ins->start - window : 0;
    if (base_start < s->first_minute)
        base_start = s->first_minute;
    if (base_start > ins->start)
        base_start = ins->start;
    uint32_t ins_end = state == STATE_START ? ins->start + 1 : ins->end;
    size_t b_from = agg_lower_bound(a, k, base_start);
    size_t i_from = agg_lower_bound(a, k, ins->start);
    size_t i_to = agg_lower_bound(a, k, ins_end);
    double base_min = (double)(ins->start - base_start);
    double ins_min = (double)(ins_end - ins->start);

    char shared[IDS_UUID_LEN], eid[IDS_UUID_LEN + 8];
    shared_id(a, k, ins->start, shared);
    snprintf(eid, sizeof(eid), "%s/%s", shared, state == STATE_START ? "Start" : "End");
    char event_id[IDS_UUID_LEN];
    ids_uuid(eid, strlen(eid), event_id);
    char when[TIMEFMT_LEN];
    timefmt_minute(state == STATE_START ? ins->start : ins->end, when);

    json_t *stats = json_object();
    json_t *baseline = json_object(), *insight = json_object();
    json_object_set_new(baseline, "average",
                        json_real(base_min > 0 ? (i_from - b_from) / base_min : 0));
    json_object_set_new(insight, "average", json_real((i_to - i_from) / ins_min));
    json_object_set_new(stats, "baseline", baseline);
    json_object_set_new(stats, "insight", insight);
    json_object_set_new(stats, "insightDuration", json_integer(ins_end - ins->start));
    json_object_set_new(stats, "baselineDuration", json_integer(ins->start - base_start));

    json_t *context = json_object();
    json_object_set_new(context, "statistics", stats);
    json_object_set_new(context, "attributions",
                        attributions(a, k, ins->start, ins_end, base_start, ins->start));

    json_t *details = json_object();
    json_object_set_new(details, "state", json_string(state == STATE_START ? "Start" : "End"));
    json_object_set_new(details, "eventSource", json_string(agg_str(a, k->source)));
    json_object_set_new(details, "eventName", json_string(agg_str(a, k->name)));
    json_object_set_new(details, "insightType",
                        json_string(k->type == INSIGHT_CALL_RATE ? "ApiCallRateInsight"
                                                                 : "ApiErrorRateInsight"));
    if (k->type == INSIGHT_ERROR_RATE)
        json_object_set_new(details, "errorCode", json_string(agg_str(a, k->error)));
    json_object_set_new(details, "insightContext", context);

    json_t *rec = json_object();
    json_object_set_new(rec, "eventVersion", json_string("1.08"));
    json_object_set_new(rec, "eventTime", json_string(when));
    json_object_set_new(rec, "awsRegion", json_string(agg_str(a, k->region)));
    json_object_set_new(rec, "eventID", json_string(event_id));
    json_object_set_new(rec, "eventType", json_string("AwsCloudTrailInsight"));
    json_object_set_new(rec, "recipientAccountId", json_string(agg_str(a, k->account)));
    json_object_set_new(rec, "sharedEventID", json_string(shared));
    json_object_set_new(rec, "insightDetails", details);
    json_object_set_new(rec, "eventCategory", json_string("Insight"));
    json_object_set_new(rec, "additionalEventData", extras(ins, state));
    return rec;
}
