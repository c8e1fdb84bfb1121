#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for alloc/extract (the kernel page_frag extractor).

The kernel trees used here are fakes written by the tests themselves:
trivial C that merely uses the names the extractor looks for.  No kernel
source text is kept in the repository.  When FRAGSIM_KERNEL_TREES is set
(a ':'-separated list of real trees, full or partial), the extractor is
also run on each of them.

Run: python3 tests/extract/test_extract.py
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXTRACT_DIR = os.path.join(ROOT, "alloc", "extract")
EXTRACT = os.path.join(EXTRACT_DIR, "extract.py")
sys.path.insert(0, EXTRACT_DIR)

import cscan  # noqa: E402
import layouts  # noqa: E402

MAKEFILE = """\
# fake kernel Makefile
VERSION = 6
PATCHLEVEL = 99
SUBLEVEL = 1
EXTRAVERSION = -fake
NAME = Not A Kernel
"""

GFP_TYPES = """\
/* fake gfp_types.h */
#ifndef FAKE_GFP_TYPES_H
#define FAKE_GFP_TYPES_H
#define FAKE_GFP_A 1u
#define FAKE_GFP_B 2u
/* What the fake code calls: declared here, the checker knows them. */
#define FAKE_HELPERS FAKE_ALIGN FAKE_BIG FAKE_GFP_A FAKE_GFP_B FAKE_GFP_H FAKE_GFP_TYPES_H FAKE_LOCK_INIT FAKE_NAPI_OTHER FAKE_PAGE_4K FAKE_PAGE_FRAG_CACHE_H FAKE_SKBUFF_H FAKE_SKB_UNRELATED FAKE_TYPES_H FAKE_UNRELATED_MACRO fake_1k fake_alloc fake_bias fake_drain fake_encode fake_free fake_hardirq fake_irqs_off fake_only fake_page fake_ref_add fake_refill fake_renamed fake_skb_helper fake_skb_tail fake_skb_unrelated fake_skb_unrelated_fn fake_this_cpu fake_unrelated fake_unrelated_inline
%s#endif
""" % "".join("#define %s %du\n" % (g, 4 << i) for i, g in enumerate(
    "__GFP_HIGH __GFP_IO __GFP_FS __GFP_DIRECT_RECLAIM __GFP_KSWAPD_RECLAIM "
    "__GFP_NOWARN __GFP_NORETRY __GFP_COMP __GFP_MEMALLOC __GFP_NOMEMALLOC "
    "__GFP_ZERO".split()))

# The struct and its sizes, in mm_types.h (classic) or mm_types_task.h.
TYPES_H = """\
/* fake types header */
#ifndef FAKE_TYPES_H
#define FAKE_TYPES_H

#include <linux/types.h>

struct fake_unrelated { int a; };
#define FAKE_UNRELATED_MACRO 1

/* PAGE_FRAG_CACHE_MAX_SIZE is not defined in this comment */
#define PAGE_FRAG_CACHE_MAX_SIZE \\
	(8 * 1024)
#define PAGE_FRAG_CACHE_MAX_ORDER 1
/* struct page_frag_cache { this comment is not the struct } */
struct page_frag_cache {
	void *where;
#if FAKE_BIG
	unsigned int at;
#else
	unsigned short at;
#endif
	unsigned int bias; /* } */
};

struct fake_after { char c; };
#endif /* FAKE_TYPES_H */
"""

GFP_H_CLASSIC = """\
#ifndef FAKE_GFP_H
#define FAKE_GFP_H
struct page_frag_cache;
extern void __page_frag_cache_drain(struct page *p, unsigned int n);
extern void *page_frag_alloc_align(struct page_frag_cache *c,
		unsigned int sz, gfp_t g, unsigned int mask);

static inline void *page_frag_alloc(struct page_frag_cache *c,
		unsigned int sz, gfp_t g)
{
	return page_frag_alloc_align(c, sz, g, ~0u);
}

extern void page_frag_free(void *p);
static inline int fake_unrelated_inline(void) { return 0; }
#endif
"""

GFP_H_V6_9 = """\
#ifndef FAKE_GFP_H
#define FAKE_GFP_H
struct page_frag_cache;
void page_frag_cache_drain(struct page_frag_cache *c);
extern void __page_frag_cache_drain(struct page *p, unsigned int n);
void *__page_frag_alloc_align(struct page_frag_cache *c, unsigned int sz,
		gfp_t g, unsigned int mask);

static inline void *page_frag_alloc_align(struct page_frag_cache *c,
		unsigned int sz, gfp_t g, unsigned int a)
{
	return __page_frag_alloc_align(c, sz, g, -a);
}

static inline void *page_frag_alloc(struct page_frag_cache *c,
		unsigned int sz, gfp_t g)
{
	return __page_frag_alloc_align(c, sz, g, ~0u);
}

extern void page_frag_free(void *p);
#endif
"""

# Shared fake function bodies.  ALLOC is the function with the three
# identical marker lines that the zoo tests edit.
REFILL = """\
static struct page *__page_frag_cache_refill(struct page_frag_cache *c,
					     gfp_t g)
{
	const char *s = "} not the end {";
	char ch = '}';
	char q = '\\'';
#if FAKE_BIG
	if (g) {
#else
	if (!g) {
#endif
		s = "\\"}";
	}
	// a line comment with a brace }
	return fake_refill(c, s, ch + q);
}"""

ALLOC_BODY = """\
{
	fake_ref_add(c, 1);
	fake_ref_add(c, 1);
	fake_ref_add(c, 1);
	fake_bias(c,
		  sz);
	return c->where;
}"""

FREE_ALTERNATIVES = """\
#ifdef CONFIG_FAKE
void page_frag_free(void *p)
{
	fake_free(p);
}
#else
void page_frag_free(void *p)
{
}
#endif"""

PAGE_ALLOC_HEAD = """\
// fake page_alloc.c {
#include <linux/fake.h>

static int fake_unrelated(void)
{
	return 1;
}
@EXPORT@(fake_unrelated);

/*
 * void *page_frag_alloc_align(void) { a definition inside a comment }
 * void *__page_frag_alloc_align(void) { and another }
 */
"""

PAGE_ALLOC_CLASSIC = PAGE_ALLOC_HEAD + REFILL + """

void __page_frag_cache_drain(struct page *p, unsigned int n)
{
	fake_drain(p, n, "{{{");
}
@EXPORT@(__page_frag_cache_drain);

void *page_frag_alloc_align(struct page_frag_cache *c,
			    unsigned int sz, gfp_t g, unsigned int mask)
""" + ALLOC_BODY + """
@EXPORT@(page_frag_alloc_align);

""" + FREE_ALTERNATIVES + """
@EXPORT@(page_frag_free);

static void fake_tail(void) { }
"""

PAGE_ALLOC_V6_9 = PAGE_ALLOC_HEAD + REFILL + """

void page_frag_cache_drain(struct page_frag_cache *c)
{
	if (c->where)
		__page_frag_cache_drain(fake_page(c), c->bias);
}
@EXPORT@(page_frag_cache_drain);

void __page_frag_cache_drain(struct page *p, unsigned int n)
{
	fake_drain(p, n, "{{{");
}
@EXPORT@(__page_frag_cache_drain);

void *__page_frag_alloc_align(struct page_frag_cache *c,
			      unsigned int sz, gfp_t g, unsigned int mask)
""" + ALLOC_BODY + """
@EXPORT@(__page_frag_alloc_align);

""" + FREE_ALTERNATIVES + """
@EXPORT@(page_frag_free);
"""

PAGE_ALLOC_OTHER = """\
/* a page_alloc.c with no page_frag code in it */
int fake_only(void)
{
	return 0;
}
"""

PAGE_FRAG_CACHE_H = """\
#ifndef FAKE_PAGE_FRAG_CACHE_H
#define FAKE_PAGE_FRAG_CACHE_H

#include <linux/types.h>

#if FAKE_BIG
#define PAGE_FRAG_CACHE_ORDER_MASK 255
#else
#define PAGE_FRAG_CACHE_ORDER_MASK 0
#endif

#define PAGE_FRAG_CACHE_PFMEMALLOC_BIT (PAGE_FRAG_CACHE_ORDER_MASK + 1)

static inline bool encoded_page_decode_pfmemalloc(unsigned long e)
{
	return e & PAGE_FRAG_CACHE_PFMEMALLOC_BIT;
}

static inline void page_frag_cache_init(struct page_frag_cache *c)
{
	c->where = 0;
}

static inline bool page_frag_cache_is_pfmemalloc(struct page_frag_cache *c)
{
	return encoded_page_decode_pfmemalloc(c->bias);
}

void page_frag_cache_drain(struct page_frag_cache *c);
void __page_frag_cache_drain(struct page *p, unsigned int n);
void *__page_frag_alloc_align(struct page_frag_cache *c, unsigned int sz,
		gfp_t g, unsigned int mask);

static inline void *page_frag_alloc_align(struct page_frag_cache *c,
		unsigned int sz, gfp_t g, unsigned int a)
{
	return __page_frag_alloc_align(c, sz, g, -a);
}

static inline void *page_frag_alloc(struct page_frag_cache *c,
		unsigned int sz, gfp_t g)
{
	return __page_frag_alloc_align(c, sz, g, ~0u);
}

void page_frag_free(void *p);

#endif
"""

