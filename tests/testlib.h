/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny self-checking test harness in the style of the kernel's userspace
 * harnesses: static bool test_<behaviour>(void) functions, ASSERT_* macros
 * that print file:line:function, and a summary line "N passed, N failed".
 */
#ifndef FRAGSIM_TESTLIB_H
#define FRAGSIM_TESTLIB_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ASSERT_TRUE(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d:%s: assertion failed: %s\n",	\
			__FILE__, __LINE__, __func__, #c);		\
		return false;						\
	}								\
} while (0)
#define ASSERT_FALSE(c)	ASSERT_TRUE(!(c))
#define ASSERT_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b) {						\
		fprintf(stderr, "%s:%d:%s: %s == %s failed: %lld != %lld\n", \
			__FILE__, __LINE__, __func__, #a, #b, __a, __b);	\
		return false;						\
	}								\
} while (0)
#define ASSERT_STREQ(a, b) do {						\
	const char *__a = (a), *__b = (b);				\
	if (!__a || !__b || strcmp(__a, __b)) {				\
		fprintf(stderr, "%s:%d:%s: \"%s\" != \"%s\"\n",		\
			__FILE__, __LINE__, __func__, __a ? __a : "(null)", \
			__b ? __b : "(null)");				\
		return false;						\
	}								\
} while (0)
#define ASSERT_CONTAINS(hay, needle) do {				\
	const char *__h = (hay), *__n = (needle);			\
	if (!__h || !strstr(__h, __n)) {				\
		fprintf(stderr, "%s:%d:%s: \"%s\" not found in:\n%s\n",	\
			__FILE__, __LINE__, __func__, __n,		\
			__h ? __h : "(null)");				\
		return false;						\
	}								\
} while (0)

struct fs_test {
	const char *name;
	bool (*fn)(void);
};

#define TEST(f) { #f, f }

static inline int fs_run_tests(const struct fs_test *t, int n)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < n; i++) {
		bool ok = t[i].fn();

		printf("%s %s\n", ok ? "ok  " : "FAIL", t[i].name);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define FS_RUN_TESTS(arr) fs_run_tests(arr, (int)(sizeof(arr) / sizeof((arr)[0])))

#endif /* FRAGSIM_TESTLIB_H */
