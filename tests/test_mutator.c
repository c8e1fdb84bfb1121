// SPDX-License-Identifier: GPL-2.0
/*
 * The structure-aware mutator of the binary trace form (fuzz/mutator.c),
 * without an engine: every output is well-formed (checked by a validator
 * written here from docs/binary-format.md, not by the code under test),
 * fits max_size, never touches bytes at or past max_size, is the same for
 * the same seed, and differs from its input.
 *
 * The AFL++ glue (fuzz/afl_mutator.c, included here so that the build line
 * stays the same) is driven the way afl-fuzz 4.04c drives it.
 *
 * Build: cc -I fuzz tests/test_mutator.c fuzz/mutator.c
 * Usage: test_mutator [ITERATIONS]	(default 200000)
 */
#include <stdlib.h>
#include <time.h>

#include "../sim/lib/array.h"
#include "testlib.h"
#include "mutator.h"
#include "afl_mutator.c"


static unsigned long iterations = 200000;

/* ------------------------------------------------------------------------
 * Helpers
 */

/* The definition of mutator.h, independently: FZ 1, a <= 3, whole parts. */
static bool valid(const uint8_t *d, size_t n)
{
	size_t a, ops;

	if (n < 7 || d[0] != 'F' || d[1] != 'Z' || d[2] != 1)
		return false;
	a = d[5];
	if (a > 3 || n < 7 + a)
		return false;
	ops = d[6 + a];
	if (n < 7 + a + 4 * ops)
		return false;
	return (n - 7 - a - 4 * ops) % 3 == 0;
}

static uint64_t rnd_state = 0x1234567;

static uint64_t rnd(void)
{
	/* xorshift64*, separate from the mutator's own generator */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/*
 * A stand-in for LLVMFuzzerMutate: flips, sets, inserts or erases bytes,
 * deterministically from fake_state (reset before each fs_mutate call).
 */
static uint64_t fake_state;
static bool fake_misused;

static size_t fake_mutate(uint8_t *d, size_t size, size_t max)
{
	uint64_t x;
	size_t i;

	if (size > max || !max)
		fake_misused = true;
	fake_state = fake_state * 6364136223846793005ULL + 1;
	x = fake_state >> 33;
	i = size ? (x >> 8) % size : 0;
	switch (x % 4) {
	case 0:
		if (size)
			d[i] ^= (uint8_t)(1u << (x >> 3) % 8);
		return size;
	case 1:
		if (size)
			d[i] = (uint8_t)(x >> 16);
		return size;
	case 2:
		if (size >= max)
			return size;
		memmove(d + i + 1, d + i, size - i);
		d[i] = (uint8_t)(x >> 16);
		return size + 1;
	default:
		if (size <= 1)
			return size;
		memmove(d + i, d + i + 1, size - i - 1);
		return size - 1;
	}
}

struct input {
	uint8_t *d;
	size_t n;
};

static struct input dup_input(const uint8_t *d, size_t n)
{
	struct input in = { malloc(n ? n : 1), n };

	if (n)
		memcpy(in.d, d, n);
	return in;
}

/* ------------------------------------------------------------------------
 * Seeds
 */

/* FZ 1, machine, caches, slots, ops, decisions */
static const uint8_t seed_min[] = { 'F', 'Z', 1, 0, 0, 0, 0 };

static const uint8_t seed_rich[] = {
	'F', 'Z', 1,
	0x35,			/* 2 cpus, preempt, both agents */
	0x11,			/* nc0 rx_ring, nc1 page_frag */
	2, 0x04, 0x21,		/* t1 on cpu1, irq1 count 2 on cpu0 */
	8,
	0, 0x00, 64, 0,		/* main: alloc nc0 size=64 */
	0, 0x05, 0x00, 0x90,	/* t1: alloc nc1 size=4096 GFP_KERNEL */
	2, 0x00, 0, 0,		/* main: free */
	4, 0x06, 0x40, 0x02,	/* irq1: netdev_alloc_frag size=576 */
	12, 0x00, 0, 0,		/* main: push q0 */
	13, 0x01, 0, 0,		/* t1: pop q0 */
	9, 0x04, 0, 0,		/* main: bh-off { 2 ops } */
	5, 0x01, 0x00, 0x04,	/* t1: napi_alloc_frag size=1024 */
	5, 0, 0,		/* switch main */
	3, 1, 0,		/* irq irq1 */
	1, 2, 7,		/* spec-get page=7 */
	200, 4, 0,		/* pressure on */
};

/* N says 10 ops, 5 and a half are there: repaired to N = 5, nothing else */
static const uint8_t seed_truncated[] = {
	'F', 'Z', 1, 0, 0, 0x81,	/* one slot, stray upper bits */
	0x05, 10,
	0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 6, 0, 0, 0,
	3, 3,
};

static struct input seed_full(void)
{
	static uint8_t d[7 + 4 * 255 + 3 * 10];
	size_t i;

	memcpy(d, seed_min, sizeof(seed_min));
	d[3] = 3;
	d[6] = 255;
	for (i = 0; i < 255; i++) {
		d[7 + 4 * i] = (uint8_t)(i % 16);
		d[8 + 4 * i] = (uint8_t)i;
		d[9 + 4 * i] = (uint8_t)(i * 7);
	}
	for (i = 7 + 4 * 255; i < sizeof(d); i++)
		d[i] = (uint8_t)i;
	return (struct input){ d, sizeof(d) };
}

static struct input garbage(uint8_t *buf, size_t cap)
{
	size_t n = rnd_below(cap + 1), i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)rnd();
	/* half of it looks like the format at first sight */
	if (n >= 3 && rnd_below(2)) {
		buf[0] = 'F';
		buf[1] = 'Z';
		buf[2] = 1;
	}
	return (struct input){ buf, n };
}

