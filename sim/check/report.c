// SPDX-License-Identifier: GPL-2.0
/*
 * Finding reports, laid out the way KASAN and syzbot reports are read:
 * a title line that deduplicates, what was violated, the operation and
 * kernel function at fault, the page as dump_page() would show it, the
 * shadow model's view, the page's recent history and the fragment's
 * allocation and free; for a concurrent run, the interleaving the machine
 * hands over (timeline.h).  The footer (repro key, replay command) is
 * written by fs_report_footer() for whoever knows where the trace went.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <fragsim/kctx.h>

#include "../lib/array.h"
#include "../trace/trace.h"
#include "check_internal.h"
#include "timeline.h"

#define RULE "=================================================================="

const char *fs_page_state_name(enum fs_page_state st)
{
	switch (st) {
	case FS_PAGE_OUTSIDE:
		return "outside the page allocator's memory";
	case FS_PAGE_REDZONE:
		return "a redzone page (never allocated)";
	case FS_PAGE_FREE:
		return "free (in the page allocator)";
	case FS_PAGE_HEAD:
		return "allocated (head)";
	case FS_PAGE_TAIL:
		return "allocated (tail)";
	}
	return "?";
}

static const char *event_name(uint8_t kind)
{
	switch (kind) {
	case FS_PEV_ALLOC:
		return "allocated";
	case FS_PEV_FREE:
		return "freed";
	case FS_PEV_REF_ADD:
		return "ref +";
	case FS_PEV_REF_SUB:
		return "ref -";
	case FS_PEV_REF_SET:
		return "ref =";
	case FS_PEV_GET_UNLESS_ZERO:
		return "ref +?";
	}
	return "?";
}

static int cache_holding(const struct fs_check *c, unsigned long pfn)
{
	for (unsigned int i = 0; i < c->nr_caches; i++)
		if (c->cache_pfn[i] == pfn)
			return (int)i;
	return -1;
}

static void dump_page(struct fs_check *c, struct fs_buf *b, unsigned long pfn,
		      enum fs_finding_kind k)
{
	struct page *page = fs_arena_page(c->arena, pfn);
	const struct fs_page_shadow *s = &c->pages[pfn];
	enum fs_page_state st = fs_page_state(page);
	int cache = cache_holding(c, pfn);

	fs_buf_printf(b, "page:%016lx refcount:%d order:%u %spfn:0x%lx%s\n",
		      FS_VMEMMAP_BASE + pfn * 64, fs_page_count(page),
		      fs_page_order(page),
		      fs_page_compound(page) ? "compound " : "", pfn,
		      s->pfmemalloc ? " pfmemalloc" : "");
	fs_buf_printf(b, "page state: %s, allocated at op #%llu\n",
		      fs_page_state_name(st), (unsigned long long)s->alloc_op);
	fs_buf_printf(b, "page dumped because: %s\n", fs_finding_slug(k));
	if (cache >= 0) {
		const struct fs_cache_view *v = &c->views[cache];

		fs_buf_printf(b, "cached by: %s (pagecnt_bias %lu, offset %lu, size %lu, pfmemalloc %d)\n",
			      c->cache_names[cache], v->bias, v->offset,
			      v->size, v->pfmemalloc);
	} else {
		fs_buf_printf(b, "cached by: no cache\n");
	}
	fs_buf_printf(b, "shadow: %u live fragment(s), %u other holder(s)\n",
		      s->live, s->foreign);
	fs_buf_printf(b, "\nPage history (oldest first, last %u events):\n",
		      s->hist_len);
	for (unsigned int i = 0; i < s->hist_len; i++) {
		const struct fs_hist *h =
			&s->hist[(s->hist_pos + FS_HIST - s->hist_len + i) % FS_HIST];

		if (h->kind == FS_PEV_ALLOC || h->kind == FS_PEV_FREE)
			fs_buf_printf(b, " op #%-8llu %-24s %s order %u\n",
				      (unsigned long long)h->op_no, h->fn,
				      event_name(h->kind), h->order);
		else
			fs_buf_printf(b, " op #%-8llu %-24s %s refcount %d -> %d\n",
				      (unsigned long long)h->op_no, h->fn,
				      event_name(h->kind), h->old, h->new);
	}
}

static void dump_frag(struct fs_check *c, struct fs_buf *b, uint32_t id)
{
	const struct fs_frag *f = &c->frags[id];

	fs_buf_printf(b, "\nThe fragment [%016lx, +%u) align %u, charged to pfn 0x%lx:\n",
		      fs_kaddr(c->arena, f->va), f->size, f->align, f->pfn);
	fs_buf_printf(b, " allocated from cache %s at op #%llu (trace line %u)\n",
		      c->cache_names[f->cache],
		      (unsigned long long)f->alloc_op, f->alloc_line);
	if (f->free_op)
		fs_buf_printf(b, " freed at op #%llu (trace line %u)\n",
			      (unsigned long long)f->free_op, f->free_line);
}

/* The context the operation runs in, as the kernel would name it. */
static const char *context_name(const struct fs_kcpu *k)
{
	if (k->preempt_count & FS_HARDIRQ_MASK)
		return "hard IRQ context";
	if (k->preempt_count & FS_SOFTIRQ_OFFSET)
		return "softirq context";
	if (k->irqs_off)
		return "task context, irqs off";
	if (k->preempt_count & FS_SOFTIRQ_MASK)
		return "task context, BH off";
	return "task context";
}

