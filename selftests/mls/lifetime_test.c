// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes under stress: the module unloaded while groups are used on
 * several threads, while a netlink dump runs and while sysfs files are
 * open (Documentation/userspace-api/mls.rst, "Unloading the module"), and
 * a group fd passed over a unix socket to a process of another uid: a
 * capability that works there, and an ephemeral group that dies with its
 * last fd wherever that fd is.
 *
 * The unloading tests run in the test VM only: they unload the module the
 * other suites use and load it back as the VM did.
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "libmls.h"

#define NOBODY		65534

static bool in_vm(void)
{
	return getuid() == 0 && !access(MODULE_PATH, R_OK);
}

/* finit_module(MODULE_PATH) with the VM's parameters: 0 or -errno. */
static int mod_load(void)
{
	return vm_module_load(MODULE_PATH, "");
}

/* delete_module as rmmod(8) calls it: 0 or -errno, never waiting. */
static int mod_unload(void)
{
	return syscall(SYS_delete_module, "mls", O_NONBLOCK) ? -errno : 0;
}

/* Leaves 0 and 1 of one group, from the same inputs: what a encrypts b decrypts. */
static int two_members(int ctl, __u32 flags, __u16 mode, int fd[2], __u32 id[2])
{
	struct grp_inputs in;
	struct mls_group_new n;
	int i;

	inputs_random(&in, 1);
	for (i = 0; i < 2; i++) {
		new_from_inputs(&n, &in, (__u32)i, 2, NULL, 0, flags);
		n.mode = mode;
		fd[i] = grp_create(ctl, &n);
		if (fd[i] < 0)
			return fd[i];
		id[i] = n.id;
	}
	return 0;
}

static bool listed(int ctl, __u32 id)
{
	uint32_t *ids = NULL;
	size_t n = 0, i;
	bool found = false;

	if (mls_group_list(ctl, &ids, &n))
		return true;	/* cannot tell: count it as present */
	for (i = 0; i < n; i++)
		found |= ids[i] == id;
	free(ids);
	return found;
}

/* ------------------------------------------------------------ unloading */

struct user_thread {
	pthread_t tid;
	int fd;
	volatile bool *stop;
	unsigned long calls, bad;
	int last_bad;
};

/* Encrypts and reads the group's info until told to stop. */
static void *user_loop(void *p)
{
	struct user_thread *t = p;
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct msg *m = malloc(sizeof(*m));
	int r;

	while (m && !*t->stop) {
		r = enc_text(t->fd, "in use", m);
		if (r && r != -EAGAIN) {
			t->bad++;
			t->last_bad = r;
		}
		r = grp_info(t->fd, &info, gid, sizeof(gid));
		if (r) {
			t->bad++;
			t->last_bad = r;
		}
		t->calls += 2;
	}
	free(m);
	return NULL;
}

/*
 * Every fd on the module (/dev/mls, a group, a staged join) holds a
 * reference: rmmod is refused at once with EWOULDBLOCK ("in use") however
 * busy the groups are, and the threads using them notice nothing.
 */
TEST(rmmod_refused_while_groups_in_use_on_threads)
{
	struct user_thread t[4];
	volatile bool stop = false;
	int ctl = ctl_open(), fd[2], i, refused = 0, r;
	__u32 id[2];

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, two_members(ctl, MLS_GROUP_F_EPHEMERAL, 0, fd, id));
	close(ctl);
	for (i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].fd = fd[i & 1];
		t[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&t[i].tid, NULL, user_loop, &t[i]));
	}
	for (i = 0; i < 50; i++) {
		r = mod_unload();
		if (r == -EWOULDBLOCK)
			refused++;
		else
			TH_LOG("delete_module: %s", strerror(-r));
		sleep_ms(10);
	}
	stop = true;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i].tid, NULL);
		EXPECT_LT(0, t[i].calls);
		EXPECT_EQ(0, t[i].bad) TH_LOG("thread %d: %s", i, strerror(-t[i].last_bad));
	}
	EXPECT_EQ(50, refused);
	/* Still there and working. */
	EXPECT_EQ(0, access("/sys/module/mls", F_OK));
	EXPECT_LT(0, grp_suite(fd[0]));
	close(fd[0]);
	close(fd[1]);
	if (access("/sys/module/mls", F_OK))
		ASSERT_EQ(0, mod_load());
}

/* A staged join's fd alone holds the module too. */
TEST(rmmod_refused_while_staged_join_open)
{
	uint8_t joiner[32], welcome[64];
	struct mls_join_stage j;
	int ctl = ctl_open(), sfd;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_LE(0, ctl);
	memset(&j, 0, sizeof(j));
	j.suite = 1;
	rand_bytes(joiner, sizeof(joiner));
	mbuf(&j.joiner_secret, joiner, sizeof(joiner));
	mbuf(&j.welcome_secret, welcome, sizeof(welcome));
	sfd = xioctl(ctl, MLS_IOC_JOIN_STAGE, &j);
	ASSERT_LE(0, sfd);
	close(ctl);
	EXPECT_EQ(-EWOULDBLOCK, mod_unload());
	close(sfd);
	/* Nothing holds it now: it goes, and comes back for the suites after. */
	EXPECT_EQ(0, mod_unload());
	ASSERT_EQ(0, mod_load());
}

