// SPDX-License-Identifier: GPL-2.0
/*
 * The differential oracle: the runner mirrors each operation of a
 * sequential trace on the reference model (sim/core/mirror.c), under the
 * same fault plan, and hands both outcomes here.  Where the two may
 * legitimately differ (the simulated memory ran out: they need different
 * amounts of it) the comparison ends instead (docs/invariants.md).
 */
#include "check_internal.h"

/* Bytes left in a cache's page for a fragment aligned to @align. */
static unsigned long view_room(const struct fs_cache_view *v,
			       unsigned int align)
{
	unsigned long mask = align > 1 ? align - 1ul : 0;
	unsigned long at;

	if (!v->count_up)
		return v->offset;	/* the start of the last fragment */
	at = (v->offset + mask) & ~mask;
	return at < v->size ? v->size - at : 0;
}

/*
 * The kernel refused a request larger than PAGE_SIZE that did not fit the
 * rest of its cached page, and asked the page allocator for nothing: it
 * neither recycled nor refilled (the v6.13 regression, known-bugs.md Z-5).
 */
static bool refused_without_refill(const struct fs_check *c,
				   const struct fs_diff_alloc *d)
{
	return !d->got && d->size > FS_PAGE_SIZE && d->view->va &&
	       view_room(d->view, d->align) < d->size && !c->op_page_allocs;
}

static bool diff_refused(struct fs_check *c, const struct fs_diff_alloc *d)
{
	const struct fs_cache_view *kv = d->view, *rv = d->ref_view;

	/*
	 * Both kept, or reused in place, a page too small for it: the biases
	 * may differ (reset now or at the next reuse) to the same effect.  A
	 * reserve page kept on one side and renewed on the other is not that.
	 */
	if (!d->ref_got && !kv->va == !rv->va && kv->size == rv->size &&
	    kv->offset == rv->offset && kv->pfmemalloc == rv->pfmemalloc)
		return true;
	if (d->ref_got)
		fs_check_fail(c, FS_F_OVERSIZE_NULL_NO_REFILL,
			      "%s() returned NULL for %u bytes from cache %s without recycling or refilling: its page had %lu bytes left (offset %lu size %lu bias %lu) and no page was asked for; the reference model recycles or refills first and serves it (offset %lu size %lu bias %lu)",
			      d->fn, d->size, d->cache, view_room(kv, d->align),
			      kv->offset, kv->size, kv->bias, rv->offset,
			      rv->size, rv->bias);
	/*
	 * The reference renewed its page and still could not serve the
	 * request (a smaller fallback page); the kernel kept its old one.
	 * Nothing was refused wrongly, but the caches differ from here on.
	 */
	fs_check_note(c, "note: at op #%llu %s() kept a page with %lu bytes left for a %u-byte request that the reference model renewed its page for; the differential check stops there\n",
		      (unsigned long long)c->op_no, d->fn,
		      view_room(kv, d->align), d->size);
	return false;
}

bool fs_check_diff_alloc(struct fs_check *c, const struct fs_diff_alloc *d)
{
	const struct fs_cache_view *kv = d->view, *rv = d->ref_view;

	if (refused_without_refill(c, d))
		return diff_refused(c, d);
	if (d->got != d->ref_got)
		fs_check_fail(c, d->got ? FS_F_DIFF_ALLOC : FS_F_DIFF_NULL,
			      "%s() %s %u bytes from cache %s; the reference model %s under the same fault plan (kernel cache now: offset %lu size %lu bias %lu; reference: offset %lu size %lu bias %lu)",
			      d->fn,
			      d->got ? "returned a fragment of" : "returned NULL for",
			      d->size, d->cache,
			      d->got ? "returns NULL" : "succeeds",
			      kv->offset, kv->size, kv->bias, rv->offset,
			      rv->size, rv->bias);
	if (d->got && rv->pfmemalloc != kv->pfmemalloc)
		fs_check_fail(c, FS_F_DIFF_PFMEMALLOC,
			      "cache %s reports pfmemalloc=%d, the reference model %d under the same fault plan",
			      d->cache, kv->pfmemalloc, rv->pfmemalloc);
	return true;
}

void fs_check_diff_exhausted(struct fs_check *c, uint64_t op_no)
{
	fs_check_note(c, "note: the simulated memory ran out at op #%llu; the differential check stops there\n",
		      (unsigned long long)op_no);
}
