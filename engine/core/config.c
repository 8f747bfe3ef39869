/*
 * config — typed settings: compiled-in defaults plus a YAML override file.
 *
 * One table (rows[] below) drives every scalar setting: config_defaults
 * parses each row's default string with the same code that parses values
 * from a file, so a default can never disagree with what the file syntax
 * would give, and the loader finds keys, types and ranges in the same table.
 * The scalar settings of an override use the same machinery with their own
 * small table (override_rows[]).  config/ctinsights.yaml lists every row
 * and section; keep the two in step (tests/unit/test_config.c checks).
 *
 * The loader walks the libyaml event stream (yaml_parser_parse) by recursive
 * descent over a fixed grammar:
 *
 *   stream     := nothing | one document
 *   document   := null | mapping of section -> body
 *   body       := null | mapping of key -> scalar   (baseline, detector,
 *                                                    gaps, input, sources,
 *                                                    output)
 *   categories := null | mapping of service_limit_codes -> codes
 *   codes      := null | sequence of non-empty scalar
 *   ignore     := null | sequence of match
 *   overrides  := null | sequence of override
 *   override   := mapping of match -> match and setting -> scalar
 *                 (match required, at least one setting)
 *   suppress   := null | sequence of rule
 *   rule       := mapping of condition -> value (at least one condition;
 *                 match -> match, weekdays -> sequence of day, the rest
 *                 scalars)
 *   sinks      := null | sequence of sink
 *   sink       := mapping of type -> name, match -> match, argv ->
 *                 sequence of non-empty scalar, and setting -> scalar
 *                 (type required; sink_rows[] say which settings a type
 *                 takes and their defaults)
 *   match      := mapping of field -> glob (at least one field)
 *
 * A list (ignore, overrides, suppress, sinks, service_limit_codes) given in a file
 * replaces the one c had; scalars override one by one.
 *
 * The context owns exactly one libyaml event at a time: next() deletes the
 * previous event before parsing the following one, and the single cleanup in
 * config_load_string deletes the last one and the parser, so no path leaks.
 * A rule being parsed is owned by its parser function until it is appended
 * to c, and freed on that function's one exit path otherwise.
 * Anything outside the grammar is an error naming "file:line", where line is
 * event.start_mark.line + 1 (libyaml counts from zero).
 *
 * Numbers are parsed with strtol/strtod, which follow LC_NUMERIC; the engine
 * never calls setlocale, so the decimal separator is '.'.
 *
 * libyaml allocates through its own malloc; everything this file allocates
 * goes through xalloc.
 */
#include "config.h"

#include "xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Nesting limit for collections.  The grammar above never goes deeper than
 * four (document mapping > suppress sequence > rule mapping > match mapping
 * or weekdays sequence), and anything unexpected is an error at its first
 * event, so this is a backstop should the grammar grow. */
#define MAX_DEPTH 32

/* Config files are a few kilobytes; refuse anything absurd before parsing. */
#define MAX_FILE_BYTES (1024 * 1024)

/* Longest key we need to compare; longer keys are unknown by definition. */
#define KEY_MAX 64

#define KIB 1024.0
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * 1024.0 * 1024.0)

#define MINUTES_PER_DAY 1440

/* T_STRING is an owned char * (non-empty); T_ENUM an int, the index of
 * the value in the row's choices; T_ARGV a NULL-terminated char ** given
 * as a sequence (sinks only). */
enum type { T_INT, T_DOUBLE, T_BOOL, T_SIZE, T_STRING, T_ENUM, T_ARGV };

/* One setting.  min/max are inclusive and unused for T_BOOL, T_STRING,
 * T_ENUM and T_ARGV. */
struct row {
    enum type type;
    const char *key;  /* "section.name" */
    const char *def;  /* default, in the syntax a YAML file would use */
    size_t off;       /* offsetof(struct config, field) */
    double min, max;
    const char *doc;  /* one line; config/ctinsights.yaml says the same */
    const char *const *choices; /* T_ENUM: NULL-terminated values */
};

#define OFF(f) offsetof(struct config, f)

static const struct row rows[] = {
    {T_INT, "baseline.window_days", "28", OFF(window_days), 1, 365,
     "trailing days of history the baseline uses (recomputed each UTC day)", NULL},
    {T_INT, "baseline.min_history_days", "7", OFF(min_history_days), 1, 365,
     "days of history in the account/region before a key may raise anything", NULL},
    {T_DOUBLE, "detector.sensitivity", "5", OFF(sensitivity), 1, 10,
     "how eager to raise Insights: 1 quiet ... 10 eager; 5 expects about 0.1 "
     "false alarm per account-region-week under the model", NULL},
    {T_BOOL, "detector.seasonality", "true", OFF(seasonality), 0, 0,
     "expect each hour of the day separately for weekdays and weekends", NULL},
    {T_DOUBLE, "detector.alpha_start", "0", OFF(alpha_start), 0, 0.5,
     "tail probability at or below which a minute is unusual; 0 (the "
     "default) derives it from detector.sensitivity and the number of keys", NULL},
    {T_DOUBLE, "detector.alpha_end", "1e-3", OFF(alpha_end), 1e-15, 0.5,
     "a minute whose tail probability is above this counts as normal again", NULL},
    {T_INT, "detector.min_count", "5", OFF(min_count), 1, 1000000,
     "calls (or errors) in one minute below which no Insight starts", NULL},
    {T_DOUBLE, "detector.min_ratio", "3.0", OFF(min_ratio), 1, 1e9,
     "observed/expected ratio below which no Insight starts", NULL},
    {T_INT, "detector.end_after_minutes", "5", OFF(end_after_minutes), 1, 1440,
     "consecutive normal minutes that end an Insight", NULL},
    {T_BOOL, "detector.call_rate", "true", OFF(call_rate), 0, 0,
     "raise ApiCallRateInsight", NULL},
    {T_BOOL, "detector.error_rate", "true", OFF(error_rate), 0, 0,
     "raise ApiErrorRateInsight", NULL},
    {T_BOOL, "gaps.enabled", "true", OFF(gaps), 0, 0,
     "raise maintenance-gap Insights when a periodic job's run does not come", NULL},
    {T_INT, "gaps.min_runs", "4", OFF(gap_min_runs), 2, 1000,
     "regular runs seen before a key counts as periodic", NULL},
    {T_INT, "gaps.min_period_minutes", "5", OFF(gap_min_period), 1, 10080,
     "shorter periods are not treated as jobs", NULL},
    {T_INT, "gaps.max_period_minutes", "10080", OFF(gap_max_period), 1, 44640,
     "longest period learned (10080 = weekly)", NULL},
    {T_SIZE, "input.max_record_bytes", "1M", OFF(max_record_bytes), KIB, GIB,
     "larger records are skipped and reported", NULL},
    {T_INT, "input.max_depth", "64", OFF(max_depth), 4, 1024,
     "JSON nesting limit", NULL},
    {T_BOOL, "input.infer_missing", "false", OFF(infer_missing), 0, 0,
     "classify records lacking managementEvent/eventCategory/readOnly by "
     "eventType and eventName", NULL},
    {T_INT, "sources.file_rotate_wait_ms", "5000", OFF(file_rotate_wait_ms),
     0, 3600000,
     "keep reading a rotated or deleted followed file until it has not "
     "grown for this long", NULL},
    {T_BOOL, "sources.dir_watch", "true", OFF(dir_watch), 0, 0,
     "watch folders with inotify; false polls them every dir_rescan_ms", NULL},
    {T_INT, "sources.dir_settle_ms", "2000", OFF(dir_settle_ms), 0, 3600000,
     "a file found by a scan is complete once its size and mtime have not "
     "changed for this long", NULL},
    {T_INT, "sources.dir_incomplete_ms", "60000", OFF(dir_incomplete_ms), 0,
     86400000,
     "a file still open for writing, or a gzip cut off, is read anyway once "
     "unchanged for this long", NULL},
    {T_INT, "sources.dir_rescan_ms", "10000", OFF(dir_rescan_ms), 100,
     86400000, "how often a folder is rescanned when it is polled", NULL},
    {T_SIZE, "sources.max_unit_bytes", "256M", OFF(max_unit_bytes), KIB, GIB,
     "largest line, folder file or decoded HTTP body (after inflating)", NULL},
    {T_SIZE, "sources.http_max_body_bytes", "16M", OFF(http_max_body), KIB,
     GIB, "largest HTTP request body (answered 413)", NULL},
    {T_INT, "sources.http_timeout_seconds", "30", OFF(http_timeout), 1, 3600,
     "a request must arrive whole within this; slower clients are cut off", NULL},
    {T_INT, "sources.http_max_connections", "64", OFF(http_max_conn), 1,
     100000, "open HTTP connections at most", NULL},
    {T_INT, "sources.http_max_connections_per_ip", "16",
     OFF(http_max_conn_ip), 0, 100000,
     "open HTTP connections from one address at most (0 = no limit)", NULL},
    {T_INT, "output.precision", "6", OFF(precision), 1, 17,
     "significant digits of averages in Insight records", NULL},
    {T_SIZE, "state.max_bytes", "0", OFF(state_max_bytes), 0, 1024.0 * GIB,
     "the state file may not grow beyond this (0: no limit); when full, saving "
     "fails and is tried again later", NULL},
    {T_INT, "tail.min_lateness_minutes", "2", OFF(tail_min_lateness), 0, 240,
     "an account/region's minute is decided once events this much newer have "
     "come at least, or longer when its events have been seen to come later", NULL},
    {T_INT, "tail.max_lateness_minutes", "60", OFF(tail_max_lateness), 1, 240,
     "the longest a minute is held open for late events; events later than the "
     "watermark are counted into the baselines but not judged", NULL},
    {T_INT, "tail.checkpoint_seconds", "10", OFF(tail_checkpoint_seconds), 1, 3600,
     "the state is saved at least this often while input comes (and at once "
     "when an Insight is decided)", NULL},
    {T_INT, "score.reorder_minutes", "60", OFF(score_reorder_minutes), 0, 10080,
     "records up to this much older than the newest of their account/region "
     "are put in order in memory; input more out of order is read again, sorted", NULL},
    {T_DOUBLE, "alerting.drain_seconds", "60", OFF(drain_seconds), 0, 86400,
     "score --alert waits at most this long for the sinks to accept alerts",
     NULL},
};

