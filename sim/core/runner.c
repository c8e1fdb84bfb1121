// SPDX-License-Identifier: GPL-2.0
/*
 * Executes a trace on the simulated machine.  Each actor's body runs in
 * its context (task fibers; hard interrupts and softirqs nested on them);
 * each operation is bracketed for the checker: op_begin, the call into
 * the target, the runner's note of what came back, then the quiescent
 * check once no context anywhere is inside the code under test.  A
 * finding stops the run through the checker's one stop path (check.h):
 * stop() below unwinds the fiber it was raised on (machine.c).  The
 * operations themselves are in ops.c, the driver models in drivers.c, the
 * differential mirror in mirror.c (runner_internal.h).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fragsim/kctx.h>
#include <fragsim/kshim.h>

#include "../lib/array.h"
#include "runner_internal.h"


bool fs_run_points(const struct fs_runner *r)
{
	return !r->o.no_points;
}

/* The checker's stop request (check.h): the runner owns the unwinding. */
static void stop(void *ctx)
{
	struct fs_runner *r = ctx;

	if (r->mach && fs_machine_in_fiber(r->mach))
		fs_machine_abort(r->mach);
	longjmp(r->unwind, 1);
}

static void stuck(void *ctx, uint32_t points)
{
	struct fs_runner *r = ctx;

	if (r->o.checks)
		fs_check_stuck(r->check, points);
}

static void describe(void *ctx, const void *op, char *buf, size_t len)
{
	struct fs_runner *r = ctx;

	fs_trace_format_op(r->trace, op, buf, len);
}

static const char *const pcpu_names[FS_PCPU_NR] = {
	"netdev_alloc_cache", "napi_alloc_cache.page",
	"napi_alloc_cache.small",
};

bool fs_run_is_pcpu(const struct fs_runner *r, unsigned int i)
{
	return i >= r->trace->nr_caches;
}

static void view(struct fs_runner *r, unsigned int i, struct fs_cache_view *v)
{
	if (fs_run_is_pcpu(r, i)) {
		unsigned int k = i - r->trace->nr_caches;

		r->t->pcpu_view(k / FS_PCPU_NR, k % FS_PCPU_NR, v);
		return;
	}
	if (r->trace->caches[i].kind == FS_CACHE_RX_RING) {
		fs_ring_view(&r->rings[i], v);
		return;
	}
	r->t->view(r->nc[i], v);
}

void fs_run_view(struct fs_runner *r, unsigned int i, struct fs_cache_view *v)
{
	if (r->mach)
		fs_machine_observe(r->mach, true);
	view(r, i, v);
	if (r->mach)
		fs_machine_observe(r->mach, false);
}

static void viewer(void *ctx, unsigned int i, struct fs_cache_view *v)
{
	fs_run_view(ctx, i, v);
}

struct fs_runner *fs_runner_create(const struct fs_runner_opts *opts)
{
	struct fs_runner *r = fs_xcalloc(1, sizeof(*r));
	unsigned int slots = opts->arena_slots ? opts->arena_slots :
			     FS_DEFAULT_ARENA_SLOTS;

	r->o = *opts;
	r->t = opts->target;
	r->arena = fs_arena_create(slots);
	if (!r->arena) {
		free(r);
		return NULL;
	}
	if (opts->diff && opts->checks && fs_mirror_model(r->t)) {
		r->ref = fs_mirror_model(r->t);
		r->ref_arena = fs_arena_create(slots);
	}
	r->check = fs_check_create(r->arena, r->t, stop, r);
	fs_check_set_describer(r->check, describe, r);
	fs_check_set_viewer(r->check, viewer, r);
	fs_check_set_symbolizer(r->check, fs_symbolize);
	fs_check_set_payload(r->check, !opts->no_payload);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		r->nc[i] = fs_xcalloc(1, r->t->cache_size);
		r->ref_nc[i] = fs_xcalloc(1, fs_target_ref.cache_size);
	}
	r->mach = fs_machine_create();
	return r;
}

void fs_runner_destroy(struct fs_runner *r)
{
	if (!r)
		return;
	fs_machine_destroy(r->mach);
	fs_check_destroy(r->check);
	fs_arena_destroy(r->arena);
	fs_arena_destroy(r->ref_arena);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		free(r->nc[i]);
		free(r->ref_nc[i]);
	}
	for (int i = 0; i < FS_MAX_QUEUES; i++)
		free(r->queues[i].ids);
	free(r->handle_frag);
	free(r->handle_res);
	free(r->handle_spec);
	free(r->handle_spec_ref);
	free(r->ref_va);
	free(r->spec);
	free(r);
}

