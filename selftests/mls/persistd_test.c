// SPDX-License-Identifier: GPL-2.0
/*
 * mls-persistd (tools/mls-persistd, mls-persistd(8)) run as the system
 * runs it, from PATH (/mls/bin in the VM), with a state directory of the
 * test's own and the test standing in for the service manager on
 * $NOTIFY_SOCKET:
 *
 *  - a round trip through the daemon across its restart and across a
 *    module unload and reload: the old messages decrypt, the exporter is
 *    unchanged, both members talk on across commits;
 *  - every crash point of its write path (MLS_PERSISTD_CRASH=any:N),
 *    then a restart: the log is recovered, the newest snapshot is valid
 *    and the member resumes without encrypting any (epoch, leaf,
 *    generation) twice;
 *  - SIGKILL at random points while a member encrypts, half of the time
 *    with the module unloaded (no drain) and loaded again: no triple
 *    twice, and the peer decrypts every message. For MLS_PERSISTD_KILL_TIME
 *    seconds (default 20), or MLS_PERSISTD_KILLS crashes (make crash-test);
 *  - events lost while the daemon is stopped (SIGSTOP, a small receive
 *    buffer): after SIGCONT every group that changed meanwhile is saved;
 *  - a drain the daemon follows: it saves every group on "shutdown", and
 *    comes back to service on "resume", or, that event lost, on what
 *    /sys/kernel/mls/drain says; with --drain-on-stop its SIGTERM drains
 *    the module and saves every group under that drain;
 *  - a corrupt or truncated newest snapshot is reported by name and
 *    skipped, the other groups restored; a sound newest snapshot in a
 *    format the module does not read is reported and not replaced by
 *    the older one (the group stays down); a full disk and a read-only
 *    state directory are reported and the last good snapshot is kept.
 *
 * The peer A is the test's own (not persistent, kept across module
 * reloads with a sealed snapshot of its own); the member B (leaf 1) is
 * persistent and the daemon's to save and restore.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/mls.h>

#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "libmls.h"
#include "park_util.h"

#define SNAP_MAX	(1 << 20)
#define READY_MS	15000

/* ------------------------------------------------------------ the key */

static const char *seal_key_desc(void)
{
	static char desc[256];
	FILE *f = fopen("/sys/module/mls/parameters/seal_key", "r");

	snprintf(desc, sizeof(desc), "mls:seal");
	if (f) {
		if (fgets(desc, sizeof(desc), f))
			desc[strcspn(desc, "\n")] = 0;
		fclose(f);
	}
	return desc;
}

/* A random 32-byte logon key in a fresh session keyring the daemon inherits. */
static int fresh_logon_key(void)
{
	uint8_t k[32];

	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		return -errno;
	rand_bytes(k, sizeof(k));
	return syscall(SYS_add_key, "logon", seal_key_desc(), k, sizeof(k),
		       KEY_SPEC_SESSION_KEYRING) < 0 ? -errno : 0;
}

static bool in_vm(void)
{
	return getuid() == 0 && !access(MODULE_PATH, R_OK);
}

static bool have_daemon(void)
{
	return system("command -v mls-persistd >/dev/null 2>&1") == 0;
}

#define NEED_VM() do {							\
	if (!in_vm())							\
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);	\
	if (!have_daemon())						\
		SKIP(return, "mls-persistd is not on PATH");		\
} while (0)

/* --------------------------------------------------------- the daemon */

struct daemon {
	pid_t pid;
	int nsock;		/* the notification socket we listen on */
	char dir[128];		/* its state directory */
	char sock[160];
	char log[160];		/* its stderr, appended */
	bool no_dac;		/* without CAP_DAC_OVERRIDE: file modes hold */
};

