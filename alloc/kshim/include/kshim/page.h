/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: stub: the simulated struct page, only the fields the code uses. */
/*
 * The simulated struct page: only what the page_frag code and the page
 * allocator model need.  Shared by the shim headers and the arena.
 */
#ifndef KSHIM_PAGE_H
#define KSHIM_PAGE_H

#include <linux/types.h>

enum {
	KS_PG_HEAD	= 1u << 0,	/* head of a compound page */
	KS_PG_TAIL	= 1u << 1,	/* tail of a compound page */
	KS_PG_ALLOC	= 1u << 2,	/* first page of an allocated block */
	KS_PG_INBLOCK	= 1u << 3,	/* another page of an allocated block */
	KS_PG_REDZONE	= 1u << 4,	/* guard page, never handed out */
	KS_PG_PFMEMALLOC = 1u << 5,	/* served from the memalloc reserves */
};

struct page {
	atomic_t _refcount;
	unsigned int flags;		/* KS_PG_* */
	unsigned int order;		/* KS_PG_ALLOC: order of the block */
	unsigned int pfn;
	struct page *head;		/* KS_PG_TAIL/INBLOCK: first page */
};

/* A folio is its head page, as the kernel's overlays struct page. */
struct folio {
	struct page page;
};

#endif /* KSHIM_PAGE_H */
