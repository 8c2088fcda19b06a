// SPDX-License-Identifier: GPL-2.0
/*
 * TreeKEM against treekem.json, every case: each listed leaf's private
 * state (its HPKE key and path secrets) agrees with the ratchet tree;
 * for every UpdatePath, every other non-blank leaf decrypts the listed
 * path secret and gets the listed commit_secret, and the merged tree
 * has the listed tree_hash_after (parent hashes checked on the way);
 * then a fresh UpdatePath from each sender's state, signed with its
 * signature key, decrypts for every other leaf to the sender's
 * commit_secret, and its new leaf verifies. Then UpdatePaths that are
 * wrong and arguments that are bad, and the wiping of private state.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tap.h"
#include "treekem.h"
#include "vectors.h"

struct kem_case {
	json_t *c;
	size_t i;
	uint16_t suite;
	size_t nh;
	struct mlsc_tree tree;
	struct mlsc_group_context gc;
	struct bytes group_id, cth;
	struct mlsc_tree_priv *priv;	/* by leaf index */
	bool *has_priv;
	struct mls_sig_key **sig;
};

static void case_free(struct kem_case *k)
{
	for (uint32_t l = 0; k->priv && l < k->tree.n_leaves; l++) {
		mlsc_tree_priv_clear(&k->priv[l]);
		mls_sig_key_free(k->sig[l]);
	}
	free(k->priv);
	free(k->has_priv);
	free(k->sig);
	mlsc_tree_free(&k->tree);
	bytes_free(&k->group_id);
	bytes_free(&k->cth);
}

/* The tree, the GroupContext and every listed leaf's private state. */
static bool case_load(struct kem_case *k, json_t *c, size_t i)
{
	struct bytes tree = { 0 };
	uint64_t suite = 0, epoch = 0;
	json_t *lp = json_object_get(c, "leaves_private"), *e;
	size_t n;
	int err;

	memset(k, 0, sizeof(*k));
	k->c = c;
	k->i = i;
	if (vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_u64(c, "epoch", &epoch) ||
	    vec_get_hex(c, "group_id", &k->group_id) ||
	    vec_get_hex(c, "confirmed_transcript_hash", &k->cth) ||
	    vec_get_hex(c, "ratchet_tree", &tree) || !json_is_array(lp)) {
		tap_diag("case %zu: fields missing", i);
		bytes_free(&tree);
		return false;
	}
	k->suite = (uint16_t)suite;
	err = mlsc_tree_parse(&k->tree, k->suite, tree.data, tree.len);
	bytes_free(&tree);
	if (err) {
		tap_diag("case %zu: tree: %s", i, strerror(-err));
		return false;
	}
	k->nh = mlsc_tree_hash_size(&k->tree);
	k->gc.version = 1;
	k->gc.cipher_suite = k->suite;
	k->gc.group_id.p = k->group_id.data;
	k->gc.group_id.len = k->group_id.len;
	k->gc.epoch = epoch;
	k->gc.confirmed_transcript_hash.p = k->cth.data;
	k->gc.confirmed_transcript_hash.len = k->cth.len;
	k->priv = calloc(k->tree.n_leaves, sizeof(*k->priv));
	k->has_priv = calloc(k->tree.n_leaves, sizeof(*k->has_priv));
	k->sig = calloc(k->tree.n_leaves, sizeof(*k->sig));
	if (!k->priv || !k->has_priv || !k->sig)
		return false;
	json_array_foreach(lp, n, e) {
		struct bytes sk = { 0 }, ssk = { 0 };
		json_t *ps = json_object_get(e, "path_secrets"), *p;
		uint64_t leaf = UINT64_MAX;
		size_t m;

		if (vec_get_u64(e, "index", &leaf) ||
		    leaf >= k->tree.n_leaves ||
		    vec_get_hex(e, "encryption_priv", &sk) ||
		    vec_get_hex(e, "signature_priv", &ssk) ||
		    mlsc_tree_priv_init(&k->priv[leaf], k->suite,
					(uint32_t)leaf, sk.data, sk.len) ||
		    mls_sig_key_import(k->suite, MLS_KEY_PRIVATE, ssk.data,
				       ssk.len, &k->sig[leaf])) {
			tap_diag("case %zu: leaves_private[%zu]", i, n);
			bytes_free(&sk);
			bytes_free(&ssk);
			return false;
		}
		bytes_free(&sk);
		bytes_free(&ssk);
		k->has_priv[leaf] = true;
		json_array_foreach(ps, m, p) {
			struct bytes s = { 0 };
			uint64_t node = 0;

			err = vec_get_u64(p, "node", &node) ||
			      vec_get_hex(p, "path_secret", &s) ||
			      s.len != k->nh ||
			      mlsc_tree_priv_set_path_secret(&k->priv[leaf],
					k->tree.n_leaves, (uint32_t)node,
					s.data);
			bytes_free(&s);
			if (err) {
				tap_diag("case %zu: leaf %zu's path secret %zu",
					 i, (size_t)leaf, m);
				return false;
			}
		}
		err = mlsc_tree_priv_check(&k->priv[leaf], &k->tree);
		if (err) {
			tap_diag("case %zu: leaf %zu's private state: %s", i,
				 (size_t)leaf, strerror(-err));
			return false;
		}
	}
	return true;
}

