// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed snapshots (MLS_IOC_GROUP_EXPORT, MLS_IOC_GROUP_IMPORT): a member
 * exported, destroyed and imported back carries on where it was, with
 * its peer, across commits and across a module unload and reload (an
 * ended group too); every bad input gets its errno and imports nothing.
 *
 * The sealing key is a keyring key named by the module parameter
 * seal_key, made here with add_key(2) in a session keyring of the test's
 * own (KEYCTL_JOIN_SESSION_KEYRING), which its children share.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/keyctl.h>
#include <linux/mls.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "libmls.h"
#include "persist_util.h"
#include "snap_fuzz.h"
#include "snap_seal.h"

#define NOBODY		65534

static bool in_vm(void)
{
	return getuid() == 0 && !access(MODULE_PATH, R_OK);
}

/*
 * The fuzz's seed and its number of mutations: MLS_SNAPFUZZ_SEED and
 * MLS_SNAPFUZZ_COUNT, or mlsvm.snapfuzz_seed= and mlsvm.snapfuzz_count=
 * on the test VM's command line (tools/vm/run-vm.sh). make check-debug
 * asks for 10,000 mutations (tools/vm/check-debug.sh); make check and
 * make test run the default.
 */
#define SNAPFUZZ_SEED	0x6d6c73736e6170ULL
#define SNAPFUZZ_COUNT	2000

static uint64_t fuzz_seed(void)
{
	return env_u64("MLS_SNAPFUZZ_SEED", "mlsvm.snapfuzz_seed=", SNAPFUZZ_SEED);
}

/* ---------------------------------------------------------- round trips */

/* The fixtures' pair of members and their snapshot buffer. */
static int fixture_pair(struct pair *p, struct snap *s, unsigned int suite,
			__u32 flags)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = fresh_logon_key();
	return err ? err : pair_make_flags(p, suite, flags);
}

static void fixture_pair_free(struct pair *p, struct snap *s)
{
	if (p->a >= 0)
		grp_destroy(p->a);
	if (p->b >= 0)
		grp_destroy(p->b);
	pair_close(p);
	snap_free(s);
}

FIXTURE(rt) {
	struct pair p;
	struct snap s;
	struct msg m[6];
	struct dec d;
};

FIXTURE_VARIANT(rt) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(rt, suite1) { .suite = 1 };
FIXTURE_VARIANT_ADD(rt, suite2) { .suite = 2 };
FIXTURE_VARIANT_ADD(rt, suite3) { .suite = 3 };
FIXTURE_VARIANT_ADD(rt, suite4) { .suite = 4 };
FIXTURE_VARIANT_ADD(rt, suite5) { .suite = 5 };
FIXTURE_VARIANT_ADD(rt, suite6) { .suite = 6 };
FIXTURE_VARIANT_ADD(rt, suite7) { .suite = 7 };

FIXTURE_SETUP(rt)
{
	ASSERT_EQ(0, fixture_pair(&self->p, &self->s, variant->suite, 0));
}

FIXTURE_TEARDOWN(rt)
{
	fixture_pair_free(&self->p, &self->s);
}

/*
 * B exported with messages of its epoch half read (one late, one
 * skipped), destroyed, imported: the same id, the exporter and the
 * epoch_authenticator unchanged, what was read stays read (EALREADY),
 * what was not decrypts, and both sides go on, across two commits, the
 * old epoch's late message still readable.
 */
TEST_F(rt, export_destroy_import_carries_on)
{
	uint8_t exp1[32], exp2[32], au1[MLS_MAX_HASH_LEN], au2[MLS_MAX_HASH_LEN];
	struct pair *p = &self->p;
	__u64 ep1, ep2;
	__u32 id;
	int i, fd;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, enc_text(p->a, "before", &self->m[i]));
	/* Gen 3 first (0..2 kept as skipped), then 1. */
	ASSERT_EQ(0, dec_msg(p->b, &self->m[3], &self->d));
	ASSERT_EQ(0, dec_msg(p->b, &self->m[1], &self->d));
	ASSERT_EQ(0, enc_text(p->b, "from b", &self->m[5]));
	ASSERT_EQ(0, dec_msg(p->a, &self->m[5], &self->d));
	ASSERT_EQ(0, grp_exporter(p->b, "persist", "ctx", 3, exp1, sizeof(exp1)));
	ASSERT_LE(0, grp_authenticator(p->b, au1, sizeof(au1), &ep1));

	ASSERT_EQ(0, snap_export(p->b, &self->s));
	EXPECT_EQ(1, self->s.seq);
	EXPECT_EQ(0, self->s.epoch);
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = -1;

	fd = snap_import(p->ctl, self->s.buf, self->s.len, &id);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	p->b = fd;
	EXPECT_EQ(p->b_id, id);
	EXPECT_EQ(0, grp_epoch(p->b));
	ASSERT_EQ(0, grp_exporter(p->b, "persist", "ctx", 3, exp2, sizeof(exp2)));
	EXPECT_EQ(0, memcmp(exp1, exp2, sizeof(exp1)));
	ASSERT_LE(0, grp_authenticator(p->b, au2, sizeof(au2), &ep2));
	EXPECT_EQ(ep1, ep2);
	EXPECT_EQ(0, memcmp(au1, au2, p->nh));

	/* What was read stays read; the skipped and later ones decrypt. */
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &self->m[3], &self->d));
	EXPECT_EQ(-EALREADY, dec_msg(p->b, &self->m[1], &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m[0], &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m[2], &self->d));
	EXPECT_EQ(0, dec_msg(p->b, &self->m[4], &self->d));
	EXPECT_EQ(0, memcmp(self->d.content, "before", 6));

	/* B is receive-only in the restored epoch; A still reaches it. */
	EXPECT_EQ(-ESTALE, enc_text(p->b, "after", &self->m[0]));
	ASSERT_EQ(0, enc_text(p->a, "to b", &self->m[1]));
	EXPECT_EQ(0, dec_msg(p->b, &self->m[1], &self->d));

	/*
	 * A late message of epoch 0, then two commits of B's own (a fresh
	 * path each: what lets a restored member send), both ways each time.
	 */
	ASSERT_EQ(0, enc_text(p->a, "late", &self->m[2]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pair_commit_own(p, p->b));
		ASSERT_EQ(0, enc_text(p->a, "epoch a", &self->m[3]));
		EXPECT_EQ(0, dec_msg(p->b, &self->m[3], &self->d));
		ASSERT_EQ(0, enc_text(p->b, "epoch b", &self->m[4]));
		EXPECT_EQ(0, dec_msg(p->a, &self->m[4], &self->d));
	}
	EXPECT_EQ(0, dec_msg(p->b, &self->m[2], &self->d));
	EXPECT_EQ(0, memcmp(self->d.content, "late", 4));
}

/*
 * Exported in epoch 2 with epochs 0 and 1 kept: after the import the
 * past epochs' late messages decrypt; B sends nothing in epoch 2
 * (ESTALE), and sends again in epoch 3, its own commit's.
 */
TEST_F(rt, past_epochs_come_back)
{
	struct pair *p = &self->p;
	__u32 id;
	int fd;

	ASSERT_EQ(0, enc_text(p->a, "epoch 0", &self->m[0]));
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, enc_text(p->a, "epoch 1", &self->m[1]));
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	EXPECT_EQ(2, self->s.epoch);
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	fd = snap_import(p->ctl, self->s.buf, self->s.len, &id);
	p->b = fd;
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(2, grp_epoch(p->b));
	EXPECT_EQ(0, dec_msg(p->b, &self->m[1], &self->d));
	EXPECT_EQ(1, self->d.epoch);
	EXPECT_EQ(0, dec_msg(p->b, &self->m[0], &self->d));
	EXPECT_EQ(0, self->d.epoch);
	EXPECT_EQ(-ESTALE, enc_text(p->b, "epoch 2", &self->m[2]));
	ASSERT_EQ(0, pair_commit_own(p, p->b));
	ASSERT_EQ(0, enc_text(p->b, "epoch 3", &self->m[2]));
	EXPECT_EQ(3, self->m[2].epoch);
	EXPECT_EQ(0, dec_msg(p->a, &self->m[2], &self->d));
}

/*
 * Export, then N more messages, destroy, import: the restored member
 * cannot send in its restored epoch (its generations after the export
 * may have been used), still receives, nor in the epochs the peer's
 * commits lead to (a lost copy may have sent there), and sends again
 * after its own commit with a fresh path; the peer reads that. No
 * (epoch, generation) of B's leaf is used twice.
 */
TEST_F(rt, import_is_receive_only_until_commit)
{
	struct pair *p = &self->p;
	struct msg *m = malloc(12 * sizeof(*m));
	int i, j, n = 0, fd;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, enc_text(p->b, "before", &m[n++]));
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, enc_text(p->b, "after export", &m[n++]));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	fd = snap_import(p->ctl, self->s.buf, self->s.len, NULL);
	p->b = fd;
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(-ESTALE, enc_text(p->b, "reuse?", &m[n]));
	/* Receiving works. */
	ASSERT_EQ(0, enc_text(p->a, "to b", &m[n]));
	EXPECT_EQ(0, dec_msg(p->b, &m[n], &self->d));
	/*
	 * a's commit gives b the secrets a lost newer copy of b may have
	 * had and sent with: still no sending.
	 */
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(-EROFS, enc_text(p->b, "same secrets", &m[n]));
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(-EROFS, enc_text(p->b, "same secrets", &m[n]));
	/* b's own commit with a fresh path: it sends again. */
	ASSERT_EQ(0, pair_commit_own(p, p->b));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, enc_text(p->b, "new epoch", &m[n]));
		EXPECT_EQ(3, m[n].epoch);
		EXPECT_EQ(0, dec_msg(p->a, &m[n], &self->d));
		n++;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			EXPECT_FALSE(m[i].epoch == m[j].epoch &&
				     m[i].gen == m[j].gen)
				TH_LOG("(%llu, %u) sent twice",
				       (unsigned long long)m[i].epoch, m[i].gen);
	free(m);
}

/*
 * Exported, the module unloaded and loaded again (in the test VM only),
 * imported into the new module: the same id, the old messages decrypt,
 * the peer (itself from a snapshot) keeps talking.
 */
TEST(round_trip_across_module_reload)
{
	struct pair p;
	struct snap sa = {}, sb = {};
	struct msg m[2];
	struct dec d;
	uint8_t exp1[32], exp2[32];
	__u32 id;
	int r, fd;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&p, 1, 0));
	ASSERT_EQ(0, enc_text(p.a, "across", &m[0]));
	ASSERT_EQ(0, grp_exporter(p.b, "reload", NULL, 0, exp1, sizeof(exp1)));
	ASSERT_EQ(0, snap_export(p.a, &sa));
	ASSERT_EQ(0, snap_export(p.b, &sb));
	pair_close(&p);
	r = syscall(SYS_delete_module, "mls", O_NONBLOCK) ? -errno : 0;
	ASSERT_EQ(0, r) TH_LOG("delete_module: %s", strerror(-r));
	ASSERT_EQ(0, vm_module_load(MODULE_PATH, ""));

	p.ctl = ctl_open();
	ASSERT_LE(0, p.ctl);
	p.a = snap_import(p.ctl, sa.buf, sa.len, &id);
	ASSERT_LE(0, p.a) TH_LOG("import a: %s", strerror(-p.a));
	EXPECT_EQ(p.a_id, id);
	p.b = snap_import(p.ctl, sb.buf, sb.len, &id);
	ASSERT_LE(0, p.b) TH_LOG("import b: %s", strerror(-p.b));
	EXPECT_EQ(p.b_id, id);
	EXPECT_EQ(0, dec_msg(p.b, &m[0], &d));
	EXPECT_EQ(0, memcmp(d.content, "across", 6));
	ASSERT_EQ(0, grp_exporter(p.b, "reload", NULL, 0, exp2, sizeof(exp2)));
	EXPECT_EQ(0, memcmp(exp1, exp2, sizeof(exp1)));
	/* Both receive-only until each commits with a fresh path. */
	EXPECT_EQ(-ESTALE, enc_text(p.a, "again", &m[1]));
	ASSERT_EQ(0, pair_commit_own(&p, p.b));
	ASSERT_EQ(0, enc_text(p.b, "new epoch", &m[0]));
	EXPECT_EQ(0, dec_msg(p.a, &m[0], &d));
	EXPECT_EQ(-EROFS, enc_text(p.a, "again", &m[1]));
	ASSERT_EQ(0, pair_commit_own(&p, p.a));
	ASSERT_EQ(0, enc_text(p.a, "again", &m[1]));
	EXPECT_EQ(0, dec_msg(p.b, &m[1], &d));
	/* The same snapshot again in this load: refused. */
	fd = snap_import(p.ctl, sb.buf, sb.len, NULL);
	EXPECT_EQ(-ESTALE, fd);
	grp_destroy(p.a);
	grp_destroy(p.b);
	pair_close(&p);
	snap_free(&sa);
	snap_free(&sb);
}