static int daemon_init(struct daemon *d, const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(d, 0, sizeof(*d));
	d->pid = -1;
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	snprintf(d->sock, sizeof(d->sock), "%s.notify", dir);
	snprintf(d->log, sizeof(d->log), "%s.log", dir);
	unlink(d->sock);
	unlink(d->log);
	d->nsock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->nsock < 0)
		return -errno;
	if (strlen(d->sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, d->sock, strlen(d->sock) + 1);
	return bind(d->nsock, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

/* Wait for a notification holding @what: 0, or -ETIMEDOUT. */
static int wait_notify(struct daemon *d, const char *what, int ms)
{
	uint64_t end = now_ms() + ms;
	char buf[512];
	ssize_t n;

	while (now_ms() < end) {
		struct pollfd p = { .fd = d->nsock, .events = POLLIN };

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(d->nsock, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (strstr(buf, what))
			return 0;
	}
	return -ETIMEDOUT;
}

/* Start it, with crash point @crash (may be NULL), and @extra (may be NULL). */
static int daemon_start(struct daemon *d, const char *crash, const char *extra)
{
	char buf[256];
	int fd;

	/* What an earlier run said (its READY=1) is not this one's. */
	while (recv(d->nsock, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
	fflush(stdout);
	fflush(stderr);
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0) {
		fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0)
			dup2(fd, 2);
		if (d->no_dac &&
		    (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) ||
		     prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0)))
			_exit(126);
		setenv("NOTIFY_SOCKET", d->sock, 1);
		if (crash)
			setenv("MLS_PERSISTD_CRASH", crash, 1);
		else
			unsetenv("MLS_PERSISTD_CRASH");
		execlp("mls-persistd", "mls-persistd", "--state-dir", d->dir,
		       "--retry-ms", "20", extra, (char *)NULL);
		_exit(127);
	}
	return 0;
}

static int daemon_start_ready(struct daemon *d, const char *extra)
{
	int r = daemon_start(d, NULL, extra);

	return r ?: wait_notify(d, "READY=1", READY_MS);
}

/* Its exit status once it is gone (-1 if killed), -ETIMEDOUT if not in @ms. */
static int daemon_wait(struct daemon *d, int ms)
{
	uint64_t end = now_ms() + ms;
	int st;
	pid_t r;

	if (d->pid < 0)
		return -ECHILD;
	do {
		r = waitpid(d->pid, &st, WNOHANG);
		if (r == d->pid) {
			d->pid = -1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		sleep_ms(2);
	} while (now_ms() < end);
	return -ETIMEDOUT;
}

static int daemon_stop(struct daemon *d, int sig)
{
	if (d->pid < 0)
		return -ECHILD;
	kill(d->pid, sig);
	return daemon_wait(d, 30000);
}

static void daemon_fini(struct daemon *d)
{
	if (d->pid > 0)
		daemon_stop(d, SIGKILL);
	if (d->nsock >= 0)
		close(d->nsock);
	d->nsock = -1;
}

/* Whether its log holds @what. */
static bool log_has(const struct daemon *d, const char *what)
{
	char *buf = malloc(1 << 20);
	bool found = false;
	ssize_t n;
	int fd = open(d->log, O_RDONLY);

	if (fd >= 0 && buf) {
		n = read(fd, buf, (1 << 20) - 1);
		if (n > 0) {
			buf[n] = 0;
			found = strstr(buf, what) != NULL;
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return found;
}

/*
 * Whether @what is in the log within @ms: the daemon may log a step a
 * little after what the test can observe of it (a group saved, then the
 * line saying every group was).
 */
static bool log_wait(const struct daemon *d, const char *what, int ms)
{
	for (; ms > 0 && !log_has(d, what); ms -= 10)
		sleep_ms(10);
	return log_has(d, what);
}

/* The end of its log, as TAP comments. */
static void log_dump(const struct daemon *d)
{
	char buf[3072], *line, *save = NULL;
	int fd = open(d->log, O_RDONLY);
	off_t size;
	ssize_t n;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	n = pread(fd, buf, sizeof(buf) - 1, size > (off_t)sizeof(buf) - 1 ?
		  size - (off_t)sizeof(buf) + 1 : 0);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);
	fflush(stdout);
}

static int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---------------------------------------------------- the two members */

/* A (leaf 0) with @fa, B (leaf 1) with @fb, in one group of two. */
static int pair_make2(struct pair *p, __u32 fa, __u32 fb)
{
	struct mls_group_new n;

	memset(p, 0, sizeof(*p));
	p->a = p->b = -1;
	p->suite = 1;
	p->nh = suite_nh(1);
	p->leaf_count = 2;
	p->sig_len = stand_in_sig(1, p->sig);
	p->ctl = ctl_open();
	if (p->ctl < 0)
		return p->ctl;
	inputs_random(&p->in, 1);
	if (key_schedule(&p->in, p->in.init, p->in.commit, p->in.psk, &p->es))
		return -EIO;
	new_from_inputs(&n, &p->in, 0, 2, NULL, 0, fa);
	p->a = grp_create(p->ctl, &n);
	if (p->a < 0)
		return p->a;
	p->a_id = n.id;
	new_from_inputs(&n, &p->in, 1, 2, NULL, 0, fb);
	p->b = grp_create(p->ctl, &n);
	if (p->b < 0)
		return p->b;
	p->b_id = n.id;
	return 0;
}

struct sent {
	__u64 epoch;
	__u32 gen;
};

/* What B sent and A read. */
struct traffic {
	struct pair p;
	struct sent *s;
	size_t n, cap;
	size_t undecrypted;	/* sent by B, refused by A */
	size_t recommits;	/* B restored an epoch behind */
	int last_err;
	struct msg m;
	struct dec dd;
	struct pair prev;	/* before the last commit, */
	uint8_t last_cs[MLS_MAX_HASH_LEN];	/* and its commit_secret */
	bool have_prev;
};

/*
 * One message from B, decrypted by A: 0, or B's -errno (-ENOBUFS: the
 * reservation is used up, nothing sent).
 */
static int send_one(struct traffic *t)
{
	int r = enc_text(t->p.b, "payload", &t->m);

	if (r)
		return r;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->s = realloc(t->s, t->cap * sizeof(*t->s));
		if (!t->s)
			abort();
	}
	t->s[t->n].epoch = t->m.epoch;
	t->s[t->n].gen = t->m.gen;
	t->n++;
	r = dec_msg(t->p.a, &t->m, &t->dd);
	if (r || t->dd.leaf != 1 || t->dd.gen != t->m.gen || t->dd.epoch != t->m.epoch) {
		t->undecrypted++;
		t->last_err = r;
	}
	return 0;
}

/* @count messages from B, waiting out -ENOBUFS up to @ms each. */
static int send_wait(struct traffic *t, int count, int ms)
{
	uint64_t end;
	int i, r;

	for (i = 0; i < count; i++) {
		end = now_ms() + ms;
		while ((r = send_one(t)) == -ENOBUFS && now_ms() < end)
			sleep_ms(1);
		if (r)
			return r;
	}
	return 0;
}

static int cmp_sent(const void *a, const void *b)
{
	const struct sent *x = a, *y = b;

	if (x->epoch != y->epoch)
		return x->epoch < y->epoch ? -1 : 1;
	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

/* How many (epoch, leaf 1, generation) were encrypted twice. */
static size_t reused(struct traffic *t)
{
	size_t i, dup = 0;

	qsort(t->s, t->n, sizeof(*t->s), cmp_sent);
	for (i = 1; i < t->n; i++)
		if (!cmp_sent(&t->s[i - 1], &t->s[i]))
			dup++;
	return dup;
}

/* B gone without a save (the daemon is dead): destroyed. */
static int drop_b(struct traffic *t)
{
	int r = grp_destroy(t->p.b);

	close(t->p.b);
	t->p.b = -1;
	return r;
}

/*
 * B as the daemon restored it (the same kernel id, it was free). A
 * crash before the snapshot of B's last commit was stored brings B back
 * in the epoch before it (it never sent in the new one: that needs a
 * saved snapshot); B then processes that commit again, as a member
 * fetching it from the delivery service would.
 */
static int reopen_b(struct traffic *t)
{
	int64_t e;

	t->p.b = grp_open_id(t->p.ctl, t->p.b_id);
	if (t->p.b < 0)
		return t->p.b;
	e = grp_epoch(t->p.b);
	if (e < 0)
		return (int)e;
	if ((uint64_t)e + 1 == t->p.in.epoch && t->have_prev) {
		t->recommits++;
		return member_commit(&t->prev, t->p.b, 1, t->last_cs);
	}
	return (uint64_t)e == t->p.in.epoch ? 0 : -ESTALE;
}

/*
 * The module unloaded (no drain: B is not saved again) and loaded again,
 * A brought back from a snapshot the test takes just before.
 */
static int reload_keep_a(struct traffic *t)
{
	static uint8_t buf[SNAP_MAX];
	struct mls_group_export e;
	struct mls_group_import im;
	int r, i;

	memset(&e, 0, sizeof(e));
	mbuf(&e.snapshot, buf, sizeof(buf));
	r = xioctl(t->p.a, MLS_IOC_GROUP_EXPORT, &e);
	if (r)
		return r;
	pair_close(&t->p);
	for (i = 0; i < 200; i++) {
		r = syscall(SYS_delete_module, "mls", O_NONBLOCK) ? -errno : 0;
		if (r != -EAGAIN && r != -EBUSY && r != -EWOULDBLOCK)
			break;
		sleep_ms(10);
	}
	if (r)
		return r;
	r = vm_module_load(MODULE_PATH, "");
	if (r)
		return r;
	t->p.ctl = ctl_open();
	if (t->p.ctl < 0)
		return t->p.ctl;
	memset(&im, 0, sizeof(im));
	mbuf(&im.snapshot, buf, e.snapshot.len);
	t->p.a = xioctl(t->p.ctl, MLS_IOC_GROUP_IMPORT, &im);
	if (t->p.a < 0)
		return t->p.a;
	return im.id == t->p.a_id ? 0 : -EADDRINUSE;
}

/*
 * Both members to the next epoch, remembering how: the Commit is A's own,
 * with a fresh path (MLS_COMMIT_F_OWN_PATH), which B receives.
 */
static int commit_both(struct traffic *t)
{
	struct grp_inputs next;
	struct mls_commit c;
	int r;

	t->prev = t->p;
	rand_bytes(t->last_cs, t->p.nh);
	pair_commit_arg(&t->p, &c, &next, 0, t->last_cs);
	c.flags |= MLS_COMMIT_F_OWN_PATH;
	r = grp_commit(t->p.a, &c) ?:
	    member_commit(&t->p, t->p.b, 1, t->last_cs);
	if (r)
		return r;
	t->have_prev = true;
	return pair_advance(&t->p, t->last_cs);
}

/* The state directory, fresh. */
static void fresh_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "/tmp/persistd_%s", name);
	run_cmd("rm -rf %s", out);
}

/* The names of the files of group B's directory into @buf (space-separated). */
static int group_files(const char *dir, const char *group_prefix, char *buf, size_t cap,
		       char *group, size_t gcap)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	size_t k = 0;

	snprintf(path, sizeof(path), "%s/groups", dir);
	d = opendir(path);
	if (!d)
		return -errno;
	group[0] = 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, group_prefix, strlen(group_prefix)))
			snprintf(group, gcap, "%s", de->d_name);
	closedir(d);
	if (!group[0])
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/groups/%s", dir, group);
	d = opendir(path);
	if (!d)
		return -errno;
	buf[0] = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] != 'e')
			continue;
		k += snprintf(buf + k, k < cap ? cap - k : 0, "%s ", de->d_name);
	}
	closedir(d);
	return 0;
}

