/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/page_ref.h — the whole refcount API of pages and
 * folios.  Each operation forwards to the page arena, which performs the
 * atomic operation and reports it (old and new count, caller API) to the
 * checker.  A folio's count is its head page's.
 */
#ifndef _LINUX_PAGE_REF_H
#define _LINUX_PAGE_REF_H

#include <linux/bug.h>
#include <kshim/page.h>

/* Page API name for the arena's event: the kernel function called. */
#define __ks_ref_add(page, nr)	fs_page_ref_add_return((page), (nr), __func__)
#define __ks_ref_sub(page, nr)	fs_page_ref_sub_return((page), (nr), __func__)

static inline int page_ref_count(const struct page *page)
{
	return fs_page_ref_count(page);
}

static inline int page_count(const struct page *page)
{
	return fs_page_ref_count((page->flags & KS_PG_TAIL) ? page->head : page);
}

static inline void set_page_count(struct page *page, int v)
{
	fs_page_ref_set(page, v, __func__);
}

/* A fresh page's count: one reference. */
static inline void init_page_count(struct page *page)
{
	fs_page_ref_set(page, 1, __func__);
}

static inline void page_ref_add(struct page *page, int nr)
{
	__ks_ref_add(page, nr);
}

static inline void page_ref_sub(struct page *page, int nr)
{
	__ks_ref_sub(page, nr);
}

static inline void page_ref_inc(struct page *page)
{
	__ks_ref_add(page, 1);
}

static inline void page_ref_dec(struct page *page)
{
	__ks_ref_sub(page, 1);
}

static inline int page_ref_add_return(struct page *page, int nr)
{
	return __ks_ref_add(page, nr);
}

static inline int page_ref_sub_return(struct page *page, int nr)
{
	return __ks_ref_sub(page, nr);
}

static inline int page_ref_inc_return(struct page *page)
{
	return __ks_ref_add(page, 1);
}

static inline int page_ref_dec_return(struct page *page)
{
	return __ks_ref_sub(page, 1);
}

static inline int page_ref_sub_and_test(struct page *page, int nr)
{
	return __ks_ref_sub(page, nr) == 0;
}

static inline int page_ref_dec_and_test(struct page *page)
{
	return __ks_ref_sub(page, 1) == 0;
}

/* Add @nr unless the count is @u; whether it added. */
static inline bool page_ref_add_unless(struct page *page, int nr, int u)
{
	return fs_page_ref_add_unless(page, nr, u, __func__);
}

/* Take the count from @count to 0 at once, or leave it. */
static inline int page_ref_freeze(struct page *page, int count)
{
	return fs_page_ref_freeze(page, count, __func__);
}

static inline void page_ref_unfreeze(struct page *page, int count)
{
	VM_BUG_ON_PAGE(page_count(page) != 0, page);
	VM_BUG_ON(count == 0);
	fs_page_ref_set(page, count, __func__);
}

/* The folio flavours: the same operations on the head page. */
static inline int folio_ref_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline int folio_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline void folio_set_count(struct folio *folio, int v)
{
	fs_page_ref_set(&folio->page, v, __func__);
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	__ks_ref_add(&folio->page, nr);
}

static inline void folio_ref_sub(struct folio *folio, int nr)
{
	__ks_ref_sub(&folio->page, nr);
}

static inline void folio_ref_inc(struct folio *folio)
{
	__ks_ref_add(&folio->page, 1);
}

static inline void folio_ref_dec(struct folio *folio)
{
	__ks_ref_sub(&folio->page, 1);
}

static inline int folio_ref_add_return(struct folio *folio, int nr)
{
	return __ks_ref_add(&folio->page, nr);
}

static inline int folio_ref_sub_return(struct folio *folio, int nr)
{
	return __ks_ref_sub(&folio->page, nr);
}

static inline int folio_ref_inc_return(struct folio *folio)
{
	return __ks_ref_add(&folio->page, 1);
}

static inline int folio_ref_dec_return(struct folio *folio)
{
	return __ks_ref_sub(&folio->page, 1);
}

static inline bool folio_ref_sub_and_test(struct folio *folio, int nr)
{
	return __ks_ref_sub(&folio->page, nr) == 0;
}

static inline bool folio_ref_dec_and_test(struct folio *folio)
{
	return __ks_ref_sub(&folio->page, 1) == 0;
}

static inline bool folio_ref_add_unless(struct folio *folio, int nr, int u)
{
	return fs_page_ref_add_unless(&folio->page, nr, u, __func__);
}

static inline bool folio_try_get(struct folio *folio)
{
	return fs_page_ref_add_unless(&folio->page, 1, 0, __func__);
}

static inline bool folio_ref_try_add(struct folio *folio, int count)
{
	return fs_page_ref_add_unless(&folio->page, count, 0, __func__);
}

static inline int folio_ref_freeze(struct folio *folio, int count)
{
	return fs_page_ref_freeze(&folio->page, count, __func__);
}

static inline void folio_ref_unfreeze(struct folio *folio, int count)
{
	page_ref_unfreeze(&folio->page, count);
}

#endif /* _LINUX_PAGE_REF_H */
