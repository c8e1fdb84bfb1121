// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim validate's work: build a case's trace, run it on the base and
 * the patched target, each under its own checker, and compare the two
 * (validate.h).  The allocation outcomes of a side come from the runner's
 * on_alloc hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/rng.h"
#include "../lib/xalloc.h"
#include "../check/suppress.h"
#include "../sched/sched.h"
#include "../trace/trace_gen.h"
#include "validate.h"

/* One allocation's outcome on one side. */
struct outcome {
	uint64_t op_no;
	uint32_t line;
	uint8_t out;
	const struct fs_op *op;
};

struct side {
	struct fs_runner *r;
	const struct fs_target *t;
	struct outcome *v;
	uint32_t n;
	size_t cap;
	bool stop_search;	/* a search found something */
	char title[160];	/* ... which finding */
	struct fs_val_side *res;
	struct fs_trace *trace;
	struct fs_run_result last;
	const struct fs_supp *supp;
};

struct fs_val_runner {
	struct fs_val_opts o;
	struct side side[FS_VAL_NR_SIDES];
	enum fs_strategy strategies[8];
	unsigned int nr_strategies;
	unsigned int caps;
};

static void on_alloc(void *ctx, uint64_t op_no, const struct fs_op *op,
		     const void *va, enum fs_alloc_res res)
{
	struct side *s = ctx;
	uint8_t out = 0;

	if (va)
		out |= FS_VAL_SERVED;
	if (res == FS_RES_OK_PFMEMALLOC)
		out |= FS_VAL_PFMEMALLOC;
	if (va && op->align > 1 && ((uintptr_t)va & (op->align - 1)))
		out |= FS_VAL_MISALIGNED;
	s->v = fs_grow(s->v, s->n, &s->cap, sizeof(*s->v), 256);
	s->v[s->n++] = (struct outcome){ .op_no = op_no, .line = op->line,
					 .out = out, .op = op };
}

struct fs_val_runner *fs_val_create(const struct fs_val_opts *o)
{
	struct fs_val_runner *v = fs_xcalloc(1, sizeof(*v));

	v->o = *o;
	v->caps = FS_TCAP_ALL;
	for (int k = 0; k < FS_VAL_NR_SIDES; k++) {
		struct side *s = &v->side[k];
		struct fs_runner_opts ro = {
			.target = o->target[k], .checks = true, .diff = o->diff,
			.on_alloc = on_alloc, .on_alloc_ctx = s,
		};

		s->t = o->target[k];
		s->supp = o->supp;
		s->r = fs_runner_create(&ro);
		if (!s->r)
			fs_oom();
		v->caps &= fs_target_caps(s->t);
	}
	for (int id = 0; id < FS_SCHED_REPLAY + 1; id++)
		if (fs_strategy_runnable(id) && v->nr_strategies < ARRAY_SIZE(v->strategies))
			v->strategies[v->nr_strategies++] = id;
	return v;
}

void fs_val_destroy(struct fs_val_runner *v)
{
	if (!v)
		return;
	for (int k = 0; k < FS_VAL_NR_SIDES; k++) {
		fs_runner_destroy(v->side[k].r);
		free(v->side[k].v);
	}
	free(v);
}

/* The layout a kernel release has (alloc/extract/layouts.py's cut-offs). */
static const char *layout_of_release(const char *name)
{
	unsigned int major, minor;

	if (sscanf(name, "linux-%u.%u", &major, &minor) != 2)
		return NULL;
	if (major < 6 || (major == 6 && minor < 9))
		return "classic";
	if (major == 6 && minor <= 12)
		return "classic-v6.9";
	return "encoded";
}

bool fs_val_applies(const char *name, const struct fs_target *base)
{
	const char *at = strchr(name, '@');
	const struct fs_target *t;
	const char *layout;

	/* A zoo trace is written for the kernel after the '@'. */
	if (at)
		name = at + 1;
	if (!name[0] || !strcmp(name, "ref"))
		return true;	/* caller-side contracts: any kernel */
	t = fs_target_find(name);
	layout = t ? t->layout : layout_of_release(name);
	return layout && !strcmp(layout, base->layout);
}

