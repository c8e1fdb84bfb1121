// SPDX-License-Identifier: GPL-2.0
/*
 * Decision-log replay (the trace's `at` lines) and bounded-exhaustive
 * search, which is replay of a few forced decisions: the runner
 * enumerates every set of at most P preemptions and I injections over the
 * alternatives a run was offered (CHESS-style), one run per set.  A
 * decision is taken at its step when it is among what is offered there;
 * a switch logged at a task's end is taken where the machine asks.
 */
#include "sched.h"

struct cursor {
	const struct fs_decision *d;
	uint32_t n, pos;
};

static struct cursor cur;

static void begin_list(struct fs_sched *s, const struct fs_decision *d,
		       uint32_t n)
{
	cur = (struct cursor){ .d = d, .n = n };
	s->priv = &cur;
	s->next = n ? d[0].step : UINT64_MAX;
	s->next_elig = UINT64_MAX;
}

static void begin_replay(struct fs_sched *s)
{
	begin_list(s, s->p.log ? s->p.log->dec : NULL,
		   s->p.log ? s->p.log->nr_dec : 0);
}

static void begin_exhaustive(struct fs_sched *s)
{
	begin_list(s, s->p.forced, s->p.nr_forced);
}

static bool offered(const struct fs_sched_point *pt, const struct fs_decision *d)
{
	const uint16_t *v = d->kind == FS_DEC_SWITCH ? pt->tasks : pt->irqs;
	unsigned int n = d->kind == FS_DEC_SWITCH ? pt->nr_tasks : pt->nr_irqs;

	if (d->kind != FS_DEC_SWITCH && d->kind != FS_DEC_IRQ)
		return true;
	for (unsigned int i = 0; i < n; i++)
		if (v[i] == d->arg)
			return true;
	return false;
}

static void decide(struct fs_sched *s, const struct fs_sched_point *pt,
		   struct fs_decision *d)
{
	struct cursor *c = s->priv;

	/* Decisions whose step went by unused are dropped. */
	while (c->pos < c->n && c->d[c->pos].step < pt->step)
		c->pos++;
	if (c->pos < c->n && c->d[c->pos].step == pt->step &&
	    offered(pt, &c->d[c->pos]))
		*d = c->d[c->pos++];
	s->next = c->pos < c->n ? c->d[c->pos].step : UINT64_MAX;
	if (s->next <= pt->step)
		s->next = pt->step + 1;
}

const struct fs_sched_ops fs_sched_replay = {
	.name = "replay", .begin = begin_replay, .decide = decide,
};

const struct fs_sched_ops fs_sched_exhaustive = {
	.name = "exhaustive", .begin = begin_exhaustive, .decide = decide,
};
