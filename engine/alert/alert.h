/*
 * alert — the interface of alert sinks: pager tools, chat, webhooks,
 * commands, files.
 *
 * An alert sink delivers Insight records (the AWS trail form that
 * insight_json writes) to one destination.  Each type is one file,
 * engine/alert/sink_<type>.c, exporting one const struct alert_sink_ops,
 * listed once in alert.c's registry; its settings are the sinks.* rows of config_sinks.c
 * for that type.  The outbox (outbox.h) decides what is sent and when; a
 * sink only turns one delivery (struct alert) into a request and says how
 * it went (struct alert_outcome).
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
    const char *name; /* the config's sinks.type */
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
