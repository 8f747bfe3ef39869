/*
 * ctinsights — command line.
 *
 *   ctinsights score [options] PATH...   Insights of exported logs
 *   ctinsights keys [options] PATH...    per-key event counts
 *   ctinsights check-config FILE         validate a config file
 *
 * Exit codes: 0 ok; 1 --strict and input was skipped, or output failed;
 * 2 usage, config or unreadable path.
 */
#include "batch.h"
#include "config.h"
#include "insight_json.h"
#include "model_rate.h"
#include "out.h"
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

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ctinsights score [options] PATH...\n"
            "       ctinsights keys [--config FILE] [--threads N] PATH...\n"
            "       ctinsights check-config FILE\n"
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
            "  --quiet          no summary on stderr\n"
            "  --no-progress    no progress line even on a terminal\n"
            "  --threads N      threads reading files (default: one per core)\n"
            "  --version, --help\n");
}

struct opts {
    const char *config;
    const char *format;
    const char *out_dir;
    int strict, quiet, progress;
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

/* Expand every path argument; -1 (message printed) if one cannot be read. */
static int list_paths(int argc, char **argv, struct pathlist *files,
                      struct diag *d)
{
    if (optind >= argc) {
        fprintf(stderr, "ctinsights: no PATH given; name files or folders of "
                        "CloudTrail logs, or - for standard input\n");
        return -1;
    }
    for (int i = optind; i < argc; i++) {
        char err[1024];
        if (source_list(argv[i], files, d, err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s; check the path and its permissions\n", err);
            return -1;
        }
    }
    return 0;
}

struct outrec {
    json_t *rec;
    uint32_t minute;
    const struct agg_key *key;
    int state;
};

static int outrec_cmp(const void *pa, const void *pb, void *ctx)
{
    const struct outrec *x = pa, *y = pb;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    int c = agg_key_cmp(ctx, x->key, y->key);
    if (c)
        return c;
    return x->state - y->state;
}

/* Every Start and End record of b's Insights, in time then key order. */
static struct outrec *build_records(const struct batch *b, size_t *n)
{
    const struct insight_list *l = &b->insights;
    struct outrec *v = xcalloc(l->n * 2 + 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct insight *ins = &l->v[i];
        const struct agg_key *key = &b->agg->keys[ins->key];
        v[k++] = (struct outrec){insight_json(b->agg, b->cfg, ins, STATE_START),
                                 ins->start, key, STATE_START};
        if (ins->closed)
            v[k++] = (struct outrec){insight_json(b->agg, b->cfg, ins, STATE_END),
                                     ins->end, key, STATE_END};
    }
    qsort_r(v, k, sizeof(*v), outrec_cmp, (void *)b->agg);
    *n = k;
    return v;
}

static int write_records(const struct opts *o, const struct config *c,
                         struct outrec *v, size_t n)
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
    struct pathlist files;
    struct batch b;
    double t0;
};

/* Parse options, load the config, list the paths and read them.  Returns
 * 0, or EXIT_USAGE (message printed); run_end must be called either way. */
static int run_start(int argc, char **argv, struct run *r, int messages)
{
    memset(r, 0, sizeof(*r));
    r->t0 = now();
    config_defaults(&r->c);
    batch_init(&r->b, &r->c);
    if (parse_opts(argc, argv, &r->o) != 0 || load_config(r->o.config, &r->c) != 0 ||
        list_paths(argc, argv, &r->files, &r->b.diag) != 0)
        return EXIT_USAGE;
    r->b.progress = r->o.progress;
    if (!messages)
        r->b.diag.max_messages = 0;
    batch_read(&r->b, &r->files);
    return 0;
}

static void run_end(struct run *r)
{
    pathlist_free(&r->files);
    batch_free(&r->b);
    config_free(&r->c);
}

static int cmd_score(int argc, char **argv)
{
    struct run r;
    int rc = run_start(argc, argv, &r, 1);
    if (rc != 0)
        goto done;
    batch_detect(&r.b);
    size_t n;
    struct outrec *recs = build_records(&r.b, &n);
    int out_rc = write_records(&r.o, &r.c, recs, n);
    for (size_t i = 0; i < n; i++)
        json_decref(recs[i].rec);
    xfree(recs);
    if (!r.o.quiet) {
        struct diag_findings f = {r.b.agg->nkeys, r.b.insights.n,
                                  batch_open_insights(&r.b), r.b.suppressed};
        diag_summary(&r.b.diag, &f, now() - r.t0);
    }
    if (out_rc != 0 || (r.o.strict && diag_skipped(&r.b.diag) > 0))
        rc = EXIT_FINDINGS;
done:
    run_end(&r);
    return rc;
}

static int key_order(const void *pa, const void *pb, void *a)
{
    return agg_key_cmp(a, *(const struct agg_key *const *)pa,
                       *(const struct agg_key *const *)pb);
}

static int cmd_keys(int argc, char **argv)
{
    struct run r;
    int rc = run_start(argc, argv, &r, 0);
    if (rc != 0)
        goto done;
    const struct agg *a = r.b.agg;
    const struct agg_key **order = xcalloc(a->nkeys + 1, sizeof(*order));
    size_t n = 0;
    for (size_t i = 0; i < a->nkeys; i++)
        if (a->keys[i].n)
            order[n++] = &a->keys[i];
    qsort_r(order, n, sizeof(*order), key_order, (void *)a);
    for (size_t i = 0; i < n; i++) {
        const struct agg_key *k = order[i];
        json_t *o2 = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I}", "insightType",
                               k->type == INSIGHT_CALL_RATE ? "ApiCallRateInsight"
                                                            : "ApiErrorRateInsight",
                               "account", agg_str(a, k->account), "region",
                               agg_str(a, k->region), "eventSource",
                               agg_str(a, k->source), "eventName",
                               agg_str(a, k->name), "errorCode",
                               k->error ? json_string(agg_str(a, k->error)) : json_null(),
                               "count", (json_int_t)k->n);
        json_dumpf(o2, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(o2);
    }
    xfree(order);
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
