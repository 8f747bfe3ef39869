/*
 * config — typed settings: compiled-in defaults plus a YAML override file.
 *
 * One table (rows[] below) drives everything: config_defaults parses each
 * row's default string with the same code that parses values from a file, so
 * a default can never disagree with what the file syntax would give, and the
 * loader finds keys, types and ranges in the same table.
 * config/ctinsights.yaml lists every row; keep the two in step
 * (tests/unit/test_config.c checks).
 *
 * The loader walks the libyaml event stream (yaml_parser_parse) by recursive
 * descent over a fixed grammar:
 *
 *   stream   := nothing | one document
 *   document := null | mapping of section -> body
 *   body     := null | mapping of key -> scalar   (baseline, detector, ...)
 *   ignore   := null | sequence of rule
 *   rule     := mapping of field -> glob (at least one field)
 *
 * The context owns exactly one libyaml event at a time: next() deletes the
 * previous event before parsing the following one, and the single cleanup in
 * config_load_string deletes the last one and the parser, so no path leaks.
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
 * three (document mapping > ignore sequence > rule mapping), and anything
 * unexpected is an error at its first event, so this is a backstop should
 * the grammar grow. */
#define MAX_DEPTH 32

/* Config files are a few kilobytes; refuse anything absurd before parsing. */
#define MAX_FILE_BYTES (1024 * 1024)

/* Longest key we need to compare; longer keys are unknown by definition. */
#define KEY_MAX 64

#define KIB 1024.0
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * 1024.0 * 1024.0)

enum type { T_INT, T_DOUBLE, T_BOOL, T_SIZE };

/* One setting.  min/max are inclusive and unused for T_BOOL. */
struct row {
    enum type type;
    const char *key;  /* "section.name" */
    const char *def;  /* default, in the syntax a YAML file would use */
    size_t off;       /* offsetof(struct config, field) */
    double min, max;
    const char *doc;  /* one line; config/ctinsights.yaml says the same */
};

#define OFF(f) offsetof(struct config, f)

static const struct row rows[] = {
    {T_INT, "baseline.window_days", "28", OFF(window_days), 1, 365,
     "trailing days of history the baseline uses (recomputed each UTC day)"},
    {T_INT, "baseline.min_history_days", "7", OFF(min_history_days), 1, 365,
     "days of history in the account/region before a key may raise anything"},
    {T_DOUBLE, "detector.alpha_start", "1e-6", OFF(alpha_start), 1e-15, 0.5,
     "upper-tail probability at or below which a minute is unusual"},
    {T_DOUBLE, "detector.alpha_end", "1e-3", OFF(alpha_end), 1e-15, 0.5,
     "a minute whose tail probability is above this counts as normal again"},
    {T_INT, "detector.min_count", "5", OFF(min_count), 1, 1000000,
     "calls (or errors) in one minute below which no Insight starts"},
    {T_DOUBLE, "detector.min_ratio", "3.0", OFF(min_ratio), 1, 1e9,
     "observed/expected ratio below which no Insight starts"},
    {T_INT, "detector.end_after_minutes", "5", OFF(end_after_minutes), 1, 1440,
     "consecutive normal minutes that end an Insight"},
    {T_BOOL, "detector.call_rate", "true", OFF(call_rate), 0, 0,
     "raise ApiCallRateInsight"},
    {T_BOOL, "detector.error_rate", "true", OFF(error_rate), 0, 0,
     "raise ApiErrorRateInsight"},
    {T_SIZE, "input.max_record_bytes", "1M", OFF(max_record_bytes), KIB, GIB,
     "larger records are skipped and reported"},
    {T_INT, "input.max_depth", "64", OFF(max_depth), 4, 1024,
     "JSON nesting limit"},
    {T_BOOL, "input.infer_missing", "false", OFF(infer_missing), 0, 0,
     "classify records lacking managementEvent/eventCategory/readOnly by "
     "eventType and eventName"},
    {T_INT, "output.precision", "6", OFF(precision), 1, 17,
     "significant digits of averages in Insight records"},
};