/* ------------------------------------------------------------------------
 * Tests
 */

static bool test_well_formed_definition(void)
{
	static const struct {
		uint8_t d[16];
		size_t n;
		bool ok;
	} cases[] = {
		{ { 'F', 'Z', 1, 0, 0, 0, 0 }, 7, true },
		{ { 'F', 'Z', 1, 0, 0, 0, 0, 1, 2, 3 }, 10, true },
		{ { 'F', 'Z', 1, 0, 0, 0, 0, 1, 2 }, 9, false },
		{ { 'F', 'Z', 1, 0, 0, 0, 1, 1, 2, 3, 4 }, 11, true },
		{ { 'F', 'Z', 1, 0, 0, 0, 1, 1, 2, 3 }, 10, false },
		{ { 'F', 'Z', 1, 0, 0, 1, 9, 0 }, 8, true },
		{ { 'F', 'Z', 1, 0, 0, 1, 9 }, 7, false },
		{ { 'F', 'Z', 1, 0, 0, 3, 1, 2, 3, 0 }, 10, true },
		{ { 'F', 'Z', 1, 0, 0, 4, 1, 2, 3, 0 }, 10, false },
		{ { 'F', 'Z', 2, 0, 0, 0, 0 }, 7, false },
		{ { 'F', 'z', 1, 0, 0, 0, 0 }, 7, false },
		{ { 'F', 'Z', 1, 0, 0, 0 }, 6, false },
	};
	struct fs_layout l;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(valid(cases[i].d, cases[i].n), cases[i].ok);
		ASSERT_EQ(fs_well_formed(cases[i].d, cases[i].n), cases[i].ok);
	}
	ASSERT_TRUE(valid(seed_rich, sizeof(seed_rich)));
	ASSERT_TRUE(fs_layout(seed_rich, sizeof(seed_rich), &l));
	ASSERT_EQ(l.nslots, 2);
	ASSERT_EQ(l.nops, 8);
	ASSERT_EQ(l.ndec, 4);
	ASSERT_EQ(l.ops_off, 9);
	ASSERT_EQ(l.dec_off, 41);
	return true;
}

