// SPDX-License-Identifier: GPL-2.0
/*
 * The differential oracle: the runner mirrors each operation of a
 * sequential trace on the reference model (sim/core/mirror.c), under the
 * same fault plan, and hands both outcomes here.  Where the two may
 * legitimately differ (the simulated memory ran out: they need different
 * amounts of it) the comparison ends instead (docs/invariants.md).
 */
#include "check_internal.h"

void fs_check_diff_alloc(struct fs_check *c, const struct fs_diff_alloc *d)
{
	const struct fs_cache_view *kv = d->view, *rv = d->ref_view;

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
}

void fs_check_diff_exhausted(struct fs_check *c, uint64_t op_no)
{
	fs_check_note(c, "note: the simulated memory ran out at op #%llu; the differential check stops there\n",
		      (unsigned long long)op_no);
}
