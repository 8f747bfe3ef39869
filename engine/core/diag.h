/*
 * diag — what happened to every input, counted and reported.
 *
 * Each way a record or file can be passed over is an enum value with a
 * name; a run counts every one (struct diag) and prints the first few of
 * each kind to stderr as "ctinsights: FILE:LINE:COL (byte N): REASON: detail",
 * then only counts.  Records that are valid but do not feed Insights (read
 * calls, data events, Insight records) are counted as "ignored", not as
 * errors: --strict fails a run only on skips.  What a folder walk passes
 * over is counted as "passed over": silently when its name says it is not a
 * log (files_passed), with a message "ctinsights: PATH: REASON: detail;
 * passed over" when it has a log's name but is no file to read or was read
 * already (a pass_reason: loops, links to what was read, FIFOs, devices);
 * a file or folder that cannot be read is a skip (read_error).  A diag in deferred mode
 * (diag_defer) keeps its messages in memory instead, so that files read on
 * other threads can be reported as if read one after the other: merging
 * deferred diags into the run's in input order (diag_merge) prints exactly
 * what a single-threaded run prints.  Not thread-safe: one diag per thread.
 */
#ifndef CTI_DIAG_H
#define CTI_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum skip_reason {
    SKIP_INVALID_JSON,   /* not valid JSON (syntax) */
    SKIP_INVALID_UTF8,   /* a string holds bytes that are not UTF-8 */
    SKIP_TRUNCATED,      /* JSON or gzip cut off before its end */
    SKIP_BAD_GZIP,       /* gzip data that cannot be inflated */
    SKIP_NOT_CLOUDTRAIL, /* a JSON value that is neither a record nor a known wrapper */
    SKIP_MISSING_FIELD,  /* eventTime, eventSource, eventName, awsRegion or account absent */
    SKIP_WRONG_TYPE,     /* a needed field has the wrong JSON type */
    SKIP_BAD_TIME,       /* eventTime not in a CloudTrail time form */
    SKIP_OVERSIZED,      /* record larger than input.max_record_bytes */
    SKIP_TOO_DEEP,       /* nesting deeper than input.max_depth */
    SKIP_READ_ERROR,     /* the file could not be read to its end */
    SKIP_BAD_BASE64,     /* base64 text (an HTTP body, Firehose record data) that cannot be decoded */
    SKIP__COUNT
};

enum ignore_reason {
    IGNORE_INSIGHT,        /* an AwsCloudTrailInsight record in the input */
    IGNORE_NOT_MANAGEMENT, /* data, network-activity or unclassified event */
    IGNORE_READ_OK,        /* a management read call without an error */
    IGNORE_CONTROL,        /* a CloudWatch Logs CONTROL_MESSAGE or a digest file */
    IGNORE_RULE,           /* matched an ignore rule of the config */
    IGNORE__COUNT
};

/* Why a walk passed over an entry that has a log's name, with a message. */
enum pass_reason {
    PASS_LOOP,        /* a link or mount leading back to a folder the walk is in */
    PASS_SAME_FOLDER, /* a folder already walked, reached again */
    PASS_SAME_FILE,   /* a file already read, reached again (link, hard link, named twice) */
    PASS_NOT_FILE,    /* not a regular file: a FIFO, device or socket */
    PASS_EMPTY,       /* an empty file */
    PASS__COUNT
};

struct diag {
    uint64_t files;          /* files opened */
    uint64_t files_passed;   /* entries passed over by name or folder, and passed[] */
    uint64_t passed[PASS__COUNT]; /* of files_passed, those passed over with a message */
    uint64_t bytes_read;     /* bytes read from disk/stdin */
    uint64_t bytes_json;     /* bytes after inflating */
    uint64_t records;        /* record candidates seen (valid or not) */
    uint64_t counted_calls;  /* events counted for call-rate keys */
    uint64_t counted_errors; /* events counted for error-rate keys */
    uint64_t late;           /* of those, events for minutes already decided */
    uint64_t duplicates;     /* counted records whose eventID their minute had counted */
    uint64_t skipped[SKIP__COUNT];
    uint64_t ignored[IGNORE__COUNT];
    uint64_t quiet[SKIP__COUNT]; /* the first this many of each reason are not printed
                                    (already printed by an earlier pass) */
    unsigned max_messages; /* messages printed per reason (default 10) */
    uint64_t quiet_passed[PASS__COUNT]; /* the same for passed-over messages */
    FILE *out;             /* where messages go (default stderr) */
    /* private: deferred mode */
    int deferred;
    struct diag_msg *log;     /* the first max_messages of each reason */
    size_t nlog, log_cap;
    uint64_t logged[SKIP__COUNT];
    uint64_t logged_passed[PASS__COUNT];
};

/* A message kept by a deferred diag. */
struct diag_msg {
    int pass;   /* 1: a passed-over message */
    int reason; /* an enum skip_reason, or an enum pass_reason when pass */
    char *file, *detail; /* owned copies */
    size_t byte;
    size_t line, col; /* 0 when the message has no line (no buffer) */
};

/* Zero the counters; messages go to stderr. */
void diag_init(struct diag *d);
/* Zero the counters and keep messages in memory (at most max_messages of
 * each reason) until diag_merge; d's memory is reused.  Free with
 * diag_free. */
void diag_defer(struct diag *d, unsigned max_messages);
/* Add the counters of from (deferred) to into and report its messages as
 * into's diag_skip would have, had the skips been counted there (into may
 * be deferred too).  from's byte offsets are moved by byte_base and its
 * line numbers by line_base: from counted a piece of a file that starts at
 * that byte, at the start of line line_base + 1 (0, 0 for a whole file). */
void diag_merge(struct diag *into, const struct diag *from, size_t byte_base,
                size_t line_base);
/* Free a deferred diag's messages.  NULL-safe for a diag never deferred. */
void diag_free(struct diag *d);
/* Short snake_case name of a reason, e.g. "invalid_json". */
const char *skip_reason_name(enum skip_reason r);
const char *ignore_reason_name(enum ignore_reason r);
const char *pass_reason_name(enum pass_reason r);
/* Count one skip and print it if under the per-reason limit.  buf (may be
 * NULL) is the file's bytes, used to turn offset into line:col.  detail is
 * a short lowercase phrase. */
void diag_skip(struct diag *d, enum skip_reason r, const char *file,
               const char *buf, size_t offset, const char *detail);
/* Count one entry passed over (in files_passed and passed[r]) and, when
 * under the per-reason limit and past quiet_passed[r], print "FILE:
 * REASON: detail; passed over". */
void diag_pass(struct diag *d, enum pass_reason r, const char *file,
               const char *detail);
/* Total skips. */
uint64_t diag_skipped(const struct diag *d);
/* What the run found, for the summary. */
struct diag_findings {
    size_t keys, insights, open_insights, suppressed;
    int sorted; /* the input was read twice, the second time sorted */
    char watermark[160]; /* how far minutes are decided; "" to say nothing */
};
/* Print the run summary (files, what was passed over with a message,
 * records, skips and ignores by reason, and the findings) to d->out. */
void diag_summary(const struct diag *d, const struct diag_findings *f,
                  double seconds);

#endif
