// SPDX-License-Identifier: GPL-2.0
/*
 * Trace format v1: the model helpers, the text parser and printer, the gfp
 * and fault-plan names, and the workload generators.
 *
 * Usage: test_trace FIXTURES_DIR (tests/traces), which holds
 *   good/NAME.trace           canonical: print(parse(text)) == text exactly
 *   noncanonical/NAME.trace   valid but not canonical; NAME.canonical, if
 *                             present, is what the printer must make of it
 *   bad/NAME.trace            rejected; the first line says how:
 *                             "# expect-error: LINE: message substring"
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../sim/lib/array.h"
#include "testlib.h"
#include "trace.h"
#include "trace_bin.h"
#include "trace_gen.h"

static const char *fixtures_dir;

static const char example[] =
	"fragsim-trace 1\n"
	"target linux-6.12\n"
	"seed 0x00000000deadbeef\n"
	"faults none\n"
	"expect-finding none\n"
	"cache nc0 page_frag\n"
	"cache nc1 page_frag\n"
	"\n"
	"# warm up\n"
	"h0 = alloc nc0 size=1\n"
	"h1 = alloc nc0 size=4097 align=64 gfp=GFP_ATOMIC|__GFP_MEMALLOC\n"
	"expect h1 ok\n"
	"free h0\n"
	"faults order3-fail,pressure\n"
	"repeat 40000 {\n"
	"\talloc nc1 size=1\n"
	"}\n"
	"drain nc0\n"
	"free-all\n";

/* ------------------------------------------------------------------------
 * Helpers
 */

/*
 * Parse from a heap copy of exactly @len bytes, so ASan catches any read
 * past the end (the parser must not rely on a terminating NUL).
 */
static int parse_exact(struct fs_trace *t, const char *text, size_t len,
		       const char *file, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, text, len);
	fs_trace_init(t);
	ret = fs_trace_parse(t, copy, len, file, err, errlen);
	free(copy);
	return ret;
}

static int parse_str(struct fs_trace *t, const char *text, char *err,
		     size_t errlen)
{
	return parse_exact(t, text, strlen(text), "t.trace", err, errlen);
}

/* The file's bytes, NUL-terminated for convenience; NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, r;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	if (!buf)
		abort();
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in @sub ending in @suffix; NULL (and a message) on error. */
static char **list_fixtures(const char *sub, const char *suffix, size_t *nr)
{
	char path[4096];
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, slen = strlen(suffix);
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", fixtures_dir, sub);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= slen || strcmp(de->d_name + len - slen, suffix))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strdup(de->d_name)))
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*nr = n;
	return names ? names : calloc(1, sizeof(*names));
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * parse(print(t)) == t, and printing is a fixed point: print(parse(print(t)))
 * == print(t).  Returns the printed text (caller frees) or NULL.
 */
static char *check_round_trip(const struct fs_trace *t, const char *what)
{
	char err[256];
	struct fs_trace u;
	char *s = fs_trace_print(t), *s2;

	fs_trace_init(&u);
	if (parse_exact(&u, s, strlen(s), what, err, sizeof(err))) {
		fprintf(stderr, "%s: printed text does not parse: %s\n%s",
			what, err, s);
		free(s);
		return NULL;
	}
	s2 = fs_trace_print(&u);
	if (!fs_trace_equal(t, &u) || strcmp(s, s2)) {
		fprintf(stderr, "%s: round trip changed the trace:\n%s---\n%s",
			what, s, s2);
		free(s);
		s = NULL;
	}
	free(s2);
	fs_trace_free(&u);
	return s;
}

static bool round_trips(const struct fs_trace *t, const char *what)
{
	char *s = check_round_trip(t, what);

	free(s);
	return s != NULL;
}

/* ------------------------------------------------------------------------
 * gfp and fault-plan names
 */

static bool test_gfp_single_bits(void)
{
	static const char *const names[] = {
		"__GFP_HIGH", "__GFP_IO", "__GFP_FS", "__GFP_DIRECT_RECLAIM",
		"__GFP_KSWAPD_RECLAIM", "__GFP_NOWARN", "__GFP_NORETRY",
		"__GFP_COMP", "__GFP_MEMALLOC", "__GFP_NOMEMALLOC", "__GFP_ZERO",
	};
	char buf[256];
	fs_gfp_t gfp;

	ASSERT_EQ(ARRAY_SIZE(names), FS_GFP_NR_BITS);
	for (unsigned int bit = 0; bit < FS_GFP_NR_BITS; bit++) {
		ASSERT_STREQ(fs_gfp_bit_name(bit), names[bit]);
		ASSERT_EQ(fs_gfp_parse(names[bit], &gfp), 0);
		ASSERT_EQ(gfp, 1u << bit);
		/* __GFP_KSWAPD_RECLAIM alone is GFP_NOWAIT. */
		if (bit != 4)
			ASSERT_STREQ(fs_gfp_format(gfp, buf, sizeof(buf)),
				     names[bit]);
	}
	ASSERT_TRUE(fs_gfp_bit_name(FS_GFP_NR_BITS) == NULL);
	return true;
}

static bool test_gfp_composites(void)
{
	static const struct {
		const char *name;
		fs_gfp_t gfp;
	} c[] = {
		{ "GFP_KERNEL", FS_GFP_KERNEL },
		{ "GFP_NOFS", FS_GFP_NOFS },
		{ "GFP_NOIO", FS_GFP_NOIO },
		{ "GFP_ATOMIC", FS_GFP_ATOMIC },
		{ "GFP_NOWAIT", FS_GFP_NOWAIT },
	};
	char buf[256];
	fs_gfp_t gfp;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		ASSERT_STREQ(fs_gfp_format(c[i].gfp, buf, sizeof(buf)),
			     c[i].name);
		ASSERT_EQ(fs_gfp_parse(c[i].name, &gfp), 0);
		ASSERT_EQ(gfp, c[i].gfp);
	}
	ASSERT_STREQ(fs_gfp_format(0, buf, sizeof(buf)), "0");
	ASSERT_STREQ(fs_gfp_format(FS_GFP_ATOMIC | FS_GFP_MEMALLOC, buf,
				   sizeof(buf)), "GFP_ATOMIC|__GFP_MEMALLOC");
	/* Largest composite first, the rest in bit order. */
	ASSERT_STREQ(fs_gfp_format(FS_GFP_KERNEL | FS_GFP_ZERO | FS_GFP_HIGH,
				   buf, sizeof(buf)),
		     "GFP_KERNEL|__GFP_HIGH|__GFP_ZERO");
	/* A tie between GFP_NOIO and GFP_ATOMIC goes to the earlier one. */
	ASSERT_STREQ(fs_gfp_format(FS_GFP_NOIO | FS_GFP_HIGH, buf, sizeof(buf)),
		     "GFP_NOIO|__GFP_HIGH");
	ASSERT_STREQ(fs_gfp_format(FS_GFP_HIGH | FS_GFP_IO, buf, sizeof(buf)),
		     "__GFP_HIGH|__GFP_IO");
	ASSERT_EQ(fs_gfp_parse("__GFP_MEMALLOC|GFP_ATOMIC|0|__GFP_HIGH", &gfp),
		  0);
	ASSERT_EQ(gfp, FS_GFP_ATOMIC | FS_GFP_MEMALLOC);
	return true;
}

static bool test_gfp_every_value_round_trips(void)
{
	char buf[256];
	fs_gfp_t gfp;

	for (fs_gfp_t v = 0; v < (1u << FS_GFP_NR_BITS); v++) {
		fs_gfp_format(v, buf, sizeof(buf));
		ASSERT_EQ(fs_gfp_parse(buf, &gfp), 0);
		ASSERT_EQ(gfp, v);
	}
	return true;
}

static bool test_gfp_rejects(void)
{
	static const char *const bad[] = {
		"", "|", "GFP_ATOMIC|", "|GFP_ATOMIC", "GFP_ATOMIC||__GFP_HIGH",
		"gfp_atomic", "GFP_ATOMIC ", "0x20", "1", "00", "__GFP_HIGHER",
		"GFP_ATOMI",
	};
	fs_gfp_t gfp = 12345;
	char buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(fs_gfp_parse(bad[i], &gfp), -1);
		ASSERT_EQ(gfp, 12345);
	}
	/* Bits without a name print visibly and do not parse back. */
	fs_gfp_format(FS_GFP_ATOMIC | (1u << 20), buf, sizeof(buf));
	ASSERT_STREQ(buf, "GFP_ATOMIC|0x100000");
	ASSERT_EQ(fs_gfp_parse(buf, &gfp), -1);
	/* Truncation keeps the buffer a string. */
	fs_gfp_format(FS_GFP_KERNEL | FS_GFP_ZERO, buf, 8);
	ASSERT_STREQ(buf, "GFP_KER");
	return true;
}

static bool test_faults_names(void)
{
	static const char *const all[] = {
		"none", "order3-fail", "all-fail", "order3-fail,all-fail",
		"pressure", "order3-fail,pressure", "all-fail,pressure",
		"order3-fail,all-fail,pressure",
	};
	char buf[64];
	fs_faults_t f;

	for (fs_faults_t v = 0; v < ARRAY_SIZE(all); v++) {
		ASSERT_STREQ(fs_faults_format(v, buf, sizeof(buf)), all[v]);
		ASSERT_EQ(fs_faults_parse(all[v], &f), 0);
		ASSERT_EQ(f, v);
	}
	ASSERT_EQ(fs_faults_parse("pressure,order3-fail,pressure", &f), 0);
	ASSERT_EQ(f, FS_FAULT_PRESSURE | FS_FAULT_ORDER3_FAIL);
	return true;
}

static bool test_faults_rejects(void)
{
	static const char *const bad[] = {
		"", ",", "none,pressure", "pressure,", ",pressure", "Pressure",
		"order2-fail", "all", "0", "pressure ,all-fail", "None",
	};
	fs_faults_t f = 99;
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(fs_faults_parse(bad[i], &f), -1);
		ASSERT_EQ(f, 99);
	}
	fs_faults_format(FS_FAULT_PRESSURE | (1u << 9), buf, sizeof(buf));
	ASSERT_STREQ(buf, "pressure,0x200");
	ASSERT_EQ(fs_faults_parse(buf, &f), -1);
	return true;
}

/* ------------------------------------------------------------------------
 * Parsing and printing
 */

