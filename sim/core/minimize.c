// SPDX-License-Identifier: GPL-2.0
/*
 * Test-case minimization of a finding's trace.
 *
 * The current trace is kept as its canonical text, split into header
 * lines, operation lines (one per op; a block is its "... {" line, its
 * body and a "}" line) and `at` lines.  A candidate drops some of those
 * lines or edits a repeat count, is parsed back, and replaces the current
 * trace if it reproduces the finding's title.  Working on text rather
 * than on struct fs_op keeps every candidate well formed by construction
 * (body_len and actor indexes are rebuilt by the parser) and lets the
 * parser reject the ones that no longer make sense, such as a free of a
 * handle whose alloc is gone.
 *
 * Passes, each repeated until the trace stops changing under all of them:
 *   ops      ddmin over operation lines (a block opener takes its block)
 *   repeats  lower each repeat count: 1, else bisect down from it
 *   unwrap   replace a repeat, irq-off or bh-off block by its body
 *   decls    drop cache, queue and agent declarations nothing needs
 *   at       ddmin over the schedule's decisions
 * An operation candidate of a replayed schedule that loses the finding is
 * tried again with its `at` steps moved back by the scheduling points the
 * change removed (retime()), since removing operations shifts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "minimize.h"
#include "runner.h"

#define NO_EDIT		UINT32_MAX
#define RETIME_MAX_DEC	16	/* each costs a run per failed candidate */

struct lines {
	char **v;
	uint32_t n;
	size_t cap;
};

struct text {
	char *s;
	size_t len, cap;
};

struct min {
	const struct fs_min_opts *o;
	struct fs_min_result *res;
	struct fs_runner *r;
	bool stop;			/* the run budget is spent */
	uint64_t gen;			/* bumped on every accepted candidate */
	/* The current trace run without decisions, at generation free_gen. */
	uint64_t free_gen, free_steps;
	bool free_ok;

	struct fs_trace cur;
	struct fs_min_count count;
	struct lines head, ops, at;
	uint32_t *end;			/* ops: index past the block it opens */
	uint32_t *items;		/* ops that are not "}" lines */
	uint32_t nr_items;

	/* The candidate: lines to drop, and one op line to replace. */
	uint8_t *drop_head, *drop_op, *drop_at;
	uint32_t edit;
	char edit_line[64];
	enum fs_min_phase phase;
};

static void lines_push(struct lines *l, const char *s, size_t n)
{
	l->v = fs_grow(l->v, l->n, &l->cap, sizeof(*l->v), 64);
	l->v[l->n] = strndup(s, n);
	if (!l->v[l->n])
		fs_oom();
	l->n++;
}

static void lines_free(struct lines *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void text_add(struct text *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 2 > b->cap) {
		b->cap = (b->len + n + 2) * 2;
		b->s = fs_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len++] = '\n';
	b->s[b->len] = '\0';
}

/* ---- the current trace as lines ---- */

static const char *trim(const char *s)
{
	while (*s == '\t' || *s == ' ')
		s++;
	return s;
}

static bool is_comment(const char *line)
{
	return *trim(line) == '#';
}

static bool is_close(const char *line)
{
	return !strcmp(trim(line), "}");
}

static bool opens_block(const char *line)
{
	size_t n = strlen(line);

	return !is_comment(line) && n >= 2 && !strcmp(line + n - 2, " {");
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A top-level "task|hardirq|softirq NAME cpu=..." line: its NAME. */
static bool actor_name(const char *line, char *name, size_t len)
{
	static const char *const kinds[] = { "task ", "hardirq ", "softirq " };
	const char *s, *e;

	if (!opens_block(line))
		return false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!starts_with(line, kinds[i]))
			continue;
		s = line + strlen(kinds[i]);
		e = strchr(s, ' ');
		if (!e || (size_t)(e - s) >= len)
			return false;
		memcpy(name, s, e - s);
		name[e - s] = '\0';
		return true;
	}
	return false;
}

/* Word @k (from 0) of @line equals @w. */
static bool word_is(const char *line, unsigned int k, const char *w)
{
	const char *s = trim(line);
	size_t n = strlen(w);

	for (; k; k--) {
		s = strchr(s, ' ');
		if (!s)
			return false;
		s = trim(s);
	}
	return !strncmp(s, w, n) && (s[n] == '\0' || s[n] == ' ');
}

