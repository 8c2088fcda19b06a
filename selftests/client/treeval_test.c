// SPDX-License-Identifier: GPL-2.0
/*
 * Tree validation (userlib/client/tree_validate.c, leaf.c), on the host
 * under AddressSanitizer, LeakSanitizer and UBSan:
 *  - tree-validation.json: every case's tree validates completely
 *    against its group_id and root tree hash: parent hashes, every
 *    leaf's signature (LeafNodeTBS with group_id and leaf index),
 *    credentials, capabilities, unique keys;
 *  - the same trees tampered: a flipped leaf signature byte, a wrong
 *    tree hash, a bad unmerged leaf: -EBADMSG;
 *  - trees built here from fresh KeyPackage leaves, where one thing at
 *    a time is wrong: a shared signature key, a shared encryption key, a
 *    credential type another member does not support, a required
 *    capability missing, an expired lifetime, an X.509 credential;
 *  - external senders in the GroupContext (§5.3.1): their credentials
 *    judged with the tree, by the callback, and a malformed list.
 * Lifetimes are checked against a fixed "now": the vectors' leaves of
 * source key_package are valid from 2023-02-20 to 2024-02-20, so "now"
 * is 2023-11-14 for them, and 2025 must find them expired.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "keypkg.h"
#include "leaf.h"
#include "tap.h"
#include "tree_validate.h"
#include "vectors.h"

/* 2023-11-14, and 2025-01-01 */
static const struct mlsc_validate_opts vec_opts = { .now = 1700000000 };
static const struct mlsc_validate_opts vec_late = { .now = 1735689600 };

/* ---- tree-validation.json -------------------------------------------- */

static size_t sig_only_tampers;

