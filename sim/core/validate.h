/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fragsim validate: the same fixed, seeded work on two targets (the
 * unpatched "base" and the "patched" build of one tree), each side under
 * its own checker, and the two compared trace by trace.
 *
 * The work is a list of cases, numbered: every corpus trace that applies
 * to the base's layout, again under a bounded exhaustive search when it
 * is short and concurrent, then a count of generated traces (workload mix
 * x every runnable strategy).  A case's result on a side is its first
 * finding (or none), and for a deterministic (non-concurrent) trace the
 * outcome of every allocation: served or NULL, pfmemalloc, alignment.
 * The verdict (validate_verdict.c) is a pure function of the results.
 */
#ifndef FRAGSIM_VALIDATE_H
#define FRAGSIM_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include <fragsim/target.h>

#include "../trace/trace.h"
#include "runner.h"

enum fs_val_side_id { FS_VAL_BASE, FS_VAL_PATCHED, FS_VAL_NR_SIDES };

enum fs_val_src {
	FS_VAL_FILE,		/* a corpus trace, its own schedule */
	FS_VAL_FILE_SEARCH,	/* a short concurrent one, searched */
	FS_VAL_GEN,		/* generated trace number index */
};

struct fs_val_case {
	enum fs_val_src src;
	uint64_t index;		/* FS_VAL_GEN */
	const char *file;	/* FS_VAL_FILE* */
};

/* An allocation's outcome, as the documentation promises it. */
enum {
	FS_VAL_SERVED = 1 << 0,		/* a fragment, not NULL */
	FS_VAL_PFMEMALLOC = 1 << 1,	/* reported as from the reserves */
	FS_VAL_MISALIGNED = 1 << 2,	/* the requested alignment not met */
};

struct fs_val_side {
	char title[160];	/* first finding; "" none */
	char kind[48];		/* its slug */
	char known[96];		/* suppressed by "FILE:LINE"; "" not known */
	uint64_t ops, runs;
};

/* The first operation where the two sides' outcomes differ. */
struct fs_val_div {
	uint64_t op_no;		/* 0: none */
	uint32_t line;		/* trace line of the operation */
	uint8_t out[FS_VAL_NR_SIDES];
	char op[96];		/* the operation, as the trace says it */
};

struct fs_val_result {
	uint32_t case_no;
	bool ran;		/* false: skipped (skip says why) */
	bool concurrent;
	char skip[96];
	struct fs_val_side side[FS_VAL_NR_SIDES];
	struct fs_val_div div;
};

/* ---- the work (validate.c) ---- */

struct fs_val_opts {
	const struct fs_target *target[FS_VAL_NR_SIDES];
	uint64_t seed;
	bool diff;			/* each side also against ref */
	/* Known bugs (sim/check/suppress.h), on both sides; may be NULL. */
	const struct fs_supp *supp;
	/* The CLI's trace loader (text or binary) and replay writer. */
	int (*load)(struct fs_trace *t, const char *path, char *err,
		    size_t errlen);
	void (*set_replay)(struct fs_trace *t, const struct fs_decision *log,
			   uint32_t n);
};

/* A process's two runners. */
struct fs_val_runner;

struct fs_val_runner *fs_val_create(const struct fs_val_opts *o);
void fs_val_destroy(struct fs_val_runner *v);

/* Does a trace written for @name apply to @base's layout? */
bool fs_val_applies(const char *name, const struct fs_target *base);

/*
 * Build case @c's trace into @t (initialised by the caller); 0, or -1
 * with a one-line reason in @err (a file that does not load).
 */
int fs_val_trace(const struct fs_val_runner *v, const struct fs_val_case *c,
		 struct fs_trace *t, char *err, size_t errlen);

/* Run case @c on both sides into @res. */
void fs_val_run_case(struct fs_val_runner *v, const struct fs_val_case *c,
		     uint32_t case_no, struct fs_val_result *res);

/*
 * Run case @c on one side again until its finding, leaving in @t (its
 * trace, initialised by the caller) the decisions that reproduce it.
 * 0 when the finding titled @title came back, -1 otherwise.
 */
int fs_val_reproduce(struct fs_val_runner *v, const struct fs_val_case *c,
		     enum fs_val_side_id side, const char *title,
		     struct fs_trace *t);

/*
 * Does @t (deterministic) diverge as @like did: the same outcome on each
 * side at its first difference?  The minimizer's test for divergences.
 */
bool fs_val_diverges(struct fs_val_runner *v, struct fs_trace *t,
		     const struct fs_val_div *like);

/* A case's name in reports: its file, or "generated #N (...)". */
void fs_val_case_name(const struct fs_val_opts *o, const struct fs_val_case *c,
		      char *buf, size_t len);

/* "NULL", "fragment", "fragment (pfmemalloc)", ... of an outcome. */
const char *fs_val_outcome_name(uint8_t out);

/* ---- the verdict (validate_verdict.c) ---- */

enum fs_verdict {
	FS_VERDICT_PASS,
	FS_VERDICT_BEHAVIOUR_CHANGE,
	FS_VERDICT_FIXES,
	FS_VERDICT_REGRESSION,
	FS_VERDICT_NR,
};

const char *fs_verdict_name(enum fs_verdict v);

/* One finding title over all cases. */
struct fs_val_title {
	char title[160];
	char kind[48];
	uint32_t cases[FS_VAL_NR_SIDES];	/* cases it was found in */
	uint32_t first[FS_VAL_NR_SIDES];	/* first such case, by index */
	/*
	 * Cases where the other side's result does not explain it: no
	 * finding there, or (deterministic) a later one; the first such.
	 */
	uint32_t only[FS_VAL_NR_SIDES];
	uint32_t first_only[FS_VAL_NR_SIDES];
	/* ... of which deterministic: a schedule cannot explain them. */
	uint32_t det_only[FS_VAL_NR_SIDES];
	bool kind_on[FS_VAL_NR_SIDES];	/* its kind, any title, per side */
	char known[96];			/* suppressed by "FILE:LINE" on a side */
};

enum fs_val_class {
	FS_VAL_COMMON,
	FS_VAL_NEW,		/* patched only: a regression */
	FS_VAL_FIXED,		/* base only */
	FS_VAL_KNOWN,		/* patched only, but suppressed: no regression */
	FS_VAL_NR_CLASSES,
};

struct fs_val_summary {
	struct fs_val_title *titles;
	uint32_t nr_titles;
	uint32_t ran, skipped, divergences;
	uint64_t ops[FS_VAL_NR_SIDES], runs[FS_VAL_NR_SIDES];
	enum fs_verdict verdict;
};

/*
 * A title is new when patched has it unexplained (see only) and base
 * never has a finding of its kind, or has it unexplained in a
 * deterministic trace (its schedule cannot explain the difference); fixed
 * the other way round.  A new title that a suppression names is known,
 * not new; a fixed one stays fixed (a patch may fix a known bug).
 */
enum fs_val_class fs_val_title_class(const struct fs_val_title *t);

/* Summarize @n results (any order); free with fs_val_summary_free(). */
void fs_val_summarize(const struct fs_val_result *res, uint32_t n,
		      struct fs_val_summary *s);
void fs_val_summary_free(struct fs_val_summary *s);

#endif /* FRAGSIM_VALIDATE_H */
