// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Receiving (RFC 9420 §6): an MLSMessage's framing removed in the
 * kernel (a PublicMessage's membership_tag, a PrivateMessage's AEAD),
 * its sender's signature verified, then an application message handed
 * out, a Proposal cached by reference, a Commit applied (commit_recv.c).
 * Senders from outside the group (§12.1.8) only propose, in a
 * PublicMessage without membership tag: an external sender of the
 * external_senders extension, or a joiner its own Add.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ext_sender.h"
#include "group.h"
#include "internal.h"
#include "leaf.h"
#include "proposal.h"
#include "recv.h"

#define TBS_LABEL	"FramedContentTBS"

/*
 * A PrivateMessage proposal or commit that the kernel opened (using up
 * its generation) and the client refused: the same bytes tried again,
 * with the PSK or the proposal that was missing, say, are not a replay.
 */
struct mlsc_retry {
	uint8_t *msg;
	size_t len;
	struct mls_received r;
};

void mlsc_group_retry_clear(struct mlsc_group *g)
{
	struct mlsc_retry *k = g->retry;

	if (!k)
		return;
	if (k->r.block.data)
		OPENSSL_cleanse(k->r.block.data, k->r.block.len);
	mls_received_free(&k->r);
	free(k->msg);
	OPENSSL_clear_free(k, sizeof(*k));
	g->retry = NULL;
}

/* Keep @r (taken over) for a second try of @msg; dropped if no memory. */
static void retry_keep(struct mlsc_group *g, const void *msg, size_t len,
		       struct mls_received *r)
{
	struct mlsc_retry *k;

	mlsc_group_retry_clear(g);
	k = mlsc_calloc(1, sizeof(*k));
	if (k)
		k->msg = mlsc_malloc(len ? len : 1);
	if (!k || !k->msg) {
		free(k);
		return;
	}
	memcpy(k->msg, msg, len);
	k->len = len;
	k->r = *r;
	memset(r, 0, sizeof(*r));
	g->retry = k;
}

/* A second try of the kept message: its content moves into @r. */
static bool retry_take(struct mlsc_group *g, const void *msg, size_t len,
		       struct mls_received *r)
{
	struct mlsc_retry *k = g->retry;

	if (!k || k->len != len || memcmp(k->msg, msg, len))
		return false;
	*r = k->r;
	memset(&k->r, 0, sizeof(k->r));
	mlsc_group_retry_clear(g);
	return true;
}

int mlsc_group_set_own_commit(struct mlsc_group *g, const uint8_t *msg,
			      size_t len)
{
	uint8_t *p = mlsc_malloc(len ? len : 1);

	if (!p)
		return -ENOMEM;
	memcpy(p, msg, len);
	free(g->own_commit);
	g->own_commit = p;
	g->own_commit_len = len;
	return 0;
}

static bool own_commit(const struct mlsc_group *g, const void *msg,
		       size_t len)
{
	return g->own_commit && g->own_commit_len == len &&
	       !memcmp(g->own_commit, msg, len);
}

MLSC_EXPORT void mlsc_processed_free(struct mlsc_processed *p)
{
	if (!p)
		return;
	mls_bytes_free(&p->data);
	mls_bytes_free(&p->authenticated_data);
	mls_bytes_free(&p->proposal_ref);
}

MLSC_EXPORT int64_t mlsc_group_epoch(const struct mlsc_group *g)
{
	struct mlsc_group_context gc;
	struct mlsc_arena arena;
	int64_t e;

	if (!g)
		return -EINVAL;
	mlsc_arena_init(&arena);
	e = MLSC_DECODE(g->context, g->context_len, &arena, &gc,
			mlsc_io_group_context);
	if (!e)
		e = (int64_t)gc.epoch;
	mlsc_arena_free(&arena);
	return e;
}

/* §6.1: the GroupContext is signed by members and new members' Commits. */
static bool signs_context(uint8_t sender_type)
{
	return sender_type == MLSC_SENDER_MEMBER ||
	       sender_type == MLSC_SENDER_NEW_MEMBER_COMMIT;
}

