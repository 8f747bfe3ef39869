/*
 * config_yaml — the libyaml event walker, messages, scalar values and the
 * grammar of plain sections.
 *
 * The loader walks the libyaml event stream (yaml_parser_parse) by recursive
 * descent over a fixed grammar:
 *
 *   stream     := nothing | one document
 *   document   := null | mapping of section -> body
 *   body       := null | mapping of key -> scalar   (baseline, detector,
 *                                                    gaps, input, sources,
 *                                                    output, score, state,
 *                                                    tail, alerting)
 *
 * The other sections' bodies are parsed in config_rules.c (categories,
 * ignore, overrides, suppress) and config_sinks.c (sinks).  Anything outside
 * the grammar is an error naming "file:line" (config_int.h).
 */
#include "config_int.h"

#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Nesting limit for collections.  The grammar never goes deeper than
 * four (document mapping > suppress sequence > rule mapping > match mapping
 * or weekdays sequence), and anything unexpected is an error at its first
 * event, so this is a backstop should the grammar grow. */
#define MAX_DEPTH 32

static int parse_section(struct ctx *x, int sec);

/* Top-level sections and the parser of each one's body.  Sections parsed
 * by parse_section hold rows of the same prefix. */
static const struct {
    const char *name;
    int (*parse)(struct ctx *x, int sec);
} sections[] = {
    {"baseline", parse_section},
    {"detector", parse_section},
    {"gaps", parse_section},
    {"categories", config__parse_categories},
    {"input", parse_section},
    {"sources", parse_section},
    {"output", parse_section},
    {"score", parse_section},
    {"state", parse_section},
    {"tail", parse_section},
    {"ignore", config__parse_ignore},
    {"overrides", config__parse_overrides},
    {"suppress", config__parse_suppress},
    {"alerting", parse_section},
    {"sinks", config__parse_sinks},
};

#define NSECTIONS (sizeof sections / sizeof sections[0])
#define SECTION_LIST                                                      \
    "baseline, detector, gaps, categories, input, sources, output, "      \
    "score, state, tail, ignore, overrides, suppress, alerting, sinks"

_Static_assert(NSECTIONS <= CONFIG__MAX_SECTIONS,
               "raise CONFIG__MAX_SECTIONS");

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

void config__message(char *err, size_t errlen, const char *name, size_t line,
                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(err, errlen, name, line, fmt, ap);
    va_end(ap);
}

/* Record the first error of a load.  Always returns -1 so that callers can
 * write "return config__fail(...)". */
int config__fail(struct ctx *x, size_t line, const char *fmt, ...)
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

const char *config__section_name(int sec)
{
    return sections[sec].name;
}