static bool test_example_model(void)
{
	struct fs_trace t;
	char err[256];
	const struct fs_op *op;

	ASSERT_EQ(parse_str(&t, example, err, sizeof(err)), 0);
	ASSERT_EQ(t.version, 1);
	ASSERT_STREQ(t.target, "linux-6.12");
	ASSERT_EQ(t.seed, 0xdeadbeefull);
	ASSERT_EQ(t.faults, 0);
	ASSERT_STREQ(t.expect_finding, "none");
	ASSERT_EQ(t.nr_caches, 2);
	ASSERT_STREQ(t.caches[1].name, "nc1");
	ASSERT_EQ(t.caches[1].kind, FS_CACHE_PAGE_FRAG);
	ASSERT_EQ(t.nr_handles, 2);
	ASSERT_EQ(t.nr_ops, 10);
	op = t.ops;
	ASSERT_EQ(op[0].kind, FS_OP_COMMENT);
	ASSERT_STREQ(t.strings[op[0].comment], "warm up");
	ASSERT_EQ(op[0].line, 9);
	ASSERT_EQ(op[1].kind, FS_OP_ALLOC);
	ASSERT_EQ(op[1].handle, 0);
	ASSERT_EQ(op[1].gfp, FS_GFP_ATOMIC);
	ASSERT_EQ(op[1].align, 0);
	ASSERT_EQ(op[2].size, 4097);
	ASSERT_EQ(op[2].align, 64);
	ASSERT_EQ(op[2].gfp, FS_GFP_ATOMIC | FS_GFP_MEMALLOC);
	ASSERT_EQ(op[3].kind, FS_OP_EXPECT);
	ASSERT_EQ(op[3].handle, 1);
	ASSERT_EQ(op[3].expect, FS_EXPECT_OK);
	ASSERT_EQ(op[4].kind, FS_OP_FREE);
	ASSERT_EQ(op[5].faults, FS_FAULT_ORDER3_FAIL | FS_FAULT_PRESSURE);
	ASSERT_EQ(op[6].kind, FS_OP_REPEAT);
	ASSERT_EQ(op[6].count, 40000);
	ASSERT_EQ(op[6].body_len, 1);
	ASSERT_EQ(op[7].cache, 1);
	ASSERT_EQ(op[7].handle, FS_NO_HANDLE);
	ASSERT_EQ(op[7].line, 16);
	ASSERT_EQ(op[8].kind, FS_OP_DRAIN);
	ASSERT_EQ(op[9].kind, FS_OP_FREE_ALL);
	ASSERT_EQ(op[9].line, 19);
	ASSERT_EQ(fs_trace_op_count(&t), 5 + 40000 + 2);
	fs_trace_free(&t);
	return true;
}

static bool test_example_prints_byte_for_byte(void)
{
	struct fs_trace t;
	char err[256];
	char *s;

	ASSERT_EQ(parse_str(&t, example, err, sizeof(err)), 0);
	s = fs_trace_print(&t);
	fs_trace_free(&t);
	ASSERT_STREQ(s, example);
	free(s);
	return true;
}

static bool test_good_fixtures(void)
{
	size_t n, bytes;
	char **names = list_fixtures("good", ".trace", &n);
	bool ok = names && n >= 4;

	for (size_t i = 0; ok && i < n; i++) {
		char path[4096], err[512], *text, *s = NULL;
		struct fs_trace t;

		snprintf(path, sizeof(path), "%s/good/%s", fixtures_dir,
			 names[i]);
		text = slurp(path, &bytes);
		fs_trace_init(&t);
		if (!text || fs_trace_parse_file(&t, path, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", path, text ? err : "unreadable");
			ok = false;
		} else if (!(s = check_round_trip(&t, path))) {
			ok = false;
		} else if (strcmp(s, text)) {
			fprintf(stderr, "%s: not printed byte for byte:\n%s",
				path, s);
			ok = false;
		}
		free(s);
		free(text);
		fs_trace_free(&t);
	}
	free_list(names, n);
	return ok;
}

static bool test_noncanonical_fixtures(void)
{
	size_t n, bytes, checked = 0;
	char **names = list_fixtures("noncanonical", ".trace", &n);
	bool ok = names && n >= 1;

	for (size_t i = 0; ok && i < n; i++) {
		char path[4096], err[512], *want, *s;
		struct fs_trace t;

		snprintf(path, sizeof(path), "%s/noncanonical/%s", fixtures_dir,
			 names[i]);
		fs_trace_init(&t);
		if (fs_trace_parse_file(&t, path, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", path, err);
			ok = false;
			continue;
		}
		s = check_round_trip(&t, path);
		ok = s != NULL;
		strcpy(path + strlen(path) - strlen(".trace"), ".canonical");
		want = slurp(path, &bytes);
		if (s && want) {
			checked++;
			if (strcmp(s, want)) {
				fprintf(stderr, "%s: printed instead:\n%s", path, s);
				ok = false;
			}
		}
		free(want);
		free(s);
		fs_trace_free(&t);
	}
	free_list(names, n);
	return ok && checked >= 1;
}

/* "# expect-error: LINE: text" -> @line and @msg. */
static bool read_expectation(const char *text, unsigned int *line,
			     char *msg, size_t msglen)
{
	static const char tag[] = "# expect-error: ";
	const char *p, *nl;
	char *end;

	if (strncmp(text, tag, strlen(tag)))
		return false;
	p = text + strlen(tag);
	*line = (unsigned int)strtoul(p, &end, 10);
	if (end == p || strncmp(end, ": ", 2))
		return false;
	p = end + 2;
	nl = strchr(p, '\n');
	if (!nl || (size_t)(nl - p) >= msglen || nl == p)
		return false;
	memcpy(msg, p, (size_t)(nl - p));
	msg[nl - p] = '\0';
	return true;
}

static bool check_bad_fixture(const char *path)
{
	char err[2048], msg[512], prefix[4200];
	unsigned int line;
	struct fs_trace t;
	size_t len;
	char *text = slurp(path, &len);
	bool ok = false;

	if (!text || !read_expectation(text, &line, msg, sizeof(msg))) {
		fprintf(stderr, "%s: no '# expect-error: LINE: text' line\n",
			path);
		free(text);
		return false;
	}
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
	fs_trace_init(&t);
	if (!fs_trace_parse_file(&t, path, err, sizeof(err)))
		fprintf(stderr, "%s: parsed, expected '%s'\n", path, msg);
	else if (strncmp(err, prefix, strlen(prefix)) ||
		 !strstr(err + strlen(prefix), msg) || strchr(err, '\n'))
		fprintf(stderr, "%s: got '%s', expected '%s%s'\n", path, err,
			prefix, msg);
	else
		ok = true;
	/* A failed parse leaves the trace empty. */
	if (t.nr_ops || t.nr_caches || t.nr_handles || t.nr_strings ||
	    t.nr_queues || t.nr_actors || t.sched.nr_dec || t.cpus != 1 ||
	    t.sched.strategy != FS_SCHED_DEFAULT) {
		fprintf(stderr, "%s: trace not emptied after an error\n", path);
		ok = false;
	}
	fs_trace_free(&t);
	free(text);
	return ok;
}

static bool test_bad_fixtures(void)
{
	size_t n;
	char **names = list_fixtures("bad", ".trace", &n);
	bool ok = names && n >= 50;

	for (size_t i = 0; names && i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/bad/%s", fixtures_dir,
			 names[i]);
		if (!check_bad_fixture(path))
			ok = false;
	}
	free_list(names, n);
	return ok;
}

/* Inputs a fixture file cannot hold or that need an exact @len. */
static bool test_errors_inline(void)
{
	static const struct {
		const char *text;
		size_t len;
		const char *err;
	} cases[] = {
		{ "", 0, "t.trace:1: empty trace" },
		{ "\n\n  \t\n", 5, "t.trace:1: empty trace" },
		{ "fragsim-trace 1\n\0", 17, "t.trace:2: NUL byte" },
		/* The length is exact: the NUL and what follows are not read. */
		{ "fragsim-trace 1\n\0junk", 16, NULL },
		{ "fragsim-trace 1\nseed 0x12", 23, "t.trace:2: bad seed '0x'" },
		{ "fragsim-trace", 13, "t.trace:1: expected 'fragsim-trace 1'" },
		{ "fragsim-trace 1\nrepeat 2 {\nfree-all", 35,
		  "t.trace:3: unterminated repeat block opened at line 2" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fs_trace t;
		char err[256] = "untouched";
		int ret = parse_exact(&t, cases[i].text, cases[i].len, "t.trace",
				      err, sizeof(err));

		fs_trace_free(&t);
		if (!cases[i].err) {
			ASSERT_EQ(ret, 0);
			ASSERT_STREQ(err, "");
			continue;
		}
		ASSERT_EQ(ret, -1);
		ASSERT_TRUE(!strncmp(err, cases[i].err, strlen(cases[i].err)));
	}
	return true;
}

static bool test_error_buffer_limits(void)
{
	struct fs_trace t;
	char err[12];

	memset(err, 'x', sizeof(err));
	ASSERT_EQ(parse_str(&t, "fragsim-trace 2\n", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "t.trace:1: ");
	ASSERT_EQ(parse_str(&t, "fragsim-trace 2\n", err, 3), -1);
	ASSERT_STREQ(err, "t.");
	ASSERT_EQ(parse_str(&t, "fragsim-trace 2\n", NULL, 0), -1);
	ASSERT_EQ(parse_str(&t, "fragsim-trace 2\n", err, 0), -1);
	fs_trace_init(&t);
	ASSERT_EQ(fs_trace_parse(&t, "x", 1, NULL, err, sizeof(err)), -1);
	ASSERT_STREQ(err, "<trace>:1: ");
	return true;
}

static bool test_comments_verbatim(void)
{
	static const struct {
		const char *line, *text, *printed;
	} c[] = {
		{ "#", "", "#" },
		{ "# x", "x", "# x" },
		{ "#x", "x", "# x" },
		{ "#  two", " two", "#  two" },
		{ "#\ttab", "\ttab", "# \ttab" },
		{ "# trailing  ", "trailing  ", "# trailing  " },
		{ "# #nested # marks", "#nested # marks", "# #nested # marks" },
		{ "# caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93",
		  "# caf\xc3\xa9 \xe2\x9c\x93" },
	};
	char text[256], want[256], err[256];
	struct fs_trace t;
	char *s;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(text, sizeof(text), "fragsim-trace 1\n\t  %s\n",
			 c[i].line);
		ASSERT_EQ(parse_str(&t, text, err, sizeof(err)), 0);
		ASSERT_EQ(t.nr_ops, 1);
		ASSERT_STREQ(t.strings[t.ops[0].comment], c[i].text);
		s = check_round_trip(&t, c[i].line);
		ASSERT_TRUE(s);
		snprintf(want, sizeof(want),
			 "fragsim-trace 1\nseed 0x0000000000000000\n"
			 "faults none\n\n%s\n", c[i].printed);
		ASSERT_STREQ(s, want);
		free(s);
		fs_trace_free(&t);
	}
	return true;
}

static bool test_handles_rebind(void)
{
	struct fs_trace t;
	char err[256];

	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\ncache c page_frag\n"
			    "a = alloc c size=1\nb = alloc c size=2\n"
			    "a = alloc c size=3\nfree a\nexpect b null\n",
			    err, sizeof(err)), 0);
	ASSERT_EQ(t.nr_handles, 2);
	ASSERT_EQ(t.ops[0].handle, 0);
	ASSERT_EQ(t.ops[1].handle, 1);
	ASSERT_EQ(t.ops[2].handle, 0);
	ASSERT_EQ(t.ops[3].handle, 0);
	ASSERT_EQ(t.ops[4].handle, 1);
	ASSERT_EQ(t.ops[4].expect, FS_EXPECT_NULL);
	ASSERT_EQ(fs_trace_find_handle(&t, "b"), 1);
	ASSERT_EQ(fs_trace_find_handle(&t, "c"), -1);
	fs_trace_free(&t);
	return true;
}

/* Many handles: the parser must stay linear (this takes seconds if not). */
static bool test_many_handles(void)
{
	const unsigned int n = 200000;
	size_t cap = (size_t)n * 48 + 64, len;
	char *text = malloc(cap), err[256];
	struct fs_trace t;

	ASSERT_TRUE(text);
	len = (size_t)snprintf(text, cap, "fragsim-trace 1\ncache c page_frag\n");
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"h%u = alloc c size=%u\n", i, i);
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "free h%u\n",
					n - 1 - i);
	ASSERT_EQ(parse_exact(&t, text, len, "t", err, sizeof(err)), 0);
	free(text);
	ASSERT_EQ(t.nr_handles, n);
	ASSERT_EQ(t.ops[2 * n - 1].handle, 0);
	ASSERT_EQ(fs_trace_op_count(&t), 2 * n);
	fs_trace_free(&t);
	return true;
}

