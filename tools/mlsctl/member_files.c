// SPDX-License-Identifier: GPL-2.0
/*
 * The private files of mlsctl member: a member's state (libmlsclient's
 * mlsc_group_save() bytes) and a KeyPackage's private half. Both hold
 * private keys: written 0600 and atomically (a temporary file in the
 * same directory, fsync, rename, fsync of the directory), so that a
 * crash leaves the old file or the new one, never half of one.
 */
#include "fdio.h"
#include "member.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* "MLSk", version 1: the KeyPackage private file (mlsctl(8), FILES). */
static const uint8_t kp_magic[4] = { 'M', 'L', 'S', 'k' };
#define KP_VERSION	1
#define KP_MAX_FIELD	(1U << 20)

/* rename(), or with @excl one that never replaces @path (-EEXIST). */
static int put_in_place(const char *tmp, const char *path, bool excl)
{
	if (!excl)
		return rename(tmp, path) ? -errno : 0;
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* A filesystem without RENAME_NOREPLACE: link() never replaces. */
	if (link(tmp, path))
		return -errno;
	unlink(tmp);
	return 0;
}

static int write_private(const char *path, const void *p, size_t len,
			 bool excl)
{
	char *tmp, *dcopy = NULL;
	int fd, dfd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	err = write_all(fd, p, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err)
		err = put_in_place(tmp, path, excl);
	if (err) {
		unlink(tmp);
		free(tmp);
		return err;
	}
	free(tmp);
	dcopy = strdup(path);
	if (!dcopy)
		return -ENOMEM;
	dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dcopy);
	if (dfd < 0)
		return -errno;
	err = fsync(dfd) ? -errno : 0;
	close(dfd);
	return err;
}

/* ------------------------------------------------ the member's state */

int state_load(int ctl, const char *path, struct member *m)
{
	struct mls_bytes b;
	int err;

	memset(m, 0, sizeof(*m));
	m->path = path;
	err = read_file(path, MEMBER_STATE_MAX, &b);
	if (err) {
		fprintf(stderr, "mlsctl: state %s: %s\n", path, strerror(-err));
		return EXIT_USAGE;
	}
	err = mlsc_group_load(ctl, b.data, b.len, &m->g, &m->key);
	mls_bytes_free(&b);
	if (err == -EBADMSG || err == -EPROTONOSUPPORT)
		return op_error(err, "state %s: not a member's state file "
				"(or a damaged one)", path);
	if (err == -ESTALE)
		return op_error(err, "state %s: the kernel's group is in another "
				"epoch than the file says", path);
	if (err)
		return op_error(err, "state %s", path);
	if (!m->key) {
		member_free(m);
		return op_error(-ENOKEY, "state %s: no signature key", path);
	}
	return EXIT_OK;
}

int write_private_atomic(const char *path, const void *p, size_t len)
{
	return write_private(path, p, len, false);
}

static int save(struct member *m, bool excl)
{
	struct mls_bytes b;
	int err;

	err = mlsc_group_save(m->g, m->key, &b);
	if (err)
		return op_error(err, "state %s", m->path);
	err = write_private(m->path, b.data, b.len, excl);
	mls_bytes_free(&b);
	return err ? op_error(err, "state %s", m->path) : EXIT_OK;
}

int state_save(struct member *m)
{
	return save(m, false);
}

/*
 * A new member's first save: never over a file that appeared since the
 * command checked its path (another command's, not under the lock).
 */
int state_save_new(struct member *m)
{
	return save(m, true);
}

void member_free(struct member *m)
{
	mlsc_group_free(m->g);
	mls_sig_key_free(m->key);
	m->g = NULL;
	m->key = NULL;
}

/* -------------------------------------------- the KeyPackage's private file */

static void put_field(uint8_t **w, const void *p, size_t len)
{
	(*w)[0] = (uint8_t)(len >> 24);
	(*w)[1] = (uint8_t)(len >> 16);
	(*w)[2] = (uint8_t)(len >> 8);
	(*w)[3] = (uint8_t)len;
	memcpy(*w + 4, p, len);
	*w += 4 + len;
}

