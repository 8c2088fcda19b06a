/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FUZZ_SHIM_LINUX_BITS_H
#define _FUZZ_SHIM_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))

#endif
