// SPDX-License-Identifier: GPL-2.0
/* Shim kind: probe: the page allocator behind the probes of gfp.h, mm.h and page_ref.h. */
/*
 * The page arena: a simulated page allocator with a struct page array.
 *
 * Memory is one mapping cut into 64K slots: 32K of redzone (guard pages,
 * never handed out) followed by room for one block of order 0..3, so every
 * block is naturally aligned as in the kernel's direct map.  Every block
 * gets a slot of its own: whatever lies before a block is a redzone and
 * whatever follows it up to the next redzone is free memory; under ASan
 * both are poisoned.  Freed slots are reused in the order they were freed,
 * after a quarantine, which is a pure function of the calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>

#include <fragsim/kctx.h>
#include <fragsim/kshim.h>
#include <kshim/page.h>

#include "asan.h"

#define BLOCK_PAGES	(1u << FS_ARENA_MAX_ORDER)
#define SLOT_PAGES	(2 * BLOCK_PAGES)

struct fs_arena {
	void *map;
	size_t map_len;
	unsigned char *mem;
	size_t mem_len;
	struct page *pages;
	unsigned long nr_pfns;
	unsigned int nr_slots;
	unsigned int fresh;		/* slots below this were used */
	unsigned int *freed;		/* ring of freed slots, oldest first */
	unsigned int freed_head, freed_len;
	unsigned long nr_allocated;
	unsigned long nr_exhausted;	/* allocations failed for want of slots */
	fs_faults_t faults;
	bool threaded;			/* real threads: alloc/free locked */
	int lock;
};

struct fs_shim_hooks fs_shim_hooks;
struct fs_arena *fs_arena_cur;

static unsigned long slot_head_pfn(unsigned int slot)
{
	return (unsigned long)slot * SLOT_PAGES + BLOCK_PAGES;
}

static void *pfn_va(const struct fs_arena *a, unsigned long pfn)
{
	return a->mem + pfn * FS_PAGE_SIZE;
}

static void emit(const struct fs_page_event *ev)
{
	if (fs_shim_hooks.page_event)
		fs_shim_hooks.page_event(fs_shim_hooks.ctx, ev);
}

static void init_pages(struct fs_arena *a)
{
	for (unsigned long pfn = 0; pfn < a->nr_pfns; pfn++) {
		struct page *p = &a->pages[pfn];

		memset(p, 0, sizeof(*p));
		p->pfn = pfn;
		if (pfn % SLOT_PAGES < BLOCK_PAGES)
			p->flags = KS_PG_REDZONE;
	}
}

