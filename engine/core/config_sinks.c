/*
 * config_sinks — the sinks section.
 *
 *   sinks      := null | sequence of sink
 *   sink       := mapping of type -> name, match -> match, argv ->
 *                 sequence of non-empty scalar, and setting -> scalar
 *                 (type required)
 *
 * Which settings a sink takes is its schema: the common rows below
 * (common_rows[]: name, filters, timeout, retries) and the rows of its
 * type, which each sink of engine/alert declares in its ops
 * (config_sink_type(), config.h).  A key may be given before the type, so
 * a key is first found among the rows of every type, then moved to the row
 * of the sink's type once its mapping is read.  Keys are listed in
 * messages in the order of key_order[].
 *
 * A sink being parsed is owned by parse_sink until it is appended to c.
 */
#include "config_int.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOFF(f) offsetof(struct config_sink, f)

/* Settings every type takes.  type, match and argv are parsed apart. */
static const struct config_row common_rows[] = {
    {CONFIG_STRING, "sinks.name", NULL, SOFF(name), 0, 0,
     "names the sink in messages and in the outbox (default: its type, then "
     "type-2, type-3 ...)", NULL},
    {CONFIG_STRING, "sinks.category", NULL, SOFF(category), 0, 0,
     "glob on the Insight's category", NULL},
    {CONFIG_DOUBLE, "sinks.min_score", "0", SOFF(min_score), 0, 1e6,
     "alert only Insights whose Start scores at least this", NULL},
    {CONFIG_DOUBLE, "sinks.timeout", "10", SOFF(timeout), 0.1, 600,
     "seconds one delivery may take", NULL},
    {CONFIG_DOUBLE, "sinks.retry_initial", "1", SOFF(retry_initial), 0.01,
     3600, "seconds before the first retry", NULL},
    {CONFIG_DOUBLE, "sinks.retry_max", "300", SOFF(retry_max), 0.01, 86400,
     "longest wait between retries", NULL},
    {CONFIG_DOUBLE, "sinks.give_up_after", "86400", SOFF(give_up_after), 1,
     31 * 86400.0, "seconds after which an alert still not accepted fails",
     NULL},
};

#define NCOMMON_ROWS (sizeof common_rows / sizeof common_rows[0])

/* The order keys are listed in messages, after type and match; keys of a
 * type missing here come last, in schema order. */
static const char *const key_order[] = {
    "name", "category", "min_score", "url", "url_env", "url_file",
    "routing_key_env", "routing_key_file", "secret_env", "secret_file",
    "source", "argv", "path", "timeout", "resend_interval", "group_by",
    "group_window", "rate_per_minute", "burst", "retry_initial", "retry_max",
    "give_up_after",
};

#define NKEY_ORDER (sizeof key_order / sizeof key_order[0])

/* Rows of every type at most; past it config_sinks aborts at startup. */
#define MAX_SINK_ROWS 128

/* Every row a sink may have: the common ones (type NULL), then each
 * registered type's. */
struct schema {
    struct {
        const struct config_sink_type *type; /* NULL: every type */
        const struct config_row *row;
    } r[MAX_SINK_ROWS];
    size_t n;
};

static void schema_add(struct schema *sc, const struct config_sink_type *t,
                       const struct config_row *row)
{
    if (sc->n == MAX_SINK_ROWS) {
        fprintf(stderr, "ctinsights: more than %d sink settings; raise "
                "MAX_SINK_ROWS\n", MAX_SINK_ROWS);
        abort();
    }
    sc->r[sc->n].type = t;
    sc->r[sc->n].row = row;
    sc->n++;
}

static void schema_build(struct schema *sc)
{
    const struct config_sink_type *t;

    sc->n = 0;
    for (size_t i = 0; i < NCOMMON_ROWS; i++)
        schema_add(sc, NULL, &common_rows[i]);
    for (size_t k = 0; (t = config_sink_type(k)) != NULL; k++) {
        for (size_t i = 0; i < t->n_rows; i++)
            schema_add(sc, t, &t->rows[i]);
    }
}

