#include "diag.h"

#include "scan.h"
#include "xalloc.h"

#include <string.h>

static const char *const skip_names[SKIP__COUNT] = {
    [SKIP_INVALID_JSON] = "invalid_json",
    [SKIP_INVALID_UTF8] = "invalid_utf8",
    [SKIP_TRUNCATED] = "truncated",
    [SKIP_BAD_GZIP] = "bad_gzip",
    [SKIP_NOT_CLOUDTRAIL] = "not_cloudtrail",
    [SKIP_MISSING_FIELD] = "missing_field",
    [SKIP_WRONG_TYPE] = "wrong_type",
    [SKIP_BAD_TIME] = "bad_time",
    [SKIP_OVERSIZED] = "oversized",
    [SKIP_TOO_DEEP] = "too_deep",
    [SKIP_READ_ERROR] = "read_error",
    [SKIP_BAD_BASE64] = "bad_base64",
};

static const char *const ignore_names[IGNORE__COUNT] = {
    [IGNORE_INSIGHT] = "insight_record",
    [IGNORE_NOT_MANAGEMENT] = "not_management",
    [IGNORE_READ_OK] = "read_without_error",
    [IGNORE_CONTROL] = "control_or_digest",
    [IGNORE_RULE] = "ignore_rule",
};

static const char *const pass_names[PASS__COUNT] = {
    [PASS_LOOP] = "loop",
    [PASS_SAME_FOLDER] = "same_folder",
    [PASS_SAME_FILE] = "same_file",
    [PASS_NOT_FILE] = "not_a_file",
    [PASS_EMPTY] = "empty",
};

void diag_init(struct diag *d)
{
    memset(d, 0, sizeof(*d));
    d->max_messages = 10;
    d->out = stderr;
}

const char *skip_reason_name(enum skip_reason r)
{
    return r < SKIP__COUNT ? skip_names[r] : "unknown";
}

const char *ignore_reason_name(enum ignore_reason r)
{
    return r < IGNORE__COUNT ? ignore_names[r] : "unknown";
}

const char *pass_reason_name(enum pass_reason r)
{
    return r < PASS__COUNT ? pass_names[r] : "unknown";
}

/* Keep a copy of m in d's log (deferred). */
static void keep(struct diag *d, const struct diag_msg *m)
{
    d->log = xgrow(d->log, &d->log_cap, d->nlog + 1, sizeof(*d->log));
    struct diag_msg *k = &d->log[d->nlog++];
    *k = *m;
    k->file = xstrdup(m->file);
    k->detail = xstrdup(m->detail);
}

/* Count one entry passed over for m's reason in d; print m (or keep it,
 * deferred) if under the limit and not printed by an earlier pass. */
static void emit_pass(struct diag *d, const struct diag_msg *m)
{
    int r = m->reason;
    uint64_t n = ++d->passed[r];
    d->files_passed++;
    if (n <= d->quiet_passed[r] || n > d->max_messages)
        return;
    if (d->deferred) {
        d->logged_passed[r]++;
        keep(d, m);
        return;
    }
    fprintf(d->out, "ctinsights: %s: %s: %s; passed over\n", m->file,
            pass_names[r], m->detail);
    if (n == d->max_messages)
        fprintf(d->out, "ctinsights: further %s messages are only counted\n",
                pass_names[r]);
}

void diag_pass(struct diag *d, enum pass_reason r, const char *file,
               const char *detail)
{
    struct diag_msg m = {1, (int)r, (char *)file, (char *)detail, 0, 0, 0};
    emit_pass(d, &m);
}

/* Count one skip of m's reason in d; print m (or keep it, deferred) if
 * under the limit.  m's strings are borrowed. */
static void emit(struct diag *d, const struct diag_msg *m)
{
    int r = m->reason;
    uint64_t n = ++d->skipped[r];
    if (n > d->max_messages || n <= d->quiet[r])
        return;
    if (d->deferred) {
        d->logged[r]++;
        keep(d, m);
        return;
    }
    if (m->line)
        fprintf(d->out, "ctinsights: %s:%zu:%zu (byte %zu): %s: %s\n", m->file,
                m->line, m->col, m->byte, skip_names[r], m->detail);
    else
        fprintf(d->out, "ctinsights: %s (byte %zu): %s: %s\n", m->file, m->byte,
                skip_names[r], m->detail);
    if (n == d->max_messages)
        fprintf(d->out, "ctinsights: further %s messages are only counted\n",
                skip_names[r]);
}

void diag_skip(struct diag *d, enum skip_reason r, const char *file,
               const char *buf, size_t offset, const char *detail)
{
    struct diag_msg m = {0, (int)r, (char *)file, (char *)detail, offset, 0, 0};
    if (buf && d->skipped[r] < d->max_messages)
        scan_line_col(buf, offset, &m.line, &m.col);
    emit(d, &m);
}

