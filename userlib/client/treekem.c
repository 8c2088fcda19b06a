// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * TreeKEM (RFC 9420 §7.4-§7.6, §12.4.2): path secrets, the UpdatePath
 * a committer sends and what each other member gets out of it.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "hpke.h"
#include "internal.h"
#include "kdf.h"
#include "treekem.h"

/* ---- private state ----------------------------------------------------- */

int mlsc_tree_priv_init(struct mlsc_tree_priv *priv, uint16_t suite,
			uint32_t leaf, const uint8_t *sk, size_t sk_len)
{
	const struct mlsc_suite *s = mlsc_suite_get(suite);

	memset(priv, 0, sizeof(*priv));
	if (!s || !sk || sk_len != s->nsk || leaf >= MLSC_MAX_LEAVES)
		return -EINVAL;
	priv->suite = suite;
	priv->leaf = leaf;
	memcpy(priv->leaf_sk, sk, sk_len);
	priv->leaf_sk_len = sk_len;
	return 0;
}

void mlsc_tree_priv_clear(struct mlsc_tree_priv *priv)
{
	OPENSSL_cleanse(priv, sizeof(*priv));
}

const uint8_t *mlsc_tree_priv_path_secret(const struct mlsc_tree_priv *priv,
					  uint32_t node)
{
	for (uint32_t i = 0; i < priv->n_path; i++)
		if (priv->path[i].node == node)
			return priv->path[i].secret;
	return NULL;
}

int mlsc_tree_priv_set_path_secret(struct mlsc_tree_priv *priv,
				   uint32_t n_leaves, uint32_t node,
				   const uint8_t *secret)
{
	const struct mlsc_suite *s = mlsc_suite_get(priv->suite);
	uint32_t x = mlsc_leaf_node(priv->leaf), i;

	if (!s || !secret || node >= mlsc_tm_node_width(n_leaves) ||
	    mlsc_tm_is_leaf(node) || priv->leaf >= n_leaves ||
	    mlsc_tm_common_ancestor(x, node) != node)
		return -EINVAL;
	for (i = 0; i < priv->n_path && priv->path[i].node != node; i++)
		;
	if (i == MLSC_MAX_PATH)
		return -ENOSPC;
	if (i == priv->n_path)
		priv->n_path++;
	priv->path[i].node = node;
	memcpy(priv->path[i].secret, secret, s->nh);
	return 0;
}

/* Forget the path secrets of the nodes of @t's direct path of @leaf. */
static void priv_drop_path(struct mlsc_tree_priv *priv, uint32_t leaf)
{
	uint32_t x = mlsc_leaf_node(leaf), j = 0;

	for (uint32_t i = 0; i < priv->n_path; i++) {
		if (mlsc_tm_common_ancestor(x, priv->path[i].node) ==
		    priv->path[i].node)
			continue;
		if (i != j)
			priv->path[j] = priv->path[i];
		j++;
	}
	OPENSSL_cleanse(&priv->path[j],
			(MLSC_MAX_PATH - j) * sizeof(priv->path[0]));
	priv->n_path = j;
}

int mlsc_path_secret_next(const struct mlsc_suite *s, const uint8_t *ps,
			  uint8_t *next)
{
	return mlsc_derive_secret(s, ps, "path", next);
}

int mlsc_path_node_key(const struct mlsc_suite *s, const uint8_t *ps,
		       uint8_t *sk, size_t *sk_len, uint8_t *pk,
		       size_t *pk_len)
{
	struct mlsc_hpke_suite hs;
	uint8_t node_secret[MLSC_MAX_HASH], skb[MLSC_MAX_SK];
	size_t skb_len = sizeof(skb);
	int err;

	err = mlsc_hpke_suite_mls(&hs, s);
	if (err)
		return err;
	err = mlsc_derive_secret(s, ps, "node", node_secret);
	if (!err)
		err = mlsc_hpke_derive_key_pair(&hs, node_secret, s->nh,
						sk ? sk : skb,
						sk ? sk_len : &skb_len,
						pk, pk_len);
	OPENSSL_cleanse(node_secret, sizeof(node_secret));
	OPENSSL_cleanse(skb, sizeof(skb));
	return err;
}

/* The encryption key of a non-blank node. */
static const struct mlsc_slice *node_key(const struct mlsc_tree *t,
					 uint32_t x)
{
	const struct mlsc_node *n = &t->nodes[x];

	return n->type == MLSC_NODE_LEAF ? &n->leaf.encryption_key :
	       &n->parent.encryption_key;
}

