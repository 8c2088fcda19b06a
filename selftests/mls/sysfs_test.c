// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mls and /sys/kernel/debug/mls (Documentation/ABI/testing/
 * sysfs-kernel-mls, Documentation/admin-guide/monitoring.rst): the files
 * and their modes; counters that move by exactly what was done (encrypt,
 * decrypt, forgeries, replays, commits, expiry, commit conflicts); the
 * latency histograms; a group's directory from create to destroy, its
 * owner and mode, and the group_sysfs parameter that makes it opt-in;
 * the module's memory by kind, moving as groups come and go; health through each of its rules (a breaker forced
 * open or open, a forging sender, groups up to 90% and 100% of
 * max_groups, the event buffer table to 90% and full); readers while
 * threads encrypt; and a debugfs dump that holds no secret.
 *
 * The module-wide counters are exact deltas: the suites run one at a
 * time and nothing else in the VM touches the module meanwhile. The
 * health tests use the module's default max_groups and evbuf_slots
 * (4096 each): filling both takes about 2 s under TCG, about 70 s on the
 * KASAN/lockdep kernel of make check-debug.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"

#define SYS		"/sys/kernel/mls"
#define DBG_GROUPS	"/sys/kernel/debug/mls/groups"
#define NBUCKETS	32
#define OTHER_UID	1000
#define THIRD_UID	1001

static const char *const stat_names[] = {
	"groups_active", "messages_encrypted", "messages_decrypted",
	"bytes_encrypted", "bytes_decrypted", "auth_failures", "replays",
	"epochs_rotated", "epochs_expired", "commit_conflicts",
	"commits_prepared", "commits_merged", "commits_discarded",
	"commits_timed_out", "tag_failures", "throttled",
	"breaker_trips", "breakers_open",
};

static const char *const latency_names[] = {
	"encrypt_ns", "decrypt_ns", "commit_ns", "commit_pending_ns",
	"encrypt_sum_ns", "decrypt_sum_ns", "commit_sum_ns",
	"commit_pending_sum_ns",
};

static const char *const mem_names[] = { "groups", "epochs", "trees" };

static const char *const group_names[] = {
	"group_id", "suite", "epoch", "oldest_epoch", "own_leaf", "leaf_count",
	"members", "state", "mode", "flags", "messages_encrypted",
	"messages_decrypted", "bytes_encrypted", "bytes_decrypted",
	"auth_failures", "replays", "epochs_rotated", "commits_prepared",
	"commits_merged", "commits_discarded", "commits_timed_out",
	"commit_conflicts", "tag_failures",
};

/* ------------------------------------------------------------- reading */

/* The whole file into @buf (NUL-terminated): its length, or -errno. */
static int read_path(const char *path, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	r = r < 0 ? -errno : 0;
	close(fd);
	buf[n] = 0;
	return r < 0 ? (int)r : (int)n;
}

/* One decimal value and a newline, nothing else: 0 or -1. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || strcmp(end, "\n") ? -1 : 0;
}

/* The value of a one-number file, or UINT64_MAX. */
static uint64_t read_u64(const char *path)
{
	char buf[64];
	uint64_t v;

	if (read_path(path, buf, sizeof(buf)) < 0 || parse_u64(buf, &v))
		return UINT64_MAX;
	return v;
}

static uint64_t stat_u64(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SYS "/stats/%s", name);
	return read_u64(path);
}

static void gpath(char *path, size_t cap, __u32 id, const char *name)
{
	snprintf(path, cap, SYS "/groups/%u/%s", id, name);
}

static uint64_t g_u64(__u32 id, const char *name)
{
	char path[128];

	gpath(path, sizeof(path), id, name);
	return read_u64(path);
}

/* A group's file as a string, the newline dropped; "" when unreadable. */
static const char *g_str(__u32 id, const char *name, char *buf, size_t cap)
{
	char path[128];
	int n;

	gpath(path, sizeof(path), id, name);
	n = read_path(path, buf, cap);
	if (n <= 0)
		buf[0] = 0;
	else if (buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return buf;
}

static bool g_dir_exists(__u32 id)
{
	char path[128];

	snprintf(path, sizeof(path), SYS "/groups/%u", id);
	return access(path, F_OK) == 0;
}

/* 0 healthy, 1 degraded, 2 unhealthy, -1 anything else. */
static int health(void)
{
	static const char *const words[] = { "healthy\n", "degraded\n", "unhealthy\n" };
	char buf[32];
	int i;

	if (read_path(SYS "/health", buf, sizeof(buf)) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (!strcmp(buf, words[i]))
			return i;
	return -1;
}

/* A histogram file: 32 counts separated by single spaces. 0 or -1. */
static int read_hist(const char *name, uint64_t b[NBUCKETS])
{
	char path[128], buf[1024], *p, *end;
	int i;

	snprintf(path, sizeof(path), SYS "/latency/%s", name);
	if (read_path(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = buf;
	for (i = 0; i < NBUCKETS; i++) {
		if (*p < '0' || *p > '9')
			return -1;
		b[i] = strtoull(p, &end, 10);
		if (*end != (i == NBUCKETS - 1 ? '\n' : ' '))
			return -1;
		p = end + 1;
	}
	return *p ? -1 : 0;
}

static uint64_t hist_total(const uint64_t b[NBUCKETS])
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < NBUCKETS; i++)
		t += b[i];
	return t;
}

static uint64_t lat_sum(const char *op)
{
	char path[128];

	snprintf(path, sizeof(path), SYS "/latency/%s_sum_ns", op);
	return read_u64(path);
}

/* The module-wide counters at one moment, and a group's. */
struct counters {
	uint64_t enc, dec, benc, bdec, auth, replays, rotated, expired, conflicts;
	uint64_t prepared, merged, discarded, timed_out, tags;
};

static void counters_read(struct counters *c)
{
	c->enc = stat_u64("messages_encrypted");
	c->dec = stat_u64("messages_decrypted");
	c->benc = stat_u64("bytes_encrypted");
	c->bdec = stat_u64("bytes_decrypted");
	c->auth = stat_u64("auth_failures");
	c->replays = stat_u64("replays");
	c->rotated = stat_u64("epochs_rotated");
	c->expired = stat_u64("epochs_expired");
	c->conflicts = stat_u64("commit_conflicts");
	c->prepared = stat_u64("commits_prepared");
	c->merged = stat_u64("commits_merged");
	c->discarded = stat_u64("commits_discarded");
	c->timed_out = stat_u64("commits_timed_out");
	c->tags = stat_u64("tag_failures");
}

static void g_counters_read(__u32 id, struct counters *c)
{
	memset(c, 0, sizeof(*c));
	c->enc = g_u64(id, "messages_encrypted");
	c->dec = g_u64(id, "messages_decrypted");
	c->benc = g_u64(id, "bytes_encrypted");
	c->bdec = g_u64(id, "bytes_decrypted");
	c->auth = g_u64(id, "auth_failures");
	c->replays = g_u64(id, "replays");
	c->rotated = g_u64(id, "epochs_rotated");
	c->conflicts = g_u64(id, "commit_conflicts");
	c->prepared = g_u64(id, "commits_prepared");
	c->merged = g_u64(id, "commits_merged");
	c->discarded = g_u64(id, "commits_discarded");
	c->timed_out = g_u64(id, "commits_timed_out");
	c->tags = g_u64(id, "tag_failures");
}

#define EXPECT_DELTA(before, after, field, want)				\
	EXPECT_EQ((uint64_t)(want), (after).field - (before).field)		\
		TH_LOG("%s", #field)

/* --------------------------------------------------------- other users */

/* Run @fn(@arg) in a child as uid/gid: its exit status (0: all good). */
static int as_user(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 250;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
			_exit(251);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid)
		return 252;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 253;
}

#define CHILD_CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "#   child (uid %u gid %u): %s:%d: %s\n",	\
			getuid(), getgid(), __FILE__, __LINE__, #cond);		\
		return 1;							\
	}									\
} while (0)

struct group_read {
	__u32 id;
	int want;	/* 0: every file reads; else -errno of each open */
};

static int child_read_group(void *arg)
{
	const struct group_read *r = arg;
	char path[128], buf[1024];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(group_names); i++) {
		gpath(path, sizeof(path), r->id, group_names[i]);
		if (r->want)
			CHILD_CHECK(read_path(path, buf, sizeof(buf)) == r->want);
		else
			CHILD_CHECK(read_path(path, buf, sizeof(buf)) > 0);
		/* Never writable, by anyone. */
		CHILD_CHECK(open(path, O_WRONLY) == -1 && errno == EACCES);
	}
	return 0;
}

/* ---------------------------------------------------------- the fixture */

FIXTURE(sysfs) {
	int ctl;
	int group_sysfs;
};

/* Groups' directories are opt-in (group_sysfs): on for these tests. */
FIXTURE_SETUP(sysfs)
{
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->group_sysfs = group_sysfs();
	ASSERT_LE(0, self->group_sysfs);
	ASSERT_EQ(0, set_group_sysfs(true));
}

FIXTURE_TEARDOWN(sysfs)
{
	set_group_sysfs(self->group_sysfs == 1);
	close(self->ctl);
}

/* A plain ephemeral group of suite 1: its fd, and its id in *@id. */
static int plain_group(int ctl, __u16 mode, __u32 *id)
{
	struct mls_group_new n;
	uint8_t gid[16];
	int fd;

	rand_bytes(gid, sizeof(gid));
	new_plain(&n, 1, gid, sizeof(gid), MLS_GROUP_F_EPHEMERAL);
	n.mode = mode;
	fd = grp_create(ctl, &n);
	*id = n.id;
	return fd;
}

/*
 * MLS_IOC_COMMIT or MLS_IOC_COMMIT_PREPARE (@cmd) of a one-leaf plain
 * group to epoch @epoch (0 or -errno).
 */
static int plain_stage(int fd, unsigned long cmd, __u64 epoch)
{
	struct grp_inputs in;
	struct mls_commit c;
	uint8_t cs[32];

	inputs_random(&in, 1);
	in.epoch = epoch;
	rand_bytes(cs, sizeof(cs));
	commit_init(&c, 1, cs, NULL, &in, 0, 1, NULL, 0);
	return xioctl(fd, cmd, &c);
}

static int plain_commit(int fd, __u64 epoch)
{
	return plain_stage(fd, MLS_IOC_COMMIT, epoch);
}

/* MLS_IOC_COMMIT_MERGE or _DISCARD (@cmd) of pending epoch @epoch. */
static int pending_op(int fd, unsigned long cmd, __u64 epoch)
{
	struct mls_commit_pending a = { .epoch = epoch };

	return xioctl(fd, cmd, &a);
}

