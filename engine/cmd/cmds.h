/*
 * cmds — the subcommands main dispatches to, one file each
 * (engine/cmd/cmd_<name>.c).  Each takes the arguments after `ctinsights`
 * (argv[0] is the subcommand) and returns the exit status.
 */
#ifndef CTI_CMDS_H
#define CTI_CMDS_H

/* Exit statuses: 0 done; 1 a findings-related failure (output or state
 * could not be written, --strict and input was skipped); 2 usage, config
 * or unreadable path. */
enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

/* ctinsights score ... */
int cmd_score(int argc, char **argv);
/* ctinsights keys ... */
int cmd_keys(int argc, char **argv);
/* ctinsights check-config FILE */
int cmd_check_config(int argc, char **argv);
/* ctinsights insights list ... */
int cmd_insights(int argc, char **argv);
/* ctinsights baseline ... */
int cmd_baseline(int argc, char **argv);
/* ctinsights tail ... */
int cmd_tail(int argc, char **argv);

#endif
