// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated machine (machine.h).  One OS thread; each task actor is a
 * fiber pinned to its CPU; hard interrupts and softirqs run nested on the
 * fiber they interrupt.  The scheduling point (point()) is on the hot path
 * of every instrumented access: it counts, lets the checker see the
 * access, and only asks the strategy when the strategy asked to be asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fragsim/kctx.h>

#include "../lib/array.h"
#include "../sched/anchor.h"
#include "fiber.h"
#include "feedback.h"
#include "machine.h"

#define NR_TASKS	(FS_MAX_ACTORS + 1)
#define STACK_SIZE	(1u << 20)
#define SOFTIRQ_RESTART	10	/* kernel/softirq.c MAX_SOFTIRQ_RESTART */

enum { T_READY, T_WAITING, T_DONE };

struct frame {
	uint8_t kind;			/* enum fs_ctx_kind */
	uint16_t actor;
	bool saved_irqs_off;
	unsigned int depth;		/* call depth, may exceed the array */
	const void *stack[FS_STACK_DEPTH];
	struct fs_anchor_ctr ctr;	/* its operation's points, by location */
};

struct task {
	struct fs_machine *m;
	uint16_t actor;
	unsigned int cpu;
	int state;
	bool gave_up;			/* its wait was abandoned */
	bool (*ready)(void *ctx, int arg);
	int ready_arg;
	struct fs_fiber fiber;
	jmp_buf unwind;
	struct frame frames[FS_MAX_NEST];
	unsigned int nframes;
};

struct cpu {
	struct fs_kcpu k;
	int cur;			/* task on this CPU, -1 none */
	uint32_t pending;		/* raised softirq actors */
	bool has_irq;			/* a hardirq actor targets it */
};

struct fs_machine {
	struct fs_machine_cfg cfg;
	const struct fs_trace *t;
	struct fs_sched *s;
	struct cpu cpus[FS_MAX_CPUS];
	struct task tasks[NR_TASKS];
	unsigned int nr_tasks;
	int cur;
	struct fs_fiber main;
	bool running, aborted;
	bool flushing;			/* softirqs run on the caller's stack */
	unsigned int no_sched;		/* > 0: points do not decide */
	unsigned int observing;		/* > 0: the runner reads, no points */
	uint8_t after_count;		/* the last point read a counter */
	uint32_t op_points;		/* points since the kernel call began */

	uint32_t irq_left[FS_MAX_ACTORS];
	bool irq_active[FS_MAX_ACTORS];
	uint32_t spec_left, pressure_left, spec_held;

	uint64_t elig;
	struct fs_mstats st;
	struct fs_decision *log;
	uint32_t nr_log;
	size_t cap_log;
	struct fs_mevent tl[FS_TIMELINE];
	unsigned int tl_pos, tl_len;
	char notes[1024];
	size_t notes_len;
	bool record_anchors;		/* log each decision's anchor */
	struct fs_anchor pos;		/* the current point's, if wanted */
	const void *pos_pc;
	bool record_alts;
	struct fs_alt *alts;
	uint32_t nr_alts;
	size_t cap_alts;
};

static void note(struct fs_machine *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->notes_len >= sizeof(m->notes) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->notes + m->notes_len, sizeof(m->notes) - m->notes_len,
		      fmt, ap);
	va_end(ap);
	if (n > 0)
		m->notes_len += (size_t)n;
	if (m->notes_len > sizeof(m->notes) - 1)
		m->notes_len = sizeof(m->notes) - 1;
}

static inline __attribute__((always_inline)) struct task *
cur_task(struct fs_machine *m)
{
	return &m->tasks[m->cur];
}

static inline __attribute__((always_inline)) struct frame *
top(struct fs_machine *m)
{
	struct task *t = cur_task(m);

	return &t->frames[t->nframes - 1];
}

static void timeline(struct fs_machine *m, uint8_t kind, uint16_t other,
		     unsigned int to_cpu, uint32_t arg, const void *pc)
{
	struct fs_mevent *e = &m->tl[m->tl_pos];
	struct frame *f = top(m);

	e->step = m->st.steps;
	e->kind = kind;
	e->cpu = (uint8_t)cur_task(m)->cpu;
	e->to_cpu = (uint8_t)to_cpu;
	e->ctx = f->kind;
	e->actor = f->actor;
	e->other = other;
	e->arg = arg;
	e->pc = pc;
	e->fn = f->depth && f->depth <= FS_STACK_DEPTH ?
		f->stack[f->depth - 1] : NULL;
	m->tl_pos = (m->tl_pos + 1) % FS_TIMELINE;
	if (m->tl_len < FS_TIMELINE)
		m->tl_len++;
}

