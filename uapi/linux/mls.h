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
 */
enum mls_feature {
	MLS_FEATURE_VERSION_IOCTL	= 1ULL << 0,
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

#define MLS_VERSION_SIZE_VER0	24

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
 * Generic netlink family "mls" (spec: Documentation/netlink/specs/mls.yaml).
 *
 *   MLS_CMD_GET_VERSION (do)
 *     reply: MLS_A_API_VERSION u32, MLS_A_MODULE_VERSION string
 *
 * Multicast group "events": event notifications.
 */
#define MLS_GENL_NAME		"mls"
#define MLS_GENL_VERSION	1
#define MLS_GENL_MCGRP_EVENTS	"events"

enum mls_cmd {
	MLS_CMD_UNSPEC,
	MLS_CMD_GET_VERSION,

	__MLS_CMD_MAX,
};

#define MLS_CMD_MAX (__MLS_CMD_MAX - 1)

enum mls_attr {
	MLS_A_UNSPEC,
	MLS_A_API_VERSION,		/* u32 */
	MLS_A_MODULE_VERSION,		/* string */

	__MLS_A_MAX,
};

#define MLS_A_MAX (__MLS_A_MAX - 1)

#endif /* _UAPI_LINUX_MLS_H */
