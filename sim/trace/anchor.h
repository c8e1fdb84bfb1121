/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anchors: where a schedule decision lands, in terms the kernel source
 * fixes and the compiler does not (docs/trace-format.md, "Portable
 * schedules").  A global step (`at STEP`) counts every instrumented
 * access of the run, so it moves with the compiler and its flags; an
 * anchor names the operation the running context is in, the actor, and
 * the k-th scheduling point at one symbolic memory location within that
 * operation (a page's struct page field, a cache's field, a fragment's
 * bytes), with the function as a readable secondary key.
 *
 * Dependency-free, so the trace model, the machine and the strategies can
 * all include it.
 */
#ifndef FRAGSIM_ANCHOR_H
#define FRAGSIM_ANCHOR_H

#include <stddef.h>
#include <stdint.h>

#define FS_ANCHOR_FN_MAX	40

struct fs_anchor {
	uint64_t op;		/* Operation #N the running context is in */
	uint64_t loc;		/* FS_LOC(): what the point accesses */
	uint32_t k;		/* its k-th point at loc within op; 0: none */
	uint16_t actor;		/* the running actor (FS_MAIN_ACTOR: main) */
	char fn[FS_ANCHOR_FN_MAX];	/* function of the access; "" unknown */
};

/*
 * A symbolic location: region, object, offset.  The object (a pfn, a
 * cache index, a CPU's per-CPU cache) and the offset inside it are the
 * same on every build of the same kernel code: struct layouts follow the
 * ABI, and the page arena hands out pages in a fixed order.
 */
enum fs_loc_region {
	FS_LOC_NONE,		/* no address: id is an FS_PT_* */
	FS_LOC_PAGE,		/* struct page of pfn id, off in the struct */
	FS_LOC_MEM,		/* the bytes of page pfn id, off in the page */
	FS_LOC_CACHE,		/* declared cache id (trace order), off */
	FS_LOC_PCPU,		/* per-CPU cache: id = cpu * FS_PCPU_NR + w */
	FS_LOC_OTHER,		/* the stack, globals: no identity */
	FS_LOC_NR,
};

/* Points without an address, by what they are. */
enum fs_point_kind {
	FS_PT_BOUNDARY,		/* between two operations */
	FS_PT_LEAVE,		/* a task ends or waits */
	FS_PT_IRQ_ON,		/* local_irq_restore/enable */
	FS_PT_BH_ON,		/* local_bh_enable */
	FS_PT_FENCE,		/* a memory barrier */
	FS_PT_PREEMPT_ON,	/* preempt_enable */
	FS_PT_RELAX,		/* cpu_relax */
	FS_PT_NR,
};

#define FS_LOC(region, id, off)						\
	((uint64_t)(region) << 60 | ((uint64_t)(id) & 0x0fffffffu) << 32 | \
	 (uint32_t)(off))
#define FS_LOC_REGION(loc)	((unsigned int)((loc) >> 60))
#define FS_LOC_ID(loc)		((uint32_t)((loc) >> 32) & 0x0fffffffu)
#define FS_LOC_OFF(loc)		((uint32_t)(loc))

struct fs_trace;

/*
 * Text of a location, as `loc=` writes it: "page:72+0x34", "mem:72+0x100",
 * "cache:nc0+0x8", "pcpu:netdev@1+0x10", "other", or the point kind
 * ("boundary", "leave", ...).  Cache names come from @t.
 */
void fs_loc_format(const struct fs_trace *t, uint64_t loc, char *buf,
		   size_t len);
/* The reverse; 0, or -1 when @s is not a location of @t. */
int fs_loc_parse(const struct fs_trace *t, const char *s, uint64_t *loc);

#endif /* FRAGSIM_ANCHOR_H */
