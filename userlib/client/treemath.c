// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* Tree math of RFC 9420 Appendix C (array representation). */
#include <errno.h>

#include "treemath.h"

bool mlsc_tm_valid_leaves(uint32_t n)
{
	return n && n <= MLSC_MAX_LEAVES && !(n & (n - 1));
}

uint32_t mlsc_tm_level(uint32_t x)
{
	return x == UINT32_MAX ? 32 : (uint32_t)__builtin_ctz(~x);
}

uint32_t mlsc_tm_node_width(uint32_t n)
{
	return mlsc_tm_valid_leaves(n) ? 2 * (n - 1) + 1 : 0;
}

/* The root of a tree of n = 2^k leaves is node 2^k - 1. */
uint32_t mlsc_tm_root(uint32_t n)
{
	return mlsc_tm_valid_leaves(n) ? n - 1 : MLSC_NODE_NONE;
}

uint32_t mlsc_tm_left(uint32_t x)
{
	uint32_t k = mlsc_tm_level(x);

	if (!k || k >= 32)
		return MLSC_NODE_NONE;
	return x ^ (1U << (k - 1));
}

uint32_t mlsc_tm_right(uint32_t x)
{
	uint32_t k = mlsc_tm_level(x);

	if (!k || k >= 32)
		return MLSC_NODE_NONE;
	return x ^ (3U << (k - 1));
}

static bool in_tree(uint32_t x, uint32_t n)
{
	return mlsc_tm_valid_leaves(n) && x < mlsc_tm_node_width(n);
}

uint32_t mlsc_tm_parent(uint32_t x, uint32_t n)
{
	uint32_t k, b;

	if (!in_tree(x, n) || x == mlsc_tm_root(n))
		return MLSC_NODE_NONE;
	k = mlsc_tm_level(x);
	b = (x >> (k + 1)) & 1;
	return (x | (1U << k)) ^ (b << (k + 1));
}

uint32_t mlsc_tm_sibling(uint32_t x, uint32_t n)
{
	uint32_t p = mlsc_tm_parent(x, n);

	if (p == MLSC_NODE_NONE)
		return MLSC_NODE_NONE;
	return x < p ? mlsc_tm_right(p) : mlsc_tm_left(p);
}

int mlsc_tm_direct_path(uint32_t x, uint32_t n, uint32_t *out)
{
	int count = 0;

	if (!in_tree(x, n))
		return -EINVAL;
	for (x = mlsc_tm_parent(x, n); x != MLSC_NODE_NONE;
	     x = mlsc_tm_parent(x, n))
		out[count++] = x;
	return count;
}

int mlsc_tm_copath(uint32_t x, uint32_t n, uint32_t *out)
{
	int count = 0;

	if (!in_tree(x, n))
		return -EINVAL;
	for (; x != mlsc_tm_root(n); x = mlsc_tm_parent(x, n))
		out[count++] = mlsc_tm_sibling(x, n);
	return count;
}

uint32_t mlsc_tm_common_ancestor(uint32_t x, uint32_t y)
{
	uint32_t lx = mlsc_tm_level(x) + 1, ly = mlsc_tm_level(y) + 1;
	uint32_t k = 0;

	if (lx <= ly && (uint64_t)x >> ly == (uint64_t)y >> ly)
		return y;
	if (ly <= lx && (uint64_t)x >> lx == (uint64_t)y >> lx)
		return x;
	while (x != y) {
		x >>= 1;
		y >>= 1;
		k++;
	}
	return (x << k) + (1U << (k - 1)) - 1;
}
