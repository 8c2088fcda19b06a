// SPDX-License-Identifier: GPL-2.0
/*
 * Limits per user (DESIGN.md §12) and what one user can do to others:
 * the per-uid limits of groups, event-buffer endpoints and bytes (EDQUOT,
 * and the exemption of root and CAP_SYS_RESOURCE); a flood of forgeries
 * that must not disarm another group's breaker; a sender's breaker per
 * epoch; a half-open probe that only an authenticated outcome resolves;
 * the module in a small memory cgroup; and a message far ahead that must
 * not stall the epoch's other traffic.
 *
 * Runs as root in the test VM; the limits are lowered for a test and
 * restored after it (they are writable module parameters).
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "kselftest_harness.h"
#include "group_util.h"

#define PARAMS		"/sys/module/mls/parameters/"
#define USER_USE	"/sys/kernel/mls/user/"
#define BIG_EXT		60000

static int write_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	close(fd);
	return n == (ssize_t)strlen(v) ? 0 : -EIO;
}

static int set_param(const char *name, unsigned long long v)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	snprintf(buf, sizeof(buf), "%llu", v);
	return write_str(path, buf);
}

static long long user_use(const char *what)
{
	char path[128];

	snprintf(path, sizeof(path), USER_USE "%s", what);
	return read_ll_file(path);
}

/* --------------------------------------------------- running as another uid */

/* Raise (or drop) CAP_SYS_RESOURCE in the effective set; it stays permitted. */
static int sys_resource(bool effective)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	d[0].permitted = 1U << CAP_SYS_RESOURCE;
	d[0].effective = effective ? 1U << CAP_SYS_RESOURCE : 0;
	return (int)syscall(SYS_capset, &h, d);
}

/* Become @uid; with @cap, CAP_SYS_RESOURCE stays permitted (not effective). */
static int become(uid_t uid, bool cap)
{
	if (cap && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return cap ? sys_resource(false) : 0;
}

/* A child's first failed check: its line, in memory shared with the parent. */
static int *child_line;

#define CHILD_CHECK(cond) do {							\
	if (!(cond)) {								\
		*child_line = __LINE__;						\
		_exit(1);							\
	}									\
} while (0)

static void child_line_init(void)
{
	child_line = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_line == MAP_FAILED)
		abort();
	*child_line = 0;
}

/* 0 when the child exited 0; else its failing line, or -1. */
static int child_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	return *child_line ? *child_line : -1;
}

/* A pipe to let a child go on: the child waits, the parent says go. */
struct gate {
	int ready[2];
	int go[2];
};

static void gate_init(struct gate *g)
{
	if (pipe(g->ready) || pipe(g->go))
		abort();
}

static void gate_child_wait(struct gate *g)
{
	char c = 0;

	if (write(g->ready[1], &c, 1) != 1 || read(g->go[0], &c, 1) != 1)
		_exit(9);
}

static int gate_parent_ready(struct gate *g)
{
	char c;

	return read(g->ready[0], &c, 1) == 1 ? 0 : -1;
}

static void gate_parent_go(struct gate *g)
{
	char c = 0;

	if (write(g->go[1], &c, 1) != 1)
		abort();
}

/* ------------------------------------------------------ groups and messages */

static int plain_group(int ctl)
{
	return grp_plain(ctl, 1, MLS_GROUP_F_EPHEMERAL, NULL);
}

/* A group made FROM_INPUTS with @ext_len bytes of extensions. */
struct big {
	struct grp_inputs in;
	uint8_t *ext;
	size_t ext_len;
	uint8_t init[MLS_MAX_HASH_LEN];
};

