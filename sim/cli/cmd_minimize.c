// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim minimize FILE: shrink a finding's trace to what it needs to
 * keep reporting the same finding (same title), write it next to FILE
 * and report it as replay would.  The algorithm is in core/minimize.c;
 * this is options, output and the progress line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/minimize.h"
#include "../lib/xalloc.h"
#include "anchors.h"

#define DEFAULT_MAX_RUNS	5000
#define PROGRESS_EVERY		2.0	/* seconds */

struct min_cli {
	const char *file, *out;
	const struct fs_target *forced;
	bool diff, quiet;
	uint64_t max_runs;
	double start, last;		/* progress clock */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s minimize [-o OUT] [--target T] [--no-diff] [--max-runs N] [--quiet] FILE\n"
		"  FILE          a finding's trace (text, or a binary fuzzer input)\n"
		"  -o, --out OUT where the minimized text trace goes (default: FILE with\n"
		"                its extension replaced by .min.trace)\n"
		"  --target T    run on T instead of the target in the trace header\n"
		"  --no-diff     no differential check against the reference model\n"
		"  --max-runs N  give up shrinking after N runs (default %d)\n"
		"  --quiet       no progress line\n"
		"Removes operations, then the schedule's decisions (preemptions, injections),\n"
		"as long as the trace still reports a finding with the same title.\n"
		"exit status: 1 the minimized trace reports the finding, 2 bad input or no\n"
		"finding in FILE\n", fs_argv0, DEFAULT_MAX_RUNS);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse(int argc, char **argv, struct min_cli *c)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "target", required_argument, NULL, 't' },
		{ "no-diff", no_argument, NULL, 'D' },
		{ "max-runs", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		switch (o) {
		case 'o': c->out = optarg; break;
		case 't': c->forced = fs_opt_target(optarg); break;
		case 'D': c->diff = false; break;
		case 'n':
			c->max_runs = fs_opt_u64("--max-runs", optarg);
			if (!c->max_runs)
				fs_usage_error("--max-runs needs at least 1");
			break;
		case 'q': c->quiet = true; break;
		case 'h': usage(stdout); exit(FS_EXIT_OK);
		default:
			fs_usage_error("minimize: unknown or incomplete option '%s' (see '%s minimize --help')",
				       argv[optind - 1], fs_argv0);
		}
	}
	if (optind != argc - 1)
		fs_usage_error("minimize takes exactly one trace file (see '%s minimize --help')",
			       fs_argv0);
	c->file = argv[optind];
	if (c->out && !*c->out)
		fs_usage_error("-o needs a file name");
}

/* "dir/x.trace" -> "dir/x.min.trace"; a name without extension gains one. */
static char *default_out(const char *file)
{
	const char *base = strrchr(file, '/');
	const char *dot;
	size_t stem;
	char *s;

	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	stem = dot && dot != base ? (size_t)(dot - file) : strlen(file);
	s = fs_xmalloc(stem + sizeof(".min.trace"));
	memcpy(s, file, stem);
	strcpy(s + stem, ".min.trace");
	return s;
}

/* Progress on stderr, on a clock: stdout stays the same run to run. */
static void progress(void *ctx, const struct fs_min_progress *p)
{
	struct min_cli *c = ctx;
	double t = now();

	if (c->quiet || t - c->last < PROGRESS_EVERY)
		return;
	c->last = t;
	fprintf(stderr, "fragsim minimize: %.0f s, %llu runs: %u operations, %u decisions left (shrinking the %s)\n",
		t - c->start, (unsigned long long)p->runs, p->now.ops,
		p->now.decisions,
		p->phase == FS_MIN_OPS ? "operations" : "schedule");
}

static bool interrupted(void *ctx)
{
	(void)ctx;
	return fs_interrupted();
}

