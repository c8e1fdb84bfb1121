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

#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "trace.h"

/* A line's length after its indentation; indentation is not limited. */
#define LINE_MAX_BYTES	1024
/* Comment text, so that "# " + text is still a valid line when printed. */
#define COMMENT_MAX	(LINE_MAX_BYTES - 2)
/* Block nesting (repeat, sections, actors); printing indents per level. */
#define MAX_DEPTH	32
/* The longest valid line, "h = alloc c size=N align=A gfp=G", has 7. */
#define MAX_TOKENS	7
/* ... but an anchored `at` line has 9, a `recorded` title several. */
#define MAX_LONG_TOKENS	16
/* Limits of the version-1 machine and agent lines. */
#define MAX_HARDIRQ_COUNT	1000000
#define MAX_AGENT_COUNT		1000000
#define MAX_PCT_DEPTH		16
#define MAX_EXHAUSTIVE_BOUND	8

/*
 * strcmp() for the parser's words.  Not the libc one: under a fuzzer every
 * strcmp() call goes through the sanitizer's interceptor and libFuzzer's
 * comparison hook, which made parsing a decoded input a fifth of an
 * iteration of fuzz_trace.
 */
static int word_cmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* Kept out of version 1 so that a later version can give them a meaning. */
static const char *const reserved_words[] = {
	"cpu", "irq", "bh", "actor",
};

static const char *const cache_kind_names[] = {
	[FS_CACHE_PAGE_FRAG]	= "page_frag",
	[FS_CACHE_RX_RING]	= "rx_ring",
};
_Static_assert(ARRAY_SIZE(cache_kind_names) == FS_CACHE_RX_RING + 1,
	       "a name per cache kind");

static const char *const actor_kind_names[] = {
	[FS_ACTOR_TASK]		= "task",
	[FS_ACTOR_HARDIRQ]	= "hardirq",
	[FS_ACTOR_SOFTIRQ]	= "softirq",
};
_Static_assert(ARRAY_SIZE(actor_kind_names) == FS_ACTOR_SOFTIRQ + 1,
	       "a name per actor kind");

static const char *const agent_names[] = {
	[FS_AGENT_SPECULATIVE]	= "speculative",
	[FS_AGENT_PRESSURE]	= "pressure",
};
_Static_assert(ARRAY_SIZE(agent_names) == FS_AGENT_NR, "a name per agent");

static const char *const strategy_names[] = {
	[FS_SCHED_DEFAULT]	= NULL,		/* no schedule line */
#define STRATEGY_NAME(id, name, ops) [FS_SCHED_##id] = name,
	FS_STRATEGIES(STRATEGY_NAME)
#undef STRATEGY_NAME
};
_Static_assert(ARRAY_SIZE(strategy_names) == FS_SCHED_NR,
	       "a name per strategy");

static const char *const expect_names[] = {
	[FS_EXPECT_OK]			= "ok",
	[FS_EXPECT_NULL]		= "null",
	[FS_EXPECT_PFMEMALLOC]		= "pfmemalloc",
	[FS_EXPECT_NOT_PFMEMALLOC]	= "!pfmemalloc",
};
_Static_assert(ARRAY_SIZE(expect_names) == FS_EXPECT_NOT_PFMEMALLOC + 1,
	       "a name per expectation");

/* Index of @word in @names (NULL entries never match), or -1. */
static int lookup(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] && !word_cmp(names[i], word))
			return (int)i;
	}
	return -1;
}

#define LOOKUP(names, word) lookup(names, ARRAY_SIZE(names), word)

/* ------------------------------------------------------------------------
 * Parser
 */

struct block {
	uint32_t op;		/* index of the REPEAT, IRQ_OFF, BH_OFF or ACTOR */
	uint32_t line;		/* where it was opened */
	const char *word;	/* what opened it: "repeat", "task", ... */
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
	bool in_ops;		/* a declaration or op line ended the header */
	bool have_target, have_seed, have_faults, have_finding, have_recorded;
	bool have_cpus, have_preempt, have_rt, have_schedule;
	struct block stack[MAX_DEPTH];
	unsigned int depth;
	uint16_t actor;		/* whose body we are in, or FS_MAIN_ACTOR */
	struct handle_map hmap;
	uint16_t *owner;	/* by handle: the actor that binds and uses it */
	size_t cap_owner;
	char buf[LINE_MAX_BYTES + 1];
	char *tok[MAX_LONG_TOKENS];
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
		if (!word_cmp(p->t->handles[m->slot[i] - 1], name))
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
	m->slot = fs_xcalloc(m->cap, sizeof(*m->slot));
	m->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slot[i])
			hmap_put(m, t, old.slot[i] - 1);
	}
	free(old.slot);
}

static const char *actor_name(const struct fs_trace *t, uint32_t a)
{
	if (a == FS_MAIN_ACTOR)
		return "main";
	return a < t->nr_actors && a < FS_MAX_ACTORS ? t->actors[a].name : "?";
}

/*
 * A handle names one actor's fragment: another actor has no ordering with
 * the one that binds it, so fragments change hands only through a queue.
 */
static int check_owner(struct parser *p, uint32_t h)
{
	if (p->owner[h] == p->actor)
		return 0;
	return perr(p, "handle '%s' is bound in actor '%s' and used in actor '%s' (pass fragments between actors with push/pop)",
		    p->t->handles[h], actor_name(p->t, p->owner[h]),
		    actor_name(p->t, p->actor));
}

static void set_owner(struct parser *p, uint32_t h)
{
	p->owner = fs_grow(p->owner, h, &p->cap_owner, sizeof(*p->owner), 64);
	p->owner[h] = p->actor;
}

