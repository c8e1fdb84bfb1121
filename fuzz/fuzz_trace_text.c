// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_trace_text: the text parser and printer.  No input may crash the
 * parser; a trace that parses prints to a text that parses back to the
 * same model and prints identically: parse(print(t)) == t.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_trace a, b;
	char err[256];
	char *pa, *pb;

	fs_trace_init(&a);
	if (fs_trace_parse(&a, (const char *)data, size, "<input>", err, sizeof(err))) {
		fs_trace_free(&a);
		return 0;
	}
	pa = fs_trace_print(&a);
	fs_trace_init(&b);
	if (fs_trace_parse(&b, pa, strlen(pa), "<printed>", err, sizeof(err))) {
		fprintf(stderr, "BUG: fragsim: printed trace does not parse: %s\n--- printed ---\n%s",
			err, pa);
		abort();
	}
	pb = fs_trace_print(&b);
	if (!fs_trace_equal(&a, &b) || strcmp(pa, pb)) {
		fprintf(stderr, "BUG: fragsim: parse(print(t)) != t\n--- print(t) ---\n%s--- print(parse(print(t))) ---\n%s",
			pa, pb);
		abort();
	}
	free(pa);
	free(pb);
	fs_trace_free(&a);
	fs_trace_free(&b);
	return 0;
}
