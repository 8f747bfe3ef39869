/*
 * source_walk — the files the paths a user names stand for, one at a time,
 * each file once.
 *
 * A walk expands the paths (files, folders, or "-" for standard input) into
 * the files to read, in order: each path in turn, a folder recursively in
 * name order, passing over the folders an S3 export holds next to the logs
 * (CloudTrail-Digest, CloudTrail-Insight, CloudTrail-Aggregated,
 * CloudTrail-Lake), hidden entries, and files whose names are not JSON or
 * gzip (counted in diag as passed over, silently).
 *
 * Links and special files.  Symbolic links are followed, to files and to
 * folders, but a walk enters each folder once and hands over each file
 * once, known by its (device, inode) whatever the path it is reached by:
 *   - a link or bind mount leading back to a folder the walk is in (a
 *     loop, `ln -s .. loop`) is passed over with a message (loop), and so
 *     is one leading to a folder walked already (same_folder);
 *   - a file reached a second time (a link to it, a hard link, the same
 *     file named twice, a file named and also inside a folder named) is
 *     passed over with a message (same_file): the first path in the walk's
 *     order is the one read;
 *   - only regular files are handed over: a FIFO, device or socket with a
 *     log's name (or a link to one, such as /dev/zero) is passed over with
 *     a message (not_a_file) and never opened (source_load, which checks
 *     again what it opens, passes over empty files);
 *   - a link with a log's name that leads nowhere (dangling, or a chain of
 *     links that loops), a folder that cannot be listed, are read errors
 *     (diag_skip), and the walk goes on.
 * After source_walk_rewind the walk goes over the same paths again and
 * reports what it meets again (a caller reading twice keeps them from
 * being printed twice with diag's quiet counts).
 *
 * A file's identity is its folder's device and the inode number the folder
 * lists for it, once the first file of the folder looked up (fstatat) had
 * those; otherwise, and for links, what fstatat says: a tree of many plain
 * files costs one lookup a folder, not one a file.  A file system that
 * gives inode number 0 is not checked for files reached twice.
 *
 * Memory.  Folders are listed as the walk reaches them, so it holds the
 * entries of the folders on the current path only, plus the identities
 * met: 8 to 21 bytes a file and a folder (idset; 8 MB for a tree of
 * 546,708 files, 12 MB at the moment its table doubles), not their names.
 * Not thread-safe; one walk per thread or under a lock.
 */
#ifndef CTI_SOURCE_WALK_H
#define CTI_SOURCE_WALK_H

#include "diag.h"
#include "idset.h"

#include <stddef.h>
#include <sys/stat.h>

struct source_walk {
    /* public: optional hooks, ctx handed to both */
    /* Told of each folder the walk is about to enter (not yet walked on
     * this walk); returning nonzero passes it over, silently (the hook
     * reports it if it should). */
    int (*on_folder)(void *ctx, const char *path);
    /* When set, the walk's messages (a read error when skip, with a
     * skip_reason; else a pass_reason) go here instead of to the diag
     * (which still counts what is passed over by name). */
    void (*on_note)(void *ctx, int skip, int reason, const char *path,
                    const char *detail);
    void *ctx;
    /* private */
    char **roots; /* the paths named, owned */
    size_t nroots, root;
    struct walk_folder *stack; /* the folders being listed, outermost first */
    size_t depth, cap;
    char *path; /* the path last returned */
    size_t path_cap;
    struct idset folders, files; /* (st_dev, st_ino) of what was met */
    struct stat st;              /* of the file last returned */
    int have_st;                 /* st is filled */
    int linked;  /* it was reached through a link of its own name */
};

/* Whether path can be read: 0, or -1 with a message naming it in err (it
 * does not exist, no permission, neither a regular file nor a folder).
 * "-" is standard input. */
int source_check(const char *path, char *err, size_t errlen);

/* Start a walk over the n paths (copied).  The hooks are unset. */
void source_walk_init(struct source_walk *w, char *const *paths, size_t n);

/* The next file's path (valid until the next call), or NULL at the end;
 * what is passed over and folders that cannot be listed go to d. */
const char *source_walk_next(struct source_walk *w, struct diag *d);

/* The status (links followed) of the file source_walk_next last returned,
 * looked up now if the walk did not need it (zeros when it is gone); not
 * meaningful for "-". */
const struct stat *source_walk_stat(struct source_walk *w);

/* Whether that file was reached through a symbolic link of its own name
 * (or was named), rather than as a plain entry of its folder. */
int source_walk_linked(const struct source_walk *w);

/* Start the walk again from the first path, with nothing met yet. */
void source_walk_rewind(struct source_walk *w);

/* Whether the walk names a single file (one path, not a folder). */
int source_walk_single(const struct source_walk *w);

/* Whether one of the paths is standard input (which cannot be read twice). */
int source_walk_stdin(const struct source_walk *w);

void source_walk_free(struct source_walk *w);

#endif
