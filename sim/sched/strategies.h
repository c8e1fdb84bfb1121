/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every scheduling strategy, once: X(ID, name, ops).  ID becomes
 * FS_SCHED_<ID> of enum fs_strategy (sim/trace/trace.h); name is the word
 * of the trace's `schedule` line and of `fragsim run --strategy`; ops is
 * the strategy's struct fs_sched_ops, defined in its own file in
 * sim/sched/.  The trace layer includes this for the names, sched.c
 * expands it into the registry.  Append: the enum values follow the order.
 * Dependency-free on purpose, so any layer may include it.
 *
 *   schedule random
 *   schedule pct [depth=D]
 *   schedule exhaustive [preemptions=P] [injections=I]
 *   schedule replay, then `at` lines
 *   schedule race
 */
#ifndef FRAGSIM_SCHED_STRATEGIES_H
#define FRAGSIM_SCHED_STRATEGIES_H

#define FS_STRATEGIES(X)					\
	X(RANDOM, "random", fs_sched_random)			\
	X(PCT, "pct", fs_sched_pct)				\
	X(EXHAUSTIVE, "exhaustive", fs_sched_exhaustive)	\
	X(REPLAY, "replay", fs_sched_replay)			\
	X(RACE, "race", fs_sched_race)

#endif /* FRAGSIM_SCHED_STRATEGIES_H */