/*
 * Context rules are about the API entry point the trace called (the net
 * front end's contract): those findings keep its name.
 */
static bool titled_by_entry(enum fs_finding_kind k)
{
	switch (k) {
	case FS_F_CTX_INCONSISTENT:
	case FS_F_CTX_NAPI_HARDIRQ:
	case FS_F_CTX_NAPI_BH_ON:
	case FS_F_CTX_NETDEV_IRQS_ON:
	case FS_F_CACHE_CONCURRENT:
		return true;
	default:
		return false;
	}
}

/*
 * The function a finding is titled by, before its call stack is known
 * (docs/invariants.md, "Titles"): the function of a kernel BUG/WARN, else
 * the page_frag function the operation's entry point reaches, else the
 * entry point itself (ref), else "teardown".
 */
static const char *title_fn(const struct fs_check *c, enum fs_finding_kind k)
{
	const struct fs_kfunc *f;

	if ((k == FS_F_KERNEL_BUG || k == FS_F_KERNEL_WARNING) && c->kernel_func)
		return c->kernel_func;
	if (!c->kernel_fn)
		return "teardown";
	f = fs_target_kfunc(c->target, c->kernel_fn);
	if (titled_by_entry(k) || !f || !f->reaches)
		return c->kernel_fn;
	return f->reaches;
}

static void set_title(struct fs_check *c, enum fs_finding_kind k,
		      const char *fn)
{
	struct fs_finding *f = &c->finding;

	snprintf(f->fn, sizeof(f->fn), "%s", fn);
	if (k == FS_F_KERNEL_BUG)
		snprintf(f->title, sizeof(f->title), "kernel BUG at %s:%d in %s",
			 c->kernel_file, c->kernel_line, fn);
	else if (k == FS_F_KERNEL_WARNING)
		snprintf(f->title, sizeof(f->title), "WARNING in %s", fn);
	else
		snprintf(f->title, sizeof(f->title), "BUG: fragsim: %s in %s",
			 fs_finding_slug(k), fn);
}

