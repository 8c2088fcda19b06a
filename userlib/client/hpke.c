// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * HPKE (RFC 9180) mode_base on OpenSSL 3.0: DHKEM over EVP_PKEY (X25519,
 * X448, the NIST curves), HKDF over EVP_KDF, the AEADs over EVP_CIPHER;
 * then MLS's EncryptWithLabel and DecryptWithLabel (RFC 9420 §5.1.3).
 * See hpke.h for the conventions.
 */
#include "hpke.h"
#include "kdf.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#define HPKE_VERSION		"HPKE-v1"
#define HPKE_VERSION_LEN	7
#define KEM_SID_LEN		5	/* "KEM" || I2OSP(kem_id, 2) */
#define HPKE_SID_LEN		10	/* "HPKE" || kem || kdf || aead */
#define MLS_LABEL_PREFIX	"MLS 1.0 "
/* 255 rounds of HMAC at most (RFC 5869 §2.3) */
#define HKDF_MAX_ROUNDS		255

struct mlsc_hpke_kem {
	uint16_t id;
	const char *x_name;	/* "X25519", "X448"; NULL for the NIST curves */
	int nid;		/* the curve, NID_undef for X25519/X448 */
	const char *group;	/* its OpenSSL group name */
	const char *md;		/* the KEM's HKDF */
	size_t nsecret, npk, nsk;	/* Ndh = Nsk for these five */
	uint8_t bitmask;	/* DeriveKeyPair's mask of the first byte */
};

struct mlsc_hpke_kdf {
	uint16_t id;
	const char *md;
	size_t nh;
};

struct mlsc_hpke_aead {
	uint16_t id;
	const char *cipher;	/* NULL: export-only */
	size_t nk, nn;
};

static const struct mlsc_hpke_kem kems[] = {
	{ MLSC_KEM_P256, NULL, NID_X9_62_prime256v1, SN_X9_62_prime256v1,
	  "SHA256", 32, 65, 32, 0xff },
	{ MLSC_KEM_P384, NULL, NID_secp384r1, SN_secp384r1,
	  "SHA384", 48, 97, 48, 0xff },
	{ MLSC_KEM_P521, NULL, NID_secp521r1, SN_secp521r1,
	  "SHA512", 64, 133, 66, 0x01 },
	{ MLSC_KEM_X25519, "X25519", NID_undef, NULL,
	  "SHA256", 32, 32, 32, 0 },
	{ MLSC_KEM_X448, "X448", NID_undef, NULL,
	  "SHA512", 64, 56, 56, 0 },
};

static const struct mlsc_hpke_kdf kdfs[] = {
	{ MLSC_KDF_SHA256, "SHA256", 32 },
	{ MLSC_KDF_SHA384, "SHA384", 48 },
	{ MLSC_KDF_SHA512, "SHA512", 64 },
};

static const struct mlsc_hpke_aead aeads[] = {
	{ MLSC_AEAD_AES128GCM, "AES-128-GCM", 16, 12 },
	{ MLSC_AEAD_AES256GCM, "AES-256-GCM", 32, 12 },
	{ MLSC_AEAD_CHACHA20POLY1305, "ChaCha20-Poly1305", 32, 12 },
	{ MLSC_AEAD_EXPORT_ONLY, NULL, 0, 0 },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const struct mlsc_hpke_kem *find_kem(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(kems); i++)
		if (kems[i].id == id)
			return &kems[i];
	return NULL;
}

static const struct mlsc_hpke_kdf *find_kdf(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(kdfs); i++)
		if (kdfs[i].id == id)
			return &kdfs[i];
	return NULL;
}

static const struct mlsc_hpke_aead *find_aead(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(aeads); i++)
		if (aeads[i].id == id)
			return &aeads[i];
	return NULL;
}

int mlsc_hpke_suite_init(struct mlsc_hpke_suite *hs, uint16_t kem,
			 uint16_t kdf, uint16_t aead)
{
	hs->kem = find_kem(kem);
	hs->kdf = find_kdf(kdf);
	hs->aead = find_aead(aead);
	if (!hs->kem || !hs->kdf || !hs->aead)
		return -EOPNOTSUPP;
	return 0;
}

int mlsc_hpke_suite_mls(struct mlsc_hpke_suite *hs,
			const struct mlsc_suite *s)
{
	if (!s)
		return -EINVAL;
	return mlsc_hpke_suite_init(hs, s->kem, s->kdf, s->aead);
}

