#include "in_lines.h"

#include <string.h>

void in_lines_init(struct in_lines *l, size_t max_unit, size_t max_line)
{
    l->max_unit = max_unit;
    l->max_line = max_line;
    l->dropping = 0;
}

/* One past the last newline in buf[0..len), or 0. */
static size_t last_newline(const char *buf, size_t len)
{
    const char *p = memrchr(buf, '\n', len);
    return p ? (size_t)(p - buf) + 1 : 0;
}

enum in_cut in_lines_next(struct in_lines *l, const char *buf, size_t len,
                          int final, size_t *n)
{
    *n = 0;
    if (len == 0)
        return IN_CUT_WAIT;
    if (l->dropping) {
        const char *nl = memchr(buf, '\n', len);
        *n = nl ? (size_t)(nl - buf) + 1 : len;
        if (nl || final)
            l->dropping = 0;
        return IN_CUT_DROP;
    }
    size_t cut = last_newline(buf, len < l->max_unit ? len : l->max_unit);
    if (cut == 0) {
        /* The first line is longer than max_unit: it goes alone. */
        const char *nl = memchr(buf, '\n', len);
        size_t first = nl ? (size_t)(nl - buf) + 1 : len;
        if (first - (nl != NULL) > l->max_line) {
            *n = first < len ? first : len;
            l->dropping = !nl && !final;
            return IN_CUT_OVERSIZED;
        }
        if (!nl && !final)
            return IN_CUT_WAIT;
        cut = first;
    }
    *n = cut;
    return IN_CUT_UNIT;
}
