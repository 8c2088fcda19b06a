// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Joining a group by an external commit (RFC 9420 §12.4.3.2), from a
 * GroupInfo that carries the epoch's external_pub.
 *
 * The joiner encapsulates to external_pub (SetupBaseS) and exports the
 * init_secret from the HPKE context (§8.3); the group's members get the
 * same one from the ExternalInit proposal's kem_output, decapsulated in
 * their kernels with the external private key. The joiner's kernel
 * group is created at the Commit's epoch from that init_secret, the
 * commit_secret of the UpdatePath and the new GroupContext
 * (MLS_GROUP_F_FROM_INPUTS): the init_secret is in userspace only from
 * the export to that call, and the commit_secret until then too. The
 * external PSKs the joiner injects (PreSharedKey proposals) go to that
 * call as a list: the kernel computes the psk_secret.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "frame.h"
#include "group.h"
#include "group_info.h"
#include "hpke.h"
#include "internal.h"
#include "keypkg.h"
#include "leaf.h"
#include "proposal.h"
#include "transcript.h"
#include "tree_validate.h"
#include "treekem.h"

#define MAX_SIG		256

/* At most one ExternalInit and one Remove beside the PSKs. */
#define MAX_PROPS	(2 + MLS_MAX_PSKS)

/* What one external join is made of. */
struct xjoin {
	const struct mlsc_external_args *a;
	/* the PSKs to inject (MLSC_EXTERNAL_F_EXT), as proposal specs */
	struct mlsc_proposal_spec psks[MLS_MAX_PSKS];
	size_t n_psks;
	struct mls_psk kpsks[MLS_MAX_PSKS];	/* the kernel's list */
	const struct mlsc_suite *s;
	struct mlsc_arena arena;
	struct mlsc_group_info gi;
	const uint8_t *gi_bytes;	/* the GroupInfo inside the message */
	size_t gi_len;
	struct mlsc_slice external_pub;
	struct mlsc_tree tree;		/* the GroupInfo's epoch */
	struct mlsc_tree nt;		/* the Commit's */
	struct mlsc_tree_priv priv;
	uint32_t own_leaf;
	uint8_t kem_output[MLSC_MAX_PK];
	size_t kem_output_len;
	uint8_t init_secret[MLSC_MAX_HASH];
	uint8_t commit_secret[MLSC_MAX_HASH];
	struct mlsc_wbuf path;
	struct mlsc_wbuf ctx;		/* the GroupInfo's GroupContext */
	struct mlsc_wbuf nctx;		/* the next one */
	struct mlsc_framed_content fc;
	struct mlsc_proposal_or_ref props[MAX_PROPS];
	uint8_t sig[MAX_SIG];
	size_t sig_len;
	uint8_t interim[MLSC_MAX_HASH];
	uint8_t confirmed[MLSC_MAX_HASH];
	uint8_t tree_hash[MLSC_MAX_HASH];
	uint8_t tag[MLSC_MAX_HASH];
	int gfd;
	bool kernel_final;		/* of the module, for the member */
};

/* The secrets first, then the kernel group of a join that failed. */
static void xjoin_free(struct xjoin *x)
{
	OPENSSL_cleanse(x->init_secret, sizeof(x->init_secret));
	OPENSSL_cleanse(x->commit_secret, sizeof(x->commit_secret));
	OPENSSL_cleanse(x->kpsks, sizeof(x->kpsks));
	mlsc_tree_priv_clear(&x->priv);
	mlsc_wbuf_free(&x->path);
	mlsc_tree_free(&x->tree);
	mlsc_tree_free(&x->nt);
	mlsc_wbuf_free(&x->ctx);
	mlsc_wbuf_free(&x->nctx);
	mlsc_arena_free(&x->arena);
	if (x->gfd >= 0) {
		mls_group_destroy(x->gfd);
		close(x->gfd);
		x->gfd = -1;
	}
}

/*
 * The PSKs of @a (MLSC_EXTERNAL_F_EXT) as specs of external PSKs by
 * value, checked as a Commit's (mlsc_spec_check_psk()). A resumption
 * PSK's value is an epoch's resumption_psk: not a joiner's to give.
 */
