/*
 * Unit tests for engine/parse/frame.c: which records come out of each input
 * shape users export (log files, arrays, NDJSON, EventBridge, CloudWatch
 * Logs, LookupEvents, digests), at which offsets, and what each kind of
 * damage costs: the records delivered around it and the diag counters.
 * Every case is framed twice, with jansson (frame_buffer) and with the
 * fast extractor (frame_fields), which must agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "frame.h"
#include "record.h"

/* A record named n, with its quotes written as q (so it can be embedded
 * in a JSON string). */
#define RECQ(q, n)                                                         \
    "{" q "eventName" q ":" q n q "," q "eventVersion" q ":" q "1.08" q   \
    "," q "eventTime" q ":" q "2024-03-12T14:07:12Z" q "," q "eventSource" \
    q ":" q "iam.amazonaws.com" q "}"
#define R(n) RECQ("\"", n)
#define RE(n) RECQ("\\\"", n)

#define EVENTBRIDGE(n)                                                     \
    "{\"version\":\"0\",\"id\":\"6a7e8feb-b491\",\"detail-type\":"         \
    "\"AWS API Call via CloudTrail\",\"source\":\"aws.iam\",\"account\":"  \
    "\"111122223333\",\"time\":\"2024-03-12T14:07:12Z\",\"region\":"       \
    "\"us-east-1\",\"resources\":[],\"detail\":" R(n) "}"
#define CWL_EVENT(id, n)                                                   \
    "{\"id\":\"" id "\",\"timestamp\":1710252432000,\"message\":\"" RE(n) "\"}"
#define CWL_DATA                                                           \
    "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\","        \
    "\"logGroup\":\"aws-cloudtrail-logs\",\"logStream\":\"s\","            \
    "\"subscriptionFilters\":[\"ct\"],\"logEvents\":["                     \
    CWL_EVENT("1", "A") "," CWL_EVENT("2", "B") "]}"
#define CWL_CONTROL                                                        \
    "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\","   \
    "\"logGroup\":\"\",\"logStream\":\"\",\"subscriptionFilters\":[],"     \
    "\"logEvents\":[{\"id\":\"\",\"timestamp\":1710252432000,\"message\":" \
    "\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}"
#define LOOKUP_ENTRY(n)                                                    \
    "{\"EventId\":\"id-" n "\",\"EventName\":\"" n "\",\"ReadOnly\":"      \
    "\"false\",\"EventTime\":\"2024-03-12T14:07:12+00:00\",\"Resources\":" \
    "[],\"CloudTrailEvent\":\"" RE(n) "\"}"
#define DIGEST                                                             \
    "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":"              \
    "\"2024-03-12T13:00:00Z\",\"digestEndTime\":\"2024-03-12T14:00:00Z\"," \
    "\"digestS3Bucket\":\"b\",\"digestS3Object\":\"o\","                   \
    "\"previousDigestSignature\":null,\"logFiles\":[{\"s3Bucket\":\"b\","  \
    "\"s3Object\":\"o\",\"hashValue\":\"00\",\"hashAlgorithm\":\"SHA-256\"}]}"

#define MAX_GOT 16

/* What one frame_buffer call delivered and counted. */
struct got {
    char names[256]; /* eventName of each record, comma-separated */
    size_t offsets[MAX_GOT];
    int n;
    struct diag d;
    char log[4096]; /* what diag printed */
};

static void on_record(void *ctx, const json_t *rec, size_t offset)
{
    struct got *g = ctx;
    const char *name = json_string_value(json_object_get(rec, "eventName"));
    size_t used = strlen(g->names);
    assert_true(g->n < MAX_GOT);
    snprintf(g->names + used, sizeof g->names - used, "%s%s", g->n ? "," : "",
             name ? name : "?");
    g->offsets[g->n++] = offset;
}