static void write_report(struct fs_check *c, enum fs_finding_kind k,
			 unsigned long pfn, uint32_t frag, const char *detail)
{
	struct fs_buf *b = &c->finding.report;
	char desc[256] = "?";

	if (c->describe && c->op)
		c->describe(c->describe_ctx, c->op, desc, sizeof(desc));

	set_title(c, k, title_fn(c, k));
	fs_buf_reset(b);
	fs_buf_printf(b, "%s\n%s\n", RULE, c->finding.title);
	fs_buf_printf(b, "Invariant: %s\n", fs_finding_invariant(k));
	fs_buf_printf(b, "Detail: %s\n\n", detail);
	fs_buf_printf(b, "Target: %s (%s, layout %s, build %s%s%s)\n",
		      c->target->name, c->target->release, c->target->layout,
		      c->target->build_id, c->target->zoo[0] ? ", zoo " : "",
		      c->target->zoo);
	if (c->in_teardown)
		fs_buf_printf(b, "At teardown, after op #%llu: every fragment freed, every cache drained\n",
			      (unsigned long long)c->teardown_after);
	else if (c->tearing_down)
		fs_buf_printf(b, "At teardown, after op #%llu, in %s()\n",
			      (unsigned long long)c->teardown_after,
			      c->kernel_fn ? c->kernel_fn : "?");
	else
		fs_buf_printf(b, "Operation #%llu (trace line %u): %s\n",
			      (unsigned long long)c->op_no, c->op_line, desc);
	if (c->kernel_fn)
		fs_buf_printf(b, "Call: cpu %u, %s -> %s()\n", fs_kcpu_cur->cpu,
			      context_name(fs_kcpu_cur), c->kernel_fn);
	if (pfn != FS_NO_PFN && pfn < c->nr_pfns) {
		fs_buf_printf(b, "\n");
		dump_page(c, b, pfn, k);
	}
	if (frag != FS_NO_FRAG && frag < c->nr_frags)
		dump_frag(c, b, frag);
}