#define NROWS (sizeof rows / sizeof rows[0])

/* Settings of one override; a setting left out stays -1.  def is unused. */
#define OOFF(f) offsetof(struct config_override, f)

static const struct row override_rows[] = {
    {T_DOUBLE, "overrides.sensitivity", NULL, OOFF(sensitivity), 1, 10,
     "detector.sensitivity for the matching keys", NULL},
    {T_INT, "overrides.min_count", NULL, OOFF(min_count), 1, 1000000,
     "detector.min_count for the matching keys", NULL},
    {T_INT, "overrides.min_history_days", NULL, OOFF(min_history_days), 1,
     365, "baseline.min_history_days for the matching keys", NULL},
    {T_BOOL, "overrides.gaps", NULL, OOFF(gaps), 0, 0,
     "gaps.enabled for the matching keys", NULL},
};

#define NOVERRIDE_ROWS (sizeof override_rows / sizeof override_rows[0])

/* Sink types, as engine/alert/alert.c registers them (tests/unit/test_alert.c
 * checks the two agree). */
static const char *const sink_types[] = {
    "alertmanager", "pagerduty", "slack", "webhook", "exec", "eventbridge",
};

#define NSINK_TYPES (sizeof sink_types / sizeof sink_types[0])
#define SINK_TYPE_LIST \
    "alertmanager, pagerduty, slack, webhook, exec, eventbridge"

static const char *const group_choices[] = {"none", "account", "principal",
                                            NULL};

/* Settings of a sink: the types that take the row (NULL = every type) and
 * the row; a default applies to those types when the item leaves the key
 * out.  type, name and match are parsed apart. */
#define SOFF(f) offsetof(struct config_sink, f)
#define PAGERS "alertmanager pagerduty slack"
#define RECORDS "webhook exec eventbridge"

static const struct sink_row {
    const char *types;
    struct row row;
} sink_rows[] = {
    {NULL, {T_STRING, "sinks.name", NULL, SOFF(name), 0, 0,
            "names the sink in messages and in the outbox (default: its "
            "type, then type-2, type-3 ...)", NULL}},
    {NULL, {T_STRING, "sinks.category", NULL, SOFF(category), 0, 0,
            "glob on the Insight's category", NULL}},
    {NULL, {T_DOUBLE, "sinks.min_score", "0", SOFF(min_score), 0, 1e6,
            "alert only Insights whose Start scores at least this", NULL}},
    {"alertmanager webhook", {T_STRING, "sinks.url", NULL, SOFF(url), 0, 0,
            "where to send (http:// or https://)", NULL}},
    {"pagerduty", {T_STRING, "sinks.url",
            "https://events.pagerduty.com/v2/enqueue", SOFF(url), 0, 0,
            "Events API v2 endpoint", NULL}},
    {"slack", {T_STRING, "sinks.url", NULL, SOFF(url), 0, 0,
            "the incoming webhook URL (prefer url_env or url_file)", NULL}},
    {"slack", {T_STRING, "sinks.url_env", NULL, SOFF(url_env), 0, 0,
            "environment variable holding the webhook URL", NULL}},
    {"slack", {T_STRING, "sinks.url_file", NULL, SOFF(url_file), 0, 0,
            "file holding the webhook URL", NULL}},
    {"pagerduty", {T_STRING, "sinks.routing_key_env", NULL, SOFF(secret_env),
            0, 0, "environment variable holding the routing key", NULL}},
    {"pagerduty", {T_STRING, "sinks.routing_key_file", NULL,
            SOFF(secret_file), 0, 0, "file holding the routing key", NULL}},
    {"webhook", {T_STRING, "sinks.secret_env", NULL, SOFF(secret_env), 0, 0,
            "environment variable holding the signing secret", NULL}},
    {"webhook", {T_STRING, "sinks.secret_file", NULL, SOFF(secret_file), 0, 0,
            "file holding the signing secret", NULL}},
    {"pagerduty", {T_STRING, "sinks.source", "ctinsights", SOFF(source), 0, 0,
            "payload.source of the events", NULL}},
    {"exec", {T_ARGV, "sinks.argv", NULL, SOFF(argv), 0, 0,
            "program and arguments, run without a shell", NULL}},
    {"eventbridge", {T_STRING, "sinks.path", "-", SOFF(path), 0, 0,
            "file the envelopes are appended to; - is standard output",
            NULL}},
    {NULL, {T_DOUBLE, "sinks.timeout", "10", SOFF(timeout), 0.1, 600,
            "seconds one delivery may take", NULL}},
    {"alertmanager", {T_DOUBLE, "sinks.resend_interval", "60",
            SOFF(resend_interval), 1, 86400,
            "seconds between re-sends of a firing alert", NULL}},
    {PAGERS, {T_ENUM, "sinks.group_by", "principal", SOFF(group_by), 0, 0,
            "Insights of one principal (or account) share a page",
            group_choices}},
    {PAGERS, {T_DOUBLE, "sinks.group_window", "600", SOFF(group_window), 0,
            86400, "seconds between the first and the last Start of a page",
            NULL}},
    {PAGERS, {T_DOUBLE, "sinks.rate_per_minute", "30",
            SOFF(rate_per_minute), 0.01, 60000,
            "deliveries per minute, sustained", NULL}},
    {RECORDS, {T_DOUBLE, "sinks.rate_per_minute", "600",
            SOFF(rate_per_minute), 0.01, 60000,
            "deliveries per minute, sustained", NULL}},
    {PAGERS, {T_INT, "sinks.burst", "10", SOFF(burst), 1, 10000,
            "deliveries at once before the rate applies", NULL}},
    {RECORDS, {T_INT, "sinks.burst", "100", SOFF(burst), 1, 10000,
            "deliveries at once before the rate applies", NULL}},
    {NULL, {T_DOUBLE, "sinks.retry_initial", "1", SOFF(retry_initial), 0.01,
            3600, "seconds before the first retry", NULL}},
    {NULL, {T_DOUBLE, "sinks.retry_max", "300", SOFF(retry_max), 0.01, 86400,
            "longest wait between retries", NULL}},
    {NULL, {T_DOUBLE, "sinks.give_up_after", "86400", SOFF(give_up_after), 1,
            31 * 86400.0, "seconds after which an alert still not accepted "
            "fails", NULL}},
};

#define NSINK_ROWS (sizeof sink_rows / sizeof sink_rows[0])

struct ctx;

static int parse_section(struct ctx *x, int sec);
static int parse_categories(struct ctx *x, int sec);
static int parse_ignore(struct ctx *x, int sec);
static int parse_overrides(struct ctx *x, int sec);
static int parse_suppress(struct ctx *x, int sec);
static int parse_sinks(struct ctx *x, int sec);

/* Top-level sections and the parser of each one's body.  Sections parsed
 * by parse_section hold rows of the same prefix. */
static const struct {
    const char *name;
    int (*parse)(struct ctx *x, int sec);
} sections[] = {
    {"baseline", parse_section},     {"detector", parse_section},
    {"gaps", parse_section},         {"categories", parse_categories},
    {"input", parse_section},        {"sources", parse_section},
    {"output", parse_section},       {"score", parse_section},
    {"state", parse_section},        {"tail", parse_section},
    {"ignore", parse_ignore},        {"overrides", parse_overrides},
    {"suppress", parse_suppress},    {"alerting", parse_section},
    {"sinks", parse_sinks},
};

#define NSECTIONS (sizeof sections / sizeof sections[0])
#define SECTION_LIST                                                      \
    "baseline, detector, gaps, categories, input, sources, output, "      \
    "score, state, tail, ignore, overrides, suppress, alerting, sinks"

/* Fields of a match (an ignore rule, match: of an override or suppress
 * rule). */
static const struct {
    const char *name;
    size_t off; /* offsetof(struct config_ignore, field) */
} fields[] = {
    {"account", offsetof(struct config_ignore, account)},
    {"region", offsetof(struct config_ignore, region)},
    {"event_source", offsetof(struct config_ignore, event_source)},
    {"event_name", offsetof(struct config_ignore, event_name)},
    {"error_code", offsetof(struct config_ignore, error_code)},
    {"insight_type", offsetof(struct config_ignore, insight_type)},
};

