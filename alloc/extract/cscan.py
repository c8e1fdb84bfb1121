# SPDX-License-Identifier: GPL-2.0
"""A small C scanner: split a C file into its top-level items.

This is not a C parser.  It knows just enough of the lexical grammar
(comments, string and character literals, preprocessor lines with
backslash continuations) to find the top-level items of a kernel source
file and their exact byte ranges:

  define      #define NAME ...              (name = NAME)
  pp          any other preprocessor line   (name = directive: if, endif, ...)
  func        ... name(...) { ... }         (name = the declarator's name)
  struct      struct/union/enum NAME { ... } ...;
  structdecl  struct/union/enum NAME;
  percpu      [static] DEFINE_PER_CPU*(type, NAME) [= init];  (name = NAME)
  decl        any other declaration ending in ';' at depth 0
              (DECLARE_PER_CPU*(type, NAME); is named NAME too)
  block       anything else ending in a '}' at depth 0 (rare)

Preprocessor lines inside a function or struct body, or between the tokens
of an unfinished declaration, belong to that item.  Top-level conditionals
(#if/#elif/#else/#endif) are recorded as groups so that a caller can keep
the conditional skeleton around the items it cuts.

Offsets are byte offsets: files are decoded as latin-1, so each byte is one
character and text can be written back byte-exact.
"""

import bisect
import re
import sys

# Function-like macros and keywords that may precede or follow a declarator
# without being its name.
ATTRIBUTE_CALLS = frozenset("""
    __attribute__ __attribute __declspec _Alignas alignas asm __asm__ __asm
    __printf __scanf __section __aligned __alloc_size __realloc_size
    __assume_aligned __diagnose_as __must_hold __acquires __releases
    __cond_acquires __cond_releases __nonstring __counted_by __free __cleanup
    __malloc __deprecated_msg __compiletime_error __compiletime_warning
    typeof __typeof__ __typeof __no_sanitize_or_inline __alias
""".split())

# Identifiers that are never the name of a declared object.
NON_NAMES = frozenset("""
    auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed
    sizeof static struct switch typedef union unsigned void volatile while
    _Bool bool _Atomic _Noreturn _Thread_local __inline __inline__ __restrict
    __restrict__ __volatile__ __const __signed__ __extension__ __thread
""".split())

# Trailing storage/section attributes written after a variable's name.
TRAILING_ATTRS = re.compile(
    r"^(__read_mostly|__ro_after_init|__initdata|__initconst|__meminitdata|"
    r"__refdata|__maybe_unused|__used|__weak|__percpu|__rcu|__iomem|__user|"
    r"__force|__bitwise|__nocast|__latent_entropy|__page_aligned_bss|"
    r"__page_aligned_data|__cacheline_aligned\w*|____cacheline_aligned\w*|"
    r"__packed|__randomize_layout|__no_randomize_layout|__init|__exit|"
    r"__initdata_or_meminfo|__always_unused|__guarded_by|__aligned_largest)$")

CONDITIONAL_OPEN = ("if", "ifdef", "ifndef")
CONDITIONAL_BRANCH = ("elif", "else", "elifdef", "elifndef")

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*")
_PUNCT3 = ("...", "<<=", ">>=")
_PUNCT2 = ("->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
           "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##")
_SUE = ("struct", "union", "enum")


class Item:
    """One top-level item of a C file."""

    __slots__ = ("kind", "name", "start", "end", "line", "is_static",
                 "cond", "group", "directive", "tag", "_src")

    def __init__(self, src, kind, name, start, end, line):
        self._src = src
        self.kind = kind
        self.name = name
        self.start = start
        self.end = end
        self.line = line
        self.is_static = False
        self.cond = ()          # ids of the open top-level #if groups
        self.group = None       # for conditional directives: their group id
        self.directive = None   # for pp/define items: "if", "define", ...
        self.tag = None         # for struct items: struct, union or enum

    @property
    def text(self):
        return self._src[self.start:self.end]

    def __repr__(self):
        return "Item(%s %s @%d:%d-%d)" % (self.kind, self.name, self.line,
                                          self.start, self.end)


class Group:
    """A top-level #if ... #endif group: indexes of its directive items."""

    __slots__ = ("id", "opener", "branches", "endif")

    def __init__(self, gid, opener):
        self.id = gid
        self.opener = opener
        self.branches = []
        self.endif = None

    def directives(self):
        out = [self.opener] + self.branches
        if self.endif is not None:
            out.append(self.endif)
        return out


class Scan:
    """Result of scanning one file."""

    def __init__(self, text, items, groups, guard):
        self.text = text
        self.items = items
        self.groups = groups
        self.guard = guard      # group id of the include guard, or None

    def find(self, kind, name):
        return [it for it in self.items if it.kind == kind and
                it.name == name]


