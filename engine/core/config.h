/*
 * config — the engine's typed settings.
 *
 * Defaults are compiled in (config_defaults); a YAML file (libyaml) can
 * override any of them (config_load).  Every setting is one row of a table
 * {type, dotted key, default, offset, doc} in config.c (config_row walks
 * it), and config/ctinsights.yaml documents every row.  Unknown keys, wrong
 * types and out-of-range values are errors that name file:line.  A loaded
 * config is read-only afterwards and may be shared between threads.  Free
 * with config_free (NULL-safe).
 *
 * The settings of each alert sink type are declared by that sink
 * (engine/alert/sink_<type>.c, in its struct alert_sink_ops) as a struct
 * config_sink_type; config reads them through config_sink_type(), declared
 * here and defined by the sink registry in engine/alert/alert.c.  So
 * engine/alert depends on this header, and engine/core includes no alert
 * header: it only links with the registry.
 */
#ifndef CTI_CONFIG_H
#define CTI_CONFIG_H

#include <stddef.h>

/* Which keys a rule applies to: every non-NULL field must match (shell
 * globs, fnmatch), e.g. event_source: "s3.amazonaws.com". */
struct config_ignore {
    char *account;
    char *region;
    char *event_source;
    char *event_name;
    char *error_code;
    char *insight_type; /* "ApiCallRateInsight" or "ApiErrorRateInsight" */
};

/* overrides: per-key settings; the first rule whose match fits a key wins.
 * A field left out of the rule is -1 (keep the global value). */
struct config_override {
    struct config_ignore match;
    double sensitivity;   /* 1..10 */
    int min_count;        /* 1..1000000 */
    int min_history_days; /* 1..365 */
    int gaps;             /* bool: detect maintenance gaps on the key */
};

/* suppress: Insights that match are not emitted (counted in the summary).
 * Every given condition must hold: the key matches, the Insight's top
 * principal (userIdentityArn with the highest count in its first minute)
 * matches `principal`, its category matches `category`, and its start
 * falls in the time window: absolute [from, until) (minutes since 1970,
 * -1 = open) and/or a daily UTC window [daily_from, daily_to) in minutes of
 * the day (-1 = none; may wrap midnight, "22:00-02:00") on the weekdays of
 * the `weekdays` bitmask (bit 0 = Monday … bit 6 = Sunday; 0 = every day). */
struct config_suppress {
    struct config_ignore match;
    char *principal;
    char *category;
    long long from, until;
    int daily_from, daily_to;
    unsigned weekdays;
};

/* sinks: one alert destination (engine/alert/alert.h).  The keys every
 * type takes are config_sinks.c's common_rows[]; the others, and their
 * defaults, each type declares (struct config_sink_type below); all are
 * documented in config/ctinsights.yaml.  Strings are owned; NULL = not
 * given. */
enum config_group_by { GROUP_NONE, GROUP_ACCOUNT, GROUP_PRINCIPAL };

struct config_sink {
    char *type;            /* alertmanager, pagerduty, slack, webhook, exec, eventbridge */
    char *name;            /* names the sink in the outbox and in messages */
    size_t line;           /* line of the item in the config file (0: built in) */
    /* filters: an Insight is alerted when every given one holds */
    struct config_ignore match; /* account, region, insight_type, ... globs */
    char *category;        /* glob on additionalEventData.category */
    double min_score;      /* additionalEventData.score of the Start at least this */
    /* where and how */
    char *url;             /* HTTP sinks */
    char *url_env;         /* slack: environment variable holding the URL */
    char *url_file;        /* slack: file holding the URL */
    char *secret_env;      /* pagerduty routing key / webhook secret: variable */
    char *secret_file;     /* ... or a file holding it */
    char **argv;           /* exec: NULL-terminated argument vector */
    char *path;            /* eventbridge: file to append to, "-" = stdout */
    char *source;          /* pagerduty: payload.source */
    double timeout;        /* seconds one delivery may take */
    double resend_interval;/* alertmanager: seconds between re-sends of a firing alert */
    /* delivery */
    int group_by;          /* enum config_group_by (pager sinks) */
    double group_window;   /* seconds: Insights starting this close share a page */
    double rate_per_minute;/* deliveries per minute, sustained */
    int burst;             /* deliveries allowed at once before the rate applies */
    double retry_initial;  /* seconds before the first retry */
    double retry_max;      /* longest wait between retries */
    double give_up_after;  /* seconds after which a retried alert fails */
};

