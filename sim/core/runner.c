// SPDX-License-Identifier: GPL-2.0
/*
 * Executes a trace on the simulated machine.  Each actor's body runs in
 * its context (task fibers; hard interrupts and softirqs nested on them);
 * each operation is bracketed for the checker: op_begin, the call into
 * the target, the runner's note of what came back, then the quiescent
 * check once no context anywhere is inside the code under test.  A
 * finding unwinds the fiber it was raised on (machine.c).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fragsim/kctx.h>
#include <fragsim/kshim.h>

#include "runner.h"

#define NO_FRAG		UINT32_MAX
#define NO_PFN		(~0ul)
#define MAX_NESTING	64
#define RING_BIAS	65535u	/* USHRT_MAX, as ixgbe and igb use */

enum { RES_NONE, RES_NULL, RES_OK, RES_OK_PFMEMALLOC };

extern const struct fs_target fs_target_ref;

/* A driver RX ring's page (the seed document's ring-level case). */
struct ring {
	void *va;
	unsigned int bias, offset;
	bool pfmemalloc;
};

struct queue {
	uint32_t *ids;
	uint32_t head, tail, cap;
};

struct fs_runner {
	struct fs_runner_opts o;
	const struct fs_target *t;
	const struct fs_target *ref;	/* non-NULL: differential on */
	struct fs_arena *arena, *ref_arena;
	struct fs_check *check;
	struct fs_machine *mach;
	struct fs_sched sched;

	const struct fs_trace *trace;
	bool conc, diff_now;
	void *nc[FS_MAX_CACHES], *ref_nc[FS_MAX_CACHES];
	struct ring rings[FS_MAX_CACHES];
	unsigned int nr_views;		/* trace caches + per-CPU ones */
	struct fs_cache_view views[FS_CHECK_MAX_CACHES];
	uint32_t *handle_frag;		/* handle -> fragment id */
	uint8_t *handle_res;		/* handle -> RES_* of its last alloc */
	unsigned long *handle_spec;	/* handle -> pfn of its spec-get */
	unsigned long *handle_spec_ref;	/* ... its mirror on the reference */
	uint32_t cap_handles;
	void **ref_va;
	uint32_t cap_ref_va;
	uint32_t nr_frags, first_live;
	struct queue queues[FS_MAX_QUEUES];
	unsigned long *spec;		/* pfns agents hold references on */
	uint32_t nr_spec, cap_spec;

	/* Per-CPU cache objects, for classifying accesses. */
	uintptr_t pc_lo, pc_hi;
	struct { uintptr_t lo, hi; } pcpu[FS_MAX_CPUS][FS_PCPU_NR];
	struct { unsigned int pc; bool irqs_off; uint8_t cpu; } last_use[FS_CHECK_MAX_CACHES];

	struct fs_check_opstate opst[FS_MAX_ACTORS + 1];
	uint16_t cur_actor;
	int in_kernel;
	uint64_t op_no;
	jmp_buf unwind;
	char notes[1024];
};

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fputs("fragsim: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fputs("fragsim: out of memory\n", stderr);
		abort();
	}
	return p;
}

static bool points(const struct fs_runner *r)
{
	return !r->o.no_points;
}

static void unwind(void *ctx)
{
	struct fs_runner *r = ctx;

	if (r->mach && fs_machine_in_fiber(r->mach))
		fs_machine_abort(r->mach);
	longjmp(r->unwind, 1);
}

static void describe(void *ctx, const void *op, char *buf, size_t len)
{
	struct fs_runner *r = ctx;

	fs_trace_format_op(r->trace, op, buf, len);
}

static const char *const pcpu_names[FS_PCPU_NR] = {
	"netdev_alloc_cache", "napi_alloc_cache.page",
	"napi_alloc_cache.small",
};

static bool is_pcpu(const struct fs_runner *r, unsigned int i)
{
	return i >= r->trace->nr_caches;
}

static void view_of(struct fs_runner *r, unsigned int i,
		    struct fs_cache_view *v)
{
	if (is_pcpu(r, i)) {
		unsigned int k = i - r->trace->nr_caches;

		r->t->pcpu_view(k / FS_PCPU_NR, k % FS_PCPU_NR, v);
		return;
	}
	if (r->trace->caches[i].kind == FS_CACHE_RX_RING) {
		const struct ring *g = &r->rings[i];

		memset(v, 0, sizeof(*v));
		v->va = g->va;
		v->bias = g->bias;
		v->offset = g->offset;
		v->size = g->va ? FS_PAGE_SIZE : 0;
		v->pfmemalloc = g->pfmemalloc;
		v->count_up = true;
		return;
	}
	r->t->view(r->nc[i], v);
}

static void viewer(void *ctx, unsigned int i, struct fs_cache_view *v)
{
	view_of(ctx, i, v);
}

struct fs_runner *fs_runner_create(const struct fs_runner_opts *opts)
{
	struct fs_runner *r = xmalloc(sizeof(*r));
	unsigned int slots = opts->arena_slots ? opts->arena_slots :
			     FS_DEFAULT_ARENA_SLOTS;

	r->o = *opts;
	r->t = opts->target;
	r->arena = fs_arena_create(slots);
	if (!r->arena) {
		free(r);
		return NULL;
	}
	if (opts->diff && opts->checks && r->t != &fs_target_ref) {
		r->ref = &fs_target_ref;
		r->ref_arena = fs_arena_create(slots);
	}
	r->check = fs_check_create(r->arena, r->t, unwind, r);
	fs_check_set_describer(r->check, describe, r);
	fs_check_set_viewer(r->check, viewer, r);
	fs_check_set_symbolizer(r->check, fs_symbolize);
	fs_check_set_payload(r->check, !opts->no_payload);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		r->nc[i] = xmalloc(r->t->cache_size);
		r->ref_nc[i] = xmalloc(fs_target_ref.cache_size);
	}
	r->mach = fs_machine_create();
	return r;
}

