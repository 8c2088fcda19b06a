// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * A new KeyPackage (RFC 9420 §10): fresh HPKE init and encryption key
 * pairs, a LeafNode of source key_package signed with the caller's
 * libmls signature key, the KeyPackage signed with it too.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "hpke.h"
#include "internal.h"
#include "keypkg.h"
#include "leaf.h"

static const uint16_t mls10[] = { MLSC_VERSION_MLS10 };

/* @n extensions from @in into @e, in @arena. */
static int take_exts(struct mlsc_arena *arena, const struct mlsc_ext *in,
		     size_t n, struct mlsc_extensions *e)
{
	if (n && !in)
		return -EINVAL;
	e->n = n;
	e->v = mlsc_arena_alloc(arena, n * sizeof(*e->v));
	if (!e->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (in[i].len && !in[i].data)
			return -EINVAL;
		e->v[i].type = in[i].type;
		e->v[i].data.p = in[i].data;
		e->v[i].data.len = in[i].len;
	}
	return 0;
}

int mlsc_cred_take(struct mlsc_arena *arena, const struct mlsc_cred *in,
		   struct mlsc_credential *c)
{
	c->type = in->type;
	switch (in->type) {
	case MLS_CREDENTIAL_BASIC:
		if (in->identity_len && !in->identity)
			return -EINVAL;
		c->identity.p = in->identity;
		c->identity.len = in->identity_len;
		return 0;
	case MLS_CREDENTIAL_X509:
		if (!in->n_certs || !in->certs)
			return -EINVAL;
		c->certs = mlsc_arena_alloc(arena,
					    in->n_certs * sizeof(*c->certs));
		if (!c->certs)
			return -ENOMEM;
		c->n_certs = in->n_certs;
		for (size_t i = 0; i < in->n_certs; i++) {
			if (!in->certs[i].data || !in->certs[i].len)
				return -EINVAL;
			c->certs[i].p = in->certs[i].data;
			c->certs[i].len = in->certs[i].len;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * A capabilities list: @v if given, else @def; copied into @arena (the
 * codec's writer stores each value back where it read it).
 */
static int take_list(struct mlsc_arena *arena, const uint16_t *v, size_t n,
		     const uint16_t *def, size_t n_def, uint16_t **out,
		     size_t *n_out)
{
	if (n && !v)
		return -EINVAL;
	if (!n) {
		v = def;
		n = n_def;
	}
	*out = mlsc_arena_alloc(arena, n * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	if (n)
		memcpy(*out, v, n * sizeof(**out));
	*n_out = n;
	return 0;
}

/* SignWithLabel(@key, @label, @tbs) into a slice of @arena. */
static int sign(const struct mls_sig_key *key, const char *label,
		const struct mlsc_wbuf *tbs, struct mlsc_arena *arena,
		struct mlsc_slice *sig)
{
	uint8_t *p = mlsc_arena_alloc(arena, MLS_SIGNATURE_MAX);
	size_t len = MLS_SIGNATURE_MAX;
	int err;

	if (!p)
		return -ENOMEM;
	err = mls_sign_with_label(key, label, tbs->p, tbs->len, p, &len);
	if (err)
		return err;
	sig->p = p;
	sig->len = len;
	return 0;
}

/*
 * The KeyPackage, signed, as an MLSMessage into @msg; @priv holds the
 * private keys (already generated).
 */
static int build(const struct mlsc_keypkg_params *prm,
		 const struct mls_sig_key *key, const struct mls_bytes *spub,
		 const uint8_t *init_pk, size_t init_pk_len,
		 const uint8_t *enc_pk, size_t enc_pk_len,
		 struct mlsc_arena *arena, struct mlsc_wbuf *msg)
{
	struct mlsc_mls_message m = {
		.version = MLSC_VERSION_MLS10,
		.wire_format = MLSC_WIRE_KEY_PACKAGE,
	};
	struct mlsc_key_package *kp = &m.key_package;
	struct mlsc_leaf_node *l = &kp->leaf_node;
	struct mlsc_capabilities *c = &l->capabilities;
	uint16_t own[2];
	struct mlsc_wbuf tbs;
	int err;

	own[0] = prm->cipher_suite;
	own[1] = prm->credential.type;
	kp->version = MLSC_VERSION_MLS10;
	kp->cipher_suite = prm->cipher_suite;
	kp->init_key = (struct mlsc_slice){ init_pk, init_pk_len };
	l->encryption_key = (struct mlsc_slice){ enc_pk, enc_pk_len };
	l->signature_key = (struct mlsc_slice){ spub->data, spub->len };
	l->source = MLSC_LEAF_SOURCE_KEY_PACKAGE;
	l->lifetime.not_before = prm->not_before;
	l->lifetime.not_after = prm->not_after;
	err = mlsc_cred_take(arena, &prm->credential, &l->credential);
	if (!err)
		err = take_list(arena, prm->versions, prm->n_versions, mls10, 1,
				&c->versions, &c->n_versions);
	if (!err)
		err = take_list(arena, prm->cipher_suites, prm->n_cipher_suites,
				&own[0], 1, &c->cipher_suites,
				&c->n_cipher_suites);
	if (!err)
		err = take_list(arena, prm->extension_types, prm->n_extension_types,
				NULL, 0, &c->extensions, &c->n_extensions);
	if (!err)
		err = take_list(arena, prm->proposal_types, prm->n_proposal_types,
				NULL, 0, &c->proposals, &c->n_proposals);
	if (!err)
		err = take_list(arena, prm->credential_types,
				prm->n_credential_types, &own[1], 1,
				&c->credentials, &c->n_credentials);
	if (!err)
		err = take_exts(arena, prm->leaf_extensions,
				prm->n_leaf_extensions, &l->extensions);
	if (!err)
		err = take_exts(arena, prm->extensions, prm->n_extensions,
				&kp->extensions);
	if (err)
		return err;

	err = mlsc_leaf_tbs(l, NULL, 0, &tbs);
	if (err)
		return err;
	err = sign(key, "LeafNodeTBS", &tbs, arena, &l->signature);
	mlsc_wbuf_free(&tbs);
	if (err)
		return err;
	err = mlsc_keypkg_tbs(kp, &tbs);
	if (err)
		return err;
	err = sign(key, "KeyPackageTBS", &tbs, arena, &kp->signature);
	mlsc_wbuf_free(&tbs);
	if (err)
		return err;
	return MLSC_ENCODE(&m, mlsc_io_mls_message, msg);
}

MLSC_EXPORT int mlsc_keypkg_create(const struct mlsc_keypkg_params *params,
				   const struct mls_sig_key *sig_key,
				   struct mls_bytes *msg,
				   struct mlsc_keypkg_priv **out)
{
	const struct mlsc_suite *s;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mls_bytes spub = { 0 };
	struct mlsc_hpke_suite hs;
	struct mlsc_arena arena;
	struct mlsc_keypkg *kp;
	uint8_t init_pk[MLSC_MAX_PK], enc_pk[MLSC_MAX_PK];
	uint8_t init_sk[MLSC_MAX_SK], enc_sk[MLSC_MAX_SK];
	size_t init_pk_len = sizeof(init_pk), enc_pk_len = sizeof(enc_pk);
	size_t init_sk_len = sizeof(init_sk), enc_sk_len = sizeof(enc_sk);
	struct mlsc_wbuf w = { 0 };
	int err;

	if (!msg || !out)
		return -EINVAL;
	msg->data = NULL;
	msg->len = 0;
	*out = NULL;
	if (!params || !sig_key)
		return -EINVAL;
	s = mlsc_suite_get(params->cipher_suite);
	if (!s)
		return -EPROTONOSUPPORT;
	if (mls_sig_key_scheme(sig_key) != s->sig_scheme)
		return -EINVAL;
	if (params->not_before > params->not_after)
		return -EINVAL;
	err = mlsc_hpke_suite_mls(&hs, s);
	if (err)
		return err;
	mlsc_arena_init(&arena);
	err = mlsc_hpke_generate_key_pair(&hs, init_sk, &init_sk_len, init_pk,
					  &init_pk_len);
	if (!err)
		err = mlsc_hpke_generate_key_pair(&hs, enc_sk, &enc_sk_len,
						  enc_pk, &enc_pk_len);
	if (!err)
		err = mls_sig_key_export(sig_key, MLS_KEY_PUBLIC, &spub);
	if (!err)
		err = build(params, sig_key, &spub, init_pk, init_pk_len,
			    enc_pk, enc_pk_len, &arena, &w);
	if (!err)
		err = mlsc_keypkg_decode(w.p, w.len, &kp);
	if (!err)
		err = mlsc_keypkg_priv_new(kp, init_sk, init_sk_len, enc_sk,
					   enc_sk_len, &priv);
	if (!err) {
		/* the buffer is the caller's now */
		msg->data = w.p;
		msg->len = w.len;
		w.p = NULL;
	}
	if (err) {
		mlsc_keypkg_priv_free(priv);
		priv = NULL;
	}
	*out = priv;
	OPENSSL_cleanse(init_sk, sizeof(init_sk));
	OPENSSL_cleanse(enc_sk, sizeof(enc_sk));
	mlsc_wbuf_free(&w);
	mls_bytes_free(&spub);
	mlsc_arena_free(&arena);
	return err;
}
