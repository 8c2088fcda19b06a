// SPDX-License-Identifier: GPL-2.0
/*
 * Groups: lifecycle and access, and every bad-argument case of every
 * group ioctl of uapi/linux/mls.h (struct sizes, flags, reserved fields,
 * bad addresses, out-of-range values, the wrong fd), each with the errno
 * the header documents.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"

/* The same ioctl with another struct size in its number. */
#define IOC_RESIZE(cmd, sz) _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (sz))

#define BUF_ADDR(type, f)	(offsetof(type, f) + offsetof(struct mls_buf, addr))
#define BUF_RES(type, f)	(offsetof(type, f) + offsetof(struct mls_buf, reserved))

/* Every argument struct, with room for a tail a newer header might add. */
union arg {
	struct mls_group_new new;
	struct mls_group_open open;
	struct mls_group_list list;
	struct mls_encrypt enc;
	struct mls_decrypt dec;
	struct mls_commit commit;
	struct mls_exporter exp;
	struct mls_authenticator auth;
	struct mls_group_info info;
	struct mls_get_context ctx;
	struct mls_set_policy pol;
	struct mls_group_destroy destroy;
	struct mls_commit_pending pend;
	struct mls_tag tag;
	struct mls_join_stage stage;
	__u64 raw[64];
};

enum arg_kind {
	K_CREATE_PLAIN,
	K_CREATE_INPUTS,
	K_CREATE_INSTALL,
	K_JOIN,
	K_OPEN,
	K_LIST,
	K_ENCRYPT,
	K_DECRYPT,
	K_COMMIT,
	K_COMMIT_SECRETS,
	K_COMMIT_INSTALL,
	K_EXPORTER,
	K_AUTH,
	K_INFO,
	K_CONTEXT,
	K_POLICY,
	K_DESTROY,
	K_PREPARE,
	K_MERGE,
	K_DISCARD,
	K_CONF_TAG,
	K_MEMB_TAG,
	K_JOIN_STAGE,
	K_NR,
};

#define END	((size_t)-1)

/*
 * One valid call of each ioctl: which fd it goes to, the flags it may
 * carry, its reserved fields (u32 each) and the buffers it reads or
 * writes (non-empty in the valid call).
 */
struct ioc_desc {
	const char *name;
	unsigned long cmd;
	size_t size0;
	bool on_ctl;
	__u32 flags_ok;
	size_t reserved[24];
	size_t bufs[16];
};

#define NEW_RESERVED								\
	offsetof(struct mls_group_new, reserved0),				\
	BUF_RES(struct mls_group_new, group_id),				\
	BUF_RES(struct mls_group_new, init_secret),				\
	BUF_RES(struct mls_group_new, joiner_secret),				\
	BUF_RES(struct mls_group_new, commit_secret),				\
	BUF_RES(struct mls_group_new, psk_secret),				\
	BUF_RES(struct mls_group_new, encryption_secret),			\
	BUF_RES(struct mls_group_new, sender_data_secret),			\
	BUF_RES(struct mls_group_new, context.tree_hash),			\
	BUF_RES(struct mls_group_new, context.confirmed_transcript_hash),	\
	BUF_RES(struct mls_group_new, context.extensions),			\
	BUF_RES(struct mls_group_new, roster.occupied),				\
	offsetof(struct mls_group_new, psks.reserved),				\
	offsetof(struct mls_group_new, reserved1)

#define COMMIT_RESERVED								\
	offsetof(struct mls_commit, reserved0),					\
	BUF_RES(struct mls_commit, commit_secret),				\
	BUF_RES(struct mls_commit, psk_secret),					\
	BUF_RES(struct mls_commit, encryption_secret),				\
	BUF_RES(struct mls_commit, sender_data_secret),				\
	BUF_RES(struct mls_commit, context.tree_hash),				\
	BUF_RES(struct mls_commit, context.confirmed_transcript_hash),		\
	BUF_RES(struct mls_commit, context.extensions),				\
	BUF_RES(struct mls_commit, roster.occupied),				\
	BUF_RES(struct mls_commit, joiner_secret),				\
	BUF_RES(struct mls_commit, welcome_secret),				\
	offsetof(struct mls_commit, psks.reserved),				\
	BUF_RES(struct mls_commit, kem_output)

#define CTX_BUFS(type)								\
	BUF_ADDR(type, context.tree_hash),					\
	BUF_ADDR(type, context.confirmed_transcript_hash),			\
	BUF_ADDR(type, context.extensions),					\
	BUF_ADDR(type, roster.occupied)

static const struct ioc_desc iocs[K_NR] = {
	[K_CREATE_PLAIN] = {
		"GROUP_CREATE", MLS_IOC_GROUP_CREATE, MLS_GROUP_NEW_SIZE_VER0, true,
		MLS_GROUP_F_EPHEMERAL,
		{ NEW_RESERVED, END },
		{ BUF_ADDR(struct mls_group_new, group_id), END },
	},
	[K_CREATE_INPUTS] = {
		"GROUP_CREATE from inputs", MLS_IOC_GROUP_CREATE, MLS_GROUP_NEW_SIZE_VER0, true,
		MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_FROM_INPUTS,
		{ NEW_RESERVED, END },
		{ BUF_ADDR(struct mls_group_new, group_id),
		  BUF_ADDR(struct mls_group_new, init_secret),
		  BUF_ADDR(struct mls_group_new, commit_secret),
		  BUF_ADDR(struct mls_group_new, psk_secret),
		  CTX_BUFS(struct mls_group_new), END },
	},
	[K_CREATE_INSTALL] = {
		"GROUP_CREATE install", MLS_IOC_GROUP_CREATE, MLS_GROUP_NEW_SIZE_VER0, true,
		MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_INSTALL,
		{ NEW_RESERVED, END },
		{ BUF_ADDR(struct mls_group_new, group_id),
		  BUF_ADDR(struct mls_group_new, encryption_secret),
		  BUF_ADDR(struct mls_group_new, sender_data_secret),
		  CTX_BUFS(struct mls_group_new), END },
	},
	[K_JOIN] = {
		"GROUP_JOIN", MLS_IOC_GROUP_JOIN, MLS_GROUP_NEW_SIZE_VER0, true,
		MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_PERSISTENT,
		{ NEW_RESERVED, END },
		{ BUF_ADDR(struct mls_group_new, group_id),
		  BUF_ADDR(struct mls_group_new, joiner_secret),
		  BUF_ADDR(struct mls_group_new, psk_secret),
		  CTX_BUFS(struct mls_group_new), END },
	},
	[K_OPEN] = {
		"GROUP_OPEN", MLS_IOC_GROUP_OPEN, MLS_GROUP_OPEN_SIZE_VER0, true, 0,
		{ END }, { END },
	},
	[K_LIST] = {
		"GROUP_LIST", MLS_IOC_GROUP_LIST, MLS_GROUP_LIST_SIZE_VER0, true, 0,
		{ END }, { offsetof(struct mls_group_list, ids), END },
	},
	[K_ENCRYPT] = {
		"ENCRYPT", MLS_IOC_ENCRYPT, MLS_ENCRYPT_SIZE_VER0, false, MLS_ENCRYPT_F_EPOCH,
		{ offsetof(struct mls_encrypt, reserved),
		  offsetof(struct mls_encrypt, reserved1),
		  BUF_RES(struct mls_encrypt, authenticated_data),
		  BUF_RES(struct mls_encrypt, content),
		  BUF_RES(struct mls_encrypt, signature),
		  BUF_RES(struct mls_encrypt, message), END },
		{ BUF_ADDR(struct mls_encrypt, authenticated_data),
		  BUF_ADDR(struct mls_encrypt, content),
		  BUF_ADDR(struct mls_encrypt, signature),
		  BUF_ADDR(struct mls_encrypt, message), END },
	},
	[K_DECRYPT] = {
		"DECRYPT", MLS_IOC_DECRYPT, MLS_DECRYPT_SIZE_VER0, false, MLS_DECRYPT_F_ALL,
		{ offsetof(struct mls_decrypt, reserved0),
		  offsetof(struct mls_decrypt, reserved1),
		  BUF_RES(struct mls_decrypt, message),
		  BUF_RES(struct mls_decrypt, authenticated_data),
		  BUF_RES(struct mls_decrypt, content),
		  BUF_RES(struct mls_decrypt, signature), END },
		{ BUF_ADDR(struct mls_decrypt, message),
		  BUF_ADDR(struct mls_decrypt, authenticated_data),
		  BUF_ADDR(struct mls_decrypt, content),
		  BUF_ADDR(struct mls_decrypt, signature), END },
	},
	[K_COMMIT] = {
		"COMMIT", MLS_IOC_COMMIT, MLS_COMMIT_SIZE_VER0, false, 0,
		{ COMMIT_RESERVED, END },
		{ BUF_ADDR(struct mls_commit, commit_secret),
		  BUF_ADDR(struct mls_commit, psk_secret),
		  CTX_BUFS(struct mls_commit), END },
	},
	[K_COMMIT_SECRETS] = {
		"COMMIT return secrets", MLS_IOC_COMMIT, MLS_COMMIT_SIZE_VER0, false,
		MLS_COMMIT_F_RETURN_SECRETS,
		{ COMMIT_RESERVED, END },
		{ BUF_ADDR(struct mls_commit, commit_secret),
		  BUF_ADDR(struct mls_commit, joiner_secret),
		  BUF_ADDR(struct mls_commit, welcome_secret), END },
	},
	[K_COMMIT_INSTALL] = {
		"COMMIT install", MLS_IOC_COMMIT, MLS_COMMIT_SIZE_VER0, false,
		MLS_COMMIT_F_INSTALL,
		{ COMMIT_RESERVED, END },
		{ BUF_ADDR(struct mls_commit, encryption_secret),
		  BUF_ADDR(struct mls_commit, sender_data_secret), END },
	},
	[K_EXPORTER] = {
		"EXPORTER", MLS_IOC_EXPORTER, MLS_EXPORTER_SIZE_VER0, false, 0,
		{ offsetof(struct mls_exporter, reserved0),
		  BUF_RES(struct mls_exporter, label),
		  BUF_RES(struct mls_exporter, context),
		  BUF_RES(struct mls_exporter, secret), END },
		{ BUF_ADDR(struct mls_exporter, label),
		  BUF_ADDR(struct mls_exporter, context),
		  BUF_ADDR(struct mls_exporter, secret), END },
	},
	[K_AUTH] = {
		"EPOCH_AUTHENTICATOR", MLS_IOC_EPOCH_AUTHENTICATOR, MLS_AUTHENTICATOR_SIZE_VER0,
		false, 0,
		{ offsetof(struct mls_authenticator, reserved0),
		  BUF_RES(struct mls_authenticator, authenticator), END },
		{ BUF_ADDR(struct mls_authenticator, authenticator), END },
	},
	[K_INFO] = {
		"GROUP_INFO", MLS_IOC_GROUP_INFO, MLS_GROUP_INFO_SIZE_VER0, false, 0,
		{ offsetof(struct mls_group_info, reserved0),
		  BUF_RES(struct mls_group_info, group_id), END },
		{ BUF_ADDR(struct mls_group_info, group_id), END },
	},
	[K_CONTEXT] = {
		"GET_CONTEXT", MLS_IOC_GET_CONTEXT, MLS_GET_CONTEXT_SIZE_VER0, false,
		MLS_CONTEXT_F_EPOCH,
		{ offsetof(struct mls_get_context, reserved0),
		  BUF_RES(struct mls_get_context, context), END },
		{ BUF_ADDR(struct mls_get_context, context), END },
	},
	[K_POLICY] = {
		"SET_POLICY", MLS_IOC_SET_POLICY, MLS_SET_POLICY_SIZE_VER0, false, 0,
		{ END },
		{ END },
	},
	[K_DESTROY] = {
		"GROUP_DESTROY", MLS_IOC_GROUP_DESTROY, MLS_GROUP_DESTROY_SIZE_VER0, false, 0,
		{ offsetof(struct mls_group_destroy, reserved), END },
		{ END },
	},
	[K_PREPARE] = {
		"COMMIT_PREPARE", MLS_IOC_COMMIT_PREPARE, MLS_COMMIT_SIZE_VER0, false, 0,
		{ COMMIT_RESERVED, END },
		{ BUF_ADDR(struct mls_commit, commit_secret),
		  BUF_ADDR(struct mls_commit, psk_secret),
		  CTX_BUFS(struct mls_commit), END },
	},
	[K_MERGE] = {
		"COMMIT_MERGE", MLS_IOC_COMMIT_MERGE, MLS_COMMIT_PENDING_SIZE_VER0, false, 0,
		{ offsetof(struct mls_commit_pending, reserved0), END },
		{ END },
	},
	[K_DISCARD] = {
		"COMMIT_DISCARD", MLS_IOC_COMMIT_DISCARD, MLS_COMMIT_PENDING_SIZE_VER0, false, 0,
		{ offsetof(struct mls_commit_pending, reserved0), END },
		{ END },
	},
	[K_CONF_TAG] = {
		"CONFIRMATION_TAG", MLS_IOC_CONFIRMATION_TAG, MLS_TAG_SIZE_VER0, false,
		MLS_TAG_F_VERIFY | MLS_TAG_F_PENDING,
		{ offsetof(struct mls_tag, reserved0),
		  BUF_RES(struct mls_tag, data),
		  BUF_RES(struct mls_tag, tag), END },
		{ BUF_ADDR(struct mls_tag, tag), END },
	},
	[K_MEMB_TAG] = {
		"MEMBERSHIP_TAG", MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_SIZE_VER0, false,
		MLS_TAG_F_VERIFY | MLS_TAG_F_EPOCH,
		{ offsetof(struct mls_tag, reserved0),
		  BUF_RES(struct mls_tag, data),
		  BUF_RES(struct mls_tag, tag), END },
		{ BUF_ADDR(struct mls_tag, data),
		  BUF_ADDR(struct mls_tag, tag), END },
	},
	/* reserved0 is a __u16 (the u32 probe would reach timeout_ms): handshake_test. */
	[K_JOIN_STAGE] = {
		"JOIN_STAGE", MLS_IOC_JOIN_STAGE, MLS_JOIN_STAGE_SIZE_VER0, true, 0,
		{ offsetof(struct mls_join_stage, reserved1),
		  BUF_RES(struct mls_join_stage, joiner_secret),
		  BUF_RES(struct mls_join_stage, psk_secret),
		  offsetof(struct mls_join_stage, psks.reserved),
		  BUF_RES(struct mls_join_stage, welcome_secret), END },
		{ BUF_ADDR(struct mls_join_stage, joiner_secret),
		  BUF_ADDR(struct mls_join_stage, psk_secret),
		  BUF_ADDR(struct mls_join_stage, welcome_secret), END },
	},
};

