// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane: ioctls on a group fd.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "aead.h"
#include "commit.h"
#include "drain.h"
#include "epoch_args.h"
#include "handshake.h"
#include "evbuf.h"
#include "events.h"
#include "group.h"
#include "group_ops.h"
#include "hkdf.h"
#include "ioctl.h"
#include "params.h"
#include "protect.h"
#include "quota.h"
#include "recv_save.h"
#include "snapshot.h"
#include "stats.h"
#include "trace.h"
#include "uarg.h"

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

static struct mls_group *ctx_group(struct mls_ioctl_ctx *ctx)
{
	return ctx->file->private_data;
}

/*
 * The small input parts of a message, copied into kernel memory. The
 * content is not: mls_protect() copies it from the caller once, straight
 * into the message it seals in place.
 */
struct msg_parts {
	void *aad;
	void *sig;
};

static void msg_parts_free(struct msg_parts *m, const struct mls_encrypt *a)
{
	if (!IS_ERR_OR_NULL(m->sig))
		kvfree_sensitive(m->sig, a->signature.len);
	if (!IS_ERR_OR_NULL(m->aad))
		kvfree(m->aad);
}

/*
 * An application message carries a FramedContent signature (§6.1) that no
 * RFC 9420 receiver accepts empty or of a length the suite's scheme
 * cannot produce; a proposal or commit carries its own inside @content.
 */
static int check_signature(const struct mls_encrypt *a, const struct mls_suite *s)
{
	u32 len = a->signature.len;

	if (a->content_type != MLS_CONTENT_APPLICATION)
		return len ? -EINVAL : 0;
	return len < s->sig_min || len > s->sig_max ? -EINVAL : 0;
}

/* Per call: 0 is the group's policy, 1 no padding, else within the cap. */
static int check_padding(u32 block)
{
	return block > 1 && block > mls_padding_block_max ? -EINVAL : 0;
}

static int check_encrypt(const struct mls_encrypt *a, const struct mls_suite *s)
{
	if ((a->flags & ~MLS_ENCRYPT_F_ALL) || a->reserved || a->reserved1)
		return -EINVAL;
	if (a->content_type < MLS_CONTENT_APPLICATION ||
	    a->content_type > MLS_CONTENT_COMMIT)
		return -EINVAL;
	return check_signature(a, s) ?: check_padding(a->padding_block) ?:
	       mls_buf_check(&a->message);
}

/**
 * struct mls_batch_keys - what the messages of one batch share
 * @e: the epoch @sd was made for (a reference), or NULL
 * @sd: its sender_data_secret, ready for the two derivations per message
 * @aead: the batch's own AEAD tfm, or NULL (then the pool's slots): the
 *	content is sealed and the sender data sealed or opened in it, and
 *	only a sender-data key stays in it from one message to the next
 *	(struct mls_protect_ctx); the zero key is set when the batch ends
 *
 * Every message still looks its epoch up: a commit in the middle of a
 * batch moves the next message to the new epoch, as between single
 * calls, and @sd follows.
 */
struct mls_batch_keys {
	struct mls_epoch *e;
	struct mls_kdf_key sd;
	struct mls_aead_tfm *aead;
};

struct mls_batch_keys *mls_batch_keys_new(void)
{
	return kzalloc(sizeof(struct mls_batch_keys), GFP_KERNEL_ACCOUNT);
}

void mls_batch_keys_free(struct mls_batch_keys *bk)
{
	if (!bk)
		return;
	mls_aead_tfm_put(bk->aead);
	if (bk->e)
		mls_epoch_put(bk->e);
	kfree_sensitive(bk);
}

/* The sender-data key of @e for @pc, made once per epoch of a batch. */
static void batch_keys_use(struct mls_batch_keys *bk, struct mls_epoch *e,
			   struct mls_protect_ctx *pc)
{
	if (!bk)
		return;
	/* Without it (no memory), the pool seals. */
	if (!bk->aead)
		bk->aead = mls_aead_tfm_get(pc->suite);
	pc->aead = bk->aead;
	if (bk->e != e) {
		if (bk->e)
			mls_epoch_put(bk->e);
		bk->e = NULL;
		if (mls_kdf_key_init(&bk->sd, pc->suite, pc->sender_data_secret))
			return;
		mls_epoch_get(e);
		bk->e = e;
	}
	pc->sd_key = &bk->sd;
}

