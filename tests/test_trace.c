// SPDX-License-Identifier: GPL-2.0
/*
 * Trace format v1: the model helpers, the text parser and printer, and the
 * gfp and fault-plan names.
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

#include "testlib.h"
#include "trace.h"

static const char *fixtures_dir;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
	if (t.nr_ops || t.nr_caches || t.nr_handles || t.nr_strings) {
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
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURES_DIR (tests/traces)\n",
			argv[0]);
		return 2;
	}
	fixtures_dir = argv[1];
	return FS_RUN_TESTS(tests);
}
