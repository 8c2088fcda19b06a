// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A Commit received (RFC 9420 §12.4.2): its proposals resolved,
 * validated and applied to a copy of the tree, its UpdatePath decrypted,
 * the next epoch prepared in the kernel and confirmed there, then merged
 * and taken. Nothing of the group changes before the kernel has merged.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "ext_sender.h"
#include "group.h"
#include "hpke.h"
#include "internal.h"
#include "leaf.h"
#include "proposal.h"
#include "psk.h"
#include "recv.h"
#include "transcript.h"
#include "treekem.h"

/* The next epoch, as the Commit makes it. */
struct next {
	struct mlsc_tree tree;
	struct mlsc_tree_priv priv;
	struct mlsc_group_context gc;
	uint8_t tree_hash[MLSC_MAX_HASH];
	uint8_t confirmed[MLSC_MAX_HASH];
	uint8_t interim[MLSC_MAX_HASH];
	uint8_t commit_secret[MLSC_MAX_HASH];
	bool has_commit_secret;
	bool removed;
	uint32_t *joiners;
	size_t n_joiners;
	struct mlsc_psk_id *psks;
	size_t n_psks;
	const struct mlsc_slice *kem_output;	/* an external commit's */
	struct mlsc_node_key *keys;
	size_t n_keys;
	struct mlsc_wbuf ctx;		/* the new GroupContext, encoded */
	uint8_t *reinit;		/* a ReInit, encoded: the group ends */
	size_t reinit_len;
};

static void next_free(struct next *nx)
{
	mlsc_tree_free(&nx->tree);
	mlsc_wbuf_free(&nx->ctx);
	free(nx->reinit);
	if (nx->keys)
		OPENSSL_clear_free(nx->keys,
				   (1 + MLSC_MAX_PATH) * sizeof(*nx->keys));
	OPENSSL_clear_free(nx, sizeof(*nx));
}

/*
 * This member's own Update, committed by another (§12.4.2): the leaf's
 * new private key, kept with the proposal when it was made
 * (propose_update.c), becomes the leaf key TreeKEM decrypts with, and
 * the path secrets above go (the Update blanks the direct path).
 * -ENOKEY if it is not there (the proposal was not made by this
 * instance of the member), -EPROTO if it is not the new leaf's.
 */
static int own_update(const struct mlsc_group *g, struct next *nx,
		      const struct mlsc_resolved *r)
{
	const struct mlsc_cached_proposal *e = r->cached;
	const struct mlsc_slice *pub = &r->p.update.encryption_key;
	struct mlsc_hpke_suite hs;
	uint8_t pk[MLSC_MAX_PK];
	size_t pk_len = sizeof(pk);
	int err;

	if (!g->priv || !e || !e->leaf_sk_len)
		return -ENOKEY;
	err = mlsc_hpke_suite_mls(&hs, g->suite);
	if (!err)
		err = mlsc_hpke_public_key(&hs, e->leaf_sk, e->leaf_sk_len, pk,
					   &pk_len);
	if (err)
		return err;
	if (pk_len != pub->len || memcmp(pk, pub->p, pk_len))
		return -EPROTO;
	mlsc_tree_priv_clear(&nx->priv);
	return mlsc_tree_priv_init(&nx->priv, g->suite->id, g->own_leaf,
				   e->leaf_sk, e->leaf_sk_len);
}

/*
 * §12.3's order: GroupContextExtensions, Update, Remove, Add, and the
 * PSKs in the order listed.
 */
static int apply(const struct mlsc_group *g, struct next *nx,
		 const struct mlsc_resolved *r, size_t n,
		 struct mlsc_arena *arena)
{
	int err = 0;

	nx->joiners = mlsc_arena_alloc(arena, (n + 1) * sizeof(uint32_t));
	nx->psks = mlsc_arena_alloc(arena, (n + 1) * sizeof(*nx->psks));
	if (!nx->joiners || !nx->psks)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (r[i].p.type == MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS)
			nx->gc.extensions = r[i].p.gce;
		if (r[i].p.type == MLSC_PROPOSAL_PSK)
			nx->psks[nx->n_psks++] = r[i].p.psk;
		/* §12.2 leaves it alone in its Commit */
		if (r[i].p.type == MLSC_PROPOSAL_REINIT)
			err = mlsc_reinit_encode(&r[i].p.reinit, &nx->reinit,
						 &nx->reinit_len);
	}
	for (size_t i = 0; i < n && !err; i++) {
		if (r[i].p.type != MLSC_PROPOSAL_UPDATE)
			continue;
		if (r[i].sender == g->own_leaf)
			err = own_update(g, nx, &r[i]);
		if (!err)
			err = mlsc_tree_update(&nx->tree, r[i].sender,
					       &r[i].p.update);
	}
	for (size_t i = 0; i < n && !err; i++) {
		if (r[i].p.type != MLSC_PROPOSAL_REMOVE)
			continue;
		if (r[i].p.remove == g->own_leaf)
			nx->removed = true;
		err = mlsc_tree_remove(&nx->tree, r[i].p.remove);
	}
	for (size_t i = 0; i < n && !err; i++)
		if (r[i].p.type == MLSC_PROPOSAL_ADD)
			err = mlsc_tree_add(&nx->tree, &r[i].p.add.leaf_node,
					    &nx->joiners[nx->n_joiners++]);
	return err == -EINVAL ? -EPROTO : err;
}