const struct fs_alt *fs_runner_alts(const struct fs_runner *r, uint32_t *nr)
{
	return fs_machine_alts(r->mach, nr);
}

uint32_t fs_runner_alt_decisions(const struct fs_runner *r,
				 struct fs_decision *out, uint32_t max)
{
	uint32_t nr;
	const struct fs_alt *a = fs_runner_alts(r, &nr);

	for (uint32_t i = 0; i < nr && i < max; i++) {
		out[i] = a[i].d;
		out[i].step = a[i].step;
	}
	return nr;
}

void fs_run_enter_target(struct fs_runner *r)
{
	fs_arena_cur = r->arena;
	if (r->o.checks)
		fs_check_install(r->check);
}

static struct fs_check_opstate *opstate(struct fs_runner *r, uint16_t a)
{
	return &r->opst[a == FS_MAIN_ACTOR ? FS_MAX_ACTORS : a];
}

void fs_run_begin(struct fs_runner *r, const struct fs_op *op, const char *fn)
{
	r->op_no++;
	if (r->mach && fs_run_points(r))
		fs_machine_op_begin(r->mach, r->op_no);
	if (r->o.checks) {
		fs_check_op_begin(r->check, r->op_no, op ? op->line : 0, op, fn);
		fs_check_op_save(r->check, opstate(r, r->cur_actor));
	}
}

static void resumed(void *ctx, uint16_t actor)
{
	struct fs_runner *r = ctx;

	/*
	 * The one leaving keeps what its call counted so far (page
	 * allocations, spins): a livelock spans many switches.
	 */
	if (r->o.checks) {
		fs_check_op_save(r->check, opstate(r, r->cur_actor));
		fs_check_op_restore(r->check, opstate(r, actor));
	}
	r->cur_actor = actor;
}

static void use_now(struct fs_runner *r, struct fs_ctx_use *u, const void *pc)
{
	u->cpu = fs_kcpu_cur->cpu;
	u->preempt_count = fs_kcpu_cur->preempt_count;
	u->irqs_off = fs_kcpu_cur->irqs_off;
	u->who = fs_actor_name(r->trace, r->cur_actor);
	u->ctx = fs_ctx_name(r->mach ? fs_machine_ctx(r->mach) : FS_CTX_TASK);
	u->pc = pc;
}

/* Context rules, only when the context differs from the last use. */
void fs_run_ctx_use(struct fs_runner *r, unsigned int ci,
		    enum fs_cache_class cls, int owner, const void *pc)
{
	struct fs_ctx_use u;

	if (r->last_use[ci].pc == fs_kcpu_cur->preempt_count + 1 &&
	    r->last_use[ci].irqs_off == fs_kcpu_cur->irqs_off &&
	    r->last_use[ci].cpu == fs_kcpu_cur->cpu)
		return;
	r->last_use[ci].pc = fs_kcpu_cur->preempt_count + 1;
	r->last_use[ci].irqs_off = fs_kcpu_cur->irqs_off;
	r->last_use[ci].cpu = (uint8_t)fs_kcpu_cur->cpu;
	use_now(r, &u, pc);
	fs_check_ctx_use(r->check, ci, cls, owner, &u);
}

void fs_run_quiescent(struct fs_runner *r)
{
	if (!r->o.checks || r->in_kernel)
		return;
	for (unsigned int i = 0; i < r->nr_views; i++)
		fs_run_view(r, i, &r->views[i]);
	fs_check_quiescent(r->check, r->views);
}

/* ---- agents ---- */

static unsigned long nth_head(struct fs_runner *r, uint32_t sel)
{
	size_t n = fs_arena_nr_allocated(r->arena);
	unsigned long pfn = fs_arena_next_head(r->arena, 0);

	if (!n || pfn == NO_PFN)
		return NO_PFN;
	for (size_t k = sel % n; k && pfn != NO_PFN; k--)
		pfn = fs_arena_next_head(r->arena, pfn + 1);
	return pfn;
}

