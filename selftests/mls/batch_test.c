// SPDX-License-Identifier: GPL-2.0
/*
 * MLS_IOC_ENCRYPT_BATCH and MLS_IOC_DECRYPT_BATCH between two members of
 * one group: A (leaf 0) seals batches, B (leaf 1) opens them, in every
 * suite. Round trips at every size; good and bad messages in one batch,
 * each with its own errno; bad headers, sizes and pointers, in the middle
 * of the array too; forgeries between good messages; both ratchets in one
 * batch; batches racing a commit and a destroy; two threads batching on
 * one group. The errno of each case comes from
 * uapi/linux/mls.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"

#define OVERHEAD	(SIG_MAX + 256)	/* framing of one message, at most */
#define NBATCH		8

/* Room for @n messages of @size bytes: plaintexts, messages, outputs. */
struct lot {
	unsigned int n;
	size_t size, cap;
	uint8_t *data;		/* n * size: message i's content */
	uint8_t *msg;		/* n * cap */
	uint8_t *out;		/* n * cap: decrypted content */
	uint8_t *sig;		/* n * SIG_MAX: decrypted signature */
	struct mls_encrypt_entry *enc;
	struct mls_decrypt_entry *dec;
};

static void lot_free(struct lot *l)
{
	free(l->data);
	free(l->msg);
	free(l->out);
	free(l->sig);
	free(l->enc);
	free(l->dec);
	memset(l, 0, sizeof(*l));
}

static int lot_make(struct lot *l, unsigned int n, size_t size)
{
	memset(l, 0, sizeof(*l));
	l->n = n;
	l->size = size;
	l->cap = size + OVERHEAD;
	l->data = malloc(n * size + 1);
	l->msg = malloc(n * l->cap);
	l->out = malloc(n * l->cap);
	l->sig = malloc(n * SIG_MAX);
	l->enc = calloc(n, sizeof(*l->enc));
	l->dec = calloc(n, sizeof(*l->dec));
	if (!l->data || !l->msg || !l->out || !l->sig || !l->enc || !l->dec) {
		lot_free(l);
		return -ENOMEM;
	}
	rand_bytes(l->data, n * size + 1);
	return 0;
}

/* Entry @i: application message i of @l, signed with @p's stand-in. */
static void lot_enc(struct lot *l, const struct pair *p, unsigned int i)
{
	memset(&l->enc[i], 0, sizeof(l->enc[i]));
	enc_init(&l->enc[i].op, MLS_CONTENT_APPLICATION, NULL, 0,
		 l->data + i * l->size, l->size, p->sig, p->sig_len,
		 l->msg + i * l->cap, l->cap);
	l->enc[i].error = 12345;	/* must be overwritten */
}

/* Entry @i of the decrypt batch: the message entry @i sealed. */
static void lot_dec(struct lot *l, unsigned int i)
{
	struct mls_decrypt *d = &l->dec[i].op;

	memset(&l->dec[i], 0, sizeof(l->dec[i]));
	mbuf(&d->message, l->msg + i * l->cap, l->enc[i].op.message.len);
	mbuf(&d->content, l->out + i * l->cap, l->cap);
	mbuf(&d->signature, l->sig + i * SIG_MAX, SIG_MAX);
	l->dec[i].error = 12345;
}

static int enc_batch(int fd, void *entries, __u32 count, struct mls_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->count = count;
	b->entries = U64(entries);
	b->entry_size = sizeof(struct mls_encrypt_entry);
	return xioctl(fd, MLS_IOC_ENCRYPT_BATCH, b);
}

static int dec_batch(int fd, void *entries, __u32 count, struct mls_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->count = count;
	b->entries = U64(entries);
	b->entry_size = sizeof(struct mls_decrypt_entry);
	return xioctl(fd, MLS_IOC_DECRYPT_BATCH, b);
}

/* The next generation A's application ratchet hands out. */
static int next_gen(struct pair *p, __u32 *gen)
{
	struct msg m;
	int r = grp_encrypt(p->a, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1,
			    p->sig, p->sig_len, &m);

	if (!r)
		*gen = m.gen;
	return r;
}

FIXTURE(batch) {
	struct pair p;
	struct lot l;
};

