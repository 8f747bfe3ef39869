/*
 * sink_pagerduty — pages as PagerDuty Events API v2 events.
 *
 * trigger on a page's first Start (and on a later Start joining it: the
 * same dedup_key, so PagerDuty adds it to the open incident instead of
 * paging again), resolve when the page's last Insight ends.  dedup_key is
 * the page_id, the sharedEventID of its first Insight.  The payload:
 * summary (the one-line page summary, at most 1024 characters), source
 * (sinks.source), severity (alert_insight_severity), timestamp (the
 * Insight's eventTime), component (eventSource), group (account), class
 * (category), and custom_details with rates, attributions and every
 * Insight record of the page.  The routing key comes from
 * sinks.routing_key_env or sinks.routing_key_file.
 */
#include "alert.h"
#include "alert_http.h"
#include "alert_insight.h"

#include <stdio.h>
#include <string.h>

/* PagerDuty truncates longer summaries. */
#define SUMMARY_MAX 1024

static int pd_open(struct alert_sink *s, char *err, size_t errlen)
{
    s->priv = alert_http_target_open(s->cfg, NULL, "routing key", err, errlen);
    return s->priv ? 0 : -1;
}

static void pd_close(struct alert_sink *s)
{
    alert_http_target_close(s->priv);
}

static void pd_send(struct alert_sink *s, const struct alert *a,
                    struct alert_outcome *o)
{
    struct alert_http_target *t = s->priv;
    struct alert_insight lead;
    json_t *lead_rec = alert_subject(a, &lead, o);
    char summary[SUMMARY_MAX + 1], attr[1024];
    json_t *body;

    if (!lead_rec)
        return;
    body = json_pack("{s:s,s:s,s:s}", "routing_key", t->secret,
                     "event_action",
                     a->kind == ALERT_FIRING ? "trigger" : "resolve",
                     "dedup_key", a->page_id);
    if (a->kind == ALERT_FIRING) {
        alert_insight_page_summary(a->members, a->record, summary,
                                   sizeof summary);
        alert_insight_attributions(lead_rec, 3, attr, sizeof attr);
        json_object_set_new(
            body, "payload",
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:f,s:f,s:f,s:s,s:O}}",
                      "summary", summary, "source", s->cfg->source,
                      "severity", alert_insight_severity(&lead), "timestamp",
                      lead.event_time, "component", lead.source, "group",
                      *lead.account ? lead.account : lead.region, "class",
                      *lead.category ? lead.category : lead.type,
                      "custom_details", "baseline_per_minute", lead.baseline,
                      "insight_per_minute", lead.rate, "score", lead.score,
                      "attributions", attr, "insights", a->members));
    }
    alert_http_target_post(t, body, JSON_COMPACT, NULL, s->cfg->timeout, o);
    json_decref(body);
}

static const struct config_row pagerduty_rows[] = {
    ALERT_URL_ROW("https://events.pagerduty.com/v2/enqueue",
                  "Events API v2 endpoint"),
    ALERT_SECRET_ROWS("routing_key_env", "routing_key_file", secret_env,
                      secret_file, "routing key"),
    {CONFIG_STRING, "sinks.source", "ctinsights", ALERT_SOFF(source), 0, 0,
     "payload.source of the events", NULL},
    ALERT_PAGER_ROWS,
};

static const char *const pagerduty_secret_keys[] = {
    "routing_key_env", "routing_key_file", NULL};

const struct alert_sink_ops alert_sink_pagerduty = {
    .config = {.name = "pagerduty", ALERT_ROWS(pagerduty_rows),
               .secret_keys = pagerduty_secret_keys},
    .help = "PagerDuty Events API v2", .pager = 1,
    .open = pd_open, .send = pd_send, .close = pd_close,
};
