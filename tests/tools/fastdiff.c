/*
 * fastdiff — the fast extractor against jansson over whole files.
 *
 *   fastdiff PATH...
 *
 * Every file the paths name (folders walked as the engine walks them) is
 * loaded as the engine loads it and compared by fastcmp_buffer under three
 * configurations: the defaults, input.infer_missing, and tight limits
 * (input.max_record_bytes 4 KiB, input.max_depth 5), so that records near
 * the limits are compared too.  Prints one line per disagreeing file and a
 * summary; exits 0 when the two paths agree on everything, 1 otherwise, 2
 * on a bad path.
 */
#include "config.h"
#include "diag.h"
#include "fastcmp.h"
#include "fastrec.h"
#include "source.h"
#include "source_walk.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct source_walk files;
    struct diag d;
    char err[1024];
    diag_init(&d);
    xalloc_install_json();
    for (int i = 1; i < argc; i++) {
        if (source_check(argv[i], err, sizeof err) != 0) {
            fprintf(stderr, "fastdiff: %s\n", err);
            return 2;
        }
    }
    struct config cfgs[3];
    const char *names[3] = {"defaults", "infer_missing", "tight limits"};
    for (int i = 0; i < 3; i++)
        config_defaults(&cfgs[i]);
    cfgs[1].infer_missing = 1;
    cfgs[2].max_record_bytes = 4096;
    cfgs[2].max_depth = 5;
    struct fastcmp_stats st[3];
    memset(st, 0, sizeof st);
    struct source_loader l = {0};
    struct source_buf b = {0};
    d.out = fopen("/dev/null", "w");
    size_t bad_files = 0;
    source_walk_init(&files, argv + 1, (size_t)(argc - 1));
    size_t nfiles = 0;
    for (const char *path; (path = source_walk_next(&files, &d)) != NULL; nfiles++) {
        if (source_load(&l, path, &b, &d) < 0) {
            fprintf(stderr, "fastdiff: %s: cannot open\n", path);
            return 2;
        }
        for (int k = 0; k < 3; k++) {
            if (fastcmp_buffer(path, b.data, b.len, &cfgs[k], NULL, &st[k]) == 0)
                continue;
            bad_files++;
            printf("fastdiff: %s (%s): fast and jansson paths disagree:\n",
                   path, names[k]);
            struct fastcmp_stats again = {0};
            fastcmp_buffer(path, b.data, b.len, &cfgs[k], stdout, &again);
        }
    }
    for (int k = 0; k < 3; k++)
        printf("fastdiff: %s: %zu files, %zu records (%zu read by the fast "
               "extractor alone, %zu skipped), %zu disagreements\n",
               names[k], nfiles, st[k].records, st[k].fast, st[k].skipped,
               st[k].disagreements);
    printf("fastdiff: string scanner %s\n", fastrec_isa());
    fclose(d.out);
    source_buf_free(&b);
    source_loader_free(&l);
    source_walk_free(&files);
    for (int i = 0; i < 3; i++)
        config_free(&cfgs[i]);
    return bad_files ? 1 : 0;
}
