/*
 * batch — one pass over the files a user names: read, frame, classify and
 * aggregate every record, then find each key's Insights.
 *
 * The result does not depend on the order of files or of records in them:
 * events are sorted by key and time before any model sees them.  Progress
 * goes to stderr when it is a terminal.  Not thread-safe.
 */
#ifndef CTI_BATCH_H
#define CTI_BATCH_H

#include "agg.h"
#include "config.h"
#include "detect.h"
#include "diag.h"
#include "source.h"

struct batch {
    const struct config *cfg;
    struct diag diag;
    struct agg *agg;              /* owned */
    struct insight_list insights; /* after batch_detect */
    size_t suppressed;            /* Insights dropped by suppress rules */
    int progress;                 /* print a progress line on stderr */
};

void batch_init(struct batch *b, const struct config *c);
void batch_free(struct batch *b);
/* Read every file of files into the aggregate. */
void batch_read(struct batch *b, const struct pathlist *files);
/* Find the Insights of every key, in key order, name their categories and
 * drop those a suppress rule matches. */
void batch_detect(struct batch *b);
/* Count the Insights still open at the end of the data. */
size_t batch_open_insights(const struct batch *b);

#endif
