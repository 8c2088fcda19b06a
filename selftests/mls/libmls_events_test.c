// SPDX-License-Identifier: GPL-2.0
/*
 * libmls's side of the generic netlink family "mls": the event API
 * (mls_events_open/fd/next/close) and the group dump
 * (mls_groups_dump, mls_group_get_status).
 *
 *  - bad arguments, without a kernel;
 *  - events arrive decoded, field by field, for what a control plane
 *    does: create, commit (epoch changed, members added and removed),
 *    join, a commit conflict, destroy; and for the event buffer's
 *    endpoints (throttled, breaker changed, payload rejected);
 *  - a wait with nothing happening times out; a signal interrupts it;
 *  - joining "events" needs CAP_NET_ADMIN (-EPERM), the dump does not,
 *    and shows another user only what the mode lets them read;
 *  - a reader that falls behind gets MLS_EVENT_LOST, and a dump then
 *    rebuilds the view: exactly the live groups, with their counters;
 *  - a handle whose socket was closed under it says -EBADF.
 *
 * Events are module-wide: each test looks only at the events of the
 * groups and endpoints it made. Without /dev/mls, or with a module that
 * has no family "mls", the kernel tests are skipped.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmls.h>

#include "kselftest_harness.h"

#define ERRNO_MARK	4242
/* Under emulation an event may take a while; nothing takes this long. */
#define EVENT_MS	10000

/* ------------------------------------------------------------- helpers */

static int have_dev(void)
{
	return access("/dev/mls", R_OK | W_OK) == 0;
}

static void rnd(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n)
		abort();
}

/* Open the events, or SKIP (no module, no family) in the caller. */
#define OPEN_EVENTS(h) do {						\
	int __r;							\
	if (!have_dev())						\
		SKIP(return, "no /dev/mls (module not loaded)");	\
	__r = mls_events_open(0, (h));					\
	if (__r == -ENOENT)						\
		SKIP(return, "no generic netlink family \"mls\"");	\
	ASSERT_EQ(0, __r);						\
} while (0)


/*
 * make_group() makes suite 1 groups (Ed25519): an application message
 * carries a 64-byte signature. These tests count events, not signatures:
 * a stand-in of that length.
 */
static const uint8_t sig64[64] = { 0x5a, 0xa5, 's', 'i', 'g' };
/* A one-leaf group of suite 1 at epoch 0; its id in @*id, its group_id in @gid. */
static int make_group(int ctl, uint32_t flags, uint16_t mode, uint8_t gid[8],
		      uint32_t *id)
{
	struct mls_group_new g;
	int fd;

	rnd(gid, 8);
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = flags;
	g.mode = mode;
	mls_buf_set(&g.group_id, gid, 8);
	g.roster.leaf_count = 1;
	fd = mls_group_create(ctl, &g);
	if (fd >= 0)
		*id = g.id;
	return fd;
}

/*
 * Commit @fd to @epoch with @leaves leaves, those in @occupied (a bitmap,
 * or NULL: all); the joiner secret into @joiner if not NULL.
 */
static int commit(int fd, uint64_t epoch, uint32_t own, uint32_t leaves,
		  const uint8_t *occupied, size_t occ_len, uint8_t *secret,
		  uint8_t *joiner)
{
	uint8_t tree[32] = { 1 }, cth[32] = { 2 }, welcome[32];
	struct mls_commit c;

	memset(&c, 0, sizeof(c));
	if (joiner)
		c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mls_buf_set(&c.commit_secret, secret, 32);
	c.context.epoch = epoch;
	mls_buf_set(&c.context.tree_hash, tree, 32);
	mls_buf_set(&c.context.confirmed_transcript_hash, cth, 32);
	c.roster.own_leaf = own;
	c.roster.leaf_count = leaves;
	mls_buf_set(&c.roster.occupied, occupied, occ_len);
	if (joiner) {
		mls_buf_set(&c.joiner_secret, joiner, 32);
		mls_buf_set(&c.welcome_secret, welcome, 32);
	}
	return mls_commit(fd, &c);
}

/*
 * The next event about group @kid (others skipped): 0, or what
 * mls_events_next() said. An MLS_EVENT_LOST is returned as such.
 */
static int next_about(struct mls_events *h, uint32_t kid, struct mls_event *ev)
{
	int ret, i;

	for (i = 0; i < 10000; i++) {
		ret = mls_events_next(h, ev, EVENT_MS);
		if (ret)
			return ret;
		if (ev->type == MLS_EVENT_LOST)
			return 0;
		if ((ev->present & MLS_HAS(MLS_A_GROUP_KID)) && ev->group_kid == kid &&
		    !(ev->present & MLS_HAS(MLS_A_ENDPOINT_KIND)))
			return 0;
	}
	return -ELOOP;
}

/* The next event naming user endpoint @id (others skipped). */
static int next_endpoint(struct mls_events *h, const char *id, struct mls_event *ev)
{
	int ret, i;

	for (i = 0; i < 10000; i++) {
		ret = mls_events_next(h, ev, EVENT_MS);
		if (ret)
			return ret;
		if (ev->type == MLS_EVENT_LOST)
			return 0;
		if ((ev->present & MLS_HAS(MLS_A_ENDPOINT_ID)) &&
		    strcmp(ev->endpoint_id, id) == 0)
			return 0;
	}
	return -ELOOP;
}

static bool has(const struct mls_event *ev, int attr)
{
	return (ev->present & MLS_HAS(attr)) != 0;
}

/* A destroy through a fresh descriptor: groups outlive theirs. */
static void destroy_id(uint32_t id)
{
	int ctl = mls_open(0), fd;

	if (ctl < 0)
		return;
	fd = mls_group_open(ctl, id);
	if (fd >= 0) {
		mls_group_destroy(fd);
		close(fd);
	}
	close(ctl);
}

static const struct mls_group_status *find(const struct mls_group_status *g,
					   size_t n, uint32_t kid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (g[i].kid == kid)
			return &g[i];
	return NULL;
}

