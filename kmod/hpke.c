// SPDX-License-Identifier: GPL-2.0
/*
 * HPKE (RFC 9180) for the external init key pair of an epoch (RFC 9420
 * §8.3): external_priv and external_pub come from
 * DeriveKeyPair(external_secret), and a member following an external
 * commit turns the ExternalInit's kem_output into the next init_secret
 * with SetupBaseR(kem_output, external_priv, info = "") and
 * context.export("MLS 1.0 external init secret", Nh). Only the recipient
 * side lives here: a joiner encapsulates in userspace.
 *
 * The Diffie-Hellman functions are the kernel crypto API's kpp
 * algorithms: "curve25519" for DHKEM(X25519) (suites 1 and 3),
 * "ecdh-nist-p256" and "ecdh-nist-p384" for DHKEM(P-256) and
 * DHKEM(P-384) (suites 2 and 7). The module has no curve arithmetic of its
 * own. The kernel has neither X448 nor P-521, so suites 4, 5 and 6 answer
 * -EOPNOTSUPP. Everything else is HKDF (hkdf.c) under the labels of RFC
 * 9180 §4: the KEM's own KDF for DeriveKeyPair and ExtractAndExpand
 * (§4.1), the suite's KDF for the key schedule and the exporter (§5.1,
 * §5.3). Every MLS suite served here pairs its KEM with its own KDF.
 *
 * The private key exists only inside one call: derived into a kmalloc'd
 * work area, handed to a kpp tfm allocated for that call alone (a tfm
 * holds its secret, so a shared one could serve one caller at a time),
 * and wiped with the work area and the tfm (crypto_free_kpp() frees with
 * kfree_sensitive()) before the call returns.
 *
 * Two details of the kernel's ecdh:
 *  - keys and points are big-endian byte strings: the private key as
 *    crypto_ecdh_encode_key() packs it, the public key x || y with each
 *    coordinate big-endian (crypto/ecc.c converts to and from its
 *    little-endian digits), so SEC1's uncompressed form is 0x04 || x || y;
 *  - ecc_is_key_valid() in crypto/ecc.c range-checks the key's bytes
 *    before converting them to digits, so it refuses about one valid
 *    P-256 key in 2^32 (P-384: 2^64). Then n - sk, which the check reads
 *    differently, stands in: (n - sk)·G = -(sk·G) = (x, p - y) has the
 *    same x, which is all ECDH outputs, and external_pub negates y back.
 *    This is arithmetic on the group's constants, not on points.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "hpke.h"
#include "hkdf.h"
#include "quota.h"

#include <crypto/ecdh.h>
#include <crypto/kpp.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#define MLS_KEM_MAX_SK		48	/* Nsk of P-384 */
#define MLS_KEM_MAX_PK		MLS_HPKE_MAX_PUB_LEN
/* The labeled inputs: I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info. */
#define MLS_HPKE_LABELED_MAX	256
#define MLS_HPKE_SUITE_ID_MAX	10

#define MLS_HPKE_VERSION	"HPKE-v1"
#define MLS_HPKE_VERSION_LEN	(sizeof(MLS_HPKE_VERSION) - 1)
#define MLS_EXTERNAL_INIT_LABEL	"MLS 1.0 external init secret"

/* The KDFs as hkdf.c knows them: only the hash and its size matter. */
static const struct mls_suite mls_hkdf_sha256 = {
	.hash = MLS_HASH_SHA256, .nh = 32,
};

static const struct mls_suite mls_hkdf_sha384 = {
	.hash = MLS_HASH_SHA384, .nh = 48,
};

/* SEC1 order n and field prime p, big-endian. */
static const u8 mls_p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static const u8 mls_p256_p[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static const u8 mls_p384_n[48] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
	0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a,
	0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
};

static const u8 mls_p384_p[48] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
};