/*
 * The argument fixture: a pair (A, B) for the group ioctls, a second pair
 * whose A2 makes a fresh message for each DECRYPT on B2, a victim group
 * for each DESTROY, and a group made from inputs whose epochs only
 * PREPARE, MERGE and DISCARD move.
 */
FIXTURE(args) {
	struct pair p, q;
	int victim;
	int pg;
	struct msg m;
	struct grp_inputs in;
	uint8_t secret[4][MLS_MAX_HASH_LEN];
	uint8_t out[4][MSG_MAX];
	uint8_t occ[2];
	__u32 ids[4096];
};

FIXTURE_SETUP(args)
{
	ASSERT_EQ(0, pair_make(&self->p, 1));
	ASSERT_EQ(0, pair_make(&self->q, 1));
	self->victim = -1;
	inputs_random(&self->in, 1);
	self->in.ext_len = 6;
	memcpy(self->in.ext, "\x00\x01\x02\x00\x00\x00", 6);
	rand_bytes(self->secret, sizeof(self->secret));
	self->occ[0] = 0x03;
	self->occ[1] = 0;
	{
		struct mls_group_new n;

		new_from_inputs(&n, &self->in, 0, 2, self->occ, 1, MLS_GROUP_F_EPHEMERAL);
		self->pg = grp_create(self->p.ctl, &n);
		ASSERT_LE(0, self->pg);
	}
}

FIXTURE_TEARDOWN(args)
{
	pair_close(&self->p);
	pair_close(&self->q);
	if (self->victim >= 0)
		close(self->victim);
	if (self->pg >= 0)
		close(self->pg);
}

/* A COMMIT_PREPARE argument for the group pg; whatever it had pending is discarded. */
static int prepare_arg(FIXTURE_DATA(args) *self, struct mls_commit *c)
{
	struct mls_commit_pending d = { 0 };
	struct grp_inputs next;
	int64_t epoch = grp_epoch(self->pg);

	if (epoch < 0)
		return -1;
	d.epoch = (uint64_t)epoch + 1;
	xioctl(self->pg, MLS_IOC_COMMIT_DISCARD, &d);
	next = self->in;
	next.epoch = (uint64_t)epoch + 1;
	commit_init(c, 1, self->secret[3], self->secret[2], &next, 0, 2, self->occ, 1);
	return self->pg;
}

/* Fill @a with a valid call of @k; returns the fd to issue it on. */
static int valid_arg(FIXTURE_DATA(args) *self, enum arg_kind k, union arg *a)
{
	struct pair *p = &self->p;
	struct grp_inputs next;
	int64_t epoch;

	memset(a, 0, sizeof(*a));
	switch (k) {
	case K_CREATE_PLAIN:
		new_plain(&a->new, 1, self->in.group_id, self->in.group_id_len,
			  MLS_GROUP_F_EPHEMERAL);
		return p->ctl;
	case K_CREATE_INPUTS:
		new_from_inputs(&a->new, &self->in, 0, 2, self->occ, 1, MLS_GROUP_F_EPHEMERAL);
		return p->ctl;
	case K_CREATE_INSTALL:
		new_install(&a->new, &self->in, self->secret[0], self->secret[1], 1, 2,
			    self->occ, 1, MLS_GROUP_F_EPHEMERAL);
		return p->ctl;
	case K_JOIN:
		new_join(&a->new, &self->in, self->secret[2], 1, 2, self->occ, 1,
			 MLS_GROUP_F_EPHEMERAL);
		return p->ctl;
	case K_OPEN:
		a->open.id = p->a_id;
		return p->ctl;
	case K_LIST:
		a->list.count = sizeof(self->ids) / sizeof(self->ids[0]);
		a->list.ids = U64(self->ids);
		return p->ctl;
	case K_ENCRYPT:
		enc_init(&a->enc, MLS_CONTENT_APPLICATION, "aad", 3, "content", 7, p->sig,
			 p->sig_len, self->out[0], MSG_MAX);
		return p->a;
	case K_DECRYPT:
		/* Every output non-empty, so that each is written. */
		if (grp_encrypt(self->q.a, MLS_CONTENT_APPLICATION, "aad", 3, "to decrypt", 10,
				self->q.sig, self->q.sig_len, &self->m))
			return -1;
		memset(&a->dec, 0, sizeof(a->dec));
		mbuf(&a->dec.message, self->m.buf, self->m.len);
		mbuf(&a->dec.authenticated_data, self->out[0], 64);
		mbuf(&a->dec.content, self->out[1], 64);
		mbuf(&a->dec.signature, self->out[2], 64);
		return self->q.b;
	case K_COMMIT:
	case K_COMMIT_SECRETS:
	case K_COMMIT_INSTALL:
		epoch = grp_epoch(p->a);
		if (epoch < 0)
			return -1;
		next = self->in;
		next.epoch = (uint64_t)epoch + 1;
		commit_init(&a->commit, 1, self->secret[3], self->secret[2], &next, 0, 2,
			    self->occ, 1);
		if (k == K_COMMIT_SECRETS) {
			a->commit.flags = MLS_COMMIT_F_RETURN_SECRETS;
			mbuf(&a->commit.joiner_secret, self->out[0], 64);
			mbuf(&a->commit.welcome_secret, self->out[1], 64);
		} else if (k == K_COMMIT_INSTALL) {
			a->commit.flags = MLS_COMMIT_F_INSTALL;
			mbuf(&a->commit.commit_secret, NULL, 0);
			mbuf(&a->commit.psk_secret, NULL, 0);
			mbuf(&a->commit.encryption_secret, self->secret[0], 32);
			mbuf(&a->commit.sender_data_secret, self->secret[1], 32);
		}
		return p->a;
	/* B never commits: A may be in an installed epoch by now. */
	case K_EXPORTER:
		mbuf(&a->exp.label, "label", 5);
		mbuf(&a->exp.context, "context", 7);
		mbuf(&a->exp.secret, self->out[0], 32);
		return p->b;
	case K_AUTH:
		mbuf(&a->auth.authenticator, self->out[0], 64);
		return p->b;
	case K_INFO:
		mbuf(&a->info.group_id, self->out[0], 256);
		return p->b;
	case K_CONTEXT:
		mbuf(&a->ctx.context, self->out[0], MSG_MAX);
		return p->b;
	case K_POLICY:
		a->pol.mask = MLS_POLICY_OUT_OF_ORDER;
		a->pol.policy.out_of_order = 8;
		return p->b;
	case K_DESTROY:
		if (self->victim >= 0)
			close(self->victim);
		self->victim = grp_plain(p->ctl, 1, MLS_GROUP_F_EPHEMERAL, NULL);
		return self->victim;
	case K_PREPARE:
		return prepare_arg(self, &a->commit);
	case K_MERGE:
	case K_DISCARD: {
		struct mls_commit c;
		int fd = prepare_arg(self, &c);

		if (fd < 0 || xioctl(fd, MLS_IOC_COMMIT_PREPARE, &c))
			return -1;
		a->pend.epoch = c.context.epoch;
		return fd;
	}
	case K_CONF_TAG:
		mbuf(&a->tag.tag, self->out[0], 64);
		return p->b;
	case K_MEMB_TAG:
		mbuf(&a->tag.data, "AuthenticatedContentTBM", 23);
		mbuf(&a->tag.tag, self->out[0], 64);
		return p->b;
	case K_JOIN_STAGE:
		a->stage.suite = 1;
		mbuf(&a->stage.joiner_secret, self->secret[2], 32);
		mbuf(&a->stage.psk_secret, self->secret[1], 32);
		mbuf(&a->stage.welcome_secret, self->out[0], 64);
		return p->ctl;
	case K_NR:
		break;
	}
	return -1;
}

/* Issue @cmd; close a returned fd. 0 (or fd >= 0 -> 0) or -errno. */
static int issue(int fd, unsigned long cmd, void *arg)
{
	int r = xioctl(fd, cmd, arg);

	if (r > 0 && (_IOC_NR(cmd) >= 0x10 && _IOC_NR(cmd) <= 0x14))
		close(r);
	return r > 0 ? 0 : r;
}

/* The struct sizes of the header are the first published ones. */
TEST(uapi_struct_sizes)
{
	EXPECT_EQ(16, sizeof(struct mls_buf));
	EXPECT_EQ(MLS_GROUP_NEW_SIZE_VER1, sizeof(struct mls_group_new));
	EXPECT_EQ(MLS_GROUP_OPEN_SIZE_VER0, sizeof(struct mls_group_open));
	EXPECT_EQ(MLS_GROUP_LIST_SIZE_VER0, sizeof(struct mls_group_list));
	EXPECT_EQ(MLS_ENCRYPT_SIZE_VER1, sizeof(struct mls_encrypt));
	EXPECT_EQ(MLS_ENCRYPT_SIZE_VER0, offsetof(struct mls_encrypt, padding_block));
	EXPECT_EQ(MLS_DECRYPT_SIZE_VER0, sizeof(struct mls_decrypt));
	EXPECT_EQ(MLS_COMMIT_SIZE_VER1, sizeof(struct mls_commit));
	EXPECT_EQ(MLS_EXPORTER_SIZE_VER0, sizeof(struct mls_exporter));
	EXPECT_EQ(MLS_AUTHENTICATOR_SIZE_VER0, sizeof(struct mls_authenticator));
	EXPECT_EQ(MLS_GROUP_INFO_SIZE_VER1, sizeof(struct mls_group_info));
	EXPECT_EQ(MLS_GROUP_INFO_SIZE_VER0, offsetof(struct mls_group_info, recv_save));
	EXPECT_EQ(MLS_GET_CONTEXT_SIZE_VER0, sizeof(struct mls_get_context));
	EXPECT_EQ(MLS_SET_POLICY_SIZE_VER1, sizeof(struct mls_set_policy));
	EXPECT_EQ(MLS_SET_POLICY_SIZE_VER0, offsetof(struct mls_set_policy, recv_save));
	EXPECT_EQ(MLS_GROUP_DESTROY_SIZE_VER0, sizeof(struct mls_group_destroy));
}

/* The valid calls are valid (else every test below proves nothing). */
TEST_F(args, valid_calls_succeed)
{
	union arg a;
	int k;

	for (k = 0; k < K_NR; k++) {
		int fd = valid_arg(self, k, &a);

		ASSERT_LE(0, fd) TH_LOG("%s", iocs[k].name);
		EXPECT_EQ(0, issue(fd, iocs[k].cmd, &a)) TH_LOG("%s", iocs[k].name);
		/* The reported LIST count is the number of groups alive. */
		if (k == K_LIST)
			EXPECT_LE(4, a.list.count);
	}
}

TEST_F(args, short_struct_einval)
{
	union arg a;
	int k;

	for (k = 0; k < K_NR; k++) {
		size_t sizes[] = { iocs[k].size0 - 1, iocs[k].size0 - 4, iocs[k].size0 / 2, 0 };
		unsigned int i;

		for (i = 0; i < 4; i++) {
			int fd = valid_arg(self, k, &a);

			EXPECT_EQ(-EINVAL, issue(fd, IOC_RESIZE(iocs[k].cmd, sizes[i]), &a))
				TH_LOG("%s size %zu", iocs[k].name, sizes[i]);
		}
	}
}