PAGE_FRAG_CACHE_C = """\
// fake page_frag_cache.c
#include <linux/page_frag_cache.h>
#include "internal.h"

static unsigned long encoded_page_create(struct page *p, unsigned int o)
{
	return fake_encode(p, o);
}

static unsigned long encoded_page_decode_order(unsigned long e)
{
	return e & PAGE_FRAG_CACHE_ORDER_MASK;
}

""" + REFILL + """

void page_frag_cache_drain(struct page_frag_cache *c)
{
	fake_drain(c);
}
@EXPORT@(page_frag_cache_drain);

void __page_frag_cache_drain(struct page *p, unsigned int n)
{
	fake_drain(p, n, "{{{");
}
@EXPORT@(__page_frag_cache_drain);

void *__page_frag_alloc_align(struct page_frag_cache *c,
			      unsigned int sz, gfp_t g, unsigned int mask)
""" + ALLOC_BODY + """
@EXPORT@(__page_frag_alloc_align);

void page_frag_free(void *p)
{
	fake_free(p);
}
@EXPORT@(page_frag_free);
"""

# The network front end: fake skbuff.h and skbuff.c.  The inlines sit in
# an #ifdef __KERNEL__ group (kept), the 1K allocator in an #if/#else.
SKBUFF_H = """\
/* fake skbuff.h */
#ifndef FAKE_SKBUFF_H
#define FAKE_SKBUFF_H

#include <linux/fake.h>

#define FAKE_SKB_UNRELATED 1
#define SKB_DATA_ALIGN(X)	FAKE_ALIGN(X, 64)

#ifdef __KERNEL__
void fake_skb_unrelated(void);
void *__netdev_alloc_frag_align(unsigned int sz, unsigned int mask);

static inline void *netdev_alloc_frag(unsigned int sz)
{
	return __netdev_alloc_frag_align(sz, ~0u);
}

static inline void *netdev_alloc_frag_align(unsigned int sz, unsigned int a)
{
	return __netdev_alloc_frag_align(sz, -a);
}

static inline void skb_free_frag(void *p)
{
	page_frag_free(p);
}

void *__napi_alloc_frag_align(unsigned int sz, unsigned int mask);

static inline void *napi_alloc_frag(unsigned int sz)
{
	return __napi_alloc_frag_align(sz, ~0u);
}

static inline void *napi_alloc_frag_align(unsigned int sz, unsigned int a)
{
	return __napi_alloc_frag_align(sz, -a);
}
#endif /* __KERNEL__ */
#endif /* FAKE_SKBUFF_H */
"""

SKBUFF_1K = """\
#if FAKE_PAGE_4K

#define NAPI_HAS_SMALL_PAGE_FRAG	1
#define NAPI_SMALL_PAGE_PFMEMALLOC(nc)	((nc).pf)

/* struct page_frag_1k { not here } */
struct page_frag_1k {
	void *va;
	int pf;
};

static void *page_frag_alloc_1k(struct page_frag_1k *nc, gfp_t g)
{
	return fake_1k(nc, g, "}");
}
#else
#define NAPI_HAS_SMALL_PAGE_FRAG	0
#define NAPI_SMALL_PAGE_PFMEMALLOC(nc)	0

struct page_frag_1k {
};

static void *page_frag_alloc_1k(struct page_frag_1k *nc, gfp_t g)
{
	return 0;
}
#endif

"""

SKBUFF_C = """\
// fake skbuff.c
#include <linux/skbuff.h>

static int fake_skb_helper(void)
{
	return 2;
}

#define NAPI_SKB_CACHE_SIZE	4
#define FAKE_NAPI_OTHER	8

""" + SKBUFF_1K + """\
struct napi_alloc_cache {
	fake_lock_t lock;
	struct page_frag_cache page;
	struct page_frag_1k page_small;
	void *cache[NAPI_SKB_CACHE_SIZE];
};

static DEFINE_PER_CPU(struct page_frag_cache, netdev_alloc_cache);
static DEFINE_PER_CPU(struct napi_alloc_cache, napi_alloc_cache) = {
	.lock = FAKE_LOCK_INIT(lock),
};
static DEFINE_PER_CPU(int, fake_unrelated_counter);

void fake_skb_unrelated_fn(void)
{
}

void *__napi_alloc_frag_align(unsigned int sz, unsigned int mask)
{
	struct napi_alloc_cache *nc = fake_this_cpu(&napi_alloc_cache);

	return fake_alloc(&nc->page, SKB_DATA_ALIGN(sz), mask);
}
@EXPORT@(__napi_alloc_frag_align);

void *__netdev_alloc_frag_align(unsigned int sz, unsigned int mask)
{
	if (fake_hardirq() || fake_irqs_off()) {
		struct page_frag_cache *nc = fake_this_cpu(&netdev_alloc_cache);

		return fake_alloc(nc, SKB_DATA_ALIGN(sz), mask);
	}
	return __napi_alloc_frag_align(sz, mask);
}
@EXPORT@(__netdev_alloc_frag_align);

static void fake_skb_tail(void) { }
"""

# As in v6.14+: no 1K allocator.
SKBUFF_C_NO_1K = SKBUFF_C.replace(SKBUFF_1K, "").replace(
    "\tstruct page_frag_1k page_small;\n", "")

NET_FS_HAVE = ["netdev_alloc_frag", "netdev_alloc_frag_align",
               "skb_free_frag", "napi_alloc_frag", "napi_alloc_frag_align",
               "page_frag_alloc_1k", "__napi_alloc_frag_align",
               "__netdev_alloc_frag_align"]
NET_RENAMED = ["__napi_alloc_frag_align", "__netdev_alloc_frag_align"]

FS_HAVE = {
    "classic": ["page_frag_alloc", "__page_frag_cache_refill",
                "__page_frag_cache_drain", "page_frag_alloc_align",
                "page_frag_free"],
    "classic-v6.9": ["page_frag_alloc_align", "page_frag_alloc",
                     "__page_frag_cache_refill", "page_frag_cache_drain",
                     "__page_frag_cache_drain", "__page_frag_alloc_align",
                     "page_frag_free"],
    "encoded": ["encoded_page_decode_pfmemalloc", "page_frag_cache_init",
                "page_frag_cache_is_pfmemalloc", "page_frag_alloc_align",
                "page_frag_alloc", "encoded_page_create",
                "encoded_page_decode_order", "__page_frag_cache_refill",
                "page_frag_cache_drain", "__page_frag_cache_drain",
                "__page_frag_alloc_align", "page_frag_free"],
}

RENAMED = {
    "classic": ["__page_frag_cache_drain", "page_frag_alloc_align",
                "page_frag_free"],
    "classic-v6.9": ["page_frag_cache_drain", "__page_frag_cache_drain",
                     "__page_frag_alloc_align", "page_frag_free"],
    "encoded": ["page_frag_cache_drain", "__page_frag_cache_drain",
                "__page_frag_alloc_align", "page_frag_free"],
}

# What a real tree of each layout must yield at least.
REAL_FS_HAVE = {
    "classic": set(FS_HAVE["classic"]),
    "classic-v6.9": set(FS_HAVE["classic-v6.9"]),
    "encoded": {"page_frag_cache_init", "page_frag_cache_is_pfmemalloc",
                "page_frag_alloc_align", "page_frag_alloc",
                "__page_frag_cache_refill", "page_frag_cache_drain",
                "__page_frag_cache_drain", "__page_frag_alloc_align",
                "page_frag_free", "encoded_page_decode_pfmemalloc"},
}


# The fake sources above spell the export macro as "@EXPORT@" so that this
# file is never mistaken for kernel source; the real name goes in here.
for _name, _val in list(globals().items()):
    if isinstance(_val, str) and "@EXPORT@" in _val:
        globals()[_name] = _val.replace("@EXPORT@", "EXPORT" "_SYMBOL")


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_tree(root, layout, net=False):
    write(root, "Makefile", MAKEFILE)
    if net:
        write(root, "include/linux/skbuff.h", SKBUFF_H)
        write(root, "net/core/skbuff.c", SKBUFF_C)
    write(root, "include/linux/gfp_types.h", GFP_TYPES)
    if layout == "classic":
        write(root, "include/linux/mm_types.h", TYPES_H)
        write(root, "include/linux/gfp.h", GFP_H_CLASSIC)
        write(root, "mm/page_alloc.c", PAGE_ALLOC_CLASSIC)
    elif layout == "classic-v6.9":
        # The struct in mm_types_task.h: candidates are searched in order.
        write(root, "include/linux/mm_types.h", "/* nothing here */\n")
        write(root, "include/linux/mm_types_task.h", TYPES_H)
        write(root, "include/linux/gfp.h", GFP_H_V6_9)
        write(root, "mm/page_alloc.c", PAGE_ALLOC_V6_9)
    elif layout == "encoded":
        write(root, "include/linux/mm_types_task.h", TYPES_H)
        write(root, "include/linux/page_frag_cache.h", PAGE_FRAG_CACHE_H)
        write(root, "mm/page_frag_cache.c", PAGE_FRAG_CACHE_C)
        write(root, "mm/page_alloc.c", PAGE_ALLOC_OTHER)
    else:
        raise ValueError(layout)
    return root