static void index_ops(struct min *m)
{
	uint32_t *stack = fs_xcalloc(m->ops.n, sizeof(*stack));
	uint32_t depth = 0;

	free(m->end);
	free(m->items);
	m->end = fs_xcalloc(m->ops.n, sizeof(*m->end));
	m->items = fs_xcalloc(m->ops.n, sizeof(*m->items));
	m->nr_items = 0;
	for (uint32_t i = 0; i < m->ops.n; i++) {
		const char *l = m->ops.v[i];

		m->end[i] = i + 1;
		if (is_close(l)) {
			if (depth)
				m->end[stack[--depth]] = i + 1;
			continue;
		}
		m->items[m->nr_items++] = i;
		if (opens_block(l))
			stack[depth++] = i;
	}
	free(stack);
}

/*
 * Split the canonical text of m->cur: the header ends at the first blank
 * line, and the last nr_dec lines are the `at` lines (fs_trace_print()).
 */
static void split(struct min *m)
{
	char *s = fs_trace_print(&m->cur);
	struct lines all = { 0 };
	uint32_t i = 0, nr_dec = m->cur.sched.nr_dec;

	for (const char *p = s; *p;) {
		const char *e = strchr(p, '\n');

		if (!e)
			e = p + strlen(p);
		lines_push(&all, p, e - p);
		p = *e ? e + 1 : e;
	}
	free(s);
	lines_free(&m->head);
	lines_free(&m->ops);
	lines_free(&m->at);
	for (; i < all.n && all.v[i][0]; i++)
		lines_push(&m->head, all.v[i], strlen(all.v[i]));
	for (i++; i < all.n; i++) {
		struct lines *to = i + nr_dec >= all.n ? &m->at : &m->ops;

		lines_push(to, all.v[i], strlen(all.v[i]));
	}
	lines_free(&all);
	index_ops(m);
	free(m->drop_head);
	free(m->drop_op);
	free(m->drop_at);
	m->drop_head = fs_xcalloc(m->head.n, 1);
	m->drop_op = fs_xcalloc(m->ops.n, 1);
	m->drop_at = fs_xcalloc(m->at.n, 1);
	m->edit = NO_EDIT;
	fs_min_count(&m->cur, &m->count);
}

void fs_min_count(const struct fs_trace *t, struct fs_min_count *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < t->nr_ops; i++)
		c->ops += t->ops[i].kind != FS_OP_COMMENT;
	c->decisions = t->sched.nr_dec;
	for (uint32_t i = 0; i < t->sched.nr_dec; i++) {
		c->preemptions += t->sched.dec[i].kind == FS_DEC_SWITCH;
		c->injections += t->sched.dec[i].kind == FS_DEC_IRQ;
	}
}

/* ---- running candidates ---- */

static void progress(struct min *m)
{
	struct fs_min_progress p = {
		.phase = m->phase, .now = m->count, .runs = m->res->runs,
	};

	if (m->o->progress)
		m->o->progress(m->o->progress_ctx, &p);
}

enum probe {
	P_SAME,		/* the finding, same title */
	P_NONE,		/* ran, no finding */
	P_OTHER,	/* another finding, or it cannot run */
	P_CAPPED,	/* not run: the budget is spent */
};

/* One run of @t; its steps in *@steps when it ran. */
static enum probe probe(struct min *m, const struct fs_trace *t,
			uint64_t *steps)
{
	struct fs_run_result rr;
	enum probe p = P_OTHER;
	char err[256];

	if ((m->o->max_runs && m->res->runs >= m->o->max_runs) ||
	    (m->o->stop && m->o->stop(m->o->progress_ctx))) {
		m->res->capped = true;
		m->stop = true;
		return P_CAPPED;
	}
	m->res->runs++;
	if (m->o->interesting) {
		p = m->o->interesting(m->o->interesting_ctx, t) ? P_SAME : P_NONE;
		if (steps)
			*steps = 0;
	} else if (!fs_runner_run(m->r, t, &rr, err, sizeof(err))) {
		if (!rr.finding)
			p = P_NONE;
		else if (!strcmp(rr.finding->title, m->res->title))
			p = P_SAME;
		if (steps)
			*steps = rr.mstats.steps;
	}
	progress(m);
	return p;
}

static bool interesting(struct min *m, const struct fs_trace *t)
{
	return probe(m, t, NULL) == P_SAME;
}

/*
 * Scheduling points of @t run without its decisions; false unless that
 * run ends without a finding.  *@same: that run keeps the finding.
 */
static bool free_steps(struct min *m, struct fs_trace *t, uint64_t *steps,
		       bool *same)
{
	uint32_t n = t->sched.nr_dec;
	enum probe p;

	t->sched.nr_dec = 0;
	p = probe(m, t, steps);
	t->sched.nr_dec = n;
	*same = p == P_SAME;
	return p == P_NONE;
}

