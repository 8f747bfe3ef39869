/*
 * ctinsights — command line: global setup, --version and --help, and the
 * subcommand dispatched to (engine/cmd/cmds.h, one file each).
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
#include "cmds.h"
#include "model_rate.h"
#include "score_cli.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

#define CTI_VERSION "0.1.0"

int main(int argc, char **argv)
{
    xalloc_install_json();
    model_rate_init();
    if (argc < 2) {
        score_cli_usage(stderr);
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
        score_cli_usage(stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "ctinsights: unknown command '%s'; see 'ctinsights --help'\n", cmd);
    return EXIT_USAGE;
}
