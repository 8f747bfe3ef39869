/*
 * Unit tests for engine/core/config.c: defaults, the documented file, overrides
 * of each type, every class of error with its file:line, ignore rules and
 * their matching.  Run from the repository root (loads
 * config/ctinsights.yaml).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "xalloc.h"

#define DOC_FILE "config/ctinsights.yaml"
#define KEY_LEN 80

/* Fail with both strings shown when needle is not in hay. */
#define assert_contains(hay, needle)                                       \
    do {                                                                   \
        const char *h_ = (hay), *n_ = (needle);                            \
        if (!strstr(h_, n_)) {                                             \
            print_error("\"%s\" does not contain \"%s\"\n", h_, n_);       \
            fail();                                                        \
        }                                                                  \
    } while (0)

/* Defaults, then yaml on top (named "t.yaml"); returns config_load_string's
 * result.  The caller frees c. */
static int load(struct config *c, const char *yaml, char *err, size_t errlen)
{
    config_defaults(c);
    return config_load_string(c, yaml, strlen(yaml), "t.yaml", err, errlen);
}

/* yaml must fail with a message starting "t.yaml:LINE: " and containing
 * each of the NULL-terminated fragments. */
static void expect_error(const char *yaml, int line, ...)
{
    struct config c;
    char err[512], prefix[64];
    const char *frag;
    va_list ap;

    memset(err, 'x', sizeof err);
    assert_int_equal(load(&c, yaml, err, sizeof err), -1);
    snprintf(prefix, sizeof prefix, "t.yaml:%d: ", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0) {
        print_error("\"%s\" does not start with \"%s\"\n", err, prefix);
        fail();
    }
    va_start(ap, line);
    for (frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *))
        assert_contains(err, frag);
    va_end(ap);
    config_free(&c);
}

/* Field-by-field equality of every setting of the table (not the lists). */
static void assert_settings_equal(const struct config *a,
                                  const struct config *b)
{
    const struct config_row *r;

    for (size_t i = 0; (r = config_row(i)) != NULL; i++) {
        const char *fa = (const char *)a + r->off;
        const char *fb = (const char *)b + r->off;
        int same = 0;

        switch (r->type) {
        case CONFIG_INT:
        case CONFIG_BOOL:
        case CONFIG_ENUM:
            same = *(const int *)(const void *)fa ==
                   *(const int *)(const void *)fb;
            break;
        case CONFIG_DOUBLE:
            same = *(const double *)(const void *)fa ==
                   *(const double *)(const void *)fb;
            break;
        case CONFIG_SIZE:
            same = *(const size_t *)(const void *)fa ==
                   *(const size_t *)(const void *)fb;
            break;
        case CONFIG_STRING:
        case CONFIG_ARGV:
            print_error("%s: no string settings expected in the table\n",
                        r->key);
            break;
        }
        if (!same) {
            print_error("%s differs\n", r->key);
            fail();
        }
    }
}

/* Whole file into a NUL-terminated buffer (xfree it). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = xmalloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ---- defaults and the documented file ---------------------------------- */

static void test_defaults(void **state)
{
    struct config c;

    (void)state;
    memset(&c, 0x5a, sizeof c);
    config_defaults(&c);
    assert_int_equal(c.window_days, 28);
    assert_int_equal(c.min_history_days, 7);
    assert_true(c.sensitivity == 5.0);
    assert_int_equal(c.seasonality, 1);
    assert_true(c.alpha_start == 0.0);
    assert_true(c.alpha_end == 1e-3);
    assert_int_equal(c.min_count, 5);
    assert_true(c.min_ratio == 3.0);
    assert_int_equal(c.end_after_minutes, 5);
    assert_int_equal(c.call_rate, 1);
    assert_int_equal(c.error_rate, 1);
    assert_int_equal(c.gaps, 1);
    assert_int_equal(c.gap_min_runs, 4);
    assert_int_equal(c.gap_min_period, 5);
    assert_int_equal(c.gap_max_period, 10080);
    assert_null(c.limit_codes);
    assert_int_equal(c.n_limit_codes, 0);
    assert_int_equal(c.max_record_bytes, 1024 * 1024);
    assert_int_equal(c.max_depth, 64);
    assert_int_equal(c.file_rotate_wait_ms, 5000);
    assert_int_equal(c.dir_watch, 1);
    assert_int_equal(c.dir_settle_ms, 2000);
    assert_int_equal(c.dir_incomplete_ms, 60000);
    assert_int_equal(c.dir_rescan_ms, 10000);
    assert_int_equal(c.max_unit_bytes, 256u * 1024 * 1024);
    assert_int_equal(c.http_max_body, 16u * 1024 * 1024);
    assert_int_equal(c.http_timeout, 30);
    assert_int_equal(c.http_max_conn, 64);
    assert_int_equal(c.http_max_conn_ip, 16);
    assert_int_equal(c.infer_missing, 0);
    assert_int_equal(c.precision, 6);
    assert_int_equal(c.score_reorder_minutes, 60);
    assert_int_equal(c.state_max_bytes, 0);
    assert_int_equal(c.tail_min_lateness, 2);
    assert_int_equal(c.tail_max_lateness, 60);
    assert_int_equal(c.tail_checkpoint_seconds, 10);
    assert_null(c.ignore);
    assert_int_equal(c.n_ignore, 0);
    assert_null(c.overrides);
    assert_int_equal(c.n_overrides, 0);
    assert_null(c.suppress);
    assert_int_equal(c.n_suppress, 0);
    assert_true(c.drain_seconds == 60.0);
    assert_null(c.sinks);
    assert_int_equal(c.n_sinks, 0);
    config_free(&c);
}