/* The UpdatePath: its leaf (§7.3), then decrypted and merged (§7.5). */
static int path(const struct mlsc_group *g, struct next *nx,
		const struct mlsc_update_path *up, uint32_t committer,
		const struct mlsc_validate_opts *vo, struct mlsc_arena *arena)
{
	struct mlsc_group_context pgc = nx->gc;
	struct mlsc_required_caps req;
	int err;

	err = mlsc_find_required_caps(&nx->gc.extensions, arena, &req);
	if (err < 0)
		return -EPROTO;
	err = mlsc_leaf_validate(g->suite->id, &up->leaf_node,
				 MLSC_LEAF_SOURCE_COMMIT, &nx->gc.group_id,
				 committer, &req, vo);
	if (err)
		return err;
	if (nx->removed)
		return mlsc_treekem_merge(&nx->tree, committer, up);
	/* nx->priv: the group's, or after an own Update its new leaf key */
	if (!g->priv)
		return -ENOKEY;
	/* provisional: the next epoch, the old confirmed transcript hash */
	pgc.epoch++;
	err = mlsc_treekem_decap(&nx->tree, &nx->priv, committer, up, &pgc,
				 nx->joiners, nx->n_joiners, NULL,
				 nx->commit_secret);
	nx->has_commit_secret = !err;
	return err == -EINVAL ? -EBADMSG : err;
}

/* The new tree's keys and hashes, the new GroupContext. */
static int next_context(const struct mlsc_group *g, struct next *nx,
			const struct mlsc_content_in *in)
{
	const struct mlsc_suite *s = g->suite;
	int err;

	err = mlsc_tree_keys_unique(&nx->tree);
	if (!err)
		err = mlsc_tree_verify_parent_hashes(&nx->tree);
	if (err == -EBADMSG)
		err = -EPROTO;
	if (!err)
		err = mlsc_tree_hash(&nx->tree, mlsc_tm_root(nx->tree.n_leaves),
				     nx->tree_hash);
	if (!err)
		err = mlsc_transcript_confirmed(s, g->interim, in->wire_format,
						&in->fc, &in->auth.signature,
						nx->confirmed);
	if (err)
		return err;
	nx->gc.epoch++;
	nx->gc.tree_hash = (struct mlsc_slice){ nx->tree_hash, s->nh };
	nx->gc.confirmed_transcript_hash =
		(struct mlsc_slice){ nx->confirmed, s->nh };
	return MLSC_ENCODE(&nx->gc, mlsc_io_group_context, &nx->ctx);
}

/*
 * MLS_IOC_COMMIT_PREPARE from the commit_secret, the PSKs and the new
 * GroupContext; the pending epoch's confirmation_tag verified; its
 * interim transcript hash. Discarded again on failure.
 */
