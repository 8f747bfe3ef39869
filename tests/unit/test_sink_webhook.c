/*
 * Unit tests for engine/alert/sink_webhook.c against a receiver on
 * 127.0.0.1: every Start and End record POSTed as it is to sinks.url, with
 * X-Ctinsights-Event (Start / End), X-Ctinsights-Timestamp (the send time)
 * and X-Ctinsights-Signature (sha256= the HMAC-SHA256 with the secret of
 * "TIMESTAMP.BODY", checked here the way a receiver does); the receiver's
 * refusal passed on; no secret, no sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_fixture.h"

#define SECRET "whsec-unit-test"

static struct http_fixture srv;
static struct sink_fixture sf;

static int setup(void **state)
{
    (void)state;
    setenv("TEST_WEBHOOK_SECRET", SECRET "\n", 1);
    sink_fixture_open_http(&sf, &srv, "sinks:\n  - type: webhook\n    url: \"%s/hooks/cti\"\n"
                                      "    secret_env: TEST_WEBHOOK_SECRET\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sink_fixture_close_http(&sf, &srv);
    unsetenv("TEST_WEBHOOK_SECRET");
    return 0;
}

/* The signature a receiver computes over what it was given. */
static void expected_signature(const char *ts, const char *body, char *out, size_t n)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char *msg;
    size_t ml;
    FILE *m = open_memstream(&msg, &ml);
    fprintf(m, "%s.%s", ts, body);
    fclose(m);
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (unsigned char *)msg, ml, mac, &len);
    free(msg);
    size_t used = (size_t)snprintf(out, n, "sha256=");
    for (unsigned int i = 0; i < len; i++)
        used += (size_t)snprintf(out + used, n - used, "%02x", mac[i]);
}

static void check_delivery(int line, const char *event, double now)
{
    json_t *rec = case_record(line);
    struct alert_outcome o;
    char *want = json_dumps(rec, JSON_COMPACT), ts[32], sig[160];
    srv.requests = 0;
    sink_fixture_send(&sf, event[0] == 'S' ? ALERT_FIRING : ALERT_RESOLVED, rec,
                      NULL, now, &o);
    assert_int_equal(o.result, ALERT_OK);
    assert_int_equal(srv.requests, 1);
    assert_string_equal(srv.method, "POST");
    assert_string_equal(srv.path, "/hooks/cti");
    assert_string_equal(srv.body, want); /* the record as it is */
    assert_string_equal(http_fixture_header(&srv, "Content-Type"), "application/json");
    assert_string_equal(http_fixture_header(&srv, "X-Ctinsights-Event"), event);
    snprintf(ts, sizeof ts, "%.0f", now);
    assert_string_equal(http_fixture_header(&srv, "X-Ctinsights-Timestamp"), ts);
    expected_signature(ts, srv.body, sig, sizeof sig);
    assert_string_equal(http_fixture_header(&srv, "X-Ctinsights-Signature"), sig);
    for (int i = 0; i < srv.nheaders; i++)
        assert_null(strstr(srv.values[i], SECRET));
    free(want);
    json_decref(rec);
}

static void test_start_and_end_signed(void **state)
{
    (void)state;
    check_delivery(0, "Start", 1773239460);
    check_delivery(2, "End", 1773239760);
    check_delivery(1, "Start", 1773239461.4);
}

/* Another time signs differently: a captured request cannot be replayed
 * with a fresh timestamp. */
static void test_signature_covers_the_timestamp(void **state)
{
    json_t *rec = case_record(0);
    struct alert_outcome o;
    char first[160];
    (void)state;
    sink_fixture_send(&sf, ALERT_FIRING, rec, NULL, 1773239460, &o);
    snprintf(first, sizeof first, "%s", http_fixture_header(&srv, "X-Ctinsights-Signature"));
    sink_fixture_send(&sf, ALERT_FIRING, rec, NULL, 1773239461, &o);
    assert_string_not_equal(first, http_fixture_header(&srv, "X-Ctinsights-Signature"));
    json_decref(rec);
}

static void test_refusal_passed_on(void **state)
{
    json_t *rec = case_record(0);
    struct alert_outcome o;
    (void)state;
    srv.status = 401;
    srv.reply = "bad signature";
    sink_fixture_send(&sf, ALERT_FIRING, rec, NULL, 1773239460, &o);
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_contains(o.detail, "HTTP 401");
    srv.status = 503;
    sink_fixture_send(&sf, ALERT_FIRING, rec, NULL, 1773239460, &o);
    assert_int_equal(o.result, ALERT_RETRY);
    srv.status = 200;
    srv.reply = "";
    json_decref(rec);
}

static void test_no_secret_no_sink(void **state)
{
    (void)state;
    unsetenv("TEST_WEBHOOK_UNSET");
    sink_fixture_refused("sinks:\n  - type: webhook\n    url: \"http://127.0.0.1:1/\"\n"
                        "    secret_env: TEST_WEBHOOK_UNSET\n", "TEST_WEBHOOK_UNSET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_and_end_signed),
        cmocka_unit_test(test_signature_covers_the_timestamp),
        cmocka_unit_test(test_refusal_passed_on),
        cmocka_unit_test(test_no_secret_no_sink),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
