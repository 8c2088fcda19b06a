// SPDX-License-Identifier: GPL-2.0
/*
 * The ratchet tree against tree-validation.json: every case's tree parses
 * from its ratchet_tree encoding, every node's tree hash (§7.8) and
 * resolution (§4.1.1) are the ones the file lists, every parent node is
 * parent-hash valid (§7.9.2), and the tree serializes back to the same
 * bytes; then, for every case, trees tampered with in each parent hash
 * and in each parent node's key fail the parent-hash check; then trees
 * whose shape is wrong. Leaf signatures, which the file also describes,
 * belong to the leaf-node validation (§7.3).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tap.h"
#include "tree.h"
#include "vectors.h"

static bool check_case(json_t *c, size_t i)
{
	json_t *hashes = json_object_get(c, "tree_hashes");
	json_t *res = json_object_get(c, "resolutions");
	struct bytes tree = { 0 };
	struct mlsc_tree t;
	uint64_t suite = 0;
	bool good = false;
	int err;

	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_hex(c, "tree", &tree) || !json_is_array(hashes) ||
	    !json_is_array(res)) {
		tap_diag("case %zu: fields missing", i);
		return false;
	}
	err = mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len);
	bytes_free(&tree);
	if (err) {
		tap_diag("case %zu: parse: %s", i, strerror(-err));
		return false;
	}
	if (json_array_size(hashes) != t.n_nodes ||
	    json_array_size(res) != t.n_nodes) {
		tap_diag("case %zu: %u nodes, %zu hashes, %zu resolutions", i,
			 t.n_nodes, json_array_size(hashes),
			 json_array_size(res));
		goto out;
	}
	for (uint32_t x = 0; x < t.n_nodes; x++) {
		uint8_t h[64];
		uint32_t r[512];
		struct bytes want = { 0 };
		json_t *wr = json_array_get(res, x), *v;
		size_t k;
		int n;

		if (vec_unhex(json_string_value(json_array_get(hashes, x)),
			      &want) ||
		    mlsc_tree_hash(&t, x, h) ||
		    !bytes_eq(&want, h, mlsc_tree_hash_size(&t))) {
			tap_diag("case %zu: tree hash of node %u", i, x);
			bytes_free(&want);
			goto out;
		}
		bytes_free(&want);
		n = mlsc_tree_resolution(&t, x, r, sizeof(r) / sizeof(r[0]));
		if (n < 0 || (size_t)n != json_array_size(wr)) {
			tap_diag("case %zu: resolution of node %u: %d", i, x, n);
			goto out;
		}
		json_array_foreach(wr, k, v)
			if (!json_is_integer(v) ||
			    (uint64_t)json_integer_value(v) != r[k]) {
				tap_diag("case %zu: resolution of node %u", i, x);
				goto out;
			}
	}
	err = mlsc_tree_verify_parent_hashes(&t);
	if (err) {
		tap_diag("case %zu: parent hashes: %s", i, strerror(-err));
		goto out;
	}
	good = true;
out:
	mlsc_tree_free(&t);
	return good;
}

/* The case's tree serializes back to its bytes, and clones alike. */
static bool round_trip(json_t *c, size_t i)
{
	struct bytes tree = { 0 };
	struct mlsc_tree t, u;
	struct mlsc_wbuf w = { 0 };
	uint64_t suite = 0;
	bool good = false;

	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_hex(c, "tree", &tree))
		return false;
	if (mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len)) {
		bytes_free(&tree);
		return false;
	}
	if (!mlsc_tree_clone(&u, &t)) {
		good = !mlsc_tree_serialize(&u, &w) &&
		       bytes_eq(&tree, w.p, w.len) &&
		       u.n_leaves == t.n_leaves;
		mlsc_wbuf_free(&w);
		mlsc_tree_free(&u);
	}
	if (!good)
		tap_diag("case %zu: serialized tree differs", i);
	mlsc_tree_free(&t);
	bytes_free(&tree);
	return good;
}

/*
 * The tree as it was after its last commit: the members added since,
 * who are the leaves listed as unmerged, taken out again.
 */