static int commit_timeout(int fd, __u32 ms)
{
	struct mls_policy p = { .commit_timeout_ms = ms };

	return grp_policy(fd, MLS_POLICY_COMMIT_TIMEOUT, &p);
}

/* MLS_IOC_*_TAG (@cmd) of the current epoch over @data (membership). */
static int tag_op(int fd, unsigned long cmd, __u32 flags, const void *data,
		  size_t len, uint8_t *tag, size_t tag_len)
{
	struct mls_tag t = { .flags = flags };

	mbuf(&t.data, data, len);
	mbuf(&t.tag, tag, tag_len);
	return xioctl(fd, cmd, &t);
}

/* ------------------------------------------------------------ the files */

TEST_F(sysfs, module_wide_files)
{
	char buf[256], path[256];
	uint64_t b[NBUCKETS], v;
	struct stat st;
	ssize_t n;
	size_t i;

	ASSERT_LT(0, read_path(SYS "/version", buf, sizeof(buf)));
	EXPECT_NE(NULL, strchr(buf, '.'));
	EXPECT_EQ(MLS_API_VERSION, read_u64(SYS "/api_version"));
	EXPECT_LE(0, health()) TH_LOG("health is not one of the three words");

	/* module -> /sys/module/mls, where the parameters are. */
	n = readlink(SYS "/module", path, sizeof(path) - 1);
	ASSERT_LT(0, n);
	path[n] = 0;
	EXPECT_EQ(0, strcmp(path + strlen(path) - strlen("/module/mls"), "/module/mls"))
		TH_LOG("module -> %s", path);
	EXPECT_EQ((uint64_t)mod_param("max_groups"),
		  read_u64(SYS "/module/parameters/max_groups"));
	/* The commit timeout's default and cap (ms), read-only as the rest. */
	for (i = 0; i < 2; i++) {
		static const char *const p[] = { "commit_timeout_ms", "commit_timeout_ms_max" };

		snprintf(path, sizeof(path), SYS "/module/parameters/%s", p[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
		v = read_u64(path);
		EXPECT_LE(1, v) TH_LOG("%s", path);
		EXPECT_NE(UINT64_MAX, v) TH_LOG("%s", path);
	}

	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		snprintf(path, sizeof(path), SYS "/stats/%s", stat_names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
		EXPECT_EQ(0, read_path(path, buf, sizeof(buf)) < 0 || parse_u64(buf, &v))
			TH_LOG("%s: \"%s\"", path, buf);
	}
	for (i = 0; i < ARRAY_SIZE(latency_names); i++) {
		snprintf(path, sizeof(path), SYS "/latency/%s", latency_names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
		if (strstr(latency_names[i], "_sum_ns")) {
			EXPECT_NE(UINT64_MAX, read_u64(path)) TH_LOG("%s", path);
		} else {
			EXPECT_EQ(0, read_hist(latency_names[i], b)) TH_LOG("%s", path);
		}
	}
	for (i = 0; i < 3; i++) {
		static const char *const top[] = { "version", "api_version", "health" };

		snprintf(path, sizeof(path), SYS "/%s", top[i]);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
	}
	for (i = 0; i < ARRAY_SIZE(mem_names); i++) {
		snprintf(path, sizeof(path), SYS "/memory/%s", mem_names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
		EXPECT_NE(UINT64_MAX, read_u64(path)) TH_LOG("%s", path);
	}
	ASSERT_EQ(0, stat(SYS "/groups", &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	/* group_sysfs: root may turn it on and off, others only read it. */
	ASSERT_EQ(0, stat("/sys/module/mls/parameters/group_sysfs", &st));
	EXPECT_EQ(0644, st.st_mode & 07777);
}

static int child_no_write(void *arg)
{
	const char *const *paths = arg;
	int i;

	for (i = 0; paths[i]; i++) {
		errno = 0;
		CHILD_CHECK(open(paths[i], O_WRONLY) == -1 && errno == EACCES);
	}
	return 0;
}

TEST_F(sysfs, files_are_read_only)
{
	static char paths[ARRAY_SIZE(stat_names) + ARRAY_SIZE(latency_names) +
			  ARRAY_SIZE(mem_names) + 4][128];
	const char *list[ARRAY_SIZE(paths) + ARRAY_SIZE(group_names) + 1];
	char gpaths[ARRAY_SIZE(group_names)][128];
	size_t i, n = 0;
	__u32 id;
	int fd;

	for (i = 0; i < ARRAY_SIZE(stat_names); i++)
		snprintf(paths[n++], sizeof(paths[0]), SYS "/stats/%s", stat_names[i]);
	for (i = 0; i < ARRAY_SIZE(latency_names); i++)
		snprintf(paths[n++], sizeof(paths[0]), SYS "/latency/%s", latency_names[i]);
	for (i = 0; i < ARRAY_SIZE(mem_names); i++)
		snprintf(paths[n++], sizeof(paths[0]), SYS "/memory/%s", mem_names[i]);
	snprintf(paths[n++], sizeof(paths[0]), SYS "/version");
	snprintf(paths[n++], sizeof(paths[0]), SYS "/api_version");
	snprintf(paths[n++], sizeof(paths[0]), SYS "/health");
	snprintf(paths[n++], sizeof(paths[0]), SYS "/drain");
	for (i = 0; i < n; i++)
		list[i] = paths[i];

	/* A group readable by all (0644): only the lack of write shows. */
	fd = plain_group(self->ctl, 0644, &id);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(group_names); i++) {
		gpath(gpaths[i], sizeof(gpaths[0]), id, group_names[i]);
		list[n++] = gpaths[i];
	}
	list[n] = NULL;

	/* Root too: a file with no store cannot be opened for writing. */
	for (i = 0; list[i]; i++) {
		errno = 0;
		EXPECT_EQ(-1, open(list[i], O_WRONLY)) TH_LOG("%s", list[i]);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", list[i]);
		errno = 0;
		EXPECT_EQ(-1, open(list[i], O_RDWR)) TH_LOG("%s", list[i]);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", list[i]);
	}
	EXPECT_EQ(0, as_user(OTHER_UID, OTHER_UID, child_no_write, list));
	close(fd);
}

/* --------------------------------------------------------------- memory */

static uint64_t mem_u64(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SYS "/memory/%s", name);
	return read_u64(path);
}

/* Wait (up to 5 s) for the RCU-deferred frees to bring @name to @v. */
static bool mem_settles(const char *name, uint64_t v)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (mem_u64(name) == v)
			return true;
		usleep(50000);
	}
	return false;
}

/*
 * @name once it stopped moving (the same value 0.3 s apart; up to 5 s):
 * a group destroyed by the test before frees its structure after an RCU
 * grace period.
 */
static uint64_t mem_stable(const char *name)
{
	uint64_t v = mem_u64(name), w;
	int i;

	for (i = 0; i < 16; i++) {
		usleep(300000);
		w = mem_u64(name);
		if (w == v)
			break;
		v = w;
	}
	return v;
}

#define MEM_GROUPS	40

/*
 * memory/: each kind grows by what a group, its epochs and its tree hold
 * (at least the structure sizes the module cannot do without), commits
 * add epochs, a first encrypt grows the tree, and closing the fds of
 * ephemeral groups brings every kind back to where it was.
 */
TEST_F(sysfs, memory_follows_groups)
{
	uint64_t g0, e0, t0, g1, e1, t1, e2, t2;
	static struct msg m;
	uint8_t sig[64];
	int fd[MEM_GROUPS];
	__u32 id;
	int i;

	ASSERT_EQ(0, set_group_sysfs(false));
	g0 = mem_stable("groups");
	e0 = mem_stable("epochs");
	t0 = mem_stable("trees");
	ASSERT_NE(UINT64_MAX, g0);
	ASSERT_NE(UINT64_MAX, e0);
	ASSERT_NE(UINT64_MAX, t0);
	for (i = 0; i < MEM_GROUPS; i++) {
		fd[i] = plain_group(self->ctl, 0600, &id);
		ASSERT_LE(0, fd[i]);
	}
	g1 = mem_u64("groups");
	e1 = mem_u64("epochs");
	t1 = mem_u64("trees");
	/* A group is more than 256 bytes, an epoch more than 128, a tree 64. */
	EXPECT_LE(g0 + MEM_GROUPS * 256, g1);
	EXPECT_LE(e0 + MEM_GROUPS * 128, e1);
	EXPECT_LE(t0 + MEM_GROUPS * 64, t1);

	/* One commit each: one more epoch and tree per group. */
	for (i = 0; i < MEM_GROUPS; i++)
		ASSERT_EQ(0, plain_commit(fd[i], 1));
	e2 = mem_u64("epochs");
	t2 = mem_u64("trees");
	EXPECT_LE(e1 + MEM_GROUPS * 128, e2);
	EXPECT_LE(t1 + MEM_GROUPS * 64, t2);
	EXPECT_EQ(g1, mem_u64("groups"));

	/* The first message splits nothing in a one-leaf tree but takes
	 * its leaf: the tree grows by the leaf's ratchets.
	 */
	memset(sig, 0x5a, sizeof(sig));
	ASSERT_EQ(0, grp_encrypt(fd[0], MLS_CONTENT_APPLICATION, NULL, 0, "m", 1,
				 sig, sizeof(sig), &m));
	EXPECT_LT(t2, mem_u64("trees"));

	for (i = 0; i < MEM_GROUPS; i++)
		close(fd[i]);
	EXPECT_TRUE(mem_settles("groups", g0)) TH_LOG("groups %llu, was %llu",
		(unsigned long long)mem_u64("groups"), (unsigned long long)g0);
	EXPECT_TRUE(mem_settles("epochs", e0)) TH_LOG("epochs %llu, was %llu",
		(unsigned long long)mem_u64("epochs"), (unsigned long long)e0);
	EXPECT_TRUE(mem_settles("trees", t0)) TH_LOG("trees %llu, was %llu",
		(unsigned long long)mem_u64("trees"), (unsigned long long)t0);
}

/*
 * group_sysfs: a group made while it is off has no directory (and gets
 * none when it is turned on), one made while it is on has one; its
 * directory is counted in memory/groups. Only root may change it.
 */
static int child_set_group_sysfs(void *arg)
{
	(void)arg;
	errno = 0;
	CHILD_CHECK(set_group_sysfs(true) == -EACCES);
	return 0;
}

TEST_F(sysfs, group_sysfs_is_opt_in)
{
	uint64_t g0, g_off, g_on;
	__u32 off, on;
	int fd_off, fd_on;

	ASSERT_EQ(0, set_group_sysfs(false));
	EXPECT_EQ(0, group_sysfs());
	g0 = mem_stable("groups");
	fd_off = plain_group(self->ctl, 0600, &off);
	ASSERT_LE(0, fd_off);
	g_off = mem_u64("groups") - g0;
	EXPECT_FALSE(g_dir_exists(off));
	EXPECT_EQ(0, as_user(OTHER_UID, OTHER_UID, child_set_group_sysfs, NULL));
	EXPECT_EQ(0, group_sysfs());

	ASSERT_EQ(0, set_group_sysfs(true));
	EXPECT_EQ(1, group_sysfs());
	EXPECT_FALSE(g_dir_exists(off));
	g0 = mem_stable("groups");
	fd_on = plain_group(self->ctl, 0600, &on);
	ASSERT_LE(0, fd_on);
	g_on = mem_u64("groups") - g0;
	EXPECT_TRUE(g_dir_exists(on));
	EXPECT_EQ(0, g_u64(on, "epoch"));
	EXPECT_LT(g_off, g_on);

	ASSERT_EQ(0, set_group_sysfs(false));
	EXPECT_TRUE(g_dir_exists(on));
	close(fd_on);
	close(fd_off);
	EXPECT_FALSE(g_dir_exists(on));
}

/* ------------------------------------------------------------- counters */

TEST_F(sysfs, encrypt_decrypt_counts)
{
	static const size_t sizes[] = { 0, 1, 17, 100, 1000, 4000, 12000 };
	uint64_t eb0[NBUCKETS], eb1[NBUCKETS], db0[NBUCKETS], db1[NBUCKETS];
	struct counters m0, m1, a0, a1, b0, b1;
	uint64_t total = 0, esum0, dsum0;
	struct msg *msgs;
	struct dec *out;
	struct pair p;
	uint8_t *data;
	size_t i, n = ARRAY_SIZE(sizes);

	msgs = calloc(n, sizeof(*msgs));
	out = calloc(1, sizeof(*out));
	data = malloc(12000);
	ASSERT_TRUE(msgs && out && data);
	rand_bytes(data, 12000);
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_TRUE(g_dir_exists(p.a_id));

	counters_read(&m0);
	g_counters_read(p.a_id, &a0);
	g_counters_read(p.b_id, &b0);
	ASSERT_EQ(0, read_hist("encrypt_ns", eb0));
	ASSERT_EQ(0, read_hist("decrypt_ns", db0));
	esum0 = lat_sum("encrypt");
	dsum0 = lat_sum("decrypt");
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, grp_encrypt(p.a, MLS_CONTENT_APPLICATION, "ad", 2,
					 data, sizes[i], p.sig, p.sig_len, &msgs[i]));
		total += sizes[i];
	}
	/* A failed encrypt counts for nothing: the buffer is too small. */
	{
		struct mls_encrypt e;
		uint8_t small[8];

		enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, data, 100, p.sig, p.sig_len,
			 small, sizeof(small));
		EXPECT_EQ(-ENOSPC, xioctl(p.a, MLS_IOC_ENCRYPT, &e));
	}
	counters_read(&m1);
	g_counters_read(p.a_id, &a1);
	g_counters_read(p.b_id, &b1);
	ASSERT_EQ(0, read_hist("encrypt_ns", eb1));
	EXPECT_DELTA(m0, m1, enc, n);
	EXPECT_DELTA(m0, m1, benc, total);
	EXPECT_DELTA(a0, a1, enc, n);
	EXPECT_DELTA(a0, a1, benc, total);
	EXPECT_DELTA(b0, b1, enc, 0);
	EXPECT_DELTA(m0, m1, dec, 0);
	EXPECT_EQ(n, hist_total(eb1) - hist_total(eb0));
	EXPECT_LT(esum0, lat_sum("encrypt"));

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, dec_msg(p.b, &msgs[i], out));
		ASSERT_EQ(sizes[i], out->content_len);
	}
	counters_read(&m0);
	g_counters_read(p.a_id, &a0);
	g_counters_read(p.b_id, &b0);
	ASSERT_EQ(0, read_hist("decrypt_ns", db1));
	EXPECT_DELTA(m1, m0, dec, n);
	EXPECT_DELTA(m1, m0, bdec, total);
	EXPECT_DELTA(m1, m0, enc, 0);
	EXPECT_DELTA(b1, b0, dec, n);
	EXPECT_DELTA(b1, b0, bdec, total);
	EXPECT_DELTA(a1, a0, dec, 0);
	EXPECT_EQ(n, hist_total(db1) - hist_total(db0));
	EXPECT_LT(dsum0, lat_sum("decrypt"));
	EXPECT_DELTA(m1, m0, auth, 0);
	EXPECT_DELTA(m1, m0, replays, 0);
	pair_close(&p);
	free(msgs);
	free(out);
	free(data);
}