size_t mlsc_hpke_npk(const struct mlsc_hpke_suite *hs)
{
	return hs->kem->npk;
}

size_t mlsc_hpke_nsk(const struct mlsc_hpke_suite *hs)
{
	return hs->kem->nsk;
}

size_t mlsc_hpke_nsecret(const struct mlsc_hpke_suite *hs)
{
	return hs->kem->nsecret;
}

size_t mlsc_hpke_nh(const struct mlsc_hpke_suite *hs)
{
	return hs->kdf->nh;
}

size_t mlsc_hpke_nk(const struct mlsc_hpke_suite *hs)
{
	return hs->aead->nk;
}

size_t mlsc_hpke_nn(const struct mlsc_hpke_suite *hs)
{
	return hs->aead->nn;
}

/* ---- HKDF and the labeled forms (§4) ------------------------------------ */

/*
 * A fresh buffer of @head bytes, then "HPKE-v1" || suite_id || label ||
 * @in: the labeled input of §4. The caller frees it with
 * OPENSSL_clear_free (it may hold a secret).
 */
static uint8_t *labeled(size_t head, const uint8_t *sid, size_t sid_len,
			const char *label, const uint8_t *in, size_t in_len,
			size_t *len)
{
	size_t label_len = strlen(label), n;
	uint8_t *buf;

	if (in_len > SIZE_MAX / 2)
		return NULL;
	n = head + HPKE_VERSION_LEN + sid_len + label_len + in_len;
	buf = OPENSSL_malloc(n ? n : 1);
	if (!buf)
		return NULL;
	memcpy(buf + head, HPKE_VERSION, HPKE_VERSION_LEN);
	memcpy(buf + head + HPKE_VERSION_LEN, sid, sid_len);
	memcpy(buf + head + HPKE_VERSION_LEN + sid_len, label, label_len);
	if (in_len)
		memcpy(buf + n - in_len, in, in_len);
	*len = n;
	return buf;
}

/* LabeledExtract(salt, label, ikm): @nh bytes into @out. */
static int labeled_extract(const char *md, size_t nh, const uint8_t *sid,
			   size_t sid_len, const uint8_t *salt,
			   size_t salt_len, const char *label,
			   const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
	size_t n;
	uint8_t *buf = labeled(0, sid, sid_len, label, ikm, ikm_len, &n);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = mlsc_hkdf(md, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len,
		   buf, n, NULL, 0, out, nh);
	OPENSSL_clear_free(buf, n);
	return ret;
}

/* LabeledExpand(prk, label, info, L), @prk of @nh bytes. */
static int labeled_expand(const char *md, size_t nh, const uint8_t *sid,
			  size_t sid_len, const uint8_t *prk,
			  const char *label, const uint8_t *info,
			  size_t info_len, uint8_t *out, size_t out_len)
{
	uint8_t *buf;
	size_t n;
	int ret;

	if (!out_len || out_len > HKDF_MAX_ROUNDS * nh)
		return -EINVAL;
	buf = labeled(2, sid, sid_len, label, info, info_len, &n);
	if (!buf)
		return -ENOMEM;
	buf[0] = out_len >> 8;
	buf[1] = out_len & 0xff;
	ret = mlsc_hkdf(md, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, nh,
		   buf, n, out, out_len);
	OPENSSL_clear_free(buf, n);
	return ret;
}

static void kem_sid(const struct mlsc_hpke_kem *k, uint8_t sid[KEM_SID_LEN])
{
	memcpy(sid, "KEM", 3);
	sid[3] = k->id >> 8;
	sid[4] = k->id & 0xff;
}

static void hpke_sid(const struct mlsc_hpke_suite *hs,
		     uint8_t sid[HPKE_SID_LEN])
{
	memcpy(sid, "HPKE", 4);
	sid[4] = hs->kem->id >> 8;
	sid[5] = hs->kem->id & 0xff;
	sid[6] = hs->kdf->id >> 8;
	sid[7] = hs->kdf->id & 0xff;
	sid[8] = hs->aead->id >> 8;
	sid[9] = hs->aead->id & 0xff;
}

/* The KEM's own LabeledExtract and LabeledExpand (suite_id "KEM"...). */
static int kem_extract(const struct mlsc_hpke_kem *k, const char *label,
		       const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
	uint8_t sid[KEM_SID_LEN];

	kem_sid(k, sid);
	return labeled_extract(k->md, k->nsecret, sid, sizeof(sid), NULL, 0,
			       label, ikm, ikm_len, out);
}

