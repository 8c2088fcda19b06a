/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libmls: the thin userspace library of mls.
 *
 * It wraps every ioctl of /dev/mls and of a group fd (uapi/linux/mls.h is
 * the reference for what each one does), sizes the output buffers the
 * kernel fills, and adds what every application needs around the kernel:
 * FramedContentTBS (RFC 9420 §6.1) and its signature (OpenSSL), so that a
 * signed application message goes out with mls_send() and comes in,
 * verified, with mls_recv().
 *
 * Conventions:
 *  - Every function returns 0 (or a non-negative value where documented)
 *    on success and -errno on failure; none touches errno.
 *  - There is no global state: the caller owns every descriptor, key and
 *    buffer.
 *  - Outputs of bounded size (a signature, an authenticator) go to a
 *    caller's buffer with an in/out length: on -ENOSPC the length needed
 *    is written back. Outputs of unbounded size (messages, plaintexts,
 *    GroupContexts, group lists) are allocated by libmls, which retries
 *    with the size the kernel asks for; release them with
 *    mls_bytes_free() or mls_received_free(), which also wipe them.
 *
 * One man page per function: libmls(3) lists them.
 */
#ifndef LIBMLS_H
#define LIBMLS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/mls.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBMLS_VERSION_MAJOR	0
#define LIBMLS_VERSION_MINOR	3

/* RFC 9420 §6 WireFormat, and the largest signature any suite makes. */
#define MLS_WIRE_FORMAT_PUBLIC_MESSAGE	1
#define MLS_WIRE_FORMAT_PRIVATE_MESSAGE	2
#define MLS_SIGNATURE_MAX		160

/* TLS SignatureScheme values (RFC 8446 §4.2.3) of the seven suites. */
#define MLS_SIG_ECDSA_SECP256R1_SHA256	0x0403
#define MLS_SIG_ECDSA_SECP384R1_SHA384	0x0503
#define MLS_SIG_ECDSA_SECP521R1_SHA512	0x0603
#define MLS_SIG_ED25519			0x0807
#define MLS_SIG_ED448			0x0808

/* --------------------------------------------------------------- helpers */

/**
 * mls_buf_set() - point a struct mls_buf at @len bytes at @p
 */
static inline void mls_buf_set(struct mls_buf *b, const void *p, size_t len)
{
	b->addr = (uint64_t)(uintptr_t)p;
	b->len = (uint32_t)len;
	b->reserved = 0;
}

/**
 * mls_psk_list_set() - point a struct mls_psk_list at the @count PSKs at @psks
 */
static inline void mls_psk_list_set(struct mls_psk_list *l,
				    const struct mls_psk *psks, size_t count)
{
	l->addr = (uint64_t)(uintptr_t)psks;
	l->count = (uint32_t)count;
	l->reserved = 0;
}

/**
 * mls_suite_hash_len() - Nh of RFC 9420 ciphersuite @suite: the length of
 *	every secret the kernel takes or gives; 0 for an unknown suite
 */
static inline size_t mls_suite_hash_len(unsigned int suite)
{
	switch (suite) {
	case 1: case 2: case 3:
		return 32;
	case 7:
		return 48;
	case 4: case 5: case 6:
		return 64;
	}
	return 0;
}

/**
 * mls_suite_signature_scheme() - the MLS_SIG_* of @suite, 0 if unknown
 */
static inline int mls_suite_signature_scheme(unsigned int suite)
{
	switch (suite) {
	case 1: case 3:
		return MLS_SIG_ED25519;
	case 2:
		return MLS_SIG_ECDSA_SECP256R1_SHA256;
	case 4: case 6:
		return MLS_SIG_ED448;
	case 5:
		return MLS_SIG_ECDSA_SECP521R1_SHA512;
	case 7:
		return MLS_SIG_ECDSA_SECP384R1_SHA384;
	}
	return 0;
}

/**
 * mls_suite_name() - the RFC 9420 name of @suite, or NULL if unknown
 */