/* Run @fn in a child as uid and gid 1000; its exit status, or -1. */
static int as_user(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ======================================================== no kernel needed */

TEST(bad_arguments)
{
	struct mls_events *h = (struct mls_events *)&h;
	struct mls_group_status *g = (void *)1, st;
	struct mls_event ev;
	size_t n = 7;

	errno = ERRNO_MARK;
	EXPECT_EQ(-EINVAL, mls_events_open(0, NULL));
	EXPECT_EQ(-EINVAL, mls_events_open(1, &h));
	EXPECT_EQ(NULL, h);
	h = (struct mls_events *)&h;
	EXPECT_EQ(-EINVAL, mls_events_open(0x80000000u, &h));
	EXPECT_EQ(NULL, h);
	EXPECT_EQ(-EINVAL, mls_events_fd(NULL));
	EXPECT_EQ(-EINVAL, mls_events_next(NULL, &ev, 0));
	EXPECT_EQ(-EINVAL, mls_events_next(NULL, NULL, -1));
	mls_events_close(NULL);
	EXPECT_EQ(-EINVAL, mls_groups_dump(NULL, &n));
	EXPECT_EQ(-EINVAL, mls_groups_dump(&g, NULL));
	EXPECT_EQ(-EINVAL, mls_group_get_status(1, NULL));
	EXPECT_EQ(ERRNO_MARK, errno);
	(void)st;
}

TEST(names)
{
	EXPECT_STREQ("group_created", mls_event_name(MLS_CMD_GROUP_CREATED));
	EXPECT_STREQ("shutdown", mls_event_name(MLS_CMD_SHUTDOWN));
	EXPECT_STREQ("commit_prepared", mls_event_name(MLS_CMD_COMMIT_PREPARED));
	EXPECT_STREQ("commit_discarded", mls_event_name(MLS_CMD_COMMIT_DISCARDED));
	EXPECT_STREQ("reserve_low", mls_event_name(MLS_CMD_RESERVE_LOW));
	EXPECT_STREQ("resume", mls_event_name(MLS_CMD_RESUME));
	EXPECT_STREQ("group_ended", mls_event_name(MLS_CMD_GROUP_ENDED));
	EXPECT_STREQ("lost", mls_event_name(MLS_EVENT_LOST));
	EXPECT_EQ(NULL, mls_event_name(MLS_CMD_GET_GROUP));
	EXPECT_EQ(NULL, mls_event_name(0));
	EXPECT_EQ(NULL, mls_event_name(MLS_CMD_MAX + 1));
	EXPECT_STREQ("forced-open", mls_breaker_state_name(MLS_EVBUF_FORCED_OPEN));
	EXPECT_EQ(NULL, mls_breaker_state_name(4));
	EXPECT_STREQ("encrypt", mls_endpoint_kind_name(MLS_ENDPOINT_ENCRYPT));
	EXPECT_EQ(NULL, mls_endpoint_kind_name(0));
}

/* Each function under the version node it came with (0.1, 0.2, 0.3). */
TEST(symbol_versions)
{
	static const char *const v02[] = {
		"mls_events_open", "mls_events_fd", "mls_events_next",
		"mls_events_close", "mls_groups_dump", "mls_group_get_status",
	};
	void *so = dlopen("libmls.so.0", RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!so)
		SKIP(return, "no libmls.so.0 on the library path: %s", dlerror());
	for (i = 0; i < ARRAY_SIZE(v02); i++) {
		EXPECT_NE(NULL, dlvsym(so, v02[i], "LIBMLS_0.2")) TH_LOG("%s", v02[i]);
		EXPECT_EQ(NULL, dlvsym(so, v02[i], "LIBMLS_0.1")) TH_LOG("%s", v02[i]);
	}
	EXPECT_NE(NULL, dlvsym(so, "mls_open", "LIBMLS_0.1"));
	EXPECT_NE(NULL, dlvsym(so, "mls_group_list", "LIBMLS_0.1"));
	/* 0.3: the handshake's, and the three whose structs grew */
	{
		static const char *const v03[] = {
			"mls_commit_prepare", "mls_commit_merge",
			"mls_commit_discard", "mls_confirmation_tag",
			"mls_confirmation_tag_verify", "mls_membership_tag",
			"mls_membership_tag_verify", "mls_external_pub",
			"mls_join_stage",
		};
		static const char *const grown[] = {
			"mls_group_create", "mls_group_join", "mls_commit",
		};

		for (i = 0; i < ARRAY_SIZE(v03); i++) {
			EXPECT_NE(NULL, dlvsym(so, v03[i], "LIBMLS_0.3")) TH_LOG("%s", v03[i]);
			EXPECT_EQ(NULL, dlvsym(so, v03[i], "LIBMLS_0.2")) TH_LOG("%s", v03[i]);
			EXPECT_EQ(NULL, dlvsym(so, v03[i], "LIBMLS_0.1")) TH_LOG("%s", v03[i]);
		}
		/* both versions, distinct; the default is 0.3's */
		for (i = 0; i < ARRAY_SIZE(grown); i++) {
			void *old = dlvsym(so, grown[i], "LIBMLS_0.1");
			void *now = dlvsym(so, grown[i], "LIBMLS_0.3");

			EXPECT_NE(NULL, old) TH_LOG("%s", grown[i]);
			EXPECT_NE(NULL, now) TH_LOG("%s", grown[i]);
			EXPECT_NE(old, now) TH_LOG("%s", grown[i]);
			EXPECT_EQ(now, dlsym(so, grown[i])) TH_LOG("%s", grown[i]);
		}
		EXPECT_EQ(NULL, dlsym(so, "mls_group_create_v01"));
		EXPECT_EQ(NULL, dlsym(so, "mls_commit_v03"));
	}
	/* the internals stay inside */
	EXPECT_EQ(NULL, dlsym(so, "mls_wb_init"));
	EXPECT_EQ(NULL, dlsym(so, "mls_bytes_alloc"));
	dlclose(so);
}

/* @size bytes that end where an inaccessible page begins (or NULL). */
static void *at_page_end(size_t size, void **map, size_t *map_len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m + pg, pg, PROT_NONE)) {
		munmap(m, 2 * pg);
		return NULL;
	}
	*map = m;
	*map_len = 2 * pg;
	memset(m + pg - size, 0, size);
	return m + pg - size;
}