static bool key_is(const struct mlsc_slice *k, const uint8_t *pk,
		   size_t len)
{
	return k->len == len && !memcmp(k->p, pk, len);
}

int mlsc_tree_priv_check(const struct mlsc_tree_priv *priv,
			 const struct mlsc_tree *t)
{
	const struct mlsc_suite *s = mlsc_suite_get(t->suite);
	const struct mlsc_leaf_node *ln = mlsc_tree_leaf(t, priv->leaf);
	struct mlsc_hpke_suite hs;
	uint8_t pk[MLSC_MAX_PK];
	size_t pk_len = sizeof(pk);
	int err;

	if (!s || priv->suite != t->suite || mlsc_hpke_suite_mls(&hs, s))
		return -EINVAL;
	if (!ln)
		return -EBADMSG;
	err = mlsc_hpke_public_key(&hs, priv->leaf_sk, priv->leaf_sk_len,
				   pk, &pk_len);
	if (err)
		return err == -EINVAL ? -EBADMSG : err;
	if (!key_is(&ln->encryption_key, pk, pk_len))
		return -EBADMSG;
	for (uint32_t i = 0; i < priv->n_path; i++) {
		uint32_t x = priv->path[i].node;

		if (mlsc_tree_blank(t, x))
			return -EBADMSG;
		pk_len = sizeof(pk);
		err = mlsc_path_node_key(s, priv->path[i].secret, NULL, NULL,
					 pk, &pk_len);
		if (err)
			return err;
		if (!key_is(node_key(t, x), pk, pk_len))
			return -EBADMSG;
	}
	return 0;
}

/* ---- both sides -------------------------------------------------------- */

static bool is_joiner(uint32_t leaf, const uint32_t *joiners, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (joiners[i] == leaf)
			return true;
	return false;
}

/*
 * The resolution of @x without the joiners' leaves (§12.4.2): the
 * nodes an UpdatePathNode's secrets are encrypted to, in order.
 */
static int copath_recipients(const struct mlsc_tree *t, uint32_t x,
			     const uint32_t *joiners, size_t n_joiners,
			     uint32_t *out, size_t cap)
{
	int n = mlsc_tree_resolution(t, x, out, cap), m = 0;

	for (int i = 0; i < n; i++)
		if (!mlsc_tm_is_leaf(out[i]) ||
		    !is_joiner(mlsc_node_leaf(out[i]), joiners, n_joiners))
			out[m++] = out[i];
	return n < 0 ? n : m;
}

/* The GroupContext @gc with the tree hash of @t, serialized. */
static int context_bytes(const struct mlsc_tree *t,
			 const struct mlsc_group_context *gc,
			 struct mlsc_wbuf *out)
{
	struct mlsc_group_context c = *gc;
	uint8_t th[MLSC_MAX_HASH];
	int err;

	memset(out, 0, sizeof(*out));
	if (gc->cipher_suite != t->suite)
		return -EINVAL;
	err = mlsc_tree_hash(t, mlsc_tm_root(t->n_leaves), th);
	if (err)
		return err;
	c.tree_hash.p = th;
	c.tree_hash.len = mlsc_tree_hash_size(t);
	err = MLSC_ENCODE(&c, mlsc_io_group_context, out);
	return err == -EMSGSIZE ? -EINVAL : err;
}

/*
 * Blank @leaf's direct path, give the nodes of its filtered direct path
 * @fdp the keys @keys and no unmerged leaves, and compute their parent
 * hashes: the leaf's into @leaf_ph.
 */
static int merge_path(struct mlsc_tree *t, uint32_t leaf, const uint32_t *fdp,
		      const struct mlsc_slice *keys, int n, uint8_t *leaf_ph)
{
	uint32_t dp[MLSC_MAX_PATH];
	int m = mlsc_tm_direct_path(mlsc_leaf_node(leaf), t->n_leaves, dp);
	int err;

	if (m < 0)
		return m;
	for (int i = 0; i < m; i++)
		mlsc_tree_set_blank(t, dp[i]);
	for (int i = 0; i < n; i++) {
		struct mlsc_parent_node pn = { .encryption_key = keys[i] };

		err = mlsc_tree_set_parent(t, fdp[i], &pn);
		if (err)
			return err;
	}
	return mlsc_tree_set_parent_hashes(t, leaf, leaf_ph);
}

