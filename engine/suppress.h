/*
 * suppress — the Insights a user said not to raise.
 *
 * A `suppress:` rule of the config drops an Insight when all its given
 * conditions hold: the key matches, the Insight's top principal in its
 * first window matches, its category matches, and its start falls in the
 * rule's absolute window and/or daily UTC window on the rule's weekdays.
 * Pure.
 */
#ifndef CTI_SUPPRESS_H
#define CTI_SUPPRESS_H

#include "agg.h"
#include "config.h"
#include "detect.h"

/* Whether a rule of c suppresses ins (its category must be set). */
int suppress_match(const struct agg *a, const struct config *c,
                   const struct insight *ins);

#endif
