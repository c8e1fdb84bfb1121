/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduling strategies: one file each, behind this interface.  At each
 * scheduling point the machine offers what may happen there (switch to
 * another task, inject a hard interrupt, an agent action) and the strategy
 * picks.  A strategy is a pure function of its seed and what it was
 * offered, so a run is reproducible; `fs_sched_next` lets it skip the
 * points it does not care about cheaply.
 */
#ifndef FRAGSIM_SCHED_H
#define FRAGSIM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "../trace/trace.h"

struct fs_sched_point {
	uint64_t step;		/* scheduling points so far in this run */
	uint64_t eligible;	/* of them, points where an irq was eligible */
	unsigned int cpu;
	uint16_t cur;		/* running task actor (FS_MAIN_ACTOR: main) */
	const uint16_t *tasks;	/* other runnable tasks */
	unsigned int nr_tasks;
	const uint16_t *irqs;	/* hardirq actors injectable here */
	unsigned int nr_irqs;
	bool spec_get, spec_put, pressure;	/* agent actions possible */
	bool op_boundary;	/* between two trace operations */
};

struct fs_sched_params {
	uint64_t seed;
	uint32_t depth;		/* PCT */
	uint32_t preemptions, injections;	/* exhaustive */
	uint64_t k_hint;	/* PCT: expected points of a run, 0 unknown */
	uint64_t k_elig_hint;	/* ... of them, eligible for an irq */
	unsigned int nr_tasks;	/* task actors in the trace, main included */
	unsigned int nr_irq_budget;	/* sum of hardirq counts */
	const struct fs_schedule *log;	/* replay: the decisions */
	/* exhaustive: decisions forced in this run (sparse). */
	const struct fs_decision *forced;
	unsigned int nr_forced;
};

struct fs_sched {
	const struct fs_sched_ops *ops;
	struct fs_sched_params p;
	uint64_t next;		/* first step the strategy wants to see */
	uint64_t next_elig;	/* ... or eligible-point index */
	uint64_t rng;
	void *priv;
};

struct fs_sched_ops {
	const char *name;
	void (*begin)(struct fs_sched *s);
	/* Fill @d (kind FS_DEC_NR: nothing); arg of SPEC_* is a selector. */
	void (*decide)(struct fs_sched *s, const struct fs_sched_point *pt,
		       struct fs_decision *d);
	void (*end)(struct fs_sched *s);
};

extern const struct fs_sched_ops fs_sched_random;
extern const struct fs_sched_ops fs_sched_pct;
extern const struct fs_sched_ops fs_sched_exhaustive;
extern const struct fs_sched_ops fs_sched_replay;

const struct fs_sched_ops *fs_sched_by_strategy(enum fs_strategy s);
const char *fs_strategy_name(enum fs_strategy s);

void fs_sched_begin(struct fs_sched *s, const struct fs_sched_ops *ops,
		    const struct fs_sched_params *p);
void fs_sched_end(struct fs_sched *s);
uint64_t fs_sched_rand(struct fs_sched *s);
/* Uniform in [0, n). */
uint64_t fs_sched_below(struct fs_sched *s, uint64_t n);

#endif /* FRAGSIM_SCHED_H */
