// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a group after a ReInit (RFC 9420 §12.1.5, §11.2, §12.4.2),
 * through the uapi only: a commit with MLS_COMMIT_F_FINAL makes the epoch
 * it starts the group's last. Two members A (leaf 0) and B (leaf 1) of
 * one group, in three suites:
 *
 *  bad_flags       unknown commit flags, FINAL with RETURN_SECRETS,
 *                  EXTERNAL_INIT or INSTALL, or with reserved0 set:
 *                  -EINVAL, nothing changed
 *  pending         a prepared FINAL epoch ends nothing until merged; a
 *                  discarded one never does
 *  send_refused    encrypt of every content type, with and without
 *                  MLS_ENCRYPT_F_EPOCH, and each batch entry: -EPIPE;
 *                  under a send rate too, which the refusal costs nothing
 *  commit_refused  COMMIT and COMMIT_PREPARE: -EPIPE, the epoch stays
 *  membership_tag  a PublicMessage's tag in the last epoch, made or
 *                  checked: -EPIPE; the epoch before's as it was
 *  state_reported  MLS_GROUP_STATE_ENDED in GROUP_INFO, the netlink
 *                  group and sysfs ("ended")
 *  receive         the earlier epoch's messages decrypt (single, batch);
 *                  a message of the last epoch, which no member may have
 *                  sent, is -EPIPE before any key is used: a forged one
 *                  counts no auth failure and trips no breaker
 *  outputs         the exporter and epoch_authenticator of the last
 *                  epoch; its resumption PSK (usage reinit) keys a new
 *                  group of each member alike, by fd and by kernel id
 *  wiped           once merged, the last epoch holds only its
 *                  resumption_psk, exporter and authenticator secrets
 *                  (debugfs); its confirmation tag and external_pub are
 *                  -EPIPE, and so is the pending last epoch's
 *                  external_pub; the exporter and authenticator hold
 *  snapshot        an ended group exports as format version 3 and stays
 *                  ended when imported; version 2 with the mark, the
 *                  mark on a past epoch, version 3 without the mark, is
 *                  refused; a group not ended still exports as version 1
 *                  and imports active
 *  snapshot_wiped  a version 3 body holds none of the erased secrets;
 *                  imported, the group holds what it held, gives the
 *                  same exporter, authenticator and reinit PSK
 *  snapshot_full  version 3's full layout, which the earlier module
 *                  wrote (the last epoch whole, the init_secret): it
 *                  imports as a merge leaves the group (debugfs), with the
 *                  same outputs, and exports reduced; malformed, refused
 *  snapshot_full_persistent  the same for a persistent group, whose
 *                  full layout has send limits; RESUME does not resume
 *  persistent_ended  an ended persistent group saves; imported with
 *                  RESUME it is receive-only, ended, the same exporter
 *  race            encrypting threads racing the merge, one of them by
 *                  batches of two: nothing is ever sealed in the last
 *                  epoch, every call or entry begun after the merge
 *                  returned gets -EPIPE
 *  race_wipe       a FINAL prepare and merge racing a plain commit of
 *                  the same member, and a reader of what the last epoch
 *                  erases: one commit wins, and no answer is ever of
 *                  the erased epoch
 *
 * The expected secrets come from the userspace key schedule of
 * group_util.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmls.h>
#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "persist_util.h"
#include "snap_seal.h"

/* ------------------------------------------------------------ helpers */

static int pend_op(int fd, unsigned long cmd, __u64 epoch)
{
	struct mls_commit_pending a = { .epoch = epoch };

	return xioctl(fd, cmd, &a);
}

/* COMMIT (or PREPARE with @cmd) of one member to the next epoch, @flags. */
static int member_op(const struct pair *p, int fd, __u32 leaf, const uint8_t *cs,
		     unsigned long cmd, __u32 flags)
{
	struct grp_inputs next;
	struct mls_commit c;

	pair_commit_arg(p, &c, &next, leaf, cs);
	c.flags = flags;
	return xioctl(fd, cmd, &c);
}

/*
 * The Commit with the ReInit, merged by both: A prepares and merges it
 * (a committer), B takes it in one call.
 */
static int final_commit(struct pair *p)
{
	uint8_t cs[MLS_MAX_HASH_LEN];
	int r;

	rand_bytes(cs, p->nh);
	r = member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE, MLS_COMMIT_F_FINAL);
	if (!r)
		r = pend_op(p->a, MLS_IOC_COMMIT_MERGE, p->in.epoch + 1);
	if (!r)
		r = member_op(p, p->b, 1, cs, MLS_IOC_COMMIT, MLS_COMMIT_F_FINAL);
	return r ?: pair_advance(p, cs);
}

static __u32 grp_state(int fd)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];

	return grp_info(fd, &info, gid, sizeof(gid)) ? 0 : info.state;
}

/* A handshake message of @ctype (proposal or commit) of @fd. */
static int enc_handshake(int fd, __u32 ctype, struct msg *m)
{
	static const uint8_t body[] = { 0, 1, 0, 0 };

	return grp_encrypt(fd, ctype, NULL, 0, body, sizeof(body), NULL, 0, m);
}

/*
 * An application message of leaf 0 at generation @gen of @p's current
 * epoch, made in userspace: what A would send there.
 */
static size_t craft_app(const struct pair *p, uint32_t gen, uint8_t *out)
{
	uint8_t pt[512];
	struct craft c = {
		.suite = p->suite, .group_id = p->in.group_id,
		.group_id_len = p->in.group_id_len, .epoch = p->in.epoch,
		.ctype = MLS_CONTENT_APPLICATION, .pt = pt,
		.leaf = 0, .gen = gen, .reuse_guard = { 1, 2, 3, 4 },
		.encryption_secret = p->es.encryption,
		.sender_data_secret = p->es.sender_data, .leaf_count = p->leaf_count,
	};

	c.pt_len = app_plaintext(pt, (const uint8_t *)"late", 4, p->sig, p->sig_len, 0);
	return craft_message(&c, out);
}

/* ------------------------------------------------------------ fixture */

FIXTURE(fin) {
	struct pair p;
};

FIXTURE_VARIANT(fin) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(fin, suite1) { .suite = 1 };
FIXTURE_VARIANT_ADD(fin, suite3) { .suite = 3 };
FIXTURE_VARIANT_ADD(fin, suite7) { .suite = 7 };

FIXTURE_SETUP(fin)
{
	ASSERT_EQ(0, pair_make(&self->p, variant->suite));
}

/* Destroyed, not only closed: a persistent pair outlives its fds. */
FIXTURE_TEARDOWN(fin)
{
	pair_destroy(&self->p);
}

TEST_F(fin, bad_flags)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], js[MLS_MAX_HASH_LEN], ws[MLS_MAX_HASH_LEN];
	uint8_t kem[32];
	static const unsigned long cmds[] = { MLS_IOC_COMMIT, MLS_IOC_COMMIT_PREPARE };
	struct grp_inputs next;
	struct mls_commit c;
	static struct msg m;
	static struct dec d;
	size_t i;

	rand_bytes(cs, p->nh);
	rand_bytes(js, p->nh);
	rand_bytes(ws, p->nh);
	memset(kem, 9, sizeof(kem));
	for (i = 0; i < 2; i++) {
		/* The first bit past MLS_COMMIT_F_ALL, alone and with FINAL. */
		EXPECT_EQ(-EINVAL, member_op(p, p->a, 0, cs, cmds[i],
					     (MLS_COMMIT_F_ALL + 1) | MLS_COMMIT_F_FINAL));
		EXPECT_EQ(-EINVAL, member_op(p, p->a, 0, cs, cmds[i], 1U << 31));
		/* A ReInit adds nobody: no Welcome secrets to return. */
		pair_commit_arg(p, &c, &next, 0, cs);
		c.flags = MLS_COMMIT_F_FINAL | MLS_COMMIT_F_RETURN_SECRETS;
		mbuf(&c.joiner_secret, js, p->nh);
		mbuf(&c.welcome_secret, ws, p->nh);
		EXPECT_EQ(-EINVAL, xioctl(p->a, cmds[i], &c));
		/* Nor is it in an external commit. */
		pair_commit_arg(p, &c, &next, 0, NULL);
		c.flags = MLS_COMMIT_F_FINAL | MLS_COMMIT_F_EXTERNAL_INIT;
		mbuf(&c.kem_output, kem, sizeof(kem));
		EXPECT_EQ(-EINVAL, xioctl(p->a, cmds[i], &c));
		/*
		 * Nor an installed epoch, which has no resumption PSK or
		 * exporter to keep: its secrets given as INSTALL takes them.
		 */
		pair_commit_arg(p, &c, &next, 0, NULL);
		c.flags = MLS_COMMIT_F_FINAL | MLS_COMMIT_F_INSTALL;
		mbuf(&c.commit_secret, NULL, 0);
		mbuf(&c.psk_secret, NULL, 0);
		mbuf(&c.encryption_secret, js, p->nh);
		mbuf(&c.sender_data_secret, ws, p->nh);
		EXPECT_EQ(-EINVAL, xioctl(p->a, cmds[i], &c));
		/* reserved0 is checked with FINAL as without. */
		pair_commit_arg(p, &c, &next, 0, cs);
		c.flags = MLS_COMMIT_F_FINAL;
		c.reserved0 = 1;
		EXPECT_EQ(-EINVAL, xioctl(p->a, cmds[i], &c));
	}
	/* Nothing changed: epoch 0, active, nothing pending, sending. */
	EXPECT_EQ(0, grp_epoch(p->a));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, grp_state(p->a));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
	ASSERT_EQ(0, enc_text(p->a, "still", &m));
	EXPECT_EQ(0, dec_msg(p->b, &m, &d));
	/* FINAL alone is known: the same commit goes through. */
	EXPECT_EQ(0, final_commit(p));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p->a));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p->b));
}

