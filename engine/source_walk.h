/*
 * source_walk — the files the paths a user names stand for, one at a time.
 *
 * A walk expands the paths (files, folders, or "-" for standard input) into
 * the files to read, in order: each path in turn, a folder recursively in
 * name order, passing over the folders an S3 export holds next to the logs
 * (CloudTrail-Digest, CloudTrail-Insight, CloudTrail-Aggregated,
 * CloudTrail-Lake), hidden entries, and files whose names are not JSON or
 * gzip (counted in diag as passed over).  Folders are listed as the walk
 * reaches them, so its memory is that of the folders on the current path,
 * not of every file: a tree of millions of delivery files costs what one
 * folder of it does.  A folder that cannot be listed once the walk is under
 * way is reported as a read error and passed over.  Not thread-safe; one
 * walk per thread or under a lock.
 */
#ifndef CTI_SOURCE_WALK_H
#define CTI_SOURCE_WALK_H

#include "diag.h"

#include <stddef.h>

struct source_walk {
    /* private */
    char **roots; /* the paths named, owned */
    size_t nroots, root;
    struct walk_folder *stack; /* the folders being listed, outermost first */
    size_t depth, cap;
    char *path; /* the path last returned */
    size_t path_cap;
};

/* Whether path can be read: 0, or -1 with a message naming it in err (it
 * does not exist, no permission).  "-" is standard input. */
int source_check(const char *path, char *err, size_t errlen);

/* Start a walk over the n paths (copied). */
void source_walk_init(struct source_walk *w, char *const *paths, size_t n);

/* The next file's path (valid until the next call), or NULL at the end;
 * what is passed over and folders that cannot be listed go to d. */
const char *source_walk_next(struct source_walk *w, struct diag *d);

/* Start the walk again from the first path. */
void source_walk_rewind(struct source_walk *w);

/* Whether the walk names a single file (one path, not a folder). */
int source_walk_single(const struct source_walk *w);

/* Whether one of the paths is standard input (which cannot be read twice). */
int source_walk_stdin(const struct source_walk *w);

void source_walk_free(struct source_walk *w);

#endif
