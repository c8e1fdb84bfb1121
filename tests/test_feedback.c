// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzers' concurrency feedback (sim/machine/feedback.c): what lands
 * in the map, and what a new run forgets.
 */
#include "../sim/machine/feedback.h"
#include "testlib.h"

#define LEN	12288
#define THIRD	(LEN / 3)

static uint8_t map[LEN];

static unsigned int set_in(unsigned int part)
{
	unsigned int n = 0;

	for (unsigned int i = part * THIRD; i < (part + 1) * THIRD; i++)
		n += map[i] != 0;
	return n;
}

static void fresh(void)
{
	memset(map, 0, sizeof(map));
	fs_fb_set_map(map, LEN);
	fs_fb_reset();
}

static const void *const site = (const void *)0x401234;

static bool test_agent_action_is_a_decision_site_of_its_own(void)
{
	fresh();
	fs_fb_decision(false, site, 1, 1);
	ASSERT_EQ(set_in(0), 1);
	fs_fb_agent(1, site, 1, 1);	/* same site and context, an agent */
	ASSERT_EQ(set_in(0), 2);
	fs_fb_agent(2, site, 1, 1);	/* another kind of action */
	ASSERT_EQ(set_in(0), 3);
	fs_fb_agent(1, site, 1, 1);	/* the same again: the same bucket */
	ASSERT_EQ(set_in(0), 3);
	ASSERT_EQ(set_in(1) + set_in(2), 0);
	return true;
}

static bool test_alias_pair_within_one_run(void)
{
	static long obj;

	fresh();
	fs_fb_access(&obj, site, 1 << 8 | 1, 1);
	fs_fb_access(&obj, site, 2 << 8 | 1, 1);	/* another context */
	ASSERT_EQ(set_in(1), 1);
	return true;
}

static bool test_new_run_forgets_the_last_runs_accesses(void)
{
	static long obj;

	fresh();
	fs_fb_access(&obj, site, 1 << 8 | 1, 1);
	memset(map, 0, sizeof(map));
	fs_fb_reset();				/* the next input */
	fs_fb_access(&obj, site, 2 << 8 | 1, 1);
	ASSERT_EQ(set_in(1), 0);
	return true;
}

static bool test_no_map_no_feedback(void)
{
	static long obj;

	memset(map, 0, sizeof(map));
	fs_fb_set_map(NULL, 0);
	fs_fb_reset();
	fs_fb_decision(true, site, 1, 1);
	fs_fb_agent(1, site, 1, 1);
	fs_fb_access(&obj, site, 1, 1);
	ASSERT_EQ(set_in(0) + set_in(1) + set_in(2), 0);
	return true;
}

int main(void)
{
	static const struct fs_test tests[] = {
		TEST(test_agent_action_is_a_decision_site_of_its_own),
		TEST(test_alias_pair_within_one_run),
		TEST(test_new_run_forgets_the_last_runs_accesses),
		TEST(test_no_map_no_feedback),
	};

	return FS_RUN_TESTS(tests);
}