int mlsc_treekem_merge(struct mlsc_tree *t, uint32_t sender,
		       const struct mlsc_update_path *up)
{
	struct mlsc_slice keys[MLSC_MAX_PATH];
	uint32_t fdp[MLSC_MAX_PATH];
	uint8_t ph[MLSC_MAX_HASH];
	struct mlsc_tree c;
	size_t nh = mlsc_tree_hash_size(t);
	int n, err;

	if (!nh || !up || !mlsc_tree_leaf(t, sender))
		return -EINVAL;
	n = mlsc_tree_filtered_direct_path(t, sender, fdp, NULL);
	if (n < 0)
		return n;
	if (up->n_nodes != (size_t)n ||
	    up->leaf_node.source != MLSC_LEAF_SOURCE_COMMIT)
		return -EBADMSG;
	for (int i = 0; i < n; i++)
		keys[i] = up->nodes[i].encryption_key;
	err = mlsc_tree_clone(&c, t);
	if (err)
		return err;
	err = merge_path(&c, sender, fdp, keys, n, ph);
	if (!err && (up->leaf_node.parent_hash.len != nh ||
		     memcmp(up->leaf_node.parent_hash.p, ph, nh)))
		err = -EBADMSG;
	if (!err)
		err = mlsc_tree_set_leaf(&c, sender, &up->leaf_node);
	if (err == -EINVAL)
		err = -EBADMSG;	/* a key too long to encode */
	if (err) {
		mlsc_tree_free(&c);
		return err;
	}
	mlsc_tree_free(t);
	*t = c;
	return 0;
}

/* ---- the sender -------------------------------------------------------- */

/*
 * SignWithLabel(LeafNodeTBS) for a LeafNode of source commit: the
 * LeafNode up to its signature, then group_id<V> and leaf_index.
 */
static int sign_leaf(struct mlsc_tree *t, struct mlsc_leaf_node *ln,
		     const struct mls_sig_key *key,
		     const struct mlsc_slice *group_id, uint32_t leaf)
{
	struct mlsc_slice gid = *group_id;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;
	size_t sig_len = MLS_SIGNATURE_MAX;
	uint8_t *sig;
	int err;

	ln->signature.len = 0;
	err = MLSC_ENCODE(ln, mlsc_io_leaf_node, &w);
	if (!err) {
		/* an empty signature<V> is the one byte 0 at the end */
		w.len--;
		mlsc_io_writer(&io, &w);
		mlsc_io_opaque(&io, &gid);
		mlsc_io_u32(&io, &leaf);
		err = mlsc_io_finish(&io);
	}
	sig = err ? NULL : mlsc_arena_alloc(&t->arena, MLS_SIGNATURE_MAX);
	if (!err && !sig)
		err = -ENOMEM;
	if (!err)
		err = mls_sign_with_label(key, "LeafNodeTBS", w.p, w.len, sig,
					  &sig_len);
	if (!err) {
		ln->signature.p = sig;
		ln->signature.len = sig_len;
	}
	mlsc_wbuf_free(&w);
	return err == -EMSGSIZE ? -EINVAL : err;
}

/* The secrets and keys of a path under construction, wiped at the end. */
struct path_keys {
	uint8_t ps[MLSC_MAX_PATH + 1][MLSC_MAX_HASH];	/* + commit_secret */
	uint8_t pk[MLSC_MAX_PATH][MLSC_MAX_PK];
	struct mlsc_slice keys[MLSC_MAX_PATH];
	uint8_t leaf_sk[MLSC_MAX_SK];
	uint8_t leaf_pk[MLSC_MAX_PK];
	size_t leaf_sk_len, leaf_pk_len;
};