/**
 * struct mls_kem - a DHKEM (RFC 9180 §7.1)
 * @id: the KEM id
 * @kpp: the kernel's kpp algorithm
 * @kdf: the KEM's own KDF
 * @nsk: Nsk, the private key's length, also Ndh
 * @npk: Npk (= Nenc), the serialized public key's length
 * @n: the group order, big-endian; NULL for X25519
 * @p: the field prime, big-endian; NULL for X25519
 */
struct mls_kem {
	u16 id;
	const char *kpp;
	const struct mls_suite *kdf;
	u8 nsk;
	u8 npk;
	const u8 *n;
	const u8 *p;
};

static const struct mls_kem mls_kem_x25519 = {
	0x0020, "curve25519", &mls_hkdf_sha256, 32, 32, NULL, NULL,
};

static const struct mls_kem mls_kem_p256 = {
	0x0010, "ecdh-nist-p256", &mls_hkdf_sha256, 32, 65,
	mls_p256_n, mls_p256_p,
};

static const struct mls_kem mls_kem_p384 = {
	0x0011, "ecdh-nist-p384", &mls_hkdf_sha384, 48, 97,
	mls_p384_n, mls_p384_p,
};

/**
 * struct mls_hpke_suite - the HPKE half of an MLS suite (RFC 9420 §17.1)
 * @mls: the MLS CipherSuite
 * @kem: its KEM; NULL when the kernel has no kpp for it
 * @kdf: its HPKE KDF id
 * @aead: its HPKE AEAD id (only named in the suite_id: the exporter
 *	never encrypts)
 */
struct mls_hpke_suite {
	u16 mls;
	const struct mls_kem *kem;
	u16 kdf;
	u16 aead;
};

static const struct mls_hpke_suite mls_hpke_suites[] = {
	{ 1, &mls_kem_x25519, 0x0001, 0x0001 },
	{ 2, &mls_kem_p256,   0x0001, 0x0001 },
	{ 3, &mls_kem_x25519, 0x0001, 0x0003 },
	{ 4, NULL,	      0x0003, 0x0002 },	/* X448 */
	{ 5, NULL,	      0x0003, 0x0002 },	/* P-521 */
	{ 6, NULL,	      0x0003, 0x0003 },	/* X448 */
	{ 7, &mls_kem_p384,   0x0002, 0x0002 },
};

/*
 * One call's working memory, kmalloc'd so that scatterlists may point
 * into it, and wiped with kfree_sensitive().
 */
struct mls_hpke_work {
	struct scatterlist src, dst;
	u8 sk[MLS_KEM_MAX_SK];
	u8 tmp[MLS_KEM_MAX_SK];
	u8 packed[MLS_KEM_MAX_SK + 16];		/* crypto_ecdh_encode_key() */
	u8 raw[2 * MLS_KEM_MAX_SK];		/* kpp output: x || y, or u */
	u8 pk[MLS_KEM_MAX_PK];			/* the key pair's public key */
	u8 dh[MLS_KEM_MAX_SK];
	u8 prk[MLS_MAX_HASH_LEN];
	u8 secret[MLS_MAX_HASH_LEN];
	u8 ctx[1 + 2 * MLS_MAX_HASH_LEN];	/* key_schedule_context */
	u8 lab[MLS_HPKE_LABELED_MAX];
	u8 kem_sid[5];				/* "KEM" || kem_id */
	u8 hpke_sid[MLS_HPKE_SUITE_ID_MAX];	/* "HPKE" || ids */
	bool negated;				/* n - sk is loaded */
};

static const struct mls_hpke_suite *mls_hpke_find(const struct mls_suite *s)
{
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(mls_hpke_suites); i++)
		if (mls_hpke_suites[i].mls == s->id)
			return &mls_hpke_suites[i];
	return NULL;
}

