// SPDX-License-Identifier: GPL-2.0
/*
 * A member's saved state (mlsc_group_save(), mlsc_group_load()): the
 * bytes round-trip for every suite, with and without a pending commit
 * and a signature key; and every malformed input is refused: each
 * truncation, a byte more, another magic, version or suite, keys that
 * do not match the tree, a tree that is not the GroupContext's, and
 * every single flipped byte (refused, or loaded whole: no crash, no
 * leak). The kernel half needs /dev/mls and is in the VM's mlsctl_test;
 * here the kernel id is given (mlsc_state_encode(), mlsc_state_decode()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include <mls_client.h>

#include "commit.h"
#include "group.h"
#include "keypkg.h"
#include "tap.h"
#include "treekem.h"

#define NOW	1700000000ULL

static int kp_make(uint16_t suite, const char *id, struct mls_sig_key **key,
		   struct mlsc_keypkg_priv **priv)
{
	struct mlsc_keypkg_params p;
	struct mls_bytes msg = { 0 };
	int err;

	memset(&p, 0, sizeof(p));
	p.cipher_suite = suite;
	p.credential.type = MLS_CREDENTIAL_BASIC;
	p.credential.identity = id;
	p.credential.identity_len = strlen(id);
	p.not_before = NOW - 3600;
	p.not_after = NOW + 86400;
	err = mls_sig_key_generate(suite, key);
	if (!err)
		err = mlsc_keypkg_create(&p, *key, &msg, priv);
	mls_bytes_free(&msg);
	return err;
}

/* @gc's encoding into a fresh *@p. */
static int context_bytes(const struct mlsc_group_context *gc, uint8_t **p,
			 size_t *len)
{
	struct mlsc_wbuf w = { 0 };
	int err = MLSC_ENCODE(gc, mlsc_io_group_context, &w);

	if (!err) {
		*p = malloc(w.len);
		if (*p) {
			memcpy(*p, w.p, w.len);
			*len = w.len;
		} else {
			err = -ENOMEM;
		}
	}
	mlsc_wbuf_free(&w);
	return err;
}

/*
 * A member as a committer leaves it: Alice (leaf 0) added Bob (leaf 1)
 * with an UpdatePath, in epoch @epoch; with @pending, a second commit
 * of hers (another path) waits for epoch @epoch + 1.
 */