static inline const char *mls_suite_name(unsigned int suite)
{
	switch (suite) {
	case 1:
		return "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
	case 2:
		return "MLS_128_DHKEMP256_AES128GCM_SHA256_P256";
	case 3:
		return "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519";
	case 4:
		return "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448";
	case 5:
		return "MLS_256_DHKEMP521_AES256GCM_SHA512_P521";
	case 6:
		return "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448";
	case 7:
		return "MLS_256_DHKEMP384_AES256GCM_SHA384_P384";
	}
	return NULL;
}

/* Bytes libmls allocated. */
struct mls_bytes {
	uint8_t *data;
	size_t len;
};

/* Wipe and free @b->data; @b is left empty. NULL and empty are fine. */
void mls_bytes_free(struct mls_bytes *b);

/* ---------------------------------------------------- the control device */

/* Open /dev/mls (O_RDWR | O_CLOEXEC | @flags): the descriptor, or -errno. */
int mls_open(int flags);

/* MLS_IOC_GET_VERSION into @v. */
int mls_get_version(int ctl_fd, struct mls_version *v);

/*
 * MLS_IOC_GROUP_CREATE and MLS_IOC_GROUP_JOIN: the new group fd (>= 0),
 * with @g->id set to the group's kernel id, or -errno. A join from a
 * staged join: MLS_GROUP_F_STAGED and @g->staged_fd.
 */
int mls_group_create(int ctl_fd, struct mls_group_new *g);
int mls_group_join(int ctl_fd, struct mls_group_new *g);

/*
 * MLS_IOC_JOIN_STAGE: the first half of a join whose PSKs only the kernel
 * can resolve. @s->welcome_secret gets the Welcome's key; returns the
 * staged-join fd (>= 0, close-on-exec) for mls_group_join() with
 * MLS_GROUP_F_STAGED, or -errno.
 */
int mls_join_stage(int ctl_fd, struct mls_join_stage *s);

/* MLS_IOC_GROUP_OPEN: a group fd on group @id, or -errno. */
int mls_group_open(int ctl_fd, uint32_t id);

/*
 * MLS_IOC_GROUP_LIST: the kernel ids of the live groups, increasing, in
 * a fresh array (@*ids, free(3) it; NULL when there is none) of @*count.
 */
int mls_group_list(int ctl_fd, uint32_t **ids, size_t *count);

/* ------------------------------------------------------ a group's state */

/*
 * MLS_IOC_GROUP_INFO into @info. @group_id (may be NULL) gets the MLS
 * group_id, @*group_id_len is its capacity in and its length out (-ENOSPC
 * with the length needed if too small; MLS_MAX_GROUP_ID_LEN always fits).
 * The buffer fields of @info are cleared on return.
 */
int mls_group_info(int gfd, struct mls_group_info *info, void *group_id,
		   size_t *group_id_len);

/*
 * MLS_IOC_SET_POLICY: the fields of @p named by @mask (MLS_POLICY_*).
 * MLS_POLICY_RECV_SAVE is not a field of @p: it is ignored here, so that
 * MLS_POLICY_ALL leaves the receive-save policy as it is.
 */
int mls_group_set_policy(int gfd, uint32_t mask, const struct mls_policy *p);

/*
 * MLS_IOC_SET_POLICY with MLS_POLICY_RECV_SAVE: the receive-save policy
 * of a persistent group, @n decrypts (0: off) and @flags
 * (MLS_RECV_SAVE_F_STRICT). GROUP_INFO reports it (recv_save,
 * recv_save_flags, recv_unsaved).
 */
int mls_group_set_recv_save(int gfd, uint32_t n, uint32_t flags);

/* MLS_IOC_GROUP_DESTROY. */
int mls_group_destroy(int gfd);

/* ------------------------------------------------ sealed snapshots (0.5) */

/*
 * MLS_IOC_GROUP_EXPORT: the group's sealed snapshot in a fresh @snap
 * (mls_bytes_free() it), sized as the kernel asks; @seq and @epoch (may
 * be NULL) get its sequence number and current epoch.
 */
int mls_group_export(int gfd, struct mls_bytes *snap, uint64_t *seq,
		     uint64_t *epoch);

/*
 * MLS_IOC_GROUP_IMPORT: the group of the @len-byte snapshot @snap back;
 * its new group fd (>= 0), with @*id (may be NULL) its kernel id, or
 * -errno.
 */
int mls_group_import(int ctl_fd, const void *snap, size_t len, uint32_t *id);

