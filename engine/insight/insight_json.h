/*
 * insight_json — an Insight as the record AWS CloudTrail writes.
 *
 * Builds the trail form of docs/cloudtrail-insights.md §3.1 from a report
 * (engine/report): a Start record (statistics of its first minute) or an
 * End record (statistics over its whole duration), sharing a sharedEventID
 * derived from the key and start minute, each with its own eventID, so a
 * rerun gives the same IDs.  Attributions list the top principals, user
 * agents and (call rate only) error codes in the Insight's window and in
 * the baseline.  What AWS does not define goes in additionalEventData.
 * Reentrant.
 */
#ifndef CTI_INSIGHT_JSON_H
#define CTI_INSIGHT_JSON_H

#include "ids.h"
#include "report.h"

#include <jansson.h>

/* The sharedEventID of r's Insight: a UUID from its key and start. */
void insight_json_shared_id(const struct insight_report *r, char out[IDS_UUID_LEN]);
/* A new JSON object (caller decrefs) for the record r describes. */
json_t *insight_json(const struct insight_report *r);

#endif
