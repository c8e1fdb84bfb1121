// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict of fragsim validate (sim/core/validate_verdict.c) on
 * synthetic per-case results: which side has which finding, in a
 * deterministic or a concurrent trace, and divergences.
 */
#include "../sim/core/validate.h"
#include "testlib.h"

#define T_ALIGN	"BUG: fragsim: fragment-misaligned in page_frag_alloc_align"
#define T_LEAK	"BUG: fragsim: page-leak in teardown"
#define T_LEAK2	"BUG: fragsim: page-leak in page_frag_free"

static struct fs_val_result one(uint32_t no, bool concurrent, const char *base,
				const char *patched)
{
	struct fs_val_result r = { .case_no = no, .ran = true,
				   .concurrent = concurrent };

	snprintf(r.side[FS_VAL_BASE].title, sizeof(r.side[0].title), "%s", base);
	snprintf(r.side[FS_VAL_PATCHED].title, sizeof(r.side[0].title), "%s", patched);
	/* The kind is the slug after "fragsim: ". */
	for (int k = 0; k < FS_VAL_NR_SIDES; k++) {
		const char *p = strstr(r.side[k].title, "fragsim: ");

		p = p ? p + strlen("fragsim: ") : "";
		snprintf(r.side[k].kind, sizeof(r.side[k].kind), "%.*s",
			 (int)strcspn(p, " "), p);
	}
	r.side[FS_VAL_BASE].runs = r.side[FS_VAL_PATCHED].runs = 1;
	return r;
}

static enum fs_verdict verdict(const struct fs_val_result *r, uint32_t n)
{
	struct fs_val_summary s;
	enum fs_verdict v;

	fs_val_summarize(r, n, &s);
	v = s.verdict;
	fs_val_summary_free(&s);
	return v;
}

static bool test_pass_when_alike(void)
{
	struct fs_val_result r[] = {
		one(0, false, "", ""), one(1, true, T_LEAK, T_LEAK),
		one(2, false, T_ALIGN, T_ALIGN),
	};

	ASSERT_EQ(verdict(r, 3), FS_VERDICT_PASS);
	return true;
}

static bool test_new_title_is_a_regression(void)
{
	struct fs_val_result r[] = { one(0, true, "", ""), one(1, true, "", T_ALIGN) };

	ASSERT_EQ(verdict(r, 2), FS_VERDICT_REGRESSION);
	return true;
}

/* A concurrent trace may miss on base what its schedule did not reach. */
static bool test_known_title_in_concurrent_trace_is_common(void)
{
	struct fs_val_result r[] = { one(0, true, T_LEAK, T_LEAK), one(1, true, "", T_LEAK) };
	struct fs_val_summary s;

	fs_val_summarize(r, 2, &s);
	ASSERT_EQ(s.verdict, FS_VERDICT_PASS);
	ASSERT_EQ(s.nr_titles, 1);
	ASSERT_EQ(s.titles[0].cases[FS_VAL_BASE], 1);
	ASSERT_EQ(s.titles[0].cases[FS_VAL_PATCHED], 2);
	ASSERT_EQ(fs_val_title_class(&s.titles[0]), FS_VAL_COMMON);
	fs_val_summary_free(&s);
	return true;
}

/* ... or a known kind through another entry point. */
static bool test_known_kind_in_concurrent_trace_is_common(void)
{
	struct fs_val_result r[] = { one(0, true, T_LEAK, T_LEAK), one(1, true, "", T_LEAK2) };

	ASSERT_EQ(verdict(r, 2), FS_VERDICT_PASS);
	r[1].concurrent = false;
	ASSERT_EQ(verdict(r, 2), FS_VERDICT_REGRESSION);
	return true;
}

/* ... but a deterministic one cannot: the same title is then new. */
static bool test_known_title_in_deterministic_trace_is_new(void)
{
	struct fs_val_result r[] = { one(0, true, T_LEAK, T_LEAK), one(1, false, "", T_LEAK) };
	struct fs_val_summary s;

	fs_val_summarize(r, 2, &s);
	ASSERT_EQ(s.verdict, FS_VERDICT_REGRESSION);
	/* The case to show it with is one base passes. */
	ASSERT_EQ(s.titles[0].first[FS_VAL_PATCHED], 0);
	ASSERT_EQ(s.titles[0].first_only[FS_VAL_PATCHED], 1);
	fs_val_summary_free(&s);
	return true;
}

