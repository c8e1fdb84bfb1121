// SPDX-License-Identifier: GPL-2.0
/*
 * fragsim stress: the uninstrumented build of a kernel target on real
 * pthreads, each one a simulated CPU (its own struct fs_kcpu: this_cpu_ptr,
 * smp_processor_id, preempt_count and the irq flag answer per thread).
 *
 *  - page_frag_test's push/pop pair: each CPU allocates from its own
 *    page_frag_cache and pushes the fragment to a ring the next CPU pops
 *    and frees;
 *  - napi_alloc_frag() from "softirq" (SOFTIRQ_OFFSET, or BH off);
 *  - netdev_alloc_frag() from "hard IRQ": a helper sends SIGUSR1 with
 *    pthread_kill; the handler runs the interrupt body with HARDIRQ_OFFSET
 *    set, or marks it pending while the thread's interrupts are masked
 *    (local_irq_restore() delivers it, as hardware would);
 *  - speculative get_page_unless_zero()/put_page() from a helper thread,
 *    and memory-pressure flips.
 * Every thread parks at a barrier now and then for the refcount sums.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fragsim/kshim.h>

#include "../lib/rng.h"
#include "stress.h"

enum st_workload { ST_W_MIXED, ST_W_PUSHPOP, ST_W_NET, ST_W_SHARED, ST_W_NR };

static const char *const workload_names[] = {
	[ST_W_MIXED] = "mixed", [ST_W_PUSHPOP] = "pushpop",
	[ST_W_NET] = "net", [ST_W_SHARED] = "shared-cache",
};
_Static_assert(sizeof(workload_names) / sizeof(workload_names[0]) == ST_W_NR,
	       "a name per workload");

struct st_opts {
	const struct fs_target *target;
	unsigned int threads;
	double seconds;
	enum st_workload workload;
	uint64_t seed;
	const char *out;
	bool quiet;
};

static struct st_opts opt;
static struct st_cpu cpus[ST_MAX_CPUS];
static void *shared_cache;	/* shared-cache: one cache, every CPU */
static volatile int pause_req;
static volatile int quit;		/* set by the main thread only */
static pthread_barrier_t park;
static unsigned int nr_parties;
static uint32_t next_id = 1;
__thread struct st_cpu *st_self;
static uint64_t seq;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note(struct st_cpu *c, int ctx, int kind, void *va, uint32_t size)
{
	int w = ctx == ST_HARDIRQ;
	struct st_last *l = &c->last[w][c->nlast[w] % ST_LAST];

	l->seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	l->va = va;
	l->size = size;
	l->kind = kind;
	l->ctx = ctx;
	c->nlast[w]++;
}

/* ---- the ring between CPU i and CPU i+1: a spinlock, irqs masked ---- */

static unsigned long ring_lock(struct st_cpu *r)
{
	unsigned long flags = fs_local_irq_save();

	while (__atomic_exchange_n(&r->ring_lock, 1, __ATOMIC_ACQUIRE))
		;
	return flags;
}

static void ring_unlock(struct st_cpu *r, unsigned long flags)
{
	__atomic_store_n(&r->ring_lock, 0, __ATOMIC_RELEASE);
	fs_local_irq_restore(flags, NULL);
}

static bool ring_push(struct st_cpu *r, const struct st_frag *f)
{
	unsigned long flags = ring_lock(r);
	bool ok = r->ring_len < ST_RING;

	if (ok)
		r->ring[(r->ring_head + r->ring_len++) % ST_RING] = *f;
	ring_unlock(r, flags);
	return ok;
}

static bool ring_pop(struct st_cpu *r, struct st_frag *f)
{
	unsigned long flags = ring_lock(r);
	bool ok = r->ring_len > 0;

	if (ok) {
		*f = r->ring[r->ring_head];
		r->ring_head = (r->ring_head + 1) % ST_RING;
		r->ring_len--;
	}
	ring_unlock(r, flags);
	return ok;
}

/* ---- operations ---- */

static uint32_t frag_size(struct st_cpu *c)
{
	static const uint32_t sizes[] = { 8, 64, 200, 256, 576, 1024, 1504,
					  2048, 3000, 4096 };

	return sizes[fs_rng_below(&c->rng, sizeof(sizes) / sizeof(sizes[0]))];
}