/*
 * A program linked against libmls 0.1 allocated the structs' first sizes:
 * its mls_group_create, mls_group_join and mls_commit (0.1) never make
 * the kernel read past them; the 0.3 ones take the whole struct.
 */
TEST(grown_structs_old_programs)
{
	typedef int (*new_fn)(int, struct mls_group_new *);
	typedef int (*commit_fn)(int, struct mls_commit *);
	uint8_t gid[8], secret[32] = { 9 }, tree[32] = { 1 }, cth[32] = { 2 };
	uint8_t joiner[32], welcome[32];
	void *so, *m1 = NULL, *m2 = NULL, *m3 = NULL;
	size_t l1 = 0, l2 = 0, l3 = 0;
	new_fn create01, create03, join01, join03;
	commit_fn commit01, commit03;
	struct mls_group_info info;
	struct mls_group_new *g, *j;
	struct mls_commit *c;
	int ctl, fd, bob;

	if (!have_dev())
		SKIP(return, "no /dev/mls (module not loaded)");
	so = dlopen("libmls.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!so)
		SKIP(return, "no libmls.so.0 on the library path: %s", dlerror());
	create01 = (new_fn)dlvsym(so, "mls_group_create", "LIBMLS_0.1");
	create03 = (new_fn)dlvsym(so, "mls_group_create", "LIBMLS_0.3");
	join01 = (new_fn)dlvsym(so, "mls_group_join", "LIBMLS_0.1");
	join03 = (new_fn)dlvsym(so, "mls_group_join", "LIBMLS_0.3");
	commit01 = (commit_fn)dlvsym(so, "mls_commit", "LIBMLS_0.1");
	commit03 = (commit_fn)dlvsym(so, "mls_commit", "LIBMLS_0.3");
	ASSERT_TRUE(create01 && create03 && join01 && join03 && commit01 && commit03);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);

	g = at_page_end(MLS_GROUP_NEW_SIZE_VER0, &m1, &l1);
	ASSERT_NE(NULL, g);
	rnd(gid, sizeof(gid));
	g->suite = 1;
	mls_buf_set(&g->group_id, gid, sizeof(gid));
	g->roster.leaf_count = 1;
	EXPECT_EQ(-EFAULT, create03(ctl, g));
	fd = create01(ctl, g);
	ASSERT_LE(0, fd);
	EXPECT_NE(0, g->id);

	c = at_page_end(MLS_COMMIT_SIZE_VER0, &m2, &l2);
	ASSERT_NE(NULL, c);
	c->flags = MLS_COMMIT_F_RETURN_SECRETS;
	mls_buf_set(&c->commit_secret, secret, 32);
	c->context.epoch = 1;
	mls_buf_set(&c->context.tree_hash, tree, 32);
	mls_buf_set(&c->context.confirmed_transcript_hash, cth, 32);
	c->roster.leaf_count = 2;
	mls_buf_set(&c->joiner_secret, joiner, 32);
	mls_buf_set(&c->welcome_secret, welcome, 32);
	EXPECT_EQ(-EFAULT, commit03(fd, c));
	ASSERT_EQ(0, commit01(fd, c));
	ASSERT_EQ(0, mls_group_info(fd, &info, NULL, NULL));
	EXPECT_EQ(1, info.epoch);
	EXPECT_EQ(2, info.leaf_count);

	j = at_page_end(MLS_GROUP_NEW_SIZE_VER0, &m3, &l3);
	ASSERT_NE(NULL, j);
	j->suite = 1;
	j->flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&j->group_id, gid, sizeof(gid));
	mls_buf_set(&j->joiner_secret, joiner, 32);
	j->context.epoch = 1;
	mls_buf_set(&j->context.tree_hash, tree, 32);
	mls_buf_set(&j->context.confirmed_transcript_hash, cth, 32);
	j->roster.own_leaf = 1;
	j->roster.leaf_count = 2;
	EXPECT_EQ(-EFAULT, join03(ctl, j));
	bob = join01(ctl, j);
	ASSERT_LE(0, bob);
	ASSERT_EQ(0, mls_group_info(bob, &info, NULL, NULL));
	EXPECT_EQ(1, info.epoch);
	EXPECT_EQ(1, info.own_leaf);

	close(bob);
	EXPECT_EQ(0, mls_group_destroy(fd));
	close(fd);
	close(ctl);
	munmap(m1, l1);
	munmap(m2, l2);
	munmap(m3, l3);
	dlclose(so);
}

/* ============================================================ the kernel */

