// SPDX-License-Identifier: GPL-2.0
/*
 * The member of `make powerloss-test` (tools/vm/powerloss.sh): run by the
 * guest job "powerloss" at every boot of a VM that the host resets hard
 * at a random moment, with mls-persistd's state directory on an ext4
 * file system of a virtual disk.
 *
 * It adds the sealing key (a logon key, the same at every boot), starts
 * mls-persistd on the state directory (its log goes to stdout too) and
 * waits for READY=1, the recovery done; checks every record left in the
 * store; then finds the persistent member the daemon restored (or makes
 * it at the first boot) and sends without end, committing now and then
 * with a fresh path of its own so that epochs advance.
 *
 * Every line it prints is on the wire before it goes on (fflush, then
 * tcdrain on the serial port): the host keeps what the serial port
 * carried, which a reset does not take back.
 *
 *   STORE <n>                 records found in the store after recovery
 *   STORE_BAD <path> <errno>  one of them fails its checksum or length
 *   CREATED <epoch>           the member made (first boot)
 *   RESTORED <epoch>          the member as the daemon brought it back
 *   SENDING
 *   ACK <epoch>               a snapshot of <epoch> is durable: the first
 *                             message the member encrypted in it (a
 *                             persistent group sends in an epoch only once
 *                             mls-persistd told MLS_IOC_GROUP_SAVED of a
 *                             snapshot of it, which it does only after the
 *                             store's commit record is fsynced)
 *   T <epoch> <leaf> <gen>    a message encrypted; sent once printed
 *   COMMIT <epoch>            its own commit merged: now in <epoch>
 *   FINAL <n>                 --final: n messages sent, daemon stopped
 *   FAIL <what> <errno>
 *
 * usage: powerloss_member --state-dir DIR --key HEX [--final N]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/keyctl.h>
#include <linux/mls.h>

#include "group_util.h"
#include "libmls.h"
#include "persistd.h"

#define SUITE		1
#define READY_MS	120000	/* recovery under emulation, a loaded host */
#define NOBUFS_MS	60000	/* the daemon saves within this */

/* One line, on the wire before the caller goes on. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tcdrain(STDOUT_FILENO);	/* ENOTTY off the serial port: nothing to drain */
}

static int fail(const char *what, int err)
{
	say("FAIL %s %d", what, err < 0 ? -err : err);
	return 1;
}

/*
 * The group's inputs, the same at every boot: the member's own commits
 * name the GroupContext fields and the PSK, which a restored member
 * must know without any state of the program's own.
 */
static void inputs_fixed(struct grp_inputs *in)
{
	unsigned int nh = suite_nh(SUITE);

	memset(in, 0, sizeof(*in));
	in->suite = SUITE;
	in->group_id_len = 16;
	memcpy(in->group_id, "powerloss-member", 16);
	memset(in->init, 0x11, nh);
	memset(in->commit, 0x22, nh);
	memset(in->psk, 0x33, nh);
	in->tree_hash_len = nh;
	memset(in->tree_hash, 0x44, nh);
	in->cth_len = nh;
	memset(in->cth, 0x55, nh);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The sealing key into root's user keyring, where the daemon finds it. */
static int add_key_hex(const char *hex)
{
	uint8_t k[64];
	size_t n = strlen(hex) / 2, i;
	long id;

	if (strlen(hex) % 2 || n < 32 || n > sizeof(k))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		k[i] = (uint8_t)(hi << 4 | lo);
	}
	id = syscall(SYS_add_key, "logon", "mls:seal", k, n, KEY_SPEC_USER_KEYRING);
	memset(k, 0, sizeof(k));
	return id < 0 ? -errno : 0;
}

/* mls-persistd on @dir, its stderr on our stdout; READY=1 awaited. */
static pid_t daemon_start(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t end = now_ms() + READY_MS;
	char buf[512];
	pid_t pid;
	int s;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/persistd.notify");
	unlink(sa.sun_path);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(STDOUT_FILENO, STDERR_FILENO);
		setenv("NOTIFY_SOCKET", sa.sun_path, 1);
		execlp("mls-persistd", "mls-persistd", "--state-dir", dir, (char *)NULL);
		_exit(127);
	}
	while (now_ms() < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t n;

		if (waitpid(pid, NULL, WNOHANG) == pid) {
			close(s);
			return -ECHILD;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (strstr(buf, "READY=1")) {
			close(s);
			return pid;
		}
	}
	close(s);
	kill(pid, SIGKILL);
	return -ETIMEDOUT;
}

/*
 * Every record left in the store after recovery, checked as the daemon
 * reads one (length, magic, SHA-256): the count, each bad one printed.
 */