static int take_psks(struct xjoin *x, const struct mlsc_external_args *a)
{
	const struct mlsc_external_args_ext *ext = (const void *)a;
	int err = 0;

	if (!(a->flags & MLSC_EXTERNAL_F_EXT))
		return 0;
	if (ext->n_psks > MLS_MAX_PSKS || (ext->n_psks && !ext->psks))
		return -EINVAL;
	for (size_t i = 0; i < ext->n_psks && !err; i++) {
		const struct mlsc_psk *k = &ext->psks[i];

		if (k->type == MLS_PSK_RESUMPTION)
			return -EOPNOTSUPP;
		if (k->type != MLS_PSK_EXTERNAL)
			return -EINVAL;
		x->psks[i] = (struct mlsc_proposal_spec){
			.type = MLSC_PROPOSE_PSK,
			.psk_id = k->id, .psk_id_len = k->id_len,
			.psk = k->secret, .psk_len = k->secret_len,
		};
		err = mlsc_spec_check_psk(x->psks, i);
	}
	x->n_psks = ext->n_psks;
	return err;
}

/* The GroupInfo: its suite, lengths, external_pub. */
static int parse_group_info(struct xjoin *x, const uint8_t *msg, size_t len)
{
	const struct mlsc_group_context *gc = &x->gi.group_context;
	const struct mlsc_extension *ext;
	struct mlsc_mls_message m;
	struct mlsc_io io;
	int err;

	err = MLSC_DECODE(msg, len, &x->arena, &m, mlsc_io_mls_message);
	if (err)
		return err;
	if (m.wire_format != MLSC_WIRE_GROUP_INFO)
		return -EBADMSG;
	x->gi = m.group_info;
	/* MLSMessage: version and wire_format, then the GroupInfo */
	x->gi_bytes = msg + 4;
	x->gi_len = len - 4;
	if (gc->version != MLSC_VERSION_MLS10)
		return -EPROTONOSUPPORT;
	x->s = mlsc_suite_get(gc->cipher_suite);
	if (!x->s)
		return -EPROTONOSUPPORT;
	if (!mlsc_suite_external_ok(x->s))
		return -EOPNOTSUPP;
	if (x->gi.confirmation_tag.len != x->s->nh ||
	    gc->tree_hash.len != x->s->nh ||
	    (gc->confirmed_transcript_hash.len != x->s->nh &&
	     (gc->epoch || gc->confirmed_transcript_hash.len)))
		return -EBADMSG;
	err = mlsc_find_extension(&x->gi.extensions, MLSC_EXT_EXTERNAL_PUB,
				  &ext);
	if (err)
		return err == -ENODATA ? -ENOKEY : err;
	mlsc_io_reader(&io, ext->data.p, ext->data.len, &x->arena);
	mlsc_io_opaque(&io, &x->external_pub);
	err = mlsc_io_finish(&io);
	if (!err && x->external_pub.len != x->s->npk)
		err = -EBADMSG;
	return err;
}