/* Index of the row "section.key" in table t of n rows, or -1. */
int config__find_row(const struct config_row *t, size_t n, const char *section,
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

static int find_section(const char *name)
{
    for (size_t i = 0; i < NSECTIONS; i++) {
        if (strcmp(sections[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}
/* "window_days, min_history_days" for section of table t into buf,
 * after what buf already holds. */
void config__section_keys(const struct config_row *t, size_t nt,
                          const char *section, char *buf, size_t n)
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
enum parse config__parse_value(const struct config_row *r, const char *s,
                              union value *v)
{
    enum parse p;
    unsigned long long z = 0;

    switch (r->type) {
    case CONFIG_INT:
        p = parse_int(s, &v->i);
        if (p == P_OK && ((double)v->i < r->min || (double)v->i > r->max))
            p = P_RANGE;
        return p;
    case CONFIG_DOUBLE:
        p = parse_double(s, &v->d);
        if (p == P_OK && (v->d < r->min || v->d > r->max))
            p = P_RANGE;
        return p;
    case CONFIG_BOOL:
        return parse_bool(s, &v->b);
    case CONFIG_SIZE:
        p = parse_size(s, &z);
        if (p == P_OK && ((double)z < r->min || (double)z > r->max))
            p = P_RANGE;
        v->z = (size_t)z; /* within max, so it fits */
        return p;
    case CONFIG_STRING:
        v->s = s;
        return *s ? P_OK : P_BAD_TYPE;
    case CONFIG_ENUM:
        for (long i = 0; r->choices[i]; i++) {
            if (strcmp(r->choices[i], s) == 0) {
                v->i = i;
                return P_OK;
            }
        }
        return P_BAD_TYPE;
    case CONFIG_ARGV:
        break; /* a sequence, read by read_argv */
    }
    return P_BAD_TYPE;
}

/* Store v in row r's field of base (a struct config, a struct
 * config_override for override_rows, a struct config_sink for sink_rows).
 * A string is copied, replacing (and freeing) the one the field held. */
void config__store(void *base, const struct config_row *r,
                   const union value *v)
{
    char *field = (char *)base + r->off;

    switch (r->type) {
    case CONFIG_INT:
    case CONFIG_ENUM:
        *(int *)(void *)field = (int)v->i;
        break;
    case CONFIG_STRING:
        xfree(*(char **)(void *)field);
        *(char **)(void *)field = xstrdup(v->s);
        break;
    case CONFIG_ARGV:
        break;
    case CONFIG_DOUBLE:
        *(double *)(void *)field = v->d;
        break;
    case CONFIG_BOOL:
        *(int *)(void *)field = v->b;
        break;
    case CONFIG_SIZE:
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
static void expected_text(const struct config_row *r, char *buf, size_t n)
{
    char lo[32], hi[32];

    switch (r->type) {
    case CONFIG_INT:
        snprintf(buf, n, "an integer in %.0f..%.0f", r->min, r->max);
        break;
    case CONFIG_DOUBLE:
        snprintf(buf, n, "a number in %g..%g", r->min, r->max);
        break;
    case CONFIG_BOOL:
        snprintf(buf, n, "true/false, yes/no or on/off");
        break;
    case CONFIG_SIZE:
        size_text(r->min, lo, sizeof lo);
        size_text(r->max, hi, sizeof hi);
        snprintf(buf, n, "a size in %s..%s (bytes, or a number with suffix "
                 "k, M or G)", lo, hi);
        break;
    case CONFIG_STRING:
        snprintf(buf, n, "a non-empty string");
        break;
    case CONFIG_ENUM: {
        size_t used = (size_t)snprintf(buf, n, "one of");
        for (size_t i = 0; r->choices[i] && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, "%s %s",
                                     i ? "," : "", r->choices[i]);
        break;
    }
    case CONFIG_ARGV:
        snprintf(buf, n, "a sequence of arguments such as [/usr/bin/logger, "
                 "-t, ctinsights]");
        break;
    }
}

/* ---- events ------------------------------------------------------------ */

size_t config__line(const struct ctx *x)
{
    return x->ev.start_mark.line + 1;
}

int config__is_null(const yaml_event_t *ev)
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
const char *config__kind(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_MAPPING_START_EVENT:
        return "a mapping";
    case YAML_SEQUENCE_START_EVENT:
        return "a sequence";
    case YAML_SCALAR_EVENT:
        return config__is_null(ev) ? "an empty value" : "a scalar";
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
        return config__fail(x, 0, "out of memory while parsing YAML");
    case YAML_READER_ERROR:
        return config__fail(x, line_of_offset(x, p->problem_offset),
                    "cannot read YAML text: %s at byte %zu; the file must be "
                    "UTF-8", problem, p->problem_offset);
    default:
        if (p->context)
            return config__fail(x, p->problem_mark.line + 1,
                        "yaml syntax error: %s (%s on line %zu)", problem,
                        p->context, p->context_mark.line + 1);
        return config__fail(x, p->problem_mark.line + 1,
                            "yaml syntax error: %s", problem);
    }
}

/* Replace the current event with the next one.  Returns 0, or -1 with the
 * message set: after a syntax error there is no current event; after an
 * alias or too deep a nesting the offending event is current, and
 * config_load_string's cleanup deletes it. */
int config__next(struct ctx *x)
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
            return config__fail(x, config__line(x),
                                "nesting deeper than %d levels", MAX_DEPTH);
        break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        x->depth--;
        break;
    case YAML_ALIAS_EVENT:
        return config__fail(x, config__line(x),
                            "aliases (*%s) are not supported; write the "
                            "value out",
                            (const char *)x->ev.data.alias.anchor);
    default:
        break;
    }
    return 0;
}

/* The current event's scalar text, or NULL (message set) when it contains
 * a NUL byte, which no setting or glob can use. */
const char *config__scalar_text(struct ctx *x)
{
    const char *s = (const char *)x->ev.data.scalar.value;

    if (strlen(s) != x->ev.data.scalar.length) {
        config__fail(x, config__line(x), "NUL character in a value");
        return NULL;
    }
    return s;
}

/* Copy the current event, which must be a mapping key, into key[KEY_MAX]
 * (truncated keys are unknown anyway).  what names the mapping. */
int config__read_key(struct ctx *x, char *key, const char *what)
{
    const char *s;

    if (x->ev.type != YAML_SCALAR_EVENT)
        return config__fail(x, config__line(x),
                            "keys in %s must be names, not %s", what,
                            config__kind(&x->ev));
    s = config__scalar_text(x);
    if (!s)
        return -1;
    snprintf(key, KEY_MAX, "%s", s);
    return 0;
}

int config__next_key(struct ctx *x, char *key, const char *what, size_t *line)
{
    if (config__next(x))
        return -1;
    if (x->ev.type == YAML_MAPPING_END_EVENT)
        return 0;
    *line = config__line(x);
    return config__read_key(x, key, what) ? -1 : 1;
}

/* ---- grammar ----------------------------------------------------------- */

/* The current event is the value of key (for messages): its text, or NULL
 * (message set) when it is not a scalar or is empty.  want says what was
 * expected. */
const char *config__value_text(struct ctx *x, const char *key,
                              const char *want)
{
    if (x->ev.type != YAML_SCALAR_EVENT) {
        config__fail(x, config__line(x), "%s: expected %s, not %s", key, want,
                     config__kind(&x->ev));
        return NULL;
    }
    if (config__is_null(&x->ev)) {
        config__fail(x, config__line(x), "%s: missing value; expected %s", key,
                     want);
        return NULL;
    }
    return config__scalar_text(x);
}

/* The current event is the value of row; store it into base. */
int config__set_value(struct ctx *x, const struct config_row *row, void *base)
{
    char want[128];
    union value v;
    const char *s;

    expected_text(row, want, sizeof want);
    s = config__value_text(x, row->key, want);
    if (!s)
        return -1;
    switch (config__parse_value(row, s, &v)) {
    case P_OK:
        config__store(base, row, &v);
        return 0;
    case P_RANGE:
        return config__fail(x, config__line(x),
                            "%s: %.40s is out of range; expected %s", row->key,
                            s, want);
    case P_BAD_TYPE:
        break;
    }
    return config__fail(x, config__line(x),
                        "%s: '%.40s' is not valid; expected %s", row->key, s,
                        want);
}

/* The current event is the value of section sec: 1 when it is a mapping
 * to walk, 0 when it is empty ("baseline:" with every key commented out),
 * -1 (message set) otherwise. */
int config__section_mapping(struct ctx *x, int sec)
{
    if (config__is_null(&x->ev))
        return 0;
    if (x->ev.type != YAML_MAPPING_START_EVENT)
        return config__fail(x, config__line(x),
                            "section '%s' must be a mapping of keys "
                            "(indented 'key: value' lines), not %s",
                            config__section_name(sec), config__kind(&x->ev));
    return 1;
}

/* The current event is the value of section sec, a section of rows. */
static int parse_section(struct ctx *x, int sec)
{
    const char *name = config__section_name(sec);
    char key[KEY_MAX], valid[256] = "";
    int m = config__section_mapping(x, sec);

    if (m <= 0)
        return m;
    for (;;) {
        size_t kline;
        int r;
        int got = config__next_key(x, key, name, &kline);

        if (got < 0)
            return -1;
        if (got == 0)
            return 0;
        r = config__find_row(config__rows, config__nrows, name, key);
        if (r < 0) {
            config__section_keys(config__rows, config__nrows, name, valid,
                                 sizeof valid);
            return config__fail(x, kline,
                                "unknown key '%s' in section '%s'; valid "
                                "keys: %s (see config/ctinsights.yaml)",
                                key, name, valid);
        }
        if (x->row_line[r])
            return config__fail(x, kline,
                                "duplicate key %s (first given on line "
                                "%zu)",
                                config__rows[r].key, x->row_line[r]);
        x->row_line[r] = kline;
        if (config__next(x) || config__set_value(x, &config__rows[r], x->c))
            return -1;
    }
}
/* ---- document ---------------------------------------------------------- */

/* The current event starts the top-level mapping. */
static int parse_sections(struct ctx *x)
{
    char key[KEY_MAX];

    for (;;) {
        size_t kline;
        int sec;
        int got = config__next_key(x, key, "the top level", &kline);

        if (got < 0)
            return -1;
        if (got == 0)
            return 0;
        sec = find_section(key);
        if (sec < 0)
            return config__fail(
                x, kline,
                "unknown section '%s'; valid sections: " SECTION_LIST
                " (see config/ctinsights.yaml)",
                key);
        if (x->section_line[sec])
            return config__fail(x, kline,
                                "duplicate key %s (first given on line "
                                "%zu)",
                                key, x->section_line[sec]);
        x->section_line[sec] = kline;
        if (config__next(x) || sections[sec].parse(x, sec))
            return -1;
    }
}

int config__parse_stream(struct ctx *x)
{
    if (config__next(x)) /* STREAM-START */
        return -1;
    if (config__next(x))
        return -1;
    if (x->ev.type == YAML_STREAM_END_EVENT)
        return 0; /* empty, or only comments */
    if (config__next(x)) /* past DOCUMENT-START */
        return -1;
    if (x->ev.type == YAML_MAPPING_START_EVENT) {
        if (parse_sections(x))
            return -1;
    } else if (!config__is_null(&x->ev)) {
        return config__fail(x, config__line(x),
                            "the top level must be a mapping of sections "
                            "(" SECTION_LIST "), not %s",
                            config__kind(&x->ev));
    }
    if (config__next(x)) /* DOCUMENT-END */
        return -1;
    if (config__next(x))
        return -1;
    if (x->ev.type == YAML_DOCUMENT_START_EVENT)
        return config__fail(x, config__line(x),
                            "only one YAML document is allowed; remove "
                            "the second '---'");
    return 0;
}

