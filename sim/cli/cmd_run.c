// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim run: generate random traces, run each against the target under
 * the checker, report each distinct finding once (KASAN style) and write
 * its trace for replay.  Trace i of a run has seed mix(seed, i), so a
 * finding's trace is reproducible on its own, whichever worker ran it:
 * --jobs N forks N workers that claim the indices from a shared counter,
 * --shard I/N keeps the indices i with i % N == I, and the two combine.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/array.h"
#include "../trace/trace_gen.h"
#include "cli.h"
#include "jobs.h"

#define MAX_TITLES	64
#define TITLE_LEN	160
#define PATH_LEN	4200
#define SUPP_AT_LEN	4200

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
	unsigned int jobs;		/* worker processes; 1: none */
	uint64_t shard, nr_shards;	/* --shard I/N */
	const char *summary_file;	/* JSON lines, see write_summary() */
	bool worker;			/* this process is a --jobs worker */
	double start;			/* of the run, CLOCK_MONOTONIC */
};

/* What one process counted; the parent of --jobs sums its workers'. */
struct run_counts {
	uint64_t ops, traces, runs;
	struct fs_mstats m;
};

struct run_stats {
	struct run_counts c;
	uint64_t findings;
	uint64_t known;			/* suppressed findings */
	char titles[MAX_TITLES][TITLE_LEN];
	uint64_t title_hits[MAX_TITLES];
	uint64_t title_first[MAX_TITLES];	/* lowest trace index */
	char title_path[MAX_TITLES][PATH_LEN];	/* its trace file, if any */
	bool title_known[MAX_TITLES];
	char title_supp[MAX_TITLES][SUPP_AT_LEN];	/* known: "FILE:LINE" */
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
		"              [--jobs N] [--shard I/N] [--summary FILE]\n"
		"  --target T   code under test (default: the last in 'fragsim targets')\n"
		"  --seconds S  run for S seconds (default 10)\n"
		"  --runs N     run N traces instead (with --shard: of the whole campaign)\n"
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
		"  --jobs N     worker processes (default: the %u processors online)\n"
		"  --shard I/N  only the traces i with i %% N == I, 0 <= I < N (one\n"
		"               campaign split over machines; same --seed and --runs)\n"
		"  --summary FILE  append the run's summary as one JSON line (default with\n"
		"               --shard: DIR/summary-shard-I-of-N.jsonl; scripts/merge-runs.py)\n"
		FS_CLI_SUPP_USAGE,
		fs_argv0, strategies, fs_jobs_cpus());
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

/* "I/N": the traces i with i % N == I. */
static void parse_shard(struct run_opts *o, const char *arg)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (!slash)
		fs_usage_error("--shard: '%s' is not I/N (e.g. 0/4)", arg);
	*slash = '\0';
	o->shard = fs_opt_u64("--shard", buf);
	o->nr_shards = fs_opt_u64("--shard", slash + 1);
	if (!o->nr_shards || o->shard >= o->nr_shards)
		fs_usage_error("--shard: '%s' needs 0 <= I < N", arg);
}

/* Defaults and the checks across options. */
static void parse_done(struct run_opts *o, bool have_seed)
{
	static char shard_file[PATH_LEN];
	uint64_t mine;

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
	if (!o->jobs)
		o->jobs = fs_jobs_cpus();
	/* No idle workers: at most one per trace of this shard. */
	mine = o->runs > o->shard ?
	       (o->runs - o->shard + o->nr_shards - 1) / o->nr_shards : 0;
	if (o->runs && mine < o->jobs)
		o->jobs = mine ? (unsigned int)mine : 1;
	if (o->nr_shards > 1 && !o->summary_file) {
		snprintf(shard_file, sizeof(shard_file),
			 "%s/summary-shard-%llu-of-%llu.jsonl", o->out,
			 (unsigned long long)o->shard,
			 (unsigned long long)o->nr_shards);
		o->summary_file = shard_file;
	}
	fs_cli_supp_load(&o->supp, &o->supp_opts);
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
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'I' },
		{ "summary", required_argument, NULL, 'J' },
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
		case 'j': o->jobs = (unsigned int)fs_opt_u64("--jobs", optarg);
			if (!o->jobs || o->jobs > FS_JOBS_MAX)
				fs_usage_error("--jobs: from 1 to %d", FS_JOBS_MAX);
			break;
		case 'I': parse_shard(o, optarg); break;
		case 'J': o->summary_file = optarg; break;
		case 'h': usage(stdout); exit(FS_EXIT_OK);
		default:
			fs_usage_error("run: unknown or incomplete option '%s' (see '%s run --help')",
				       argv[optind - 1], fs_argv0);
		}
	}
	if (optind < argc)
		fs_usage_error("run: unexpected argument '%s'", argv[optind]);
	parse_done(o, have_seed);
}

