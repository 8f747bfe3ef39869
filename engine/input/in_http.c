/*
 * in_http — `http://ADDR:PORT`, an HTTP endpoint that EventBridge API
 * destinations, CloudWatch Logs forwarders, Kinesis Data Firehose
 * HTTP-endpoint deliveries and plain POSTs of CloudTrail JSON can reach.
 *
 * libmicrohttpd runs in external-poll mode (epoll) inside input_poll, so
 * requests are answered on the daemon's thread, one event at a time: a
 * slow client only holds its own connection.  Every POST (any path but
 * /metrics) must carry the token, as `Authorization: Bearer TOKEN` or
 * `X-Amz-Firehose-Access-Key: TOKEN`; the body is decoded (in_decode),
 * appended to the spool and fsynced (in_spool), handed to the engine, and
 * only then answered 200.  Answers:
 *
 *   200  accepted (the records will not be lost if the process dies now)
 *   400  a body that cannot be decoded          401  no token
 *   403  a wrong token                          405  not POST (GET /metrics)
 *   413  a body over sources.http_max_body_bytes, or decoding past
 *        sources.max_unit_bytes                 415  an unknown content
 *        type or encoding
 *   503  the engine cannot take it now, the spool cannot be written, or
 *        the spool of a previous run is still being replayed (Retry-After)
 *
 * Every answer's body is the JSON Firehose expects:
 * {"requestId":…,"timestamp":…} plus "errorMessage" on failure; requestId
 * is Firehose's (X-Amz-Firehose-Request-Id, else the body's), else one
 * made up, and the unit is named "http:<requestId>" in messages.
 * `GET /metrics` (token required too) serves the daemon's Prometheus text
 * (env->metrics) followed by this input's counters.
 *
 * Limits: connections (sources.http_max_connections, per address
 * sources.http_max_connections_per_ip), and time: a connection must
 * deliver a whole request within sources.http_timeout_seconds of opening
 * or of its previous request, or it is shut down.  The token is never
 * logged.
 */
#include "input.h"

#include "in_decode.h"
#include "in_spool.h"
#include "input_int.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_MIN 16        /* shorter tokens are refused at open */
#define TOKEN_MAX 4096      /* Firehose's limit on its access key */
#define MESSAGES 10         /* messages printed per outcome, then counted */

/* What happened to a request; each is counted (and in /metrics). */
enum http_outcome {
    HTTP_ACCEPTED,     /* 200: handed to the engine */
    HTTP_METRICS,      /* 200: GET /metrics */
    HTTP_BAD_BODY,     /* 400: the body cannot be decoded */
    HTTP_NO_TOKEN,     /* 401: no Authorization or access key header */
    HTTP_BAD_TOKEN,    /* 403: a token that is not ours */
    HTTP_BAD_METHOD,   /* 405: not POST (or GET on /metrics) */
    HTTP_TOO_LARGE,    /* 413: body or decoded body too large */
    HTTP_BAD_MEDIA,    /* 415: content type or encoding not accepted */
    HTTP_BUSY,         /* 503: the engine refused the unit */
    HTTP_REPLAYING,    /* 503: the spool of the last run is being replayed */
    HTTP_SPOOL_FAILED, /* 503: the spool could not be written */
    HTTP_TIMED_OUT,    /* connection shut: no whole request in time */
    HTTP__COUNT
};

static const struct {
    const char *name;
    unsigned status;
} outcomes[HTTP__COUNT] = {
    [HTTP_ACCEPTED] = {"accepted", 200},
    [HTTP_METRICS] = {"metrics", 200},
    [HTTP_BAD_BODY] = {"bad_body", 400},
    [HTTP_NO_TOKEN] = {"no_token", 401},
    [HTTP_BAD_TOKEN] = {"bad_token", 403},
    [HTTP_BAD_METHOD] = {"bad_method", 405},
    [HTTP_TOO_LARGE] = {"too_large", 413},
    [HTTP_BAD_MEDIA] = {"bad_media_type", 415},
    [HTTP_BUSY] = {"busy", 503},
    [HTTP_REPLAYING] = {"replaying", 503},
    [HTTP_SPOOL_FAILED] = {"spool_failed", 503},
    [HTTP_TIMED_OUT] = {"timed_out", 0},
};

