/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libmlsclient: an RFC 9420 (MLS) client over mls.ko and libmls.
 *
 * The client is the control plane that libmls leaves to the application:
 * the wire format of RFC 9420, the ratchet tree, HPKE, KeyPackages and
 * Welcome processing. Every epoch secret stays in the kernel; the client
 * holds only what a member must hold itself (its signature key, its HPKE
 * private keys, the path secrets of its own commits), and erases them
 * after use. Documentation/userspace-api/client.rst tells which secret
 * lives where.
 *
 * Conventions, as libmls's:
 *  - Every function returns 0 (or a non-negative value where documented)
 *    on success and -errno on failure; none touches errno.
 *  - There is no global state. Objects are opaque handles, released with
 *    their *_free() function; byte strings the client allocates are
 *    struct mls_bytes, released (and wiped) with mls_bytes_free().
 *  - Malformed wire bytes are -EBADMSG, whatever is wrong with them.
 */
#ifndef MLS_CLIENT_H
#define MLS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <libmls.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLSC_VERSION_MAJOR	0
#define MLSC_VERSION_MINOR	1

/* RFC 9420 §6 WireFormat values beyond libmls's MLS_WIRE_FORMAT_*. */
#define MLS_WIRE_FORMAT_WELCOME		3
#define MLS_WIRE_FORMAT_GROUP_INFO	4
#define MLS_WIRE_FORMAT_KEY_PACKAGE	5

/* ---------------------------------------------------------------- codec */

/* A parsed MLSMessage (RFC 9420 §6). */
struct mlsc_message;

/**
 * mlsc_message_parse() - parse one MLSMessage
 * @data: its bytes, copied (the caller may free them after the call)
 * @len: their number
 * @out: the message, released with mlsc_message_free()
 *
 * Every byte must belong to the message. Returns 0, -EBADMSG when the
 * bytes are not exactly one well-formed MLSMessage of version mls10
 * (truncated, trailing bytes, a length past its end, a varint that is
 * not minimal, an undefined wire format or select tag), -EINVAL for a
 * NULL argument, -ENOMEM.
 */
int mlsc_message_parse(const void *data, size_t len,
		       struct mlsc_message **out);

/**
 * mlsc_message_wire_format() - the message's WireFormat
 *	(MLS_WIRE_FORMAT_*), or -EINVAL for NULL
 */
int mlsc_message_wire_format(const struct mlsc_message *msg);

/**
 * mlsc_message_serialize() - the message's bytes, serialized again from
 *	its parsed fields into @out (mls_bytes_free()); 0, -EINVAL, -ENOMEM
 */
int mlsc_message_serialize(const struct mlsc_message *msg,
			   struct mls_bytes *out);

/**
 * mlsc_message_free() - release a message (NULL is ignored)
 */
void mlsc_message_free(struct mlsc_message *msg);

/* --------------------------------------------------- joining (§12.4.3.1) */

/*
 * A Welcome being joined: its GroupSecrets decrypted, the join staged in
 * the kernel (which keeps the joiner_secret's extract), its GroupInfo
 * decrypted. Released with mlsc_welcome_free().
 */
struct mlsc_joiner;

/* A member of a group, joined through the kernel; mlsc_group_free(). */
struct mlsc_group;

/*
 * A pre-shared key a Welcome's GroupSecrets may name (§8.4). External:
 * @id and its value @secret, given by value. Resumption: @group_fd, a
 * group fd whose MLS group_id is the psk_group_id; the kernel reads its
 * resumption_psk, which never leaves it. Both: matched by id or group_id
 * to what the GroupSecrets list.
 */
struct mlsc_psk {
	uint8_t type;			/* MLS_PSK_EXTERNAL, MLS_PSK_RESUMPTION */
	const void *id;
	size_t id_len;
	const void *secret;
	size_t secret_len;
	int group_fd;
};

/* What opening a Welcome takes. */
struct mlsc_welcome_keys {
	/* The KeyPackage the Welcome answers: KeyPackage or MLSMessage. */
	const void *key_package;
	size_t key_package_len;
	/* Its init_key's HPKE private key (SerializePrivateKey). */
	const void *init_priv;
	size_t init_priv_len;
	/* The PSKs the GroupSecrets may name; others are ignored. */
	const struct mlsc_psk *psks;
	size_t n_psks;
	/* How long the kernel keeps the staged join; 0: its default. */
	uint32_t timeout_ms;
};

