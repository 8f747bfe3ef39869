/*
 * `ctinsights check-config FILE`: load the config as every command would
 * and say it is ok, or what is wrong with it.
 */
#include "cmds.h"

#include "config.h"
#include "score_cli.h"

#include <stdio.h>

int cmd_check_config(int argc, char **argv)
{
    struct config c;
    if (argc != 2) {
        fprintf(stderr, "ctinsights: usage: ctinsights check-config FILE\n");
        return EXIT_USAGE;
    }
    int rc = score_cli_load_config(argv[1], &c) == 0 ? EXIT_OK : EXIT_USAGE;
    if (rc == EXIT_OK)
        printf("%s: ok\n", argv[1]);
    config_free(&c);
    return rc;
}