TEST_F(fin, pending)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN];
	static struct msg m;
	static struct dec d;

	/* Prepared: the group goes on in its current epoch. */
	rand_bytes(cs, p->nh);
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE,
			       MLS_COMMIT_F_FINAL));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, grp_state(p->a));
	ASSERT_EQ(0, enc_text(p->a, "pending", &m));
	EXPECT_EQ(0, m.epoch);
	EXPECT_EQ(0, dec_msg(p->b, &m, &d));
	/* Another commit won: discarded, nothing ended. */
	ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, grp_state(p->a));
	ASSERT_EQ(0, enc_text(p->a, "epoch 1", &m));
	EXPECT_EQ(1, m.epoch);
	EXPECT_EQ(0, dec_msg(p->b, &m, &d));
	/* Merged, it ends the group. */
	ASSERT_EQ(0, final_commit(p));
	EXPECT_EQ(2, grp_epoch(p->a));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p->a));
	EXPECT_EQ(-EPIPE, enc_text(p->a, "ended", &m));
}

TEST_F(fin, send_refused)
{
	struct pair *p = &self->p;
	static struct mls_encrypt_entry ent[3];
	static uint8_t out[3][MSG_MAX];
	struct mls_encrypt e;
	struct mls_batch b;
	static struct msg m;
	__u32 i;

	ASSERT_EQ(0, final_commit(p));
	EXPECT_EQ(1, grp_epoch(p->a));
	EXPECT_EQ(-EPIPE, enc_text(p->a, "app", &m));
	EXPECT_EQ(-EPIPE, enc_text(p->b, "app", &m));
	EXPECT_EQ(-EPIPE, enc_handshake(p->a, MLS_CONTENT_PROPOSAL, &m));
	EXPECT_EQ(-EPIPE, enc_handshake(p->b, MLS_CONTENT_COMMIT, &m));
	/* Signed for the last epoch, or for the one before: still no. */
	for (i = 0; i < 2; i++) {
		enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, p->sig,
			 p->sig_len, out[0], sizeof(out[0]));
		e.flags = MLS_ENCRYPT_F_EPOCH;
		e.epoch = i;
		EXPECT_EQ(-EPIPE, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	}
	/* Bad arguments are still told apart first. */
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, p->sig, p->sig_len,
		 out[0], sizeof(out[0]));
	e.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	/* Each entry of a batch, every content type. */
	for (i = 0; i < 3; i++) {
		__u32 ctype = MLS_CONTENT_APPLICATION + i;
		bool app = ctype == MLS_CONTENT_APPLICATION;

		memset(&ent[i], 0, sizeof(ent[i]));
		enc_init(&ent[i].op, ctype, NULL, 0, "abcd", 4, app ? p->sig : NULL,
			 app ? p->sig_len : 0, out[i], sizeof(out[i]));
	}
	memset(&b, 0, sizeof(b));
	b.count = 3;
	b.entries = U64(ent);
	b.entry_size = sizeof(ent[0]);
	EXPECT_EQ(3, xioctl(p->a, MLS_IOC_ENCRYPT_BATCH, &b));
	EXPECT_EQ(3, b.done);
	EXPECT_EQ(0, b.lost);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-EPIPE, ent[i].error) TH_LOG("entry %u", i);
	/* An fd opened afterwards is no way around it. */
	{
		int fd = grp_open_id(p->ctl, p->a_id);

		ASSERT_LE(0, fd);
		EXPECT_EQ(-EPIPE, enc_text(fd, "reopened", &m));
		close(fd);
	}
	/*
	 * Refused before the send rate is asked: no token used, so with a
	 * burst of one every call is still -EPIPE, never -EAGAIN.
	 */
	{
		struct mls_policy pol = { .encrypt_rate = 1, .encrypt_burst = 1 };

		ASSERT_EQ(0, grp_policy(p->a, MLS_POLICY_ENCRYPT_RATE, &pol));
		for (i = 0; i < 5; i++)
			EXPECT_EQ(-EPIPE, enc_text(p->a, "rated", &m)) TH_LOG("call %u", i);
	}
}

TEST_F(fin, commit_refused)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN];

	ASSERT_EQ(0, final_commit(p));
	rand_bytes(cs, p->nh);
	EXPECT_EQ(-EPIPE, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT, 0));
	EXPECT_EQ(-EPIPE, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE, 0));
	EXPECT_EQ(-EPIPE, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT_PREPARE,
				    MLS_COMMIT_F_FINAL));
	EXPECT_EQ(-EPIPE, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT,
				    MLS_COMMIT_F_OWN_PATH));
	/* Bad flags are still -EINVAL. */
	EXPECT_EQ(-EINVAL, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT, 1U << 31));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 2));
	EXPECT_EQ(1, grp_epoch(p->a));
	EXPECT_EQ(1, grp_epoch(p->b));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p->a));
}

/* MLS_IOC_MEMBERSHIP_TAG of @fd: the tag's length, 0 (verify) or -errno. */
static int memb_tag(int fd, __u32 flags, __u64 epoch, const void *data, size_t dlen,
		    uint8_t *tag, size_t tlen)
{
	struct mls_tag t;
	int r;

	memset(&t, 0, sizeof(t));
	t.flags = flags;
	t.epoch = epoch;
	mbuf(&t.data, data, dlen);
	mbuf(&t.tag, tag, tlen);
	r = xioctl(fd, MLS_IOC_MEMBERSHIP_TAG, &t);
	return r < 0 ? r : (flags & MLS_TAG_F_VERIFY) ? 0 : (int)t.tag.len;
}

TEST_F(fin, membership_tag)
{
	struct pair *p = &self->p;
	static const char tbm[] = "AuthenticatedContentTBM";
	uint8_t t0[MLS_MAX_HASH_LEN], t[MLS_MAX_HASH_LEN];
	int nh = (int)p->nh;

	ASSERT_EQ(nh, memb_tag(p->a, 0, 0, tbm, sizeof(tbm), t0, sizeof(t0)));
	ASSERT_EQ(0, final_commit(p));
	/* No PublicMessage in the last epoch: neither made nor taken. */
	EXPECT_EQ(-EPIPE, memb_tag(p->a, 0, 0, tbm, sizeof(tbm), t, sizeof(t)));
	EXPECT_EQ(-EPIPE, memb_tag(p->b, MLS_TAG_F_EPOCH, 1, tbm, sizeof(tbm), t,
				   sizeof(t)));
	EXPECT_EQ(-EPIPE, memb_tag(p->b, MLS_TAG_F_VERIFY, 0, tbm, sizeof(tbm), t0,
				   (size_t)nh));
	/* The epoch before: as it was. */
	ASSERT_EQ(nh, memb_tag(p->b, MLS_TAG_F_EPOCH, 0, tbm, sizeof(tbm), t,
			       sizeof(t)));
	EXPECT_EQ(0, memcmp(t, t0, (size_t)nh));
	EXPECT_EQ(0, memb_tag(p->a, MLS_TAG_F_EPOCH | MLS_TAG_F_VERIFY, 0, tbm,
			      sizeof(tbm), t0, (size_t)nh));
}

/* /sys/kernel/mls/stats/@name, or ~0 when it cannot be read. */
static unsigned long long stat_read(const char *name)
{
	unsigned long long v = ~0ULL;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mls/stats/%s", name);
	f = fopen(path, "r");
	if (!f)
		return v;
	if (fscanf(f, "%llu", &v) != 1)
		v = ~0ULL;
	fclose(f);
	return v;
}

