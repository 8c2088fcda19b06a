// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane between two members of one group in one VM: A (leaf 0)
 * and B (leaf 1), both made FROM_INPUTS from the same inputs, exchange
 * PrivateMessages across epochs, once per ciphersuite. Late, replayed,
 * forged, truncated, expired, future, padded and crafted messages; the
 * errno of each comes from uapi/linux/mls.h (MLS_IOC_DECRYPT).
 *
 * The secrets of every epoch are also computed in userspace
 * (group_util.h, checked against the RFC 9420 vectors), so messages the
 * kernel would never send can be crafted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mls.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "group_util.h"

FIXTURE(data) {
	struct pair p;
	struct msg m, m2;
	struct dec d;
};

FIXTURE_VARIANT(data) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(data, suite1_aes128gcm_sha256_x25519) { .suite = 1 };
FIXTURE_VARIANT_ADD(data, suite2_aes128gcm_sha256_p256) { .suite = 2 };
FIXTURE_VARIANT_ADD(data, suite3_chacha20poly1305_sha256_x25519) { .suite = 3 };
FIXTURE_VARIANT_ADD(data, suite4_aes256gcm_sha512_x448) { .suite = 4 };
FIXTURE_VARIANT_ADD(data, suite5_aes256gcm_sha512_p521) { .suite = 5 };
FIXTURE_VARIANT_ADD(data, suite6_chacha20poly1305_sha512_x448) { .suite = 6 };
FIXTURE_VARIANT_ADD(data, suite7_aes256gcm_sha384_p384) { .suite = 7 };

FIXTURE_SETUP(data)
{
	ASSERT_EQ(0, pair_make(&self->p, variant->suite));
	/* Known padding and windows, whatever the module defaults are. */
	ASSERT_EQ(0, grp_policy1(self->p.a, MLS_POLICY_PADDING_BLOCK, 0));
	ASSERT_EQ(0, grp_policy1(self->p.b, MLS_POLICY_PADDING_BLOCK, 0));
}

FIXTURE_TEARDOWN(data)
{
	pair_close(&self->p);
}


/* Encrypt "text" from @tx and expect @rx to get it back exactly. */
#define EXCHANGE(tx, rx, tx_leaf, text) do {					\
	struct msg *_m = &self->m;						\
	struct dec *_d = &self->d;						\
	ASSERT_EQ(0, enc_text((tx), (text), _m));				\
	ASSERT_EQ(0, dec_msg((rx), _m, _d));					\
	EXPECT_EQ(strlen(text), _d->content_len);				\
	EXPECT_EQ(0, memcmp(_d->content, (text), strlen(text)));		\
	EXPECT_EQ((__u32)(tx_leaf), _d->leaf);					\
	EXPECT_EQ(_m->gen, _d->gen);						\
	EXPECT_EQ(_m->epoch, _d->epoch);					\
} while (0)

static void fill_pattern(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* A and B talk both ways over four epochs, all outputs checked. */
TEST_F(data, both_ways_across_epochs)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *d = &self->d;
	unsigned int e, dir, i;

	for (e = 0; e < 4; e++) {
		uint8_t auth_a[64], auth_b[64];
		__u64 ea = 99, eb = 99;

		for (dir = 0; dir < 2; dir++) {
			int tx = dir ? p->b : p->a, rx = dir ? p->a : p->b;

			for (i = 0; i < 3; i++) {
				char content[80], aad[40];
				uint8_t pt[256];
				size_t ptlen, clen, alen;
				uint32_t leaf, gen;
				struct pm pm;

				clen = (size_t)snprintf(content, sizeof(content),
					"epoch %u from leaf %u message %u", e, dir, i);
				alen = (size_t)snprintf(aad, sizeof(aad), "aad-%u-%u-%u", e, dir, i);
				ASSERT_EQ(0, grp_encrypt(tx, MLS_CONTENT_APPLICATION, aad, alen,
							 content, clen, p->sig, p->sig_len, m));
				EXPECT_EQ(e, m->epoch);
				EXPECT_EQ(i, m->gen);

				/* The wire format: an MLSMessage holding a PrivateMessage. */
				ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
				EXPECT_EQ(1, pm.version);
				EXPECT_EQ(2, pm.wire_format);
				EXPECT_EQ(p->in.group_id_len, pm.gid_len);
				EXPECT_EQ(0, memcmp(m->buf + pm.gid_off, p->in.group_id,
						    p->in.group_id_len));
				EXPECT_EQ(e, pm.epoch);
				EXPECT_EQ(MLS_CONTENT_APPLICATION, pm.ctype);
				EXPECT_EQ(alen, pm.aad_len);
				EXPECT_EQ(0, memcmp(m->buf + pm.aad_off, aad, alen));
				EXPECT_EQ(12 + TAG_LEN, pm.esd_len);
				/* The content is sealed, not in the clear. */
				EXPECT_FALSE(memmem_found(m->buf, m->len, content, clen));

				/* Userspace opens it with the secrets it computed. */
				ASSERT_EQ(0, open_message(p->suite, p->es.encryption,
							  p->es.sender_data, 2, m->buf, m->len,
							  &leaf, &gen, pt, &ptlen));
				EXPECT_EQ(dir, leaf);
				EXPECT_EQ(i, gen);

				ASSERT_EQ(0, dec_msg(rx, m, d));
				EXPECT_EQ(MLS_CONTENT_APPLICATION, d->ctype);
				EXPECT_EQ(dir, d->leaf);
				EXPECT_EQ(i, d->gen);
				EXPECT_EQ(e, d->epoch);
				ASSERT_EQ(clen, d->content_len);
				EXPECT_EQ(0, memcmp(d->content, content, clen));
				ASSERT_EQ(alen, d->aad_len);
				EXPECT_EQ(0, memcmp(d->aad, aad, alen));
				ASSERT_EQ(p->sig_len, d->sig_len);
				EXPECT_EQ(0, memcmp(d->sig, p->sig, p->sig_len));
			}
		}
		/* Both members hold the same epoch, the one computed here. */
		ASSERT_EQ((int)p->nh, grp_authenticator(p->a, auth_a, sizeof(auth_a), &ea));
		ASSERT_EQ((int)p->nh, grp_authenticator(p->b, auth_b, sizeof(auth_b), &eb));
		EXPECT_EQ(e, ea);
		EXPECT_EQ(e, eb);
		EXPECT_EQ(0, memcmp(auth_a, auth_b, p->nh));
		EXPECT_EQ(0, memcmp(auth_a, p->es.authentication, p->nh));
		ASSERT_EQ(0, pair_commit(p));
	}
}

/* Empty content, empty signature, and a big message, both ways. */
TEST_F(data, sizes)
{
	struct pair *p = &self->p;
	struct dec *d = &self->d;
	size_t big = 200000, cap = big + 4096;
	uint8_t *content = malloc(big), *out = malloc(cap), *back = malloc(big);
	uint8_t aad[1000], sig[SIG_MAX];
	size_t sig_len = suite_sig_max(p->suite);
	struct mls_encrypt e;
	struct mls_decrypt dd;
	uint8_t daad[1000], dsig[SIG_MAX];

	ASSERT_NE(NULL, content);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, back);
	/* Nothing but the signature. */
	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, NULL, 0, NULL, 0, p->sig,
				 p->sig_len, &self->m));
	ASSERT_EQ(0, dec_msg(p->b, &self->m, d));
	EXPECT_EQ(0, d->content_len);
	EXPECT_EQ(0, d->aad_len);
	ASSERT_EQ(p->sig_len, d->sig_len);
	EXPECT_EQ(0, memcmp(d->sig, p->sig, p->sig_len));

	/* 200 kB of content, 1000 bytes of aad, the suite's longest signature. */
	fill_pattern(content, big, 1);
	fill_pattern(aad, sizeof(aad), 2);
	fill_pattern(sig, sig_len, 3);
	enc_init(&e, MLS_CONTENT_APPLICATION, aad, sizeof(aad), content, big, sig, sig_len,
		 out, cap);
	ASSERT_EQ(0, xioctl(p->b, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(0, e.generation);
	memset(&dd, 0, sizeof(dd));
	mbuf(&dd.message, out, e.message.len);
	mbuf(&dd.authenticated_data, daad, sizeof(daad));
	mbuf(&dd.content, back, big);
	mbuf(&dd.signature, dsig, sizeof(dsig));
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_DECRYPT, &dd));
	ASSERT_EQ(big, dd.content.len);
	EXPECT_EQ(0, memcmp(back, content, big));
	ASSERT_EQ(sizeof(aad), dd.authenticated_data.len);
	EXPECT_EQ(0, memcmp(daad, aad, sizeof(aad)));
	ASSERT_EQ(sig_len, dd.signature.len);
	EXPECT_EQ(0, memcmp(dsig, sig, sig_len));
	EXPECT_EQ(1, dd.sender_leaf);
	free(content);
	free(out);
	free(back);
}

/*
 * Content and aad at max_message bytes (the largest ENCRYPT takes) with
 * the suite's longest signature and the largest padding block: what the
 * kernel encrypts, it decrypts.
 */
TEST_F_TIMEOUT(data, max_message_round_trip, 120)
{
	struct pair *p = &self->p;
	long long max = mod_param("max_message"), pad = mod_param("padding_block_max");
	size_t n, cap;
	uint8_t *part, *out, *back[3];
	struct mls_encrypt e;
	struct mls_decrypt d;
	int round, i;

	ASSERT_LT(0, max);
	ASSERT_GE(1 << 24, max);
	ASSERT_LE(0, pad);
	n = (size_t)max;
	cap = 3 * n + (size_t)pad + 4096;
	part = malloc(n);
	out = malloc(cap);
	ASSERT_NE(NULL, part);
	ASSERT_NE(NULL, out);
	for (i = 0; i < 3; i++) {
		back[i] = malloc(n);
		ASSERT_NE(NULL, back[i]);
	}
	fill_pattern(part, n, 5);
	for (round = 0; round < 2; round++) {
		size_t other = round ? n : 0;

		ASSERT_EQ(0, grp_policy1(p->a, MLS_POLICY_PADDING_BLOCK, round ? (__u32)pad : 0));
		enc_init(&e, MLS_CONTENT_APPLICATION, part, other, part, n, p->sig, p->sig_len,
			 out, cap);
		ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e)) TH_LOG("round %d", round);
		memset(&d, 0, sizeof(d));
		mbuf(&d.message, out, e.message.len);
		mbuf(&d.authenticated_data, back[0], n);
		mbuf(&d.content, back[1], n);
		mbuf(&d.signature, back[2], n);
		ASSERT_EQ(0, xioctl(p->b, MLS_IOC_DECRYPT, &d))
			TH_LOG("round %d: a message of %u bytes", round, e.message.len);
		EXPECT_EQ(n, d.content.len);
		EXPECT_EQ(0, memcmp(back[1], part, n));
		EXPECT_EQ(other, d.authenticated_data.len);
		ASSERT_EQ(p->sig_len, d.signature.len);
		EXPECT_EQ(0, memcmp(back[2], p->sig, p->sig_len));
	}
	for (i = 0; i < 3; i++)
		free(back[i]);
	free(part);
	free(out);
}

