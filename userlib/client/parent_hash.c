// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Parent hashes (RFC 9420 §7.9): computing them along a path, and
 * checking that every parent node of a tree chains down to a leaf.
 */
#include <string.h>

#include "internal.h"
#include "kdf.h"
#include "tree.h"

/*
 * struct {
 *     HPKEPublicKey encryption_key;
 *     opaque parent_hash<V>;
 *     opaque original_sibling_tree_hash<V>;
 * } ParentHashInput;
 */
int mlsc_tree_parent_hash(const struct mlsc_tree *t, uint32_t p, uint32_t s,
			  uint8_t *out)
{
	const struct mlsc_suite *cs = mlsc_suite_get(t->suite);
	const struct mlsc_parent_node *pn;
	uint8_t sth[MLSC_MAX_HASH];
	struct mlsc_slice st;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;
	int err;

	if (!cs || p >= t->n_nodes || mlsc_tm_is_leaf(p) ||
	    mlsc_tree_blank(t, p) ||
	    (s != mlsc_tm_left(p) && s != mlsc_tm_right(p)))
		return -EINVAL;
	pn = &t->nodes[p].parent;
	err = mlsc_tree_hash_excluding(t, s, pn->unmerged_leaves,
				       pn->n_unmerged, sth);
	if (err)
		return err;
	st.p = sth;
	st.len = cs->nh;
	mlsc_io_writer(&io, &w);
	mlsc_io_opaque(&io, (struct mlsc_slice *)&pn->encryption_key);
	mlsc_io_opaque(&io, (struct mlsc_slice *)&pn->parent_hash);
	mlsc_io_opaque(&io, &st);
	err = mlsc_io_finish(&io);
	if (!err)
		err = mlsc_hash(cs, w.p, w.len, out);
	mlsc_wbuf_free(&w);
	return err;
}

/* The child of @p on the way down to node @x. */
static uint32_t child_towards(uint32_t p, uint32_t x)
{
	return x < p ? mlsc_tm_left(p) : mlsc_tm_right(p);
}

static uint32_t other_child(uint32_t p, uint32_t c)
{
	return c == mlsc_tm_left(p) ? mlsc_tm_right(p) : mlsc_tm_left(p);
}

int mlsc_tree_set_parent_hashes(struct mlsc_tree *t, uint32_t leaf,
				uint8_t *leaf_ph)
{
	uint32_t fdp[MLSC_MAX_PATH], x = mlsc_leaf_node(leaf);
	size_t nh = mlsc_tree_hash_size(t);
	uint8_t ph[MLSC_MAX_HASH];
	int n, err;

	if (!nh)
		return -EINVAL;
	n = mlsc_tree_filtered_direct_path(t, leaf, fdp, NULL);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (mlsc_tree_blank(t, fdp[i]))
			return -EINVAL;
	/* the root of the path has an empty parent_hash */
	for (int i = n - 1; i >= 0; i--) {
		struct mlsc_parent_node pn = t->nodes[fdp[i]].parent;

		if (i == n - 1) {
			pn.parent_hash.len = 0;
		} else {
			uint32_t up = fdp[i + 1];
			uint32_t c = child_towards(up, x);

			err = mlsc_tree_parent_hash(t, up, other_child(up, c),
						    ph);
			if (err)
				return err;
			pn.parent_hash.p = ph;
			pn.parent_hash.len = nh;
		}
		err = mlsc_tree_set_parent(t, fdp[i], &pn);
		if (err)
			return err;
	}
	if (!n) {
		memset(leaf_ph, 0, nh);
		return 0;
	}
	return mlsc_tree_parent_hash(t, fdp[0],
				     other_child(fdp[0],
						 child_towards(fdp[0], x)),
				     leaf_ph);
}

/* The parent_hash a node carries, if any. */
static const struct mlsc_slice *node_parent_hash(const struct mlsc_node *n)
{
	if (n->type == MLSC_NODE_PARENT)
		return &n->parent.parent_hash;
	if (n->type == MLSC_NODE_LEAF &&
	    n->leaf.source == MLSC_LEAF_SOURCE_COMMIT)
		return &n->leaf.parent_hash;
	return NULL;
}

/*
 * Some node of the resolution of @c (a child of @p) carries the parent
 * hash of @p with copath child the other one.
 */
static int linked_from(const struct mlsc_tree *t, uint32_t p, uint32_t c,
		       uint32_t *res, size_t cap)
{
	struct mlsc_slice want;
	uint8_t ph[MLSC_MAX_HASH];
	int n, err;

	n = mlsc_tree_resolution(t, c, res, cap);
	/* unmerged leaves outside the tree, or listed twice */
	if (n == -EINVAL || n == -ENOSPC)
		return -EBADMSG;
	if (n <= 0)
		return n;
	err = mlsc_tree_parent_hash(t, p, other_child(p, c), ph);
	if (err)
		return err;
	want.p = ph;
	want.len = mlsc_tree_hash_size(t);
	for (int i = 0; i < n; i++) {
		const struct mlsc_slice *got = node_parent_hash(&t->nodes[res[i]]);

		if (got && mlsc_slice_eq(got, &want))
			return 1;
	}
	return 0;
}

/*
 * The unmerged leaves of @p are non-blank leaves under it, each listed
 * once, and listed too by every non-blank parent node between them and
 * @p (§7.8: an Add puts the new leaf in every such list, a path clears
 * them all).
 */
static bool unmerged_sane(const struct mlsc_tree *t, uint32_t p)
{
	const struct mlsc_parent_node *pn = &t->nodes[p].parent;
	uint32_t lvl = mlsc_tm_level(p);

	for (size_t i = 0; i < pn->n_unmerged; i++) {
		uint32_t leaf = pn->unmerged_leaves[i];
		uint32_t x = mlsc_leaf_node(leaf);

		if (leaf >= t->n_leaves || mlsc_tree_blank(t, x) ||
		    mlsc_tm_common_ancestor(x, p) != p)
			return false;
		for (size_t j = 0; j < i; j++)
			if (pn->unmerged_leaves[j] == leaf)
				return false;
		for (uint32_t y = mlsc_tm_parent(x, t->n_leaves);
		     y != MLSC_NODE_NONE && mlsc_tm_level(y) < lvl;
		     y = mlsc_tm_parent(y, t->n_leaves)) {
			const struct mlsc_parent_node *q = &t->nodes[y].parent;
			bool listed = false;

			if (mlsc_tree_blank(t, y))
				continue;
			for (size_t k = 0; k < q->n_unmerged && !listed; k++)
				listed = q->unmerged_leaves[k] == leaf;
			if (!listed)
				return false;
		}
	}
	return true;
}

int mlsc_tree_verify_parent_hashes(const struct mlsc_tree *t)
{
	uint32_t *res;
	int err = 0;

	if (!mlsc_tree_hash_size(t) || !t->n_nodes)
		return -EINVAL;
	/* a resolution holds at most every node once */
	res = mlsc_calloc(t->n_nodes, sizeof(*res));
	if (!res)
		return -ENOMEM;
	for (uint32_t p = 1; p < t->n_nodes && !err; p += 2) {
		if (mlsc_tree_blank(t, p))
			continue;
		if (!unmerged_sane(t, p)) {
			err = -EBADMSG;
			break;
		}
		err = linked_from(t, p, mlsc_tm_left(p), res, t->n_nodes);
		if (!err)
			err = linked_from(t, p, mlsc_tm_right(p), res,
					  t->n_nodes);
		/* 1: linked; 0: linked from neither child */
		err = err == 1 ? 0 : err ? err : -EBADMSG;
	}
	free(res);
	return err;
}