TEST_F(fin, receive)
{
	struct pair *p = &self->p;
	static struct mls_decrypt_entry ent[2];
	static struct msg early[3];
	static struct dec d;
	static uint8_t msg[MSG_MAX], old[MSG_MAX];
	unsigned long long auth, trips, open_now;
	struct mls_batch b;
	size_t len, old_len;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, enc_text(p->a, "before the end", &early[i]));
	/* Userspace frames as A does (its next generation, 3): it opens. */
	len = craft_app(p, 3, msg);
	ASSERT_NE(0, len);
	ASSERT_EQ(0, grp_decrypt(p->b, msg, len, &d));
	EXPECT_EQ(4, d.content_len);
	old_len = craft_app(p, 4, old);
	ASSERT_NE(0, old_len);
	ASSERT_EQ(0, final_commit(p));

	/* The epoch before still decrypts, once. */
	ASSERT_EQ(0, dec_msg(p->b, &early[0], &d));
	EXPECT_EQ(0, d.epoch);
	EXPECT_EQ(14, d.content_len);
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &early[0], &d));
	for (i = 0; i < 2; i++) {
		memset(&ent[i], 0, sizeof(ent[i]));
		dec_init(&ent[i].op, early[i + 1].buf, early[i + 1].len, &d);
	}
	memset(&b, 0, sizeof(b));
	b.count = 2;
	b.entries = U64(ent);
	b.entry_size = sizeof(ent[0]);
	EXPECT_EQ(2, xioctl(p->b, MLS_IOC_DECRYPT_BATCH, &b));
	EXPECT_EQ(0, ent[0].error);
	EXPECT_EQ(0, ent[1].error);

	/* What A would have sent in the last epoch: nobody may. */
	len = craft_app(p, 0, msg);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EPIPE, grp_decrypt(p->b, msg, len, &d));
	memset(&ent[0], 0, sizeof(ent[0]));
	dec_init(&ent[0].op, msg, len, &d);
	b.count = 1;
	EXPECT_EQ(1, xioctl(p->b, MLS_IOC_DECRYPT_BATCH, &b));
	EXPECT_EQ(-EPIPE, ent[0].error);
	/*
	 * A forgery of that epoch too: refused before any key work, so it
	 * is no authentication failure and trips no breaker.
	 */
	auth = stat_read("auth_failures");
	trips = stat_read("breaker_trips");
	open_now = stat_read("breakers_open");
	ASSERT_NE(~0ULL, auth);
	ASSERT_NE(~0ULL, trips);
	ASSERT_NE(~0ULL, open_now);
	msg[len - 1] ^= 1;
	for (i = 0; i < 20; i++)
		EXPECT_EQ(-EPIPE, grp_decrypt(p->b, msg, len, &d));
	/* Its own message back is -EPIPE as well, whatever the sender. */
	EXPECT_EQ(-EPIPE, grp_decrypt(p->a, msg, len, &d));
	EXPECT_EQ(auth, stat_read("auth_failures"));
	EXPECT_EQ(trips, stat_read("breaker_trips"));
	EXPECT_EQ(open_now, stat_read("breakers_open"));
	/* A forgery of the epoch before is one: counted (the control). */
	old[old_len - 1] ^= 1;
	EXPECT_GT(0, grp_decrypt(p->b, old, old_len, &d));
	EXPECT_LT(auth, stat_read("auth_failures"));
}

/*
 * A new group of member @leaf (of two) from @in, its first epoch keyed
 * with the resumption PSK (usage reinit, @nonce of Nh bytes) of epoch
 * @epoch of the old group @group: a group fd, or with MLS_PSK_F_GROUP_KID
 * in @psk_flags a kernel id. Without @nonce, no PSK. Its fd, or -errno.
 */
static int reinit_group(int ctl, const struct grp_inputs *in, __u32 leaf,
			__u32 group, __u32 psk_flags, __u64 epoch,
			const uint8_t *nonce, size_t nh)
{
	struct mls_group_new n;
	struct mls_psk k;

	memset(&k, 0, sizeof(k));
	k.type = MLS_PSK_RESUMPTION;
	k.usage = MLS_PSK_USAGE_REINIT;
	k.flags = psk_flags;
	k.group = group;
	k.epoch = epoch;
	mbuf(&k.nonce, nonce, nh);
	new_from_inputs(&n, in, leaf, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	mbuf(&n.psk_secret, NULL, 0);
	if (nonce) {
		n.psks.addr = U64(&k);
		n.psks.count = 1;
	}
	return grp_create(ctl, &n);
}

/* MLS_IOC_CONFIRMATION_TAG of @fd: the tag's length, 0 (verify) or -errno. */
static int conf_tag(int fd, __u32 flags, uint8_t *tag, size_t tlen)
{
	struct mls_tag t;
	int r;

	memset(&t, 0, sizeof(t));
	t.flags = flags;
	mbuf(&t.data, NULL, 0);
	mbuf(&t.tag, tag, tlen);
	r = xioctl(fd, MLS_IOC_CONFIRMATION_TAG, &t);
	return r < 0 ? r : (flags & MLS_TAG_F_VERIFY) ? 0 : (int)t.tag.len;
}

/* MLS_IOC_EXTERNAL_PUB of @fd: the key's length, or -errno. */
static int ext_pub(int fd, __u32 flags)
{
	struct mls_external_pub x;
	uint8_t pub[256];
	int r;

	memset(&x, 0, sizeof(x));
	x.flags = flags;
	mbuf(&x.pub, pub, sizeof(pub));
	r = xioctl(fd, MLS_IOC_EXTERNAL_PUB, &x);
	return r < 0 ? r : (int)x.pub.len;
}

/*
 * The names of the secrets epoch @epoch of group @id holds, as
 * /sys/kernel/debug/mls/groups lists them after " holds " ("" if none),
 * into @out: 0, or -errno (-ENOENT: no such group or epoch).
 */
static int dbg_holds(__u32 id, __u64 epoch, char *out, size_t cap)
{
	static char buf[1 << 16];
	char key[64];
	const char *g, *end, *l, *eol, *h;
	size_t len = 0, n;
	FILE *f;

	f = fopen("/sys/kernel/debug/mls/groups", "r");
	if (!f)
		return -errno;
	while (len < sizeof(buf) - 1 &&
	       (n = fread(buf + len, 1, sizeof(buf) - 1 - len, f)) > 0)
		len += n;
	fclose(f);
	buf[len] = 0;
	snprintf(key, sizeof(key), "\ngroup %u\n", id);
	g = strstr(buf, key);
	if (!g)
		return -ENOENT;
	g += strlen(key);
	end = strstr(g, "\ngroup ");
	if (!end)
		end = buf + len;
	snprintf(key, sizeof(key), "\tepoch %llu ", (unsigned long long)epoch);
	l = strstr(g, key);
	if (!l || l > end)
		return -ENOENT;
	eol = strchr(l, '\n');
	if (!eol)
		eol = buf + len;
	h = strstr(l, " holds ");
	if (!h || h > eol) {
		h = eol;
	} else {
		h += strlen(" holds ");
	}
	n = (size_t)(eol - h);
	if (n >= cap)
		return -ENOSPC;
	memcpy(out, h, n);
	out[n] = 0;
	return 0;
}

/* What an epoch holds, by debugfs: current, past, and a group's last. */
#define HOLDS_ALL	"tree,sender_data,membership,resumption,exporter," \
			"authenticator,confirmation,external"
#define HOLDS_PAST	"tree,sender_data,membership,resumption"
#define HOLDS_FINAL	"resumption,exporter,authenticator"

/*
 * The last epoch erases what nothing may use in it once merged: its
 * secret tree, sender_data_secret, membership_key, confirmation_key,
 * external_secret and init_secret (debugfs names what each epoch holds;
 * an erased secret is absent). Whatever would derive from them is
 * -EPIPE; the exporter, epoch_authenticator and resumption PSK stay.
 * The pending last epoch still gives its confirmation tag (the Commit
 * needs it), but no external_pub: no one joins it.
 */
TEST_F(fin, wiped)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], t[MLS_MAX_HASH_LEN], au[MLS_MAX_HASH_LEN];
	uint8_t ex[32], want[32];
	int nh = (int)p->nh;
	char h[256];

	ASSERT_EQ(0, dbg_holds(p->a_id, 0, h, sizeof(h)));
	EXPECT_STREQ(HOLDS_ALL, h);
	ASSERT_LT(0, ext_pub(p->a, 0));

	rand_bytes(cs, p->nh);
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE,
			       MLS_COMMIT_F_FINAL));
	EXPECT_EQ(nh, conf_tag(p->a, MLS_TAG_F_PENDING, t, sizeof(t)));
	EXPECT_EQ(-EPIPE, ext_pub(p->a, MLS_EXTERNAL_PUB_F_PENDING));
	/* The current epoch is still whole. */
	EXPECT_LT(0, ext_pub(p->a, 0));
	EXPECT_EQ(nh, conf_tag(p->a, 0, t, sizeof(t)));
	ASSERT_EQ(0, dbg_holds(p->a_id, 0, h, sizeof(h)));
	EXPECT_STREQ(HOLDS_ALL, h);
	ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ(0, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT, MLS_COMMIT_F_FINAL));
	ASSERT_EQ(0, pair_advance(p, cs));

	/* Both members, merged by prepare and merge or in one call, alike. */
	ASSERT_EQ(0, dbg_holds(p->a_id, 1, h, sizeof(h)));
	EXPECT_STREQ(HOLDS_FINAL, h);
	ASSERT_EQ(0, dbg_holds(p->b_id, 1, h, sizeof(h)));
	EXPECT_STREQ(HOLDS_FINAL, h);
	ASSERT_EQ(0, dbg_holds(p->a_id, 0, h, sizeof(h)));
	EXPECT_STREQ(HOLDS_PAST, h);

	EXPECT_EQ(-EPIPE, conf_tag(p->a, 0, t, sizeof(t)));
	EXPECT_EQ(-EPIPE, conf_tag(p->b, MLS_TAG_F_VERIFY, t, (size_t)nh));
	EXPECT_EQ(-EPIPE, ext_pub(p->a, 0));
	EXPECT_EQ(-EPIPE, ext_pub(p->b, 0));
	/* Nothing pending any more: no commit can be prepared after it. */
	EXPECT_EQ(-ENOENT, ext_pub(p->a, MLS_EXTERNAL_PUB_F_PENDING));

	/* What it keeps is what the key schedule says. */
	ASSERT_EQ(nh, grp_authenticator(p->b, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, p->es.authentication, p->nh));
	ASSERT_EQ(0, grp_exporter(p->b, "wiped", "c", 1, ex, sizeof(ex)));
	ASSERT_EQ(0, mls_exporter_us(p->suite, p->es.exporter, "wiped",
				     (const uint8_t *)"c", 1, want, sizeof(want)));
	EXPECT_EQ(0, memcmp(ex, want, sizeof(want)));
}

