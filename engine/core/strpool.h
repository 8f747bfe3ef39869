/*
 * strpool — string interning.
 *
 * Every string the engine keeps (accounts, regions, API names, error codes,
 * principal ARNs, user agents) is stored once and named by a small integer
 * id; id 0 is reserved for "no string".  Strings live until strpool_free and
 * their pointers never move.  Not thread-safe: one pool per thread or a lock
 * around it.
 */
#ifndef CTI_STRPOOL_H
#define CTI_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct strpool;

/* A new, empty pool. Free with strpool_free. */
struct strpool *strpool_new(void);
/* Free the pool and every string in it. NULL-safe. */
void strpool_free(struct strpool *p);
/* The id of s[0..len) (which need not be NUL-terminated), adding it if new.
 * Never returns 0. */
uint32_t strpool_intern(struct strpool *p, const char *s, size_t len);
/* The same, given hash = strpool_hash(s, len, 0) already computed. */
uint32_t strpool_intern_hashed(struct strpool *p, const char *s, size_t len,
                               uint64_t hash);
/* The id of s[0..len) if present, else 0. */
uint32_t strpool_find(const struct strpool *p, const char *s, size_t len);
/* The NUL-terminated string of id (borrowed, valid until strpool_free);
 * NULL for id 0. */
const char *strpool_str(const struct strpool *p, uint32_t id);
/* Number of distinct strings. */
size_t strpool_count(const struct strpool *p);
/* 64-bit FNV-1a hash of len bytes, seeded; shared by the engine's tables. */
uint64_t strpool_hash(const void *data, size_t len, uint64_t seed);

#endif