static int big_create(int ctl, struct big *b, size_t ext_len, bool join)
{
	struct epoch_secrets es;
	struct mls_group_new n;
	int fd;

	inputs_random(&b->in, 1);
	b->ext_len = ext_len;
	b->ext = calloc(1, ext_len ? ext_len : 1);
	if (!b->ext)
		return -ENOMEM;
	if (join) {
		rand_bytes(b->init, suite_nh(1));
		new_join(&n, &b->in, b->init, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	} else {
		new_from_inputs(&n, &b->in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	}
	mbuf(&n.context.extensions, b->ext, ext_len);
	fd = join ? grp_join(ctl, &n) : grp_create(ctl, &n);
	if (fd < 0)
		return fd;
	if (!join && key_schedule(&b->in, b->in.init, b->in.commit, b->in.psk, &es))
		return -EIO;
	return fd;
}

/* Commit @fd to its next epoch, with the big extensions again. */
static int big_commit(int fd, struct big *b)
{
	uint8_t cs[MLS_MAX_HASH_LEN];
	struct grp_inputs next = b->in;
	struct mls_commit c;
	int r;

	next.epoch = b->in.epoch + 1;
	rand_bytes(cs, suite_nh(1));
	commit_init(&c, 1, cs, NULL, &next, 0, 1, NULL, 0);
	mbuf(&c.context.extensions, b->ext, b->ext_len);
	r = grp_commit(fd, &c);
	if (!r)
		b->in.epoch++;
	return r;
}

/*
 * An installed group: its secrets known here, so that messages from any
 * of its leaves can be crafted, genuine or forged.
 */
struct inst {
	unsigned int suite;
	struct grp_inputs in;
	uint32_t leaf_count;
	uint8_t enc[MLS_MAX_HASH_LEN];
	uint8_t sd[MLS_MAX_HASH_LEN];
	int fd;
	__u32 id;
};

static int inst_create(int ctl, struct inst *g, uint32_t leaf_count, __u32 flags)
{
	struct mls_group_new n;

	memset(g, 0, sizeof(*g));
	g->suite = 1;
	g->leaf_count = leaf_count;
	inputs_random(&g->in, g->suite);
	rand_bytes(g->enc, suite_nh(g->suite));
	rand_bytes(g->sd, suite_nh(g->suite));
	new_install(&n, &g->in, g->enc, g->sd, 0, leaf_count, NULL, 0, flags);
	g->fd = grp_create(ctl, &n);
	g->id = n.id;
	return g->fd < 0 ? g->fd : 0;
}

/* Move @g to its next epoch with new installed secrets (the old kept). */
static int inst_commit(struct inst *g)
{
	unsigned int nh = suite_nh(g->suite);
	struct grp_inputs next = g->in;
	struct mls_commit c;
	int r;

	next.epoch = g->in.epoch + 1;
	commit_init(&c, g->suite, NULL, NULL, &next, 0, g->leaf_count, NULL, 0);
	c.flags = MLS_COMMIT_F_INSTALL;
	rand_bytes(g->enc, nh);
	rand_bytes(g->sd, nh);
	mbuf(&c.encryption_secret, g->enc, nh);
	mbuf(&c.sender_data_secret, g->sd, nh);
	r = grp_commit(g->fd, &c);
	if (!r)
		g->in = next;
	return r;
}

/* A message from @leaf at @gen in the current epoch; forged: a bad tag. */
static int inst_msg(const struct inst *g, const uint8_t *enc, const uint8_t *sd,
		    uint64_t epoch, uint32_t leaf, uint32_t gen, bool forged,
		    struct msg *m)
{
	uint8_t pt[64];
	struct craft c = {
		.suite = g->suite,
		.group_id = g->in.group_id,
		.group_id_len = g->in.group_id_len,
		.epoch = epoch,
		.ctype = MLS_CONTENT_APPLICATION,
		.pt = pt,
		.leaf = leaf,
		.gen = gen,
		.encryption_secret = enc,
		.sender_data_secret = sd,
		.leaf_count = g->leaf_count,
		.bad_content_key = forged,
	};

	c.pt_len = app_plaintext(pt, (const uint8_t *)"hello", 5, NULL, 0, 0);
	m->len = craft_message(&c, m->buf);
	m->epoch = epoch;
	m->gen = gen;
	return m->len ? 0 : -EIO;
}

static int inst_now(const struct inst *g, uint32_t leaf, uint32_t gen,
		    bool forged, struct msg *m)
{
	return inst_msg(g, g->enc, g->sd, g->in.epoch, leaf, gen, forged, m);
}

static int dec(int fd, const struct msg *m)
{
	static struct dec o;

	return dec_msg(fd, m, &o);
}

/* ------------------------------------------------------------------ fixture */

FIXTURE(lim) {
	int ctl;
	long long groups, endpoints, bytes;
};

FIXTURE_SETUP(lim)
{
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->groups = mod_param("user_max_groups");
	self->endpoints = mod_param("user_max_endpoints");
	self->bytes = mod_param("user_max_bytes");
	ASSERT_LT(0, self->groups);
	ASSERT_LT(0, self->endpoints);
	ASSERT_LT(0, self->bytes);
	child_line_init();
}

FIXTURE_TEARDOWN(lim)
{
	set_param("user_max_groups", self->groups);
	set_param("user_max_endpoints", self->endpoints);
	set_param("user_max_bytes", self->bytes);
	close(self->ctl);
}

/* ------------------------------------------------------------------- groups */

#define NGROUPS	4

/*
 * One user fills its group quota (EDQUOT), holds it, and another user
 * can still create groups; a destroy gives one back.
 */
TEST_F(lim, groups_quota_leaves_room_for_others)
{
	struct gate gt;
	pid_t a, b;
	int fd[NGROUPS], i;

	ASSERT_EQ(0, set_param("user_max_groups", NGROUPS));
	gate_init(&gt);
	a = fork();
	ASSERT_LE(0, a);
	if (!a) {
		int ctl, extra;

		CHILD_CHECK(!become(2001, false));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		for (i = 0; i < NGROUPS; i++) {
			fd[i] = plain_group(ctl);
			CHILD_CHECK(fd[i] >= 0);
		}
		CHILD_CHECK(plain_group(ctl) == -EDQUOT);
		CHILD_CHECK(user_use("groups") == NGROUPS);
		gate_child_wait(&gt);
		/* A destroyed group no longer counts. */
		CHILD_CHECK(grp_destroy(fd[0]) == 0);
		close(fd[0]);
		extra = plain_group(ctl);
		CHILD_CHECK(extra >= 0);
		CHILD_CHECK(plain_group(ctl) == -EDQUOT);
		_exit(0);
	}
	ASSERT_EQ(0, gate_parent_ready(&gt));
	/* While the first user holds its whole quota: */
	b = fork();
	ASSERT_LE(0, b);
	if (!b) {
		int ctl;

		CHILD_CHECK(!become(2002, false));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		CHILD_CHECK(plain_group(ctl) >= 0);
		CHILD_CHECK(user_use("groups") == 1);
		_exit(0);
	}
	EXPECT_EQ(0, child_wait(b));
	gate_parent_go(&gt);
	EXPECT_EQ(0, child_wait(a));
}

/* Root and CAP_SYS_RESOURCE go past the group quota; without it, EDQUOT. */
TEST_F(lim, groups_quota_exemptions)
{
	int fd[NGROUPS + 1], i;
	pid_t pid;

	ASSERT_EQ(0, set_param("user_max_groups", NGROUPS));
	for (i = 0; i <= NGROUPS; i++) {
		fd[i] = plain_group(self->ctl);
		ASSERT_LE(0, fd[i]) TH_LOG("root's group %d: %s", i, strerror(-fd[i]));
	}
	for (i = 0; i <= NGROUPS; i++)
		close(fd[i]);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ctl;

		CHILD_CHECK(!become(2003, true));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		for (i = 0; i < NGROUPS; i++)
			CHILD_CHECK(plain_group(ctl) >= 0);
		CHILD_CHECK(plain_group(ctl) == -EDQUOT);
		CHILD_CHECK(!sys_resource(true));
		CHILD_CHECK(plain_group(ctl) >= 0);
		CHILD_CHECK(plain_group(ctl) >= 0);
		CHILD_CHECK(user_use("groups") == NGROUPS + 2);
		CHILD_CHECK(!sys_resource(false));
		CHILD_CHECK(plain_group(ctl) == -EDQUOT);
		_exit(0);
	}
	EXPECT_EQ(0, child_wait(pid));
}

/* ---------------------------------------------------------------- endpoints */

#define NEPS	4

static int ep_create(int ctl, const char *name, __u32 extra)
{
	struct mls_evbuf_config c = { 0 };

	c.flags = MLS_EVBUF_F_CREATE | extra;
	snprintf(c.id, sizeof(c.id), "lim.%d.%s", (int)getpid(), name);
	return xioctl(ctl, MLS_IOC_EVBUF_CONFIG, &c);
}

static int ep_record_create(int ctl, const char *name)
{
	struct mls_evbuf_record r = { 0 };

	r.flags = MLS_EVBUF_F_CREATE;
	snprintf(r.id, sizeof(r.id), "lim.%d.%s", (int)getpid(), name);
	return xioctl(ctl, MLS_IOC_EVBUF_RECORD, &r);
}

static int ep_remove(int ctl, const char *name)
{
	struct mls_evbuf_remove r = { 0 };

	snprintf(r.id, sizeof(r.id), "lim.%d.%s", (int)getpid(), name);
	return xioctl(ctl, MLS_IOC_EVBUF_REMOVE, &r);
}

static const char *const ep_names[] = { "e0", "e1", "e2", "e3", "e4", "e5" };

/* EVBUF_CONFIG|CREATE and EVBUF_RECORD|CREATE past the quota: EDQUOT. */
TEST_F(lim, endpoints_quota)
{
	pid_t pid;
	int i;

	ASSERT_EQ(0, set_param("user_max_endpoints", NEPS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ctl;

		CHILD_CHECK(!become(2004, false));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		for (i = 0; i < NEPS; i++)
			CHILD_CHECK(ep_create(ctl, ep_names[i], 0) == 0);
		CHILD_CHECK(ep_create(ctl, ep_names[NEPS], 0) == -EDQUOT);
		CHILD_CHECK(ep_record_create(ctl, ep_names[NEPS]) == -EDQUOT);
		/* An existing endpoint is no new charge. */
		CHILD_CHECK(ep_create(ctl, ep_names[0], 0) == 0);
		CHILD_CHECK(user_use("endpoints") == NEPS);
		/* A removed one gives its place back at once. */
		CHILD_CHECK(ep_remove(ctl, ep_names[0]) == 0);
		CHILD_CHECK(ep_record_create(ctl, ep_names[NEPS]) == 0);
		for (i = 1; i <= NEPS; i++)
			CHILD_CHECK(ep_remove(ctl, ep_names[i]) == 0);
		CHILD_CHECK(user_use("endpoints") == 0);
		_exit(0);
	}
	EXPECT_EQ(0, child_wait(pid));
}

TEST_F(lim, endpoints_quota_exemptions)
{
	pid_t pid;
	int i;

	ASSERT_EQ(0, set_param("user_max_endpoints", NEPS));
	/* Root: one more than the quota. */
	for (i = 0; i <= NEPS; i++)
		EXPECT_EQ(0, ep_create(self->ctl, ep_names[i], MLS_EVBUF_F_EXCL));
	for (i = 0; i <= NEPS; i++)
		EXPECT_EQ(0, ep_remove(self->ctl, ep_names[i]));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ctl;

		CHILD_CHECK(!become(2005, true));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		for (i = 0; i < NEPS; i++)
			CHILD_CHECK(ep_create(ctl, ep_names[i], 0) == 0);
		CHILD_CHECK(ep_create(ctl, ep_names[NEPS], 0) == -EDQUOT);
		CHILD_CHECK(!sys_resource(true));
		CHILD_CHECK(ep_create(ctl, ep_names[NEPS], 0) == 0);
		CHILD_CHECK(ep_record_create(ctl, ep_names[NEPS + 1]) == 0);
		for (i = 0; i <= NEPS + 1; i++)
			CHILD_CHECK(ep_remove(ctl, ep_names[i]) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, child_wait(pid));
}

/* -------------------------------------------------------------------- bytes */

/*
 * Bytes: each kept epoch holds its GroupContext (up to 64 KiB of
 * extensions). COMMIT, CREATE and JOIN past the limit: EDQUOT, and the
 * failed commit changed nothing. CAP_SYS_RESOURCE goes past.
 */
TEST_F(lim, bytes_quota_commit_create_join)
{
	pid_t pid;

	ASSERT_EQ(0, set_param("user_max_bytes", 1 << 20));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct big b, b2;
		int ctl, fd, r = 0, n;
		long long used;

		CHILD_CHECK(!become(2006, true));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		fd = big_create(ctl, &b, BIG_EXT, false);
		CHILD_CHECK(fd >= 0);
		CHILD_CHECK(grp_policy1(fd, MLS_POLICY_EPOCHS_KEPT, 64) == 0);
		for (n = 0; n < 64 && !(r = big_commit(fd, &b)); n++)
			;
		CHILD_CHECK(r == -EDQUOT);
		/* About 1 MiB / 60 KB epochs. */
		CHILD_CHECK(n >= 10 && n <= 17);
		CHILD_CHECK(grp_epoch(fd) == (int64_t)b.in.epoch);
		used = user_use("bytes");
		CHILD_CHECK(used > (1 << 20) - BIG_EXT - 4096 && used <= 1 << 20);
		CHILD_CHECK(big_create(ctl, &b2, BIG_EXT, false) == -EDQUOT);
		CHILD_CHECK(big_create(ctl, &b2, BIG_EXT, true) == -EDQUOT);
		/* With the capability in effect: past the limit. */
		CHILD_CHECK(!sys_resource(true));
		CHILD_CHECK(big_commit(fd, &b) == 0);
		CHILD_CHECK(user_use("bytes") > 1 << 20);
		CHILD_CHECK(!sys_resource(false));
		CHILD_CHECK(big_commit(fd, &b) == -EDQUOT);
		/* All of it comes back with the group. */
		close(fd);
		CHILD_CHECK(user_use("bytes") == 0);
		_exit(0);
	}
	EXPECT_EQ(0, child_wait(pid));
}

/* Root's groups are not limited: commits past the bytes limit succeed. */
TEST_F(lim, bytes_quota_root_exempt)
{
	struct big b;
	int fd, i;

	ASSERT_EQ(0, set_param("user_max_bytes", 1 << 20));
	fd = big_create(self->ctl, &b, BIG_EXT, false);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_policy1(fd, MLS_POLICY_EPOCHS_KEPT, 64));
	for (i = 0; i < 24; i++)
		ASSERT_EQ(0, big_commit(fd, &b)) TH_LOG("commit %d", i);
	EXPECT_LT(1 << 20, user_use("bytes"));
	close(fd);
}

