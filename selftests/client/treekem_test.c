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

/* What @t and @priv are, to check that a failure changed neither. */
static bool unchanged(const struct mlsc_tree *t, const struct bytes *was,
		      const struct mlsc_tree_priv *priv,
		      const struct mlsc_tree_priv *priv_was)
{
	struct mlsc_wbuf w = { 0 };
	bool same = !mlsc_tree_serialize(t, &w) && bytes_eq(was, w.p, w.len);

	mlsc_wbuf_free(&w);
	return same && !memcmp(priv, priv_was, sizeof(*priv));
}

/* Copies of @up's nodes and secrets that a test may change. */
struct up_copy {
	struct mlsc_update_path up;
	struct mlsc_update_path_node nodes[MLSC_MAX_PATH];
	struct mlsc_hpke_ciphertext secrets[MLSC_MAX_PATH][64];
	uint8_t ct[MLSC_MAX_PATH][64][128];
	uint8_t keys[MLSC_MAX_PATH][160];
};

static void up_copy(struct up_copy *c, const struct mlsc_update_path *up)
{
	c->up = *up;
	c->up.nodes = c->nodes;
	for (size_t i = 0; i < up->n_nodes && i < MLSC_MAX_PATH; i++) {
		c->nodes[i] = up->nodes[i];
		c->nodes[i].secrets = c->secrets[i];
		memcpy(c->keys[i], up->nodes[i].encryption_key.p,
		       up->nodes[i].encryption_key.len);
		c->nodes[i].encryption_key.p = c->keys[i];
		for (size_t k = 0; k < up->nodes[i].n_secrets && k < 64; k++) {
			const struct mlsc_hpke_ciphertext *h =
				&up->nodes[i].secrets[k];

			c->secrets[i][k] = *h;
			memcpy(c->ct[i][k], h->ciphertext.p, h->ciphertext.len);
			c->secrets[i][k].ciphertext.p = c->ct[i][k];
		}
	}
}

/*
 * On treekem.json's case @nth: every way of getting the UpdatePath or
 * the arguments wrong gives its errno and changes nothing.
 */