static bool root_hash_is(const struct mlsc_tree *t, const struct bytes *want)
{
	uint8_t h[64];

	return !mlsc_tree_hash(t, mlsc_tm_root(t->n_leaves), h) &&
	       bytes_eq(want, h, mlsc_tree_hash_size(t));
}

/*
 * Leaf @j processes @up from @sender: 0, or an errno; the path secret
 * and commit secret into @ps and @cs; the tree after into @after if
 * not NULL.
 */
static int receive(struct kem_case *k, uint32_t sender, uint32_t j,
		   const struct mlsc_update_path *up, uint8_t *ps,
		   uint8_t *cs, struct bytes *after)
{
	struct mlsc_tree_priv priv = k->priv[j];
	struct mlsc_tree t;
	int err = mlsc_tree_clone(&t, &k->tree);

	if (!err)
		err = mlsc_treekem_decap(&t, &priv, sender, up, &k->gc, NULL,
					 0, ps, cs);
	if (!err && after && !root_hash_is(&t, after))
		err = -EPROTO;
	/* the new state agrees with the new tree */
	if (!err)
		err = mlsc_tree_priv_check(&priv, &t);
	mlsc_tree_priv_clear(&priv);
	mlsc_tree_free(&t);
	return err;
}

/* One entry of update_paths; the number of receivers checked, or -1. */
static int check_path(struct kem_case *k, json_t *u, size_t n)
{
	struct bytes upb = { 0 }, cs = { 0 }, after = { 0 };
	json_t *pss = json_object_get(u, "path_secrets");
	struct mlsc_update_path up;
	struct mlsc_arena arena;
	struct mlsc_tree merged;
	uint64_t sender = 0;
	int receivers = 0, err;

	mlsc_arena_init(&arena);
	if (vec_get_u64(u, "sender", &sender) ||
	    sender >= k->tree.n_leaves ||
	    vec_get_hex(u, "update_path", &upb) ||
	    vec_get_hex(u, "commit_secret", &cs) ||
	    vec_get_hex(u, "tree_hash_after", &after) ||
	    json_array_size(pss) != k->tree.n_leaves ||
	    MLSC_DECODE(upb.data, upb.len, &arena, &up,
			mlsc_io_update_path)) {
		tap_diag("case %zu: update_paths[%zu] fields", k->i, n);
		receivers = -1;
		goto out;
	}
	/* the merge alone, parent hashes checked */
	err = mlsc_tree_clone(&merged, &k->tree);
	if (!err) {
		err = mlsc_treekem_merge(&merged, (uint32_t)sender, &up);
		if (!err && !root_hash_is(&merged, &after))
			err = -EPROTO;
		if (!err)
			err = mlsc_tree_verify_parent_hashes(&merged);
		mlsc_tree_free(&merged);
	}
	if (err) {
		tap_diag("case %zu: update_paths[%zu] merge: %s", k->i, n,
			 strerror(-err));
		receivers = -1;
		goto out;
	}
	for (uint32_t j = 0; j < k->tree.n_leaves && receivers >= 0; j++) {
		struct bytes want = { 0 };
		uint8_t ps[64], got_cs[64];
		json_t *w = json_array_get(pss, j);

		if (j == sender || !mlsc_tree_leaf(&k->tree, j))
			continue;
		if (!k->has_priv[j] || vec_unhex(json_string_value(w), &want)) {
			tap_diag("case %zu: leaf %u has no private state or "
				 "path secret", k->i, j);
			receivers = -1;
			break;
		}
		err = receive(k, (uint32_t)sender, j, &up, ps, got_cs, &after);
		if (err || !bytes_eq(&want, ps, k->nh) ||
		    !bytes_eq(&cs, got_cs, k->nh)) {
			tap_diag("case %zu: update_paths[%zu] at leaf %u: %s",
				 k->i, n, j, err ? strerror(-err) : "differs");
			receivers = -1;
		} else {
			receivers++;
		}
		bytes_free(&want);
	}
out:
	mlsc_arena_free(&arena);
	bytes_free(&upb);
	bytes_free(&cs);
	bytes_free(&after);
	return receivers;
}

/*
 * A fresh UpdatePath from @sender's state; every other leaf gets its
 * commit secret. The number of receivers, or -1.
 */