#define NFIELDS (sizeof fields / sizeof fields[0])
#define FIELD_LIST \
    "account, region, event_source, event_name, error_code, insight_type"

/* Conditions of a suppress rule. */
enum cond { S_MATCH, S_PRINCIPAL, S_CATEGORY, S_FROM, S_UNTIL, S_DAILY,
            S_WEEKDAYS, NCONDS };

static const char *const conds[NCONDS] = {
    "match", "principal", "category", "from", "until", "daily", "weekdays",
};

#define COND_LIST "match, principal, category, from, until, daily, weekdays"

/* Days of suppress.weekdays; bit i of the mask is days[i]. */
static const char *const days[] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

#define NDAYS (sizeof days / sizeof days[0])

/* A parsed value, before it is stored. */
union value {
    long i;
    double d;
    int b;
    size_t z;
    const char *s; /* borrowed; store copies it */
};

/* Outcome of parsing one scalar for a row. */
enum parse { P_OK, P_BAD_TYPE, P_RANGE };

/* One load: parser, current event, where each key was first seen. */
struct ctx {
    yaml_parser_t parser;
    int parser_ok;        /* yaml_parser_initialize succeeded */
    yaml_event_t ev;      /* the current event, owned while have_ev */
    int have_ev;
    int depth;            /* open collections */
    int failed;           /* err holds a message; keep the first */
    const char *name;     /* for messages */
    const unsigned char *input;
    size_t len;
    struct config *c;
    char *err;
    size_t errlen;
    size_t row_line[NROWS];         /* 0 = not given in this file */
    size_t section_line[NSECTIONS]; /* 0 = not given in this file */
};

/* ---- messages ---------------------------------------------------------- */

/* Write "name:line: msg" (or "name: msg" when line is 0) into err.
 * err may be NULL or errlen 0; the result is always NUL-terminated. */
static void vmessage(char *err, size_t errlen, const char *name, size_t line,
                     const char *fmt, va_list ap)
{
    int n;

    if (!err || errlen == 0)
        return;
    if (line > 0)
        n = snprintf(err, errlen, "%s:%zu: ", name, line);
    else
        n = snprintf(err, errlen, "%s: ", name);
    if (n < 0 || (size_t)n >= errlen)
        return;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 5, 6)))
static void message(char *err, size_t errlen, const char *name, size_t line,
                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(err, errlen, name, line, fmt, ap);
    va_end(ap);
}

/* Record the first error of a load.  Always returns -1 so that callers can
 * write "return fail(...)". */
