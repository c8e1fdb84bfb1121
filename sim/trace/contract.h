/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel callers' contract, which every trace fragsim makes up itself
 * keeps (the generator, trace_gen.c, and the binary decoder, trace_bin.c),
 * so that a finding is always the allocator's, never a caller bug:
 *
 *  - GFP_KERNEL only where sleeping is allowed: in a task, outside irq-off
 *    and bh-off sections;
 *  - no __GFP_MEMALLOC request above PAGE_SIZE where memory pressure may
 *    come: the countdown allocator livelocks on it (refill, pfmemalloc
 *    page too small, free, refill...), a known property kept as
 *    corpus/regress/livelock-pressure-oversize.trace;
 *  - napi_alloc_frag() and page_frag_alloc_1k() only with BH disabled and
 *    interrupts on: in a softirq, or in a task's bh-off section that is
 *    not inside irq-off (so bh-off never inside irq-off either, as
 *    local_bh_enable() with interrupts off is a bug).
 */
#ifndef FRAGSIM_TRACE_CONTRACT_H
#define FRAGSIM_TRACE_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

#define FS_CALLER_PAGE_SIZE	4096u

/* Where a call is made. */
struct fs_caller {
	uint8_t kind;		/* enum fs_actor_kind; main is a task */
	bool irq_off, bh_off;	/* inside such a section */
};

/* GFP_KERNEL may sleep: only a task with interrupts and BH on. */
static inline bool fs_caller_may_sleep(const struct fs_caller *c)
{
	return c->kind == FS_ACTOR_TASK && !c->irq_off && !c->bh_off;
}

/* The napi caches are BH-protected: BH off, interrupts on. */
static inline bool fs_caller_napi_ok(const struct fs_caller *c)
{
	return !c->irq_off &&
	       (c->kind == FS_ACTOR_SOFTIRQ ||
		(c->kind == FS_ACTOR_TASK && c->bh_off));
}

/* A __GFP_MEMALLOC request of @size, where pressure may come. */
static inline bool fs_caller_memalloc_ok(uint32_t size)
{
	return size <= FS_CALLER_PAGE_SIZE;
}

#endif /* FRAGSIM_TRACE_CONTRACT_H */
