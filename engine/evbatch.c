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
}

const char *evbatch_str(const struct evbatch *b, uint32_t id)
{
    return id && id < b->nstrs ? b->text + b->strs[id].off : NULL;
}

/* Slot of s in b's table: where it is, or the empty slot it would take. */
static size_t slot_of(const struct evbatch *b, const char *s, uint32_t len,
                      uint64_t hash)
{
    size_t mask = b->nslots - 1, i = (size_t)hash & mask;
    for (;;) {
        uint32_t id = b->slots[i];
        if (!id)
            return i;
        const struct evbatch_str *e = &b->strs[id];
        if (e->hash == hash && e->len == len && memcmp(b->text + e->off, s, len) == 0)
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
        b->slots[slot_of(b, b->text + e->off, e->len, e->hash)] = id;
    }
}

static uint32_t intern(struct evbatch *b, const char *s)
{
    if (!s)
        return 0;
    if (b->nstrs == 0)
        b->nstrs = 1; /* id 0 is "none" */
    if ((b->nstrs + 1) * 2 > b->nslots)
        rehash(b);
    uint32_t len = (uint32_t)strlen(s);
    uint64_t hash = strpool_hash(s, len, 0);
    size_t i = slot_of(b, s, len, hash);
    if (b->slots[i])
        return b->slots[i];
    b->text = xgrow(b->text, &b->text_cap, b->text_len + len + 1, 1);
    memcpy(b->text + b->text_len, s, len + 1);
    b->strs = xgrow(b->strs, &b->strs_cap, b->nstrs + 1, sizeof(*b->strs));
    b->strs[b->nstrs] = (struct evbatch_str){(uint32_t)b->text_len, len, hash};
    b->text_len += len + 1;
    b->slots[i] = (uint32_t)b->nstrs;
    return (uint32_t)b->nstrs++;
}

void evbatch_add(struct evbatch *b, const struct ct_record *r,
                 enum record_class cls)
{
    if (cls == RECORD_SKIP || !r->account || r->minute < 0 || r->minute > UINT32_MAX)
        return;
    b->ev = xgrow(b->ev, &b->ev_cap, b->n + 1, sizeof(*b->ev));
    struct evbatch_event *e = &b->ev[b->n++];
    e->minute = (uint32_t)r->minute;
    e->flags = cls == RECORD_COUNT
                   ? (uint8_t)((r->is_write ? EV_CALL : 0) | (r->counts_error ? EV_ERROR : 0))
                   : 0;
    e->str[EVF_ACCOUNT] = intern(b, r->account);
    e->str[EVF_REGION] = intern(b, r->region);
    if (!e->flags) {
        /* Coverage only: the scope is all the engine needs. */
        for (int f = EVF_SOURCE; f < EVF__COUNT; f++)
            e->str[f] = 0;
        return;
    }
    e->str[EVF_SOURCE] = intern(b, r->source);
    e->str[EVF_NAME] = intern(b, r->name);
    e->str[EVF_ERROR] = intern(b, r->error);
    e->str[EVF_ARN] = intern(b, r->arn);
    e->str[EVF_AGENT] = intern(b, r->agent);
}