/* The tree (extension or argument): the signature verified, then valid. */
static int check_tree(struct xjoin *x)
{
	const struct mlsc_group_context *gc = &x->gi.group_context;
	const struct mlsc_external_args *a = x->a;
	struct mlsc_validate_opts now = { .now = (uint64_t)time(NULL) };
	const struct mlsc_extension *ext;
	const struct mlsc_leaf_node *signer;
	const struct mlsc_slice *sig = &x->gi.signature;
	struct mls_sig_key *key = NULL;
	size_t tail;
	int err;

	err = mlsc_find_extension(&x->gi.extensions, MLSC_EXT_RATCHET_TREE,
				  &ext);
	if (!err)
		err = mlsc_tree_parse(&x->tree, x->s->id, ext->data.p,
				      ext->data.len);
	else if (err == -ENODATA && a->ratchet_tree)
		err = mlsc_tree_parse(&x->tree, x->s->id, a->ratchet_tree,
				      a->ratchet_tree_len);
	if (err)
		return err;
	/* §12.4.3.1: the signature first; nothing unsigned is judged */
	signer = mlsc_tree_leaf(&x->tree, x->gi.signer);
	if (!signer)
		return -EPROTO;
	if (mls_sig_key_import(x->s->id, MLS_KEY_PUBLIC, signer->signature_key.p,
			       signer->signature_key.len, &key))
		return -EKEYREJECTED;
	/* strict parsing: the signature<V> is the minimal varint and the tail */
	tail = mlsc_varint_size((uint32_t)sig->len) + sig->len;
	if (mls_verify_with_label(key, "GroupInfoTBS", x->gi_bytes,
				  x->gi_len - tail, sig->p, sig->len))
		err = -EKEYREJECTED;
	mls_sig_key_free(key);
	if (err)
		return err;
	err = mlsc_tree_validate(&x->tree, &gc->group_id, &gc->tree_hash,
				 &gc->extensions, a->validate ?: &now);
	if (err == -EBADMSG || err == -EINVAL || err == -EIO)
		return -EPROTO;
	if (err)
		return err;
	if ((a->flags & MLSC_EXTERNAL_F_REMOVE) &&
	    !mlsc_tree_leaf(&x->tree, a->remove_leaf))
		return -EINVAL;
	return 0;
}

/* @a->leaf is of the group's suite and its key @a->sig_key's. */
static int check_leaf(struct xjoin *x)
{
	const struct mlsc_keypkg_priv *kp = x->a->leaf;
	const struct mlsc_slice *sk = &kp->kp->kp.leaf_node.signature_key;
	struct mls_bytes pub = { 0 };
	int err;

	if (kp->suite != x->s->id || kp->kp->kp.cipher_suite != x->s->id)
		return -EINVAL;
	err = mls_sig_key_export(x->a->sig_key, MLS_KEY_PUBLIC, &pub);
	if (err)
		return -EINVAL;
	if (pub.len != sk->len || memcmp(pub.data, sk->p, pub.len))
		err = -EINVAL;
	mls_bytes_free(&pub);
	return err;
}

/* kem_output and init_secret (§8.3). */
static int external_init(struct xjoin *x)
{
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	int err;

	memset(&ctx, 0, sizeof(ctx));
	err = mlsc_hpke_suite_mls(&hs, x->s);
	x->kem_output_len = sizeof(x->kem_output);
	if (!err)
		err = mlsc_hpke_setup_base_s(&ctx, &hs, x->external_pub.p,
					     x->external_pub.len, NULL, 0,
					     x->kem_output, &x->kem_output_len);
	if (!err)
		err = mlsc_hpke_export(&ctx,
				       (const uint8_t *)MLSC_EXTERNAL_INIT_LABEL,
				       strlen(MLSC_EXTERNAL_INIT_LABEL),
				       x->init_secret, x->s->nh);
	mlsc_hpke_ctx_clear(&ctx);
	/* a point that is not one: the GroupInfo's fault */
	return err == -EINVAL ? -EBADMSG : err;
}