static bool vector_case(json_t *c, size_t i)
{
	json_t *hashes = json_object_get(c, "tree_hashes");
	struct bytes tree = { 0 }, gid = { 0 }, th = { 0 };
	struct mlsc_slice g, h;
	struct mlsc_tree t = { 0 };
	uint64_t suite = 0;
	uint32_t root;
	bool good = true, parsed = false;
	int err;

	REQUIRE(!vec_get_u64(c, "cipher_suite", &suite));
	REQUIRE(!vec_get_hex(c, "tree", &tree));
	REQUIRE(!vec_get_hex(c, "group_id", &gid));
	REQUIRE(mlsc_tree_parse(&t, (uint16_t)suite, tree.data,
				tree.len) == 0);
	parsed = true;
	root = mlsc_tm_root(t.n_leaves);
	REQUIRE(json_array_size(hashes) == t.n_nodes);
	REQUIRE(!vec_unhex(json_string_value(json_array_get(hashes, root)),
			   &th));
	g = (struct mlsc_slice){ gid.data, gid.len };
	h = (struct mlsc_slice){ th.data, th.len };
	err = mlsc_tree_validate(&t, &g, &h, NULL, &vec_opts);
	if (!EXPECT(err == 0))
		tap_diag("case %zu: %s", i, strerror(-err));
	for (uint32_t l = 0; l < t.n_leaves; l++) {
		const struct mlsc_node *n = &t.nodes[mlsc_leaf_node(l)];

		if (n->type && n->leaf.source == MLSC_LEAF_SOURCE_KEY_PACKAGE) {
			EXPECT(mlsc_tree_validate(&t, &g, &h, NULL,
						  &vec_late) == -EKEYEXPIRED);
			break;
		}
	}

	/* another group's id: the signatures of update/commit leaves fail */
	for (uint32_t l = 0; l < t.n_leaves; l++) {
		const struct mlsc_node *n = &t.nodes[mlsc_leaf_node(l)];
		struct mlsc_slice other = { (const uint8_t *)"x", 1 };

		if (n->type && n->leaf.source != MLSC_LEAF_SOURCE_KEY_PACKAGE) {
			EXPECT(mlsc_tree_validate(&t, &other, &h, NULL,
						  &vec_opts) == -EBADMSG);
			break;
		}
	}
	/* a wrong tree hash */
	th.data[0] ^= 1;
	EXPECT(mlsc_tree_validate(&t, &g, &h, NULL, &vec_opts) == -EBADMSG);
	th.data[0] ^= 1;

	/*
	 * A flipped signature byte in each leaf in turn. When the parent
	 * hashes still hold (the leaf is in no copath subtree a parent hash
	 * covers), the signature alone must refuse the tree.
	 */
	for (uint32_t l = 0; l < t.n_leaves; l++) {
		struct mlsc_node *n = &t.nodes[mlsc_leaf_node(l)];
		uint8_t *s;

		if (!n->type)
			continue;
		s = (uint8_t *)n->leaf.signature.p;
		s[n->leaf.signature.len / 2] ^= 0x01;
		EXPECT(mlsc_tree_validate(&t, &g, NULL, NULL, &vec_opts) ==
		       -EBADMSG);
		EXPECT(mlsc_leaf_validate(t.suite, &n->leaf, 0, &g, l, NULL,
					  &vec_opts) == -EBADMSG);
		if (!mlsc_tree_verify_parent_hashes(&t))
			sig_only_tampers++;
		s[n->leaf.signature.len / 2] ^= 0x01;
	}
	EXPECT(mlsc_tree_validate(&t, &g, &h, NULL, &vec_opts) == 0);

	/* a bad unmerged leaf at the root, when the root is a parent */
	if (t.nodes[root].type == MLSC_NODE_PARENT) {
		struct mlsc_parent_node *p = &t.nodes[root].parent;
		struct mlsc_parent_node saved = *p;
		uint32_t bad[3] = { t.n_leaves, 0, 0 };
		uint32_t blank = t.n_leaves;

		for (uint32_t l = 0; l < t.n_leaves; l++)
			if (!t.nodes[mlsc_leaf_node(l)].type) {
				blank = l;
				break;
			}
		p->unmerged_leaves = bad;
		p->n_unmerged = 1;	/* outside the tree */
		EXPECT(mlsc_tree_validate(&t, &g, NULL, NULL, &vec_opts) ==
		       -EBADMSG);
		bad[1] = bad[0] = 0;
		p->n_unmerged = 2;	/* listed twice */
		EXPECT(mlsc_tree_validate(&t, &g, NULL, NULL, &vec_opts) ==
		       -EBADMSG);
		if (blank < t.n_leaves) {
			bad[0] = blank;
			p->n_unmerged = 1;	/* a blank leaf */
			EXPECT(mlsc_tree_validate(&t, &g, NULL, NULL,
						  &vec_opts) == -EBADMSG);
		}
		*p = saved;
	}
out:
	if (parsed)
		mlsc_tree_free(&t);
	bytes_free(&tree);
	bytes_free(&gid);
	bytes_free(&th);
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
		tap_ok(vector_case(c, i), "tree-validation.json case %zu: "
		       "validates completely; tampered copies fail", i);
	tap_ok(sig_only_tampers > 0, "a leaf signature flipped where the "
	       "parent hashes still hold is refused (%zu such leaves)",
	       sig_only_tampers);
	tap_diag("tree-validation.json: %zu cases validated",
		 json_array_size(root));
	json_decref(root);
}

/* ---- trees built from fresh leaves ----------------------------------- */

#define NOW	1700000000ULL
#define SUITE	2

struct member {
	struct mls_sig_key *key;
	struct mlsc_keypkg_priv *priv;
	struct mlsc_leaf_node leaf;	/* points into priv->kp */
};

