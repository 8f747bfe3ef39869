/*
 * sink_alertmanager — pages as Prometheus Alertmanager alerts (API v2,
 * POST /api/v2/alerts).
 *
 * One alert per page, labelled alertname=CloudTrailInsight plus the first
 * Insight's account, region, eventSource, eventName, insightType, category
 * (and errorCode for error rate) and page (the page_id), so the alert is
 * the same one on every re-send.  Annotations: summary (one line), rates
 * (baseline against Insight), attributions (top principals and agents),
 * insights (every Insight of the page when there are several).  A firing
 * alert's endsAt is four resend intervals ahead, as Prometheus does, so
 * that Alertmanager keeps it while the outbox re-sends it and lets it lapse
 * if ctinsights stops; a resolved one ends at its last End (never after
 * now).
 */
#include "alert.h"
#include "alert_http.h"
#include "alert_insight.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int am_open(struct alert_sink *s, char *err, size_t errlen)
{
    s->priv = alert_http_target_open(s->cfg, "/api/v2/alerts", NULL, err,
                                     errlen);
    return s->priv ? 0 : -1;
}

static void am_close(struct alert_sink *s)
{
    alert_http_target_close(s->priv);
}

static json_t *rfc3339(double t)
{
    time_t secs = (time_t)t;
    struct tm tm;
    char buf[32];

    gmtime_r(&secs, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static json_t *labels(const struct alert_insight *ai, const char *page)
{
    json_t *l = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "alertname",
                          "CloudTrailInsight", "account", ai->account,
                          "region", ai->region, "eventSource", ai->source,
                          "eventName", ai->name, "insightType", ai->type,
                          "page", page);

    if (*ai->category)
        json_object_set_new(l, "category", json_string(ai->category));
    if (ai->error_code)
        json_object_set_new(l, "errorCode", json_string(ai->error_code));
    return l;
}

/* Every Insight of the page, one summary per line. */
static json_t *insight_lines(json_t *members)
{
    char line[512], *all = NULL;
    size_t len = 0, i;
    json_t *m, *out;

    json_array_foreach(members, i, m) {
        struct alert_insight ai;
        size_t k;

        if (alert_insight_read(m, &ai) != 0)
            continue;
        alert_insight_summary(&ai, line, sizeof line);
        k = strlen(line);
        all = xrealloc(all, len + k + 2);
        memcpy(all + len, line, k);
        len += k;
        all[len++] = '\n';
        all[len] = '\0';
    }
    out = json_string(all ? all : "");
    xfree(all);
    return out;
}

static void am_send(struct alert_sink *s, const struct alert *a,
                    struct alert_outcome *o)
{
    struct alert_insight lead, ai;
    json_t *lead_rec = alert_subject(a, &lead, o);
    char summary[1024], rates[256], attr[1024];
    json_t *alert, *notes;
    double ends;
    size_t i;
    json_t *m;

    if (!lead_rec)
        return;
    alert_insight_page_summary(a->members, a->record, summary, sizeof summary);
    snprintf(rates, sizeof rates, "baseline %.4g/min, insight %.4g/min, "
             "score %.1f", lead.baseline, lead.rate, lead.score);
    alert_insight_attributions(lead_rec, 3, attr, sizeof attr);
    notes = json_pack("{s:s,s:s,s:s}", "summary", summary, "rates", rates,
                      "attributions", attr);
    if (json_array_size(a->members) > 1)
        json_object_set_new(notes, "insights", insight_lines(a->members));
    alert = json_pack("{s:o,s:o,s:o}", "labels", labels(&lead, a->page_id),
                      "annotations", notes, "startsAt",
                      rfc3339((double)lead.time));
    if (a->kind == ALERT_FIRING) {
        ends = a->now + 4 * s->cfg->resend_interval;
    } else {
        ends = 0;
        json_array_foreach(a->members, i, m) {
            if (alert_insight_read(m, &ai) == 0 && ai.time > ends)
                ends = (double)ai.time;
        }
        if (ends > a->now || ends < lead.time)
            ends = a->now;
    }
    json_object_set_new(alert, "endsAt", rfc3339(ends));
    json_t *body = json_pack("[o]", alert);
    alert_http_target_post(s->priv, body, JSON_COMPACT, NULL,
                           s->cfg->timeout, o);
    json_decref(body);
}

static const struct config_row alertmanager_rows[] = {
    ALERT_URL_ROW(NULL, "where to send (http:// or https://)"),
    {CONFIG_DOUBLE, "sinks.resend_interval", "60",
     ALERT_SOFF(resend_interval), 1, 86400,
     "seconds between re-sends of a firing alert", NULL},
    ALERT_PAGER_ROWS,
};

const struct alert_sink_ops alert_sink_alertmanager = {
    .config = {.name = "alertmanager", ALERT_ROWS(alertmanager_rows),
               .required = "url",
               .required_hint = "one such as http://127.0.0.1:9093"},
    .help = "Prometheus Alertmanager, API v2", .pager = 1,
    .open = am_open, .send = am_send, .close = am_close,
};
