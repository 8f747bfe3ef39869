/*
 * score_cli — the command line `score` and `keys` share: their options
 * (and the usage of ctinsights, which lists them in full), the config, the
 * paths checked and walked, the state file opened, and the files scored
 * once (score_run) before the command writes what it wants of them.
 * check-config loads its config the same way.  Messages go to stderr,
 * lowercase, what failed first.  Not thread-safe.
 */
#ifndef CTI_SCORE_CLI_H
#define CTI_SCORE_CLI_H

#include "config.h"
#include "score_run.h"
#include "source_walk.h"
#include "state.h"

#include <stdio.h>

struct score_opts {
    const char *config;
    const char *format;
    const char *out_dir;
    const char *state;
    int strict, quiet, progress, alert;
};

/* A started score or keys command; public, read-only once started. */
struct score_cli {
    struct score_opts o;
    struct config c;
    struct source_walk files;
    struct score_run run;
    struct state *state;
    int state_failed; /* the state file could not be read or written */
    double t0;        /* monotonic seconds at the start */
};

/* The usage of ctinsights to f: every command, and score's options. */
void score_cli_usage(FILE *f);

/* c as the defaults, then the config file path when not NULL.  0, or -1
 * (message printed; c still needs config_free). */
int score_cli_load_config(const char *path, struct config *c);

/* Parse argv (argv[0] is the command; --help prints the usage and exits
 * 0), load the config, check the paths, open the state file and score the
 * files (messages: 0 reports no skipped record).  Returns 0, or EXIT_USAGE
 * (message printed); score_cli_end must be called either way. */
int score_cli_start(int argc, char **argv, struct score_cli *cli, int messages);

/* Seconds since score_cli_start. */
double score_cli_elapsed(const struct score_cli *cli);

/* Free what cli holds and close its state file. */
void score_cli_end(struct score_cli *cli);

#endif
