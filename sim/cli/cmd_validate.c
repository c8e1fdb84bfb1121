// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim validate: the same fixed, seeded work on an unpatched and a
 * patched target of one binary, compared (sim/core/validate.h), with a
 * verdict: REGRESSION, FIXES, BEHAVIOUR CHANGE or PASS.  --jobs forks
 * worker processes, each running every J-th case on both sides.  The
 * verdict is the first line of stdout; the report data goes to
 * OUT/validate.json (scripts/validate_report.py renders it).
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/validate.h"
#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "cli.h"
#include "validate_out.h"

#define DEFAULT_BUDGET		240
#define SEARCH_MAX_OPS		40	/* corpus traces searched up to this */
#define MAX_JOBS		64
#define MINUTES_MAX_TRACES	100000	/* --minutes: at most this many */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s validate [--base T] [--patched T] [--budget N | --minutes M]\n"
		"              [--seed X] [--jobs J] [--corpus DIR]... [--out DIR]\n"
		"              [--suppress FILE] [--no-default-suppressions] [--no-diff]\n"
		"              [--min-runs N] [--quiet]\n"
		"  --base T      the unpatched target (default tree-base)\n"
		"  --patched T   the patched target (default tree)\n"
		"  --budget N    generated traces, each on both sides (default %d)\n"
		"  --minutes M   generate traces until M minutes are spent instead\n"
		"  --seed X      seed of the generated traces (default 1)\n"
		"  --jobs J      worker processes (default: every core)\n"
		"  --corpus DIR  run every trace of DIR that applies to the base's layout\n"
		"                (text or binary); short concurrent ones also exhaustively\n"
		"  --out DIR     validate.json, minimized regressions and divergence\n"
		"                examples (default validate-out)\n"
		FS_CLI_SUPP_USAGE
		"                (both sides; a suppressed new title is known, no REGRESSION)\n"
		"  --no-diff     no differential check of each side against ref\n"
		"  --min-runs N  runs to minimize each regression (default 600)\n"
		"exit status: 0 PASS or FIXES, 1 REGRESSION or BEHAVIOUR CHANGE, 2 bad input\n",
		fs_argv0, DEFAULT_BUDGET);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse(int argc, char **argv, struct fs_val_cli *c)
{
	static const struct option lo[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "patched", required_argument, NULL, 'p' },
		{ "budget", required_argument, NULL, 'n' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "suppress", required_argument, NULL, 'x' },
		{ "no-default-suppressions", no_argument, NULL, 'N' },
		{ "no-diff", no_argument, NULL, 'D' },
		{ "min-runs", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'b': c->o.target[FS_VAL_BASE] = fs_opt_target(optarg); break;
		case 'p': c->o.target[FS_VAL_PATCHED] = fs_opt_target(optarg); break;
		case 'n': c->budget = fs_opt_u64("--budget", optarg); break;
		case 'm': c->seconds = 60 * fs_opt_seconds("--minutes", optarg); break;
		case 'S': c->o.seed = fs_opt_u64("--seed", optarg); break;
		case 'j': c->jobs = fs_opt_u64("--jobs", optarg); break;
		case 'c':
			c->corpus = fs_xrealloc_array(c->corpus, c->nr_corpus + 1,
						      sizeof(*c->corpus));
			c->corpus[c->nr_corpus++] = optarg;
			break;
		case 'o': c->out = optarg; break;
		case 'x': fs_cli_supp_add(&c->supp_opts, optarg); break;
		case 'N': c->supp_opts.no_default = true; break;
		case 'D': c->o.diff = false; break;
		case 'r': c->min_runs = fs_opt_u64("--min-runs", optarg); break;
		case 'q': c->quiet = true; break;
		case 'h': usage(stdout); exit(FS_EXIT_OK);
		default:
			fs_usage_error("validate: unknown or incomplete option '%s' (see '%s validate --help')",
				       argv[optind - 1], fs_argv0);
		}
	}
	if (optind < argc)
		fs_usage_error("validate: unexpected argument '%s'", argv[optind]);
	if (!c->jobs || c->jobs > MAX_JOBS)
		fs_usage_error("--jobs: 1 to %d", MAX_JOBS);
	if (c->budget && c->seconds)
		fs_usage_error("validate: give --budget or --minutes, not both");
}

static int load(struct fs_trace *t, const char *path, char *err, size_t errlen)
{
	bool binary;

	return fs_load_trace(t, path, &binary, err, errlen);
}

/* ---- the cases ---- */

static void add_case(struct fs_val_cli *c, enum fs_val_src src,
		     uint64_t index, const char *file)
{
	c->cases = fs_grow(c->cases, c->nr_cases, &c->cap_cases,
			   sizeof(*c->cases), 64);
	c->cases[c->nr_cases++] = (struct fs_val_case){
		.src = src, .index = index, .file = file };
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A short concurrent trace is searched exhaustively as well. */
static bool searchable(const char *path)
{
	struct fs_trace t;
	char err[256];
	bool yes;

	fs_trace_init(&t);
	yes = !load(&t, path, err, sizeof(err)) && fs_trace_concurrent(&t) &&
	      fs_trace_op_count(&t) <= SEARCH_MAX_OPS;
	fs_trace_free(&t);
	return yes;
}

static void add_dir(struct fs_val_cli *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		fs_usage_error("--corpus %s: not a directory", dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strstr(e->d_name, ".md") ||
		    strstr(e->d_name, ".txt"))
			continue;
		names = fs_grow(names, n, &cap, sizeof(*names), 32);
		if (asprintf(&names[n++], "%s/%s", dir, e->d_name) < 0)
			fs_oom();
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		add_case(c, FS_VAL_FILE, 0, names[i]);
		if (searchable(names[i]))
			add_case(c, FS_VAL_FILE_SEARCH, 0, names[i]);
	}
	free(names);
}