static bool test_crlf_and_final_newline(void)
{
	struct fs_trace a, b;
	char err[256];

	ASSERT_EQ(parse_str(&a, "fragsim-trace 1\r\ncache c page_frag\r\n"
			    "# x \r\nfree-all", err, sizeof(err)), 0);
	ASSERT_EQ(parse_str(&b, "fragsim-trace 1\ncache c page_frag\n\n"
			    "# x \nfree-all\n", err, sizeof(err)), 0);
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	ASSERT_STREQ(a.strings[0], "x ");
	fs_trace_free(&a);
	fs_trace_free(&b);
	return true;
}

/* Every prefix of a valid trace: accepted or rejected, never a crash. */
static bool test_every_prefix(void)
{
	size_t len = strlen(example);

	for (size_t n = 0; n <= len; n++) {
		struct fs_trace t;
		char err[256];

		if (!parse_exact(&t, example, n, "t", err, sizeof(err)))
			ASSERT_TRUE(round_trips(&t, "prefix"));
		else
			ASSERT_TRUE(!strncmp(err, "t:", 2) && !strchr(err, '\n'));
		fs_trace_free(&t);
	}
	return true;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* One random edit of @buf (@len bytes, room for @cap). */
static size_t mutate(char *buf, size_t len, size_t cap)
{
	static const char pieces[] = " \t\n#={}|,=0x1-_!9\r\0\xff";
	static const char *const words[] = {
		"repeat 3 {\n", "}\n", "free h0\n", "h0 = ", "size=", " align=8",
		"gfp=0", "faults pressure\n", "cache nc2 page_frag\n", "cpu ",
		"expect h1 !pfmemalloc\n", "drain nc1\n", "# c\n", "4294967295",
		"fragsim-trace 1\n", "seed 0x", "target x\n",
	};
	size_t pos = len ? rng() % (len + 1) : 0;
	const char *w;
	size_t n;

	switch (rng() % 4) {
	case 0:		/* replace a byte */
		if (pos < len)
			buf[pos] = pieces[rng() % (sizeof(pieces) - 1)];
		return len;
	case 1:		/* delete a run */
		n = len - pos < 8 ? len - pos : rng() % 8;
		memmove(buf + pos, buf + pos + n, len - pos - n);
		return len - n;
	default:	/* insert a word, mostly at a line start */
		while (pos && buf[pos - 1] != '\n' && rng() % 8)
			pos--;
		w = words[rng() % ARRAY_SIZE(words)];
		n = strlen(w);
		if (len + n > cap)
			return len;
		memmove(buf + pos + n, buf + pos, len - pos);
		memcpy(buf + pos, w, n);
		return len + n;
	}
}

/* A small deterministic fuzz pass; fuzz_trace_text does the real work. */
static bool test_mutations_never_break_round_trip(void)
{
	size_t cap = 4096, accepted = 0;
	char *buf = malloc(cap);

	ASSERT_TRUE(buf);
	for (int iter = 0; iter < 30000; iter++) {
		size_t len = strlen(example);
		struct fs_trace t;
		char err[256];

		memcpy(buf, example, len);
		for (int m = 1 + (int)(rng() % 3); m > 0; m--)
			len = mutate(buf, len, cap);
		if (!parse_exact(&t, buf, len, "m", err, sizeof(err))) {
			accepted++;
			ASSERT_TRUE(round_trips(&t, "mutant"));
		} else {
			ASSERT_TRUE(!strncmp(err, "m:", 2) && !strchr(err, '\n'));
		}
		fs_trace_free(&t);
	}
	free(buf);
	/* Some must survive, or this tests nothing but the error paths. */
	ASSERT_TRUE(accepted > 500);
	return true;
}

/* ------------------------------------------------------------------------
 * Model
 */

static struct fs_op op_alloc(uint16_t cache, uint32_t handle, uint32_t size,
			     uint32_t align, fs_gfp_t gfp)
{
	return (struct fs_op){ .kind = FS_OP_ALLOC, .cache = cache,
			       .handle = handle, .size = size, .align = align,
			       .gfp = gfp };
}

static struct fs_op op_kind(enum fs_op_kind kind)
{
	return (struct fs_op){ .kind = kind };
}

static void add(struct fs_trace *t, struct fs_op op)
{
	fs_trace_add_op(t, &op);
}

static void add_comment(struct fs_trace *t, const char *text)
{
	struct fs_op op = { .kind = FS_OP_COMMENT };

	op.comment = fs_trace_add_string(t, text);
	fs_trace_add_op(t, &op);
}

static uint32_t add_repeat(struct fs_trace *t, uint32_t count)
{
	struct fs_op op = { .kind = FS_OP_REPEAT, .count = count };

	return fs_trace_add_op(t, &op);
}

/* Close the repeat at @idx: its body is everything added since. */
static void end_repeat(struct fs_trace *t, uint32_t idx)
{
	t->ops[idx].body_len = t->nr_ops - idx - 1;
}

/* A trace with every op kind, gfp name, fault mode and expectation. */
static void build_everything(struct fs_trace *t)
{
	struct fs_op op;
	uint32_t h0, h1, r0, r1, r2;
	char name[FS_NAME_MAX];

	fs_trace_init(t);
	strcpy(t->target, "linux-6.1");
	t->seed = 0x123456789abcdef0ull;
	t->faults = FS_FAULT_PRESSURE;
	strcpy(t->expect_finding, "refcount-underflow");
	fs_trace_add_cache(t, "rx", FS_CACHE_PAGE_FRAG);
	fs_trace_add_cache(t, "tx", FS_CACHE_PAGE_FRAG);
	add_comment(t, "built, not parsed");
	h0 = fs_trace_add_handle(t, "h0");
	h1 = fs_trace_add_handle(t, "h1");
	add(t, op_alloc(0, h0, 1, 0, FS_GFP_ATOMIC));
	for (unsigned int bit = 0; bit < FS_GFP_NR_BITS; bit++) {
		snprintf(name, sizeof(name), "bit%u", bit);
		add(t, op_alloc(1, fs_trace_add_handle(t, name), 64 << (bit % 4),
				1u << bit, 1u << bit));
	}
	add(t, op_alloc(1, FS_NO_HANDLE, 128, 0, FS_GFP_KERNEL | FS_GFP_ZERO));
	add(t, op_alloc(1, FS_NO_HANDLE, 128, 0, FS_GFP_NOFS));
	add(t, op_alloc(1, FS_NO_HANDLE, 128, 0, FS_GFP_NOIO));
	add(t, op_alloc(1, FS_NO_HANDLE, 128, 0, FS_GFP_NOWAIT));
	add(t, op_alloc(1, h1, UINT32_MAX, UINT32_MAX, 0));
	for (uint8_t e = FS_EXPECT_OK; e <= FS_EXPECT_NOT_PFMEMALLOC; e++) {
		op = op_kind(FS_OP_EXPECT);
		op.handle = h1;
		op.expect = e;
		add(t, op);
	}
	for (fs_faults_t f = 0; f < (1u << FS_FAULT_NR_BITS); f++) {
		op = op_kind(FS_OP_FAULTS);
		op.faults = f;
		add(t, op);
	}
	r0 = add_repeat(t, 3);
	add_comment(t, "");
	add(t, op_alloc(0, h1, 2048, 2048, FS_GFP_ATOMIC));
	r1 = add_repeat(t, FS_MAX_REPEAT);
	r2 = add_repeat(t, 1);
	add(t, op_kind(FS_OP_FREE_ALL));
	end_repeat(t, r2);
	op = op_kind(FS_OP_DRAIN);
	op.cache = 1;
	add(t, op);
	end_repeat(t, r1);
	op = op_kind(FS_OP_FREE);
	op.handle = h1;
	add(t, op);
	add_comment(t, " last in the body");
	end_repeat(t, r0);
	op = op_kind(FS_OP_FREE);
	op.handle = h0;
	add(t, op);
	add(t, op_kind(FS_OP_FREE_ALL));
}

static bool test_built_trace_round_trips(void)
{
	struct fs_trace t;
	char *s;

	build_everything(&t);
	s = check_round_trip(&t, "built");
	ASSERT_TRUE(s);
	ASSERT_CONTAINS(s, "target linux-6.1\nseed 0x123456789abcdef0\n"
			"faults pressure\nexpect-finding refcount-underflow\n"
			"cache rx page_frag\ncache tx page_frag\n\n"
			"# built, not parsed\nh0 = alloc rx size=1\n");
	ASSERT_CONTAINS(s, "bit4 = alloc tx size=64 align=16 gfp=GFP_NOWAIT\n");
	ASSERT_CONTAINS(s, "bit10 = alloc tx size=256 align=1024 gfp=__GFP_ZERO\n");
	ASSERT_CONTAINS(s, "alloc tx size=128 gfp=GFP_KERNEL|__GFP_ZERO\n");
	ASSERT_CONTAINS(s, "h1 = alloc tx size=4294967295 align=4294967295 gfp=0\n"
			"expect h1 ok\nexpect h1 null\nexpect h1 pfmemalloc\n"
			"expect h1 !pfmemalloc\nfaults none\nfaults order3-fail\n");
	ASSERT_CONTAINS(s, "faults order3-fail,all-fail,pressure\n"
			"repeat 3 {\n"
			"\t#\n"
			"\th1 = alloc rx size=2048 align=2048\n"
			"\trepeat 10000000 {\n"
			"\t\trepeat 1 {\n"
			"\t\t\tfree-all\n"
			"\t\t}\n"
			"\t\tdrain tx\n"
			"\t}\n"
			"\tfree h1\n"
			"\t#  last in the body\n"
			"}\n"
			"free h0\n"
			"free-all\n");
	free(s);
	fs_trace_free(&t);
	return true;
}

static bool test_built_trace_prints_exactly(void)
{
	static const char want[] =
		"fragsim-trace 1\n"
		"seed 0x0000000000000000\n"
		"faults none\n"
		"cache c page_frag\n"
		"\n"
		"x = alloc c size=8 align=8 gfp=GFP_KERNEL\n"
		"repeat 2 {\n"
		"\trepeat 3 {\n"
		"\t\t# inner\n"
		"\t}\n"
		"\tfree x\n"
		"}\n";
	struct fs_trace t;
	struct fs_op op = op_kind(FS_OP_FREE);
	uint32_t r0, r1;
	char *s;

	fs_trace_init(&t);
	ASSERT_EQ(fs_trace_add_cache(&t, "c", FS_CACHE_PAGE_FRAG), 0);
	op.handle = fs_trace_add_handle(&t, "x");
	add(&t, op_alloc(0, op.handle, 8, 8, FS_GFP_KERNEL));
	r0 = add_repeat(&t, 2);
	r1 = add_repeat(&t, 3);
	add_comment(&t, "inner");
	end_repeat(&t, r1);
	add(&t, op);
	end_repeat(&t, r0);
	s = fs_trace_print(&t);
	ASSERT_STREQ(s, want);
	free(s);
	/* 1 + 2 * (3 * 0 + 1): comments and repeat lines execute nothing. */
	ASSERT_EQ(fs_trace_op_count(&t), 3);
	fs_trace_free(&t);
	return true;
}

static bool test_invalid_models_print_safely(void)
{
	struct fs_trace t;
	struct fs_op op = op_kind(FS_OP_FREE);
	char *s;

	fs_trace_init(&t);
	op.handle = 7;
	add(&t, op);
	add(&t, op_alloc(9, 3, 1, 0, FS_GFP_ATOMIC));
	op = op_kind(FS_OP_REPEAT);
	op.count = 2;
	op.body_len = 1000;	/* overruns: clamped */
	add(&t, op);
	op = op_kind(FS_OP_COMMENT);
	op.comment = 5;
	add(&t, op);
	add(&t, op_kind(200));
	s = fs_trace_print(&t);
	ASSERT_CONTAINS(s, "\nfree ?\n? = alloc ? size=1\nrepeat 2 {\n\t#\n"
			"\t?unknown-op-kind-200\n}\n");
	ASSERT_EQ(fs_trace_op_count(&t), 4);
	free(s);
	fs_trace_free(&t);
	return true;
}

static bool test_format_op(void)
{
	struct fs_trace t;
	char err[256], buf[128], small[10];

	ASSERT_EQ(parse_str(&t, example, err, sizeof(err)), 0);
	fs_trace_format_op(&t, &t.ops[0], buf, sizeof(buf));
	ASSERT_STREQ(buf, "# warm up");
	fs_trace_format_op(&t, &t.ops[2], buf, sizeof(buf));
	ASSERT_STREQ(buf, "h1 = alloc nc0 size=4097 align=64 gfp=GFP_ATOMIC|__GFP_MEMALLOC");
	fs_trace_format_op(&t, &t.ops[6], buf, sizeof(buf));
	ASSERT_STREQ(buf, "repeat 40000 {");
	fs_trace_format_op(&t, &t.ops[7], buf, sizeof(buf));
	ASSERT_STREQ(buf, "alloc nc1 size=1");
	fs_trace_format_op(&t, &t.ops[2], small, sizeof(small));
	ASSERT_STREQ(small, "h1 = allo");
	fs_trace_format_op(&t, &t.ops[2], small, 0);
	fs_trace_free(&t);
	return true;
}

static bool test_op_count(void)
{
	struct fs_trace t;
	char err[256];

	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\ncache c page_frag\n"
			    "h = alloc c size=1\n"
			    "repeat 3 {\n"
			    "\talloc c size=1\n"
			    "\t# not an op\n"
			    "\trepeat 4 {\n"
			    "\t\tfree h\n"
			    "\t\tfaults none\n"
			    "\t}\n"
			    "\texpect h ok\n"
			    "}\n"
			    "drain c\n"
			    "free-all\n", err, sizeof(err)), 0);
	ASSERT_EQ(fs_trace_op_count(&t), 1 + 3 * (1 + 4 * 2 + 1) + 2);
	ASSERT_EQ(t.ops[1].body_len, 6);
	ASSERT_EQ(t.ops[4].body_len, 2);
	fs_trace_free(&t);

	fs_trace_init(&t);
	ASSERT_EQ(fs_trace_op_count(&t), 0);
	return true;
}

