#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the report of a fragsim campaign directory (standard library only).

    python3 scripts/report.py reports/<name>

Reads what scripts/campaign.sh left in the directory:

  campaign.info       key=value lines (name, dates, host, seed, exit.<target>)
  <target>.log        stdout of `fragsim run` (first line, finding reports,
                      summary line and its "<count> x <title>" lines)
  <target>.progress   stderr of `fragsim run` (a progress line every 10 s,
                      and any error message)
  findings/<target>/  <slug>-<seed>.trace and .txt of each distinct finding
  coverage/<target>/  llvm-cov of the target's kernel file over its traces,
                      replayed on build-cov (scripts/kcov.py reads it)

and writes summary.json, summary.txt, ops.svg, coverage.svg (if coverage
was measured) and index.html, which opens with the verdict banner, beside
them.
Any of the inputs may be missing or cut short (an interrupted or failed
run); the report says so instead of failing.  Exit status: 0 written,
2 bad usage (not a campaign directory).
"""

import datetime
import html
import json
import os
import re
import string
import sys
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import kcov  # llvm-cov's kernel coverage (shared with scripts/fuzz_report.py)
from kernels import names_newest_first  # alloc/kernels.list, beside this script

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "reports" / "templates" / "index.html"

RULE = re.compile(r"^={20,}$")
FIRST = re.compile(
    r"^fragsim run: target (?P<target>\S+) \((?P<release>.*), layout (?P<layout>\S+), "
    r"build (?P<build>\S+)\), seed (?P<seed>0x[0-9a-fA-F]+), "
    r"(?P<mode>seconds|runs) (?P<amount>\S+)(?P<diff>, differential vs ref)?"
    r"(?:, (?P<jobs>\d+) job\(s\))?(?:, shard (?P<shard>\d+/\d+))?$")
SUMMARY = re.compile(
    r"^fragsim run: (?P<target>\S+): (?P<seconds>[0-9.]+) s, (?P<traces>\d+) traces"
    r"(?: \((?P<runs>\d+) runs\))?, "
    r"(?P<ops>\d+) ops executed \((?P<rate>\d+) ops/s\), (?P<findings>\d+) finding\(s\)"
    r"(?:, (?P<known>\d+) known \(suppressed\))?$")
# A known (suppressed) title: "N x (known) TITLE  [suppressed by FILE:LINE]".
KNOWN_COUNT = re.compile(
    r"^\s+(?P<count>\d+) x \(known\) (?P<title>.+?)  \[suppressed by (?P<where>[^\]]+)\]$")
TITLE_COUNT = re.compile(r"^\s+(?P<count>\d+) x (?P<title>.+)$")
PROGRESS = re.compile(
    r"^\[\s*(?P<t>[0-9.]+)s\] ops (?P<ops>\d+)\s+traces (?P<traces>\d+)\s+"
    r"findings (?P<findings>\d+)\s+ops/s (?P<rate>\d+)"
    r"(?:\s+irqs \d+\s+softirqs \d+\s+switches \d+\s+agent \d+)?\s*$")
SIM = re.compile(
    r"^fragsim run: simulator: (?P<points>\d+) scheduling points, (?P<irqs>\d+) hard irqs "
    r"injected, (?P<softirqs>\d+) softirqs run, (?P<switches>\d+) CPU switches "
    r"\((?P<preemptions>\d+) preemptions\), (?P<agent>\d+) agent actions(?:;.*)?$")
REPLAY = re.compile(r"^Replay: (?P<cmd>.+)$")
REPRO = re.compile(r"^Repro key: (?P<key>.+)$")

DEFAULT_ORDER = names_newest_first()
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
           "#e377c2", "#17becf"]


def die(msg):
    print(f"fragsim: error: {msg}", file=sys.stderr)
    sys.exit(2)


def read_text(path):
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_info(d):
    info = {}
    text = read_text(d / "campaign.info") or ""
    for line in text.splitlines():
        key, sep, val = line.partition("=")
        if sep:
            info[key.strip()] = val.strip()
    return info


def report_blocks(text):
    """The KASAN-style blocks between ===== rules, as lists of lines."""
    blocks, cur = [], None
    for line in text.splitlines():
        if RULE.match(line):
            if cur is None:
                cur = []
            else:
                blocks.append(cur)
                cur = None
        elif cur is not None:
            cur.append(line)
    if cur:  # cut short: keep what there is
        blocks.append(cur)
    return blocks


def block_facts(block):
    title = next((l.strip() for l in block if l.strip()), "(untitled report)")
    facts = {"title": title}
    for line in block:
        m = REPLAY.match(line)
        if m:
            facts["replay"] = m["cmd"]
        m = REPRO.match(line)
        if m:
            facts["repro_key"] = m["key"]
    return facts


def parse_log(text):
    """The first line, the summary and simulator lines and the
    "<count> x <title>" lines of a `fragsim run` log, in whatever order
    they come: a count line is any indented one outside the report blocks
    (other "fragsim run:" lines, such as the simulator's, may sit between)."""
    res = {"first": None, "summary": None, "sim": None, "titles": [], "known": [],
           "blocks": []}
    if not text:
        return res
    lines = text.splitlines()
    if lines:
        m = FIRST.match(lines[0])
        if m:
            res["first"] = m.groupdict()
    in_block = False
    for line in lines:
        if RULE.match(line):
            in_block = not in_block
            continue
        if in_block:
            continue
        m = SIM.match(line)
        if m:
            res["sim"] = {k: int(v) for k, v in m.groupdict().items()}
            continue
        m = SUMMARY.match(line)
        if m:
            res["summary"] = m.groupdict()
            continue
        mk = KNOWN_COUNT.match(line)
        if mk:
            res["known"].append({"title": mk["title"], "count": int(mk["count"]),
                                 "suppressed_by": mk["where"]})
            continue
        mt = TITLE_COUNT.match(line)
        if mt:
            res["titles"].append({"title": mt["title"].strip(), "count": int(mt["count"])})
    res["blocks"] = [block_facts(b) for b in report_blocks(text)]
    return res


def parse_progress(text):
    points, messages = [], []
    for raw in re.split(r"[\r\n]+", text or ""):
        line = raw.strip()
        if not line:
            continue
        m = PROGRESS.match(line)
        if m:
            points.append({"t": float(m["t"]), "ops": int(m["ops"]),
                           "traces": int(m["traces"]),
                           "findings": int(m["findings"]),
                           "ops_per_s": int(m["rate"])})
        else:
            messages.append(line)
    return points, messages


def rel(path, base):
    try:
        return os.path.relpath(path, base)
    except ValueError:
        return str(path)


def finding_files(d, target, fragsim):
    """{trace basename: {...}} of the finding files of one target."""
    fdir = d / "findings" / target
    files = {}
    if not fdir.is_dir():
        return files
    for p in sorted(fdir.iterdir()):
        if p.suffix not in (".trace", ".txt"):
            continue
        e = files.setdefault(p.stem, {"trace": None, "report": None, "title": None})
        if p.suffix == ".trace":
            e["trace"] = rel(p, d)
            root_rel = Path(rel(p.resolve(), ROOT))
            cmd_path = p.resolve() if root_rel.parts[:1] == ("..",) else root_rel
            e["replay"] = f"{fragsim} replay {cmd_path}"
        else:
            e["report"] = rel(p, d)
            blocks = report_blocks(read_text(p) or "")
            if blocks:
                facts = block_facts(blocks[0])
                e["title"] = facts["title"]
                if "replay" in facts:
                    e["replay_printed"] = facts["replay"]
                if "repro_key" in facts:
                    e["repro_key"] = facts["repro_key"]
    for e in files.values():
        # fragsim prints the command it was run with; prefer it when it
        # names the same file (the campaign runs from the repository root).
        printed = e.pop("replay_printed", None)
        if printed and e.get("trace") and printed.endswith(Path(e["trace"]).name):
            e["replay"] = printed
        e.setdefault("replay", None)
    return files


def target_status(exit_code, summary, messages, interrupted):
    if exit_code is None:
        if summary:
            return ("findings" if int(summary["findings"]) else "ok"), None
        return "incomplete", "no summary line in the log (interrupted or still running?)"
    if exit_code in (0, 1) and summary:
        return ("findings" if exit_code == 1 else "ok"), None
    if exit_code == 130 or (interrupted and not summary):
        return "interrupted", "interrupted (exit %d)" % exit_code
    err = "; ".join(m for m in messages if m.startswith("fragsim")) or \
        ("; ".join(messages[-3:]) if messages else "")
    if not summary and exit_code in (0, 1):
        err = err or "no summary line in the log"
    return "failed", ("exit %d: %s" % (exit_code, err) if err else "exit %d" % exit_code)


def run_coverage(d, target):
    """Kernel line coverage of TARGET's fragsim run traces, replayed on
    build-cov by scripts/campaign.sh into coverage/TARGET/; None if not
    measured."""
    c = kcov.load(d / "coverage" / target, ("run",), f"coverage/{target}/")
    if c is None:
        return None
    info = c.pop("info")
    out = {k: c.get(k) for k in ("kernel_file", "kernel_source", "tool", "html", "errors",
                                 "lines", "branches", "files")}
    out["traces"] = kcov.to_int(info.get("inputs.run"))
    out["traces_campaign"] = kcov.to_int(info.get("traces.campaign"))
    out["seconds"] = kcov.to_int(info.get("seconds"))
    run = c.get("run")
    out["functions_called"] = run["functions_called"] if run else None
    out["functions"] = [{k: f[k] for k in ("function", "static", "calls", "kernel_file",
                                           "kernel_line", "lines", "branches")}
                        for f in run["functions"]] if run else []
    out["uncovered_lines"] = len(c.get("uncovered_lines") or []) if run else None
    return out


def collect(d):
    info = read_info(d)
    fragsim = info.get("fragsim", "build/fragsim")
    logs = {p.name[:-len(".log")] for p in d.glob("*.log")}
    progs = {p.name[:-len(".progress")] for p in d.glob("*.progress")}
    planned = info.get("targets", "").split()
    if not planned and not logs and not progs:
        die(f"{d}: no campaign.info, <target>.log or <target>.progress here")
    order = list(planned)
    rest = sorted((logs | progs) - set(order),
                  key=lambda t: (DEFAULT_ORDER.index(t) if t in DEFAULT_ORDER else 99, t))
    order += [t for t in rest if t not in order]
    interrupted = any(info.get("exit." + t) == "130" for t in order)

    targets = []
    for t in order:
        log_text = read_text(d / f"{t}.log")
        prog_text = read_text(d / f"{t}.progress")
        log = parse_log(log_text)
        points, messages = parse_progress(prog_text)
        code = info.get("exit." + t)
        exit_code = int(code) if code is not None and code.lstrip("-").isdigit() else None
        first, summary = log["first"], log["summary"]
        entry = {"target": t, "log": f"{t}.log" if log_text is not None else None,
                 "progress_file": f"{t}.progress" if prog_text is not None else None,
                 "exit_code": exit_code}
        if log_text is None and prog_text is None:
            entry.update(status="not run", error="not run (the campaign stopped before it)")
        else:
            status, error = target_status(exit_code, summary, messages, interrupted)
            entry.update(status=status, error=error)
        if first:
            entry.update(release=first["release"], layout=first["layout"],
                         build_id=first["build"], seed=first["seed"],
                         differential=bool(first["diff"]),
                         planned_seconds=float(first["amount"])
                         if first["mode"] == "seconds" else None)
        if summary:
            entry.update(seconds=float(summary["seconds"]), traces=int(summary["traces"]),
                         ops=int(summary["ops"]), ops_per_s=int(summary["rate"]),
                         findings=int(summary["findings"]),
                         known=int(summary["known"] or 0))
        elif points:  # no summary: the last progress line is the best we know
            last = points[-1]
            entry.update(seconds=last["t"], traces=last["traces"], ops=last["ops"],
                         ops_per_s=last["ops_per_s"], findings=last["findings"],
                         partial=True)
        else:
            entry.update(seconds=None, traces=None, ops=None, ops_per_s=None,
                         findings=None)
        # What the simulator did (a concurrent campaign): None if not printed.
        entry["simulator"] = log["sim"]
        if summary and summary.get("runs"):
            entry["runs"] = int(summary["runs"])
        entry["messages"] = messages

        files = finding_files(d, t, fragsim)
        by_title = {}
        for stem, f in files.items():
            title = f["title"]
            if title is None:  # report missing or unreadable: look in the log
                title = next((b["title"] for b in log["blocks"]
                              if b.get("replay", "").endswith(stem + ".trace")), None)
            by_title.setdefault(title, []).append(f)
        titles = list(log["titles"])
        seen = {x["title"] for x in titles}
        for b in log["blocks"]:  # a run cut short has reports but no summary
            if b["title"] not in seen:
                titles.append({"title": b["title"], "count": None})
                seen.add(b["title"])
        for title in by_title:
            if title is not None and title not in seen:
                titles.append({"title": title, "count": None})
                seen.add(title)
        findings = []
        for x in titles:
            fs = by_title.get(x["title"], [])
            block = next((b for b in log["blocks"] if b["title"] == x["title"]), {})
            f0 = fs[0] if fs else {}
            findings.append({
                "title": x["title"], "count": x["count"],
                "trace": f0.get("trace"), "report": f0.get("report"),
                "replay": f0.get("replay") or block.get("replay"),
                "repro_key": f0.get("repro_key") or block.get("repro_key"),
                "more_files": [{"trace": f["trace"], "report": f["report"]}
                               for f in fs[1:]],
            })
        entry["finding_titles"] = findings
        # Known (suppressed) findings: counted apart, never a failure.
        entry.setdefault("known", None)
        entry["known_titles"] = log["known"]
        entry["finding_files"] = [
            {"trace": f["trace"], "report": f["report"], "title": f["title"],
             "replay": f["replay"]} for f in files.values()]
        entry["series"] = points
        entry["coverage"] = run_coverage(d, t)
        targets.append(entry)

    started = info.get("started")
    if not started:
        started = datetime.datetime.fromtimestamp(d.stat().st_mtime).astimezone() \
            .isoformat(timespec="seconds")
    host = {"uname_r": info.get("uname_r") or os.uname().release,
            "nproc": int(info["nproc"]) if info.get("nproc", "").isdigit()
            else os.cpu_count()}
    total_findings = sum(t["findings"] or 0 for t in targets)
    failed = [t["target"] for t in targets if t["status"] in ("failed", "incomplete")]
    return {
        "name": info.get("name") or d.name,
        "date": started,
        "finished": info.get("finished"),
        "host": host,
        # fragsim's own spelling (0x + 16 hex digits) rather than the option's
        "seed": next((t["seed"] for t in targets if t.get("seed")), None)
        or info.get("seed"),
        "seconds_per_target": float(info["seconds"]) if info.get("seconds") else None,
        "fragsim": {"command": fragsim,
                    "builds": {t["target"]: {"release": t.get("release"),
                                             "layout": t.get("layout"),
                                             "build_id": t.get("build_id")}
                               for t in targets if t.get("build_id")}},
        "paths": "finding paths are relative to this directory; run the replay "
                 "commands from the repository root",
        "targets": targets,
        "totals": {"findings": total_findings,
                   "known": sum(t.get("known") or 0 for t in targets),
                   "distinct_titles": sum(len(t["finding_titles"]) for t in targets),
                   "failed_targets": failed},
        "result": ("failed" if failed or any(t["status"] == "interrupted" for t in targets)
                   else "findings" if total_findings else "ok"),
    }


# ---------------------------------------------------------------- summary.txt

def fmt_int(v):
    return "-" if v is None else str(v)


def fmt_secs(v):
    return "-" if v is None else "%.1f" % v


def summary_txt(s):
    out = []
    out.append(f"fragsim campaign {s['name']}")
    out.append(f"date:    {s['date']}" + (f" (finished {s['finished']})" if s["finished"] else ""))
    out.append(f"host:    Linux {s['host']['uname_r']}, {s['host']['nproc']} CPU(s)")
    if s["seed"]:
        out.append(f"seed:    {s['seed']}")
    for t, b in s["fragsim"]["builds"].items():
        out.append(f"build:   {t}: {b['release']}, layout {b['layout']}, build {b['build_id']}")
    out.append("")
    head = ("target", "seconds", "traces", "ops", "ops/s", "findings", "known", "status")
    rows = [head] + [(t["target"], fmt_secs(t["seconds"]), fmt_int(t["traces"]),
                      fmt_int(t["ops"]), fmt_int(t["ops_per_s"]), fmt_int(t["findings"]),
                      fmt_int(t.get("known")),
                      t["status"] + (" (partial)" if t.get("partial") else ""))
                     for t in s["targets"]]
    w = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        cells = [r[0].ljust(w[0])] + [r[i].rjust(w[i]) for i in range(1, 7)] + [r[7]]
        out.append("  ".join(cells).rstrip())
    sims = [t for t in s["targets"] if t.get("simulator")]
    if sims:
        out.append("")
        for t in sims:
            m = t["simulator"]
            out.append(f"{t['target']}: simulator: {m['irqs']} hard irqs injected, "
                       f"{m['softirqs']} softirqs run, {m['switches']} CPU switches "
                       f"({m['preemptions']} preemptions), {m['agent']} agent actions, "
                       f"{m['points']} scheduling points")
    out += coverage_txt(s)
    errors = [t for t in s["targets"] if t["error"]]
    if errors:
        out.append("")
        for t in errors:
            out.append(f"{t['target']}: {t['error']}")
    out.append("")
    any_finding = False
    for t in s["targets"]:
        for f in t["finding_titles"]:
            if not any_finding:
                out.append("Findings (title = dedup key; replay from the repository root):")
                any_finding = True
            count = "?" if f["count"] is None else str(f["count"])
            out.append("")
            out.append(f"{t['target']}: {count} x {f['title']}")
            if f["report"]:
                out.append(f"  report: {f['report']}")
            if f["replay"]:
                out.append(f"  replay: {f['replay']}")
            if f["more_files"]:
                out.append(f"  (+{len(f['more_files'])} more trace(s) in findings/{t['target']}/)")
    if not any_finding:
        out.append("No findings.")
    known = [(t["target"], k) for t in s["targets"] for k in t.get("known_titles") or []]
    if known:
        out.append("")
        out.append("Known (suppressed) findings, not failures (docs/suppressions.md):")
        for target, k in known:
            out.append(f"{target}: {k['count']} x (known) {k['title']}  "
                       f"[suppressed by {k['suppressed_by']}]")
    return "\n".join(out) + "\n"


def coverage_txt(s):
    covs = [(t["target"], t["coverage"]) for t in s["targets"] if t.get("coverage")]
    if not covs:
        return []
    out = ["", "Kernel line coverage of the fragsim run traces (llvm-cov on build-cov; "
               "coverage/<target>/):"]
    for t, c in covs:
        out.append(f"  {t}: {fmt_int(c['traces'])} of {fmt_int(c['traces_campaign'])} traces, "
                   f"lines {kcov.fmt_ratio(c.get('lines'))}, branches "
                   f"{kcov.fmt_ratio(c.get('branches'))}, {fmt_int(c.get('functions_called'))}"
                   f"/{len(c.get('functions') or [])} functions run")
        files = c.get("files") or []
        w = max([len(f["file"]) for f in files] + [0])
        for f in files:
            out.append(f"    {f['file'].ljust(w)}  {kcov.fmt_ratio(f)}")
        if c.get("errors"):
            out.append("    " + "; ".join(f"{k}: {v}" for k, v in c["errors"].items()))
    return out


# ---------------------------------------------------------------- ops.svg

def nice_step(vmax, nticks=5):
    if vmax <= 0:
        return 1.0
    raw = vmax / nticks
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def si(v):
    for div, suf in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            x = v / div
            return ("%.1f" % x).rstrip("0").rstrip(".") + suf
    return ("%.1f" % v).rstrip("0").rstrip(".")


def cumulative_series(t):
    pts = [(p["t"], p["ops"]) for p in t["series"]]
    if t.get("seconds") is not None and t.get("ops") is not None and \
            (not pts or pts[-1][0] < t["seconds"] - 0.05):
        pts.append((t["seconds"], t["ops"]))
    if pts and pts[0] != (0.0, 0):
        pts.insert(0, (0.0, 0))
    return pts


def rate_steps(pts):
    """Ops/s over each interval between progress lines, as step segments."""
    steps = []
    for (t0, o0), (t1, o1) in zip(pts, pts[1:]):
        if t1 - t0 > 1e-6:
            steps.append((t0, t1, (o1 - o0) / (t1 - t0)))
    return steps


def svg_axes(o, left, top, pw, ph, X, xmax, xstep, Y, ymax, ystep, ylabel):
    """Grid, ticks, axes and labels of one time-series panel (appended to o)."""
    v = 0.0
    while v <= ymax + ystep / 1000:
        y = Y(v)
        o.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" '
                 f'stroke="#e0e0e0" stroke-width="1"/>')
        o.append(f'<line x1="{left - 5}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="#000"/>')
        o.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{si(v)}</text>')
        v += ystep
    t = 0.0
    while t <= xmax + xstep / 1000:
        x = X(t)
        o.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 5}" stroke="#000"/>')
        o.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{si(t)}</text>')
        t += xstep
    o.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#000"/>')
    o.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#000"/>')
    o.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 34}" text-anchor="middle">'
             f'time (s)</text>')
    cy = top + ph / 2
    o.append(f'<text x="16" y="{cy:.1f}" text-anchor="middle" '
             f'transform="rotate(-90 16 {cy:.1f})">{xml_escape(ylabel)}</text>')