static int group_make(uint16_t suite, uint64_t epoch, bool pending,
		      struct mls_sig_key **akey, struct mlsc_group **out)
{
	const struct mlsc_suite *s = mlsc_suite_get(suite);
	struct mlsc_keypkg_priv *a = NULL, *b = NULL;
	struct mls_sig_key *bkey = NULL;
	struct mlsc_group_context gc;
	struct mlsc_wbuf path = { 0 };
	uint8_t th[MLSC_MAX_HASH], cs[MLSC_MAX_HASH];
	struct mlsc_group *g;
	uint32_t leaf, joiner = 1;
	int err;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->gfd = -1;
	g->suite = s;
	mlsc_arena_init(&g->tree.arena);
	err = kp_make(suite, "alice", akey, &a);
	if (!err)
		err = kp_make(suite, "bob", &bkey, &b);
	if (err)
		goto out;
	g->tree.suite = suite;
	g->tree.nodes = calloc(1, sizeof(*g->tree.nodes));
	g->tree.n_leaves = g->tree.n_nodes = 1;
	err = mlsc_tree_set_leaf(&g->tree, 0, &a->kp->kp.leaf_node);
	if (!err)
		err = mlsc_tree_add(&g->tree, &b->kp->kp.leaf_node, &leaf);
	if (err)
		goto out;
	g->priv = calloc(1, sizeof(*g->priv));
	err = mlsc_tree_priv_init(g->priv, suite, 0, a->enc_sk, a->enc_sk_len);
	memset(&gc, 0, sizeof(gc));
	gc.version = MLSC_VERSION_MLS10;
	gc.cipher_suite = suite;
	gc.group_id = (struct mlsc_slice){ (const uint8_t *)"save", 4 };
	gc.epoch = epoch;
	if (!err)
		err = mlsc_treekem_encap(&g->tree, g->priv,
					 mlsc_tree_leaf(&g->tree, 0), *akey,
					 &gc, &joiner, 1, NULL, &path, cs);
	mlsc_wbuf_free(&path);
	if (!err)
		err = mlsc_tree_hash(&g->tree, mlsc_tm_root(g->tree.n_leaves), th);
	if (err)
		goto out;
	gc.tree_hash = (struct mlsc_slice){ th, s->nh };
	err = context_bytes(&gc, &g->context, &g->context_len);
	if (!err)
		err = mlsc_keys_from_priv(s, g->priv, &g->keys, &g->n_keys);
	if (err || RAND_bytes(g->interim, (int)s->nh) != 1)
		goto out;
	if (pending) {
		struct mlsc_pending *p = calloc(1, sizeof(*p));

		g->pending = p;
		if (!p) {
			err = -ENOMEM;
			goto out;
		}
		p->epoch = epoch + 1;
		p->priv = malloc(sizeof(*p->priv));
		*p->priv = *g->priv;
		err = mlsc_tree_clone(&p->tree, &g->tree);
		gc.epoch = epoch + 1;
		if (!err)
			err = mlsc_treekem_encap(&p->tree, p->priv,
						 mlsc_tree_leaf(&p->tree, 0),
						 *akey, &gc, NULL, 0, NULL,
						 &path, cs);
		mlsc_wbuf_free(&path);
		if (!err)
			err = mlsc_tree_hash(&p->tree,
					     mlsc_tm_root(p->tree.n_leaves), th);
		if (!err)
			err = context_bytes(&gc, &p->context, &p->context_len);
		if (!err)
			err = mlsc_keys_from_priv(s, p->priv, &p->keys,
						  &p->n_keys);
		p->has_path = true;
		RAND_bytes(p->interim, (int)s->nh);
	}
out:
	mlsc_keypkg_priv_free(a);
	mlsc_keypkg_priv_free(b);
	mls_sig_key_free(bkey);
	if (err) {
		mlsc_group_free(g);
		mls_sig_key_free(*akey);
		*akey = NULL;
		return err;
	}
	*out = g;
	return 0;
}

static bool same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static bool same_priv(const struct mlsc_tree_priv *a,
		      const struct mlsc_tree_priv *b, size_t nh)
{
	if (!a || !b)
		return a == b;
	if (a->leaf != b->leaf || a->n_path != b->n_path ||
	    !same_bytes(a->leaf_sk, a->leaf_sk_len, b->leaf_sk, b->leaf_sk_len))
		return false;
	for (uint32_t i = 0; i < a->n_path; i++)
		if (a->path[i].node != b->path[i].node ||
		    memcmp(a->path[i].secret, b->path[i].secret, nh))
			return false;
	return true;
}

static bool same_tree(const struct mlsc_tree *a, const struct mlsc_tree *b)
{
	struct mlsc_wbuf x = { 0 }, y = { 0 };
	bool same;

	same = !mlsc_tree_serialize(a, &x) && !mlsc_tree_serialize(b, &y) &&
	       same_bytes(x.p, x.len, y.p, y.len);
	mlsc_wbuf_free(&x);
	mlsc_wbuf_free(&y);
	return same;
}

