#include "strpool.h"

#include "xalloc.h"

#include <string.h>

#define CHUNK_BYTES (64 * 1024)

struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
};

struct strpool {
    struct chunk *chunks;
    const char **strs; /* id -> string; strs[0] unused */
    uint32_t *lens;
    size_t n, cap;
    uint32_t *slots; /* open addressing, 0 = empty */
    size_t nslots;
};

uint64_t strpool_hash(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

struct strpool *strpool_new(void)
{
    struct strpool *p = xcalloc(1, sizeof(*p));
    p->nslots = 1024;
    p->slots = xcalloc(p->nslots, sizeof(*p->slots));
    p->n = 1;
    p->cap = 1024;
    p->strs = xcalloc(p->cap, sizeof(*p->strs));
    p->lens = xcalloc(p->cap, sizeof(*p->lens));
    return p;
}

void strpool_free(struct strpool *p)
{
    if (!p)
        return;
    struct chunk *c = p->chunks;
    while (c) {
        struct chunk *next = c->next;
        xfree(c);
        c = next;
    }
    xfree(p->strs);
    xfree(p->lens);
    xfree(p->slots);
    xfree(p);
}

static size_t slot_of(const struct strpool *p, const char *s, size_t len,
                      uint64_t hash)
{
    size_t mask = p->nslots - 1;
    size_t i = (size_t)hash & mask;
    for (;;) {
        uint32_t id = p->slots[i];
        if (!id || (p->lens[id] == len && memcmp(p->strs[id], s, len) == 0))
            return i;
        i = (i + 1) & mask;
    }
}

static char *store(struct strpool *p, const char *s, size_t len)
{
    struct chunk *c = p->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > CHUNK_BYTES ? len + 1 : CHUNK_BYTES;
        c = xmalloc(sizeof(*c) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = p->chunks;
        p->chunks = c;
    }
    char *d = c->data + c->used;
    memcpy(d, s, len);
    d[len] = '\0';
    c->used += len + 1;
    return d;
}

static void rehash(struct strpool *p)
{
    xfree(p->slots);
    p->nslots *= 2;
    p->slots = xcalloc(p->nslots, sizeof(*p->slots));
    for (uint32_t id = 1; id < p->n; id++)
        p->slots[slot_of(p, p->strs[id], p->lens[id],
                         strpool_hash(p->strs[id], p->lens[id], 0))] = id;
}

uint32_t strpool_intern(struct strpool *p, const char *s, size_t len)
{
    return strpool_intern_hashed(p, s, len, strpool_hash(s, len, 0));
}

uint32_t strpool_intern_hashed(struct strpool *p, const char *s, size_t len,
                               uint64_t hash)
{
    size_t i = slot_of(p, s, len, hash);
    if (p->slots[i])
        return p->slots[i];
    if (p->n == p->cap) {
        p->cap *= 2;
        p->strs = xrealloc(p->strs, p->cap * sizeof(*p->strs));
        p->lens = xrealloc(p->lens, p->cap * sizeof(*p->lens));
    }
    uint32_t id = (uint32_t)p->n++;
    p->strs[id] = store(p, s, len);
    p->lens[id] = (uint32_t)len;
    p->slots[i] = id;
    if (p->n * 2 > p->nslots)
        rehash(p);
    return id;
}

uint32_t strpool_find(const struct strpool *p, const char *s, size_t len)
{
    return p->slots[slot_of(p, s, len, strpool_hash(s, len, 0))];
}

const char *strpool_str(const struct strpool *p, uint32_t id)
{
    return id && id < p->n ? p->strs[id] : NULL;
}

size_t strpool_count(const struct strpool *p)
{
    return p->n - 1;
}