def ops_svg(s):
    W, left, right = 760, 84, 20
    top1, h1 = 64, 260          # cumulative ops panel
    top2, h2 = top1 + h1 + 70, 150  # ops/s panel
    H = top2 + h2 + 50
    pw = W - left - right
    series = []
    for i, t in enumerate(s["targets"]):
        pts = cumulative_series(t)
        series.append((t["target"], COLOURS[i % len(COLOURS)], pts, rate_steps(pts)))
    tmax = max([p[0] for _, _, pts, _ in series for p in pts] + [1.0])
    omax = max([p[1] for _, _, pts, _ in series for p in pts] + [1])
    rmax = max([r for _, _, _, st in series for _, _, r in st] + [1])
    xstep, ostep, rstep = nice_step(tmax, 6), nice_step(omax), nice_step(rmax, 3)
    xmax = xstep * -(-tmax // xstep)
    oax = ostep * -(-omax // ostep)
    rax = rstep * -(-rmax // rstep)

    def X(t):
        return left + pw * t / xmax

    o = []
    o.append('<?xml version="1.0" encoding="UTF-8"?>')
    o.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">')
    o.append(f'<title>fragsim campaign {xml_escape(s["name"])}: ops executed</title>')
    o.append(f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>')
    o.append(f'<text x="{left}" y="22" font-size="15" font-weight="bold">'
             f'fragsim campaign {xml_escape(s["name"])}</text>')

    def panel(top, h, ymax, ystep, title, ylabel):
        Y = (lambda v: top + h - h * v / ymax)
        o.append(f'<text x="{left}" y="{top - 10}" font-weight="bold">{xml_escape(title)}</text>')
        svg_axes(o, left, top, pw, h, X, xmax, xstep, Y, ymax, ystep, ylabel)
        return Y

    Y1 = panel(top1, h1, oax, ostep, "Cumulative ops executed", "ops")
    for name, colour, pts, _ in series:
        if len(pts) >= 2:
            path = " ".join(f"{X(t):.1f},{Y1(v):.1f}" for t, v in pts)
            o.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        for t, v in pts[1:]:
            o.append(f'<circle cx="{X(t):.1f}" cy="{Y1(v):.1f}" r="2.5" fill="{colour}"/>')
    if not any(len(pts) >= 2 for _, _, pts, _ in series):
        o.append(f'<text x="{left + pw / 2:.1f}" y="{top1 + h1 / 2:.1f}" '
                 f'text-anchor="middle" fill="#888">no progress data</text>')

    Y2 = panel(top2, h2, rax, rstep, "Ops/s between progress lines", "ops/s")
    for name, colour, _, steps in series:
        if steps:
            pts = []
            for t0, t1, r in steps:
                pts += [(t0, r), (t1, r)]
            path = " ".join(f"{X(t):.1f},{Y2(v):.1f}" for t, v in pts)
            o.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
    if not any(st for _, _, _, st in series):
        o.append(f'<text x="{left + pw / 2:.1f}" y="{top2 + h2 / 2:.1f}" '
                 f'text-anchor="middle" fill="#888">no progress data</text>')

    # Legend, top left: cumulative lines rise to the right, so it stays clear.
    lx, ly = left + 18, top1 + 16
    o.append(f'<rect x="{lx - 8}" y="{ly - 12}" width="196" height="{20 * len(series) + 6}" '
             f'fill="#ffffff" fill-opacity="0.9" stroke="#999"/>')
    for i, (name, colour, pts, _) in enumerate(series):
        y = ly + 20 * i
        o.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 24}" y2="{y}" stroke="{colour}" '
                 f'stroke-width="3"/>')
        t = next(x for x in s["targets"] if x["target"] == name)
        label = name if len(pts) >= 2 else f"{name} ({t['status']}, no data)"
        o.append(f'<text x="{lx + 32}" y="{y + 4}">{xml_escape(label)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


# ---------------------------------------------------------------- coverage.svg

def coverage_svg(s):
    """Per target, one bar per kernel source file and one for all: the
    percentage of its lines the fragsim run traces executed."""
    covs = [(t["target"], t["coverage"]) for t in s["targets"]
            if t.get("coverage") and t["coverage"].get("lines")]
    if not covs:
        return None
    bars = []                   # (target, label, ratio)
    for t, c in covs:
        bars.append((t, "all kernel lines", c["lines"]))
        bars += [(t, f["file"], f) for f in c.get("files") or []]
    W, left, right, top, bh, gap = 760, 250, 70, 40, 18, 26
    H = top + len(bars) * (bh + 6) + gap * len(covs) + 40
    pw = W - left - right
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
         f'<title>fragsim campaign {xml_escape(s["name"])}: kernel line coverage</title>',
         f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
         f'<text x="12" y="22" font-size="15" font-weight="bold">Kernel lines executed by '
         f'the fragsim run traces</text>']
    for v in range(0, 101, 20):
        x = left + pw * v / 100
        o.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{H - 30}" stroke="#e0e0e0"/>')
        o.append(f'<text x="{x:.1f}" y="{H - 14}" text-anchor="middle">{v}%</text>')
    y, prev = top, None
    for t, label, r in bars:
        if t != prev:           # a heading per target
            o.append(f'<text x="12" y="{y + 16}" font-weight="bold">{xml_escape(t)}</text>')
            y += gap
            prev = t
        colour = COLOURS[[c[0] for c in covs].index(t) % len(COLOURS)]
        w = pw * (r["percent"] or 0) / 100
        o.append(f'<text x="{left - 8}" y="{y + bh - 5}" text-anchor="end">'
                 f'{xml_escape(label)}</text>')
        light = "" if label == "all kernel lines" else ' fill-opacity="0.6"'
        o.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bh}" '
                 f'fill="{colour}"{light}/>')
        o.append(f'<text x="{left + w + 4:.1f}" y="{y + bh - 5}">'
                 f'{r["covered"]}/{r["total"]}</text>')
        y += bh + 6
    o.append("</svg>")
    return "\n".join(o) + "\n"


