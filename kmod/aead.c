// SPDX-License-Identifier: GPL-2.0
/*
 * AEAD for message protection: gcm(aes) and rfc7539(chacha20,poly1305).
 *
 * Every message has its own key (one ratchet generation), and many threads
 * seal for one group at once, so a tfm cannot belong to a group: its key
 * would have to change under the other users. Instead each AEAD has a pool
 * of tfms, one slot per CPU, each with its own mutex and a preallocated
 * request. A call takes the slot of the CPU it starts on, which is only a
 * way to spread the load: the mutex, not the CPU, makes the slot its own,
 * so being preempted or migrated while holding it is harmless.
 *
 * Forward secrecy: once a message is done, the slot's tfm is rekeyed with
 * zeros and its request wiped before the slot is released, so that no
 * consumed message key (nor a GHASH key derived from it) outlives the call
 * in a tfm context.
 *
 * A batch of messages instead owns one tfm for all its messages (struct
 * mls_aead_tfm), rekeyed for each operation without the zero key in
 * between; the request is still wiped after every operation, and the
 * zero key set once the batch gives the tfm back. Which key the batch
 * lets stay in it from one operation to the next is the batch's rule
 * (kmod/batch.c).
 *
 * Any implementation is accepted, asynchronous ones too: the best AES-GCM
 * on x86 (generic-gcm-aesni, AES-NI and PCLMUL, constant time) is only
 * offered as asynchronous, while the synchronous fallback is table-based
 * AES and GHASH. The call waits for the request (crypto_wait_req), so it
 * still completes inside the call, under the slot's mutex.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "aead.h"
#include "quota.h"

#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/chacha.h>
#include <asm/unaligned.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

/* Scatterlist entries on the stack: a vmalloc'd buffer of up to 3 pages. */
#define MLS_AEAD_SG_STACK	4

struct mls_aead_slot {
	struct mutex lock;	/* owns tfm, req and the key in tfm */
	struct crypto_aead *tfm;
	struct aead_request *req;
};

static const char * const mls_aead_names[MLS_AEAD_COUNT] = {
	[MLS_AEAD_AES_GCM] = "gcm(aes)",
	[MLS_AEAD_CHACHA20_POLY1305] = "rfc7539(chacha20,poly1305)",
};

static struct mls_aead_slot __percpu *mls_aead_pool[MLS_AEAD_COUNT];

/**
 * struct mls_aead_tfm - a tfm that one caller owns for a run of messages
 * @slot: the tfm and its request (@slot.lock is not used: no one else
 *	sees it)
 * @node: in mls_aead_spare while no one owns it
 * @alg: its AEAD
 * @nk: the key length of the suite it serves; an operation of another
 *	suite goes to the pool
 *
 * A batch of messages takes one (mls_aead_tfm_get()) and rekeys it for
 * each operation, without the zero key in between: its owner decides
 * which key may stay in it until the next operation, and
 * mls_aead_tfm_put() sets the zero key before the tfm is cached or
 * freed. No lock is held while it is owned: a batch copies from and to
 * userspace between its messages, which may fault and sleep for as long
 * as the caller makes it, and must not stall other callers.
 */
struct mls_aead_tfm {
	struct mls_aead_slot slot;
	struct list_head node;
	enum mls_aead_alg alg;
	unsigned int nk;
};

/*
 * Wiped tfms kept for the next batch (allocating one costs more than a
 * batch saves at the smallest sizes), at most one per possible CPU for
 * each AEAD. The spinlock covers the lists only, never an operation.
 */
static DEFINE_SPINLOCK(mls_aead_spare_lock);
static struct list_head mls_aead_spare[MLS_AEAD_COUNT] = {
	LIST_HEAD_INIT(mls_aead_spare[0]),
	LIST_HEAD_INIT(mls_aead_spare[1]),
};

static unsigned int mls_aead_spares[MLS_AEAD_COUNT];

/* The suite's AEAD is one we know, with a key length it takes. */
static int mls_aead_suite_ok(const struct mls_suite *s)
{
	if (s->aead >= MLS_AEAD_COUNT || !mls_aead_pool[s->aead] ||
	    !(s->nk == 16 || s->nk == 32) ||
	    (s->aead == MLS_AEAD_CHACHA20_POLY1305 && s->nk != 32))
		return -EINVAL;
	return 0;
}