TEST_F(args, larger_struct_nonzero_tail_e2big)
{
	union arg a;
	int k;

	for (k = 0; k < K_NR; k++) {
		size_t full = _IOC_SIZE(iocs[k].cmd), big = full + 16;
		int fd = valid_arg(self, k, &a);

		((uint8_t *)&a)[big - 1] = 1;
		EXPECT_EQ(-E2BIG, issue(fd, IOC_RESIZE(iocs[k].cmd, big), &a))
			TH_LOG("%s", iocs[k].name);
		fd = valid_arg(self, k, &a);
		((uint8_t *)&a)[full] = 0x80;
		EXPECT_EQ(-E2BIG, issue(fd, IOC_RESIZE(iocs[k].cmd, full + 1), &a))
			TH_LOG("%s", iocs[k].name);
	}
}

TEST_F(args, larger_struct_zero_tail_ok)
{
	union arg a;
	int k;

	for (k = 0; k < K_NR; k++) {
		size_t full = _IOC_SIZE(iocs[k].cmd), big = full + 64;
		int fd = valid_arg(self, k, &a);
		bool tail_zero = true;
		size_t i;

		EXPECT_EQ(0, issue(fd, IOC_RESIZE(iocs[k].cmd, big), &a)) TH_LOG("%s", iocs[k].name);
		/* Nothing is written past what the kernel knows. */
		for (i = full; i < big; i++)
			tail_zero &= ((uint8_t *)&a)[i] == 0;
		EXPECT_TRUE(tail_zero) TH_LOG("%s", iocs[k].name);
	}
}

TEST_F(args, unknown_flags_einval)
{
	union arg a;
	int k, bit;

	for (k = 0; k < K_NR; k++) {
		for (bit = 0; bit < 32; bit++) {
			int fd;

			if (iocs[k].flags_ok & (1U << bit))
				continue;
			/* Known flags of CREATE need other fields: see below. */
			if (iocs[k].cmd == MLS_IOC_GROUP_CREATE && (MLS_GROUP_F_ALL & (1U << bit)))
				continue;
			if ((iocs[k].cmd == MLS_IOC_COMMIT || iocs[k].cmd == MLS_IOC_COMMIT_PREPARE) &&
			    (MLS_COMMIT_F_ALL & (1U << bit)))
				continue;
			fd = valid_arg(self, k, &a);
			a.raw[0] |= 1U << bit;	/* flags is the first __u32 */
			EXPECT_EQ(-EINVAL, issue(fd, iocs[k].cmd, &a))
				TH_LOG("%s flag bit %d", iocs[k].name, bit);
		}
	}
}

/* Flags that exclude each other, or do not belong to the call. */
TEST_F(args, conflicting_flags_einval)
{
	union arg a;
	int fd;

	fd = valid_arg(self, K_CREATE_INPUTS, &a);
	a.new.flags |= MLS_GROUP_F_INSTALL;
	EXPECT_EQ(-EINVAL, issue(fd, MLS_IOC_GROUP_CREATE, &a));
	fd = valid_arg(self, K_CREATE_INSTALL, &a);
	a.new.flags |= MLS_GROUP_F_FROM_INPUTS;
	EXPECT_EQ(-EINVAL, issue(fd, MLS_IOC_GROUP_CREATE, &a));
	/* JOIN takes only EPHEMERAL. */
	fd = valid_arg(self, K_JOIN, &a);
	a.new.flags |= MLS_GROUP_F_FROM_INPUTS;
	EXPECT_EQ(-EINVAL, issue(fd, MLS_IOC_GROUP_JOIN, &a));
	fd = valid_arg(self, K_JOIN, &a);
	a.new.flags |= MLS_GROUP_F_INSTALL;
	EXPECT_EQ(-EINVAL, issue(fd, MLS_IOC_GROUP_JOIN, &a));
	/* COMMIT: INSTALL with RETURN_SECRETS. */
	fd = valid_arg(self, K_COMMIT_INSTALL, &a);
	a.commit.flags |= MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&a.commit.joiner_secret, self->out[2], 64);
	mbuf(&a.commit.welcome_secret, self->out[3], 64);
	EXPECT_EQ(-EINVAL, issue(fd, MLS_IOC_COMMIT, &a));
	/* GET_CONTEXT takes only F_EPOCH. */
	fd = valid_arg(self, K_CONTEXT, &a);
	a.ctx.flags = MLS_CONTEXT_F_EPOCH << 1;
	EXPECT_EQ(-EINVAL, issue(fd, MLS_IOC_GET_CONTEXT, &a));
}

TEST_F(args, reserved_nonzero_einval)
{
	static const __u32 values[] = { 1, 0x80000000 };
	union arg a;
	int k;

	for (k = 0; k < K_NR; k++) {
		unsigned int i, v;

		for (i = 0; iocs[k].reserved[i] != END; i++) {
			for (v = 0; v < 2; v++) {
				int fd = valid_arg(self, k, &a);

				memcpy((uint8_t *)&a + iocs[k].reserved[i], &values[v], 4);
				EXPECT_EQ(-EINVAL, issue(fd, iocs[k].cmd, &a))
					TH_LOG("%s reserved at offset %zu", iocs[k].name,
					       iocs[k].reserved[i]);
			}
		}
	}
}

/* The argument itself at a bad address, or read-only for an (out) struct. */
TEST_F(args, bad_struct_pointer_efault)
{
	static const unsigned long bad[] = { 0, LOW_ADDR, BAD_ADDR };
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	union arg a;
	void *ro;
	int k;
	unsigned int i;

	/* One page, and nothing mapped after it. */
	ro = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, munmap((uint8_t *)ro + pg, pg));
	for (k = 0; k < K_NR; k++) {
		int fd = valid_arg(self, k, &a);

		for (i = 0; i < 3; i++)
			EXPECT_EQ(-EFAULT, issue(fd, iocs[k].cmd, (void *)bad[i]))
				TH_LOG("%s at %#lx", iocs[k].name, bad[i]);
		/* The struct straddles the end of the mapping. */
		memcpy((uint8_t *)ro + pg - iocs[k].size0 / 2, &a, iocs[k].size0 / 2);
		EXPECT_EQ(-EFAULT, issue(fd, iocs[k].cmd, (uint8_t *)ro + pg - iocs[k].size0 / 2))
			TH_LOG("%s straddling", iocs[k].name);
	}
	/* Read-only: the ioctls that write their struct back fail. */
	for (k = 0; k < K_NR; k++) {
		int fd;

		if (!(_IOC_DIR(iocs[k].cmd) & _IOC_READ) || iocs[k].on_ctl)
			continue;
		fd = valid_arg(self, k, &a);
		ASSERT_EQ(0, mprotect(ro, pg, PROT_READ | PROT_WRITE));
		memcpy(ro, &a, _IOC_SIZE(iocs[k].cmd));
		ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
		EXPECT_EQ(-EFAULT, issue(fd, iocs[k].cmd, ro)) TH_LOG("%s read-only", iocs[k].name);
	}
	munmap(ro, pg);
}

/* Every buffer the call reads or writes, at a bad address. */
TEST_F(args, bad_buffer_address_efault)
{
	static const __u64 bad[] = { LOW_ADDR, BAD_ADDR };
	union arg a;
	int k;

	for (k = 0; k < K_NR; k++) {
		unsigned int i, v;

		for (i = 0; iocs[k].bufs[i] != END; i++) {
			for (v = 0; v < 2; v++) {
				int fd = valid_arg(self, k, &a);

				memcpy((uint8_t *)&a + iocs[k].bufs[i], &bad[v], 8);
				EXPECT_EQ(-EFAULT, issue(fd, iocs[k].cmd, &a))
					TH_LOG("%s buffer at offset %zu = %#llx", iocs[k].name,
					       iocs[k].bufs[i], (unsigned long long)bad[v]);
			}
		}
	}
}

/* Group ioctls on /dev/mls and control ioctls on a group fd: ENOTTY. */
TEST_F(args, wrong_fd_enotty)
{
	struct mls_version v = { 0 };
	union arg a;
	int k, nr;

	for (k = 0; k < K_NR; k++) {
		int fd = valid_arg(self, k, &a);
		int other = iocs[k].on_ctl ? self->p.a : self->p.ctl;

		ASSERT_LE(0, fd);
		EXPECT_EQ(-ENOTTY, issue(other, iocs[k].cmd, &a)) TH_LOG("%s", iocs[k].name);
	}
	EXPECT_EQ(-ENOTTY, xioctl(self->p.a, MLS_IOC_GET_VERSION, &v));
	/* Unknown numbers and directions on a group fd. */
	for (nr = 0x7f; nr <= 0xff; nr += 0x80)
		EXPECT_EQ(-ENOTTY, xioctl(self->p.a, _IOWR(MLS_IOC_MAGIC, nr, union arg), &a))
			TH_LOG("nr %#x", nr);
	/* The event buffer range belongs to /dev/mls. */
	for (nr = 0x40; nr < 0x50; nr++)
		EXPECT_EQ(-ENOTTY, xioctl(self->p.a, _IOWR(MLS_IOC_MAGIC, nr, struct mls_encrypt), &a))
			TH_LOG("nr %#x", nr);
	EXPECT_EQ(-ENOTTY, xioctl(self->p.a, _IOR(MLS_IOC_MAGIC, 0x20, struct mls_encrypt), &a));
	EXPECT_EQ(-ENOTTY, xioctl(self->p.a, _IO(MLS_IOC_MAGIC, 0x25), &a));
	EXPECT_EQ(-ENOTTY, xioctl(self->p.a, _IOWR('T', 0x20, struct mls_encrypt), &a));
}

/* A failed CREATE (its struct cannot be written back) leaves no group. */
TEST_F(args, create_efault_leaves_no_group)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct mls_group_list l = { 0 };
	__u32 before, after;
	union arg a;
	void *ro;
	int fd;

	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	fd = valid_arg(self, K_CREATE_PLAIN, &a);
	a.new.flags = 0;	/* not ephemeral: would outlive the fd */
	memcpy(ro, &a, sizeof(a.new));
	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
	l.ids = U64(self->ids);
	l.count = 4096;
	ASSERT_EQ(0, xioctl(fd, MLS_IOC_GROUP_LIST, &l));
	before = l.count;
	EXPECT_EQ(-EFAULT, xioctl(fd, MLS_IOC_GROUP_CREATE, ro));
	l.count = 4096;
	ASSERT_EQ(0, xioctl(fd, MLS_IOC_GROUP_LIST, &l));
	after = l.count;
	EXPECT_EQ(before, after);
	munmap(ro, pg);
}

/* ------------------------------------------------- out-of-range values */

FIXTURE(ctl) {
	int fd;
	struct grp_inputs in;
	uint8_t s[6][MLS_MAX_HASH_LEN + 1];
};

FIXTURE_SETUP(ctl)
{
	self->fd = ctl_open();
	ASSERT_LE(0, self->fd);
	inputs_random(&self->in, 1);
	rand_bytes(self->s, sizeof(self->s));
}

FIXTURE_TEARDOWN(ctl)
{
	close(self->fd);
}

static int create_close(int ctl, unsigned long cmd, struct mls_group_new *n)
{
	int r = xioctl(ctl, cmd, n);

	if (r >= 0) {
		close(r);
		return 0;
	}
	return r;
}

TEST_F(ctl, create_bad_suite_einval)
{
	static const __u16 suites[] = { 0, 8, 9, 0x00ff, 0x0100, 0xfffe, 0xffff };
	struct mls_group_new n;
	unsigned int i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		new_plain(&n, suites[i], "gid", 3, MLS_GROUP_F_EPHEMERAL);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
			TH_LOG("suite %u", suites[i]);
	}
	for (i = SUITE_MIN; i <= SUITE_MAX; i++) {
		new_plain(&n, i, "gid", 3, MLS_GROUP_F_EPHEMERAL);
		EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n)) TH_LOG("suite %u", i);
	}
}

TEST_F(ctl, create_group_id_length)
{
	uint8_t gid[300];
	struct mls_group_new n;
	struct grp_inputs in = self->in;

	memset(gid, 'g', sizeof(gid));
	new_plain(&n, 1, gid, 0, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, gid, 256, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, gid, 300, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, gid, 255, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, gid, 1, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	/* The same rules for FROM_INPUTS and JOIN. */
	in.group_id_len = 0;
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_join(&n, &in, self->s[0], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n));
	in.group_id_len = 256;
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
}

/* Plain CREATE: leaf 0 of one leaf, epoch 0, no secrets. */
TEST_F(ctl, create_plain_rules)
{
	struct mls_group_new n;
	int i;

	new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
	n.roster.leaf_count = 0;
	EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
	n.roster.leaf_count = 2;
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
	n.roster.own_leaf = 1;
	n.roster.leaf_count = 2;
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
	n.context.epoch = 1;
	EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
	/* Any secret given to a plain CREATE does not belong there. */
	for (i = 0; i < 6; i++) {
		struct mls_buf *b[6] = { &n.init_secret, &n.joiner_secret, &n.commit_secret,
					 &n.psk_secret, &n.encryption_secret,
					 &n.sender_data_secret };

		new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
		mbuf(b[i], self->s[i], 32);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
			TH_LOG("secret %d", i);
	}
}

