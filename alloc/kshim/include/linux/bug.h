/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe, copy (in sections). */
/*
 * Models: include/linux/bug.h, asm-generic/bug.h, include/linux/mmdebug.h.
 * A BUG in the code under test is a finding that ends the run (the shim
 * never returns into the kernel code); a WARN is a finding that lets the
 * kernel code go on, as in a kernel with panic_on_warn=0.
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>
#include <fragsim/kshim.h>

/* ---- probe ---- */

#define __KS_REPORT(k, c, pg)						\
	(&(const struct fs_kernel_report){ .kind = (k), .cond = (c),	\
		.file = __FILE__, .line = __LINE__, .func = __func__,	\
		.page = (pg) })

#define BUG()		fs_kernel_bug(__KS_REPORT("BUG", "BUG()", NULL))
#define BUG_ON(cond)	do {						\
	if (unlikely(cond))						\
		fs_kernel_bug(__KS_REPORT("BUG", #cond, NULL));		\
} while (0)

#define WARN_ON(cond) ({						\
	int __ret_warn_on = !!(cond);					\
	if (unlikely(__ret_warn_on))					\
		fs_kernel_warn(__KS_REPORT("WARNING", #cond, NULL));	\
	unlikely(__ret_warn_on);					\
})
/* Once per run is the simulator's business: every hit is reported. */
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define WARN(cond, fmt...)	WARN_ON(cond)
#define WARN_ONCE(cond, fmt...)	WARN_ON(cond)

/* CONFIG_DEBUG_VM is on (kshim/config.h). */
#define VM_BUG_ON(cond)		BUG_ON(cond)
#define VM_BUG_ON_PAGE(cond, page) do {					\
	if (unlikely(cond))						\
		fs_kernel_bug(__KS_REPORT("BUG", #cond, (page)));	\
} while (0)
#define VM_WARN_ON(cond)	(void)WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond)	WARN_ON_ONCE(cond)
#define VM_WARN_ON_ONCE_PAGE(cond, page) WARN_ON_ONCE(cond)

/* ---- copy ---- */

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")

#endif /* _LINUX_BUG_H */
