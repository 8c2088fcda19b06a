// SPDX-License-Identifier: GPL-2.0
/*
 * The receive-save policy of persistent groups (MLS_POLICY_RECV_SAVE):
 * after N decrypts that no saved snapshot holds, MLS_CMD_RESERVE_LOW
 * asks for an export; in strict mode the next decrypt, single or in a
 * batch, is refused with -ENOBUFS until MLS_IOC_GROUP_SAVED, so that a
 * restore of the newest saved snapshot decrypts at most N messages a
 * second time. The policy travels in the snapshot (format version 2,
 * written only while the policy is set); a version 1 snapshot, which
 * export writes with the policy off, imports with the policy off.
 *
 * Member A sends (its own reservation saved), member B receives.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/keyctl.h>
#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "libmls.h"
#include "persist_util.h"
#include "snap_fuzz.h"
#include "snap_seal.h"

#define NMSG		64

/* struct mls_set_policy as a program built against the first header. */
#define SET_POLICY_VER0 _IOC(_IOC_WRITE, MLS_IOC_MAGIC, 0x27, MLS_SET_POLICY_SIZE_VER0)
#define GROUP_INFO_VER0 _IOC(_IOC_READ | _IOC_WRITE, MLS_IOC_MAGIC, 0x25, \
			     MLS_GROUP_INFO_SIZE_VER0)

static int set_recv_save(int fd, __u32 n, __u32 flags)
{
	struct mls_set_policy sp = {
		.mask = MLS_POLICY_RECV_SAVE,
		.recv_save = n,
		.recv_save_flags = flags,
	};

	return xioctl(fd, MLS_IOC_SET_POLICY, &sp);
}

/* The group's recv_save, its flags and its unsaved decrypts; 0 or -errno. */
static int recv_info(int fd, __u32 *n, __u32 *flags, __u64 *unsaved)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_info info;
	int r = grp_info(fd, &info, gid, sizeof(gid));

	if (r)
		return r;
	if (n)
		*n = info.recv_save;
	if (flags)
		*flags = info.recv_save_flags;
	if (unsaved)
		*unsaved = info.recv_unsaved;
	return 0;
}

static __u64 unsaved_of(int fd)
{
	__u64 u = ~0ULL;

	return recv_info(fd, NULL, NULL, &u) ? ~0ULL : u;
}

/* Count the reserve_low events about @kid queued on @h. */
static int count_events(struct mls_events *h, __u32 kid)
{
	struct mls_event ev;
	int n = 0;

	while (!mls_events_next(h, &ev, 0))
		if (ev.type == MLS_CMD_RESERVE_LOW && ev.group_kid == kid)
			n++;
	return n;
}

FIXTURE(rs) {
	struct pair p;
	struct snap s;
	struct msg *m;		/* NMSG messages of A, generations 0.. */
	struct dec d;
};

FIXTURE_SETUP(rs)
{
	struct snap tmp = {};
	unsigned int i;

	memset(&self->s, 0, sizeof(self->s));
	self->m = calloc(NMSG, sizeof(*self->m));
	ASSERT_NE(NULL, self->m);
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&self->p, 1, MLS_GROUP_F_PERSISTENT));
	/* A sends within a saved reservation; B starts saved. */
	ASSERT_EQ(0, save(self->p.a, &tmp));
	snap_free(&tmp);
	for (i = 0; i < NMSG; i++)
		ASSERT_EQ(0, enc_text(self->p.a, "m", &self->m[i]));
	ASSERT_EQ(0, grp_policy1(self->p.b, MLS_POLICY_OUT_OF_ORDER, 1024));
	ASSERT_EQ(0, save(self->p.b, &self->s));
}

FIXTURE_TEARDOWN(rs)
{
	pair_destroy(&self->p);
	snap_free(&self->s);
	free(self->m);
}

static int dec_i(FIXTURE_DATA(rs) *self, int fd, unsigned int i)
{
	return dec_msg(fd, &self->m[i], &self->d);
}

