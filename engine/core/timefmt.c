#include "timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int timefmt_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : n[m - 1];
}

int timefmt_parse(const char *s, int64_t *out)
{
    return timefmt_parse_n(s, strlen(s), out);
}

int timefmt_parse_n(const char *s, size_t len, int64_t *out)
{
    int Y, M, D, h, m, sec;
    if (len < 19 || timefmt_digits(s, 4, &Y) || s[4] != '-' ||
        timefmt_digits(s + 5, 2, &M) || s[7] != '-' ||
        timefmt_digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') ||
        timefmt_digits(s + 11, 2, &h) || s[13] != ':' ||
        timefmt_digits(s + 14, 2, &m) || s[16] != ':' ||
        timefmt_digits(s + 17, 2, &sec))
        return -1;
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) ||
        h > 23 || m > 59 || sec > 60)
        return -1;
    const char *p = s + 19, *end = s + len;
    if (p < end && *p == '.') {
        p++;
        if (p == end || !isdigit((unsigned char)*p))
            return -1;
        while (p < end && isdigit((unsigned char)*p))
            p++;
    }
    int64_t offset = 0;
    if (p < end && *p == 'Z') {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int oh, om;
        if (end - p < 6 || timefmt_digits(p + 1, 2, &oh) || p[3] != ':' ||
            timefmt_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
        p += 6;
    }
    if (p != end)
        return -1;
    *out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - offset;
    return *out < 0 ? -1 : 0;
}

int timefmt_parse_minute(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0;
    const char *p = s + 16;

    if (strlen(s) < 17 || timefmt_digits(s, 4, &y) || s[4] != '-' ||
        timefmt_digits(s + 5, 2, &mo) || s[7] != '-' ||
        timefmt_digits(s + 8, 2, &d) || s[10] != 'T' ||
        timefmt_digits(s + 11, 2, &h) || s[13] != ':' ||
        timefmt_digits(s + 14, 2, &mi))
        return -1;
    if (*p == ':') {
        if (timefmt_digits(p + 1, 2, &sec))
            return -1;
        p += 3;
    }
    if (strcmp(p, "Z") != 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
        return -1;
    if (d > days_in_month(y, mo))
        return -1;
    if (y < 1970)
        return -2;
    *out = days_from_civil(y, mo, d) * 1440 + h * 60 + mi + (sec > 0);
    return 0;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void timefmt_minute(uint32_t minute, char out[TIMEFMT_LEN])
{
    int y, mo, d;
    civil_from_days(minute / 1440, &y, &mo, &d);
    unsigned mod = minute % 1440;
    snprintf(out, TIMEFMT_LEN, "%04d-%02d-%02dT%02u:%02u:00Z", y, mo, d,
             mod / 60, mod % 60);
}

void timefmt_ymd(uint32_t minute, int *y, int *m, int *d)
{
    civil_from_days(minute / 1440, y, m, d);
}