TEST_F(fin, outputs)
{
	struct pair *p = &self->p;
	uint8_t au[MLS_MAX_HASH_LEN], ea[32], eb[32], want[32];
	uint8_t na[MLS_MAX_HASH_LEN], nb[MLS_MAX_HASH_LEN], n0[MLS_MAX_HASH_LEN];
	uint8_t nonce[MLS_MAX_HASH_LEN];
	struct grp_inputs in;
	__u64 epoch = 0;
	int fa, fb, f0;

	ASSERT_EQ(0, final_commit(p));
	/* The last epoch's public outputs, as the key schedule says. */
	ASSERT_EQ((int)p->nh, grp_authenticator(p->a, au, sizeof(au), &epoch));
	EXPECT_EQ(1, epoch);
	EXPECT_EQ(0, memcmp(au, p->es.authentication, p->nh));
	ASSERT_EQ(0, grp_exporter(p->a, "reinit", "ctx", 3, ea, sizeof(ea)));
	ASSERT_EQ(0, grp_exporter(p->b, "reinit", "ctx", 3, eb, sizeof(eb)));
	ASSERT_EQ(0, mls_exporter_us(p->suite, p->es.exporter, "reinit",
				     (const uint8_t *)"ctx", 3, want, sizeof(want)));
	EXPECT_EQ(0, memcmp(ea, want, sizeof(want)));
	EXPECT_EQ(0, memcmp(eb, want, sizeof(want)));

	/*
	 * The new group's first epoch, of each member, keyed with the last
	 * epoch's resumption PSK (usage reinit): A names its old group by
	 * fd, B by kernel id. Same inputs, same PSK: the same epoch.
	 */
	inputs_random(&in, p->suite);
	rand_bytes(nonce, p->nh);
	fa = reinit_group(p->ctl, &in, 0, (__u32)p->a, 0, 1, nonce, p->nh);
	ASSERT_LE(0, fa) TH_LOG("reinit PSK by fd: %s", strerror(-fa));
	fb = reinit_group(p->ctl, &in, 1, p->b_id, MLS_PSK_F_GROUP_KID, 1, nonce,
			  p->nh);
	ASSERT_LE(0, fb) TH_LOG("reinit PSK by kernel id: %s", strerror(-fb));
	/* Without the PSK: another epoch. */
	f0 = reinit_group(p->ctl, &in, 0, 0, 0, 0, NULL, p->nh);
	ASSERT_LE(0, f0);
	ASSERT_EQ((int)p->nh, grp_authenticator(fa, na, sizeof(na), NULL));
	ASSERT_EQ((int)p->nh, grp_authenticator(fb, nb, sizeof(nb), NULL));
	ASSERT_EQ((int)p->nh, grp_authenticator(f0, n0, sizeof(n0), NULL));
	EXPECT_EQ(0, memcmp(na, nb, p->nh));
	EXPECT_NE(0, memcmp(na, n0, p->nh));
	/* The new group sends; the old one still does not. */
	{
		static struct msg m;

		EXPECT_EQ(0, enc_text(fa, "new group", &m));
		EXPECT_EQ(-EPIPE, enc_text(p->a, "old group", &m));
	}
	close(fa);
	close(fb);
	close(f0);
}

/* The sysfs state of group @id, newline dropped, into @buf. */
static int sysfs_state(__u32 id, char *buf, size_t cap)
{
	char path[128];
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%u/state", id);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fgets(buf, (int)cap, f)) {
		buf[strcspn(buf, "\n")] = 0;
		r = 0;
	}
	fclose(f);
	return r;
}

/* The state as GROUP_INFO, the netlink group and sysfs say it, alike. */
TEST(state_reported)
{
	int was = group_sysfs();
	struct mls_group_status st;
	struct pair p;
	char buf[64];

	ASSERT_LE(0, was);
	ASSERT_EQ(0, set_group_sysfs(true));
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, sysfs_state(p.a_id, buf, sizeof(buf)));
	EXPECT_STREQ("active", buf);
	ASSERT_EQ(0, mls_group_get_status(p.a_id, &st));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, st.state);
	ASSERT_EQ(0, final_commit(&p));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p.a));
	ASSERT_EQ(0, mls_group_get_status(p.a_id, &st));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, st.state);
	EXPECT_EQ(1, st.epoch);
	ASSERT_EQ(0, sysfs_state(p.a_id, buf, sizeof(buf)));
	EXPECT_STREQ("ended", buf);
	ASSERT_EQ(0, sysfs_state(p.b_id, buf, sizeof(buf)));
	EXPECT_STREQ("ended", buf);
	pair_close(&p);
	set_group_sysfs(was == 1);
}

/* ---------------------------------------------------------- snapshots */

/* A random sealing key whose bytes the test keeps, in a fresh session. */
static int seal_key(uint8_t ikm[32])
{
	long id;
	int r = new_session();

	if (r)
		return r;
	rand_bytes(ikm, 32);
	id = add_seal_key("logon", ikm, 32);
	return id < 0 ? (int)id : 0;
}

/*
 * @s opened, its body changed by @edit (given the body's fields as
 * format version @fields_version lays them out), its header's version
 * set to @version, sealed again into @out. The new length, or 0.
 */
static size_t reseal(const uint8_t *ikm, const struct snap *s, unsigned int version,
		     void (*edit)(uint8_t *body, const struct snap_field *f, int n, void *arg),
		     void *arg, uint8_t *out, unsigned int nh, unsigned int nk)
{
	size_t hdr_len = snap_hdr_len(s->buf, s->len), body_len = 0;
	static struct snap_field f[4096];
	uint8_t *body = malloc(s->len), *hdr = malloc(hdr_len + 1);
	size_t ret = 0;
	int n;

	if (!body || !hdr || !hdr_len)
		goto out;
	if (snap_unseal(ikm, 32, s->buf, s->len, body, &body_len))
		goto out;
	n = snap_body_fields(body, body_len, snap_get_be(s->buf + SNAP_OFF_VERSION, 2),
			     nh, nk, f, 4096);
	if (n < 0)
		goto out;
	edit(body, f, n, arg);
	memcpy(hdr, s->buf, hdr_len);
	snap_put_be(hdr + SNAP_OFF_VERSION, 2, version);
	if (!snap_reseal(ikm, 32, hdr, hdr_len, body, body_len, out))
		ret = hdr_len + body_len + SNAP_TAG_LEN;
out:
	free(body);
	free(hdr);
	return ret;
}

static void edit_none(uint8_t *body, const struct snap_field *f, int n, void *arg)
{
	(void)body, (void)f, (void)n, (void)arg;
}

/*
 * Set or clear the FINAL mark (8) of the epoch numbered *(__u64 *)@arg:
 * its flags are the field after its 8-byte epoch number (the epoch list
 * follows its u32 count).
 */
static void edit_mark(uint8_t *body, const struct snap_field *f, int n, void *arg)
{
	const __u64 *want = arg;
	int i;

	/* An epoch's header: epoch u64, flags u8, age, own_leaf, leaf_count u32. */
	for (i = 0; i + 4 < n; i++) {
		if (f[i].width != 8 || f[i + 1].width != 1 ||
		    f[i + 2].width != 4 || f[i + 3].width != 4 ||
		    f[i + 4].width != 4 || !f[i + 4].is_len ||
		    snap_get_be(body + f[i].off, 8) != want[0])
			continue;
		body[f[i + 1].off] = (uint8_t)((body[f[i + 1].off] & ~8) | (want[1] ? 8 : 0));
		return;
	}
}