/* One TCP connection (libmicrohttpd's socket context). */
struct conn {
    struct conn *prev, *next;
    int fd;
    int64_t since; /* ms: opened, or its last request completed */
    int cut;       /* shut down for being slow */
    char peer[64];
};

/* One request (libmicrohttpd's request context). */
struct req {
    char *body;
    size_t len, cap;
    int answered; /* a response is queued; the rest of the body is dropped */
    int too_big;  /* past sources.http_max_body_bytes: drop, then 413 */
    int gzip;     /* Content-Encoding: gzip */
    char id[128];
};

struct in_http {
    struct input base;
    const struct input_env *env;
    char *spec;
    char *token;
    size_t token_len;
    int listen_fd;
    struct MHD_Daemon *mhd;
    struct in_spool *spool; /* NULL: no state folder */
    struct conn *conns;
    size_t nconns;
    input_unit_fn cb; /* set during input_poll */
    void *ctx;
    uint64_t counts[HTTP__COUNT];
    uint64_t bytes, seq;
    struct in_body dec;
};

static int accepts(const char *spec)
{
    return input__prefix(spec, "http://", NULL);
}

/* ---- the token ---------------------------------------------------------- */

/* The token from env, CTINSIGHTS_HTTP_TOKEN or the file named by
 * CTINSIGHTS_HTTP_TOKEN_FILE (trailing whitespace dropped).  Returns an
 * owned copy, or NULL with a message. */
static char *load_token(const struct input_env *env, const char *spec,
                        char *err, size_t errlen)
{
    const char *t = env->http_token ? env->http_token
                                    : getenv("CTINSIGHTS_HTTP_TOKEN");
    const char *file = getenv("CTINSIGHTS_HTTP_TOKEN_FILE");
    char *tok = NULL;
    if (t && *t) {
        tok = xstrdup(t);
    } else if (file && *file) {
        FILE *f = fopen(file, "rb");
        if (!f) {
            snprintf(err, errlen, "%s: cannot read the token file %s: %s",
                     spec, file, strerror(errno));
            return NULL;
        }
        tok = xmalloc(TOKEN_MAX + 2);
        size_t n = fread(tok, 1, TOKEN_MAX + 1, f);
        fclose(f);
        tok[n] = '\0';
        if (n > TOKEN_MAX) {
            snprintf(err, errlen, "%s: the token file %s is longer than %d "
                     "bytes", spec, file, TOKEN_MAX);
            xfree(tok);
            return NULL;
        }
    } else {
        snprintf(err, errlen, "%s: no token; set CTINSIGHTS_HTTP_TOKEN, or "
                 "CTINSIGHTS_HTTP_TOKEN_FILE to a file holding it", spec);
        return NULL;
    }
    size_t n = strlen(tok);
    while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' ||
                 tok[n - 1] == ' ' || tok[n - 1] == '\t'))
        tok[--n] = '\0';
    if (n < TOKEN_MIN || n > TOKEN_MAX) {
        snprintf(err, errlen, "%s: the token must be %d to %d bytes long "
                 "(e.g. openssl rand -hex 32)", spec, TOKEN_MIN, TOKEN_MAX);
        explicit_bzero(tok, n);
        xfree(tok);
        return NULL;
    }
    return tok;
}

/* Constant-time comparison of the token with s. */
static int token_is(const struct in_http *h, const char *s)
{
    size_t n = strlen(s);
    unsigned char diff = n != h->token_len;
    for (size_t i = 0; i < h->token_len; i++)
        diff |= (unsigned char)h->token[i] ^ (unsigned char)(i < n ? s[i] : 0);
    return diff == 0;
}

/* HTTP_ACCEPTED when the request carries the token. */
static enum http_outcome authorize(const struct in_http *h,
                                   struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_AUTHORIZATION);
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  "X-Amz-Firehose-Access-Key");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        if (token_is(h, auth + 7))
            return HTTP_ACCEPTED;
    } else if (!key) {
        return HTTP_NO_TOKEN;
    }
    return key && token_is(h, key) ? HTTP_ACCEPTED : HTTP_BAD_TOKEN;
}

