/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The group a ReInit starts (RFC 9420 §11.2): what a joiner checks of
 * its Welcome against the ended group (reinit_group.c).
 */
#ifndef MLSC_REINIT_H
#define MLSC_REINIT_H

#include <mls_client.h>

#include "wire.h"

/*
 * The GroupSecrets' PSKs @ids (@n of them) against @old (§12.4.3.1: a
 * resumption PSK of usage reinit or branch is the only such PSK). With
 * @old NULL: none of usage reinit, at most one of usage branch, and
 * *@branch says whether there is one (its GroupInfo's epoch must then
 * be 1, which the caller checks once it has opened the GroupInfo).
 * Else: exactly one of either usage, of usage reinit, of @old's group_id
 * and epoch. 0; -EPROTO; -ENOENT (@old was not ended by a ReInit);
 * -ENOMEM.
 */
int mlsc_reinit_psks_check(const struct mlsc_group *old,
			   const struct mlsc_psk_id *ids, size_t n,
			   bool *branch);

/*
 * The GroupInfo's GroupContext @gc is that of the first epoch of the
 * group @old's ReInit starts: epoch 1, its group_id, version, suite and
 * extensions. 0; -EPROTO; -ENOMEM.
 */
int mlsc_reinit_context_check(const struct mlsc_group *old,
			      const struct mlsc_group_context *gc);

#endif /* MLSC_REINIT_H */
