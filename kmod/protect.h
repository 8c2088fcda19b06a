/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PrivateMessage protection (RFC 9420 §6.3) with the MLSMessage header:
 * framing, content padding, the content AEAD under a ratchet key with a
 * random reuse_guard, and sender data sealed under the key derived from
 * the ciphertext sample.
 *
 * These functions know nothing of groups: the caller hands over one
 * epoch's view in struct mls_protect_ctx.
 */
#ifndef _MLS_PROTECT_H
#define _MLS_PROTECT_H

#include "hkdf.h"
#include "secret_tree.h"
#include "suite.h"
#include "wire.h"

#include <linux/slab.h>
#include <linux/types.h>

/**
 * struct mls_protect_ctx - one epoch as PrivateMessage protection sees it
 * @suite: the group's suite
 * @group_id: the MLS group_id
 * @group_id_len: its length
 * @epoch: the epoch number
 * @sender_data_secret: the epoch's sender_data_secret (Nh bytes)
 * @tree: the epoch's secret tree
 * @own_leaf: this member's leaf (the sender when protecting; rejected as
 *	a sender when unprotecting)
 * @leaf_count: leaves of the epoch
 * @occupied: bitmap of occupied leaves (@leaf_count bits)
 * @sender_gate: optional; asked once the sender data authenticated, before
 *	any key of the sender is touched: a non-zero return refuses the
 *	message with that error (a circuit breaker failing fast)
 * @gate_arg: for @sender_gate
 * @sd_key: optional; @sender_data_secret made ready by mls_kdf_key_init(),
 *	shared by the messages of one batch
 * @aead: optional; the batch's own AEAD tfm (mls_aead_tfm_get()), for the
 *	sender data and, when sealing, the content: mls_protect() seals the
 *	content first and the sender data last, so that what stays in it
 *	after a message is a sender-data key only (which the epoch's
 *	sender_data_secret derives again at will), never a content key;
 *	mls_unprotect() opens only the sender data in it
 */
struct mls_protect_ctx {
	const struct mls_suite *suite;
	const u8 *group_id;
	size_t group_id_len;
	u64 epoch;
	const u8 *sender_data_secret;
	struct mls_secret_tree *tree;
	u32 own_leaf;
	u32 leaf_count;
	const unsigned long *occupied;
	int (*sender_gate)(void *gate_arg, u32 leaf);
	void *gate_arg;
	const struct mls_kdf_key *sd_key;
	struct mls_aead_tfm *aead;
};

/**
 * struct mls_plain - the content of one message
 * @content_type: MLS_CONTENT_APPLICATION, _PROPOSAL or _COMMIT
 * @aad: authenticated_data
 * @aad_len: its length
 * @data: application: application_data; proposal/commit: the raw
 *	PrivateMessageContent bytes before padding
 * @data_len: its length
 * @udata: instead of @data (then NULL): the same bytes in the caller's
 *	memory, copied once, straight into the message before any key is
 *	taken (a fault costs no generation)
 * @sig: application: the signature bytes (encoded as signature<V>);
 *	proposal/commit: NULL, @sig_len 0
 * @sig_len: its length
 * @padding_block: pad the content plaintext with zeros to a multiple of
 *	this (0 or 1: no padding)
 */
struct mls_plain {
	u8 content_type;
	const u8 *aad;
	size_t aad_len;
	const u8 *data;
	size_t data_len;
	const u8 __user *udata;
	const u8 *sig;
	size_t sig_len;
	u32 padding_block;
};

/**
 * mls_protect_size() - the size of the MLSMessage mls_protect() would write
 */
size_t mls_protect_size(const struct mls_protect_ctx *c,
			const struct mls_plain *p);

/**
 * mls_protect() - encrypt one message from the own leaf
 * @out: buffer of @cap bytes for the MLSMessage
 * @generation: (out) the generation consumed
 *
 * Checks @cap against mls_protect_size() before taking a generation.
 *
 * Return: bytes written, or -ENOSPC (nothing consumed), -EOVERFLOW,
 * -EINVAL, -ENOMEM.
 */
ssize_t mls_protect(const struct mls_protect_ctx *c, const struct mls_plain *p,
		    u8 *out, size_t cap, u32 *generation);