static void frag_free(struct st_cpu *c, struct st_frag *f, int ctx)
{
	if (!st_frag_release(c, f, ctx))
		return;
	note(c, ctx, ST_OP_FREE, f->va, f->size);
	if (f->net && opt.target->free_net)
		opt.target->free_net(f->va);
	else
		opt.target->free(f->va);
}

/* A fragment just allocated: check it, then hand it on (or free it). */
static void frag_got(struct st_cpu *c, struct st_frag *f, int ctx, int kind,
		     const char *fn)
{
	struct st_cpu *next = &cpus[(c->id + 1) % opt.threads];

	__atomic_add_fetch(&c->ops, 1, __ATOMIC_RELAXED);
	if (!f->va) {
		c->null++;
		return;
	}
	f->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	note(c, ctx, kind, f->va, f->size);
	if (!st_frag_claim(c, f, ctx, fn))
		return;
	if (!ring_push(next, f))
		frag_free(c, f, ctx);
}

static void op_alloc(struct st_cpu *c, void *nc)
{
	struct st_frag f = { .size = frag_size(c) };
	fs_gfp_t gfp = fs_rng_below(&c->rng, 2) ? FS_GFP_KERNEL : FS_GFP_ATOMIC;

	f.va = opt.target->alloc(nc, f.size, gfp, 0);
	frag_got(c, &f, ST_TASK, ST_OP_ALLOC, opt.target->fn_alloc);
}

/* napi_alloc_frag() in softirq (serving) or with BH disabled. */
static void op_napi(struct st_cpu *c)
{
	struct st_frag f = { .size = frag_size(c) & ~63u, .net = true };
	bool serving = fs_rng_below(&c->rng, 2);
	int ctx = serving ? ST_SOFTIRQ : ST_TASK;

	if (!f.size)
		f.size = 64;
	if (serving)
		c->k.preempt_count += FS_SOFTIRQ_OFFSET;
	else
		fs_local_bh_disable();
	f.va = opt.target->napi_alloc(f.size, 0);
	frag_got(c, &f, ctx, ST_OP_NAPI, opt.target->fn_napi);
	if (serving)
		c->k.preempt_count -= FS_SOFTIRQ_OFFSET;
	else
		fs_local_bh_enable(NULL);
}

/* netdev_alloc_frag() from task context with interrupts off (a driver's
 * refill under spin_lock_irqsave): the netdev cache, as in hard IRQ. */
static void op_netdev_irqoff(struct st_cpu *c)
{
	struct st_frag f = { .size = (uint32_t)(64 << fs_rng_below(&c->rng, 5)),
			     .net = true };
	unsigned long flags = fs_local_irq_save();

	f.va = opt.target->netdev_alloc(f.size, 0);
	frag_got(c, &f, ST_TASK, ST_OP_NETDEV, opt.target->fn_netdev);
	fs_local_irq_restore(flags, NULL);
}