static bool round_trip(uint16_t suite, bool pending, bool with_key)
{
	struct mls_sig_key *key = NULL, *key2 = NULL;
	struct mls_bytes b = { 0 }, again = { 0 }, k1 = { 0 }, k2 = { 0 };
	struct mlsc_group *g = NULL, *h = NULL;
	size_t nh = mls_suite_hash_len(suite);
	uint32_t id = 0;
	bool good = true;

	REQUIRE(group_make(suite, 7, pending, &key, &g) == 0);
	REQUIRE(mlsc_state_encode(g, 4242, with_key ? key : NULL, &b) == 0);
	REQUIRE(mlsc_state_decode(b.data, b.len, &h, &id, &key2) == 0);
	EXPECT(id == 4242);
	EXPECT(h->gfd == -1);
	EXPECT(h->suite == g->suite && h->own_leaf == g->own_leaf);
	EXPECT(same_bytes(h->context, h->context_len, g->context, g->context_len));
	EXPECT(!memcmp(h->interim, g->interim, nh));
	EXPECT(same_tree(&h->tree, &g->tree));
	EXPECT(same_priv(h->priv, g->priv, nh));
	EXPECT(h->n_keys == g->n_keys &&
	       !memcmp(h->keys, g->keys, g->n_keys * sizeof(*g->keys)));
	EXPECT(mlsc_group_epoch(h) == 7);
	EXPECT(!h->pending == !pending);
	if (pending && h->pending) {
		EXPECT(h->pending->epoch == 8 && h->pending->has_path);
		EXPECT(same_bytes(h->pending->context, h->pending->context_len,
				  g->pending->context, g->pending->context_len));
		EXPECT(!memcmp(h->pending->interim, g->pending->interim, nh));
		EXPECT(same_tree(&h->pending->tree, &g->pending->tree));
		EXPECT(same_priv(h->pending->priv, g->pending->priv, nh));
		EXPECT(h->pending->n_keys == g->pending->n_keys);
	}
	EXPECT(!key2 == !with_key);
	if (with_key && key2) {
		EXPECT(mls_sig_key_export(key, MLS_KEY_PRIVATE, &k1) == 0);
		EXPECT(mls_sig_key_export(key2, MLS_KEY_PRIVATE, &k2) == 0);
		EXPECT(same_bytes(k1.data, k1.len, k2.data, k2.len));
	}
	/* one encoding: saved again, the same bytes */
	REQUIRE(mlsc_state_encode(h, id, key2, &again) == 0);
	EXPECT(same_bytes(again.data, again.len, b.data, b.len));
out:
	mls_bytes_free(&b);
	mls_bytes_free(&again);
	mls_bytes_free(&k1);
	mls_bytes_free(&k2);
	mlsc_group_free(g);
	mlsc_group_free(h);
	mls_sig_key_free(key);
	mls_sig_key_free(key2);
	return good;
}

/* decode must give @want (and nothing, if an error) for @len bytes of @p. */
static bool refused(const uint8_t *p, size_t len, int want)
{
	struct mls_sig_key *key = NULL;
	struct mlsc_group *g = NULL;
	uint32_t id;
	bool empty;
	int err;

	err = mlsc_state_decode(p, len, &g, &id, &key);
	empty = !g && !key;
	mlsc_group_free(g);
	mls_sig_key_free(key);
	if (err != want)
		tap_diag("decode of %zu bytes: %d, not %d", len, err, want);
	return err == want && (want ? empty : !empty);
}