__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *x, size_t line, const char *fmt, ...)
{
    va_list ap;

    if (x->failed)
        return -1;
    x->failed = 1;
    va_start(ap, fmt);
    vmessage(x->err, x->errlen, x->name, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- table lookups ----------------------------------------------------- */

/* Index of the row "section.key" in table t of n rows, or -1. */
static int find_row(const struct row *t, size_t n, const char *section,
                    const char *key)
{
    size_t slen = strlen(section);

    for (size_t i = 0; i < n; i++) {
        const char *k = t[i].key;
        if (strncmp(k, section, slen) == 0 && k[slen] == '.' &&
            strcmp(k + slen + 1, key) == 0)
            return (int)i;
    }
    return -1;
}

/* Index of the row with the full dotted key, or -1. */
static int find_dotted(const char *dotted)
{
    for (size_t i = 0; i < NROWS; i++) {
        if (strcmp(rows[i].key, dotted) == 0)
            return (int)i;
    }
    return -1;
}

static int find_section(const char *name)
{
    for (size_t i = 0; i < NSECTIONS; i++) {
        if (strcmp(sections[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

static int find_field(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        if (strcmp(fields[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

static char **field_slot(struct config_ignore *r, size_t i)
{
    return (char **)((char *)r + fields[i].off);
}

static int find_cond(const char *name)
{
    for (size_t i = 0; i < NCONDS; i++) {
        if (strcmp(conds[i], name) == 0)
            return (int)i;
    }
    return -1;
}

/* Index of the day named s (any case), or -1. */
static int find_day(const char *s)
{
    for (size_t i = 0; i < NDAYS; i++) {
        if (strcasecmp(days[i], s) == 0)
            return (int)i;
    }
    return -1;
}

/* "window_days, min_history_days" for section of table t into buf,
 * after what buf already holds. */
static void section_keys(const struct row *t, size_t nt, const char *section,
                         char *buf, size_t n)
{
    size_t slen = strlen(section);
    size_t used = strlen(buf);

    for (size_t i = 0; i < nt && used < n; i++) {
        const char *k = t[i].key;
        if (strncmp(k, section, slen) != 0 || k[slen] != '.')
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                         k + slen + 1);
        if (w < 0)
            return;
        used += (size_t)w;
    }
}

/* ---- scalar parsing ---------------------------------------------------- */

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Optional sign then decimal digits only. */
static enum parse parse_int(const char *s, long *out)
{
    const char *p = s;

    if (*p == '+' || *p == '-')
        p++;
    if (!*p)
        return P_BAD_TYPE;
    for (; *p; p++) {
        if (!is_digit(*p))
            return P_BAD_TYPE;
    }
    errno = 0;
    *out = strtol(s, NULL, 10);
    if (errno == ERANGE)
        return P_RANGE;
    return P_OK;
}

/* YAML-style decimal float: [+-] digits [. digits] [e [+-] digits], at
 * least one mantissa digit.  Rejects hex, inf and nan, which strtod would
 * take. */
static enum parse parse_double(const char *s, double *out)
{
    const char *p = s;
    int digits = 0;
    char *end;

    if (*p == '+' || *p == '-')
        p++;
    for (; is_digit(*p); p++)
        digits++;
    if (*p == '.') {
        for (p++; is_digit(*p); p++)
            digits++;
    }
    if (digits == 0)
        return P_BAD_TYPE;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return P_BAD_TYPE;
        while (is_digit(*p))
            p++;
    }
    if (*p)
        return P_BAD_TYPE;
    errno = 0;
    *out = strtod(s, &end);
    if (end != p)
        return P_BAD_TYPE; /* a locale with another decimal separator */
    if (!isfinite(*out))
        return P_RANGE;
    return P_OK;
}

static enum parse parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return P_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return P_OK;
        }
    }
    return P_BAD_TYPE;
}

/* Decimal digits, then optionally one of k/K (KiB), M (MiB), G (GiB).
 * No sign: strtoull would accept "-1" as a huge number. */
static enum parse parse_size(const char *s, unsigned long long *out)
{
    unsigned long long v, mul = 1;
    char *end;

    if (!is_digit(*s))
        return P_BAD_TYPE;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return P_RANGE;
    if (*end == 'k' || *end == 'K')
        mul = 1024ULL;
    else if (*end == 'M')
        mul = 1024ULL * 1024;
    else if (*end == 'G')
        mul = 1024ULL * 1024 * 1024;
    if (mul != 1)
        end++;
    if (*end)
        return P_BAD_TYPE;
    if (v > (unsigned long long)-1 / mul)
        return P_RANGE;
    *out = v * mul;
    return P_OK;
}

/* Parse s as row r's type and check its range. */
static enum parse parse_value(const struct row *r, const char *s,
                              union value *v)
{
    enum parse p;
    unsigned long long z = 0;

    switch (r->type) {
    case T_INT:
        p = parse_int(s, &v->i);
        if (p == P_OK && ((double)v->i < r->min || (double)v->i > r->max))
            p = P_RANGE;
        return p;
    case T_DOUBLE:
        p = parse_double(s, &v->d);
        if (p == P_OK && (v->d < r->min || v->d > r->max))
            p = P_RANGE;
        return p;
    case T_BOOL:
        return parse_bool(s, &v->b);
    case T_SIZE:
        p = parse_size(s, &z);
        if (p == P_OK && ((double)z < r->min || (double)z > r->max))
            p = P_RANGE;
        v->z = (size_t)z; /* within max, so it fits */
        return p;
    case T_STRING:
        v->s = s;
        return *s ? P_OK : P_BAD_TYPE;
    case T_ENUM:
        for (long i = 0; r->choices[i]; i++) {
            if (strcmp(r->choices[i], s) == 0) {
                v->i = i;
                return P_OK;
            }
        }
        return P_BAD_TYPE;
    case T_ARGV:
        break; /* a sequence, read by read_argv */
    }
    return P_BAD_TYPE;
}

/* Store v in row r's field of base (a struct config, a struct
 * config_override for override_rows, a struct config_sink for sink_rows).
 * A string is copied, replacing (and freeing) the one the field held. */
static void store(void *base, const struct row *r, const union value *v)
{
    char *field = (char *)base + r->off;

    switch (r->type) {
    case T_INT:
    case T_ENUM:
        *(int *)(void *)field = (int)v->i;
        break;
    case T_STRING:
        xfree(*(char **)(void *)field);
        *(char **)(void *)field = xstrdup(v->s);
        break;
    case T_ARGV:
        break;
    case T_DOUBLE:
        *(double *)(void *)field = v->d;
        break;
    case T_BOOL:
        *(int *)(void *)field = v->b;
        break;
    case T_SIZE:
        *(size_t *)(void *)field = v->z;
        break;
    }
}

/* Set every number of table t (n rows) in base to -1: not given.
 * Strings and argument vectors stay NULL. */
static void store_unset(void *base, const struct row *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        union value v;

        switch (t[i].type) {
        case T_STRING:
        case T_ARGV:
            continue;
        case T_INT:
        case T_ENUM:
            v.i = -1;
            break;
        case T_DOUBLE:
            v.d = -1.0;
            break;
        case T_BOOL:
            v.b = -1;
            break;
        case T_SIZE:
            v.z = (size_t)-1;
            break;
        }
        store(base, &t[i], &v);
    }
}

/* Exactly n decimal digits at s into *out. */
static int fixed_digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil); m 1..12, d 1..31, y >= 0. */
static long long days_from_civil(int y, int m, int d)
{
    int yy = m <= 2 ? y - 1 : y;
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400;                          /* 0..399 */
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */

    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : n[m - 1];
}

/* "YYYY-MM-DDTHH:MM[:SS]Z" (UTC, year 1970 or later) into minutes since
 * 1970.  Seconds round up to the next minute: Insights start on whole
 * minutes, so "start >= t" and "start < t" keep their meaning. */
static enum parse parse_timestamp(const char *s, long long *out)
{
    int y, mo, d, h, mi, sec = 0;
    const char *p = s + 16;

    if (strlen(s) < 17 || fixed_digits(s, 4, &y) || s[4] != '-' ||
        fixed_digits(s + 5, 2, &mo) || s[7] != '-' ||
        fixed_digits(s + 8, 2, &d) || s[10] != 'T' ||
        fixed_digits(s + 11, 2, &h) || s[13] != ':' ||
        fixed_digits(s + 14, 2, &mi))
        return P_BAD_TYPE;
    if (*p == ':') {
        if (fixed_digits(p + 1, 2, &sec))
            return P_BAD_TYPE;
        p += 3;
    }
    if (strcmp(p, "Z") != 0)
        return P_BAD_TYPE;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
        return P_BAD_TYPE;
    if (d > days_in_month(y, mo))
        return P_BAD_TYPE;
    if (y < 1970)
        return P_RANGE;
    *out = days_from_civil(y, mo, d) * MINUTES_PER_DAY + h * 60 + mi +
           (sec > 0);
    return P_OK;
}

/* "HH:MM" at *p into minutes of the day; max_hour 24 allows "24:00". */
static int parse_clock(const char **p, int max_hour, int *out)
{
    int h, m;

    if (fixed_digits(*p, 2, &h) || (*p)[2] != ':' ||
        fixed_digits(*p + 3, 2, &m) || m > 59 || h > max_hour ||
        (h == 24 && m != 0))
        return -1;
    *p += 5;
    *out = h * 60 + m;
    return 0;
}

/* "HH:MM-HH:MM" (spaces allowed around '-'): from in 00:00..23:59, to in
 * 00:00..24:00 and different from from; to < from wraps midnight. */
static enum parse parse_daily(const char *s, int *from, int *to)
{
    const char *p = s;

    if (parse_clock(&p, 23, from))
        return P_BAD_TYPE;
    while (*p == ' ')
        p++;
    if (*p++ != '-')
        return P_BAD_TYPE;
    while (*p == ' ')
        p++;
    if (parse_clock(&p, 24, to) || *p)
        return P_BAD_TYPE;
    if (*from == *to)
        return P_RANGE;
    return P_OK;
}

/* A byte count in the largest unit that divides it: "1G", "512K", "1000". */
static void size_text(double bytes, char *buf, size_t n)
{
    unsigned long long b = (unsigned long long)bytes;

    if (b && b % (unsigned long long)GIB == 0)
        snprintf(buf, n, "%lluG", b / (unsigned long long)GIB);
    else if (b && b % (unsigned long long)MIB == 0)
        snprintf(buf, n, "%lluM", b / (unsigned long long)MIB);
    else if (b && b % (unsigned long long)KIB == 0)
        snprintf(buf, n, "%lluK", b / (unsigned long long)KIB);
    else
        snprintf(buf, n, "%llu", b);
}

/* "an integer in 1..365" and the like, for messages. */
static void expected_text(const struct row *r, char *buf, size_t n)
{
    char lo[32], hi[32];

    switch (r->type) {
    case T_INT:
        snprintf(buf, n, "an integer in %.0f..%.0f", r->min, r->max);
        break;
    case T_DOUBLE:
        snprintf(buf, n, "a number in %g..%g", r->min, r->max);
        break;
    case T_BOOL:
        snprintf(buf, n, "true/false, yes/no or on/off");
        break;
    case T_SIZE:
        size_text(r->min, lo, sizeof lo);
        size_text(r->max, hi, sizeof hi);
        snprintf(buf, n, "a size in %s..%s (bytes, or a number with suffix "
                 "k, M or G)", lo, hi);
        break;
    case T_STRING:
        snprintf(buf, n, "a non-empty string");
        break;
    case T_ENUM: {
        size_t used = (size_t)snprintf(buf, n, "one of");
        for (size_t i = 0; r->choices[i] && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, "%s %s",
                                     i ? "," : "", r->choices[i]);
        break;
    }
    case T_ARGV:
        snprintf(buf, n, "a sequence of arguments such as [/usr/bin/logger, "
                 "-t, ctinsights]");
        break;
    }
}

/* ---- events ------------------------------------------------------------ */

static size_t line(const struct ctx *x)
{
    return x->ev.start_mark.line + 1;
}

static int is_null(const yaml_event_t *ev)
{
    const char *s;

    if (ev->type != YAML_SCALAR_EVENT ||
        ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)ev->data.scalar.value;
    return ev->data.scalar.length == 0 || strcmp(s, "~") == 0 ||
           strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

/* What the current event starts, for messages. */
static const char *kind(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_MAPPING_START_EVENT:
        return "a mapping";
    case YAML_SEQUENCE_START_EVENT:
        return "a sequence";
    case YAML_SCALAR_EVENT:
        return is_null(ev) ? "an empty value" : "a scalar";
    default:
        return "something else";
    }
}

/* 1-based line of byte offset off in the input. */
static size_t line_of_offset(const struct ctx *x, size_t off)
{
    size_t n = 1;

    for (size_t i = 0; i < off && i < x->len; i++) {
        if (x->input[i] == '\n')
            n++;
    }
    return n;
}

/* Turn the parser's error state into a message. */
static int syntax_error(struct ctx *x)
{
    const yaml_parser_t *p = &x->parser;
    const char *problem = p->problem ? p->problem : "unknown problem";

    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return fail(x, 0, "out of memory while parsing YAML");
    case YAML_READER_ERROR:
        return fail(x, line_of_offset(x, p->problem_offset),
                    "cannot read YAML text: %s at byte %zu; the file must be "
                    "UTF-8", problem, p->problem_offset);
    default:
        if (p->context)
            return fail(x, p->problem_mark.line + 1,
                        "yaml syntax error: %s (%s on line %zu)", problem,
                        p->context, p->context_mark.line + 1);
        return fail(x, p->problem_mark.line + 1, "yaml syntax error: %s",
                    problem);
    }
}

/* Replace the current event with the next one.  Returns 0, or -1 with the
 * message set: after a syntax error there is no current event; after an
 * alias or too deep a nesting the offending event is current, and
 * config_load_string's cleanup deletes it. */
static int next(struct ctx *x)
{
    if (x->have_ev) {
        yaml_event_delete(&x->ev);
        x->have_ev = 0;
    }
    if (!yaml_parser_parse(&x->parser, &x->ev))
        return syntax_error(x);
    x->have_ev = 1;
    switch (x->ev.type) {
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        x->depth++;
        if (x->depth > MAX_DEPTH)
            return fail(x, line(x), "nesting deeper than %d levels",
                        MAX_DEPTH);
        break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        x->depth--;
        break;
    case YAML_ALIAS_EVENT:
        return fail(x, line(x), "aliases (*%s) are not supported; write the "
                    "value out", (const char *)x->ev.data.alias.anchor);
    default:
        break;
    }
    return 0;
}

/* The current event's scalar text, or NULL (message set) when it contains
 * a NUL byte, which no setting or glob can use. */
static const char *scalar_text(struct ctx *x)
{
    const char *s = (const char *)x->ev.data.scalar.value;

    if (strlen(s) != x->ev.data.scalar.length) {
        fail(x, line(x), "NUL character in a value");
        return NULL;
    }
    return s;
}

/* Copy the current event, which must be a mapping key, into key[KEY_MAX]
 * (truncated keys are unknown anyway).  what names the mapping. */
static int read_key(struct ctx *x, char *key, const char *what)
{
    const char *s;

    if (x->ev.type != YAML_SCALAR_EVENT)
        return fail(x, line(x), "keys in %s must be names, not %s", what,
                    kind(&x->ev));
    s = scalar_text(x);
    if (!s)
        return -1;
    snprintf(key, KEY_MAX, "%s", s);
    return 0;
}

/* ---- grammar ----------------------------------------------------------- */

/* The current event is the value of key (for messages): its text, or NULL
 * (message set) when it is not a scalar or is empty.  want says what was
 * expected. */
static const char *value_text(struct ctx *x, const char *key,
                              const char *want)
{
    if (x->ev.type != YAML_SCALAR_EVENT) {
        fail(x, line(x), "%s: expected %s, not %s", key, want, kind(&x->ev));
        return NULL;
    }
    if (is_null(&x->ev)) {
        fail(x, line(x), "%s: missing value; expected %s", key, want);
        return NULL;
    }
    return scalar_text(x);
}

/* The current event is the value of row; store it into base. */
static int set_value(struct ctx *x, const struct row *row, void *base)
{
    char want[128];
    union value v;
    const char *s;

    expected_text(row, want, sizeof want);
    s = value_text(x, row->key, want);
    if (!s)
        return -1;
    switch (parse_value(row, s, &v)) {
    case P_OK:
        store(base, row, &v);
        return 0;
    case P_RANGE:
        return fail(x, line(x), "%s: %.40s is out of range; expected %s",
                    row->key, s, want);
    case P_BAD_TYPE:
        break;
    }
    return fail(x, line(x), "%s: '%.40s' is not valid; expected %s", row->key,
                s, want);
}

/* The current event is the value of section sec: 1 when it is a mapping
 * to walk, 0 when it is empty ("baseline:" with every key commented out),
 * -1 (message set) otherwise. */
static int section_mapping(struct ctx *x, int sec)
{
    if (is_null(&x->ev))
        return 0;
    if (x->ev.type != YAML_MAPPING_START_EVENT)
        return fail(x, line(x), "section '%s' must be a mapping of keys "
                    "(indented 'key: value' lines), not %s",
                    sections[sec].name, kind(&x->ev));
    return 1;
}

/* The current event is the value of section sec, a section of rows. */
static int parse_section(struct ctx *x, int sec)
{
    const char *name = sections[sec].name;
    char key[KEY_MAX], valid[256] = "";
    int m = section_mapping(x, sec);

    if (m <= 0)
        return m;
    for (;;) {
        size_t kline;
        int r;

        if (next(x))
            return -1;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        kline = line(x);
        if (read_key(x, key, name))
            return -1;
        r = find_row(rows, NROWS, name, key);
        if (r < 0) {
            section_keys(rows, NROWS, name, valid, sizeof valid);
            return fail(x, kline, "unknown key '%s' in section '%s'; valid "
                        "keys: %s (see config/ctinsights.yaml)", key, name,
                        valid);
        }
        if (x->row_line[r])
            return fail(x, kline, "duplicate key %s (first given on line "
                        "%zu)", rows[r].key, x->row_line[r]);
        x->row_line[r] = kline;
        if (next(x) || set_value(x, &rows[r], x->c))
            return -1;
    }
}

/* ---- categories -------------------------------------------------------- */

static void free_codes(struct config *c)
{
    for (size_t i = 0; i < c->n_limit_codes; i++)
        xfree(c->limit_codes[i]);
    xfree(c->limit_codes);
    c->limit_codes = NULL;
    c->n_limit_codes = 0;
}

/* The current event is the value of categories.service_limit_codes; what
 * it gives replaces the codes c had. */
static int parse_codes(struct ctx *x)
{
    struct config *c = x->c;
    const char *s;

    if (is_null(&x->ev)) {
        free_codes(c);
        return 0;
    }
    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return fail(x, line(x), "categories.service_limit_codes: expected a "
                    "sequence of error codes such as [MyQuotaExceeded], not "
                    "%s", kind(&x->ev));
    free_codes(c);
    for (;;) {
        if (next(x))
            return -1;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            return 0;
        s = value_text(x, "categories.service_limit_codes", "an error code");
        if (!s)
            return -1;
        if (!*s)
            return fail(x, line(x), "categories.service_limit_codes: empty "
                        "error code");
        c->limit_codes = xrealloc(c->limit_codes, (c->n_limit_codes + 1) *
                                  sizeof *c->limit_codes);
        c->limit_codes[c->n_limit_codes++] = xstrdup(s);
    }
}

/* The current event is the value of the categories section. */
static int parse_categories(struct ctx *x, int sec)
{
    const char *name = sections[sec].name;
    char key[KEY_MAX];
    size_t codes_line = 0;
    int m = section_mapping(x, sec);

    if (m <= 0)
        return m;
    for (;;) {
        size_t kline;

        if (next(x))
            return -1;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        kline = line(x);
        if (read_key(x, key, name))
            return -1;
        if (strcmp(key, "service_limit_codes") != 0)
            return fail(x, kline, "unknown key '%s' in section '%s'; valid "
                        "keys: service_limit_codes (see "
                        "config/ctinsights.yaml)", key, name);
        if (codes_line)
            return fail(x, kline, "duplicate key %s.%s (first given on line "
                        "%zu)", name, key, codes_line);
        codes_line = kline;
        if (next(x) || parse_codes(x))
            return -1;
    }
}

/* ---- matches, lists of rules ------------------------------------------- */

static void free_match(struct config_ignore *r)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        char **slot = field_slot(r, i);
        xfree(*slot);
        *slot = NULL;
    }
}

/* The current event is the value of key prefix.key, a glob: *out gets a
 * copy (the caller frees it). */
static int read_glob(struct ctx *x, const char *prefix, const char *key,
                     char **out)
{
    const char *s;

    if (x->ev.type != YAML_SCALAR_EVENT)
        return fail(x, line(x), "%s.%s: expected a glob, not %s", prefix, key,
                    kind(&x->ev));
    s = scalar_text(x);
    if (!s)
        return -1;
    if (is_null(&x->ev) || !*s)
        return fail(x, line(x), "%s.%s: empty pattern; give a glob such as "
                    "'*', or leave the key out to match anything", prefix,
                    key);
    *out = xstrdup(s);
    return 0;
}

/* The current event starts a match: a mapping of field -> glob with at
 * least one field.  what names it in messages ("ignore rule"), prefix
 * qualifies its keys ("ignore" gives "ignore.region").  The globs go into
 * r, which must start empty; the caller frees them (free_match), also when
 * this fails. */
static int parse_match(struct ctx *x, struct config_ignore *r,
                       const char *what, const char *prefix)
{
    size_t mline = line(x);
    size_t fline[NFIELDS] = {0};
    size_t nset = 0;
    char key[KEY_MAX];

    if (is_null(&x->ev))
        return fail(x, mline, "%s has no keys; give at least one of "
                    FIELD_LIST, what);
    if (x->ev.type != YAML_MAPPING_START_EVENT)
        return fail(x, mline, "%s must be a mapping of fields such as "
                    "'event_source: s3.amazonaws.com', not %s", what,
                    kind(&x->ev));
    for (;;) {
        size_t kline;
        int f;

        if (next(x))
            return -1;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            break;
        kline = line(x);
        if (read_key(x, key, what))
            return -1;
        f = find_field(key);
        if (f < 0)
            return fail(x, kline, "unknown key '%s' in %s; valid keys: "
                        FIELD_LIST, key, what);
        if (fline[f])
            return fail(x, kline, "duplicate key %s.%s (first given on line "
                        "%zu)", prefix, key, fline[f]);
        fline[f] = kline;
        if (next(x) || read_glob(x, prefix, key, field_slot(r, (size_t)f)))
            return -1;
        nset++;
    }
    if (nset == 0)
        return fail(x, mline, "%s has no keys; give at least one of "
                    FIELD_LIST, what);
    if (r->insight_type &&
        fnmatch(r->insight_type, "ApiCallRateInsight", 0) != 0 &&
        fnmatch(r->insight_type, "ApiErrorRateInsight", 0) != 0)
        return fail(x, fline[find_field("insight_type")], "%s.insight_type: "
                    "'%.40s' matches neither ApiCallRateInsight nor "
                    "ApiErrorRateInsight", prefix, r->insight_type);
    return 0;
}

/* The current event is the value of the list section sec: null, or a
 * sequence whose items item() appends to x->c.  A file that gives the
 * section replaces what clear() removes. */
static int parse_list(struct ctx *x, int sec, void (*clear)(struct config *),
                      int (*item)(struct ctx *))
{
    if (is_null(&x->ev)) {
        clear(x->c);
        return 0;
    }
    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return fail(x, line(x), "%s must be a sequence of rules (lines "
                    "starting with '- '), not %s", sections[sec].name,
                    kind(&x->ev));
    clear(x->c);
    for (;;) {
        if (next(x))
            return -1;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            return 0;
        if (item(x))
            return -1;
    }
}

/* ---- ignore ------------------------------------------------------------ */

static void free_ignore(struct config *c)
{
    for (size_t i = 0; i < c->n_ignore; i++)
        free_match(&c->ignore[i]);
    xfree(c->ignore);
    c->ignore = NULL;
    c->n_ignore = 0;
}

/* The current event starts one item of the ignore sequence.  On success the
 * rule is appended to x->c. */
static int parse_rule(struct ctx *x)
{
    struct config_ignore r;
    int rc = -1;

    memset(&r, 0, sizeof r);
    if (parse_match(x, &r, "ignore rule", "ignore"))
        goto out;
    x->c->ignore = xrealloc(x->c->ignore,
                            (x->c->n_ignore + 1) * sizeof *x->c->ignore);
    x->c->ignore[x->c->n_ignore++] = r;
    memset(&r, 0, sizeof r); /* now owned by x->c */
    rc = 0;
out:
    free_match(&r);
    return rc;
}

static int parse_ignore(struct ctx *x, int sec)
{
    return parse_list(x, sec, free_ignore, parse_rule);
}

/* ---- overrides --------------------------------------------------------- */

static void free_overrides(struct config *c)
{
    for (size_t i = 0; i < c->n_overrides; i++)
        free_match(&c->overrides[i].match);
    xfree(c->overrides);
    c->overrides = NULL;
    c->n_overrides = 0;
}

/* The current event starts one item of the overrides sequence.  On success
 * the override is appended to x->c. */
static int parse_override(struct ctx *x)
{
    struct config_override o;
    size_t oline = line(x), match_line = 0;
    size_t sline[NOVERRIDE_ROWS] = {0};
    size_t nset = 0;
    char key[KEY_MAX], settings[256] = "";
    int rc = -1;

    memset(&o, 0, sizeof o);
    store_unset(&o, override_rows, NOVERRIDE_ROWS);
    section_keys(override_rows, NOVERRIDE_ROWS, "overrides", settings,
                 sizeof settings);
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        fail(x, oline, "each override must be a mapping of match: and "
             "settings (%s), not %s", settings, kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kline;
        int r;

        if (next(x))
            goto out;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            break;
        kline = line(x);
        if (read_key(x, key, "an override"))
            goto out;
        if (strcmp(key, "match") == 0) {
            if (match_line) {
                fail(x, kline, "duplicate key overrides.match (first given "
                     "on line %zu)", match_line);
                goto out;
            }
            match_line = kline;
            if (next(x) || parse_match(x, &o.match, "overrides.match",
                                       "overrides.match"))
                goto out;
            continue;
        }
        r = find_row(override_rows, NOVERRIDE_ROWS, "overrides", key);
        if (r < 0) {
            fail(x, kline, "unknown key '%s' in override; valid keys: "
                 "match, %s", key, settings);
            goto out;
        }
        if (sline[r]) {
            fail(x, kline, "duplicate key %s (first given on line %zu)",
                 override_rows[r].key, sline[r]);
            goto out;
        }
        sline[r] = kline;
        if (next(x) || set_value(x, &override_rows[r], &o))
            goto out;
        nset++;
    }
    if (!match_line) {
        fail(x, oline, "override has no match:; give a mapping of at least "
             "one of " FIELD_LIST);
        goto out;
    }
    if (nset == 0) {
        fail(x, oline, "override sets nothing; give at least one of %s",
             settings);
        goto out;
    }
    x->c->overrides = xrealloc(x->c->overrides, (x->c->n_overrides + 1) *
                               sizeof *x->c->overrides);
    x->c->overrides[x->c->n_overrides++] = o;
    memset(&o.match, 0, sizeof o.match); /* now owned by x->c */
    rc = 0;
out:
    free_match(&o.match);
    return rc;
}

static int parse_overrides(struct ctx *x, int sec)
{
    return parse_list(x, sec, free_overrides, parse_override);
}

/* ---- suppress ---------------------------------------------------------- */

static void free_suppress_rule(struct config_suppress *r)
{
    free_match(&r->match);
    xfree(r->principal);
    xfree(r->category);
    r->principal = NULL;
    r->category = NULL;
}

static void free_suppress(struct config *c)
{
    for (size_t i = 0; i < c->n_suppress; i++)
        free_suppress_rule(&c->suppress[i]);
    xfree(c->suppress);
    c->suppress = NULL;
    c->n_suppress = 0;
}

/* The current event is the value of suppress.from or suppress.until. */
static int read_time(struct ctx *x, const char *key, long long *out)
{
    static const char want[] = "a UTC time such as 2026-01-31T22:00Z "
                               "(YYYY-MM-DDTHH:MM[:SS]Z)";
    const char *s = value_text(x, key, want);

    if (!s)
        return -1;
    switch (parse_timestamp(s, out)) {
    case P_OK:
        return 0;
    case P_RANGE:
        return fail(x, line(x), "%s: %.40s is before 1970", key, s);
    case P_BAD_TYPE:
        break;
    }
    return fail(x, line(x), "%s: '%.40s' is not valid; expected %s", key, s,
                want);
}

/* The current event is the value of suppress.daily. */
static int read_daily(struct ctx *x, int *from, int *to)
{
    static const char want[] = "a UTC time range HH:MM-HH:MM such as "
                               "22:00-02:00 (may wrap midnight)";
    const char *s = value_text(x, "suppress.daily", want);

    if (!s)
        return -1;
    switch (parse_daily(s, from, to)) {
    case P_OK:
        return 0;
    case P_RANGE:
        return fail(x, line(x), "suppress.daily: '%.40s' is empty; its start "
                    "and end must differ (00:00-24:00 is the whole day)", s);
    case P_BAD_TYPE:
        break;
    }
    return fail(x, line(x), "suppress.daily: '%.40s' is not valid; expected "
                "%s", s, want);
}

/* The current event is the value of suppress.weekdays: a non-empty
 * sequence of day names into the bitmask *out. */
static int read_weekdays(struct ctx *x, unsigned *out)
{
    static const char want[] = "mon, tue, wed, thu, fri, sat or sun";
    size_t wline = line(x);
    unsigned mask = 0;

    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return fail(x, wline, "suppress.weekdays: expected a sequence of "
                    "days such as [sat, sun], not %s", kind(&x->ev));
    for (;;) {
        const char *s;
        int d;

        if (next(x))
            return -1;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        s = value_text(x, "suppress.weekdays", want);
        if (!s)
            return -1;
        d = find_day(s);
        if (d < 0)
            return fail(x, line(x), "suppress.weekdays: '%.40s' is not a "
                        "day; expected %s", s, want);
        mask |= 1u << d;
    }
    if (!mask)
        return fail(x, wline, "suppress.weekdays: empty list; leave the key "
                    "out to mean every day");
    *out = mask;
    return 0;
}

/* The current event is the value of condition k of suppress rule r. */
static int read_cond(struct ctx *x, struct config_suppress *r, enum cond k)
{
    switch (k) {
    case S_MATCH:
        return parse_match(x, &r->match, "suppress.match", "suppress.match");
    case S_PRINCIPAL:
        return read_glob(x, "suppress", "principal", &r->principal);
    case S_CATEGORY:
        return read_glob(x, "suppress", "category", &r->category);
    case S_FROM:
        return read_time(x, "suppress.from", &r->from);
    case S_UNTIL:
        return read_time(x, "suppress.until", &r->until);
    case S_DAILY:
        return read_daily(x, &r->daily_from, &r->daily_to);
    case S_WEEKDAYS:
        return read_weekdays(x, &r->weekdays);
    case NCONDS:
        break;
    }
    return fail(x, line(x), "internal error: condition %d", (int)k);
}

/* The current event starts one item of the suppress sequence.  On success
 * the rule is appended to x->c. */
static int parse_suppress_rule(struct ctx *x)
{
    struct config_suppress r;
    size_t rline = line(x);
    size_t kline_of[NCONDS] = {0};
    size_t nset = 0;
    char key[KEY_MAX];
    int rc = -1;

    memset(&r, 0, sizeof r);
    r.from = r.until = -1;
    r.daily_from = r.daily_to = -1;
    if (is_null(&x->ev)) {
        fail(x, rline, "suppress rule has no conditions; give at least one "
             "of " COND_LIST);
        goto out;
    }
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        fail(x, rline, "each suppress rule must be a mapping of conditions "
             "(" COND_LIST "), not %s", kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kline;
        int k;

        if (next(x))
            goto out;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            break;
        kline = line(x);
        if (read_key(x, key, "a suppress rule"))
            goto out;
        k = find_cond(key);
        if (k < 0) {
            fail(x, kline, "unknown key '%s' in suppress rule; valid keys: "
                 COND_LIST, key);
            goto out;
        }
        if (kline_of[k]) {
            fail(x, kline, "duplicate key suppress.%s (first given on line "
                 "%zu)", key, kline_of[k]);
            goto out;
        }
        kline_of[k] = kline;
        if (next(x) || read_cond(x, &r, (enum cond)k))
            goto out;
        nset++;
    }
    if (nset == 0) {
        fail(x, rline, "suppress rule has no conditions; give at least one "
             "of " COND_LIST);
        goto out;
    }
    if (r.from >= 0 && r.until >= 0 && r.until <= r.from) {
        fail(x, kline_of[S_UNTIL] > kline_of[S_FROM] ? kline_of[S_UNTIL]
                                                     : kline_of[S_FROM],
             "suppress.until must be after suppress.from (line %zu)",
             kline_of[S_FROM]);
        goto out;
    }
    x->c->suppress = xrealloc(x->c->suppress, (x->c->n_suppress + 1) *
                              sizeof *x->c->suppress);
    x->c->suppress[x->c->n_suppress++] = r;
    memset(&r, 0, sizeof r); /* now owned by x->c */
    rc = 0;
out:
    free_suppress_rule(&r);
    return rc;
}

static int parse_suppress(struct ctx *x, int sec)
{
    return parse_list(x, sec, free_suppress, parse_suppress_rule);
}

/* ---- sinks ------------------------------------------------------------- */

static void free_argv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        xfree(argv[i]);
    xfree(argv);
}

