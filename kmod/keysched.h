/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The RFC 9420 key schedule (§8), the MLS-Exporter (§8.5) and the
 * GroupContext (§8.1) it binds every epoch to.
 */
#ifndef _MLS_KEYSCHED_H
#define _MLS_KEYSCHED_H

#include "codec.h"
#include "suite.h"

#include <linux/gfp.h>
#include <linux/types.h>

/* ProtocolVersion mls10 (§6). */
#define MLS_VERSION_MLS10	1

/**
 * struct mls_epoch_secrets - what §8 derives from an epoch_secret
 * @sender_data: sender_data_secret, keys the sender data (§6.3.2)
 * @encryption: encryption_secret, the root of the secret tree (§9)
 * @exporter: exporter_secret, for the MLS-Exporter (§8.5)
 * @external: external_secret, the external init key pair's seed
 * @confirm: confirmation_key
 * @membership: membership_key
 * @resumption: resumption_psk
 * @authentication: the epoch_authenticator
 * @init: init_secret of the next epoch
 *
 * Nh bytes of each are used. Wipe with mls_epoch_secrets_wipe().
 */
struct mls_epoch_secrets {
	u8 sender_data[MLS_MAX_HASH_LEN];
	u8 encryption[MLS_MAX_HASH_LEN];
	u8 exporter[MLS_MAX_HASH_LEN];
	u8 external[MLS_MAX_HASH_LEN];
	u8 confirm[MLS_MAX_HASH_LEN];
	u8 membership[MLS_MAX_HASH_LEN];
	u8 resumption[MLS_MAX_HASH_LEN];
	u8 authentication[MLS_MAX_HASH_LEN];
	u8 init[MLS_MAX_HASH_LEN];
};

/**
 * struct mls_group_context_in - the fields of a GroupContext (§8.1)
 * @group_id: the group id
 * @group_id_len: its length
 * @epoch: the epoch
 * @tree_hash: the ratchet tree's root hash
 * @tree_hash_len: its length
 * @cth: the confirmed_transcript_hash
 * @cth_len: its length
 * @extensions: the *content* of the extensions<V> vector, that is the
 *	encoded Extension structs one after the other; the encoder adds the
 *	vector's length. NULL with @ext_len 0 when there are none (the
 *	vector then encodes as the single byte 0x00).
 * @ext_len: length of @extensions
 *
 * The version (mls10) and the cipher suite come from the suite.
 */
struct mls_group_context_in {
	const u8 *group_id;
	size_t group_id_len;
	u64 epoch;
	const u8 *tree_hash;
	size_t tree_hash_len;
	const u8 *cth;
	size_t cth_len;
	const u8 *extensions;
	size_t ext_len;
};

void mls_epoch_secrets_wipe(struct mls_epoch_secrets *es);

int mls_keysched_joiner(const struct mls_suite *s, const u8 *init_secret,
			const u8 *commit_secret, const u8 *group_context,
			size_t gc_len, u8 *joiner_out);
int mls_keysched_from_joiner(const struct mls_suite *s,
			     const u8 *joiner_secret, const u8 *psk_secret,
			     const u8 *group_context, size_t gc_len,
			     struct mls_epoch_secrets *out, u8 *welcome_out);
int mls_keysched_member(const struct mls_suite *s, const u8 *joiner_secret,
			const u8 *psk_secret, u8 *member_out, u8 *welcome_out);
int mls_keysched_from_member(const struct mls_suite *s, const u8 *member,
			     const u8 *group_context, size_t gc_len,
			     struct mls_epoch_secrets *out);
int mls_keysched_from_epoch_secret(const struct mls_suite *s,
				   const u8 *epoch_secret,
				   struct mls_epoch_secrets *out);
int mls_exporter(const struct mls_suite *s, const u8 *exporter_secret,
		 const u8 *label, size_t label_len,
		 const u8 *ctx, size_t ctx_len, u8 *out, size_t out_len);

void mls_put_group_context(struct mls_wbuf *w, const struct mls_suite *s,
			   const struct mls_group_context_in *in);
int mls_group_context_encode(const struct mls_suite *s,
			     const struct mls_group_context_in *in,
			     u8 *buf, size_t cap, size_t *len);
u8 *mls_group_context_alloc(const struct mls_suite *s,
			    const struct mls_group_context_in *in,
			    size_t *len, gfp_t gfp);

#endif /* _MLS_KEYSCHED_H */