/* ------------------------------------------ send reservation (0.6) */

/*
 * MLS_IOC_GROUP_SAVED: the snapshot @seq of the persistent group @gfd
 * (MLS_GROUP_F_PERSISTENT) is stored durably; the group may send what
 * it reserved.
 */
int mls_group_saved(int gfd, uint64_t seq);

/*
 * MLS_IOC_GROUP_IMPORT with @flags (MLS_IMPORT_F_RESUME: the snapshot is
 * the newest of its store, a persistent group sends again after its
 * reservation); otherwise as mls_group_import().
 */
int mls_group_import2(int ctl_fd, const void *snap, size_t len,
		      uint32_t flags, uint32_t *id);

/* ------------------------------------------------------- drain (0.7) */

/*
 * As mls_group_import2(), and @result (if not NULL) gets what the kernel
 * made of the import: MLS_IMPORT_R_RESUMED or MLS_IMPORT_R_RECEIVE_ONLY.
 * @flags may also be MLS_IMPORT_F_RECEIVE_ONLY (encrypt: -EROFS until
 * the group's next epoch).
 */
int mls_group_import3(int ctl_fd, const void *snap, size_t len,
		      uint32_t flags, uint32_t *id, uint32_t *result);

/*
 * MLS_IOC_DRAIN on /dev/mls (CAP_SYS_ADMIN): refuse the operations that
 * change a group (-ESHUTDOWN), wait for the calls in flight (at least
 * MLS_DRAIN_INFLIGHT_MIN_MS), send MLS_CMD_SHUTDOWN (once per drain), and
 * wait up to @timeout_ms in all (0: the module's drain_timeout_ms) for
 * every persistent group to be exported and saved. A signal whose handler
 * runs ends it with -EINTR. @flags: MLS_DRAIN_F_DESTROY (then
 * destroy every group), or MLS_DRAIN_F_CANCEL alone (service again).
 * @out, if not NULL, gets the counts (saved, not_saved, destroyed).
 */
int mls_drain(int ctl_fd, uint32_t flags, uint32_t timeout_ms,
	      struct mls_drain *out);

/*
 * MLS_IOC_GET_CONTEXT: the encoded GroupContext of epoch @*epoch (flags
 * MLS_CONTEXT_F_EPOCH) or of the current epoch (flags 0; @*epoch is set),
 * in a fresh @ctx.
 */
int mls_get_context(int gfd, uint32_t flags, uint64_t *epoch,
		    struct mls_bytes *ctx);

/* MLS_IOC_COMMIT with @c as given (see uapi/linux/mls.h). */
int mls_commit(int gfd, struct mls_commit *c);

/*
 * Pending commits: MLS_IOC_COMMIT_PREPARE stages the next epoch from @c
 * (as mls_commit() takes it) without moving the group; merge makes the
 * pending epoch @epoch (the prepared c->context.epoch) current, discard
 * erases it.
 */
int mls_commit_prepare(int gfd, struct mls_commit *c);
int mls_commit_merge(int gfd, uint64_t epoch);
int mls_commit_discard(int gfd, uint64_t epoch);

/*
 * MLS_IOC_CONFIRMATION_TAG: the confirmation_tag of the current epoch, or
 * of the pending one (@flags MLS_TAG_F_PENDING), into @tag, @*len its
 * capacity in and the tag's length (Nh) out; @epoch (may be NULL) gets
 * the epoch. The _verify form compares @tag in the kernel, in constant
 * time: 0, or -EBADMSG if it differs.
 */
int mls_confirmation_tag(int gfd, uint32_t flags, void *tag, size_t *len,
			 uint64_t *epoch);
int mls_confirmation_tag_verify(int gfd, uint32_t flags, const void *tag,
				size_t len, uint64_t *epoch);

/*
 * MLS_IOC_MEMBERSHIP_TAG: the membership_tag over the AuthenticatedContentTBM
 * @tbm with the current epoch's key or, with @flags MLS_TAG_F_EPOCH, with
 * that of epoch @*epoch; @epoch (may be NULL without MLS_TAG_F_EPOCH)
 * gets the epoch used. Output and verify as the confirmation tag's.
 */