/**
 * struct mls_received - a decrypted message; pointers into the message
 *	buffer given to mls_unprotect()
 * @content_type: the content type
 * @sender_leaf: the sender's leaf
 * @generation: its generation
 * @aad: authenticated_data
 * @aad_len: its length
 * @data: application: application_data; else the whole content plaintext,
 *	padding included
 * @data_len: its length
 * @sig: application: signature; else NULL
 * @sig_len: its length
 * @sender_known: the sender data authenticated and named a valid sender
 *	(in range, occupied, not us): @sender_leaf is set, even when
 *	mls_unprotect() then fails, to account a forgery to its sender. The
 *	sender data only proves that some member wrote it: a member can
 *	make a forgery look like another member's.
 * @authentic: the content's AEAD tag verified (a later failure is a
 *	malformed message, such as non-zero padding, not a forgery)
 * @sender_data_failed: the sender data's AEAD tag did not verify: the
 *	message was not sealed under this epoch's sender_data_secret (a
 *	forgery, or damaged in its sender data or ciphertext sample); no
 *	sender is known
 * @data_user: the content went to the caller's buffer
 *	(mls_unprotect_user()): @data is NULL
 * @scratch: with @data_user, the kernel buffer @sig points into; see
 *	mls_received_free()
 * @scratch_len: its size
 */
struct mls_received {
	bool sender_known;
	bool authentic;
	bool sender_data_failed;
	bool data_user;
	u8 *scratch;
	size_t scratch_len;
	u8 content_type;
	u32 sender_leaf;
	u32 generation;
	const u8 *aad;
	size_t aad_len;
	const u8 *data;
	size_t data_len;
	const u8 *sig;
	size_t sig_len;
};

/**
 * mls_unprotect() - authenticate and decrypt one message, in place
 * @msg: the MLSMessage, modified (decrypted in place)
 * @max_forward: the group's maximum forward distance
 *
 * Nothing is consumed: once the caller has delivered the output it calls
 * mls_unprotect_consume().
 *
 * Return: 0, or -EBADMSG (malformed, wrong group/epoch, blank or own
 * sender leaf, non-zero padding, authentication failed), -EALREADY,
 * -EKEYEXPIRED, -ERANGE, -ENOMEM.
 */
int mls_unprotect(const struct mls_protect_ctx *c, u8 *msg, size_t len,
		  u32 max_forward, struct mls_received *r);

/**
 * struct mls_open_user - the caller's content buffer, for
 *	mls_unprotect_user()
 * @addr: where the content may go
 * @cap: its size in bytes
 * @claim: (out) the message's claim, when the content went there
 */
struct mls_open_user {
	void __user *addr;
	size_t cap;
	struct mls_stree_claim *claim;
};

int mls_unprotect_user(const struct mls_protect_ctx *c, u8 *msg, size_t len,
		       u32 max_forward, struct mls_open_user *u,
		       struct mls_received *r);

/* Wipe and free what mls_unprotect_user() left in @r->scratch. */
static inline void mls_received_free(struct mls_received *r)
{
	kfree_sensitive(r->scratch);
	r->scratch = NULL;
	r->sig = NULL;
	r->sig_len = 0;
}

/**
 * mls_unprotect_consume() - consume the generation of a message that
 *	mls_unprotect() accepted
 *
 * Return: 0, or -EALREADY if another thread consumed it first.
 */
int mls_unprotect_consume(const struct mls_protect_ctx *c,
			  const struct mls_received *r,
			  u32 max_forward, u32 out_of_order);

/**
 * mls_unprotect_claim() - claim the generation of a message that
 *	mls_unprotect() accepted, to deliver it: one caller only gets the
 *	claim; commit it (mls_stree_recv_commit()) once delivered, or
 *	release it (mls_stree_recv_release())
 *
 * Return: the claim, or ERR_PTR(-EALREADY) if another caller consumed or
 * claimed it first, -EKEYEXPIRED, -ENOMEM.
 */
struct mls_stree_claim *mls_unprotect_claim(const struct mls_protect_ctx *c,
					    const struct mls_received *r,
					    u32 max_forward);

#endif /* _MLS_PROTECT_H */
