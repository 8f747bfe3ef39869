/*
 * Unit tests for engine/parse/in_decode.c: every body shape
 * the http input takes (raw CloudTrail JSON, NDJSON, EventBridge, gzip,
 * base64 gzip CloudWatch Logs payloads, the Lambda awslogs event, Firehose
 * deliveries with plain and gzip records) becomes the unit frame expects,
 * and each kind of bad body is refused with its reason and place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "gzip_fixture.h"
#include "in_decode.h"
#include "xalloc.h"

#define REC(id)                                                            \
    "{\"eventVersion\":\"1.08\",\"eventID\":\"" id "\",\"eventTime\":"     \
    "\"2024-03-12T14:07:12Z\",\"eventSource\":\"iam.amazonaws.com\","      \
    "\"eventName\":\"CreateUser\",\"awsRegion\":\"us-east-1\"}"
#define CWL(msg)                                                           \
    "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\","        \
    "\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":" msg "}]}"

#define MAX_OUT (1u << 20)

/* gzip of s[0..n) into out (static, one at a time per slot). */
static void b64(const char *s, size_t n, char *out)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        out[j++] = a[(v >> 18) & 63];
        out[j++] = a[(v >> 12) & 63];
        out[j++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
        out[j++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[j] = '\0';
}

static int decode(struct in_body *b, const char *s, size_t n, int gzip)
{
    return in_decode_body(b, s, n, gzip, MAX_OUT, 64);
}

static void test_raw_json_passes_through(void **state)
{
    struct in_body b;
    const char *bodies[] = {
        "{\"Records\":[" REC("a") "," REC("b") "]}",
        REC("a") "\n" REC("b") "\n",
        "{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\","
        "\"detail\":" REC("a") "}",
        "[{\"detail-type\":\"x\",\"detail\":" REC("a") "}]",
    };
    (void)state;
    in_body_init(&b);
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        assert_int_equal(decode(&b, bodies[i], strlen(bodies[i]), 0), 0);
        assert_int_equal(b.len, strlen(bodies[i]));
        assert_memory_equal(b.unit, bodies[i], b.len);
        assert_int_equal(b.firehose, 0);
    }
    in_body_free(&b);
}

static void test_gzip_and_base64_gzip(void **state)
{
    struct in_body b;
    static char z[4096], t[8192];
    const char *cwl = CWL("\"{\\\"eventID\\\":\\\"x\\\"}\"");
    size_t zn = gzip_member(cwl, strlen(cwl), z, sizeof z);
    (void)state;
    in_body_init(&b);
    /* The raw gzip body, with or without Content-Encoding. */
    assert_int_equal(decode(&b, z, zn, 0), 0);
    assert_string_equal(b.unit, cwl);
    assert_int_equal(decode(&b, z, zn, 1), 0);
    assert_string_equal(b.unit, cwl);
    /* Base64 of it, as a CloudWatch Logs destination forwards it. */
    b64(z, zn, t);
    assert_int_equal(decode(&b, t, strlen(t), 0), 0);
    assert_string_equal(b.unit, cwl);
    /* The Lambda subscription event. */
    char ev[9000];
    snprintf(ev, sizeof ev, "{\"awslogs\":{\"data\":\"%s\"}}", t);
    assert_int_equal(decode(&b, ev, strlen(ev), 0), 0);
    assert_string_equal(b.unit, cwl);
    in_body_free(&b);
}

static void test_firehose_records_become_lines(void **state)
{
    struct in_body b;
    static char z[4096], d1[8192], d2[1024], d3[1024], body[20000];
    const char *cwl = CWL("\"{}\"");
    const char *multi = "{\n \"Records\": [\n" REC("m") "\n]\n}\n";
    const char *nd = REC("n1") "\n" REC("n2");
    (void)state;
    b64(z, gzip_member(cwl, strlen(cwl), z, sizeof z), d1);
    b64(multi, strlen(multi), d2);
    b64(nd, strlen(nd), d3);
    snprintf(body, sizeof body,
             "{\"requestId\":\"ed4acda5-034f\",\"timestamp\":1578090901599,"
             "\"records\":[{\"data\":\"%s\"},{\"data\":\"%s\"},"
             "{\"data\":\"%s\"}]}", d1, d2, d3);
    in_body_init(&b);
    assert_int_equal(decode(&b, body, strlen(body), 0), 0);
    assert_int_equal(b.firehose, 1);
    assert_int_equal(b.records, 3);
    assert_string_equal(b.request_id, "ed4acda5-034f");
    /* One line per value: the gzip payload inflated, the pretty-printed
     * document on one line, the NDJSON record's lines kept. */
    char want[4096];
    snprintf(want, sizeof want, "%s\n%s\n%s\n%s\n", cwl,
             "{  \"Records\": [ " REC("m") " ] }", REC("n1"), REC("n2"));
    assert_string_equal(b.unit, want);
    in_body_free(&b);
}