/*
 * A secret tree's growth counts too: a sender's first message makes its
 * leaf's ratchets. With no byte to spare, ENCRYPT (the own leaf) and
 * DECRYPT (another leaf) get EDQUOT; with CAP_SYS_RESOURCE they work.
 */
TEST_F(lim, bytes_quota_encrypt_decrypt)
{
	long long *used;
	struct gate gt;
	pid_t pid;

	used = mmap(NULL, sizeof(*used), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, used);
	gate_init(&gt);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct inst g;
		static struct msg m, out;
		int ctl;

		CHILD_CHECK(!become(2007, true));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		CHILD_CHECK(inst_create(ctl, &g, 4, MLS_GROUP_F_EPHEMERAL) == 0);
		*used = user_use("bytes");
		CHILD_CHECK(*used > 0);
		/* Root sets the limit at exactly what is used. */
		gate_child_wait(&gt);

		CHILD_CHECK(enc_text(g.fd, "hello", &out) == -EDQUOT);
		CHILD_CHECK(inst_now(&g, 2, 0, false, &m) == 0);
		CHILD_CHECK(dec(g.fd, &m) == -EDQUOT);
		CHILD_CHECK(!sys_resource(true));
		CHILD_CHECK(enc_text(g.fd, "hello", &out) == 0);
		CHILD_CHECK(dec(g.fd, &m) == 0);
		_exit(0);
	}
	ASSERT_EQ(0, gate_parent_ready(&gt));
	EXPECT_EQ(0, set_param("user_max_bytes", (unsigned long long)*used));
	gate_parent_go(&gt);
	EXPECT_EQ(0, child_wait(pid));
	munmap(used, sizeof(*used));
}

