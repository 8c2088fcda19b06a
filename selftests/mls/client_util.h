/* SPDX-License-Identifier: GPL-2.0 */
/* What the client's VM tests share (client_util.c). */
#ifndef MLS_CLIENT_UTIL_H
#define MLS_CLIENT_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include <libmls.h>
#include <mls_client.h>

#include "vectors.h"

/* One case's inputs, hex-decoded. */
struct join_case {
	unsigned int suite;
	struct bytes kp, init_priv, enc_priv, welcome, tree, auth;
	struct bytes psk_id[8], psk[8];
	struct mlsc_psk psks[8];
	size_t n_psks;
};

/* The open fds of this process. */
int fd_count(void);
/* The groups the kernel lists on @ctl, or -errno. */
long group_count(int ctl);
void case_free(struct join_case *c);
/* A passive-client-*.json case @v into @c: 0, or -1. */
int passive_case(json_t *v, struct join_case *c);
struct mlsc_welcome_keys case_keys(const struct join_case *c);
/* Lifetimes are not what the vector tests judge. */
extern const struct mlsc_validate_opts vector_opts;
struct mlsc_join_args case_args(const struct join_case *c);
/*
 * Open and join @welcome with @c's keys: 0 with *@g set, or the first
 * -errno. Nothing of a failed attempt stays.
 */
int join(int ctl, const struct join_case *c, const uint8_t *welcome,
	 size_t len, const struct mlsc_join_args *args,
	 struct mlsc_group **g);
/* The group's epoch_authenticator is @c's initial one. */
int auth_ok(const struct mlsc_group *g, const struct join_case *c);
/* LeakSanitizer's verdict so far: 0 when nothing leaked. */
int leaks(void);

/* A member-to-be: its signature key and KeyPackage. */
struct member {
	unsigned int suite;
	struct mls_sig_key *sig;
	struct mls_bytes kp_msg;
	struct mlsc_keypkg_priv *priv;
	struct mlsc_keypkg *kp;		/* parsed, as a committer gets it */
	struct mlsc_group *g;
};

/* A fresh signature key and KeyPackage of @suite for @name into @m. */
int member_new(unsigned int suite, const char *name, struct member *m);
/* The same, its KeyPackage listing @ext_types as supported extensions. */
int member_new_ext(unsigned int suite, const char *name,
		   const uint16_t *ext_types, size_t n_ext_types,
		   struct member *m);
/* Destroy @m's kernel group, release all of @m. */
void member_free(struct member *m);
/* Join @m from @welcome (and @tree when not in it), with @psks. */
int member_join(int ctl, struct member *m, const struct mls_bytes *welcome,
		const struct mls_bytes *tree, const struct mlsc_psk *psks,
		size_t n_psks);
/* The same, the group's leaves validated under @vo (NULL: basic, now). */
int member_join_judged(int ctl, struct member *m,
		       const struct mls_bytes *welcome,
		       const struct mls_bytes *tree,
		       const struct mlsc_psk *psks, size_t n_psks,
		       const struct mlsc_validate_opts *vo);
/* A credential_cb that accepts every credential. */
int accept_any(void *arg, const struct mlsc_cred *cred, const void *sig_key,
	       size_t sig_key_len, uint16_t suite);
/* Alice's group of one ("group of suite N"), for suite @suite. */
int member_create(int ctl, struct member *alice, unsigned int suite);
/*
 * @alice, in her group, commits an Add of @bob by value (the ratchet
 * tree in the Welcome) and merges it; @bob joins: 0 or -errno.
 */
int member_add(int ctl, struct member *alice, struct member *bob);
/* Alice's group of @suite (member_create()) with Bob added: 0 or -errno. */
int alice_and_bob(int ctl, unsigned int suite, struct member *alice,
		  struct member *bob);
/*
 * @m commits @spec by value and @refs by reference into @out, and
 * merges it on success: 0 or -errno.
 */
int commit_merged(struct member *m, const struct mlsc_proposal_spec *spec,
		  size_t n_spec, const struct mls_bytes *refs, size_t n_refs,
		  struct mlsc_commit_out *out);
/*
 * A kselftest_harness fixture @name of two members in one group on
 * their own /dev/mls fd, made by @make(ctl, &alice, &bob); each test
 * ends with their release and a LeakSanitizer check.
 */
#define TWO_MEMBERS_FIXTURE(name, make)					\
FIXTURE(name) {								\
	int ctl;							\
	struct member alice, bob;					\
};									\
FIXTURE_SETUP(name)							\
{									\
	self->ctl = mls_open(0);					\
	ASSERT_LE(0, self->ctl);					\
	ASSERT_EQ(0, make(self->ctl, &self->alice, &self->bob));	\
}									\
FIXTURE_TEARDOWN(name)							\
{									\
	member_free(&self->alice);					\
	member_free(&self->bob);					\
	close(self->ctl);						\
	EXPECT_EQ(0, leaks());						\
}
/* The kernel group's epoch, or UINT64_MAX. */
uint64_t kernel_epoch(const struct mlsc_group *g);
/* The kernel group has no pending commit for the next epoch. */
bool nothing_pending(const struct mlsc_group *g);
/* What a refused call must leave as it was: the epoch, the GroupContext. */
struct group_mark {
	uint64_t epoch;
	size_t ctx_len;
	uint8_t ctx[1024];
};
/* Mark @g's epoch and GroupContext into @m: 0, or -ENOSPC. */
int group_mark(const struct mlsc_group *g, struct group_mark *m);
/*
 * @g in the epoch @m marked (the kernel group too) with the same
 * GroupContext, and no commit pending.
 */
bool group_unchanged(const struct mlsc_group *g, const struct group_mark *m);
/* @a and @b are in the same epoch with the same epoch_authenticator. */
bool same_authenticator(const struct mlsc_group *a,
			const struct mlsc_group *b);
/*
 * @from sends @text (authenticated data "ad"), @to gets it through
 * mlsc_group_process(), in the kernel's current epoch: 0 or -errno
 * (-EPROTO when what @to got differs).
 */
int talk_to(struct member *from, struct member *to, const char *text);
/* Each member talks to the next, both ways, through the process path. */
#define ALL_TALK(...) do {						\
	struct member *ms_[] = { __VA_ARGS__ };				\
	size_t n_ = sizeof(ms_) / sizeof(ms_[0]);			\
	for (size_t i_ = 0; i_ < n_; i_++) {				\
		struct member *a_ = ms_[i_], *b_ = ms_[(i_ + 1) % n_];	\
									\
		EXPECT_EQ(0, talk_to(a_, b_, "hi"));			\
		EXPECT_EQ(0, talk_to(b_, a_, "hey"));			\
	}								\
} while (0)
/*
 * @m processes @msg, a Commit by leaf @sender leading to @epoch, with
 * @opts: 0 or -errno; *@flags (when given) gets mlsc_processed.flags.
 */
int follow_commit(struct member *m, const struct mls_bytes *msg,
		  const struct mlsc_process_opts *opts, int64_t sender,
		  uint64_t epoch, uint32_t *flags);
/* The external PSK as the followers are given it, and as proposed. */
extern const struct mlsc_psk ext_psk;
extern const struct mlsc_proposal_spec psk_proposal;

#endif /* MLS_CLIENT_UTIL_H */
