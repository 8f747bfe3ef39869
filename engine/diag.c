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
};

static const char *const ignore_names[IGNORE__COUNT] = {
    [IGNORE_INSIGHT] = "insight_record",
    [IGNORE_NOT_MANAGEMENT] = "not_management",
    [IGNORE_READ_OK] = "read_without_error",
    [IGNORE_CONTROL] = "control_or_digest",
    [IGNORE_RULE] = "ignore_rule",
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

/* Count one skip of reason r in d and print its line (text) if under the
 * limit. */
static void emit(struct diag *d, enum skip_reason r, const char *text)
{
    uint64_t n = ++d->skipped[r];
    if (n > d->max_messages)
        return;
    fputs(text, d->out);
    if (n == d->max_messages)
        fprintf(d->out, "ctinsights: further %s messages are only counted\n",
                skip_names[r]);
}

void diag_skip(struct diag *d, enum skip_reason r, const char *file,
               const char *buf, size_t offset, const char *detail)
{
    if (d->skipped[r] >= d->max_messages) { /* counted only */
        d->skipped[r]++;
        return;
    }
    char place[64] = "";
    if (buf) {
        size_t line, col;
        scan_line_col(buf, offset, &line, &col);
        snprintf(place, sizeof place, ":%zu:%zu", line, col);
    }
    const char *fmt = "ctinsights: %s%s (byte %zu): %s: %s\n";
    int n = snprintf(NULL, 0, fmt, file, place, offset, skip_names[r], detail);
    char *text = xmalloc((size_t)n + 1);
    snprintf(text, (size_t)n + 1, fmt, file, place, offset, skip_names[r], detail);
    if (!d->deferred) {
        emit(d, r, text);
        xfree(text);
        return;
    }
    d->skipped[r]++;
    d->logged[r]++;
    d->log = xgrow(d->log, &d->log_cap, d->nlog + 1, sizeof(*d->log));
    d->log[d->nlog++] = (struct diag_msg){r, text};
}

void diag_defer(struct diag *d, unsigned max_messages)
{
    for (size_t i = 0; i < d->nlog; i++)
        xfree(d->log[i].text);
    struct diag_msg *log = d->log;
    size_t cap = d->log_cap;
    diag_init(d);
    d->log = log;
    d->log_cap = cap;
    d->deferred = 1;
    d->max_messages = max_messages;
    d->out = NULL;
}

void diag_merge(struct diag *into, const struct diag *from)
{
    into->files += from->files;
    into->files_passed += from->files_passed;
    into->bytes_read += from->bytes_read;
    into->bytes_json += from->bytes_json;
    into->records += from->records;
    into->counted_calls += from->counted_calls;
    into->counted_errors += from->counted_errors;
    for (int i = 0; i < IGNORE__COUNT; i++)
        into->ignored[i] += from->ignored[i];
    for (size_t i = 0; i < from->nlog; i++)
        emit(into, from->log[i].reason, from->log[i].text);
    /* The rest came after the logged ones and would not have printed. */
    for (int i = 0; i < SKIP__COUNT; i++)
        into->skipped[i] += from->skipped[i] - from->logged[i];
}

void diag_free(struct diag *d)
{
    for (size_t i = 0; i < d->nlog; i++)
        xfree(d->log[i].text);
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
    fprintf(o, "ctinsights: %zu keys, %zu insights (%zu still open, %zu suppressed)\n",
            f->keys, f->insights, f->open_insights, f->suppressed);
}