/* Move decisions @from.. back by @delta, if that keeps steps in order. */
static bool shift_from(struct fs_trace *t, const uint64_t *step,
		       uint32_t from, uint64_t delta)
{
	struct fs_decision *d = t->sched.dec;

	if (step[from] < delta ||
	    (from && step[from] - delta < step[from - 1]))
		return false;
	for (uint32_t i = 0; i < t->sched.nr_dec; i++)
		d[i].step = i < from ? step[i] : step[i] - delta;
	return true;
}

/*
 * Removing operations moves every later scheduling point earlier, so the
 * same `at` lines land in other code and the finding is lost although
 * the operations were not needed.  Measure the points the change saved
 * (both traces run without decisions: main first, then each task to its
 * end) and try the decisions from each index on moved back by that much.
 * A candidate that keeps the finding with no decisions at all is taken
 * as it is.
 */
static bool retime(struct min *m, struct fs_trace *t)
{
	uint32_t n = t->sched.nr_dec;
	uint64_t after, delta, *step;
	bool same, ok = false;

	if (!n || n > RETIME_MAX_DEC || m->stop)
		return false;
	if (m->free_gen != m->gen) {
		m->free_gen = m->gen;
		m->free_ok = free_steps(m, &m->cur, &m->free_steps, &same);
	}
	if (!m->free_ok)
		return false;
	if (!free_steps(m, t, &after, &same)) {
		if (same)
			t->sched.nr_dec = 0;
		return same;
	}
	if (after >= m->free_steps)
		return false;
	delta = m->free_steps - after;
	step = fs_xcalloc(n, sizeof(*step));
	for (uint32_t i = 0; i < n; i++)
		step[i] = t->sched.dec[i].step;
	for (uint32_t j = 0; j < n && !ok && !m->stop; j++)
		ok = shift_from(t, step, j, delta) && interesting(m, t);
	if (!ok)
		shift_from(t, step, 0, 0);
	free(step);
	return ok;
}

static bool ops_touched(const struct min *m)
{
	return m->edit != NO_EDIT || memchr(m->drop_op, 1, m->ops.n);
}

static void clear_candidate(struct min *m)
{
	memset(m->drop_head, 0, m->head.n);
	memset(m->drop_op, 0, m->ops.n);
	memset(m->drop_at, 0, m->at.n);
	m->edit = NO_EDIT;
}

static void add_lines(struct text *b, const struct lines *l,
		      const uint8_t *drop)
{
	for (uint32_t i = 0; i < l->n; i++) {
		if (!drop[i])
			text_add(b, l->v[i]);
	}
}

static char *candidate_text(struct min *m)
{
	struct text b = { 0 };

	add_lines(&b, &m->head, m->drop_head);
	text_add(&b, "");
	for (uint32_t i = 0; i < m->ops.n; i++) {
		if (m->drop_op[i])
			continue;
		text_add(&b, i == m->edit ? m->edit_line : m->ops.v[i]);
	}
	add_lines(&b, &m->at, m->drop_at);
	return b.s;
}

/*
 * Try the candidate the drop masks and edit describe; it becomes the
 * current trace if it parses and keeps the finding.  Clears the masks.
 */
static bool try_candidate(struct min *m)
{
	struct fs_trace t;
	char err[256], *s;
	bool ok = false;

	if (m->stop) {
		clear_candidate(m);
		return false;
	}
	s = candidate_text(m);
	fs_trace_init(&t);
	if (!fs_trace_parse(&t, s, strlen(s), "candidate", err, sizeof(err))) {
		ok = interesting(m, &t);
		if (!ok && ops_touched(m))
			ok = retime(m, &t);
	}
	free(s);
	if (!ok) {
		fs_trace_free(&t);
		clear_candidate(m);
		return false;
	}
	fs_trace_free(&m->cur);
	m->cur = t;
	m->gen++;
	split(m);
	return true;
}

/* ---- phase 1: operations ---- */

