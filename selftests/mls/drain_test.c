// SPDX-License-Identifier: GPL-2.0
/*
 * The drain (MLS_IOC_DRAIN): every bad argument, CAP_SYS_ADMIN only, one
 * waiting drain at a time; -ESHUTDOWN for the operations that change a
 * group while another thread drains, export and save still allowed; the
 * drain ends as soon as a helper saved every persistent group, or at its
 * timeout when nobody does, and says how many were and were not saved;
 * MLS_CMD_SHUTDOWN on netlink; a snapshot taken while drained resumes
 * with no gap; MLS_DRAIN_F_DESTROY and MLS_DRAIN_F_CANCEL, and its
 * MLS_CMD_RESUME; a call in flight that sleeps (on a userfaultfd page)
 * holds the drain no longer than its timeout, a short timeout is not cut
 * by the grace period, and a signal ends the wait (-EINTR when a handler
 * ran, SA_RESTART or not; a restart, with one MLS_CMD_SHUTDOWN, after a
 * stop); /sys/kernel/mls/drain and the groups' state (netlink, sysfs,
 * MLS_IOC_GROUP_INFO) agree.
 *
 * Every test ends with the drain cancelled: the suites after this one
 * run on a module in service.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "libmls.h"
#include "park_util.h"
#include "persist_util.h"

/*
 * The timeout of a drain whose -ETIMEDOUT is not the point: the wait for
 * calls in flight lasts MLS_DRAIN_INFLIGHT_MIN_MS at least anyway, and a
 * grace period may take most of it on a slow machine.
 */
#define DRAIN_MS	1000

static int drain_ioc(int ctl, struct mls_drain *d)
{
	return xioctl(ctl, MLS_IOC_DRAIN, d);
}

static int drain(int ctl, __u32 flags, __u32 timeout_ms, struct mls_drain *out)
{
	struct mls_drain d = { .flags = flags, .timeout_ms = timeout_ms };
	int r = drain_ioc(ctl, &d);

	if (out)
		*out = d;
	return r;
}

static int cancel(int ctl)
{
	return drain(ctl, MLS_DRAIN_F_CANCEL, 0, NULL);
}

static long long stat_file(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mls/stats/%s", name);
	return read_ll_file(path);
}

/*
 * What a persistence helper does on MLS_CMD_SHUTDOWN: open every group,
 * export each persistent one and save it. The number saved, or -errno.
 */
static int save_all(int ctl)
{
	struct mls_group_list l = { .count = 4096 };
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct snap s = {};
	__u32 *ids = calloc(4096, sizeof(*ids));
	int n = 0, fd, r = 0;
	__u32 i;

	if (!ids)
		return -ENOMEM;
	l.ids = U64(ids);
	r = xioctl(ctl, MLS_IOC_GROUP_LIST, &l);
	for (i = 0; !r && i < l.count && i < 4096; i++) {
		fd = grp_open_id(ctl, ids[i]);
		if (fd < 0)
			continue;	/* destroyed meanwhile */
		if (!grp_info(fd, &info, gid, sizeof(gid)) &&
		    (info.group_flags & MLS_GROUP_F_PERSISTENT)) {
			r = save(fd, &s);
			if (!r)
				n++;
		}
		close(fd);
	}
	free(ids);
	snap_free(&s);
	return r ?: n;
}

/* /sys/kernel/mls/drain, one word; "" if it cannot be read. */
static const char *drain_state(char *buf, size_t cap)
{
	int fd = open("/sys/kernel/mls/drain", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return buf;
}

FIXTURE(dr) {
	struct pair p;
	struct msg m;
	struct dec d;
	struct snap s;
};

FIXTURE_SETUP(dr)
{
	memset(&self->s, 0, sizeof(self->s));
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, pair_make_flags(&self->p, 1, MLS_GROUP_F_PERSISTENT |
						MLS_GROUP_F_EPHEMERAL));
	ASSERT_EQ(0, save(self->p.a, &self->s));
	ASSERT_EQ(0, save(self->p.b, &self->s));
}

