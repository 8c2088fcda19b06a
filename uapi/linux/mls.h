/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mls: Messaging Layer Security (RFC 9420) group state and message
 * protection in the kernel.
 *
 * Copyright (C) 2026 The mls authors.
 *
 * Two kinds of file descriptor carry the interface:
 *
 *   /dev/mls            control: version, create / join / open groups,
 *                       event buffer.
 *   group fd            returned by create / join / open; data plane of
 *                       one group (encrypt, decrypt, commit, exporter...).
 *
 * Rules that hold for every ioctl below:
 *
 *  - The argument is a pointer to the ioctl's struct. The struct size is
 *    encoded in the ioctl number; the kernel accepts any size from the
 *    struct's first published size up (MLS_*_SIZE_VER0), so that structs
 *    can grow at the end: a larger struct from a newer program is accepted
 *    when its unknown tail is zero (else -E2BIG), a smaller one from an
 *    older program gets zeros for the fields it does not know. Output is
 *    copied back up to the smaller of the two sizes.
 *  - Every struct has a @flags field; unknown flag bits give -EINVAL.
 *    Fields named reserved* must be zero (else -EINVAL).
 *  - User buffers are passed as __u64 addresses with a __u32 length.
 *    A bad address gives -EFAULT.
 *  - An unknown ioctl gives -ENOTTY.
 */
#ifndef _UAPI_LINUX_MLS_H
#define _UAPI_LINUX_MLS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MLS_DEVICE_NAME		"mls"
#define MLS_API_VERSION		1

/* ioctl type; free in Documentation/userspace-api/ioctl/ioctl-number.rst */
#define MLS_IOC_MAGIC		0xB9

/**
 * enum mls_feature - feature bits reported by %MLS_IOC_GET_VERSION
 * @MLS_FEATURE_VERSION_IOCTL: %MLS_IOC_GET_VERSION (always set)
 * @MLS_FEATURE_EVBUF: the event buffer (ioctls 0x40-0x4f): per-endpoint
 *	throttling and circuit breaking
 * @MLS_FEATURE_GROUPS: groups and their data plane (create, join, open,
 *	encrypt, decrypt, commit, exporter...)
 * @MLS_FEATURE_EVENTS: the generic netlink family "mls" with its group
 *	dump and "events", and the counters and health in /sys/kernel/mls
 * @MLS_FEATURE_HANDSHAKE: the kernel half of the handshake: pending
 *	commits, confirmation and membership tags, PSK lists, staged joins
 *	and external commits (ioctls 0x14, 0x29-0x2e)
 * @MLS_FEATURE_BATCH: %MLS_IOC_ENCRYPT_BATCH and %MLS_IOC_DECRYPT_BATCH
 * @MLS_FEATURE_PERSIST: sealed snapshots, %MLS_IOC_GROUP_EXPORT and
 *	%MLS_IOC_GROUP_IMPORT
 * @MLS_FEATURE_RESERVE: the send reservation of persistent groups:
 *	%MLS_GROUP_F_PERSISTENT, %MLS_IOC_GROUP_SAVED, %MLS_IMPORT_F_RESUME,
 *	%MLS_CMD_RESERVE_LOW
 * @MLS_FEATURE_DRAIN: %MLS_IOC_DRAIN, -ESHUTDOWN while drained, the
 *	%MLS_A_RESERVE nest of the group dump
 * @MLS_FEATURE_DECRYPT_ZEROCOPY: %MLS_DECRYPT_F_ZEROCOPY is accepted by
 *	%MLS_IOC_DECRYPT and %MLS_IOC_DECRYPT_BATCH
 * @MLS_FEATURE_COMMIT_FINAL: %MLS_COMMIT_F_FINAL is accepted by
 *	%MLS_IOC_COMMIT and %MLS_IOC_COMMIT_PREPARE, a group's last epoch
 *	refuses sending (-EPIPE), %MLS_GROUP_STATE_ENDED, snapshot version 3
 */
enum mls_feature {
	MLS_FEATURE_VERSION_IOCTL	= 1ULL << 0,
	MLS_FEATURE_GROUPS		= 1ULL << 1,
	MLS_FEATURE_EVBUF		= 1ULL << 2,
	MLS_FEATURE_EVENTS		= 1ULL << 3,
	MLS_FEATURE_HANDSHAKE		= 1ULL << 4,
	MLS_FEATURE_BATCH		= 1ULL << 5,
	MLS_FEATURE_PERSIST		= 1ULL << 6,
	MLS_FEATURE_RESERVE		= 1ULL << 7,
	MLS_FEATURE_DRAIN		= 1ULL << 8,
	MLS_FEATURE_DECRYPT_ZEROCOPY	= 1ULL << 9,
	MLS_FEATURE_COMMIT_FINAL	= 1ULL << 10,
};

/**
 * struct mls_version - argument of %MLS_IOC_GET_VERSION
 * @flags: (in) must be zero
 * @api_version: (out) %MLS_API_VERSION of the running module
 * @features: (out) bitmap of &enum mls_feature
 * @suites: (out) bit n set when RFC 9420 ciphersuite n is supported
 * @reserved: (in) must be zero
 */
struct mls_version {
	__u32 flags;
	__u32 api_version;
	__u64 features;
	__u64 suites;
	__u64 reserved;
};

#define MLS_VERSION_SIZE_VER0	32

/**
 * DOC: MLS_IOC_GET_VERSION
 *
 * Context: /dev/mls.
 *
 * Reports the API version, the feature bits and the supported
 * ciphersuites. Always the first call a program makes.
 *
 * Return: 0 on success, or
 *  * -EFAULT: the argument is not a readable and writable address;
 *  * -EINVAL: @flags or @reserved is not zero, or the size in the ioctl
 *    number is smaller than %MLS_VERSION_SIZE_VER0;
 *  * -E2BIG: the struct is larger than the kernel's and its tail is
 *    not zero.
 */
#define MLS_IOC_GET_VERSION	_IOWR(MLS_IOC_MAGIC, 0x00, struct mls_version)

/*
 * Groups
 * ======
 *
 * A group is one member's state of one MLS group: group_id, ciphersuite,
 * own leaf index, leaf count and occupied-leaf map, the current epoch and
 * the past epochs kept for late messages. It has a kernel id (like an
 * ifindex; 1 to 2^31 - 1, handed out cyclically as pids are, so that a
 * freed id is not reused at once), an owner uid/gid and a mode (0600
 * unless given), and lives
 * until MLS_IOC_GROUP_DESTROY or module unload; a group created with
 * %MLS_GROUP_F_EPHEMERAL dies with its last file descriptor.
 *
 * Create, join and open return a group fd (O_CLOEXEC) on which the data
 * plane runs. A group fd is a capability: whoever holds it may use the
 * group, so it can be handed over a unix socket.
 */

#define MLS_MAX_GROUP_ID_LEN	255
#define MLS_MAX_HASH_LEN	64
/* GroupContext tree_hash and confirmed_transcript_hash: one hash each. */
#define MLS_MAX_CONTEXT_HASH_LEN MLS_MAX_HASH_LEN
#define MLS_MAX_EXTENSIONS_LEN	65536
#define MLS_MAX_EXPORTER_LEN	1024
#define MLS_MAX_LABEL_LEN	255

/**
 * struct mls_buf - a user buffer
 * @addr: user address
 * @len: for input, the number of bytes at @addr; for output, (in) the
 *       capacity and (out) the number of bytes written, or, with -ENOSPC,
 *       the number needed
 * @reserved: must be zero
 */
struct mls_buf {
	__u64 addr;
	__u32 len;
	__u32 reserved;
};

/**
 * struct mls_group_context - the GroupContext fields of an epoch (§8.1)
 *	that are not fixed for the group (version, cipher_suite and group_id
 *	are)
 * @epoch: the epoch number
 * @tree_hash: tree_hash, at most %MLS_MAX_CONTEXT_HASH_LEN bytes
 * @confirmed_transcript_hash: at most %MLS_MAX_CONTEXT_HASH_LEN bytes
 * @extensions: the GroupContext extensions, encoded as the content of the
 *	extensions<V> vector (the kernel adds the length prefix); length 0
 *	for no extensions
 */
struct mls_group_context {
	__u64 epoch;
	struct mls_buf tree_hash;
	struct mls_buf confirmed_transcript_hash;
	struct mls_buf extensions;
};

/**
 * struct mls_roster - who is in the group, as far as the data plane cares
 * @own_leaf: this member's leaf index
 * @leaf_count: number of leaves of the ratchet tree (occupied or blank)
 * @occupied: bitmap of occupied leaves, bit i (byte i / 8, least
 *	significant bit first) set when leaf i is occupied, at least
 *	(@leaf_count + 7) / 8 bytes; length 0 means every leaf is occupied.
 *	A message from a blank leaf is rejected (-EBADMSG).
 */
struct mls_roster {
	__u32 own_leaf;
	__u32 leaf_count;
	struct mls_buf occupied;
};

/* struct mls_psk.type: PSKType (§8.4) */
#define MLS_PSK_EXTERNAL		1
#define MLS_PSK_RESUMPTION		2

/* struct mls_psk.usage: ResumptionPSKUsage (§8.4) */
#define MLS_PSK_USAGE_APPLICATION	1
#define MLS_PSK_USAGE_REINIT		2
#define MLS_PSK_USAGE_BRANCH		3

/* Flags of struct mls_psk. */
#define MLS_PSK_F_GROUP_KID	(1U << 0) /* @group is a kernel id, not an fd */
#define MLS_PSK_F_ALL		MLS_PSK_F_GROUP_KID

#define MLS_MAX_PSKS		64
#define MLS_MAX_PSK_ID_LEN	1024
#define MLS_MAX_PSK_LEN		1024

/**
 * struct mls_psk - one PreSharedKeyID of a psk_secret (RFC 9420 §8.4)
 * @type: %MLS_PSK_EXTERNAL or %MLS_PSK_RESUMPTION
 * @usage: resumption: %MLS_PSK_USAGE_*; external: must be zero
 * @flags: %MLS_PSK_F_*; external: must be zero
 * @group: resumption: the group whose resumption_psk is used, as a group
 *	fd of the caller, or with %MLS_PSK_F_GROUP_KID as a kernel id (the
 *	caller must be allowed to open it, as %MLS_IOC_GROUP_OPEN checks);
 *	external: must be zero. Its MLS group_id is the psk_group_id.
 * @epoch: resumption: psk_epoch, an epoch that group still keeps;
 *	external: must be zero
 * @id: external: psk_id, 1 to %MLS_MAX_PSK_ID_LEN bytes; resumption: empty
 * @secret: external: the PSK, 1 to %MLS_MAX_PSK_LEN bytes; resumption:
 *	empty (the kernel takes the value, which never leaves it)
 * @nonce: psk_nonce, Nh bytes of the suite being keyed
 */
struct mls_psk {
	__u8 type;
	__u8 usage;
	__u16 flags;
	__u32 group;
	__u64 epoch;
	struct mls_buf id;
	struct mls_buf secret;
	struct mls_buf nonce;
};

/**
 * struct mls_psk_list - the PSKs of an epoch, in the order of the Commit's
 *	PreSharedKey proposals (or the Welcome's GroupSecrets.psks)
 * @addr: user address of an array of struct mls_psk
 * @count: its length, 0 to %MLS_MAX_PSKS; 0 means no list
 * @reserved: must be zero
 *
 * Where a struct carries both a raw psk_secret and a list, at most one
 * of them may be given (-EINVAL otherwise). The kernel computes
 * psk_secret from the list; a list of zero PSKs is the same as no PSK
 * (Nh zero bytes). Errors particular to a list:
 *
 *  * -EINVAL: @count above %MLS_MAX_PSKS, a bad type, usage, flag,
 *    length or nonzero reserved or unused field, or the nonce not Nh
 *    bytes;
 *  * -EBADF: a resumption @group that is not an open group fd;
 *  * -ENOENT: a resumption @group kernel id that names no group;
 *  * -EACCES: a group the caller may not open;
 *  * -EKEYEXPIRED: an epoch that group no longer keeps;
 *  * -EAGAIN: an epoch that group has not reached;
 *  * -ENODATA: an epoch that was installed (it has no resumption_psk).
 *
 * A resumption PSK may come from a group of another ciphersuite (a ReInit
 * may change it, §11.2): its value is that group's Nh bytes, which the
 * PSK derivation of the suite being keyed extracts like any other PSK.
 */
struct mls_psk_list {
	__u64 addr;
	__u32 count;
	__u32 reserved;
};

/* Flags of struct mls_group_new. */
#define MLS_GROUP_F_EPHEMERAL	(1U << 0) /* dies with its last fd */
#define MLS_GROUP_F_FROM_INPUTS	(1U << 1) /* CREATE: run §8 from init, commit, psk */
#define MLS_GROUP_F_INSTALL	(1U << 2) /* CREATE: encryption and sender-data secrets given */
#define MLS_GROUP_F_STAGED	(1U << 3) /* JOIN: from a staged join (@staged_fd) */
#define MLS_GROUP_F_PERSISTENT	(1U << 4) /* sends only what a saved snapshot reserved */
#define MLS_GROUP_F_ALL		(MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_FROM_INPUTS | \
				 MLS_GROUP_F_INSTALL | MLS_GROUP_F_STAGED | \
				 MLS_GROUP_F_PERSISTENT)

/**
 * struct mls_group_new - argument of %MLS_IOC_GROUP_CREATE and
 *	%MLS_IOC_GROUP_JOIN
 * @flags: (in) %MLS_GROUP_F_*
 * @suite: (in) RFC 9420 ciphersuite, 1 to 7
 * @mode: (in) permission bits for %MLS_IOC_GROUP_OPEN (as a file's: owner,
 *	group, other; read and write both needed); 0 means 0600
 * @id: (out) the group's kernel id
 * @reserved0: must be zero
 * @group_id: (in) the MLS group_id, 1 to %MLS_MAX_GROUP_ID_LEN bytes
 * @init_secret: (in) CREATE with %MLS_GROUP_F_FROM_INPUTS: the previous
 *	epoch's init_secret (Nh bytes); else empty
 * @joiner_secret: (in) JOIN: the joiner_secret of the Welcome (Nh bytes);
 *	else empty
 * @commit_secret: (in) CREATE with %MLS_GROUP_F_FROM_INPUTS: Nh bytes, or
 *	empty for Nh zero bytes; else empty
 * @psk_secret: (in) FROM_INPUTS or JOIN: Nh bytes, or empty for zeros
 * @encryption_secret: (in) CREATE with %MLS_GROUP_F_INSTALL: Nh bytes
 * @sender_data_secret: (in) CREATE with %MLS_GROUP_F_INSTALL: Nh bytes
 * @context: (in) the epoch's GroupContext fields. A plain CREATE must
 *	give epoch 0.
 * @roster: (in) own leaf, leaf count and occupied leaves. A plain CREATE
 *	is leaf 0 of one leaf: own_leaf 0, leaf_count 0 or 1.
 * @psks: (in) FROM_INPUTS or JOIN: the PSKs, in place of @psk_secret
 *	(struct mls_psk_list); the kernel computes psk_secret
 * @staged_fd: (in) JOIN with %MLS_GROUP_F_STAGED: the fd that
 *	%MLS_IOC_JOIN_STAGE returned; @joiner_secret, @psk_secret and @psks
 *	are then empty. Else must be zero.
 * @reserved1: must be zero
 */
struct mls_group_new {
	__u32 flags;
	__u16 suite;
	__u16 mode;
	__u32 id;
	__u32 reserved0;
	struct mls_buf group_id;
	struct mls_buf init_secret;
	struct mls_buf joiner_secret;
	struct mls_buf commit_secret;
	struct mls_buf psk_secret;
	struct mls_buf encryption_secret;
	struct mls_buf sender_data_secret;
	struct mls_group_context context;
	struct mls_roster roster;
	struct mls_psk_list psks;
	__s32 staged_fd;
	__u32 reserved1;
};

#define MLS_GROUP_NEW_SIZE_VER0	208
#define MLS_GROUP_NEW_SIZE_VER1	232	/* + psks, staged_fd */