static inline __attribute__((always_inline)) bool
anchors_on(const struct fs_machine *m)
{
	return m->record_anchors || m->s->anchors;
}

static void log_decision(struct fs_machine *m, const struct fs_decision *d)
{
	struct fs_decision *l;
	char sym[128];

	m->log = fs_grow(m->log, m->nr_log, &m->cap_log, sizeof(*m->log), 64);
	l = &m->log[m->nr_log++];
	*l = *d;
	l->step = m->st.steps;
	l->line = 0;
	memset(&l->an, 0, sizeof(l->an));
	if (!anchors_on(m))
		return;
	l->an = m->pos;
	if (m->pos_pc) {
		fs_symbolize(m->pos_pc, sym, sizeof(sym));
		fs_anchor_set_fn(&l->an, sym[0] == '0' ? "" : sym);
	}
}

/*
 * The anchor of the point being taken (sim/trace/anchor.h): its location
 * and how many points that location has had in the context's operation.
 */
static void note_point(struct fs_machine *m, uint64_t loc, const void *pc)
{
	struct frame *f = top(m);

	m->pos = (struct fs_anchor){
		.op = f->ctr.op, .loc = loc, .actor = f->actor,
		.k = fs_anchor_ctr_bump(&f->ctr, loc),
	};
	m->pos_pc = pc;
}

static uint64_t point_loc(struct fs_machine *m, const void *addr,
			  unsigned int flags)
{
	if (addr)
		return m->cfg.cbs.locate ?
		       m->cfg.cbs.locate(m->cfg.cbs.ctx, addr) :
		       FS_LOC(FS_LOC_OTHER, 0, 0);
	if (flags & FS_ACC_OP)
		return FS_LOC(FS_LOC_NONE, FS_PT_BOUNDARY, 0);
	if (flags & FS_ACC_IRQ_ON)
		return FS_LOC(FS_LOC_NONE, FS_PT_IRQ_ON, 0);
	if (flags & FS_ACC_BH_ON)
		return FS_LOC(FS_LOC_NONE, FS_PT_BH_ON, 0);
	if (flags & FS_ACC_FENCE)
		return FS_LOC(FS_LOC_NONE, FS_PT_FENCE, 0);
	if (flags & FS_ACC_RELAX)
		return FS_LOC(FS_LOC_NONE, FS_PT_RELAX, 0);
	return FS_LOC(FS_LOC_NONE, FS_PT_PREEMPT_ON, 0);
}

/* ---- contexts ---- */

static void push_frame(struct fs_machine *m, uint8_t kind, uint16_t actor)
{
	struct task *t = cur_task(m);
	struct frame *f = &t->frames[t->nframes++];

	f->kind = kind;
	f->actor = actor;
	f->depth = 0;
	f->saved_irqs_off = m->cpus[t->cpu].k.irqs_off;
	fs_anchor_ctr_start(&f->ctr, 0);
}

static void resumed(struct fs_machine *m)
{
	if (m->cfg.cbs.resumed)
		m->cfg.cbs.resumed(m->cfg.cbs.ctx, top(m)->actor);
}

static void pop_frame(struct fs_machine *m)
{
	struct task *t = cur_task(m);

	m->cpus[t->cpu].k.irqs_off = t->frames[t->nframes - 1].saved_irqs_off;
	t->nframes--;
	resumed(m);
}

static void do_softirqs(struct fs_machine *m)
{
	struct cpu *c = &m->cpus[cur_task(m)->cpu];
	unsigned int rounds = 0;

	while (c->pending && rounds++ < SOFTIRQ_RESTART &&
	       cur_task(m)->nframes < FS_MAX_NEST) {
		uint16_t a = (uint16_t)__builtin_ctz(c->pending);

		c->pending &= ~(1u << a);
		push_frame(m, FS_CTX_SOFTIRQ, a);
		timeline(m, FS_MEV_SOFTIRQ, a, c->k.cpu, 0, NULL);
		m->st.softirqs++;
		c->k.preempt_count += FS_SOFTIRQ_OFFSET;
		c->k.irqs_off = false;	/* __do_softirq() enables interrupts */
		resumed(m);
		m->cfg.cbs.run_actor(m->cfg.cbs.ctx, a);
		c->k.preempt_count -= FS_SOFTIRQ_OFFSET;
		pop_frame(m);
	}
}