/* Every string a sink owns; the sink is zeroed afterwards. */
static void free_sink(struct config_sink *s)
{
    xfree(s->type);
    free_match(&s->match);
    for (size_t i = 0; i < NSINK_ROWS; i++) {
        char **slot = (char **)(void *)((char *)s + sink_rows[i].row.off);

        if (sink_rows[i].row.type == T_STRING) {
            xfree(*slot);
            *slot = NULL;
        }
    }
    free_argv(s->argv);
    memset(s, 0, sizeof *s);
}

static void free_sinks(struct config *c)
{
    for (size_t i = 0; i < c->n_sinks; i++)
        free_sink(&c->sinks[i]);
    xfree(c->sinks);
    c->sinks = NULL;
    c->n_sinks = 0;
}

/* Whether sink row r applies to sinks of type: its types list names it. */
static int sink_row_applies(const struct sink_row *r, const char *type)
{
    size_t n = strlen(type);
    const char *p = r->types;

    if (!p)
        return 1;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (w == n && strncmp(p, type, n) == 0)
            return 1;
        p += w;
        p += strspn(p, " ");
    }
    return 0;
}

/* The row for key of a sink of type; type NULL finds the first row of
 * that key, whatever its types.  -1 when none. */
static int find_sink_row(const char *key, const char *type)
{
    for (size_t i = 0; i < NSINK_ROWS; i++) {
        if (strcmp(sink_rows[i].row.key + strlen("sinks."), key) == 0 &&
            (!type || sink_row_applies(&sink_rows[i], type)))
            return (int)i;
    }
    return -1;
}

