// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim bench: the cost of the simulator.  The same alloc/free stream is
 * run three ways in one binary: native (direct calls into the code under
 * test through its target table, no hooks), with every check, and with
 * every check plus the differential reference model.  Prints ns/op and
 * the ratio to native; the best of several repetitions counts.
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

static double measure(const struct fs_target *target, const struct fs_trace *t,
		      bool checks, bool diff, bool payload, int reps, uint64_t *ops)
{
	struct fs_runner_opts ro = { .target = target, .checks = checks,
				     .diff = diff, .no_payload = !payload };
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
	double native, checked, full, nopayload;
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
	if (n < 2 * WINDOW)
		fs_usage_error("bench: --ops must be at least %d", 2 * WINDOW);
	fs_trace_init(&t);
	bench_trace(&t, n, 1);
	native = measure(target, &t, false, false, false, 5, &ops);
	nopayload = measure(target, &t, true, false, false, 3, &ops);
	checked = measure(target, &t, true, false, true, 3, &ops);
	full = measure(target, &t, true, true, true, 3, &ops);
	printf("fragsim bench: target %s (%s, build %s)\n", target->name,
	       target->release, target->build_id);
	printf("  workload: %llu ops, alloc 64..3000 bytes / free oldest, %d live\n",
	       (unsigned long long)ops, WINDOW);
	printf("  native (direct calls, no hooks):           %8.1f ns/op\n", native);
	printf("  simulator, checks without fragment fill:   %8.1f ns/op  %5.2fx\n",
	       nopayload, nopayload / native);
	printf("  simulator, every check:                    %8.1f ns/op  %5.2fx\n",
	       checked, checked / native);
	printf("  simulator, every check + differential ref: %8.1f ns/op  %5.2fx  (target <= 5x)\n",
	       full, full / native);
	fs_trace_free(&t);
	return FS_EXIT_OK;
}
