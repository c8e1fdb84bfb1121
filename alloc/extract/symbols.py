# SPDX-License-Identifier: GPL-2.0
"""What the cut code uses that nothing defines, and cut files that end early.

The extracted code is compiled against fragsim's shim (alloc/kshim) and
glue (alloc/target/kernel_glue.h).  A symbol neither the extraction nor
the shim defines would end the build in a compiler or linker dump; this
check names it, with the tree's file:line, before anything is compiled.

Checked are the identifiers that name something outside the code: calls
(NAME followed by '('), constants and macros (ALL_CAPS) and types (NAME_t).
Lower-case plain identifiers are mostly locals and members, left to the
compiler.  The known set is deliberately wide (every identifier written in
the shim counts as modelled): a false alarm would refuse a good tree.
"""

import os
import re

import cscan

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOC = os.path.dirname(HERE)
# What the extracted code sees besides itself and the tree's gfp_types.h.
SHIM_DIRS = (os.path.join(ALLOC, "kshim", "include"),
             os.path.join(ALLOC, "include", "fragsim"))
GLUE = os.path.join(ALLOC, "target", "kernel_glue.h")

# C, GNU C and the C library names the shim's headers bring in.
LANGUAGE = frozenset("""
    if else for while do switch case default return goto break continue
    sizeof typeof __typeof__ __typeof _Static_assert static_assert
    _Alignof __alignof__ alignof __attribute__ __attribute asm __asm__
    __func__ __FUNCTION__ __LINE__ __FILE__ defined __has_attribute
    __has_builtin __KERNEL__ NULL true false offsetof bool size_t ssize_t
    uintptr_t intptr_t ptrdiff_t uint8_t uint16_t uint32_t uint64_t int8_t
    int16_t int32_t int64_t __VA_ARGS__ __auto_type
""".split()) | cscan.NON_NAMES

_IDENT = re.compile(r"[A-Za-z_]\w*")
_CONST = re.compile(r"_*[A-Z][A-Z0-9_]*$")
_MACRO_PARAMS = re.compile(r"#[ \t]*define[ \t]+\w+\(([^)]*)\)")


def identifiers(text):
    """(name, offset, next non-blank char, previous non-blank char) of each
    identifier outside comments and literals."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("*", i + 1):
            i = cscan._skip_block_comment(text, i)
        elif c == "/" and text.startswith("/", i + 1):
            i = cscan._skip_line_comment(text, i)
        elif c in "\"'":
            i = cscan._skip_literal(text, i, one_line=True)
        elif c.isdigit():
            m = cscan._NUMBER.match(text, i)
            i = m.end() if m else i + 1
        elif c == "_" or c.isalpha():
            m = _IDENT.match(text, i)
            j = m.end()
            k = j
            while k < n and text[k] in " \t\\\r\n":
                k += 1
            p = i - 1
            while p >= 0 and text[p] in " \t\\\r\n":
                p -= 1
            out.append((m.group(0), i, text[k:k + 1],
                        text[max(p - 1, 0):p + 1] if p >= 0 else ""))
            i = j
        else:
            i += 1
    return out


def _names_in(text):
    return {t[0] for t in identifiers(text)}


_shim_names = None


def shim_names():
    """Every identifier written in the shim headers and the glue."""
    global _shim_names
    if _shim_names is None:
        names = set()
        paths = [GLUE]
        for d in SHIM_DIRS:
            for root, _dirs, files in os.walk(d):
                paths += [os.path.join(root, f) for f in files
                          if f.endswith(".h")]
        for p in sorted(paths):
            names |= _names_in(cscan.read_source(p))
        _shim_names = frozenset(names)
    return _shim_names


def _checked(name, nxt, prev):
    if prev.endswith(".") or prev.endswith("->"):
        return False            # a member
    if name.startswith(("CONFIG_", "__builtin_")):
        return False            # Kconfig symbols may be undefined
    return nxt == "(" or bool(_CONST.match(name)) or name.endswith("_t")


def defined_names(ex):
    """Names the extraction defines itself (and its gfp_types.h)."""
    out = _names_in(ex.gfp_types)
    for p in ex.pieces:
        if p.name:
            out.add(p.name)
        if p.kind == "struct":
            # Enumerators and tags: whatever the definition spells.
            out |= _names_in(p.text)
    return out


def _local_names(piece):
    """Macro parameters and a function's declared locals of one piece."""
    m = _MACRO_PARAMS.match(piece.text)
    if m:
        return {a.strip() for a in m.group(1).split(",")}
    return set()


def unmodelled(ex):
    """[(name, path, line)] of each symbol the cut code uses that neither it
    nor the shim defines, first use of each, in output order."""
    known = LANGUAGE | shim_names() | defined_names(ex)
    out, seen = [], set()
    for p in ex.pieces:
        if p.kind == "pp":
            continue            # #if on an undefined macro is just 0
        local = _local_names(p)
        for name, off, nxt, prev in identifiers(p.text):
            if (name in known or name in local or name in seen or
                    not _checked(name, nxt, prev)):
                continue
            seen.add(name)
            out.append((name, p.path, p.line + p.text.count("\n", 0, off)))
    return out


def truncation(rel, sc):
    """Why the scanned file rel looks cut short, or None."""
    for g in sc.groups:
        if g.endif is None:
            it = sc.items[g.opener]
            return ("%s:%d: #%s without #endif (file truncated?)" %
                    (rel, it.line, it.directive))
    if sc.items:
        last = sc.items[-1]
        body = last.text.rstrip()
        if ((last.kind == "func" and not body.endswith("}")) or
                (last.kind == "struct" and not body.endswith(";"))):
            return ("%s:%d: %s ends with the file (file truncated?)" %
                    (rel, last.line, last.name or last.kind))
    return None


def shim_gfp_bits():
    """The __GFP_* bits the shim's gfp.h translates: the tree must have them."""
    text = cscan.read_source(os.path.join(SHIM_DIRS[0], "linux", "gfp.h"))
    out = []
    for name, _off, _nxt, _prev in identifiers(text):
        if name.startswith("__GFP_") and name not in out:
            out.append(name)
    return out
