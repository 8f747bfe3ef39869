#include "reader.h"

#include "frame.h"
#include "record.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct reading {
    const struct config *cfg;
    struct diag *d;
    const char *file;
    const char *buf;
    struct evbatch *batch;
};

static void on_record(void *ctx, const struct record_fields *rec,
                      size_t offset)
{
    struct reading *rd = ctx;
    struct record_event r;
    enum record_class cls = record_classify(rec, rd->cfg, &r);
    if (cls == RECORD_SKIP) {
        diag_skip(rd->d, r.skip, rd->file, rd->buf, offset, r.detail);
        return;
    }
    if (cls == RECORD_IGNORE)
        rd->d->ignored[r.ignore]++;
    evbatch_add_event(rd->batch, &r, cls);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_progress(const struct diag *d, size_t done, size_t total,
                          double t0)
{
    double dt = now() - t0;
    fprintf(stderr, "\rctinsights: %zu/%zu files, %llu records, %.0f MB/s   ",
            done, total, (unsigned long long)d->records,
            dt > 0 ? d->bytes_json / 1e6 / dt : 0.0);
}

void reader_run(const struct pathlist *files, const struct config *c,
                const struct reader_opts *o, struct diag *d,
                reader_batch_fn cb, void *ctx)
{
    struct source_buf buf = {0};
    struct source_loader loader = {0};
    struct evbatch batch;
    evbatch_init(&batch);
    double t0 = now(), last = t0;
    for (size_t i = 0; i < files->n; i++) {
        const char *path = files->paths[i];
        const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
        evbatch_clear(&batch);
        if (source_load(&loader, path, &buf, d) < 0) {
            diag_skip(d, SKIP_READ_ERROR, name, NULL, 0, "cannot open file");
        } else {
            struct reading rd = {c, d, name, buf.data, &batch};
            frame_fields(name, buf.data, buf.len, c, d, FRAME_FAST, on_record, &rd);
        }
        cb(ctx, name, &batch);
        if (o->progress && now() - last > 0.25) {
            last = now();
            show_progress(d, i + 1, files->n, t0);
        }
    }
    if (o->progress && last > t0)
        fputs("\r\033[K", stderr);
    source_buf_free(&buf);
    source_loader_free(&loader);
    evbatch_free(&batch);
}