FIXTURE_VARIANT(batch) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(batch, suite1_aes128gcm_sha256_x25519) { .suite = 1 };
FIXTURE_VARIANT_ADD(batch, suite2_aes128gcm_sha256_p256) { .suite = 2 };
FIXTURE_VARIANT_ADD(batch, suite3_chacha20poly1305_sha256_x25519) { .suite = 3 };
FIXTURE_VARIANT_ADD(batch, suite4_aes256gcm_sha512_x448) { .suite = 4 };
FIXTURE_VARIANT_ADD(batch, suite5_aes256gcm_sha512_p521) { .suite = 5 };
FIXTURE_VARIANT_ADD(batch, suite6_chacha20poly1305_sha512_x448) { .suite = 6 };
FIXTURE_VARIANT_ADD(batch, suite7_aes256gcm_sha384_p384) { .suite = 7 };

FIXTURE_SETUP(batch)
{
	ASSERT_EQ(0, pair_make(&self->p, variant->suite));
	ASSERT_EQ(0, grp_policy1(self->p.a, MLS_POLICY_PADDING_BLOCK, 0));
	ASSERT_EQ(0, grp_policy1(self->p.b, MLS_POLICY_PADDING_BLOCK, 0));
	memset(&self->l, 0, sizeof(self->l));
}

FIXTURE_TEARDOWN(batch)
{
	lot_free(&self->l);
	pair_close(&self->p);
}

/* The module says it has batches. */
TEST_F(batch, feature)
{
	struct mls_version v = {};

	ASSERT_EQ(0, xioctl(self->p.ctl, MLS_IOC_GET_VERSION, &v));
	EXPECT_TRUE(v.features & MLS_FEATURE_BATCH);
	EXPECT_EQ(64, mod_param("max_batch"));
}

/*
 * Every size, sealed in one batch and opened in one: each message's own
 * content, consecutive generations, one epoch. Opened through a kernel
 * buffer, and straight into the caller's pages (MLS_DECRYPT_F_ZEROCOPY,
 * odd entries in a second pass).
 */
TEST_F(batch, round_trip_every_size)
{
	static const size_t sizes[] = { 0, 1, 64, 1024, 4096, 16384, 65536 };
	struct lot *l = &self->l;
	struct mls_batch b;
	unsigned int nz = sizeof(sizes) / sizeof(sizes[0]), i, n;

	for (n = 0; n < 3 * nz; n++) {
		/* Pass 0: default; 1: every entry zero-copy; 2: odd entries. */
		unsigned int pass = n / nz, z = n % nz;
		__u32 zc = MLS_DECRYPT_F_ZEROCOPY;

		ASSERT_EQ(0, lot_make(l, NBATCH, sizes[z]));
		for (i = 0; i < NBATCH; i++)
			lot_enc(l, &self->p, i);
		ASSERT_EQ(NBATCH, enc_batch(self->p.a, l->enc, NBATCH, &b));
		EXPECT_EQ(NBATCH, b.done);
		EXPECT_EQ(0, b.lost);
		for (i = 0; i < NBATCH; i++) {
			ASSERT_EQ(0, l->enc[i].error);
			EXPECT_EQ(l->enc[0].op.generation + i, l->enc[i].op.generation);
			EXPECT_EQ(self->p.in.epoch, l->enc[i].op.epoch);
			lot_dec(l, i);
			if (pass == 1 || (pass == 2 && (i & 1)))
				l->dec[i].op.flags = zc;
		}
		ASSERT_EQ(NBATCH, dec_batch(self->p.b, l->dec, NBATCH, &b));
		EXPECT_EQ(NBATCH, b.done);
		for (i = 0; i < NBATCH; i++) {
			struct mls_decrypt *d = &l->dec[i].op;

			ASSERT_EQ(0, l->dec[i].error) TH_LOG("pass %u size %zu", pass, sizes[z]);
			EXPECT_EQ(sizes[z], d->content.len);
			EXPECT_EQ(0, memcmp(l->out + i * l->cap,
					    l->data + i * l->size, sizes[z]));
			EXPECT_EQ(self->p.sig_len, d->signature.len);
			EXPECT_EQ(0, d->sender_leaf);
			EXPECT_EQ(l->enc[i].op.generation, d->generation);
		}
		/* Delivered once: the same batch again is all replays. */
		for (i = 0; i < NBATCH; i++) {
			lot_dec(l, i);
			if (pass)
				l->dec[i].op.flags = zc;
		}
		ASSERT_EQ(NBATCH, dec_batch(self->p.b, l->dec, NBATCH, &b));
		for (i = 0; i < NBATCH; i++)
			EXPECT_EQ(-EALREADY, l->dec[i].error);
		lot_free(l);
	}
}

