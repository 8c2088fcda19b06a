/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A call in flight that stays in flight: an encrypt whose content is on a
 * userfaultfd page nobody serves, asleep in the kernel inside its
 * service section until unpark() serves the fault (drain_test,
 * persistd_test).
 */
#ifndef MLS_SELFTEST_PARK_UTIL_H
#define MLS_SELFTEST_PARK_UTIL_H

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mls.h>
#include <linux/userfaultfd.h>

#include "group_util.h"

/* An encrypt that sleeps in the kernel on a userfaultfd page. */
struct parked {
	int fd, uffd, ret;
	uint8_t *page;
	size_t map;
	atomic_int done;
	pthread_t t;
	struct msg m;
};

static inline void *parked_enc(void *arg)
{
	struct parked *k = arg;
	uint8_t sig[SIG_MAX];
	size_t sig_len = stand_in_sig(grp_suite(k->fd), sig);

	k->ret = grp_encrypt(k->fd, MLS_CONTENT_APPLICATION, NULL, 0, k->page, 64,
			     sig, sig_len, &k->m);
	atomic_store(&k->done, 1);
	return NULL;
}

/* Start the encrypt, return once it faulted on its content: 0, or -1. */
static inline int park(struct parked *k, int fd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct pollfd pfd = {};
	struct uffd_msg um;

	memset(k, 0, sizeof(*k));
	k->fd = fd;
	k->map = (size_t)sysconf(_SC_PAGESIZE);
	k->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (k->uffd < 0 || ioctl(k->uffd, UFFDIO_API, &api))
		return -1;
	k->page = mmap(NULL, k->map, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->page == MAP_FAILED)
		return -1;
	reg.range.start = (uintptr_t)k->page;
	reg.range.len = k->map;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(k->uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&k->t, NULL, parked_enc, k))
		return -1;
	pfd.fd = k->uffd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 60000) != 1 ||
	    read(k->uffd, &um, sizeof(um)) != (ssize_t)sizeof(um) ||
	    um.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	return 0;
}

/* Let it go: the page is zeroes; its return value. */
static inline int unpark(struct parked *k)
{
	struct uffdio_zeropage zp = {};

	zp.range.start = (uintptr_t)k->page;
	zp.range.len = k->map;
	ioctl(k->uffd, UFFDIO_ZEROPAGE, &zp);
	pthread_join(k->t, NULL);
	close(k->uffd);
	munmap(k->page, k->map);
	return k->ret;
}

#endif /* MLS_SELFTEST_PARK_UTIL_H */