static void progress(const struct run_stats *s, double elapsed, bool final)
{
	const struct run_counts *c = &s->c;

	fprintf(stderr, "%s[%6.1fs] ops %llu  traces %llu  findings %llu  ops/s %.0f  irqs %llu softirqs %llu switches %llu agent %llu%s",
		isatty(2) ? "\r" : "", elapsed, (unsigned long long)c->ops,
		(unsigned long long)c->traces, (unsigned long long)s->findings,
		elapsed > 0 ? c->ops / elapsed : 0.0,
		(unsigned long long)c->m.irqs, (unsigned long long)c->m.softirqs,
		(unsigned long long)c->m.switches,
		(unsigned long long)c->m.agent_actions,
		isatty(2) && !final ? "   " : "\n");
}

/*
 * Count a hit of @title by trace @index; returns its slot, *@is_new when
 * the title was not seen before (worth a full report), -1 when the table
 * is full.
 */
static int note_title(struct run_stats *s, const char *title,
		      const char *supp_at, uint64_t index, bool *is_new)
{
	unsigned int i;

	bool known = supp_at[0];

	if (known)
		s->known++;
	else
		s->findings++;
	*is_new = false;
	for (i = 0; i < s->nr_titles; i++) {
		if (!strcmp(s->titles[i], title)) {
			s->title_hits[i]++;
			if (index < s->title_first[i])
				s->title_first[i] = index;
			return (int)i;
		}
	}
	*is_new = true;
	if (s->nr_titles == MAX_TITLES)
		return -1;
	snprintf(s->titles[i], sizeof(s->titles[0]), "%s", title);
	s->title_known[i] = known;
	snprintf(s->title_supp[i], sizeof(s->title_supp[0]), "%s", supp_at);
	s->title_hits[i] = 1;
	s->title_first[i] = index;
	s->title_path[i][0] = '\0';
	s->nr_titles++;
	return (int)i;
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

static void add_mstats(struct fs_mstats *a, const struct fs_mstats *b)
{
	a->steps += b->steps;
	a->irqs += b->irqs;
	a->softirqs += b->softirqs;
	a->switches += b->switches;
	a->preemptions += b->preemptions;
	a->agent_actions += b->agent_actions;
}

static void add_stats(struct run_stats *s, const struct fs_run_result *res)
{
	s->c.ops += res->ops;
	s->c.runs++;
	add_mstats(&s->c.m, &res->mstats);
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
	bool late;			/* cut short by --seconds */
};

static bool search_run(void *ctx, const struct fs_decision *forced,
		       unsigned int nr)
{
	struct search *x = ctx;
	/* The first, unforced run records the alternatives. */
	struct fs_run_sched rs = { .strategy = FS_SCHED_EXHAUSTIVE,
				   .record_alts = !nr, .forced = forced,
				   .nr_forced = nr };

	/* A search can take seconds: --seconds ends it between runs. */
	if (nr && x->o->seconds && now() - x->o->start >= x->o->seconds) {
		x->late = true;
		return true;
	}
	run_once(x->r, x->o, x->t, &rs, x->res);
	add_stats(x->s, x->res);
	return x->res->finding;
}

static uint32_t search_alts(void *ctx, struct fs_decision *out, uint32_t max)
{
	struct search *x = ctx;

	return fs_runner_alt_decisions(x->r, out, max);
}

static bool run_search(struct fs_runner *r, const struct run_opts *o,
		       struct fs_trace *t, struct run_stats *s,
		       struct fs_run_result *res)
{
	static const struct fs_search_ops ops = {
		.run = search_run, .alts = search_alts,
	};
	struct search x = { .r = r, .o = o, .t = t, .s = s, .res = res };
	bool hit = fs_sched_search(&ops, &x);

	return hit && !x.late;
}

/*
 * Per group of FS_WL_NR traces (one per workload).  race: refcount race
 * windows (sched/race.c).  An exhaustive trace costs some 60 of the
 * others (up to 256 runs), so it comes once in 16 groups: it still takes
 * most of the CPU time.
 */
static const enum fs_strategy mix_strategies[] = {
	FS_SCHED_RANDOM, FS_SCHED_RACE, FS_SCHED_PCT, FS_SCHED_RACE,
	FS_SCHED_RANDOM, FS_SCHED_PCT, FS_SCHED_RACE, FS_SCHED_EXHAUSTIVE,
	FS_SCHED_RANDOM, FS_SCHED_RACE, FS_SCHED_PCT, FS_SCHED_RACE,
	FS_SCHED_RANDOM, FS_SCHED_PCT, FS_SCHED_RACE, FS_SCHED_RANDOM,
};

/* What a worker tells the parent. */
enum rec_kind { REC_COUNTS, REC_FINDING };

struct rec_counts {
	uint8_t kind;			/* REC_COUNTS: its totals so far */
	struct run_counts c;
};

struct rec_finding {
	uint8_t kind;			/* REC_FINDING */
	bool known;
	uint64_t index;			/* of the trace */
	char title[TITLE_LEN];
	char why[512];			/* known: what suppresses it */
	char supp_at[SUPP_AT_LEN];	/* known: "FILE:LINE" */
	char path[PATH_LEN];		/* the worker's first: the trace written */
	char note[256];			/* what minimizing it did, or "" */
};

static void announce_known(const struct run_opts *o, const char *title,
			   const char *why)
{
	if (!o->quiet && isatty(2))
		fputc('\n', stderr);
	printf("fragsim run: %s %s\n", title, why);
}

/*
 * A finding: counted, and reported and written when its title is new
 * (a known one, suppressed, gets one line and no files); a worker sends
 * it on to the parent, which prints each title once.  False when known.
 */
static bool found(const struct run_opts *o, struct run_stats *s,
		  uint64_t index, struct fs_trace *t,
		  struct fs_run_result *res)
{
	const struct fs_supp_entry *known =
		fs_supp_match(&o->supp, res->finding, o->target->name);
	static struct rec_finding rec;
	bool is_new;
	int slot;

	memset(&rec, 0, sizeof(rec));
	rec.kind = REC_FINDING;
	rec.known = known;
	rec.index = index;
	snprintf(rec.title, sizeof(rec.title), "%s", res->finding->title);
	if (known) {
		fs_supp_describe(known, rec.why, sizeof(rec.why));
		snprintf(rec.supp_at, sizeof(rec.supp_at), "%s:%u",
			 known->file, known->line);
	}
	slot = note_title(s, rec.title, rec.supp_at, index, &is_new);
	fs_job_hold(true);
	if (is_new && !known) {
		if (!o->worker && !o->quiet && isatty(2))
			fputc('\n', stderr);
		fs_trace_set_replay(t, res->log, res->nr_log);
		if (fs_minimize_finding(t, o->target, res, o->diff,
					o->min_seconds, o->out, rec.path,
					sizeof(rec.path), rec.note,
					sizeof(rec.note)))
			fs_internal_error("cannot write the finding");
		if (!o->worker && rec.note[0])
			puts(rec.note);
		if (slot >= 0)
			memcpy(s->title_path[slot], rec.path, PATH_LEN);
		/* Before a worker may be stopped: its report is on stdout. */
		fflush(stdout);
	}
	if (o->worker)
		fs_job_send(&rec, sizeof(rec));
	fs_job_hold(false);
	if (!o->worker && is_new && known)
		announce_known(o, rec.title, rec.why);
	return !known;
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
	s->c.traces++;
	if (hit)
		hit = found(o, s, i, &t, &res);
	fs_trace_free(&t);
	return hit;
}

static void send_counts(const struct run_stats *s)
{
	struct rec_counts rec = { .kind = REC_COUNTS, .c = s->c };

	fs_job_send(&rec, sizeof(rec));
}

/*
 * This process's traces: the indices of this shard, claimed one by one
 * from the counter the --jobs workers share (in order without --jobs),
 * until the runs, the seconds, a finding under --stop or the parent says
 * so.  Trace i is the same whoever runs it (its seed is mix(seed, i)).
 */
static void campaign(struct fs_runner *r, const struct run_opts *o,
		     struct run_stats *s)
{
	double tick = o->worker ? 0.2 : isatty(2) ? 0.5 : 10.0, last = 0;

	for (uint64_t k = 0;; k++) {
		uint64_t i = o->shard + o->nr_shards *
			     (o->worker ? fs_job_claim() : k);

		if (o->runs && i >= o->runs)
			break;
		if (o->seconds && now() - o->start >= o->seconds)
			break;
		if (fs_job_stopped() || fs_interrupted())
			break;
		if (run_trace(r, o, i, s) && o->stop)
			break;
		if ((o->worker || !o->quiet) && now() - last >= tick) {
			last = now();
			if (o->worker)
				send_counts(s);
			else
				progress(s, last - o->start, false);
		}
	}
	if (o->worker)
		send_counts(s);
}

static struct fs_runner *make_runner(const struct run_opts *o)
{
	struct fs_runner_opts ro = { .checks = true, .target = o->target,
				     .diff = o->diff };
	struct fs_runner *r = fs_runner_create(&ro);

	if (!r)
		fs_internal_error("cannot set up the page arena");
	return r;
}

static void header(struct run_opts *o)
{
	char extra[96] = "";

	if (!o->target)
		o->target = fs_targets[fs_nr_targets - 1];
	if (o->jobs > 1 || o->nr_shards > 1)
		snprintf(extra, sizeof(extra), ", %u job(s)", o->jobs);
	if (o->nr_shards > 1)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 ", shard %llu/%llu", (unsigned long long)o->shard,
			 (unsigned long long)o->nr_shards);
	printf("fragsim run: target %s (%s, layout %s, build %s), seed 0x%016llx, %s %g%s%s\n",
	       o->target->name, o->target->release, o->target->layout,
	       o->target->build_id, (unsigned long long)o->seed,
	       o->runs ? "runs" : "seconds", o->runs ? (double)o->runs : o->seconds,
	       o->diff && strcmp(o->target->name, "ref") ? ", differential vs ref" : "",
	       extra);
}

