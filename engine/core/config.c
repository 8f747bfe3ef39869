/*
 * config — the settings table and the public API: defaults, load, free.
 *
 * One table (config__rows[] below) drives every scalar setting:
 * config_defaults parses each row's default string with the same code that
 * parses values from a file, so a default can never disagree with what the
 * file syntax would give, and the loader (config_yaml.c) finds keys, types
 * and ranges in the same table.  config/ctinsights.yaml lists every row and
 * section; keep the two in step (tests/unit/test_config.c walks config_row
 * and checks).
 *
 * A list (ignore, overrides, suppress, sinks, service_limit_codes) given in
 * a file replaces the one c had; scalars override one by one.  Constraints
 * between settings are checked once the whole file is read.
 *
 * Numbers are parsed with strtol/strtod, which follow LC_NUMERIC; the engine
 * never calls setlocale, so the decimal separator is '.'.
 *
 * libyaml allocates through its own malloc; everything the loader allocates
 * goes through xalloc.
 */
#include "config.h"
#include "config_int.h"

#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Config files are a few kilobytes; refuse anything absurd before parsing. */
#define MAX_FILE_BYTES (1024 * 1024)

#define OFF(f) offsetof(struct config, f)

const struct config_row config__rows[] = {
    {CONFIG_INT, "baseline.window_days", "28", OFF(window_days), 1, 365,
     "trailing days of history the baseline uses (recomputed each UTC day)",
     NULL},
    {CONFIG_INT, "baseline.min_history_days", "7", OFF(min_history_days), 1,
     365,
     "days of history in the account/region before a key may raise anything",
     NULL},
    {CONFIG_DOUBLE, "detector.sensitivity", "5", OFF(sensitivity), 1, 10,
     "how eager to raise Insights: 1 quiet ... 10 eager; 5 expects about 0.1 "
     "false alarm per account-region-week under the model",
     NULL},
    {CONFIG_BOOL, "detector.seasonality", "true", OFF(seasonality), 0, 0,
     "expect each hour of the day separately for weekdays and weekends", NULL},
    {CONFIG_DOUBLE, "detector.alpha_start", "0", OFF(alpha_start), 0, 0.5,
     "tail probability at or below which a minute is unusual; 0 (the "
     "default) derives it from detector.sensitivity and the number of keys",
     NULL},
    {CONFIG_DOUBLE, "detector.alpha_end", "1e-3", OFF(alpha_end), 1e-15, 0.5,
     "a minute whose tail probability is above this counts as normal again",
     NULL},
    {CONFIG_INT, "detector.min_count", "5", OFF(min_count), 1, 1000000,
     "calls (or errors) in one minute below which no Insight starts", NULL},
    {CONFIG_DOUBLE, "detector.min_ratio", "3.0", OFF(min_ratio), 1, 1e9,
     "observed/expected ratio below which no Insight starts", NULL},
    {CONFIG_INT, "detector.end_after_minutes", "5", OFF(end_after_minutes), 1,
     1440, "consecutive normal minutes that end an Insight", NULL},
    {CONFIG_BOOL, "detector.call_rate", "true", OFF(call_rate), 0, 0,
     "raise ApiCallRateInsight", NULL},
    {CONFIG_BOOL, "detector.error_rate", "true", OFF(error_rate), 0, 0,
     "raise ApiErrorRateInsight", NULL},
    {CONFIG_BOOL, "gaps.enabled", "true", OFF(gaps), 0, 0,
     "raise maintenance-gap Insights when a periodic job's run does not come",
     NULL},
    {CONFIG_INT, "gaps.min_runs", "4", OFF(gap_min_runs), 2, 1000,
     "regular runs seen before a key counts as periodic", NULL},
    {CONFIG_INT, "gaps.min_period_minutes", "5", OFF(gap_min_period), 1, 10080,
     "shorter periods are not treated as jobs", NULL},
    {CONFIG_INT, "gaps.max_period_minutes", "10080", OFF(gap_max_period), 1,
     44640, "longest period learned (10080 = weekly)", NULL},
    {CONFIG_SIZE, "input.max_record_bytes", "1M", OFF(max_record_bytes), KIB,
     GIB, "larger records are skipped and reported", NULL},
    {CONFIG_INT, "input.max_depth", "64", OFF(max_depth), 4, 1024,
     "JSON nesting limit", NULL},
    {CONFIG_BOOL, "input.infer_missing", "false", OFF(infer_missing), 0, 0,
     "classify records lacking managementEvent/eventCategory/readOnly by "
     "eventType and eventName",
     NULL},
    {CONFIG_INT, "sources.file_rotate_wait_ms", "5000",
     OFF(file_rotate_wait_ms), 0, 3600000,
     "keep reading a rotated or deleted followed file until it has not "
     "grown for this long",
     NULL},
    {CONFIG_BOOL, "sources.dir_watch", "true", OFF(dir_watch), 0, 0,
     "watch folders with inotify; false polls them every dir_rescan_ms", NULL},
    {CONFIG_INT, "sources.dir_settle_ms", "2000", OFF(dir_settle_ms), 0,
     3600000,
     "a file found by a scan is complete once its size and mtime have not "
     "changed for this long",
     NULL},
    {CONFIG_INT, "sources.dir_incomplete_ms", "60000", OFF(dir_incomplete_ms),
     0, 86400000,
     "a file still open for writing, or a gzip cut off, is read anyway once "
     "unchanged for this long",
     NULL},
    {CONFIG_INT, "sources.dir_rescan_ms", "10000", OFF(dir_rescan_ms), 100,
     86400000, "how often a folder is rescanned when it is polled", NULL},
    {CONFIG_SIZE, "sources.max_unit_bytes", "256M", OFF(max_unit_bytes), KIB,
     GIB, "largest line, folder file or decoded HTTP body (after inflating)",
     NULL},
    {CONFIG_SIZE, "sources.http_max_body_bytes", "16M", OFF(http_max_body),
     KIB, GIB, "largest HTTP request body (answered 413)", NULL},
    {CONFIG_INT, "sources.http_timeout_seconds", "30", OFF(http_timeout), 1,
     3600,
     "a request must arrive whole within this; slower clients are cut off",
     NULL},
    {CONFIG_INT, "sources.http_max_connections", "64", OFF(http_max_conn), 1,
     100000, "open HTTP connections at most", NULL},
    {CONFIG_INT, "sources.http_max_connections_per_ip", "16",
     OFF(http_max_conn_ip), 0, 100000,
     "open HTTP connections from one address at most (0 = no limit)", NULL},
    {CONFIG_INT, "output.precision", "6", OFF(precision), 1, 17,
     "significant digits of averages in Insight records", NULL},
    {CONFIG_SIZE, "state.max_bytes", "0", OFF(state_max_bytes), 0,
     1024.0 * GIB,
     "the state file may not grow beyond this (0: no limit); when full, saving "
     "fails and is tried again later",
     NULL},
    {CONFIG_INT, "tail.min_lateness_minutes", "2", OFF(tail_min_lateness), 0,
     240,
     "an account/region's minute is decided once events this much newer have "
     "come at least, or longer when its events have been seen to come later",
     NULL},
    {CONFIG_INT, "tail.max_lateness_minutes", "60", OFF(tail_max_lateness), 1,
     240,
     "the longest a minute is held open for late events; events later than the "
     "watermark are counted into the baselines but not judged",
     NULL},
    {CONFIG_INT, "tail.checkpoint_seconds", "10", OFF(tail_checkpoint_seconds),
     1, 3600,
     "the state is saved at least this often while input comes (and at once "
     "when an Insight is decided)",
     NULL},
    {CONFIG_INT, "score.reorder_minutes", "60", OFF(score_reorder_minutes), 0,
     10080,
     "records up to this much older than the newest of their account/region "
     "are put in order in memory; input more out of order is read again, sorted",
     NULL},
    {CONFIG_DOUBLE, "alerting.drain_seconds", "60", OFF(drain_seconds), 0,
     86400,
     "score --alert waits at most this long for the sinks to accept alerts",
     NULL},
};

