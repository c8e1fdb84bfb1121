// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency feedback (see feedback.h).  Buckets are hashes; the three
 * kinds of signal get disjoint thirds of the map so that one never
 * shadows another.
 */
#include <stdbool.h>
#include <string.h>

#include "feedback.h"

#define ALIAS_SLOTS	4096
#define WINDOW_BYTES	64

uint8_t *fs_fb_map;
size_t fs_fb_len;

struct alias {
	uintptr_t granule;	/* addr >> 3 */
	uint32_t ctx;
	uint32_t gen;		/* the run that wrote it: older ones are empty */
	const void *pc;
};

/* A run starts with an empty table by a new generation, not a memset. */
static struct alias alias[ALIAS_SLOTS];
static uint32_t gen = 1;
static struct {
	bool open;
	uint32_t ctx;		/* the interrupted context */
	uintptr_t addr;		/* its last access before the injection */
	const void *pc;		/* where the interrupt landed */
} win;
static uintptr_t last_addr;
static uint32_t last_ctx;

static uint32_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ h >> 32);
}

static void hit(unsigned int kind, uint32_t h)
{
	size_t third = fs_fb_len / 3;
	uint8_t *b = &fs_fb_map[kind * third + h % third];

	if (*b != 0xff)
		++*b;
}

void fs_fb_set_map(uint8_t *map, size_t len)
{
	fs_fb_map = len >= 3 ? map : NULL;
	fs_fb_len = len;
}

void fs_fb_reset(void)
{
	if (!fs_fb_map)
		return;
	if (!++gen) {		/* wrapped: forget every slot for real */
		memset(alias, 0, sizeof(alias));
		gen = 1;
	}
	memset(&win, 0, sizeof(win));
	last_addr = 0;
	last_ctx = 0;
}

void fs_fb_decision(bool irq, const void *pc, unsigned int ctx_kind,
		    unsigned int depth)
{
	if (!fs_fb_map)
		return;
	hit(0, mix((uintptr_t)pc, irq << 8 | ctx_kind << 4 | depth));
	if (irq && last_addr) {
		win = (typeof(win)){ .open = true, .ctx = last_ctx,
				     .addr = last_addr, .pc = pc };
	}
}

void fs_fb_agent(unsigned int kind, const void *pc, unsigned int ctx_kind,
		 unsigned int depth)
{
	if (fs_fb_map)	/* bit 16 keeps these apart from switches and irqs */
		hit(0, mix((uintptr_t)pc, 1u << 16 | kind << 8 | ctx_kind << 4 | depth));
}

void fs_fb_access(const void *addr, const void *pc, uint32_t ctx,
		  unsigned int depth)
{
	uintptr_t a = (uintptr_t)addr;
	struct alias *s;

	if (!fs_fb_map || !a)
		return;
	s = &alias[(a >> 3) % ALIAS_SLOTS];
	if (s->gen == gen && s->granule == a >> 3 && s->ctx != ctx)
		hit(1, mix((uintptr_t)s->pc, (uintptr_t)pc ^ depth));
	*s = (struct alias){ .granule = a >> 3, .ctx = ctx, .gen = gen, .pc = pc };
	if (win.open && ctx == win.ctx) {
		/* The interrupted context is back: same object as before? */
		if (a - win.addr + WINDOW_BYTES < 2 * WINDOW_BYTES)
			hit(2, mix((uintptr_t)win.pc, (uintptr_t)pc));
		win.open = false;
	}
	last_addr = a;
	last_ctx = ctx;
}
