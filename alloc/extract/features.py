# SPDX-License-Identifier: GPL-2.0
"""What the cut code needs of the shim and glue, read from its text.

Each feature is a macro of the generated file, found in the extracted
items themselves (never from the release number), so a backport or a
patched tree gets what its code really does:

  FS_NAPI_BH_LOCK        napi_alloc_cache holds a nested-BH local lock its
                         users take (v6.11+)
  FS_ALLOC_PAGES_NARGS   how many arguments the tree's __alloc_pages()
                         calls pass (4, or 5 with the alloc_flags of 7.x)
"""

import re

import symbols
from layouts import ExtractError


def _napi_bh_lock(ex):
    for p in ex.pieces:
        if (p.kind == "struct" and p.name == "napi_alloc_cache" and
                re.search(r"\blocal_lock_t\s+bh_lock\b", p.text)):
            return 1
    return None


def _nargs(text, open_paren):
    """Top-level arguments of the call whose '(' is at open_paren."""
    depth, n, empty = 0, 1, True
    for c in text[open_paren:]:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return 0 if empty else n
        elif c == "," and depth == 1:
            n += 1
        elif not c.isspace() and depth >= 1:
            empty = False
    return None


def call_arity(ex, fn):
    """[(nargs, path, line)] of every call of fn in the cut code."""
    out = []
    for p in ex.pieces:
        if p.kind != "func":
            continue
        for name, off, nxt, prev in symbols.identifiers(p.text):
            if name != fn or nxt != "(":
                continue
            n = _nargs(p.text, p.text.index("(", off))
            out.append((n, p.path, p.line + p.text.count("\n", 0, off)))
    return out


def _alloc_pages_nargs(ex):
    calls = call_arity(ex, "__alloc_pages")
    counts = sorted({c[0] for c in calls})
    if len(counts) > 1:
        raise ExtractError("%s:%d: __alloc_pages() called with %s arguments "
                           "in one tree" % (calls[0][1], calls[0][2],
                                            " and ".join(map(str, counts))))
    if counts and counts[0] not in (4, 5):
        raise ExtractError("%s:%d: __alloc_pages() with %d arguments is not "
                           "modelled (4 or 5)" % (calls[0][1], calls[0][2],
                                                  counts[0]))
    return counts[0] if counts else None


FEATURES = (
    ("FS_NAPI_BH_LOCK", _napi_bh_lock),
    ("FS_ALLOC_PAGES_NARGS", _alloc_pages_nargs),
)


def detect(ex):
    """[(macro, value)] of the features ex's code has, in FEATURES order."""
    out = []
    for macro, probe in FEATURES:
        v = probe(ex)
        if v is not None:
            out.append((macro, v))
    return out