static void mls_aead_slot_free(struct mls_aead_slot *slot)
{
	aead_request_free(slot->req);
	crypto_free_aead(slot->tfm);
	slot->req = NULL;
	slot->tfm = NULL;
}

static int mls_aead_slot_alloc(struct mls_aead_slot *slot,
			       enum mls_aead_alg alg)
{
	struct crypto_aead *tfm;
	int ret;

	tfm = crypto_alloc_aead(mls_aead_names[alg], 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	slot->tfm = tfm;
	ret = crypto_aead_setauthsize(tfm, MLS_TAG_LEN);
	if (!ret && crypto_aead_ivsize(tfm) != MLS_NONCE_LEN)
		ret = -EINVAL;
	if (!ret) {
		slot->req = aead_request_alloc(tfm, GFP_KERNEL);
		if (!slot->req)
			ret = -ENOMEM;
	}
	if (ret)
		mls_aead_slot_free(slot);
	return ret;
}

/*
 * Leave nothing of the message's key behind (the request was wiped after
 * its operation, mls_aead_do()). If the zero key cannot be
 * set (gcm's setkey allocates), the tfm may hold part of the old key, so
 * it goes, and the next user of the slot allocates another.
 */
static void mls_aead_slot_wipe(struct mls_aead_slot *slot, unsigned int nk)
{
	static const u8 zero_key[MLS_MAX_KEY_LEN];

	if (crypto_aead_setkey(slot->tfm, zero_key, nk))
		mls_aead_slot_free(slot);
}

static void mls_aead_tfm_free(struct mls_aead_tfm *t)
{
	mls_aead_slot_free(&t->slot);
	kfree(t);
}

/**
 * mls_aead_tfm_wipe() - set the zero key in a tfm of one's own
 * @t: the tfm
 *
 * If the zero key cannot be set, the tfm is freed and @t serves no more
 * operation of its own (they go to the pool).
 */
void mls_aead_tfm_wipe(struct mls_aead_tfm *t)
{
	if (t->slot.tfm)
		mls_aead_slot_wipe(&t->slot, t->nk);
}

/**
 * mls_aead_tfm_get() - a tfm of one's own for the AEAD of @s
 * @s: the suite
 *
 * Context: process context, may sleep.
 * Return: the tfm, holding the zero key; NULL without memory or for a
 * suite the pool does not serve (the caller then seals through the pool).
 */
struct mls_aead_tfm *mls_aead_tfm_get(const struct mls_suite *s)
{
	struct mls_aead_tfm *t = NULL;

	if (mls_aead_suite_ok(s))
		return NULL;
	spin_lock(&mls_aead_spare_lock);
	if (!list_empty(&mls_aead_spare[s->aead])) {
		t = list_first_entry(&mls_aead_spare[s->aead],
				     struct mls_aead_tfm, node);
		list_del(&t->node);
		mls_aead_spares[s->aead]--;
	}
	spin_unlock(&mls_aead_spare_lock);
	if (!t) {
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t)
			return NULL;
		t->alg = s->aead;
		if (mls_aead_slot_alloc(&t->slot, s->aead)) {
			kfree(t);
			return NULL;
		}
	}
	t->nk = s->nk;
	return t;
}

/**
 * mls_aead_tfm_put() - wipe and give back a tfm of one's own
 * @t: the tfm, or NULL
 *
 * Sets the zero key of the last suite served, so that no key of the
 * owner's outlives this call; then keeps the tfm for another caller or
 * frees it.
 *
 * Context: process context, may sleep.
 */
void mls_aead_tfm_put(struct mls_aead_tfm *t)
{
	bool keep = false;

	if (!t)
		return;
	mls_aead_tfm_wipe(t);
	if (t->slot.tfm) {
		spin_lock(&mls_aead_spare_lock);
		if (mls_aead_spares[t->alg] < num_possible_cpus()) {
			list_add(&t->node, &mls_aead_spare[t->alg]);
			mls_aead_spares[t->alg]++;
			keep = true;
		}
		spin_unlock(&mls_aead_spare_lock);
	}
	if (!keep)
		mls_aead_tfm_free(t);
}

