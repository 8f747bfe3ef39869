/*
 * gzip_fixture — gzip members made in memory for the unit tests that read
 * gzip (source, inflate, in_decode).  Include after cmocka.h.
 */
#ifndef CTI_TEST_GZIP_FIXTURE_H
#define CTI_TEST_GZIP_FIXTURE_H

#include <string.h>
#include <zlib.h>

/* One gzip member of text[0..n) written to out (cap bytes); its length. */
static size_t gzip_member(const char *text, size_t n, void *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)text;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = zs.total_out;
    deflateEnd(&zs);
    return len;
}

#endif
