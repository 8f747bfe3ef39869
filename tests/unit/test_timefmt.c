/*
 * Unit tests for engine/core/timefmt.c: the eventTime forms CloudTrail and its
 * exporters write (separators, fractions, zones), impossible or malformed
 * dates, and minutes back to text and calendar dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "timefmt.h"

#define T_2024_03_12_140712 INT64_C(1710252432) /* 2024-03-12T14:07:12Z */
#define T_2024_02_29 INT64_C(1709164800)        /* 2024-02-29T00:00:00Z */

struct parse_case {
    const char *in;
    int rc;
    int64_t secs; /* when rc == 0 */
};

static void check_parse_cases(const struct parse_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = -12345;
        int rc = timefmt_parse(cases[i].in, &got);
        if (rc != cases[i].rc || (rc == 0 && got != cases[i].secs)) {
            print_error("\"%s\": rc %d secs %lld, expected rc %d secs %lld\n",
                        cases[i].in, rc, (long long)got, cases[i].rc,
                        (long long)cases[i].secs);
            fail();
        }
    }
}

static void test_parse_accepted_forms(void **state)
{
    static const struct parse_case cases[] = {
        {"2024-03-12T14:07:12Z", 0, T_2024_03_12_140712},
        {"2024-03-12 14:07:12Z", 0, T_2024_03_12_140712},
        {"2024-03-12T14:07:12", 0, T_2024_03_12_140712}, /* no zone: UTC */
        {"2024-03-12 14:07:12", 0, T_2024_03_12_140712},
        /* fractions are dropped, not rounded */
        {"2024-03-12T14:07:12.123Z", 0, T_2024_03_12_140712},
        {"2024-03-12T14:07:12.999999999Z", 0, T_2024_03_12_140712},
        {"2024-03-12T14:07:12.5", 0, T_2024_03_12_140712},
        /* offsets are converted to UTC */
        {"2024-03-13T01:07:12+11:00", 0, T_2024_03_12_140712},
        {"2024-03-12T08:37:12-05:30", 0, T_2024_03_12_140712},
        {"2024-03-12T14:07:12+00:00", 0, T_2024_03_12_140712},
        {"2024-03-13T01:07:12.250+11:00", 0, T_2024_03_12_140712},
        /* an offset can move the time across midnight and year ends */
        {"2024-01-01T05:00:00+06:00", 0, INT64_C(1704063600)},
        {"2023-12-31T20:00:00-05:00", 0, INT64_C(1704070800)},
        /* the leap day of a leap year */
        {"2024-02-29T00:00:00Z", 0, T_2024_02_29},
        {"2000-02-29T00:00:00Z", 0, INT64_C(951782400)},
        /* the first second that is allowed */
        {"1970-01-01T00:00:00Z", 0, 0},
        {"1970-01-01T01:00:00+01:00", 0, 0},
        {"2024-12-31T23:59:59Z", 0, INT64_C(1735689599)},
    };
    check_parse_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_parse_rejected(void **state)
{
    static const struct parse_case cases[] = {
        {"", -1, 0},
        {"yesterday", -1, 0},
        {"1710252432", -1, 0},
        {"2024-3-1T14:07:12Z", -1, 0},
        {"2024-03-1T14:07:12Z", -1, 0},
        {"2024-03-12T4:07:12Z", -1, 0},
        {"2024-03-12", -1, 0},
        {"2024-03-12T14:07Z", -1, 0},
        {"2024/03/12T14:07:12Z", -1, 0},
        {"2024-03-12t14:07:12Z", -1, 0},
        {"2024-03-12T14:07:12z", -1, 0},
        {"2024-03-12T14:07:12ZZ", -1, 0},
        {"2024-03-12T14:07:12Z ", -1, 0},
        {"2024-03-12T14:07:12.Z", -1, 0},
        {"2024-03-12T14:07:12+1100", -1, 0},
        {"2024-03-12T14:07:12+11", -1, 0},
        {"2024-03-12T14:07:12+24:00", -1, 0},
        {"2024-03-12T14:07:12 UTC", -1, 0},
        /* impossible dates and times */
        {"2023-02-30T00:00:00Z", -1, 0},
        {"2024-02-30T00:00:00Z", -1, 0},
        {"2024-04-31T00:00:00Z", -1, 0},
        {"2024-00-10T00:00:00Z", -1, 0},
        {"2024-13-10T00:00:00Z", -1, 0},
        {"2024-03-00T00:00:00Z", -1, 0},
        {"2024-03-12T24:00:00Z", -1, 0},
        {"2024-03-12T14:60:00Z", -1, 0},
        {"2024-03-12T14:07:61Z", -1, 0},
        /* before 1970, as written or once converted to UTC */
        {"1969-12-31T23:59:59Z", -1, 0},
        {"1900-01-01T00:00:00Z", -1, 0},
        {"1970-01-01T00:30:00+01:00", -1, 0},
    };
    check_parse_cases(cases, sizeof cases / sizeof cases[0]);
}

/* February 29 exists only in leap years. */
static void test_parse_feb29_non_leap_year(void **state)
{
    static const struct parse_case cases[] = {
        {"2023-02-29T00:00:00Z", -1, 0},
        {"2100-02-29T12:00:00Z", -1, 0},
    };
    check_parse_cases(cases, sizeof cases / sizeof cases[0]);
}

static uint32_t minute_of(const char *s)
{
    int64_t t;
    assert_int_equal(timefmt_parse(s, &t), 0);
    return (uint32_t)(t / 60);
}

static void test_minute_text(void **state)
{
    static const struct {
        const char *in;
        int add; /* minutes added before printing */
        const char *out;
    } cases[] = {
        {"2024-03-12T14:07:59Z", 0, "2024-03-12T14:07:00Z"},
        {"2024-03-12T14:07:00Z", 0, "2024-03-12T14:07:00Z"},
        {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"},
        {"2023-12-31T23:59:30Z", 0, "2023-12-31T23:59:00Z"},
        {"2023-12-31T23:59:30Z", 1, "2024-01-01T00:00:00Z"},
        {"2024-02-28T23:59:00Z", 1, "2024-02-29T00:00:00Z"},
        {"2024-02-29T23:59:00Z", 1, "2024-03-01T00:00:00Z"},
        {"2100-02-28T23:59:00Z", 1, "2100-03-01T00:00:00Z"},
        {"2024-12-31T23:59:00Z", 1, "2025-01-01T00:00:00Z"},
        {"2024-03-12T23:59:00Z", 1, "2024-03-13T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[TIMEFMT_LEN];
        timefmt_minute(minute_of(cases[i].in) + (uint32_t)cases[i].add, out);
        assert_string_equal(out, cases[i].out);
    }
    assert_int_equal(minute_of("2024-03-12T14:07:59Z"), 28504207);
}

static void test_ymd(void **state)
{
    static const struct {
        const char *in;
        int y, m, d;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 1970, 1, 1},
        {"2024-02-29T23:59:59Z", 2024, 2, 29},
        {"2024-03-01T00:00:00Z", 2024, 3, 1},
        {"2024-12-31T23:59:00Z", 2024, 12, 31},
        {"2025-01-01T00:00:00Z", 2025, 1, 1},
        {"2024-03-12T01:00:00+02:00", 2024, 3, 11}, /* the UTC date */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y = 0, m = 0, d = 0;
        timefmt_ymd(minute_of(cases[i].in), &y, &m, &d);
        if (y != cases[i].y || m != cases[i].m || d != cases[i].d) {
            print_error("\"%s\": %04d-%02d-%02d, expected %04d-%02d-%02d\n",
                        cases[i].in, y, m, d, cases[i].y, cases[i].m,
                        cases[i].d);
            fail();
        }
    }
}

/* The minute form of config files: seconds optional and rounded up, UTC
 * only, -2 before 1970. */
static void test_parse_minute(void **state)
{
    static const struct {
        const char *in;
        int rc;
        int64_t minute; /* when rc == 0 */
    } cases[] = {
        {"1970-01-01T00:00Z", 0, 0},
        {"2024-03-12T14:07Z", 0, 28504207},
        {"2024-03-12T14:07:00Z", 0, 28504207},
        {"2024-03-12T14:07:01Z", 0, 28504208},
        {"2024-02-29T00:00Z", 0, 28486080},
        {"2023-02-29T00:00Z", -1, 0},
        {"2024-03-12T24:00Z", -1, 0},
        {"2024-03-12T14:07:60Z", -1, 0},
        {"2024-03-12T14:07", -1, 0},
        {"2024-03-12 14:07Z", -1, 0},
        {"2024-03-12T14:07+01:00", -1, 0},
        {"2024-03-12T14:07:00.5Z", -1, 0},
        {"1969-12-31T23:59Z", -2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = -12345;
        int rc = timefmt_parse_minute(cases[i].in, &got);
        if (rc != cases[i].rc || (rc == 0 && got != cases[i].minute)) {
            print_error("\"%s\": rc %d minute %lld, expected rc %d minute "
                        "%lld\n", cases[i].in, rc, (long long)got,
                        cases[i].rc, (long long)cases[i].minute);
            fail();
        }
    }
}

/* Every day from 1970 to 2200, at its first and last minute: the printed
 * minute parses back to itself, agrees with timefmt_ymd, and consecutive
 * days are consecutive dates. */
static void test_round_trip_every_day(void **state)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int py = 1969, pm = 12, pd = 31;
    for (uint32_t day = 0; day < 230u * 366u; day++) {
        for (uint32_t m = day * 1440; m <= day * 1440 + 1439; m += 1439) {
            char text[TIMEFMT_LEN], want[TIMEFMT_LEN];
            int y, mo, d;
            timefmt_minute(m, text);
            assert_int_equal(minute_of(text), m);
            timefmt_ymd(m, &y, &mo, &d);
            snprintf(want, sizeof want, "%04d-%02d-%02dT%02u:%02u:00Z", y, mo,
                     d, (m % 1440) / 60, m % 60);
            assert_string_equal(text, want);
        }
        int y, m, d;
        timefmt_ymd(day * 1440, &y, &m, &d);
        int leap = (py % 4 == 0 && py % 100 != 0) || py % 400 == 0;
        int last = mdays[pm - 1] + (pm == 2 && leap);
        if (pd < last)
            assert_true(y == py && m == pm && d == pd + 1);
        else if (pm < 12)
            assert_true(y == py && m == pm + 1 && d == 1);
        else
            assert_true(y == py + 1 && m == 1 && d == 1);
        py = y, pm = m, pd = d;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepted_forms),
        cmocka_unit_test(test_parse_rejected),
        cmocka_unit_test(test_parse_feb29_non_leap_year),
        cmocka_unit_test(test_minute_text),
        cmocka_unit_test(test_ymd),
        cmocka_unit_test(test_parse_minute),
        cmocka_unit_test(test_round_trip_every_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
