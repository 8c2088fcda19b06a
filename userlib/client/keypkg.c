// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * KeyPackages (RFC 9420 §10): parse, serialize, validate (§10.1),
 * KeyPackageRef (§5.2), and the private keys kept for one.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "hpke.h"
#include "internal.h"
#include "kdf.h"
#include "keypkg.h"
#include "leaf.h"

/* MLSMessage: version and wire_format precede the KeyPackage. */
#define MSG_HEADER	4

MLSC_EXPORT void mlsc_keypkg_free(struct mlsc_keypkg *kp)
{
	if (!kp)
		return;
	mlsc_arena_free(&kp->arena);
	if (kp->bytes) {
		explicit_bzero(kp->bytes, kp->len);
		free(kp->bytes);
	}
	explicit_bzero(kp, sizeof(*kp));
	free(kp);
}

/* The X.509 chain of the leaf's credential as struct mlsc_cert. */
static int certs_of(struct mlsc_keypkg *kp)
{
	const struct mlsc_credential *c = &kp->kp.leaf_node.credential;

	if (c->type != MLSC_CREDENTIAL_X509)
		return 0;
	kp->certs = mlsc_arena_alloc(&kp->arena,
				     c->n_certs * sizeof(*kp->certs));
	if (!kp->certs)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_certs; i++) {
		kp->certs[i].data = c->certs[i].p;
		kp->certs[i].len = c->certs[i].len;
	}
	return 0;
}

int mlsc_keypkg_decode(const uint8_t *msg, size_t len,
		       struct mlsc_keypkg **out)
{
	struct mlsc_mls_message m;
	struct mlsc_keypkg *kp;
	int err;

	*out = NULL;
	kp = mlsc_calloc(1, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	mlsc_arena_init(&kp->arena);
	kp->bytes = mlsc_malloc(len);
	if (!kp->bytes) {
		free(kp);
		return -ENOMEM;
	}
	if (len)
		memcpy(kp->bytes, msg, len);
	kp->len = len;
	err = MLSC_DECODE(kp->bytes, len, &kp->arena, &m, mlsc_io_mls_message);
	if (!err && m.wire_format != MLSC_WIRE_KEY_PACKAGE)
		err = -EBADMSG;
	if (err) {
		mlsc_keypkg_free(kp);
		return err;
	}
	kp->kp = m.key_package;
	kp->raw.p = kp->bytes + MSG_HEADER;
	kp->raw.len = len - MSG_HEADER;
	err = certs_of(kp);
	if (err) {
		mlsc_keypkg_free(kp);
		return err;
	}
	*out = kp;
	return 0;
}

MLSC_EXPORT int mlsc_keypkg_parse(const void *msg, size_t len,
				  struct mlsc_keypkg **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!msg && len)
		return -EINVAL;
	return mlsc_keypkg_decode(msg, len, out);
}

MLSC_EXPORT int mlsc_keypkg_serialize(const struct mlsc_keypkg *kp,
				      struct mls_bytes *out)
{
	struct mlsc_mls_message m = {
		.version = MLSC_VERSION_MLS10,
		.wire_format = MLSC_WIRE_KEY_PACKAGE,
	};
	struct mlsc_wbuf w;
	int err;

	if (!kp || !out)
		return -EINVAL;
	out->data = NULL;
	out->len = 0;
	m.key_package = kp->kp;
	err = MLSC_ENCODE(&m, mlsc_io_mls_message, &w);
	if (err)
		return err;
	out->data = w.p;
	out->len = w.len;
	return 0;
}

MLSC_EXPORT int mlsc_keypkg_suite(const struct mlsc_keypkg *kp)
{
	return kp ? kp->kp.cipher_suite : -EINVAL;
}

MLSC_EXPORT int mlsc_keypkg_credential(const struct mlsc_keypkg *kp,
				       struct mlsc_cred *cred)
{
	const struct mlsc_credential *c;

	if (!kp || !cred)
		return -EINVAL;
	c = &kp->kp.leaf_node.credential;
	memset(cred, 0, sizeof(*cred));
	cred->type = c->type;
	if (c->type == MLSC_CREDENTIAL_BASIC) {
		cred->identity = c->identity.p;
		cred->identity_len = c->identity.len;
	} else {
		cred->certs = kp->certs;
		cred->n_certs = c->n_certs;
	}
	return 0;
}

int mlsc_keypkg_tbs(const struct mlsc_key_package *kp, struct mlsc_wbuf *out)
{
	struct mlsc_key_package tmp = *kp;
	struct mlsc_io io;
	int err;

	memset(out, 0, sizeof(*out));
	mlsc_io_writer(&io, out);
	mlsc_io_u16(&io, &tmp.version);
	mlsc_io_u16(&io, &tmp.cipher_suite);
	mlsc_io_opaque(&io, &tmp.init_key);
	mlsc_io_leaf_node(&io, &tmp.leaf_node);
	mlsc_io_extensions(&io, &tmp.extensions);
	err = mlsc_io_finish(&io);
	if (err)
		mlsc_wbuf_free(out);
	return err;
}