/* A full batch of max_batch 64-byte messages. */
TEST_F(batch, full_batch)
{
	struct lot *l = &self->l;
	unsigned int n = (unsigned int)mod_param("max_batch"), i;
	struct mls_batch b;

	ASSERT_LT(0, (int)n);
	ASSERT_EQ(0, lot_make(l, n, 64));
	for (i = 0; i < n; i++)
		lot_enc(l, &self->p, i);
	ASSERT_EQ((int)n, enc_batch(self->p.a, l->enc, n, &b));
	EXPECT_EQ(n, b.done);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, l->enc[i].error);
		lot_dec(l, i);
	}
	ASSERT_EQ((int)n, dec_batch(self->p.b, l->dec, n, &b));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, l->dec[i].error);
}

/*
 * Good and bad messages in one encrypt batch: the good ones are sealed,
 * each bad one gets its own errno and uses no generation.
 */
TEST_F(batch, encrypt_mixed)
{
	struct lot *l = &self->l;
	struct mls_batch b;
	__u32 next;
	unsigned int i;

	ASSERT_EQ(0, lot_make(l, 7, 100));
	for (i = 0; i < 7; i++)
		lot_enc(l, &self->p, i);
	l->enc[1].op.flags = 0x80000000;		/* unknown flag */
	l->enc[2].op.message.len = 10;			/* too small */
	mbuf(&l->enc[3].op.content, (void *)(uintptr_t)BAD_ADDR, 100);
	l->enc[4].op.reserved = 1;			/* reserved field */
	l->enc[5].reserved = 1;				/* entry's reserved */
	ASSERT_EQ(7, enc_batch(self->p.a, l->enc, 7, &b));
	EXPECT_EQ(7, b.done);
	EXPECT_EQ(0, l->enc[0].error);
	EXPECT_EQ(-EINVAL, l->enc[1].error);
	EXPECT_EQ(-ENOSPC, l->enc[2].error);
	EXPECT_LT(10, l->enc[2].op.message.len);	/* the size needed */
	EXPECT_EQ(-EFAULT, l->enc[3].error);
	EXPECT_EQ(-EINVAL, l->enc[4].error);
	EXPECT_EQ(-EINVAL, l->enc[5].error);
	EXPECT_EQ(0, l->enc[6].error);
	/* Only the two good ones used a generation. */
	EXPECT_EQ(l->enc[0].op.generation + 1, l->enc[6].op.generation);
	ASSERT_EQ(0, next_gen(&self->p, &next));
	EXPECT_EQ(l->enc[6].op.generation + 1, next);
	ASSERT_EQ(0, grp_decrypt(self->p.b, l->msg, l->enc[0].op.message.len,
				 &(struct dec){}));
}

/*
 * Good and bad messages in one decrypt batch: forged, truncated, a
 * replay inside the batch, an output too small; the good ones are
 * delivered, the others consume nothing.
 */
