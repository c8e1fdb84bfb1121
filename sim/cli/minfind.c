// SPDX-License-Identifier: GPL-2.0
/*
 * A `fragsim run` finding, minimized where it is made: the written trace
 * is the minimized one (what `fragsim minimize` would give, within a time
 * budget) and the generated one is kept beside it as "....orig.trace".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/minimize.h"
#include "cli.h"

#define MIN_MAX_RUNS	5000	/* as fragsim minimize's default */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool over_budget(void *ctx)
{
	return fs_interrupted() || now() >= *(const double *)ctx;
}

/*
 * @t shrunk and reparsed from its text, so that report line numbers are
 * those of the file written; 0, or -1 when it cannot be minimized.
 */
static int shrink(const struct fs_trace *t, const struct fs_target *target,
		  bool diff, double seconds, struct fs_trace *out,
		  struct fs_min_result *mr)
{
	double deadline = now() + seconds;
	struct fs_min_opts mo = {
		.target = target, .diff = diff, .max_runs = MIN_MAX_RUNS,
		.stop = over_budget, .progress_ctx = &deadline,
	};
	struct fs_trace min;
	char err[512], *text;
	int rc;

	fs_trace_init(&min);
	if (fs_minimize(t, &mo, &min, mr, err, sizeof(err)))
		return -1;
	snprintf(min.target, sizeof(min.target), "%s", target->name);
	text = fs_trace_print(&min);
	fs_trace_free(&min);
	fs_trace_init(out);
	rc = fs_trace_parse(out, text, strlen(text), "minimized", err,
			    sizeof(err));
	free(text);
	if (rc)
		fs_trace_free(out);
	return rc;
}

int fs_minimize_finding(const struct fs_trace *t, const struct fs_target *target,
			const struct fs_run_result *res, bool diff,
			double seconds, const char *dir, char *path,
			size_t pathlen, char *note, size_t notelen)
{
	struct fs_runner_opts ro = { .target = target, .checks = true,
				     .diff = diff };
	struct fs_min_result mr;
	struct fs_run_result mres;
	struct fs_runner *r = NULL;
	struct fs_trace min;
	char err[256];
	double start = now();
	int rc;

	note[0] = '\0';
	if (seconds <= 0 || shrink(t, target, diff, seconds, &min, &mr))
		return fs_emit_finding(t, target, res, dir, NULL, path,
				       pathlen);
	r = fs_runner_create(&ro);
	if (!r)
		fs_internal_error("cannot set up the page arena");
	/* It reproduces by construction; should it not, keep the original. */
	if (fs_runner_run(r, &min, &mres, err, sizeof(err)) || !mres.finding ||
	    strcmp(mres.finding->title, res->finding->title)) {
		rc = fs_emit_finding(t, target, res, dir, NULL, path,
				     pathlen);
	} else {
		rc = fs_emit_finding_orig(&min, t, target, &mres, dir, NULL,
					  path, pathlen);
		snprintf(note, notelen, "fragsim run: minimized in %.1f s (%llu runs%s): %u -> %u operations; the generated trace is kept beside it (.orig.trace)",
		       now() - start, (unsigned long long)mr.runs,
		       mr.fixpoint ? "" : ", budget spent", mr.before.ops,
		       mr.after.ops);
	}
	fs_runner_destroy(r);
	fs_trace_free(&min);
	return rc;
}
