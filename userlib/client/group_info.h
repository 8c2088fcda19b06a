/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * External commits (RFC 9420 §12.4.3.2): the GroupInfo a member
 * publishes for external joiners (group_info.c), the joiner's side
 * (external_join.c) and the checks a receiver makes (commit_recv.c).
 */
#ifndef MLSC_GROUP_INFO_H
#define MLSC_GROUP_INFO_H

#include <stdbool.h>

#include "suite.h"
#include "wire.h"

#define MLSC_EXTERNAL_INIT_LABEL	"MLS 1.0 external init secret"

/*
 * Sign @gi (its signature field ignored) with @key over GroupInfoTBS,
 * and encode it as an MLSMessage(GroupInfo) into @out (mlsc_wbuf_free()).
 */
int mlsc_group_info_sign(struct mlsc_group_info *gi,
			 const struct mls_sig_key *key, struct mlsc_wbuf *out);

/*
 * The one extension of @type in @exts into *@ext: 0, -ENODATA (none),
 * -EBADMSG (twice).
 */
int mlsc_find_extension(const struct mlsc_extensions *exts, uint16_t type,
			const struct mlsc_extension **ext);

/*
 * Does the kernel offer ExternalInit for suite @s, whose KEM it must
 * decapsulate with (DHKEM X25519, P-256, P-384)?
 */
bool mlsc_suite_external_ok(const struct mlsc_suite *s);

#endif /* MLSC_GROUP_INFO_H */
