/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel shim as the simulator sees it: the page arena (the simulated
 * page allocator and its struct page array), the events it reports, and
 * the kernel BUG/WARN reports raised inside the code under test.
 *
 * Events flow one way, from the shim to whoever installed the hook; the
 * shim never asks the checker anything.
 */
#ifndef FRAGSIM_KSHIM_H
#define FRAGSIM_KSHIM_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/faults.h>
#include <fragsim/gfp.h>

struct page;
struct fs_arena;

#define FS_ARENA_MAX_ORDER	3	/* PAGE_FRAG_CACHE_MAX_ORDER with 4K pages */
#define FS_PAGE_SIZE		4096UL

enum fs_pev_kind {
	FS_PEV_ALLOC,		/* a block was handed out */
	FS_PEV_ALLOC_FAIL,	/* refused: fault plan or arena exhausted */
	FS_PEV_FREE,		/* a block was given back */
	FS_PEV_REF_ADD,		/* page_ref_add(), get_page() */
	FS_PEV_REF_SUB,		/* page_ref_sub_and_test(), put_page_testzero() */
	FS_PEV_REF_SET,		/* set_page_count() */
	FS_PEV_GET_UNLESS_ZERO,	/* get_page_unless_zero(), success or not */
	FS_PEV_BAD_ADDR,	/* virt_to_page() of an address outside the arena */
};

enum fs_page_state {
	FS_PAGE_OUTSIDE,	/* not in the arena at all */
	FS_PAGE_REDZONE,	/* a guard page, never allocated */
	FS_PAGE_FREE,		/* in the page allocator */
	FS_PAGE_HEAD,		/* first page of an allocated block */
	FS_PAGE_TAIL,		/* another page of an allocated block */
};

struct fs_page_event {
	enum fs_pev_kind kind;
	struct page *page;	/* the page operated on (NULL for BAD_ADDR) */
	unsigned long pfn;
	enum fs_page_state state; /* state of the page before the event */
	int old, new;		/* refcount before and after */
	int delta;
	unsigned int order;	/* ALLOC, ALLOC_FAIL: requested; FREE: given */
	unsigned int alloc_order; /* FREE: order the block was allocated with */
	fs_gfp_t gfp;		/* ALLOC, ALLOC_FAIL */
	bool pfmemalloc;	/* ALLOC: served from the reserves */
	bool compound;		/* ALLOC, FREE: block is a compound page */
	const void *addr;	/* BAD_ADDR */
	const char *fn;		/* the kernel API that did it */
};

struct fs_kernel_report {
	const char *kind;	/* "BUG", "WARNING" */
	const char *cond;	/* stringified condition */
	const char *file;	/* kernel file, from #line */
	int line;
	const char *func;	/* kernel function */
	struct page *page;	/* VM_BUG_ON_PAGE()'s page, or NULL */
};

struct fs_shim_hooks {
	void (*page_event)(void *ctx, const struct fs_page_event *ev);
	/* Must not return for BUG; may return for WARNING. */
	void (*kernel_report)(void *ctx, const struct fs_kernel_report *r);
	/* cpu_relax(): the caller spins, waiting for something to change. */
	void (*spin)(void *ctx, const char *file, int line);
	void *ctx;
};

/* The hooks and arena the shim serves right now (NULL hooks: none). */
extern struct fs_shim_hooks fs_shim_hooks;
extern struct fs_arena *fs_arena_cur;

/* Arena management. */
struct fs_arena *fs_arena_create(unsigned int nr_slots);
void fs_arena_destroy(struct fs_arena *a);
/* Every block back to free, fault plan to none, allocation order reset. */
void fs_arena_reset(struct fs_arena *a);
void fs_arena_set_faults(struct fs_arena *a, fs_faults_t faults);
fs_faults_t fs_arena_faults(const struct fs_arena *a);
/* Real threads (fragsim stress): serialize the allocator's free lists. */
void fs_arena_set_threaded(struct fs_arena *a, bool on);

/* Queries, for the checker and reports. */
unsigned long fs_arena_nr_pfns(const struct fs_arena *a);
unsigned long fs_arena_nr_allocated(const struct fs_arena *a);
/* Allocations that failed because the simulated memory was used up. */
unsigned long fs_arena_nr_exhausted(const struct fs_arena *a);
/* Next allocated head at or after @pfn, or ULONG_MAX. */
unsigned long fs_arena_next_head(const struct fs_arena *a, unsigned long pfn);
enum fs_page_state fs_arena_classify(const struct fs_arena *a, const void *va,
				     unsigned long *pfn, unsigned long *head_pfn);
struct page *fs_arena_page(const struct fs_arena *a, unsigned long pfn);
void *fs_arena_pfn_va(const struct fs_arena *a, unsigned long pfn);

unsigned long fs_page_pfn(const struct page *page);
int fs_page_count(const struct page *page);
unsigned int fs_page_order(const struct page *page);	/* allocation order */
bool fs_page_compound(const struct page *page);
bool fs_page_pfmemalloc(const struct page *page);
enum fs_page_state fs_page_state(const struct page *page);

/* Fake kernel addresses for reports: direct map and vmemmap. */
#define FS_KADDR_BASE		0xffff888000000000UL
#define FS_VMEMMAP_BASE		0xffffea0000000000UL
unsigned long fs_kaddr(const struct fs_arena *a, const void *va);

/* Page allocator and refcount primitives the shim headers call. */
struct page *fs_page_alloc(unsigned int order, fs_gfp_t gfp, const char *fn);
void fs_page_free(struct page *page, unsigned int order, const char *fn);
struct page *fs_virt_to_page(const void *va, const char *fn);
void *fs_page_address(const struct page *page);
int fs_page_ref_count(const struct page *page);
int fs_page_ref_add_return(struct page *page, int nr, const char *fn);
int fs_page_ref_sub_return(struct page *page, int nr, const char *fn);
void fs_page_ref_set(struct page *page, int v, const char *fn);
bool fs_page_get_unless_zero(struct page *page, const char *fn);
/* get_page_unless_zero() without an event (fragsim stress). */
bool fs_page_try_get(struct page *page);
/* Add @nr unless the count is @u: whether it added (REF_ADD if so). */
bool fs_page_ref_add_unless(struct page *page, int nr, int u, const char *fn);
/* Count @count -> 0 in one step: whether it was @count (REF_SET if so). */
bool fs_page_ref_freeze(struct page *page, int count, const char *fn);

/* Kernel BUG()/WARN() inside the code under test. */
__attribute__((noreturn)) void fs_kernel_bug(const struct fs_kernel_report *r);
void fs_kernel_warn(const struct fs_kernel_report *r);

#endif /* FRAGSIM_KSHIM_H */
