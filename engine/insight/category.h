/*
 * category — what kind of trouble an Insight looks like.
 *
 * One of maintenance-gap (a periodic job's run did not come), service-limit
 * (the error code is a limit or throttle code: the built-in table of
 * docs/cloudtrail-insights.md §4 plus categories.service_limit_codes),
 * access-denied, iam-burst (IAM write calls), deletion (Delete*,
 * Terminate*, Remove*, ...), provisioning (Run*, Create*, Launch*, ...), or
 * rate-change.  The error code considered is an error-rate Insight's own,
 * or for a call-rate Insight the one most calls of its first window
 * returned when most calls failed.  Pure; strings returned are static.
 */
#ifndef CTI_CATEGORY_H
#define CTI_CATEGORY_H

#include "config.h"

/* The category of an Insight on eventSource/eventName (decrease: a
 * maintenance gap); code is the error code considered, or NULL. */
const char *category_of(const struct config *c, int decrease, const char *source,
                        const char *name, const char *code);
/* The static string of the category called name, or NULL. */
const char *category_named(const char *name);
/* Whether code is a service-limit or throttling code (built-in or c's). */
int category_is_limit_code(const struct config *c, const char *code);

#endif
