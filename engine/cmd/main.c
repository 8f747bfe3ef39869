/*
 * ctinsights — command line.
 *
 *   ctinsights score [options] PATH...   Insights of exported logs
 *   ctinsights keys [options] PATH...    per-key event counts
 *   ctinsights check-config FILE         validate a config file
 *   ctinsights tail [options] SOURCE...  follow live sources (engine/cmd/cmd_tail.c)
 *   ctinsights insights list ...         Insights a state file holds
 *   ctinsights baseline ...              what a state file learned of a key
 *
 * Exit codes: 0 ok; 1 --strict and input was skipped, output failed, or
 * (--alert) an alert could not be delivered; 2 usage, config, unreadable
 * path, or a sink or state file that cannot be opened.
 */
#include "alert_batch.h"
#include "batch.h"
#include "cmds.h"
#include "config.h"
#include "model_rate.h"
#include "out.h"
#include "state.h"
#include "reader.h"
#include "timefmt.h"
#include "xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CTI_VERSION "0.1.0"


static void usage(FILE *f)
{
    fprintf(f,
            "usage: ctinsights score [options] PATH...\n"
            "       ctinsights keys [--config FILE] [--threads N] PATH...\n"
            "       ctinsights check-config FILE\n"
            "       ctinsights tail [--state FILE] [--output FILE] SOURCE...\n"
            "       ctinsights insights list --state FILE [filters]\n"
            "       ctinsights baseline --state FILE ACCOUNT REGION SOURCE NAME\n"
            "\n"
            "PATH is a CloudTrail file (JSON, NDJSON, gzip or not), a folder\n"
            "(walked recursively, S3 layout), or - for standard input.\n"
            "\n"
            "score options:\n"
            "  --config FILE    settings (YAML); see config/ctinsights.yaml\n"
            "  --format FORMAT  output format on stdout:\n");
    for (int i = 0; out_registry[i]; i++)
        if (out_registry[i] != &out_s3)
            fprintf(f, "                     %-8s %s\n", out_registry[i]->name,
                    out_registry[i]->help);
    fprintf(f,
            "  --out DIR        write the S3 layout (AWSLogs/<acct>/CloudTrail-Insight/...)\n"
            "                   under DIR instead of stdout\n"
            "  --strict         exit 1 if any input was skipped as invalid\n"
            "  --alert          deliver the Insights to the config's sinks\n"
            "  --state FILE     go on from and save to a state file (SQLite): the\n"
            "                   engine for later runs, `tail` and `insights`, and the\n"
            "                   alert outbox (retries across runs, no alert sent twice)\n"
            "  --quiet          no summary on stderr\n"
            "  --no-progress    no progress line even on a terminal\n"
            "  --threads N      threads reading files (default: one per core)\n"
            "  --version, --help\n");
}

struct opts {
    const char *config;
    const char *format;
    const char *out_dir;
    const char *state;
    int strict, quiet, progress, alert;
};

/* --threads N: 1..1024 reading threads (reader_default_threads). */
static int parse_threads(const char *arg)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || n < 1 || n > 1024) {
        fprintf(stderr, "ctinsights: --threads takes a number from 1 to 1024, not '%s'\n",
                arg);
        return -1;
    }
    reader_default_threads((int)n);
    return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"strict", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"no-progress", no_argument, NULL, 'P'},
        {"alert", no_argument, NULL, 'A'},
        {"state", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->format = "ndjson";
    o->progress = isatty(STDERR_FILENO);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:f:o:sqh", longs, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'f': o->format = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 's': o->strict = 1; break;
        case 'q': o->quiet = 1; break;
        case 'P': o->progress = 0; break;
        case 'A': o->alert = 1; break;
        case 'S': o->state = optarg; break;
        case 'T':
            if (parse_threads(optarg) != 0)
                return -1;
            break;
        case 'h': usage(stdout); exit(EXIT_OK);
        default:
            fprintf(stderr, "ctinsights: see 'ctinsights --help'\n");
            return -1;
        }
    }
    if (!o->out_dir && (!out_find(o->format) || out_find(o->format) == &out_s3)) {
        fprintf(stderr, "ctinsights: unknown --format '%s'; use ndjson or records\n",
                o->format);
        return -1;
    }
    return 0;
}