void fs_runner_destroy(struct fs_runner *r)
{
	if (!r)
		return;
	fs_machine_destroy(r->mach);
	fs_check_destroy(r->check);
	fs_arena_destroy(r->arena);
	fs_arena_destroy(r->ref_arena);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		free(r->nc[i]);
		free(r->ref_nc[i]);
	}
	for (int i = 0; i < FS_MAX_QUEUES; i++)
		free(r->queues[i].ids);
	free(r->handle_frag);
	free(r->handle_res);
	free(r->handle_spec);
	free(r->handle_spec_ref);
	free(r->ref_va);
	free(r->spec);
	free(r);
}

const struct fs_alt *fs_runner_alts(const struct fs_runner *r, uint32_t *nr)
{
	return fs_machine_alts(r->mach, nr);
}

/* Calls into the code under test run with the target's arena and hooks. */
static void enter_target(struct fs_runner *r)
{
	fs_arena_cur = r->arena;
	if (r->o.checks)
		fs_check_install(r->check);
}

/* The reference model runs unobserved on its own arena, unscheduled. */
static bool enter_ref(struct fs_runner *r)
{
	bool live = fs_kctx_live;

	fs_check_uninstall();
	fs_arena_cur = r->ref_arena;
	fs_kctx_live = false;
	return live;
}

static void leave_ref(struct fs_runner *r, bool live)
{
	fs_kctx_live = live;
	enter_target(r);
}

static const char *actor_name(const struct fs_runner *r, uint16_t a)
{
	return a == FS_MAIN_ACTOR ? "main" : r->trace->actors[a].name;
}

static struct fs_check_opstate *opstate(struct fs_runner *r, uint16_t a)
{
	return &r->opst[a == FS_MAIN_ACTOR ? FS_MAX_ACTORS : a];
}

static void begin(struct fs_runner *r, const struct fs_op *op, const char *fn)
{
	r->op_no++;
	if (r->o.checks) {
		fs_check_op_begin(r->check, r->op_no, op ? op->line : 0, op, fn);
		fs_check_op_save(r->check, opstate(r, r->cur_actor));
	}
}

static void resumed(void *ctx, uint16_t actor)
{
	struct fs_runner *r = ctx;

	r->cur_actor = actor;
	if (r->o.checks)
		fs_check_op_restore(r->check, opstate(r, actor));
}

static const char *const ctx_names[] = { "task", "softirq", "hardirq" };

static void use_now(struct fs_runner *r, struct fs_ctx_use *u, const void *pc)
{
	u->cpu = fs_kcpu_cur->cpu;
	u->preempt_count = fs_kcpu_cur->preempt_count;
	u->irqs_off = fs_kcpu_cur->irqs_off;
	u->who = actor_name(r, r->cur_actor);
	u->ctx = r->mach ? ctx_names[fs_machine_ctx(r->mach)] : "task";
	u->pc = pc;
}

/* Context rules, only when the context differs from the last use. */
static void ctx_use(struct fs_runner *r, unsigned int ci,
		    enum fs_cache_class cls, int owner, const void *pc)
{
	struct fs_ctx_use u;

	if (r->last_use[ci].pc == fs_kcpu_cur->preempt_count + 1 &&
	    r->last_use[ci].irqs_off == fs_kcpu_cur->irqs_off &&
	    r->last_use[ci].cpu == fs_kcpu_cur->cpu)
		return;
	r->last_use[ci].pc = fs_kcpu_cur->preempt_count + 1;
	r->last_use[ci].irqs_off = fs_kcpu_cur->irqs_off;
	r->last_use[ci].cpu = (uint8_t)fs_kcpu_cur->cpu;
	use_now(r, &u, pc);
	fs_check_ctx_use(r->check, ci, cls, owner, &u);
}

static void access(void *ctx, const void *addr, unsigned int size,
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
			ctx_use(r, r->trace->nr_caches + cpu * FS_PCPU_NR + w,
				w == FS_PCPU_NETDEV ? FS_CLASS_NETDEV :
				FS_CLASS_NAPI, (int)cpu, pc);
			return;
		}
	}
}

/* Every cache and every touched page, once nothing is mid-update. */
static void quiescent(struct fs_runner *r)
{
	if (!r->o.checks || r->in_kernel)
		return;
	for (unsigned int i = 0; i < r->nr_views; i++)
		view_of(r, i, &r->views[i]);
	fs_check_quiescent(r->check, r->views);
}

static void grow_ref_va(struct fs_runner *r, uint32_t id)
{
	if (id < r->cap_ref_va)
		return;
	r->cap_ref_va = r->cap_ref_va ? r->cap_ref_va * 2 : 1024;
	while (r->cap_ref_va <= id)
		r->cap_ref_va *= 2;
	r->ref_va = xrealloc(r->ref_va, r->cap_ref_va * sizeof(*r->ref_va));
}