/*
 * A scatterlist over @len bytes at @buf. A kvmalloc'd buffer (a large
 * message) or a buffer on a vmapped stack is virtually contiguous only, so
 * it is described page by page; up to MLS_AEAD_SG_STACK pages need no
 * allocation.
 */
static int mls_aead_map(u8 *buf, size_t len, struct scatterlist *stack,
			struct sg_table *table, struct scatterlist **sgl)
{
	unsigned int off = offset_in_page(buf);
	unsigned int nents, i;
	struct scatterlist *sg;
	int ret;

	if (!is_vmalloc_addr(buf)) {
		/* Not in the linear map (module data, say): no pages. */
		if (!virt_addr_valid(buf))
			return -EINVAL;
		sg_init_one(stack, buf, len);
		*sgl = stack;
		return 0;
	}

	nents = DIV_ROUND_UP(off + len, PAGE_SIZE);
	if (nents <= MLS_AEAD_SG_STACK) {
		sg_init_table(stack, nents);
		*sgl = stack;
	} else {
		ret = sg_alloc_table(table, nents, MLS_GFP_USER);
		if (ret)
			return ret;
		*sgl = table->sgl;
	}
	for_each_sg(*sgl, sg, nents, i) {
		unsigned int n = min_t(size_t, len, PAGE_SIZE - off);

		sg_set_page(sg, vmalloc_to_page(buf), n, off);
		buf += n;
		len -= n;
		off = 0;
	}
	return 0;
}

/*
 * One operation from @src to @dst (the same list: in place) on @slot,
 * which the caller owns. @len is the plaintext length when sealing, the
 * ciphertext length with its tag when opening; both lists start with
 * @aad_len bytes of additional data. The request is wiped after; the key
 * stays in the tfm.
 */
static int mls_aead_do(struct mls_aead_slot *slot, const struct mls_suite *s,
		       const u8 *key, const u8 *nonce, struct scatterlist *src,
		       struct scatterlist *dst, size_t aad_len, size_t len,
		       bool seal)
{
	DECLARE_CRYPTO_WAIT(wait);
	u8 iv[MLS_NONCE_LEN];
	int ret;

	memcpy(iv, nonce, sizeof(iv));
	ret = crypto_aead_setkey(slot->tfm, key, s->nk);
	if (!ret) {
		aead_request_set_tfm(slot->req, slot->tfm);
		aead_request_set_callback(slot->req, CRYPTO_TFM_REQ_MAY_BACKLOG |
					  CRYPTO_TFM_REQ_MAY_SLEEP,
					  crypto_req_done, &wait);
		aead_request_set_crypt(slot->req, src, dst, len, iv);
		aead_request_set_ad(slot->req, aad_len);
		ret = crypto_wait_req(seal ? crypto_aead_encrypt(slot->req) :
					     crypto_aead_decrypt(slot->req),
				      &wait);
	}
	memzero_explicit(slot->req,
			 sizeof(*slot->req) + crypto_aead_reqsize(slot->tfm));
	memzero_explicit(iv, sizeof(iv));
	return ret;
}

/*
 * One operation on @own, a tfm of the caller's own whose key it keeps
 * (struct mls_aead_tfm), or else on the pool's slot of this CPU, wiped
 * before it is released.
 */
static int mls_aead_run(struct mls_aead_tfm *own, const struct mls_suite *s,
			const u8 *key, const u8 *nonce, struct scatterlist *src,
			struct scatterlist *dst, size_t aad_len, size_t len,
			bool seal)
{
	struct mls_aead_slot *slot;
	int ret;

	if (own && own->slot.tfm && own->alg == s->aead && own->nk == s->nk) {
		ret = mls_aead_do(&own->slot, s, key, nonce, src, dst,
				  aad_len, len, seal);
		/* A failed setkey may have left part of the key: wipe now. */
		if (ret && ret != -EBADMSG)
			mls_aead_tfm_wipe(own);
		return ret;
	}
	slot = raw_cpu_ptr(mls_aead_pool[s->aead]);
	mutex_lock(&slot->lock);
	if (!slot->tfm) {
		ret = mls_aead_slot_alloc(slot, s->aead);
		if (ret)
			goto unlock;
	}
	ret = mls_aead_do(slot, s, key, nonce, src, dst, aad_len, len, seal);
	mls_aead_slot_wipe(slot, s->nk);
unlock:
	mutex_unlock(&slot->lock);
	return ret;
}