TEST_F(batch, decrypt_mixed)
{
	struct lot *l = &self->l;
	struct mls_batch b;
	unsigned int i;

	ASSERT_EQ(0, lot_make(l, 6, 200));
	for (i = 0; i < 6; i++)
		lot_enc(l, &self->p, i);
	ASSERT_EQ(6, enc_batch(self->p.a, l->enc, 6, &b));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, l->enc[i].error);
		lot_dec(l, i);
	}
	/* 1: a flipped byte of the ciphertext's tag. */
	l->msg[1 * l->cap + l->enc[1].op.message.len - 1] ^= 1;
	/* 2: truncated. */
	l->dec[2].op.message.len -= 5;
	/* 3: entry 0's message again, in the same batch. */
	mbuf(&l->dec[3].op.message, l->msg, l->enc[0].op.message.len);
	/* 4: a content buffer too small. */
	l->dec[4].op.content.len = 10;
	/* 5: unknown flags, beside a known one. */
	l->dec[5].op.flags = MLS_DECRYPT_F_ZEROCOPY | ~MLS_DECRYPT_F_ALL;
	ASSERT_EQ(6, dec_batch(self->p.b, l->dec, 6, &b));
	EXPECT_EQ(6, b.done);
	EXPECT_EQ(0, l->dec[0].error);
	EXPECT_EQ(-EBADMSG, l->dec[1].error);
	EXPECT_EQ(-EBADMSG, l->dec[2].error);
	EXPECT_EQ(-EALREADY, l->dec[3].error);
	EXPECT_EQ(-ENOSPC, l->dec[4].error);
	EXPECT_EQ(200, l->dec[4].op.content.len);
	EXPECT_EQ(-EINVAL, l->dec[5].error);
	/* What failed consumed nothing: 2, 4 and 5 open now. */
	for (i = 2; i < 6; i++)
		lot_dec(l, i);
	ASSERT_EQ(4, dec_batch(self->p.b, &l->dec[2], 4, &b));
	EXPECT_EQ(0, l->dec[2].error);
	EXPECT_EQ(0, l->dec[3].error);
	EXPECT_EQ(0, l->dec[4].error);
	EXPECT_EQ(0, l->dec[5].error);
	EXPECT_EQ(0, memcmp(l->out + 4 * l->cap, l->data + 4 * l->size, 200));
}

/*
 * Forgeries between good messages in one decrypt batch, where the batch
 * rekeys one AEAD tfm from entry to entry: a damaged sealed sender data
 * (1, 6) and a damaged ciphertext sample (5) fail in the sender data, a
 * damaged content tag (3) in the content. Each good entry still opens
 * to its own content, and once repaired every forged one does too: a
 * failure left no key of its own behind for the next entry, and
 * consumed nothing.
 */
TEST_F(batch, decrypt_forgeries_between)
{
	static const unsigned int bad[] = { 1, 3, 5, 6 };
	struct lot *l = &self->l;
	size_t off[8] = {};
	struct mls_batch b;
	unsigned int i, k;

	ASSERT_EQ(0, lot_make(l, 8, 100));
	for (i = 0; i < 8; i++)
		lot_enc(l, &self->p, i);
	ASSERT_EQ(8, enc_batch(self->p.a, l->enc, 8, &b));
	for (i = 0; i < 8; i++) {
		uint8_t *m = l->msg + i * l->cap;
		size_t len = l->enc[i].op.message.len;
		struct pm pm;

		ASSERT_EQ(0, l->enc[i].error);
		ASSERT_EQ(0, pm_parse(m, len, &pm));
		if (i == 1 || i == 6)
			off[i] = pm.esd_off + 3;
		else if (i == 5)
			off[i] = pm.ct_off;
		else if (i == 3)
			off[i] = len - 1;
		lot_dec(l, i);
	}
	for (k = 0; k < 4; k++)
		l->msg[bad[k] * l->cap + off[bad[k]]] ^= 0x40;
	ASSERT_EQ(8, dec_batch(self->p.b, l->dec, 8, &b));
	EXPECT_EQ(8, b.done);
	for (i = 0; i < 8; i++) {
		if (off[i]) {
			EXPECT_EQ(-EBADMSG, l->dec[i].error) TH_LOG("entry %u", i);
			continue;
		}
		ASSERT_EQ(0, l->dec[i].error) TH_LOG("entry %u", i);
		EXPECT_EQ(l->size, l->dec[i].op.content.len);
		EXPECT_EQ(0, memcmp(l->out + i * l->cap, l->data + i * l->size,
				    l->size));
		EXPECT_EQ(l->enc[i].op.generation, l->dec[i].op.generation);
	}
	/* Repaired, the forged ones in entries 0-3 (bad[k] >= k). */
	for (k = 0; k < 4; k++) {
		i = bad[k];
		l->msg[i * l->cap + off[i]] ^= 0x40;
		lot_dec(l, i);
		l->dec[k] = l->dec[i];
	}
	ASSERT_EQ(4, dec_batch(self->p.b, l->dec, 4, &b));
	for (k = 0; k < 4; k++) {
		i = bad[k];
		ASSERT_EQ(0, l->dec[k].error) TH_LOG("entry %u", i);
		EXPECT_EQ(l->enc[i].op.generation, l->dec[k].op.generation);
		EXPECT_EQ(0, memcmp(l->out + i * l->cap, l->data + i * l->size,
				    l->size));
	}
}