/* The newest record (highest store sequence) of @group into @name. */
static int newest_record(const char *dir, const char *group, char *name, size_t cap)
{
	char path[512], best[64] = "";
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/groups/%s", dir, group);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] != 'e' || l != 40)
			continue;
		if (strcmp(de->d_name + 19, best[0] ? best + 19 : "") > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	if (!best[0])
		return -ENOENT;
	snprintf(name, cap, "%s", best);
	return 0;
}

/* "mlsctl persist status" of @dir: its exit status, output into @out. */
static int persist_status(const char *dir, char *out, size_t cap)
{
	char cmd[300];
	FILE *f;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "mlsctl -j persist status dir %s", dir);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	n = fread(out, 1, cap - 1, f);
	out[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ----------------------------------------------------------- round trip */

FIXTURE(rt) {
	struct daemon d;
	struct traffic t;
	char dir[128];
};

FIXTURE_SETUP(rt)
{
	memset(&self->t, 0, sizeof(self->t));
	self->d.nsock = -1;
	self->t.p.a = self->t.p.b = self->t.p.ctl = -1;
	if (!in_vm() || !have_daemon())
		return;
	fresh_dir(self->dir, sizeof(self->dir), "rt");
	ASSERT_EQ(0, fresh_logon_key());
	ASSERT_EQ(0, daemon_init(&self->d, self->dir));
}

FIXTURE_TEARDOWN(rt)
{
	struct mls_drain dr = { .flags = MLS_DRAIN_F_CANCEL };

	daemon_fini(&self->d);
	/* The suites after this one run on a module in service. */
	if (self->t.p.ctl >= 0)
		ioctl(self->t.p.ctl, MLS_IOC_DRAIN, &dr);
	umount2(self->dir, MNT_DETACH);
	if (self->t.p.a >= 0)
		grp_destroy(self->t.p.a);
	if (self->t.p.b >= 0)
		grp_destroy(self->t.p.b);
	pair_close(&self->t.p);
	free(self->t.s);
}

/*
 * The daemon saves B as it goes; stopped (SIGTERM: STOPPING=1 and a
 * last save), the module reloaded, started again: B is back with the
 * same exporter, A still decrypts what B sent before, and both talk on
 * across two more commits.
 */
TEST_F_TIMEOUT(rt, across_daemon_restart_and_module_reload, 300)
{
	struct traffic *t = &self->t;
	struct msg before, m;
	struct dec dd;
	uint8_t exp1[32], exp2[32];
	char out[4096];
	size_t i;
	int r;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	/* Saved on its creation event: B may send. */
	ASSERT_EQ(0, send_wait(t, 5, 5000)) log_dump(&self->d);
	/* Past several reservations: saved again on reserve_low. */
	ASSERT_EQ(0, send_wait(t, 1500, 5000)) log_dump(&self->d);
	ASSERT_EQ(0, enc_text(t->p.b, "before", &before));
	ASSERT_EQ(0, grp_exporter(t->p.b, "rt", NULL, 0, exp1, sizeof(exp1)));
	EXPECT_EQ(0, persist_status(self->dir, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"state\":\"saved\"")) TH_LOG("%s", out);
	/* The daemon restarted alone: B is alive, nothing to restore. */
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	EXPECT_TRUE(log_has(&self->d, "alive, not restored"));
	ASSERT_EQ(0, send_wait(t, 10, 5000));
	/* Then stopped: its last save; then the module reloaded. */
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
	r = reload_keep_a(t);
	ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, reopen_b(t)) log_dump(&self->d);
	EXPECT_TRUE(log_has(&self->d, "(resumed)")) log_dump(&self->d);
	ASSERT_EQ(0, grp_exporter(t->p.b, "rt", NULL, 0, exp2, sizeof(exp2)));
	EXPECT_EQ(0, memcmp(exp1, exp2, sizeof(exp1)));
	ASSERT_EQ(0, dec_msg(t->p.a, &before, &dd));
	EXPECT_EQ(0, memcmp(dd.content, "before", 6));
	/* B resumes in its epoch, once the daemon saved it again. */
	ASSERT_EQ(0, send_wait(t, 600, 5000)) log_dump(&self->d);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, commit_both(t));
		ASSERT_EQ(0, send_wait(t, 20, 5000)) log_dump(&self->d);
		ASSERT_EQ(0, enc_text(t->p.a, "to b", &m));
		ASSERT_EQ(0, dec_msg(t->p.b, &m, &dd));
		EXPECT_EQ(0, memcmp(dd.content, "to b", 4));
	}
	EXPECT_EQ(0, t->undecrypted) TH_LOG("A refused %zu (last %d)", t->undecrypted,
					       t->last_err);
	EXPECT_EQ(0, reused(t));
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/*
 * The daemon stays up while the module goes and comes back: it saves on
 * "shutdown" what it can, waits for the module, then restores.
 */