/* Off by default; set, reported by GROUP_INFO, and turned off again. */
TEST_F(rs, default_off_and_reported)
{
	__u32 n = 1, flags = 1;
	__u64 u = 99;
	unsigned int i;

	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, &u));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, flags);
	EXPECT_EQ(0, u);
	/* Counted even while off: turning it on later is exact. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(3, unsaved_of(self->p.b));
	ASSERT_EQ(0, set_recv_save(self->p.b, 7, MLS_RECV_SAVE_F_STRICT));
	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, NULL));
	EXPECT_EQ(7, n);
	EXPECT_EQ(MLS_RECV_SAVE_F_STRICT, flags);
	ASSERT_EQ(0, set_recv_save(self->p.b, 0, 0));
	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, NULL));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, flags);
}

/*
 * libmls reads the same from the netlink group dump and do
 * (mls_group_status.recv_save, recv_save_flags, recv_unsaved), each
 * with its MLS_HAS() bit.
 */
TEST_F(rs, libmls_status_reports)
{
	const uint64_t bits = MLS_HAS(MLS_A_RECV_SAVE) |
			      MLS_HAS(MLS_A_RECV_SAVE_FLAGS) |
			      MLS_HAS(MLS_A_RECV_UNSAVED);
	struct mls_group_status st, *g = NULL;
	size_t n = 0, i, found = 0;
	unsigned int k;

	ASSERT_EQ(0, set_recv_save(self->p.b, 9, MLS_RECV_SAVE_F_STRICT));
	for (k = 0; k < 4; k++)
		ASSERT_EQ(0, dec_i(self, self->p.b, k));
	ASSERT_EQ(0, mls_group_get_status(self->p.b_id, &st));
	EXPECT_EQ(bits, st.present & bits);
	EXPECT_EQ(9, st.recv_save);
	EXPECT_EQ(MLS_RECV_SAVE_F_STRICT, st.recv_save_flags);
	EXPECT_EQ(4, st.recv_unsaved);
	ASSERT_EQ(0, mls_groups_dump(&g, &n));
	for (i = 0; i < n; i++) {
		if (g[i].kid == self->p.b_id) {
			found++;
			EXPECT_EQ(bits, g[i].present & bits);
			EXPECT_EQ(9, g[i].recv_save);
			EXPECT_EQ(MLS_RECV_SAVE_F_STRICT, g[i].recv_save_flags);
			EXPECT_EQ(4, g[i].recv_unsaved);
		} else if (g[i].kid == self->p.a_id) {
			found++;
			EXPECT_EQ(bits, g[i].present & bits);
			EXPECT_EQ(0, g[i].recv_save);
			EXPECT_EQ(0, g[i].recv_save_flags);
			EXPECT_EQ(0, g[i].recv_unsaved);
		}
	}
	EXPECT_EQ(2, found);
	free(g);
}

