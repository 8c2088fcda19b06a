// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side: raw ioctls on /dev/mls and on group fds, as
 * uapi/linux/mls.h documents them (no library in between, so that what is
 * timed is the module and the system call).
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static void mbuf(struct mls_buf *b, const void *p, size_t len)
{
	b->addr = U64P(p);
	b->len = (__u32)len;
	b->reserved = 0;
}

int k_open(void)
{
	int fd = open("/dev/mls", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int k_version(int ctl, struct mls_version *v)
{
	memset(v, 0, sizeof(*v));
	return xioctl(ctl, MLS_IOC_GET_VERSION, v);
}

static void ctx_fill(struct mls_group_context *c, const struct mb_inputs *in)
{
	c->epoch = in->epoch;
	mbuf(&c->tree_hash, in->tree_hash, in->suite->nh);
	mbuf(&c->confirmed_transcript_hash, in->cth, in->suite->nh);
	mbuf(&c->extensions, NULL, 0);
}

/*
 * A group from the key schedule run on @in (MLS_GROUP_F_FROM_INPUTS):
 * every member made from the same inputs has the same epoch secrets.
 * Every leaf is occupied (an empty occupied map).
 */
int k_group_create(int ctl, const struct mb_inputs *in, uint32_t own_leaf,
		   uint32_t leaf_count, uint32_t flags, uint32_t *id)
{
	const struct mb_suite *s = in->suite;
	struct mls_group_new n;
	int fd;

	memset(&n, 0, sizeof(n));
	n.flags = MLS_GROUP_F_FROM_INPUTS | flags;
	n.suite = (__u16)s->id;
	mbuf(&n.group_id, in->group_id, MB_GROUP_ID_LEN);
	mbuf(&n.init_secret, in->init, s->nh);
	mbuf(&n.commit_secret, in->commit, s->nh);
	mbuf(&n.psk_secret, in->psk, s->nh);
	ctx_fill(&n.context, in);
	n.roster.own_leaf = own_leaf;
	n.roster.leaf_count = leaf_count;
	fd = xioctl(ctl, MLS_IOC_GROUP_CREATE, &n);
	if (fd >= 0 && id)
		*id = n.id;
	return fd;
}

int k_group_open(int ctl, uint32_t id)
{
	struct mls_group_open o = { .flags = 0, .id = id };

	return xioctl(ctl, MLS_IOC_GROUP_OPEN, &o);
}

int k_group_destroy(int fd)
{
	struct mls_group_destroy d = { 0 };

	return xioctl(fd, MLS_IOC_GROUP_DESTROY, &d);
}

int k_set_policy(int fd, uint32_t mask, const struct mls_policy *p)
{
	struct mls_set_policy sp;

	memset(&sp, 0, sizeof(sp));
	sp.mask = mask;
	sp.policy = *p;
	return xioctl(fd, MLS_IOC_SET_POLICY, &sp);
}

long k_encrypt(int fd, const uint8_t *data, size_t len, const uint8_t *sig,
	       size_t sig_len, uint8_t *out, size_t cap, uint32_t *gen)
{
	struct mls_encrypt e;
	int r;

	memset(&e, 0, sizeof(e));
	e.content_type = MLS_CONTENT_APPLICATION;
	mbuf(&e.content, data, len);
	mbuf(&e.signature, sig, sig_len);
	mbuf(&e.message, out, cap);
	r = xioctl(fd, MLS_IOC_ENCRYPT, &e);
	if (r < 0)
		return r;
	if (gen)
		*gen = e.generation;
	return e.message.len;
}

long k_decrypt(int fd, const uint8_t *msg, size_t len, uint8_t *content,
	       size_t cap, uint8_t *sig, size_t sig_cap, uint32_t *gen)
{
	struct mls_decrypt d;
	uint8_t aad[16];
	int r;

	memset(&d, 0, sizeof(d));
	/* The bench's buffers are its own: open large contents in place. */
	d.flags = MLS_DECRYPT_F_ZEROCOPY;
	mbuf(&d.message, msg, len);
	mbuf(&d.authenticated_data, aad, sizeof(aad));
	mbuf(&d.content, content, cap);
	mbuf(&d.signature, sig, sig_cap);
	r = xioctl(fd, MLS_IOC_DECRYPT, &d);
	if (r < 0)
		return r;
	if (gen)
		*gen = d.generation;
	return d.content.len;
}

/* The next epoch: @next holds its context, commit and psk secrets. */
int k_commit(int fd, const struct mb_inputs *next, uint32_t own_leaf,
	     uint32_t leaf_count)
{
	const struct mb_suite *s = next->suite;
	struct mls_commit c;

	memset(&c, 0, sizeof(c));
	mbuf(&c.commit_secret, next->commit, s->nh);
	mbuf(&c.psk_secret, next->psk, s->nh);
	ctx_fill(&c.context, next);
	c.roster.own_leaf = own_leaf;
	c.roster.leaf_count = leaf_count;
	return xioctl(fd, MLS_IOC_COMMIT, &c);
}

int k_authenticator(int fd, uint8_t *out, size_t cap)
{
	struct mls_authenticator a;
	int r;

	memset(&a, 0, sizeof(a));
	mbuf(&a.authenticator, out, cap);
	r = xioctl(fd, MLS_IOC_EPOCH_AUTHENTICATOR, &a);
	return r < 0 ? r : (int)a.authenticator.len;
}

void k_buf(struct mls_buf *b, const void *p, size_t len)
{
	mbuf(b, p, len);
}

int k_batch(int fd, bool dec, void *entries, uint32_t count, size_t entry_size)
{
	struct mls_batch h;

	memset(&h, 0, sizeof(h));
	h.count = count;
	h.entries = U64P(entries);
	h.entry_size = (uint32_t)entry_size;
	return xioctl(fd, dec ? MLS_IOC_DECRYPT_BATCH : MLS_IOC_ENCRYPT_BATCH, &h);
}

/* MLS_IOC_GROUP_EXPORT of @fd into @buf: 0 or -errno; *@len, *@seq. */
int k_export(int fd, uint8_t *buf, size_t cap, size_t *len, uint64_t *seq)
{
	struct mls_group_export a;
	int r;

	memset(&a, 0, sizeof(a));
	mbuf(&a.snapshot, buf, cap);
	r = xioctl(fd, MLS_IOC_GROUP_EXPORT, &a);
	if (r)
		return r;
	*len = a.snapshot.len;
	if (seq)
		*seq = a.seq;
	return 0;
}

/* MLS_IOC_GROUP_IMPORT of @len bytes: a group fd, or -errno. */
int k_import(int ctl, const uint8_t *buf, size_t len, uint32_t flags)
{
	struct mls_group_import a;

	memset(&a, 0, sizeof(a));
	a.flags = flags;
	mbuf(&a.snapshot, buf, len);
	return xioctl(ctl, MLS_IOC_GROUP_IMPORT, &a);
}

/* MLS_IOC_GROUP_SAVED: snapshot @seq of @fd is stored. */
int k_saved(int fd, uint64_t seq)
{
	struct mls_group_saved a;

	memset(&a, 0, sizeof(a));
	a.seq = seq;
	return xioctl(fd, MLS_IOC_GROUP_SAVED, &a);
}
