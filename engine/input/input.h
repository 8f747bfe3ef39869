/*
 * input — a live source of CloudTrail bytes for the tail daemon.
 *
 * An input follows one source named by a spec and hands the daemon
 * complete units of JSON, in any shape frame_buffer accepts:
 *
 *   file:PATH        a file appended by a shipper (whole lines; follows
 *                    rotation and truncation)               in_file.c
 *   dir:PATH         a folder that receives new .json/.json.gz files (each
 *                    file once, across restarts too)        in_dir.c
 *   -                standard input, lines until end of file   in_stdin.c
 *   http://ADDR:PORT POSTs of EventBridge events, CloudWatch Logs
 *                    subscription payloads, Firehose HTTP-endpoint
 *                    deliveries and raw CloudTrail JSON    in_http.c
 *
 * Lifecycle, all on the daemon's thread (nothing here is thread-safe and
 * no input starts a thread):
 *
 *   input_open          restores the position saved by the last committed
 *                       checkpoint (from env->db)
 *   input_poll          whenever input_fd is readable, and at least every
 *                       INPUT_POLL_MS in any case; again at once while it
 *                       returns INPUT_MORE
 *   input_checkpoint    inside the daemon's own checkpoint transaction,
 *                       after the engine state that holds every unit
 *                       accepted so far has been written in it
 *   input_committed     after that transaction has committed (not after a
 *                       rollback: the next checkpoint writes it all again)
 *   input_close
 *
 * A unit is accepted when the callback returns 0; the input then never
 * offers it again in this process, and after a restart only if no
 * checkpoint was committed after it was accepted (the engine state was
 * lost with it), so a crash neither loses nor repeats a unit.  When the
 * callback returns -1 (the engine cannot take it now) the input keeps it
 * and offers it again at a later poll, before anything that came after it.
 *
 * Every bad input is counted and reported through env->d with its place
 * (unit name and byte offset) and survived; an input never stops because
 * of what it reads.
 */
#ifndef CTI_INPUT_H
#define CTI_INPUT_H

#include "config.h"
#include "diag.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

/* Poll at least this often (milliseconds), readable fd or not: rotation,
 * settling files and timeouts are noticed on a timer. */
#define INPUT_POLL_MS 250

/* A complete unit of input: a whole file (dir), whole lines (a followed
 * file, stdin), one decoded HTTP body.  buf[0..len) is borrowed for the
 * call.  unit names it in messages: the
 * file path; "PATH@N" for lines of a followed file starting at byte N
 * (line and byte numbers in messages then count from there); "<stdin>@N";
 * "http:<requestId>".  Return 0 when accepted, -1 when the engine cannot
 * take it now (back-pressure: it is offered again later; an HTTP sender
 * gets a 503). */
typedef int (*input_unit_fn)(void *ctx, const char *unit, const char *buf,
                             size_t len);

/* Writes Prometheus text exposition lines to out (GET /metrics). */
typedef void (*input_metrics_fn)(void *ctx, FILE *out);

/* What the daemon lends every input; borrowed for the input's life. */
struct input_env {
    const struct config *cfg; /* limits and the sources.* settings */
    struct diag *d;           /* problems are counted and reported here */
    sqlite3 *db;              /* open state database, or NULL (nothing
                                 persists; dir and http require it) */
    const char *state_dir;    /* folder for the http spool, or NULL (a 200
                                 then only means accepted in memory) */
    const char *http_token;   /* the secret http inputs require; NULL: read
                                 CTINSIGHTS_HTTP_TOKEN or the file named by
                                 CTINSIGHTS_HTTP_TOKEN_FILE */
    input_metrics_fn metrics; /* GET /metrics on http inputs, or NULL */
    void *metrics_ctx;
};

/* What input_poll did. */
enum input_status {
    INPUT_IDLE = 0,  /* nothing more now: wait for the fd or the timer */
    INPUT_MORE = 1,  /* more is available at once: poll again soon */
    INPUT_ENDED = 2, /* the source has ended (stdin at end of file) */
};

struct input;

/* One kind of input: one file and one line in input.c's registry. */
struct input_ops {
    const char *name; /* "file", "dir", "stdin", "http" */
    /* Whether spec names this kind. */
    int (*accepts)(const char *spec);
    /* See input_open. */
    int (*open)(const char *spec, const struct input_env *env,
                struct input **out, char *err, size_t errlen);
    void (*close)(struct input *in);
    int (*fd)(struct input *in);
    int (*poll)(struct input *in, input_unit_fn cb, void *ctx);
    int (*checkpoint)(struct input *in, char *err, size_t errlen);
    void (*committed)(struct input *in);
};

/* The part every input starts with.  private: set by input_open. */
struct input {
    const struct input_ops *ops;
};

/* The kind of input spec names, or NULL when none accepts it. */
const struct input_ops *input_kind(const char *spec);

/* Open the input spec names, restoring its position from env->db (env is
 * borrowed and must outlive the input).  Returns 0 and *out (free with
 * input_close), or -1 with a message "SPEC: what is wrong; what to do" in
 * err: unknown spec, a folder that does not exist, an address in use, no
 * token, a state database that cannot be read. */
int input_open(const char *spec, const struct input_env *env,
               struct input **out, char *err, size_t errlen);

/* Close in and free it; what was accepted but not checkpointed is offered
 * again after a restart.  NULL-safe. */
void input_close(struct input *in);

/* The input's kind ("file", "dir", "stdin", "http"). */
const char *input_name(const struct input *in);

/* An fd to poll() for readability, or -1 (rely on the timer). */
int input_fd(struct input *in);

/* Deliver what is available now to cb, without blocking for long (a
 * bounded amount per call).  Returns an input_status. */
int input_poll(struct input *in, input_unit_fn cb, void *ctx);

/* Write what has been accepted so far into env->db, using the daemon's
 * open transaction (never begins or commits one).  Returns 0, or -1 with
 * a message in err (the daemon should roll back). */
int input_checkpoint(struct input *in, char *err, size_t errlen);

/* The transaction holding the last input_checkpoint has committed. */
void input_committed(struct input *in);

#endif