/*
 * One MLS_IOC_ENCRYPT; @used tells whether a generation was taken (set
 * even when the message then could not be written back).
 */
int mls_group_encrypt(struct mls_ioctl_ctx *ctx, struct mls_encrypt *a,
		      struct mls_batch_keys *bk, bool *used)
{
	u64 start = ktime_get_ns();
	struct mls_group *g = ctx_group(ctx);
	struct msg_parts m = {};
	struct mls_protect_ctx pc;
	struct mls_plain p;
	struct mls_epoch *e;
	size_t need;
	ssize_t n;
	u8 *out = NULL;
	u32 gen;
	int ret;

	ret = check_encrypt(a, g->suite);
	if (ret)
		return ret;
	if (a->content.reserved || a->content.len > mls_max_message) {
		ret = -EINVAL;
		goto out_parts;
	}
	m.aad = mls_buf_dup(&a->authenticated_data, mls_max_message);
	m.sig = mls_buf_dup(&a->signature, mls_max_message);
	ret = PTR_ERR_OR_ZERO(m.aad) ?: PTR_ERR_OR_ZERO(m.sig);
	if (ret)
		goto out_parts;

	e = mls_group_current(g);
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
		goto out_parts;
	}
	/*
	 * Nothing is sent in a group's last epoch (a ReInit, §12.4.2). The
	 * mark is set before the epoch is published and never changes, so
	 * no message is sealed in it whenever the merge runs: one that took
	 * the epoch before is sealed in that earlier epoch, or not at all.
	 */
	if (e->final) {
		ret = -EPIPE;
		goto out_epoch;
	}
	/*
	 * Throttled after that: an ended group's refusal costs no token and
	 * raises no throttle event. The epoch is only referenced, not
	 * locked, across the admit.
	 */
	ret = mls_evbuf_encrypt_admit(g, READ_ONCE(g->policy.encrypt_rate),
				      READ_ONCE(g->policy.encrypt_burst));
	if (ret)
		goto out_epoch;
	/*
	 * The signature covers one epoch's GroupContext: never send it in
	 * another. A commit after this point makes mls_protect() fail with
	 * -ESTALE, since the old epoch's sending keys are gone.
	 */
	if ((a->flags & MLS_ENCRYPT_F_EPOCH) && a->epoch != e->epoch) {
		ret = -ESTALE;
		goto out_epoch;
	}
	mls_epoch_protect_ctx(e, g->group_id, g->group_id_len, &pc);
	batch_keys_use(bk, e, &pc);
	p = (struct mls_plain){
		.content_type = a->content_type,
		.aad = m.aad, .aad_len = a->authenticated_data.len,
		.udata = u64_to_user_ptr(a->content.addr),
		.data_len = a->content.len,
		.sig = m.sig, .sig_len = a->signature.len,
		.padding_block = a->padding_block ?:
				 READ_ONCE(g->policy.padding_block),
	};
	need = mls_protect_size(&pc, &p);
	ret = mls_buf_fits(&a->message, need);
	if (ret)
		goto out_epoch;
	out = kvmalloc(need, MLS_GFP_USER);
	if (!out) {
		ret = -ENOMEM;
		goto out_epoch;
	}
	n = mls_protect(&pc, &p, out, need, &gen);
	if (n < 0) {
		ret = n;
		goto out_epoch;
	}
	*used = true;
	/* Half a persistent group's reservation used: time to save it. */
	if (mls_stree_reserve_low(e->tree, MLS_RATCHET_HANDSHAKE) |
	    mls_stree_reserve_low(e->tree, MLS_RATCHET_APPLICATION))
		mls_event_reserve_low(g, e->epoch);
	ret = mls_buf_write(&a->message, out, n);
	a->epoch = e->epoch;
	a->generation = gen;
	if (!ret) {
		mls_group_stat_add(g, MLS_STAT_MESSAGES_ENCRYPTED, 1);
		mls_group_stat_add(g, MLS_STAT_BYTES_ENCRYPTED, a->content.len);
		mls_latency_record(MLS_OP_ENCRYPT, start);
	}
out_epoch:
	kvfree(out);
	mls_epoch_put(e);
out_parts:
	trace_mls_encrypt(g, a, ret);
	msg_parts_free(&m, a);
	return ret;
}

static int mls_ioc_encrypt(struct mls_ioctl_ctx *ctx, void *arg)
{
	bool used = false;

	return mls_group_encrypt(ctx, arg, NULL, &used);
}

