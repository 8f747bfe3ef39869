#include "blob.h"

#include "xalloc.h"

#include <string.h>

void blob_writer_init(struct blob_writer *w)
{
    memset(w, 0, sizeof(*w));
}

void blob_writer_free(struct blob_writer *w)
{
    xfree(w->data);
    memset(w, 0, sizeof(*w));
}

void blob_put(struct blob_writer *w, const void *p, size_t n)
{
    if (!n)
        return;
    w->data = xgrow(w->data, &w->cap, w->len + n, 1);
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

void blob_put_u32(struct blob_writer *w, uint32_t v)
{
    blob_put(w, &v, sizeof(v));
}

void blob_put_bytes(struct blob_writer *w, const void *p, size_t n)
{
    blob_put_u32(w, (uint32_t)n);
    blob_put(w, p, n);
}

void blob_reader_init(struct blob_reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->bad = 0;
}

void blob_get(struct blob_reader *r, void *p, size_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        memset(p, 0, n);
        return;
    }
    memcpy(p, r->data + r->pos, n);
    r->pos += n;
}

uint32_t blob_get_u32(struct blob_reader *r)
{
    uint32_t v;
    blob_get(r, &v, sizeof(v));
    return v;
}

const void *blob_get_bytes(struct blob_reader *r, size_t *n)
{
    *n = blob_get_u32(r);
    if (r->bad || *n > r->len - r->pos) {
        r->bad = 1;
        *n = 0;
        return NULL;
    }
    const void *p = r->data + r->pos;
    r->pos += *n;
    return p;
}

int blob_done(const struct blob_reader *r)
{
    return !r->bad && r->pos == r->len;
}
