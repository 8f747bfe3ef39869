#include "ids.h"

#include "strpool.h"

#include <stdint.h>
#include <stdio.h>

void ids_uuid(const void *data, size_t len, char out[IDS_UUID_LEN])
{
    uint64_t hi = strpool_hash(data, len, 0x9e3779b97f4a7c15ULL);
    uint64_t lo = strpool_hash(data, len, 0xc2b2ae3d27d4eb4fULL);
    hi = (hi & ~0xf000ULL) | 0x8000ULL;                      /* version 8 */
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; /* variant 10 */
    snprintf(out, IDS_UUID_LEN, "%08x-%04x-%04x-%04x-%012llx",
             (unsigned)(hi >> 32), (unsigned)(hi >> 16) & 0xffff,
             (unsigned)hi & 0xffff, (unsigned)(lo >> 48),
             (unsigned long long)(lo & 0xffffffffffffULL));
}
