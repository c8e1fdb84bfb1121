// SPDX-License-Identifier: GPL-2.0
/*
 * Portable schedules on the command line (docs/trace-format.md, "Portable
 * schedules").  A finding trace is written with its decisions anchored and
 * with the finding it was written for (`recorded BUILD TITLE`); replay
 * places anchored decisions on this build and, when one cannot be placed
 * exactly or the recorded finding does not come back, tries a few nearby
 * placements in the same operation, actor and location.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchors.h"

#define SEARCH_RUNS	48	/* runs a replay may spend placing */
#define MAX_CANDIDATES	(7 + FS_FOLLOW_NEAR)

static int copy_trace(struct fs_trace *dst, const struct fs_trace *src)
{
	char *text = fs_trace_print(src), err[256];
	int rc;

	fs_trace_init(dst);
	rc = fs_trace_parse(dst, text, strlen(text), "copy", err, sizeof(err));
	free(text);
	if (rc)
		fs_trace_free(dst);
	return rc;
}

static bool same_title(const struct fs_run_result *res, const char *title)
{
	return res->finding && !strcmp(res->finding->title, title);
}

/*
 * Each decision of @t takes the anchor its run logged at its step; one
 * the run did not take (it did not apply there) is dropped.  False when a
 * decision has no anchor (its operation touched too many locations).
 */
static bool take_anchors(struct fs_trace *t, const struct fs_decision *log,
			 uint32_t n)
{
	struct fs_schedule *s = &t->sched;
	uint32_t j = 0, out = 0;

	for (uint32_t i = 0; i < s->nr_dec; i++) {
		while (j < n && log[j].step < s->dec[i].step)
			j++;
		if (j == n || log[j].step != s->dec[i].step ||
		    log[j].kind != s->dec[i].kind)
			continue;
		if (!log[j].an.k)
			return false;
		s->dec[out] = s->dec[i];
		s->dec[out++].an = log[j].an;
		j++;
	}
	s->nr_dec = out;
	return true;
}

static void swap_decisions(struct fs_schedule *a, struct fs_schedule *b)
{
	struct fs_schedule tmp = *a;

	a->dec = b->dec;
	a->nr_dec = b->nr_dec;
	a->cap_dec = b->cap_dec;
	b->dec = tmp.dec;
	b->nr_dec = tmp.nr_dec;
	b->cap_dec = tmp.cap_dec;
}

/* Run @a, step-placed, logging anchors; then check the anchored form. */
static bool anchor_copy(struct fs_runner *r, struct fs_trace *a,
			const char *title)
{
	struct fs_run_result res;
	char err[256];

	if (fs_runner_run(r, a, &res, err, sizeof(err)) ||
	    !same_title(&res, title) || !take_anchors(a, res.log, res.nr_log))
		return false;
	return !fs_runner_run(r, a, &res, err, sizeof(err)) &&
	       same_title(&res, title) && res.follow.index == UINT32_MAX;
}

void fs_anchor_finding(struct fs_trace *t, const struct fs_target *tg,
		       const char *title)
{
	struct fs_runner_opts ro = { .target = tg, .checks = true,
				     .anchors = true };
	struct fs_runner *r;
	struct fs_trace a;

	snprintf(t->rec_build, sizeof(t->rec_build), "%s", tg->build_id);
	snprintf(t->rec_title, sizeof(t->rec_title), "%s", title);
	if (t->sched.strategy != FS_SCHED_REPLAY || !t->sched.nr_dec ||
	    fs_trace_anchored(t) || copy_trace(&a, t))
		return;
	r = fs_runner_create(&ro);
	if (!r)
		fs_internal_error("cannot set up the page arena");
	/* Should the anchored form not replay the same, keep the steps. */
	if (anchor_copy(r, &a, title))
		swap_decisions(&t->sched, &a.sched);
	fs_runner_destroy(r);
	fs_trace_free(&a);
}

bool fs_anchor_decoded(struct fs_trace *t, const struct fs_target *tg)
{
	struct fs_runner_opts ro = { .target = tg, .checks = true };
	struct fs_run_result res;
	struct fs_runner *r = fs_runner_create(&ro);
	char err[256], title[sizeof(res.finding->title)] = "";

	if (!r)
		fs_internal_error("cannot set up the page arena");
	if (!fs_runner_run(r, t, &res, err, sizeof(err)) && res.finding)
		snprintf(title, sizeof(title), "%s", res.finding->title);
	fs_runner_destroy(r);
	if (title[0])
		fs_anchor_finding(t, tg, title);
	return title[0];
}

