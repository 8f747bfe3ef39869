#include "readfile.h"

#include "frame.h"
#include "record.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

static size_t big_size = READFILE_BIG, piece_size = READFILE_PIECE;

void readfile_set_sizes(size_t big, size_t piece)
{
    big_size = big ? big : READFILE_BIG;
    piece_size = piece ? piece : READFILE_PIECE;
}

const char *readfile_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* ---- records into a batch */

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

/* ---- a large NDJSON file in pieces */

struct readfile_piece {
    void *map;             /* the piece's mapping, when read from a file */
    size_t map_len;
    const char *data;      /* the piece: in map, or a slice of a buffer */
    size_t len, byte;      /* its length and offset in the file */
    size_t lines;          /* newlines in it, once scanned */
    struct evbatch batch;
    struct diag diag; /* deferred */
    /* what the scanning thread needs */
    const struct config *cfg;
    const char *name;
    unsigned max_messages;
    pthread_t tid;
    int threaded;
};

/* Where the pieces come from: a stream, or a buffer already in memory. */
struct pieces_src {
    struct source_stream *stream; /* NULL: mem */
    const char *mem;
    size_t mem_len;
    size_t pos;        /* bytes handed out so far */
    int error;         /* errno of a read error, which ends the file */
};

/* The end of the piece of buf[0..len) starting at pos: after the first
 * newline at or past pos + piece_size, else len; 0 when there is none and
 * more may follow (have_all false). */
static size_t piece_end(const char *buf, size_t len, size_t pos, int have_all)
{
    if (len - pos <= piece_size)
        return have_all ? len : 0;
    const char *nl = memchr(buf + pos + piece_size - 1, '\n', len - pos - piece_size + 1);
    return nl ? (size_t)(nl - buf) + 1 : have_all ? len : 0;
}

/* The next piece of src into p: 1, or 0 at the end. */
static int next_piece(struct pieces_src *src, struct readfile_piece *p)
{
    p->byte = src->pos;
    source_stream_unmap(p->map, p->map_len);
    p->map = NULL;
    if (!src->stream) {
        if (src->pos >= src->mem_len)
            return 0;
        size_t end = piece_end(src->mem, src->mem_len, src->pos, 1);
        p->data = src->mem + src->pos;
        p->len = end - src->pos;
        src->pos = end;
        return 1;
    }
    size_t size = src->stream->size, want = piece_size + 65536, end = 0;
    if (src->pos >= size || src->error)
        return 0;
    for (;;) { /* a line longer than a piece makes the piece longer */
        size_t len = size - src->pos < want ? size - src->pos : want;
        p->data = source_stream_map(src->stream, src->pos, len, &p->map, &p->map_len);
        if (!p->data) {
            src->error = errno ? errno : EIO;
            return 0;
        }
        end = piece_end(p->data, len, 0, src->pos + len == size);
        if (end)
            break;
        source_stream_unmap(p->map, p->map_len);
        want *= 2;
    }
    p->len = end;
    src->pos += end;
    return 1;
}

static void *scan_piece(void *arg)
{
    struct readfile_piece *p = arg;
    evbatch_clear(&p->batch);
    diag_defer(&p->diag, p->max_messages);
    struct reading rd = {p->cfg, &p->diag, p->name, p->data, &p->batch};
    p->lines = frame_fields_lines(p->name, p->data, p->len, p->cfg, &p->diag,
                                  FRAME_FAST, on_record, &rd);
    return NULL;
}

/* Start scanning the n pieces of a wave (on threads when there are more
 * than one; the last is scanned here when none can be had). */
static void start_wave(struct readfile_piece *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        w[k].threaded = n > 1 && pthread_create(&w[k].tid, NULL, scan_piece, &w[k]) == 0;
    for (size_t k = 0; k < n; k++)
        if (!w[k].threaded)
            scan_piece(&w[k]);
}

/* Wait for a wave and join it to batch and d in order. */
static void finish_wave(struct readfile_piece *w, size_t n, size_t *line_base,
                        struct evbatch *batch, struct diag *d)
{
    for (size_t k = 0; k < n; k++) {
        if (w[k].threaded)
            pthread_join(w[k].tid, NULL);
        diag_merge(d, &w[k].diag, w[k].byte, *line_base);
        *line_base += w[k].lines;
        evbatch_append(batch, &w[k].batch);
    }
}

/* Read src in waves of `threads` pieces: while one wave is scanned, the
 * next is read. */
