/*
 * suppress — the Insights a user said not to raise.
 *
 * A `suppress:` rule of the config drops an Insight when all its given
 * conditions hold: the key matches, the Insight's top principal over its
 * first window matches, its category matches, and its start falls in the
 * rule's absolute window and/or daily UTC window on the rule's weekdays.
 * Pure.
 */
#ifndef CTI_SUPPRESS_H
#define CTI_SUPPRESS_H

#include "config.h"
#include "report.h"

/* Whether a rule of c suppresses the Insight r reports (its Start);
 * principal is its top userIdentityArn ("null" when none). */
int suppress_match(const struct config *c, const struct insight_report *r,
                   const char *principal);

#endif
