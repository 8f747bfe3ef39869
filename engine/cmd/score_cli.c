#include "score_cli.h"

#include "cmds.h"
#include "out.h"
#include "reader.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void score_cli_usage(FILE *f)
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

static int parse_opts(int argc, char **argv, struct score_opts *o)
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
        case 'h': score_cli_usage(stdout); exit(EXIT_OK);
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

int score_cli_load_config(const char *path, struct config *c)
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int score_cli_start(int argc, char **argv, struct score_cli *cli, int messages)
{
    memset(cli, 0, sizeof(*cli));
    cli->t0 = now();
    config_defaults(&cli->c);
    score_run_init(&cli->run, &cli->c);
    if (parse_opts(argc, argv, &cli->o) != 0 ||
        score_cli_load_config(cli->o.config, &cli->c) != 0 ||
        list_paths(argc, argv, &cli->files) != 0)
        return EXIT_USAGE;
    cli->run.progress = cli->o.progress;
    if (!messages)
        cli->run.diag.max_messages = 0;
    if (cli->o.state) {
        char err[1024];
        if (state_open(cli->o.state, cli->c.state_max_bytes, &cli->state, err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            return EXIT_USAGE;
        }
    }
    if (score_run_files(&cli->run, &cli->files, cli->state) != 0) {
        fprintf(stderr, "ctinsights: %s\n", cli->run.state_err);
        cli->state_failed = 1;
    }
    return 0;
}

void score_cli_end(struct score_cli *cli)
{
    source_walk_free(&cli->files);
    score_run_free(&cli->run);
    state_close(cli->state);
    config_free(&cli->c);
}

double score_cli_elapsed(const struct score_cli *cli)
{
    return now() - cli->t0;
}

