/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The ratchet tree (RFC 9420 §7) in the array representation: as read
 * from a ratchet_tree extension (§12.4.3.3), blank nodes and all; the
 * tree hash (§7.8), the resolution (§4.1.1), the filtered direct path
 * (§4.1.2) and the parent hash (§7.9); the changes Add, Update and
 * Remove make (§12.1) and the ratchet_tree bytes again.
 *
 * Ownership: a tree owns everything its nodes point to. The node array
 * is its own allocation (it grows and shrinks with the tree); the
 * contents of the nodes (keys, credentials, unmerged leaves...) live in
 * the tree's arena: the parsed bytes, and a private copy of every node
 * set since (mlsc_tree_set_*() copy their argument, which the caller
 * keeps). A node replaced leaves its old contents in the arena until
 * mlsc_tree_free(), which wipes and frees it all, or mlsc_tree_compact().
 *
 * Every function returns 0 (or a count) or a negative errno: -EINVAL a
 * bad argument (unknown suite, index outside the tree, a blank node
 * where a non-blank one is needed), -EBADMSG a tree whose content is
 * wrong, -ENOMEM, -EIO (OpenSSL).
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
	struct mlsc_arena arena;	/* what the nodes point to */
};

/*
 * Read the optional<Node> ratchet_tree<V> at @p into @t, for ciphersuite
 * @suite. The shape is checked: leaves at even and parent nodes at odd
 * indices, a last node that is not blank (§12.4.3.3), at most
 * MLSC_MAX_LEAVES leaves; -EBADMSG otherwise. Nothing of the content
 * (signatures, parent hashes, keys) is checked here: see
 * mlsc_tree_verify_parent_hashes(). The bytes are copied. Free with
 * mlsc_tree_free(); on error @t is left freed.
 */
int mlsc_tree_parse(struct mlsc_tree *t, uint16_t suite, const uint8_t *p,
		    size_t len);
void mlsc_tree_free(struct mlsc_tree *t);

/*
 * The ratchet_tree extension's bytes (§12.4.3.3) into a fresh @out
 * (mlsc_wbuf_free()): the nodes up to the last non-blank one.
 */
int mlsc_tree_serialize(const struct mlsc_tree *t, struct mlsc_wbuf *out);
/* A deep copy of @src into @dst (free with mlsc_tree_free()). */
int mlsc_tree_clone(struct mlsc_tree *dst, const struct mlsc_tree *src);
/*
 * Make the tree @n_leaves leaves wide (a power of two): new nodes are
 * blank; -EINVAL if a node cut off is not.
 */
int mlsc_tree_resize(struct mlsc_tree *t, uint32_t n_leaves);
/* Drop the superseded node contents: serialize and parse again. */
int mlsc_tree_compact(struct mlsc_tree *t);

static inline bool mlsc_tree_blank(const struct mlsc_tree *t, uint32_t x)
{
	return x >= t->n_nodes || !t->nodes[x].type;
}

/* The leaf node of leaf @leaf, or NULL if blank or outside the tree. */
static inline const struct mlsc_leaf_node *
mlsc_tree_leaf(const struct mlsc_tree *t, uint32_t leaf)
{
	uint32_t x = mlsc_leaf_node(leaf);

	return leaf < t->n_leaves && !mlsc_tree_blank(t, x) ?
	       &t->nodes[x].leaf : NULL;
}

/* ---- changing nodes ---------------------------------------------------- */

/* Make node @x blank. */
int mlsc_tree_set_blank(struct mlsc_tree *t, uint32_t x);
/* Set leaf @leaf to a copy of @ln. */
int mlsc_tree_set_leaf(struct mlsc_tree *t, uint32_t leaf,
		       const struct mlsc_leaf_node *ln);
/* Set parent node @x to a copy of @p. */
int mlsc_tree_set_parent(struct mlsc_tree *t, uint32_t x,
			 const struct mlsc_parent_node *p);

/* ---- proposals (§12.1) ------------------------------------------------ */

/*
 * Add (§12.1.1, §7.7): @ln goes into the leftmost blank leaf, or the
 * tree doubles to the right first when there is none; its index is
 * added, in order, to the unmerged_leaves of every non-blank node of
 * its direct path. The leaf index into @leaf. -ENOSPC: the tree is full.
 */
