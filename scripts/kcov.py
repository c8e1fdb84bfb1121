# SPDX-License-Identifier: GPL-2.0
"""Kernel line and branch coverage from llvm-cov (standard library only),
for the reports: scripts/fuzz_report.py (the fuzz corpus) and
scripts/report.py (a campaign's fragsim run traces).

A coverage directory holds what scripts/fuzz.sh or scripts/campaign.sh
left there: coverage.info (key=value: target, kernel_file,
kernel_file_abs, binary, llvm_cov, kernel_source, inputs.TAG, error.TAG),
a copy of the extracted kernel file, and per TAG the llvm-cov export
(TAG.json) and function table (TAG-functions.txt) of that file alone.
"""

import json
import os
import re
from pathlib import Path

LINE_DIRECTIVE = re.compile(r'^\s*#\s*line\s+(\d+)\s+"([^"]*)"')
FUNC_ROW = re.compile(
    r"^(?P<name>\S+)\s+(?P<regions>\d+)\s+(?P<rmiss>\d+)\s+\S+\s+(?P<lines>\d+)\s+"
    r"(?P<lmiss>\d+)\s+\S+\s+(?P<branches>\d+)\s+(?P<bmiss>\d+)\s+\S+\s*$")


def read_text(path):
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_kv(path, sep_char="="):
    """KEY=VALUE lines (or KEY: VALUE with sep_char=":"), as a dict."""
    info = {}
    for line in (read_text(path) or "").splitlines():
        key, sep, val = line.partition(sep_char)
        if sep:
            info[key.strip()] = val.strip()
    return info


def to_int(v, default=None):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def pct(covered, total):
    return None if not total else round(100.0 * covered / total, 2)


def ratio(d):
    return {"covered": d[0], "total": d[1], "percent": pct(d[0], d[1])}


def fmt_ratio(r):
    if not r:
        return "-"
    return f"{r['covered']}/{r['total']}" + (f" ({r['percent']:.1f}%)" if r["percent"] is not None
                                             else "")


def line_map(source):
    """Physical line -> (kernel file, kernel line) by the #line directives."""
    out, cur = {}, None
    for i, line in enumerate(source.splitlines(), 1):
        m = LINE_DIRECTIVE.match(line)
        if m:
            cur = (m.group(2), int(m.group(1)), i)
            continue
        if cur:
            out[i] = (cur[0], cur[1] + (i - cur[2] - 1))
    return out


def line_stats(segments, first, last):
    """llvm-cov's line coverage (LineCoverageStats) from a file's segments:
    {line: count} of the mapped lines in [first, last]."""
    segs = sorted(segments, key=lambda s: (s[0], s[1]))
    out, wrapped, i, n = {}, None, 0, len(segs)
    line_segs = []
    if not segs:
        return out
    line = segs[0][0]
    while line <= max(last, segs[-1][0]):
        if line_segs:
            wrapped = line_segs[-1]
        line_segs = []
        while i < n and segs[i][0] == line:
            line_segs.append(segs[i])
            i += 1
        # segment: [line, col, count, has_count, is_region_entry, is_gap]
        starts = [s for s in line_segs if s[3] and s[4] and not s[5]]
        skipped = bool(line_segs) and not line_segs[0][3] and line_segs[0][4]
        mapped = not skipped and ((wrapped is not None and wrapped[3]) or bool(starts))
        if mapped and first <= line <= last:
            count = wrapped[2] if wrapped is not None else 0
            for s in starts:
                count = max(count, s[2])
            out[line] = count
        line += 1
        if i >= n and line > last:
            break
    return out


def parse_functions_txt(text):
    rows = {}
    for line in (text or "").splitlines():
        m = FUNC_ROW.match(line)
        if m and m["name"] != "TOTAL":
            rows[m["name"]] = {k: (v if k == "name" else int(v)) for k, v in m.groupdict().items()}
    return rows


def kernel_name(sym, target_id, base):
    if sym.startswith(base + ":"):
        return sym[len(base) + 1:], True
    pre = f"fs_{target_id}_"
    if target_id and sym.startswith(pre):
        return sym[len(pre):], False
    return sym, False