static uint64_t trace_seed(uint64_t seed, uint64_t i)
{
	uint64_t s = seed ^ (i * 0xd1342543de82ef95ull);

	return fs_rng_next(&s);
}

/* Generated trace @i: workload i mod FS_WL_NR, then every strategy. */
static int gen_trace(const struct fs_val_runner *v, uint64_t i,
		     struct fs_trace *t, char *err, size_t errlen)
{
	enum fs_workload w = (enum fs_workload)(i % FS_WL_NR);
	const struct fs_target *base = v->o.target[FS_VAL_BASE];
	struct fs_trace g;
	char *text;
	int rc;

	if (!(v->caps & FS_TCAP_NET))
		w = FS_WL_SEQ;
	fs_trace_init(&g);
	fs_trace_generate_caps(&g, trace_seed(v->o.seed, i), base->name, w,
			       v->caps);
	if (fs_trace_concurrent(&g))
		g.sched.strategy = v->strategies[(i / FS_WL_NR) % v->nr_strategies];
	/* Through the text form, as fragsim run does: lines hold. */
	text = fs_trace_print(&g);
	rc = fs_trace_parse(t, text, strlen(text), "<generated>", err, errlen);
	free(text);
	fs_trace_free(&g);
	return rc;
}

int fs_val_trace(const struct fs_val_runner *v, const struct fs_val_case *c,
		 struct fs_trace *t, char *err, size_t errlen)
{
	int rc;

	if (c->src == FS_VAL_GEN)
		return gen_trace(v, c->index, t, err, errlen);
	rc = v->o.load(t, c->file, err, errlen);
	if (!rc && c->src == FS_VAL_FILE_SEARCH) {
		t->sched.strategy = FS_SCHED_EXHAUSTIVE;
		t->sched.nr_dec = 0;
	}
	return rc;
}

/* ---- one side ---- */

static bool search_run(void *ctx, const struct fs_decision *forced,
		       unsigned int nr)
{
	struct side *s = ctx;
	struct fs_run_sched rs = { .strategy = FS_SCHED_EXHAUSTIVE,
				   .record_alts = !nr, .forced = forced,
				   .nr_forced = nr };
	char err[256];

	s->n = 0;
	if (fs_runner_run_sched(s->r, s->trace, &rs, &s->last, err, sizeof(err)))
		return true;
	s->res->runs++;
	s->res->ops += s->last.ops;
	return s->last.finding && (!s->title[0] ||
				   !strcmp(s->title, s->last.finding->title));
}

static uint32_t search_alts(void *ctx, struct fs_decision *out, uint32_t max)
{
	struct side *s = ctx;

	return fs_runner_alt_decisions(s->r, out, max);
}

/* Run @t on side @s; -1 (and @err) when the target refuses it. */
/* A side's finding that a suppression names is known on that side. */
static void known(const struct side *s, struct fs_val_side *res)
{
	const struct fs_supp_entry *e = s->supp ?
		fs_supp_match(s->supp, s->last.finding, s->t->name) : NULL;

	if (e)
		snprintf(res->known, sizeof(res->known), "%s:%u", e->file, e->line);
}

static int run_side(struct side *s, struct fs_trace *t,
		    struct fs_val_side *res, char *err, size_t errlen)
{
	static const struct fs_search_ops ops = {
		.run = search_run, .alts = search_alts,
	};

	memset(res, 0, sizeof(*res));
	s->n = 0;
	s->res = res;
	s->trace = t;
	if (fs_strategy_searches(t->sched.strategy) && fs_trace_concurrent(t)) {
		fs_sched_search(&ops, s);
	} else {
		if (fs_runner_run(s->r, t, &s->last, err, errlen))
			return -1;
		res->runs = 1;
		res->ops = s->last.ops;
	}
	if (s->last.finding) {
		snprintf(res->title, sizeof(res->title), "%s", s->last.finding->title);
		snprintf(res->kind, sizeof(res->kind), "%s",
			 fs_finding_slug(s->last.finding->kind));
		known(s, res);
	}
	return 0;
}

/* The first allocation whose outcome differs (deterministic traces). */
static void compare(struct fs_val_runner *v, const struct fs_trace *t,
		    struct fs_val_div *d)
{
	const struct side *b = &v->side[FS_VAL_BASE], *p = &v->side[FS_VAL_PATCHED];
	uint32_t n = b->n < p->n ? b->n : p->n;