static void test_documented_file_is_defaults(void **state)
{
    struct config def, c;
    char err[512] = "";

    (void)state;
    config_defaults(&def);
    /* Start from different values so that the file must set every one. */
    config_defaults(&c);
    c.window_days = 99;
    c.precision = 9;
    c.call_rate = 0;
    if (config_load(&c, DOC_FILE, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    assert_string_equal(err, "");
    assert_settings_equal(&c, &def);
    assert_int_equal(c.n_ignore, 0);
    config_free(&c);
}

/* Whether text has the line "  name: def" under the top-level line
 * "section:" (before the next top-level line). */
static int documented(const char *text, const char *section, size_t slen,
                      const char *name, const char *def)
{
    char head[KEY_LEN], line[KEY_LEN + 64];
    const char *start, *end, *hit;

    snprintf(head, sizeof head, "\n%.*s:\n", (int)slen, section);
    snprintf(line, sizeof line, "\n  %s: %s\n", name, def);
    start = strstr(text, head);
    if (!start)
        return 0;
    start += strlen(head) - 1;
    for (end = start; *end; end++) {
        if (end[0] == '\n' && end[1] >= 'a' && end[1] <= 'z')
            break;
    }
    hit = strstr(start, line);
    return hit && hit < end;
}

/* Every setting of the table appears, uncommented and with its default,
 * under its section in the documented file, and so do the lists; the load
 * test above proves there are no others. */
static void test_documented_file_lists_every_key(void **state)
{
    static const char *const lists[] = {
        "\ncategories:\n", "\n  service_limit_codes: []\n",
        "\nignore: []\n", "\noverrides: []\n", "\nsuppress: []\n",
        "\nsinks: []\n",
    };
    const struct config_row *r;
    char *text;
    size_t n = 0;

    (void)state;
    text = slurp(DOC_FILE);
    for (size_t i = 0; (r = config_row(i)) != NULL; i++, n++) {
        const char *dot = strchr(r->key, '.');

        assert_non_null(dot);
        if (!documented(text, r->key, (size_t)(dot - r->key), dot + 1,
                        r->def)) {
            print_error("%s: %s is not in " DOC_FILE "\n", r->key, r->def);
            fail();
        }
    }
    assert_true(n > 30);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        assert_contains(text, lists[i]);
    xfree(text);
}

/* The commented example of the documented file that starts with the line
 * "# " + head, uncommented: its "# ..." lines up to the first line that is
 * not one.  xfree it. */
static char *documented_example(const char *head)
{
    char marker[64];
    char *text, *p, *out;
    size_t n = 0;

    snprintf(marker, sizeof marker, "\n# %s\n", head);
    text = slurp(DOC_FILE);
    p = strstr(text, marker);
    assert_non_null(p);
    out = xmalloc(strlen(p) + 1);
    p++;
    while (p[0] == '#' && p[1] == ' ') {
        char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        memcpy(out + n, p + 2, len - 2);
        n += len - 2;
        out[n++] = '\n';
        p += len + (eol ? 1 : 0);
    }
    out[n] = '\0';
    xfree(text);
    return out;
}

/* The commented "ignore:" example, uncommented, loads and means what it
 * says. */
static void test_documented_ignore_example(void **state)
{
    struct config c;
    char err[512] = "";
    char *out;

    (void)state;
    out = documented_example("ignore:");
    assert_int_equal(load(&c, out, err, sizeof err), 0);
    assert_int_equal(c.n_ignore, 2);
    assert_true(config_ignored(&c, "111111111111", "us-east-1",
                               "s3.amazonaws.com", "GetObject", NULL,
                               "ApiCallRateInsight"));
    assert_true(config_ignored(&c, "012345678901", "eu-west-1",
                               "ec2.amazonaws.com", "RunInstances",
                               "ThrottlingException", "ApiErrorRateInsight"));
    assert_false(config_ignored(&c, "012345678901", "us-east-1",
                                "ec2.amazonaws.com", "RunInstances",
                                "ThrottlingException", "ApiErrorRateInsight"));
    config_free(&c);
    xfree(out);
}

/* ---- overrides --------------------------------------------------------- */

static void test_override_int(void **state)
{
    struct config c, def;
    char err[512] = "";

    (void)state;
    config_defaults(&def);
    assert_int_equal(load(&c, "baseline:\n"
                              "  window_days: 56\n"
                              "  min_history_days: 14\n"
                              "detector:\n"
                              "  min_count: 1000000\n"
                              "output:\n"
                              "  precision: 17\n",
                          err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(c.window_days, 56);
    assert_int_equal(c.min_history_days, 14);
    assert_int_equal(c.min_count, 1000000);
    assert_int_equal(c.precision, 17);
    /* Untouched keys keep their defaults. */
    c.window_days = def.window_days;
    c.min_history_days = def.min_history_days;
    c.min_count = def.min_count;
    c.precision = def.precision;
    assert_settings_equal(&c, &def);
    config_free(&c);
}

static void test_override_double(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    assert_int_equal(load(&c, "detector:\n"
                              "  alpha_start: 1e-8\n"
                              "  alpha_end: 0.0001\n"
                              "  min_ratio: 2\n",
                          err, sizeof err), 0);
    assert_true(c.alpha_start == 1e-8);
    assert_true(c.alpha_end == 1e-4);
    assert_true(c.min_ratio == 2.0);
    config_free(&c);

    /* Other spellings, and the ends of the range. */
    assert_int_equal(load(&c, "detector: {alpha_start: 1.5E-15, "
                              "alpha_end: .5, min_ratio: 1e9}\n",
                          err, sizeof err), 0);
    assert_true(c.alpha_start == 1.5e-15);
    assert_true(c.alpha_end == 0.5);
    assert_true(c.min_ratio == 1e9);
    config_free(&c);
}

static void test_override_bool(void **state)
{
    static const struct {
        const char *text;
        int value;
    } cases[] = {
        {"true", 1}, {"false", 0}, {"yes", 1}, {"no", 0}, {"on", 1},
        {"off", 0},  {"True", 1},  {"NO", 0},  {"\"yes\"", 1},
    };
    struct config c;
    char yaml[128], err[512];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml,
                 "detector:\n  call_rate: %s\n  error_rate: %s\n"
                 "input:\n  infer_missing: %s\n",
                 cases[i].text, cases[i].text, cases[i].text);
        assert_int_equal(load(&c, yaml, err, sizeof err), 0);
        assert_int_equal(c.call_rate, cases[i].value);
        assert_int_equal(c.error_rate, cases[i].value);
        assert_int_equal(c.infer_missing, cases[i].value);
        config_free(&c);
    }
    /* yes/no mixed in one file. */
    assert_int_equal(load(&c, "detector:\n  call_rate: no\n  error_rate: yes\n",
                          err, sizeof err), 0);
    assert_int_equal(c.call_rate, 0);
    assert_int_equal(c.error_rate, 1);
    config_free(&c);
}

static void test_override_size(void **state)
{
    static const struct {
        const char *text;
        size_t value;
    } cases[] = {
        {"2M", 2u * 1024 * 1024}, {"512k", 512u * 1024}, {"64K", 64u * 1024},
        {"1G", 1024u * 1024 * 1024}, {"4096", 4096}, {"1024", 1024},
    };
    struct config c;
    char yaml[128], err[512];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml, "input:\n  max_record_bytes: %s\n",
                 cases[i].text);
        assert_int_equal(load(&c, yaml, err, sizeof err), 0);
        assert_int_equal(c.max_record_bytes, cases[i].value);
        config_free(&c);
    }
}

