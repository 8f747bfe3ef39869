#include "evbatch.h"

#include "strpool.h"
#include "xalloc.h"

#include <string.h>

void evbatch_init(struct evbatch *b)
{
    memset(b, 0, sizeof(*b));
}

void evbatch_free(struct evbatch *b)
{
    xfree(b->ev);
    xfree(b->strs);
    xfree(b->text);
    xfree(b->slots);
    memset(b, 0, sizeof(*b));
}

void evbatch_clear(struct evbatch *b)
{
    b->n = 0;
    b->nstrs = 0;
    b->text_len = 0;
    if (b->slots)
        memset(b->slots, 0, b->nslots * sizeof(*b->slots));
    memset(b->last, 0, sizeof(b->last));
}

const char *evbatch_str(const struct evbatch *b, uint32_t id)
{
    return id && id < b->nstrs ? b->text + b->strs[id].off : NULL;
}

/* A quick hash for the batch's own table (strpool_hash is computed only
 * for strings new to the batch). */
static uint64_t quick_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static int same(const struct evbatch *b, uint32_t id, const char *s,
                uint32_t len)
{
    const struct evbatch_str *e = &b->strs[id];
    return e->len == len && memcmp(b->text + e->off, s, len) == 0;
}

/* Slot of s in b's table: where it is, or the empty slot it would take. */
static size_t slot_of(const struct evbatch *b, const char *s, uint32_t len,
                      uint64_t qh)
{
    size_t mask = b->nslots - 1, i = (size_t)qh & mask;
    uint32_t tag = (uint32_t)(qh >> 32);
    for (;;) {
        const struct evbatch_slot *sl = &b->slots[i];
        if (!sl->id || (sl->tag == tag && same(b, sl->id, s, len)))
            return i;
        i = (i + 1) & mask;
    }
}

static void rehash(struct evbatch *b)
{
    xfree(b->slots);
    b->nslots = b->nslots ? b->nslots * 2 : 256;
    b->slots = xcalloc(b->nslots, sizeof(*b->slots));
    for (uint32_t id = 1; id < b->nstrs; id++) {
        const struct evbatch_str *e = &b->strs[id];
        uint64_t qh = quick_hash(b->text + e->off, e->len);
        size_t i = slot_of(b, b->text + e->off, e->len, qh);
        b->slots[i] = (struct evbatch_slot){id, (uint32_t)(qh >> 32)};
    }
}

/* The id of s (len bytes) for field f, adding it if new; 0 for NULL. */
static uint32_t intern(struct evbatch *b, int f, const char *s, size_t n)
{
    if (!s)
        return 0;
    uint32_t len = (uint32_t)n;
    if (b->last[f] && same(b, b->last[f], s, len))
        return b->last[f];
    if (b->nstrs == 0)
        b->nstrs = 1; /* id 0 is "none" */
    if ((b->nstrs + 1) * 2 > b->nslots)
        rehash(b);
    uint64_t qh = quick_hash(s, len);
    size_t i = slot_of(b, s, len, qh);
    if (!b->slots[i].id) {
        b->text = xgrow(b->text, &b->text_cap, b->text_len + len + 1, 1);
        memcpy(b->text + b->text_len, s, len);
        b->text[b->text_len + len] = '\0';
        b->strs = xgrow(b->strs, &b->strs_cap, b->nstrs + 1, sizeof(*b->strs));
        b->strs[b->nstrs] = (struct evbatch_str){(uint32_t)b->text_len, len,
                                                 strpool_hash(s, len, 0)};
        b->text_len += len + 1;
        b->slots[i] = (struct evbatch_slot){(uint32_t)b->nstrs++,
                                            (uint32_t)(qh >> 32)};
    }
    return b->last[f] = b->slots[i].id;
}

void evbatch_add_event(struct evbatch *b, const struct record_event *r,
                       enum record_class cls)
{
    if (cls == RECORD_SKIP || !r->account.s || r->minute < 0 ||
        r->minute > UINT32_MAX)
        return;
    b->ev = xgrow(b->ev, &b->ev_cap, b->n + 1, sizeof(*b->ev));
    struct evbatch_event *e = &b->ev[b->n++];
    e->minute = (uint32_t)r->minute;
    e->flags = cls == RECORD_COUNT
                   ? (uint8_t)((r->is_write ? EV_CALL : 0) | (r->counts_error ? EV_ERROR : 0))
                   : 0;
    e->str[EVF_ACCOUNT] = intern(b, EVF_ACCOUNT, r->account.s, r->account.len);
    e->str[EVF_REGION] = intern(b, EVF_REGION, r->region.s, r->region.len);
    e->id = 0;
    if (!e->flags) {
        /* Coverage only: the scope is all the engine needs. */
        for (int f = EVF_SOURCE; f < EVF__COUNT; f++)
            e->str[f] = 0;
        return;
    }
    e->str[EVF_SOURCE] = intern(b, EVF_SOURCE, r->source.s, r->source.len);
    e->str[EVF_NAME] = intern(b, EVF_NAME, r->name.s, r->name.len);
    e->str[EVF_ERROR] = intern(b, EVF_ERROR, r->error.s, r->error.len);
    e->str[EVF_ARN] = intern(b, EVF_ARN, r->arn.s, r->arn.len);
    e->str[EVF_AGENT] = intern(b, EVF_AGENT, r->agent.s, r->agent.len);
    e->id = r->id;
}

static struct rstr counted(const char *s)
{
    struct rstr r = {s, s ? strlen(s) : 0};
    return r;
}

void evbatch_add(struct evbatch *b, const struct ct_record *r,
                 enum record_class cls)
{
    struct record_event e = {
        counted(r->account), counted(r->region), counted(r->source),
        counted(r->name),    counted(r->error),  counted(r->arn),
        counted(r->agent),   r->id,              r->minute,
        r->is_write,         r->counts_error,    r->ignore,
        r->skip,             r->detail,
    };
    evbatch_add_event(b, &e, cls);
}

void evbatch_append(struct evbatch *b, const struct evbatch *src)
{
    if (src->n == 0)
        return;
    uint32_t *map = xcalloc(src->nstrs, sizeof(*map));
    for (uint32_t id = 1; id < src->nstrs; id++)
        map[id] = intern(b, EVF_ACCOUNT, src->text + src->strs[id].off,
                         src->strs[id].len);
    b->ev = xgrow(b->ev, &b->ev_cap, b->n + src->n, sizeof(*b->ev));
    for (size_t i = 0; i < src->n; i++) {
        struct evbatch_event e = src->ev[i];
        for (int f = 0; f < EVF__COUNT; f++)
            e.str[f] = map[e.str[f]];
        b->ev[b->n++] = e;
    }
    memset(b->last, 0, sizeof(b->last));
    xfree(map);
}
