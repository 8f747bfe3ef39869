/*
 * Unit tests for engine/alert/alert_http.c against a receiver on
 * 127.0.0.1 (http_fixture.h): the POST it makes (path, body as given,
 * headers, user agent); 2xx delivered; 408, 429, 5xx, no listener and a
 * receiver slower than the timeout retried, with Retry-After (seconds or an
 * HTTP date) passed on; other statuses (also a redirect, not followed)
 * permanent with the status and the body in the detail; the secret never
 * in a detail; a target's URL made from the base URL and path, or read as
 * a secret from the environment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "alert_fixture.h"
#include "alert_http.h"
#include "http_fixture.h"

static struct http_fixture srv;
static struct alert_http *client;

static int setup(void **state)
{
    (void)state;
    http_fixture_start(&srv);
    client = alert_http_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    alert_http_free(client);
    http_fixture_stop(&srv);
    return 0;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* POST body to srv's path with an answer of status (and header); the
 * outcome in o, the status returned. */
static long post(const char *path, unsigned status, const char *header,
                 const char *reply, struct alert_outcome *o)
{
    char url[128];
    const char *body = "{\"hello\":\"world\"}";
    const char *headers[] = {"Content-Type: application/json", "X-Test: one", NULL};
    long got = -1;
    snprintf(url, sizeof url, "%s%s", srv.base, path);
    srv.status = status;
    srv.header = header;
    srv.reply = reply ? reply : "";
    struct alert_http_request r = {url, body, strlen(body), headers, 5, "s3cr3t-token"};
    alert_http_post(client, &r, &got, o);
    return got;
}

static void test_request_sent(void **state)
{
    struct alert_outcome o;
    (void)state;
    assert_int_equal(post("/hook/a", 200, NULL, NULL, &o), 200);
    assert_int_equal(o.result, ALERT_OK);
    assert_string_equal(o.detail, "HTTP 200");
    assert_int_equal(srv.requests, 1);
    assert_string_equal(srv.method, "POST");
    assert_string_equal(srv.path, "/hook/a");
    assert_string_equal(srv.body, "{\"hello\":\"world\"}");
    assert_string_equal(http_fixture_header(&srv, "Content-Type"), "application/json");
    assert_string_equal(http_fixture_header(&srv, "X-Test"), "one");
    assert_string_equal(http_fixture_header(&srv, "User-Agent"), "ctinsights");
    assert_null(http_fixture_header(&srv, "Expect"));
    /* Any 2xx is delivered. */
    assert_int_equal(post("/", 204, NULL, NULL, &o), 204);
    assert_int_equal(o.result, ALERT_OK);
    assert_int_equal(post("/", 202, NULL, NULL, &o), 202);
    assert_int_equal(o.result, ALERT_OK);
}

static void test_retried(void **state)
{
    static const unsigned codes[] = {408, 429, 500, 502, 503};
    struct alert_outcome o;
    (void)state;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_int_equal(post("/", codes[i], NULL, "busy", &o), codes[i]);
        assert_int_equal(o.result, ALERT_RETRY);
        assert_true(o.retry_after == 0);
        assert_contains(o.detail, "busy");
    }
    post("/", 429, "Retry-After: 7", "slow down", &o);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_float_equal(o.retry_after, 7, 1e-9);

    /* An HTTP date 30 seconds ahead. */
    char h[96];
    time_t t = time(NULL) + 30;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(h, sizeof h, "Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm);
    post("/", 503, h, NULL, &o);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_true(o.retry_after > 25 && o.retry_after <= 30);
}

static void test_permanent(void **state)
{
    static const unsigned codes[] = {400, 401, 403, 404, 410};
    struct alert_outcome o;
    char want[32];
    (void)state;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_int_equal(post("/", codes[i], NULL, "bad\nrequest", &o), codes[i]);
        assert_int_equal(o.result, ALERT_PERMANENT);
        snprintf(want, sizeof want, "HTTP %u", codes[i]);
        assert_contains(o.detail, want);
        assert_contains(o.detail, "bad request"); /* on one line */
    }
    /* A redirect is not followed. */
    srv.requests = 0;
    assert_int_equal(post("/old", 302, "Location: /new", NULL, &o), 302);
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_int_equal(srv.requests, 1);
    assert_string_equal(srv.path, "/old");
}

static void test_secret_never_in_detail(void **state)
{
    struct alert_outcome o;
    (void)state;
    post("/", 400, NULL, "invalid routing key s3cr3t-token given", &o);
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_null(strstr(o.detail, "s3cr3t-token"));
    assert_contains(o.detail, "invalid routing key [secret] given");
    /* An answer cut short in the middle of the secret. */
    post("/", 500, NULL, "... s3cr3t-to", &o);
    assert_null(strstr(o.detail, "s3cr3t-to"));
    assert_contains(o.detail, "[secret]");
}

