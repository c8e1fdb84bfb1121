// SPDX-License-Identifier: GPL-2.0
/*
 * Names for fault plans, as traces spell them: "none" or modes joined by
 * ',' in bit order ("order3-fail,pressure").
 */
#include <stdio.h>
#include <string.h>

#include <fragsim/faults.h>

static const char *const fault_names[FS_FAULT_NR_BITS] = {
	"order3-fail",
	"all-fail",
	"pressure",
};

#define FAULTS_KNOWN_MASK ((fs_faults_t)((1u << FS_FAULT_NR_BITS) - 1))

/* Append "," (unless first) and @s to @buf, truncating but always NUL-ended. */
static void faults_append(char *buf, unsigned long len, unsigned long *pos,
			  const char *s)
{
	int n = snprintf(buf + *pos, len - *pos, "%s%s", *pos ? "," : "", s);

	if (n < 0)
		return;
	*pos += (unsigned long)n;
	if (*pos >= len)
		*pos = len - 1;
}

char *fs_faults_format(fs_faults_t f, char *buf, unsigned long len)
{
	unsigned long pos = 0;
	char unknown[16];

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!f) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (unsigned int bit = 0; bit < FS_FAULT_NR_BITS; bit++) {
		if (f & (1u << bit))
			faults_append(buf, len, &pos, fault_names[bit]);
	}
	/* Modes no name covers: visible, and rejected by fs_faults_parse(). */
	if (f & ~FAULTS_KNOWN_MASK) {
		snprintf(unknown, sizeof(unknown), "0x%x",
			 (unsigned int)(f & ~FAULTS_KNOWN_MASK));
		faults_append(buf, len, &pos, unknown);
	}
	return buf;
}

/* Bit of the mode named by the @n bytes at @s, or -1 if unknown. */
static int fault_mode(const char *s, size_t n)
{
	for (unsigned int bit = 0; bit < FS_FAULT_NR_BITS; bit++) {
		if (strlen(fault_names[bit]) == n &&
		    !memcmp(fault_names[bit], s, n))
			return (int)bit;
	}
	return -1;
}

int fs_faults_parse(const char *s, fs_faults_t *out)
{
	fs_faults_t f = 0;

	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		int bit = fault_mode(s, n);

		if (bit < 0)
			return -1;
		f |= 1u << bit;
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = f;
	return 0;
}