static bool softirq_allowed(const struct cpu *c)
{
	return !(c->k.preempt_count & (FS_SOFTIRQ_MASK | FS_HARDIRQ_MASK |
				       FS_NMI_MASK)) && !c->k.irqs_off;
}

static void inject(struct fs_machine *m, uint16_t a, const void *pc)
{
	struct cpu *c = &m->cpus[cur_task(m)->cpu];

	timeline(m, FS_MEV_IRQ, a, c->k.cpu, 0, pc);
	push_frame(m, FS_CTX_HARDIRQ, a);
	m->irq_left[a]--;
	m->irq_active[a] = true;
	m->st.irqs++;
	/* irq_enter(): in hard interrupt, interrupts off. */
	c->k.preempt_count += FS_HARDIRQ_OFFSET;
	c->k.irqs_off = true;
	resumed(m);
	m->cfg.cbs.run_actor(m->cfg.cbs.ctx, a);
	/* irq_exit(): softirqs run if we interrupted neither irq nor BH. */
	c->k.preempt_count -= FS_HARDIRQ_OFFSET;
	m->irq_active[a] = false;
	if (c->pending && !(c->k.preempt_count & (FS_SOFTIRQ_MASK |
						  FS_HARDIRQ_MASK)))
		do_softirqs(m);
	pop_frame(m);
}

/* ---- tasks ---- */

static bool task_runnable(struct fs_machine *m, struct task *t)
{
	if (t->state == T_DONE)
		return false;
	if (t->state == T_WAITING)
		return t->ready(m->cfg.cbs.ctx, t->ready_arg);
	return true;
}

/* The task's context is at task level with nothing disabled. */
static bool preemptible(struct fs_machine *m, struct task *t)
{
	const struct cpu *c = &m->cpus[t->cpu];

	return t->nframes == 1 && !c->k.preempt_count && !c->k.irqs_off;
}

/*
 * Tasks the running one could switch to: each other CPU's current task,
 * and other tasks of this CPU if the running one can be preempted (or
 * cannot go on: @leaving).
 */
static unsigned int candidates(struct fs_machine *m, uint16_t *out,
			       int *idx, bool leaving)
{
	struct task *me = cur_task(m);
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->nr_tasks; i++) {
		struct task *t = &m->tasks[i];
		struct cpu *c = &m->cpus[t->cpu];

		if ((int)i == m->cur || !task_runnable(m, t))
			continue;
		if (t->cpu != me->cpu) {
			/* A CPU runs its current task until that one can
			 * give way. */
			if (c->cur >= 0 && c->cur != (int)i &&
			    (task_runnable(m, &m->tasks[c->cur]) ||
			     !preemptible(m, &m->tasks[c->cur])))
				continue;
		} else if (!leaving && !(m->cfg.preempt_full &&
					 preemptible(m, me))) {
			continue;
		}
		idx[n] = (int)i;
		out[n++] = t->actor;
	}
	return n;
}

static void switch_to(struct fs_machine *m, int ti, bool preempt,
		      const void *pc)
{
	struct task *from = cur_task(m), *to = &m->tasks[ti];

	timeline(m, FS_MEV_SWITCH, to->actor, to->cpu, 0, pc);
	m->st.switches++;
	if (preempt)
		m->st.preemptions++;
	m->cpus[to->cpu].cur = ti;
	m->cur = ti;
	fs_kcpu_cur = &m->cpus[to->cpu].k;
	fs_fiber_switch(&from->fiber, &to->fiber);
	/* Back on this fiber: whoever switched here set cur and the CPU. */
	resumed(m);
}

/* Leave the current task for good or for a while. */
static bool leave(struct fs_machine *m)
{
	uint16_t acts[NR_TASKS];
	int idx[NR_TASKS];
	unsigned int n = candidates(m, acts, idx, true);

	/* A scheduling point of its own, so a replay log tells it apart. */
	m->st.steps++;
	if (anchors_on(m))
		note_point(m, FS_LOC(FS_LOC_NONE, FS_PT_LEAVE, 0), NULL);
	if (n) {
		struct fs_sched_point pt = {
			.step = m->st.steps, .cpu = cur_task(m)->cpu,
			.cur = cur_task(m)->actor, .tasks = acts,
			.nr_tasks = n, .op_boundary = true,
			.pos = anchors_on(m) ? &m->pos : NULL,
		};
		struct fs_decision d = { .kind = FS_DEC_NR };
		int pick = idx[0];

		/* The strategy may prefer another; the choice is logged. */
		m->s->ops->decide(m->s, &pt, &d);
		if (d.kind == FS_DEC_SWITCH)
			for (unsigned int i = 0; i < n; i++)
				if (acts[i] == d.arg)
					pick = idx[i];
		d = (struct fs_decision){ .kind = FS_DEC_SWITCH,
					  .arg = m->tasks[pick].actor };
		log_decision(m, &d);
		switch_to(m, pick, false, NULL);
		return true;
	}
	return false;
}

