// SPDX-License-Identifier: GPL-2.0
/*
 * The trace text form, version 1: parser, canonical printer and file I/O.
 * docs/trace-format.md is the user's description of the same rules.
 *
 * The parser's input is arbitrary bytes (fuzz_trace_text feeds it straight
 * from the fuzzer), so every read is bounded by @len, every line is checked
 * to be text before any token is looked at, and every error is a single
 * "FILE:LINE: message" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

/* A line's length after its indentation; indentation is not limited. */
#define LINE_MAX_BYTES	1024
/* Comment text, so that "# " + text is still a valid line when printed. */
#define COMMENT_MAX	(LINE_MAX_BYTES - 2)
/* Repeat nesting; printing indents one tab per level. */
#define MAX_DEPTH	32
/* The longest valid line, "h = alloc c size=N align=A gfp=G", has 7. */
#define MAX_TOKENS	7

static const char *const reserved_words[] = {
	"cpus", "cpu", "task", "hardirq", "softirq", "irq", "bh", "actor",
	"schedule", "agent",
};

static const char *const expect_names[] = {
	[FS_EXPECT_OK]			= "ok",
	[FS_EXPECT_NULL]		= "null",
	[FS_EXPECT_PFMEMALLOC]		= "pfmemalloc",
	[FS_EXPECT_NOT_PFMEMALLOC]	= "!pfmemalloc",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void oom(void)
{
	fprintf(stderr, "fragsim: out of memory handling a trace\n");
	abort();
}

/* ------------------------------------------------------------------------
 * Parser
 */

struct block {
	uint32_t op;		/* index of the FS_OP_REPEAT */
	uint32_t line;		/* where it was opened */
	bool has_op;		/* the body holds more than comments */
};

/* Handle name -> index, so a trace with many handles parses in linear time. */
struct handle_map {
	uint32_t *slot;		/* handle index + 1; 0 = empty */
	size_t cap;		/* a power of two, or 0 */
	size_t used;
};

struct parser {
	struct fs_trace *t;
	const char *file;
	char *err;
	size_t errlen;
	uint32_t line;
	bool seen_text;		/* a non-blank line */
	bool have_version;
	bool in_ops;		/* a cache or op line ended the header */
	bool have_target, have_seed, have_faults, have_finding;
	struct block stack[MAX_DEPTH];
	unsigned int depth;
	struct handle_map hmap;
	char buf[LINE_MAX_BYTES + 1];
	char *tok[MAX_TOKENS];
	unsigned int ntok;
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%" PRIu32 ": ",
		     p->file ? p->file : "<trace>", p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static long hmap_find(const struct parser *p, const char *name)
{
	const struct handle_map *m = &p->hmap;

	if (!m->cap)
		return -1;
	for (size_t i = hash_name(name) & (m->cap - 1); m->slot[i];
	     i = (i + 1) & (m->cap - 1)) {
		if (!strcmp(p->t->handles[m->slot[i] - 1], name))
			return (long)m->slot[i] - 1;
	}
	return -1;
}

static void hmap_put(struct handle_map *m, const struct fs_trace *t,
		     uint32_t idx)
{
	size_t i = hash_name(t->handles[idx]) & (m->cap - 1);

	while (m->slot[i])
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = idx + 1;
	m->used++;
}

static void hmap_grow(struct handle_map *m, const struct fs_trace *t)
{
	struct handle_map old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slot = calloc(m->cap, sizeof(*m->slot));
	if (!m->slot)
		oom();
	m->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slot[i])
			hmap_put(m, t, old.slot[i] - 1);
	}
	free(old.slot);
}

static uint32_t bind_handle(struct parser *p, const char *name)
{
	long idx = hmap_find(p, name);
	uint32_t h;

	if (idx >= 0)
		return (uint32_t)idx;	/* rebinding keeps the index */
	if ((p->hmap.used + 1) * 2 > p->hmap.cap)
		hmap_grow(&p->hmap, p->t);
	h = fs_trace_add_handle(p->t, name);
	hmap_put(&p->hmap, p->t, h);
	return h;
}

