// SPDX-License-Identifier: GPL-2.0
/*
 * Add, Update and Remove on the ratchet tree against
 * tree-operations.json: every case's proposal, applied for its sender to
 * tree_before (whose tree hash is checked first), gives exactly the
 * bytes of tree_after and its tree hash. Then the proposals that cannot
 * apply: a blank or absent leaf removed or updated, a KeyPackage of
 * another suite; and the filtered direct path (§4.1.2) of every leaf of
 * every case against its definition.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tap.h"
#include "tree.h"
#include "vectors.h"

static bool root_hash_is(const struct mlsc_tree *t, json_t *c,
			 const char *key)
{
	struct bytes want = { 0 };
	uint8_t h[64];
	bool good;

	good = !vec_get_hex(c, key, &want) &&
	       !mlsc_tree_hash(t, mlsc_tm_root(t->n_leaves), h) &&
	       bytes_eq(&want, h, mlsc_tree_hash_size(t));
	bytes_free(&want);
	return good;
}

static bool check_case(json_t *c, size_t i)
{
	struct bytes before = { 0 }, after = { 0 }, prop = { 0 };
	struct mlsc_arena arena;
	struct mlsc_proposal p;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_tree t;
	uint64_t suite = 0, sender = 0;
	bool good = false;
	int err;

	mlsc_arena_init(&arena);
	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_u64(c, "proposal_sender", &sender) ||
	    vec_get_hex(c, "tree_before", &before) ||
	    vec_get_hex(c, "tree_after", &after) ||
	    vec_get_hex(c, "proposal", &prop)) {
		tap_diag("case %zu: fields missing", i);
		goto free;
	}
	err = MLSC_DECODE(prop.data, prop.len, &arena, &p, mlsc_io_proposal);
	if (err) {
		tap_diag("case %zu: proposal: %s", i, strerror(-err));
		goto free;
	}
	err = mlsc_tree_parse(&t, (uint16_t)suite, before.data, before.len);
	if (err) {
		tap_diag("case %zu: tree_before: %s", i, strerror(-err));
		goto free;
	}
	if (!root_hash_is(&t, c, "tree_hash_before")) {
		tap_diag("case %zu: tree_hash_before", i);
		goto out;
	}
	err = mlsc_tree_apply_proposal(&t, (uint32_t)sender, &p, NULL);
	if (err) {
		tap_diag("case %zu: proposal type %u: %s", i, p.type,
			 strerror(-err));
		goto out;
	}
	err = mlsc_tree_serialize(&t, &w);
	if (err || !bytes_eq(&after, w.p, w.len)) {
		tap_diag("case %zu: proposal type %u: tree_after differs", i,
			 p.type);
		goto out;
	}
	if (!root_hash_is(&t, c, "tree_hash_after")) {
		tap_diag("case %zu: tree_hash_after", i);
		goto out;
	}
	/* and compacted, the same tree */
	mlsc_wbuf_free(&w);
	good = !mlsc_tree_compact(&t) && !mlsc_tree_serialize(&t, &w) &&
	       bytes_eq(&after, w.p, w.len) &&
	       root_hash_is(&t, c, "tree_hash_after");
	if (!good)
		tap_diag("case %zu: compacted tree differs", i);
out:
	mlsc_wbuf_free(&w);
	mlsc_tree_free(&t);
free:
	mlsc_arena_free(&arena);
	bytes_free(&before);
	bytes_free(&after);
	bytes_free(&prop);
	return good;
}

/* §4.1.2, spelled out: the direct path minus empty copath resolutions. */
static bool fdp_case(json_t *c, size_t i)
{
	struct bytes tree = { 0 };
	struct mlsc_tree t;
	uint64_t suite = 0;
	bool good = true;

	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_hex(c, "tree_before", &tree) ||
	    mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len)) {
		bytes_free(&tree);
		return false;
	}
	for (uint32_t l = 0; l < t.n_leaves && good; l++) {
		uint32_t dp[MLSC_MAX_PATH], cp[MLSC_MAX_PATH], res[64];
		uint32_t f[MLSC_MAX_PATH], fc[MLSC_MAX_PATH];
		int n = mlsc_tm_direct_path(2 * l, t.n_leaves, dp), m = 0;
		int got = mlsc_tree_filtered_direct_path(&t, l, f, fc);

		mlsc_tm_copath(2 * l, t.n_leaves, cp);
		for (int k = 0; k < n && good; k++) {
			if (mlsc_tree_resolution(&t, cp[k], res, 64) == 0)
				continue;
			good = m < got && f[m] == dp[k] && fc[m] == cp[k];
			m++;
		}
		good = good && m == got;
		if (!good)
			tap_diag("case %zu: filtered direct path of leaf %u", i,
				 l);
	}
	mlsc_tree_free(&t);
	bytes_free(&tree);
	return good;
}