int mlsc_key_package_check(const struct mlsc_key_package *kp, uint16_t suite,
			   const struct mlsc_validate_opts *opts)
{
	const struct mlsc_suite *s = mlsc_suite_get(kp->cipher_suite);
	struct mlsc_hpke_suite hs;
	struct mlsc_wbuf tbs;
	int err;

	if (kp->version != MLSC_VERSION_MLS10 || !s ||
	    (suite && kp->cipher_suite != suite))
		return -EPROTONOSUPPORT;
	err = mlsc_keypkg_tbs(kp, &tbs);
	if (err)
		return err == -EINVAL ? -EBADMSG : err;
	err = mlsc_verify_with_label(kp->cipher_suite,
				     &kp->leaf_node.signature_key,
				     "KeyPackageTBS", tbs.p, tbs.len,
				     &kp->signature);
	mlsc_wbuf_free(&tbs);
	if (err)
		return err;
	if (mlsc_slice_eq(&kp->init_key, &kp->leaf_node.encryption_key))
		return -EBADMSG;
	err = mlsc_hpke_suite_mls(&hs, s);
	if (err)
		return err;
	if (mlsc_hpke_check_public_key(&hs, kp->init_key.p, kp->init_key.len) ||
	    mlsc_hpke_check_public_key(&hs, kp->leaf_node.encryption_key.p,
				       kp->leaf_node.encryption_key.len))
		return -EBADMSG;
	return mlsc_leaf_validate(kp->cipher_suite, &kp->leaf_node,
				  MLSC_LEAF_SOURCE_KEY_PACKAGE, NULL, 0, NULL,
				  opts);
}

MLSC_EXPORT int mlsc_keypkg_validate(const struct mlsc_keypkg *kp,
				     uint16_t suite,
				     const struct mlsc_validate_opts *opts)
{
	if (!kp)
		return -EINVAL;
	return mlsc_key_package_check(&kp->kp, suite, opts);
}

int mlsc_keypkg_ref_raw(const struct mlsc_keypkg *kp, uint8_t *out,
			size_t *len)
{
	const struct mlsc_suite *s = mlsc_suite_get(kp->kp.cipher_suite);
	int err;

	if (!s)
		return -EPROTONOSUPPORT;
	err = mlsc_ref_hash(s, "MLS 1.0 KeyPackage Reference", kp->raw.p,
			    kp->raw.len, out);
	if (!err)
		*len = s->nh;
	return err;
}

MLSC_EXPORT int mlsc_keypkg_ref(const struct mlsc_keypkg *kp,
				struct mls_bytes *ref)
{
	uint8_t buf[MLSC_MAX_HASH];
	size_t len;
	int err;

	if (!kp || !ref)
		return -EINVAL;
	ref->data = NULL;
	ref->len = 0;
	err = mlsc_keypkg_ref_raw(kp, buf, &len);
	return err ? err : mlsc_bytes_dup(ref, buf, len);
}

/* ------------------------------------------------------ the private keys */

void mlsc_keypkg_priv_erase_init(struct mlsc_keypkg_priv *priv)
{
	OPENSSL_cleanse(priv->init_sk, sizeof(priv->init_sk));
	priv->init_sk_len = 0;
}

int mlsc_keypkg_priv_take_enc(struct mlsc_keypkg_priv *priv, uint8_t *sk,
			      size_t *len)
{
	if (!priv->enc_sk_len)
		return -ENOKEY;
	if (*len < priv->enc_sk_len)
		return -ENOSPC;
	memcpy(sk, priv->enc_sk, priv->enc_sk_len);
	*len = priv->enc_sk_len;
	OPENSSL_cleanse(priv->enc_sk, sizeof(priv->enc_sk));
	priv->enc_sk_len = 0;
	return 0;
}

void mlsc_keypkg_priv_wipe(struct mlsc_keypkg_priv *priv)
{
	mlsc_keypkg_priv_erase_init(priv);
	OPENSSL_cleanse(priv->enc_sk, sizeof(priv->enc_sk));
	priv->enc_sk_len = 0;
}

bool mlsc_keypkg_priv_matches(const struct mlsc_keypkg_priv *priv,
			      const struct mlsc_slice *ref)
{
	struct mlsc_slice mine = { priv->ref, priv->ref_len };

	return mlsc_slice_eq(&mine, ref);
}

MLSC_EXPORT void mlsc_keypkg_priv_free(struct mlsc_keypkg_priv *priv)
{
	if (!priv)
		return;
	mlsc_keypkg_free(priv->kp);
	mlsc_keypkg_priv_wipe(priv);
	OPENSSL_cleanse(priv, sizeof(*priv));
	free(priv);
}

