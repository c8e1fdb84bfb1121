/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated machine: 1-8 CPUs, each with the kernel's preempt_count,
 * an interrupt flag, pending softirqs and a stack of contexts (task, then
 * softirq and hard interrupts nested on top, as on real hardware).  Task
 * actors are fibers; hard interrupts and softirqs run nested on the
 * interrupted fiber.  Every instrumented access of the code under test is
 * a scheduling point where the strategy (sim/sched) may inject a hard
 * interrupt on that CPU, switch to another CPU's task, or let an agent
 * act.  The machine knows nothing of traces' operations: it calls back
 * into the runner to run an actor's body or an agent action.
 */
#ifndef FRAGSIM_MACHINE_H
#define FRAGSIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../check/timeline.h"
#include "../sched/sched.h"
#include "../trace/trace.h"

#define FS_MAX_NEST		8	/* contexts stacked on one CPU */
#define FS_STACK_DEPTH		16	/* call-stack frames kept per context */
struct fs_machine_cbs {
	void *ctx;
	/* Run @actor's body in the current context (task, irq, softirq). */
	void (*run_actor)(void *ctx, uint16_t actor);
	/*
	 * Perform an agent decision; SPEC_* come with a selector in d->arg
	 * and must leave the pfn acted on there (or return false: nothing
	 * to act on).
	 */
	bool (*agent)(void *ctx, struct fs_decision *d);
	/* The running context changed (switch, nested entry or return). */
	void (*resumed)(void *ctx, uint16_t actor);
	/* Every access: the checker's context rules. */
	void (*access)(void *ctx, const void *addr, unsigned int size,
		       unsigned int flags, const void *pc);
	/* Optional: @addr as an FS_LOC() (sim/trace/anchor.h), for anchors. */
	uint64_t (*locate)(void *ctx, const void *addr);
	/* Optional: a kernel call made @points accesses without returning. */
	void (*stuck)(void *ctx, uint32_t points);
};

/*
 * Accesses one kernel call may make before it counts as stuck in a loop:
 * a legitimate one makes tens (a refill and a page's free, a few hundred).
 */
#define FS_STUCK_POINTS		(1u << 16)

struct fs_machine_cfg {
	unsigned int nr_cpus;
	bool preempt_full, rt;
	struct fs_machine_cbs cbs;
};

struct fs_machine;

struct fs_machine *fs_machine_create(void);
void fs_machine_destroy(struct fs_machine *m);

/* Prepare a run: the trace's actors, the strategy. */
void fs_machine_reset(struct fs_machine *m, const struct fs_machine_cfg *cfg,
		      const struct fs_trace *t, struct fs_sched *sched);
/* Run every task to its end (or to a finding); false if one was raised. */
bool fs_machine_run(struct fs_machine *m);
/*
 * End the run now, from a callback or the runner's stop path (check.h):
 * unwinds the running fiber; fs_machine_run() then returns false.
 */
__attribute__((noreturn)) void fs_machine_abort(struct fs_machine *m);
bool fs_machine_in_fiber(const struct fs_machine *m);

/* For the runner, inside actor bodies. */
void fs_machine_raise(struct fs_machine *m, uint16_t softirq_actor);
/* Wait until @ready(ctx) or no other task can run; false: gave up. */
bool fs_machine_wait(struct fs_machine *m, bool (*ready)(void *ctx, int arg),
		     int arg);
/* A scheduling point at an operation boundary. */
void fs_machine_op_point(struct fs_machine *m);
/* Between begin and end the runner reads kernel state: no points. */
void fs_machine_observe(struct fs_machine *m, bool begin);
/* Run pending softirqs of every CPU (end of run). */
void fs_machine_flush_softirqs(struct fs_machine *m);
/* Stop scheduling (teardown runs on CPU 0, task context). */
void fs_machine_quiesce(struct fs_machine *m);

uint16_t fs_machine_actor(const struct fs_machine *m);
enum fs_ctx_kind fs_machine_ctx(const struct fs_machine *m);
unsigned int fs_machine_cpu(const struct fs_machine *m);
unsigned int fs_machine_depth(const struct fs_machine *m);

const struct fs_mstats *fs_machine_stats(const struct fs_machine *m);
/* The decisions taken this run, as a replay log. */
const struct fs_decision *fs_machine_log(const struct fs_machine *m,
					 uint32_t *nr);
/*
 * The interleaving as of now, for a finding's report: the recent events,
 * the counters, the current context and its kernel call stack.
 */
void fs_machine_timeline(const struct fs_machine *m, struct fs_timeline *tl);
/* Notes (replay divergence, skipped waits), "" if none. */
const char *fs_machine_notes(const struct fs_machine *m);
/* Alternatives offered this run (exhaustive search), by step. */
struct fs_alt {
	uint64_t step;
	struct fs_decision d;
};
const struct fs_alt *fs_machine_alts(const struct fs_machine *m, uint32_t *nr);
void fs_machine_record_alts(struct fs_machine *m, bool on);
/* Give each logged decision its anchor (sim/trace/anchor.h). */
void fs_machine_record_anchors(struct fs_machine *m, bool on);
/* The running context starts Operation #@op (anchors count per op). */
void fs_machine_op_begin(struct fs_machine *m, uint64_t op);

/* Symbolize a code address: "func+0x1c/0x80", or "0x..." */
void fs_symbolize(const void *pc, char *buf, size_t len);

#endif /* FRAGSIM_MACHINE_H */
