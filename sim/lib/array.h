/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed and growable arrays: the one ARRAY_SIZE, and the one doubling
 * helper every table of fragsim's grows with.
 */
#ifndef FRAGSIM_LIB_ARRAY_H
#define FRAGSIM_LIB_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Make room for element @nr in a table of @*cap elements of @size bytes
 * (first size @min), doubling; returns the (maybe moved) table.
 */
static inline void *fs_grow(void *p, size_t nr, size_t *cap, size_t size,
			    size_t min)
{
	size_t ncap;

	if (nr < *cap)
		return p;
	ncap = *cap ? *cap : (min ? min : 16);
	while (ncap <= nr) {
		if (ncap > SIZE_MAX / 2)
			fs_oom();
		ncap *= 2;
	}
	p = fs_xrealloc_array(p, ncap, size);
	*cap = ncap;
	return p;
}

/* FS_GROW(t->items, t->nr, t->cap): room for t->items[t->nr]; cap is size_t. */
#define FS_GROW(arr, nr, cap) \
	((arr) = fs_grow((arr), (nr), &(cap), sizeof(*(arr)), 0))

#endif /* FRAGSIM_LIB_ARRAY_H */