def run_extract(*args):
    p = subprocess.run([sys.executable, EXTRACT] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def parse_output(text):
    """Split a generated file into its prologue and #line sections."""
    lines = text.split("\n")
    sections = []           # [line, path, [text lines], output line no]
    prologue = []
    for no, line in enumerate(lines, 1):
        m = re.match(r'#line (\d+) "([^"]+)"$', line)
        if m:
            sections.append([int(m.group(1)), m.group(2), [], no])
        elif sections:
            sections[-1][2].append(line)
        else:
            prologue.append(line)
    return prologue, sections


def check_line_mapping(tc, tree, text):
    """Every #line section's text is the named file's text at that line."""
    _, sections = parse_output(text)
    for line, path, body, _ in sections:
        if path.startswith("fragsim-"):
            continue
        with open(os.path.join(tree, path), "rb") as f:
            src = f.read().decode("latin-1").split("\n")
        while body and body[-1] == "":
            body = body[:-1]
        want = src[line - 1:line - 1 + len(body)]
        tc.assertEqual(body, want, "%s:%d is not copied verbatim" %
                       (path, line))


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fragsim-extract-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def tree(self, layout, name="tree", net=False):
        return make_tree(os.path.join(self.tmp, name), layout, net)

    def extract(self, tree, *extra, out=None, ident="fake_6_99",
                name="fake-6.99"):
        out = out or os.path.join(self.tmp, "out.c")
        rc, so, se = run_extract("--tree", tree, "--name", name, "--id",
                                 ident, "--out", out, *extra)
        self.assertEqual((rc, se), (0, ""))
        with open(out, "rb") as f:
            return f.read().decode("utf-8")

    def assertFails(self, args, message=None):
        rc, so, se = run_extract(*args)
        self.assertEqual(rc, 2, se)
        self.assertEqual(so, "")
        self.assertTrue(se.startswith("extract: error: "), se)
        self.assertTrue(se.endswith("\n") and se.count("\n") == 1, se)
        self.assertNotIn("Traceback", se)
        if message is not None:
            self.assertEqual(se, "extract: error: %s\n" % message)
        return se


class TestScanner(unittest.TestCase):
    SRC = """\
/* header comment { */
#define ONE 1
#define MULTI(a) \\
	do { a; } while (0)
#include <x.h>
#ifdef CONFIG_X
# define INDENTED 2
#endif
struct fwd;
union u;
extern void proto(int a);
static __always_inline int __printf(1, 2) attr_fn(const char *f, ...)
{
	return f[0] == '{' ? '}' : "}}"[0];
}
@EXPORT@(attr_fn);
int var __read_mostly = 3;
static void (*fnptr)(int);
typedef struct { int x; } anon_t;
struct named {
#if A
	int a;
#endif
} named_var;
enum e { E1, E2 };
static const int table[] = { 1, 2, };
module_init(attr_fn)
void after_macro(void)
	__releases(x)
{
	// { unbalanced in a comment
	char *s = "{ \\" {";
#ifdef B
	if (s) {
#else
	if (!s) {
#endif
		s++;
	}
}
""".replace("@EXPORT@", "EXPORT" "_SYMBOL")

    def test_items(self):
        sc = cscan.scan(self.SRC)
        got = [(it.kind, it.name, it.line) for it in sc.items]
        self.assertEqual(got, [
            ("define", "ONE", 2),
            ("define", "MULTI", 3),
            ("pp", "include", 5),
            ("pp", "ifdef", 6),
            ("define", "INDENTED", 7),
            ("pp", "endif", 8),
            ("structdecl", "fwd", 9),
            ("structdecl", "u", 10),
            ("decl", "proto", 11),
            ("func", "attr_fn", 12),
            ("decl", "EXPORT_SYMBOL", 16),
            ("decl", "var", 17),
            ("decl", "fnptr", 18),
            ("struct", "anon_t", 19),
            ("struct", "named", 20),
            ("struct", "e", 25),
            ("decl", "table", 26),
            ("decl", "module_init", 27),
            ("func", "after_macro", 28),
        ])

    def test_text_is_exact(self):
        sc = cscan.scan(self.SRC)
        by = {(it.kind, it.name): it for it in sc.items}
        self.assertEqual(by[("define", "MULTI")].text,
                         "#define MULTI(a) \\\n\tdo { a; } while (0)")
        fn = by[("func", "attr_fn")]
        self.assertTrue(fn.text.startswith("static __always_inline"))
        self.assertTrue(fn.text.endswith('"}}"[0];\n}'))
        self.assertTrue(fn.is_static)
        self.assertEqual(by[("decl", "EXPORT_SYMBOL")].text,
                         "EXPORT_SYMBOL(attr_fn);")
        self.assertEqual(by[("struct", "named")].text.splitlines()[-1],
                         "} named_var;")
        self.assertEqual(by[("decl", "module_init")].text,
                         "module_init(attr_fn)")
        last = by[("func", "after_macro")]
        self.assertFalse(last.is_static)
        self.assertTrue(last.text.endswith("\t\ts++;\n\t}\n}"))
        for it in sc.items:
            self.assertEqual(it.text, self.SRC[it.start:it.end])

    def test_conditional_groups(self):
        sc = cscan.scan(self.SRC)
        by = {(it.kind, it.name): it for it in sc.items}
        indented = by[("define", "INDENTED")]
        self.assertEqual(len(indented.cond), 1)
        g = sc.groups[indented.cond[0]]
        self.assertEqual([sc.items[i].name for i in g.directives()],
                         ["ifdef", "endif"])
        self.assertEqual(by[("func", "after_macro")].cond, ())
        self.assertIsNone(sc.guard)

    PERCPU_SRC = """\
DEFINE_PER_CPU(int, plain);
static DEFINE_PER_CPU(struct s, with_init) = {
	.lock = INIT(lock),
	.v = { 1, 2 },
};
static DEFINE_PER_CPU_SHARED_ALIGNED(struct s, aligned);
DEFINE_PER_CPU_READ_MOSTLY(unsigned long, mostly) = 3;
@EXPORT@_PER_CPU_SYMBOL(plain);
DECLARE_PER_CPU(int, declared);
extern int DEFINE_PER_CPU_not_a_macro;
#ifdef CONFIG_X
static DEFINE_PER_CPU(int (*)(int), fn_ptr);
#endif
void after(void)
{
}
""".replace("@EXPORT@", "EXPORT")

    def test_percpu(self):
        sc = cscan.scan(self.PERCPU_SRC)
        got = [(it.kind, it.name, it.line, it.is_static) for it in sc.items]
        self.assertEqual(got, [
            ("percpu", "plain", 1, False),
            ("percpu", "with_init", 2, True),
            ("percpu", "aligned", 6, True),
            ("percpu", "mostly", 7, False),
            ("decl", "EXPORT_PER_CPU_SYMBOL", 8, False),
            ("decl", "declared", 9, False),
            ("decl", "DEFINE_PER_CPU_not_a_macro", 10, False),
            ("pp", "ifdef", 11, False),
            ("percpu", "fn_ptr", 12, True),
            ("pp", "endif", 13, False),
            ("func", "after", 14, False),
        ])
        by = {(it.kind, it.name): it for it in sc.items}
        # The whole definition, initializer included, up to its ';'.
        self.assertEqual(by[("percpu", "with_init")].text,
                         self.PERCPU_SRC.split("\n", 1)[1].split(
                             "\nstatic DEFINE_PER_CPU_SHARED")[0])
        self.assertEqual(by[("percpu", "fn_ptr")].cond,
                         (by[("pp", "ifdef")].group,))
        for it in sc.items:
            self.assertEqual(it.text, self.PERCPU_SRC[it.start:it.end])

    def test_include_guard(self):
        sc = cscan.scan(TYPES_H)
        self.assertIsNotNone(sc.guard)
        st = sc.find("struct", "page_frag_cache")
        self.assertEqual(len(st), 1)
        self.assertEqual(st[0].cond, (sc.guard,))
        self.assertIn("#else", st[0].text)


class TestCli(TempDirTest):
    def test_list_files(self):
        rc, so, se = run_extract("--list-files")
        self.assertEqual((rc, se), (0, ""))
        files = so.splitlines()
        self.assertEqual(files[0], "Makefile")
        self.assertEqual(files, ["Makefile"] + sorted(files[1:]))
        self.assertEqual(set(files), {
            "Makefile", "include/linux/gfp.h", "include/linux/gfp_types.h",
            "include/linux/mm_types.h", "include/linux/mm_types_task.h",
            "include/linux/page_frag_cache.h", "mm/page_alloc.c",
            "mm/page_frag_cache.c", "include/linux/skbuff.h",
            "net/core/skbuff.c"})
        self.assertEqual(files, layouts.needed_files())

    def test_check(self):
        for layout in ("classic", "classic-v6.9", "encoded"):
            with self.subTest(layout=layout):
                t = self.tree(layout, layout)
                rc, so, se = run_extract("--tree", t, "--check")
                self.assertEqual((rc, se), (0, ""))
                self.assertEqual(so, "layout=%s release=6.99.1\n" % layout)

    def test_partial_tree_copy(self):
        # A tree holding only the --list-files files is enough.
        src = self.tree("classic-v6.9", "full", net=True)
        write(src, "mm/unrelated.c", "int x;\n")
        dst = os.path.join(self.tmp, "partial")
        for rel in layouts.needed_files():
            if os.path.exists(os.path.join(src, rel)):
                os.makedirs(os.path.dirname(os.path.join(dst, rel)),
                            exist_ok=True)
                shutil.copy(os.path.join(src, rel), os.path.join(dst, rel))
        a = self.extract(src, out=os.path.join(self.tmp, "a.c"))
        b = self.extract(dst, out=os.path.join(self.tmp, "b.c"))
        # Only the tree's path differs: the comment and FS_KERNEL_TREE.
        self.assertEqual(a.replace(src, "T"), b.replace(dst, "T"))
        self.assertIn('#define FS_KERNEL_TREE "%s"\n' % dst, b)
        self.assertIn("#define FS_HAVE_NET 1\n", b)

    def test_deterministic_and_build_id(self):
        t = self.tree("classic-v6.9")
        a = self.extract(t, out=os.path.join(self.tmp, "a.c"))
        b = self.extract(t, out=os.path.join(self.tmp, "b.c"))
        c = self.extract(t, out=os.path.join(self.tmp, "c.c"),
                         ident="other", name="other")
        self.assertEqual(a, b)
        bid = re.compile(r'#define FS_BUILD_ID "([0-9a-f]{12})"\n')
        self.assertEqual(bid.search(a).group(1), bid.search(c).group(1))
        # Any change to the kernel text changes the build id.
        p = os.path.join(t, "mm/page_alloc.c")
        with open(p) as f:
            src = f.read()
        with open(p, "w") as f:
            f.write(src.replace('"{{{"', '"{{"'))
        d = self.extract(t, out=os.path.join(self.tmp, "d.c"))
        self.assertNotEqual(bid.search(a).group(1), bid.search(d).group(1))


class TestOutput(TempDirTest):
    def test_classic_v6_9_exact(self):
        t = self.tree("classic-v6.9")
        text = self.extract(t)
        prologue, sections = parse_output(text)
        bid = re.search(r'FS_BUILD_ID "([0-9a-f]{12})"', text).group(1)
        self.assertEqual(prologue, [
            "/* Generated by alloc/extract from %s (6.99.1, layout "
            "classic-v6.9) \u2014 do not edit. */" % os.path.abspath(t),
            "#define FS_TARGET_ID fake_6_99",
            '#define FS_TARGET_NAME "fake-6.99"',
            '#define FS_KERNEL_RELEASE "6.99.1"',
            '#define FS_KERNEL_TREE "%s"' % os.path.abspath(t),
            '#define FS_LAYOUT "classic-v6.9"',
            "#define FS_LAYOUT_CLASSIC 1",
        ] + ["#define FS_HAVE_%s 1" % f for f in FS_HAVE["classic-v6.9"]] + [
            # The title table: page_frag proper, and what a call reaches.
            "#define FS_KFUNCS \\",
            '\t{ "page_frag_alloc_align", 1, "__page_frag_alloc_align" }, \\',
            '\t{ "page_frag_alloc", 1, "__page_frag_alloc_align" }, \\',
            '\t{ "__page_frag_cache_refill", 1, "__page_frag_cache_refill" }, \\',
            '\t{ "page_frag_cache_drain", 1, "page_frag_cache_drain" }, \\',
            '\t{ "__page_frag_cache_drain", 1, "__page_frag_cache_drain" }, \\',
            '\t{ "__page_frag_alloc_align", 1, "__page_frag_alloc_align" }, \\',
            '\t{ "page_frag_free", 1, "page_frag_free" },',
            '#define FS_BUILD_ID "%s"' % bid,
            '#define FS_ZOO ""',
            "/* Non-static extracted functions get a per-target prefix so "
            "several kernels link into one binary. */",
        ] + ["#define %s fs_fake_6_99_%s" % (f, f)
             for f in RENAMED["classic-v6.9"]])

        heads = [(line, path) for line, path, _, _ in sections]
        T = "include/linux/mm_types_task.h"
        G = "include/linux/gfp.h"
        C = "mm/page_alloc.c"

        def line_of(src, needle):
            return src[:src.index(needle)].count("\n") + 1

        gen = sections[1][3] + 1       # output line after the directive
        self.assertEqual(heads, [
            (1, "include/linux/gfp_types.h"),
            (gen, "fragsim-generated"),
            (line_of(TYPES_H, "#define PAGE_FRAG_CACHE_MAX_SIZE"), T),
            (line_of(TYPES_H, "#define PAGE_FRAG_CACHE_MAX_ORDER"), T),
            (line_of(TYPES_H, "\nstruct page_frag_cache {") + 1, T),
            (line_of(GFP_H_V6_9, "void page_frag_cache_drain"), G),
            (line_of(GFP_H_V6_9, "extern void __page_frag_cache_drain"), G),
            (line_of(GFP_H_V6_9, "void *__page_frag_alloc_align"), G),
            (line_of(GFP_H_V6_9, "static inline void *page_frag_alloc_"), G),
            (line_of(GFP_H_V6_9, "static inline void *page_frag_alloc("), G),
            (line_of(GFP_H_V6_9, "extern void page_frag_free"), G),
            (line_of(PAGE_ALLOC_V6_9, "static struct page *__page_"), C),
            (line_of(PAGE_ALLOC_V6_9, "void page_frag_cache_drain"), C),
            (line_of(PAGE_ALLOC_V6_9, "void __page_frag_cache_drain"), C),
            (line_of(PAGE_ALLOC_V6_9, "void *__page_frag_alloc_align(s"), C),
            (line_of(PAGE_ALLOC_V6_9, "#ifdef CONFIG_FAKE"), C),
            (line_of(PAGE_ALLOC_V6_9, "void page_frag_free"), C),
            (line_of(PAGE_ALLOC_V6_9, "#else\nvoid page_frag_free"), C),
            (line_of(PAGE_ALLOC_V6_9, "}\n#else\nvoid page_frag_free") + 2,
             C),
            (line_of(PAGE_ALLOC_V6_9, "#endif\nEXPORT_SYMBOL(page_frag_f"),
             C),
            (1, "fragsim-glue"),
        ])
        # gfp_types.h verbatim, then the shim.
        self.assertEqual("\n".join(sections[0][2]) + "\n", GFP_TYPES)
        self.assertEqual(sections[1][2][0], "#include <kshim/kernel.h>")
        self.assertEqual(text.split("\n")[gen - 1],
                         "#include <kshim/kernel.h>")
        self.assertTrue(text.endswith('\n#line 1 "fragsim-glue"\n'
                                      '#include <target/kernel_glue.h>\n'))
        # Item texts are byte-exact, from first token to '}' or ';'.
        body = {(line, path): "\n".join(b).rstrip("\n")
                for line, path, b, _ in sections}
        start = line_of(PAGE_ALLOC_V6_9, "static struct page *__page_")
        self.assertEqual(body[(start, C)], REFILL)
        self.assertEqual(body[(line_of(TYPES_H, "\nstruct page_frag_cache {")
                               + 1, T)],
                         TYPES_H[TYPES_H.index("\nstruct page_frag_cache {")
                                 + 1:
                                 TYPES_H.index("};\n\nstruct fake_after") + 2])
        self.assertEqual(body[(line_of(TYPES_H, "#define PAGE_FRAG_CACHE_MAX"
                                       "_SIZE"), T)],
                         "#define PAGE_FRAG_CACHE_MAX_SIZE \\\n\t(8 * 1024)")
        check_line_mapping(self, t, text)
        for bad in ("fake_unrelated", "EXPORT_SYMBOL", "fake_after",
                    "FAKE_UNRELATED_MACRO", "#include <linux",
                    "struct page_frag_cache;", "FAKE_TYPES_H"):
            self.assertNotIn(bad, text.split("fragsim-generated")[1])

    def test_classic(self):
        t = self.tree("classic")
        text = self.extract(t)
        self.assertIn('#define FS_LAYOUT "classic"\n', text)
        self.assertIn("#define FS_LAYOUT_CLASSIC 1\n", text)
        self.assertNotIn("FS_LAYOUT_ENCODED", text)
        have = re.findall(r"#define FS_HAVE_(\w+) 1\n", text)
        self.assertEqual(have, FS_HAVE["classic"])
        ren = re.findall(r"#define (\w+) fs_fake_6_99_(\w+)\n", text)
        self.assertEqual(ren, [(f, f) for f in RENAMED["classic"]])
        _, sections = parse_output(text)
        paths = [p for _, p, _, _ in sections]
        self.assertEqual(paths.count("include/linux/mm_types.h"), 3)
        self.assertEqual(paths.count("include/linux/gfp.h"), 4)
        self.assertNotIn("fake_tail", text)
        check_line_mapping(self, t, text)

    def test_encoded(self):
        t = self.tree("encoded")
        text = self.extract(t)
        self.assertIn('#define FS_LAYOUT "encoded"\n', text)
        self.assertIn("#define FS_LAYOUT_ENCODED 1\n", text)
        self.assertNotIn("FS_LAYOUT_CLASSIC", text)
        have = re.findall(r"#define FS_HAVE_(\w+) 1\n", text)
        self.assertEqual(have, FS_HAVE["encoded"])
        ren = re.findall(r"#define (\w+) fs_fake_6_99_(\w+)\n", text)
        self.assertEqual(ren, [(f, f) for f in RENAMED["encoded"]])
        _, sections = parse_output(text)
        H = "include/linux/page_frag_cache.h"
        firsts = [(p, b[0]) for _, p, b, _ in sections]
        # The ORDER_MASK alternatives keep their #if/#else/#endif.
        i = firsts.index((H, "#if FAKE_BIG"))
        self.assertEqual(firsts[i:i + 5], [
            (H, "#if FAKE_BIG"),
            (H, "#define PAGE_FRAG_CACHE_ORDER_MASK 255"),
            (H, "#else"),
            (H, "#define PAGE_FRAG_CACHE_ORDER_MASK 0"),
            (H, "#endif")])
        order = [p for p, _ in firsts]
        self.assertEqual(order[2:5], ["include/linux/mm_types_task.h"] * 3)
        self.assertLess(order.index(H), order.index("mm/page_frag_cache.c"))
        self.assertNotIn("include/linux/gfp.h", order)
        check_line_mapping(self, t, text)


class TestErrors(TempDirTest):
    def test_not_a_directory(self):
        f = os.path.join(self.tmp, "file")
        write(self.tmp, "file", "x")
        self.assertFails(["--tree", f, "--check"],
                         "%s: not a directory" % f)
        missing = os.path.join(self.tmp, "missing")
        self.assertFails(["--tree", missing, "--check"],
                         "%s: no such directory" % missing)

    def test_not_a_kernel(self):
        t = os.path.join(self.tmp, "t")
        os.makedirs(t)
        self.assertFails(["--tree", t, "--check"],
                         "%s: not a kernel tree (no Makefile)" % t)
        write(t, "Makefile", "all:\n\ttrue\n")
        self.assertFails(["--tree", t, "--check"], "%s: not a kernel tree "
                         "(Makefile has no VERSION/PATCHLEVEL)" % t)
        write(t, "Makefile", MAKEFILE)
        self.assertFails(["--tree", t, "--check"],
                         "%s: not a kernel tree (no mm/page_alloc.c)" % t)

    def test_unknown_layout(self):
        t = self.tree("classic")
        write(t, "mm/page_alloc.c", PAGE_ALLOC_OTHER)
        self.assertFails(["--tree", t, "--check"],
                         "unsupported kernel layout in %s: mm/page_alloc.c "
                         "defines neither page_frag_alloc_align nor "
                         "__page_frag_alloc_align, and mm/page_frag_cache.c "
                         "does not exist" % t)

    def test_missing_struct(self):
        t = self.tree("classic")
        write(t, "include/linux/mm_types.h",
              TYPES_H.replace("struct page_frag_cache {",
                              "struct page_frag_cache_renamed {"))
        out = os.path.join(self.tmp, "out.c")
        self.assertFails(["--tree", t, "--name", "n", "--id", "i",
                          "--out", out],
                         "%s: no definition of struct page_frag_cache in "
                         "include/linux/mm_types.h, "
                         "include/linux/mm_types_task.h" % t)
        self.assertFalse(os.path.exists(out))

    def test_missing_function(self):
        t = self.tree("classic-v6.9")
        write(t, "mm/page_alloc.c", PAGE_ALLOC_V6_9.replace(
            "void page_frag_cache_drain(", "void page_frag_cache_drain_x("))
        self.assertFails(["--tree", t, "--check"],
                         "%s: no definition of function page_frag_cache_drain"
                         " in mm/page_alloc.c" % t)

    def test_usage(self):
        self.assertFails(["--bogus"])
        self.assertFails(["--check"], "--tree DIR is required")
        t = self.tree("classic")
        self.assertFails(["--tree", t], "--name, --id, --out required "
                         "(or --check)")
        self.assertFails(["--tree", t, "--name", "n", "--id", "6x",
                          "--out", os.path.join(self.tmp, "o.c")])
        self.assertFails(["--tree", t, "--name", 'a"b', "--id", "x",
                          "--out", os.path.join(self.tmp, "o.c")])
        self.assertFails(["--tree", t, "--name", "n", "--id", "x",
                          "--out", os.path.join(self.tmp, "no/dir/o.c")])


class TestNet(TempDirTest):
    """The network front end: attached to every layout when the tree has
    net/core/skbuff.c."""

    def test_classic_v6_9_net_exact(self):
        t = self.tree("classic-v6.9", net=True)
        text = self.extract(t)
        prologue, sections = parse_output(text)
        have = re.findall(r"#define FS_HAVE_(\w+) 1\n", text)
        self.assertEqual(have, FS_HAVE["classic-v6.9"] + NET_FS_HAVE +
                         ["NET"])
        ren = re.findall(r"#define (\w+) fs_fake_6_99_(\w+)\n", text)
        self.assertEqual(ren, [(f, f) for f in RENAMED["classic-v6.9"] +
                               NET_RENAMED])
        # FS_HAVE_NET sits with the other FS_ macros, before the renames.
        self.assertLess(prologue.index("#define FS_HAVE_NET 1"),
                        prologue.index('#define FS_ZOO ""'))

        H = "include/linux/skbuff.h"
        C = "net/core/skbuff.c"

        def line_of(src, needle, nth=1):
            at = -1
            for _ in range(nth):
                at = src.index(needle, at + 1)
            return src[:at].count("\n") + 1

        heads = [(line, path) for line, path, _, _ in sections]
        # The page_frag part is as without the front end.
        plain = self.extract(self.tree("classic-v6.9", "plain"),
                             out=os.path.join(self.tmp, "plain.c"))
        _, plain_sections = parse_output(plain)
        n = len(plain_sections) - 1

        def kernel_heads(secs):
            return [(line, path) if not path.startswith("fragsim-")
                    else path for line, path, _, _ in secs]
        self.assertEqual(kernel_heads(sections[:n]),
                         kernel_heads(plain_sections[:n]))
        shim_line, shim_path, shim_body, shim_at = sections[n]
        self.assertEqual(shim_path, "fragsim-generated")
        self.assertEqual(shim_line, shim_at + 1)
        self.assertEqual(shim_body[0], "#include <kshim/net.h>")
        self.assertEqual(text.split("\n")[shim_line - 1],
                         "#include <kshim/net.h>")
        self.assertEqual(heads[n + 1:], [
            (line_of(SKBUFF_H, "#define SKB_DATA_ALIGN"), H),
            (line_of(SKBUFF_H, "#ifdef __KERNEL__"), H),
            (line_of(SKBUFF_H, "void *__netdev_alloc_frag_align"), H),
            (line_of(SKBUFF_H, "static inline void *netdev_alloc_frag("), H),
            (line_of(SKBUFF_H, "static inline void *netdev_alloc_frag_"), H),
            (line_of(SKBUFF_H, "static inline void skb_free_frag"), H),
            (line_of(SKBUFF_H, "void *__napi_alloc_frag_align"), H),
            (line_of(SKBUFF_H, "static inline void *napi_alloc_frag("), H),
            (line_of(SKBUFF_H, "static inline void *napi_alloc_frag_"), H),
            (line_of(SKBUFF_H, "#endif /* __KERNEL__"), H),
            (line_of(SKBUFF_C, "#define NAPI_SKB_CACHE_SIZE"), C),
            (line_of(SKBUFF_C, "#if FAKE_PAGE_4K"), C),
            (line_of(SKBUFF_C, "#define NAPI_HAS_SMALL"), C),
            (line_of(SKBUFF_C, "#define NAPI_SMALL_PAGE"), C),
            (line_of(SKBUFF_C, "\nstruct page_frag_1k {") + 1, C),
            (line_of(SKBUFF_C, "static void *page_frag_alloc_1k"), C),
            (line_of(SKBUFF_C, "#else"), C),
            (line_of(SKBUFF_C, "#define NAPI_HAS_SMALL", 2), C),
            (line_of(SKBUFF_C, "#define NAPI_SMALL_PAGE", 2), C),
            (line_of(SKBUFF_C, "\nstruct page_frag_1k {", 2) + 1, C),
            (line_of(SKBUFF_C, "static void *page_frag_alloc_1k", 2), C),
            (line_of(SKBUFF_C, "#endif"), C),
            (line_of(SKBUFF_C, "struct napi_alloc_cache {"), C),
            (line_of(SKBUFF_C, "static DEFINE_PER_CPU(struct page_"), C),
            (line_of(SKBUFF_C, "static DEFINE_PER_CPU(struct napi_"), C),
            (line_of(SKBUFF_C, "void *__napi_alloc_frag_align"), C),
            (line_of(SKBUFF_C, "void *__netdev_alloc_frag_align"), C),
            (1, "fragsim-glue"),
        ])
        body = {(line, path): "\n".join(b).rstrip("\n")
                for line, path, b, _ in sections}
        start = SKBUFF_C.index("static DEFINE_PER_CPU(struct napi_")
        self.assertEqual(
            body[(line_of(SKBUFF_C, "static DEFINE_PER_CPU(struct napi_"),
                  C)],
            SKBUFF_C[start:SKBUFF_C.index("};\n", start) + 2])
        self.assertTrue(text.endswith('\n#line 1 "fragsim-glue"\n'
                                      '#include <target/kernel_glue.h>\n'))
        check_line_mapping(self, t, text)
        net = text.split("kshim/net.h")[1]
        for bad in ("fake_skb_unrelated", "FAKE_SKB_UNRELATED", "fake_skb_",
                    "FAKE_NAPI_OTHER", "fake_unrelated_counter",
                    "EXPORT_SYMBOL", "FAKE_SKBUFF_H", "#include <linux"):
            self.assertNotIn(bad, net)

    def test_every_layout(self):
        for layout in ("classic", "classic-v6.9", "encoded"):
            with self.subTest(layout=layout):
                t = self.tree(layout, layout, net=True)
                text = self.extract(t)
                have = re.findall(r"#define FS_HAVE_(\w+) 1\n", text)
                self.assertEqual(have, FS_HAVE[layout] + NET_FS_HAVE +
                                 ["NET"])
                ren = re.findall(r"#define (\w+) fs_fake_6_99_(\w+)\n",
                                 text)
                self.assertEqual(ren, [(f, f) for f in RENAMED[layout] +
                                       NET_RENAMED])
                self.assertEqual(text.count("#include <kshim/net.h>\n"), 1)
                check_line_mapping(self, t, text)
                rc, so, se = run_extract("--tree", t, "--check")
                self.assertEqual((rc, so, se),
                                 (0, "layout=%s release=6.99.1\n" % layout,
                                  ""))

    def test_no_skbuff_c(self):
        # No net/core/skbuff.c (e.g. a partial tree): no front end, even
        # with skbuff.h there.
        t = self.tree("classic-v6.9", net=True)
        os.unlink(os.path.join(t, "net/core/skbuff.c"))
        text = self.extract(t)
        plain = self.extract(self.tree("classic-v6.9", "plain"),
                             out=os.path.join(self.tmp, "plain.c"))
        self.assertNotIn("FS_HAVE_NET", text)
        self.assertNotIn("kshim/net.h", text)
        self.assertNotIn("skbuff", text)
        self.assertEqual(text.split("\n", 1)[1], plain.split("\n", 1)[1]
                         .replace(os.path.join(self.tmp, "plain"),
                                  os.path.join(self.tmp, "tree")))

    def test_missing_items(self):
        t = self.tree("classic-v6.9", net=True)
        out = os.path.join(self.tmp, "out.c")
        args = ["--tree", t, "--name", "n", "--id", "i", "--out", out]
        C = os.path.join(t, "net/core/skbuff.c")
        H = os.path.join(t, "include/linux/skbuff.h")
        cases = [
            (C, SKBUFF_C.replace("void *__napi_alloc_frag_align(",
                                 "void *__napi_alloc_frag_align_x("),
             "no definition of function __napi_alloc_frag_align in "
             "net/core/skbuff.c"),
            (C, SKBUFF_C.replace("void *__netdev_alloc_frag_align(",
                                 "void *fake_renamed("),
             "no definition of function __netdev_alloc_frag_align in "
             "net/core/skbuff.c"),
            (C, SKBUFF_C.replace("struct napi_alloc_cache, napi_alloc_cache",
                                 "struct napi_alloc_cache, napi_cache"),
             "no definition of per-CPU variable napi_alloc_cache in "
             "net/core/skbuff.c"),
            (C, SKBUFF_C.replace("struct napi_alloc_cache {",
                                 "struct napi_alloc_cache_x {"),
             "no definition of struct napi_alloc_cache in "
             "net/core/skbuff.c"),
            (H, SKBUFF_H.replace("inline void skb_free_frag(",
                                 "inline void skb_free_frag_x("),
             "no definition of function skb_free_frag in "
             "include/linux/skbuff.h"),
            (H, None,
             "no definition of macro SKB_DATA_ALIGN in "
             "include/linux/skbuff.h"),
        ]
        for path, text, message in cases:
            with self.subTest(message=message):
                make_tree(t, "classic-v6.9", net=True)
                if text is None:
                    os.unlink(path)
                else:
                    write(t, os.path.relpath(path, t), text)
                self.assertFails(args, "%s: %s" % (t, message))
                self.assertFails(["--tree", t, "--check"],
                                 "%s: %s" % (t, message))
                self.assertFalse(os.path.exists(out))

    def test_1k_optional(self):
        t = self.tree("classic", net=True)
        write(t, "net/core/skbuff.c", SKBUFF_C_NO_1K)
        text = self.extract(t)
        have = re.findall(r"#define FS_HAVE_(\w+) 1\n", text)
        self.assertEqual(have, FS_HAVE["classic"] +
                         [f for f in NET_FS_HAVE
                          if f != "page_frag_alloc_1k"] + ["NET"])
        for gone in ("page_frag_1k", "NAPI_HAS_SMALL_PAGE_FRAG",
                     "FAKE_PAGE_4K", "#else"):
            self.assertNotIn(gone, text.split("kshim/net.h")[1])
        self.assertIn("struct napi_alloc_cache {", text)
        check_line_mapping(self, t, text)

    def test_build_id_covers_net(self):
        bid = re.compile(r'#define FS_BUILD_ID "([0-9a-f]{12})"\n')
        t = self.tree("classic-v6.9", net=True)
        a = bid.search(self.extract(t)).group(1)
        write(t, "net/core/skbuff.c", SKBUFF_C.replace(
            "SKB_DATA_ALIGN(sz), mask);\n\t}", "SKB_DATA_ALIGN(sz), 1);\n\t}"))
        b = bid.search(self.extract(t)).group(1)
        write(t, "include/linux/skbuff.h", SKBUFF_H.replace("~0u", "~1u"))
        c = bid.search(self.extract(t)).group(1)
        os.unlink(os.path.join(t, "net/core/skbuff.c"))
        d = bid.search(self.extract(t)).group(1)
        self.assertEqual(len({a, b, c, d}), 4)

    def test_zoo_edits_net_items(self):
        t = self.tree("classic-v6.9", net=True)
        write(self.tmp, "n.zoo", ZOO_HEAD +
              "edit: __netdev_alloc_frag_align\n"
              "- if (fake_hardirq() || fake_irqs_off())\n"
              "+ if (!fake_hardirq() && fake_irqs_off())\n"
              "edit: percpu:netdev_alloc_cache\n"
              "- netdev_alloc_cache);\n"
              "+ netdev_alloc_cache) = { 0 };\n")
        text = self.extract(t, "--zoo", os.path.join(self.tmp, "n.zoo"))
        self.assertIn("\tif (!fake_hardirq() && fake_irqs_off()) {\n", text)
        self.assertIn("static DEFINE_PER_CPU(struct page_frag_cache, "
                      "netdev_alloc_cache) = { 0 };\n", text)
        # A tree without the front end has no such item.
        write(self.tmp, "p.zoo", ZOO_HEAD +
              "edit: func:__netdev_alloc_frag_align\n- a\n+ b\n")
        plain = self.tree("classic-v6.9", "plain")
        z = os.path.join(self.tmp, "p.zoo")
        self.assertFails(["--tree", plain, "--check", "--zoo", z],
                         "zoo Z-T (%s:7): no extracted item named "
                         "__netdev_alloc_frag_align (layout classic-v6.9)"
                         % z)


ZOO_HEAD = """\
# a test zoo entry
id: Z-T
title: test entry # with a comment
kernels: classic-v6.9 encoded     # layouts
expect: some-finding
source: nothing, free text
"""


class TestZoo(TempDirTest):
    def zoo(self, body, head=ZOO_HEAD, name="t.zoo"):
        write(self.tmp, name, head + body)
        return os.path.join(self.tmp, name)

    def test_info(self):
        z = self.zoo("edit: page_frag_free\n- fake_free(p);\n+ ;\n")
        rc, so, se = run_extract("--zoo-info", z)
        self.assertEqual((rc, se), (0, ""))
        self.assertEqual(so, "id=Z-T\nkernels=classic-v6.9 encoded\n"
                         "expect=some-finding\n")

    def test_nth_occurrence(self):
        t = self.tree("classic-v6.9")
        plain = self.extract(t, out=os.path.join(self.tmp, "plain.c"))
        z = self.zoo("edit: __page_frag_alloc_align 2\n"
                     "-   fake_ref_add( c,1);\n"
                     "+ fake_ref_add(c, 2); /* zoo */\n")
        # "fake_ref_add(" and "c," are separate words: no match without
        # the whitespace the pattern asks for.
        self.assertFails(["--tree", t, "--name", "n", "--id", "i", "--out",
                          os.path.join(self.tmp, "x.c"), "--zoo", z],
                         "zoo Z-T (%s:8): text not found in "
                         "__page_frag_alloc_align:   fake_ref_add( c,1);" % z)
        z = self.zoo("edit: __page_frag_alloc_align 2\n"
                     "-   fake_ref_add(c,   1);\n"
                     "+ fake_ref_add(c, 2); /* zoo */\n")
        text = self.extract(t, "--zoo", z)
        body = text[text.rindex("void *__page_frag_alloc_align(struct"):]
        body = body[:body.index("\n}\n")]
        self.assertEqual(body.split("\n")[3:6], [
            "\tfake_ref_add(c, 1);",
            "\tfake_ref_add(c, 2); /* zoo */",
            "\tfake_ref_add(c, 1);"])
        self.assertIn('#define FS_ZOO "Z-T"\n', text)
        # Only that line differs (and the zoo/build-id lines).
        diff = [(a, b) for a, b in zip(plain.split("\n"), text.split("\n"))
                if a != b]
        self.assertEqual(len(diff), 3, diff)
        self.assertEqual(len(plain.split("\n")), len(text.split("\n")))

    def test_multiline_match_keeps_lines(self):
        t = self.tree("classic-v6.9")
        z = self.zoo("edit: __page_frag_alloc_align\n"
                     "- fake_bias(c, sz);\n"
                     "+ fake_bias(c, sz + 1);\n")
        text = self.extract(t, "--zoo", z)
        self.assertIn("\tfake_bias(c, sz + 1);\n\n\treturn c->where;", text)
        plain = self.extract(t, out=os.path.join(self.tmp, "p.c"))
        self.assertEqual(len(plain.split("\n")), len(text.split("\n")))

    def test_alternative_names(self):
        head = ZOO_HEAD.replace("classic-v6.9 encoded", "classic")
        z = self.zoo("edit: __page_frag_alloc_align|page_frag_alloc_align 3\n"
                     "- fake_ref_add(c, 1);\n"
                     "+ fake_ref_add(c, 3);\n", head=head)
        t = self.tree("classic")
        text = self.extract(t, "--zoo", z)
        self.assertIn("\tfake_ref_add(c, 1);\n\tfake_ref_add(c, 3);\n\tfake_"
                      "bias(c,", text)
        # The edit goes to the function, not to the gfp.h prototype.
        self.assertEqual(text.count("fake_ref_add(c, 3)"), 1)

    def test_two_zoos_and_build_id(self):
        t = self.tree("classic-v6.9")
        z1 = self.zoo("edit: page_frag_free\n- fake_free(p);\n+ ;\n",
                      name="a.zoo")
        z2 = self.zoo("edit: struct:page_frag_cache\n- unsigned int bias;\n"
                      "+ unsigned long bias;\n",
                      head=ZOO_HEAD.replace("Z-T", "Z-U"), name="b.zoo")
        plain = self.extract(t, out=os.path.join(self.tmp, "p.c"))
        text = self.extract(t, "--zoo", z1, "--zoo", z2)
        self.assertIn('#define FS_ZOO "Z-T+Z-U"\n', text)
        self.assertIn("\tunsigned long bias; /* } */\n", text)
        bid = re.compile(r'FS_BUILD_ID "(\w+)"')
        self.assertNotEqual(bid.search(plain).group(1),
                            bid.search(text).group(1))

    def test_errors(self):
        t = self.tree("classic-v6.9")
        out = os.path.join(self.tmp, "out.c")
        with open(out, "w") as f:
            f.write("old\n")
        base = ["--tree", t, "--name", "n", "--id", "i", "--out", out]

        z = self.zoo("edit: no_such_function\n- a\n+ b\n")
        self.assertFails(base + ["--zoo", z], "zoo Z-T (%s:7): no extracted "
                         "item named no_such_function (layout classic-v6.9)"
                         % z)
        z = self.zoo("edit: page_frag_free 2\n- fake_free(p);\n+ x\n")
        self.assertFails(base + ["--zoo", z], "zoo Z-T (%s:8): occurrence 2 "
                         "of text not found in page_frag_free (found 1): "
                         "fake_free(p);" % z)
        z = self.zoo("edit: page_frag_free\n- fake_free(p);\n+ x\n",
                     head=ZOO_HEAD.replace("classic-v6.9 encoded",
                                           "classic"))
        self.assertFails(base + ["--zoo", z],
                         "zoo Z-T does not apply to layout classic-v6.9")
        z = self.zoo("edit: page_frag_free\n- fake_free(p);\n")
        self.assertFails(base + ["--zoo", z], "zoo %s:8: 'edit:' on line 7 "
                         "is missing its '-' and '+' lines" % z)
        z = self.zoo("edit: page_frag_free\n+ x\n- y\n")
        self.assertFails(base + ["--zoo", z], "zoo %s:8: expected a '- text' "
                         "line after 'edit:' on line 7" % z)
        z = self.zoo("kernel: classic\n")
        self.assertFails(base + ["--zoo", z])
        z = self.zoo("edit: page_frag_free\n- a\n+ b\n",
                     head=ZOO_HEAD.replace("id: Z-T\n", ""))
        self.assertFails(base + ["--zoo", z], "zoo %s: no 'id:' line" % z)
        z = self.zoo("edit: page_frag_free\n- a\n+ b\n",
                     head=ZOO_HEAD.replace("encoded", "bogus"))
        self.assertFails(base + ["--zoo", z])
        self.assertFails(["--zoo-info", os.path.join(self.tmp, "none.zoo")])
        with open(out) as f:
            self.assertEqual(f.read(), "old\n")
        self.assertEqual(sorted(os.listdir(self.tmp)),
                         ["out.c", "t.zoo", "tree"])


class TestZooFiles(TempDirTest):
    """The project's own alloc/zoo/*.zoo entries parse (and, with real
    trees, apply to every tree whose layout they list)."""

    def test_zoo_files(self):
        zdir = os.path.join(ROOT, "alloc", "zoo")
        zoos = sorted(os.path.join(zdir, f) for f in os.listdir(zdir)
                      if f.endswith(".zoo")) if os.path.isdir(zdir) else []
        if not zoos:
            self.skipTest("no alloc/zoo/*.zoo")
        layout = {}
        for tree in real_trees():
            rc, so, se = run_extract("--tree", tree, "--check")
            self.assertEqual((rc, se), (0, ""))
            layout[tree] = so.split()[0].split("=")[1]
        for z in zoos:
            with self.subTest(zoo=os.path.basename(z)):
                rc, so, se = run_extract("--zoo-info", z)
                self.assertEqual((rc, se), (0, ""))
                info = dict(line.split("=", 1) for line in so.splitlines())
                self.assertEqual(sorted(info), ["expect", "id", "kernels"])
                for tree in real_trees():
                    if layout[tree] in info["kernels"].split():
                        self.extract(tree, "--zoo", z)



def line_in(text, needle):
    """1-based line of the first line of text holding needle."""
    return text[:text.index(needle)].count("\n") + 1


class TestBuildChecks(TempDirTest):
    """Feature macros and the checks made before anything is compiled."""

    CALL = "return fake_encode(p, o);"

    def encoded(self, call=None, name="tree"):
        t = self.tree("encoded", name)
        if call is not None:
            write(t, "mm/page_frag_cache.c",
                  PAGE_FRAG_CACHE_C.replace(self.CALL, call))
        return t

    def test_alloc_pages_arity(self):
        for args, want in (("g, 3, 0, NULL", "4"),
                           ("g, 3, 0, NULL, FAKE_GFP_A", "5")):
            with self.subTest(args=args):
                t = self.encoded("gfp_t g = 0; return (unsigned long)"
                                 "__alloc_pages(%s);" % args, args[-4:])
                text = self.extract(t)
                self.assertIn("#define FS_ALLOC_PAGES_NARGS %s\n" % want,
                              text)
                rc, so, se = run_extract("--tree", t, "--features")
                self.assertEqual((rc, se), (0, ""))
                self.assertIn("alloc_pages_nargs=%s" % want, so)

    def test_no_feature_no_macro(self):
        text = self.extract(self.encoded())
        self.assertNotIn("FS_ALLOC_PAGES_NARGS", text)
        self.assertNotIn("FS_NAPI_BH_LOCK", text)

    def test_alloc_pages_mixed_arity(self):
        t = self.encoded("__alloc_pages(1, 2, 3, 4); "
                         "return __alloc_pages(1, 2, 3, 4, 5);")
        se = self.assertFails(["--tree", t, "--check"])
        self.assertIn("__alloc_pages() called with 4 and 5 arguments", se)

    def test_unmodelled_symbol(self):
        call = "return zz_not_shimmed(p, o);"
        t = self.encoded(call)
        line = line_in(PAGE_FRAG_CACHE_C.replace(self.CALL, call), call)
        want = ("mm/page_frag_cache.c:%d: zz_not_shimmed is not modelled "
                "by fragsim's kernel shim (alloc/kshim)" % line)
        self.assertFails(["--tree", t, "--check"], want)
        self.assertFails(["--tree", t, "--name", "x", "--id", "x", "--out",
                          os.path.join(self.tmp, "o.c")], want)

    def test_unmodelled_constant_and_type(self):
        for call, name in (("return ZZ_NOT_SHIMMED;", "ZZ_NOT_SHIMMED"),
                           ("zz_thing_t x; return 0;", "zz_thing_t")):
            with self.subTest(name=name):
                t = self.encoded(call, name)
                se = self.assertFails(["--tree", t, "--check"])
                self.assertIn(": %s is not modelled" % name, se)

    def test_modelled_and_ignored_names(self):
        # Shim API, members, Kconfig symbols, locals: no complaint.
        t = self.encoded("int local = page_ref_dec_return(p); "
                         "if (IS_ENABLED(CONFIG_ZZ_OFF)) local++; "
                         "return p->zz_member(local) + o;")
        rc, so, se = run_extract("--tree", t, "--check")
        self.assertEqual((rc, se), (0, ""))

    def test_several_unmodelled_one_line(self):
        t = self.encoded("zz_one(); zz_two(); return zz_three();")
        se = self.assertFails(["--tree", t, "--check"])
        self.assertIn("zz_one is not modelled", se)
        self.assertIn("(and 2 more: zz_two, zz_three)", se)

    def test_truncated_header(self):
        t = self.encoded()
        write(t, "include/linux/gfp_types.h",
              GFP_TYPES[:GFP_TYPES.rindex("#endif")])
        se = self.assertFails(["--tree", t, "--check"])
        self.assertIn("include/linux/gfp_types.h:2: #ifndef without #endif",
                      se)

    def test_truncated_source(self):
        t = self.encoded()
        cut = PAGE_FRAG_CACHE_C[:PAGE_FRAG_CACHE_C.index(self.CALL)]
        write(t, "mm/page_frag_cache.c", cut)
        se = self.assertFails(["--tree", t, "--check"])
        self.assertIn("encoded_page_create ends with the file", se)

    def test_gfp_bits_missing(self):
        t = self.encoded()
        write(t, "include/linux/gfp_types.h",
              re.sub(r"#define __GFP_COMP .*\n", "", GFP_TYPES))
        se = self.assertFails(["--tree", t, "--check"])
        self.assertIn("gfp_types.h does not define __GFP_COMP", se)


def real_trees():
    env = os.environ.get("FRAGSIM_KERNEL_TREES", "")
    return [t for t in env.split(":") if t]


@unittest.skipUnless(real_trees(), "FRAGSIM_KERNEL_TREES not set")
class TestRealTrees(TempDirTest):
    def test_trees(self):
        for tree in real_trees():
            with self.subTest(tree=tree):
                self.one_tree(tree)

    def one_tree(self, tree):
        rc, so, se = run_extract("--tree", tree, "--check")
        self.assertEqual((rc, se), (0, ""))
        m = re.fullmatch(r"layout=(\S+) release=(\d+\.\d+\.\d+)\n", so)
        self.assertTrue(m, so)
        layout = m.group(1)
        text = self.extract(tree, ident="real", name="real")
        have = set(re.findall(r"#define FS_HAVE_(\w+) 1\n", text))
        net = os.path.isfile(os.path.join(tree, "net/core/skbuff.c"))
        if re.match(r"6\.(1|12)\.", m.group(2)):
            # The trees scripts/ unpacks hold the network front end.
            self.assertTrue(net, "%s: no net/core/skbuff.c (re-run the "
                            "setup: --list-files has grown)" % tree)
        self.assertEqual("NET" in have, net)
        net_have = set(NET_FS_HAVE) if net else set()
        if net and not re.match(r"6\.(1|12)\.", m.group(2)):
            net_have.discard("page_frag_alloc_1k")      # gone in v6.14
        self.assertLessEqual(net_have, have)
        pf_have = have - set(NET_FS_HAVE) - {"NET"}
        if layout == "encoded":
            self.assertLessEqual(REAL_FS_HAVE[layout], pf_have)
        else:
            self.assertEqual(pf_have, REAL_FS_HAVE[layout])
        self.assertIn('#define FS_KERNEL_RELEASE "%s"\n' % m.group(2), text)
        check_line_mapping(self, tree, text)

        ex = layouts.extract(tree)
        funcs = [p for p in ex.pieces if p.kind == "func"]
        self.assertEqual({p.name for p in funcs}, have - {"NET"})
        if net:
            self.one_net(ex, text)
        for p in funcs:
            sig = re.compile(r"(static\s+)?((inline|__always_inline|noinline"
                             r")\s+)?[\w\s]*?[\w\s\*]*\b%s\(" %
                             re.escape(p.name))
            self.assertTrue(sig.match(p.text), p.text[:80])
            self.assertTrue(p.text.endswith("\n}"), p.text[-80:])
            self.assertEqual(p.text.count("{"), p.text.count("}"), p.name)

    def one_net(self, ex, text):
        """The network front end's items of a real tree."""
        net = [p for p in ex.pieces if p.front is not None]
        got = {(p.kind, p.name) for p in net if not p.skeleton}
        for want in [("define", "SKB_DATA_ALIGN"),
                     ("decl", "__netdev_alloc_frag_align"),
                     ("decl", "__napi_alloc_frag_align"),
                     ("define", "NAPI_SKB_CACHE_SIZE"),
                     ("struct", "napi_alloc_cache"),
                     ("percpu", "netdev_alloc_cache"),
                     ("percpu", "napi_alloc_cache")]:
            self.assertIn(want, got)
        if ("func", "page_frag_alloc_1k") in got:
            for want in [("define", "NAPI_HAS_SMALL_PAGE_FRAG"),
                         ("define", "NAPI_SMALL_PAGE_PFMEMALLOC"),
                         ("struct", "page_frag_1k")]:
                self.assertIn(want, got)
        # skbuff.h's items, then skbuff.c's, after the page_frag ones.
        paths = [p.path for p in ex.pieces]
        first = paths.index("include/linux/skbuff.h")
        self.assertEqual(paths[first:],
                         sorted(paths[first:], key=lambda p: p.endswith(".c")))
        self.assertTrue(all(p.front is None for p in ex.pieces[:first]))
        self.assertTrue(all(p.front is not None for p in ex.pieces[first:]))
        for p in net:
            if p.kind == "percpu":
                self.assertTrue(p.text.startswith("static DEFINE_PER_CPU("))
                self.assertTrue(p.text.endswith(";"), p.text)
                self.assertEqual(p.text.count("{"), p.text.count("}"))
        self.assertIn("#define __netdev_alloc_frag_align "
                      "fs_real___netdev_alloc_frag_align\n", text)
        self.assertIn("#define __napi_alloc_frag_align "
                      "fs_real___napi_alloc_frag_align\n", text)
        tail = text.split("\n#include <kshim/net.h>\n")
        self.assertEqual(len(tail), 2)
        self.assertIn('#line 1 "fragsim-glue"', tail[1])
        self.assertNotIn("skbuff", tail[0].split("fragsim-generated")[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
