/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: include/linux/align.h and the rounding helpers of kernel.h/math.h. */
#ifndef _LINUX_ALIGN_H
#define _LINUX_ALIGN_H

#define __ALIGN_KERNEL_MASK(x, mask)	(((x) + (mask)) & ~(mask))
#define __ALIGN_MASK(x, mask)		__ALIGN_KERNEL_MASK((x), (mask))
#define ALIGN(x, a)			__ALIGN_MASK(x, (__typeof__(x))(a) - 1)
#define ALIGN_DOWN(x, a)		ALIGN((x) - ((a) - 1), (a))
#define DIV_ROUND_UP(n, d)		(((n) + (d) - 1) / (d))

#endif /* _LINUX_ALIGN_H */