TEST_F_TIMEOUT(rt, daemon_follows_a_module_reload, 300)
{
	struct traffic *t = &self->t;
	int r;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 700, 5000)) log_dump(&self->d);
	r = reload_keep_a(t);
	ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));
	/* Restored once it sees the module back. */
	for (r = 0; r < 500 && reopen_b(t); r++)
		sleep_ms(10);
	ASSERT_LE(0, t->p.b) log_dump(&self->d);
	ASSERT_EQ(0, send_wait(t, 700, 5000)) log_dump(&self->d);
	ASSERT_EQ(0, commit_both(t));
	ASSERT_EQ(0, send_wait(t, 10, 5000)) log_dump(&self->d);
	EXPECT_EQ(0, t->undecrypted);
	EXPECT_EQ(0, reused(t));
	EXPECT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/* STOPPING=1 and EXTEND_TIMEOUT_USEC on SIGTERM, as systemd wants them. */
TEST_F(rt, notifies_ready_and_stopping)
{
	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	kill(self->d.pid, SIGTERM);
	EXPECT_EQ(0, wait_notify(&self->d, "STOPPING=1", 10000));
	EXPECT_EQ(0, daemon_wait(&self->d, 10000));
}

/* ------------------------------------------------------ crashes */

/*
 * Each crash point of the write path in turn (any:1, any:2...: every
 * write, fsync, rename and directory fsync of its first saves, the log's
 * and the sequence's included): the daemon dies right after it while B
 * sends; B dies unsaved; the daemon restarts, recovers and restores B,
 * whose newest snapshot is valid and which sends on without reuse.
 */
/* One whole save (10 operations) and the next's first two; 24 in crash-test. */
#define CRASH_POINTS	(getenv("MLS_PERSISTD_KILLS") ? 24 : 12)

TEST_F_TIMEOUT(rt, every_crash_point_of_the_write_path, 600)
{
	struct traffic *t = &self->t;
	char spec[32], out[8192];
	uint64_t start = now_ms();
	int n, st, k, r;

	NEED_VM();
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	/* A first snapshot of B, so that there is one to come back to. */
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, send_wait(t, 5, 5000));
	ASSERT_EQ(-1, daemon_stop(&self->d, SIGKILL));
	for (n = 1; n <= CRASH_POINTS; n++) {
		snprintf(spec, sizeof(spec), "any:%d", n);
		ASSERT_EQ(0, daemon_start(&self->d, spec, NULL));
		/* Drive saves (reserve_low, commits) until it crashes. */
		for (k = 0; (st = daemon_wait(&self->d, 0)) == -ETIMEDOUT; k++) {
			ASSERT_LT(k, 200000) TH_LOG("crash point %s never reached", spec);
			r = send_one(t);
			ASSERT_TRUE(r == 0 || r == -ENOBUFS) TH_LOG("send: %s", strerror(-r));
			if (r)
				sleep_ms(1);
			if (k % 3000 == 2999)
				ASSERT_EQ(0, commit_both(t));
		}
		ASSERT_EQ(99, st) TH_LOG("%s: exit %d", spec, st);
		ASSERT_EQ(0, drop_b(t));
		ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
		ASSERT_EQ(0, reopen_b(t)) log_dump(&self->d);
		ASSERT_EQ(0, send_wait(t, 300, 5000)) {
			TH_LOG("%s: B does not send after the restore", spec);
			log_dump(&self->d);
		}
		EXPECT_EQ(0, persist_status(self->dir, out, sizeof(out))) TH_LOG("%s", out);
		EXPECT_EQ(NULL, strstr(out, "\"corrupt_files\":true")) TH_LOG("%s", out);
		ASSERT_EQ(-1, daemon_stop(&self->d, SIGKILL));
	}
	/* Some were rolled forward, some back. */
	EXPECT_TRUE(log_has(&self->d, "complete, committed"));
	EXPECT_TRUE(log_has(&self->d, "incomplete, rolled back"));
	EXPECT_EQ(0, t->undecrypted) TH_LOG("A refused %zu (last %d)", t->undecrypted,
					       t->last_err);
	EXPECT_EQ(0, reused(t));
	printf("# every_crash_point: %d crash points in %llu ms, %zu messages, %zu reused\n",
	       CRASH_POINTS, (unsigned long long)(now_ms() - start), t->n, reused(t));
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : def;
}

/*
 * SIGKILL at random points while B encrypts, every other time with the
 * module unloaded without a drain and loaded again, and commits now and
 * then: over every crash, no (epoch, leaf, generation) twice, and A
 * decrypts every message B sent.
 */
TEST_F_TIMEOUT(rt, sigkill_loop, 7200)
{
	struct traffic *t = &self->t;
	long kills = env_long("MLS_PERSISTD_KILLS", 0);
	long secs = env_long("MLS_PERSISTD_KILL_TIME", 20);
	uint64_t end = now_ms() + (uint64_t)secs * 1000, start = now_ms();
	long i, reloads = 0;
	unsigned int burst;
	int r;

	NEED_VM();
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	for (i = 0; kills ? i < kills : now_ms() < end; i++) {
		/* B sends a random while; the daemon saves meanwhile. */
		burst = rand_u32() % 1500;
		ASSERT_EQ(0, send_wait(t, (int)burst, 5000)) log_dump(&self->d);
		if (rand_u32() % 8 == 0)
			ASSERT_EQ(0, commit_both(t));
		/* Killed wherever it is (it may be writing). */
		burst = rand_u32() % 200;
		while (burst--)
			if (send_one(t) == -ENOBUFS)
				break;
		ASSERT_EQ(-1, daemon_stop(&self->d, SIGKILL));
		if (i % 2) {
			r = reload_keep_a(t);
			ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));
			reloads++;
		} else {
			ASSERT_EQ(0, drop_b(t));
		}
		ASSERT_EQ(0, daemon_start_ready(&self->d, NULL)) log_dump(&self->d);
		ASSERT_EQ(0, reopen_b(t)) log_dump(&self->d);
	}
	ASSERT_EQ(0, send_wait(t, 10, 5000));
	EXPECT_EQ(0, t->undecrypted) TH_LOG("A refused %zu (last %d)", t->undecrypted,
					       t->last_err);
	EXPECT_EQ(0, reused(t));
	printf("# sigkill_loop: %ld crashes (%ld with a module reload) in %llu ms, %zu messages, %zu restored an epoch behind, %zu reused\n",
	       i, reloads, (unsigned long long)(now_ms() - start), t->n, t->recommits,
	       reused(t));
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/* ---------------------------------------------------------- bad input */

