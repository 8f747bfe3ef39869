#include "out.h"

#include <string.h>

const struct out_ops *const out_registry[] = {&out_ndjson, &out_records,
                                              &out_s3, NULL};

const struct out_ops *out_find(const char *name)
{
    for (int i = 0; out_registry[i]; i++)
        if (strcmp(out_registry[i]->name, name) == 0)
            return out_registry[i];
    return NULL;
}

int out_dump_line(const struct out_sink *s, FILE *f, json_t *rec)
{
    if (json_dumpf(rec, f, s->dump_flags) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}