TEST_F(rs, bad_inputs)
{
	struct mls_set_policy sp = { .mask = MLS_POLICY_RECV_SAVE, .recv_save = 5 };
	struct {
		struct mls_set_policy sp;
		__u64 tail;
	} big = { .sp = sp, .tail = 1 };
	__u32 n = 0, flags = 0;
	__u32 id;
	int fd;

	EXPECT_EQ(-EINVAL, set_recv_save(self->p.b, 5, 1U << 1));
	EXPECT_EQ(-EINVAL, set_recv_save(self->p.b, 5, ~0U));
	/* Flags without N. */
	EXPECT_EQ(-EINVAL, set_recv_save(self->p.b, 0, MLS_RECV_SAVE_F_STRICT));
	/* An unknown mask bit, policy flags. */
	sp.mask = MLS_POLICY_ALL + 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.b, MLS_IOC_SET_POLICY, &sp));
	sp.mask = MLS_POLICY_RECV_SAVE;
	sp.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->p.b, MLS_IOC_SET_POLICY, &sp));
	sp.flags = 0;
	/* Nothing of those took. */
	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, NULL));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, flags);
	/* A bad pointer; a larger struct with a non-zero tail. */
	EXPECT_EQ(-EFAULT, ioctl(self->p.b, MLS_IOC_SET_POLICY, (void *)BAD_ADDR) ? -errno : 0);
	EXPECT_EQ(-E2BIG, xioctl(self->p.b, _IOC(_IOC_WRITE, MLS_IOC_MAGIC, 0x27,
						  sizeof(big)), &big));
	big.tail = 0;
	EXPECT_EQ(0, xioctl(self->p.b, _IOC(_IOC_WRITE, MLS_IOC_MAGIC, 0x27,
					     sizeof(big)), &big));
	ASSERT_EQ(0, recv_info(self->p.b, &n, NULL, NULL));
	EXPECT_EQ(5, n);
	/*
	 * The old size: the first policy fields set as before; its
	 * MLS_POLICY_ALL (0x7f) leaves recv_save alone, RECV_SAVE with it
	 * reads zeros and turns it off.
	 */
	sp.mask = 0x7f;
	sp.policy.out_of_order = 10;
	sp.policy.max_forward = 100;
	sp.policy.epochs_kept = 1;
	sp.policy.epoch_max_age_ms = 1000;
	sp.policy.commit_timeout_ms = 1000;
	EXPECT_EQ(0, xioctl(self->p.b, SET_POLICY_VER0, &sp));
	ASSERT_EQ(0, recv_info(self->p.b, &n, NULL, NULL));
	EXPECT_EQ(5, n);
	sp.mask = MLS_POLICY_RECV_SAVE;
	EXPECT_EQ(0, xioctl(self->p.b, SET_POLICY_VER0, &sp));
	ASSERT_EQ(0, recv_info(self->p.b, &n, NULL, NULL));
	EXPECT_EQ(0, n);
	/* GROUP_INFO of the old size still answers. */
	{
		uint8_t gid[MLS_MAX_GROUP_ID_LEN];
		struct mls_group_info info;

		memset(&info, 0, sizeof(info));
		info.recv_save = 0xdead;
		mbuf(&info.group_id, gid, sizeof(gid));
		EXPECT_EQ(0, xioctl(self->p.b, GROUP_INFO_VER0, &info));
		EXPECT_EQ(self->p.b_id, info.id);
		EXPECT_EQ(0xdead, info.recv_save);
	}
	/* A group that is not persistent takes 0 only. */
	fd = grp_plain(self->p.ctl, 1, 0, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, set_recv_save(fd, 1, 0));
	EXPECT_EQ(-EINVAL, set_recv_save(fd, 1, MLS_RECV_SAVE_F_STRICT));
	EXPECT_EQ(0, set_recv_save(fd, 0, 0));
	EXPECT_EQ(0, unsaved_of(fd));
	grp_destroy(fd);
	close(fd);
}

/* Not strict: one event at the N-th unsaved decrypt, none refused. */
TEST_F(rs, event_after_n)
{
	struct mls_events *h;
	unsigned int i;
	/* The tests run as root with the module loaded: events open. */
	ASSERT_EQ(0, mls_events_open(0, &h));
	ASSERT_EQ(0, set_recv_save(self->p.b, 3, 0));
	count_events(h, self->p.b_id);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, dec_i(self, self->p.b, 2));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	for (i = 3; i < 6; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	EXPECT_EQ(6, unsaved_of(self->p.b));
	/* Saved: a new window, the event again at its N-th. */
	ASSERT_EQ(0, save(self->p.b, &self->s));
	EXPECT_EQ(0, unsaved_of(self->p.b));
	for (i = 6; i < 8; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, dec_i(self, self->p.b, 8));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	/* A failed decrypt (a replay) counts for nothing. */
	EXPECT_EQ(-EALREADY, dec_i(self, self->p.b, 8));
	EXPECT_EQ(3, unsaved_of(self->p.b));
	mls_events_close(h);
}

/*
 * Strict: the event at half of N, the (N+1)-th refused without using
 * its message up; an export alone does not reopen it, its save does.
 */