static void diff_alloc(struct fs_runner *r, const struct fs_op *op, void *va,
		       uint32_t id)
{
	struct fs_cache_view rv;
	void *rva;
	bool live = enter_ref(r);

	rva = r->ref->alloc(r->ref_nc[op->cache], op->size, op->gfp, op->align);
	r->ref->view(r->ref_nc[op->cache], &rv);
	leave_ref(r, live);
	/*
	 * Running out of simulated memory is no fault plan: the two sides
	 * need different amounts of it, so the comparison ends there.
	 */
	if (fs_arena_nr_exhausted(r->arena) || fs_arena_nr_exhausted(r->ref_arena)) {
		r->diff_now = false;
		fs_check_note(r->check, "note: the simulated memory ran out at op #%llu; the differential check stops there\n",
		     (unsigned long long)r->op_no);
		return;
	}
	if (va && id != NO_FRAG) {
		grow_ref_va(r, id);
		/* As for the target: free a zero-length fragment at its
		 * page's end through an address inside the page. */
		if (rva && !op->size && rva == (char *)rv.va + rv.size)
			rva = (char *)rva - 1;
		r->ref_va[id] = rva;
	}
	if (!va != !rva) {
		const struct fs_cache_view *kv = &r->views[op->cache];

		fs_check_fail(r->check, va ? FS_F_DIFF_ALLOC : FS_F_DIFF_NULL,
			      "%s() %s %u bytes from cache %s; the reference model %s under the same fault plan (kernel cache now: offset %lu size %lu bias %lu; reference: offset %lu size %lu bias %lu)",
			      op->align ? r->t->fn_alloc_align : r->t->fn_alloc,
			      va ? "returned a fragment of" : "returned NULL for",
			      op->size, r->trace->caches[op->cache].name,
			      va ? "returns NULL" : "succeeds",
			      kv->offset, kv->size, kv->bias, rv.offset, rv.size,
			      rv.bias);
	}
	if (va && rv.pfmemalloc != r->views[op->cache].pfmemalloc)
		fs_check_fail(r->check, FS_F_DIFF_PFMEMALLOC,
			      "cache %s reports pfmemalloc=%d, the reference model %d under the same fault plan",
			      r->trace->caches[op->cache].name,
			      r->views[op->cache].pfmemalloc, rv.pfmemalloc);
}

/* The driver's RX ring: take @size bytes of its page, refilling. */
static void *ring_alloc(struct fs_runner *r, struct ring *g,
			const struct fs_op *op)
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

/* Which cache a network front end used: the one whose page holds @va. */
static unsigned int pcpu_of(struct fs_runner *r, const void *va)
{
	const char *p = va;

	for (unsigned int i = r->trace->nr_caches; i < r->nr_views; i++) {
		struct fs_cache_view v;

		view_of(r, i, &v);
		if (v.va && p >= (char *)v.va && p <= (char *)v.va + v.size) {
			r->views[i] = v;
			return i;
		}
	}
	return UINT32_MAX;
}

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

static void do_alloc(struct fs_runner *r, const struct fs_op *op)
{
	const struct fs_target *t = r->t;
	unsigned int ci = op->cache, size = op->size, align = op->align;
	const char *fn;
	void *va;
	uint32_t id = NO_FRAG;

	switch (op->kind) {
	case FS_OP_NETDEV_ALLOC:
		fn = t->fn_netdev;
		break;
	case FS_OP_NAPI_ALLOC:
		fn = t->fn_napi;
		break;
	case FS_OP_NAPI_ALLOC_1K:
		fn = "page_frag_alloc_1k";
		size = 1024;
		align = 0;
		break;
	default:
		fn = align ? t->fn_alloc_align : t->fn_alloc;
		break;
	}
	begin(r, op, fn);
	if (op->kind == FS_OP_ALLOC && r->o.checks && points(r))
		ctx_use(r, ci, FS_CLASS_PLAIN, -1, NULL);
	r->in_kernel++;
	switch (op->kind) {
	case FS_OP_NETDEV_ALLOC:
		va = t->netdev_alloc(op->size, op->align);
		break;
	case FS_OP_NAPI_ALLOC:
		va = t->napi_alloc(op->size, op->align);
		break;
	case FS_OP_NAPI_ALLOC_1K:
		va = t->napi_alloc_1k(op->gfp);
		break;
	default:
		va = r->trace->caches[ci].kind == FS_CACHE_RX_RING ?
		     ring_alloc(r, &r->rings[ci], op) :
		     t->alloc(r->nc[ci], op->size, op->gfp, op->align);
		break;
	}
	r->in_kernel--;
	if (r->o.checks) {
		struct fs_cache_view bv, *v = &r->views[ci];

		if (op->kind != FS_OP_ALLOC && va) {
			ci = pcpu_of(r, va);
			if (ci == UINT32_MAX) {
				ci = r->trace->nr_caches;
				block_view(r, va, &bv);
				v = &bv;
			} else {
				v = &r->views[ci];
			}
		} else if (op->kind == FS_OP_ALLOC) {
			view_of(r, ci, v);
		}
		if (va)
			id = fs_check_alloc_done(r->check, ci, va, size, align, v);
		quiescent(r);
		if (r->diff_now && op->kind == FS_OP_ALLOC &&
		    r->trace->caches[op->cache].kind == FS_CACHE_PAGE_FRAG)
			diff_alloc(r, op, va, id);
	} else if (va) {
		id = r->nr_frags;
		grow_ref_va(r, id);
		r->ref_va[id] = va;	/* native mode keeps addresses here */
	}
	if (va)
		r->nr_frags++;
	if (op->handle == FS_NO_HANDLE)
		return;
	r->handle_frag[op->handle] = id;
	r->handle_res[op->handle] = !va ? RES_NULL :
		(r->o.checks && ci < r->nr_views && r->views[ci].pfmemalloc) ?
		RES_OK_PFMEMALLOC : RES_OK;
}