/* -EINVAL for an unknown suite, -EOPNOTSUPP for one without a kpp. */
static int mls_hpke_check(const struct mls_suite *s,
			  const struct mls_hpke_suite **hs)
{
	*hs = mls_hpke_find(s);
	if (!*hs || mls_suite_find(s->id) != s)
		return -EINVAL;
	if (!(*hs)->kem)
		return -EOPNOTSUPP;
	return 0;
}

static struct mls_hpke_work *mls_hpke_work_new(const struct mls_hpke_suite *hs)
{
	struct mls_hpke_work *w = kzalloc(sizeof(*w), MLS_GFP_USER);

	if (!w)
		return NULL;
	memcpy(w->kem_sid, "KEM", 3);
	put_unaligned_be16(hs->kem->id, &w->kem_sid[3]);
	memcpy(w->hpke_sid, "HPKE", 4);
	put_unaligned_be16(hs->kem->id, &w->hpke_sid[4]);
	put_unaligned_be16(hs->kdf, &w->hpke_sid[6]);
	put_unaligned_be16(hs->aead, &w->hpke_sid[8]);
	return w;
}

/*
 * out = a - b over n big-endian bytes, in constant time; returns the final
 * borrow (1 when a < b). @out may be @a or @b, or NULL to compare only.
 */
static unsigned int mls_be_sub(u8 *out, const u8 *a, const u8 *b, size_t n)
{
	unsigned int borrow = 0;

	while (n--) {
		unsigned int d = (unsigned int)a[n] - b[n] - borrow;

		if (out)
			out[n] = d;
		borrow = (d >> 8) & 1;
	}
	return borrow;
}

/*
 * LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id
 * || label || ikm) (RFC 9180 §4). @out may not be @ikm or @salt.
 */
static int mls_labeled_extract(const struct mls_suite *kdf,
			       struct mls_hpke_work *w, const u8 *sid,
			       size_t sid_len, const u8 *salt, size_t salt_len,
			       const char *label, const u8 *ikm, size_t ikm_len,
			       u8 *out)
{
	size_t label_len = strlen(label), n = 0;
	int ret;

	if (MLS_HPKE_VERSION_LEN + sid_len + label_len + ikm_len >
	    sizeof(w->lab))
		return -EINVAL;
	memcpy(w->lab, MLS_HPKE_VERSION, MLS_HPKE_VERSION_LEN);
	n += MLS_HPKE_VERSION_LEN;
	memcpy(w->lab + n, sid, sid_len);
	n += sid_len;
	memcpy(w->lab + n, label, label_len);
	n += label_len;
	if (ikm_len)
		memcpy(w->lab + n, ikm, ikm_len);
	n += ikm_len;
	ret = mls_hkdf_extract(kdf, salt, salt_len, w->lab, n, out);
	memzero_explicit(w->lab, n);
	return ret;
}

/*
 * LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ||
 * "HPKE-v1" || suite_id || label || info, L) (RFC 9180 §4).
 */
static int mls_labeled_expand(const struct mls_suite *kdf,
			      struct mls_hpke_work *w, const u8 *sid,
			      size_t sid_len, const u8 *prk, const char *label,
			      const u8 *info, size_t info_len,
			      u8 *out, size_t out_len)
{
	size_t label_len = strlen(label), n = 2;
	int ret;

	if (out_len > U16_MAX ||
	    2 + MLS_HPKE_VERSION_LEN + sid_len + label_len + info_len >
	    sizeof(w->lab))
		return -EINVAL;
	put_unaligned_be16(out_len, w->lab);
	memcpy(w->lab + n, MLS_HPKE_VERSION, MLS_HPKE_VERSION_LEN);
	n += MLS_HPKE_VERSION_LEN;
	memcpy(w->lab + n, sid, sid_len);
	n += sid_len;
	memcpy(w->lab + n, label, label_len);
	n += label_len;
	if (info_len)
		memcpy(w->lab + n, info, info_len);
	n += info_len;
	ret = mls_hkdf_expand(kdf, prk, w->lab, n, out, out_len);
	memzero_explicit(w->lab, n);
	return ret;
}

