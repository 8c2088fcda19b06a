// SPDX-License-Identifier: GPL-2.0
/*
 * Joining from a Welcome (RFC 9420 §12.4.3.1) with libmlsclient, the
 * epoch's secrets in the kernel. Built with AddressSanitizer and UBSan;
 * each test ends with a LeakSanitizer check of its own (the harness's
 * children leave with _exit(2), past LSan's exit hook).
 *
 *  vectors.welcome              welcome.json, every case: the GroupSecrets
 *                               decrypt with init_priv, the GroupInfo
 *                               opens and verifies with signer_pub, its
 *                               confirmation_tag verifies in the kernel
 *  vectors.passive_client_welcome
 *                               passive-client-welcome.json, every case:
 *                               joined through the kernel (external PSKs
 *                               given), the kernel's epoch_authenticator
 *                               is initial_epoch_authenticator
 *  bad.*                        a Welcome for someone else, tampered
 *                               GroupSecrets, a bad GroupInfo signature,
 *                               a bad confirmation_tag, a tree that fails
 *                               validation, a wrong leaf key, a missing
 *                               PSK: each its errno, and no group and no
 *                               staged-join fd left behind
 *  fuzz.welcome                 every truncation and random bit flips of
 *                               a valid Welcome, 10,000 at least
 *  vectors.secrets_wiped        a group handle's private keys are wiped
 *
 * The vectors come from $MLS_VECTORS (default /mls/vectors); a case that
 * cannot run fails.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/lsan_interface.h>

#include <libmls.h>
#include <mls_client.h>

#include "client_util.h"
#include "group.h"
#include "hpke.h"
#include "kdf.h"
#include "kselftest_harness.h"
#include "vectors.h"
#include "wire.h"

#define FUZZ_MIN	10000

/* ---- vectors ------------------------------------------------------------ */

FIXTURE(vectors) {
	int unused;
};

FIXTURE_SETUP(vectors)
{
}

FIXTURE_TEARDOWN(vectors)
{
}

TEST_F_TIMEOUT(vectors, welcome, 300)
{
	json_t *root = vec_load("welcome.json");
	size_t ran = 0, per_suite[8] = { 0 };
	int ctl = mls_open(0);

	ASSERT_NE(NULL, root);
	ASSERT_LE(0, ctl);
	ASSERT_LT(0, json_array_size(root));
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *v = json_array_get(root, i);
		struct bytes kp, priv, pub, welcome;
		struct mls_sig_key *signer = NULL;
		struct mlsc_welcome_keys k = { 0 };
		struct mlsc_joiner *w = NULL;
		long groups = group_count(ctl);
		uint64_t suite = 0;

		ASSERT_EQ(0, vec_get_u64(v, "cipher_suite", &suite));
		ASSERT_EQ(0, vec_get_hex(v, "key_package", &kp));
		ASSERT_EQ(0, vec_get_hex(v, "init_priv", &priv));
		ASSERT_EQ(0, vec_get_hex(v, "signer_pub", &pub));
		ASSERT_EQ(0, vec_get_hex(v, "welcome", &welcome));
		ASSERT_EQ(0, mls_sig_key_import(suite, MLS_KEY_PUBLIC, pub.data,
						pub.len, &signer));
		k.key_package = kp.data;
		k.key_package_len = kp.len;
		k.init_priv = priv.data;
		k.init_priv_len = priv.len;
		EXPECT_EQ(0, mlsc_welcome_open(ctl, welcome.data, welcome.len,
					       &k, &w)) {
			TH_LOG("welcome.json case %zu (suite %u)", i,
			       (unsigned int)suite);
		}
		if (w)
			EXPECT_EQ(0, mlsc_welcome_check(w, signer)) {
				TH_LOG("welcome.json case %zu (suite %u)", i,
				       (unsigned int)suite);
			}
		/* the check's group is gone, its staged join used up */
		if (w)
			EXPECT_EQ(-EALREADY, mlsc_welcome_check(w, signer));
		EXPECT_EQ(groups, group_count(ctl));
		if (!_metadata->passed)
			break;
		ran++;
		per_suite[suite & 7]++;
		mlsc_welcome_free(w);
		mls_sig_key_free(signer);
		bytes_free(&kp);
		bytes_free(&priv);
		bytes_free(&pub);
		bytes_free(&welcome);
	}
	ksft_print_msg("welcome.json: %zu of %zu cases ran (suites 1-7: %zu %zu %zu %zu %zu %zu %zu)\n",
		       ran, json_array_size(root), per_suite[1], per_suite[2],
		       per_suite[3], per_suite[4], per_suite[5], per_suite[6],
		       per_suite[7]);
	EXPECT_EQ(json_array_size(root), ran);
	json_decref(root);
	close(ctl);
	EXPECT_EQ(0, leaks());
}

