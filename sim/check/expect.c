// SPDX-License-Identifier: GPL-2.0
/*
 * The expectations: a trace's "expect HANDLE ok|null|pfmemalloc|..."
 * lines, judged against what the last allocation bound to the handle
 * returned (the runner records it as an enum fs_alloc_res).
 */
#include "../lib/array.h"
#include "../trace/trace.h"
#include "check_internal.h"

static const char *const res_names[] = {
	[FS_RES_NONE] = "no allocation", [FS_RES_NULL] = "NULL",
	[FS_RES_OK] = "a fragment", [FS_RES_OK_PFMEMALLOC] = "a pfmemalloc fragment",
};
_Static_assert(ARRAY_SIZE(res_names) == FS_RES_NR, "one name per result");

bool fs_check_expect_holds(const struct fs_op *expect, enum fs_alloc_res got)
{
	switch (expect->expect) {
	case FS_EXPECT_OK:
		return got == FS_RES_OK || got == FS_RES_OK_PFMEMALLOC;
	case FS_EXPECT_NULL:
		return got == FS_RES_NULL;
	case FS_EXPECT_PFMEMALLOC:
		return got == FS_RES_OK_PFMEMALLOC;
	default:
		return got == FS_RES_OK;
	}
}

void fs_check_expect_failed(struct fs_check *c, const struct fs_trace *t,
			    const struct fs_op *expect, enum fs_alloc_res got)
{
	char want[128];

	fs_trace_format_op(t, expect, want, sizeof(want));
	fs_check_fail(c, FS_F_EXPECTATION,
		      "'%s' does not hold: the last allocation of %s returned %s",
		      want, t->handles[expect->handle], res_names[got]);
}
