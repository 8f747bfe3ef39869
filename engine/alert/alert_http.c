/* alert_http — POST with libcurl and the outcome of the answer. */
#include "alert_http.h"

#include "xalloc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* How much of an error answer's body is kept for the detail. */
#define BODY_KEEP 200
/* Connect timeout, at most the request's own. */
#define CONNECT_SECONDS 5.0

struct alert_http {
    CURL *curl;
};

/* What the callbacks collect from one answer. */
struct answer {
    char body[BODY_KEEP + 1];
    size_t len;
    double retry_after;
};

static int global_done;

struct alert_http *alert_http_new(void)
{
    struct alert_http *h = xcalloc(1, sizeof *h);

    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            fprintf(stderr, "ctinsights: cannot initialise libcurl\n");
            exit(3);
        }
        global_done = 1;
    }
    h->curl = curl_easy_init();
    if (!h->curl) {
        fprintf(stderr, "ctinsights: out of memory (libcurl)\n");
        exit(3);
    }
    return h;
}

void alert_http_free(struct alert_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    xfree(h);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * n, room = BODY_KEEP - a->len;

    if (room > 0) {
        size_t k = len < room ? len : room;
        memcpy(a->body + a->len, p, k);
        a->len += k;
        a->body[a->len] = '\0';
    }
    return len;
}

/* Retry-After: delta-seconds or an HTTP date. */
static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    char value[128];

    if (len > sizeof name - 1 && len < sizeof value + sizeof name &&
        strncasecmp(p, name, sizeof name - 1) == 0) {
        size_t k = len - (sizeof name - 1);
        char *end;
        double secs;

        memcpy(value, p + sizeof name - 1, k);
        value[k] = '\0';
        value[strcspn(value, "\r\n")] = '\0';
        secs = strtod(value, &end);
        if (end != value && secs >= 0) {
            a->retry_after = secs;
        } else {
            time_t t = curl_getdate(value, NULL);
            if (t > 0)
                a->retry_after = difftime(t, time(NULL)) > 0
                                     ? difftime(t, time(NULL)) : 0;
        }
    }
    return len;
}

/* Replace every occurrence of secret in s (NUL-terminated, capacity cap),
 * and a start of it (4 bytes or more) that s ends with. */
static void redact(char *s, size_t cap, const char *secret)
{
    static const char mark[] = "[secret]";
    size_t sl = secret ? strlen(secret) : 0;
    char *p;

    if (sl == 0)
        return;
    for (p = strstr(s, secret); p; p = strstr(p, secret)) {
        size_t tail = strlen(p + sl);
        size_t ml = sizeof mark - 1;

        if ((size_t)(p - s) + ml + tail >= cap)
            tail = cap - 1 - (size_t)(p - s) - ml;
        memmove(p + ml, p + sl, tail);
        p[ml + tail] = '\0';
        memcpy(p, mark, ml);
        p += ml;
    }
    /* A body cut short may end in the first bytes of the secret. */
    for (size_t k = sl - 1; k >= 4; k--) {
        size_t n = strlen(s);

        if (n >= k && strncmp(s + n - k, secret, k) == 0) {
            snprintf(s + n - k, cap - (n - k), "%s", mark);
            break;
        }
    }
}

/* Printable copy of an answer body on one line. */
static void one_line(const char *in, char *out, size_t n)
{
    size_t j = 0;

    for (size_t i = 0; in[i] && j + 1 < n; i++)
        out[j++] = (in[i] < 0x20 || in[i] == 0x7f) ? ' ' : in[i];
    out[j] = '\0';
}

