/*
 * alert — the interface of alert sinks: pager tools, chat, webhooks,
 * commands, files.
 *
 * An alert sink delivers Insight records (the AWS trail form that
 * insight_json writes) to one destination.  Each type is one file,
 * engine/alert/sink_<type>.c, exporting one const struct alert_sink_ops,
 * listed once in alert.c's registry.  The ops carry the type's config map
 * (struct config_sink_type, config.h: keys, types, defaults, bounds, help,
 * where its secret is); config reads the maps through config_sink_type(),
 * which alert.c defines from the registry, and adds the settings every
 * type takes.  A new sink is its file, one registry line and its lines in
 * config/ctinsights.yaml (test_alert checks them).  The outbox (outbox.h)
 * decides what is sent and when; a sink only turns one delivery (struct
 * alert) into a request and says how it went (struct alert_outcome).
 *
 * Two kinds of sink: a pager sink (ops->pager) delivers pages — one page
 * per group of Insights, firing on the first Start and resolved when every
 * Insight of it has ended, keyed by page_id so that a re-send never pages
 * twice; a record sink delivers every Start and End record as it is.
 *
 * Secrets (routing keys, signing secrets, webhook URLs that embed a token)
 * are read by open() from the environment variable or file the config
 * names, kept in the sink's private state, and never written into an
 * outcome's detail, a message or argv.  A sink is used by one thread.
 */
#ifndef CTI_ALERT_H
#define CTI_ALERT_H

#include "alert_insight.h"
#include "config.h"

#include <jansson.h>
#include <stddef.h>

enum alert_kind {
    ALERT_FIRING,   /* a Start: page (or update the page), or send the record */
    ALERT_RESOLVED, /* an End: resolve the page, or send the record */
};

/* One delivery.  Everything is borrowed for the duration of send(). */
struct alert {
    enum alert_kind kind;
    const char *page_id; /* the page's key: the sharedEventID of its first Insight */
    json_t *record;      /* the Insight record this delivery is for */
    json_t *members;     /* pager sinks: every Insight of the page, the latest
                          * record of each, the first one first; else NULL */
    int resend;          /* 1: a periodic re-send of a page already delivered */
    double now;          /* wall clock, seconds since 1970 */
};

enum alert_result {
    ALERT_OK,        /* the destination accepted it */
    ALERT_RETRY,     /* not now (down, slow, HTTP 408/429/5xx): try again */
    ALERT_PERMANENT, /* refused (other HTTP 4xx, exit status): do not retry */
};

/* "ok", "retry" or "permanent". */
const char *alert_result_name(enum alert_result r);

/* How one delivery went; send() fills it. */
struct alert_outcome {
    enum alert_result result;
    double retry_after; /* seconds the destination asked to wait, 0 = none */
    char detail[512];   /* what happened, lowercase, no secrets */
};

struct alert_sink;

struct alert_sink_ops {
    struct config_sink_type config; /* name (sinks.type) and settings */
    const char *help; /* one line */
    int pager;        /* 1: pages (grouped, firing/resolved); 0: records */
    /* Load secrets and prepare; 0, or -1 with a message in err. */
    int (*open)(struct alert_sink *s, char *err, size_t errlen);
    /* Deliver a; fill o.  Never blocks longer than cfg->timeout. */
    void (*send)(struct alert_sink *s, const struct alert *a,
                 struct alert_outcome *o);
    /* Free what open() made; called once, also after a failed open(). */
    void (*close)(struct alert_sink *s);
};

struct alert_sink {
    /* read-only */
    const struct alert_sink_ops *ops;
    const struct config_sink *cfg; /* borrowed; outlives the sink */
    size_t dump_flags;             /* jansson flags for records (precision) */
    /* private to the sink type */
    void *priv;
};

/* Rows for a sink type's config map (struct config_sink_type). */
#define ALERT_SOFF(f) offsetof(struct config_sink, f)

/* .rows and .n_rows of a struct config_sink_type from the array a. */
#define ALERT_ROWS(a) .rows = a, .n_rows = sizeof a / sizeof a[0]