static int undo_adds(struct mlsc_tree *t)
{
	for (uint32_t x = 1; x < t->n_nodes; x += 2) {
		struct mlsc_parent_node pn;
		int err;

		if (mlsc_tree_blank(t, x) || !t->nodes[x].parent.n_unmerged)
			continue;
		pn = t->nodes[x].parent;
		for (size_t k = 0; k < pn.n_unmerged; k++) {
			err = mlsc_tree_set_blank(t, mlsc_leaf_node(
						pn.unmerged_leaves[k]));
			if (err)
				return err;
		}
		pn.n_unmerged = 0;
		err = mlsc_tree_set_parent(t, x, &pn);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The sender's side: in the tree as it was after its last commit, for
 * some leaf of source commit (the committer), recomputing the parent
 * hashes along its filtered direct path gives its LeafNode's
 * parent_hash and changes no byte of the tree. That tree is the case's
 * own when the last commit added its members before its path, or when
 * it added none; else (members added by a commit without a path, after
 * the last one with a path) it is the case's tree without them.
 */
static bool recompute_in(json_t *c, bool undo)
{
	struct mlsc_wbuf before = { 0 };
	struct bytes tree = { 0 };
	struct mlsc_tree t;
	uint64_t suite = 0;
	bool good = false;

	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_hex(c, "tree", &tree))
		return false;
	if (mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len)) {
		bytes_free(&tree);
		return false;
	}
	if ((undo && undo_adds(&t)) || mlsc_tree_serialize(&t, &before))
		goto out;
	for (uint32_t leaf = 0; leaf < t.n_leaves && !good; leaf++) {
		const struct mlsc_leaf_node *ln = mlsc_tree_leaf(&t, leaf);
		struct mlsc_wbuf w = { 0 };
		struct mlsc_tree u;
		uint8_t ph[64];

		if (!ln || ln->source != MLSC_LEAF_SOURCE_COMMIT ||
		    mlsc_tree_clone(&u, &t))
			continue;
		if (!mlsc_tree_set_parent_hashes(&u, leaf, ph) &&
		    ln->parent_hash.len == mlsc_tree_hash_size(&t) &&
		    !memcmp(ph, ln->parent_hash.p, ln->parent_hash.len) &&
		    !mlsc_tree_serialize(&u, &w))
			good = w.len == before.len &&
			       !memcmp(w.p, before.p, w.len);
		mlsc_wbuf_free(&w);
		mlsc_tree_free(&u);
	}
out:
	mlsc_wbuf_free(&before);
	mlsc_tree_free(&t);
	bytes_free(&tree);
	return good;
}

static bool recompute(json_t *c, size_t i)
{
	if (recompute_in(c, false) || recompute_in(c, true))
		return true;
	tap_diag("case %zu: no leaf's parent hashes recompute", i);
	return false;
}

/*
 * Flip one byte of the parent_hash, then of the encryption_key, of
 * every non-blank parent node that has them, one at a time: each
 * tampered tree fails the check. Returns the number of trees tried, or
 * -1 when one passed.
 */
static int tampered(json_t *c, size_t i)
{
	struct bytes tree = { 0 };
	struct mlsc_tree t;
	uint64_t suite = 0;
	int tried = 0;

	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_hex(c, "tree", &tree))
		return -1;
	if (mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len)) {
		bytes_free(&tree);
		return -1;
	}
	for (uint32_t x = 1; x < t.n_nodes && tried >= 0; x += 2) {
		for (int field = 0; field < 2 && tried >= 0; field++) {
			struct mlsc_parent_node pn;
			struct mlsc_slice *f;
			uint8_t buf[256];
			int err;

			if (mlsc_tree_blank(&t, x))
				break;
			pn = t.nodes[x].parent;
			f = field ? &pn.encryption_key : &pn.parent_hash;
			if (!f->len || f->len > sizeof(buf))
				continue;
			memcpy(buf, f->p, f->len);
			buf[f->len - 1] ^= 0x01;
			f->p = buf;
			if (mlsc_tree_set_parent(&t, x, &pn)) {
				tried = -1;
				break;
			}
			err = mlsc_tree_verify_parent_hashes(&t);
			if (err != -EBADMSG) {
				tap_diag("case %zu: node %u's %s flipped: %d", i,
					 x, field ? "key" : "parent hash", err);
				tried = -1;
				break;
			}
			tried++;
			/* and back: the tree is valid again */
			buf[f->len - 1] ^= 0x01;
			if (mlsc_tree_set_parent(&t, x, &pn) ||
			    mlsc_tree_verify_parent_hashes(&t)) {
				tap_diag("case %zu: node %u restored", i, x);
				tried = -1;
			}
		}
	}
	mlsc_tree_free(&t);
	bytes_free(&tree);
	return tried;
}

static void vectors(void)
{
	json_t *root = vec_load("tree-validation.json"), *c;
	size_t i, n_tampered = 0;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "tree-validation.json loads from %s", vec_dir()))
		return;

	json_array_foreach(root, i, c) {
		int n;

		tap_ok(check_case(c, i), "tree-validation.json case %zu: "
		       "every node's tree hash and resolution, parent hashes",
		       i);
		tap_ok(round_trip(c, i), "tree-validation.json case %zu: "
		       "the tree serializes to its bytes", i);
		tap_ok(recompute(c, i), "tree-validation.json case %zu: "
		       "the last committer's parent hashes recompute", i);
		n = tampered(c, i);
		tap_ok(n > 0, "tree-validation.json case %zu: %d tampered "
		       "parent nodes fail the parent-hash check", i, n);
		n_tampered += n > 0 ? (size_t)n : 0;
	}
	tap_diag("tree-validation.json: %zu cases (tree hashes, resolutions, "
		 "parent hashes, serialization; %zu tampered trees)",
		 json_array_size(root), n_tampered);
	json_decref(root);
}

