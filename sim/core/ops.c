// SPDX-License-Identifier: GPL-2.0
/*
 * The trace's operations on the target: allocation (through a cache, the
 * network front end or a driver's RX ring), free, drain, the fault plan
 * and expectations.  Each is bracketed for the checker (fs_run_begin(),
 * the call, the runner's note of what came back, fs_run_quiescent()) and,
 * in a differential run, mirrored on the reference model (mirror.c).
 */
#include <fragsim/kctx.h>
#include <fragsim/kshim.h>

#include "runner_internal.h"

/* The kernel function an allocation calls, as reports name it. */
static const char *alloc_fn(const struct fs_target *t, const struct fs_op *op)
{
	switch (op->kind) {
	case FS_OP_NETDEV_ALLOC:
		return t->fn_netdev;
	case FS_OP_NAPI_ALLOC:
		return t->fn_napi;
	case FS_OP_NAPI_ALLOC_1K:
		return "page_frag_alloc_1k";
	default:
		return op->align ? t->fn_alloc_align : t->fn_alloc;
	}
}

static void *alloc_call(struct fs_runner *r, const struct fs_op *op)
{
	const struct fs_target *t = r->t;
	unsigned int ci = op->cache;
	void *va;

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
		     fs_ring_alloc(r, &r->rings[ci], op) :
		     t->alloc(r->nc[ci], op->size, op->gfp, op->align);
		break;
	}
	r->in_kernel--;
	return va;
}

/*
 * The runner's note of what came back, the quiescent check and the
 * differential mirror; the fragment's id, and in *@ci the view index of
 * the cache it came from.
 */
static uint32_t alloc_checked(struct fs_runner *r, const struct fs_op *op,
			      void *va, unsigned int *ci)
{
	unsigned int size = op->size, align = op->align;
	struct fs_cache_view bv, *v = &r->views[*ci];
	uint32_t id = NO_FRAG;

	if (op->kind == FS_OP_NAPI_ALLOC_1K) {
		size = 1024;
		align = 0;
	}
	if (op->kind != FS_OP_ALLOC && va)
		*ci = fs_net_cache_of(r, va, &bv, &v);
	else if (op->kind == FS_OP_ALLOC)
		fs_run_view(r, *ci, v);
	if (va)
		id = fs_check_alloc_done(r->check, *ci, va, size, align, v);
	fs_run_quiescent(r);
	if (r->diff_now && op->kind == FS_OP_ALLOC &&
	    r->trace->caches[op->cache].kind == FS_CACHE_PAGE_FRAG)
		fs_mirror_alloc(r, op, va, id);
	return id;
}

void fs_op_alloc(struct fs_runner *r, const struct fs_op *op)
{
	unsigned int ci = op->cache;
	uint32_t id = NO_FRAG;
	enum fs_alloc_res res;
	void *va;

	fs_run_begin(r, op, alloc_fn(r->t, op));
	if (op->kind == FS_OP_ALLOC && r->o.checks && fs_run_points(r))
		fs_run_ctx_use(r, ci, FS_CLASS_PLAIN, -1, NULL);
	va = alloc_call(r, op);
	if (r->o.checks) {
		id = alloc_checked(r, op, va, &ci);
	} else if (va) {
		id = r->nr_frags;
		fs_mirror_keep_va(r, id, va);	/* native mode keeps addresses there */
	}
	if (va)
		r->nr_frags++;
	res = !va ? FS_RES_NULL :
	      (r->o.checks && ci < r->nr_views && r->views[ci].pfmemalloc) ?
	      FS_RES_OK_PFMEMALLOC : FS_RES_OK;
	if (r->o.on_alloc)
		r->o.on_alloc(r->o.on_alloc_ctx, r->op_no, op, va, res);
	if (op->handle == FS_NO_HANDLE)
		return;
	r->handle_frag[op->handle] = id;
	r->handle_res[op->handle] = res;
}

void fs_run_free_frag(struct fs_runner *r, const struct fs_op *op, uint32_t id)
{
	bool net;
	void *addr;

	if (!r->o.checks) {
		fs_run_begin(r, op, r->t->fn_free);
		r->t->free(r->ref_va[id]);
		r->ref_va[id] = NULL;
		return;
	}
	/* The network stack frees its fragments with skb_free_frag(). */
	net = r->t->free_net && fs_run_is_pcpu(r, fs_check_frag_cache(r->check, id));
	fs_run_begin(r, op, net ? "skb_free_frag" : r->t->fn_free);
	addr = fs_check_free_begin(r->check, id);
	r->in_kernel++;
	(net ? r->t->free_net : r->t->free)(addr);
	r->in_kernel--;
	fs_run_quiescent(r);
	fs_mirror_free(r, id);
}

static bool frag_live(struct fs_runner *r, uint32_t id)
{
	if (r->o.checks)
		return fs_check_frag_live(r->check, id);
	return r->ref_va[id] != NULL;
}

void fs_op_free(struct fs_runner *r, const struct fs_op *op)
{
	uint32_t id = r->handle_frag[op->handle];

	/* Callers check for NULL: freeing a failed allocation is a no-op. */
	if (id == NO_FRAG)
		return;
	fs_run_free_frag(r, op, id);
}

void fs_op_free_all(struct fs_runner *r, const struct fs_op *op)
{
	for (uint32_t id = r->first_live; id < r->nr_frags; id++)
		if (frag_live(r, id))
			fs_run_free_frag(r, op, id);
	if (!op || !r->conc)
		r->first_live = r->nr_frags;
}

static void drain_cache(struct fs_runner *r, unsigned int cache)
{
	if (r->trace->caches[cache].kind == FS_CACHE_RX_RING)
		fs_ring_drain(r, &r->rings[cache]);
	else
		r->t->drain(r->nc[cache]);
}

void fs_op_drain(struct fs_runner *r, const struct fs_op *op,
		     unsigned int cache)
{
	fs_run_begin(r, op, r->trace->caches[cache].kind == FS_CACHE_RX_RING ?
		     "__page_frag_cache_drain" : r->t->fn_drain);
	if (op && r->o.checks && fs_run_points(r))
		fs_run_ctx_use(r, cache, FS_CLASS_PLAIN, -1, NULL);
	r->in_kernel++;
	drain_cache(r, cache);
	r->in_kernel--;
	fs_run_quiescent(r);
	fs_mirror_drain(r, cache);
}

void fs_op_faults(struct fs_runner *r, const struct fs_op *op)
{
	fs_run_begin(r, op, NULL);
	fs_arena_set_faults(r->arena, op->faults);
	if (r->ref_arena)
		fs_arena_set_faults(r->ref_arena, op->faults);
}

void fs_op_expect(struct fs_runner *r, const struct fs_op *op)
{
	enum fs_alloc_res got = r->handle_res[op->handle];

	if (!r->o.checks || fs_check_expect_holds(op, got))
		return;
	fs_run_begin(r, op, NULL);
	fs_check_expect_failed(r->check, r->trace, op, got);
}