TEST_F_TIMEOUT(vectors, passive_client_welcome, 600)
{
	json_t *root = vec_load("passive-client-welcome.json");
	size_t ran = 0, with_psk = 0, with_tree = 0, with_path = 0;
	int ctl = mls_open(0);

	ASSERT_NE(NULL, root);
	ASSERT_LE(0, ctl);
	ASSERT_LT(0, json_array_size(root));
	for (size_t i = 0; i < json_array_size(root); i++) {
		struct join_case c;
		struct mlsc_join_args a;
		struct mlsc_group *g = NULL;
		long groups = group_count(ctl);
		int fds = fd_count();

		ASSERT_EQ(0, passive_case(json_array_get(root, i), &c));
		a = case_args(&c);
		EXPECT_EQ(0, join(ctl, &c, c.welcome.data, c.welcome.len, &a,
				  &g)) {
			TH_LOG("passive-client-welcome.json case %zu (suite %u)",
			       i, c.suite);
		}
		if (g) {
			EXPECT_TRUE(auth_ok(g, &c)) {
				TH_LOG("case %zu: epoch_authenticator differs", i);
			}
			EXPECT_EQ(groups + 1, group_count(ctl));
			if (g->n_keys > 1)
				with_path++;
			EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(g)));
		}
		mlsc_group_free(g);
		EXPECT_EQ(groups, group_count(ctl));
		EXPECT_EQ(fds, fd_count());
		if (_metadata->passed) {
			ran++;
			with_psk += c.n_psks != 0;
			with_tree += c.tree.len != 0;
		}
		case_free(&c);
		if (!_metadata->passed)
			break;
	}
	ksft_print_msg("passive-client-welcome.json: %zu of %zu cases ran (%zu with external PSKs, %zu with the tree given apart, %zu with a path secret)\n",
		       ran, json_array_size(root), with_psk, with_tree,
		       with_path);
	EXPECT_EQ(json_array_size(root), ran);
	json_decref(root);
	close(ctl);
	EXPECT_EQ(0, leaks());
}

/* ---- bad input ---------------------------------------------------------- */

/* The @nth passive-client-welcome.json case of @suite with or without
 * the tree given apart and PSKs. */
static int find_case(unsigned int suite, bool tree_apart, bool psk,
		     struct join_case *c)
{
	json_t *root = vec_load("passive-client-welcome.json");
	int err = -1;

	if (!root)
		return -1;
	for (size_t i = 0; i < json_array_size(root) && err; i++) {
		json_t *v = json_array_get(root, i);
		uint64_t s;

		if (vec_get_u64(v, "cipher_suite", &s) || s != suite)
			continue;
		if (passive_case(v, c)) {
			case_free(c);
			break;
		}
		if ((c->tree.len != 0) == tree_apart &&
		    (c->n_psks != 0) == psk)
			err = 0;
		else
			case_free(c);
	}
	json_decref(root);
	return err;
}

FIXTURE(bad) {
	int ctl;
	long groups;
	int fds;
	struct join_case c;
	struct mlsc_join_args a;
};

FIXTURE_SETUP(bad)
{
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, find_case(1, false, false, &self->c));
	self->a = case_args(&self->c);
	self->groups = group_count(self->ctl);
	self->fds = fd_count();
}

