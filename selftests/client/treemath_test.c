// SPDX-License-Identifier: GPL-2.0
/*
 * Tree math (RFC 9420 Appendix C) against tree-math.json: every case the
 * file holds, every node's left, right, parent and sibling (null where
 * the vector says null); then direct paths, copaths and common ancestors
 * against their definitions, and the trees the RFC does not allow.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "treemath.h"
#include "vectors.h"

/* vec[i] is null and got is NONE, or both are the same number. */
static bool same(json_t *vec, size_t i, uint32_t got)
{
	json_t *v = json_array_get(vec, i);

	if (json_is_null(v))
		return got == MLSC_NODE_NONE;
	return json_is_integer(v) && (uint64_t)json_integer_value(v) == got;
}

static int check_array(json_t *c, const char *key, uint32_t n_nodes,
		       uint32_t n_leaves,
		       uint32_t (*fn)(uint32_t x, uint32_t n))
{
	json_t *arr = json_object_get(c, key);

	if (!json_is_array(arr) || json_array_size(arr) != n_nodes) {
		tap_diag("%s: not an array of %u nodes", key, n_nodes);
		return -1;
	}
	for (uint32_t i = 0; i < n_nodes; i++)
		if (!same(arr, i, fn(i, n_leaves))) {
			tap_diag("%s[%u]: got %u", key, i, fn(i, n_leaves));
			return -1;
		}
	return 0;
}

static uint32_t left2(uint32_t x, uint32_t n)
{
	(void)n;
	return mlsc_tm_left(x);
}

static uint32_t right2(uint32_t x, uint32_t n)
{
	(void)n;
	return mlsc_tm_right(x);
}

static void vectors(void)
{
	json_t *root = vec_load("tree-math.json");
	size_t i;
	json_t *c;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "tree-math.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c) {
		uint64_t n_leaves = 0, n_nodes = 0, r = 0;
		int bad = vec_get_u64(c, "n_leaves", &n_leaves) ||
			  vec_get_u64(c, "n_nodes", &n_nodes) ||
			  vec_get_u64(c, "root", &r) ||
			  n_leaves > MLSC_MAX_LEAVES;

		if (!bad) {
			uint32_t n = (uint32_t)n_leaves;

			bad = mlsc_tm_node_width(n) != n_nodes ||
			      mlsc_tm_root(n) != r ||
			      check_array(c, "left", (uint32_t)n_nodes, n, left2) ||
			      check_array(c, "right", (uint32_t)n_nodes, n, right2) ||
			      check_array(c, "parent", (uint32_t)n_nodes, n,
					  mlsc_tm_parent) ||
			      check_array(c, "sibling", (uint32_t)n_nodes, n,
					  mlsc_tm_sibling);
		}
		tap_ok(!bad, "tree-math.json case %zu: n_leaves %llu", i,
		       (unsigned long long)n_leaves);
	}
	tap_diag("tree-math.json: %zu cases", json_array_size(root));
	json_decref(root);
}

/* Direct path and copath against parent() and sibling(). */
static void paths(void)
{
	bool good = true;

	for (uint32_t n = 1; n <= 256 && good; n *= 2) {
		for (uint32_t x = 0; x < mlsc_tm_node_width(n) && good; x++) {
			uint32_t dp[MLSC_MAX_PATH], cp[MLSC_MAX_PATH], y = x;
			int nd = mlsc_tm_direct_path(x, n, dp);
			int nc = mlsc_tm_copath(x, n, cp);

			good = nd >= 0 && nd == nc;
			for (int i = 0; good && i < nd; i++) {
				good = cp[i] == mlsc_tm_sibling(y, n);
				y = mlsc_tm_parent(y, n);
				good = good && dp[i] == y;
			}
			good = good && y == mlsc_tm_root(n);
		}
	}
	tap_ok(good, "direct path and copath of every node, trees of 1..256 leaves");
}

