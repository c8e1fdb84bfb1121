/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: include/linux/bits.h (BIT, GENMASK); the kernel's gfp_types.h includes it. */
#ifndef __LINUX_BITS_H
#define __LINUX_BITS_H

#include <linux/kconfig.h>
#include <linux/types.h>

#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))

#endif /* __LINUX_BITS_H */