FIXTURE_TEARDOWN(bad)
{
	/* nothing stayed: no group, no staged join's fd */
	EXPECT_EQ(self->groups, group_count(self->ctl));
	EXPECT_EQ(self->fds, fd_count());
	case_free(&self->c);
	close(self->ctl);
	EXPECT_EQ(0, leaks());
}

TEST_F(bad, someone_else)
{
	struct join_case other;
	struct mlsc_group *g;

	/* another case's Welcome of the same suite: not for this KeyPackage */
	ASSERT_EQ(0, find_case(1, true, false, &other));
	EXPECT_EQ(-ENOKEY, join(self->ctl, &self->c, other.welcome.data,
				other.welcome.len, &self->a, &g));
	EXPECT_EQ(NULL, g);
	case_free(&other);
}

/* The Welcome's parts: the EncryptedGroupSecrets for @c, and the rest. */
struct parts {
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	size_t mine;
	uint8_t gs[512];
	size_t gs_len;
	struct mlsc_group_secrets s;
	uint8_t gi[8192];
	size_t gi_len;
	uint8_t key[32], nonce[12];
	struct mlsc_key_package kp;
};

static int parts_open(const struct join_case *c, struct parts *p)
{
	const struct mlsc_suite *s = mlsc_suite_get(c->suite);
	uint8_t ref[64], member[64], ws[64], zero[64] = { 0 };
	struct mlsc_mls_message km;
	struct mlsc_encrypted_group_secrets *e;
	struct mlsc_hpke_ctx ctx = { 0 };
	const uint8_t *kp = c->kp.data;
	size_t i, kp_len = c->kp.len;

	memset(p, 0, sizeof(*p));
	mlsc_arena_init(&p->arena);
	if (MLSC_DECODE(c->welcome.data, c->welcome.len, &p->arena, &p->m,
			mlsc_io_mls_message))
		return -1;
	if (MLSC_DECODE(kp, kp_len, &p->arena, &p->kp, mlsc_io_key_package)) {
		if (MLSC_DECODE(kp, kp_len, &p->arena, &km,
				mlsc_io_mls_message) ||
		    km.wire_format != MLSC_WIRE_KEY_PACKAGE)
			return -1;
		p->kp = km.key_package;
		kp += 4;
		kp_len -= 4;
	}
	if (mlsc_ref_hash(s, "MLS 1.0 KeyPackage Reference", kp, kp_len, ref))
		return -1;
	for (i = 0; i < p->m.welcome.n_secrets; i++)
		if (!memcmp(p->m.welcome.secrets[i].new_member.p, ref, s->nh))
			break;
	if (i == p->m.welcome.n_secrets)
		return -1;
	p->mine = i;
	e = &p->m.welcome.secrets[i];
	p->gs_len = sizeof(p->gs);
	if (mlsc_decrypt_with_label(s, c->init_priv.data, c->init_priv.len,
				    "Welcome", p->m.welcome.encrypted_group_info.p,
				    p->m.welcome.encrypted_group_info.len,
				    e->secrets.kem_output.p,
				    e->secrets.kem_output.len,
				    e->secrets.ciphertext.p,
				    e->secrets.ciphertext.len, p->gs, &p->gs_len) ||
	    MLSC_DECODE(p->gs, p->gs_len, &p->arena, &p->s,
			mlsc_io_group_secrets) || p->s.n_psks)
		return -1;
	/* no PSK: psk_secret is Nh zeros */
	if (mlsc_kdf_extract(s, p->s.joiner_secret.p, s->nh, zero, s->nh,
			     member) ||
	    mlsc_derive_secret(s, member, "welcome", ws) ||
	    mlsc_expand_with_label(s, ws, "key", NULL, 0, p->key, s->nk) ||
	    mlsc_expand_with_label(s, ws, "nonce", NULL, 0, p->nonce, s->nn))
		return -1;
	if (mlsc_hpke_suite_mls(&ctx.suite, s))
		return -1;
	memcpy(ctx.key, p->key, s->nk);
	memcpy(ctx.base_nonce, p->nonce, s->nn);
	p->gi_len = sizeof(p->gi);
	return mlsc_hpke_open(&ctx, NULL, 0,
			      p->m.welcome.encrypted_group_info.p,
			      p->m.welcome.encrypted_group_info.len, p->gi,
			      &p->gi_len) ? -1 : 0;
}