static int kem_expand(const struct mlsc_hpke_kem *k, const uint8_t *prk,
		      const char *label, const uint8_t *info, size_t info_len,
		      uint8_t *out, size_t out_len)
{
	uint8_t sid[KEM_SID_LEN];

	kem_sid(k, sid);
	return labeled_expand(k->md, k->nsecret, sid, sizeof(sid), prk, label,
			      info, info_len, out, out_len);
}

/* ---- keys (§7.1) -------------------------------------------------------- */

/* An EC key from the point @pub and, for a key pair, the scalar @d. */
static EVP_PKEY *ec_key(const struct mlsc_hpke_kem *k, const BIGNUM *d,
			const uint8_t *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld || !ctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     k->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pub, k->npk) ||
	    (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	/* fromdata decodes the point: one off the curve fails here. */
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, d ? EVP_PKEY_KEYPAIR :
			      EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	/* The builder's copy of @d is in secure memory, cleared on free. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * DeserializePublicKey (§7.1.1) with validation: the length, and for the
 * NIST curves an uncompressed point on the curve (not the identity).
 */
static int public_key(const struct mlsc_hpke_kem *k, const uint8_t *pk,
		      size_t pk_len, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx;
	int ok;

	*out = NULL;
	if (!pk || pk_len != k->npk)
		return -EINVAL;
	if (k->x_name) {
		*out = EVP_PKEY_new_raw_public_key_ex(NULL, k->x_name, NULL,
						      pk, pk_len);
		return *out ? 0 : -EINVAL;
	}
	if (pk[0] != POINT_CONVERSION_UNCOMPRESSED)
		return -EINVAL;
	*out = ec_key(k, NULL, pk);
	if (!*out) {
		ERR_clear_error();
		return -EINVAL;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
	ok = ctx && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		EVP_PKEY_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

/*
 * The key pair of the serialized private key @sk: X25519 and X448 take
 * any Nsk bytes (the function clamps them); the NIST curves a big-endian
 * scalar in [1, n-1]. The serialized public key into @pub (Npk bytes).
 */
static int private_key(const struct mlsc_hpke_kem *k, const uint8_t *sk,
		       size_t sk_len, EVP_PKEY **out, uint8_t *pub)
{
	EC_GROUP *group = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *d = NULL;
	BN_CTX *bn = NULL;
	size_t len;
	int ret;

	*out = NULL;
	if (!sk || sk_len != k->nsk)
		return -EINVAL;
	if (k->x_name) {
		*out = EVP_PKEY_new_raw_private_key_ex(NULL, k->x_name, NULL,
						       sk, sk_len);
		len = k->npk;
		if (!*out)
			return -ENOMEM;
		if (EVP_PKEY_get_raw_public_key(*out, pub, &len) != 1 ||
		    len != k->npk) {
			EVP_PKEY_free(*out);
			*out = NULL;
			return -EIO;
		}
		return 0;
	}

	ret = -ENOMEM;
	group = EC_GROUP_new_by_curve_name(k->nid);
	pt = group ? EC_POINT_new(group) : NULL;
	d = BN_secure_new();
	bn = BN_CTX_secure_new();
	if (!group || !pt || !d || !bn)
		goto out;
	ret = -EINVAL;
	if (!BN_bin2bn(sk, (int)sk_len, d) || BN_is_zero(d) ||
	    BN_cmp(d, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	ret = -EIO;
	if (!EC_POINT_mul(group, pt, d, NULL, NULL, bn) ||
	    EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
			       k->npk, bn) != k->npk)
		goto out;
	*out = ec_key(k, d, pub);
	ret = *out ? 0 : -EIO;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	BN_clear_free(d);
	BN_CTX_free(bn);
	if (ret)
		ERR_clear_error();
	return ret;
}

/* DeriveKeyPair(@ikm) (§7.1.3): the serialized private key into @sk. */
static int derive_sk(const struct mlsc_hpke_kem *k, const uint8_t *ikm,
		     size_t ikm_len, uint8_t *sk)
{
	uint8_t prk[MLSC_MAX_HASH];
	EC_GROUP *group = NULL;
	BIGNUM *d = NULL;
	unsigned int counter;
	int ret;

	ret = kem_extract(k, "dkp_prk", ikm, ikm_len, prk);
	if (ret)
		goto out;
	if (k->x_name) {
		ret = kem_expand(k, prk, "sk", NULL, 0, sk, k->nsk);
		goto out;
	}

	ret = -ENOMEM;
	group = EC_GROUP_new_by_curve_name(k->nid);
	d = BN_secure_new();
	if (!group || !d)
		goto out;
	/* Rejection sampling: 256 tries, each of probability 2^-32 or less. */
	ret = -EIO;
	for (counter = 0; counter < 256; counter++) {
		uint8_t c = counter;

		ret = kem_expand(k, prk, "candidate", &c, 1, sk, k->nsk);
		if (ret)
			goto out;
		sk[0] &= k->bitmask;
		ret = -ENOMEM;
		if (!BN_bin2bn(sk, (int)k->nsk, d))
			goto out;
		ret = -EIO;
		if (!BN_is_zero(d) &&
		    BN_cmp(d, EC_GROUP_get0_order(group)) < 0) {
			ret = 0;
			break;
		}
	}
out:
	OPENSSL_cleanse(prk, sizeof(prk));
	EC_GROUP_free(group);
	BN_clear_free(d);
	if (ret)
		OPENSSL_cleanse(sk, k->nsk);
	return ret;
}

/* DeriveKeyPair(@ikm): the key pair, its serialized halves. */
static int derive_key_pair(const struct mlsc_hpke_kem *k, const uint8_t *ikm,
			   size_t ikm_len, EVP_PKEY **key, uint8_t *sk,
			   uint8_t *pub)
{
	int ret;

	*key = NULL;
	if (!ikm && ikm_len)
		return -EINVAL;
	ret = derive_sk(k, ikm, ikm_len, sk);
	if (!ret)
		ret = private_key(k, sk, k->nsk, key, pub);
	if (ret)
		OPENSSL_cleanse(sk, k->nsk);
	return ret;
}

/* DH(@key, @peer): Ndh (= Nsk) bytes into @out; all zero is refused. */
static int dh(const struct mlsc_hpke_kem *k, EVP_PKEY *key, EVP_PKEY *peer,
	      uint8_t *out)
{
	static const uint8_t zero[MLSC_MAX_SK];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	size_t len = k->nsk;
	int ret = -EINVAL;

	if (!ctx) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
	    EVP_PKEY_derive(ctx, out, &len) == 1 && len == k->nsk &&
	    CRYPTO_memcmp(out, zero, k->nsk) != 0)
		ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	if (ret) {
		OPENSSL_cleanse(out, k->nsk);
		ERR_clear_error();
	}
	return ret;
}

/* ExtractAndExpand(dh, kem_context) (§4.1): Nsecret bytes. */
static int extract_and_expand(const struct mlsc_hpke_kem *k, const uint8_t *dh,
			      const uint8_t *enc, const uint8_t *pk_r,
			      uint8_t *shared_secret)
{
	uint8_t prk[MLSC_MAX_HASH], kem_context[2 * MLSC_MAX_PK];
	int ret;

	memcpy(kem_context, enc, k->npk);
	memcpy(kem_context + k->npk, pk_r, k->npk);
	ret = kem_extract(k, "eae_prk", dh, k->nsk, prk);
	if (!ret)
		ret = kem_expand(k, prk, "shared_secret", kem_context,
				 2 * k->npk, shared_secret, k->nsecret);
	OPENSSL_cleanse(prk, sizeof(prk));
	return ret;
}

int mlsc_hpke_derive_key_pair(const struct mlsc_hpke_suite *hs,
			      const uint8_t *ikm, size_t ikm_len,
			      uint8_t *sk, size_t *sk_len,
			      uint8_t *pk, size_t *pk_len)
{
	const struct mlsc_hpke_kem *k = hs->kem;
	uint8_t pub[MLSC_MAX_PK];
	EVP_PKEY *key;
	int ret;

	if (*sk_len < k->nsk || *pk_len < k->npk)
		return -ENOSPC;
	ret = derive_key_pair(k, ikm, ikm_len, &key, sk, pub);
	EVP_PKEY_free(key);
	if (ret)
		return ret;
	memcpy(pk, pub, k->npk);
	*sk_len = k->nsk;
	*pk_len = k->npk;
	return 0;
}

int mlsc_hpke_generate_key_pair(const struct mlsc_hpke_suite *hs,
				uint8_t *sk, size_t *sk_len,
				uint8_t *pk, size_t *pk_len)
{
	uint8_t ikm[MLSC_MAX_SK];
	int ret;

	if (RAND_priv_bytes(ikm, (int)hs->kem->nsk) != 1)
		return -EIO;
	ret = mlsc_hpke_derive_key_pair(hs, ikm, hs->kem->nsk, sk, sk_len,
					pk, pk_len);
	OPENSSL_cleanse(ikm, sizeof(ikm));
	return ret;
}

int mlsc_hpke_public_key(const struct mlsc_hpke_suite *hs,
			 const uint8_t *sk, size_t sk_len,
			 uint8_t *pk, size_t *pk_len)
{
	uint8_t pub[MLSC_MAX_PK];
	EVP_PKEY *key;
	int ret;

	if (*pk_len < hs->kem->npk)
		return -ENOSPC;
	ret = private_key(hs->kem, sk, sk_len, &key, pub);
	EVP_PKEY_free(key);
	if (ret)
		return ret;
	memcpy(pk, pub, hs->kem->npk);
	*pk_len = hs->kem->npk;
	return 0;
}

int mlsc_hpke_check_public_key(const struct mlsc_hpke_suite *hs,
			       const uint8_t *pk, size_t pk_len)
{
	EVP_PKEY *key;
	int ret = public_key(hs->kem, pk, pk_len, &key);

	EVP_PKEY_free(key);
	return ret;
}

int mlsc_hpke_encap(const struct mlsc_hpke_suite *hs,
		    const uint8_t *pk_r, size_t pk_r_len,
		    const uint8_t *ikm_e, size_t ikm_e_len,
		    uint8_t *shared_secret, uint8_t *enc, size_t *enc_len)
{
	const struct mlsc_hpke_kem *k = hs->kem;
	uint8_t rnd[MLSC_MAX_SK], sk_e[MLSC_MAX_SK], d[MLSC_MAX_SK];
	uint8_t pk_e[MLSC_MAX_PK];
	EVP_PKEY *peer = NULL, *key = NULL;
	int ret;

	if (*enc_len < k->npk)
		return -ENOSPC;
	ret = public_key(k, pk_r, pk_r_len, &peer);
	if (ret)
		return ret;
	if (!ikm_e) {
		ret = -EIO;
		if (RAND_priv_bytes(rnd, (int)k->nsk) != 1)
			goto out;
		ikm_e = rnd;
		ikm_e_len = k->nsk;
	}
	ret = derive_key_pair(k, ikm_e, ikm_e_len, &key, sk_e, pk_e);
	if (ret)
		goto out;
	ret = dh(k, key, peer, d);
	if (ret)
		goto out;
	ret = extract_and_expand(k, d, pk_e, pk_r, shared_secret);
	if (ret)
		goto out;
	memcpy(enc, pk_e, k->npk);
	*enc_len = k->npk;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(sk_e, sizeof(sk_e));
	OPENSSL_cleanse(d, sizeof(d));
	EVP_PKEY_free(key);
	EVP_PKEY_free(peer);
	if (ret)
		OPENSSL_cleanse(shared_secret, k->nsecret);
	return ret;
}

int mlsc_hpke_decap(const struct mlsc_hpke_suite *hs,
		    const uint8_t *enc, size_t enc_len,
		    const uint8_t *sk_r, size_t sk_r_len,
		    uint8_t *shared_secret)
{
	const struct mlsc_hpke_kem *k = hs->kem;
	uint8_t d[MLSC_MAX_SK], pk_r[MLSC_MAX_PK];
	EVP_PKEY *peer = NULL, *key = NULL;
	int ret;

	ret = public_key(k, enc, enc_len, &peer);
	if (ret)
		return ret;
	ret = private_key(k, sk_r, sk_r_len, &key, pk_r);
	if (ret)
		goto out;
	ret = dh(k, key, peer, d);
	if (ret)
		goto out;
	ret = extract_and_expand(k, d, enc, pk_r, shared_secret);
out:
	OPENSSL_cleanse(d, sizeof(d));
	EVP_PKEY_free(key);
	EVP_PKEY_free(peer);
	if (ret)
		OPENSSL_cleanse(shared_secret, k->nsecret);
	return ret;
}

/* ---- the key schedule and the contexts (§5) ----------------------------- */

void mlsc_hpke_ctx_clear(struct mlsc_hpke_ctx *ctx)
{
	OPENSSL_cleanse(ctx, sizeof(*ctx));
}

/* KeySchedule(mode_base, shared_secret, info, "", "") (§5.1). */
static int key_schedule(struct mlsc_hpke_ctx *ctx,
			const struct mlsc_hpke_suite *hs,
			const uint8_t *shared_secret,
			const uint8_t *info, size_t info_len)
{
	const struct mlsc_hpke_kdf *f = hs->kdf;
	uint8_t sid[HPKE_SID_LEN], ksc[1 + 2 * MLSC_MAX_HASH];
	uint8_t secret[MLSC_MAX_HASH];
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ctx->suite = *hs;
	hpke_sid(hs, sid);
	ksc[0] = 0;	/* mode_base */
	ret = labeled_extract(f->md, f->nh, sid, sizeof(sid), NULL, 0,
			      "psk_id_hash", NULL, 0, ksc + 1);
	if (!ret)
		ret = labeled_extract(f->md, f->nh, sid, sizeof(sid), NULL, 0,
				      "info_hash", info, info_len,
				      ksc + 1 + f->nh);
	if (!ret)
		ret = labeled_extract(f->md, f->nh, sid, sizeof(sid),
				      shared_secret, hs->kem->nsecret,
				      "secret", NULL, 0, secret);
	if (!ret && hs->aead->cipher)
		ret = labeled_expand(f->md, f->nh, sid, sizeof(sid), secret,
				     "key", ksc, 1 + 2 * f->nh, ctx->key,
				     hs->aead->nk);
	if (!ret && hs->aead->cipher)
		ret = labeled_expand(f->md, f->nh, sid, sizeof(sid), secret,
				     "base_nonce", ksc, 1 + 2 * f->nh,
				     ctx->base_nonce, hs->aead->nn);
	if (!ret)
		ret = labeled_expand(f->md, f->nh, sid, sizeof(sid), secret,
				     "exp", ksc, 1 + 2 * f->nh,
				     ctx->exporter_secret, f->nh);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (ret)
		mlsc_hpke_ctx_clear(ctx);
	return ret;
}

static int setup_s(struct mlsc_hpke_ctx *ctx, const struct mlsc_hpke_suite *hs,
		   const uint8_t *pk_r, size_t pk_r_len,
		   const uint8_t *info, size_t info_len,
		   const uint8_t *ikm_e, size_t ikm_e_len,
		   uint8_t *enc, size_t *enc_len)
{
	uint8_t ss[MLSC_MAX_HASH];
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	if (!info && info_len)
		return -EINVAL;
	ret = mlsc_hpke_encap(hs, pk_r, pk_r_len, ikm_e, ikm_e_len, ss, enc,
			      enc_len);
	if (!ret)
		ret = key_schedule(ctx, hs, ss, info, info_len);
	OPENSSL_cleanse(ss, sizeof(ss));
	return ret;
}

int mlsc_hpke_setup_base_s(struct mlsc_hpke_ctx *ctx,
			   const struct mlsc_hpke_suite *hs,
			   const uint8_t *pk_r, size_t pk_r_len,
			   const uint8_t *info, size_t info_len,
			   uint8_t *enc, size_t *enc_len)
{
	return setup_s(ctx, hs, pk_r, pk_r_len, info, info_len, NULL, 0,
		       enc, enc_len);
}

int mlsc_hpke_setup_base_s_derand(struct mlsc_hpke_ctx *ctx,
				  const struct mlsc_hpke_suite *hs,
				  const uint8_t *pk_r, size_t pk_r_len,
				  const uint8_t *info, size_t info_len,
				  const uint8_t *ikm_e, size_t ikm_e_len,
				  uint8_t *enc, size_t *enc_len)
{
	if (!ikm_e) {
		memset(ctx, 0, sizeof(*ctx));
		return -EINVAL;
	}
	return setup_s(ctx, hs, pk_r, pk_r_len, info, info_len, ikm_e,
		       ikm_e_len, enc, enc_len);
}

int mlsc_hpke_setup_base_r(struct mlsc_hpke_ctx *ctx,
			   const struct mlsc_hpke_suite *hs,
			   const uint8_t *enc, size_t enc_len,
			   const uint8_t *sk_r, size_t sk_r_len,
			   const uint8_t *info, size_t info_len)
{
	uint8_t ss[MLSC_MAX_HASH];
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	if (!info && info_len)
		return -EINVAL;
	ret = mlsc_hpke_decap(hs, enc, enc_len, sk_r, sk_r_len, ss);
	if (!ret)
		ret = key_schedule(ctx, hs, ss, info, info_len);
	OPENSSL_cleanse(ss, sizeof(ss));
	return ret;
}

/* ComputeNonce(seq) (§5.2): base_nonce XOR I2OSP(seq, Nn). */
static void compute_nonce(const struct mlsc_hpke_ctx *ctx,
			  uint8_t nonce[MLSC_NONCE])
{
	size_t nn = ctx->suite.aead->nn, i;

	memcpy(nonce, ctx->base_nonce, nn);
	for (i = 0; i < sizeof(ctx->seq); i++)
		nonce[nn - 1 - i] ^= (uint8_t)(ctx->seq >> (8 * i));
}

/* One AEAD operation with the context's key and current nonce. */
static int aead(const struct mlsc_hpke_ctx *ctx, int enc,
		const uint8_t *aad, size_t aad_len,
		const uint8_t *in, size_t in_len, uint8_t *out, uint8_t *tag)
{
	const struct mlsc_hpke_aead *a = ctx->suite.aead;
	uint8_t nonce[MLSC_NONCE], fin[MLSC_TAG];
	EVP_CIPHER *cipher = NULL;
	EVP_CIPHER_CTX *c = NULL;
	int len, ret = -ENOMEM;

	if (aad_len > INT_MAX || in_len > INT_MAX || (!aad && aad_len) ||
	    (!in && in_len))
		return -EINVAL;
	compute_nonce(ctx, nonce);
	cipher = EVP_CIPHER_fetch(NULL, a->cipher, NULL);
	c = EVP_CIPHER_CTX_new();
	if (!cipher || !c)
		goto out;
	ret = -EIO;
	if (EVP_CipherInit_ex2(c, cipher, NULL, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, (int)a->nn,
				NULL) != 1 ||
	    EVP_CipherInit_ex2(c, NULL, ctx->key, nonce, enc, NULL) != 1)
		goto out;
	if (aad_len && EVP_CipherUpdate(c, NULL, &len, aad, (int)aad_len) != 1)
		goto out;
	if (in_len && (EVP_CipherUpdate(c, out, &len, in, (int)in_len) != 1 ||
		       (size_t)len != in_len))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, MLSC_TAG,
					tag) != 1)
		goto out;
	/* The AEADs write nothing at the end: @fin only takes nothing. */
	if (EVP_CipherFinal_ex(c, fin, &len) != 1 || len != 0) {
		ret = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, MLSC_TAG,
				       tag) != 1)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(c);		/* erases the key schedule */
	EVP_CIPHER_free(cipher);
	if (ret) {
		OPENSSL_cleanse(out, in_len);
		ERR_clear_error();
	}
	return ret;
}

