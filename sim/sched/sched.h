/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduling strategies: one file each, behind this interface.  At each
 * scheduling point the machine offers what may happen there (switch to
 * another task, inject a hard interrupt, an agent action) and the strategy
 * picks.  A strategy is a pure function of its seed and what it was
 * offered, so a run is reproducible; `next`/`next_elig` let it skip the
 * points it does not care about cheaply.  The strategies are listed once,
 * in strategies.h; sched.c derives the registry from that list.
 */
#ifndef FRAGSIM_SCHED_H
#define FRAGSIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
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
	uint8_t window;		/* the access after a counter was read (race.c) */
	/* The point's anchor, when the strategy or the runner asked. */
	const struct fs_anchor *pos;
};

/* fs_sched_point.window: what the access before this point was. */
enum { FS_WINDOW_NONE, FS_WINDOW_READ, FS_WINDOW_RMW };

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

/* Room for a strategy's per-run state inside the instance (see below). */
#define FS_SCHED_STATE_SIZE	1024

struct fs_sched {
	const struct fs_sched_ops *ops;
	struct fs_sched_params p;
	uint64_t next;		/* first step the strategy wants to see */
	uint64_t next_elig;	/* ... or eligible-point index */
	bool window;		/* ... and every window point (race.c) */
	bool anchors;		/* ... with every point's anchor (replay.c) */
	uint64_t rng;
	/* The strategy's own state: schedulers never share any. */
	_Alignas(uint64_t) unsigned char state[FS_SCHED_STATE_SIZE];
};

/*
 * A strategy: Shuttle's three methods, plus what it reads from a trace's
 * `schedule` line.  Register one in strategies.h.
 */
struct fs_sched_ops {
	/* Optional: take this strategy's parameters from the trace. */
	void (*params)(struct fs_sched_params *p, const struct fs_schedule *s);
	void (*begin)(struct fs_sched *s);
	/* Fill @d (kind FS_DEC_NR: nothing); arg of SPEC_* is a selector. */
	void (*decide)(struct fs_sched *s, const struct fs_sched_point *pt,
		       struct fs_decision *d);
	void (*end)(struct fs_sched *s);
	/* Decisions are a log of a past run, taken literally (page numbers). */
	bool from_log;
	/* Runs come from fs_sched_search(), not one run per trace. */
	bool search;
};

#define FS_STRATEGY_OPS(id, name, ops) extern const struct fs_sched_ops ops;
FS_STRATEGIES(FS_STRATEGY_OPS)
#undef FS_STRATEGY_OPS

/* The registry (sched.c): by id, and by name (-1: none of that name). */
const struct fs_sched_ops *fs_sched_by_strategy(enum fs_strategy s);
const char *fs_strategy_name(enum fs_strategy s);
int fs_strategy_by_name(const char *name);
/* Strategies `fragsim run` can pick ("random, pct, exhaustive"). */
bool fs_strategy_runnable(enum fs_strategy s);
void fs_strategy_list(char *buf, size_t len, const char *last_sep);
bool fs_strategy_searches(enum fs_strategy s);

/*
 * Start @s for strategy @id: @p holds the run's parameters (zero: not
 * given), the strategy fills the rest from the trace's @sched line.
 */
void fs_sched_start(struct fs_sched *s, enum fs_strategy id,
		    const struct fs_schedule *sched,
		    const struct fs_sched_params *p);
void fs_sched_end(struct fs_sched *s);
/* Does @s follow a decision log (replay)?  Its decisions may not apply. */
bool fs_sched_from_log(const struct fs_sched *s);
uint64_t fs_sched_rand(struct fs_sched *s);
/* Uniform in [0, n). */
uint64_t fs_sched_below(struct fs_sched *s, uint64_t n);

/* A strategy's state, typed; FS_SCHED_STATE_FITS(type) at file scope. */
#define FS_SCHED_STATE(s, type)	((type *)(void *)(s)->state)
#define FS_SCHED_STATE_FITS(type)					\
	_Static_assert(sizeof(type) <= FS_SCHED_STATE_SIZE,		\
		       #type " must fit in struct fs_sched's state")

/* For strategies that follow a list of decisions (replay.c). */
void fs_sched_follow(struct fs_sched *s, const struct fs_decision *d,
		     uint32_t n);
/* Decisions of fs_sched_follow() a run went past or never reached. */
uint32_t fs_sched_follow_unused(struct fs_sched *s);

/* Why a followed decision was not placed. */
enum fs_unplaced_why {
	FS_UNPLACED_NONE,
	FS_UNPLACED_STEP,	/* its step went by, or was never reached */
	FS_UNPLACED_NOT_OFFERED,	/* not possible at its point */
	FS_UNPLACED_NO_OP,	/* its operation had no point in its actor */
	FS_UNPLACED_FEWER,	/* fewer points at its location there */
};

#define FS_FOLLOW_NEAR	4
struct fs_follow_info {
	uint32_t index;		/* first decision not placed; UINT32_MAX: none */
	uint8_t why;		/* enum fs_unplaced_why */
	uint32_t seen;		/* FEWER: the points its location had */
	/* FEWER: other offsets of its object the operation touched */
	uint64_t near[FS_FOLLOW_NEAR];
	unsigned int nr_near;
};
void fs_sched_follow_info(struct fs_sched *s, struct fs_follow_info *fi);
void fs_sched_follow_decide(struct fs_sched *s,
			    const struct fs_sched_point *pt,
			    struct fs_decision *d);

/*
 * Bounded exhaustive search (exhaustive.c): run once unforced, recording
 * the alternatives offered; then once per set of forced decisions over
 * them.  The caller drives the runs.
 */
struct fs_search_ops {
	/* One run forcing @forced (nr 0: the first, recording); true: stop. */
	bool (*run)(void *ctx, const struct fs_decision *forced,
		    unsigned int nr);
	/* After the first run: its alternatives, each with its step. */
	uint32_t (*alts)(void *ctx, struct fs_decision *out, uint32_t max);
};
/* True when a run asked to stop (a finding). */
bool fs_sched_search(const struct fs_search_ops *ops, void *ctx);

#endif /* FRAGSIM_SCHED_H */