static void free_frag(struct fs_runner *r, const struct fs_op *op, uint32_t id)
{
	bool net;
	void *addr;

	if (!r->o.checks) {
		begin(r, op, r->t->fn_free);
		r->t->free(r->ref_va[id]);
		r->ref_va[id] = NULL;
		return;
	}
	/* The network stack frees its fragments with skb_free_frag(). */
	net = r->t->free_net && is_pcpu(r, fs_check_frag_cache(r->check, id));
	begin(r, op, net ? "skb_free_frag" : r->t->fn_free);
	addr = fs_check_free_begin(r->check, id);
	r->in_kernel++;
	(net ? r->t->free_net : r->t->free)(addr);
	r->in_kernel--;
	quiescent(r);
	if (r->diff_now && r->ref_va && id < r->cap_ref_va && r->ref_va[id]) {
		bool live = enter_ref(r);

		r->ref->free(r->ref_va[id]);
		leave_ref(r, live);
		r->ref_va[id] = NULL;
	}
}

static bool frag_live(struct fs_runner *r, uint32_t id)
{
	if (r->o.checks)
		return fs_check_frag_live(r->check, id);
	return r->ref_va[id] != NULL;
}

static void do_free(struct fs_runner *r, const struct fs_op *op)
{
	uint32_t id = r->handle_frag[op->handle];

	/* Callers check for NULL: freeing a failed allocation is a no-op. */
	if (id == NO_FRAG)
		return;
	free_frag(r, op, id);
}

static void do_free_all(struct fs_runner *r, const struct fs_op *op)
{
	for (uint32_t id = r->first_live; id < r->nr_frags; id++)
		if (frag_live(r, id))
			free_frag(r, op, id);
	if (!op || !r->conc)
		r->first_live = r->nr_frags;
}

static void drain_cache(struct fs_runner *r, unsigned int cache)
{
	if (r->trace->caches[cache].kind == FS_CACHE_RX_RING) {
		struct ring *g = &r->rings[cache];

		if (g->va)
			r->t->page_drain(g->va, g->bias);
		g->va = NULL;
		return;
	}
	r->t->drain(r->nc[cache]);
}

static void do_drain(struct fs_runner *r, const struct fs_op *op,
		     unsigned int cache)
{
	begin(r, op, r->trace->caches[cache].kind == FS_CACHE_RX_RING ?
		     "__page_frag_cache_drain" : r->t->fn_drain);
	if (op && r->o.checks && points(r))
		ctx_use(r, cache, FS_CLASS_PLAIN, -1, NULL);
	r->in_kernel++;
	drain_cache(r, cache);
	r->in_kernel--;
	quiescent(r);
	if (r->diff_now && r->trace->caches[cache].kind == FS_CACHE_PAGE_FRAG) {
		bool live = enter_ref(r);

		r->ref->drain(r->ref_nc[cache]);
		leave_ref(r, live);
	}
}

static void do_faults(struct fs_runner *r, const struct fs_op *op)
{
	begin(r, op, NULL);
	fs_arena_set_faults(r->arena, op->faults);
	if (r->ref_arena)
		fs_arena_set_faults(r->ref_arena, op->faults);
}

static const char *const res_names[] = {
	[RES_NONE] = "no allocation", [RES_NULL] = "NULL",
	[RES_OK] = "a fragment", [RES_OK_PFMEMALLOC] = "a pfmemalloc fragment",
};

static void do_expect(struct fs_runner *r, const struct fs_op *op)
{
	uint8_t res = r->handle_res[op->handle];
	bool ok;

	switch (op->expect) {
	case FS_EXPECT_OK:
		ok = res == RES_OK || res == RES_OK_PFMEMALLOC;
		break;
	case FS_EXPECT_NULL:
		ok = res == RES_NULL;
		break;
	case FS_EXPECT_PFMEMALLOC:
		ok = res == RES_OK_PFMEMALLOC;
		break;
	default:
		ok = res == RES_OK;
		break;
	}
	if (!ok && r->o.checks) {
		char want[128];

		begin(r, op, NULL);
		fs_trace_format_op(r->trace, op, want, sizeof(want));
		fs_check_fail(r->check, FS_F_EXPECTATION,
			      "'%s' does not hold: the last allocation of %s returned %s",
			      want, r->trace->handles[op->handle], res_names[res]);
	}
}

/* ---- queues and speculative references ---- */

static bool queue_ready(void *ctx, int q)
{
	struct fs_runner *r = ctx;

	return r->queues[q].head != r->queues[q].tail;
}

static void do_push(struct fs_runner *r, const struct fs_op *op)
{
	struct queue *q = &r->queues[op->queue];
	uint32_t id = r->handle_frag[op->handle];

	if (id == NO_FRAG)
		return;		/* a failed allocation is not passed on */
	if (q->tail == q->cap) {
		if (q->head) {
			memmove(q->ids, q->ids + q->head,
				(q->tail - q->head) * sizeof(*q->ids));
			q->tail -= q->head;
			q->head = 0;
		} else {
			q->cap = q->cap ? q->cap * 2 : 64;
			q->ids = xrealloc(q->ids, q->cap * sizeof(*q->ids));
		}
	}
	q->ids[q->tail++] = id;
	r->handle_frag[op->handle] = NO_FRAG;	/* it is the popper's now */
}

static void do_pop(struct fs_runner *r, const struct fs_op *op)
{
	struct queue *q = &r->queues[op->queue];

	if (r->mach && points(r) ? !fs_machine_wait(r->mach, queue_ready,
						    op->queue) :
	    !queue_ready(r, op->queue))
		return;		/* nothing will ever come: skipped */
	free_frag(r, op, q->ids[q->head++]);
}

static struct page *head_page(struct fs_runner *r, unsigned long pfn)
{
	return fs_arena_page(r->arena, pfn);
}

