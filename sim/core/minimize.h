/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-case minimization of a finding's trace (fragsim minimize).
 *
 * A candidate trace is "interesting" when it parses, runs, and reports a
 * finding with the same title as the original.  Phase 1 shrinks the
 * operations, phase 2 the `at` decisions of a replayed schedule; both
 * alternate until neither can remove anything more or the run budget is
 * spent.  The work is done on the canonical text form, so every candidate
 * is a trace the parser accepts and fs_trace_print() reproduces exactly.
 */
#ifndef FRAGSIM_MINIMIZE_H
#define FRAGSIM_MINIMIZE_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/target.h>

#include "../trace/trace.h"

/* What a trace holds, as the summary counts it. */
struct fs_min_count {
	uint32_t ops;		/* operations, blocks included, comments not */
	uint32_t decisions;	/* `at` lines */
	uint32_t preemptions;	/* ... of kind switch */
	uint32_t injections;	/* ... of kind irq */
};

enum fs_min_phase {
	FS_MIN_OPS,
	FS_MIN_SCHEDULE,
};

struct fs_min_progress {
	enum fs_min_phase phase;
	struct fs_min_count now;
	uint64_t runs;
};

struct fs_min_opts {
	const struct fs_target *target;
	bool diff;			/* lockstep against "ref" */
	uint64_t max_runs;		/* 0: no limit */
	/*
	 * Optional, for deterministic traces: keeps a candidate when it
	 * returns true, in place of "a finding with the same title"
	 * (fragsim validate: a divergence between two targets).
	 */
	bool (*interesting)(void *ctx, const struct fs_trace *t);
	void *interesting_ctx;
	/* Called after every run; the caller decides what to print. */
	void (*progress)(void *ctx, const struct fs_min_progress *p);
	/*
	 * Asked before every run; true stops as max_runs does (a time
	 * budget, SIGINT).  NULL: never.
	 */
	bool (*stop)(void *ctx);
	void *progress_ctx;		/* for both */
};

struct fs_min_result {
	struct fs_min_count before, after;
	uint64_t runs;			/* runs made, the first one included */
	bool capped;			/* max_runs or stop() stopped it */
	bool fixpoint;			/* no single removal keeps the finding */
	char title[160];		/* the finding kept */
};

void fs_min_count(const struct fs_trace *t, struct fs_min_count *c);

/*
 * Minimize @in into @out (initialised by the caller).  0 on success; 1
 * when @in runs without a finding; -1 when it cannot run (@err says why).
 * @out is only filled on success; it always reproduces res->title.
 */
int fs_minimize(const struct fs_trace *in, const struct fs_min_opts *o,
		struct fs_trace *out, struct fs_min_result *res,
		char *err, size_t errlen);

#endif /* FRAGSIM_MINIMIZE_H */