/* The hard interrupt's body: netdev_alloc_frag(), on this thread's CPU. */
static void hardirq_body(void)
{
	struct st_cpu *c = st_self;
	struct st_frag f = { .size = 256, .net = true };

	c->k.irq_pending = 0;
	c->k.preempt_count += FS_HARDIRQ_OFFSET;
	c->k.irqs_off = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_add_fetch(&c->irqs, 1, __ATOMIC_RELAXED);
	f.size = (uint32_t)(64 << fs_rng_below(&c->rng, 5));
	f.va = opt.target->netdev_alloc(f.size, 0);
	frag_got(c, &f, ST_HARDIRQ, ST_OP_NETDEV, opt.target->fn_netdev);
	c->k.irqs_off = false;
	c->k.preempt_count -= FS_HARDIRQ_OFFSET;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void on_sigirq(int sig)
{
	struct st_cpu *c = st_self;
	int e = errno;

	(void)sig;
	if (!c || !opt.target->netdev_alloc ||
	    __atomic_load_n(&st_stop, __ATOMIC_RELAXED))
		return;
	if (c->k.irqs_off || (c->k.preempt_count & FS_HARDIRQ_MASK) ||
	    __atomic_load_n(&pause_req, __ATOMIC_RELAXED))
		c->k.irq_pending = 1;	/* masked: local_irq_restore() runs it */
	else
		hardirq_body();
	errno = e;
}

static void deferred_irq(void)
{
	if (st_self && !(st_self->k.preempt_count & FS_HARDIRQ_MASK))
		hardirq_body();
}

static void park_if_asked(void)
{
	if (!__atomic_load_n(&pause_req, __ATOMIC_ACQUIRE))
		return;
	pthread_barrier_wait(&park);	/* everyone parked */
	pthread_barrier_wait(&park);	/* checked: go on */
}

static void cpu_step(struct st_cpu *c)
{
	struct st_frag f;
	unsigned int r = (unsigned int)fs_rng_below(&c->rng, 8);
	bool net = opt.target->napi_alloc &&
		   (opt.workload == ST_W_NET || opt.workload == ST_W_MIXED);
	struct st_cpu *prev = &cpus[(c->id + opt.threads - 1) % opt.threads];

	if (opt.workload == ST_W_SHARED)
		op_alloc(c, shared_cache);
	else if (net && (r == 0 || r == 1))
		op_netdev_irqoff(c);
	else if (net && (opt.workload == ST_W_NET || r < 4))
		op_napi(c);
	else
		op_alloc(c, c->cache);
	/* the pop side: page_frag_test's consumer, a batch at a time */
	for (int i = 0; i < (r == 7 ? ST_RING : 1) && ring_pop(prev, &f); i++)
		frag_free(c, &f, ST_TASK);
}

static void *cpu_thread(void *arg)
{
	struct st_cpu *c = arg;

	st_self = c;
	fs_kcpu_cur = &c->k;
	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE)) {
		park_if_asked();
		if (c->k.irq_pending)	/* arrived while parked */
			fs_local_irq_restore(fs_local_irq_save(), NULL);
		cpu_step(c);
	}
	c->k.irqs_off = true;	/* no interrupt after the end */
	return NULL;
}

/* ---- helper threads: interrupts, speculative references, pressure ---- */

static struct fs_kcpu helper_k[3];	/* they run no per-CPU kernel code */

static void nap(uint64_t *rng, unsigned int max_us)
{
	struct timespec ts = { 0, (long)(1000 * (1 + fs_rng_below(rng, max_us))) };

	nanosleep(&ts, NULL);
}

static void *irq_thread(void *arg)
{
	pthread_t *tids = arg;
	uint64_t rng = opt.seed ^ 0x1111;

	fs_kcpu_cur = &helper_k[0];
	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE)) {
		park_if_asked();
		pthread_kill(tids[fs_rng_below(&rng, opt.threads)], SIGUSR1);
		nap(&rng, 50);
	}
	return NULL;
}

/* folio_try_get() then folio_put() on whatever block a slot holds now. */
static void spec_once(uint64_t *rng)
{
	unsigned long nr = fs_arena_nr_pfns(st_arena) / 16;
	struct page *p = fs_arena_page(st_arena, fs_rng_below(rng, nr) * 16 + 8);

	if (!fs_page_try_get(p))
		return;
	for (volatile int i = 0; i < 100; i++)
		;
	if (fs_page_ref_sub_return(p, 1, "put_page") == 0)
		fs_page_free(p, fs_page_order(p), "put_page");
}

static void *spec_thread(void *arg)
{
	uint64_t rng = opt.seed ^ 0x2222;

	(void)arg;
	fs_kcpu_cur = &helper_k[1];
	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE)) {
		park_if_asked();
		for (int i = 0; i < 64; i++)
			spec_once(&rng);
		nap(&rng, 20);
	}
	return NULL;
}

static void *pressure_thread(void *arg)
{
	uint64_t rng = opt.seed ^ 0x3333;

	(void)arg;
	fs_kcpu_cur = &helper_k[2];
	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE)) {
		park_if_asked();
		fs_arena_set_faults(st_arena, fs_rng_below(&rng, 4) ?
				    0 : FS_FAULT_PRESSURE);
		nap(&rng, 5000);
	}
	fs_arena_set_faults(st_arena, 0);
	return NULL;
}