class _Pending:
    """A top-level item whose end has not been seen yet."""

    __slots__ = ("start", "toks", "pdepth", "mode", "body_tokens")

    def __init__(self, start):
        self.start = start
        self.toks = []          # (token, offset, paren depth before it, end)
        self.pdepth = 0
        self.mode = "collect"   # collect, func, struct, init, block
        self.body_tokens = None # tokens before the body, for func/struct


def _skip_block_comment(s, i):
    j = s.find("*/", i + 2)
    return len(s) if j < 0 else j + 2


def _skip_line_comment(s, i):
    j = s.find("\n", i)
    return len(s) if j < 0 else j


def _skip_literal(s, i, one_line=False):
    """Skip a string or char literal starting at s[i]; return its end.

    With one_line, a literal not closed on its line is not a literal
    (e.g. the apostrophe in "#error don't"): return i + 1.
    """
    q = s[i]
    j = i + 1
    n = len(s)
    while j < n:
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == q:
            return j + 1
        if c == "\n":
            return i + 1 if one_line else j
        j += 1
    return i + 1 if one_line else n


def _directive_end(s, i):
    """End (exclusive, before the newline) of the directive starting at i."""
    n = len(s)
    j = i + 1
    while j < n:
        c = s[j]
        if c == "\\" and s.startswith("\n", j + 1):
            j += 2
        elif c == "\\" and s.startswith("\r\n", j + 1):
            j += 3
        elif c == "\n":
            break
        elif c == "/" and s.startswith("*", j + 1):
            j = _skip_block_comment(s, j)
        elif c == "/" and s.startswith("/", j + 1):
            j = _skip_line_comment(s, j)
        elif c in "\"'":
            j = _skip_literal(s, j, one_line=True)
        else:
            j += 1
    end = j
    while end > i and s[end - 1] in " \t\r":
        end -= 1
    return end


_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z_]\w*)?")
_DEFINE = re.compile(r"#[ \t]*define[ \t]+([A-Za-z_]\w*)")


def _directive_name(s, i, end):
    m = _DIRECTIVE.match(s, i, end)
    return (m.group(1) or "") if m else ""


def _define_name(s, i, end):
    m = _DEFINE.match(s, i, end)
    return m.group(1) if m else None


def _at_line_start(s, i):
    k = i - 1
    while k >= 0 and s[k] in " \t":
        k -= 1
    return k < 0 or s[k] == "\n"


def _is_ident(t):
    return bool(_IDENT.fullmatch(t))


def _close_paren(toks, k):
    """Index of the ')' matching the '(' at toks[k]."""
    depth = 0
    for j in range(k, len(toks)):
        t = toks[j][0]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _declarator_name(toks):
    """Name of what a declaration declares, from its depth-0 tokens.

    The identifier right before the first top-level '(' that is not an
    attribute; '(*name)' for pointers to functions; otherwise the last
    plausible identifier (for variables).
    """
    for k, (t, _, pd, _) in enumerate(toks):
        if t != "(" or pd != 0:
            continue
        nxt = toks[k + 1][0] if k + 1 < len(toks) else ""
        if nxt == "*":
            for t2, _, _, _ in toks[k + 1:_close_paren(toks, k)]:
                if _is_ident(t2) and t2 not in NON_NAMES:
                    return t2
        if k > 0:
            prev = toks[k - 1][0]
            if _is_ident(prev) and prev not in ATTRIBUTE_CALLS:
                if prev not in NON_NAMES:
                    return prev
    return _variable_name(toks)


def _variable_name(toks):
    cands = []
    k = 0
    while k < len(toks):
        t, _, pd, _ = toks[k]
        if pd == 0 and t in ("=", "[", ":"):
            break
        if pd == 0 and t == "(":
            k = _close_paren(toks, k) + 1
            continue
        if pd == 0 and _is_ident(t) and t not in NON_NAMES:
            cands.append(t)
        k += 1
    for t in reversed(cands):
        if not TRAILING_ATTRS.match(t):
            return t
    return cands[-1] if cands else None


_PERCPU = re.compile(r"(DEFINE|DECLARE)_PER_CPU\w*$")


def _percpu(toks):
    """(kind, name) for "[static] DEFINE_PER_CPU*(type, name) [= ...]":
    per-CPU variables are named by the variable, not by the macro
    (DECLARE_PER_CPU* gives a "decl").  None for anything else."""
    for k, (t, _, pd, _) in enumerate(toks):
        if pd != 0 or t in NON_NAMES or TRAILING_ATTRS.match(t):
            continue
        if not (_PERCPU.match(t) and k + 1 < len(toks) and
                toks[k + 1][0] == "("):
            return None
        close = _close_paren(toks, k + 1)
        args = [a for a, _, _, _ in toks[k + 2:close]]
        if (toks[close][0] != ")" or len(args) < 3 or args[-2] != "," or
                not _is_ident(args[-1])):
            return None
        name = args[-1]
        return ("percpu" if t.startswith("DEFINE") else "decl"), name
    return None