struct config {
    /* baseline */
    int window_days;       /* baseline.window_days: trailing history used, days */
    int min_history_days;  /* baseline.min_history_days: history before a key may raise */
    /* detector */
    double sensitivity;    /* detector.sensitivity: 1 (quiet) .. 10 (eager); 5 default */
    int seasonality;       /* detector.seasonality: hour-of-day x weekday/weekend baselines (bool) */
    double alpha_start;    /* detector.alpha_start: tail probability that starts an Insight */
    double alpha_end;      /* detector.alpha_end: a minute above this is normal again */
    int min_count;         /* detector.min_count: calls in a minute below which nothing starts */
    double min_ratio;      /* detector.min_ratio: observed/expected below which nothing starts */
    int end_after_minutes; /* detector.end_after_minutes: normal minutes before End */
    int call_rate;         /* detector.call_rate: emit ApiCallRateInsight (bool) */
    int error_rate;        /* detector.error_rate: emit ApiErrorRateInsight (bool) */
    /* gaps */
    int gaps;                /* gaps.enabled: maintenance-gap Insights for periodic keys (bool) */
    int gap_min_runs;        /* gaps.min_runs: regular runs seen before a key counts as periodic */
    int gap_min_period;      /* gaps.min_period_minutes: shorter periods are not jobs */
    int gap_max_period;      /* gaps.max_period_minutes: longest period learned (weekly = 10080) */
    /* categories */
    char **limit_codes;      /* categories.service_limit_codes: extra codes, added to the built-in table */
    size_t n_limit_codes;
    /* input */
    size_t max_record_bytes; /* input.max_record_bytes */
    int max_depth;           /* input.max_depth: JSON nesting limit */
    int infer_missing;       /* input.infer_missing: classify records lacking readOnly/managementEvent (bool) */
    /* sources (the inputs of the tail daemon) */
    int file_rotate_wait_ms;   /* sources.file_rotate_wait_ms: keep reading a rotated file this long after it stops growing */
    int dir_watch;             /* sources.dir_watch: inotify (bool; false = polling only) */
    int dir_settle_ms;         /* sources.dir_settle_ms: unchanged this long, a found file is complete */
    int dir_incomplete_ms;     /* sources.dir_incomplete_ms: wait this long for an open or cut-off file */
    int dir_rescan_ms;         /* sources.dir_rescan_ms: rescan period when polling */
    size_t max_unit_bytes;     /* sources.max_unit_bytes: a line, a folder file or a decoded body, inflated */
    size_t http_max_body;      /* sources.http_max_body_bytes: largest request body */
    int http_timeout;          /* sources.http_timeout_seconds: a request must arrive whole within this */
    int http_max_conn;         /* sources.http_max_connections */
    int http_max_conn_ip;      /* sources.http_max_connections_per_ip (0 = no limit) */
    /* output */
    int precision;           /* output.precision: significant digits of averages */
    /* score */
    int score_reorder_minutes; /* score.reorder_minutes: reorder window in memory */
    /* tail */
    int tail_min_lateness;      /* tail.min_lateness_minutes: the least a watermark lags */
    int tail_max_lateness;      /* tail.max_lateness_minutes: the most it lags */
    int tail_checkpoint_seconds; /* tail.checkpoint_seconds */
    /* state */
    size_t state_max_bytes;    /* state.max_bytes: cap on the state file, 0 = none */
    /* ignore */
    struct config_ignore *ignore;
    size_t n_ignore;
    /* overrides, suppress */
    struct config_override *overrides;
    size_t n_overrides;
    struct config_suppress *suppress;
    size_t n_suppress;
    /* alerting */
    double drain_seconds;    /* alerting.drain_seconds: score --alert waits at most this long */
    /* sinks */
    struct config_sink *sinks;
    size_t n_sinks;
};