TEST_F(fin, snapshot)
{
	struct pair *p = &self->p;
	uint8_t ikm[32], before[32], after[32], cs[MLS_MAX_HASH_LEN];
	static uint8_t buf[SNAP_MAX];
	struct snap s = { 0 }, plain = { 0 };
	__u64 mark[2];
	static struct msg m;
	size_t len;
	__u32 id;
	int fd, r;

	r = seal_key(ikm);
	ASSERT_EQ(0, r) TH_LOG("sealing key: %s", strerror(-r));

	/* A group not ended: version 1, imported as it was, active. */
	ASSERT_EQ(0, snap_export(p->b, &plain));
	EXPECT_EQ(1, snap_get_be(plain.buf + SNAP_OFF_VERSION, 2));

	ASSERT_EQ(0, final_commit(p));
	ASSERT_EQ(0, grp_exporter(p->a, "snap", NULL, 0, before, sizeof(before)));
	ASSERT_EQ(0, snap_export(p->a, &s));
	EXPECT_EQ(3, snap_get_be(s.buf + SNAP_OFF_VERSION, 2));
	EXPECT_EQ(1, s.epoch);

	/* The mark on a past epoch, or in a version 2 snapshot: refused. */
	ASSERT_EQ(0, grp_destroy(p->a));
	close(p->a);
	p->a = -1;
	mark[0] = 0;
	mark[1] = 1;
	len = reseal(ikm, &s, 3, edit_mark, mark, buf, p->nh, suite_nk(p->suite));
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL));
	len = reseal(ikm, &s, 2, edit_none, NULL, buf, p->nh, suite_nk(p->suite));
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL));
	/* Without the mark on its current epoch, version 3 is refused too. */
	mark[0] = 1;
	mark[1] = 0;
	len = reseal(ikm, &s, 3, edit_mark, mark, buf, p->nh, suite_nk(p->suite));
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL));
	/* So is a group not ended, whole as it is, named version 3. */
	len = reseal(ikm, &plain, 3, edit_none, NULL, buf, p->nh, suite_nk(p->suite));
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL));
	/* The unchanged body sealed again is fine: the edits were the fault. */
	len = reseal(ikm, &s, 3, edit_none, NULL, buf, p->nh, suite_nk(p->suite));
	ASSERT_NE(0, len);

	/* Restored, it stays ended. */
	fd = snap_import(p->ctl, buf, len, &id);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(fd));
	EXPECT_EQ(1, grp_epoch(fd));
	EXPECT_EQ(-EPIPE, enc_text(fd, "restored", &m));
	rand_bytes(cs, p->nh);
	EXPECT_EQ(-EPIPE, member_op(p, fd, 0, cs, MLS_IOC_COMMIT, 0));
	ASSERT_EQ(0, grp_exporter(fd, "snap", NULL, 0, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(after)));
	/* And exports as version 3 again. */
	snap_free(&s);
	ASSERT_EQ(0, snap_export(fd, &s));
	EXPECT_EQ(3, snap_get_be(s.buf + SNAP_OFF_VERSION, 2));
	grp_destroy(fd);
	close(fd);

	/* The group not ended, brought back: active, sending again after a commit. */
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = snap_import(p->ctl, plain.buf, plain.len, NULL);
	ASSERT_LE(0, p->b);
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, grp_state(p->b));
	EXPECT_EQ(0, grp_epoch(p->b));
	snap_free(&s);
	snap_free(&plain);
}

/*
 * The body of a version 3 snapshot holds what the last epoch keeps and
 * no more: the walker of snap_seal.c lays it out so (no tree, no other
 * secret), none of the erased secrets' bytes is in it, and the group
 * it brings back holds what the ended one held (debugfs), gives the same
 * exporter and epoch_authenticator, and keys a new group with the same
 * reinit PSK; what derives from the erased secrets stays -EPIPE.
 */
TEST_F(fin, snapshot_wiped)
{
	struct pair *p = &self->p;
	uint8_t ikm[32], ex0[32], ex1[32], au0[MLS_MAX_HASH_LEN], au1[MLS_MAX_HASH_LEN];
	uint8_t n0[MLS_MAX_HASH_LEN], n1[MLS_MAX_HASH_LEN], nonce[MLS_MAX_HASH_LEN];
	uint8_t t[MLS_MAX_HASH_LEN], cs[MLS_MAX_HASH_LEN];
	static uint8_t buf[SNAP_MAX], body[SNAP_MAX];
	static struct snap_field f[4096];
	const struct {
		const uint8_t *b;
		const char *name;
	} gone[] = {
		{ p->es.sender_data, "sender_data" },
		{ p->es.encryption, "encryption" },
		{ p->es.membership, "membership" },
		{ p->es.confirm, "confirmation" },
		{ p->es.external, "external" },
		{ p->es.init, "init" },
	};
	struct snap s = { 0 }, s2 = { 0 };
	struct grp_inputs in;
	size_t body_len = 0, len;
	int nh = (int)p->nh, fd, fr, r;
	unsigned int i;
	char h[256];
	__u32 id;

	r = seal_key(ikm);
	ASSERT_EQ(0, r) TH_LOG("sealing key: %s", strerror(-r));
	ASSERT_EQ(0, final_commit(p));
	ASSERT_EQ(0, grp_exporter(p->a, "snap", "x", 1, ex0, sizeof(ex0)));
	ASSERT_EQ(nh, grp_authenticator(p->a, au0, sizeof(au0), NULL));
	inputs_random(&in, p->suite);
	rand_bytes(nonce, p->nh);
	fr = reinit_group(p->ctl, &in, 0, (__u32)p->a, 0, 1, nonce, p->nh);
	ASSERT_LE(0, fr);
	ASSERT_EQ(nh, grp_authenticator(fr, n0, sizeof(n0), NULL));
	close(fr);

	ASSERT_EQ(0, snap_export(p->a, &s));
	ASSERT_EQ(3, snap_get_be(s.buf + SNAP_OFF_VERSION, 2));
	ASSERT_EQ(0, snap_unseal(ikm, 32, s.buf, s.len, body, &body_len));
	EXPECT_LT(0, snap_body_fields(body, body_len, 3, p->nh, suite_nk(p->suite),
				      f, 4096));
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		const char *name = gone[i].name;
		bool in = memmem(body, body_len, gone[i].b, p->nh) != NULL;

		EXPECT_FALSE(in) TH_LOG("%s in the snapshot", name);
	}
	/* The walk can fail: what is kept is there. */
	EXPECT_TRUE(memmem(body, body_len, p->es.exporter, p->nh) != NULL);
	EXPECT_TRUE(memmem(body, body_len, p->es.resumption, p->nh) != NULL);

	/* Destroyed, brought back: what it kept, and nothing more. */
	ASSERT_EQ(0, grp_destroy(p->a));
	close(p->a);
	p->a = -1;
	fd = snap_import(p->ctl, s.buf, s.len, &id);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(fd));
	ASSERT_EQ(0, dbg_holds(id, 1, h, sizeof(h)));
	EXPECT_STREQ(HOLDS_FINAL, h);
	ASSERT_EQ(0, grp_exporter(fd, "snap", "x", 1, ex1, sizeof(ex1)));
	EXPECT_EQ(0, memcmp(ex0, ex1, sizeof(ex1)));
	ASSERT_EQ(nh, grp_authenticator(fd, au1, sizeof(au1), NULL));
	EXPECT_EQ(0, memcmp(au0, au1, p->nh));
	fr = reinit_group(p->ctl, &in, 0, (__u32)fd, 0, 1, nonce, p->nh);
	ASSERT_LE(0, fr) TH_LOG("reinit PSK of the imported group: %s", strerror(-fr));
	ASSERT_EQ(nh, grp_authenticator(fr, n1, sizeof(n1), NULL));
	EXPECT_EQ(0, memcmp(n0, n1, p->nh));
	close(fr);
	EXPECT_EQ(-EPIPE, conf_tag(fd, 0, t, sizeof(t)));
	EXPECT_EQ(-EPIPE, ext_pub(fd, 0));
	rand_bytes(cs, p->nh);
	EXPECT_EQ(-EPIPE, member_op(p, fd, 0, cs, MLS_IOC_COMMIT_PREPARE, 0));

	/* Exported again: the same layout, and it imports once more. */
	ASSERT_EQ(0, snap_export(fd, &s2));
	EXPECT_EQ(3, snap_get_be(s2.buf + SNAP_OFF_VERSION, 2));
	len = reseal(ikm, &s2, 3, edit_none, NULL, buf, p->nh, suite_nk(p->suite));
	ASSERT_NE(0, len);
	ASSERT_EQ(0, grp_destroy(fd));
	close(fd);
	fd = snap_import(p->ctl, s2.buf, s2.len, NULL);
	ASSERT_LE(0, fd) TH_LOG("import again: %s", strerror(-fd));
	ASSERT_EQ(0, grp_exporter(fd, "snap", "x", 1, ex1, sizeof(ex1)));
	EXPECT_EQ(0, memcmp(ex0, ex1, sizeof(ex1)));
	grp_destroy(fd);
	close(fd);
	snap_free(&s);
	snap_free(&s2);
}

/*
 * Version 3's full layout, as the earlier module wrote it for an ended
 * group: version 2's body whole, the FINAL mark on its first epoch. Built
 * from the reduced body @in (@len bytes) an export gives: has_init 1
 * with @fs->init; a persistent group's limits set to @fs->limit (the
 * writer's reservation); after the first epoch's context its
 * sender_data and membership secrets, after its authenticator its
 * confirmation and external secrets, then @tree (@tree_len bytes; none
 * if NULL); with @fs->first_only, the first epoch alone (the body
 * ends with @tree). The new length, or 0 if @in is not a reduced body.
 */
struct full_parts {
	const uint8_t *init, *sender_data, *membership, *confirm, *external;
	uint64_t limit;
	const uint8_t *tree;
	size_t tree_len;
	bool first_only;
};

