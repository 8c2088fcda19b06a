// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* The ratchet tree: parse, tree hash (§7.8), resolution (§4.1.1). */
#include <string.h>

#include "internal.h"
#include "kdf.h"
#include "tree.h"

void mlsc_tree_free(struct mlsc_tree *t)
{
	mlsc_arena_free(&t->arena);
	if (t->bytes) {
		explicit_bzero(t->bytes, t->len);
		free(t->bytes);
	}
	memset(t, 0, sizeof(*t));
}

int mlsc_tree_parse(struct mlsc_tree *t, uint16_t suite, const uint8_t *p,
		    size_t len)
{
	struct mlsc_ratchet_tree rt;
	uint32_t n_leaves = 1;
	int err;

	memset(t, 0, sizeof(*t));
	mlsc_arena_init(&t->arena);
	t->suite = suite;
	t->bytes = mlsc_malloc(len);
	if (!t->bytes)
		return -ENOMEM;
	if (len)
		memcpy(t->bytes, p, len);
	t->len = len;
	err = MLSC_DECODE(t->bytes, len, &t->arena, &rt, mlsc_io_ratchet_tree);
	if (err)
		goto fail;
	err = -EBADMSG;
	/* a last node that is a non-blank leaf: an odd count */
	if (!rt.n || !(rt.n & 1) || !rt.nodes[rt.n - 1].type ||
	    rt.n > UINT32_MAX)
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
	t->nodes = mlsc_arena_alloc(&t->arena,
				    (size_t)t->n_nodes * sizeof(*t->nodes));
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

static size_t suite_hash_len(uint16_t suite)
{
	const struct mlsc_suite *s = mlsc_suite_get(suite);

	return s ? s->nh : 0;
}

size_t mlsc_tree_hash_size(const struct mlsc_tree *t)
{
	return suite_hash_len(t->suite);
}

/*
 * TreeHashInput (§7.8): a leaf's LeafNodeHashInput, or a parent's
 * ParentNodeHashInput with its children's hashes.
 */
static int tree_hash(const struct mlsc_tree *t, uint32_t x, uint8_t *out,
		     unsigned int depth)
{
	const struct mlsc_node *n = &t->nodes[x];
	size_t nh = suite_hash_len(t->suite);
	struct mlsc_wbuf w = { 0 };
	struct mlsc_io io;
	bool present = n->type != 0;
	int err;

	mlsc_io_writer(&io, &w);
	if (mlsc_tm_is_leaf(x)) {
		uint8_t type = MLSC_NODE_LEAF;
		uint32_t leaf = mlsc_node_leaf(x);

		mlsc_io_u8(&io, &type);
		mlsc_io_u32(&io, &leaf);
		if (mlsc_io_optional(&io, &present))
			mlsc_io_leaf_node(&io, (struct mlsc_leaf_node *)&n->leaf);
	} else {
		uint8_t type = MLSC_NODE_PARENT, lh[64], rh[64];
		struct mlsc_slice l = { lh, nh }, r = { rh, nh };

		if (depth > 32)
			return -EINVAL;
		err = tree_hash(t, mlsc_tm_left(x), lh, depth + 1);
		if (!err)
			err = tree_hash(t, mlsc_tm_right(x), rh, depth + 1);
		if (err)
			return err;
		mlsc_io_u8(&io, &type);
		if (mlsc_io_optional(&io, &present))
			mlsc_io_parent_node(&io,
					    (struct mlsc_parent_node *)&n->parent);
		mlsc_io_opaque(&io, &l);
		mlsc_io_opaque(&io, &r);
	}
	err = mlsc_io_finish(&io);
	if (!err)
		err = mlsc_hash(mlsc_suite_get(t->suite), w.p, w.len, out);
	mlsc_wbuf_free(&w);
	return err;
}

int mlsc_tree_hash(const struct mlsc_tree *t, uint32_t x, uint8_t *out)
{
	if (!suite_hash_len(t->suite) || x >= t->n_nodes)
		return -EINVAL;
	return tree_hash(t, x, out, 0);
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
