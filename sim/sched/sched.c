// SPDX-License-Identifier: GPL-2.0
/* What the strategies share: the registry, the seeded generator. */
#include <stdio.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/rng.h"
#include "sched.h"

struct strategy {
	const char *name;
	const struct fs_sched_ops *ops;
};

/* From strategies.h; no schedule line runs the random walk. */
static const struct strategy registry[] = {
	[FS_SCHED_DEFAULT] = { "default", &fs_sched_random },
#define REGISTER(id, name, ops) [FS_SCHED_##id] = { name, &ops },
	FS_STRATEGIES(REGISTER)
#undef REGISTER
};
_Static_assert(ARRAY_SIZE(registry) == FS_SCHED_NR,
	       "one registry entry per enum fs_strategy");

const char *fs_strategy_name(enum fs_strategy s)
{
	return s < FS_SCHED_NR ? registry[s].name : "?";
}

const struct fs_sched_ops *fs_sched_by_strategy(enum fs_strategy s)
{
	return s < FS_SCHED_NR ? registry[s].ops : &fs_sched_random;
}

int fs_strategy_by_name(const char *name)
{
	for (int i = FS_SCHED_DEFAULT + 1; i < FS_SCHED_NR; i++)
		if (!strcmp(registry[i].name, name))
			return i;
	return -1;
}

/* A decision log comes only with a trace: `fragsim run` cannot pick it. */
bool fs_strategy_runnable(enum fs_strategy s)
{
	return s > FS_SCHED_DEFAULT && s < FS_SCHED_NR &&
	       !registry[s].ops->from_log;
}

bool fs_strategy_searches(enum fs_strategy s)
{
	return fs_sched_by_strategy(s)->search;
}

/* "random, pct<last_sep>exhaustive" */
void fs_strategy_list(char *buf, size_t len, const char *last_sep)
{
	size_t n = 0;
	int last = -1;

	for (int i = 0; i < FS_SCHED_NR; i++)
		if (fs_strategy_runnable(i))
			last = i;
	buf[0] = '\0';
	for (int i = 0; i < FS_SCHED_NR && n < len; i++) {
		if (!fs_strategy_runnable(i))
			continue;
		n += snprintf(buf + n, len - n, "%s%s",
			      !n ? "" : i == last ? last_sep : ", ",
			      registry[i].name);
	}
}

static void begin(struct fs_sched *s, const struct fs_sched_ops *ops,
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

void fs_sched_start(struct fs_sched *s, enum fs_strategy id,
		    const struct fs_schedule *sched,
		    const struct fs_sched_params *p)
{
	const struct fs_sched_ops *ops = fs_sched_by_strategy(id);
	struct fs_sched_params q = *p;

	if (ops->params)
		ops->params(&q, sched);
	begin(s, ops, &q);
}

void fs_sched_end(struct fs_sched *s)
{
	if (s->ops && s->ops->end)
		s->ops->end(s);
}

bool fs_sched_from_log(const struct fs_sched *s)
{
	return s->ops && s->ops->from_log;
}

uint64_t fs_sched_rand(struct fs_sched *s)
{
	return fs_rng_next(&s->rng);
}

uint64_t fs_sched_below(struct fs_sched *s, uint64_t n)
{
	return fs_rng_below(&s->rng, n);
}