static int reload_module(void)
{
	int r = syscall(SYS_delete_module, "mls", O_NONBLOCK) ? -errno : 0;

	return r ?: vm_module_load(MODULE_PATH, "");
}

/*
 * A persistent group a ReInit ended, saved, the module unloaded and
 * loaded again: imported with MLS_IMPORT_F_RESUME, it does not resume
 * (it never sends), stays ended with the same exporter and the same
 * resumption PSK (a new group keyed with it by the old group's fd has
 * the same epoch as one keyed before the reload), and saves again.
 */
TEST(ended_persistent_across_module_reload)
{
	uint8_t cs[MLS_MAX_HASH_LEN], nonce[MLS_MAX_HASH_LEN];
	uint8_t exp1[32], exp2[32], au1[MLS_MAX_HASH_LEN], au2[MLS_MAX_HASH_LEN];
	struct snap s = {}, s2 = {};
	struct mls_group_import imp;
	struct grp_inputs next, in;
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_new n;
	struct mls_commit c;
	struct mls_psk k;
	struct pair p;
	struct msg m;
	int r, fd, fr;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&p, 1, MLS_GROUP_F_PERSISTENT));
	rand_bytes(cs, p.nh);
	pair_commit_arg(&p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_FINAL;
	ASSERT_EQ(0, xioctl(p.a, MLS_IOC_COMMIT, &c));
	ASSERT_EQ(0, grp_exporter(p.a, "reload", NULL, 0, exp1, sizeof(exp1)));

	/* The new group's epoch from the reinit PSK, before the reload. */
	inputs_random(&in, 1);
	rand_bytes(nonce, p.nh);
	memset(&k, 0, sizeof(k));
	k.type = MLS_PSK_RESUMPTION;
	k.usage = MLS_PSK_USAGE_REINIT;
	k.epoch = 1;
	mbuf(&k.nonce, nonce, p.nh);
	new_from_inputs(&n, &in, 0, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	mbuf(&n.psk_secret, NULL, 0);
	n.psks.addr = U64(&k);
	n.psks.count = 1;
	k.group = (__u32)p.a;
	fr = grp_create(p.ctl, &n);
	ASSERT_LE(0, fr);
	ASSERT_EQ((int)p.nh, grp_authenticator(fr, au1, sizeof(au1), NULL));
	close(fr);

	ASSERT_EQ(0, save(p.a, &s));
	EXPECT_EQ(3, snap_get_be(s.buf + SNAP_OFF_VERSION, 2));
	/* Gone before the unload: nothing left for its drain to wait on. */
	EXPECT_EQ(0, grp_destroy(p.a));
	EXPECT_EQ(0, grp_destroy(p.b));
	pair_close(&p);
	r = reload_module();
	ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));

	p.ctl = ctl_open();
	ASSERT_LE(0, p.ctl);
	memset(&imp, 0, sizeof(imp));
	imp.flags = MLS_IMPORT_F_RESUME;
	mbuf(&imp.snapshot, s.buf, s.len);
	fd = xioctl(p.ctl, MLS_IOC_GROUP_IMPORT, &imp);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, imp.result);
	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(MLS_GROUP_STATE_ENDED, info.state);
	EXPECT_EQ(1, info.epoch);
	EXPECT_EQ(-EPIPE, enc_text(fd, "resumed?", &m));
	ASSERT_EQ(0, grp_exporter(fd, "reload", NULL, 0, exp2, sizeof(exp2)));
	EXPECT_EQ(0, memcmp(exp1, exp2, sizeof(exp1)));
	k.group = (__u32)fd;
	fr = grp_create(p.ctl, &n);
	ASSERT_LE(0, fr) TH_LOG("reinit PSK after the reload: %s", strerror(-fr));
	ASSERT_EQ((int)p.nh, grp_authenticator(fr, au2, sizeof(au2), NULL));
	EXPECT_EQ(0, memcmp(au1, au2, p.nh));
	close(fr);
	EXPECT_EQ(0, save(fd, &s2));
	grp_destroy(fd);
	close(fd);
	close(p.ctl);
	snap_free(&s);
	snap_free(&s2);
}

/*
 * Ids start again at 1 after a load: a group made first after one reload
 * has the id a group made first after the previous one had. Its
 * snapshot imported then finds that id taken and gets a new one.
 */
TEST(import_takes_a_new_id_when_its_own_is_taken)
{
	struct snap s = {};
	struct msg m;
	__u32 c_id, d_id, id = 0;
	int ctl, c, dfd, r;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_EQ(0, fresh_logon_key());
	r = reload_module();
	ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));
	ctl = ctl_open();
	ASSERT_LE(0, ctl);
	c = grp_plain(ctl, 1, 0, &c_id);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, enc_text(c, "one", &m));
	ASSERT_EQ(0, snap_export(c, &s));
	close(c);
	close(ctl);
	r = reload_module();
	ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));
	ctl = ctl_open();
	ASSERT_LE(0, ctl);
	dfd = grp_plain(ctl, 1, 0, &d_id);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(c_id, d_id);
	c = snap_import(ctl, s.buf, s.len, &id);
	ASSERT_LE(0, c) TH_LOG("import: %s", strerror(-c));
	EXPECT_NE(c_id, id);
	EXPECT_NE(0, id);
	r = grp_open_id(ctl, id);
	EXPECT_LE(0, r);
	if (r >= 0)
		close(r);
	/* Under its new id, receive-only until its next epoch. */
	EXPECT_EQ(-ESTALE, enc_text(c, "two", &m));
	grp_destroy(c);
	grp_destroy(dfd);
	close(c);
	close(dfd);
	close(ctl);
	snap_free(&s);
}

/* ------------------------------------------------------------ bad input */

FIXTURE(bad) {
	struct pair p;
	struct snap s;
	uint8_t *copy;
};

FIXTURE_SETUP(bad)
{
	memset(&self->s, 0, sizeof(self->s));
	self->copy = malloc(SNAP_MAX);
	ASSERT_NE(NULL, self->copy);
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&self->p, 1, 0));
	/* Some tree state worth carrying: a message each way. */
	ASSERT_EQ(0, enc_text(self->p.a, "to b", (struct msg *)self->copy));
	ASSERT_EQ(0, dec_msg(self->p.b, (struct msg *)self->copy,
			     (struct dec *)(self->copy + sizeof(struct msg))));
	ASSERT_EQ(0, enc_text(self->p.b, "to a", (struct msg *)self->copy));
	ASSERT_EQ(0, snap_export(self->p.b, &self->s));
	ASSERT_EQ(0, grp_destroy(self->p.b));
	close(self->p.b);
	self->p.b = -1;
}

FIXTURE_TEARDOWN(bad)
{
	pair_destroy(&self->p);
	snap_free(&self->s);
	free(self->copy);
}

/* Import @len bytes of the snapshot with byte @off XORed with @mask. */
static int import_flipped(int ctl, const struct snap *s, uint8_t *copy,
			  size_t len, size_t off, uint8_t mask)
{
	memcpy(copy, s->buf, s->len);
	if (off < len)
		copy[off] ^= mask;
	return snap_import(ctl, copy, len, NULL);
}

TEST_F(bad, truncated)
{
	size_t lens[] = { 1, 4, SNAP_HDR_FIXED, SNAP_HDR_FIXED + 16, self->s.len / 2,
			  self->s.len - 16, self->s.len - 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		EXPECT_EQ(-EBADMSG, import_flipped(self->p.ctl, &self->s,
						   self->copy, lens[i], SIZE_MAX, 0))
			TH_LOG("length %zu", lens[i]);
	}
	EXPECT_EQ(-EINVAL, snap_import(self->p.ctl, self->s.buf, 0, NULL));
	EXPECT_EQ(-EINVAL, snap_import(self->p.ctl, self->s.buf,
				       (size_t)MLS_MAX_SNAPSHOT_LEN + 1, NULL));
	/* Longer: the tag is not where the bytes end. */
	memcpy(self->copy, self->s.buf, self->s.len);
	self->copy[self->s.len] = 0;
	EXPECT_EQ(-EBADMSG, snap_import(self->p.ctl, self->copy,
					self->s.len + 1, NULL));
	/* Nothing was imported: the real one still is. */
	self->p.b = snap_import(self->p.ctl, self->s.buf, self->s.len, NULL);
	EXPECT_LE(0, self->p.b);
}

/* Each byte of the header, some of the body and the tag: EBADMSG. */
TEST_F(bad, bit_flipped)
{
	size_t offs[] = { 0, 3, SNAP_OFF_FLAGS + 1, SNAP_OFF_SEQ + 7, SNAP_OFF_EPOCH + 7,
			  SNAP_OFF_SALT, SNAP_OFF_SALT + 31, SNAP_OFF_GID_LEN, SNAP_HDR_FIXED,
			  SNAP_HDR_FIXED + 16, SNAP_HDR_FIXED + 40, self->s.len / 2,
			  self->s.len - 17, self->s.len - 16, self->s.len - 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		EXPECT_EQ(-EBADMSG, import_flipped(self->p.ctl, &self->s,
						   self->copy, self->s.len,
						   offs[i], 0x01))
			TH_LOG("offset %zu", offs[i]);
	}
	self->p.b = snap_import(self->p.ctl, self->s.buf, self->s.len, NULL);
	EXPECT_LE(0, self->p.b);
}

TEST_F(bad, wrong_version)
{
	/* The version after the newest this module reads. */
	uint8_t next = (uint8_t)(snap_get_be(self->s.buf + SNAP_OFF_VERSION, 2) ^
				 (MLS_SNAPSHOT_VERSION + 1));

	EXPECT_EQ(-EPROTONOSUPPORT, import_flipped(self->p.ctl, &self->s,
						   self->copy, self->s.len,
						   SNAP_OFF_VERSION + 1, next));
	EXPECT_EQ(-EPROTONOSUPPORT, import_flipped(self->p.ctl, &self->s,
						   self->copy, self->s.len,
						   SNAP_OFF_VERSION, 0x80));
}

/*
 * The tag-only pass: 2,000 bit flips of the sealed bytes (header, body
 * and tag, as the kernel sealed them): each stopped by the header's
 * checks or the tag, never a group. The fuzz below reseals instead.
 */
TEST_F(bad, tag_flips)
{
	struct snap_rng rng = { fuzz_seed() };
	unsigned int i, ok = 0, other = 0;
	int r;

	for (i = 0; i < 2000; i++) {
		size_t off = snap_rng_below(&rng, (uint32_t)self->s.len);

		r = import_flipped(self->p.ctl, &self->s, self->copy,
				   self->s.len, off,
				   (uint8_t)(1U << snap_rng_below(&rng, 8)));
		if (r >= 0) {
			ok++;
			close(r);
		} else if (r != -EBADMSG && r != -EPROTONOSUPPORT) {
			other++;
			TH_LOG("offset %zu: %s", off, strerror(-r));
		}
	}
	EXPECT_EQ(0, ok);
	EXPECT_EQ(0, other);
}

TEST_F(bad, wrong_key)
{
	uint8_t k[32];

	rand_bytes(k, sizeof(k));
	/* The same description: add_key(2) updates the payload. */
	ASSERT_LT(0, add_seal_key("logon", k, sizeof(k)));
	EXPECT_EQ(-EBADMSG, snap_import(self->p.ctl, self->s.buf, self->s.len, NULL));
}

TEST_F(bad, older_and_same_are_stale)
{
	struct snap s2 = {}, s3 = {};
	int fd;

	fd = snap_import(self->p.ctl, self->s.buf, self->s.len, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, snap_export(fd, &s2));
	ASSERT_EQ(0, snap_export(fd, &s3));
	EXPECT_EQ(self->s.seq + 1, s2.seq);
	EXPECT_EQ(self->s.seq + 2, s3.seq);
	/* Alive: a second copy would send under its keys. */
	EXPECT_EQ(-EEXIST, snap_import(self->p.ctl, s3.buf, s3.len, NULL));
	ASSERT_EQ(0, grp_destroy(fd));
	close(fd);
	EXPECT_EQ(-ESTALE, snap_import(self->p.ctl, self->s.buf, self->s.len, NULL));
	fd = snap_import(self->p.ctl, s3.buf, s3.len, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_destroy(fd));
	close(fd);
	EXPECT_EQ(-ESTALE, snap_import(self->p.ctl, s2.buf, s2.len, NULL));
	EXPECT_EQ(-ESTALE, snap_import(self->p.ctl, s3.buf, s3.len, NULL));
	snap_free(&s2);
	snap_free(&s3);
}

/*
 * The import's argument on a read-only page: the group is made and
 * published, then the copy back fails (EFAULT) and the group goes. The
 * snapshot counts as imported all the same: others could have used the
 * group meanwhile, so the same snapshot again is ESTALE.
 */