/* The same through frame_fields with the fast extractor. */
static void on_fields(void *ctx, const struct record_fields *rec, size_t offset)
{
    struct got *g = ctx;
    const struct rfield *name = &rec->f[RF_EVENT_NAME];
    size_t used = strlen(g->names);
    assert_true(g->n < MAX_GOT);
    if (name->type == RFT_STRING)
        snprintf(g->names + used, sizeof g->names - used, "%s%.*s",
                 g->n ? "," : "", (int)name->v.len, name->v.s);
    else
        snprintf(g->names + used, sizeof g->names - used, "%s?", g->n ? "," : "");
    g->offsets[g->n++] = offset;
}

static void frame_one(const struct config *c, const char *buf, size_t len,
                      struct got *g, int fast)
{
    memset(g, 0, sizeof *g);
    diag_init(&g->d);
    g->d.out = tmpfile();
    assert_non_null(g->d.out);
    if (fast)
        frame_fields("t.json", buf, len, c, &g->d, FRAME_FAST, on_fields, g);
    else
        frame_buffer("t.json", buf, len, c, &g->d, on_record, g);
    rewind(g->d.out);
    size_t n = fread(g->log, 1, sizeof g->log - 1, g->d.out);
    g->log[n] = '\0';
    fclose(g->d.out);
}

/* Frame buf with jansson (into g) and with the fast extractor, which must
 * deliver the same records at the same offsets and report the same. */
static void frame(const struct config *c, const char *buf, size_t len,
                  struct got *g)
{
    static struct got fast;
    frame_one(c, buf, len, &fast, 1);
    frame_one(c, buf, len, g, 0);
    if (strcmp(g->names, fast.names) != 0 || strcmp(g->log, fast.log) != 0 ||
        memcmp(g->offsets, fast.offsets, sizeof g->offsets) != 0 ||
        g->d.records != fast.d.records ||
        memcmp(g->d.skipped, fast.d.skipped, sizeof g->d.skipped) != 0 ||
        memcmp(g->d.ignored, fast.d.ignored, sizeof g->d.ignored) != 0) {
        print_error("fast path differs: records \"%s\" vs \"%s\"\n  diag: %s\n  fast diag: %s\n",
                    g->names, fast.names, g->log, fast.log);
        fail();
    }
}

enum { NONE = -1 };

/* buf must yield the records named in names (comma-separated, in order)
 * and, if skip is not NONE, nskip skips all of that reason; control is
 * d.ignored[IGNORE_CONTROL].  d.records counts both. */
static void check(const char *what, const struct config *c, const char *buf,
                  size_t len, const char *names, int skip, int nskip,
                  int control, struct got *g)
{
    frame(c, buf, len, g);
    uint64_t want_skips = skip == NONE ? 0 : (uint64_t)nskip;
    uint64_t want_records = want_skips;
    if (*names) {
        want_records++;
        for (const char *p = names; *p; p++)
            want_records += *p == ',';
    }
    if (strcmp(g->names, names) != 0 || diag_skipped(&g->d) != want_skips ||
        (skip != NONE && g->d.skipped[skip] != want_skips) ||
        g->d.records != want_records ||
        g->d.ignored[IGNORE_CONTROL] != (uint64_t)control) {
        print_error("%s:\n  records \"%s\", expected \"%s\"\n"
                    "  d.records %llu (expected %llu), skips %llu "
                    "(expected %llu of %s), control %llu (expected %d)\n"
                    "  diag: %s\n",
                    what, g->names, names, (unsigned long long)g->d.records,
                    (unsigned long long)want_records,
                    (unsigned long long)diag_skipped(&g->d),
                    (unsigned long long)want_skips,
                    skip == NONE ? "none" : skip_reason_name(skip),
                    (unsigned long long)g->d.ignored[IGNORE_CONTROL], control,
                    g->log);
        fail();
    }
}

struct frame_case {
    const char *what;
    const char *in;
    const char *names;
    int skip, nskip, control;
};

static void check_cases(const struct config *c, const struct frame_case *k,
                        size_t n)
{
    struct got g;
    for (size_t i = 0; i < n; i++)
        check(k[i].what, c, k[i].in, strlen(k[i].in), k[i].names, k[i].skip,
              k[i].nskip, k[i].control, &g);
}

