/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation that cannot fail: fragsim's own tables are small and an
 * allocation failure is an internal error (exit via abort, one line), never
 * a finding.  Header-only so the standalone fuzz mutator can use it too.
 */
#ifndef FRAGSIM_LIB_XALLOC_H
#define FRAGSIM_LIB_XALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noreturn, cold)) static inline void fs_oom(void)
{
	fputs("fragsim: out of memory\n", stderr);
	abort();
}

static inline void *fs_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fs_oom();
	return p;
}

static inline void *fs_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fs_oom();
	return p;
}

static inline void *fs_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fs_oom();
	return p;
}

static inline void *fs_xrealloc_array(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		fs_oom();
	return fs_xrealloc(p, nmemb * size);
}

static inline char *fs_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		fs_oom();
	return p;
}

#endif /* FRAGSIM_LIB_XALLOC_H */