/* Secret lengths for every suite, and secrets where they do not belong. */
TEST_F(ctl, create_secret_lengths)
{
	struct mls_group_new n;
	unsigned int s;

	for (s = SUITE_MIN; s <= SUITE_MAX; s++) {
		unsigned int nh = suite_nh(s);
		struct grp_inputs in;
		size_t bad[] = { 0, 1, nh - 1, nh + 1, 16, 32, 48, 64 };
		unsigned int i;

		inputs_random(&in, s);
		/* FROM_INPUTS: init is required, commit and psk may be empty. */
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n)) TH_LOG("suite %u", s);
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.commit_secret, NULL, 0);
		mbuf(&n.psk_secret, NULL, 0);
		EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n)) TH_LOG("suite %u", s);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (bad[i] == nh)
				continue;
			new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.init_secret, self->s[0], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
				TH_LOG("suite %u init len %zu", s, bad[i]);
			if (!bad[i])
				continue;
			new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.commit_secret, self->s[1], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
				TH_LOG("suite %u commit len %zu", s, bad[i]);
			new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.psk_secret, self->s[2], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
				TH_LOG("suite %u psk len %zu", s, bad[i]);
			/* INSTALL */
			new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0,
				    MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.encryption_secret, self->s[0], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
				TH_LOG("suite %u encryption len %zu", s, bad[i]);
			new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0,
				    MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.sender_data_secret, self->s[1], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
				TH_LOG("suite %u sender data len %zu", s, bad[i]);
			/* JOIN */
			new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.joiner_secret, self->s[2], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n))
				TH_LOG("suite %u joiner len %zu", s, bad[i]);
			new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
			mbuf(&n.psk_secret, self->s[3], bad[i]);
			EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n))
				TH_LOG("suite %u join psk len %zu", s, bad[i]);
		}
		/* Missing required secrets. */
		new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.encryption_secret, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.sender_data_secret, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.joiner_secret, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n));
		new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		EXPECT_EQ(0, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n));
		/* Secrets where they do not belong. */
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.joiner_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.encryption_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.init_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_install(&n, &in, self->s[0], self->s[1], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.joiner_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n));
		new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.init_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n));
		new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.commit_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n));
		new_join(&n, &in, self->s[2], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.encryption_secret, self->s[3], nh);
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_JOIN, &n));
	}
}

/* Context fields too long. */
TEST_F(ctl, create_context_lengths)
{
	static uint8_t big[MLS_MAX_EXTENSIONS_LEN + 2];
	struct mls_group_new n;
	unsigned long cmds[2] = { MLS_IOC_GROUP_CREATE, MLS_IOC_GROUP_JOIN };
	unsigned int c;

	for (c = 0; c < 2; c++) {
#define NEW(n) (c ? new_join(&(n), &self->in, self->s[0], 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL) \
		  : new_from_inputs(&(n), &self->in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL))
		NEW(n);
		mbuf(&n.context.tree_hash, big, MLS_MAX_CONTEXT_HASH_LEN + 1);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmds[c], &n));
		NEW(n);
		mbuf(&n.context.tree_hash, big, MLS_MAX_CONTEXT_HASH_LEN);
		EXPECT_EQ(0, create_close(self->fd, cmds[c], &n));
		NEW(n);
		mbuf(&n.context.confirmed_transcript_hash, big, MLS_MAX_CONTEXT_HASH_LEN + 1);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmds[c], &n));
		NEW(n);
		mbuf(&n.context.extensions, big, MLS_MAX_EXTENSIONS_LEN + 1);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmds[c], &n));
		NEW(n);
		mbuf(&n.context.extensions, big, 0xffffffff);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmds[c], &n));
#undef NEW
	}
}

/* Rosters: own leaf, leaf count, the occupied bitmap, max_leaves. */
TEST_F(ctl, create_roster_rules)
{
	long long max_leaves = mod_param("max_leaves");
	struct mls_group_new n;
	uint8_t occ[8192 + 8], occ9[3] = { 0xff, 0x01, 0x00 };
	unsigned int c;

	ASSERT_LT(0, max_leaves);
	ASSERT_GE(65536, max_leaves);
	memset(occ, 0xff, sizeof(occ));
	for (c = 0; c < 2; c++) {
		unsigned long cmd = c ? MLS_IOC_GROUP_JOIN : MLS_IOC_GROUP_CREATE;
#define NEW(n, own, cnt, o, ol) (c ? new_join(&(n), &self->in, self->s[0], own, cnt, o, ol, \
					      MLS_GROUP_F_EPHEMERAL) \
			     : new_from_inputs(&(n), &self->in, own, cnt, o, ol, MLS_GROUP_F_EPHEMERAL))
		NEW(n, 0, 0, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n)) TH_LOG("leaf_count 0");
		NEW(n, 2, 2, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n)) TH_LOG("own_leaf 2 of 2");
		NEW(n, 0xffffffff, 2, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n));
		NEW(n, 1, 2, NULL, 0);
		EXPECT_EQ(0, create_close(self->fd, cmd, &n));
		/* own leaf not occupied */
		occ[0] = 0x01;
		NEW(n, 1, 2, occ, 1);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n)) TH_LOG("own leaf blank");
		occ[0] = 0x02;
		NEW(n, 1, 2, occ, 1);
		EXPECT_EQ(0, create_close(self->fd, cmd, &n));
		/* a bitmap too short for the leaf count */
		occ[0] = 0xff;
		NEW(n, 0, 9, occ9, 1);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n)) TH_LOG("bitmap short");
		NEW(n, 0, 9, occ9, 2);
		EXPECT_EQ(0, create_close(self->fd, cmd, &n));
		/* "at least (leaf_count + 7) / 8 bytes": a longer one is fine */
		NEW(n, 0, 9, occ9, 3);
		EXPECT_EQ(0, create_close(self->fd, cmd, &n)) TH_LOG("bitmap longer than needed");
		/* max_leaves */
		NEW(n, 0, (__u32)max_leaves + 1, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n)) TH_LOG("above max_leaves");
		NEW(n, 0, 0xffffffff, NULL, 0);
		EXPECT_EQ(-EINVAL, create_close(self->fd, cmd, &n));
		NEW(n, (__u32)max_leaves - 1, (__u32)max_leaves, occ, ((size_t)max_leaves + 7) / 8);
		EXPECT_EQ(0, create_close(self->fd, cmd, &n)) TH_LOG("max_leaves");
#undef NEW
	}
}

TEST_F(ctl, create_mode_rules)
{
	static const __u16 bad[] = { 01000, 02000, 04000, 0x8000, 0xffff };
	struct mls_group_new n;
	struct mls_group_info info;
	uint8_t gid[256];
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
		n.mode = bad[i];
		EXPECT_EQ(-EINVAL, create_close(self->fd, MLS_IOC_GROUP_CREATE, &n))
			TH_LOG("mode %#o", bad[i]);
	}
	new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(self->fd, &n);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(0600, info.mode);
	close(fd);
	new_plain(&n, 1, "gid", 3, MLS_GROUP_F_EPHEMERAL);
	n.mode = 0640;
	fd = grp_create(self->fd, &n);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(0640, info.mode);
	close(fd);
}

/* GROUP_OPEN and GROUP_LIST arguments. */
TEST_F(ctl, open_nonexistent_enoent)
{
	static const __u32 ids[] = { 0, 0x7fffffff, 0x80000000, 0xffffffff };
	unsigned int i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		EXPECT_EQ(-ENOENT, grp_open_id(self->fd, ids[i])) TH_LOG("id %#x", ids[i]);
}

TEST_F(ctl, list)
{
	struct mls_group_list l = { 0 };
	__u32 ids[4], *all;
	int fds[4], i, j;
	unsigned int n;

	for (i = 0; i < 4; i++) {
		fds[i] = grp_plain(self->fd, 1, MLS_GROUP_F_EPHEMERAL, &ids[i]);
		ASSERT_LE(0, fds[i]);
	}
	/* Count 0: ENOSPC and the number alive. */
	EXPECT_EQ(-ENOSPC, xioctl(self->fd, MLS_IOC_GROUP_LIST, &l));
	n = l.count;
	ASSERT_LE(4, n);
	all = calloc(n + 16, sizeof(*all));
	ASSERT_NE(NULL, all);
	l.count = n - 1;
	l.ids = U64(all);
	EXPECT_EQ(-ENOSPC, xioctl(self->fd, MLS_IOC_GROUP_LIST, &l));
	EXPECT_EQ(n, l.count);
	l.count = n + 16;
	ASSERT_EQ(0, xioctl(self->fd, MLS_IOC_GROUP_LIST, &l));
	EXPECT_EQ(n, l.count);
	for (j = 1; j < (int)l.count; j++)
		EXPECT_LT(all[j - 1], all[j]) TH_LOG("increasing order");
	for (i = 0; i < 4; i++) {
		bool found = false;

		for (j = 0; j < (int)l.count; j++)
			found |= all[j] == ids[i];
		EXPECT_TRUE(found) TH_LOG("id %u", ids[i]);
	}
	/* Destroyed: gone from the list. */
	ASSERT_EQ(0, grp_destroy(fds[0]));
	l.count = n + 16;
	ASSERT_EQ(0, xioctl(self->fd, MLS_IOC_GROUP_LIST, &l));
	EXPECT_EQ(n - 1, l.count);
	for (j = 0; j < (int)l.count; j++)
		EXPECT_NE(ids[0], all[j]);
	/* Bad ids address with room: EFAULT. */
	l.count = n + 16;
	l.ids = BAD_ADDR;
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MLS_IOC_GROUP_LIST, &l));
	for (i = 0; i < 4; i++)
		close(fds[i]);
	free(all);
}

/* ---------------------------------------------------------- lifecycle */

FIXTURE(life) {
	struct pair p;
};

FIXTURE_SETUP(life)
{
	ASSERT_EQ(0, pair_make(&self->p, 1));
}

FIXTURE_TEARDOWN(life)
{
	pair_close(&self->p);
}

TEST_F(life, info_fields)
{
	struct pair *p = &self->p;
	struct mls_group_info info;
	uint8_t gid[256];
	struct mls_group_new n;
	int fd;

	ASSERT_EQ(0, grp_info(p->b, &info, gid, sizeof(gid)));
	EXPECT_EQ(p->b_id, info.id);
	EXPECT_NE(p->a_id, p->b_id);
	EXPECT_EQ(1, info.suite);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, info.state);
	EXPECT_EQ(1, info.own_leaf);
	EXPECT_EQ(2, info.leaf_count);
	EXPECT_EQ(0, info.epoch);
	EXPECT_EQ(0, info.oldest_epoch);
	EXPECT_EQ(getuid(), info.owner_uid);
	EXPECT_EQ(getgid(), info.owner_gid);
	EXPECT_EQ(MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_FROM_INPUTS, info.group_flags);
	EXPECT_EQ(p->in.group_id_len, info.group_id.len);
	EXPECT_EQ(0, memcmp(gid, p->in.group_id, p->in.group_id_len));
	/* The policy starts from the module defaults. */
	EXPECT_EQ(mod_param("out_of_order"), info.policy.out_of_order);
	EXPECT_EQ(mod_param("max_forward"), info.policy.max_forward);
	EXPECT_EQ(mod_param("epochs_kept"), info.policy.epochs_kept);
	EXPECT_EQ(mod_param("epoch_max_age_ms"), info.policy.epoch_max_age_ms);
	EXPECT_EQ(mod_param("padding_block"), info.policy.padding_block);
	EXPECT_EQ(mod_param("commit_timeout_ms"), info.policy.commit_timeout_ms);

	/* ENOSPC with the length needed. */
	ASSERT_EQ(-ENOSPC, grp_info(p->b, &info, gid, 3));
	EXPECT_EQ(p->in.group_id_len, info.group_id.len);
	ASSERT_EQ(-ENOSPC, grp_info(p->b, &info, NULL, 0));
	EXPECT_EQ(p->in.group_id_len, info.group_id.len);

	/* After a commit that grows the tree. */
	p->leaf_count = 5;
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, grp_info(p->b, &info, gid, sizeof(gid)));
	EXPECT_EQ(1, info.epoch);
	EXPECT_EQ(0, info.oldest_epoch);
	EXPECT_EQ(5, info.leaf_count);

	/* A plain group: leaf 0 of one leaf, epoch 0. */
	new_plain(&n, 7, "plain", 5, 0);
	n.mode = 0644;
	fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(n.id, info.id);
	EXPECT_EQ(7, info.suite);
	EXPECT_EQ(0644, info.mode);
	EXPECT_EQ(0, info.own_leaf);
	EXPECT_EQ(1, info.leaf_count);
	EXPECT_EQ(0, info.group_flags);
	EXPECT_EQ(0, grp_destroy(fd));
	close(fd);
}