/* The compiled-in defaults; tests copy it to change a limit. */
static struct config base;

static int setup(void **state)
{
    config_defaults(&base);
    return 0;
}

static int teardown(void **state)
{
    config_free(&base);
    return 0;
}

static void test_shapes(void **state)
{
    static const struct frame_case cases[] = {
        {"Records document, pretty-printed",
         "{\n  \"Records\": [\n    " R("A") ",\n    " R("B") "\n  ]\n}\n",
         "A,B", NONE, 0, 0},
        {"Records after other members",
         "{\"x\":{\"Records\":[1]},\"Records\":[" R("A") "]}", "A", NONE, 0, 0},
        {"Records documents back to back",
         "{\"Records\":[" R("A") "]}{\"Records\":[" R("B") "," R("C") "]}",
         "A,B,C", NONE, 0, 0},
        {"Records documents one per line",
         "{\"Records\":[" R("A") "]}\n{\"Records\":[" R("B") "]}\n", "A,B",
         NONE, 0, 0},
        {"empty Records", "{\"Records\":[]}\n", "", NONE, 0, 0},
        {"NDJSON, blank lines, CRLF, no final newline",
         R("A") "\n\n" R("B") "\r\n  \t\n" R("C"), "A,B,C", NONE, 0, 0},
        {"bare array", "[" R("A") ",\n " R("B") "]\n", "A,B", NONE, 0, 0},
        {"single record", R("A") "\n", "A", NONE, 0, 0},
        {"EventBridge envelope", EVENTBRIDGE("A"), "A", NONE, 0, 0},
        {"EventBridge envelopes one per line",
         EVENTBRIDGE("A") "\n" EVENTBRIDGE("B") "\n", "A,B", NONE, 0, 0},
        {"CloudWatch Logs payload", CWL_DATA, "A,B", NONE, 0, 0},
        {"CloudWatch Logs control message", CWL_CONTROL, "", NONE, 0, 1},
        {"CloudWatch Logs payloads back to back (Firehose)",
         CWL_DATA CWL_CONTROL CWL_DATA, "A,B,A,B", NONE, 0, 1},
        {"LookupEvents response",
         "{\"Events\":[" LOOKUP_ENTRY("A") ",\n" LOOKUP_ENTRY("B")
         "],\"NextToken\":\"t\"}",
         "A,B", NONE, 0, 0},
        {"LookupEvents entry line", LOOKUP_ENTRY("A") "\n", "A", NONE, 0, 0},
        {"LookupEvents entries one per line",
         LOOKUP_ENTRY("A") "\n" LOOKUP_ENTRY("B") "\n", "A,B", NONE, 0, 0},
        {"digest file", DIGEST, "", NONE, 0, 1},
        {"empty input", "", "", NONE, 0, 0},
        {"whitespace only", " \n\t\r\n", "", NONE, 0, 0},
    };
    struct config c = base;
    check_cases(&c, cases, sizeof cases / sizeof cases[0]);
}

/* Offsets name where each record's value starts: the record itself in
 * arrays and NDJSON, the envelope for wrapped records. */
static void test_offsets(void **state)
{
    static const char *const inputs[] = {
        "{\n  \"Records\": [\n    " R("A") ",\n    " R("B") "\n  ]\n}\n",
        "[ " R("A") ",\n\n  " R("B") " ]",
        R("A") "\n\n  " R("B") "\n",
        EVENTBRIDGE("A") "\n" EVENTBRIDGE("B") "\n",
        LOOKUP_ENTRY("A") "\n" LOOKUP_ENTRY("B"),
        "{\"Events\":[" LOOKUP_ENTRY("A") ",\n" LOOKUP_ENTRY("B") "]}",
        "{\"Events\":[" LOOKUP_ENTRY("A") "," LOOKUP_ENTRY("B") "]}\n{}\n",
    };
    struct config c = base;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *in = inputs[i];
        const char *a = strstr(in, "{\"eventName\":\"A\"");
        const char *b = strstr(in, "{\"eventName\":\"B\"");
        if (i >= 3 && i <= 4) { /* wrapped: the envelope's own start */
            a = in;
            b = strchr(in, '\n') + 1;
        }
        if (i >= 5) { /* a page: each entry's own start */
            a = strstr(in, "{\"EventId\":\"id-A\"");
            b = strstr(in, "{\"EventId\":\"id-B\"");
        }
        struct got g;
        frame(&c, in, strlen(in), &g);
        assert_string_equal(g.names, "A,B");
        assert_int_equal(g.offsets[0], a - in);
        assert_int_equal(g.offsets[1], b - in);
    }
}