/*
 * Application messages and proposals alternating in one encrypt batch:
 * two ratchets, keys of both in the batch's tfm in turn; each ratchet's
 * generations follow on, and every message opens as what it is.
 */
TEST_F(batch, encrypt_both_ratchets)
{
	struct lot *l = &self->l;
	struct mls_batch b;
	unsigned int i;

	ASSERT_EQ(0, lot_make(l, 8, 64));
	for (i = 0; i < 8; i++) {
		lot_enc(l, &self->p, i);
		if (i & 1)
			enc_init(&l->enc[i].op, MLS_CONTENT_PROPOSAL, NULL, 0,
				 l->data + i * l->size, l->size, NULL, 0,
				 l->msg + i * l->cap, l->cap);
	}
	ASSERT_EQ(8, enc_batch(self->p.a, l->enc, 8, &b));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, l->enc[i].error);
		if (i >= 2)
			EXPECT_EQ(l->enc[i - 2].op.generation + 1,
				  l->enc[i].op.generation);
		lot_dec(l, i);
	}
	ASSERT_EQ(8, dec_batch(self->p.b, l->dec, 8, &b));
	for (i = 0; i < 8; i++) {
		struct mls_decrypt *d = &l->dec[i].op;

		ASSERT_EQ(0, l->dec[i].error) TH_LOG("entry %u", i);
		EXPECT_EQ(i & 1 ? MLS_CONTENT_PROPOSAL : MLS_CONTENT_APPLICATION,
			  d->content_type);
		EXPECT_EQ(l->enc[i].op.generation, d->generation);
		ASSERT_EQ(l->size, d->content.len);
		EXPECT_EQ(0, memcmp(l->out + i * l->cap, l->data + i * l->size,
				    l->size));
		EXPECT_EQ(i & 1 ? 0 : self->p.sig_len, d->signature.len);
	}
}

