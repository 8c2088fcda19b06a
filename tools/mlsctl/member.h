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
/* As state_save(), but -EEXIST (EXIT_KERNEL) rather than replace a file. */
int state_save_new(struct member *m);
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

/* The most extensions a list given to member propose or commit holds. */
#define MEMBER_MAX_EXT		64

/*
 * @b: one whole Extension extensions<V> (RFC 9420 §7.2, with its length
 * prefix). Its extensions into @ext (at most @max; they point into @b),
 * their number into *@n. 0, -EBADMSG (not exactly one such list),
 * -E2BIG (more than @max).
 */
int ext_list_parse(const struct mls_bytes *b, struct mlsc_ext *ext,
		   size_t max, size_t *n);

/* A ReInit (§12.1.5) as read from its bytes; the fields point into them. */
struct reinit_view {
	const uint8_t *group_id;
	size_t group_id_len;
	uint16_t version, cipher_suite;
	const uint8_t *extensions;	/* extensions<V>, with its prefix */
	size_t extensions_len;
};

/* The ReInit struct's bytes of @r (mls_bytes_free()); 0 or -errno. */
int reinit_encode(const struct mlsc_reinit_params *r, struct mls_bytes *out);
/* @b, exactly one ReInit struct, into @v; 0 or -EBADMSG, -E2BIG. */
int reinit_decode(const struct mls_bytes *b, struct reinit_view *v);

/*
 * The content_type (MLS_CONTENT_*) of @b, an MLSMessage holding a
 * PublicMessage or a PrivateMessage (both say it in the clear), or
 * -EBADMSG. Nothing is verified.
 */
int msg_content_type(const struct mls_bytes *b);

/* member_reinit.c: a group ended by a ReInit, STATE.reinit */

/* "@state.reinit" (free()), or NULL. */
char *reinit_path(const char *state);
/* Whether a ReInit ended the group of the member of @state. */
bool ended(const char *state);
/*
 * After a Commit was merged or processed: if it carried a ReInit, write
 * @m's STATE.reinit; *@done says whether it did. EXIT_OK or an exit
 * status with a message.
 */
int mark_ended(struct member *m, bool *done);
/*
 * @suite, of the KeyPackage of @what @path, is that of the ReInit that
 * ended @old's group: EXIT_OK, or an exit status with a message.
 */
int reinit_suite_check(const struct mlsc_group *old, const char *what,
		       const char *path, int suite);
/* mlsctl member reinit: print the ReInit of @state's member. */
int reinit_show(const struct mlsctl_opts *o, const char *state);

#endif /* MLSCTL_MEMBER_H */
