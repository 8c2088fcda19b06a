// SPDX-License-Identifier: GPL-2.0
/*
 * mls-persistd: the event loop. Start: recover the store, import the
 * snapshots, save every persistent group, READY=1. Then each event that
 * moves a persistent group (created, joined, epoch changed, reservation
 * low) saves it; lost events make it save those that changed; the
 * module's "shutdown" saves all, and its "resume" (the drain cancelled)
 * brings the daemon back to service, saving all again (also when no
 * "shutdown" came before it). What the events
 * say is read from /sys/kernel/mls/drain too, for when they are lost.
 * SIGTERM: STOPPING=1, a last save of everything (with --drain-on-stop,
 * under a drain it starts: drain.c), exit. mls-persistd(8).
 */
#include "persistd.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MODULE_POLL_MS	200
#define RCVBUF		(4 << 20)

/* The module as the daemon sees it. */
enum module_state {
	MOD_DOWN,	/* no family: wait for it */
	MOD_UP,		/* subscribed to its events */
	MOD_GOING,	/* drained ("shutdown"): wait for it to go, or resume */
	MOD_RESUMED,	/* the drain was cancelled: back to service */
};

/* The events socket's receive buffer (--rcvbuf). */
static int rcvbuf = RCVBUF;

static const char usage[] =
	"usage: mls-persistd [--state-dir DIR] [--keep N] [--retry-ms MS]\n"
	"                    [--from-backup] [--drain-on-stop] [--rcvbuf BYTES]\n"
	"                    [--crash OP:N]\n"
	"Stores a sealed snapshot of every persistent mls group and restores\n"
	"them at start; mls-persistd(8).\n";

static bool is_shutdown(uint32_t type)
{
	const char *name = mls_event_name(type);

	return type == MLS_CMD_SHUTDOWN || (name && !strcmp(name, "shutdown"));
}

static bool is_resume(uint32_t type)
{
	const char *name = mls_event_name(type);

	return type == MLS_CMD_RESUME || (name && !strcmp(name, "resume"));
}

static void going(struct persistd *d, enum module_state *ms)
{
	plog(5, "the module is shutting down: saving every group");
	d->shutting_down = true;
	groups_save_all(d, false);
	*ms = MOD_GOING;
}

/* Events were lost: find from the module's state what they would say. */
static void events_lost(struct persistd *d, enum module_state *ms)
{
	/* A "shutdown" may be among them: a drain needs every group. */
	if (drain_state() == DRAIN_DRAINED) {
		plog(4, "events were lost, the module is drained: saving every group");
		if (*ms == MOD_UP)
			going(d, ms);
		else
			groups_save_all(d, false);
		return;
	}
	plog(4, "events were lost: saving the groups that changed");
	groups_save_all(d, true);
}

static void handle(struct persistd *d, const struct mls_event *e, enum module_state *ms)
{
	switch (e->type) {
	case MLS_EVENT_LOST:
		events_lost(d, ms);
		/*
		 * The kernel reports a loss once, then drops events silently
		 * until the queue is read empty (netlink's congestion bit):
		 * look again then, for what went missing after this report.
		 */
		d->lost_unsettled = true;
		return;
	case MLS_CMD_GROUP_CREATED:
	case MLS_CMD_GROUP_JOINED:
		if ((e->present & MLS_HAS(MLS_A_GROUP_FLAGS)) &&
		    !(e->group_flags & MLS_GROUP_F_PERSISTENT))
			return;
		/* The groups it imported itself were saved since. */
		if ((e->present & MLS_HAS(MLS_A_EPOCH)) &&
		    group_saved_in(d, e->group_kid, e->epoch))
			return;
		group_save(d, e->group_kid);
		return;
	case MLS_CMD_EPOCH_CHANGED:
	case MLS_CMD_RESERVE_LOW:
		group_save(d, e->group_kid);
		return;
	case MLS_CMD_GROUP_DESTROYED:
		/* At unload the module destroys every group: keep those. */
		group_forget(d, e->group_kid, !d->shutting_down);
		return;
	}
	if (is_shutdown(e->type)) {
		going(d, ms);
	} else if (is_resume(e->type) && *ms == MOD_GOING) {
		plog(5, "the drain was cancelled (resume)");
		*ms = MOD_RESUMED;
	} else if (is_resume(e->type)) {
		/*
		 * A drain that never said "shutdown" (it timed out on calls
		 * in flight) still stopped every group exported meanwhile at
		 * that snapshot: each sends again once saved anew.
		 */
		plog(5, "the drain was cancelled (resume): saving every group");
		d->shutting_down = false;
		groups_save_all(d, false);
	}
}

