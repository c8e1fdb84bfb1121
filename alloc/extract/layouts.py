# SPDX-License-Identifier: GPL-2.0
"""Where each kernel layout keeps the page_frag code, and how to cut it.

A layout is recognised by what the tree contains (files, definitions),
never by its version number.  Each layout lists the items it needs, each
with the candidate files to search in order; the first candidate file that
holds the item wins (all of its definitions of that name, e.g. the two
branches of an #ifdef).  Names ending in '*' are optional patterns that
collect every match in every candidate file, but must match at least once
unless marked optional.

Front ends are the kernel's users of page_frag that come along with every
layout when their file is in the tree: "net", the network stack's per-CPU
fragment caches in net/core/skbuff.c.  A tree (e.g. a partial one) without
that file has no such front end; a tree whose file lacks a required item
is an error.
"""

import os
import re

import cscan
import symbols

MAKEFILE = "Makefile"
GFP_TYPES_H = "include/linux/gfp_types.h"
GFP_H = "include/linux/gfp.h"
MM_TYPES_H = "include/linux/mm_types.h"
MM_TYPES_TASK_H = "include/linux/mm_types_task.h"
PAGE_FRAG_CACHE_H = "include/linux/page_frag_cache.h"
PAGE_ALLOC_C = "mm/page_alloc.c"
PAGE_FRAG_CACHE_C = "mm/page_frag_cache.c"
SKBUFF_H = "include/linux/skbuff.h"
SKBUFF_C = "net/core/skbuff.c"

# Where struct page_frag_cache and its PAGE_FRAG_CACHE_MAX_* live varies:
# mm_types.h up to v6.12 (mm_types_task.h in some v6.9+ trees), then
# mm_types_task.h, maybe page_frag_cache.h one day.
CLASSIC_TYPES_HEADERS = (MM_TYPES_H, MM_TYPES_TASK_H)
ENCODED_TYPES_HEADERS = (MM_TYPES_TASK_H, MM_TYPES_H, PAGE_FRAG_CACHE_H)

CLASSIC = "classic"
CLASSIC_V6_9 = "classic-v6.9"
ENCODED = "encoded"


class ExtractError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class Want:
    __slots__ = ("kind", "name", "files", "optional")

    def __init__(self, kind, name, files, optional=False):
        self.kind = kind
        self.name = name
        self.files = tuple(files)
        self.optional = optional

    @property
    def pattern(self):
        return self.name.endswith("*")

    def matches(self, item):
        if item.kind != self.kind or item.name is None:
            return False
        if self.pattern:
            return item.name.startswith(self.name[:-1])
        return item.name == self.name

    def describe(self):
        what = {
            "define": "no definition of macro %s",
            "struct": "no definition of struct %s",
            "func": "no definition of function %s",
            "decl": "no declaration of %s",
            "percpu": "no definition of per-CPU variable %s",
        }[self.kind]
        return what % self.name


class Layout:
    def __init__(self, name, family, source, headers, wants):
        self.name = name
        self.family = family            # "classic" or "encoded"
        self.source = source            # the .c file
        self.headers = tuple(headers)   # in output order
        self.wants = tuple(wants)

    @property
    def files(self):
        """Files in output order: the headers, then the .c file."""
        return self.headers + (self.source,)


class FrontEnd:
    """Code built on page_frag that every layout may carry along."""

    def __init__(self, name, probe, shim, files, wants):
        self.name = name                # "net": FS_HAVE_NET
        self.probe = probe              # present iff this file exists
        self.shim = shim                # header included before its items
        self.files = tuple(files)       # in output order
        self.wants = tuple(wants)

    @property
    def macro(self):
        return "FS_HAVE_%s" % self.name.upper()


def _w(kind, names, files, optional=False):
    return [Want(kind, n, files, optional) for n in names.split()]


def _types(headers):
    return (_w("define", "PAGE_FRAG_CACHE_MAX_SIZE PAGE_FRAG_CACHE_MAX_ORDER",
               headers) +
            _w("struct", "page_frag_cache", headers))