def coverage_of(cdir, tag, kfile_abs, source, lmap, target_id):
    data = read_text(cdir / f"{tag}.json")
    if not data:
        return None
    try:
        export = json.loads(data)["data"][0]
    except (ValueError, KeyError, IndexError):
        return None
    table = parse_functions_txt(read_text(cdir / f"{tag}-functions.txt"))
    src_lines = source.splitlines() if source else []
    base = os.path.basename(kfile_abs)
    segments = next((f["segments"] for f in export.get("files", [])
                     if f.get("filename") == kfile_abs), [])
    funcs = []
    for fn in export.get("functions", []):
        names = fn.get("filenames") or []
        if not names or names[0] != kfile_abs:
            continue
        code = [r for r in fn.get("regions", []) if r[5] == 0 and r[7] == 0]
        if not code:
            code = [r for r in fn.get("regions", []) if r[5] == 0]
        if not code:
            continue
        first = min(r[0] for r in code)
        last = max(r[2] for r in code)
        kname, static = kernel_name(fn["name"], target_id, base)
        # Where an expansion (a macro such as unlikely()) lands in file 0.
        parent = {}
        for r in fn.get("regions", []):
            if r[7] == 1:  # ExpansionRegion: in file r[5], expands file r[6]
                parent[r[6]] = (r[5], r[0], r[1])

        def site(fid, line, col):
            seen = 0
            while fid != 0 and fid in parent and seen < 64:
                fid, line, col = parent[fid]
                seen += 1
            return (line, col) if fid == 0 else None

        branches, bcov = [], 0
        for b in fn.get("branches", []):
            t, f = b[4], b[5]
            bcov += (t > 0) + (f > 0)
            loc = site(b[6], b[0], b[1])
            branches.append({"line": loc[0] if loc else None, "col": loc[1] if loc else None,
                             "true": t, "false": f,
                             "in": None if b[6] == 0 else os.path.basename(names[b[6]])
                             if b[6] < len(names) else None})
        lines = line_stats(segments, first, last)
        row = table.get(fn["name"])
        if row:
            ltot, lcov = row["lines"], row["lines"] - row["lmiss"]
            btot, bcovered = row["branches"], row["branches"] - row["bmiss"]
            rtot, rcov = row["regions"], row["regions"] - row["rmiss"]
        else:  # no llvm-cov report table: the export's own numbers
            ltot, lcov = len(lines), sum(1 for c in lines.values() if c)
            btot, bcovered = 2 * len(branches), bcov
            rtot = len(fn.get("regions", []))
            rcov = sum(1 for r in fn.get("regions", []) if r[4])
        uncovered = []
        for ln in sorted(l for l, c in lines.items() if c == 0):
            kf, kl = lmap.get(ln, (None, None))
            uncovered.append({"line": ln, "kernel_file": kf, "kernel_line": kl,
                              "source": src_lines[ln - 1].rstrip() if ln <= len(src_lines) else ""})
        ubr = []
        for b in branches:
            if b["true"] and b["false"]:
                continue
            kf, kl = lmap.get(b["line"], (None, None)) if b["line"] else (None, None)
            missing = ("both" if not b["true"] and not b["false"]
                       else "true" if not b["true"] else "false")
            ubr.append({"line": b["line"], "col": b["col"], "kernel_file": kf, "kernel_line": kl,
                        "true": b["true"], "false": b["false"], "not_taken": missing,
                        "via": b["in"],
                        "source": src_lines[b["line"] - 1].strip()
                        if b["line"] and b["line"] <= len(src_lines) else ""})
        kf, kl = lmap.get(first, (None, None))
        funcs.append({
            "function": kname, "symbol": fn["name"], "static": static,
            "calls": fn.get("count", 0),
            "first_line": first, "last_line": last, "kernel_file": kf, "kernel_line": kl,
            "lines": ratio((lcov, ltot)), "branches": ratio((bcovered, btot)),
            "regions": ratio((rcov, rtot)),
            "uncovered_lines": uncovered, "uncovered_branches": ubr,
        })
    funcs.sort(key=lambda f: f["first_line"])
    tl = (sum(f["lines"]["covered"] for f in funcs), sum(f["lines"]["total"] for f in funcs))
    tb = (sum(f["branches"]["covered"] for f in funcs), sum(f["branches"]["total"] for f in funcs))
    return {"lines": ratio(tl), "branches": ratio(tb),
            "functions_called": sum(1 for f in funcs if f["calls"]),
            "functions": funcs}


def by_file(funcs):
    """Lines covered/total per kernel source file (mm/page_alloc.c,
    net/core/skbuff.c, ...), in the order the functions come."""
    out = {}
    for f in funcs:
        k = f["kernel_file"] or "(generated)"
        c = out.setdefault(k, [0, 0, 0])
        c[0] += f["lines"]["covered"]
        c[1] += f["lines"]["total"]
        c[2] += 1
    return [dict(ratio((c, t)), file=k, functions=n) for k, (c, t, n) in out.items()]


def load(cdir, tags, prefix):
    """The coverage in CDIR for each of TAGS ({tag: coverage_of(...)}
    under the tag's name; the first tag's totals and uncovered lines also
    at the top), or None if CDIR has no coverage.info.  PREFIX: CDIR
    relative to the report's directory, for the links."""
    cdir = Path(cdir)
    cinfo = read_kv(cdir / "coverage.info")
    if not cinfo:
        return None
    kabs = cinfo.get("kernel_file_abs", "")
    src_name = cinfo.get("kernel_source")
    source = read_text(cdir / src_name) if src_name else None
    if source is None and kabs:
        source = read_text(kabs)
    lmap = line_map(source or "")
    m = re.search(r'^#define FS_TARGET_ID (\S+)', source or "", re.M)
    target_id = m.group(1) if m else None
    out = {"target": cinfo.get("target"), "kernel_file": cinfo.get("kernel_file"),
           "kernel_source": f"{prefix}{src_name}" if src_name else None,
           "binary": cinfo.get("binary"), "tool": cinfo.get("llvm_cov"),
           "html": f"{prefix}html/index.html" if (cdir / "html" / "index.html").exists() else None,
           "inputs": {k[len("inputs."):]: to_int(v) for k, v in cinfo.items()
                      if k.startswith("inputs.")},
           "errors": {k[len("error."):]: v for k, v in cinfo.items() if k.startswith("error.")},
           "info": cinfo}
    for tag in tags:
        out[tag] = coverage_of(cdir, tag, kabs, source, lmap, target_id)
    c = out.get(tags[0])
    if c:
        out["lines"], out["branches"] = c["lines"], c["branches"]
        out["files"] = by_file(c["functions"])
        out["uncovered_lines"] = [
            dict(u, function=f["function"]) for f in c["functions"] for u in f["uncovered_lines"]]
        out["uncovered_branches"] = [
            dict(u, function=f["function"]) for f in c["functions"] for u in f["uncovered_branches"]]
    for tag in tags[1:]:
        if out.get(tag):
            # Only the totals and the per-function numbers of the others.
            for f in out[tag]["functions"]:
                f.pop("uncovered_lines", None)
                f.pop("uncovered_branches", None)
    return out
