/*
 * idset — a set of 64-bit keys in groups, such as the (device, inode)
 * identities of the files and folders a walk has met, or the eventIDs of
 * the records a minute has counted.
 *
 * Keys are kept per group (a group is a device: a walk meets one or a few)
 * in open-addressing tables of bare 8-byte keys, so a set of n keys costs
 * 8 to 21 bytes a key: 546,708 files on one device, about 8 MB.  Nothing is
 * ever removed but all at once (idset_clear keeps the memory for the next
 * pass).  Zero-initialise; not thread-safe.
 */
#ifndef CTI_IDSET_H
#define CTI_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset_group;

struct idset {
    /* private */
    struct idset_group *groups;
    size_t ngroups, cap;
};

/* Add key to group.  Returns 1 when it was not in the set, 0 when it was
 * already there. */
int idset_add(struct idset *s, uint64_t group, uint64_t key);

/* Whether key is in group. */
int idset_has(const struct idset *s, uint64_t group, uint64_t key);

/* The number of keys in the set. */
size_t idset_count(const struct idset *s);

/* Call fn for every key of the set, in no particular order. */
void idset_each(const struct idset *s, void (*fn)(void *ctx, uint64_t group, uint64_t key),
                void *ctx);

/* Empty the set, keeping its tables (their memory) for what comes next. */
void idset_clear(struct idset *s);

/* Free the set's memory; it is empty and usable again.  NULL-safe. */
void idset_free(struct idset *s);

#endif