/*
 * The Welcome again with GroupInfo @gi (sealed under the same key),
 * into @out.
 */
static int parts_seal(const struct join_case *c, struct parts *p,
		      const uint8_t *gi, size_t gi_len, struct mlsc_wbuf *out)
{
	const struct mlsc_suite *s = mlsc_suite_get(c->suite);
	struct mlsc_hpke_ctx ctx = { 0 };
	struct mlsc_mls_message m = p->m;
	struct mlsc_encrypted_group_secrets *e;
	static uint8_t ct[8192 + 16], gs_ct[512 + 16], kem[160];
	size_t ct_len = sizeof(ct), gs_ct_len = sizeof(gs_ct);
	size_t kem_len = sizeof(kem);

	if (mlsc_hpke_suite_mls(&ctx.suite, s))
		return -1;
	memcpy(ctx.key, p->key, s->nk);
	memcpy(ctx.base_nonce, p->nonce, s->nn);
	if (mlsc_hpke_seal(&ctx, NULL, 0, gi, gi_len, ct, &ct_len))
		return -1;
	m.welcome.encrypted_group_info = (struct mlsc_slice){ ct, ct_len };
	/* the GroupSecrets are bound to encrypted_group_info: again */
	if (mlsc_encrypt_with_label(s, p->kp.init_key.p, p->kp.init_key.len,
				    "Welcome", ct, ct_len, p->gs, p->gs_len,
				    kem, &kem_len, gs_ct, &gs_ct_len))
		return -1;
	e = &m.welcome.secrets[p->mine];
	e->secrets.kem_output = (struct mlsc_slice){ kem, kem_len };
	e->secrets.ciphertext = (struct mlsc_slice){ gs_ct, gs_ct_len };
	return MLSC_ENCODE(&m, mlsc_io_mls_message, out);
}

TEST_F(bad, tampered_group_secrets)
{
	struct mlsc_encrypted_group_secrets *e;
	struct mlsc_wbuf w = { 0 };
	struct mlsc_group *g;
	struct parts p;
	uint8_t *ct;

	ASSERT_EQ(0, parts_open(&self->c, &p));
	e = &p.m.welcome.secrets[p.mine];
	/* a bit of the ciphertext, then a bit of the kem_output */
	ct = (uint8_t *)e->secrets.ciphertext.p;
	ct[3] ^= 0x10;
	ASSERT_EQ(0, MLSC_ENCODE(&p.m, mlsc_io_mls_message, &w));
	EXPECT_EQ(-EBADMSG, join(self->ctl, &self->c, w.p, w.len, &self->a,
				 &g));
	mlsc_wbuf_free(&w);
	ct[3] ^= 0x10;
	((uint8_t *)e->secrets.kem_output.p)[0] ^= 0x01;
	ASSERT_EQ(0, MLSC_ENCODE(&p.m, mlsc_io_mls_message, &w));
	EXPECT_EQ(-EBADMSG, join(self->ctl, &self->c, w.p, w.len, &self->a,
				 &g));
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&p.arena);
}

TEST_F(bad, group_info_signature)
{
	struct mlsc_wbuf w = { 0 };
	struct mlsc_group *g;
	struct parts p;

	ASSERT_EQ(0, parts_open(&self->c, &p));
	/* the signature's last byte; the rest still opens and parses */
	p.gi[p.gi_len - 1] ^= 0x01;
	ASSERT_EQ(0, parts_seal(&self->c, &p, p.gi, p.gi_len, &w));
	EXPECT_EQ(-EKEYREJECTED, join(self->ctl, &self->c, w.p, w.len,
				      &self->a, &g));
	EXPECT_EQ(NULL, g);
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&p.arena);
}

/*
 * A GroupInfo whose confirmation_tag is wrong, signed again by a key
 * the test holds: the kernel refuses the tag and the group it made for
 * the check is destroyed.
 */