struct fs_arena *fs_arena_create(unsigned int nr_slots)
{
	struct fs_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->nr_slots = nr_slots;
	a->nr_pfns = (unsigned long)nr_slots * SLOT_PAGES;
	a->mem_len = a->nr_pfns * FS_PAGE_SIZE;
	/* Over-map so the arena can start on a slot boundary. */
	a->map_len = a->mem_len + SLOT_PAGES * FS_PAGE_SIZE;
	a->map = mmap(NULL, a->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	a->mem = (unsigned char *)(((uintptr_t)a->map + SLOT_PAGES * FS_PAGE_SIZE - 1) &
				   ~((uintptr_t)SLOT_PAGES * FS_PAGE_SIZE - 1));
	a->pages = calloc(a->nr_pfns, sizeof(*a->pages));
	a->freed = calloc(nr_slots, sizeof(*a->freed));
	if (a->map == MAP_FAILED || !a->pages || !a->freed) {
		if (a->map != MAP_FAILED)
			munmap(a->map, a->map_len);
		free(a->pages);
		free(a->freed);
		free(a);
		return NULL;
	}
	init_pages(a);
	fs_asan_poison(a->mem, a->mem_len);
	return a;
}

void fs_arena_destroy(struct fs_arena *a)
{
	if (!a)
		return;
	if (fs_arena_cur == a)
		fs_arena_cur = NULL;
	fs_asan_unpoison(a->mem, a->mem_len);
	munmap(a->map, a->map_len);
	free(a->pages);
	free(a->freed);
	free(a);
}

void fs_arena_reset(struct fs_arena *a)
{
	size_t used = (size_t)a->fresh * SLOT_PAGES * FS_PAGE_SIZE;

	for (unsigned long pfn = 0; pfn < (unsigned long)a->fresh * SLOT_PAGES; pfn++) {
		struct page *p = &a->pages[pfn];

		memset(p, 0, sizeof(*p));
		p->pfn = pfn;
		if (pfn % SLOT_PAGES < BLOCK_PAGES)
			p->flags = KS_PG_REDZONE;
	}
	fs_asan_poison(a->mem, used);
	/* Give touched memory back so long campaigns keep a small RSS. */
	if (a->fresh > 64)
		madvise(a->mem, used, MADV_DONTNEED);
	a->fresh = 0;
	a->freed_head = 0;
	a->freed_len = 0;
	a->nr_allocated = 0;
	a->nr_exhausted = 0;
	a->faults = 0;
}

void fs_arena_set_faults(struct fs_arena *a, fs_faults_t faults)
{
	__atomic_store_n(&a->faults, faults, __ATOMIC_RELAXED);
}

fs_faults_t fs_arena_faults(const struct fs_arena *a)
{
	return __atomic_load_n(&a->faults, __ATOMIC_RELAXED);
}

void fs_arena_set_threaded(struct fs_arena *a, bool on)
{
	a->threaded = on;
}

/*
 * Real threads (fragsim stress): the page allocator's free lists under a
 * spinlock taken with the calling CPU's interrupts masked, as the
 * kernel's zone lock is, so an interrupt handler allocating on the same
 * thread waits for the unlock instead of spinning on it forever.
 */
static inline void arena_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static unsigned long arena_lock(struct fs_arena *a)
{
	unsigned long flags;

	if (!a->threaded)
		return 0;
	flags = fs_local_irq_save();
	while (__atomic_exchange_n(&a->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&a->lock, __ATOMIC_RELAXED))
			arena_pause();
	return flags;
}

static void arena_unlock(struct fs_arena *a, unsigned long flags)
{
	if (!a->threaded)
		return;
	__atomic_store_n(&a->lock, 0, __ATOMIC_RELEASE);
	fs_local_irq_restore(flags, NULL);
}

/*
 * Decide whether the fault plan lets a request through, and whether it is
 * served from the memalloc reserves (as gfp_pfmemalloc_allowed() allows).
 */
static bool fault_allows(fs_faults_t f, unsigned int order, fs_gfp_t gfp,
			 bool *pfmemalloc)
{
	*pfmemalloc = false;
	if (f & FS_FAULT_ALL_FAIL)
		return false;
	if ((f & FS_FAULT_ORDER3_FAIL) && order > 0)
		return false;
	if (!(f & FS_FAULT_PRESSURE))
		return true;
	if (order > 0)
		return false;
	if ((gfp & FS_GFP_MEMALLOC) && !(gfp & FS_GFP_NOMEMALLOC)) {
		*pfmemalloc = true;
		return true;
	}
	if (gfp & FS_GFP_HIGH)
		return true;
	return (gfp & FS_GFP_DIRECT_RECLAIM) && !(gfp & FS_GFP_NORETRY);
}

/*
 * A freed slot is reused only once FS_ARENA_QUARANTINE others were freed
 * after it (or when nothing else is left): late enough to catch a stale
 * reference, early enough to keep the memory touched (and RSS) small.
 */
#define FS_ARENA_QUARANTINE	64

static bool take_slot(struct fs_arena *a, unsigned int *slot)
{
	if (a->freed_len <= FS_ARENA_QUARANTINE && a->fresh < a->nr_slots) {
		*slot = a->fresh++;
		return true;
	}
	if (!a->freed_len)
		return false;
	*slot = a->freed[a->freed_head];
	a->freed_head = (a->freed_head + 1) % a->nr_slots;
	a->freed_len--;
	return true;
}

static void put_slot(struct fs_arena *a, unsigned int slot)
{
	a->freed[(a->freed_head + a->freed_len) % a->nr_slots] = slot;
	a->freed_len++;
}

static void setup_block(struct fs_arena *a, unsigned long head_pfn,
			unsigned int order, bool comp, bool pfmemalloc)
{
	struct page *head = &a->pages[head_pfn];
	unsigned long nr = 1ul << order;

	head->flags = KS_PG_ALLOC | (comp && order ? KS_PG_HEAD : 0) |
		      (pfmemalloc ? KS_PG_PFMEMALLOC : 0);
	head->order = order;
	head->head = NULL;
	/* Release: a speculative get that sees 1 sees the block set up. */
	__atomic_store_n(&head->_refcount.counter, 1, __ATOMIC_RELEASE);
	for (unsigned long i = 1; i < nr; i++) {
		struct page *p = head + i;

		p->flags = KS_PG_INBLOCK | (comp ? KS_PG_TAIL : 0);
		p->head = head;
		p->order = 0;
		__atomic_store_n(&p->_refcount.counter, 0, __ATOMIC_RELAXED);
	}
}

struct page *fs_page_alloc(unsigned int order, fs_gfp_t gfp, const char *fn)
{
	struct fs_arena *a = fs_arena_cur;
	struct fs_page_event ev = {
		.kind = FS_PEV_ALLOC_FAIL, .order = order, .gfp = gfp, .fn = fn,
	};
	unsigned int slot;
	unsigned long pfn, flags = arena_lock(a);
	bool pfmemalloc;