def coverage_html(s, svg):
    covs = [(t["target"], t["coverage"]) for t in s["targets"] if t.get("coverage")]
    if not covs:
        return ""
    rows, details = [], []
    for t, c in covs:
        nf = len(c.get("functions") or [])
        files = ", ".join(f"{f['file']} {kcov.fmt_ratio(f)}" for f in c.get("files") or [])
        rows.append(
            f"<tr><td>{h(t)}</td><td class=\"n\">{h(fmt_int(c['traces']))} of "
            f"{h(fmt_int(c['traces_campaign']))}</td>"
            f"<td class=\"n\">{h(kcov.fmt_ratio(c.get('lines')))}</td>"
            f"<td class=\"n\">{h(kcov.fmt_ratio(c.get('branches')))}</td>"
            f"<td class=\"n\">{h(fmt_int(c.get('functions_called')))}/{nf}</td>"
            f"<td>{h(files)}</td><td>"
            + " ".join(x for x in (link(c.get("html"), "annotated source") if c.get("html") else "",
                                   link(c.get("kernel_source"), "extracted file")
                                   if c.get("kernel_source") else "") if x)
            + (f'<span class="error">{h("; ".join(c["errors"].values()))}</span>'
               if c.get("errors") else "") + "</td></tr>")
        frows = "".join(
            f"<tr><td><code>{h(f['function'])}</code>"
            + (" <small>(static)</small>" if f["static"] else "")
            + f"</td><td>{h(f['kernel_file'] or '')}:{h(f['kernel_line'] or '')}</td>"
            f"<td class=\"n\">{h(f['calls'])}</td>"
            f"<td class=\"n\">{h(kcov.fmt_ratio(f['lines']))}</td>"
            f"<td class=\"n\">{h(kcov.fmt_ratio(f['branches']))}</td></tr>"
            for f in c.get("functions") or [])
        if frows:
            details.append(
                f"<details><summary>{h(t)}: {nf} functions of "
                f"<code>{h(c['kernel_file'])}</code></summary><table><tr><th>function</th>"
                "<th>kernel source</th><th>calls</th><th>lines</th><th>branches</th></tr>"
                + frows + "</table></details>")
    svg_inline = re.sub(r"^<\?xml[^>]*>\s*", "", svg) if svg else ""
    return ("<h2>Kernel coverage of the fragsim run traces</h2>\n"
            "<p>Each target's traces (trace 0, 1, 2, ... of the campaign's seed, the ones its "
            "run ran) replayed by <code>build-cov/sim/fragsim</code> (llvm source-based "
            "coverage) for at most the campaign's <code>--coverage-seconds</code>; llvm-cov "
            "on the extracted kernel file (page_frag code of mm/page_alloc.c or "
            "mm/page_frag_cache.c, the frag parts of net/core/skbuff.c).</p>\n"
            "<table><tr><th>target</th><th>traces replayed</th><th>lines</th><th>branches</th>"
            "<th>functions run</th><th>lines per kernel file</th><th>files</th></tr>"
            + "".join(rows) + "</table>\n" + svg_inline + "".join(details) + "\n")