/* A joins B through a commit's joiner_secret (what a Welcome carries). */
TEST_F(data, join_with_joiner_secret)
{
	struct pair *p = &self->p;
	struct grp_inputs in, next;
	struct epoch_secrets s0, s1;
	uint8_t cs[64], joiner[64], welcome[64], auth_a[64], auth_b[64];
	struct mls_group_new n;
	struct mls_commit c;
	int a, b;

	inputs_random(&in, p->suite);
	ASSERT_EQ(0, key_schedule(&in, in.init, in.commit, in.psk, &s0));
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	a = grp_create(p->ctl, &n);
	ASSERT_LE(0, a);

	/* A adds leaf 1 and asks for the secrets of the Welcome. */
	next = in;
	next.epoch = 1;
	rand_bytes(cs, p->nh);
	commit_init(&c, p->suite, cs, in.psk, &next, 0, 2, NULL, 0);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&c.joiner_secret, joiner, sizeof(joiner));
	mbuf(&c.welcome_secret, welcome, sizeof(welcome));
	ASSERT_EQ(0, grp_commit(a, &c));
	ASSERT_EQ(p->nh, c.joiner_secret.len);
	ASSERT_EQ(p->nh, c.welcome_secret.len);
	ASSERT_EQ(0, key_schedule(&next, s0.init, cs, in.psk, &s1));
	EXPECT_EQ(0, memcmp(joiner, s1.joiner, p->nh));
	EXPECT_EQ(0, memcmp(welcome, s1.welcome, p->nh));

	new_join(&n, &next, joiner, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	b = grp_join(p->ctl, &n);
	ASSERT_LE(0, b);
	ASSERT_EQ((int)p->nh, grp_authenticator(a, auth_a, sizeof(auth_a), NULL));
	ASSERT_EQ((int)p->nh, grp_authenticator(b, auth_b, sizeof(auth_b), NULL));
	EXPECT_EQ(0, memcmp(auth_a, auth_b, p->nh));
	EXPECT_EQ(0, memcmp(auth_a, s1.authentication, p->nh));
	EXPECT_EQ(1, grp_epoch(b));

	EXCHANGE(a, b, 0, "hello joiner");
	EXCHANGE(b, a, 1, "hello creator");
	EXPECT_EQ(1, self->d.epoch);
	close(a);
	close(b);
}

/* A third member joins at leaf 2; all three talk, then commit again. */
TEST_F(data, three_members)
{
	struct pair *p = &self->p;
	uint8_t cs[64], joiner[64], welcome[64], au[3][64];
	struct grp_inputs next;
	struct mls_group_new n;
	struct mls_commit c;
	int fds[3], i, j, k;

	p->leaf_count = 3;
	rand_bytes(cs, p->nh);
	pair_commit_arg(p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&c.joiner_secret, joiner, sizeof(joiner));
	mbuf(&c.welcome_secret, welcome, sizeof(welcome));
	ASSERT_EQ(0, grp_commit(p->a, &c));
	ASSERT_EQ(0, member_commit(p, p->b, 1, cs));
	ASSERT_EQ(0, pair_advance(p, cs));
	EXPECT_EQ(0, memcmp(joiner, p->es.joiner, p->nh));

	new_join(&n, &p->in, joiner, 2, 3, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fds[0] = p->a;
	fds[1] = p->b;
	fds[2] = grp_join(p->ctl, &n);
	ASSERT_LE(0, fds[2]);

	for (k = 0; k < 2; k++) {
		for (i = 0; i < 3; i++) {
			ASSERT_EQ((int)p->nh, grp_authenticator(fds[i], au[i], 64, NULL));
			EXPECT_EQ(0, memcmp(au[i], p->es.authentication, p->nh));
		}
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				if (i != j)
					EXCHANGE(fds[i], fds[j], i, "three of us");
		/* Everyone to the next epoch. */
		rand_bytes(cs, p->nh);
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, member_commit(p, fds[i], (__u32)i, cs));
		ASSERT_EQ(0, pair_advance(p, cs));
	}
	close(fds[2]);
}

/* Proposals and commits go through the handshake ratchet, raw. */
TEST_F(data, handshake_content_types)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *d = &self->d;
	static const uint8_t proposal[] = { 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x40, 0x40 };
	uint8_t commit[300];
	__u32 app_gen = 0, hs_gen = 0;
	int round;

	fill_pattern(commit, sizeof(commit), 9);
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, enc_text(p->a, "application", m));
		EXPECT_EQ(app_gen, m->gen);
		ASSERT_EQ(0, dec_msg(p->b, m, d));
		EXPECT_EQ(MLS_CONTENT_APPLICATION, d->ctype);
		EXPECT_EQ(app_gen, d->gen);
		app_gen++;

		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_PROPOSAL, "pa", 2, proposal,
					 sizeof(proposal), NULL, 0, m));
		EXPECT_EQ(hs_gen, m->gen);
		ASSERT_EQ(0, dec_msg(p->b, m, d));
		EXPECT_EQ(MLS_CONTENT_PROPOSAL, d->ctype);
		EXPECT_EQ(hs_gen, d->gen);
		EXPECT_EQ(0, d->sig_len);
		ASSERT_EQ(sizeof(proposal), d->content_len);
		EXPECT_EQ(0, memcmp(d->content, proposal, sizeof(proposal)));
		ASSERT_EQ(2, d->aad_len);
		EXPECT_EQ(0, memcmp(d->aad, "pa", 2));
		hs_gen++;

		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_COMMIT, NULL, 0, commit,
					 sizeof(commit), NULL, 0, m));
		EXPECT_EQ(hs_gen, m->gen);
		ASSERT_EQ(0, dec_msg(p->b, m, d));
		EXPECT_EQ(MLS_CONTENT_COMMIT, d->ctype);
		EXPECT_EQ(hs_gen, d->gen);
		EXPECT_EQ(0, d->sig_len);
		ASSERT_EQ(sizeof(commit), d->content_len);
		EXPECT_EQ(0, memcmp(d->content, commit, sizeof(commit)));
		hs_gen++;
	}
	/* The handshake ratchet from userspace: leaf 0, generation hs_gen. */
	{
		uint8_t pt[400], msg[MSG_MAX];
		struct craft c = {
			.suite = p->suite, .group_id = p->in.group_id,
			.group_id_len = p->in.group_id_len, .epoch = 0,
			.ctype = MLS_CONTENT_PROPOSAL, .pt = pt, .pt_len = sizeof(proposal),
			.leaf = 0, .gen = hs_gen, .reuse_guard = { 9, 8, 7, 6 },
			.encryption_secret = p->es.encryption,
			.sender_data_secret = p->es.sender_data, .leaf_count = 2,
		};
		size_t len;

		memcpy(pt, proposal, sizeof(proposal));
		len = craft_message(&c, msg);
		ASSERT_NE(0, len);
		ASSERT_EQ(0, grp_decrypt(p->b, msg, len, d));
		EXPECT_EQ(MLS_CONTENT_PROPOSAL, d->ctype);
		EXPECT_EQ(hs_gen, d->gen);
		EXPECT_EQ(sizeof(proposal), d->content_len);
	}
}

static size_t roundup_sz(size_t x, size_t b)
{
	return b > 1 ? (x + b - 1) / b * b : x;
}

static size_t varint_len(size_t v)
{
	return v < 64 ? 1 : v < 16384 ? 2 : 4;
}

/*
 * Per-call padding_block: the message is padded to the block it names (0:
 * the group's, 1: none), decrypts on the other side, and the group's
 * policy is left as it was. A caller built for MLS_ENCRYPT_SIZE_VER0 gets
 * the group's padding.
 */
TEST_F(data, padding_per_call)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *d = &self->d;
	const __u32 policy = 32;
	long long cap = mod_param("padding_block_max");
	__u32 blocks[] = { 0, 1, 7, 16, 100, 256, 0 };
	uint8_t content[300], pt[MSG_MAX];
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_encrypt e;
	size_t bi, len, i;

	ASSERT_LE(256, cap);
	blocks[sizeof(blocks) / sizeof(blocks[0]) - 1] = (__u32)cap;
	fill_pattern(content, sizeof(content), 9);
	ASSERT_EQ(0, grp_policy1(p->a, MLS_POLICY_PADDING_BLOCK, policy));
	for (bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
		__u32 blk = blocks[bi], eff = blk ? blk : policy;

		for (len = 0; len < sizeof(content); len += 53) {
			size_t unpadded = varint_len(len) + len + varint_len(p->sig_len) +
					  p->sig_len, ptlen;
			uint32_t leaf, gen;
			bool zero = true;
			struct pm pm;

			enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, content, len, p->sig,
				 p->sig_len, m->buf, sizeof(m->buf));
			e.padding_block = blk;
			ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e)) TH_LOG("block %u", blk);
			m->len = e.message.len;
			m->epoch = e.epoch;
			m->gen = e.generation;
			ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
			EXPECT_EQ(roundup_sz(unpadded, eff), pm.ct_len - TAG_LEN)
				TH_LOG("block %u, %zu bytes", blk, len);
			ASSERT_EQ(0, open_message(p->suite, p->es.encryption, p->es.sender_data,
						  2, m->buf, m->len, &leaf, &gen, pt, &ptlen));
			EXPECT_EQ(pm.ct_len - TAG_LEN, ptlen);
			for (i = unpadded; i < ptlen; i++)
				zero &= pt[i] == 0;
			EXPECT_TRUE(zero);
			ASSERT_EQ(0, dec_msg(p->b, m, d));
			ASSERT_EQ(len, d->content_len);
			EXPECT_EQ(0, memcmp(d->content, content, len));
			ASSERT_EQ(p->sig_len, d->sig_len);
			EXPECT_EQ(0, memcmp(d->sig, p->sig, p->sig_len));
		}
	}
	ASSERT_EQ(0, grp_info(p->a, &info, gid, sizeof(gid)));
	EXPECT_EQ(policy, info.policy.padding_block);

	/* The first published struct size: no padding_block, the group's. */
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "v0", 2, p->sig, p->sig_len,
		 m->buf, sizeof(m->buf));
	e.padding_block = 1;	/* beyond the size given: not read */
	ASSERT_EQ(0, xioctl(p->a, _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x20,
				       MLS_ENCRYPT_SIZE_VER0), &e));
	m->len = e.message.len;
	{
		struct pm pm;

		ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
		EXPECT_EQ(roundup_sz(1 + 2 + varint_len(p->sig_len) + p->sig_len, policy),
			  pm.ct_len - TAG_LEN);
	}
	ASSERT_EQ(0, dec_msg(p->b, m, d));
	EXPECT_EQ(2, d->content_len);
}