static int prepare(struct mlsc_group *g, struct next *nx,
		   const struct mlsc_content_in *in,
		   const struct mlsc_process_opts *opts)
{
	const struct mlsc_suite *s = g->suite;
	const struct mlsc_slice *tag = &in->auth.confirmation_tag;
	struct mls_psk kpsks[MLS_MAX_PSKS];
	struct mlsc_psk *given;
	struct mlsc_wbuf ext = { 0 };
	struct mls_commit kc;
	uint8_t *occupied = NULL;
	size_t occupied_len = 0, skip = 0;
	bool pending = false;
	int err;

	if (nx->n_psks > MLS_MAX_PSKS)
		return -EPROTO;
	given = mlsc_calloc(opts->n_psks + 1, sizeof(*given));
	if (!given)
		return -ENOMEM;
	if (opts->n_psks)
		memcpy(given, opts->psks, opts->n_psks * sizeof(*given));
	/* this group's own resumption PSKs */
	given[opts->n_psks] = (struct mlsc_psk){
		.type = MLS_PSK_RESUMPTION, .group_fd = g->gfd };
	err = mlsc_psk_list(s, nx->psks, nx->n_psks, given, opts->n_psks + 1,
			    kpsks);
	if (err == -EBADMSG)
		err = -EPROTO;
	if (!err)
		err = mlsc_roster_bitmap(&nx->tree, &occupied, &occupied_len);
	if (!err)
		err = mlsc_context_extensions(&nx->gc, &ext, &skip);
	if (err)
		goto out;
	memset(&kc, 0, sizeof(kc));
	if (nx->has_commit_secret)
		mls_buf_set(&kc.commit_secret, nx->commit_secret, s->nh);
	kc.context.epoch = nx->gc.epoch;
	mls_buf_set(&kc.context.tree_hash, nx->tree_hash, s->nh);
	mls_buf_set(&kc.context.confirmed_transcript_hash, nx->confirmed,
		    s->nh);
	mls_buf_set(&kc.context.extensions, ext.p + skip, ext.len - skip);
	kc.roster.own_leaf = g->own_leaf;
	kc.roster.leaf_count = nx->tree.n_leaves;
	mls_buf_set(&kc.roster.occupied, occupied, occupied_len);
	if (nx->n_psks)
		mls_psk_list_set(&kc.psks, kpsks, nx->n_psks);
	/* a ReInit ends the group in the kernel too: nothing sent after it */
	if (nx->reinit && g->kernel_final)
		kc.flags |= MLS_COMMIT_F_FINAL;
	/* the kernel decapsulates it with the external private key */
	if (nx->kem_output) {
		kc.flags |= MLS_COMMIT_F_EXTERNAL_INIT;
		mls_buf_set(&kc.kem_output, nx->kem_output->p,
			    nx->kem_output->len);
	}
	err = mls_commit_prepare(g->gfd, &kc);
	OPENSSL_cleanse(&kc, sizeof(kc));
	pending = !err;
	if (!err)
		err = mls_confirmation_tag_verify(g->gfd, MLS_TAG_F_PENDING,
						  tag->p, tag->len, NULL);
	if (!err)
		err = mlsc_transcript_interim(s, &nx->gc.confirmed_transcript_hash,
					      tag, nx->interim);
out:
	/* the secrets go on every path, before the kernel is told */
	OPENSSL_cleanse(nx->commit_secret, sizeof(nx->commit_secret));
	OPENSSL_cleanse(kpsks, sizeof(kpsks));
	OPENSSL_clear_free(given, (opts->n_psks + 1) * sizeof(*given));
	free(occupied);
	mlsc_wbuf_free(&ext);
	if (err && pending)
		mls_commit_discard(g->gfd, nx->gc.epoch);
	return err;
}

/*
 * Forget the path secrets of nodes the Commit blanked or cut off
 * (Update, Remove, truncation): their keys are no longer the tree's.
 */
static void drop_blank(struct mlsc_tree_priv *p, const struct mlsc_tree *t)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < p->n_path; i++)
		if (!mlsc_tree_blank(t, p->path[i].node))
			p->path[j++] = p->path[i];
	OPENSSL_cleanse(&p->path[j], (MLSC_MAX_PATH - j) * sizeof(p->path[0]));
	p->n_path = j;
}

/* Merge in the kernel, then take the new epoch: nothing fails after. */
static int take(struct mlsc_group *g, struct next *nx)
{
	uint8_t *ctx;
	int err;

	drop_blank(&nx->priv, &nx->tree);
	err = mlsc_node_keys_from_priv(g->suite, &nx->tree, &nx->priv,
				       &nx->keys, &nx->n_keys);
	ctx = err ? NULL : mlsc_malloc(nx->ctx.len);
	if (!ctx && !err)
		err = -ENOMEM;
	if (!err)
		err = mls_commit_merge(g->gfd, nx->gc.epoch);
	if (err) {
		/* the new keys are wiped before the kernel drops the epoch */
		if (nx->keys)
			OPENSSL_clear_free(nx->keys, (1 + MLSC_MAX_PATH) *
						     sizeof(*nx->keys));
		nx->keys = NULL;
		free(ctx);
		mls_commit_discard(g->gfd, nx->gc.epoch);
		return err;
	}
	memcpy(ctx, nx->ctx.p, nx->ctx.len);
	free(g->context);
	g->context = ctx;
	g->context_len = nx->ctx.len;
	mlsc_tree_free(&g->tree);
	g->tree = nx->tree;
	memset(&nx->tree, 0, sizeof(nx->tree));
	*g->priv = nx->priv;
	mlsc_group_wipe_keys(g);
	free(g->keys);
	g->keys = nx->keys;
	g->n_keys = nx->n_keys;
	nx->keys = NULL;
	memcpy(g->interim, nx->interim, sizeof(g->interim));
	if (nx->reinit) {
		free(g->reinit);
		g->reinit = nx->reinit;
		g->reinit_len = nx->reinit_len;
		nx->reinit = NULL;
	}
	if (g->cache)
		mlsc_proposal_cache_clear(g->cache);
	mlsc_group_retry_clear(g);
	return 0;
}