int mls_membership_tag(int gfd, uint32_t flags, uint64_t *epoch,
		       const void *tbm, size_t tbm_len, void *tag, size_t *len);
int mls_membership_tag_verify(int gfd, uint32_t flags, uint64_t *epoch,
			      const void *tbm, size_t tbm_len, const void *tag,
			      size_t len);

/*
 * MLS_IOC_EXTERNAL_PUB: the external_pub of the current epoch, or of the
 * pending one (@flags MLS_EXTERNAL_PUB_F_PENDING), into @pub, @*len its
 * capacity in and the key's length out; @epoch (may be NULL) gets the
 * epoch.
 */
int mls_external_pub(int gfd, uint32_t flags, void *pub, size_t *len,
		     uint64_t *epoch);

/*
 * MLS_IOC_EXPORTER: MLS-Exporter(@label, @context, @len) of the current
 * epoch into @out; @epoch (may be NULL) gets the epoch.
 */
int mls_exporter(int gfd, const char *label, const void *context,
		 size_t context_len, void *out, size_t len, uint64_t *epoch);

/*
 * MLS_IOC_EPOCH_AUTHENTICATOR into @out, @*len its capacity in and the
 * authenticator's length (Nh) out; @epoch (may be NULL) gets the epoch.
 */
int mls_epoch_authenticator(int gfd, void *out, size_t *len, uint64_t *epoch);

/* ------------------------------------------------------------ messages */

/* What mls_encrypt() and mls_send() made. */
struct mls_sent {
	struct mls_bytes message;	/* the MLSMessage: mls_bytes_free() it */
	uint64_t epoch;
	uint32_t generation;
};

/* What mls_decrypt() and mls_recv() opened: mls_received_free() it. */
struct mls_received {
	/* application_data, or the raw plaintext of a proposal or commit */
	const uint8_t *content;
	size_t content_len;
	const uint8_t *authenticated_data;
	size_t authenticated_data_len;
	const uint8_t *signature;
	size_t signature_len;
	uint64_t epoch;
	uint32_t content_type;		/* enum mls_content_type */
	uint32_t sender_leaf;
	uint32_t generation;
	struct mls_bytes block;		/* where the three above live */
};

void mls_received_free(struct mls_received *r);

/*
 * MLS_IOC_ENCRYPT: protect @content (an application_data, or the raw
 * Proposal/Commit and its auth data) with @signature; @out gets a fresh
 * MLSMessage. Empty arguments may be NULL.
 */
int mls_encrypt(int gfd, uint32_t content_type,
		const void *authenticated_data, size_t authenticated_data_len,
		const void *content, size_t content_len,
		const void *signature, size_t signature_len,
		struct mls_sent *out);

/* What mls_encrypt_ex() adds to mls_encrypt(). */
struct mls_encrypt_opts {
	uint32_t flags;		/* MLS_ENCRYPT_F_* */
	uint32_t padding_block;	/* this message's padding; 0: the group's */
	uint64_t epoch;		/* with MLS_ENCRYPT_F_EPOCH: send only in it */
};

/*
 * mls_encrypt() with @opts (NULL: none): a padding of its own for this
 * message, and the epoch it must go out in (-ESTALE otherwise).
 */
int mls_encrypt_ex(int gfd, const struct mls_encrypt_opts *opts,
		   uint32_t content_type,
		   const void *authenticated_data, size_t authenticated_data_len,
		   const void *content, size_t content_len,
		   const void *signature, size_t signature_len,
		   struct mls_sent *out);

/*
 * MLS_IOC_ENCRYPT_BATCH / MLS_IOC_DECRYPT_BATCH over @count entries the
 * caller filled (each as for one MLS_IOC_ENCRYPT / MLS_IOC_DECRYPT); each
 * entry gets its own result in ->error. @status (may be NULL) receives
 * the struct mls_batch the kernel wrote back: done, lost. Returns the
 * number of entries that hold a result (@count unless entry number
 * "return" could not be read or written back), or -errno.
 */
int mls_encrypt_batch(int gfd, struct mls_encrypt_entry *entries,
		      uint32_t count, struct mls_batch *status);
int mls_decrypt_batch(int gfd, struct mls_decrypt_entry *entries,
		      uint32_t count, struct mls_batch *status);