static void task_exit(struct fs_machine *m)
{
	struct task *me = cur_task(m);

	me->state = T_DONE;
	me->fiber.dying = true;
	if (m->cpus[me->cpu].cur == m->cur)
		m->cpus[me->cpu].cur = -1;
	if (!m->aborted && leave(m))
		abort();	/* never resumed */
	/* No one can run: abandon a wait, or the run is over. */
	for (unsigned int i = 0; !m->aborted && i < m->nr_tasks; i++) {
		struct task *t = &m->tasks[i];

		if (t->state == T_WAITING) {
			t->gave_up = true;
			t->state = T_READY;
			m->cpus[t->cpu].cur = (int)i;
			m->cur = (int)i;
			fs_kcpu_cur = &m->cpus[t->cpu].k;
			fs_fiber_switch(&me->fiber, &t->fiber);
			abort();
		}
	}
	fs_fiber_switch(&me->fiber, &m->main);
	abort();
}

static void task_main(void *arg)
{
	struct task *t = arg;
	struct fs_machine *m = t->m;

	if (!setjmp(t->unwind)) {
		resumed(m);
		m->cfg.cbs.run_actor(m->cfg.cbs.ctx, t->actor);
		fs_machine_op_point(m);
		if (m->cpus[t->cpu].pending && softirq_allowed(&m->cpus[t->cpu]))
			do_softirqs(m);
	} else {
		m->aborted = true;
	}
	task_exit(m);
}

bool fs_machine_wait(struct fs_machine *m, bool (*ready)(void *ctx, int arg),
		     int arg)
{
	struct task *me = cur_task(m);

	if (ready(m->cfg.cbs.ctx, arg))
		return true;
	if (me->nframes > 1)
		return false;	/* no waiting in interrupt context */
	me->ready = ready;
	me->ready_arg = arg;
	me->state = T_WAITING;
	me->gave_up = false;
	timeline(m, FS_MEV_WAIT, me->actor, me->cpu, 0, NULL);
	while (!me->gave_up && !ready(m->cfg.cbs.ctx, arg)) {
		if (!leave(m)) {
			me->gave_up = true;
			break;
		}
	}
	me->state = T_READY;
	return !me->gave_up;
}

/* ---- scheduling points ---- */

static bool apply_agent(struct fs_machine *m, struct fs_decision *d)
{
	bool ok;

	if ((d->kind == FS_DEC_SPEC_GET && !m->spec_left) ||
	    (d->kind == FS_DEC_SPEC_PUT && !m->spec_held) ||
	    ((d->kind == FS_DEC_PRESSURE_ON || d->kind == FS_DEC_PRESSURE_OFF) &&
	     !m->pressure_left))
		return false;
	m->no_sched++;
	ok = m->cfg.cbs.agent(m->cfg.cbs.ctx, d);
	m->no_sched--;
	if (!ok)
		return false;
	if (d->kind == FS_DEC_SPEC_GET) {
		m->spec_left--;
		m->spec_held++;
	} else if (d->kind == FS_DEC_SPEC_PUT) {
		m->spec_held--;
	} else {
		m->pressure_left--;
	}
	m->st.agent_actions++;
	return true;
}

static void add_alt(struct fs_machine *m, uint8_t kind, uint32_t arg)
{
	m->alts = fs_grow(m->alts, m->nr_alts, &m->cap_alts, sizeof(*m->alts),
			  256);
	m->alts[m->nr_alts].step = m->st.steps;
	m->alts[m->nr_alts].d = (struct fs_decision){ .kind = kind, .arg = arg };
	m->nr_alts++;
}

/* The hard interrupt actors that may be injected on @me's CPU now. */
static unsigned int injectable(const struct fs_machine *m,
			       const struct task *me, uint16_t *irqs)
{
	unsigned int nirq = 0;

	for (unsigned int a = 0; a < m->t->nr_actors; a++)
		if (m->t->actors[a].kind == FS_ACTOR_HARDIRQ &&
		    m->t->actors[a].cpu == me->cpu &&
		    m->irq_left[a] && !m->irq_active[a])
			irqs[nirq++] = (uint16_t)a;
	return nirq;
}

