/*
 * tail_daemon — the daemon's engine feed, checkpoints, metrics, setup,
 * reload and teardown (see tail_daemon.h); its loop is in cmd_tail.c.
 */
#include "tail_daemon.h"

#include "insight_json.h"
#include "readfile.h"
#include "stream_state.h"
#include "timefmt.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

double tail_daemon_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the engine's input and output ---------------------------------------- */

static void on_insight(void *ctx, const struct insight_report *r)
{
    struct tail_daemon *dm = ctx;
    json_t *rec = insight_json(r);
    dm->pend = xgrow(dm->pend, &dm->pend_cap, dm->npend + 1, sizeof(*dm->pend));
    struct tail_pending *p = &dm->pend[dm->npend++];
    memset(p, 0, sizeof(*p));
    p->rec = rec;
    p->line = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(dm->cfg.precision));
    insight_json_shared_id(r, p->shared);
    p->ins = *r->ins;
    p->r = *r;
    p->r.ins = &p->ins;
    dm->insights++;
}

/* The unit's records into dm->batch, and the newest event minute seen. */
static void frame_unit(struct tail_daemon *dm, const char *unit, const char *buf, size_t len)
{
    evbatch_clear(&dm->batch);
    dm->d.bytes_json += len;
    readfile_buffer(unit, buf, len, &dm->cfg, &dm->d, &dm->batch);
    for (size_t i = 0; i < dm->batch.n; i++)
        if (dm->batch.ev[i].minute > dm->newest_minute || dm->newest_minute == UINT32_MAX)
            dm->newest_minute = dm->batch.ev[i].minute;
}

/* dm->batch to the engine, its late events reported (the first few). */
static void decide_batch(struct tail_daemon *dm, const char *unit)
{
    size_t late = stream_add_batch(dm->stream, &dm->batch, &dm->d);
    if (late && dm->late_reported < dm->d.max_messages) {
        fprintf(stderr, "ctinsights: %s: %zu late event%s (for minutes their account/region "
                        "had decided): counted into the baselines, not judged\n",
                unit, late, late == 1 ? "" : "s");
        if (++dm->late_reported == dm->d.max_messages)
            fprintf(stderr, "ctinsights: further late events are only counted\n");
    }
}

int tail_daemon_unit(void *ctx, const char *unit, const char *buf, size_t len)
{
    struct tail_daemon *dm = ctx;
    frame_unit(dm, unit, buf, len);
    decide_batch(dm, unit);
    dm->units++;
    dm->dirty = 1;
    return 0;
}

/* ---- checkpoints ----------------------------------------------------------- */

static void clear_pending(struct tail_daemon *dm)
{
    for (size_t i = 0; i < dm->npend; i++) {
        json_decref(dm->pend[i].rec);
        xfree(dm->pend[i].line);
    }
    dm->npend = 0;
}

/* The records of this checkpoint, to the sinks' outbox (inside its
 * transaction: alerts commit with the state that decided them). */
static int enqueue_alerts(struct tail_daemon *dm, char *err, size_t errlen)
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

static int pending_cmp(const void *pa, const void *pb)
{
    const struct tail_pending *x = pa, *y = pb;
    return insight_report_cmp(&x->r, &y->r);
}

int tail_daemon_checkpoint(struct tail_daemon *dm)
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
        struct tail_pending *p = &dm->pend[i];
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
        dm->last_checkpoint = tail_daemon_now();
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
    dm->last_checkpoint = tail_daemon_now();
    return 0;
}

/* ---- metrics ------------------------------------------------------------------ */

static void metrics(void *ctx, FILE *f)
{
    struct tail_daemon *dm = ctx;
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
               "ctinsights_checkpoint_age_seconds %.1f\n",
            tail_daemon_now() - dm->last_checkpoint);
}

/* ---- setup, reload and close ------------------------------------------------- */

void tail_daemon_init(struct tail_daemon *dm, const char *config_path, int quiet)
{
    memset(dm, 0, sizeof(*dm));
    dm->config_path = config_path;
    dm->quiet = quiet;
    dm->newest_minute = UINT32_MAX;
    diag_init(&dm->d);
    evbatch_init(&dm->batch);
}

int tail_daemon_load_config(const struct tail_daemon *dm, struct config *c)
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

void tail_daemon_reload(struct tail_daemon *dm)
{
    struct config c;
    char err[1024];
    if (tail_daemon_load_config(dm, &c) != 0) {
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

void tail_daemon_close(struct tail_daemon *dm)
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

int tail_daemon_open(struct tail_daemon *dm, const char *state_path, const char *out_path,
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
    static struct input_env envs[TAIL_MAX_INPUTS];
    for (int i = 0; i < nspecs; i++) {
        if (dm->nin == TAIL_MAX_INPUTS) {
            fprintf(stderr, "ctinsights: at most %d sources\n", TAIL_MAX_INPUTS);
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