void fs_check_raise(struct fs_check *c, enum fs_finding_kind k,
		    unsigned long pfn, uint32_t frag, const char *fmt, ...)
{
	char detail[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* Only the first finding of a run counts: later ones are fallout. */
	if (c->finding.kind == FS_F_NONE) {
		c->finding.kind = k;
		write_report(c, k, pfn, frag, detail);
	}
	c->stop(c->stop_ctx);
	__builtin_unreachable();
}

/* ---- the interleaving section, from the machine's timeline ---- */

static const char *const ctx_names[] = { "task", "softirq", "hardirq" };
_Static_assert(ARRAY_SIZE(ctx_names) == FS_CTX_NR, "one name per context");

const char *fs_ctx_name(enum fs_ctx_kind k)
{
	return ctx_names[k];
}

static const char *const agent_actions[] = {
	[FS_DEC_SPEC_GET] = "speculative get_page_unless_zero() on pfn",
	[FS_DEC_SPEC_PUT] = "speculative put_page() on pfn",
	[FS_DEC_PRESSURE_ON] = "memory pressure on",
	[FS_DEC_PRESSURE_OFF] = "memory pressure off",
};
_Static_assert(ARRAY_SIZE(agent_actions) <= FS_DEC_NR, "indexed by decision");

const char *fs_actor_name(const struct fs_trace *t, uint16_t a)
{
	return a == FS_MAIN_ACTOR ? "main" : t->actors[a].name;
}

static void timeline_event(struct fs_buf *b, const struct fs_mevent *e,
			   const struct fs_trace *t, const char *sym)
{
	unsigned int k = e->arg >> 24;

	fs_buf_printf(b, " step %-8llu CPU%u %-7s %-10s ",
		      (unsigned long long)e->step, e->cpu, ctx_names[e->ctx],
		      fs_actor_name(t, e->actor));
	switch (e->kind) {
	case FS_MEV_IRQ:
		fs_buf_printf(b, "<IRQ> %s lands at %s\n",
			      fs_actor_name(t, e->other), sym);
		break;
	case FS_MEV_SOFTIRQ:
		fs_buf_printf(b, "<SOFTIRQ> %s runs\n", fs_actor_name(t, e->other));
		break;
	case FS_MEV_SWITCH:
		fs_buf_printf(b, "switch to CPU%u task %s at %s\n", e->to_cpu,
			      fs_actor_name(t, e->other), sym);
		break;
	case FS_MEV_AGENT:
		fs_buf_printf(b, "agent: %s",
			      k < ARRAY_SIZE(agent_actions) && agent_actions[k] ?
			      agent_actions[k] : "?");
		if (k == FS_DEC_SPEC_GET || k == FS_DEC_SPEC_PUT)
			fs_buf_printf(b, " 0x%x", e->arg & 0xffffff);
		fs_buf_printf(b, " at %s\n", sym);
		break;
	default:
		fs_buf_printf(b, "waits (queue empty)\n");
		break;
	}
}

static void call_trace(struct fs_check *c, struct fs_buf *b,
		       const struct fs_timeline *tl)
{
	char sym[96];

	if ((!tl->nr_pcs || !tl->pcs[0]) && c->tearing_down)
		fs_buf_printf(b, "Call trace: none (the teardown runs after the simulated machine stopped)\n");
	if (!tl->nr_pcs || !tl->pcs[0])
		return;
	fs_buf_printf(b, "Call trace:\n");
	for (unsigned int i = 0; i < tl->nr_pcs; i++) {
		if (!tl->pcs[i]) {
			if (i + 1 < tl->nr_pcs && tl->pcs[i + 1])
				fs_buf_printf(b, " <interrupted>\n");
			continue;
		}
		c->symbolize(tl->pcs[i], sym, sizeof(sym));
		fs_buf_printf(b, " %s\n", sym);
	}
}

/*
 * The innermost page_frag function (fs_kfunc.core) on the breaking
 * context's kernel stack, into @name; false when there is none (the
 * finding was raised after the call returned, or outside the kernel).
 */
static bool innermost_core(struct fs_check *c, const struct fs_timeline *tl,
			   char *name, size_t len)
{
	for (unsigned int i = 0; i < tl->nr_pcs && tl->pcs[i]; i++) {
		const struct fs_kfunc *f;

		c->symbolize(tl->pcs[i], name, len);
		name[strcspn(name, "+")] = '\0';
		f = fs_target_kfunc(c->target, name);
		if (f && f->core)
			return true;
	}
	return false;
}

/* The stack is known now: title by where the invariant broke. */
static void retitle_by_stack(struct fs_check *c, const struct fs_timeline *tl)
{
	struct fs_finding *f = &c->finding;
	enum fs_finding_kind k = f->kind;
	struct fs_buf nb = { 0 };
	size_t old_len = strlen(f->title);
	char name[96];

	if (k == FS_F_KERNEL_BUG || k == FS_F_KERNEL_WARNING ||
	    titled_by_entry(k) || !innermost_core(c, tl, name, sizeof(name)) ||
	    !strcmp(name, f->fn))
		return;
	set_title(c, k, name);
	/* The report opens with the rule and the title line. */
	fs_buf_printf(&nb, "%s\n%s%s", RULE, f->title,
		      f->report.s + strlen(RULE) + 1 + old_len);
	fs_buf_free(&f->report);
	f->report = nb;
}

void fs_check_report_timeline(struct fs_check *c, const struct fs_timeline *tl,
			      const struct fs_trace *t)
{
	struct fs_buf *b = &c->finding.report;
	const struct fs_mstats *st = &tl->stats;
	char sym[96];

	fs_buf_printf(b, "\nInterleaving: %u CPU(s), %llu scheduling points, %llu CPU switch(es) (%llu preemption(s)), %llu hard interrupt(s) injected, %llu softirq run(s), %llu agent action(s)\n",
		      tl->nr_cpus, (unsigned long long)st->steps,
		      (unsigned long long)st->switches,
		      (unsigned long long)st->preemptions,
		      (unsigned long long)st->irqs,
		      (unsigned long long)st->softirqs,
		      (unsigned long long)st->agent_actions);
	for (unsigned int i = 0; i < tl->nr_ev; i++) {
		if (tl->ev[i].pc)
			c->symbolize(tl->ev[i].pc, sym, sizeof(sym));
		else
			snprintf(sym, sizeof(sym), "an operation boundary");
		timeline_event(b, &tl->ev[i], t, sym);
	}
	fs_buf_printf(b, "Context of the finding: CPU%u %s %s (nesting depth %u)\n",
		      tl->cpu, ctx_names[tl->ctx], fs_actor_name(t, tl->actor),
		      tl->depth);
	call_trace(c, b, tl);
	retitle_by_stack(c, tl);
}

void fs_report_footer(struct fs_buf *b, const char *key, const char *replay)
{
	fs_buf_printf(b, "\nRepro key: %s\nReplay: %s\n%s\n", key, replay, RULE);
}