/* ---- answering ---------------------------------------------------------- */

static void count(struct in_http *h, enum http_outcome o, const char *peer,
                  const char *id, const char *msg)
{
    uint64_t n = ++h->counts[o];
    if (o == HTTP_ACCEPTED || o == HTTP_METRICS || o == HTTP_BAD_BODY ||
        n > MESSAGES)
        return; /* bad bodies are reported by diag with their place */
    input__note(h->env, h->spec, "%s%u from %s (http:%s): %s%s",
                outcomes[o].status ? "" : "connection cut, ",
                outcomes[o].status, peer, id, msg,
                n == MESSAGES ? " (further ones are only counted)" : "");
}

static const char *peer_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    const struct conn *k = ci ? ci->socket_context : NULL;
    return k ? k->peer : "?";
}

/* Queue the JSON answer {"requestId","timestamp"[,"errorMessage"]}. */
static enum MHD_Result answer(struct in_http *h, struct MHD_Connection *c,
                              struct req *r, enum http_outcome o,
                              const char *msg)
{
    count(h, o, peer_of(c), r->id, msg ? msg : "");
    json_t *j = json_pack("{s:s,s:I}", "requestId", r->id, "timestamp",
                          (json_int_t)input__wall_ms());
    if (msg)
        json_object_set_new(j, "errorMessage", json_string(msg));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(text), text, MHD_RESPMEM_MUST_COPY);
    xfree(text);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    if (o == HTTP_NO_TOKEN)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer");
    if (o == HTTP_BAD_METHOD)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
    if (outcomes[o].status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result rc = MHD_queue_response(c, outcomes[o].status, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    return rc;
}

static void write_counters(struct in_http *h, FILE *f)
{
    fprintf(f, "# HELP ctinsights_http_requests_total HTTP requests by "
               "outcome.\n# TYPE ctinsights_http_requests_total counter\n");
    for (int i = 0; i < HTTP__COUNT; i++)
        fprintf(f, "ctinsights_http_requests_total{input=\"%s\",outcome=\"%s\"}"
                   " %llu\n", h->spec, outcomes[i].name,
                (unsigned long long)h->counts[i]);
    fprintf(f, "# HELP ctinsights_http_received_bytes_total Request body "
               "bytes received.\n# TYPE ctinsights_http_received_bytes_total "
               "counter\nctinsights_http_received_bytes_total{input=\"%s\"} "
               "%llu\n", h->spec, (unsigned long long)h->bytes);
    fprintf(f, "# HELP ctinsights_http_connections Open HTTP connections.\n"
               "# TYPE ctinsights_http_connections gauge\n"
               "ctinsights_http_connections{input=\"%s\"} %zu\n", h->spec,
            h->nconns);
}

static enum MHD_Result metrics(struct in_http *h, struct MHD_Connection *c,
                               struct req *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return MHD_NO;
    if (h->env->metrics)
        h->env->metrics(h->env->metrics_ctx, f);
    write_counters(h, f);
    fclose(f);
    count(h, HTTP_METRICS, peer_of(c), r->id, "");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_COPY);
    free(text);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/plain; version=0.0.4");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    return rc;
}

/* ---- requests ----------------------------------------------------------- */

/* Copy a request id, keeping only characters safe in names and logs. */
static void set_id(char *dst, size_t n, const char *src)
{
    size_t j = 0;
    for (; *src && j + 1 < n; src++) {
        char ch = *src;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
            ch == ':')
            dst[j++] = ch;
    }
    dst[j] = '\0';
}

static int media_ok(const char *type)
{
    static const char *const ok[] = {
        "application/json", "application/x-ndjson", "application/ndjson",
        "application/jsonl", "application/x-jsonlines", "text/plain",
        "application/octet-stream", "application/gzip", "application/x-gzip",
        NULL};
    if (!type || !*type)
        return 1;
    for (int i = 0; ok[i]; i++) {
        size_t n = strlen(ok[i]);
        if (strncasecmp(type, ok[i], n) == 0 &&
            (type[n] == '\0' || type[n] == ';' || type[n] == ' '))
            return 1;
    }
    return 0;
}