/* SET_POLICY padding_block: the sealed content grows to the block. */
TEST_F(data, padding_block)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *d = &self->d;
	static const unsigned int blocks[] = { 0, 1, 16, 32, 100, 256 };
	long long cap = mod_param("padding_block_max");
	uint8_t content[300], pt[MSG_MAX];
	unsigned int bi;
	size_t len;

	ASSERT_LE(256, cap);
	fill_pattern(content, sizeof(content), 4);
	for (bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
		unsigned int blk = blocks[bi];

		ASSERT_EQ(0, grp_policy1(p->a, MLS_POLICY_PADDING_BLOCK, blk));
		for (len = 0; len < sizeof(content); len += 37) {
			size_t unpadded = varint_len(len) + len + varint_len(p->sig_len) +
					  p->sig_len, ptlen;
			uint32_t leaf, gen;
			struct pm pm;
			size_t i;
			bool zero = true;

			ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, NULL, 0, content,
						 len, p->sig, p->sig_len, m));
			ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
			EXPECT_EQ(roundup_sz(unpadded, blk), pm.ct_len - TAG_LEN);
			ASSERT_EQ(0, open_message(p->suite, p->es.encryption, p->es.sender_data,
						  2, m->buf, m->len, &leaf, &gen, pt, &ptlen));
			EXPECT_EQ(pm.ct_len - TAG_LEN, ptlen);
			for (i = unpadded; i < ptlen; i++)
				zero &= pt[i] == 0;
			EXPECT_TRUE(zero);
			ASSERT_EQ(0, dec_msg(p->b, m, d));
			ASSERT_EQ(len, d->content_len);
			EXPECT_EQ(0, memcmp(d->content, content, len));
			EXPECT_EQ(p->sig_len, d->sig_len);
		}
		/* A proposal comes back raw: padding included, zeros. */
		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_PROPOSAL, NULL, 0, content, 45,
					 NULL, 0, m));
		ASSERT_EQ(0, dec_msg(p->b, m, d));
		EXPECT_EQ(roundup_sz(45, blk), d->content_len);
		EXPECT_EQ(0, memcmp(d->content, content, 45));
		{
			bool zero = true;
			size_t i;

			for (i = 45; i < d->content_len; i++)
				zero &= d->content[i] == 0;
			EXPECT_TRUE(zero);
		}
	}
}

/* Five messages decrypted in the order 4, 2, 0, 1, 3; then replays. */
TEST_F(data, out_of_order)
{
	static const int order[] = { 4, 2, 0, 1, 3 };
	struct pair *p = &self->p;
	struct msg *ms = calloc(5, sizeof(*ms));
	char text[32];
	int i;

	ASSERT_NE(NULL, ms);
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_OUT_OF_ORDER, 8));
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "message %d", i);
		ASSERT_EQ(0, enc_text(p->a, text, &ms[i]));
		ASSERT_EQ((__u32)i, ms[i].gen);
	}
	for (i = 0; i < 5; i++) {
		int k = order[i];

		snprintf(text, sizeof(text), "message %d", k);
		ASSERT_EQ(0, dec_msg(p->b, &ms[k], &self->d)) TH_LOG("message %d", k);
		EXPECT_EQ((__u32)k, self->d.gen);
		EXPECT_EQ(strlen(text), self->d.content_len);
		EXPECT_EQ(0, memcmp(self->d.content, text, strlen(text)));
	}
	for (i = 0; i < 5; i++)
		EXPECT_EQ(-EALREADY, dec_msg(p->b, &ms[i], &self->d));
	free(ms);
}

/* Past the out-of-order window the skipped keys are gone: EKEYEXPIRED. */
TEST_F(data, out_of_order_window)
{
	struct pair *p = &self->p;
	struct msg *ms = calloc(6, sizeof(*ms));
	int i;

	ASSERT_NE(NULL, ms);
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_OUT_OF_ORDER, 2));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, enc_text(p->a, "windowed", &ms[i]));
	ASSERT_EQ(0, dec_msg(p->b, &ms[5], &self->d));
	/* Skipped 0..4; at most two kept, the newest. */
	EXPECT_EQ(-EKEYEXPIRED, dec_msg(p->b, &ms[0], &self->d));
	EXPECT_EQ(-EKEYEXPIRED, dec_msg(p->b, &ms[1], &self->d));
	EXPECT_EQ(-EKEYEXPIRED, dec_msg(p->b, &ms[2], &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &ms[3], &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &ms[4], &self->d));
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &ms[5], &self->d));
	free(ms);
}

/* The same message twice: EALREADY, also after later ones and in each ratchet. */
TEST_F(data, replay_ealready)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, enc_text(p->a, "once", &self->m));
	ASSERT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &self->m, &self->d));
	EXCHANGE(p->a, p->b, 0, "twice");
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &self->m, &self->d));

	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_COMMIT, NULL, 0, "c", 1, NULL, 0,
				 &self->m2));
	ASSERT_EQ(0, dec_msg(p->b, &self->m2, &self->d));
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &self->m2, &self->d));

	/* A replay in a past epoch is still a replay. */
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &self->m, &self->d));
}

/* Flip one byte of @m at @off and expect @err from @fd; restore it. */
#define FORGE(fd, m, off, err) do {						\
	(m)->buf[(off)] ^= 0x01;						\
	EXPECT_EQ(-(err), dec_msg((fd), (m), &self->d)) TH_LOG("offset %zu", (size_t)(off)); \
	(m)->buf[(off)] ^= 0x01;						\
} while (0)

/* A forged ciphertext fails and burns nothing: the genuine one decrypts. */
TEST_F(data, forgery_ciphertext)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct pm pm;

	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "ad", 2,
				 "a message long enough to have a sample of its own; 64 bytes and more",
				 69, p->sig, p->sig_len, m));
	ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
	/* The tag (past the sample: the sender data still opens). */
	FORGE(p->b, m, m->len - 1, EBADMSG);
	/* The first ciphertext byte (in the sample: sender data fails). */
	FORGE(p->b, m, pm.ct_off, EBADMSG);
	ASSERT_EQ(0, dec_msg(p->b, m, &self->d));
	EXPECT_EQ(0, self->d.gen);
	EXPECT_EQ(69, self->d.content_len);
}

TEST_F(data, forgery_sender_data)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct pm pm;

	ASSERT_EQ(0, enc_text(p->a, "sender data", m));
	ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
	FORGE(p->b, m, pm.esd_off, EBADMSG);
	FORGE(p->b, m, pm.esd_off + pm.esd_len - 1, EBADMSG);
	ASSERT_EQ(0, dec_msg(p->b, m, &self->d));
	EXPECT_EQ(0, self->d.gen);
}

/*
 * A sender whose messages keep failing authentication trips its breaker
 * (module parameter evbuf_fail_threshold consecutive failures): its
 * genuine messages are then refused (ECONNREFUSED) without being burned,
 * other senders are not, and after the open time it is heard again.
 */
TEST_F_TIMEOUT(data, forgery_breaker, 60)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m2;	/* EXCHANGE uses self->m */
	long long threshold = mod_param("evbuf_fail_threshold");
	long long open_ms = mod_param("evbuf_open_base_ms");
	long long i;
	int r = 0;

	ASSERT_LT(0, threshold);
	ASSERT_GE(50, threshold);
	ASSERT_LT(0, open_ms);
	ASSERT_GE(10000, open_ms);
	ASSERT_EQ(0, enc_text(p->a, "the genuine one, long enough to keep its sample", m));
	for (i = 0; i < threshold; i++)
		FORGE(p->b, m, m->len - 1, EBADMSG);
	/* Open: the genuine message is refused, and not consumed. */
	EXPECT_EQ(-ECONNREFUSED, dec_msg(p->b, m, &self->d));
	/* Another sender (B -> A is A's endpoint for leaf 1) is not affected. */
	EXCHANGE(p->b, p->a, 1, "the other way");
	/* After the open time, a probe passes. */
	sleep_ms((unsigned int)open_ms + 500);
	for (i = 0; i < 20; i++) {
		r = dec_msg(p->b, m, &self->d);
		if (r != -ECONNREFUSED)
			break;
		sleep_ms(250);
	}
	EXPECT_EQ(0, r);
	EXPECT_EQ(0, self->d.gen);
	EXCHANGE(p->a, p->b, 0, "heard again");
}

/* The authenticated header fields: aad, group_id, content type. */
TEST_F(data, forgery_header)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct pm pm;

	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "authenticated", 13,
				 "header", 6, p->sig, p->sig_len, m));
	ASSERT_EQ(0, pm_parse(m->buf, m->len, &pm));
	FORGE(p->b, m, pm.aad_off + 3, EBADMSG);
	FORGE(p->b, m, pm.gid_off, EBADMSG);
	/* application (1) -> proposal... 1 ^ 1 = 0: not a content type */
	FORGE(p->b, m, pm.ctype_off, EBADMSG);
	m->buf[pm.ctype_off] = MLS_CONTENT_PROPOSAL;
	EXPECT_EQ(-EBADMSG, dec_msg(p->b, m, &self->d));
	m->buf[pm.ctype_off] = MLS_CONTENT_APPLICATION;
	/* epoch 0 -> 1: not reached yet */
	FORGE(p->b, m, pm.epoch_off + 7, EAGAIN);
	ASSERT_EQ(0, dec_msg(p->b, m, &self->d));
	EXPECT_EQ(13, self->d.aad_len);
}

/* Beyond max_forward: ERANGE, and the far message is not burned. */
TEST_F(data, max_forward_erange)
{
	struct pair *p = &self->p;
	struct msg *ms = calloc(12, sizeof(*ms));
	int i;

	ASSERT_NE(NULL, ms);
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_MAX_FORWARD, 4));
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_OUT_OF_ORDER, 16));
	for (i = 0; i < 12; i++)
		ASSERT_EQ(0, enc_text(p->a, "forward", &ms[i]));
	EXPECT_EQ(-ERANGE, dec_msg(p->b, &ms[11], &self->d));
	EXPECT_EQ(-ERANGE, dec_msg(p->b, &ms[5], &self->d));
	/* 4 ahead of the next expected (0) is allowed. */
	EXPECT_EQ(0, dec_msg(p->b, &ms[4], &self->d));
	EXPECT_EQ(-ERANGE, dec_msg(p->b, &ms[10], &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &ms[9], &self->d));
	/* Now everything else is in reach, the refused ones included. */
	for (i = 0; i < 12; i++) {
		if (i == 4 || i == 9)
			continue;
		EXPECT_EQ(0, dec_msg(p->b, &ms[i], &self->d)) TH_LOG("gen %d", i);
	}
	free(ms);
}

/* A message of the previous epoch decrypts after the commit (GRACE). */
TEST_F(data, grace_previous_epoch)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, enc_text(p->a, "late", &self->m2));
	EXPECT_EQ(0, self->m2.epoch);
	ASSERT_EQ(0, pair_commit(p));
	/* A sends in the new epoch only. */
	ASSERT_EQ(0, enc_text(p->a, "new", &self->m));
	EXPECT_EQ(1, self->m.epoch);
	EXPECT_EQ(0, self->m.gen);
	ASSERT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	EXPECT_EQ(1, self->d.epoch);
	ASSERT_EQ(0, dec_msg(p->b, &self->m2, &self->d));
	EXPECT_EQ(0, self->d.epoch);
	EXPECT_EQ(4, self->d.content_len);
	EXPECT_EQ(0, memcmp(self->d.content, "late", 4));
}