	if (order > FS_ARENA_MAX_ORDER ||
	    !fault_allows(fs_arena_faults(a), order, gfp, &pfmemalloc) ||
	    !take_slot(a, &slot)) {
		if (order <= FS_ARENA_MAX_ORDER && !a->freed_len &&
		    a->fresh >= a->nr_slots)
			a->nr_exhausted++;
		arena_unlock(a, flags);
		emit(&ev);
		return NULL;
	}
	pfn = slot_head_pfn(slot);
	setup_block(a, pfn, order, gfp & FS_GFP_COMP, pfmemalloc);
	fs_asan_unpoison(pfn_va(a, pfn), FS_PAGE_SIZE << order);
	a->nr_allocated++;
	arena_unlock(a, flags);
	if (gfp & FS_GFP_ZERO)
		memset(pfn_va(a, pfn), 0, FS_PAGE_SIZE << order);
	ev.kind = FS_PEV_ALLOC;
	ev.page = &a->pages[pfn];
	ev.pfn = pfn;
	ev.state = FS_PAGE_FREE;
	ev.new = 1;
	ev.pfmemalloc = pfmemalloc;
	ev.compound = (gfp & FS_GFP_COMP) && order;
	emit(&ev);
	return &a->pages[pfn];
}

enum fs_page_state fs_page_state(const struct page *p)
{
	if (p->flags & KS_PG_REDZONE)
		return FS_PAGE_REDZONE;
	if (p->flags & KS_PG_ALLOC)
		return FS_PAGE_HEAD;
	if (p->flags & KS_PG_INBLOCK)
		return FS_PAGE_TAIL;
	return FS_PAGE_FREE;
}

/*
 * The checker sees the free first (it may end the run there).  The block
 * goes back only if @page really heads an allocated block, so a bad free
 * cannot corrupt the arena itself.
 */
void fs_page_free(struct page *page, unsigned int order, const char *fn)
{
	struct fs_arena *a = fs_arena_cur;
	struct fs_page_event ev = {
		.kind = FS_PEV_FREE, .page = page, .pfn = page->pfn,
		.state = fs_page_state(page), .order = order,
		.alloc_order = page->order, .fn = fn,
		.compound = page->flags & KS_PG_HEAD,
		.pfmemalloc = page->flags & KS_PG_PFMEMALLOC,
	};
	unsigned long nr, flags;

	ev.old = ev.new = __atomic_load_n(&page->_refcount.counter, __ATOMIC_RELAXED);
	emit(&ev);
	if (ev.state != FS_PAGE_HEAD)
		return;
	flags = arena_lock(a);
	nr = 1ul << page->order;
	for (unsigned long i = 0; i < nr; i++) {
		page[i].flags = 0;
		page[i].order = 0;
		page[i].head = NULL;
		__atomic_store_n(&page[i]._refcount.counter, 0, __ATOMIC_RELAXED);
	}
	fs_asan_poison(pfn_va(a, page->pfn), FS_PAGE_SIZE << FS_ARENA_MAX_ORDER);
	put_slot(a, (unsigned int)(page->pfn / SLOT_PAGES));
	a->nr_allocated--;
	arena_unlock(a, flags);
}

enum fs_page_state fs_arena_classify(const struct fs_arena *a, const void *va,
				     unsigned long *pfn, unsigned long *head_pfn)
{
	const unsigned char *p = va;
	const struct page *pg;

	if (p < a->mem || p >= a->mem + a->mem_len)
		return FS_PAGE_OUTSIDE;
	pg = &a->pages[(size_t)(p - a->mem) / FS_PAGE_SIZE];
	if (pfn)
		*pfn = pg->pfn;
	if (head_pfn)
		*head_pfn = pg->head ? pg->head->pfn : pg->pfn;
	return fs_page_state(pg);
}

struct page *fs_virt_to_page(const void *va, const char *fn)
{
	struct fs_arena *a = fs_arena_cur;
	const unsigned char *p = va;
	struct fs_page_event ev = { .kind = FS_PEV_BAD_ADDR, .addr = va, .fn = fn };