TEST_F(bad, failed_copy_back_still_counts)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct mls_group_import *a;
	int r;

	a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 0, sizeof(*a));
	mbuf(&a->snapshot, self->s.buf, self->s.len);
	ASSERT_EQ(0, mprotect(a, pg, PROT_READ));
	r = ioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, a);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EFAULT, errno);
	if (r >= 0)
		close(r);
	r = snap_import(self->p.ctl, self->s.buf, self->s.len, NULL);
	EXPECT_EQ(-ESTALE, r);
	if (r >= 0) {
		grp_destroy(r);
		close(r);
	}
	munmap(a, pg);
}

TEST_F(bad, arguments)
{
	struct mls_group_import im;
	struct mls_group_export ex;
	uint8_t big[64] = { 0 };
	int fd;

	memset(&im, 0, sizeof(im));
	mbuf(&im.snapshot, self->s.buf, self->s.len);
	/* Bits 0 and 1 are RESUME and RECEIVE_ONLY; every other is unknown. */
	im.flags = ~(__u32)MLS_IMPORT_F_ALL;
	EXPECT_EQ(-EINVAL, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, &im));
	im.flags = 1U << 2;
	EXPECT_EQ(-EINVAL, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, &im));
	im.flags = 0;
	im.reserved = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, &im));
	im.reserved = 0;
	im.snapshot.reserved = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, &im));
	im.snapshot.reserved = 0;
	im.snapshot.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, &im));
	im.snapshot.addr = LOW_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT, &im));
	EXPECT_EQ(-EFAULT, xioctl(self->p.ctl, MLS_IOC_GROUP_IMPORT,
				  (void *)(uintptr_t)BAD_ADDR));
	/* Shorter than the first version; longer with a non-zero tail. */
	EXPECT_EQ(-EINVAL, xioctl(self->p.ctl,
				  _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x15, 32),
				  &im));
	memcpy(big, &im, sizeof(im));
	big[sizeof(im)] = 1;
	EXPECT_EQ(-E2BIG, xioctl(self->p.ctl,
				 _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x15, 64),
				 big));
	/* Import is /dev/mls's, export a group fd's. */
	EXPECT_EQ(-ENOTTY, xioctl(self->p.a, MLS_IOC_GROUP_IMPORT, &im));

	memset(&ex, 0, sizeof(ex));
	EXPECT_EQ(-ENOTTY, xioctl(self->p.ctl, MLS_IOC_GROUP_EXPORT, &ex));
	mbuf(&ex.snapshot, self->copy, SNAP_MAX);
	ex.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	ex.flags = 0;
	ex.reserved = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	ex.reserved = 0;
	ex.snapshot.reserved = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	ex.snapshot.reserved = 0;
	EXPECT_EQ(-EINVAL, xioctl(self->p.a,
				  _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x32, 24),
				  &ex));
	memset(big, 0, sizeof(big));
	memcpy(big, &ex, sizeof(ex));
	big[sizeof(ex) + 3] = 1;
	EXPECT_EQ(-E2BIG, xioctl(self->p.a,
				 _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x32, 64),
				 big));
	ex.snapshot.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	EXPECT_EQ(-EFAULT, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT,
				  (void *)(uintptr_t)BAD_ADDR));
	/* Too small: ENOSPC with the size; that size then fits. */
	mbuf(&ex.snapshot, self->copy, 10);
	EXPECT_EQ(-ENOSPC, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	EXPECT_LT(10, ex.snapshot.len);
	EXPECT_EQ(0, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	/* A destroyed group has nothing to export. */
	fd = grp_open_id(self->p.ctl, self->p.a_id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_destroy(fd));
	mbuf(&ex.snapshot, self->copy, SNAP_MAX);
	EXPECT_EQ(-ENOENT, xioctl(self->p.a, MLS_IOC_GROUP_EXPORT, &ex));
	close(fd);
}

/* ------------------------------------------------------ the parser's fuzz */

/*
 * The tag stops every changed byte of a sealed snapshot, so the parser
 * behind it is fuzzed with the sealing key's bytes known here: each
 * snapshot is opened in userspace (snap_seal.c, as kmod/seal.c derives
 * the key), its plaintext mutated (snap_fuzz.c) and sealed again with a
 * fresh salt (so a fresh key and nonce) and a fresh sequence number, so
 * that import gets past the tag and the strict parser sees the change.
 * Two snapshots are mutated in turn: a member with two past epochs, out
 * of order keys kept and a message skipped (format version 1); and a
 * persistent member (the reserved limits, and a receive-save policy:
 * version 2), imported with MLS_IMPORT_F_RESUME every other time.
 */
#define FUZZ_FIELDS	4096
/* 10,000 mutations on the debug kernel under TCG, with room to spare. */
#define FUZZ_TIMEOUT_S	1800
#define FUZZ_ERRNOS	134

enum { FUZZ_PLAIN, FUZZ_PERSISTENT, FUZZ_BASES };

/* The format each base is exported in: the persistent one has the policy. */
static const unsigned int fuzz_base_version[FUZZ_BASES] = {
	[FUZZ_PLAIN] = 1,
	[FUZZ_PERSISTENT] = 2,
};

struct fuzz_base {
	struct pair p;
	struct snap s;
	size_t hdr_len;
	uint8_t *body;
	size_t body_len;
	struct snap_field *fields;
	int nfields;
};

FIXTURE(fuzz) {
	uint8_t ikm[32];
	struct fuzz_base b[FUZZ_BASES];
	uint8_t *hdr, *body, *out;
	struct msg *m;
	struct dec *d;
};

/* Member B of @fb->p, exported, then destroyed: its snapshot is @fb->s. */
static int fuzz_base_make(struct fuzz_base *fb, __u32 flags,
			  struct msg *m, struct dec *d)
{
	struct mls_set_policy rs = {
		.mask = MLS_POLICY_RECV_SAVE,
		.recv_save = 1000,
	};
	struct pair *p = &fb->p;
	struct snap tmp = {};
	int r;

	r = pair_make_flags(p, 1, flags);
	if (r)
		return r;
	if (flags & MLS_GROUP_F_PERSISTENT) {
		/* A sends within what a saved snapshot reserved. */
		r = save(p->a, &tmp) ?: save(p->b, &tmp);
		snap_free(&tmp);
		r = r ?: enc_text(p->a, "one", &m[0]) ?: dec_msg(p->b, &m[0], d) ?:
		    enc_text(p->b, "two", &m[1]);
		/* A receive-save policy, never reached: a version 2 body. */
		r = r ?: xioctl(p->b, MLS_IOC_SET_POLICY, &rs);
	} else {
		/* B reads the third and the first: the second's key is kept. */
		r = enc_text(p->a, "one", &m[0]) ?: enc_text(p->a, "two", &m[1]) ?:
		    enc_text(p->a, "three", &m[2]) ?: dec_msg(p->b, &m[2], d) ?:
		    dec_msg(p->b, &m[0], d) ?: pair_commit(p) ?:
		    enc_text(p->a, "four", &m[3]) ?: dec_msg(p->b, &m[3], d) ?:
		    pair_commit(p) ?: enc_text(p->a, "five", &m[4]);
	}
	r = r ?: snap_export(p->b, &fb->s) ?: grp_destroy(p->b);
	if (r)
		return r;
	close(p->b);
	p->b = -1;
	return 0;
}

FIXTURE_SETUP(fuzz)
{
	unsigned int i;
	long id;

	memset(self->b, 0, sizeof(self->b));
	for (i = 0; i < FUZZ_BASES; i++)
		self->b[i].p.a = self->b[i].p.b = self->b[i].p.ctl = -1;
	self->hdr = malloc(SNAP_MAX);
	self->body = malloc(SNAP_MAX);
	self->out = malloc(SNAP_MAX);
	self->m = calloc(5, sizeof(*self->m));
	self->d = malloc(sizeof(*self->d));
	ASSERT_TRUE(self->hdr && self->body && self->out && self->m && self->d);
	/* The sealing key, its bytes known. */
	ASSERT_EQ(0, new_session());
	rand_bytes(self->ikm, sizeof(self->ikm));
	id = add_seal_key("logon", self->ikm, sizeof(self->ikm));
	ASSERT_LT(0, id);
	ASSERT_EQ(0, fuzz_base_make(&self->b[FUZZ_PLAIN], 0, self->m, self->d));
	ASSERT_EQ(0, fuzz_base_make(&self->b[FUZZ_PERSISTENT],
				    MLS_GROUP_F_PERSISTENT, self->m, self->d));
	for (i = 0; i < FUZZ_BASES; i++) {
		struct fuzz_base *fb = &self->b[i];

		fb->hdr_len = snap_hdr_len(fb->s.buf, fb->s.len);
		ASSERT_LT(SNAP_HDR_FIXED, fb->hdr_len);
		ASSERT_EQ(fuzz_base_version[i],
			  snap_get_be(fb->s.buf + SNAP_OFF_VERSION, 2));
		fb->body = malloc(fb->s.len);
		fb->fields = calloc(FUZZ_FIELDS, sizeof(*fb->fields));
		ASSERT_TRUE(fb->body && fb->fields);
		/* The key derived here opens what the kernel sealed. */
		ASSERT_EQ(0, snap_unseal(self->ikm, sizeof(self->ikm), fb->s.buf,
					 fb->s.len, fb->body, &fb->body_len));
		fb->nfields = snap_body_fields(fb->body, fb->body_len,
					       fuzz_base_version[i], 32, 16,
					       fb->fields, FUZZ_FIELDS);
		ASSERT_LT(0, fb->nfields)
			TH_LOG("base %u: not laid out as version %u", i,
			       fuzz_base_version[i]);
	}
}

FIXTURE_TEARDOWN(fuzz)
{
	unsigned int i;

	for (i = 0; i < FUZZ_BASES; i++) {
		struct fuzz_base *fb = &self->b[i];

		if (fb->p.a >= 0)
			grp_destroy(fb->p.a);
		pair_close(&fb->p);
		snap_free(&fb->s);
		free(fb->body);
		free(fb->fields);
	}
	free(self->hdr);
	free(self->body);
	free(self->out);
	free(self->m);
	free(self->d);
}

/* The sealed form of @hdr and @body, @len bytes in @out: 0 or -1. */
static int fuzz_seal(const uint8_t *ikm, uint8_t *hdr, size_t hdr_len,
		     const uint8_t *body, size_t body_len, uint8_t *out,
		     __u64 seq, struct snap_rng *rng)
{
	uint64_t salt[SNAP_SALT_LEN / 8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(salt); i++)
		salt[i] = snap_rng_next(rng);
	memcpy(hdr + SNAP_OFF_SALT, salt, SNAP_SALT_LEN);
	snap_put_be(hdr + SNAP_OFF_SEQ, 8, seq);
	return snap_reseal(ikm, 32, hdr, hdr_len, body, body_len, out);
}

/*
 * The reseal is right: with the kernel's own salt it gives the kernel's
 * bytes exactly, and with a fresh salt and sequence number the snapshot
 * imports, as the member it was.
 */
TEST_F(fuzz, reseal_round_trip)
{
	struct snap_rng rng = { fuzz_seed() };
	unsigned int i;
	__u32 id;
	int fd;

	for (i = 0; i < FUZZ_BASES; i++) {
		struct fuzz_base *fb = &self->b[i];
		size_t len = fb->s.len;

		ASSERT_EQ(0, snap_reseal(self->ikm, sizeof(self->ikm), fb->s.buf,
					 fb->hdr_len, fb->body, fb->body_len,
					 self->out));
		EXPECT_EQ(0, memcmp(self->out, fb->s.buf, len)) TH_LOG("base %u", i);
		memcpy(self->hdr, fb->s.buf, fb->hdr_len);
		ASSERT_EQ(0, fuzz_seal(self->ikm, self->hdr, fb->hdr_len, fb->body,
				       fb->body_len, self->out, fb->s.seq + 1, &rng));
		EXPECT_NE(0, memcmp(self->out, fb->s.buf, len));
		fd = snap_import(fb->p.ctl, self->out, len, &id);
		ASSERT_LE(0, fd) TH_LOG("base %u: %s", i, strerror(-fd));
		EXPECT_EQ(fb->p.b_id, id);
		EXPECT_EQ(fb->s.epoch, (__u64)grp_epoch(fd));
		/* The sequence number is bound too: the same one is stale. */
		EXPECT_EQ(0, grp_destroy(fd));
		close(fd);
		fd = snap_import(fb->p.ctl, self->out, len, NULL);
		EXPECT_EQ(-ESTALE, fd);
		if (fd >= 0)
			close(fd);
	}
}

/* The base's two reserved limits: its only 8-byte body fields. */
static unsigned int resume_limits(const struct fuzz_base *fb,
				  const struct snap_field *lim[2])
{
	unsigned int i, k = 0;

	for (i = 0; i < (unsigned int)fb->nfields && k < 2; i++)
		if (fb->fields[i].width == 8)
			lim[k++] = &fb->fields[i];
	return k;
}

/*
 * Import @fb's snapshot, resealed (sequence ++*@seq) with limit @lim set
 * to @value, with MLS_IMPORT_F_RESUME: refused with EINVAL if @refused,
 * else resumed; the group made is destroyed.
 */
static void expect_resume(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fuzz) *self, struct fuzz_base *fb,
			  const struct snap_field *lim, uint64_t value,
			  bool refused, __u64 *seq, struct snap_rng *rng)
{
	struct mls_group_import a;
	int fd;

	memcpy(self->hdr, fb->s.buf, fb->hdr_len);
	memcpy(self->body, fb->body, fb->body_len);
	snap_put_be(self->body + lim->off, 8, value);
	ASSERT_EQ(0, fuzz_seal(self->ikm, self->hdr, fb->hdr_len, self->body,
			       fb->body_len, self->out, ++*seq, rng));
	memset(&a, 0, sizeof(a));
	a.flags = MLS_IMPORT_F_RESUME;
	mbuf(&a.snapshot, self->out, fb->s.len);
	fd = xioctl(fb->p.ctl, MLS_IOC_GROUP_IMPORT, &a);
	if (refused) {
		EXPECT_EQ(-EINVAL, fd) TH_LOG("limit at %#llx", (unsigned long long)value);
	} else {
		EXPECT_LE(0, fd) TH_LOG("limit at %#llx: %s", (unsigned long long)value,
					strerror(-fd));
		EXPECT_EQ(MLS_IMPORT_R_RESUMED, a.result);
	}
	if (fd >= 0) {
		EXPECT_EQ(0, grp_destroy(fd));
		close(fd);
	}
}

