/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: unaligned big- and little-endian loads and stores. */
#ifndef _FUZZ_SHIM_ASM_UNALIGNED_H
#define _FUZZ_SHIM_ASM_UNALIGNED_H

#include <endian.h>
#include <string.h>
#include <linux/types.h>

#define _FUZZ_UNALIGNED(bits, end)					\
static inline u##bits get_unaligned_##end##bits(const void *p)		\
{									\
	u##bits v;							\
									\
	memcpy(&v, p, sizeof(v));					\
	return end##bits##toh(v);					\
}									\
static inline void put_unaligned_##end##bits(u##bits v, void *p)	\
{									\
	v = hto##end##bits(v);						\
	memcpy(p, &v, sizeof(v));					\
}

_FUZZ_UNALIGNED(16, be)
_FUZZ_UNALIGNED(32, be)
_FUZZ_UNALIGNED(64, be)
_FUZZ_UNALIGNED(16, le)
_FUZZ_UNALIGNED(32, le)
_FUZZ_UNALIGNED(64, le)

#undef _FUZZ_UNALIGNED

#endif
