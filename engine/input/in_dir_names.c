#include "in_dir_names.h"

#include <string.h>

static const char *const passed_folders[] = {
    "CloudTrail-Digest", "CloudTrail-Insight", "CloudTrail-Aggregated",
    "CloudTrail-Lake", NULL};

static const char *const suffixes[] = {
    ".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz",
    ".gz", NULL};

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

int in_dir_name_wanted(const char *name)
{
    for (int i = 0; suffixes[i]; i++)
        if (ends_with(name, suffixes[i]))
            return 1;
    return 0;
}

int in_dir_folder_passed(const char *name)
{
    for (int i = 0; passed_folders[i]; i++)
        if (strcmp(name, passed_folders[i]) == 0)
            return 1;
    return 0;
}

int in_dir_name_gzip(const char *name)
{
    return ends_with(name, ".gz");
}