/* ---------------------------------------------- a flood of forged senders */

FIXTURE(flood) {
	int ctl;
	long long endpoints;
};

FIXTURE_VARIANT(flood) {
	bool table_full;	/* no quota in the way: the whole table fills */
};

FIXTURE_VARIANT_ADD(flood, quota) { .table_full = false };
FIXTURE_VARIANT_ADD(flood, table_full) { .table_full = true };

FIXTURE_SETUP(flood)
{
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->endpoints = mod_param("user_max_endpoints");
	ASSERT_LT(0, self->endpoints);
	child_line_init();
	if (variant->table_full)
		ASSERT_EQ(0, set_param("user_max_endpoints", 1U << 30));
}

FIXTURE_TEARDOWN(flood)
{
	set_param("user_max_endpoints", self->endpoints);
	close(self->ctl);
}

/*
 * An unprivileged user makes a group of slots + 256 leaves and sends a
 * forgery (valid sender data, bad tag) from each of slots leaves. Then a
 * sender forging in root's group must still be cut off after
 * evbuf_fail_threshold failures; and, with the per-user quota, root can
 * still create an endpoint. The flood's cost is its own group's.
 */
TEST_F_TIMEOUT(flood, forgeries_do_not_disarm_other_groups, 900)
{
	long long slots = mod_param("evbuf_slots");
	long long thr = mod_param("evbuf_fail_threshold");
	struct gate gt;
	struct inst r;
	struct msg m;
	pid_t pid;
	int i, ret;

	ASSERT_LT(0, slots);
	ASSERT_LT(0, thr);
	gate_init(&gt);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct inst g;
		int ctl, refused = 0;
		uint32_t leaf;

		CHILD_CHECK(!become(2008, false));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		CHILD_CHECK(inst_create(ctl, &g, (uint32_t)slots + 256,
					MLS_GROUP_F_EPHEMERAL) == 0);
		for (leaf = 1; leaf <= (uint32_t)slots; leaf++) {
			CHILD_CHECK(inst_now(&g, leaf, 0, true, &m) == 0);
			ret = dec(g.fd, &m);
			CHILD_CHECK(ret == -EBADMSG || ret == -ECONNREFUSED);
			refused += ret == -ECONNREFUSED;
		}
		/* With the quota, its own fallback breaker cut it off. */
		CHILD_CHECK(variant->table_full || refused > 0);
		gate_child_wait(&gt);
		_exit(0);
	}
	ASSERT_EQ(0, gate_parent_ready(&gt));

	/* Root's group: leaf 1 forges; after thr failures it is refused. */
	ASSERT_EQ(0, inst_create(self->ctl, &r, 2, MLS_GROUP_F_EPHEMERAL));
	for (i = 0; i < thr; i++) {
		ASSERT_EQ(0, inst_now(&r, 1, (uint32_t)i, true, &m));
		EXPECT_EQ(-EBADMSG, dec(r.fd, &m)) TH_LOG("forgery %d", i);
	}
	ASSERT_EQ(0, inst_now(&r, 1, 0, false, &m));
	EXPECT_EQ(-ECONNREFUSED, dec(r.fd, &m));
	if (!variant->table_full) {
		EXPECT_EQ(0, ep_create(self->ctl, "after-flood", MLS_EVBUF_F_EXCL));
		ep_remove(self->ctl, "after-flood");
	}
	close(r.fd);
	gate_parent_go(&gt);
	EXPECT_EQ(0, child_wait(pid));
}