/* ---- setup and teardown ---- */

#define ST_ARENA_SLOTS	4096

static void *new_cache(void)
{
	void *nc = NULL;

	if (posix_memalign(&nc, 64, opt.target->cache_size))
		return NULL;
	memset(nc, 0, opt.target->cache_size);
	opt.target->cache_init(nc);
	return nc;
}

static int setup(const char *trace)
{
	struct sigaction sa = { .sa_handler = on_sigirq, .sa_flags = SA_RESTART };

	st_arena = fs_arena_create(ST_ARENA_SLOTS);
	if (!st_arena || st_check_init(opt.threads))
		return -1;
	fs_arena_cur = st_arena;
	fs_arena_set_threaded(st_arena, true);
	fs_kctx_boot();
	fs_percpu_setup(opt.threads);
	st_check_hooks(cpus, opt.threads, trace);
	fs_kctx_deferred_irq = deferred_irq;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	shared_cache = new_cache();
	for (unsigned int i = 0; i < opt.threads; i++) {
		struct st_cpu *c = &cpus[i];

		c->id = i;
		c->k.cpu = i;
		c->k.percpu_offset = fs_percpu_offset(i);
		c->rng = opt.seed + (i + 1) * FS_RNG_GOLDEN;
		c->cache = new_cache();
		if (!c->cache || !shared_cache)
			return -1;
	}
	return 0;
}

/* Every fragment back, every cache drained, on the main thread. */
static void teardown(void)
{
	struct st_frag f;

	for (unsigned int i = 0; i < opt.threads; i++)
		while (ring_pop(&cpus[i], &f))
			frag_free(&cpus[i], &f, ST_TASK);
	for (unsigned int i = 0; i < opt.threads; i++) {
		opt.target->drain(cpus[i].cache);
		if (opt.target->pcpu_drain)
			opt.target->pcpu_drain(i);
	}
	opt.target->drain(shared_cache);
	if (!st_found())
		st_check_teardown();
}

static void quiescent_check(void)
{
	void *caches[ST_MAX_CPUS + 1];

	for (unsigned int i = 0; i < opt.threads; i++)
		caches[i] = cpus[i].cache;
	caches[opt.threads] = shared_cache;
	st_check_quiescent(opt.target, caches, opt.threads + 1, opt.threads);
}

static uint64_t total_ops(uint64_t *irqs)
{
	uint64_t n = 0;

	*irqs = 0;
	for (unsigned int i = 0; i < opt.threads; i++) {
		n += __atomic_load_n(&cpus[i].ops, __ATOMIC_RELAXED);
		*irqs += __atomic_load_n(&cpus[i].irqs, __ATOMIC_RELAXED);
	}
	return n;
}

/* The main thread: park everyone every 100 ms, report progress. */
static void supervise(void)
{
	double t0 = now(), next_park = t0 + 0.1, next_line = t0 + 1;
	uint64_t irqs, ops;
	bool tty = isatty(1);

	while (!st_found() && now() - t0 < opt.seconds) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (now() >= next_park) {
			__atomic_store_n(&pause_req, 1, __ATOMIC_RELEASE);
			pthread_barrier_wait(&park);
			quiescent_check();
			/* still set during the check: a late signal waits */
			__atomic_store_n(&pause_req, 0, __ATOMIC_RELEASE);
			pthread_barrier_wait(&park);
			next_park = now() + 0.1;
		}
		if (!opt.quiet && now() >= next_line) {
			ops = total_ops(&irqs);
			printf("%s  %.0fs: %llu ops (%.0f/s), %llu hard irqs",
			       tty ? "\r" : "\n", now() - t0, (unsigned long long)ops,
			       ops / (now() - t0), (unsigned long long)irqs);
			fflush(stdout);
			next_line += 1;
		}
	}
	if (!opt.quiet)
		printf("\n");
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
}

/* ---- the operation program, for the simulator ---- */

