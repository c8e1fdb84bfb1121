// SPDX-License-Identifier: GPL-2.0
/* Anchors at run time: per-operation location counters, matching. */
#include <string.h>

#include "anchor.h"

uint32_t fs_anchor_ctr_bump(struct fs_anchor_ctr *c, uint64_t loc)
{
	/* The newest locations are the likeliest next ones. */
	for (unsigned int i = c->n; i-- > 0;)
		if (c->loc[i] == loc)
			return ++c->count[i];
	if (c->n == FS_ANCHOR_LOCS)
		return 0;
	c->loc[c->n] = loc;
	c->count[c->n] = 1;
	c->n++;
	return 1;
}

bool fs_anchor_same_loc(const struct fs_anchor *want,
			const struct fs_anchor *pos)
{
	return want->op == pos->op && want->actor == pos->actor &&
	       want->loc == pos->loc;
}

bool fs_anchor_same_object(const struct fs_anchor *want,
			   const struct fs_anchor *pos)
{
	return want->op == pos->op && want->actor == pos->actor &&
	       FS_LOC_REGION(want->loc) == FS_LOC_REGION(pos->loc) &&
	       FS_LOC_ID(want->loc) == FS_LOC_ID(pos->loc);
}

bool fs_anchor_is(const struct fs_anchor *want, const struct fs_anchor *pos)
{
	return want->k && want->k == pos->k && fs_anchor_same_loc(want, pos);
}

void fs_anchor_set_fn(struct fs_anchor *an, const char *sym)
{
	size_t n = strcspn(sym, ".+");

	if (n >= sizeof(an->fn))
		n = 0;	/* a name that long is no use as a key */
	memcpy(an->fn, sym, n);
	an->fn[n] = '\0';
}