/* Length of the UTF-8 sequence at @s (at most @n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;	/* continuation byte, overlong lead or > U+10FFFF */
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/* Traces are UTF-8 text; anything else is most likely a binary trace. */
static int check_text(struct parser *p, const char *line, size_t n)
{
	const unsigned char *s = (const unsigned char *)line;

	for (size_t i = 0; i < n; ) {
		size_t len = 1;

		if (!s[i])
			return perr(p, "NUL byte: not a text trace");
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return perr(p, "control byte 0x%02x: not a text trace",
				    s[i]);
		if (s[i] >= 0x80) {
			len = utf8_len(s + i, n - i);
			if (!len)
				return perr(p, "invalid UTF-8: not a text trace");
		}
		i += len;
	}
	return 0;
}

/* Split p->buf in place at spaces and tabs. */
static int tokenize(struct parser *p)
{
	char *s = p->buf;

	p->ntok = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return 0;
		if (p->ntok == MAX_TOKENS)
			return perr(p, "too many words on one line ('%s')", s);
		p->tok[p->ntok++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The line must have exactly @n words; @usage says what they are. */
static int want_words(struct parser *p, unsigned int n, const char *usage)
{
	if (p->ntok < n)
		return perr(p, "usage: %s", usage);
	if (p->ntok == n)
		return 0;
	if (p->tok[n][0] == '#')
		return perr(p, "unexpected '%s': comments need a line of their own",
			    p->tok[n]);
	return perr(p, "unexpected '%s' at end of line", p->tok[n]);
}

/* 0, or -1 for bad syntax, or -2 for a number beyond 64 bits. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		return -1;	/* a leading zero would read as octal in C */
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -2;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int parse_num(struct parser *p, const char *s, const char *what,
		     uint64_t min, uint64_t max, uint64_t *out)
{
	int ret = parse_u64(s, out);

	if (ret == -1)
		return perr(p, "bad %s '%s' (expected a decimal or 0x hex number)",
			    what, s);
	if (ret == -2 || *out < min || *out > max)
		return perr(p, "%s %s out of range (%" PRIu64 "..%" PRIu64 ")",
			    what, s, min, max);
	return 0;
}

static bool is_ident(const char *s)
{
	if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (s++; *s; s++) {
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	}
	return true;
}

static int check_name(struct parser *p, const char *s, const char *what)
{
	if (!is_ident(s))
		return perr(p, "bad %s name '%s' (expected [A-Za-z_][A-Za-z0-9_]*)",
			    what, s);
	if (strlen(s) >= FS_NAME_MAX)
		return perr(p, "%s name '%.*s...' too long (max %d characters)",
			    what, FS_NAME_MAX - 1, s, FS_NAME_MAX - 1);
	return 0;
}

/* [a-z0-9-]+, also A-Z if @upper, also '.' and '_' if @dot_underscore. */
static bool is_word(const char *s, bool upper, bool dot_underscore)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-')
			continue;
		if (upper && *s >= 'A' && *s <= 'Z')
			continue;
		if (dot_underscore && (*s == '.' || *s == '_'))
			continue;
		return false;
	}
	return true;
}

static int find_cache(struct parser *p, const char *name, uint16_t *out)
{
	int c = fs_trace_find_cache(p->t, name);

	if (c < 0)
		return perr(p, "unknown cache '%s'", name);
	*out = (uint16_t)c;
	return 0;
}

static int find_handle(struct parser *p, const char *name, uint32_t *out)
{
	long h = hmap_find(p, name);

	if (h < 0)
		return perr(p, "unknown handle '%s'", name);
	*out = (uint32_t)h;
	return 0;
}

/*
 * Name the first @sep-separated term of @value that @parse rejects on its
 * own: usually the typo.
 */
