#include "frame.h"

#include "fastrec.h"
#include "record.h"
#include "scan.h"

#include <stdint.h>
#include <string.h>

/* Containers other than `Records` documents are parsed whole; they may be
 * this many times input.max_record_bytes. */
#define CONTAINER_FACTOR 64

struct frame {
    const char *file;
    const char *buf;
    size_t len;
    const struct config *cfg;
    struct diag *d;
    frame_record_fn cb;        /* frame_buffer: the DOM ... */
    frame_fields_fn fields_cb; /* ... or frame_fields: the fields */
    struct fastrec *fast;      /* NULL: jansson only */
    void *ctx;
};

static void deliver(struct frame *f, const json_t *v, size_t offset)
{
    f->d->records++;
    if (f->cb) {
        f->cb(f->ctx, v, offset);
    } else {
        struct record_fields rf;
        record_fields_from_json(v, &rf);
        f->fields_cb(f->ctx, &rf, offset);
    }
}

/* Try the fast extractor on the value at buf[at], which may nest depth
 * deep and must end by buf[len]: 0 when it is a record (*end after it;
 * deliver it with fast_deliver), -1 to take the jansson path. */
static int fast_parse(struct frame *f, size_t at, size_t len, int depth,
                      size_t *end)
{
    size_t max = f->cfg->max_record_bytes;
    if (!f->fast)
        return -1;
    if (fastrec_parse(f->fast, f->buf, len, at, depth, max, end) == 0)
        return 0;
    return fastrec_entry(f->fast, f->buf, len, at, depth, max, end);
}

static void fast_deliver(struct frame *f, size_t at)
{
    f->d->records++;
    f->fields_cb(f->ctx, &f->fast->fields, at);
}

static void report(struct frame *f, enum skip_reason r, size_t at,
                   const char *detail)
{
    f->d->records++;
    diag_skip(f->d, r, f->file, f->buf, at, detail);
}

static void report_scan(struct frame *f, int rc, size_t at)
{
    switch (rc) {
    case SCAN_TRUNCATED:
    case SCAN_EOF:
        report(f, SKIP_TRUNCATED, at, "JSON ends before the value closes");
        break;
    case SCAN_TOO_DEEP:
        report(f, SKIP_TOO_DEEP, at, "nesting deeper than input.max_depth");
        break;
    default:
        report(f, SKIP_INVALID_JSON, at, "unexpected character");
        break;
    }
}

/* A record candidate.  sized: its size was already checked against
 * input.max_record_bytes (it came as one span of the file). */
static void candidate(struct frame *f, const json_t *v, size_t offset, int sized)
{
    if (!record_looks_like(v)) {
        report(f, SKIP_NOT_CLOUDTRAIL, offset,
               "JSON value is not a CloudTrail record or log file");
        return;
    }
    if (!sized && json_dumpb(v, NULL, 0, JSON_COMPACT) > f->cfg->max_record_bytes) {
        report(f, SKIP_OVERSIZED, offset, "record larger than input.max_record_bytes");
        return;
    }
    deliver(f, v, offset);
}

/* Parse a record that arrives as a JSON string (LookupEvents
 * CloudTrailEvent, CloudWatch Logs message). */
static void string_record(struct frame *f, const json_t *s, size_t offset)
{
    json_error_t err;
    if (json_string_length(s) > f->cfg->max_record_bytes) {
        report(f, SKIP_OVERSIZED, offset, "record larger than input.max_record_bytes");
        return;
    }
    json_t *v = json_loadb(json_string_value(s), json_string_length(s), 0, &err);
    if (!v) {
        report(f, json_error_code(&err) == json_error_invalid_utf8
                      ? SKIP_INVALID_UTF8
                      : SKIP_INVALID_JSON,
               offset, "embedded record is not valid JSON");
        return;
    }
    candidate(f, v, offset, 1);
    json_decref(v);
}

/* Dispatch a parsed value.  sized: the span it came from was within
 * input.max_record_bytes, so any record inside it is too. */