static bool get_field(const uint8_t **r, const uint8_t *end,
		      struct mls_bytes *f)
{
	size_t len;

	if (end - *r < 4)
		return false;
	len = (size_t)(*r)[0] << 24 | (size_t)(*r)[1] << 16 |
	      (size_t)(*r)[2] << 8 | (*r)[3];
	*r += 4;
	if (len > KP_MAX_FIELD || (size_t)(end - *r) < len)
		return false;
	f->data = (uint8_t *)*r;
	f->len = len;
	*r += len;
	return true;
}

int kp_private_write(const char *path, const struct kp_private *k)
{
	size_t len = 8 + 4 * 4 + k->key_package.len + k->init_priv.len +
		     k->enc_priv.len + k->sig_priv.len;
	uint8_t *buf = malloc(len), *w = buf;
	int err;

	if (!buf)
		return -ENOMEM;
	memcpy(w, kp_magic, 4);
	w[4] = 0;
	w[5] = KP_VERSION;
	w[6] = (uint8_t)(k->suite >> 8);
	w[7] = (uint8_t)k->suite;
	w += 8;
	put_field(&w, k->key_package.data, k->key_package.len);
	put_field(&w, k->init_priv.data, k->init_priv.len);
	put_field(&w, k->enc_priv.data, k->enc_priv.len);
	put_field(&w, k->sig_priv.data, k->sig_priv.len);
	err = write_private_atomic(path, buf, len);
	explicit_bzero(buf, len);
	free(buf);
	return err;
}

int kp_private_read(const char *path, struct kp_private *k)
{
	const uint8_t *r, *end;
	struct mls_bytes f[4];
	int err;

	memset(k, 0, sizeof(*k));
	err = read_file(path, 4 * KP_MAX_FIELD, &k->file);
	if (err) {
		fprintf(stderr, "mlsctl: private %s: %s\n", path, strerror(-err));
		return EXIT_USAGE;
	}
	r = k->file.data;
	end = r + k->file.len;
	if (k->file.len < 8 || memcmp(r, kp_magic, 4))
		goto bad;
	if (r[4] != 0 || r[5] != KP_VERSION) {
		kp_private_free(k);
		return op_error(-EPROTONOSUPPORT, "private %s: version %u",
				path, (unsigned int)(r[4] << 8 | r[5]));
	}
	k->suite = (uint16_t)(r[6] << 8 | r[7]);
	r += 8;
	for (int i = 0; i < 4; i++)
		if (!get_field(&r, end, &f[i]))
			goto bad;
	if (r != end || !mls_suite_hash_len(k->suite))
		goto bad;
	/* fields point into k->file, wiped and freed with it */
	k->key_package = f[0];
	k->init_priv = f[1];
	k->enc_priv = f[2];
	k->sig_priv = f[3];
	return EXIT_OK;
bad:
	kp_private_free(k);
	return op_error(-EBADMSG, "private %s: not a KeyPackage private file "
			"(or a damaged one)", path);
}

void kp_private_free(struct kp_private *k)
{
	mls_bytes_free(&k->file);
	memset(k, 0, sizeof(*k));
}

/* ------------------------------------------------- the state's lock */

int state_lock(const char *path, bool wait, int *fd)
{
	char *lock;
	int lfd;

	*fd = -1;
	if (asprintf(&lock, "%s.lock", path) < 0)
		return op_error(-ENOMEM, "state %s: lock", path);
	lfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lfd < 0) {
		fprintf(stderr, "mlsctl: state %s: lock %s: %s\n", path, lock,
			strerror(errno));
		free(lock);
		return EXIT_USAGE;
	}
	while (flock(lfd, LOCK_EX | (wait ? 0 : LOCK_NB))) {
		int err = errno;

		if (err == EINTR)
			continue;
		close(lfd);
		free(lock);
		if (err == EWOULDBLOCK) {
			fprintf(stderr, "mlsctl: state %s: in use by another "
				"mlsctl (it holds %s.lock; wait: wait for it)\n",
				path, path);
			return EXIT_KERNEL;
		}
		return op_error(-err, "state %s: lock", path);
	}
	free(lock);
	*fd = lfd;
	return EXIT_OK;
}
