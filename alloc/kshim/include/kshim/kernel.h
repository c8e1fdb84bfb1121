/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything the extracted page_frag code sees, included once by each
 * generated kernel translation unit right after the kernel's gfp_types.h.
 * The extracted code itself has no #include lines: it was cut by name.
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

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#endif /* KSHIM_KERNEL_H */