static size_t full_layout(const uint8_t *in, size_t len, size_t nh,
			  const struct full_parts *fp, uint8_t *out)
{
	size_t i = 0, o = 0, n;
	uint32_t flags;

#define TAKE(k)	do { size_t k_ = (k); if (len - i < k_) return 0; \
		     memcpy(out + o, in + i, k_); i += k_; o += k_; } while (0)
#define PUT(b, k)	do { memcpy(out + o, (b), (k)); o += (k); } while (0)
	/* suite, id, flags, own_leaf, uid, gid, mode, policy; has_init 0 */
	if (len < 57 || in[56])
		return 0;
	flags = (uint32_t)snap_get_be(in + 6, 4);
	TAKE(56);
	i++;
	out[o++] = 1;
	PUT(fp->init, nh);
	if (flags & MLS_GROUP_F_PERSISTENT) {
		/* The limits: 0 in the reduced layout, reserved in the full. */
		if (len - i < 16 || snap_get_be(in + i, 8) || snap_get_be(in + i + 8, 8))
			return 0;
		i += 16;
		snap_put_be(out + o, 8, fp->limit);
		snap_put_be(out + o + 8, 8, fp->limit + 1);
		o += 16;
		TAKE(8);		/* recv_save, its flags */
	}
	if (fp->first_only) {		/* epochs */
		if (len - i < 4)
			return 0;
		i += 4;
		snap_put_be(out + o, 4, 1);
		o += 4;
	} else {
		TAKE(4);
	}
	if (len - i < 21 || in[i + 8] != 15)	/* current, exporter, live, final */
		return 0;
	TAKE(21);			/* epoch, flags, age, own_leaf, leaf_count */
	for (n = 0; n < 2; n++) {	/* occupied, context */
		if (len - i < 4)
			return 0;
		TAKE(4 + snap_get_be(in + i, 4));
	}
	PUT(fp->sender_data, nh);
	PUT(fp->membership, nh);
	TAKE(nh);			/* resumption */
	if (len - i < 1)
		return 0;
	TAKE(1 + (size_t)in[i]);	/* cth */
	TAKE(2 * nh);			/* exporter, authenticator */
	PUT(fp->confirm, nh);
	PUT(fp->external, nh);
	if (fp->tree)
		PUT(fp->tree, fp->tree_len);
	if (!fp->first_only)
		TAKE(len - i);		/* the past epochs */
#undef TAKE
#undef PUT
	return o;
}

/*
 * A secret tree as mls_stree_save() writes it: not retired, the root's
 * secret @root (index 0: root XOR root) alone, no leaf taken (@nodes 0:
 * no node, so no leaf covered). Cut to @cut bytes if not 0. Its length.
 */
static size_t tree_bytes(uint8_t *t, const uint8_t *root, size_t nh,
			 unsigned int nodes, size_t cut)
{
	size_t o = 0;

	t[o++] = 0;				/* retired */
	snap_put_be(t + o, 4, 0);		/* retired_leaf */
	o += 4;
	snap_put_be(t + o, 4, nodes);
	o += 4;
	if (nodes) {
		snap_put_be(t + o, 4, 0);
		o += 4;
		memcpy(t + o, root, nh);
		o += nh;
	}
	snap_put_be(t + o, 4, 0);		/* leaves */
	o += 4;
	return cut ? cut : o;
}

/*
 * @body (@len bytes) sealed under the header of @s, its version set to
 * @version, into @out (which may not overlap @body).
 */
static size_t seal_body(const uint8_t *ikm, const struct snap *s,
			unsigned int version, const uint8_t *body, size_t len,
			uint8_t *out)
{
	size_t h = snap_hdr_len(s->buf, s->len);
	uint8_t hdr[SNAP_HDR_FIXED + 256];

	if (!h || h > sizeof(hdr))
		return 0;
	memcpy(hdr, s->buf, h);
	snap_put_be(hdr + SNAP_OFF_VERSION, 2, version);
	if (snap_reseal(ikm, 32, hdr, h, body, len, out))
		return 0;
	return h + len + SNAP_TAG_LEN;
}

/*
 * An ended group saved by the earlier module has the full layout of
 * version 3, with every secret its last epoch had. It imports: the
 * same exporter, authenticator and reinit PSK, ended, and holding what
 * a merge leaves (debugfs: as the group it was saved from); what derives
 * from the erased secrets is -EPIPE, and its export is the reduced
 * layout, without any of them. A full layout that is malformed (a tree
 * cut short or covering no leaf, no tree, no init_secret) is refused.
 * @persistent: a persistent group, whose full layout has limits (not 0),
 * imported with RESUME: it does not resume.
 */
static void full_layout_check(struct __test_metadata *_metadata,
			      struct pair *p, bool persistent)
{
	uint8_t ikm[32], ex0[32], ex1[32], au0[MLS_MAX_HASH_LEN], au1[MLS_MAX_HASH_LEN];
	uint8_t n0[MLS_MAX_HASH_LEN], n1[MLS_MAX_HASH_LEN], nonce[MLS_MAX_HASH_LEN];
	uint8_t t[MLS_MAX_HASH_LEN], cs[MLS_MAX_HASH_LEN], tree[128];
	static uint8_t buf[SNAP_MAX], body[SNAP_MAX], full[SNAP_MAX], bad[SNAP_MAX];
	static struct snap_field f[4096];
	char h0[256], h1[256], p0[256], p1[256];
	const struct {
		const uint8_t *b;
		const char *name;
	} gone[] = {
		{ p->es.sender_data, "sender_data" },
		{ p->es.encryption, "encryption" },
		{ p->es.membership, "membership" },
		{ p->es.confirm, "confirmation" },
		{ p->es.external, "external" },
		{ p->es.init, "init" },
	};
	struct full_parts fp = {
		.init = p->es.init, .sender_data = p->es.sender_data,
		.membership = p->es.membership, .confirm = p->es.confirm,
		.external = p->es.external, .limit = persistent ? 1000 : 0,
		.tree = tree,
	};
	struct snap s = { 0 }, s2 = { 0 };
	struct mls_group_import a;
	struct grp_inputs in;
	size_t body_len = 0, full_len, len;
	int nh = (int)p->nh, fd, fr, r;
	unsigned int i;
	__u32 id;

	r = seal_key(ikm);
	ASSERT_EQ(0, r) TH_LOG("sealing key: %s", strerror(-r));
	ASSERT_EQ(0, final_commit(p));
	ASSERT_EQ(0, grp_exporter(p->a, "full", NULL, 0, ex0, sizeof(ex0)));
	ASSERT_EQ(nh, grp_authenticator(p->a, au0, sizeof(au0), NULL));
	ASSERT_EQ(0, dbg_holds(p->a_id, 1, h0, sizeof(h0)));
	EXPECT_STREQ(HOLDS_FINAL, h0);
	ASSERT_EQ(0, dbg_holds(p->a_id, 0, p0, sizeof(p0)));
	inputs_random(&in, p->suite);
	rand_bytes(nonce, p->nh);
	fr = reinit_group(p->ctl, &in, 0, (__u32)p->a, 0, 1, nonce, p->nh);
	ASSERT_LE(0, fr);
	ASSERT_EQ(nh, grp_authenticator(fr, n0, sizeof(n0), NULL));
	close(fr);

	/* The reduced body, made full. */
	r = persistent ? save(p->a, &s) :
			 snap_export(p->a, &s);
	ASSERT_EQ(0, r);
	ASSERT_EQ(3, snap_get_be(s.buf + SNAP_OFF_VERSION, 2));
	ASSERT_EQ(0, snap_unseal(ikm, 32, s.buf, s.len, body, &body_len));
	fp.tree_len = tree_bytes(tree, p->es.encryption, p->nh, 1, 0);
	full_len = full_layout(body, body_len, p->nh, &fp, full);
	ASSERT_NE(0, full_len);
	/* has_init's byte stays; the init_secret, four secrets, the tree */
	EXPECT_EQ(body_len + 5 * p->nh + fp.tree_len, full_len);
	/* What the walker lays out, the erased secrets all in it. */
	EXPECT_LT(0, snap_body_fields(full, full_len, 3, p->nh, suite_nk(p->suite),
				      f, 4096));
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		const char *name = gone[i].name;
		bool in = memmem(full, full_len, gone[i].b, p->nh) != NULL;