static int bad_flags(struct parser *p, const char *value, char sep,
		     const char *what, int (*parse)(const char *, uint32_t *))
{
	char term[LINE_MAX_BYTES + 1];
	const char *s = value;
	uint32_t dummy;

	for (;;) {
		const char *end = strchr(s, sep);
		size_t n = end ? (size_t)(end - s) : strlen(s);

		memcpy(term, s, n);
		term[n] = '\0';
		if (!n || parse(term, &dummy))
			return perr(p, "unknown %s '%s' in '%s'", what, term, value);
		if (!end)
			break;
		s = end + 1;
	}
	return perr(p, "bad %s list '%s'", what, value);
}

static int parse_gfp(struct parser *p, char *value, fs_gfp_t *out)
{
	if (!fs_gfp_parse(value, out))
		return 0;
	return bad_flags(p, value, '|', "gfp flag", fs_gfp_parse);
}

static int parse_faults(struct parser *p, char *value, fs_faults_t *out)
{
	if (!fs_faults_parse(value, out))
		return 0;
	if (strchr(value, ',') && strstr(value, "none"))
		return perr(p, "'none' cannot be combined with fault modes in '%s'",
			    value);
	return bad_flags(p, value, ',', "fault mode", fs_faults_parse);
}

static void emit(struct parser *p, struct fs_op *op)
{
	op->line = p->line;
	fs_trace_add_op(p->t, op);
	if (op->kind == FS_OP_COMMENT)
		return;
	p->in_ops = true;
	if (p->depth)
		p->stack[p->depth - 1].has_op = true;
}

static int parse_comment(struct parser *p, const char *text, size_t n)
{
	struct fs_op op = { .kind = FS_OP_COMMENT };

	/* "# " is the marker; anything after it is kept byte for byte. */
	if (n && *text == ' ') {
		text++;
		n--;
	}
	if (n > COMMENT_MAX)
		return perr(p, "comment too long (more than %d bytes)",
			    COMMENT_MAX);
	memcpy(p->buf, text, n);
	p->buf[n] = '\0';
	op.comment = fs_trace_add_string(p->t, p->buf);
	emit(p, &op);
	return 0;
}

static int parse_version(struct parser *p)
{
	uint64_t v;
	int ret;

	if (strcmp(p->tok[0], "fragsim-trace") || p->ntok < 2)
		return perr(p, "expected 'fragsim-trace %d' header",
			    FS_TRACE_VERSION);
	ret = parse_u64(p->tok[1], &v);
	if (ret == -1)
		return perr(p, "bad trace version '%s'", p->tok[1]);
	if (ret == -2 || v != FS_TRACE_VERSION)
		return perr(p, "unsupported trace version %s (this fragsim reads version %d)",
			    p->tok[1], FS_TRACE_VERSION);
	if (want_words(p, 2, "fragsim-trace 1"))
		return -1;
	p->have_version = true;
	p->t->version = FS_TRACE_VERSION;
	return 0;
}

/* Header lines other than the version: once each, before any cache or op. */
static int header_slot(struct parser *p, bool *have)
{
	if (p->in_ops)
		return perr(p, "'%s' must come before the first cache or operation",
			    p->tok[0]);
	if (*have)
		return perr(p, "duplicate '%s' line", p->tok[0]);
	*have = true;
	return 0;
}

static bool target_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-", *s))
			return false;
	return true;
}

static int parse_target(struct parser *p)
{
	const char *v;

	if (header_slot(p, &p->have_target) ||
	    want_words(p, 2, "target NAME"))
		return -1;
	v = p->tok[1];
	/* '@' joins a bug-zoo entry to its kernel: "Z-1@linux-6.12". */
	if (*v == '@' || !target_chars_ok(v))
		return perr(p, "bad target '%s' (expected [A-Za-z0-9._@-]+)", v);
	if (strlen(v) >= sizeof(p->t->target))
		return perr(p, "target '%.*s...' too long (max %zu characters)",
			    (int)sizeof(p->t->target) - 1, v,
			    sizeof(p->t->target) - 1);
	strcpy(p->t->target, v);
	return 0;
}