void fs_anchor_localize(struct fs_trace *t, const struct fs_target *tg)
{
	struct fs_runner_opts ro = { .target = tg, .checks = true };
	struct fs_run_result res;
	struct fs_runner *r;
	char err[256];

	if (!fs_trace_anchored(t))
		return;
	r = fs_runner_create(&ro);
	if (!r)
		fs_internal_error("cannot set up the page arena");
	if (!fs_runner_run(r, t, &res, err, sizeof(err)) &&
	    res.follow.index == UINT32_MAX) {
		t->sched.nr_dec = 0;
		for (uint32_t i = 0; i < res.nr_log; i++) {
			struct fs_decision d = res.log[i];

			memset(&d.an, 0, sizeof(d.an));
			fs_trace_add_decision(t, &d);
		}
	}
	fs_runner_destroy(r);
}

/* ---- replay ---- */

struct search {
	struct fs_runner *r;
	struct fs_trace *t;
	struct fs_run_result *res;
	unsigned int runs;
};

static bool run(struct search *s)
{
	char err[256];

	s->runs++;
	return !fs_runner_run(s->r, s->t, s->res, err, sizeof(err));
}

/* Every decision placed, and the recorded finding back. */
static bool good(const struct search *s)
{
	return s->res->follow.index == UINT32_MAX &&
	       same_title(s->res, s->t->rec_title);
}

/* A placement to try: a location and a k. */
struct cand {
	uint64_t loc;
	uint32_t k;
};

/*
 * Where to try a decision anchored at @an, when this build showed @fi of
 * its place (NULL: nothing known): the location's last point if it has
 * fewer, then k-1, k+1, ...; when the location has no point at all
 * there, the same k at the other offsets of its object the operation
 * touched (a field read at another width or offset).
 */
static unsigned int candidates(const struct fs_anchor *an,
			       const struct fs_follow_info *fi,
			       struct cand *out)
{
	static const int delta[] = { -1, 1, -2, 2, -3, 3 };
	bool fewer = fi && fi->why == FS_UNPLACED_FEWER;
	uint32_t seen = fewer ? fi->seen : 0;
	unsigned int n = 0;

	if (fewer && !seen) {
		for (unsigned int i = 0; i < fi->nr_near; i++)
			out[n++] = (struct cand){ fi->near[i], an->k };
		return n;
	}
	if (seen && seen < an->k)
		out[n++] = (struct cand){ an->loc, seen };
	for (unsigned int i = 0; i < sizeof(delta) / sizeof(delta[0]); i++) {
		int64_t k = (int64_t)an->k + delta[i];

		if (k >= 1 && k <= UINT32_MAX && (uint32_t)k != seen)
			out[n++] = (struct cand){ an->loc, (uint32_t)k };
	}
	return n;
}

/*
 * Decision i could not be placed: try its candidates; keep the first
 * that reproduces, or else the first that gets past it, and go on with
 * the next decision not placed.
 */
static bool place_nearby(struct search *s)
{
	while (s->res->follow.index != UINT32_MAX && s->runs < SEARCH_RUNS) {
		uint32_t i = s->res->follow.index;
		struct fs_anchor *an = &s->t->sched.dec[i].an;
		struct fs_follow_info fi = s->res->follow;
		struct cand c[MAX_CANDIDATES];
		unsigned int n = candidates(an, &fi, c);
		bool moved = false;

		for (unsigned int j = 0; j < n && !moved &&
		     s->runs < SEARCH_RUNS; j++) {
			an->loc = c[j].loc;
			an->k = c[j].k;
			if (!run(s))
				break;
			if (good(s))
				return true;
			moved = s->res->follow.index != UINT32_MAX &&
				s->res->follow.index > i;
		}
		if (!moved)
			return false;
	}
	return good(s);
}

/* Every decision placed, but another outcome: move one decision a bit. */
static bool perturb(struct search *s)
{
	for (uint32_t i = 0; i < s->t->sched.nr_dec; i++) {
		struct fs_anchor *an = &s->t->sched.dec[i].an, a0 = *an;
		struct cand c[MAX_CANDIDATES];
		unsigned int n = candidates(an, NULL, c);

		for (unsigned int j = 0; j < n; j++) {
			if (s->runs >= SEARCH_RUNS)
				return false;
			an->k = c[j].k;
			if (run(s) && good(s))
				return true;
		}
		*an = a0;
	}
	return false;
}