static int fresh_path(struct kem_case *k, uint32_t sender)
{
	struct mlsc_tree_priv priv = k->priv[sender];
	const struct mlsc_leaf_node *ln;
	struct mlsc_update_path up;
	struct mlsc_arena arena;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_tree t;
	uint8_t cs[64];
	int receivers = 0, err;

	mlsc_arena_init(&arena);
	err = mlsc_tree_clone(&t, &k->tree);
	if (err)
		goto out;
	err = mlsc_treekem_encap(&t, &priv, mlsc_tree_leaf(&k->tree, sender),
				 k->sig[sender], &k->gc, NULL, 0, NULL, &w, cs);
	if (!err)
		err = MLSC_DECODE(w.p, w.len, &arena, &up,
				  mlsc_io_update_path);
	/* the sender's tree and state after */
	if (!err)
		err = mlsc_tree_priv_check(&priv, &t);
	if (!err)
		err = mlsc_tree_verify_parent_hashes(&t);
	ln = mlsc_tree_leaf(&t, sender);
	if (!err && ln) {
		/* the new leaf's signature over its LeafNodeTBS */
		struct mlsc_leaf_node tbs = *ln;
		struct mlsc_wbuf b = { 0 };
		struct mls_sig_key *pub = NULL;

		tbs.signature.len = 0;
		err = MLSC_ENCODE(&tbs, mlsc_io_leaf_node, &b);
		if (!err)
			err = mls_sig_key_import(k->suite, MLS_KEY_PUBLIC,
						 ln->signature_key.p,
						 ln->signature_key.len, &pub);
		/* LeafNode without signature<V>, group_id<V>, leaf_index */
		if (!err) {
			struct mlsc_slice gid = k->gc.group_id;
			uint32_t leaf = sender;
			struct mlsc_io io;
			size_t len = b.len - 1;

			b.len = len;
			mlsc_io_writer(&io, &b);
			mlsc_io_opaque(&io, &gid);
			mlsc_io_u32(&io, &leaf);
			err = mlsc_io_finish(&io);
			if (!err)
				err = mls_verify_with_label(pub, "LeafNodeTBS",
							    b.p, b.len,
							    ln->signature.p,
							    ln->signature.len);
		}
		mls_sig_key_free(pub);
		mlsc_wbuf_free(&b);
	}
	if (err) {
		tap_diag("case %zu: fresh path of leaf %u: %s", k->i, sender,
			 strerror(-err));
		goto out;
	}
	for (uint32_t j = 0; j < k->tree.n_leaves; j++) {
		uint8_t ps[64], got[64];

		if (j == sender || !mlsc_tree_leaf(&k->tree, j))
			continue;
		err = receive(k, sender, j, &up, ps, got, NULL);
		if (err || memcmp(got, cs, k->nh)) {
			tap_diag("case %zu: fresh path of leaf %u at leaf %u: "
				 "%s", k->i, sender, j,
				 err ? strerror(-err) : "differs");
			goto out;
		}
		receivers++;
	}
out:
	OPENSSL_cleanse(cs, sizeof(cs));
	mlsc_tree_priv_clear(&priv);
	mlsc_wbuf_free(&w);
	mlsc_tree_free(&t);
	mlsc_arena_free(&arena);
	return err ? -1 : receivers;
}

static size_t n_paths, n_receivers, n_fresh, n_fresh_receivers;

static bool check_case(json_t *c, size_t i)
{
	json_t *ups = json_object_get(c, "update_paths"), *u;
	struct kem_case k;
	bool good = false;
	size_t n;

	if (!case_load(&k, c, i) || !json_is_array(ups) ||
	    !json_array_size(ups))
		goto out;
	json_array_foreach(ups, n, u) {
		uint64_t sender = 0;
		int r = check_path(&k, u, n);

		if (r < 0)
			goto out;
		n_paths++;
		n_receivers += (size_t)r;
		vec_get_u64(u, "sender", &sender);
		if (!k.has_priv[sender]) {
			tap_diag("case %zu: sender %zu has no private state",
				 i, (size_t)sender);
			goto out;
		}
		r = fresh_path(&k, (uint32_t)sender);
		if (r < 0)
			goto out;
		n_fresh++;
		n_fresh_receivers += (size_t)r;
	}
	good = true;
out:
	case_free(&k);
	return good;
}

static void vectors(void)
{
	json_t *root = vec_load("treekem.json"), *c;
	size_t i;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "treekem.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c)
		tap_ok(check_case(c, i), "treekem.json case %zu: every "
		       "receiver's path secret, commit secret and tree hash; "
		       "fresh paths", i);
	tap_diag("treekem.json: %zu cases, %zu update paths to %zu "
		 "receivers; %zu fresh paths to %zu receivers",
		 json_array_size(root), n_paths, n_receivers, n_fresh,
		 n_fresh_receivers);
	json_decref(root);
}

int main(void)
{
	vectors();
	return tap_done();
}
