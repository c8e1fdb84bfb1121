/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner: executes a trace against one target, under the checker,
 * optionally in lockstep with the reference model (the differential
 * oracle), and tears down at the end (free all, drain all, leak check).
 */
#ifndef FRAGSIM_RUNNER_H
#define FRAGSIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/target.h>

#include "../check/check.h"
#include "../machine/machine.h"
#include "../trace/trace.h"

struct fs_runner_opts {
	const struct fs_target *target;
	bool diff;			/* lockstep against "ref" */
	bool checks;			/* false: native calls only (bench) */
	bool no_payload;		/* bench: no fragment fill/verify */
	bool no_points;			/* bench native: no scheduling points */
	bool anchors;			/* log decisions with their anchors */
	unsigned int arena_slots;	/* 0: default */
	/* Told each allocation's outcome (fragsim validate); may be NULL. */
	void (*on_alloc)(void *ctx, uint64_t op_no, const struct fs_op *op,
			 const void *va, enum fs_alloc_res res);
	void *on_alloc_ctx;
};

struct fs_run_result {
	uint64_t ops;			/* primitive operations executed */
	const struct fs_finding *finding;	/* NULL: none */
	const char *notes;		/* "" or note lines */
	struct fs_mstats mstats;	/* what the machine did */
	enum fs_strategy strategy;	/* the one that ran */
	uint64_t hash;			/* of the run's event stream */
	/* The decisions taken, for a replayable trace. */
	const struct fs_decision *log;
	uint32_t nr_log;
	/* Replay: the first decision it could not place, and why. */
	struct fs_follow_info follow;
};

/* How a run is scheduled when the trace does not say. */
struct fs_run_sched {
	enum fs_strategy strategy;	/* DEFAULT: the trace's or random */
	uint32_t depth, preemptions, injections;
	const struct fs_decision *forced;	/* exhaustive */
	unsigned int nr_forced;
	bool record_alts;
};

struct fs_runner;

struct fs_runner *fs_runner_create(const struct fs_runner_opts *opts);
/*
 * From now on a kernel call still running after a few seconds of CPU time
 * is a livelock finding (sim/core/watchdog.c); the CLI turns it on.
 */
void fs_watchdog_enable(void);
void fs_runner_destroy(struct fs_runner *r);
/* Run @t; 0 when it ran (finding or not), -1 if @t cannot run on it. */
int fs_runner_run(struct fs_runner *r, const struct fs_trace *t,
		  struct fs_run_result *res, char *err, size_t errlen);
int fs_runner_run_sched(struct fs_runner *r, const struct fs_trace *t,
			const struct fs_run_sched *rs,
			struct fs_run_result *res, char *err, size_t errlen);
/* Alternatives the last run was offered (exhaustive search). */
const struct fs_alt *fs_runner_alts(const struct fs_runner *r, uint32_t *nr);
/*
 * The last run's alternatives as decisions placed at their steps (up to
 * @max in @out), for the exhaustive search; returns how many there were.
 */
uint32_t fs_runner_alt_decisions(const struct fs_runner *r,
				 struct fs_decision *out, uint32_t max);

#define FS_DEFAULT_ARENA_SLOTS	4096

#endif /* FRAGSIM_RUNNER_H */