TEST_F(bad, confirmation_tag)
{
	struct mlsc_welcome_keys k = case_keys(&self->c);
	struct mls_sig_key *key = NULL;
	struct mlsc_wbuf tbs = { 0 }, gi = { 0 }, w = { 0 };
	struct mlsc_group_info info;
	struct mlsc_joiner *j = NULL;
	uint8_t sig[MLS_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct parts p;
	uint8_t *tag;

	ASSERT_EQ(0, parts_open(&self->c, &p));
	ASSERT_EQ(0, MLSC_DECODE(p.gi, p.gi_len, &p.arena, &info,
				 mlsc_io_group_info));
	tag = (uint8_t *)info.confirmation_tag.p;
	tag[0] ^= 0x80;
	ASSERT_EQ(0, mls_sig_key_generate(self->c.suite, &key));
	info.signature = (struct mlsc_slice){ NULL, 0 };
	ASSERT_EQ(0, MLSC_ENCODE(&info, mlsc_io_group_info, &tbs));
	/* GroupInfoTBS: all but the (empty) signature's length byte */
	ASSERT_EQ(0, mls_sign_with_label(key, "GroupInfoTBS", tbs.p,
					 tbs.len - 1, sig, &sig_len));
	info.signature = (struct mlsc_slice){ sig, sig_len };
	ASSERT_EQ(0, MLSC_ENCODE(&info, mlsc_io_group_info, &gi));
	ASSERT_EQ(0, parts_seal(&self->c, &p, gi.p, gi.len, &w));
	ASSERT_EQ(0, mlsc_welcome_open(self->ctl, w.p, w.len, &k, &j));
	EXPECT_EQ(-EBADMSG, mlsc_welcome_check(j, key));
	mlsc_welcome_free(j);

	/* the same with the tag as it was verifies: the test can fail */
	tag[0] ^= 0x80;
	mlsc_wbuf_free(&tbs);
	mlsc_wbuf_free(&gi);
	mlsc_wbuf_free(&w);
	info.signature = (struct mlsc_slice){ NULL, 0 };
	ASSERT_EQ(0, MLSC_ENCODE(&info, mlsc_io_group_info, &tbs));
	sig_len = sizeof(sig);
	ASSERT_EQ(0, mls_sign_with_label(key, "GroupInfoTBS", tbs.p,
					 tbs.len - 1, sig, &sig_len));
	info.signature = (struct mlsc_slice){ sig, sig_len };
	ASSERT_EQ(0, MLSC_ENCODE(&info, mlsc_io_group_info, &gi));
	ASSERT_EQ(0, parts_seal(&self->c, &p, gi.p, gi.len, &w));
	ASSERT_EQ(0, mlsc_welcome_open(self->ctl, w.p, w.len, &k, &j));
	EXPECT_EQ(0, mlsc_welcome_check(j, key));
	mlsc_welcome_free(j);
	mlsc_wbuf_free(&tbs);
	mlsc_wbuf_free(&gi);
	mlsc_wbuf_free(&w);
	mls_sig_key_free(key);
	mlsc_arena_free(&p.arena);
}

TEST_F(bad, tree)
{
	struct join_case c;
	struct mlsc_join_args a;
	struct mlsc_group *g;
	uint8_t *t;

	ASSERT_EQ(0, find_case(1, true, false, &c));
	a = case_args(&c);
	/* no tree at all */
	a.ratchet_tree = NULL;
	a.ratchet_tree_len = 0;
	EXPECT_EQ(-ENODATA, join(self->ctl, &c, c.welcome.data, c.welcome.len,
				 &a, &g));
	/* a byte of the last leaf changed: its hash is not the context's */
	a = case_args(&c);
	t = c.tree.data;
	t[c.tree.len - 1] ^= 0x01;
	EXPECT_EQ(-EPROTO, join(self->ctl, &c, c.welcome.data, c.welcome.len,
				&a, &g));
	t[c.tree.len - 1] ^= 0x01;
	/* truncated: malformed */
	a.ratchet_tree_len = c.tree.len - 1;
	EXPECT_EQ(-EBADMSG, join(self->ctl, &c, c.welcome.data, c.welcome.len,
				 &a, &g));
	/* as it is, it joins: the test can fail */
	a = case_args(&c);
	ASSERT_EQ(0, join(self->ctl, &c, c.welcome.data, c.welcome.len, &a,
			  &g));
	EXPECT_TRUE(auth_ok(g, &c));
	EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(g)));
	mlsc_group_free(g);
	case_free(&c);
}

