/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the kernel's checked arithmetic is the compiler's builtins too. */
#ifndef _FUZZ_SHIM_LINUX_OVERFLOW_H
#define _FUZZ_SHIM_LINUX_OVERFLOW_H

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

#endif