static void plan(struct fs_val_cli *c)
{
	for (unsigned int i = 0; i < c->nr_corpus; i++)
		add_dir(c, c->corpus[i]);
	c->nr_fixed = c->nr_cases;
	/* --minutes: as many generated traces as time allows, in order. */
	for (uint64_t i = 0; i < (c->seconds ? MINUTES_MAX_TRACES : c->budget); i++)
		add_case(c, FS_VAL_GEN, i, NULL);
}

/* ---- the workers ---- */

static void progress(const struct fs_val_cli *c, uint32_t done, double start)
{
	if (c->quiet)
		return;
	fprintf(stderr, "%s[%6.1fs] fragsim validate: about %u of %u cases done (%u workers)%s",
		isatty(2) ? "\r" : "", now() - start, done * c->jobs,
		c->seconds ? c->nr_fixed : c->nr_cases, c->jobs,
		isatty(2) ? "  " : "\n");
}

/* Worker @k: every jobs-th case from k, results written to @f. */
static void run_shard(struct fs_val_cli *c, unsigned int k, FILE *f)
{
	struct fs_val_runner *v = fs_val_create(&c->o);
	struct fs_val_result res;
	double start = now(), last = start;
	uint32_t done = 0;

	for (uint32_t i = k; i < c->nr_cases; i += c->jobs) {
		if (c->seconds && i >= c->nr_fixed && now() - start >= c->seconds)
			break;
		fs_val_run_case(v, &c->cases[i], i, &res);
		if (fwrite(&res, sizeof(res), 1, f) != 1)
			fs_internal_error("validate: cannot write a result");
		done++;
		if (k == 0 && now() - last >= (isatty(2) ? 1.0 : 15.0)) {
			last = now();
			progress(c, done, start);
		}
	}
	if (k == 0 && !c->quiet && isatty(2))
		fputc('\n', stderr);
	fflush(f);
	fs_val_destroy(v);
}

static void collect(struct fs_val_cli *c, FILE *f)
{
	struct fs_val_result res;

	rewind(f);
	while (fread(&res, sizeof(res), 1, f) == 1) {
		if (res.case_no >= c->nr_cases)
			fs_internal_error("validate: a worker returned case %u", res.case_no);
		c->results[res.case_no] = res;
		c->reached[res.case_no] = true;
	}
	fclose(f);
}

static void run_all(struct fs_val_cli *c)
{
	FILE *f[MAX_JOBS];
	pid_t pid[MAX_JOBS];
	int st;

	c->results = fs_xcalloc(c->nr_cases, sizeof(*c->results));
	c->reached = fs_xcalloc(c->nr_cases, sizeof(*c->reached));
	fflush(NULL);
	for (unsigned int k = 0; k < c->jobs; k++) {
		f[k] = tmpfile();
		if (!f[k])
			fs_internal_error("validate: no temporary file");
		pid[k] = c->jobs == 1 ? 0 : fork();
		if (pid[k] < 0)
			fs_internal_error("validate: cannot fork");
		if (pid[k] == 0) {
			run_shard(c, k, f[k]);
			/* exit(), not _exit(): gcov writes its counts at exit. */
			if (c->jobs > 1)
				exit(0);
		}
	}
	for (unsigned int k = 0; k < c->jobs; k++) {
		if (c->jobs > 1 && (waitpid(pid[k], &st, 0) != pid[k] ||
				    !WIFEXITED(st) || WEXITSTATUS(st)))
			fs_internal_error("validate: worker %u failed", k + 1);
		collect(c, f[k]);
	}
}

/*
 * The reached cases, in order, for the summary.  Under --minutes the
 * workers stop at different points: only the generated traces up to the
 * first one not reached count, so that --budget N repeats the run.
 */
static void compact(struct fs_val_cli *c)
{
	uint32_t n = 0, end = c->nr_cases;

	for (uint32_t i = c->nr_fixed; i < c->nr_cases && end == c->nr_cases; i++)
		if (!c->reached[i])
			end = i;
	if (c->seconds)
		c->budget = end - c->nr_fixed;
	for (uint32_t i = 0; i < end; i++) {
		if (!c->reached[i])
			continue;
		if (c->cases[i].src == FS_VAL_GEN)
			c->nr_generated++;
		c->results[n++] = c->results[i];
	}
	c->nr_results = n;
}

int fs_cmd_validate(int argc, char **argv)
{
	struct fs_val_cli c = {
		.o = { .seed = 1, .diff = true, .load = load,
		       .set_replay = fs_trace_set_replay },
		.out = "validate-out", .min_runs = 600,
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	c.jobs = cores > 0 ? (cores < MAX_JOBS ? cores : MAX_JOBS) : 1;
	parse(argc, argv, &c);
	if (!c.budget && !c.seconds)
		c.budget = DEFAULT_BUDGET;
	if (!c.o.target[FS_VAL_BASE])
		c.o.target[FS_VAL_BASE] = fs_opt_target("tree-base");
	if (!c.o.target[FS_VAL_PATCHED])
		c.o.target[FS_VAL_PATCHED] = fs_opt_target("tree");
	fs_val_load_suppressions(&c);
	plan(&c);
	c.start = now();
	run_all(&c);
	compact(&c);
	c.seconds_spent = now() - c.start;
	fs_val_summarize(c.results, c.nr_results, &c.sum);
	rc = fs_val_report(&c);
	fs_val_summary_free(&c.sum);
	return rc;
}