/* Drop item @k: its line, its block if it opens one, and what names it. */
static void mark_item(struct min *m, uint32_t k)
{
	uint32_t l = m->items[k];
	char name[FS_NAME_MAX], raise[FS_NAME_MAX + 8];

	memset(m->drop_op + l, 1, m->end[l] - l);
	if (!actor_name(m->ops.v[l], name, sizeof(name)))
		return;
	/* An actor's decisions and raises go with it, or nothing parses. */
	for (uint32_t i = 0; i < m->at.n; i++) {
		if ((word_is(m->at.v[i], 2, "switch") ||
		     word_is(m->at.v[i], 2, "irq")) &&
		    word_is(m->at.v[i], 3, name))
			m->drop_at[i] = 1;
	}
	snprintf(raise, sizeof(raise), "raise %s", name);
	for (uint32_t i = 0; i < m->ops.n; i++) {
		if (!strcmp(trim(m->ops.v[i]), raise))
			m->drop_op[i] = 1;
	}
}

static uint32_t nr_items(struct min *m)
{
	return m->nr_items;
}

static void mark_items(struct min *m, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++)
		mark_item(m, k);
}

static uint32_t nr_at(struct min *m)
{
	return m->at.n;
}

static void mark_at(struct min *m, uint32_t from, uint32_t to)
{
	memset(m->drop_at + from, 1, to - from);
}

struct units {
	uint32_t (*count)(struct min *m);
	void (*mark)(struct min *m, uint32_t from, uint32_t to);
};

/*
 * Remove all units, then chunks of half as many, ..., then single units
 * until a whole sweep removes nothing.  An accepted removal leaves the
 * units before it in place, so the sweep goes on at the same index.
 */
static bool ddmin(struct min *m, const struct units *u)
{
	uint32_t chunk = u->count(m);
	bool changed = false, swept;

	while (!m->stop && u->count(m)) {
		swept = false;
		for (uint32_t i = 0; i < u->count(m) && !m->stop;) {
			uint32_t to = i + chunk < u->count(m) ? i + chunk :
				      u->count(m);

			u->mark(m, i, to);
			if (try_candidate(m)) {
				changed = swept = true;
				continue;
			}
			i = to;
		}
		if (chunk == 1 && !swept)
			break;
		/* Halve, but from what is left: no chunk covers it all twice. */
		if (chunk > u->count(m) / 2)
			chunk = u->count(m);
		chunk = chunk > 1 ? chunk / 2 : 1;
	}
	return changed;
}

static bool reduce_ops(struct min *m)
{
	static const struct units u = { nr_items, mark_items };

	return ddmin(m, &u);
}

static bool reduce_at(struct min *m)
{
	static const struct units u = { nr_at, mark_at };

	return ddmin(m, &u);
}

/* Comments never change a run: drop them all in one go. */
static bool drop_comments(struct min *m)
{
	bool any = false;

	for (uint32_t i = 0; i < m->ops.n; i++) {
		if (is_comment(m->ops.v[i])) {
			m->drop_op[i] = 1;
			any = true;
		}
	}
	return any && try_candidate(m);
}

static bool unwrappable(const char *line)
{
	const char *s = trim(line);

	return opens_block(line) && (starts_with(s, "repeat ") ||
				     !strcmp(s, "irq-off {") ||
				     !strcmp(s, "bh-off {"));
}

static bool unwrap(struct min *m)
{
	bool changed = false;

	for (uint32_t k = 0; k < m->nr_items && !m->stop;) {
		uint32_t l = m->items[k];

		if (!unwrappable(m->ops.v[l])) {
			k++;
			continue;
		}
		m->drop_op[l] = 1;
		m->drop_op[m->end[l] - 1] = 1;
		if (try_candidate(m))
			changed = true;	/* item k is now its first body op */
		else
			k++;
	}
	return changed;
}

static bool try_count(struct min *m, uint32_t l, unsigned long count)
{
	const char *s = m->ops.v[l];
	int indent = (int)(trim(s) - s);

	snprintf(m->edit_line, sizeof(m->edit_line), "%.*srepeat %lu {",
		 indent, s, count);
	m->edit = l;
	return try_candidate(m);
}

/*
 * 1 first (the common answer), else bisect between 1 and the count,
 * assuming more iterations keep what fewer ones find.
 */
static bool lower_count(struct min *m, uint32_t l)
{
	unsigned long hi = strtoul(trim(m->ops.v[l]) + strlen("repeat "),
				   NULL, 10), lo = 1;
	bool changed = false;

	if (hi <= 1)
		return false;
	if (try_count(m, l, 1))
		return true;
	while (hi - lo > 1 && !m->stop) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (try_count(m, l, mid)) {
			hi = mid;
			changed = true;
		} else {
			lo = mid;
		}
	}
	return changed;
}

static bool lower_repeats(struct min *m)
{
	bool changed = false;

	for (uint32_t k = 0; k < m->nr_items && !m->stop; k++) {
		uint32_t l = m->items[k];

		if (opens_block(m->ops.v[l]) &&
		    starts_with(trim(m->ops.v[l]), "repeat "))
			changed |= lower_count(m, l);
	}
	return changed;
}

