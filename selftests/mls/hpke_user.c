// SPDX-License-Identifier: GPL-2.0
/*
 * HPKE (RFC 9180) mode_base sender and exporter with OpenSSL 3, for the
 * joining side of an external commit. DHKEM(X25519) and DHKEM(P-256,
 * P-384) with EVP_PKEY, HKDF with EVP_KDF, the labels of RFC 9180 §4.
 */
#include "hpke_user.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#define HPKE_MAX_SK		48
#define HPKE_LABELED_MAX	512
#define EXTERNAL_INIT_LABEL	"MLS 1.0 external init secret"

struct kem {
	uint16_t id;
	int nid;		/* NID_undef: X25519 */
	const char *group;	/* OpenSSL group name of the NIST curves */
	const char *md;		/* the KEM's KDF */
	size_t nsk, npk, nsecret;
};

static const struct kem kem_x25519 = {
	0x0020, NID_undef, NULL, "SHA256", 32, 32, 32,
};

static const struct kem kem_p256 = {
	0x0010, NID_X9_62_prime256v1, SN_X9_62_prime256v1, "SHA256", 32, 65, 32,
};

static const struct kem kem_p384 = {
	0x0011, NID_secp384r1, SN_secp384r1, "SHA384", 48, 97, 48,
};

struct hpke_suite {
	unsigned int mls;
	const struct kem *kem;
	uint16_t kdf, aead;
	const char *md;		/* the suite's KDF */
	size_t nh;
};

static const struct hpke_suite suites[] = {
	{ 1, &kem_x25519, 0x0001, 0x0001, "SHA256", 32 },
	{ 2, &kem_p256,   0x0001, 0x0001, "SHA256", 32 },
	{ 3, &kem_x25519, 0x0001, 0x0003, "SHA256", 32 },
	{ 7, &kem_p384,   0x0002, 0x0002, "SHA384", 48 },
};

static int suite_find(unsigned int id, const struct hpke_suite **hs)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (suites[i].mls == id) {
			*hs = &suites[i];
			return 0;
		}
	}
	/* 4, 5, 6: X448 and P-521, which the kernel does not have. */
	return id >= 4 && id <= 6 ? -EOPNOTSUPP : -EINVAL;
}

/* HKDF-Extract or -Expand with EVP_KDF. */
static int hkdf(const char *md, int mode, const uint8_t *salt, size_t salt_len,
		const uint8_t *key, size_t key_len, const uint8_t *info,
		size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6], *p = params;
	int ret = -EINVAL;

	if (!ctx)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)key, key_len);
	if (salt_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
							 (void *)salt, salt_len);
	if (info_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
							 (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, out_len, params) == 1)
		ret = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

/* "HPKE-v1" || suite_id || label || @in, after @head bytes of @buf. */
static size_t labeled(uint8_t *buf, size_t head, const uint8_t *sid,
		      size_t sid_len, const char *label, const uint8_t *in,
		      size_t in_len)
{
	size_t label_len = strlen(label), n = head;

	if (head + 7 + sid_len + label_len + in_len > HPKE_LABELED_MAX)
		return 0;
	memcpy(buf + n, "HPKE-v1", 7);
	n += 7;
	memcpy(buf + n, sid, sid_len);
	n += sid_len;
	memcpy(buf + n, label, label_len);
	n += label_len;
	if (in_len)
		memcpy(buf + n, in, in_len);
	return n + in_len;
}