static bool test_repair(void)
{
	uint8_t buf[64];
	size_t n;

	/* well-formed and fitting: untouched */
	memcpy(buf, seed_rich, sizeof(seed_rich));
	ASSERT_EQ(fs_repair(buf, sizeof(seed_rich), sizeof(buf)),
		  sizeof(seed_rich));
	ASSERT_TRUE(!memcmp(buf, seed_rich, sizeof(seed_rich)));

	/* N cut to the 5 whole ops, the partial one dropped, slot bits kept */
	memcpy(buf, seed_truncated, sizeof(seed_truncated));
	n = fs_repair(buf, sizeof(seed_truncated), sizeof(buf));
	ASSERT_EQ(n, 8 + 4 * 5);
	ASSERT_EQ(buf[5], 1);
	ASSERT_EQ(buf[6], 5);		/* the slot */
	ASSERT_EQ(buf[7], 5);		/* N */
	ASSERT_TRUE(!memcmp(buf + 8, seed_truncated + 8, 4 * 5));
	ASSERT_TRUE(valid(buf, n));

	/* with one byte more, the decoder reads the 3 as a decision */
	memcpy(buf, seed_truncated, sizeof(seed_truncated));
	buf[sizeof(seed_truncated)] = 9;
	n = fs_repair(buf, sizeof(seed_truncated) + 1, sizeof(buf));
	ASSERT_EQ(n, 8 + 4 * 5 + 3);
	ASSERT_TRUE(!memcmp(buf + n - 3, "\x03\x03\x09", 3));

	/* empty: the minimal input */
	n = fs_repair(buf, 0, sizeof(buf));
	ASSERT_EQ(n, 7);
	ASSERT_TRUE(!memcmp(buf, seed_min, 7));

	/* wrong magic, partial decision at the end */
	memcpy(buf, "XYZ\x05\x06\x00\x01\x00\x00\x00\x00\x01\x02\x03\x04", 15);
	n = fs_repair(buf, 15, sizeof(buf));
	ASSERT_EQ(n, 14);
	ASSERT_TRUE(!memcmp(buf, "FZ\x01\x05\x06\x00\x01", 7));
	ASSERT_TRUE(valid(buf, n));

	/* too large: cut at boundaries (7 ops, then a decision fits) */
	memcpy(buf, seed_rich, sizeof(seed_rich));
	n = fs_repair(buf, sizeof(seed_rich), 40);
	ASSERT_EQ(n, 9 + 4 * 7 + 3);
	ASSERT_EQ(buf[8], 7);
	ASSERT_TRUE(valid(buf, n));
	ASSERT_TRUE(!memcmp(buf + 9, seed_rich + 9, 4 * 7));

	/* no room for any input */
	for (size_t max = 0; max < 7; max++) {
		memcpy(buf, seed_rich, sizeof(seed_rich));
		ASSERT_EQ(fs_repair(buf, sizeof(seed_rich), max), 0);
		ASSERT_EQ(fs_mutate(buf, sizeof(seed_rich), max, 1, NULL), 0);
		ASSERT_EQ(fs_crossover(seed_rich, sizeof(seed_rich), seed_min,
				       7, buf, max, 1), 0);
		ASSERT_TRUE(!memcmp(buf, seed_rich, sizeof(seed_rich)));
	}
	return true;
}

/* Every kind changes the rich seed often and keeps it well-formed. */
static bool test_each_kind(void)
{
	uint8_t buf[4096];
	unsigned int kind;

	for (kind = 0; kind < FS_MUT_NR; kind++) {
		unsigned int changed = 0, tries = 2000;

		for (unsigned int i = 0; i < tries; i++) {
			size_t n;

			memcpy(buf, seed_rich, sizeof(seed_rich));
			fake_state = i;
			n = fs_mutate_kind(buf, sizeof(seed_rich), sizeof(buf),
					   i, i % 2 ? fake_mutate : NULL,
					   kind);
			ASSERT_TRUE(valid(buf, n));
			if (n != sizeof(seed_rich) ||
			    memcmp(buf, seed_rich, n))
				changed++;
		}
		printf("     %-12s changes the rich seed in %5.1f%%\n",
		       fs_mutation_name(kind), 100.0 * changed / tries);
		ASSERT_TRUE(changed > tries / 4);
	}
	ASSERT_STREQ(fs_mutation_name(FS_MUT_NR), "?");
	return true;
}

/* Sorted 32-bit words of @n records of @size bytes at @d, for bsearch. */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t word(const uint8_t *d, size_t size)
{
	uint32_t w = 0;

	for (size_t i = 0; i < size; i++)
		w = w << 8 | d[i];
	return w;
}

static size_t collect(uint32_t *w, size_t k, const uint8_t *d, size_t n,
		      size_t size)
{
	for (size_t i = 0; i < n; i++)
		w[k++] = word(d + size * i, size);
	return k;
}

static bool contains(const uint32_t *w, size_t k, uint32_t x)
{
	return bsearch(&x, w, k, sizeof(*w), cmp_u32) != NULL;
}