static void decide(struct fs_machine *m, bool elig, bool op, uint8_t window,
		   const void *pc)
{
	struct task *me = cur_task(m);
	uint16_t acts[NR_TASKS], irqs[FS_MAX_ACTORS];
	int idx[NR_TASKS];
	unsigned int nirq = 0, n;
	struct fs_sched_point pt;
	struct fs_decision d = { .kind = FS_DEC_NR };

	n = candidates(m, acts, idx, false);
	if (elig)
		nirq = injectable(m, me, irqs);
	pt = (struct fs_sched_point){
		.step = m->st.steps, .eligible = m->elig, .cpu = me->cpu,
		.cur = me->actor, .tasks = acts, .nr_tasks = n,
		.irqs = irqs, .nr_irqs = nirq,
		.spec_get = m->spec_left > 0, .spec_put = m->spec_held > 0,
		.pressure = m->pressure_left > 0, .op_boundary = op,
		.window = window, .pos = anchors_on(m) ? &m->pos : NULL,
	};
	if (m->record_alts) {
		for (unsigned int i = 0; i < n; i++)
			add_alt(m, FS_DEC_SWITCH, acts[i]);
		for (unsigned int i = 0; i < nirq; i++)
			add_alt(m, FS_DEC_IRQ, irqs[i]);
	}
	m->s->ops->decide(m->s, &pt, &d);
	switch (d.kind) {
	case FS_DEC_NR:
		return;
	case FS_DEC_SWITCH:
		for (unsigned int i = 0; i < n; i++) {
			if (acts[i] == d.arg) {
				log_decision(m, &d);
				fs_fb_decision(false, pc,
					       me->frames[me->nframes - 1].kind,
					       me->nframes);
				switch_to(m, idx[i], true, pc);
				return;
			}
		}
		break;
	case FS_DEC_IRQ:
		for (unsigned int i = 0; i < nirq; i++) {
			if (irqs[i] == d.arg) {
				log_decision(m, &d);
				fs_fb_decision(true, pc,
					       me->frames[me->nframes - 1].kind,
					       me->nframes);
				inject(m, (uint16_t)d.arg, pc);
				return;
			}
		}
		break;
	default:
		if (apply_agent(m, &d)) {
			log_decision(m, &d);
			fs_fb_agent(d.kind, pc, me->frames[me->nframes - 1].kind,
				    me->nframes);
			timeline(m, FS_MEV_AGENT, 0, me->cpu,
				 ((uint32_t)d.kind << 24) | (d.arg & 0xffffff), pc);
			return;
		}
		break;
	}
	if (fs_sched_from_log(m->s))
		m->st.unplaced++;
	if (fs_sched_from_log(m->s))
		note(m, "note: schedule decision at step %llu (kind %u, arg %u) does not apply to this run; skipped\n",
		     (unsigned long long)m->st.steps, d.kind, d.arg);
}

static __attribute__((noinline)) void
point_on(struct fs_machine *m, const void *addr, unsigned int size,
	 unsigned int flags, const void *pc)
{
	struct task *me;
	uint8_t window = m->after_count;
	bool elig = false;

	if (m->cfg.cbs.access && addr)
		m->cfg.cbs.access(m->cfg.cbs.ctx, addr, size, flags, pc);
	/* Agents' own accesses are not points: a replay may skip them. */
	if (m->no_sched)
		return;
	m->st.steps++;
	if (anchors_on(m))
		note_point(m, point_loc(m, addr, flags), pc);
	/*
	 * The point after a read of a counter (an int read atomically or with
	 * READ_ONCE(): page_ref_count(), an atomic_t's update) opens a race
	 * window: the code acts next on the value it saw.
	 */
	m->after_count = FS_WINDOW_NONE;
	if (size == sizeof(int) && (flags & FS_ACC_READ) &&
	    (flags & (FS_ACC_ATOMIC | FS_ACC_VOLATILE)))
		m->after_count = flags & FS_ACC_WRITE ? FS_WINDOW_RMW :
				 FS_WINDOW_READ;
	me = cur_task(m);
	if (fs_fb_map && addr)
		fs_fb_access(addr, pc, (uint32_t)(me - m->tasks) << 8 | me->nframes,
			     me->nframes);
	if (m->cpus[me->cpu].has_irq && !m->cpus[me->cpu].k.irqs_off &&
	    me->nframes < FS_MAX_NEST) {
		elig = true;
		m->elig++;
	}
	/* A spin-wait's turn is always offered: only another CPU can end it. */
	if (m->st.steps < m->s->next && !(flags & (FS_ACC_OP | FS_ACC_RELAX)) &&
	    !(elig && m->elig >= m->s->next_elig) &&
	    !(window && m->s->window))
		return;
	decide(m, elig, flags & FS_ACC_OP, m->s->window ? window : FS_WINDOW_NONE,
	       pc);
}