static int find_sink_type(const char *name)
{
    for (size_t i = 0; i < NSINK_TYPES; i++) {
        if (strcmp(sink_types[i], name) == 0)
            return (int)i;
    }
    return -1;
}

/* "type, match, url, ..." for sinks of type (NULL: of every type) into
 * buf, each key once. */
static void sink_keys(const char *type, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "type, match");

    for (size_t i = 0; i < NSINK_ROWS && used < n; i++) {
        const char *k = sink_rows[i].row.key + strlen("sinks.");

        if ((type && !sink_row_applies(&sink_rows[i], type)) ||
            find_sink_row(k, type) != (int)i)
            continue;
        used += (size_t)snprintf(buf + used, n - used, ", %s", k);
    }
}

/* The current event is the value of sinks.argv: a non-empty sequence of
 * non-empty arguments into *out (NULL-terminated; the caller frees). */
static int read_argv(struct ctx *x, char ***out)
{
    static const char want[] = "a program and its arguments";
    size_t aline = line(x), n = 0, cap = 0;
    char **v = NULL;
    const char *s;

    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return fail(x, aline, "sinks.argv: expected a sequence such as "
                    "[/usr/local/bin/notify, --insight], not %s",
                    kind(&x->ev));
    for (;;) {
        if (next(x))
            goto fail;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        s = value_text(x, "sinks.argv", want);
        if (!s)
            goto fail;
        if (!*s) {
            fail(x, line(x), "sinks.argv: empty argument");
            goto fail;
        }
        v = xgrow(v, &cap, n + 2, sizeof *v);
        v[n++] = xstrdup(s);
        v[n] = NULL;
    }
    if (n == 0) {
        fail(x, aline, "sinks.argv: empty list; give the program to run");
        goto fail;
    }
    free_argv(*out);
    *out = v;
    return 0;
fail:
    free_argv(v);
    return -1;
}

