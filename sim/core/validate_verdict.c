// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict of fragsim validate, from the per-case results alone (no
 * runner: the unit test feeds it synthetic results).  Order of
 * precedence: REGRESSION, FIXES, BEHAVIOUR CHANGE, PASS.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "validate.h"

static const char *const verdict_names[] = {
	[FS_VERDICT_PASS] = "PASS",
	[FS_VERDICT_BEHAVIOUR_CHANGE] = "BEHAVIOUR CHANGE",
	[FS_VERDICT_FIXES] = "FIXES",
	[FS_VERDICT_REGRESSION] = "REGRESSION",
};
_Static_assert(ARRAY_SIZE(verdict_names) == FS_VERDICT_NR,
	       "a name for every verdict");

const char *fs_verdict_name(enum fs_verdict v)
{
	return v < FS_VERDICT_NR ? verdict_names[v] : "?";
}

enum fs_val_class fs_val_title_class(const struct fs_val_title *t)
{
	const enum fs_val_side_id b = FS_VAL_BASE, p = FS_VAL_PATCHED;

	if (t->det_only[p] || (t->only[p] && !t->kind_on[b]))
		return t->known[0] ? FS_VAL_KNOWN : FS_VAL_NEW;
	if (t->det_only[b] || (t->only[b] && !t->kind_on[p]))
		return FS_VAL_FIXED;
	return FS_VAL_COMMON;
}

/*
 * In concurrent traces the two sides' schedules differ, so one bug may
 * surface through another entry point (another title, same kind).
 */
static void kinds(struct fs_val_summary *s)
{
	for (uint32_t i = 0; i < s->nr_titles; i++) {
		struct fs_val_title *t = &s->titles[i];

		for (uint32_t j = 0; j < s->nr_titles; j++)
			for (int k = 0; k < FS_VAL_NR_SIDES; k++)
				if (s->titles[j].cases[k] &&
				    !strcmp(s->titles[j].kind, t->kind))
					t->kind_on[k] = true;
	}
}

/*
 * Side @k's finding is not explained by the other side's: the other side
 * has none, or (deterministic trace) ran past it.  When the other side
 * stopped first at another finding, this one is masked: no evidence.
 */
static bool unexplained(const struct fs_val_result *r, int k)
{
	const struct fs_val_side *me = &r->side[k], *other = &r->side[!k];

	if (!strcmp(me->title, other->title))
		return false;
	return !other->title[0] || (!r->concurrent && other->ops > me->ops);
}

static struct fs_val_title *title_of(struct fs_val_summary *s, size_t *cap,
				     const struct fs_val_side *side)
{
	struct fs_val_title *t;

	for (uint32_t i = 0; i < s->nr_titles; i++)
		if (!strcmp(s->titles[i].title, side->title))
			return &s->titles[i];
	s->titles = fs_grow(s->titles, s->nr_titles, cap, sizeof(*t), 8);
	t = &s->titles[s->nr_titles++];
	memset(t, 0, sizeof(*t));
	strcpy(t->title, side->title);
	strcpy(t->kind, side->kind);
	for (int k = 0; k < FS_VAL_NR_SIDES; k++)
		t->first[k] = t->first_only[k] = UINT32_MAX;
	return t;
}

static void add_case(struct fs_val_summary *s, size_t *cap,
		     const struct fs_val_result *r)
{
	for (int k = 0; k < FS_VAL_NR_SIDES; k++) {
		const struct fs_val_side *me = &r->side[k];
		struct fs_val_title *t;

		s->ops[k] += me->ops;
		s->runs[k] += me->runs;
		if (!me->title[0])
			continue;
		t = title_of(s, cap, me);
		t->cases[k]++;
		if (me->known[0] && !t->known[0])
			strcpy(t->known, me->known);
		if (r->case_no < t->first[k])
			t->first[k] = r->case_no;
		if (!unexplained(r, k))
			continue;
		t->only[k]++;
		if (r->case_no < t->first_only[k])
			t->first_only[k] = r->case_no;
		if (!r->concurrent)
			t->det_only[k]++;
	}
	if (r->div.op_no)
		s->divergences++;
}

void fs_val_summarize(const struct fs_val_result *res, uint32_t n,
		      struct fs_val_summary *s)
{
	size_t cap = 0;
	bool new = false, fixed = false;

	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < n; i++) {
		if (!res[i].ran) {
			s->skipped++;
			continue;
		}
		s->ran++;
		add_case(s, &cap, &res[i]);
	}
	kinds(s);
	for (uint32_t i = 0; i < s->nr_titles; i++) {
		enum fs_val_class c = fs_val_title_class(&s->titles[i]);

		new |= c == FS_VAL_NEW;
		fixed |= c == FS_VAL_FIXED;
	}
	s->verdict = new ? FS_VERDICT_REGRESSION :
		     fixed ? FS_VERDICT_FIXES :
		     s->divergences ? FS_VERDICT_BEHAVIOUR_CHANGE :
		     FS_VERDICT_PASS;
}

void fs_val_summary_free(struct fs_val_summary *s)
{
	free(s->titles);
	memset(s, 0, sizeof(*s));
}

const char *fs_val_outcome_name(uint8_t out)
{
	if (!(out & FS_VAL_SERVED))
		return "NULL";
	if (out & FS_VAL_MISALIGNED)
		return out & FS_VAL_PFMEMALLOC ?
		       "a misaligned fragment (pfmemalloc)" : "a misaligned fragment";
	return out & FS_VAL_PFMEMALLOC ? "a fragment (pfmemalloc)" : "a fragment";
}