/*
 * A kernel call past FS_STUCK_POINTS accesses loops without returning (a
 * retry that neither allocates nor calls cpu_relax(), which the checker
 * counts itself): the runner's callback reports it and ends the run.
 */
static __attribute__((noinline, cold)) void stuck(struct fs_machine *m)
{
	if (m->cfg.cbs.stuck)
		m->cfg.cbs.stuck(m->cfg.cbs.ctx, m->op_points);
	m->op_points = 0;
}

/*
 * Every access of the kernel code: this test first, kept out of point_on's
 * frame.  The hooks called per access read only the machine's own fields:
 * ASan's checks of them were a tenth of a long repeat's cost.
 */
#define FS_HOT	__attribute__((no_sanitize("address")))

FS_HOT static void point(void *ctx, const void *addr, unsigned int size,
		  unsigned int flags, const void *pc)
{
	struct fs_machine *m = ctx;

	/*
	 * The runner reading a cache (an inline decoder the compiler left
	 * out of line) is neither kernel behaviour nor a place to switch:
	 * a switch there would leave a fragment handed out but not yet
	 * noted, and the step numbers would depend on the inlining.  The
	 * quiet rounds of a long repeat have no points either.
	 */
	if (__builtin_expect(++m->op_points > FS_STUCK_POINTS, 0))
		stuck(m);
	if (m->observing)
		return;
	point_on(m, addr, size, flags, pc);
}

void fs_machine_observe(struct fs_machine *m, bool begin)
{
	if (begin)
		m->observing++;
	else
		m->observing--;
}

void fs_machine_op_point(struct fs_machine *m)
{
	struct cpu *c;

	m->op_points = 0;
	if (!m->running || m->no_sched)
		return;
	c = &m->cpus[cur_task(m)->cpu];
	/* ksoftirqd: what was raised from task context runs now. */
	if (c->pending && cur_task(m)->nframes == 1 && softirq_allowed(c))
		do_softirqs(m);
	point(m, NULL, 0, FS_ACC_OP, NULL);
}

static void bh_enabled(void *ctx)
{
	struct fs_machine *m = ctx;

	if (m->cpus[cur_task(m)->cpu].pending)
		do_softirqs(m);
}

static void lock_hook(void *ctx, void *lock, bool acquire, const void *pc)
{
	struct fs_machine *m = ctx;
	int *owner = lock;	/* local_lock_t's first member */
	int me = m->cur + 1;

	if (m->cfg.cbs.access)
		m->cfg.cbs.access(m->cfg.cbs.ctx, lock, sizeof(int),
				  FS_ACC_WRITE | FS_ACC_ATOMIC, pc);
	if (!m->cfg.rt)
		return;
	/* PREEMPT_RT: a per-CPU sleeping lock; contenders wait for it. */
	if (!acquire) {
		*owner = 0;
		return;
	}
	while (*owner && *owner != me) {
		if (!leave(m))
			break;
	}
	*owner = me;
}

FS_HOT static void func_entry(void *ctx, const void *pc)
{
	struct fs_machine *m = ctx;
	struct frame *f = top(m);

	if (f->depth < FS_STACK_DEPTH)
		f->stack[f->depth] = pc;
	f->depth++;
}

FS_HOT static void func_exit(void *ctx)
{
	struct fs_machine *m = ctx;
	struct frame *f = top(m);

	if (f->depth)
		f->depth--;
}

/* ---- set-up ---- */

struct fs_machine *fs_machine_create(void)
{
	struct fs_machine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	fs_fiber_init_main(&m->main);
	return m;
}

void fs_machine_destroy(struct fs_machine *m)
{
	if (!m)
		return;
	for (unsigned int i = 0; i < NR_TASKS; i++)
		if (m->tasks[i].fiber.stack)
			fs_fiber_destroy(&m->tasks[i].fiber);
	free(m->main.ctx);
	free(m->log);
	free(m->alts);
	free(m);
	fs_kctx_boot();
}

static void push_frame_for(struct task *t)
{
	struct frame *f = &t->frames[0];

	t->nframes = 1;
	f->kind = FS_CTX_TASK;
	f->actor = t->actor;
	f->depth = 0;
	f->saved_irqs_off = false;
	fs_anchor_ctr_start(&f->ctr, 0);
}

