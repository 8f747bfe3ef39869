/*
 * sink_eventbridge — every Start and End record in the envelope EventBridge
 * delivers Insights in (docs/cloudtrail-insights.md §5), one per line, to
 * standard output or appended to a file (sinks.path).
 *
 * {"version":"0","id":…,"detail-type":"AWS Insight via CloudTrail",
 *  "source":"aws.cloudtrail","account":…,"time":eventTime,"region":…,
 *  "resources":[],"detail":RECORD}.  id is derived from the record's
 * eventID, so a re-delivered envelope has the same id.  A write that fails
 * (disk full) is retried.
 */
#include "alert.h"
#include "alert_insight.h"
#include "ids.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int eb_open(struct alert_sink *s, char *err, size_t errlen)
{
    return 0;
}

static void eb_close(struct alert_sink *s)
{
}

static void eb_send(struct alert_sink *s, const struct alert *a,
                    struct alert_outcome *o)
{
    const char *path = s->cfg->path;
    int to_stdout = strcmp(path, "-") == 0;
    struct alert_insight ai;
    char id[IDS_UUID_LEN];
    json_t *env;
    FILE *f;
    int bad;

    if (!alert_subject(a, &ai, o))
        return;
    ids_uuid(ai.event_id, strlen(ai.event_id), id);
    env = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[],s:O}", "version", "0",
                    "id", id, "detail-type", "AWS Insight via CloudTrail",
                    "source", "aws.cloudtrail", "account", ai.account, "time",
                    ai.event_time, "region", ai.region, "resources", "detail",
                    a->record);
    f = to_stdout ? stdout : fopen(path, "a");
    if (!f) {
        o->result = ALERT_RETRY;
        snprintf(o->detail, sizeof o->detail, "cannot open %s: %s", path,
                 strerror(errno));
        json_decref(env);
        return;
    }
    bad = json_dumpf(env, f, s->dump_flags) != 0 || fputc('\n', f) == EOF ||
          fflush(f) != 0;
    if (!to_stdout && fclose(f) != 0)
        bad = 1;
    json_decref(env);
    o->result = bad ? ALERT_RETRY : ALERT_OK;
    snprintf(o->detail, sizeof o->detail, bad ? "cannot write to %s: %s"
             : "written to %s", to_stdout ? "standard output" : path,
             bad ? strerror(errno) : "");
}

static const struct config_row eventbridge_rows[] = {
    {CONFIG_STRING, "sinks.path", "-", ALERT_SOFF(path), 0, 0,
     "file the envelopes are appended to; - is standard output", NULL},
    ALERT_RECORD_ROWS,
};

const struct alert_sink_ops alert_sink_eventbridge = {
    .config = {.name = "eventbridge", ALERT_ROWS(eventbridge_rows)},
    .help = "EventBridge envelopes, one per line, to stdout or a file",
    .pager = 0,
    .open = eb_open, .send = eb_send, .close = eb_close,
};
