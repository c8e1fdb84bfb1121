/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: stub: a fixed answer or a no-op. */
/*
 * The kernel configuration the extracted code is built with: a 64-bit
 * x86-like debug kernel with 4K pages, as syzbot runs it.
 */
#ifndef KSHIM_CONFIG_H
#define KSHIM_CONFIG_H

#define CONFIG_64BIT		1
#define CONFIG_SMP		1
#define CONFIG_DEBUG_VM		1	/* VM_BUG_ON_PAGE() is live */
#define CONFIG_NR_CPUS		8
#define BITS_PER_LONG		64

#endif /* KSHIM_CONFIG_H */
