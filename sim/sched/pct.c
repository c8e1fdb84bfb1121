// SPDX-License-Identifier: GPL-2.0
/*
 * PCT (Burckhardt et al., ASPLOS'10) over tasks, made interrupt-aware.
 * Tasks get distinct random priorities; at d-1 random change points the
 * running task drops below all others; the highest-priority runnable task
 * always runs.  Hard interrupts: each of the trace's injections lands at
 * an eligible point (interrupts on, a handler for that CPU) chosen
 * uniformly among the k' eligible points a run is expected to have
 * (estimated from the trace's length), so an interrupt hits a window of w eligible points with
 * probability ~w/k' per injection.  Agents act at random points.
 */
#include <stdlib.h>
#include <string.h>

#include "sched.h"

#define MAX_CHANGE	16
#define MAX_INJECT	64
#define NR_PRIO		(FS_MAX_ACTORS + 2)

struct pct {
	uint32_t prio[NR_PRIO];		/* by task slot: actor, main last */
	uint64_t change[MAX_CHANGE];
	unsigned int nr_change, next_change;
	uint64_t inject[MAX_INJECT];
	unsigned int nr_inject, next_inject;
	uint64_t next_agent;
	unsigned int changes_done;
};
FS_SCHED_STATE_FITS(struct pct);

static unsigned int slot(uint16_t actor)
{
	return actor == FS_MAIN_ACTOR ? NR_PRIO - 1 : actor;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* The bug depth: the run's, else the trace's, else 3. */
static void params(struct fs_sched_params *p, const struct fs_schedule *sched)
{
	if (!p->depth)
		p->depth = sched->depth;
	if (!p->depth)
		p->depth = 3;
}

static void begin(struct fs_sched *s)
{
	struct pct *p = FS_SCHED_STATE(s, struct pct);
	uint64_t k = s->p.k_hint ? s->p.k_hint : 4096;
	uint64_t ke = s->p.k_elig_hint ? s->p.k_elig_hint : k / 2 + 1;
	uint32_t d = s->p.depth ? s->p.depth : 3;

	memset(p, 0, sizeof(*p));
	/* Distinct priorities above d: a random permutation. */
	for (unsigned int i = 0; i < NR_PRIO; i++)
		p->prio[i] = d + i;
	for (unsigned int i = NR_PRIO - 1; i > 0; i--) {
		unsigned int j = (unsigned int)fs_sched_below(s, i + 1);
		uint32_t t = p->prio[i];

		p->prio[i] = p->prio[j];
		p->prio[j] = t;
	}
	p->nr_change = d - 1 < MAX_CHANGE ? d - 1 : MAX_CHANGE;
	for (unsigned int i = 0; i < p->nr_change; i++)
		p->change[i] = 1 + fs_sched_below(s, k);
	qsort(p->change, p->nr_change, sizeof(p->change[0]), cmp_u64);
	p->nr_inject = s->p.nr_irq_budget < MAX_INJECT ? s->p.nr_irq_budget :
		       MAX_INJECT;
	for (unsigned int i = 0; i < p->nr_inject; i++)
		p->inject[i] = 1 + fs_sched_below(s, ke);
	qsort(p->inject, p->nr_inject, sizeof(p->inject[0]), cmp_u64);
	p->next_agent = 1 + fs_sched_below(s, 256);
	/* Op boundaries are always offered; and the chosen points. */
	s->next = p->nr_change ? p->change[0] : UINT64_MAX;
	if (p->next_agent < s->next)
		s->next = p->next_agent;
	s->next_elig = p->nr_inject ? p->inject[0] : UINT64_MAX;
}

static uint16_t best(const struct pct *p, const struct fs_sched_point *pt,
		     bool *higher)
{
	uint16_t b = pt->cur;
	uint32_t bp = p->prio[slot(pt->cur)];

	*higher = false;
	for (unsigned int i = 0; i < pt->nr_tasks; i++) {
		if (p->prio[slot(pt->tasks[i])] > bp) {
			b = pt->tasks[i];
			bp = p->prio[slot(b)];
			*higher = true;
		}
	}
	return b;
}

static void decide(struct fs_sched *s, const struct fs_sched_point *pt,
		   struct fs_decision *d)
{
	struct pct *p = FS_SCHED_STATE(s, struct pct);
	uint16_t b;
	bool higher;

	if (p->next_inject < p->nr_inject &&
	    pt->eligible >= p->inject[p->next_inject] && pt->nr_irqs) {
		while (p->next_inject < p->nr_inject &&
		       p->inject[p->next_inject] <= pt->eligible)
			p->next_inject++;
		s->next_elig = p->next_inject < p->nr_inject ?
			       p->inject[p->next_inject] : UINT64_MAX;
		d->kind = FS_DEC_IRQ;
		d->arg = pt->irqs[fs_sched_below(s, pt->nr_irqs)];
		return;
	}
	if (p->next_change < p->nr_change &&
	    pt->step >= p->change[p->next_change]) {
		/* The running task drops below every initial priority. */
		p->prio[slot(pt->cur)] = s->p.depth - 1 - p->next_change;
		p->next_change++;
	}
	if ((pt->spec_get || pt->spec_put || pt->pressure) &&
	    pt->step >= p->next_agent) {
		p->next_agent = pt->step + 1 + fs_sched_below(s, 512);
		d->arg = (uint32_t)fs_sched_rand(s);
		if (pt->spec_put && (fs_sched_rand(s) & 1))
			d->kind = FS_DEC_SPEC_PUT;
		else if (pt->spec_get)
			d->kind = FS_DEC_SPEC_GET;
		else if (pt->pressure)
			d->kind = (fs_sched_rand(s) & 1) ? FS_DEC_PRESSURE_ON :
				  FS_DEC_PRESSURE_OFF;
		return;
	}
	b = best(p, pt, &higher);
	if (higher) {
		d->kind = FS_DEC_SWITCH;
		d->arg = b;
	}
	/* Op boundaries are always offered; otherwise the next change. */
	s->next = p->next_change < p->nr_change ? p->change[p->next_change] :
		  UINT64_MAX;
	if (pt->spec_get || pt->spec_put || pt->pressure)
		s->next = s->next < p->next_agent ? s->next : p->next_agent;
}

const struct fs_sched_ops fs_sched_pct = {
	.params = params, .begin = begin, .decide = decide,
};