TEST_F(rs, strict_refuses_until_saved)
{
	struct mls_events *h;
	unsigned int i;

	ASSERT_EQ(0, mls_events_open(0, &h));
	ASSERT_EQ(0, set_recv_save(self->p.b, 4, MLS_RECV_SAVE_F_STRICT));
	count_events(h, self->p.b_id);
	ASSERT_EQ(0, dec_i(self, self->p.b, 0));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, dec_i(self, self->p.b, 1));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	for (i = 2; i < 4; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 4));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 5));
	/* Asked once since the last save: the refusals ask no more. */
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	EXPECT_EQ(4, unsaved_of(self->p.b));
	/* A replay is still a replay. */
	EXPECT_EQ(-EALREADY, dec_i(self, self->p.b, 0));
	ASSERT_EQ(0, snap_export(self->p.b, &self->s));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 4));
	ASSERT_EQ(0, saved_ioc(self->p.b, 0, 0, self->s.seq));
	EXPECT_EQ(0, unsaved_of(self->p.b));
	/* Refused, not consumed: it decrypts now. */
	ASSERT_EQ(0, dec_i(self, self->p.b, 4));
	EXPECT_STREQ("m", (char *)self->d.content);
	mls_events_close(h);
}

/*
 * A save that leaves as many unsaved as the trigger (decrypts went on
 * while it was written) asks again at once: else no later count would
 * equal the trigger, and a strict group would stall with no event.
 */
TEST_F(rs, save_leaving_many_asks_again)
{
	struct mls_events *h;

	ASSERT_EQ(0, mls_events_open(0, &h));
	ASSERT_EQ(0, set_recv_save(self->p.b, 4, MLS_RECV_SAVE_F_STRICT));
	count_events(h, self->p.b_id);
	ASSERT_EQ(0, dec_i(self, self->p.b, 0));
	ASSERT_EQ(0, dec_i(self, self->p.b, 1));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	ASSERT_EQ(0, snap_export(self->p.b, &self->s));
	ASSERT_EQ(0, dec_i(self, self->p.b, 2));
	ASSERT_EQ(0, dec_i(self, self->p.b, 3));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	/* It holds two of the four: two unsaved, the trigger. */
	ASSERT_EQ(0, saved_ioc(self->p.b, 0, 0, self->s.seq));
	EXPECT_EQ(2, unsaved_of(self->p.b));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	ASSERT_EQ(0, dec_i(self, self->p.b, 4));
	ASSERT_EQ(0, dec_i(self, self->p.b, 5));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 6));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, save(self->p.b, &self->s));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, dec_i(self, self->p.b, 6));
	mls_events_close(h);
}

/*
 * A policy set, or lowered, below the decrypts already unsaved asks at
 * once; a strict refusal asks if nothing did since the last save.
 */
TEST_F(rs, policy_past_trigger_asks)
{
	struct mls_events *h;
	unsigned int i;

	ASSERT_EQ(0, mls_events_open(0, &h));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, set_recv_save(self->p.b, 4, MLS_RECV_SAVE_F_STRICT));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 5));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, save(self->p.b, &self->s));
	ASSERT_EQ(0, dec_i(self, self->p.b, 5));
	/* Off, then on again past the trigger: asked once more. */
	ASSERT_EQ(0, set_recv_save(self->p.b, 0, 0));
	for (i = 6; i < 9; i++)
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
	EXPECT_EQ(0, count_events(h, self->p.b_id));
	ASSERT_EQ(0, set_recv_save(self->p.b, 2, 0));
	EXPECT_EQ(1, count_events(h, self->p.b_id));
	mls_events_close(h);
}

/*
 * What is decrypted between an export and its save is not in that
 * snapshot: it stays unsaved.
 */
TEST_F(rs, decrypts_after_export_stay_unsaved)
{
	ASSERT_EQ(0, set_recv_save(self->p.b, 2, MLS_RECV_SAVE_F_STRICT));
	ASSERT_EQ(0, dec_i(self, self->p.b, 0));
	ASSERT_EQ(0, snap_export(self->p.b, &self->s));
	ASSERT_EQ(0, dec_i(self, self->p.b, 1));
	ASSERT_EQ(0, saved_ioc(self->p.b, 0, 0, self->s.seq));
	EXPECT_EQ(1, unsaved_of(self->p.b));
	ASSERT_EQ(0, dec_i(self, self->p.b, 2));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 3));
	/* The next save holds them all. */
	ASSERT_EQ(0, save(self->p.b, &self->s));
	EXPECT_EQ(0, unsaved_of(self->p.b));
	ASSERT_EQ(0, dec_i(self, self->p.b, 3));
}