/* Flip one byte of the encrypted sender data of @m. */
static void spoil_sender_data(struct msg *m)
{
	struct pm pm;

	if (pm_parse(m->buf, m->len, &pm))
		abort();
	m->buf[pm.esd_off + 3] ^= 0x01;
}

TEST_F(sysfs, auth_failures_count_failed_tags_only)
{
	struct counters m0, m1, a0, a1, b0, b1;
	uint8_t content[64], pt[256];
	struct msg *good, *bad, *other;
	struct craft c;
	struct pair p, q;
	struct dec *out;
	size_t pt_len;

	good = calloc(1, sizeof(*good));
	bad = calloc(1, sizeof(*bad));
	other = calloc(1, sizeof(*other));
	out = calloc(1, sizeof(*out));
	ASSERT_TRUE(good && bad && other && out);
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, pair_make(&q, 1));
	rand_bytes(content, sizeof(content));

	counters_read(&m0);
	g_counters_read(p.a_id, &a0);
	g_counters_read(p.b_id, &b0);

	/* 1: the sender data's tag fails (not sealed under this epoch). */
	ASSERT_EQ(0, grp_encrypt(p.a, MLS_CONTENT_APPLICATION, NULL, 0, content,
				 sizeof(content), p.sig, p.sig_len, bad));
	spoil_sender_data(bad);
	EXPECT_EQ(-EBADMSG, dec_msg(p.b, bad, out));

	/* 2: valid sender data from leaf 0, a content key that is not its. */
	pt_len = app_plaintext(pt, content, sizeof(content), NULL, 0, 0);
	memset(&c, 0, sizeof(c));
	c.suite = p.suite;
	c.group_id = p.in.group_id;
	c.group_id_len = p.in.group_id_len;
	c.epoch = p.in.epoch;
	c.ctype = MLS_CONTENT_APPLICATION;
	c.pt = pt;
	c.pt_len = pt_len;
	c.leaf = 0;
	c.gen = 5;
	c.encryption_secret = p.es.encryption;
	c.sender_data_secret = p.es.sender_data;
	c.leaf_count = p.leaf_count;
	c.bad_content_key = true;
	bad->len = craft_message(&c, bad->buf);
	ASSERT_LT(0, bad->len);
	EXPECT_EQ(-EBADMSG, dec_msg(p.b, bad, out));

	/*
	 * 3: a real message with its content tag spoiled (the ciphertext is
	 * longer than the sample, so the sender data still opens); the
	 * genuine message decrypts afterwards.
	 */
	ASSERT_EQ(0, grp_encrypt(p.a, MLS_CONTENT_APPLICATION, NULL, 0, content,
				 sizeof(content), p.sig, p.sig_len, good));
	memcpy(bad, good, sizeof(*good));
	bad->buf[bad->len - 1] ^= 0x80;
	EXPECT_EQ(-EBADMSG, dec_msg(p.b, bad, out));
	EXPECT_EQ(0, dec_msg(p.b, good, out));

	/* Not authentication failures: */
	/* - A's own message back to A (own sender leaf); */
	EXPECT_EQ(-EBADMSG, dec_msg(p.a, good, out));
	/* - a malformed message; */
	memcpy(bad, good, sizeof(*good));
	bad->len -= 1;
	EXPECT_EQ(-EBADMSG, dec_msg(p.b, bad, out));
	/* - another group's message. */
	ASSERT_EQ(0, enc_text(q.a, "another group", other));
	EXPECT_EQ(-EBADMSG, dec_msg(p.b, other, out));

	counters_read(&m1);
	g_counters_read(p.a_id, &a1);
	g_counters_read(p.b_id, &b1);
	EXPECT_DELTA(m0, m1, auth, 3);
	EXPECT_DELTA(b0, b1, auth, 3);
	EXPECT_DELTA(a0, a1, auth, 0);
	EXPECT_DELTA(m0, m1, dec, 1);
	EXPECT_DELTA(m0, m1, replays, 0);
	pair_close(&p);
	pair_close(&q);
	free(good);
	free(bad);
	free(other);
	free(out);
}

TEST_F(sysfs, replays_count)
{
	struct counters m0, m1, b0, b1;
	struct msg *m;
	struct dec *out;
	struct pair p;

	m = calloc(1, sizeof(*m));
	out = calloc(1, sizeof(*out));
	ASSERT_TRUE(m && out);
	ASSERT_EQ(0, pair_make(&p, 3));
	ASSERT_EQ(0, enc_text(p.a, "once only", m));
	counters_read(&m0);
	g_counters_read(p.b_id, &b0);
	EXPECT_EQ(0, dec_msg(p.b, m, out));
	EXPECT_EQ(-EALREADY, dec_msg(p.b, m, out));
	EXPECT_EQ(-EALREADY, dec_msg(p.b, m, out));
	counters_read(&m1);
	g_counters_read(p.b_id, &b1);
	EXPECT_DELTA(m0, m1, replays, 2);
	EXPECT_DELTA(b0, b1, replays, 2);
	EXPECT_DELTA(m0, m1, dec, 1);
	EXPECT_DELTA(m0, m1, auth, 0);
	pair_close(&p);
	free(m);
	free(out);
}