def _strip_attribute_groups(toks):
    out = []
    k = 0
    while k < len(toks):
        t = toks[k][0]
        if (t in ATTRIBUTE_CALLS and k + 1 < len(toks) and
                toks[k + 1][0] == "("):
            k = _close_paren(toks, k + 1) + 1
            continue
        out.append(toks[k])
        k += 1
    return out


def _struct_head(toks):
    """(tag, name) if the tokens before '{' open a struct/union/enum body."""
    kpos = None
    for k, (t, _, pd, _) in enumerate(toks):
        if pd == 0 and t in _SUE:
            kpos = k
    if kpos is None:
        return None
    rest = _strip_attribute_groups(toks[kpos + 1:])
    if any(not _is_ident(t) for t, _, _, _ in rest):
        return None
    names = [t for t, _, _, _ in rest if not TRAILING_ATTRS.match(t)]
    return toks[kpos][0], (names[-1] if names else None)


def _is_macro_call(p):
    """True if pending item p is "IDENT(...) [IDENT(...)]...": complete
    macro calls ("module_init(fn)", "PAGEFLAG(..) TESTSCFLAG(..)") that
    the kernel writes without a ';'."""
    toks = p.toks
    if p.mode != "collect" or p.pdepth != 0 or not toks:
        return False
    if toks[0][0] in ATTRIBUTE_CALLS:
        return False            # "__printf(1, 2)" starts a declaration
    k = 0
    while k < len(toks):
        if not (_is_ident(toks[k][0]) and k + 1 < len(toks) and
                toks[k + 1][0] == "("):
            return False
        k = _close_paren(toks, k + 1) + 1
    return True


def _classify_body(toks):
    """What a '{' at depth 0 opens, from the item's tokens before it."""
    if any(t == "=" and pd == 0 for t, _, pd, _ in toks):
        return "init"
    if _struct_head(toks):
        return "struct"
    if any(t == "(" and pd == 0 for t, _, pd, _ in toks):
        return "func"
    return "block"


class _Lines:
    def __init__(self, s):
        self.nl = [m.start() for m in re.finditer("\n", s)]

    def line(self, off):
        return bisect.bisect_left(self.nl, off) + 1