FIXTURE_TEARDOWN(dr)
{
	int r = cancel(self->p.ctl);

	EXPECT_TRUE(r == 0 || r == -EALREADY);
	pair_close(&self->p);
	snap_free(&self->s);
}

/* Every bad argument, and the ioctl only on /dev/mls. */
TEST_F(dr, bad_arguments)
{
	int ctl = self->p.ctl;
	struct mls_drain d;
	uint8_t big[64];
	void *page;

	memset(&d, 0, sizeof(d));
	d.flags = 1U << 2;
	EXPECT_EQ(-EINVAL, drain_ioc(ctl, &d));
	d.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, drain_ioc(ctl, &d));
	memset(&d, 0, sizeof(d));
	d.reserved = 1;
	EXPECT_EQ(-EINVAL, drain_ioc(ctl, &d));
	/* Cancel takes nothing else. */
	memset(&d, 0, sizeof(d));
	d.flags = MLS_DRAIN_F_CANCEL | MLS_DRAIN_F_DESTROY;
	EXPECT_EQ(-EINVAL, drain_ioc(ctl, &d));
	d.flags = MLS_DRAIN_F_CANCEL;
	d.timeout_ms = 5;
	EXPECT_EQ(-EINVAL, drain_ioc(ctl, &d));
	/* Nothing to cancel. */
	EXPECT_EQ(-EALREADY, cancel(ctl));
	/* Shorter than the first size; longer with a tail not zero. */
	memset(&d, 0, sizeof(d));
	EXPECT_EQ(-EINVAL, xioctl(ctl, _IOWR(MLS_IOC_MAGIC, 0x16, __u64), &d));
	memset(big, 0, sizeof(big));
	big[40] = 1;
	EXPECT_EQ(-E2BIG, xioctl(ctl, _IOWR(MLS_IOC_MAGIC, 0x16, uint8_t[64]), big));
	/* Bad addresses: nothing read, nothing drained. */
	EXPECT_EQ(-EFAULT, xioctl(ctl, MLS_IOC_DRAIN, (void *)BAD_ADDR));
	EXPECT_EQ(-EFAULT, xioctl(ctl, MLS_IOC_DRAIN, (void *)LOW_ADDR));
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	EXPECT_EQ(-EFAULT, xioctl(ctl, MLS_IOC_DRAIN, page));
	munmap(page, 4096);
	EXPECT_EQ(0, enc_text(self->p.b, "still in service", &self->m));
	/* Not a group fd's ioctl. */
	EXPECT_EQ(-ENOTTY, drain_ioc(self->p.b, &d));
}

