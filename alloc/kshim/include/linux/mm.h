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

#define page_to_virt(page)	page_address(page)
#define lowmem_page_address(page) page_address(page)

static inline unsigned long page_to_pfn(const struct page *page)
{
	return fs_page_pfn(page);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return fs_arena_page(fs_arena_cur, pfn);
}

#define virt_to_pfn(x)		page_to_pfn(virt_to_page(x))
#define nth_page(page, n)	((page) + (n))
#define page_to_nid(page)	((void)(page), 0)

static inline unsigned long compound_nr(const struct page *page)
{
	return 1UL << compound_order(page);
}

static inline unsigned long page_size(const struct page *page)
{
	return PAGE_SIZE << compound_order(page);
}

static inline bool PageCompound(const struct page *page)
{
	return page->flags & (KS_PG_HEAD | KS_PG_TAIL);
}

/* Folios: the head page seen as a whole. */
#define page_folio(p)		((struct folio *)compound_head(p))
#define folio_page(folio, n)	nth_page(&(folio)->page, (n))
#define virt_to_folio(x)	page_folio(virt_to_page(x))

static inline void *folio_address(const struct folio *folio)
{
	return page_address(&folio->page);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return compound_order(&folio->page);
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return 1UL << folio_order(folio);
}

static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline bool folio_test_pfmemalloc(const struct folio *folio)
{
	return page_is_pfmemalloc(&folio->page);
}

static inline bool folio_put_testzero(struct folio *folio)
{
	return put_page_testzero(&folio->page);
}

static inline void folio_get(struct folio *folio)
{
	VM_BUG_ON_PAGE(folio_ref_count(folio) <= 0, &folio->page);
	fs_page_ref_add_return(&folio->page, 1, "folio_get");
}

static inline void folio_put(struct folio *folio)
{
	if (folio_put_testzero(folio))
		fs_page_free(&folio->page, folio_order(folio), "folio_put");
}

static inline void folio_put_refs(struct folio *folio, int refs)
{
	if (folio_ref_sub_and_test(folio, refs))
		fs_page_free(&folio->page, folio_order(folio), "folio_put_refs");
}

static inline bool try_get_page(struct page *page)
{
	page = compound_head(page);
	if (WARN_ON_ONCE(page_ref_count(page) <= 0))
		return false;
	page_ref_inc(page);
	return true;
}

#endif /* _LINUX_MM_H */