static bool test_op_count_saturates(void)
{
	struct fs_trace t;
	char err[256];

	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\ncache c page_frag\n"
			    "repeat 10000000 {\n\trepeat 10000000 {\n"
			    "\t\talloc c size=1\n\t\tfree-all\n\t}\n}\n",
			    err, sizeof(err)), 0);
	ASSERT_EQ(fs_trace_op_count(&t), 200000000000000ull);
	fs_trace_free(&t);
	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\ncache c page_frag\n"
			    "repeat 10000000 {\n\trepeat 10000000 {\n"
			    "\t\trepeat 10000000 {\n\t\t\tfree-all\n\t\t}\n"
			    "\t}\n}\nfree-all\n", err, sizeof(err)), 0);
	ASSERT_TRUE(fs_trace_op_count(&t) == UINT64_MAX);
	fs_trace_free(&t);
	return true;
}

static bool test_equal(void)
{
	struct fs_trace a, b;
	char err[256];

	ASSERT_EQ(parse_str(&a, example, err, sizeof(err)), 0);
	/* Same trace, different layout: equal (lines are ignored). */
	ASSERT_EQ(parse_str(&b, "#warm up\nfragsim-trace 1\n\n"
			    "seed 3735928559\nexpect-finding none\n"
			    "target linux-6.12\ncache nc0 page_frag\n"
			    "cache nc1 page_frag\n  h0 = alloc nc0 size=0x1\n"
			    "h1 = alloc nc0 gfp=__GFP_MEMALLOC|GFP_ATOMIC "
			    "size=4097 align=64\n\nexpect h1 ok\nfree h0\n"
			    "faults pressure,order3-fail\nrepeat 40000 {\n"
			    "alloc nc1 size=1\n    }\ndrain nc0\nfree-all",
			    err, sizeof(err)), 0);
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	fs_trace_free(&b);
	ASSERT_EQ(parse_str(&b, example, err, sizeof(err)), 0);
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	b.ops[3].line = 99;
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	b.ops[2].align = 128;
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.ops[2].align = 64;
	b.seed++;
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.seed--;
	b.caches[1].name[2] = '9';
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.caches[1].name[2] = '1';
	strcpy(b.handles[1], "hx");
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	strcpy(b.handles[1], "h1");
	b.strings[0][0] = 'W';
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.strings[0][0] = 'w';
	b.ops[6].count--;
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.ops[6].count++;
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	fs_trace_free(&a);
	fs_trace_free(&b);
	return true;
}

static bool test_add_cache_limits(void)
{
	struct fs_trace t;
	char name[FS_NAME_MAX + 8];

	fs_trace_init(&t);
	for (int i = 0; i < FS_MAX_CACHES; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		ASSERT_EQ(fs_trace_add_cache(&t, name, FS_CACHE_PAGE_FRAG), i);
	}
	ASSERT_EQ(fs_trace_add_cache(&t, "one_more", FS_CACHE_PAGE_FRAG), -1);
	ASSERT_EQ(fs_trace_find_cache(&t, "c15"), 15);
	ASSERT_EQ(fs_trace_find_cache(&t, "c16"), -1);
	fs_trace_free(&t);
	ASSERT_EQ(fs_trace_add_cache(&t, "c", FS_CACHE_PAGE_FRAG), 0);
	ASSERT_EQ(fs_trace_add_cache(&t, "c", FS_CACHE_PAGE_FRAG), -1);
	memset(name, 'n', FS_NAME_MAX);
	name[FS_NAME_MAX] = '\0';
	ASSERT_EQ(fs_trace_add_cache(&t, name, FS_CACHE_PAGE_FRAG), -1);
	name[FS_NAME_MAX - 1] = '\0';
	ASSERT_EQ(fs_trace_add_cache(&t, name, FS_CACHE_PAGE_FRAG), 1);
	fs_trace_free(&t);
	fs_trace_free(&t);	/* harmless twice */
	return true;
}