/*
 * DeriveKeyPair(ikm)'s private half into w->sk (RFC 9180 §7.1.3): for
 * X25519 Expand's output is the key (the curve clamps it), for the NIST
 * curves the first candidate in [1, n - 1], bitmask 0xff.
 */
static int mls_kem_derive_sk(const struct mls_kem *kem,
			     struct mls_hpke_work *w,
			     const u8 *ikm, size_t ikm_len)
{
	const struct mls_suite *kdf = kem->kdf;
	unsigned int counter;
	int ret;

	ret = mls_labeled_extract(kdf, w, w->kem_sid, sizeof(w->kem_sid),
				  NULL, 0, "dkp_prk", ikm, ikm_len, w->prk);
	if (ret)
		return ret;
	if (!kem->n)
		return mls_labeled_expand(kdf, w, w->kem_sid,
					  sizeof(w->kem_sid), w->prk, "sk",
					  NULL, 0, w->sk, kem->nsk);

	for (counter = 0; counter < 256; counter++) {
		u8 c = counter;

		ret = mls_labeled_expand(kdf, w, w->kem_sid,
					 sizeof(w->kem_sid), w->prk,
					 "candidate", &c, 1, w->sk, kem->nsk);
		if (ret)
			return ret;
		w->sk[0] &= 0xff;	/* the bitmask of P-256 and P-384 */
		if (memchr_inv(w->sk, 0, kem->nsk) &&
		    mls_be_sub(NULL, w->sk, kem->n, kem->nsk))
			return 0;
	}
	/* DeriveKeyPairError: probability about 2^-8192. */
	memzero_explicit(w->sk, sizeof(w->sk));
	return -EINVAL;
}

/*
 * A tfm of this call's own. ecdh_generic has no module alias per curve
 * (only "crypto-ecdh"), but crypto_ecdh_encode_key() links this module
 * to it, so it is loaded before us.
 */
static struct crypto_kpp *mls_kem_tfm(const struct mls_kem *kem)
{
	return crypto_alloc_kpp(kem->kpp, 0, 0);
}

/* Load w->sk into @tfm, or n - sk when the kernel refuses sk (above). */
static int mls_kem_set_secret(const struct mls_kem *kem,
			      struct crypto_kpp *tfm, struct mls_hpke_work *w)
{
	struct ecdh p = { .key = (char *)w->sk, .key_size = kem->nsk };
	unsigned int len;
	int ret;

	w->negated = false;
	if (!kem->n)
		return crypto_kpp_set_secret(tfm, w->sk, kem->nsk);

	len = crypto_ecdh_key_len(&p);
	if (len > sizeof(w->packed))
		return -EINVAL;
	ret = crypto_ecdh_encode_key(w->packed, len, &p);
	if (!ret)
		ret = crypto_kpp_set_secret(tfm, w->packed, len);
	if (ret == -EINVAL) {
		mls_be_sub(w->tmp, kem->n, w->sk, kem->nsk);
		p.key = (char *)w->tmp;
		ret = crypto_ecdh_encode_key(w->packed, len, &p) ?:
		      crypto_kpp_set_secret(tfm, w->packed, len);
		w->negated = !ret;
		memzero_explicit(w->tmp, sizeof(w->tmp));
	}
	memzero_explicit(w->packed, sizeof(w->packed));
	return ret;
}