/* Header checks: nothing is done, no generation used. */
TEST_F(batch, bad_header)
{
	struct lot *l = &self->l;
	unsigned int max = (unsigned int)mod_param("max_batch"), i;
	struct mls_batch b;
	__u32 gen0, gen1;
	char big[sizeof(b) + 8];

	ASSERT_EQ(0, next_gen(&self->p, &gen0));
	ASSERT_EQ(0, lot_make(l, max + 1, 16));
	for (i = 0; i <= max; i++)
		lot_enc(l, &self->p, i);
	/* Too large a batch, an empty one. */
	EXPECT_EQ(-EINVAL, enc_batch(self->p.a, l->enc, max + 1, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(-EINVAL, enc_batch(self->p.a, l->enc, 0, &b));
	EXPECT_EQ(-EINVAL, dec_batch(self->p.b, l->dec, max + 1, &b));
	/* Unknown flags. */
	memset(&b, 0, sizeof(b));
	b.flags = 1;
	b.count = 1;
	b.entries = U64(l->enc);
	b.entry_size = sizeof(struct mls_encrypt_entry);
	EXPECT_EQ(-EINVAL, xioctl(self->p.a, MLS_IOC_ENCRYPT_BATCH, &b));
	/* Entry sizes other than the kernel's. */
	b.flags = 0;
	b.entry_size = sizeof(struct mls_encrypt_entry) - 8;
	EXPECT_EQ(-EINVAL, xioctl(self->p.a, MLS_IOC_ENCRYPT_BATCH, &b));
	b.entry_size = sizeof(struct mls_encrypt_entry) + 8;
	EXPECT_EQ(-EINVAL, xioctl(self->p.a, MLS_IOC_ENCRYPT_BATCH, &b));
	b.entry_size = sizeof(struct mls_decrypt_entry) + 8;
	EXPECT_EQ(-EINVAL, xioctl(self->p.b, MLS_IOC_DECRYPT_BATCH, &b));
	b.entry_size = sizeof(struct mls_encrypt_entry);
	/* Argument sizes: too short; longer with non-zero bytes past it. */
	EXPECT_EQ(-EINVAL, xioctl(self->p.a,
				  _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC,
				       0x30, MLS_BATCH_SIZE_VER0 - 8), &b));
	memset(big, 0, sizeof(big));
	memcpy(big, &b, sizeof(b));
	big[sizeof(b)] = 1;
	EXPECT_EQ(-E2BIG, xioctl(self->p.a,
				 _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC,
				      0x30, sizeof(big)), big));
	/* A bad array address: no entry holds a result. */
	b.entries = BAD_ADDR;
	b.done = 7;
	EXPECT_EQ(0, xioctl(self->p.a, MLS_IOC_ENCRYPT_BATCH, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(0, enc_batch(self->p.a, (void *)(uintptr_t)LOW_ADDR, 1, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(0, dec_batch(self->p.b, (void *)(uintptr_t)BAD_ADDR, 1, &b));
	/* A bad address of the struct itself. */
	EXPECT_EQ(-EFAULT, xioctl(self->p.a, MLS_IOC_ENCRYPT_BATCH,
				  (void *)(uintptr_t)BAD_ADDR));
	/* Nothing above used a generation. */
	ASSERT_EQ(0, next_gen(&self->p, &gen1));
	EXPECT_EQ(gen0 + 1, gen1);
}

/*
 * An array whose third entry lies on a page that cannot be read, then on
 * one that cannot be written: the call stops there, done says 2, the two
 * before are sealed and no generation is lost.
 */
TEST_F(batch, bad_pointer_in_the_middle)
{
	struct lot *l = &self->l;
	long pg = sysconf(_SC_PAGESIZE);
	struct mls_encrypt_entry *arr;
	struct mls_batch b;
	unsigned int i, k;
	__u32 gen;
	uint8_t *map;

	ASSERT_EQ(0, lot_make(l, 4, 64));
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Entries 0 and 1 end the first page; 2 and 3 are on the second. */
	arr = (struct mls_encrypt_entry *)(map + pg - 2 * sizeof(*arr));
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 4; i++) {
			lot_enc(l, &self->p, i);
			arr[i] = l->enc[i];
		}
		ASSERT_EQ(0, mprotect(map + pg, pg, k ? PROT_READ : PROT_NONE));
		EXPECT_EQ(2, enc_batch(self->p.a, arr, 4, &b));
		EXPECT_EQ(2, b.done);
		EXPECT_EQ(0, b.lost);
		EXPECT_EQ(0, arr[0].error);
		EXPECT_EQ(0, arr[1].error);
		EXPECT_EQ(arr[0].op.generation + 1, arr[1].op.generation);
		ASSERT_EQ(0, next_gen(&self->p, &gen));
		EXPECT_EQ(arr[1].op.generation + 1, gen);
		ASSERT_EQ(0, mprotect(map + pg, pg, PROT_READ | PROT_WRITE));
	}
	/* The same for the decrypt array: the two before are delivered. */
	for (i = 0; i < 4; i++)
		lot_enc(l, &self->p, i);
	ASSERT_EQ(4, enc_batch(self->p.a, l->enc, 4, &b));
	{
		struct mls_decrypt_entry *darr =
			(struct mls_decrypt_entry *)(map + pg - 2 * sizeof(*darr));

		for (i = 0; i < 4; i++) {
			lot_dec(l, i);
			darr[i] = l->dec[i];
		}
		ASSERT_EQ(0, mprotect(map + pg, pg, PROT_NONE));
		EXPECT_EQ(2, dec_batch(self->p.b, darr, 4, &b));
		EXPECT_EQ(2, b.done);
		EXPECT_EQ(0, darr[0].error);
		EXPECT_EQ(0, darr[1].error);
		ASSERT_EQ(0, mprotect(map + pg, pg, PROT_READ | PROT_WRITE));
		/* 2 and 3 were not consumed; 0 and 1 were. */
		ASSERT_EQ(4, dec_batch(self->p.b, &l->dec[0], 4, &b));
		EXPECT_EQ(-EALREADY, l->dec[0].error);
		EXPECT_EQ(-EALREADY, l->dec[1].error);
		EXPECT_EQ(0, l->dec[2].error);
		EXPECT_EQ(0, l->dec[3].error);
	}
	munmap(map, 2 * pg);
}

/* (epoch, generation) pairs seen, to find a reuse. */
struct seen {
	pthread_mutex_t lock;
	size_t n, cap;
	uint64_t *key;
	unsigned long errors;	/* entries with an unexpected errno */
};

static void seen_add(struct seen *s, __u64 epoch, __u32 gen)
{
	pthread_mutex_lock(&s->lock);
	if (s->n < s->cap)
		s->key[s->n++] = epoch << 32 | gen;
	pthread_mutex_unlock(&s->lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t seen_dups(struct seen *s)
{
	size_t i, d = 0;

	qsort(s->key, s->n, sizeof(*s->key), cmp_u64);
	for (i = 1; i < s->n; i++)
		d += s->key[i] == s->key[i - 1];
	return d;
}

struct worker {
	const struct pair *p;
	struct seen *seen;
	unsigned int rounds;
	int ok_errno;		/* besides 0: what a race may give */
	int ok_errno2;
	unsigned long sealed;
	int ret;		/* a batch's own return other than 0 */
};

static void *batch_worker(void *arg)
{
	struct worker *w = arg;
	struct lot l;
	struct mls_batch b;
	unsigned int r, i;
	int ret;

	if (lot_make(&l, 16, 64)) {
		w->ret = -ENOMEM;
		return NULL;
	}
	for (r = 0; r < w->rounds; r++) {
		for (i = 0; i < 16; i++)
			lot_enc(&l, w->p, i);
		ret = enc_batch(w->p->a, l.enc, 16, &b);
		if (ret != 16) {
			w->ret = ret;
			break;
		}
		for (i = 0; i < 16; i++) {
			if (!l.enc[i].error) {
				seen_add(w->seen, l.enc[i].op.epoch,
					 l.enc[i].op.generation);
				w->sealed++;
			} else if (l.enc[i].error != w->ok_errno &&
				   l.enc[i].error != w->ok_errno2) {
				__atomic_add_fetch(&w->seen->errors, 1,
						   __ATOMIC_RELAXED);
			}
		}
	}
	lot_free(&l);
	return NULL;
}

/* Two threads batching on one group: no (epoch, generation) twice. */
TEST_F(batch, two_threads_no_reuse)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct worker w[2];
	pthread_t th[2];
	unsigned int i;

	s.cap = 2 * 40 * 16;
	s.key = calloc(s.cap, sizeof(*s.key));
	ASSERT_NE(NULL, s.key);
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ .p = &self->p, .seen = &s, .rounds = 40 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, batch_worker, &w[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(0, w[0].ret);
	EXPECT_EQ(0, w[1].ret);
	EXPECT_EQ(0, s.errors);
	EXPECT_EQ(s.cap, s.n);
	EXPECT_EQ(0, seen_dups(&s));
	free(s.key);
}

/*
 * Batches racing commits: an entry is sealed in whichever epoch is
 * current when it runs, or fails with -ESTALE when a commit lands during
 * it; no (epoch, generation) twice, every entry a result.
 */
TEST_F(batch, race_commit)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct worker w = { .p = &self->p, .seen = &s, .rounds = 60,
			    .ok_errno = -ESTALE };
	uint8_t cs[MLS_MAX_HASH_LEN];
	pthread_t th;
	int k;

	s.cap = 60 * 16;
	s.key = calloc(s.cap, sizeof(*s.key));
	ASSERT_NE(NULL, s.key);
	ASSERT_EQ(0, pthread_create(&th, NULL, batch_worker, &w));
	for (k = 0; k < 5; k++) {
		rand_bytes(cs, self->p.nh);
		ASSERT_EQ(0, member_commit(&self->p, self->p.a, 0, cs));
		ASSERT_EQ(0, pair_advance(&self->p, cs));
		usleep(2000);
	}
	pthread_join(th, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, s.errors);
	EXPECT_LT(0, w.sealed);
	EXPECT_EQ(0, seen_dups(&s));
	free(s.key);
}

/* Batches racing a destroy: each entry 0 or -ENOENT, no crash. */
TEST_F(batch, race_destroy)
{
	struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct worker w = { .p = &self->p, .seen = &s, .rounds = 200,
			    .ok_errno = -ENOENT, .ok_errno2 = -ESTALE };
	pthread_t th;

	s.cap = 200 * 16;
	s.key = calloc(s.cap, sizeof(*s.key));
	ASSERT_NE(NULL, s.key);
	ASSERT_EQ(0, pthread_create(&th, NULL, batch_worker, &w));
	usleep(5000);
	EXPECT_EQ(0, grp_destroy(self->p.a));
	pthread_join(th, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, s.errors);
	EXPECT_EQ(0, seen_dups(&s));
	free(s.key);
}

TEST_HARNESS_MAIN