static void add_task(struct fs_machine *m, uint16_t actor, unsigned int cpu)
{
	struct task *t = &m->tasks[m->nr_tasks];

	t->m = m;
	t->actor = actor;
	t->cpu = cpu;
	t->state = T_READY;
	t->nframes = 0;
	if (!t->fiber.stack) {
		if (fs_fiber_create(&t->fiber, STACK_SIZE, task_main, t)) {
			fputs("fragsim: cannot allocate a fiber stack\n", stderr);
			abort();
		}
	} else {
		fs_fiber_reset(&t->fiber);
	}
	push_frame_for(t);
	if (m->cpus[cpu].cur < 0)
		m->cpus[cpu].cur = (int)m->nr_tasks;
	m->nr_tasks++;
}

void fs_machine_reset(struct fs_machine *m, const struct fs_machine_cfg *cfg,
		      const struct fs_trace *t, struct fs_sched *sched)
{
	fs_fb_reset();
	m->cfg = *cfg;
	m->t = t;
	m->s = sched;
	m->nr_tasks = 0;
	m->cur = 0;
	m->aborted = false;
	m->running = false;
	m->flushing = false;
	m->no_sched = 0;
	m->observing = 0;
	m->op_points = 0;
	m->elig = 0;
	m->after_count = FS_WINDOW_NONE;
	memset(&m->st, 0, sizeof(m->st));
	m->nr_log = 0;
	m->tl_pos = m->tl_len = 0;
	m->notes_len = 0;
	m->notes[0] = 0;
	m->nr_alts = 0;
	memset(m->irq_active, 0, sizeof(m->irq_active));
	fs_percpu_setup(cfg->nr_cpus);
	for (unsigned int i = 0; i < FS_MAX_CPUS; i++) {
		struct cpu *c = &m->cpus[i];

		memset(c, 0, sizeof(*c));
		c->k.cpu = i;
		c->k.percpu_offset = fs_percpu_offset(i);
		c->cur = -1;
	}
	for (unsigned int a = 0; a < t->nr_actors; a++) {
		m->irq_left[a] = 0;
		if (t->actors[a].kind == FS_ACTOR_HARDIRQ) {
			m->irq_left[a] = t->actors[a].count;
			m->cpus[t->actors[a].cpu].has_irq = true;
		}
	}
	m->spec_left = t->agents[FS_AGENT_SPECULATIVE].on ?
		       t->agents[FS_AGENT_SPECULATIVE].count : 0;
	m->pressure_left = t->agents[FS_AGENT_PRESSURE].on ?
			   t->agents[FS_AGENT_PRESSURE].count : 0;
	m->spec_held = 0;
	add_task(m, FS_MAIN_ACTOR, 0);
	for (unsigned int a = 0; a < t->nr_actors; a++)
		if (t->actors[a].kind == FS_ACTOR_TASK)
			add_task(m, (uint16_t)a, t->actors[a].cpu);
	fs_kctx_hooks = (struct fs_kctx_hooks){
		.point = point, .bh_enabled = bh_enabled, .lock = lock_hook,
		.func_entry = func_entry, .func_exit = func_exit, .ctx = m,
	};
	fs_kcpu_cur = &m->cpus[0].k;
}

bool fs_machine_run(struct fs_machine *m)
{
	int first = m->cpus[0].cur >= 0 ? m->cpus[0].cur : 0;

	m->running = true;
	m->cur = first;
	fs_kcpu_cur = &m->cpus[m->tasks[first].cpu].k;
	fs_kctx_live = true;
	if (m->s->ops->begin)
		m->s->ops->begin(m->s);
	fs_fiber_switch(&m->main, &m->tasks[first].fiber);
	fs_kctx_live = false;
	m->running = false;
	fs_kcpu_cur = &m->cpus[0].k;
	return !m->aborted;
}

/*
 * Whether kernel code runs on a task's fiber now, so that a finding must
 * unwind that fiber.  The last softirqs run on the caller's own stack: a
 * finding there unwinds straight to the caller (the task fibers are gone).
 */
bool fs_machine_in_fiber(const struct fs_machine *m)
{
	return m->running && !m->flushing;
}

void fs_machine_abort(struct fs_machine *m)
{
	longjmp(cur_task(m)->unwind, 1);
}

void fs_machine_raise(struct fs_machine *m, uint16_t a)
{
	unsigned int cpu = m->t->actors[a].cpu;

	m->cpus[cpu].pending |= 1u << a;
}