/* epochs_kept past epochs, then EKEYEXPIRED. */
TEST_F(data, epochs_kept_expiry)
{
	struct pair *p = &self->p;
	struct mls_group_info info;
	uint8_t gid[256], ctx[GC_MAX], want[GC_MAX];
	struct grp_inputs e1;
	size_t len;

	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_EPOCHS_KEPT, 2));
	ASSERT_EQ(0, enc_text(p->a, "epoch 0", &self->m));
	ASSERT_EQ(0, pair_commit(p));
	e1 = p->in;
	ASSERT_EQ(0, enc_text(p->a, "epoch 1", &self->m2));
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, pair_commit(p));
	/* Current 3; kept 2 and 1; 0 is gone. */
	ASSERT_EQ(0, grp_info(p->b, &info, gid, sizeof(gid)));
	EXPECT_EQ(3, info.epoch);
	EXPECT_EQ(1, info.oldest_epoch);
	EXPECT_EQ(-EKEYEXPIRED, dec_msg(p->b, &self->m, &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m2, &self->d));
	EXPECT_EQ(1, self->d.epoch);
	EXPECT_EQ(-EKEYEXPIRED, grp_get_context(p->b, MLS_CONTEXT_F_EPOCH, 0, ctx,
						sizeof(ctx), &len));
	ASSERT_EQ(0, grp_get_context(p->b, MLS_CONTEXT_F_EPOCH, 1, ctx, sizeof(ctx), &len));
	EXPECT_EQ(gc_encode(&e1, want), len);
	EXPECT_EQ(0, memcmp(ctx, want, len));
	EXPECT_EQ(-EAGAIN, grp_get_context(p->b, MLS_CONTEXT_F_EPOCH, 4, ctx,
					   sizeof(ctx), &len));
}

/* Lowering epochs_kept erases past epochs at once. */
TEST_F(data, epochs_kept_lowered)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, enc_text(p->a, "epoch 0", &self->m));
	ASSERT_EQ(0, enc_text(p->a, "epoch 0 too", &self->m2));
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_EPOCHS_KEPT, 0));
	EXPECT_EQ(-EKEYEXPIRED, dec_msg(p->b, &self->m2, &self->d));
	/* The current epoch is untouched. */
	EXCHANGE(p->a, p->b, 0, "current");
}

/* A past epoch older than epoch_max_age_ms: EKEYEXPIRED. */
TEST_F(data, epoch_max_age_expiry)
{
	struct pair *p = &self->p;
	struct msg *m3 = calloc(1, sizeof(*m3));

	ASSERT_NE(NULL, m3);
	/*
	 * The longest grace period the module allows (a day by default),
	 * so that "still within" does not depend on how long a loaded
	 * debug guest takes between the commit and the next decrypt.
	 */
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_EPOCH_MAX_AGE,
				 max_age_longest()));
	ASSERT_EQ(0, enc_text(p->a, "age a", &self->m));
	ASSERT_EQ(0, enc_text(p->a, "age b", &self->m2));
	ASSERT_EQ(0, pair_commit(p));
	/* Just left: still within the grace period. */
	EXPECT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	/* A shorter one applies to the epoch already left. */
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_EPOCH_MAX_AGE, 500));
	sleep_ms(1200);
	EXPECT_EQ(-EKEYEXPIRED, dec_msg(p->b, &self->m2, &self->d));
	/* The current epoch never ages. */
	ASSERT_EQ(0, enc_text(p->a, "current", m3));
	EXPECT_EQ(0, dec_msg(p->b, m3, &self->d));
	free(m3);
}

/* The sender committed, the receiver not yet: EAGAIN, then fine. */
TEST_F(data, future_epoch_eagain)
{
	struct pair *p = &self->p;
	uint8_t cs[64];

	rand_bytes(cs, p->nh);
	ASSERT_EQ(0, member_commit(p, p->a, 0, cs));
	ASSERT_EQ(0, enc_text(p->a, "from the future", &self->m));
	EXPECT_EQ(1, self->m.epoch);
	EXPECT_EQ(-EAGAIN, dec_msg(p->b, &self->m, &self->d));
	ASSERT_EQ(0, member_commit(p, p->b, 1, cs));
	ASSERT_EQ(0, pair_advance(p, cs));
	ASSERT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	EXPECT_EQ(1, self->d.epoch);
	EXPECT_EQ(0, self->d.gen);
}

/*
 * Leaf 2 of a three-leaf group sends; a receiver whose roster has leaf 2
 * blank rejects it, one whose roster has it occupied accepts it.
 */
TEST_F(data, blank_leaf_ebadmsg)
{
	struct pair *p = &self->p;
	struct grp_inputs in;
	struct mls_group_new n;
	uint8_t blank2 = 0x03, all = 0x07;
	int s, r_blank, r_full;

	inputs_random(&in, p->suite);
	new_from_inputs(&n, &in, 2, 3, &all, 1, MLS_GROUP_F_EPHEMERAL);
	s = grp_create(p->ctl, &n);
	ASSERT_LE(0, s);
	new_from_inputs(&n, &in, 0, 3, &blank2, 1, MLS_GROUP_F_EPHEMERAL);
	r_blank = grp_create(p->ctl, &n);
	ASSERT_LE(0, r_blank);
	new_from_inputs(&n, &in, 1, 3, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	r_full = grp_create(p->ctl, &n);
	ASSERT_LE(0, r_full);

	ASSERT_EQ(0, enc_text(s, "from leaf 2", &self->m));
	EXPECT_EQ(-EBADMSG, dec_msg(r_blank, &self->m, &self->d));
	ASSERT_EQ(0, dec_msg(r_full, &self->m, &self->d));
	EXPECT_EQ(2, self->d.leaf);
	/* Leaf 0 and 1 are still heard by the one with leaf 2 blank. */
	EXCHANGE(r_full, r_blank, 1, "from leaf 1");
	close(s);
	close(r_blank);
	close(r_full);
}

/* In a two-leaf group: a receiver with the sender's leaf blank. */
TEST_F(data, blank_leaf_two_leaves)
{
	struct pair *p = &self->p;
	struct mls_group_new n;
	uint8_t only1 = 0x02;
	int r;

	new_from_inputs(&n, &p->in, 1, 2, &only1, 1, MLS_GROUP_F_EPHEMERAL);
	r = grp_create(p->ctl, &n);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, enc_text(p->a, "from leaf 0", &self->m));
	EXPECT_EQ(-EBADMSG, dec_msg(r, &self->m, &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	close(r);
}

/* Every truncation and one trailing byte: EBADMSG, nothing consumed. */
TEST_F(data, truncated_input)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	uint8_t *copy;
	size_t len;

	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "aad", 3, "truncate me", 11,
				 p->sig, p->sig_len, m));
	copy = malloc(m->len + 1);
	ASSERT_NE(NULL, copy);
	memcpy(copy, m->buf, m->len);
	for (len = 0; len < m->len; len++)
		EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, copy, len, &self->d)) TH_LOG("len %zu", len);
	copy[m->len] = 0;
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, copy, m->len + 1, &self->d));
	copy[m->len] = 0xff;
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, copy, m->len + 1, &self->d));
	ASSERT_EQ(0, dec_msg(p->b, m, &self->d));
	EXPECT_EQ(11, self->d.content_len);
	free(copy);
}

/* Encrypt into a small buffer: ENOSPC with the size, no generation used. */
TEST_F(data, encrypt_enospc)
{
	struct pair *p = &self->p;
	struct mls_encrypt e;
	uint8_t out[MSG_MAX];
	__u32 need;

	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, "enospc", 6, p->sig, p->sig_len, out, 10);
	EXPECT_EQ(-ENOSPC, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	need = e.message.len;
	ASSERT_LT(10, need);
	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, "enospc", 6, p->sig, p->sig_len, out, need - 1);
	EXPECT_EQ(-ENOSPC, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(need, e.message.len);
	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, "enospc", 6, p->sig, p->sig_len, NULL, 0);
	EXPECT_EQ(-ENOSPC, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(need, e.message.len);
	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, "enospc", 6, p->sig, p->sig_len, out, need);
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(need, e.message.len);
	EXPECT_EQ(0, e.generation);
	ASSERT_EQ(0, grp_decrypt(p->b, out, e.message.len, &self->d));
	EXPECT_EQ(0, self->d.gen);
}

/*
 * Content at address 0, or at an unmapped one, with a length: EFAULT
 * (never a kernel read of address 0), and no generation used.
 */
TEST_F(data, encrypt_content_null_or_unmapped)
{
	struct pair *p = &self->p;
	struct mls_encrypt e;
	uint8_t out[MSG_MAX];
	void *hole;

	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, NULL, 16, p->sig, p->sig_len, out,
		 sizeof(out));
	EXPECT_EQ(-EFAULT, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, hole, 16, p->sig, p->sig_len, out,
		 sizeof(out));
	EXPECT_EQ(-EFAULT, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	munmap(hole, 4096);
	/* Empty content at address 0 is an empty message. */
	enc_init(&e, MLS_CONTENT_APPLICATION, "x", 1, NULL, 0, p->sig, p->sig_len, out,
		 sizeof(out));
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(0, e.generation);
	ASSERT_EQ(0, grp_decrypt(p->b, out, e.message.len, &self->d));
	EXPECT_EQ(0, self->d.gen);
	EXPECT_EQ(0, self->d.content_len);
}

/* Decrypt into small buffers: ENOSPC with the sizes, nothing consumed. */
TEST_F(data, decrypt_enospc)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	uint8_t aad[64], content[64], sig[SIG_MAX];
	struct mls_decrypt d;

	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "0123456789", 10,
				 "content of 20 bytes!", 20, p->sig, p->sig_len, m));