static void expect_refused(const char *body, size_t n, int gzip,
                           enum skip_reason why, const char *msg)
{
    struct in_body b;
    in_body_init(&b);
    assert_int_equal(decode(&b, body, n, gzip), -1);
    assert_int_equal(b.why, why);
    if (!strstr(b.msg, msg)) {
        print_error("message '%s' lacks '%s'\n", b.msg, msg);
        fail();
    }
    in_body_free(&b);
}

static void test_bad_bodies_refused_with_reason(void **state)
{
    static char z[4096], big[1 << 16], zbig[4096], t[8192];
    const char *cwl = CWL("\"{}\"");
    size_t zn = gzip_member(cwl, strlen(cwl), z, sizeof z);
    (void)state;
    expect_refused("hello world!", 12, 0, SKIP_INVALID_JSON, "not JSON, gzip or base64");
    expect_refused("aGVsb", 5, 0, SKIP_BAD_BASE64, "not JSON, gzip or base64");
    expect_refused("{\"Records\":[", 12, 0, SKIP_TRUNCATED, "not valid JSON");
    expect_refused("{\"a\":1}", 7, 1, SKIP_BAD_GZIP, "content-encoding is gzip");
    /* Damaged gzip: flip bytes inside the deflate stream. */
    memcpy(t, z, zn);
    memset(t + 12, 0xff, 8);
    expect_refused(t, zn, 0, SKIP_BAD_GZIP, "gzip data is damaged");
    expect_refused(z, zn - 6, 0, SKIP_TRUNCATED, "gzip data ends early");
    /* A small body that inflates past the limit. */
    memset(big, ' ', sizeof big);
    big[0] = '[';
    big[sizeof big - 1] = ']';
    size_t bn = gzip_member(big, sizeof big, zbig, sizeof zbig);
    struct in_body b;
    in_body_init(&b);
    assert_int_equal(in_decode_body(&b, zbig, bn, 0, 4096, 64), -1);
    assert_int_equal(b.why, SKIP_OVERSIZED);
    in_body_free(&b);
    const char *fh = "{\"requestId\":\"r\",\"records\":[{\"data\":\"@@@\"}]}";
    expect_refused(fh, strlen(fh), 0, SKIP_BAD_BASE64, "records[0].data is not base64");
    const char *fh2 = "{\"requestId\":\"r\",\"records\":[{\"nodata\":1}]}";
    expect_refused(fh2, strlen(fh2), 0, SKIP_NOT_CLOUDTRAIL, "records[0].data");
    const char *lam = "{\"awslogs\":{\"data\":\"%%%\"}}";
    expect_refused(lam, strlen(lam), 0, SKIP_BAD_BASE64, "awslogs.data");
}

static void test_base64(void **state)
{
    char *out = NULL;
    size_t len, cap = 0, at;
    (void)state;
    assert_int_equal(in_decode_base64("aGVs\nbG8=", 9, &out, &len, &cap, &at), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(in_decode_base64("aGVsbG8", 7, &out, &len, &cap, &at), 0);
    assert_int_equal(len, 5); /* padding optional */
    assert_int_equal(in_decode_base64("aGV*bG8=", 8, &out, &len, &cap, &at), -1);
    assert_int_equal(at, 3);
    assert_int_equal(in_decode_base64("aGVsb", 5, &out, &len, &cap, &at), -1);
    xfree(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_json_passes_through),
        cmocka_unit_test(test_gzip_and_base64_gzip),
        cmocka_unit_test(test_firehose_records_become_lines),
        cmocka_unit_test(test_bad_bodies_refused_with_reason),
        cmocka_unit_test(test_base64),
    };
    xalloc_install_json();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