/**
 * DOC: MLS_IOC_GROUP_CREATE
 *
 * Context: /dev/mls. Returns a group fd.
 *
 * Creates a group whose first epoch comes from one of:
 *
 *  * a random epoch_secret, as the creator of a new group does (RFC 9420
 *    §11): no flag; this member is leaf 0 of one leaf, epoch 0;
 *  * %MLS_GROUP_F_FROM_INPUTS: the key schedule (§8) run from
 *    @init_secret, @commit_secret, @psk_secret and the GroupContext, for a
 *    migration or a test;
 *  * %MLS_GROUP_F_INSTALL: @encryption_secret and @sender_data_secret set
 *    directly, for a control plane that runs its own key schedule (no
 *    exporter or epoch_authenticator in such an epoch).
 *
 * The caller becomes the owner. The group counts against the module
 * parameter max_groups.
 *
 * %MLS_GROUP_F_PERSISTENT (also for JOIN) makes a group that sends, in
 * each of its own sending ratchets, only the generations reserved by a
 * snapshot that was saved: %MLS_IOC_GROUP_EXPORT reserves, and
 * %MLS_IOC_GROUP_SAVED, once the snapshot is durable, lets the group
 * use what it reserved. Until then (and in each new epoch until it is
 * saved) %MLS_IOC_ENCRYPT fails with -ENOBUFS. See
 * Documentation/admin-guide/persistence.rst, "Send reservation".
 *
 * Return: the new group fd (>= 0), or
 *  * -EINVAL: unknown flag, FROM_INPUTS with INSTALL, a reserved field
 *    not zero, unsupported suite, bad group_id length, a secret of the
 *    wrong length or given where it does not belong, a context field too
 *    long, own_leaf >= leaf_count, own leaf not occupied, leaf_count above
 *    the module's max_leaves, mode with bits outside 0777;
 *  * -EFAULT: a bad address;
 *  * -ENOSPC: max_groups reached;
 *  * -EDQUOT: the caller's uid owns user_max_groups groups, or the
 *    epoch (its GroupContext and roster) would pass its user_max_bytes
 *    (root and CAP_SYS_RESOURCE go past);
 *  * -ENOMEM: out of memory, or the caller's memory cgroup is full;
 *  * -EMFILE, -ENFILE: no descriptor left.
 */
#define MLS_IOC_GROUP_CREATE	_IOWR(MLS_IOC_MAGIC, 0x10, struct mls_group_new)

/**
 * DOC: MLS_IOC_GROUP_JOIN
 *
 * Context: /dev/mls. Returns a group fd.
 *
 * Joins a group from a Welcome (RFC 9420 §12.4.3.1): the epoch's secrets
 * come from @joiner_secret, @psk_secret (or @psks) and the GroupContext,
 * with the given roster. With %MLS_GROUP_F_STAGED they come from the
 * join staged by %MLS_IOC_JOIN_STAGE instead (@staged_fd); that staged
 * join is used up by a successful JOIN and stays usable after a failed
 * one. Only %MLS_GROUP_F_EPHEMERAL, %MLS_GROUP_F_STAGED and
 * %MLS_GROUP_F_PERSISTENT may be set.
 *
 * The joiner must then check the GroupInfo's confirmation_tag with
 * %MLS_IOC_CONFIRMATION_TAG (%MLS_TAG_F_VERIFY), and destroy the group if
 * it does not verify.
 *
 * Return: as %MLS_IOC_GROUP_CREATE, and the errors of struct
 * mls_psk_list, and
 *  * -EBADF: @staged_fd is not a staged join;
 *  * -ETIMEDOUT: the staged join timed out (its secret is erased);
 *  * -EINVAL: @suite differs from the staged join's.
 */
#define MLS_IOC_GROUP_JOIN	_IOWR(MLS_IOC_MAGIC, 0x11, struct mls_group_new)

/**
 * struct mls_group_open - argument of %MLS_IOC_GROUP_OPEN
 * @flags: (in) must be zero
 * @id: (in) the group's kernel id
 */
struct mls_group_open {
	__u32 flags;
	__u32 id;
};

#define MLS_GROUP_OPEN_SIZE_VER0 8

/**
 * DOC: MLS_IOC_GROUP_OPEN
 *
 * Context: /dev/mls. Returns a group fd.
 *
 * Opens an existing group by kernel id. Access is checked as for a file:
 * the owner's, the group's or the others' bits of the group's mode must
 * grant both read and write (6); CAP_DAC_OVERRIDE overrides.
 *
 * Return: the group fd, or -EINVAL (flags), -EFAULT, -ENOENT (no such
 * group, or destroyed), -EACCES (mode), -EMFILE, -ENFILE.
 */
#define MLS_IOC_GROUP_OPEN	_IOW(MLS_IOC_MAGIC, 0x12, struct mls_group_open)

/**
 * struct mls_group_list - argument of %MLS_IOC_GROUP_LIST
 * @flags: (in) must be zero
 * @count: (in) the capacity of @ids, in entries; (out) the number of
 *	live groups the caller may see
 * @ids: (in) address of an array of __u32, filled with the kernel ids
 */
struct mls_group_list {
	__u32 flags;
	__u32 count;
	__u64 ids;
};

#define MLS_GROUP_LIST_SIZE_VER0 16

/**
 * DOC: MLS_IOC_GROUP_LIST
 *
 * Context: /dev/mls.
 *
 * Lists the kernel ids of the live groups the caller may see, in
 * increasing order. The caller sees a group as it could read a file of
 * the group's owner and mode: its own (fsuid is the owner), else one
 * whose owner group it is in if the mode's group read bit (0040) is set,
 * else one whose other read bit (0004) is set; with CAP_NET_ADMIN it
 * sees every group. The netlink MLS_CMD_GET_GROUP do and dump follow the
 * same rule, and /sys/kernel/mls/groups/ as far as file permissions can
 * (see Documentation/ABI/testing/sysfs-kernel-mls). Seeing a group is
 * not opening it: MLS_IOC_GROUP_OPEN needs read and write.
 *
 * Return: 0, or -EINVAL (flags), -EFAULT, -ENOSPC (@count was too small;
 * it now holds the number needed).
 */
#define MLS_IOC_GROUP_LIST	_IOWR(MLS_IOC_MAGIC, 0x13, struct mls_group_list)

/**
 * struct mls_join_stage - argument of %MLS_IOC_JOIN_STAGE
 * @flags: (in) must be zero
 * @suite: (in) the ciphersuite of the group being joined
 * @reserved0: must be zero
 * @timeout_ms: (in) how long the staged join is kept unused; 0 for the
 *	module parameter commit_timeout_ms, at most commit_timeout_ms_max
 * @reserved1: must be zero
 * @joiner_secret: (in) the joiner_secret of the Welcome's GroupSecrets,
 *	Nh bytes
 * @psk_secret: (in) Nh bytes, or empty; not with @psks
 * @psks: (in) the GroupSecrets' PSKs (struct mls_psk_list)
 * @welcome_secret: (out) Nh bytes: the key of the Welcome's
 *	encrypted_group_info (§12.4.3.1)
 */
struct mls_join_stage {
	__u32 flags;
	__u16 suite;
	__u16 reserved0;
	__u32 timeout_ms;
	__u32 reserved1;
	struct mls_buf joiner_secret;
	struct mls_buf psk_secret;
	struct mls_psk_list psks;
	struct mls_buf welcome_secret;
};

#define MLS_JOIN_STAGE_SIZE_VER0 80

/**
 * DOC: MLS_IOC_JOIN_STAGE
 *
 * Context: /dev/mls. Returns a staged-join fd (O_CLOEXEC).
 *
 * The first half of a join whose PSKs only the kernel can resolve (a
 * resumption PSK of a branch or reinit): a Welcome's GroupInfo is
 * encrypted under welcome_secret, which needs psk_secret, and the
 * GroupContext a join needs is inside that GroupInfo. This call computes
 * psk_secret, keeps Extract(joiner_secret, psk_secret) in the kernel and
 * returns welcome_secret; %MLS_IOC_GROUP_JOIN with %MLS_GROUP_F_STAGED and
 * the fd completes the join with the GroupContext and the roster.
 *
 * The kept secret is erased when the join completes, when the fd is
 * closed, or @timeout_ms after this call, whichever comes first.
 *
 * Return: the new fd (>= 0), or
 *  * -EINVAL: flags, reserved fields, suite, secret lengths, @timeout_ms
 *    above its cap, both @psk_secret and @psks;
 *  * the errors of struct mls_psk_list;
 *  * -ENOSPC: @welcome_secret smaller than Nh (its len is set);
 *  * -EFAULT, -ENOMEM, -EMFILE, -ENFILE.
 */
#define MLS_IOC_JOIN_STAGE	_IOWR(MLS_IOC_MAGIC, 0x14, struct mls_join_stage)

/*
 * The data plane: ioctls on a group fd
 * ====================================
 */

/**
 * enum mls_content_type - RFC 9420 ContentType
 * @MLS_CONTENT_APPLICATION: application data, through the application
 *	ratchet
 * @MLS_CONTENT_PROPOSAL: a proposal, through the handshake ratchet
 * @MLS_CONTENT_COMMIT: a commit, through the handshake ratchet
 */
enum mls_content_type {
	MLS_CONTENT_APPLICATION	= 1,
	MLS_CONTENT_PROPOSAL	= 2,
	MLS_CONTENT_COMMIT	= 3,
};

/* Flags of struct mls_encrypt. */
#define MLS_ENCRYPT_F_EPOCH	(1U << 0) /* encrypt only in the epoch given */
#define MLS_ENCRYPT_F_ALL	MLS_ENCRYPT_F_EPOCH

/**
 * struct mls_encrypt - argument of %MLS_IOC_ENCRYPT
 * @flags: (in) %MLS_ENCRYPT_F_*
 * @content_type: (in) &enum mls_content_type
 * @authenticated_data: (in) the PrivateMessage authenticated_data
 * @content: (in) application: the application_data; proposal or commit:
 *	the raw PrivateMessageContent bytes before the padding (the
 *	Proposal or Commit followed by its FramedContentAuthData)
 * @signature: (in) application: the FramedContent signature userspace
 *	made over FramedContentTBS (§6.1), required, of a length the
 *	suite's signature scheme can produce (Ed25519: 64 bytes, Ed448: 114;
 *	ECDSA, DER-encoded: 8 to 72 bytes for P-256, to 104 for P-384, to
 *	139 for P-521); must be empty for a proposal or commit
 * @message: (out) the MLSMessage (version, wire_format private_message,
 *	PrivateMessage)
 * @epoch: (in) with %MLS_ENCRYPT_F_EPOCH: the epoch the message must be
 *	sent in (the one whose GroupContext the signature covers);
 *	(out) the epoch the message was sent in
 * @generation: (out) the ratchet generation it consumed
 * @reserved: must be zero
 * @padding_block: (in) since %MLS_ENCRYPT_SIZE_VER1: pad this message's
 *	content with zeros to a multiple of this many bytes instead of the
 *	group's policy.padding_block. 0: the group's policy; 1: no padding;
 *	above 1: at most the module parameter padding_block_max
 * @reserved1: must be zero
 */
struct mls_encrypt {
	__u32 flags;
	__u32 content_type;
	struct mls_buf authenticated_data;
	struct mls_buf content;
	struct mls_buf signature;
	struct mls_buf message;
	__u64 epoch;
	__u32 generation;
	__u32 reserved;
	__u32 padding_block;
	__u32 reserved1;
};

#define MLS_ENCRYPT_SIZE_VER0	88	/* without padding_block, reserved1 */
#define MLS_ENCRYPT_SIZE_VER1	96

/**
 * DOC: MLS_IOC_ENCRYPT
 *
 * Context: group fd.
 *
 * Protects one message as a PrivateMessage (RFC 9420 §6.3) in the current
 * epoch from this member's leaf: content padded with zeros to
 * @padding_block, or to the group's padding block when it is 0, a fresh
 * random reuse_guard, sender data sealed under the key derived from the
 * ciphertext sample. Each (epoch, leaf, generation) is used exactly once,
 * whatever the number of threads. If the struct itself cannot be written
 * back (-EFAULT), the generation was used: a gap in the sequence, never a
 * reuse.
 *
 * An application message carries the signature its sender made over
 * FramedContentTBS, which includes the GroupContext of the epoch it is
 * sent in. With %MLS_ENCRYPT_F_EPOCH, the kernel encrypts only in the
 * epoch named by @epoch, so that a message is never sent in an epoch its
 * signature does not cover; a program that signs for the epoch it last
 * saw sends with one ioctl and, on -ESTALE, reads the new GroupContext
 * (%MLS_IOC_GET_CONTEXT) and signs again.
 *
 * A program built against %MLS_ENCRYPT_SIZE_VER0 gets the group's
 * padding, as before.
 *
 * Return: 0, or
 *  * -EINVAL: unknown flags, reserved fields, content_type, an
 *    application message without a signature or with one of a length the
 *    suite's scheme cannot produce, a signature with a proposal or commit,
 *    @padding_block above 1 and above padding_block_max, sizes above the
 *    module's max_message;
 *  * -EFAULT: a bad address;
 *  * -ENOSPC: @message too small; @message.len holds the size needed and
 *    no generation was used;
 *  * -EOVERFLOW: the sending ratchet reached its last generation;
 *  * -ENOBUFS: a %MLS_GROUP_F_PERSISTENT group used every generation
 *    its last saved snapshot reserved in this ratchet (or none is saved
 *    for the current epoch yet, or a drain closed it): nothing was sent
 *    and no generation was used. Export the group, store the snapshot,
 *    %MLS_IOC_GROUP_SAVED, and retry. Do not wait for an event first:
 *    %MLS_CMD_RESERVE_LOW is sent when half of a saved reservation is
 *    used, but none comes for a new group or epoch (nothing reserved
 *    yet), and a listener may have lost it; %MLS_A_RESERVE in the
 *    group dump shows the state;
 *  * -EROFS: imported with %MLS_IMPORT_F_RECEIVE_ONLY, in the epoch it
 *    was restored in; or imported without %MLS_IMPORT_F_RESUME, in an
 *    epoch reached by a commit without %MLS_COMMIT_F_OWN_PATH: it sends
 *    again from the epoch of its own commit with a fresh UpdatePath;
 *  * -ESHUTDOWN: the module is drained (%MLS_IOC_DRAIN);
 *  * -EPIPE: the current epoch is the group's last (%MLS_COMMIT_F_FINAL,
 *    a ReInit): no call that starts after the merge sends, whatever
 *    the content type, and nothing is ever sealed in the last epoch.
 *    A call that took the epoch before while the merge ran may still
 *    return its message of that earlier epoch after the merge (or
 *    -ESTALE). Nothing was sent and no generation was used;
 *  * -ESTALE: with %MLS_ENCRYPT_F_EPOCH, the current epoch is not @epoch;
 *    or a commit moved the group to its next epoch during the call (the
 *    old epoch's sending keys are erased). Nothing was sent and no
 *    generation was used: sign for the current epoch and retry. Also a
 *    group brought back by %MLS_IOC_GROUP_IMPORT, in the epoch it was
 *    restored in: it sends again from its next epoch;
 *  * -EAGAIN: the group's encrypt rate is exceeded;
 *  * -EDQUOT: the own leaf's first message of the epoch would grow the
 *    secret tree past the group owner's user_max_bytes;
 *  * -ENOENT: the group was destroyed;
 *  * -ENOMEM.
 */
#define MLS_IOC_ENCRYPT		_IOWR(MLS_IOC_MAGIC, 0x20, struct mls_encrypt)

/* Flags of struct mls_decrypt. */
#define MLS_DECRYPT_F_ZEROCOPY	(1U << 0) /* open into @content directly */
#define MLS_DECRYPT_F_ALL	MLS_DECRYPT_F_ZEROCOPY

/**
 * struct mls_decrypt - argument of %MLS_IOC_DECRYPT
 * @flags: (in) %MLS_DECRYPT_F_*
 * @reserved0: must be zero
 * @message: (in) an MLSMessage holding a PrivateMessage
 * @authenticated_data: (out) its authenticated_data
 * @content: (out) application: the application_data; proposal or commit:
 *	the whole PrivateMessageContent plaintext, padding included (the
 *	kernel cannot find the end of a Proposal or Commit without parsing
 *	it)
 * @signature: (out) application: the signature; else empty
 * @epoch: (out) the message's epoch
 * @content_type: (out) &enum mls_content_type
 * @sender_leaf: (out) the sender's leaf index
 * @generation: (out) the ratchet generation of the message
 * @reserved1: must be zero
 */
struct mls_decrypt {
	__u32 flags;
	__u32 reserved0;
	struct mls_buf message;
	struct mls_buf authenticated_data;
	struct mls_buf content;
	struct mls_buf signature;
	__u64 epoch;
	__u32 content_type;
	__u32 sender_leaf;
	__u32 generation;
	__u32 reserved1;
};

#define MLS_DECRYPT_SIZE_VER0	96

