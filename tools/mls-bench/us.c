// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace baseline: RFC 9420 key schedule, secret tree, application
 * ratchets and PrivateMessage protection with OpenSSL, written the way a
 * careful userspace library would: algorithms fetched once, one HMAC and
 * one cipher context per thread reused for every call, plaintext framed
 * once into the output buffer and sealed in place, keys wiped after use.
 *
 * It does per message what the kernel does (kmod/protect.c): the ratchet
 * step, the reuse_guard, the content AEAD under a fresh key, the
 * sender-data key and nonce from the ciphertext sample, the sender-data
 * AEAD; and a key is consumed only once its tag verified.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define US_NDIGEST	3
#define US_NAEAD	3
#define US_MAX_FORWARD	4096

static const struct mb_suite mb_suites[] = {
	{ 1, 32, 16, "SHA256", "AES-128-GCM", 0 },
	{ 2, 32, 16, "SHA256", "AES-128-GCM", 0 },
	{ 3, 32, 32, "SHA256", "ChaCha20-Poly1305", 2 },
	{ 4, 64, 32, "SHA512", "AES-256-GCM", 1 },
	{ 5, 64, 32, "SHA512", "AES-256-GCM", 1 },
	{ 6, 64, 32, "SHA512", "ChaCha20-Poly1305", 2 },
	{ 7, 48, 32, "SHA384", "AES-256-GCM", 1 },
};

const struct mb_suite *mb_suite(unsigned int id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mb_suites); i++)
		if (mb_suites[i].id == id)
			return &mb_suites[i];
	return NULL;
}

static EVP_MAC *us_hmac_alg;
static EVP_CIPHER *us_cipher[US_NAEAD];
static const char *const us_cipher_names[US_NAEAD] = {
	"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305",
};

/* Per thread: one HMAC context per digest, cipher contexts per AEAD. */
struct us_tls {
	EVP_MAC_CTX *mac[US_NDIGEST];
	EVP_CIPHER_CTX *enc[US_NAEAD], *dec[US_NAEAD];
	EVP_CIPHER_CTX *raw_enc[US_NAEAD], *raw_dec[US_NAEAD];
};

static __thread struct us_tls *us_tls;

int us_init(void)
{
	int i;

	us_hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!us_hmac_alg)
		return -ENOENT;
	for (i = 0; i < US_NAEAD; i++) {
		us_cipher[i] = EVP_CIPHER_fetch(NULL, us_cipher_names[i], NULL);
		if (!us_cipher[i])
			return -ENOENT;
	}
	return 0;
}

static struct us_tls *tls(void)
{
	if (!us_tls) {
		us_tls = calloc(1, sizeof(*us_tls));
		if (!us_tls)
			abort();
	}
	return us_tls;
}

void us_thread_exit(void)
{
	struct us_tls *t = us_tls;
	int i;

	if (!t)
		return;
	for (i = 0; i < US_NDIGEST; i++)
		EVP_MAC_CTX_free(t->mac[i]);
	for (i = 0; i < US_NAEAD; i++) {
		EVP_CIPHER_CTX_free(t->enc[i]);
		EVP_CIPHER_CTX_free(t->dec[i]);
		EVP_CIPHER_CTX_free(t->raw_enc[i]);
		EVP_CIPHER_CTX_free(t->raw_dec[i]);
	}
	free(t);
	us_tls = NULL;
}

void mb_random(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		abort();
}

/* ---------------------------------------------------------------- HMAC */

struct us_part {
	const void *p;
	size_t len;
};

static int digest_index(const struct mb_suite *s)
{
	return s->nh == 32 ? 0 : s->nh == 48 ? 1 : 2;
}

static EVP_MAC_CTX *mac_ctx(const struct mb_suite *s)
{
	struct us_tls *t = tls();
	int d = digest_index(s);

	if (!t->mac[d]) {
		OSSL_PARAM params[2];

		t->mac[d] = EVP_MAC_CTX_new(us_hmac_alg);
		if (!t->mac[d])
			abort();
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							     (char *)s->digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_MAC_CTX_set_params(t->mac[d], params))
			abort();
	}
	return t->mac[d];
}