static void dispatch_json(struct frame *f, const json_t *v, size_t offset, int sized)
{
    size_t i;
    const json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
            dispatch_json(f, e, offset, sized);
        return;
    }
    if (!json_is_object(v)) {
        report(f, SKIP_NOT_CLOUDTRAIL, offset, "JSON value is not an object");
        return;
    }
    const json_t *records = json_object_get(v, "Records");
    const json_t *events = json_object_get(v, "Events");
    const json_t *logs = json_object_get(v, "logEvents");
    const json_t *detail = json_object_get(v, "detail");
    const json_t *embedded = json_object_get(v, "CloudTrailEvent");
    if (json_is_string(embedded)) {
        string_record(f, embedded, offset); /* one LookupEvents entry */
    } else if (json_is_array(records)) {
        json_array_foreach(records, i, e)
            candidate(f, e, offset, sized);
    } else if (json_is_array(events)) {
        json_array_foreach(events, i, e)
            dispatch_json(f, e, offset, sized);
    } else if (json_is_array(logs)) {
        const char *type = json_string_value(json_object_get(v, "messageType"));
        if (type && strcmp(type, "CONTROL_MESSAGE") == 0) {
            f->d->ignored[IGNORE_CONTROL]++;
            return;
        }
        json_array_foreach(logs, i, e) {
            const json_t *m = json_object_get(e, "message");
            if (json_is_string(m))
                string_record(f, m, offset);
            else
                report(f, SKIP_NOT_CLOUDTRAIL, offset,
                       "logEvents entry without a message string");
        }
    } else if (json_object_get(v, "detail-type") && json_is_object(detail)) {
        candidate(f, detail, offset, sized);
    } else if (json_object_get(v, "digestStartTime")) {
        f->d->ignored[IGNORE_CONTROL]++;
    } else {
        candidate(f, v, offset, sized);
    }
}

/* Parse buf[s..e) with jansson and dispatch it. */
static void dispatch_span(struct frame *f, size_t s, size_t e, size_t limit)
{
    if (e - s > limit) {
        report(f, SKIP_OVERSIZED, s, "value larger than input.max_record_bytes");
        return;
    }
    size_t fend; /* a span found by scan_value: the fast path ends at e */
    if (fast_parse(f, s, e, INT32_MAX, &fend) == 0) {
        fast_deliver(f, s);
        return;
    }
    json_error_t err;
    json_t *v = json_loadb(f->buf + s, e - s, JSON_DECODE_ANY, &err);
    if (!v) {
        size_t at = s + (err.position > 0 ? (size_t)err.position - 1 : 0);
        enum skip_reason r = json_error_code(&err) == json_error_invalid_utf8
                                 ? SKIP_INVALID_UTF8
                                 : SKIP_INVALID_JSON;
        report(f, r, at, err.text);
        return;
    }
    dispatch_json(f, v, s, e - s <= f->cfg->max_record_bytes);
    json_decref(v);
}

/* Walk the array at buf[at] element by element. Returns 0, or -1 after
 * reporting a break in the structure. */
static int walk_array(struct frame *f, size_t at, size_t *end)
{
    struct scan_iter it;
    const char *key;
    size_t keylen, vstart;
    int rc;
    scan_iter_begin(&it, f->buf, f->len, at, f->cfg->max_depth);
    while ((rc = scan_iter_next(&it, &key, &keylen, &vstart)) == SCAN_OK) {
        size_t fend;
        if (fast_parse(f, vstart, f->len, it.depth, &fend) == 0) {
            fast_deliver(f, vstart);
            it.pos = fend;
            continue;
        }
        rc = scan_iter_skip(&it, vstart);
        if (rc == SCAN_TOO_DEEP) {
            /* Too deep, yet whole: skip it alone and go on. */
            size_t whole;
            if (scan_value(f->buf, f->len, vstart, INT32_MAX, &whole) != SCAN_OK)
                break;
            report(f, SKIP_TOO_DEEP, it.pos, "nesting deeper than input.max_depth");
            it.pos = whole;
            continue;
        }
        if (rc)
            break;
        dispatch_span(f, vstart, it.pos, f->cfg->max_record_bytes);
    }
    *end = it.pos;
    if (rc == SCAN_EOF)
        return 0;
    report_scan(f, rc, it.pos);
    return -1;
}

