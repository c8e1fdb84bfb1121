// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim: run the Linux page_frag code under a shadow model.
 * See docs/cli.md; exit statuses: 0 no finding, 1 finding(s), 2 bad input
 * or usage, 3 internal error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../stress/stress.h"

const char *fs_argv0 = "fragsim";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "targets", fs_cmd_targets, "list the code under test built into this binary" },
	{ "run", fs_cmd_run, "run random traces against a target and report findings" },
	{ "replay", fs_cmd_replay, "replay a trace file exactly and report what it finds" },
	{ "minimize", fs_cmd_minimize, "shrink a finding's trace: operations, then preemptions/injections" },
	{ "validate", fs_cmd_validate, "the same work on an unpatched and a patched target: a verdict" },
	{ "decode", fs_cmd_decode, "print the text trace of a binary (fuzzer) input" },
	{ "bench", fs_cmd_bench, "native calls vs the simulator with every check on" },
	{ "stress", fs_stress_main, "the uninstrumented kernel code on real threads (no replay)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: %s <command> [options]\n\ncommands:\n", fs_argv0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'%s <command> --help' for a command's options.\n"
		   "exit status: 0 no finding, 1 finding(s), 2 bad input or usage, 3 internal error\n",
		fs_argv0);
}

int main(int argc, char **argv)
{
	if (argc > 0)
		fs_argv0 = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		fs_usage_error("no command given (try '%s --help')", fs_argv0);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return FS_EXIT_OK;
	}
	fs_watchdog_enable();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fs_usage_error("unknown command '%s' (try '%s --help')", argv[1], fs_argv0);
}
