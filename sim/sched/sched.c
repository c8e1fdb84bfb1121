// SPDX-License-Identifier: GPL-2.0
/* What the strategies share: the seeded generator, the registry. */
#include <string.h>

#include "../trace/trace_gen.h"
#include "sched.h"

static const char *const names[FS_SCHED_NR] = {
	[FS_SCHED_DEFAULT] = "default", [FS_SCHED_RANDOM] = "random",
	[FS_SCHED_PCT] = "pct", [FS_SCHED_EXHAUSTIVE] = "exhaustive",
	[FS_SCHED_REPLAY] = "replay",
};

const char *fs_strategy_name(enum fs_strategy s)
{
	return s < FS_SCHED_NR ? names[s] : "?";
}

const struct fs_sched_ops *fs_sched_by_strategy(enum fs_strategy s)
{
	switch (s) {
	case FS_SCHED_PCT:
		return &fs_sched_pct;
	case FS_SCHED_EXHAUSTIVE:
		return &fs_sched_exhaustive;
	case FS_SCHED_REPLAY:
		return &fs_sched_replay;
	default:
		return &fs_sched_random;
	}
}

void fs_sched_begin(struct fs_sched *s, const struct fs_sched_ops *ops,
		    const struct fs_sched_params *p)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->p = *p;
	/* A stream of its own: data randomness never shifts the schedule. */
	s->rng = p->seed ^ 0x5c4ed01e5c4ed01eull;
	s->next = UINT64_MAX;
	s->next_elig = UINT64_MAX;
}

void fs_sched_end(struct fs_sched *s)
{
	if (s->ops && s->ops->end)
		s->ops->end(s);
}

uint64_t fs_sched_rand(struct fs_sched *s)
{
	return fs_rng_next(&s->rng);
}

uint64_t fs_sched_below(struct fs_sched *s, uint64_t n)
{
	return n ? fs_sched_rand(s) % n : 0;
}
