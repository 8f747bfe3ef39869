#include "gunzip.h"

#include "xalloc.h"

#include <string.h>
#include <zlib.h>

#define CHUNK (256 * 1024)

int gunzip_is_gzip(const char *buf, size_t len)
{
    return len >= 2 && (unsigned char)buf[0] == 0x1f &&
           (unsigned char)buf[1] == 0x8b;
}

const char *gunzip_str(enum gunzip_rc rc)
{
    switch (rc) {
    case GUNZIP_OK:
        return "ok";
    case GUNZIP_TRUNCATED:
        return "gzip data ends early";
    case GUNZIP_DAMAGED:
        return "gzip data is damaged";
    case GUNZIP_TOO_BIG:
        return "gzip data inflates past the size limit";
    }
    return "unknown";
}

enum gunzip_rc gunzip(const char *in, size_t inlen, size_t max_out,
                      char **out, size_t *outlen, size_t *cap, size_t *at)
{
    z_stream zs;
    enum gunzip_rc rc = GUNZIP_OK;
    memset(&zs, 0, sizeof(zs));
    *outlen = 0;
    *at = 0;
    if (!gunzip_is_gzip(in, inlen) || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        rc = inlen == 0 || (inlen == 1 && (unsigned char)in[0] == 0x1f)
                 ? GUNZIP_TRUNCATED
                 : GUNZIP_DAMAGED;
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
            rc = GUNZIP_TOO_BIG;
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
            if (gunzip_is_gzip(in + used, inlen - used)) {
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
                     ? GUNZIP_TRUNCATED
                     : GUNZIP_DAMAGED;
            *at = used;
            break;
        }
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR && zs.avail_out == 0)
            continue;
        if (zr == Z_BUF_ERROR && used == inlen) {
            rc = GUNZIP_TRUNCATED;
            *at = inlen;
            break;
        }
        rc = GUNZIP_DAMAGED;
        *at = used;
        break;
    }
    inflateEnd(&zs);
done_noend:
    *out = xgrow(*out, cap, *outlen + 1, 1);
    (*out)[*outlen] = '\0';
    return rc;
}
