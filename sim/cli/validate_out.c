// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim validate's output: the verdict (first line of stdout), the
 * summary, each regression minimized (sim/core/minimize) with its report
 * and replay command, a few divergence examples, and OUT/validate.json,
 * which scripts/validate_report.py turns into the text, HTML and JSON
 * report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/minimize.h"
#include "../lib/xalloc.h"
#include "cli.h"
#include "validate_out.h"

#define MIN_SECONDS	150	/* for minimizing regressions, in all */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void fs_val_load_suppressions(struct fs_val_cli *c)
{
	fs_cli_supp_load(&c->supp, &c->supp_opts);
	c->o.supp = &c->supp;
}

static void summary(const struct fs_val_cli *c)
{
	const struct fs_val_summary *s = &c->sum;
	const struct fs_target *b = c->o.target[FS_VAL_BASE];
	const struct fs_target *p = c->o.target[FS_VAL_PATCHED];

	printf("%s\n", fs_verdict_name(s->verdict));
	printf("fragsim validate: base %s (%s, layout %s, build %s) vs patched %s (%s, layout %s, build %s)\n",
	       b->name, b->release, b->layout, b->build_id, p->name, p->release,
	       p->layout, p->build_id);
	printf("fragsim validate: %u cases ran on each side: %u generated (seed 0x%llx), %u corpus traces (%u more skipped: not for this layout); %u job(s), %.1f s\n",
	       s->ran, c->nr_generated, (unsigned long long)c->o.seed,
	       s->ran - c->nr_generated, s->skipped, c->jobs, c->seconds_spent);
	if (c->seconds)
		printf("fragsim validate: --minutes %g ran %llu generated traces: --budget %llu repeats this run\n",
		       c->seconds / 60, (unsigned long long)c->budget,
		       (unsigned long long)c->budget);
	for (int k = 0; k < FS_VAL_NR_SIDES; k++)
		printf("fragsim validate: %s: %llu runs, %llu operations\n",
		       c->o.target[k]->name, (unsigned long long)s->runs[k],
		       (unsigned long long)s->ops[k]);
	/* New titles first, then fixed, known, common. */
	for (uint32_t k = 0; k < 4 * s->nr_titles; k++) {
		const struct fs_val_title *t = &s->titles[k % s->nr_titles];
		static const enum fs_val_class order[] = {
			FS_VAL_NEW, FS_VAL_FIXED, FS_VAL_KNOWN, FS_VAL_COMMON,
		};

		if (fs_val_title_class(t) != order[k / s->nr_titles])
			continue;
		printf("  %-6s base %4u  patched %4u  %s%s%s%s\n",
		       fs_val_class_name(fs_val_title_class(t)), t->cases[FS_VAL_BASE],
		       t->cases[FS_VAL_PATCHED], t->title,
		       t->known[0] ? "  [suppressed by " : "", t->known,
		       t->known[0] ? "]" : "");
	}
	printf("fragsim validate: %u deterministic trace(s) diverge (served/NULL, pfmemalloc or alignment of an allocation)\n",
	       s->divergences);
}

/* Run @t once on @target; the finding's title into @title ("" none). */
static void run_once(const struct fs_val_cli *c, const struct fs_target *target,
		     struct fs_trace *t, char *title, size_t len, bool emit,
		     const char *dir, char *path, size_t pathlen)
{
	struct fs_runner_opts ro = { .target = target, .checks = true,
				     .diff = c->o.diff };
	struct fs_runner *r = fs_runner_create(&ro);
	struct fs_run_result res;
	char err[256];

	if (!r)
		fs_oom();
	title[0] = '\0';
	if (fs_runner_run(r, t, &res, err, sizeof(err)))
		snprintf(title, len, "does not run: %s", err);
	else if (res.finding)
		snprintf(title, len, "%s", res.finding->title);
	if (emit && res.finding) {
		fs_trace_set_replay(t, res.log, res.nr_log);
		if (fs_emit_finding(t, target, &res, dir, NULL, path, pathlen))
			path[0] = '\0';
	}
	fs_runner_destroy(r);
}

static void minimize(struct fs_val_cli *c, struct fs_val_runner *v,
		     struct fs_val_regression *g)
{
	const struct fs_target *p = c->o.target[FS_VAL_PATCHED];
	/* Past the time for minimizing, a regression keeps its trace as found. */
	struct fs_min_opts mo = { .target = p, .diff = c->o.diff,
				  .max_runs = now() - c->seconds_spent - c->start <
					      MIN_SECONDS ? c->min_runs : 1 };
	struct fs_trace t, m;
	char err[256], dir[4096], title[160];

	fs_trace_init(&t);
	fs_trace_init(&m);
	/* One directory each: corpus traces share seed 0, titles share slugs. */
	snprintf(dir, sizeof(dir), "%s/regressions/%u", c->out, g->no);
	if (fs_val_reproduce(v, &c->cases[g->case_no], FS_VAL_PATCHED,
			     g->title->title, &t))
		goto out;
	snprintf(t.target, sizeof(t.target), "%s", p->name);
	if (fs_minimize(&t, &mo, &m, &g->min, err, sizeof(err))) {
		/* Keep the unminimized trace: it reproduces. */
		fs_trace_free(&m);
		fs_trace_init(&m);
		fs_val_reproduce(v, &c->cases[g->case_no], FS_VAL_PATCHED,
				 g->title->title, &m);
	}
	snprintf(m.target, sizeof(m.target), "%s", p->name);
	run_once(c, c->o.target[FS_VAL_BASE], &m, g->on_base,
		 sizeof(g->on_base), false, NULL, NULL, 0);
	run_once(c, p, &m, title, sizeof(title), true, dir, g->trace,
		 sizeof(g->trace));
out:
	fs_trace_free(&t);
	fs_trace_free(&m);
}