TEST(open_fd_close)
{
	struct mls_events *h, *h2;
	struct mls_event ev;
	int fd;

	OPEN_EVENTS(&h);
	fd = mls_events_fd(h);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Two handles are independent. */
	ASSERT_EQ(0, mls_events_open(0, &h2));
	EXPECT_NE(fd, mls_events_fd(h2));
	EXPECT_EQ(-EINVAL, mls_events_next(h, NULL, 0));
	mls_events_close(h2);
	errno = ERRNO_MARK;
	EXPECT_EQ(-EAGAIN, mls_events_next(h, &ev, 0)) {
		TH_LOG("a stray event: %u", ev.type);
	}
	EXPECT_EQ(ERRNO_MARK, errno);
	mls_events_close(h);
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* Nothing happens: -EAGAIN at once, -ETIMEDOUT after the time asked. */
TEST(timeout_when_nothing_happens)
{
	struct timespec t0, t1;
	struct mls_events *h;
	struct mls_event ev;
	long ms;
	int ret, tries;

	OPEN_EVENTS(&h);
	/* Another suite's leftover groups may still expire an epoch. */
	for (tries = 0; tries < 5; tries++) {
		if (mls_events_next(h, &ev, 0) == -EAGAIN)
			break;
	}
	EXPECT_EQ(-EAGAIN, mls_events_next(h, &ev, 0));
	for (tries = 0; tries < 5; tries++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = mls_events_next(h, &ev, 300);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (ret != 0)
			break;
	}
	EXPECT_EQ(-ETIMEDOUT, ret);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	EXPECT_LE(290, ms);
	EXPECT_GT(5000, ms);
	mls_events_close(h);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal ends a wait with -EINTR, so that a caller can look at its flags. */
TEST(signal_interrupts_wait)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct mls_events *h;
	struct mls_event ev;
	int ret, tries;

	OPEN_EVENTS(&h);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	for (tries = 0; tries < 5; tries++) {
		alarm(1);
		ret = mls_events_next(h, &ev, 20000);
		alarm(0);
		if (ret != 0)
			break;
	}
	EXPECT_EQ(-EINTR, ret);
	signal(SIGALRM, SIG_DFL);
	mls_events_close(h);
}

/* What a control plane does, as the events say it, field by field. */
TEST(events_of_a_group)
{
	uint8_t gid[8], secret[32] = { 3 }, joiner[32], occ = 0x01;
	struct timespec t0, t1;
	uint32_t kid, bob_kid;
	struct mls_events *h;
	struct mls_group_new g;
	struct mls_event ev;
	int ctl, fd, bob;

	OPEN_EVENTS(&h);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);

	clock_gettime(CLOCK_REALTIME, &t0);
	fd = make_group(ctl, 0, 0640, gid, &kid);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, next_about(h, kid, &ev));
	clock_gettime(CLOCK_REALTIME, &t1);
	EXPECT_EQ(MLS_CMD_GROUP_CREATED, ev.type);
	EXPECT_EQ(kid, ev.group_kid);
	ASSERT_TRUE(has(&ev, MLS_A_GROUP_ID));
	EXPECT_EQ(8, ev.group_id_len);
	EXPECT_EQ(0, memcmp(gid, ev.group_id, 8));
	EXPECT_TRUE(has(&ev, MLS_A_SUITE) && ev.suite == 1);
	EXPECT_TRUE(has(&ev, MLS_A_EPOCH) && ev.epoch == 0);
	EXPECT_TRUE(has(&ev, MLS_A_OLDEST_EPOCH) && ev.oldest_epoch == 0);
	EXPECT_TRUE(has(&ev, MLS_A_OWN_LEAF) && ev.own_leaf == 0);
	EXPECT_TRUE(has(&ev, MLS_A_LEAF_COUNT) && ev.leaf_count == 1);
	EXPECT_TRUE(has(&ev, MLS_A_MEMBERS) && ev.members == 1);
	EXPECT_TRUE(has(&ev, MLS_A_STATE) && ev.state == MLS_GROUP_STATE_ACTIVE);
	EXPECT_TRUE(has(&ev, MLS_A_OWNER_UID) && ev.owner_uid == 0);
	EXPECT_TRUE(has(&ev, MLS_A_MODE) && ev.mode == 0640);
	EXPECT_TRUE(has(&ev, MLS_A_GROUP_FLAGS) && ev.group_flags == 0);
	/* as one group of the dump, without the counters */
	EXPECT_FALSE(has(&ev, MLS_A_STATS));
	EXPECT_FALSE(has(&ev, MLS_A_OLD_EPOCH));
	EXPECT_FALSE(has(&ev, MLS_A_ENDPOINT_KIND));
	/* stamped when received */
	EXPECT_TRUE(ev.time.tv_sec > t0.tv_sec ||
		    (ev.time.tv_sec == t0.tv_sec && ev.time.tv_nsec >= t0.tv_nsec));
	EXPECT_TRUE(ev.time.tv_sec < t1.tv_sec ||
		    (ev.time.tv_sec == t1.tv_sec && ev.time.tv_nsec <= t1.tv_nsec));

	/* The Add of leaf 1: epoch changed, then member added. */
	ASSERT_EQ(0, commit(fd, 1, 0, 2, NULL, 0, secret, joiner));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_EPOCH_CHANGED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_OLD_EPOCH) && ev.old_epoch == 0);
	EXPECT_TRUE(has(&ev, MLS_A_EPOCH) && ev.epoch == 1);
	EXPECT_TRUE(has(&ev, MLS_A_LEAF_COUNT) && ev.leaf_count == 2);
	EXPECT_TRUE(has(&ev, MLS_A_MEMBERS) && ev.members == 2);
	EXPECT_TRUE(has(&ev, MLS_A_GROUP_ID) && !memcmp(gid, ev.group_id, 8));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_MEMBER_ADDED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_EPOCH) && ev.epoch == 1);
	EXPECT_TRUE(has(&ev, MLS_A_LEAF) && ev.leaf == 1);

	/* Bob joins: his own group, joined. */
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid, 8);
	mls_buf_set(&g.joiner_secret, joiner, 32);
	g.context.epoch = 1;
	{
		uint8_t tree[32] = { 1 }, cth[32] = { 2 };

		mls_buf_set(&g.context.tree_hash, tree, 32);
		mls_buf_set(&g.context.confirmed_transcript_hash, cth, 32);
		g.roster.own_leaf = 1;
		g.roster.leaf_count = 2;
		bob = mls_group_join(ctl, &g);
	}
	ASSERT_LE(0, bob);
	bob_kid = g.id;
	ASSERT_EQ(0, next_about(h, bob_kid, &ev));
	EXPECT_EQ(MLS_CMD_GROUP_JOINED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_OWN_LEAF) && ev.own_leaf == 1);
	EXPECT_TRUE(has(&ev, MLS_A_EPOCH) && ev.epoch == 1);
	EXPECT_TRUE(has(&ev, MLS_A_GROUP_FLAGS) &&
		    ev.group_flags == MLS_GROUP_F_EPHEMERAL);
	EXPECT_TRUE(has(&ev, MLS_A_MODE) && ev.mode == 0600);

	/* A commit on a stale epoch: a conflict, ESTALE. */
	EXPECT_EQ(-ESTALE, commit(fd, 7, 0, 2, NULL, 0, secret, NULL));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_CONFLICT, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_ERROR) && ev.error == ESTALE);
	EXPECT_TRUE(has(&ev, MLS_A_EPOCH) && ev.epoch == 1);

	/* The Remove of leaf 1. */
	ASSERT_EQ(0, commit(fd, 2, 0, 2, &occ, 1, secret, NULL));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_EPOCH_CHANGED, ev.type);
	EXPECT_EQ(1, ev.old_epoch);
	EXPECT_EQ(2, ev.epoch);
	EXPECT_EQ(2, ev.leaf_count);
	EXPECT_EQ(1, ev.members);
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_MEMBER_REMOVED, ev.type);
	EXPECT_EQ(2, ev.epoch);
	EXPECT_TRUE(has(&ev, MLS_A_LEAF) && ev.leaf == 1);

	/* Destroyed: by the ioctl, and (ephemeral) by the last close. */
	ASSERT_EQ(0, mls_group_destroy(fd));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_GROUP_DESTROYED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_EPOCH) && ev.epoch == 2);
	EXPECT_TRUE(has(&ev, MLS_A_GROUP_ID) && !memcmp(gid, ev.group_id, 8));
	close(bob);
	ASSERT_EQ(0, next_about(h, bob_kid, &ev));
	EXPECT_EQ(MLS_CMD_GROUP_DESTROYED, ev.type);
	EXPECT_EQ(1, ev.epoch);
	close(fd);
	close(ctl);
	mls_events_close(h);
}

