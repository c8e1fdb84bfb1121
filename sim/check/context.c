// SPDX-License-Identifier: GPL-2.0
/*
 * Context rules, lockdep-style.  Each cache class keeps sticky usage bits
 * (used in hardirq / with hardirqs on / in softirq / with softirqs on)
 * with the first use of each; an exclusive pair is a finding even if this
 * run never interleaved the two (lib/locking-selftest.c's point: the bug
 * is a property of the usage set).  On top, the kernel's contracts: the
 * netdev cache needs hardirq or irqs off, the napi cache softirq or BH
 * off and never hardirq, a per-CPU cache only its own CPU, a driver's
 * cache one CPU (no locks are modelled, so a second CPU is a second user).
 */
#include <stdio.h>
#include <string.h>

#include <fragsim/kctx.h>

#include "check_internal.h"

enum {
	USED_IN_HARDIRQ,
	HARDIRQ_ON,		/* used where a hard interrupt can arrive */
	USED_IN_SOFTIRQ,
	SOFTIRQ_ON,		/* used where a softirq can run */
};

static const char *const bit_names[] = {
	"IN-HARDIRQ-W", "HARDIRQ-ON-W", "IN-SOFTIRQ-W", "SOFTIRQ-ON-W",
};

static void describe(struct fs_check *c, const struct fs_ctx_use *u,
		     char *buf, size_t len)
{
	char where[96] = "";

	if (u->pc && c->symbolize) {
		char sym[80];

		c->symbolize(u->pc, sym, sizeof(sym));
		snprintf(where, sizeof(where), " at %s", sym);
	}
	snprintf(buf, len, "%s %s on CPU %u (preempt_count %#x, irqs %s), op #%llu%s",
		 u->ctx, u->who, u->cpu, u->preempt_count,
		 u->irqs_off ? "off" : "on", (unsigned long long)c->op_no,
		 where);
}

static void set_bit(struct fs_check *c, struct fs_ctx_class *k, int bit,
		    const struct fs_ctx_use *u)
{
	if (k->bits & (1u << bit))
		return;
	k->bits |= 1u << bit;
	describe(c, u, k->first[bit], sizeof(k->first[bit]));
}

static void inconsistent(struct fs_check *c, unsigned int cache,
			 struct fs_ctx_class *k, int was, int now,
			 const struct fs_ctx_use *u)
{
	char here[160];

	describe(c, u, here, sizeof(here));
	fs_check_raise(c, FS_F_CTX_INCONSISTENT, FS_NO_PFN, FS_NO_FRAG,
		       "inconsistent {%s} -> {%s} usage of cache %s: first %s use by %s; now %s use by %s. Possible unsafe scenario: the %s interrupt arrives while the cache is being updated, and the handler updates it too",
		       bit_names[was], bit_names[now], c->cache_names[cache],
		       bit_names[was], k->first[was], bit_names[now], here,
		       was <= HARDIRQ_ON ? "hard" : "soft");
}

void fs_check_ctx_use(struct fs_check *c, unsigned int cache,
		      enum fs_cache_class cls, int owner_cpu,
		      const struct fs_ctx_use *u)
{
	/* Per-CPU caches share a class per kind, as lockdep's classes do. */
	unsigned int ci = cls == FS_CLASS_PLAIN ? cache :
			  FS_CHECK_MAX_CACHES - 1 - (cls == FS_CLASS_NAPI);
	struct fs_ctx_class *k = &c->cls[ci];
	bool hard = u->preempt_count & FS_HARDIRQ_MASK;
	bool soft = u->preempt_count & FS_SOFTIRQ_OFFSET;
	bool bh_off = u->preempt_count & FS_SOFTIRQ_MASK;
	char here[160];
	int bit;

	if (c->in_teardown || c->finding.kind != FS_F_NONE)
		return;
	if (owner_cpu >= 0 && (unsigned int)owner_cpu != u->cpu) {
		describe(c, u, here, sizeof(here));
		fs_check_raise(c, FS_F_CACHE_CONCURRENT, FS_NO_PFN, FS_NO_FRAG,
			       "per-CPU cache %s belongs to CPU %d but is used by %s: two CPUs update it without a lock",
			       c->cache_names[cache], owner_cpu, here);
	}
	if (cls == FS_CLASS_NETDEV && !hard && !u->irqs_off) {
		describe(c, u, here, sizeof(here));
		fs_check_raise(c, FS_F_CTX_NETDEV_IRQS_ON, FS_NO_PFN, FS_NO_FRAG,
			       "%s used by %s: outside hard interrupt context with interrupts enabled, so an interrupt on this CPU can enter __netdev_alloc_frag_align() in the middle of this update",
			       c->cache_names[cache], here);
	}
	if (cls == FS_CLASS_NAPI && hard) {
		describe(c, u, here, sizeof(here));
		fs_check_raise(c, FS_F_CTX_NAPI_HARDIRQ, FS_NO_PFN, FS_NO_FRAG,
			       "%s used by %s: in hard interrupt context, which can interrupt the NAPI poll on this CPU in the middle of its own update (netpoll and non-NAPI paths, Z-9)",
			       c->cache_names[cache], here);
	}
	if (cls == FS_CLASS_NAPI && !bh_off) {
		describe(c, u, here, sizeof(here));
		fs_check_raise(c, FS_F_CTX_NAPI_BH_ON, FS_NO_PFN, FS_NO_FRAG,
			       "%s used by %s: with BH enabled outside softirq, so the NAPI poll on this CPU can run in the middle of this update",
			       c->cache_names[cache], here);
	}
	if (cls == FS_CLASS_PLAIN) {
		if (k->cpu == 0 && !k->bits)
			k->cpu = (int)u->cpu + 1;
		if (k->cpu && k->cpu != (int)u->cpu + 1) {
			describe(c, u, here, sizeof(here));
			fs_check_raise(c, FS_F_CACHE_CONCURRENT, FS_NO_PFN, FS_NO_FRAG,
				       "cache %s is used on CPU %d and by %s, with no lock between them: a page_frag_cache has one user at a time (nvme-tcp, Z-10)",
				       c->cache_names[cache], k->cpu - 1, here);
		}
	}
	/* lockdep's usage bits and its exclusive pairs. */
	bit = hard ? USED_IN_HARDIRQ : !u->irqs_off ? HARDIRQ_ON : -1;
	if (bit >= 0) {
		int other = bit == USED_IN_HARDIRQ ? HARDIRQ_ON : USED_IN_HARDIRQ;

		if (k->bits & (1u << other))
			inconsistent(c, cache, k, other, bit, u);
		set_bit(c, k, bit, u);
	}
	bit = soft ? USED_IN_SOFTIRQ : (!bh_off && !hard && !u->irqs_off) ?
	      SOFTIRQ_ON : -1;
	if (bit >= 0) {
		int other = bit == USED_IN_SOFTIRQ ? SOFTIRQ_ON : USED_IN_SOFTIRQ;

		if (k->bits & (1u << other))
			inconsistent(c, cache, k, other, bit, u);
		set_bit(c, k, bit, u);
	}
}