static bool drop_decls(struct min *m)
{
	bool changed = false;

	for (uint32_t i = 0; i < m->head.n && !m->stop;) {
		const char *s = m->head.v[i];

		if (!starts_with(s, "cache ") && !starts_with(s, "queue ") &&
		    !starts_with(s, "agent ")) {
			i++;
			continue;
		}
		m->drop_head[i] = 1;
		if (try_candidate(m))
			changed = true;
		else
			i++;
	}
	return changed;
}

/* ---- driver ---- */

struct pass {
	enum fs_min_phase phase;
	bool (*fn)(struct min *m);
	bool sweeps;		/* ends with a sweep that removed nothing */
};

static const struct pass passes[] = {
	{ FS_MIN_OPS, reduce_ops, true },
	{ FS_MIN_OPS, lower_repeats, false },
	{ FS_MIN_OPS, unwrap, false },
	{ FS_MIN_OPS, drop_decls, false },
	{ FS_MIN_SCHEDULE, reduce_at, true },
};

#define NR_PASSES	(sizeof(passes) / sizeof(passes[0]))

/*
 * Run the passes in turn until each has run on the current trace without
 * changing it: then no single removal, unwrap or lower count keeps the
 * finding (the fixpoint the summary reports).
 */
static void minimize(struct min *m)
{
	uint64_t clean[NR_PASSES];
	bool done = false;

	for (size_t i = 0; i < NR_PASSES; i++)
		clean[i] = UINT64_MAX;
	m->phase = FS_MIN_OPS;
	drop_comments(m);
	while (!done && !m->stop) {
		done = true;
		for (size_t i = 0; i < NR_PASSES && !m->stop; i++) {
			bool changed;

			if (clean[i] == m->gen)
				continue;
			done = false;
			m->phase = passes[i].phase;
			changed = passes[i].fn(m);
			if (!changed || passes[i].sweeps)
				clean[i] = m->gen;
		}
	}
	m->res->fixpoint = !m->stop;
}

static void min_free(struct min *m)
{
	fs_trace_free(&m->cur);
	lines_free(&m->head);
	lines_free(&m->ops);
	lines_free(&m->at);
	free(m->end);
	free(m->items);
	free(m->drop_head);
	free(m->drop_op);
	free(m->drop_at);
	if (m->r)
		fs_runner_destroy(m->r);
}

/* m->cur := @in through its text, so candidates and it compare alike. */
static int load(struct min *m, const struct fs_trace *in, char *err,
		size_t errlen)
{
	char *s = fs_trace_print(in);
	int ret;

	fs_trace_init(&m->cur);
	ret = fs_trace_parse(&m->cur, s, strlen(s), "trace", err, errlen);
	free(s);
	if (ret)
		return -1;
	split(m);
	return 0;
}

/* The finding to keep: 0, or -1/1 as fs_minimize() returns. */
static int first_run(struct min *m, char *err, size_t errlen, int *ret)
{
	struct fs_run_result rr;

	m->res->runs++;
	if (m->o->interesting) {
		*ret = 1;
		if (!m->o->interesting(m->o->interesting_ctx, &m->cur))
			return -1;
		snprintf(m->res->title, sizeof(m->res->title), "divergence");
		return 0;
	}
	if (fs_runner_run(m->r, &m->cur, &rr, err, errlen))
		return -1;
	if (!rr.finding) {
		*ret = 1;
		return -1;
	}
	snprintf(m->res->title, sizeof(m->res->title), "%s",
		 rr.finding->title);
	return 0;
}

int fs_minimize(const struct fs_trace *in, const struct fs_min_opts *o,
		struct fs_trace *out, struct fs_min_result *res,
		char *err, size_t errlen)
{
	struct fs_runner_opts ro = {
		.target = o->target, .checks = true, .diff = o->diff,
	};
	struct min m = { .o = o, .res = res, .free_gen = UINT64_MAX };
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (load(&m, in, err, errlen))
		goto out;
	m.r = fs_runner_create(&ro);
	if (!m.r) {
		snprintf(err, errlen, "cannot set up the page arena");
		goto out;
	}
	if (first_run(&m, err, errlen, &ret))
		goto out;
	res->before = m.count;
	minimize(&m);
	res->after = m.count;
	*out = m.cur;
	fs_trace_init(&m.cur);
	ret = 0;
out:
	min_free(&m);
	return ret;
}