static bool test_file_io(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200], err[4400], want[4400];
	struct fs_trace t, u;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/fragsim-test-trace-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_TRUE(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.trace", dir);
	ASSERT_EQ(parse_str(&t, example, err, sizeof(err)), 0);
	ASSERT_EQ(fs_trace_write_file(&t, path), 0);
	fs_trace_init(&u);
	ASSERT_EQ(fs_trace_parse_file(&u, path, err, sizeof(err)), 0);
	ASSERT_TRUE(fs_trace_equal(&t, &u));
	fs_trace_free(&t);
	fs_trace_free(&u);

	f = fopen(path, "w");
	ASSERT_TRUE(f);
	fclose(f);
	ASSERT_EQ(fs_trace_parse_file(&u, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1: empty trace", path);
	ASSERT_STREQ(err, want);
	unlink(path);

	ASSERT_EQ(fs_trace_parse_file(&u, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: %s", path,
		 strerror(ENOENT));
	ASSERT_STREQ(err, want);
	ASSERT_EQ(fs_trace_parse_file(&u, dir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: %s", dir,
		 strerror(EISDIR));
	ASSERT_STREQ(err, want);
	snprintf(path, sizeof(path), "%s/no/such/dir.trace", dir);
	ASSERT_EQ(fs_trace_write_file(&u, path), -1);
	ASSERT_EQ(errno, ENOENT);
	ASSERT_EQ(rmdir(dir), 0);
	return true;
}

/* ------------------------------------------------------------------------
 * CPUs, actors, queues, agents and schedules
 */

static const char concurrent[] =
	"fragsim-trace 1\n"
	"target ref\n"
	"seed 0x0000000000000001\n"
	"faults none\n"
	"cpus 2\n"
	"preempt full\n"
	"rt on\n"
	"schedule replay\n"
	"expect-finding none\n"
	"cache drv page_frag\n"
	"cache ring rx_ring\n"
	"queue rxq\n"
	"agent speculative count=8\n"
	"agent pressure count=2\n"
	"\n"
	"# NAPI on CPU 0\n"
	"softirq rx cpu=0 {\n"
	"\tn = napi_alloc_frag size=2048 align=64\n"
	"\tk = napi_alloc_1k gfp=GFP_ATOMIC|__GFP_NOWARN\n"
	"\tfree n\n"
	"\tfree k\n"
	"}\n"
	"hardirq nic cpu=0 count=3 {\n"
	"\tskb = netdev_alloc_frag size=256\n"
	"\tpush rxq skb\n"
	"\traise rx\n"
	"}\n"
	"task worker cpu=1 {\n"
	"\trepeat 4 {\n"
	"\t\tb = alloc drv size=1500 gfp=GFP_KERNEL\n"
	"\t\tfree b\n"
	"\t}\n"
	"\tdrain drv\n"
	"}\n"
	"r = alloc ring size=1024\n"
	"spec-get r\n"
	"irq-off {\n"
	"\tspec-put r\n"
	"\tbh-off {\n"
	"\t\tfree r\n"
	"\t}\n"
	"}\n"
	"repeat 3 {\n"
	"\tpop rxq\n"
	"}\n"
	"drain ring\n"
	"at 0 switch worker\n"
	"at 2 irq nic\n"
	"at 2 spec-get page=3\n"
	"at 5 spec-put page=3\n"
	"at 6 pressure on\n"
	"at 9 pressure off\n"
	"at 10 switch main\n";

static bool test_concurrent_model(void)
{
	struct fs_trace t;
	char err[256];
	const struct fs_op *op;
	const struct fs_decision *d;

	ASSERT_EQ(parse_str(&t, concurrent, err, sizeof(err)), 0);
	ASSERT_EQ(t.cpus, 2);
	ASSERT_EQ(t.preempt, FS_PREEMPT_FULL);
	ASSERT_TRUE(t.rt);
	ASSERT_EQ(t.sched.strategy, FS_SCHED_REPLAY);
	ASSERT_TRUE(t.agents[FS_AGENT_SPECULATIVE].on);
	ASSERT_EQ(t.agents[FS_AGENT_SPECULATIVE].count, 8);
	ASSERT_EQ(t.agents[FS_AGENT_PRESSURE].count, 2);
	ASSERT_EQ(t.nr_caches, 2);
	ASSERT_EQ(t.caches[1].kind, FS_CACHE_RX_RING);
	ASSERT_EQ(t.nr_queues, 1);
	ASSERT_STREQ(t.queues[0], "rxq");
	ASSERT_EQ(fs_trace_find_queue(&t, "rxq"), 0);
	ASSERT_EQ(fs_trace_find_queue(&t, "drv"), -1);
	ASSERT_EQ(t.nr_actors, 3);
	ASSERT_STREQ(t.actors[0].name, "rx");
	ASSERT_EQ(t.actors[0].kind, FS_ACTOR_SOFTIRQ);
	ASSERT_EQ(t.actors[0].count, 1);
	ASSERT_EQ(t.actors[1].kind, FS_ACTOR_HARDIRQ);
	ASSERT_EQ(t.actors[1].count, 3);
	ASSERT_EQ(t.actors[2].cpu, 1);
	ASSERT_EQ(fs_trace_find_actor(&t, "worker"), 2);
	ASSERT_EQ(fs_trace_find_actor(&t, "main"), -1);
	op = t.ops;
	ASSERT_EQ(op[0].kind, FS_OP_COMMENT);
	ASSERT_EQ(op[1].kind, FS_OP_ACTOR);
	ASSERT_EQ(op[1].actor, 0);
	ASSERT_EQ(op[1].body_len, 4);
	ASSERT_EQ(t.actors[0].op, 1);
	ASSERT_EQ(op[2].kind, FS_OP_NAPI_ALLOC);
	ASSERT_EQ(op[2].size, 2048);
	ASSERT_EQ(op[2].align, 64);
	ASSERT_EQ(op[2].cache, 0);
	ASSERT_EQ(op[2].gfp, 0);
	ASSERT_EQ(op[3].kind, FS_OP_NAPI_ALLOC_1K);
	ASSERT_EQ(op[3].size, 1024);
	ASSERT_EQ(op[3].gfp, FS_GFP_ATOMIC | FS_GFP_NOWARN);
	ASSERT_EQ(t.actors[1].op, 6);
	ASSERT_EQ(op[7].kind, FS_OP_NETDEV_ALLOC);
	ASSERT_EQ(op[8].kind, FS_OP_PUSH);
	ASSERT_EQ(op[8].queue, 0);
	ASSERT_EQ(op[8].handle, op[7].handle);
	ASSERT_EQ(op[9].kind, FS_OP_RAISE);
	ASSERT_EQ(op[9].actor, 0);
	ASSERT_EQ(op[10].kind, FS_OP_ACTOR);
	ASSERT_EQ(op[10].body_len, 4);
	ASSERT_EQ(op[15].kind, FS_OP_ALLOC);
	ASSERT_EQ(op[16].kind, FS_OP_SPEC_GET);
	ASSERT_EQ(op[17].kind, FS_OP_IRQ_OFF);
	ASSERT_EQ(op[17].body_len, 3);
	ASSERT_EQ(op[18].kind, FS_OP_SPEC_PUT);
	ASSERT_EQ(op[19].kind, FS_OP_BH_OFF);
	ASSERT_EQ(op[19].body_len, 1);
	ASSERT_EQ(op[22].kind, FS_OP_POP);
	ASSERT_EQ(op[23].kind, FS_OP_DRAIN);
	ASSERT_EQ(op[23].line, 46);
	ASSERT_EQ(t.nr_ops, 24);
	/* rx 4, nic 3 * 3, worker 4 * 2 + 1, main 4 + 3 + 1. */
	ASSERT_EQ(fs_trace_op_count(&t), 4 + 9 + 9 + 8);
	ASSERT_EQ(t.sched.nr_dec, 7);
	d = t.sched.dec;
	ASSERT_EQ(d[0].kind, FS_DEC_SWITCH);
	ASSERT_EQ(d[0].arg, 2);
	ASSERT_EQ(d[0].line, 47);
	ASSERT_EQ(d[1].kind, FS_DEC_IRQ);
	ASSERT_EQ(d[1].arg, 1);
	ASSERT_EQ(d[2].kind, FS_DEC_SPEC_GET);
	ASSERT_EQ(d[2].step, 2);
	ASSERT_EQ(d[2].arg, 3);
	ASSERT_EQ(d[3].kind, FS_DEC_SPEC_PUT);
	ASSERT_EQ(d[4].kind, FS_DEC_PRESSURE_ON);
	ASSERT_EQ(d[5].kind, FS_DEC_PRESSURE_OFF);
	ASSERT_EQ(d[6].arg, FS_MAIN_ACTOR);
	ASSERT_TRUE(fs_trace_concurrent(&t));
	fs_trace_free(&t);
	return true;
}

static bool test_concurrent_prints_byte_for_byte(void)
{
	struct fs_trace t;
	char err[256];
	char *s;

	ASSERT_EQ(parse_str(&t, concurrent, err, sizeof(err)), 0);
	s = check_round_trip(&t, "concurrent");
	fs_trace_free(&t);
	ASSERT_STREQ(s, concurrent);
	free(s);
	return true;
}

/* Defaults: not printed, and the model says so. */
static bool test_machine_defaults(void)
{
	struct fs_trace t;
	char err[256];
	char *s;

	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\ncpus 1\npreempt none\n"
			    "rt off\nschedule pct\nagent pressure\n"
			    "hardirq h cpu=0 {\n\tnetdev_alloc_frag size=1\n}\n",
			    err, sizeof(err)), 0);
	ASSERT_EQ(t.cpus, 1);
	ASSERT_EQ(t.sched.strategy, FS_SCHED_PCT);
	ASSERT_EQ(t.sched.depth, 3);
	ASSERT_EQ(t.sched.preemptions, 2);
	ASSERT_EQ(t.sched.injections, 2);
	ASSERT_EQ(t.agents[FS_AGENT_PRESSURE].count, 64);
	ASSERT_FALSE(t.agents[FS_AGENT_SPECULATIVE].on);
	ASSERT_EQ(t.actors[0].count, 1);
	s = check_round_trip(&t, "defaults");
	ASSERT_STREQ(s, "fragsim-trace 1\nseed 0x0000000000000000\n"
		     "faults none\nschedule pct depth=3\n"
		     "agent pressure count=64\n\n"
		     "hardirq h cpu=0 count=1 {\n"
		     "\tnetdev_alloc_frag size=1\n}\n");
	free(s);
	fs_trace_free(&t);

	fs_trace_init(&t);
	ASSERT_FALSE(fs_trace_concurrent(&t));
	t.cpus = 2;
	ASSERT_TRUE(fs_trace_concurrent(&t));
	t.cpus = 1;
	t.rt = true;
	ASSERT_TRUE(fs_trace_concurrent(&t));
	t.rt = false;
	t.preempt = FS_PREEMPT_FULL;
	ASSERT_TRUE(fs_trace_concurrent(&t));
	t.preempt = FS_PREEMPT_NONE;
	t.agents[FS_AGENT_PRESSURE].on = true;
	ASSERT_TRUE(fs_trace_concurrent(&t));
	t.agents[FS_AGENT_PRESSURE].on = false;
	ASSERT_EQ(fs_trace_add_actor(&t, "t", FS_ACTOR_TASK, 0, 0), 0);
	ASSERT_TRUE(fs_trace_concurrent(&t));
	fs_trace_free(&t);
	/* Queues alone and a schedule line alone change nothing. */
	ASSERT_EQ(fs_trace_add_queue(&t, "q"), 0);
	t.sched.strategy = FS_SCHED_RANDOM;
	ASSERT_FALSE(fs_trace_concurrent(&t));
	fs_trace_free(&t);
	return true;
}

static bool test_add_actor_queue_limits(void)
{
	struct fs_trace t;
	char name[FS_NAME_MAX + 8];

	fs_trace_init(&t);
	ASSERT_EQ(fs_trace_add_actor(&t, "main", FS_ACTOR_TASK, 0, 0), -1);
	ASSERT_EQ(fs_trace_add_actor(&t, "", FS_ACTOR_TASK, 0, 0), -1);
	ASSERT_EQ(fs_trace_add_actor(&t, "x", FS_ACTOR_TASK, FS_MAX_CPUS, 0),
		  -1);
	ASSERT_EQ(fs_trace_add_actor(&t, "x", (enum fs_actor_kind)3, 0, 0), -1);
	memset(name, 'a', FS_NAME_MAX);
	name[FS_NAME_MAX] = '\0';
	ASSERT_EQ(fs_trace_add_actor(&t, name, FS_ACTOR_TASK, 0, 0), -1);
	ASSERT_EQ(fs_trace_add_queue(&t, name), -1);
	add(&t, op_kind(FS_OP_FREE_ALL));
	for (int i = 0; i < FS_MAX_ACTORS; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		ASSERT_EQ(fs_trace_add_actor(&t, name, (enum fs_actor_kind)(i % 3),
					     (unsigned int)i % FS_MAX_CPUS,
					     (uint32_t)i), i);
		ASSERT_EQ(t.actors[i].op, 1);
		/* count is a hardirq's; 0 means the default 1 */
		ASSERT_EQ(t.actors[i].count, i % 3 == FS_ACTOR_HARDIRQ && i ?
					     (uint32_t)i : 1);
	}
	ASSERT_EQ(fs_trace_add_actor(&t, "one_more", FS_ACTOR_TASK, 0, 0), -1);
	ASSERT_EQ(fs_trace_add_actor(&t, "a3", FS_ACTOR_TASK, 0, 0), -1);
	ASSERT_EQ(fs_trace_find_actor(&t, "a15"), 15);
	ASSERT_EQ(fs_trace_find_actor(&t, "a16"), -1);
	for (int i = 0; i < FS_MAX_QUEUES; i++) {
		snprintf(name, sizeof(name), "q%d", i);
		ASSERT_EQ(fs_trace_add_queue(&t, name), i);
	}
	ASSERT_EQ(fs_trace_add_queue(&t, "q8"), -1);
	fs_trace_free(&t);
	ASSERT_EQ(fs_trace_add_queue(&t, "q"), 0);
	ASSERT_EQ(fs_trace_add_queue(&t, "q"), -1);
	/* Separate namespaces. */
	ASSERT_EQ(fs_trace_add_actor(&t, "q", FS_ACTOR_TASK, 0, 0), 0);
	ASSERT_EQ(fs_trace_add_cache(&t, "q", FS_CACHE_RX_RING), 0);
	fs_trace_free(&t);
	return true;
}

static uint32_t add_block(struct fs_trace *t, enum fs_op_kind kind,
			  uint16_t actor)
{
	struct fs_op op = { .kind = (uint8_t)kind, .actor = actor };

	return fs_trace_add_op(t, &op);
}

static void add_dec(struct fs_trace *t, uint64_t step,
		    enum fs_decision_kind kind, uint32_t arg)
{
	struct fs_decision d = { .step = step, .kind = (uint8_t)kind,
				 .arg = arg };

	fs_trace_add_decision(t, &d);
}

/* Every new construct, built through the model API rather than parsed. */
static void build_concurrent(struct fs_trace *t)
{
	struct fs_op op;
	uint32_t a, r, s, h, k;

	fs_trace_init(t);
	t->seed = 42;
	t->cpus = 3;
	t->preempt = FS_PREEMPT_FULL;
	t->sched.strategy = FS_SCHED_REPLAY;
	t->agents[FS_AGENT_SPECULATIVE].on = true;
	t->agents[FS_AGENT_SPECULATIVE].count = 1000000;
	fs_trace_add_cache(t, "ring", FS_CACHE_RX_RING);
	fs_trace_add_queue(t, "q0");
	fs_trace_add_queue(t, "q1");
	h = fs_trace_add_handle(t, "h");
	k = fs_trace_add_handle(t, "k");

	a = add_block(t, FS_OP_ACTOR,
		      (uint16_t)fs_trace_add_actor(t, "rx", FS_ACTOR_SOFTIRQ,
						   2, 0));
	op = op_kind(FS_OP_NAPI_ALLOC_1K);
	op.handle = k;
	op.size = 1024;
	op.gfp = FS_GFP_NOWAIT;
	add(t, op);
	op = op_kind(FS_OP_FREE);
	op.handle = k;
	add(t, op);
	end_repeat(t, a);

	a = add_block(t, FS_OP_ACTOR,
		      (uint16_t)fs_trace_add_actor(t, "irq", FS_ACTOR_HARDIRQ,
						   2, 8));
	op = op_kind(FS_OP_RAISE);
	op.actor = 0;
	add(t, op);
	op = op_kind(FS_OP_NETDEV_ALLOC);
	op.handle = FS_NO_HANDLE;
	op.size = 64;
	op.align = 64;
	add(t, op);
	end_repeat(t, a);

	r = add_repeat(t, 5);
	s = add_block(t, FS_OP_IRQ_OFF, 0);
	add(t, op_alloc(0, h, 2048, 0, FS_GFP_ATOMIC));
	end_repeat(t, s);
	s = add_block(t, FS_OP_BH_OFF, 0);
	op = op_kind(FS_OP_NAPI_ALLOC);
	op.handle = FS_NO_HANDLE;
	op.size = 100;
	add(t, op);
	op = op_kind(FS_OP_SPEC_GET);
	op.handle = h;
	add(t, op);
	op.kind = FS_OP_SPEC_PUT;
	add(t, op);
	op = op_kind(FS_OP_PUSH);
	op.queue = 1;
	op.handle = h;
	add(t, op);
	end_repeat(t, s);
	end_repeat(t, r);
	op = op_kind(FS_OP_POP);
	op.queue = 1;
	add(t, op);
	add_dec(t, 0, FS_DEC_IRQ, 1);
	add_dec(t, 0, FS_DEC_SWITCH, FS_MAIN_ACTOR);
	add_dec(t, 7, FS_DEC_SPEC_GET, 12);
	add_dec(t, 8, FS_DEC_SPEC_PUT, 12);
	add_dec(t, UINT64_MAX, FS_DEC_PRESSURE_ON, 0);
	add_dec(t, UINT64_MAX, FS_DEC_PRESSURE_OFF, 0);
}

static bool test_built_concurrent_round_trips(void)
{
	static const char want[] =
		"fragsim-trace 1\n"
		"seed 0x000000000000002a\n"
		"faults none\n"
		"cpus 3\n"
		"preempt full\n"
		"schedule replay\n"
		"cache ring rx_ring\n"
		"queue q0\n"
		"queue q1\n"
		"agent speculative count=1000000\n"
		"\n"
		"softirq rx cpu=2 {\n"
		"\tk = napi_alloc_1k gfp=GFP_NOWAIT\n"
		"\tfree k\n"
		"}\n"
		"hardirq irq cpu=2 count=8 {\n"
		"\traise rx\n"
		"\tnetdev_alloc_frag size=64 align=64\n"
		"}\n"
		"repeat 5 {\n"
		"\tirq-off {\n"
		"\t\th = alloc ring size=2048\n"
		"\t}\n"
		"\tbh-off {\n"
		"\t\tnapi_alloc_frag size=100\n"
		"\t\tspec-get h\n"
		"\t\tspec-put h\n"
		"\t\tpush q1 h\n"
		"\t}\n"
		"}\n"
		"pop q1\n"
		"at 0 irq irq\n"
		"at 0 switch main\n"
		"at 7 spec-get page=12\n"
		"at 8 spec-put page=12\n"
		"at 18446744073709551615 pressure on\n"
		"at 18446744073709551615 pressure off\n";
	struct fs_trace t;
	char *s;

	build_concurrent(&t);
	s = check_round_trip(&t, "built concurrent");
	ASSERT_STREQ(s, want);
	free(s);
	/* rx 2, irq 8 * 2, main 5 * (1 + 4) + 1 */
	ASSERT_EQ(fs_trace_op_count(&t), 2 + 16 + 26);
	fs_trace_free(&t);
	return true;
}

static bool test_equal_concurrent_fields(void)
{
	struct fs_trace a, b;

	build_concurrent(&a);
	build_concurrent(&b);
	ASSERT_TRUE(fs_trace_equal(&a, &b));
#define CHANGED(stmt, undo) do {					\
	stmt;								\
	ASSERT_FALSE(fs_trace_equal(&a, &b));				\
	undo;								\
	ASSERT_TRUE(fs_trace_equal(&a, &b));				\
} while (0)
	CHANGED(b.cpus = 4, b.cpus = 3);
	CHANGED(b.preempt = FS_PREEMPT_NONE, b.preempt = FS_PREEMPT_FULL);
	CHANGED(b.rt = true, b.rt = false);
	CHANGED(b.agents[0].count--, b.agents[0].count++);
	CHANGED(b.agents[1].on = true, b.agents[1].on = false);
	CHANGED(b.sched.strategy = FS_SCHED_RANDOM,
		b.sched.strategy = FS_SCHED_REPLAY);
	CHANGED(b.sched.dec[2].step++, b.sched.dec[2].step--);
	CHANGED(b.sched.dec[2].arg++, b.sched.dec[2].arg--);
	CHANGED(b.sched.dec[4].kind = FS_DEC_PRESSURE_OFF,
		b.sched.dec[4].kind = FS_DEC_PRESSURE_ON);
	CHANGED(b.sched.nr_dec--, b.sched.nr_dec++);
	CHANGED(b.queues[1][1] = '9', b.queues[1][1] = '1');
	CHANGED(b.nr_queues--, b.nr_queues++);
	CHANGED(b.actors[1].count = 7, b.actors[1].count = 8);
	CHANGED(b.actors[1].cpu = 0, b.actors[1].cpu = 2);
	CHANGED(b.actors[1].kind = FS_ACTOR_TASK,
		b.actors[1].kind = FS_ACTOR_HARDIRQ);
	CHANGED(b.actors[0].op = 3, b.actors[0].op = 0);
	CHANGED(b.actors[0].name[0] = 'R', b.actors[0].name[0] = 'r');
	CHANGED(b.caches[0].kind = FS_CACHE_PAGE_FRAG,
		b.caches[0].kind = FS_CACHE_RX_RING);
	CHANGED(b.ops[1].gfp = FS_GFP_ATOMIC, b.ops[1].gfp = FS_GFP_NOWAIT);
	CHANGED(b.ops[1].size = 512, b.ops[1].size = 1024);
	CHANGED(b.ops[5].align = 0, b.ops[5].align = 64);
	CHANGED(b.ops[4].actor = 1, b.ops[4].actor = 0);
	CHANGED(b.ops[3].body_len = 1, b.ops[3].body_len = 2);
	CHANGED(b.ops[7].body_len = 0, b.ops[7].body_len = 1);
	CHANGED(b.ops[13].queue = 0, b.ops[13].queue = 1);
	CHANGED(b.ops[14].queue = 0, b.ops[14].queue = 1);
	CHANGED(b.ops[13].handle = 1, b.ops[13].handle = 0);
#undef CHANGED
	/* Don't-cares: fields a kind does not use, bounds of other strategies. */
	b.ops[5].cache = 3;
	b.ops[5].gfp = FS_GFP_KERNEL;
	b.ops[13].size = 99;
	b.sched.dec[4].arg = 77;
	b.sched.depth = 9;
	b.sched.preemptions = 0;
	b.agents[1].count = 5;
	b.sched.dec[0].line = 99;
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	a.sched.strategy = b.sched.strategy = FS_SCHED_PCT;
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.sched.depth = 3;
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	a.sched.strategy = b.sched.strategy = FS_SCHED_EXHAUSTIVE;
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	b.sched.preemptions = 2;
	ASSERT_TRUE(fs_trace_equal(&a, &b));
	b.sched.injections = 0;
	ASSERT_FALSE(fs_trace_equal(&a, &b));
	fs_trace_free(&a);
	fs_trace_free(&b);
	return true;
}

static bool test_invalid_concurrent_models_print_safely(void)
{
	static const struct {
		uint8_t kind;
		uint16_t actor, queue;
		uint32_t size;
		const char *line;
	} c[] = {
		{ FS_OP_ACTOR, 5, 0, 0, "actor ? {" },
		{ FS_OP_RAISE, 5, 0, 0, "raise ?" },
		{ FS_OP_RAISE, FS_MAIN_ACTOR, 0, 0, "raise main" },
		{ FS_OP_RAISE, 0, 0, 0, "raise t" },
		{ FS_OP_PUSH, 0, 3, 0, "push ? ?" },
		{ FS_OP_POP, 0, 3, 0, "pop ?" },
		{ FS_OP_NAPI_ALLOC_1K, 0, 0, 512, "napi_alloc_1k size=512" },
	};
	struct fs_trace t;
	char buf[128], err[256];
	char *s;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct fs_op op = { .kind = c[i].kind, .actor = c[i].actor,
				    .queue = c[i].queue, .size = c[i].size,
				    .handle = FS_NO_HANDLE, .gfp = FS_GFP_ATOMIC,
				    .body_len = 1 };
		struct fs_trace u;

		fs_trace_init(&t);
		fs_trace_add_actor(&t, "t", FS_ACTOR_TASK, 0, 0);
		add(&t, op_kind(FS_OP_FREE_ALL));
		t.ops[0] = (struct fs_op){ .kind = FS_OP_ACTOR, .body_len = 1 };
		add(&t, op_kind(FS_OP_FREE_ALL));
		add(&t, op);
		add(&t, op_kind(FS_OP_FREE_ALL));
		fs_trace_format_op(&t, &t.ops[2], buf, sizeof(buf));
		ASSERT_STREQ(buf, c[i].line);
		s = fs_trace_print(&t);
		ASSERT_EQ(parse_str(&u, s, err, sizeof(err)), -1);
		free(s);
		fs_trace_free(&t);
	}
	/* Unknown kinds of actor, decision, strategy and cache. */
	fs_trace_init(&t);
	t.sched.strategy = FS_SCHED_NR;
	t.preempt = 7;
	add_dec(&t, 1, FS_DEC_NR, 0);
	add_dec(&t, 2, FS_DEC_SWITCH, 9);
	fs_trace_add_cache(&t, "c", (enum fs_cache_kind)9);
	s = fs_trace_print(&t);
	ASSERT_CONTAINS(s, "preempt ?\nschedule ?\ncache c ?\n\n"
			"at 1 ?unknown-decision-6\nat 2 switch ?\n");
	free(s);
	fs_trace_free(&t);
	return true;
}

