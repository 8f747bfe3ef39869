/*
 * input_int — what the input modules (in_*.c) share and the daemon does not
 * see: messages, the clock, spec prefixes and prepared-statement helpers.
 * Not thread-safe (like the inputs).
 */
#ifndef CTI_INPUT_INT_H
#define CTI_INPUT_INT_H

#include "input.h"

#include <sqlite3.h>
#include <stdint.h>

/* Print "ctinsights: SPEC: message" to env->d->out (informational: a
 * rotation followed, a fallback taken).  Never prints secrets: callers pass
 * none. */
void input__note(const struct input_env *env, const char *spec,
                 const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Milliseconds of CLOCK_MONOTONIC (for timers). */
int64_t input__now_ms(void);
/* Milliseconds since 1970 (CLOCK_REALTIME, for file times and answers). */
int64_t input__wall_ms(void);

/* Whether spec starts with prefix; OUT: *rest (may be NULL) what follows. */
int input__prefix(const char *spec, const char *prefix, const char **rest);

/* Prepare sql on db.  Returns 0, or -1 with "SPEC: state database: …" in
 * err (*st is then NULL). */
int input__sql(sqlite3 *db, const char *spec, const char *sql,
               sqlite3_stmt **st, char *err, size_t errlen);

/* Run sql (no result rows) on db.  Returns 0 or -1 with a message. */
int input__exec(sqlite3 *db, const char *spec, const char *sql, char *err,
                size_t errlen);

/* Step a bound statement that returns no rows, then clear and reset it.
 * Returns 0, or -1 with "SPEC: cannot save position: …" in err. */
int input__step_done(sqlite3 *db, sqlite3_stmt *st, const char *spec,
                     char *err, size_t errlen);

#endif
