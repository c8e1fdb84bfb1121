// SPDX-License-Identifier: GPL-2.0
/*
 * Where an access of the code under test lands, in terms that do not
 * depend on the build (sim/trace/anchor.h): a struct page or the bytes of
 * a page of the arena, a declared cache, a CPU's per-CPU cache, or
 * somewhere else.  The machine asks only while it counts anchors.
 */
#include <fragsim/kshim.h>

#include "runner_internal.h"

static bool in(uintptr_t a, const void *lo, size_t size, uint32_t *off)
{
	if (a < (uintptr_t)lo || a - (uintptr_t)lo >= size)
		return false;
	*off = (uint32_t)(a - (uintptr_t)lo);
	return true;
}

static bool in_pcpu(const struct fs_runner *r, uintptr_t a, uint32_t *id,
		    uint32_t *off)
{
	if (a < r->pc_lo || a >= r->pc_hi)
		return false;
	for (unsigned int cpu = 0; cpu < r->trace->cpus; cpu++)
		for (unsigned int w = 0; w < FS_PCPU_NR; w++)
			if (a >= r->pcpu[cpu][w].lo && a < r->pcpu[cpu][w].hi) {
				*id = cpu * FS_PCPU_NR + w;
				*off = (uint32_t)(a - r->pcpu[cpu][w].lo);
				return true;
			}
	return false;
}

static bool in_pages(const struct fs_runner *r, uintptr_t a, uint32_t *pfn,
		     uint32_t *off)
{
	const char *p0 = (const char *)fs_arena_page(r->arena, 0);
	const char *p1 = (const char *)fs_arena_page(r->arena, 1);
	size_t stride = (size_t)(p1 - p0);
	unsigned long n = fs_arena_nr_pfns(r->arena);

	if (!p0 || !p1 || !in(a, p0, stride * n, off))
		return false;
	*pfn = (uint32_t)(*off / stride);
	*off %= (uint32_t)stride;
	return true;
}

uint64_t fs_run_locate(void *ctx, const void *addr)
{
	const struct fs_runner *r = ctx;
	uintptr_t a = (uintptr_t)addr;
	unsigned long pfn;
	uint32_t id, off;

	for (unsigned int i = 0; i < r->trace->nr_caches; i++)
		if (in(a, r->nc[i], r->t->cache_size, &off))
			return FS_LOC(FS_LOC_CACHE, i, off);
	if (in_pcpu(r, a, &id, &off))
		return FS_LOC(FS_LOC_PCPU, id, off);
	if (in_pages(r, a, &id, &off))
		return FS_LOC(FS_LOC_PAGE, id, off);
	if (fs_arena_classify(r->arena, addr, &pfn, NULL) != FS_PAGE_OUTSIDE)
		return FS_LOC(FS_LOC_MEM, pfn,
			      a - (uintptr_t)fs_arena_pfn_va(r->arena, pfn));
	return FS_LOC(FS_LOC_OTHER, 0, 0);
}