/* CAP_SYS_ADMIN only: a process of uid 1000 gets -EPERM, drains nothing. */
TEST_F(dr, needs_cap_sys_admin)
{
	pid_t pid = fork();
	int st;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mls_drain d = { .timeout_ms = 1 };

		if (setgid(1000) || setuid(1000))
			_exit(2);
		_exit(drain_ioc(self->p.ctl, &d) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(0, enc_text(self->p.b, "not drained", &self->m));
	EXPECT_EQ(-EALREADY, cancel(self->p.ctl));
}

/*
 * Nobody saves: the drain ends at its timeout with both groups not
 * saved, counted; the module stays drained until cancelled, and then the
 * groups send again.
 */
TEST_F(dr, timeout_when_nobody_saves)
{
	long long drains = stat_file("drains");
	long long timeouts = stat_file("drain_timeouts");
	long long not_saved = stat_file("drain_groups_not_saved");
	struct mls_drain d;
	uint64_t t0 = now_ms();

	ASSERT_EQ(0, drain(self->p.ctl, 0, 300, &d));
	EXPECT_LE(300, now_ms() - t0);
	EXPECT_LE(2, d.not_saved);
	EXPECT_EQ(0, d.destroyed);
	EXPECT_EQ(drains + 1, stat_file("drains"));
	EXPECT_EQ(timeouts + 1, stat_file("drain_timeouts"));
	EXPECT_LE(not_saved + 2, stat_file("drain_groups_not_saved"));
	EXPECT_EQ(-ESHUTDOWN, enc_text(self->p.b, "drained", &self->m));
	ASSERT_EQ(0, cancel(self->p.ctl));
	EXPECT_EQ(0, enc_text(self->p.b, "back", &self->m));
	EXPECT_EQ(0, dec_msg(self->p.a, &self->m, &self->d));
}

struct helper {
	int ctl, fd, saved, shut;
	struct msg m;
};

/* Waits for the drain (encrypt gives -ESHUTDOWN), then saves everything. */
static void *helper_fn(void *arg)
{
	struct helper *h = arg;
	int i, r;

	for (i = 0; i < 10000; i++) {
		r = enc_text(h->fd, "until the drain", &h->m);
		if (r == -ESHUTDOWN) {
			h->shut = 1;
			break;
		}
		usleep(1000);
	}
	h->saved = save_all(h->ctl);
	return NULL;
}

/*
 * A helper thread that sees -ESHUTDOWN and then exports and saves every
 * persistent group ends the drain well before its timeout, with none not
 * saved.
 */
TEST_F(dr, completes_when_every_group_is_saved)
{
	struct helper h = { .ctl = self->p.ctl, .fd = self->p.b };
	long long saved = stat_file("drain_groups_saved");
	struct mls_drain d;
	pthread_t t;
	uint64_t t0;

	ASSERT_EQ(0, pthread_create(&t, NULL, helper_fn, &h));
	usleep(20000);
	t0 = now_ms();
	ASSERT_EQ(0, drain(self->p.ctl, 0, 60000, &d));
	EXPECT_GT(30000, now_ms() - t0);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, h.shut);
	EXPECT_LE(2, h.saved);
	EXPECT_EQ(0, d.not_saved);
	EXPECT_LE(2, d.saved);
	EXPECT_LE(saved + 2, stat_file("drain_groups_saved"));
	/* A second drain finds them saved already. */
	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, &d));
	EXPECT_EQ(0, d.not_saved);
}

/*
 * During a drain every operation that changes a group or makes one is
 * -ESHUTDOWN, while another thread is draining; export, save, info,
 * exporter and list still work.
 */
struct drainer {
	int ctl;
	int ret;
	__u32 timeout_ms;
	atomic_int done;
	struct mls_drain d;
};

static void *drainer_fn(void *arg)
{
	struct drainer *x = arg;

	x->ret = drain(x->ctl, 0, x->timeout_ms, &x->d);
	atomic_store(&x->done, 1);
	return NULL;
}

TEST_F(dr, eshutdown_while_another_thread_drains)
{
	/* Ended by the saves below, never by its timeout. */
	struct drainer x = { .ctl = self->p.ctl, .timeout_ms = 600000 };
	struct pair *p = &self->p;
	struct mls_group_new n;
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN], out[32], cs[64] = { 1 };
	struct mls_drain d = { .timeout_ms = DRAIN_MS };
	pthread_t t;
	int i, r = 0;

	ASSERT_EQ(0, enc_text(p->b, "before", &self->m));
	ASSERT_EQ(0, pthread_create(&t, NULL, drainer_fn, &x));
	for (i = 0; i < 2000; i++) {
		struct msg m2;

		r = enc_text(p->b, "x", &m2);
		if (r == -ESHUTDOWN)
			break;
		usleep(500);
	}
	ASSERT_EQ(-ESHUTDOWN, r);
	/* A second drain while one waits; a cancel too. */
	EXPECT_EQ(-EBUSY, drain_ioc(p->ctl, &d));
	EXPECT_EQ(-EBUSY, cancel(p->ctl));
	/* Refused. */
	EXPECT_EQ(-ESHUTDOWN, dec_msg(p->a, &self->m, &self->d));
	EXPECT_EQ(-ESHUTDOWN, member_commit(p, p->b, 1, cs));
	EXPECT_EQ(-ESHUTDOWN, grp_policy1(p->b, MLS_POLICY_OUT_OF_ORDER, 4));
	new_plain(&n, 1, "drained", 7, 0);
	EXPECT_EQ(-ESHUTDOWN, grp_create(p->ctl, &n));
	EXPECT_EQ(-ESHUTDOWN, snap_import(p->ctl, self->s.buf, self->s.len, NULL));
	/* Allowed: what a helper needs to save, and reads. */
	EXPECT_EQ(0, grp_info(p->b, &info, gid, sizeof(gid)));
	EXPECT_EQ(0, grp_exporter(p->b, "drain", NULL, 0, out, sizeof(out)));
	EXPECT_EQ(0, save(p->b, &self->s));
	/* Every persistent group saved: the drain ends. */
	EXPECT_LE(2, save_all(p->ctl));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, x.ret);
	EXPECT_EQ(0, x.d.not_saved);
	EXPECT_LE(2, x.d.saved);
	/* Still drained after the drain returned. */
	EXPECT_EQ(-ESHUTDOWN, dec_msg(p->a, &self->m, &self->d));
	ASSERT_EQ(0, cancel(p->ctl));
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
}