/* @fd's one-leaf commit to @epoch, staged only (mls_commit_prepare). */
static int prepare(int fd, uint64_t epoch)
{
	uint8_t tree[32] = { 1 }, cth[32] = { 2 }, secret[32];
	struct mls_commit c;

	rnd(secret, sizeof(secret));
	memset(&c, 0, sizeof(c));
	mls_buf_set(&c.commit_secret, secret, 32);
	c.context.epoch = epoch;
	mls_buf_set(&c.context.tree_hash, tree, 32);
	mls_buf_set(&c.context.confirmed_transcript_hash, cth, 32);
	c.roster.leaf_count = 1;
	return mls_commit_prepare(fd, &c);
}

/*
 * A pending commit's events, decoded: prepared (the current and the
 * pending epoch), the merge's epoch_changed, a discard and its reason;
 * and its counters in the group status.
 */
TEST(pending_commit_events)
{
	struct mls_group_status st;
	struct mls_policy pol;
	struct mls_events *h;
	struct mls_event ev;
	uint8_t gid[8];
	uint32_t kid;
	int ctl, fd;

	OPEN_EVENTS(&h);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	fd = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0600, gid, &kid);
	ASSERT_LE(0, fd);
	memset(&pol, 0, sizeof(pol));
	pol.commit_timeout_ms = 60000;
	ASSERT_EQ(0, mls_group_set_policy(fd, MLS_POLICY_COMMIT_TIMEOUT, &pol));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	ASSERT_EQ(MLS_CMD_GROUP_CREATED, ev.type);

	ASSERT_EQ(0, prepare(fd, 1));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_PREPARED, ev.type);
	EXPECT_STREQ("commit_prepared", mls_event_name(ev.type));
	EXPECT_EQ(MLS_HAS(MLS_A_GROUP_KID) | MLS_HAS(MLS_A_GROUP_ID) |
		  MLS_HAS(MLS_A_EPOCH) | MLS_HAS(MLS_A_PENDING_EPOCH), ev.present);
	EXPECT_EQ(0, ev.epoch);
	EXPECT_EQ(1, ev.pending_epoch);
	EXPECT_EQ(0, memcmp(gid, ev.group_id, 8));
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_commit_merge(fd, 1));
	EXPECT_EQ(ERRNO_MARK, errno);
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_EPOCH_CHANGED, ev.type);
	EXPECT_EQ(1, ev.epoch);
	EXPECT_FALSE(has(&ev, MLS_A_PENDING_EPOCH));

	ASSERT_EQ(0, prepare(fd, 2));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_PREPARED, ev.type);
	EXPECT_EQ(1, ev.epoch);
	EXPECT_EQ(2, ev.pending_epoch);
	ASSERT_EQ(0, mls_commit_discard(fd, 2));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_DISCARDED, ev.type);
	EXPECT_STREQ("commit_discarded", mls_event_name(ev.type));
	EXPECT_EQ(MLS_HAS(MLS_A_GROUP_KID) | MLS_HAS(MLS_A_GROUP_ID) |
		  MLS_HAS(MLS_A_EPOCH) | MLS_HAS(MLS_A_PENDING_EPOCH) |
		  MLS_HAS(MLS_A_ERROR), ev.present);
	EXPECT_EQ(1, ev.epoch);
	EXPECT_EQ(2, ev.pending_epoch);
	EXPECT_EQ(ECANCELED, ev.error);
	errno = ERRNO_MARK;
	EXPECT_EQ(-ENOENT, mls_commit_discard(fd, 2));
	EXPECT_EQ(-ENOENT, mls_commit_merge(fd, 2));
	EXPECT_EQ(ERRNO_MARK, errno);

	/* Timed out, then gone with the group (ENOENT) before its destroyed. */
	pol.commit_timeout_ms = 1;
	ASSERT_EQ(0, mls_group_set_policy(fd, MLS_POLICY_COMMIT_TIMEOUT, &pol));
	ASSERT_EQ(0, prepare(fd, 2));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_PREPARED, ev.type);
	usleep(20000);
	EXPECT_EQ(-ETIMEDOUT, mls_commit_merge(fd, 2));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_DISCARDED, ev.type);
	EXPECT_EQ(ETIMEDOUT, ev.error);

	EXPECT_EQ(0, mls_group_get_status(kid, &st));
	EXPECT_EQ(3, st.commits_prepared);
	EXPECT_EQ(1, st.commits_merged);
	EXPECT_EQ(2, st.commits_discarded);
	EXPECT_EQ(1, st.commits_timed_out);
	EXPECT_EQ(0, st.commit_conflicts);
	EXPECT_EQ(0, st.tag_failures);
	EXPECT_EQ(1, st.epochs_rotated);

	pol.commit_timeout_ms = 60000;
	ASSERT_EQ(0, mls_group_set_policy(fd, MLS_POLICY_COMMIT_TIMEOUT, &pol));
	ASSERT_EQ(0, prepare(fd, 2));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_PREPARED, ev.type);
	ASSERT_EQ(0, mls_group_destroy(fd));
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_COMMIT_DISCARDED, ev.type);
	EXPECT_EQ(ENOENT, ev.error);
	EXPECT_EQ(1, ev.epoch);
	EXPECT_EQ(2, ev.pending_epoch);
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_GROUP_DESTROYED, ev.type);
	close(fd);
	close(ctl);
	mls_events_close(h);
}

