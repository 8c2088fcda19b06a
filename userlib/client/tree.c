// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The ratchet tree: parse, serialize, set nodes, tree hash (§7.8),
 * resolution (§4.1.1), filtered direct path (§4.1.2).
 */
#include <string.h>

#include "internal.h"
#include "kdf.h"
#include "tree.h"

void mlsc_tree_free(struct mlsc_tree *t)
{
	mlsc_arena_free(&t->arena);
	if (t->nodes) {
		explicit_bzero(t->nodes, (size_t)t->n_nodes * sizeof(*t->nodes));
		free(t->nodes);
	}
	memset(t, 0, sizeof(*t));
}

int mlsc_tree_parse(struct mlsc_tree *t, uint16_t suite, const uint8_t *p,
		    size_t len)
{
	struct mlsc_ratchet_tree rt;
	uint32_t n_leaves = 1;
	uint8_t *bytes;
	int err;

	memset(t, 0, sizeof(*t));
	mlsc_arena_init(&t->arena);
	t->suite = suite;
	bytes = mlsc_arena_alloc(&t->arena, len);
	if (!bytes)
		return -ENOMEM;
	if (len)
		memcpy(bytes, p, len);
	err = MLSC_DECODE(bytes, len, &t->arena, &rt, mlsc_io_ratchet_tree);
	if (err)
		goto fail;
	err = -EBADMSG;
	/* a last node that is a non-blank leaf: an odd count */
	if (!rt.n || !(rt.n & 1) || !rt.nodes[rt.n - 1].type ||
	    rt.n >= UINT32_MAX)
		goto fail;
	while (mlsc_tm_node_width(n_leaves) < rt.n)
		n_leaves *= 2;
	for (size_t i = 0; i < rt.n; i++) {
		uint8_t type = rt.nodes[i].type;

		if (type && type != ((i & 1) ? MLSC_NODE_PARENT : MLSC_NODE_LEAF))
			goto fail;
	}
	t->n_leaves = n_leaves;
	t->n_nodes = mlsc_tm_node_width(n_leaves);
	t->nodes = mlsc_calloc(t->n_nodes, sizeof(*t->nodes));
	if (!t->nodes) {
		err = -ENOMEM;
		goto fail;
	}
	memcpy(t->nodes, rt.nodes, rt.n * sizeof(*t->nodes));
	return 0;
fail:
	mlsc_tree_free(t);
	return err;
}

int mlsc_tree_serialize(const struct mlsc_tree *t, struct mlsc_wbuf *out)
{
	struct mlsc_ratchet_tree rt = { t->nodes, t->n_nodes };

	memset(out, 0, sizeof(*out));
	while (rt.n && !rt.nodes[rt.n - 1].type)
		rt.n--;
	if (!rt.n)
		return -EINVAL;
	return MLSC_ENCODE(&rt, mlsc_io_ratchet_tree, out);
}

int mlsc_tree_clone(struct mlsc_tree *dst, const struct mlsc_tree *src)
{
	struct mlsc_wbuf w;
	int err;

	memset(dst, 0, sizeof(*dst));
	err = mlsc_tree_serialize(src, &w);
	if (!err)
		err = mlsc_tree_parse(dst, src->suite, w.p, w.len);
	mlsc_wbuf_free(&w);
	/* the serialized form drops trailing blank nodes, not leaves */
	if (!err && dst->n_leaves != src->n_leaves)
		err = mlsc_tree_resize(dst, src->n_leaves);
	if (err)
		mlsc_tree_free(dst);
	return err;
}

int mlsc_tree_compact(struct mlsc_tree *t)
{
	struct mlsc_tree c;
	int err = mlsc_tree_clone(&c, t);

	if (err)
		return err;
	mlsc_tree_free(t);
	*t = c;
	return 0;
}