/* The parent of --jobs: what its workers send. */
struct jobs_ctx {
	struct run_opts *o;
	struct run_stats *s;
	struct fs_jobs j;
	struct run_counts wc[FS_JOBS_MAX];	/* each worker's latest */
};

static void print_file(const char *path)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		fs_internal_error("cannot read %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)))
		fwrite(buf, 1, n, stdout);
	fclose(f);
}

/* "X.trace" and its report "X.txt". */
static void txt_of(char *txt, size_t len, const char *trace)
{
	size_t n = strlen(trace);

	snprintf(txt, len, "%.*s.txt", (int)(n > 6 ? n - 6 : n), trace);
}

/* The minimized finding's original beside it: X.trace -> X.orig.trace. */
static void orig_of(char *orig, size_t len, const char *trace)
{
	size_t n = strlen(trace);

	snprintf(orig, len, "%.*s.orig.trace", (int)(n > 6 ? n - 6 : n), trace);
}

/* A title one worker reports: printed the first time, one trace kept. */
static void merge_finding(struct jobs_ctx *x, const struct rec_finding *f)
{
	char txt[PATH_LEN + 16];
	bool is_new;
	int slot = note_title(x->s, f->title, f->supp_at, f->index, &is_new);

	if (f->path[0])
		txt_of(txt, sizeof(txt), f->path);
	if (!is_new && f->path[0]) {
		/* Another worker's first of a title already reported. */
		unlink(f->path);
		unlink(txt);
		orig_of(txt, sizeof(txt), f->path);
		unlink(txt);
	} else if (is_new && f->known) {
		announce_known(x->o, f->title, f->why);
	} else if (is_new) {
		if (!x->o->quiet && isatty(2))
			fputc('\n', stderr);
		print_file(txt);
		if (f->note[0])
			puts(f->note);
		if (slot >= 0)
			memcpy(x->s->title_path[slot], f->path, PATH_LEN);
	}
	/* --stop: the other workers' traces in flight are not waited for. */
	if (!f->known && x->o->stop)
		fs_jobs_stop(&x->j, true);
}

