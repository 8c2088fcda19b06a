/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * TreeKEM (RFC 9420 §7.4 to §7.6, §12.4.2): a member's private view of
 * the tree, the sender's UpdatePath and the receiver's processing of
 * one, down to the commit_secret.
 *
 * Secrets: a struct mlsc_tree_priv holds a member's leaf HPKE private
 * key and the path secrets of the nodes above its leaf that it knows;
 * node private keys are derived from those when needed and erased right
 * after. mlsc_tree_priv_clear() wipes it (OPENSSL_cleanse); every
 * intermediate secret (path secrets, node secrets and keys) is wiped
 * before return on every path; the commit_secret goes to the caller,
 * who gives it to the kernel and wipes it.
 *
 * Errors: -EINVAL a bad argument (another suite, a leaf index outside
 * the tree or blank, the sender as receiver), -EBADMSG an UpdatePath
 * that is wrong (node count, ciphertext count, a key that does not
 * derive, a parent hash that does not match, a ciphertext that does not
 * open), -ENOKEY a receiver that holds no key the path was encrypted
 * to, -ENOMEM, -EIO.
 */
#ifndef MLSC_TREEKEM_H
#define MLSC_TREEKEM_H

#include <libmls.h>

#include "suite.h"
#include "tree.h"

struct mlsc_tree_priv {
	uint16_t suite;
	uint32_t leaf;
	size_t leaf_sk_len;
	uint8_t leaf_sk[MLSC_MAX_SK];	/* the leaf's HPKE private key */
	uint32_t n_path;
	struct {
		uint32_t node;		/* on the leaf's direct path */
		uint8_t secret[MLSC_MAX_HASH];	/* its path_secret, Nh */
	} path[MLSC_MAX_PATH];
};

/*
 * The private state of leaf @leaf in suite @suite with the HPKE private
 * key @sk (copied), no path secret yet.
 */
int mlsc_tree_priv_init(struct mlsc_tree_priv *priv, uint16_t suite,
			uint32_t leaf, const uint8_t *sk, size_t sk_len);
/* Wipe all of it. */
void mlsc_tree_priv_clear(struct mlsc_tree_priv *priv);
/*
 * Remember @secret (Nh bytes) as the path secret of node @node, which
 * must be a parent on the leaf's direct path in a tree of @n_leaves.
 */
int mlsc_tree_priv_set_path_secret(struct mlsc_tree_priv *priv,
				   uint32_t n_leaves, uint32_t node,
				   const uint8_t *secret);
/* The path secret of node @node, or NULL. */
const uint8_t *mlsc_tree_priv_path_secret(const struct mlsc_tree_priv *priv,
					  uint32_t node);
/*
 * The private state agrees with @t: the leaf and every node it has a
 * secret for are non-blank and hold the public key of that secret.
 * 0 or -EBADMSG.
 */
int mlsc_tree_priv_check(const struct mlsc_tree_priv *priv,
			 const struct mlsc_tree *t);

/* path_secret[n + 1] = DeriveSecret(path_secret[n], "path") (§7.4). */
int mlsc_path_secret_next(const struct mlsc_suite *s, const uint8_t *ps,
			  uint8_t *next);
/*
 * The key pair of a node: DeriveKeyPair(DeriveSecret(@ps, "node")). The
 * lengths in/out as mlsc_hpke_derive_key_pair()'s; @sk may be NULL.
 */
int mlsc_path_node_key(const struct mlsc_suite *s, const uint8_t *ps,
		       uint8_t *sk, size_t *sk_len, uint8_t *pk,
		       size_t *pk_len);

/*
 * Merge the UpdatePath @up of leaf @sender into @t (§7.5, §12.4.2): the
 * sender's leaf becomes up->leaf_node, its direct path is blanked, the
 * nodes of its filtered direct path get up's keys and no unmerged
 * leaves, their parent hashes are computed, and the leaf's parent_hash
 * must equal what they give (§7.9.2), else -EBADMSG. The leaf's
 * signature and §7.3 checks are the caller's. @t is unchanged on error.
 */
int mlsc_treekem_merge(struct mlsc_tree *t, uint32_t sender,
		       const struct mlsc_update_path *up);

/*
 * The sender's side (§7.4, §7.6, §12.4.2). @t is the tree with the
 * commit's proposals applied, @priv the sender's own state, @tmpl the
 * new LeafNode's content (signature_key, credential, capabilities,
 * extensions; the rest is filled in), @key the sender's signature key,
 * @gc the GroupContext to encrypt under (its tree_hash is ignored: the
 * one of the new tree is used), @joiners the @n_joiners leaves the
 * commit adds (their path secrets go in the Welcome instead).
 * @leaf_secret, Nh bytes, is path_secret[0]; NULL draws it at random.
 *
 * On success: @t has the new path merged, @priv holds the new leaf key
 * and the new path secrets (for the Welcome: mlsc_tree_priv_path_secret()),
 * @out the serialized UpdatePath (mlsc_wbuf_free()), @commit_secret
 * (Nh bytes) the commit secret. On error nothing changed.
 */
int mlsc_treekem_encap(struct mlsc_tree *t, struct mlsc_tree_priv *priv,
		       const struct mlsc_leaf_node *tmpl,
		       const struct mls_sig_key *key,
		       const struct mlsc_group_context *gc,
		       const uint32_t *joiners, size_t n_joiners,
		       const uint8_t *leaf_secret, struct mlsc_wbuf *out,
		       uint8_t *commit_secret);

/*
 * The receiver's side (§7.5, §12.4.2): process the UpdatePath @up of
 * leaf @sender with the receiver's state @priv. @t, @gc, @joiners as
 * for mlsc_treekem_encap(). The path is merged into @t (see
 * mlsc_treekem_merge()), the receiver's path secret is decrypted from
 * the resolution of the copath child of the lowest node of the
 * filtered direct path above it, every later one derived from it and
 * every public key of @up checked against them. On success @priv holds
 * the new path secrets, @path_secret (if not NULL; Nh bytes) the one it
 * decrypted and @commit_secret the commit secret. On error nothing
 * changed.
 */
int mlsc_treekem_decap(struct mlsc_tree *t, struct mlsc_tree_priv *priv,
		       uint32_t sender, const struct mlsc_update_path *up,
		       const struct mlsc_group_context *gc,
		       const uint32_t *joiners, size_t n_joiners,
		       uint8_t *path_secret, uint8_t *commit_secret);

#endif /* MLSC_TREEKEM_H */