int mlsc_hpke_seal(struct mlsc_hpke_ctx *ctx,
		   const uint8_t *aad, size_t aad_len,
		   const uint8_t *pt, size_t pt_len,
		   uint8_t *ct, size_t *ct_len)
{
	int ret;

	if (!ctx->suite.aead)
		return -EINVAL;
	if (!ctx->suite.aead->cipher)
		return -EOPNOTSUPP;
	if (pt_len > SIZE_MAX - MLSC_TAG)
		return -EINVAL;
	if (*ct_len < pt_len + MLSC_TAG)
		return -ENOSPC;
	if (ctx->seq == UINT64_MAX)
		return -EOVERFLOW;
	ret = aead(ctx, 1, aad, aad_len, pt, pt_len, ct, ct + pt_len);
	if (ret)
		return ret;
	ctx->seq++;
	*ct_len = pt_len + MLSC_TAG;
	return 0;
}

int mlsc_hpke_open(struct mlsc_hpke_ctx *ctx,
		   const uint8_t *aad, size_t aad_len,
		   const uint8_t *ct, size_t ct_len,
		   uint8_t *pt, size_t *pt_len)
{
	uint8_t tag[MLSC_TAG];
	int ret;

	if (!ctx->suite.aead)
		return -EINVAL;
	if (!ctx->suite.aead->cipher)
		return -EOPNOTSUPP;
	if (!ct || ct_len < MLSC_TAG)
		return -EBADMSG;
	if (*pt_len < ct_len - MLSC_TAG)
		return -ENOSPC;
	if (ctx->seq == UINT64_MAX)
		return -EOVERFLOW;
	memcpy(tag, ct + ct_len - MLSC_TAG, MLSC_TAG);
	ret = aead(ctx, 0, aad, aad_len, ct, ct_len - MLSC_TAG, pt, tag);
	if (ret)
		return ret;
	ctx->seq++;
	*pt_len = ct_len - MLSC_TAG;
	return 0;
}