/* MLS_IOC_DECRYPT of the MLSMessage @msg into a fresh @out. */
int mls_decrypt(int gfd, const void *msg, size_t len, struct mls_received *out);

/* The clear header of an MLSMessage holding a PrivateMessage. */
struct mls_message_header {
	uint16_t version;
	uint16_t wire_format;
	const uint8_t *group_id;	/* pointers into the message */
	size_t group_id_len;
	uint64_t epoch;
	uint32_t content_type;
	const uint8_t *authenticated_data;
	size_t authenticated_data_len;
};

/*
 * Parse the clear header of @msg without any key: which group, which
 * epoch, which content type. -EBADMSG if it is not an MLSMessage(mls10,
 * PrivateMessage) or is malformed.
 */
int mls_message_peek(const void *msg, size_t len, struct mls_message_header *h);

/* ---------------------------------------------------------- signatures */

/* A signature key (private, or public only) of one signature scheme. */
struct mls_sig_key;

enum mls_key_format {
	MLS_KEY_PRIVATE,	/* raw SignaturePrivateKey (RFC 9420 vectors) */
	MLS_KEY_PUBLIC,		/* raw SignaturePublicKey (LeafNode) */
	MLS_KEY_PEM_PRIVATE,	/* PKCS#8 PEM */
	MLS_KEY_PEM_PUBLIC,	/* SubjectPublicKeyInfo PEM */
};

/* A fresh key pair for @suite's signature scheme. */
int mls_sig_key_generate(unsigned int suite, struct mls_sig_key **key);

/*
 * A key from @len bytes at @buf in @format. @suite names the scheme; with
 * a PEM format it may be 0 (any scheme some suite uses).
 */
int mls_sig_key_import(unsigned int suite, enum mls_key_format format,
		       const void *buf, size_t len, struct mls_sig_key **key);

/* @key in @format into a fresh @out. */
int mls_sig_key_export(const struct mls_sig_key *key, enum mls_key_format format,
		       struct mls_bytes *out);

/* The MLS_SIG_* scheme of @key (> 0), or -EINVAL. */
int mls_sig_key_scheme(const struct mls_sig_key *key);

/* Wipe and free @key; NULL is fine. */
void mls_sig_key_free(struct mls_sig_key *key);

/*
 * SignWithLabel (RFC 9420 §5.1.2): sign SignContent{"MLS 1.0 " @label,
 * @content} into @sig, @*sig_len its capacity in and the signature's
 * length out (-ENOSPC with the maximum needed).
 */
int mls_sign_with_label(const struct mls_sig_key *key, const char *label,
			const void *content, size_t len, void *sig,
			size_t *sig_len);

/* VerifyWithLabel: 0 if @sig is valid, -EBADMSG if it is not. */
int mls_verify_with_label(const struct mls_sig_key *key, const char *label,
			  const void *content, size_t len, const void *sig,
			  size_t sig_len);

/* A FramedContent (§6.1) sent by a member, with its GroupContext. */
struct mls_framed_content {
	uint16_t wire_format;		/* MLS_WIRE_FORMAT_*; 0 is private */
	const void *group_id;
	size_t group_id_len;
	uint64_t epoch;
	uint32_t sender_leaf;
	const void *authenticated_data;
	size_t authenticated_data_len;
	uint32_t content_type;		/* enum mls_content_type */
	/* application_data (libmls adds its length), or an encoded
	 * Proposal or Commit
	 */
	const void *content;
	size_t content_len;
	const void *context;		/* the encoded GroupContext */
	size_t context_len;
};

/* The encoded FramedContentTBS of @fc into a fresh @tbs. */
int mls_framed_content_tbs(const struct mls_framed_content *fc,
			   struct mls_bytes *tbs);

/* The fields of a GroupContext (§8.1); version is mls10. */
struct mls_group_context_fields {
	uint16_t cipher_suite;
	const void *group_id;
	size_t group_id_len;
	uint64_t epoch;
	const void *tree_hash;
	size_t tree_hash_len;
	const void *confirmed_transcript_hash;
	size_t confirmed_transcript_hash_len;
	/* the content of extensions<V> (libmls adds its length) */
	const void *extensions;
	size_t extensions_len;
};