/* Encrypt path_secret[@i] to every recipient into @node. */
static int encrypt_node(struct mlsc_tree *t, const struct mlsc_suite *s,
			struct mlsc_update_path_node *node, const uint8_t *ps,
			uint32_t copath, const uint32_t *joiners,
			size_t n_joiners, const struct mlsc_wbuf *ctx)
{
	uint32_t *res = mlsc_calloc(t->n_nodes, sizeof(*res));
	int n, err = 0;

	if (!res)
		return -ENOMEM;
	n = copath_recipients(t, copath, joiners, n_joiners, res, t->n_nodes);
	if (n < 0) {
		free(res);
		return n;
	}
	node->n_secrets = (size_t)n;
	node->secrets = mlsc_arena_alloc(&t->arena,
					 (size_t)n * sizeof(*node->secrets));
	if (!node->secrets)
		err = -ENOMEM;
	for (int k = 0; k < n && !err; k++) {
		const struct mlsc_slice *pk = node_key(t, res[k]);
		struct mlsc_hpke_ciphertext *c = &node->secrets[k];
		uint8_t *kem = mlsc_arena_alloc(&t->arena, MLSC_MAX_PK);
		uint8_t *ct = mlsc_arena_alloc(&t->arena, s->nh + MLSC_TAG);
		size_t kem_len = MLSC_MAX_PK, ct_len = s->nh + MLSC_TAG;

		if (!kem || !ct) {
			err = -ENOMEM;
			break;
		}
		err = mlsc_encrypt_with_label(s, pk->p, pk->len,
					      "UpdatePathNode", ctx->p,
					      ctx->len, ps, s->nh, kem,
					      &kem_len, ct, &ct_len);
		c->kem_output.p = kem;
		c->kem_output.len = kem_len;
		c->ciphertext.p = ct;
		c->ciphertext.len = ct_len;
	}
	free(res);
	return err;
}

static int encap(struct mlsc_tree *c, struct mlsc_tree_priv *np,
		 struct path_keys *pk, const struct mlsc_suite *s,
		 uint32_t leaf, const struct mlsc_leaf_node *tmpl,
		 const struct mls_sig_key *key,
		 const struct mlsc_group_context *gc,
		 const uint32_t *joiners, size_t n_joiners,
		 const uint8_t *leaf_secret, struct mlsc_wbuf *out)
{
	uint32_t fdp[MLSC_MAX_PATH], cp[MLSC_MAX_PATH];
	struct mlsc_update_path up = { 0 };
	struct mlsc_hpke_suite hs;
	struct mlsc_wbuf ctx = { 0 };
	uint8_t ph[MLSC_MAX_HASH];
	int n, err;

	n = mlsc_tree_filtered_direct_path(c, leaf, fdp, cp);
	if (n < 0)
		return n;
	err = mlsc_hpke_suite_mls(&hs, s);
	if (err)
		return err;
	pk->leaf_sk_len = sizeof(pk->leaf_sk);
	pk->leaf_pk_len = sizeof(pk->leaf_pk);
	err = mlsc_hpke_generate_key_pair(&hs, pk->leaf_sk, &pk->leaf_sk_len,
					  pk->leaf_pk, &pk->leaf_pk_len);
	if (err)
		return err;
	if (leaf_secret)
		memcpy(pk->ps[0], leaf_secret, s->nh);
	else if (RAND_priv_bytes(pk->ps[0], (int)s->nh) != 1)
		return -EIO;
	for (int i = 0; i < n; i++) {
		size_t len = MLSC_MAX_PK;

		err = mlsc_path_node_key(s, pk->ps[i], NULL, NULL, pk->pk[i],
					 &len);
		if (!err)
			err = mlsc_path_secret_next(s, pk->ps[i], pk->ps[i + 1]);
		if (err)
			return err;
		pk->keys[i].p = pk->pk[i];
		pk->keys[i].len = len;
	}
	/* with no node above, path_secret[0] is the commit secret's seed */
	if (!n) {
		err = mlsc_path_secret_next(s, pk->ps[0], pk->ps[1]);
		if (err)
			return err;
		memcpy(pk->ps[0], pk->ps[1], s->nh);
	}
	err = merge_path(c, leaf, fdp, pk->keys, n, ph);
	if (err)
		return err;
	up.leaf_node = *tmpl;
	up.leaf_node.encryption_key.p = pk->leaf_pk;
	up.leaf_node.encryption_key.len = pk->leaf_pk_len;
	up.leaf_node.source = MLSC_LEAF_SOURCE_COMMIT;
	up.leaf_node.parent_hash.p = ph;
	up.leaf_node.parent_hash.len = s->nh;
	err = sign_leaf(c, &up.leaf_node, key, &gc->group_id, leaf);
	if (!err)
		err = mlsc_tree_set_leaf(c, leaf, &up.leaf_node);
	if (!err)
		err = context_bytes(c, gc, &ctx);
	if (err)
		return err;
	up.n_nodes = (size_t)n;
	up.nodes = mlsc_arena_alloc(&c->arena, (size_t)(n ? n : 1) *
				    sizeof(*up.nodes));
	if (!up.nodes)
		err = -ENOMEM;
	for (int i = 0; i < n && !err; i++) {
		up.nodes[i].encryption_key = pk->keys[i];
		err = encrypt_node(c, s, &up.nodes[i], pk->ps[i], cp[i],
				   joiners, n_joiners, &ctx);
	}
	if (!err)
		err = MLSC_ENCODE(&up, mlsc_io_update_path, out);
	mlsc_wbuf_free(&ctx);
	if (err)
		return err == -EMSGSIZE ? -EINVAL : err;
	err = mlsc_tree_priv_init(np, s->id, leaf, pk->leaf_sk,
				  pk->leaf_sk_len);
	for (int i = 0; i < n && !err; i++)
		err = mlsc_tree_priv_set_path_secret(np, c->n_leaves, fdp[i],
						     pk->ps[i]);
	if (err)
		mlsc_wbuf_free(out);
	/* the commit secret stays in ps[n] */
	return err ? err : n;
}