/*
 * The drain announces itself on netlink: MLS_CMD_SHUTDOWN, once per
 * drain, however often it is called; a new drain after a cancel
 * announces itself again.
 */
TEST_F(dr, shutdown_event)
{
	struct mls_events *h;
	struct mls_event ev;
	int r = mls_events_open(0, &h), n = 0;

	ASSERT_EQ(0, r);
	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, NULL));
	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, NULL));
	while (!mls_events_next(h, &ev, 500))
		if (ev.type == MLS_CMD_SHUTDOWN)
			n++;
	EXPECT_EQ(1, n);
	ASSERT_EQ(0, cancel(self->p.ctl));
	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, NULL));
	while (!mls_events_next(h, &ev, 500))
		if (ev.type == MLS_CMD_SHUTDOWN)
			n++;
	EXPECT_EQ(2, n);
	mls_events_close(h);
}

static int set_drain_param(int ms)
{
	char v[16];
	int fd = open("/sys/module/mls/parameters/drain_timeout_ms", O_WRONLY | O_CLOEXEC);
	int n = snprintf(v, sizeof(v), "%d", ms), r;

	if (fd < 0)
		return -errno;
	r = write(fd, v, (size_t)n) == n ? 0 : -errno;
	close(fd);
	return r;
}

/*
 * No call in flight: a drain of 1 ms, or of none at all (the parameter
 * drain_timeout_ms at 0), is not refused for the grace period it polls
 * (it waits MLS_DRAIN_INFLIGHT_MIN_MS for it at least): it announces the
 * drain and counts the groups not saved, as a longer one would.
 */
TEST_F(dr, short_timeout_is_not_cut_by_the_grace_period)
{
	char buf[64];
	struct mls_drain d;
	int i, was = (int)mod_param("drain_timeout_ms");

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, drain(self->p.ctl, 0, 1, &d));
		EXPECT_STREQ("drained", drain_state(buf, sizeof(buf)));
		EXPECT_LE(2, d.not_saved);
		ASSERT_EQ(0, cancel(self->p.ctl));
	}
	ASSERT_LE(0, was);
	ASSERT_EQ(0, set_drain_param(0));
	EXPECT_EQ(0, (int)mod_param("drain_timeout_ms"));
	EXPECT_EQ(0, drain(self->p.ctl, 0, 0, &d));
	EXPECT_EQ(0, set_drain_param(was));
	EXPECT_STREQ("drained", drain_state(buf, sizeof(buf)));
	EXPECT_LE(2, d.not_saved);
	EXPECT_EQ(-ESHUTDOWN, enc_text(self->p.b, "drained", &self->m));
}

/*
 * A snapshot exported while drained stops the group where it is: it sends
 * nothing more (even once the drain is cancelled, until a new save), and
 * the restore with MLS_IMPORT_F_RESUME goes on at the very next
 * generation, no window skipped; the peer reads it.
 */