static const char *nth(uint32_t k)
{
	return k % 100 / 10 == 1 ? "th" : k % 10 == 1 ? "st" :
	       k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
}

static const char *actor_str(const struct fs_trace *t, uint16_t a)
{
	return a == FS_MAIN_ACTOR ? "main" :
	       a < t->nr_actors ? t->actors[a].name : "?";
}

/* "line 23 (op 12 of main, 3rd point at cache:nc0+0x8)" */
static void describe(const struct fs_trace *t, const struct fs_decision *d,
		     uint32_t k, char *buf, size_t len)
{
	char loc[96];

	fs_loc_format(t, d->an.loc, loc, sizeof(loc));
	snprintf(buf, len, "line %u (op %llu of %s, %u%s point at %s%s%s)",
		 d->line, (unsigned long long)d->an.op,
		 actor_str(t, d->an.actor), k, nth(k), loc,
		 d->an.fn[0] ? " in " : "", d->an.fn);
}

static void print_moves(const struct fs_trace *t, const struct fs_trace *orig)
{
	char was[256], loc[96];

	for (uint32_t i = 0; i < t->sched.nr_dec; i++) {
		const struct fs_decision *d = &t->sched.dec[i];
		const struct fs_decision *o = &orig->sched.dec[i];

		if (d->an.k == o->an.k && d->an.loc == o->an.loc)
			continue;
		describe(orig, o, o->an.k, was, sizeof(was));
		fs_loc_format(t, d->an.loc, loc, sizeof(loc));
		printf("fragsim replay: decision at %s placed at the %u%s point at %s on this build\n",
		       was, d->an.k, nth(d->an.k), loc);
	}
}

static void unplaced_reason(const struct fs_trace *t,
			    const struct fs_run_result *res, char *buf,
			    size_t len)
{
	const struct fs_decision *d = &t->sched.dec[res->follow.index];
	char where[256];

	describe(t, d, d->an.k, where, sizeof(where));
	switch (res->follow.why) {
	case FS_UNPLACED_NO_OP:
		snprintf(buf, len, "the decision at %s: that operation has no scheduling point in that actor on this build",
			 where);
		break;
	case FS_UNPLACED_FEWER:
		snprintf(buf, len, "the decision at %s: that location has %u point(s) in that operation on this build, and no nearby placement reproduces '%s'",
			 where, res->follow.seen, t->rec_title);
		break;
	default:
		snprintf(buf, len, "the decision at %s is not possible there on this build",
			 where);
		break;
	}
}

/*
 * A schedule on the same kernel code, and still not the finding it was
 * written for: only the compiler can have moved it.
 */
static bool lost_on_same_code(const struct fs_trace *t,
			      const struct fs_target *tg,
			      const struct fs_run_result *res)
{
	return t->rec_title[0] && t->sched.nr_dec &&
	       !strcmp(t->rec_build, tg->build_id) &&
	       !same_title(res, t->rec_title);
}

int fs_replay_anchored(struct fs_runner *r, const struct fs_target *tg,
		       struct fs_trace *t, struct fs_run_result *res,
		       char *why, size_t whylen, char *err, size_t errlen)
{
	struct search s = { .r = r, .t = t, .res = res };
	struct fs_trace orig;
	bool ok;

	why[0] = '\0';
	if (fs_runner_run(r, t, res, err, errlen))
		return -1;
	if (!fs_trace_anchored(t) || !t->rec_title[0] || good(&s) ||
	    copy_trace(&orig, t))
		goto verdict;
	if (res->follow.index != UINT32_MAX)
		ok = place_nearby(&s);
	else
		ok = lost_on_same_code(t, tg, res) && perturb(&s);
	if (ok) {
		print_moves(t, &orig);
	} else {
		swap_decisions(&t->sched, &orig.sched);
		fs_runner_run(r, t, res, err, errlen);
	}
	fs_trace_free(&orig);
verdict:
	if (fs_trace_anchored(t) && res->follow.index != UINT32_MAX &&
	    (!res->finding || (t->rec_title[0] &&
			       !same_title(res, t->rec_title))))
		unplaced_reason(t, res, why, whylen);
	else if (lost_on_same_code(t, tg, res))
		snprintf(why, whylen, "the finding the trace was written for on this kernel code ('%s') did not come back (%s): this compiler makes the accesses where its decisions land differently",
			 t->rec_title, res->finding ? res->finding->title :
			 "no finding");
	return 0;
}