/* The family id of "mls", from nlctrl. */
static int family_id(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int fam;

	if (!sk)
		return -ENOMEM;
	fam = genl_connect(sk) ? -ENOTCONN : genl_ctrl_resolve(sk, MLS_GENL_NAME);
	nl_socket_free(sk);
	return fam;
}

/*
 * A dump in progress (its reader has not read it all) holds the module as
 * an fd does: rmmod is refused until the dump ends, and the dump ends
 * whole, every group in it.
 */
TEST(rmmod_refused_while_dump_runs)
{
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static uint8_t buf[65536];
	int ctl = ctl_open(), nl, fam, i, groups = 0, r;
	bool done = false;
	const int many = 200;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_LE(0, ctl);
	/* Enough groups that the dump takes several rounds; they outlive their fds. */
	for (i = 0; i < many; i++) {
		int fd = grp_plain(ctl, 1, 0, NULL);

		ASSERT_LE(0, fd);
		close(fd);
	}
	close(ctl);
	fam = family_id();
	ASSERT_LT(0, fam);
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, nl);
	ASSERT_EQ(0, bind(nl, (struct sockaddr *)&sa, sizeof(sa)));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = (__u16)fam;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 7;
	req.g.cmd = MLS_CMD_GET_GROUP;
	req.g.version = MLS_GENL_VERSION;
	ASSERT_EQ((ssize_t)sizeof(req), send(nl, &req, sizeof(req), 0));

	/* The first round is queued, the rest waits for the reader. */
	EXPECT_EQ(-EWOULDBLOCK, mod_unload());
	while (!done) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		ASSERT_LT(0, n) TH_LOG("recv: %s", strerror(errno));
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				EXPECT_EQ(0, *(int *)NLMSG_DATA(h));
				done = true;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				EXPECT_EQ(0, ((struct nlmsgerr *)NLMSG_DATA(h))->error);
				done = true;
			} else {
				groups++;
			}
		}
	}
	close(nl);
	EXPECT_LE(many, groups);
	/* Over: the module goes, with the groups nobody held. */
	r = mod_unload();
	EXPECT_EQ(0, r) TH_LOG("delete_module: %s", strerror(-r));
	ASSERT_EQ(0, mod_load());
}

/*
 * sysfs files hold nothing: the module unloads with them open, and a read
 * then gets ENODEV, also after the module is back (the new files are new
 * objects). The unload destroys the groups nobody holds: their
 * directories go with them.
 */