/*
 * The encoded GroupContext of @f into a fresh @out: the bytes
 * mls_get_context() returns for that epoch.
 */
int mls_group_context_encode(const struct mls_group_context_fields *f,
			     struct mls_bytes *out);

/* ------------------------------------------- signed application messages */

/*
 * Sign @data (with @aad as authenticated_data) with @key over the current
 * epoch's FramedContentTBS and encrypt it: @out gets the MLSMessage.
 * Three ioctls; a program that sends more than once uses a sender.
 */
int mls_send(int gfd, const struct mls_sig_key *key, const void *data,
	     size_t len, const void *aad, size_t aad_len, struct mls_sent *out);

/*
 * A sender: mls_send() for one group fd and key, keeping the GroupContext
 * of the epoch it last saw, so that a send is one ioctl until the epoch
 * changes. One thread at a time per sender; @gfd and @key stay the
 * caller's and must outlive it.
 */
struct mls_sender;

int mls_sender_new(int gfd, const struct mls_sig_key *key,
		   struct mls_sender **s);
/* mls_send() through @s; @padding_block as in struct mls_encrypt_opts. */
int mls_sender_send(struct mls_sender *s, const void *data, size_t len,
		    const void *aad, size_t aad_len, uint32_t padding_block,
		    struct mls_sent *out);
void mls_sender_free(struct mls_sender *s);

/*
 * Where mls_recv() finds a sender's key: set @*key (borrowed: libmls does
 * not free it) for member @leaf in @epoch and return 0, or return -errno
 * (-ENOKEY: unknown sender), which mls_recv() passes on.
 */
typedef int (*mls_sender_key_fn)(void *arg, uint32_t leaf, uint64_t epoch,
				 const struct mls_sig_key **key);

/*
 * Decrypt the application message @msg and verify its signature with the
 * sender's key from @lookup: @out gets the verified message.
 */
int mls_recv(int gfd, mls_sender_key_fn lookup, void *arg, const void *msg,
	     size_t len, struct mls_received *out);

/* ------------------------------------------------ events and group dump */

/*
 * The generic netlink family "mls" (uapi/linux/mls.h, "DOC: Generic
 * netlink family"): its "events" multicast group, and the groups'
 * metadata and counters. libmls talks to it through libnl-genl-3 and
 * checks every attribute's length and content before using it: a message
 * that fails is reported (-EPROTO), never half-decoded.
 *
 * Ownership and threads: a struct mls_events belongs to its caller and is
 * used by one thread at a time (libmls takes no lock); distinct handles,
 * and the dump functions (each with its own socket), are independent.
 * libmls neither reads nor writes anything global.
 *
 * Fields: which fields of an event or a group status are set is in its
 * @present mask, bit MLS_HAS(MLS_A_*) per netlink attribute; a field the
 * kernel did not send (another event type, an older module) is 0 and its
 * bit clear. Structures only grow at the end, into their reserved words.
 */

/* The bit of @present that says the field of netlink attribute @attr is set. */
#define MLS_HAS(attr)		(1ULL << (attr))

/*
 * Not a notification: the kernel dropped events (the socket's receive
 * buffer was full, recv() said ENOBUFS). Rebuild the view of the groups
 * from mls_groups_dump(), then go on with mls_events_next().
 */
#define MLS_EVENT_LOST		0x10000