static void test_no_listener(void **state)
{
    struct alert_http *h = alert_http_new();
    struct alert_outcome o;
    long status = -1;
    char url[128];
    (void)state;
    /* srv's port once it has stopped: nothing listens there. */
    struct http_fixture gone;
    http_fixture_start(&gone);
    snprintf(url, sizeof url, "%s/s3cr3t-token", gone.base);
    http_fixture_stop(&gone);
    struct alert_http_request r = {url, "{}", 2, NULL, 2, "s3cr3t-token"};
    alert_http_post(h, &r, &status, &o);
    assert_int_equal(status, 0);
    assert_int_equal(o.result, ALERT_RETRY);
    assert_contains(o.detail, "no answer");
    assert_null(strstr(o.detail, "127.0.0.1")); /* no URL in details */
    assert_null(strstr(o.detail, "s3cr3t"));
    alert_http_free(h);
}

static void test_timeout(void **state)
{
    char url[128];
    struct alert_outcome o;
    long status = -1;
    (void)state;
    snprintf(url, sizeof url, "%s/slow", srv.base);
    srv.delay = 1.0;
    struct alert_http_request r = {url, "{}", 2, NULL, 0.2, NULL};
    double t0 = mono();
    alert_http_post(client, &r, &status, &o);
    double took = mono() - t0;
    srv.delay = 0;
    assert_int_equal(o.result, ALERT_RETRY);
    assert_int_equal(status, 0);
    assert_true(took < 0.8);
    assert_contains(o.detail, "no answer");
}

static void test_target_url_and_post(void **state)
{
    struct config_sink cfg;
    char err[256] = "", base[128];
    struct alert_outcome o;
    (void)state;
    memset(&cfg, 0, sizeof cfg);
    snprintf(base, sizeof base, "%s/prefix/", srv.base);
    cfg.url = base;
    struct alert_http_target *t = alert_http_target_open(&cfg, "/api/v2/alerts", NULL,
                                                         err, sizeof err);
    assert_non_null(t);
    assert_null(t->secret);
    json_t *body = json_pack("{s:s,s:i}", "a", "b", "n", 1);
    const char *extra[] = {"X-Extra: 2", NULL};
    srv.status = 200;
    srv.header = NULL;
    alert_http_target_post(t, body, JSON_COMPACT | JSON_SORT_KEYS, extra, 5, &o);
    assert_int_equal(o.result, ALERT_OK);
    assert_string_equal(srv.path, "/prefix/api/v2/alerts");
    assert_string_equal(srv.body, "{\"a\":\"b\",\"n\":1}");
    assert_string_equal(http_fixture_header(&srv, "Content-Type"), "application/json");
    assert_string_equal(http_fixture_header(&srv, "X-Extra"), "2");
    json_decref(body);
    alert_http_target_close(t);
}

static void test_target_url_from_env(void **state)
{
    struct config_sink cfg;
    char err[256] = "", url[128], reply[192];
    struct alert_outcome o;
    (void)state;
    memset(&cfg, 0, sizeof cfg);
    snprintf(url, sizeof url, "%s/services/T000/B000/XXXX\n", srv.base);
    setenv("TEST_ALERT_HTTP_URL", url, 1);
    cfg.url_env = (char *)"TEST_ALERT_HTTP_URL";
    struct alert_http_target *t = alert_http_target_open(&cfg, NULL, NULL, err, sizeof err);
    assert_non_null(t);
    json_t *body = json_pack("{s:s}", "text", "hi");
    srv.status = 404;
    /* An answer that quotes the URL: it is the secret, redacted. */
    snprintf(reply, sizeof reply, "no such hook %s/services/T000/B000/XXXX", srv.base);
    srv.reply = reply;
    alert_http_target_post(t, body, JSON_COMPACT, NULL, 5, &o);
    srv.status = 200;
    srv.reply = "";
    assert_string_equal(srv.path, "/services/T000/B000/XXXX");
    assert_int_equal(o.result, ALERT_PERMANENT);
    assert_null(strstr(o.detail, "B000"));
    assert_contains(o.detail, "no such hook [secret]");
    json_decref(body);
    alert_http_target_close(t);

    setenv("TEST_ALERT_HTTP_URL", "ftp://example.com/x", 1);
    assert_null(alert_http_target_open(&cfg, NULL, NULL, err, sizeof err));
    assert_contains(err, "TEST_ALERT_HTTP_URL");
    assert_null(strstr(err, "example.com"));
    unsetenv("TEST_ALERT_HTTP_URL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_sent),
        cmocka_unit_test(test_retried),
        cmocka_unit_test(test_permanent),
        cmocka_unit_test(test_secret_never_in_detail),
        cmocka_unit_test(test_no_listener),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_target_url_and_post),
        cmocka_unit_test(test_target_url_from_env),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
