/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealed snapshots in the selftests: the sealing key, export, import and
 * MLS_IOC_GROUP_SAVED (persist_test, drain_test).
 */
#ifndef MLS_SELFTEST_PERSIST_UTIL_H
#define MLS_SELFTEST_PERSIST_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/keyctl.h>
#include <linux/mls.h>

#include "group_util.h"

#define SNAP_MAX	(1 << 20)

/* The description the module looks the key up by. */
static inline const char *seal_key_desc(void)
{
	static char seal_desc[256];
	FILE *f = fopen("/sys/module/mls/parameters/seal_key", "r");

	snprintf(seal_desc, sizeof(seal_desc), "mls:seal");
	if (f) {
		if (fgets(seal_desc, sizeof(seal_desc), f))
			seal_desc[strcspn(seal_desc, "\n")] = 0;
		fclose(f);
	}
	return seal_desc;
}

/* A fresh session keyring of this process: no key from another test. */
static inline int new_session(void)
{
	return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ?
	       -errno : 0;
}

/* Add (or update) the sealing key of @type in the session keyring. */
static inline long add_seal_key(const char *type, const void *payload, size_t len)
{
	long id = syscall(SYS_add_key, type, seal_key_desc(), payload, len,
			  KEY_SPEC_SESSION_KEYRING);

	return id < 0 ? -errno : id;
}

/* A random 32-byte logon key in a fresh session; 0 or -errno. */
static inline int fresh_logon_key(void)
{
	uint8_t k[32];
	long id;
	int r = new_session();

	if (r)
		return r;
	rand_bytes(k, sizeof(k));
	id = add_seal_key("logon", k, sizeof(k));
	return id < 0 ? (int)id : 0;
}

struct snap {
	uint8_t *buf;
	size_t len;
	__u64 seq, epoch;
};

static inline int snap_export(int fd, struct snap *s)
{
	struct mls_group_export a;
	int r;

	if (!s->buf)
		s->buf = malloc(SNAP_MAX);
	if (!s->buf)
		return -ENOMEM;
	memset(&a, 0, sizeof(a));
	mbuf(&a.snapshot, s->buf, SNAP_MAX);
	r = xioctl(fd, MLS_IOC_GROUP_EXPORT, &a);
	if (r)
		return r;
	s->len = a.snapshot.len;
	s->seq = a.seq;
	s->epoch = a.epoch;
	return 0;
}

/* A group fd, or -errno; @id may be NULL. */
static inline int snap_import(int ctl, const void *buf, size_t len, __u32 *id)
{
	struct mls_group_import a;
	int r;

	memset(&a, 0, sizeof(a));
	mbuf(&a.snapshot, buf, len);
	r = xioctl(ctl, MLS_IOC_GROUP_IMPORT, &a);
	if (r >= 0 && id)
		*id = a.id;
	return r;
}

static inline void snap_free(struct snap *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* MLS_IOC_GROUP_SAVED on @fd; 0 or -errno. */
static inline int saved_ioc(int fd, __u32 flags, __u32 reserved, __u64 seq)
{
	struct mls_group_saved a = { .flags = flags, .reserved = reserved,
				     .seq = seq };

	return xioctl(fd, MLS_IOC_GROUP_SAVED, &a);
}

/* Export @fd into @s and tell the kernel it is stored: 0 or -errno. */
static inline int save(int fd, struct snap *s)
{
	return snap_export(fd, s) ?: saved_ioc(fd, 0, 0, s->seq);
}

/* A group fd imported with @flags, or -errno. */
static inline int snap_import_flags(int ctl, const struct snap *s, __u32 flags)
{
	struct mls_group_import a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	mbuf(&a.snapshot, s->buf, s->len);
	return xioctl(ctl, MLS_IOC_GROUP_IMPORT, &a);
}

/* A commit message (handshake ratchet) of @fd into @m. */
static inline int enc_commit(int fd, struct msg *m)
{
	static const uint8_t body[] = { 0, 1, 0, 0 };

	return grp_encrypt(fd, MLS_CONTENT_COMMIT, NULL, 0, body, sizeof(body),
			   NULL, 0, m);
}

#endif /* MLS_SELFTEST_PERSIST_UTIL_H */