/* One kpp operation: @in NULL computes the public key. */
static int mls_kem_kpp(struct crypto_kpp *tfm, struct mls_hpke_work *w,
		       const u8 *in, unsigned int in_len,
		       u8 *out, unsigned int out_len)
{
	DECLARE_CRYPTO_WAIT(wait);
	struct kpp_request *req;
	int ret;

	req = kpp_request_alloc(tfm, MLS_GFP_USER);
	if (!req)
		return -ENOMEM;
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				 CRYPTO_TFM_REQ_MAY_SLEEP,
				 crypto_req_done, &wait);
	sg_init_one(&w->dst, out, out_len);
	kpp_request_set_output(req, &w->dst, out_len);
	if (in) {
		sg_init_one(&w->src, in, in_len);
		kpp_request_set_input(req, &w->src, in_len);
		ret = crypto_wait_req(crypto_kpp_compute_shared_secret(req),
				      &wait);
	} else {
		kpp_request_set_input(req, NULL, 0);
		ret = crypto_wait_req(crypto_kpp_generate_public_key(req),
				      &wait);
	}
	kpp_request_free(req);
	return ret;
}

/* The loaded key's public key, serialized (SerializePublicKey), in w->pk. */
static int mls_kem_public(const struct mls_kem *kem, struct crypto_kpp *tfm,
			  struct mls_hpke_work *w)
{
	u8 *y = w->raw + kem->nsk;
	int ret;

	if (!kem->n)
		return mls_kem_kpp(tfm, w, NULL, 0, w->pk, kem->npk);

	ret = mls_kem_kpp(tfm, w, NULL, 0, w->raw, 2 * kem->nsk);
	if (ret)
		return ret;
	if (w->negated)
		mls_be_sub(y, kem->p, y, kem->nsk);
	w->pk[0] = 0x04;
	memcpy(w->pk + 1, w->raw, 2 * kem->nsk);
	return 0;
}

/*
 * DH(sk, DeserializePublicKey(@enc)) into w->dh. A public key of the
 * wrong form, off the curve, or of small order is -EBADMSG.
 */
static int mls_kem_dh(const struct mls_kem *kem, struct crypto_kpp *tfm,
		      struct mls_hpke_work *w, const u8 *enc, size_t enc_len)
{
	int ret;

	if (enc_len != kem->npk || (kem->n && enc[0] != 0x04))
		return -EBADMSG;
	if (kem->n) {
		memcpy(w->raw, enc + 1, 2 * kem->nsk);
		ret = mls_kem_kpp(tfm, w, w->raw, 2 * kem->nsk,
				  w->dh, kem->nsk);
		/* ecc.c: -EINVAL off the curve, -EFAULT for infinity. */
		if (ret == -EINVAL || ret == -EFAULT)
			ret = -EBADMSG;
		return ret;
	}
	memcpy(w->raw, enc, kem->npk);
	ret = mls_kem_kpp(tfm, w, w->raw, kem->npk, w->dh, kem->nsk);
	/* RFC 9180 §7.1.4: an all-zero X25519 output is an error. */
	if (!ret && !memchr_inv(w->dh, 0, kem->nsk))
		ret = -EBADMSG;
	return ret;
}

/*
 * ExtractAndExpand(dh, kem_context = enc || pkR) (RFC 9180 §4.1): the
 * KEM's shared_secret, Nsecret = the KEM KDF's Nh bytes, into w->secret.
 */
static int mls_kem_shared_secret(const struct mls_kem *kem,
				 struct mls_hpke_work *w, const u8 *enc,
				 const u8 *pk_r)
{
	u8 kem_context[2 * MLS_KEM_MAX_PK];
	int ret;

	memcpy(kem_context, enc, kem->npk);
	memcpy(kem_context + kem->npk, pk_r, kem->npk);
	ret = mls_labeled_extract(kem->kdf, w, w->kem_sid, sizeof(w->kem_sid),
				  NULL, 0, "eae_prk", w->dh, kem->nsk,
				  w->prk) ?:
	      mls_labeled_expand(kem->kdf, w, w->kem_sid, sizeof(w->kem_sid),
				 w->prk, "shared_secret", kem_context,
				 2 * kem->npk, w->secret, kem->kdf->nh);
	memzero_explicit(w->dh, sizeof(w->dh));
	memzero_explicit(w->prk, sizeof(w->prk));
	return ret;
}

