// SPDX-License-Identifier: GPL-2.0
/*
 * Decision-log replay: the trace's `at` lines.  A decision is taken at its
 * step when it is among what is offered there; a switch logged at a task's
 * end is taken where the machine asks.  Anchored decisions (`at STEP
 * op=... k=...`) are taken at the point whose anchor they name instead, so
 * that a schedule made by another compiler lands in the same place (the
 * machine then gives every point's anchor).  Exhaustive search follows a
 * list of forced decisions the same way (exhaustive.c).
 */
#include <string.h>

#include "anchor.h"
#include "sched.h"

struct cursor {
	const struct fs_decision *d;
	uint32_t n, pos;
	uint32_t dropped;	/* went by unused: not offered at their step */
	bool anchored;
	/* The first decision not placed, and why (fs_sched_follow_info()). */
	uint32_t first_bad;
	uint8_t why;
	/* Anchored: what this run showed of the pending decision's place. */
	uint32_t seen;		/* points at its location in its operation */
	bool op_seen;		/* a point of its operation and actor */
	uint64_t near[FS_FOLLOW_NEAR];	/* other offsets of its object */
	unsigned int nr_near;
};
FS_SCHED_STATE_FITS(struct cursor);

void fs_sched_follow(struct fs_sched *s, const struct fs_decision *d,
		     uint32_t n)
{
	struct cursor *c = FS_SCHED_STATE(s, struct cursor);

	*c = (struct cursor){ .d = d, .n = n, .first_bad = UINT32_MAX,
			      .anchored = n && d[0].an.k };
	s->anchors = c->anchored;
	s->next = !n ? UINT64_MAX : c->anchored ? 0 : d[0].step;
	s->next_elig = UINT64_MAX;
}

/* Decision c->pos was not placed. */
static void drop(struct cursor *c, uint8_t why)
{
	if (c->first_bad == UINT32_MAX) {
		c->first_bad = c->pos;
		c->why = why;
	}
	c->dropped++;
}

static void advance(struct cursor *c)
{
	c->pos++;
	c->seen = 0;
	c->op_seen = false;
	c->nr_near = 0;
}

/* Another offset of the pending decision's object, for a placement. */
static void note_near(struct cursor *c, uint64_t loc)
{
	for (unsigned int i = 0; i < c->nr_near; i++)
		if (c->near[i] == loc)
			return;
	if (c->nr_near < FS_FOLLOW_NEAR)
		c->near[c->nr_near++] = loc;
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

/* Anchored: the pending decision, at the point its anchor names. */
static void follow_anchor(struct fs_sched *s, struct cursor *c,
			  const struct fs_sched_point *pt,
			  struct fs_decision *d)
{
	const struct fs_decision *w;

	s->next = pt->step + 1;
	if (c->pos >= c->n || !pt->pos)
		return;
	w = &c->d[c->pos];
	if (w->an.op == pt->pos->op && w->an.actor == pt->pos->actor)
		c->op_seen = true;
	if (!fs_anchor_same_loc(&w->an, pt->pos)) {
		if (fs_anchor_same_object(&w->an, pt->pos))
			note_near(c, pt->pos->loc);
		return;
	}
	if (pt->pos->k > c->seen)
		c->seen = pt->pos->k;
	if (pt->pos->k != w->an.k)
		return;
	if (offered(pt, w))
		*d = *w;
	else
		drop(c, FS_UNPLACED_NOT_OFFERED);
	advance(c);
}

void fs_sched_follow_decide(struct fs_sched *s,
			    const struct fs_sched_point *pt,
			    struct fs_decision *d)
{
	struct cursor *c = FS_SCHED_STATE(s, struct cursor);

	if (c->anchored) {
		follow_anchor(s, c, pt, d);
		return;
	}
	/* Decisions whose step went by unused are dropped. */
	while (c->pos < c->n && c->d[c->pos].step < pt->step) {
		drop(c, FS_UNPLACED_STEP);
		advance(c);
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

void fs_sched_follow_info(struct fs_sched *s, struct fs_follow_info *fi)
{
	struct cursor *c = FS_SCHED_STATE(s, struct cursor);

	*fi = (struct fs_follow_info){ .index = c->first_bad, .why = c->why };
	if (c->first_bad != UINT32_MAX || c->pos >= c->n)
		return;
	/* Never reached: how far this run got towards it. */
	fi->index = c->pos;
	fi->seen = c->seen;
	fi->nr_near = c->nr_near;
	memcpy(fi->near, c->near, sizeof(fi->near));
	fi->why = !c->anchored ? FS_UNPLACED_STEP :
		  !c->op_seen ? FS_UNPLACED_NO_OP : FS_UNPLACED_FEWER;
}

const struct fs_sched_ops fs_sched_replay = {
	.params = params, .begin = begin, .decide = fs_sched_follow_decide,
	.from_log = true,
};
