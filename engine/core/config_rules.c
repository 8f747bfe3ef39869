/*
 * config_rules — the rule sections: categories, ignore, overrides,
 * suppress, and the match/glob reading they (and sinks) share.
 *
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
 *   match      := mapping of field -> glob (at least one field)
 *
 * The scalar settings of an override use the settings machinery with their
 * own small table (override_rows[]).  A rule being parsed is owned by its
 * parser function until it is appended to c, and freed on that function's
 * one exit path otherwise.
 */
#include "config_int.h"

#include "timefmt.h"
#include "xalloc.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Settings of one override; a setting left out stays -1.  def is unused. */
#define OOFF(f) offsetof(struct config_override, f)

static const struct config_row override_rows[] = {
    {CONFIG_DOUBLE, "overrides.sensitivity", NULL, OOFF(sensitivity), 1, 10,
     "detector.sensitivity for the matching keys", NULL},
    {CONFIG_INT, "overrides.min_count", NULL, OOFF(min_count), 1, 1000000,
     "detector.min_count for the matching keys", NULL},
    {CONFIG_INT, "overrides.min_history_days", NULL, OOFF(min_history_days), 1,
     365, "baseline.min_history_days for the matching keys", NULL},
    {CONFIG_BOOL, "overrides.gaps", NULL, OOFF(gaps), 0, 0,
     "gaps.enabled for the matching keys", NULL},
};

#define NOVERRIDE_ROWS (sizeof override_rows / sizeof override_rows[0])

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

static int parse_clock(const char **p, int max_hour, int *out)
{
    int h, m;

    if (timefmt_digits(*p, 2, &h) || (*p)[2] != ':' ||
        timefmt_digits(*p + 3, 2, &m) || m > 59 || h > max_hour ||
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

    if (config__is_null(&x->ev)) {
        free_codes(c);
        return 0;
    }
    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return config__fail(
            x, config__line(x),
            "categories.service_limit_codes: expected a "
            "sequence of error codes such as [MyQuotaExceeded], not "
            "%s",
            config__kind(&x->ev));
    free_codes(c);
    for (;;) {
        if (config__next(x))
            return -1;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            return 0;
        s = config__value_text(x, "categories.service_limit_codes",
                               "an error code");
        if (!s)
            return -1;
        if (!*s)
            return config__fail(x, config__line(x),
                                "categories.service_limit_codes: empty "
                                "error code");
        c->limit_codes = xrealloc(c->limit_codes, (c->n_limit_codes + 1) *
                                  sizeof *c->limit_codes);
        c->limit_codes[c->n_limit_codes++] = xstrdup(s);
    }
}

/* The current event is the value of the categories section. */
int config__parse_categories(struct ctx *x, int sec)
{
    const char *name = config__section_name(sec);
    char key[KEY_MAX];
    size_t codes_line = 0;
    int m = config__section_mapping(x, sec);

    if (m <= 0)
        return m;
    for (;;) {
        size_t kline;
        int got = config__next_key(x, key, name, &kline);

        if (got < 0)
            return -1;
        if (got == 0)
            return 0;
        if (strcmp(key, "service_limit_codes") != 0)
            return config__fail(x, kline,
                                "unknown key '%s' in section '%s'; valid "
                                "keys: service_limit_codes (see "
                                "config/ctinsights.yaml)",
                                key, name);
        if (codes_line)
            return config__fail(x, kline,
                                "duplicate key %s.%s (first given on line "
                                "%zu)",
                                name, key, codes_line);
        codes_line = kline;
        if (config__next(x) || parse_codes(x))
            return -1;
    }
}

/* ---- matches, lists of rules ------------------------------------------- */

void config__free_match(struct config_ignore *r)
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
        return config__fail(x, config__line(x),
                            "%s.%s: expected a glob, not %s", prefix, key,
                            config__kind(&x->ev));
    s = config__scalar_text(x);
    if (!s)
        return -1;
    if (config__is_null(&x->ev) || !*s)
        return config__fail(x, config__line(x),
                            "%s.%s: empty pattern; give a glob such as "
                            "'*', or leave the key out to match anything",
                            prefix, key);
    *out = xstrdup(s);
    return 0;
}