/* A file that sets values and then fails keeps what it set (contract). */
static void test_error_keeps_values(void **state)
{
    struct config c;
    char err[512];

    (void)state;
    assert_int_equal(load(&c, "baseline:\n  window_days: 50\n  bogus: 1\n",
                          err, sizeof err), -1);
    assert_int_equal(c.window_days, 50);
    config_free(&c);
}

/* ---- errors ------------------------------------------------------------ */

static void test_unknown_key(void **state)
{
    (void)state;
    expect_error("baseline:\n"
                 "  window_days: 10\n"
                 "  windw_days: 3\n",
                 3, "windw_days", "baseline", "window_days",
                 "min_history_days", NULL);
    expect_error("# comment\n"
                 "\n"
                 "detector:\n"
                 "  alpha_start: 1e-6\n"
                 "  alpha: 0.1\n",
                 5, "'alpha'", "detector", "min_ratio", NULL);
    expect_error("output:\n  precision: 6\nbaseln:\n  window_days: 3\n",
                 3, "unknown section 'baseln'", "baseline", "ignore", NULL);
    /* A dotted key is not a shorthand for a section. */
    expect_error("baseline.window_days: 3\n", 1,
                 "'baseline.window_days'", NULL);
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_error("baseline:\n  window_days: 400\n", 2,
                 "baseline.window_days", "400", "1..365", NULL);
    expect_error("baseline:\n  window_days: 0\n", 2, "1..365", NULL);
    expect_error("detector:\n  min_count: -3\n", 2, "detector.min_count",
                 "1..1000000", NULL);
    expect_error("detector:\n  alpha_start: 0.9\n", 2,
                 "detector.alpha_start", "0..0.5", NULL);
    expect_error("detector:\n  sensitivity: 11\n", 2, "detector.sensitivity",
                 "1..10", NULL);
    expect_error("gaps:\n  min_runs: 1\n", 2, "gaps.min_runs", "2..1000",
                 NULL);
    expect_error("detector:\n  alpha_end: 1e-20\n", 2, "detector.alpha_end",
                 "1e-15..0.5", NULL);
    expect_error("detector:\n  min_ratio: 1e999\n", 2, "detector.min_ratio",
                 NULL);
    expect_error("input:\n  max_record_bytes: 512\n", 2,
                 "input.max_record_bytes", "1K..1G", NULL);
    expect_error("input:\n  max_record_bytes: 2G\n", 2, "1K..1G", NULL);
    expect_error("sources:\n  http_timeout_seconds: 0\n", 2,
                 "sources.http_timeout_seconds", "1..3600", NULL);
    expect_error("sources:\n  dir_watch: maybe\n", 2, "sources.dir_watch",
                 NULL);
    expect_error("sources:\n  http_max_body_bytes: 2G\n", 2,
                 "sources.http_max_body_bytes", "1K..1G", NULL);
    expect_error("sources:\n  bogus: 1\n", 2, "unknown key 'bogus'",
                 "http_timeout_seconds", NULL);
    expect_error("input:\n  max_record_bytes: 99999999999999999999999\n", 2,
                 "1K..1G", NULL);
    expect_error("input:\n  max_depth: 2000\n", 2, "input.max_depth",
                 "4..1024", NULL);
    expect_error("baseline:\n  window_days: 99999999999999999999\n", 2,
                 "1..365", NULL);
}