/* Every op and decision of a crossover comes from a parent, as the header. */
static bool check_parents(const uint8_t *a, size_t na, const uint8_t *b,
			  size_t nb, const uint8_t *out, size_t n)
{
	static uint32_t ops[2 * 255], *decs;
	static size_t decs_cap;
	uint8_t *ra = malloc(na + 7), *rb = malloc(nb + 7);
	struct fs_layout la, lb, lo;
	size_t k = 0, kd = 0, i;
	bool ok = false;

	memcpy(ra, a, na);
	memcpy(rb, b, nb);
	na = fs_repair(ra, na, na + 7);
	nb = fs_repair(rb, nb, nb + 7);
	if (!fs_layout(ra, na, &la) || !fs_layout(rb, nb, &lb) ||
	    !fs_layout(out, n, &lo))
		goto out;
	if (la.ndec + lb.ndec > decs_cap) {
		decs_cap = 2 * (la.ndec + lb.ndec);
		decs = realloc(decs, decs_cap * sizeof(*decs));
	}
	k = collect(ops, k, ra + la.ops_off, la.nops, 4);
	k = collect(ops, k, rb + lb.ops_off, lb.nops, 4);
	kd = collect(decs, kd, ra + la.dec_off, la.ndec, 3);
	kd = collect(decs, kd, rb + lb.dec_off, lb.ndec, 3);
	qsort(ops, k, sizeof(*ops), cmp_u32);
	if (kd)
		qsort(decs, kd, sizeof(*decs), cmp_u32);
	if (memcmp(out + 3, ra + 3, 2) && memcmp(out + 3, rb + 3, 2))
		goto out;
	for (i = 0; i < lo.nops; i++)
		if (!contains(ops, k, word(out + lo.ops_off + 4 * i, 4)))
			goto out;
	for (i = 0; i < lo.ndec; i++)
		if (!contains(decs, kd, word(out + lo.dec_off + 3 * i, 3)))
			goto out;
	ok = true;
out:
	free(ra);
	free(rb);
	return ok;
}

static const size_t max_sizes[] = {
	7, 8, 9, 10, 11, 16, 23, 32, 64, 100, 256, 1024, 1100, 4096,
};

static size_t pick_max(size_t n)
{
	switch (rnd_below(10)) {
	case 0:
		return rnd_below(7);		/* no room at all */
	case 1:
		return n > 7 ? 7 + rnd_below(n - 7) : 7; /* cut */
	case 2:
		return n + rnd_below(8);	/* tight */
	default:
		return max_sizes[rnd_below(ARRAY_SIZE(max_sizes))];
	}
}

#define POOL	64

struct stats {
	unsigned long mutations, crossovers, diverse, diverse_total;
	unsigned long no_room, cut, from_garbage, bytes_out, ops_out;
	unsigned long slots[4];
	size_t most_ops, most_decs;
};

static void count_shape(struct stats *st, const uint8_t *d, size_t n)
{
	struct fs_layout l;

	fs_layout(d, n, &l);
	st->slots[l.nslots]++;
	if (l.nops > st->most_ops)
		st->most_ops = l.nops;
	if (l.ndec > st->most_decs)
		st->most_decs = l.ndec;
}

/* One fs_mutate call, checked; run twice for determinism. */
static bool one_mutation(const struct input *in, size_t max, uint64_t seed,
			 bool fake, struct input *result, struct stats *st)
{
	size_t cap = in->n > max ? in->n : max, n, n2;
	uint8_t *buf = malloc(cap ? cap : 1), *buf2 = malloc(cap ? cap : 1);
	bool fits = in->n <= max && valid(in->d, in->n);
	bool ok = false;

	if (in->n)
		memcpy(buf, in->d, in->n);
	if (in->n)
		memcpy(buf2, in->d, in->n);
	fake_state = seed;
	n = fs_mutate(buf, in->n, max, seed, fake ? fake_mutate : NULL);
	fake_state = seed;
	n2 = fs_mutate(buf2, in->n, max, seed, fake ? fake_mutate : NULL);

	if (n != n2 || memcmp(buf, buf2, n)) {
		fprintf(stderr, "not deterministic: seed %llu\n",
			(unsigned long long)seed);
		goto out;
	}
	if (max < 7) {
		ok = n == 0;
		st->no_room++;
		goto out;
	}
	if (n > max || !valid(buf, n)) {
		fprintf(stderr, "bad output: %zu bytes, max %zu\n", n, max);
		goto out;
	}
	/* nothing written at or past max_size */
	if (in->n > max && memcmp(buf + max, in->d + max, in->n - max)) {
		fprintf(stderr, "wrote past max_size %zu\n", max);
		goto out;
	}
	if (in->n > max)
		st->cut++;
	if (fits) {
		st->diverse_total++;
		if (n != in->n || memcmp(buf, in->d, n))
			st->diverse++;
	}
	st->mutations++;
	count_shape(st, buf, n);
	st->bytes_out += n;
	st->ops_out += buf[6 + buf[5]];
	*result = dup_input(buf, n);
	ok = true;
out:
	free(buf);
	free(buf2);
	return ok;
}