int mlsc_hpke_export(const struct mlsc_hpke_ctx *ctx,
		     const uint8_t *exp_ctx, size_t exp_ctx_len,
		     uint8_t *out, size_t out_len)
{
	const struct mlsc_hpke_suite *hs = &ctx->suite;
	uint8_t sid[HPKE_SID_LEN];

	if (!hs->kdf || (!exp_ctx && exp_ctx_len))
		return -EINVAL;
	hpke_sid(hs, sid);
	return labeled_expand(hs->kdf->md, hs->kdf->nh, sid, sizeof(sid),
			      ctx->exporter_secret, "sec", exp_ctx,
			      exp_ctx_len, out, out_len);
}

/* ---- EncryptWithLabel / DecryptWithLabel (RFC 9420 §5.1.3) -------------- */

/* A varint length (RFC 9420 §2.1.2), the shortest form: its size, or 0. */
static size_t varint(uint8_t *p, size_t n)
{
	if (n < 0x40) {
		p[0] = n;
		return 1;
	}
	if (n < 0x4000) {
		p[0] = 0x40 | n >> 8;
		p[1] = n & 0xff;
		return 2;
	}
	if (n < 0x40000000) {
		p[0] = 0x80 | n >> 24;
		p[1] = (n >> 16) & 0xff;
		p[2] = (n >> 8) & 0xff;
		p[3] = n & 0xff;
		return 4;
	}
	return 0;
}