static void test_damaged_records_document(void **state)
{
    static const struct frame_case cases[] = {
        {"cut off inside the 3rd record",
         "{\"Records\":[" R("A") ",\n" R("B") ",\n{\"eventName\":\"C\",\"eventTi",
         "A,B", SKIP_TRUNCATED, 1, 0},
        {"cut off after the 2nd record",
         "{\"Records\":[" R("A") "," R("B") ",", "A,B", SKIP_TRUNCATED, 1, 0},
        {"cut off after the array", "{\"Records\":[" R("A") "," R("B") "]",
         "A,B", SKIP_TRUNCATED, 1, 0},
        {"syntax error inside the 3rd record costs only it",
         "{\"Records\":[" R("A") "," R("B") ",{\"eventName\":\"C\" \"x\":1},"
         R("D") "]}",
         "A,B,D", SKIP_INVALID_JSON, 1, 0},
        {"a value that is not a record costs only it",
         "{\"Records\":[" R("A") "," R("B") ",{\"foo\":[1]}," R("D") "]}",
         "A,B,D", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"a stray bracket after the 2nd record breaks the structure",
         "{\"Records\":[" R("A") "," R("B") "}," R("C") "]}", "A,B",
         SKIP_INVALID_JSON, 1, 0},
        {"a missing comma after the 2nd record breaks the structure",
         "{\"Records\":[" R("A") "," R("B") " " R("C") "]}", "A,B",
         SKIP_INVALID_JSON, 1, 0},
        {"bare array cut off", "[" R("A") "," R("B") ",{\"eventN", "A,B",
         SKIP_TRUNCATED, 1, 0},
    };
    struct config c = base;
    check_cases(&c, cases, sizeof cases / sizeof cases[0]);
}

/* A LookupEvents page is walked entry by entry, in a file and on a line:
 * a damaged entry costs that entry, a break what follows it; the record
 * inside an entry is read however its string is escaped. */
static void test_lookup_pages_damaged(void **state)
{
#define PAGE(...) "{\"Events\":[" __VA_ARGS__ "],\"NextToken\":\"t\"}"
#define ENTRY_TEXT(text) "{\"EventId\":\"x\",\"CloudTrailEvent\":\"" text "\"}"
    static const struct frame_case cases[] = {
        {"an entry whose record is not JSON costs only it",
         PAGE(LOOKUP_ENTRY("A") "," ENTRY_TEXT("{\\\"eventName\\\":") ","
              LOOKUP_ENTRY("C")),
         "A,C", SKIP_INVALID_JSON, 1, 0},
        {"an entry that is not an object costs only it",
         PAGE(LOOKUP_ENTRY("A") ",17," LOOKUP_ENTRY("C")), "A,C",
         SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"text after an entry's record costs only it",
         PAGE(LOOKUP_ENTRY("A") "," ENTRY_TEXT(RE("B") " x") "," LOOKUP_ENTRY("C")),
         "A,C", SKIP_INVALID_JSON, 1, 0},
        {"the same on one line of NDJSON",
         PAGE(LOOKUP_ENTRY("A") ",17," LOOKUP_ENTRY("C")) "\n"
         PAGE(LOOKUP_ENTRY("D")) "\n",
         "A,C,D", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"a page cut off inside its 3rd entry keeps the first two",
         "{\"Events\":[" LOOKUP_ENTRY("A") "," LOOKUP_ENTRY("B")
         ",{\"EventId\":\"x\",\"CloudTrailEvent\":\"{\\\"ev",
         "A,B", SKIP_TRUNCATED, 1, 0},
        {"record text escaped every way",
         ENTRY_TEXT("\\u007b\\\"eventN\\u0061me\\\":\\\"\\u00e9\\ud83d\\ude00\\/\\\","
                    "\\\"eventVersion\\\":\\\"1.08\\\",\\\"eventTime\\\":"
                    "\\\"2024-03-12T14:07:12Z\\\",\\\"eventSource\\\":\\\"iam.amazonaws.com\\\""
                    "\\t}\\n")
         "\n",
         "\xc3\xa9\xf0\x9f\x98\x80/", NONE, 0, 0},
        {"a lone surrogate in the record's string is invalid",
         ENTRY_TEXT("\\ud83d") "\n" LOOKUP_ENTRY("B") "\n", "B",
         SKIP_INVALID_JSON, 1, 0},
    };
#undef ENTRY_TEXT
#undef PAGE
    struct config c = base;
    check_cases(&c, cases, sizeof cases / sizeof cases[0]);
}