static void test_bad_type(void **state)
{
    (void)state;
    expect_error("baseline:\n  window_days: abc\n", 2, "baseline.window_days",
                 "'abc'", "integer", NULL);
    expect_error("baseline:\n  window_days: 2.5\n", 2, "integer", NULL);
    expect_error("baseline:\n  window_days: 1e3\n", 2, "integer", NULL);
    expect_error("detector:\n  alpha_start: fast\n", 2, "detector.alpha_start",
                 "number", NULL);
    expect_error("detector:\n  alpha_start: 0x1p-20\n", 2, "number", NULL);
    expect_error("detector:\n  min_ratio: nan\n", 2, "number", NULL);
    expect_error("detector:\n  call_rate: maybe\n", 2, "detector.call_rate",
                 "yes/no", NULL);
    expect_error("detector:\n  call_rate: 1\n", 2, "true/false", NULL);
    expect_error("input:\n  max_record_bytes: 1T\n", 2,
                 "input.max_record_bytes", "suffix", NULL);
    expect_error("input:\n  max_record_bytes: 1.5M\n", 2, "suffix", NULL);
    expect_error("input:\n  max_record_bytes: 1MB\n", 2, "suffix", NULL);
    expect_error("input:\n  max_record_bytes: -1M\n", 2, "suffix", NULL);
    expect_error("baseline:\n  window_days: [1, 2]\n", 2, "sequence", NULL);
    expect_error("baseline:\n  window_days:\n    days: 3\n", 3, "mapping",
                 NULL);
    expect_error("baseline:\n  window_days:\n", 2, "missing value", NULL);
}

static void test_section_not_mapping(void **state)
{
    (void)state;
    expect_error("baseline: 5\n", 1, "section 'baseline'", "mapping",
                 "scalar", NULL);
    expect_error("detector:\n  - 1\n", 2, "section 'detector'", "sequence",
                 NULL);
    expect_error("ignore:\n  event_source: s3.amazonaws.com\n", 2, "ignore",
                 "sequence", NULL);
    expect_error("ignore: s3.amazonaws.com\n", 1, "ignore", "sequence", NULL);
    expect_error("- baseline\n", 1, "top level", "mapping", NULL);
    expect_error("just words\n", 1, "top level", NULL);
}

static void test_syntax_error(void **state)
{
    (void)state;
    /* A tab used for indentation. */
    expect_error("baseline:\n  window_days: 28\n\tmin_history_days: 7\n", 3,
                 "yaml syntax error", NULL);
    /* An unclosed quote: found where the text ends, after the last
     * newline; the context names the line where the quote opened. */
    expect_error("detector:\n  min_count: 5\noutput:\n  precision: \"6\n", 5,
                 "yaml syntax error", "quoted scalar on line 4", NULL);
    /* A key without its colon: found on the next line, the context names
     * the line at fault. */
    expect_error("output:\n  precision: 6\n  oops\n  x: 1\n", 4,
                 "yaml syntax error", "on line 3", NULL);
    /* Wrong indentation. */
    expect_error("baseline:\n  window_days: 3\n min_history_days: 2\n", 3,
                 "yaml syntax error", NULL);
    /* Not UTF-8: the line comes from the byte offset. */
    expect_error("baseline:\n  window_days: 2\n# x\nignore:\n"
                 "  - region: \xff\n", 5, "UTF-8", NULL);
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_error("baseline:\n  window_days: 10\n  window_days: 20\n", 3,
                 "duplicate", "baseline.window_days", "line 2", NULL);
    expect_error("baseline:\n  window_days: 10\n"
                 "detector: {}\n"
                 "baseline:\n  min_history_days: 2\n",
                 4, "duplicate", "baseline", "line 1", NULL);
    expect_error("ignore:\n  - region: a\n    region: b\n", 3, "duplicate",
                 "region", "line 2", NULL);
}

static void test_cross_field(void **state)
{
    (void)state;
    expect_error("baseline:\n  min_history_days: 40\n", 2,
                 "baseline.min_history_days (40)",
                 "baseline.window_days (28)", NULL);
    /* Blamed on the later of the two keys. */
    expect_error("baseline:\n  min_history_days: 20\n  window_days: 10\n", 3,
                 "must not exceed", NULL);
    expect_error("detector:\n  alpha_start: 1e-6\n  alpha_end: 1e-7\n", 3,
                 "detector.alpha_end", "greater than detector.alpha_start",
                 NULL);
    expect_error("detector:\n  alpha_end: 1e-6\n  alpha_start: 1e-6\n", 3,
                 "greater than", NULL);
    expect_error("gaps:\n  min_period_minutes: 100\n"
                 "  max_period_minutes: 50\n", 3,
                 "gaps.min_period_minutes (100)",
                 "gaps.max_period_minutes (50)", NULL);

    /* Both moved together is fine. */
    struct config c;
    char err[512];
    assert_int_equal(load(&c, "baseline:\n  window_days: 3\n"
                              "  min_history_days: 3\n"
                              "detector:\n  alpha_start: 0.01\n"
                              "  alpha_end: 0.05\n",
                          err, sizeof err), 0);
    assert_int_equal(c.window_days, 3);
    assert_true(c.alpha_end == 0.05);
    config_free(&c);
}

static void test_other_errors(void **state)
{
    (void)state;
    expect_error("baseline: &b\n  window_days: 3\ndetector: *b\n", 3,
                 "alias", NULL);
    expect_error("baseline:\n  window_days: 3\n---\nbaseline: {}\n", 3,
                 "one YAML document", NULL);
    expect_error("? [a, b]\n: 1\n", 1, "keys", NULL);
    expect_error("baseline:\n  window_days: \"2\\08\"\n", 2, "NUL", NULL);
}

