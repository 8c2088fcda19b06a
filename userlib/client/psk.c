// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* PreSharedKeyIDs matched to the application's PSKs (§8.4). */
#include <string.h>

#include "internal.h"
#include "psk.h"

bool mlsc_group_id_is(int fd, const struct mlsc_slice *id)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t gid_len = sizeof(gid);
	struct mls_group_info info;

	memset(&info, 0, sizeof(info));
	if (mls_group_info(fd, &info, gid, &gid_len))
		return false;
	return gid_len == id->len && !memcmp(gid, id->p, gid_len);
}

static const struct mlsc_psk *find(const struct mlsc_psk_id *id,
				   const struct mlsc_psk *given, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		const struct mlsc_psk *c = &given[j];

		if (c->type != id->type)
			continue;
		if (c->type == MLS_PSK_EXTERNAL &&
		    c->id_len == id->psk_id.len &&
		    !memcmp(c->id, id->psk_id.p, c->id_len))
			return c;
		if (c->type == MLS_PSK_RESUMPTION &&
		    mlsc_group_id_is(c->group_fd, &id->psk_group_id))
			return c;
	}
	return NULL;
}

int mlsc_psk_list(const struct mlsc_suite *s, const struct mlsc_psk_id *ids,
		  size_t n, const struct mlsc_psk *given, size_t n_given,
		  struct mls_psk *out)
{
	if (n > MLS_MAX_PSKS)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		const struct mlsc_psk_id *id = &ids[i];
		const struct mlsc_psk *found;
		struct mls_psk *o = &out[i];

		if (id->psk_nonce.len != s->nh)
			return -EBADMSG;
		memset(o, 0, sizeof(*o));
		found = find(id, given, n_given);
		if (!found)
			return -ENOENT;
		o->type = id->type;
		if (id->type == MLS_PSK_EXTERNAL) {
			mls_buf_set(&o->id, id->psk_id.p, id->psk_id.len);
			mls_buf_set(&o->secret, found->secret,
				    found->secret_len);
		} else {
			o->usage = id->usage;
			o->group = (uint32_t)found->group_fd;
			o->epoch = id->psk_epoch;
		}
		mls_buf_set(&o->nonce, id->psk_nonce.p, id->psk_nonce.len);
	}
	return 0;
}