static int store_check(const char *dir, unsigned int *bad)
{
	char groups[300], path[600];
	struct dirent *g, *f;
	DIR *gd, *fd;
	int gfd, count = 0;

	*bad = 0;
	snprintf(groups, sizeof(groups), "%s/groups", dir);
	gd = opendir(groups);
	if (!gd)
		return errno == ENOENT ? 0 : -errno;
	gfd = dirfd(gd);
	while ((g = readdir(gd))) {
		if (g->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", groups, g->d_name);
		fd = opendir(path);
		if (!fd)
			continue;
		while ((f = readdir(fd))) {
			struct record r;
			uint64_t e, s;
			int ret;

			if (!record_parse_name(f->d_name, &e, &s))
				continue;
			snprintf(path, sizeof(path), "%s/%s", g->d_name, f->d_name);
			ret = record_read(gfd, path, &r);
			/* The daemon, saving meanwhile, removed an old epoch. */
			if (ret == -ENOENT)
				continue;
			count++;
			if (ret) {
				say("STORE_BAD %s/%s %d", groups, path, -ret);
				(*bad)++;
				continue;
			}
			record_free(&r);
		}
		closedir(fd);
	}
	closedir(gd);
	return count;
}

/* Its own commit, with a fresh path: @fd to its next epoch. */
static int own_commit(int fd, const struct grp_inputs *in)
{
	uint8_t cs[MLS_MAX_HASH_LEN];
	struct grp_inputs next = *in;
	struct mls_commit c;
	int64_t e = grp_epoch(fd);

	if (e < 0)
		return (int)e;
	next.epoch = (uint64_t)e + 1;
	rand_bytes(cs, suite_nh(SUITE));
	commit_init(&c, SUITE, cs, in->psk, &next, 1, 2, NULL, 0);
	c.flags |= MLS_COMMIT_F_OWN_PATH;
	return grp_commit(fd, &c);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "final", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *key = NULL;
	long final = -1, sent = 0, until_commit;
	struct grp_inputs in;
	struct mls_group_new n;
	uint64_t acked = UINT64_MAX, wait_end = 0;
	uint32_t *ids = NULL;
	size_t nids = 0;
	unsigned int bad;
	struct msg m;
	int opt, ctl, fd, r, records;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, "d:k:f:", lopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'f':
			final = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (!dir || !key)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	inputs_fixed(&in);
	r = add_key_hex(key);
	if (r)
		return fail("add_key", r);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail("mkdir", errno);
	pid = daemon_start(dir);
	if (pid < 0)
		return fail("mls-persistd READY=1", (int)pid);
	records = store_check(dir, &bad);
	if (records < 0)
		return fail("store", records);
	say("STORE %d", records);

	ctl = ctl_open();
	if (ctl < 0)
		return fail("/dev/mls", ctl);
	r = mls_group_list(ctl, &ids, &nids);
	if (r)
		return fail("group list", r);
	if (nids > 1)
		return fail("more than one group restored", EEXIST);
	if (nids == 1) {
		int64_t e;

		fd = grp_open_id(ctl, ids[0]);
		if (fd < 0)
			return fail("group open", fd);
		e = grp_epoch(fd);
		if (e < 0)
			return fail("group epoch", (int)e);
		say("RESTORED %" PRId64, e);
	} else if (!records) {
		new_from_inputs(&n, &in, 1, 2, NULL, 0, MLS_GROUP_F_PERSISTENT);
		fd = grp_create(ctl, &n);
		if (fd < 0)
			return fail("group create", fd);
		say("CREATED %" PRId64, grp_epoch(fd));
	} else {
		return fail("the store has records but nothing was restored", ENOENT);
	}
	free(ids);

	say("SENDING");
	until_commit = 20 + rand_u32() % 300;
	while (final < 0 || sent < final) {
		r = enc_text(fd, "payload", &m);
		if (!r) {
			wait_end = 0;
			if (m.epoch != acked) {
				say("ACK %llu", (unsigned long long)m.epoch);
				acked = m.epoch;
			}
			say("T %llu 1 %u", (unsigned long long)m.epoch, m.gen);
			sent++;
			if (--until_commit > 0)
				continue;
			until_commit = 20 + rand_u32() % 300;
			r = own_commit(fd, &in);
			if (r)
				return fail("commit", r);
			say("COMMIT %" PRId64, grp_epoch(fd));
			continue;
		}
		if (r == -ENOBUFS) {
			/* Not saved yet: the daemon is storing it. */
			if (!wait_end)
				wait_end = now_ms() + NOBUFS_MS;
			if (now_ms() > wait_end)
				return fail("no save of the daemon's in time", r);
			sleep_ms(1);
			continue;
		}
		if (r == -ESTALE || r == -EROFS) {
			/* Restored receive-only: a fresh path of its own first. */
			r = own_commit(fd, &in);
			if (r)
				return fail("commit (receive-only)", r);
			say("COMMIT %" PRId64, grp_epoch(fd));
			continue;
		}
		return fail("encrypt", r);
	}
	/* The last boot: a clean stop, every group saved. */
	close(fd);
	close(ctl);
	kill(pid, SIGTERM);
	if (waitpid(pid, &r, 0) != pid)
		return fail("mls-persistd stop", errno);
	if (!WIFEXITED(r) || WEXITSTATUS(r))
		return fail("mls-persistd stop: exit status", r);
	say("FINAL %ld", sent);
	return 0;
}