/* 65536 decisions parse; one more does not. */
static bool test_decision_limit(void)
{
	size_t cap = (size_t)(FS_MAX_DECISIONS + 1) * 24 + 64, len;
	char *text = malloc(cap), err[256];
	struct fs_trace t;

	ASSERT_TRUE(text);
	len = (size_t)snprintf(text, cap, "fragsim-trace 1\nschedule replay\n");
	for (unsigned int i = 0; i < FS_MAX_DECISIONS; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"at %u pressure on\n", i / 2);
	ASSERT_EQ(parse_exact(&t, text, len, "t", err, sizeof(err)), 0);
	ASSERT_EQ(t.sched.nr_dec, FS_MAX_DECISIONS);
	ASSERT_EQ(t.sched.dec[FS_MAX_DECISIONS - 1].step,
		  (FS_MAX_DECISIONS - 1) / 2);
	ASSERT_TRUE(round_trips(&t, "decisions"));
	fs_trace_free(&t);
	len += (size_t)snprintf(text + len, cap - len, "at %u pressure off\n",
				FS_MAX_DECISIONS);
	ASSERT_EQ(parse_exact(&t, text, len, "t", err, sizeof(err)), -1);
	ASSERT_STREQ(err, "t:65539: too many 'at' lines (max 65536)");
	free(text);
	return true;
}