/* Every subscriber gets every event. */
TEST(two_subscribers)
{
	struct mls_events *h1, *h2;
	struct mls_event e1, e2;
	uint8_t gid[8];
	uint32_t kid;
	int ctl, fd;

	OPEN_EVENTS(&h1);
	ASSERT_EQ(0, mls_events_open(0, &h2));
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	fd = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0, gid, &kid);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, next_about(h1, kid, &e1));
	ASSERT_EQ(0, next_about(h2, kid, &e2));
	EXPECT_EQ(MLS_CMD_GROUP_CREATED, e1.type);
	EXPECT_EQ(MLS_CMD_GROUP_CREATED, e2.type);
	EXPECT_EQ(e1.present, e2.present);
	EXPECT_EQ(0, memcmp(e1.group_id, e2.group_id, 8));
	close(fd);
	ASSERT_EQ(0, next_about(h2, kid, &e2));
	EXPECT_EQ(MLS_CMD_GROUP_DESTROYED, e2.type);
	close(ctl);
	mls_events_close(h1);
	mls_events_close(h2);
}

/* The module's own endpoint: a group's encrypt rate. */
TEST(encrypt_throttled)
{
	struct mls_policy p;
	struct mls_events *h;
	struct mls_event ev;
	struct mls_sent s;
	uint8_t gid[8];
	uint32_t kid;
	int ctl, fd, ret, i;

	OPEN_EVENTS(&h);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	fd = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0, gid, &kid);
	ASSERT_LE(0, fd);
	memset(&p, 0, sizeof(p));
	p.encrypt_rate = 1;
	p.encrypt_burst = 1;
	ASSERT_EQ(0, mls_group_set_policy(fd, MLS_POLICY_ENCRYPT_RATE, &p));
	ret = 0;
	for (i = 0; i < 3 && ret != -EAGAIN; i++) {
		ret = mls_encrypt(fd, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1,
				  sig64, sizeof(sig64), &s);
		if (!ret)
			mls_bytes_free(&s.message);
	}
	ASSERT_EQ(-EAGAIN, ret);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, mls_events_next(h, &ev, EVENT_MS));
		ASSERT_NE(MLS_EVENT_LOST, ev.type);
		if (ev.type == MLS_CMD_ENDPOINT_THROTTLED && has(&ev, MLS_A_GROUP_KID) &&
		    ev.group_kid == kid)
			break;
	}
	EXPECT_EQ(MLS_CMD_ENDPOINT_THROTTLED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_ENDPOINT_KIND) &&
		    ev.endpoint_kind == MLS_ENDPOINT_ENCRYPT);
	EXPECT_FALSE(has(&ev, MLS_A_ENDPOINT_ID));
	close(fd);
	close(ctl);
	mls_events_close(h);
}

/* A user endpoint: throttled, breaker changed, payload rejected. */
TEST(user_endpoint_events)
{
	static const uint8_t bad_gzip[] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0,
					    0, 3, 0xff, 0xff, 0xff };
	struct mls_evbuf_set_state ss;
	struct mls_evbuf_config cfg;
	struct mls_evbuf_record rec;
	struct mls_evbuf_remove rm;
	char id[32];
	struct mls_events *h;
	struct mls_event ev;
	int ctl, ret, i;

	OPEN_EVENTS(&h);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	snprintf(id, sizeof(id), "events-test-%d", getpid());
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = MLS_EVBUF_F_CREATE;
	snprintf(cfg.id, sizeof(cfg.id), "%s", id);
	cfg.mask = MLS_EVBUF_CFG_RATE;
	cfg.rate = 1;
	cfg.burst = 1;
	ASSERT_EQ(0, ioctl(ctl, MLS_IOC_EVBUF_CONFIG, &cfg)) TH_LOG("%m");

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.id, sizeof(rec.id), "%s", id);
	ret = 0;
	for (i = 0; i < 3 && ret == 0; i++)
		ret = ioctl(ctl, MLS_IOC_EVBUF_RECORD, &rec);
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, next_endpoint(h, id, &ev));
	EXPECT_EQ(MLS_CMD_ENDPOINT_THROTTLED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_ENDPOINT_KIND) &&
		    ev.endpoint_kind == MLS_ENDPOINT_USER);
	EXPECT_TRUE(has(&ev, MLS_A_ENDPOINT_UID) && ev.endpoint_uid == 0);
	EXPECT_FALSE(has(&ev, MLS_A_GROUP_KID));

	memset(&ss, 0, sizeof(ss));
	snprintf(ss.id, sizeof(ss.id), "%s", id);
	ss.state = MLS_EVBUF_FORCED_OPEN;
	ASSERT_EQ(0, ioctl(ctl, MLS_IOC_EVBUF_SET_STATE, &ss));
	ASSERT_EQ(0, next_endpoint(h, id, &ev));
	EXPECT_EQ(MLS_CMD_BREAKER_CHANGED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_OLD_STATE) && ev.old_state == MLS_EVBUF_CLOSED);
	EXPECT_TRUE(has(&ev, MLS_A_BREAKER_STATE) &&
		    ev.breaker_state == MLS_EVBUF_FORCED_OPEN);

	mls_buf_set(&rec.payload, bad_gzip, sizeof(bad_gzip));
	EXPECT_EQ(-1, ioctl(ctl, MLS_IOC_EVBUF_RECORD, &rec));
	EXPECT_EQ(EBADMSG, errno);
	ASSERT_EQ(0, next_endpoint(h, id, &ev));
	EXPECT_EQ(MLS_CMD_PAYLOAD_REJECTED, ev.type);
	EXPECT_TRUE(has(&ev, MLS_A_ERROR) && ev.error == EBADMSG);

	memset(&rm, 0, sizeof(rm));
	snprintf(rm.id, sizeof(rm.id), "%s", id);
	EXPECT_EQ(0, ioctl(ctl, MLS_IOC_EVBUF_REMOVE, &rm));
	close(ctl);
	mls_events_close(h);
}