static void rfc_example(void)
{
	/* RFC 9420 §4.1's eight-member tree: A is leaf 0, node 0. */
	uint32_t dp[MLSC_MAX_PATH], cp[MLSC_MAX_PATH];
	static const uint32_t want_dp[] = { 1, 3, 7 }, want_cp[] = { 2, 5, 11 };
	int nd = mlsc_tm_direct_path(0, 8, dp), nc = mlsc_tm_copath(0, 8, cp);

	tap_ok(nd == 3 && !memcmp(dp, want_dp, sizeof(want_dp)) &&
	       nc == 3 && !memcmp(cp, want_cp, sizeof(want_cp)),
	       "leaf A of eight: direct path 1 3 7, copath 2 5 11");
	nd = mlsc_tm_direct_path(0, 1, dp);
	tap_ok(nd == 0 && mlsc_tm_copath(0, 1, cp) == 0,
	       "the one-leaf tree: its leaf is the root, empty paths");
}

/* The lowest node above both, by walking up from each. */
static uint32_t slow_ancestor(uint32_t x, uint32_t y, uint32_t n)
{
	for (uint32_t a = x; a != MLSC_NODE_NONE; a = mlsc_tm_parent(a, n))
		for (uint32_t b = y; b != MLSC_NODE_NONE;
		     b = mlsc_tm_parent(b, n))
			if (a == b)
				return a;
	return MLSC_NODE_NONE;
}

static void ancestors(void)
{
	const uint32_t n = 64;
	bool good = true;

	for (uint32_t x = 0; x < mlsc_tm_node_width(n) && good; x++)
		for (uint32_t y = 0; y < mlsc_tm_node_width(n) && good; y++)
			good = mlsc_tm_common_ancestor(x, y) ==
			       slow_ancestor(x, y, n);
	tap_ok(good, "common ancestor of every pair of nodes, 64 leaves");
}

static void bad_trees(void)
{
	uint32_t dp[MLSC_MAX_PATH];

	tap_ok(mlsc_tm_root(0) == MLSC_NODE_NONE &&
	       mlsc_tm_node_width(0) == 0, "no tree of 0 leaves");
	tap_ok(mlsc_tm_root(3) == MLSC_NODE_NONE &&
	       mlsc_tm_parent(0, 6) == MLSC_NODE_NONE &&
	       mlsc_tm_direct_path(0, 5, dp) == -EINVAL,
	       "no tree of a leaf count that is not a power of two");
	tap_ok(mlsc_tm_parent(15, 8) == MLSC_NODE_NONE &&
	       mlsc_tm_sibling(15, 8) == MLSC_NODE_NONE &&
	       mlsc_tm_copath(15, 8, dp) == -EINVAL,
	       "a node outside the tree has no parent, sibling or path");
	tap_ok(mlsc_tm_parent(7, 8) == MLSC_NODE_NONE &&
	       mlsc_tm_sibling(7, 8) == MLSC_NODE_NONE,
	       "the root has no parent and no sibling");
	tap_ok(mlsc_tm_left(4) == MLSC_NODE_NONE &&
	       mlsc_tm_right(4) == MLSC_NODE_NONE,
	       "a leaf has no children");
	tap_ok(mlsc_tm_root(MLSC_MAX_LEAVES) == MLSC_MAX_LEAVES - 1 &&
	       mlsc_tm_node_width(MLSC_MAX_LEAVES) == UINT32_MAX &&
	       mlsc_tm_direct_path(0, MLSC_MAX_LEAVES, dp) == MLSC_MAX_PATH &&
	       dp[MLSC_MAX_PATH - 1] == MLSC_MAX_LEAVES - 1 &&
	       mlsc_tm_parent(UINT32_MAX - 1, MLSC_MAX_LEAVES) == UINT32_MAX - 2,
	       "the largest tree: 2^31 leaves, a path of 31 nodes");
}

int main(void)
{
	vectors();
	paths();
	rfc_example();
	ancestors();
	bad_trees();
	return tap_done();
}