/* The scoping rule follows the actor, not the text position. */
static bool test_handle_scope(void)
{
	struct fs_trace t;
	char err[256];

	/* main's handles are main's on both sides of an actor block. */
	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\nh = netdev_alloc_frag size=8\n"
			    "task t cpu=0 {\n\tk = netdev_alloc_frag size=8\n"
			    "\tfree k\n}\nfree h\n", err, sizeof(err)), 0);
	fs_trace_free(&t);
	ASSERT_EQ(parse_str(&t, "fragsim-trace 1\ntask t cpu=0 {\n"
			    "\tk = netdev_alloc_frag size=8\n}\n"
			    "task u cpu=0 {\n\tspec-put k\n}\n", err,
			    sizeof(err)), -1);
	ASSERT_STREQ(err, "t.trace:6: handle 'k' is bound in actor 't' and used "
		     "in actor 'u' (pass fragments between actors with push/pop)");
	return true;
}

/* The mutation pass again, from a trace with every new construct. */
static bool test_concurrent_mutations(void)
{
	static const char *const words[] = {
		"task w cpu=1 {\n", "hardirq i cpu=0 count=2 {\n", "}\n",
		"softirq rx cpu=0 {\n", "irq-off {\n", "bh-off {\n",
		"raise rx\n", "push rxq r\n", "pop rxq\n", "spec-get r\n",
		"spec-put skb\n", "at 3 switch worker\n", "at 1 irq nic\n",
		"cpus 3\n", "schedule pct depth=2\n", "agent pressure\n",
		"queue q2\n", "napi_alloc_1k\n", "k = napi_alloc_frag size=9\n",
		"netdev_alloc_frag size=1 align=2\n", "cache rr rx_ring\n",
		"rt on\n", "preempt full\n", "main", "count=", " cpu=",
	};
	size_t cap = 8192, accepted = 0;
	char *buf = malloc(cap);

	ASSERT_TRUE(buf);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = strlen(concurrent);
		struct fs_trace t;
		char err[256];

		memcpy(buf, concurrent, len);
		for (int m = 1 + (int)(rng() % 3); m > 0; m--) {
			if (rng() % 2) {
				len = mutate(buf, len, cap);
				continue;
			}
			/* insert a new-construct line at a line start */
			size_t pos = len ? rng() % (len + 1) : 0;
			const char *w = words[rng() % ARRAY_SIZE(words)];
			size_t n = strlen(w);

			while (pos && buf[pos - 1] != '\n')
				pos--;
			if (len + n > cap)
				continue;
			memmove(buf + pos + n, buf + pos, len - pos);
			memcpy(buf + pos, w, n);
			len += n;
		}
		if (!parse_exact(&t, buf, len, "m", err, sizeof(err))) {
			accepted++;
			ASSERT_TRUE(round_trips(&t, "mutant"));
		} else {
			ASSERT_TRUE(!strncmp(err, "m:", 2) && !strchr(err, '\n'));
		}
		fs_trace_free(&t);
	}
	free(buf);
	ASSERT_TRUE(accepted > 500);
	return true;
}

/* ------------------------------------------------------------------------
 * Workload generators
 */

static bool test_workload_names(void)
{
	static const char *const names[] = { "seq", "irq", "xcpu", "spec", "mix" };

	ASSERT_EQ(ARRAY_SIZE(names), FS_WL_NR);
	for (int w = 0; w < FS_WL_NR; w++)
		ASSERT_STREQ(fs_workload_name((enum fs_workload)w), names[w]);
	ASSERT_TRUE(fs_workload_name(FS_WL_NR) == NULL);
	return true;
}

/* FS_WL_SEQ is fs_trace_generate(), text for text. */
static bool test_workload_seq_is_generate(void)
{
	for (uint64_t seed = 0; seed < 20; seed++) {
		struct fs_trace a, b;
		char *sa, *sb;

		fs_trace_init(&a);
		fs_trace_init(&b);
		fs_trace_generate(&a, seed, "ref");
		fs_trace_generate_workload(&b, seed, "ref", FS_WL_SEQ);
		sa = fs_trace_print(&a);
		sb = fs_trace_print(&b);
		ASSERT_STREQ(sa, sb);
		ASSERT_FALSE(fs_trace_concurrent(&b));
		free(sa);
		free(sb);
		fs_trace_free(&a);
		fs_trace_free(&b);
	}
	return true;
}

static bool test_workloads_round_trip_and_repeat(void)
{
	for (int w = 0; w < FS_WL_NR; w++) {
		for (uint64_t seed = 0; seed < 40; seed++) {
			struct fs_trace a, b;
			char *sa, *sb;

			fs_trace_init(&a);
			fs_trace_init(&b);
			fs_trace_generate_workload(&a, seed * 7919, "linux-6.12",
						   (enum fs_workload)w);
			fs_trace_generate_workload(&b, seed * 7919, "linux-6.12",
						   (enum fs_workload)w);
			ASSERT_TRUE(fs_trace_equal(&a, &b));
			sa = check_round_trip(&a, fs_workload_name(w));
			ASSERT_TRUE(sa);
			sb = fs_trace_print(&b);
			ASSERT_STREQ(sa, sb);
			free(sa);
			free(sb);
			ASSERT_STREQ(a.target, "linux-6.12");
			ASSERT_EQ(a.seed, seed * 7919);
			ASSERT_EQ(fs_trace_concurrent(&a), w != FS_WL_SEQ);
			fs_trace_free(&a);
			fs_trace_free(&b);
		}
	}
	return true;
}

/* Walks a generated trace and checks the kernel contracts it must keep. */
struct contract {
	const struct fs_trace *t;
	int owner[FS_MAX_CACHES];	/* actor + 1 that uses the cache */
	uint64_t pushes[FS_MAX_QUEUES], pops[FS_MAX_QUEUES];
	uint8_t *live;			/* by handle: 1 live, 2 + spec ref */
	uint32_t nr_live;
	const char *why;
	uint32_t at;			/* op index of the first violation */
};

struct ctx {
	int actor;			/* -1 for main */
	uint8_t kind;
	unsigned int cpu;
	bool irq_off, bh_off;
	uint64_t mult;
};

static bool violated(struct contract *k, uint32_t i, const char *why)
{
	k->why = why;
	k->at = i;
	return false;
}

static bool pow2_align(uint32_t a)
{
	return a <= 4096 && !(a & (a - 1));
}

static bool use_cache(struct contract *k, const struct ctx *x, uint16_t c)
{
	if (c >= k->t->nr_caches)
		return false;
	if (!k->owner[c])
		k->owner[c] = x->actor + 2;
	return k->owner[c] == x->actor + 2;
}

static bool check_body(struct contract *k, uint32_t *i, uint32_t end,
		       struct ctx x);

static bool check_op(struct contract *k, uint32_t *i, uint32_t end,
		     struct ctx x)
{
	const struct fs_trace *t = k->t;
	uint32_t idx = (*i)++;
	const struct fs_op *op = &t->ops[idx];
	uint32_t body_end = *i + op->body_len;
	struct ctx in = x;
	bool atomic = x.irq_off || x.bh_off || x.kind != FS_ACTOR_TASK;
	bool napi = !x.irq_off && (x.kind == FS_ACTOR_SOFTIRQ ||
				   (x.kind == FS_ACTOR_TASK && x.bh_off));

	if (body_end > end)
		return violated(k, idx, "body overruns");
	if (x.irq_off && op->kind != FS_OP_NETDEV_ALLOC &&
	    op->kind != FS_OP_ALLOC && op->kind != FS_OP_FREE &&
	    op->kind != FS_OP_REPEAT && op->kind != FS_OP_COMMENT)
		return violated(k, idx, "irq-off holds more than allocs and frees");
	switch (op->kind) {
	case FS_OP_COMMENT:
		return true;
	case FS_OP_ALLOC:
		if (!use_cache(k, &x, op->cache))
			return violated(k, idx, "cache used by two actors");
		if ((op->gfp & FS_GFP_MEMALLOC) && op->size > 4096)
			return violated(k, idx, "oversize __GFP_MEMALLOC");
		if (op->gfp == FS_GFP_KERNEL && atomic)
			return violated(k, idx, "GFP_KERNEL in atomic context");
		/* fall through */
	case FS_OP_NETDEV_ALLOC:
	case FS_OP_NAPI_ALLOC:
	case FS_OP_NAPI_ALLOC_1K:
		if (op->kind == FS_OP_NAPI_ALLOC_1K ? op->size != 1024 :
		    !op->size || op->size > 32768 || !pow2_align(op->align))
			return violated(k, idx, "bad size or align");
		if (op->kind != FS_OP_ALLOC && op->kind != FS_OP_NETDEV_ALLOC &&
		    !napi)
			return violated(k, idx, "napi cache without BH off");
		if (op->handle == FS_NO_HANDLE || k->live[op->handle])
			return violated(k, idx, "fragment not tracked");
		k->live[op->handle] = 1;
		k->nr_live++;
		return true;
	case FS_OP_FREE:
	case FS_OP_PUSH:
		if (k->live[op->handle] != 1)
			return violated(k, idx, "free/push of a dead or referenced handle");
		k->live[op->handle] = 0;
		k->nr_live--;
		if (op->kind == FS_OP_PUSH)
			k->pushes[op->queue] += x.mult;
		return true;
	case FS_OP_POP:
		k->pops[op->queue] += x.mult;
		return true;
	case FS_OP_SPEC_GET:
	case FS_OP_SPEC_PUT:
		if (k->live[op->handle] != (op->kind == FS_OP_SPEC_GET ? 1 : 2))
			return violated(k, idx, "spec-get/put out of order");
		k->live[op->handle] = op->kind == FS_OP_SPEC_GET ? 2 : 1;
		return x.kind != FS_ACTOR_HARDIRQ ||
		       violated(k, idx, "spec in a hardirq");
	case FS_OP_DRAIN:
		return use_cache(k, &x, op->cache) ||
		       violated(k, idx, "drain of another actor's cache");
	case FS_OP_RAISE:
		if (t->actors[op->actor].cpu != x.cpu || x.irq_off)
			return violated(k, idx, "raise from another CPU");
		return true;
	case FS_OP_REPEAT:
		in.mult *= op->count;
		break;
	case FS_OP_IRQ_OFF:
		in.irq_off = true;
		break;
	case FS_OP_BH_OFF:
		if (x.kind != FS_ACTOR_TASK || x.irq_off || x.bh_off)
			return violated(k, idx, "bh-off outside a task or in irq-off");
		in.bh_off = true;
		break;
	case FS_OP_ACTOR: {
		const struct fs_actor *a = &t->actors[op->actor];

		in.actor = op->actor;
		in.kind = a->kind;
		in.cpu = a->cpu;
		in.mult = a->kind == FS_ACTOR_HARDIRQ ? a->count : 1;
		if (a->kind == FS_ACTOR_HARDIRQ &&
		    (a->count < 1 || a->count > 8 || op->body_len > 4))
			return violated(k, idx, "hardirq too long or too often");
		break;
	}
	default:
		return violated(k, idx, "op a generated workload must not use");
	}
	return check_body(k, i, body_end, in);
}

/* A body leaves nothing live that it bound. */
static bool check_body(struct contract *k, uint32_t *i, uint32_t end,
		       struct ctx x)
{
	uint32_t live = k->nr_live, start = *i;

	while (*i < end) {
		if (!check_op(k, i, end, x))
			return false;
	}
	return k->nr_live == live || violated(k, start, "body leaves fragments");
}

/* Whether @t keeps the contracts; @k says where it does not. */
static bool keeps_contracts(const struct fs_trace *t, struct contract *k)
{
	struct ctx main_ctx = { .actor = -1, .kind = FS_ACTOR_TASK, .mult = 1 };
	uint32_t i = 0;
	bool ok;

	memset(k, 0, sizeof(*k));
	k->t = t;
	k->live = calloc(t->nr_handles + 1, 1);
	if (!k->live)
		abort();
	ok = check_body(k, &i, t->nr_ops, main_ctx);
	for (unsigned int q = 0; ok && q < t->nr_queues; q++) {
		if (k->pushes[q] != k->pops[q])
			ok = violated(k, 0, "pushes and pops not balanced");
	}
	free(k->live);
	return ok;
}

