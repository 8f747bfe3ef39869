/*
 * config_int — what the files of the config loader share; private to
 * engine/core/config*.c.
 *
 *   config.c        the settings table, defaults, load, free, cross checks
 *   config_yaml.c   the libyaml event walker, messages, scalar values and
 *                   the grammar of plain sections (rows of the table)
 *   config_rules.c  categories, ignore, overrides, suppress and the
 *                   match/glob reading they share
 *   config_sinks.c  the sinks section
 *   config_match.c  the matching the engine calls per key
 *
 * One load is one struct ctx, owned by config_load_string.  It owns exactly
 * one libyaml event at a time: config__next() deletes the previous event
 * before parsing the following one, and config_load_string's single cleanup
 * deletes the last one and the parser, so no path leaks.  Every parse
 * function takes the current event as the start of what it parses, returns
 * 0, or -1 with the load's first message set (config__fail), and leaves
 * the last event of what it parsed current.  Messages name "file:line",
 * where line is event.start_mark.line + 1 (libyaml counts from zero).
 */
#ifndef CTI_CONFIG_INT_H
#define CTI_CONFIG_INT_H

#include "config.h"

#include <stddef.h>
#include <yaml.h>

/* Longest key we need to compare; longer keys are unknown by definition. */
#define KEY_MAX 64

#define KIB 1024.0
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * 1024.0 * 1024.0)

/* Bounds of the per-load "where first given" arrays; config.c and
 * config_yaml.c assert their tables fit. */
#define CONFIG__MAX_ROWS 64
#define CONFIG__MAX_SECTIONS 32

/* The settings table (config.c). */
extern const struct config_row config__rows[];
extern const size_t config__nrows;

/* A parsed value, before it is stored. */
union value {
    long i;
    double d;
    int b;
    size_t z;
    const char *s; /* borrowed; store copies it */
};

/* Outcome of parsing one scalar for a row. */
enum parse { P_OK, P_BAD_TYPE, P_RANGE };

/* One load: parser, current event, where each key was first seen. */
struct ctx {
    yaml_parser_t parser;
    int parser_ok;        /* yaml_parser_initialize succeeded */
    yaml_event_t ev;      /* the current event, owned while have_ev */
    int have_ev;
    int depth;            /* open collections */
    int failed;           /* err holds a message; keep the first */
    const char *name;     /* for messages */
    const unsigned char *input;
    size_t len;
    struct config *c;
    char *err;
    size_t errlen;
    size_t row_line[CONFIG__MAX_ROWS];         /* 0 = not given in this file */
    size_t section_line[CONFIG__MAX_SECTIONS]; /* 0 = not given in this file */
};

/* ---- messages (config_yaml.c) ------------------------------------------ */

/* Write "name:line: msg" (or "name: msg" when line is 0) into err.
 * err may be NULL or errlen 0; the result is always NUL-terminated. */
__attribute__((format(printf, 5, 6)))
void config__message(char *err, size_t errlen, const char *name,
                     size_t line, const char *fmt, ...);

/* Record the first error of a load.  Always returns -1 so that callers can
 * write "return config__fail(...)". */
__attribute__((format(printf, 3, 4)))
int config__fail(struct ctx *x, size_t line, const char *fmt, ...);

/* ---- values (config_yaml.c) -------------------------------------------- */

/* Parse s as row r's type and check its range. */
enum parse config__parse_value(const struct config_row *r, const char *s,
                               union value *v);

/* Store v in row r's field of base (a struct config, a struct
 * config_override, a struct config_sink).  A string is copied, replacing
 * (and freeing) the one the field held. */
void config__store(void *base, const struct config_row *r,
                   const union value *v);

/* Index of the row "section.key" in table t of n rows, or -1. */
int config__find_row(const struct config_row *t, size_t n,
                     const char *section, const char *key);

/* "window_days, min_history_days" for section of table t into buf,
 * after what buf already holds. */
void config__section_keys(const struct config_row *t, size_t nt,
                          const char *section, char *buf, size_t n);

/* ---- events (config_yaml.c) -------------------------------------------- */

/* Line of the current event. */
size_t config__line(const struct ctx *x);

/* Whether ev is a plain empty scalar: "", ~, null. */
int config__is_null(const yaml_event_t *ev);

/* What ev starts, for messages ("a mapping", "an empty value" ...). */
const char *config__kind(const yaml_event_t *ev);

/* Replace the current event with the next one.  Returns 0, or -1 with the
 * message set: after a syntax error there is no current event; after an
 * alias or too deep a nesting the offending event is current. */
int config__next(struct ctx *x);

/* The current event's scalar text, or NULL (message set) when it contains
 * a NUL byte, which no setting or glob can use. */
const char *config__scalar_text(struct ctx *x);

/* Copy the current event, which must be a mapping key, into key[KEY_MAX]
 * (truncated keys are unknown anyway).  what names the mapping. */
int config__read_key(struct ctx *x, char *key, const char *what);

/* The next key of the mapping being read, into key[KEY_MAX] with its line
 * in *line: 1, or 0 at the mapping's end, or -1 (message set) on an
 * error.  what names the mapping. */
int config__next_key(struct ctx *x, char *key, const char *what, size_t *line);

/* The current event is the value of key (for messages): its text, or NULL
 * (message set) when it is not a scalar or is empty.  want says what was
 * expected. */
const char *config__value_text(struct ctx *x, const char *key,
                               const char *want);

/* The current event is the value of row; store it into base. */
int config__set_value(struct ctx *x, const struct config_row *row,
                      void *base);

/* ---- grammar ----------------------------------------------------------- */

/* Name of top-level section sec (config_yaml.c). */
const char *config__section_name(int sec);

/* The current event is the value of section sec: 1 when it is a mapping
 * to walk, 0 when it is empty, -1 (message set) otherwise
 * (config_yaml.c). */
int config__section_mapping(struct ctx *x, int sec);

/* The whole stream: at most one document, a mapping of sections
 * (config_yaml.c). */
int config__parse_stream(struct ctx *x);

/* Section bodies (config_rules.c, config_sinks.c): the current event is the
 * value of section sec. */
int config__parse_categories(struct ctx *x, int sec);
int config__parse_ignore(struct ctx *x, int sec);
int config__parse_overrides(struct ctx *x, int sec);
int config__parse_suppress(struct ctx *x, int sec);
int config__parse_sinks(struct ctx *x, int sec);

/* The current event starts a match: a mapping of field -> glob with at
 * least one field.  what names it in messages ("ignore rule"), prefix
 * qualifies its keys ("ignore" gives "ignore.region").  The globs go into
 * r, which must start empty; the caller frees them (config__free_match),
 * also when this fails (config_rules.c). */
int config__parse_match(struct ctx *x, struct config_ignore *r,
                        const char *what, const char *prefix);

/* Free the globs of r and set them NULL (config_rules.c). */
void config__free_match(struct config_ignore *r);

/* The current event is the value of the list section sec: null, or a
 * sequence whose items item() appends to x->c.  A file that gives the
 * section replaces what clear() removes (config_rules.c). */
int config__parse_list(struct ctx *x, int sec,
                       void (*clear)(struct config *),
                       int (*item)(struct ctx *));

/* Free c's categories codes, ignore, overrides and suppress rules
 * (config_rules.c); its sinks (config_sinks.c). */
void config__free_rules(struct config *c);
void config__free_sinks(struct config *c);

#endif