#define DEC_SET(acap, ccap, scap) do {						\
	memset(&d, 0, sizeof(d));						\
	mbuf(&d.message, m->buf, m->len);					\
	mbuf(&d.authenticated_data, aad, (acap));				\
	mbuf(&d.content, content, (ccap));					\
	mbuf(&d.signature, sig, (scap));					\
} while (0)
	DEC_SET(sizeof(aad), 19, sizeof(sig));
	EXPECT_EQ(-ENOSPC, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	EXPECT_EQ(20, d.content.len);
	DEC_SET(9, sizeof(content), sizeof(sig));
	EXPECT_EQ(-ENOSPC, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	EXPECT_EQ(10, d.authenticated_data.len);
	DEC_SET(sizeof(aad), sizeof(content), p->sig_len - 1);
	EXPECT_EQ(-ENOSPC, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	EXPECT_EQ(p->sig_len, d.signature.len);
	DEC_SET(0, 0, 0);
	EXPECT_EQ(-ENOSPC, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	EXPECT_EQ(10, d.authenticated_data.len);
	EXPECT_EQ(20, d.content.len);
	EXPECT_EQ(p->sig_len, d.signature.len);
	/* Exactly enough. */
	DEC_SET(10, 20, p->sig_len);
	ASSERT_EQ(0, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	EXPECT_EQ(0, d.generation);
	EXPECT_EQ(20, d.content.len);
	EXPECT_EQ(0, memcmp(content, "content of 20 bytes!", 20));
	EXPECT_EQ(-EALREADY, dec_msg(p->b, m, &self->d));
#undef DEC_SET
}

/* An output address that faults: EFAULT, and the key is not burned. */
TEST_F(data, decrypt_efault_burns_nothing)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct mls_decrypt d;

	ASSERT_EQ(0, enc_text(p->a, "fault", m));
	dec_init(&d, m->buf, m->len, &self->d);
	d.content.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	dec_init(&d, m->buf, m->len, &self->d);
	d.signature.addr = LOW_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	dec_init(&d, m->buf, m->len, &self->d);
	d.message.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	ASSERT_EQ(0, dec_msg(p->b, m, &self->d));
	EXPECT_EQ(0, self->d.gen);
}

/*
 * The struct itself cannot be written back (it lies in a read-only page,
 * which the kernel can read it from): EFAULT, the generation is not used
 * up, and the plaintext written meanwhile is wiped; the retry gets it.
 */
TEST_F(data, decrypt_struct_copy_back_efault_then_retry)
{
	static const char text[] = "copy-back fault: this plaintext must not stay";
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *o = &self->d;
	long page = sysconf(_SC_PAGESIZE);
	struct mls_decrypt *d;
	void *map;

	ASSERT_EQ(0, enc_text(p->a, text, m));
	map = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	d = map;
	memset(o->content, 0xee, sizeof(o->content));
	memset(o->sig, 0xee, sizeof(o->sig));
	dec_init(d, m->buf, m->len, o);
	ASSERT_EQ(0, mprotect(map, (size_t)page, PROT_READ));
	EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, d));
	/* Nothing delivered: the buffers hold neither text nor signature. */
	EXPECT_FALSE(memmem_found(o->content, sizeof(o->content), text, strlen(text)));
	EXPECT_FALSE(memmem_found(o->sig, sizeof(o->sig), "signatur", 8));
	/* Twice: a failed call left nothing behind, not even a claim. */
	EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, d));

	ASSERT_EQ(0, mprotect(map, (size_t)page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, xioctl(p->b, MLS_IOC_DECRYPT, d));
	EXPECT_EQ(strlen(text), d->content.len);
	EXPECT_EQ(0, memcmp(o->content, text, strlen(text)));
	EXPECT_EQ(0, d->generation);
	EXPECT_EQ(0, d->sender_leaf);
	/* Delivered once: now it is a replay. */
	EXPECT_EQ(-EALREADY, dec_msg(p->b, m, o));
	munmap(map, (size_t)page);
}

/*
 * An output that faults after another was written: EFAULT, nothing
 * consumed, and what was written is wiped.
 */
TEST_F(data, decrypt_output_efault_wipes)
{
	static const char text[] = "the signature faults, the content was written";
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct mls_decrypt d;

	ASSERT_EQ(0, enc_text(p->a, text, m));
	memset(self->d.content, 0xee, sizeof(self->d.content));
	dec_init(&d, m->buf, m->len, &self->d);
	d.signature.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, &d));
	EXPECT_FALSE(memmem_found(self->d.content, sizeof(self->d.content), text,
				  strlen(text)));
	ASSERT_EQ(0, dec_msg(p->b, m, &self->d));
	EXPECT_EQ(strlen(text), self->d.content_len);
	EXPECT_EQ(0, memcmp(self->d.content, text, strlen(text)));
}

#define RACE_THREADS	8
#define RACE_ROUNDS	40

struct race {
	pthread_barrier_t start;
	int fd;
	const struct msg *m;
	struct dec out[RACE_THREADS];
	int ret[RACE_THREADS];
};

struct race_arg {
	struct race *r;
	int i;
};

static void *race_decrypt(void *arg)
{
	struct race_arg *a = arg;
	struct race *r = a->r;

	pthread_barrier_wait(&r->start);
	/* Half of them open straight into their buffer, half do not. */
	r->ret[a->i] = grp_decrypt_flags(r->fd, r->m->buf, r->m->len, &r->out[a->i],
					 (a->i & 1) ? MLS_DECRYPT_F_ZEROCOPY : 0);
	return NULL;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * Several threads decrypt one message at once, with and without
 * MLS_DECRYPT_F_ZEROCOPY: exactly one gets 0 and the plaintext; the
 * others wait for it, get EALREADY and their buffers are untouched.
 */
TEST_F_TIMEOUT(data, concurrent_decrypts_one_winner, 120)
{
	struct pair *p = &self->p;
	struct race *r = calloc(1, sizeof(*r));
	struct race_arg args[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	uint8_t *content = malloc(MSG_MAX), sig[SIG_MAX];
	size_t clen = MSG_MAX - 1024, sig_len = stand_in_sig(variant->suite, sig);
	int round, i;

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, content);
	r->fd = p->b;
	r->m = &self->m;
	for (round = 0; round < RACE_ROUNDS; round++) {
		int winners = 0, already = 0;

		fill_pattern(content, clen, (unsigned int)round);
		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "race", 4,
					 content, clen, sig, sig_len, &self->m));
		ASSERT_EQ(0, pthread_barrier_init(&r->start, NULL, RACE_THREADS));
		for (i = 0; i < RACE_THREADS; i++) {
			memset(&r->out[i], 0xa5, sizeof(r->out[i]));
			args[i].r = r;
			args[i].i = i;
			ASSERT_EQ(0, pthread_create(&th[i], NULL, race_decrypt, &args[i]));
		}
		for (i = 0; i < RACE_THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&r->start);
		for (i = 0; i < RACE_THREADS; i++) {
			struct dec *o = &r->out[i];

			if (r->ret[i] == 0) {
				winners++;
				EXPECT_EQ(clen, o->content_len);
				EXPECT_EQ(0, memcmp(o->content, content, clen));
				continue;
			}
			EXPECT_EQ(-EALREADY, r->ret[i]) TH_LOG("round %d thread %d: %s",
							       round, i, strerror(-r->ret[i]));
			already++;
			EXPECT_TRUE(all_bytes(o->aad, sizeof(o->aad), 0xa5) &&
				    all_bytes(o->content, sizeof(o->content), 0xa5) &&
				    all_bytes(o->sig, sizeof(o->sig), 0xa5))
				TH_LOG("round %d: thread %d got EALREADY and the plaintext",
				       round, i);
		}
		EXPECT_EQ(1, winners) TH_LOG("round %d", round);
		EXPECT_EQ(RACE_THREADS - 1, already) TH_LOG("round %d", round);
	}
	free(content);
	free(r);
}

/*
 * Both ways of opening a content, through a kernel buffer (the default)
 * and straight into the caller's buffer through its pages
 * (MLS_DECRYPT_F_ZEROCOPY): every length of the application_data's
 * varint (1, 2 and 4 bytes, either side of each boundary), either side of
 * a page, a buffer that starts anywhere in a page and spans many pages,
 * and a buffer larger than the content.
 */
TEST_F_TIMEOUT(data, content_both_paths_sizes, 240)
{
	static const size_t sizes[] = {
		1, 63, 64, 1000, 4095, 4096, 4097, 16383, 16384, 65536, 200000,
	};
	static const size_t offs[] = { 0, 1, 4095 };
	static const __u32 flags[] = { 0, MLS_DECRYPT_F_ZEROCOPY };
	struct pair *p = &self->p;
	size_t cap = 200000 + 4096, mcap = cap + 1024, i, j, n;
	uint8_t *content = malloc(cap), *msg = malloc(mcap);
	uint8_t *out = malloc(cap + 2 * 4096), sig[SIG_MAX];
	size_t sig_len = stand_in_sig(variant->suite, sig);

	ASSERT_NE(NULL, content);
	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, out);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (n = 0; n < ARRAY_SIZE(offs) * ARRAY_SIZE(flags); n++) {
			uint8_t aad[64], rsig[SIG_MAX], *dst;
			struct mls_encrypt e;
			struct mls_decrypt d;

			j = n % ARRAY_SIZE(offs);
			dst = out + offs[j];
			fill_pattern(content, sizes[i], (unsigned int)(i * 7 + n));
			enc_init(&e, MLS_CONTENT_APPLICATION, "ad", 2, content,
				 sizes[i], sig, sig_len, msg, mcap);
			ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
			memset(out, 0xee, cap + 2 * 4096);
			memset(&d, 0, sizeof(d));
			d.flags = flags[n / ARRAY_SIZE(offs)];
			mbuf(&d.message, msg, e.message.len);
			mbuf(&d.authenticated_data, aad, sizeof(aad));
			mbuf(&d.content, dst, sizes[i] + (j ? 100 : 0));
			mbuf(&d.signature, rsig, sizeof(rsig));
			ASSERT_EQ(0, xioctl(p->b, MLS_IOC_DECRYPT, &d))
				TH_LOG("size %zu offset %zu flags %u", sizes[i], offs[j], d.flags);
			EXPECT_EQ(sizes[i], d.content.len);
			EXPECT_EQ(0, memcmp(dst, content, sizes[i]))
				TH_LOG("size %zu offset %zu flags %u", sizes[i], offs[j], d.flags);
			/* Nothing written around it. */
			EXPECT_TRUE(all_bytes(out, offs[j], 0xee));
			EXPECT_TRUE(all_bytes(dst + sizes[i], 100, 0xee));
			EXPECT_EQ(2, d.authenticated_data.len);
			EXPECT_EQ(0, memcmp(aad, "ad", 2));
			EXPECT_EQ(sig_len, d.signature.len);
			EXPECT_EQ(0, memcmp(rsig, sig, sig_len));
		}
	}
	free(out);
	free(msg);
	free(content);
}

/*
 * A content of three pages that fails its tag, on both paths: EBADMSG and
 * no plaintext left in the caller's buffer. Without the flag the buffer
 * is untouched; with MLS_DECRYPT_F_ZEROCOPY, what the AEAD wrote there
 * (the content's bytes) is zeroed and nothing around it is touched. The
 * claim taken before that AEAD is given back: the genuine message then
 * decrypts, once.
 */
TEST_F(data, content_forged_both_paths)
{
	static const __u32 flags[] = { 0, MLS_DECRYPT_F_ZEROCOPY };
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *o = &self->d;
	size_t clen = 3 * 4096 + 5, k;
	uint8_t *content = malloc(clen), sig[SIG_MAX];
	size_t sig_len = stand_in_sig(variant->suite, sig);

	ASSERT_NE(NULL, content);
	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		fill_pattern(content, clen, (unsigned int)k + 3);
		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "ad", 2,
					 content, clen, sig, sig_len, m));
		m->buf[m->len - 1] ^= 1;
		memset(o, 0xee, sizeof(*o));
		EXPECT_EQ(-EBADMSG, grp_decrypt_flags(p->b, m->buf, m->len, o, flags[k]));
		if (flags[k]) {
			EXPECT_TRUE(all_bytes(o->content, clen, 0));
			EXPECT_TRUE(all_bytes(o->content + clen, sizeof(o->content) - clen,
					      0xee));
		} else {
			EXPECT_TRUE(all_bytes(o->content, sizeof(o->content), 0xee));
		}
		EXPECT_TRUE(all_bytes(o->aad, sizeof(o->aad), 0xee));
		EXPECT_TRUE(all_bytes(o->sig, sizeof(o->sig), 0xee));
		m->buf[m->len - 1] ^= 1;
		ASSERT_EQ(0, grp_decrypt_flags(p->b, m->buf, m->len, o, flags[k]));
		EXPECT_EQ(clen, o->content_len);
		EXPECT_EQ(0, memcmp(o->content, content, clen));
		EXPECT_EQ(-EALREADY, grp_decrypt_flags(p->b, m->buf, m->len, o, flags[k]));
	}
	free(content);
}

