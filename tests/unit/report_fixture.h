/*
 * report_fixture — an Insight report for the unit tests that read one
 * (report, suppress): a call-rate Insight of iam.amazonaws.com CreateUser
 * in 111122223333 us-east-1, category iam-burst.  Include after cmocka.h.
 */
#ifndef CTI_TEST_REPORT_FIXTURE_H
#define CTI_TEST_REPORT_FIXTURE_H

#include <string.h>

#include "report.h"

struct report_fixture {
    struct insight ins;
    struct insight_report r; /* r.ins points at ins */
};

/* A Start (or End) of an Insight over minutes [start, end). */
static void report_fixture_init(struct report_fixture *x, enum insight_state st,
                                uint32_t start, uint32_t end)
{
    memset(x, 0, sizeof *x);
    x->ins.start = start;
    x->ins.end = end;
    x->ins.closed = st == STATE_END;
    x->r.state = st;
    x->r.account = "111122223333";
    x->r.region = "us-east-1";
    x->r.source = "iam.amazonaws.com";
    x->r.name = "CreateUser";
    x->r.ins = &x->ins;
    x->r.category = "iam-burst";
}

#endif