/**
 * DOC: MLS_IOC_DECRYPT
 *
 * Context: group fd.
 *
 * Opens a PrivateMessage of the current epoch or of a past epoch still
 * kept. The ratchet key of (sender, generation) is consumed only once the
 * AEAD tag has verified and the outputs and this struct have been copied
 * back: a forged or truncated message, an output buffer too small or a
 * fault anywhere (-EFAULT, copying this struct back included) burns
 * nothing, and a retry can still succeed. A call that fails leaves no
 * plaintext behind: what it wrote to the output buffers is overwritten
 * with zeros (unless they were unmapped meanwhile).
 *
 * A message is delivered once. A call claims its generation once the
 * tag verified, before it writes any output; of several calls decrypting
 * one message at once, one claims it and the others wait for its outcome
 * (interruptibly: see -EINTR below): if it delivers (0 and the plaintext), they get
 * -EALREADY with their buffers untouched; should it fail, the next one
 * proceeds, and the message can still be decrypted.
 *
 * By default the content is opened in a kernel buffer, and only copied to
 * @content once authenticated. With %MLS_DECRYPT_F_ZEROCOPY, a content of
 * a page or more is opened straight into the @content buffer through its
 * pages, pinned for the call (as kTLS's zero-copy receive does), which
 * saves a copy and a wipe of the payload. The trade-offs:
 *
 *  * until the call returns, @content may hold plaintext that is not
 *    authenticated yet: bytes of a forged message, or the key stream of a
 *    generation not yet delivered, visible to other threads and to other
 *    mappings of the same memory (MAP_SHARED). On failure they are
 *    overwritten with zeros before the call returns. Use the flag only
 *    with a buffer nothing else reads during the call;
 *  * the generation is claimed before the AEAD (before the pages are
 *    pinned), so concurrent calls of the same message wait for this one
 *    as above, a forgery included (it releases its claim when its tag
 *    fails). A call whose claim is refused (the message was delivered
 *    meanwhile) checks the tag in a kernel buffer first, so a forgery
 *    still gets -EBADMSG and counts against the sender's breaker. The
 *    claim is held while the pages fault in and the outputs are copied
 *    back: a userfaultfd handler that decrypts the same message while
 *    it resolves a fault of this call waits until a signal;
 *  * as with O_DIRECT, the pages are those mapped when the call began: if
 *    the buffer is unmapped or discarded (munmap(), MADV_DONTNEED) during
 *    the call, the content lands in the old pages, which the kernel frees
 *    without wiping them, and the new mapping does not see it.
 *
 * Any other flag is rejected with -EINVAL, so a program can probe for one.
 *
 * Return: 0, or
 *  * -EINVAL: unknown flags, reserved fields, a message longer than any
 *    the kernel could have made (3 x max_message + padding_block_max +
 *    1024 bytes);
 *  * -EFAULT: a bad address;
 *  * -EINTR: a signal arrived while the call waited for another call
 *    delivering the same message; nothing was consumed or written. With
 *    a handler installed with SA_RESTART the call is restarted instead
 *    (it is safe to repeat) and this is not seen;
 *  * -EBADMSG: malformed bytes (truncated, trailing, non-minimal varint,
 *    wrong version or wire format, another group_id, non-zero padding,
 *    blank or out-of-range sender leaf, own leaf as sender), or
 *    authentication failed;
 *  * -EAGAIN: the message's epoch is not reached yet;
 *  * -EPIPE: the message's epoch is the group's last (%MLS_COMMIT_F_FINAL,
 *    a ReInit), in which no member sends: refused before any key work,
 *    nothing consumed and no breaker counted;
 *  * -EKEYEXPIRED: its epoch is past retention, or the generation fell out
 *    of the out-of-order window;
 *  * -EALREADY: that generation was already consumed (a replay), or was
 *    delivered by another call meanwhile;
 *  * -ERANGE: the generation is beyond the maximum forward distance;
 *  * -ENOSPC: an output buffer is too small; the lengths needed are
 *    written back and nothing was consumed;
 *  * -ECONNREFUSED: the sender's circuit breaker is open (its messages
 *    kept failing authentication in this epoch); refused before any key
 *    work. A sender's breaker is per epoch: forgeries in one epoch do not
 *    refuse its messages in another. After the open time one message is
 *    let through as a probe; only an authenticated outcome (a tag that
 *    verified, or one that failed) resolves it, anything else (a replay,
 *    -ERANGE, -EKEYEXPIRED) lets the next message be the probe;
 *  * -EDQUOT: the sender's first message of the epoch would grow the
 *    secret tree past the group owner's user_max_bytes;
 *  * -ENOBUFS: a %MLS_GROUP_F_PERSISTENT group whose receive-save policy
 *    is strict (%MLS_RECV_SAVE_F_STRICT) has recv_save decrypts that no
 *    saved snapshot holds: export it, %MLS_IOC_GROUP_SAVED, and retry.
 *    Checked once the tag verified: nothing was consumed, and the
 *    outputs hold no plaintext (with %MLS_DECRYPT_F_ZEROCOPY the content
 *    was opened in the caller's buffer and is cleared there, as far as
 *    it can be written). At the bound a replayed message gets -ENOBUFS,
 *    not -EALREADY. %MLS_CMD_RESERVE_LOW goes out with the refusal if
 *    it has not since the last save;
 *  * -ENOENT: the group was destroyed;
 *  * -ENOMEM.
 */
#define MLS_IOC_DECRYPT		_IOWR(MLS_IOC_MAGIC, 0x21, struct mls_decrypt)

/**
 * struct mls_encrypt_entry - one message of %MLS_IOC_ENCRYPT_BATCH
 * @op: (in/out) exactly as the argument of %MLS_IOC_ENCRYPT (the whole
 *	struct, %MLS_ENCRYPT_SIZE_VER1): @op.message.len is the length
 *	written (or, with -ENOSPC, the length needed), @op.epoch and
 *	@op.generation the (epoch, generation) the message used
 * @error: (out) 0 or the negative errno %MLS_IOC_ENCRYPT would have
 *	returned for this message alone
 * @reserved: must be zero
 */
struct mls_encrypt_entry {
	struct mls_encrypt op;
	__s32 error;
	__u32 reserved;
};

/**
 * struct mls_decrypt_entry - one message of %MLS_IOC_DECRYPT_BATCH
 * @op: (in/out) exactly as the argument of %MLS_IOC_DECRYPT
 * @error: (out) 0 or the negative errno %MLS_IOC_DECRYPT would have
 *	returned for this message alone; a signal while the entry waited
 *	for another call is -EINTR here, never restarted
 * @reserved: must be zero
 */
struct mls_decrypt_entry {
	struct mls_decrypt op;
	__s32 error;
	__u32 reserved;
};

/**
 * struct mls_batch - argument of %MLS_IOC_ENCRYPT_BATCH and
 *	%MLS_IOC_DECRYPT_BATCH
 * @flags: (in) must be zero
 * @count: (in) entries at @entries, 1 to the module parameter max_batch
 *	(default 64; never more than 4096, whatever max_batch says)
 * @entries: (in) address of @count struct mls_encrypt_entry (encrypt) or
 *	struct mls_decrypt_entry (decrypt), read and written back one by one
 * @entry_size: (in) sizeof() of one entry: must be the kernel's exactly
 * @done: (out) entries whose @error was written back: entries 0 to
 *	@done - 1 each hold their own result; entries from @done on were
 *	not used, and no generation was taken for them, except for entry
 *	@done when @lost is 1
 * @lost: (out) 1 if entry @done was sealed (its generation used) but
 *	could not be written back; else 0 (encrypt only)
 * @lost_generation: (out) with @lost: that entry's generation
 * @lost_epoch: (out) with @lost: that entry's epoch
 */
struct mls_batch {
	__u32 flags;
	__u32 count;
	__u64 entries;
	__u32 entry_size;
	__u32 done;
	__u32 lost;
	__u32 lost_generation;
	__u64 lost_epoch;
};

#define MLS_BATCH_SIZE_VER0	40

/**
 * DOC: MLS_IOC_ENCRYPT_BATCH
 *
 * Context: group fd.
 *
 * Protects up to max_batch messages in one call, each exactly as
 * %MLS_IOC_ENCRYPT would on its own, in order: its own checks, its own
 * epoch (a commit between two entries moves the later ones to the new
 * epoch, or fails them with -ESTALE under %MLS_ENCRYPT_F_EPOCH), its own
 * generation and its own result in @error. One entry's failure does not
 * stop the others: every entry it could read gets a result. Each
 * (epoch, leaf, generation) is used exactly once, whatever the threads
 * and batches on the group. An entry that failed used no generation,
 * with two exceptions that skip one (a gap, never a reuse): -EFAULT
 * when its sealed message could not be written to @op.message, and
 * -ENOMEM when sealing failed after its key was taken. -EFAULT does
 * not tell a fault on the message from one on the content, the
 * authenticated data or the signature, which use no generation.
 *
 * The call stops at the first entry it cannot read or write back, like
 * a short write: it returns, and @done holds, the number of entries that
 * hold a result; the entries from there on were not used. An entry is
 * checked writable before its message is sealed; should it still fail
 * to be written back (unmapped meanwhile), its generation is reported in
 * @lost, @lost_epoch and @lost_generation: a gap, never a reuse, and
 * never silent, as long as the struct itself can be written back (the
 * caller keeps it mapped). A fatal signal stops the call the same way,
 * between two entries.
 *
 * Return: the number of entries that hold a result (@count, unless entry
 * @done could not be read or written back; look at each @error), or
 *  * -EINVAL: flags, @count 0 or above max_batch, @entry_size not
 *    sizeof(struct mls_encrypt_entry); nothing done;
 *  * -EFAULT: the struct itself could not be read or written back.
 */
#define MLS_IOC_ENCRYPT_BATCH	_IOWR(MLS_IOC_MAGIC, 0x30, struct mls_batch)

/**
 * DOC: MLS_IOC_DECRYPT_BATCH
 *
 * Context: group fd.
 *
 * Opens up to max_batch messages in one call, each exactly as
 * %MLS_IOC_DECRYPT would on its own, with its own result in @error. A
 * message's generation is consumed only once its entry was written back
 * with @error 0; an entry that failed, or could not be written back,
 * consumes nothing and leaves no plaintext behind (as %MLS_IOC_DECRYPT).
 * The same message twice in one batch: the first is delivered, the
 * second gets -EALREADY.
 *
 * Return: as %MLS_IOC_ENCRYPT_BATCH, with sizeof(struct
 * mls_decrypt_entry); @lost is always 0.
 */
#define MLS_IOC_DECRYPT_BATCH	_IOWR(MLS_IOC_MAGIC, 0x31, struct mls_batch)

/* Flags of struct mls_commit. */
#define MLS_COMMIT_F_INSTALL		(1U << 0)
#define MLS_COMMIT_F_RETURN_SECRETS	(1U << 1)
#define MLS_COMMIT_F_EXTERNAL_INIT	(1U << 2) /* init_secret from @kem_output */
#define MLS_COMMIT_F_OWN_PATH		(1U << 3) /* own commit, fresh UpdatePath */
#define MLS_COMMIT_F_FINAL		(1U << 4) /* the new epoch is the last (ReInit) */
#define MLS_COMMIT_F_ALL		(MLS_COMMIT_F_INSTALL | MLS_COMMIT_F_RETURN_SECRETS | \
					 MLS_COMMIT_F_EXTERNAL_INIT | MLS_COMMIT_F_OWN_PATH | \
					 MLS_COMMIT_F_FINAL)

#define MLS_MAX_KEM_OUTPUT_LEN	256

/**
 * struct mls_commit - argument of %MLS_IOC_COMMIT and %MLS_IOC_COMMIT_PREPARE
 * @flags: (in) %MLS_COMMIT_F_*
 * @reserved0: must be zero
 * @commit_secret: (in) Nh bytes, or empty for Nh zeros
 * @psk_secret: (in) Nh bytes, or empty for Nh zeros; not with @psks
 * @encryption_secret: (in) with %MLS_COMMIT_F_INSTALL: Nh bytes
 * @sender_data_secret: (in) with %MLS_COMMIT_F_INSTALL: Nh bytes
 * @context: (in) the new epoch's GroupContext fields; @context.epoch must
 *	be the current epoch + 1
 * @roster: (in) the new epoch's roster; own_leaf must not change
 * @joiner_secret: (out) with %MLS_COMMIT_F_RETURN_SECRETS: Nh bytes
 * @welcome_secret: (out) with %MLS_COMMIT_F_RETURN_SECRETS: Nh bytes
 * @psks: (in) the Commit's PSKs (struct mls_psk_list), in place of
 *	@psk_secret
 * @kem_output: (in) with %MLS_COMMIT_F_EXTERNAL_INIT: the ExternalInit
 *	proposal's kem_output (§12.4.3.2). The kernel decapsulates it with
 *	the current epoch's external private key and the HPKE exporter
 *	result, not the current init_secret, keys the new epoch (§8.3).
 *	Else empty.
 */
struct mls_commit {
	__u32 flags;
	__u32 reserved0;
	struct mls_buf commit_secret;
	struct mls_buf psk_secret;
	struct mls_buf encryption_secret;
	struct mls_buf sender_data_secret;
	struct mls_group_context context;
	struct mls_roster roster;
	struct mls_buf joiner_secret;
	struct mls_buf welcome_secret;
	struct mls_psk_list psks;
	struct mls_buf kem_output;
};

#define MLS_COMMIT_SIZE_VER0	184
#define MLS_COMMIT_SIZE_VER1	216	/* + psks, kem_output */

/**
 * DOC: MLS_IOC_COMMIT
 *
 * Context: group fd.
 *
 * Moves the group to the next epoch at once: %MLS_IOC_COMMIT_PREPARE then
 * %MLS_IOC_COMMIT_MERGE in one call. Its secrets come from the key
 * schedule (§8) on the current init_secret, @commit_secret, the
 * psk_secret (@psk_secret or @psks) and the new GroupContext, or with
 * %MLS_COMMIT_F_INSTALL from the given secrets. The previous epoch stays
 * for decryption only (GRACE) within the group's retention policy; its
 * sending keys, its init_secret, exporter secret, epoch_authenticator,
 * confirmation key and external secret are erased (its membership key
 * and resumption_psk stay as long as the epoch does). One commit wins
 * per epoch: the loser of two concurrent commits gets -EBUSY, and a
 * commit built on an old epoch -ESTALE.
 *
 * %MLS_COMMIT_F_RETURN_SECRETS writes back the joiner_secret and
 * welcome_secret, which a control plane must put in a Welcome: the only
 * secrets that ever leave the kernel, and only on request.
 *
 * %MLS_COMMIT_F_OWN_PATH is the caller's promise that this is the
 * group's own Commit and that it carries an UpdatePath it has just
 * generated, so that @commit_secret is fresh: no other copy of this
 * member (a lost newer state it was restored from) can know it. A group
 * imported without %MLS_IMPORT_F_RESUME (or with
 * %MLS_IMPORT_F_RECEIVE_ONLY) does not send in any epoch it reaches by
 * a commit without this flag: another copy may have merged the same
 * commit and sent in that epoch with the same secrets. The first epoch
 * merged with the flag sends again. The flag changes nothing else.
 *
 * %MLS_COMMIT_F_FINAL says that the Commit carries a ReInit (RFC 9420
 * §12.1.5, §11.2): the epoch it starts is the group's last. Once that
 * epoch is current (merged), no member may send in the group any more
 * (§12.4.2: the client "MUST NOT use the group to send messages
 * anymore"), and the kernel holds every holder of a group fd to it:
 * %MLS_IOC_ENCRYPT and each entry of %MLS_IOC_ENCRYPT_BATCH fail with
 * -EPIPE for every content type, and so do %MLS_IOC_COMMIT,
 * %MLS_IOC_COMMIT_PREPARE and %MLS_IOC_MEMBERSHIP_TAG in that epoch (a
 * PublicMessage's tag); a PrivateMessage of the last epoch, which no
 * member may have sent, is refused by %MLS_IOC_DECRYPT with -EPIPE
 * before any key is used. Messages of the earlier epochs still kept
 * decrypt as before. The last epoch keeps what the reinitialization
 * needs: its resumption_psk, which the new group's first epoch takes
 * as a PSK of usage reinit (struct mls_psk, from this group fd or its
 * kernel id), its exporter, epoch_authenticator and GroupContext. The
 * merge erases the rest of it: its secret tree, sender_data_secret,
 * membership_key, confirmation_key and external_secret, and the
 * init_secret no commit will use; so %MLS_IOC_CONFIRMATION_TAG and
 * %MLS_IOC_EXTERNAL_PUB of that epoch are -EPIPE too (a prepared
 * FINAL commit still gives its confirmation tag with
 * %MLS_TAG_F_PENDING, which its Commit carries, but no external_pub:
 * no one joins the last epoch). A member receiving a FINAL Commit
 * therefore verifies its confirmation tag before the merge: prepare,
 * %MLS_IOC_CONFIRMATION_TAG with %MLS_TAG_F_PENDING and
 * %MLS_TAG_F_VERIFY, then merge (a one-shot %MLS_IOC_COMMIT leaves no
 * key to verify it with afterwards). The group reports
 * %MLS_GROUP_STATE_ENDED, and a snapshot keeps it ended, holding only
 * what the last epoch keeps.
 * Nothing is sent in that epoch: not even a message whose key was
 * taken before the merge can be sealed in it, since its sending keys
 * are never handed out. A ReInit is the only proposal of its Commit,
 * which adds nobody and is not an external commit: the flag with
 * %MLS_COMMIT_F_RETURN_SECRETS or %MLS_COMMIT_F_EXTERNAL_INIT is
 * -EINVAL; so is it with %MLS_COMMIT_F_INSTALL, whose epoch has no
 * resumption_psk or exporter to keep. A module that accepts the flag reports
 * %MLS_FEATURE_COMMIT_FINAL; one that does not know it refuses it with
 * -EINVAL, so a program sets it only when the feature bit is reported
 * (a member of a ReInit on an older module still follows the group,
 * which is then not ended in the kernel).
 *
 * A call that fails has changed nothing: the outputs are written before
 * the epoch moves, and a failure to copy the struct back undoes nothing
 * because the move is the last step.
 *
 * Return: 0, or
 *  * -EINVAL: flags, reserved fields, secret lengths, context fields too
 *    long, roster invalid or own_leaf changed, INSTALL with
 *    RETURN_SECRETS or EXTERNAL_INIT, FINAL with RETURN_SECRETS,
 *    EXTERNAL_INIT or INSTALL, output buffers given without
 *    RETURN_SECRETS, both @psk_secret and @psks, @kem_output without
 *    EXTERNAL_INIT or of the wrong length;
 *  * -EPIPE: the current epoch is the group's last (a commit with
 *    %MLS_COMMIT_F_FINAL was merged): no commit follows it;
 *  * the errors of struct mls_psk_list;
 *  * -EFAULT: a bad address;
 *  * -ESTALE: @context.epoch is not the current epoch + 1;
 *  * -EBUSY: another commit of this group is in progress, or pending;
 *  * -EOVERFLOW: the epoch counter is exhausted;
 *  * -ENODATA: a key-schedule commit on an epoch that was installed
 *    (%MLS_GROUP_F_INSTALL or %MLS_COMMIT_F_INSTALL): there is no
 *    init_secret (or external secret) to run the schedule from;
 *  * -EOPNOTSUPP: EXTERNAL_INIT in a suite whose KEM the kernel lacks
 *    (4, 5, 6: X448 and P-521);
 *  * -EBADMSG: EXTERNAL_INIT with a @kem_output that is not a valid
 *    public key;
 *  * -ENOSPC: an output buffer is smaller than Nh (its len is set to Nh;
 *    the commit was not applied);
 *  * -EDQUOT: the new epoch (its GroupContext and roster) would pass the
 *    group owner's user_max_bytes; the commit was not applied;
 *  * -ENOENT: the group was destroyed;
 *  * -EINTR: a signal came while it waited for another commit operation
 *    of the group to finish staging;
 *  * -ENOMEM: out of memory, or the caller's memory cgroup is full.
 */
