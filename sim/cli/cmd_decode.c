// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim decode FILE: the text trace a fuzzer input (the binary form,
 * docs/binary-format.md) stands for, in canonical form.  A text trace is
 * printed back canonically too, so any artifact can be read the same way.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "anchors.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: %s decode [-o OUT] [--target T] [--anchor] FILE\n"
		   "  print the text trace of FILE (a binary fuzzer input or a text trace;\n"
		   "  - is standard input); a binary input gains the 'target' line of the\n"
		   "  target replay runs it on\n"
		   "  -o OUT   write it to OUT instead of standard output\n"
		   "  --target T  that target instead (as replay --target: the one the\n"
		   "           fuzzer ran, FRAGSIM_FUZZ_TARGET)\n"
		   "  --anchor run it once on that target and, if it finds something, write\n"
		   "           its schedule anchored, as fragsim run writes findings\n"
		   "           (docs/trace-format.md, \"Portable schedules\")\n",
		fs_argv0);
}

int fs_cmd_decode(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "anchor", no_argument, NULL, 'a' },
		{ "target", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct fs_target *forced = NULL;
	const char *out = NULL;
	bool anchor = false;
	struct fs_trace t;
	char err[512];
	bool binary;
	char *text;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'a': anchor = true; break;
		case 't': forced = fs_opt_target(optarg); break;
		case 'h': usage(stdout); return FS_EXIT_OK;
		default:
			fs_usage_error("decode: unknown or incomplete option '%s' (see '%s decode --help')",
				       argv[optind - 1], fs_argv0);
		}
	}
	if (optind != argc - 1)
		fs_usage_error("decode takes exactly one file (see '%s decode --help')",
			       fs_argv0);
	fs_trace_init(&t);
	if (fs_load_trace(&t, argv[optind], &binary, err, sizeof(err)))
		fs_usage_error("%s", err);
	/* The target replay would run it on, so that the text runs there too. */
	if ((binary && !t.target[0]) || forced)
		snprintf(t.target, sizeof(t.target), "%s",
			 fs_pick_target(&t, forced, argv[optind], binary)->name);
	if (anchor && !fs_anchor_decoded(&t, fs_pick_target(&t, forced,
							    argv[optind],
							    binary)))
		fprintf(stderr, "fragsim decode: %s found nothing on this build: its schedule keeps its steps\n",
			fs_input_name(argv[optind]));
	if (out) {
		if (fs_trace_write_file(&t, out))
			fs_usage_error("decode: cannot write %s", out);
	} else {
		text = fs_trace_print(&t);
		fputs(text, stdout);
		free(text);
	}
	fs_trace_free(&t);
	return FS_EXIT_OK;
}
