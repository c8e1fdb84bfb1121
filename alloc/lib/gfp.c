// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the kernel-neutral gfp bits, as traces and reports spell them.
 *
 * The names are the kernel's own (__GFP_HIGH, GFP_ATOMIC, ...) so a trace
 * reads like the driver code it was reduced from.
 */
#include <stdio.h>
#include <string.h>

#include <fragsim/gfp.h>

static const char *const gfp_bit_names[FS_GFP_NR_BITS] = {
	"__GFP_HIGH",
	"__GFP_IO",
	"__GFP_FS",
	"__GFP_DIRECT_RECLAIM",
	"__GFP_KSWAPD_RECLAIM",
	"__GFP_NOWARN",
	"__GFP_NORETRY",
	"__GFP_COMP",
	"__GFP_MEMALLOC",
	"__GFP_NOMEMALLOC",
	"__GFP_ZERO",
};

/*
 * Most bits first, so the first subset found is the largest one; ties
 * (GFP_NOIO and GFP_ATOMIC both have two bits) go to the earlier entry.
 */
static const struct {
	const char *name;
	fs_gfp_t mask;
} gfp_composites[] = {
	{ "GFP_KERNEL",	FS_GFP_KERNEL },
	{ "GFP_NOFS",	FS_GFP_NOFS },
	{ "GFP_NOIO",	FS_GFP_NOIO },
	{ "GFP_ATOMIC",	FS_GFP_ATOMIC },
	{ "GFP_NOWAIT",	FS_GFP_NOWAIT },
};

#define NR_COMPOSITES (sizeof(gfp_composites) / sizeof(gfp_composites[0]))
#define GFP_KNOWN_MASK ((fs_gfp_t)((1u << FS_GFP_NR_BITS) - 1))

const char *fs_gfp_bit_name(unsigned int bit)
{
	if (bit >= FS_GFP_NR_BITS)
		return NULL;
	return gfp_bit_names[bit];
}

/* Append "|" (unless first) and @s to @buf, truncating but always NUL-ended. */
static void gfp_append(char *buf, unsigned long len, unsigned long *pos,
		       const char *s)
{
	int n = snprintf(buf + *pos, len - *pos, "%s%s", *pos ? "|" : "", s);

	if (n < 0)
		return;
	*pos += (unsigned long)n;
	if (*pos >= len)
		*pos = len - 1;
}

char *fs_gfp_format(fs_gfp_t gfp, char *buf, unsigned long len)
{
	unsigned long pos = 0;
	fs_gfp_t rest = gfp;
	char unknown[16];

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!gfp) {
		snprintf(buf, len, "0");
		return buf;
	}
	for (unsigned int i = 0; i < NR_COMPOSITES; i++) {
		if ((gfp & gfp_composites[i].mask) == gfp_composites[i].mask) {
			gfp_append(buf, len, &pos, gfp_composites[i].name);
			rest &= ~gfp_composites[i].mask;
			break;
		}
	}
	for (unsigned int bit = 0; bit < FS_GFP_NR_BITS; bit++) {
		if (rest & (1u << bit))
			gfp_append(buf, len, &pos, gfp_bit_names[bit]);
	}
	/* Bits no name covers: visible, and rejected by fs_gfp_parse(). */
	if (rest & ~GFP_KNOWN_MASK) {
		snprintf(unknown, sizeof(unknown), "0x%x",
			 (unsigned int)(rest & ~GFP_KNOWN_MASK));
		gfp_append(buf, len, &pos, unknown);
	}
	return buf;
}

/* Value of one '|'-separated term of length @n, or -1 if unknown. */
static int gfp_term(const char *s, size_t n, fs_gfp_t *out)
{
	if (n == 1 && s[0] == '0') {
		*out = 0;
		return 0;
	}
	for (unsigned int i = 0; i < NR_COMPOSITES; i++) {
		if (strlen(gfp_composites[i].name) == n &&
		    !memcmp(gfp_composites[i].name, s, n)) {
			*out = gfp_composites[i].mask;
			return 0;
		}
	}
	for (unsigned int bit = 0; bit < FS_GFP_NR_BITS; bit++) {
		if (strlen(gfp_bit_names[bit]) == n &&
		    !memcmp(gfp_bit_names[bit], s, n)) {
			*out = 1u << bit;
			return 0;
		}
	}
	return -1;
}

int fs_gfp_parse(const char *s, fs_gfp_t *out)
{
	fs_gfp_t gfp = 0, term;

	for (;;) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);

		if (gfp_term(s, n, &term))
			return -1;
		gfp |= term;
		if (!bar)
			break;
		s = bar + 1;
	}
	*out = gfp;
	return 0;
}
