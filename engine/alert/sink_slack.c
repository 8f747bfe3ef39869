/*
 * sink_slack — pages as messages to a Slack-compatible incoming webhook
 * (Slack, Mattermost, Rocket.Chat).
 *
 * One message when a page fires (and when a later Insight joins it), one
 * when it resolves.  text carries the one-line summary, for clients and
 * notifications that do not render blocks; blocks add a section with the
 * summary, fields (account, region, category, rates, score), the top
 * attributions and the other Insights of the page.  The webhook URL embeds
 * a token, so it is best given by sinks.url_env or sinks.url_file.
 */
#include "alert.h"
#include "alert_http.h"
#include "alert_insight.h"

#include <stdio.h>
#include <string.h>

/* Slack's limit on a section's text. */
#define SECTION_MAX 3000

static int slack_open(struct alert_sink *s, char *err, size_t errlen)
{
    s->priv = alert_http_target_open(s->cfg, NULL, NULL, err, errlen);
    return s->priv ? 0 : -1;
}

static void slack_close(struct alert_sink *s)
{
    alert_http_target_close(s->priv);
}

static json_t *mrkdwn(const char *text)
{
    return json_pack("{s:s,s:s}", "type", "mrkdwn", "text", text);
}

static json_t *section(const char *text)
{
    return json_pack("{s:s,s:o}", "type", "section", "text", mrkdwn(text));
}

static void slack_send(struct alert_sink *s, const struct alert *a,
                       struct alert_outcome *o)
{
    struct alert_insight lead;
    json_t *lead_rec = alert_subject(a, &lead, o);
    char summary[1024], head[1200], buf[SECTION_MAX + 1];
    json_t *blocks, *fields, *body, *m;
    size_t i, used = 0;

    if (!lead_rec)
        return;
    alert_insight_page_summary(a->members, a->record, summary, sizeof summary);
    snprintf(head, sizeof head, "%s %s", a->kind == ALERT_FIRING
             ? ":rotating_light: *Firing*" : ":white_check_mark: *Resolved*",
             summary);
    blocks = json_pack("[o]", section(head));
    fields = json_array();
    snprintf(buf, sizeof buf, "*Account*\n%s", *lead.account ? lead.account
                                                             : "-");
    json_array_append_new(fields, mrkdwn(buf));
    snprintf(buf, sizeof buf, "*Region*\n%s", lead.region);
    json_array_append_new(fields, mrkdwn(buf));
    snprintf(buf, sizeof buf, "*Category*\n%s", *lead.category ? lead.category
                                                               : "-");
    json_array_append_new(fields, mrkdwn(buf));
    snprintf(buf, sizeof buf, "*Rate*\n%.4g/min (baseline %.4g/min, score "
             "%.1f)", lead.rate, lead.baseline, lead.score);
    json_array_append_new(fields, mrkdwn(buf));
    json_array_append_new(blocks, json_pack("{s:s,s:o}", "type", "section",
                                            "fields", fields));
    alert_insight_attributions(lead_rec, 3, buf, sizeof buf);
    if (*buf)
        json_array_append_new(blocks, json_pack("{s:s,s:[o]}", "type",
                                                "context", "elements",
                                                mrkdwn(buf)));
    buf[0] = '\0';
    json_array_foreach(a->members, i, m) {
        struct alert_insight ai;
        char line[512];

        if (i == 0 || used >= sizeof buf || alert_insight_read(m, &ai) != 0)
            continue;
        alert_insight_summary(&ai, line, sizeof line);
        used += (size_t)snprintf(buf + used, sizeof buf - used, "• %s\n",
                                 line);
    }
    if (*buf)
        json_array_append_new(blocks, section(buf));
    body = json_pack("{s:s,s:o}", "text", head, "blocks", blocks);
    alert_http_target_post(s->priv, body, JSON_COMPACT, NULL,
                           s->cfg->timeout, o);
    json_decref(body);
}

static const struct config_row slack_rows[] = {
    ALERT_URL_ROW(NULL, "the incoming webhook URL (prefer url_env or "
                        "url_file)"),
    ALERT_SECRET_ROWS("url_env", "url_file", url_env, url_file,
                      "webhook URL"),
    ALERT_PAGER_ROWS,
};

static const char *const slack_secret_keys[] = {
    "url", "url_env", "url_file", NULL};

const struct alert_sink_ops alert_sink_slack = {
    .config = {.name = "slack", ALERT_ROWS(slack_rows),
               .secret_keys = slack_secret_keys},
    .help = "Slack-compatible incoming webhook (text and blocks)", .pager = 1,
    .open = slack_open, .send = slack_send, .close = slack_close,
};
