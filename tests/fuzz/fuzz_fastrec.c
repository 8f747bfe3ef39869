/*
 * libFuzzer target: on arbitrary bytes, the fast extractor and jansson must
 * agree on everything the engine gets (fastcmp_buffer), under the default
 * limits and under tight ones (input.max_record_bytes 512, input.max_depth
 * 4).  A disagreement aborts, leaving the input as a crash file; it then
 * goes to tests/fuzz/regressions/ (named *.json), which make test checks.
 * Run by `make fuzz`.
 */
#include "config.h"
#include "fastcmp.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct config cfg[2];
    static int ready;
    if (!ready) {
        xalloc_install_json();
        config_defaults(&cfg[0]);
        config_defaults(&cfg[1]);
        cfg[1].max_record_bytes = 512;
        cfg[1].max_depth = 4;
        ready = 1;
    }
    for (int i = 0; i < 2; i++) {
        struct fastcmp_stats st = {0};
        if (fastcmp_buffer("fuzz.json", (const char *)data, size, &cfg[i],
                           stderr, &st) != 0)
            abort();
    }
    return 0;
}
