#include "score_run.h"

#include "insight_json.h"
#include "reader.h"
#include "stream_state.h"
#include "xalloc.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

void score_run_init(struct score_run *run, const struct config *c)
{
    memset(run, 0, sizeof(*run));
    run->cfg = c;
    diag_init(&run->diag);
}

static void drop_records(struct score_run *run)
{
    for (size_t i = 0; i < run->nrecs; i++)
        json_decref(run->recs[i].rec);
    run->nrecs = 0;
}

void score_run_free(struct score_run *run)
{
    drop_records(run);
    xfree(run->recs);
    stream_free(run->stream);
    insight_store_close(run->store);
}

/* Store the record; 0 when the state had it already (not written again). */
static int store_record(struct score_run *run, const struct insight_report *r, json_t *rec)
{
    char shared[IDS_UUID_LEN];
    insight_json_shared_id(r, shared);
    char *line = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(run->cfg->precision));
    int64_t seq = insight_store_add(run->store, r, shared, line);
    xfree(line);
    if (seq < 0 && !run->state_failed) {
        run->state_failed = 1;
        snprintf(run->state_err, sizeof(run->state_err), "%s: cannot store an Insight: %s",
                 state_path(run->state), state_error(run->state));
    }
    return seq != 0;
}

static void on_insight(void *ctx, const struct insight_report *r)
{
    struct score_run *run = ctx;
    json_t *rec = insight_json(r);
    if (run->storing && !store_record(run, r, rec)) {
        json_decref(rec);
        return;
    }
    run->recs = xgrow(run->recs, &run->recs_cap, run->nrecs + 1, sizeof(*run->recs));
    struct score_record *o = &run->recs[run->nrecs++];
    o->rec = rec;
    o->r = *r;
    o->ins = *r->ins;
}

struct pass {
    struct score_run *run;
    size_t late;
    int stop;   /* no more files: the sorted pass follows */
    int sorted; /* this is the sorted pass (nothing is late in it) */
};

static void on_batch(void *ctx, const char *name, const struct evbatch *eb)
{
    struct pass *p = ctx;
    (void)name;
    /* Once late, a first pass is over: the sorted one follows, and no
     * further file is read for this one.  Going on from a state file,
     * late events are only counted (into the baselines). */
    if (p->stop)
        return;
    p->late += stream_add_batch(p->run->stream, eb, &p->run->diag);
    p->stop = p->late && !p->run->resumed && !p->sorted;
}

/* A new engine, from the state file when it holds one.  0, or -1 with
 * run->state_err set. */
static int new_stream(struct score_run *run)
{
    stream_free(run->stream);
    drop_records(run);
    run->stream = stream_new(run->cfg, (uint32_t)run->cfg->score_reorder_minutes,
                             on_insight, run);
    if (!run->state)
        return 0;
    int rc = stream_load(run->stream, run->state, run->state_err, sizeof(run->state_err));
    run->resumed = rc == 0;
    return rc < 0 ? -1 : 0;
}

/* One pass over files, in order or (sorted) holding every event before
 * any is judged.  Returns the number of late events. */
static size_t read_pass(struct score_run *run, struct source_walk *files, int sorted)
{
    source_walk_rewind(files);
    if (sorted)
        stream_buffer_all(run->stream);
    struct pass p = {run, 0, 0, sorted};
    struct reader_opts o = {run->progress, &p.stop};
    reader_run(files, run->cfg, &o, &run->diag, on_batch, &p);
    return p.late;
}

/* Save the engine and the records stored with it, before the end of the
 * data is taken as the end. */
static void save_state(struct score_run *run)
{
    stream_settle(run->stream);
    run->storing = 0;
    if (!run->state_failed && stream_save(run->stream, run->state) == 0 &&
        state_commit(run->state) == 0) {
        stream_saved(run->stream);
        return;
    }
    if (!run->state_failed)
        snprintf(run->state_err, sizeof(run->state_err), "%s: cannot save: %s",
                 state_path(run->state), state_error(run->state));
    run->state_failed = 1;
    state_rollback(run->state);
}

static int record_cmp(const void *pa, const void *pb)
{
    const struct score_record *x = pa, *y = pb;
    return insight_report_cmp(&x->r, &y->r);
}

int score_run_files(struct score_run *run, struct source_walk *files, struct state *st)
{
    run->state = st;
    if (st && !(run->store = insight_store_open(st))) {
        snprintf(run->state_err, sizeof(run->state_err), "%s: %s", state_path(st),
                 state_error(st));
        return -1;
    }
    if (new_stream(run) != 0)
        return -1;
    if (st && state_begin(st) != 0) {
        snprintf(run->state_err, sizeof(run->state_err), "%s: %s", state_path(st),
                 state_error(st));
        return -1;
    }
    run->storing = st != NULL;
    int sorted = source_walk_stdin(files); /* it cannot be read twice */
    if (read_pass(run, files, sorted) && !sorted && !run->resumed) {
        /* Start again, sorted; what the first pass printed is not
         * printed again. */
        struct diag first = run->diag;
        diag_init(&run->diag);
        run->diag.out = first.out;
        run->diag.max_messages = first.max_messages;
        for (int r = 0; r < SKIP__COUNT; r++)
            run->diag.quiet[r] = first.skipped[r];
        for (int r = 0; r < PASS__COUNT; r++)
            run->diag.quiet_passed[r] = first.passed[r];
        run->sorted = 1;
        if (st) {
            state_rollback(st);
            if (state_begin(st) != 0)
                run->storing = 0;
        }
        new_stream(run);
        read_pass(run, files, 1);
    }
    if (st)
        save_state(run);
    stream_finish(run->stream);
    /* The records' own copies of what the model decided (the array moved
     * while it grew). */
    for (size_t i = 0; i < run->nrecs; i++)
        run->recs[i].r.ins = &run->recs[i].ins;
    if (run->nrecs)
        qsort(run->recs, run->nrecs, sizeof(*run->recs), record_cmp);
    for (size_t i = 0; i < run->nrecs; i++)
        run->recs[i].r.ins = &run->recs[i].ins;
    return run->state_failed ? -1 : 0;
}
