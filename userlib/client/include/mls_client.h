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

#ifdef __cplusplus
}
#endif

#endif /* MLS_CLIENT_H */
