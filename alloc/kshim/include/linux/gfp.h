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

static inline struct page *__alloc_pages(gfp_t gfp, unsigned int order,
					 int nid, void *nodemask)
{
	return fs_page_alloc(order, ks_gfp_to_neutral(gfp), "__alloc_pages");
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

#endif /* __LINUX_GFP_H */
