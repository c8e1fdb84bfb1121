// SPDX-License-Identifier: GPL-2.0
/*
 * Race windows: a random walk whose switches land where refcount races
 * live.  A page's refcount is updated by an atomic read-modify-write and
 * the kernel acts on the value it leaves (put_page_testzero(),
 * page_ref_sub_and_test(), a recycle's test for zero); code that reads
 * the count again after the update, or tests a plain read and then
 * overwrites the count, races with a second CPU dropping the page's last
 * fragments, a cache recycling the page, or a speculative reference.  The
 * machine offers the point right after every read of a counter (an int
 * read atomically or with READ_ONCE()) as a window point
 * (pt->window); here a window gets another CPU's task (or a hard
 * interrupt, or a speculative reference) with probability 1/odds, so a
 * run of a few thousand refcount updates opens hundreds of windows.  The
 * odds are drawn per run, 1/2 to 1/64, as PCT draws its depth: the task
 * switched to runs until the next window that acts, and dropping the
 * last of several references of a page (a drain racing the frees of a
 * page's remaining fragments) needs a long stay, a free racing a free a
 * short one.  Drawn per run too: whether plain reads of a count open
 * windows (a test, then an overwrite of the count) or only updates do.
 * Elsewhere it walks like random.c, with rarer looks, so that interrupts
 * and agents still come.  Every decision is logged: a finding replays.
 */
#include "sched.h"

#define MAX_ODDS_LOG	6	/* a window acts one time in 2 .. 64 */
#define MEAN_GAP	160	/* points between two looks elsewhere */

struct race {
	uint32_t odds;
	bool reads;		/* windows after plain reads too, not only RMWs */
};
FS_SCHED_STATE_FITS(struct race);

static uint64_t gap(struct fs_sched *s)
{
	return 1 + fs_sched_below(s, 2 * MEAN_GAP);
}

static void begin(struct fs_sched *s)
{
	struct race *r = FS_SCHED_STATE(s, struct race);

	r->odds = 2u << fs_sched_below(s, MAX_ODDS_LOG);
	r->reads = fs_sched_below(s, 2);
	s->next = gap(s);
	s->window = true;
}

/* An agent action if one is offered: the speculative reference first. */
static bool agent(struct fs_sched *s, const struct fs_sched_point *pt,
		  struct fs_decision *d)
{
	d->arg = (uint32_t)fs_sched_rand(s);
	if (pt->spec_get && (!pt->spec_put || (fs_sched_rand(s) & 1)))
		d->kind = FS_DEC_SPEC_GET;
	else if (pt->spec_put)
		d->kind = FS_DEC_SPEC_PUT;
	else if (pt->pressure)
		d->kind = (fs_sched_rand(s) & 1) ? FS_DEC_PRESSURE_ON :
			  FS_DEC_PRESSURE_OFF;
	else
		return false;
	return true;
}

/*
 * Another CPU's task (one time in two), a hard interrupt here, or an agent
 * (a speculative reference taken between a test of the count and what
 * follows it); what is not offered falls to the others.
 */
static void act(struct fs_sched *s, const struct fs_sched_point *pt,
		struct fs_decision *d)
{
	unsigned int r = (unsigned int)fs_sched_below(s, 8);

	if (r >= 5 && agent(s, pt, d))
		return;
	if (pt->nr_irqs && (r == 4 || !pt->nr_tasks)) {
		d->kind = FS_DEC_IRQ;
		d->arg = pt->irqs[fs_sched_below(s, pt->nr_irqs)];
	} else if (pt->nr_tasks) {
		d->kind = FS_DEC_SWITCH;
		d->arg = pt->tasks[fs_sched_below(s, pt->nr_tasks)];
	} else {
		agent(s, pt, d);
	}
}

static void decide(struct fs_sched *s, const struct fs_sched_point *pt,
		   struct fs_decision *d)
{
	const struct race *r = FS_SCHED_STATE(s, struct race);

	if (pt->window == FS_WINDOW_RMW ||
	    (pt->window == FS_WINDOW_READ && r->reads)) {
		if (!fs_sched_below(s, r->odds))
			act(s, pt, d);
		return;
	}
	/* Op boundaries are offered to every strategy; act on our gaps. */
	if (pt->step < s->next)
		return;
	s->next = pt->step + gap(s);
	act(s, pt, d);
}

const struct fs_sched_ops fs_sched_race = {
	.begin = begin, .decide = decide,
};