static int parse_seed(struct parser *p)
{
	if (header_slot(p, &p->have_seed) || want_words(p, 2, "seed N"))
		return -1;
	return parse_num(p, p->tok[1], "seed", 0, UINT64_MAX, &p->t->seed);
}

static int parse_header_faults(struct parser *p)
{
	if (header_slot(p, &p->have_faults) || want_words(p, 2, "faults PLAN"))
		return -1;
	return parse_faults(p, p->tok[1], &p->t->faults);
}

static int parse_finding(struct parser *p)
{
	const char *v;

	if (header_slot(p, &p->have_finding) ||
	    want_words(p, 2, "expect-finding none|KIND"))
		return -1;
	v = p->tok[1];
	if (!is_word(v, false, false))
		return perr(p, "bad finding kind '%s' (expected none or [a-z0-9-]+)",
			    v);
	if (strlen(v) >= sizeof(p->t->expect_finding))
		return perr(p, "finding kind '%.*s...' too long (max %zu characters)",
			    (int)sizeof(p->t->expect_finding) - 1, v,
			    sizeof(p->t->expect_finding) - 1);
	strcpy(p->t->expect_finding, v);
	return 0;
}

static int parse_cache(struct parser *p)
{
	const char *name;

	if (p->depth)
		return perr(p, "cache declarations cannot be inside a repeat block");
	if (p->ntok == 2)
		return perr(p, "missing cache kind (expected 'cache %s page_frag')",
			    p->tok[1]);
	if (want_words(p, 3, "cache NAME page_frag"))
		return -1;
	name = p->tok[1];
	if (check_name(p, name, "cache"))
		return -1;
	if (strcmp(p->tok[2], "page_frag"))
		return perr(p, "unknown cache kind '%s' (version %d knows page_frag)",
			    p->tok[2], FS_TRACE_VERSION);
	if (fs_trace_find_cache(p->t, name) >= 0)
		return perr(p, "duplicate cache '%s'", name);
	if (p->t->nr_caches >= FS_MAX_CACHES)
		return perr(p, "too many caches (max %d)", FS_MAX_CACHES);
	fs_trace_add_cache(p->t, name, FS_CACHE_PAGE_FRAG);
	p->in_ops = true;
	return 0;
}

#define ALLOC_USAGE "[HANDLE =] alloc CACHE size=N [align=A] [gfp=FLAGS]"

/* One size=/align=/gfp= word; @seen has a bit per key. */
static int parse_alloc_param(struct parser *p, char *word, unsigned int *seen,
			     struct fs_op *op)
{
	static const char *const keys[] = { "size", "align", "gfp" };
	char *value = strchr(word, '=');
	uint64_t v;
	unsigned int k;

	if (word[0] == '#')
		return perr(p, "unexpected '%s': comments need a line of their own",
			    word);
	if (!value)
		return perr(p, "unexpected '%s' (alloc takes size=N, align=A and gfp=FLAGS)",
			    word);
	*value++ = '\0';
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		if (!strcmp(word, keys[k]))
			break;
	}
	if (k == ARRAY_SIZE(keys))
		return perr(p, "unknown alloc parameter '%s=' (alloc takes size=, align= and gfp=)",
			    word);
	if (*seen & (1u << k))
		return perr(p, "duplicate '%s='", word);
	*seen |= 1u << k;
	if (k == 2)
		return parse_gfp(p, value, &op->gfp);
	if (parse_num(p, value, word, 0, UINT32_MAX, &v))
		return -1;
	if (k == 0)
		op->size = (uint32_t)v;
	else
		op->align = (uint32_t)v;
	return 0;
}