/*
 * One in-place operation. @len is the plaintext length when sealing, the
 * ciphertext length with its tag when opening; the buffer covers
 * @aad_len + @len (+ the tag when sealing) bytes.
 */
static int mls_aead_crypt(struct mls_aead_tfm *own, const struct mls_suite *s,
			  const u8 *key, const u8 *nonce, u8 *buf,
			  size_t aad_len, size_t len, bool seal)
{
	struct scatterlist stack[MLS_AEAD_SG_STACK], *sgl;
	struct sg_table table = {};
	size_t data_len = seal ? len + MLS_TAG_LEN : len;
	int ret;

	ret = mls_aead_suite_ok(s);
	if (ret)
		return ret;
	/* The crypto API counts in unsigned int. */
	if (len > UINT_MAX - MLS_TAG_LEN || aad_len > UINT_MAX - data_len)
		return -EINVAL;

	ret = mls_aead_map(buf, aad_len + data_len, stack, &table, &sgl);
	if (ret)
		return ret;
	ret = mls_aead_run(own, s, key, nonce, sgl, sgl, aad_len, len, seal);
	/* Neither half-sealed data nor unauthenticated plaintext leaves. */
	if (ret)
		memzero_explicit(buf + aad_len, data_len);
	if (sgl != stack)
		sg_free_table(&table);
	return ret;
}

/**
 * mls_aead_seal() - encrypt in place and append the tag
 * @s: the suite (its AEAD and Nk)
 * @key: Nk bytes, used for this one message
 * @nonce: MLS_NONCE_LEN bytes
 * @buf: aad || plaintext || MLS_TAG_LEN bytes of room; kmalloc'd or
 *	vmalloc'd (kvmalloc), not static data
 * @aad_len: bytes of additional data at @buf
 * @pt_len: bytes of plaintext after them
 *
 * On success buf + aad_len holds the ciphertext and its tag
 * (@pt_len + MLS_TAG_LEN bytes). If the cipher fails, that region is zeroed.
 * No trace of @key is left in the crypto API's state.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL (suite, lengths or buffer) or -ENOMEM.
 */
int mls_aead_seal(const struct mls_suite *s, const u8 *key, const u8 *nonce,
		  u8 *buf, size_t aad_len, size_t pt_len)
{
	return mls_aead_crypt(NULL, s, key, nonce, buf, aad_len, pt_len, true);
}

/**
 * mls_aead_open() - verify and decrypt in place
 * @s: the suite (its AEAD and Nk)
 * @key: Nk bytes
 * @nonce: MLS_NONCE_LEN bytes
 * @buf: aad || ciphertext || tag; kmalloc'd or vmalloc'd, not static data
 * @aad_len: bytes of additional data at @buf
 * @ct_len: bytes of ciphertext after them, the tag included
 *
 * On success the plaintext, @ct_len - MLS_TAG_LEN bytes, is at
 * buf + aad_len. On failure the @ct_len bytes at buf + aad_len are zeroed:
 * the ciphers decrypt before they check the tag, and unauthenticated
 * plaintext must not reach anyone. A caller that wants to retry with
 * another key has to keep its own copy of the ciphertext.
 *
 * Context: process context, may sleep.
 * Return: 0, -EBADMSG (authentication failed, or @ct_len shorter than a
 * tag), -EINVAL (suite, lengths or buffer) or -ENOMEM.
 */
int mls_aead_open(const struct mls_suite *s, const u8 *key, const u8 *nonce,
		  u8 *buf, size_t aad_len, size_t ct_len)
{
	if (ct_len < MLS_TAG_LEN)
		return -EBADMSG;
	return mls_aead_crypt(NULL, s, key, nonce, buf, aad_len, ct_len, false);
}

/**
 * mls_aead_seal_on() - mls_aead_seal() on a tfm of one's own
 * @t: from mls_aead_tfm_get(), or NULL for the pool
 * @s: the suite; of another key length than @t's, the pool serves it
 * @key: Nk bytes
 * @nonce: MLS_NONCE_LEN bytes
 * @buf: as for mls_aead_seal()
 * @aad_len: bytes of additional data at @buf
 * @pt_len: bytes of plaintext after them
 *
 * As mls_aead_seal(), except that @key stays in @t until its next
 * operation or mls_aead_tfm_put(), or mls_aead_tfm_wipe() (which a failure
 * other than a tag's does itself).
 *
 * Context: process context, may sleep.
 * Return: as mls_aead_seal().
 */