/* The first call for a request: headers only.  Answers at once what can
 * be refused before the body. */
static enum MHD_Result start(struct in_http *h, struct MHD_Connection *c,
                             const char *url, const char *method,
                             struct req *r)
{
    const char *fid = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  "X-Amz-Firehose-Request-Id");
    if (fid && *fid)
        set_id(r->id, sizeof r->id, fid);
    if (!r->id[0])
        snprintf(r->id, sizeof r->id, "%llx-%llu",
                 (unsigned long long)input__wall_ms(), (unsigned long long)++h->seq);
    int is_metrics = strcmp(url, "/metrics") == 0;
    if (strcmp(method, is_metrics ? "GET" : "POST") != 0)
        return answer(h, c, r, HTTP_BAD_METHOD,
                      is_metrics ? "use GET for /metrics"
                                 : "send events with POST");
    enum http_outcome auth = authorize(h, c);
    if (auth == HTTP_NO_TOKEN)
        return answer(h, c, r, auth,
                      "send Authorization: Bearer TOKEN or "
                      "X-Amz-Firehose-Access-Key");
    if (auth != HTTP_ACCEPTED)
        return answer(h, c, r, auth, "the token is not valid");
    if (is_metrics)
        return metrics(h, c, r);
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len && strtoull(len, NULL, 10) > h->env->cfg->http_max_body)
        return answer(h, c, r, HTTP_TOO_LARGE,
                      "body larger than sources.http_max_body_bytes");
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!media_ok(type)) {
        char msg[200];
        snprintf(msg, sizeof msg, "content type %.80s is not accepted; send "
                 "Content-Type: application/json", type);
        return answer(h, c, r, HTTP_BAD_MEDIA, msg);
    }
    const char *enc = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (enc && strcasecmp(enc, "gzip") != 0 && strcasecmp(enc, "identity") != 0)
        return answer(h, c, r, HTTP_BAD_MEDIA,
                      "content-encoding must be gzip or identity");
    r->gzip = enc && strcasecmp(enc, "gzip") == 0;
    return MHD_YES;
}