static bool malformed(uint16_t suite)
{
	struct mls_sig_key *key = NULL;
	struct mlsc_group *g = NULL;
	struct mls_bytes b = { 0 }, bad = { 0 };
	uint8_t *copy = NULL;
	size_t n_ok = 0;
	bool good = true;

	REQUIRE(group_make(suite, 3, true, &key, &g) == 0);
	REQUIRE(mlsc_state_encode(g, 9, key, &b) == 0);
	copy = malloc(b.len + 1);
	REQUIRE(copy);
	/* every truncation */
	for (size_t len = 0; len < b.len; len++)
		if (!EXPECT(refused(b.data, len, -EBADMSG)))
			break;
	/* a byte more */
	memcpy(copy, b.data, b.len);
	copy[b.len] = 0;
	EXPECT(refused(copy, b.len + 1, -EBADMSG));
	/* magic, version, suite */
	copy[0] ^= 1;
	EXPECT(refused(copy, b.len, -EBADMSG));
	copy[0] ^= 1;
	/* version 1 bytes read as version 2 lack its fields */
	EXPECT(copy[5] == 1);
	copy[5] = 2;
	EXPECT(refused(copy, b.len, -EBADMSG));
	copy[5] = 3;
	EXPECT(refused(copy, b.len, -EPROTONOSUPPORT));
	copy[5] = 0;
	EXPECT(refused(copy, b.len, -EPROTONOSUPPORT));
	copy[4] = 1;
	copy[5] = 1;
	EXPECT(refused(copy, b.len, -EPROTONOSUPPORT));
	memcpy(copy, b.data, b.len);
	copy[7] = 99;
	EXPECT(refused(copy, b.len, -EPROTONOSUPPORT));
	/* every flipped byte: refused, or loaded whole */
	for (size_t i = 0; i < b.len; i++) {
		struct mls_sig_key *k2 = NULL;
		struct mlsc_group *h = NULL;
		uint32_t id;
		int err;

		memcpy(copy, b.data, b.len);
		copy[i] ^= 0x5a;
		err = mlsc_state_decode(copy, b.len, &h, &id, &k2);
		if (!err)
			n_ok++;
		if (!EXPECT(err == 0 || err == -EBADMSG ||
			    err == -EPROTONOSUPPORT))
			tap_diag("byte %zu: %d", i, err);
		EXPECT(!err == !!h);
		mlsc_group_free(h);
		mls_sig_key_free(k2);
	}
	/* only fields no check covers may change: id, interims, the key */
	EXPECT(n_ok < b.len / 4);
out:
	free(copy);
	mls_bytes_free(&b);
	mls_bytes_free(&bad);
	mlsc_group_free(g);
	mls_sig_key_free(key);
	return good;
}

/* The ReInit @gid for @suite, encoded (the form struct mlsc_group keeps). */
static int reinit_make(uint16_t suite, const char *gid, uint8_t **p,
		       size_t *len)
{
	struct mlsc_reinit r = {
		.group_id = { (const uint8_t *)gid, strlen(gid) },
		.version = MLSC_VERSION_MLS10,
		.cipher_suite = suite,
	};

	return mlsc_reinit_encode(&r, p, len);
}

/*
 * A group a ReInit ended, and one whose pending commit carries a
 * ReInit: saved as version 2, loaded with the ReInit (so the group
 * stays ended), saved again to the same bytes; every truncation of
 * them refused; a ReInit of an unknown suite refused. Without a
 * ReInit, version 1, as before.
 */