int mlsc_tree_resize(struct mlsc_tree *t, uint32_t n_leaves)
{
	uint32_t width = mlsc_tm_node_width(n_leaves);
	struct mlsc_node *nodes;

	if (!mlsc_tm_valid_leaves(n_leaves))
		return -EINVAL;
	for (uint32_t x = width; x < t->n_nodes; x++)
		if (t->nodes[x].type)
			return -EINVAL;
	nodes = mlsc_calloc(width, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	memcpy(nodes, t->nodes,
	       (size_t)(width < t->n_nodes ? width : t->n_nodes) *
	       sizeof(*nodes));
	explicit_bzero(t->nodes, (size_t)t->n_nodes * sizeof(*t->nodes));
	free(t->nodes);
	t->nodes = nodes;
	t->n_leaves = n_leaves;
	t->n_nodes = width;
	return 0;
}

int mlsc_tree_set_blank(struct mlsc_tree *t, uint32_t x)
{
	if (x >= t->n_nodes)
		return -EINVAL;
	memset(&t->nodes[x], 0, sizeof(t->nodes[x]));
	return 0;
}

/*
 * A deep copy of a node's contents into the arena: its encoding, kept
 * there, parsed back into @dst.
 */
static int copy_into(struct mlsc_tree *t, void *dst, size_t size,
		     const void *src, mlsc_io_fn fn)
{
	struct mlsc_wbuf w;
	uint8_t *p;
	size_t len;
	int err = mlsc_encode(src, fn, &w);

	if (err)
		return err == -EMSGSIZE ? -EINVAL : err;
	len = w.len;
	p = mlsc_arena_alloc(&t->arena, len);
	if (!p) {
		mlsc_wbuf_free(&w);
		return -ENOMEM;
	}
	memcpy(p, w.p, len);
	mlsc_wbuf_free(&w);
	err = mlsc_decode(p, len, &t->arena, dst, size, fn);
	/* what we wrote and cannot read back is a bad argument */
	return err == -EBADMSG ? -EINVAL : err;
}

int mlsc_tree_set_leaf(struct mlsc_tree *t, uint32_t leaf,
		       const struct mlsc_leaf_node *ln)
{
	struct mlsc_leaf_node copy;
	uint32_t x = mlsc_leaf_node(leaf);
	int err;

	if (leaf >= t->n_leaves || !ln)
		return -EINVAL;
	err = copy_into(t, &copy, sizeof(copy), ln,
			(mlsc_io_fn)mlsc_io_leaf_node);
	if (err)
		return err;
	t->nodes[x].type = MLSC_NODE_LEAF;
	t->nodes[x].leaf = copy;
	return 0;
}

int mlsc_tree_set_parent(struct mlsc_tree *t, uint32_t x,
			 const struct mlsc_parent_node *p)
{
	struct mlsc_parent_node copy;
	int err;

	if (x >= t->n_nodes || mlsc_tm_is_leaf(x) || !p)
		return -EINVAL;
	err = copy_into(t, &copy, sizeof(copy), p,
			(mlsc_io_fn)mlsc_io_parent_node);
	if (err)
		return err;
	t->nodes[x].type = MLSC_NODE_PARENT;
	t->nodes[x].parent = copy;
	return 0;
}

static size_t suite_hash_len(uint16_t suite)
{
	const struct mlsc_suite *s = mlsc_suite_get(suite);

	return s ? s->nh : 0;
}

size_t mlsc_tree_hash_size(const struct mlsc_tree *t)
{
	return suite_hash_len(t->suite);
}

static bool excluded(uint32_t leaf, const uint32_t *excl, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (excl[i] == leaf)
			return true;
	return false;
}

/*
 * TreeHashInput (§7.8): a leaf's LeafNodeHashInput, or a parent's
 * ParentNodeHashInput with its children's hashes; the leaves @excl are
 * blank and left out of the unmerged_leaves lists.
 */
static int tree_hash(const struct mlsc_tree *t, uint32_t x,
		     const uint32_t *excl, size_t n_excl, uint8_t *out,
		     unsigned int depth)
{
	const struct mlsc_node *n = &t->nodes[x];
	size_t nh = suite_hash_len(t->suite);
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;
	bool present = n->type != 0;
	uint32_t *kept = NULL;
	int err;

	mlsc_io_writer(&io, &w);
	if (mlsc_tm_is_leaf(x)) {
		uint8_t type = MLSC_NODE_LEAF;
		uint32_t leaf = mlsc_node_leaf(x);

		if (present && excluded(leaf, excl, n_excl))
			present = false;
		mlsc_io_u8(&io, &type);
		mlsc_io_u32(&io, &leaf);
		if (mlsc_io_optional(&io, &present))
			mlsc_io_leaf_node(&io, (struct mlsc_leaf_node *)&n->leaf);
	} else {
		uint8_t type = MLSC_NODE_PARENT, lh[MLSC_MAX_HASH];
		uint8_t rh[MLSC_MAX_HASH];
		struct mlsc_slice l = { lh, nh }, r = { rh, nh };
		struct mlsc_parent_node pn = { 0 };

		if (depth > 32)
			return -EINVAL;
		err = tree_hash(t, mlsc_tm_left(x), excl, n_excl, lh, depth + 1);
		if (!err)
			err = tree_hash(t, mlsc_tm_right(x), excl, n_excl, rh,
					depth + 1);
		if (err)
			return err;
		if (present) {
			pn = n->parent;
			if (n_excl && pn.n_unmerged) {
				kept = mlsc_calloc(pn.n_unmerged, sizeof(*kept));
				if (!kept)
					return -ENOMEM;
				pn.unmerged_leaves = kept;
				pn.n_unmerged = 0;
				for (size_t i = 0; i < n->parent.n_unmerged; i++) {
					uint32_t u = n->parent.unmerged_leaves[i];

					if (!excluded(u, excl, n_excl))
						kept[pn.n_unmerged++] = u;
				}
			}
		}
		mlsc_io_u8(&io, &type);
		if (mlsc_io_optional(&io, &present))
			mlsc_io_parent_node(&io, &pn);
		mlsc_io_opaque(&io, &l);
		mlsc_io_opaque(&io, &r);
	}
	err = mlsc_io_finish(&io);
	if (!err)
		err = mlsc_hash(mlsc_suite_get(t->suite), w.p, w.len, out);
	mlsc_wbuf_free(&w);
	free(kept);
	return err;
}

int mlsc_tree_hash(const struct mlsc_tree *t, uint32_t x, uint8_t *out)
{
	return mlsc_tree_hash_excluding(t, x, NULL, 0, out);
}

int mlsc_tree_hash_excluding(const struct mlsc_tree *t, uint32_t x,
			     const uint32_t *excl, size_t n, uint8_t *out)
{
	if (!suite_hash_len(t->suite) || x >= t->n_nodes)
		return -EINVAL;
	return tree_hash(t, x, excl, n, out, 0);
}

static int resolve(const struct mlsc_tree *t, uint32_t x, uint32_t *out,
		   size_t cap, size_t *n)
{
	const struct mlsc_node *node = &t->nodes[x];
	int err;

	if (node->type) {
		if (*n >= cap)
			return -ENOSPC;
		out[(*n)++] = x;
		if (node->type != MLSC_NODE_PARENT)
			return 0;
		for (size_t i = 0; i < node->parent.n_unmerged; i++) {
			uint32_t leaf = node->parent.unmerged_leaves[i];

			if (leaf >= t->n_leaves)
				return -EINVAL;
			if (*n >= cap)
				return -ENOSPC;
			out[(*n)++] = mlsc_leaf_node(leaf);
		}
		return 0;
	}
	if (mlsc_tm_is_leaf(x))
		return 0;
	err = resolve(t, mlsc_tm_left(x), out, cap, n);
	if (!err)
		err = resolve(t, mlsc_tm_right(x), out, cap, n);
	return err;
}

/* The resolution of @x is not empty: a non-blank node under it. */
static bool has_resolution(const struct mlsc_tree *t, uint32_t x)
{
	if (t->nodes[x].type)
		return true;
	if (mlsc_tm_is_leaf(x))
		return false;
	return has_resolution(t, mlsc_tm_left(x)) ||
	       has_resolution(t, mlsc_tm_right(x));
}

int mlsc_tree_resolution(const struct mlsc_tree *t, uint32_t x,
			 uint32_t *out, size_t cap)
{
	size_t n = 0;
	int err;

	if (x >= t->n_nodes)
		return -EINVAL;
	err = resolve(t, x, out, cap, &n);
	return err ? err : (int)n;
}

int mlsc_tree_filtered_direct_path(const struct mlsc_tree *t, uint32_t leaf,
				   uint32_t *out, uint32_t *copath)
{
	uint32_t dp[MLSC_MAX_PATH], cp[MLSC_MAX_PATH];
	int n, m = 0;

	if (leaf >= t->n_leaves)
		return -EINVAL;
	n = mlsc_tm_direct_path(mlsc_leaf_node(leaf), t->n_leaves, dp);
	if (n < 0 || mlsc_tm_copath(mlsc_leaf_node(leaf), t->n_leaves, cp) != n)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (!has_resolution(t, cp[i]))
			continue;
		if (copath)
			copath[m] = cp[i];
		out[m++] = dp[i];
	}
	return m;
}
