// SPDX-License-Identifier: GPL-2.0
/*
 * The differential mirror: in a sequential trace with the differential
 * oracle on, each allocation, free, drain and speculative reference is
 * done again on the reference model, on its own arena under the same
 * fault plan, unobserved and unscheduled.  What the two sides did goes to
 * the oracle (sim/check/differential.c), which raises any finding.
 */
#include <string.h>

#include <fragsim/kctx.h>
#include <fragsim/kshim.h>

#include "../lib/array.h"
#include "runner_internal.h"

extern const struct fs_target fs_target_ref_count_up;

/*
 * The reference model's mode follows the target's layout: encoded-layout
 * kernels (v6.13+) carve fragments counting up, the others counting down
 * (alloc/ref/ref_frag.c).  NULL for the reference model itself.
 */
const struct fs_target *fs_mirror_model(const struct fs_target *t)
{
	if (t == &fs_target_ref)
		return NULL;
	if (!strncmp(t->layout, "encoded", strlen("encoded")))
		return &fs_target_ref_count_up;
	return &fs_target_ref;
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
	fs_run_enter_target(r);
}

void fs_mirror_keep_va(struct fs_runner *r, uint32_t id, void *va)
{
	r->ref_va = fs_grow(r->ref_va, id, &r->cap_ref_va, sizeof(*r->ref_va),
			    1024);
	r->ref_va[id] = va;
}

void fs_mirror_alloc(struct fs_runner *r, const struct fs_op *op, void *va,
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
		fs_check_diff_exhausted(r->check, r->op_no);
		return;
	}
	if (va && id != NO_FRAG) {
		/* As for the target: free a zero-length fragment at its
		 * page's end through an address inside the page. */
		if (rva && !op->size && rva == (char *)rv.va + rv.size)
			rva = (char *)rva - 1;
		fs_mirror_keep_va(r, id, rva);
	}
	if (!fs_check_diff_alloc(r->check, &(struct fs_diff_alloc){
		.fn = op->align ? r->t->fn_alloc_align : r->t->fn_alloc,
		.cache = r->trace->caches[op->cache].name,
		.size = op->size, .align = op->align, .got = va, .ref_got = rva,
		.view = &r->views[op->cache], .ref_view = &rv,
	}))
		r->diff_now = false;
}

void fs_mirror_free(struct fs_runner *r, uint32_t id)
{
	bool live;

	if (!r->diff_now || !r->ref_va || id >= r->cap_ref_va || !r->ref_va[id])
		return;
	live = enter_ref(r);
	r->ref->free(r->ref_va[id]);
	leave_ref(r, live);
	r->ref_va[id] = NULL;
}

void fs_mirror_drain(struct fs_runner *r, unsigned int cache)
{
	bool live;

	if (!r->diff_now || r->trace->caches[cache].kind != FS_CACHE_PAGE_FRAG)
		return;
	live = enter_ref(r);
	r->ref->drain(r->ref_nc[cache]);
	leave_ref(r, live);
}

/*
 * The differential run mirrors a trace's speculative references on the
 * reference model's page of the same fragment: whether a cache may
 * recycle its page depends on them.
 */
void fs_mirror_spec(struct fs_runner *r, const struct fs_op *op, uint32_t id,
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