TEST_F(dr, drained_snapshot_resumes_without_gap)
{
	struct pair *p = &self->p;
	struct snap fin = {};
	__u32 gen;
	int fd;

	ASSERT_EQ(0, enc_text(p->b, "one", &self->m));
	ASSERT_EQ(0, enc_text(p->b, "two", &self->m));
	ASSERT_EQ(0, dec_msg(p->a, &self->m, &self->d));
	gen = self->m.gen;
	ASSERT_EQ(0, drain(p->ctl, 0, DRAIN_MS, NULL));
	ASSERT_EQ(0, save(p->b, &fin));
	ASSERT_EQ(0, cancel(p->ctl));
	/* Closed at the export: a new save is needed to send. */
	EXPECT_EQ(-ENOBUFS, enc_text(p->b, "closed", &self->m));
	EXPECT_EQ(-ENOBUFS, enc_commit(p->b, &self->m));
	ASSERT_EQ(0, grp_destroy(p->b));
	close(p->b);
	fd = snap_import_flags(p->ctl, &fin, MLS_IMPORT_F_RESUME);
	ASSERT_LE(0, fd);
	p->b = fd;
	ASSERT_EQ(0, save(p->b, &self->s));
	ASSERT_EQ(0, enc_text(p->b, "resumed", &self->m));
	EXPECT_EQ(gen + 1, self->m.gen);
	EXPECT_EQ(0, dec_msg(p->a, &self->m, &self->d));
	snap_free(&fin);
}

/* MLS_DRAIN_F_DESTROY: every group is gone at the end. */
TEST_F(dr, destroy_at_the_end)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_drain d;
	__u32 plain_id;
	int plain = grp_plain(self->p.ctl, 1, 0, &plain_id);

	ASSERT_LE(0, plain);
	ASSERT_EQ(0, drain(self->p.ctl, MLS_DRAIN_F_DESTROY, DRAIN_MS, &d));
	EXPECT_LE(3, d.destroyed);
	EXPECT_EQ(-ENOENT, grp_info(self->p.b, &info, gid, sizeof(gid)));
	EXPECT_EQ(-ENOENT, grp_info(plain, &info, gid, sizeof(gid)));
	EXPECT_EQ(-ENOENT, grp_open_id(self->p.ctl, plain_id));
	close(plain);
}

/* libmls: mls_drain() gives the counts, refuses what the ioctl refuses. */
TEST_F(dr, libmls_wrapper)
{
	struct mls_drain d;

	errno = 4321;
	EXPECT_EQ(-EINVAL, mls_drain(self->p.ctl, 1U << 5, 0, NULL));
	EXPECT_EQ(-EALREADY, mls_drain(self->p.ctl, MLS_DRAIN_F_CANCEL, 0, NULL));
	EXPECT_EQ(-EBADF, mls_drain(-1, 0, 10, NULL));
	EXPECT_EQ(4321, errno);
	memset(&d, 0xff, sizeof(d));
	ASSERT_EQ(0, mls_drain(self->p.ctl, 0, DRAIN_MS, &d));
	EXPECT_LE(2, d.not_saved);
	EXPECT_EQ(0, d.destroyed);
	EXPECT_EQ(-ESHUTDOWN, enc_text(self->p.b, "drained", &self->m));
	ASSERT_EQ(0, mls_drain(self->p.ctl, MLS_DRAIN_F_CANCEL, 0, NULL));
	EXPECT_EQ(0, enc_text(self->p.b, "back", &self->m));
}

static __u32 group_state(int fd)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];

	return grp_info(fd, &info, gid, sizeof(gid)) ? 0 : info.state;
}

/* The state netlink reports for the group @kid (MLS_A_STATE), or 0. */
static __u32 nl_group_state(__u32 kid)
{
	struct mls_group_status st;

	return mls_group_get_status(kid, &st) ? 0 : st.state;
}

/*
 * A cancel sends MLS_CMD_RESUME, once, after the drain's MLS_CMD_SHUTDOWN;
 * a cancel refused (nothing to cancel, a bad argument) sends nothing.
 */