static int parse(const uint8_t *p, size_t len)
{
	struct mlsc_tree t;
	int err = mlsc_tree_parse(&t, 1, p, len);

	if (!err)
		mlsc_tree_free(&t);
	return err;
}

static void shapes(void)
{
	/* optional<Node>: 1 = present, then node type */
	static const uint8_t empty[] = { 0x00 };
	static const uint8_t blank_last[] = { 0x03, 0x00, 0x00, 0x00 };
	static const uint8_t two_blanks[] = { 0x02, 0x00, 0x00 };
	/* a ParentNode at index 0: key<V>, parent_hash<V>, unmerged<V> */
	static const uint8_t parent_at_leaf[] = { 0x05, 0x01, 0x02,
						  0x00, 0x00, 0x00 };
	/* a node type 3 */
	static const uint8_t type3[] = { 0x02, 0x01, 0x03 };

	tap_ok(parse(empty, sizeof(empty)) == -EBADMSG,
	       "a tree of no node: -EBADMSG");
	tap_ok(parse(blank_last, sizeof(blank_last)) == -EBADMSG,
	       "a tree whose last node is blank: -EBADMSG");
	tap_ok(parse(two_blanks, sizeof(two_blanks)) == -EBADMSG,
	       "a tree of an even node count: -EBADMSG");
	tap_ok(parse(parent_at_leaf, sizeof(parent_at_leaf)) == -EBADMSG,
	       "a parent node at a leaf's index: -EBADMSG");
	tap_ok(parse(type3, sizeof(type3)) == -EBADMSG,
	       "an undefined node type: -EBADMSG");
}

/* The parent-hash functions refuse what they cannot compute. */
static void bad_args(void)
{
	json_t *root = vec_load("tree-validation.json");
	struct bytes tree = { 0 };
	struct mlsc_tree t;
	uint64_t suite = 0;
	uint8_t h[64];
	json_t *c = json_array_get(root, 0);

	if (!tap_ok(c && !vec_get_u64(c, "cipher_suite", &suite) &&
		    !vec_get_hex(c, "tree", &tree) &&
		    !mlsc_tree_parse(&t, (uint16_t)suite, tree.data, tree.len),
		    "a tree to misuse")) {
		bytes_free(&tree);
		json_decref(root);
		return;
	}
	tap_ok(mlsc_tree_parent_hash(&t, 0, 1, h) == -EINVAL,
	       "parent hash of a leaf: -EINVAL");
	tap_ok(mlsc_tree_parent_hash(&t, 1, 4, h) == -EINVAL,
	       "parent hash with a copath child that is no child: -EINVAL");
	tap_ok(mlsc_tree_parent_hash(&t, t.n_nodes, 0, h) == -EINVAL,
	       "parent hash of a node outside the tree: -EINVAL");
	tap_ok(mlsc_tree_set_parent_hashes(&t, t.n_leaves, h) == -EINVAL,
	       "parent hashes of a leaf outside the tree: -EINVAL");
	tap_ok(mlsc_tree_set_parent(&t, 0, &t.nodes[1].parent) == -EINVAL,
	       "a parent node set at a leaf's index: -EINVAL");
	tap_ok(mlsc_tree_set_leaf(&t, t.n_leaves, &t.nodes[0].leaf) == -EINVAL,
	       "a leaf set outside the tree: -EINVAL");
	t.suite = 0x7777;
	tap_ok(mlsc_tree_verify_parent_hashes(&t) == -EINVAL,
	       "parent hashes in an unknown suite: -EINVAL");
	t.suite = (uint16_t)suite;
	if (!mlsc_tree_blank(&t, 1)) {
		struct mlsc_parent_node pn = t.nodes[1].parent;
		uint32_t bad[2] = { t.n_leaves, 0 };

		pn.unmerged_leaves = bad;
		pn.n_unmerged = 1;
		tap_ok(!mlsc_tree_set_parent(&t, 1, &pn) &&
		       mlsc_tree_verify_parent_hashes(&t) == -EBADMSG,
		       "an unmerged leaf outside the tree: -EBADMSG");
		bad[0] = 0;
		bad[1] = 0;
		pn.n_unmerged = 2;
		tap_ok(!mlsc_tree_set_parent(&t, 1, &pn) &&
		       mlsc_tree_verify_parent_hashes(&t) == -EBADMSG,
		       "an unmerged leaf listed twice: -EBADMSG");
	}
	mlsc_tree_free(&t);
	bytes_free(&tree);
	json_decref(root);
}

int main(void)
{
	vectors();
	bad_args();
	shapes();
	return tap_done();
}