static int load_config(const char *path, struct config *c)
{
    config_defaults(c);
    if (!path)
        return 0;
    char err[1024];
    if (config_load(c, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        return -1;
    }
    return 0;
}

/* Check every path argument and start a walk over them; -1 (message
 * printed) if one cannot be read. */
static int list_paths(int argc, char **argv, struct source_walk *files)
{
    if (optind >= argc) {
        fprintf(stderr, "ctinsights: no PATH given; name files or folders of "
                        "CloudTrail logs, or - for standard input\n");
        return -1;
    }
    for (int i = optind; i < argc; i++) {
        char err[1024];
        if (source_check(argv[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s; check the path and its permissions\n", err);
            return -1;
        }
    }
    source_walk_init(files, argv + optind, (size_t)(argc - optind));
    return 0;
}

static int write_records(const struct opts *o, const struct config *c,
                         const struct batch_record *v, size_t n)
{
    struct out_sink sink;
    memset(&sink, 0, sizeof(sink));
    sink.ops = o->out_dir ? &out_s3 : out_find(o->format);
    sink.dir = o->out_dir;
    sink.f = stdout;
    sink.dump_flags = JSON_COMPACT | JSON_REAL_PRECISION(c->precision);
    int rc = sink.ops->open(&sink);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = sink.ops->write(&sink, v[i].rec);
    if (sink.ops->close(&sink) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "ctinsights: %s\n", sink.err[0] ? sink.err : "output failed");
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What score and keys share: options, config, and every record read. */
struct run {
    struct opts o;
    struct config c;
    struct source_walk files;
    struct batch b;
    struct state *state;
    int state_failed; /* the state file could not be read or written */
    double t0;
};

/* Parse options, load the config, list the paths and score them.  Returns
 * 0, or EXIT_USAGE (message printed); run_end must be called either way. */
static int run_start(int argc, char **argv, struct run *r, int messages)
{
    memset(r, 0, sizeof(*r));
    r->t0 = now();
    config_defaults(&r->c);
    batch_init(&r->b, &r->c);
    if (parse_opts(argc, argv, &r->o) != 0 || load_config(r->o.config, &r->c) != 0 ||
        list_paths(argc, argv, &r->files) != 0)
        return EXIT_USAGE;
    r->b.progress = r->o.progress;
    if (!messages)
        r->b.diag.max_messages = 0;
    if (r->o.state) {
        char err[1024];
        if (state_open(r->o.state, r->c.state_max_bytes, &r->state, err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            return EXIT_USAGE;
        }
    }
    if (batch_run(&r->b, &r->files, r->state) != 0) {
        fprintf(stderr, "ctinsights: %s\n", r->b.state_err);
        r->state_failed = 1;
    }
    return 0;
}

static void run_end(struct run *r)
{
    source_walk_free(&r->files);
    batch_free(&r->b);
    state_close(r->state);
    config_free(&r->c);
}

/* Hand the written records to the sinks (alert_batch_deliver's codes). */
static int deliver_alerts(const struct run *r)
{
    size_t n = r->b.nrecs;
    json_t **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = r->b.recs[i].rec;
    int rc = alert_batch_deliver(&r->c, r->state ? state_db(r->state) : NULL, v, n,
                                 r->o.quiet);
    xfree(v);
    return rc;
}

static int cmd_score(int argc, char **argv)
{
    struct run r;
    int rc = run_start(argc, argv, &r, 1);
    if (rc != 0)
        goto done;
    if (r.o.alert && r.c.n_sinks == 0) {
        fprintf(stderr, "ctinsights: --alert needs sinks: in the config; see "
                        "config/ctinsights.yaml\n");
        rc = EXIT_USAGE;
        goto done;
    }
    int out_rc = write_records(&r.o, &r.c, r.b.recs, r.b.nrecs);
    int alert_rc = r.o.alert ? deliver_alerts(&r) : 0;
    if (!r.o.quiet) {
        struct stream_stats st;
        stream_get_stats(r.b.stream, &st);
        struct diag_findings f = {st.keys, st.insights, st.open, st.suppressed,
                                  r.b.sorted, ""};
        diag_summary(&r.b.diag, &f, now() - r.t0);
    }
    if (out_rc != 0 || r.state_failed || alert_rc == 1 ||
        (r.o.strict && diag_skipped(&r.b.diag) > 0))
        rc = EXIT_FINDINGS;
    if (alert_rc == 2)
        rc = EXIT_USAGE;
done:
    run_end(&r);
    return rc;
}

/* Keys as NDJSON lines, collected to be sorted by their strings. */
struct key_line {
    char *sort, *line;
};

struct key_lines {
    struct key_line *v;
    size_t n, cap;
};

static void collect_key(void *ctx, const struct stream_key_info *k)
{
    struct key_lines *l = ctx;
    const char *type = detect_insight_type(k->error_rate);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I}", "insightType", type,
                          "account", k->account, "region", k->region, "eventSource",
                          k->source, "eventName", k->name, "errorCode",
                          k->error ? json_string(k->error) : json_null(), "count",
                          (json_int_t)k->count);
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    struct key_line *kl = &l->v[l->n++];
    kl->line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    size_t len = strlen(type) + strlen(k->account) + strlen(k->region) +
                 strlen(k->source) + strlen(k->name) + (k->error ? strlen(k->error) : 0) + 6;
    kl->sort = xmalloc(len);
    snprintf(kl->sort, len, "%s\x01%s\x01%s\x01%s\x01%s\x01%s", type, k->account,
             k->region, k->source, k->name, k->error ? k->error : "");
}

static int key_line_cmp(const void *pa, const void *pb)
{
    return strcmp(((const struct key_line *)pa)->sort, ((const struct key_line *)pb)->sort);
}

static int cmd_keys(int argc, char **argv)
{
    struct run r;
    int rc = run_start(argc, argv, &r, 0);
    if (rc != 0)
        goto done;
    struct key_lines l = {0};
    stream_each_key(r.b.stream, collect_key, &l);
    if (l.n)
        qsort(l.v, l.n, sizeof(*l.v), key_line_cmp);
    for (size_t i = 0; i < l.n; i++) {
        fputs(l.v[i].line, stdout);
        fputc('\n', stdout);
        xfree(l.v[i].line);
        xfree(l.v[i].sort);
    }
    xfree(l.v);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FINDINGS;
done:
    run_end(&r);
    return rc;
}

static int cmd_check_config(int argc, char **argv)
{
    struct config c;
    if (argc != 2) {
        fprintf(stderr, "ctinsights: usage: ctinsights check-config FILE\n");
        return EXIT_USAGE;
    }
    int rc = load_config(argv[1], &c) == 0 ? EXIT_OK : EXIT_USAGE;
    if (rc == EXIT_OK)
        printf("%s: ok\n", argv[1]);
    config_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    xalloc_install_json();
    model_rate_init();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "score") == 0)
        return cmd_score(argc - 1, argv + 1);
    if (strcmp(cmd, "keys") == 0)
        return cmd_keys(argc - 1, argv + 1);
    if (strcmp(cmd, "check-config") == 0)
        return cmd_check_config(argc - 1, argv + 1);
    if (strcmp(cmd, "tail") == 0)
        return cmd_tail(argc - 1, argv + 1);
    if (strcmp(cmd, "insights") == 0)
        return cmd_insights(argc - 1, argv + 1);
    if (strcmp(cmd, "baseline") == 0)
        return cmd_baseline(argc - 1, argv + 1);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("ctinsights %s\n", CTI_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "ctinsights: unknown command '%s'; see 'ctinsights --help'\n", cmd);
    return EXIT_USAGE;
}
