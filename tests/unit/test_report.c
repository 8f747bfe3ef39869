/*
 * Unit tests for engine/insight/report.c: the output order of Insight
 * records — by eventTime (a Start's first minute, an End's minute after
 * the last), then key (type, account, region, source, name, error), then
 * Start before End.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_fixture.h"

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* a < b, and the comparison agrees both ways. */
static void assert_before(const struct report_fixture *a, const struct report_fixture *b)
{
    assert_int_equal(sign(insight_report_cmp(&a->r, &b->r)), -1);
    assert_int_equal(sign(insight_report_cmp(&b->r, &a->r)), 1);
}

static void test_by_event_time(void **state)
{
    struct report_fixture a, b, end;
    (void)state;
    report_fixture_init(&a, STATE_START, 100, 0);
    report_fixture_init(&b, STATE_START, 101, 0);
    assert_before(&a, &b);
    /* An End is placed at its end minute, not its start. */
    report_fixture_init(&end, STATE_END, 50, 100);
    end.r.name = "AAAA"; /* a key that would sort first */
    assert_before(&end, &b);
    report_fixture_init(&end, STATE_END, 50, 102);
    assert_before(&b, &end);
    /* Time comes before the key. */
    b.r.account = "000000000000";
    assert_before(&a, &b);
}

static void test_by_key(void **state)
{
    struct report_fixture a, b;
    (void)state;
    report_fixture_init(&a, STATE_START, 100, 0);
    report_fixture_init(&b, STATE_START, 100, 0);
    assert_int_equal(insight_report_cmp(&a.r, &b.r), 0);
    /* Call rate before error rate, whatever the rest of the key. */
    b.r.error_rate = 1;
    b.r.error = "AccessDenied";
    b.r.account = "000000000000";
    assert_before(&a, &b);
    report_fixture_init(&b, STATE_START, 100, 0);
    b.r.account = "211122223333";
    b.r.region = "af-south-1"; /* account decides before region */
    assert_before(&a, &b);
    report_fixture_init(&b, STATE_START, 100, 0);
    b.r.region = "us-west-2";
    assert_before(&a, &b);
    report_fixture_init(&b, STATE_START, 100, 0);
    b.r.source = "s3.amazonaws.com";
    b.r.name = "AAAA";
    assert_before(&a, &b);
    report_fixture_init(&b, STATE_START, 100, 0);
    b.r.name = "DeleteUser";
    assert_before(&a, &b);
    /* Error codes last; none (call rate) sorts as "". */
    a.r.error_rate = b.r.error_rate = 1;
    b.r.name = a.r.name;
    a.r.error = "AccessDenied";
    b.r.error = "Throttling";
    assert_before(&a, &b);
    a.r.error = NULL;
    assert_before(&a, &b);
}

static void test_start_before_end(void **state)
{
    struct report_fixture start, end;
    (void)state;
    /* A one-minute Insight of another key ends where this one starts. */
    report_fixture_init(&start, STATE_START, 100, 0);
    report_fixture_init(&end, STATE_END, 90, 100);
    assert_before(&start, &end);
}

static int cmp_ptr(const void *a, const void *b)
{
    const struct report_fixture *const *x = a, *const *y = b;
    return insight_report_cmp(&(*x)->r, &(*y)->r);
}

/* Sorting with it gives one order whatever order records come in. */
static void test_total_order(void **state)
{
    static const char *const names[] = {"CreateUser", "DeleteUser", "PutObject"};
    struct report_fixture recs[24];
    struct report_fixture *p[24], *q[24];
    size_t n = 0;
    (void)state;
    for (uint32_t t = 0; t < 2; t++)
        for (int s = 0; s < 2; s++)
            for (int i = 0; i < 3; i++, n++) {
                report_fixture_init(&recs[n], s ? STATE_END : STATE_START, 100 + t, 100 + t);
                recs[n].r.name = names[i];
                recs[n].r.error_rate = (int)(n % 2);
                recs[n].r.error = n % 2 ? "Throttling" : NULL;
            }
    for (size_t i = 0; i < n; i++) {
        p[i] = &recs[i];
        q[i] = &recs[n - 1 - i];
    }
    qsort(p, n, sizeof *p, cmp_ptr);
    qsort(q, n, sizeof *q, cmp_ptr);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(p[i], q[i]);
        if (i > 0)
            assert_true(insight_report_cmp(&p[i - 1]->r, &p[i]->r) < 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_event_time),
        cmocka_unit_test(test_by_key),
        cmocka_unit_test(test_start_before_end),
        cmocka_unit_test(test_total_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