/* Free the messages d keeps, not the array holding them. */
static void drop_messages(struct diag *d)
{
    for (size_t i = 0; i < d->nlog; i++) {
        xfree(d->log[i].file);
        xfree(d->log[i].detail);
    }
    d->nlog = 0;
}

void diag_defer(struct diag *d, unsigned max_messages)
{
    drop_messages(d);
    struct diag_msg *log = d->log;
    size_t cap = d->log_cap;
    diag_init(d);
    d->log = log;
    d->log_cap = cap;
    d->deferred = 1;
    d->max_messages = max_messages;
    d->out = NULL;
}

void diag_merge(struct diag *into, const struct diag *from, size_t byte_base,
                size_t line_base)
{
    uint64_t logged_passed = 0;
    for (int i = 0; i < PASS__COUNT; i++)
        logged_passed += from->logged_passed[i];
    into->files += from->files;
    into->files_passed += from->files_passed - logged_passed;
    into->bytes_read += from->bytes_read;
    into->bytes_json += from->bytes_json;
    into->records += from->records;
    into->counted_calls += from->counted_calls;
    into->counted_errors += from->counted_errors;
    into->late += from->late;
    into->duplicates += from->duplicates;
    for (int i = 0; i < IGNORE__COUNT; i++)
        into->ignored[i] += from->ignored[i];
    for (size_t i = 0; i < from->nlog; i++) {
        struct diag_msg m = from->log[i];
        m.byte += byte_base;
        if (m.line)
            m.line += line_base;
        if (m.pass)
            emit_pass(into, &m);
        else
            emit(into, &m);
    }
    /* The rest came after the logged ones and would not have printed. */
    for (int i = 0; i < SKIP__COUNT; i++)
        into->skipped[i] += from->skipped[i] - from->logged[i];
    for (int i = 0; i < PASS__COUNT; i++) /* files_passed has them already */
        into->passed[i] += from->passed[i] - from->logged_passed[i];
}

void diag_free(struct diag *d)
{
    drop_messages(d);
    xfree(d->log);
    d->log = NULL;
    d->nlog = d->log_cap = 0;
}

uint64_t diag_skipped(const struct diag *d)
{
    uint64_t t = 0;
    for (int i = 0; i < SKIP__COUNT; i++)
        t += d->skipped[i];
    return t;
}

void diag_summary(const struct diag *d, const struct diag_findings *f,
                  double seconds)
{
    FILE *o = d->out;
    fprintf(o, "ctinsights: %llu files (%llu passed over), %.1f MB read, "
               "%.1f MB JSON, %.2f s\n",
            (unsigned long long)d->files, (unsigned long long)d->files_passed,
            d->bytes_read / 1e6, d->bytes_json / 1e6, seconds);
    for (int i = 0; i < PASS__COUNT; i++)
        if (d->passed[i])
            fprintf(o, "ctinsights:   passed over %-16s %llu\n", pass_names[i],
                    (unsigned long long)d->passed[i]);
    fprintf(o, "ctinsights: %llu records: %llu counted for call rate, "
               "%llu for error rate, %llu skipped\n",
            (unsigned long long)d->records,
            (unsigned long long)d->counted_calls,
            (unsigned long long)d->counted_errors,
            (unsigned long long)diag_skipped(d));
    for (int i = 0; i < SKIP__COUNT; i++)
        if (d->skipped[i])
            fprintf(o, "ctinsights:   skipped %-20s %llu\n", skip_names[i],
                    (unsigned long long)d->skipped[i]);
    for (int i = 0; i < IGNORE__COUNT; i++)
        if (d->ignored[i])
            fprintf(o, "ctinsights:   ignored %-20s %llu\n", ignore_names[i],
                    (unsigned long long)d->ignored[i]);
    if (d->duplicates)
        fprintf(o, "ctinsights:   duplicate                   %llu (an eventID its minute "
                   "had counted: counted once)\n",
                (unsigned long long)d->duplicates);
    if (d->late)
        fprintf(o, "ctinsights:   late                        %llu (counted after their "
                   "minute was decided: in the baseline, not judged)\n",
                (unsigned long long)d->late);
    if (f->sorted)
        fprintf(o, "ctinsights: records were more than score.reorder_minutes out of "
                   "time order: read twice, the second time sorted\n");
    fprintf(o, "ctinsights: %zu keys, %zu insights (%zu still open, %zu suppressed)\n",
            f->keys, f->insights, f->open_insights, f->suppressed);
    if (f->watermark[0])
        fprintf(o, "ctinsights: watermark: %s\n", f->watermark);
}
