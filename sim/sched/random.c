// SPDX-License-Identifier: GPL-2.0
/*
 * Random walk: the baseline.  The gaps between the points it acts at are
 * geometric, so the hot path is one comparison; when it acts it picks
 * uniformly among what is offered: another CPU's task, an interrupt, an
 * agent action.
 */
#include "sched.h"

#define MEAN_GAP	48	/* points between two looks */

static uint64_t gap(struct fs_sched *s)
{
	/* Geometric-ish from a uniform draw: 1 + floor(-ln(u) * mean). */
	uint64_t r = fs_sched_below(s, 1u << 20) + 1;
	unsigned int g = 1;

	while (r < (1u << 20) && g < 8 * MEAN_GAP) {
		r += r / MEAN_GAP + 1;
		g++;
	}
	return g;
}

static void begin(struct fs_sched *s)
{
	s->next = gap(s);
}

static void decide(struct fs_sched *s, const struct fs_sched_point *pt,
		   struct fs_decision *d)
{
	unsigned int n = pt->nr_tasks + pt->nr_irqs + pt->spec_get +
			 pt->spec_put + pt->pressure * 2;
	uint64_t pick;

	/* Op boundaries are offered to every strategy; act on our gaps. */
	if (pt->step < s->next)
		return;
	s->next = pt->step + gap(s);
	if (!n)
		return;
	pick = fs_sched_below(s, n + 1);	/* n: do nothing */
	if (pick < pt->nr_tasks) {
		d->kind = FS_DEC_SWITCH;
		d->arg = pt->tasks[pick];
		return;
	}
	pick -= pt->nr_tasks;
	if (pick < pt->nr_irqs) {
		d->kind = FS_DEC_IRQ;
		d->arg = pt->irqs[pick];
		return;
	}
	pick -= pt->nr_irqs;
	d->arg = (uint32_t)fs_sched_rand(s);
	if (pt->spec_get && !pick--) {
		d->kind = FS_DEC_SPEC_GET;
	} else if (pt->spec_put && !pick--) {
		d->kind = FS_DEC_SPEC_PUT;
	} else if (pt->pressure && pick < 2) {
		d->kind = pick ? FS_DEC_PRESSURE_OFF : FS_DEC_PRESSURE_ON;
		d->arg = 0;
	}
}

const struct fs_sched_ops fs_sched_random = {
	.begin = begin, .decide = decide,
};