/* tok[@i] is "alloc"; @handle is the name before "=", or NULL. */
static int parse_alloc(struct parser *p, unsigned int i, const char *handle)
{
	struct fs_op op = {
		.kind = FS_OP_ALLOC,
		.handle = FS_NO_HANDLE,
		.gfp = FS_GFP_ATOMIC,
	};
	unsigned int seen = 0;

	if (p->ntok < i + 2)
		return perr(p, "usage: " ALLOC_USAGE);
	if (find_cache(p, p->tok[i + 1], &op.cache))
		return -1;
	for (unsigned int k = i + 2; k < p->ntok; k++) {
		if (parse_alloc_param(p, p->tok[k], &seen, &op))
			return -1;
	}
	if (!(seen & 1))
		return perr(p, "alloc needs size=N");
	if (handle)
		op.handle = bind_handle(p, handle);
	emit(p, &op);
	return 0;
}

static int parse_plain_alloc(struct parser *p)
{
	return parse_alloc(p, 0, NULL);
}

static int parse_binding(struct parser *p)
{
	const char *name = p->tok[0];

	if (check_name(p, name, "handle"))
		return -1;
	if (p->ntok < 3)
		return perr(p, "usage: " ALLOC_USAGE);
	for (size_t i = 0; i < ARRAY_SIZE(reserved_words); i++) {
		if (!strcmp(p->tok[2], reserved_words[i]))
			return perr(p, "'%s' is reserved for a later trace version",
				    p->tok[2]);
	}
	if (strcmp(p->tok[2], "alloc"))
		return perr(p, "only alloc can bind a handle, not '%s'", p->tok[2]);
	return parse_alloc(p, 2, name);
}

static int parse_free(struct parser *p)
{
	struct fs_op op = { .kind = FS_OP_FREE };

	if (want_words(p, 2, "free HANDLE") ||
	    find_handle(p, p->tok[1], &op.handle))
		return -1;
	emit(p, &op);
	return 0;
}

static int parse_drain(struct parser *p)
{
	struct fs_op op = { .kind = FS_OP_DRAIN };

	if (want_words(p, 2, "drain CACHE") ||
	    find_cache(p, p->tok[1], &op.cache))
		return -1;
	emit(p, &op);
	return 0;
}

static int parse_free_all(struct parser *p)
{
	struct fs_op op = { .kind = FS_OP_FREE_ALL };

	if (want_words(p, 1, "free-all"))
		return -1;
	emit(p, &op);
	return 0;
}

static int parse_faults_op(struct parser *p)
{
	struct fs_op op = { .kind = FS_OP_FAULTS };

	if (want_words(p, 2, "faults PLAN") ||
	    parse_faults(p, p->tok[1], &op.faults))
		return -1;
	emit(p, &op);
	return 0;
}

static int parse_expect(struct parser *p)
{
	struct fs_op op = { .kind = FS_OP_EXPECT };
	size_t e;

	if (want_words(p, 3, "expect HANDLE ok|null|pfmemalloc|!pfmemalloc") ||
	    find_handle(p, p->tok[1], &op.handle))
		return -1;
	for (e = 0; e < ARRAY_SIZE(expect_names); e++) {
		if (!strcmp(p->tok[2], expect_names[e]))
			break;
	}
	if (e == ARRAY_SIZE(expect_names))
		return perr(p, "bad expectation '%s' (expected ok, null, "
			    "pfmemalloc or !pfmemalloc)", p->tok[2]);
	op.expect = (uint8_t)e;
	emit(p, &op);
	return 0;
}

static int parse_repeat(struct parser *p)
{
	struct fs_op op = { .kind = FS_OP_REPEAT };
	struct block *b;
	uint64_t n;

	if (p->ntok < 2)
		return perr(p, "usage: repeat N {");
	if (parse_num(p, p->tok[1], "repeat count", 1, FS_MAX_REPEAT, &n))
		return -1;
	if (p->ntok < 3 || strcmp(p->tok[2], "{"))
		return perr(p, "expected '{' after 'repeat %s'", p->tok[1]);
	if (want_words(p, 3, "repeat N {"))
		return -1;
	if (p->depth == MAX_DEPTH)
		return perr(p, "repeat blocks nested too deeply (max %d levels)",
			    MAX_DEPTH);
	op.count = (uint32_t)n;
	emit(p, &op);
	b = &p->stack[p->depth++];
	b->op = p->t->nr_ops - 1;
	b->line = p->line;
	b->has_op = false;
	return 0;
}