static int key_named(const char *key, size_t keylen, const char *name)
{
    return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

/* An object: its Records array, or else the elements of its Events
 * array (a LookupEvents page), walked element by element as met.  *whole
 * is set when it has neither: the caller parses it whole.  Returns
 * SCAN_OK, or for a broken object the scan error at *end: reported
 * already when *whole is 0 (what was walked is kept), left to the caller
 * when it is 1. */
static int walk_object(struct frame *f, size_t at, size_t *end, int *whole)
{
    struct scan_iter it;
    const char *key;
    size_t keylen, vstart;
    int rc;
    *whole = 1;
    scan_iter_begin(&it, f->buf, f->len, at, f->cfg->max_depth);
    while ((rc = scan_iter_next(&it, &key, &keylen, &vstart)) == SCAN_OK) {
        if (f->buf[vstart] == '[' && *whole &&
            (key_named(key, keylen, "Records") || key_named(key, keylen, "Events"))) {
            *whole = 0;
            if (walk_array(f, vstart, end) != 0)
                return SCAN_BAD;
            it.pos = *end;
            continue;
        }
        rc = scan_iter_skip(&it, vstart);
        if (rc)
            break;
    }
    *end = it.pos;
    if (rc == SCAN_EOF)
        return SCAN_OK;
    if (!*whole)
        report_scan(f, rc, it.pos);
    return rc;
}

static void frame_document(struct frame *f, size_t at)
{
    while (at < f->len) {
        size_t end;
        char c = f->buf[at];
        int rc;
        if (c == '{') {
            int whole;
            rc = walk_object(f, at, &end, &whole);
            if (rc && whole)
                report_scan(f, rc, end);
            else if (rc == 0 && whole)
                dispatch_span(f, at, end, f->cfg->max_record_bytes * CONTAINER_FACTOR);
        } else if (c == '[') {
            rc = walk_array(f, at, &end);
        } else {
            report(f, SKIP_NOT_CLOUDTRAIL, at,
                   "file does not start with a JSON object or array");
            return;
        }
        if (rc)
            return;
        at = scan_ws(f->buf, f->len, end);
    }
}

/* The position of the first character from at on that is not a blank
 * within a line (space, tab, carriage return). */
static size_t line_blanks(const char *buf, size_t len, size_t at)
{
    while (at < len && (buf[at] == ' ' || buf[at] == '\t' || buf[at] == '\r'))
        at++;
    return at;
}

/* The common line, in one pass: a record the fast extractor takes, alone
 * on its line (nothing but blanks after it, no newline inside it).  Returns
 * the position of the newline ending the line (or len), or 0 when the line
 * must be framed the long way. */
static size_t fast_line(struct frame *f, size_t p)
{
    size_t end, q;
    if (fast_parse(f, p, f->len, f->cfg->max_depth, &end) != 0)
        return 0;
    q = line_blanks(f->buf, f->len, end);
    if ((q < f->len && f->buf[q] != '\n') || memchr(f->buf + p, '\n', end - p))
        return 0;
    fast_deliver(f, p);
    return q;
}

/* The value at buf[p] of the line ending at le: an object walked as a
 * document's (a LookupEvents page entry by entry); anything else, and an
 * object without Records or Events, parsed whole (jansson says what is
 * wrong with it) once only blanks are found to follow it on the line. */
static void line_value(struct frame *f, size_t p, size_t le)
{
    struct frame line = *f;
    line.len = le;
    size_t end;
    int rc = SCAN_BAD, whole = 1;
    if (f->buf[p] == '{')
        rc = walk_object(&line, p, &end, &whole);
    if (rc != SCAN_OK && !whole) /* broken inside what was walked: reported */
        return;
    /* Not an object, or one walk_object finds broken: scan_value is more
     * lenient, so that jansson says what is wrong. */
    if (rc != SCAN_OK && (rc = scan_value(f->buf, le, p, f->cfg->max_depth, &end)) != SCAN_OK) {
        report_scan(f, rc, end);
        return;
    }
    if (scan_ws(f->buf, le, end) != le)
        report(f, SKIP_INVALID_JSON, end, "text after the value on the line");
    else if (whole)
        dispatch_span(f, p, end, f->cfg->max_record_bytes);
}

/* Returns the number of newlines from at on. */
static size_t frame_lines(struct frame *f, size_t at)
{
    size_t lines = 0;
    while (at < f->len) {
        size_t p = line_blanks(f->buf, f->len, at), le;
        if (p < f->len && f->buf[p] == '{' && (le = fast_line(f, p)) != 0) {
            lines += le < f->len;
            at = le + 1;
            continue;
        }
        const char *nl = memchr(f->buf + at, '\n', f->len - at);
        le = nl ? (size_t)(nl - f->buf) : f->len;
        lines += nl != NULL;
        /* Not a line fast_line takes: bounded by the line, the fast
         * extractor would decline it too. */
        p = scan_ws(f->buf, le, at);
        if (p < le)
            line_value(f, p, le);
        at = le + 1;
    }
    return lines;
}

/* Whether the line starting at buf[at] holds exactly one whole value.
 * *next is set to the start of the following line. */
static int whole_line(const struct frame *f, size_t at, size_t *next)
{
    const char *nl = memchr(f->buf + at, '\n', f->len - at);
    size_t le = nl ? (size_t)(nl - f->buf) : f->len, end;
    *next = nl ? le + 1 : f->len;
    if (scan_value(f->buf, le, at, f->cfg->max_depth, &end) != SCAN_OK)
        return 0;
    return scan_ws(f->buf, le, end) == le;
}

static int opens_container(const struct frame *f, size_t at)
{
    return at < f->len && (f->buf[at] == '{' || f->buf[at] == '[');
}

/* NDJSON when more follows the first line and either the first line opens
 * an object or array that closes on it (whatever else the line holds), or
 * the second line holds exactly one whole object or array (the first line
 * being damaged). */
static int is_ndjson(const struct frame *f, size_t at)
{
    const char *nl = memchr(f->buf + at, '\n', f->len - at);
    if (!nl)
        return 0;
    size_t le = (size_t)(nl - f->buf), end, next;
    size_t second = scan_ws(f->buf, f->len, le);
    if (second >= f->len)
        return 0;
    if (opens_container(f, at) &&
        scan_value(f->buf, le, at, f->cfg->max_depth, &end) == SCAN_OK)
        return 1;
    return opens_container(f, second) && whole_line(f, second, &next);
}

static void frame_run(struct frame *f)
{
    size_t at = scan_ws(f->buf, f->len, 0);
    if (at >= f->len)
        return;
    if (is_ndjson(f, at))
        frame_lines(f, at);
    else
        frame_document(f, at);
}

void frame_buffer(const char *file, const char *buf, size_t len,
                  const struct config *c, struct diag *d, frame_record_fn cb,
                  void *ctx)
{
    struct frame f = {file, buf, len, c, d, cb, NULL, NULL, ctx};
    frame_run(&f);
}

/* frame_fields or, lines set, frame_fields_lines. */
static size_t frame_with_fields(const char *file, const char *buf, size_t len,
                                const struct config *c, struct diag *d,
                                unsigned flags, frame_fields_fn cb, void *ctx,
                                int lines)
{
    struct fastrec fr;
    fastrec_init(&fr);
    struct frame f = {file, buf, len, c, d, NULL, cb,
                      flags & FRAME_FAST ? &fr : NULL, ctx};
    size_t n = 0;
    if (lines)
        n = frame_lines(&f, 0);
    else
        frame_run(&f);
    fastrec_free(&fr);
    return n;
}

void frame_fields(const char *file, const char *buf, size_t len,
                  const struct config *c, struct diag *d, unsigned flags,
                  frame_fields_fn cb, void *ctx)
{
    frame_with_fields(file, buf, len, c, d, flags, cb, ctx, 0);
}

size_t frame_fields_lines(const char *file, const char *buf, size_t len,
                          const struct config *c, struct diag *d,
                          unsigned flags, frame_fields_fn cb, void *ctx)
{
    return frame_with_fields(file, buf, len, c, d, flags, cb, ctx, 1);
}

int frame_is_ndjson(const char *buf, size_t len, const struct config *c)
{
    struct frame f = {"", buf, len, c, NULL, NULL, NULL, NULL, NULL};
    size_t at = scan_ws(buf, len, 0);
    return at < len && is_ndjson(&f, at);
}
