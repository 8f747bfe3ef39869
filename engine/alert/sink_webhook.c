/*
 * sink_webhook — every Start and End record POSTed as it is, signed.
 *
 * The body is the Insight record (compact JSON).  Headers:
 *   X-Ctinsights-Event: Start | End
 *   X-Ctinsights-Timestamp: seconds since 1970 when it was sent
 *   X-Ctinsights-Signature: sha256=HEX, the HMAC-SHA256 with the shared
 *       secret of "TIMESTAMP.BODY"
 * A receiver recomputes the signature over the timestamp it was given and
 * the raw body, compares in constant time, and refuses timestamps more
 * than a few minutes old, so that a captured request cannot be replayed.
 * The same record may arrive twice (at least once): its eventID is unique
 * per record.
 */
#include "alert.h"
#include "alert_http.h"
#include "alert_insight.h"
#include "xalloc.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static int webhook_open(struct alert_sink *s, char *err, size_t errlen)
{
    s->priv = alert_http_target_open(s->cfg, NULL, "signing secret", err,
                                     errlen);
    return s->priv ? 0 : -1;
}

static void webhook_close(struct alert_sink *s)
{
    alert_http_target_close(s->priv);
}

/* "sha256=" and the hex HMAC-SHA256 of "ts.body" with secret into out. */
static void sign(const char *secret, const char *ts, const char *body,
                 char out[7 + 2 * EVP_MAX_MD_SIZE + 1])
{
    size_t tl = strlen(ts), bl = strlen(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *msg = xmalloc(tl + 1 + bl + 1);

    memcpy(msg, ts, tl);
    msg[tl] = '.';
    memcpy(msg + tl + 1, body, bl + 1);
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)msg,
         tl + 1 + bl, mac, &n);
    xfree(msg);
    memcpy(out, "sha256=", 7);
    for (unsigned int i = 0; i < n; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
    out[7 + 2 * n] = '\0';
}

static void webhook_send(struct alert_sink *s, const struct alert *a,
                         struct alert_outcome *o)
{
    struct alert_http_target *t = s->priv;
    char ts[32], sig[7 + 2 * EVP_MAX_MD_SIZE + 1];
    char h_event[64], h_ts[64], h_sig[192];
    const char *headers[] = {"Content-Type: application/json", h_event, h_ts,
                             h_sig, NULL};
    struct alert_insight ai;
    char *body = json_dumps(a->record, s->dump_flags);
    struct alert_http_request r;
    long status;

    if (!alert_subject(a, &ai, o)) {
        xfree(body);
        return;
    }
    snprintf(ts, sizeof ts, "%.0f", a->now);
    sign(t->secret, ts, body, sig);
    snprintf(h_event, sizeof h_event, "X-Ctinsights-Event: %s", ai.state);
    snprintf(h_ts, sizeof h_ts, "X-Ctinsights-Timestamp: %s", ts);
    snprintf(h_sig, sizeof h_sig, "X-Ctinsights-Signature: %s", sig);
    r = (struct alert_http_request){t->url, body, strlen(body), headers,
                                    s->cfg->timeout, t->secret};
    alert_http_post(t->http, &r, &status, o);
    xfree(body);
}

static const struct config_row webhook_rows[] = {
    ALERT_URL_ROW(NULL, "where to send (http:// or https://)"),
    ALERT_SECRET_ROWS("secret_env", "secret_file", secret_env, secret_file,
                      "signing secret"),
    ALERT_RECORD_ROWS,
};

static const char *const webhook_secret_keys[] = {
    "secret_env", "secret_file", NULL};

const struct alert_sink_ops alert_sink_webhook = {
    .config = {.name = "webhook", ALERT_ROWS(webhook_rows),
               .secret_keys = webhook_secret_keys, .required = "url",
               .required_hint = "one such as http://127.0.0.1:9093"},
    .help = "the Insight record POSTed as is, HMAC-SHA256 signed", .pager = 0,
    .open = webhook_open, .send = webhook_send, .close = webhook_close,
};