def scan(text):
    """Scan C source text (a str, latin-1 decoded); return a Scan."""
    s = text
    n = len(s)
    lines = _Lines(s)
    items = []
    groups = []
    gstack = []
    depth = 0
    cur = None
    ppstack = []                # [brace depth at #if, depth after branch 1]
    i = 0

    def finish(end):
        nonlocal cur
        p = cur
        cur = None
        del ppstack[:]
        toks = p.toks
        body = p.body_tokens if p.body_tokens is not None else toks
        kind, name, tag = "decl", None, None
        if p.mode == "func":
            kind = "func"
            name = _declarator_name(body)
        elif p.mode == "struct":
            kind = "struct"
            tag, name = _struct_head(body)
            if name is None:
                # typedef struct { ... } name_t;
                after = toks[len(body):]
                name = _variable_name([t for t in after
                                       if t[0] not in ("{", "}")])
        elif p.mode == "block":
            kind = "block"
            name = _declarator_name(body)
        else:
            plain = [t for t, _, _, _ in toks]
            if (len(plain) == 2 and plain[0] in _SUE and
                    _is_ident(plain[1])):
                kind, name, tag = "structdecl", plain[1], plain[0]
            else:
                pc = _percpu(toks)
                if pc:
                    kind, name = pc
                else:
                    name = _declarator_name(toks)
        it = Item(s, kind, name, p.start, end, lines.line(p.start))
        it.tag = tag
        it.cond = tuple(g.id for g in gstack)
        names_end = None
        if kind in ("func", "decl", "block", "percpu"):
            for t, off, _, _ in body:
                if t == name:
                    names_end = off
                    break
        it.is_static = any(t == "static" and pd == 0 and
                           (names_end is None or off < names_end)
                           for t, off, pd, _ in body)
        items.append(it)

    while i < n:
        c = s[i]
        if c in " \t\r\n\f\v":
            i += 1
            continue
        if c == "/" and i + 1 < n and s[i + 1] == "*":
            i = _skip_block_comment(s, i)
            continue
        if c == "/" and i + 1 < n and s[i + 1] == "/":
            i = _skip_line_comment(s, i)
            continue
        if c == "#" and _at_line_start(s, i):
            end = _directive_end(s, i)
            if depth == 0 and cur is not None and _is_macro_call(cur):
                # "module_init(fn)" without ';' ends before a directive.
                finish(cur.toks[-1][3])
            if depth > 0 or cur is not None:
                # Inside an item: when #if branches each open or close a
                # brace ("#ifdef X\n for (a) {\n#else\n for (b) {\n#endif"),
                # count only the first branch, as ctags does.
                d = _directive_name(s, i, end)
                if d in CONDITIONAL_OPEN:
                    ppstack.append([depth, None])
                elif d in CONDITIONAL_BRANCH and ppstack:
                    if ppstack[-1][1] is None:
                        ppstack[-1][1] = depth
                    depth = ppstack[-1][0]
                elif d == "endif" and ppstack:
                    first_end = ppstack.pop()[1]
                    if first_end is not None:
                        depth = first_end
                i = end
                continue
            d = _directive_name(s, i, end)
            if d == "define":
                it = Item(s, "define", _define_name(s, i, end), i, end,
                          lines.line(i))
            else:
                it = Item(s, "pp", d, i, end, lines.line(i))
            it.directive = d
            idx = len(items)
            if d in CONDITIONAL_OPEN:
                it.cond = tuple(g.id for g in gstack)
                g = Group(len(groups), idx)
                groups.append(g)
                gstack.append(g)
                it.group = g.id
            elif d in CONDITIONAL_BRANCH or d == "endif":
                if gstack:
                    g = gstack[-1]
                    it.group = g.id
                    if d == "endif":
                        g.endif = idx
                        gstack.pop()
                    else:
                        g.branches.append(idx)
                it.cond = tuple(g.id for g in gstack)
            else:
                it.cond = tuple(g.id for g in gstack)
            items.append(it)
            i = end
            continue

        # A token.
        if c in "\"'":
            j = _skip_literal(s, i)
            tok = "STR" if c == '"' else "CHR"
        else:
            m = _IDENT.match(s, i) or _NUMBER.match(s, i)
            if m:
                j = m.end()
                tok = m.group(0)
            else:
                tok = None
                for p in _PUNCT3 + _PUNCT2:
                    if s.startswith(p, i):
                        tok = p
                        break
                tok = tok or c
                j = i + len(tok)

        if depth == 0:
            if (cur is not None and _is_macro_call(cur) and
                    _is_ident(tok) and _at_line_start(s, i)):
                # "BDI_SHOW(x, y)" without ';', then the next item.
                finish(cur.toks[-1][3])
            if cur is None:
                if tok in (";", "}"):
                    i = j           # stray ';' or unbalanced '}'
                    continue
                cur = _Pending(i)
            if tok == "{":
                if cur.pdepth == 0 and cur.mode == "collect":
                    cur.mode = _classify_body(cur.toks)
                    cur.body_tokens = list(cur.toks)
                cur.toks.append((tok, i, cur.pdepth, j))
                depth = 1
            elif tok == ";" and cur.pdepth == 0:
                finish(j)
            else:
                cur.toks.append((tok, i, cur.pdepth, j))
                if tok in ("(", "["):
                    cur.pdepth += 1
                elif tok in (")", "]") and cur.pdepth > 0:
                    cur.pdepth -= 1
        else:
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    if cur.pdepth == 0 and cur.mode in ("func", "block"):
                        finish(j)
                    else:
                        cur.toks.append((tok, i, cur.pdepth, j))
        i = j

    if cur is not None:
        finish(n)

    guard = _include_guard(items, groups)
    return Scan(s, items, groups, guard)


def _include_guard(items, groups):
    if len(items) < 2:
        return None
    first, second = items[0], items[1]
    if first.kind != "pp" or first.group is None or second.kind != "define":
        return None
    txt = first.text
    m = (re.match(r"#\s*ifndef\s+(\w+)\s*$", txt) or
         re.match(r"#\s*if\s+!\s*defined\s*\(?\s*(\w+)\s*\)?\s*$", txt))
    if not m or m.group(1) != second.name:
        return None
    g = groups[first.group]
    if g.branches or g.endif != len(items) - 1:
        return None
    return g.id


def read_source(path):
    """Read a file as latin-1 text (one character per byte)."""
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


def scan_file(path):
    return scan(read_source(path))


def main(argv):
    if len(argv) != 2:
        print("usage: cscan.py FILE.c", file=sys.stderr)
        return 2
    sc = scan_file(argv[1])
    for it in sc.items:
        flags = " static" if it.is_static else ""
        cond = " cond=%s" % list(it.cond) if it.cond else ""
        print("%5d %-10s %s%s%s [%d,%d)" % (it.line, it.kind, it.name, flags,
                                            cond, it.start, it.end))
    if sc.guard is not None:
        print("include guard: group %d" % sc.guard)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