/* Exactly one of the NULL-terminated keys given (kline[] of its row
 * nonzero) in sink s; else an error at the sink's line naming them. */
static int one_of(struct ctx *x, const struct config_sink *s,
                  const size_t *kline, const char *const *keys)
{
    size_t given = 0, n = 0;
    char list[128] = "";

    for (; keys[n]; n++) {
        int r = find_sink_row(keys[n], s->type);
        size_t used = strlen(list);

        if (r >= 0 && kline[r])
            given++;
        snprintf(list + used, sizeof list - used, "%s%s",
                 n == 0 ? "" : keys[n + 1] ? ", " : " or ", keys[n]);
    }
    if (given == 1)
        return 0;
    return fail(x, s->line, "%s sink %s; give exactly one of %s", s->type,
                given ? "has more than one of them" : "needs where to find "
                "its endpoint or secret", list);
}

/* What a sink of s->type needs, once its mapping is read; kline[] gives
 * the line of each sink row given. */
static int check_sink(struct ctx *x, const struct config_sink *s,
                      const size_t *kline)
{
    static const char *const slack_url[] = {"url", "url_env", "url_file",
                                            NULL};
    static const char *const pd_key[] = {"routing_key_env",
                                         "routing_key_file", NULL};
    static const char *const wh_key[] = {"secret_env", "secret_file", NULL};
    int url_row = find_sink_row("url", s->type);

    if (strcmp(s->type, "slack") == 0 && one_of(x, s, kline, slack_url))
        return -1;
    if (strcmp(s->type, "pagerduty") == 0 && one_of(x, s, kline, pd_key))
        return -1;
    if (strcmp(s->type, "webhook") == 0 && one_of(x, s, kline, wh_key))
        return -1;
    if ((strcmp(s->type, "alertmanager") == 0 ||
         strcmp(s->type, "webhook") == 0) && !s->url)
        return fail(x, s->line, "%s sink has no url; give one such as "
                    "http://127.0.0.1:9093", s->type);
    if (strcmp(s->type, "exec") == 0 && !s->argv)
        return fail(x, s->line, "exec sink has no argv; give the program "
                    "to run and its arguments");
    if (s->url && strncmp(s->url, "http://", 7) != 0 &&
        strncmp(s->url, "https://", 8) != 0)
        return fail(x, kline[url_row] ? kline[url_row] : s->line,
                    "sinks.url: expected an http:// or https:// URL");
    if (s->retry_max < s->retry_initial)
        return fail(x, s->line, "sinks.retry_max (%g) must not be less than "
                    "sinks.retry_initial (%g)", s->retry_max,
                    s->retry_initial);
    return 0;
}

/* Give s the name of its type, or type-N for the Nth sink of that type,
 * unless it has one; names must differ. */
static int name_sink(struct ctx *x, struct config_sink *s, size_t name_line)
{
    const struct config *c = x->c;
    char buf[64];

    if (!s->name) {
        size_t same = 0;

        for (size_t i = 0; i < c->n_sinks; i++)
            same += strcmp(c->sinks[i].type, s->type) == 0;
        if (same == 0)
            snprintf(buf, sizeof buf, "%s", s->type);
        else
            snprintf(buf, sizeof buf, "%s-%zu", s->type, same + 1);
        s->name = xstrdup(buf);
    }
    for (size_t i = 0; i < c->n_sinks; i++) {
        if (strcmp(c->sinks[i].name, s->name) == 0)
            return fail(x, name_line ? name_line : s->line, "two sinks are "
                        "named '%s' (the other on line %zu); give each a "
                        "different name", s->name, c->sinks[i].line);
    }
    return 0;
}

/* The current event starts one item of the sinks sequence.  On success the
 * sink is appended to x->c. */
static int parse_sink(struct ctx *x)
{
    struct config_sink s;
    size_t kline[NSINK_ROWS] = {0};
    size_t type_line = 0, match_line = 0;
    char key[KEY_MAX], valid[512];
    int rc = -1;

    memset(&s, 0, sizeof s);
    s.line = line(x);
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        fail(x, s.line, "each sink must be a mapping with a type (%s), not "
             "%s", SINK_TYPE_LIST, kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kl;
        int r;

        if (next(x))
            goto out;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            break;
        kl = line(x);
        if (read_key(x, key, "a sink"))
            goto out;
        if (strcmp(key, "type") == 0 || strcmp(key, "match") == 0) {
            size_t *seen = key[0] == 't' ? &type_line : &match_line;
            const char *t;

            if (*seen) {
                fail(x, kl, "duplicate key sinks.%s (first given on line "
                     "%zu)", key, *seen);
                goto out;
            }
            *seen = kl;
            if (next(x))
                goto out;
            if (key[0] == 'm') {
                if (parse_match(x, &s.match, "sinks.match", "sinks.match"))
                    goto out;
                continue;
            }
            t = value_text(x, "sinks.type", "one of " SINK_TYPE_LIST);
            if (!t)
                goto out;
            if (find_sink_type(t) < 0) {
                fail(x, kl, "sinks.type: unknown sink type '%.40s'; valid "
                     "types: " SINK_TYPE_LIST, t);
                goto out;
            }
            s.type = xstrdup(t);
            continue;
        }
        r = find_sink_row(key, NULL);
        if (r < 0) {
            sink_keys(NULL, valid, sizeof valid);
            fail(x, kl, "unknown key '%s' in sink; valid keys: %s (see "
                 "config/ctinsights.yaml)", key, valid);
            goto out;
        }
        if (kline[r]) {
            fail(x, kl, "duplicate key sinks.%s (first given on line %zu)",
                 key, kline[r]);
            goto out;
        }
        kline[r] = kl;
        if (next(x))
            goto out;
        if (sink_rows[r].row.type == T_ARGV ? read_argv(x, &s.argv)
                                           : set_value(x, &sink_rows[r].row,
                                                       &s))
            goto out;
    }
    if (!s.type) {
        fail(x, s.line, "sink has no type; give one of " SINK_TYPE_LIST);
        goto out;
    }
    /* Rows were found by key alone; move each to its type's own row
     * (url has one per type) and refuse keys the type does not take. */
    for (size_t i = 0; i < NSINK_ROWS; i++) {
        const char *k = sink_rows[i].row.key + strlen("sinks.");
        int own;

        if (!kline[i])
            continue;
        own = find_sink_row(k, s.type);
        if (own < 0) {
            sink_keys(s.type, valid, sizeof valid);
            fail(x, kline[i], "sinks.%s does not apply to sinks of type %s; "
                 "theirs: %s", k, s.type, valid);
            goto out;
        }
        if (own != (int)i) {
            kline[own] = kline[i];
            kline[i] = 0;
        }
    }
    for (size_t i = 0; i < NSINK_ROWS; i++) {
        const struct row *row = &sink_rows[i].row;
        union value v;

        if (kline[i] || !row->def || !sink_row_applies(&sink_rows[i], s.type))
            continue;
        if (parse_value(row, row->def, &v) != P_OK) {
            fail(x, 0, "internal error: bad default for %s", row->key);
            goto out;
        }
        store(&s, row, &v);
    }
    if (check_sink(x, &s, kline) ||
        name_sink(x, &s, kline[find_sink_row("name", NULL)]))
        goto out;
    x->c->sinks = xrealloc(x->c->sinks, (x->c->n_sinks + 1) *
                           sizeof *x->c->sinks);
    x->c->sinks[x->c->n_sinks++] = s;
    memset(&s, 0, sizeof s); /* now owned by x->c */
    rc = 0;
out:
    free_sink(&s);
    return rc;
}