static int check_decrypt(const struct mls_decrypt *a)
{
	if ((a->flags & ~MLS_DECRYPT_F_ALL) || a->reserved0 || a->reserved1)
		return -EINVAL;
	return mls_buf_check(&a->authenticated_data) ?:
	       mls_buf_check(&a->content) ?: mls_buf_check(&a->signature);
}

/* Every output must fit before anything is consumed; report all sizes. */
static int decrypt_outputs_fit(struct mls_decrypt *a, const struct mls_received *r)
{
	int r1 = mls_buf_fits(&a->authenticated_data, r->aad_len);
	int r2 = mls_buf_fits(&a->content, r->data_len);
	int r3 = mls_buf_fits(&a->signature, r->sig_len);

	return r1 ?: r2 ?: r3;
}

/* What the sender gate of one decrypt saw. */
struct decrypt_gate {
	struct mls_group *g;
	u64 epoch;
	bool probe;		/* admitted as a half-open probe */
};

/* Fail fast, before any key work, while the sender's breaker is open. */
static int decrypt_sender_gate(void *arg, u32 leaf)
{
	struct decrypt_gate *gate = arg;
	int ret = mls_evbuf_sender_check(gate->g, leaf, gate->epoch);

	gate->probe = ret > 0;
	return min(ret, 0);
}

/*
 * The counters of a decrypt that reached mls_unprotect(). An
 * authentication failure is a tag that did not verify: the sender data's
 * (not sealed under the epoch's sender_data_secret) or, from a named
 * sender, the content's. Malformed messages, a blank or own sender leaf
 * and an open breaker are not counted as one.
 */
static void decrypt_count(struct mls_group *g, int ret,
			  const struct mls_received *r, u64 start)
{
	if (!ret) {
		mls_group_stat_add(g, MLS_STAT_MESSAGES_DECRYPTED, 1);
		mls_group_stat_add(g, MLS_STAT_BYTES_DECRYPTED, r->data_len);
		mls_latency_record(MLS_OP_DECRYPT, start);
	} else if (ret == -EALREADY) {
		mls_group_stat_add(g, MLS_STAT_REPLAYS, 1);
	} else if (ret == -EBADMSG &&
		   (r->sender_data_failed || (r->sender_known && !r->authentic))) {
		mls_group_stat_add(g, MLS_STAT_AUTH_FAILURES, 1);
	}
}

/*
 * A decrypt between its claim of the generation and the end of the
 * ioctl: the dispatcher commits the claim once the argument was copied
 * back (decrypt_done()), or releases it (decrypt_undo()). Holds a
 * reference on the epoch, whose tree holds the claim.
 */
struct mls_decrypt_hold {
	struct mls_epoch *e;
	struct mls_stree_claim *claim;
	struct mls_group *g;
	bool recv_counted;	/* mls_recv_save_claim() counted it */
	u32 out_of_order;
	struct mls_buf out[3];	/* what was written, to wipe on failure */
};

/*
 * A failed call delivers nothing: the plaintext already written to the
 * caller's buffers is overwritten with zeros (best effort: the caller
 * may have unmapped them meanwhile).
 */
static void decrypt_wipe(const struct mls_buf *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!out[i].len)
			continue;
		/* A buffer unmapped meanwhile holds nothing to wipe. */
		if (clear_user(u64_to_user_ptr(out[i].addr), out[i].len))
			continue;
	}
}

static void decrypt_undo(void *arg)
{
	struct mls_decrypt_hold *h = arg;

	decrypt_wipe(h->out, ARRAY_SIZE(h->out));
	mls_stree_recv_release(h->e->tree, h->claim);
	if (h->recv_counted)
		mls_recv_save_release(h->g);
	mls_epoch_put(h->e);
	kfree(h);
}

static void decrypt_done(void *arg)
{
	struct mls_decrypt_hold *h = arg;

	mls_stree_recv_commit(h->e->tree, h->claim, h->out_of_order);
	if (h->recv_counted)
		mls_recv_save_done(h->g);
	mls_epoch_put(h->e);
	kfree(h);
}

