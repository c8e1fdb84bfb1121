/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: include/linux/log2.h and asm-generic/getorder.h. */
#ifndef _LINUX_LOG2_H
#define _LINUX_LOG2_H

#include <linux/types.h>
#include <asm/page.h>
#include <kshim/config.h>

static inline __attribute__((const)) bool is_power_of_2(unsigned long n)
{
	return n != 0 && ((n & (n - 1)) == 0);
}

static inline __attribute__((const)) int __get_order(unsigned long size)
{
	int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

/* ilog2(n - 1) + 1 - PAGE_SHIFT, an integer constant expression. */
#define __const_get_order(n)						\
	((n) == 0 ? BITS_PER_LONG - PAGE_SHIFT :			\
	 (n) <= PAGE_SIZE ? 0 :						\
	 BITS_PER_LONG - __builtin_clzl(((n) - 1) | 1) - PAGE_SHIFT)

/* As the kernel's: a constant for a constant, so BUILD_BUG_ON() takes it. */
#define get_order(n)							\
	(__builtin_constant_p(n) ? __const_get_order(n) : __get_order(n))

#endif /* _LINUX_LOG2_H */
