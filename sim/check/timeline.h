/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the machine hands the report: the recent events of a run (the
 * interleaving), its counters, and where the finding was raised.  Plain
 * data, defined here so the report (sim/check/report.c) renders it without
 * knowing the machine; the machine fills it (fs_machine_timeline()).
 */
#ifndef FRAGSIM_CHECK_TIMELINE_H
#define FRAGSIM_CHECK_TIMELINE_H

#include <stdint.h>

enum fs_ctx_kind { FS_CTX_TASK, FS_CTX_SOFTIRQ, FS_CTX_HARDIRQ, FS_CTX_NR };

struct fs_trace;

/* "task", "softirq", "hardirq". */
const char *fs_ctx_name(enum fs_ctx_kind k);
/* An actor of @t by name; "main" for the implicit task. */
const char *fs_actor_name(const struct fs_trace *t, uint16_t actor);

/* One thing the machine did (a timeline entry). */
enum fs_mev_kind {
	FS_MEV_IRQ,		/* hard interrupt injected */
	FS_MEV_SOFTIRQ,		/* softirq ran */
	FS_MEV_SWITCH,		/* CPU switch / preemption */
	FS_MEV_AGENT,		/* agent action */
	FS_MEV_WAIT,		/* a task waits (queue empty) */
};

struct fs_mevent {
	uint64_t step;
	uint8_t kind;		/* enum fs_mev_kind */
	uint8_t cpu, to_cpu;
	uint8_t ctx;		/* enum fs_ctx_kind of the interrupted context */
	uint16_t actor;		/* interrupted / running actor */
	uint16_t other;		/* injected / switched-to actor */
	uint32_t arg;		/* agent: decision kind << 24 | pfn */
	const void *pc;		/* where the code under test was */
	const void *fn;		/* ... and the function it was in */
};

struct fs_mstats {
	uint64_t steps, irqs, softirqs, switches, agent_actions;
	uint64_t preemptions;	/* switches away from a runnable task */
	uint64_t unplaced;	/* replayed decisions that did not apply */
};

#define FS_TIMELINE		48	/* events kept for reports */
#define FS_TIMELINE_STACK	32	/* call-stack frames in a report */

/* A run's interleaving, as of the moment a finding was raised. */
struct fs_timeline {
	unsigned int nr_cpus;
	struct fs_mstats stats;
	struct fs_mevent ev[FS_TIMELINE];	/* oldest first */
	unsigned int nr_ev;
	/* The context of the finding, and its call stack (innermost first;
	 * NULL separates nested contexts). */
	unsigned int cpu, depth;
	enum fs_ctx_kind ctx;
	uint16_t actor;
	const void *pcs[FS_TIMELINE_STACK];
	unsigned int nr_pcs;
};

#endif /* FRAGSIM_CHECK_TIMELINE_H */
