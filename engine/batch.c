#include "batch.h"

#include "category.h"
#include "frame.h"
#include "record.h"
#include "suppress.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

struct reading {
    struct batch *b;
    const char *file;
    const char *buf;
};

static void on_record(void *ctx, const json_t *rec, size_t offset)
{
    struct reading *rd = ctx;
    struct batch *b = rd->b;
    struct ct_record r;
    enum record_class cls = record_read(rec, b->cfg, &r);
    switch (cls) {
    case RECORD_SKIP:
        diag_skip(&b->diag, r.skip, rd->file, rd->buf, offset, r.detail);
        break;
    case RECORD_IGNORE:
        b->diag.ignored[r.ignore]++;
        if (r.account) /* a valid record: it shows the trail's coverage */
            agg_add(b->agg, &r, cls, &b->diag);
        break;
    case RECORD_COUNT:
        agg_add(b->agg, &r, cls, &b->diag);
        break;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_progress(const struct batch *b, size_t done, size_t total,
                          double t0)
{
    double dt = now() - t0;
    fprintf(stderr, "\rctinsights: %zu/%zu files, %llu records, %.0f MB/s   ",
            done, total, (unsigned long long)b->diag.records,
            dt > 0 ? b->diag.bytes_json / 1e6 / dt : 0.0);
}

void batch_read(struct batch *b, const struct pathlist *files)
{
    struct source_buf buf = {0};
    double t0 = now(), last = t0;
    for (size_t i = 0; i < files->n; i++) {
        const char *path = files->paths[i];
        const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
        if (source_load(path, &buf, &b->diag) < 0) {
            diag_skip(&b->diag, SKIP_READ_ERROR, name, NULL, 0,
                      "cannot open file");
            continue;
        }
        struct reading rd = {b, name, buf.data};
        frame_buffer(name, buf.data, buf.len, b->cfg, &b->diag, on_record, &rd);
        if (b->progress && now() - last > 0.25) {
            last = now();
            show_progress(b, i + 1, files->n, t0);
        }
    }
    if (b->progress && last > t0)
        fputs("\r\033[K", stderr);
    source_buf_free(&buf);
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