LAYOUTS = {
    # v4.2 .. v6.8: page_frag_alloc_align() is the real function.
    CLASSIC: Layout(
        CLASSIC, "classic", PAGE_ALLOC_C,
        (MM_TYPES_H, MM_TYPES_TASK_H, GFP_H),
        _types(CLASSIC_TYPES_HEADERS) +
        _w("decl", "__page_frag_cache_drain page_frag_alloc_align "
           "page_frag_free", (GFP_H,)) +
        _w("func", "page_frag_alloc", (GFP_H,)) +
        _w("func", "__page_frag_cache_refill __page_frag_cache_drain "
           "page_frag_alloc_align page_frag_free", (PAGE_ALLOC_C,))),

    # v6.9 .. v6.12: __page_frag_alloc_align() takes the mask, the
    # page_frag_alloc_align() inline an alignment; page_frag_cache_drain().
    CLASSIC_V6_9: Layout(
        CLASSIC_V6_9, "classic", PAGE_ALLOC_C,
        (MM_TYPES_H, MM_TYPES_TASK_H, GFP_H),
        _types(CLASSIC_TYPES_HEADERS) +
        _w("decl", "page_frag_cache_drain __page_frag_cache_drain "
           "__page_frag_alloc_align page_frag_free", (GFP_H,)) +
        _w("func", "page_frag_alloc_align page_frag_alloc", (GFP_H,)) +
        _w("func", "__page_frag_cache_refill page_frag_cache_drain "
           "__page_frag_cache_drain __page_frag_alloc_align page_frag_free",
           (PAGE_ALLOC_C,))),

    # v6.13+: mm/page_frag_cache.c, count-up offset, encoded_page word.
    ENCODED: Layout(
        ENCODED, "encoded", PAGE_FRAG_CACHE_C,
        (MM_TYPES_H, MM_TYPES_TASK_H, PAGE_FRAG_CACHE_H),
        _types(ENCODED_TYPES_HEADERS) +
        _w("define", "PAGE_FRAG_CACHE_ORDER_MASK "
           "PAGE_FRAG_CACHE_PFMEMALLOC_BIT", (PAGE_FRAG_CACHE_H,)) +
        _w("func", "encoded_page_*", (PAGE_FRAG_CACHE_H, PAGE_FRAG_CACHE_C)) +
        _w("func", "page_frag_cache_init page_frag_cache_is_pfmemalloc "
           "page_frag_alloc_align page_frag_alloc", (PAGE_FRAG_CACHE_H,)) +
        _w("decl", "page_frag_cache_drain __page_frag_cache_drain "
           "__page_frag_alloc_align page_frag_free", (PAGE_FRAG_CACHE_H,)) +
        # Whatever else the header defines is page_frag API too.
        _w("define", "PAGE_FRAG_*", (PAGE_FRAG_CACHE_H,), optional=True) +
        _w("func", "*", (PAGE_FRAG_CACHE_H,), optional=True) +
        _w("decl", "*", (PAGE_FRAG_CACHE_H,), optional=True) +
        _w("func", "__page_frag_cache_refill page_frag_cache_drain "
           "__page_frag_cache_drain __page_frag_alloc_align page_frag_free",
           (PAGE_FRAG_CACHE_C,))),
}

# The network stack's fragment caches: netdev_alloc_cache (hard IRQ or IRQs
# off) and napi_alloc_cache (softirq/BH), with the skbuff.h wrappers.  The
# header comes first: its prototypes cover the inlines' calls.  The 1K
# small-page allocator is gone from v6.14.
NET = FrontEnd(
    "net", SKBUFF_C, "kshim/net.h", (SKBUFF_H, SKBUFF_C),
    _w("define", "SKB_DATA_ALIGN", (SKBUFF_H,)) +
    _w("decl", "__netdev_alloc_frag_align __napi_alloc_frag_align",
       (SKBUFF_H,)) +
    _w("func", "netdev_alloc_frag netdev_alloc_frag_align skb_free_frag "
       "napi_alloc_frag napi_alloc_frag_align", (SKBUFF_H,)) +
    _w("define", "NAPI_SKB_CACHE_SIZE", (SKBUFF_C,)) +
    _w("define", "NAPI_HAS_SMALL_PAGE_FRAG NAPI_SMALL_PAGE_PFMEMALLOC",
       (SKBUFF_C,), optional=True) +
    _w("struct", "page_frag_1k", (SKBUFF_C,), optional=True) +
    _w("func", "page_frag_alloc_1k", (SKBUFF_C,), optional=True) +
    _w("struct", "napi_alloc_cache", (SKBUFF_C,)) +
    _w("percpu", "netdev_alloc_cache napi_alloc_cache", (SKBUFF_C,)) +
    _w("func", "__napi_alloc_frag_align __netdev_alloc_frag_align",
       (SKBUFF_C,)))