static bool reinit_kept(uint16_t suite)
{
	struct mls_sig_key *key = NULL, *key2 = NULL;
	struct mls_bytes b = { 0 }, again = { 0 }, plain = { 0 };
	struct mlsc_group *g = NULL, *h = NULL;
	uint8_t *bad = NULL;
	size_t bad_len = 0;
	uint32_t id;
	bool good = true;

	REQUIRE(group_make(suite, 5, true, &key, &g) == 0);
	REQUIRE(mlsc_state_encode(g, 1, NULL, &plain) == 0);
	EXPECT(plain.len > 6 && plain.data[4] == 0 && plain.data[5] == 1);
	REQUIRE(reinit_make(suite, "next", &g->reinit, &g->reinit_len) == 0);
	REQUIRE(reinit_make(suite, "pending", &g->pending->reinit,
			    &g->pending->reinit_len) == 0);
	REQUIRE(mlsc_state_encode(g, 2, key, &b) == 0);
	EXPECT(b.data[4] == 0 && b.data[5] == 2);
	REQUIRE(mlsc_state_decode(b.data, b.len, &h, &id, &key2) == 0);
	EXPECT(h->reinit && same_bytes(h->reinit, h->reinit_len, g->reinit,
				       g->reinit_len));
	EXPECT(h->pending && h->pending->reinit &&
	       same_bytes(h->pending->reinit, h->pending->reinit_len,
			  g->pending->reinit, g->pending->reinit_len));
	REQUIRE(mlsc_state_encode(h, id, key2, &again) == 0);
	EXPECT(same_bytes(again.data, again.len, b.data, b.len));
	for (size_t len = 0; len < b.len; len++)
		if (!EXPECT(refused(b.data, len, -EBADMSG)))
			break;
	mls_bytes_free(&again);
	mlsc_group_free(h);
	h = NULL;

	/* the ended group alone, no pending ReInit */
	free(g->pending->reinit);
	g->pending->reinit = NULL;
	REQUIRE(mlsc_state_encode(g, 3, NULL, &again) == 0);
	EXPECT(again.data[5] == 2);
	mls_sig_key_free(key2);
	key2 = NULL;
	REQUIRE(mlsc_state_decode(again.data, again.len, &h, &id, &key2) == 0);
	EXPECT(h->reinit && h->pending && !h->pending->reinit);
	mls_bytes_free(&again);
	mlsc_group_free(h);
	h = NULL;

	/* a ReInit to a suite no one knows */
	REQUIRE(reinit_make(0x7777, "next", &bad, &bad_len) == 0);
	free(g->reinit);
	g->reinit = bad;
	g->reinit_len = bad_len;
	bad = NULL;
	REQUIRE(mlsc_state_encode(g, 3, NULL, &again) == 0);
	EXPECT(refused(again.data, again.len, -EBADMSG));
out:
	free(bad);
	mls_bytes_free(&b);
	mls_bytes_free(&again);
	mls_bytes_free(&plain);
	mlsc_group_free(g);
	mlsc_group_free(h);
	mls_sig_key_free(key);
	mls_sig_key_free(key2);
	return good;
}

/* States that encode but must not load: keys and tree that disagree. */
static bool inconsistent(uint16_t suite)
{
	struct mls_sig_key *key = NULL;
	struct mlsc_group *g = NULL;
	struct mls_bytes b = { 0 };
	uint8_t saved[MLSC_MAX_SK];
	bool good = true;
	uint64_t e;

	REQUIRE(group_make(suite, 1, true, &key, &g) == 0);
	/* the leaf's private key is not that of its public key */
	memcpy(saved, g->priv->leaf_sk, sizeof(saved));
	g->priv->leaf_sk[g->priv->leaf_sk_len - 1] ^= 1;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	memcpy(g->priv->leaf_sk, saved, sizeof(saved));
	/* a path secret that is not the node's */
	g->priv->path[0].secret[0] ^= 1;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	g->priv->path[0].secret[0] ^= 1;
	/* a path secret of a node off the direct path */
	g->priv->path[0].node ^= 4;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	g->priv->path[0].node ^= 4;
	/* an own leaf that is another's, or outside the tree */
	g->own_leaf = 1;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	g->own_leaf = 5;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	g->own_leaf = 0;
	/* a GroupContext whose tree hash is not the tree's */
	g->context[g->context_len - 3] ^= 1;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	g->context[g->context_len - 3] ^= 1;
	/* a pending commit that is not for the next epoch */
	e = g->pending->epoch;
	g->pending->epoch = e + 1;
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, -EBADMSG));
	mls_bytes_free(&b);
	g->pending->epoch = e;
	/* and back as it was, it loads */
	REQUIRE(mlsc_state_encode(g, 1, NULL, &b) == 0);
	EXPECT(refused(b.data, b.len, 0));
out:
	mls_bytes_free(&b);
	mlsc_group_free(g);
	mls_sig_key_free(key);
	return good;
}