/* The checker below is only worth something if it can fail. */
static bool test_contract_checker_rejects(void)
{
	static const char *const bad[] = {
		"h = napi_alloc_frag size=64\nfree h\n",
		"irq-off {\n\tbh-off {\n\t\tnetdev_alloc_frag size=1\n\t}\n}\n",
		"cache c page_frag\ntask t cpu=0 {\n\th = alloc c size=8\n"
		"\tfree h\n}\ndrain c\n",
		"h = netdev_alloc_frag size=64\n",
		"queue q\nh = netdev_alloc_frag size=64\npush q h\n",
		"queue q\npop q\n",
		"h = netdev_alloc_frag size=64\nspec-get h\nfree h\n",
		"hardirq i cpu=0 count=9 {\n\th = netdev_alloc_frag size=8\n"
		"\tfree h\n}\n",
		"cache c page_frag\nirq-off {\n\th = alloc c size=8 gfp=GFP_KERNEL\n"
		"\tfree h\n}\n",
		"cache c page_frag\nh = alloc c size=8192 gfp=GFP_ATOMIC|__GFP_MEMALLOC\n"
		"free h\n",
		"h = netdev_alloc_frag size=64 align=48\nfree h\n",
		"repeat 2 {\n\th = netdev_alloc_frag size=64\n}\n",
		"h = netdev_alloc_frag size=1\nfree h\nfaults pressure\n",
	};
	char text[512], err[256];
	struct contract k;
	struct fs_trace t;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "fragsim-trace 1\n%s", bad[i]);
		ASSERT_EQ(parse_str(&t, text, err, sizeof(err)), 0);
		ASSERT_FALSE(keeps_contracts(&t, &k));
		fs_trace_free(&t);
	}
	/* Its hardirq push and 3 pops balance; its spec-put is in irq-off. */
	ASSERT_EQ(parse_str(&t, concurrent, err, sizeof(err)), 0);
	ASSERT_FALSE(keeps_contracts(&t, &k));
	ASSERT_STREQ(k.why, "irq-off holds more than allocs and frees");
	fs_trace_free(&t);
	return true;
}

static bool test_workloads_keep_contracts(void)
{
	for (int w = FS_WL_IRQ; w < FS_WL_NR; w++) {
		for (uint64_t seed = 0; seed < 200; seed++) {
			struct contract k;
			struct fs_trace t;
			uint64_t n;

			fs_trace_init(&t);
			fs_trace_generate_workload(&t, seed, NULL,
						   (enum fs_workload)w);
			if (!keeps_contracts(&t, &k)) {
				char line[256];

				fs_trace_format_op(&t, &t.ops[k.at], line,
						   sizeof(line));
				fprintf(stderr, "%s seed %" PRIu64 ": op %u '%s': %s\n",
					fs_workload_name(w), seed, k.at, line,
					k.why);
				return false;
			}
			ASSERT_EQ(t.faults, 0);
			ASSERT_EQ(t.sched.strategy, FS_SCHED_DEFAULT);
			ASSERT_STREQ(t.expect_finding, "");
			ASSERT_TRUE(t.cpus >= 1 && t.cpus <= 4);
			ASSERT_TRUE(t.nr_actors <= FS_MAX_ACTORS);
			if (w == FS_WL_SPEC)
				ASSERT_TRUE(t.agents[FS_AGENT_SPECULATIVE].on);
			if (w == FS_WL_IRQ || w == FS_WL_XCPU)
				ASSERT_FALSE(t.agents[FS_AGENT_SPECULATIVE].on ||
					     t.agents[FS_AGENT_PRESSURE].on);
			n = fs_trace_op_count(&t);
			ASSERT_TRUE(n >= 100 && n <= 20000);
			fs_trace_free(&t);
		}
	}
	return true;
}

/* The operation table: one usage per kind, keywords unique and in it. */
static bool test_op_table(void)
{
	for (unsigned int k = 0; k < FS_OP_NR; k++) {
		const struct fs_op_desc *d = fs_op_desc(k);

		ASSERT_TRUE(d && d->usage);
		if (!d->keyword)
			continue;
		ASSERT_TRUE(strstr(d->usage, d->keyword) != NULL);
		for (unsigned int j = 0; j < k; j++) {
			const char *o = fs_op_descs[j].keyword;

			ASSERT_TRUE(!o || strcmp(o, d->keyword));
		}
	}
	ASSERT_TRUE(fs_op_opens_block(FS_OP_REPEAT) &&
		    fs_op_opens_block(FS_OP_BH_OFF) &&
		    fs_op_opens_block(FS_OP_ACTOR));
	ASSERT_FALSE(fs_op_opens_block(FS_OP_FREE) ||
		     fs_op_opens_block(FS_OP_COMMENT));
	ASSERT_TRUE(fs_op_desc(FS_OP_NR) == NULL);
	ASSERT_FALSE(fs_op_opens_block(FS_OP_NR));
	return true;
}

struct check_log {
	uint32_t calls, fail_line;
};

static int refuse_line(void *ctx, const struct fs_op *op, char *err,
		    size_t errlen)
{
	struct check_log *log = ctx;

	log->calls++;
	if (op->line != log->fail_line)
		return 0;
	snprintf(err, errlen, "line %u: cannot", op->line);
	return -1;
}

static bool test_validate(void)
{
	const char *text = "fragsim-trace 1\ncache c page_frag\n"
			   "h = alloc c size=8\nrepeat 2 {\n\tfree h\n}\n";
	struct check_log log = { 0, 0 };
	char err[128];
	struct fs_trace t;

	ASSERT_EQ(parse_str(&t, text, err, sizeof(err)), 0);
	ASSERT_EQ(fs_trace_validate(&t, refuse_line, &log, err, sizeof(err)), 0);
	ASSERT_EQ(log.calls, t.nr_ops);
	/* The op's own check comes after its indices, before later ops. */
	log = (struct check_log){ 0, 5 };
	ASSERT_EQ(fs_trace_validate(&t, refuse_line, &log, err, sizeof(err)), -1);
	ASSERT_STREQ(err, "line 5: cannot");
	t.ops[2].handle = 7;
	ASSERT_EQ(fs_trace_validate(&t, refuse_line, &log, err, sizeof(err)), -1);
	ASSERT_STREQ(err, "malformed trace model (an index is out of range)");
	t.ops[2].handle = 0;
	t.ops[1].body_len = 2;	/* the repeat runs past the end */
	ASSERT_EQ(fs_trace_validate(&t, NULL, NULL, err, sizeof(err)), -1);
	ASSERT_STREQ(err, "line 4: blocks nested deeper than 64");
	t.ops[1].body_len = 1;
	t.cpus = 0;
	ASSERT_EQ(fs_trace_validate(&t, NULL, NULL, err, sizeof(err)), -1);
	ASSERT_STREQ(err, "malformed trace model (an index is out of range)");
	fs_trace_free(&t);
	return true;
}

/* The trace operation each binary opcode decodes to (bin_format.h). */
static const uint8_t bop_kind[] = {
#define BOP_KIND(name, weight, fields, op) FS_OP_##op,
	FS_BIN_OPCODES(BOP_KIND)
#undef BOP_KIND
};
_Static_assert(ARRAY_SIZE(bop_kind) == FS_BIN_NR_OPCODES, "by opcode");

static bool has_kind(const struct fs_trace *t, unsigned int kind)
{
	for (uint32_t i = 0; i < t->nr_ops; i++) {
		if (t->ops[i].kind == kind)
			return true;
	}
	return false;
}

/* Each opcode, where its caller may use it, decodes to its operation. */
static bool test_bin_opcodes_decode_to_their_ops(void)
{
	for (unsigned int code = 0; code < FS_BIN_NR_OPCODES; code++) {
		/* main: alloc, [spec-get], CODE, alloc; poll1: netdev. */
		uint8_t in[64] = { FS_BIN_MAGIC0, FS_BIN_MAGIC1, FS_BIN_VERSION,
				   0, 0, 1, FS_BSLOT_SOFTIRQ, 0 };
		uint8_t ops[][FS_BIN_OP_SIZE] = {
			{ FS_BOP_NETDEV, 1, 64, 0 },
			{ FS_BOP_ALLOC, 0, 64, 0 },
			{ FS_BOP_SPEC_GET, 0, 0, 0 },
			{ (uint8_t)code, 0, 100, 0 },
			{ FS_BOP_ALLOC, 0, 64, 0 },
		};
		size_t n = 0, at = FS_BIN_MIN_SIZE + 1;
		char err[256];
		struct fs_trace t;

		for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
			if (i == 2 && code != FS_BOP_SPEC_PUT)
				continue;
			memcpy(in + at + FS_BIN_OP_SIZE * n++, ops[i],
			       FS_BIN_OP_SIZE);
		}
		in[FS_BIN_MIN_SIZE] = (uint8_t)n;
		fs_trace_init(&t);
		ASSERT_EQ(fs_trace_decode(&t, in, at + FS_BIN_OP_SIZE * n, err,
					  sizeof(err)), 0);
		if (!has_kind(&t, bop_kind[code])) {
			fprintf(stderr, "opcode %u: no op of kind %u\n", code,
				bop_kind[code]);
			return false;
		}
		fs_trace_free(&t);
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct fs_test tests[] = {
		TEST(test_gfp_single_bits),
		TEST(test_gfp_composites),
		TEST(test_gfp_every_value_round_trips),
		TEST(test_gfp_rejects),
		TEST(test_faults_names),
		TEST(test_faults_rejects),
		TEST(test_example_model),
		TEST(test_example_prints_byte_for_byte),
		TEST(test_good_fixtures),
		TEST(test_noncanonical_fixtures),
		TEST(test_bad_fixtures),
		TEST(test_errors_inline),
		TEST(test_error_buffer_limits),
		TEST(test_comments_verbatim),
		TEST(test_handles_rebind),
		TEST(test_many_handles),
		TEST(test_crlf_and_final_newline),
		TEST(test_every_prefix),
		TEST(test_mutations_never_break_round_trip),
		TEST(test_built_trace_round_trips),
		TEST(test_built_trace_prints_exactly),
		TEST(test_invalid_models_print_safely),
		TEST(test_format_op),
		TEST(test_op_count),
		TEST(test_op_count_saturates),
		TEST(test_equal),
		TEST(test_add_cache_limits),
		TEST(test_file_io),
		TEST(test_concurrent_model),
		TEST(test_concurrent_prints_byte_for_byte),
		TEST(test_machine_defaults),
		TEST(test_add_actor_queue_limits),
		TEST(test_built_concurrent_round_trips),
		TEST(test_equal_concurrent_fields),
		TEST(test_invalid_concurrent_models_print_safely),
		TEST(test_decision_limit),
		TEST(test_handle_scope),
		TEST(test_concurrent_mutations),
		TEST(test_workload_names),
		TEST(test_workload_seq_is_generate),
		TEST(test_workloads_round_trip_and_repeat),
		TEST(test_contract_checker_rejects),
		TEST(test_workloads_keep_contracts),
		TEST(test_op_table),
		TEST(test_validate),
		TEST(test_bin_opcodes_decode_to_their_ops),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURES_DIR (tests/traces)\n",
			argv[0]);
		return 2;
	}
	fixtures_dir = argv[1];
	return FS_RUN_TESTS(tests);
}
