/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: stub (EXPORT_SYMBOL), and the includes of the shim headers. */
/*
 * Everything the extracted page_frag code sees, included once by each
 * generated kernel translation unit right after the kernel's gfp_types.h.
 * The extracted code itself has no #include lines: it was cut by name.
 *
 * Every shim file says on its second line which kind of shim it is, as
 * the kernel's tools/testing/vma harness sorts its shims; a file of
 * several kinds is sorted into sections headed by kind:
 *   copy   the kernel's own logic, faithfully copied (nothing simulated);
 *   probe  forwards to the simulator (alloc/kshim/arena.c, context.c),
 *          which performs the operation and reports it to the checker;
 *   stub   a fixed answer or a no-op (one node, no sparse, no exports).
 */
#ifndef KSHIM_KERNEL_H
#define KSHIM_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/kconfig.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/align.h>
#include <linux/log2.h>
#include <asm/page.h>
#include <linux/numa.h>
#include <linux/mm_types.h>
#include <linux/page_ref.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/atomic.h>
#include <linux/processor.h>

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#endif /* KSHIM_KERNEL_H */
