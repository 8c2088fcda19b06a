/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Tree math of RFC 9420 Appendix C in the array representation: leaf L
 * is node 2L, parents sit at the odd indices, a tree of n leaves has
 * 2n - 1 nodes. RFC 9420 trees always have a power-of-two number of
 * leaves (§7.8: the tree is extended or truncated by halves), so the
 * functions that take @n_leaves answer MLSC_NODE_NONE for any other
 * count, and for a node outside the tree.
 */
#ifndef MLSC_TREEMATH_H
#define MLSC_TREEMATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MLSC_NODE_NONE		UINT32_MAX
/* The largest tree: 2^31 leaves, 2^32 - 1 nodes. */
#define MLSC_MAX_LEAVES		(1U << 31)
/* A direct path or copath has at most log2(MLSC_MAX_LEAVES) nodes. */
#define MLSC_MAX_PATH		31

static inline uint32_t mlsc_leaf_node(uint32_t leaf)
{
	return 2 * leaf;
}

static inline uint32_t mlsc_node_leaf(uint32_t node)
{
	return node / 2;
}

static inline bool mlsc_tm_is_leaf(uint32_t node)
{
	return !(node & 1);
}

/* @n is a power of two, at most MLSC_MAX_LEAVES. */
bool mlsc_tm_valid_leaves(uint32_t n);
/* The level of @x: 0 for a leaf, the number of trailing one bits. */
uint32_t mlsc_tm_level(uint32_t x);
/* Nodes of a tree of @n leaves: 2n - 1 (0 for n = 0, and for n invalid). */
uint32_t mlsc_tm_node_width(uint32_t n);
uint32_t mlsc_tm_root(uint32_t n);
/* Children of the parent node @x; MLSC_NODE_NONE for a leaf. */
uint32_t mlsc_tm_left(uint32_t x);
uint32_t mlsc_tm_right(uint32_t x);
/* MLSC_NODE_NONE for the root and for a node outside the tree. */
uint32_t mlsc_tm_parent(uint32_t x, uint32_t n);
uint32_t mlsc_tm_sibling(uint32_t x, uint32_t n);
/*
 * The direct path of @x (its parent up to the root) and its copath (the
 * siblings of @x and of its direct path but the root), into @out of
 * MLSC_MAX_PATH entries at least: the number of nodes, or -EINVAL.
 */
int mlsc_tm_direct_path(uint32_t x, uint32_t n, uint32_t *out);
int mlsc_tm_copath(uint32_t x, uint32_t n, uint32_t *out);
/* The lowest node whose subtree holds both @x and @y. */
uint32_t mlsc_tm_common_ancestor(uint32_t x, uint32_t y);

#endif /* MLSC_TREEMATH_H */