#define MLS_IOC_COMMIT		_IOWR(MLS_IOC_MAGIC, 0x22, struct mls_commit)

/**
 * DOC: MLS_IOC_COMMIT_PREPARE
 *
 * Context: group fd. Argument: struct mls_commit.
 *
 * Stages the next epoch from the same inputs as %MLS_IOC_COMMIT, without
 * moving the group: it keeps encrypting and decrypting in its current
 * epoch, while the pending epoch can be asked for its confirmation tag
 * (%MLS_IOC_CONFIRMATION_TAG with %MLS_TAG_F_PENDING) and its external
 * public key. %MLS_IOC_COMMIT_MERGE then makes it current, as
 * %MLS_IOC_COMMIT would have; %MLS_IOC_COMMIT_DISCARD erases it.
 *
 * A committer prepares its own Commit, sends it, and merges once the
 * delivery service accepted it or discards it when another Commit won; a
 * receiver prepares from a received Commit, verifies its confirmation tag
 * against the pending epoch, and merges.
 *
 * A group has at most one pending commit. One that is neither merged nor
 * discarded within the group's commit_timeout_ms (policy) is discarded by
 * the kernel (an %MLS_CMD_COMMIT_DISCARDED event with %MLS_A_ERROR
 * ETIMEDOUT); destroy and module unload discard it too.
 *
 * Return: as %MLS_IOC_COMMIT; -EBUSY also when a commit is pending.
 */
#define MLS_IOC_COMMIT_PREPARE	_IOWR(MLS_IOC_MAGIC, 0x29, struct mls_commit)

/**
 * struct mls_commit_pending - argument of %MLS_IOC_COMMIT_MERGE and
 *	%MLS_IOC_COMMIT_DISCARD
 * @flags: (in) must be zero
 * @reserved0: must be zero
 * @epoch: (in) the pending epoch (the prepared @context.epoch): the
 *	operation is refused unless that is the epoch pending
 */
struct mls_commit_pending {
	__u32 flags;
	__u32 reserved0;
	__u64 epoch;
};

#define MLS_COMMIT_PENDING_SIZE_VER0 16

/**
 * DOC: MLS_IOC_COMMIT_MERGE
 *
 * Context: group fd.
 *
 * Makes the pending epoch current, exactly as %MLS_IOC_COMMIT does:
 * retention, erasure, events, counters.
 *
 * Return: 0, or
 *  * -EINVAL: flags, reserved;
 *  * -ETIMEDOUT: @epoch was pending and the kernel discarded it at its
 *    timeout (also when the timeout has passed and the worker has not
 *    run yet: the pending epoch is discarded then);
 *  * -ESTALE: a different epoch is pending;
 *  * -ENOENT: nothing is pending (never prepared, merged or discarded
 *    already), or the group was destroyed;
 *  * -EINTR: a signal came while waiting for a running commit operation.
 */
#define MLS_IOC_COMMIT_MERGE	_IOW(MLS_IOC_MAGIC, 0x2a, struct mls_commit_pending)

/**
 * DOC: MLS_IOC_COMMIT_DISCARD
 *
 * Context: group fd.
 *
 * Erases the pending epoch's secrets; nothing else changes.
 *
 * Return: 0, or as %MLS_IOC_COMMIT_MERGE.
 */
#define MLS_IOC_COMMIT_DISCARD	_IOW(MLS_IOC_MAGIC, 0x2b, struct mls_commit_pending)

/* Flags of struct mls_tag. */
#define MLS_TAG_F_VERIFY	(1U << 0) /* compare with @tag, do not return it */
#define MLS_TAG_F_PENDING	(1U << 1) /* confirmation: the pending epoch */
#define MLS_TAG_F_EPOCH		(1U << 2) /* membership: the epoch in @epoch */
#define MLS_TAG_F_ALL		(MLS_TAG_F_VERIFY | MLS_TAG_F_PENDING | MLS_TAG_F_EPOCH)

/**
 * struct mls_tag - argument of %MLS_IOC_CONFIRMATION_TAG and
 *	%MLS_IOC_MEMBERSHIP_TAG
 * @flags: (in) %MLS_TAG_F_*
 * @reserved0: must be zero
 * @epoch: (in) with %MLS_TAG_F_EPOCH, the epoch; (out) the epoch used
 * @data: (in) membership: the AuthenticatedContentTBM (§6.2), 1 to
 *	the module's max_message bytes; confirmation: empty
 * @tag: (out) the tag, Nh bytes; (in) with %MLS_TAG_F_VERIFY, the tag to
 *	check
 */
struct mls_tag {
	__u32 flags;
	__u32 reserved0;
	__u64 epoch;
	struct mls_buf data;
	struct mls_buf tag;
};

#define MLS_TAG_SIZE_VER0 48

/**
 * DOC: MLS_IOC_CONFIRMATION_TAG
 *
 * Context: group fd.
 *
 * confirmation_tag = MAC(confirmation_key, confirmed_transcript_hash)
 * (§6.1, §8.1) of the current epoch, or with %MLS_TAG_F_PENDING of the
 * pending one; the confirmed_transcript_hash is the one given in that
 * epoch's GroupContext. A committer puts the pending epoch's tag in its
 * Commit; a receiver verifies a Commit's tag against the epoch it
 * prepared from it, and a joiner the GroupInfo's against its new group.
 * Only the current and the pending epoch have a confirmation key.
 *
 * With %MLS_TAG_F_VERIFY the kernel compares @tag in constant time and
 * returns 0 or -EBADMSG (counted in tag_failures).
 *
 * Return: 0, or
 *  * -EINVAL: flags (%MLS_TAG_F_EPOCH is not for this ioctl), reserved,
 *    @data not empty;
 *  * -EBADMSG: with %MLS_TAG_F_VERIFY, the tag differs (or is not Nh
 *    bytes);
 *  * -ENOSPC: @tag smaller than Nh (its len is set);
 *  * -ENOENT: %MLS_TAG_F_PENDING and no commit is pending, or the group
 *    was destroyed;
 *  * -ENODATA: an installed epoch (it has no confirmation key);
 *  * -EPIPE: without %MLS_TAG_F_PENDING, the current epoch is the
 *    group's last (%MLS_COMMIT_F_FINAL merged), whose confirmation key
 *    was erased at the merge;
 *  * -EFAULT, -ENOMEM.
 */
#define MLS_IOC_CONFIRMATION_TAG _IOWR(MLS_IOC_MAGIC, 0x2c, struct mls_tag)

/**
 * DOC: MLS_IOC_MEMBERSHIP_TAG
 *
 * Context: group fd.
 *
 * membership_tag = MAC(membership_key, AuthenticatedContentTBM) (§6.2) of
 * a PublicMessage from a member, with the current epoch's key or, with
 * %MLS_TAG_F_EPOCH, the key of any epoch still kept (a late proposal
 * belongs to a past epoch). The bytes in @data are public: the caller
 * encodes them. With %MLS_TAG_F_VERIFY, compared in constant time.
 *
 * Return: 0, or
 *  * -EINVAL: flags (%MLS_TAG_F_PENDING is not for this ioctl), reserved,
 *    @data empty or longer than max_message;
 *  * -EBADMSG: with %MLS_TAG_F_VERIFY, the tag differs (counted in
 *    tag_failures);
 *  * -EKEYEXPIRED, -EAGAIN: an epoch no longer kept, or not reached;
 *  * -EPIPE: the epoch is the group's last (%MLS_COMMIT_F_FINAL, a
 *    ReInit): no member sends a PublicMessage there, so the tag is
 *    neither made nor checked;
 *  * -ENOSPC, -ENODATA, -ENOENT, -EFAULT, -ENOMEM: as
 *    %MLS_IOC_CONFIRMATION_TAG.
 */
#define MLS_IOC_MEMBERSHIP_TAG	_IOWR(MLS_IOC_MAGIC, 0x2d, struct mls_tag)

/* Flags of struct mls_external_pub. */
#define MLS_EXTERNAL_PUB_F_PENDING (1U << 0) /* of the pending epoch */

/**
 * struct mls_external_pub - argument of %MLS_IOC_EXTERNAL_PUB
 * @flags: (in) %MLS_EXTERNAL_PUB_F_PENDING
 * @reserved0: must be zero
 * @epoch: (out) the epoch
 * @pub: (out) the epoch's external_pub: the KEM public key, serialized
 *	as RFC 9180 SerializePublicKey does (X25519: 32 bytes; P-256: 65;
 *	P-384: 97)
 */
struct mls_external_pub {
	__u32 flags;
	__u32 reserved0;
	__u64 epoch;
	struct mls_buf pub;
};

#define MLS_EXTERNAL_PUB_SIZE_VER0 32

/**
 * DOC: MLS_IOC_EXTERNAL_PUB
 *
 * Context: group fd.
 *
 * The external_pub of the current (or pending) epoch: the public half of
 * DeriveKeyPair(external_secret) (§8.3), which a GroupInfo's external_pub
 * extension carries so that a new member can join by an external commit.
 * The private half never leaves the kernel; %MLS_COMMIT_F_EXTERNAL_INIT
 * uses it.
 *
 * The KEMs come from the kernel's crypto API: DHKEM(X25519) for suites 1
 * and 3, DHKEM(P-256) for 2, DHKEM(P-384) for 7. Suites 4, 5 and 6
 * (X448, P-521) get -EOPNOTSUPP.
 *
 * Return: 0, or -EINVAL (flags, reserved), -EOPNOTSUPP, -ENODATA (an
 * installed epoch), -ENOSPC (@pub too small; len set), -ENOENT (nothing
 * pending with %MLS_EXTERNAL_PUB_F_PENDING, or a destroyed group),
 * -EPIPE (the epoch is the group's last, current or pending: a commit
 * with %MLS_COMMIT_F_FINAL, after which no one joins; its
 * external_secret is erased at the merge), -EFAULT, -ENOMEM.
 */
#define MLS_IOC_EXTERNAL_PUB	_IOWR(MLS_IOC_MAGIC, 0x2e, struct mls_external_pub)

/**
 * struct mls_exporter - argument of %MLS_IOC_EXPORTER
 * @flags: (in) must be zero
 * @reserved0: must be zero
 * @epoch: (out) the epoch the value belongs to
 * @label: (in) the exporter label, up to %MLS_MAX_LABEL_LEN bytes
 * @context: (in) the exporter context, up to %MLS_MAX_EXTENSIONS_LEN bytes
 * @secret: (in) @secret.len is the Length asked for, 1 to
 *	%MLS_MAX_EXPORTER_LEN; (out) that many bytes of
 *	MLS-Exporter(label, context, length)
 */
struct mls_exporter {
	__u32 flags;
	__u32 reserved0;
	__u64 epoch;
	struct mls_buf label;
	struct mls_buf context;
	struct mls_buf secret;
};

#define MLS_EXPORTER_SIZE_VER0	64

/**
 * DOC: MLS_IOC_EXPORTER
 *
 * Context: group fd.
 *
 * MLS-Exporter(Label, Context, Length) of the current epoch (§8.5).
 *
 * Return: 0, or -EINVAL (flags, reserved, lengths), -EFAULT, -ENODATA
 * (the epoch was installed without an exporter secret), -ENOENT, -ENOMEM.
 */
#define MLS_IOC_EXPORTER	_IOWR(MLS_IOC_MAGIC, 0x23, struct mls_exporter)

/**
 * struct mls_authenticator - argument of %MLS_IOC_EPOCH_AUTHENTICATOR
 * @flags: (in) must be zero
 * @reserved0: must be zero
 * @epoch: (out) the current epoch
 * @authenticator: (out) the epoch_authenticator, Nh bytes
 */
struct mls_authenticator {
	__u32 flags;
	__u32 reserved0;
	__u64 epoch;
	struct mls_buf authenticator;
};

#define MLS_AUTHENTICATOR_SIZE_VER0 32

/**
 * DOC: MLS_IOC_EPOCH_AUTHENTICATOR
 *
 * Context: group fd.
 *
 * The current epoch's epoch_authenticator (§8.7), a public value members
 * compare out of band.
 *
 * Return: 0, or -EINVAL, -EFAULT, -ENOSPC (@authenticator.len set to Nh),
 * -ENODATA (installed epoch), -ENOENT.
 */
#define MLS_IOC_EPOCH_AUTHENTICATOR _IOWR(MLS_IOC_MAGIC, 0x24, struct mls_authenticator)

/**
 * struct mls_policy - a group's policy
 * @out_of_order: per sender and ratchet, how many skipped generations are
 *	kept for late messages
 * @max_forward: how far ahead of the next expected generation a message
 *	may be (-ERANGE beyond)
 * @epochs_kept: past epochs kept for decryption
 * @epoch_max_age_ms: a past epoch is erased this long after it was left
 *	(the grace period); 0: no age limit, which only a module without a
 *	cap (epoch_max_age_ms_max = 0) accepts: under a finite cap 0 is
 *	refused like any value above it
 * @padding_block: content is zero-padded to a multiple of this many bytes
 *	(0 or 1: no padding)
 * @encrypt_rate: messages per second this member may encrypt (the
 *	group's own event-buffer endpoint); 0: no limit
 * @encrypt_burst: how many messages may go at once above the rate
 * @commit_timeout_ms: a pending commit (%MLS_IOC_COMMIT_PREPARE) not
 *	merged or discarded within this time is discarded; 1 to the module
 *	cap commit_timeout_ms_max
 *
 * Module parameters give the defaults and the hard caps (see
 * Documentation/admin-guide/module-parameters.rst).
 */
