// SPDX-License-Identifier: GPL-2.0
/*
 * The drain as the daemon sees it (/sys/kernel/mls/drain), and the one it
 * starts itself at stop with --drain-on-stop: MLS_IOC_DRAIN (without
 * MLS_DRAIN_F_DESTROY) in a thread, since the call waits for the saves
 * this process makes; once the module says "drained" (the calls in
 * flight are done, nothing changes a group any more) every persistent
 * group is saved, which ends the drain. mls-persistd(8).
 */
#include "persistd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_FILE	"/sys/kernel/mls/drain"
#define DRAIN_POLL_MS	10

enum drain_state drain_state(void)
{
	char buf[32] = "";
	int fd = open(DRAIN_FILE, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return DRAIN_UNKNOWN;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return DRAIN_UNKNOWN;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	if (!strcmp(buf, "none"))
		return DRAIN_NONE;
	if (!strcmp(buf, "draining"))
		return DRAIN_DRAINING;
	if (!strcmp(buf, "drained"))
		return DRAIN_DRAINED;
	return DRAIN_UNKNOWN;
}

struct drain_call {
	int ctl;
	int ret;
	struct mls_drain out;
	atomic_bool done;
};

static void *drain_run(void *arg)
{
	struct drain_call *c = arg;

	c->ret = mls_drain(c->ctl, 0, 0, &c->out);
	atomic_store(&c->done, true);
	return NULL;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* While waiting at stop: the service manager hears from us each second. */
static void extend(struct persistd *d)
{
	if (d->stopping && mono_ms() - d->last_extend_ms >= 1000) {
		notify("EXTEND_TIMEOUT_USEC=10000000");
		d->last_extend_ms = mono_ms();
	}
}

int drain_and_save(struct persistd *d)
{
	struct drain_call c = { .ctl = open("/dev/mls", O_RDWR | O_CLOEXEC) };
	pthread_t t;
	int ret, err;

	if (c.ctl < 0) {
		ret = -errno;
		plog(3, "drain: /dev/mls: %s", strerror(-ret));
		return groups_save_all(d, false) ?: ret;
	}
	ret = pthread_create(&t, NULL, drain_run, &c);
	if (ret) {
		close(c.ctl);
		plog(3, "drain: %s", strerror(ret));
		return groups_save_all(d, false) ?: -ret;
	}
	/* Saves count for the drain once it is past the calls in flight. */
	while (!atomic_load(&c.done) && drain_state() != DRAIN_DRAINED) {
		sleep_ms(DRAIN_POLL_MS);
		extend(d);
	}
	d->shutting_down = true;
	err = groups_save_all(d, false);
	while (!atomic_load(&c.done)) {
		sleep_ms(DRAIN_POLL_MS);
		extend(d);
	}
	pthread_join(t, NULL);
	close(c.ctl);
	if (c.ret) {
		plog(3, "drain: %s", strerror(-c.ret));
		return err ?: c.ret;
	}
	plog(c.out.not_saved ? 4 : 5, "drain: %u groups saved, %u not saved",
	     c.out.saved, c.out.not_saved);
	return err ?: (c.out.not_saved ? -EAGAIN : 0);
}
