// SPDX-License-Identifier: GPL-2.0
/*
 * Decision-log replay: the trace's `at` lines.  A decision is taken at its
 * step when it is among what is offered there; a switch logged at a task's
 * end is taken where the machine asks.  Exhaustive search follows a list
 * of forced decisions the same way (exhaustive.c).
 */
#include "sched.h"

struct cursor {
	const struct fs_decision *d;
	uint32_t n, pos;
	uint32_t dropped;	/* went by unused: not offered at their step */
};
FS_SCHED_STATE_FITS(struct cursor);

void fs_sched_follow(struct fs_sched *s, const struct fs_decision *d,
		     uint32_t n)
{
	*FS_SCHED_STATE(s, struct cursor) = (struct cursor){ .d = d, .n = n };
	s->next = n ? d[0].step : UINT64_MAX;
	s->next_elig = UINT64_MAX;
}

static void params(struct fs_sched_params *p, const struct fs_schedule *sched)
{
	p->log = sched;
}

static void begin(struct fs_sched *s)
{
	fs_sched_follow(s, s->p.log ? s->p.log->dec : NULL,
			s->p.log ? s->p.log->nr_dec : 0);
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

void fs_sched_follow_decide(struct fs_sched *s,
			    const struct fs_sched_point *pt,
			    struct fs_decision *d)
{
	struct cursor *c = FS_SCHED_STATE(s, struct cursor);

	/* Decisions whose step went by unused are dropped. */
	while (c->pos < c->n && c->d[c->pos].step < pt->step) {
		c->pos++;
		c->dropped++;
	}
	if (c->pos < c->n && c->d[c->pos].step == pt->step &&
	    offered(pt, &c->d[c->pos]))
		*d = c->d[c->pos++];
	s->next = c->pos < c->n ? c->d[c->pos].step : UINT64_MAX;
	if (s->next <= pt->step)
		s->next = pt->step + 1;
}

uint32_t fs_sched_follow_unused(struct fs_sched *s)
{
	struct cursor *c = FS_SCHED_STATE(s, struct cursor);

	return c->dropped + (c->n - c->pos);
}

const struct fs_sched_ops fs_sched_replay = {
	.params = params, .begin = begin, .decide = fs_sched_follow_decide,
	.from_log = true,
};