/* Subscribe and bring the store's groups in: 0, or -ENOENT (no module). */
static int module_up(struct persistd *d, struct mls_events **ev)
{
	int ret = mls_events_open(0, ev);

	if (ret)
		return ret;
	/* Bursts (thousands of groups at once) should not overflow it. */
	setsockopt(mls_events_fd(*ev), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	d->shutting_down = false;
	/* A new socket, and every group saved below. */
	d->lost_unsettled = false;
	groups_free(d);
	ret = groups_restore(d);
	if (ret)
		plog(3, "restoring: %s", strerror(-ret));
	groups_save_all(d, false);
	return 0;
}

/* Subscribed: in service, or drained already (a drain before our start). */
static enum module_state up_state(struct persistd *d)
{
	if (drain_state() != DRAIN_DRAINED)
		return MOD_UP;
	plog(5, "the module is drained: waiting for it to go or resume");
	d->shutting_down = true;
	return MOD_GOING;
}

/* SIGTERM: every group saved (with @drain, under a drain begun here). */
static int stop(struct persistd *d, bool drain)
{
	int ret;

	d->stopping = true;
	notify("STOPPING=1\nEXTEND_TIMEOUT_USEC=10000000");
	d->last_extend_ms = mono_ms();
	if (drain)
		ret = drain_and_save(d);
	else
		ret = groups_save_all(d, false);
	plog(5, "stopped%s%s", drain ? ", the module drained" : "",
	     ret ? ", some groups not saved" : "");
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ "retry-ms", required_argument, NULL, 'r' },
		{ "from-backup", no_argument, NULL, 'b' },
		{ "crash", required_argument, NULL, 'c' },
		{ "drain-on-stop", no_argument, NULL, 'D' },
		{ "rcvbuf", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = PERSISTD_STATE_DEFAULT, *crash = getenv("MLS_PERSISTD_CRASH");
	struct persistd d = { 0 };
	struct mls_events *ev = NULL;
	enum module_state ms = MOD_DOWN;
	unsigned long keep = PERSISTD_KEEP_DEFAULT, retry_ms = 1000;
	struct pollfd pfd[2];
	sigset_t mask;
	bool drain_on_stop = false;
	char *end;
	int opt, ret, sfd;

	while ((opt = getopt_long(argc, argv, "d:k:r:bc:DR:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'k':
			keep = strtoul(optarg, &end, 10);
			if (*end || !keep || keep > 100000) {
				fprintf(stderr, "mls-persistd: --keep: 1 to 100000\n");
				return 2;
			}
			break;
		case 'r':
			retry_ms = strtoul(optarg, &end, 10);
			if (*end || !retry_ms || retry_ms > 3600000) {
				fprintf(stderr, "mls-persistd: --retry-ms: 1 to 3600000\n");
				return 2;
			}
			break;
		case 'b':
			d.from_backup = true;
			break;
		case 'c':
			crash = optarg;
			break;
		case 'D':
			drain_on_stop = true;
			break;
		case 'R': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > (1UL << 30)) {
				fprintf(stderr, "mls-persistd: --rcvbuf: 1 to 1073741824\n");
				return 2;
			}
			rcvbuf = (int)v;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (crash && crash_setup(crash)) {
		fprintf(stderr, "mls-persistd: crash point \"%s\": OP:N, OP one of write, fsync, rename, dirsync, any\n",
			crash);
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		plog(3, "signalfd: %s", strerror(errno));
		return 1;
	}
	ret = store_open(dir, (unsigned int)keep, &d.st);
	if (ret) {
		plog(3, "state directory %s: %s", dir, strerror(-ret));
		return 1;
	}
	ret = store_recover(d.st);
	if (ret) {
		plog(3, "state directory %s: recovering the log: %s", dir, strerror(-ret));
		return 1;
	}
	ret = module_up(&d, &ev);
	if (!ret)
		ms = up_state(&d);
	else if (ret == -ENOENT)
		plog(5, "the mls module is not loaded: waiting for it");
	else
		plog(3, "events: %s", strerror(-ret));
	notify("READY=1");
	for (;;) {
		struct signalfd_siginfo si;
		struct mls_event e;
		int timeout = -1, n;

		if (ms != MOD_UP)
			timeout = MODULE_POLL_MS;
		if (d.failed && (timeout < 0 || (unsigned long)timeout > retry_ms))
			timeout = (int)retry_ms;
		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ev ? mls_events_fd(ev) : -1, .events = POLLIN };
		n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR) {
			plog(3, "poll: %s", strerror(errno));
			break;
		}
		if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			break;
		while (ev) {
			ret = mls_events_next(ev, &e, 0);
			if (ret == -EAGAIN && d.lost_unsettled) {
				/* Read empty: no loss can be silent from here. */
				d.lost_unsettled = false;
				plog(5, "events read up after a loss: looking again");
				events_lost(&d, &ms);
				continue;
			}
			if (ret == -EAGAIN || ret == -EINTR)
				break;
			if (ret == -EPROTO)
				continue;
			if (ret) {
				plog(3, "events: %s", strerror(-ret));
				break;
			}
			handle(&d, &e, &ms);
			if (ms == MOD_RESUMED)
				break;
		}
		if (ms == MOD_GOING) {
			/* Gone once its family is; back if the drain is over. */
			struct mls_events *probe = NULL;

			if (mls_events_open(0, &probe) == -ENOENT) {
				plog(5, "the mls module is gone: waiting for it");
				mls_events_close(ev);
				ev = NULL;
				ms = MOD_DOWN;
			} else if (drain_state() == DRAIN_NONE) {
				plog(5, "the drain is over (/sys/kernel/mls/drain)");
				ms = MOD_RESUMED;
			}
			mls_events_close(probe);
		}
		if (ms == MOD_RESUMED) {
			/* A group saved while drained sends again once saved anew. */
			mls_events_close(ev);
			ev = NULL;
			ms = MOD_DOWN;
			if (!module_up(&d, &ev)) {
				plog(5, "back in service: every group saved");
				ms = up_state(&d);
			}
		} else if (ms == MOD_DOWN && !module_up(&d, &ev)) {
			plog(5, "the mls module is loaded: restored and saved");
			ms = up_state(&d);
		}
		if (d.failed)
			groups_retry(&d);
	}
	ret = ms == MOD_UP ? stop(&d, drain_on_stop) : 0;
	mls_events_close(ev);
	groups_free(&d);
	store_close(d.st);
	close(sfd);
	return ret;
}