/*
 * Found by the fuzz: a persistent snapshot imported with
 * MLS_IMPORT_F_RESUME whose reserved limit lies far past its ratchet's
 * next generation (one flipped bit of the limit) stepped the ratchet
 * there one derivation at a time, up to 2^32 of them, in one ioctl. No
 * export reserves more than MLS_PERSIST_RESERVE_MAX (65,536): past that
 * the limit is refused at once, and a limit within it still resumes.
 */
TEST_F(fuzz, resume_limit_far_ahead)
{
	struct fuzz_base *fb = &self->b[FUZZ_PERSISTENT];
	struct snap_rng rng = { fuzz_seed() };
	const struct snap_field *lim[2] = {};
	static const uint64_t ahead[] = { 1ULL << 31, 65536 + 1024, 1000 };
	__u64 seq = fb->s.seq;
	unsigned int i, j;

	ASSERT_EQ(2, resume_limits(fb, lim));
	for (i = 0; i < ARRAY_SIZE(ahead); i++)
		for (j = 0; j < 2; j++)
			expect_resume(_metadata, self, fb, lim[j],
				      snap_get_be(fb->body + lim[j]->off, 8) + ahead[i],
				      ahead[i] > 65536, &seq, &rng);
}

/*
 * The bound exactly: a resumed limit MLS_PERSIST_RESERVE_MAX (65,536)
 * past its ratchet's next generation resumes, one more is refused
 * (EINVAL), for either ratchet. The base's limits are its next
 * generations plus persist_reserve (it sent within a saved window, so
 * the export's reservation is the larger).
 */
TEST_F(fuzz, resume_limit_exact_bound)
{
	struct fuzz_base *fb = &self->b[FUZZ_PERSISTENT];
	struct snap_rng rng = { fuzz_seed() };
	const struct snap_field *lim[2] = {};
	static const uint64_t ahead[] = { 65536, 65537 };
	long long window = mod_param("persist_reserve");
	__u64 seq = fb->s.seq;
	uint64_t next;
	unsigned int i, j;

	ASSERT_LT(0, window);
	ASSERT_GE(65536, window);
	ASSERT_EQ(2, resume_limits(fb, lim));
	for (i = 0; i < ARRAY_SIZE(ahead); i++) {
		for (j = 0; j < 2; j++) {
			next = snap_get_be(fb->body + lim[j]->off, 8);
			ASSERT_LE((uint64_t)window, next);
			next -= (uint64_t)window;
			expect_resume(_metadata, self, fb, lim[j], next + ahead[i],
				      ahead[i] > 65536, &seq, &rng);
		}
	}
}

/* The errnos MLS_IOC_GROUP_IMPORT documents for a snapshot's content. */
static bool fuzz_errno_allowed(int e)
{
	switch (e) {
	case EINVAL:		/* a value no group can have */
	case EBADMSG:		/* the header no longer matches the AAD */
	case EPROTONOSUPPORT:	/* another version */
	case ESTALE:		/* not newer than one imported */
	case EEXIST:		/* another own_leaf: member A, alive */
	case EOPNOTSUPP:	/* a suite this kernel lacks */
	case ENOSPC:		/* max_groups */
	case EDQUOT:		/* the owner's limits */
	case ENOMEM:
		return true;
	}
	return false;
}

/*
 * MLS_SNAPFUZZ_COUNT mutations (of 1 to 4 changes each) of the opened
 * snapshots: every import fails with a documented errno or gives a
 * group that exports and is destroyed cleanly (a change in a secret's
 * bytes, an age or a policy value imports); the kernel's log must stay
 * clean of reports (the runner's check).
 */
TEST_F_TIMEOUT(fuzz, parser_mutations, FUZZ_TIMEOUT_S)
{
	uint64_t seed = fuzz_seed();
	unsigned int count = (unsigned int)env_u64("MLS_SNAPFUZZ_COUNT",
						   "mlsvm.snapfuzz_count=",
						   SNAPFUZZ_COUNT);
	unsigned int by_errno[FUZZ_ERRNOS] = {}, by_kind[SNAP_MUT_COUNT] = {};
	unsigned int ok_kind[SNAP_MUT_COUNT] = {};
	unsigned int i, k, imported = 0, bad = 0, bad_after = 0;
	struct snap_rng rng = { seed };
	__u64 seq[FUZZ_BASES];
	struct snap ex = {};
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < FUZZ_BASES; i++)
		seq[i] = self->b[i].s.seq;
	printf("# snapfuzz: seed %#llx (MLS_SNAPFUZZ_SEED), %u mutations (MLS_SNAPFUZZ_COUNT)\n",
	       (unsigned long long)seed, count);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		unsigned int which = i % FUZZ_BASES, n, kinds = 0;
		struct fuzz_base *fb = &self->b[which];
		struct snap_plain pl = {
			.hdr = self->hdr, .hdr_len = fb->hdr_len,
			.body = self->body, .body_len = fb->body_len,
			.body_cap = SNAP_MAX - fb->hdr_len - SNAP_TAG_LEN,
			.fields = fb->fields, .nfields = (size_t)fb->nfields,
		};
		struct mls_group_import a;
		size_t len;
		int fd;

		memcpy(self->hdr, fb->s.buf, fb->hdr_len);
		memcpy(self->body, fb->body, fb->body_len);
		/* One change three times in four, else two to four. */
		n = snap_rng_below(&rng, 4) ? 1 : 2 + snap_rng_below(&rng, 3);
		for (k = 0; k < n; k++) {
			enum snap_mut m = snap_rng_below(&rng, SNAP_MUT_COUNT);

			snap_mutate(&rng, &pl, m);
			by_kind[m]++;
			kinds |= 1U << m;
		}
		ASSERT_EQ(0, fuzz_seal(self->ikm, self->hdr, pl.hdr_len, pl.body,
				       pl.body_len, self->out, ++seq[which], &rng));
		len = pl.hdr_len + pl.body_len + SNAP_TAG_LEN;
		memset(&a, 0, sizeof(a));
		mbuf(&a.snapshot, self->out, len);
		if (which == FUZZ_PERSISTENT && (i / FUZZ_BASES) % 2)
			a.flags = MLS_IMPORT_F_RESUME;
		fd = xioctl(fb->p.ctl, MLS_IOC_GROUP_IMPORT, &a);
		if (fd < 0) {
			if (-fd < FUZZ_ERRNOS)
				by_errno[-fd]++;
			if (!fuzz_errno_allowed(-fd)) {
				bad++;
				TH_LOG("mutation %u (seed %#llx): %s", i,
				       (unsigned long long)seed, strerror(-fd));
			}
			continue;
		}
		imported++;
		for (k = 0; k < SNAP_MUT_COUNT; k++)
			ok_kind[k] += !!(kinds & (1U << k));
		/* What came in goes out again, and goes away. */
		if (snap_export(fd, &ex) || grp_destroy(fd)) {
			bad_after++;
			TH_LOG("mutation %u (seed %#llx): imported, but no clean export and destroy",
			       i, (unsigned long long)seed);
		}
		close(fd);
	}
	snap_free(&ex);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# snapfuzz: %u mutations in %.1f s\n", count,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("# snapfuzz: %u imported (exported, destroyed), %u refused:",
	       imported, count - imported);
	for (k = 0; k < FUZZ_ERRNOS; k++)
		if (by_errno[k])
			printf(" %s %u", strerrorname_np((int)k) ?: "?", by_errno[k]);
	printf("\n# snapfuzz: changes applied (of which in imported ones):");
	for (k = 0; k < SNAP_MUT_COUNT; k++)
		printf(" %s %u (%u)", snap_mut_names[k], by_kind[k], ok_kind[k]);
	printf("\n");
	fflush(stdout);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, bad_after);
	/* The parser was reached: the bulk is refused by it, not the tag. */
	EXPECT_LT(by_errno[EBADMSG], count / 4);
	EXPECT_LT(0, by_errno[EINVAL]);
}

/* ------------------------------------------------------------ keys */

/*
 * The sealing key's checks: each test starts in a session keyring of
 * its own (no key yet) with a group to export.
 */
FIXTURE(keys) {
	int ctl;
	int fd;
	struct snap s;
};

FIXTURE_SETUP(keys)
{
	memset(&self->s, 0, sizeof(self->s));
	self->fd = -1;
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, new_session());
	self->fd = grp_plain(self->ctl, 1, MLS_GROUP_F_EPHEMERAL, NULL);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(keys)
{
	snap_free(&self->s);
	if (self->fd >= 0)
		close(self->fd);
	if (self->ctl >= 0)
		close(self->ctl);
}

TEST_F(keys, no_key_is_enokey)
{
	EXPECT_EQ(-ENOKEY, snap_export(self->fd, &self->s));
	/* Any bytes: the key is looked for before they are read. */
	self->s.buf = calloc(1, 256);
	ASSERT_NE(NULL, self->s.buf);
	memcpy(self->s.buf, "MLSS\0\1", 6);
	self->s.buf[SNAP_OFF_GID_LEN] = 1;
	EXPECT_EQ(-ENOKEY, snap_import(self->ctl, self->s.buf, 256, NULL));
}

/* A user key's payload can be read back: refused, also when it is there. */
TEST_F(keys, user_key_refused)
{
	uint8_t k[32];

	rand_bytes(k, sizeof(k));
	ASSERT_LT(0, add_seal_key("user", k, sizeof(k)));
	EXPECT_EQ(-EKEYREJECTED, snap_export(self->fd, &self->s));
}

TEST_F(keys, short_and_revoked_keys)
{
	uint8_t k[32];
	long id;

	rand_bytes(k, sizeof(k));
	ASSERT_LT(0, add_seal_key("logon", k, 31));
	EXPECT_EQ(-EKEYREJECTED, snap_export(self->fd, &self->s));
	id = add_seal_key("logon", k, 32);
	ASSERT_LT(0, id);
	EXPECT_EQ(0, snap_export(self->fd, &self->s));
	ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_REVOKE, id));
	EXPECT_EQ(-EKEYREVOKED, snap_export(self->fd, &self->s));
}

/* ------------------------------------------------------------ owners */

/* In a child as nobody: @fn's result, or -ECHILD if it could not run. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -ECHILD;
	if (!pid) {
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		_exit(-fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/* Shared with the child (MAP_SHARED): a snapshot it made. */
struct shared_snap {
	size_t len;
	uint8_t buf[SNAP_MAX];
};

struct owner_arg {
	int fd;			/* root's group, inherited */
	struct snap *root_snap;	/* a snapshot of root's group */
	struct shared_snap *mine; /* (out) a snapshot of nobody's own group */
};

static int nobody_export_root(void *p)
{
	struct owner_arg *a = p;
	struct snap s = {};
	int r = snap_export(a->fd, &s);

	snap_free(&s);
	return r;
}

static int nobody_import_root(void *p)
{
	struct owner_arg *a = p;
	int ctl = ctl_open(), r;

	if (ctl < 0)
		return ctl;
	r = snap_import(ctl, a->root_snap->buf, a->root_snap->len, NULL);
	close(ctl);
	return r >= 0 ? 0 : r;
}

/* Nobody's own group: export, destroy, import, export again, destroy. */
static int nobody_own_round_trip(void *p)
{
	struct owner_arg *a = p;
	struct snap s = {};
	int ctl = ctl_open(), fd, r;

	if (ctl < 0)
		return ctl;
	fd = grp_plain(ctl, 1, 0, NULL);
	if (fd < 0)
		return fd;
	r = snap_export(fd, &s);
	if (!r)
		r = grp_destroy(fd);
	close(fd);
	if (r)
		return r;
	fd = snap_import(ctl, s.buf, s.len, NULL);
	if (fd < 0)
		return fd;
	r = snap_export(fd, &s);
	if (!r)
		r = grp_destroy(fd);
	if (!r) {
		memcpy(a->mine->buf, s.buf, s.len);
		a->mine->len = s.len;
	}
	close(fd);
	close(ctl);
	snap_free(&s);
	return r;
}

