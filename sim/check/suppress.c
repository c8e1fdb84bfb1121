// SPDX-License-Identifier: GPL-2.0
/*
 * Suppression files (docs/suppressions.md): stanzas of "key: value" lines,
 * one stanza per known bug, separated by blank lines; '#' starts a comment
 * line.  Parsed strictly: the first problem is the file's only message.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/array.h"
#include "../lib/xalloc.h"
#include "suppress.h"

/* The embedded default list (generated from FS_SUPP_DEFAULT_FILE). */
extern const char fs_supp_default_text[];

enum { K_KIND, K_FUNCTION, K_TARGET, K_REASON, K_LINK, K_NR };

static const char *const keys[] = {
	[K_KIND] = "kind", [K_FUNCTION] = "function", [K_TARGET] = "target",
	[K_REASON] = "reason", [K_LINK] = "link",
};
_Static_assert(ARRAY_SIZE(keys) == K_NR, "one name per key");

/* One stanza while it is read. */
struct stanza {
	unsigned int line;		/* first key's line, 0: none yet */
	unsigned int seen;		/* bit per key */
	struct fs_supp_entry e;
};

struct parser {
	struct fs_supp *s;
	const char *file;
	unsigned int line;
	char *err;
	size_t errlen;
	struct stanza st;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->file, p->line, what);
	return -1;
}

static bool is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool is_glob(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-@*?[]!", *s))
			return false;
	return true;
}

static int copy(struct parser *p, char *dst, size_t len, const char *key,
		const char *val)
{
	if (strlen(val) >= len)
		return fail(p, "%s: longer than %zu characters", key, len - 1);
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int set_key(struct parser *p, int k, const char *val)
{
	struct fs_supp_entry *e = &p->st.e;

	switch (k) {
	case K_KIND:
		e->kind = fs_finding_from_slug(val);
		if (e->kind == FS_F_NR_KINDS || e->kind == FS_F_NONE)
			return fail(p, "kind: '%s' is not a finding kind (docs/invariants.md)",
				    val);
		return 0;
	case K_FUNCTION:
		if (!is_ident(val))
			return fail(p, "function: '%s' is not a C function name", val);
		return copy(p, e->fn, sizeof(e->fn), "function", val);
	case K_TARGET:
		if (!is_glob(val))
			return fail(p, "target: '%s' is not a target name or glob ([A-Za-z0-9._-@], * ? [...])",
				    val);
		return copy(p, e->target, sizeof(e->target), "target", val);
	case K_REASON:
		return copy(p, e->reason, sizeof(e->reason), "reason", val);
	default:
		if (strncmp(val, "https://", 8) && strncmp(val, "http://", 7))
			return fail(p, "link: '%s' is not an http(s) URL (lore or commit)",
				    val);
		return copy(p, e->link, sizeof(e->link), "link", val);
	}
}

/* "key: value" of the current stanza. */
static int key_line(struct parser *p, char *s)
{
	char *colon = strchr(s, ':'), *val;
	int k;

	if (!colon)
		return fail(p, "expected 'key: value' (keys: kind, function, target, reason, link)");
	*colon = '\0';
	for (k = 0; k < K_NR; k++)
		if (!strcmp(s, keys[k]))
			break;
	if (k == K_NR)
		return fail(p, "unknown key '%s' (keys: kind, function, target, reason, link)",
			    s);
	if (p->st.seen & (1u << k))
		return fail(p, "'%s' given twice in one entry (a blank line ends an entry)",
			    s);
	val = colon + 1;
	val += strspn(val, " \t");
	if (!*val)
		return fail(p, "%s: empty value", s);
	if (!p->st.line)
		p->st.line = p->line;
	p->st.seen |= 1u << k;
	return set_key(p, k, val);
}

static int end_stanza(struct parser *p)
{
	struct stanza *st = &p->st;

	if (!st->line)
		return 0;
	for (int k = 0; k < K_NR; k++) {
		if (!(st->seen & (1u << k))) {
			p->line = st->line;
			return fail(p, "entry without '%s:' (each needs kind, function, target, reason and link)",
				    keys[k]);
		}
	}
	st->e.file = p->file;
	st->e.line = st->line;
	FS_GROW(p->s->e, p->s->nr, p->s->cap);
	p->s->e[p->s->nr++] = st->e;
	memset(st, 0, sizeof(*st));
	return 0;
}

static int parse_line(struct parser *p, char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	if (!n)
		return end_stanza(p);
	if (s[0] == '#')
		return 0;
	if (isspace((unsigned char)s[0]))
		return fail(p, "a line starts with a key at column 1 (or '#' for a comment)");
	return key_line(p, s);
}

int fs_supp_parse(struct fs_supp *s, const char *file, const char *text,
		  char *err, size_t errlen)
{
	struct parser p = { .s = s, .err = err, .errlen = errlen };
	char *buf = fs_xstrdup(text), *line = buf, *nl;
	int rc = 0;

	s->files = fs_xrealloc_array(s->files, s->nr_files + 1,
				     sizeof(*s->files));
	p.file = s->files[s->nr_files++] = fs_xstrdup(file);
	for (p.line = 1; !rc && line; p.line++, line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		rc = parse_line(&p, line);
	}
	if (!rc) {
		p.line--;
		rc = end_stanza(&p);
	}
	free(buf);
	return rc;
}

/* The most a suppression file may hold: as much as a trace input. */
#define SUPP_MAX_FILE	(16 << 20)

int fs_supp_load(struct fs_supp *s, const char *path, char *err,
		 size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t n;
	long len;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A directory "opens" and seeks to a huge size: regular files only. */
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot read it", path);
		fclose(f);
		return -1;
	}
	if (len > SUPP_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d MiB", path, SUPP_MAX_FILE >> 20);
		fclose(f);
		return -1;
	}
	buf = fs_xmalloc((size_t)len + 1);
	n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
		free(buf);
		return -1;
	}
	rc = fs_supp_parse(s, path, buf, err, errlen);
	free(buf);
	return rc;
}

int fs_supp_load_default(struct fs_supp *s, char *err, size_t errlen)
{
	return fs_supp_parse(s, FS_SUPP_DEFAULT_FILE, fs_supp_default_text,
			     err, errlen);
}

const struct fs_supp_entry *fs_supp_match(const struct fs_supp *s,
					  const struct fs_finding *f,
					  const char *target)
{
	for (unsigned int i = 0; f && i < s->nr; i++) {
		const struct fs_supp_entry *e = &s->e[i];

		if (e->kind == f->kind && !strcmp(e->fn, f->fn) &&
		    !fnmatch(e->target, target, 0))
			return e;
	}
	return NULL;
}

void fs_supp_free(struct fs_supp *s)
{
	for (unsigned int i = 0; i < s->nr_files; i++)
		free(s->files[i]);
	free(s->files);
	free(s->e);
	memset(s, 0, sizeof(*s));
}
