#include "batch.h"

#include "insight_json.h"
#include "reader.h"
#include "xalloc.h"

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
}

static void on_insight(void *ctx, const struct insight_report *r)
{
    struct batch *b = ctx;
    b->recs = xgrow(b->recs, &b->recs_cap, b->nrecs + 1, sizeof(*b->recs));
    struct batch_record *o = &b->recs[b->nrecs++];
    o->rec = insight_json(r);
    o->minute = r->state == STATE_START ? r->ins->start : r->ins->end;
    o->state = r->state;
    const char *key[6] = {r->error_rate ? "ApiErrorRateInsight" : "ApiCallRateInsight",
                          r->account, r->region, r->source, r->name,
                          r->error ? r->error : ""};
    memcpy(o->key, key, sizeof(key));
}

struct pass {
    struct batch *b;
    size_t late;
};

static void on_batch(void *ctx, const char *name, const struct evbatch *eb)
{
    struct pass *p = ctx;
    (void)name;
    if (!p->late) /* once late, the pass is over: the sorted one follows */
        p->late = stream_add_batch(p->b->stream, eb, &p->b->diag);
}

/* One pass over files, in order or (sorted) holding every event before
 * any is judged.  Returns the number of late events (0: the result
 * stands). */
static size_t read_pass(struct batch *b, const struct pathlist *files, int sorted)
{
    stream_free(b->stream);
    drop_records(b);
    b->stream = stream_new(b->cfg, (uint32_t)b->cfg->score_reorder_minutes,
                           on_insight, b);
    if (sorted)
        stream_buffer_all(b->stream);
    struct pass p = {b, 0};
    struct reader_opts o = {b->progress};
    reader_run(files, b->cfg, &o, &b->diag, on_batch, &p);
    if (!p.late)
        stream_finish(b->stream);
    return p.late;
}

static int record_cmp(const void *pa, const void *pb)
{
    const struct batch_record *x = pa, *y = pb;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    for (int i = 0; i < 6; i++) {
        int c = strcmp(x->key[i], y->key[i]);
        if (c)
            return c;
    }
    return x->state - y->state;
}

static int reads_stdin(const struct pathlist *files)
{
    for (size_t i = 0; i < files->n; i++)
        if (strcmp(files->paths[i], "-") == 0)
            return 1;
    return 0;
}

void batch_run(struct batch *b, const struct pathlist *files)
{
    int sorted = reads_stdin(files); /* it cannot be read twice */
    if (read_pass(b, files, sorted) && !sorted) {
        /* Start again, sorted; what the first pass printed is not
         * printed again. */
        struct diag first = b->diag;
        diag_init(&b->diag);
        b->diag.out = first.out;
        b->diag.max_messages = first.max_messages;
        for (int r = 0; r < SKIP__COUNT; r++)
            b->diag.quiet[r] = first.skipped[r];
        b->sorted = 1;
        read_pass(b, files, 1);
    }
    if (b->nrecs)
        qsort(b->recs, b->nrecs, sizeof(*b->recs), record_cmp);
}