	memset(d, 0, sizeof(*d));
	for (uint32_t i = 0; i < n; i++) {
		if (b->v[i].op_no == p->v[i].op_no && b->v[i].out == p->v[i].out)
			continue;
		d->op_no = b->v[i].op_no;
		d->line = b->v[i].line;
		d->out[FS_VAL_BASE] = b->v[i].out;
		d->out[FS_VAL_PATCHED] = p->v[i].out;
		fs_trace_format_op(t, b->v[i].op, d->op, sizeof(d->op));
		return;
	}
}

void fs_val_run_case(struct fs_val_runner *v, const struct fs_val_case *c,
		     uint32_t case_no, struct fs_val_result *res)
{
	struct fs_trace t;
	char err[256];

	memset(res, 0, sizeof(*res));
	res->case_no = case_no;
	fs_trace_init(&t);
	if (fs_val_trace(v, c, &t, err, sizeof(err))) {
		snprintf(res->skip, sizeof(res->skip), "does not load: %s", err);
		goto out;
	}
	if (c->src != FS_VAL_GEN &&
	    !fs_val_applies(t.target, v->o.target[FS_VAL_BASE])) {
		snprintf(res->skip, sizeof(res->skip),
			 "written for %s, not the %s layout", t.target,
			 v->o.target[FS_VAL_BASE]->layout);
		goto out;
	}
	res->concurrent = fs_trace_concurrent(&t);
	for (int k = 0; k < FS_VAL_NR_SIDES; k++) {
		v->side[k].title[0] = '\0';
		if (run_side(&v->side[k], &t, &res->side[k], err, sizeof(err))) {
			snprintf(res->skip, sizeof(res->skip), "%s: %s",
				 v->side[k].t->name, err);
			goto out;
		}
	}
	res->ran = true;
	if (!res->concurrent)
		compare(v, &t, &res->div);
out:
	fs_trace_free(&t);
}

bool fs_val_diverges(struct fs_val_runner *v, struct fs_trace *t,
		     const struct fs_val_div *like)
{
	struct fs_val_side res;
	struct fs_val_div d;
	char err[256];

	if (fs_trace_concurrent(t))
		return false;
	for (int k = 0; k < FS_VAL_NR_SIDES; k++)
		if (run_side(&v->side[k], t, &res, err, sizeof(err)))
			return false;
	compare(v, t, &d);
	return d.op_no && d.out[FS_VAL_BASE] == like->out[FS_VAL_BASE] &&
	       d.out[FS_VAL_PATCHED] == like->out[FS_VAL_PATCHED];
}

int fs_val_reproduce(struct fs_val_runner *v, const struct fs_val_case *c,
		     enum fs_val_side_id k, const char *title,
		     struct fs_trace *t)
{
	struct side *s = &v->side[k];
	struct fs_val_side res;
	char err[256];

	if (fs_val_trace(v, c, t, err, sizeof(err)))
		return -1;
	snprintf(s->title, sizeof(s->title), "%s", title);
	if (run_side(s, t, &res, err, sizeof(err)) || strcmp(res.title, title))
		return -1;
	v->o.set_replay(t, s->last.log, s->last.nr_log);
	return 0;
}

void fs_val_case_name(const struct fs_val_opts *o, const struct fs_val_case *c,
		      char *buf, size_t len)
{
	unsigned int caps = fs_target_caps(o->target[FS_VAL_BASE]) &
			    fs_target_caps(o->target[FS_VAL_PATCHED]);
	uint64_t i = c->index;

	if (c->src != FS_VAL_GEN) {
		snprintf(buf, len, "%s%s", c->file,
			 c->src == FS_VAL_FILE_SEARCH ? " (exhaustive)" : "");
		return;
	}
	snprintf(buf, len, "generated #%llu (%s, seed 0x%016llx)",
		 (unsigned long long)i,
		 fs_workload_name((caps & FS_TCAP_NET) ?
				  (enum fs_workload)(i % FS_WL_NR) : FS_WL_SEQ),
		 (unsigned long long)trace_seed(o->seed, i));
}