/* The Commit's tree, the new leaf's UpdatePath, the proposals. */
static int make_commit(struct xjoin *x, struct mlsc_commit *c)
{
	const struct mlsc_leaf_node *tmpl = &x->a->leaf->kp->kp.leaf_node;
	struct mlsc_group_context pgc = x->gi.group_context;
	uint8_t dummy[MLSC_MAX_SK] = { 0 };
	size_t n = 0;
	int err;

	err = mlsc_tree_clone(&x->nt, &x->tree);
	if (!err && (x->a->flags & MLSC_EXTERNAL_F_REMOVE))
		err = mlsc_tree_remove(&x->nt, x->a->remove_leaf);
	if (!err)
		err = mlsc_tree_add(&x->nt, tmpl, &x->own_leaf);
	/* the leaf's key is the path's: this one is only a placeholder */
	if (!err)
		err = mlsc_tree_priv_init(&x->priv, x->s->id, x->own_leaf,
					  dummy, x->s->nsk);
	if (err)
		return err;
	pgc.epoch++;
	err = mlsc_treekem_encap(&x->nt, &x->priv, tmpl, x->a->sig_key, &pgc,
				 NULL, 0, NULL, &x->path, x->commit_secret);
	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	x->props[n].type = MLSC_POR_PROPOSAL;
	x->props[n].proposal.type = MLSC_PROPOSAL_EXTERNAL_INIT;
	x->props[n++].proposal.external_init =
		(struct mlsc_slice){ x->kem_output, x->kem_output_len };
	if (x->a->flags & MLSC_EXTERNAL_F_REMOVE) {
		x->props[n].type = MLSC_POR_PROPOSAL;
		x->props[n].proposal.type = MLSC_PROPOSAL_REMOVE;
		x->props[n++].proposal.remove = x->a->remove_leaf;
	}
	/* each with a fresh psk_nonce (§8.4), the kernel's entry beside */
	for (size_t i = 0; i < x->n_psks; i++) {
		x->props[n].type = MLSC_POR_PROPOSAL;
		x->props[n].proposal.type = MLSC_PROPOSAL_PSK;
		err = mlsc_psk_from_spec(x->s, &x->psks[i], &x->arena,
					 &x->props[n++].proposal.psk,
					 &x->kpsks[i]);
		if (err)
			return err;
	}
	c->proposals = x->props;
	c->n_proposals = n;
	c->has_path = true;
	return MLSC_DECODE(x->path.p, x->path.len, &x->arena, &c->path,
			   mlsc_io_update_path);
}

/*
 * What the group's members would refuse, refused here with their own
 * checks (§12.4.3.2, §12.2, §7.3), before anything is signed or keyed:
 * the new leaf (-EOPNOTSUPP when it lacks a capability the group
 * requires, or the credential callback's error), the proposal list, a
 * resync's new credential standing for the removed one (-EPERM, or the
 * same_member_cb's error) and keys no other leaf holds (-EEXIST).
 */