static int parse_close(struct parser *p)
{
	struct block *b;

	if (want_words(p, 1, "}"))
		return -1;
	if (!p->depth)
		return perr(p, "'}' without an open repeat block");
	b = &p->stack[--p->depth];
	if (!b->has_op)
		return perr(p, "empty repeat block (opened at line %" PRIu32 ")",
			    b->line);
	p->t->ops[b->op].body_len = p->t->nr_ops - b->op - 1;
	return 0;
}

static int parse_statement(struct parser *p)
{
	static const struct {
		const char *word;
		int (*parse)(struct parser *p);
	} words[] = {
		{ "alloc",	parse_plain_alloc },
		{ "free",	parse_free },
		{ "drain",	parse_drain },
		{ "free-all",	parse_free_all },
		{ "faults",	parse_faults_op },
		{ "expect",	parse_expect },
		{ "repeat",	parse_repeat },
		{ "}",		parse_close },
		{ "cache",	parse_cache },
		{ "target",	parse_target },
		{ "seed",	parse_seed },
		{ "expect-finding", parse_finding },
	};
	const char *w = p->tok[0];

	if (!p->have_version)
		return parse_version(p);
	if (p->ntok >= 2 && !strcmp(p->tok[1], "="))
		return parse_binding(p);
	if (!strcmp(w, "fragsim-trace"))
		return perr(p, "duplicate 'fragsim-trace' header");
	/* The first "faults" of the header is the initial plan, later ones ops. */
	if (!strcmp(w, "faults") && !p->in_ops && !p->have_faults)
		return parse_header_faults(p);
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (!strcmp(w, words[i].word))
			return words[i].parse(p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(reserved_words); i++) {
		if (!strcmp(w, reserved_words[i]))
			return perr(p, "'%s' is reserved for a later trace version",
				    w);
	}
	return perr(p, "unknown operation '%s'", w);
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;	/* tolerate CRLF line ends; printing drops them */
	if (check_text(p, s, n))
		return -1;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n)
		return 0;
	p->seen_text = true;
	if (n > LINE_MAX_BYTES)
		return perr(p, "line too long (more than %d bytes)",
			    LINE_MAX_BYTES);
	if (*s == '#')
		return parse_comment(p, s + 1, n - 1);
	memcpy(p->buf, s, n);
	p->buf[n] = '\0';
	if (tokenize(p))
		return -1;
	return parse_statement(p);
}

static int parse_end(struct parser *p)
{
	if (!p->seen_text) {
		p->line = 1;
		return perr(p, "empty trace");
	}
	if (!p->have_version)
		return perr(p, "missing 'fragsim-trace %d' header",
			    FS_TRACE_VERSION);
	if (p->depth)
		return perr(p, "unterminated repeat block opened at line %" PRIu32,
			    p->stack[p->depth - 1].line);
	return 0;
}

/*
 * On error @t is left empty, as fs_trace_init() leaves it, and @err names
 * the first bad line.
 */
int fs_trace_parse(struct fs_trace *t, const char *text, size_t len,
		   const char *file, char *err, size_t errlen)
{
	struct parser *p = calloc(1, sizeof(*p));
	size_t pos = 0;
	int ret = 0;

	if (!p)
		oom();
	p->t = t;
	p->file = file;
	p->err = err;
	p->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	while (pos < len && !ret) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		if (p->line == UINT32_MAX)
			ret = perr(p, "too many lines");
		else
			p->line++;
		if (!ret)
			ret = parse_line(p, s, n);
	}
	if (!ret)
		ret = parse_end(p);
	free(p->hmap.slot);
	free(p);
	if (ret)
		fs_trace_free(t);
	return ret;
}