int mlsc_tree_add(struct mlsc_tree *t, const struct mlsc_leaf_node *ln,
		  uint32_t *leaf);
/*
 * Update (§12.1.2): leaf @leaf (not blank) becomes @ln, and its direct
 * path is blanked.
 */
int mlsc_tree_update(struct mlsc_tree *t, uint32_t leaf,
		     const struct mlsc_leaf_node *ln);
/*
 * Remove (§12.1.3): leaf @leaf (not blank) and its direct path are
 * blanked, and the tree is truncated to 2^d leaves, d the smallest
 * value with 2^d greater than the rightmost non-blank leaf's index.
 */
int mlsc_tree_remove(struct mlsc_tree *t, uint32_t leaf);
/*
 * The proposal @p by the member at leaf @sender: Add (into @leaf, if
 * not NULL; -EINVAL for a KeyPackage of another suite), Update, Remove;
 * -EOPNOTSUPP for the types that do not change the tree. Nothing of the
 * proposal is validated here (§7.3, §10.1, §12.2 are the caller's).
 */
int mlsc_tree_apply_proposal(struct mlsc_tree *t, uint32_t sender,
			     const struct mlsc_proposal *p, uint32_t *leaf);

/* ---- hashes and paths -------------------------------------------------- */

/* The length of the tree's hashes (its suite's, §17.1); 0: unknown suite. */
size_t mlsc_tree_hash_size(const struct mlsc_tree *t);

/*
 * The tree hash of the subtree under node @x (§7.8) into @out, of
 * mlsc_tree_hash_size() bytes.
 */
int mlsc_tree_hash(const struct mlsc_tree *t, uint32_t x, uint8_t *out);

/*
 * The tree hash of node @x in the tree where the @n leaves @excl are
 * blank and gone from every unmerged_leaves list: the
 * original_sibling_tree_hash of §7.9 when @excl is P.unmerged_leaves.
 */
int mlsc_tree_hash_excluding(const struct mlsc_tree *t, uint32_t x,
			     const uint32_t *excl, size_t n, uint8_t *out);

/*
 * The resolution of node @x (§4.1.1), node indices in order, into
 * @out of @cap entries: their number, -EINVAL, or -ENOSPC.
 */
int mlsc_tree_resolution(const struct mlsc_tree *t, uint32_t x,
			 uint32_t *out, size_t cap);

/*
 * The filtered direct path of leaf @leaf (§4.1.2): the nodes of its
 * direct path whose copath child has a non-empty resolution, bottom up,
 * into @out (MLSC_MAX_PATH entries); with @copath non-NULL, each one's
 * copath child at the same index. Returns their number.
 */
int mlsc_tree_filtered_direct_path(const struct mlsc_tree *t, uint32_t leaf,
				   uint32_t *out, uint32_t *copath);

/* ---- parent hash (§7.9) ------------------------------------------------ */

/*
 * The parent hash of the non-blank parent node @p with copath child @s
 * (a child of @p): Hash(ParentHashInput { p.encryption_key,
 * p.parent_hash, original_sibling_tree_hash }) into @out.
 */
int mlsc_tree_parent_hash(const struct mlsc_tree *t, uint32_t p, uint32_t s,
			  uint8_t *out);

/*
 * The parent hashes along the filtered direct path of @leaf, as the
 * sender of an UpdatePath computes them once the new public keys are in
 * the tree (§7.9): from the root down, each node's parent_hash field is
 * set to the parent hash of the node above it; the leaf's own value
 * (the parent_hash of its new LeafNode, to be signed) goes into
 * @leaf_ph, of mlsc_tree_hash_size() bytes. The leaf itself is not
 * changed. Every node of the filtered direct path must be non-blank.
 */
int mlsc_tree_set_parent_hashes(struct mlsc_tree *t, uint32_t leaf,
				uint8_t *leaf_ph);

/*
 * Every non-blank parent node is parent-hash valid (§7.9.2): one of its
 * children's resolution holds a node whose parent_hash is the node's
 * parent hash with the other child as copath child. Its unmerged leaves
 * must be non-blank leaves under it, each listed once, and listed by
 * every non-blank parent node between them and it. 0 or -EBADMSG;
 * -EINVAL (unknown suite), -ENOMEM, -EIO when it cannot tell.
 */
int mlsc_tree_verify_parent_hashes(const struct mlsc_tree *t);

#endif /* MLSC_TREE_H */