/*
 * struct { opaque label<V>; opaque context<V>; } EncryptContext, with
 * label = "MLS 1.0 " + @label: a fresh buffer the caller frees.
 */
static int encrypt_context(const char *label, const uint8_t *context,
			   size_t context_len, uint8_t **out, size_t *out_len)
{
	size_t plen = strlen(MLS_LABEL_PREFIX), llen, n;
	uint8_t *buf;

	if (!label || (!context && context_len))
		return -EINVAL;
	llen = plen + strlen(label);
	if (llen >= 0x40000000 || context_len >= 0x40000000)
		return -EINVAL;
	buf = OPENSSL_malloc(4 + llen + 4 + context_len);
	if (!buf)
		return -ENOMEM;
	n = varint(buf, llen);
	memcpy(buf + n, MLS_LABEL_PREFIX, plen);
	memcpy(buf + n + plen, label, llen - plen);
	n += llen;
	n += varint(buf + n, context_len);
	if (context_len)
		memcpy(buf + n, context, context_len);
	*out = buf;
	*out_len = n + context_len;
	return 0;
}

int mlsc_encrypt_with_label(const struct mlsc_suite *s,
			    const uint8_t *pk, size_t pk_len,
			    const char *label,
			    const uint8_t *context, size_t context_len,
			    const uint8_t *pt, size_t pt_len,
			    uint8_t *kem_output, size_t *kem_output_len,
			    uint8_t *ct, size_t *ct_len)
{
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	uint8_t *info = NULL;
	size_t info_len;
	int ret;

	ret = mlsc_hpke_suite_mls(&hs, s);
	if (ret)
		return ret;
	if (*ct_len < pt_len + MLSC_TAG || *kem_output_len < hs.kem->npk)
		return -ENOSPC;
	ret = encrypt_context(label, context, context_len, &info, &info_len);
	if (ret)
		return ret;
	ret = mlsc_hpke_setup_base_s(&ctx, &hs, pk, pk_len, info, info_len,
				     kem_output, kem_output_len);
	if (!ret)
		ret = mlsc_hpke_seal(&ctx, NULL, 0, pt, pt_len, ct, ct_len);
	mlsc_hpke_ctx_clear(&ctx);
	OPENSSL_free(info);
	return ret;
}

int mlsc_decrypt_with_label(const struct mlsc_suite *s,
			    const uint8_t *sk, size_t sk_len,
			    const char *label,
			    const uint8_t *context, size_t context_len,
			    const uint8_t *kem_output, size_t kem_output_len,
			    const uint8_t *ct, size_t ct_len,
			    uint8_t *pt, size_t *pt_len)
{
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	uint8_t *info = NULL;
	size_t info_len;
	int ret;

	ret = mlsc_hpke_suite_mls(&hs, s);
	if (ret)
		return ret;
	ret = encrypt_context(label, context, context_len, &info, &info_len);
	if (ret)
		return ret;
	ret = mlsc_hpke_setup_base_r(&ctx, &hs, kem_output, kem_output_len,
				     sk, sk_len, info, info_len);
	if (!ret)
		ret = mlsc_hpke_open(&ctx, NULL, 0, ct, ct_len, pt, pt_len);
	mlsc_hpke_ctx_clear(&ctx);
	OPENSSL_free(info);
	return ret;
}