/*
 * A read-only content buffer cannot be written, on either path: EFAULT
 * once authenticated (with MLS_DECRYPT_F_ZEROCOPY its pages cannot be
 * pinned for writing, and the content is opened in a kernel buffer
 * instead), nothing consumed, nothing left; the message then decrypts.
 */
TEST_F(data, content_read_only_both_paths)
{
	static const __u32 flags[] = { 0, MLS_DECRYPT_F_ZEROCOPY };
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *o = &self->d;
	size_t len = 4 * 4096, clen = 2 * 4096, k;
	uint8_t *content = malloc(clen), sig[SIG_MAX], *ro;
	size_t sig_len = stand_in_sig(variant->suite, sig);
	struct mls_decrypt d;

	ASSERT_NE(NULL, content);
	ro = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		fill_pattern(content, clen, (unsigned int)k);
		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, NULL, 0,
					 content, clen, sig, sig_len, m));
		dec_init(&d, m->buf, m->len, o);
		d.flags = flags[k];
		mbuf(&d.content, ro, len);
		EXPECT_EQ(-EFAULT, xioctl(p->b, MLS_IOC_DECRYPT, &d));
		EXPECT_TRUE(all_bytes(ro, len, 0));
		ASSERT_EQ(0, grp_decrypt_flags(p->b, m->buf, m->len, o, flags[k]));
		EXPECT_EQ(clen, o->content_len);
		EXPECT_EQ(0, memcmp(o->content, content, clen));
	}
	munmap(ro, len);
	free(content);
}

/*
 * Flags: MLS_DECRYPT_F_ZEROCOPY is the only one; any other bit, alone or
 * beside it, is EINVAL before anything is read or consumed.
 */
TEST_F(data, decrypt_unknown_flags)
{
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *o = &self->d;
	const char *text = "flags";
	unsigned int bit;

	ASSERT_EQ(0, enc_text(p->a, text, m));
	for (bit = 0; bit < 32; bit++) {
		__u32 f = 1U << bit;

		if (f & MLS_DECRYPT_F_ALL)
			continue;
		memset(o, 0xee, sizeof(*o));
		EXPECT_EQ(-EINVAL, grp_decrypt_flags(p->b, m->buf, m->len, o, f))
			TH_LOG("bit %u", bit);
		EXPECT_EQ(-EINVAL, grp_decrypt_flags(p->b, m->buf, m->len, o,
						     f | MLS_DECRYPT_F_ZEROCOPY))
			TH_LOG("bit %u", bit);
		EXPECT_TRUE(all_bytes(o->content, sizeof(o->content), 0xee));
	}
	EXPECT_EQ(-EINVAL, grp_decrypt_flags(p->b, m->buf, m->len, o, ~0U));
	ASSERT_EQ(0, grp_decrypt_flags(p->b, m->buf, m->len, o, MLS_DECRYPT_F_ZEROCOPY));
	EXPECT_EQ(strlen(text), o->content_len);
	EXPECT_EQ(0, memcmp(o->content, text, strlen(text)));
}

/* --------------------------------------- a call that waits for another */

struct bg_dec {
	int fd;
	struct mls_decrypt d;
	bool batch;		/* as the one entry of MLS_IOC_DECRYPT_BATCH */
	int ret;		/* of the ioctl, or of the entry */
	atomic_int tid;
	atomic_int done;
};

static void *bg_dec_run(void *arg)
{
	struct bg_dec *b = arg;
	struct mls_decrypt_entry e = { .op = b->d, .error = 1 };
	struct mls_batch bt = {
		.count = 1, .entries = (uintptr_t)&e, .entry_size = sizeof(e),
	};

	atomic_store(&b->tid, (int)syscall(SYS_gettid));
	if (!b->batch) {
		b->ret = xioctl(b->fd, MLS_IOC_DECRYPT, &b->d);
	} else {
		b->ret = xioctl(b->fd, MLS_IOC_DECRYPT_BATCH, &bt);
		if (b->ret == 1 && bt.done == 1)
			b->ret = e.error;
		else if (b->ret >= 0)
			b->ret = 1000 + b->ret;	/* no such errno */
	}
	atomic_store(&b->done, 1);
	return NULL;
}

/* Whether @b returned within about @ms milliseconds. */
static bool bg_dec_wait(struct bg_dec *b, int ms)
{
	while (!atomic_load(&b->done) && ms-- > 0)
		usleep(1000);
	return atomic_load(&b->done);
}

/*
 * Whether @b's thread sleeps in the wait for another call's claim (its
 * wchan names it) within about 10 s.
 */
static bool bg_dec_waits_on_claim(struct bg_dec *b)
{
	char path[64], buf[128];
	int i;

	for (i = 0; i < 10000 && !atomic_load(&b->done); i++) {
		int tid = atomic_load(&b->tid);
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
		f = tid ? fopen(path, "r") : NULL;
		if (f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = 0;
			if (strstr(buf, "claim"))
				return true;
		}
		usleep(1000);
	}
	return false;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Pages whose first write stops the writer until they are released. */
struct stall {
	int uffd;
	uint8_t *p;
	size_t len;
};

static void stall_unmap(struct stall *s)
{
	if (s->p != MAP_FAILED)
		munmap(s->p, s->len);
	if (s->uffd >= 0)
		close(s->uffd);
}

/* Map @len bytes under a userfaultfd: 0 or -errno. */
static int stall_map(struct stall *s, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int err;

	s->len = len;
	s->p = MAP_FAILED;
	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (s->uffd < 0 || ioctl(s->uffd, UFFDIO_API, &api))
		goto fail;
	s->p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->p == MAP_FAILED)
		goto fail;
	reg.range.start = (uintptr_t)s->p;
	reg.range.len = len;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		goto fail;
	return 0;
fail:
	err = -errno;
	stall_unmap(s);
	return err;
}

/*
 * Start @hold on @th decrypting @m on @fd into @s's pages (the rest of
 * the output in @out): true once it has stopped there, its claim held.
 */
static bool stall_holder(struct stall *s, struct bg_dec *hold, pthread_t *th,
			 int fd, const struct msg *m, struct dec *out,
			 __u32 flags)
{
	struct pollfd pfd = { .fd = s->uffd, .events = POLLIN };
	struct uffd_msg um;

	hold->fd = fd;
	dec_init(&hold->d, m->buf, m->len, out);
	hold->d.flags = flags;
	mbuf(&hold->d.content, s->p, s->len);
	if (pthread_create(th, NULL, bg_dec_run, hold))
		return false;
	return poll(&pfd, 1, 10000) == 1 &&
	       read(s->uffd, &um, sizeof(um)) == sizeof(um) &&
	       um.event == UFFD_EVENT_PAGEFAULT;
}

/* Let the stopped writer go on: its pages read as zeros. */
static int stall_release(struct stall *s)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (uintptr_t)s->p, .len = s->len },
	};

	return ioctl(s->uffd, UFFDIO_ZEROPAGE, &zp) ? -errno : 0;
}

/*
 * A decrypt whose delivery is stopped (its content buffer is a
 * userfaultfd page it writes to, with or without the flag) holds the
 * message's claim. Another call of the same message waits for it, and a
 * signal ends that wait: EINTR, its buffers untouched, nothing consumed.
 * A forgery of that generation with MLS_DECRYPT_F_ZEROCOPY waits too,
 * then is judged by its tag: EBADMSG, not EALREADY. The first call then
 * delivers.
 */
TEST_F_TIMEOUT(data, decrypt_wait_eintr, 120)
{
	static const __u32 flags[] = { 0, MLS_DECRYPT_F_ZEROCOPY };
	struct pair *p = &self->p;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), clen = 2 * pg + 7, map = 4 * pg;
	uint8_t *content = malloc(clen), sig[SIG_MAX], *forged = malloc(MSG_MAX);
	size_t sig_len = stand_in_sig(variant->suite, sig);
	struct sigaction sa = { .sa_handler = on_signal };
	struct dec *w = calloc(1, sizeof(*w)), *f = calloc(1, sizeof(*f));
	struct msg *m = &self->m;
	unsigned int n;

	ASSERT_NE(NULL, content);
	ASSERT_NE(NULL, forged);
	ASSERT_NE(NULL, w);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	for (n = 0; n < 4; n++) {
		struct bg_dec *hold = calloc(1, sizeof(*hold));
		struct bg_dec *wait = calloc(1, sizeof(*wait));
		struct bg_dec *forge = calloc(1, sizeof(*forge));
		pthread_t th, tw, tf;
		struct stall slow;

		ASSERT_NE(NULL, hold);
		ASSERT_NE(NULL, wait);
		ASSERT_NE(NULL, forge);
		fill_pattern(content, clen, n);
		ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "ad", 2,
					 content, clen, sig, sig_len, m));
		memcpy(forged, m->buf, m->len);
		forged[m->len - 1] ^= 1;

		ASSERT_EQ(0, stall_map(&slow, map));

		/* The holder: stopped on its content buffer, claim held. */
		ASSERT_TRUE(stall_holder(&slow, hold, &th, p->b, m, &self->d,
					 flags[n & 1]));

		/* The same message, with or without the flag: waits; a signal. */
		memset(w, 0xa5, sizeof(*w));
		wait->fd = p->b;
		dec_init(&wait->d, m->buf, m->len, w);
		wait->d.flags = flags[n >> 1];
		ASSERT_EQ(0, pthread_create(&tw, NULL, bg_dec_run, wait));
		EXPECT_TRUE(bg_dec_waits_on_claim(wait)) TH_LOG("round %u", n);
		EXPECT_FALSE(atomic_load(&wait->done));
		ASSERT_EQ(0, pthread_kill(tw, SIGUSR1));
		EXPECT_TRUE(bg_dec_wait(wait, 10000));
		pthread_join(tw, NULL);
		EXPECT_EQ(-EINTR, wait->ret) TH_LOG("round %u: %s", n, strerror(-wait->ret));
		EXPECT_TRUE(all_bytes(w->aad, sizeof(w->aad), 0xa5) &&
			    all_bytes(w->content, sizeof(w->content), 0xa5) &&
			    all_bytes(w->sig, sizeof(w->sig), 0xa5));

		/* A zero-copy forgery of the generation being delivered. */
		memset(f, 0xa5, sizeof(*f));
		forge->fd = p->b;
		dec_init(&forge->d, forged, m->len, f);
		forge->d.flags = MLS_DECRYPT_F_ZEROCOPY;
		ASSERT_EQ(0, pthread_create(&tf, NULL, bg_dec_run, forge));
		EXPECT_TRUE(bg_dec_waits_on_claim(forge)) TH_LOG("round %u", n);
		EXPECT_FALSE(atomic_load(&hold->done));

		/* Let the holder go on: it delivers, the forgery fails. */
		EXPECT_EQ(0, stall_release(&slow));
		pthread_join(th, NULL);
		pthread_join(tf, NULL);
		EXPECT_EQ(0, hold->ret) TH_LOG("round %u: %s", n, strerror(-hold->ret));
		EXPECT_EQ(clen, hold->d.content.len);
		EXPECT_EQ(0, memcmp(slow.p, content, clen));
		EXPECT_EQ(-EBADMSG, forge->ret) TH_LOG("round %u: %s", n, strerror(-forge->ret));
		EXPECT_TRUE(all_bytes(f->content, sizeof(f->content), 0xa5));
		/* Delivered once. */
		EXPECT_EQ(-EALREADY, dec_msg(p->b, m, &self->d));
		stall_unmap(&slow);
		free(hold);
		free(wait);
		free(forge);
	}
	free(w);
	free(f);
	free(forged);
	free(content);
}