/* Group fds are O_CLOEXEC; /dev/mls fds are not group fds. */
TEST_F(life, group_fd_cloexec)
{
	struct pair *p = &self->p;
	struct mls_group_new n;
	uint8_t j[32];
	int fd;

	EXPECT_TRUE(fcntl(p->a, F_GETFD) & FD_CLOEXEC);
	fd = grp_open_id(p->ctl, p->a_id);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	rand_bytes(j, sizeof(j));
	new_join(&n, &p->in, j, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd = grp_join(p->ctl, &n);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* After DESTROY every op on every fd of the group: ENOENT. */
TEST_F(life, ops_after_destroy_enoent)
{
	struct pair *p = &self->p;
	struct mls_group_info info;
	uint8_t buf[256];
	struct mls_commit c;
	struct grp_inputs next;
	struct mls_group_destroy d = { 0 };
	struct mls_policy pol = { .out_of_order = 4 };
	int fd2;

	fd2 = grp_open_id(p->ctl, p->a_id);
	ASSERT_LE(0, fd2);
	{
		struct msg *m = calloc(1, sizeof(*m));
		struct dec *dd = calloc(1, sizeof(*dd));

		ASSERT_NE(NULL, m);
		ASSERT_NE(NULL, dd);
		ASSERT_EQ(0, enc_text(p->b, "to a destroyed group", m));
		ASSERT_EQ(0, xioctl(p->a, MLS_IOC_GROUP_DESTROY, &d));
		EXPECT_EQ(-ENOENT, dec_msg(p->a, m, dd));
		EXPECT_EQ(-ENOENT, dec_msg(fd2, m, dd));
		EXPECT_EQ(-ENOENT, enc_text(p->a, "after", m));
		EXPECT_EQ(-ENOENT, enc_text(fd2, "after", m));
		free(m);
		free(dd);
	}
	pair_commit_arg(p, &c, &next, 0, p->in.commit);
	EXPECT_EQ(-ENOENT, grp_commit(p->a, &c));
	EXPECT_EQ(-ENOENT, grp_exporter(p->a, "l", "", 0, buf, 32));
	EXPECT_EQ(-ENOENT, grp_authenticator(p->a, buf, sizeof(buf), NULL));
	EXPECT_EQ(-ENOENT, grp_info(p->a, &info, buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, grp_info(fd2, &info, buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, grp_get_context(p->a, 0, 0, buf, sizeof(buf), NULL));
	EXPECT_EQ(-ENOENT, grp_policy(p->a, MLS_POLICY_OUT_OF_ORDER, &pol));
	EXPECT_EQ(-ENOENT, xioctl(p->a, MLS_IOC_GROUP_DESTROY, &d));
	EXPECT_EQ(-ENOENT, xioctl(fd2, MLS_IOC_GROUP_DESTROY, &d));
	EXPECT_EQ(-ENOENT, grp_open_id(p->ctl, p->a_id));
	/* The other member is untouched. */
	EXPECT_EQ(0, grp_info(p->b, &info, buf, sizeof(buf)));
	close(fd2);
}

/* An ephemeral group dies with its last fd, wherever the fds came from. */
TEST_F(life, ephemeral_dies_with_last_fd)
{
	struct pair *p = &self->p;
	int fd, fd2, fd3;
	__u32 id;

	fd = grp_plain(p->ctl, 1, MLS_GROUP_F_EPHEMERAL, &id);
	ASSERT_LE(0, fd);
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	fd3 = grp_open_id(p->ctl, id);
	ASSERT_LE(0, fd3);
	close(fd);
	close(fd3);
	/* fd2 still holds it. */
	fd = grp_open_id(p->ctl, id);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, grp_epoch(fd2));
	close(fd2);
	EXPECT_EQ(-ENOENT, grp_open_id(p->ctl, id));
}

/* A non-ephemeral group outlives its fds and keeps its state. */
TEST_F(life, persistent_survives_close)
{
	struct pair *p = &self->p;
	struct mls_group_info info;
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t gid[256], au1[64], au2[64];
	struct mls_group_new n;
	int fd;
	__u32 id;

	ASSERT_NE(NULL, m);
	new_from_inputs(&n, &p->in, 0, 2, NULL, 0, 0);
	fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, fd);
	id = n.id;
	ASSERT_EQ(0, enc_text(fd, "first", m));
	EXPECT_EQ(0, m->gen);
	ASSERT_EQ((int)p->nh, grp_authenticator(fd, au1, sizeof(au1), NULL));
	close(fd);

	fd = grp_open_id(p->ctl, id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, grp_info(fd, &info, gid, sizeof(gid)));
	EXPECT_EQ(id, info.id);
	EXPECT_EQ(0, info.group_flags & MLS_GROUP_F_EPHEMERAL);
	ASSERT_EQ((int)p->nh, grp_authenticator(fd, au2, sizeof(au2), NULL));
	EXPECT_EQ(0, memcmp(au1, au2, p->nh));
	/* The same sending ratchet: generation 1 next, never 0 again. */
	ASSERT_EQ(0, enc_text(fd, "second", m));
	EXPECT_EQ(1, m->gen);
	EXPECT_EQ(0, grp_destroy(fd));
	close(fd);
	EXPECT_EQ(-ENOENT, grp_open_id(p->ctl, id));
	free(m);
}

/* Two fds of one group share it: one ratchet, one epoch. */
TEST_F(life, fds_share_state)
{
	struct pair *p = &self->p;
	struct msg *m = calloc(1, sizeof(*m));
	int fd2 = grp_open_id(p->ctl, p->a_id), fd3 = dup(p->a);

	ASSERT_NE(NULL, m);
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	ASSERT_EQ(0, enc_text(p->a, "one", m));
	EXPECT_EQ(0, m->gen);
	ASSERT_EQ(0, enc_text(fd2, "two", m));
	EXPECT_EQ(1, m->gen);
	ASSERT_EQ(0, enc_text(fd3, "three", m));
	EXPECT_EQ(2, m->gen);
	ASSERT_EQ(0, member_commit(p, fd2, 0, p->in.commit));
	EXPECT_EQ(1, grp_epoch(p->a));
	EXPECT_EQ(1, grp_epoch(fd3));
	close(fd2);
	close(fd3);
	free(m);
}

/* COMMIT: the epoch rules (ESTALE), arguments, ENOSPC. */
TEST_F(life, commit_stale_epoch)
{
	struct pair *p = &self->p;
	struct grp_inputs next;
	struct mls_commit c;
	static const int64_t deltas[] = { 0, 2, 3, -1 };
	unsigned int i;

	for (i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		pair_commit_arg(p, &c, &next, 0, p->in.commit);
		c.context.epoch = (__u64)((int64_t)p->in.epoch + deltas[i]);
		EXPECT_EQ(-ESTALE, grp_commit(p->a, &c)) TH_LOG("epoch %llu",
								 (unsigned long long)c.context.epoch);
	}
	pair_commit_arg(p, &c, &next, 0, p->in.commit);
	c.context.epoch = ~0ULL;
	EXPECT_EQ(-ESTALE, grp_commit(p->a, &c));
	ASSERT_EQ(0, pair_commit(p));
	/* A second commit on the same base (epoch 0 -> 1 again). */
	pair_commit_arg(p, &c, &next, 0, p->in.commit);
	c.context.epoch = 1;
	EXPECT_EQ(-ESTALE, grp_commit(p->a, &c));
	c.context.epoch = 0;
	EXPECT_EQ(-ESTALE, grp_commit(p->a, &c));
	EXPECT_EQ(1, grp_epoch(p->a));
}

TEST_F(life, commit_bad_arguments_einval)
{
	struct pair *p = &self->p;
	long long max_leaves = mod_param("max_leaves");
	uint8_t big[MLS_MAX_EXTENSIONS_LEN + 2], s[65], occ[2] = { 0x02, 0 };
	struct grp_inputs next;
	struct mls_commit c;
	size_t bad[] = { 1, 16, 31, 33, 48, 64 };
	unsigned int i;

	ASSERT_LT(0, max_leaves);
	memset(big, 0, sizeof(big));
	rand_bytes(s, sizeof(s));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pair_commit_arg(p, &c, &next, 0, s);
		mbuf(&c.commit_secret, s, bad[i]);
		EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("commit len %zu", bad[i]);
		pair_commit_arg(p, &c, &next, 0, s);
		mbuf(&c.psk_secret, s, bad[i]);
		EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("psk len %zu", bad[i]);
		pair_commit_arg(p, &c, &next, 0, s);
		c.flags = MLS_COMMIT_F_INSTALL;
		mbuf(&c.commit_secret, NULL, 0);
		mbuf(&c.psk_secret, NULL, 0);
		mbuf(&c.encryption_secret, s, bad[i]);
		mbuf(&c.sender_data_secret, s, 32);
		EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("encryption len %zu", bad[i]);
		mbuf(&c.encryption_secret, s, 32);
		mbuf(&c.sender_data_secret, s, bad[i]);
		EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("sender data len %zu", bad[i]);
	}
	/* INSTALL without its secrets; secrets without INSTALL. */
	pair_commit_arg(p, &c, &next, 0, s);
	c.flags = MLS_COMMIT_F_INSTALL;
	mbuf(&c.commit_secret, NULL, 0);
	mbuf(&c.psk_secret, NULL, 0);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	pair_commit_arg(p, &c, &next, 0, s);
	mbuf(&c.encryption_secret, s, 32);
	mbuf(&c.sender_data_secret, s, 32);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	/* Context too long. */
	pair_commit_arg(p, &c, &next, 0, s);
	mbuf(&c.context.tree_hash, big, MLS_MAX_CONTEXT_HASH_LEN + 1);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	pair_commit_arg(p, &c, &next, 0, s);
	mbuf(&c.context.confirmed_transcript_hash, big, MLS_MAX_CONTEXT_HASH_LEN + 1);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	pair_commit_arg(p, &c, &next, 0, s);
	mbuf(&c.context.extensions, big, MLS_MAX_EXTENSIONS_LEN + 1);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	/* Rosters. */
	pair_commit_arg(p, &c, &next, 0, s);
	c.roster.own_leaf = 1;
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("own_leaf changed");
	pair_commit_arg(p, &c, &next, 0, s);
	c.roster.leaf_count = 0;
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("leaf_count 0");
	pair_commit_arg(p, &c, &next, 1, s);
	c.roster.leaf_count = 1;
	EXPECT_EQ(-EINVAL, grp_commit(p->b, &c)) TH_LOG("own_leaf >= leaf_count");
	pair_commit_arg(p, &c, &next, 0, s);
	mbuf(&c.roster.occupied, occ, 1);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("own leaf blank");
	pair_commit_arg(p, &c, &next, 0, s);
	c.roster.leaf_count = 9;
	mbuf(&c.roster.occupied, occ, 1);
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("bitmap short");
	pair_commit_arg(p, &c, &next, 0, s);
	c.roster.leaf_count = (__u32)max_leaves + 1;
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c)) TH_LOG("above max_leaves");
	/* None of these moved the group. */
	EXPECT_EQ(0, grp_epoch(p->a));
	EXPECT_EQ(0, grp_epoch(p->b));
	ASSERT_EQ(0, pair_commit(p));
}

/* RETURN_SECRETS into buffers smaller than Nh: ENOSPC, not applied. */
TEST_F(life, commit_return_secrets_enospc)
{
	struct pair *p = &self->p;
	uint8_t joiner[64], welcome[64], cs[64];
	struct grp_inputs next;
	struct mls_commit c;
	int r;

	rand_bytes(cs, sizeof(cs));
	pair_commit_arg(p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&c.joiner_secret, joiner, p->nh - 1);
	mbuf(&c.welcome_secret, welcome, sizeof(welcome));
	EXPECT_EQ(-ENOSPC, grp_commit(p->a, &c));
	EXPECT_EQ(p->nh, c.joiner_secret.len);
	EXPECT_EQ(0, grp_epoch(p->a));

	pair_commit_arg(p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&c.joiner_secret, joiner, sizeof(joiner));
	mbuf(&c.welcome_secret, welcome, 0);
	EXPECT_EQ(-ENOSPC, grp_commit(p->a, &c));
	EXPECT_EQ(p->nh, c.welcome_secret.len);
	EXPECT_EQ(0, grp_epoch(p->a));

	/* Larger than Nh: fine, Nh written. */
	pair_commit_arg(p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&c.joiner_secret, joiner, sizeof(joiner));
	mbuf(&c.welcome_secret, welcome, sizeof(welcome));
	ASSERT_EQ(0, grp_commit(p->a, &c));
	EXPECT_EQ(p->nh, c.joiner_secret.len);
	EXPECT_EQ(p->nh, c.welcome_secret.len);
	ASSERT_EQ(0, member_commit(p, p->b, 1, cs));
	ASSERT_EQ(0, pair_advance(p, cs));
	EXPECT_EQ(0, memcmp(joiner, p->es.joiner, p->nh));
	EXPECT_EQ(0, memcmp(welcome, p->es.welcome, p->nh));
	/*
	 * Without the flag, nothing is written into the buffers (the header
	 * does not say whether giving them is refused: either is fine).
	 */
	memset(joiner, 0xee, sizeof(joiner));
	pair_commit_arg(p, &c, &next, 0, cs);
	mbuf(&c.joiner_secret, joiner, sizeof(joiner));
	r = grp_commit(p->a, &c);
	EXPECT_TRUE(r == 0 || r == -EINVAL) TH_LOG("commit: %d", r);
	EXPECT_EQ(0xee, joiner[0]);
	EXPECT_EQ(0xee, joiner[p->nh - 1]);
}

