# SPDX-License-Identifier: GPL-2.0
"""Bug-zoo entries: small edits applied to the extracted kernel code.

A zoo file (alloc/zoo/*.zoo) looks like:

    # comment
    id: Z-1
    title: bias without the cache's own reference
    kernels: classic classic-v6.9       # layouts it applies to
    expect: cache-lost-own-reference    # finding kind the tests expect
    source: 2c2ade81741c                # optional, free text
    edit: __page_frag_alloc_align|page_frag_alloc_align 1
    - page_ref_add(page, PAGE_FRAG_CACHE_MAX_SIZE);
    + page_ref_add(page, size - 1);

Each edit names an extracted item (alternatives separated by '|': the first
that exists is used; "func:NAME" restricts the kind), an occurrence
(1-based, default 1) and, optionally, the layouts it is for ("@encoded",
"@classic,classic-v6.9"; default: every layout of 'kernels:'), so one
entry carries the same bug into code whose text differs between layouts.
The '-' text is matched with any run of whitespace matching any run of
whitespace; its Nth occurrence in the item's text is replaced by the '+'
text.  Edits are applied to the extracted copy only.

    edit: __page_frag_alloc_align 1 @encoded
    - offset = __ALIGN_KERNEL_MASK(nc->offset, ~align_mask);
    + offset = nc->offset;
"""

import re

from layouts import LAYOUTS, ExtractError

KEYS = ("id", "title", "kernels", "expect", "source")
REQUIRED = ("id", "kernels", "expect")

# Which item an edit means when several extracted items share its name.
KIND_PREFERENCE = ("func", "struct", "define", "decl", "structdecl",
                   "percpu")

_COMMENT = re.compile(r"\s+#(\s.*)?$")


class Edit:
    __slots__ = ("names", "kind", "occurrence", "layouts", "old", "new",
                 "lineno", "old_lineno")

    def __init__(self, names, kind, occurrence, layouts, lineno):
        self.names = names
        self.kind = kind
        self.occurrence = occurrence
        self.layouts = layouts      # None: every layout of the entry
        self.old = None
        self.new = None
        self.lineno = lineno        # the 'edit:' line
        self.old_lineno = None      # the '-' line

    def applies(self, layout):
        return self.layouts is None or layout in self.layouts

    def regex(self):
        return re.compile(r"\s+".join(re.escape(w) for w in self.old.split()))


class Zoo:
    def __init__(self, path):
        self.path = path
        self.fields = {}
        self.edits = []

    @property
    def id(self):
        return self.fields["id"]

    @property
    def kernels(self):
        return self.fields["kernels"].split()

    @property
    def expect(self):
        return self.fields["expect"]

    def where(self, lineno):
        return "%s:%d" % (self.path, lineno)


def _bytes(s):
    """Kernel text is handled as latin-1 (one char per byte); match that."""
    return s.encode("utf-8").decode("latin-1")


def _malformed(path, lineno, msg):
    return ExtractError("zoo %s:%d: %s" % (path, lineno, msg))


