/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy: the kernel's own logic, faithfully copied. */
/* Models: arch/x86/include/asm/page_types.h — 4K pages. */
#ifndef _ASM_PAGE_H
#define _ASM_PAGE_H

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#endif /* _ASM_PAGE_H */
