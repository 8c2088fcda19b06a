/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: lib/crc32.c's crc32_le(), bit by bit (reflected, 0xedb88320). */
#ifndef _FUZZ_SHIM_LINUX_CRC32_H
#define _FUZZ_SHIM_LINUX_CRC32_H

#include <linux/types.h>

static inline u32 crc32_le(u32 crc, const u8 *p, size_t len)
{
	int i;

	while (len--) {
		crc ^= *p++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

#endif