/* Where the damage is reported: file:line:col of the bad record. */
static void test_damage_position(void **state)
{
    const char *in = "{\"Records\":[\n" R("A") ",\n" R("B")
                     ",\n{\"eventName\":\"C\" \"x\":1},\n" R("D") "\n]}\n";
    struct config c = base;
    struct got g;
    check("position", &c, in, strlen(in), "A,B,D", SKIP_INVALID_JSON, 1, 0,
          &g);
    if (!strstr(g.log, "ctinsights: t.json:4:") ||
        !strstr(g.log, ": invalid_json: ")) {
        print_error("diag said: %s\n", g.log);
        fail();
    }
}

/* NDJSON whose first line is damaged: the file is still read as NDJSON
 * and the later lines are delivered. */
static void test_ndjson_first_line_damaged(void **state)
{
    static const struct {
        const char *first;
        int skip;
    } cases[] = {
        {"{\"eventName\":\"X\",\"eventTi", SKIP_TRUNCATED},
        {"{\"eventName\":\"X\",", SKIP_TRUNCATED},
        {"{\"eventName\":\"X\" \"eventTime\":1}", SKIP_INVALID_JSON},
        {"{\"eventName\":\"X\",\"eventTime\":}", SKIP_INVALID_JSON},
        {"garbage", SKIP_INVALID_JSON},
        {"# exported 2024-03-12", SKIP_INVALID_JSON},
    };
    struct config c = base;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char in[512];
        struct got g;
        snprintf(in, sizeof in, "%s\n%s\n%s\n", cases[i].first, R("B"), R("C"));
        check(cases[i].first, &c, in, strlen(in), "B,C", cases[i].skip, 1, 0,
              &g);
    }
}

/* An NDJSON file whose first line holds a whole value and then more text
 * (`{record}}`, `{record} junk`, or plain words) is still NDJSON: the first
 * line is reported, the following records are delivered. */
static void test_ndjson_first_line_trailing_text(void **state)
{
    static const char *const firsts[] = {
        R("X") "}", R("X") " junk", R("X") ",", "not json at all",
        "Exported 2024-03-12 from the console",
    };
    struct config c = base;
    for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        char in[512];
        struct got g;
        snprintf(in, sizeof in, "%s\n%s\n%s\n", firsts[i], R("B"), R("C"));
        check(firsts[i], &c, in, strlen(in), "B,C", SKIP_INVALID_JSON, 1, 0,
              &g);
    }
}

/* A record named n whose userAgent is pad bytes of 'x'. */
static void big_record(char *out, size_t size, const char *n, size_t pad)
{
    size_t k = (size_t)snprintf(out, size, "{\"eventName\":\"%s\","
                                           "\"eventTime\":\"2024-03-12T14:07:12Z\","
                                           "\"userAgent\":\"", n);
    assert_true(k + pad + 3 < size);
    memset(out + k, 'x', pad);
    strcpy(out + k + pad, "\"}");
}