/* As nobody: a logon key of its own, a group of its own, an export. */
static int nobody_own_key_export(void *p)
{
	struct snap s = {};
	uint8_t k[32];
	int ctl, fd, r;

	(void)p;
	r = new_session();
	if (r)
		return r;
	rand_bytes(k, sizeof(k));
	if (add_seal_key("logon", k, sizeof(k)) < 0)
		return -ENOKEY;
	ctl = ctl_open();
	if (ctl < 0)
		return ctl;
	fd = grp_plain(ctl, 1, MLS_GROUP_F_EPHEMERAL, NULL);
	if (fd < 0) {
		close(ctl);
		return fd;
	}
	r = snap_export(fd, &s);
	snap_free(&s);
	close(fd);
	close(ctl);
	return r;
}

/*
 * Any user can add a logon key of the sealing key's name to its own
 * keyrings: with it, it could open its snapshots or forge some. A key
 * not owned by root is refused.
 */
TEST(non_root_key_refused)
{
	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	EXPECT_EQ(-EKEYREJECTED, as_nobody(nobody_own_key_export, NULL));
}

/*
 * Export and import are the owner's and CAP_SYS_ADMIN's: nobody may not
 * export root's group (even holding its fd) nor import its snapshot;
 * nobody may round-trip its own; root may import nobody's, which stays
 * nobody's.
 */
TEST(owner_or_cap_sys_admin)
{
	struct snap root_snap = {};
	struct shared_snap *mine;
	struct owner_arg a = { .root_snap = &root_snap };
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	int ctl = ctl_open(), fd;

	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fresh_logon_key());
	mine = mmap(NULL, sizeof(*mine), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mine);
	a.mine = mine;
	a.fd = grp_plain(ctl, 1, 0, NULL);
	ASSERT_LE(0, a.fd);
	ASSERT_EQ(0, snap_export(a.fd, &root_snap));
	EXPECT_EQ(-EPERM, as_nobody(nobody_export_root, &a));
	ASSERT_EQ(0, grp_destroy(a.fd));
	close(a.fd);
	EXPECT_EQ(-EPERM, as_nobody(nobody_import_root, &a));

	EXPECT_EQ(0, as_nobody(nobody_own_round_trip, &a));
	ASSERT_LT(0, mine->len);
	fd = snap_import(ctl, mine->buf, mine->len, NULL);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(NOBODY, info.owner_uid);
	EXPECT_EQ(NOBODY, info.owner_gid);
	EXPECT_EQ(0, grp_destroy(fd));
	close(fd);
	/* Root's own snapshot imports as root's. */
	fd = snap_import(ctl, root_snap.buf, root_snap.len, NULL);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		grp_destroy(fd);
		close(fd);
	}
	munmap(mine, sizeof(*mine));
	snap_free(&root_snap);
	close(ctl);
}

/*
 * Another user's live group of the same group_id and leaf does not make
 * the owner's import EEXIST: the record and the alive check are per
 * owner. Nobody holds its group alive (a pipe) while root imports.
 */
TEST(other_owner_cannot_block)
{
	struct grp_inputs in;
	struct mls_group_new n;
	struct snap s = {};
	int ctl = ctl_open(), fd, go[2], ready[2], status;
	char c = 0;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fresh_logon_key());
	inputs_random(&in, 1);
	new_from_inputs(&n, &in, 0, 2, NULL, 0, 0);
	fd = grp_create(ctl, &n);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, snap_export(fd, &s));
	ASSERT_EQ(0, grp_destroy(fd));
	close(fd);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int cctl, gfd;

		/* Root's close of go[1] is then the only signal. */
		close(go[1]);
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(1);
		cctl = ctl_open();
		new_from_inputs(&n, &in, 0, 2, NULL, 0, 0);
		gfd = cctl < 0 ? -1 : grp_create(cctl, &n);
		c = gfd >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		if (gfd >= 0)
			grp_destroy(gfd);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ('y', c);
	fd = snap_import(ctl, s.buf, s.len, NULL);
	EXPECT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	if (fd >= 0) {
		grp_destroy(fd);
		close(fd);
	}
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	snap_free(&s);
	close(ctl);
}

/*
 * Among a few hundred imported groups, each member's checks still hit:
 * the same or an older snapshot is ESTALE, a newer one of a live member
 * EEXIST, and once that member is destroyed the newer one imports. Two
 * live groups of one owner with the same group_id and leaf are one
 * member: destroying one leaves the other counting as alive. Everything
 * is destroyed at the end (and, in the test VM, the module unloaded with
 * the records: check-debug's kmemleak sees what would stay).
 */
#define MANY_GROUPS		300
/* Not a measure: room for a debug kernel under emulation. */
#define MANY_GROUPS_TIMEOUT_S	600

FIXTURE(many) {};
FIXTURE_SETUP(many) {}
FIXTURE_TEARDOWN(many) {}

/*
 * Many groups of one member (one owner, group_id and leaf), more than a
 * hash chain holds before the index would rehash: each is made, and the
 * member stays alive while any of them is, the oldest included.
 */
#define SAME_MEMBER_GROUPS	40

TEST_F(many, one_member_many_groups)
{
	int fd[SAME_MEMBER_GROUPS], ctl = ctl_open(), i, r;
	struct grp_inputs in;
	struct mls_group_new n;
	struct snap s = {};

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fresh_logon_key());
	inputs_random(&in, 1);
	for (i = 0; i < SAME_MEMBER_GROUPS; i++) {
		new_from_inputs(&n, &in, 0, 2, NULL, 0, 0);
		fd[i] = grp_create(ctl, &n);
		ASSERT_LE(0, fd[i]) TH_LOG("create %d: %s", i, strerror(-fd[i]));
	}
	ASSERT_EQ(0, snap_export(fd[0], &s));
	EXPECT_EQ(-EEXIST, snap_import(ctl, s.buf, s.len, NULL));
	/* The newest go first: the oldest alone still holds the member. */
	for (i = SAME_MEMBER_GROUPS - 1; i > 0; i--) {
		ASSERT_EQ(0, grp_destroy(fd[i]));
		close(fd[i]);
		EXPECT_EQ(-EEXIST, snap_import(ctl, s.buf, s.len, NULL))
			TH_LOG("%d groups left", i);
	}
	ASSERT_EQ(0, grp_destroy(fd[0]));
	close(fd[0]);
	r = snap_import(ctl, s.buf, s.len, NULL);
	ASSERT_LE(0, r) TH_LOG("import: %s", strerror(-r));
	ASSERT_EQ(0, grp_destroy(r));
	close(r);
	snap_free(&s);
	close(ctl);
}

TEST_F_TIMEOUT(many, groups_keep_their_checks, MANY_GROUPS_TIMEOUT_S)
{
	struct snap (*s)[3] = calloc(MANY_GROUPS, sizeof(*s));
	int *fd = calloc(MANY_GROUPS, sizeof(*fd));
	struct mls_group_list l = { .count = MANY_GROUPS + 1 };
	__u32 *ids = calloc(MANY_GROUPS + 1, sizeof(*ids));
	__u32 kid[MANY_GROUPS];
	struct grp_inputs in;
	struct mls_group_new n;
	struct snap dup = {};
	int ctl = ctl_open(), a, b, i, r;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, fd);
	ASSERT_NE(NULL, ids);
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fresh_logon_key());
	/* s[i][0] older than s[i][1]; s[i][2], newer, made while alive. */
	for (i = 0; i < MANY_GROUPS; i++) {
		inputs_random(&in, 1);
		new_from_inputs(&n, &in, (__u32)i % 2, 2, NULL, 0, 0);
		a = grp_create(ctl, &n);
		ASSERT_LE(0, a) TH_LOG("create %d: %s", i, strerror(-a));
		ASSERT_EQ(0, snap_export(a, &s[i][0]));
		ASSERT_EQ(0, snap_export(a, &s[i][1]));
		ASSERT_EQ(0, grp_destroy(a));
		close(a);
	}
	for (i = 0; i < MANY_GROUPS; i++) {
		fd[i] = snap_import(ctl, s[i][1].buf, s[i][1].len, &kid[i]);
		ASSERT_LE(0, fd[i]) TH_LOG("import %d: %s", i, strerror(-fd[i]));
	}
	for (i = 0; i < MANY_GROUPS; i++) {
		ASSERT_EQ(0, snap_export(fd[i], &s[i][2]));
		EXPECT_EQ(-ESTALE, snap_import(ctl, s[i][0].buf, s[i][0].len, NULL));
		EXPECT_EQ(-ESTALE, snap_import(ctl, s[i][1].buf, s[i][1].len, NULL));
		EXPECT_EQ(-EEXIST, snap_import(ctl, s[i][2].buf, s[i][2].len, NULL));
	}
	/* Every other member gone: its newer snapshot imports, once. */
	for (i = 0; i < MANY_GROUPS; i += 2) {
		ASSERT_EQ(0, grp_destroy(fd[i]));
		close(fd[i]);
		fd[i] = -1;
	}
	for (i = 0; i < MANY_GROUPS; i++) {
		r = snap_import(ctl, s[i][2].buf, s[i][2].len, &kid[i]);
		if (i % 2) {
			EXPECT_EQ(-EEXIST, r);
			continue;
		}
		ASSERT_LE(0, r) TH_LOG("import %d: %s", i, strerror(-r));
		fd[i] = r;
		EXPECT_EQ(-ESTALE, snap_import(ctl, s[i][2].buf, s[i][2].len, NULL));
		EXPECT_EQ(-ESTALE, snap_import(ctl, s[i][1].buf, s[i][1].len, NULL));
	}

	/* Two groups of one member: the second keeps it alive. */
	inputs_random(&in, 1);
	new_from_inputs(&n, &in, 0, 2, NULL, 0, 0);
	a = grp_create(ctl, &n);
	ASSERT_LE(0, a);
	new_from_inputs(&n, &in, 0, 2, NULL, 0, 0);
	b = grp_create(ctl, &n);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, snap_export(a, &dup));
	ASSERT_EQ(0, grp_destroy(a));
	close(a);
	EXPECT_EQ(-EEXIST, snap_import(ctl, dup.buf, dup.len, NULL));
	ASSERT_EQ(0, grp_destroy(b));
	close(b);
	a = snap_import(ctl, dup.buf, dup.len, NULL);
	ASSERT_LE(0, a) TH_LOG("import: %s", strerror(-a));
	ASSERT_EQ(0, grp_destroy(a));
	close(a);

	for (i = 0; i < MANY_GROUPS; i++) {
		ASSERT_EQ(0, grp_destroy(fd[i]));
		close(fd[i]);
		snap_free(&s[i][0]);
		snap_free(&s[i][1]);
		snap_free(&s[i][2]);
	}
	/* None of them is listed any more. */
	l.ids = U64(ids);
	ASSERT_EQ(0, xioctl(ctl, MLS_IOC_GROUP_LIST, &l));
	for (i = 0; i < (int)l.count; i++)
		for (a = 0; a < MANY_GROUPS; a++)
			EXPECT_NE(kid[a], ids[i]);
	close(ctl);
	if (in_vm())
		EXPECT_EQ(0, reload_module());
	snap_free(&dup);
	free(ids);
	free(fd);
	free(s);
}

/* ------------------------------------------------------------ concurrency */

struct race {
	int ctl, fd;
	struct snap *s;
	volatile bool stop;
	unsigned long exports, imports_ok, bad;
	int last_bad;
};

static void *race_export(void *p)
{
	struct race *r = p;
	struct snap s = {};
	int e;

	while (!r->stop) {
		e = snap_export(r->fd, &s);
		if (!e)
			r->exports++;
		else if (e != -ENOENT) {
			r->bad++;
			r->last_bad = e;
		}
	}
	snap_free(&s);
	return NULL;
}

static void *race_import(void *p)
{
	struct race *r = p;
	int fd = snap_import(r->ctl, r->s->buf, r->s->len, NULL);

	if (fd >= 0) {
		__atomic_fetch_add(&r->imports_ok, 1, __ATOMIC_SEQ_CST);
		grp_destroy(fd);
		close(fd);
	} else if (fd != -ESTALE && fd != -EEXIST) {
		__atomic_fetch_add(&r->bad, 1, __ATOMIC_SEQ_CST);
		r->last_bad = fd;
	}
	return NULL;
}

/*
 * Exports on three threads while the group is used and destroyed: each
 * export succeeds or finds the group gone (ENOENT). Then one snapshot
 * imported on four threads at once: exactly one gets the group.
 */