struct mls_policy {
	__u32 out_of_order;
	__u32 max_forward;
	__u32 epochs_kept;
	__u32 epoch_max_age_ms;
	__u32 padding_block;
	__u32 encrypt_rate;
	__u32 encrypt_burst;
	__u32 commit_timeout_ms;
};

/*
 * Group states (struct mls_group_info.state, the group's sysfs "state"
 * and its netlink dump, which agree). A group reports SHUTTING_DOWN while
 * the module is drained (%MLS_IOC_DRAIN), else ENDED once its current
 * epoch is its last (a commit with %MLS_COMMIT_F_FINAL merged: a ReInit
 * ended it, for good), else ACTIVE. DESTROYED is seen only in sysfs and
 * the dump, for a group being torn down: its fds already answer
 * -ENOENT.
 */
#define MLS_GROUP_STATE_ACTIVE		1
#define MLS_GROUP_STATE_SHUTTING_DOWN	2
#define MLS_GROUP_STATE_DESTROYED	3
#define MLS_GROUP_STATE_ENDED		4

/**
 * struct mls_group_info - argument of %MLS_IOC_GROUP_INFO
 * @flags: (in) must be zero
 * @id: (out) kernel id
 * @suite: (out) ciphersuite
 * @mode: (out) permission bits
 * @state: (out) MLS_GROUP_STATE_*
 * @own_leaf: (out) this member's leaf
 * @leaf_count: (out) leaves of the current epoch
 * @epoch: (out) current epoch
 * @oldest_epoch: (out) the oldest epoch still kept for decryption
 * @owner_uid: (out) owner
 * @owner_gid: (out) owner group
 * @group_flags: (out) the %MLS_GROUP_F_* it was made with
 * @reserved0: must be zero
 * @policy: (out) the group's policy
 * @group_id: (out) the MLS group_id
 * @recv_save: (out) since %MLS_GROUP_INFO_SIZE_VER1: the receive-save
 *	policy's N (%MLS_POLICY_RECV_SAVE; 0: off)
 * @recv_save_flags: (out) its MLS_RECV_SAVE_F_*
 * @recv_unsaved: (out) a %MLS_GROUP_F_PERSISTENT group's decrypts that
 *	no saved snapshot holds yet (those in flight included); 0 for
 *	another group
 */
struct mls_group_info {
	__u32 flags;
	__u32 id;
	__u16 suite;
	__u16 mode;
	__u32 state;
	__u32 own_leaf;
	__u32 leaf_count;
	__u64 epoch;
	__u64 oldest_epoch;
	__u32 owner_uid;
	__u32 owner_gid;
	__u32 group_flags;
	__u32 reserved0;
	struct mls_policy policy;
	struct mls_buf group_id;
	__u32 recv_save;
	__u32 recv_save_flags;
	__u64 recv_unsaved;
};

#define MLS_GROUP_INFO_SIZE_VER0 104
#define MLS_GROUP_INFO_SIZE_VER1 120	/* + recv_save, recv_unsaved */

/**
 * DOC: MLS_IOC_GROUP_INFO
 *
 * Context: group fd.
 *
 * Return: 0, or -EINVAL, -EFAULT, -ENOSPC (@group_id too small; its len
 * is set), -ENOENT.
 */
#define MLS_IOC_GROUP_INFO	_IOWR(MLS_IOC_MAGIC, 0x25, struct mls_group_info)

#define MLS_CONTEXT_F_EPOCH	(1U << 0)

/**
 * struct mls_get_context - argument of %MLS_IOC_GET_CONTEXT
 * @flags: (in) %MLS_CONTEXT_F_EPOCH to name a past epoch in @epoch;
 *	without it, the current epoch
 * @reserved0: must be zero
 * @epoch: (in/out) the epoch
 * @context: (out) the encoded GroupContext of that epoch
 */
struct mls_get_context {
	__u32 flags;
	__u32 reserved0;
	__u64 epoch;
	struct mls_buf context;
};

#define MLS_GET_CONTEXT_SIZE_VER0 32

/**
 * DOC: MLS_IOC_GET_CONTEXT
 *
 * Context: group fd.
 *
 * The encoded GroupContext of the current epoch or of a kept past epoch:
 * what userspace appends to FramedContentTBS to sign or verify (§6.1).
 *
 * Return: 0, or -EINVAL, -EFAULT, -ENOSPC (len set), -EAGAIN (a future
 * epoch), -EKEYEXPIRED (an epoch no longer kept), -ENOENT.
 */
#define MLS_IOC_GET_CONTEXT	_IOWR(MLS_IOC_MAGIC, 0x26, struct mls_get_context)

/* Which fields of struct mls_set_policy.policy to set. */
#define MLS_POLICY_OUT_OF_ORDER		(1U << 0)
#define MLS_POLICY_MAX_FORWARD		(1U << 1)
#define MLS_POLICY_EPOCHS_KEPT		(1U << 2)
#define MLS_POLICY_EPOCH_MAX_AGE	(1U << 3)
#define MLS_POLICY_PADDING_BLOCK	(1U << 4)
#define MLS_POLICY_ENCRYPT_RATE		(1U << 5) /* rate and burst together */
#define MLS_POLICY_COMMIT_TIMEOUT	(1U << 6)
/* struct mls_set_policy.recv_save and recv_save_flags together */
#define MLS_POLICY_RECV_SAVE		(1U << 7)
#define MLS_POLICY_ALL			0xff

/*
 * Flags of struct mls_set_policy.recv_save_flags: with STRICT, decrypt
 * refuses (-ENOBUFS) a message that would leave more than recv_save
 * decrypts out of every saved snapshot.
 */
#define MLS_RECV_SAVE_F_STRICT		(1U << 0)
#define MLS_RECV_SAVE_F_ALL		MLS_RECV_SAVE_F_STRICT

/**
 * struct mls_set_policy - argument of %MLS_IOC_SET_POLICY
 * @flags: (in) must be zero
 * @mask: (in) MLS_POLICY_* fields to set; the others keep their value
 * @policy: (in) the values
 * @recv_save: (in) since %MLS_SET_POLICY_SIZE_VER1, with
 *	%MLS_POLICY_RECV_SAVE: the receive-save policy of a
 *	%MLS_GROUP_F_PERSISTENT group, N: once N messages were decrypted
 *	that no saved snapshot holds, %MLS_CMD_RESERVE_LOW asks for an
 *	export (with %MLS_RECV_SAVE_F_STRICT: once half of them, rounded
 *	up, were), once per save: a save that leaves as many unsaved, or
 *	a policy set when as many are, asks again at once. 0: off (the
 *	default, and the only value another group takes)
 * @recv_save_flags: (in) MLS_RECV_SAVE_F_*; zero when @recv_save is 0
 *
 * The policy bounds what a restore of the newest saved snapshot decrypts
 * a second time (Documentation/admin-guide/persistence.rst, "The replay
 * bound"): with %MLS_RECV_SAVE_F_STRICT, at most @recv_save messages.
 * A struct of %MLS_SET_POLICY_SIZE_VER0 reads @recv_save and
 * @recv_save_flags as zero: %MLS_POLICY_RECV_SAVE (or %MLS_POLICY_ALL of
 * this header) with it turns the policy off; so does %MLS_POLICY_ALL
 * with a zero @recv_save at %MLS_SET_POLICY_SIZE_VER1 (libmls's
 * mls_group_set_policy() leaves the bit out for that reason). A program
 * built against the old header passes the old %MLS_POLICY_ALL (0x7f) and
 * leaves it as is.
 */
struct mls_set_policy {
	__u32 flags;
	__u32 mask;
	struct mls_policy policy;
	__u32 recv_save;
	__u32 recv_save_flags;
};

#define MLS_SET_POLICY_SIZE_VER0 40
#define MLS_SET_POLICY_SIZE_VER1 48	/* + recv_save, recv_save_flags */

/**
 * DOC: MLS_IOC_SET_POLICY
 *
 * Context: group fd.
 *
 * Sets policy fields; each takes effect at the next operation that reads
 * it (a smaller epochs_kept or epoch_max_age_ms erases past epochs at
 * once).
 *
 * Return: 0, or -EINVAL (flags, unknown mask bits, a value above its
 * module cap, epoch_max_age_ms 0 under a finite epoch_max_age_ms_max,
 * reserved, unknown recv_save_flags, recv_save_flags without recv_save,
 * a non-zero recv_save on a group that is not %MLS_GROUP_F_PERSISTENT),
 * -EFAULT, -ENOENT.
 */
#define MLS_IOC_SET_POLICY	_IOW(MLS_IOC_MAGIC, 0x27, struct mls_set_policy)

/**
 * struct mls_group_destroy - argument of %MLS_IOC_GROUP_DESTROY
 * @flags: (in) must be zero
 * @reserved: must be zero
 */
struct mls_group_destroy {
	__u32 flags;
	__u32 reserved;
};

#define MLS_GROUP_DESTROY_SIZE_VER0 8

/**
 * DOC: MLS_IOC_GROUP_DESTROY
 *
 * Context: group fd.
 *
 * Destroys the group: it leaves the registry, every secret is erased, and
 * every operation on any of its fds then fails with -ENOENT.
 *
 * Return: 0, or -EINVAL, -EFAULT, -ENOENT (already destroyed).
 */
#define MLS_IOC_GROUP_DESTROY	_IOW(MLS_IOC_MAGIC, 0x28, struct mls_group_destroy)

/*
 * Persistence
 * ===========
 *
 * A group can be exported as one sealed snapshot and imported back, in
 * this module or after it was unloaded and loaded again
 * (Documentation/admin-guide/persistence.rst). The snapshot is sealed
 * with AES-256-GCM under a key derived from a kernel keyring key that the
 * administrator names with the module parameter seal_key (a "logon",
 * "encrypted" or "trusted" key; never a "user" key, whose payload can be
 * read back). Userspace stores the sealed bytes; it cannot read them.
 *
 * A snapshot holds the merged state only: a pending commit
 * (%MLS_IOC_COMMIT_PREPARE) is not in it.
 */

/*
 * The newest version of the snapshot format. 2 adds a persistent group's
 * receive-save policy; 3 the mark of a group's last epoch
 * (%MLS_COMMIT_F_FINAL). %MLS_IOC_GROUP_EXPORT writes the lowest version
 * that holds the group: 3 for a group a ReInit ended, else 2 for a group
 * whose policy is set (%MLS_POLICY_RECV_SAVE with a non-zero recv_save),
 * else 1, so that a module that reads an older version only takes the
 * snapshot of any group that version can hold, and refuses an ended
 * group (-EPROTONOSUPPORT) rather than bring it back as a live one.
 * %MLS_IOC_GROUP_IMPORT takes all three (version 1: the policy off;
 * versions 1 and 2: not ended).
 */
#define MLS_SNAPSHOT_VERSION	3
/* Largest snapshot %MLS_IOC_GROUP_IMPORT reads. */
#define MLS_MAX_SNAPSHOT_LEN	(64U << 20)

/**
 * struct mls_group_export - argument of %MLS_IOC_GROUP_EXPORT
 * @flags: (in) must be zero
 * @reserved: must be zero
 * @seq: (out) the snapshot's sequence number: per group, increasing
 *	with each export (and carried on by an import)
 * @epoch: (out) the current epoch the snapshot holds
 * @snapshot: (in) capacity, (out) the sealed snapshot; with -ENOSPC,
 *	@snapshot.len is the size needed (at the time of the call)
 */
struct mls_group_export {
	__u32 flags;
	__u32 reserved;
	__u64 seq;
	__u64 epoch;
	struct mls_buf snapshot;
};

#define MLS_GROUP_EXPORT_SIZE_VER0 40

/**
 * DOC: MLS_IOC_GROUP_EXPORT
 *
 * Context: group fd; the caller's fsuid must be the group's owner, or it
 * must have CAP_SYS_ADMIN. The sealing key is looked up in the caller's
 * keyrings (thread, process, session, user), by the description in the
 * module parameter seal_key; it must be owned by root.
 *
 * Writes one sealed snapshot of the group: its metadata (group_id,
 * suite, own leaf, owner, mode, flags, policy), its init_secret for the
 * next commit, and every epoch it keeps (the current one and the past
 * ones), each with its roster, GroupContext, secrets and what remains of
 * its secret tree: node secrets not yet split, the ratchet secrets of
 * each leaf and the consumed and skipped generations of the out-of-order
 * window with their kept keys. A pending commit is not exported.
 *
 * The snapshot is AES-256-GCM sealed; its authenticated header binds the
 * format version, the group_id, the epoch and @seq. Each export takes a
 * new @seq, also when the buffer then turns out too small.
 *
 * For a %MLS_GROUP_F_PERSISTENT group the snapshot also reserves, in
 * each of the own leaf's two sending ratchets of the current epoch, the
 * generations up to the next one plus the module parameter
 * persist_reserve (never less than the limit in force). The group does
 * not send them yet: it may once %MLS_IOC_GROUP_SAVED says that this
 * snapshot (@seq) is durable. An import with %MLS_IMPORT_F_RESUME sends
 * again after the reserved generations.
 *
 * Return: 0, or -EINVAL (flags, reserved), -EFAULT, -EPERM (not the owner
 * and no CAP_SYS_ADMIN), -ENOKEY (no sealing key of an accepted type),
 * -EKEYREJECTED (the key named is a "user" key, or not owned by root,
 * or shorter than 32 bytes), -EKEYREVOKED and -EKEYEXPIRED (the key is),
 * -ENOSPC (@snapshot too small; its len is the size needed), -EFBIG (the
 * snapshot would exceed %MLS_MAX_SNAPSHOT_LEN), -EAGAIN (the group's
 * state kept growing while it was written; try again), -ENOENT
 * (destroyed group), -ENOMEM.
 */
#define MLS_IOC_GROUP_EXPORT	_IOWR(MLS_IOC_MAGIC, 0x32, struct mls_group_export)

/**
 * struct mls_group_saved - argument of %MLS_IOC_GROUP_SAVED
 * @flags: (in) must be zero
 * @reserved: must be zero
 * @seq: (in) the @seq of the snapshot now durable, as
 *	%MLS_IOC_GROUP_EXPORT returned it
 */
struct mls_group_saved {
	__u32 flags;
	__u32 reserved;
	__u64 seq;
};

#define MLS_GROUP_SAVED_SIZE_VER0 16

/**
 * DOC: MLS_IOC_GROUP_SAVED
 *
 * Context: group fd of a %MLS_GROUP_F_PERSISTENT group; the caller's
 * fsuid must be the group's owner, or it must have CAP_SYS_ADMIN.
 *
 * Tells the kernel that the snapshot @seq of this group is stored
 * durably (written, fsynced, renamed, its directory fsynced), the newest
 * in its store: the group may now send the generations that snapshot
 * reserved (%MLS_IOC_GROUP_EXPORT). The same snapshot saved twice is
 * fine; the limit never goes down. As systemd's random seed is marked
 * used on disk before it is used, a generation is reserved in a durable
 * snapshot before it is sent: a restore of the newest snapshot with
 * %MLS_IOC_GROUP_IMPORT and %MLS_IMPORT_F_RESUME never sends it again.
 *
 * Return: 0, or -EINVAL (flags, reserved, not a persistent group, @seq
 * not a snapshot this group exported), -EPERM (not the owner and no
 * CAP_SYS_ADMIN), -ESTALE (@seq is not the group's last export, that
 * export failed (-ENOSPC, -EFAULT), or the group left the epoch it was
 * exported in: export again), -ENOENT
 * (destroyed group), -ENOMEM (nothing put in force).
 */
#define MLS_IOC_GROUP_SAVED	_IOW(MLS_IOC_MAGIC, 0x33, struct mls_group_saved)

/* Flags of struct mls_group_import. */
#define MLS_IMPORT_F_RESUME	(1U << 0) /* the newest snapshot: send after its reservation */
#define MLS_IMPORT_F_RECEIVE_ONLY (1U << 1) /* not shown newest: -EROFS until an own path */
#define MLS_IMPORT_F_ALL	(MLS_IMPORT_F_RESUME | MLS_IMPORT_F_RECEIVE_ONLY)

/* @result of struct mls_group_import: exactly one is set. */
#define MLS_IMPORT_R_RESUMED	  (1U << 0) /* sends in its current epoch once saved */
#define MLS_IMPORT_R_RECEIVE_ONLY (1U << 1) /* sends after an own path (OWN_PATH) */