void fs_machine_flush_softirqs(struct fs_machine *m)
{
	/* ksoftirqd on each CPU, in CPU order, nothing interleaved. */
	m->running = true;
	m->flushing = true;
	m->no_sched++;
	fs_kctx_live = true;
	for (unsigned int i = 0; i < m->cfg.nr_cpus; i++) {
		struct task *t = &m->tasks[0];
		unsigned int saved = t->cpu;

		if (!m->cpus[i].pending)
			continue;
		/* Borrow the main task's frames on that CPU. */
		m->cur = 0;
		t->cpu = i;
		t->nframes = 1;
		fs_kcpu_cur = &m->cpus[i].k;
		do_softirqs(m);
		t->cpu = saved;
	}
	fs_kctx_live = false;
	m->no_sched--;
	m->running = false;
	m->flushing = false;
	fs_kcpu_cur = &m->cpus[0].k;
}

void fs_machine_quiesce(struct fs_machine *m)
{
	/* A finding may have unwound out of fs_machine_flush_softirqs(). */
	m->running = false;
	m->flushing = false;
	m->cur = 0;
	m->tasks[0].nframes = 1;
	m->tasks[0].frames[0].depth = 0;
	for (unsigned int i = 0; i < FS_MAX_CPUS; i++) {
		m->cpus[i].k.preempt_count = 0;
		m->cpus[i].k.irqs_off = false;
	}
	fs_kcpu_cur = &m->cpus[0].k;
	fs_kctx_live = false;
}

uint16_t fs_machine_actor(const struct fs_machine *m)
{
	const struct task *t = &m->tasks[m->cur];

	return t->frames[t->nframes ? t->nframes - 1 : 0].actor;
}

enum fs_ctx_kind fs_machine_ctx(const struct fs_machine *m)
{
	const struct task *t = &m->tasks[m->cur];

	return t->frames[t->nframes ? t->nframes - 1 : 0].kind;
}

unsigned int fs_machine_cpu(const struct fs_machine *m)
{
	return m->tasks[m->cur].cpu;
}

unsigned int fs_machine_depth(const struct fs_machine *m)
{
	return m->tasks[m->cur].nframes;
}

const struct fs_mstats *fs_machine_stats(const struct fs_machine *m)
{
	return &m->st;
}

const struct fs_decision *fs_machine_log(const struct fs_machine *m,
					 uint32_t *nr)
{
	*nr = m->nr_log;
	return m->log;
}

/* The current context's kernel call stack, innermost first. */
static unsigned int call_stack(const struct fs_machine *m, const void **pcs,
			       unsigned int max)
{
	const struct task *t = &m->tasks[m->cur];
	unsigned int n = 0;

	for (unsigned int fi = t->nframes; fi-- > 0;) {
		const struct frame *f = &t->frames[fi];
		unsigned int d = f->depth < FS_STACK_DEPTH ? f->depth :
				 FS_STACK_DEPTH;

		while (d-- > 0 && n < max)
			pcs[n++] = f->stack[d];
		if (n < max)
			pcs[n++] = NULL;	/* context boundary */
	}
	return n;
}

void fs_machine_timeline(const struct fs_machine *m, struct fs_timeline *tl)
{
	unsigned int start = (m->tl_pos + FS_TIMELINE - m->tl_len) % FS_TIMELINE;

	tl->nr_cpus = m->cfg.nr_cpus;
	tl->stats = m->st;
	for (unsigned int i = 0; i < m->tl_len; i++)
		tl->ev[i] = m->tl[(start + i) % FS_TIMELINE];
	tl->nr_ev = m->tl_len;
	tl->cpu = fs_machine_cpu(m);
	tl->ctx = fs_machine_ctx(m);
	tl->actor = fs_machine_actor(m);
	tl->depth = fs_machine_depth(m);
	tl->nr_pcs = call_stack(m, tl->pcs, FS_TIMELINE_STACK);
}

const char *fs_machine_notes(const struct fs_machine *m)
{
	return m->notes;
}

const struct fs_alt *fs_machine_alts(const struct fs_machine *m, uint32_t *nr)
{
	*nr = m->nr_alts;
	return m->alts;
}

void fs_machine_record_alts(struct fs_machine *m, bool on)
{
	m->record_alts = on;
}

void fs_machine_record_anchors(struct fs_machine *m, bool on)
{
	m->record_anchors = on;
}

void fs_machine_op_begin(struct fs_machine *m, uint64_t op)
{
	m->op_points = 0;
	if (m->running && !m->no_sched)
		fs_anchor_ctr_start(&top(m)->ctr, op);
}