static void bad_inputs(size_t nth)
{
	json_t *root = vec_load("treekem.json");
	json_t *c = json_array_get(root, nth), *u;
	struct bytes upb = { 0 }, was = { 0 };
	struct mlsc_tree_priv priv, priv_was;
	struct mlsc_update_path up;
	struct mlsc_group_context gc;
	struct mlsc_arena arena;
	struct mlsc_wbuf w = { 0 };
	struct up_copy *cp = calloc(1, sizeof(*cp));
	struct kem_case k;
	uint8_t ps[64], cs[64];
	uint64_t sender = 0;
	uint32_t r = 0, joiner;
	int err;

	mlsc_arena_init(&arena);
	u = json_array_get(json_object_get(c, "update_paths"), 0);
	if (!tap_ok(cp && c && case_load(&k, c, nth) &&
		    !vec_get_u64(u, "sender", &sender) &&
		    !vec_get_hex(u, "update_path", &upb) &&
		    !MLSC_DECODE(upb.data, upb.len, &arena, &up,
				 mlsc_io_update_path) &&
		    !mlsc_tree_serialize(&k.tree, &w),
		    "treekem.json case %zu to misuse", nth)) {
		free(cp);
		bytes_free(&upb);
		json_decref(root);
		return;
	}
	was.data = w.p;
	was.len = w.len;
	while (r == sender || !mlsc_tree_leaf(&k.tree, r))
		r++;
	priv = k.priv[r];
	priv_was = priv;
	gc = k.gc;

#define DECAP(s, upp, g, j, nj)						\
	mlsc_treekem_decap(&k.tree, &priv, (s), (upp), (g), (j), (nj), ps, cs)

	tap_ok(DECAP(k.tree.n_leaves, &up, &gc, NULL, 0) == -EINVAL,
	       "a sender outside the tree: -EINVAL");
	tap_ok(DECAP(UINT32_MAX, &up, &gc, NULL, 0) == -EINVAL,
	       "sender 2^32 - 1: -EINVAL");
	tap_ok(DECAP(r, &up, &gc, NULL, 0) == -EINVAL,
	       "the receiver as sender: -EINVAL");
	for (uint32_t l = 0; l < k.tree.n_leaves; l++)
		if (!mlsc_tree_leaf(&k.tree, l)) {
			tap_ok(DECAP(l, &up, &gc, NULL, 0) == -EINVAL,
			       "a blank sender (leaf %u): -EINVAL", l);
			break;
		}
	gc.cipher_suite = k.suite == 1 ? 2 : 1;
	tap_ok(DECAP(sender, &up, &gc, NULL, 0) == -EINVAL,
	       "a GroupContext of another suite: -EINVAL");
	gc = k.gc;
	priv.suite = gc.cipher_suite == 1 ? 2 : 1;
	tap_ok(DECAP(sender, &up, &gc, NULL, 0) == -EINVAL,
	       "a private state of another suite: -EINVAL");
	priv.suite = k.suite;
	joiner = r;
	tap_ok(DECAP(sender, &up, &gc, &joiner, 1) == -EINVAL,
	       "a receiver who is a joiner: -EINVAL");
	tap_ok(DECAP(sender, &up, NULL, NULL, 0) == -EINVAL,
	       "no GroupContext: -EINVAL");

	up_copy(cp, &up);
	cp->up.n_nodes = up.n_nodes - 1;
	tap_ok(DECAP(sender, &cp->up, &gc, NULL, 0) == -EBADMSG,
	       "an UpdatePath of a node too few: -EBADMSG");
	up_copy(cp, &up);
	for (size_t i = 0; i < up.n_nodes; i++)
		cp->nodes[i].n_secrets--;
	tap_ok(DECAP(sender, &cp->up, &gc, NULL, 0) == -EBADMSG,
	       "an encrypted secret too few in every node: -EBADMSG");
	up_copy(cp, &up);
	for (size_t i = 0; i < up.n_nodes; i++)
		for (size_t j = 0; j < up.nodes[i].n_secrets; j++)
			cp->ct[i][j][0] ^= 0x80;
	tap_ok(DECAP(sender, &cp->up, &gc, NULL, 0) == -EBADMSG,
	       "every ciphertext flipped: -EBADMSG");
	up_copy(cp, &up);
	cp->keys[up.n_nodes - 1][up.nodes[up.n_nodes - 1].encryption_key.len
				  - 1] ^= 0x01;
	tap_ok(DECAP(sender, &cp->up, &gc, NULL, 0) == -EBADMSG,
	       "the root's public key flipped: -EBADMSG");
	up_copy(cp, &up);
	cp->up.leaf_node.source = MLSC_LEAF_SOURCE_UPDATE;
	tap_ok(DECAP(sender, &cp->up, &gc, NULL, 0) == -EBADMSG,
	       "a new leaf of source update: -EBADMSG");
	up_copy(cp, &up);
	cp->up.leaf_node.parent_hash.len--;
	tap_ok(DECAP(sender, &cp->up, &gc, NULL, 0) == -EBADMSG,
	       "a leaf parent hash cut short: -EBADMSG");
	gc.epoch++;
	tap_ok(DECAP(sender, &up, &gc, NULL, 0) == -EBADMSG,
	       "another epoch's GroupContext: -EBADMSG");
	gc = k.gc;
	/* a receiver that holds none of the keys encrypted to */
	priv.leaf_sk[1] ^= 0x01;	/* byte 0 is clamped in X25519 */
	priv.n_path = 0;
	priv_was = priv;
	err = DECAP(sender, &up, &gc, NULL, 0);
	tap_ok(err == -EBADMSG || err == -ENOKEY,
	       "a receiver with a wrong key: -EBADMSG or -ENOKEY (%d)", err);
	priv = k.priv[r];
	priv_was = priv;
	tap_ok(unchanged(&k.tree, &was, &priv, &priv_was),
	       "after every failure, tree and state are unchanged");

	for (size_t l = 0; l < 2; l++) {
		size_t cut = l ? upb.len - 1 : upb.len / 2;
		struct mlsc_update_path t;
		struct mlsc_arena a;

		mlsc_arena_init(&a);
		tap_ok(MLSC_DECODE(upb.data, cut, &a, &t,
				   mlsc_io_update_path) == -EBADMSG,
		       "an UpdatePath cut to %zu of %zu bytes: -EBADMSG", cut,
		       upb.len);
		mlsc_arena_free(&a);
	}

	/* encap's bad arguments */
	{
		struct mlsc_tree_priv sp = k.priv[sender];
		struct mlsc_wbuf out;
		const struct mlsc_leaf_node *ln =
			mlsc_tree_leaf(&k.tree, (uint32_t)sender);

		joiner = (uint32_t)sender;
		tap_ok(mlsc_treekem_encap(&k.tree, &sp, ln, k.sig[sender], &gc,
					  &joiner, 1, NULL, &out, cs) == -EINVAL,
		       "a sender who is a joiner: -EINVAL");
		gc.cipher_suite = k.suite == 1 ? 2 : 1;
		tap_ok(mlsc_treekem_encap(&k.tree, &sp, ln, k.sig[sender], &gc,
					  NULL, 0, NULL, &out, cs) == -EINVAL,
		       "encap under another suite's GroupContext: -EINVAL");
		gc = k.gc;
		sp.leaf = k.tree.n_leaves;
		tap_ok(mlsc_treekem_encap(&k.tree, &sp, ln, k.sig[sender], &gc,
					  NULL, 0, NULL, &out, cs) == -EINVAL,
		       "encap from a leaf outside the tree: -EINVAL");
		tap_ok(mlsc_treekem_encap(&k.tree, &k.priv[sender], ln, NULL,
					  &gc, NULL, 0, NULL, &out,
					  cs) == -EINVAL,
		       "encap without a signature key: -EINVAL");
		mlsc_tree_priv_clear(&sp);
	}
	tap_ok(unchanged(&k.tree, &was, &k.priv[r], &priv_was),
	       "after every failure, tree and state are unchanged");
#undef DECAP
	mlsc_tree_priv_clear(&priv);
	mlsc_tree_priv_clear(&priv_was);
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&arena);
	bytes_free(&upb);
	case_free(&k);
	free(cp);
	json_decref(root);
}