TEST(concurrent_export_import_destroy)
{
	struct race r = {};
	struct snap s = {};
	struct msg m;
	pthread_t t[4];
	int i, fd;

	ASSERT_EQ(0, fresh_logon_key());
	r.ctl = ctl_open();
	ASSERT_LE(0, r.ctl);
	r.fd = grp_plain(r.ctl, 1, 0, NULL);
	ASSERT_LE(0, r.fd);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_export, &r));
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, enc_text(r.fd, "busy", &m));
	ASSERT_EQ(0, snap_export(r.fd, &s));
	ASSERT_EQ(0, grp_destroy(r.fd));
	sleep_ms(20);
	r.stop = true;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, r.bad) TH_LOG("last: %s", strerror(-r.last_bad));
	close(r.fd);

	r.s = &s;
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_import, &r));
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(1, r.imports_ok);
	EXPECT_EQ(0, r.bad) TH_LOG("last: %s", strerror(-r.last_bad));
	/* And no generation sent before the snapshot is sent again. */
	fd = snap_import(r.ctl, s.buf, s.len, NULL);
	EXPECT_EQ(-ESTALE, fd);
	snap_free(&s);
	close(r.ctl);
}

/* ------------------------------------------------------------ libmls */

/*
 * mls_group_export() sizes the buffer itself (a group with a 300-leaf
 * tree in use needs more than its first guess), mls_group_import()
 * brings the group back with its id; neither touches errno.
 */
TEST(libmls_export_import)
{
	struct mls_bytes snap = { 0 };
	struct grp_inputs in;
	struct mls_group_new n;
	struct msg *m = malloc(sizeof(*m));
	struct dec *d = malloc(sizeof(*d));
	uint64_t seq = 0, epoch = 1;
	uint32_t id = 0, id2 = 0;
	int ctl = ctl_open(), a, b, i;

	ASSERT_LE(0, ctl);
	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, fresh_logon_key());
	inputs_random(&in, 1);
	new_from_inputs(&n, &in, 0, 300, NULL, 0, 0);
	a = grp_create(ctl, &n);
	ASSERT_LE(0, a);
	new_from_inputs(&n, &in, 299, 300, NULL, 0, 0);
	b = grp_create(ctl, &n);
	ASSERT_LE(0, b);
	id = n.id;
	ASSERT_EQ(0, enc_text(a, "hello", m));
	ASSERT_EQ(0, dec_msg(b, m, d));
	/* Many leaves taken: a larger tree to carry. */
	for (i = 0; i < 40; i++) {
		new_from_inputs(&n, &in, (__u32)(i * 7), 300, NULL, 0,
				MLS_GROUP_F_EPHEMERAL);
		if ((__u32)(i * 7) == 299 || i * 7 == 0)
			continue;
		int fd = grp_create(ctl, &n);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, enc_text(fd, "leaf", m));
		ASSERT_EQ(0, dec_msg(b, m, d));
		close(fd);
	}
	errno = 1234;
	ASSERT_EQ(0, mls_group_export(b, &snap, &seq, &epoch));
	EXPECT_EQ(1234, errno);
	EXPECT_LT(4096, snap.len);
	/* The first try, too small, took sequence number 1. */
	EXPECT_EQ(2, seq);
	EXPECT_EQ(0, epoch);
	ASSERT_EQ(0, grp_destroy(b));
	close(b);
	EXPECT_EQ(-EINVAL, mls_group_import(ctl, NULL, 10, &id2));
	EXPECT_EQ(-EINVAL, mls_group_import(ctl, snap.data, 0, &id2));
	b = mls_group_import(ctl, snap.data, snap.len, &id2);
	ASSERT_LE(0, b) TH_LOG("import: %s", strerror(-b));
	EXPECT_EQ(id, id2);
	EXPECT_EQ(-EALREADY, dec_msg(b, m, d));
	ASSERT_EQ(0, enc_text(a, "again", m));
	EXPECT_EQ(0, dec_msg(b, m, d));
	EXPECT_EQ(-ESTALE, mls_group_import(ctl, snap.data, snap.len, NULL));
	mls_bytes_free(&snap);
	grp_destroy(a);
	grp_destroy(b);
	close(a);
	close(b);
	close(ctl);
	free(m);
	free(d);
}

/* ------------------------------------------------------ send reservation */

static unsigned int reserve_window(void)
{
	long long w = mod_param("persist_reserve");

	return w > 0 ? (unsigned int)w : 512;
}

FIXTURE(res) {
	struct pair p;
	struct snap s;
	struct msg m;
	struct dec d;
	unsigned int w;
};

FIXTURE_SETUP(res)
{
	self->w = reserve_window();
	ASSERT_EQ(0, fixture_pair(&self->p, &self->s, 1,
				  MLS_GROUP_F_PERSISTENT));
}

FIXTURE_TEARDOWN(res)
{
	fixture_pair_free(&self->p, &self->s);
}

/*
 * A persistent group sends nothing before a snapshot is saved, not even
 * once exported; then exactly persist_reserve generations in each of its
 * two ratchets, 0 to w - 1, and -ENOBUFS after, without using one.
 */
TEST_F(res, sends_only_what_is_saved)
{
	struct pair *p = &self->p;
	unsigned int i;

	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "early", &self->m));
	EXPECT_EQ(-ENOBUFS, enc_commit(p->b, &self->m));
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "exported only", &self->m));
	ASSERT_EQ(0, saved_ioc(p->b, 0, 0, self->s.seq));
	for (i = 0; i < self->w; i++) {
		ASSERT_EQ(0, enc_text(p->b, "reserved", &self->m));
		ASSERT_EQ(i, self->m.gen);
	}
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "past", &self->m));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "past", &self->m));
	/* The handshake ratchet has its own reservation. */
	for (i = 0; i < self->w; i++) {
		ASSERT_EQ(0, enc_commit(p->b, &self->m));
		ASSERT_EQ(i, self->m.gen);
	}
	EXPECT_EQ(-ENOBUFS, enc_commit(p->b, &self->m));
	/* The next save moves on from w; the peer reads it. */
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "more", &self->m));
	EXPECT_EQ(self->w, self->m.gen);
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
	/* Saving the same snapshot again changes nothing. */
	EXPECT_EQ(0, saved_ioc(p->b, 0, 0, self->s.seq));
	/* A's reservation is its own: nothing saved, nothing sent. */
	EXPECT_EQ(-ENOBUFS, enc_text(p->a, "a is persistent too", &self->m));
}

/* The non-persistent groups send as before, and have nothing to save. */
TEST(not_persistent_unchanged)
{
	struct pair p;
	struct snap s = {};
	struct msg m;
	int i;

	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&p, 1, 0));
	for (i = 0; i < 600; i++)
		ASSERT_EQ(0, enc_text(p.b, "free", &m));
	ASSERT_EQ(0, snap_export(p.b, &s));
	EXPECT_EQ(-EINVAL, saved_ioc(p.b, 0, 0, s.seq));
	ASSERT_EQ(0, grp_destroy(p.b));
	close(p.b);
	/* RESUME changes nothing for them: receive-only, as before. */
	p.b = snap_import_flags(p.ctl, &s, MLS_IMPORT_F_RESUME);
	ASSERT_LE(0, p.b);
	EXPECT_EQ(-ESTALE, enc_text(p.b, "after", &m));
	grp_destroy(p.a);
	grp_destroy(p.b);
	pair_close(&p);
	snap_free(&s);
}

/* Count the reserve_low events about @kid queued on @h. */
static int count_low(struct mls_events *h, __u32 kid, __u64 *epoch)
{
	struct mls_event ev;
	int n = 0;

	while (!mls_events_next(h, &ev, 0)) {
		if (ev.type == MLS_CMD_RESERVE_LOW && ev.group_kid == kid) {
			n++;
			if (epoch && (ev.present & MLS_HAS(MLS_A_EPOCH)))
				*epoch = ev.epoch;
		}
	}
	return n;
}

/*
 * reserve_low comes once per reservation, when half of it is used (in
 * either ratchet), and again after the next save.
 */
TEST_F(res, reserve_low_once_at_half)
{
	struct pair *p = &self->p;
	struct mls_events *h;
	unsigned int i, half = (self->w + 1) / 2;
	__u64 epoch = 99;
	int r = mls_events_open(0, &h);

	if (r == -EPERM || r == -ENOENT)
		SKIP(return, "no events: %s", strerror(-r));
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, save(p->b, &self->s));
	for (i = 0; i + 1 < half; i++)
		ASSERT_EQ(0, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(0, count_low(h, p->b_id, NULL));
	ASSERT_EQ(0, enc_text(p->b, "half", &self->m));
	EXPECT_EQ(1, count_low(h, p->b_id, &epoch));
	EXPECT_EQ(0, epoch);
	for (; i + 1 < self->w; i++)
		ASSERT_EQ(0, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(0, count_low(h, p->b_id, NULL));
	/* A new reservation: w more, low again at half of them. */
	ASSERT_EQ(0, save(p->b, &self->s));
	for (i = 0; i < half; i++)
		ASSERT_EQ(0, enc_text(p->b, "y", &self->m));
	EXPECT_EQ(1, count_low(h, p->b_id, NULL));
	/* The handshake ratchet reports its own half. */
	for (i = 0; i < half; i++)
		ASSERT_EQ(0, enc_commit(p->b, &self->m));
	EXPECT_EQ(1, count_low(h, p->b_id, NULL));
	mls_events_close(h);
}

/*
 * A commit's new epoch has no reservation: the group sends in it once a
 * snapshot of it is saved; the old epoch's export is stale for it.
 */
TEST_F(res, new_epoch_needs_a_save)
{
	struct pair *p = &self->p;
	struct snap old = {};

	ASSERT_EQ(0, save(p->b, &old));
	ASSERT_EQ(0, enc_text(p->b, "epoch 0", &self->m));
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "epoch 1", &self->m));
	EXPECT_EQ(-ENOBUFS, enc_commit(p->b, &self->m));
	/* Exported in epoch 0: nothing for epoch 1. */
	EXPECT_EQ(-ESTALE, saved_ioc(p->b, 0, 0, self->s.seq));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "epoch 1", &self->m));
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "epoch 1", &self->m));
	EXPECT_EQ(1, self->m.epoch);
	EXPECT_EQ(0, self->m.gen);
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
	snap_free(&old);
}

/*
 * Saved with w reserved, k sent (some after the export), destroyed,
 * imported with RESUME: nothing sent until the next save, then on from
 * generation w in both ratchets, and the peer reads it. Every
 * (epoch, ratchet, generation) left once.
 */
TEST_F(res, resume_after_the_reserved_window)
{
	struct pair *p = &self->p;
	struct msg *m = calloc(16, sizeof(*m));
	int n = 0, i, j, fd;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "before", &m[n++]));
	ASSERT_EQ(0, enc_text(p->b, "before", &m[n++]));
	ASSERT_EQ(0, dec_msg(p->a, &m[0], &self->d));
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	ASSERT_EQ(0, saved_ioc(p->b, 0, 0, self->s.seq));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, enc_text(p->b, "after export", &m[n++]));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	fd = snap_import_flags(p->ctl, &self->s, MLS_IMPORT_F_RESUME);
	p->b = fd;
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	/* The import reserved nothing new. */
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "at once", &m[n]));
	ASSERT_EQ(0, save(p->b, &self->s));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, enc_text(p->b, "resumed", &m[n]));
		/* Reserved at the second export: 2 + w. */
		EXPECT_EQ(2 + self->w + i, m[n].gen);
		EXPECT_EQ(0, dec_msg(p->a, &m[n], &self->d));
		n++;
	}
	ASSERT_EQ(0, enc_commit(p->b, &self->m));
	EXPECT_EQ(self->w, self->m.gen);
	/* It still receives. */
	ASSERT_EQ(0, save(p->a, &self->s));
	ASSERT_EQ(0, enc_text(p->a, "to b", &self->m));
	EXPECT_EQ(0, dec_msg(p->b, &self->m, &self->d));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			EXPECT_FALSE(m[i].epoch == m[j].epoch && m[i].gen == m[j].gen)
				TH_LOG("(%llu, %u) sent twice",
				       (unsigned long long)m[i].epoch, m[i].gen);
	free(m);
}

/*
 * Within one load, a snapshot older than the newest one saved may not
 * resume sending, even once the group that saved it is gone: its
 * window lies below generations already sent. It may still come back
 * receive-only; the newest saved one resumes.
 */
TEST_F(res, older_than_saved_does_not_resume)
{
	struct pair *p = &self->p;
	struct snap old = { 0 };
	int fd;

	ASSERT_EQ(0, save(p->b, &old));
	ASSERT_EQ(0, enc_text(p->b, "under the first window", &self->m));
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_LT(old.seq, self->s.seq);
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = -1;
	EXPECT_EQ(-ESTALE, snap_import_flags(p->ctl, &old, MLS_IMPORT_F_RESUME));
	fd = snap_import_flags(p->ctl, &self->s, MLS_IMPORT_F_RESUME);
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	p->b = fd;
	/* Resumed: it sends once its next snapshot is saved. */
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "resumed", &self->m));
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
	snap_free(&old);
}

/*
 * Without RESUME a persistent snapshot comes back receive-only, as any:
 * the epoch of a received commit does not send, that of its own commit
 * with a fresh path does once saved.
 */