static int member_new(struct member *m, struct mls_sig_key *key,
		      uint16_t cred_type, const uint16_t *cred_types,
		      size_t n_cred_types)
{
	static const uint8_t c0[] = { 0x30, 0x00 };
	const struct mlsc_cert cert = { c0, sizeof(c0) };
	struct mlsc_keypkg_params p = {
		.cipher_suite = SUITE,
		.credential = { .type = cred_type },
		.not_before = NOW - 10,
		.not_after = NOW + 10,
		.credential_types = cred_types,
		.n_credential_types = n_cred_types,
	};
	struct mls_bytes msg = { 0 };
	int err;

	memset(m, 0, sizeof(*m));
	if (cred_type == MLS_CREDENTIAL_X509) {
		p.credential.certs = &cert;
		p.credential.n_certs = 1;
	} else {
		p.credential.identity = "m";
		p.credential.identity_len = 1;
	}
	m->key = key;
	err = key ? 0 : mls_sig_key_generate(SUITE, &m->key);
	if (!err)
		err = mlsc_keypkg_create(&p, m->key, &msg, &m->priv);
	mls_bytes_free(&msg);
	if (!err)
		m->leaf = m->priv->kp->kp.leaf_node;
	return err;
}

static void member_free(struct member *m, bool own_key)
{
	mlsc_keypkg_priv_free(m->priv);
	if (own_key)
		mls_sig_key_free(m->key);
}

/* Re-sign @l (as a key_package leaf) with @key, the signature in @sig. */
static int resign(struct mlsc_leaf_node *l, const struct mls_sig_key *key,
		  uint8_t *sig)
{
	size_t len = MLS_SIGNATURE_MAX;
	struct mlsc_wbuf tbs;
	int err = mlsc_leaf_tbs(l, NULL, 0, &tbs);

	if (err)
		return err;
	err = mls_sign_with_label(key, "LeafNodeTBS", tbs.p, tbs.len, sig,
				  &len);
	mlsc_wbuf_free(&tbs);
	l->signature = (struct mlsc_slice){ sig, len };
	return err;
}

/* The tree [@a, blank, @b], validated. */
static int validate2(const struct mlsc_leaf_node *a,
		     const struct mlsc_leaf_node *b,
		     const struct mlsc_extensions *gc_ext,
		     const struct mlsc_validate_opts *opts)
{
	struct mlsc_node nodes[3] = {
		{ .type = MLSC_NODE_LEAF, .leaf = *a },
		{ .type = 0 },
		{ .type = MLSC_NODE_LEAF, .leaf = *b },
	};
	struct mlsc_ratchet_tree rt = { nodes, 3 };
	struct mlsc_slice g = { (const uint8_t *)"group", 5 };
	struct mlsc_wbuf w;
	struct mlsc_tree t;
	int err;

	err = MLSC_ENCODE(&rt, mlsc_io_ratchet_tree, &w);
	if (err)
		return err;
	err = mlsc_tree_parse(&t, SUITE, w.p, w.len);
	mlsc_wbuf_free(&w);
	if (err)
		return err;
	err = mlsc_tree_validate(&t, &g, NULL, gc_ext, opts);
	mlsc_tree_free(&t);
	return err;
}

static int accept_all(void *arg, const struct mlsc_cred *cred,
		      const void *sig_key, size_t sig_key_len, uint16_t suite)
{
	(void)arg;
	(void)cred;
	(void)sig_key;
	(void)sig_key_len;
	(void)suite;
	return 0;
}

