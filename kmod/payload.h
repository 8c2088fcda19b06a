/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Payload checks at record time: the gzip decompression-bomb check.
 */
#ifndef _MLS_PAYLOAD_H
#define _MLS_PAYLOAD_H

#include <linux/types.h>

/**
 * mls_payload_check() - check an event payload
 * @buf: the payload, in kernel memory
 * @len: its length
 * @must_gzip: reject a payload that is not gzip
 * @max_inflated: the most bytes the payload may inflate to
 * @max_ratio: the most bytes it may inflate to per byte of payload
 *
 * A payload that does not start with the gzip magic passes (unless
 * @must_gzip). A gzip payload (RFC 1952, one member or several) must have
 * well-formed headers and deflate data, a last ISIZE within the bounds,
 * and must stand for no more than the bounds once inflated, each member
 * for exactly its trailer's ISIZE. Nothing is inflated: one pass over
 * @buf decodes the codes and adds up their lengths.
 *
 * Context: process context; may sleep.
 * Return: 0, -EMSGSIZE (a decompression bomb), -EBADMSG (malformed, or not
 * gzip with @must_gzip), -ENOMEM.
 */
int mls_payload_check(const u8 *buf, size_t len, bool must_gzip,
		      u32 max_inflated, u32 max_ratio);

#endif /* _MLS_PAYLOAD_H */