/*
 * With SA_RESTART, a signal during the wait for another call's claim
 * restarts the call (nothing was consumed): it keeps waiting, then sees
 * the holder's outcome (-EALREADY). A batch entry is not restarted: it
 * reports -EINTR in its error field, never a kernel-internal restart
 * code, and the batch goes on.
 */
TEST_F_TIMEOUT(data, decrypt_wait_restart, 120)
{
	struct pair *p = &self->p;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), clen = 2 * pg + 7, map = 4 * pg;
	uint8_t *content = malloc(clen), sig[SIG_MAX];
	size_t sig_len = stand_in_sig(variant->suite, sig);
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct dec *w = calloc(1, sizeof(*w)), *wb = calloc(1, sizeof(*wb));
	struct bg_dec *hold = calloc(1, sizeof(*hold));
	struct bg_dec *wait = calloc(1, sizeof(*wait));
	struct bg_dec *bwait = calloc(1, sizeof(*bwait));
	struct msg *m = &self->m;
	pthread_t th, tw, tb;
	struct stall slow;

	ASSERT_NE(NULL, content);
	ASSERT_NE(NULL, w);
	ASSERT_NE(NULL, wb);
	ASSERT_NE(NULL, hold);
	ASSERT_NE(NULL, wait);
	ASSERT_NE(NULL, bwait);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	fill_pattern(content, clen, 9);
	ASSERT_EQ(0, grp_encrypt(p->a, MLS_CONTENT_APPLICATION, "ad", 2,
				 content, clen, sig, sig_len, m));
	ASSERT_EQ(0, stall_map(&slow, map));

	/* The holder: stopped on its content buffer, claim held. */
	ASSERT_TRUE(stall_holder(&slow, hold, &th, p->b, m, &self->d,
				 MLS_DECRYPT_F_ZEROCOPY));

	/* A single call: the signal restarts it, it waits again. */
	memset(w, 0xa5, sizeof(*w));
	wait->fd = p->b;
	dec_init(&wait->d, m->buf, m->len, w);
	ASSERT_EQ(0, pthread_create(&tw, NULL, bg_dec_run, wait));
	EXPECT_TRUE(bg_dec_waits_on_claim(wait));
	ASSERT_EQ(0, pthread_kill(tw, SIGUSR1));
	EXPECT_FALSE(bg_dec_wait(wait, 200));
	EXPECT_TRUE(bg_dec_waits_on_claim(wait));

	/* A batch entry: -EINTR in its error field. */
	memset(wb, 0xa5, sizeof(*wb));
	bwait->fd = p->b;
	bwait->batch = true;
	dec_init(&bwait->d, m->buf, m->len, wb);
	bwait->d.flags = MLS_DECRYPT_F_ZEROCOPY;
	ASSERT_EQ(0, pthread_create(&tb, NULL, bg_dec_run, bwait));
	EXPECT_TRUE(bg_dec_waits_on_claim(bwait));
	ASSERT_EQ(0, pthread_kill(tb, SIGUSR1));
	EXPECT_TRUE(bg_dec_wait(bwait, 10000));
	pthread_join(tb, NULL);
	EXPECT_EQ(-EINTR, bwait->ret) TH_LOG("entry error %d", bwait->ret);
	EXPECT_TRUE(all_bytes(wb->content, sizeof(wb->content), 0xa5));
	EXPECT_FALSE(atomic_load(&wait->done));

	/* The holder delivers; the restarted call then sees it consumed. */
	EXPECT_EQ(0, stall_release(&slow));
	pthread_join(th, NULL);
	pthread_join(tw, NULL);
	EXPECT_EQ(0, hold->ret) TH_LOG("%s", strerror(-hold->ret));
	EXPECT_EQ(0, memcmp(slow.p, content, clen));
	EXPECT_EQ(-EALREADY, wait->ret) TH_LOG("%s", strerror(-wait->ret));
	EXPECT_TRUE(all_bytes(w->content, sizeof(w->content), 0xa5));
	stall_unmap(&slow);
	free(hold);
	free(wait);
	free(bwait);
	free(w);
	free(wb);
	free(content);
}

/* The module says it takes MLS_DECRYPT_F_ZEROCOPY, and it does. */
TEST_F(data, decrypt_zerocopy_feature)
{
	struct mls_version v = { 0 };
	struct pair *p = &self->p;
	struct msg *m = &self->m;
	struct dec *o = &self->d;
	int fd = open("/dev/mls", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MLS_IOC_GET_VERSION, &v));
	close(fd);
	EXPECT_TRUE(v.features & MLS_FEATURE_DECRYPT_ZEROCOPY);
	ASSERT_EQ(0, enc_text(p->a, "feature", m));
	EXPECT_EQ(0, grp_decrypt_flags(p->b, m->buf, m->len, o,
				       MLS_DECRYPT_F_ZEROCOPY));
	EXPECT_EQ(strlen("feature"), o->content_len);
}

/* Same secrets, other group_id: EBADMSG; same group_id: fine. */
TEST_F(data, other_group_id_ebadmsg)
{
	struct pair *p = &self->p;
	struct grp_inputs in, other;
	struct mls_group_new n;
	uint8_t enc[64], sd[64];
	int a, b_same, b_other;

	inputs_random(&in, p->suite);
	other = in;
	other.group_id[0] ^= 0x80;
	rand_bytes(enc, p->nh);
	rand_bytes(sd, p->nh);
	new_install(&n, &in, enc, sd, 0, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	a = grp_create(p->ctl, &n);
	ASSERT_LE(0, a);
	new_install(&n, &in, enc, sd, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	b_same = grp_create(p->ctl, &n);
	ASSERT_LE(0, b_same);
	new_install(&n, &other, enc, sd, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	b_other = grp_create(p->ctl, &n);
	ASSERT_LE(0, b_other);

	ASSERT_EQ(0, enc_text(a, "for one group", &self->m));
	EXPECT_EQ(-EBADMSG, dec_msg(b_other, &self->m, &self->d));
	EXPECT_EQ(0, dec_msg(b_same, &self->m, &self->d));
	/* Also a message of the pair's group, to an unrelated member. */
	ASSERT_EQ(0, enc_text(p->a, "for the pair", &self->m2));
	EXPECT_EQ(-EBADMSG, dec_msg(b_same, &self->m2, &self->d));
	close(a);
	close(b_same);
	close(b_other);
}

/* A member's own message fed back to it: EBADMSG. */
TEST_F(data, own_message_ebadmsg)
{
	struct pair *p = &self->p;

	ASSERT_EQ(0, enc_text(p->a, "mine", &self->m));
	EXPECT_EQ(-EBADMSG, dec_msg(p->a, &self->m, &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m, &self->d));
}

/* Both members export the same values, those of RFC 9420 §8.5. */
TEST_F(data, exporter_agrees)
{
	struct pair *p = &self->p;
	static const size_t lens[] = { 1, 16, 32, 64, 65, 1024 };
	uint8_t a[1024], b[1024], want[1024], prev[32];
	const char *ctx = "exporter context";
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ASSERT_EQ(0, grp_exporter(p->a, "label", ctx, strlen(ctx), a, lens[i]));
		ASSERT_EQ(0, grp_exporter(p->b, "label", ctx, strlen(ctx), b, lens[i]));
		ASSERT_EQ(0, mls_exporter_us(p->suite, p->es.exporter, "label",
					     (const uint8_t *)ctx, strlen(ctx), want, lens[i]));
		EXPECT_EQ(0, memcmp(a, b, lens[i]));
		EXPECT_EQ(0, memcmp(a, want, lens[i]));
	}
	ASSERT_EQ(0, grp_exporter(p->a, "label", ctx, strlen(ctx), prev, 32));
	ASSERT_EQ(0, grp_exporter(p->a, "other label", ctx, strlen(ctx), a, 32));
	EXPECT_NE(0, memcmp(a, prev, 32));
	ASSERT_EQ(0, grp_exporter(p->a, "label", "", 0, a, 32));
	EXPECT_NE(0, memcmp(a, prev, 32));
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, grp_exporter(p->a, "label", ctx, strlen(ctx), a, 32));
	ASSERT_EQ(0, grp_exporter(p->b, "label", ctx, strlen(ctx), b, 32));
	EXPECT_EQ(0, memcmp(a, b, 32));
	EXPECT_NE(0, memcmp(a, prev, 32));
}

/* GET_CONTEXT: the encoded GroupContext, what userspace signs. */
TEST_F(data, group_context_encoding)
{
	struct pair *p = &self->p;
	uint8_t ctx[GC_MAX], want[GC_MAX];
	struct grp_inputs in;
	struct mls_group_new n;
	size_t len;
	int fd;

	ASSERT_EQ(0, grp_get_context(p->a, 0, 0, ctx, sizeof(ctx), &len));
	EXPECT_EQ(gc_encode(&p->in, want), len);
	EXPECT_EQ(0, memcmp(ctx, want, len));
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, grp_get_context(p->b, 0, 0, ctx, sizeof(ctx), &len));
	EXPECT_EQ(gc_encode(&p->in, want), len);
	EXPECT_EQ(0, memcmp(ctx, want, len));

	/* With extensions, short hashes and a long group_id. */
	inputs_random(&in, p->suite);
	in.group_id_len = 255;
	rand_bytes(in.group_id, 255);
	in.tree_hash_len = 5;
	in.cth_len = 0;
	in.ext_len = 10;
	memcpy(in.ext, "\x00\x0a\x07\x00\x01\x02\x03\x04\x05\x06", 10);
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_get_context(fd, 0, 0, ctx, sizeof(ctx), &len));
	EXPECT_EQ(gc_encode(&in, want), len);
	EXPECT_EQ(0, memcmp(ctx, want, len));
	/* ENOSPC with the size needed. */
	EXPECT_EQ(-ENOSPC, grp_get_context(fd, 0, 0, ctx, 4, &len));
	EXPECT_EQ(gc_encode(&in, want), len);
	close(fd);
}

/* ------------------------------------------------ messages made here */

/* The crafting context of the pair's current epoch, from leaf 0. */
static struct craft pair_craft(const struct pair *p, const uint8_t *pt, size_t pt_len,
			       uint32_t gen)
{
	struct craft c = {
		.suite = p->suite, .group_id = p->in.group_id,
		.group_id_len = p->in.group_id_len, .epoch = p->in.epoch,
		.ctype = MLS_CONTENT_APPLICATION, .aad = (const uint8_t *)"crafted",
		.aad_len = 7, .pt = pt, .pt_len = pt_len, .leaf = 0, .gen = gen,
		.encryption_secret = p->es.encryption,
		.sender_data_secret = p->es.sender_data, .leaf_count = p->leaf_count,
	};

	rand_bytes(c.reuse_guard, 4);
	return c;
}

