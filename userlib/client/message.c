// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* MLSMessage as an opaque handle: parse, inspect, serialize. */
#include <string.h>

#include "internal.h"
#include "wire.h"

struct mlsc_message {
	uint8_t *bytes;		/* the parsed fields point in here */
	size_t len;
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
};

MLSC_EXPORT void mlsc_message_free(struct mlsc_message *msg)
{
	if (!msg)
		return;
	mlsc_arena_free(&msg->arena);
	if (msg->bytes) {
		explicit_bzero(msg->bytes, msg->len);
		free(msg->bytes);
	}
	explicit_bzero(msg, sizeof(*msg));
	free(msg);
}

MLSC_EXPORT int mlsc_message_parse(const void *data, size_t len,
				   struct mlsc_message **out)
{
	struct mlsc_message *msg;
	int err;

	if (!out || (!data && len))
		return -EINVAL;
	*out = NULL;
	msg = mlsc_calloc(1, sizeof(*msg));
	if (!msg)
		return -ENOMEM;
	mlsc_arena_init(&msg->arena);
	msg->bytes = mlsc_malloc(len);
	if (!msg->bytes) {
		free(msg);
		return -ENOMEM;
	}
	if (len)
		memcpy(msg->bytes, data, len);
	msg->len = len;
	err = MLSC_DECODE(msg->bytes, len, &msg->arena, &msg->m,
			  mlsc_io_mls_message);
	if (err) {
		mlsc_message_free(msg);
		return err;
	}
	*out = msg;
	return 0;
}

MLSC_EXPORT int mlsc_message_wire_format(const struct mlsc_message *msg)
{
	return msg ? msg->m.wire_format : -EINVAL;
}

MLSC_EXPORT int mlsc_message_serialize(const struct mlsc_message *msg,
				       struct mls_bytes *out)
{
	struct mlsc_wbuf w;
	int err;

	if (!msg || !out)
		return -EINVAL;
	out->data = NULL;
	out->len = 0;
	err = MLSC_ENCODE(&msg->m, mlsc_io_mls_message, &w);
	if (err)
		return err;
	out->data = w.p;
	out->len = w.len;
	return 0;
}