static void on_rec(void *ctx, unsigned int w, const void *rec, size_t len)
{
	struct jobs_ctx *x = ctx;
	uint8_t kind = *(const uint8_t *)rec;

	if (kind == REC_COUNTS && len == sizeof(struct rec_counts)) {
		const struct rec_counts *c = rec;

		x->wc[w] = c->c;
		memset(&x->s->c, 0, sizeof(x->s->c));
		for (unsigned int i = 0; i < x->j.n; i++) {
			x->s->c.ops += x->wc[i].ops;
			x->s->c.traces += x->wc[i].traces;
			x->s->c.runs += x->wc[i].runs;
			add_mstats(&x->s->c.m, &x->wc[i].m);
		}
	} else if (kind == REC_FINDING && len == sizeof(struct rec_finding)) {
		merge_finding(x, rec);
	} else {
		fs_internal_error("jobs: worker %u sent a bad record", w);
	}
}

static void worker_main(void *ctx, unsigned int w)
{
	struct run_opts *o = ctx;
	static struct run_stats s;
	struct fs_runner *r = make_runner(o);

	(void)w;	/* workers claim their traces; which one does not matter */
	o->worker = true;
	campaign(r, o, &s);
	fs_runner_destroy(r);
}

static void run_jobs(struct run_opts *o, struct run_stats *s)
{
	static struct jobs_ctx x;
	double tick = isatty(2) ? 0.5 : 10.0, last = 0;

	x.o = o;
	x.s = s;
	fs_jobs_start(&x.j, o->jobs, worker_main, o);
	while (fs_jobs_poll(&x.j, 0.1, on_rec, &x)) {
		if (!o->quiet && now() - last >= tick) {
			last = now();
			progress(s, last - o->start, false);
		}
	}
	if (!fs_jobs_wait(&x.j))
		fs_internal_error("a --jobs worker failed (see above)");
}