# ---------------------------------------------------------------- index.html

def h(v):
    return html.escape("" if v is None else str(v))


def link(href, text=None):
    if not href:
        return h(text or "-")
    return f'<a href="{h(href)}">{h(text or href)}</a>'


# The verdict banner at the top of every HTML report (this campaign report,
# scripts/fuzz_report.py's, scripts/validate_report.py's): one coloured
# line, the first thing a reader sees.  Styled inline so that a page of any
# template shows it the same way.
BANNER_COLOURS = {"pass": ("#1a7f37", "#e9f7ec"), "findings": ("#b00020", "#fdecee"),
                  "incomplete": ("#9a5b00", "#fff4e0")}
BANNER_BEGIN, BANNER_END = "<!-- verdict:begin -->", "<!-- verdict:end -->"


def verdict_banner(kind, text):
    fg, bg = BANNER_COLOURS[kind]
    return (f'{BANNER_BEGIN}<div class="verdict verdict-{kind}" role="status" '
            f'style="font-size:1.35em;font-weight:bold;color:{fg};background:{bg};'
            f'border:2px solid {fg};border-radius:6px;padding:0.5em 0.8em;margin:0 0 1em 0;'
            f'overflow-wrap:anywhere">{h(text)}</div>{BANNER_END}')


def put_banner(page, banner):
    """The page with its banner replaced, or put first in <body>."""
    if BANNER_BEGIN in page and BANNER_END in page:
        a, rest = page.split(BANNER_BEGIN, 1)
        return a + banner + rest.split(BANNER_END, 1)[1]
    m = re.search(r"<body[^>]*>", page)
    if not m:
        return banner + page
    return page[:m.end()] + "\n" + banner + page[m.end():]


def plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def campaign_verdict(s):
    """(kind, text) of a campaign's summary.json, its fuzz part included
    when scripts/fuzz_report.py --campaign has added it."""
    targets = [t["target"] for t in s["targets"]]
    hits = sum(t.get("findings") or 0 for t in s["targets"])
    titles = sum(len(t.get("finding_titles") or []) for t in s["targets"])
    known = sum(t.get("known") or 0 for t in s["targets"])
    fuzz = s.get("fuzz") or {}
    ftargets = fuzz.get("targets") or []
    ftitles = sum(len(e.get("findings") or []) for e in ftargets)
    bad = [f"fragsim run {t['target']} {t['status']}" for t in s["targets"]
           if t["status"] not in ("ok", "findings")]
    bad += [f"fuzz {e['target']} {e['status']}" for e in ftargets
            if e["status"] not in ("ok", "findings")]
    what = "fragsim run" + (" and libFuzzer" if ftargets else "")
    where = ", ".join(targets) or "no target"
    extra = f"; {known} known (suppressed)" if known else ""
    if hits or titles or ftitles:
        parts = []
        if hits or titles:
            parts.append(f"{plural(titles, 'distinct finding')} ({plural(hits, 'hit')}) "
                         "from fragsim run")
        if ftitles:
            parts.append(f"{plural(ftitles, 'distinct finding')} from libFuzzer")
        found = {t["target"] for t in s["targets"] if t.get("finding_titles") or t.get("findings")}
        found |= {e["target"] for e in ftargets if e.get("findings")}
        on = [t for t in targets if t in found] + sorted(found - set(targets))
        text = f"FINDINGS: {' and '.join(parts)} on {', '.join(on)}{extra}"
        if bad:
            text += "; also " + ", ".join(bad)
        return "findings", text
    if bad:
        return "incomplete", f"INCOMPLETE: {', '.join(bad)}; no findings in what ran on {where}{extra}"
    return "pass", f"PASS: 0 findings on {where} ({what}){extra}"


