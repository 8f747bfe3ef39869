#include "state_arg.h"

#include <stdio.h>

int state_arg_open(const char *path, struct state **st)
{
    char err[1024];
    if (!path) {
        fprintf(stderr, "ctinsights: name the state file with --state FILE\n");
        return -1;
    }
    if (state_open(path, 0, st, err, sizeof(err)) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        return -1;
    }
    return 0;
}
