// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Creating a group (RFC 9420 §11): a tree of one leaf, the creator's,
 * and epoch 0 in the kernel, whose epoch_secret is random and never
 * leaves it. The GroupContext has the tree hash of that tree, the
 * extensions the creator gives (required_capabilities,
 * external_senders, ...) and an empty confirmed transcript hash; the
 * interim transcript hash comes from the first confirmation tag, which
 * the kernel computes.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "commit.h"
#include "ext_sender.h"
#include "internal.h"
#include "kdf.h"
#include "keypkg.h"
#include "leaf.h"
#include "proposal.h"
#include "transcript.h"
#include "treekem.h"

void mlsc_pending_free(struct mlsc_pending *p)
{
	if (!p)
		return;
	mlsc_tree_free(&p->tree);
	if (p->keys)
		OPENSSL_clear_free(p->keys, p->n_keys * sizeof(*p->keys));
	if (p->priv)
		OPENSSL_clear_free(p->priv, sizeof(*p->priv));
	free(p->context);
	free(p->reinit);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

int mlsc_keys_from_priv(const struct mlsc_suite *s,
			const struct mlsc_tree_priv *priv,
			struct mlsc_node_key **out, size_t *n_out)
{
	struct mlsc_node_key *keys;
	size_t n = 0, size = (1 + priv->n_path) * sizeof(*keys);
	int err = 0;

	keys = mlsc_calloc(1, size);
	if (!keys)
		return -ENOMEM;
	keys[n].node = mlsc_leaf_node(priv->leaf);
	keys[n].len = priv->leaf_sk_len;
	memcpy(keys[n].sk, priv->leaf_sk, priv->leaf_sk_len);
	n++;
	for (uint32_t i = 0; i < priv->n_path && !err; i++) {
		uint8_t pk[MLSC_MAX_PK];
		size_t sk_len = sizeof(keys[n].sk), pk_len = sizeof(pk);

		err = mlsc_path_node_key(s, priv->path[i].secret, keys[n].sk,
					 &sk_len, pk, &pk_len);
		keys[n].node = priv->path[i].node;
		keys[n].len = sk_len;
		n++;
	}
	if (err) {
		OPENSSL_clear_free(keys, size);
		return err;
	}
	*out = keys;
	*n_out = n;
	return 0;
}

/* The creator's tree: its leaf alone. */
static int one_leaf_tree(struct mlsc_tree *t, uint16_t suite,
			 const struct mlsc_leaf_node *leaf)
{
	int err;

	memset(t, 0, sizeof(*t));
	mlsc_arena_init(&t->arena);
	t->suite = suite;
	t->nodes = mlsc_calloc(1, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	t->n_leaves = 1;
	t->n_nodes = 1;
	err = mlsc_tree_set_leaf(t, 0, leaf);
	if (err)
		mlsc_tree_free(t);
	return err;
}

int mlsc_extensions_take(const struct mlsc_ext *x, size_t n, uint16_t suite,
			 const struct mlsc_leaf_node *leaf,
			 struct mlsc_arena *arena, struct mlsc_extensions *e)
{
	const struct mlsc_capabilities *c = &leaf->capabilities;
	struct mlsc_required_caps req;

	if (n && !x)
		return -EINVAL;
	e->n = n;
	e->v = mlsc_arena_alloc(arena, (e->n ? e->n : 1) * sizeof(*e->v));
	if (!e->v)
		return -ENOMEM;
	for (size_t i = 0; i < e->n; i++) {
		const struct mlsc_ext *in = &x[i];
		struct mlsc_external_sender *v;
		size_t n;

		if ((in->len && !in->data) ||
		    in->type == MLSC_EXT_RATCHET_TREE ||
		    in->type == MLSC_EXT_EXTERNAL_PUB)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (e->v[j].type == in->type)
				return -EINVAL;
		e->v[i] = (struct mlsc_extension){
			in->type, { in->data, in->len } };
		if (in->type > MLSC_EXT_EXTERNAL_SENDERS &&
		    !mlsc_u16_in(in->type, c->extensions, c->n_extensions))
			return -EOPNOTSUPP;
		if (in->type != MLSC_EXT_EXTERNAL_SENDERS)
			continue;
		if (mlsc_external_senders_parse(&e->v[i].data, arena, &v, &n))
			return -EINVAL;
		for (size_t k = 0; k < n; k++) {
			struct mls_sig_key *key = NULL;

			if (mls_sig_key_import(suite, MLS_KEY_PUBLIC,
					       v[k].signature_key.p,
					       v[k].signature_key.len, &key))
				return -EINVAL;
			mls_sig_key_free(key);
		}
	}
	if (mlsc_find_required_caps(e, arena, &req) < 0)
		return -EINVAL;
	for (size_t i = 0; i < req.n_extensions; i++)
		if (req.extensions[i] > MLSC_EXT_EXTERNAL_SENDERS &&
		    !mlsc_u16_in(req.extensions[i], c->extensions,
				 c->n_extensions))
			return -EOPNOTSUPP;
	for (size_t i = 0; i < req.n_proposals; i++)
		if (req.proposals[i] > MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS &&
		    !mlsc_u16_in(req.proposals[i], c->proposals,
				 c->n_proposals))
			return -EOPNOTSUPP;
	for (size_t i = 0; i < req.n_credentials; i++)
		if (!mlsc_u16_in(req.credentials[i], c->credentials,
				 c->n_credentials))
			return -EOPNOTSUPP;
	return 0;
}

/* MLS_IOC_GROUP_CREATE for epoch 0 of @gc: the group fd or -errno. */
bool mlsc_kernel_final(int ctl_fd)
{
	struct mls_version v = { 0 };

	return !mls_get_version(ctl_fd, &v) &&
	       (v.features & MLS_FEATURE_COMMIT_FINAL);
}

static int kernel_create(int ctl_fd, const struct mlsc_group_params *p,
			 const struct mlsc_group_context *gc)
{
	struct mlsc_wbuf ext = { 0 };
	struct mls_group_new n;
	size_t skip = 0;
	int err;

	err = mlsc_context_extensions(gc, &ext, &skip);
	if (err)
		return err;

	memset(&n, 0, sizeof(n));
	n.flags = (p->flags & MLSC_JOIN_F_EPHEMERAL) ? MLS_GROUP_F_EPHEMERAL : 0;
	n.suite = gc->cipher_suite;
	n.mode = p->mode;
	mls_buf_set(&n.group_id, gc->group_id.p, gc->group_id.len);
	n.context.epoch = 0;
	mls_buf_set(&n.context.tree_hash, gc->tree_hash.p, gc->tree_hash.len);
	mls_buf_set(&n.context.extensions, ext.p + skip, ext.len - skip);
	n.roster.own_leaf = 0;
	n.roster.leaf_count = 1;
	err = mls_group_create(ctl_fd, &n);
	mlsc_wbuf_free(&ext);
	return err;
}

MLSC_EXPORT int mlsc_group_create(int ctl_fd,
				  const struct mlsc_group_params *p,
				  struct mlsc_keypkg_priv *kp,
				  struct mlsc_group **out)
{
	uint8_t th[MLSC_MAX_HASH], tag[MLSC_MAX_HASH];
	struct mlsc_group_context gc;
	struct mlsc_wbuf ctx = { 0 };
	struct mlsc_slice empty = { 0 }, tag_s;
	struct mlsc_arena arena;
	struct mlsc_group *g;
	size_t tag_len = sizeof(tag);
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!p || !kp || !p->group_id || !p->group_id_len ||
	    p->group_id_len > MLS_MAX_GROUP_ID_LEN ||
	    (p->flags & ~(MLSC_JOIN_F_ALL | MLSC_GROUP_F_EXT)))
		return -EINVAL;
	if (!kp->enc_sk_len)
		return -ENOKEY;
	g = mlsc_calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->gfd = -1;
	g->suite = mlsc_suite_get(kp->suite);
	if (!g->suite) {
		free(g);
		return -EPROTONOSUPPORT;
	}
	err = one_leaf_tree(&g->tree, kp->suite, &kp->kp->kp.leaf_node);
	if (err) {
		free(g);
		return err;
	}
	mlsc_arena_init(&arena);
	memset(&gc, 0, sizeof(gc));
	if (p->flags & MLSC_GROUP_F_EXT) {
		const struct mlsc_group_params_ext *x = (const void *)p;

		err = mlsc_extensions_take(x->extensions, x->n_extensions,
					   kp->suite, &kp->kp->kp.leaf_node,
					   &arena, &gc.extensions);
		if (err)
			goto out;
	}
	err = -ENOMEM;
	g->keys = mlsc_calloc(1, sizeof(*g->keys));
	if (!g->keys)
		goto out;
	g->n_keys = 1;
	g->keys[0].node = 0;
	g->keys[0].len = kp->enc_sk_len;
	memcpy(g->keys[0].sk, kp->enc_sk, kp->enc_sk_len);
	/* the leaf key, for following the commits of members to come */
	err = mlsc_group_priv_init(g, NULL, 0);
	if (!err)
		err = mlsc_tree_hash(&g->tree, 0, th);
	if (err)
		goto out;
	gc.version = MLSC_VERSION_MLS10;
	gc.cipher_suite = g->suite->id;
	gc.group_id = (struct mlsc_slice){ p->group_id, p->group_id_len };
	gc.tree_hash = (struct mlsc_slice){ th, g->suite->nh };
	err = MLSC_ENCODE(&gc, mlsc_io_group_context, &ctx);
	if (err)
		goto out;
	err = -ENOMEM;
	g->context = mlsc_malloc(ctx.len);
	if (!g->context)
		goto out;
	memcpy(g->context, ctx.p, ctx.len);
	g->context_len = ctx.len;
	err = kernel_create(ctl_fd, p, &gc);
	if (err < 0)
		goto out;
	g->gfd = err;
	g->kernel_final = mlsc_kernel_final(ctl_fd);
	err = mls_confirmation_tag(g->gfd, 0, tag, &tag_len, NULL);
	if (err)
		goto destroy;
	tag_s = (struct mlsc_slice){ tag, tag_len };
	err = mlsc_transcript_interim(g->suite, &empty, &tag_s, g->interim);
	if (err)
		goto destroy;
	/* the leaf's key is the group's now */
	mlsc_keypkg_priv_wipe(kp);
	*out = g;
	mlsc_wbuf_free(&ctx);
	mlsc_arena_free(&arena);
	return 0;
destroy:
	mls_group_destroy(g->gfd);
out:
	mlsc_wbuf_free(&ctx);
	mlsc_arena_free(&arena);
	mlsc_group_free(g);
	return err;
}