/*
 * Deliver an authenticated message: claim its generation (one caller
 * only gets past this), then write the outputs. The claim is committed
 * by the dispatcher after the argument was copied back, so that a call
 * that fails anywhere, up to that last copy, consumes nothing and leaves
 * no plaintext behind; and a concurrent decrypt of the same message waits
 * for the outcome before any of its buffers is written (-EALREADY once
 * delivered). When the content was opened straight into the caller's
 * buffer (@r->data_user, MLS_DECRYPT_F_ZEROCOPY), @claim is the claim
 * taken before that, and the content is written already.
 */
static int decrypt_deliver(struct mls_ioctl_ctx *ctx, struct mls_group *g,
			   struct mls_epoch *e, const struct mls_protect_ctx *pc,
			   const struct mls_received *r, u32 max_forward,
			   struct mls_stree_claim *claim, struct mls_decrypt *a)
{
	struct mls_buf *out[] = {
		&a->authenticated_data, &a->content, &a->signature,
	};
	const void *src[] = { r->aad, r->data, r->sig };
	size_t len[] = { r->aad_len, r->data_len, r->sig_len };
	struct mls_decrypt_hold *h = NULL;
	bool counted = false;
	size_t i, n = 0;
	int ret;

	/* Counted before the claim: a refused decrypt consumes nothing. */
	ret = decrypt_outputs_fit(a, r) ?:
	      mls_recv_save_claim(g, e->epoch, &counted);
	if (!ret) {
		h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
		if (!h)
			ret = -ENOMEM;
	}
	if (!ret && !claim) {
		claim = mls_unprotect_claim(pc, r, max_forward);
		if (IS_ERR(claim)) {
			ret = PTR_ERR(claim);
			claim = NULL;
		}
	}
	if (!ret) {
		h->e = e;
		h->claim = claim;
		h->g = g;
		h->recv_counted = counted;
		h->out_of_order = READ_ONCE(g->policy.out_of_order);
		for (i = 0; i < ARRAY_SIZE(out); i++) {
			h->out[i] = *out[i];
			h->out[i].len = len[i];
		}
		if (r->data_user)
			a->content.len = r->data_len;
		for (i = 0; i < ARRAY_SIZE(out) && !ret; i++) {
			if (i == 1 && r->data_user)
				continue;
			n = i + 1;
			ret = mls_buf_write(out[i], src[i], len[i]);
		}
	}
	if (ret) {
		if (h) {
			/* Whatever was written, the content included. */
			decrypt_wipe(h->out, r->data_user ? max_t(size_t, n, 2) : n);
		} else if (r->data_user) {
			struct mls_buf content = a->content;

			content.len = r->data_len;
			decrypt_wipe(&content, 1);
		}
		if (claim)
			mls_stree_recv_release(e->tree, claim);
		if (counted)
			mls_recv_save_release(g);
		kfree(h);
		return ret;
	}
	/* The epoch's reference is the hold's now. */
	mls_epoch_get(e);
	ctx->undo = decrypt_undo;
	ctx->done = decrypt_done;
	ctx->undo_arg = h;
	return 0;
}

static int mls_ioc_decrypt(struct mls_ioctl_ctx *ctx, void *arg)
{
	return mls_group_decrypt(ctx, arg, NULL);
}

/* One MLS_IOC_DECRYPT. */
int mls_group_decrypt(struct mls_ioctl_ctx *ctx, struct mls_decrypt *a,
		      struct mls_batch_keys *bk)
{
	u64 start = ktime_get_ns();
	struct mls_group *g = ctx_group(ctx);
	/*
	 * A message carries at most three parts of max_message, padding and
	 * framing.
	 */
	size_t max_len = 3 * (size_t)mls_max_message + mls_padding_block_max + 1024;
	struct mls_protect_ctx pc;
	struct decrypt_gate gate;
	struct mls_msg_header h = {};
	struct mls_received r = {};
	struct mls_open_user u = {};
	struct mls_epoch *e;
	size_t len = a->message.len;
	u32 max_forward = READ_ONCE(g->policy.max_forward);
	u8 *msg;
	int ret;

	ret = check_decrypt(a);
	if (ret)
		return ret;
	msg = mls_buf_dup(&a->message, max_len);
	if (IS_ERR_OR_NULL(msg))
		return msg ? PTR_ERR(msg) : -EBADMSG;

