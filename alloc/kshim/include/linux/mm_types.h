/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: stub: struct page is the simulated one (kshim/page.h). */
/*
 * Models: include/linux/mm_types.h — struct page only.  struct
 * page_frag_cache and PAGE_FRAG_CACHE_MAX_* come from the kernel tree.
 */
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H

#include <kshim/page.h>

#endif /* _LINUX_MM_TYPES_H */
