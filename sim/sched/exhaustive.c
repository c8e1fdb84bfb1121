// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded exhaustive search, CHESS-style: a first run records every
 * alternative it was offered (a switch to another task, an injection);
 * then one run per set of forced decisions over them, every single one
 * first, then pairs (preemption bounding at bound 2), up to a cap.  Each
 * run follows its forced decisions as replay follows a log.
 */
#include <stdlib.h>

#include "../lib/xalloc.h"
#include "sched.h"

#define EXHAUSTIVE_CAP	256	/* schedules per trace */
#define BOUND1_ONLY	64	/* more alternatives: single decisions only */

static void params(struct fs_sched_params *p, const struct fs_schedule *sched)
{
	p->preemptions = sched->preemptions;
	p->injections = sched->injections;
}

static void begin(struct fs_sched *s)
{
	fs_sched_follow(s, s->p.forced, s->p.nr_forced);
}

const struct fs_sched_ops fs_sched_exhaustive = {
	.params = params, .begin = begin, .decide = fs_sched_follow_decide,
	.search = true,
};

/* Alternative @i first, then (@j > @i) a later one; true: stop. */
static bool pairs_from(const struct fs_search_ops *ops, void *ctx,
		       const struct fs_decision *alts, uint32_t nr,
		       uint32_t i, uint32_t *runs)
{
	struct fs_decision forced[2] = { alts[i] };

	for (uint32_t j = i; j <= nr && *runs < EXHAUSTIVE_CAP; j++) {
		unsigned int n = 1;

		if (j > i) {
			if (alts[j - 1].step <= alts[i].step)
				continue;
			forced[1] = alts[j - 1];
			n = 2;
		}
		(*runs)++;
		if (ops->run(ctx, forced, n))
			return true;
		if (j == i && nr > BOUND1_ONLY)
			break;	/* long runs: bound 1 only */
	}
	return false;
}

bool fs_sched_search(const struct fs_search_ops *ops, void *ctx)
{
	struct fs_decision *alts;
	uint32_t nr, runs = 0;
	bool stop = false;

	if (ops->run(ctx, NULL, 0))
		return true;
	/* The next runs overwrite the machine's list: keep a copy. */
	nr = ops->alts(ctx, NULL, 0);
	alts = fs_xmalloc((nr ? nr : 1) * sizeof(*alts));
	ops->alts(ctx, alts, nr);
	for (uint32_t i = 0; i < nr && runs < EXHAUSTIVE_CAP && !stop; i++)
		stop = pairs_from(ops, ctx, alts, nr, i, &runs);
	free(alts);
	return stop;
}
