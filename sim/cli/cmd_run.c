// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim run: generate random traces, run each against the target under
 * the checker, report each distinct finding once (KASAN style) and write
 * its trace for replay.  Trace i of a run has seed mix(seed, i), so a
 * finding's trace is reproducible on its own.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/array.h"
#include "../trace/trace_gen.h"
#include "cli.h"

#define MAX_TITLES	64

struct run_opts {
	const struct fs_target *target;
	double seconds;
	double min_seconds;		/* per finding; 0: not minimized */
	uint64_t runs;
	uint64_t seed;
	const char *out;
	bool diff, quiet, stop, determinism;
	int workload;			/* -1: mix */
	enum fs_strategy strategy;	/* DEFAULT: mix */
	struct fs_cli_supp supp_opts;
	struct fs_supp supp;
};

struct run_stats {
	uint64_t ops, traces, findings, runs;
	uint64_t known;			/* suppressed findings */
	struct fs_mstats m;
	char titles[MAX_TITLES][160];
	uint64_t title_hits[MAX_TITLES];
	const struct fs_supp_entry *title_known[MAX_TITLES];
	unsigned int nr_titles;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	char strategies[128];

	fs_strategy_list(strategies, sizeof(strategies), " or ");
	fprintf(f,
		"usage: %s run [--target T] [--seconds S | --runs N] [--seed X] [--out DIR]\n"
		"              [--stop] [--no-diff] [--quiet] [--workload W] [--strategy S]\n"
		"              [--check-determinism] [--suppress FILE] [--no-default-suppressions]\n"
		"  --target T   code under test (default: the last in 'fragsim targets')\n"
		"  --seconds S  run for S seconds (default 10)\n"
		"  --runs N     run N traces instead\n"
		"  --seed X     seed of the run (default: from the clock, printed)\n"
		"  --out DIR    where finding traces and reports go (default fragsim-findings)\n"
		"  --stop       stop at the first finding\n"
		"  --no-diff    no differential check against the reference model\n"
		"  --quiet      no progress line\n"
		"  --workload W seq, irq, xcpu, spec or mix (default: all in turn)\n"
		"  --strategy S %s (default: in turn)\n"
		"  --check-determinism  run every case twice and compare its event hash\n"
		"  --minimize-seconds S  minimize each new finding for at most S seconds\n"
		"               (default 10, at most a fifth of --seconds; 0: write it as found)\n"
		FS_CLI_SUPP_USAGE,
		fs_argv0, strategies);
}

static int parse_workload(const char *arg)
{
	int w;

	for (w = 0; w < FS_WL_NR; w++)
		if (!strcmp(arg, fs_workload_name(w)))
			return w;
	fs_usage_error("run: unknown workload '%s' (seq, irq, xcpu, spec, mix)",
		       arg);
}

static enum fs_strategy parse_strategy(const char *arg)
{
	int s = fs_strategy_by_name(arg);
	char list[128];

	if (s >= 0 && fs_strategy_runnable(s))
		return s;
	fs_strategy_list(list, sizeof(list), ", ");
	fs_usage_error("run: unknown strategy '%s' (%s)", arg, list);
}

static void parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "stop", no_argument, NULL, 'x' },
		{ "no-diff", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "workload", required_argument, NULL, 'w' },
		{ "strategy", required_argument, NULL, 'y' },
		{ "check-determinism", no_argument, NULL, 'd' },
		{ "suppress", required_argument, NULL, 'U' },
		{ "no-default-suppressions", no_argument, NULL, 'N' },
		{ "minimize-seconds", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool have_seed = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': o->target = fs_opt_target(optarg); break;
		case 's': o->seconds = fs_opt_seconds("--seconds", optarg); break;
		case 'n':
			o->runs = fs_opt_u64("--runs", optarg);
			if (!o->runs)
				fs_usage_error("--runs must be at least 1");
			break;
		case 'S': o->seed = fs_opt_u64("--seed", optarg); have_seed = true; break;
		case 'o': o->out = optarg; break;
		case 'x': o->stop = true; break;
		case 'D': o->diff = false; break;
		case 'q': o->quiet = true; break;
		case 'd': o->determinism = true; break;
		case 'w': o->workload = parse_workload(optarg); break;
		case 'y': o->strategy = parse_strategy(optarg); break;
		case 'U': fs_cli_supp_add(&o->supp_opts, optarg); break;
		case 'N': o->supp_opts.no_default = true; break;
		case 'M':
			o->min_seconds = strcmp(optarg, "0") ?
				fs_opt_seconds("--minimize-seconds", optarg) : 0;
			break;
		case 'h': usage(stdout); exit(FS_EXIT_OK);
		default:
			fs_usage_error("run: unknown or incomplete option '%s' (see '%s run --help')",
				       argv[optind - 1], fs_argv0);
		}
	}
	if (optind < argc)
		fs_usage_error("run: unexpected argument '%s'", argv[optind]);
	if (o->seconds && o->runs)
		fs_usage_error("run: give --seconds or --runs, not both");
	if (!o->seconds && !o->runs)
		o->seconds = 10;
	if (o->seconds && o->min_seconds > o->seconds / 5)
		o->min_seconds = o->seconds / 5 < 1 ? 1 : o->seconds / 5;
	if (fs_check_out_dir(o->out))
		fs_usage_error("--out %s: findings cannot be written there (%s)",
			       o->out, strerror(errno));
	if (!have_seed)
		o->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	fs_cli_supp_load(&o->supp, &o->supp_opts);
}