static int bind_handle(struct parser *p, const char *name, uint32_t *out)
{
	long idx = hmap_find(p, name);
	uint32_t h;

	if (idx >= 0) {
		*out = (uint32_t)idx;	/* rebinding keeps the index */
		return check_owner(p, *out);
	}
	if ((p->hmap.used + 1) * 2 > p->hmap.cap)
		hmap_grow(&p->hmap, p->t);
	h = fs_trace_add_handle(p->t, name);
	hmap_put(&p->hmap, p->t, h);
	set_owner(p, h);
	*out = h;
	return 0;
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

static bool long_line(const char *first)
{
	return !word_cmp(first, "at") || !word_cmp(first, "recorded");
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
		if (p->ntok == (p->ntok && long_line(p->tok[0]) ?
				MAX_LONG_TOKENS : MAX_TOKENS))
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
	return check_owner(p, *out);
}

static int find_queue(struct parser *p, const char *name, uint16_t *out)
{
	int q = fs_trace_find_queue(p->t, name);

	if (q < 0)
		return perr(p, "unknown queue '%s'", name);
	*out = (uint16_t)q;
	return 0;
}

/*
 * The actor @name, which must be of @kind; "main" is the implicit task.
 * Only actors declared on earlier lines are known.
 */
static int find_actor(struct parser *p, const char *name,
		      enum fs_actor_kind kind, uint16_t *out)
{
	int a = fs_trace_find_actor(p->t, name);
	enum fs_actor_kind is;

	if (!word_cmp(name, "main")) {
		is = FS_ACTOR_TASK;
		*out = FS_MAIN_ACTOR;
	} else if (a < 0) {
		return perr(p, "unknown actor '%s'", name);
	} else {
		is = (enum fs_actor_kind)p->t->actors[a].kind;
		*out = (uint16_t)a;
	}
	if (is != kind)
		return perr(p, "actor '%s' is a %s, not a %s", name,
			    actor_kind_names[is], actor_kind_names[kind]);
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

	if (word_cmp(p->tok[0], "fragsim-trace") || p->ntok < 2)
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

static int top_level_only(struct parser *p, const char *what);

/*
 * recorded BUILD TITLE...: what the trace was written for, for replay's
 * placement of anchored decisions.  Printed last, so that writing it
 * moves no operation's line.
 */
static int parse_recorded(struct parser *p)
{
	struct fs_trace *t = p->t;
	size_t n = 0;

	if (p->have_recorded)
		return perr(p, "duplicate 'recorded' line");
	if (top_level_only(p, "'recorded'"))
		return -1;
	p->have_recorded = true;
	if (p->ntok < 3)
		return perr(p, "usage: recorded BUILD TITLE");
	if (!target_chars_ok(p->tok[1]) ||
	    strlen(p->tok[1]) >= sizeof(t->rec_build))
		return perr(p, "bad build id '%s' (expected [A-Za-z0-9._@-]+, < %zu characters)",
			    p->tok[1], sizeof(t->rec_build));
	strcpy(t->rec_build, p->tok[1]);
	for (unsigned int i = 2; i < p->ntok; i++) {
		size_t w = strlen(p->tok[i]);

		if (n + w + 1 >= sizeof(t->rec_title))
			return perr(p, "title too long (max %zu characters)",
				    sizeof(t->rec_title) - 1);
		if (n)
			t->rec_title[n++] = ' ';
		memcpy(t->rec_title + n, p->tok[i], w + 1);
		n += w;
	}
	return 0;
}

/* The machine: how many CPUs, the preemption model, PREEMPT_RT. */
static int parse_cpus(struct parser *p)
{
	uint64_t n;

	if (header_slot(p, &p->have_cpus) || want_words(p, 2, "cpus N") ||
	    parse_num(p, p->tok[1], "cpus", 1, FS_MAX_CPUS, &n))
		return -1;
	p->t->cpus = (unsigned int)n;
	return 0;
}

static int parse_preempt(struct parser *p)
{
	if (header_slot(p, &p->have_preempt) ||
	    want_words(p, 2, "preempt none|full"))
		return -1;
	if (!word_cmp(p->tok[1], "none"))
		p->t->preempt = FS_PREEMPT_NONE;
	else if (!word_cmp(p->tok[1], "full"))
		p->t->preempt = FS_PREEMPT_FULL;
	else
		return perr(p, "bad preempt model '%s' (expected none or full)",
			    p->tok[1]);
	return 0;
}

static int parse_rt(struct parser *p)
{
	if (header_slot(p, &p->have_rt) || want_words(p, 2, "rt off|on"))
		return -1;
	if (!word_cmp(p->tok[1], "off"))
		p->t->rt = false;
	else if (!word_cmp(p->tok[1], "on"))
		p->t->rt = true;
	else
		return perr(p, "bad rt setting '%s' (expected off or on)",
			    p->tok[1]);
	return 0;
}

/* A numeric KEY=N parameter of a line. */
struct param {
	const char *key;
	uint64_t min, max;
};

/*
 * The KEY=N words tok[@from, @to) of a line that takes @params (@n of
 * them), each at most once: bit k of *@seen and @val[k] for each found.
 * @what names the line and @takes its parameters, for messages.
 */
static int parse_params(struct parser *p, unsigned int from, unsigned int to,
			const char *what, const struct param *params,
			unsigned int n, const char *takes, uint64_t *val,
			unsigned int *seen)
{
	for (unsigned int i = from; i < to; i++) {
		char *word = p->tok[i], *value = strchr(word, '=');
		unsigned int k;

		if (word[0] == '#')
			return perr(p, "unexpected '%s': comments need a line of their own",
				    word);
		if (!value)
			return perr(p, "unexpected '%s' (%s takes %s)", word,
				    what, takes);
		*value++ = '\0';
		for (k = 0; k < n; k++) {
			if (!word_cmp(word, params[k].key))
				break;
		}
		if (k == n)
			return perr(p, "unknown %s parameter '%s=' (%s takes %s)",
				    what, word, what, takes);
		if (*seen & (1u << k))
			return perr(p, "duplicate '%s='", word);
		*seen |= 1u << k;
		if (parse_num(p, value, word, params[k].min, params[k].max,
			      &val[k]))
			return -1;
	}
	return 0;
}

#define FS_STRATEGY_WORD(id, name, ops) " " name
/* The strategies' names, from the one list (sched/strategies.h). */
#define STRATEGY_WORDS FS_STRATEGIES(FS_STRATEGY_WORD)
#define SCHEDULE_USAGE \
	"schedule STRATEGY [depth=D (pct)] [preemptions=P injections=I (exhaustive)]; STRATEGY:" \
	STRATEGY_WORDS

static int parse_schedule(struct parser *p)
{
	static const struct param pct[] = {
		{ "depth", 1, MAX_PCT_DEPTH },
	};
	static const struct param exhaustive[] = {
		{ "preemptions", 0, MAX_EXHAUSTIVE_BOUND },
		{ "injections", 0, MAX_EXHAUSTIVE_BOUND },
	};
	struct fs_schedule *s = &p->t->sched;
	unsigned int seen = 0;
	uint64_t val[2];
	int k;

	if (header_slot(p, &p->have_schedule))
		return -1;
	if (p->ntok < 2)
		return perr(p, "usage: " SCHEDULE_USAGE);
	k = LOOKUP(strategy_names, p->tok[1]);
	if (k < 0)
		return perr(p, "unknown schedule strategy '%s' (expected one of:" STRATEGY_WORDS ")",
			    p->tok[1]);
	s->strategy = (uint8_t)k;
	switch (k) {
	case FS_SCHED_PCT:
		if (parse_params(p, 2, p->ntok, "schedule pct", pct, 1,
				 "depth=D", val, &seen))
			return -1;
		if (seen & 1)
			s->depth = (uint32_t)val[0];
		return 0;
	case FS_SCHED_EXHAUSTIVE:
		if (parse_params(p, 2, p->ntok, "schedule exhaustive",
				 exhaustive, 2, "preemptions=P and injections=I",
				 val, &seen))
			return -1;
		if (seen & 1)
			s->preemptions = (uint32_t)val[0];
		if (seen & 2)
			s->injections = (uint32_t)val[1];
		return 0;
	default:
		return want_words(p, 2, SCHEDULE_USAGE);
	}
}

/* "an irq-off block", "a repeat block" */
static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

/* Declarations, actor blocks and `at` lines live at the top level only. */
static int top_level_only(struct parser *p, const char *what)
{
	const char *word;

	if (!p->depth)
		return 0;
	word = p->stack[p->depth - 1].word;
	return perr(p, "%s cannot be inside %s %s block", what, article(word),
		    word);
}

static int parse_cache(struct parser *p)
{
	const char *name;
	int kind;

	if (top_level_only(p, "cache declarations"))
		return -1;
	if (p->ntok == 2)
		return perr(p, "missing cache kind (expected 'cache %s page_frag' or 'cache %s rx_ring')",
			    p->tok[1], p->tok[1]);
	if (want_words(p, 3, "cache NAME page_frag|rx_ring"))
		return -1;
	name = p->tok[1];
	if (check_name(p, name, "cache"))
		return -1;
	kind = LOOKUP(cache_kind_names, p->tok[2]);
	if (kind < 0)
		return perr(p, "unknown cache kind '%s' (expected page_frag or rx_ring)",
			    p->tok[2]);
	if (fs_trace_find_cache(p->t, name) >= 0)
		return perr(p, "duplicate cache '%s'", name);
	if (p->t->nr_caches >= FS_MAX_CACHES)
		return perr(p, "too many caches (max %d)", FS_MAX_CACHES);
	fs_trace_add_cache(p->t, name, (enum fs_cache_kind)kind);
	p->in_ops = true;
	return 0;
}

static int parse_queue(struct parser *p)
{
	const char *name;

	if (top_level_only(p, "queue declarations") ||
	    want_words(p, 2, "queue NAME"))
		return -1;
	name = p->tok[1];
	if (check_name(p, name, "queue"))
		return -1;
	if (fs_trace_find_queue(p->t, name) >= 0)
		return perr(p, "duplicate queue '%s'", name);
	if (p->t->nr_queues >= FS_MAX_QUEUES)
		return perr(p, "too many queues (max %d)", FS_MAX_QUEUES);
	fs_trace_add_queue(p->t, name);
	p->in_ops = true;
	return 0;
}

static int parse_agent(struct parser *p)
{
	static const struct param params[] = {
		{ "count", 1, MAX_AGENT_COUNT },
	};
	struct fs_agent *a;
	unsigned int seen = 0;
	uint64_t count = 64;
	int k;

	if (top_level_only(p, "agent declarations"))
		return -1;
	if (p->ntok < 2)
		return perr(p, "usage: agent speculative|pressure [count=N]");
	k = LOOKUP(agent_names, p->tok[1]);
	if (k < 0)
		return perr(p, "unknown agent '%s' (expected speculative or pressure)",
			    p->tok[1]);
	a = &p->t->agents[k];
	if (a->on)
		return perr(p, "duplicate 'agent %s' line", p->tok[1]);
	if (parse_params(p, 2, p->ntok, "agent", params, 1, "count=N",
			 &count, &seen))
		return -1;
	a->on = true;
	a->count = (uint32_t)count;
	p->in_ops = true;
	return 0;
}

/* ------------------------------------------------------------------------
 * Operation lines, as the operation table (trace_ops.h) describes them
 */

/* The operation whose keyword @word is (not comments, not actor blocks). */
static const struct fs_op_desc *find_op(const char *word)
{
	for (unsigned int k = 0; k < FS_OP_NR; k++) {
		const struct fs_op_desc *d = &fs_op_descs[k];

		if (d->keyword && !(d->fields & FS_F_COMMENT) &&
		    !word_cmp(word, d->keyword))
			return d;
	}
	return NULL;
}

static enum fs_op_kind op_kind(const struct fs_op_desc *d)
{
	return (enum fs_op_kind)(d - fs_op_descs);
}

/* The KEY=N parameters of an allocating operation, in this order. */
static const struct {
	const char *key, *value;
} alloc_keys[] = {
	{ "size", "N" }, { "align", "A" }, { "gfp", "FLAGS" },
};

/* Bit k: @d takes alloc_keys[k]; a fixed size is no parameter. */
static unsigned int alloc_key_bits(const struct fs_op_desc *d)
{
	return ((d->fields & FS_F_SIZE) && !d->fixed_size ? 1 : 0) |
	       (d->fields & FS_F_ALIGN ? 2 : 0) | (d->fields & FS_F_GFP ? 4 : 0);
}

/* "a, b and c" of the @n words @w, into @buf. */
static void and_list(char *buf, size_t len, const char *const *w,
		     unsigned int n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       !i ? "" : i + 1 < n ? ", " : " and ",
				       w[i]);
}

/* "size=N, align=A and gfp=FLAGS" (@values) or "size=, align= and gfp=". */
static void alloc_key_list(const struct fs_op_desc *d, bool values,
			   char *buf, size_t len)
{
	char words[ARRAY_SIZE(alloc_keys)][16];
	const char *w[ARRAY_SIZE(alloc_keys)];
	unsigned int n = 0;

	for (unsigned int k = 0; k < ARRAY_SIZE(alloc_keys); k++) {
		if (!(alloc_key_bits(d) & (1u << k)))
			continue;
		snprintf(words[n], sizeof(words[n]), "%s=%s", alloc_keys[k].key,
			 values ? alloc_keys[k].value : "");
		w[n] = words[n];
		n++;
	}
	and_list(buf, len, w, n);
}

/* One size=/align=/gfp= word; @seen has a bit per key. */
static int parse_alloc_param(struct parser *p, const struct fs_op_desc *d,
			     char *word, unsigned int *seen, struct fs_op *op)
{
	char *value = strchr(word, '=');
	char list[64];
	uint64_t v;
	unsigned int k;

	if (word[0] == '#')
		return perr(p, "unexpected '%s': comments need a line of their own",
			    word);
	alloc_key_list(d, !value, list, sizeof(list));
	if (!value)
		return perr(p, "unexpected '%s' (%s takes %s)", word, d->keyword,
			    list);
	*value++ = '\0';
	for (k = 0; k < ARRAY_SIZE(alloc_keys); k++) {
		if ((alloc_key_bits(d) & (1u << k)) &&
		    !word_cmp(word, alloc_keys[k].key))
			break;
	}
	if (k == ARRAY_SIZE(alloc_keys))
		return perr(p, "unknown %s parameter '%s=' (%s takes %s)",
			    d->keyword, word, d->keyword, list);
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

/*
 * tok[@i] is the keyword of @d; @handle is the name before "=", or NULL.
 * netdev_alloc_frag and napi_alloc_frag use no cache and no gfp (the
 * kernel picks GFP_ATOMIC); both stay 0 in the model.
 */
static int parse_alloc(struct parser *p, unsigned int i, const char *handle,
		       const struct fs_op_desc *d)
{
	struct fs_op op = {
		.kind = (uint8_t)op_kind(d),
		.handle = FS_NO_HANDLE,
		.gfp = (d->fields & FS_F_GFP) ? FS_GFP_ATOMIC : 0,
	};
	unsigned int seen = 0, first = i + 1;

	if (d->fields & FS_F_CACHE) {
		if (p->ntok < i + 2)
			return perr(p, "usage: %s", d->usage);
		if (find_cache(p, p->tok[i + 1], &op.cache))
			return -1;
		first++;
	}
	for (unsigned int k = first; k < p->ntok; k++) {
		if (parse_alloc_param(p, d, p->tok[k], &seen, &op))
			return -1;
	}
	if ((alloc_key_bits(d) & 1) && !(seen & 1))
		return perr(p, "%s needs size=N", d->keyword);
	if (d->fixed_size)
		op.size = d->fixed_size;
	if (handle && bind_handle(p, handle, &op.handle))
		return -1;
	emit(p, &op);
	return 0;
}

/* "only alloc, ... and napi_alloc_1k can bind a handle, not 'WORD'" */
static int cannot_bind(struct parser *p, const char *word)
{
	const char *w[FS_OP_NR];
	char list[256];
	unsigned int n = 0;

	for (unsigned int k = 0; k < FS_OP_NR; k++) {
		if (fs_op_descs[k].fields & FS_F_BINDS)
			w[n++] = fs_op_descs[k].keyword;
	}
	and_list(list, sizeof(list), w, n);
	return perr(p, "only %s can bind a handle, not '%s'", list, word);
}

static int parse_binding(struct parser *p)
{
	const char *name = p->tok[0];
	const struct fs_op_desc *d;

	if (check_name(p, name, "handle"))
		return -1;
	if (p->ntok < 3)
		return perr(p, "usage: %s", fs_op_descs[FS_OP_ALLOC].usage);
	if (LOOKUP(reserved_words, p->tok[2]) >= 0)
		return perr(p, "'%s' is reserved for a later trace version",
			    p->tok[2]);
	d = find_op(p->tok[2]);
	if (!d || !(d->fields & FS_F_BINDS))
		return cannot_bind(p, p->tok[2]);
	return parse_alloc(p, 2, name, d);
}

/* Positional fields, in the order they are written (trace_ops.h). */
static const unsigned int positional[] = {
	FS_F_QUEUE, FS_F_CACHE, FS_F_HANDLE, FS_F_ACTOR, FS_F_FAULTS,
	FS_F_COUNT, FS_F_EXPECT,
};

static int parse_expectation(struct parser *p, const char *word,
			     struct fs_op *op)
{
	int e = LOOKUP(expect_names, word);

	if (e < 0)
		return perr(p, "bad expectation '%s' (expected ok, null, "
			    "pfmemalloc or !pfmemalloc)", word);
	op->expect = (uint8_t)e;
	return 0;
}

/* Positional @field of @op from @word. */
static int parse_field(struct parser *p, unsigned int field, char *word,
		       struct fs_op *op)
{
	uint64_t v;

	switch (field) {
	case FS_F_QUEUE:
		return find_queue(p, word, &op->queue);
	case FS_F_CACHE:
		return find_cache(p, word, &op->cache);
	case FS_F_HANDLE:
		return find_handle(p, word, &op->handle);
	case FS_F_ACTOR:
		return find_actor(p, word, FS_ACTOR_SOFTIRQ, &op->actor);
	case FS_F_FAULTS:
		return parse_faults(p, word, &op->faults);
	case FS_F_COUNT:
		if (parse_num(p, word, "count", 0, UINT32_MAX, &v))
			return -1;
		op->count = (uint32_t)v;
		return 0;
	default:	/* FS_F_EXPECT */
		return parse_expectation(p, word, op);
	}
}

/* "KEYWORD FIELD...": an operation with positional fields only. */
static int parse_simple(struct parser *p, const struct fs_op_desc *d)
{
	struct fs_op op = { .kind = (uint8_t)op_kind(d) };
	unsigned int n = 1;

	for (size_t k = 0; k < ARRAY_SIZE(positional); k++)
		n += !!(d->fields & positional[k]);
	if (want_words(p, n, d->usage))
		return -1;
	n = 1;
	for (size_t k = 0; k < ARRAY_SIZE(positional); k++) {
		if ((d->fields & positional[k]) &&
		    parse_field(p, positional[k], p->tok[n++], &op))
			return -1;
	}
	emit(p, &op);
	return 0;
}

/* Emit @op, whose body follows up to the matching "}", opened by @word. */
static int open_block(struct parser *p, struct fs_op *op, const char *word)
{
	struct block *b;

	if (p->depth == MAX_DEPTH)
		return perr(p, "%s blocks nested too deeply (max %d levels)",
			    word, MAX_DEPTH);
	emit(p, op);
	b = &p->stack[p->depth++];
	b->op = p->t->nr_ops - 1;
	b->line = p->line;
	b->word = word;
	b->has_op = false;
	return 0;
}

/* repeat N { ... } */
static int parse_repeat(struct parser *p, const struct fs_op_desc *d)
{
	struct fs_op op = { .kind = (uint8_t)op_kind(d) };
	char what[32];
	uint64_t n;

	if (p->ntok < 2)
		return perr(p, "usage: %s", d->usage);
	snprintf(what, sizeof(what), "%s count", d->keyword);
	if (parse_num(p, p->tok[1], what, 1, FS_MAX_REPEAT, &n))
		return -1;
	if (p->ntok < 3 || word_cmp(p->tok[2], "{"))
		return perr(p, "expected '{' after '%s %s'", d->keyword,
			    p->tok[1]);
	if (want_words(p, 3, d->usage))
		return -1;
	op.count = (uint32_t)n;
	return open_block(p, &op, d->keyword);
}

/* irq-off { ... } and bh-off { ... }. */
static int parse_section(struct parser *p, const struct fs_op_desc *d)
{
	struct fs_op op = { .kind = (uint8_t)op_kind(d) };

	if (p->ntok < 2 || word_cmp(p->tok[1], "{"))
		return perr(p, "expected '{' after '%s'", d->keyword);
	if (want_words(p, 2, d->usage))
		return -1;
	return open_block(p, &op, d->keyword);
}

/* An operation line other than a comment or an actor block. */
static int parse_op(struct parser *p, const struct fs_op_desc *d)
{
	if (d->fields & FS_F_BINDS)
		return parse_alloc(p, 0, NULL, d);
	if ((d->fields & FS_F_BODY) && (d->fields & FS_F_COUNT))
		return parse_repeat(p, d);
	if (d->fields & FS_F_BODY)
		return parse_section(p, d);
	return parse_simple(p, d);
}

/* Any word from tok[@from] on that starts a comment. */
static int no_comment(struct parser *p, unsigned int from)
{
	for (unsigned int i = from; i < p->ntok; i++) {
		if (p->tok[i][0] == '#')
			return perr(p, "unexpected '%s': comments need a line of their own",
				    p->tok[i]);
	}
	return 0;
}

/* task NAME cpu=C {, hardirq NAME cpu=C [count=K] {, softirq NAME cpu=C { */
static int parse_actor(struct parser *p)
{
	static const struct param params[] = {
		{ "cpu", 0, UINT64_MAX },	/* checked against cpus below */
		{ "count", 1, MAX_HARDIRQ_COUNT },
	};
	int kind = LOOKUP(actor_kind_names, p->tok[0]);
	/* Static, not the token: the open block keeps pointing at it. */
	const char *word = actor_kind_names[kind], *name;
	bool hardirq = kind == FS_ACTOR_HARDIRQ;
	struct fs_op op = { .kind = FS_OP_ACTOR };
	uint64_t val[2] = { 0, 1 };
	unsigned int seen = 0;
	char what[32];
	int a;

	snprintf(what, sizeof(what), "%s blocks", word);
	if (top_level_only(p, what))
		return -1;
	if (p->ntok < 2)
		return perr(p, "usage: %s NAME cpu=C%s {", word,
			    hardirq ? " [count=K]" : "");
	name = p->tok[1];
	if (check_name(p, name, "actor"))
		return -1;
	if (!word_cmp(name, "main"))
		return perr(p, "actor name 'main' is reserved for the implicit task");
	if (fs_trace_find_actor(p->t, name) >= 0)
		return perr(p, "duplicate actor '%s'", name);
	if (no_comment(p, 2))
		return -1;
	if (p->ntok < 3 || word_cmp(p->tok[p->ntok - 1], "{"))
		return perr(p, "expected '{' at the end of the '%s %s' line",
			    word, name);
	if (parse_params(p, 2, p->ntok - 1, word, params, hardirq ? 2 : 1,
			 hardirq ? "cpu=C and count=K" : "cpu=C", val, &seen))
		return -1;
	if (!(seen & 1))
		return perr(p, "%s needs cpu=C", word);
	if (val[0] >= p->t->cpus)
		return perr(p, "cpu %" PRIu64 " out of range (trace has %u cpus)",
			    val[0], p->t->cpus);
	if (p->t->nr_actors >= FS_MAX_ACTORS)
		return perr(p, "too many actors (max %d)", FS_MAX_ACTORS);
	a = fs_trace_add_actor(p->t, name, (enum fs_actor_kind)kind,
			       (unsigned int)val[0], (uint32_t)val[1]);
	op.actor = (uint16_t)a;
	if (open_block(p, &op, word))
		return -1;
	p->t->actors[a].op = p->t->nr_ops - 1;
	p->actor = (uint16_t)a;
	return 0;
}

static int parse_close(struct parser *p)
{
	struct block *b;
	struct fs_op *op;

	if (want_words(p, 1, "}"))
		return -1;
	if (!p->depth)
		return perr(p, "'}' without an open block");
	b = &p->stack[--p->depth];
	if (!b->has_op)
		return perr(p, "empty %s block (opened at line %" PRIu32 ")",
			    b->word, b->line);
	op = &p->t->ops[b->op];
	op->body_len = p->t->nr_ops - b->op - 1;
	if (op->kind == FS_OP_ACTOR)
		p->actor = FS_MAIN_ACTOR;
	return 0;
}

static const char *const decision_names[] = {
	[FS_DEC_SWITCH]		= "switch",
	[FS_DEC_IRQ]		= "irq",
	[FS_DEC_SPEC_GET]	= "spec-get",
	[FS_DEC_SPEC_PUT]	= "spec-put",
	[FS_DEC_PRESSURE_ON]	= "pressure",
	[FS_DEC_PRESSURE_OFF]	= NULL,		/* "pressure off" */
};

static const char *const decision_usage[] = {
	[FS_DEC_SWITCH]		= "at STEP switch TASK",
	[FS_DEC_IRQ]		= "at STEP irq HARDIRQ",
	[FS_DEC_SPEC_GET]	= "at STEP spec-get page=N",
	[FS_DEC_SPEC_PUT]	= "at STEP spec-put page=N",
	[FS_DEC_PRESSURE_ON]	= "at STEP pressure on|off",
};

#define AT_USAGE \
	"at STEP [op=N actor=A loc=L k=K [fn=F]] switch TASK|irq HARDIRQ|spec-get page=N|spec-put page=N|pressure on|off"

/* tok[3] of an `at` line: what the decision applies to. */
static int parse_decision_arg(struct parser *p, struct fs_decision *d)
{
	const char *arg = p->tok[3];
	uint16_t a;
	uint64_t v;

	switch (d->kind) {
	case FS_DEC_SWITCH:
	case FS_DEC_IRQ:
		if (find_actor(p, arg, d->kind == FS_DEC_SWITCH ?
			       FS_ACTOR_TASK : FS_ACTOR_HARDIRQ, &a))
			return -1;
		d->arg = a;
		return 0;
	case FS_DEC_SPEC_GET:
	case FS_DEC_SPEC_PUT:
		if (strncmp(arg, "page=", 5))
			return perr(p, "expected page=N after '%s', not '%s'",
				    p->tok[2], arg);
		if (parse_num(p, arg + 5, "page", 0, UINT32_MAX, &v))
			return -1;
		d->arg = (uint32_t)v;
		return 0;
	default:
		if (!word_cmp(arg, "on"))
			d->kind = FS_DEC_PRESSURE_ON;
		else if (!word_cmp(arg, "off"))
			d->kind = FS_DEC_PRESSURE_OFF;
		else
			return perr(p, "bad pressure switch '%s' (expected on or off)",
				    arg);
		return 0;
	}
}

static bool fn_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.", *s))
			return false;
	return true;
}

/* One KEY=VALUE word of an anchor; bit of *@seen per key. */
static int parse_anchor_word(struct parser *p, const char *w,
			     struct fs_anchor *an, unsigned int *seen)
{
	static const char *const keys[] = { "op", "actor", "loc", "k", "fn" };
	const char *v = strchr(w, '=') + 1;
	size_t klen = (size_t)(v - 1 - w);
	uint64_t n;
	int key = -1, a;

	for (int i = 0; i < (int)ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == klen && !strncmp(keys[i], w, klen))
			key = i;
	if (key < 0)
		return perr(p, "unknown anchor word '%s' (expected op=, actor=, loc=, k=, fn=)",
			    w);
	if (*seen & (1u << key))
		return perr(p, "duplicate '%s=' in 'at' line", keys[key]);
	*seen |= 1u << key;
	switch (key) {
	case 0:
		return parse_num(p, v, "op", 0, UINT64_MAX, &an->op);
	case 1:
		a = fs_trace_find_actor(p->t, v);
		if (a < 0 && word_cmp(v, "main"))
			return perr(p, "unknown actor '%s'", v);
		an->actor = a < 0 ? FS_MAIN_ACTOR : (uint16_t)a;
		return 0;
	case 2:
		if (fs_loc_parse(p->t, v, &an->loc))
			return perr(p, "bad location '%s' (page:PFN+0xOFF, mem:PFN+0xOFF, cache:NAME+0xOFF, pcpu:netdev@CPU+0xOFF, other, or a point kind such as boundary)",
				    v);
		return 0;
	case 3:
		if (parse_num(p, v, "k", 1, UINT32_MAX, &n))
			return -1;
		an->k = (uint32_t)n;
		return 0;
	default:
		if (!*v || !fn_chars_ok(v) || strlen(v) >= sizeof(an->fn))
			return perr(p, "bad function name '%s'", v);
		strcpy(an->fn, v);
		return 0;
	}
}

/*
 * The anchor words between the step and the decision, taken out of
 * p->tok so that the decision is tok[2] as in the plain form.
 */
static int parse_anchor(struct parser *p, struct fs_anchor *an)
{
	unsigned int i = 2, seen = 0;

	while (i < p->ntok && strchr(p->tok[i], '='))
		if (parse_anchor_word(p, p->tok[i++], an, &seen))
			return -1;
	if (seen && (seen & 0xf) != 0xf)
		return perr(p, "an anchored 'at' line needs op=, actor=, loc= and k=");
	memmove(&p->tok[2], &p->tok[i], (p->ntok - i) * sizeof(p->tok[0]));
	p->ntok -= i - 2;
	return 0;
}

/* at STEP [ANCHOR] DECISION ...: one entry of a replayed schedule. */
static int parse_at(struct parser *p)
{
	struct fs_schedule *s = &p->t->sched;
	struct fs_decision d = { .line = p->line };
	int k;

	if (s->strategy != FS_SCHED_REPLAY)
		return perr(p, "'at' needs 'schedule replay'");
	if (top_level_only(p, "'at' lines"))
		return -1;
	if (p->ntok < 3)
		return perr(p, "usage: " AT_USAGE);
	if (parse_num(p, p->tok[1], "step", 0, UINT64_MAX, &d.step) ||
	    parse_anchor(p, &d.an))
		return -1;
	if (p->ntok < 3)
		return perr(p, "usage: " AT_USAGE);
	k = LOOKUP(decision_names, p->tok[2]);
	if (k < 0)
		return perr(p, "unknown decision '%s' (expected switch, irq, spec-get, spec-put or pressure)",
			    p->tok[2]);
	d.kind = (uint8_t)k;
	if (want_words(p, 4, decision_usage[k]) || parse_decision_arg(p, &d))
		return -1;
	if (s->nr_dec && d.step < s->dec[s->nr_dec - 1].step)
		return perr(p, "step %" PRIu64 " is before step %" PRIu64 " of the previous 'at' line (steps must not decrease)",
			    d.step, s->dec[s->nr_dec - 1].step);
	if (s->nr_dec && !d.an.k != !s->dec[0].an.k)
		return perr(p, "either every 'at' line has an anchor (op= actor= loc= k=) or none has");
	if (s->nr_dec >= FS_MAX_DECISIONS)
		return perr(p, "too many 'at' lines (max %d)", FS_MAX_DECISIONS);
	fs_trace_add_decision(p->t, &d);
	p->in_ops = true;
	return 0;
}

static int parse_statement(struct parser *p)
{
	static const struct {
		const char *word;
		int (*parse)(struct parser *p);
	} words[] = {
		{ "task",	parse_actor },
		{ "hardirq",	parse_actor },
		{ "softirq",	parse_actor },
		{ "}",		parse_close },
		{ "at",		parse_at },
		{ "cache",	parse_cache },
		{ "queue",	parse_queue },
		{ "agent",	parse_agent },
		{ "target",	parse_target },
		{ "seed",	parse_seed },
		{ "cpus",	parse_cpus },
		{ "preempt",	parse_preempt },
		{ "rt",		parse_rt },
		{ "schedule",	parse_schedule },
		{ "expect-finding", parse_finding },
		{ "recorded",	parse_recorded },
	};
	const char *w = p->tok[0];
	const struct fs_op_desc *d;

	if (!p->have_version)
		return parse_version(p);
	if (p->ntok >= 2 && !word_cmp(p->tok[1], "="))
		return parse_binding(p);
	if (!word_cmp(w, "fragsim-trace"))
		return perr(p, "duplicate 'fragsim-trace' header");
	/* The first "faults" of the header is the initial plan, later ones ops. */
	if (!word_cmp(w, "faults") && !p->in_ops && !p->have_faults)
		return parse_header_faults(p);
	d = find_op(w);
	if (d)
		return parse_op(p, d);
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (!word_cmp(w, words[i].word))
			return words[i].parse(p);
	}
	if (LOOKUP(reserved_words, w) >= 0)
		return perr(p, "'%s' is reserved for a later trace version", w);
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
		return perr(p, "unterminated %s block opened at line %" PRIu32,
			    p->stack[p->depth - 1].word,
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
	struct parser *p = fs_xcalloc(1, sizeof(*p));
	size_t pos = 0;
	int ret = 0;

	p->t = t;
	p->file = file;
	p->err = err;
	p->errlen = errlen;
	p->actor = FS_MAIN_ACTOR;
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
	free(p->owner);
	free(p);
	if (ret)
		fs_trace_free(t);
	return ret;
}

/* 0, or an errno value. */
static int read_all(const char *path, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = fs_xmalloc(cap);
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		free(buf);
		return e;
	}
	for (;;) {
		ssize_t r;

		buf = fs_grow(buf, n, &cap, 1, 4096);
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
		fs_oom();	/* an encoding error, which our formats cannot hit */
	if ((size_t)n >= b->cap - b->len) {
		b->s = fs_grow(b->s, b->len + (size_t)n, &b->cap, 1, 0);
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

static const char *queue_str(const struct fs_trace *t, uint16_t q)
{
	return q < t->nr_queues && q < FS_MAX_QUEUES ? t->queues[q] : "?";
}

static const char *name_of(const char *const *names, size_t n, unsigned int k)
{
	return k < n && names[k] ? names[k] : "?";
}

#define NAME_OF(names, k) name_of(names, ARRAY_SIZE(names), k)

static void print_actor(struct sbuf *b, const struct fs_trace *t,
			const struct fs_op *op)
{
	const struct fs_actor *a;

	if (op->actor >= t->nr_actors || op->actor >= FS_MAX_ACTORS) {
		sb_printf(b, "actor ? {");	/* reserved: never parses */
		return;
	}
	a = &t->actors[op->actor];
	sb_printf(b, "%s %.*s cpu=%u", NAME_OF(actor_kind_names, a->kind),
		  name_len(a->name), a->name, a->cpu);
	if (a->kind == FS_ACTOR_HARDIRQ)
		sb_printf(b, " count=%" PRIu32, a->count);
	sb_printf(b, " {");
}

static void print_comment(struct sbuf *b, const struct fs_trace *t,
			  const struct fs_op *op)
{
	const char *s = op->comment < t->nr_strings ? t->strings[op->comment] :
						      "";

	if (*s)
		sb_printf(b, "# %s", s);
	else
		sb_printf(b, "#");	/* no trailing blank */
}

/* " NAME", a name from a fixed-size field. */
static void print_name(struct sbuf *b, const char *s)
{
	sb_printf(b, " %.*s", name_len(s), s);
}

/* Positional @field of @op, with its leading blank. */
static void print_field(struct sbuf *b, const struct fs_trace *t,
			const struct fs_op *op, unsigned int field)
{
	char buf[64];

	switch (field) {
	case FS_F_QUEUE:
		print_name(b, queue_str(t, op->queue));
		break;
	case FS_F_CACHE:
		print_name(b, cache_str(t, op->cache));
		break;
	case FS_F_HANDLE:
		print_name(b, handle_str(t, op->handle));
		break;
	case FS_F_ACTOR:
		print_name(b, actor_name(t, op->actor));
		break;
	case FS_F_FAULTS:
		sb_printf(b, " %s",
			  fs_faults_format(op->faults, buf, sizeof(buf)));
		break;
	case FS_F_COUNT:
		sb_printf(b, " %" PRIu32, op->count);
		break;
	default:	/* FS_F_EXPECT */
		sb_printf(b, " %s", NAME_OF(expect_names, op->expect));
		break;
	}
}

/* size=, align= and gfp=, each only when it says something. */
static void print_params(struct sbuf *b, const struct fs_op_desc *d,
			 const struct fs_op *op)
{
	char gfp[256];

	/* A fixed size prints only when it is another: a rejected line. */
	if ((d->fields & FS_F_SIZE) &&
	    (!d->fixed_size || op->size != d->fixed_size))
		sb_printf(b, " size=%" PRIu32, op->size);
	if ((d->fields & FS_F_ALIGN) && op->align)
		sb_printf(b, " align=%" PRIu32, op->align);
	if ((d->fields & FS_F_GFP) && op->gfp != FS_GFP_ATOMIC)
		sb_printf(b, " gfp=%s", fs_gfp_format(op->gfp, gfp, sizeof(gfp)));
}

/* "[H = ]KEYWORD FIELD... KEY=N... [{]", as trace_ops.h orders them. */
static void print_line(struct sbuf *b, const struct fs_trace *t,
		       const struct fs_op_desc *d, const struct fs_op *op)
{
	unsigned int fields = d->fields;

	if ((fields & FS_F_BINDS) && op->handle != FS_NO_HANDLE) {
		const char *h = handle_str(t, op->handle);

		sb_printf(b, "%.*s = ", name_len(h), h);
	}
	if (fields & FS_F_BINDS)
		fields &= ~FS_F_HANDLE;
	sb_printf(b, "%s", d->keyword);
	for (size_t k = 0; k < ARRAY_SIZE(positional); k++) {
		if (fields & positional[k])
			print_field(b, t, op, positional[k]);
	}
	print_params(b, d, op);
	if (fields & FS_F_BODY)
		sb_printf(b, " {");
}

/*
 * Invalid models (indices out of range, unknown kinds) print as text the
 * parser rejects, never as something that means a different trace.
 */
static void print_op(struct sbuf *b, const struct fs_trace *t,
		     const struct fs_op *op)
{
	const struct fs_op_desc *d = fs_op_desc(op->kind);

	if (!d)
		sb_printf(b, "?unknown-op-kind-%u", op->kind);
	else if (d->fields & FS_F_COMMENT)
		print_comment(b, t, op);
	else if (!d->keyword)
		print_actor(b, t, op);
	else
		print_line(b, t, d, op);
}

/* The machine lines, each only when it differs from the default. */
static void print_machine(struct sbuf *b, const struct fs_trace *t)
{
	const struct fs_schedule *s = &t->sched;

	if (t->cpus != 1)
		sb_printf(b, "cpus %u\n", t->cpus);
	if (t->preempt != FS_PREEMPT_NONE)
		sb_printf(b, "preempt %s\n",
			  t->preempt == FS_PREEMPT_FULL ? "full" : "?");
	if (t->rt)
		sb_printf(b, "rt on\n");
	if (s->strategy == FS_SCHED_DEFAULT)
		return;
	sb_printf(b, "schedule %s", NAME_OF(strategy_names, s->strategy));
	if (s->strategy == FS_SCHED_PCT)
		sb_printf(b, " depth=%" PRIu32, s->depth);
	else if (s->strategy == FS_SCHED_EXHAUSTIVE)
		sb_printf(b, " preemptions=%" PRIu32 " injections=%" PRIu32,
			  s->preemptions, s->injections);
	sb_printf(b, "\n");
}

static void print_decls(struct sbuf *b, const struct fs_trace *t)
{
	for (unsigned int i = 0; i < t->nr_caches && i < FS_MAX_CACHES; i++) {
		const struct fs_cache_decl *c = &t->caches[i];

		sb_printf(b, "cache %.*s %s\n", name_len(c->name), c->name,
			  NAME_OF(cache_kind_names, c->kind));
	}
	for (unsigned int i = 0; i < t->nr_queues && i < FS_MAX_QUEUES; i++)
		sb_printf(b, "queue %.*s\n", name_len(t->queues[i]),
			  t->queues[i]);
	for (unsigned int i = 0; i < FS_AGENT_NR; i++) {
		if (t->agents[i].on)
			sb_printf(b, "agent %s count=%" PRIu32 "\n",
				  agent_names[i], t->agents[i].count);
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
	print_machine(b, t);
	if (t->expect_finding[0])
		sb_printf(b, "expect-finding %.*s\n",
			  (int)strnlen(t->expect_finding,
				       sizeof(t->expect_finding)),
			  t->expect_finding);
	print_decls(b, t);
}

static void print_anchor(struct sbuf *b, const struct fs_trace *t,
			 const struct fs_anchor *an)
{
	const char *a = actor_name(t, an->actor);
	char loc[96];

	fs_loc_format(t, an->loc, loc, sizeof(loc));
	sb_printf(b, "op=%" PRIu64 " actor=%.*s loc=%s k=%" PRIu32 " ", an->op,
		  name_len(a), a, loc, an->k);
	if (an->fn[0])
		sb_printf(b, "fn=%.*s ", (int)strnlen(an->fn, sizeof(an->fn)),
			  an->fn);
}

static void print_decision(struct sbuf *b, const struct fs_trace *t,
			   const struct fs_decision *d)
{
	const char *s;

	sb_printf(b, "at %" PRIu64 " ", d->step);
	if (d->an.k)
		print_anchor(b, t, &d->an);
	switch (d->kind) {
	case FS_DEC_SWITCH:
	case FS_DEC_IRQ:
		s = actor_name(t, d->arg);
		sb_printf(b, "%s %.*s", decision_names[d->kind], name_len(s), s);
		break;
	case FS_DEC_SPEC_GET:
	case FS_DEC_SPEC_PUT:
		sb_printf(b, "%s page=%" PRIu32, decision_names[d->kind],
			  d->arg);
		break;
	case FS_DEC_PRESSURE_ON:
		sb_printf(b, "pressure on");
		break;
	case FS_DEC_PRESSURE_OFF:
		sb_printf(b, "pressure off");
		break;
	default:
		sb_printf(b, "?unknown-decision-%u", d->kind);
		break;
	}
	sb_printf(b, "\n");
}

static void push_end(uint32_t **ends, size_t *depth, size_t *cap,
		     uint32_t end)
{
	*ends = fs_grow(*ends, *depth, cap, sizeof(**ends), 16);
	(*ends)[(*depth)++] = end;
}

/*
 * Ops in order, bodies indented one tab per level.  @ends holds where each
 * open body ends; a body_len that overruns its enclosing block is clamped
 * so the output stays well nested.
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
		if (fs_op_opens_block(op->kind)) {
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
	b->s = fs_xmalloc(cap);
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

/* Header and declarations, then the operations, then the decision log. */
char *fs_trace_print(const struct fs_trace *t)
{
	struct sbuf b;

	sb_init(&b, 4096);
	print_header(&b, t);
	if (t->nr_ops || t->sched.nr_dec || t->rec_build[0])
		sb_printf(&b, "\n");
	print_ops(&b, t);
	for (uint32_t i = 0; i < t->sched.nr_dec; i++)
		print_decision(&b, t, &t->sched.dec[i]);
	if (t->rec_build[0])
		sb_printf(&b, "recorded %.*s %.*s\n",
			  (int)strnlen(t->rec_build, sizeof(t->rec_build)),
			  t->rec_build,
			  (int)strnlen(t->rec_title, sizeof(t->rec_title)),
			  t->rec_title);
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