		EXPECT_TRUE(in) TH_LOG("%s not in the full layout", name);
	}
	ASSERT_EQ(0, grp_destroy(p->a));
	close(p->a);
	p->a = -1;

	/*
	 * Malformed: refused, and nothing imported (the good one still is).
	 * A tree cut short at the end of the body (its epoch the only one).
	 */
	fp.first_only = true;
	fp.tree_len = tree_bytes(tree, p->es.encryption, p->nh, 1,
				 tree_bytes(tree, p->es.encryption, p->nh, 1, 0) - 4);
	len = full_layout(body, body_len, p->nh, &fp, bad);
	ASSERT_NE(0, len);
	len = seal_body(ikm, &s, 3, bad, len, buf);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL)) TH_LOG("tree cut short");
	/* A tree with no node: no leaf covered. */
	fp.first_only = false;
	fp.tree_len = tree_bytes(tree, p->es.encryption, p->nh, 0, 0);
	len = full_layout(body, body_len, p->nh, &fp, bad);
	ASSERT_NE(0, len);
	len = seal_body(ikm, &s, 3, bad, len, buf);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL)) TH_LOG("no leaf covered");
	/* No tree at all. */
	fp.tree = NULL;
	len = full_layout(body, body_len, p->nh, &fp, bad);
	ASSERT_NE(0, len);
	len = seal_body(ikm, &s, 3, bad, len, buf);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL)) TH_LOG("no tree");
	/* The full epoch without the init_secret (has_init 0). */
	memcpy(bad, full, 56);
	bad[56] = 0;
	memcpy(bad + 57, full + 57 + p->nh, full_len - 57 - p->nh);
	len = seal_body(ikm, &s, 3, bad, full_len - p->nh, buf);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL)) TH_LOG("no init_secret");
	/* The full layout under version 2: the mark is refused there. */
	len = seal_body(ikm, &s, 2, full, full_len, buf);
	ASSERT_NE(0, len);
	EXPECT_EQ(-EINVAL, snap_import(p->ctl, buf, len, NULL)) TH_LOG("version 2");

	/* Well formed: imported, reduced as a merge reduces it. */
	len = seal_body(ikm, &s, 3, full, full_len, buf);
	ASSERT_NE(0, len);
	memset(&a, 0, sizeof(a));
	a.flags = persistent ? MLS_IMPORT_F_RESUME : 0;
	mbuf(&a.snapshot, buf, len);
	fd = xioctl(p->ctl, MLS_IOC_GROUP_IMPORT, &a);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	if (persistent) {
		EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, a.result);
	}
	id = a.id;
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(fd));
	EXPECT_EQ(1, grp_epoch(fd));
	ASSERT_EQ(0, dbg_holds(id, 1, h1, sizeof(h1)));
	EXPECT_STREQ(h0, h1);
	ASSERT_EQ(0, dbg_holds(id, 0, p1, sizeof(p1)));
	EXPECT_STREQ(p0, p1);
	ASSERT_EQ(0, grp_exporter(fd, "full", NULL, 0, ex1, sizeof(ex1)));
	EXPECT_EQ(0, memcmp(ex0, ex1, sizeof(ex1)));
	ASSERT_EQ(nh, grp_authenticator(fd, au1, sizeof(au1), NULL));
	EXPECT_EQ(0, memcmp(au0, au1, p->nh));
	fr = reinit_group(p->ctl, &in, 0, (__u32)fd, 0, 1, nonce, p->nh);
	ASSERT_LE(0, fr) TH_LOG("reinit PSK of the imported group: %s", strerror(-fr));
	ASSERT_EQ(nh, grp_authenticator(fr, n1, sizeof(n1), NULL));
	EXPECT_EQ(0, memcmp(n0, n1, p->nh));
	close(fr);
	EXPECT_EQ(-EPIPE, conf_tag(fd, 0, t, sizeof(t)));
	EXPECT_EQ(-EPIPE, ext_pub(fd, 0));
	rand_bytes(cs, p->nh);
	EXPECT_EQ(-EPIPE, member_op(p, fd, 0, cs, MLS_IOC_COMMIT_PREPARE, 0));

	/* Exported again: the reduced layout, none of the erased bytes. */
	r = persistent ? save(fd, &s2) :
			 snap_export(fd, &s2);
	ASSERT_EQ(0, r);
	EXPECT_EQ(3, snap_get_be(s2.buf + SNAP_OFF_VERSION, 2));
	ASSERT_EQ(0, snap_unseal(ikm, 32, s2.buf, s2.len, body, &body_len));
	EXPECT_EQ(0, body[56]) TH_LOG("has_init");
	EXPECT_LT(0, snap_body_fields(body, body_len, 3, p->nh, suite_nk(p->suite),
				      f, 4096));
	EXPECT_NE(0, full_layout(body, body_len, p->nh, &fp, buf));
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		const char *name = gone[i].name;
		bool in = memmem(body, body_len, gone[i].b, p->nh) != NULL;

		EXPECT_FALSE(in) TH_LOG("%s in the export", name);
	}
	grp_destroy(fd);
	close(fd);
	snap_free(&s);
	snap_free(&s2);
}

TEST_F(fin, snapshot_full)
{
	full_layout_check(_metadata, &self->p, false);
}

TEST_F(fin, snapshot_full_persistent)
{
	struct pair *p = &self->p;

	pair_close(p);
	ASSERT_EQ(0, pair_make_flags(p, variant->suite, MLS_GROUP_F_PERSISTENT));
	full_layout_check(_metadata, p, true);
}

/*
 * A persistent group ended: its export is saved (GROUP_SAVED takes it:
 * nothing to reserve), and imported with MLS_IMPORT_F_RESUME it does not
 * resume (it never sends: receive-only), stays ended with the same
 * exporter, and saves again.
 */
TEST_F(fin, persistent_ended)
{
	struct pair *p = &self->p;
	uint8_t ikm[32], ex0[32], ex1[32];
	struct snap s = { 0 }, s2 = { 0 };
	struct mls_group_import a;
	static struct msg m;
	int fd, r;

	r = seal_key(ikm);
	ASSERT_EQ(0, r) TH_LOG("sealing key: %s", strerror(-r));
	pair_close(p);
	ASSERT_EQ(0, pair_make_flags(p, variant->suite, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, final_commit(p));
	ASSERT_EQ(0, grp_exporter(p->a, "p", NULL, 0, ex0, sizeof(ex0)));
	ASSERT_EQ(0, save(p->a, &s));
	EXPECT_EQ(3, snap_get_be(s.buf + SNAP_OFF_VERSION, 2));
	ASSERT_EQ(0, grp_destroy(p->a));
	close(p->a);
	p->a = -1;

	memset(&a, 0, sizeof(a));
	a.flags = MLS_IMPORT_F_RESUME;
	mbuf(&a.snapshot, s.buf, s.len);
	fd = xioctl(p->ctl, MLS_IOC_GROUP_IMPORT, &a);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, a.result);
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(fd));
	EXPECT_EQ(-EPIPE, enc_text(fd, "resumed?", &m));
	ASSERT_EQ(0, grp_exporter(fd, "p", NULL, 0, ex1, sizeof(ex1)));
	EXPECT_EQ(0, memcmp(ex0, ex1, sizeof(ex1)));
	EXPECT_EQ(0, save(fd, &s2));
	EXPECT_EQ(3, snap_get_be(s2.buf + SNAP_OFF_VERSION, 2));
	grp_destroy(fd);
	close(fd);
	snap_free(&s);
	snap_free(&s2);
}

/* ---------------------------------------------------------------- race */

#define RACE_THREADS	3
#define RACE_ROUNDS	6

struct racer {
	struct pair *p;
	atomic_int *phase;	/* 0 before, 1 merging, 2 merge returned, 3 stop */
	bool batch;		/* MLS_IOC_ENCRYPT_BATCH of two, not ENCRYPT */
	atomic_uint sent_early;
	unsigned int sent_final, refused, after, after_ok, bad;
	int bad_errno;
	__u64 bad_epoch;
};

struct race_buf {
	struct mls_encrypt_entry ent[2];
	uint8_t out[2][MSG_MAX];
};

/*
 * One call of @r: ret[] and epoch[] of each message it made or refused;
 * the count of them.
 */
static int race_send(struct racer *r, struct race_buf *rb, int ret[2],
		     __u64 epoch[2])
{
	const struct pair *p = r->p;
	struct mls_batch b;
	int n, k;

	if (!r->batch) {
		enc_init(&rb->ent[0].op, MLS_CONTENT_APPLICATION, NULL, 0, "race",
			 4, p->sig, p->sig_len, rb->out[0], sizeof(rb->out[0]));
		ret[0] = xioctl(p->a, MLS_IOC_ENCRYPT, &rb->ent[0].op);
		epoch[0] = rb->ent[0].op.epoch;
		return 1;
	}
	for (k = 0; k < 2; k++) {
		memset(&rb->ent[k], 0, sizeof(rb->ent[k]));
		enc_init(&rb->ent[k].op, MLS_CONTENT_APPLICATION, NULL, 0, "race",
			 4, p->sig, p->sig_len, rb->out[k], sizeof(rb->out[k]));
	}
	memset(&b, 0, sizeof(b));
	b.count = 2;
	b.entries = U64(rb->ent);
	b.entry_size = sizeof(rb->ent[0]);
	n = xioctl(p->a, MLS_IOC_ENCRYPT_BATCH, &b);
	if (n < 0) {
		ret[0] = n;
		epoch[0] = 0;
		return 1;
	}
	for (k = 0; k < n && k < 2; k++) {
		ret[k] = rb->ent[k].error;
		epoch[k] = rb->ent[k].op.epoch;
	}
	return k;
}