/* ---- ignore rules ------------------------------------------------------ */

static void test_ignore_rules(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    if (load(&c, "ignore:\n"
                 "  - event_source: s3.amazonaws.com\n"
                 "    event_name: \"Get*\"\n"
                 "  - account: 012345678901\n"
                 "    insight_type: ApiErrorRateInsight\n"
                 "    error_code: \"Throttl*\"\n"
                 "  - region: \"ap-*-[12]\"\n"
                 "    error_code: \"*\"\n"
                 "  - {account: \"999*\"}\n",
             err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    assert_int_equal(c.n_ignore, 4);
    assert_string_equal(c.ignore[0].event_source, "s3.amazonaws.com");
    assert_string_equal(c.ignore[0].event_name, "Get*");
    assert_null(c.ignore[0].account);
    assert_null(c.ignore[0].error_code);
    /* Taken as written: leading zero kept, not read as a number. */
    assert_string_equal(c.ignore[1].account, "012345678901");
    assert_string_equal(c.ignore[1].insight_type, "ApiErrorRateInsight");
    assert_string_equal(c.ignore[3].account, "999*");

    /* Rule 0: any account/region, both insight types. */
    assert_true(config_ignored(&c, "111122223333", "us-east-1",
                               "s3.amazonaws.com", "GetObject", NULL,
                               "ApiCallRateInsight"));
    assert_true(config_ignored(&c, "111122223333", "us-east-1",
                               "s3.amazonaws.com", "GetBucketAcl",
                               "AccessDenied", "ApiErrorRateInsight"));
    assert_false(config_ignored(&c, "111122223333", "us-east-1",
                                "s3.amazonaws.com", "PutObject", NULL,
                                "ApiCallRateInsight"));
    assert_false(config_ignored(&c, "111122223333", "us-east-1",
                                "s3-control.amazonaws.com", "GetObject", NULL,
                                "ApiCallRateInsight"));
    /* Rule 1: error-rate keys with a matching error code only. */
    assert_true(config_ignored(&c, "012345678901", "eu-west-1",
                               "ec2.amazonaws.com", "DescribeInstances",
                               "ThrottlingException", "ApiErrorRateInsight"));
    assert_false(config_ignored(&c, "012345678901", "eu-west-1",
                                "ec2.amazonaws.com", "DescribeInstances",
                                "AccessDenied", "ApiErrorRateInsight"));
    assert_false(config_ignored(&c, "12345678901", "eu-west-1",
                                "ec2.amazonaws.com", "DescribeInstances",
                                "ThrottlingException",
                                "ApiErrorRateInsight"));
    /* NULL error_code matches only rules without error_code: rule 1 needs
     * one, so a call-rate key of that account is not ignored... */
    assert_false(config_ignored(&c, "012345678901", "eu-west-1",
                                "ec2.amazonaws.com", "DescribeInstances",
                                NULL, "ApiErrorRateInsight"));
    /* ...and not even "*" matches a missing error code (rule 2). */
    assert_false(config_ignored(&c, "111122223333", "ap-south-1",
                                "ec2.amazonaws.com", "RunInstances", NULL,
                                "ApiCallRateInsight"));
    assert_true(config_ignored(&c, "111122223333", "ap-south-1",
                               "ec2.amazonaws.com", "RunInstances",
                               "Client.UnauthorizedOperation",
                               "ApiErrorRateInsight"));
    /* Bracket expression in the region glob. */
    assert_false(config_ignored(&c, "111122223333", "ap-south-3",
                                "ec2.amazonaws.com", "RunInstances", "X",
                                "ApiErrorRateInsight"));
    /* Rule 3: one field only, matches every key of those accounts. */
    assert_true(config_ignored(&c, "999000111222", "sa-east-1",
                               "iam.amazonaws.com", "ListRoles", NULL,
                               "ApiCallRateInsight"));
    config_free(&c);
    assert_null(c.ignore);
    assert_int_equal(c.n_ignore, 0);

    /* No rules: nothing is ignored. */
    config_defaults(&c);
    assert_false(config_ignored(&c, "1", "r", "s", "n", NULL,
                                "ApiCallRateInsight"));
    assert_false(config_ignored(NULL, "1", "r", "s", "n", NULL,
                                "ApiCallRateInsight"));
}

/* A file that gives ignore: replaces earlier rules; one that does not
 * keeps them. */
static void test_ignore_replaces(void **state)
{
    struct config c;
    char err[512];
    const char *one = "ignore:\n  - region: us-east-1\n";

    (void)state;
    assert_int_equal(load(&c, one, err, sizeof err), 0);
    assert_int_equal(config_load_string(&c, one, strlen(one), "u.yaml", err,
                                        sizeof err), 0);
    assert_int_equal(c.n_ignore, 1);
    assert_int_equal(config_load_string(&c, "output: {precision: 3}\n", 23,
                                        "u.yaml", err, sizeof err), 0);
    assert_int_equal(c.n_ignore, 1);
    assert_int_equal(c.precision, 3);
    assert_int_equal(config_load_string(&c, "ignore: []\n", 11, "u.yaml", err,
                                        sizeof err), 0);
    assert_int_equal(c.n_ignore, 0);
    config_free(&c);
}

static void test_ignore_errors(void **state)
{
    (void)state;
    expect_error("ignore:\n  - {}\n", 2, "no keys", "event_source", NULL);
    expect_error("ignore:\n  - region: a\n  -\n", 3, "no keys", NULL);
    expect_error("ignore:\n  - region: a\n  - eventSource: s3\n", 3,
                 "unknown key 'eventSource'", "event_source", NULL);
    expect_error("ignore:\n  - s3.amazonaws.com\n", 2, "mapping", NULL);
    expect_error("ignore:\n  - region:\n", 2, "ignore.region",
                 "empty pattern", NULL);
    expect_error("ignore:\n  - region: \"\"\n", 2, "empty pattern", NULL);
    expect_error("ignore:\n  - region: [a, b]\n", 2, "ignore.region",
                 "sequence", NULL);
    expect_error("ignore:\n  - region: a\n    insight_type: ApiCallRate\n",
                 3, "insight_type", "ApiCallRateInsight", NULL);
    expect_error("ignore:\n  - event_name: *Get\n", 2, "alias", NULL);
}

/* ---- empty input, files ------------------------------------------------ */

/* ---- sinks ------------------------------------------------------------ */

/* The commented "sinks:" example loads: every type, its filters and
 * secrets by reference, default names. */
static void test_documented_sinks_example(void **state)
{
    struct config c;
    char err[512] = "";
    char *out;

    (void)state;
    out = documented_example("sinks:");
    if (load(&c, out, err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    assert_int_equal(c.n_sinks, 6);
    assert_string_equal(c.sinks[0].type, "alertmanager");
    assert_string_equal(c.sinks[0].name, "alertmanager");
    assert_string_equal(c.sinks[0].url, "http://127.0.0.1:9093");
    assert_string_equal(c.sinks[1].secret_env, "CTINSIGHTS_PAGERDUTY_KEY");
    assert_string_equal(c.sinks[1].url,
                        "https://events.pagerduty.com/v2/enqueue");
    assert_true(c.sinks[1].min_score == 20.0);
    assert_true(config_match(&c.sinks[1].match, "111122223333", "us-east-1",
                             "iam.amazonaws.com", "CreateUser", NULL,
                             "ApiCallRateInsight"));
    assert_false(config_match(&c.sinks[1].match, "999999999999", "us-east-1",
                              "iam.amazonaws.com", "CreateUser", NULL,
                              "ApiCallRateInsight"));
    assert_string_equal(c.sinks[2].url_file, "/etc/ctinsights/slack-url");
    assert_string_equal(c.sinks[2].category, "iam-burst");
    assert_int_equal(c.sinks[2].group_by, GROUP_ACCOUNT);
    assert_string_equal(c.sinks[3].secret_env, "CTINSIGHTS_WEBHOOK_SECRET");
    assert_string_equal(c.sinks[4].argv[0], "/usr/bin/logger");
    assert_string_equal(c.sinks[4].argv[2], "ctinsights");
    assert_null(c.sinks[4].argv[3]);
    assert_true(c.sinks[4].timeout == 5.0);
    assert_string_equal(c.sinks[5].path,
                        "/var/log/ctinsights/insights-events.ndjson");
    config_free(&c);
    xfree(out);
}

/* Defaults differ by type as documented; a second sink of a type gets
 * type-2; a file that gives sinks replaces them. */
static void test_sink_defaults(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    assert_int_equal(load(&c, "sinks:\n"
                              "  - {type: alertmanager, url: \"http://a\"}\n"
                              "  - {type: alertmanager, url: \"http://b\"}\n"
                              "  - {type: exec, argv: [true]}\n",
                          err, sizeof err), 0);
    assert_int_equal(c.n_sinks, 3);
    assert_string_equal(c.sinks[1].name, "alertmanager-2");
    assert_int_equal(c.sinks[0].group_by, GROUP_PRINCIPAL);
    assert_true(c.sinks[0].group_window == 600.0);
    assert_true(c.sinks[0].resend_interval == 60.0);
    assert_true(c.sinks[0].rate_per_minute == 30.0);
    assert_int_equal(c.sinks[0].burst, 10);
    assert_true(c.sinks[0].retry_initial == 1.0);
    assert_true(c.sinks[0].retry_max == 300.0);
    assert_true(c.sinks[0].give_up_after == 86400.0);
    assert_true(c.sinks[0].timeout == 10.0);
    assert_true(c.sinks[2].rate_per_minute == 600.0);
    assert_int_equal(c.sinks[2].burst, 100);
    assert_true(c.sinks[2].resend_interval == 0.0);
    assert_int_equal(config_load_string(&c, "sinks: []\n", 10, "u.yaml", err,
                                        sizeof err), 0);
    assert_int_equal(c.n_sinks, 0);
    config_free(&c);
}

static void test_sink_errors(void **state)
{
    (void)state;
    expect_error("sinks:\n  - url: \"http://a\"\n", 2, "sink has no type",
                 "alertmanager", NULL);
    expect_error("sinks:\n  - type: nagios\n", 2, "unknown sink type "
                 "'nagios'", NULL);
    expect_error("sinks:\n  - type: exec\n    argv: [x]\n    colour: red\n",
                 4, "unknown key 'colour' in sink", NULL);
    expect_error("sinks:\n  - type: exec\n    argv: [x]\n"
                 "    url: \"http://a\"\n", 4,
                 "sinks.url does not apply to sinks of type exec", NULL);
    expect_error("sinks:\n  - type: alertmanager\n", 2, "has no url", NULL);
    expect_error("sinks:\n  - type: alertmanager\n    url: ftp://x\n", 3,
                 "http:// or https://", NULL);
    expect_error("sinks:\n  - type: pagerduty\n", 2,
                 "routing_key_env or routing_key_file", NULL);
    expect_error("sinks:\n  - type: slack\n    url: \"http://a\"\n"
                 "    url_env: X\n", 2, "more than one", NULL);
    expect_error("sinks:\n  - type: webhook\n    url: \"http://a\"\n", 2,
                 "secret_env or secret_file", NULL);
    expect_error("sinks:\n  - type: exec\n    argv: []\n", 3,
                 "sinks.argv: empty list", NULL);
    expect_error("sinks:\n  - type: exec\n", 2, "has no argv", NULL);
    expect_error("sinks:\n  - type: exec\n    argv: [x]\n"
                 "    min_score: -1\n", 4, "sinks.min_score", "out of range",
                 NULL);
    expect_error("sinks:\n  - {type: slack, url: \"http://a\", group_by: "
                 "team}\n", 2, "sinks.group_by", "none, account, principal",
                 NULL);
    expect_error("sinks:\n  - {type: exec, argv: [x], retry_initial: 10, "
                 "retry_max: 1}\n", 2, "retry_max", NULL);
    expect_error("sinks:\n  - {type: exec, argv: [x]}\n"
                 "  - {type: exec, argv: [y], name: exec}\n", 3,
                 "two sinks are named 'exec'", NULL);
    expect_error("sinks:\n  - {type: exec, argv: [x], type: exec}\n", 2,
                 "duplicate key sinks.type", NULL);
    expect_error("sinks:\n  - {type: webhook, url: \"http://a\", "
                 "secret_env: S, match: {acount: x}}\n", 2,
                 "unknown key 'acount'", NULL);
}

static void test_empty_is_defaults(void **state)
{
    static const char *const texts[] = {
        "", "\n\n", "# only a comment\n   # and another\n", "---\n",
        "--- # nothing\n...\n", "baseline:\n  # window_days: 3\n",
    };
    struct config c, def;
    char err[512];

    (void)state;
    config_defaults(&def);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        memset(err, 'x', sizeof err);
        assert_int_equal(load(&c, texts[i], err, sizeof err), 0);
        assert_string_equal(err, "");
        assert_settings_equal(&c, &def);
        assert_int_equal(c.n_ignore, 0);
        config_free(&c);
    }
    /* NULL text with length 0 is empty too. */
    config_defaults(&c);
    assert_int_equal(config_load_string(&c, NULL, 0, "t.yaml", err,
                                        sizeof err), 0);
    config_free(&c);
}

static void test_nonexistent_file(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    config_defaults(&c);
    assert_int_equal(config_load(&c, "no/such/dir/ct.yaml", err, sizeof err),
                     -1);
    assert_contains(err, "no/such/dir/ct.yaml: ");
    assert_contains(err, "No such file or directory");
    /* A directory opens but cannot be read. */
    assert_int_equal(config_load(&c, "config", err, sizeof err), -1);
    assert_contains(err, "config: cannot read: ");
    config_free(&c);
}

static void test_load_file(void **state)
{
    char path[] = "/tmp/test_config_XXXXXX";
    const char *text = "detector:\n  min_count: 9\n  bogus: 1\n";
    struct config c;
    char err[512] = "";
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    config_defaults(&c);
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    /* Messages from a file carry its path. */
    assert_true(strncmp(err, path, strlen(path)) == 0);
    assert_contains(err, ":3: unknown key 'bogus'");
    assert_int_equal(c.min_count, 9);
    config_free(&c);
    unlink(path);
}

/* Messages are truncated, never overflow, and err may be absent. */
static void test_small_error_buffer(void **state)
{
    struct config c;
    char err[12];

    (void)state;
    memset(err, 'x', sizeof err);
    assert_int_equal(load(&c, "baseline:\n  nope: 1\n", err, 8), -1);
    assert_string_equal(err, "t.yaml:");
    assert_int_equal(err[8], 'x');
    config_free(&c);
    assert_int_equal(load(&c, "baseline:\n  nope: 1\n", NULL, 0), -1);
    config_free(&c);
    config_free(NULL);
}

/* ---- categories, overrides, suppress ----------------------------------- */

static void test_limit_codes(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    assert_int_equal(load(&c, "categories:\n  service_limit_codes:\n"
                              "    - KMSThrottlingException\n"
                              "    - ReservedConcurrencyExceeded\n",
                          err, sizeof err), 0);
    assert_int_equal(c.n_limit_codes, 2);
    assert_string_equal(c.limit_codes[0], "KMSThrottlingException");
    assert_string_equal(c.limit_codes[1], "ReservedConcurrencyExceeded");
    /* A second file that gives the list replaces it. */
    const char *again = "categories:\n  service_limit_codes: [X]\n";
    assert_int_equal(config_load_string(&c, again, strlen(again), "u.yaml",
                                        err, sizeof err), 0);
    assert_int_equal(c.n_limit_codes, 1);
    assert_string_equal(c.limit_codes[0], "X");
    config_free(&c);
    assert_null(c.limit_codes);
    expect_error("categories:\n  service_limit_codes: [A, \"\"]\n", 2,
                 "service_limit_codes", "empty", NULL);
    expect_error("categories:\n  codes: [A]\n", 2, "codes", NULL);
}

static void test_overrides(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    if (load(&c, "overrides:\n"
                 "  - match:\n"
                 "      event_source: \"sts.amazonaws.com\"\n"
                 "      event_name: \"AssumeRole*\"\n"
                 "    sensitivity: 2\n"
                 "    min_count: 200\n"
                 "  - match: {account: \"012345678901\"}\n"
                 "    gaps: false\n"
                 "    min_history_days: 14\n",
             err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    assert_int_equal(c.n_overrides, 2);
    assert_true(c.overrides[0].sensitivity == 2.0);
    assert_int_equal(c.overrides[0].min_count, 200);
    assert_int_equal(c.overrides[0].min_history_days, -1);
    assert_int_equal(c.overrides[0].gaps, -1);
    assert_true(c.overrides[1].sensitivity == -1.0);
    assert_int_equal(c.overrides[1].gaps, 0);
    assert_int_equal(c.overrides[1].min_history_days, 14);
    /* The first matching rule wins. */
    const struct config_override *o = config_override_for(
        &c, "012345678901", "us-east-1", "sts.amazonaws.com",
        "AssumeRoleWithSAML", NULL, "ApiCallRateInsight");
    assert_ptr_equal(o, &c.overrides[0]);
    o = config_override_for(&c, "012345678901", "us-east-1",
                            "ec2.amazonaws.com", "RunInstances", NULL,
                            "ApiCallRateInsight");
    assert_ptr_equal(o, &c.overrides[1]);
    assert_null(config_override_for(&c, "111122223333", "us-east-1",
                                    "ec2.amazonaws.com", "RunInstances", NULL,
                                    "ApiCallRateInsight"));
    config_free(&c);
    assert_null(c.overrides);
    assert_int_equal(c.n_overrides, 0);

    expect_error("overrides:\n  - match: {event_name: \"Get*\"}\n", 2,
                 "override sets nothing", NULL);
    expect_error("overrides:\n  - sensitivity: 2\n", 2, "no match", NULL);
    expect_error("overrides:\n  - match: {event_name: x}\n    sensitivity: 20\n",
                 3, "overrides.sensitivity", "1..10", NULL);
    expect_error("overrides:\n  - match: {event_name: x}\n    colour: red\n",
                 3, "colour", NULL);
    expect_error("overrides:\n  - match: {nmae: x}\n    gaps: true\n", 2,
                 "nmae", NULL);
}

static void test_suppress(void **state)
{
    struct config c;
    char err[512] = "";

    (void)state;
    if (load(&c, "suppress:\n"
                 "  - daily: \"22:00-02:00\"\n"
                 "    weekdays: [sat, sun]\n"
                 "  - principal: \"arn:aws:sts::*:assumed-role/deploy/*\"\n"
                 "    category: provisioning\n"
                 "  - match: {account: \"012345678901\", region: eu-west-1}\n"
                 "    from: 2026-03-01T00:00Z\n"
                 "    until: 2026-03-02T06:00Z\n"
                 "  - daily: \"09:00-24:00\"\n",
             err, sizeof err) != 0) {
        print_error("%s\n", err);
        fail();
    }
    assert_int_equal(c.n_suppress, 4);
    assert_int_equal(c.suppress[0].daily_from, 22 * 60);
    assert_int_equal(c.suppress[0].daily_to, 2 * 60);
    assert_int_equal(c.suppress[0].weekdays, (1u << 5) | (1u << 6));
    assert_true(c.suppress[0].from == -1 && c.suppress[0].until == -1);
    assert_string_equal(c.suppress[1].principal,
                        "arn:aws:sts::*:assumed-role/deploy/*");
    assert_string_equal(c.suppress[1].category, "provisioning");
    assert_int_equal(c.suppress[1].daily_from, -1);
    assert_int_equal(c.suppress[1].weekdays, 0);
    /* 2026-03-01T00:00Z is 20513 days after 1970-01-01. */
    assert_true(c.suppress[2].from == 20513LL * 1440);
    assert_true(c.suppress[2].until == 20514LL * 1440 + 360);
    assert_string_equal(c.suppress[2].match.region, "eu-west-1");
    assert_int_equal(c.suppress[3].daily_to, 1440);
    config_free(&c);
    assert_null(c.suppress);
    assert_int_equal(c.n_suppress, 0);

    expect_error("suppress:\n  - {}\n", 2, "no conditions", NULL);
    expect_error("suppress:\n  - daily: \"25:00-02:00\"\n", 2,
                 "suppress.daily", "HH:MM-HH:MM", NULL);
    expect_error("suppress:\n  - weekdays: [sat, funday]\n", 2,
                 "suppress.weekdays", "funday", NULL);
    expect_error("suppress:\n  - from: 2026-03-02T00:00Z\n"
                 "    until: 2026-03-01T00:00Z\n", 3,
                 "suppress.until must be after suppress.from", NULL);
    expect_error("suppress:\n  - from: yesterday\n", 2, "suppress.from",
                 "UTC time", NULL);
    expect_error("suppress:\n  - when: now\n", 2, "when", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_documented_file_is_defaults),
        cmocka_unit_test(test_documented_file_lists_every_key),
        cmocka_unit_test(test_documented_ignore_example),
        cmocka_unit_test(test_override_int),
        cmocka_unit_test(test_override_double),
        cmocka_unit_test(test_override_bool),
        cmocka_unit_test(test_override_size),
        cmocka_unit_test(test_error_keeps_values),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_bad_type),
        cmocka_unit_test(test_section_not_mapping),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_cross_field),
        cmocka_unit_test(test_other_errors),
        cmocka_unit_test(test_ignore_rules),
        cmocka_unit_test(test_ignore_replaces),
        cmocka_unit_test(test_ignore_errors),
        cmocka_unit_test(test_limit_codes),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_suppress),
        cmocka_unit_test(test_documented_sinks_example),
        cmocka_unit_test(test_sink_defaults),
        cmocka_unit_test(test_sink_errors),
        cmocka_unit_test(test_empty_is_defaults),
        cmocka_unit_test(test_nonexistent_file),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_small_error_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