	ret = mls_message_peek(msg, len, &h);
	if (ret)
		goto out_msg;
	if (h.group_id_len != g->group_id_len ||
	    memcmp(h.group_id, g->group_id, h.group_id_len)) {
		ret = -EBADMSG;
		goto out_msg;
	}
	e = mls_group_epoch(g, h.epoch);
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
		goto out_msg;
	}
	/*
	 * No member sends in a group's last epoch: a message of it is a
	 * sender's fault, refused before any key work (no breaker count).
	 */
	if (e->final) {
		ret = -EPIPE;
		goto out_epoch;
	}
	mls_epoch_protect_ctx(e, g->group_id, g->group_id_len, &pc);
	batch_keys_use(bk, e, &pc);
	gate = (struct decrypt_gate){ .g = g, .epoch = e->epoch };
	pc.sender_gate = decrypt_sender_gate;
	pc.gate_arg = &gate;
	/* Opt-in: the content buffer sees plaintext before its tag. */
	if (a->flags & MLS_DECRYPT_F_ZEROCOPY) {
		u.addr = u64_to_user_ptr(a->content.addr);
		u.cap = a->content.len;
	}
	ret = mls_unprotect_user(&pc, msg, len, max_forward, &u, &r);
	/*
	 * A sender whose messages keep failing authentication trips its
	 * breaker (of this epoch); a message refused by the breaker counts
	 * for nothing. Only an authenticated outcome resolves a half-open
	 * probe: any other gives it back.
	 */
	if (r.sender_known && (!ret || (ret == -EBADMSG && !r.authentic)))
		mls_evbuf_sender_result(g, r.sender_leaf, e->epoch, !ret);
	else if (gate.probe)
		mls_evbuf_sender_release(g, r.sender_leaf, e->epoch);
	if (ret)
		goto out_epoch;
	/* Only the caller that delivers uses the generation up. */
	ret = decrypt_deliver(ctx, g, e, &pc, &r, max_forward, u.claim, a);
	if (ret)
		goto out_epoch;
	a->epoch = e->epoch;
	a->content_type = r.content_type;
	a->sender_leaf = r.sender_leaf;
	a->generation = r.generation;
out_epoch:
	decrypt_count(g, ret, &r, start);
	mls_epoch_put(e);
out_msg:
	trace_mls_decrypt(g, &h, &r, len, ret);
	/* Opened into the caller's buffer, the message holds no plaintext. */
	if (r.data_user)
		kvfree(msg);
	else
		kvfree_sensitive(msg, len);
	mls_received_free(&r);
	return ret;
}

static int mls_ioc_exporter(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_exporter *a = arg;
	void *label = NULL, *context = NULL;
	u8 secret[MLS_MAX_HASH_LEN];
	size_t len = a->secret.len;
	u8 *out = NULL;
	int ret;

	if (a->flags || a->reserved0 || mls_buf_check(&a->secret))
		return -EINVAL;
	if (len < 1 || len > MLS_MAX_EXPORTER_LEN)
		return -EINVAL;
	label = mls_buf_dup(&a->label, MLS_MAX_LABEL_LEN);
	if (IS_ERR(label))
		return PTR_ERR(label);
	context = mls_buf_dup(&a->context, MLS_MAX_EXTENSIONS_LEN);
	if (IS_ERR(context)) {
		ret = PTR_ERR(context);
		context = NULL;
		goto out;
	}
	out = kmalloc(len, MLS_GFP_USER);
	ret = out ? mls_group_current_secret(g, MLS_SECRET_EXPORTER, secret,
					     &a->epoch) : -ENOMEM;
	if (!ret)
		ret = mls_exporter(g->suite, secret, label, a->label.len,
				   context, a->context.len, out, len);
	if (!ret)
		ret = mls_buf_write(&a->secret, out, len);
out:
	memzero_explicit(secret, sizeof(secret));
	kfree_sensitive(out);
	kvfree(label);
	kvfree(context);
	return ret;
}

static int mls_ioc_authenticator(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_authenticator *a = arg;
	u8 auth[MLS_MAX_HASH_LEN];
	int ret;

	if (a->flags || a->reserved0)
		return -EINVAL;
	ret = mls_group_current_secret(g, MLS_SECRET_AUTHENTICATOR, auth,
				       &a->epoch) ?:
	      mls_buf_write(&a->authenticator, auth, g->suite->nh);
	memzero_explicit(auth, sizeof(auth));
	return ret;
}