TEST(rmmod_with_sysfs_files_open)
{
	char path[128], buf[256];
	int ctl = ctl_open(), fd, top, grp, r;
	__u32 id;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_LE(0, ctl);
	/* Groups' directories are opt-in. */
	ASSERT_EQ(0, set_group_sysfs(true));
	fd = grp_plain(ctl, 1, 0, &id);
	ASSERT_LE(0, fd);
	close(fd);
	close(ctl);
	top = open("/sys/kernel/mls/version", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, top);
	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%u/epoch", id);
	grp = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, grp) TH_LOG("%s: %s", path, strerror(errno));
	EXPECT_LT(0, pread(top, buf, sizeof(buf), 0));
	EXPECT_LT(0, pread(grp, buf, sizeof(buf), 0));

	r = mod_unload();
	EXPECT_EQ(0, r) TH_LOG("delete_module: %s", strerror(-r));
	EXPECT_EQ(-1, pread(top, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, pread(grp, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, mod_load());
	EXPECT_EQ(-1, pread(top, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%u", id);
	EXPECT_NE(0, access(path, F_OK));
	close(top);
	close(grp);
}

/*
 * The unload destroys every group left, each with its sysfs directory.
 * With thousands of them that took tens of seconds on the debug kernel
 * without ever giving up the CPU: a soft lockup report ("BUG: soft
 * lockup"), which the VM runner finds in the guest's log. Now the loop
 * reschedules between groups.
 */
FIXTURE(many) {
	int unused;
};

FIXTURE_SETUP(many)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(many)
{
}

TEST_F_TIMEOUT(many, rmmod_destroys_thousands_of_groups, 600)
{
	const int many = 1500;
	int ctl = ctl_open(), i, r;
	uint64_t t0;

	if (!in_vm())
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_LE(0, ctl);
	for (i = 0; i < many; i++) {
		int fd = grp_plain(ctl, 1, 0, NULL);

		ASSERT_LE(0, fd) TH_LOG("group %d: %s", i, strerror(-fd));
		close(fd);
	}
	close(ctl);
	t0 = now_ms();
	r = mod_unload();
	EXPECT_EQ(0, r) TH_LOG("delete_module: %s", strerror(-r));
	TH_LOG("%d groups destroyed by the unload in %llu ms", many,
	       (unsigned long long)(now_ms() - t0));
	ASSERT_EQ(0, mod_load());
}

/* ------------------------------------------------------------ fd passing */

static int send_fd(int sock, int fd, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, 0) == (ssize_t)len ? 0 : -1;
}

/* Returns the length received; *fd gets the fd passed, or -1. */
static ssize_t recv_fd(int sock, int *fd, void *data, size_t cap)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { data, cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

	*fd = -1;
	for (c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

static void drop_to_nobody(void)
{
	if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
		_exit(90);
}

/*
 * The child, as nobody: the group named by its id is not for it (mode
 * 0600, root's), the fd it was given is. It decrypts what the parent sent
 * through it and encrypts an answer.
 */
static int fd_child(int sock, __u32 id)
{
	static struct msg m;
	static struct dec o;
	int ctl, gfd;
	ssize_t n;

	drop_to_nobody();
	n = recv_fd(sock, &gfd, m.buf, sizeof(m.buf));
	if (n <= 0 || gfd < 0)
		return 10;
	m.len = (size_t)n;
	ctl = ctl_open();
	if (ctl < 0)
		return 11;
	if (grp_open_id(ctl, id) != -EACCES)
		return 12;
	if (dec_msg(gfd, &m, &o) || o.content_len != 5 || memcmp(o.content, "hello", 5))
		return 13;
	if (enc_text(gfd, "hi back", &m))
		return 14;
	if (send_fd(sock, -1, m.buf, m.len))
		return 15;
	return 0;
}

TEST(group_fd_passed_to_another_uid_is_a_capability)
{
	static struct msg m;
	static struct dec o;
	int ctl = ctl_open(), sv[2], fd[2], status;
	__u32 id[2];
	pid_t pid;
	ssize_t n;

	if (getuid() != 0)
		SKIP(return, "needs root to become another user");
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, two_members(ctl, MLS_GROUP_F_EPHEMERAL, 0600, fd, id));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sv[0]);
		_exit(fd_child(sv[1], id[0]));
	}
	close(sv[1]);
	/* Leaf 1 says hello to leaf 0, whose fd goes along. */
	ASSERT_EQ(0, enc_text(fd[1], "hello", &m));
	ASSERT_EQ(0, send_fd(sv[0], fd[0], m.buf, m.len));
	n = recv_fd(sv[0], &status, m.buf, sizeof(m.buf));
	ASSERT_LT(0, n);
	m.len = (size_t)n;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* What nobody encrypted through root's group, leaf 1 reads. */
	ASSERT_EQ(0, dec_msg(fd[1], &m, &o));
	EXPECT_EQ(0, o.leaf);
	EXPECT_EQ(7, o.content_len);
	EXPECT_EQ(0, memcmp(o.content, "hi back", 7));
	close(sv[0]);
	close(fd[0]);
	close(fd[1]);
	close(ctl);
}

/*
 * An ephemeral group whose only fd was passed on lives as long as that
 * fd, in the other process, and dies when that process closes it: gone
 * from MLS_IOC_GROUP_LIST, /sys/kernel/mls/groups and the netlink family.
 */
TEST(ephemeral_group_dies_with_its_last_passed_fd)
{
	struct mls_group_status st;
	char path[64], go;
	int ctl = ctl_open(), sv[2], gfd, status;
	__u32 id;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to become another user");
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, set_group_sysfs(true));
	gfd = grp_plain(ctl, 1, MLS_GROUP_F_EPHEMERAL, &id);
	ASSERT_LE(0, gfd);
	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%u", id);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;
		char c;

		close(sv[0]);
		drop_to_nobody();
		if (recv_fd(sv[1], &fd, &c, 1) != 1 || fd < 0)
			_exit(10);
		if (grp_suite(fd) != 1)
			_exit(11);
		/* Hold it until told to let go. */
		if (send_fd(sv[1], -1, "h", 1) || read(sv[1], &c, 1) != 1)
			_exit(12);
		close(fd);
		_exit(send_fd(sv[1], -1, "c", 1) ? 13 : 0);
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fd(sv[0], gfd, "g", 1));
	close(gfd);
	ASSERT_EQ(1, read(sv[0], &go, 1));
	/* Only the child holds it now, and it lives. */
	EXPECT_TRUE(listed(ctl, id));
	EXPECT_EQ(0, access(path, F_OK));
	EXPECT_EQ(0, mls_group_get_status(id, &st));

	ASSERT_EQ(1, write(sv[0], "x", 1));
	ASSERT_EQ(1, read(sv[0], &go, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(listed(ctl, id));
	EXPECT_NE(0, access(path, F_OK));
	EXPECT_EQ(-ENOENT, mls_group_get_status(id, &st));
	EXPECT_EQ(-ENOENT, grp_open_id(ctl, id));
	EXPECT_EQ(0, set_group_sysfs(false));
	close(sv[0]);
	close(ctl);
}

TEST_HARNESS_MAIN