/* ------------------------------------------------------ breakers and epochs */

/*
 * Forgeries in a past epoch (whoever holds its sender_data_secret, say a
 * member the last commit removed) trip that epoch's breaker for a leaf,
 * not the leaf's breaker in the current epoch.
 */
TEST_F(lim, past_epoch_forgeries_do_not_block_current_epoch)
{
	long long thr = mod_param("evbuf_fail_threshold");
	uint8_t enc0[MLS_MAX_HASH_LEN], sd0[MLS_MAX_HASH_LEN];
	struct inst g;
	struct msg m;
	int i;

	ASSERT_EQ(0, inst_create(self->ctl, &g, 3, MLS_GROUP_F_EPHEMERAL));
	memcpy(enc0, g.enc, sizeof(enc0));
	memcpy(sd0, g.sd, sizeof(sd0));
	ASSERT_EQ(0, inst_commit(&g));
	for (i = 0; i < thr; i++) {
		ASSERT_EQ(0, inst_msg(&g, enc0, sd0, 0, 1, (uint32_t)i, true, &m));
		EXPECT_EQ(-EBADMSG, dec(g.fd, &m));
	}
	/* Cut off in epoch 0 ... */
	ASSERT_EQ(0, inst_msg(&g, enc0, sd0, 0, 1, 0, false, &m));
	EXPECT_EQ(-ECONNREFUSED, dec(g.fd, &m));
	/* ... not in epoch 1. */
	ASSERT_EQ(0, inst_now(&g, 1, 0, false, &m));
	EXPECT_EQ(0, dec(g.fd, &m));
	close(g.fd);
}