static uint32_t regressions(struct fs_val_cli *c, struct fs_val_regression *g)
{
	struct fs_val_runner *v = fs_val_create(&c->o);
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->sum.nr_titles && n < FS_VAL_MAX_REGRESSIONS; i++) {
		const struct fs_val_title *t = &c->sum.titles[i];

		if (fs_val_title_class(t) != FS_VAL_NEW)
			continue;
		memset(&g[n], 0, sizeof(g[n]));
		g[n].title = t;
		/* A case that base passes shows the regression best. */
		g[n].case_no = t->first_only[FS_VAL_PATCHED] != UINT32_MAX ?
			       t->first_only[FS_VAL_PATCHED] : t->first[FS_VAL_PATCHED];
		g[n].no = n + 1;
		printf("\nREGRESSION: %s (first in case %u); minimized:\n",
		       t->title, g[n].case_no);
		fflush(stdout);
		minimize(c, v, &g[n]);
		if (g[n].trace[0])
			printf("fragsim validate: on %s the minimized trace gives: %s\n",
			       c->o.target[FS_VAL_BASE]->name,
			       g[n].on_base[0] ? g[n].on_base : "no finding");
		n++;
	}
	fs_val_destroy(v);
	return n;
}

struct div_ctx {
	struct fs_val_runner *v;
	const struct fs_val_div *like;
};

static bool still_diverges(void *ctx, const struct fs_trace *t)
{
	struct div_ctx *x = ctx;

	return fs_val_diverges(x->v, (struct fs_trace *)t, x->like);
}

/* Example @e: its trace, minimized while it diverges alike, written. */
static void example(struct fs_val_cli *c, struct fs_val_runner *v,
		    struct fs_val_example *e, const char *dir)
{
	const struct fs_val_result *r = e->r;
	struct div_ctx x = { .v = v, .like = &r->div };
	struct fs_min_opts mo = { .target = c->o.target[FS_VAL_PATCHED],
				  .max_runs = c->min_runs,
				  .interesting = still_diverges,
				  .interesting_ctx = &x };
	struct fs_trace t, m;
	char err[256];

	fs_trace_init(&t);
	fs_trace_init(&m);
	snprintf(e->trace, sizeof(e->trace), "%s/case-%u.trace", dir, r->case_no);
	if (fs_mkdir_p(dir) ||
	    fs_val_trace(v, &c->cases[r->case_no], &t, err, sizeof(err))) {
		e->trace[0] = '\0';
		goto out;
	}
	if (!fs_minimize(&t, &mo, &m, &e->min, err, sizeof(err))) {
		fs_trace_free(&t);
		t = m;
		fs_trace_init(&m);
	}
	t.target[0] = '\0';
	if (fs_trace_write_file(&t, e->trace))
		e->trace[0] = '\0';
out:
	fs_trace_free(&t);
	fs_trace_free(&m);
}

/* The first few divergent cases, minimized. */
static uint32_t examples(struct fs_val_cli *c, struct fs_val_example *e)
{
	struct fs_val_runner *v = fs_val_create(&c->o);
	char dir[4096];
	uint32_t n = 0;

	snprintf(dir, sizeof(dir), "%s/divergences", c->out);
	for (uint32_t i = 0; i < c->nr_results && n < FS_VAL_MAX_EXAMPLES; i++) {
		const struct fs_val_result *r = &c->results[i];

		if (!r->div.op_no)
			continue;
		memset(&e[n], 0, sizeof(e[n]));
		e[n].r = r;
		example(c, v, &e[n], dir);
		printf("\nDIVERGENCE in %s at op #%llu (trace line %u: %s): %s returns %s, %s returns %s\n",
		       c->cases[r->case_no].file ? c->cases[r->case_no].file : "a generated trace",
		       (unsigned long long)r->div.op_no, r->div.line, r->div.op,
		       c->o.target[FS_VAL_BASE]->name,
		       fs_val_outcome_name(r->div.out[FS_VAL_BASE]),
		       c->o.target[FS_VAL_PATCHED]->name,
		       fs_val_outcome_name(r->div.out[FS_VAL_PATCHED]));
		if (e[n].trace[0])
			printf("  minimized to %u operation(s) (from %u): %s\n  %s replay --target %s %s\n  %s replay --target %s %s\n",
			       e[n].min.after.ops, e[n].min.before.ops, e[n].trace,
			       fs_argv0, c->o.target[FS_VAL_BASE]->name, e[n].trace,
			       fs_argv0, c->o.target[FS_VAL_PATCHED]->name, e[n].trace);
		n++;
	}
	fs_val_destroy(v);
	return n;
}

int fs_val_report(struct fs_val_cli *c)
{
	struct fs_val_regression g[FS_VAL_MAX_REGRESSIONS];
	struct fs_val_example e[FS_VAL_MAX_EXAMPLES];
	uint32_t ng, ne;

	if (fs_mkdir_p(c->out))
		fs_usage_error("--out %s: %s", c->out, strerror(errno));
	summary(c);
	ng = regressions(c, g);
	ne = examples(c, e);
	fs_val_write_json(c, g, ng, e, ne);
	return c->sum.verdict == FS_VERDICT_PASS ||
	       c->sum.verdict == FS_VERDICT_FIXES ? FS_EXIT_OK : FS_EXIT_FINDING;
}