FRONT_ENDS = (NET,)

UNSUPPORTED = ("mm/page_alloc.c defines neither page_frag_alloc_align nor "
               "__page_frag_alloc_align, and mm/page_frag_cache.c does not "
               "exist")


def needed_files():
    """Every path any layout may read (what a partial tree must hold)."""
    out = {MAKEFILE, GFP_TYPES_H, PAGE_ALLOC_C}
    for lay in LAYOUTS.values():
        out.update(lay.files)
        for w in lay.wants:
            out.update(w.files)
    for fe in FRONT_ENDS:
        out.add(fe.probe)
        out.update(fe.files)
        for w in fe.wants:
            out.update(w.files)
    return [MAKEFILE] + sorted(out - {MAKEFILE})


class Piece:
    """One cut item: where it came from and its (possibly edited) text."""

    __slots__ = ("path", "item", "text", "skeleton", "front")

    def __init__(self, path, item, skeleton, front=None):
        self.path = path
        self.item = item
        self.text = item.text
        self.skeleton = skeleton    # an #if/#else/#endif kept around items
        self.front = front          # None (page_frag) or a FrontEnd

    @property
    def kind(self):
        return self.item.kind

    @property
    def name(self):
        return self.item.name

    @property
    def line(self):
        return self.item.line


class Extraction:
    def __init__(self, tree, release, layout, pieces, gfp_types,
                 fronts=()):
        self.tree = tree
        self.release = release
        self.layout = layout.name
        self.family = layout.family
        self.pieces = pieces            # page_frag, then each front end's
        self.gfp_types = gfp_types
        self.fronts = tuple(fronts)     # the FrontEnds present
        self.zoo = []

    def functions(self):
        """Names of the extracted function definitions, in output order."""
        out = []
        for p in self.pieces:
            if p.kind == "func" and p.name not in out:
                out.append(p.name)
        return out

    def optional_functions(self):
        """Extracted functions that only some trees have (optional wants)."""
        opt = set()
        for lay_or_fe in (LAYOUTS[self.layout],) + self.fronts:
            opt |= {w.name for w in lay_or_fe.wants
                    if w.kind == "func" and w.optional and not w.pattern}
        return [f for f in self.functions() if f in opt]

    def exported_functions(self):
        """Extracted functions with external linkage (to be renamed)."""
        out = []
        for p in self.pieces:
            if (p.kind == "func" and not p.item.is_static and
                    p.name not in out):
                out.append(p.name)
        return out


class Tree:
    """A kernel tree, full or partial, with its scanned files cached."""

    def __init__(self, path):
        self.path = path
        self._scans = {}
        if not os.path.exists(path):
            raise ExtractError("%s: no such directory" % path)
        if not os.path.isdir(path):
            raise ExtractError("%s: not a directory" % path)
        self.release = self._release()
        if not self.exists(PAGE_ALLOC_C):
            raise ExtractError("%s: not a kernel tree (no %s)" %
                               (path, PAGE_ALLOC_C))

    def file(self, rel):
        return os.path.join(self.path, rel)

    def exists(self, rel):
        return os.path.isfile(self.file(rel))

    def read(self, rel):
        try:
            return cscan.read_source(self.file(rel))
        except OSError as e:
            raise ExtractError("%s: %s" % (self.file(rel),
                                           e.strerror or e)) from None

    def scan(self, rel):
        """The scanned file, None if absent; a file cut short is an error."""
        if rel not in self._scans:
            sc = cscan.scan(self.read(rel)) if self.exists(rel) else None
            why = sc and symbols.truncation(rel, sc)
            if why:
                raise ExtractError("%s: %s" % (self.path, why))
            self._scans[rel] = sc
        return self._scans[rel]

    def _release(self):
        mk = self.file(MAKEFILE)
        if not os.path.isfile(mk):
            raise ExtractError("%s: not a kernel tree (no Makefile)" %
                               self.path)
        text = self.read(MAKEFILE)
        vals = {}
        for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL"):
            m = re.search(r"^%s[ \t]*=[ \t]*(\d*)[ \t]*$" % key, text, re.M)
            vals[key] = m.group(1) if m else ""
        if not vals["VERSION"] or not vals["PATCHLEVEL"]:
            raise ExtractError("%s: not a kernel tree (Makefile has no "
                               "VERSION/PATCHLEVEL)" % self.path)
        return "%s.%s.%s" % (vals["VERSION"], vals["PATCHLEVEL"],
                             vals["SUBLEVEL"] or "0")

    def defines_func(self, rel, name):
        sc = self.scan(rel)
        return bool(sc and sc.find("func", name))


