/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/gfp.h and the page allocator entry points of
 * mm/page_alloc.c and mm/internal.h.  The gfp bits are the kernel's own
 * (its gfp_types.h is placed ahead of the shim by the extractor); they are
 * translated to the arena's kernel-neutral bits here, per kernel version.
 */
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#ifndef __LINUX_GFP_TYPES_H
#error "the kernel's include/linux/gfp_types.h must precede the shim"
#endif

#include <linux/mm.h>
#include <linux/numa.h>
#include <fragsim/gfp.h>

static const struct {
	gfp_t kernel;
	fs_gfp_t neutral;
} ks_gfp_map[] = {
	{ __GFP_HIGH, FS_GFP_HIGH },
	{ __GFP_IO, FS_GFP_IO },
	{ __GFP_FS, FS_GFP_FS },
	{ __GFP_DIRECT_RECLAIM, FS_GFP_DIRECT_RECLAIM },
	{ __GFP_KSWAPD_RECLAIM, FS_GFP_KSWAPD_RECLAIM },
	{ __GFP_NOWARN, FS_GFP_NOWARN },
	{ __GFP_NORETRY, FS_GFP_NORETRY },
	{ __GFP_COMP, FS_GFP_COMP },
	{ __GFP_MEMALLOC, FS_GFP_MEMALLOC },
	{ __GFP_NOMEMALLOC, FS_GFP_NOMEMALLOC },
	{ __GFP_ZERO, FS_GFP_ZERO },
};

static inline fs_gfp_t ks_gfp_to_neutral(gfp_t gfp)
{
	fs_gfp_t out = 0;

	for (unsigned int i = 0; i < sizeof(ks_gfp_map) / sizeof(ks_gfp_map[0]); i++)
		if (gfp & ks_gfp_map[i].kernel)
			out |= ks_gfp_map[i].neutral;
	return out;
}

static inline gfp_t ks_gfp_from_neutral(fs_gfp_t gfp)
{
	gfp_t out = 0;

	for (unsigned int i = 0; i < sizeof(ks_gfp_map) / sizeof(ks_gfp_map[0]); i++)
		if (gfp & ks_gfp_map[i].neutral)
			out |= ks_gfp_map[i].kernel;
	return out;
}

typedef struct {
	unsigned long bits[1];
} nodemask_t;

/* mm/internal.h: the allocator's watermark/policy flags (the arena's business). */
#define ALLOC_DEFAULT	0

/*
 * __alloc_pages() gained an alloc_flags argument: the extractor counts
 * the arguments of the tree's calls (FS_ALLOC_PAGES_NARGS).
 */
#if defined(FS_ALLOC_PAGES_NARGS) && FS_ALLOC_PAGES_NARGS == 5
static inline struct page *__alloc_pages(gfp_t gfp, unsigned int order,
					 int nid, nodemask_t *nodemask,
					 unsigned int alloc_flags)
#else
static inline struct page *__alloc_pages(gfp_t gfp, unsigned int order,
					 int nid, nodemask_t *nodemask)
#endif
{
	return fs_page_alloc(order, ks_gfp_to_neutral(gfp), "__alloc_pages");
}

static inline struct page *__alloc_pages_node(int nid, gfp_t gfp,
					      unsigned int order)
{
	return fs_page_alloc(order, ks_gfp_to_neutral(gfp),
			     "__alloc_pages_node");
}

static inline struct page *alloc_pages_node(int nid, gfp_t gfp,
					    unsigned int order)
{
	return fs_page_alloc(order, ks_gfp_to_neutral(gfp), "alloc_pages_node");
}

static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return fs_page_alloc(order, ks_gfp_to_neutral(gfp), "alloc_pages");
}

/* 6.1: static in mm/page_alloc.c; the page_frag code frees through it. */
static inline void free_the_page(struct page *page, unsigned int order)
{
	fs_page_free(page, order, "free_the_page");
}

/* 6.2..6.12: mm/internal.h. */
static inline void free_unref_page(struct page *page, unsigned int order)
{
	fs_page_free(page, order, "free_unref_page");
}

/* 6.15+: mm/internal.h. */
static inline void free_frozen_pages(struct page *page, unsigned int order)
{
	fs_page_free(page, order, "free_frozen_pages");
}

static inline void __free_pages(struct page *page, unsigned int order)
{
	if (put_page_testzero(page))
		fs_page_free(page, order, "__free_pages");
}

#define alloc_page(gfp)		alloc_pages((gfp), 0)
#define __free_page(page)	__free_pages((page), 0)

static inline struct folio *folio_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = fs_page_alloc(order, ks_gfp_to_neutral(gfp | __GFP_COMP),
					  "folio_alloc");

	return (struct folio *)page;
}

static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = fs_page_alloc(order, ks_gfp_to_neutral(gfp),
					  "__get_free_pages");

	return page ? (unsigned long)page_address(page) : 0;
}

#define __get_free_page(gfp)	__get_free_pages((gfp), 0)

static inline void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(virt_to_page((void *)addr), order);
}

#define free_page(addr)		free_pages((addr), 0)

/* include/linux/skbuff.h's page allocation for RX buffers. */
static inline struct page *dev_alloc_pages(unsigned int order)
{
	return alloc_pages_node(NUMA_NO_NODE, GFP_ATOMIC | __GFP_COMP |
				__GFP_NOWARN | __GFP_MEMALLOC, order);
}

#define dev_alloc_page()	dev_alloc_pages(0)

#endif /* __LINUX_GFP_H */