TEST_F(dr, resume_event)
{
	struct mls_drain d = { .flags = MLS_DRAIN_F_CANCEL, .timeout_ms = 1 };
	struct mls_events *h;
	struct mls_event ev;
	int shut = 0, resume = 0, order_ok = 1;

	ASSERT_EQ(0, mls_events_open(0, &h));
	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, NULL));
	EXPECT_EQ(-EINVAL, drain_ioc(self->p.ctl, &d));
	ASSERT_EQ(0, cancel(self->p.ctl));
	EXPECT_EQ(-EALREADY, cancel(self->p.ctl));
	while (!mls_events_next(h, &ev, 500)) {
		if (ev.type == MLS_CMD_SHUTDOWN)
			shut++;
		if (ev.type == MLS_CMD_RESUME) {
			resume++;
			order_ok &= shut == 1;
			EXPECT_EQ(0, ev.present);
		}
	}
	EXPECT_EQ(1, shut);
	EXPECT_EQ(1, resume);
	EXPECT_TRUE(order_ok);
	mls_events_close(h);
}

/*
 * /sys/kernel/mls/drain: "none", "drained" during a drain and after it
 * returned, "none" again after the cancel; the groups' state says the
 * same through MLS_IOC_GROUP_INFO, netlink and their sysfs state file.
 * Read-only, for root too; readable by anyone.
 */
TEST_F(dr, drain_state_agrees)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	char buf[64], path[128];
	int was = group_sysfs(), fd, st;
	__u32 id;
	pid_t pid;

	EXPECT_STREQ("none", drain_state(buf, sizeof(buf)));
	ASSERT_LE(0, was);
	ASSERT_EQ(0, set_group_sysfs(true));
	fd = grp_plain(self->p.ctl, 1, 0, &id);
	set_group_sysfs(was == 1);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%u/state", id);
	ASSERT_EQ(0, grp_info(self->p.b, &info, gid, sizeof(gid)));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, info.state);
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, nl_group_state(id));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, group_state(fd));

	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, NULL));
	EXPECT_STREQ("drained", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(MLS_GROUP_STATE_SHUTTING_DOWN, group_state(self->p.b));
	EXPECT_EQ(MLS_GROUP_STATE_SHUTTING_DOWN, group_state(fd));
	EXPECT_EQ(MLS_GROUP_STATE_SHUTTING_DOWN, nl_group_state(id));
	{
		int sfd = open(path, O_RDONLY);
		ssize_t n = sfd < 0 ? -1 : read(sfd, buf, sizeof(buf) - 1);

		if (sfd >= 0)
			close(sfd);
		buf[n > 0 ? n : 0] = 0;
		EXPECT_STREQ("shutting-down\n", buf);
	}

	/* Nobody writes it; anyone reads it. */
	errno = 0;
	EXPECT_EQ(-1, open("/sys/kernel/mls/drain", O_WRONLY));
	EXPECT_EQ(EACCES, errno);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[64];

		if (setgid(1000) || setuid(1000))
			_exit(2);
		_exit(strcmp(drain_state(b, sizeof(b)), "drained") ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));

	ASSERT_EQ(0, cancel(self->p.ctl));
	EXPECT_STREQ("none", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, group_state(self->p.b));
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, nl_group_state(id));
	{
		int sfd = open(path, O_RDONLY);
		ssize_t n = sfd < 0 ? -1 : read(sfd, buf, sizeof(buf) - 1);

		if (sfd >= 0)
			close(sfd);
		buf[n > 0 ? n : 0] = 0;
		EXPECT_STREQ("active\n", buf);
	}
	grp_destroy(fd);
	close(fd);
}

/* What the caller leaves in the out fields never comes back. */
TEST_F(dr, out_fields_zeroed)
{
	struct mls_drain d;

	memset(&d, 0, sizeof(d));
	d.timeout_ms = DRAIN_MS;
	d.saved = d.not_saved = d.destroyed = 0x5a5a5a5a;
	ASSERT_EQ(0, drain_ioc(self->p.ctl, &d));
	EXPECT_EQ(0, d.saved);
	EXPECT_LE(2, d.not_saved);
	EXPECT_GT(100, d.not_saved);
	EXPECT_EQ(0, d.destroyed);
	memset(&d, 0, sizeof(d));
	d.flags = MLS_DRAIN_F_CANCEL;
	d.saved = d.not_saved = d.destroyed = 0x5a5a5a5a;
	ASSERT_EQ(0, drain_ioc(self->p.ctl, &d));
	EXPECT_EQ(0, d.saved);
	EXPECT_EQ(0, d.not_saved);
	EXPECT_EQ(0, d.destroyed);
}

