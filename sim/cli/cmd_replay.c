// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim replay FILE: run one trace exactly as written, on the target its
 * header names (or --target), and report.  A trace's expectations decide
 * the exit status: "expect-finding KIND" makes that finding a pass.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check/check.h"
#include "anchors.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s replay [--target T] [--no-diff] [--suppress FILE] FILE\n"
		"  FILE         a text trace or a binary fuzzer input; - reads standard input\n"
		"  --target T   run on T instead of the target in the trace header\n"
		"  --no-diff    no differential check against the reference model\n"
		FS_CLI_SUPP_USAGE
		"exit status: 0 the trace behaved as expected (no finding, a known (suppressed)\n"
		"one, or the finding its 'expect-finding' line names), 1 a finding, 2 bad input,\n"
		"4 no finding and a schedule decision could not be placed on this build\n",
		fs_argv0);
}

static int verdict(const struct fs_trace *t, const struct fs_run_result *res,
		   const struct fs_supp_entry *known)
{
	const char *want = t->expect_finding;
	const char *got = res->finding ? fs_finding_slug(res->finding->kind) : "none";

	if (!want[0])
		return res->finding && !known ? FS_EXIT_FINDING : FS_EXIT_OK;
	if (!strcmp(want, got)) {
		if (res->finding)
			printf("fragsim replay: the expected finding '%s' reproduced\n", want);
		else
			printf("fragsim replay: no finding, as the trace expects\n");
		return FS_EXIT_OK;
	}
	printf("fragsim replay: EXPECTATION FAILED: expected finding '%s', got '%s'\n",
	       want, got);
	return FS_EXIT_FINDING;
}

/* Never "0, no finding" when the schedule was not the one recorded. */
static int placed(const char *file, const struct fs_run_result *res,
		  const char *why, int rc)
{
	if (why[0]) {
		fprintf(stderr, "fragsim: not reproducible on this build: %s: %s (see the repro key's cc=)\n",
			file, why);
		return FS_EXIT_NOT_PLACED;
	}
	if (res->finding || !res->mstats.unplaced)
		return rc;
	fprintf(stderr, "fragsim: not reproducible on this build: %llu schedule decision(s) of %s could not be placed (scheduling-point numbers depend on the compiler and its flags; see the repro key's cc=)\n",
		(unsigned long long)res->mstats.unplaced, file);
	return FS_EXIT_NOT_PLACED;
}

/* What ran, and how it was scheduled. */
static void summary(const char *file, const struct fs_target *tg,
		    const struct fs_trace *t, const struct fs_run_result *res,
		    const struct fs_supp_entry *known)
{
	char why[512] = "";

	if (res->finding && !strcmp(t->expect_finding,
				    fs_finding_slug(res->finding->kind)))
		snprintf(why, sizeof(why), " (expected)");
	else if (known) {
		why[0] = ' ';
		fs_supp_describe(known, why + 1, sizeof(why) - 1);
	}
	printf("fragsim replay: %s on %s (%s, build %s): %llu ops, %s%s\n", file,
	       tg->name, tg->release, tg->build_id,
	       (unsigned long long)res->ops,
	       res->finding ? "1 finding" : "no finding", why);
	if (known)
		printf("fragsim replay: known upstream bug: %s\n", known->link);
	if (fs_trace_concurrent(t))
		printf("fragsim replay: %s schedule, %llu scheduling points: %llu hard irq(s) injected, %llu softirq run(s), %llu CPU switch(es), %llu agent action(s)\n",
		       fs_strategy_name(res->strategy),
		       (unsigned long long)res->mstats.steps,
		       (unsigned long long)res->mstats.irqs,
		       (unsigned long long)res->mstats.softirqs,
		       (unsigned long long)res->mstats.switches,
		       (unsigned long long)res->mstats.agent_actions);
	fputs(res->notes, stdout);
}

int fs_cmd_replay(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "no-diff", no_argument, NULL, 'D' },
		{ "suppress", required_argument, NULL, 'U' },
		{ "no-default-suppressions", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct fs_runner_opts ro = { .checks = true, .diff = true };
	const struct fs_target *forced = NULL;
	const struct fs_supp_entry *known;
	struct fs_cli_supp so = { 0 };
	struct fs_supp supp = { 0 };
	struct fs_run_result res;
	struct fs_runner *r;
	struct fs_trace t;
	char err[512], why[1024];
	const char *file;
	bool binary;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': forced = fs_opt_target(optarg); break;
		case 'D': ro.diff = false; break;
		case 'U': fs_cli_supp_add(&so, optarg); break;
		case 'N': so.no_default = true; break;
		case 'h': usage(stdout); return FS_EXIT_OK;
		default:
			fs_usage_error("replay: unknown or incomplete option '%s' (see '%s replay --help')",
				       argv[optind - 1], fs_argv0);
		}
	}
	if (optind != argc - 1)
		fs_usage_error("replay takes exactly one trace file (see '%s replay --help')",
			       fs_argv0);
	file = argv[optind];
	fs_cli_supp_load(&supp, &so);
	fs_trace_init(&t);
	if (fs_load_trace(&t, file, &binary, err, sizeof(err)))
		fs_usage_error("%s", err);
	file = fs_input_name(file);
	if (binary) {
		/* A fuzzer's artifact: show what it stands for first. */
		char *text = fs_trace_print(&t);

		printf("fragsim replay: %s is a binary trace; as text:\n%s--\n",
		       file, text);
		free(text);
	}
	ro.target = fs_pick_target(&t, forced, file, binary);
	r = fs_runner_create(&ro);
	if (!r)
		fs_internal_error("cannot set up the page arena");
	if (fs_replay_anchored(r, ro.target, &t, &res, why, sizeof(why), err,
			       sizeof(err)))
		fs_usage_error("%s: %s", file, err);
	known = fs_supp_match(&supp, res.finding, ro.target->name);
	summary(file, ro.target, &t, &res, known);
	if (res.finding)
		fs_emit_finding(&t, ro.target, &res, NULL, file, NULL, 0);
	rc = placed(file, &res, why, verdict(&t, &res, known));
	fs_runner_destroy(r);
	fs_trace_free(&t);
	fs_supp_free(&supp);
	return rc;
}