/*
 * The parts of what is signed and MACed (§6.1, §6.2): with @ctx, the
 * FramedContentTBS (version, wire_format, FramedContent, and for the
 * senders that sign it the GroupContext);
 * with @auth, the FramedContentAuthData after it (with both: the
 * AuthenticatedContentTBM). With @version false: wire_format,
 * FramedContent, auth (the AuthenticatedContent).
 */
static int encode_content(const struct mlsc_group *g,
			  const struct mlsc_content_in *in, bool version,
			  bool ctx, bool auth, struct mlsc_wbuf *out)
{
	struct mlsc_auth_data a = in->auth;
	uint16_t v = MLSC_VERSION_MLS10, wf = in->wire_format;
	struct mlsc_io io;

	memset(out, 0, sizeof(*out));
	mlsc_io_writer(&io, out);
	if (version)
		mlsc_io_u16(&io, &v);
	mlsc_io_u16(&io, &wf);
	mlsc_io_framed_content(&io, (struct mlsc_framed_content *)&in->fc);
	if (ctx && signs_context(in->fc.sender.type))
		mlsc_io_fixed(&io, g->context, g->context_len);
	if (auth)
		mlsc_io_auth_data(&io, &a, in->fc.content_type);
	if (io.err)
		mlsc_wbuf_free(out);
	return io.err;
}

/*
 * The key that signed @in (§6.1): a member's leaf; an external commit's
 * UpdatePath leaf; external sender @index of the external_senders
 * extension (-ERANGE: none such); a new member's KeyPackage leaf.
 */
static int sender_key(const struct mlsc_group *g,
		      const struct mlsc_group_context *gc,
		      const struct mlsc_content_in *in,
		      struct mlsc_arena *arena, struct mlsc_slice *key)
{
	const struct mlsc_framed_content *fc = &in->fc;
	const struct mlsc_leaf_node *l;

	/* each union member read only for the content that carries it */
	switch (fc->sender.type) {
	case MLSC_SENDER_NEW_MEMBER_COMMIT:
		if (fc->content_type != MLSC_CONTENT_COMMIT ||
		    !fc->commit.has_path)
			return -EBADMSG;
		*key = fc->commit.path.leaf_node.signature_key;
		return 0;
	case MLSC_SENDER_EXTERNAL:
		return mlsc_external_sender_key(&gc->extensions,
						fc->sender.index, arena, key);
	case MLSC_SENDER_NEW_MEMBER_PROPOSAL:
		if (fc->content_type != MLSC_CONTENT_PROPOSAL ||
		    fc->proposal.type != MLSC_PROPOSAL_ADD)
			return -EPROTO;
		*key = fc->proposal.add.leaf_node.signature_key;
		return 0;
	default:
		l = mlsc_tree_leaf(&g->tree, fc->sender.index);
		if (!l)
			return -EBADMSG;
		*key = l->signature_key;
		return 0;
	}
}

static int verify_signature(const struct mlsc_group *g,
			    const struct mlsc_group_context *gc,
			    const struct mlsc_content_in *in)
{
	struct mlsc_arena arena;
	struct mlsc_slice key;
	struct mlsc_wbuf tbs = { 0 };
	int err;

	mlsc_arena_init(&arena);
	err = sender_key(g, gc, in, &arena, &key);
	if (!err)
		err = encode_content(g, in, true, true, false, &tbs);
	if (!err) {
		err = mlsc_verify_with_label(g->suite->id, &key, TBS_LABEL,
					     tbs.p, tbs.len,
					     &in->auth.signature);
		if (err == -EBADMSG)
			err = -EKEYREJECTED;
	}
	mlsc_wbuf_free(&tbs);
	mlsc_arena_free(&arena);
	return err;
}

/*
 * The message is of this group's current epoch, from another member, a
 * joiner's external commit, or (only if the caller took them,
 * @outsiders: MLSC_PROCESS_F_OUTSIDERS; else -EOPNOTSUPP as before 0.5)
 * a proposal from outside the group.
 */