/*
 * An external commit's proposals (§12.4.3.2): by value only, then as
 * mlsc_proposals_validate_external() checks them.
 */
static int external_list(const struct mlsc_group_view *v,
			 const struct mlsc_commit *c, struct mlsc_arena *arena,
			 struct mlsc_resolved *r)
{
	static const struct mlsc_proposal_cache none;

	for (size_t i = 0; i < c->n_proposals; i++)
		if (c->proposals[i].type != MLSC_POR_PROPOSAL)
			return -EPROTO;
	return mlsc_proposals_resolve(&none, v->suite->nh, v->gc->epoch, c,
				      UINT32_MAX, arena, r) ?:
	       mlsc_proposals_validate_external(v, c, &c->path.leaf_node, r);
}

int mlsc_commit_recv(struct mlsc_group *g,
		     const struct mlsc_group_context *gc,
		     const struct mlsc_content_in *in,
		     const struct mlsc_process_opts *opts,
		     struct mlsc_processed *out)
{
	static const struct mlsc_proposal_cache empty;
	const struct mlsc_commit *c = &in->fc.commit;
	const struct mlsc_suite *s = g->suite;
	struct mlsc_validate_opts now = { .now = (uint64_t)time(NULL) };
	const struct mlsc_validate_opts *vo = opts->validate ?: &now;
	struct mlsc_group_view v = { s, &g->tree, gc, vo };
	uint32_t committer = in->fc.sender.index;
	bool external = in->fc.sender.type == MLSC_SENDER_NEW_MEMBER_COMMIT;
	struct mlsc_resolved *r;
	struct mlsc_arena arena;
	struct next *nx;
	bool path_required;
	int err;

	if (in->auth.confirmation_tag.len != s->nh)
		return -EBADMSG;
	nx = mlsc_calloc(1, sizeof(*nx));
	if (!nx)
		return -ENOMEM;
	mlsc_arena_init(&arena);
	err = -ENOMEM;
	r = mlsc_arena_alloc(&arena, (c->n_proposals + 1) * sizeof(*r));
	if (!r)
		goto out;
	if (external)
		err = external_list(&v, c, &arena, r);
	else
		err = mlsc_proposals_resolve(g->cache ?: &empty, s->nh,
					     gc->epoch, c, committer, &arena, r);
	if (!err && !external)
		err = mlsc_proposals_validate(&v, committer, r, c->n_proposals,
					      &path_required);
	if (!err && !external)
		err = mlsc_gce_senders_check(&v, g->own_leaf, r,
					     c->n_proposals);
	if (!err && !external && path_required && !c->has_path)
		err = -EPROTO;
	if (!err)
		err = mlsc_tree_clone(&nx->tree, &g->tree);
	if (err)
		goto out;
	nx->gc = *gc;
	if (g->priv)
		nx->priv = *g->priv;
	err = apply(g, nx, r, c->n_proposals, &arena);
	/* the joiner takes the leftmost blank leaf, as an Add would */
	if (!err && external) {
		err = mlsc_tree_add(&nx->tree, &c->path.leaf_node, &committer);
		if (err == -EINVAL)
			err = -EPROTO;
		for (size_t i = 0; i < c->n_proposals; i++)
			if (r[i].p.type == MLSC_PROPOSAL_EXTERNAL_INIT)
				nx->kem_output = &r[i].p.external_init;
		out->sender_leaf = committer;
	}
	if (!err && c->has_path)
		err = path(g, nx, &c->path, committer, vo, &arena);
	if (!err)
		err = next_context(g, nx, in);
	if (err)
		goto out;
	out->epoch = nx->gc.epoch;
	if (nx->removed) {
		/*
		 * The next epoch cannot be keyed without this member, and
		 * its epoch is over: the proposals it kept (an own Update's
		 * private key with them) are wiped now, not at free.
		 */
		out->flags |= MLSC_PROCESSED_F_REMOVED;
		if (g->cache)
			mlsc_proposal_cache_clear(g->cache);
		goto out;
	}
	if (!g->priv) {
		err = -ENOKEY;
		goto out;
	}
	err = prepare(g, nx, in, opts);
	if (!err)
		err = take(g, nx);
out:
	next_free(nx);
	mlsc_arena_free(&arena);
	return err;
}
