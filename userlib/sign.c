// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Signature keys and SignWithLabel / VerifyWithLabel (RFC 9420 §5.1.2)
 * with OpenSSL 3: Ed25519 (suites 1, 3), ECDSA P-256 / SHA-256 (2),
 * Ed448 (4, 6), ECDSA P-521 / SHA-512 (5), ECDSA P-384 / SHA-384 (7).
 * ECDSA signatures are DER, as the RFC's vectors have them.
 *
 * OpenSSL's per-thread error queue is left as it was found: every entry
 * point sets a mark and pops back to it.
 */
#include <libmls.h>

#include "lib.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

struct scheme {
	int id;			/* MLS_SIG_* */
	const char *keytype;	/* OpenSSL key type */
	int nid;		/* ECDSA curve, else NID_undef */
	const char *group;	/* ECDSA curve name */
	const char *md;		/* ECDSA hash, NULL for EdDSA */
	size_t priv_len;
	size_t pub_len;
};

static const struct scheme schemes[] = {
	{ MLS_SIG_ED25519, "ED25519", NID_undef, NULL, NULL, 32, 32 },
	{ MLS_SIG_ECDSA_SECP256R1_SHA256, "EC", NID_X9_62_prime256v1,
	  SN_X9_62_prime256v1, "SHA256", 32, 65 },
	{ MLS_SIG_ED448, "ED448", NID_undef, NULL, NULL, 57, 57 },
	{ MLS_SIG_ECDSA_SECP521R1_SHA512, "EC", NID_secp521r1, SN_secp521r1,
	  "SHA512", 66, 133 },
	{ MLS_SIG_ECDSA_SECP384R1_SHA384, "EC", NID_secp384r1, SN_secp384r1,
	  "SHA384", 48, 97 },
};

struct mls_sig_key {
	const struct scheme *s;
	EVP_PKEY *pkey;
	int has_private;
};

/*
 * Around every use of OpenSSL: its per-thread error queue and errno are
 * left as they were found (OpenSSL sets errno, for instance while looking
 * for its configuration file).
 */
static int ossl_enter(void)
{
	int saved = errno;

	ERR_set_mark();
	return saved;
}

static int ossl_leave(int saved, int ret)
{
	ERR_pop_to_mark();
	errno = saved;
	return ret;
}

static const struct scheme *scheme_by_id(int id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++)
		if (schemes[i].id == id)
			return &schemes[i];
	return NULL;
}

static const struct scheme *scheme_of_suite(unsigned int suite)
{
	return scheme_by_id(mls_suite_signature_scheme(suite));
}

/* The scheme of a key OpenSSL decoded, or NULL if no suite uses it. */
static const struct scheme *scheme_of_pkey(EVP_PKEY *pkey)
{
	char group[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemes); i++) {
		const struct scheme *s = &schemes[i];

		if (!EVP_PKEY_is_a(pkey, s->keytype))
			continue;
		if (s->nid == NID_undef)
			return s;
		if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
						   group, sizeof(group), NULL) &&
		    strcmp(group, s->group) == 0)
			return s;
	}
	return NULL;
}

static int key_wrap(const struct scheme *s, EVP_PKEY *pkey, int has_private,
		    struct mls_sig_key **key)
{
	struct mls_sig_key *k = mls_calloc(1, sizeof(*k));

	if (!k) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	k->s = s;
	k->pkey = pkey;
	k->has_private = has_private;
	*key = k;
	return 0;
}

MLS_EXPORT void mls_sig_key_free(struct mls_sig_key *key)
{
	int saved;

	if (!key)
		return;
	saved = ossl_enter();
	/* OpenSSL wipes the key material it frees. */
	EVP_PKEY_free(key->pkey);
	explicit_bzero(key, sizeof(*key));
	free(key);
	ossl_leave(saved, 0);
}

MLS_EXPORT int mls_sig_key_scheme(const struct mls_sig_key *key)
{
	return key ? key->s->id : -EINVAL;
}

MLS_EXPORT int mls_sig_key_generate(unsigned int suite, struct mls_sig_key **key)
{
	const struct scheme *s = scheme_of_suite(suite);
	EVP_PKEY *pkey;
	int saved;

	if (!key)
		return -EINVAL;
	*key = NULL;
	if (!s)
		return -EINVAL;
	saved = ossl_enter();
	if (s->nid == NID_undef)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, s->keytype);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", s->group);
	if (!pkey)
		return ossl_leave(saved, -EOPNOTSUPP);
	return ossl_leave(saved, key_wrap(s, pkey, 1, key));
}

/* An ECDSA key from parameters: the curve, the public point, the scalar. */
static EVP_PKEY *ec_fromdata(const struct scheme *s, const uint8_t *pub,
			     size_t pub_len, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld || !ctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     s->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pub, pub_len) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) <= 0)
		pkey = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* The public point d·G of the scalar @d, uncompressed, into @pub. */