static int check_header(const struct mlsc_group *g,
			const struct mlsc_group_context *gc,
			const struct mlsc_framed_content *fc, bool outsiders)
{
	if (!mlsc_slice_eq(&fc->group_id, &gc->group_id))
		return -EBADMSG;
	switch (fc->sender.type) {
	case MLSC_SENDER_NEW_MEMBER_COMMIT:
		/* §12.4.3.2: a Commit, with the path that signs it */
		if (fc->content_type != MLSC_CONTENT_COMMIT)
			return -EBADMSG;
		if (!fc->commit.has_path)
			return -EPROTO;
		break;
	case MLSC_SENDER_EXTERNAL:
	case MLSC_SENDER_NEW_MEMBER_PROPOSAL:
		if (!outsiders)
			return -EOPNOTSUPP;
		/* §12.1.8: proposals only, of the types the sender may send */
		if (fc->content_type != MLSC_CONTENT_PROPOSAL)
			return -EBADMSG;
		if (!mlsc_sender_may_propose(fc->sender.type,
					     fc->proposal.type))
			return -EPROTO;
		break;
	default:
		if (!mlsc_tree_leaf(&g->tree, fc->sender.index))
			return -EBADMSG;
	}
	if (fc->epoch < gc->epoch)
		return -ESTALE;
	if (fc->epoch > gc->epoch)
		return -EAGAIN;
	/* one's own proposal: proposal_in() takes it back if not cached */
	if (fc->sender.type == MLSC_SENDER_MEMBER &&
	    fc->sender.index == g->own_leaf &&
	    fc->content_type != MLSC_CONTENT_PROPOSAL)
		return -EALREADY;
	return 0;
}

static int public_in(struct mlsc_group *g,
		     const struct mlsc_group_context *gc,
		     const struct mlsc_public_message *pm, bool outsiders,
		     struct mlsc_content_in *in)
{
	struct mlsc_wbuf tbm;
	int err;

	in->wire_format = MLSC_WIRE_PUBLIC_MESSAGE;
	in->fc = pm->content;
	in->auth = pm->auth;
	if (pm->content.content_type == MLSC_CONTENT_APPLICATION)
		return -EBADMSG;
	err = check_header(g, gc, &pm->content, outsiders);
	if (err)
		return err;
	/* non-members have no membership key, hence no tag (§6.2) */
	if (pm->content.sender.type != MLSC_SENDER_MEMBER)
		return 0;
	err = encode_content(g, in, true, true, true, &tbm);
	if (err)
		return err;
	err = mls_membership_tag_verify(g->gfd, 0, NULL, tbm.p, tbm.len,
					pm->membership_tag.p,
					pm->membership_tag.len);
	mlsc_wbuf_free(&tbm);
	return err;
}

/*
 * A decrypted PrivateMessageContent (§6.3.1) of a proposal or commit:
 * the content, its auth data, and zero padding.
 */
static int parse_private(const struct mls_received *r,
			 struct mlsc_arena *arena, struct mlsc_content_in *in)
{
	struct mlsc_io io;

	mlsc_io_reader(&io, r->content, r->content_len, arena);
	if (r->content_type == MLS_CONTENT_PROPOSAL)
		mlsc_io_proposal(&io, &in->fc.proposal);
	else if (r->content_type == MLS_CONTENT_COMMIT)
		mlsc_io_commit(&io, &in->fc.commit);
	else
		return -EBADMSG;
	mlsc_io_auth_data(&io, &in->auth, (uint8_t)r->content_type);
	if (io.err)
		return io.err;
	for (; io.off < io.end; io.off++)
		if (io.p[io.off])
			return -EBADMSG;
	return mlsc_io_finish(&io);
}

/* mls_recv()'s lookup: the sender's key from the current tree. */
struct lookup {
	const struct mlsc_group *g;
	struct mls_sig_key *key;
};