/* A batch is refused entry by entry, the others delivered. */
TEST_F(rs, batch_per_entry)
{
	struct mls_decrypt_entry e[5];
	struct dec out[5];
	struct mls_batch b;
	unsigned int i;

	ASSERT_EQ(0, set_recv_save(self->p.b, 3, MLS_RECV_SAVE_F_STRICT));
	memset(e, 0, sizeof(e));
	for (i = 0; i < 5; i++)
		dec_init(&e[i].op, self->m[i].buf, self->m[i].len, &out[i]);
	memset(&b, 0, sizeof(b));
	b.count = 5;
	b.entries = U64(e);
	b.entry_size = sizeof(e[0]);
	ASSERT_EQ(5, xioctl(self->p.b, MLS_IOC_DECRYPT_BATCH, &b));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, e[i].error) TH_LOG("entry %u", i);
	for (; i < 5; i++)
		EXPECT_EQ(-ENOBUFS, e[i].error) TH_LOG("entry %u", i);
	EXPECT_EQ(3, unsaved_of(self->p.b));
	ASSERT_EQ(0, save(self->p.b, &self->s));
	for (i = 3; i < 5; i++)
		dec_init(&e[i].op, self->m[i].buf, self->m[i].len, &out[i]);
	b.count = 2;
	b.entries = U64(&e[3]);
	b.done = 0;
	ASSERT_EQ(2, xioctl(self->p.b, MLS_IOC_DECRYPT_BATCH, &b));
	EXPECT_EQ(0, e[3].error);
	EXPECT_EQ(0, e[4].error);
}

/*
 * The replay window, closed: with N = 1 strict, B restored from its
 * newest saved snapshot refuses every message decrypted before that
 * save (-EALREADY), and takes at most one of those after it again. The
 * policy came back with the snapshot.
 */
TEST_F(rs, restore_does_not_replay)
{
	__u32 n = 0, flags = 0;
	unsigned int i;

	ASSERT_EQ(0, set_recv_save(self->p.b, 1, MLS_RECV_SAVE_F_STRICT));
	ASSERT_EQ(0, save(self->p.b, &self->s));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dec_i(self, self->p.b, i));
		EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, i + 1));
		ASSERT_EQ(0, save(self->p.b, &self->s));
	}
	/* The last one read after the last save: the one it may replay. */
	ASSERT_EQ(0, dec_i(self, self->p.b, 4));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 5));
	/* Lost: restored from the newest saved snapshot. */
	ASSERT_EQ(0, grp_destroy(self->p.b));
	close(self->p.b);
	self->p.b = snap_import_flags(self->p.ctl, &self->s, MLS_IMPORT_F_RESUME);
	ASSERT_LE(0, self->p.b);
	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, NULL));
	EXPECT_EQ(1, n);
	EXPECT_EQ(MLS_RECV_SAVE_F_STRICT, flags);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(-EALREADY, dec_i(self, self->p.b, i)) TH_LOG("message %u", i);
	/* The bound: one message, read again. */
	EXPECT_EQ(0, dec_i(self, self->p.b, 4));
	EXPECT_EQ(-ENOBUFS, dec_i(self, self->p.b, 5));
}

/* The format version of snapshot @s. */
static unsigned int snap_version(const struct snap *s)
{
	return (unsigned int)snap_get_be(s->buf + SNAP_OFF_VERSION, 2);
}

/*
 * The policy off, a snapshot is version 1, and one version older reads
 * it: exported, restored, exported again (still version 1), restored.
 * Each restore takes what the snapshot holds, and no more.
 */