static int check_receivable(struct xjoin *x, const struct mlsc_commit *c)
{
	static const struct mlsc_proposal_cache none;
	const struct mlsc_group_context *gc = &x->gi.group_context;
	struct mlsc_validate_opts now = { .now = (uint64_t)time(NULL) };
	const struct mlsc_validate_opts *vo = x->a->validate ?: &now;
	struct mlsc_group_view v = { x->s, &x->tree, gc, vo };
	struct mlsc_required_caps req;
	struct mlsc_resolved *r;
	int err;

	err = mlsc_find_required_caps(&gc->extensions, &x->arena, &req);
	if (err < 0)
		return -EPROTO;
	err = mlsc_leaf_validate(x->s->id, &c->path.leaf_node,
				 MLSC_LEAF_SOURCE_COMMIT, &gc->group_id,
				 x->own_leaf, &req, vo);
	if (err)
		return err;
	r = mlsc_arena_alloc(&x->arena, (c->n_proposals + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = mlsc_proposals_resolve(&none, x->s->nh, gc->epoch, c,
				     UINT32_MAX, &x->arena, r);
	if (!err)
		err = mlsc_proposals_validate_external(&v, c,
						       &c->path.leaf_node, r);
	if (err)
		return err == -EPROTO ? -EPERM : err;
	err = mlsc_tree_keys_unique(&x->nt);
	return err == -EPROTO ? -EEXIST : err;
}

/* FramedContentTBS (§6.1) with the GroupInfo's GroupContext, signed. */
static int sign_content(struct xjoin *x)
{
	struct mlsc_wbuf tbs = { 0 };
	uint16_t v = MLSC_VERSION_MLS10, wf = MLSC_WIRE_PUBLIC_MESSAGE;
	struct mlsc_io io;
	int err;

	err = MLSC_ENCODE(&x->gi.group_context, mlsc_io_group_context,
			  &x->ctx);
	if (err)
		return err;
	mlsc_io_writer(&io, &tbs);
	mlsc_io_u16(&io, &v);
	mlsc_io_u16(&io, &wf);
	mlsc_io_framed_content(&io, &x->fc);
	mlsc_io_fixed(&io, x->ctx.p, x->ctx.len);
	err = mlsc_io_finish(&io);
	x->sig_len = sizeof(x->sig);
	if (!err)
		err = mls_sign_with_label(x->a->sig_key, "FramedContentTBS",
					  tbs.p, tbs.len, x->sig, &x->sig_len);
	mlsc_wbuf_free(&tbs);
	return err;
}

/* The next GroupContext, and the kernel group keyed from it. */
static int kernel_create(struct xjoin *x, int ctl_fd)
{
	const struct mlsc_suite *s = x->s;
	struct mlsc_group_context ngc = x->gi.group_context;
	struct mlsc_slice sig = { x->sig, x->sig_len };
	struct mlsc_wbuf ext = { 0 };
	struct mls_group_new gn;
	uint8_t *occupied = NULL;
	size_t occupied_len = 0, skip = 0, tag_len = sizeof(x->tag);
	int err;

	err = mlsc_transcript_interim(s, &x->gi.group_context.confirmed_transcript_hash,
				      &x->gi.confirmation_tag, x->interim);
	if (!err)
		err = mlsc_transcript_confirmed(s, x->interim,
						MLSC_WIRE_PUBLIC_MESSAGE,
						&x->fc, &sig, x->confirmed);
	if (!err)
		err = mlsc_tree_hash(&x->nt, mlsc_tm_root(x->nt.n_leaves),
				     x->tree_hash);
	if (err)
		goto out;
	ngc.epoch++;
	ngc.tree_hash = (struct mlsc_slice){ x->tree_hash, s->nh };
	ngc.confirmed_transcript_hash = (struct mlsc_slice){ x->confirmed,
							     s->nh };
	err = MLSC_ENCODE(&ngc, mlsc_io_group_context, &x->nctx);
	if (!err)
		err = mlsc_context_extensions(&ngc, &ext, &skip);
	if (!err)
		err = mlsc_roster_bitmap(&x->nt, &occupied, &occupied_len);
	if (err)
		goto out;
	memset(&gn, 0, sizeof(gn));
	gn.flags = MLS_GROUP_F_FROM_INPUTS |
		   ((x->a->flags & MLSC_EXTERNAL_F_EPHEMERAL) ?
		    MLS_GROUP_F_EPHEMERAL : 0);
	gn.suite = s->id;
	gn.mode = x->a->mode;
	mls_buf_set(&gn.group_id, ngc.group_id.p, ngc.group_id.len);
	mls_buf_set(&gn.init_secret, x->init_secret, s->nh);
	mls_buf_set(&gn.commit_secret, x->commit_secret, s->nh);
	gn.context.epoch = ngc.epoch;
	mls_buf_set(&gn.context.tree_hash, x->tree_hash, s->nh);
	mls_buf_set(&gn.context.confirmed_transcript_hash, x->confirmed,
		    s->nh);
	mls_buf_set(&gn.context.extensions, ext.p + skip, ext.len - skip);
	gn.roster.own_leaf = x->own_leaf;
	gn.roster.leaf_count = x->nt.n_leaves;
	mls_buf_set(&gn.roster.occupied, occupied, occupied_len);
	if (x->n_psks)
		mls_psk_list_set(&gn.psks, x->kpsks, x->n_psks);
	err = mls_group_create(ctl_fd, &gn);
	OPENSSL_cleanse(&gn, sizeof(gn));
	if (err < 0)
		goto out;
	x->gfd = err;
	x->kernel_final = mlsc_kernel_final(ctl_fd);
	err = mls_confirmation_tag(x->gfd, 0, x->tag, &tag_len, NULL);
	if (!err && tag_len != s->nh)
		err = -EPROTO;
	if (!err) {
		struct mlsc_slice conf = { x->confirmed, s->nh };
		struct mlsc_slice tag = { x->tag, s->nh };

		err = mlsc_transcript_interim(s, &conf, &tag, x->interim);
	}
out:
	/* in the kernel or refused: not kept here either way */
	OPENSSL_cleanse(x->init_secret, sizeof(x->init_secret));
	OPENSSL_cleanse(x->commit_secret, sizeof(x->commit_secret));
	free(occupied);
	mlsc_wbuf_free(&ext);
	return err;
}

static int frame(struct xjoin *x, struct mls_bytes *out)
{
	struct mlsc_auth_data auth = {
		.signature = { x->sig, x->sig_len },
		.confirmation_tag = { x->tag, x->s->nh },
	};
	struct mlsc_frame_in in = {
		.wire_format = MLSC_WIRE_PUBLIC_MESSAGE,
		.fc = &x->fc,
		.auth = &auth,
	};

	/* a new_member_commit: a PublicMessage without membership tag */
	return mlsc_frame(NULL, &in, out);
}

/* The member: the new tree, keys, GroupContext, transcript, kernel fd. */
static int make_group(struct xjoin *x, const struct mls_bytes *commit,
		      struct mlsc_group **out)
{
	struct mlsc_group *g;
	int err;

	g = mlsc_calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->gfd = -1;
	g->suite = x->s;
	g->own_leaf = x->own_leaf;
	err = mlsc_keys_from_priv(x->s, &x->priv, &g->keys, &g->n_keys);
	if (!err) {
		g->priv = mlsc_malloc(sizeof(*g->priv));
		g->context = mlsc_malloc(x->nctx.len);
		if (!g->priv || !g->context)
			err = -ENOMEM;
	}
	if (!err)
		err = mlsc_group_set_own_commit(g, commit->data, commit->len);
	if (err) {
		mlsc_group_free(g);
		return err;
	}
	*g->priv = x->priv;
	memcpy(g->context, x->nctx.p, x->nctx.len);
	g->context_len = x->nctx.len;
	memcpy(g->interim, x->interim, sizeof(g->interim));
	g->tree = x->nt;
	memset(&x->nt, 0, sizeof(x->nt));
	g->gfd = x->gfd;
	x->gfd = -1;
	g->kernel_final = x->kernel_final;
	g->joining = true;
	*out = g;
	return 0;
}

MLSC_EXPORT int mlsc_external_join(int ctl_fd, const void *group_info,
				   size_t len,
				   const struct mlsc_external_args *a,
				   struct mlsc_group **out,
				   struct mls_bytes *commit)
{
	struct mlsc_commit c;
	struct xjoin *x;
	int err;

	if (out)
		*out = NULL;
	if (commit)
		memset(commit, 0, sizeof(*commit));
	if (!out || !commit || !a || !group_info || len < 4 || !a->leaf ||
	    !a->leaf->kp || !a->sig_key ||
	    (a->flags & ~(MLSC_EXTERNAL_F_ALL | MLSC_EXTERNAL_F_EXT)) ||
	    a->reserved ||
	    (!(a->flags & MLSC_EXTERNAL_F_REMOVE) && a->remove_leaf) ||
	    (a->ratchet_tree_len && !a->ratchet_tree) ||
	    (a->authenticated_data_len && !a->authenticated_data))
		return -EINVAL;
	x = mlsc_calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->a = a;
	x->gfd = -1;
	mlsc_arena_init(&x->arena);
	err = take_psks(x, a);
	if (!err)
		err = parse_group_info(x, group_info, len);
	if (!err)
		err = check_leaf(x);
	if (!err)
		err = check_tree(x);
	if (!err)
		err = external_init(x);
	if (!err)
		err = make_commit(x, &c);
	if (!err)
		err = check_receivable(x, &c);
	if (err)
		goto out;
	x->fc.group_id = x->gi.group_context.group_id;
	x->fc.epoch = x->gi.group_context.epoch;
	x->fc.sender.type = MLSC_SENDER_NEW_MEMBER_COMMIT;
	x->fc.authenticated_data = (struct mlsc_slice){
		a->authenticated_data, a->authenticated_data_len };
	x->fc.content_type = MLSC_CONTENT_COMMIT;
	x->fc.commit = c;
	err = sign_content(x);
	if (!err)
		err = kernel_create(x, ctl_fd);
	if (!err)
		err = frame(x, commit);
	if (!err)
		err = make_group(x, commit, out);
	if (err)
		mls_bytes_free(commit);
out:
	xjoin_free(x);
	OPENSSL_clear_free(x, sizeof(*x));
	return err;
}
