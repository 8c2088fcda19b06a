/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libmls: the thin userspace library of mls.
 *
 * Every function returns 0 (or a non-negative value where documented) on
 * success and -errno on failure; none touches errno. There is no global
 * state: the caller owns every descriptor.
 */
#ifndef LIBMLS_H
#define LIBMLS_H

#include <linux/mls.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * mls_open() - open the control device /dev/mls
 * @flags: extra open(2) flags (O_CLOEXEC is always added)
 *
 * Return: the descriptor, or -errno.
 */
int mls_open(int flags);

/**
 * mls_get_version() - API version, features and ciphersuites
 * @ctl_fd: descriptor of /dev/mls
 * @v: filled on success
 */
int mls_get_version(int ctl_fd, struct mls_version *v);

#ifdef __cplusplus
}
#endif

#endif /* LIBMLS_H */