static void test_oversized(void **state)
{
    static const char *const layouts[] = {
        "{\"Records\":[%s,\n%s,\n%s]}", /* Records document */
        "[%s,\n%s,\n%s]",               /* bare array */
        "%s\n%s\n%s\n",                 /* NDJSON */
    };
    struct config c = base;
    static char big[4096], in[8192];
    c.max_record_bytes = 1024;
    big_record(big, sizeof big, "BIG", 1100);
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        struct got g;
        snprintf(in, sizeof in, layouts[i], R("A"), big, R("C"));
        check(layouts[i], &c, in, strlen(in), "A,C", SKIP_OVERSIZED, 1, 0, &g);
    }
    /* just under the limit is fine */
    big_record(big, sizeof big, "B", 900);
    struct got g;
    snprintf(in, sizeof in, "%s\n%s\n", R("A"), big);
    check("under the limit", &c, in, strlen(in), "A,B", NONE, 0, 0, &g);
}

/* Records that arrive inside a wrapper (a single-record file, an
 * EventBridge `detail`, a CloudWatch Logs message, a LookupEvents
 * CloudTrailEvent) are held to input.max_record_bytes too. */
static void test_oversized_wrapped(void **state)
{
    struct config c = base;
    static char big[4096], in[8192];
    struct got g;
    c.max_record_bytes = 1024;
    big_record(big, sizeof big, "BIG", 1200);
    snprintf(in, sizeof in,
             "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":%s}",
             big);
    check("EventBridge", &c, in, strlen(in), "", SKIP_OVERSIZED, 1, 0, &g);
    snprintf(in, sizeof in, "%s\n", big);
    check("single record", &c, in, strlen(in), "", SKIP_OVERSIZED, 1, 0, &g);
}

/* A record whose requestParameters nest depth objects deep. */
static void deep_record(char *out, size_t size, const char *n, int depth)
{
    size_t k = (size_t)snprintf(out, size,
                                "{\"eventName\":\"%s\",\"requestParameters\":", n);
    for (int i = 0; i < depth; i++)
        k += (size_t)snprintf(out + k, size - k, "{\"a\":");
    k += (size_t)snprintf(out + k, size - k, "1");
    for (int i = 0; i <= depth; i++)
        k += (size_t)snprintf(out + k, size - k, "}");
    assert_true(k < size);
}

static void test_too_deep(void **state)
{
    struct config c = base;
    char deep[512], ok[512], in[2048];
    struct got g;
    c.max_depth = 8;
    deep_record(deep, sizeof deep, "DEEP", 20);
    deep_record(ok, sizeof ok, "B", 4);

    snprintf(in, sizeof in, "%s\n%s\n%s\n%s\n", R("A"), deep, ok, R("C"));
    check("NDJSON", &c, in, strlen(in), "A,B,C", SKIP_TOO_DEEP, 1, 0, &g);
    snprintf(in, sizeof in, "{\"Records\":[%s,%s,%s]}", R("A"), ok, deep);
    check("Records, deep last", &c, in, strlen(in), "A,B", SKIP_TOO_DEEP, 1, 0,
          &g);
    snprintf(in, sizeof in, "[%s,%s]", R("A"), deep);
    check("bare array, deep last", &c, in, strlen(in), "A", SKIP_TOO_DEEP, 1,
          0, &g);
}

/* In a Records array, a record nested deeper than input.max_depth costs
 * only itself: the records after it are delivered. */
static void test_too_deep_in_the_middle(void **state)
{
    struct config c = base;
    char deep[512], in[2048];
    struct got g;
    c.max_depth = 8;
    deep_record(deep, sizeof deep, "DEEP", 20);
    snprintf(in, sizeof in, "{\"Records\":[%s,%s,%s]}", R("A"), deep, R("C"));
    check("Records, deep in the middle", &c, in, strlen(in), "A,C",
          SKIP_TOO_DEEP, 1, 0, &g);
}

