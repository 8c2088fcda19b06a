// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * What Add, Update and Remove proposals do to the ratchet tree
 * (RFC 9420 §7.7, §12.1.1 to §12.1.3).
 */
#include <string.h>

#include "internal.h"
#include "tree.h"

/* Insert @leaf into the unmerged_leaves of parent node @x, in order. */
static int add_unmerged(struct mlsc_tree *t, uint32_t x, uint32_t leaf)
{
	struct mlsc_parent_node pn = t->nodes[x].parent;
	size_t n = pn.n_unmerged, at = 0;
	uint32_t *v;
	int err;

	while (at < n && pn.unmerged_leaves[at] < leaf)
		at++;
	if (at < n && pn.unmerged_leaves[at] == leaf)
		return 0;
	v = mlsc_calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (at)
		memcpy(v, pn.unmerged_leaves, at * sizeof(*v));
	v[at] = leaf;
	if (n > at)
		memcpy(v + at + 1, pn.unmerged_leaves + at,
		       (n - at) * sizeof(*v));
	pn.unmerged_leaves = v;
	pn.n_unmerged = n + 1;
	err = mlsc_tree_set_parent(t, x, &pn);
	free(v);
	return err;
}

int mlsc_tree_add(struct mlsc_tree *t, const struct mlsc_leaf_node *ln,
		  uint32_t *leaf)
{
	uint32_t dp[MLSC_MAX_PATH], l = 0;
	int n, err;

	if (!ln || !leaf)
		return -EINVAL;
	while (l < t->n_leaves && !mlsc_tree_blank(t, mlsc_leaf_node(l)))
		l++;
	if (l == t->n_leaves) {
		if (t->n_leaves >= MLSC_MAX_LEAVES)
			return -ENOSPC;
		err = mlsc_tree_resize(t, 2 * t->n_leaves);
		if (err)
			return err;
	}
	err = mlsc_tree_set_leaf(t, l, ln);
	if (err)
		return err;
	n = mlsc_tm_direct_path(mlsc_leaf_node(l), t->n_leaves, dp);
	for (int i = 0; i < n; i++) {
		if (mlsc_tree_blank(t, dp[i]))
			continue;
		err = add_unmerged(t, dp[i], l);
		if (err)
			return err;
	}
	*leaf = l;
	return n < 0 ? n : 0;
}

/* Blank the direct path of leaf @leaf. */
static int blank_direct_path(struct mlsc_tree *t, uint32_t leaf)
{
	uint32_t dp[MLSC_MAX_PATH];
	int n = mlsc_tm_direct_path(mlsc_leaf_node(leaf), t->n_leaves, dp);

	for (int i = 0; i < n; i++)
		mlsc_tree_set_blank(t, dp[i]);
	return n < 0 ? n : 0;
}

int mlsc_tree_update(struct mlsc_tree *t, uint32_t leaf,
		     const struct mlsc_leaf_node *ln)
{
	int err;

	if (!ln || !mlsc_tree_leaf(t, leaf))
		return -EINVAL;
	err = mlsc_tree_set_leaf(t, leaf, ln);
	return err ? err : blank_direct_path(t, leaf);
}

int mlsc_tree_remove(struct mlsc_tree *t, uint32_t leaf)
{
	uint32_t last = 0, n_leaves = 1;
	bool any = false;
	int err;

	if (!mlsc_tree_leaf(t, leaf))
		return -EINVAL;
	err = blank_direct_path(t, leaf);
	if (err)
		return err;
	mlsc_tree_set_blank(t, mlsc_leaf_node(leaf));
	for (uint32_t l = 0; l < t->n_leaves; l++)
		if (!mlsc_tree_blank(t, mlsc_leaf_node(l))) {
			last = l;
			any = true;
		}
	/* §12.1.3: 2^d leaves, d the smallest with 2^d > the last leaf */
	while (any && n_leaves <= last)
		n_leaves *= 2;
	return n_leaves < t->n_leaves ? mlsc_tree_resize(t, n_leaves) : 0;
}

int mlsc_tree_apply_proposal(struct mlsc_tree *t, uint32_t sender,
			     const struct mlsc_proposal *p, uint32_t *leaf)
{
	uint32_t added;

	switch (p->type) {
	case MLSC_PROPOSAL_ADD:
		if (p->add.cipher_suite != t->suite)
			return -EINVAL;
		return mlsc_tree_add(t, &p->add.leaf_node, leaf ? leaf : &added);
	case MLSC_PROPOSAL_UPDATE:
		return mlsc_tree_update(t, sender, &p->update);
	case MLSC_PROPOSAL_REMOVE:
		return mlsc_tree_remove(t, p->remove);
	default:
		return -EOPNOTSUPP;
	}
}