/* sinks.url with default def (NULL: none) and help doc. */
#define ALERT_URL_ROW(def, doc) \
    {CONFIG_STRING, "sinks.url", def, ALERT_SOFF(url), 0, 0, doc, NULL}

/* Where a secret is: the keys naming its environment variable and its
 * file, their fields, and what it is ("routing key"). */
#define ALERT_SECRET_ROWS(env, file, env_field, file_field, what)          \
    {CONFIG_STRING, "sinks." env, NULL, ALERT_SOFF(env_field), 0, 0,       \
     "environment variable holding the " what, NULL},                      \
    {CONFIG_STRING, "sinks." file, NULL, ALERT_SOFF(file_field), 0, 0,     \
     "file holding the " what, NULL}

/* How fast deliveries go: rate and burst defaults as strings. */
#define ALERT_RATE_ROWS(rate_def, burst_def)                               \
    {CONFIG_DOUBLE, "sinks.rate_per_minute", rate_def,                     \
     ALERT_SOFF(rate_per_minute), 0.01, 60000,                             \
     "deliveries per minute, sustained", NULL},                            \
    {CONFIG_INT, "sinks.burst", burst_def, ALERT_SOFF(burst), 1, 10000,    \
     "deliveries at once before the rate applies", NULL}

/* What a pager sink (ops->pager) takes: how Insights group into pages,
 * and the pace of pages. */
#define ALERT_PAGER_ROWS                                                   \
    {CONFIG_ENUM, "sinks.group_by", "principal", ALERT_SOFF(group_by), 0,  \
     0, "Insights of one principal (or account) share a page",             \
     alert_group_by_names},                                                \
    {CONFIG_DOUBLE, "sinks.group_window", "600", ALERT_SOFF(group_window), \
     0, 86400, "seconds between the first and the last Start of a page",   \
     NULL},                                                                \
    ALERT_RATE_ROWS("30", "10")

/* What a record sink takes: the pace of records. */
#define ALERT_RECORD_ROWS ALERT_RATE_ROWS("600", "100")

/* Names of enum config_group_by, NULL-terminated. */
extern const char *const alert_group_by_names[];

/* The registry, NULL-terminated. */
extern const struct alert_sink_ops *const alert_sink_registry[];

/* The sink type called name, or NULL. */
const struct alert_sink_ops *alert_sink_find(const char *name);

/* The Insight delivery a is about: the page's first Insight
 * (a->members[0]) when there is a page, else a->record.  Returns that
 * record (borrowed) read into *ai, or NULL with o filled as a permanent
 * failure when it is not an Insight record. */
json_t *alert_subject(const struct alert *a, struct alert_insight *ai,
                      struct alert_outcome *o);

/* Make s a sink for cfg (borrowed; must outlive s) whose records are
 * written with dump_flags.  Returns 0, or -1 with "sink 'NAME': what is
 * wrong; what to do" in err; s needs alert_sink_close either way. */
int alert_sink_open(struct alert_sink *s, const struct config_sink *cfg,
                    size_t dump_flags, char *err, size_t errlen);

/* Release s.  NULL-safe, and safe on a zeroed or failed sink. */
void alert_sink_close(struct alert_sink *s);

/* Read a secret from the environment variable env or else
 * the file file (one of them non-NULL); what names it in messages
 * ("routing key").  Trailing newlines are dropped.  Returns 0 and a new
 * string in *out (the caller frees it with alert_secret_free), or -1 with
 * a message naming the variable or file, never the value. */
int alert_secret_read(const char *env, const char *file, const char *what,
                      char **out, char *err, size_t errlen);

/* Wipe and free a secret from alert_secret_read.  NULL-safe. */
void alert_secret_free(char *secret);

extern const struct alert_sink_ops alert_sink_alertmanager;
extern const struct alert_sink_ops alert_sink_pagerduty;
extern const struct alert_sink_ops alert_sink_slack;
extern const struct alert_sink_ops alert_sink_webhook;
extern const struct alert_sink_ops alert_sink_exec;
extern const struct alert_sink_ops alert_sink_eventbridge;

#endif