TEST_F(sysfs, commit_rotates_and_is_timed)
{
	uint64_t h0[NBUCKETS], h1[NBUCKETS], h2[NBUCKETS], s0, s1, d;
	struct counters m0, m1, a0, a1, b0, b1;
	int i, hit = -1;
	struct pair p;

	ASSERT_EQ(0, pair_make(&p, 2));
	EXPECT_EQ(0, g_u64(p.a_id, "epoch"));
	counters_read(&m0);
	g_counters_read(p.a_id, &a0);
	g_counters_read(p.b_id, &b0);
	ASSERT_EQ(0, read_hist("commit_ns", h0));
	ASSERT_EQ(0, pair_commit(&p));
	counters_read(&m1);
	g_counters_read(p.a_id, &a1);
	g_counters_read(p.b_id, &b1);
	ASSERT_EQ(0, read_hist("commit_ns", h1));
	EXPECT_DELTA(m0, m1, rotated, 2);
	EXPECT_DELTA(a0, a1, rotated, 1);
	EXPECT_DELTA(b0, b1, rotated, 1);
	EXPECT_DELTA(m0, m1, conflicts, 0);
	EXPECT_EQ(2, hist_total(h1) - hist_total(h0));
	EXPECT_EQ(1, g_u64(p.a_id, "epoch"));
	EXPECT_EQ(0, g_u64(p.a_id, "oldest_epoch"));
	EXPECT_EQ(1, g_u64(p.b_id, "epoch"));

	/* One commit alone: its bucket is the one its duration falls in. */
	s0 = lat_sum("commit");
	ASSERT_EQ(0, member_commit(&p, p.a, 0, p.es.init));
	s1 = lat_sum("commit");
	ASSERT_EQ(0, read_hist("commit_ns", h2));
	d = s1 - s0;
	for (i = 0; i < NBUCKETS; i++) {
		if (h2[i] == h1[i])
			continue;
		EXPECT_EQ(-1, hit) TH_LOG("more than one bucket moved");
		EXPECT_EQ(h1[i] + 1, h2[i]);
		hit = i;
	}
	ASSERT_LE(0, hit);
	/* Bucket i: [2^i, 2^(i+1)) ns; 0 also takes 0; the last, the rest. */
	if (hit == 0) {
		EXPECT_GT(2, d);
	} else if (hit == NBUCKETS - 1) {
		EXPECT_LE(1ULL << 31, d);
	} else {
		EXPECT_TRUE(d >= 1ULL << hit && d < 2ULL << hit)
			TH_LOG("%llu ns in bucket %d", (unsigned long long)d, hit);
	}
	pair_close(&p);
}

TEST_F_TIMEOUT(sysfs, retention_counts_expired_epochs, 120)
{
	struct counters m0, m1;
	struct pair p;
	int i;

	ASSERT_EQ(0, pair_make_flags(&p, 1, 0));
	/* Kept by count only: no epoch ages out during the test. */
	ASSERT_EQ(0, grp_policy1(p.a, MLS_POLICY_EPOCH_MAX_AGE, max_age_longest()));
	ASSERT_EQ(0, grp_policy1(p.b, MLS_POLICY_EPOCH_MAX_AGE, max_age_longest()));
	ASSERT_EQ(0, grp_policy1(p.a, MLS_POLICY_EPOCHS_KEPT, 1));
	counters_read(&m0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pair_commit(&p));
	counters_read(&m1);
	/* A keeps one past epoch: 0 and 1 went; B keeps them all. */
	EXPECT_DELTA(m0, m1, expired, 2);
	EXPECT_EQ(3, g_u64(p.a_id, "epoch"));
	EXPECT_EQ(2, g_u64(p.a_id, "oldest_epoch"));
	EXPECT_EQ(0, g_u64(p.b_id, "oldest_epoch"));
	EXPECT_EQ(3, g_u64(p.a_id, "epochs_rotated"));

	/* A shorter retention erases at once. */
	ASSERT_EQ(0, grp_policy1(p.a, MLS_POLICY_EPOCHS_KEPT, 0));
	counters_read(&m0);
	EXPECT_DELTA(m1, m0, expired, 1);
	EXPECT_EQ(3, g_u64(p.a_id, "oldest_epoch"));

	/*
	 * By age: B's three past epochs go within a second or so, erased by
	 * the retention worker if nothing else touches B first.
	 */
	ASSERT_EQ(0, grp_policy1(p.b, MLS_POLICY_EPOCH_MAX_AGE, 1));
	for (i = 0; i < 200 && g_u64(p.b_id, "oldest_epoch") != 3; i++)
		sleep_ms(100);
	EXPECT_EQ(3, g_u64(p.b_id, "oldest_epoch"));
	counters_read(&m1);
	EXPECT_DELTA(m0, m1, expired, 3);

	/* Epochs of a destroyed group are not expired by retention. */
	ASSERT_EQ(0, grp_policy1(p.b, MLS_POLICY_EPOCH_MAX_AGE, max_age_longest()));
	ASSERT_EQ(0, pair_commit(&p));
	EXPECT_EQ(3, g_u64(p.b_id, "oldest_epoch"));
	counters_read(&m0);
	ASSERT_EQ(0, grp_destroy(p.b));
	ASSERT_EQ(0, grp_destroy(p.a));
	counters_read(&m1);
	EXPECT_DELTA(m0, m1, expired, 0);
	pair_close(&p);
}

struct racer {
	int fd;
	int rounds;
	int ok, busy, stale, other;
};

static void *commit_racer(void *arg)
{
	struct racer *r = arg;
	int i, ret;

	for (i = 0; i < r->rounds; i++) {
		int64_t e = grp_epoch(r->fd);

		if (e < 0) {
			r->other++;
			continue;
		}
		ret = plain_commit(r->fd, (__u64)e + 1);
		if (!ret)
			r->ok++;
		else if (ret == -EBUSY)
			r->busy++;
		else if (ret == -ESTALE)
			r->stale++;
		else
			r->other++;
	}
	return NULL;
}

TEST_F(sysfs, commit_conflicts_count_ebusy_and_estale)
{
	struct racer r[4];
	pthread_t t[4];
	struct counters m0, m1;
	int fd, i, ok = 0, busy = 0, stale = 0;
	__u32 id;

	fd = plain_group(self->ctl, 0, &id);
	ASSERT_LE(0, fd);
	counters_read(&m0);
	/* Built on an epoch that is not current: -ESTALE, one conflict. */
	EXPECT_EQ(-ESTALE, plain_commit(fd, 5));
	EXPECT_EQ(-ESTALE, plain_commit(fd, 0));
	counters_read(&m1);
	EXPECT_DELTA(m0, m1, conflicts, 2);
	EXPECT_DELTA(m0, m1, rotated, 0);
	/* the group's own count too */
	EXPECT_EQ(2, g_u64(id, "commit_conflicts"));

	/* Racing committers: every -EBUSY and -ESTALE is one conflict. */
	counters_read(&m0);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ .fd = fd, .rounds = 40 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, commit_racer, &r[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].other);
		ok += r[i].ok;
		busy += r[i].busy;
		stale += r[i].stale;
	}
	counters_read(&m1);
	TH_LOG("160 racing commits: %d applied, %d EBUSY, %d ESTALE", ok, busy, stale);
	EXPECT_DELTA(m0, m1, conflicts, busy + stale);
	EXPECT_DELTA(m0, m1, rotated, ok);
	EXPECT_EQ((uint64_t)ok, g_u64(id, "epoch"));
	EXPECT_EQ((uint64_t)ok, g_u64(id, "epochs_rotated"));
	EXPECT_EQ((uint64_t)(2 + busy + stale), g_u64(id, "commit_conflicts"));
	close(fd);
}

/* Every module-wide and group counter of a pending commit moves by @d. */
#define EXPECT_COMMIT_DELTAS(c0, c1, p, m, d, t, x, tags_) do {		\
	EXPECT_DELTA(c0, c1, prepared, p);					\
	EXPECT_DELTA(c0, c1, merged, m);					\
	EXPECT_DELTA(c0, c1, rotated, m);					\
	EXPECT_DELTA(c0, c1, discarded, d);					\
	EXPECT_DELTA(c0, c1, timed_out, t);					\
	EXPECT_DELTA(c0, c1, conflicts, x);					\
	EXPECT_DELTA(c0, c1, tags, tags_);					\
} while (0)