void alert_http_post(struct alert_http *h, const struct alert_http_request *r,
                     long *status, struct alert_outcome *o)
{
    CURL *c = h->curl;
    struct curl_slist *hdrs = NULL;
    struct answer a;
    char body[BODY_KEEP + 1];
    long code = 0;
    CURLcode rc;

    memset(&a, 0, sizeof a);
    memset(o, 0, sizeof *o);
    *status = 0;
    for (size_t i = 0; r->headers && r->headers[i]; i++)
        hdrs = curl_slist_append(hdrs, r->headers[i]);
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue wait */
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(r->timeout * 1000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)((r->timeout < CONNECT_SECONDS ? r->timeout
                                                          : CONNECT_SECONDS) *
                            1000));
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ctinsights");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
    rc = curl_easy_perform(c);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK) {
        o->result = ALERT_RETRY;
        snprintf(o->detail, sizeof o->detail, "no answer: %s",
                 curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    *status = code;
    one_line(a.body, body, sizeof body);
    if (code >= 200 && code < 300) {
        o->result = ALERT_OK;
        snprintf(o->detail, sizeof o->detail, "HTTP %ld", code);
    } else if (code == 408 || code == 429 || code >= 500) {
        o->result = ALERT_RETRY;
        o->retry_after = a.retry_after;
        snprintf(o->detail, sizeof o->detail, "HTTP %ld: %s", code, body);
    } else {
        o->result = ALERT_PERMANENT;
        snprintf(o->detail, sizeof o->detail, "HTTP %ld (refused; check the "
                 "sink's settings): %s", code, body);
    }
out:
    redact(o->detail, sizeof o->detail, r->secret);
}

struct alert_http_target *alert_http_target_open(const struct config_sink *cfg,
                                                 const char *path,
                                                 const char *what, char *err,
                                                 size_t errlen)
{
    struct alert_http_target *t = xcalloc(1, sizeof *t);
    const char *base = cfg->url;
    char *url_secret = NULL;
    size_t n;

    if (cfg->secret_env || cfg->secret_file) {
        if (alert_secret_read(cfg->secret_env, cfg->secret_file, what,
                              &t->secret, err, errlen) != 0)
            goto fail;
    }
    if (!base) {
        if (alert_secret_read(cfg->url_env, cfg->url_file, "webhook URL",
                              &url_secret, err, errlen) != 0)
            goto fail;
        if (strncmp(url_secret, "https://", 8) != 0 &&
            strncmp(url_secret, "http://", 7) != 0) {
            snprintf(err, errlen, "the webhook URL in %s is not an http:// "
                     "or https:// URL", cfg->url_env ? cfg->url_env
                                                     : cfg->url_file);
            goto fail;
        }
        base = url_secret;
        if (!t->secret)
            t->secret = xstrdup(url_secret); /* redacted from details too */
    }
    n = strlen(base);
    while (path && n > 0 && base[n - 1] == '/')
        n--;
    t->url = xmalloc(n + (path ? strlen(path) : 0) + 1);
    memcpy(t->url, base, n);
    strcpy(t->url + n, path ? path : "");
    alert_secret_free(url_secret);
    t->http = alert_http_new();
    return t;
fail:
    alert_secret_free(url_secret);
    alert_http_target_close(t);
    return NULL;
}

void alert_http_target_close(struct alert_http_target *t)
{
    if (!t)
        return;
    alert_http_free(t->http);
    alert_secret_free(t->url);
    alert_secret_free(t->secret);
    xfree(t);
}

void alert_http_target_post(struct alert_http_target *t, json_t *body,
                            size_t flags, const char *const *headers,
                            double timeout, struct alert_outcome *o)
{
    const char *hdrs[16];
    size_t nh = 0;
    char *text = json_dumps(body, flags);
    long status;
    struct alert_http_request r = {t->url, text, text ? strlen(text) : 0,
                                   hdrs, timeout, t->secret};

    hdrs[nh++] = "Content-Type: application/json";
    for (size_t i = 0; headers && headers[i] && nh + 1 < 16; i++)
        hdrs[nh++] = headers[i];
    hdrs[nh] = NULL;
    if (!text) {
        memset(o, 0, sizeof *o);
        o->result = ALERT_PERMANENT;
        snprintf(o->detail, sizeof o->detail, "cannot serialise the alert");
        return;
    }
    alert_http_post(t->http, &r, &status, o);
    xfree(text);
}