/* The whole body is in: decode, spool, hand over, answer. */
static enum MHD_Result finish(struct in_http *h, struct MHD_Connection *c,
                              struct req *r)
{
    const struct config *cfg = h->env->cfg;
    struct in_body *b = &h->dec;
    char name[160], err[256];
    if (in_decode_body(b, r->body ? r->body : "", r->len, r->gzip,
                       cfg->max_unit_bytes, cfg->max_depth) != 0) {
        if (b->request_id[0] && !MHD_lookup_connection_value(
                                    c, MHD_HEADER_KIND,
                                    "X-Amz-Firehose-Request-Id"))
            set_id(r->id, sizeof r->id, b->request_id);
        snprintf(name, sizeof name, "http:%s", r->id);
        diag_skip(h->env->d, b->why, name, NULL, b->at, b->msg);
        return answer(h, c, r,
                      b->why == SKIP_OVERSIZED ? HTTP_TOO_LARGE : HTTP_BAD_BODY,
                      b->msg);
    }
    if (b->request_id[0] &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                     "X-Amz-Firehose-Request-Id"))
        set_id(r->id, sizeof r->id, b->request_id);
    snprintf(name, sizeof name, "http:%s", r->id);
    if (h->spool && in_spool_replaying(h->spool))
        return answer(h, c, r, HTTP_REPLAYING,
                      "replaying what earlier requests delivered; retry");
    if (h->spool &&
        in_spool_append(h->spool, name, b->unit, b->len, err, sizeof err) != 0) {
        input__note(h->env, h->spec, "%s", err);
        return answer(h, c, r, HTTP_SPOOL_FAILED,
                      "cannot store the events now; retry");
    }
    if (h->cb(h->ctx, name, b->unit, b->len) != 0) {
        if (h->spool)
            in_spool_undo(h->spool);
        return answer(h, c, r, HTTP_BUSY, "the engine is busy; retry");
    }
    return answer(h, c, r, HTTP_ACCEPTED, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    struct in_http *h = cls;
    struct req *r = *req_cls;
    (void)version;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        *req_cls = r;
        return start(h, c, url, method, r);
    }
    if (r->answered) {
        *upload_size = 0; /* the rest of a refused body is dropped */
        return MHD_YES;
    }
    if (*upload_size) {
        /* Past the limit the rest is only counted (a chunked body has no
         * Content-Length to refuse it by), then answered 413 at its end;
         * sources.http_timeout_seconds bounds how long that can take. */
        size_t n = *upload_size;
        *upload_size = 0;
        h->bytes += n;
        if (r->too_big || r->len + n > h->env->cfg->http_max_body) {
            r->too_big = 1;
            return MHD_YES;
        }
        r->body = xgrow(r->body, &r->cap, r->len + n + 1, 1);
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        return MHD_YES;
    }
    if (r->too_big)
        return answer(h, c, r, HTTP_TOO_LARGE,
                      "body larger than sources.http_max_body_bytes");
    return finish(h, c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *r = *req_cls;
    (void)cls;
    (void)toe;
    if (r) {
        xfree(r->body);
        xfree(r);
        *req_cls = NULL;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *k = ci ? ci->socket_context : NULL;
    if (k)
        k->since = input__now_ms();
}

static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct in_http *h = cls;
    struct conn *k = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        k = xcalloc(1, sizeof *k);
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ad =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        k->fd = fd ? fd->connect_fd : -1;
        k->since = input__now_ms();
        snprintf(k->peer, sizeof k->peer, "?");
        if (ad && ad->client_addr)
            getnameinfo(ad->client_addr,
                        ad->client_addr->sa_family == AF_INET6
                            ? sizeof(struct sockaddr_in6)
                            : sizeof(struct sockaddr_in),
                        k->peer, sizeof k->peer, NULL, 0, NI_NUMERICHOST);
        k->next = h->conns;
        if (h->conns)
            h->conns->prev = k;
        h->conns = k;
        h->nconns++;
        *socket_context = k;
    } else if (k) {
        if (k->prev)
            k->prev->next = k->next;
        else
            h->conns = k->next;
        if (k->next)
            k->next->prev = k->prev;
        h->nconns--;
        xfree(k);
        *socket_context = NULL;
    }
}

/* Shut down connections that have not delivered a request in time; the
 * next MHD_run closes them. */
static void cut_slow(struct in_http *h)
{
    int64_t limit = input__now_ms() - (int64_t)h->env->cfg->http_timeout * 1000;
    for (struct conn *k = h->conns; k; k = k->next) {
        if (k->cut || k->since > limit || k->fd < 0)
            continue;
        k->cut = 1;
        shutdown(k->fd, SHUT_RDWR);
        count(h, HTTP_TIMED_OUT, k->peer, "-",
              "no whole request within sources.http_timeout_seconds");
    }
}

/* ---- the input ---------------------------------------------------------- */