TEST_F(res, import_without_resume_is_receive_only)
{
	struct pair *p = &self->p;
	int fd;

	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "before", &self->m));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	fd = snap_import_flags(p->ctl, &self->s, 0);
	p->b = fd;
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ESTALE, enc_text(p->b, "restored", &self->m));
	/* The flag is kept: a save does not give the restored epoch back. */
	ASSERT_EQ(0, save(p->b, &self->s));
	EXPECT_EQ(-ESTALE, enc_text(p->b, "restored", &self->m));
	/* Saved receive-only, resumed: still receive-only in that epoch. */
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	fd = snap_import_flags(p->ctl, &self->s, MLS_IMPORT_F_RESUME);
	p->b = fd;
	ASSERT_LE(0, fd) TH_LOG("import: %s", strerror(-fd));
	EXPECT_EQ(-ESTALE, enc_text(p->b, "restored", &self->m));
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(-EROFS, enc_text(p->b, "epoch 1", &self->m));
	ASSERT_EQ(0, pair_commit_own(p, p->b));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "epoch 2", &self->m));
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "epoch 2", &self->m));
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
}

/* Batch encrypt stops at the reservation too, each entry its errno. */
TEST_F(res, batch_stops_at_the_limit)
{
	struct pair *p = &self->p;
	unsigned int i, ok = 0, nobufs = 0;
	struct mls_encrypt_entry e[8];
	struct mls_batch b;
	static uint8_t out[8][512];
	uint8_t sig[SIG_MAX];
	size_t sig_len = stand_in_sig(1, sig);

	ASSERT_EQ(0, save(p->b, &self->s));
	for (i = 0; i + 4 < self->w; i++)
		ASSERT_EQ(0, enc_text(p->b, "x", &self->m));
	memset(e, 0, sizeof(e));
	for (i = 0; i < 8; i++)
		enc_init(&e[i].op, MLS_CONTENT_APPLICATION, NULL, 0, "batch", 5,
			 sig, sig_len, out[i], sizeof(out[i]));
	memset(&b, 0, sizeof(b));
	b.entries = U64(e);
	b.count = 8;
	b.entry_size = sizeof(e[0]);
	ASSERT_EQ(8, xioctl(p->b, MLS_IOC_ENCRYPT_BATCH, &b));
	EXPECT_EQ(8, b.done);
	for (i = 0; i < 8; i++) {
		if (!e[i].error) {
			EXPECT_GT(self->w, e[i].op.generation);
			ok++;
		} else {
			EXPECT_EQ(-ENOBUFS, e[i].error);
			nobufs++;
		}
	}
	EXPECT_EQ(4, ok);
	EXPECT_EQ(4, nobufs);
}

/* Bad arguments of MLS_IOC_GROUP_SAVED and of the import flags. */
TEST_F(res, bad_arguments)
{
	struct pair *p = &self->p;
	struct snap s2 = {};
	int fd;

	ASSERT_EQ(0, snap_export(p->b, &self->s));
	EXPECT_EQ(-EINVAL, saved_ioc(p->b, 1, 0, self->s.seq));
	EXPECT_EQ(-EINVAL, saved_ioc(p->b, 0x80000000u, 0, self->s.seq));
	EXPECT_EQ(-EINVAL, saved_ioc(p->b, 0, 1, self->s.seq));
	EXPECT_EQ(-EINVAL, saved_ioc(p->b, 0, 0, 0));
	EXPECT_EQ(-EINVAL, saved_ioc(p->b, 0, 0, self->s.seq + 1));
	EXPECT_EQ(-EFAULT, ioctl(p->b, MLS_IOC_GROUP_SAVED, (void *)BAD_ADDR) ? -errno : 0);
	/* On /dev/mls it is no ioctl. */
	EXPECT_EQ(-ENOTTY, saved_ioc(p->ctl, 0, 0, self->s.seq));
	/* Still nothing in force. */
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	/* An older export than the last one: stale, nothing moves. */
	ASSERT_EQ(0, snap_export(p->b, &s2));
	EXPECT_EQ(-ESTALE, saved_ioc(p->b, 0, 0, self->s.seq));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(0, saved_ioc(p->b, 0, 0, s2.seq));
	EXPECT_EQ(0, enc_text(p->b, "x", &self->m));
	/* An export that did not reach the caller (too small) cannot be saved. */
	{
		struct mls_group_export ex;
		uint8_t small[16];

		memset(&ex, 0, sizeof(ex));
		mbuf(&ex.snapshot, small, sizeof(small));
		EXPECT_EQ(-ENOSPC, xioctl(p->b, MLS_IOC_GROUP_EXPORT, &ex));
		EXPECT_EQ(s2.seq + 1, ex.seq);
		EXPECT_EQ(-ESTALE, saved_ioc(p->b, 0, 0, ex.seq));
	}
	/* Unknown import flags. */
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = -1;
	EXPECT_EQ(-EINVAL, snap_import_flags(p->ctl, &s2, 4));
	EXPECT_EQ(-EINVAL, snap_import_flags(p->ctl, &s2, MLS_IMPORT_F_RESUME |
					     MLS_IMPORT_F_RECEIVE_ONLY));
	EXPECT_EQ(-EINVAL, snap_import_flags(p->ctl, &s2, 0x80000000u));
	fd = snap_import_flags(p->ctl, &s2, MLS_IMPORT_F_RESUME);
	ASSERT_LE(0, fd);
	p->b = fd;
	snap_free(&s2);
}

struct saved_arg {
	int fd;		/* root's group, inherited */
	__u64 seq;
};

static int nobody_saved(void *p)
{
	struct saved_arg *a = p;

	return saved_ioc(a->fd, 0, 0, a->seq);
}

/* Only the owner (or CAP_SYS_ADMIN) says a snapshot is saved. */
TEST_F(res, other_users_group)
{
	struct pair *p = &self->p;

	if (!in_vm())
		SKIP(return, "needs root in the test VM");
	struct saved_arg a;

	ASSERT_EQ(0, snap_export(p->b, &self->s));
	a.fd = p->b;
	a.seq = self->s.seq;
	EXPECT_EQ(-EPERM, as_nobody(nobody_saved, &a));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(0, saved_ioc(p->b, 0, 0, self->s.seq));
}

/* A persistent group made by JOIN is limited as one made by CREATE. */
TEST(join_persistent)
{
	struct grp_inputs in;
	struct mls_group_new n;
	struct msg m;
	struct snap s = {};
	uint8_t joiner[MLS_MAX_HASH_LEN];
	int ctl = ctl_open(), fd;

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, fresh_logon_key());
	inputs_random(&in, 1);
	rand_bytes(joiner, 32);
	new_join(&n, &in, joiner, 1, 2, NULL, 0, MLS_GROUP_F_PERSISTENT);
	fd = grp_join(ctl, &n);
	ASSERT_LE(0, fd) TH_LOG("join: %s", strerror(-fd));
	EXPECT_EQ(-ENOBUFS, enc_text(fd, "x", &m));
	ASSERT_EQ(0, save(fd, &s));
	EXPECT_EQ(0, enc_text(fd, "x", &m));
	grp_destroy(fd);
	close(fd);
	close(ctl);
	snap_free(&s);
}

/* Write persist_reserve: 0 or -errno. */
static int set_reserve(long long v)
{
	char buf[32];
	int fd = open("/sys/module/mls/parameters/persist_reserve",
		      O_WRONLY | O_CLOEXEC), n, r = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lld", v);
	if (write(fd, buf, n) != n)
		r = -errno;
	close(fd);
	return r;
}

/*
 * Each export reserves what persist_reserve says when it runs; a value
 * out of 1..65536 written at run time is clamped (0 reserves one).
 */
TEST_F(res, window_follows_the_parameter)
{
	struct pair *p = &self->p;
	unsigned int i;

	if (!in_vm())
		SKIP(return, "needs root in the test VM");
	ASSERT_EQ(0, set_reserve(4));
	ASSERT_EQ(0, save(p->b, &self->s));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	ASSERT_EQ(0, set_reserve(0));
	ASSERT_EQ(0, save(p->b, &self->s));
	EXPECT_EQ(0, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(4, self->m.gen);
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	ASSERT_EQ(0, set_reserve(self->w));
	EXPECT_EQ(self->w, (unsigned int)mod_param("persist_reserve"));
}

struct enc_race {
	int fd;
	unsigned int n;
	__u32 gens[1024];
	int err;
};

static void *race_encrypt(void *arg)
{
	struct enc_race *r = arg;
	struct msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return NULL;
	for (;;) {
		ret = enc_text(r->fd, "race", m);
		if (ret) {
			r->err = ret;
			break;
		}
		if (r->n < ARRAY_SIZE(r->gens))
			r->gens[r->n] = m->gen;
		r->n++;
	}
	free(m);
	return NULL;
}

/*
 * Two threads encrypt on one persistent group until it runs out: together
 * they get exactly the w reserved generations, each once, and then
 * -ENOBUFS.
 */
TEST_F(res, two_threads_never_exceed_nor_reuse)
{
	struct enc_race *r = calloc(2, sizeof(*r));
	static uint8_t seen[65536];
	pthread_t t[2];
	unsigned int i, k;

	ASSERT_NE(NULL, r);
	ASSERT_GE(1024, self->w);
	ASSERT_EQ(0, save(self->p.b, &self->s));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 2; i++) {
		r[i].fd = self->p.b;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_encrypt, &r[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(self->w, r[0].n + r[1].n);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(-ENOBUFS, r[i].err);
		for (k = 0; k < r[i].n && k < ARRAY_SIZE(r[i].gens); k++) {
			ASSERT_GT(self->w, r[i].gens[k]);
			EXPECT_EQ(0, seen[r[i].gens[k]]);
			seen[r[i].gens[k]] = 1;
		}
	}
	free(r);
}

/* libmls: mls_group_saved() and mls_group_import2(), errno untouched. */
TEST_F(res, libmls_wrappers)
{
	struct pair *p = &self->p;
	struct mls_bytes snap = { 0 };
	uint64_t seq = 0;
	uint32_t id = 0;
	int fd;

	errno = 4321;
	ASSERT_EQ(0, mls_group_export(p->b, &snap, &seq, NULL));
	EXPECT_EQ(-EINVAL, mls_group_saved(p->b, seq + 5));
	EXPECT_EQ(-EBADF, mls_group_saved(-1, seq));
	EXPECT_EQ(4321, errno);
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "x", &self->m));
	ASSERT_EQ(0, mls_group_saved(p->b, seq));
	EXPECT_EQ(0, enc_text(p->b, "x", &self->m));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = -1;
	errno = 1234;
	EXPECT_EQ(-EINVAL, mls_group_import2(p->ctl, snap.data, snap.len, 4, &id));
	fd = mls_group_import2(p->ctl, snap.data, snap.len, MLS_IMPORT_F_RESUME, &id);
	ASSERT_LE(0, fd);
	p->b = fd;
	EXPECT_EQ(p->b_id, id);
	EXPECT_EQ(1234, errno);
	mls_bytes_free(&snap);
	ASSERT_EQ(0, mls_group_export(p->b, &snap, &seq, NULL));
	ASSERT_EQ(0, mls_group_saved(p->b, seq));
	/* Exported before the message at 0: resumed at w. */
	ASSERT_EQ(0, enc_text(p->b, "x", &self->m));
	EXPECT_EQ(self->w, self->m.gen);
	mls_bytes_free(&snap);
}

/* ------------------------------------------- the reservation, as shown */

/* One group's MLS_A_RESERVE, as the dump has it. */
struct rsv {
	bool found;	/* the group is in the dump */
	bool nest;	/* with MLS_A_RESERVE */
	__u64 epoch, saved_seq, next[2], limit[2];
	int saved, low;
	__u32 kid;
};

static int rsv_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MLS_A_MAX + 1], *rt[MLS_RESERVE_A_MAX + 1];
	struct rsv *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MLS_A_MAX, NULL) ||
	    !tb[MLS_A_GROUP_KID] || nla_get_u32(tb[MLS_A_GROUP_KID]) != r->kid)
		return NL_OK;
	r->found = true;
	if (!tb[MLS_A_RESERVE])
		return NL_OK;
	if (nla_parse_nested(rt, MLS_RESERVE_A_MAX, tb[MLS_A_RESERVE], NULL))
		return NL_OK;
	r->nest = rt[MLS_RESERVE_A_EPOCH] && rt[MLS_RESERVE_A_SAVED] &&
		  rt[MLS_RESERVE_A_SAVED_SEQ] && rt[MLS_RESERVE_A_LOW] &&
		  rt[MLS_RESERVE_A_HANDSHAKE_NEXT] &&
		  rt[MLS_RESERVE_A_HANDSHAKE_LIMIT] &&
		  rt[MLS_RESERVE_A_APPLICATION_NEXT] &&
		  rt[MLS_RESERVE_A_APPLICATION_LIMIT];
	if (!r->nest)
		return NL_OK;
	r->epoch = nla_get_u64(rt[MLS_RESERVE_A_EPOCH]);
	r->saved = nla_get_u8(rt[MLS_RESERVE_A_SAVED]);
	r->saved_seq = nla_get_u64(rt[MLS_RESERVE_A_SAVED_SEQ]);
	r->low = nla_get_u8(rt[MLS_RESERVE_A_LOW]);
	r->next[0] = nla_get_u64(rt[MLS_RESERVE_A_HANDSHAKE_NEXT]);
	r->limit[0] = nla_get_u64(rt[MLS_RESERVE_A_HANDSHAKE_LIMIT]);
	r->next[1] = nla_get_u64(rt[MLS_RESERVE_A_APPLICATION_NEXT]);
	r->limit[1] = nla_get_u64(rt[MLS_RESERVE_A_APPLICATION_LIMIT]);
	return NL_OK;
}