/*
 * A commit that adds two members (Add proposals applied to the tree
 * first): the new leaves, unmerged in the nodes above them, get no
 * ciphertext; every other member still gets the commit secret; the
 * joiners cannot process the path.
 */
static void joiners(size_t nth)
{
	json_t *root = vec_load("treekem.json");
	struct mlsc_update_path up, up2;
	struct mlsc_arena arena;
	struct mlsc_wbuf out = { 0 };
	struct mlsc_tree added, t;
	struct kem_case k;
	uint32_t join[2], sender = 0;
	uint8_t cs[64];
	size_t with = 0, without = 0;
	int ok = 0, err;

	mlsc_arena_init(&arena);
	if (!tap_ok(case_load(&k, json_array_get(root, nth), nth),
		    "treekem.json case %zu for joiners", nth)) {
		case_free(&k);
		json_decref(root);
		return;
	}
	err = mlsc_tree_clone(&added, &k.tree);
	for (int i = 0; i < 2 && !err; i++)
		err = mlsc_tree_add(&added, mlsc_tree_leaf(&k.tree, 1),
				    &join[i]);
	for (int pass = 0; pass < 2 && !err; pass++) {
		struct mlsc_tree_priv sp = k.priv[sender];
		struct mlsc_update_path *u = pass ? &up2 : &up;
		size_t *count = pass ? &with : &without;

		mlsc_wbuf_free(&out);
		if (pass)
			memset(cs, 0, sizeof(cs));
		err = mlsc_tree_clone(&t, &added);
		if (!err)
			err = mlsc_treekem_encap(&t, &sp,
						 mlsc_tree_leaf(&k.tree, sender),
						 k.sig[sender], &k.gc,
						 pass ? NULL : join,
						 pass ? 0 : 2, NULL, &out, cs);
		if (!err)
			err = MLSC_DECODE(out.p, out.len, &arena, u,
					  mlsc_io_update_path);
		for (size_t i = 0; !err && i < u->n_nodes; i++)
			*count += u->nodes[i].n_secrets;
		mlsc_tree_priv_clear(&sp);
		mlsc_tree_free(&t);
		if (pass || err)
			break;
		/* receivers, with the first path */
		for (uint32_t j = 1; !err && j < added.n_leaves; j++) {
			struct mlsc_tree_priv pr;
			bool is_j = j == join[0] || j == join[1];
			uint8_t got[64];

			if (!mlsc_tree_leaf(&added, j))
				continue;
			if (is_j)
				mlsc_tree_priv_init(&pr, k.suite, j,
						    k.priv[1].leaf_sk,
						    k.priv[1].leaf_sk_len);
			else
				pr = k.priv[j];
			err = mlsc_tree_clone(&t, &added);
			if (!err)
				err = mlsc_treekem_decap(&t, &pr, sender, &up,
							 &k.gc, join, 2, NULL,
							 got);
			mlsc_tree_free(&t);
			mlsc_tree_priv_clear(&pr);
			if (is_j && err == -EINVAL)
				err = 0;
			else if (!err && !is_j && !memcmp(got, cs, k.nh))
				ok++;
			else if (!err)
				err = -EPROTO;
		}
	}
	tap_ok(!err && with == without + 2 && ok > 0,
	       "a commit adding 2 members: %zu ciphertexts instead of %zu, "
	       "%d members get the commit secret: %d", without, with, ok,
	       err);
	OPENSSL_cleanse(cs, sizeof(cs));
	mlsc_wbuf_free(&out);
	mlsc_arena_free(&arena);
	mlsc_tree_free(&added);
	case_free(&k);
	json_decref(root);
}

/* mlsc_tree_priv_clear() leaves no byte of a state behind. */
static void wiped(size_t nth)
{
	json_t *root = vec_load("treekem.json");
	struct mlsc_tree_priv z;
	struct kem_case k;
	uint32_t l = 0;
	bool zero = true;

	if (!tap_ok(case_load(&k, json_array_get(root, nth), nth),
		    "treekem.json case %zu to wipe", nth)) {
		case_free(&k);
		json_decref(root);
		return;
	}
	while (!k.has_priv[l] || !k.priv[l].n_path)
		l++;
	z = k.priv[l];
	tap_ok(z.leaf_sk_len && z.n_path,
	       "a state with a leaf key and %u path secrets", z.n_path);
	mlsc_tree_priv_clear(&z);
	for (size_t i = 0; i < sizeof(z); i++)
		if (((const uint8_t *)&z)[i])
			zero = false;
	tap_ok(zero, "cleared, every byte of the private state is zero");
	case_free(&k);
	json_decref(root);
}

int main(void)
{
	vectors();
	bad_inputs(3);
	bad_inputs(50);
	joiners(6);
	wiped(3);
	return tap_done();
}