static bool test_gone_title_fixes(void)
{
	struct fs_val_result r[] = { one(0, false, T_LEAK, ""), one(1, true, "", "") };

	ASSERT_EQ(verdict(r, 2), FS_VERDICT_FIXES);
	return true;
}

/* A suppressed new title is known: no regression, listed as known. */
static bool test_suppressed_new_title_is_known(void)
{
	struct fs_val_result r[] = { one(0, false, "", T_ALIGN), one(1, true, "", "") };
	struct fs_val_summary s;

	strcpy(r[0].side[FS_VAL_PATCHED].known, "my.supp:3");
	fs_val_summarize(r, 2, &s);
	ASSERT_EQ(s.verdict, FS_VERDICT_PASS);
	ASSERT_EQ(fs_val_title_class(&s.titles[0]), FS_VAL_KNOWN);
	ASSERT_STREQ(s.titles[0].known, "my.supp:3");
	fs_val_summary_free(&s);
	return true;
}

/* A patch may fix a known bug: that is still FIXES. */
static bool test_suppressed_gone_title_fixes(void)
{
	struct fs_val_result r[] = { one(0, false, T_LEAK, ""), one(1, true, "", "") };

	strcpy(r[0].side[FS_VAL_BASE].known, "my.supp:9");
	ASSERT_EQ(verdict(r, 2), FS_VERDICT_FIXES);
	return true;
}

/* A finding past the point where the other side stopped proves nothing. */
static bool test_masked_finding_is_no_evidence(void)
{
	struct fs_val_result r[] = { one(0, false, T_LEAK, T_ALIGN) };

	r[0].side[FS_VAL_BASE].ops = 5;		/* base stops at op 5 */
	r[0].side[FS_VAL_PATCHED].ops = 9;	/* patched goes past it */
	ASSERT_EQ(verdict(r, 1), FS_VERDICT_FIXES);
	r[0].side[FS_VAL_BASE].ops = 9;
	ASSERT_EQ(verdict(r, 1), FS_VERDICT_PASS);	/* same point: masked */
	r[0].side[FS_VAL_BASE].ops = 12;
	ASSERT_EQ(verdict(r, 1), FS_VERDICT_REGRESSION);
	return true;
}

static bool test_regression_wins_over_fix(void)
{
	struct fs_val_result r[] = { one(0, false, T_LEAK, ""), one(1, true, "", T_ALIGN) };

	ASSERT_EQ(verdict(r, 2), FS_VERDICT_REGRESSION);
	return true;
}

static bool test_divergence_only_is_a_behaviour_change(void)
{
	struct fs_val_result r[] = { one(0, false, "", ""), one(1, false, "", "") };

	r[1].div.op_no = 7;
	r[1].div.out[FS_VAL_BASE] = FS_VAL_SERVED;
	ASSERT_EQ(verdict(r, 2), FS_VERDICT_BEHAVIOUR_CHANGE);
	ASSERT_STREQ(fs_verdict_name(FS_VERDICT_BEHAVIOUR_CHANGE), "BEHAVIOUR CHANGE");
	ASSERT_STREQ(fs_val_outcome_name(FS_VAL_SERVED | FS_VAL_PFMEMALLOC),
		     "a fragment (pfmemalloc)");
	ASSERT_STREQ(fs_val_outcome_name(0), "NULL");
	return true;
}

static bool test_skipped_cases_are_counted_apart(void)
{
	struct fs_val_result r[] = { one(0, false, "", ""), one(1, false, "", T_ALIGN) };
	struct fs_val_summary s;

	r[1].ran = false;
	fs_val_summarize(r, 2, &s);
	ASSERT_EQ(s.verdict, FS_VERDICT_PASS);
	ASSERT_EQ(s.ran, 1);
	ASSERT_EQ(s.skipped, 1);
	fs_val_summary_free(&s);
	return true;
}

int main(void)
{
	static const struct fs_test tests[] = {
		TEST(test_pass_when_alike),
		TEST(test_new_title_is_a_regression),
		TEST(test_known_title_in_concurrent_trace_is_common),
		TEST(test_known_kind_in_concurrent_trace_is_common),
		TEST(test_known_title_in_deterministic_trace_is_new),
		TEST(test_gone_title_fixes),
		TEST(test_suppressed_new_title_is_known),
		TEST(test_suppressed_gone_title_fixes),
		TEST(test_masked_finding_is_no_evidence),
		TEST(test_regression_wins_over_fix),
		TEST(test_divergence_only_is_a_behaviour_change),
		TEST(test_skipped_cases_are_counted_apart),
	};

	return FS_RUN_TESTS(tests);
}
