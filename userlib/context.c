// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* The GroupContext of an epoch (RFC 9420 §8.1), encoded. */
#include <libmls.h>

#include "lib.h"

#define MLS_VERSION_10	1

/* A vector fits a varint length (§2.1.2): below 2^30 bytes. */
#define VEC_MAX		((size_t)1 << 30)

static int field_ok(const void *p, size_t len)
{
	return (p || !len) && len < VEC_MAX;
}

/*
 * struct {
 *     ProtocolVersion version = mls10;
 *     CipherSuite cipher_suite;
 *     opaque group_id<V>;
 *     uint64 epoch;
 *     opaque tree_hash<V>;
 *     opaque confirmed_transcript_hash<V>;
 *     Extension extensions<V>;
 * } GroupContext;
 *
 * The same bytes the kernel keeps for each epoch (MLS_IOC_GET_CONTEXT),
 * so that an epoch the kernel no longer keeps can still be signed for or
 * verified.
 */
MLS_EXPORT int mls_group_context_encode(const struct mls_group_context_fields *f,
					struct mls_bytes *out)
{
	struct mls_wbuf w;

	if (!out)
		return -EINVAL;
	out->data = NULL;
	out->len = 0;
	if (!f || !field_ok(f->group_id, f->group_id_len) ||
	    !field_ok(f->tree_hash, f->tree_hash_len) ||
	    !field_ok(f->confirmed_transcript_hash,
		      f->confirmed_transcript_hash_len) ||
	    !field_ok(f->extensions, f->extensions_len))
		return -EINVAL;

	mls_wb_init(&w, 2 + 2 + 3 * 4 + 8 + 4 + f->group_id_len +
		    f->tree_hash_len + f->confirmed_transcript_hash_len +
		    f->extensions_len);
	mls_wb_u16(&w, MLS_VERSION_10);
	mls_wb_u16(&w, f->cipher_suite);
	mls_wb_vec(&w, f->group_id, f->group_id_len);
	mls_wb_u64(&w, f->epoch);
	mls_wb_vec(&w, f->tree_hash, f->tree_hash_len);
	mls_wb_vec(&w, f->confirmed_transcript_hash,
		   f->confirmed_transcript_hash_len);
	/* @extensions is the vector's content, already encoded. */
	mls_wb_vec(&w, f->extensions, f->extensions_len);
	return mls_wb_finish(&w, out);
}