/*
 * KeySchedule(mode_base, shared_secret = w->secret, info, "", "") (RFC
 * 9180 §5.1) and Export(exporter_context, L) (§5.3) with the suite's KDF
 * @s. Only the exporter_secret is derived: MLS never seals with this
 * context.
 */
static int mls_hpke_export(const struct mls_hpke_suite *hs,
			   const struct mls_suite *s, struct mls_hpke_work *w,
			   const u8 *info, size_t info_len,
			   const u8 *exp_ctx, size_t exp_ctx_len,
			   u8 *out, size_t out_len)
{
	const u8 *sid = w->hpke_sid;
	size_t sid_len = sizeof(w->hpke_sid);
	int ret;

	w->ctx[0] = 0x00;	/* mode_base */
	ret = mls_labeled_extract(s, w, sid, sid_len, NULL, 0, "psk_id_hash",
				  NULL, 0, w->ctx + 1) ?:
	      mls_labeled_extract(s, w, sid, sid_len, NULL, 0, "info_hash",
				  info, info_len, w->ctx + 1 + s->nh) ?:
	      mls_labeled_extract(s, w, sid, sid_len, w->secret,
				  hs->kem->kdf->nh, "secret", NULL, 0,
				  w->prk) ?:
	      mls_labeled_expand(s, w, sid, sid_len, w->prk, "exp",
				 w->ctx, 1 + 2 * s->nh, w->secret, s->nh) ?:
	      mls_labeled_expand(s, w, sid, sid_len, w->secret, "sec",
				 exp_ctx, exp_ctx_len, out, out_len);
	memzero_explicit(w->prk, sizeof(w->prk));
	memzero_explicit(w->secret, sizeof(w->secret));
	if (ret)
		memzero_explicit(out, out_len);
	return ret;
}

/*
 * DeriveKeyPair(@ikm) into @tfm (its secret) and w->pk (its public key).
 * w->sk is wiped once loaded.
 */
static int mls_kem_derive(const struct mls_kem *kem, struct crypto_kpp *tfm,
			  struct mls_hpke_work *w, const u8 *ikm,
			  size_t ikm_len)
{
	int ret;

	ret = mls_kem_derive_sk(kem, w, ikm, ikm_len) ?:
	      mls_kem_set_secret(kem, tfm, w);
	memzero_explicit(w->sk, sizeof(w->sk));
	memzero_explicit(w->prk, sizeof(w->prk));
	return ret ?: mls_kem_public(kem, tfm, w);
}

/*
 * The recipient's whole path: skR, pkR = DeriveKeyPair(@ikm_r), then
 * SetupBaseR(@enc, skR, @info) and Export(@exp_ctx, @out_len).
 */
static int mls_hpke_decap_export(const struct mls_hpke_suite *hs,
				 const struct mls_suite *s,
				 const u8 *ikm_r, size_t ikm_len,
				 const u8 *enc, size_t enc_len,
				 const u8 *info, size_t info_len,
				 const u8 *exp_ctx, size_t exp_ctx_len,
				 u8 *out, size_t out_len)
{
	const struct mls_kem *kem = hs->kem;
	struct mls_hpke_work *w;
	struct crypto_kpp *tfm;
	int ret;

	w = mls_hpke_work_new(hs);
	if (!w) {
		ret = -ENOMEM;
		goto out;
	}
	tfm = mls_kem_tfm(kem);
	if (IS_ERR(tfm)) {
		ret = PTR_ERR(tfm);
		goto out_work;
	}
	ret = mls_kem_derive(kem, tfm, w, ikm_r, ikm_len) ?:
	      mls_kem_dh(kem, tfm, w, enc, enc_len) ?:
	      mls_kem_shared_secret(kem, w, enc, w->pk) ?:
	      mls_hpke_export(hs, s, w, info, info_len, exp_ctx, exp_ctx_len,
			      out, out_len);
	crypto_free_kpp(tfm);
out_work:
	kfree_sensitive(w);
out:
	if (ret)
		memzero_explicit(out, out_len);
	return ret;
}