/*
 * The record layout of tools/mls-persistd/record.c: a header of 68
 * bytes whose last 32 are the SHA-256 of the 36 before them and of the
 * sealed snapshot that follows; the snapshot's format version is the
 * u16 after its 4-byte magic.
 */
#define REC_HDR_LEN	68
#define REC_OFF_SHA	36

/*
 * The record @b's (@len bytes) sealed snapshot named format @version,
 * the record's checksum made anew: a record sound to the daemon that
 * the kernel refuses (the version is in the tag's additional data).
 */
static int set_version(uint8_t *b, size_t len, uint16_t version)
{
	EVP_MD_CTX *c;
	int ok;

	if (len < REC_HDR_LEN + 6)
		return -EINVAL;
	b[REC_HDR_LEN + 4] = version >> 8;
	b[REC_HDR_LEN + 5] = version & 0xff;
	c = EVP_MD_CTX_new();
	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(c, b, REC_OFF_SHA) &&
	     EVP_DigestUpdate(c, b + REC_HDR_LEN, len - REC_HDR_LEN) &&
	     EVP_DigestFinal_ex(c, b + REC_OFF_SHA, NULL);
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}

/*
 * @how the newest record of B's directory: "flip" a byte, "truncate",
 * "version" (a format no module reads: EPROTONOSUPPORT) or "ended"
 * (format 3, of an ended group, over a body that is not: the module
 * refuses it as malformed), the record's checksum made anew for both.
 */
static void damage_newest(struct __test_metadata *_metadata, const char *dir,
			  const char *how, char *name, size_t cap)
{
	char files[4096], group[300], path[700];
	struct stat sb;
	uint8_t c;
	int fd;

	ASSERT_EQ(0, group_files(dir, "u0-l1-", files, sizeof(files), group, sizeof(group)));
	ASSERT_EQ(0, newest_record(dir, group, name, cap));
	snprintf(path, sizeof(path), "%s/groups/%s/%s", dir, group, name);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &sb));
	if (!strcmp(how, "truncate")) {
		ASSERT_EQ(0, ftruncate(fd, sb.st_size / 2));
	} else if (!strcmp(how, "version") || !strcmp(how, "ended")) {
		uint8_t *b = malloc(sb.st_size);

		ASSERT_NE(NULL, b);
		ASSERT_EQ(sb.st_size, pread(fd, b, sb.st_size, 0));
		ASSERT_EQ(0, set_version(b, sb.st_size,
					 strcmp(how, "ended") ? 0xffff : 3));
		ASSERT_EQ(sb.st_size, pwrite(fd, b, sb.st_size, 0));
		free(b);
	} else {
		ASSERT_EQ(1, pread(fd, &c, 1, sb.st_size - 5));
		c ^= 0x10;
		ASSERT_EQ(1, pwrite(fd, &c, 1, sb.st_size - 5));
	}
	close(fd);
}

/*
 * Groups B (of a pair) and C, persistent, saved over a commit; with the
 * daemon down, B's newest snapshot damaged as damage_newest() @how
 * (the file's name in @name), B and C gone from the module; the daemon
 * started again, its log naming that file. C's id in *@c_id.
 */
static void newest_damaged_restart(struct __test_metadata *_metadata,
				   FIXTURE_DATA(rt) *self, const char *how,
				   char *name, size_t name_len, __u32 *c_id)
{
	struct traffic *t = &self->t;
	int c;

	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	c = grp_plain(t->p.ctl, 1, MLS_GROUP_F_PERSISTENT, c_id);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, send_wait(t, 5, 5000));
	ASSERT_EQ(0, commit_both(t));
	ASSERT_EQ(0, send_wait(t, 5, 5000));
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
	damage_newest(_metadata, self->dir, how, name, name_len);
	ASSERT_EQ(0, drop_b(t));
	ASSERT_EQ(0, grp_destroy(c));
	close(c);
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	EXPECT_TRUE(log_has(&self->d, name)) log_dump(&self->d);
}

/*
 * The newest snapshot of B damaged while the daemon is down: named in
 * the log and skipped; B comes back from the one before it, which may
 * not send (receive-only until its own commit: it is not the newest);
 * a persistent group C beside it is restored and resumes.
 */