/* A message made in userspace decrypts in the kernel (the control). */
TEST_F(data, crafted_valid_accepted)
{
	struct pair *p = &self->p;
	uint8_t pt[256], msg[MSG_MAX];
	struct craft c;
	size_t ptlen, len;
	uint32_t g;

	for (g = 0; g < 3; g++) {
		ptlen = app_plaintext(pt, (const uint8_t *)"made in userspace", 17, p->sig,
				      p->sig_len, g * 5);
		c = pair_craft(p, pt, ptlen, g * 2);
		len = craft_message(&c, msg);
		ASSERT_NE(0, len);
		ASSERT_EQ(0, grp_decrypt(p->b, msg, len, &self->d));
		EXPECT_EQ(0, self->d.leaf);
		EXPECT_EQ(g * 2, self->d.gen);
		ASSERT_EQ(17, self->d.content_len);
		EXPECT_EQ(0, memcmp(self->d.content, "made in userspace", 17));
		ASSERT_EQ(7, self->d.aad_len);
		EXPECT_EQ(0, memcmp(self->d.aad, "crafted", 7));
		ASSERT_EQ(p->sig_len, self->d.sig_len);
		EXPECT_EQ(0, memcmp(self->d.sig, p->sig, p->sig_len));
	}
	/* And in a later epoch. */
	ASSERT_EQ(0, pair_commit(p));
	ptlen = app_plaintext(pt, (const uint8_t *)"epoch 1", 7, NULL, 0, 0);
	c = pair_craft(p, pt, ptlen, 0);
	len = craft_message(&c, msg);
	ASSERT_EQ(0, grp_decrypt(p->b, msg, len, &self->d));
	EXPECT_EQ(1, self->d.epoch);
}

/* A non-zero padding byte: EBADMSG. */
TEST_F(data, crafted_nonzero_padding)
{
	struct pair *p = &self->p;
	uint8_t pt[256], msg[MSG_MAX];
	struct craft c;
	size_t ptlen, len;

	ptlen = app_plaintext(pt, (const uint8_t *)"padded", 6, p->sig, p->sig_len, 20);
	pt[ptlen - 1] = 0x01;
	c = pair_craft(p, pt, ptlen, 0);
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	pt[ptlen - 1] = 0;
	pt[ptlen - 20] = 0x80;
	c = pair_craft(p, pt, ptlen, 0);
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	/* All zeros: fine, and generation 0 was not burned by the others. */
	pt[ptlen - 20] = 0;
	c = pair_craft(p, pt, ptlen, 0);
	len = craft_message(&c, msg);
	ASSERT_EQ(0, grp_decrypt(p->b, msg, len, &self->d));
	EXPECT_EQ(6, self->d.content_len);
}

/* Another member at leaf 1 of the pair's first epoch (fresh ratchets). */
static int fresh_b(const struct pair *p)
{
	struct mls_group_new n;

	new_from_inputs(&n, &p->in, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	return grp_create(p->ctl, &n);
}

/*
 * Malformed content plaintexts that authenticate: EBADMSG. Each goes to
 * a receiver of its own, which then takes a good message of the same
 * generation (a rejected message burns nothing).
 */
TEST_F(data, crafted_malformed_content)
{
	struct pair *p = &self->p;
	uint8_t msg[MSG_MAX];
	/* application_data<V> with a non-minimal length */
	static const uint8_t nonmin[] = { 0x40, 0x03, 'a', 'b', 'c', 0x00 };
	/* signature<V> with a non-minimal length */
	static const uint8_t signonmin[] = { 0x01, 'a', 0x40, 0x01, 's' };
	/* a length past the end */
	static const uint8_t overrun[] = { 0x10, 'a', 'b', 'c' };
	/* no signature<V> at all */
	static const uint8_t nosig[] = { 0x03, 'a', 'b', 'c' };
	/* a signature<V> past the end */
	static const uint8_t sigover[] = { 0x01, 'a', 0x05, 's' };
	/* prefix 11 */
	static const uint8_t prefix11[] = { 0xc0, 0x00, 0x00, 0x00, 0x00 };
	static const struct { const uint8_t *pt; size_t len; } cases[] = {
		{ nonmin, sizeof(nonmin) },
		{ signonmin, sizeof(signonmin) },
		{ overrun, sizeof(overrun) },
		{ nosig, sizeof(nosig) },
		{ sigover, sizeof(sigover) },
		{ prefix11, sizeof(prefix11) },
		{ NULL, 0 },
	};
	unsigned int i;
	uint8_t good[32];
	struct craft c;
	size_t len;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = fresh_b(p);
		ASSERT_LE(0, r);
		c = pair_craft(p, cases[i].pt, cases[i].len, 0);
		len = craft_message(&c, msg);
		ASSERT_NE(0, len);
		EXPECT_EQ(-EBADMSG, grp_decrypt(r, msg, len, &self->d)) TH_LOG("case %u", i);
		c = pair_craft(p, good, app_plaintext(good, (const uint8_t *)"ok", 2, NULL, 0, 0),
			       0);
		len = craft_message(&c, msg);
		EXPECT_EQ(0, grp_decrypt(r, msg, len, &self->d)) TH_LOG("case %u", i);
		close(r);
	}
}

/* A valid message from a leaf blank in the receiver's roster. */
TEST_F(data, crafted_blank_leaf)
{
	struct pair *p = &self->p;
	struct grp_inputs in;
	struct mls_group_new n;
	struct epoch_secrets es;
	uint8_t pt[64], msg[MSG_MAX], blank2 = 0x0b;	/* leaves 0, 1, 3 */
	struct craft c;
	size_t len;
	int r_blank, r_full;

	inputs_random(&in, p->suite);
	ASSERT_EQ(0, key_schedule(&in, in.init, in.commit, in.psk, &es));
	new_from_inputs(&n, &in, 0, 4, &blank2, 1, MLS_GROUP_F_EPHEMERAL);
	r_blank = grp_create(p->ctl, &n);
	ASSERT_LE(0, r_blank);
	new_from_inputs(&n, &in, 1, 4, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	r_full = grp_create(p->ctl, &n);
	ASSERT_LE(0, r_full);

	c = (struct craft){
		.suite = p->suite, .group_id = in.group_id, .group_id_len = in.group_id_len,
		.epoch = 0, .ctype = MLS_CONTENT_APPLICATION, .pt = pt,
		.pt_len = app_plaintext(pt, (const uint8_t *)"leaf 2", 6, NULL, 0, 0),
		.leaf = 2, .gen = 0, .reuse_guard = { 1, 2, 3, 4 },
		.encryption_secret = es.encryption, .sender_data_secret = es.sender_data,
		.leaf_count = 4,
	};
	len = craft_message(&c, msg);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EBADMSG, grp_decrypt(r_blank, msg, len, &self->d));
	ASSERT_EQ(0, grp_decrypt(r_full, msg, len, &self->d));
	EXPECT_EQ(2, self->d.leaf);
	/* Leaf 3 is occupied for both. */
	c.leaf = 3;
	len = craft_message(&c, msg);
	EXPECT_EQ(0, grp_decrypt(r_blank, msg, len, &self->d));
	close(r_blank);
	close(r_full);
}

/* A valid message claiming the receiver's own leaf, or no leaf at all. */
TEST_F(data, crafted_bad_sender_leaf)
{
	struct pair *p = &self->p;
	uint8_t pt[64], msg[MSG_MAX];
	struct craft c;
	size_t len;

	c = pair_craft(p, pt, app_plaintext(pt, (const uint8_t *)"me?", 3, NULL, 0, 0), 0);
	c.leaf = 1;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	/* A, whose own leaf is 0, takes it (the control). */
	ASSERT_EQ(0, grp_decrypt(p->a, msg, len, &self->d));
	EXPECT_EQ(1, self->d.leaf);

	/* Leaves 2 and 0xffffffff do not exist in a two-leaf group. */
	c.leaf = 2;
	c.bad_content_key = true;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.leaf = 0xffffffff;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
}

/* Generations near 2^32 with max_forward at its cap: ERANGE, no wrap. */
TEST_F(data, crafted_far_generation)
{
	struct pair *p = &self->p;
	long long cap = mod_param("max_forward_max");
	static const uint32_t gens[] = { 0xffffffff, 0xfffffffe, 0x80000000 };
	uint8_t pt[64], msg[MSG_MAX];
	struct craft c;
	unsigned int i;
	size_t len;

	ASSERT_LT(0, cap);
	ASSERT_GT(0x80000000LL, cap);
	ASSERT_EQ(0, grp_policy1(p->b, MLS_POLICY_MAX_FORWARD, (__u32)cap));
	for (i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		c = pair_craft(p, pt, app_plaintext(pt, (const uint8_t *)"far", 3, NULL, 0, 0),
			       gens[i]);
		c.bad_content_key = true;
		len = craft_message(&c, msg);
		EXPECT_EQ(-ERANGE, grp_decrypt(p->b, msg, len, &self->d)) TH_LOG("gen %u", gens[i]);
	}
	c = pair_craft(p, pt, app_plaintext(pt, (const uint8_t *)"far", 3, NULL, 0, 0),
		       (uint32_t)cap + 1);
	c.bad_content_key = true;
	len = craft_message(&c, msg);
	EXPECT_EQ(-ERANGE, grp_decrypt(p->b, msg, len, &self->d));
	EXCHANGE(p->a, p->b, 0, "near");
}

/* The MLSMessage framing: version, wire format, varints, content type. */
TEST_F(data, crafted_bad_framing)
{
	struct pair *p = &self->p;
	uint8_t pt[64], msg[MSG_MAX];
	struct craft c;
	size_t ptlen, len;

	ptlen = app_plaintext(pt, (const uint8_t *)"frame", 5, NULL, 0, 0);
	c = pair_craft(p, pt, ptlen, 0);
	c.version = 2;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.version = 0xffff;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.version = 0;
	c.wire_format = 1;	/* mls_public_message */
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.wire_format = 3;	/* mls_welcome */
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.wire_format = 0;
	c.aad_len_nonminimal = true;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.aad_len_nonminimal = false;
	c.ctype = 0;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	c.ctype = 4;
	len = craft_message(&c, msg);
	EXPECT_EQ(-EBADMSG, grp_decrypt(p->b, msg, len, &self->d));
	/* Prefix 11 in the group_id length of a genuine message. */
	ASSERT_EQ(0, enc_text(p->a, "genuine", &self->m));
	self->m.buf[4] |= 0xc0;
	EXPECT_EQ(-EBADMSG, dec_msg(p->b, &self->m, &self->d));
	self->m.buf[4] &= 0x3f;
	/* The control: all of it in order. */
	c.ctype = MLS_CONTENT_APPLICATION;
	c.gen = 1;
	len = craft_message(&c, msg);
	EXPECT_EQ(0, grp_decrypt(p->b, msg, len, &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m, &self->d));
}

TEST_HARNESS_MAIN
