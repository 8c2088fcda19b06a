// SPDX-License-Identifier: GPL-2.0
/*
 * The ratchet tree against tree-validation.json: every case's tree parses
 * from its ratchet_tree encoding, and every node's tree hash (§7.8) and
 * resolution (§4.1.1) are the ones the file lists; then trees whose shape
 * is wrong. Parent-hash and leaf-signature validation, which the file
 * also describes, are not part of the client yet.
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
	good = true;
out:
	mlsc_tree_free(&t);
	return good;
}

static void vectors(void)
{
	json_t *root = vec_load("tree-validation.json"), *c;
	size_t i;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "tree-validation.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c)
		tap_ok(check_case(c, i), "tree-validation.json case %zu: "
		       "every node's tree hash and resolution", i);
	tap_diag("tree-validation.json: %zu cases (tree hashes, resolutions)",
		 json_array_size(root));
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

int main(void)
{
	vectors();
	shapes();
	return tap_done();
}