TEST_F(rs, version1_round_trip_policy_off)
{
	struct snap again = {};
	__u32 n = 9, flags = 9;

	/* The setup's save of B, the policy never set. */
	EXPECT_EQ(1, snap_version(&self->s));
	ASSERT_EQ(0, dec_i(self, self->p.b, 0));
	ASSERT_EQ(0, dec_i(self, self->p.b, 1));
	ASSERT_EQ(0, grp_destroy(self->p.b));
	close(self->p.b);
	self->p.b = snap_import_flags(self->p.ctl, &self->s, 0);
	ASSERT_LE(0, self->p.b) TH_LOG("%s", strerror(-self->p.b));
	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, NULL));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, flags);
	/* Read after that snapshot: read again (the replay bound). */
	EXPECT_EQ(0, dec_i(self, self->p.b, 0));
	EXPECT_EQ(0, dec_i(self, self->p.b, 2));
	ASSERT_EQ(0, snap_export(self->p.b, &again));
	EXPECT_EQ(1, snap_version(&again));
	ASSERT_EQ(0, grp_destroy(self->p.b));
	close(self->p.b);
	self->p.b = snap_import_flags(self->p.ctl, &again, 0);
	ASSERT_LE(0, self->p.b) TH_LOG("%s", strerror(-self->p.b));
	ASSERT_EQ(0, recv_info(self->p.b, &n, &flags, NULL));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, flags);
	/* Before the second export: in it. After: not. */
	EXPECT_EQ(-EALREADY, dec_i(self, self->p.b, 0));
	EXPECT_EQ(-EALREADY, dec_i(self, self->p.b, 2));
	EXPECT_EQ(0, dec_i(self, self->p.b, 1));
	EXPECT_EQ(0, dec_i(self, self->p.b, 3));
	snap_free(&again);
}

/* Two threads decrypting at once: exactly N get through, strict. */
struct race {
	FIXTURE_DATA(rs) *self;
	unsigned int first;
	unsigned int ok, nobufs, other;
};

static void *race_dec(void *arg)
{
	struct race *r = arg;
	struct dec *d = malloc(sizeof(*d));
	unsigned int i;

	if (!d)
		return NULL;
	for (i = r->first; i < NMSG; i += 2) {
		int ret = dec_msg(r->self->p.b, &r->self->m[i], d);

		if (!ret)
			r->ok++;
		else if (ret == -ENOBUFS)
			r->nobufs++;
		else
			r->other++;
	}
	free(d);
	return NULL;
}

TEST_F(rs, two_threads_strict)
{
	struct race r[2] = { { .self = self, .first = 0 }, { .self = self, .first = 1 } };
	pthread_t t[2];
	unsigned int i, n = NMSG / 2 - 3;

	ASSERT_EQ(0, set_recv_save(self->p.b, n, MLS_RECV_SAVE_F_STRICT));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_dec, &r[i]));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	EXPECT_EQ(0, r[0].other + r[1].other);
	EXPECT_EQ(n, r[0].ok + r[1].ok);
	EXPECT_EQ(NMSG - n, r[0].nobufs + r[1].nobufs);
	EXPECT_EQ(n, unsaved_of(self->p.b));
}

TEST_F(rs, two_threads_count)
{
	struct race r[2] = { { .self = self, .first = 0 }, { .self = self, .first = 1 } };
	pthread_t t[2];
	unsigned int i;

	ASSERT_EQ(0, set_recv_save(self->p.b, 5, 0));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_dec, &r[i]));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	EXPECT_EQ(0, r[0].other + r[1].other + r[0].nobufs + r[1].nobufs);
	EXPECT_EQ(NMSG, r[0].ok + r[1].ok);
	EXPECT_EQ(NMSG, unsaved_of(self->p.b));
}

/* ------------------------------------------------------ snapshot format */

FIXTURE(fmt) {
	uint8_t ikm[32];
	struct pair p;
	struct snap s;
	uint8_t *body, *out, *hdr;
	size_t body_len, hdr_len;
	struct snap_field f[64];
};