static bool bad_args(void)
{
	struct mls_sig_key *key = NULL, *other = NULL, *k2 = NULL, *k3 = NULL;
	struct mlsc_keypkg_priv *kp = NULL, *back = NULL;
	struct mls_bytes b = { 0 }, init = { 0 }, enc = { 0 }, msg = { 0 };
	struct mls_bytes r1 = { 0 }, r2 = { 0 };
	struct mlsc_group *g = (void *)1;
	bool good = true;

	EXPECT(mlsc_group_save(NULL, NULL, &b) == -EINVAL && !b.data);
	EXPECT(mlsc_group_save(NULL, NULL, NULL) == -EINVAL);
	EXPECT(mlsc_group_load(-1, NULL, 0, &g, NULL) == -EINVAL && !g);
	EXPECT(mlsc_group_load(-1, "x", 1, NULL, NULL) == -EINVAL);
	EXPECT(mlsc_group_load(-1, "MLSm", 4, &g, &key) == -EBADMSG &&
	       !g && !key);
	/* well-formed bytes, and no kernel: its error, nothing kept */
	REQUIRE(group_make(1, 0, false, &key, &g) == 0);
	REQUIRE(mlsc_state_encode(g, 1, key, &b) == 0);
	mlsc_group_free(g);
	g = (void *)1;
	EXPECT(mlsc_group_load(-1, b.data, b.len, &g, &other) == -EBADF &&
	       !g && !other);
	/* a signature key of another scheme is not saved with a group */
	REQUIRE(mls_sig_key_generate(2, &other) == 0);
	REQUIRE(group_make(1, 0, false, &k2, &g) == 0);
	mls_bytes_free(&b);
	EXPECT(mlsc_state_encode(g, 1, other, &b) == -EINVAL && !b.data);
	/* a KeyPackage's private keys out and back */
	REQUIRE(kp_make(1, "carol", &k3, &kp) == 0);
	EXPECT(mlsc_keypkg_priv_export(NULL, &init, &enc) == -EINVAL);
	EXPECT(mlsc_keypkg_priv_export(kp, NULL, &enc) == -EINVAL);
	REQUIRE(mlsc_keypkg_priv_export(kp, &init, &enc) == 0);
	EXPECT(init.len == 32 && enc.len == 32);
	REQUIRE(mlsc_keypkg_serialize(kp->kp, &msg) == 0);
	REQUIRE(mlsc_keypkg_priv_import(msg.data, msg.len, init.data, init.len,
					enc.data, enc.len, &back) == 0);
	REQUIRE(mlsc_keypkg_priv_ref(kp, &r1) == 0);
	REQUIRE(mlsc_keypkg_priv_ref(back, &r2) == 0);
	EXPECT(same_bytes(r1.data, r1.len, r2.data, r2.len));
out:
	if (g != (void *)1)
		mlsc_group_free(g);
	mls_bytes_free(&b);
	mls_bytes_free(&init);
	mls_bytes_free(&enc);
	mls_bytes_free(&msg);
	mls_bytes_free(&r1);
	mls_bytes_free(&r2);
	mlsc_keypkg_priv_free(kp);
	mlsc_keypkg_priv_free(back);
	mls_sig_key_free(key);
	mls_sig_key_free(other);
	mls_sig_key_free(k2);
	mls_sig_key_free(k3);
	return good;
}

int main(void)
{
	for (uint16_t s = 1; s <= 7; s++) {
		tap_ok(round_trip(s, false, true), "suite %u: saved and loaded "
		       "back, the same member and key; saved again, the same "
		       "bytes", s);
		tap_ok(round_trip(s, true, false), "suite %u: with a pending "
		       "commit, without a signature key", s);
	}
	for (uint16_t s = 1; s <= 7; s += 3)
		tap_ok(malformed(s), "suite %u: every truncation, a byte more, "
		       "another magic, version or suite refused; every byte "
		       "flipped refused or loaded whole", s);
	tap_ok(reinit_kept(1), "an ended group, and a pending ReInit: version "
	       "2, loaded ended, saved again the same; version 1 without");
	tap_ok(inconsistent(1), "keys, own leaf, tree hash or pending epoch "
	       "that do not match: refused");
	tap_ok(bad_args(), "NULL arguments, no kernel, a key of another "
	       "scheme; KeyPackage private keys exported and imported back");
	return tap_done();
}