static int ec_public_of(const struct scheme *s, const BIGNUM *d, uint8_t *pub)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(s->nid);
	EC_POINT *pt = group ? EC_POINT_new(group) : NULL;
	BN_CTX *bn = BN_CTX_new();
	int ret = -EINVAL;

	if (!group || !pt || !bn) {
		ret = -ENOMEM;
		goto out;
	}
	/* 0 < d < n */
	if (BN_is_zero(d) || BN_is_negative(d) ||
	    BN_cmp(d, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	if (EC_POINT_mul(group, pt, d, NULL, NULL, bn) &&
	    EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
			       s->pub_len, bn) == s->pub_len)
		ret = 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	BN_CTX_free(bn);
	return ret;
}

static int import_raw(const struct scheme *s, int private, const uint8_t *buf,
		      size_t len, struct mls_sig_key **key)
{
	uint8_t pub[133];
	EVP_PKEY *pkey;
	BIGNUM *d;
	int ret;

	if (s->nid == NID_undef) {
		if (len != (private ? s->priv_len : s->pub_len))
			return -EINVAL;
		if (private)
			pkey = EVP_PKEY_new_raw_private_key_ex(NULL, s->keytype,
							       NULL, buf, len);
		else
			pkey = EVP_PKEY_new_raw_public_key_ex(NULL, s->keytype,
							      NULL, buf, len);
		return pkey ? key_wrap(s, pkey, private, key) : -EINVAL;
	}
	if (!private) {
		/* Uncompressed points only, as MLS uses them. */
		if (len != s->pub_len || buf[0] != 0x04)
			return -EINVAL;
		pkey = ec_fromdata(s, buf, len, NULL);
		return pkey ? key_wrap(s, pkey, 0, key) : -EINVAL;
	}
	/* A scalar may come without its leading zero bytes. */
	if (!len || len > s->priv_len)
		return -EINVAL;
	d = BN_secure_new();
	if (!d)
		return -ENOMEM;
	if (!BN_bin2bn(buf, (int)len, d)) {
		BN_clear_free(d);
		return -ENOMEM;
	}
	ret = ec_public_of(s, d, pub);
	if (ret) {
		BN_clear_free(d);
		return ret;
	}
	pkey = ec_fromdata(s, pub, s->pub_len, d);
	BN_clear_free(d);
	return pkey ? key_wrap(s, pkey, 1, key) : -EINVAL;
}

/* Never ask for a passphrase: an encrypted PEM key is refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

static int import_pem(unsigned int suite, int private, const void *buf,
		      size_t len, struct mls_sig_key **key)
{
	const struct scheme *s;
	EVP_PKEY *pkey;
	BIO *bio;

	if (len > INT32_MAX)
		return -EINVAL;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return -ENOMEM;
	if (private)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	else
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!pkey)
		return -EINVAL;
	s = scheme_of_pkey(pkey);
	if (!s || (suite && s->id != mls_suite_signature_scheme(suite))) {
		EVP_PKEY_free(pkey);
		return -EINVAL;
	}
	return key_wrap(s, pkey, private, key);
}

MLS_EXPORT int mls_sig_key_import(unsigned int suite, enum mls_key_format format,
				  const void *buf, size_t len,
				  struct mls_sig_key **key)
{
	const struct scheme *s = scheme_of_suite(suite);
	int ret, saved;

	if (!key)
		return -EINVAL;
	*key = NULL;
	if (!buf || !len || (suite && !s))
		return -EINVAL;
	saved = ossl_enter();
	switch (format) {
	case MLS_KEY_PRIVATE:
	case MLS_KEY_PUBLIC:
		ret = s ? import_raw(s, format == MLS_KEY_PRIVATE, buf, len, key) :
			  -EINVAL;
		break;
	case MLS_KEY_PEM_PRIVATE:
	case MLS_KEY_PEM_PUBLIC:
		ret = import_pem(suite, format == MLS_KEY_PEM_PRIVATE, buf, len, key);
		break;
	default:
		ret = -EINVAL;
	}
	return ossl_leave(saved, ret);
}

static int export_raw(const struct mls_sig_key *k, int private,
		      struct mls_bytes *out)
{
	const struct scheme *s = k->s;
	size_t len = private ? s->priv_len : s->pub_len;
	BIGNUM *d = NULL;
	int ok;

	if (mls_bytes_alloc(out, len))
		return -ENOMEM;
	if (s->nid == NID_undef && private)
		ok = EVP_PKEY_get_raw_private_key(k->pkey, out->data, &len);
	else if (s->nid == NID_undef)
		ok = EVP_PKEY_get_raw_public_key(k->pkey, out->data, &len);
	else if (!private)
		ok = EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY,
						     out->data, len, &len);
	else
		ok = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
		     BN_bn2binpad(d, out->data, (int)len) == (int)len;
	BN_clear_free(d);
	if (!ok || len != (private ? s->priv_len : s->pub_len)) {
		mls_bytes_free(out);
		return -EIO;
	}
	return 0;
}

static int export_pem(const struct mls_sig_key *k, int private,
		      struct mls_bytes *out)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *p;
	long n;
	int ok;

	if (!bio)
		return -ENOMEM;
	if (private)
		ok = PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_PUBKEY(bio, k->pkey);
	n = BIO_get_mem_data(bio, &p);
	if (!ok || n <= 0 || mls_bytes_alloc(out, (size_t)n)) {
		BIO_free(bio);
		return ok ? -ENOMEM : -EIO;
	}
	memcpy(out->data, p, (size_t)n);
	BIO_free(bio);
	return 0;
}

MLS_EXPORT int mls_sig_key_export(const struct mls_sig_key *key,
				  enum mls_key_format format,
				  struct mls_bytes *out)
{
	int private = format == MLS_KEY_PRIVATE || format == MLS_KEY_PEM_PRIVATE;
	int ret, saved;

	if (!out)
		return -EINVAL;
	out->data = NULL;
	out->len = 0;
	if (!key || format < MLS_KEY_PRIVATE || format > MLS_KEY_PEM_PUBLIC)
		return -EINVAL;
	if (private && !key->has_private)
		return -ENOKEY;
	saved = ossl_enter();
	if (format == MLS_KEY_PRIVATE || format == MLS_KEY_PUBLIC)
		ret = export_raw(key, private, out);
	else
		ret = export_pem(key, private, out);
	return ossl_leave(saved, ret);
}

/* SignContent = opaque label<V> ("MLS 1.0 " + Label) || opaque content<V> */
static int sign_content(const char *label, const void *content, size_t len,
			struct mls_bytes *out)
{
	static const char prefix[] = "MLS 1.0 ";
	size_t llen = strlen(label);
	struct mls_wbuf w;