static bool built(void)
{
	const uint16_t both[] = { MLS_CREDENTIAL_BASIC, MLS_CREDENTIAL_X509 };
	struct mlsc_validate_opts opts = { .now = NOW };
	struct mlsc_validate_opts cb = { .now = NOW,
					 .credential_cb = accept_all };
	struct mlsc_validate_opts late = { .now = NOW + 11 };
	struct member a = { 0 }, b = { 0 }, a2 = { 0 }, x = { 0 }, y = { 0 };
	/* required_capabilities { extension_types [0xff01], [], [] } */
	static const uint8_t rc[] = { 0x02, 0xff, 0x01, 0x00, 0x00 };
	const struct mlsc_extension rce = { MLSC_EXT_REQUIRED_CAPABILITIES,
					    { rc, sizeof(rc) } };
	const struct mlsc_extensions gc_ext = { (struct mlsc_extension *)&rce,
						1 };
	uint8_t sig[MLS_SIGNATURE_MAX];
	struct mlsc_leaf_node l;
	bool good = true;

	REQUIRE(member_new(&a, NULL, MLS_CREDENTIAL_BASIC, NULL, 0) == 0);
	REQUIRE(member_new(&b, NULL, MLS_CREDENTIAL_BASIC, NULL, 0) == 0);
	/* a second KeyPackage with a's signature key */
	REQUIRE(member_new(&a2, a.key, MLS_CREDENTIAL_BASIC, NULL, 0) == 0);
	REQUIRE(member_new(&x, NULL, MLS_CREDENTIAL_X509, both, 2) == 0);
	REQUIRE(member_new(&y, NULL, MLS_CREDENTIAL_BASIC, both, 2) == 0);

	EXPECT(validate2(&a.leaf, &b.leaf, NULL, &opts) == 0);
	EXPECT(validate2(&a.leaf, &a.leaf, NULL, &opts) == -EBADMSG);
	EXPECT(validate2(&a.leaf, &a2.leaf, NULL, &opts) == -EBADMSG);
	/* b's leaf with a's encryption key, signed by b all the same */
	l = b.leaf;
	l.encryption_key = a.leaf.encryption_key;
	REQUIRE(resign(&l, b.key, sig) == 0);
	EXPECT(validate2(&a.leaf, &l, NULL, &opts) == -EBADMSG);
	/* re-signed but otherwise untouched: resign() is sound */
	l = b.leaf;
	REQUIRE(resign(&l, b.key, sig) == 0);
	EXPECT(validate2(&a.leaf, &l, NULL, &opts) == 0);

	/* x (X.509) next to y, who supports it: with a callback only */
	EXPECT(validate2(&y.leaf, &x.leaf, NULL, &cb) == 0);
	EXPECT(validate2(&y.leaf, &x.leaf, NULL, &opts) == -EKEYREJECTED);
	/* next to a, who supports basic only */
	EXPECT(validate2(&a.leaf, &x.leaf, NULL, &cb) == -EOPNOTSUPP);

	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &opts) == -EOPNOTSUPP);
	EXPECT(validate2(&a.leaf, &b.leaf, NULL, &late) == -EKEYEXPIRED);
	late.flags = MLSC_VALIDATE_NO_LIFETIME;
	EXPECT(validate2(&a.leaf, &b.leaf, NULL, &late) == 0);
out:
	member_free(&a, true);
	member_free(&a2, false);
	member_free(&b, true);
	member_free(&x, true);
	member_free(&y, true);
	return good;
}

struct judged {
	size_t calls;
	uint16_t last_type;
	size_t last_key_len;
};

/* Refuse X.509 credentials, counting what is asked. */
static int refuse_x509(void *arg, const struct mlsc_cred *cred,
		       const void *sig_key, size_t sig_key_len, uint16_t suite)
{
	struct judged *j = arg;

	(void)sig_key;
	(void)suite;
	j->calls++;
	j->last_type = cred->type;
	j->last_key_len = sig_key_len;
	return cred->type == MLS_CREDENTIAL_X509 ? -EACCES : 0;
}

/* An external_senders extension of @n senders, X.509 from @first_x509. */
static int senders_ext(size_t n, size_t first_x509, struct mls_sig_key **keys,
		       struct mls_bytes *out)
{
	static const uint8_t c0[] = { 0x30, 0x00 };
	static const struct mlsc_cert cert = { c0, sizeof(c0) };
	struct mlsc_external_sender_spec v[2];

	for (size_t i = 0; i < n; i++) {
		v[i] = (struct mlsc_external_sender_spec){ .signature_key =
							   keys[i] };
		if (i >= first_x509)
			v[i].credential = (struct mlsc_cred){
				.type = MLS_CREDENTIAL_X509,
				.certs = &cert, .n_certs = 1 };
		else
			v[i].credential = (struct mlsc_cred){
				.type = MLS_CREDENTIAL_BASIC,
				.identity = "ds", .identity_len = 2 };
	}
	return mlsc_external_senders_encode(v, n, out);
}