/* An installed epoch: data plane yes, exporter and authenticator no. */
TEST_F(life, installed_epoch)
{
	struct pair *p = &self->p;
	uint8_t enc[32], sd[32], buf[64];
	struct grp_inputs next;
	struct mls_commit c;
	struct msg *m = calloc(1, sizeof(*m));
	struct dec *d = calloc(1, sizeof(*d));
	int i;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, d);
	rand_bytes(enc, sizeof(enc));
	rand_bytes(sd, sizeof(sd));
	for (i = 0; i < 2; i++) {
		pair_commit_arg(p, &c, &next, (__u32)i, NULL);
		c.flags = MLS_COMMIT_F_INSTALL;
		mbuf(&c.psk_secret, NULL, 0);
		mbuf(&c.encryption_secret, enc, 32);
		mbuf(&c.sender_data_secret, sd, 32);
		ASSERT_EQ(0, grp_commit(i ? p->b : p->a, &c));
	}
	ASSERT_EQ(0, enc_text(p->a, "installed", m));
	EXPECT_EQ(1, m->epoch);
	ASSERT_EQ(0, dec_msg(p->b, m, d));
	EXPECT_EQ(9, d->content_len);
	EXPECT_EQ(-ENODATA, grp_exporter(p->a, "l", "", 0, buf, 32));
	EXPECT_EQ(-ENODATA, grp_authenticator(p->a, buf, sizeof(buf), NULL));
	free(m);
	free(d);
}

TEST_F(life, exporter_arguments)
{
	struct pair *p = &self->p;
	static uint8_t ctx[MLS_MAX_EXTENSIONS_LEN + 2], out[MLS_MAX_EXPORTER_LEN + 2];
	char label[MLS_MAX_LABEL_LEN + 2];
	struct mls_exporter e;

	memset(label, 'l', sizeof(label));
#define EXP(ll, cl, ol) do {							\
	memset(&e, 0, sizeof(e));						\
	mbuf(&e.label, label, (ll));						\
	mbuf(&e.context, ctx, (cl));						\
	mbuf(&e.secret, out, (ol));						\
} while (0)
	EXP(MLS_MAX_LABEL_LEN, 10, 32);
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXPECT_EQ(0, e.epoch);
	EXP(MLS_MAX_LABEL_LEN + 1, 10, 32);
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(0, 0, 32);
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(5, MLS_MAX_EXTENSIONS_LEN, 32);
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(5, MLS_MAX_EXTENSIONS_LEN + 1, 32);
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(5, 10, 0);
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(5, 10, MLS_MAX_EXPORTER_LEN + 1);
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(5, 10, 0xffffffff);
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXP(5, 10, MLS_MAX_EXPORTER_LEN);
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXPECT_EQ(MLS_MAX_EXPORTER_LEN, e.secret.len);
	EXP(5, 10, 1);
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	ASSERT_EQ(0, pair_commit(p));
	EXP(5, 10, 1);
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_EXPORTER, &e));
	EXPECT_EQ(1, e.epoch);
#undef EXP
}

TEST_F(life, authenticator_enospc)
{
	struct pair *p = &self->p;
	struct mls_authenticator a = { 0 };
	uint8_t buf[128];

	mbuf(&a.authenticator, buf, p->nh - 1);
	EXPECT_EQ(-ENOSPC, xioctl(p->a, MLS_IOC_EPOCH_AUTHENTICATOR, &a));
	EXPECT_EQ(p->nh, a.authenticator.len);
	mbuf(&a.authenticator, NULL, 0);
	EXPECT_EQ(-ENOSPC, xioctl(p->a, MLS_IOC_EPOCH_AUTHENTICATOR, &a));
	EXPECT_EQ(p->nh, a.authenticator.len);
	mbuf(&a.authenticator, buf, sizeof(buf));
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_EPOCH_AUTHENTICATOR, &a));
	EXPECT_EQ(p->nh, a.authenticator.len);
	EXPECT_EQ(0, a.epoch);
}

TEST_F(life, encrypt_bad_arguments_einval)
{
	struct pair *p = &self->p;
	long long max_message = mod_param("max_message");
	long long pad_max = mod_param("padding_block_max");
	static const __u32 bad_types[] = { 0, 4, 5, 0xff, 0x101, 0xffffffff };
	struct mls_encrypt e;
	uint8_t out[MSG_MAX], *big;
	unsigned int i;

	ASSERT_LT(0, max_message);
	ASSERT_GE(1 << 24, max_message);
	ASSERT_LT(1, pad_max);
	ASSERT_GT(0xffffffffLL, pad_max);
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		enc_init(&e, bad_types[i], NULL, 0, "x", 1, NULL, 0, out, sizeof(out));
		EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e)) TH_LOG("type %u", bad_types[i]);
	}
	enc_init(&e, MLS_CONTENT_PROPOSAL, NULL, 0, "x", 1, p->sig, p->sig_len, out,
		 sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	enc_init(&e, MLS_CONTENT_COMMIT, NULL, 0, "x", 1, p->sig, p->sig_len, out, sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	/* An application message without a signature. */
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, NULL, 0, out, sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	/* Sizes above max_message: content, aad, signature. */
	big = calloc(1, (size_t)max_message + 2);
	ASSERT_NE(NULL, big);
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, big, (size_t)max_message + 1, p->sig,
		 p->sig_len, out, sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	enc_init(&e, MLS_CONTENT_APPLICATION, big, (size_t)max_message + 1, "x", 1, p->sig,
		 p->sig_len, out, sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, big, (size_t)max_message + 1,
		 out, sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, big, 0xffffffff, p->sig, p->sig_len,
		 out, sizeof(out));
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	/* A per-call padding block above 1 and above the module's cap. */
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, p->sig, p->sig_len, out,
		 sizeof(out));
	e.padding_block = (__u32)pad_max + 1;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	e.padding_block = 0xffffffff;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	e.padding_block = 0x80000000;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	/* With a commit too. */
	enc_init(&e, MLS_CONTENT_COMMIT, NULL, 0, "x", 1, NULL, 0, out, sizeof(out));
	e.padding_block = (__u32)pad_max + 1;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	/* None of these used a generation. */
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, p->sig, p->sig_len, out,
		 sizeof(out));
	e.padding_block = (__u32)pad_max;	/* the cap itself is allowed */
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(0, e.generation);
	enc_init(&e, MLS_CONTENT_COMMIT, NULL, 0, "x", 1, NULL, 0, out, sizeof(out));
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(0, e.generation);
	free(big);
}

/*
 * MLS_ENCRYPT_F_EPOCH: a message goes out only in the epoch named, the
 * one its signature covers; another epoch gets -ESTALE and uses no
 * generation.
 */
TEST_F(life, encrypt_epoch_pinned)
{
	struct pair *p = &self->p;
	static const __u64 wrong[] = { 1, 2, 0xffffffffffffffffULL };
	struct mls_encrypt e;
	uint8_t out[MSG_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, p->sig, p->sig_len, out,
			 sizeof(out));
		e.flags = MLS_ENCRYPT_F_EPOCH;
		e.epoch = wrong[i];
		EXPECT_EQ(-ESTALE, xioctl(p->a, MLS_IOC_ENCRYPT, &e)) TH_LOG("epoch %llu",
									      (unsigned long long)wrong[i]);
	}
	enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1, p->sig, p->sig_len, out,
		 sizeof(out));
	e.flags = MLS_ENCRYPT_F_EPOCH;
	e.epoch = 0;
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(0, e.epoch);
	EXPECT_EQ(0, e.generation);

	/* After a commit, the old epoch is refused, the new one taken. */
	ASSERT_EQ(0, pair_commit(p));
	e.flags = MLS_ENCRYPT_F_EPOCH;
	e.epoch = 0;
	mbuf(&e.message, out, sizeof(out));
	EXPECT_EQ(-ESTALE, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	e.epoch = 1;
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_ENCRYPT, &e));
	EXPECT_EQ(1, e.epoch);
	EXPECT_EQ(0, e.generation);
}

/*
 * Every suite: an application message's signature has a length its scheme
 * can produce (Ed25519 64, Ed448 114, ECDSA DER 8 up to 72, 104 or 139);
 * any other is refused before a generation is used, and an accepted one
 * comes out of DECRYPT intact.
 */
TEST(encrypt_signature_length_per_suite)
{
	unsigned int suite;

	for (suite = SUITE_MIN; suite <= SUITE_MAX; suite++) {
		size_t min = suite_sig_min(suite), max = suite_sig_max(suite);
		size_t bad[] = { 0, 1, min - 1, max + 1, 64 + 1, 114 - 1, 114 + 1, 139 + 1, 255 };
		size_t good[] = { min, max, (min + max) / 2 };
		uint8_t sig[256];
		struct pair p;
		struct msg m;
		struct dec d;
		unsigned int i, sent = 0;

		ASSERT_EQ(0, pair_make(&p, suite)) TH_LOG("suite %u", suite);
		rand_bytes(sig, sizeof(sig));
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (bad[i] >= min && bad[i] <= max)
				continue;
			EXPECT_EQ(-EINVAL, grp_encrypt(p.a, MLS_CONTENT_APPLICATION, NULL, 0,
						       "x", 1, sig, bad[i], &m))
				TH_LOG("suite %u, a signature of %zu bytes", suite, bad[i]);
		}
		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			ASSERT_EQ(0, grp_encrypt(p.a, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1,
						 sig, good[i], &m))
				TH_LOG("suite %u, a signature of %zu bytes", suite, good[i]);
			EXPECT_EQ(sent, m.gen) TH_LOG("suite %u", suite);
			sent++;
			ASSERT_EQ(0, dec_msg(p.b, &m, &d));
			ASSERT_EQ(good[i], d.sig_len);
			EXPECT_EQ(0, memcmp(d.sig, sig, good[i]));
		}
		pair_close(&p);
	}
}

/*
 * DECRYPT refuses a message larger than max_message (EINVAL) before it
 * reads it. (A message whose content alone is max_message bytes is
 * larger than that: see data_test's max_message_round_trip; so only a
 * length no message can have is tested here.)
 */
TEST_F(life, decrypt_too_big_einval)
{
	struct pair *p = &self->p;
	long long max_message = mod_param("max_message");
	struct dec *d = calloc(1, sizeof(*d));
	uint8_t small[64];

	ASSERT_LT(0, max_message);
	ASSERT_GT(0x40000000LL, max_message);
	ASSERT_NE(NULL, d);
	memset(small, 0, sizeof(small));
	/* Only 64 bytes are mapped there: the length must be refused first. */
	EXPECT_EQ(-EINVAL, grp_decrypt(p->b, small, 0xffffffff, d));
	EXPECT_EQ(-EINVAL, grp_decrypt(p->b, small, 0x80000000, d));
	free(d);
}

