/*
 * tail_daemon — what `ctinsights tail` holds while it runs and how it is
 * saved: the config, the state file, the engine (engine/stream), the
 * inputs, the output (engine/out/tail_output), the sinks (alerting) and
 * the records decided since the last checkpoint.  cmd_tail.c is the
 * command line and the loop that drives it.
 *
 * Units go in with tail_daemon_unit (framed into a batch and decided by
 * the engine at once); the Insights it decides wait in dm->pend until
 * tail_daemon_checkpoint writes them to the output, then commits in one
 * transaction the engine's changes, the records, their alerts, each
 * input's position and the output's length.  A failed checkpoint (disk
 * full) is rolled back, reported once and tried again by the next call;
 * nothing is lost meanwhile.  Messages go to stderr.  Not thread-safe.
 */
#ifndef CTI_TAIL_DAEMON_H
#define CTI_TAIL_DAEMON_H

#include "alerting.h"
#include "config.h"
#include "diag.h"
#include "evbatch.h"
#include "ids.h"
#include "input.h"
#include "insight_store.h"
#include "state.h"
#include "stream.h"
#include "tail_output.h"

#include <jansson.h>
#include <stdint.h>

#define TAIL_MAX_INPUTS 16

/* A decided record waiting for its checkpoint. */
struct tail_pending {
    json_t *rec;       /* owned */
    char *line;        /* owned */
    char shared[IDS_UUID_LEN];
    struct insight_report r; /* strings borrowed from the stream */
    struct insight ins;
    int written;       /* already on the output (a commit failed after) */
};

/* Public, read-only outside tail_daemon.c but for ended[] (the loop
 * marks the inputs that ended) and last_checkpoint (set at the start). */
struct tail_daemon {
    const char *config_path;
    struct config cfg;
    struct diag d;
    struct state *state;          /* NULL: nothing persists */
    struct insight_store *store;
    struct alerting *alerts;      /* the config's sinks; NULL when none */
    struct stream *stream;
    struct tail_output *out;
    struct input *in[TAIL_MAX_INPUTS];
    size_t nin;
    int ended[TAIL_MAX_INPUTS];
    struct evbatch batch;
    struct tail_pending *pend;
    size_t npend, pend_cap;
    int dirty;                    /* input accepted since the last checkpoint */
    double last_checkpoint;       /* tail_daemon_now of the last commit */
    int checkpoint_failing;       /* the last one failed (reported once) */
    uint64_t units, insights;
    unsigned late_reported;       /* units whose late events were reported */
    uint32_t newest_minute;       /* newest event minute seen */
    int quiet;
};

/* Monotonic seconds, the daemon's clock. */
double tail_daemon_now(void);

/* An empty daemon reading config_path (NULL: the defaults); quiet: no
 * summary at the end, and the sinks report no retries. */
void tail_daemon_init(struct tail_daemon *dm, const char *config_path, int quiet);

/* Load dm->config_path (the defaults when NULL) into c.  0, or -1
 * (message printed; c freed). */
int tail_daemon_load_config(const struct tail_daemon *dm, struct config *c);

/* With dm->cfg loaded: open the state file (state_path, NULL for none),
 * the engine from it, the sinks, the output (out_path, NULL for stdout)
 * and each input of specs.  0, or -1 (message printed); tail_daemon_close
 * must be called either way. */
int tail_daemon_open(struct tail_daemon *dm, const char *state_path, const char *out_path,
                     char **specs, int nspecs);

/* input_poll's callback: frame the unit into a batch and hand it to the
 * engine (late events reported, the first few).  Always 0. */
int tail_daemon_unit(void *ctx, const char *unit, const char *buf, size_t len);

/* Write the decided records, then commit them with everything that
 * decided them.  0, or -1 (reported; the next call tries again). */
int tail_daemon_checkpoint(struct tail_daemon *dm);

/* SIGHUP: load the config again for what can change while running (on
 * failure the old one stays), reopen the sinks and the output. */
void tail_daemon_reload(struct tail_daemon *dm);

/* Close and free everything dm holds. */
void tail_daemon_close(struct tail_daemon *dm);

#endif
