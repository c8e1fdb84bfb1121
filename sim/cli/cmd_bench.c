// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim bench: the cost of the simulator.  The same alloc/free stream is
 * run in one binary against an uninstrumented build of the kernel code
 * (native), then against the KCSAN-instrumented build with its scheduling
 * points dormant, live (the machine and scheduler see every access), and
 * live with the checker, the fragment fill and the differential reference
 * added in turn.  Prints ns/op and the ratio to native; the best of several
 * repetitions counts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../trace/trace_gen.h"
#include "cli.h"

#define WINDOW	64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A stream with WINDOW fragments live: alloc, then free the oldest. */
static void bench_trace(struct fs_trace *t, uint64_t n, uint64_t seed)
{
	static const uint32_t sizes[] = { 64, 128, 256, 576, 1024, 1856, 2048, 3000 };
	uint32_t h[WINDOW];

	fs_trace_add_cache(t, "nc0", FS_CACHE_PAGE_FRAG);
	for (int i = 0; i < WINDOW; i++) {
		char name[16];

		snprintf(name, sizeof(name), "h%d", i);
		h[i] = fs_trace_add_handle(t, name);
	}
	for (uint64_t i = 0; i < n / 2; i++) {
		struct fs_op op = {
			.kind = FS_OP_ALLOC, .handle = h[i % WINDOW],
			.size = sizes[fs_rng_next(&seed) % 8], .gfp = FS_GFP_ATOMIC,
		};

		if (i >= WINDOW) {
			struct fs_op fr = { .kind = FS_OP_FREE, .handle = h[i % WINDOW] };

			fs_trace_add_op(t, &fr);
		}
		fs_trace_add_op(t, &op);
	}
}

enum bench_mode {
	NATIVE,		/* uninstrumented twin, direct calls */
	DORMANT,	/* instrumented, no machine: every point returns at once */
	LIVE,		/* injection points live: the scheduler sees every access */
	CHECKS,		/* + the checker, without fragment fill/verify */
	PAYLOAD,	/* + fragment fill/verify */
	DIFF,		/* + the differential reference model */
};

static double measure(const struct fs_target *target, const struct fs_trace *t,
		      enum bench_mode mode, int reps, uint64_t *ops)
{
	struct fs_runner_opts ro = {
		.target = target, .checks = mode >= CHECKS, .diff = mode == DIFF,
		.no_payload = mode < PAYLOAD, .no_points = mode <= DORMANT,
	};
	struct fs_runner *r = fs_runner_create(&ro);
	double best = 1e30;
	char err[256];

	if (!r)
		fs_internal_error("cannot set up the page arena");
	for (int i = 0; i < reps; i++) {
		struct fs_run_result res;
		double t0 = now(), dt;

		if (fs_runner_run(r, t, &res, err, sizeof(err)))
			fs_internal_error("bench trace rejected: %s", err);
		dt = now() - t0;
		if (res.finding)
			fs_internal_error("bench trace has a finding on %s: %s",
					  target->name, res.finding->title);
		*ops = res.ops;
		if (dt < best)
			best = dt;
	}
	fs_runner_destroy(r);
	return best * 1e9 / (double)*ops;
}

static const struct fs_target *native_twin(const struct fs_target *t)
{
	for (unsigned int i = 0; fs_native_targets[i]; i++)
		if (!strcmp(fs_native_targets[i]->name, t->name))
			return fs_native_targets[i];
	return t;	/* ref: not instrumented in the first place */
}

static void line(const char *what, double ns, double base, const char *goal)
{
	printf("  %-46s %8.1f ns/op  %5.2fx%s\n", what, ns, ns / base, goal);
}

int fs_cmd_bench(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct fs_target *target = fs_targets[fs_nr_targets - 1];
	uint64_t n = 2000000, ops = 0;
	double native, dormant, live, checked, full, nopayload;
	struct fs_trace t;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': target = fs_opt_target(optarg); break;
		case 'n': n = fs_opt_u64("--ops", optarg); break;
		case 'h':
			printf("usage: %s bench [--target T] [--ops N]\n", fs_argv0);
			return FS_EXIT_OK;
		default:
			fs_usage_error("bench: unknown or incomplete option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		fs_usage_error("bench: unexpected argument '%s'", argv[optind]);
	/* The bench trace runs as one trace: the trace cap bounds it too. */
	if (n < 2 * WINDOW || n > FS_MAX_TRACE_OPS)
		fs_usage_error("bench: --ops must be from %d to %u", 2 * WINDOW,
			       FS_MAX_TRACE_OPS);
	fs_trace_init(&t);
	bench_trace(&t, n, 1);
	native = measure(native_twin(target), &t, NATIVE, 5, &ops);
	dormant = measure(target, &t, DORMANT, 5, &ops);
	live = measure(target, &t, LIVE, 5, &ops);
	nopayload = measure(target, &t, CHECKS, 3, &ops);
	checked = measure(target, &t, PAYLOAD, 3, &ops);
	full = measure(target, &t, DIFF, 3, &ops);
	printf("fragsim bench: target %s (%s, build %s)\n", target->name,
	       target->release, target->build_id);
	printf("  workload: %llu ops, alloc 64..3000 bytes / free oldest, %d live\n",
	       (unsigned long long)ops, WINDOW);
	printf("  %-46s %8.1f ns/op\n", native_twin(target) == target ?
	       "native (direct calls, no hooks)" :
	       "native (uninstrumented build, direct calls)", native);
	line("instrumented, points dormant (no machine)", dormant, native, "");
	line("instrumented, injection points live", live, native,
	     "  (target <= 3x)");
	line("  + every check, no fragment fill", nopayload, native, "");
	line("  + fragment fill and verify", checked, native,
	     "  (target <= 4.5x)");
	line("  + differential reference model", full, native, "");
	fs_trace_free(&t);
	return FS_EXIT_OK;
}
