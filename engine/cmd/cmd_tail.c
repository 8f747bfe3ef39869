/*
 * `ctinsights tail`: the daemon.  Inputs (engine/input) hand it units of
 * CloudTrail JSON; the engine (engine/stream) decides Insights in event
 * time; records go to the output (engine/tail_output) and the state file
 * keeps everything needed to go on after a restart.
 *
 * The loop is a list of phases: wait (poll(2) on the inputs' descriptors,
 * at most INPUT_POLL_MS), read (every input, again while one has more),
 * emit and checkpoint (at once when an Insight was decided, else every
 * tail.checkpoint_seconds while input comes), alerts (the config's sinks:
 * what is due in the outbox), then signals: SIGHUP reloads the config,
 * reopens the output and the sinks, SIGTERM/SIGINT read what is there,
 * checkpoint and exit.  A checkpoint writes the decided records, then in
 * one transaction the engine's changes, the records, each input's position
 * and the output's length; a failed one (disk full) is rolled back,
 * reported and tried again, and nothing is lost meanwhile.
 */
#include "cmds.h"

#include "alerting.h"
#include "config.h"
#include "diag.h"
#include "input.h"
#include "insight_json.h"
#include "insight_store.h"
#include "readfile.h"
#include "state.h"
#include "stream.h"
#include "stream_state.h"
#include "tail_output.h"
#include "timefmt.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_INPUTS 16
/* Alerts sent per loop pass at most, so input is never held up long. */
#define ALERT_BUDGET 8

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    reload_requested = 1;
}

/* A decided record waiting for its checkpoint. */
struct pending {
    json_t *rec;       /* owned */
    char *line;        /* owned */
    char shared[IDS_UUID_LEN];
    struct insight_report r; /* strings borrowed from the stream */
    struct insight ins;
    int written;       /* already on the output (a commit failed after) */
};

struct daemon {
    const char *config_path;
    struct config cfg;
    struct diag d;
    struct state *state;          /* NULL: nothing persists */
    struct insight_store *store;
    struct alerting *alerts;      /* the config's sinks; NULL when none */
    struct stream *stream;
    struct tail_output *out;
    struct input *in[MAX_INPUTS];
    size_t nin;
    int ended[MAX_INPUTS];
    struct evbatch batch;
    struct pending *pend;
    size_t npend, pend_cap;
    int dirty;                    /* input accepted since the last checkpoint */
    double last_checkpoint;       /* monotonic seconds of the last commit */
    int checkpoint_failing;       /* the last one failed (reported once) */
    uint64_t units, insights;
    unsigned late_reported;       /* units whose late events were reported */
    uint32_t newest_minute;       /* newest event minute seen */
    int quiet;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the engine's output ------------------------------------------------- */

static void on_insight(void *ctx, const struct insight_report *r)
{
    struct daemon *dm = ctx;
    json_t *rec = insight_json(r);
    dm->pend = xgrow(dm->pend, &dm->pend_cap, dm->npend + 1, sizeof(*dm->pend));
    struct pending *p = &dm->pend[dm->npend++];
    memset(p, 0, sizeof(*p));
    p->rec = rec;
    p->line = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(dm->cfg.precision));
    insight_json_shared_id(r, p->shared);
    p->ins = *r->ins;
    p->r = *r;
    p->r.ins = &p->ins;
    dm->insights++;
}

static int on_unit(void *ctx, const char *unit, const char *buf, size_t len)
{
    struct daemon *dm = ctx;
    evbatch_clear(&dm->batch);
    dm->d.bytes_json += len;
    readfile_buffer(unit, buf, len, &dm->cfg, &dm->d, &dm->batch);
    for (size_t i = 0; i < dm->batch.n; i++)
        if (dm->batch.ev[i].minute > dm->newest_minute || dm->newest_minute == UINT32_MAX)
            dm->newest_minute = dm->batch.ev[i].minute;
    size_t late = stream_add_batch(dm->stream, &dm->batch, &dm->d);
    if (late && dm->late_reported < dm->d.max_messages) {
        fprintf(stderr, "ctinsights: %s: %zu late event%s (for minutes their account/region "
                        "had decided): counted into the baselines, not judged\n",
                unit, late, late == 1 ? "" : "s");
        if (++dm->late_reported == dm->d.max_messages)
            fprintf(stderr, "ctinsights: further late events are only counted\n");
    }
    dm->units++;
    dm->dirty = 1;
    return 0;
}

/* ---- checkpoints ----------------------------------------------------------- */