	if (p >= a->mem && p < a->mem + a->mem_len)
		return &a->pages[(size_t)(p - a->mem) / FS_PAGE_SIZE];
	/* A wild pointer: report, then hand back a redzone page. */
	emit(&ev);
	return &a->pages[0];
}

void *fs_page_address(const struct page *page)
{
	return pfn_va(fs_arena_cur, page->pfn);
}

/*
 * @state is read before the atomic: once a reference is dropped another
 * thread may free the block and rewrite its flags (fragsim stress).
 */
static void ref_event(enum fs_pev_kind kind, struct page *page,
		      enum fs_page_state state, int old, int new, const char *fn)
{
	struct fs_page_event ev = {
		.kind = kind, .page = page, .pfn = page->pfn,
		.state = state, .old = old, .new = new,
		.delta = new - old, .fn = fn,
	};

	emit(&ev);
}

/*
 * The refcount atomics are the kernel's instrumented atomics: each is a
 * scheduling point, taken before the operation as KCSAN's hooks are.
 */
#define REF_POINT(page, flags)						\
	fs_kctx_point(&(page)->_refcount, 4, FS_ACC_ATOMIC | (flags),	\
		      __builtin_return_address(0))

int fs_page_ref_count(const struct page *page)
{
	REF_POINT(page, FS_ACC_READ);
	return __atomic_load_n(&page->_refcount.counter, __ATOMIC_RELAXED);
}

int fs_page_ref_add_return(struct page *page, int nr, const char *fn)
{
	enum fs_page_state state;
	int new;

	REF_POINT(page, FS_ACC_READ | FS_ACC_WRITE);
	state = fs_page_state(page);
	new = __atomic_add_fetch(&page->_refcount.counter, nr, __ATOMIC_SEQ_CST);

	ref_event(FS_PEV_REF_ADD, page, state, new - nr, new, fn);
	return new;
}

int fs_page_ref_sub_return(struct page *page, int nr, const char *fn)
{
	enum fs_page_state state;
	int new;

	REF_POINT(page, FS_ACC_READ | FS_ACC_WRITE);
	state = fs_page_state(page);
	new = __atomic_sub_fetch(&page->_refcount.counter, nr, __ATOMIC_SEQ_CST);

	ref_event(FS_PEV_REF_SUB, page, state, new + nr, new, fn);
	return new;
}

void fs_page_ref_set(struct page *page, int v, const char *fn)
{
	enum fs_page_state state;
	int old;

	REF_POINT(page, FS_ACC_WRITE);
	state = fs_page_state(page);
	old = __atomic_exchange_n(&page->_refcount.counter, v, __ATOMIC_SEQ_CST);

	ref_event(FS_PEV_REF_SET, page, state, old, v, fn);
}

bool fs_page_get_unless_zero(struct page *page, const char *fn)
{
	enum fs_page_state state;
	int old;

	REF_POINT(page, FS_ACC_READ | FS_ACC_WRITE);
	state = fs_page_state(page);
	old = __atomic_load_n(&page->_refcount.counter, __ATOMIC_RELAXED);

	do {
		if (!old) {
			ref_event(FS_PEV_GET_UNLESS_ZERO, page, state, 0, 0, fn);
			return false;
		}
	} while (!__atomic_compare_exchange_n(&page->_refcount.counter, &old,
					      old + 1, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	ref_event(FS_PEV_GET_UNLESS_ZERO, page, state, old, old + 1, fn);
	return true;
}

/*
 * fragsim stress's speculative reference (folio_try_get()): no event, no
 * look at the flags, which the page's next owner may be writing.
 */
bool fs_page_try_get(struct page *page)
{
	int old = __atomic_load_n(&page->_refcount.counter, __ATOMIC_RELAXED);

	do {
		if (!old)
			return false;
	} while (!__atomic_compare_exchange_n(&page->_refcount.counter, &old,
					      old + 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

bool fs_page_ref_add_unless(struct page *page, int nr, int u, const char *fn)
{
	enum fs_page_state state;
	int old;

	REF_POINT(page, FS_ACC_READ | FS_ACC_WRITE);
	state = fs_page_state(page);
	old = __atomic_load_n(&page->_refcount.counter, __ATOMIC_RELAXED);
	do {
		if (old == u)
			return false;
	} while (!__atomic_compare_exchange_n(&page->_refcount.counter, &old,
					      old + nr, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	ref_event(FS_PEV_REF_ADD, page, state, old, old + nr, fn);
	return true;
}

bool fs_page_ref_freeze(struct page *page, int count, const char *fn)
{
	enum fs_page_state state;
	int old = count;

	REF_POINT(page, FS_ACC_READ | FS_ACC_WRITE);
	state = fs_page_state(page);
	if (!__atomic_compare_exchange_n(&page->_refcount.counter, &old, 0,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_RELAXED))
		return false;
	ref_event(FS_PEV_REF_SET, page, state, count, 0, fn);
	return true;
}

unsigned long fs_arena_nr_pfns(const struct fs_arena *a)
{
	return a->nr_pfns;
}

unsigned long fs_arena_nr_exhausted(const struct fs_arena *a)
{
	return a->nr_exhausted;
}

unsigned long fs_arena_nr_allocated(const struct fs_arena *a)
{
	return a->nr_allocated;
}

unsigned long fs_arena_next_head(const struct fs_arena *a, unsigned long pfn)
{
	unsigned long end = (unsigned long)a->fresh * SLOT_PAGES;

	for (; pfn < end; pfn++)
		if (a->pages[pfn].flags & KS_PG_ALLOC)
			return pfn;
	return ~0ul;
}

struct page *fs_arena_page(const struct fs_arena *a, unsigned long pfn)
{
	return pfn < a->nr_pfns ? &a->pages[pfn] : NULL;
}

void *fs_arena_pfn_va(const struct fs_arena *a, unsigned long pfn)
{
	return pfn_va(a, pfn);
}

unsigned long fs_page_pfn(const struct page *page)
{
	return page->pfn;
}

/* The checker's read: not a scheduling point. */
int fs_page_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount.counter, __ATOMIC_RELAXED);
}

unsigned int fs_page_order(const struct page *page)
{
	return page->order;
}

bool fs_page_compound(const struct page *page)
{
	return page->flags & KS_PG_HEAD;
}

bool fs_page_pfmemalloc(const struct page *page)
{
	return page->flags & KS_PG_PFMEMALLOC;
}

unsigned long fs_kaddr(const struct fs_arena *a, const void *va)
{
	const unsigned char *p = va;

	if (p >= a->mem && p <= a->mem + a->mem_len)
		return FS_KADDR_BASE + (unsigned long)(p - a->mem);
	/* Below the arena: show the distance as a negative offset. */
	return FS_KADDR_BASE - (unsigned long)(a->mem - p);
}

void fs_kernel_bug(const struct fs_kernel_report *r)
{
	if (fs_shim_hooks.kernel_report)
		fs_shim_hooks.kernel_report(fs_shim_hooks.ctx, r);
	fprintf(stderr, "kernel BUG at %s:%d! (%s)\n", r->file, r->line, r->cond);
	abort();
}

void fs_kernel_warn(const struct fs_kernel_report *r)
{
	if (fs_shim_hooks.kernel_report)
		fs_shim_hooks.kernel_report(fs_shim_hooks.ctx, r);
	else
		fprintf(stderr, "WARNING: at %s:%d %s (%s)\n", r->file, r->line,
			r->func, r->cond);
}