static void read_pieces(struct readfile *rf, struct pieces_src *src,
                        const char *name, const struct config *c, int threads,
                        struct evbatch *batch, struct diag *d)
{
    size_t t = (size_t)threads;
    if (rf->npieces < 2 * t) {
        rf->pieces = xrealloc(rf->pieces, 2 * t * sizeof(*rf->pieces));
        memset(rf->pieces + rf->npieces, 0,
               (2 * t - rf->npieces) * sizeof(*rf->pieces));
        rf->npieces = 2 * t;
    }
    size_t line_base = 0, n[2] = {0, 0};
    int cur = 0;
    for (;;) {
        struct readfile_piece *w = rf->pieces + (size_t)cur * t;
        struct readfile_piece *prev = rf->pieces + (size_t)!cur * t;
        while (n[cur] < t && next_piece(src, &w[n[cur]])) {
            struct readfile_piece *p = &w[n[cur]++];
            p->cfg = c;
            p->name = name;
            p->max_messages = d->max_messages;
        }
        if (n[cur])
            start_wave(w, n[cur]);
        if (n[!cur]) {
            finish_wave(prev, n[!cur], &line_base, batch, d);
            if (rf->flush && n[cur]) { /* more to come: hand this on now */
                rf->flush(rf->flush_ctx, name, batch);
                evbatch_clear(batch);
                if (rf->stop && *rf->stop) { /* the wave in flight is the last */
                    finish_wave(w, n[cur], &line_base, batch, d);
                    evbatch_clear(batch);
                    break;
                }
            }
        }
        n[!cur] = 0;
        if (!n[cur])
            break;
        cur = !cur;
    }
    if (src->error)
        diag_skip(d, SKIP_READ_ERROR, name, NULL, src->pos, strerror(src->error));
}

/* A large plain NDJSON file, read in pieces.  Returns -1 (nothing read or
 * counted) when path is not one. */
static int read_stream(struct readfile *rf, const char *path,
                       const struct config *c, int threads,
                       struct evbatch *batch, struct diag *d)
{
    struct source_stream s;
    if (source_stream_open(path, big_size, &s) != 0)
        return -1;
    /* Judge the shape by the first piece, as frame_fields would. */
    void *base;
    size_t map_len, len = s.size < piece_size ? s.size : piece_size;
    const char *head = source_stream_map(&s, 0, len, &base, &map_len);
    int ndjson = head && frame_is_ndjson(head, len, c);
    source_stream_unmap(base, map_len);
    if (!ndjson) {
        source_stream_close(&s);
        return -1;
    }
    struct pieces_src src = {&s, NULL, 0, 0, 0};
    d->files++;
    read_pieces(rf, &src, path, c, threads, batch, d);
    d->bytes_read += src.pos;
    d->bytes_json += src.pos;
    source_stream_close(&s);
    return 0;
}

void readfile_read(struct readfile *rf, const char *path,
                   const struct config *c, int threads, struct evbatch *batch,
                   struct diag *d)
{
    const char *name = readfile_name(path);
    evbatch_clear(batch);
    if (read_stream(rf, path, c, threads, batch, d) == 0)
        return;
    if (source_load(&rf->loader, path, &rf->buf, d) < 0) {
        diag_skip(d, SKIP_READ_ERROR, name, NULL, 0, "cannot open file");
        return;
    }
    const struct source_buf *b = &rf->buf;
    if (threads > 1 && b->len >= big_size && frame_is_ndjson(b->data, b->len, c)) {
        struct pieces_src src = {NULL, b->data, b->len, 0, 0};
        read_pieces(rf, &src, name, c, threads, batch, d);
        return;
    }
    readfile_buffer(name, b->data, b->len, c, d, batch);
}

void readfile_buffer(const char *name, const char *buf, size_t len,
                     const struct config *c, struct diag *d, struct evbatch *batch)
{
    struct reading rd = {c, d, name, buf, batch};
    frame_fields(name, buf, len, c, d, FRAME_FAST, on_record, &rd);
}

void readfile_init(struct readfile *rf)
{
    memset(rf, 0, sizeof(*rf));
}

void readfile_free(struct readfile *rf)
{
    for (size_t i = 0; i < rf->npieces; i++) {
        source_stream_unmap(rf->pieces[i].map, rf->pieces[i].map_len);
        evbatch_free(&rf->pieces[i].batch);
        diag_free(&rf->pieces[i].diag);
    }
    xfree(rf->pieces);
    source_loader_free(&rf->loader);
    source_buf_free(&rf->buf);
    memset(rf, 0, sizeof(*rf));
}
