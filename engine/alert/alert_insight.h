/*
 * alert_insight — what alerts say about an Insight record.
 *
 * Reads the fields alerts need from an Insight record in the AWS trail form
 * (docs/cloudtrail-insights.md §3.1, plus the engine's additionalEventData)
 * and words them: the one-line summary, baseline against Insight rates, the
 * top attributions, a severity.  Built only from the record, so it does not
 * depend on how the engine made it.  Strings in struct alert_insight are
 * borrowed from the record and live as long as it does.  Pure, reentrant.
 */
#ifndef CTI_ALERT_INSIGHT_H
#define CTI_ALERT_INSIGHT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct alert_insight {
    const char *shared_id;   /* sharedEventID */
    const char *event_id;    /* eventID */
    const char *state;       /* "Start" or "End" */
    const char *event_time;  /* eventTime as written */
    int64_t time;            /* eventTime, seconds since 1970 */
    const char *account;     /* recipientAccountId ("" when absent) */
    const char *region;      /* awsRegion */
    const char *source;      /* insightDetails.eventSource */
    const char *name;        /* insightDetails.eventName */
    const char *type;        /* insightDetails.insightType */
    const char *error_code;  /* insightDetails.errorCode, or NULL */
    const char *category;    /* additionalEventData.category ("" when absent) */
    const char *direction;   /* additionalEventData.direction ("increase") */
    const char *principal;   /* top userIdentityArn of the Insight, or NULL */
    double score;            /* additionalEventData.score (0 when absent) */
    double baseline;         /* statistics.baseline.average, calls per minute */
    double rate;             /* statistics.insight.average, calls per minute */
    int duration;            /* statistics.insightDuration, minutes (0 = absent) */
};

/* Read rec into ai.  Returns 0, or -1 when rec lacks a field every Insight
 * record has (sharedEventID, eventID, eventTime in CloudTrail form,
 * awsRegion, insightDetails with state, eventSource, eventName and
 * insightType); ai is then unusable. */
int alert_insight_read(json_t *rec, struct alert_insight *ai);

/* One line for a pager, e.g. "CloudTrail Insight: RunInstances
 * (ec2.amazonaws.com) call rate 30/min, baseline 0.0064/min, in
 * 111122223333 us-east-1 [service-limit]"; with End "... ended after 5
 * min".  Always NUL-terminated, truncated to n. */
void alert_insight_summary(const struct alert_insight *ai, char *buf,
                           size_t n);

/* The summary of a page (an array of Insight records, its first Insight
 * first): the first one's summary, then " (+N more: CreateUser,
 * AttachUserPolicy)" naming the others' APIs.  When members is empty or
 * unreadable, rec's own summary. */
void alert_insight_page_summary(json_t *members, json_t *rec, char *buf,
                                size_t n);

/* "userIdentityArn: arn:... (30/min), ...; userAgent: ..." — the top
 * values of each attribution over the Insight window, at most per values
 * each; "" when the record has none. */
void alert_insight_attributions(json_t *rec, int per, char *buf, size_t n);

/* The page severity, from the category and score: "critical" for an
 * iam-burst, access-denied or deletion Insight scoring 50 or more,
 * "error" for those categories, a service-limit or any score of 50 or
 * more, "warning" otherwise, "info" for an End. */
const char *alert_insight_severity(const struct alert_insight *ai);

#endif
