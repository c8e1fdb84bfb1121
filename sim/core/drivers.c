// SPDX-License-Identifier: GPL-2.0
/*
 * The driver models around the code under test: a driver's RX ring
 * (page_frag's ring-level use, as ixgbe and igb do it), the network front
 * end's per-CPU caches, the queues that pass fragments between actors, and
 * speculative page references (a trace's spec-get lines and the agents').
 * Each is what a driver would do with the target's functions; none of it
 * is checked here (the checker watches through the shim).
 */
#include <string.h>

#include <fragsim/kctx.h>
#include <fragsim/kshim.h>

#include "../lib/array.h"
#include "runner_internal.h"

#define RING_BIAS	65535u	/* USHRT_MAX, as ixgbe and igb use */

/* ---- the RX ring ---- */

/* Take @size bytes of the ring's page, refilling. */
void *fs_ring_alloc(struct fs_runner *r, struct ring *g, const struct fs_op *op)
{
	unsigned int size = op->size ? op->size : 1;
	unsigned int align = op->align && !(op->align & (op->align - 1)) ?
			     op->align : 1;

	if (size > FS_PAGE_SIZE || align > FS_PAGE_SIZE)
		return NULL;
	if (g->va)
		g->offset = (g->offset + align - 1) & ~(align - 1);
	if (g->va && g->offset + size > FS_PAGE_SIZE) {
		r->t->page_drain(g->va, g->bias);
		g->va = NULL;
	}
	if (!g->va) {
		g->va = r->t->ring_page(op->gfp, RING_BIAS, &g->pfmemalloc);
		if (!g->va)
			return NULL;
		g->bias = RING_BIAS;
		g->offset = 0;
	}
	g->bias--;
	g->offset += size;
	return (char *)g->va + g->offset - size;
}

/* The ring as a cache view: it counts its offset up. */
void fs_ring_view(const struct ring *g, struct fs_cache_view *v)
{
	memset(v, 0, sizeof(*v));
	v->va = g->va;
	v->bias = g->bias;
	v->offset = g->offset;
	v->size = g->va ? FS_PAGE_SIZE : 0;
	v->pfmemalloc = g->pfmemalloc;
	v->count_up = true;
}

void fs_ring_drain(struct fs_runner *r, struct ring *g)
{
	if (g->va)
		r->t->page_drain(g->va, g->bias);
	g->va = NULL;
}

/* ---- the network front end's per-CPU caches ---- */

/*
 * The block a fragment's address lies in, as a view: a softirq run at
 * local_bh_enable() may have moved the cache to a new page already.
 */
static void block_view(struct fs_runner *r, const void *va,
		       struct fs_cache_view *v)
{
	unsigned long pfn, head;

	memset(v, 0, sizeof(*v));
	if (fs_arena_classify(r->arena, va, &pfn, &head) == FS_PAGE_OUTSIDE)
		return;
	v->va = fs_arena_pfn_va(r->arena, head);
	v->size = FS_PAGE_SIZE << fs_page_order(fs_arena_page(r->arena, head));
}

/*
 * Which cache a network front end used: the one whose page holds @va (its
 * view, refreshed, in *@v), else the first per-CPU index and the block's
 * view in *@bv.
 */
unsigned int fs_net_cache_of(struct fs_runner *r, const void *va,
			     struct fs_cache_view *bv,
			     struct fs_cache_view **v)
{
	const char *p = va;

	for (unsigned int i = r->trace->nr_caches; i < r->nr_views; i++) {
		struct fs_cache_view cv;

		fs_run_view(r, i, &cv);
		if (cv.va && p >= (char *)cv.va && p <= (char *)cv.va + cv.size) {
			r->views[i] = cv;
			*v = &r->views[i];
			return i;
		}
	}
	block_view(r, va, bv);
	*v = bv;
	return r->trace->nr_caches;
}

/* Where each CPU's per-CPU cache objects lie, for fs_net_access(). */
void fs_net_ranges(struct fs_runner *r)
{
	r->pc_lo = UINTPTR_MAX;
	r->pc_hi = 0;
	if (!r->t->pcpu_cache)
		return;
	for (unsigned int cpu = 0; cpu < r->trace->cpus; cpu++) {
		for (unsigned int w = 0; w < FS_PCPU_NR; w++) {
			size_t size;
			uintptr_t a = (uintptr_t)r->t->pcpu_cache(cpu, w, &size);

			/* page_small sits inside the napi struct: it wins. */
			r->pcpu[cpu][w].lo = a;
			r->pcpu[cpu][w].hi = a + size;
			if (a < r->pc_lo)
				r->pc_lo = a;
			if (a + size > r->pc_hi)
				r->pc_hi = a + size;
		}
	}
}

/*
 * Every access of the code under test (a machine callback): one to a
 * per-CPU cache object is a use of that cache, for the context rules.
 */
