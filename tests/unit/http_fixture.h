/*
 * http_fixture — a tiny HTTP receiver on 127.0.0.1 for the unit tests of
 * what alert sinks send (alert_http, sink_*): it keeps the last request
 * (method, path, headers, body) and answers with the status, headers,
 * body and delay the test set.  libmicrohttpd, its own thread; the port is
 * chosen by the system.  Include after cmocka.h.
 */
#ifndef CTI_TEST_HTTP_FIXTURE_H
#define CTI_TEST_HTTP_FIXTURE_H

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HTTP_FIXTURE_HEADERS 32

struct http_fixture {
    struct MHD_Daemon *mhd;
    unsigned port;
    char base[64]; /* "http://127.0.0.1:PORT" */
    pthread_mutex_t mu;
    /* the answer: set before the request */
    unsigned status;      /* default 200 */
    const char *reply;    /* body, default "" */
    const char *header;   /* one extra "Name: value" header, or NULL */
    double delay;         /* seconds to wait before answering */
    /* the last request */
    int requests;
    char method[16];
    char path[256];
    char names[HTTP_FIXTURE_HEADERS][64];
    char values[HTTP_FIXTURE_HEADERS][512];
    int nheaders;
    char *body;
    size_t body_len;
};

/* One request's upload, kept until it is answered. */
struct http_fixture_upload {
    char *data;
    size_t len;
};

static enum MHD_Result http_fixture_header_cb(void *ctx, enum MHD_ValueKind kind,
                                              const char *key, const char *value)
{
    struct http_fixture *x = ctx;
    (void)kind;
    if (x->nheaders < HTTP_FIXTURE_HEADERS) {
        snprintf(x->names[x->nheaders], sizeof x->names[0], "%s", key);
        snprintf(x->values[x->nheaders], sizeof x->values[0], "%s", value ? value : "");
        x->nheaders++;
    }
    return MHD_YES;
}

static enum MHD_Result http_fixture_answer(void *cls, struct MHD_Connection *c,
                                           const char *url, const char *method,
                                           const char *version, const char *data,
                                           size_t *data_size, void **con_cls)
{
    struct http_fixture *x = cls;
    struct http_fixture_upload *u = *con_cls;
    (void)version;
    if (!u) {
        *con_cls = calloc(1, sizeof *u);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*data_size) {
        u->data = realloc(u->data, u->len + *data_size + 1);
        memcpy(u->data + u->len, data, *data_size);
        u->len += *data_size;
        u->data[u->len] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&x->mu);
    x->requests++;
    snprintf(x->method, sizeof x->method, "%s", method);
    snprintf(x->path, sizeof x->path, "%s", url);
    x->nheaders = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, http_fixture_header_cb, x);
    free(x->body);
    x->body = u->data ? u->data : calloc(1, 1);
    x->body_len = u->len;
    u->data = NULL;
    unsigned status = x->status;
    const char *reply = x->reply, *header = x->header;
    double delay = x->delay;
    pthread_mutex_unlock(&x->mu);
    if (delay > 0) {
        struct timespec ts = {(time_t)delay, (long)((delay - (time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(reply), (void *)reply, MHD_RESPMEM_MUST_COPY);
    if (header) {
        char name[64];
        const char *colon = strchr(header, ':');
        snprintf(name, sizeof name, "%.*s", (int)(colon - header), header);
        MHD_add_response_header(r, name, colon + 1 + strspn(colon + 1, " "));
    }
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static void http_fixture_done(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct http_fixture_upload *u = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (u) {
        free(u->data);
        free(u);
    }
    *con_cls = NULL;
}

/* Start x on 127.0.0.1, answering 200 with an empty body. */
static inline void http_fixture_start(struct http_fixture *x)
{
    struct sockaddr_in sa;
    memset(x, 0, sizeof *x);
    pthread_mutex_init(&x->mu, NULL);
    x->status = 200;
    x->reply = "";
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    x->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                              0, NULL, NULL, http_fixture_answer, x,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_NOTIFY_COMPLETED, http_fixture_done, x,
                              MHD_OPTION_END);
    assert_non_null(x->mhd);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(x->mhd, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    x->port = info->port;
    snprintf(x->base, sizeof x->base, "http://127.0.0.1:%u", x->port);
}

static inline void http_fixture_stop(struct http_fixture *x)
{
    MHD_stop_daemon(x->mhd);
    free(x->body);
    pthread_mutex_destroy(&x->mu);
}

/* The value of header name (any case) of the last request, or NULL. */
static inline const char *http_fixture_header(struct http_fixture *x, const char *name)
{
    for (int i = 0; i < x->nheaders; i++)
        if (strcasecmp(x->names[i], name) == 0)
            return x->values[i];
    return NULL;
}

/* The body of the last request as JSON (decref it); fails when it is not. */
static inline json_t *http_fixture_json(struct http_fixture *x)
{
    json_error_t e;
    json_t *j = json_loads(x->body, 0, &e);
    if (!j) {
        print_error("body is not JSON (%s): %s\n", e.text, x->body);
        fail();
    }
    return j;
}

#endif