static void progress(const struct run_stats *s, double elapsed, bool final)
{
	fprintf(stderr, "%s[%6.1fs] ops %llu  traces %llu  findings %llu  ops/s %.0f  irqs %llu softirqs %llu switches %llu agent %llu%s",
		isatty(2) ? "\r" : "", elapsed, (unsigned long long)s->ops,
		(unsigned long long)s->traces, (unsigned long long)s->findings,
		elapsed > 0 ? s->ops / elapsed : 0.0,
		(unsigned long long)s->m.irqs, (unsigned long long)s->m.softirqs,
		(unsigned long long)s->m.switches,
		(unsigned long long)s->m.agent_actions,
		isatty(2) && !final ? "   " : "\n");
}

/* Returns true when the title is new (worth a full report). */
static bool note_title(struct run_stats *s, const char *title,
		       const struct fs_supp_entry *known)
{
	for (unsigned int i = 0; i < s->nr_titles; i++) {
		if (!strcmp(s->titles[i], title)) {
			s->title_hits[i]++;
			return false;
		}
	}
	if (s->nr_titles < MAX_TITLES) {
		snprintf(s->titles[s->nr_titles], sizeof(s->titles[0]), "%s", title);
		s->title_known[s->nr_titles] = known;
		s->title_hits[s->nr_titles++] = 1;
	}
	return true;
}

static uint64_t trace_seed(uint64_t seed, uint64_t i)
{
	uint64_t s = seed ^ (i * 0xd1342543de82ef95ull);

	return fs_rng_next(&s);
}

/*
 * A generated trace goes through its text form before it runs, so that a
 * report's "trace line N" is a line of the file written for it and the run
 * is exactly what `fragsim replay` of that file does.
 */
static void generate(struct fs_trace *t, uint64_t seed, const char *target,
		     enum fs_workload w, enum fs_strategy strategy)
{
	struct fs_trace g;
	char err[256];
	char *text;

	fs_trace_init(&g);
	fs_trace_generate_caps(&g, seed, target, w,
			       fs_target_caps(fs_target_find(target)));
	/*
	 * Name the strategy in the text: the trace written for a finding
	 * says `schedule replay` on the same line, so line numbers hold.
	 */
	if (fs_trace_concurrent(&g))
		g.sched.strategy = strategy;
	text = fs_trace_print(&g);
	fs_trace_init(t);
	if (fs_trace_parse(t, text, strlen(text), "<generated>", err, sizeof(err)))
		fs_internal_error("generated trace does not parse: %s", err);
	free(text);
	fs_trace_free(&g);
}

static void add_stats(struct run_stats *s, const struct fs_run_result *res)
{
	s->ops += res->ops;
	s->runs++;
	s->m.steps += res->mstats.steps;
	s->m.irqs += res->mstats.irqs;
	s->m.softirqs += res->mstats.softirqs;
	s->m.switches += res->mstats.switches;
	s->m.preemptions += res->mstats.preemptions;
	s->m.agent_actions += res->mstats.agent_actions;
}

/* One run, twice with --check-determinism. */
static void run_once(struct fs_runner *r, const struct run_opts *o,
		     struct fs_trace *t, const struct fs_run_sched *rs,
		     struct fs_run_result *res)
{
	char err[256];
	uint64_t h;