FIXTURE_SETUP(fmt)
{
	long id;

	memset(&self->s, 0, sizeof(self->s));
	self->body = malloc(SNAP_MAX);
	self->out = malloc(SNAP_MAX);
	self->hdr = malloc(SNAP_MAX);
	ASSERT_TRUE(self->body && self->out && self->hdr);
	ASSERT_EQ(0, new_session());
	rand_bytes(self->ikm, sizeof(self->ikm));
	id = add_seal_key("logon", self->ikm, sizeof(self->ikm));
	ASSERT_LT(0, id);
	ASSERT_EQ(0, pair_make_flags(&self->p, 1, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, set_recv_save(self->p.b, 3, MLS_RECV_SAVE_F_STRICT));
	ASSERT_EQ(0, snap_export(self->p.b, &self->s));
	ASSERT_EQ(0, grp_destroy(self->p.b));
	close(self->p.b);
	self->p.b = -1;
	self->hdr_len = snap_hdr_len(self->s.buf, self->s.len);
	ASSERT_LT(SNAP_HDR_FIXED, self->hdr_len);
	ASSERT_EQ(2, snap_get_be(self->s.buf + SNAP_OFF_VERSION, 2));
	ASSERT_EQ(0, snap_unseal(self->ikm, sizeof(self->ikm), self->s.buf,
				 self->s.len, self->body, &self->body_len));
	/* suite, id, flags, leaf, uid, gid, mode, policy x 8, has_init, limits */
	ASSERT_LT(20, snap_body_fields(self->body, self->body_len, 2, 32, 16,
				       self->f, ARRAY_SIZE(self->f)));
	ASSERT_EQ(4, self->f[18].width);
	ASSERT_EQ(3, snap_get_be(self->body + self->f[18].off, 4));
	ASSERT_EQ(MLS_RECV_SAVE_F_STRICT,
		  snap_get_be(self->body + self->f[19].off, 4));
}

FIXTURE_TEARDOWN(fmt)
{
	pair_destroy(&self->p);
	snap_free(&self->s);
	free(self->body);
	free(self->out);
	free(self->hdr);
}

/* Reseal @body (@len) under a header of @version, a newer seq: import. */
static int import_as(FIXTURE_DATA(fmt) *self, unsigned int version,
		     const uint8_t *body, size_t len)
{
	memcpy(self->hdr, self->s.buf, self->hdr_len);
	snap_put_be(self->hdr + SNAP_OFF_VERSION, 2, version);
	snap_put_be(self->hdr + SNAP_OFF_SEQ, 8, ++self->s.seq);
	rand_bytes(self->hdr + SNAP_OFF_SALT, SNAP_SALT_LEN);
	if (snap_reseal(self->ikm, sizeof(self->ikm), self->hdr, self->hdr_len,
			body, len, self->out))
		return -EIO;
	return snap_import(self->p.ctl, self->out,
			   self->hdr_len + len + SNAP_TAG_LEN, NULL);
}

/*
 * Import @body (@len) under a header of @version: 0 if the group came
 * with receive-save N @want_n and flags @want_flags (then destroyed),
 * the import's errno, or -EPROTO for another policy.
 */
static int import_policy(FIXTURE_DATA(fmt) *self, unsigned int version,
			 const uint8_t *body, size_t len, __u32 want_n,
			 __u32 want_flags)
{
	__u32 n = ~0U, flags = ~0U;
	int fd, err;

	fd = import_as(self, version, body, len);
	if (fd < 0)
		return fd;
	err = recv_info(fd, &n, &flags, NULL);
	if (!err && (n != want_n || flags != want_flags))
		err = -EPROTO;
	grp_destroy(fd);
	close(fd);
	return err;
}

/* Version 2 carries the policy; version 1 (without it) imports, off. */
TEST_F(fmt, version1_imports_policy_off)
{
	size_t off = self->f[18].off;
	uint8_t *v1 = malloc(self->body_len);

	ASSERT_NE(NULL, v1);
	EXPECT_EQ(0, import_policy(self, 2, self->body, self->body_len, 3,
				   MLS_RECV_SAVE_F_STRICT));
	/* The same body laid out as version 1. */
	memcpy(v1, self->body, off);
	memcpy(v1 + off, self->body + off + 8, self->body_len - off - 8);
	EXPECT_EQ(0, import_policy(self, 1, v1, self->body_len - 8, 0, 0));
	/* Each version's body under the other's header: refused. */
	EXPECT_GT(0, import_as(self, 1, self->body, self->body_len));
	EXPECT_GT(0, import_as(self, 2, v1, self->body_len - 8));
	/* A version after the newest this module reads. */
	EXPECT_EQ(-EPROTONOSUPPORT, import_as(self, MLS_SNAPSHOT_VERSION + 1,
					      self->body, self->body_len));
	EXPECT_EQ(-EPROTONOSUPPORT, import_as(self, 0, self->body, self->body_len));
	free(v1);
}

/*
 * Export writes version 2 only while the policy is set, version 1 (the
 * body without the policy) otherwise; import takes both.
 */
TEST_F(fmt, export_version_follows_policy)
{
	struct snap s[3] = {};
	__u32 n = 9, flags = 9;
	unsigned int i;
	size_t len;
	int fd;

	/* A: persistent, the policy never set. */
	ASSERT_EQ(0, snap_export(self->p.a, &s[0]));
	ASSERT_EQ(0, set_recv_save(self->p.a, 5, 0));
	ASSERT_EQ(0, snap_export(self->p.a, &s[1]));
	ASSERT_EQ(0, set_recv_save(self->p.a, 0, 0));
	ASSERT_EQ(0, snap_export(self->p.a, &s[2]));
	EXPECT_EQ(0, s[0].buf[SNAP_OFF_VERSION]);
	EXPECT_EQ(1, s[0].buf[SNAP_OFF_VERSION + 1]);
	EXPECT_EQ(0, s[1].buf[SNAP_OFF_VERSION]);
	EXPECT_EQ(2, s[1].buf[SNAP_OFF_VERSION + 1]);
	EXPECT_EQ(0, s[2].buf[SNAP_OFF_VERSION]);
	EXPECT_EQ(1, s[2].buf[SNAP_OFF_VERSION + 1]);
	/* Each body laid out as its header says, and only so. */
	for (i = 0; i < 3; i++) {
		unsigned int v = i == 1 ? 2 : 1;

		ASSERT_EQ(0, snap_unseal(self->ikm, sizeof(self->ikm), s[i].buf,
					 s[i].len, self->body, &len));
		EXPECT_LT(20, snap_body_fields(self->body, len, v, 32, 16,
					       self->f, ARRAY_SIZE(self->f)))
			TH_LOG("snapshot %u", i);
		if (v == 2)
			EXPECT_EQ(5, snap_get_be(self->body + self->f[18].off, 4));
		EXPECT_GT(0, snap_body_fields(self->body, len, 3 - v, 32, 16,
					      self->f, ARRAY_SIZE(self->f)))
			TH_LOG("snapshot %u", i);
	}
	/* Both import, in the order taken. */
	ASSERT_EQ(0, grp_destroy(self->p.a));
	close(self->p.a);
	self->p.a = -1;
	for (i = 0; i < 3; i++) {
		fd = snap_import(self->p.ctl, s[i].buf, s[i].len, NULL);
		ASSERT_LE(0, fd) TH_LOG("snapshot %u: %s", i, strerror(-fd));
		ASSERT_EQ(0, recv_info(fd, &n, &flags, NULL));
		EXPECT_EQ(i == 1 ? 5 : 0, n);
		EXPECT_EQ(0, flags);
		ASSERT_EQ(0, grp_destroy(fd));
		close(fd);
		snap_free(&s[i]);
	}
}

/*
 * A version 2 body with the policy off (0, 0), as the module wrote for
 * every persistent group before export chose version 1 for it: imports,
 * with the policy off.
 */
TEST_F(fmt, version2_policy_off_imports)
{
	size_t off = self->f[18].off;

	snap_put_be(self->body + off, 4, 0);
	snap_put_be(self->body + off + 4, 4, 0);
	EXPECT_EQ(0, import_policy(self, 2, self->body, self->body_len, 0, 0));
}

/* The policy in a body is held to what MLS_IOC_SET_POLICY takes. */
TEST_F(fmt, bad_policy_refused)
{
	size_t off = self->f[18].off;

	snap_put_be(self->body + off + 4, 4, 1U << 1);
	EXPECT_EQ(-EINVAL, import_as(self, 2, self->body, self->body_len));
	snap_put_be(self->body + off, 4, 0);
	snap_put_be(self->body + off + 4, 4, MLS_RECV_SAVE_F_STRICT);
	EXPECT_EQ(-EINVAL, import_as(self, 2, self->body, self->body_len));
}

TEST_HARNESS_MAIN