/* Group @kid's reservation from a MLS_CMD_GET_GROUP dump: 0 or -errno. */
static int rsv_dump(__u32 kid, struct rsv *r)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int fam, ret = -ENOMEM;

	memset(r, 0, sizeof(*r));
	r->kid = kid;
	if (!sk)
		return -ENOMEM;
	ret = -EIO;
	if (genl_connect(sk))
		goto out;
	fam = genl_ctrl_resolve(sk, MLS_GENL_NAME);
	if (fam < 0)
		goto out;
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, NLM_F_DUMP,
			 MLS_CMD_GET_GROUP, MLS_GENL_VERSION))
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, rsv_cb, r);
	if (nl_send_auto(sk, msg) < 0 || nl_recvmsgs_default(sk) < 0)
		goto out;
	ret = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

/* A line of /sys/kernel/mls/groups/<kid>/<name> into @buf: 0 or -errno. */
static int rsv_sysfs(__u32 kid, const char *name, char *buf, size_t cap)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%u/%s", kid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/*
 * The dump's MLS_A_RESERVE follows the reservation: nothing saved, then
 * saved with w reserved, low at half, none in a new epoch; and a group
 * that is not persistent has no nest.
 */
TEST_F(res, dump_shows_the_reservation)
{
	struct pair *p = &self->p;
	struct pair np;
	struct rsv r;
	unsigned int i;

	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	ASSERT_TRUE(r.found);
	ASSERT_TRUE(r.nest);
	EXPECT_EQ(0, r.epoch);
	EXPECT_EQ(0, r.saved);
	EXPECT_EQ(0, r.saved_seq);
	EXPECT_EQ(1, r.low);
	EXPECT_EQ(0, r.next[1]);
	EXPECT_EQ(0, r.limit[1]);
	/* Exported only: not in force yet. */
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	EXPECT_EQ(0, r.saved);
	EXPECT_EQ(0, r.limit[1]);
	ASSERT_EQ(0, saved_ioc(p->b, 0, 0, self->s.seq));
	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	EXPECT_EQ(1, r.saved);
	EXPECT_EQ(self->s.seq, r.saved_seq);
	EXPECT_EQ(0, r.low);
	EXPECT_EQ(self->w, r.limit[0]);
	EXPECT_EQ(self->w, r.limit[1]);
	for (i = 0; i + 1 < (self->w + 1) / 2; i++)
		ASSERT_EQ(0, enc_text(p->b, "x", &self->m));
	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	EXPECT_EQ(i, r.next[1]);
	EXPECT_EQ(0, r.next[0]);
	EXPECT_EQ(0, r.low);
	ASSERT_EQ(0, enc_text(p->b, "half", &self->m));
	/* Low, and it stays low whoever read the event. */
	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	EXPECT_EQ(1, r.low);
	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	EXPECT_EQ(1, r.low);
	/* A new epoch: nothing saved for it. */
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, rsv_dump(p->b_id, &r));
	EXPECT_EQ(1, r.epoch);
	EXPECT_EQ(0, r.saved);
	EXPECT_EQ(1, r.low);
	EXPECT_EQ(self->s.seq, r.saved_seq);

	ASSERT_EQ(0, pair_make_flags(&np, 1, MLS_GROUP_F_EPHEMERAL));
	ASSERT_EQ(0, rsv_dump(np.b_id, &r));
	EXPECT_TRUE(r.found);
	EXPECT_FALSE(r.nest);
	pair_close(&np);
}

/* The reserve_* files of a persistent group's sysfs directory. */
TEST(sysfs_shows_the_reservation)
{
	int was = group_sysfs();
	unsigned int w = reserve_window();
	struct pair p, np;
	struct snap s = {};
	struct msg m;
	char buf[64], want[64];

	if (was < 0)
		SKIP(return, "no group_sysfs parameter");
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, set_group_sysfs(true));
	ASSERT_EQ(0, pair_make_flags(&p, 1, MLS_GROUP_F_PERSISTENT |
					       MLS_GROUP_F_EPHEMERAL));
	ASSERT_EQ(0, pair_make_flags(&np, 1, MLS_GROUP_F_EPHEMERAL));
	set_group_sysfs(was);

	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_saved", buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_low", buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_application", buf, sizeof(buf)));
	EXPECT_STREQ("0 0\n", buf);
	ASSERT_EQ(0, save(p.b, &s));
	ASSERT_EQ(0, enc_text(p.b, "x", &m));
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_saved", buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_saved_seq", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%llu\n", (unsigned long long)s.seq);
	EXPECT_STREQ(want, buf);
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_low", buf, sizeof(buf)));
	EXPECT_STREQ(w > 2 ? "0\n" : "1\n", buf);
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_application", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "1 %u\n", w);
	EXPECT_STREQ(want, buf);
	ASSERT_EQ(0, rsv_sysfs(p.b_id, "reserve_handshake", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "0 %u\n", w);
	EXPECT_STREQ(want, buf);
	/* Not written to, and absent for a group that is not persistent. */
	snprintf(want, sizeof(want), "/sys/kernel/mls/groups/%u/reserve_low",
		 p.b_id);
	EXPECT_EQ(-1, open(want, O_WRONLY | O_CLOEXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-ENOENT, rsv_sysfs(np.b_id, "reserve_low", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, rsv_sysfs(np.b_id, "reserve_saved", buf, sizeof(buf)));
	ASSERT_EQ(0, rsv_sysfs(np.b_id, "flags", buf, sizeof(buf)));
	pair_close(&np);
	pair_close(&p);
	snap_free(&s);
}

/* ------------------------------------- what an import made of its flags */

/* Import @s with @flags into a group fd; @result gets MLS_IMPORT_R_*. */
static int import_result(int ctl, const struct snap *s, __u32 flags,
			 __u32 *result)
{
	struct mls_group_import a;
	int r;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.result = 0xdead;	/* (out): whatever is there is overwritten */
	mbuf(&a.snapshot, s->buf, s->len);
	r = xioctl(ctl, MLS_IOC_GROUP_IMPORT, &a);
	*result = a.result;
	return r;
}

/* RESUME says whether it took effect; the arguments it refuses. */
TEST_F(res, import_reports_resume)
{
	struct pair *p = &self->p;
	struct mls_group_import a;
	__u32 result = 0;

	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = -1;
	/* RESUME with RECEIVE_ONLY, or reserved set: nothing imported. */
	EXPECT_EQ(-EINVAL, import_result(p->ctl, &self->s, MLS_IMPORT_F_RESUME |
					 MLS_IMPORT_F_RECEIVE_ONLY, &result));
	memset(&a, 0, sizeof(a));
	a.reserved = 1;
	mbuf(&a.snapshot, self->s.buf, self->s.len);
	EXPECT_EQ(-EINVAL, xioctl(p->ctl, MLS_IOC_GROUP_IMPORT, &a));
	EXPECT_EQ(-EINVAL, import_result(p->ctl, &self->s, 1U << 2, &result));
	/* The first struct (40 bytes) still imports; nothing past it written. */
	{
		uint8_t old[48];

		memset(&a, 0, sizeof(a));
		a.flags = MLS_IMPORT_F_RESUME;
		mbuf(&a.snapshot, self->s.buf, self->s.len);
		memcpy(old, &a, MLS_GROUP_IMPORT_SIZE_VER0);
		memset(old + MLS_GROUP_IMPORT_SIZE_VER0, 0xa5,
		       sizeof(old) - MLS_GROUP_IMPORT_SIZE_VER0);
		p->b = xioctl(p->ctl, _IOWR(MLS_IOC_MAGIC, 0x15, uint8_t[40]), old);
		ASSERT_LE(0, p->b);
		EXPECT_EQ(0xa5, old[MLS_GROUP_IMPORT_SIZE_VER0]);
		EXPECT_EQ(0xa5, old[sizeof(old) - 1]);
	}
	/* Resumed: it sends once saved. The full struct says so. */
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "resumed", &self->m));
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = import_result(p->ctl, &self->s, MLS_IMPORT_F_RESUME, &result);
	ASSERT_LE(0, p->b);
	EXPECT_EQ(MLS_IMPORT_R_RESUMED, result);
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "resumed", &self->m));
	/* A snapshot of a group restored receive-only does not resume. */
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = import_result(p->ctl, &self->s, 0, &result);
	ASSERT_LE(0, p->b);
	EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, result);
	ASSERT_EQ(0, snap_export(p->b, &self->s));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = import_result(p->ctl, &self->s, MLS_IMPORT_F_RESUME, &result);
	ASSERT_LE(0, p->b);
	EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, result);
	EXPECT_EQ(-ESTALE, enc_text(p->b, "x", &self->m));
}

/* A group that is not persistent: RESUME has no effect, and says so. */
TEST(import_reports_no_resume_when_not_persistent)
{
	struct pair p;
	struct snap s = {};
	__u32 result = 0;

	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&p, 1, 0));
	ASSERT_EQ(0, snap_export(p.b, &s));
	ASSERT_EQ(0, grp_destroy(p.b));
	close(p.b);
	p.b = import_result(p.ctl, &s, MLS_IMPORT_F_RESUME, &result);
	ASSERT_LE(0, p.b);
	EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, result);
	grp_destroy(p.a);
	grp_destroy(p.b);
	pair_close(&p);
	snap_free(&s);
}

/*
 * MLS_IMPORT_F_RECEIVE_ONLY (a snapshot that cannot be shown newest):
 * encrypt is -EROFS in both ratchets, decrypt works; after the peer's
 * commit it still does not send, after its own commit with a fresh path
 * (MLS_COMMIT_F_OWN_PATH) it does, once saved; the peer reads it.
 * Through libmls: mls_group_import3().
 */
TEST_F(res, receive_only_until_commit)
{
	struct pair *p = &self->p;
	struct mls_bytes snap = { 0 };
	struct msg from_a;
	uint64_t seq;
	__u32 result = 0, id = 0;

	ASSERT_EQ(0, save(p->a, &self->s));
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, mls_group_export(p->b, &snap, &seq, NULL));
	ASSERT_EQ(0, mls_group_saved(p->b, seq));
	ASSERT_EQ(0, enc_text(p->b, "before", &self->m));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	p->b = -1;
	errno = 77;
	EXPECT_EQ(-EINVAL, mls_group_import3(p->ctl, snap.data, snap.len,
					     MLS_IMPORT_F_RESUME |
					     MLS_IMPORT_F_RECEIVE_ONLY, &id, &result));
	p->b = mls_group_import3(p->ctl, snap.data, snap.len,
				 MLS_IMPORT_F_RECEIVE_ONLY, &id, &result);
	ASSERT_LE(0, p->b);
	EXPECT_EQ(77, errno);
	EXPECT_EQ(p->b_id, id);
	EXPECT_EQ(MLS_IMPORT_R_RECEIVE_ONLY, result);
	EXPECT_EQ(-EROFS, enc_text(p->b, "read only", &self->m));
	EXPECT_EQ(-EROFS, enc_commit(p->b, &self->m));
	/* A save changes nothing in this epoch. */
	ASSERT_EQ(0, save(p->b, &self->s));
	EXPECT_EQ(-EROFS, enc_text(p->b, "read only", &self->m));
	/* It receives. */
	ASSERT_EQ(0, enc_text(p->a, "to b", &from_a));
	EXPECT_EQ(0, dec_msg(p->b, &from_a, &self->d));
	/*
	 * a's commit: a lost newer copy of b may have merged it too and
	 * sent with its secrets, so b still does not send, saved or not.
	 */
	ASSERT_EQ(0, pair_commit(p));
	EXPECT_EQ(-EROFS, enc_text(p->b, "same secrets", &self->m));
	ASSERT_EQ(0, save(p->b, &self->s));
	EXPECT_EQ(-EROFS, enc_text(p->b, "same secrets", &self->m));
	EXPECT_EQ(-EROFS, enc_commit(p->b, &self->m));
	/* b's own commit with a fresh path: saved, it sends, a reads it. */
	ASSERT_EQ(0, pair_commit_own(p, p->b));
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "unsaved", &self->m));
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "after commit", &self->m));
	EXPECT_EQ(2, self->m.epoch);
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
	mls_bytes_free(&snap);
}

TEST_HARNESS_MAIN
