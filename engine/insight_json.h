/*
 * insight_json — an Insight as the records AWS CloudTrail writes.
 *
 * Builds the trail form of docs/cloudtrail-insights.md §3.1: a Start record
 * (statistics of its first minute) and, once the Insight has ended, an End
 * record (statistics over its whole duration), sharing a sharedEventID
 * derived from the key and start minute.  The baseline window is the
 * trailing baseline.window_days before the start (not before the trail's
 * coverage began); attributions are the top 5 principals, user agents and
 * (call rate only) error codes by average per minute in the Insight and
 * baseline windows.  What AWS does not define goes in additionalEventData.
 * Reentrant; a's strings are borrowed.
 */
#ifndef CTI_INSIGHT_JSON_H
#define CTI_INSIGHT_JSON_H

#include "agg.h"
#include "config.h"
#include "detect.h"

#include <jansson.h>

enum insight_state { STATE_START, STATE_END };

/* A new JSON object (caller decrefs) for state of ins. */
json_t *insight_json(const struct agg *a, const struct config *c,
                     const struct insight *ins, enum insight_state state);

#endif