static void test_invalid_utf8(void **state)
{
    static const struct frame_case cases[] = {
        {"Records, a 0xff byte",
         "{\"Records\":[" R("A") ",{\"eventName\":\"B\",\"userAgent\":\"\xff"
         "\"}," R("C") "]}",
         "A,C", SKIP_INVALID_UTF8, 1, 0},
        {"NDJSON, an overlong encoding",
         R("A") "\n{\"eventName\":\"B\",\"userAgent\":\"\xc0\xaf\"}\n" R("C"),
         "A,C", SKIP_INVALID_UTF8, 1, 0},
        {"NDJSON, a cut-off sequence",
         R("A") "\n{\"eventName\":\"B\",\"userAgent\":\"\xe2\x82\"}\n" R("C"),
         "A,C", SKIP_INVALID_UTF8, 1, 0},
        {"valid multi-byte text is fine",
         "[{\"eventName\":\"A\",\"userAgent\":\"\xc3\xa9\xe2\x82\xac\"}]", "A",
         NONE, 0, 0},
    };
    struct config c = base;
    check_cases(&c, cases, sizeof cases / sizeof cases[0]);
}

static void test_not_cloudtrail(void **state)
{
    static const struct frame_case cases[] = {
        {"one line of text", "hello world\n", "", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"a word", "hello", "", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"lines of text", "hello\nworld\n", "", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"other JSON", "{\"foo\":1,\"bar\":[2]}", "", SKIP_NOT_CLOUDTRAIL, 1,
         0},
        {"a CSV export", "eventTime,eventName\n2024-03-12T14:07:12Z,A\n", "",
         SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"a log message without a string",
         "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\"}]}",
         "", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"an embedded record that is not JSON",
         "{\"CloudTrailEvent\":\"{not json\"}", "", SKIP_INVALID_JSON, 1, 0},
    };
    struct config c = base;
    check_cases(&c, cases, sizeof cases / sizeof cases[0]);
}

/* A JSON scalar where a record should be (an element of Records or of a
 * bare array, an NDJSON line) is valid JSON but not CloudTrail. */
static void test_scalar_is_not_cloudtrail(void **state)
{
    static const struct frame_case cases[] = {
        {"a number in Records", "{\"Records\":[" R("A") ",42," R("B") "]}",
         "A,B", SKIP_NOT_CLOUDTRAIL, 1, 0},
        {"an array of numbers", "[1,2]", "", SKIP_NOT_CLOUDTRAIL, 2, 0},
        {"NDJSON lines of scalars", R("A") "\n\"x\"\nnull\n", "A",
         SKIP_NOT_CLOUDTRAIL, 2, 0},
    };
    struct config c = base;
    check_cases(&c, cases, sizeof cases / sizeof cases[0]);
}

/* Binary bytes, NULs included: whatever is reported, nothing is delivered
 * and every candidate is counted as a skip. */
static void test_binary_garbage(void **state)
{
    static const char bins[][12] = {
        "\x00\x01{[\"\xff\x00]}\n", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        "[\x00]\n{\x00}", "{\"a\x00\":1}\n\x00\n",
    };
    struct config c = base;
    for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
        struct got g;
        frame(&c, bins[i], sizeof bins[i], &g);
        assert_int_equal(g.n, 0);
        assert_true(diag_skipped(&g.d) >= 1);
        assert_int_equal(g.d.records, diag_skipped(&g.d));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_damaged_records_document),
        cmocka_unit_test(test_damage_position),
        cmocka_unit_test(test_lookup_pages_damaged),
        cmocka_unit_test(test_ndjson_first_line_damaged),
        cmocka_unit_test(test_ndjson_first_line_trailing_text),
        cmocka_unit_test(test_oversized_wrapped),
        cmocka_unit_test(test_too_deep_in_the_middle),
        cmocka_unit_test(test_scalar_is_not_cloudtrail),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_not_cloudtrail),
        cmocka_unit_test(test_binary_garbage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
