/* SPDX-License-Identifier: GPL-2.0 */
/* mlsctl member: running a whole MLS group with libmlsclient, file by file. */
#ifndef MLSCTL_MEMBER_H
#define MLSCTL_MEMBER_H

#include "mlsctl.h"

#include <mls_client.h>

#define MEMBER_STATE_MAX	(16U << 20)
#define MEMBER_MSG_MAX		(16U << 20)

/* A member loaded from its state file. */
struct member {
	const char *path;
	struct mlsc_group *g;
	struct mls_sig_key *key;
};

/*
 * The member saved in @path, on its kernel group (through /dev/mls @ctl).
 * EXIT_OK, or an exit status with a message.
 */
int state_load(int ctl, const char *path, struct member *m);
/* Save @m to its file, atomically, 0600. EXIT_OK or EXIT_KERNEL. */
int state_save(struct member *m);
void member_free(struct member *m);

/*
 * Lock the member of @path against other runs that change it: an
 * exclusive flock() on @path.lock (made 0600 if need be), held while
 * *@fd is open. At once, or "in use" and EXIT_KERNEL; with @wait, until
 * the other run ends. EXIT_OK, or an exit status with a
 * message.
 */
int state_lock(const char *path, bool wait, int *fd);

/* Write @len bytes to @path: 0600, temp + fsync + rename + fsync dir. */
int write_private_atomic(const char *path, const void *p, size_t len);

/*
 * A KeyPackage's private file: the MLSMessage(KeyPackage), the HPKE
 * private keys of its init_key and its leaf's encryption_key, and the
 * signature private key (raw). Read, the fields point into @file.
 */
struct kp_private {
	uint16_t suite;
	struct mls_bytes key_package, init_priv, enc_priv, sig_priv;
	struct mls_bytes file;
};

int kp_private_write(const char *path, const struct kp_private *k);
int kp_private_read(const char *path, struct kp_private *k);
void kp_private_free(struct kp_private *k);

#endif /* MLSCTL_MEMBER_H */
