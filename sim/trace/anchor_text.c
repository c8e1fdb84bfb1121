// SPDX-License-Identifier: GPL-2.0
/*
 * The text of an anchor's location (anchor.h): what `loc=` of an anchored
 * `at` line says.  docs/trace-format.md, "Portable schedules".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fragsim/target.h>

#include "../lib/array.h"
#include "anchor.h"
#include "trace.h"

static const char *const region_names[] = {
	[FS_LOC_NONE]	= NULL,		/* written as its point kind */
	[FS_LOC_PAGE]	= "page",
	[FS_LOC_MEM]	= "mem",
	[FS_LOC_CACHE]	= "cache",
	[FS_LOC_PCPU]	= "pcpu",
	[FS_LOC_OTHER]	= "other",
};
_Static_assert(ARRAY_SIZE(region_names) == FS_LOC_NR, "a name per region");

static const char *const point_names[] = {
	[FS_PT_BOUNDARY]	= "boundary",
	[FS_PT_LEAVE]		= "leave",
	[FS_PT_IRQ_ON]		= "irq-on",
	[FS_PT_BH_ON]		= "bh-on",
	[FS_PT_FENCE]		= "fence",
	[FS_PT_PREEMPT_ON]	= "preempt-on",
	[FS_PT_RELAX]		= "relax",
};
_Static_assert(ARRAY_SIZE(point_names) == FS_PT_NR, "a name per point kind");

static const char *const pcpu_names[] = {
	[FS_PCPU_NETDEV]	= "netdev",
	[FS_PCPU_NAPI]		= "napi",
	[FS_PCPU_NAPI_SMALL]	= "napi-small",
};
_Static_assert(ARRAY_SIZE(pcpu_names) == FS_PCPU_NR, "a name per cache");

static int find(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len &&
		    !strncmp(names[i], s, len))
			return (int)i;
	return -1;
}

/* The object part of "region:OBJECT+0xOFF". */
static void format_object(const struct fs_trace *t, uint64_t loc, char *buf,
			  size_t len)
{
	uint32_t id = FS_LOC_ID(loc);

	switch (FS_LOC_REGION(loc)) {
	case FS_LOC_CACHE:
		if (id < t->nr_caches) {
			snprintf(buf, len, "%.*s", FS_NAME_MAX - 1,
				 t->caches[id].name);
			return;
		}
		break;
	case FS_LOC_PCPU:
		snprintf(buf, len, "%s@%u", pcpu_names[id % FS_PCPU_NR],
			 id / FS_PCPU_NR);
		return;
	default:
		break;
	}
	snprintf(buf, len, "%" PRIu32, id);
}

void fs_loc_format(const struct fs_trace *t, uint64_t loc, char *buf,
		   size_t len)
{
	unsigned int r = FS_LOC_REGION(loc);
	char obj[48];

	if (r == FS_LOC_NONE) {
		snprintf(buf, len, "%s", FS_LOC_ID(loc) < FS_PT_NR ?
			 point_names[FS_LOC_ID(loc)] : "?");
		return;
	}
	if (r == FS_LOC_OTHER || r >= FS_LOC_NR) {
		snprintf(buf, len, "other");
		return;
	}
	format_object(t, loc, obj, sizeof(obj));
	snprintf(buf, len, "%s:%s+0x%" PRIx32, region_names[r], obj,
		 FS_LOC_OFF(loc));
}

/* "OBJECT" of region @r: a number, a cache name, or "netdev@CPU". */
static int parse_object(const struct fs_trace *t, unsigned int r,
			const char *s, size_t n, uint32_t *id)
{
	const char *at = memchr(s, '@', n);
	char *end;
	unsigned long v;
	int w;

	if (r == FS_LOC_CACHE) {
		for (unsigned int i = 0; i < t->nr_caches; i++)
			if (strlen(t->caches[i].name) == n &&
			    !strncmp(t->caches[i].name, s, n)) {
				*id = i;
				return 0;
			}
		return -1;
	}
	if (r == FS_LOC_PCPU) {
		if (!at)
			return -1;
		w = find(pcpu_names, ARRAY_SIZE(pcpu_names), s, (size_t)(at - s));
		v = strtoul(at + 1, &end, 10);
		if (w < 0 || end != s + n || end == at + 1 || v >= FS_MAX_CPUS)
			return -1;
		*id = (uint32_t)(v * FS_PCPU_NR + (unsigned long)w);
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (end != s + n || end == s || v > 0x0fffffffu || (*s == '0' && n > 1))
		return -1;
	*id = (uint32_t)v;
	return 0;
}

int fs_loc_parse(const struct fs_trace *t, const char *s, uint64_t *loc)
{
	const char *colon = strchr(s, ':'), *plus;
	unsigned long long off;
	uint32_t id;
	char *end;
	int r;

	if (!colon) {
		r = find(point_names, ARRAY_SIZE(point_names), s, strlen(s));
		if (r >= 0)
			*loc = FS_LOC(FS_LOC_NONE, r, 0);
		else if (!strcmp(s, "other"))
			*loc = FS_LOC(FS_LOC_OTHER, 0, 0);
		return r >= 0 || !strcmp(s, "other") ? 0 : -1;
	}
	r = find(region_names, ARRAY_SIZE(region_names), s, (size_t)(colon - s));
	plus = strrchr(colon, '+');
	if (r < 0 || r == FS_LOC_OTHER || !plus || strncmp(plus, "+0x", 3) ||
	    !plus[3])
		return -1;
	off = strtoull(plus + 3, &end, 16);
	if (*end || off > UINT32_MAX ||
	    parse_object(t, (unsigned int)r, colon + 1,
			 (size_t)(plus - colon - 1), &id))
		return -1;
	*loc = FS_LOC(r, id, off);
	return 0;
}