static int mls_ioc_group_info(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_group_info *a = arg;
	const struct mls_group_policy *p = &g->policy;
	struct mls_epoch *cur;
	int ret;

	if (a->flags || a->reserved0)
		return -EINVAL;
	mls_group_prune(g);
	cur = mls_group_current_oldest(g, &a->oldest_epoch);
	if (IS_ERR(cur))
		return PTR_ERR(cur);
	a->epoch = cur->epoch;
	a->leaf_count = cur->leaf_count;
	mls_epoch_put(cur);

	a->id = g->id;
	a->suite = g->suite->id;
	a->mode = g->mode;
	a->state = mls_drain_group_state(g);
	a->own_leaf = g->own_leaf;
	a->owner_uid = from_kuid_munged(current_user_ns(), g->owner);
	a->owner_gid = from_kgid_munged(current_user_ns(), g->owner_gid);
	a->group_flags = g->flags;
	a->policy = (struct mls_policy){
		.out_of_order = READ_ONCE(p->out_of_order),
		.max_forward = READ_ONCE(p->max_forward),
		.epochs_kept = READ_ONCE(p->epochs_kept),
		.epoch_max_age_ms = READ_ONCE(p->epoch_max_age_ms),
		.padding_block = READ_ONCE(p->padding_block),
		.encrypt_rate = READ_ONCE(p->encrypt_rate),
		.encrypt_burst = READ_ONCE(p->encrypt_burst),
		.commit_timeout_ms = READ_ONCE(p->commit_timeout_ms),
	};
	a->recv_save = mls_recv_save_get(g, &a->recv_save_flags);
	a->recv_unsaved = (g->flags & MLS_GROUP_F_PERSISTENT) ?
			  mls_recv_save_unsaved(g) : 0;
	ret = mls_buf_write(&a->group_id, g->group_id, g->group_id_len);
	return ret;
}

static int mls_ioc_get_context(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_get_context *a = arg;
	struct mls_epoch *e;
	int ret;

	if ((a->flags & ~MLS_CONTEXT_F_EPOCH) || a->reserved0)
		return -EINVAL;
	if (a->flags & MLS_CONTEXT_F_EPOCH)
		e = mls_group_epoch(g, a->epoch);
	else
		e = mls_group_current(g);
	if (IS_ERR(e))
		return PTR_ERR(e);
	ret = mls_buf_write(&a->context, e->context, e->context_len);
	a->epoch = e->epoch;
	mls_epoch_put(e);
	return ret;
}

static int check_policy(const struct mls_set_policy *a)
{
	const struct mls_policy *p = &a->policy;
	u32 m = a->mask;

	if (a->flags || (m & ~MLS_POLICY_ALL))
		return -EINVAL;
	if ((m & MLS_POLICY_COMMIT_TIMEOUT) &&
	    (!p->commit_timeout_ms || p->commit_timeout_ms > mls_commit_timeout_ms_max))
		return -EINVAL;
	if (((m & MLS_POLICY_OUT_OF_ORDER) && p->out_of_order > mls_out_of_order_max) ||
	    ((m & MLS_POLICY_MAX_FORWARD) && p->max_forward > mls_max_forward_max) ||
	    ((m & MLS_POLICY_EPOCHS_KEPT) && p->epochs_kept > mls_epochs_kept_max) ||
	    ((m & MLS_POLICY_EPOCH_MAX_AGE) && mls_epoch_max_age_ms_max &&
	     (!p->epoch_max_age_ms ||
	      p->epoch_max_age_ms > mls_epoch_max_age_ms_max)) ||
	    ((m & MLS_POLICY_PADDING_BLOCK) && p->padding_block > mls_padding_block_max))
		return -EINVAL;
	return 0;
}

/* The policy, and the event at once if it is due already. */
static void recv_save_set_now(struct mls_group *g, u32 n, u32 flags)
{
	struct mls_epoch *cur = mls_group_current(g);
	u64 epoch = 0;

	if (!IS_ERR(cur)) {
		epoch = cur->epoch;
		mls_epoch_put(cur);
	}
	mls_recv_save_set(g, n, flags, epoch);
}