def detect(tree):
    """The layout of a Tree, from what it contains."""
    if tree.exists(PAGE_FRAG_CACHE_C):
        return LAYOUTS[ENCODED]
    if tree.defines_func(PAGE_ALLOC_C, "__page_frag_alloc_align"):
        return LAYOUTS[CLASSIC_V6_9]
    if tree.defines_func(PAGE_ALLOC_C, "page_frag_alloc_align"):
        return LAYOUTS[CLASSIC]
    raise ExtractError("unsupported kernel layout in %s: %s" %
                       (tree.path, UNSUPPORTED))


def _select(tree, want):
    """Indexes of the items want selects, by file; {} if none."""
    found = {}
    for rel in want.files:
        sc = tree.scan(rel)
        if sc is None:
            continue
        idx = [i for i, it in enumerate(sc.items) if want.matches(it)]
        if idx:
            found[rel] = idx
            if not want.pattern:
                break
    return found


def _skeleton(tree, rel, sc, idxs):
    """The #if/#elif/#else/#endif items around the selected items."""
    out = set()
    for i in idxs:
        for gid in sc.items[i].cond:
            if gid == sc.guard:
                continue
            g = sc.groups[gid]
            if g.endif is None:
                raise ExtractError("%s: %s:%d: #%s without #endif around %s" %
                                   (tree.path, rel,
                                    sc.items[g.opener].line,
                                    sc.items[g.opener].directive,
                                    sc.items[i].name))
            out.update(g.directives())
    return out


def _cut_items(tree, wants, files, front=None):
    """Pieces for wants, in files order and file order within each."""
    selected = {}
    for want in wants:
        found = _select(tree, want)
        if not found and not want.optional:
            raise ExtractError("%s: %s in %s" % (tree.path, want.describe(),
                                                 ", ".join(want.files)))
        for rel, idx in found.items():
            selected.setdefault(rel, set()).update(idx)

    pieces = []
    for rel in files:
        if rel not in selected:
            continue
        sc = tree.scan(rel)
        skel = _skeleton(tree, rel, sc, selected[rel]) - selected[rel]
        for i in sorted(selected[rel] | skel):
            pieces.append(Piece(rel, sc.items[i], i in skel, front))
    return pieces


def cut(tree, layout):
    """Cut layout's items, then its front ends', out of tree; return an
    Extraction."""
    pieces = _cut_items(tree, layout.wants, layout.files)
    fronts = []
    for fe in FRONT_ENDS:
        if tree.exists(fe.probe):
            pieces += _cut_items(tree, fe.wants, fe.files, fe)
            fronts.append(fe)

    if not tree.exists(GFP_TYPES_H):
        raise ExtractError("%s: no %s (kernels before v6.0 keep the GFP bits "
                           "in gfp.h; not supported)" %
                           (tree.path, GFP_TYPES_H))
    _check_whole(tree)
    return Extraction(tree.path, tree.release, layout, pieces,
                      tree.read(GFP_TYPES_H), fronts)


def _check_whole(tree):
    """gfp_types.h must be whole (Tree.scan) and define the GFP bits the
    shim translates."""
    have = {it.name for it in tree.scan(GFP_TYPES_H).items
            if it.kind == "define"}
    missing = [g for g in symbols.shim_gfp_bits() if g not in have]
    if missing:
        raise ExtractError("%s: %s does not define %s (file truncated or "
                           "inconsistent?)" % (tree.path, GFP_TYPES_H,
                                               ", ".join(missing)))


def extract(path):
    """Open, detect and cut the tree at path."""
    tree = Tree(path)
    return cut(tree, detect(tree))