/* The current event starts a match: a mapping of field -> glob with at
 * least one field.  what names it in messages ("ignore rule"), prefix
 * qualifies its keys ("ignore" gives "ignore.region").  The globs go into
 * r, which must start empty; the caller frees them (free_match), also when
 * this fails. */
int config__parse_match(struct ctx *x, struct config_ignore *r,
                       const char *what, const char *prefix)
{
    size_t mline = config__line(x);
    size_t fline[NFIELDS] = {0};
    size_t nset = 0;
    char key[KEY_MAX];

    if (config__is_null(&x->ev))
        return config__fail(x, mline, "%s has no keys; give at least one of "
                    FIELD_LIST, what);
    if (x->ev.type != YAML_MAPPING_START_EVENT)
        return config__fail(x, mline, "%s must be a mapping of fields such as "
                    "'event_source: s3.amazonaws.com', not %s", what,
                    config__kind(&x->ev));
    for (;;) {
        size_t kline;
        int f;
        int got = config__next_key(x, key, what, &kline);

        if (got < 0)
            return -1;
        if (got == 0)
            break;
        f = find_field(key);
        if (f < 0)
            return config__fail(
                x, kline, "unknown key '%s' in %s; valid keys: " FIELD_LIST,
                key, what);
        if (fline[f])
            return config__fail(x, kline,
                                "duplicate key %s.%s (first given on line "
                                "%zu)",
                                prefix, key, fline[f]);
        fline[f] = kline;
        if (config__next(x) ||
            read_glob(x, prefix, key, field_slot(r, (size_t)f)))
            return -1;
        nset++;
    }
    if (nset == 0)
        return config__fail(x, mline, "%s has no keys; give at least one of "
                    FIELD_LIST, what);
    if (r->insight_type &&
        fnmatch(r->insight_type, "ApiCallRateInsight", 0) != 0 &&
        fnmatch(r->insight_type, "ApiErrorRateInsight", 0) != 0)
        return config__fail(x, fline[find_field("insight_type")],
                            "%s.insight_type: "
                            "'%.40s' matches neither ApiCallRateInsight nor "
                            "ApiErrorRateInsight",
                            prefix, r->insight_type);
    return 0;
}

/* The current event is the value of the list section sec: null, or a
 * sequence whose items item() appends to x->c.  A file that gives the
 * section replaces what clear() removes. */
int config__parse_list(struct ctx *x, int sec, void (*clear)(struct config *),
                      int (*item)(struct ctx *))
{
    if (config__is_null(&x->ev)) {
        clear(x->c);
        return 0;
    }
    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return config__fail(x, config__line(x),
                            "%s must be a sequence of rules (lines "
                            "starting with '- '), not %s",
                            config__section_name(sec), config__kind(&x->ev));
    clear(x->c);
    for (;;) {
        if (config__next(x))
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
        config__free_match(&c->ignore[i]);
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
    if (config__parse_match(x, &r, "ignore rule", "ignore"))
        goto out;
    x->c->ignore = xrealloc(x->c->ignore,
                            (x->c->n_ignore + 1) * sizeof *x->c->ignore);
    x->c->ignore[x->c->n_ignore++] = r;
    memset(&r, 0, sizeof r); /* now owned by x->c */
    rc = 0;
out:
    config__free_match(&r);
    return rc;
}

int config__parse_ignore(struct ctx *x, int sec)
{
    return config__parse_list(x, sec, free_ignore, parse_rule);
}

/* Set every number of table t (n rows) in base to -1: not given.
 * Strings and argument vectors stay NULL. */
static void store_unset(void *base, const struct config_row *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        union value v;

        switch (t[i].type) {
        case CONFIG_STRING:
        case CONFIG_ARGV:
            continue;
        case CONFIG_INT:
        case CONFIG_ENUM:
            v.i = -1;
            break;
        case CONFIG_DOUBLE:
            v.d = -1.0;
            break;
        case CONFIG_BOOL:
            v.b = -1;
            break;
        case CONFIG_SIZE:
            v.z = (size_t)-1;
            break;
        }
        config__store(base, &t[i], &v);
    }
}