int mls_aead_seal_on(struct mls_aead_tfm *t, const struct mls_suite *s,
		     const u8 *key, const u8 *nonce, u8 *buf, size_t aad_len,
		     size_t pt_len)
{
	return mls_aead_crypt(t, s, key, nonce, buf, aad_len, pt_len, true);
}

/**
 * mls_aead_open_on() - mls_aead_open() on a tfm of one's own
 * @t: from mls_aead_tfm_get(), or NULL for the pool
 * @s: the suite
 * @key: Nk bytes
 * @nonce: MLS_NONCE_LEN bytes
 * @buf: as for mls_aead_open()
 * @aad_len: bytes of additional data at @buf
 * @ct_len: bytes of ciphertext after them, the tag included
 *
 * As mls_aead_open(), except that @key stays in @t, as with
 * mls_aead_seal_on().
 *
 * Context: process context, may sleep.
 * Return: as mls_aead_open().
 */
int mls_aead_open_on(struct mls_aead_tfm *t, const struct mls_suite *s,
		     const u8 *key, const u8 *nonce, u8 *buf, size_t aad_len,
		     size_t ct_len)
{
	if (ct_len < MLS_TAG_LEN)
		return -EBADMSG;
	return mls_aead_crypt(t, s, key, nonce, buf, aad_len, ct_len, false);
}

/**
 * mls_aead_open_to() - verify and decrypt into another buffer
 * @s: the suite (its AEAD and Nk)
 * @key: Nk bytes
 * @nonce: MLS_NONCE_LEN bytes
 * @buf: aad || ciphertext || tag, as for mls_aead_open(); left unchanged
 * @aad_len: bytes of additional data at @buf
 * @ct_len: bytes of ciphertext after them, the tag included
 * @dst: where the plaintext goes: a scatterlist whose first @aad_len
 *	bytes hold a copy of the additional data (the crypto API skips or
 *	copies it there; kTLS lists it in both lists too), followed by
 *	@ct_len - MLS_TAG_LEN bytes for the plaintext
 *
 * Unlike mls_aead_open(), @dst is not wiped on failure: the ciphers write
 * it before they check the tag, so the caller must wipe it whenever this
 * returns an error.
 *
 * Context: process context, may sleep.
 * Return: 0, -EBADMSG (authentication failed, or @ct_len shorter than a
 * tag), -EINVAL (suite, lengths or buffer) or -ENOMEM.
 */
int mls_aead_open_to(const struct mls_suite *s, const u8 *key,
		     const u8 *nonce, const u8 *buf, size_t aad_len,
		     size_t ct_len, struct scatterlist *dst)
{
	struct scatterlist stack[MLS_AEAD_SG_STACK], *sgl;
	struct sg_table table = {};
	int ret;

	if (ct_len < MLS_TAG_LEN)
		return -EBADMSG;
	ret = mls_aead_suite_ok(s);
	if (ret)
		return ret;
	if (ct_len > UINT_MAX || aad_len > UINT_MAX - ct_len)
		return -EINVAL;
	/* Only read through @sgl: the cast is the scatterlist's. */
	ret = mls_aead_map((u8 *)buf, aad_len + ct_len, stack, &table, &sgl);
	if (ret)
		return ret;
	ret = mls_aead_run(NULL, s, key, nonce, sgl, dst, aad_len, ct_len,
			   false);
	if (sgl != stack)
		sg_free_table(&table);
	return ret;
}

/**
 * mls_aead_peek() - the first bytes of a ciphertext's plaintext, not
 *	authenticated
 * @s: the suite (its AEAD and Nk)
 * @key: Nk bytes
 * @nonce: MLS_NONCE_LEN bytes
 * @ct: the ciphertext
 * @out: (out) the first @n bytes of its plaintext
 * @n: at most 16, and no more than the ciphertext has
 *
 * Both AEADs are stream ciphers: the plaintext's first block is the
 * ciphertext's XOR the first block of key stream, which is computed
 * here with the kernel's library code, without a tfm: counter 2 of
 * GCM (SP 800-38D: counter 1 is the tag's), block 1 of ChaCha20 (RFC
 * 8439: block 0 is the Poly1305 key). Nothing here is authenticated: it
 * may only serve to lay out where mls_aead_open_to() writes, never to
 * decide a result. No key material is left behind.
 *
 * Context: any.
 * Return: 0, or -EINVAL (suite, @n).
 */