/* The type of a setting.  CONFIG_STRING is an owned char * (non-empty);
 * CONFIG_ENUM an int, the index of the value in the row's choices;
 * CONFIG_ARGV a NULL-terminated char ** given as a sequence (sinks only). */
enum config_type {
    CONFIG_INT, CONFIG_DOUBLE, CONFIG_BOOL, CONFIG_SIZE, CONFIG_STRING,
    CONFIG_ENUM, CONFIG_ARGV
};

/* One setting.  min/max are inclusive and unused for CONFIG_BOOL,
 * CONFIG_STRING, CONFIG_ENUM and CONFIG_ARGV. */
struct config_row {
    enum config_type type;
    const char *key;  /* "section.name" */
    const char *def;  /* default, in the syntax a YAML file would use */
    size_t off;       /* offsetof the field in the struct the row fills */
    double min, max;
    const char *doc;  /* one line; config/ctinsights.yaml says the same */
    const char *const *choices; /* CONFIG_ENUM: NULL-terminated values */
};

/* The i-th scalar setting of struct config (off is into struct config),
 * i from 0; NULL past the last.  Static storage, read-only. */
const struct config_row *config_row(size_t i);

/* The settings of one alert sink type besides the common ones (sinks.name,
 * category, min_score, timeout, retry_*), declared by the sink.  Rows have
 * keys "sinks.NAME" and off into struct config_sink; a key several types
 * take has the same type and bounds in each. */
struct config_sink_type {
    const char *name;               /* its sinks.type */
    const struct config_row *rows;  /* n_rows settings */
    size_t n_rows;
    /* Where its endpoint or secret is: NULL-terminated keys of which a
     * sink must give exactly one (NULL: none).  The value is a variable or
     * file name, never the secret itself. */
    const char *const *secret_keys;
    const char *required;       /* a string or argv key it needs, or NULL */
    const char *required_hint;  /* how to give it, after "give " */
};

/* The i-th registered sink type, i from 0; NULL past the last.  Defined
 * by the registry (engine/alert/alert.c); static storage. */
const struct config_sink_type *config_sink_type(size_t i);

/* Fill c with the compiled-in defaults. Never fails. */
void config_defaults(struct config *c);

/* Override c from the YAML file at path.  Returns 0, or -1 with a message
 * "path:line: what is wrong" in err (size errlen).  On error c keeps the
 * values set so far and must still be freed with config_free. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Same as config_load but from a string; name is used in messages. */
int config_load_string(struct config *c, const char *yaml, size_t len,
                       const char *name, char *err, size_t errlen);

/* Free what config_load allocated (rules and lists).  NULL-safe. */
void config_free(struct config *c);

/* Whether key fields match one of c's ignore rules. err_code may be NULL
 * (call-rate keys). */
int config_ignored(const struct config *c, const char *account,
                   const char *region, const char *event_source,
                   const char *event_name, const char *error_code,
                   const char *insight_type);

/* Whether key fields fit rule m (same semantics as one ignore rule). */
int config_match(const struct config_ignore *m, const char *account,
                 const char *region, const char *event_source,
                 const char *event_name, const char *error_code,
                 const char *insight_type);

/* The first override rule matching the key, or NULL. */
const struct config_override *
config_override_for(const struct config *c, const char *account,
                    const char *region, const char *event_source,
                    const char *event_name, const char *error_code,
                    const char *insight_type);

#endif
