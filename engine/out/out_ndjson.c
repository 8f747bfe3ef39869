/* out_ndjson — one Insight record per line on stdout (the default). */
#include "out.h"

#include <errno.h>
#include <string.h>

static int ndjson_open(struct out_sink *s)
{
    return 0;
}

static int ndjson_write(struct out_sink *s, json_t *rec)
{
    if (out_dump_line(s, s->f, rec) != 0) {
        snprintf(s->err, sizeof(s->err), "cannot write to standard output: %s",
                 strerror(errno));
        return -1;
    }
    s->written++;
    return 0;
}

static int ndjson_close(struct out_sink *s)
{
    if (fflush(s->f) != 0) {
        snprintf(s->err, sizeof(s->err), "cannot write to standard output: %s",
                 strerror(errno));
        return -1;
    }
    return 0;
}

const struct out_ops out_ndjson = {
    "ndjson", "one Insight record per line (default)",
    ndjson_open, ndjson_write, ndjson_close,
};