/* Exactly n decimal digits at s into *out. */
/* ---- overrides --------------------------------------------------------- */

static void free_overrides(struct config *c)
{
    for (size_t i = 0; i < c->n_overrides; i++)
        config__free_match(&c->overrides[i].match);
    xfree(c->overrides);
    c->overrides = NULL;
    c->n_overrides = 0;
}

/* The current event starts one item of the overrides sequence.  On success
 * the override is appended to x->c. */
static int parse_override(struct ctx *x)
{
    struct config_override o;
    size_t oline = config__line(x), match_line = 0;
    size_t sline[NOVERRIDE_ROWS] = {0};
    size_t nset = 0;
    char key[KEY_MAX], settings[256] = "";
    int rc = -1;

    memset(&o, 0, sizeof o);
    store_unset(&o, override_rows, NOVERRIDE_ROWS);
    config__section_keys(override_rows, NOVERRIDE_ROWS, "overrides", settings,
                 sizeof settings);
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        config__fail(x, oline, "each override must be a mapping of match: and "
             "settings (%s), not %s", settings, config__kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kline;
        int r;
        int got = config__next_key(x, key, "an override", &kline);

        if (got < 0)
            goto out;
        if (got == 0)
            break;
        if (strcmp(key, "match") == 0) {
            if (match_line) {
                config__fail(x, kline,
                             "duplicate key overrides.match (first given "
                             "on line %zu)",
                             match_line);
                goto out;
            }
            match_line = kline;
            if (config__next(x) ||
                config__parse_match(x, &o.match, "overrides.match",
                                    "overrides.match"))
                goto out;
            continue;
        }
        r = config__find_row(override_rows, NOVERRIDE_ROWS, "overrides", key);
        if (r < 0) {
            config__fail(x, kline, "unknown key '%s' in override; valid keys: "
                 "match, %s", key, settings);
            goto out;
        }
        if (sline[r]) {
            config__fail(x, kline,
                         "duplicate key %s (first given on line %zu)",
                         override_rows[r].key, sline[r]);
            goto out;
        }
        sline[r] = kline;
        if (config__next(x) || config__set_value(x, &override_rows[r], &o))
            goto out;
        nset++;
    }
    if (!match_line) {
        config__fail(x, oline,
                     "override has no match:; give a mapping of at least "
                     "one of " FIELD_LIST);
        goto out;
    }
    if (nset == 0) {
        config__fail(x, oline,
                     "override sets nothing; give at least one of %s",
                     settings);
        goto out;
    }
    x->c->overrides = xrealloc(x->c->overrides, (x->c->n_overrides + 1) *
                               sizeof *x->c->overrides);
    x->c->overrides[x->c->n_overrides++] = o;
    memset(&o.match, 0, sizeof o.match); /* now owned by x->c */
    rc = 0;
out:
    config__free_match(&o.match);
    return rc;
}

int config__parse_overrides(struct ctx *x, int sec)
{
    return config__parse_list(x, sec, free_overrides, parse_override);
}

/* ---- suppress ---------------------------------------------------------- */

static void free_suppress_rule(struct config_suppress *r)
{
    config__free_match(&r->match);
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
    const char *s = config__value_text(x, key, want);
    int64_t minute;

    if (!s)
        return -1;
    switch (timefmt_parse_minute(s, &minute)) {
    case 0:
        *out = minute;
        return 0;
    case -2:
        return config__fail(x, config__line(x), "%s: %.40s is before 1970",
                            key, s);
    default:
        break;
    }
    return config__fail(x, config__line(x),
                        "%s: '%.40s' is not valid; expected %s", key, s, want);
}