TEST_F(bad, leaf_key)
{
	struct mlsc_group *g;

	/* not a bit X25519 clamps away */
	self->c.enc_priv.data[1] ^= 0x01;
	EXPECT_EQ(-EKEYREJECTED, join(self->ctl, &self->c,
				      self->c.welcome.data,
				      self->c.welcome.len, &self->a, &g));
	self->c.enc_priv.data[1] ^= 0x01;
}

TEST_F(bad, missing_psk)
{
	struct join_case c;
	struct mlsc_join_args a;
	struct mlsc_group *g;

	ASSERT_EQ(0, find_case(1, false, true, &c));
	a = case_args(&c);
	c.n_psks = 0;
	EXPECT_EQ(-ENOENT, join(self->ctl, &c, c.welcome.data, c.welcome.len,
				&a, &g));
	/* a wrong value: the GroupInfo does not open */
	c.n_psks = 1;
	c.psk[0].data[0] ^= 0x01;
	EXPECT_EQ(-EBADMSG, join(self->ctl, &c, c.welcome.data, c.welcome.len,
				 &a, &g));
	c.psk[0].data[0] ^= 0x01;
	case_free(&c);
}

TEST_F(bad, arguments)
{
	struct mlsc_welcome_keys k = case_keys(&self->c);
	struct mlsc_joiner *w = NULL;
	struct mlsc_join_args a = self->a;
	struct mlsc_group *g = NULL, *g2 = NULL;

	EXPECT_EQ(-EINVAL, mlsc_welcome_open(self->ctl, self->c.welcome.data,
					     self->c.welcome.len, NULL, &w));
	EXPECT_EQ(-EBADF, mlsc_welcome_open(-1, self->c.welcome.data,
					    self->c.welcome.len, &k, &w));
	k.init_priv_len--;
	EXPECT_EQ(-EINVAL, mlsc_welcome_open(self->ctl, self->c.welcome.data,
					     self->c.welcome.len, &k, &w));
	k.init_priv_len++;
	ASSERT_EQ(0, mlsc_welcome_open(self->ctl, self->c.welcome.data,
				       self->c.welcome.len, &k, &w));
	a.flags = 1U << 7;
	EXPECT_EQ(-EINVAL, mlsc_welcome_join(w, &a, &g));
	a = self->a;
	ASSERT_EQ(0, mlsc_welcome_join(w, &a, &g));
	EXPECT_EQ(-EALREADY, mlsc_welcome_join(w, &a, &g2));
	EXPECT_EQ(NULL, g2);
	mlsc_welcome_free(w);
	EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(g)));
	mlsc_group_free(g);
	EXPECT_EQ(-EINVAL, mlsc_group_fd(NULL));
	EXPECT_EQ(-EINVAL, mlsc_group_own_leaf(NULL));
}

/* ---- fuzz --------------------------------------------------------------- */

/*
 * Every truncation and random bit flips (1 to 4 bits each) of a valid
 * Welcome whose tree is in its GroupInfo, until FUZZ_MIN mutations ran.
 * Each gets a clear errno, or, when the flip lands where it does not
 * matter to this member (another member's secrets), joins the same
 * epoch. After each, no group and no fd is left.
 */
FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, welcome, 900)
{
	static const int clear[] = { -EBADMSG, -ENOKEY, -EPROTO,
				     -EKEYREJECTED, -ENOENT, -EINVAL };
	size_t runs = 0, joined = 0, by_err[6] = { 0 };
	struct join_case c;
	struct mlsc_join_args a;
	int ctl = mls_open(0);
	struct timespec t0, t1;
	long groups;
	int fds;
	uint8_t *buf;

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, find_case(1, false, false, &c));
	a = case_args(&c);
	groups = group_count(ctl);
	fds = fd_count();
	buf = malloc(c.welcome.len);
	ASSERT_NE(NULL, buf);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	srandom(0x9420);
	for (size_t i = 0; runs < FUZZ_MIN || i <= c.welcome.len; i++) {
		struct mlsc_group *g = NULL;
		size_t len = c.welcome.len;
		int err, k;

		memcpy(buf, c.welcome.data, len);
		if (i < c.welcome.len) {
			len = i;	/* every truncation */
		} else {
			int bits = 1 + random() % 4;

			for (k = 0; k < bits; k++) {
				size_t bit = random() % (len * 8);

				buf[bit / 8] ^= 1U << (bit % 8);
			}
		}
		err = join(ctl, &c, buf, len, &a, &g);
		runs++;
		if (!err) {
			joined++;
			EXPECT_TRUE(auth_ok(g, &c));
			EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(g)));
			mlsc_group_free(g);
		} else {
			for (k = 0; k < 6 && clear[k] != err; k++)
				;
			EXPECT_LT(k, 6) {
				TH_LOG("mutation %zu: %d", i, err);
			}
			if (k < 6)
				by_err[k]++;
		}
		EXPECT_EQ(groups, group_count(ctl));
		EXPECT_EQ(fds, fd_count());
		if (!_metadata->passed)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ksft_print_msg("fuzz: %.1f s\n", (double)(t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ksft_print_msg("fuzz: %zu mutations of a %zu-byte Welcome (%zu truncations): EBADMSG %zu, ENOKEY %zu, EPROTO %zu, EKEYREJECTED %zu, ENOENT %zu, EINVAL %zu, joined %zu\n",
		       runs, c.welcome.len, c.welcome.len, by_err[0], by_err[1],
		       by_err[2], by_err[3], by_err[4], by_err[5], joined);
	EXPECT_LE(FUZZ_MIN, runs);
	free(buf);
	case_free(&c);
	close(ctl);
	EXPECT_EQ(0, leaks());
}

/* ---- secrets ------------------------------------------------------------ */

/* A joined member's private keys (its leaf's, a path secret's) are wiped. */
TEST_F_TIMEOUT(vectors, secrets_wiped, 600)
{
	json_t *root = vec_load("passive-client-welcome.json");
	size_t checked = 0;
	int ctl = mls_open(0);

	ASSERT_NE(NULL, root);
	ASSERT_LE(0, ctl);
	for (size_t i = 0; i < json_array_size(root); i++) {
		struct join_case c;
		struct mlsc_join_args a;
		struct mlsc_group *g = NULL;
		static const uint8_t zero[sizeof(g->keys[0].sk)];

		ASSERT_EQ(0, passive_case(json_array_get(root, i), &c));
		a = case_args(&c);
		ASSERT_EQ(0, join(ctl, &c, c.welcome.data, c.welcome.len, &a,
				  &g));
		ASSERT_LE(1, g->n_keys);
		/* the leaf's key is the one given (padded to Nsk) */
		ASSERT_LE(c.enc_priv.len, g->keys[0].len);
		EXPECT_EQ(0, memcmp(g->keys[0].sk + g->keys[0].len -
				    c.enc_priv.len, c.enc_priv.data,
				    c.enc_priv.len));
		for (size_t j = 0; j < g->n_keys; j++)
			EXPECT_NE(0, memcmp(g->keys[j].sk, zero,
					    g->keys[j].len));
		mlsc_group_wipe_keys(g);
		for (size_t j = 0; j < g->n_keys; j++)
			EXPECT_EQ(0, memcmp(g->keys[j].sk, zero,
					    sizeof(zero)));
		checked += g->n_keys;
		EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(g)));
		mlsc_group_free(g);
		case_free(&c);
	}
	ksft_print_msg("%zu private keys of %zu members wiped\n", checked,
		       json_array_size(root));
	json_decref(root);
	close(ctl);
	EXPECT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
