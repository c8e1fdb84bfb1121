/* SPDX-License-Identifier: GPL-2.0 */
/* Shim kind: probe (ASan reports an access to poisoned arena memory); stub without ASan. */
/* ASan poisoning of arena memory; no-ops in builds without ASan. */
#ifndef KSHIM_ASAN_H
#define KSHIM_ASAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define FS_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_HAVE_ASAN 1
#endif
#endif

#ifdef FS_HAVE_ASAN
#include <sanitizer/asan_interface.h>
static inline void fs_asan_poison(void *p, size_t n)
{
	ASAN_POISON_MEMORY_REGION(p, n);
}

static inline void fs_asan_unpoison(void *p, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(p, n);
}
#else
static inline void fs_asan_poison(void *p, size_t n)
{
	(void)p;
	(void)n;
}

static inline void fs_asan_unpoison(void *p, size_t n)
{
	(void)p;
	(void)n;
}
#endif

#endif /* KSHIM_ASAN_H */
