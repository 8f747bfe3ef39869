/*
 * ids — deterministic GUIDs for Insight records.
 *
 * A sharedEventID is derived from an Insight's key and start minute, and an
 * eventID from the sharedEventID and the record's state, so that a rerun
 * over the same logs (or a replay after a restart) yields the same IDs.
 * The form is an RFC 9562 version-8 (custom) UUID.  Pure, thread-safe.
 */
#ifndef CTI_IDS_H
#define CTI_IDS_H

#include <stddef.h>

#define IDS_UUID_LEN 37

/* Write the UUID derived from data[0..len) into out (NUL-terminated). */
void ids_uuid(const void *data, size_t len, char out[IDS_UUID_LEN]);

#endif