TEST_F_TIMEOUT(sysfs, pending_commits_count, 120)
{
	uint64_t pend0[NBUCKETS], pend1[NBUCKETS], com0[NBUCKETS], com1[NBUCKETS];
	uint8_t tag[MLS_MAX_HASH_LEN], tbm[40];
	struct counters m0, m1, g0, g1;
	int fd, i;
	__u32 id;

	fd = plain_group(self->ctl, 0, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, commit_timeout(fd, 60000));
	counters_read(&m0);
	g_counters_read(id, &g0);
	ASSERT_EQ(0, read_hist("commit_pending_ns", pend0));
	ASSERT_EQ(0, read_hist("commit_ns", com0));

	/* Staged: the group stays in epoch 0 until the merge. */
	ASSERT_EQ(0, plain_stage(fd, MLS_IOC_COMMIT_PREPARE, 1));
	EXPECT_EQ(0, g_u64(id, "epoch"));
	/* Conflicts: a second prepare, a one-shot commit, another epoch. */
	EXPECT_EQ(-EBUSY, plain_stage(fd, MLS_IOC_COMMIT_PREPARE, 1));
	EXPECT_EQ(-EBUSY, plain_stage(fd, MLS_IOC_COMMIT, 1));
	EXPECT_EQ(-ESTALE, pending_op(fd, MLS_IOC_COMMIT_MERGE, 2));
	EXPECT_EQ(-ESTALE, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 2));
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(1, g_u64(id, "epoch"));
	/* Nothing pending: not a conflict. */
	EXPECT_EQ(-ENOENT, pending_op(fd, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(-ENOENT, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 2));
	counters_read(&m1);
	g_counters_read(id, &g1);
	ASSERT_EQ(0, read_hist("commit_pending_ns", pend1));
	ASSERT_EQ(0, read_hist("commit_ns", com1));
	EXPECT_COMMIT_DELTAS(m0, m1, 1, 1, 0, 0, 4, 0);
	EXPECT_COMMIT_DELTAS(g0, g1, 1, 1, 0, 0, 4, 0);
	EXPECT_EQ(1, hist_total(pend1) - hist_total(pend0));
	EXPECT_EQ(0, hist_total(com1) - hist_total(com0));

	/* Prepared then discarded; then a one-shot commit (prepare + merge). */
	m0 = m1;
	g0 = g1;
	memcpy(pend0, pend1, sizeof(pend0));
	memcpy(com0, com1, sizeof(com0));
	ASSERT_EQ(0, plain_stage(fd, MLS_IOC_COMMIT_PREPARE, 2));
	ASSERT_EQ(0, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 2));
	EXPECT_EQ(1, g_u64(id, "epoch"));
	EXPECT_EQ(-ENOENT, pending_op(fd, MLS_IOC_COMMIT_MERGE, 2));
	ASSERT_EQ(0, plain_commit(fd, 2));
	EXPECT_EQ(2, g_u64(id, "epoch"));
	counters_read(&m1);
	g_counters_read(id, &g1);
	ASSERT_EQ(0, read_hist("commit_pending_ns", pend1));
	ASSERT_EQ(0, read_hist("commit_ns", com1));
	EXPECT_COMMIT_DELTAS(m0, m1, 2, 1, 1, 0, 0, 0);
	EXPECT_COMMIT_DELTAS(g0, g1, 2, 1, 1, 0, 0, 0);
	EXPECT_EQ(0, hist_total(pend1) - hist_total(pend0));
	EXPECT_EQ(1, hist_total(com1) - hist_total(com0));

	/*
	 * Past its timeout: discarded by the merge that finds it (or by the
	 * retention worker, if it came first: counted the same), and by the
	 * worker alone, within a second or so.
	 */
	m0 = m1;
	g0 = g1;
	ASSERT_EQ(0, commit_timeout(fd, 1));
	ASSERT_EQ(0, plain_stage(fd, MLS_IOC_COMMIT_PREPARE, 3));
	sleep_ms(20);
	EXPECT_EQ(-ETIMEDOUT, pending_op(fd, MLS_IOC_COMMIT_MERGE, 3));
	EXPECT_EQ(-ETIMEDOUT, pending_op(fd, MLS_IOC_COMMIT_DISCARD, 3));
	ASSERT_EQ(0, plain_stage(fd, MLS_IOC_COMMIT_PREPARE, 3));
	for (i = 0; i < 100 && g_u64(id, "commits_timed_out") != g0.timed_out + 2; i++)
		sleep_ms(100);
	EXPECT_EQ(-ETIMEDOUT, pending_op(fd, MLS_IOC_COMMIT_MERGE, 3));
	EXPECT_EQ(2, g_u64(id, "epoch"));
	counters_read(&m1);
	g_counters_read(id, &g1);
	EXPECT_COMMIT_DELTAS(m0, m1, 2, 0, 2, 2, 0, 0);
	EXPECT_COMMIT_DELTAS(g0, g1, 2, 0, 2, 2, 0, 0);

	/* Tags: one failure per verify that differs, none for a good one. */
	m0 = m1;
	g0 = g1;
	rand_bytes(tbm, sizeof(tbm));
	ASSERT_EQ(0, tag_op(fd, MLS_IOC_CONFIRMATION_TAG, 0, NULL, 0, tag, 32));
	EXPECT_EQ(0, tag_op(fd, MLS_IOC_CONFIRMATION_TAG, MLS_TAG_F_VERIFY, NULL, 0,
			    tag, 32));
	tag[31] ^= 1;
	EXPECT_EQ(-EBADMSG, tag_op(fd, MLS_IOC_CONFIRMATION_TAG, MLS_TAG_F_VERIFY,
				   NULL, 0, tag, 32));
	ASSERT_EQ(0, tag_op(fd, MLS_IOC_MEMBERSHIP_TAG, 0, tbm, sizeof(tbm), tag, 32));
	EXPECT_EQ(0, tag_op(fd, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_VERIFY, tbm,
			    sizeof(tbm), tag, 32));
	tag[0] ^= 0x80;
	EXPECT_EQ(-EBADMSG, tag_op(fd, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_VERIFY, tbm,
				   sizeof(tbm), tag, 32));
	counters_read(&m1);
	g_counters_read(id, &g1);
	EXPECT_COMMIT_DELTAS(m0, m1, 0, 0, 0, 0, 0, 2);
	EXPECT_COMMIT_DELTAS(g0, g1, 0, 0, 0, 0, 0, 2);

	/* Destroyed with a commit pending: discarded, not timed out. */
	m0 = m1;
	ASSERT_EQ(0, commit_timeout(fd, 60000));
	ASSERT_EQ(0, plain_stage(fd, MLS_IOC_COMMIT_PREPARE, 3));
	ASSERT_EQ(0, grp_destroy(fd));
	EXPECT_FALSE(g_dir_exists(id));
	counters_read(&m1);
	EXPECT_COMMIT_DELTAS(m0, m1, 1, 0, 1, 0, 0, 0);
	close(fd);
}

/* ----------------------------------------------------- a group's directory */

TEST_F(sysfs, group_directory_from_create_to_destroy)
{
	uint8_t occ[1] = { 0x0b };	/* leaves 0, 1, 3 of 4 */
	char buf[600], hex[2 * MLS_MAX_GROUP_ID_LEN + 1];
	uint64_t active;
	struct grp_inputs in;
	struct mls_group_new n;
	struct stat st;
	char path[128];
	__u32 id, id2;
	size_t i;
	int fd, fd2;

	active = stat_u64("groups_active");
	inputs_random(&in, 3);
	in.group_id_len = MLS_MAX_GROUP_ID_LEN;
	rand_bytes(in.group_id, in.group_id_len);
	for (i = 0; i < in.group_id_len; i++)
		sprintf(hex + 2 * i, "%02x", in.group_id[i]);
	new_from_inputs(&n, &in, 1, 4, occ, sizeof(occ), 0);
	n.mode = 0640;
	fd = grp_create(self->ctl, &n);
	ASSERT_LE(0, fd);
	id = n.id;

	ASSERT_TRUE(g_dir_exists(id));
	EXPECT_EQ(active + 1, stat_u64("groups_active"));
	for (i = 0; i < ARRAY_SIZE(group_names); i++) {
		gpath(path, sizeof(path), id, group_names[i]);
		EXPECT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
	}
	EXPECT_STREQ(hex, g_str(id, "group_id", buf, sizeof(buf)));
	EXPECT_STREQ("3", g_str(id, "suite", buf, sizeof(buf)));
	EXPECT_STREQ("0", g_str(id, "epoch", buf, sizeof(buf)));
	EXPECT_STREQ("0", g_str(id, "oldest_epoch", buf, sizeof(buf)));
	EXPECT_STREQ("1", g_str(id, "own_leaf", buf, sizeof(buf)));
	EXPECT_STREQ("4", g_str(id, "leaf_count", buf, sizeof(buf)));
	EXPECT_STREQ("3", g_str(id, "members", buf, sizeof(buf)));
	EXPECT_STREQ("active", g_str(id, "state", buf, sizeof(buf)));
	EXPECT_STREQ("0640", g_str(id, "mode", buf, sizeof(buf)));
	EXPECT_STREQ("0x2", g_str(id, "flags", buf, sizeof(buf)));
	for (i = 10; i < ARRAY_SIZE(group_names); i++)
		EXPECT_EQ(0, g_u64(id, group_names[i])) TH_LOG("%s", group_names[i]);

	/* Not ephemeral: closing the fd leaves it; destroy takes it away. */
	close(fd);
	EXPECT_TRUE(g_dir_exists(id));
	fd = grp_open_id(self->ctl, id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_destroy(fd));
	EXPECT_FALSE(g_dir_exists(id));
	EXPECT_EQ(active, stat_u64("groups_active"));
	close(fd);

	/* Ephemeral: gone with its last fd; a file open then reads no more. */
	fd2 = plain_group(self->ctl, 0, &id2);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, g_u64(id2, "epoch"));
	EXPECT_STREQ("0x1", g_str(id2, "flags", buf, sizeof(buf)));
	EXPECT_STREQ("0600", g_str(id2, "mode", buf, sizeof(buf)));
	EXPECT_STREQ("1", g_str(id2, "members", buf, sizeof(buf)));
	gpath(path, sizeof(path), id2, "epoch");
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	close(fd2);
	EXPECT_FALSE(g_dir_exists(id2));
	errno = 0;
	EXPECT_GT(0, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
	EXPECT_EQ(active, stat_u64("groups_active"));
}

static int child_make_group(void *arg)
{
	int *pipes = arg;	/* [0]: id out, [1]: go in */
	struct mls_group_new n;
	int ctl = ctl_open(), fd;
	char go;

	CHILD_CHECK(ctl >= 0);
	new_plain(&n, 1, "uid1000", 7, MLS_GROUP_F_EPHEMERAL);
	n.mode = 0640;
	fd = grp_create(ctl, &n);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(write(pipes[0], &n.id, sizeof(n.id)) == sizeof(n.id));
	CHILD_CHECK(read(pipes[1], &go, 1) == 1);
	return 0;
}

struct dir_case {
	__u32 hidden, shown;	/* root's groups, mode 0600 and 0604 */
};

/* What another user finds when it lists and enters the directories. */
static int child_list_dirs(void *arg)
{
	const struct dir_case *c = arg;
	char path[128];
	struct dirent *de;
	bool epoch = false;
	DIR *d;

	/* The names are listed by root only. */
	d = opendir(SYS "/groups");
	CHILD_CHECK(!d && errno == EACCES);
	/* A group it may not see: not entered, not listed. */
	snprintf(path, sizeof(path), SYS "/groups/%u", c->hidden);
	d = opendir(path);
	CHILD_CHECK(!d && errno == EACCES);
	snprintf(path, sizeof(path), SYS "/groups/%u/epoch", c->hidden);
	CHILD_CHECK(open(path, O_RDONLY) == -1 && errno == EACCES);
	/* One it may see: as the netlink dump and MLS_IOC_GROUP_LIST show it. */
	snprintf(path, sizeof(path), SYS "/groups/%u", c->shown);
	d = opendir(path);
	CHILD_CHECK(d != NULL);
	while ((de = readdir(d)))
		epoch |= !strcmp(de->d_name, "epoch");
	closedir(d);
	CHILD_CHECK(epoch);
	return 0;
}

/*
 * sysfs cannot filter a listing per reader: groups/ is 0711 (only root
 * lists the kernel ids), and each group's directory is 0500 plus read
 * and search for its group and others as the group's mode lets them
 * read it, the rule of MLS_IOC_GROUP_LIST and of the netlink dump.
 */