/* LabeledExtract(salt, label, ikm) (RFC 9180 §4); Nh bytes to @out. */
static int labeled_extract(const char *md, size_t nh, const uint8_t *sid,
			   size_t sid_len, const uint8_t *salt,
			   size_t salt_len, const char *label,
			   const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
	uint8_t buf[HPKE_LABELED_MAX];
	size_t n = labeled(buf, 0, sid, sid_len, label, ikm, ikm_len);
	int ret;

	if (!n)
		return -EINVAL;
	ret = hkdf(md, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len,
		   buf, n, NULL, 0, out, nh);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

/* LabeledExpand(prk, label, info, L) (RFC 9180 §4). */
static int labeled_expand(const char *md, size_t nh, const uint8_t *sid,
			  size_t sid_len, const uint8_t *prk,
			  const char *label, const uint8_t *info,
			  size_t info_len, uint8_t *out, size_t out_len)
{
	uint8_t buf[HPKE_LABELED_MAX];
	size_t n;
	int ret;

	if (out_len > 0xffff)
		return -EINVAL;
	buf[0] = out_len >> 8;
	buf[1] = out_len & 0xff;
	n = labeled(buf, 2, sid, sid_len, label, info, info_len);
	if (!n)
		return -EINVAL;
	ret = hkdf(md, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, nh,
		   buf, n, out, out_len);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

static void kem_sid(const struct kem *k, uint8_t sid[5])
{
	memcpy(sid, "KEM", 3);
	sid[3] = k->id >> 8;
	sid[4] = k->id & 0xff;
}

/* An EC key from the scalar @sk (and its point @pub, when known). */
static EVP_PKEY *ec_key(const struct kem *k, const uint8_t *sk,
			const uint8_t *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	BIGNUM *d = sk ? BN_secure_new() : NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld || !ctx || (sk && (!d || !BN_bin2bn(sk, (int)k->nsk, d))))
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     k->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pub, k->npk) ||
	    (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, d ? EVP_PKEY_KEYPAIR :
			      EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_clear_free(d);
	return pkey;
}

/*
 * DeriveKeyPair(@ikm) (RFC 9180 §7.1.3): the key in @key, its serialized
 * public key in @pub.
 */
static int derive_key_pair(const struct kem *k, const uint8_t *ikm,
			   size_t ikm_len, EVP_PKEY **key, uint8_t *pub)
{
	uint8_t sid[5], prk[HPKE_MAX_SECRET], sk[HPKE_MAX_SK];
	size_t nh = k->nsecret, len;
	EC_GROUP *group = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *d = NULL;
	BN_CTX *bn = NULL;
	unsigned int counter;
	int ret;

	*key = NULL;
	kem_sid(k, sid);
	ret = labeled_extract(k->md, nh, sid, sizeof(sid), NULL, 0, "dkp_prk",
			      ikm, ikm_len, prk);
	if (ret)
		goto out;
	if (k->nid == NID_undef) {
		ret = labeled_expand(k->md, nh, sid, sizeof(sid), prk, "sk",
				     NULL, 0, sk, k->nsk);
		if (ret)
			goto out;
		ret = -EINVAL;
		*key = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL,
						       sk, k->nsk);
		len = k->npk;
		if (*key && EVP_PKEY_get_raw_public_key(*key, pub, &len) == 1 &&
		    len == k->npk)
			ret = 0;
		goto out;
	}

	ret = -ENOMEM;
	group = EC_GROUP_new_by_curve_name(k->nid);
	pt = group ? EC_POINT_new(group) : NULL;
	d = BN_secure_new();
	bn = BN_CTX_new();
	if (!group || !pt || !d || !bn)
		goto out;
	ret = -EINVAL;
	for (counter = 0; counter < 256; counter++) {
		uint8_t c = counter;

		if (labeled_expand(k->md, nh, sid, sizeof(sid), prk,
				   "candidate", &c, 1, sk, k->nsk))
			goto out;
		sk[0] &= 0xff;
		if (!BN_bin2bn(sk, (int)k->nsk, d))
			goto out;
		if (!BN_is_zero(d) &&
		    BN_cmp(d, EC_GROUP_get0_order(group)) < 0)
			break;
	}
	if (counter == 256)
		goto out;
	if (!EC_POINT_mul(group, pt, d, NULL, NULL, bn) ||
	    EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
			       k->npk, bn) != k->npk)
		goto out;
	*key = ec_key(k, sk, pub);
	if (*key)
		ret = 0;
out:
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(sk, sizeof(sk));
	EC_POINT_free(pt);
	EC_GROUP_free(group);
	BN_clear_free(d);
	BN_CTX_free(bn);
	if (ret) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	return ret;
}

/* DH(@key, @peer) into @dh, Ndh = Nsk bytes. */
static int dh(const struct kem *k, EVP_PKEY *key, const uint8_t *peer,
	      size_t peer_len, uint8_t *out)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = k->nsk;
	int ret = -EINVAL;

	if (peer_len != k->npk)
		return -EINVAL;
	if (k->nid == NID_undef)
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL,
						    peer, peer_len);
	else if (peer[0] == 0x04)
		pk = ec_key(k, NULL, peer);
	ctx = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, pk) == 1 &&
	    EVP_PKEY_derive(ctx, out, &len) == 1 && len == k->nsk)
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}

int hpke_derive_public(unsigned int suite, const uint8_t *ikm, size_t ikm_len,
		       uint8_t *pub, size_t *pub_len)
{
	const struct hpke_suite *hs;
	EVP_PKEY *key;
	int ret;

	ret = suite_find(suite, &hs);
	if (ret)
		return ret;
	if (*pub_len < hs->kem->npk)
		return -ENOSPC;
	ret = derive_key_pair(hs->kem, ikm, ikm_len, &key, pub);
	EVP_PKEY_free(key);
	if (!ret)
		*pub_len = hs->kem->npk;
	return ret;
}