int mlsc_treekem_encap(struct mlsc_tree *t, struct mlsc_tree_priv *priv,
		       const struct mlsc_leaf_node *tmpl,
		       const struct mls_sig_key *key,
		       const struct mlsc_group_context *gc,
		       const uint32_t *joiners, size_t n_joiners,
		       const uint8_t *leaf_secret, struct mlsc_wbuf *out,
		       uint8_t *commit_secret)
{
	const struct mlsc_suite *s = mlsc_suite_get(t->suite);
	struct mlsc_tree_priv np;
	struct path_keys *pk;
	struct mlsc_tree c;
	int n;

	memset(out, 0, sizeof(*out));
	if (!s || !priv || !tmpl || !key || !gc || !commit_secret ||
	    (n_joiners && !joiners) || priv->suite != t->suite ||
	    gc->cipher_suite != t->suite || !mlsc_tree_leaf(t, priv->leaf) ||
	    is_joiner(priv->leaf, joiners, n_joiners))
		return -EINVAL;
	pk = mlsc_calloc(1, sizeof(*pk));
	if (!pk)
		return -ENOMEM;
	n = mlsc_tree_clone(&c, t);
	if (!n)
		n = encap(&c, &np, pk, s, priv->leaf, tmpl, key, gc, joiners,
			  n_joiners, leaf_secret, out);
	if (n >= 0) {
		memcpy(commit_secret, pk->ps[n], s->nh);
		mlsc_tree_free(t);
		*t = c;
		mlsc_tree_priv_clear(priv);
		*priv = np;
	} else {
		mlsc_tree_free(&c);
	}
	mlsc_tree_priv_clear(&np);
	OPENSSL_clear_free(pk, sizeof(*pk));
	return n < 0 ? n : 0;
}

/* ---- the receiver ------------------------------------------------------ */

/*
 * Of the recipients @res, the one @priv holds a private key for (its
 * leaf, or a node of its direct path it has the path secret of): its
 * index, the key into @sk.
 */
static int find_own(const struct mlsc_suite *s,
		    const struct mlsc_tree_priv *priv, const uint32_t *res,
		    int n, uint8_t *sk, size_t *sk_len)
{
	uint32_t own = mlsc_leaf_node(priv->leaf);

	for (int k = 0; k < n; k++) {
		const uint8_t *ps;
		uint8_t pk[MLSC_MAX_PK];
		size_t pk_len = sizeof(pk);
		int err;

		if (res[k] == own) {
			memcpy(sk, priv->leaf_sk, priv->leaf_sk_len);
			*sk_len = priv->leaf_sk_len;
			return k;
		}
		ps = mlsc_tree_priv_path_secret(priv, res[k]);
		if (!ps)
			continue;
		*sk_len = MLSC_MAX_SK;
		err = mlsc_path_node_key(s, ps, sk, sk_len, pk, &pk_len);
		return err ? err : k;
	}
	return -ENOKEY;
}