TEST_F(sysfs, group_dirs_listed_as_groups_are_seen)
{
	static const struct { __u16 mode, dir; } m[] = {
		{ 0600, 0500 }, { 0604, 0505 }, { 0640, 0550 }, { 0666, 0555 },
	};
	struct dir_case c;
	char path[128];
	struct stat sb;
	int fd[4], i;
	__u32 id[4];
	DIR *d;

	ASSERT_EQ(0, stat(SYS "/groups", &sb));
	EXPECT_TRUE(S_ISDIR(sb.st_mode));
	EXPECT_EQ(0711, sb.st_mode & 07777);
	for (i = 0; i < 4; i++) {
		fd[i] = plain_group(self->ctl, m[i].mode, &id[i]);
		ASSERT_LE(0, fd[i]);
		snprintf(path, sizeof(path), SYS "/groups/%u", id[i]);
		ASSERT_EQ(0, stat(path, &sb));
		EXPECT_TRUE(S_ISDIR(sb.st_mode));
		EXPECT_EQ(m[i].dir, sb.st_mode & 07777) TH_LOG("mode %#o", m[i].mode);
	}
	/* root lists them all */
	d = opendir(SYS "/groups");
	ASSERT_NE(NULL, d);
	closedir(d);
	c.hidden = id[0];
	c.shown = id[1];
	EXPECT_EQ(0, as_user(OTHER_UID, OTHER_UID, child_list_dirs, &c));
	/* In root's group, 0640 shows, 0604 does not: the group's bits. */
	c.hidden = id[1];
	c.shown = id[2];
	EXPECT_EQ(0, as_user(OTHER_UID, 0, child_list_dirs, &c));
	for (i = 0; i < 4; i++)
		close(fd[i]);
}

TEST_F(sysfs, group_files_owner_and_mode)
{
	int idp[2], gop[2], pipes[2], fd, st;
	struct group_read rd;
	struct stat sb;
	char path[128];
	pid_t pid;
	__u32 id;
	size_t i;

	/* Root's group, mode 0600: root's files, 0400; nobody else reads. */
	fd = plain_group(self->ctl, 0600, &id);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(group_names); i++) {
		gpath(path, sizeof(path), id, group_names[i]);
		ASSERT_EQ(0, stat(path, &sb));
		EXPECT_EQ(0, sb.st_uid);
		EXPECT_EQ(0, sb.st_gid);
		EXPECT_EQ(0400, sb.st_mode & 07777) TH_LOG("%s", path);
	}
	rd = (struct group_read){ .id = id, .want = -EACCES };
	EXPECT_EQ(0, as_user(OTHER_UID, OTHER_UID, child_read_group, &rd));
	/* In root's group (gid 0), but the mode gives the group nothing. */
	EXPECT_EQ(0, as_user(OTHER_UID, 0, child_read_group, &rd));
	close(fd);

	/* Mode 0604: others read, as the netlink dump would show it them. */
	fd = plain_group(self->ctl, 0604, &id);
	ASSERT_LE(0, fd);
	gpath(path, sizeof(path), id, "epoch");
	ASSERT_EQ(0, stat(path, &sb));
	EXPECT_EQ(0404, sb.st_mode & 07777);
	rd = (struct group_read){ .id = id, .want = 0 };
	EXPECT_EQ(0, as_user(OTHER_UID, OTHER_UID, child_read_group, &rd));
	close(fd);

	/* uid 1000's group, mode 0640: its files, 0440; its group reads. */
	ASSERT_EQ(0, pipe(idp));
	ASSERT_EQ(0, pipe(gop));
	pipes[0] = idp[1];
	pipes[1] = gop[0];
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(as_user(OTHER_UID, OTHER_UID, child_make_group, pipes));
	ASSERT_EQ(sizeof(id), read(idp[0], &id, sizeof(id)));
	for (i = 0; i < ARRAY_SIZE(group_names); i++) {
		gpath(path, sizeof(path), id, group_names[i]);
		ASSERT_EQ(0, stat(path, &sb));
		EXPECT_EQ(OTHER_UID, sb.st_uid);
		EXPECT_EQ(OTHER_UID, sb.st_gid);
		EXPECT_EQ(0440, sb.st_mode & 07777) TH_LOG("%s", path);
	}
	/* Root reads it (DAC override); its owner does; uid 1001 does not... */
	rd = (struct group_read){ .id = id, .want = 0 };
	EXPECT_EQ(0, child_read_group(&rd));
	EXPECT_EQ(0, as_user(OTHER_UID, OTHER_UID, child_read_group, &rd));
	rd.want = -EACCES;
	EXPECT_EQ(0, as_user(THIRD_UID, THIRD_UID, child_read_group, &rd));
	/* ...unless in the owner's group. */
	rd.want = 0;
	EXPECT_EQ(0, as_user(THIRD_UID, OTHER_UID, child_read_group, &rd));
	EXPECT_EQ(1, write(gop[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	/* Its last fd went with the process: so did the group. */
	EXPECT_FALSE(g_dir_exists(id));
	close(idp[0]);
	close(idp[1]);
	close(gop[0]);
	close(gop[1]);
}

/* --------------------------------------------------------------- health */

struct evb_named {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
};

static void evb_name(void *arg, const char *name)
{
	struct evb_named *h = arg;

	h->flags = 0;
	h->owner = 0;
	memset(h->id, 0, sizeof(h->id));
	snprintf(h->id, sizeof(h->id), "%d.%s", (int)getpid(), name);
}

static int evb_make(int ctl, const char *name, __u32 open_ms)
{
	struct mls_evbuf_config c;

	memset(&c, 0, sizeof(c));
	evb_name(&c, name);
	c.flags = MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL;
	c.mask = MLS_EVBUF_CFG_ALL;
	c.rate = 0;
	c.burst = 1;
	c.fail_threshold = 5;
	c.half_open_probes = 1;
	c.open_base_ms = open_ms;
	c.open_max_ms = open_ms;
	return xioctl(ctl, MLS_IOC_EVBUF_CONFIG, &c);
}

static int evb_set(int ctl, const char *name, __u32 state)
{
	struct mls_evbuf_set_state s;

	memset(&s, 0, sizeof(s));
	evb_name(&s, name);
	s.state = state;
	return xioctl(ctl, MLS_IOC_EVBUF_SET_STATE, &s);
}

static int evb_remove(int ctl, const char *name)
{
	struct mls_evbuf_remove r;

	memset(&r, 0, sizeof(r));
	evb_name(&r, name);
	return xioctl(ctl, MLS_IOC_EVBUF_REMOVE, &r);
}

/* Healthy, with nothing open, or the test cannot tell what it changes. */
#define ASSERT_HEALTHY_START() do {						\
	ASSERT_EQ(0, health())							\
		TH_LOG("not healthy at the start: groups_active %llu, "	\
		       "breakers_open %llu",					\
		       (unsigned long long)stat_u64("groups_active"),		\
		       (unsigned long long)stat_u64("breakers_open"));		\
	ASSERT_EQ(0, stat_u64("breakers_open"));				\
} while (0)

/* Still open (its open time ahead) when the caller asks. */
static bool evb_still_open(int ctl, const char *name)
{
	struct mls_evbuf_state st;

	memset(&st, 0, sizeof(st));
	evb_name(&st, name);
	return !xioctl(ctl, MLS_IOC_EVBUF_STATE, &st) && st.state == MLS_EVBUF_OPEN;
}

TEST_F_TIMEOUT(sysfs, health_follows_open_breakers, 120)
{
	uint64_t trips, open_now;
	int i, h;

	ASSERT_HEALTHY_START();
	ASSERT_EQ(0, evb_make(self->ctl, "health", 3000));

	/* Forced open: open until set otherwise. */
	trips = stat_u64("breaker_trips");
	ASSERT_EQ(0, evb_set(self->ctl, "health", MLS_EVBUF_FORCED_OPEN));
	EXPECT_EQ(1, health());
	EXPECT_EQ(1, stat_u64("breakers_open"));
	ASSERT_EQ(0, evb_set(self->ctl, "health", MLS_EVBUF_CLOSED));
	EXPECT_EQ(0, health());
	EXPECT_EQ(0, stat_u64("breakers_open"));

	/*
	 * Open: degraded while the open time lasts (judged only if it still
	 * lasts after the reads: a loaded host may be slower than 3 s),
	 * healthy once it passed.
	 */
	ASSERT_EQ(0, evb_set(self->ctl, "health", MLS_EVBUF_OPEN));
	h = health();
	open_now = stat_u64("breakers_open");
	if (evb_still_open(self->ctl, "health")) {
		EXPECT_EQ(1, h);
		EXPECT_EQ(1, open_now);
	} else {
		TH_LOG("the open time passed before health was read: not judged");
	}
	EXPECT_EQ(trips + 1, stat_u64("breaker_trips"));
	for (i = 0; i < 300 && stat_u64("breakers_open"); i++)
		sleep_ms(100);
	EXPECT_EQ(0, stat_u64("breakers_open"));
	EXPECT_EQ(0, health());
	EXPECT_EQ(0, evb_remove(self->ctl, "health"));
}

TEST_F(sysfs, health_follows_a_forging_sender)
{
	struct counters b0, b1;
	uint8_t pt[64];
	struct craft c;
	struct msg *m;
	struct dec *out;
	struct pair p;
	int i, h, thr = (int)mod_param("evbuf_fail_threshold");
	uint64_t open_now;

	ASSERT_HEALTHY_START();
	m = calloc(1, sizeof(*m));
	out = calloc(1, sizeof(*out));
	ASSERT_TRUE(m && out);
	ASSERT_EQ(0, pair_make(&p, 1));
	g_counters_read(p.b_id, &b0);
	memset(&c, 0, sizeof(c));
	c.suite = p.suite;
	c.group_id = p.in.group_id;
	c.group_id_len = p.in.group_id_len;
	c.epoch = p.in.epoch;
	c.ctype = MLS_CONTENT_APPLICATION;
	c.pt = pt;
	c.pt_len = app_plaintext(pt, (const uint8_t *)"forged", 6, NULL, 0, 0);
	c.sender_data_secret = p.es.sender_data;
	c.encryption_secret = p.es.encryption;
	c.leaf_count = p.leaf_count;
	c.bad_content_key = true;
	/* Leaf 0's forgeries up to the threshold trip its breaker. */
	for (i = 0; i < thr; i++) {
		c.gen = (uint32_t)i;
		m->len = craft_message(&c, m->buf);
		ASSERT_LT(0, m->len);
		EXPECT_EQ(-EBADMSG, dec_msg(p.b, m, out));
	}
	h = health();
	open_now = stat_u64("breakers_open");
	g_counters_read(p.b_id, &b1);
	EXPECT_DELTA(b0, b1, auth, thr);
	/*
	 * Judged if the breaker is still open after the reads (it refuses
	 * the next forgery): it is open for evbuf_open_base_ms, which a
	 * loaded host may outlast.
	 */
	c.gen = (uint32_t)thr;
	m->len = craft_message(&c, m->buf);
	if (dec_msg(p.b, m, out) == -ECONNREFUSED) {
		EXPECT_EQ(1, open_now);
		EXPECT_EQ(1, h);
	} else {
		TH_LOG("the open time passed before health was read: not judged");
	}
	/* The group's end takes its senders' breakers with it. */
	pair_close(&p);
	EXPECT_EQ(0, stat_u64("breakers_open"));
	EXPECT_EQ(0, health());
	free(m);
	free(out);
}

/* Groups until groups_active is @target: fds appended to @fds. */
static int fill_to(int ctl, int *fds, int *nfds, uint64_t target)
{
	__u32 id;

	while (stat_u64("groups_active") < target) {
		int fd = plain_group(ctl, 0, &id);

		if (fd < 0)
			return fd;
		fds[(*nfds)++] = fd;
	}
	return 0;
}

/* Destroy (close) ours until groups_active is @target. */
static void drain_to(int *fds, int *nfds, uint64_t target)
{
	while (*nfds && stat_u64("groups_active") > target)
		close(fds[--*nfds]);
}

/*
 * With the module's default max_groups (4096): about 4100 group creates
 * and destroys; the time is logged. The first threshold is the smallest
 * count that is >= 90% of max_groups.
 */
TEST_F_TIMEOUT(sysfs, health_follows_group_count, 600)
{
	uint64_t max = (uint64_t)mod_param("max_groups");
	uint64_t deg = (9 * max + 9) / 10, base;
	struct rlimit rl, old;
	uint64_t t0, t1;
	int *fds, nfds = 0, made, fd;
	__u32 id;

	ASSERT_HEALTHY_START();
	if (max > 65536)
		SKIP(return, "max_groups %llu: too many to create here",
		     (unsigned long long)max);
	base = stat_u64("groups_active");
	ASSERT_GT(deg, base);
	fds = calloc(max + 1, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	rl.rlim_cur = rl.rlim_max = max + 256;
	if (rl.rlim_max < old.rlim_max)
		rl.rlim_max = old.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));

	t0 = now_ms();
	ASSERT_EQ(0, fill_to(self->ctl, fds, &nfds, deg - 1));
	EXPECT_EQ(0, health()) TH_LOG("%llu groups", (unsigned long long)(deg - 1));
	ASSERT_EQ(0, fill_to(self->ctl, fds, &nfds, deg));
	EXPECT_EQ(1, health()) TH_LOG("%llu groups", (unsigned long long)deg);
	ASSERT_EQ(0, fill_to(self->ctl, fds, &nfds, max - 1));
	EXPECT_EQ(1, health());
	ASSERT_EQ(0, fill_to(self->ctl, fds, &nfds, max));
	t1 = now_ms();
	made = nfds;
	EXPECT_EQ(max, stat_u64("groups_active"));
	EXPECT_EQ(2, health());
	/* Full: the next create is refused, and nothing changes. */
	fd = plain_group(self->ctl, 0, &id);
	EXPECT_EQ(-ENOSPC, fd);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(max, stat_u64("groups_active"));
	EXPECT_EQ(2, health());

	/* And back down. */
	drain_to(fds, &nfds, max - 1);
	EXPECT_EQ(1, health());
	drain_to(fds, &nfds, deg);
	EXPECT_EQ(1, health());
	drain_to(fds, &nfds, deg - 1);
	EXPECT_EQ(0, health());
	drain_to(fds, &nfds, base);
	EXPECT_EQ(base, stat_u64("groups_active"));
	TH_LOG("%d groups made in %llu ms, then destroyed in %llu ms", made,
	       (unsigned long long)(t1 - t0), (unsigned long long)(now_ms() - t1));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	free(fds);
}