/*
 * Real threads do not replay; the program they ran does, under the
 * simulator's schedulers: one task per CPU with its own cache pushing to
 * the next CPU's queue, a softirq with napi_alloc_frag(), a hardirq with
 * netdev_alloc_frag(), the speculative and pressure agents.
 */
static bool trace_net(unsigned int cpu)
{
	/* a trace has at most 16 actors: the interrupts on CPUs 0 and 1 */
	return opt.target->napi_alloc && opt.workload != ST_W_PUSHPOP &&
	       opt.workload != ST_W_SHARED && cpu < 2;
}

static void write_irq_actors(FILE *f, unsigned int cpu)
{
	if (!trace_net(cpu))
		return;
	fprintf(f, "softirq rx%u cpu=%u {\n\tn%u = napi_alloc_frag size=1024\n"
		   "\tfree n%u\n}\n", cpu, cpu, cpu, cpu);
	fprintf(f, "hardirq irq%u cpu=%u count=16 {\n\td%u = netdev_alloc_frag "
		   "size=256\n\tfree d%u\n}\n", cpu, cpu, cpu, cpu);
}

static void write_task(FILE *f, unsigned int cpu)
{
	unsigned int next = (cpu + 1) % opt.threads;
	char nc[16];

	snprintf(nc, sizeof(nc), opt.workload == ST_W_SHARED ? "shared" :
		 "c%u", cpu);
	fprintf(f, "task t%u cpu=%u {\n\trepeat 64 {\n", cpu, cpu);
	fprintf(f, "\t\tp%u = alloc %s size=%u\n\t\tpush q%u p%u\n",
		cpu, nc, 64u << (cpu % 5), next, cpu);
	fprintf(f, "\t\tpop q%u\n", cpu);
	if (trace_net(cpu))
		fprintf(f, "\t\traise rx%u\n", cpu);
	fprintf(f, "\t}\n}\n");
}

static int write_trace(char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/stress-%s-%s-%llu.trace", opt.out,
		 workload_names[opt.workload], opt.target->name,
		 (unsigned long long)opt.seed);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "fragsim-trace 1\n# fragsim stress --workload %s "
		   "--threads %u --seed %llu: the program, not the interleaving\n",
		opt.workload == ST_W_SHARED ? "shared-cache" : workload_names[opt.workload],
		opt.threads, (unsigned long long)opt.seed);
	fprintf(f, "target %s\nseed 0x%016llx\ncpus %u\nschedule pct\n",
		opt.target->name, (unsigned long long)opt.seed, opt.threads);
	fprintf(f, "agent speculative\nagent pressure\n");
	for (unsigned int i = 0; i < opt.threads; i++)
		fprintf(f, "cache c%u page_frag\nqueue q%u\n", i, i);
	if (opt.workload == ST_W_SHARED)
		fprintf(f, "cache shared page_frag\n");
	for (unsigned int i = 0; i < opt.threads; i++)
		write_irq_actors(f, i);
	for (unsigned int i = 0; i < opt.threads; i++)
		write_task(f, i);
	return fclose(f);
}

/* ---- the command ---- */

__attribute__((noreturn, format(printf, 1, 2)))
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fragsim stress: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static const struct fs_target *find_target(const char *name)
{
	for (unsigned int i = 0; fs_native_targets[i]; i++)
		if (!strcmp(fs_native_targets[i]->name, name))
			return fs_native_targets[i];
	for (unsigned int i = 0; i < fs_nr_targets; i++)
		if (!strcmp(fs_targets[i]->name, name) && !strcmp(name, "ref"))
			return fs_targets[i];	/* ref: not instrumented anyway */
	usage_error("--target: no uninstrumented build of '%s' here", name);
}

static const struct fs_target *default_target(void)
{
	const struct fs_target *t = fs_targets[0];

	for (unsigned int i = 0; fs_native_targets[i]; i++)
		if (!fs_native_targets[i]->zoo[0])	/* the newest kernel */
			t = fs_native_targets[i];
	return t;
}

static enum st_workload find_workload(const char *name)
{
	for (int w = 0; w < ST_W_NR; w++)
		if (!strcmp(workload_names[w], name))
			return w;
	usage_error("--workload: '%s' is not one of mixed, pushpop, net, "
		    "shared-cache", name);
}

