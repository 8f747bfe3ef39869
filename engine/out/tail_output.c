#include "tail_output.h"

#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tail_output {
    char *path; /* NULL: stdout */
    FILE *f;
    uint64_t written; /* bytes of the file: its length at open plus what we wrote */
};

#define STATE_NAME "tail.output_bytes"

static int open_file(struct tail_output *o, char *err, size_t errlen)
{
    o->f = fopen(o->path, "ab");
    if (!o->f) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", o->path, strerror(errno));
        return -1;
    }
    struct stat sb;
    o->written = fstat(fileno(o->f), &sb) == 0 ? (uint64_t)sb.st_size : 0;
    return 0;
}

struct tail_output *tail_output_open(const char *path, struct state *st, char *err,
                                     size_t errlen)
{
    struct tail_output *o = xcalloc(1, sizeof(*o));
    if (!path) {
        o->f = stdout;
        return o;
    }
    o->path = xstrdup(path);
    if (st) {
        void *v;
        size_t n;
        uint64_t committed;
        struct stat sb;
        if (state_get(st, STATE_NAME, &v, &n) == 0) {
            int ok = n == sizeof(committed);
            if (ok)
                memcpy(&committed, v, sizeof(committed));
            xfree(v);
            /* What was written after the last commit is decided again. */
            if (ok && stat(path, &sb) == 0 && (uint64_t)sb.st_size > committed &&
                truncate(path, (off_t)committed) != 0) {
                snprintf(err, errlen, "%s: cannot cut back to %llu bytes: %s", path,
                         (unsigned long long)committed, strerror(errno));
                tail_output_close(o);
                return NULL;
            }
        }
    }
    if (open_file(o, err, errlen) != 0) {
        tail_output_close(o);
        return NULL;
    }
    return o;
}

void tail_output_close(struct tail_output *o)
{
    if (!o)
        return;
    if (o->f && o->f != stdout)
        fclose(o->f);
    else if (o->f)
        fflush(o->f);
    xfree(o->path);
    xfree(o);
}

int tail_output_line(struct tail_output *o, const char *line, char *err, size_t errlen)
{
    size_t n = strlen(line);
    if (fwrite(line, 1, n, o->f) != n || fputc('\n', o->f) == EOF || fflush(o->f) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", o->path ? o->path : "<stdout>",
                 strerror(errno));
        clearerr(o->f);
        return -1;
    }
    o->written += n + 1;
    return 0;
}

int tail_output_checkpoint(struct tail_output *o, struct state *st)
{
    if (!o->path)
        return 0;
    return state_put(st, STATE_NAME, &o->written, sizeof(o->written));
}

int tail_output_reopen(struct tail_output *o, char *err, size_t errlen)
{
    if (!o->path)
        return 0;
    fclose(o->f);
    o->f = NULL;
    return open_file(o, err, errlen);
}