/* One event: its @type is the MLS_CMD_* of the notification, or MLS_EVENT_LOST. */
struct mls_event {
	uint32_t type;
	uint32_t group_kid;			/* MLS_A_GROUP_KID */
	uint64_t present;			/* MLS_HAS() bits */
	struct timespec time;			/* received (CLOCK_REALTIME) */
	uint64_t epoch;				/* MLS_A_EPOCH */
	uint64_t old_epoch;			/* MLS_A_OLD_EPOCH */
	uint64_t oldest_epoch;			/* MLS_A_OLDEST_EPOCH */
	uint32_t group_id_len;			/* MLS_A_GROUP_ID */
	uint16_t suite;				/* MLS_A_SUITE */
	uint8_t group_id[MLS_MAX_GROUP_ID_LEN];
	uint8_t pad[3];
	uint32_t own_leaf;			/* MLS_A_OWN_LEAF */
	uint32_t leaf_count;			/* MLS_A_LEAF_COUNT */
	uint32_t members;			/* MLS_A_MEMBERS */
	uint32_t leaf;				/* MLS_A_LEAF */
	uint32_t state;				/* MLS_A_STATE: MLS_GROUP_STATE_* */
	uint32_t owner_uid;			/* MLS_A_OWNER_UID */
	uint32_t mode;				/* MLS_A_MODE */
	uint32_t group_flags;			/* MLS_A_GROUP_FLAGS: MLS_GROUP_F_* */
	uint32_t error;				/* MLS_A_ERROR: a positive errno */
	uint32_t endpoint_kind;			/* MLS_A_ENDPOINT_KIND */
	uint32_t endpoint_uid;			/* MLS_A_ENDPOINT_UID */
	uint32_t old_state;			/* MLS_A_OLD_STATE: MLS_EVBUF_* */
	uint32_t breaker_state;			/* MLS_A_BREAKER_STATE */
	uint32_t pad2;
	char endpoint_id[MLS_EVBUF_ID_SIZE];	/* MLS_A_ENDPOINT_ID, NUL-ended */
	uint64_t pending_epoch;			/* MLS_A_PENDING_EPOCH (0.3) */
	uint64_t reserved[7];
};

/* One group as MLS_CMD_GET_GROUP reports it: metadata and counters. */
struct mls_group_status {
	uint32_t kid;				/* MLS_A_GROUP_KID */
	uint32_t pad;
	uint64_t present;			/* MLS_HAS() bits */
	uint64_t epoch;				/* MLS_A_EPOCH */
	uint64_t oldest_epoch;			/* MLS_A_OLDEST_EPOCH */
	uint32_t group_id_len;			/* MLS_A_GROUP_ID */
	uint16_t suite;				/* MLS_A_SUITE */
	uint8_t group_id[MLS_MAX_GROUP_ID_LEN];
	uint8_t pad2[3];
	uint32_t own_leaf;			/* MLS_A_OWN_LEAF */
	uint32_t leaf_count;			/* MLS_A_LEAF_COUNT */
	uint32_t members;			/* MLS_A_MEMBERS */
	uint32_t state;				/* MLS_A_STATE */
	uint32_t owner_uid;			/* MLS_A_OWNER_UID */
	uint32_t mode;				/* MLS_A_MODE */
	uint32_t group_flags;			/* MLS_A_GROUP_FLAGS */
	uint32_t pad3;
	/* MLS_A_STATS: bit MLS_HAS(MLS_STATS_A_*) of each counter set */
	uint64_t stats_present;
	uint64_t messages_encrypted;
	uint64_t messages_decrypted;
	uint64_t bytes_encrypted;		/* content bytes, before padding */
	uint64_t bytes_decrypted;
	uint64_t auth_failures;
	uint64_t replays;
	uint64_t epochs_rotated;
	/* since libmls 0.3 */
	uint64_t commits_prepared;
	uint64_t commits_merged;
	uint64_t commits_discarded;
	uint64_t commits_timed_out;		/* of which at their timeout */
	uint64_t commit_conflicts;		/* EBUSY and ESTALE */
	uint64_t tag_failures;
	/* the receive-save policy (reserved[2] before libmls 0.8; not stats) */
	uint32_t recv_save;			/* MLS_A_RECV_SAVE: N, 0: off */
	uint32_t recv_save_flags;		/* MLS_A_RECV_SAVE_FLAGS */
	uint64_t recv_unsaved;			/* MLS_A_RECV_UNSAVED */
};

/* A subscription to the "events" multicast group. */
struct mls_events;

/*
 * Subscribe to the events into a fresh @*ev; @flags must be 0. -ENOENT:
 * no family "mls" (the module is not loaded); -EPERM: the caller lacks
 * CAP_NET_ADMIN (events name every user's groups).
 */
int mls_events_open(unsigned int flags, struct mls_events **ev);

/*
 * The netlink socket of @ev, to poll(2) for POLLIN (an event, or lost
 * ones: POLLERR). It stays @ev's: do not read from it or close it
 * (setsockopt(SO_RCVBUF) is fine). -EINVAL if @ev is NULL.
 */
int mls_events_fd(const struct mls_events *ev);