	mls_wb_init(&w, 16 + llen + len);
	mls_wb_varint(&w, sizeof(prefix) - 1 + llen);
	mls_wb_raw(&w, prefix, sizeof(prefix) - 1);
	mls_wb_raw(&w, label, llen);
	mls_wb_vec(&w, content, len);
	return mls_wb_finish(&w, out);
}

MLS_EXPORT int mls_sign_with_label(const struct mls_sig_key *key, const char *label,
				   const void *content, size_t len, void *sig,
				   size_t *sig_len)
{
	struct mls_bytes tbs;
	EVP_MD_CTX *ctx;
	size_t need = 0;
	int ret, saved;

	if (!key || !label || (!content && len) || !sig_len || (!sig && *sig_len))
		return -EINVAL;
	if (!key->has_private)
		return -ENOKEY;
	ret = sign_content(label, content, len, &tbs);
	if (ret)
		return ret;
	saved = ossl_enter();
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		ret = -ENOMEM;
		goto out;
	}
	ret = -EIO;
	if (EVP_DigestSignInit_ex(ctx, NULL, key->s->md, NULL, NULL, key->pkey,
				  NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &need, tbs.data, tbs.len) != 1)
		goto out;
	if (*sig_len < need) {
		*sig_len = need;
		ret = -ENOSPC;
		goto out;
	}
	/* EdDSA contexts are one-shot: start again for the real thing. */
	if (EVP_DigestSignInit_ex(ctx, NULL, key->s->md, NULL, NULL, key->pkey,
				  NULL) != 1 ||
	    EVP_DigestSign(ctx, sig, &need, tbs.data, tbs.len) != 1)
		goto out;
	*sig_len = need;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	mls_bytes_free(&tbs);
	return ossl_leave(saved, ret);
}

MLS_EXPORT int mls_verify_with_label(const struct mls_sig_key *key,
				     const char *label, const void *content,
				     size_t len, const void *sig, size_t sig_len)
{
	struct mls_bytes tbs;
	EVP_MD_CTX *ctx;
	int ret, saved;

	if (!key || !label || (!content && len) || (!sig && sig_len))
		return -EINVAL;
	if (!sig_len)
		return -EBADMSG;
	ret = sign_content(label, content, len, &tbs);
	if (ret)
		return ret;
	saved = ossl_enter();
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		ret = -ENOMEM;
	} else if (EVP_DigestVerifyInit_ex(ctx, NULL, key->s->md, NULL, NULL,
					   key->pkey, NULL) != 1) {
		ret = -EIO;
	} else {
		/* 0 is a bad signature, < 0 a malformed one: both are bad. */
		ret = EVP_DigestVerify(ctx, sig, sig_len, tbs.data, tbs.len) == 1 ?
		      0 : -EBADMSG;
	}
	EVP_MD_CTX_free(ctx);
	mls_bytes_free(&tbs);
	return ossl_leave(saved, ret);
}