static void bad_newest(struct __test_metadata *_metadata, FIXTURE_DATA(rt) *self,
		       const char *how)
{
	struct traffic *t = &self->t;
	struct msg m;
	char name[64];
	__u32 c_id;
	int c, r;

	newest_damaged_restart(_metadata, self, how, name, sizeof(name), &c_id);
	EXPECT_TRUE(log_has(&self->d, "corrupt snapshot, skipped")) log_dump(&self->d);
	ASSERT_EQ(0, reopen_b(t)) log_dump(&self->d);
	EXPECT_TRUE(log_has(&self->d, "receive-only until its own commit"));
	/*
	 * Saved (READY=1 follows the saves), still it may not send: it came
	 * back an epoch behind and took A's Commit again (reopen_b()), and
	 * the lost newer copy of it may have sent in that epoch already.
	 */
	r = enc_text(t->p.b, "older snapshot", &m);
	EXPECT_EQ(-EROFS, r);
	/* It reads what A sends in its epoch, and sends after a commit. */
	c = grp_open_id(t->p.ctl, c_id);
	ASSERT_LE(0, c) log_dump(&self->d);
	for (r = 0; r < 500 && enc_text(c, "c resumed", &m) == -ENOBUFS; r++)
		sleep_ms(10);
	EXPECT_EQ(0, enc_text(c, "c resumed", &m));
	grp_destroy(c);
	close(c);
	/* The restored epoch is the previous one: commit from there. */
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

TEST_F(rt, bit_flipped_newest_skipped_by_name)
{
	NEED_VM();
	bad_newest(_metadata, self, "flip");
}

TEST_F(rt, truncated_newest_skipped_by_name)
{
	NEED_VM();
	bad_newest(_metadata, self, "truncate");
}

/*
 * The newest snapshot of B damaged as @how, refused by the module in a
 * way that forbids an older one: the daemon reports it (@logged) and
 * does not bring B back from the older one, which would undo what the
 * newer recorded. C beside it is restored.
 */
static void newest_not_replaced(struct __test_metadata *_metadata,
				FIXTURE_DATA(rt) *self, const char *how,
				const char *logged)
{
	struct traffic *t = &self->t;
	char name[64];
	__u32 c_id;
	int c, b;

	newest_damaged_restart(_metadata, self, how, name, sizeof(name), &c_id);
	EXPECT_TRUE(log_has(&self->d, logged)) log_dump(&self->d);
	EXPECT_FALSE(log_has(&self->d, "receive-only until its own commit"))
		log_dump(&self->d);
	/* B is not back, from no snapshot; C is. */
	b = grp_open_id(t->p.ctl, t->p.b_id);
	EXPECT_GT(0, b);
	if (b >= 0)
		close(b);
	c = grp_open_id(t->p.ctl, c_id);
	ASSERT_LE(0, c) log_dump(&self->d);
	grp_destroy(c);
	close(c);
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/*
 * Sound but in a format the module does not read (EPROTONOSUPPORT): say,
 * a ReInit's end under a module that reads only format 2.
 */
TEST_F(rt, unreadable_format_newest_not_replaced_by_older)
{
	NEED_VM();
	newest_not_replaced(_metadata, self, "version",
			    "import failed, group not restored: ");
}

/*
 * The newest snapshot of B named format 3 (a group a ReInit ended) and
 * refused as damaged: the older ones hold the group before its end,
 * which must not come back live, so none replaces it.
 */
TEST_F(rt, ended_newest_not_replaced_by_older)
{
	NEED_VM();
	newest_not_replaced(_metadata, self, "ended",
			    "group not restored (it ended;");
}

/*
 * The state directory on a small tmpfs: filled up, the next save fails
 * with ENOSPC, reported; the snapshot stored before stays valid and B
 * does not send in the unsaved epoch. Room again: saved, B sends. Then
 * the same with B's directory not writable (mode 0500, the daemon
 * without CAP_DAC_OVERRIDE, as root is not otherwise refused): EACCES.
 */
TEST_F_TIMEOUT(rt, full_disk_and_unwritable_dir, 300)
{
	struct traffic *t = &self->t;
	char files[4096], group[300], out[8192], before[64], cmd[700];
	int r;

	NEED_VM();
	mkdir(self->dir, 0700);
	ASSERT_EQ(0, mount("tmpfs", self->dir, "tmpfs", 0, "size=256k,mode=0700"));
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 5, 5000));
	ASSERT_EQ(0, group_files(self->dir, "u0-l1-", files, sizeof(files), group,
				 sizeof(group)));
	ASSERT_EQ(0, newest_record(self->dir, group, before, sizeof(before)));

	/* Full. */
	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=%s/filler bs=4k 2>/dev/null", self->dir);
	run_cmd("%s", cmd);
	ASSERT_EQ(0, commit_both(t));
	for (r = 0; r < 300 && !log_has(&self->d, "No space left on device"); r++)
		sleep_ms(10);
	EXPECT_TRUE(log_has(&self->d, "No space left on device")) log_dump(&self->d);
	EXPECT_TRUE(log_has(&self->d, "the last one stored is kept"));
	EXPECT_EQ(-ENOBUFS, enc_text(t->p.b, "unsaved epoch", &t->m));
	EXPECT_EQ(2, persist_status(self->dir, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, before)) TH_LOG("%s", out);
	/* Room again: the retry saves it. */
	snprintf(cmd, sizeof(cmd), "%s/filler", self->dir);
	ASSERT_EQ(0, unlink(cmd));
	ASSERT_EQ(0, send_wait(t, 5, 5000)) log_dump(&self->d);
	/* B may send as soon as it is saved, before the daemon says so. */
	for (r = 0; r < 300 && !log_has(&self->d, "stored again"); r++)
		sleep_ms(10);
	EXPECT_TRUE(log_has(&self->d, "stored again")) log_dump(&self->d);

	/* Not writable. */
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
	self->d.no_dac = true;
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL)) log_dump(&self->d);
	ASSERT_EQ(0, send_wait(t, 5, 5000));
	ASSERT_EQ(0, newest_record(self->dir, group, before, sizeof(before)));
	snprintf(cmd, sizeof(cmd), "%s/groups/%s", self->dir, group);
	ASSERT_EQ(0, chmod(cmd, 0500));
	ASSERT_EQ(0, commit_both(t));
	for (r = 0; r < 300 && !log_has(&self->d, "Permission denied"); r++)
		sleep_ms(10);
	EXPECT_TRUE(log_has(&self->d, "Permission denied")) log_dump(&self->d);
	EXPECT_EQ(-ENOBUFS, enc_text(t->p.b, "unsaved epoch", &t->m));
	EXPECT_EQ(2, persist_status(self->dir, out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, before)) TH_LOG("%s", out);
	ASSERT_EQ(0, chmod(cmd, 0700));
	ASSERT_EQ(0, send_wait(t, 5, 5000)) log_dump(&self->d);
	EXPECT_EQ(0, t->undecrypted);
	EXPECT_EQ(0, reused(t));
	ASSERT_EQ(0, daemon_stop(&self->d, SIGTERM));
	EXPECT_EQ(0, umount(self->dir));
}


/* ------------------------------------------------ lost events, drains */

/* A burst of 2 * @n events: @n plain groups made and destroyed. */
static int flood(int ctl, int n)
{
	int i, fd, r;

	for (i = 0; i < n; i++) {
		fd = grp_plain(ctl, 1, 0, NULL);
		if (fd < 0)
			return fd;
		r = grp_destroy(fd);
		close(fd);
		if (r)
			return r;
	}
	return 0;
}

/* Stop the daemon (SIGSTOP) and wait until it is stopped: 0, or -errno. */
static int daemon_pause(struct daemon *d)
{
	int st;

	if (kill(d->pid, SIGSTOP))
		return -errno;
	if (waitpid(d->pid, &st, WUNTRACED) != d->pid)
		return -errno;
	return WIFSTOPPED(st) ? 0 : -ECHILD;
}

static int daemon_resume(struct daemon *d)
{
	return kill(d->pid, SIGCONT) ? -errno : 0;
}

/* Wait until @fd can send (its snapshot saved): 0, or its last error. */
static int wait_sendable(int fd, int ms)
{
	uint64_t end = now_ms() + ms;
	struct msg m;
	int r;

	while ((r = enc_text(fd, "saved?", &m)) == -ENOBUFS && now_ms() < end)
		sleep_ms(5);
	return r;
}

#define LOST_GROUPS	6

/*
 * The daemon, its receive buffer small (--rcvbuf), is stopped while the
 * groups change: B sends and commits (its epoch moves), new persistent
 * groups are made, and a burst of other events overflows its socket.
 * After SIGCONT it gets ENOBUFS, dumps the groups and saves every one
 * that changed: the new ones can send (they need a saved snapshot), B
 * has a newer record and sends in its new epoch.
 */