static int evb_info(int ctl, struct mls_evbuf_info *i)
{
	memset(i, 0, sizeof(*i));
	return xioctl(ctl, MLS_IOC_EVBUF_INFO, i);
}

static uint32_t evb_used(int ctl)
{
	struct mls_evbuf_info i;

	return evb_info(ctl, &i) ? UINT32_MAX : i.used;
}

/* A group with an encrypt rate that encrypted once: one module endpoint. */
static int rate_group(int ctl)
{
	struct mls_policy pol = { .encrypt_rate = 1000, .encrypt_burst = 10 };
	struct msg *m = malloc(sizeof(*m));
	__u32 id;
	int fd, r;

	if (!m)
		return -ENOMEM;
	fd = plain_group(ctl, 0, &id);
	r = fd < 0 ? fd : grp_policy(fd, MLS_POLICY_ENCRYPT_RATE, &pol);
	if (!r)
		r = enc_text(fd, "filed", m);
	free(m);
	if (r && fd >= 0)
		close(fd);
	return r ? r : fd;
}

/* Rate groups until the table's use is @target: fds appended to @fds. */
static int fill_table_to(int ctl, int *fds, int *nfds, int cap, uint32_t target)
{
	while (evb_used(ctl) < target) {
		int fd;

		if (*nfds == cap)
			return -ENOSPC;
		fd = rate_group(ctl);
		if (fd < 0)
			return fd;
		fds[(*nfds)++] = fd;
	}
	return 0;
}

/*
 * The table filled to 90% and 100%: user endpoints as many as users may
 * have (3/4 of the slots), then the module's own, one per group with an
 * encrypt rate. A slot freed counts until an RCU grace period has passed.
 */
TEST_F_TIMEOUT(sysfs, health_follows_event_buffer_use, 600)
{
	struct mls_evbuf_info info;
	uint32_t slots, deg, nuser = 0, i;
	uint64_t max_groups = (uint64_t)mod_param("max_groups"), full0;
	struct rlimit rl, old;
	int *fds, nfds = 0, cap, r;
	char name[32];

	ASSERT_HEALTHY_START();
	ASSERT_EQ(0, evb_info(self->ctl, &info));
	slots = info.slots;
	deg = (9 * slots + 9) / 10;
	cap = (int)(slots - info.user_slots) + 16;
	if (slots > 16384)
		SKIP(return, "evbuf_slots %u: too many to fill here", slots);
	/* The groups it takes must not make the module degraded by themselves. */
	if (10 * (stat_u64("groups_active") + cap) >= 9 * max_groups)
		SKIP(return, "max_groups %llu is too small for %d more groups",
		     (unsigned long long)max_groups, cap);
	fds = calloc(cap, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	rl.rlim_cur = rl.rlim_max = cap + old.rlim_cur + 64;
	if (rl.rlim_max < old.rlim_max)
		rl.rlim_max = old.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));

	for (;;) {
		snprintf(name, sizeof(name), "u%u", nuser);
		r = evb_make(self->ctl, name, 1000);
		if (r == -ENOSPC)
			break;
		ASSERT_EQ(0, r);
		nuser++;
	}
	ASSERT_EQ(0, evb_info(self->ctl, &info));
	EXPECT_EQ(info.user_slots, info.user_used);
	ASSERT_GT(deg, info.used);
	EXPECT_EQ(0, health()) TH_LOG("%u of %u slots", info.used, slots);

	ASSERT_EQ(0, fill_table_to(self->ctl, fds, &nfds, cap, deg - 1));
	EXPECT_EQ(0, health()) TH_LOG("%u of %u slots", evb_used(self->ctl), slots);
	ASSERT_EQ(0, fill_table_to(self->ctl, fds, &nfds, cap, deg));
	EXPECT_EQ(1, health()) TH_LOG("%u of %u slots", evb_used(self->ctl), slots);
	ASSERT_EQ(0, fill_table_to(self->ctl, fds, &nfds, cap, slots - 1));
	EXPECT_EQ(1, health());
	ASSERT_EQ(0, fill_table_to(self->ctl, fds, &nfds, cap, slots));
	EXPECT_EQ(2, health());
	EXPECT_EQ(0, stat_u64("breakers_open"));
	/* Full: the next group's endpoint cannot be filed; it still works. */
	ASSERT_EQ(0, evb_info(self->ctl, &info));
	full0 = info.module_full;
	r = rate_group(self->ctl);
	EXPECT_LE(0, r);
	if (r >= 0)
		fds[nfds++] = r;
	ASSERT_EQ(0, evb_info(self->ctl, &info));
	EXPECT_EQ(full0 + 1, info.module_full);
	EXPECT_EQ(2, health());
	TH_LOG("%u user endpoints and %d groups filled %u slots", nuser, nfds, slots);

	/* Emptied, and once RCU has freed the slots, healthy again. */
	while (nfds)
		close(fds[--nfds]);
	for (i = 0; i < nuser; i++) {
		snprintf(name, sizeof(name), "u%u", i);
		EXPECT_EQ(0, evb_remove(self->ctl, name));
	}
	for (i = 0; i < 400 && health(); i++)
		sleep_ms(50);
	EXPECT_EQ(0, health());
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	free(fds);
}

/* ------------------------------------------------ readers and encrypters */

#define ENC_THREADS	4
#define ENC_SIZE	100
#define ENC_MIN		500	/* per thread, at least */
#define ENC_MAX		20000	/* per thread, if the readers never get going */
#define READ_ROUNDS	3	/* rounds each reader must see progress in */

struct encrypter {
	int fd;
	int *stop;
	int done, fails;
	uint64_t ms;
};

static void *encrypt_loop(void *arg)
{
	struct encrypter *e = arg;
	uint8_t data[ENC_SIZE], sig[SIG_MAX];
	size_t sig_len = stand_in_sig(grp_suite(e->fd), sig);
	struct msg *m = malloc(sizeof(*m));
	uint64_t t0 = now_ms();

	if (!m) {
		e->fails++;
		return NULL;
	}
	memset(data, 0x5a, sizeof(data));
	while (!__atomic_load_n(e->stop, __ATOMIC_ACQUIRE) && e->done + e->fails < ENC_MAX) {
		if (grp_encrypt(e->fd, MLS_CONTENT_APPLICATION, NULL, 0, data,
				sizeof(data), sig, sig_len, m))
			e->fails++;
		else
			__atomic_add_fetch(&e->done, 1, __ATOMIC_RELEASE);
	}
	e->ms = now_ms() - t0;
	free(m);
	return NULL;
}

