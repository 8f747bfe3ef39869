#include "batch.h"

#include "insight_json.h"
#include "reader.h"
#include "stream_state.h"
#include "xalloc.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

void batch_init(struct batch *b, const struct config *c)
{
    memset(b, 0, sizeof(*b));
    b->cfg = c;
    diag_init(&b->diag);
}

static void drop_records(struct batch *b)
{
    for (size_t i = 0; i < b->nrecs; i++)
        json_decref(b->recs[i].rec);
    b->nrecs = 0;
}

void batch_free(struct batch *b)
{
    drop_records(b);
    xfree(b->recs);
    stream_free(b->stream);
    insight_store_close(b->store);
}

/* Store the record; 0 when the state had it already (not written again). */
static int store_record(struct batch *b, const struct insight_report *r, json_t *rec)
{
    char shared[IDS_UUID_LEN];
    insight_json_shared_id(r, shared);
    char *line = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(b->cfg->precision));
    int64_t seq = insight_store_add(b->store, r, shared, line);
    xfree(line);
    if (seq < 0 && !b->state_failed) {
        b->state_failed = 1;
        snprintf(b->state_err, sizeof(b->state_err), "%s: cannot store an Insight: %s",
                 state_path(b->state), state_error(b->state));
    }
    return seq != 0;
}

static void on_insight(void *ctx, const struct insight_report *r)
{
    struct batch *b = ctx;
    json_t *rec = insight_json(r);
    if (b->storing && !store_record(b, r, rec)) {
        json_decref(rec);
        return;
    }
    b->recs = xgrow(b->recs, &b->recs_cap, b->nrecs + 1, sizeof(*b->recs));
    struct batch_record *o = &b->recs[b->nrecs++];
    o->rec = rec;
    o->r = *r;
    o->ins = *r->ins;
}

struct pass {
    struct batch *b;
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
    p->late += stream_add_batch(p->b->stream, eb, &p->b->diag);
    p->stop = p->late && !p->b->resumed && !p->sorted;
}

/* A new engine, from the state file when it holds one.  0, or -1 with
 * b->state_err set. */
static int new_stream(struct batch *b)
{
    stream_free(b->stream);
    drop_records(b);
    b->stream = stream_new(b->cfg, (uint32_t)b->cfg->score_reorder_minutes,
                           on_insight, b);
    if (!b->state)
        return 0;
    int rc = stream_load(b->stream, b->state, b->state_err, sizeof(b->state_err));
    b->resumed = rc == 0;
    return rc < 0 ? -1 : 0;
}

/* One pass over files, in order or (sorted) holding every event before
 * any is judged.  Returns the number of late events. */
static size_t read_pass(struct batch *b, struct source_walk *files, int sorted)
{
    source_walk_rewind(files);
    if (sorted)
        stream_buffer_all(b->stream);
    struct pass p = {b, 0, 0, sorted};
    struct reader_opts o = {b->progress, &p.stop};
    reader_run(files, b->cfg, &o, &b->diag, on_batch, &p);
    return p.late;
}

/* Save the engine and the records stored with it, before the end of the
 * data is taken as the end. */
static void save_state(struct batch *b)
{
    stream_settle(b->stream);
    b->storing = 0;
    if (!b->state_failed && stream_save(b->stream, b->state) == 0 &&
        state_commit(b->state) == 0) {
        stream_saved(b->stream);
        return;
    }
    if (!b->state_failed)
        snprintf(b->state_err, sizeof(b->state_err), "%s: cannot save: %s",
                 state_path(b->state), state_error(b->state));
    b->state_failed = 1;
    state_rollback(b->state);
}

static int record_cmp(const void *pa, const void *pb)
{
    const struct batch_record *x = pa, *y = pb;
    return insight_report_cmp(&x->r, &y->r);
}

int batch_run(struct batch *b, struct source_walk *files, struct state *st)
{
    b->state = st;
    if (st && !(b->store = insight_store_open(st))) {
        snprintf(b->state_err, sizeof(b->state_err), "%s: %s", state_path(st),
                 state_error(st));
        return -1;
    }
    if (new_stream(b) != 0)
        return -1;
    if (st && state_begin(st) != 0) {
        snprintf(b->state_err, sizeof(b->state_err), "%s: %s", state_path(st),
                 state_error(st));
        return -1;
    }
    b->storing = st != NULL;
    int sorted = source_walk_stdin(files); /* it cannot be read twice */
    if (read_pass(b, files, sorted) && !sorted && !b->resumed) {
        /* Start again, sorted; what the first pass printed is not
         * printed again. */
        struct diag first = b->diag;
        diag_init(&b->diag);
        b->diag.out = first.out;
        b->diag.max_messages = first.max_messages;
        for (int r = 0; r < SKIP__COUNT; r++)
            b->diag.quiet[r] = first.skipped[r];
        for (int r = 0; r < PASS__COUNT; r++)
            b->diag.quiet_passed[r] = first.passed[r];
        b->sorted = 1;
        if (st) {
            state_rollback(st);
            if (state_begin(st) != 0)
                b->storing = 0;
        }
        new_stream(b);
        read_pass(b, files, 1);
    }
    if (st)
        save_state(b);
    stream_finish(b->stream);
    /* The records' own copies of what the model decided (the array moved
     * while it grew). */
    for (size_t i = 0; i < b->nrecs; i++)
        b->recs[i].r.ins = &b->recs[i].ins;
    if (b->nrecs)
        qsort(b->recs, b->nrecs, sizeof(*b->recs), record_cmp);
    for (size_t i = 0; i < b->nrecs; i++)
        b->recs[i].r.ins = &b->recs[i].ins;
    return b->state_failed ? -1 : 0;
}