TEST_F_TIMEOUT(rt, lost_events_save_what_changed, 300)
{
	struct traffic *t = &self->t;
	char files[4096], group[300], before[64], after[64];
	int fds[LOST_GROUPS], i;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, "--rcvbuf=2048"));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 5, 10000)) log_dump(&self->d);
	ASSERT_EQ(0, group_files(self->dir, "u0-l1-", files, sizeof(files), group,
				 sizeof(group)));
	ASSERT_EQ(0, newest_record(self->dir, group, before, sizeof(before)));

	ASSERT_EQ(0, daemon_pause(&self->d));
	ASSERT_EQ(0, send_wait(t, 3, 1000));
	ASSERT_EQ(0, commit_both(t));
	for (i = 0; i < LOST_GROUPS; i++) {
		fds[i] = grp_plain(t->p.ctl, 1, MLS_GROUP_F_PERSISTENT, NULL);
		ASSERT_LE(0, fds[i]);
	}
	/* Not saved yet: they cannot send. */
	EXPECT_EQ(-ENOBUFS, wait_sendable(fds[0], 0));
	EXPECT_EQ(-ENOBUFS, wait_sendable(t->p.b, 0));
	ASSERT_EQ(0, flood(t->p.ctl, 200));
	ASSERT_EQ(0, daemon_resume(&self->d));

	for (i = 0; i < LOST_GROUPS; i++)
		EXPECT_EQ(0, wait_sendable(fds[i], 30000)) log_dump(&self->d);
	EXPECT_EQ(0, send_wait(t, 5, 30000)) log_dump(&self->d);
	ASSERT_EQ(0, newest_record(self->dir, group, after, sizeof(after)));
	EXPECT_STRNE(before, after);
	EXPECT_TRUE(log_has(&self->d, "events were lost")) log_dump(&self->d);
	EXPECT_EQ(0, t->undecrypted);
	EXPECT_EQ(0, reused(t));
	for (i = 0; i < LOST_GROUPS; i++) {
		grp_destroy(fds[i]);
		close(fds[i]);
	}
	EXPECT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/* A drain of @ms from the test: its result, the counts into @d. */
static int drain_call(int ctl, __u32 flags, __u32 ms, struct mls_drain *d)
{
	memset(d, 0, sizeof(*d));
	d->flags = flags;
	d->timeout_ms = ms;
	return xioctl(ctl, MLS_IOC_DRAIN, d);
}

/*
 * A drain the daemon follows: it saves every group on "shutdown" (the
 * drain ends with none not saved, well before its timeout), and when
 * the drain is cancelled it saves every group again on "resume": B,
 * stopped by its drained snapshot, sends again.
 */
TEST_F_TIMEOUT(rt, drain_then_resume, 300)
{
	struct traffic *t = &self->t;
	struct mls_drain d;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 5, 10000)) log_dump(&self->d);
	ASSERT_EQ(0, drain_call(t->p.ctl, 0, 120000, &d));
	EXPECT_EQ(0, d.not_saved) log_dump(&self->d);
	EXPECT_LE(1, d.saved);
	ASSERT_EQ(0, drain_call(t->p.ctl, MLS_DRAIN_F_CANCEL, 0, &d));
	EXPECT_EQ(0, send_wait(t, 5, 30000)) log_dump(&self->d);
	EXPECT_TRUE(log_wait(&self->d, "back in service", 10000)) log_dump(&self->d);
	EXPECT_EQ(0, t->undecrypted);
	EXPECT_EQ(0, reused(t));
	EXPECT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

#define LOST_BURST	100

/*
 * The "resume" lost: the daemon stopped, its socket (--rcvbuf) full of
 * the destruction of groups made before the drain, the cancel's event
 * finds no room. It finds the drain over from /sys/kernel/mls/drain and
 * comes back all the same: B sends again.
 */
TEST_F_TIMEOUT(rt, drain_then_resume_event_lost, 300)
{
	struct traffic *t = &self->t;
	struct mls_drain d;
	int fds[LOST_BURST], i;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, "--rcvbuf=2048"));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 5, 10000)) log_dump(&self->d);
	for (i = 0; i < LOST_BURST; i++) {
		fds[i] = grp_plain(t->p.ctl, 1, 0, NULL);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, drain_call(t->p.ctl, 0, 120000, &d));
	EXPECT_EQ(0, d.not_saved) log_dump(&self->d);
	ASSERT_EQ(0, daemon_pause(&self->d));
	/* Destroying is allowed while drained: a burst of events. */
	for (i = 0; i < LOST_BURST; i++) {
		EXPECT_EQ(0, grp_destroy(fds[i]));
		close(fds[i]);
	}
	ASSERT_EQ(0, drain_call(t->p.ctl, MLS_DRAIN_F_CANCEL, 0, &d));
	ASSERT_EQ(0, daemon_resume(&self->d));
	EXPECT_EQ(0, send_wait(t, 5, 30000)) log_dump(&self->d);
	EXPECT_TRUE(log_wait(&self->d, "the drain is over", 10000)) log_dump(&self->d);
	EXPECT_TRUE(log_wait(&self->d, "back in service", 10000)) log_dump(&self->d);
	EXPECT_FALSE(log_has(&self->d, "(resume)")) log_dump(&self->d);
	EXPECT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/*
 * A "resume" with no "shutdown" before it: a drain that timed out on a
 * call in flight (A's encrypt, asleep on a userfaultfd page) announced
 * nothing, but an export of B meanwhile (as a retry of the daemon's
 * would be) stopped B's sending at that snapshot. On the cancel's
 * "resume" the daemon, still in service, saves every group: B sends
 * again (else -ENOBUFS until its next epoch).
 */
TEST_F_TIMEOUT(rt, resume_without_shutdown_saves_all, 300)
{
	static uint8_t buf[SNAP_MAX];
	struct traffic *t = &self->t;
	struct mls_group_export e;
	struct mls_drain d;
	struct parked k;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, NULL));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 5, 10000)) log_dump(&self->d);
	ASSERT_EQ(0, park(&k, t->p.a));
	EXPECT_EQ(-ETIMEDOUT, drain_call(t->p.ctl, 0, 1000, &d));
	memset(&e, 0, sizeof(e));
	mbuf(&e.snapshot, buf, sizeof(buf));
	EXPECT_EQ(0, xioctl(t->p.b, MLS_IOC_GROUP_EXPORT, &e));
	EXPECT_EQ(0, unpark(&k));
	ASSERT_EQ(0, drain_call(t->p.ctl, MLS_DRAIN_F_CANCEL, 0, &d));
	/* Stopped by that export: it can send only once saved anew. */
	EXPECT_EQ(0, wait_sendable(t->p.b, 30000)) log_dump(&self->d);
	EXPECT_TRUE(log_has(&self->d, "(resume): saving every group")) log_dump(&self->d);
	EXPECT_FALSE(log_has(&self->d, "shutting down")) log_dump(&self->d);
	EXPECT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