struct reader {
	const __u32 *ids;
	int *stop;
	/* Rounds that found messages_encrypted above the previous round's. */
	int progress;
	uint64_t reads, errors, backwards, max_us;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Every module-wide file, health, and every file of the groups, in a loop. */
static void *read_loop(void *arg)
{
	struct reader *r = arg;
	uint64_t last = UINT64_MAX, b[NBUCKETS];
	char path[128], buf[1024];
	size_t i;
	int g;

	while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t t0 = now_us(), v, dt;

		v = stat_u64("messages_encrypted");
		if (v == UINT64_MAX) {
			r->errors++;
		} else if (last != UINT64_MAX && v < last) {
			r->backwards++;
		} else {
			if (last != UINT64_MAX && v > last)
				__atomic_add_fetch(&r->progress, 1, __ATOMIC_RELEASE);
			last = v;
		}
		for (i = 0; i < ARRAY_SIZE(stat_names); i++)
			if (stat_u64(stat_names[i]) == UINT64_MAX)
				r->errors++;
		if (read_hist("encrypt_ns", b) || health() < 0)
			r->errors++;
		for (g = 0; g < ENC_THREADS; g++)
			for (i = 0; i < ARRAY_SIZE(group_names); i++) {
				gpath(path, sizeof(path), r->ids[g], group_names[i]);
				if (read_path(path, buf, sizeof(buf)) <= 0)
					r->errors++;
			}
		dt = now_us() - t0;
		if (dt > r->max_us)
			r->max_us = dt;
		r->reads++;
	}
	return NULL;
}

/* Each reader saw progress READ_ROUNDS times, each encrypter did ENC_MIN. */
static bool enough(struct reader *rd, int nr, struct encrypter *e, int ne)
{
	int i;

	for (i = 0; i < nr; i++)
		if (__atomic_load_n(&rd[i].progress, __ATOMIC_ACQUIRE) < READ_ROUNDS)
			return false;
	for (i = 0; i < ne; i++)
		if (__atomic_load_n(&e[i].done, __ATOMIC_ACQUIRE) < ENC_MIN)
			return false;
	return true;
}

/*
 * Readers of every file while threads encrypt: neither side waits for the
 * other. Each reader must finish READ_ROUNDS rounds that each saw the
 * counter moved since its previous round, while the encrypters are still
 * running (they stop only then, and after ENC_MIN messages each);
 * counters read never go back; the totals are exact at the end. Times are logged, not judged: the host's load
 * decides them under TCG.
 */
TEST_F_TIMEOUT(sysfs, readers_never_stall_encrypters, 300)
{
	struct encrypter e[ENC_THREADS];
	struct reader rd[2];
	pthread_t te[ENC_THREADS], tr[2];
	struct counters m0, m1;
	int stop_enc = 0, stop_read = 0, i, total = 0;
	__u32 ids[ENC_THREADS];
	uint64_t t0;

	for (i = 0; i < ENC_THREADS; i++) {
		e[i] = (struct encrypter){ .fd = plain_group(self->ctl, 0, &ids[i]),
					   .stop = &stop_enc };
		ASSERT_LE(0, e[i].fd);
	}
	counters_read(&m0);
	for (i = 0; i < 2; i++) {
		rd[i] = (struct reader){ .ids = ids, .stop = &stop_read };
		ASSERT_EQ(0, pthread_create(&tr[i], NULL, read_loop, &rd[i]));
	}
	for (i = 0; i < ENC_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&te[i], NULL, encrypt_loop, &e[i]));
	t0 = now_ms();
	while (!enough(rd, 2, e, ENC_THREADS) && now_ms() - t0 < 120000)
		sleep_ms(10);
	__atomic_store_n(&stop_enc, 1, __ATOMIC_RELEASE);
	for (i = 0; i < ENC_THREADS; i++)
		pthread_join(te[i], NULL);
	__atomic_store_n(&stop_read, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		pthread_join(tr[i], NULL);
	counters_read(&m1);

	for (i = 0; i < 2; i++) {
		TH_LOG("reader %d: %llu rounds, %d saw progress, slowest %llu us", i,
		       (unsigned long long)rd[i].reads, rd[i].progress,
		       (unsigned long long)rd[i].max_us);
		EXPECT_LE(READ_ROUNDS, rd[i].progress);
		EXPECT_EQ(0, rd[i].errors);
		EXPECT_EQ(0, rd[i].backwards);
	}
	for (i = 0; i < ENC_THREADS; i++) {
		TH_LOG("encrypter %d: %d messages in %llu ms", i, e[i].done,
		       (unsigned long long)e[i].ms);
		EXPECT_EQ(0, e[i].fails);
		EXPECT_LE(ENC_MIN, e[i].done);
		EXPECT_GT(ENC_MAX, e[i].done);
		EXPECT_EQ((uint64_t)e[i].done, g_u64(ids[i], "messages_encrypted"));
		EXPECT_EQ((uint64_t)e[i].done * ENC_SIZE, g_u64(ids[i], "bytes_encrypted"));
		total += e[i].done;
		close(e[i].fd);
	}
	EXPECT_DELTA(m0, m1, enc, total);
	EXPECT_DELTA(m0, m1, benc, (uint64_t)total * ENC_SIZE);
}

/* ---------------------------------------------------------------- debugfs */

static char *read_all(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/* Small reads: the listing resumes where each one stopped. */
	while ((r = read(fd, buf + n, cap - n - 1 < 700 ? cap - n - 1 : 700)) > 0) {
		n += (size_t)r;
		if (cap - n < 1024) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				break;
			buf = nb;
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

/*
 * A trace of @secret in @dump: either half of it, raw or in lowercase or
 * uppercase hex.
 */
static bool leaks(const char *dump, size_t len, const uint8_t *secret, size_t n)
{
	char lo[2 * MLS_MAX_HASH_LEN + 1], up[2 * MLS_MAX_HASH_LEN + 1];
	size_t i, h = n / 2;

	for (i = 0; i < n; i++) {
		sprintf(lo + 2 * i, "%02x", secret[i]);
		sprintf(up + 2 * i, "%02X", secret[i]);
	}
	return memmem_found(dump, len, secret, h) ||
	       memmem_found(dump, len, secret + h, n - h) ||
	       memmem_found(dump, len, lo, n) || memmem_found(dump, len, lo + n, n) ||
	       memmem_found(dump, len, up, n) || memmem_found(dump, len, up + n, n);
}

TEST_F(sysfs, debugfs_lists_groups_and_no_secret)
{
	uint8_t enc0[32], sd0[32], enc1[32], sd1[32], exp[64], auth[64];
	char line[128], gid_hex[64];
	struct grp_inputs in, next;
	struct mls_group_new n;
	struct mls_commit c;
	struct stat st;
	struct pair p;
	char *dump;
	size_t len, i;
	__u32 id;
	int fd;

	if (stat(DBG_GROUPS, &st))
		SKIP(return, "no %s (debugfs not mounted, or CONFIG_DEBUG_FS=n)", DBG_GROUPS);
	EXPECT_EQ(0400, st.st_mode & 07777);

	/* An installed group: secrets we chose, then a commit installing more. */
	inputs_random(&in, 1);
	rand_bytes(enc0, sizeof(enc0));
	rand_bytes(sd0, sizeof(sd0));
	rand_bytes(enc1, sizeof(enc1));
	rand_bytes(sd1, sizeof(sd1));
	new_install(&n, &in, enc0, sd0, 0, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(self->ctl, &n);
	ASSERT_LE(0, fd);
	id = n.id;
	next = in;
	next.epoch = 1;
	commit_init(&c, 1, NULL, NULL, &next, 0, 2, NULL, 0);
	c.flags = MLS_COMMIT_F_INSTALL;
	mbuf(&c.encryption_secret, enc1, sizeof(enc1));
	mbuf(&c.sender_data_secret, sd1, sizeof(sd1));
	ASSERT_EQ(0, grp_commit(fd, &c));
	for (i = 0; i < in.group_id_len; i++)
		sprintf(gid_hex + 2 * i, "%02x", in.group_id[i]);

	/* A scheduled pair: every secret of its epoch, computed here. */
	ASSERT_EQ(0, pair_make(&p, 5));
	ASSERT_EQ(0, grp_exporter(p.a, "sysfs test", "ctx", 3, exp, sizeof(exp)));
	ASSERT_EQ((int)p.nh, grp_authenticator(p.a, auth, sizeof(auth), NULL));

	dump = read_all(DBG_GROUPS, &len);
	ASSERT_NE(NULL, dump);
	snprintf(line, sizeof(line), "group %u\n\tgroup_id %s\n", id, gid_hex);
	EXPECT_NE(NULL, strstr(dump, line)) TH_LOG("no \"%s\" in:\n%s", line, dump);
	snprintf(line, sizeof(line), "group %u\n", p.a_id);
	EXPECT_NE(NULL, strstr(dump, line));
	snprintf(line, sizeof(line), "group %u\n", p.b_id);
	EXPECT_NE(NULL, strstr(dump, line));
	/* the policy's last field: the commit timeout */
	snprintf(line, sizeof(line), " encrypt_burst 0 commit_timeout_ms %lld\n",
		 mod_param("commit_timeout_ms"));
	EXPECT_NE(NULL, strstr(dump, line)) TH_LOG("no \"%s\" in:\n%s", line, dump);
	{
		/* The installed group's two epochs, newest first. */
		char *g, *cur, *past;

		snprintf(line, sizeof(line), "group %u\n", id);
		g = strstr(dump, line);
		ASSERT_NE(NULL, g);
		cur = strstr(g, "\tepoch 1 current leaf_count 2 members 2 age_ms ");
		past = strstr(g, "\tepoch 0 past leaf_count 2 members 2 age_ms ");
		EXPECT_NE(NULL, cur);
		EXPECT_NE(NULL, past);
		EXPECT_TRUE(cur && past && cur < past);
		EXPECT_NE(NULL, past ? strstr(past, " past_ms ") : NULL);
	}
	EXPECT_FALSE(leaks(dump, len, enc0, sizeof(enc0)));
	EXPECT_FALSE(leaks(dump, len, sd0, sizeof(sd0)));
	EXPECT_FALSE(leaks(dump, len, enc1, sizeof(enc1)));
	EXPECT_FALSE(leaks(dump, len, sd1, sizeof(sd1)));
	EXPECT_FALSE(leaks(dump, len, exp, sizeof(exp)));
	EXPECT_FALSE(leaks(dump, len, auth, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.es.epoch, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.es.encryption, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.es.sender_data, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.es.exporter, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.es.init, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.es.joiner, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.in.init, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.in.commit, p.nh));
	EXPECT_FALSE(leaks(dump, len, p.in.psk, p.nh));
	free(dump);

	/* Destroyed: no longer listed. */
	close(fd);
	pair_close(&p);
	dump = read_all(DBG_GROUPS, &len);
	ASSERT_NE(NULL, dump);
	snprintf(line, sizeof(line), "group %u\n", id);
	EXPECT_EQ(NULL, strstr(dump, line));
	free(dump);
}

TEST_HARNESS_MAIN
