/* out_records — one {"Records":[…]} document on stdout, as in a CloudTrail
 * log file. */
#include "out.h"

#include <errno.h>
#include <string.h>

static int records_open(struct out_sink *s)
{
    return fputs("{\"Records\":[", s->f) == EOF ? -1 : 0;
}

static int records_write(struct out_sink *s, json_t *rec)
{
    if ((s->written && fputc(',', s->f) == EOF) ||
        json_dumpf(rec, s->f, s->dump_flags) != 0) {
        snprintf(s->err, sizeof(s->err), "cannot write to standard output: %s",
                 strerror(errno));
        return -1;
    }
    s->written++;
    return 0;
}

static int records_close(struct out_sink *s)
{
    if (fputs("]}\n", s->f) == EOF || fflush(s->f) != 0) {
        snprintf(s->err, sizeof(s->err), "cannot write to standard output: %s",
                 strerror(errno));
        return -1;
    }
    return 0;
}

const struct out_ops out_records = {
    "records", "one {\"Records\":[...]} document, like a CloudTrail log file",
    records_open, records_write, records_close,
};