static bool agent(void *ctx, struct fs_decision *d)
{
	struct fs_runner *r = ctx;
	bool replay = fs_sched_from_log(&r->sched);
	fs_faults_t f = fs_arena_faults(r->arena);

	switch (d->kind) {
	case FS_DEC_SPEC_GET: {
		unsigned long pfn = replay ? d->arg : nth_head(r, d->arg);

		if (pfn == NO_PFN || !spec_get(r, pfn))
			return false;
		FS_GROW(r->spec, r->nr_spec, r->cap_spec);
		r->spec[r->nr_spec++] = pfn;
		d->arg = (uint32_t)pfn;
		return true;
	}
	case FS_DEC_SPEC_PUT: {
		uint32_t k = r->nr_spec ? d->arg % r->nr_spec : 0;

		if (replay)
			for (k = 0; k < r->nr_spec && r->spec[k] != d->arg; k++)
				;
		if (k >= r->nr_spec)
			return false;
		d->arg = (uint32_t)r->spec[k];
		spec_put(r, r->spec[k]);
		r->spec[k] = r->spec[--r->nr_spec];
		return true;
	}
	case FS_DEC_PRESSURE_ON:
		fs_arena_set_faults(r->arena, f | FS_FAULT_PRESSURE);
		return true;
	case FS_DEC_PRESSURE_OFF:
		fs_arena_set_faults(r->arena, f & ~FS_FAULT_PRESSURE);
		return true;
	default:
		return false;
	}
}

/* ---- sections and the interpreter ---- */

static void exec_range(struct fs_runner *r, uint32_t from, uint32_t to,
		       unsigned int depth);

static void exec_section(struct fs_runner *r, const struct fs_op *op,
			 uint32_t idx, unsigned int depth)
{
	unsigned long flags = 0;

	if (op->kind == FS_OP_IRQ_OFF)
		flags = fs_local_irq_save();
	else
		fs_local_bh_disable();
	exec_range(r, idx + 1, idx + 1 + op->body_len, depth + 1);
	if (op->kind == FS_OP_IRQ_OFF)
		fs_local_irq_restore(flags, NULL);
	else
		fs_local_bh_enable(NULL);
}

/*
 * Past its first two rounds a repeat's body has no scheduling points in
 * a sequential trace (where a point decides nothing) and in a repeat of
 * FS_REPEAT_QUIET_ROUNDS rounds or more (docs/trace-format.md): the long
 * repeats that exhaust a page's bias (32K one-byte fragments) then cost
 * the kernel code and the checks, not the simulator's bookkeeping and
 * the fuzzer's access feedback, which the first rounds gave already.
 */
static void exec_repeat(struct fs_runner *r, const struct fs_op *op,
			uint32_t idx, unsigned int depth)
{
	bool quiet = false;

	for (uint32_t k = 0; k < op->count; k++) {
		if (k == 2 && r->mach &&
		    (!r->conc || op->count >= FS_REPEAT_QUIET_ROUNDS)) {
			fs_machine_observe(r->mach, true);
			quiet = true;
		}
		exec_range(r, idx + 1, idx + 1 + op->body_len, depth + 1);
	}
	if (quiet)
		fs_machine_observe(r->mach, false);
}

static void exec_op(struct fs_runner *r, const struct fs_op *op, uint32_t idx,
		    unsigned int depth)
{
	switch (op->kind) {
	case FS_OP_ALLOC:
	case FS_OP_NETDEV_ALLOC:
	case FS_OP_NAPI_ALLOC:
	case FS_OP_NAPI_ALLOC_1K:
		fs_op_alloc(r, op);
		break;
	case FS_OP_FREE:
		fs_op_free(r, op);
		break;
	case FS_OP_DRAIN:
		fs_op_drain(r, op, op->cache);
		break;
	case FS_OP_FREE_ALL:
		fs_op_free_all(r, op);
		break;
	case FS_OP_FAULTS:
		fs_op_faults(r, op);
		break;
	case FS_OP_EXPECT:
		fs_op_expect(r, op);
		break;
	case FS_OP_REPEAT:
		exec_repeat(r, op, idx, depth);
		break;
	case FS_OP_IRQ_OFF:
	case FS_OP_BH_OFF:
		exec_section(r, op, idx, depth);
		break;
	case FS_OP_RAISE:
		if (r->mach && fs_run_points(r))
			fs_machine_raise(r->mach, op->actor);
		break;
	case FS_OP_PUSH:
		fs_queue_push(r, op);
		break;
	case FS_OP_POP:
		fs_queue_pop(r, op);
		break;
	case FS_OP_SPEC_GET:
	case FS_OP_SPEC_PUT:
		fs_spec_op(r, op);
		break;
	default:
		break;
	}
}

