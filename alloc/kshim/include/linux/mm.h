/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: copy, probe (in sections). */
/*
 * Models: include/linux/mm.h and page-flags.h — address/page conversion,
 * compound pages and the refcount helpers built on page_ref.h.
 * Addresses are the page arena's; an address outside it is reported.
 */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/bug.h>
#include <linux/log2.h>
#include <linux/mm_types.h>
#include <linux/page_ref.h>

/* ---- copy ---- */

static inline struct page *compound_head(const struct page *page)
{
	if (page->flags & KS_PG_TAIL)
		return page->head;
	return (struct page *)page;
}

static inline bool PageHead(const struct page *page)
{
	return page->flags & KS_PG_HEAD;
}

static inline bool PageTail(const struct page *page)
{
	return page->flags & KS_PG_TAIL;
}

static inline unsigned int compound_order(const struct page *page)
{
	if (!(page->flags & KS_PG_HEAD))
		return 0;
	return page->order;
}

static inline bool page_is_pfmemalloc(const struct page *page)
{
	return page->flags & KS_PG_PFMEMALLOC;
}

/* ---- probe ---- */

static inline struct page *virt_to_page(const void *x)
{
	return fs_virt_to_page(x, "virt_to_page");
}

static inline void *page_address(const struct page *page)
{
	return fs_page_address(page);
}

static inline struct page *virt_to_head_page(const void *x)
{
	return compound_head(fs_virt_to_page(x, "virt_to_head_page"));
}

static inline int put_page_testzero(struct page *page)
{
	VM_BUG_ON_PAGE(page_ref_count(page) == 0, page);
	return fs_page_ref_sub_return(page, 1, "put_page_testzero") == 0;
}

static inline bool get_page_unless_zero(struct page *page)
{
	return fs_page_get_unless_zero(page, "get_page_unless_zero");
}

static inline void get_page(struct page *page)
{
	page = compound_head(page);
	VM_BUG_ON_PAGE(page_ref_count(page) <= 0, page);
	fs_page_ref_add_return(page, 1, "get_page");
}

static inline void put_page(struct page *page)
{
	page = compound_head(page);
	if (put_page_testzero(page))
		fs_page_free(page, compound_order(page), "put_page");
}

#endif /* _LINUX_MM_H */
