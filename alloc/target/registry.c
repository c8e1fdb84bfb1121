// SPDX-License-Identifier: GPL-2.0
/* Looking a target up by name in the binary's registry. */
#include <string.h>

#include <fragsim/target.h>

const struct fs_target *fs_target_find(const char *name)
{
	for (unsigned int i = 0; i < fs_nr_targets; i++)
		if (!strcmp(fs_targets[i]->name, name))
			return fs_targets[i];
	return NULL;
}
