/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe: forwards to the simulator, which acts and reports to the checker. */
/*
 * Models: include/linux/page_ref.h — atomic refcount operations on a page.
 * Each forwards to the page arena, which performs the atomic operation and
 * reports it (old and new count, caller API) to the checker.
 */
#ifndef _LINUX_PAGE_REF_H
#define _LINUX_PAGE_REF_H

#include <linux/bug.h>
#include <kshim/page.h>

static inline int page_ref_count(const struct page *page)
{
	return fs_page_ref_count(page);
}

static inline int page_count(const struct page *page)
{
	return fs_page_ref_count(page);
}

static inline void set_page_count(struct page *page, int v)
{
	fs_page_ref_set(page, v, "set_page_count");
}

static inline void page_ref_add(struct page *page, int nr)
{
	fs_page_ref_add_return(page, nr, "page_ref_add");
}

static inline void page_ref_sub(struct page *page, int nr)
{
	fs_page_ref_sub_return(page, nr, "page_ref_sub");
}

static inline void page_ref_inc(struct page *page)
{
	fs_page_ref_add_return(page, 1, "page_ref_inc");
}

static inline int page_ref_sub_and_test(struct page *page, int nr)
{
	return fs_page_ref_sub_return(page, nr, "page_ref_sub_and_test") == 0;
}

static inline int page_ref_dec_and_test(struct page *page)
{
	return fs_page_ref_sub_return(page, 1, "page_ref_dec_and_test") == 0;
}

#endif /* _LINUX_PAGE_REF_H */
