/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counting anchors at run time (sim/trace/anchor.h says what an anchor
 * is).  Each context of the machine keeps one counter for the operation
 * it runs: how many scheduling points each location has had so far in
 * that operation.  A point's anchor is (operation, actor, location,
 * that count); replay.c matches decisions against it.
 */
#ifndef FRAGSIM_SCHED_ANCHOR_H
#define FRAGSIM_SCHED_ANCHOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../trace/anchor.h"

/*
 * Distinct locations one operation touches: an alloc about 20, a free-all
 * one per page it frees.  A point beyond them has no anchor (k 0), and a
 * trace with a decision there keeps its plain steps.
 */
#define FS_ANCHOR_LOCS	128

struct fs_anchor_ctr {
	uint64_t op;
	unsigned int n;
	uint64_t loc[FS_ANCHOR_LOCS];
	uint32_t count[FS_ANCHOR_LOCS];
};

static inline void fs_anchor_ctr_start(struct fs_anchor_ctr *c, uint64_t op)
{
	c->op = op;
	c->n = 0;
}

/* One more point at @loc: its k (from 1), or 0 when the table is full. */
uint32_t fs_anchor_ctr_bump(struct fs_anchor_ctr *c, uint64_t loc);

/* Is @pos the point @want names? */
bool fs_anchor_is(const struct fs_anchor *want, const struct fs_anchor *pos);
/* Same operation, actor and object (any offset, any k)? */
bool fs_anchor_same_object(const struct fs_anchor *want,
			   const struct fs_anchor *pos);
/* Same operation, actor and location (any k)? */
bool fs_anchor_same_loc(const struct fs_anchor *want,
			const struct fs_anchor *pos);
/* A function name without gcc's clone suffixes (".isra.0", ".part.1"). */
void fs_anchor_set_fn(struct fs_anchor *an, const char *sym);

#endif /* FRAGSIM_SCHED_ANCHOR_H */