static uint64_t num(const char *o, const char *v, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || !*v || n < lo || n > hi)
		usage_error("%s: '%s' is not a number from %llu to %llu", o, v,
			    (unsigned long long)lo, (unsigned long long)hi);
	return n;
}

static void usage(void)
{
	printf("usage: fragsim stress [--target T] [--threads N] [--seconds S]\n"
	       "       [--workload mixed|pushpop|net|shared-cache] [--seed N]\n"
	       "       [--out DIR] [--quiet]\n"
	       "The uninstrumented kernel code on N real threads (CPUs).  No "
	       "replay: --out gets\nthe operation program as a trace to hunt in "
	       "the simulator.  docs/stress.md\n");
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "workload", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	opt = (struct st_opts){ .target = default_target(), .threads = 2,
				.seconds = 10, .seed = 1,
				.out = "fragsim-findings" };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': opt.target = find_target(optarg); break;
		case 'n': opt.threads = num("--threads", optarg, 1, ST_MAX_CPUS); break;
		case 's': opt.seconds = (double)num("--seconds", optarg, 0, 86400); break;
		case 'w': opt.workload = find_workload(optarg); break;
		case 'S': opt.seed = num("--seed", optarg, 0, UINT64_MAX); break;
		case 'o': opt.out = optarg; break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(); exit(0);
		default:
			usage_error("unknown or incomplete option '%s'",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (opt.workload == ST_W_SHARED && opt.threads < 2)
		usage_error("--workload shared-cache needs --threads 2 or more");
}

static void start_threads(pthread_t *tids, pthread_t *helpers)
{
	bool net = opt.target->netdev_alloc && opt.workload != ST_W_PUSHPOP &&
		   opt.workload != ST_W_SHARED;
	void *(*fns[])(void *) = { spec_thread, pressure_thread, irq_thread };
	unsigned int nh = net ? 3 : 2;

	nr_parties = opt.threads + nh + 1;
	pthread_barrier_init(&park, NULL, nr_parties);
	for (unsigned int i = 0; i < opt.threads; i++)
		if (pthread_create(&tids[i], NULL, cpu_thread, &cpus[i]))
			usage_error("cannot create thread %u", i);
	for (unsigned int i = 0; i < nh; i++)
		if (pthread_create(&helpers[i], NULL, fns[i], tids))
			usage_error("cannot create a helper thread");
	for (unsigned int i = nh; i < 3; i++)
		helpers[i] = 0;
}

int fs_stress_main(int argc, char **argv)
{
	pthread_t tids[ST_MAX_CPUS], helpers[3];
	char trace[4096];
	uint64_t ops, irqs;
	double t0;

	parse(argc, argv);
	if ((mkdir(opt.out, 0777) && errno != EEXIST) || write_trace(trace, sizeof(trace)))
		usage_error("--out %s: cannot write the trace there", opt.out);
	if (setup(trace)) {
		fprintf(stderr, "fragsim stress: cannot set up the page arena\n");
		return 3;
	}
	printf("fragsim stress: target %s (%s, uninstrumented), workload %s, "
	       "%u threads, %.0f s, seed %llu\n", opt.target->name,
	       opt.target->release, workload_names[opt.workload], opt.threads,
	       opt.seconds, (unsigned long long)opt.seed);
	printf("  real threads: no replay; the program is in %s\n", trace);
	t0 = now();
	start_threads(tids, helpers);
	supervise();
	for (unsigned int i = 0; i < opt.threads; i++)
		pthread_join(tids[i], NULL);
	for (unsigned int i = 0; i < 3; i++)
		if (helpers[i])
			pthread_join(helpers[i], NULL);
	teardown();
	ops = total_ops(&irqs);
	printf("fragsim stress: %llu ops in %.1f s (%.0f ops/s), %llu hard irqs, "
	       "%llu finding(s)\n", (unsigned long long)ops, now() - t0,
	       ops / (now() - t0), (unsigned long long)irqs,
	       (unsigned long long)st_nr_findings());
	if (!st_found())
		return 0;
	st_report(cpus, opt.threads, trace);
	return 1;
}