static const char *plural(uint32_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void summary(const struct fs_min_result *mr, uint64_t max_runs)
{
	const struct fs_min_count *b = &mr->before, *a = &mr->after;
	bool sched = b->decisions != 0;

	/* Lines of the trace; "N ops executed" above counts what they run. */
	printf("fragsim minimize: %u -> %u operations", b->ops, a->ops);
	if (sched)
		printf(", %u -> %u decisions (%u %s, %u %s)", b->decisions,
		       a->decisions, a->preemptions,
		       plural(a->preemptions, "preemption", "preemptions"),
		       a->injections,
		       plural(a->injections, "injection", "injections"));
	printf(", %llu runs; ", (unsigned long long)mr->runs);
	if (mr->fixpoint)
		printf("removing any one more operation%s loses the finding\n",
		       sched ? " or decision" : "");
	else if (fs_interrupted())
		printf("interrupted (SIGINT) before a fixpoint: the smallest trace so far is written\n");
	else
		printf("stopped by --max-runs %llu before a fixpoint: it may shrink further\n",
		       (unsigned long long)max_runs);
}

/* Replay @t as `fragsim replay OUT` would, for the report. */
static void report(const struct fs_trace *t, const struct fs_target *target,
		   const struct min_cli *c, const struct fs_min_result *mr)
{
	struct fs_runner_opts ro = {
		.target = target, .checks = true, .diff = c->diff,
	};
	struct fs_run_result res;
	struct fs_runner *r = fs_runner_create(&ro);
	char err[512];

	if (!r)
		fs_internal_error("cannot set up the page arena");
	if (fs_runner_run(r, t, &res, err, sizeof(err)))
		fs_internal_error("%s: %s", c->out, err);
	if (!res.finding || strcmp(res.finding->title, mr->title))
		fs_internal_error("%s does not reproduce '%s'", c->out,
				  mr->title);
	printf("fragsim minimize: %s on %s (%s, build %s): %llu ops executed, 1 finding\n",
	       c->out, target->name, target->release, target->build_id,
	       (unsigned long long)res.ops);
	fputs(res.notes, stdout);
	fs_emit_finding(t, target, &res, NULL, c->out, NULL, 0);
	fs_runner_destroy(r);
}

int fs_cmd_minimize(int argc, char **argv)
{
	struct min_cli c = { .diff = true, .max_runs = DEFAULT_MAX_RUNS };
	struct fs_min_opts mo = { .progress = progress, .stop = interrupted,
				  .progress_ctx = &c };
	const struct fs_target *target;
	struct fs_min_result mr;
	struct fs_trace t, min;
	char err[512], *out = NULL;
	bool binary;
	int rc;

	parse(argc, argv, &c);
	if (!c.out)
		c.out = out = default_out(c.file);
	fs_trace_init(&t);
	if (fs_load_trace(&t, c.file, &binary, err, sizeof(err)))
		fs_usage_error("%s", err);
	target = fs_pick_target(&t, c.forced, c.file, binary);
	/* The minimizer moves steps; anchors come back when it is written. */
	fs_anchor_localize(&t, target);
	t.rec_build[0] = t.rec_title[0] = '\0';
	c.start = c.last = now();
	fs_catch_sigint();
	mo.target = target;
	mo.diff = c.diff;
	mo.max_runs = c.max_runs;
	fs_trace_init(&min);
	rc = fs_minimize(&t, &mo, &min, &mr, err, sizeof(err));
	if (rc < 0)
		fs_usage_error("%s: %s", c.file, err);
	if (rc > 0)
		fs_usage_error("%s: no finding to minimize", c.file);
	/* So that `replay OUT`, as the report says, runs where this did. */
	if (strlen(target->name) < sizeof(min.target))
		strcpy(min.target, target->name);
	fs_anchor_finding(&min, target, mr.title);
	if (fs_trace_write_file(&min, c.out))
		fs_usage_error("cannot write %s: %s", c.out, strerror(errno));
	report(&min, target, &c, &mr);
	summary(&mr, c.max_runs);
	fs_trace_free(&min);
	fs_trace_free(&t);
	free(out);
	return FS_EXIT_FINDING;
}