static void exec_range(struct fs_runner *r, uint32_t from, uint32_t to,
		       unsigned int depth)
{
	for (uint32_t i = from; i < to; i++) {
		const struct fs_op *op = &r->trace->ops[i];

		if (op->kind == FS_OP_ACTOR) {	/* bodies run as actors */
			i += op->body_len;
			continue;
		}
		exec_op(r, op, i, depth);
		if (fs_op_opens_block(op->kind))	/* exec_op ran the body */
			i += op->body_len;
		if (r->mach && fs_run_points(r) && op->kind != FS_OP_COMMENT)
			fs_machine_op_point(r->mach);
	}
}

static void run_actor(void *ctx, uint16_t actor)
{
	struct fs_runner *r = ctx;
	uint32_t at;

	if (actor == FS_MAIN_ACTOR) {
		exec_range(r, 0, r->trace->nr_ops, 0);
		return;
	}
	at = r->trace->actors[actor].op;
	exec_range(r, at + 1, at + 1 + r->trace->ops[at].body_len, 1);
}

static void teardown(struct fs_runner *r)
{
	r->trace_ops = r->op_no;
	if (r->o.checks)
		fs_check_teardown_begin(r->check);
	fs_spec_release_all(r);
	fs_op_free_all(r, NULL);
	for (unsigned int i = 0; i < r->trace->nr_caches; i++)
		fs_op_drain(r, NULL, i);
	if (r->t->pcpu_drain) {
		fs_run_begin(r, NULL, "page_frag_cache_drain");
		for (unsigned int cpu = 0; cpu < r->trace->cpus; cpu++)
			r->t->pcpu_drain(cpu);
		fs_run_quiescent(r);
	}
	if (r->o.checks)
		fs_check_teardown(r->check);
}

/* What this target cannot run; fs_trace_validate() calls it for each op. */
static int target_can_run(void *ctx, const struct fs_op *op, char *err,
			  size_t errlen)
{
	const struct fs_runner *r = ctx;

	if ((op->kind == FS_OP_NETDEV_ALLOC || op->kind == FS_OP_NAPI_ALLOC) &&
	    !(fs_target_caps(r->t) & FS_TCAP_NET)) {
		snprintf(err, errlen, "line %u: target %s has no network front end (netdev/napi caches)",
			 op->line, r->t->name);
		return -1;
	}
	if (op->kind == FS_OP_NAPI_ALLOC_1K &&
	    !(fs_target_caps(r->t) & FS_TCAP_NAPI_1K)) {
		snprintf(err, errlen, "line %u: target %s has no 1K napi fragment cache",
			 op->line, r->t->name);
		return -1;
	}
	return 0;
}

/* What the trace's header and declarations ask of this target and checker. */
static int can_declare(const struct fs_runner *r, const struct fs_trace *t,
		       char *err, size_t errlen)
{
	const char *want = t->expect_finding;

	if (want[0] && strcmp(want, "none") &&
	    fs_finding_from_slug(want) >= FS_F_NR_KINDS) {
		snprintf(err, errlen, "expect-finding: '%.*s' is not a finding kind (docs/invariants.md lists them)",
			 (int)strnlen(want, sizeof(t->expect_finding)), want);
		return -1;
	}
	for (unsigned int i = 0; i < t->nr_caches; i++) {
		if (t->caches[i].kind == FS_CACHE_RX_RING && !r->t->ring_page) {
			snprintf(err, errlen, "cache %s rx_ring: target %s has no RX ring driver (a kernel target has)",
				 t->caches[i].name, r->t->name);
			return -1;
		}
	}
	return 0;
}

static int validate(const struct fs_runner *r, const struct fs_trace *t,
		    char *err, size_t errlen)
{
	if (can_declare(r, t, err, errlen) ||
	    fs_trace_validate(t, target_can_run, (void *)r, err, errlen))
		return -1;
	if (r->o.no_points && fs_trace_concurrent(t)) {
		snprintf(err, errlen, "a concurrent trace needs scheduling points");
		return -1;
	}
	return 0;
}

static bool uses_net(const struct fs_trace *t)
{
	for (uint32_t i = 0; i < t->nr_ops; i++) {
		switch (t->ops[i].kind) {
		case FS_OP_NETDEV_ALLOC:
		case FS_OP_NAPI_ALLOC:
		case FS_OP_NAPI_ALLOC_1K:
			return true;
		default:
			break;
		}
	}
	return false;
}

