/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: min_t()/max_t() with the kernel's meaning (no type check). */
#ifndef _FUZZ_SHIM_LINUX_MINMAX_H
#define _FUZZ_SHIM_LINUX_MINMAX_H

#define min_t(type, x, y) ({ type __x = (x), __y = (y); __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x), __y = (y); __x > __y ? __x : __y; })

#endif
