#include "fastcmp.h"

#include "diag.h"
#include "fastrec.h"
#include "frame.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

/* One framing run: what the engine got, as text. */
struct run {
    const struct config *cfg;
    const char *buf;
    size_t len;
    FILE *log;      /* records delivered */
    char *log_text;
    size_t log_len;
    struct diag d;  /* counters; messages to a memory stream */
    char *msg_text;
    size_t msg_len;
    /* the record-level check (reference run only) */
    struct fastrec *fr;
    FILE *report;
    struct fastcmp_stats *st;
};

static void put_str(FILE *o, const char *tag, struct rstr s)
{
    if (!s.s) {
        fprintf(o, " %s=-", tag);
        return;
    }
    fprintf(o, " %s=%zu:", tag, s.len);
    fwrite(s.s, 1, s.len, o);
}

static const char *const type_names[] = {"absent", "null", "false", "true",
                                         "string", "object", "other"};

static void put_field(FILE *o, const struct rfield *f)
{
    fputs(type_names[f->type], o);
    if (f->type == RFT_STRING)
        put_str(o, "", f->v);
}

static int field_equal(const struct rfield *a, const struct rfield *b)
{
    if (a->type != b->type)
        return 0;
    return a->type != RFT_STRING ||
           (a->v.len == b->v.len && memcmp(a->v.s, b->v.s, a->v.len) == 0);
}

/* The fast extractor alone on the value at offset (a record or a
 * LookupEvents entry), against the DOM. */
static void check_fields(struct run *r, const struct record_fields *ref,
                         size_t offset)
{
    size_t end;
    if (fastrec_parse(r->fr, r->buf, r->len, offset, r->cfg->max_depth,
                      r->cfg->max_record_bytes, &end) != 0 &&
        fastrec_entry(r->fr, r->buf, r->len, offset, r->cfg->max_depth,
                      r->cfg->max_record_bytes, &end) != 0)
        return;
    r->st->fast++;
    for (int i = 0; i < RF__COUNT; i++) {
        if (field_equal(&ref->f[i], &r->fr->fields.f[i]))
            continue;
        r->st->disagreements++;
        if (r->report) {
            fprintf(r->report, "  field %d at byte %zu: jansson ", i, offset);
            put_field(r->report, &ref->f[i]);
            fputs(", fast ", r->report);
            put_field(r->report, &r->fr->fields.f[i]);
            fputc('\n', r->report);
        }
    }
}

static void on_record(void *ctx, const struct record_fields *rec,
                      size_t offset)
{
    struct run *r = ctx;
    struct record_event e;
    enum record_class cls = record_classify(rec, r->cfg, &e);
    FILE *o = r->log;
    fprintf(o, "@%zu class=%d", offset, (int)cls);
    put_str(o, "account", e.account);
    put_str(o, "region", e.region);
    put_str(o, "source", e.source);
    put_str(o, "name", e.name);
    put_str(o, "error", e.error);
    put_str(o, "arn", e.arn);
    put_str(o, "agent", e.agent);
    fprintf(o, " id=%016llx", (unsigned long long)e.id);
    fprintf(o, " minute=%lld write=%d errors=%d ignore=%d skip=%d detail=%s\n",
            (long long)e.minute, e.is_write, e.counts_error, (int)e.ignore,
            (int)e.skip, e.detail ? e.detail : "-");
    if (r->fr)
        check_fields(r, rec, offset);
}

static void run_frame(struct run *r, const char *name, unsigned flags)
{
    r->log = open_memstream(&r->log_text, &r->log_len);
    diag_init(&r->d);
    r->d.out = open_memstream(&r->msg_text, &r->msg_len);
    frame_fields(name, r->buf, r->len, r->cfg, &r->d, flags, on_record, r);
    fclose(r->log);
    fclose(r->d.out);
}

static void run_free(struct run *r)
{
    free(r->log_text);
    free(r->msg_text);
}

/* Report the first line where two texts differ. */
static void show_diff(FILE *o, const char *what, const char *a, const char *b)
{
    size_t i = 0, line = 0;
    while (a[i] && a[i] == b[i])
        i++;
    while (i > 0 && a[i - 1] != '\n')
        i--;
    for (size_t k = 0; k < i; k++)
        line += a[k] == '\n';
    fprintf(o, "  %s differ from line %zu:\n    jansson: %.300s\n    fast:    %.300s\n",
            what, line + 1, a + i, b + i);
}

size_t fastcmp_buffer(const char *name, const char *buf, size_t len,
                      const struct config *c, FILE *report,
                      struct fastcmp_stats *st)
{
    struct fastrec fr;
    fastrec_init(&fr);
    struct run ref = {.cfg = c, .buf = buf, .len = len, .fr = &fr,
                      .report = report, .st = st};
    struct run fast = {.cfg = c, .buf = buf, .len = len, .st = st};
    size_t before = st->disagreements;
    run_frame(&ref, name, 0);
    run_frame(&fast, name, FRAME_FAST);
    st->records += ref.d.records;
    st->skipped += diag_skipped(&ref.d);
    if (ref.log_len != fast.log_len || memcmp(ref.log_text, fast.log_text, ref.log_len)) {
        st->disagreements++;
        if (report)
            show_diff(report, "records", ref.log_text, fast.log_text);
    }
    if (ref.msg_len != fast.msg_len || memcmp(ref.msg_text, fast.msg_text, ref.msg_len)) {
        st->disagreements++;
        if (report)
            show_diff(report, "messages", ref.msg_text, fast.msg_text);
    }
    if (ref.d.records != fast.d.records ||
        memcmp(ref.d.skipped, fast.d.skipped, sizeof ref.d.skipped) ||
        memcmp(ref.d.ignored, fast.d.ignored, sizeof ref.d.ignored)) {
        st->disagreements++;
        if (report)
            fprintf(report, "  counters differ\n");
    }
    run_free(&ref);
    run_free(&fast);
    fastrec_free(&fr);
    return st->disagreements - before;
}