static int decap(struct mlsc_tree *c, struct mlsc_tree_priv *np,
		 struct path_keys *pk, const struct mlsc_suite *s,
		 uint32_t sender, const struct mlsc_update_path *up,
		 const struct mlsc_group_context *gc,
		 const uint32_t *joiners, size_t n_joiners)
{
	uint32_t fdp[MLSC_MAX_PATH], cp[MLSC_MAX_PATH], *res;
	uint32_t own = mlsc_leaf_node(np->leaf);
	const struct mlsc_update_path_node *node;
	struct mlsc_wbuf ctx = { 0 };
	size_t pt_len = s->nh;
	int n, i, k, m, err;

	n = mlsc_tree_filtered_direct_path(c, sender, fdp, cp);
	if (n < 0)
		return n;
	/* the lowest node of the sender's path above the receiver */
	for (i = 0; i < n; i++)
		if (mlsc_tm_common_ancestor(own, fdp[i]) == fdp[i])
			break;
	if (up->n_nodes != (size_t)n || i == n)
		return up->n_nodes != (size_t)n ? -EBADMSG : -EINVAL;
	res = mlsc_calloc(c->n_nodes, sizeof(*res));
	if (!res)
		return -ENOMEM;
	m = copath_recipients(c, cp[i], joiners, n_joiners, res, c->n_nodes);
	node = &up->nodes[i];
	err = m < 0 ? m : node->n_secrets != (size_t)m ? -EBADMSG : 0;
	k = err ? err : find_own(s, np, res, m, pk->leaf_sk,
				 &pk->leaf_sk_len);
	free(res);
	if (k < 0)
		return k;
	/* the context holds the tree hash after the merge */
	err = mlsc_treekem_merge(c, sender, up);
	if (!err)
		err = context_bytes(c, gc, &ctx);
	if (!err)
		err = mlsc_decrypt_with_label(s, pk->leaf_sk, pk->leaf_sk_len,
					      "UpdatePathNode", ctx.p, ctx.len,
					      node->secrets[k].kem_output.p,
					      node->secrets[k].kem_output.len,
					      node->secrets[k].ciphertext.p,
					      node->secrets[k].ciphertext.len,
					      pk->ps[i], &pt_len);
	mlsc_wbuf_free(&ctx);
	if (err == -EINVAL || err == -ENOSPC ||
	    (!err && pt_len != s->nh))
		err = -EBADMSG;
	if (err)
		return err;
	priv_drop_path(np, sender);
	for (int j = i; j < n; j++) {
		size_t len = MLSC_MAX_PK;

		err = mlsc_path_node_key(s, pk->ps[j], NULL, NULL, pk->pk[j],
					 &len);
		if (!err && !key_is(&up->nodes[j].encryption_key, pk->pk[j],
				    len))
			err = -EBADMSG;
		if (!err)
			err = mlsc_path_secret_next(s, pk->ps[j], pk->ps[j + 1]);
		if (!err)
			err = mlsc_tree_priv_set_path_secret(np, c->n_leaves,
							     fdp[j], pk->ps[j]);
		if (err)
			return err;
	}
	return i;
}

int mlsc_treekem_decap(struct mlsc_tree *t, struct mlsc_tree_priv *priv,
		       uint32_t sender, const struct mlsc_update_path *up,
		       const struct mlsc_group_context *gc,
		       const uint32_t *joiners, size_t n_joiners,
		       uint8_t *path_secret, uint8_t *commit_secret)
{
	const struct mlsc_suite *s = mlsc_suite_get(t->suite);
	struct mlsc_tree_priv np;
	struct path_keys *pk;
	struct mlsc_tree c;
	int i;

	if (!s || !priv || !up || !gc || !commit_secret ||
	    (n_joiners && !joiners) || priv->suite != t->suite ||
	    gc->cipher_suite != t->suite || sender == priv->leaf ||
	    !mlsc_tree_leaf(t, sender) || !mlsc_tree_leaf(t, priv->leaf) ||
	    is_joiner(priv->leaf, joiners, n_joiners))
		return -EINVAL;
	pk = mlsc_calloc(1, sizeof(*pk));
	if (!pk)
		return -ENOMEM;
	np = *priv;
	i = mlsc_tree_clone(&c, t);
	if (!i)
		i = decap(&c, &np, pk, s, sender, up, gc, joiners, n_joiners);
	if (i >= 0) {
		if (path_secret)
			memcpy(path_secret, pk->ps[i], s->nh);
		memcpy(commit_secret, pk->ps[up->n_nodes], s->nh);
		mlsc_tree_free(t);
		*t = c;
		mlsc_tree_priv_clear(priv);
		*priv = np;
	} else {
		mlsc_tree_free(&c);
	}
	mlsc_tree_priv_clear(&np);
	OPENSSL_clear_free(pk, sizeof(*pk));
	return i < 0 ? i : 0;
}