/* The titles by their first trace: the order of a run without --jobs. */
static void title_order(const struct run_stats *s, unsigned int *order)
{
	for (unsigned int i = 0; i < s->nr_titles; i++) {
		unsigned int j = i;

		for (; j > 0 && s->title_first[order[j - 1]] > s->title_first[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
}

static void summary(const struct run_opts *o, const struct run_stats *s,
		    double elapsed)
{
	const struct run_counts *c = &s->c;
	unsigned int order[MAX_TITLES];
	char known[64] = "";

	if (!o->quiet)
		progress(s, elapsed, true);
	if (s->known)
		snprintf(known, sizeof(known), ", %llu known (suppressed)",
			 (unsigned long long)s->known);
	printf("fragsim run: %s: %.1f s, %llu traces (%llu runs), %llu ops executed (%.0f ops/s), %llu finding(s)%s\n",
	       o->target->name, elapsed, (unsigned long long)c->traces,
	       (unsigned long long)c->runs,
	       (unsigned long long)c->ops, elapsed > 0 ? c->ops / elapsed : 0.0,
	       (unsigned long long)s->findings, known);
	printf("fragsim run: simulator: %llu scheduling points, %llu hard irqs injected, %llu softirqs run, %llu CPU switches (%llu preemptions), %llu agent actions%s\n",
	       (unsigned long long)c->m.steps, (unsigned long long)c->m.irqs,
	       (unsigned long long)c->m.softirqs,
	       (unsigned long long)c->m.switches,
	       (unsigned long long)c->m.preemptions,
	       (unsigned long long)c->m.agent_actions,
	       o->determinism ? "; every case ran twice with identical event hashes" : "");
	title_order(s, order);
	for (unsigned int k = 0; k < s->nr_titles; k++) {
		unsigned int i = order[k];

		if (s->title_known[i])
			printf("  %6llu x (known) %s  [suppressed by %s]\n",
			       (unsigned long long)s->title_hits[i],
			       s->titles[i], s->title_supp[i]);
		else
			printf("  %6llu x %s\n",
			       (unsigned long long)s->title_hits[i],
			       s->titles[i]);
	}
}

static void json_str(FILE *f, const char *str)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * One JSON line per run, appended to --summary (scripts/merge-runs.py
 * merges the lines of the shards of one campaign into one report).
 */
static void write_summary(const struct run_opts *o, const struct run_stats *s,
			  double elapsed)
{
	unsigned int order[MAX_TITLES];
	FILE *f;

	if (strchr(o->summary_file, '/')) {
		struct stat st;

		if (stat(o->out, &st))
			mkdir(o->out, 0777);
	}
	/* A --summary FILE that cannot be written is bad input, not a crash. */
	f = fopen(o->summary_file, "a");
	if (!f)
		fs_usage_error("--summary %s: cannot write it (%s)", o->summary_file,
			       strerror(errno));
	fprintf(f, "{\"fragsim_run\": 1, \"target\": ");
	json_str(f, o->target->name);
	fprintf(f, ", \"build\": \"%s\", \"seed\": \"0x%016llx\", \"shard\": [%llu, %llu], \"jobs\": %u, \"runs\": %llu, \"seconds\": %g, \"elapsed\": %.3f, \"traces\": %llu, \"trace_runs\": %llu, \"ops\": %llu, \"findings\": %llu, \"known\": %llu, \"out\": ",
		o->target->build_id, (unsigned long long)o->seed,
		(unsigned long long)o->shard, (unsigned long long)o->nr_shards,
		o->jobs, (unsigned long long)o->runs, o->seconds, elapsed,
		(unsigned long long)s->c.traces, (unsigned long long)s->c.runs,
		(unsigned long long)s->c.ops, (unsigned long long)s->findings,
		(unsigned long long)s->known);
	json_str(f, o->out);
	fprintf(f, ", \"titles\": [");
	title_order(s, order);
	for (unsigned int k = 0; k < s->nr_titles; k++) {
		unsigned int i = order[k];

		fprintf(f, "%s{\"title\": ", k ? ", " : "");
		json_str(f, s->titles[i]);
		fprintf(f, ", \"hits\": %llu, \"known\": %s, \"first_trace\": %llu, \"trace\": ",
			(unsigned long long)s->title_hits[i],
			s->title_known[i] ? "true" : "false",
			(unsigned long long)s->title_first[i]);
		json_str(f, s->title_path[i]);
		fputc('}', f);
	}
	fprintf(f, "]}\n");
	if (fclose(f))
		fs_usage_error("--summary %s: cannot write it (%s)", o->summary_file,
			       strerror(errno));
}

int fs_cmd_run(int argc, char **argv)
{
	struct run_opts o = { .out = "fragsim-findings", .diff = true,
			      .workload = -1, .nr_shards = 1, .min_seconds = 10 };
	static struct run_stats s;
	struct fs_runner *r = NULL;
	double elapsed;

	parse(argc, argv, &o);
	header(&o);
	if (o.jobs == 1)
		r = make_runner(&o);
	o.start = now();
	fs_catch_sigint();
	if (r)
		campaign(r, &o, &s);
	else
		run_jobs(&o, &s);
	elapsed = now() - o.start;
	summary(&o, &s, elapsed);
	if (fs_interrupted())
		printf("fragsim run: interrupted (SIGINT): the summary above covers the traces run so far\n");
	if (o.summary_file)
		write_summary(&o, &s, elapsed);
	if (r)
		fs_runner_destroy(r);
	fs_supp_free(&o.supp);
	return s.findings ? FS_EXIT_FINDING : FS_EXIT_OK;
}