/* Bind and listen on the spec's address.  Returns the socket or -1. */
static int listen_on(const char *spec, const char *addr, char *err,
                     size_t errlen)
{
    char host[256];
    const char *colon = strrchr(addr, ':');
    const char *h0 = addr, *h1 = colon;
    if (!colon || !colon[1] || strchr(colon, '/')) {
        snprintf(err, errlen, "%s: give the address as http://HOST:PORT", spec);
        return -1;
    }
    if (*h0 == '[' && h1 > h0 && h1[-1] == ']') {
        h0++;
        h1--;
    }
    if ((size_t)(h1 - h0) >= sizeof host) {
        snprintf(err, errlen, "%s: host name too long", spec);
        return -1;
    }
    memcpy(host, h0, (size_t)(h1 - h0));
    host[h1 - h0] = '\0';
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int g = getaddrinfo(*host ? host : NULL, colon + 1, &hints, &ai);
    if (g != 0) {
        snprintf(err, errlen, "%s: %s", spec, gai_strerror(g));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        snprintf(err, errlen, "%s: cannot listen: %s; pick another address "
                 "or port", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* The spool folder of spec under the state folder. */
static char *spool_dir(const char *state, const char *addr)
{
    size_t n = strlen(state) + strlen(addr) + 8;
    char *p = xmalloc(n);
    int at = snprintf(p, n, "%s/http-", state);
    for (const char *s = addr; *s; s++)
        p[at++] = (*s == '/' || *s == ':' || *s == '[' || *s == ']') ? '_' : *s;
    p[at] = '\0';
    return p;
}

static void close_http(struct input *in);

static int open_http(const char *spec, const struct input_env *env,
                     struct input **out, char *err, size_t errlen)
{
    const char *addr;
    input__prefix(spec, "http://", &addr);
    struct in_http *h = xcalloc(1, sizeof *h);
    h->env = env;
    h->spec = xstrdup(spec);
    h->listen_fd = -1;
    in_body_init(&h->dec);
    h->token = load_token(env, spec, err, errlen);
    if (!h->token)
        goto fail;
    h->token_len = strlen(h->token);
    if (env->state_dir) {
        if (!env->db) {
            snprintf(err, errlen, "%s: the spool needs a state database",
                     spec);
            goto fail;
        }
        char *dir = spool_dir(env->state_dir, addr);
        int rc = in_spool_open(dir, spec, env, &h->spool, err, errlen);
        xfree(dir);
        if (rc)
            goto fail;
    }
    h->listen_fd = listen_on(spec, addr, err, errlen);
    if (h->listen_fd < 0)
        goto fail;
    h->mhd = MHD_start_daemon(
        MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
        MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)env->cfg->http_timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)env->cfg->http_max_conn,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)env->cfg->http_max_conn_ip,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, h, MHD_OPTION_END);
    if (!h->mhd) {
        snprintf(err, errlen, "%s: cannot start the HTTP server", spec);
        goto fail;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[64] = "?", port[16] = "?";
    if (getsockname(h->listen_fd, (struct sockaddr *)&ss, &sl) == 0)
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port,
                    sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
    h->listen_fd = -1; /* libmicrohttpd closes it when it stops */
    input__note(env, spec, "listening on %s port %s", host, port);
    *out = &h->base;
    return 0;
fail:
    close_http(&h->base);
    return -1;
}

static void close_http(struct input *in)
{
    struct in_http *h = (struct in_http *)in;
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    if (h->listen_fd >= 0)
        close(h->listen_fd);
    in_spool_close(h->spool);
    in_body_free(&h->dec);
    if (h->token) {
        explicit_bzero(h->token, h->token_len);
        xfree(h->token);
    }
    xfree(h->spec);
    xfree(h);
}

static int fd_http(struct input *in)
{
    struct in_http *h = (struct in_http *)in;
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    return di ? di->epoll_fd : -1;
}

static int poll_http(struct input *in, input_unit_fn cb, void *ctx)
{
    struct in_http *h = (struct in_http *)in;
    if (h->spool && in_spool_replaying(h->spool))
        in_spool_replay(h->spool, cb, ctx);
    h->cb = cb;
    h->ctx = ctx;
    cut_slow(h);
    MHD_run(h->mhd);
    h->cb = NULL;
    h->ctx = NULL;
    return INPUT_IDLE;
}

static int checkpoint_http(struct input *in, char *err, size_t errlen)
{
    struct in_http *h = (struct in_http *)in;
    return h->spool ? in_spool_checkpoint(h->spool, err, errlen) : 0;
}

static void committed_http(struct input *in)
{
    struct in_http *h = (struct in_http *)in;
    if (h->spool)
        in_spool_committed(h->spool);
}

const struct input_ops in_http_ops = {
    .name = "http",
    .accepts = accepts,
    .open = open_http,
    .close = close_http,
    .fd = fd_http,
    .poll = poll_http,
    .checkpoint = checkpoint_http,
    .committed = committed_http,
};
