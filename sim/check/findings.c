// SPDX-License-Identifier: GPL-2.0
/*
 * The finding kinds: stable slugs (used in titles, trace expectations and
 * deduplication) and the invariant each one guards (docs/invariants.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "check.h"

static const struct {
	const char *slug;
	const char *invariant;
} kinds[] = {
	[FS_F_NONE] = { "none", "" },
	[FS_F_REFCOUNT_MISMATCH] = { "refcount-mismatch",
		"a page's refcount equals the cache's bias (if cached) + live fragments + other holders" },
	[FS_F_CACHE_LOST_OWN_REF] = { "cache-lost-own-reference",
		"a cache keeps one reference of its own on its page: pagecnt_bias never reaches 0 while the page is cached" },
	[FS_F_CACHED_PAGE_FREED] = { "cached-page-freed",
		"a page is never returned to the page allocator while a cache still points to it" },
	[FS_F_PAGE_FREED_LIVE_FRAGS] = { "page-freed-with-live-fragments",
		"a page is never returned to the page allocator while fragments on it are live" },
	[FS_F_BAD_PAGE_STATE] = { "bad-page-state",
		"a page is returned to the page allocator only when its refcount is 0" },
	[FS_F_BAD_FREE_ORDER] = { "bad-free-order",
		"a page is freed with the order it was allocated with" },
	[FS_F_BAD_FREE] = { "bad-free",
		"only the head of an allocated block is returned to the page allocator" },
	[FS_F_REF_ON_FREE_PAGE] = { "refcount-on-free-page",
		"no reference is taken or dropped on a page that is in the page allocator (use-after-free)" },
	[FS_F_REFCOUNT_UNDERFLOW] = { "refcount-underflow",
		"a page's refcount never goes below 0" },
	[FS_F_SET_COUNT_REFERENCED] = { "set-count-on-referenced-page",
		"set_page_count() is applied only to a page whose count just reached 0 (others may hold speculative references)" },
	[FS_F_PFMEMALLOC_RECYCLED] = { "pfmemalloc-recycled",
		"a page from the memalloc reserves is never recycled by a cache" },
	[FS_F_PFMEMALLOC_MISREPORTED] = { "pfmemalloc-misreported",
		"a cache reports pfmemalloc exactly when its page came from the reserves" },
	[FS_F_FRAG_OUT_OF_BOUNDS] = { "fragment-out-of-bounds",
		"every fragment lies inside the page block it is charged to" },
	[FS_F_FRAG_OVERLAP] = { "fragment-overlap",
		"a fragment overlaps no other live fragment" },
	[FS_F_FRAG_MISALIGNED] = { "fragment-misaligned",
		"a fragment honours the requested alignment" },
	[FS_F_FRAG_CORRUPTED] = { "fragment-corrupted",
		"a fragment's bytes are changed only by its owner" },
	[FS_F_DOUBLE_FREE] = { "double-free",
		"only a live fragment is freed" },
	[FS_F_WILD_ADDRESS] = { "wild-address",
		"the code only converts addresses of the page allocator's memory to pages" },
	[FS_F_PAGE_LEAK] = { "page-leak",
		"at teardown (all fragments freed, all caches drained) every page is back in the page allocator" },
	[FS_F_LIVELOCK] = { "livelock",
		"one call makes progress: it returns after a bounded number of page allocations, cpu_relax() spins, memory accesses and CPU time" },
	[FS_F_KERNEL_BUG] = { "kernel-bug", "the kernel code never hits BUG()" },
	[FS_F_KERNEL_WARNING] = { "kernel-warning", "the kernel code never hits WARN()" },
	[FS_F_DIFF_NULL] = { "diff-null",
		"the kernel allocates whenever the reference model does under the same fault plan" },
	[FS_F_DIFF_ALLOC] = { "diff-alloc",
		"the kernel fails an allocation whenever the reference model does under the same fault plan" },
	[FS_F_DIFF_PFMEMALLOC] = { "diff-pfmemalloc",
		"the kernel and the reference model agree on pfmemalloc under the same fault plan" },
	[FS_F_OVERSIZE_NULL_NO_REFILL] = { "oversize-null-no-refill",
		"a request that fits a fresh page is not refused while the cache could recycle or refill" },
	[FS_F_EXPECTATION] = { "expectation-failed",
		"the trace's own expect lines hold" },
	[FS_F_CTX_INCONSISTENT] = { "inconsistent-context-usage",
		"a cache used in interrupt context is never used where that interrupt can arrive (lockdep's usage rule)" },
	[FS_F_CTX_NAPI_HARDIRQ] = { "context-napi-in-hardirq",
		"napi_alloc_cache is used only from softirq or with BH disabled, never in hard interrupt context" },
	[FS_F_CTX_NAPI_BH_ON] = { "context-napi-bh-on",
		"napi_alloc_cache is used only from softirq or with BH disabled" },
	[FS_F_CTX_NETDEV_IRQS_ON] = { "context-netdev-irqs-on",
		"netdev_alloc_cache is used only in hard interrupt context or with interrupts disabled" },
	[FS_F_CACHE_CONCURRENT] = { "cache-concurrent-use",
		"a page_frag_cache has one user at a time: a per-CPU cache only its CPU, a driver's cache one CPU without a lock" },
};
_Static_assert(ARRAY_SIZE(kinds) == FS_F_NR_KINDS,
	       "one slug and invariant per finding kind");

const char *fs_finding_slug(enum fs_finding_kind k)
{
	return k < FS_F_NR_KINDS ? kinds[k].slug : "unknown";
}

const char *fs_finding_invariant(enum fs_finding_kind k)
{
	return k < FS_F_NR_KINDS ? kinds[k].invariant : "";
}

enum fs_finding_kind fs_finding_from_slug(const char *slug)
{
	for (int k = 0; k < FS_F_NR_KINDS; k++)
		if (!strcmp(kinds[k].slug, slug))
			return k;
	return FS_F_NR_KINDS;
}

void fs_buf_printf(struct fs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = fs_xrealloc(b->s, b->cap);
	}
}

void fs_buf_reset(struct fs_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void fs_buf_free(struct fs_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
