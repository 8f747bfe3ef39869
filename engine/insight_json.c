#include "insight_json.h"

#include "ids.h"
#include "timefmt.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define TOP_N 5
#define MODEL_NAME "negbin-daily-v1"

enum attr_field { ATTR_ARN, ATTR_AGENT, ATTR_ERROR };

/* Index of the first event of the slice at or after minute m. */
static size_t lower_bound(const struct agg_event *ev, size_t n, uint32_t m)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ev[mid].minute < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t field_of(const struct agg_event *e, enum attr_field f)
{
    return f == ATTR_ARN ? e->arn : f == ATTR_AGENT ? e->agent : e->error;
}

struct tally {
    uint32_t id;
    size_t count;
};

static int u32_cmp(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    return x < y ? -1 : x > y;
}

static const char *value_str(const struct agg *a, uint32_t id)
{
    return id ? agg_str(a, id) : "null";
}

static int tally_cmp_with(const struct agg *a, const struct tally *x,
                          const struct tally *y)
{
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(value_str(a, x->id), value_str(a, y->id));
}

static int tally_cmp(const void *pa, const void *pb, void *a)
{
    return tally_cmp_with(a, pa, pb);
}

/* The top values of field f over events [from, to) of the slice, as a JSON
 * list of {value, average} over minutes. */
static json_t *top_values(const struct agg *a, const struct agg_event *ev,
                          size_t from, size_t to, enum attr_field f,
                          double minutes)
{
    json_t *list = json_array();
    size_t n = to - from;
    if (n == 0 || minutes <= 0)
        return list;
    uint32_t *ids = xmalloc(n * sizeof(*ids));
    for (size_t i = 0; i < n; i++)
        ids[i] = field_of(&ev[from + i], f);
    qsort(ids, n, sizeof(*ids), u32_cmp);
    struct tally *t = xmalloc(n * sizeof(*t));
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (nt && t[nt - 1].id == ids[i])
            t[nt - 1].count++;
        else
            t[nt++] = (struct tally){ids[i], 1};
    }
    qsort_r(t, nt, sizeof(*t), tally_cmp, (void *)a);
    for (size_t i = 0; i < nt && i < TOP_N; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "value", json_string(value_str(a, t[i].id)));
        json_object_set_new(o, "average", json_real(t[i].count / minutes));
        json_array_append_new(list, o);
    }
    xfree(t);
    xfree(ids);
    return list;
}

static json_t *attributions(const struct agg *a, const struct agg_key *k,
                            size_t ins_from, size_t ins_to, double ins_min,
                            size_t base_from, size_t base_to, double base_min)
{
    static const struct {
        const char *name;
        enum attr_field f;
    } attrs[] = {{"userIdentityArn", ATTR_ARN},
                 {"userAgent", ATTR_AGENT},
                 {"errorCode", ATTR_ERROR}};
    const struct agg_event *ev = a->events + k->first;
    json_t *list = json_array();
    size_t nattrs = k->type == INSIGHT_CALL_RATE ? 3 : 2;
    for (size_t i = 0; i < nattrs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "attribute", json_string(attrs[i].name));
        json_object_set_new(o, "insight", top_values(a, ev, ins_from, ins_to,
                                                     attrs[i].f, ins_min));
        json_object_set_new(o, "baseline", top_values(a, ev, base_from, base_to,
                                                      attrs[i].f, base_min));
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

json_t *insight_json(const struct agg *a, const struct config *c,
                     const struct insight *ins, enum insight_state state)
{
    const struct agg_key *k = &a->keys[ins->key];
    const struct agg_scope *s = &a->scopes[k->scope];
    const struct agg_event *ev = a->events + k->first;
    uint32_t window = (uint32_t)c->window_days * 1440u;
    uint32_t base_start = ins->start > window ? ins->start - window : 0;
    if (base_start < s->first_minute)
        base_start = s->first_minute;
    uint32_t ins_end = state == STATE_START ? ins->start + 1 : ins->end;
    size_t b_from = lower_bound(ev, k->n, base_start);
    size_t i_from = lower_bound(ev, k->n, ins->start);
    size_t i_to = lower_bound(ev, k->n, ins_end);
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
                        attributions(a, k, i_from, i_to, ins_min, b_from, i_from, base_min));

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

    json_t *extra = json_object();
    json_object_set_new(extra, "direction", json_string("increase"));
    json_object_set_new(extra, "expected", json_real(ins->expected));
    json_object_set_new(extra, "score", json_real(state == STATE_START
                                                      ? rate_score(ins->tail)
                                                      : ins->peak_score));
    json_object_set_new(extra, "model", json_string(MODEL_NAME));

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
    json_object_set_new(rec, "additionalEventData", extra);
    return rec;
}