void fs_net_access(void *ctx, const void *addr, unsigned int size,
		   unsigned int flags, const void *pc)
{
	struct fs_runner *r = ctx;
	uintptr_t a = (uintptr_t)addr;

	(void)size;
	(void)flags;
	if (a < r->pc_lo || a >= r->pc_hi || !r->o.checks)
		return;
	for (unsigned int cpu = 0; cpu < r->trace->cpus; cpu++) {
		for (unsigned int w = 0; w < FS_PCPU_NR; w++) {
			if (a < r->pcpu[cpu][w].lo || a >= r->pcpu[cpu][w].hi)
				continue;
			fs_run_ctx_use(r, r->trace->nr_caches + cpu * FS_PCPU_NR + w,
				w == FS_PCPU_NETDEV ? FS_CLASS_NETDEV :
				FS_CLASS_NAPI, (int)cpu, pc);
			return;
		}
	}
}

/* ---- queues between actors ---- */

static bool queue_ready(void *ctx, int q)
{
	struct fs_runner *r = ctx;

	return r->queues[q].head != r->queues[q].tail;
}

void fs_queue_push(struct fs_runner *r, const struct fs_op *op)
{
	struct queue *q = &r->queues[op->queue];
	uint32_t id = r->handle_frag[op->handle];

	if (id == NO_FRAG)
		return;		/* a failed allocation is not passed on */
	if (q->tail == q->cap && q->head) {
		memmove(q->ids, q->ids + q->head,
			(q->tail - q->head) * sizeof(*q->ids));
		q->tail -= q->head;
		q->head = 0;
	}
	q->ids = fs_grow(q->ids, q->tail, &q->cap, sizeof(*q->ids), 64);
	q->ids[q->tail++] = id;
	r->handle_frag[op->handle] = NO_FRAG;	/* it is the popper's now */
}

void fs_queue_pop(struct fs_runner *r, const struct fs_op *op)
{
	struct queue *q = &r->queues[op->queue];

	if (r->mach && fs_run_points(r) ?
	    !fs_machine_wait(r->mach, queue_ready, op->queue) :
	    !queue_ready(r, op->queue))
		return;		/* nothing will ever come: skipped */
	fs_run_free_frag(r, op, q->ids[q->head++]);
}

/* ---- speculative references ---- */

/* Agents are kernel code too: no quiescent check while they act. */
bool spec_get(struct fs_runner *r, unsigned long pfn)
{
	struct page *page = fs_arena_page(r->arena, pfn);
	bool ok;

	if (!page || fs_page_state(page) != FS_PAGE_HEAD)
		return false;
	r->in_kernel++;
	ok = fs_page_get_unless_zero(page, "get_page_unless_zero");
	if (ok && r->o.checks)
		fs_check_foreign(r->check, fs_arena_pfn_va(r->arena, pfn), 1);
	r->in_kernel--;
	return ok;
}

void spec_put(struct fs_runner *r, unsigned long pfn)
{
	struct page *page = fs_arena_page(r->arena, pfn);

	r->in_kernel++;
	if (r->o.checks)
		fs_check_foreign(r->check, fs_arena_pfn_va(r->arena, pfn), -1);
	if (fs_page_ref_sub_return(page, 1, "put_page") == 0)
		fs_page_free(page, fs_page_order(page), "put_page");
	r->in_kernel--;
}

static unsigned long frag_pfn(struct fs_runner *r, uint32_t id)
{
	unsigned long pfn, head;
	void *va = r->o.checks ? fs_check_frag_va(r->check, id) : r->ref_va[id];

	if (!va || fs_arena_classify(r->arena, va, &pfn, &head) != FS_PAGE_HEAD)
		return NO_PFN;
	return head;
}

/* A trace's spec-get / spec-put line: one reference per handle. */
void fs_spec_op(struct fs_runner *r, const struct fs_op *op)
{
	uint32_t id = r->handle_frag[op->handle];
	unsigned long *held = &r->handle_spec[op->handle];

	fs_run_begin(r, op, op->kind == FS_OP_SPEC_GET ? "get_page_unless_zero" :
			    "put_page");
	if (op->kind == FS_OP_SPEC_GET) {
		unsigned long pfn = id == NO_FRAG ? NO_PFN : frag_pfn(r, id);

		if (*held == NO_PFN && pfn != NO_PFN && spec_get(r, pfn)) {
			*held = pfn;
			fs_mirror_spec(r, op, id, true);
		}
	} else if (*held != NO_PFN) {
		spec_put(r, *held);
		*held = NO_PFN;
		fs_mirror_spec(r, op, id, false);
	}
	fs_run_quiescent(r);
}

/* The end of a run: every speculative reference is dropped. */
void fs_spec_release_all(struct fs_runner *r)
{
	while (r->nr_spec)
		spec_put(r, r->spec[--r->nr_spec]);
	for (uint32_t h = 0; h < r->trace->nr_handles; h++) {
		if (r->handle_spec[h] != NO_PFN)
			spec_put(r, r->handle_spec[h]);
		r->handle_spec[h] = NO_PFN;
		if (r->handle_spec_ref[h] != NO_PFN) {
			struct fs_op op = { .handle = h };

			fs_mirror_spec(r, &op, NO_FRAG, false);
		}
	}
}