/**
 * struct mls_group_import - argument of %MLS_IOC_GROUP_IMPORT
 * @flags: (in) %MLS_IMPORT_F_*
 * @id: (out) the group's kernel id: the one it had when exported if that
 *	is free, else a new one
 * @seq: (out) the snapshot's sequence number
 * @epoch: (out) the current epoch of the imported group
 * @snapshot: (in) the sealed snapshot, at most %MLS_MAX_SNAPSHOT_LEN bytes
 * @result: (out, since %MLS_FEATURE_DRAIN) %MLS_IMPORT_R_RESUMED when
 *	%MLS_IMPORT_F_RESUME took effect, else %MLS_IMPORT_R_RECEIVE_ONLY
 * @reserved: must be zero
 */
struct mls_group_import {
	__u32 flags;
	__u32 id;
	__u64 seq;
	__u64 epoch;
	struct mls_buf snapshot;
	__u32 result;
	__u32 reserved;
};

#define MLS_GROUP_IMPORT_SIZE_VER0 40
#define MLS_GROUP_IMPORT_SIZE_VER1 48

/**
 * DOC: MLS_IOC_GROUP_IMPORT
 *
 * Context: /dev/mls; the caller's fsuid must be the snapshot's owner, or
 * it must have CAP_SYS_ADMIN. The sealing key is found as for
 * %MLS_IOC_GROUP_EXPORT.
 *
 * Brings a group back from a snapshot of %MLS_IOC_GROUP_EXPORT, and
 * returns a new group fd on it (O_CLOEXEC). The tag is checked before
 * anything inside the snapshot is read; then every field is parsed
 * strictly. The group comes back as it was exported: the same owner,
 * mode, policy, epochs and secrets, so that the messages of its kept
 * epochs still decrypt, and its MLS-Exporter and epoch_authenticator
 * give what they gave.
 *
 * Since the module was loaded, a snapshot is taken at most once for each
 * (owner, group_id, own leaf): one with a @seq at or below one already
 * imported for them is refused (-ESTALE), and so is a snapshot of a group
 * that is alive (-EEXIST): two live copies of one member would send under
 * the same keys. Once the group was published the snapshot counts as
 * imported, also when the import then fails (-EFAULT copying @id back,
 * no file descriptor).
 *
 * A restored member is receive-only until it commits with a fresh
 * UpdatePath: the snapshot cannot tell which sending generations were
 * used after it was taken, so the own leaf's sending ratchets of every
 * restored epoch are erased, and %MLS_IOC_ENCRYPT fails with -ESTALE.
 * Nor can it tell how far the member got: a lost newer copy may have
 * merged the next commits too, and sent in their epochs with the same
 * secrets. So every epoch the group reaches by a commit that is not
 * marked %MLS_COMMIT_F_OWN_PATH is receive-only as well (-EROFS); the
 * first one merged with that flag (its own Commit, an Update for
 * example, whose commit_secret no other copy knows) sends again, and so
 * do the ones after it. Decryption works as before.
 *
 * With %MLS_IMPORT_F_RESUME the caller asserts that the snapshot is the
 * newest of its store (the last one %MLS_IOC_GROUP_SAVED was told of, or
 * a later one). A snapshot of a %MLS_GROUP_F_PERSISTENT group then
 * resumes sending in its current epoch after the generations it
 * reserved: the own sending ratchets are stepped past them (their keys
 * erased), and the group sends again once a new snapshot is exported
 * and saved. Its past epochs stay receive-only. Since the module was
 * loaded it also remembers, per member, the newest @seq saved
 * (%MLS_IOC_GROUP_SAVED): an older snapshot imported with the flag is
 * refused (-ESTALE), since its window lies below generations the group
 * that saved the newer one may have sent. Without the flag the import is
 * receive-only; for a snapshot of a group that is not persistent the
 * flag is ignored, and so it is for a snapshot whose current epoch was
 * itself receive-only, or is the group's last (%MLS_COMMIT_F_FINAL: it
 * never sends, -EPIPE). @result says whether it took effect
 * (%MLS_IMPORT_R_RESUMED) or not (%MLS_IMPORT_R_RECEIVE_ONLY); a
 * program built against the first struct (40 bytes) does not get it.
 *
 * %MLS_IMPORT_F_RECEIVE_ONLY is for a snapshot that cannot be shown to be
 * the newest (a restored backup, a gap in the store's sequence): the
 * group is receive-only as without %MLS_IMPORT_F_RESUME, and
 * %MLS_IOC_ENCRYPT says so with -EROFS (rather than -ESTALE) until the
 * group merges a commit of its own with %MLS_COMMIT_F_OWN_PATH (an
 * Update); from that epoch on it sends as any group (a persistent one
 * once that epoch is saved).
 * A snapshot of it taken before then imports as receive-only too, with
 * -ESTALE. Not with %MLS_IMPORT_F_RESUME (-EINVAL).
 *
 * Return: a group fd, or -EINVAL (unknown flags, both %MLS_IMPORT_F_RESUME
 * and %MLS_IMPORT_F_RECEIVE_ONLY, @reserved or @snapshot's reserved, length 0
 * or above %MLS_MAX_SNAPSHOT_LEN, a value no group can have), -EFAULT,
 * -EBADMSG (not a snapshot, truncated, or its tag does not verify: wrong
 * key, changed bytes), -EPROTONOSUPPORT (another format version), -EPERM
 * (not the snapshot's owner and no CAP_SYS_ADMIN), -ESTALE (not newer
 * than one imported; with %MLS_IMPORT_F_RESUME, older than one saved),
 * -EEXIST (the group is alive), -ENOKEY,
 * -EKEYREJECTED, -EKEYREVOKED, -EKEYEXPIRED (as %MLS_IOC_GROUP_EXPORT),
 * -EOPNOTSUPP (its suite is not available), -ENOSPC (max_groups),
 * -EDQUOT (the owner's limits), -ENOMEM.
 */
#define MLS_IOC_GROUP_IMPORT	_IOWR(MLS_IOC_MAGIC, 0x15, struct mls_group_import)

/* --- Drain: a graceful shutdown ------------------------------------------- */

/* Flags of struct mls_drain. */
#define MLS_DRAIN_F_DESTROY	(1U << 0) /* then destroy every group (erased) */
#define MLS_DRAIN_F_CANCEL	(1U << 1) /* end the drain: service again */
#define MLS_DRAIN_F_ALL		(MLS_DRAIN_F_DESTROY | MLS_DRAIN_F_CANCEL)

/* The least a drain waits for the calls in flight, in ms (MLS_IOC_DRAIN). */
#define MLS_DRAIN_INFLIGHT_MIN_MS	1000

/**
 * struct mls_drain - argument of %MLS_IOC_DRAIN
 * @flags: (in) %MLS_DRAIN_F_*; %MLS_DRAIN_F_CANCEL alone or none
 *	with %MLS_DRAIN_F_DESTROY
 * @timeout_ms: (in) how long to wait in all, for the calls in flight
 *	(%MLS_DRAIN_INFLIGHT_MIN_MS at least) and then for the saves; 0: the
 *	module parameter drain_timeout_ms (default 30000; 0 there: no wait
 *	for the saves)
 * @saved: (out) persistent groups saved in their state at the drain
 * @not_saved: (out) persistent groups not saved when the drain ended
 *	(its timeout passed): each is logged by the kernel
 * @destroyed: (out) with %MLS_DRAIN_F_DESTROY, groups destroyed
 * @reserved: must be zero
 *
 * The out fields are written on every return that writes the struct
 * back, that is on success (0): zero unless the call counted something, so
 * that what the caller passed in them never comes back.
 */
struct mls_drain {
	__u32 flags;
	__u32 timeout_ms;
	__u32 saved;
	__u32 not_saved;
	__u32 destroyed;
	__u32 reserved;
};

#define MLS_DRAIN_SIZE_VER0 24

/**
 * DOC: MLS_IOC_DRAIN
 *
 * Context: /dev/mls; the caller must have CAP_SYS_ADMIN. Sleeps
 * (interruptibly) up to @timeout_ms in all: for the calls in flight (at
 * least %MLS_DRAIN_INFLIGHT_MIN_MS), then for the saves.
 *
 * Starts a drain, the first half of a graceful shutdown: from now on the
 * operations that change a group's state or make a new group fail with
 * -ESHUTDOWN: %MLS_IOC_GROUP_CREATE, %MLS_IOC_GROUP_JOIN,
 * %MLS_IOC_JOIN_STAGE, %MLS_IOC_GROUP_IMPORT on /dev/mls; %MLS_IOC_ENCRYPT,
 * %MLS_IOC_DECRYPT, their _BATCH forms, %MLS_IOC_COMMIT,
 * %MLS_IOC_COMMIT_PREPARE, %MLS_IOC_COMMIT_MERGE and %MLS_IOC_SET_POLICY
 * on a group fd. The others stay allowed, so that the state can be saved
 * and read: %MLS_IOC_GROUP_OPEN, %MLS_IOC_GROUP_LIST, %MLS_IOC_GROUP_EXPORT,
 * %MLS_IOC_GROUP_SAVED, %MLS_IOC_GROUP_DESTROY, %MLS_IOC_COMMIT_DISCARD,
 * the read-only ioctls (exporter, authenticator, info, context, tags,
 * external public key), the event buffer and netlink. Calls already
 * running finish before the drain goes on; then it sends the netlink
 * event %MLS_CMD_SHUTDOWN (once per drain: a drain called again after
 * that does not send it again) and waits until every %MLS_GROUP_F_PERSISTENT
 * group was exported and that snapshot saved (%MLS_IOC_GROUP_SAVED) in
 * its current epoch, or until @timeout_ms passed. A snapshot exported
 * during a drain reserves no generation past the next one, and the group
 * stops sending at that point (it needs a new save to send again, should
 * the drain be cancelled): a restore with %MLS_IMPORT_F_RESUME then goes
 * on exactly where the group stopped, with no gap at the peers.
 *
 * Then it reports the persistent groups saved and not saved, logs each
 * one not saved (kernel log, "not saved" with its kernel id and group_id),
 * and counts them (/sys/kernel/mls/stats/drain_*). With
 * %MLS_DRAIN_F_DESTROY it then destroys every group (persistent or not:
 * secrets erased, memory freed), as an unload would.
 *
 * The calls in flight are waited for up to @timeout_ms too: one that
 * sleeps (an encrypt stopped on a page fault of its buffer) does not hold
 * the drain past it. The wait for calls in flight lasts at least
 * %MLS_DRAIN_INFLIGHT_MIN_MS, whatever @timeout_ms (the grace period it
 * polls is never expedited): a short timeout does not fail while no call
 * holds it. When they are not done by then nothing is sent, saved or
 * counted: the call returns -ETIMEDOUT, the module stays drained (new
 * calls are refused) and /sys/kernel/mls/drain reads "draining" until a
 * later %MLS_IOC_DRAIN finds those calls done (it does not change on its
 * own when they finish); call %MLS_IOC_DRAIN again to go on, or cancel.
 * When that wait took longer than @timeout_ms, the saves are counted as
 * they stand at its end, with no further wait.
 *
 * The module stays drained after the call returns, whatever its result:
 * a second %MLS_IOC_DRAIN waits again (for groups saved since), and
 * %MLS_DRAIN_F_CANCEL ends the drain, sends %MLS_CMD_RESUME, and the
 * service resumes. /sys/kernel/mls/drain says where the module stands:
 * "none", "draining" (begun, calls in flight, or found in flight by the
 * last %MLS_IOC_DRAIN) or "drained" (%MLS_CMD_SHUTDOWN sent, just after
 * it turns so, for a listener that lost the event); every group is in state
 * %MLS_GROUP_STATE_SHUTTING_DOWN unless it is "none". The unload runs
 * the same drain without waiting (no fd can be open then): drain before
 * ``rmmod``.
 *
 * A signal ends either wait. If a handler ran, the call fails with
 * -EINTR, %SA_RESTART or not. A signal that ran no handler (a stop and
 * continue, ptrace, the freezer) makes the kernel call it again as it
 * was, which goes on with the drain already begun (nothing is begun or
 * announced twice; the wait starts again for a whole @timeout_ms), or
 * begins a new one if it was cancelled meanwhile. Either way the module
 * stays drained.
 *
 * Return: 0 (also when groups were not saved: see @not_saved), or
 * -EINVAL (unknown flags, %MLS_DRAIN_F_CANCEL with another flag or a
 * @timeout_ms, a reserved field not zero), -EPERM (no CAP_SYS_ADMIN),
 * -EFAULT, -EBUSY (another drain is waiting), -EALREADY
 * (%MLS_DRAIN_F_CANCEL with no drain), -ETIMEDOUT (calls in flight did
 * not finish by @timeout_ms, or %MLS_DRAIN_INFLIGHT_MIN_MS if longer),
 * -EINTR (a signal's handler ran while waiting; the module stays
 * drained).
 */
#define MLS_IOC_DRAIN		_IOWR(MLS_IOC_MAGIC, 0x16, struct mls_drain)

/* Event buffer ioctls (0x40-0x4f) on /dev/mls: see below. */

/*
 * The event buffer
 * ================
 *
 * A fixed table of endpoints (module parameter evbuf_slots), each with one
 * 64-bit state word changed only by compare-and-swap: a GCRA rate limit
 * (a record above the rate is "throttled": -EAGAIN) and a circuit breaker
 * (closed, open, half-open, forced open; a record while open is refused:
 * -ECONNREFUSED). Documentation/userspace-api/evbuf.rst tells how to use
 * it.
 *
 * Endpoints are named by (owner uid, id): every user has a namespace of
 * its own, the caller's effective uid unless %MLS_EVBUF_F_OWNER names
 * another. The module files its own endpoints (each group's encrypt rate,
 * each group sender's authentication failures in an epoch) in a
 * namespace that no ioctl can name; they count against the group owner's
 * user_max_endpoints, and when one cannot be filed the group's own
 * fallback breaker takes it.
 *
 * Who may do what with an endpoint:
 *
 *  * its owner, and any holder of CAP_NET_ADMIN: everything;
 *  * any other user: %MLS_IOC_EVBUF_RECORD, %MLS_IOC_EVBUF_REPORT and
 *    %MLS_IOC_EVBUF_STATE when the endpoint is %MLS_EVBUF_ACCESS_SHARED,
 *    nothing else (-EACCES on a private endpoint; -EPERM for CONFIG,
 *    SET_STATE and REMOVE, and for creating an endpoint in another user's
 *    namespace).
 *
 * A full table gives -ENOSPC; a live endpoint is never evicted. A quarter
 * of the table is kept for the module's own endpoints.
 */

/* Bytes of an endpoint id, the terminating NUL included. */
#define MLS_EVBUF_ID_SIZE	64
/* Largest payload %MLS_IOC_EVBUF_RECORD takes. */
#define MLS_EVBUF_MAX_PAYLOAD	65536
/* Highest rate: one event per tick of 16 ns. */
#define MLS_EVBUF_MAX_RATE	62500000
#define MLS_EVBUF_MAX_BURST	100000
#define MLS_EVBUF_MAX_THRESHOLD	1000
#define MLS_EVBUF_MAX_PROBES	31
#define MLS_EVBUF_MAX_OPEN_BASE_MS 3600000
#define MLS_EVBUF_MAX_OPEN_MS	86400000

/* Circuit states. */
#define MLS_EVBUF_CLOSED	0 /* records pass (within the rate) */
#define MLS_EVBUF_OPEN		1 /* records refused until the open time passes */
#define MLS_EVBUF_HALF_OPEN	2 /* a few probe records pass */
#define MLS_EVBUF_FORCED_OPEN	3 /* records refused until set otherwise */

/* Flags of the structs that name an endpoint. */
#define MLS_EVBUF_F_OWNER	(1U << 0) /* @owner names the namespace */
#define MLS_EVBUF_F_CREATE	(1U << 1) /* CONFIG, RECORD: create if missing */
#define MLS_EVBUF_F_EXCL	(1U << 2) /* CONFIG with CREATE: -EEXIST if it exists */
#define MLS_EVBUF_F_GZIP	(1U << 3) /* RECORD: the payload must be gzip */
#define MLS_EVBUF_F_BATCH_CLOCK	(1U << 4) /* BENCH: one clock reading per 256 records */

/* struct mls_evbuf_config.access */
#define MLS_EVBUF_ACCESS_PRIVATE 0 /* owner and CAP_NET_ADMIN only */
#define MLS_EVBUF_ACCESS_SHARED	1 /* any user may record, report, read */

/* struct mls_evbuf_info.lock */
#define MLS_EVBUF_LOCK_CAS	0 /* compare-and-swap on the state word */
#define MLS_EVBUF_LOCK_SPINLOCK	1 /* one table-wide spinlock (benchmark only) */

