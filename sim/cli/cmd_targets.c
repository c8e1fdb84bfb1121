// SPDX-License-Identifier: GPL-2.0
/* fragsim targets: what code under test this binary holds. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int fs_cmd_targets(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: %s targets\n", fs_argv0);
		return FS_EXIT_OK;
	}
	if (argc > 1)
		fs_usage_error("targets takes no arguments (got '%s')", argv[1]);
	/*
	 * TREE last: meson keeps a build dir's kernel_tree when `meson setup`
	 * is run again with another -D, so say which tree was built.
	 */
	printf("%-16s %-24s %-14s %-13s %s\n", "TARGET", "RELEASE", "LAYOUT",
	       "BUILD", "TREE");
	for (unsigned int i = 0; i < fs_nr_targets; i++) {
		const struct fs_target *t = fs_targets[i];

		printf("%-16s %-24s %-14s %-13s %s%s%s\n", t->name, t->release,
		       t->layout, t->build_id, t->tree[0] ? t->tree : "-",
		       t->zoo[0] ? "  zoo " : "", t->zoo);
	}
	return FS_EXIT_OK;
}