static void vectors(void)
{
	json_t *root = vec_load("tree-operations.json"), *c;
	size_t i;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "tree-operations.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c) {
		tap_ok(check_case(c, i), "tree-operations.json case %zu: "
		       "tree_after and its tree hash", i);
		tap_ok(fdp_case(c, i), "tree-operations.json case %zu: "
		       "every leaf's filtered direct path", i);
	}
	tap_diag("tree-operations.json: %zu cases", json_array_size(root));
	json_decref(root);
}

/* Proposals that do not apply, on the first case's tree_before. */
static void bad_proposals(void)
{
	json_t *root = vec_load("tree-operations.json");
	json_t *c = json_array_get(root, 0);
	struct bytes tree = { 0 };
	struct mlsc_proposal p;
	struct mlsc_tree t;
	uint64_t suite = 0;
	uint32_t leaf, blank = UINT32_MAX;

	if (!tap_ok(c && !vec_get_u64(c, "cipher_suite", &suite) &&
		    !vec_get_hex(c, "tree_before", &tree) &&
		    !mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len),
		    "a tree to propose to")) {
		bytes_free(&tree);
		json_decref(root);
		return;
	}
	for (uint32_t l = 0; l < t.n_leaves; l++)
		if (!mlsc_tree_leaf(&t, l))
			blank = l;
	tap_ok(mlsc_tree_remove(&t, t.n_leaves) == -EINVAL,
	       "remove a leaf outside the tree: -EINVAL");
	tap_ok(mlsc_tree_remove(&t, UINT32_MAX) == -EINVAL,
	       "remove leaf 2^32 - 1: -EINVAL");
	tap_ok(mlsc_tree_update(&t, t.n_leaves, &t.nodes[0].leaf) == -EINVAL,
	       "update a leaf outside the tree: -EINVAL");
	tap_ok(mlsc_tree_add(&t, NULL, &leaf) == -EINVAL,
	       "add no leaf: -EINVAL");
	if (blank != UINT32_MAX) {
		tap_ok(mlsc_tree_remove(&t, blank) == -EINVAL,
		       "remove a blank leaf: -EINVAL");
		tap_ok(mlsc_tree_update(&t, blank, &t.nodes[0].leaf) == -EINVAL,
		       "update from a blank leaf: -EINVAL");
	}
	memset(&p, 0, sizeof(p));
	p.type = MLSC_PROPOSAL_ADD;
	p.add.cipher_suite = (uint16_t)(suite == 1 ? 2 : 1);
	p.add.leaf_node = t.nodes[0].leaf;
	tap_ok(mlsc_tree_apply_proposal(&t, 0, &p, &leaf) == -EINVAL,
	       "add a KeyPackage of another suite: -EINVAL");
	p.type = MLSC_PROPOSAL_PSK;
	tap_ok(mlsc_tree_apply_proposal(&t, 0, &p, &leaf) == -EOPNOTSUPP,
	       "a PreSharedKey proposal: -EOPNOTSUPP");
	mlsc_tree_free(&t);
	bytes_free(&tree);
	json_decref(root);
}

/*
 * Adding to a full tree doubles it; removing the last leaves halves it
 * back; the unmerged lists stay ordered.
 */
static void grow_shrink(void)
{
	json_t *root = vec_load("tree-operations.json");
	json_t *c = json_array_get(root, 0);
	struct bytes tree = { 0 };
	struct mlsc_leaf_node ln;
	struct mlsc_tree t;
	uint64_t suite = 0;
	uint32_t leaf = 0, first = 0;
	bool grew;
	int err;

	if (!tap_ok(c && !vec_get_u64(c, "cipher_suite", &suite) &&
		    !vec_get_hex(c, "tree_before", &tree) &&
		    !mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len),
		    "a tree to grow")) {
		bytes_free(&tree);
		json_decref(root);
		return;
	}
	ln = t.nodes[0].leaf;
	/* fill every blank leaf, until an Add finds none */
	for (;;) {
		first = t.n_leaves;
		err = mlsc_tree_add(&t, &ln, &leaf);
		if (err || t.n_leaves != first)
			break;
	}
	grew = !err && leaf == first && t.n_leaves == 2 * first;
	tap_ok(grew, "an Add to a full tree of %u leaves doubles it: %d",
	       first, err);
	for (uint32_t x = 1; x < t.n_nodes; x += 2) {
		const struct mlsc_parent_node *pn = &t.nodes[x].parent;

		for (size_t k = 1; !mlsc_tree_blank(&t, x) &&
		     k < pn->n_unmerged; k++)
			if (pn->unmerged_leaves[k - 1] >= pn->unmerged_leaves[k])
				grew = false;
	}
	tap_ok(grew, "unmerged leaves stay in ascending order");
	tap_ok(!mlsc_tree_remove(&t, leaf) && t.n_leaves == first,
	       "removing it halves the tree back to %u leaves", first);
	mlsc_tree_free(&t);
	bytes_free(&tree);
	json_decref(root);
}

int main(void)
{
	vectors();
	bad_proposals();
	grow_shrink();
	return tap_done();
}
