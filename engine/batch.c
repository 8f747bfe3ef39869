#include "batch.h"

#include "category.h"
#include "reader.h"
#include "suppress.h"
#include "xalloc.h"

#include <string.h>

void batch_init(struct batch *b, const struct config *c)
{
    memset(b, 0, sizeof(*b));
    b->cfg = c;
    diag_init(&b->diag);
    b->agg = agg_new(c);
}

void batch_free(struct batch *b)
{
    agg_free(b->agg);
    insight_list_free(&b->insights);
}

static void on_batch(void *ctx, const char *name, const struct evbatch *eb)
{
    struct batch *b = ctx;
    (void)name;
    agg_add_batch(b->agg, eb, &b->diag);
}

void batch_read(struct batch *b, const struct pathlist *files)
{
    struct reader_opts o = {b->progress};
    reader_run(files, b->cfg, &o, &b->diag, on_batch, b);
    agg_finish(b->agg);
}

void batch_detect(struct batch *b)
{
    struct detector dt;
    detector_init(&dt, b->cfg);
    for (size_t k = 0; k < b->agg->nkeys; k++)
        if (b->agg->keys[k].n)
            detect_key(&dt, b->agg, (uint32_t)k, &b->insights);
    detector_free(&dt);
    /* Name each Insight's category; drop the suppressed ones. */
    struct insight_list *l = &b->insights;
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        l->v[i].category = category_of(b->agg, b->cfg, &l->v[i]);
        if (suppress_match(b->agg, b->cfg, &l->v[i]))
            b->suppressed++;
        else
            l->v[kept++] = l->v[i];
    }
    l->n = kept;
}

size_t batch_open_insights(const struct batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->insights.n; i++)
        n += !b->insights.v[i].closed;
    return n;
}