def parse(path):
    """Parse a zoo file; raise ExtractError if it is malformed."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ExtractError("zoo %s: %s" % (path, e.strerror or e)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractError("zoo %s: not UTF-8 text" % path) from None

    zoo = Zoo(path)
    pending = None          # the edit waiting for its '-' or '+' line
    lineno = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if pending is not None and pending.old is None:
            if not line.startswith("-"):
                raise _malformed(path, lineno, "expected a '- text' line "
                                 "after 'edit:' on line %d" % pending.lineno)
            pending.old = _bytes(line[2:] if line.startswith("- ")
                                 else line[1:])
            pending.old_lineno = lineno
            if not pending.old.strip():
                raise _malformed(path, lineno, "empty '-' text")
            continue
        if pending is not None and pending.new is None:
            if not line.startswith("+"):
                raise _malformed(path, lineno, "expected a '+ text' line "
                                 "after the '-' line")
            pending.new = _bytes(line[2:] if line.startswith("+ ")
                                 else line[1:])
            zoo.edits.append(pending)
            pending = None
            continue

        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[:1] in "-+":
            raise _malformed(path, lineno, "'%s' line without 'edit:'" %
                             line[0])
        m = re.match(r"([A-Za-z][\w-]*)\s*:\s?(.*)$", line)
        if not m:
            raise _malformed(path, lineno, "expected 'key: value'")
        key, value = m.group(1), _COMMENT.sub("", m.group(2)).strip()
        if key == "edit":
            pending = _parse_edit(path, lineno, value)
        elif key in KEYS:
            if key in zoo.fields:
                raise _malformed(path, lineno, "duplicate '%s:'" % key)
            if not value:
                raise _malformed(path, lineno, "empty '%s:'" % key)
            zoo.fields[key] = value
        else:
            raise _malformed(path, lineno, "unknown key '%s' (known: %s, "
                             "edit)" % (key, ", ".join(KEYS)))
    if pending is not None:
        raise _malformed(path, lineno, "'edit:' on line %d is missing its "
                         "'-' and '+' lines" % pending.lineno)
    for key in REQUIRED:
        if key not in zoo.fields:
            raise ExtractError("zoo %s: no '%s:' line" % (path, key))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", zoo.id):
        raise ExtractError("zoo %s: bad id '%s' (letters, digits, '.', "
                           "'_', '-')" % (path, zoo.id))
    for k in zoo.kernels:
        if k not in LAYOUTS:
            raise ExtractError("zoo %s: unknown layout '%s' in 'kernels:' "
                               "(known: %s)" %
                               (path, k, ", ".join(sorted(LAYOUTS))))
    if not zoo.edits:
        raise ExtractError("zoo %s: no 'edit:'" % path)
    _check_edit_layouts(zoo)
    return zoo


def _check_edit_layouts(zoo):
    """Each edit's layouts are the entry's; each layout gets an edit."""
    for e in zoo.edits:
        for k in e.layouts or ():
            if k not in zoo.kernels:
                raise _malformed(zoo.path, e.lineno, "layout '%s' is not in "
                                 "'kernels:' (%s)" %
                                 (k, " ".join(zoo.kernels)))
    for k in zoo.kernels:
        if not any(e.applies(k) for e in zoo.edits):
            raise ExtractError("zoo %s: no 'edit:' for layout %s" %
                               (zoo.path, k))


def _parse_edit(path, lineno, value):
    words = value.split()
    layouts = None
    if len(words) > 1 and words[-1].startswith("@"):
        layouts = words.pop()[1:].split(",")
        if not all(layouts):
            raise _malformed(path, lineno, "expected '@LAYOUT[,LAYOUT...]'")
    if len(words) not in (1, 2):
        raise _malformed(path, lineno, "expected 'edit: NAME[|NAME...] [N] "
                         "[@LAYOUT[,LAYOUT...]]'")
    occurrence = 1
    if len(words) == 2:
        if not re.fullmatch(r"[1-9]\d*", words[1]):
            raise _malformed(path, lineno, "occurrence must be a number "
                             ">= 1, not '%s'" % words[1])
        occurrence = int(words[1])
    kind = None
    spec = words[0]
    if ":" in spec:
        kind, spec = spec.split(":", 1)
        if kind not in KIND_PREFERENCE:
            raise _malformed(path, lineno, "unknown item kind '%s'" % kind)
    names = spec.split("|")
    if not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names):
        raise _malformed(path, lineno, "bad item name '%s'" % words[0])
    return Edit(names, kind, occurrence, layouts, lineno)


def _targets(ex, edit):
    """The pieces an edit applies to: the first name that exists."""
    kinds = (edit.kind,) if edit.kind else KIND_PREFERENCE
    for name in edit.names:
        for kind in kinds:
            pieces = [p for p in ex.pieces if not p.skeleton and
                      p.kind == kind and p.name == name]
            if pieces:
                return name, pieces
    return None, []


def apply(zoo, ex):
    """Apply zoo's edits to Extraction ex in memory."""
    if ex.layout not in zoo.kernels:
        raise ExtractError("zoo %s does not apply to layout %s" %
                           (zoo.id, ex.layout))
    for edit in (e for e in zoo.edits if e.applies(ex.layout)):
        where = zoo.where(edit.lineno)
        name, pieces = _targets(ex, edit)
        if not pieces:
            raise ExtractError("zoo %s (%s): no extracted item named %s "
                               "(layout %s)" % (zoo.id, where,
                                                " or ".join(edit.names),
                                                ex.layout))
        rx = edit.regex()
        seen = 0
        for p in pieces:
            for m in rx.finditer(p.text):
                seen += 1
                if seen == edit.occurrence:
                    # Keep the line count so later #line numbers stay true.
                    pad = "\n" * m.group(0).count("\n")
                    p.text = (p.text[:m.start()] + edit.new + pad +
                              p.text[m.end():])
                    break
            if seen >= edit.occurrence:
                break
        where = zoo.where(edit.old_lineno)
        if seen == 0:
            raise ExtractError("zoo %s (%s): text not found in %s: %s" %
                               (zoo.id, where, name, edit.old))
        if seen < edit.occurrence:
            raise ExtractError("zoo %s (%s): occurrence %d of text not found "
                               "in %s (found %d): %s" %
                               (zoo.id, where, edit.occurrence, name, seen,
                                edit.old))
    ex.zoo.append(zoo)