static void prepare(struct fs_runner *r, const struct fs_trace *t)
{
	char names[FS_CHECK_MAX_CACHES][32];

	if (t->nr_handles > r->cap_handles) {
		free(r->handle_frag);
		free(r->handle_res);
		free(r->handle_spec);
		free(r->handle_spec_ref);
		r->cap_handles = t->nr_handles;
		r->handle_frag = fs_xcalloc(r->cap_handles,
					    sizeof(*r->handle_frag));
		r->handle_res = fs_xcalloc(r->cap_handles, 1);
		r->handle_spec = fs_xcalloc(r->cap_handles,
					    sizeof(*r->handle_spec));
		r->handle_spec_ref = fs_xcalloc(r->cap_handles,
						sizeof(*r->handle_spec_ref));
	}
	for (uint32_t i = 0; i < t->nr_handles; i++) {
		r->handle_frag[i] = NO_FRAG;
		r->handle_res[i] = FS_RES_NONE;
		r->handle_spec[i] = NO_PFN;
		r->handle_spec_ref[i] = NO_PFN;
	}
	r->trace = t;
	r->conc = fs_trace_concurrent(t);
	r->diff_now = r->ref && !r->conc;
	for (unsigned int i = 0; i < t->nr_caches; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", t->caches[i].name);
		r->t->cache_init(r->nc[i]);
		fs_target_ref.cache_init(r->ref_nc[i]);
		memset(&r->rings[i], 0, sizeof(r->rings[i]));
	}
	r->nr_views = t->nr_caches;
	/* The per-CPU caches are checked only when the trace reaches them. */
	if (r->t->pcpu_view && uses_net(t)) {
		for (unsigned int cpu = 0; cpu < t->cpus; cpu++)
			for (unsigned int w = 0; w < FS_PCPU_NR; w++)
				snprintf(names[r->nr_views++], sizeof(names[0]),
					 "%s@cpu%u", pcpu_names[w], cpu);
	}
	for (unsigned int i = 0; i < FS_MAX_QUEUES; i++)
		r->queues[i].head = r->queues[i].tail = 0;
	memset(r->last_use, 0, sizeof(r->last_use));
	memset(r->opst, 0, sizeof(r->opst));
	r->cur_actor = FS_MAIN_ACTOR;
	r->nr_spec = 0;
	r->nr_frags = 0;
	r->first_live = 0;
	r->op_no = 0;
	r->trace_ops = 0;
	r->in_kernel = 0;
	fs_arena_reset(r->arena);
	fs_arena_set_faults(r->arena, t->faults);
	if (r->ref_arena) {
		fs_arena_reset(r->ref_arena);
		fs_arena_set_faults(r->ref_arena, t->faults);
	}
	fs_check_reset(r->check, r->nr_views, (const char (*)[32])names);
}

/*
 * PCT's k: the points a run of @t is expected to have, from the trace
 * alone (about 24 per operation), so the same trace and seed give the
 * same schedule whatever ran before.
 */
static uint64_t pct_length(const struct fs_trace *t)
{
	uint64_t ops = fs_trace_op_count(t);

	return ops < UINT64_MAX / 24 ? ops * 24 + 1 : UINT64_MAX;
}

static void start_sched(struct fs_runner *r, const struct fs_trace *t,
			const struct fs_run_sched *rs)
{
	struct fs_sched_params p = {
		.seed = t->seed,
		.k_hint = pct_length(t), .k_elig_hint = pct_length(t) / 2 + 1,
	};
	enum fs_strategy s = t->sched.strategy;

	if (rs && rs->strategy != FS_SCHED_DEFAULT)
		s = rs->strategy;
	if (rs) {
		p.depth = rs->depth;
		p.forced = rs->forced;
		p.nr_forced = rs->nr_forced;
	}
	p.nr_tasks = 1;
	for (unsigned int a = 0; a < t->nr_actors; a++) {
		if (t->actors[a].kind == FS_ACTOR_TASK)
			p.nr_tasks++;
		if (t->actors[a].kind == FS_ACTOR_HARDIRQ)
			p.nr_irq_budget += t->actors[a].count;
	}
	fs_sched_start(&r->sched, s, &t->sched, &p);
}