static int lookup_key(void *arg, uint32_t leaf, uint64_t epoch,
		      const struct mls_sig_key **key)
{
	struct lookup *lk = arg;
	const struct mlsc_leaf_node *l = mlsc_tree_leaf(&lk->g->tree, leaf);

	(void)epoch;
	if (!l)
		return -ENOKEY;
	mls_sig_key_free(lk->key);
	lk->key = NULL;
	if (mls_sig_key_import(lk->g->suite->id, MLS_KEY_PUBLIC,
			       l->signature_key.p, l->signature_key.len,
			       &lk->key))
		return -EBADMSG;
	*key = lk->key;
	return 0;
}

static int application_in(struct mlsc_group *g, const void *msg, size_t len,
			  struct mlsc_processed *out)
{
	struct lookup lk = { .g = g };
	struct mls_received r;
	int err;

	err = mls_recv(g->gfd, lookup_key, &lk, msg, len, &r);
	mls_sig_key_free(lk.key);
	if (err)
		return err;
	out->content_type = MLS_CONTENT_APPLICATION;
	out->sender_type = MLS_SENDER_MEMBER;
	out->sender_leaf = r.sender_leaf;
	out->epoch = r.epoch;
	err = mlsc_bytes_dup(&out->data, r.content, r.content_len);
	if (!err)
		err = mlsc_bytes_dup(&out->authenticated_data, r.authenticated_data,
				r.authenticated_data_len);
	mls_received_free(&r);
	return err;
}

static int private_in(struct mlsc_group *g,
		      const struct mlsc_group_context *gc, const void *msg,
		      size_t len, struct mlsc_arena *arena,
		      struct mls_received *r, struct mlsc_content_in *in,
		      bool *opened)
{
	int err;

	if (!retry_take(g, msg, len, r)) {
		err = mls_decrypt(g->gfd, msg, len, r);
		if (err)
			return err;
	}
	*opened = true;
	in->wire_format = MLSC_WIRE_PRIVATE_MESSAGE;
	in->fc.group_id = gc->group_id;
	in->fc.epoch = r->epoch;
	in->fc.sender.type = MLSC_SENDER_MEMBER;
	in->fc.sender.index = r->sender_leaf;
	in->fc.authenticated_data = (struct mlsc_slice){
		r->authenticated_data, r->authenticated_data_len };
	in->fc.content_type = (uint8_t)r->content_type;
	/*
	 * The kernel never opens a message of one's own leaf
	 * (mls_sender_ok()): should one come, it is not taken back as
	 * check_header() lets a PublicMessage proposal be.
	 */
	if (r->sender_leaf == g->own_leaf)
		return -EBADMSG;
	err = parse_private(r, arena, in);
	if (!err)
		err = check_header(g, gc, &in->fc, false);
	return err;
}

/*
 * Cache a verified Proposal under its ProposalRef. One of this member's
 * own is -EALREADY when cached (this instance made it, or took it back
 * already); else, signed with its own leaf's key, it is taken back: a
 * member loaded from a saved state, which keeps no proposal, then
 * follows a Commit naming it (an own Update's new key is not in it:
 * that Commit is -ENOKEY).
 */
static int proposal_in(struct mlsc_group *g,
		       const struct mlsc_content_in *in,
		       struct mlsc_processed *out)
{
	uint8_t ref[MLSC_MAX_HASH];
	struct mlsc_wbuf ac;
	int err;

	if (!g->cache) {
		g->cache = mlsc_calloc(1, sizeof(*g->cache));
		if (!g->cache)
			return -ENOMEM;
	}
	err = encode_content(g, in, false, false, true, &ac);
	if (err)
		return err;
	err = mlsc_proposal_ref(g->suite, ac.p, ac.len, ref);
	mlsc_wbuf_free(&ac);
	if (!err && in->fc.sender.type == MLSC_SENDER_MEMBER &&
	    in->fc.sender.index == g->own_leaf &&
	    mlsc_proposal_cache_find(g->cache, g->suite->nh, in->fc.epoch,
				     ref, g->suite->nh))
		return -EALREADY;
	/* the ref for the caller first: no proposal cached on a failure */
	if (!err)
		err = mlsc_bytes_dup(&out->proposal_ref, ref, g->suite->nh);
	if (!err)
		err = mlsc_proposal_cache_add(g->cache, g->suite->nh,
					      in->fc.epoch, ref,
					      &in->fc.sender,
					      &in->fc.proposal);
	return err;
}

