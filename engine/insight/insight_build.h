/*
 * insight_build — the Insight records the engine's decisions become.
 *
 * detect decides, per key and minute, that an Insight starts or ends;
 * these turn that into a struct insight_report handed to the stream's
 * emit callback.  On a Start: the key's baseline (its weighted rate, the
 * minutes behind it, the top principals, user agents and error codes from
 * its sketches), the category (the error code the window's calls failed
 * with, for call rate), whether a suppress rule drops it, and the first
 * minute's attributions; the open record then follows the key's events
 * until the End, which reports the averages and attributions over the
 * whole span.  Works on the engine's internals (stream_int.h); called on
 * the engine's thread only.
 */
#ifndef CTI_INSIGHT_BUILD_H
#define CTI_INSIGHT_BUILD_H

#include "stream_int.h"

/* detect's callbacks (struct detect_events): ctx is the struct stream,
 * key the key's id. */
void insight_build_start(void *ctx, uint32_t key, const struct insight *ins);
void insight_build_end(void *ctx, uint32_t key, const struct insight *ins);

/* After key k's step in minute t: its events ev[0..n) in t belong to its
 * open increase (unless it started in this very minute). */
void insight_build_follow(struct stream *s, struct key *k, uint32_t t,
                          const struct mev *ev, size_t n);

/* Free an open Insight's record (NULL is fine). */
void insight_build_free(struct open_rec *o);

#endif
