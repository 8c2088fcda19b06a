/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The ratchet tree (RFC 9420 §7) in the array representation: as read
 * from a ratchet_tree extension (§12.4.3.3), blank nodes and all; the
 * tree hash (§7.8) and the resolution (§4.1.1).
 */
#ifndef MLSC_TREE_H
#define MLSC_TREE_H

#include "codec.h"
#include "treemath.h"
#include "wire.h"

struct mlsc_tree {
	uint16_t suite;
	uint32_t n_leaves;	/* a power of two */
	uint32_t n_nodes;	/* 2 * n_leaves - 1 */
	struct mlsc_node *nodes;	/* n_nodes, type 0: blank */
	struct mlsc_arena arena;
	uint8_t *bytes;		/* the extension the nodes point into */
	size_t len;
};

/*
 * Read the optional<Node> ratchet_tree<V> at @p into @t, for ciphersuite
 * @suite. The shape is checked: leaves at even and parent nodes at odd
 * indices, a last node that is not blank (§12.4.3.3), at most
 * MLSC_MAX_LEAVES leaves; -EBADMSG otherwise. Nothing of the content
 * (signatures, parent hashes, keys) is checked here. The bytes are
 * copied. Free with mlsc_tree_free().
 */
int mlsc_tree_parse(struct mlsc_tree *t, uint16_t suite, const uint8_t *p,
		    size_t len);
void mlsc_tree_free(struct mlsc_tree *t);

static inline bool mlsc_tree_blank(const struct mlsc_tree *t, uint32_t x)
{
	return x >= t->n_nodes || !t->nodes[x].type;
}

/* The length of the tree's hashes (its suite's, §17.1); 0: unknown suite. */
size_t mlsc_tree_hash_size(const struct mlsc_tree *t);

/*
 * The tree hash of the subtree under node @x (§7.8) into @out, of
 * mlsc_tree_hash_size() bytes: 0, -EINVAL, -ENOMEM, -EIO (OpenSSL).
 */
int mlsc_tree_hash(const struct mlsc_tree *t, uint32_t x, uint8_t *out);

/*
 * The resolution of node @x (§4.1.1), node indices in order, into
 * @out of @cap entries: their number, -EINVAL, or -ENOSPC.
 */
int mlsc_tree_resolution(const struct mlsc_tree *t, uint32_t x,
			 uint32_t *out, size_t cap);

#endif /* MLSC_TREE_H */
