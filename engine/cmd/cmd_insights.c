/*
 * `ctinsights insights list`: the Insight records a state file holds, read
 * back, filtered.
 */
#include "cmds.h"

#include "insight_store.h"
#include "state_arg.h"
#include "timefmt.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A time on the command line: YYYY-MM-DD, or with THH:MM[:SS][Z]. */
static int parse_when(const char *s, int64_t *minute)
{
    char buf[64];
    int64_t secs;
    size_t n = strlen(s);
    if (timefmt_parse(s, &secs) == 0 ||
        (n == 10 && snprintf(buf, sizeof(buf), "%sT00:00:00Z", s) > 0 &&
         timefmt_parse(buf, &secs) == 0) ||
        (n >= 16 && n < 40 && s[n - 1] == 'Z' &&
         snprintf(buf, sizeof(buf), "%.*s:00Z", (int)(n - 1), s) > 0 &&
         timefmt_parse(buf, &secs) == 0) ||
        (n == 16 && snprintf(buf, sizeof(buf), "%s:00Z", s) > 0 &&
         timefmt_parse(buf, &secs) == 0)) {
        *minute = secs / 60;
        return 0;
    }
    return -1;
}

static int print_record(void *ctx, int64_t seq, const char *record)
{
    (void)ctx;
    (void)seq;
    return fputs(record, stdout) < 0 || fputc('\n', stdout) < 0;
}

static void list_usage(FILE *f)
{
    fprintf(f, "usage: ctinsights insights list --state FILE [--from TIME] [--until TIME]\n"
               "           [--account GLOB] [--source GLOB] [--name GLOB] [--open]\n"
               "The Insight records a state file holds, in the order they were emitted\n"
               "(NDJSON).  TIME is UTC, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z, and filters\n"
               "on the Insight's start; --open lists only Starts with no End yet.\n");
}

int cmd_insights(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "list") != 0) {
        list_usage(stderr);
        return EXIT_USAGE;
    }
    static const struct option longs[] = {
        {"state", required_argument, NULL, 'S'}, {"from", required_argument, NULL, 'f'},
        {"until", required_argument, NULL, 'u'}, {"account", required_argument, NULL, 'a'},
        {"source", required_argument, NULL, 's'}, {"name", required_argument, NULL, 'n'},
        {"open", no_argument, NULL, 'o'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct insight_filter f = {-1, -1, NULL, NULL, NULL, 0, 0};
    const char *path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", longs, NULL)) != -1) {
        switch (c) {
        case 'S': path = optarg; break;
        case 'a': f.account = optarg; break;
        case 's': f.source = optarg; break;
        case 'n': f.name = optarg; break;
        case 'o': f.open_only = 1; break;
        case 'f':
        case 'u':
            if (parse_when(optarg, c == 'f' ? &f.from : &f.until) != 0) {
                fprintf(stderr, "ctinsights: --%s '%s' is not a UTC time such as "
                                "2026-03-11 or 2026-03-11T02:00Z\n",
                        c == 'f' ? "from" : "until", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': list_usage(stdout); return EXIT_OK;
        default:
            list_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "ctinsights: unexpected '%s'\n", argv[optind + 1]);
        return EXIT_USAGE;
    }
    struct state *st;
    if (state_arg_open(path, &st) != 0)
        return EXIT_USAGE;
    struct insight_store *is = insight_store_open(st);
    int rc = EXIT_OK;
    if (!is || insight_store_each(is, &f, print_record, NULL) != 0) {
        fprintf(stderr, "ctinsights: %s: %s\n", path, state_error(st));
        rc = EXIT_FINDINGS;
    }
    if (fflush(stdout) != 0)
        rc = EXIT_FINDINGS;
    insight_store_close(is);
    state_close(st);
    return rc;
}
