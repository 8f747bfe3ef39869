#include "suppress.h"

#include <fnmatch.h>

static int in_daily_window(const struct config_suppress *r, uint32_t minute)
{
    uint32_t day = minute / 1440;
    /* 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays. */
    unsigned weekday = (day + 3) % 7;
    if (r->weekdays && !(r->weekdays & (1u << weekday)))
        return 0;
    if (r->daily_from < 0)
        return 1;
    int t = (int)(minute % 1440);
    if (r->daily_from <= r->daily_to)
        return t >= r->daily_from && t < r->daily_to;
    return t >= r->daily_from || t < r->daily_to; /* wraps midnight */
}

static int rule_matches(const struct config_suppress *r,
                        const struct insight_report *rep, const char *principal)
{
    const struct insight *ins = rep->ins;
    if (!config_match(&r->match, rep->account, rep->region, rep->source, rep->name,
                      rep->error,
                      detect_insight_type(rep->error_rate)))
        return 0;
    if (r->category && fnmatch(r->category, rep->category, 0) != 0)
        return 0;
    if (r->from >= 0 && (long long)ins->start < r->from)
        return 0;
    if (r->until >= 0 && (long long)ins->start >= r->until)
        return 0;
    if ((r->weekdays || r->daily_from >= 0) && !in_daily_window(r, ins->start))
        return 0;
    if (r->principal && fnmatch(r->principal, principal, 0) != 0)
        return 0;
    return 1;
}

int suppress_match(const struct config *c, const struct insight_report *r,
                   const char *principal)
{
    for (size_t i = 0; i < c->n_suppress; i++)
        if (rule_matches(&c->suppress[i], r, principal))
            return 1;
    return 0;
}