static bool external_senders(void)
{
	struct member a = { 0 }, b = { 0 };
	struct mls_sig_key *keys[2] = { NULL, NULL };
	struct mls_bytes basic = { 0 }, mixed = { 0 };
	struct judged j = { 0 };
	struct mlsc_validate_opts cb = { .now = NOW,
					 .credential_cb = refuse_x509,
					 .credential_arg = &j };
	struct mlsc_validate_opts yes = { .now = NOW,
					  .credential_cb = accept_all };
	struct mlsc_validate_opts opts = { .now = NOW };
	struct mlsc_extension e = { .type = MLSC_EXT_EXTERNAL_SENDERS };
	struct mlsc_extensions gc_ext = { &e, 1 };
	struct mlsc_extension twice[2];
	static const uint8_t junk[] = { 0x05, 0x01 };
	bool good = true;

	REQUIRE(member_new(&a, NULL, MLS_CREDENTIAL_BASIC, NULL, 0) == 0);
	REQUIRE(member_new(&b, NULL, MLS_CREDENTIAL_BASIC, NULL, 0) == 0);
	REQUIRE(mls_sig_key_generate(SUITE, &keys[0]) == 0);
	REQUIRE(mls_sig_key_generate(SUITE, &keys[1]) == 0);
	REQUIRE(senders_ext(1, 1, keys, &basic) == 0);
	REQUIRE(senders_ext(2, 1, keys, &mixed) == 0);

	/* basic senders: accepted without a callback, asked with one */
	e.data = (struct mlsc_slice){ basic.data, basic.len };
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &opts) == 0);
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &cb) == 0);
	/* two leaves and one sender, with the sender's key */
	EXPECT(j.calls == 3 && j.last_type == MLS_CREDENTIAL_BASIC &&
	       j.last_key_len == 65);	/* P-256, uncompressed */

	/* an X.509 sender: refused without a callback, else as judged */
	e.data = (struct mlsc_slice){ mixed.data, mixed.len };
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &opts) == -EKEYREJECTED);
	j.calls = 0;
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &cb) == -EACCES);
	EXPECT(j.calls == 4 && j.last_type == MLS_CREDENTIAL_X509);
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &yes) == 0);

	/* a list that does not parse, and the extension twice */
	e.data = (struct mlsc_slice){ junk, sizeof(junk) };
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &yes) == -EBADMSG);
	twice[0] = twice[1] = (struct mlsc_extension){
		MLSC_EXT_EXTERNAL_SENDERS, { basic.data, basic.len } };
	gc_ext = (struct mlsc_extensions){ twice, 2 };
	EXPECT(validate2(&a.leaf, &b.leaf, &gc_ext, &yes) == -EBADMSG);
out:
	mls_bytes_free(&basic);
	mls_bytes_free(&mixed);
	mls_sig_key_free(keys[0]);
	mls_sig_key_free(keys[1]);
	member_free(&a, true);
	member_free(&b, true);
	return good;
}

static void bad_args(void)
{
	struct mlsc_slice g = { (const uint8_t *)"g", 1 };
	struct mlsc_tree t = { 0 };

	tap_ok(mlsc_tree_validate(NULL, &g, NULL, NULL, NULL) == -EINVAL &&
	       mlsc_tree_validate(&t, &g, NULL, NULL, NULL) == -EINVAL,
	       "mlsc_tree_validate: NULL or empty tree: -EINVAL");
}

int main(void)
{
	vectors();
	tap_ok(built(), "built trees: duplicate signature and encryption "
	       "keys, credential types, required capabilities, lifetimes");
	tap_ok(external_senders(), "external senders' credentials: judged "
	       "by the callback with the tree, X.509 refused without one, a "
	       "malformed or repeated list refused");
	bad_args();
	return tap_done();
}