static void *race_encrypt(void *arg)
{
	struct racer *r = arg;
	struct race_buf *rb = malloc(sizeof(*rb));
	unsigned int tail = 0;

	if (!rb)
		return NULL;
	while (atomic_load(r->phase) < 3 || tail < 4) {
		int seen = atomic_load(r->phase);
		__u64 epoch[2];
		int ret[2], n, k;

		n = race_send(r, rb, ret, epoch);
		for (k = 0; k < n; k++) {
			if (!ret[k] && epoch[k] == r->p->in.epoch + 1) {
				r->sent_final++;
				r->bad_epoch = epoch[k];
			} else if (!ret[k]) {
				r->sent_early++;
			} else if (ret[k] == -EPIPE || ret[k] == -ESTALE) {
				r->refused++;
			} else {
				r->bad++;
				r->bad_errno = ret[k];
			}
			/* Begun after the merge returned: only -EPIPE. */
			if (seen >= 2) {
				r->after++;
				if (ret[k] != -EPIPE)
					r->after_ok++;
			}
		}
		if (seen == 3)
			tail++;
	}
	free(rb);
	return NULL;
}

TEST_F_TIMEOUT(fin, race, 240)
{
	struct racer rc[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	int round, i;

	for (round = 0; round < RACE_ROUNDS; round++) {
		struct pair *p = &self->p;
		uint8_t cs[MLS_MAX_HASH_LEN];
		atomic_int phase = 0;
		static struct msg m;

		if (round) {
			pair_close(p);
			ASSERT_EQ(0, pair_make(p, variant->suite));
		}
		rand_bytes(cs, p->nh);
		ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE,
				       MLS_COMMIT_F_FINAL));
		for (i = 0; i < RACE_THREADS; i++) {
			memset(&rc[i], 0, sizeof(rc[i]));
			rc[i].p = p;
			rc[i].phase = &phase;
			rc[i].batch = i & 1;
			ASSERT_EQ(0, pthread_create(&th[i], NULL, race_encrypt, &rc[i]));
		}
		/* Every thread sends in the epoch before first. */
		for (i = 0; i < RACE_THREADS; i++)
			while (atomic_load(&rc[i].sent_early) < 4)
				usleep(100);
		atomic_store(&phase, 1);
		ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
		atomic_store(&phase, 2);
		usleep(2000);
		atomic_store(&phase, 3);
		for (i = 0; i < RACE_THREADS; i++)
			pthread_join(th[i], NULL);
		for (i = 0; i < RACE_THREADS; i++) {
			EXPECT_EQ(0, rc[i].sent_final)
				TH_LOG("round %d: sealed in the last epoch %llu", round,
				       (unsigned long long)rc[i].bad_epoch);
			EXPECT_EQ(0, rc[i].bad)
				TH_LOG("round %d: errno %d", round, rc[i].bad_errno);
			EXPECT_LT(0, rc[i].after);
			EXPECT_EQ(0, rc[i].after_ok) TH_LOG("round %d", round);
			EXPECT_LT(0, atomic_load(&rc[i].sent_early));
		}
		EXPECT_EQ(-EPIPE, enc_text(p->a, "after", &m));
		EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p->a));
	}
}

/*
 * A prepare and merge of a FINAL commit racing a one-shot commit of the
 * same member to the same epoch, while a third thread asks for what
 * the last epoch erases (external_pub, confirmation tag): exactly one
 * commit wins; if the FINAL one did, the other got -EBUSY or -EPIPE,
 * and no answer of the reader was of the last epoch (only of the one
 * before, or -EPIPE); if the plain one did, nothing ended and nothing
 * was refused. The reader also reads, by debugfs, what epoch 1 holds
 * whenever it is there: a last epoch is erased before it is published,
 * so it is never seen holding more than it keeps, not even for a moment.
 */
#define WIPE_SEEN	4

struct wipe_racer {
	struct pair *p;
	atomic_int *phase;	/* 0 before, 1 go, 2 stop */
	int commit_ret;		/* the committer's */
	unsigned int ok[2], pipe, other;	/* the reader's, ok by epoch */
	int other_errno;
	char seen[WIPE_SEEN][128];	/* what epoch 1 held, each once */
	unsigned int nseen;
};

/* Keep @h among what epoch 1 was seen holding (the first few kinds). */
static void wipe_seen(struct wipe_racer *r, const char *h)
{
	unsigned int i;

	for (i = 0; i < r->nseen; i++)
		if (!strcmp(r->seen[i], h))
			return;
	if (r->nseen < WIPE_SEEN)
		snprintf(r->seen[r->nseen++], sizeof(r->seen[0]), "%s", h);
}

static void *wipe_commit(void *arg)
{
	struct wipe_racer *r = arg;
	uint8_t cs[MLS_MAX_HASH_LEN];

	rand_bytes(cs, r->p->nh);
	while (atomic_load(r->phase) < 1)
		;
	r->commit_ret = member_op(r->p, r->p->a, 0, cs, MLS_IOC_COMMIT, 0);
	return NULL;
}

static void wipe_note(struct wipe_racer *r, int ret, __u64 epoch)
{
	if (ret >= 0 && epoch < 2)
		r->ok[epoch]++;
	else if (ret == -EPIPE)
		r->pipe++;
	else
		r->other++, r->other_errno = ret;
}

static void *wipe_read(void *arg)
{
	struct wipe_racer *r = arg;
	uint8_t pub[256], tag[MLS_MAX_HASH_LEN];
	struct mls_external_pub x;
	char h[sizeof(r->seen[0])];
	struct mls_tag t;
	int ret;

	while (atomic_load(r->phase) < 2) {
		/* The only caller of dbg_holds() (static buffer) meanwhile. */
		if (!dbg_holds(r->p->a_id, 1, h, sizeof(h)))
			wipe_seen(r, h);
		memset(&x, 0, sizeof(x));
		mbuf(&x.pub, pub, sizeof(pub));
		ret = xioctl(r->p->a, MLS_IOC_EXTERNAL_PUB, &x);
		wipe_note(r, ret, x.epoch);
		memset(&t, 0, sizeof(t));
		mbuf(&t.data, NULL, 0);
		mbuf(&t.tag, tag, sizeof(tag));
		ret = xioctl(r->p->a, MLS_IOC_CONFIRMATION_TAG, &t);
		wipe_note(r, ret, t.epoch);
	}
	return NULL;
}

TEST_F_TIMEOUT(fin, race_wipe, 240)
{
	unsigned int won_final = 0, won_plain = 0, seen;
	struct wipe_racer wr;
	pthread_t tc, tr;
	int round;

	for (round = 0; round < RACE_ROUNDS; round++) {
		struct pair *p = &self->p;
		uint8_t cs[MLS_MAX_HASH_LEN];
		atomic_int phase = 0;
		int prep, merge = -1;
		char h[256];

		if (round) {
			pair_close(p);
			ASSERT_EQ(0, pair_make(p, variant->suite));
		}
		memset(&wr, 0, sizeof(wr));
		wr.p = p;
		wr.phase = &phase;
		rand_bytes(cs, p->nh);
		ASSERT_EQ(0, pthread_create(&tr, NULL, wipe_read, &wr));
		ASSERT_EQ(0, pthread_create(&tc, NULL, wipe_commit, &wr));
		atomic_store(&phase, 1);
		/* A head start for the committer in some rounds: both wins. */
		usleep((useconds_t)(round % 3) * 400);
		prep = member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE,
				 MLS_COMMIT_F_FINAL);
		if (!prep)
			merge = pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1);
		pthread_join(tc, NULL);
		usleep(2000);
		atomic_store(&phase, 2);
		pthread_join(tr, NULL);

		EXPECT_EQ(0, wr.other) TH_LOG("round %d: reader errno %d", round,
					      wr.other_errno);
		for (seen = 0; seen < wr.nseen; seen++) {
			EXPECT_STREQ(prep ? HOLDS_ALL : HOLDS_FINAL,
				     wr.seen[seen])
				TH_LOG("round %d: epoch 1 seen holding %s",
				       round, wr.seen[seen]);
		}
		EXPECT_EQ(1, grp_epoch(p->a));
		ASSERT_EQ(0, dbg_holds(p->a_id, 1, h, sizeof(h)));
		if (!prep) {
			won_final++;
			EXPECT_EQ(0, merge);
			EXPECT_TRUE(wr.commit_ret == -EBUSY || wr.commit_ret == -EPIPE)
				TH_LOG("round %d: commit %d", round, wr.commit_ret);
			EXPECT_EQ(MLS_GROUP_STATE_ENDED, grp_state(p->a));
			EXPECT_STREQ(HOLDS_FINAL, h);
			EXPECT_EQ(0, wr.ok[1]) TH_LOG("round %d", round);
		} else {
			won_plain++;
			EXPECT_TRUE(prep == -EBUSY || prep == -ESTALE)
				TH_LOG("round %d: prepare %d", round, prep);
			EXPECT_EQ(0, wr.commit_ret);
			EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, grp_state(p->a));
			EXPECT_STREQ(HOLDS_ALL, h);
			EXPECT_EQ(0, wr.pipe) TH_LOG("round %d", round);
		}
	}
	TH_LOG("FINAL won %u rounds, the plain commit %u", won_final, won_plain);
}

TEST_HARNESS_MAIN