	if (o->determinism) {
		if (fs_runner_run_sched(r, t, rs, res, err, sizeof(err)))
			fs_internal_error("generated trace rejected: %s", err);
		h = res->hash;
	}
	if (fs_runner_run_sched(r, t, rs, res, err, sizeof(err)))
		fs_internal_error("generated trace rejected: %s", err);
	if (o->determinism && h != res->hash)
		fs_internal_error("nondeterminism: trace seed 0x%016llx (%s) ran twice with event hashes %016llx and %016llx",
				  (unsigned long long)t->seed,
				  fs_strategy_name(rs->strategy),
				  (unsigned long long)h,
				  (unsigned long long)res->hash);
}

/* One exhaustive search: the runs fs_sched_search() asks for. */
struct search {
	struct fs_runner *r;
	const struct run_opts *o;
	struct fs_trace *t;
	struct run_stats *s;
	struct fs_run_result *res;
};

static bool search_run(void *ctx, const struct fs_decision *forced,
		       unsigned int nr)
{
	struct search *x = ctx;
	/* The first, unforced run records the alternatives. */
	struct fs_run_sched rs = { .strategy = FS_SCHED_EXHAUSTIVE,
				   .record_alts = !nr, .forced = forced,
				   .nr_forced = nr };

	run_once(x->r, x->o, x->t, &rs, x->res);
	add_stats(x->s, x->res);
	return x->res->finding;
}

static uint32_t search_alts(void *ctx, struct fs_decision *out, uint32_t max)
{
	struct search *x = ctx;
	uint32_t nr;
	const struct fs_alt *a = fs_runner_alts(x->r, &nr);

	for (uint32_t i = 0; i < nr && i < max; i++) {
		out[i] = a[i].d;
		out[i].step = a[i].step;
	}
	return nr;
}

static bool run_search(struct fs_runner *r, const struct run_opts *o,
		       struct fs_trace *t, struct run_stats *s,
		       struct fs_run_result *res)
{
	static const struct fs_search_ops ops = {
		.run = search_run, .alts = search_alts,
	};
	struct search x = { .r = r, .o = o, .t = t, .s = s, .res = res };

	return fs_sched_search(&ops, &x);
}

static const enum fs_strategy mix_strategies[] = {
	FS_SCHED_RANDOM, FS_SCHED_PCT, FS_SCHED_RANDOM, FS_SCHED_PCT,
	FS_SCHED_RANDOM, FS_SCHED_PCT, FS_SCHED_RANDOM, FS_SCHED_EXHAUSTIVE,
};

/*
 * A finding: counted, and reported and written when its title is new;
 * false when it is a known one (suppressed).
 */
static bool found(const struct run_opts *o, struct run_stats *s,
		  struct fs_trace *t, struct fs_run_result *res)
{
	const struct fs_supp_entry *known =
		fs_supp_match(&o->supp, res->finding, o->target->name);
	char why[512];

	if (known)
		s->known++;
	else
		s->findings++;
	if (!note_title(s, res->finding->title, known))
		return !known;
	if (!o->quiet && isatty(2))
		fputc('\n', stderr);
	if (known) {
		/* Known: one line, no report or files (they are upstream's). */
		fs_supp_describe(known, why, sizeof(why));
		printf("fragsim run: %s %s\n", res->finding->title, why);
		return false;
	}
	fs_trace_set_replay(t, res->log, res->nr_log);
	if (fs_minimize_finding(t, o->target, res, o->diff, o->min_seconds,
				o->out))
		fs_internal_error("cannot write the finding");
	return true;
}

/* Trace @i of the run; true when it found something. */
static bool run_trace(struct fs_runner *r, const struct run_opts *o,
		      uint64_t i, struct run_stats *s)
{
	struct fs_trace t;
	struct fs_run_result res;
	struct fs_run_sched rs = { 0 };
	enum fs_workload w;
	bool hit;

	w = o->workload >= 0 ? (enum fs_workload)o->workload :
	    (enum fs_workload)(i % FS_WL_NR);
	/* Kernels without the network front ends get plain traces. */
	if (!o->target->netdev_alloc)
		w = FS_WL_SEQ;
	rs.strategy = o->strategy != FS_SCHED_DEFAULT ? o->strategy :
		      mix_strategies[(i / FS_WL_NR) % ARRAY_SIZE(mix_strategies)];
	generate(&t, trace_seed(o->seed, i), o->target->name, w, rs.strategy);
	if (fs_strategy_searches(rs.strategy) && fs_trace_concurrent(&t)) {
		hit = run_search(r, o, &t, s, &res);
	} else {
		/* Nothing to search without scheduling points. */
		if (fs_strategy_searches(rs.strategy))
			rs.strategy = FS_SCHED_RANDOM;
		run_once(r, o, &t, &rs, &res);
		add_stats(s, &res);
		hit = res.finding;
	}
	s->traces++;
	if (hit)
		hit = found(o, s, &t, &res);
	fs_trace_free(&t);
	return hit;
}

