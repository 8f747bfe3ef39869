#include "inflate.h"

#include "xalloc.h"

#include <libdeflate.h>
#include <string.h>
#include <zlib.h>

#define CHUNK (256 * 1024)

int inflate_is_gzip(const char *buf, size_t len)
{
    return len >= 2 && (unsigned char)buf[0] == 0x1f &&
           (unsigned char)buf[1] == 0x8b;
}

const char *inflate_str(enum inflate_rc rc)
{
    switch (rc) {
    case INFLATE_OK:
        return "ok";
    case INFLATE_TRUNCATED:
        return "gzip data ends early";
    case INFLATE_DAMAGED:
        return "gzip data is damaged";
    case INFLATE_TOO_BIG:
        return "gzip data inflates past the size limit";
    }
    return "unknown";
}

/* The zlib path: streaming, every problem placed. */
static enum inflate_rc inflate_zlib(const char *in, size_t inlen, size_t max_out,
                                    char **out, size_t *outlen, size_t *cap,
                                    size_t *at)
{
    z_stream zs;
    enum inflate_rc rc = INFLATE_OK;
    memset(&zs, 0, sizeof(zs));
    *outlen = 0;
    *at = 0;
    if (!inflate_is_gzip(in, inlen) || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        rc = inlen == 0 || (inlen == 1 && (unsigned char)in[0] == 0x1f)
                 ? INFLATE_TRUNCATED
                 : INFLATE_DAMAGED;
        goto done_noend;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)(inlen > 0x40000000 ? 0x40000000 : inlen);
    size_t fed = zs.avail_in;
    for (;;) {
        if (zs.avail_in == 0 && fed < inlen) {
            size_t n = inlen - fed > 0x40000000 ? 0x40000000 : inlen - fed;
            zs.next_in = (Bytef *)in + fed;
            zs.avail_in = (uInt)n;
            fed += n;
        }
        if (*outlen >= max_out) {
            rc = INFLATE_TOO_BIG;
            *at = fed - zs.avail_in;
            break;
        }
        size_t room = max_out - *outlen < CHUNK ? max_out - *outlen : CHUNK;
        *out = xgrow(*out, cap, *outlen + room + 1, 1);
        zs.next_out = (Bytef *)*out + *outlen;
        zs.avail_out = (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        *outlen += room - zs.avail_out;
        size_t used = fed - zs.avail_in;
        if (zr == Z_STREAM_END) {
            if (used == inlen)
                break;
            if (inflate_is_gzip(in + used, inlen - used)) {
                inflateReset(&zs);
                continue;
            }
            /* gzip -d ignores trailing zeros (padding); so do we. */
            size_t z = used;
            while (z < inlen && in[z] == 0)
                z++;
            if (z == inlen)
                break;
            rc = inlen - used == 1 && (unsigned char)in[used] == 0x1f
                     ? INFLATE_TRUNCATED
                     : INFLATE_DAMAGED;
            *at = used;
            break;
        }
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR && zs.avail_out == 0)
            continue;
        if (zr == Z_BUF_ERROR && used == inlen) {
            rc = INFLATE_TRUNCATED;
            *at = inlen;
            break;
        }
        rc = INFLATE_DAMAGED;
        *at = used;
        break;
    }
    inflateEnd(&zs);
done_noend:
    *out = xgrow(*out, cap, *outlen + 1, 1);
    (*out)[*outlen] = '\0';
    return rc;
}

/* The size a gzip stream of n bytes says it inflates to (its last
 * member's ISIZE, modulo 2^32), at least a small default. */
static size_t size_hint(const unsigned char *in, size_t n)
{
    size_t hint = n >= 18 ? (size_t)in[n - 4] | (size_t)in[n - 3] << 8 |
                                (size_t)in[n - 2] << 16 | (size_t)in[n - 1] << 24
                          : 0;
    return hint > n * 4 ? hint : n * 4;
}

/* The libdeflate path: 0 when every member inflated within max_out and
 * nothing else follows them, -1 to take the zlib path. */
static int inflate_fast(struct inflater *z, const char *in, size_t inlen,
                        size_t max_out, char **out, size_t *outlen, size_t *cap)
{
    if (!inflate_is_gzip(in, inlen) ||
        (!z->dec && !(z->dec = libdeflate_alloc_decompressor())))
        return -1;
    size_t pos = 0, want = size_hint((const unsigned char *)in, inlen);
    *outlen = 0;
    *out = xgrow(*out, cap, (want < max_out ? want : max_out) + 1, 1);
    while (pos < inlen) {
        if (!inflate_is_gzip(in + pos, inlen - pos))
            return -1;
        size_t used, made, room = *cap - *outlen - 1;
        if (room > max_out - *outlen)
            room = max_out - *outlen;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            z->dec, in + pos, inlen - pos, *out + *outlen, room, &used, &made);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if (room == max_out - *outlen)
                return -1; /* past the bound: zlib says how far it got */
            *out = xgrow(*out, cap, *cap * 2, 1);
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS)
            return -1;
        *outlen += made;
        pos += used;
    }
    (*out)[*outlen] = '\0';
    return 0;
}

enum inflate_rc inflate_gzip(struct inflater *z, const char *in, size_t inlen,
                             size_t max_out, char **out, size_t *outlen,
                             size_t *cap, size_t *at)
{
    *at = 0;
    if (z && inflate_fast(z, in, inlen, max_out, out, outlen, cap) == 0)
        return INFLATE_OK;
    return inflate_zlib(in, inlen, max_out, out, outlen, cap, at);
}

void inflater_free(struct inflater *z)
{
    libdeflate_free_decompressor(z->dec);
    z->dec = NULL;
}
