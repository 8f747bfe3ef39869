/*
 * timefmt — CloudTrail times to and from minutes since 1970 (UTC).
 * Pure and thread-safe.
 */
#ifndef CTI_TIMEFMT_H
#define CTI_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_LEN 40

/* Parse YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM] (no zone means
 * UTC).  Returns 0 and seconds since 1970 in *out, or -1 when s is in no
 * such form, names an impossible date, or is before 1970. */
int timefmt_parse(const char *s, int64_t *out);
/* The same for s[0..len), which need not be NUL-terminated (and holds no
 * NUL). */
int timefmt_parse_n(const char *s, size_t len, int64_t *out);
/* Parse YYYY-MM-DDTHH:MM[:SS]Z (UTC only, no fraction) into minutes since
 * 1970 in *out; seconds round up to the next minute.  Returns 0, -1 when s
 * is in no such form or names an impossible date, -2 when it is before
 * 1970. */
int timefmt_parse_minute(const char *s, int64_t *out);
/* Exactly n decimal digits at s into *out: 0, or -1 when one is not a
 * digit. */
int timefmt_digits(const char *s, int n, int *out);
/* Write minute as "YYYY-MM-DDTHH:MM:00Z" into out. */
void timefmt_minute(uint32_t minute, char out[TIMEFMT_LEN]);
/* The UTC calendar date of minute. */
void timefmt_ymd(uint32_t minute, int *y, int *m, int *d);

#endif