#define NROWS (sizeof rows / sizeof rows[0])

/* Top-level sections; "ignore" is the one that is not a row table. */
static const char *const sections[] = {
    "baseline", "detector", "input", "output", "ignore",
};

#define NSECTIONS (sizeof sections / sizeof sections[0])
#define SECTION_LIST "baseline, detector, input, output, ignore"

/* Fields of an ignore rule. */
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

/* A parsed value, before it is stored. */
union value {
    long i;
    double d;
    int b;
    size_t z;
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

/* Index of the row "section.key", or -1. */
static int find_row(const char *section, const char *key)
{
    size_t slen = strlen(section);

    for (size_t i = 0; i < NROWS; i++) {
        const char *k = rows[i].key;
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
        if (strcmp(sections[i], name) == 0)
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

/* "window_days, min_history_days" for section into buf. */
static void section_keys(const char *section, char *buf, size_t n)
{
    size_t slen = strlen(section);
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < NROWS && used < n; i++) {
        const char *k = rows[i].key;
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
    }
    return P_BAD_TYPE;
}

static void store(struct config *c, const struct row *r, const union value *v)
{
    char *field = (char *)c + r->off;

    switch (r->type) {
    case T_INT:
        *(int *)(void *)field = (int)v->i;
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

/* The current event is the value of row r. */
static int set_row(struct ctx *x, int r)
{
    const struct row *row = &rows[r];
    char want[128];
    union value v;
    const char *s;

    expected_text(row, want, sizeof want);
    if (x->ev.type != YAML_SCALAR_EVENT)
        return fail(x, line(x), "%s: expected %s, not %s", row->key, want,
                    kind(&x->ev));
    if (is_null(&x->ev))
        return fail(x, line(x), "%s: missing value; expected %s", row->key,
                    want);
    s = scalar_text(x);
    if (!s)
        return -1;
    switch (parse_value(row, s, &v)) {
    case P_OK:
        store(x->c, row, &v);
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

/* The current event is the value of section sec (not "ignore"). */
static int parse_section(struct ctx *x, int sec)
{
    const char *name = sections[sec];
    char key[KEY_MAX], valid[256];

    if (is_null(&x->ev))
        return 0; /* "baseline:" with every key commented out */
    if (x->ev.type != YAML_MAPPING_START_EVENT)
        return fail(x, line(x), "section '%s' must be a mapping of keys "
                    "(indented 'key: value' lines), not %s", name,
                    kind(&x->ev));
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
        r = find_row(name, key);
        if (r < 0) {
            section_keys(name, valid, sizeof valid);
            return fail(x, kline, "unknown key '%s' in section '%s'; valid "
                        "keys: %s (see config/ctinsights.yaml)", key, name,
                        valid);
        }
        if (x->row_line[r])
            return fail(x, kline, "duplicate key %s (first given on line "
                        "%zu)", rows[r].key, x->row_line[r]);
        x->row_line[r] = kline;
        if (next(x) || set_row(x, r))
            return -1;
    }
}

static void free_rule(struct config_ignore *r)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        char **slot = field_slot(r, i);
        xfree(*slot);
        *slot = NULL;
    }
}

static void free_rules(struct config *c)
{
    for (size_t i = 0; i < c->n_ignore; i++)
        free_rule(&c->ignore[i]);
    xfree(c->ignore);
    c->ignore = NULL;
    c->n_ignore = 0;
}

/* The current event starts one item of the ignore sequence.  On success the
 * rule is appended to x->c. */
static int parse_rule(struct ctx *x)
{
    struct config_ignore r;
    size_t rline = line(x);
    size_t fline[NFIELDS] = {0};
    size_t nset = 0;
    char key[KEY_MAX];
    int rc = -1;

    memset(&r, 0, sizeof r);
    if (is_null(&x->ev)) {
        fail(x, rline, "ignore rule has no keys; give at least one of "
             FIELD_LIST);
        goto out;
    }
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        fail(x, rline, "each ignore rule must be a mapping such as "
             "'- event_source: s3.amazonaws.com', not %s", kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kline;
        const char *s;
        int f;

        if (next(x))
            goto out;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            break;
        kline = line(x);
        if (read_key(x, key, "an ignore rule"))
            goto out;
        f = find_field(key);
        if (f < 0) {
            fail(x, kline, "unknown key '%s' in ignore rule; valid keys: "
                 FIELD_LIST, key);
            goto out;
        }
        if (fline[f]) {
            fail(x, kline, "duplicate key ignore.%s (first given on line "
                 "%zu)", key, fline[f]);
            goto out;
        }
        fline[f] = kline;
        if (next(x))
            goto out;
        if (x->ev.type != YAML_SCALAR_EVENT) {
            fail(x, line(x), "ignore.%s: expected a glob, not %s", key,
                 kind(&x->ev));
            goto out;
        }
        s = scalar_text(x);
        if (!s)
            goto out;
        if (is_null(&x->ev) || !*s) {
            fail(x, line(x), "ignore.%s: empty pattern; give a glob such as "
                 "'*', or leave the key out to match anything", key);
            goto out;
        }
        *field_slot(&r, (size_t)f) = xstrdup(s);
        nset++;
    }
    if (nset == 0) {
        fail(x, rline, "ignore rule has no keys; give at least one of "
             FIELD_LIST);
        goto out;
    }
    if (r.insight_type &&
        fnmatch(r.insight_type, "ApiCallRateInsight", 0) != 0 &&
        fnmatch(r.insight_type, "ApiErrorRateInsight", 0) != 0) {
        fail(x, fline[find_field("insight_type")], "ignore.insight_type: "
             "'%.40s' matches neither ApiCallRateInsight nor "
             "ApiErrorRateInsight", r.insight_type);
        goto out;
    }
    x->c->ignore = xrealloc(x->c->ignore,
                            (x->c->n_ignore + 1) * sizeof *x->c->ignore);
    x->c->ignore[x->c->n_ignore++] = r;
    memset(&r, 0, sizeof r); /* now owned by x->c */
    rc = 0;
out:
    free_rule(&r);
    return rc;
}

/* The current event is the value of "ignore".  A file that gives ignore:
 * replaces any rules c already had. */
static int parse_ignore(struct ctx *x)
{
    if (is_null(&x->ev)) {
        free_rules(x->c);
        return 0;
    }
    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return fail(x, line(x), "ignore must be a sequence of rules (lines "
                    "starting with '- '), not %s", kind(&x->ev));
    free_rules(x->c);
    for (;;) {
        if (next(x))
            return -1;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            return 0;
        if (parse_rule(x))
            return -1;
    }
}

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
        if (next(x))
            return -1;
        if (strcmp(key, "ignore") == 0) {
            if (parse_ignore(x))
                return -1;
        } else if (parse_section(x, sec)) {
            return -1;
        }
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
    if (!(c->alpha_end > c->alpha_start))
        return fail(x, later_line(x, "detector.alpha_start",
                                  "detector.alpha_end"),
                    "detector.alpha_end (%g) must be greater than "
                    "detector.alpha_start (%g)", c->alpha_end,
                    c->alpha_start);
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
    c->ignore = NULL;
    c->n_ignore = 0;
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
    free_rules(c);
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

int config_ignored(const struct config *c, const char *account,
                   const char *region, const char *event_source,
                   const char *event_name, const char *error_code,
                   const char *insight_type)
{
    if (!c)
        return 0;
    for (size_t i = 0; i < c->n_ignore; i++) {
        const struct config_ignore *r = &c->ignore[i];

        if (field_matches(r->account, account) &&
            field_matches(r->region, region) &&
            field_matches(r->event_source, event_source) &&
            field_matches(r->event_name, event_name) &&
            field_matches(r->error_code, error_code) &&
            field_matches(r->insight_type, insight_type))
            return 1;
    }
    return 0;
}
