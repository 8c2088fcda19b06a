// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A member's TreeKEM state beside its group: the leaf key and the path
 * secrets it decrypts commits with, and the node keys derived from them.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "group.h"
#include "internal.h"
#include "proposal.h"
#include "recv.h"
#include "treekem.h"

int mlsc_group_priv_init(struct mlsc_group *g, const uint8_t *path_secret,
			 uint32_t signer)
{
	struct mlsc_tree_priv *p;
	int err;

	p = mlsc_calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = mlsc_tree_priv_init(p, g->suite->id, g->own_leaf, g->keys[0].sk,
				  g->keys[0].len);
	if (!err && path_secret)
		err = mlsc_tree_priv_import_path(p, &g->tree, signer,
						 path_secret);
	if (err) {
		OPENSSL_clear_free(p, sizeof(*p));
		return err == -EBADMSG ? -EPROTO : err;
	}
	g->priv = p;
	return 0;
}

void mlsc_group_recv_free(struct mlsc_group *g)
{
	if (g->priv)
		OPENSSL_clear_free(g->priv, sizeof(*g->priv));
	g->priv = NULL;
	if (g->cache) {
		mlsc_proposal_cache_clear(g->cache);
		free(g->cache);
	}
	g->cache = NULL;
	mlsc_group_retry_clear(g);
	free(g->own_commit);
	g->own_commit = NULL;
	free(g->reinit);
	g->reinit = NULL;
	g->reinit_len = 0;
	g->own_commit_len = 0;
}

int mlsc_node_keys_from_priv(const struct mlsc_suite *s,
			     const struct mlsc_tree *t,
			     const struct mlsc_tree_priv *p,
			     struct mlsc_node_key **out, size_t *n_out)
{
	struct mlsc_node_key *k;
	uint32_t x = mlsc_leaf_node(p->leaf), root = mlsc_tm_root(t->n_leaves);
	size_t n = 0;
	int err = 0;

	k = mlsc_calloc(1 + MLSC_MAX_PATH, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k[n].node = x;
	k[n].len = p->leaf_sk_len;
	memcpy(k[n++].sk, p->leaf_sk, p->leaf_sk_len);
	while (x != root && !err) {
		const uint8_t *ps;
		uint8_t pk[MLSC_MAX_PK];
		size_t pk_len = sizeof(pk);

		x = mlsc_tm_parent(x, t->n_leaves);
		ps = mlsc_tree_priv_path_secret(p, x);
		if (!ps || mlsc_tree_blank(t, x))
			continue;
		k[n].len = sizeof(k[n].sk);
		err = mlsc_path_node_key(s, ps, k[n].sk, &k[n].len, pk,
					 &pk_len);
		k[n++].node = x;
	}
	if (err) {
		OPENSSL_clear_free(k, (1 + MLSC_MAX_PATH) * sizeof(*k));
		return err;
	}
	*out = k;
	*n_out = n;
	return 0;
}