/* The registered type called name, or NULL. */
static const struct config_sink_type *find_sink_type(const char *name)
{
    const struct config_sink_type *t;

    for (size_t k = 0; (t = config_sink_type(k)) != NULL; k++) {
        if (strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

/* "alertmanager, pagerduty, ..." into buf. */
static void sink_type_list(char *buf, size_t n)
{
    const struct config_sink_type *t;
    size_t used = 0;

    buf[0] = '\0';
    for (size_t k = 0; (t = config_sink_type(k)) != NULL && used < n; k++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s",
                                 k ? ", " : "", t->name);
}

/* Key of row i without "sinks.". */
static const char *row_key(const struct schema *sc, size_t i)
{
    return sc->r[i].row->key + strlen("sinks.");
}

/* Whether row i applies to sinks of type t (NULL: to some type). */
static int row_applies(const struct schema *sc, size_t i,
                       const struct config_sink_type *t)
{
    return !t || !sc->r[i].type || sc->r[i].type == t;
}

/* The row for key of a sink of type t; t NULL finds the first row of that
 * key, whatever its type.  -1 when none. */
static int find_sink_row(const struct schema *sc, const char *key,
                         const struct config_sink_type *t)
{
    for (size_t i = 0; i < sc->n; i++) {
        if (strcmp(row_key(sc, i), key) == 0 && row_applies(sc, i, t))
            return (int)i;
    }
    return -1;
}

static size_t key_rank(const char *key)
{
    for (size_t i = 0; i < NKEY_ORDER; i++) {
        if (strcmp(key_order[i], key) == 0)
            return i;
    }
    return NKEY_ORDER;
}

/* "type, match, url, ..." for sinks of type t (NULL: of every type) into
 * buf, each key once, in key_order. */
static void sink_keys(const struct schema *sc,
                      const struct config_sink_type *t, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "type, match");

    for (size_t rank = 0; rank <= NKEY_ORDER; rank++) {
        for (size_t i = 0; i < sc->n && used < n; i++) {
            const char *k = row_key(sc, i);

            if (key_rank(k) != rank || !row_applies(sc, i, t) ||
                find_sink_row(sc, k, t) != (int)i)
                continue;
            used += (size_t)snprintf(buf + used, n - used, ", %s", k);
        }
    }
}

static void free_argv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        xfree(argv[i]);
    xfree(argv);
}

/* Every string a sink owns; the sink is zeroed afterwards. */
static void free_sink(const struct schema *sc, struct config_sink *s)
{
    xfree(s->type);
    config__free_match(&s->match);
    for (size_t i = 0; i < sc->n; i++) {
        const struct config_row *row = sc->r[i].row;
        void *slot = (char *)s + row->off;

        if (row->type == CONFIG_STRING) {
            xfree(*(char **)slot);
            *(char **)slot = NULL;
        } else if (row->type == CONFIG_ARGV) {
            free_argv(*(char ***)slot);
            *(char ***)slot = NULL;
        }
    }
    memset(s, 0, sizeof *s);
}

void config__free_sinks(struct config *c)
{
    struct schema sc;

    schema_build(&sc);
    for (size_t i = 0; i < c->n_sinks; i++)
        free_sink(&sc, &c->sinks[i]);
    xfree(c->sinks);
    c->sinks = NULL;
    c->n_sinks = 0;
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
 * nonzero) in sink s of type t; else an error at the sink's line naming
 * them. */
static int one_of(struct ctx *x, const struct schema *sc,
                  const struct config_sink_type *t,
                  const struct config_sink *s, const size_t *kline,
                  const char *const *keys)
{
    size_t given = 0, n = 0;
    char list[128] = "";

    for (; keys[n]; n++) {
        int r = find_sink_row(sc, keys[n], t);
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

/* What a sink of type t needs, once its mapping is read; kline[] gives
 * the line of each schema row given. */
static int check_sink(struct ctx *x, const struct schema *sc,
                      const struct config_sink_type *t,
                      const struct config_sink *s, const size_t *kline)
{
    int url_row = find_sink_row(sc, "url", t);

    if (t->secret_keys && one_of(x, sc, t, s, kline, t->secret_keys))
        return -1;
    if (t->required) {
        int r = find_sink_row(sc, t->required, t);

        if (r < 0 || !*(void *const *)(const void *)((const char *)s +
                                                     sc->r[r].row->off))
            return config__fail(x, s->line, "%s sink has no %s; give %s",
                                s->type, t->required, t->required_hint);
    }
    if (s->url && strncmp(s->url, "http://", 7) != 0 &&
        strncmp(s->url, "https://", 8) != 0)
        return config__fail(x, url_row >= 0 && kline[url_row]
                                   ? kline[url_row] : s->line,
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
    struct schema sc;
    const struct config_sink_type *type = NULL;
    struct config_sink s;
    size_t kline[MAX_SINK_ROWS] = {0};
    size_t type_line = 0, match_line = 0;
    char key[KEY_MAX], valid[512], types[256], want[300];
    int rc = -1;

    schema_build(&sc);
    sink_type_list(types, sizeof types);
    snprintf(want, sizeof want, "one of %s", types);
    memset(&s, 0, sizeof s);
    s.line = config__line(x);
    if (x->ev.type != YAML_MAPPING_START_EVENT) {
        config__fail(x, s.line,
                     "each sink must be a mapping with a type (%s), not "
                     "%s",
                     types, config__kind(&x->ev));
        goto out;
    }
    for (;;) {
        size_t kl;
        int r;
        int got = config__next_key(x, key, "a sink", &kl);

        if (got < 0)
            goto out;
        if (got == 0)
            break;
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
            t = config__value_text(x, "sinks.type", want);
            if (!t)
                goto out;
            type = find_sink_type(t);
            if (!type) {
                config__fail(x, kl,
                             "sinks.type: unknown sink type '%.40s'; valid "
                             "types: %s",
                             t, types);
                goto out;
            }
            s.type = xstrdup(t);
            continue;
        }
        r = find_sink_row(&sc, key, NULL);
        if (r < 0) {
            sink_keys(&sc, NULL, valid, sizeof valid);
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
        if (sc.r[r].row->type == CONFIG_ARGV
                ? read_argv(x, (char ***)(void *)((char *)&s +
                                                  sc.r[r].row->off))
                : config__set_value(x, sc.r[r].row, &s))
            goto out;
    }
    if (!type) {
        config__fail(x, s.line, "sink has no type; give one of %s", types);
        goto out;
    }
    /* Rows were found by key alone; move each to its type's own row
     * (url has one per type) and refuse keys the type does not take. */
    for (size_t i = 0; i < sc.n; i++) {
        const char *k = row_key(&sc, i);
        int own;

        if (!kline[i])
            continue;
        own = find_sink_row(&sc, k, type);
        if (own < 0) {
            sink_keys(&sc, type, valid, sizeof valid);
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
    for (size_t i = 0; i < sc.n; i++) {
        const struct config_row *row = sc.r[i].row;
        union value v;

        if (kline[i] || !row->def || !row_applies(&sc, i, type))
            continue;
        if (config__parse_value(row, row->def, &v) != P_OK) {
            config__fail(x, 0, "internal error: bad default for %s", row->key);
            goto out;
        }
        config__store(&s, row, &v);
    }
    if (check_sink(x, &sc, type, &s, kline) ||
        name_sink(x, &s, kline[find_sink_row(&sc, "name", NULL)]))
        goto out;
    x->c->sinks = xrealloc(x->c->sinks, (x->c->n_sinks + 1) *
                           sizeof *x->c->sinks);
    x->c->sinks[x->c->n_sinks++] = s;
    memset(&s, 0, sizeof s); /* now owned by x->c */
    rc = 0;
out:
    free_sink(&sc, &s);
    return rc;
}

int config__parse_sinks(struct ctx *x, int sec)
{
    return config__parse_list(x, sec, config__free_sinks, parse_sink);
}