TEST_F(life, set_policy_caps)
{
	struct pair *p = &self->p;
	static const struct { __u32 mask; const char *cap; } f[] = {
		{ MLS_POLICY_OUT_OF_ORDER, "out_of_order_max" },
		{ MLS_POLICY_MAX_FORWARD, "max_forward_max" },
		{ MLS_POLICY_EPOCHS_KEPT, "epochs_kept_max" },
		{ MLS_POLICY_EPOCH_MAX_AGE, "epoch_max_age_ms_max" },
		{ MLS_POLICY_PADDING_BLOCK, "padding_block_max" },
	};
	struct mls_set_policy sp;
	struct mls_group_info info;
	uint8_t gid[256];
	unsigned int i, bit;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		long long cap = mod_param(f[i].cap);

		ASSERT_LE(0, cap) TH_LOG("module parameter %s", f[i].cap);
		ASSERT_GT(0xffffffffLL, cap) TH_LOG("%s", f[i].cap);
		EXPECT_EQ(-EINVAL, grp_policy1(p->a, f[i].mask, (__u32)cap + 1))
			TH_LOG("%s + 1", f[i].cap);
		EXPECT_EQ(-EINVAL, grp_policy1(p->a, f[i].mask, 0xffffffff)) TH_LOG("%s", f[i].cap);
		EXPECT_EQ(0, grp_policy1(p->a, f[i].mask, (__u32)cap)) TH_LOG("%s", f[i].cap);
	}
	/* 0 is "no age limit": more than any finite cap allows. */
	ASSERT_LT(0, mod_param("epoch_max_age_ms_max"));
	EXPECT_EQ(-EINVAL, grp_policy1(p->a, MLS_POLICY_EPOCH_MAX_AGE, 0));
	ASSERT_EQ(0, grp_info(p->a, &info, gid, sizeof(gid)));
	EXPECT_EQ(mod_param("out_of_order_max"), info.policy.out_of_order);
	EXPECT_EQ(mod_param("max_forward_max"), info.policy.max_forward);
	EXPECT_EQ(mod_param("epochs_kept_max"), info.policy.epochs_kept);
	EXPECT_EQ(mod_param("epoch_max_age_ms_max"), info.policy.epoch_max_age_ms);
	EXPECT_EQ(mod_param("padding_block_max"), info.policy.padding_block);

	/* Only the fields in the mask change; the others' values are ignored. */
	memset(&sp, 0, sizeof(sp));
	sp.mask = MLS_POLICY_OUT_OF_ORDER;
	sp.policy.out_of_order = 3;
	sp.policy.max_forward = 0xffffffff;
	sp.policy.padding_block = 0xffffffff;
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_SET_POLICY, &sp));
	ASSERT_EQ(0, grp_info(p->a, &info, gid, sizeof(gid)));
	EXPECT_EQ(3, info.policy.out_of_order);
	EXPECT_EQ(mod_param("max_forward_max"), info.policy.max_forward);
	/* Rate and burst together. */
	memset(&sp, 0, sizeof(sp));
	sp.mask = MLS_POLICY_ENCRYPT_RATE;
	sp.policy.encrypt_rate = 1000;
	sp.policy.encrypt_burst = 100;
	ASSERT_EQ(0, xioctl(p->a, MLS_IOC_SET_POLICY, &sp));
	ASSERT_EQ(0, grp_info(p->a, &info, gid, sizeof(gid)));
	EXPECT_EQ(1000, info.policy.encrypt_rate);
	EXPECT_EQ(100, info.policy.encrypt_burst);
	/* An empty mask changes nothing. */
	memset(&sp, 0, sizeof(sp));
	EXPECT_EQ(0, xioctl(p->a, MLS_IOC_SET_POLICY, &sp));
	/* Unknown mask bits. */
	for (bit = 6; bit < 32; bit++) {
		/* MLS_POLICY_RECV_SAVE, whose 0 is valid: recv_save_test. */
		if ((1U << bit) == MLS_POLICY_RECV_SAVE)
			continue;
		memset(&sp, 0, sizeof(sp));
		sp.mask = 1U << bit;
		EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_SET_POLICY, &sp)) TH_LOG("mask bit %u", bit);
		sp.mask = MLS_POLICY_OUT_OF_ORDER | (1U << bit);
		sp.policy.out_of_order = 7;
		EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_SET_POLICY, &sp)) TH_LOG("mask bit %u", bit);
	}
	/* The failed calls changed nothing. */
	ASSERT_EQ(0, grp_info(p->a, &info, gid, sizeof(gid)));
	EXPECT_EQ(3, info.policy.out_of_order);
}

/* The group's encrypt rate: EAGAIN above it, and no generation burned. */
TEST_F(life, encrypt_rate_eagain)
{
	struct pair *p = &self->p;
	struct msg *m = calloc(1, sizeof(*m));
	struct mls_policy pol = { .encrypt_rate = 1, .encrypt_burst = 2 };
	__u32 next_gen = 0;
	int i, ok = 0, again = 0, other = 0;

	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, grp_policy(p->a, MLS_POLICY_ENCRYPT_RATE, &pol));
	for (i = 0; i < 20; i++) {
		int r = enc_text(p->a, "rate limited", m);

		if (r == 0) {
			EXPECT_EQ(next_gen, m->gen);
			next_gen = m->gen + 1;
			ok++;
		} else if (r == -EAGAIN) {
			again++;
		} else {
			other++;
		}
	}
	TH_LOG("rate 1/s burst 2: %d sent, %d EAGAIN", ok, again);
	EXPECT_LE(1, ok);
	EXPECT_GE(5, ok);
	EXPECT_LE(15, again);
	EXPECT_EQ(0, other);
	/* B is not limited by A's rate. */
	EXPECT_EQ(0, enc_text(p->b, "not limited", m));
	/* No limit again: every one goes, generations continue. */
	pol.encrypt_rate = 0;
	pol.encrypt_burst = 0;
	ASSERT_EQ(0, grp_policy(p->a, MLS_POLICY_ENCRYPT_RATE, &pol));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, enc_text(p->a, "unlimited", m));
		EXPECT_EQ(next_gen, m->gen);
		next_gen++;
	}
	free(m);
}

/* ------------------------------------------------------ owner and mode */

/* Run @fn(@arg) in a child as uid/gid; its exit status (0: all good). */
static int as_user(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 250;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
			_exit(251);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid)
		return 252;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 253;
}

#define CHILD_CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "#   child (uid %u): %s:%d: %s\n", getuid(),	\
			__FILE__, __LINE__, #cond);				\
		return 1;							\
	}									\
} while (0)

struct open_case {
	__u32 id;
	int want;	/* 0: opens; else -errno */
};

static int child_open(void *arg)
{
	const struct open_case *c = arg;
	int ctl = ctl_open(), r;

	CHILD_CHECK(ctl >= 0);
	r = grp_open_id(ctl, c->id);
	if (r >= 0) {
		CHILD_CHECK(grp_epoch(r) >= 0);
		close(r);
		r = 0;
	}
	if (r != c->want)
		fprintf(stderr, "#   child (uid %u gid %u): open %u: %d, want %d\n", getuid(),
			getgid(), c->id, r, c->want);
	return r != c->want;
}

static int root_group(int ctl, __u16 mode, __u32 *id)
{
	struct mls_group_new n;
	int fd;

	new_plain(&n, 1, "root's", 6, MLS_GROUP_F_EPHEMERAL);
	n.mode = mode;
	fd = grp_create(ctl, &n);
	*id = n.id;
	return fd;
}

TEST_F(life, open_checks_owner_and_mode)
{
	static const struct { __u16 mode; uid_t uid; gid_t gid; int want; } cases[] = {
		{ 0,    1000, 1000, -EACCES },	/* 0600 */
		{ 0600, 1000, 1000, -EACCES },
		{ 0666, 1000, 1000, 0 },
		{ 0606, 1000, 1000, 0 },
		{ 0644, 1000, 1000, -EACCES },	/* read is not enough */
		{ 0622, 1000, 1000, -EACCES },	/* nor write */
		{ 0660, 1000, 1000, -EACCES },
		{ 0660, 1000, 0,    0 },	/* root's group */
		{ 0640, 1000, 0,    -EACCES },
		{ 0777, 1000, 1000, 0 },
		{ 0600, 0,    0,    0 },	/* the owner */
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct open_case c;
		int fd = root_group(self->p.ctl, cases[i].mode, &c.id);

		ASSERT_LE(0, fd);
		c.want = cases[i].want;
		EXPECT_EQ(0, as_user(cases[i].uid, cases[i].gid, child_open, &c))
			TH_LOG("mode %#o uid %u gid %u", cases[i].mode, cases[i].uid, cases[i].gid);
		close(fd);
	}
}

struct list_case {
	__u32 ids[4];
	bool want[4];		/* whether the child sees ids[i] */
};

/* MLS_IOC_GROUP_LIST, then: a group of its own is listed too. */
static int child_list(void *arg)
{
	const struct list_case *c = arg;
	static __u32 ids[4096];
	struct mls_group_list l;
	struct mls_group_new n;
	int ctl = ctl_open(), own, i;
	__u32 j;

	CHILD_CHECK(ctl >= 0);
	new_plain(&n, 1, "child's", 7, MLS_GROUP_F_EPHEMERAL);
	n.mode = 0600;
	own = grp_create(ctl, &n);
	CHILD_CHECK(own >= 0);
	memset(&l, 0, sizeof(l));
	l.count = sizeof(ids) / sizeof(ids[0]);
	l.ids = (uintptr_t)ids;
	CHILD_CHECK(xioctl(ctl, MLS_IOC_GROUP_LIST, &l) == 0);
	for (i = 0; i < 4; i++) {
		bool seen = false;

		for (j = 0; j < l.count; j++)
			seen |= ids[j] == c->ids[i];
		if (seen != c->want[i])
			fprintf(stderr, "#   child (uid %u gid %u): group %u %s\n", getuid(),
				getgid(), c->ids[i], seen ? "listed" : "not listed");
		CHILD_CHECK(seen == c->want[i]);
	}
	for (j = 0; j < l.count && ids[j] != n.id; j++)
		;
	CHILD_CHECK(j < l.count);
	/* The count is what it may see: asking with no room says the same. */
	l.count = 0;
	CHILD_CHECK(xioctl(ctl, MLS_IOC_GROUP_LIST, &l) == 0 || errno == ENOSPC);
	close(own);
	close(ctl);
	return 0;
}

/*
 * MLS_IOC_GROUP_LIST shows a caller the groups it may see, as the netlink
 * dump does: its own, and others' as their mode's read bits let it read
 * them (group, then other); CAP_NET_ADMIN (root here) sees all.
 */
TEST_F(life, list_shows_only_visible_groups)
{
	static const __u16 modes[4] = { 0600, 0640, 0604, 0660 };
	struct list_case c;
	int fd[4], i;

	for (i = 0; i < 4; i++) {
		fd[i] = root_group(self->p.ctl, modes[i], &c.ids[i]);
		ASSERT_LE(0, fd[i]);
	}
	/* uid 1000 gid 1000: only the other-readable one */
	c.want[0] = false;
	c.want[1] = false;
	c.want[2] = true;
	c.want[3] = false;
	EXPECT_EQ(0, as_user(1000, 1000, child_list, &c));
	/* in root's group: the group-readable ones, and not 0604's... */
	c.want[1] = true;
	c.want[3] = true;
	c.want[2] = false;	/* a member of the group gets the group bits */
	EXPECT_EQ(0, as_user(1000, 0, child_list, &c));
	/* root sees them all */
	{
		__u32 ids[4096];
		struct mls_group_list l = { .count = 4096, .ids = (uintptr_t)ids };
		__u32 j;

		ASSERT_EQ(0, xioctl(self->p.ctl, MLS_IOC_GROUP_LIST, &l));
		for (i = 0; i < 4; i++) {
			for (j = 0; j < l.count && ids[j] != c.ids[i]; j++)
				;
			EXPECT_LT(j, l.count) TH_LOG("root does not see mode %#o", modes[i]);
		}
	}
	for (i = 0; i < 4; i++)
		close(fd[i]);
}

struct own_case {
	int pipe_w;
	__u16 mode;
};

/* A user creates a persistent group and reports its id. */
static int child_create(void *arg)
{
	const struct own_case *c = arg;
	struct mls_group_new n;
	struct mls_group_info info;
	uint8_t gid[16];
	int ctl = ctl_open(), fd;

	CHILD_CHECK(ctl >= 0);
	new_plain(&n, 1, "user's", 6, 0);
	n.mode = c->mode;
	fd = grp_create(ctl, &n);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(grp_info(fd, &info, gid, sizeof(gid)) == 0);
	CHILD_CHECK(info.owner_uid == 1000);
	CHILD_CHECK(info.owner_gid == 1000);
	CHILD_CHECK(write(c->pipe_w, &n.id, sizeof(n.id)) == sizeof(n.id));
	return 0;
}

TEST_F(life, user_owned_group)
{
	struct own_case oc;
	struct open_case c;
	int pfd[2], fd;
	__u32 id = 0;

	ASSERT_EQ(0, pipe(pfd));
	oc.pipe_w = pfd[1];
	oc.mode = 0;
	ASSERT_EQ(0, as_user(1000, 1000, child_create, &oc));
	ASSERT_EQ(sizeof(id), read(pfd[0], &id, sizeof(id)));
	c.id = id;
	/* Its owner reopens it; another user cannot; root (CAP_DAC_OVERRIDE) can. */
	c.want = 0;
	EXPECT_EQ(0, as_user(1000, 1000, child_open, &c));
	c.want = -EACCES;
	EXPECT_EQ(0, as_user(1001, 1001, child_open, &c));
	EXPECT_EQ(0, as_user(1001, 1000, child_open, &c));	/* 0600: not the group */
	fd = grp_open_id(self->p.ctl, id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, grp_destroy(fd));
	close(fd);

	/* Mode 0066: others may, the owner may not (as for a file). */
	oc.mode = 0066;
	ASSERT_EQ(0, as_user(1000, 1000, child_create, &oc));
	ASSERT_EQ(sizeof(id), read(pfd[0], &id, sizeof(id)));
	c.id = id;
	c.want = -EACCES;
	EXPECT_EQ(0, as_user(1000, 1000, child_open, &c));
	c.want = 0;
	EXPECT_EQ(0, as_user(1001, 1001, child_open, &c));
	fd = grp_open_id(self->p.ctl, id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, grp_destroy(fd));
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
}

struct cap_case {
	int fd;
	__u32 id;
};

/* The fd is the capability: usable after fork + setuid, open is not. */
static int child_use_fd(void *arg)
{
	const struct cap_case *c = arg;
	struct msg *m = calloc(1, sizeof(*m));
	int ctl = ctl_open();

	CHILD_CHECK(m != NULL);
	CHILD_CHECK(ctl >= 0);
	CHILD_CHECK(grp_open_id(ctl, c->id) == -EACCES);
	CHILD_CHECK(enc_text(c->fd, "from uid 1000", m) == 0);
	CHILD_CHECK(m->gen == 0);
	return 0;
}