static void clear_pending(struct daemon *dm)
{
    for (size_t i = 0; i < dm->npend; i++) {
        json_decref(dm->pend[i].rec);
        xfree(dm->pend[i].line);
    }
    dm->npend = 0;
}

/* The records of this checkpoint, to the sinks' outbox (inside its
 * transaction: alerts commit with the state that decided them). */
static int enqueue_alerts(struct daemon *dm, char *err, size_t errlen)
{
    if (!dm->alerts || !dm->npend)
        return 0;
    json_t **v = xmalloc(dm->npend * sizeof(*v));
    for (size_t i = 0; i < dm->npend; i++)
        v[i] = dm->pend[i].rec;
    int rc = outbox_enqueue(alerting_outbox(dm->alerts), v, dm->npend, alerting_now(),
                            err, errlen);
    xfree(v);
    return rc;
}

/* Write the decided records, then commit them with everything that
 * decided them.  0, or -1 (reported; the next call tries again). */
static int pending_cmp(const void *pa, const void *pb)
{
    const struct pending *x = pa, *y = pb;
    return insight_report_cmp(&x->r, &y->r);
}

static int checkpoint(struct daemon *dm)
{
    char err[1024];
    /* Records decided together go out in the order score writes them. */
    for (size_t i = 0; i < dm->npend; i++)
        dm->pend[i].r.ins = &dm->pend[i].ins;
    if (dm->npend > 1)
        qsort(dm->pend, dm->npend, sizeof(*dm->pend), pending_cmp);
    for (size_t i = 0; i < dm->npend; i++)
        dm->pend[i].r.ins = &dm->pend[i].ins;
    for (size_t i = 0; i < dm->npend; i++) {
        struct pending *p = &dm->pend[i];
        if (p->written)
            continue;
        if (tail_output_line(dm->out, p->line, err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            return -1;
        }
        p->written = 1;
    }
    if (!dm->state) {
        clear_pending(dm);
        dm->dirty = 0;
        dm->last_checkpoint = now();
        return 0;
    }
    int rc = state_begin(dm->state);
    if (rc == 0)
        rc = stream_save(dm->stream, dm->state);
    for (size_t i = 0; rc == 0 && i < dm->npend; i++)
        rc = insight_store_add(dm->store, &dm->pend[i].r, dm->pend[i].shared,
                               dm->pend[i].line) < 0;
    if (rc == 0 && enqueue_alerts(dm, err, sizeof(err)) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < dm->nin; i++)
        if (input_checkpoint(dm->in[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            rc = -1;
        }
    if (rc == 0)
        rc = tail_output_checkpoint(dm->out, dm->state);
    if (rc == 0)
        rc = state_commit(dm->state);
    if (rc != 0) {
        if (!dm->checkpoint_failing)
            fprintf(stderr, "ctinsights: %s: cannot save the state%s: %s; "
                            "going on and trying again\n",
                    state_path(dm->state), state_full(dm->state) ? " (full)" : "",
                    state_error(dm->state));
        dm->checkpoint_failing = 1;
        state_rollback(dm->state);
        return -1;
    }
    if (dm->checkpoint_failing)
        fprintf(stderr, "ctinsights: %s: saved again\n", state_path(dm->state));
    dm->checkpoint_failing = 0;
    stream_saved(dm->stream);
    for (size_t i = 0; i < dm->nin; i++)
        input_committed(dm->in[i]);
    clear_pending(dm);
    dm->dirty = 0;
    dm->last_checkpoint = now();
    return 0;
}

/* ---- metrics ------------------------------------------------------------------ */

static void metrics(void *ctx, FILE *f)
{
    struct daemon *dm = ctx;
    struct stream_stats st;
    stream_get_stats(dm->stream, &st);
    fprintf(f, "# HELP ctinsights_records_total Records read.\n"
               "# TYPE ctinsights_records_total counter\n"
               "ctinsights_records_total %llu\n",
            (unsigned long long)dm->d.records);
    fprintf(f, "# HELP ctinsights_events_total Events counted, by insight type.\n"
               "# TYPE ctinsights_events_total counter\n"
               "ctinsights_events_total{type=\"ApiCallRateInsight\"} %llu\n"
               "ctinsights_events_total{type=\"ApiErrorRateInsight\"} %llu\n",
            (unsigned long long)dm->d.counted_calls, (unsigned long long)dm->d.counted_errors);
    fprintf(f, "# HELP ctinsights_skipped_total Records skipped as invalid, by reason.\n"
               "# TYPE ctinsights_skipped_total counter\n");
    for (int r = 0; r < SKIP__COUNT; r++)
        fprintf(f, "ctinsights_skipped_total{reason=\"%s\"} %llu\n", skip_reason_name(r),
                (unsigned long long)dm->d.skipped[r]);
    fprintf(f, "# HELP ctinsights_late_events_total Events for minutes already decided (counted into the baselines, not judged).\n"
               "# TYPE ctinsights_late_events_total counter\n"
               "ctinsights_late_events_total %llu\n",
            (unsigned long long)dm->d.late);
    fprintf(f, "# HELP ctinsights_duplicate_records_total Counted records whose eventID their minute had counted (counted once).\n"
               "# TYPE ctinsights_duplicate_records_total counter\n"
               "ctinsights_duplicate_records_total %llu\n",
            (unsigned long long)dm->d.duplicates);
    if (st.scopes)
        fprintf(f, "# HELP ctinsights_watermark_lateness_minutes How far account/regions' watermarks lag their newest events (learned).\n"
                   "# TYPE ctinsights_watermark_lateness_minutes gauge\n"
                   "ctinsights_watermark_lateness_minutes{stat=\"min\"} %u\n"
                   "ctinsights_watermark_lateness_minutes{stat=\"max\"} %u\n",
                st.lateness_least, st.lateness_most);
    if (st.scopes && st.decided_oldest != UINT32_MAX)
        fprintf(f, "# HELP ctinsights_watermark_seconds Every account/region's minutes before this time (Unix seconds) are decided.\n"
                   "# TYPE ctinsights_watermark_seconds gauge\n"
                   "ctinsights_watermark_seconds %.0f\n",
                ((double)st.decided_oldest + 1) * 60.0);
    fprintf(f, "# HELP ctinsights_keys Keys known.\n# TYPE ctinsights_keys gauge\n"
               "ctinsights_keys %zu\n", st.keys);
    fprintf(f, "# HELP ctinsights_open_insights Insights started and not ended.\n"
               "# TYPE ctinsights_open_insights gauge\nctinsights_open_insights %zu\n",
            st.open);
    fprintf(f, "# HELP ctinsights_insights_total Insights started.\n"
               "# TYPE ctinsights_insights_total counter\nctinsights_insights_total %zu\n",
            st.insights);
    double lag = dm->newest_minute == UINT32_MAX ? 0
                 : (double)time(NULL) - (double)dm->newest_minute * 60.0;
    fprintf(f, "# HELP ctinsights_watermark_lag_seconds Wall clock minus the newest event time seen.\n"
               "# TYPE ctinsights_watermark_lag_seconds gauge\n"
               "ctinsights_watermark_lag_seconds %.0f\n", lag);
    fprintf(f, "# HELP ctinsights_checkpoint_age_seconds Seconds since the state was last saved.\n"
               "# TYPE ctinsights_checkpoint_age_seconds gauge\n"
               "ctinsights_checkpoint_age_seconds %.1f\n", now() - dm->last_checkpoint);
}

/* The summary's watermark line: how far minutes are decided, and how far
 * the watermarks lag. */
static void describe_watermark(const struct stream_stats *st, char *out, size_t n)
{
    if (!st->scopes) {
        out[0] = '\0';
        return;
    }
    char oldest[TIMEFMT_LEN] = "nothing yet", newest[TIMEFMT_LEN] = "nothing yet";
    if (st->decided_oldest != UINT32_MAX)
        timefmt_minute(st->decided_oldest + 1, oldest);
    if (st->decided_newest != UINT32_MAX)
        timefmt_minute(st->decided_newest + 1, newest);
    snprintf(out, n, "%zu account/region%s decided before %s (the oldest) to %s; "
                     "lagging their newest events by %u to %u min",
             st->scopes, st->scopes == 1 ? "" : "s", oldest, newest, st->lateness_least,
             st->lateness_most);
}

/* ---- setup ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ctinsights tail [options] SOURCE...\n"
            "Follow live CloudTrail sources and write Insight records as they are decided.\n"
            "SOURCE: file:PATH (a file a shipper appends to), dir:PATH (a folder that\n"
            "        receives new .json/.json.gz files), - (standard input),\n"
            "        http://ADDR:PORT (EventBridge, CloudWatch Logs, Firehose deliveries;\n"
            "        token from CTINSIGHTS_HTTP_TOKEN or CTINSIGHTS_HTTP_TOKEN_FILE)\n"
            "  --config FILE   settings (YAML); SIGHUP reloads it\n"
            "  --state FILE    keep models, positions and Insights here (SQLite) and go\n"
            "                  on from it after a restart; required by dir: and http:\n"
            "                  (whose spool is the folder FILE.spool)\n"
            "  --output FILE   append records to FILE (exactly once across restarts)\n"
            "                  instead of standard output\n"
            "  --quiet         no summary on exit\n");
}

static int load_config(struct daemon *dm, struct config *c)
{
    char err[1024];
    config_defaults(c);
    if (dm->config_path && config_load(c, dm->config_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        config_free(c);
        return -1;
    }
    return 0;
}

/* SIGHUP: a new config for what can change while running. */
static void reload(struct daemon *dm)
{
    struct config c;
    char err[1024];
    if (load_config(dm, &c) != 0) {
        fprintf(stderr, "ctinsights: config not reloaded; going on with the old one\n");
    } else {
        /* The engine and inputs keep pointers to dm->cfg: swap in place.
         * The reorder window and the inputs' limits stay as started. */
        c.tail_min_lateness = dm->cfg.tail_min_lateness;
        c.tail_max_lateness = dm->cfg.tail_max_lateness;
        struct config old = dm->cfg;
        dm->cfg = c;
        stream_reconfigure(dm->stream);
        /* The sinks again, with their secrets read again. */
        alerting_close(dm->alerts);
        dm->alerts = NULL;
        if (dm->cfg.n_sinks && dm->state &&
            alerting_open(&dm->cfg, state_db(dm->state), dm->quiet, &dm->alerts, err,
                          sizeof(err)) != 0)
            fprintf(stderr, "ctinsights: %s; alerts wait in the state until the sinks "
                            "can be opened (fix the config and send SIGHUP)\n", err);
        config_free(&old);
        fprintf(stderr, "ctinsights: config reloaded\n");
    }
    if (tail_output_reopen(dm->out, err, sizeof(err)) != 0)
        fprintf(stderr, "ctinsights: %s\n", err);
}

static void daemon_free(struct daemon *dm)
{
    for (size_t i = 0; i < dm->nin; i++)
        input_close(dm->in[i]);
    tail_output_close(dm->out);
    alerting_close(dm->alerts);
    clear_pending(dm);
    xfree(dm->pend);
    evbatch_free(&dm->batch);
    stream_free(dm->stream);
    insight_store_close(dm->store);
    state_close(dm->state);
    config_free(&dm->cfg);
}

static int setup(struct daemon *dm, const char *state_path, const char *out_path,
                 char **specs, int nspecs)
{
    char err[1024];
    if (state_path) {
        if (state_open(state_path, dm->cfg.state_max_bytes, &dm->state, err, sizeof(err)) != 0 ||
            !(dm->store = insight_store_open(dm->state))) {
            fprintf(stderr, "ctinsights: %s\n", dm->state ? state_error(dm->state) : err);
            return -1;
        }
    }
    dm->stream = stream_new(&dm->cfg, (uint32_t)dm->cfg.tail_max_lateness, on_insight, dm);
    stream_learn_lateness(dm->stream, (uint32_t)dm->cfg.tail_min_lateness);
    if (dm->state && stream_load(dm->stream, dm->state, err, sizeof(err)) < 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        return -1;
    }
    if (dm->cfg.n_sinks) {
        if (!dm->state) {
            fprintf(stderr, "ctinsights: sinks: need --state FILE, where alerts wait "
                            "until their sink takes them\n");
            return -1;
        }
        if (alerting_open(&dm->cfg, state_db(dm->state), dm->quiet, &dm->alerts, err,
                          sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            return -1;
        }
    }
    if (!(dm->out = tail_output_open(out_path, dm->state, err, sizeof(err)))) {
        fprintf(stderr, "ctinsights: %s\n", err);
        return -1;
    }
    /* The spool of http inputs lives beside the state file. */
    static char spool_dir[4096];
    if (state_path) {
        snprintf(spool_dir, sizeof(spool_dir), "%s.spool", state_path);
        if (mkdir(spool_dir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "ctinsights: %s: cannot create the spool folder: %s\n",
                    spool_dir, strerror(errno));
            return -1;
        }
    }
    struct input_env env = {&dm->cfg, &dm->d, dm->state ? state_db(dm->state) : NULL,
                            state_path ? spool_dir : NULL, NULL, metrics, dm};
    static struct input_env envs[MAX_INPUTS];
    for (int i = 0; i < nspecs; i++) {
        if (dm->nin == MAX_INPUTS) {
            fprintf(stderr, "ctinsights: at most %d sources\n", MAX_INPUTS);
            return -1;
        }
        envs[dm->nin] = env;
        if (input_open(specs[i], &envs[dm->nin], &dm->in[dm->nin], err, sizeof(err)) != 0) {
            fprintf(stderr, "ctinsights: %s\n", err);
            return -1;
        }
        dm->nin++;
    }
    return 0;
}

/* ---- the loop ------------------------------------------------------------------ */

static int all_ended(const struct daemon *dm)
{
    for (size_t i = 0; i < dm->nin; i++)
        if (!dm->ended[i])
            return 0;
    return 1;
}

/* Read every input until none has more (or a stop is asked). */
static void read_inputs(struct daemon *dm)
{
    int more = 1;
    for (int round = 0; more && round < 64; round++) {
        more = 0;
        for (size_t i = 0; i < dm->nin; i++) {
            if (dm->ended[i])
                continue;
            int st = input_poll(dm->in[i], on_unit, dm);
            if (st == INPUT_ENDED)
                dm->ended[i] = 1;
            more |= st == INPUT_MORE;
        }
        if (dm->npend)
            break; /* an Insight: out with it first */
    }
}

static void wait_inputs(struct daemon *dm, int timeout_ms)
{
    struct pollfd fds[MAX_INPUTS];
    nfds_t n = 0;
    for (size_t i = 0; i < dm->nin; i++) {
        int fd = dm->ended[i] ? -1 : input_fd(dm->in[i]);
        if (fd >= 0)
            fds[n++] = (struct pollfd){fd, POLLIN, 0};
    }
    if (poll(fds, n, timeout_ms) < 0 && errno != EINTR)
        usleep((useconds_t)timeout_ms * 1000);
}

int cmd_tail(int argc, char **argv)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'}, {"state", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    static struct daemon dm;
    memset(&dm, 0, sizeof(dm));
    dm.newest_minute = UINT32_MAX;
    const char *state_path = NULL, *out_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'c': dm.config_path = optarg; break;
        case 'S': state_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'q': dm.quiet = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ctinsights: no SOURCE given; see 'ctinsights tail --help'\n");
        return EXIT_USAGE;
    }
    diag_init(&dm.d);
    evbatch_init(&dm.batch);
    if (load_config(&dm, &dm.cfg) != 0)
        return EXIT_USAGE;
    if (setup(&dm, state_path, out_path, argv + optind, argc - optind) != 0) {
        daemon_free(&dm);
        return EXIT_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    double t0 = now();
    dm.last_checkpoint = t0;
    int rc = EXIT_OK;
    for (;;) {
        read_inputs(&dm);
        double since = now() - dm.last_checkpoint;
        if (dm.npend || (dm.dirty && since >= dm.cfg.tail_checkpoint_seconds))
            checkpoint(&dm);
        int wait_ms = INPUT_POLL_MS;
        if (dm.alerts) {
            char err[1024];
            double t = alerting_now();
            double next = outbox_run(alerting_outbox(dm.alerts), t, ALERT_BUDGET, err,
                                     sizeof(err));
            if (next != next)
                fprintf(stderr, "ctinsights: alerts: %s\n", err);
            else if (next - t < wait_ms / 1000.0)
                wait_ms = next > t ? (int)((next - t) * 1000) + 1 : 0;
        }
        if (reload_requested) {
            reload_requested = 0;
            reload(&dm);
        }
        if (stop_requested || all_ended(&dm))
            break;
        wait_inputs(&dm, wait_ms);
    }
    /* Standard input ended: the data has ended.  A stop: what is read is
     * saved, and the next start goes on from it. */
    if (all_ended(&dm) && !stop_requested)
        stream_finish(dm.stream);
    if ((dm.dirty || dm.npend || !dm.state) && checkpoint(&dm) != 0)
        rc = EXIT_FINDINGS;
    /* Alerts still due get alerting.drain_seconds; what is left waits in
     * the state for the next start. */
    char err[1024];
    if (dm.alerts && alerting_drain(dm.alerts, alerting_now() + dm.cfg.drain_seconds, err,
                                    sizeof(err)) != 0)
        fprintf(stderr, "ctinsights: alerts: %s\n", err);
    if (!dm.quiet) {
        struct stream_stats st;
        stream_get_stats(dm.stream, &st);
        struct diag_findings f = {st.keys, st.insights, st.open, st.suppressed, 0, ""};
        describe_watermark(&st, f.watermark, sizeof(f.watermark));
        diag_summary(&dm.d, &f, now() - t0);
    }
    daemon_free(&dm);
    return rc;
}
