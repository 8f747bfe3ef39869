#include "suppress.h"

#include "xalloc.h"

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

static int rule_matches(const struct agg *a, const struct config_suppress *r,
                        const struct insight *ins)
{
    const struct agg_key *k = &a->keys[ins->key];
    const char *type = k->type == INSIGHT_CALL_RATE ? "ApiCallRateInsight"
                                                    : "ApiErrorRateInsight";
    if (!config_match(&r->match, agg_str(a, k->account), agg_str(a, k->region),
                      agg_str(a, k->source), agg_str(a, k->name),
                      agg_str(a, k->error), type))
        return 0;
    if (r->category && fnmatch(r->category, ins->category, 0) != 0)
        return 0;
    if (r->from >= 0 && (long long)ins->start < r->from)
        return 0;
    if (r->until >= 0 && (long long)ins->start >= r->until)
        return 0;
    if ((r->weekdays || r->daily_from >= 0) && !in_daily_window(r, ins->start))
        return 0;
    if (r->principal) {
        struct agg_tally *t;
        size_t n = agg_tally(a, k, ins->start, ins->decided + 1, AGG_ARN, &t);
        const char *top = n && t[0].id ? agg_str(a, t[0].id) : "null";
        xfree(t);
        if (fnmatch(r->principal, top, 0) != 0)
            return 0;
    }
    return 1;
}

int suppress_match(const struct agg *a, const struct config *c,
                   const struct insight *ins)
{
    for (size_t i = 0; i < c->n_suppress; i++)
        if (rule_matches(a, &c->suppress[i], ins))
            return 1;
    return 0;
}