FIXTURE(probe) {
	int ctl;
};

FIXTURE_VARIANT(probe) {
	int kind;	/* what the first message after the open time is */
};

enum { PROBE_REPLAY, PROBE_RANGE, PROBE_SMALL_BUFFER };

FIXTURE_VARIANT_ADD(probe, replay) { .kind = PROBE_REPLAY };
FIXTURE_VARIANT_ADD(probe, out_of_range) { .kind = PROBE_RANGE };
FIXTURE_VARIANT_ADD(probe, small_buffer) { .kind = PROBE_SMALL_BUFFER };

FIXTURE_SETUP(probe)
{
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(probe)
{
	close(self->ctl);
}

/*
 * After the open time the first record is the half-open probe. A replay
 * or a generation out of range (no key, no authentication) must give the
 * probe back, and the sender's genuine next message then decrypts. A too
 * small output buffer after a tag that verified is an authenticated
 * outcome: it closes the breaker.
 */
TEST_F(probe, only_authenticated_outcome_resolves_probe)
{
	long long thr = mod_param("evbuf_fail_threshold");
	long long base = mod_param("evbuf_open_base_ms");
	long long fwd = mod_param("max_forward");
	struct mls_decrypt d;
	struct msg m0, m, g1;
	struct dec o;
	struct inst g;
	int i;

	ASSERT_LT(0, thr);
	ASSERT_LT(0, base);
	ASSERT_GT(10000, base) TH_LOG("evbuf_open_base_ms too long for a test");
	ASSERT_EQ(0, inst_create(self->ctl, &g, 2, MLS_GROUP_F_EPHEMERAL));
	ASSERT_EQ(0, inst_now(&g, 1, 0, false, &m0));
	ASSERT_EQ(0, dec(g.fd, &m0));
	for (i = 0; i < thr; i++) {
		ASSERT_EQ(0, inst_now(&g, 1, 5 + (uint32_t)i, true, &m));
		EXPECT_EQ(-EBADMSG, dec(g.fd, &m));
	}
	ASSERT_EQ(0, inst_now(&g, 1, 1, false, &g1));
	EXPECT_EQ(-ECONNREFUSED, dec(g.fd, &g1));
	sleep_ms((unsigned int)base + 100);

	switch (variant->kind) {
	case PROBE_REPLAY:
		EXPECT_EQ(-EALREADY, dec(g.fd, &m0));
		break;
	case PROBE_RANGE:
		ASSERT_EQ(0, inst_now(&g, 1, (uint32_t)fwd + 100, false, &m));
		EXPECT_EQ(-ERANGE, dec(g.fd, &m));
		break;
	case PROBE_SMALL_BUFFER:
		dec_init(&d, g1.buf, g1.len, &o);
		d.content.len = 1;
		EXPECT_EQ(-ENOSPC, xioctl(g.fd, MLS_IOC_DECRYPT, &d));
		break;
	}
	/* The sender's genuine next message goes through. */
	EXPECT_EQ(0, dec(g.fd, &g1));
	close(g.fd);
}

/* ------------------------------------------------------------- memory cgroup */

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_TEST	CG_ROOT "/mls-limits"
#define CG_MAX	(24 << 20)

static long long cg_event(const char *name)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen(CG_TEST "/memory.events", "r");
	size_t n = strlen(name);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/*
 * In a memory cgroup of 24 MiB, a root process commits epochs with 60 KB
 * GroupContexts into 8 groups keeping 64 epochs each until the module
 * refuses: ENOMEM, cleanly. The process is not OOM-killed, the kernel
 * logs nothing (the run's log check), and the module serves afterwards.
 */
TEST_F_TIMEOUT(lim, memcg_small_gets_enomem_not_oom, 600)
{
	struct { int err; int commits; } *res;
	char buf[32];
	pid_t pid;
	int st, fd;

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		ASSERT_EQ(0, mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			TH_LOG("mount cgroup2: %s", strerror(errno));
	}
	ASSERT_EQ(0, write_str(CG_ROOT "/cgroup.subtree_control", "+memory"));
	rmdir(CG_TEST);
	ASSERT_EQ(0, mkdir(CG_TEST, 0755));
	snprintf(buf, sizeof(buf), "%d", CG_MAX);
	ASSERT_EQ(0, write_str(CG_TEST "/memory.max", buf));
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	res->err = 0;
	res->commits = 0;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct big b[8];
		int fds[8], ctl, i, r = 0;

		snprintf(buf, sizeof(buf), "%d", (int)getpid());
		CHILD_CHECK(!write_str(CG_TEST "/cgroup.procs", buf));
		ctl = ctl_open();
		CHILD_CHECK(ctl >= 0);
		for (i = 0; i < 8; i++) {
			fds[i] = big_create(ctl, &b[i], BIG_EXT, false);
			CHILD_CHECK(fds[i] >= 0);
			CHILD_CHECK(!grp_policy1(fds[i], MLS_POLICY_EPOCHS_KEPT, 64));
		}
		for (i = 0; i < 8 * 64 && !r; i++) {
			r = big_commit(fds[i % 8], &b[i % 8]);
			if (!r)
				res->commits++;
		}
		res->err = -r;
		/* Everything goes with the fds. */
		_exit(0);
	}
	st = child_wait(pid);
	EXPECT_EQ(0, st) TH_LOG("the process in the memory cgroup died");
	EXPECT_EQ(ENOMEM, res->err) TH_LOG("after %d commits: %s", res->commits,
					   strerror(res->err));
	EXPECT_LT(10, res->commits);
	EXPECT_EQ(0, cg_event("oom_kill"));
	TH_LOG("%d commits of 60 KB epochs before ENOMEM in %d MiB; oom events %lld",
	       res->commits, CG_MAX >> 20, cg_event("oom"));
	rmdir(CG_TEST);
	/* The module still serves. */
	fd = plain_group(self->ctl);
	EXPECT_LE(0, fd);
	close(fd);
	munmap(res, sizeof(*res));
}

