#include "report.h"

#include <string.h>

static uint32_t event_minute(const struct insight_report *r)
{
    return r->state == STATE_START ? r->ins->start : r->ins->end;
}

int insight_report_cmp(const struct insight_report *a, const struct insight_report *b)
{
    uint32_t ma = event_minute(a), mb = event_minute(b);
    if (ma != mb)
        return ma < mb ? -1 : 1;
    if (a->error_rate != b->error_rate)
        return a->error_rate - b->error_rate;
    const char *ka[5] = {a->account, a->region, a->source, a->name, a->error ? a->error : ""};
    const char *kb[5] = {b->account, b->region, b->source, b->name, b->error ? b->error : ""};
    for (int i = 0; i < 5; i++) {
        int c = strcmp(ka[i], kb[i]);
        if (c)
            return c;
    }
    return (int)a->state - (int)b->state;
}