static bool one_crossover(const struct input *a, const struct input *b,
			  size_t max, uint64_t seed, struct input *result,
			  struct stats *st)
{
	uint8_t *out = malloc(max ? max : 1), *out2 = malloc(max ? max : 1);
	size_t n, n2;
	bool ok = false;

	n = fs_crossover(a->d, a->n, b->d, b->n, out, max, seed);
	n2 = fs_crossover(a->d, a->n, b->d, b->n, out2, max, seed);
	if (n != n2 || memcmp(out, out2, n)) {
		fprintf(stderr, "crossover not deterministic\n");
		goto out;
	}
	if (max < 7) {
		ok = n == 0;
		st->no_room++;
		goto out;
	}
	if (n > max || !valid(out, n)) {
		fprintf(stderr, "bad crossover: %zu bytes, max %zu\n", n, max);
		goto out;
	}
	if (!check_parents(a->d, a->n, b->d, b->n, out, n)) {
		fprintf(stderr, "crossover made up an op or decision\n");
		goto out;
	}
	st->crossovers++;
	count_shape(st, out, n);
	*result = dup_input(out, n);
	ok = true;
out:
	free(out);
	free(out2);
	return ok;
}

/*
 * Mutations and crossovers of seeds, garbage and earlier outputs (a pool
 * that evolves, so inputs grow and shrink), with and without an engine
 * byte mutator.
 */