static int handshake(struct mlsc_group *g, const struct mlsc_group_context *gc,
		     const struct mlsc_content_in *in,
		     const struct mlsc_process_opts *opts,
		     struct mlsc_processed *out)
{
	int err;

	/* a ReInit ended the group: nothing more to follow in it */
	if (g->reinit)
		return -ESHUTDOWN;
	err = verify_signature(g, gc, in);
	if (err)
		return err;
	out->content_type = in->fc.content_type;
	out->sender_type = in->fc.sender.type;
	/* a new member's proposal has no index: no leaf 0 to mistake */
	out->sender_leaf =
		in->fc.sender.type == MLSC_SENDER_NEW_MEMBER_PROPOSAL ?
		MLSC_SENDER_NONE : in->fc.sender.index;
	out->epoch = in->fc.epoch;
	err = mlsc_bytes_dup(&out->authenticated_data, in->fc.authenticated_data.p,
			in->fc.authenticated_data.len);
	if (err)
		return err;
	if (in->fc.content_type == MLSC_CONTENT_PROPOSAL)
		return proposal_in(g, in, out);
	if (in->fc.content_type == MLSC_CONTENT_COMMIT)
		return mlsc_commit_recv(g, gc, in, opts, out);
	return -EBADMSG;
}

MLSC_EXPORT int mlsc_group_process(struct mlsc_group *g, const void *msg,
				   size_t len,
				   const struct mlsc_process_opts *opts,
				   struct mlsc_processed *out)
{
	static const struct mlsc_process_opts none;
	struct mlsc_group_context gc;
	struct mlsc_mls_message m;
	struct mlsc_content_in in;
	struct mls_message_header h;
	struct mls_received r = { 0 };
	struct mlsc_arena arena;
	bool opened = false;
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* prepare() adds this group's own PSK to @opts->psks: n + 1 fits */
	if (!g || (!msg && len) || (opts && (opts->flags & ~MLSC_PROCESS_F_ALL ||
					     (!opts->psks && opts->n_psks) ||
					     opts->n_psks >= SIZE_MAX /
					     sizeof(*opts->psks))))
		return -EINVAL;
	if (g->joining)
		return -EBUSY;
	if (!opts)
		opts = &none;
	memset(&in, 0, sizeof(in));
	mlsc_arena_init(&arena);
	err = MLSC_DECODE(g->context, g->context_len, &arena, &gc,
			  mlsc_io_group_context);
	if (err)
		goto out;
	/* one's own Commit, pending or merged: not processed again */
	if (own_commit(g, msg, len)) {
		err = -EALREADY;
		goto out;
	}
	/* an application message: libmls opens it and verifies it */
	if (!mls_message_peek(msg, len, &h) &&
	    h.content_type == MLS_CONTENT_APPLICATION) {
		err = application_in(g, msg, len, out);
		goto out;
	}
	err = MLSC_DECODE(msg, len, &arena, &m, mlsc_io_mls_message);
	if (err)
		goto out;
	if (m.wire_format == MLSC_WIRE_PUBLIC_MESSAGE)
		err = public_in(g, &gc, &m.pub,
				!!(opts->flags & MLSC_PROCESS_F_OUTSIDERS),
				&in);
	else if (m.wire_format == MLSC_WIRE_PRIVATE_MESSAGE)
		err = private_in(g, &gc, msg, len, &arena, &r, &in, &opened);
	else
		err = -EBADMSG;
	if (!err)
		err = handshake(g, &gc, &in, opts, out);
out:
	/* opened by the kernel, then refused: kept for a second try */
	if (err && opened)
		retry_keep(g, msg, len, &r);
	mls_received_free(&r);
	mlsc_arena_free(&arena);
	if (err) {
		mlsc_processed_free(out);
		memset(out, 0, sizeof(*out));
	}
	return err;
}