/* Agents are kernel code too: no quiescent check while they act. */
static bool spec_get(struct fs_runner *r, unsigned long pfn)
{
	struct page *page = head_page(r, pfn);
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

static void spec_put(struct fs_runner *r, unsigned long pfn)
{
	struct page *page = head_page(r, pfn);

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

/*
 * The differential run mirrors a trace's speculative references on the
 * reference model's page of the same fragment: whether a cache may
 * recycle its page depends on them.
 */
static void spec_ref(struct fs_runner *r, const struct fs_op *op, uint32_t id,
		     bool get)
{
	unsigned long *held = &r->handle_spec_ref[op->handle];
	unsigned long pfn, head;
	struct page *page;
	bool live;

	if (!r->diff_now || (get && (id == NO_FRAG || id >= r->cap_ref_va ||
				     !r->ref_va[id])) || (!get && *held == NO_PFN))
		return;
	live = enter_ref(r);
	if (get && fs_arena_classify(r->ref_arena, r->ref_va[id], &pfn, &head) ==
		   FS_PAGE_HEAD) {
		page = fs_arena_page(r->ref_arena, head);
		if (fs_page_get_unless_zero(page, "get_page_unless_zero"))
			*held = head;
	} else if (!get) {
		page = fs_arena_page(r->ref_arena, *held);
		if (fs_page_ref_sub_return(page, 1, "put_page") == 0)
			fs_page_free(page, fs_page_order(page), "put_page");
		*held = NO_PFN;
	}
	leave_ref(r, live);
}

static void do_spec(struct fs_runner *r, const struct fs_op *op)
{
	uint32_t id = r->handle_frag[op->handle];
	unsigned long *held = &r->handle_spec[op->handle];

	begin(r, op, op->kind == FS_OP_SPEC_GET ? "get_page_unless_zero" :
		     "put_page");
	if (op->kind == FS_OP_SPEC_GET) {
		unsigned long pfn = id == NO_FRAG ? NO_PFN : frag_pfn(r, id);

		if (*held == NO_PFN && pfn != NO_PFN && spec_get(r, pfn)) {
			*held = pfn;
			spec_ref(r, op, id, true);
		}
	} else if (*held != NO_PFN) {
		spec_put(r, *held);
		*held = NO_PFN;
		spec_ref(r, op, id, false);
	}
	quiescent(r);
}

static unsigned long nth_head(struct fs_runner *r, uint32_t sel)
{
	size_t n = fs_arena_nr_allocated(r->arena);
	unsigned long pfn = fs_arena_next_head(r->arena, 0);

	if (!n || pfn == NO_PFN)
		return NO_PFN;
	for (size_t k = sel % n; k && pfn != NO_PFN; k--)
		pfn = fs_arena_next_head(r->arena, pfn + 1);
	return pfn;
}

static bool agent(void *ctx, struct fs_decision *d)
{
	struct fs_runner *r = ctx;
	bool replay = r->sched.ops == &fs_sched_replay;
	fs_faults_t f = fs_arena_faults(r->arena);

	switch (d->kind) {
	case FS_DEC_SPEC_GET: {
		unsigned long pfn = replay ? d->arg : nth_head(r, d->arg);

		if (pfn == NO_PFN || !spec_get(r, pfn))
			return false;
		if (r->nr_spec == r->cap_spec) {
			r->cap_spec = r->cap_spec ? r->cap_spec * 2 : 16;
			r->spec = xrealloc(r->spec, r->cap_spec * sizeof(*r->spec));
		}
		r->spec[r->nr_spec++] = pfn;
		d->arg = (uint32_t)pfn;
		return true;
	}
	case FS_DEC_SPEC_PUT: {
		uint32_t k = r->nr_spec ? d->arg % r->nr_spec : 0;

		if (replay)
			for (k = 0; k < r->nr_spec && r->spec[k] != d->arg; k++)
				;
		if (k >= r->nr_spec)
			return false;
		d->arg = (uint32_t)r->spec[k];
		spec_put(r, r->spec[k]);
		r->spec[k] = r->spec[--r->nr_spec];
		return true;
	}
	case FS_DEC_PRESSURE_ON:
		fs_arena_set_faults(r->arena, f | FS_FAULT_PRESSURE);
		return true;
	case FS_DEC_PRESSURE_OFF:
		fs_arena_set_faults(r->arena, f & ~FS_FAULT_PRESSURE);
		return true;
	default:
		return false;
	}
}

/* ---- sections and the interpreter ---- */

static void exec_range(struct fs_runner *r, uint32_t from, uint32_t to,
		       unsigned int depth);

static void exec_section(struct fs_runner *r, const struct fs_op *op,
			 uint32_t idx, unsigned int depth)
{
	unsigned long flags = 0;

	if (op->kind == FS_OP_IRQ_OFF)
		flags = fs_local_irq_save();
	else
		fs_local_bh_disable();
	exec_range(r, idx + 1, idx + 1 + op->body_len, depth + 1);
	if (op->kind == FS_OP_IRQ_OFF)
		fs_local_irq_restore(flags, NULL);
	else
		fs_local_bh_enable(NULL);
}

static void exec_op(struct fs_runner *r, const struct fs_op *op, uint32_t idx,
		    unsigned int depth)
{
	switch (op->kind) {
	case FS_OP_ALLOC:
	case FS_OP_NETDEV_ALLOC:
	case FS_OP_NAPI_ALLOC:
	case FS_OP_NAPI_ALLOC_1K:
		do_alloc(r, op);
		break;
	case FS_OP_FREE:
		do_free(r, op);
		break;
	case FS_OP_DRAIN:
		do_drain(r, op, op->cache);
		break;
	case FS_OP_FREE_ALL:
		do_free_all(r, op);
		break;
	case FS_OP_FAULTS:
		do_faults(r, op);
		break;
	case FS_OP_EXPECT:
		do_expect(r, op);
		break;
	case FS_OP_REPEAT:
		for (uint32_t k = 0; k < op->count; k++)
			exec_range(r, idx + 1, idx + 1 + op->body_len, depth + 1);
		break;
	case FS_OP_IRQ_OFF:
	case FS_OP_BH_OFF:
		exec_section(r, op, idx, depth);
		break;
	case FS_OP_RAISE:
		if (r->mach && points(r))
			fs_machine_raise(r->mach, op->actor);
		break;
	case FS_OP_PUSH:
		do_push(r, op);
		break;
	case FS_OP_POP:
		do_pop(r, op);
		break;
	case FS_OP_SPEC_GET:
	case FS_OP_SPEC_PUT:
		do_spec(r, op);
		break;
	default:
		break;
	}
}

static void exec_range(struct fs_runner *r, uint32_t from, uint32_t to,
		       unsigned int depth)
{
	for (uint32_t i = from; i < to; i++) {
		const struct fs_op *op = &r->trace->ops[i];

		if (op->kind == FS_OP_ACTOR) {	/* bodies run as actors */
			i += op->body_len;
			continue;
		}
		exec_op(r, op, i, depth);
		if (op->kind == FS_OP_REPEAT || op->kind == FS_OP_IRQ_OFF ||
		    op->kind == FS_OP_BH_OFF)
			i += op->body_len;
		if (r->mach && points(r) && op->kind != FS_OP_COMMENT)
			fs_machine_op_point(r->mach);
	}
}

static void run_actor(void *ctx, uint16_t actor)
{
	struct fs_runner *r = ctx;
	uint32_t at;

	if (actor == FS_MAIN_ACTOR) {
		exec_range(r, 0, r->trace->nr_ops, 0);
		return;
	}
	at = r->trace->actors[actor].op;
	exec_range(r, at + 1, at + 1 + r->trace->ops[at].body_len, 1);
}

static void release_agents(struct fs_runner *r)
{
	while (r->nr_spec)
		spec_put(r, r->spec[--r->nr_spec]);
	for (uint32_t h = 0; h < r->trace->nr_handles; h++) {
		if (r->handle_spec[h] != NO_PFN)
			spec_put(r, r->handle_spec[h]);
		r->handle_spec[h] = NO_PFN;
		if (r->handle_spec_ref[h] != NO_PFN) {
			struct fs_op op = { .handle = h };

			spec_ref(r, &op, NO_FRAG, false);
		}
	}
}

static void teardown(struct fs_runner *r)
{
	release_agents(r);
	do_free_all(r, NULL);
	for (unsigned int i = 0; i < r->trace->nr_caches; i++)
		do_drain(r, NULL, i);
	if (r->t->pcpu_drain) {
		begin(r, NULL, "page_frag_cache_drain");
		for (unsigned int cpu = 0; cpu < r->trace->cpus; cpu++)
			r->t->pcpu_drain(cpu);
		quiescent(r);
	}
	if (r->o.checks)
		fs_check_teardown(r->check);
}

/* What this target cannot run; fs_trace_validate() calls it for each op. */
static int target_can_run(void *ctx, const struct fs_op *op, char *err,
			  size_t errlen)
{
	const struct fs_runner *r = ctx;

	if ((op->kind == FS_OP_NETDEV_ALLOC || op->kind == FS_OP_NAPI_ALLOC) &&
	    !r->t->netdev_alloc) {
		snprintf(err, errlen, "line %u: target %s has no network front end (netdev/napi caches)",
			 op->line, r->t->name);
		return -1;
	}
	if (op->kind == FS_OP_NAPI_ALLOC_1K && !r->t->napi_alloc_1k) {
		snprintf(err, errlen, "line %u: target %s has no 1K napi fragment cache",
			 op->line, r->t->name);
		return -1;
	}
	return 0;
}

static int validate(const struct fs_runner *r, const struct fs_trace *t,
		    char *err, size_t errlen)
{
	if (fs_trace_validate(t, target_can_run, (void *)r, err, errlen))
		return -1;
	if (r->o.no_points && fs_trace_concurrent(t)) {
		snprintf(err, errlen, "a concurrent trace needs scheduling points");
		return -1;
	}
	return 0;
}

static bool uses_net(const struct fs_trace *t)
{
	for (uint32_t i = 0; i < t->nr_ops; i++) {
		switch (t->ops[i].kind) {
		case FS_OP_NETDEV_ALLOC:
		case FS_OP_NAPI_ALLOC:
		case FS_OP_NAPI_ALLOC_1K:
			return true;
		default:
			break;
		}
	}
	return false;
}

static void pcpu_ranges(struct fs_runner *r)
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

static void prepare(struct fs_runner *r, const struct fs_trace *t)
{
	char names[FS_CHECK_MAX_CACHES][32];

	if (t->nr_handles > r->cap_handles) {
		free(r->handle_frag);
		free(r->handle_res);
		free(r->handle_spec);
		free(r->handle_spec_ref);
		r->cap_handles = t->nr_handles;
		r->handle_frag = xmalloc(r->cap_handles * sizeof(*r->handle_frag));
		r->handle_res = xmalloc(r->cap_handles);
		r->handle_spec = xmalloc(r->cap_handles * sizeof(*r->handle_spec));
		r->handle_spec_ref = xmalloc(r->cap_handles *
					     sizeof(*r->handle_spec_ref));
	}
	for (uint32_t i = 0; i < t->nr_handles; i++) {
		r->handle_frag[i] = NO_FRAG;
		r->handle_res[i] = RES_NONE;
		r->handle_spec[i] = NO_PFN;
		r->handle_spec_ref[i] = NO_PFN;
	}
	r->trace = t;
	r->conc = fs_trace_concurrent(t);
	r->diff_now = r->ref && !r->conc;
	for (unsigned int i = 0; i < t->nr_caches; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", t->caches[i].name);
		r->t->cache_init(r->nc[i]);
		fs_target_ref.cache_init(r->ref_nc[i]);
		memset(&r->rings[i], 0, sizeof(r->rings[i]));
	}
	r->nr_views = t->nr_caches;
	/* The per-CPU caches are checked only when the trace reaches them. */
	if (r->t->pcpu_view && uses_net(t)) {
		for (unsigned int cpu = 0; cpu < t->cpus; cpu++)
			for (unsigned int w = 0; w < FS_PCPU_NR; w++)
				snprintf(names[r->nr_views++], sizeof(names[0]),
					 "%s@cpu%u", pcpu_names[w], cpu);
	}
	for (unsigned int i = 0; i < FS_MAX_QUEUES; i++)
		r->queues[i].head = r->queues[i].tail = 0;
	memset(r->last_use, 0, sizeof(r->last_use));
	memset(r->opst, 0, sizeof(r->opst));
	r->cur_actor = FS_MAIN_ACTOR;
	r->nr_spec = 0;
	r->nr_frags = 0;
	r->first_live = 0;
	r->op_no = 0;
	r->in_kernel = 0;
	fs_arena_reset(r->arena);
	fs_arena_set_faults(r->arena, t->faults);
	if (r->ref_arena) {
		fs_arena_reset(r->ref_arena);
		fs_arena_set_faults(r->ref_arena, t->faults);
	}
	fs_check_reset(r->check, r->nr_views, (const char (*)[32])names);
}

/*
 * PCT's k: the points a run of @t is expected to have, from the trace
 * alone (about 24 per operation), so the same trace and seed give the
 * same schedule whatever ran before.
 */
static uint64_t pct_length(const struct fs_trace *t)
{
	uint64_t ops = fs_trace_op_count(t);

	return ops < UINT64_MAX / 24 ? ops * 24 + 1 : UINT64_MAX;
}

static void start_sched(struct fs_runner *r, const struct fs_trace *t,
			const struct fs_run_sched *rs)
{
	struct fs_sched_params p = {
		.seed = t->seed, .depth = t->sched.depth,
		.preemptions = t->sched.preemptions,
		.injections = t->sched.injections,
		.k_hint = pct_length(t), .k_elig_hint = pct_length(t) / 2 + 1,
		.log = &t->sched,
	};
	enum fs_strategy s = t->sched.strategy;

	if (rs && rs->strategy != FS_SCHED_DEFAULT)
		s = rs->strategy;
	if (s == FS_SCHED_DEFAULT)
		s = FS_SCHED_RANDOM;
	if (rs && rs->depth)
		p.depth = rs->depth;
	if (!p.depth)
		p.depth = 3;
	if (rs) {
		p.forced = rs->forced;
		p.nr_forced = rs->nr_forced;
	}
	p.nr_tasks = 1;
	for (unsigned int a = 0; a < t->nr_actors; a++) {
		if (t->actors[a].kind == FS_ACTOR_TASK)
			p.nr_tasks++;
		if (t->actors[a].kind == FS_ACTOR_HARDIRQ)
			p.nr_irq_budget += t->actors[a].count;
	}
	fs_sched_begin(&r->sched, fs_sched_by_strategy(s), &p);
	r->sched.priv = NULL;
}

static uint64_t run_hash(const struct fs_run_result *res,
			 const struct fs_decision *log, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p = (const void *)&res->mstats;

#define MIX(b) (h = (h ^ (b)) * 0x100000001b3ull)
	for (size_t i = 0; i < sizeof(res->mstats); i++)
		MIX(p[i]);
	for (uint32_t i = 0; i < n; i++) {
		MIX(log[i].step);
		MIX(log[i].kind);
		MIX(log[i].arg);
	}
	MIX(res->ops);
	MIX(res->finding ? res->finding->kind : 0);
	if (res->finding)
		for (size_t i = 0; i < res->finding->report.len; i++)
			MIX((unsigned char)res->finding->report.s[i]);
#undef MIX
	return h;
}

static void append_timeline(struct fs_runner *r);

int fs_runner_run_sched(struct fs_runner *r, const struct fs_trace *t,
			const struct fs_run_sched *rs,
			struct fs_run_result *res, char *err, size_t errlen)
{
	struct fs_machine_cfg cfg = {
		.nr_cpus = t->cpus, .preempt_full = t->preempt == FS_PREEMPT_FULL,
		.rt = t->rt,
		.cbs = { .ctx = r, .run_actor = run_actor, .agent = agent,
			 .resumed = resumed, .access = access },
	};
	bool ok = true;

	memset(res, 0, sizeof(*res));
	if (validate(r, t, err, errlen))
		return -1;
	prepare(r, t);
	enter_target(r);
	if (points(r)) {
		start_sched(r, t, rs);
		fs_machine_reset(r->mach, &cfg, t, &r->sched);
		fs_machine_record_alts(r->mach, rs && rs->record_alts);
		pcpu_ranges(r);
	}
	if (!setjmp(r->unwind)) {
		if (points(r)) {
			ok = fs_machine_run(r->mach);
			if (!ok && fs_check_finding(r->check))
				append_timeline(r);	/* before quiescing */
			if (ok)
				fs_machine_flush_softirqs(r->mach);
			fs_machine_quiesce(r->mach);
		} else {
			exec_range(r, 0, t->nr_ops, 0);
		}
		if (ok)
			teardown(r);
	}
	fs_check_uninstall();
	if (points(r)) {
		fs_machine_quiesce(r->mach);
		res->mstats = *fs_machine_stats(r->mach);
		res->log = fs_machine_log(r->mach, &res->nr_log);
		res->strategy = t->sched.strategy;
		if (rs && rs->strategy != FS_SCHED_DEFAULT)
			res->strategy = rs->strategy;
		if (res->strategy == FS_SCHED_DEFAULT)
			res->strategy = FS_SCHED_RANDOM;
	} else {
		fs_kctx_boot();
	}
	res->ops = r->op_no;
	res->finding = fs_check_finding(r->check);
	if (res->finding && points(r) && ok)
		append_timeline(r);	/* raised in the teardown */
	snprintf(r->notes, sizeof(r->notes), "%s%s", fs_check_notes(r->check),
		 points(r) ? fs_machine_notes(r->mach) : "");
	res->notes = r->notes;
	res->hash = run_hash(res, res->log, res->nr_log);
	return 0;
}

int fs_runner_run(struct fs_runner *r, const struct fs_trace *t,
		  struct fs_run_result *res, char *err, size_t errlen)
{
	return fs_runner_run_sched(r, t, NULL, res, err, errlen);
}

/* ---- the interleaving section of a report ---- */

static void append_timeline(struct fs_runner *r)
{
	struct fs_buf *b = fs_check_report_buf(r->check);
	const struct fs_mstats *st = fs_machine_stats(r->mach);
	const struct fs_mevent *ev;
	unsigned int n = fs_machine_timeline(r->mach, &ev);
	const void *pcs[32];
	unsigned int depth;
	char sym[96];

	fs_buf_printf(b, "\nInterleaving: %u CPU(s), %llu scheduling points, %llu CPU switch(es) (%llu preemption(s)), %llu hard interrupt(s) injected, %llu softirq run(s), %llu agent action(s)\n",
		      r->trace->cpus, (unsigned long long)st->steps,
		      (unsigned long long)st->switches,
		      (unsigned long long)st->preemptions,
		      (unsigned long long)st->irqs,
		      (unsigned long long)st->softirqs,
		      (unsigned long long)st->agent_actions);
	for (unsigned int i = 0; i < n; i++) {
		const struct fs_mevent *e = &ev[i];

		if (e->pc)
			fs_symbolize(e->pc, sym, sizeof(sym));
		else
			snprintf(sym, sizeof(sym), "an operation boundary");
		switch (e->kind) {
		case FS_MEV_IRQ:
			fs_buf_printf(b, " step %-8llu CPU%u %-7s %-10s <IRQ> %s lands at %s\n",
				      (unsigned long long)e->step, e->cpu,
				      ctx_names[e->ctx], actor_name(r, e->actor),
				      actor_name(r, e->other), sym);
			break;
		case FS_MEV_SOFTIRQ:
			fs_buf_printf(b, " step %-8llu CPU%u %-7s %-10s <SOFTIRQ> %s runs\n",
				      (unsigned long long)e->step, e->cpu,
				      ctx_names[e->ctx], actor_name(r, e->actor),
				      actor_name(r, e->other));
			break;
		case FS_MEV_SWITCH:
			fs_buf_printf(b, " step %-8llu CPU%u %-7s %-10s switch to CPU%u task %s at %s\n",
				      (unsigned long long)e->step, e->cpu,
				      ctx_names[e->ctx], actor_name(r, e->actor),
				      e->to_cpu, actor_name(r, e->other), sym);
			break;
		case FS_MEV_AGENT: {
			static const char *const an[] = {
				[FS_DEC_SPEC_GET] = "speculative get_page_unless_zero() on pfn",
				[FS_DEC_SPEC_PUT] = "speculative put_page() on pfn",
				[FS_DEC_PRESSURE_ON] = "memory pressure on",
				[FS_DEC_PRESSURE_OFF] = "memory pressure off",
			};
			unsigned int k = e->arg >> 24;

			fs_buf_printf(b, " step %-8llu CPU%u %-7s %-10s agent: %s",
				      (unsigned long long)e->step, e->cpu,
				      ctx_names[e->ctx], actor_name(r, e->actor),
				      k < FS_DEC_NR && an[k] ? an[k] : "?");
			if (k == FS_DEC_SPEC_GET || k == FS_DEC_SPEC_PUT)
				fs_buf_printf(b, " 0x%x", e->arg & 0xffffff);
			fs_buf_printf(b, " at %s\n", sym);
			break;
		}
		default:
			fs_buf_printf(b, " step %-8llu CPU%u %-7s %-10s waits (queue empty)\n",
				      (unsigned long long)e->step, e->cpu,
				      ctx_names[e->ctx], actor_name(r, e->actor));
			break;
		}
	}
	fs_buf_printf(b, "Context of the finding: CPU%u %s %s (nesting depth %u)\n",
		      fs_machine_cpu(r->mach), ctx_names[fs_machine_ctx(r->mach)],
		      actor_name(r, fs_machine_actor(r->mach)), fs_machine_depth(r->mach));
	depth = fs_machine_stack(r->mach, pcs, 32);
	if (depth && pcs[0]) {
		fs_buf_printf(b, "Call trace:\n");
		for (unsigned int i = 0; i < depth; i++) {
			if (!pcs[i]) {
				if (i + 1 < depth && pcs[i + 1])
					fs_buf_printf(b, " <interrupted>\n");
				continue;
			}
			fs_symbolize(pcs[i], sym, sizeof(sym));
			fs_buf_printf(b, " %s\n", sym);
		}
	}
}