def index_html(s, svg, summary_text, cov_svg=None):
    rows = []
    for t in s["targets"]:
        st = t["status"] + (" (partial)" if t.get("partial") else "")
        rows.append(
            "<tr>" + f"<td>{h(t['target'])}</td>"
            + "".join(f'<td class="n">{h(v)}</td>' for v in (
                fmt_secs(t["seconds"]), fmt_int(t["traces"]), fmt_int(t["ops"]),
                fmt_int(t["ops_per_s"]), fmt_int(t["findings"])))
            + f'<td class="{h(t["status"].split()[0])}">{h(st)}</td>'
            + "<td>" + (" ".join(link(f, n) for f, n in ((t["log"], "log"),
                                   (t["progress_file"], "progress")) if f) or "-") + "</td>"
            + f"<td>{h(t.get('build_id') or '-')}</td></tr>")
    errors = "".join(
        f"<p class=\"error\"><b>{h(t['target'])}</b>: {h(t['error'])}</p>"
        + (f"<pre>{h(chr(10).join(t['messages']))}</pre>" if t["messages"] else "")
        for t in s["targets"] if t["error"])
    items = []
    for t in s["targets"]:
        for f in t["finding_titles"]:
            count = "?" if f["count"] is None else f["count"]
            items.append(
                f"<li><code>{h(f['title'])}</code> &mdash; {h(t['target'])}, {h(count)} time(s)"
                f"<br>report {link(f['report'])} &middot; trace {link(f['trace'])}"
                + (f"<br><code>{h(f['replay'])}</code>" if f["replay"] else "")
                + "</li>")
    findings = ("<ul>" + "".join(items) + "</ul>"
                "<p>Run the replay commands from the repository root.</p>") if items \
        else "<p>No findings.</p>"
    svg_inline = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    tmpl = read_text(TEMPLATE)
    if tmpl is None:
        tmpl = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>$title</title>"
                "</head><body><h1>$title</h1>$meta<table>$table</table>$errors"
                "$plot$coverage<h2>Findings</h2>$findings<pre>$summary_text</pre></body></html>")
    cov = coverage_html(s, cov_svg)
    if "$coverage" not in tmpl:  # an older template
        tmpl = tmpl.replace("<h2>Findings</h2>", "$coverage<h2>Findings</h2>", 1)
    meta = (f"<p>{h(s['date'])} &middot; Linux {h(s['host']['uname_r'])}, "
            f"{h(s['host']['nproc'])} CPU(s) &middot; seed <code>{h(s['seed'])}</code>"
            f" &middot; {link('summary.txt')} &middot; {link('summary.json')} &middot; "
            f"{link('ops.svg')}</p>")
    table = ("<tr><th>target</th><th>seconds</th><th>traces</th><th>ops</th>"
             "<th>ops/s</th><th>findings</th><th>status</th><th>files</th>"
             "<th>build</th></tr>" + "".join(rows))
    page = string.Template(tmpl).safe_substitute(
        title=h(f"fragsim campaign {s['name']}"), meta=meta, table=table,
        errors=errors, plot=svg_inline, coverage=cov, findings=findings,
        summary_text=h(summary_text), result=h(s["result"]))
    return put_banner(page, verdict_banner(*campaign_verdict(s)))


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print("usage: scripts/report.py CAMPAIGN_DIR", file=sys.stderr if len(argv) != 2 else sys.stdout)
        return 0 if len(argv) == 2 else 2
    d = Path(argv[1])
    if not d.is_dir():
        die(f"{d} is not a directory")
    s = collect(d)
    text = summary_txt(s)
    svg = ops_svg(s)
    (d / "summary.json").write_text(json.dumps(s, indent=2) + "\n", encoding="utf-8")
    (d / "summary.txt").write_text(text, encoding="utf-8")
    (d / "ops.svg").write_text(svg, encoding="utf-8")
    cov_svg = coverage_svg(s)
    if cov_svg:
        (d / "coverage.svg").write_text(cov_svg, encoding="utf-8")
    (d / "index.html").write_text(index_html(s, svg, text, cov_svg), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