/* The current event is the value of suppress.daily. */
static int read_daily(struct ctx *x, int *from, int *to)
{
    static const char want[] = "a UTC time range HH:MM-HH:MM such as "
                               "22:00-02:00 (may wrap midnight)";
    const char *s = config__value_text(x, "suppress.daily", want);

    if (!s)
        return -1;
    switch (parse_daily(s, from, to)) {
    case P_OK:
        return 0;
    case P_RANGE:
        return config__fail(
            x, config__line(x),
            "suppress.daily: '%.40s' is empty; its start "
            "and end must differ (00:00-24:00 is the whole day)",
            s);
    case P_BAD_TYPE:
        break;
    }
    return config__fail(x, config__line(x),
                        "suppress.daily: '%.40s' is not valid; expected "
                        "%s",
                        s, want);
}

/* The current event is the value of suppress.weekdays: a non-empty
 * sequence of day names into the bitmask *out. */
static int read_weekdays(struct ctx *x, unsigned *out)
{
    static const char want[] = "mon, tue, wed, thu, fri, sat or sun";
    size_t wline = config__line(x);
    unsigned mask = 0;

    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return config__fail(x, wline,
                            "suppress.weekdays: expected a sequence of "
                            "days such as [sat, sun], not %s",
                            config__kind(&x->ev));
    for (;;) {
        const char *s;
        int d;

        if (config__next(x))
            return -1;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        s = config__value_text(x, "suppress.weekdays", want);
        if (!s)
            return -1;
        d = find_day(s);
        if (d < 0)
            return config__fail(x, config__line(x),
                                "suppress.weekdays: '%.40s' is not a "
                                "day; expected %s",
                                s, want);
        mask |= 1u << d;
    }
    if (!mask)
        return config__fail(x, wline,
                            "suppress.weekdays: empty list; leave the key "
                            "out to mean every day");
    *out = mask;
    return 0;
}

/* The current event is the value of condition k of suppress rule r. */
static int read_cond(struct ctx *x, struct config_suppress *r, enum cond k)
{
    switch (k) {
    case S_MATCH:
        return config__parse_match(x, &r->match, "suppress.match",
                                   "suppress.match");
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
    return config__fail(x, config__line(x), "internal error: condition %d",
                        (int)k);
}

/* The current event starts one item of the suppress sequence.  On success
 * the rule is appended to x->c. */
static int parse_suppress_rule(struct ctx *x)
{
    struct config_suppress r;
    size_t rline = config__line(x);
    size_t kline_of[NCONDS] = {0};
    size_t nset = 0;
    char key[KEY_MAX];
    int rc = -1;

    memset(&r, 0, sizeof r);
    r.from = r.until = -1;
    r.daily_from = r.daily_to = -1;
    if (config__is_null(&x->ev)) {
        config__fail(x, rline,
                     "suppress rule has no conditions; give at least one "
                     "of " COND_LIST);
        goto out;
    }
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        config__fail(x, rline,
                     "each suppress rule must be a mapping of conditions "
                     "(" COND_LIST "), not %s",
                     config__kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kline;
        int k;
        int got = config__next_key(x, key, "a suppress rule", &kline);

        if (got < 0)
            goto out;
        if (got == 0)
            break;
        k = find_cond(key);
        if (k < 0) {
            config__fail(
                x, kline,
                "unknown key '%s' in suppress rule; valid keys: " COND_LIST,
                key);
            goto out;
        }
        if (kline_of[k]) {
            config__fail(x, kline,
                         "duplicate key suppress.%s (first given on line "
                         "%zu)",
                         key, kline_of[k]);
            goto out;
        }
        kline_of[k] = kline;
        if (config__next(x) || read_cond(x, &r, (enum cond)k))
            goto out;
        nset++;
    }
    if (nset == 0) {
        config__fail(x, rline,
                     "suppress rule has no conditions; give at least one "
                     "of " COND_LIST);
        goto out;
    }
    if (r.from >= 0 && r.until >= 0 && r.until <= r.from) {
        config__fail(x,
                     kline_of[S_UNTIL] > kline_of[S_FROM] ? kline_of[S_UNTIL]
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

int config__parse_suppress(struct ctx *x, int sec)
{
    return config__parse_list(x, sec, free_suppress, parse_suppress_rule);
}


void config__free_rules(struct config *c)
{
    free_codes(c);
    free_ignore(c);
    free_overrides(c);
    free_suppress(c);
}