/* --------------------------------------------------------------- the dump */

/* The dump is exactly MLS_IOC_GROUP_LIST's groups, with their state. */
TEST(dump_lists_exactly_the_live_groups)
{
	const struct mls_group_status *s;
	struct mls_group_status *g, st;
	uint32_t kid[3], *ids;
	struct mls_group_info info;
	uint8_t gid[3][8];
	size_t n, nids, i;
	struct mls_sent sent;
	int ctl, fd[3];

	if (!have_dev())
		SKIP(return, "no /dev/mls (module not loaded)");
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	for (i = 0; i < 3; i++) {
		fd[i] = make_group(ctl, 0, i == 2 ? 0644 : 0600, gid[i], &kid[i]);
		ASSERT_LE(0, fd[i]);
	}
	ASSERT_EQ(0, mls_encrypt(fd[1], MLS_CONTENT_APPLICATION, NULL, 0,
				 "hello", 5, sig64, sizeof(sig64), &sent));
	mls_bytes_free(&sent.message);
	ASSERT_EQ(0, mls_encrypt(fd[1], MLS_CONTENT_APPLICATION, NULL, 0,
				 "world!", 6, sig64, sizeof(sig64), &sent));
	mls_bytes_free(&sent.message);

	errno = ERRNO_MARK;
	n = 99;
	g = (void *)1;
	if (mls_groups_dump(&g, &n) == -ENOENT) {
		for (i = 0; i < 3; i++)
			destroy_id(kid[i]);
		SKIP(return, "no generic netlink family \"mls\"");
	}
	EXPECT_EQ(ERRNO_MARK, errno);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &nids));
	/* The same set (nothing else runs), in increasing order. */
	ASSERT_EQ(nids, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(ids[i], g[i].kid);
		if (i)
			EXPECT_LT(g[i - 1].kid, g[i].kid);
	}
	free(ids);
	for (i = 0; i < 3; i++) {
		s = find(g, n, kid[i]);
		ASSERT_NE(NULL, s);
		ASSERT_EQ(0, mls_group_info(fd[i], &info, NULL, NULL));
		EXPECT_EQ(8, s->group_id_len);
		EXPECT_EQ(0, memcmp(gid[i], s->group_id, 8));
		EXPECT_EQ(info.suite, s->suite);
		EXPECT_EQ(info.epoch, s->epoch);
		EXPECT_EQ(info.oldest_epoch, s->oldest_epoch);
		EXPECT_EQ(info.own_leaf, s->own_leaf);
		EXPECT_EQ(info.leaf_count, s->leaf_count);
		EXPECT_EQ(1, s->members);
		EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, s->state);
		EXPECT_EQ(0, s->owner_uid);
		EXPECT_EQ(info.mode, s->mode);
		EXPECT_EQ(0, s->group_flags);
		EXPECT_TRUE(s->present & MLS_HAS(MLS_A_STATS));
		/* every counter of the nest */
		EXPECT_EQ(MLS_HAS(MLS_STATS_A_MESSAGES_ENCRYPTED) |
			  MLS_HAS(MLS_STATS_A_MESSAGES_DECRYPTED) |
			  MLS_HAS(MLS_STATS_A_BYTES_ENCRYPTED) |
			  MLS_HAS(MLS_STATS_A_BYTES_DECRYPTED) |
			  MLS_HAS(MLS_STATS_A_AUTH_FAILURES) |
			  MLS_HAS(MLS_STATS_A_REPLAYS) |
			  MLS_HAS(MLS_STATS_A_EPOCHS_ROTATED) |
			  MLS_HAS(MLS_STATS_A_COMMITS_PREPARED) |
			  MLS_HAS(MLS_STATS_A_COMMITS_MERGED) |
			  MLS_HAS(MLS_STATS_A_COMMITS_DISCARDED) |
			  MLS_HAS(MLS_STATS_A_COMMITS_TIMED_OUT) |
			  MLS_HAS(MLS_STATS_A_COMMIT_CONFLICTS) |
			  MLS_HAS(MLS_STATS_A_TAG_FAILURES), s->stats_present);
		EXPECT_EQ(i == 1 ? 2 : 0, s->messages_encrypted);
		EXPECT_EQ(i == 1 ? 11 : 0, s->bytes_encrypted);
		EXPECT_EQ(0, s->messages_decrypted);
		EXPECT_EQ(0, s->auth_failures);
		EXPECT_EQ(0, s->commits_prepared);
		EXPECT_EQ(0, s->commits_merged);
		EXPECT_EQ(0, s->commits_discarded);
		EXPECT_EQ(0, s->commits_timed_out);
		EXPECT_EQ(0, s->commit_conflicts);
		EXPECT_EQ(0, s->tag_failures);
	}
	/* The do: the same group. */
	EXPECT_EQ(0, mls_group_get_status(kid[1], &st));
	s = find(g, n, kid[1]);
	EXPECT_EQ(s->kid, st.kid);
	EXPECT_EQ(s->present, st.present);
	EXPECT_EQ(0, memcmp(s->group_id, st.group_id, 8));
	EXPECT_EQ(2, st.messages_encrypted);
	free(g);

	/* Destroyed: gone from both. */
	ASSERT_EQ(0, mls_group_destroy(fd[0]));
	ASSERT_EQ(0, mls_groups_dump(&g, &n));
	EXPECT_EQ(NULL, find(g, n, kid[0]));
	EXPECT_NE(NULL, find(g, n, kid[1]));
	free(g);
	errno = ERRNO_MARK;
	EXPECT_EQ(-ENOENT, mls_group_get_status(kid[0], &st));
	EXPECT_EQ(ERRNO_MARK, errno);
	EXPECT_EQ(0, st.kid);
	EXPECT_EQ(-ENOENT, mls_group_get_status(4294967295u, &st));
	for (i = 0; i < 3; i++) {
		if (i)
			mls_group_destroy(fd[i]);
		close(fd[i]);
	}
	/* None left: an empty dump is NULL and 0. */
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &nids));
	if (nids == 0) {
		g = (void *)1;
		n = 5;
		EXPECT_EQ(0, mls_groups_dump(&g, &n));
		EXPECT_EQ(NULL, g);
		EXPECT_EQ(0, n);
	}
	free(ids);
	close(ctl);
}