/*
 * The next event into @out, waiting at most @timeout_ms (< 0: as long as
 * it takes; 0: not at all). 0, or -EAGAIN (none, @timeout_ms 0),
 * -ETIMEDOUT (none in time), -EINTR (a signal came), -EPROTO (a malformed
 * message, dropped: call again), -errno of recv(2). Events arrive in the
 * order the kernel sent them; MLS_EVENT_LOST says some were dropped.
 */
int mls_events_next(struct mls_events *ev, struct mls_event *out, int timeout_ms);

/* Unsubscribe and free @ev; NULL is fine. */
void mls_events_close(struct mls_events *ev);

/*
 * Every group the caller may see (its own, those whose mode lets it read,
 * all with CAP_NET_ADMIN), in increasing kernel id order, in a fresh array
 * (@*groups, free(3) it; NULL when there is none) of @*count. A dump the
 * kernel says changes interrupted is asked again. -ENOENT: no family.
 */
int mls_groups_dump(struct mls_group_status **groups, size_t *count);

/* Group @kid into @st; -ENOENT if there is none the caller may see. */
int mls_group_get_status(uint32_t kid, struct mls_group_status *st);

/*
 * mls_event_name() - the name of event type @type ("group_created",
 *	"lost"...), or NULL if libmls does not know it (a newer module)
 */
static inline const char *mls_event_name(uint32_t type)
{
	switch (type) {
	case MLS_CMD_GROUP_CREATED:
		return "group_created";
	case MLS_CMD_GROUP_JOINED:
		return "group_joined";
	case MLS_CMD_GROUP_DESTROYED:
		return "group_destroyed";
	case MLS_CMD_EPOCH_CHANGED:
		return "epoch_changed";
	case MLS_CMD_EPOCH_EXPIRED:
		return "epoch_expired";
	case MLS_CMD_MEMBER_ADDED:
		return "member_added";
	case MLS_CMD_MEMBER_REMOVED:
		return "member_removed";
	case MLS_CMD_COMMIT_CONFLICT:
		return "commit_conflict";
	case MLS_CMD_ENDPOINT_THROTTLED:
		return "endpoint_throttled";
	case MLS_CMD_BREAKER_CHANGED:
		return "breaker_changed";
	case MLS_CMD_PAYLOAD_REJECTED:
		return "payload_rejected";
	case MLS_CMD_SHUTDOWN:
		return "shutdown";
	case MLS_CMD_COMMIT_PREPARED:
		return "commit_prepared";
	case MLS_CMD_COMMIT_DISCARDED:
		return "commit_discarded";
	case MLS_CMD_RESERVE_LOW:
		return "reserve_low";
	case MLS_CMD_RESUME:
		return "resume";
	case MLS_CMD_GROUP_ENDED:
		return "group_ended";
	case MLS_EVENT_LOST:
		return "lost";
	}
	return NULL;
}

/*
 * mls_breaker_state_name() - "closed", "open", "half-open", "forced-open"
 *	for MLS_EVBUF_CLOSED...; NULL if unknown
 */
static inline const char *mls_breaker_state_name(uint32_t state)
{
	switch (state) {
	case MLS_EVBUF_CLOSED:
		return "closed";
	case MLS_EVBUF_OPEN:
		return "open";
	case MLS_EVBUF_HALF_OPEN:
		return "half-open";
	case MLS_EVBUF_FORCED_OPEN:
		return "forced-open";
	}
	return NULL;
}

/*
 * mls_endpoint_kind_name() - "user", "sender", "encrypt" for enum
 *	mls_endpoint_kind; NULL if unknown
 */
static inline const char *mls_endpoint_kind_name(uint32_t kind)
{
	switch (kind) {
	case MLS_ENDPOINT_USER:
		return "user";
	case MLS_ENDPOINT_SENDER:
		return "sender";
	case MLS_ENDPOINT_ENCRYPT:
		return "encrypt";
	}
	return NULL;
}

/*
 * The event buffer's ioctls (MLS_IOC_EVBUF_*, /dev/mls) get their wrappers
 * in evbuf.c, exported under a version node of their own in libmls.map.
 */

#ifdef __cplusplus
}
#endif

#endif /* LIBMLS_H */
