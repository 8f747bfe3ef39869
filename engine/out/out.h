/*
 * out — where Insight records go.
 *
 * Each sink is one file (out_<name>.c) exporting one const struct out_ops,
 * listed once in out.c's registry.  A run opens one sink, writes each
 * record (borrowed; the sink keeps a reference if it must hold it) in
 * output order, and closes it; close reports write failures (disk full,
 * closed pipe).  Records are serialised compactly with output.precision
 * significant digits.  Not thread-safe.
 */
#ifndef CTI_OUT_H
#define CTI_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct out_sink;

struct out_ops {
    const char *name;  /* value of --format, or "s3" for --out */
    const char *help;  /* one line for --help */
    int (*open)(struct out_sink *s);
    int (*write)(struct out_sink *s, json_t *rec);
    int (*close)(struct out_sink *s);
};

struct out_sink {
    const struct out_ops *ops;
    const char *dir;  /* --out DIR for the s3 sink */
    FILE *f;          /* stdout for stream sinks */
    size_t dump_flags;
    size_t written;   /* records written */
    void *priv;       /* the sink's own state */
    char err[5120];   /* set when a call returns -1 */
};

/* The sink named name, or NULL. */
const struct out_ops *out_find(const char *name);
/* The registry, NULL-terminated, for --help. */
extern const struct out_ops *const out_registry[];
/* Serialise rec on one line to f with s's flags. Returns 0 or -1. */
int out_dump_line(const struct out_sink *s, FILE *f, json_t *rec);

extern const struct out_ops out_ndjson;
extern const struct out_ops out_records;
extern const struct out_ops out_s3;

#endif