static int parse_sinks(struct ctx *x, int sec)
{
    return parse_list(x, sec, free_sinks, parse_sink);
}

/* ---- document ---------------------------------------------------------- */

/* The current event starts the top-level mapping. */
static int parse_sections(struct ctx *x)
{
    char key[KEY_MAX];

    for (;;) {
        size_t kline;
        int sec;

        if (next(x))
            return -1;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        kline = line(x);
        if (read_key(x, key, "the top level"))
            return -1;
        sec = find_section(key);
        if (sec < 0)
            return fail(x, kline, "unknown section '%s'; valid sections: "
                        SECTION_LIST " (see config/ctinsights.yaml)", key);
        if (x->section_line[sec])
            return fail(x, kline, "duplicate key %s (first given on line "
                        "%zu)", key, x->section_line[sec]);
        x->section_line[sec] = kline;
        if (next(x) || sections[sec].parse(x, sec))
            return -1;
    }
}

static int parse_stream(struct ctx *x)
{
    if (next(x)) /* STREAM-START */
        return -1;
    if (next(x))
        return -1;
    if (x->ev.type == YAML_STREAM_END_EVENT)
        return 0; /* empty, or only comments */
    if (next(x)) /* past DOCUMENT-START */
        return -1;
    if (x->ev.type == YAML_MAPPING_START_EVENT) {
        if (parse_sections(x))
            return -1;
    } else if (!is_null(&x->ev)) {
        return fail(x, line(x), "the top level must be a mapping of sections "
                    "(" SECTION_LIST "), not %s", kind(&x->ev));
    }
    if (next(x)) /* DOCUMENT-END */
        return -1;
    if (next(x))
        return -1;
    if (x->ev.type == YAML_DOCUMENT_START_EVENT)
        return fail(x, line(x), "only one YAML document is allowed; remove "
                    "the second '---'");
    return 0;
}

/* Line to blame for a constraint between two keys: the later of the two
 * as given in this file, 0 when neither was. */
static size_t later_line(const struct ctx *x, const char *a, const char *b)
{
    size_t la = x->row_line[find_dotted(a)];
    size_t lb = x->row_line[find_dotted(b)];

    return la > lb ? la : lb;
}

/* Constraints between settings, checked once the whole file is read. */
static int check_cross(struct ctx *x)
{
    const struct config *c = x->c;

    if (c->min_history_days > c->window_days)
        return fail(x, later_line(x, "baseline.min_history_days",
                                  "baseline.window_days"),
                    "baseline.min_history_days (%d) must not exceed "
                    "baseline.window_days (%d)", c->min_history_days,
                    c->window_days);
    /* alpha_start 0 is derived per run; detect.c keeps alpha_end at or
     * above what it derives. */
    if (c->alpha_start > 0 && !(c->alpha_end > c->alpha_start))
        return fail(x, later_line(x, "detector.alpha_start",
                                  "detector.alpha_end"),
                    "detector.alpha_end (%g) must be greater than "
                    "detector.alpha_start (%g)", c->alpha_end,
                    c->alpha_start);
    if (c->gap_min_period > c->gap_max_period)
        return fail(x, later_line(x, "gaps.min_period_minutes",
                                  "gaps.max_period_minutes"),
                    "gaps.min_period_minutes (%d) must not exceed "
                    "gaps.max_period_minutes (%d)", c->gap_min_period,
                    c->gap_max_period);
    return 0;
}

/* ---- API --------------------------------------------------------------- */

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NROWS; i++) {
        union value v;

        if (parse_value(&rows[i], rows[i].def, &v) != P_OK) {
            fprintf(stderr, "ctinsights: bad compiled-in default %s: %s\n",
                    rows[i].key, rows[i].def);
            abort();
        }
        store(c, &rows[i], &v);
    }
    /* No lists (NULL pointers need not be all-zero bits). */
    c->limit_codes = NULL;
    c->ignore = NULL;
    c->overrides = NULL;
    c->suppress = NULL;
    c->sinks = NULL;
}

int config_load_string(struct config *c, const char *yaml, size_t len,
                       const char *name, char *err, size_t errlen)
{
    struct ctx x;
    int rc = -1;

    memset(&x, 0, sizeof x);
    x.c = c;
    x.name = name ? name : "<string>";
    x.input = (const unsigned char *)(yaml ? yaml : "");
    x.len = yaml ? len : 0;
    x.err = err;
    x.errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    if (!yaml_parser_initialize(&x.parser)) {
        fail(&x, 0, "cannot initialise the YAML parser (out of memory)");
        goto out;
    }
    x.parser_ok = 1;
    yaml_parser_set_input_string(&x.parser, x.input, x.len);
    if (parse_stream(&x) || check_cross(&x))
        goto out;
    rc = 0;
out:
    if (x.have_ev)
        yaml_event_delete(&x.ev);
    if (x.parser_ok)
        yaml_parser_delete(&x.parser);
    return rc;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;

    if (err && errlen)
        err[0] = '\0';
    f = fopen(path, "rb");
    if (!f) {
        message(err, errlen, path, 0, "cannot open: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        size_t want, got;

        buf = xgrow(buf, &cap, len + 4096, 1);
        want = cap - len;
        got = fread(buf + len, 1, want, f);
        len += got;
        if (len > MAX_FILE_BYTES) {
            message(err, errlen, path, 0, "larger than %d bytes; is this "
                    "the right file?", MAX_FILE_BYTES);
            goto out;
        }
        if (got < want)
            break;
    }
    if (ferror(f)) {
        message(err, errlen, path, 0, "cannot read: %s", strerror(errno));
        goto out;
    }
    rc = config_load_string(c, buf, len, path, err, errlen);
out:
    if (f)
        fclose(f);
    xfree(buf);
    return rc;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    free_codes(c);
    free_ignore(c);
    free_overrides(c);
    free_suppress(c);
    free_sinks(c);
}

/* A NULL pattern matches anything; a NULL value matches only a NULL
 * pattern. */
static int field_matches(const char *pattern, const char *value)
{
    if (!pattern)
        return 1;
    if (!value)
        return 0;
    return fnmatch(pattern, value, 0) == 0;
}

int config_match(const struct config_ignore *m, const char *account,
                 const char *region, const char *event_source,
                 const char *event_name, const char *error_code,
                 const char *insight_type)
{
    return field_matches(m->account, account) &&
           field_matches(m->region, region) &&
           field_matches(m->event_source, event_source) &&
           field_matches(m->event_name, event_name) &&
           field_matches(m->error_code, error_code) &&
           field_matches(m->insight_type, insight_type);
}

int config_ignored(const struct config *c, const char *account,
                   const char *region, const char *event_source,
                   const char *event_name, const char *error_code,
                   const char *insight_type)
{
    if (!c)
        return 0;
    for (size_t i = 0; i < c->n_ignore; i++) {
        if (config_match(&c->ignore[i], account, region, event_source,
                         event_name, error_code, insight_type))
            return 1;
    }
    return 0;
}

const struct config_override *
config_override_for(const struct config *c, const char *account,
                    const char *region, const char *event_source,
                    const char *event_name, const char *error_code,
                    const char *insight_type)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n_overrides; i++) {
        const struct config_override *o = &c->overrides[i];

        if (config_match(&o->match, account, region, event_source,
                         event_name, error_code, insight_type))
            return o;
    }
    return NULL;
}