int hpke_setup_base_s_export(unsigned int suite,
			     const uint8_t *ikm_e, size_t ikm_e_len,
			     const uint8_t *pub, size_t pub_len,
			     const uint8_t *info, size_t info_len,
			     const uint8_t *exp_ctx, size_t exp_ctx_len,
			     uint8_t *enc, size_t *enc_len,
			     uint8_t *out, size_t out_len)
{
	uint8_t ksid[5], sid[10], rnd[HPKE_MAX_SK], d[HPKE_MAX_SK];
	uint8_t kem_context[2 * HPKE_MAX_ENC], ctx[1 + 2 * HPKE_MAX_SECRET];
	uint8_t prk[HPKE_MAX_SECRET], ss[HPKE_MAX_SECRET];
	const struct hpke_suite *hs;
	const struct kem *k;
	EVP_PKEY *key = NULL;
	int ret;

	ret = suite_find(suite, &hs);
	if (ret)
		return ret;
	k = hs->kem;
	if (*enc_len < k->npk || pub_len != k->npk)
		return *enc_len < k->npk ? -ENOSPC : -EINVAL;
	if (!ikm_e) {
		if (RAND_bytes(rnd, (int)k->nsk) != 1)
			return -EIO;
		ikm_e = rnd;
		ikm_e_len = k->nsk;
	}

	kem_sid(k, ksid);
	memcpy(sid, "HPKE", 4);
	sid[4] = k->id >> 8;
	sid[5] = k->id & 0xff;
	sid[6] = hs->kdf >> 8;
	sid[7] = hs->kdf & 0xff;
	sid[8] = hs->aead >> 8;
	sid[9] = hs->aead & 0xff;

	/* Encap (RFC 9180 §4.1): enc = pkE, DH(skE, pkR), ExtractAndExpand. */
	ret = derive_key_pair(k, ikm_e, ikm_e_len, &key, enc);
	if (ret)
		goto out;
	ret = dh(k, key, pub, pub_len, d);
	if (ret)
		goto out;
	memcpy(kem_context, enc, k->npk);
	memcpy(kem_context + k->npk, pub, k->npk);
	ret = labeled_extract(k->md, k->nsecret, ksid, sizeof(ksid), NULL, 0,
			      "eae_prk", d, k->nsk, prk) ||
	      labeled_expand(k->md, k->nsecret, ksid, sizeof(ksid), prk,
			     "shared_secret", kem_context, 2 * k->npk,
			     ss, k->nsecret) ? -EINVAL : 0;
	if (ret)
		goto out;

	/* KeySchedule(mode_base) (§5.1) and Export (§5.3). */
	ctx[0] = 0;
	ret = labeled_extract(hs->md, hs->nh, sid, sizeof(sid), NULL, 0,
			      "psk_id_hash", NULL, 0, ctx + 1) ||
	      labeled_extract(hs->md, hs->nh, sid, sizeof(sid), NULL, 0,
			      "info_hash", info, info_len, ctx + 1 + hs->nh) ||
	      labeled_extract(hs->md, hs->nh, sid, sizeof(sid), ss,
			      k->nsecret, "secret", NULL, 0, prk) ||
	      labeled_expand(hs->md, hs->nh, sid, sizeof(sid), prk, "exp",
			     ctx, 1 + 2 * hs->nh, ss, hs->nh) ||
	      labeled_expand(hs->md, hs->nh, sid, sizeof(sid), ss, "sec",
			     exp_ctx, exp_ctx_len, out, out_len) ? -EINVAL : 0;
	if (!ret)
		*enc_len = k->npk;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(ss, sizeof(ss));
	EVP_PKEY_free(key);
	if (ret)
		OPENSSL_cleanse(out, out_len);
	return ret;
}

int hpke_encap_export(unsigned int suite, const uint8_t *pub, size_t pub_len,
		      uint8_t *kem_output, size_t *kem_len,
		      uint8_t *init_secret)
{
	const struct hpke_suite *hs;
	int ret;

	ret = suite_find(suite, &hs);
	if (ret)
		return ret;
	return hpke_setup_base_s_export(suite, NULL, 0, pub, pub_len, NULL, 0,
					(const uint8_t *)EXTERNAL_INIT_LABEL,
					strlen(EXTERNAL_INIT_LABEL),
					kem_output, kem_len, init_secret,
					hs->nh);
}