static struct fs_runner *start(struct run_opts *o)
{
	struct fs_runner_opts ro = { .checks = true };
	struct fs_runner *r;

	if (!o->target)
		o->target = fs_targets[fs_nr_targets - 1];
	ro.target = o->target;
	ro.diff = o->diff;
	r = fs_runner_create(&ro);
	if (!r)
		fs_internal_error("cannot set up the page arena");
	printf("fragsim run: target %s (%s, layout %s, build %s), seed 0x%016llx, %s %g%s\n",
	       o->target->name, o->target->release, o->target->layout,
	       o->target->build_id, (unsigned long long)o->seed,
	       o->runs ? "runs" : "seconds", o->runs ? (double)o->runs : o->seconds,
	       o->diff && strcmp(o->target->name, "ref") ? ", differential vs ref" : "");
	return r;
}

static void summary(const struct run_opts *o, const struct run_stats *s,
		    double elapsed)
{
	char known[64] = "";

	if (!o->quiet)
		progress(s, elapsed, true);
	if (s->known)
		snprintf(known, sizeof(known), ", %llu known (suppressed)",
			 (unsigned long long)s->known);
	printf("fragsim run: %s: %.1f s, %llu traces (%llu runs), %llu ops executed (%.0f ops/s), %llu finding(s)%s\n",
	       o->target->name, elapsed, (unsigned long long)s->traces,
	       (unsigned long long)s->runs,
	       (unsigned long long)s->ops, elapsed > 0 ? s->ops / elapsed : 0.0,
	       (unsigned long long)s->findings, known);
	printf("fragsim run: simulator: %llu scheduling points, %llu hard irqs injected, %llu softirqs run, %llu CPU switches (%llu preemptions), %llu agent actions%s\n",
	       (unsigned long long)s->m.steps, (unsigned long long)s->m.irqs,
	       (unsigned long long)s->m.softirqs,
	       (unsigned long long)s->m.switches,
	       (unsigned long long)s->m.preemptions,
	       (unsigned long long)s->m.agent_actions,
	       o->determinism ? "; every case ran twice with identical event hashes" : "");
	for (unsigned int i = 0; i < s->nr_titles; i++) {
		const struct fs_supp_entry *k = s->title_known[i];

		if (k)
			printf("  %6llu x (known) %s  [suppressed by %s:%u]\n",
			       (unsigned long long)s->title_hits[i],
			       s->titles[i], k->file, k->line);
		else
			printf("  %6llu x %s\n",
			       (unsigned long long)s->title_hits[i],
			       s->titles[i]);
	}
}

int fs_cmd_run(int argc, char **argv)
{
	struct run_opts o = { .out = "fragsim-findings", .diff = true,
			      .workload = -1, .min_seconds = 10 };
	static struct run_stats s;
	double start_time, last = 0;
	struct fs_runner *r;

	parse(argc, argv, &o);
	r = start(&o);
	start_time = now();
	fs_catch_sigint();
	for (uint64_t i = 0; !o.runs || i < o.runs; i++) {
		if ((o.seconds && now() - start_time >= o.seconds) ||
		    fs_interrupted())
			break;
		if (run_trace(r, &o, i, &s) && o.stop)
			break;
		if (!o.quiet && now() - last >= (isatty(2) ? 0.5 : 10.0)) {
			last = now();
			progress(&s, last - start_time, false);
		}
	}
	summary(&o, &s, now() - start_time);
	if (fs_interrupted())
		printf("fragsim run: interrupted (SIGINT): the summary above covers the traces run so far\n");
	fs_runner_destroy(r);
	fs_supp_free(&o.supp);
	return s.findings ? FS_EXIT_FINDING : FS_EXIT_OK;
}
