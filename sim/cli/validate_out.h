/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fragsim validate's state and its output: the verdict and summary on
 * stdout, minimized regressions, divergence examples and validate.json.
 */
#ifndef FRAGSIM_VALIDATE_OUT_H
#define FRAGSIM_VALIDATE_OUT_H

#include <stddef.h>

#include "../core/minimize.h"
#include "../core/validate.h"

struct fs_val_cli {
	struct fs_val_opts o;
	uint64_t budget;		/* generated traces */
	double seconds;			/* --minutes, else 0 */
	unsigned int jobs;
	const char **corpus;
	unsigned int nr_corpus;
	const char *out;
	struct fs_cli_supp supp_opts;
	struct fs_supp supp;
	uint64_t min_runs;
	bool quiet;

	struct fs_val_case *cases;
	uint32_t nr_cases, nr_fixed;	/* fixed: the corpus cases */
	size_t cap_cases;
	struct fs_val_result *results;	/* by case, then only those reached */
	bool *reached;
	uint32_t nr_results, nr_generated;
	double start, seconds_spent;
	struct fs_val_summary sum;
};

#define FS_VAL_MAX_REGRESSIONS	8	/* minimized, one per new title */
#define FS_VAL_MAX_EXAMPLES	3	/* divergence examples written */

/* A regression, minimized. */
struct fs_val_regression {
	const struct fs_val_title *title;
	uint32_t case_no;
	uint32_t no;			/* from 1: its directory */
	char trace[4200];		/* "" when it did not reproduce */
	struct fs_min_result min;
	char on_base[160];		/* the minimized trace on base */
};

struct fs_val_example {
	const struct fs_val_result *r;
	char trace[4200];		/* "" when not written */
	struct fs_min_result min;	/* its minimization */
};

const char *fs_val_class_name(enum fs_val_class c);

/* OUT/validate.json (validate_json.c). */
void fs_val_write_json(const struct fs_val_cli *c,
		       const struct fs_val_regression *g, uint32_t ng,
		       const struct fs_val_example *e, uint32_t ne);

/*
 * The default suppressions unless --no-default-suppressions, then each
 * --suppress FILE, for both sides; a malformed file exits 2.
 */
void fs_val_load_suppressions(struct fs_val_cli *c);

/* Print the verdict and the summary, write OUT; the exit status. */
int fs_val_report(struct fs_val_cli *c);

#endif /* FRAGSIM_VALIDATE_OUT_H */