/**
 * mls_external_pub() - an epoch's external_pub (RFC 9420 §8.3)
 * @s: the suite
 * @external_secret: the epoch's external_secret, Nh bytes
 * @pub: the serialized public key of DeriveKeyPair(external_secret):
 *	X25519's 32 bytes, or SEC1 uncompressed 0x04 || X || Y (65 bytes for
 *	P-256, 97 for P-384)
 * @cap: the size of @pub
 * @len: the public key's length, also set on -ENOSPC
 *
 * The private key is derived and dropped within the call.
 *
 * Context: process; may sleep.
 * Return: 0, -EINVAL (unknown suite), -EOPNOTSUPP (suites 4, 5 and 6:
 * the kernel has no X448 or P-521), -ENOSPC (@cap too small), -ENOENT
 * (the kpp algorithm is not available) or -errno.
 */
int mls_external_pub(const struct mls_suite *s, const u8 *external_secret,
		     u8 *pub, size_t cap, size_t *len)
{
	const struct mls_hpke_suite *hs;
	struct mls_hpke_work *w;
	struct crypto_kpp *tfm;
	int ret;

	*len = 0;
	ret = mls_hpke_check(s, &hs);
	if (ret)
		return ret;
	*len = hs->kem->npk;
	if (cap < hs->kem->npk)
		return -ENOSPC;

	w = mls_hpke_work_new(hs);
	if (!w)
		return -ENOMEM;
	tfm = mls_kem_tfm(hs->kem);
	if (IS_ERR(tfm)) {
		ret = PTR_ERR(tfm);
		goto out;
	}
	ret = mls_kem_derive(hs->kem, tfm, w, external_secret, s->nh);
	crypto_free_kpp(tfm);
	if (!ret)
		memcpy(pub, w->pk, hs->kem->npk);
out:
	kfree_sensitive(w);
	return ret;
}

/**
 * mls_external_init_decap() - the init_secret of an external commit
 * @s: the suite
 * @external_secret: the committed-from epoch's external_secret, Nh bytes
 * @kem_output: the ExternalInit proposal's kem_output, the HPKE enc
 * @kem_len: its length, Npk of the suite's KEM
 * @init_secret_out: Nh bytes, zeroed on error
 *
 * RFC 9420 §8.3: SetupBaseR(kem_output, external_priv, info = "") and
 * init_secret = context.export("MLS 1.0 external init secret", Nh), with
 * external_priv derived from @external_secret within the call.
 *
 * Context: process; may sleep.
 * Return: 0, -EINVAL (unknown suite), -EOPNOTSUPP (suites 4, 5 and 6),
 * -EBADMSG (@kem_output is not a valid public key of the suite's KEM, or
 * X25519 gives the all-zero output), -ENOENT (no kpp algorithm) or
 * -errno.
 */
int mls_external_init_decap(const struct mls_suite *s,
			    const u8 *external_secret, const u8 *kem_output,
			    size_t kem_len, u8 *init_secret_out)
{
	const struct mls_hpke_suite *hs;
	int ret;

	ret = mls_hpke_check(s, &hs);
	if (ret) {
		if (s && mls_suite_find(s->id) == s)
			memzero_explicit(init_secret_out, s->nh);
		return ret;
	}
	return mls_hpke_decap_export(hs, s, external_secret, s->nh,
				     kem_output, kem_len, NULL, 0,
				     MLS_EXTERNAL_INIT_LABEL,
				     sizeof(MLS_EXTERNAL_INIT_LABEL) - 1,
				     init_secret_out, s->nh);
}

#ifdef MLS_SELFTEST
#include "hpke_selftest.h"
#endif