int mls_aead_peek(const struct mls_suite *s, const u8 *key, const u8 *nonce,
		  const u8 *ct, u8 *out, size_t n)
{
	u8 block[CHACHA_BLOCK_SIZE];
	int ret = mls_aead_suite_ok(s);

	if (ret || n > AES_BLOCK_SIZE)
		return ret ?: -EINVAL;
	if (s->aead == MLS_AEAD_AES_GCM) {
		struct crypto_aes_ctx aes;
		u8 ctr[AES_BLOCK_SIZE];

		memcpy(ctr, nonce, MLS_NONCE_LEN);
		put_unaligned_be32(2, ctr + MLS_NONCE_LEN);
		ret = aes_expandkey(&aes, key, s->nk);
		if (!ret)
			aes_encrypt(&aes, block, ctr);
		memzero_explicit(&aes, sizeof(aes));
	} else {
		u32 state[16], k[CHACHA_KEY_SIZE / sizeof(u32)];
		u8 iv[CHACHA_IV_SIZE];
		int i;

		for (i = 0; i < ARRAY_SIZE(k); i++)
			k[i] = get_unaligned_le32(key + 4 * i);
		put_unaligned_le32(1, iv);
		memcpy(iv + 4, nonce, MLS_NONCE_LEN);
		chacha_init_generic(state, k, iv);
		chacha_block_generic(state, block, 20);
		memzero_explicit(state, sizeof(state));
		memzero_explicit(k, sizeof(k));
	}
	if (!ret) {
		memcpy(out, ct, n);
		crypto_xor(out, block, n);
	}
	memzero_explicit(block, sizeof(block));
	return ret;
}

void mls_aead_exit(void)
{
	unsigned int cpu;
	int alg;

	/* mls_aead_spare[] initializes two lists. */
	BUILD_BUG_ON(MLS_AEAD_COUNT != 2);
	for (alg = 0; alg < MLS_AEAD_COUNT; alg++) {
		struct mls_aead_tfm *t, *next;

		list_for_each_entry_safe(t, next, &mls_aead_spare[alg], node)
			mls_aead_tfm_free(t);
		INIT_LIST_HEAD(&mls_aead_spare[alg]);
		mls_aead_spares[alg] = 0;
		if (!mls_aead_pool[alg])
			continue;
		for_each_possible_cpu(cpu) {
			struct mls_aead_slot *slot;

			slot = per_cpu_ptr(mls_aead_pool[alg], cpu);
			mls_aead_slot_free(slot);
			mutex_destroy(&slot->lock);
		}
		free_percpu(mls_aead_pool[alg]);
		mls_aead_pool[alg] = NULL;
	}
}

/*
 * Every slot's tfm is allocated now rather than on first use, so that a
 * kernel without one of the algorithms refuses the module at load time
 * instead of failing messages later.
 */
int mls_aead_init(void)
{
	unsigned int cpu;
	int alg, ret;

	for (alg = 0; alg < MLS_AEAD_COUNT; alg++) {
		mls_aead_pool[alg] = alloc_percpu(struct mls_aead_slot);
		if (!mls_aead_pool[alg]) {
			ret = -ENOMEM;
			goto err;
		}
		for_each_possible_cpu(cpu)
			mutex_init(&per_cpu_ptr(mls_aead_pool[alg], cpu)->lock);
		for_each_possible_cpu(cpu) {
			struct mls_aead_slot *slot;

			slot = per_cpu_ptr(mls_aead_pool[alg], cpu);
			ret = mls_aead_slot_alloc(slot, alg);
			if (ret) {
				pr_err("cannot allocate %s: %d\n",
				       mls_aead_names[alg], ret);
				goto err;
			}
		}
	}
	return 0;

err:
	mls_aead_exit();
	return ret;
}
