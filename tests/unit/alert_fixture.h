/*
 * alert_fixture — what the alert unit tests share: the Insight records of
 * a real case (tests/cases/limit-hit: 0 a call-rate Start, 1 an error-rate
 * Start, 2 and 3 their Ends), a sink made from YAML text the way a user
 * writes it (also one posting to a receiver on 127.0.0.1, http_fixture.h),
 * one delivery sent through its ops, and a substring check.
 * Run from the repository root.  Include after cmocka.h.
 */
#ifndef CTI_TEST_ALERT_FIXTURE_H
#define CTI_TEST_ALERT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "http_fixture.h"

#define ALERT_FIXTURE_CASE "tests/cases/limit-hit/expected.ndjson"

/* Line n (from 0) of the limit-hit case as JSON; decref it. */
static inline json_t *case_record(int n)
{
    FILE *f = fopen(ALERT_FIXTURE_CASE, "r");
    char *line = NULL;
    size_t cap = 0;
    json_t *rec = NULL;

    assert_non_null(f);
    for (int i = 0; i <= n; i++)
        assert_true(getline(&line, &cap, f) > 0);
    rec = json_loads(line, 0, NULL);
    free(line);
    fclose(f);
    assert_non_null(rec);
    return rec;
}

static inline void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle)) {
        print_error("no \"%s\" in \"%.400s\"\n", needle, hay ? hay : "(null)");
        fail();
    }
}

/* One sink, from the config text of a `sinks:` list of one item. */
struct sink_fixture {
    struct config cfg;
    struct alert_sink sink;
};

/* Load yaml and open its one sink; fails the test when either fails. */
static inline void sink_fixture_open(struct sink_fixture *x, const char *yaml)
{
    char err[512] = "";
    config_defaults(&x->cfg);
    if (config_load_string(&x->cfg, yaml, strlen(yaml), "sinks.yaml", err,
                           sizeof err) != 0 ||
        alert_sink_open(&x->sink, &x->cfg.sinks[0], JSON_COMPACT, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    assert_int_equal(x->cfg.n_sinks, 1);
}

/* The one sink of yaml loads but does not open, with a message holding
 * needle (e.g. the variable that should hold its secret). */
static inline void sink_fixture_refused(const char *yaml, const char *needle)
{
    struct config c;
    struct alert_sink s;
    char err[512] = "";
    config_defaults(&c);
    assert_int_equal(config_load_string(&c, yaml, strlen(yaml), "sinks.yaml", err,
                                        sizeof err), 0);
    assert_int_equal(alert_sink_open(&s, &c.sinks[0], JSON_COMPACT, err, sizeof err), -1);
    assert_contains(err, needle);
    alert_sink_close(&s);
    config_free(&c);
}

static inline void sink_fixture_close(struct sink_fixture *x)
{
    alert_sink_close(&x->sink);
    config_free(&x->cfg);
}

/* Start srv and open the one sink of yaml_fmt, whose %s is srv's base URL
 * ("http://127.0.0.1:PORT"). */
static inline void sink_fixture_open_http(struct sink_fixture *x, struct http_fixture *srv,
                                          const char *yaml_fmt)
{
    char yaml[1024];
    http_fixture_start(srv);
    snprintf(yaml, sizeof yaml, yaml_fmt, srv->base);
    sink_fixture_open(x, yaml);
}

static inline void sink_fixture_close_http(struct sink_fixture *x, struct http_fixture *srv)
{
    sink_fixture_close(x);
    http_fixture_stop(srv);
}

/* Deliver rec (a pager sink's page of members, else members NULL) as kind
 * at now; the outcome in o.  page_id is the first member's (or rec's)
 * sharedEventID. */
static inline void sink_fixture_send(struct sink_fixture *x, enum alert_kind kind,
                                     json_t *rec, json_t *members, double now,
                                     struct alert_outcome *o)
{
    json_t *first = members ? json_array_get(members, 0) : rec;
    struct alert a = {kind, json_string_value(json_object_get(first, "sharedEventID")),
                      rec, members, 0, now};
    memset(o, 0, sizeof *o);
    x->sink.ops->send(&x->sink, &a, o);
}

#endif