MLSC_EXPORT int mlsc_keypkg_priv_ref(const struct mlsc_keypkg_priv *priv,
				     struct mls_bytes *ref)
{
	if (!priv || !ref)
		return -EINVAL;
	return mlsc_bytes_dup(ref, priv->ref, priv->ref_len);
}

/*
 * @sk (@sk_len bytes) into @dst when it is the private key of @pk:
 * -EKEYREJECTED otherwise.
 */
static int take_key(const struct mlsc_hpke_suite *hs, const void *sk,
		    size_t sk_len, const struct mlsc_slice *pk, uint8_t *dst,
		    size_t *dst_len)
{
	uint8_t mine[MLSC_MAX_PK];
	size_t len = sizeof(mine);
	int err;

	if (sk_len > MLSC_MAX_SK)
		return -EKEYREJECTED;
	err = mlsc_hpke_public_key(hs, sk, sk_len, mine, &len);
	if (err == -ENOMEM)
		return err;
	if (err || len != pk->len || memcmp(mine, pk->p, len))
		return -EKEYREJECTED;
	memcpy(dst, sk, sk_len);
	*dst_len = sk_len;
	return 0;
}

int mlsc_keypkg_priv_new(struct mlsc_keypkg *kp, const uint8_t *init_sk,
			 size_t init_sk_len, const uint8_t *enc_sk,
			 size_t enc_sk_len, struct mlsc_keypkg_priv **out)
{
	struct mlsc_keypkg_priv *priv = mlsc_calloc(1, sizeof(*priv));
	int err;

	if (!priv) {
		mlsc_keypkg_free(kp);
		return -ENOMEM;
	}
	priv->kp = kp;
	priv->suite = kp->kp.cipher_suite;
	if (init_sk_len > MLSC_MAX_SK || enc_sk_len > MLSC_MAX_SK) {
		mlsc_keypkg_priv_free(priv);
		return -EINVAL;
	}
	if (init_sk_len)
		memcpy(priv->init_sk, init_sk, init_sk_len);
	priv->init_sk_len = init_sk_len;
	if (enc_sk_len)
		memcpy(priv->enc_sk, enc_sk, enc_sk_len);
	priv->enc_sk_len = enc_sk_len;
	err = mlsc_keypkg_ref_raw(kp, priv->ref, &priv->ref_len);
	if (err) {
		mlsc_keypkg_priv_free(priv);
		return err;
	}
	*out = priv;
	return 0;
}

MLSC_EXPORT int mlsc_keypkg_priv_import(const void *msg, size_t len,
					const void *init_priv,
					size_t init_priv_len,
					const void *enc_priv,
					size_t enc_priv_len,
					struct mlsc_keypkg_priv **out)
{
	struct mlsc_keypkg_priv *priv;
	struct mlsc_hpke_suite hs;
	struct mlsc_keypkg *kp;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if ((!msg && len) || !init_priv || (!enc_priv && enc_priv_len))
		return -EINVAL;
	err = mlsc_keypkg_decode(msg, len, &kp);
	if (err)
		return err;
	if (!mlsc_suite_get(kp->kp.cipher_suite)) {
		mlsc_keypkg_free(kp);
		return -EPROTONOSUPPORT;
	}
	err = mlsc_keypkg_priv_new(kp, NULL, 0, NULL, 0, &priv);
	if (err)
		return err;
	err = mlsc_hpke_suite_mls(&hs, mlsc_suite_get(priv->suite));
	if (!err)
		err = take_key(&hs, init_priv, init_priv_len, &kp->kp.init_key,
			       priv->init_sk, &priv->init_sk_len);
	if (!err && enc_priv)
		err = take_key(&hs, enc_priv, enc_priv_len,
			       &kp->kp.leaf_node.encryption_key, priv->enc_sk,
			       &priv->enc_sk_len);
	if (err) {
		mlsc_keypkg_priv_free(priv);
		return err;
	}
	*out = priv;
	return 0;
}

MLSC_EXPORT int mlsc_keypkg_priv_export(const struct mlsc_keypkg_priv *priv,
					struct mls_bytes *init_priv,
					struct mls_bytes *enc_priv)
{
	int err;

	if (!init_priv || !enc_priv)
		return -EINVAL;
	memset(init_priv, 0, sizeof(*init_priv));
	memset(enc_priv, 0, sizeof(*enc_priv));
	if (!priv)
		return -EINVAL;
	if (!priv->init_sk_len)
		return -ENOKEY;
	err = mlsc_bytes_dup(init_priv, priv->init_sk, priv->init_sk_len);
	if (!err && priv->enc_sk_len)
		err = mlsc_bytes_dup(enc_priv, priv->enc_sk, priv->enc_sk_len);
	if (err)
		mls_bytes_free(init_priv);
	return err;
}
