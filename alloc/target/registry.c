// SPDX-License-Identifier: GPL-2.0
/* Looking a target up by name in the binary's registry, a function in a target. */
#include <string.h>

#include <fragsim/target.h>

const struct fs_target *fs_target_find(const char *name)
{
	for (unsigned int i = 0; i < fs_nr_targets; i++)
		if (!strcmp(fs_targets[i]->name, name))
			return fs_targets[i];
	return NULL;
}

const struct fs_kfunc *fs_target_kfunc(const struct fs_target *t,
				       const char *name)
{
	for (unsigned int i = 0; name && i < t->nr_kfuncs; i++)
		if (!strcmp(t->kfuncs[i].name, name))
			return &t->kfuncs[i];
	return NULL;
}
