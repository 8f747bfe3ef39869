/*
 * report — what an Insight record says, resolved to strings and numbers.
 *
 * The engine (engine/stream) fills one when it decides an Insight's Start
 * or End; writers (engine/insight_json) and rules (engine/suppress) read
 * it.  Strings are borrowed from whoever filled it.
 */
#ifndef CTI_REPORT_H
#define CTI_REPORT_H

#include "detect.h"
#include "tally.h"

#include <stddef.h>
#include <stdint.h>

#define ATTR_TOP 5

enum insight_state { STATE_START, STATE_END };

struct attr_value {
    const char *value; /* "null" for no error / no user agent */
    double average;    /* per minute of the window */
};

struct attr_list {
    size_t n;
    struct attr_value v[ATTR_TOP];
};

/* Everything an Insight record says (engine/insight_json writes it). */
struct insight_report {
    enum insight_state state;
    int error_rate;                     /* ApiErrorRateInsight (else call rate) */
    const char *account, *region, *source, *name;
    const char *error;                  /* error-rate key's code; NULL for call rate */
    const struct insight *ins;          /* what the model decided */
    const char *category;
    double baseline_average;            /* events per minute over the baseline */
    uint32_t baseline_minutes;          /* baselineDuration */
    double insight_average;             /* events per minute over the window */
    uint32_t insight_minutes;           /* insightDuration */
    struct attr_list insight_attr[TALLY__FIELDS];   /* over the Insight's window */
    struct attr_list baseline_attr[TALLY__FIELDS];  /* over the baseline */
};

/* Output order of records: by eventTime, then key (type, account, region,
 * source, name, error), then Start before End. */
int insight_report_cmp(const struct insight_report *a, const struct insight_report *b);

#endif