/* ------------------------------------------------- another user, lost events */

struct user_view {
	uint32_t private_kid, shared_kid;
};

/* As uid 1000: no events (-EPERM), a dump of what the mode shows. */
static int user_view(void *arg)
{
	const struct user_view *u = arg;
	struct mls_group_status *g, st;
	struct mls_events *h = (void *)1;
	size_t n;

	if (mls_events_open(0, &h) != -EPERM || h)
		return 1;
	if (mls_groups_dump(&g, &n))
		return 2;
	if (find(g, n, u->private_kid) || !find(g, n, u->shared_kid))
		return 3;
	free(g);
	if (mls_group_get_status(u->private_kid, &st) != -ENOENT)
		return 4;
	if (mls_group_get_status(u->shared_kid, &st) || st.kid != u->shared_kid)
		return 5;
	return 0;
}

TEST(unprivileged)
{
	struct user_view u;
	struct mls_events *h;
	uint8_t gid[8];
	int ctl, a, b;

	OPEN_EVENTS(&h);
	mls_events_close(h);
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	a = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0600, gid, &u.private_kid);
	ASSERT_LE(0, a);
	b = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0604, gid, &u.shared_kid);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, as_user(user_view, &u));
	close(a);
	close(b);
	close(ctl);
}

/*
 * A reader that falls behind (a tiny receive buffer, a burst of events):
 * MLS_EVENT_LOST, then a dump holds exactly the groups alive, and the
 * events go on.
 */
TEST(lost_events_then_dump)
{
	struct mls_group_status *g;
	uint32_t keep[3], gone[64], kid, *ids;
	struct mls_events *h;
	struct mls_event ev;
	int ctl, fd, one = 1, lost = 0, keepfd[3], ret, i;
	size_t n, nids, k;
	uint8_t gid[8];

	OPEN_EVENTS(&h);
	ASSERT_EQ(0, setsockopt(mls_events_fd(h), SOL_SOCKET, SO_RCVBUF, &one,
				sizeof(one)));
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	for (i = 0; i < 3; i++) {
		keepfd[i] = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0, gid, &keep[i]);
		ASSERT_LE(0, keepfd[i]);
	}
	for (i = 0; i < 64; i++) {
		fd = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0, gid, &gone[i]);
		ASSERT_LE(0, fd);
		close(fd);
	}
	/* The overflow comes first; then what the buffer held. */
	for (i = 0; i < 1000; i++) {
		ret = mls_events_next(h, &ev, 0);
		if (ret == -EAGAIN)
			break;
		ASSERT_EQ(0, ret);
		if (ev.type == MLS_EVENT_LOST) {
			lost++;
			EXPECT_EQ(0, ev.present);
			EXPECT_NE(0, ev.time.tv_sec);
		}
	}
	EXPECT_EQ(1, lost);

	/* The view rebuilt: the kept groups, none of the others. */
	ASSERT_EQ(0, mls_groups_dump(&g, &n));
	for (i = 0; i < 3; i++)
		EXPECT_NE(NULL, find(g, n, keep[i]));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(NULL, find(g, n, gone[i]));
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &nids));
	EXPECT_EQ(nids, n);
	for (k = 0; k < n && k < nids; k++)
		EXPECT_EQ(ids[k], g[k].kid);
	free(ids);
	free(g);

	/* And the events go on. */
	fd = make_group(ctl, MLS_GROUP_F_EPHEMERAL, 0, gid, &kid);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, next_about(h, kid, &ev));
	EXPECT_EQ(MLS_CMD_GROUP_CREATED, ev.type);
	close(fd);
	for (i = 0; i < 3; i++)
		close(keepfd[i]);
	close(ctl);
	mls_events_close(h);
}

/* The socket closed under the handle: -EBADF, and close still works. */
TEST(closed_socket_ebadf)
{
	struct mls_events *h;
	struct mls_event ev;

	OPEN_EVENTS(&h);
	ASSERT_EQ(0, close(mls_events_fd(h)));
	EXPECT_EQ(-EBADF, mls_events_next(h, &ev, 0));
	EXPECT_EQ(-EBADF, mls_events_next(h, &ev, 100));
	EXPECT_EQ(-EBADF, mls_events_next(h, &ev, -1));
	mls_events_close(h);
}

TEST_HARNESS_MAIN
