/*
 * config_sinks — the sinks section.
 *
 *   sinks      := null | sequence of sink
 *   sink       := mapping of type -> name, match -> match, argv ->
 *                 sequence of non-empty scalar, and setting -> scalar
 *                 (type required; sink_rows[] say which settings a type
 *                 takes and their defaults)
 *
 * A sink being parsed is owned by parse_sink until it is appended to c.
 */
#include "config_int.h"

#include "xalloc.h"

#include <stdio.h>
#include <string.h>

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
    struct config_row row;
} sink_rows[] = {
    {NULL,
     {CONFIG_STRING, "sinks.name", NULL, SOFF(name), 0, 0,
      "names the sink in messages and in the outbox (default: its "
      "type, then type-2, type-3 ...)",
      NULL}},
    {NULL,
     {CONFIG_STRING, "sinks.category", NULL, SOFF(category), 0, 0,
      "glob on the Insight's category", NULL}},
    {NULL,
     {CONFIG_DOUBLE, "sinks.min_score", "0", SOFF(min_score), 0, 1e6,
      "alert only Insights whose Start scores at least this", NULL}},
    {"alertmanager webhook",
     {CONFIG_STRING, "sinks.url", NULL, SOFF(url), 0, 0,
      "where to send (http:// or https://)", NULL}},
    {"pagerduty",
     {CONFIG_STRING, "sinks.url", "https://events.pagerduty.com/v2/enqueue",
      SOFF(url), 0, 0, "Events API v2 endpoint", NULL}},
    {"slack",
     {CONFIG_STRING, "sinks.url", NULL, SOFF(url), 0, 0,
      "the incoming webhook URL (prefer url_env or url_file)", NULL}},
    {"slack",
     {CONFIG_STRING, "sinks.url_env", NULL, SOFF(url_env), 0, 0,
      "environment variable holding the webhook URL", NULL}},
    {"slack",
     {CONFIG_STRING, "sinks.url_file", NULL, SOFF(url_file), 0, 0,
      "file holding the webhook URL", NULL}},
    {"pagerduty",
     {CONFIG_STRING, "sinks.routing_key_env", NULL, SOFF(secret_env), 0, 0,
      "environment variable holding the routing key", NULL}},
    {"pagerduty",
     {CONFIG_STRING, "sinks.routing_key_file", NULL, SOFF(secret_file), 0, 0,
      "file holding the routing key", NULL}},
    {"webhook",
     {CONFIG_STRING, "sinks.secret_env", NULL, SOFF(secret_env), 0, 0,
      "environment variable holding the signing secret", NULL}},
    {"webhook",
     {CONFIG_STRING, "sinks.secret_file", NULL, SOFF(secret_file), 0, 0,
      "file holding the signing secret", NULL}},
    {"pagerduty",
     {CONFIG_STRING, "sinks.source", "ctinsights", SOFF(source), 0, 0,
      "payload.source of the events", NULL}},
    {"exec",
     {CONFIG_ARGV, "sinks.argv", NULL, SOFF(argv), 0, 0,
      "program and arguments, run without a shell", NULL}},
    {"eventbridge",
     {CONFIG_STRING, "sinks.path", "-", SOFF(path), 0, 0,
      "file the envelopes are appended to; - is standard output", NULL}},
    {NULL,
     {CONFIG_DOUBLE, "sinks.timeout", "10", SOFF(timeout), 0.1, 600,
      "seconds one delivery may take", NULL}},
    {"alertmanager",
     {CONFIG_DOUBLE, "sinks.resend_interval", "60", SOFF(resend_interval), 1,
      86400, "seconds between re-sends of a firing alert", NULL}},
    {PAGERS,
     {CONFIG_ENUM, "sinks.group_by", "principal", SOFF(group_by), 0, 0,
      "Insights of one principal (or account) share a page", group_choices}},
    {PAGERS,
     {CONFIG_DOUBLE, "sinks.group_window", "600", SOFF(group_window), 0, 86400,
      "seconds between the first and the last Start of a page", NULL}},
    {PAGERS,
     {CONFIG_DOUBLE, "sinks.rate_per_minute", "30", SOFF(rate_per_minute),
      0.01, 60000, "deliveries per minute, sustained", NULL}},
    {RECORDS,
     {CONFIG_DOUBLE, "sinks.rate_per_minute", "600", SOFF(rate_per_minute),
      0.01, 60000, "deliveries per minute, sustained", NULL}},
    {PAGERS,
     {CONFIG_INT, "sinks.burst", "10", SOFF(burst), 1, 10000,
      "deliveries at once before the rate applies", NULL}},
    {RECORDS,
     {CONFIG_INT, "sinks.burst", "100", SOFF(burst), 1, 10000,
      "deliveries at once before the rate applies", NULL}},
    {NULL,
     {CONFIG_DOUBLE, "sinks.retry_initial", "1", SOFF(retry_initial), 0.01,
      3600, "seconds before the first retry", NULL}},
    {NULL,
     {CONFIG_DOUBLE, "sinks.retry_max", "300", SOFF(retry_max), 0.01, 86400,
      "longest wait between retries", NULL}},
    {NULL,
     {CONFIG_DOUBLE, "sinks.give_up_after", "86400", SOFF(give_up_after), 1,
      31 * 86400.0,
      "seconds after which an alert still not accepted "
      "fails",
      NULL}},
};