static int mls_ioc_set_policy(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_set_policy *a = arg;
	const struct mls_policy *p = &a->policy;
	struct mls_group_policy *gp = &g->policy;
	u32 m = a->mask;
	int ret;

	ret = check_policy(a) ?: mls_recv_save_check(g, a);
	if (ret)
		return ret;
	if (READ_ONCE(g->dead))
		return -ENOENT;
	if (m & MLS_POLICY_OUT_OF_ORDER)
		WRITE_ONCE(gp->out_of_order, p->out_of_order);
	if (m & MLS_POLICY_MAX_FORWARD)
		WRITE_ONCE(gp->max_forward, p->max_forward);
	if (m & MLS_POLICY_EPOCHS_KEPT)
		WRITE_ONCE(gp->epochs_kept, p->epochs_kept);
	if (m & MLS_POLICY_EPOCH_MAX_AGE)
		WRITE_ONCE(gp->epoch_max_age_ms, p->epoch_max_age_ms);
	if (m & MLS_POLICY_PADDING_BLOCK)
		WRITE_ONCE(gp->padding_block, p->padding_block);
	if (m & MLS_POLICY_ENCRYPT_RATE) {
		WRITE_ONCE(gp->encrypt_rate, p->encrypt_rate);
		WRITE_ONCE(gp->encrypt_burst, p->encrypt_burst);
	}
	/* Read when a commit is prepared: one pending keeps its deadline. */
	if (m & MLS_POLICY_COMMIT_TIMEOUT)
		WRITE_ONCE(gp->commit_timeout_ms, p->commit_timeout_ms);
	if (m & MLS_POLICY_RECV_SAVE)
		recv_save_set_now(g, a->recv_save, a->recv_save_flags);
	/* A shorter retention erases what it no longer covers, now. */
	mls_group_prune(g);
	return 0;
}

static int mls_ioc_group_destroy(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_group_destroy *a = arg;

	if (a->flags || a->reserved)
		return -EINVAL;
	return mls_group_destroy(g);
}

static const struct mls_ioctl_desc mls_group_ioctls[] = {
	{ MLS_IOC_ENCRYPT, MLS_ENCRYPT_SIZE_VER0, mls_ioc_encrypt,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_DECRYPT, MLS_DECRYPT_SIZE_VER0, mls_ioc_decrypt,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_ENCRYPT_BATCH, MLS_BATCH_SIZE_VER0, mls_ioc_encrypt_batch,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_DECRYPT_BATCH, MLS_BATCH_SIZE_VER0, mls_ioc_decrypt_batch,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_COMMIT, MLS_COMMIT_SIZE_VER0, mls_ioc_commit,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_COMMIT_PREPARE, MLS_COMMIT_SIZE_VER0, mls_ioc_commit_prepare,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_COMMIT_MERGE, MLS_COMMIT_PENDING_SIZE_VER0,
	  mls_ioc_commit_merge, MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_COMMIT_DISCARD, MLS_COMMIT_PENDING_SIZE_VER0,
	  mls_ioc_commit_discard },
	{ MLS_IOC_CONFIRMATION_TAG, MLS_TAG_SIZE_VER0,
	  mls_ioc_confirmation_tag },
	{ MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_SIZE_VER0, mls_ioc_membership_tag },
	{ MLS_IOC_EXTERNAL_PUB, MLS_EXTERNAL_PUB_SIZE_VER0,
	  mls_ioc_external_pub },
	{ MLS_IOC_EXPORTER, MLS_EXPORTER_SIZE_VER0, mls_ioc_exporter },
	{ MLS_IOC_EPOCH_AUTHENTICATOR, MLS_AUTHENTICATOR_SIZE_VER0,
	  mls_ioc_authenticator },
	{ MLS_IOC_GROUP_INFO, MLS_GROUP_INFO_SIZE_VER0, mls_ioc_group_info },
	{ MLS_IOC_GET_CONTEXT, MLS_GET_CONTEXT_SIZE_VER0, mls_ioc_get_context },
	{ MLS_IOC_SET_POLICY, MLS_SET_POLICY_SIZE_VER0, mls_ioc_set_policy,
	  MLS_IOCTL_F_SERVICE },
	{ MLS_IOC_GROUP_DESTROY, MLS_GROUP_DESTROY_SIZE_VER0,
	  mls_ioc_group_destroy },
	{ MLS_IOC_GROUP_EXPORT, MLS_GROUP_EXPORT_SIZE_VER0,
	  mls_ioc_group_export },
	{ MLS_IOC_GROUP_SAVED, MLS_GROUP_SAVED_SIZE_VER0,
	  mls_ioc_group_saved },
};

long mls_group_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return mls_ioctl_dispatch(mls_group_ioctls, ARRAY_SIZE(mls_group_ioctls),
				  file, cmd, arg);
}