/**
 * struct mls_evbuf_info - argument of %MLS_IOC_EVBUF_INFO
 * @flags: (in) must be zero
 * @slots: (out) endpoints the table holds (module parameter evbuf_slots)
 * @user_slots: (out) how many of them user endpoints may take, all users
 *	together (the rest is kept for the module's own endpoints)
 * @used: (out) slots in use, user and module endpoints (a removed
 *	endpoint's slot counts until an RCU grace period has passed)
 * @user_used: (out) user endpoints alive, all users together
 * @lock: (out) %MLS_EVBUF_LOCK_CAS, or %MLS_EVBUF_LOCK_SPINLOCK when the
 *	module was loaded with evbuf_lock=spinlock
 * @tick_ns: (out) nanoseconds of one tick of the state word's clock
 * @reserved0: must be zero
 * @records: (out) records and data-path admissions asked for
 * @admitted: (out) of which admitted
 * @throttled: (out) refused by the rate limit
 * @refused: (out) refused by an open circuit
 * @contended: (out) denied because the compare-and-swap lost too many
 *	races in a row
 * @cas_retries: (out) compare-and-swap attempts that lost a race and were
 *	retried
 * @trips: (out) transitions to open
 * @half_opens: (out) transitions from open to half-open
 * @closes: (out) transitions from half-open to closed
 * @payloads: (out) payloads checked
 * @payload_bombs: (out) gzip payloads rejected as decompression bombs
 * @payload_malformed: (out) payloads rejected as malformed gzip
 * @module_full: (out) times the module could not file one of its own
 *	endpoints because the table was full (the data path then goes on
 *	without that limit)
 * @reserved: must be zero
 *
 * The counters are module-wide since load.
 */
struct mls_evbuf_info {
	__u32 flags;
	__u32 slots;
	__u32 user_slots;
	__u32 used;
	__u32 user_used;
	__u32 lock;
	__u32 tick_ns;
	__u32 reserved0;
	__u64 records;
	__u64 admitted;
	__u64 throttled;
	__u64 refused;
	__u64 contended;
	__u64 cas_retries;
	__u64 trips;
	__u64 half_opens;
	__u64 closes;
	__u64 payloads;
	__u64 payload_bombs;
	__u64 payload_malformed;
	__u64 module_full;
	__u64 reserved;
};

#define MLS_EVBUF_INFO_SIZE_VER0 144

/**
 * DOC: MLS_IOC_EVBUF_INFO
 *
 * Context: /dev/mls. Any user.
 *
 * The table's size and use and the module-wide event buffer counters.
 *
 * Return: 0, or -EINVAL (flags, reserved fields, size below
 * %MLS_EVBUF_INFO_SIZE_VER0), -E2BIG (non-zero tail), -EFAULT.
 */
#define MLS_IOC_EVBUF_INFO	_IOWR(MLS_IOC_MAGIC, 0x40, struct mls_evbuf_info)

/* Which fields of struct mls_evbuf_config to set. */
#define MLS_EVBUF_CFG_RATE	(1U << 0) /* rate and burst together */
#define MLS_EVBUF_CFG_THRESHOLD	(1U << 1)
#define MLS_EVBUF_CFG_PROBES	(1U << 2)
#define MLS_EVBUF_CFG_OPEN_TIME	(1U << 3) /* open_base_ms and open_max_ms together */
#define MLS_EVBUF_CFG_ACCESS	(1U << 4)
#define MLS_EVBUF_CFG_ALL	0x1f

/**
 * struct mls_evbuf_config - argument of %MLS_IOC_EVBUF_CONFIG
 * @flags: (in) %MLS_EVBUF_F_OWNER, %MLS_EVBUF_F_CREATE, %MLS_EVBUF_F_EXCL
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the uid whose namespace holds the
 *	endpoint (else ignored); (out) the endpoint's owner
 * @id: (in) the endpoint id: 1 to %MLS_EVBUF_ID_SIZE - 1 printable ASCII
 *	characters (0x21 to 0x7e), NUL-terminated, the rest of the array zero
 * @mask: (in) the MLS_EVBUF_CFG_* fields to set; the others keep their
 *	value, or for a new endpoint take the module's defaults (module
 *	parameters evbuf_*); 0 only reads the configuration
 * @rate: (in/out) events per second the rate limit admits, at most
 *	%MLS_EVBUF_MAX_RATE; 0: no limit. The limit works in ticks of 16 ns,
 *	so the rate enforced is 62500000 / ceil(62500000 / @rate): never above
 *	@rate.
 * @burst: (in/out) events admitted at once above the rate, 1 to
 *	%MLS_EVBUF_MAX_BURST
 * @fail_threshold: (in/out) consecutive failures (%MLS_IOC_EVBUF_REPORT)
 *	that open the circuit, 1 to %MLS_EVBUF_MAX_THRESHOLD
 * @half_open_probes: (in/out) records admitted while half-open, and the
 *	successes needed to close, 1 to %MLS_EVBUF_MAX_PROBES
 * @open_base_ms: (in/out) how long the circuit stays open after its first
 *	trip, 1 to %MLS_EVBUF_MAX_OPEN_BASE_MS; each further trip without a
 *	close in between doubles it
 * @open_max_ms: (in/out) the longest open time, @open_base_ms to
 *	%MLS_EVBUF_MAX_OPEN_MS
 * @access: (in/out) %MLS_EVBUF_ACCESS_PRIVATE or %MLS_EVBUF_ACCESS_SHARED
 * @reserved: must be zero
 */
struct mls_evbuf_config {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
	__u32 mask;
	__u32 rate;
	__u32 burst;
	__u32 fail_threshold;
	__u32 half_open_probes;
	__u32 open_base_ms;
	__u32 open_max_ms;
	__u32 access;
	__u64 reserved;
};

#define MLS_EVBUF_CONFIG_SIZE_VER0 112

/**
 * DOC: MLS_IOC_EVBUF_CONFIG
 *
 * Context: /dev/mls. The owner or CAP_NET_ADMIN; creating in another
 * user's namespace needs CAP_NET_ADMIN.
 *
 * Creates an endpoint (%MLS_EVBUF_F_CREATE) or changes its configuration,
 * and writes back the configuration in force. A new endpoint starts
 * closed, with its full burst available. A change takes effect at the
 * next record; the state word is kept.
 *
 * Return: 0, or
 *  * -EINVAL: unknown flag, %MLS_EVBUF_F_EXCL without CREATE, unknown
 *    @mask bit, a value out of its range, @open_max_ms below
 *    @open_base_ms, bad @id, @owner not a uid of the caller's user
 *    namespace, @reserved not zero;
 *  * -EFAULT: a bad address;
 *  * -ENOENT: no such endpoint and no %MLS_EVBUF_F_CREATE;
 *  * -EEXIST: %MLS_EVBUF_F_EXCL and the endpoint exists;
 *  * -EPERM: not the owner and no CAP_NET_ADMIN;
 *  * -ENOSPC: creating, and the table's user share is full;
 *  * -EDQUOT: creating, and the owner's uid holds user_max_endpoints
 *    endpoints (its own and its groups'; root and CAP_SYS_RESOURCE go
 *    past).
 */
#define MLS_IOC_EVBUF_CONFIG	_IOWR(MLS_IOC_MAGIC, 0x41, struct mls_evbuf_config)

/**
 * struct mls_evbuf_record - argument of %MLS_IOC_EVBUF_RECORD
 * @flags: (in) %MLS_EVBUF_F_OWNER, %MLS_EVBUF_F_CREATE, %MLS_EVBUF_F_GZIP
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the namespace's uid
 * @id: (in) the endpoint id (as in struct mls_evbuf_config)
 * @payload: (in) the event's payload, at most %MLS_EVBUF_MAX_PAYLOAD
 *	bytes, or empty. A payload that starts with the gzip magic (1f 8b),
 *	or any payload with %MLS_EVBUF_F_GZIP, is checked as gzip (RFC 1952).
 *	The kernel keeps no payload, only the counters.
 */
struct mls_evbuf_record {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
	struct mls_buf payload;
};

#define MLS_EVBUF_RECORD_SIZE_VER0 88

/**
 * DOC: MLS_IOC_EVBUF_RECORD
 *
 * Context: /dev/mls. The owner, CAP_NET_ADMIN, or anyone on a shared
 * endpoint; creating needs the owner's uid or CAP_NET_ADMIN.
 *
 * Asks to admit one event: checks the payload, then the circuit (closed
 * passes; open refuses until its open time has passed, then turns
 * half-open; half-open admits up to half_open_probes probes), then the
 * rate limit (GCRA: over any interval of t seconds at most rate * t +
 * burst events are admitted). A refused event changes nothing.
 *
 * The gzip check never trusts the trailer's ISIZE alone. The bound is the
 * smaller of the module parameters evbuf_gzip_max_size and
 * evbuf_gzip_max_ratio times the payload's length. The headers must
 * parse and the last ISIZE be within the bound; then the deflate data of
 * every member is decoded without being inflated (the lengths its codes
 * stand for are added up, in one pass over the payload), stopping as soon
 * as the sum passes the bound, and each member must stand for exactly its
 * trailer's ISIZE. The CRC-32 is not checked: only inflated bytes could
 * prove it.
 *
 * Return: 0 (admitted), or
 *  * -EAGAIN: throttled by the rate limit, or the state word changed under
 *    the record too many times in a row (counted as contended);
 *  * -ECONNREFUSED: the circuit is open, forced open, or half-open with
 *    every probe out;
 *  * -EMSGSIZE: the payload is a gzip decompression bomb (too large once
 *    inflated, or too high a ratio); counted in payload_bombs;
 *  * -EBADMSG: the payload is malformed gzip (header, deflate codes,
 *    truncated stream, size different from its trailer, trailing bytes),
 *    or not gzip with %MLS_EVBUF_F_GZIP; counted in payload_malformed;
 *  * -EINVAL: unknown flag, bad @id, payload longer than
 *    %MLS_EVBUF_MAX_PAYLOAD, @payload.reserved not zero, bad @owner;
 *  * -EFAULT: a bad address;
 *  * -ENOENT: no such endpoint and no %MLS_EVBUF_F_CREATE;
 *  * -EACCES: another user's private endpoint;
 *  * -EPERM: creating in another user's namespace without CAP_NET_ADMIN;
 *  * -ENOSPC: creating, and the table's user share is full;
 *  * -EDQUOT: creating, past the owner's user_max_endpoints;
 *  * -ENOMEM.
 */
#define MLS_IOC_EVBUF_RECORD	_IOW(MLS_IOC_MAGIC, 0x42, struct mls_evbuf_record)

/* struct mls_evbuf_report.result */
#define MLS_EVBUF_SUCCESS	0
#define MLS_EVBUF_FAILURE	1

/**
 * struct mls_evbuf_report - argument of %MLS_IOC_EVBUF_REPORT
 * @flags: (in) %MLS_EVBUF_F_OWNER
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the namespace's uid
 * @id: (in) the endpoint id
 * @result: (in) %MLS_EVBUF_SUCCESS or %MLS_EVBUF_FAILURE
 * @reserved: must be zero
 */
struct mls_evbuf_report {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
	__u32 result;
	__u32 reserved;
};

#define MLS_EVBUF_REPORT_SIZE_VER0 80

/**
 * DOC: MLS_IOC_EVBUF_REPORT
 *
 * Context: /dev/mls. The owner, CAP_NET_ADMIN, or anyone on a shared
 * endpoint.
 *
 * Reports the outcome of an admitted event to the circuit breaker.
 * Closed: a failure counts one more consecutive failure, and at
 * fail_threshold the circuit opens (trips + 1) for open_base_ms <<
 * (trips - 1), at most open_max_ms; a success clears the failures.
 * Half-open: a failure opens the circuit again, for twice as long; a
 * success counts, and half_open_probes of them close it (trips back to 0).
 * Open or forced open: the outcome is counted and changes nothing.
 *
 * Return: 0, or -EINVAL (flags, @result, @reserved, @id, @owner), -EFAULT,
 * -ENOENT, -EACCES, -EBUSY (the state word changed under the report too
 * many times in a row; nothing was changed).
 */
#define MLS_IOC_EVBUF_REPORT	_IOW(MLS_IOC_MAGIC, 0x43, struct mls_evbuf_report)

/**
 * struct mls_evbuf_state - argument of %MLS_IOC_EVBUF_STATE
 * @flags: (in) %MLS_EVBUF_F_OWNER
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the namespace's uid; (out) the
 *	endpoint's owner
 * @id: (in) the endpoint id
 * @state: (out) the circuit state, MLS_EVBUF_CLOSED... (an open circuit
 *	whose open time has passed reads as half-open)
 * @throttled: (out) 1 if the rate limit would refuse a record now, else 0
 * @trips: (out) consecutive trips (0 once closed from half-open)
 * @failures: (out) consecutive failures while closed
 * @probes: (out) half-open: probes admitted
 * @probe_successes: (out) half-open: successes reported
 * @retry_ns: (out) when throttled, nanoseconds until a record is admitted
 *	again; else 0
 * @reopen_ns: (out) when open, nanoseconds until it turns half-open; else 0
 * @events: (out) records admitted
 * @throttled_events: (out) records refused by the rate limit
 * @refused_events: (out) records refused by the circuit
 * @contended: (out) records and reports denied because the state word
 *	changed under them too many times in a row
 * @cas_retries: (out) compare-and-swap attempts on this endpoint's word
 *	that lost a race and were retried
 * @failures_total: (out) failures reported
 * @successes_total: (out) successes reported
 * @reserved: must be zero
 */
struct mls_evbuf_state {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
	__u32 state;
	__u32 throttled;
	__u32 trips;
	__u32 failures;
	__u32 probes;
	__u32 probe_successes;
	__u64 retry_ns;
	__u64 reopen_ns;
	__u64 events;
	__u64 throttled_events;
	__u64 refused_events;
	__u64 contended;
	__u64 cas_retries;
	__u64 failures_total;
	__u64 successes_total;
	__u64 reserved;
};

#define MLS_EVBUF_STATE_SIZE_VER0 176

/**
 * DOC: MLS_IOC_EVBUF_STATE
 *
 * Context: /dev/mls. The owner, CAP_NET_ADMIN, or anyone on a shared
 * endpoint.
 *
 * The endpoint's state word decoded, and its counters; this is also the
 * "is it throttled" question, which changes nothing.
 *
 * Return: 0, or -EINVAL (flags, @reserved, @id, @owner), -EFAULT, -ENOENT,
 * -EACCES.
 */
#define MLS_IOC_EVBUF_STATE	_IOWR(MLS_IOC_MAGIC, 0x44, struct mls_evbuf_state)

/**
 * struct mls_evbuf_set_state - argument of %MLS_IOC_EVBUF_SET_STATE
 * @flags: (in) %MLS_EVBUF_F_OWNER
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the namespace's uid
 * @id: (in) the endpoint id
 * @state: (in) %MLS_EVBUF_CLOSED: reset (no failures, no trips, full
 *	burst); %MLS_EVBUF_OPEN: trip now (trips + 1); %MLS_EVBUF_HALF_OPEN:
 *	let probes through now; %MLS_EVBUF_FORCED_OPEN: refuse every record
 *	until set otherwise
 * @reserved: must be zero
 */
struct mls_evbuf_set_state {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
	__u32 state;
	__u32 reserved;
};

#define MLS_EVBUF_SET_STATE_SIZE_VER0 80

/**
 * DOC: MLS_IOC_EVBUF_SET_STATE
 *
 * Context: /dev/mls. The owner or CAP_NET_ADMIN.
 *
 * Sets or forces the circuit state.
 *
 * Return: 0, or -EINVAL (flags, @state, @reserved, @id, @owner), -EFAULT,
 * -ENOENT, -EPERM, -EBUSY (the state word changed under the call too many
 * times in a row; nothing was changed).
 */
#define MLS_IOC_EVBUF_SET_STATE	_IOW(MLS_IOC_MAGIC, 0x45, struct mls_evbuf_set_state)

/**
 * struct mls_evbuf_remove - argument of %MLS_IOC_EVBUF_REMOVE
 * @flags: (in) %MLS_EVBUF_F_OWNER
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the namespace's uid
 * @id: (in) the endpoint id
 */
struct mls_evbuf_remove {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
};

#define MLS_EVBUF_REMOVE_SIZE_VER0 72

/**
 * DOC: MLS_IOC_EVBUF_REMOVE
 *
 * Context: /dev/mls. The owner or CAP_NET_ADMIN.
 *
 * Removes the endpoint. Its slot is free again once the records running
 * on it have finished (an RCU grace period).
 *
 * Return: 0, or -EINVAL (flags, @id, @owner), -EFAULT, -ENOENT, -EPERM.
 */
#define MLS_IOC_EVBUF_REMOVE	_IOW(MLS_IOC_MAGIC, 0x46, struct mls_evbuf_remove)

