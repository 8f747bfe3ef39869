/*
 * alert_http — one HTTP POST for an alert sink, and what its answer means.
 *
 * libcurl with TLS verification on (peer and host name, the system's CA
 * store), http and https only, no redirects followed, a total timeout and
 * a connect timeout on every request, no signals.  The answer is sorted
 * into an alert_outcome: 2xx is delivered; 408, 429 and 5xx, and every
 * transport failure (refused, reset, timed out, TLS) are retried, with
 * Retry-After (seconds or an HTTP date) passed on; any other status is a
 * permanent failure whose detail holds the status and the start of the
 * body.  Details never contain the URL (it may embed a token) and have
 * every occurrence of the caller's secret replaced by "[secret]".
 *
 * A struct alert_http keeps one connection cache for one sink.  Not
 * thread-safe: the first alert_http_new initialises libcurl globally.
 */
#ifndef CTI_ALERT_HTTP_H
#define CTI_ALERT_HTTP_H

#include "alert.h"

#include <jansson.h>

#include <stddef.h>

struct alert_http;

struct alert_http_request {
    const char *url;
    const char *body;            /* sent as is */
    size_t len;
    const char *const *headers;  /* NULL-terminated "Name: value" lines */
    double timeout;              /* seconds for the whole request */
    const char *secret;          /* redacted from details; may be NULL */
};

/* A new client (free with alert_http_free). Exits on out of memory. */
struct alert_http *alert_http_new(void);

/* Free h.  NULL-safe. */
void alert_http_free(struct alert_http *h);

/* POST r with h and sort the answer into o (see above).  *status gets the
 * HTTP status, 0 when there was no answer. */
void alert_http_post(struct alert_http *h, const struct alert_http_request *r,
                     long *status, struct alert_outcome *o);

/* What an HTTP sink keeps: a client, its endpoint and its secret. */
struct alert_http_target {
    struct alert_http *http;
    char *url;    /* the endpoint (it may embed a token: never printed) */
    char *secret; /* NULL when the sink has none */
};

/* A target for sink cfg posting to cfg->url followed by path (may be
 * NULL), with the secret (what names it) read from cfg->secret_env or
 * cfg->secret_file when one is given.  When cfg->url is NULL the URL is
 * itself the secret, read from cfg->url_env or cfg->url_file (Slack),
 * and redacted from details like one.
 * Returns a new target, or NULL with a message in err. */
struct alert_http_target *alert_http_target_open(const struct config_sink *cfg,
                                                 const char *path,
                                                 const char *what, char *err,
                                                 size_t errlen);

/* Free t, wiping its secret.  NULL-safe. */
void alert_http_target_close(struct alert_http_target *t);

/* POST body (borrowed) as compact JSON with flags, plus the
 * NULL-terminated extra headers (may be NULL), within timeout; sort the
 * answer into o. */
void alert_http_target_post(struct alert_http_target *t, json_t *body,
                            size_t flags, const char *const *headers,
                            double timeout, struct alert_outcome *o);

#endif
