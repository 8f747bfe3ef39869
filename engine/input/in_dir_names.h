/*
 * in_dir_names — which names in a folder are CloudTrail files.
 *
 * The rules `ctinsights score` applies when it walks a folder
 * (source_walk.c) and a watched folder (in_dir.c) share: folders CloudTrail-Digest, CloudTrail-Insight,
 * CloudTrail-Aggregated and CloudTrail-Lake are passed over, and files are
 * read when named .json, .jsonl, .ndjson (each optionally .gz) or .gz.
 * Hidden names (leading '.') are passed over by the caller.
 * tests/unit/test_in_dir.c checks that a folder walked by both selects the
 * same files.  Pure.
 */
#ifndef CTI_IN_DIR_NAMES_H
#define CTI_IN_DIR_NAMES_H

/* Whether a file with this name (no folder part) is read. */
int in_dir_name_wanted(const char *name);

/* Whether a folder with this name (no parent part) is passed over. */
int in_dir_folder_passed(const char *name);

/* Whether the name ends in .gz. */
int in_dir_name_gzip(const char *name);

#endif