/*
 * --drain-on-stop: SIGTERM drains the module (STOPPING=1 first), saves
 * every group under that drain, and exits 0; the module stays drained
 * (B refused with ESHUTDOWN), with no group counted not saved.
 */
TEST_F_TIMEOUT(rt, drain_on_stop, 300)
{
	struct traffic *t = &self->t;
	long long drains = read_ll_file("/sys/kernel/mls/stats/drains");
	long long not_saved = read_ll_file("/sys/kernel/mls/stats/drain_groups_not_saved");
	struct mls_drain d;
	struct msg m;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, "--drain-on-stop"));
	ASSERT_EQ(0, pair_make2(&t->p, 0, MLS_GROUP_F_PERSISTENT));
	ASSERT_EQ(0, send_wait(t, 5, 10000)) log_dump(&self->d);
	kill(self->d.pid, SIGTERM);
	EXPECT_EQ(0, wait_notify(&self->d, "STOPPING=1", 10000));
	EXPECT_EQ(0, daemon_wait(&self->d, 60000)) log_dump(&self->d);
	EXPECT_EQ(drains + 1, read_ll_file("/sys/kernel/mls/stats/drains"));
	EXPECT_EQ(not_saved, read_ll_file("/sys/kernel/mls/stats/drain_groups_not_saved"));
	EXPECT_EQ(-ESHUTDOWN, enc_text(t->p.b, "drained", &m));
	EXPECT_TRUE(log_has(&self->d, " 0 not saved")) log_dump(&self->d);
	EXPECT_TRUE(log_has(&self->d, "the module drained")) log_dump(&self->d);
	EXPECT_EQ(0, drain_call(t->p.ctl, MLS_DRAIN_F_CANCEL, 0, &d));
}

/* Bad options and a state directory that cannot be made: exit status. */
#define RS_N		4
#define RS_MSGS		40

/* A's decrypts that no saved snapshot holds, or ~0 on error. */
static __u64 recv_unsaved(int fd)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_info info;

	return grp_info(fd, &info, gid, sizeof(gid)) ? ~0ULL : info.recv_unsaved;
}

/*
 * One message from B (not persistent), decrypted by A under a strict
 * receive-save policy. -ENOBUFS on A waits up to @ms for the daemon's
 * save; 0, or A's -errno. *@worst: the most unsaved decrypts seen.
 */
static int recv_strict(struct traffic *t, int ms, __u64 *worst)
{
	uint64_t end = now_ms() + ms;
	__u64 u;
	int r = enc_text(t->p.b, "payload", &t->m);

	if (r)
		return r;
	while ((r = dec_msg(t->p.a, &t->m, &t->dd)) == -ENOBUFS && now_ms() < end)
		sleep_ms(1);
	if (r)
		return r;
	u = recv_unsaved(t->p.a);
	if (u > *worst)
		*worst = u;
	return 0;
}

/*
 * A receive-save policy, strict (N = 4), on a receiver the daemon saves:
 * every message is read, never more than N of them unsaved. Then the
 * event is lost (the daemon stopped, its socket flooded): A is refused
 * at N, and the daemon's resync after ENOBUFS, which compares decrypt
 * counters under the policy, saves it so that the refused message reads.
 */
TEST_F_TIMEOUT(rt, recv_save_strict_follows_the_daemon, 300)
{
	struct mls_set_policy sp = {
		.mask = MLS_POLICY_RECV_SAVE,
		.recv_save = RS_N,
		.recv_save_flags = MLS_RECV_SAVE_F_STRICT,
	};
	struct traffic *t = &self->t;
	__u64 worst = 0;
	int i, r = 0;

	NEED_VM();
	ASSERT_EQ(0, daemon_start_ready(&self->d, "--rcvbuf=2048"));
	ASSERT_EQ(0, pair_make2(&t->p, MLS_GROUP_F_PERSISTENT, 0));
	ASSERT_EQ(0, xioctl(t->p.a, MLS_IOC_SET_POLICY, &sp));
	for (i = 0; i < RS_MSGS; i++)
		ASSERT_EQ(0, recv_strict(t, 30000, &worst)) log_dump(&self->d);
	EXPECT_GE(RS_N, worst);
	/*
	 * Below the trigger, A's last event was answered: none is queued
	 * when the daemon stops, and the next goes out after the flood.
	 */
	{
		uint64_t end = now_ms() + 30000;

		while (recv_unsaved(t->p.a) >= (RS_N + 1) / 2 && now_ms() < end)
			sleep_ms(5);
	}
	ASSERT_GT((RS_N + 1) / 2, recv_unsaved(t->p.a)) log_dump(&self->d);

	ASSERT_EQ(0, daemon_pause(&self->d));
	ASSERT_EQ(0, flood(t->p.ctl, 200));
	/* Refused within N + 1 messages, the event lost in the flood. */
	for (i = 0; i <= RS_N; i++) {
		ASSERT_EQ(0, enc_text(t->p.b, "payload", &t->m));
		r = dec_msg(t->p.a, &t->m, &t->dd);
		if (r)
			break;
	}
	ASSERT_EQ(-ENOBUFS, r);
	EXPECT_EQ(RS_N, recv_unsaved(t->p.a));
	ASSERT_EQ(0, daemon_resume(&self->d));
	{
		uint64_t end = now_ms() + 30000;

		while ((r = dec_msg(t->p.a, &t->m, &t->dd)) == -ENOBUFS &&
		       now_ms() < end)
			sleep_ms(5);
	}
	EXPECT_EQ(0, r) log_dump(&self->d);
	EXPECT_TRUE(log_has(&self->d, "events were lost")) log_dump(&self->d);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, recv_strict(t, 30000, &worst)) log_dump(&self->d);
	EXPECT_GE(RS_N, worst);
	EXPECT_EQ(0, daemon_stop(&self->d, SIGTERM));
}

TEST(bad_options)
{
	NEED_VM();
	EXPECT_EQ(2, run_cmd("mls-persistd --keep 0 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd --crash fsync 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd --crash jump:1 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd extra 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd --rcvbuf 0 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd --rcvbuf 12k 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd --rcvbuf 2000000000 2>/dev/null"));
	EXPECT_EQ(2, run_cmd("mls-persistd --drain-on-stop=yes 2>/dev/null"));
	EXPECT_EQ(1, run_cmd("mls-persistd --state-dir /proc/nonexistent/x 2>/dev/null"));
	EXPECT_EQ(0, run_cmd("mls-persistd --help >/dev/null"));
	EXPECT_EQ(2, run_cmd("mlsctl persist status dir /nonexistent 2>/dev/null"));
	EXPECT_EQ(1, run_cmd("mlsctl persist status bogus 2>/dev/null"));
}

TEST_HARNESS_MAIN