/* 0, or an errno value. */
static int read_all(const char *path, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int fd, e = 0;

	if (!buf)
		oom();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		free(buf);
		return e;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				oom();
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	*out = buf;
	*len = n;
	return 0;
}

int fs_trace_parse_file(struct fs_trace *t, const char *path,
			char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int e = read_all(path, &text, &len);
	int ret;

	if (e) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(e));
		return -1;
	}
	ret = fs_trace_parse(t, text, len, path, err, errlen);
	free(text);
	return ret;
}

/* ------------------------------------------------------------------------
 * Printer
 */

struct sbuf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();	/* only an encoding error, which our formats cannot hit */
	if ((size_t)n >= b->cap - b->len) {
		while ((size_t)n >= b->cap - b->len)
			b->cap *= 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			oom();
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static void sb_indent(struct sbuf *b, size_t depth)
{
	for (size_t i = 0; i < depth; i++)
		sb_printf(b, "\t");
}

/* Names are fixed-size fields; a full one from a builder has no NUL. */
static int name_len(const char *name)
{
	return (int)strnlen(name, FS_NAME_MAX);
}

static const char *handle_str(const struct fs_trace *t, uint32_t h)
{
	return h < t->nr_handles ? t->handles[h] : "?";
}

static const char *cache_str(const struct fs_trace *t, uint16_t c)
{
	return c < t->nr_caches && c < FS_MAX_CACHES ? t->caches[c].name : "?";
}

static void print_alloc(struct sbuf *b, const struct fs_trace *t,
			const struct fs_op *op)
{
	const char *cache = cache_str(t, op->cache);
	char gfp[256];

	if (op->handle != FS_NO_HANDLE) {
		const char *h = handle_str(t, op->handle);

		sb_printf(b, "%.*s = ", name_len(h), h);
	}
	sb_printf(b, "alloc %.*s size=%" PRIu32, name_len(cache), cache,
		  op->size);
	if (op->align)
		sb_printf(b, " align=%" PRIu32, op->align);
	if (op->gfp != FS_GFP_ATOMIC)
		sb_printf(b, " gfp=%s", fs_gfp_format(op->gfp, gfp, sizeof(gfp)));
}

/*
 * Invalid models (indices out of range, unknown kinds) print as text the
 * parser rejects, never as something that means a different trace.
 */
static void print_op(struct sbuf *b, const struct fs_trace *t,
		     const struct fs_op *op)
{
	const char *s;
	char buf[64];

	switch (op->kind) {
	case FS_OP_ALLOC:
		print_alloc(b, t, op);
		break;
	case FS_OP_FREE:
		s = handle_str(t, op->handle);
		sb_printf(b, "free %.*s", name_len(s), s);
		break;
	case FS_OP_DRAIN:
		s = cache_str(t, op->cache);
		sb_printf(b, "drain %.*s", name_len(s), s);
		break;
	case FS_OP_FREE_ALL:
		sb_printf(b, "free-all");
		break;
	case FS_OP_FAULTS:
		sb_printf(b, "faults %s",
			  fs_faults_format(op->faults, buf, sizeof(buf)));
		break;
	case FS_OP_REPEAT:
		sb_printf(b, "repeat %" PRIu32 " {", op->count);
		break;
	case FS_OP_EXPECT:
		s = handle_str(t, op->handle);
		sb_printf(b, "expect %.*s %s", name_len(s), s,
			  op->expect < ARRAY_SIZE(expect_names) ?
			  expect_names[op->expect] : "?");
		break;
	case FS_OP_COMMENT:
		s = op->comment < t->nr_strings ? t->strings[op->comment] : "";
		if (*s)
			sb_printf(b, "# %s", s);
		else
			sb_printf(b, "#");	/* no trailing blank */
		break;
	default:
		sb_printf(b, "?unknown-op-kind-%u", op->kind);
		break;
	}
}

static void print_header(struct sbuf *b, const struct fs_trace *t)
{
	char faults[64];

	sb_printf(b, "fragsim-trace %u\n", t->version);
	if (t->target[0])
		sb_printf(b, "target %.*s\n",
			  (int)strnlen(t->target, sizeof(t->target)), t->target);
	sb_printf(b, "seed 0x%016" PRIx64 "\n", t->seed);
	sb_printf(b, "faults %s\n",
		  fs_faults_format(t->faults, faults, sizeof(faults)));
	if (t->expect_finding[0])
		sb_printf(b, "expect-finding %.*s\n",
			  (int)strnlen(t->expect_finding,
				       sizeof(t->expect_finding)),
			  t->expect_finding);
	for (unsigned int i = 0; i < t->nr_caches && i < FS_MAX_CACHES; i++) {
		const struct fs_cache_decl *c = &t->caches[i];

		sb_printf(b, "cache %.*s %s\n", name_len(c->name), c->name,
			  c->kind == FS_CACHE_PAGE_FRAG ? "page_frag" : "?");
	}
}

static void push_end(uint32_t **ends, size_t *depth, size_t *cap,
		     uint32_t end)
{
	if (*depth == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*ends = realloc(*ends, *cap * sizeof(**ends));
		if (!*ends)
			oom();
	}
	(*ends)[(*depth)++] = end;
}

/*
 * Ops in order, bodies indented one tab per level.  @ends holds where each
 * open repeat body ends; a body_len that overruns its enclosing block is
 * clamped so the output stays well nested.
 */
static void print_ops(struct sbuf *b, const struct fs_trace *t)
{
	uint32_t *ends = NULL;
	size_t depth = 0, cap = 0;

	for (uint32_t i = 0; i < t->nr_ops; i++) {
		const struct fs_op *op = &t->ops[i];

		while (depth && i >= ends[depth - 1]) {
			sb_indent(b, --depth);
			sb_printf(b, "}\n");
		}
		sb_indent(b, depth);
		print_op(b, t, op);
		sb_printf(b, "\n");
		if (op->kind == FS_OP_REPEAT) {
			uint32_t limit = depth ? ends[depth - 1] : t->nr_ops;
			uint32_t room = limit - (i + 1);

			push_end(&ends, &depth, &cap, i + 1 +
				 (op->body_len < room ? op->body_len : room));
		}
	}
	while (depth) {
		sb_indent(b, --depth);
		sb_printf(b, "}\n");
	}
	free(ends);
}

static void sb_init(struct sbuf *b, size_t cap)
{
	b->s = malloc(cap);
	if (!b->s)
		oom();
	b->s[0] = '\0';
	b->len = 0;
	b->cap = cap;
}

void fs_trace_format_op(const struct fs_trace *t, const struct fs_op *op,
			char *buf, size_t len)
{
	struct sbuf b;

	if (!len)
		return;
	sb_init(&b, 128);
	print_op(&b, t, op);
	snprintf(buf, len, "%s", b.s);
	free(b.s);
}

char *fs_trace_print(const struct fs_trace *t)
{
	struct sbuf b;

	sb_init(&b, 4096);
	print_header(&b, t);
	if (t->nr_ops) {
		sb_printf(&b, "\n");
		print_ops(&b, t);
	}
	return b.s;
}

/* 0, or -1 with errno set. */
int fs_trace_write_file(const struct fs_trace *t, const char *path)
{
	char *s = fs_trace_print(t);
	size_t n = strlen(s);
	FILE *f = fopen(path, "w");
	int ret = 0, e = 0;

	if (!f) {
		free(s);
		return -1;
	}
	if (fwrite(s, 1, n, f) != n) {
		ret = -1;
		e = errno;
	}
	if (fclose(f) && !ret) {
		ret = -1;
		e = errno;
	}
	free(s);
	if (ret)
		errno = e;
	return ret;
}