static uint64_t run_hash(const struct fs_run_result *res,
			 const struct fs_decision *log, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p = (const void *)&res->mstats;

#define MIX(b) (h = (h ^ (b)) * 0x100000001b3ull)
	for (size_t i = 0; i < sizeof(res->mstats); i++)
		MIX(p[i]);
	for (uint32_t i = 0; i < n; i++) {
		MIX(log[i].step);
		MIX(log[i].kind);
		MIX(log[i].arg);
	}
	MIX(res->ops);
	MIX(res->finding ? res->finding->kind : 0);
	if (res->finding)
		for (size_t i = 0; i < res->finding->report.len; i++)
			MIX((unsigned char)res->finding->report.s[i]);
#undef MIX
	return h;
}

/* The interleaving, as the machine hands it over, into the report. */
static void append_timeline(struct fs_runner *r)
{
	struct fs_timeline tl;

	fs_machine_timeline(r->mach, &tl);
	fs_check_report_timeline(r->check, &tl, r->trace);
}

int fs_runner_run_sched(struct fs_runner *r, const struct fs_trace *t,
			const struct fs_run_sched *rs,
			struct fs_run_result *res, char *err, size_t errlen)
{
	struct fs_machine_cfg cfg = {
		.nr_cpus = t->cpus, .preempt_full = t->preempt == FS_PREEMPT_FULL,
		.rt = t->rt,
		.cbs = { .ctx = r, .run_actor = run_actor, .agent = agent,
			 .resumed = resumed, .access = fs_net_access,
			 .locate = fs_run_locate, .stuck = stuck },
	};
	/* Read after a longjmp() back to r->unwind: volatile. */
	volatile bool ok = true, flushing = false;

	memset(res, 0, sizeof(*res));
	res->follow.index = UINT32_MAX;
	if (validate(r, t, err, errlen))
		return -1;
	prepare(r, t);
	fs_run_enter_target(r);
	if (fs_run_points(r)) {
		start_sched(r, t, rs);
		fs_machine_reset(r->mach, &cfg, t, &r->sched);
		fs_machine_record_alts(r->mach, rs && rs->record_alts);
		fs_machine_record_anchors(r->mach, r->o.anchors);
		fs_net_ranges(r);
	}
	fs_watchdog_watch(r);
	if (!setjmp(r->unwind)) {
		if (fs_run_points(r)) {
			ok = fs_machine_run(r->mach);
			if (!ok && fs_check_finding(r->check))
				append_timeline(r);	/* before quiescing */
			if (ok) {
				flushing = true;
				fs_machine_flush_softirqs(r->mach);
				flushing = false;
			}
			fs_machine_quiesce(r->mach);
		} else {
			exec_range(r, 0, t->nr_ops, 0);
		}
		if (ok)
			teardown(r);
	} else if (flushing) {
		/* Raised in the last softirqs: their context, before quiescing. */
		ok = false;
		append_timeline(r);
	}
	fs_watchdog_watch(NULL);
	fs_check_uninstall();
	if (fs_run_points(r)) {
		fs_machine_quiesce(r->mach);
		res->mstats = *fs_machine_stats(r->mach);
		/* A replayed decision never reached or offered was not placed. */
		if (fs_sched_from_log(&r->sched) && !fs_check_finding(r->check))
			res->mstats.unplaced += fs_sched_follow_unused(&r->sched);
		if (fs_sched_from_log(&r->sched))
			fs_sched_follow_info(&r->sched, &res->follow);
		res->log = fs_machine_log(r->mach, &res->nr_log);
		res->strategy = t->sched.strategy;
		if (rs && rs->strategy != FS_SCHED_DEFAULT)
			res->strategy = rs->strategy;
		if (res->strategy == FS_SCHED_DEFAULT)
			res->strategy = FS_SCHED_RANDOM;
	} else {
		fs_kctx_boot();
	}
	/* The trace's operations; the teardown's frees and drains are not. */
	res->ops = r->trace_ops ? r->trace_ops : r->op_no;
	res->finding = fs_check_finding(r->check);
	if (res->finding && fs_run_points(r) && ok)
		append_timeline(r);	/* raised in the teardown */
	snprintf(r->notes, sizeof(r->notes), "%s%s", fs_check_notes(r->check),
		 fs_run_points(r) ? fs_machine_notes(r->mach) : "");
	res->notes = r->notes;
	res->hash = run_hash(res, res->log, res->nr_log);
	return 0;
}

int fs_runner_run(struct fs_runner *r, const struct fs_trace *t,
		  struct fs_run_result *res, char *err, size_t errlen)
{
	return fs_runner_run_sched(r, t, NULL, res, err, errlen);
}
