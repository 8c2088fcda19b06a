/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealed snapshots opened and sealed again in userspace, with the
 * sealing key's bytes known to the test (persist_test's fuzz): the
 * format of Documentation/admin-guide/persistence.rst, the key and nonce
 * as kmod/seal.c derives them.
 */
#ifndef MLS_SELFTEST_SNAP_SEAL_H
#define MLS_SELFTEST_SNAP_SEAL_H

#include <stddef.h>
#include <stdint.h>

/* Offsets in the header: magic, version, flags, seq, epoch, salt, gid. */
#define SNAP_OFF_VERSION	4
#define SNAP_OFF_FLAGS		6
#define SNAP_OFF_SEQ		8
#define SNAP_OFF_EPOCH		16
#define SNAP_OFF_SALT		24
#define SNAP_OFF_GID_LEN	56
#define SNAP_HDR_FIXED		57
#define SNAP_SALT_LEN		32
#define SNAP_TAG_LEN		16

/* The header's length (up to the body), or 0 if @len cannot hold it. */
size_t snap_hdr_len(const uint8_t *snap, size_t len);

/*
 * Open @snap (@len bytes) with the keyring payload @ikm: its body goes
 * to @body (room for @len bytes), its length to *@body_len. 0, or -1
 * (no header, or the tag does not verify).
 */
int snap_unseal(const uint8_t *ikm, size_t ikm_len, const uint8_t *snap,
		size_t len, uint8_t *body, size_t *body_len);

/*
 * Seal @body after the header @hdr (@hdr_len bytes, taken as they are:
 * the AAD, and the salt at SNAP_OFF_SALT if it holds one) into @out,
 * which gets @hdr_len + @body_len + SNAP_TAG_LEN bytes. 0 or -1.
 */
int snap_reseal(const uint8_t *ikm, size_t ikm_len, const uint8_t *hdr,
		size_t hdr_len, const uint8_t *body, size_t body_len,
		uint8_t *out);

/* Big-endian fields. */
static inline uint64_t snap_get_be(const uint8_t *p, unsigned int width)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < width; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void snap_put_be(uint8_t *p, unsigned int width, uint64_t v)
{
	unsigned int i;

	for (i = width; i--; v >>= 8)
		p[i] = (uint8_t)v;
}

/* One integer field of a body: where it is and how wide (1, 2, 4, 8). */
struct snap_field {
	uint32_t off;
	uint8_t width;
	uint8_t is_len;		/* a length or count */
};

/*
 * The integer fields of an unmodified @body of format @version (1 to 3)
 * and a suite with hash length @nh and key length @nk, in order, at most
 * @cap: their number, or -1 if the body is not laid out as @version
 * says.
 */
int snap_body_fields(const uint8_t *body, size_t len, unsigned int version,
		     size_t nh, size_t nk, struct snap_field *f, size_t cap);

#endif /* MLS_SELFTEST_SNAP_SEAL_H */
