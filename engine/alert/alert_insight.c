/* alert_insight — fields and wording of an Insight record for alerts. */
#include "alert_insight.h"

#include "timefmt.h"

#include <stdio.h>
#include <string.h>

/* Scores at or above this make a page urgent (a tail probability of
 * 1e-50 under the model). */
#define URGENT_SCORE 50.0

static const char *str_at(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static double num_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* The value with the highest average of attribution attr over the Insight
 * window, or NULL.  Lists are sorted by average, highest first. */
static const char *top_value(json_t *attributions, const char *attr)
{
    size_t i;
    json_t *a;

    json_array_foreach(attributions, i, a) {
        const char *name = str_at(a, "attribute");

        if (name && strcmp(name, attr) == 0)
            return str_at(json_array_get(json_object_get(a, "insight"), 0),
                          "value");
    }
    return NULL;
}

int alert_insight_read(json_t *rec, struct alert_insight *ai)
{
    json_t *det = json_object_get(rec, "insightDetails");
    json_t *ctx = json_object_get(det, "insightContext");
    json_t *stats = json_object_get(ctx, "statistics");
    json_t *extra = json_object_get(rec, "additionalEventData");
    int64_t t;

    memset(ai, 0, sizeof *ai);
    ai->shared_id = str_at(rec, "sharedEventID");
    ai->event_id = str_at(rec, "eventID");
    ai->event_time = str_at(rec, "eventTime");
    ai->region = str_at(rec, "awsRegion");
    ai->state = str_at(det, "state");
    ai->source = str_at(det, "eventSource");
    ai->name = str_at(det, "eventName");
    ai->type = str_at(det, "insightType");
    if (!ai->shared_id || !ai->event_id || !ai->event_time || !ai->region ||
        !ai->state || !ai->source || !ai->name || !ai->type ||
        (strcmp(ai->state, "Start") != 0 && strcmp(ai->state, "End") != 0) ||
        timefmt_parse(ai->event_time, &t) != 0)
        return -1;
    ai->time = t;
    ai->account = str_at(rec, "recipientAccountId");
    if (!ai->account)
        ai->account = "";
    ai->error_code = str_at(det, "errorCode");
    ai->category = str_at(extra, "category");
    if (!ai->category)
        ai->category = "";
    ai->direction = str_at(extra, "direction");
    if (!ai->direction)
        ai->direction = "increase";
    ai->score = num_at(extra, "score");
    ai->baseline = num_at(json_object_get(stats, "baseline"), "average");
    ai->rate = num_at(json_object_get(stats, "insight"), "average");
    ai->duration = (int)num_at(stats, "insightDuration");
    ai->principal = top_value(json_object_get(ctx, "attributions"),
                              "userIdentityArn");
    return 0;
}

void alert_insight_summary(const struct alert_insight *ai, char *buf,
                           size_t n)
{
    int calls = strcmp(ai->type, "ApiErrorRateInsight") != 0;
    char what[160];
    int used;

    if (calls)
        snprintf(what, sizeof what, "call rate");
    else
        snprintf(what, sizeof what, "%s error rate",
                 ai->error_code ? ai->error_code : "");
    used = snprintf(buf, n, "CloudTrail Insight: %s (%s) %s %s%.3g/min, "
                    "baseline %.3g/min, in %s %s", ai->name, ai->source, what,
                    strcmp(ai->direction, "decrease") == 0 ? "down to " : "",
                    ai->rate, ai->baseline, *ai->account ? ai->account : "-",
                    ai->region);
    if (used < 0 || (size_t)used >= n)
        return;
    if (*ai->category)
        used += snprintf(buf + used, n - (size_t)used, " [%s]", ai->category);
    if ((size_t)used < n && strcmp(ai->state, "End") == 0)
        snprintf(buf + used, n - (size_t)used, ", ended after %d min",
                 ai->duration);
}

void alert_insight_page_summary(json_t *members, json_t *rec, char *buf,
                                size_t n)
{
    struct alert_insight ai;
    json_t *first = json_array_size(members) ? json_array_get(members, 0) : rec;
    size_t used, i, more = json_array_size(members);
    json_t *m;

    buf[0] = '\0';
    if (alert_insight_read(first, &ai) != 0 &&
        (first == rec || alert_insight_read(rec, &ai) != 0))
        return;
    alert_insight_summary(&ai, buf, n);
    if (more < 2)
        return;
    used = strlen(buf);
    used += (size_t)snprintf(buf + used, n - used, " (+%zu more:", more - 1);
    json_array_foreach(members, i, m) {
        struct alert_insight o;

        if (i == 0 || used >= n)
            continue;
        if (alert_insight_read(m, &o) == 0)
            used += (size_t)snprintf(buf + used, n - used, "%s %s",
                                     i > 1 ? "," : "", o.name);
    }
    if (used + 1 < n)
        snprintf(buf + used, n - used, ")");
}

void alert_insight_attributions(json_t *rec, int per, char *buf, size_t n)
{
    json_t *list = json_object_get(
        json_object_get(json_object_get(rec, "insightDetails"),
                        "insightContext"), "attributions");
    size_t used = 0, i;
    json_t *a;

    buf[0] = '\0';
    json_array_foreach(list, i, a) {
        json_t *vals = json_object_get(a, "insight");
        const char *attr = str_at(a, "attribute");
        size_t j;
        json_t *v;

        if (!attr || json_array_size(vals) == 0)
            continue;
        used += (size_t)snprintf(buf + used, n - used, "%s%s: ",
                                 used ? "; " : "", attr);
        json_array_foreach(vals, j, v) {
            if ((int)j >= per || used >= n)
                break;
            used += (size_t)snprintf(buf + used, n - used, "%s%s (%.3g/min)",
                                     j ? ", " : "", str_at(v, "value") ?
                                     str_at(v, "value") : "?",
                                     num_at(v, "average"));
        }
        if (used >= n)
            return;
    }
}

const char *alert_insight_severity(const struct alert_insight *ai)
{
    static const char *const serious[] = {"iam-burst", "access-denied",
                                          "deletion"};
    int is_serious = 0;

    if (strcmp(ai->state, "End") == 0)
        return "info";
    for (size_t i = 0; i < sizeof serious / sizeof serious[0]; i++)
        is_serious |= strcmp(ai->category, serious[i]) == 0;
    if (is_serious && ai->score >= URGENT_SCORE)
        return "critical";
    if (is_serious || strcmp(ai->category, "service-limit") == 0 ||
        ai->score >= URGENT_SCORE)
        return "error";
    return "warning";
}
