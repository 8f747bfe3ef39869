/*
 * xalloc — the project's allocation wrappers.
 *
 * Every allocation in engine/ and models/ goes through these, and jansson is
 * pointed at them too (xalloc_install_json), so tests can count or fail
 * allocations in one place.  Out of memory is not recoverable for a batch
 * scorer: the wrappers print one line and exit(3).  xfree(NULL) is a no-op.
 * Thread-safe as long as the C library's malloc is.
 */
#ifndef CTI_XALLOC_H
#define CTI_XALLOC_H

#include <stddef.h>

/* Allocate n bytes (never returns NULL; exits on failure). Caller frees. */
void *xmalloc(size_t n);
/* Allocate n*size zeroed bytes, checking the product for overflow. */
void *xcalloc(size_t n, size_t size);
/* Resize p to n bytes; p may be NULL. Never returns NULL. */
void *xrealloc(void *p, size_t n);
/* Grow an array so that it holds at least need elements of size each;
 * *cap is updated (doubling). Returns the possibly moved array. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
/* Copy a string / the first n bytes of s plus a NUL. Caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Free p; NULL is a no-op. */
void xfree(void *p);
/* Make jansson allocate through these wrappers. Call once at start-up. */
void xalloc_install_json(void);

#endif