static bool test_random(void)
{
	static uint8_t junk[2][300];
	struct input pool[POOL], seeds[4], a, b, res;
	struct stats st = { 0 };
	struct timespec t0, t1;
	unsigned long i;
	size_t k;

	seeds[0] = (struct input){ (uint8_t *)seed_min, sizeof(seed_min) };
	seeds[1] = (struct input){ (uint8_t *)seed_rich, sizeof(seed_rich) };
	seeds[2] = (struct input){ (uint8_t *)seed_truncated,
				   sizeof(seed_truncated) };
	seeds[3] = seed_full();
	for (k = 0; k < POOL; k++)
		pool[k] = dup_input(seeds[k % 4].d, seeds[k % 4].n);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < iterations; i++) {
		uint64_t seed = rnd();
		size_t r = rnd_below(20);

		if (r < 2) {
			a = garbage(junk[0], sizeof(junk[0]));
			st.from_garbage++;
		} else if (r < 4) {
			a = seeds[rnd_below(4)];
		} else {
			a = pool[rnd_below(POOL)];
		}
		res.d = NULL;
		if (rnd_below(10) < 3) {
			b = rnd_below(10) ? pool[rnd_below(POOL)] :
					    garbage(junk[1], sizeof(junk[1]));
			ASSERT_TRUE(one_crossover(&a, &b, pick_max(a.n + b.n),
						  seed, &res, &st));
		} else {
			ASSERT_TRUE(one_mutation(&a, pick_max(a.n), seed,
						 rnd_below(2), &res, &st));
		}
		ASSERT_FALSE(fake_misused);
		if (res.d) {
			k = rnd_below(POOL);
			free(pool[k].d);
			pool[k] = res;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("     %lu mutations, %lu crossovers (%lu from garbage, "
	       "%lu cut to max_size, %lu with no room) in %.2f s\n",
	       st.mutations, st.crossovers, st.from_garbage, st.cut,
	       st.no_room, (double)(t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("     %lu/%lu (%.2f%%) of fitting well-formed inputs changed; "
	       "mean output %.0f bytes, %.1f ops\n",
	       st.diverse, st.diverse_total,
	       100.0 * st.diverse / (st.diverse_total ? st.diverse_total : 1),
	       (double)st.bytes_out / (st.mutations ? st.mutations : 1),
	       (double)st.ops_out / (st.mutations ? st.mutations : 1));
	printf("     shapes: %lu/%lu/%lu/%lu outputs with 0/1/2/3 slots, "
	       "up to %zu ops and %zu decisions\n", st.slots[0], st.slots[1],
	       st.slots[2], st.slots[3], st.most_ops, st.most_decs);
	for (k = 0; k < POOL; k++)
		free(pool[k].d);
	ASSERT_TRUE(st.diverse * 10 > st.diverse_total * 9);
	for (k = 0; k < 4; k++)
		ASSERT_TRUE(st.slots[k] > iterations / 100);
	ASSERT_EQ(st.most_ops, FS_BIN_MAX_OPS);
	return true;
}

/* Different seeds give different outputs; the same seed the same one. */
static bool test_seed_spread(void)
{
	uint8_t buf[256], first[256];
	unsigned int same = 0, s;
	size_t n0, n;

	memcpy(first, seed_rich, sizeof(seed_rich));
	n0 = fs_mutate(first, sizeof(seed_rich), sizeof(first), 0, NULL);
	for (s = 1; s <= 1000; s++) {
		memcpy(buf, seed_rich, sizeof(seed_rich));
		n = fs_mutate(buf, sizeof(seed_rich), sizeof(buf), s, NULL);
		if (n == n0 && !memcmp(buf, first, n))
			same++;
	}
	ASSERT_TRUE(same < 50);
	return true;
}

/* Long schedules: 255 ops and some 20000 decisions, kept, cut or spliced. */
static bool test_large(void)
{
	enum { BIG = 65536 };
	static uint8_t big[BIG], other[BIG];
	struct stats st = { 0 };
	struct input a = { big, BIG }, b = { other, BIG / 2 }, res;
	size_t i, max;

	for (i = 0; i < BIG; i++) {
		big[i] = (uint8_t)rnd();
		other[i] = (uint8_t)rnd();
	}
	/* 3 slots, 255 ops, 21502 decisions */
	memcpy(big, "FZ\x01\x00\x00\x03\x00\x01\x02\xff", 10);
	/* 5 ops, 10913 decisions and 2 bytes */
	memcpy(other, "FZ\x01\x00\x00\x00\x05", 7);
	ASSERT_EQ(fs_repair(other, BIG / 2, BIG / 2), BIG / 2 - 2);
	for (i = 0; i < 600; i++) {
		max = i % 3 ? BIG + rnd_below(64) : 7 + rnd_below(BIG);
		res.d = NULL;
		if (i % 4 == 0)
			ASSERT_TRUE(one_crossover(&a, &b, max, i, &res, &st));
		else
			ASSERT_TRUE(one_mutation(&a, max, i, i % 2, &res,
						 &st));
		free(res.d);
	}
	ASSERT_TRUE(st.most_decs > 20000);
	ASSERT_TRUE(st.diverse * 10 > st.diverse_total * 9);
	return true;
}

/* afl_custom_fuzz as the custom stage calls it, with splice partners. */
static bool test_afl_fuzz(void)
{
	void *st = afl_custom_init(NULL, 7);
	static uint8_t junk[200];
	struct input pool[8];
	unsigned long i;
	size_t k;

	ASSERT_TRUE(st != NULL);
	for (k = 0; k < 8; k++)
		pool[k] = dup_input(seed_rich, sizeof(seed_rich));
	for (i = 0; i < iterations / 10; i++) {
		struct input a = rnd_below(10) ? pool[rnd_below(8)] :
				 garbage(junk, sizeof(junk));
		struct input b = pool[rnd_below(8)];
		size_t max = rnd_below(4) ? 1 << 20 : pick_max(a.n);
		uint8_t *out = NULL;
		size_t n;

		n = afl_custom_fuzz(st, a.d, a.n, &out, rnd_below(2) ? b.d :
				    NULL, b.n, max);
		ASSERT_TRUE(out != NULL);
		if (max < 7) {
			ASSERT_EQ(n, 0);
			continue;
		}
		ASSERT_TRUE(n <= max && valid(out, n));
		/* input and partner are AFL++'s: never written */
		ASSERT_TRUE(out != a.d && out != b.d);
		k = rnd_below(8);
		free(pool[k].d);
		pool[k] = dup_input(out, n);
	}
	for (k = 0; k < 8; k++)
		free(pool[k].d);
	afl_custom_deinit(st);
	return true;
}

/* The "coverage" of a trace for the trim test: allocs and irq decisions. */
static unsigned int fingerprint(const uint8_t *d, size_t n)
{
	unsigned int allocs = 0, irqs = 0;
	struct fs_layout l;
	size_t i;

	if (!fs_layout(d, n, &l))
		return ~0u;
	for (i = 0; i < l.nops; i++)
		allocs += d[l.ops_off + 4 * i] % 16 == 0;
	for (i = 0; i < l.ndec; i++)
		irqs += d[l.dec_off + 3 * i + 1] % 6 == 1;
	return allocs << 16 | irqs;
}

/*
 * Trim as afl-fuzz does (trim_case_custom): a step is kept when the
 * fingerprint stays.  What is left is exactly the allocs and the irq
 * decisions, and every candidate on the way is well-formed.
 */
static bool trim_one(void *st, const uint8_t *d, size_t n)
{
	unsigned int want = fingerprint(d, n), steps = 0;
	uint8_t *kept = malloc(n + 7), *cand;
	size_t kept_n = n, len, i;
	int cur = 0, max;
	struct fs_layout l;
	bool accepted = false;

	memcpy(kept, d, n);
	max = afl_custom_init_trim(st, (uint8_t *)d, n);
	ASSERT_TRUE(max >= 0);
	while (cur < max) {
		len = afl_custom_trim(st, &cand);
		ASSERT_TRUE(cand != NULL && len < (n > 7 ? n : 7));
		ASSERT_TRUE(valid(cand, len));
		if (fingerprint(cand, len) == want) {
			memcpy(kept, cand, len);
			kept_n = len;
			accepted = true;
			cur = afl_custom_post_trim(st, 1);
		} else {
			cur = afl_custom_post_trim(st, 0);
		}
		ASSERT_TRUE(++steps <= (unsigned int)max);
	}
	/* a garbage input matches none of its (repaired) candidates */
	if (accepted || valid(d, n)) {
		ASSERT_TRUE(fs_layout(kept, kept_n, &l));
		for (i = 0; i < l.nops; i++)
			ASSERT_EQ(kept[l.ops_off + 4 * i] % 16, 0);
		/* Decisions go as far as the trim budget reaches. */
		ASSERT_TRUE(kept_n <= n || !valid(d, n));
		ASSERT_EQ(fingerprint(kept, kept_n), want);
	}
	free(kept);
	return true;
}

static bool test_afl_trim(void)
{
	void *st = afl_custom_init(NULL, 1);
	static uint8_t junk[300];
	uint8_t buf[4096];
	struct input full = seed_full(), g;
	unsigned int i;
	size_t n;

	ASSERT_TRUE(trim_one(st, seed_rich, sizeof(seed_rich)));
	ASSERT_TRUE(trim_one(st, full.d, full.n));
	ASSERT_TRUE(trim_one(st, seed_min, sizeof(seed_min)));
	for (i = 0; i < 2000; i++) {
		/* grow the rich seed by a few hundred mutations */
		memcpy(buf, seed_rich, sizeof(seed_rich));
		n = sizeof(seed_rich);
		for (unsigned int j = 0; j < i % 300; j++)
			n = fs_mutate(buf, n, sizeof(buf), i * 1000 + j, NULL);
		if (!trim_one(st, buf, n)) {
			fprintf(stderr, "trim failed on input %u\n", i);
			return false;
		}
		g = garbage(junk, sizeof(junk));
		ASSERT_TRUE(trim_one(st, g.d, g.n));
	}
	afl_custom_deinit(st);
	return true;
}

int main(int argc, char **argv)
{
	static const struct fs_test tests[] = {
		TEST(test_well_formed_definition),
		TEST(test_repair),
		TEST(test_each_kind),
		TEST(test_seed_spread),
		TEST(test_random),
		TEST(test_large),
		TEST(test_afl_fuzz),
		TEST(test_afl_trim),
	};

	if (argc > 1)
		iterations = strtoul(argv[1], NULL, 0);
	return FS_RUN_TESTS(tests);
}