TEST_F(life, inherited_fd_is_capability)
{
	struct cap_case c = { self->p.a, self->p.a_id };
	struct msg *m = calloc(1, sizeof(*m));

	ASSERT_NE(NULL, m);
	EXPECT_EQ(0, as_user(1000, 1000, child_use_fd, &c));
	ASSERT_EQ(0, enc_text(self->p.a, "from root", m));
	EXPECT_EQ(1, m->gen);
	free(m);
}

static int send_fd(int sock, int fd)
{
	char dummy = 'f';
	struct iovec iov = { &dummy, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { &dummy, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	int fd;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

struct scm_case {
	int sock;
	__u32 id;
};

/* Receive a group fd, encrypt with it, send the message back. */
static int child_scm(void *arg)
{
	const struct scm_case *c = arg;
	struct msg *m = calloc(1, sizeof(*m));
	int ctl = ctl_open(), fd;
	uint32_t len;

	CHILD_CHECK(m != NULL);
	CHILD_CHECK(ctl >= 0);
	/* Only what comes over the socket: drop every inherited group fd. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != c->sock && fd != ctl)
			close(fd);
	fd = recv_fd(c->sock);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(grp_open_id(ctl, c->id) == -EACCES);
	CHILD_CHECK(enc_text(fd, "over a unix socket", m) == 0);
	len = (uint32_t)m->len;
	CHILD_CHECK(write(c->sock, &len, sizeof(len)) == sizeof(len));
	CHILD_CHECK(write(c->sock, m->buf, m->len) == (ssize_t)m->len);
	/* Wait for the parent to be done with its own fd. */
	CHILD_CHECK(read(c->sock, &len, 1) == 1);
	CHILD_CHECK(enc_text(fd, "still mine", m) == 0);
	CHILD_CHECK(m->gen == 1);
	close(fd);
	return 0;
}

TEST_F(life, scm_rights_passes_group)
{
	struct pair *p = &self->p;
	struct msg *m = calloc(1, sizeof(*m));
	struct dec *d = calloc(1, sizeof(*d));
	struct scm_case c;
	int sv[2], st;
	uint32_t len = 0;
	pid_t pid;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	c.sock = sv[1];
	c.id = p->a_id;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(251);
		_exit(child_scm(&c));
	}
	ASSERT_EQ(0, send_fd(sv[0], p->a));
	/* The sender's copy goes: the receiver's keeps the ephemeral group. */
	close(p->a);
	p->a = -1;
	ASSERT_EQ(sizeof(len), read(sv[0], &len, sizeof(len)));
	ASSERT_GE(sizeof(m->buf), len);
	ASSERT_EQ((ssize_t)len, read(sv[0], m->buf, len));
	m->len = len;
	ASSERT_EQ(0, dec_msg(p->b, m, d));
	EXPECT_EQ(0, d->leaf);
	EXPECT_EQ(18, d->content_len);
	EXPECT_EQ(0, memcmp(d->content, "over a unix socket", 18));
	ASSERT_EQ(1, write(sv[0], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	/* Its last fd closed with the child: the group is gone. */
	EXPECT_EQ(-ENOENT, grp_open_id(p->ctl, p->a_id));
	close(sv[0]);
	close(sv[1]);
	free(m);
	free(d);
}

/* ------------------------------------------------------ concurrency */

struct race_arg {
	int fd;
	pthread_barrier_t *bar;
	struct mls_commit c;
	int ret;
};

static void *race_commit(void *p)
{
	struct race_arg *r = p;

	pthread_barrier_wait(r->bar);
	r->ret = grp_commit(r->fd, &r->c);
	return NULL;
}

/* Two threads commit on the same base: exactly one wins. */
TEST_F_TIMEOUT(life, concurrent_commits_one_wins, 120)
{
	struct pair *p = &self->p;
	struct race_arg r[2];
	struct grp_inputs next[2];
	uint8_t cs[2][64];
	pthread_barrier_t bar;
	pthread_t t[2];
	int round, i, fd2, wins = 0, busy = 0, stale = 0;

	fd2 = grp_open_id(p->ctl, p->a_id);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 2; i++) {
			rand_bytes(cs[i], p->nh);
			r[i].fd = i ? fd2 : p->a;
			r[i].bar = &bar;
			pair_commit_arg(p, &r[i].c, &next[i], 0, cs[i]);
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_commit, &r[i]));
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		EXPECT_EQ(1, (r[0].ret == 0) + (r[1].ret == 0)) TH_LOG("round %d: %d %d", round,
									 r[0].ret, r[1].ret);
		for (i = 0; i < 2; i++) {
			if (r[i].ret == 0)
				continue;
			EXPECT_TRUE(r[i].ret == -EBUSY || r[i].ret == -ESTALE)
				TH_LOG("round %d: %d", round, r[i].ret);
			busy += r[i].ret == -EBUSY;
			stale += r[i].ret == -ESTALE;
		}
		wins++;
		p->in.epoch++;
		ASSERT_EQ((int64_t)p->in.epoch, grp_epoch(p->a));
	}
	TH_LOG("%d rounds: %d EBUSY, %d ESTALE", wins, busy, stale);
	pthread_barrier_destroy(&bar);
	close(fd2);
}

struct stress_arg {
	int fd;
	int kind;	/* 0 encrypt, 1 info/exporter/authenticator */
	volatile int *go;
	long ok;
	int last;
	int other;	/* first error that was not ENOENT */
};

static void *stress(void *p)
{
	struct stress_arg *s = p;
	struct msg *m = calloc(1, sizeof(*m));
	uint8_t buf[256];
	struct mls_group_info info;

	s->last = 0;
	while (m && !s->last) {
		int r;

		if (s->kind == 0) {
			r = enc_text(s->fd, "racing the destroy", m);
		} else {
			r = grp_info(s->fd, &info, buf, sizeof(buf));
			if (!r)
				r = grp_exporter(s->fd, "l", "", 0, buf, 32);
			if (!r) {
				r = grp_authenticator(s->fd, buf, sizeof(buf), NULL);
				if (r > 0)
					r = 0;
			}
		}
		if (r) {
			s->last = r;
			if (r != -ENOENT && !s->other)
				s->other = r;
		} else {
			__atomic_add_fetch(&s->ok, 1, __ATOMIC_RELAXED);
		}
	}
	free(m);
	return NULL;
}

/* DESTROY while threads use the group: no crash, they all end in ENOENT. */
TEST_F_TIMEOUT(life, destroy_while_encrypting, 120)
{
	struct pair *p = &self->p;
	struct stress_arg s[4];
	pthread_t t[4];
	int i, fd2, tries;
	long total;

	fd2 = grp_open_id(p->ctl, p->a_id);
	ASSERT_LE(0, fd2);
	memset(s, 0, sizeof(s));
	for (i = 0; i < 4; i++) {
		s[i].fd = i & 1 ? fd2 : p->a;
		s[i].kind = i == 3;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, stress, &s[i]));
	}
	/* Let each of them run a little (or fail: then it is over anyway). */
	for (tries = 0; tries < 500; tries++) {
		sleep_ms(20);
		total = 0;
		for (i = 0; i < 4; i++)
			total += __atomic_load_n(&s[i].ok, __ATOMIC_RELAXED) ||
				 __atomic_load_n(&s[i].last, __ATOMIC_RELAXED);
		if (total == 4)
			break;
	}
	sleep_ms(100);
	EXPECT_EQ(0, grp_destroy(p->a));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(-ENOENT, s[i].last) TH_LOG("thread %d", i);
		EXPECT_EQ(0, s[i].other) TH_LOG("thread %d", i);
		EXPECT_LT(0, s[i].ok);
	}
	EXPECT_EQ(-ENOENT, grp_open_id(p->ctl, p->a_id));
	close(fd2);
}

struct destroy_arg {
	int fd;
	pthread_barrier_t *bar;
	int ret;
};

static void *race_destroy(void *p)
{
	struct destroy_arg *d = p;

	pthread_barrier_wait(d->bar);
	d->ret = grp_destroy(d->fd);
	return NULL;
}

/* Two threads destroy one group: one 0, one ENOENT. */
TEST_F(life, concurrent_destroy)
{
	struct pair *p = &self->p;
	struct destroy_arg d[2];
	pthread_barrier_t bar;
	pthread_t t[2];
	int round, i;

	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (round = 0; round < 50; round++) {
		__u32 id;
		int fd = grp_plain(p->ctl, 1, 0, &id), fd2;

		ASSERT_LE(0, fd);
		fd2 = grp_open_id(p->ctl, id);
		ASSERT_LE(0, fd2);
		for (i = 0; i < 2; i++) {
			d[i].fd = i ? fd2 : fd;
			d[i].bar = &bar;
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_destroy, &d[i]));
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		EXPECT_EQ(1, (d[0].ret == 0) + (d[1].ret == 0));
		EXPECT_EQ(1, (d[0].ret == -ENOENT) + (d[1].ret == -ENOENT));
		EXPECT_EQ(-ENOENT, grp_open_id(p->ctl, id));
		close(fd);
		close(fd2);
	}
	pthread_barrier_destroy(&bar);
}

/* max_groups: ENOSPC past it, and room again after a destroy. */
TEST_F_TIMEOUT(life, max_groups_enospc, 600)
{
	struct pair *p = &self->p;
	long long max = mod_param("max_groups");
	__u32 *ids;
	long long n = 0, i;
	int r = 0;

	ASSERT_LT(0, max);
	ASSERT_GE(100000, max);
	ids = calloc((size_t)max + 1, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	/* Persistent groups, their fds closed at once. */
	while (n <= max) {
		r = grp_plain(p->ctl, 1, 0, &ids[n]);
		if (r < 0)
			break;
		close(r);
		n++;
	}
	EXPECT_EQ(-ENOSPC, r);
	EXPECT_GT(max, n);
	EXPECT_LT(0, n);
	/* One destroyed, one more fits. */
	if (n > 0) {
		int fd = grp_open_id(p->ctl, ids[n - 1]);

		ASSERT_LE(0, fd);
		EXPECT_EQ(0, grp_destroy(fd));
		close(fd);
		r = grp_plain(p->ctl, 1, 0, &ids[n - 1]);
		EXPECT_LE(0, r);
		if (r >= 0)
			close(r);
	}
	for (i = 0; i < n; i++) {
		int fd = grp_open_id(p->ctl, ids[i]);

		if (fd < 0)
			continue;
		grp_destroy(fd);
		close(fd);
	}
	free(ids);
}

/* ------------------------------------------------------ module defaults */

/* finit_module(MODULE_PATH) with the VM's parameters and @extra: 0 or -errno. */
static int mod_load(const char *extra)
{
	return vm_module_load(MODULE_PATH, extra);
}

/*
 * A default epoch_max_age_ms of 0 ("no age limit") under a finite
 * epoch_max_age_ms_max would give every new group a retention above the
 * administrator's cap: the module refuses to load (EINVAL). With no cap
 * (epoch_max_age_ms_max=0), 0 is fine. Runs in the test VM only: it
 * unloads the module the other suites use and loads it back as the VM did.
 */
TEST(module_default_max_age_zero_needs_no_cap)
{
	int r, fd;

	if (getuid() != 0 || access(MODULE_PATH, R_OK))
		SKIP(return, "not in the test VM (no %s)", MODULE_PATH);
	ASSERT_EQ(0, syscall(SYS_delete_module, "mls", O_NONBLOCK))
		TH_LOG("delete_module: %s", strerror(errno));

	/* Until the module is back, EXPECT only. */
	r = mod_load("epoch_max_age_ms=0");
	EXPECT_EQ(-EINVAL, r) TH_LOG("epoch_max_age_ms=0 under a cap: %s", strerror(-r));
	if (!r)
		EXPECT_EQ(0, syscall(SYS_delete_module, "mls", O_NONBLOCK));
	r = mod_load("epoch_max_age_ms=0 epoch_max_age_ms_max=0");
	EXPECT_EQ(0, r) TH_LOG("epoch_max_age_ms=0 without a cap: %s", strerror(-r));
	if (!r) {
		struct mls_set_policy sp;
		struct pair p;

		EXPECT_EQ(0, mod_param("epoch_max_age_ms"));
		/* Without a cap a group may set 0, or any age. */
		EXPECT_EQ(0, pair_make(&p, 1));
		memset(&sp, 0, sizeof(sp));
		sp.mask = MLS_POLICY_EPOCH_MAX_AGE;
		EXPECT_EQ(0, xioctl(p.a, MLS_IOC_SET_POLICY, &sp));
		sp.policy.epoch_max_age_ms = 0xffffffff;
		EXPECT_EQ(0, xioctl(p.a, MLS_IOC_SET_POLICY, &sp));
		pair_close(&p);
		EXPECT_EQ(0, syscall(SYS_delete_module, "mls", O_NONBLOCK))
			TH_LOG("delete_module: %s", strerror(errno));
	}
	/* Back for the suites that follow, as the VM loaded it. */
	r = mod_load("");
	ASSERT_EQ(0, r) TH_LOG("finit_module: %s", strerror(-r));
	fd = open("/dev/mls", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_LT(0, mod_param("epoch_max_age_ms"));
}

TEST_HARNESS_MAIN
