/*
 * category — what kind of trouble an Insight looks like.
 *
 * One of maintenance-gap (a periodic job's run did not come), service-limit
 * (the error code is a limit or throttle code: the built-in table of
 * docs/cloudtrail-insights.md §4 plus categories.service_limit_codes),
 * access-denied, iam-burst (IAM write calls), deletion (Delete*,
 * Terminate*, Remove*, ...), provisioning (Run*, Create*, Launch*, ...), or
 * rate-change.  For a call-rate Insight the error code considered is the
 * one most calls of its first window returned, when most calls failed.
 * Pure; strings returned are static.
 */
#ifndef CTI_CATEGORY_H
#define CTI_CATEGORY_H

#include "agg.h"
#include "config.h"
#include "detect.h"

/* The category of ins (a key of a). */
const char *category_of(const struct agg *a, const struct config *c,
                        const struct insight *ins);
/* Whether code is a service-limit or throttling code (built-in or c's). */
int category_is_limit_code(const struct config *c, const char *code);

#endif