/* ----------------------------------------------------- a message far ahead */

/* In order: generation-major over leaves 1..NORMAL_LEAVES. */
#define NORMAL_LEAVES	254
#define NORMAL_GENS	16
#define NORMAL_MSGS	(NORMAL_LEAVES * NORMAL_GENS)

struct normal {
	int fd;
	struct msg *m;
	int count;
	volatile int *stop;
	uint64_t max_ns, max_ns_during;
	int done, done_during, failed;
	volatile int *far_running;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *normal_loop(void *arg)
{
	struct normal *n = arg;
	static struct dec o;
	int i;

	for (i = 0; i < n->count && !*n->stop; i++) {
		int during = *n->far_running;
		uint64_t t0 = now_ns(), dt;

		if (dec_msg(n->fd, &n->m[i], &o))
			n->failed++;
		dt = now_ns() - t0;
		if (dt > n->max_ns)
			n->max_ns = dt;
		if (during && *n->far_running) {
			n->done_during++;
			if (dt > n->max_ns_during)
				n->max_ns_during = dt;
		}
		n->done++;
	}
	return NULL;
}

/*
 * A message max_forward_max generations ahead, from one leaf, while
 * another thread decrypts the other leaves' traffic in the same epoch. The
 * chain is derived without the tree's lock (the in-module self-test
 * "secret-tree far ahead" asserts the steps taken under it): the other
 * decrypts go on meanwhile, and the slowest of them stays far below the
 * far-ahead decrypt's own time. The figures are printed.
 */
TEST_F_TIMEOUT(lim, far_ahead_does_not_stall_the_epoch, 600)
{
	long long cap = mod_param("max_forward_max");
	volatile int stop = 0, far_running = 0;
	struct normal n = { 0 };
	uint64_t t0, far_ns, base_max;
	pthread_t th;
	struct msg far;
	struct inst g;
	int i, r;

	ASSERT_LT(0, cap);
	ASSERT_EQ(0, inst_create(self->ctl, &g, NORMAL_LEAVES + 2,
				 MLS_GROUP_F_EPHEMERAL));
	ASSERT_EQ(0, grp_policy1(g.fd, MLS_POLICY_MAX_FORWARD, (uint32_t)cap));
	n.m = calloc(NORMAL_MSGS, sizeof(*n.m));
	ASSERT_NE(NULL, n.m);
	for (i = 0; i < NORMAL_MSGS; i++)
		ASSERT_EQ(0, inst_now(&g, 1 + (uint32_t)i % NORMAL_LEAVES,
				      (uint32_t)i / NORMAL_LEAVES, false, &n.m[i]));
	ASSERT_EQ(0, inst_now(&g, NORMAL_LEAVES + 1, (uint32_t)cap, false, &far));

	/* Baseline: the first 500 alone. */
	for (i = 0; i < 500; i++) {
		uint64_t s = now_ns(), dt;

		ASSERT_EQ(0, dec_msg(g.fd, &n.m[i], &(struct dec){ 0 }));
		dt = now_ns() - s;
		if (dt > n.max_ns)
			n.max_ns = dt;
	}
	base_max = n.max_ns;
	n.max_ns = 0;
	n.m += 500;
	n.count = NORMAL_MSGS - 500;
	n.fd = g.fd;
	n.stop = &stop;
	n.far_running = &far_running;

	ASSERT_EQ(0, pthread_create(&th, NULL, normal_loop, &n));
	sleep_ms(20);
	far_running = 1;
	t0 = now_ns();
	r = dec(g.fd, &far);
	far_ns = now_ns() - t0;
	far_running = 0;
	stop = 1;
	pthread_join(th, NULL);
	n.m -= 500;

	EXPECT_EQ(0, r);
	EXPECT_EQ(0, n.failed);
	TH_LOG("decrypt %lld generations ahead: %.1f ms; in-order decrypts meanwhile: %d, slowest %.2f ms (alone: %.2f ms)",
	       cap, far_ns / 1e6, n.done_during, n.max_ns_during / 1e6,
	       base_max / 1e6);
	/* The other traffic went on, and never waited out the chain. */
	EXPECT_LT(0, n.done_during);
	EXPECT_LT(n.max_ns_during, far_ns / 4);
	free(n.m);
	close(g.fd);
}

TEST_HARNESS_MAIN