/**
 * mlsc_welcome_open() - decrypt a Welcome and stage its join in the kernel
 * @ctl_fd: /dev/mls (mls_open())
 * @msg: an MLSMessage(Welcome), @len bytes
 * @k: the KeyPackage, its init private key and the PSKs
 * @out: the opened Welcome, for mlsc_welcome_join()
 *
 * Returns 0; -ENOKEY if the Welcome has no secrets for @k's KeyPackage
 * (it is for someone else); -EBADMSG if a byte string is malformed or
 * the GroupSecrets or the GroupInfo do not decrypt; -ENOENT if the
 * GroupSecrets name a PSK @k does not give; -EPROTO if the suites of
 * the Welcome, KeyPackage and GroupInfo differ; -EINVAL; -ENOMEM; and
 * the errors of MLS_IOC_JOIN_STAGE. The joiner_secret and welcome_secret
 * are erased before return.
 */
int mlsc_welcome_open(int ctl_fd, const void *msg, size_t len,
		      const struct mlsc_welcome_keys *k,
		      struct mlsc_joiner **out);

/**
 * mlsc_welcome_free() - release a Welcome, close its staged join, wipe
 *	its secrets (NULL is ignored)
 */
void mlsc_welcome_free(struct mlsc_joiner *w);

#define MLSC_JOIN_F_EPHEMERAL	(1U << 0)	/* MLS_GROUP_F_EPHEMERAL */
#define MLSC_JOIN_F_ALL		MLSC_JOIN_F_EPHEMERAL

/* What joining takes beyond the Welcome. */
struct mlsc_join_args {
	uint32_t flags;			/* MLSC_JOIN_F_* */
	uint16_t mode;			/* the group's mode; 0: 0600 */
	/*
	 * The ratchet tree (optional<Node> ratchet_tree<V>), when the
	 * GroupInfo has no ratchet_tree extension; else NULL.
	 */
	const void *ratchet_tree;
	size_t ratchet_tree_len;
	/* The leaf's HPKE private key (SerializePrivateKey); kept. */
	const void *encryption_priv;
	size_t encryption_priv_len;
};

/**
 * mlsc_welcome_join() - join the group of an opened Welcome
 * @w: from mlsc_welcome_open(); its staged join is used up on success
 * @a: the tree if not in the GroupInfo, the leaf's private key, flags
 * @out: the member
 *
 * Validates the tree (its hash is the GroupContext's, the signer's and
 * one's own leaf are there), verifies the GroupInfo's signature with the
 * signer's leaf, joins in the kernel and verifies the GroupInfo's
 * confirmation_tag there; a group that fails is destroyed.
 *
 * Returns 0; -ENODATA without a tree; -EPROTO if the tree fails
 * validation (and for keys of a path secret that do not match it);
 * -EKEYREJECTED if the signature or a private key does not verify;
 * -EBADMSG for a malformed tree or a wrong confirmation_tag; -EALREADY
 * if @w was joined already; -EINVAL; -ENOMEM; the errors of
 * MLS_IOC_GROUP_JOIN.
 */
int mlsc_welcome_join(struct mlsc_joiner *w, const struct mlsc_join_args *a,
		      struct mlsc_group **out);

/**
 * mlsc_welcome_check() - verify an opened Welcome without a tree
 * @w: from mlsc_welcome_open(); its staged join is used up
 * @signer: the signer's public signature key, known otherwise
 *
 * Verifies the GroupInfo's signature with @signer and its
 * confirmation_tag through the kernel, in a group keyed with the
 * GroupContext and destroyed before return. Returns 0, -EKEYREJECTED,
 * -EBADMSG (the tag), -EALREADY, -EINVAL, or the kernel's errors.
 */
int mlsc_welcome_check(struct mlsc_joiner *w,
		       const struct mls_sig_key *signer);

/* The group fd of @g (owned by @g), for libmls; -EINVAL for NULL. */
int mlsc_group_fd(const struct mlsc_group *g);

/* @g's own leaf index, or -EINVAL for NULL. */
int64_t mlsc_group_own_leaf(const struct mlsc_group *g);

/**
 * mlsc_group_free() - wipe @g's private keys and tree, close its fd
 *	(the kernel's group lives on unless ephemeral); NULL is ignored
 */
void mlsc_group_free(struct mlsc_group *g);

#ifdef __cplusplus
}
#endif

#endif /* MLS_CLIENT_H */