/*
 * An encrypt let in before the drain sleeps on a page fault nobody
 * serves: the drain returns -ETIMEDOUT at its timeout instead of waiting
 * for it, sends no MLS_CMD_SHUTDOWN, and stays begun ("draining": new
 * calls refused). A cancel is possible then. Once the fault is served
 * the encrypt finishes (it was let in), and a drain goes through.
 */
TEST_F_TIMEOUT(dr, call_in_flight_bounded_by_timeout, 300)
{
	long long drains = stat_file("drains");
	long long timeouts = stat_file("drain_timeouts");
	struct parked k;
	struct mls_events *h;
	struct mls_event ev;
	struct mls_drain d;
	char buf[64];
	int shut = 0;

	ASSERT_EQ(0, mls_events_open(0, &h));
	ASSERT_EQ(0, park(&k, self->p.b));
	memset(&d, 0xa5, sizeof(d));
	d.flags = 0;
	d.reserved = 0;
	d.timeout_ms = 200;
	EXPECT_EQ(-ETIMEDOUT, drain_ioc(self->p.ctl, &d));
	EXPECT_STREQ("draining", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(-ESHUTDOWN, enc_text(self->p.a, "refused", &self->m));
	EXPECT_EQ(MLS_GROUP_STATE_SHUTTING_DOWN, group_state(self->p.a));
	/* Again: the same calls are waited for. */
	EXPECT_EQ(-ETIMEDOUT, drain(self->p.ctl, 0, 50, NULL));
	EXPECT_FALSE(atomic_load(&k.done));
	/* Cancelled, and begun again, while the call still sleeps. */
	ASSERT_EQ(0, cancel(self->p.ctl));
	EXPECT_STREQ("none", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(-ETIMEDOUT, drain(self->p.ctl, 0, 50, NULL));
	while (!mls_events_next(h, &ev, 200))
		shut += ev.type == MLS_CMD_SHUTDOWN;
	EXPECT_EQ(0, shut);
	/* Three drains timed out there; none ran to its report. */
	EXPECT_EQ(timeouts + 3, stat_file("drain_timeouts"));
	EXPECT_EQ(drains, stat_file("drains"));

	EXPECT_EQ(0, unpark(&k));
	ASSERT_EQ(0, drain(self->p.ctl, 0, DRAIN_MS, &d));
	EXPECT_STREQ("drained", drain_state(buf, sizeof(buf)));
	while (!mls_events_next(h, &ev, 500))
		shut += ev.type == MLS_CMD_SHUTDOWN;
	EXPECT_EQ(1, shut);
	mls_events_close(h);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Signal @t every 5 ms until @x is done, 10 s at most: whether it is. */
static bool signal_until_done(pthread_t t, struct drainer *x)
{
	int i;

	for (i = 0; i < 2000 && !atomic_load(&x->done); i++) {
		pthread_kill(t, SIGUSR1);
		usleep(5000);
	}
	return atomic_load(&x->done);
}

/*
 * Drain in a thread with SIGUSR1's handler as @sa_flags say: its result,
 * or -ETIME if signals did not end it (then ended without SA_RESTART, so
 * that the drain lock is free for the next test).
 */
static int drain_signalled(struct __test_metadata *_metadata, int ctl, int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = sa_flags };
	struct drainer x = { .ctl = ctl, .timeout_ms = 600000 };
	pthread_t t;
	int r;

	EXPECT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	if (pthread_create(&t, NULL, drainer_fn, &x))
		return -EAGAIN;
	/* Never done with the timeout: a signal must end it. */
	r = signal_until_done(t, &x) ? 0 : -ETIME;
	if (r) {
		sa.sa_flags = 0;
		EXPECT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
		signal_until_done(t, &x);
	}
	pthread_join(t, NULL);
	return r ?: x.ret;
}

/*
 * A signal whose handler runs ends the drain with -EINTR, with
 * SA_RESTART or without (else a handler firing more often than the
 * timeout would keep it from ever returning): both in the wait for the
 * calls in flight ("draining" stays) and in the wait for the saves
 * ("drained" stays). The module stays drained.
 */
TEST_F_TIMEOUT(dr, signal_handler_interrupts, 300)
{
	struct parked k;
	char buf[64];
	int i;

	ASSERT_EQ(0, park(&k, self->p.b));
	EXPECT_EQ(-EINTR, drain_signalled(_metadata, self->p.ctl, 0));
	EXPECT_STREQ("draining", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(-EINTR, drain_signalled(_metadata, self->p.ctl, SA_RESTART));
	EXPECT_STREQ("draining", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(0, unpark(&k));

	/* Past the calls in flight: now each call waits for the saves. */
	for (i = 0; i < 20; i++) {
		EXPECT_EQ(-EINTR, drain_signalled(_metadata, self->p.ctl, SA_RESTART));
		if (!strcmp(drain_state(buf, sizeof(buf)), "drained"))
			break;
	}
	EXPECT_STREQ("drained", buf);
	EXPECT_EQ(-EINTR, drain_signalled(_metadata, self->p.ctl, SA_RESTART));
	EXPECT_EQ(-EINTR, drain_signalled(_metadata, self->p.ctl, 0));
	EXPECT_STREQ("drained", drain_state(buf, sizeof(buf)));
	EXPECT_EQ(-ESHUTDOWN, enc_text(self->p.a, "still drained", &self->m));
}

/* The state letter of @pid (/proc/PID/stat: 'S' asleep), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Wait until @pid, whose only work is a drain, sleeps (in the drain's
 * wait, the drain begun): 0, or -1. Not by a drain of ours, which would
 * take the lock from it.
 */
static int wait_asleep_in_drain(pid_t pid)
{
	char buf[64];
	int i;

	for (i = 0; i < 30000; i++) {
		if (proc_state(pid) == 'S' &&
		    strcmp(drain_state(buf, sizeof(buf)), "none"))
			return 0;
		usleep(1000);
	}
	return -1;
}

/* Stop @pid, wait until it is stopped, continue it: 0, or -1. */
static int stop_and_continue(pid_t pid)
{
	int st;

	if (kill(pid, SIGSTOP) || waitpid(pid, &st, WUNTRACED) != pid ||
	    !WIFSTOPPED(st) || kill(pid, SIGCONT))
		return -1;
	return 0;
}

/*
 * A signal that runs no handler (a stop and continue) makes the kernel
 * call the drain again: it goes on with the drain begun, in either wait,
 * and ends as an uninterrupted one would once the call in flight is done
 * and every group saved, having sent MLS_CMD_SHUTDOWN once.
 */
TEST_F_TIMEOUT(dr, stop_restarts_and_announces_once, 300)
{
	struct mls_events *h;
	struct mls_event ev;
	struct parked k;
	char buf[64];
	int i, st, shut = 0;
	pid_t pid;

	ASSERT_EQ(0, mls_events_open(0, &h));
	ASSERT_EQ(0, park(&k, self->p.b));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mls_drain d;
		int r = drain(self->p.ctl, 0, 600000, &d);

		_exit(r == 0 && d.not_saved == 0 && d.saved >= 2 ? 0 : 1);
	}
	/* In the wait for the calls in flight. */
	ASSERT_EQ(0, wait_asleep_in_drain(pid));
	ASSERT_EQ(0, stop_and_continue(pid));
	ASSERT_EQ(0, wait_asleep_in_drain(pid));
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG));
	EXPECT_EQ(0, unpark(&k));
	/* In the wait for the saves. */
	for (i = 0; i < 60000 && strcmp(drain_state(buf, sizeof(buf)), "drained"); i++)
		usleep(1000);
	EXPECT_STREQ("drained", buf);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, stop_and_continue(pid));
		ASSERT_EQ(0, wait_asleep_in_drain(pid));
	}
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG));
	EXPECT_LE(2, save_all(self->p.ctl));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	while (!mls_events_next(h, &ev, 500))
		shut += ev.type == MLS_CMD_SHUTDOWN;
	EXPECT_EQ(1, shut);
	mls_events_close(h);
}

TEST_HARNESS_MAIN