/**
 * struct mls_evbuf_bench - argument of %MLS_IOC_EVBUF_BENCH
 * @flags: (in) %MLS_EVBUF_F_OWNER, %MLS_EVBUF_F_BATCH_CLOCK
 * @owner: (in) with %MLS_EVBUF_F_OWNER, the namespace's uid
 * @id: (in) the endpoint id
 * @count: (in) records to run, 1 to 100000000
 * @done: (out) records run (fewer than @count if a signal came)
 * @admitted: (out) of which admitted
 * @throttled: (out) refused by the rate limit
 * @refused: (out) refused by the circuit
 * @contended: (out) denied after too many lost races
 * @cas_retries: (out) lost races retried on this endpoint meanwhile (by
 *	every caller, not only this one)
 * @elapsed_ns: (out) time the loop took
 */
struct mls_evbuf_bench {
	__u32 flags;
	__u32 owner;
	char id[MLS_EVBUF_ID_SIZE];
	__u32 count;
	__u32 done;
	__u64 admitted;
	__u64 throttled;
	__u64 refused;
	__u64 contended;
	__u64 cas_retries;
	__u64 elapsed_ns;
};

#define MLS_EVBUF_BENCH_SIZE_VER0 128

/**
 * DOC: MLS_IOC_EVBUF_BENCH
 *
 * Context: /dev/mls. The owner, CAP_NET_ADMIN, or anyone on a shared
 * endpoint (as for %MLS_IOC_EVBUF_RECORD).
 *
 * Runs @count records without payload on the endpoint in a loop inside
 * the kernel, as @count %MLS_IOC_EVBUF_RECORD calls would but without the
 * system call and the id lookup of each: it measures the state word
 * itself (tools/mls-evbench.c). Each record reads the clock once, as a
 * record always does; with %MLS_EVBUF_F_BATCH_CLOCK the loop reads it
 * once per 256 records instead, to measure the word without the clock
 * (which can be the larger cost: in a VM it may be an emulated device).
 *
 * Return: 0, or -EINVAL (flags, @count, @id, @owner), -EFAULT, -ENOENT,
 * -EACCES.
 */
#define MLS_IOC_EVBUF_BENCH	_IOWR(MLS_IOC_MAGIC, 0x4f, struct mls_evbuf_bench)

/**
 * DOC: Generic netlink family "mls"
 *
 * Spec: Documentation/netlink/specs/mls.yaml. Requests are validated
 * strictly: an attribute a command does not take, an unknown attribute or
 * a wrong length is rejected with -EINVAL and an extended ACK message.
 * So is a do of %MLS_CMD_GET_GROUP without %MLS_A_GROUP_KID; a kernel id
 * of 0 is out of the attribute's range (-ERANGE, with a message too). A
 * dump of %MLS_CMD_GET_GROUP given %MLS_A_GROUP_KID gets its -EINVAL and
 * message in NLMSG_DONE.
 *
 * %MLS_CMD_GET_VERSION (do, any user): reply %MLS_A_API_VERSION,
 * %MLS_A_MODULE_VERSION. Takes no attribute.
 *
 * %MLS_CMD_GET_GROUP: the groups' metadata, never a secret. do: takes
 * %MLS_A_GROUP_KID, replies with one group; dump: takes no attribute, one
 * message per group. A user sees the groups they own and those whose mode
 * lets them read (as for a file); CAP_NET_ADMIN sees every group. A group
 * the caller may not see is reported as absent (-ENOENT). Each group:
 * %MLS_A_GROUP_KID, %MLS_A_GROUP_ID, %MLS_A_SUITE, %MLS_A_EPOCH,
 * %MLS_A_OLDEST_EPOCH, %MLS_A_OWN_LEAF, %MLS_A_LEAF_COUNT,
 * %MLS_A_MEMBERS, %MLS_A_STATE, %MLS_A_OWNER_UID, %MLS_A_MODE,
 * %MLS_A_GROUP_FLAGS and the nest %MLS_A_STATS (&enum mls_stats_attr);
 * a %MLS_GROUP_F_PERSISTENT group also the nest %MLS_A_RESERVE (&enum
 * mls_reserve_attr): where its sending stands in its reservation, so
 * that a listener that lost a %MLS_CMD_RESERVE_LOW (-ENOBUFS on its
 * socket) finds the groups to export from a dump. Every group also has
 * %MLS_A_RECV_SAVE and %MLS_A_RECV_SAVE_FLAGS (its receive-save policy,
 * struct mls_set_policy.recv_save and recv_save_flags; 0 and 0: off) and
 * %MLS_A_RECV_UNSAVED (a %MLS_GROUP_F_PERSISTENT group's decrypts that no
 * saved snapshot holds yet, those in flight included; 0 for another
 * group), as %MLS_IOC_GROUP_INFO reports them. A module older than these
 * attributes does not send them. They are not in the group's sysfs
 * directory (Documentation/ABI/testing/sysfs-kernel-mls says why).
 *
 * Multicast group %MLS_GENL_MCGRP_EVENTS: one notification per event, its
 * command says which (%MLS_CMD_GROUP_CREATED and after). Joining the group
 * needs CAP_NET_ADMIN (-EPERM otherwise): events name every user's groups
 * and endpoints. No event carries a secret, and none is built while
 * nobody listens. A listener that falls behind gets -ENOBUFS from recv();
 * the events in between are lost and its view must be rebuilt from a dump.
 *
 * Attributes of each event (every group event carries %MLS_A_GROUP_KID
 * and %MLS_A_GROUP_ID):
 *
 * - %MLS_CMD_GROUP_CREATED, %MLS_CMD_GROUP_JOINED: as one group of
 *   %MLS_CMD_GET_GROUP without %MLS_A_STATS, %MLS_A_RESERVE and the
 *   receive-save attributes.
 * - %MLS_CMD_GROUP_DESTROYED: %MLS_A_EPOCH (the last current epoch).
 * - %MLS_CMD_EPOCH_CHANGED: %MLS_A_OLD_EPOCH, %MLS_A_EPOCH,
 *   %MLS_A_LEAF_COUNT, %MLS_A_MEMBERS.
 * - %MLS_CMD_EPOCH_EXPIRED: %MLS_A_EPOCH (a past epoch the retention
 *   policy erased; not sent for the epochs of a destroyed group).
 * - %MLS_CMD_MEMBER_ADDED, %MLS_CMD_MEMBER_REMOVED: %MLS_A_EPOCH (the new
 *   epoch), %MLS_A_LEAF; one per leaf whose occupancy changed, sent after
 *   %MLS_CMD_EPOCH_CHANGED, in leaf order.
 * - %MLS_CMD_COMMIT_CONFLICT: %MLS_A_EPOCH (the current epoch),
 *   %MLS_A_ERROR (EBUSY: another commit was running; ESTALE: it was made
 *   on an epoch that is no longer current).
 * - %MLS_CMD_ENDPOINT_THROTTLED: the endpoint (below), sent for each
 *   record refused by the rate.
 * - %MLS_CMD_BREAKER_CHANGED: the endpoint, %MLS_A_OLD_STATE,
 *   %MLS_A_BREAKER_STATE (MLS_EVBUF_CLOSED...).
 * - %MLS_CMD_PAYLOAD_REJECTED: the endpoint, %MLS_A_ERROR (EMSGSIZE: it
 *   would inflate past the limits; EBADMSG: malformed).
 * - %MLS_CMD_COMMIT_PREPARED: %MLS_A_EPOCH (the current epoch),
 *   %MLS_A_PENDING_EPOCH (the epoch staged by %MLS_IOC_COMMIT_PREPARE).
 *   Its merge is the %MLS_CMD_EPOCH_CHANGED that follows.
 * - %MLS_CMD_COMMIT_DISCARDED: %MLS_A_EPOCH, %MLS_A_PENDING_EPOCH,
 *   %MLS_A_ERROR: why (ECANCELED: %MLS_IOC_COMMIT_DISCARD; ETIMEDOUT:
 *   the group's commit timeout passed; ENOENT: the group was destroyed,
 *   or the module unloaded, with it pending).
 * - %MLS_CMD_SHUTDOWN: no attribute; a drain began (%MLS_IOC_DRAIN, or
 *   the module's unload): export and save every persistent group now.
 *   At unload, the %MLS_CMD_GROUP_DESTROYED of each group follows.
 *   Sent by each %MLS_IOC_DRAIN call that gets past the calls in flight
 *   (a second drain, or a restarted one, sends it again).
 * - %MLS_CMD_RESUME: no attribute; the drain was cancelled
 *   (%MLS_DRAIN_F_CANCEL): the service is back, and a persistent group
 *   saved during the drain sends again once saved anew: save every
 *   persistent group. A listener that lost it (-ENOBUFS) reads
 *   /sys/kernel/mls/drain ("none").
 * - %MLS_CMD_RESERVE_LOW: %MLS_A_EPOCH (the current epoch): a
 *   %MLS_GROUP_F_PERSISTENT group used half the generations its last
 *   saved snapshot reserved in one of its sending ratchets; export it and
 *   %MLS_IOC_GROUP_SAVED before it runs out (-ENOBUFS). Once per
 *   reservation and ratchet. Also sent, once per save, when the group's
 *   receive-save policy (struct mls_set_policy.recv_save) is reached;
 *   %MLS_A_EPOCH is then the epoch of the message that reached it.
 * - %MLS_CMD_GROUP_ENDED: %MLS_A_EPOCH (the group's last epoch): a
 *   commit with %MLS_COMMIT_F_FINAL was merged, the group is now
 *   %MLS_GROUP_STATE_ENDED (for good). Sent once, after that merge's
 *   %MLS_CMD_EPOCH_CHANGED and member events. A group imported ended
 *   says so in its %MLS_CMD_GROUP_CREATED (%MLS_A_STATE) instead.
 *
 * An endpoint is %MLS_A_ENDPOINT_KIND (&enum mls_endpoint_kind) with, for
 * a user endpoint, %MLS_A_ENDPOINT_UID and %MLS_A_ENDPOINT_ID; for a
 * group's endpoints, %MLS_A_GROUP_KID (and %MLS_A_LEAF for a sender).
 */
#define MLS_GENL_NAME		"mls"
#define MLS_GENL_VERSION	1
#define MLS_GENL_MCGRP_EVENTS	"events"

enum mls_cmd {
	MLS_CMD_UNSPEC,
	MLS_CMD_GET_VERSION,
	MLS_CMD_GET_GROUP,
	/* Notifications on the "events" group. */
	MLS_CMD_GROUP_CREATED,
	MLS_CMD_GROUP_JOINED,
	MLS_CMD_GROUP_DESTROYED,
	MLS_CMD_EPOCH_CHANGED,
	MLS_CMD_EPOCH_EXPIRED,
	MLS_CMD_MEMBER_ADDED,
	MLS_CMD_MEMBER_REMOVED,
	MLS_CMD_COMMIT_CONFLICT,
	MLS_CMD_ENDPOINT_THROTTLED,
	MLS_CMD_BREAKER_CHANGED,
	MLS_CMD_PAYLOAD_REJECTED,
	MLS_CMD_SHUTDOWN,
	MLS_CMD_COMMIT_PREPARED,
	MLS_CMD_COMMIT_DISCARDED,
	MLS_CMD_RESERVE_LOW,
	MLS_CMD_RESUME,
	MLS_CMD_GROUP_ENDED,

	__MLS_CMD_MAX,
};

#define MLS_CMD_MAX (__MLS_CMD_MAX - 1)

enum mls_attr {
	MLS_A_UNSPEC,
	MLS_A_API_VERSION,		/* u32 */
	MLS_A_MODULE_VERSION,		/* string */
	MLS_A_PAD,			/* padding of the u64 attributes */
	MLS_A_GROUP_KID,		/* u32: the kernel id */
	MLS_A_GROUP_ID,			/* binary: the MLS group_id */
	MLS_A_SUITE,			/* u16: the ciphersuite */
	MLS_A_EPOCH,			/* u64 */
	MLS_A_OLD_EPOCH,		/* u64 */
	MLS_A_OLDEST_EPOCH,		/* u64: the oldest epoch still kept */
	MLS_A_OWN_LEAF,			/* u32 */
	MLS_A_LEAF_COUNT,		/* u32 */
	MLS_A_MEMBERS,			/* u32: occupied leaves */
	MLS_A_LEAF,			/* u32 */
	MLS_A_STATE,			/* u32: MLS_GROUP_STATE_* */
	MLS_A_OWNER_UID,		/* u32 */
	MLS_A_MODE,			/* u32 */
	MLS_A_GROUP_FLAGS,		/* u32: MLS_GROUP_F_* */
	MLS_A_STATS,			/* nest: enum mls_stats_attr */
	MLS_A_ERROR,			/* u32: a positive errno */
	MLS_A_ENDPOINT_KIND,		/* u32: enum mls_endpoint_kind */
	MLS_A_ENDPOINT_UID,		/* u32 */
	MLS_A_ENDPOINT_ID,		/* string */
	MLS_A_OLD_STATE,		/* u32: MLS_EVBUF_CLOSED... */
	MLS_A_BREAKER_STATE,		/* u32: MLS_EVBUF_CLOSED... */
	MLS_A_PENDING_EPOCH,		/* u64: the epoch a pending commit stages */
	MLS_A_RESERVE,			/* nest: enum mls_reserve_attr */
	MLS_A_RECV_SAVE,		/* u32: receive-save policy's N (0: off) */
	MLS_A_RECV_SAVE_FLAGS,		/* u32: MLS_RECV_SAVE_F_* */
	MLS_A_RECV_UNSAVED,		/* u64: decrypts no saved snapshot holds */

	__MLS_A_MAX,
};

#define MLS_A_MAX (__MLS_A_MAX - 1)

/* A group's counters, nested in MLS_A_STATS; every one a u64. */
enum mls_stats_attr {
	MLS_STATS_A_UNSPEC,
	MLS_STATS_A_PAD,
	MLS_STATS_A_MESSAGES_ENCRYPTED,
	MLS_STATS_A_MESSAGES_DECRYPTED,
	MLS_STATS_A_BYTES_ENCRYPTED,	/* content bytes, before padding */
	MLS_STATS_A_BYTES_DECRYPTED,
	MLS_STATS_A_AUTH_FAILURES,
	MLS_STATS_A_REPLAYS,
	MLS_STATS_A_EPOCHS_ROTATED,
	MLS_STATS_A_COMMITS_PREPARED,	/* epochs staged: PREPARE, and each COMMIT */
	MLS_STATS_A_COMMITS_MERGED,	/* epochs made current by a merge or COMMIT */
	MLS_STATS_A_COMMITS_DISCARDED,	/* pending commits discarded (any reason) */
	MLS_STATS_A_COMMITS_TIMED_OUT,	/* of which at their timeout */
	MLS_STATS_A_COMMIT_CONFLICTS,	/* EBUSY and ESTALE of commit operations */
	MLS_STATS_A_TAG_FAILURES,	/* confirmation/membership tags that differed */

	__MLS_STATS_A_MAX,
};

#define MLS_STATS_A_MAX (__MLS_STATS_A_MAX - 1)

/*
 * The send reservation of a %MLS_GROUP_F_PERSISTENT group, nested in
 * %MLS_A_RESERVE of %MLS_CMD_GET_GROUP (do and dump; not in events).
 * Generations are u64 so that "the end of the ratchet" (2^32) fits.
 */
enum mls_reserve_attr {
	MLS_RESERVE_A_UNSPEC,
	MLS_RESERVE_A_PAD,
	MLS_RESERVE_A_EPOCH,		/* u64: the current epoch, of what follows */
	MLS_RESERVE_A_SAVED,		/* u8: a snapshot of this epoch was saved */
	MLS_RESERVE_A_SAVED_SEQ,	/* u64: the last seq saved (0: none) */
	MLS_RESERVE_A_LOW,		/* u8: half a reservation used, or none left */
	MLS_RESERVE_A_HANDSHAKE_NEXT,	/* u64: next handshake generation */
	MLS_RESERVE_A_HANDSHAKE_LIMIT,	/* u64: first handshake generation not reserved */
	MLS_RESERVE_A_APPLICATION_NEXT,	/* u64 */
	MLS_RESERVE_A_APPLICATION_LIMIT, /* u64 */

	__MLS_RESERVE_A_MAX,
};

#define MLS_RESERVE_A_MAX (__MLS_RESERVE_A_MAX - 1)

/* What an event buffer endpoint named in an event is. */
enum mls_endpoint_kind {
	MLS_ENDPOINT_USER = 1,		/* made by MLS_IOC_EVBUF_CONFIG */
	MLS_ENDPOINT_SENDER,		/* a group's sender leaf (forgeries) */
	MLS_ENDPOINT_ENCRYPT,		/* a group's encrypt rate */
};

#endif /* _UAPI_LINUX_MLS_H */