#define NROWS (sizeof config__rows / sizeof config__rows[0])

const size_t config__nrows = NROWS;

_Static_assert(NROWS <= CONFIG__MAX_ROWS, "raise CONFIG__MAX_ROWS");

/* Index of the row with the full dotted key, or -1. */
static int find_dotted(const char *dotted)
{
    for (size_t i = 0; i < NROWS; i++) {
        if (strcmp(config__rows[i].key, dotted) == 0)
            return (int)i;
    }
    return -1;
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
        return config__fail(x, later_line(x, "baseline.min_history_days",
                                  "baseline.window_days"),
                    "baseline.min_history_days (%d) must not exceed "
                    "baseline.window_days (%d)", c->min_history_days,
                    c->window_days);
    /* alpha_start 0 is derived per run; detect.c keeps alpha_end at or
     * above what it derives. */
    if (c->alpha_start > 0 && !(c->alpha_end > c->alpha_start))
        return config__fail(x, later_line(x, "detector.alpha_start",
                                  "detector.alpha_end"),
                    "detector.alpha_end (%g) must be greater than "
                    "detector.alpha_start (%g)", c->alpha_end,
                    c->alpha_start);
    if (c->gap_min_period > c->gap_max_period)
        return config__fail(x, later_line(x, "gaps.min_period_minutes",
                                  "gaps.max_period_minutes"),
                    "gaps.min_period_minutes (%d) must not exceed "
                    "gaps.max_period_minutes (%d)", c->gap_min_period,
                    c->gap_max_period);
    return 0;
}

/* ---- API --------------------------------------------------------------- */

const struct config_row *config_row(size_t i)
{
    return i < NROWS ? &config__rows[i] : NULL;
}

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NROWS; i++) {
        union value v;

        if (config__parse_value(&config__rows[i], config__rows[i].def, &v) !=
            P_OK) {
            fprintf(stderr, "ctinsights: bad compiled-in default %s: %s\n",
                    config__rows[i].key, config__rows[i].def);
            abort();
        }
        config__store(c, &config__rows[i], &v);
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
        config__fail(&x, 0,
                     "cannot initialise the YAML parser (out of memory)");
        goto out;
    }
    x.parser_ok = 1;
    yaml_parser_set_input_string(&x.parser, x.input, x.len);
    if (config__parse_stream(&x) || check_cross(&x))
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
        config__message(err, errlen, path, 0, "cannot open: %s",
                        strerror(errno));
        goto out;
    }
    for (;;) {
        size_t want, got;

        buf = xgrow(buf, &cap, len + 4096, 1);
        want = cap - len;
        got = fread(buf + len, 1, want, f);
        len += got;
        if (len > MAX_FILE_BYTES) {
            config__message(err, errlen, path, 0,
                            "larger than %d bytes; is this "
                            "the right file?",
                            MAX_FILE_BYTES);
            goto out;
        }
        if (got < want)
            break;
    }
    if (ferror(f)) {
        config__message(err, errlen, path, 0, "cannot read: %s",
                        strerror(errno));
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
    config__free_rules(c);
    config__free_sinks(c);
}
