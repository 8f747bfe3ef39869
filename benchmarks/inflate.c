/*
 * inflate — the inflaters Debian offers, in process, on the same files.
 *
 *   cc -O2 benchmarks/inflate.c -o /tmp/inflate -lz -lisal -ldeflate
 *   find TREE -name '*.json.gz' | /tmp/inflate
 *
 * Reads the gzip files named on stdin into memory, then inflates all of
 * them, one core, with zlib (streaming), ISA-L (isal_inflate) and
 * libdeflate (libdeflate_gzip_decompress), twice each, and prints seconds
 * and MB/s of output.  Used to choose the engine's inflater
 * (benchmarks/README.md); needs libisal-dev and libdeflate-dev.
 */
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
    char line[4096];
    size_t n = 0, cap = 0, in_bytes = 0;
    unsigned char **bufs = NULL;
    size_t *lens = NULL;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        FILE *f = fopen(line, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        rewind(f);
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            bufs = realloc(bufs, cap * sizeof *bufs);
            lens = realloc(lens, cap * sizeof *lens);
        }
        bufs[n] = malloc((size_t)len);
        lens[n] = fread(bufs[n], 1, (size_t)len, f);
        in_bytes += lens[n++];
        fclose(f);
    }
    size_t ocap = 256u << 20;
    unsigned char *out = malloc(ocap);
    static struct inflate_state st;
    struct libdeflate_decompressor *ld = libdeflate_alloc_decompressor();
    printf("%zu files, %.1f MB gzip\n", n, in_bytes / 1e6);
    for (int rep = 0; rep < 2; rep++) {
        double t = now();
        size_t tot = 0;
        for (size_t i = 0; i < n; i++) {
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            inflateInit2(&zs, 31);
            zs.next_in = bufs[i];
            zs.avail_in = (uInt)lens[i];
            zs.next_out = out;
            zs.avail_out = (uInt)ocap;
            inflate(&zs, Z_FINISH);
            tot += zs.total_out;
            inflateEnd(&zs);
        }
        t = now() - t;
        printf("zlib       %.3f s  %5.0f MB/s\n", t, tot / 1e6 / t);
        t = now();
        tot = 0;
        for (size_t i = 0; i < n; i++) {
            isal_inflate_init(&st);
            st.crc_flag = ISAL_GZIP;
            st.next_in = bufs[i];
            st.avail_in = (uint32_t)lens[i];
            st.next_out = out;
            st.avail_out = (uint32_t)ocap;
            isal_inflate(&st);
            tot += st.total_out;
        }
        t = now() - t;
        printf("isa-l      %.3f s  %5.0f MB/s\n", t, tot / 1e6 / t);
        t = now();
        tot = 0;
        for (size_t i = 0; i < n; i++) {
            size_t got = 0;
            libdeflate_gzip_decompress(ld, bufs[i], lens[i], out, ocap, &got);
            tot += got;
        }
        t = now() - t;
        printf("libdeflate %.3f s  %5.0f MB/s\n", t, tot / 1e6 / t);
    }
    return 0;
}