#define NSINK_ROWS (sizeof sink_rows / sizeof sink_rows[0])

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
    config__free_match(&s->match);
    for (size_t i = 0; i < NSINK_ROWS; i++) {
        char **slot = (char **)(void *)((char *)s + sink_rows[i].row.off);

        if (sink_rows[i].row.type == CONFIG_STRING) {
            xfree(*slot);
            *slot = NULL;
        }
    }
    free_argv(s->argv);
    memset(s, 0, sizeof *s);
}

void config__free_sinks(struct config *c)
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
    size_t aline = config__line(x), n = 0, cap = 0;
    char **v = NULL;
    const char *s;

    if (x->ev.type != YAML_SEQUENCE_START_EVENT)
        return config__fail(x, aline,
                            "sinks.argv: expected a sequence such as "
                            "[/usr/local/bin/notify, --insight], not %s",
                            config__kind(&x->ev));
    for (;;) {
        if (config__next(x))
            goto fail;
        if (x->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        s = config__value_text(x, "sinks.argv", want);
        if (!s)
            goto fail;
        if (!*s) {
            config__fail(x, config__line(x), "sinks.argv: empty argument");
            goto fail;
        }
        v = xgrow(v, &cap, n + 2, sizeof *v);
        v[n++] = xstrdup(s);
        v[n] = NULL;
    }
    if (n == 0) {
        config__fail(x, aline,
                     "sinks.argv: empty list; give the program to run");
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
    return config__fail(x, s->line, "%s sink %s; give exactly one of %s",
                        s->type,
                        given ? "has more than one of them"
                              : "needs where to find "
                                "its endpoint or secret",
                        list);
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
        return config__fail(x, s->line, "%s sink has no url; give one such as "
                    "http://127.0.0.1:9093", s->type);
    if (strcmp(s->type, "exec") == 0 && !s->argv)
        return config__fail(x, s->line,
                            "exec sink has no argv; give the program "
                            "to run and its arguments");
    if (s->url && strncmp(s->url, "http://", 7) != 0 &&
        strncmp(s->url, "https://", 8) != 0)
        return config__fail(x, kline[url_row] ? kline[url_row] : s->line,
                    "sinks.url: expected an http:// or https:// URL");
    if (s->retry_max < s->retry_initial)
        return config__fail(x, s->line,
                            "sinks.retry_max (%g) must not be less than "
                            "sinks.retry_initial (%g)",
                            s->retry_max, s->retry_initial);
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
            return config__fail(
                x, name_line ? name_line : s->line,
                "two sinks are "
                "named '%s' (the other on line %zu); give each a "
                "different name",
                s->name, c->sinks[i].line);
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
    s.line = config__line(x);
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        config__fail(x, s.line,
                     "each sink must be a mapping with a type (%s), not "
                     "%s",
                     SINK_TYPE_LIST, config__kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kl;
        int r;

        if (config__next(x))
            goto out;
        if (x->ev.type == YAML_MAPPING_END_EVENT)
            break;
        kl = config__line(x);
        if (config__read_key(x, key, "a sink"))
            goto out;
        if (strcmp(key, "type") == 0 || strcmp(key, "match") == 0) {
            size_t *seen = key[0] == 't' ? &type_line : &match_line;
            const char *t;

            if (*seen) {
                config__fail(x, kl,
                             "duplicate key sinks.%s (first given on line "
                             "%zu)",
                             key, *seen);
                goto out;
            }
            *seen = kl;
            if (config__next(x))
                goto out;
            if (key[0] == 'm') {
                if (config__parse_match(x, &s.match, "sinks.match",
                                        "sinks.match"))
                    goto out;
                continue;
            }
            t = config__value_text(x, "sinks.type", "one of " SINK_TYPE_LIST);
            if (!t)
                goto out;
            if (find_sink_type(t) < 0) {
                config__fail(x, kl,
                             "sinks.type: unknown sink type '%.40s'; valid "
                             "types: " SINK_TYPE_LIST,
                             t);
                goto out;
            }
            s.type = xstrdup(t);
            continue;
        }
        r = find_sink_row(key, NULL);
        if (r < 0) {
            sink_keys(NULL, valid, sizeof valid);
            config__fail(x, kl,
                         "unknown key '%s' in sink; valid keys: %s (see "
                         "config/ctinsights.yaml)",
                         key, valid);
            goto out;
        }
        if (kline[r]) {
            config__fail(x, kl,
                         "duplicate key sinks.%s (first given on line %zu)",
                         key, kline[r]);
            goto out;
        }
        kline[r] = kl;
        if (config__next(x))
            goto out;
        if (sink_rows[r].row.type == CONFIG_ARGV
                ? read_argv(x, &s.argv)
                : config__set_value(x, &sink_rows[r].row, &s))
            goto out;
    }
    if (!s.type) {
        config__fail(x, s.line,
                     "sink has no type; give one of " SINK_TYPE_LIST);
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
            config__fail(x, kline[i],
                         "sinks.%s does not apply to sinks of type %s; "
                         "theirs: %s",
                         k, s.type, valid);
            goto out;
        }
        if (own != (int)i) {
            kline[own] = kline[i];
            kline[i] = 0;
        }
    }
    for (size_t i = 0; i < NSINK_ROWS; i++) {
        const struct config_row *row = &sink_rows[i].row;
        union value v;

        if (kline[i] || !row->def || !sink_row_applies(&sink_rows[i], s.type))
            continue;
        if (config__parse_value(row, row->def, &v) != P_OK) {
            config__fail(x, 0, "internal error: bad default for %s", row->key);
            goto out;
        }
        config__store(&s, row, &v);
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

int config__parse_sinks(struct ctx *x, int sec)
{
    return config__parse_list(x, sec, config__free_sinks, parse_sink);
}