static int us_hmac(const struct mb_suite *s, const uint8_t *key, size_t key_len,
		   const struct us_part *parts, unsigned int n, uint8_t *out)
{
	EVP_MAC_CTX *c = mac_ctx(s);
	size_t olen = 0;
	unsigned int i;

	if (!EVP_MAC_init(c, key, key_len, NULL))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (parts[i].len && !EVP_MAC_update(c, parts[i].p, parts[i].len))
			return -EINVAL;
	if (!EVP_MAC_final(c, out, &olen, MB_MAX_NH) || olen != s->nh)
		return -EINVAL;
	return 0;
}

int us_hkdf_extract(const struct mb_suite *s, const uint8_t *salt,
		    size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		    uint8_t *out)
{
	static const uint8_t zero[MB_MAX_NH];
	struct us_part p = { ikm, ikm_len };

	if (!salt_len) {
		salt = zero;
		salt_len = s->nh;
	}
	return us_hmac(s, salt, salt_len, &p, 1, out);
}

/* HKDF-Expand with the info in pieces; @out may overlap @prk. */
static int us_hkdf_expand(const struct mb_suite *s, const uint8_t *prk,
			  const struct us_part *info, unsigned int n,
			  uint8_t *out, size_t out_len)
{
	struct us_part parts[8];
	uint8_t key[MB_MAX_NH], t[MB_MAX_NH];
	uint8_t counter = 1;
	size_t done = 0;
	int ret = 0;

	if (n + 2 > ARRAY_SIZE(parts) || out_len > 255 * s->nh)
		return -EINVAL;
	memcpy(key, prk, s->nh);
	parts[0] = (struct us_part){ t, 0 };
	memcpy(&parts[1], info, n * sizeof(*info));
	parts[n + 1] = (struct us_part){ &counter, 1 };
	while (done < out_len) {
		size_t chunk = out_len - done < s->nh ? out_len - done : s->nh;

		ret = us_hmac(s, key, s->nh, parts, n + 2, t);
		if (ret)
			break;
		memcpy(out + done, t, chunk);
		done += chunk;
		parts[0].len = s->nh;
		counter++;
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

static size_t varint_put(uint8_t *out, uint32_t v)
{
	if (v < 64) {
		out[0] = (uint8_t)v;
		return 1;
	}
	if (v < 16384) {
		out[0] = (uint8_t)(0x40 | (v >> 8));
		out[1] = (uint8_t)v;
		return 2;
	}
	out[0] = (uint8_t)(0x80 | (v >> 24));
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
	return 4;
}

static size_t varint_size(size_t v)
{
	return v < 64 ? 1 : v < 16384 ? 2 : 4;
}

/* Bytes read, or 0 when malformed (truncated, prefix 11, not minimal). */
static size_t varint_get(const uint8_t *p, size_t len, uint32_t *v)
{
	size_t n, i;
	uint32_t x;

	if (!len)
		return 0;
	n = (size_t[]){ 1, 2, 4, 0 }[p[0] >> 6];
	if (!n || len < n)
		return 0;
	x = p[0] & 0x3f;
	for (i = 1; i < n; i++)
		x = x << 8 | p[i];
	if ((n == 2 && x < 64) || (n == 4 && x < 16384))
		return 0;
	*v = x;
	return n;
}

int us_expand_with_label(const struct mb_suite *s, const uint8_t *secret,
			 const char *label, const uint8_t *ctx, size_t ctx_len,
			 uint8_t *out, size_t out_len)
{
	static const char prefix[] = "MLS 1.0 ";
	size_t label_len = strlen(label);
	uint8_t head[6], ctx_head[4];
	size_t hl = 2, cl;
	struct us_part info[5];

	head[0] = (uint8_t)(out_len >> 8);
	head[1] = (uint8_t)out_len;
	hl += varint_put(head + 2, (uint32_t)(sizeof(prefix) - 1 + label_len));
	cl = varint_put(ctx_head, (uint32_t)ctx_len);
	info[0] = (struct us_part){ head, hl };
	info[1] = (struct us_part){ prefix, sizeof(prefix) - 1 };
	info[2] = (struct us_part){ label, label_len };
	info[3] = (struct us_part){ ctx_head, cl };
	info[4] = (struct us_part){ ctx, ctx_len };
	return us_hkdf_expand(s, secret, info, 5, out, out_len);
}

int us_derive_secret(const struct mb_suite *s, const uint8_t *secret,
		     const char *label, uint8_t *out)
{
	return us_expand_with_label(s, secret, label, NULL, 0, out, s->nh);
}

static int us_derive_tree_secret(const struct mb_suite *s,
				 const uint8_t *secret, const char *label,
				 uint32_t gen, uint8_t *out, size_t len)
{
	uint8_t ctx[4] = { gen >> 24, gen >> 16, gen >> 8, gen };

	return us_expand_with_label(s, secret, label, ctx, 4, out, len);
}

/* ------------------------------------------------------- key schedule */

void mb_inputs_random(struct mb_inputs *in, const struct mb_suite *s,
		      uint64_t epoch)
{
	memset(in, 0, sizeof(*in));
	in->suite = s;
	mb_random(in->group_id, sizeof(in->group_id));
	mb_random(in->init, s->nh);
	mb_random(in->commit, s->nh);
	mb_random(in->psk, s->nh);
	in->epoch = epoch;
	mb_random(in->tree_hash, s->nh);
	mb_random(in->cth, s->nh);
}

size_t us_group_context(const struct mb_inputs *in, uint8_t *out, size_t cap)
{
	const struct mb_suite *s = in->suite;
	size_t n = 0;
	int i;

	if (cap < 4 + 1 + MB_GROUP_ID_LEN + 8 + 2 * (1 + MB_MAX_NH) + 1)
		return 0;
	out[n++] = 0;
	out[n++] = 1;			/* mls10 */
	out[n++] = (uint8_t)(s->id >> 8);
	out[n++] = (uint8_t)s->id;
	n += varint_put(out + n, MB_GROUP_ID_LEN);
	memcpy(out + n, in->group_id, MB_GROUP_ID_LEN);
	n += MB_GROUP_ID_LEN;
	for (i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(in->epoch >> (8 * i));
	n += varint_put(out + n, s->nh);
	memcpy(out + n, in->tree_hash, s->nh);
	n += s->nh;
	n += varint_put(out + n, s->nh);
	memcpy(out + n, in->cth, s->nh);
	n += s->nh;
	out[n++] = 0;			/* no extensions */
	return n;
}

static const char *const us_epoch_labels[] = {
	"sender data", "encryption", "exporter", "external", "confirm",
	"membership", "resumption", "authentication", "init",
};

/* §8 from init_secret: joiner, member, welcome, epoch, its secrets. */
static int us_key_schedule(struct us_epoch *e, const uint8_t *init,
			   const struct mb_inputs *in)
{
	const struct mb_suite *s = in->suite;
	uint8_t gc[256], prk[MB_MAX_NH], joiner[MB_MAX_NH], member[MB_MAX_NH];
	uint8_t welcome[MB_MAX_NH], epoch[MB_MAX_NH], scratch[MB_MAX_NH];
	size_t gc_len = us_group_context(in, gc, sizeof(gc));
	size_t i;
	int ret;

	if (!gc_len)
		return -EINVAL;
	ret = us_hkdf_extract(s, init, s->nh, in->commit, s->nh, prk) ?:
	      us_expand_with_label(s, prk, "joiner", gc, gc_len, joiner, s->nh) ?:
	      us_hkdf_extract(s, joiner, s->nh, in->psk, s->nh, member) ?:
	      us_derive_secret(s, member, "welcome", welcome) ?:
	      us_expand_with_label(s, member, "epoch", gc, gc_len, epoch, s->nh);
	for (i = 0; !ret && i < ARRAY_SIZE(us_epoch_labels); i++) {
		uint8_t *dst = scratch;

		switch (i) {
		case 0: dst = e->sender_data; break;
		case 1: dst = e->encryption; break;
		case 2: dst = e->exporter; break;
		case 7: dst = e->authentication; break;
		case 8: dst = e->init; break;
		}
		ret = us_derive_secret(s, epoch, us_epoch_labels[i], dst);
	}
	if (!ret) {
		e->context = malloc(gc_len);
		if (!e->context)
			ret = -ENOMEM;
		else
			memcpy(e->context, gc, gc_len);
		e->context_len = gc_len;
	}
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(joiner, sizeof(joiner));
	OPENSSL_cleanse(member, sizeof(member));
	OPENSSL_cleanse(welcome, sizeof(welcome));
	OPENSSL_cleanse(epoch, sizeof(epoch));
	OPENSSL_cleanse(scratch, sizeof(scratch));
	return ret;
}

static int us_epoch_setup(struct us_epoch *e, const struct mb_inputs *in,
			  uint32_t own_leaf, uint32_t leaf_count)
{
	memset(e, 0, sizeof(*e));
	e->suite = in->suite;
	memcpy(e->group_id, in->group_id, MB_GROUP_ID_LEN);
	e->epoch = in->epoch;
	e->own_leaf = own_leaf;
	e->leaf_count = leaf_count;
	pthread_mutex_init(&e->tree_lock, NULL);
	/* Ratchets are made on first use: one pointer per leaf. */
	e->ratchets = calloc(leaf_count, sizeof(*e->ratchets));
	e->occupied = malloc((leaf_count + 7) / 8);
	if (!e->ratchets || !e->occupied)
		return -ENOMEM;
	memset(e->occupied, 0xff, (leaf_count + 7) / 8);
	return 0;
}

int us_epoch_from_inputs(struct us_epoch *e, const struct mb_inputs *in,
			 uint32_t own_leaf, uint32_t leaf_count)
{
	int ret = us_epoch_setup(e, in, own_leaf, leaf_count) ?:
		  us_key_schedule(e, in->init, in);

	if (ret)
		us_epoch_free(e);
	return ret;
}

int us_epoch_next(struct us_epoch *e, const struct us_epoch *prev,
		  const struct mb_inputs *next_in, uint32_t leaf_count)
{
	int ret = us_epoch_setup(e, next_in, prev->own_leaf, leaf_count) ?:
		  us_key_schedule(e, prev->init, next_in);

	if (ret)
		us_epoch_free(e);
	return ret;
}

static void us_ratchet_free(struct us_ratchet *r)
{
	if (!r)
		return;
	if (r->skipped) {
		OPENSSL_cleanse(r->skipped, r->out_of_order * sizeof(*r->skipped));
		free(r->skipped);
	}
	pthread_mutex_destroy(&r->lock);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

void us_epoch_free(struct us_epoch *e)
{
	uint32_t i;

	if (e->ratchets) {
		for (i = 0; i < e->leaf_count; i++)
			us_ratchet_free(e->ratchets[i]);
		free(e->ratchets);
	}
	free(e->occupied);
	free(e->context);
	pthread_mutex_destroy(&e->tree_lock);
	OPENSSL_cleanse(e, sizeof(*e));
}

/* ------------------------------------------------ secret tree, ratchets */

static unsigned int node_level(uint32_t x)
{
	unsigned int k = 0;

	while (x & 1) {
		x >>= 1;
		k++;
	}
	return k;
}

/*
 * The application ratchet of @leaf, derived on first use from the
 * encryption_secret down the tree (§9): tree nodes are not kept, as the
 * kernel erases them too; only the per-leaf ratchet is.
 */
static struct us_ratchet *us_ratchet(struct us_epoch *e, uint32_t leaf)
{
	const struct mb_suite *s = e->suite;
	struct us_ratchet *r;
	uint8_t secret[MB_MAX_NH];
	uint32_t root = 0, x, target = 2 * leaf;
	unsigned int k = 0;

	if (leaf >= e->leaf_count)
		return NULL;
	r = __atomic_load_n(&e->ratchets[leaf], __ATOMIC_ACQUIRE);
	if (r)
		return r;

	pthread_mutex_lock(&e->tree_lock);
	r = e->ratchets[leaf];
	if (r)
		goto out;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out;
	r->out_of_order = 64;
	r->skipped = calloc(r->out_of_order, sizeof(*r->skipped));
	if (!r->skipped) {
		free(r);
		r = NULL;
		goto out;
	}
	pthread_mutex_init(&r->lock, NULL);

	while ((1u << k) < e->leaf_count)
		k++;
	root = (1u << k) - 1;
	memcpy(secret, e->encryption, s->nh);
	x = root;
	while (x != target) {
		unsigned int lv = node_level(x);
		bool left = target < x;

		x = left ? x ^ (1u << (lv - 1)) : x ^ (3u << (lv - 1));
		if (us_expand_with_label(s, secret, "tree",
					 (const uint8_t *)(left ? "left" : "right"),
					 left ? 4 : 5, secret, s->nh))
			abort();
	}
	if (us_expand_with_label(s, secret, "application", NULL, 0, r->secret,
				 s->nh))
		abort();
	OPENSSL_cleanse(secret, sizeof(secret));
	r->ready = true;
	__atomic_store_n(&e->ratchets[leaf], r, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&e->tree_lock);
	return r;
}

/* The step of one generation: key, nonce and the next secret. */
static int ratchet_step(const struct mb_suite *s, struct us_ratchet *r,
			uint8_t *key, uint8_t *nonce)
{
	uint32_t g = r->next;
	int ret;

	if (g == UINT32_MAX)
		return -EOVERFLOW;
	ret = us_derive_tree_secret(s, r->secret, "key", g, key, s->nk) ?:
	      us_derive_tree_secret(s, r->secret, "nonce", g, nonce,
				    MB_NONCE_LEN) ?:
	      us_derive_tree_secret(s, r->secret, "secret", g, r->secret,
				    s->nh);
	if (!ret)
		r->next++;
	return ret;
}

static int send_key(struct us_epoch *e, uint8_t *key, uint8_t *nonce,
		    uint32_t *gen)
{
	struct us_ratchet *r = us_ratchet(e, e->own_leaf);
	int ret;

	if (!r)
		return -ENOMEM;
	pthread_mutex_lock(&r->lock);
	*gen = r->next;
	ret = ratchet_step(e->suite, r, key, nonce);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static struct us_skipped *skipped_find(struct us_ratchet *r, uint32_t gen)
{
	unsigned int i;

	for (i = 0; i < r->out_of_order; i++)
		if (r->skipped[i].used && r->skipped[i].gen == gen)
			return &r->skipped[i];
	return NULL;
}

/* A free slot; when full, the oldest generation's key is erased. */
static struct us_skipped *skipped_slot(struct us_ratchet *r)
{
	struct us_skipped *oldest = NULL;
	unsigned int i;

	for (i = 0; i < r->out_of_order; i++) {
		struct us_skipped *k = &r->skipped[i];

		if (!k->used)
			return k;
		if (!oldest || k->gen < oldest->gen)
			oldest = k;
	}
	OPENSSL_cleanse(oldest, sizeof(*oldest));
	return oldest;
}

/*
 * The key of (@leaf, @gen), not consumed: the ratchet moves forward to
 * @gen if needed, the keys it passes (and @gen's) kept until consumed.
 */
static int recv_key(struct us_epoch *e, struct us_ratchet *r, uint32_t gen,
		    uint8_t *key, uint8_t *nonce)
{
	const struct mb_suite *s = e->suite;
	struct us_skipped *k;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	if (gen >= r->next && gen - r->next > US_MAX_FORWARD) {
		ret = -ERANGE;
		goto out;
	}
	while (gen >= r->next) {
		uint32_t g = r->next;

		k = skipped_slot(r);
		ret = ratchet_step(s, r, k->key, k->nonce);
		if (ret)
			goto out;
		k->gen = g;
		k->used = true;
	}
	k = skipped_find(r, gen);
	if (!k) {
		ret = -EALREADY;
		goto out;
	}
	memcpy(key, k->key, s->nk);
	memcpy(nonce, k->nonce, MB_NONCE_LEN);
out:
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static int recv_consume(struct us_ratchet *r, uint32_t gen)
{
	struct us_skipped *k;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	k = skipped_find(r, gen);
	if (k)
		OPENSSL_cleanse(k, sizeof(*k));
	else
		ret = -EALREADY;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

/* ------------------------------------------------------------- AEAD */

static EVP_CIPHER_CTX *cipher_ctx(EVP_CIPHER_CTX **slot, int aead, int enc)
{
	if (!*slot) {
		*slot = EVP_CIPHER_CTX_new();
		if (!*slot || !EVP_CipherInit_ex(*slot, us_cipher[aead], NULL,
						 NULL, NULL, enc))
			abort();
	}
	return *slot;
}

/* In place: @buf holds the plaintext, then gets the ciphertext; tag after. */
static int aead_seal(EVP_CIPHER_CTX *c, const uint8_t *key,
		     const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		     uint8_t *buf, size_t len, uint8_t *tag)
{
	int l;

	if (!EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) ||
	    (aad_len && !EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len)) ||
	    !EVP_EncryptUpdate(c, buf, &l, buf, (int)len) ||
	    !EVP_EncryptFinal_ex(c, buf + l, &l) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, MB_TAG_LEN, tag))
		return -EINVAL;
	return 0;
}

static int aead_open(EVP_CIPHER_CTX *c, const uint8_t *key,
		     const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		     const uint8_t *ct, size_t len, const uint8_t *tag,
		     uint8_t *pt)
{
	int l;

	if (!EVP_DecryptInit_ex(c, NULL, NULL, key, nonce) ||
	    (aad_len && !EVP_DecryptUpdate(c, NULL, &l, aad, (int)aad_len)) ||
	    !EVP_DecryptUpdate(c, pt, &l, ct, (int)len) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, MB_TAG_LEN,
				 (void *)tag))
		return -EINVAL;
	if (EVP_DecryptFinal_ex(c, pt + l, &l) != 1) {
		OPENSSL_cleanse(pt, len);
		return -EBADMSG;
	}
	return 0;
}

static void sender_data_key(const struct us_epoch *e, const uint8_t *ct,
			    size_t ct_len, uint8_t *key, uint8_t *nonce)
{
	const struct mb_suite *s = e->suite;
	size_t sample = ct_len < s->nh ? ct_len : s->nh;

	if (us_expand_with_label(s, e->sender_data, "key", ct, sample, key,
				 s->nk) ||
	    us_expand_with_label(s, e->sender_data, "nonce", ct, sample, nonce,
				 MB_NONCE_LEN))
		abort();
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------- PrivateMessage (§6.3) */

long us_protect(struct us_epoch *e, const uint8_t *data, size_t data_len,
		const uint8_t *sig, size_t sig_len, uint8_t *out, size_t cap,
		uint32_t *generation)
{
	const struct mb_suite *s = e->suite;
	struct us_tls *t = tls();
	EVP_CIPHER_CTX *c = cipher_ctx(&t->enc[s->aead], s->aead, 1);
	uint8_t key[MB_MAX_NK], nonce[MB_NONCE_LEN], guard[4];
	uint8_t sd_key[MB_MAX_NK], sd_nonce[MB_NONCE_LEN];
	size_t pt_len, ct_len, sd_aad_len, aad_len, esd_off, ct_off, len, n;
	uint32_t gen;
	int i, ret;

	pt_len = varint_size(data_len) + data_len + varint_size(sig_len) +
		 sig_len;
	ct_len = pt_len + MB_TAG_LEN;
	sd_aad_len = 1 + MB_GROUP_ID_LEN + 8 + 1;
	aad_len = sd_aad_len + 1;			/* empty authenticated_data */
	esd_off = 4 + aad_len + 1;
	ct_off = esd_off + MB_SD_SEALED + varint_size(ct_len);
	len = ct_off + ct_len;
	if (len > cap)
		return -ENOSPC;

	/* Header: version, wire format, then the content AAD in place. */
	n = 0;
	out[n++] = 0;
	out[n++] = 1;
	out[n++] = 0;
	out[n++] = 2;
	n += varint_put(out + n, MB_GROUP_ID_LEN);
	memcpy(out + n, e->group_id, MB_GROUP_ID_LEN);
	n += MB_GROUP_ID_LEN;
	for (i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(e->epoch >> (8 * i));
	out[n++] = MLS_CONTENT_APPLICATION;
	out[n++] = 0;					/* authenticated_data<V> */
	out[n++] = MB_SD_SEALED;
	n += MB_SD_SEALED;
	n += varint_put(out + n, (uint32_t)ct_len);
	/* The body, copied once, where its ciphertext goes. */
	n += varint_put(out + n, (uint32_t)data_len);
	memcpy(out + n, data, data_len);
	n += data_len;
	n += varint_put(out + n, (uint32_t)sig_len);
	memcpy(out + n, sig, sig_len);

	ret = send_key(e, key, nonce, &gen);
	if (ret)
		goto out;
	if (RAND_bytes(guard, sizeof(guard)) != 1) {
		ret = -EIO;
		goto out;
	}
	for (i = 0; i < 4; i++)
		nonce[i] ^= guard[i];
	ret = aead_seal(c, key, nonce, out + 4, aad_len, out + ct_off, pt_len,
			out + ct_off + pt_len);
	if (ret)
		goto out;

	sender_data_key(e, out + ct_off, ct_len, sd_key, sd_nonce);
	put_be32(out + esd_off, e->own_leaf);
	put_be32(out + esd_off + 4, gen);
	memcpy(out + esd_off + 8, guard, 4);
	ret = aead_seal(c, sd_key, sd_nonce, out + 4, sd_aad_len,
			out + esd_off, MB_SD_LEN, out + esd_off + MB_SD_LEN);
	*generation = gen;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(nonce, sizeof(nonce));
	OPENSSL_cleanse(sd_key, sizeof(sd_key));
	OPENSSL_cleanse(sd_nonce, sizeof(sd_nonce));
	if (ret) {
		OPENSSL_cleanse(out, len);
		return ret;
	}
	return (long)len;
}

/* One vector<V> at @off; 0 when malformed. */
static size_t vec_at(const uint8_t *m, size_t len, size_t off,
		     size_t *voff, size_t *vlen)
{
	uint32_t v;
	size_t n;

	if (off > len)
		return 0;
	n = varint_get(m + off, len - off, &v);
	if (!n || len - off - n < v)
		return 0;
	*voff = off + n;
	*vlen = v;
	return n + v;
}

int us_unprotect(struct us_epoch *e, const uint8_t *msg, size_t len,
		 uint8_t *pt, size_t pt_cap, struct us_received *r)
{
	const struct mb_suite *s = e->suite;
	struct us_tls *t = tls();
	EVP_CIPHER_CTX *c = cipher_ctx(&t->dec[s->aead], s->aead, 0);
	uint8_t sd_key[MB_MAX_NK], sd_nonce[MB_NONCE_LEN], sd[MB_SD_LEN];
	uint8_t key[MB_MAX_NK], nonce[MB_NONCE_LEN];
	size_t off = 4, n, gid_off, gid_len, ad_off, ad_len, esd_off, esd_len;
	size_t ct_off, ct_len, sd_aad_len, aad_len, pt_len, d_off, s_off;
	struct us_ratchet *rt;
	uint64_t epoch = 0;
	uint32_t leaf, gen;
	int i, ret;

	if (len < 4 || msg[0] || msg[1] != 1 || msg[2] || msg[3] != 2)
		return -EBADMSG;
	n = vec_at(msg, len, off, &gid_off, &gid_len);
	if (!n || gid_len != MB_GROUP_ID_LEN ||
	    memcmp(msg + gid_off, e->group_id, MB_GROUP_ID_LEN))
		return -EBADMSG;
	off += n;
	if (len - off < 9)
		return -EBADMSG;
	for (i = 0; i < 8; i++)
		epoch = epoch << 8 | msg[off + i];
	off += 8;
	if (epoch != e->epoch || msg[off] != MLS_CONTENT_APPLICATION)
		return -EBADMSG;
	off++;
	sd_aad_len = off - 4;
	n = vec_at(msg, len, off, &ad_off, &ad_len);
	if (!n)
		return -EBADMSG;
	off += n;
	aad_len = off - 4;
	n = vec_at(msg, len, off, &esd_off, &esd_len);
	if (!n || esd_len != MB_SD_SEALED)
		return -EBADMSG;
	off += n;
	n = vec_at(msg, len, off, &ct_off, &ct_len);
	if (!n || ct_len < MB_TAG_LEN || off + n != len)
		return -EBADMSG;
	pt_len = ct_len - MB_TAG_LEN;
	if (pt_len > pt_cap)
		return -ENOSPC;

	sender_data_key(e, msg + ct_off, ct_len, sd_key, sd_nonce);
	ret = aead_open(c, sd_key, sd_nonce, msg + 4, sd_aad_len,
			msg + esd_off, MB_SD_LEN, msg + esd_off + MB_SD_LEN, sd);
	OPENSSL_cleanse(sd_key, sizeof(sd_key));
	OPENSSL_cleanse(sd_nonce, sizeof(sd_nonce));
	if (ret)
		return ret;
	leaf = get_be32(sd);
	gen = get_be32(sd + 4);
	if (leaf >= e->leaf_count || leaf == e->own_leaf ||
	    !(e->occupied[leaf / 8] & (1u << (leaf % 8))))
		return -EBADMSG;
	rt = us_ratchet(e, leaf);
	if (!rt)
		return -ENOMEM;
	ret = recv_key(e, rt, gen, key, nonce);
	if (ret)
		goto out;
	for (i = 0; i < 4; i++)
		nonce[i] ^= sd[8 + i];
	ret = aead_open(c, key, nonce, msg + 4, aad_len, msg + ct_off, pt_len,
			msg + ct_off + pt_len, pt);
	if (ret)
		goto out;

	/* application_data<V> signature<V> and zero padding. */
	n = vec_at(pt, pt_len, 0, &d_off, &r->data_len);
	ret = -EBADMSG;
	if (!n)
		goto wipe;
	off = n;
	n = vec_at(pt, pt_len, off, &s_off, &r->sig_len);
	if (!n)
		goto wipe;
	for (off += n; off < pt_len; off++)
		if (pt[off])
			goto wipe;
	ret = recv_consume(rt, gen);
	if (ret)
		goto wipe;
	r->sender = leaf;
	r->generation = gen;
	r->data = pt + d_off;
	r->sig = pt + s_off;
	goto out;
wipe:
	OPENSSL_cleanse(pt, pt_len);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(nonce, sizeof(nonce));
	OPENSSL_cleanse(sd, sizeof(sd));
	return ret;
}

/* ------------------------------------------------------------ raw AEAD */

int us_raw_setkey(const struct mb_suite *s, const uint8_t *key)
{
	struct us_tls *t = tls();
	EVP_CIPHER_CTX *e = cipher_ctx(&t->raw_enc[s->aead], s->aead, 1);
	EVP_CIPHER_CTX *d = cipher_ctx(&t->raw_dec[s->aead], s->aead, 0);
	static const uint8_t iv[MB_NONCE_LEN];

	if (!EVP_EncryptInit_ex(e, NULL, NULL, key, iv) ||
	    !EVP_DecryptInit_ex(d, NULL, NULL, key, iv))
		return -EINVAL;
	return 0;
}

int us_raw_seal(const struct mb_suite *s, const uint8_t *nonce,
		const uint8_t *pt, size_t len, uint8_t *ct, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = tls()->raw_enc[s->aead];
	int l;

	if (!c || !EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce) ||
	    !EVP_EncryptUpdate(c, ct, &l, pt, (int)len) ||
	    !EVP_EncryptFinal_ex(c, ct + l, &l) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, MB_TAG_LEN, tag))
		return -EINVAL;
	return 0;
}

int us_raw_open(const struct mb_suite *s, const uint8_t *nonce,
		const uint8_t *ct, size_t len, const uint8_t *tag, uint8_t *pt)
{
	EVP_CIPHER_CTX *c = tls()->raw_dec[s->aead];
	int l;

	if (!c || !EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) ||
	    !EVP_DecryptUpdate(c, pt, &l, ct, (int)len) ||
	    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, MB_TAG_LEN,
				 (void *)tag))
		return -EINVAL;
	return EVP_DecryptFinal_ex(c, pt + l, &l) == 1 ? 0 : -EBADMSG;
}

void us_thread_warm(const struct mb_suite *s)
{
	struct us_tls *t = tls();

	mac_ctx(s);
	cipher_ctx(&t->enc[s->aead], s->aead, 1);
	cipher_ctx(&t->dec[s->aead], s->aead, 0);
	cipher_ctx(&t->raw_enc[s->aead], s->aead, 1);
	cipher_ctx(&t->raw_dec[s->aead], s->aead, 0);
}
