#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the report of a fragsim fuzz campaign (standard library only).

    python3 scripts/fuzz_report.py reports/<name>
    python3 scripts/fuzz_report.py --campaign reports/<campaign>

The first form reads what scripts/fuzz.sh left in a fuzz directory:

  fuzz.info           key=value lines (engine, fuzzer, target, dates, commands)
  fuzz.progress       a line every 10 s: execs, exec/s, corpus, cov/ft or edges, crashes
  fuzz.log            the fuzzer's output (libFuzzer stats lines; AFL++ logs)
  afl/*/plot_data     AFL++'s own time series (AFL++ runs)
  triage.tsv          each artifact: replay exit, verdict, title, finding directory
  findings/<slug>/    the first artifact of each title, report.txt, replay.txt,
                      minimized.trace, decoded.trace
  coverage/           llvm-cov export/report of the kernel file of the target for
                      the final corpus (corpus.*) and the seeds (seeds.*)

and writes summary.json, summary.txt, exec_s.svg, corpus.svg, coverage.svg
and index.html beside them.  Inputs may be missing or cut short.

The second form adds the fuzz reports in <campaign>/fuzz/<target>/ (written
by scripts/campaign.sh) to the campaign's summary.json ("fuzz"),
summary.txt and index.html, after scripts/report.py wrote them.

Exit status: 0 written, 2 bad usage.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kcov  # noqa: E402  (llvm-cov's kernel coverage, shared with report.py)
from kcov import fmt_ratio, read_kv, read_text, to_int  # noqa: E402
from report import (COLOURS, campaign_verdict, die, h, link, nice_step, plural,  # noqa: E402
                    put_banner, si, svg_axes, verdict_banner)  # (the campaign report's style)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "reports" / "templates" / "fuzz.html"

PROGRESS = re.compile(
    r"^\[\s*(?P<t>[0-9.]+)s\] execs (?P<execs>\d+)\s+exec/s (?P<rate>\d+)\s+"
    r"corpus (?P<corpus>\d+)\s+(?:cov (?P<cov>\d+)\s+ft (?P<ft>\d+)|edges (?P<edges>\d+))"
    r"\s+crashes (?P<crashes>\d+)\s*$")
LF_STATS = re.compile(r"^#(?P<n>\d+)[:\s].*?cov: (?P<cov>\d+) ft: (?P<ft>\d+) corp: (?P<corp>\d+)")
LF_FORK = re.compile(
    r"^#(?P<n>\d+): cov: (?P<cov>\d+) ft: (?P<ft>\d+) corp: (?P<corp>\d+) exec/s:? \d+ "
    r"oom/timeout/crash: (?P<oom>\d+)/(?P<timeout>\d+)/(?P<crash>\d+) time: (?P<t>\d+)s")
LF_SEEDS = re.compile(r"^INFO: -fork=\d+: (?P<n>\d+) seed inputs")
TITLE_RULE = re.compile(r"^={20,}$")


def to_float(v, default=None):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- run data

def parse_progress(text):
    points, messages = [], []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        m = PROGRESS.match(line)
        if not m:
            messages.append(line)
            continue
        p = {"t": float(m["t"]), "execs": int(m["execs"]), "exec_per_s": int(m["rate"]),
             "corpus": int(m["corpus"]), "crashes": int(m["crashes"])}
        if m["cov"] is not None:
            p.update(cov=int(m["cov"]), ft=int(m["ft"]))
        else:
            p["edges"] = int(m["edges"])
        points.append(p)
    return points, messages


def parse_plot_data(d):
    """AFL++ plot_data of every instance, merged on time (5 s resolution)."""
    inst = {}
    for f in sorted(d.glob("afl/*/plot_data")):
        rows, header = [], None
        for line in (read_text(f) or "").splitlines():
            if line.startswith("#"):
                header = [c.strip() for c in line.lstrip("# ").split(",")]
                continue
            vals = [v.strip().rstrip("%") for v in line.split(",")]
            if header and len(vals) == len(header):
                rows.append(dict(zip(header, vals)))
        if rows:
            inst[f.parent.name] = rows
    if not inst:
        return [], {}
    # relative_time is the instance's own; sum/max over instances per 5 s slot.
    slots = {}
    for name, rows in inst.items():
        for r in rows:
            t = to_float(r.get("relative_time"), 0.0)
            slot = int(t // 5) * 5
            slots.setdefault(slot, {})[name] = r
    points, last = [], {}
    for slot in sorted(slots):
        last.update(slots[slot])
        rs = list(last.values())
        points.append({
            "t": float(slot),
            "execs": sum(to_int(r.get("total_execs"), 0) for r in rs),
            "exec_per_s": int(sum(to_float(r.get("execs_per_sec"), 0.0) for r in rs)),
            "corpus": max(to_int(r.get("corpus_count"), 0) for r in rs),
            "edges": max(to_int(r.get("edges_found"), 0) for r in rs),
            "map_percent": max(to_float(r.get("map_size"), 0.0) for r in rs),
            "crashes": sum(to_int(r.get("saved_crashes"), 0) + to_int(r.get("saved_hangs"), 0)
                           for r in rs),
        })
    # the execs_per_sec column is often 0.00 in 4.04c: rates from the counts
    prev = (0.0, 0)
    for p in points:
        dt = p["t"] - prev[0]
        if dt > 0:
            p["exec_per_s"] = int((p["execs"] - prev[1]) / dt)
        prev = (p["t"], p["execs"])
    stats = {}
    for f in sorted(d.glob("afl/*/fuzzer_stats")):
        stats[f.parent.name] = read_kv(f, ":")
    return points, stats


def fork_series(text):
    """libFuzzer -fork=N prints a stats line per finished job, with its own
    clock: a finer and exact series than the 10 s samples of fuzz.sh."""
    pts = []
    for line in (text or "").splitlines():
        m = LF_FORK.match(line)
        if not m:
            continue
        p = {"t": float(m["t"]), "execs": int(m["n"]), "corpus": int(m["corp"]),
             "cov": int(m["cov"]), "ft": int(m["ft"]),
             "crashes": int(m["oom"]) + int(m["timeout"]) + int(m["crash"])}
        if pts and pts[-1]["t"] == p["t"]:
            pts[-1] = p  # same second: keep the later line
        else:
            pts.append(p)
    prev = (0.0, 0)
    for p in pts:
        dt = p["t"] - prev[0]
        p["exec_per_s"] = int((p["execs"] - prev[1]) / dt) if dt > 0 else 0
        prev = (p["t"], p["execs"])
    return pts


def parse_libfuzzer_log(text):
    last, seeds = None, None
    for line in (text or "").splitlines():
        m = LF_STATS.match(line)
        if m:
            last = {k: int(v) for k, v in m.groupdict().items()}
        m = LF_SEEDS.match(line)
        if m:
            seeds = int(m["n"])
    return last, seeds


def parse_triage(d):
    text = read_text(d / "triage.tsv")
    rows = []
    if not text:
        return rows
    lines = text.splitlines()
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (6 - len(cells))
        rows.append({"artifact": cells[0], "kind": cells[1],
                     "replay_exit": to_int(cells[2]), "verdict": cells[3],
                     "title": cells[4] or None, "finding": cells[5] or None})
    return rows


KNOWN_LINE = re.compile(r"^fragsim fuzz: known: (?P<title>.+?) \(known: suppressed by (?P<where>[^ ]+) ")


def collect_known(log_text, triage):
    """Known (suppressed) findings: the fuzzer's "known:" lines (said once
    per title and process) and the artifacts fragsim replay calls known."""
    known = {}
    for line in (log_text or "").splitlines():
        m = KNOWN_LINE.match(line)
        if m:
            known.setdefault(m["title"], m["where"])
    for r in triage:
        if r["verdict"] == "known" and r["title"]:
            known.setdefault(r["title"], None)
    return [{"title": t, "suppressed_by": w} for t, w in known.items()]


def rel_to_root(p):
    try:
        r = os.path.relpath(Path(p).resolve(), ROOT)
    except ValueError:
        return str(p)
    return str(Path(p).resolve()) if r.startswith("..") else r


def collect_findings(d, triage, info):
    by_dir = {}
    for r in triage:
        if r["finding"]:
            by_dir.setdefault(r["finding"], []).append(r)
    findings = []
    for fdir, rows in by_dir.items():
        p = d / fdir
        first = next((r for r in rows if (p / Path(r["artifact"]).name).exists()), rows[0])
        art = Path(first["artifact"]).name
        verdicts = {}
        for r in rows:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
        minimized = p / "minimized.trace"
        decoded = p / "decoded.trace"
        replayer = info.get("replayer", "build/fragsim")
        target = info.get("target")
        tgt = f" --target {target}" if target else ""
        replay = (read_text(p / "replay.txt") or "").strip()
        if replay and (p / art).exists():
            # the input as it is named now (the directory may have moved)
            replay = replay.rsplit(" ", 1)[0] + " " + rel_to_root(p / art)
        replay = replay or f"{replayer} replay{tgt} {rel_to_root(p / art)}"
        f = {
            "title": first["title"], "verdict": first["verdict"], "count": len(rows),
            "dir": fdir,
            "artifact": f"{fdir}/{art}" if (p / art).exists() else first["artifact"],
            "report": f"{fdir}/report.txt" if (p / "report.txt").exists() else None,
            "minimized": f"{fdir}/minimized.trace" if minimized.exists() else None,
            "decoded": f"{fdir}/decoded.trace" if decoded.exists() else None,
            "replay": replay,
            "replay_minimized": (f"{replayer} replay{tgt} {rel_to_root(minimized)}"
                                 if minimized.exists() else None),
            "artifacts": [r["artifact"] for r in rows],
            "verdicts": verdicts,
        }
        rep = read_text(p / "report.txt") or ""
        m = re.search(r"^Repro key: (.+)$", rep, re.M)
        if m:
            f["repro_key"] = m.group(1)
        if minimized.exists():
            f["minimized_ops"] = sum(
                1 for l in (read_text(minimized) or "").splitlines()
                if l.strip() and not l.lstrip().startswith("#"))
        findings.append(f)
    return findings


# ---------------------------------------------------------------- coverage

def collect_coverage(d, info):
    """The kernel coverage of the final corpus (and of the seeds alone)."""
    return kcov.load(d / "coverage", ("corpus", "seeds"), "coverage/")


def collect(d):
    info = read_kv(d / "fuzz.info")
    if not info and not (d / "fuzz.progress").exists():
        die(f"{d}: no fuzz.info or fuzz.progress here (not a fuzz report directory)")
    engine = info.get("engine", "libfuzzer")
    points, messages = parse_progress(read_text(d / "fuzz.progress"))
    progress_points = points
    series_source = "fuzz.progress"
    afl_stats = {}
    if engine == "afl":
        apoints, afl_stats = parse_plot_data(d)
        # AFL++ 4.04c writes plot_data only after 60 s of fuzzing
        if len(apoints) >= 2:
            points, series_source = apoints, "afl/*/plot_data"
    log_text = read_text(d / "fuzz.log")
    lf_last, lf_seeds = parse_libfuzzer_log(log_text) if engine == "libfuzzer" else (None, None)
    if engine == "libfuzzer":
        fpoints = fork_series(log_text)
        if len(fpoints) >= 2:
            points, series_source = fpoints, "fuzz.log (libFuzzer -fork stats lines)"
    triage = parse_triage(d)
    findings = collect_findings(d, triage, info)
    known = collect_known(log_text, triage)
    elapsed = to_float(info.get("fuzz_seconds"))
    last = points[-1] if points else {}
    execs = last.get("execs")
    if lf_last and (execs is None or lf_last["n"] > execs):
        execs = lf_last["n"]
    corpus_final = sum(1 for p in (d / "corpus").iterdir() if p.is_file()) \
        if (d / "corpus").is_dir() else None
    stats = {
        "execs": execs,
        "exec_per_s": int(execs / elapsed) if execs and elapsed else None,
        "corpus_initial": to_int(info.get("seed_count")),
        "corpus_final": corpus_final,
        "crashes": len(triage),
        "known": len(known),
    }
    if engine == "libfuzzer":
        stats["cov"] = lf_last["cov"] if lf_last else last.get("cov")
        stats["ft"] = lf_last["ft"] if lf_last else last.get("ft")
        stats["seed_inputs_loaded"] = lf_seeds
    else:
        fs_execs = sum(to_int(v.get("execs_done"), 0) for v in afl_stats.values())
        if fs_execs and (stats["execs"] is None or fs_execs > stats["execs"]):
            stats["execs"] = fs_execs
            stats["exec_per_s"] = int(fs_execs / elapsed) if elapsed else None
        stats["edges"] = max([to_int(v.get("edges_found"), 0) for v in afl_stats.values()]
                             + [last.get("edges") or 0]) or None
        stats["map_percent"] = max([to_float(str(v.get("bitmap_cvg", "")).rstrip("%"), 0.0)
                                    for v in afl_stats.values()]
                                   + [last.get("map_percent") or 0.0]) or None
        stats["instances"] = {k: {x: v.get(x) for x in (
            "execs_done", "execs_per_sec", "corpus_count", "saved_crashes", "saved_hangs",
            "edges_found", "total_edges", "bitmap_cvg", "stability")}
            for k, v in afl_stats.items()}
    verdicts = {}
    for r in triage:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    fuzz_exit = to_int(info.get("fuzz_exit"))
    if info.get("interrupted"):
        status = "interrupted"
    elif info.get("fuzz_failed") or (not points and not triage):
        status = "failed"
    elif findings:
        status = "findings"
    else:
        status = "ok"
    cov = collect_coverage(d, info)
    if info.get("fuzz_failed"):
        error = "the fuzzer ran no input (exit %s); see fuzz.log" % info.get("fuzz_exit")
    elif status == "failed":
        error = "no progress data: the fuzzer did not run or was cut short"
    else:
        error = None
    return {
        "name": info.get("name") or d.name,
        "date": info.get("started") or datetime.datetime.fromtimestamp(
            d.stat().st_mtime).astimezone().isoformat(timespec="seconds"),
        "finished": info.get("finished"),
        "host": {"uname_r": info.get("uname_r") or os.uname().release,
                 "nproc": to_int(info.get("nproc"), os.cpu_count())},
        "git": info.get("git"),
        "engine": engine, "fuzzer": info.get("fuzzer"), "target": info.get("target"),
        "seconds": to_int(info.get("seconds")), "elapsed": elapsed,
        "jobs": to_int(info.get("jobs")),
        "fuzzer_binary": info.get("fuzzer_binary"),
        "commands": {k: v for k, v in info.items() if k == "command" or k.startswith("command.")},
        "seeds": info.get("seeds"), "dict": info.get("dict"), "options": info.get("options"),
        "fuzz_exit": fuzz_exit, "overrun": bool(info.get("overrun")),
        "status": status, "error": error, "messages": messages,
        "stats": stats,
        "series_source": series_source, "series": points,
        "progress": progress_points,
        "artifacts": {"total": len(triage), "by_verdict": verdicts},
        "findings": findings,
        "known": known,
        "coverage": cov,
        "paths": "paths are relative to this directory; run the replay commands "
                 "from the repository root",
    }


# ---------------------------------------------------------------- summary.txt

def fmt(v, spec="{}"):
    return "-" if v is None else spec.format(v)


def summary_txt(s):
    st = s["stats"]
    out = [f"fragsim fuzz {s['name']}",
           f"date:    {s['date']}" + (f" (finished {s['finished']})" if s["finished"] else ""),
           f"host:    Linux {s['host']['uname_r']}, {s['host']['nproc']} CPU(s)",
           f"fuzzer:  {s['fuzzer']} ({s['engine']}, {fmt(s['jobs'])} job(s)) on {s['target']}",
           f"time:    {fmt(s['seconds'])} s planned, {fmt(s['elapsed'])} s run"
           + (" (stopped: overran)" if s["overrun"] else ""),
           ""]
    out.append(f"status:  {s['status']}" + (f": {s['error']}" if s["error"] else ""))
    out.append(f"execs:   {fmt(st['execs'])} ({fmt(st['exec_per_s'])} exec/s)")
    out.append(f"corpus:  {fmt(st['corpus_initial'])} seeds -> {fmt(st['corpus_final'])} inputs")
    if s["engine"] == "libfuzzer":
        out.append(f"libFuzzer coverage: cov {fmt(st.get('cov'))}, ft {fmt(st.get('ft'))}")
    else:
        out.append(f"AFL++ coverage: {fmt(st.get('edges'))} edges "
                   f"({fmt(st.get('map_percent'), '{:.2f}')}% of the map)")
    out.append(f"artifacts: {s['artifacts']['total']}" + (
        " (" + ", ".join(f"{n} {v}" for v, n in sorted(s["artifacts"]["by_verdict"].items()))
        + ")" if s["artifacts"]["by_verdict"] else ""))
    c = s["coverage"]
    if c:
        out.append("")
        out.append(f"Kernel coverage of {c['target']} ({c['kernel_file']}, llvm-cov "
                   f"{c.get('tool') or ''}), final corpus of {fmt(c['inputs'].get('corpus'))} input(s):")
        if c.get("corpus"):
            seeds = c.get("seeds")
            out.append(f"  lines    {fmt_ratio(c['lines'])}"
                       + (f"   (seeds alone: {fmt_ratio(seeds['lines'])})" if seeds else ""))
            out.append(f"  branches {fmt_ratio(c['branches'])}"
                       + (f"   (seeds alone: {fmt_ratio(seeds['branches'])})" if seeds else ""))
            w = max([len(f["function"]) for f in c["corpus"]["functions"]] + [8])
            out.append("")
            out.append(f"  {'function'.ljust(w)}  {'lines':>16}  {'branches':>16}  calls")
            for f in c["corpus"]["functions"]:
                out.append(f"  {f['function'].ljust(w)}  {fmt_ratio(f['lines']):>16}  "
                           f"{fmt_ratio(f['branches']):>16}  {f['calls']}")
            ul = c.get("uncovered_lines") or []
            out.append("")
            if ul:
                out.append(f"  Uncovered kernel lines ({len(ul)}):")
                for u in ul:
                    where = (f"{u['kernel_file']}:{u['kernel_line']}" if u["kernel_file"]
                             else f"line {u['line']}")
                    out.append(f"    {where}  [{u['function']}]  {u['source'].strip()}")
            else:
                out.append("  Every kernel line was covered.")
            ub = c.get("uncovered_branches") or []
            if ub:
                out.append("")
                out.append(f"  Branches not taken both ways ({len(ub)}; true/false counts):")
                for u in ub:
                    where = (f"{u['kernel_file']}:{u['kernel_line']}" if u["kernel_file"]
                             else f"line {u['line']}")
                    out.append(f"    {where}  [{u['function']}]  {u['true']}/{u['false']}  "
                               f"{u['source'].strip()}")
        else:
            out.append("  (no coverage data: " + "; ".join(
                f"{k}: {v}" for k, v in c["errors"].items()) + ")")
    out.append("")
    if s["findings"]:
        out.append("Findings (title = dedup key; replay from the repository root):")
        for f in s["findings"]:
            out.append("")
            out.append(f"{f['count']} x {f['title']}" + (
                f"   [{f['verdict']}]" if f["verdict"] != "finding" else ""))
            if f["report"]:
                out.append(f"  report:    {f['report']}")
            if f["minimized"]:
                out.append(f"  minimized: {f['minimized']}")
            out.append(f"  replay:    {f['replay']}")
    else:
        out.append("No findings.")
    if s.get("known"):
        out.append("")
        out.append(f"Known (suppressed) findings: {len(s['known'])} (docs/suppressions.md)")
        for k in s["known"]:
            out.append(f"  (known) {k['title']}" + (
                f"  [suppressed by {k['suppressed_by']}]" if k["suppressed_by"] else ""))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- SVG

def line_svg(title, ylabel, series, W=760, H=300):
    """One panel, report.py's style: series = [(label, [(t, v), ...]), ...]."""
    left, right, top, bottom = 84, 20, 56, 50
    pw, ph = W - left - right, H - top - bottom
    tmax = max([t for _, pts in series for t, _ in pts] + [1.0])
    vmax = max([v for _, pts in series for _, v in pts] + [1])
    xstep, ystep = nice_step(tmax, 6), nice_step(vmax)
    xmax = xstep * -(-tmax // xstep)
    ymax = ystep * -(-vmax // ystep)

    def X(t):
        return left + pw * t / xmax

    def Y(v):
        return top + ph - ph * v / ymax

    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
         f'<title>{xml_escape(title)}</title>',
         f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
         f'<text x="{left}" y="22" font-size="15" font-weight="bold">{xml_escape(title)}</text>']
    svg_axes(o, left, top, pw, ph, X, xmax, xstep, Y, ymax, ystep, ylabel)
    drawn = 0
    for i, (label, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if len(pts) >= 2:
            path = " ".join(f"{X(t):.1f},{Y(v):.1f}" for t, v in pts)
            o.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            drawn += 1
        for t, v in pts:
            o.append(f'<circle cx="{X(t):.1f}" cy="{Y(v):.1f}" r="2.5" fill="{colour}"/>')
    if not drawn:
        o.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph / 2:.1f}" '
                 f'text-anchor="middle" fill="#888">no progress data</text>')
    if series:
        lx, ly = left + 18, top + 16
        o.append(f'<rect x="{lx - 8}" y="{ly - 12}" width="196" height="{20 * len(series) + 6}" '
                 f'fill="#ffffff" fill-opacity="0.9" stroke="#999"/>')
        for i, (label, _) in enumerate(series):
            y = ly + 20 * i
            o.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 24}" y2="{y}" '
                     f'stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="3"/>')
            o.append(f'<text x="{lx + 32}" y="{y + 4}">{xml_escape(label)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def svgs(s):
    pts = s["series"]
    name = s["name"]
    rate = [(p["t"], p["exec_per_s"]) for p in pts]
    # AFL++: its queue size is counted live every 10 s, plot_data starts at 60 s
    cpts = s.get("progress") if s["engine"] == "afl" and s.get("progress") else pts
    corpus = [(p["t"], p["corpus"]) for p in cpts]
    if corpus and s["stats"].get("corpus_initial") is not None and corpus[0][0] > 0:
        corpus.insert(0, (0.0, s["stats"]["corpus_initial"]))
    if s["engine"] == "libfuzzer":
        cov = [("cov (edges)", [(p["t"], p["cov"]) for p in pts if "cov" in p]),
               ("ft (features)", [(p["t"], p["ft"]) for p in pts if "ft" in p])]
        covlabel = "libFuzzer cov / ft"
    else:
        cov = [("edges found", [(p["t"], p["edges"]) for p in pts if "edges" in p])]
        covlabel = "AFL++ edges"
    return {
        "exec_s.svg": line_svg(f"fuzz {name}: exec/s", "exec/s", [(s["fuzzer"], rate)]),
        "corpus.svg": line_svg(f"fuzz {name}: corpus size", "inputs", [(s["fuzzer"], corpus)]),
        "coverage.svg": line_svg(f"fuzz {name}: coverage", covlabel, cov),
    }


# ---------------------------------------------------------------- index.html

def cov_cell(r):
    return h(fmt_ratio(r))


def fuzz_verdict(s):
    """(kind, text) of the banner of one fuzz report."""
    what = f"{s['fuzzer']} ({s['engine']}) on {s['target']}, {fmt(s['elapsed'])} s, " \
           f"{fmt(s['stats']['execs'])} execs"
    known = f"; {len(s['known'])} known (suppressed)" if s.get("known") else ""
    if s["findings"]:
        n = sum(f["count"] for f in s["findings"])
        return "findings", (f"FINDINGS: {plural(len(s['findings']), 'distinct finding')} "
                            f"({plural(n, 'artifact')}) from {what}{known}")
    if s["status"] != "ok":
        return "incomplete", f"{s['status'].upper()}: {s['error'] or 'see fuzz.log'} ({what})"
    return "pass", f"PASS: 0 findings from {what}{known}"


def index_html(s, plots, text):
    st = s["stats"]
    rows = [("engine", f"{s['engine']}, {fmt(s['jobs'])} job(s)"),
            ("fuzzer", s["fuzzer"]), ("target", s["target"]),
            ("time", f"{fmt(s['seconds'])} s planned, {fmt(s['elapsed'])} s run"),
            ("status", s["status"] + (f": {s['error']}" if s["error"] else "")),
            ("execs", f"{fmt(st['execs'])} ({fmt(st['exec_per_s'])} exec/s)"),
            ("corpus", f"{fmt(st['corpus_initial'])} seeds -> {fmt(st['corpus_final'])} inputs")]
    if s["engine"] == "libfuzzer":
        rows.append(("libFuzzer coverage", f"cov {fmt(st.get('cov'))}, ft {fmt(st.get('ft'))}"))
    else:
        rows.append(("AFL++ coverage", f"{fmt(st.get('edges'))} edges"))
    rows.append(("artifacts", str(s["artifacts"]["total"])))
    c = s["coverage"]
    if c and c.get("corpus"):
        rows.append(("kernel lines", fmt_ratio(c["lines"])))
        rows.append(("kernel branches", fmt_ratio(c["branches"])))
    table = "".join(f"<tr><th>{h(k)}</th><td class=\"{'st-' + h(s['status']) if k == 'status' else ''}\">"
                    f"{h(v)}</td></tr>" for k, v in rows)
    cmds = "".join(f"<pre>{h(v)}</pre>" for v in s["commands"].values())

    cov_html = ("<p>No kernel coverage data (the run had <code>--no-coverage</code>, or its "
                "target has no kernel code).</p>")
    if c:
        if c.get("corpus"):
            seeds = c.get("seeds") or {}
            sf = {f["symbol"]: f for f in seeds.get("functions", [])}
            frows = []
            for f in c["corpus"]["functions"]:
                where = f"{f['kernel_file']}:{f['kernel_line']}" if f["kernel_file"] else ""
                s0 = sf.get(f["symbol"])
                frows.append(
                    f"<tr><td><code>{h(f['function'])}</code>"
                    + (" <small>(static)</small>" if f["static"] else "")
                    + f"</td><td>{h(where)}</td><td class=\"n\">{h(f['calls'])}</td>"
                    f"<td class=\"n\">{cov_cell(f['lines'])}</td>"
                    f"<td class=\"n\">{cov_cell(f['branches'])}</td>"
                    f"<td class=\"n\">{cov_cell(s0['lines']) if s0 else '-'}</td>"
                    f"<td class=\"n\">{cov_cell(s0['branches']) if s0 else '-'}</td></tr>")
            frows.append(
                f"<tr class=\"total\"><td>total</td><td></td><td></td>"
                f"<td class=\"n\">{cov_cell(c['lines'])}</td><td class=\"n\">{cov_cell(c['branches'])}</td>"
                f"<td class=\"n\">{cov_cell(seeds.get('lines'))}</td>"
                f"<td class=\"n\">{cov_cell(seeds.get('branches'))}</td></tr>")
            ul = c.get("uncovered_lines") or []
            ulines = "".join(
                f"<tr><td>{h(u['kernel_file'])}:{h(u['kernel_line'])}</td>"
                f"<td>{h(u['line'])}</td><td><code>{h(u['function'])}</code></td>"
                f"<td><pre class=\"src\">{h(u['source'])}</pre></td></tr>" for u in ul)
            ub = c.get("uncovered_branches") or []
            ubranches = "".join(
                f"<tr><td>{h(u['kernel_file'])}:{h(u['kernel_line'])}</td>"
                f"<td><code>{h(u['function'])}</code></td>"
                f"<td class=\"n\">{h(u['true'])}</td><td class=\"n\">{h(u['false'])}</td>"
                f"<td>{h(u['not_taken'])}" + (f" <small>(in {h(u['via'])})</small>" if u["via"] else "")
                + f"</td><td><pre class=\"src\">{h(u['source'])}</pre></td></tr>" for u in ub)
            cov_html = (
                f"<p>llvm-cov {h(c.get('tool'))} over the final corpus "
                f"({h(c['inputs'].get('corpus'))} inputs) run through "
                f"<code>{h(c['binary'])}</code>, restricted to the extracted kernel file "
                f"<code>{h(c['kernel_file'])}</code> (copy: {link(c['kernel_source'])})"
                + (f"; annotated source: {link(c['html'], 'llvm-cov show')}" if c.get("html") else "")
                + ". The seeds columns are the seed corpus alone.</p>"
                "<table><tr><th>function</th><th>kernel source</th><th>calls</th><th>lines</th>"
                "<th>branches</th><th>lines (seeds)</th><th>branches (seeds)</th></tr>"
                + "".join(frows) + "</table>"
                + (f"<h3>Uncovered kernel lines ({len(ul)})</h3><table><tr><th>kernel file:line</th>"
                   "<th>extracted line</th><th>function</th><th>source</th></tr>" + ulines + "</table>"
                   if ul else "<p>Every kernel line was covered.</p>")
                + (f"<h3>Branches not taken both ways ({len(ub)})</h3><table><tr><th>kernel file:line</th>"
                   "<th>function</th><th>true</th><th>false</th><th>not taken</th><th>source</th></tr>"
                   + ubranches + "</table>" if ub else ""))
        else:
            cov_html = "<p class=\"error\">No coverage data: " + h("; ".join(
                f"{k}: {v}" for k, v in c["errors"].items()) or "the coverage run failed") + "</p>"

    items = []
    for f in s["findings"]:
        items.append(
            f"<li><code>{h(f['title'])}</code> &mdash; {h(f['count'])} artifact(s)"
            + (f", <b>{h(f['verdict'])}</b>" if f["verdict"] != "finding" else "")
            + f"<br>input {link(f['artifact'])} &middot; report {link(f['report'])}"
            + (f" &middot; minimized {link(f['minimized'])}" if f["minimized"] else "")
            + (f" &middot; decoded {link(f['decoded'])}" if f["decoded"] else "")
            + f"<br><code>{h(f['replay'])}</code>"
            + (f"<br><code>{h(f['replay_minimized'])}</code>" if f["replay_minimized"] else "")
            + "</li>")
    findings = ("<ul>" + "".join(items) + "</ul><p>Run the replay commands from the repository "
                "root.</p>") if items else "<p>No findings.</p>"
    if s.get("known"):
        findings += ("<p>Known (suppressed) findings: " + "".join(
            f"<br><code>{h(k['title'])}</code>" for k in s["known"]) + "</p>")
    nr = s["artifacts"]["by_verdict"].get("not-reproduced")
    if nr:
        findings += (f"<p>{nr} artifact(s) reproduced neither with fragsim replay nor with the "
                     f"fuzzer (see <a href=\"triage.tsv\">triage.tsv</a>).</p>")
    inline = "".join(re.sub(r"^<\?xml[^>]*>\s*", "", plots[k])
                     for k in ("exec_s.svg", "corpus.svg", "coverage.svg"))
    meta = (f"<p>{h(s['date'])} &middot; Linux {h(s['host']['uname_r'])}, {h(s['host']['nproc'])} "
            f"CPU(s) &middot; git {h(s['git'])} &middot; {link('summary.txt')} &middot; "
            f"{link('summary.json')} &middot; {link('fuzz.log')} &middot; {link('fuzz.progress')} "
            f"&middot; {link('triage.tsv')} &middot; {link('corpus/', 'corpus')}</p>")
    tmpl = read_text(TEMPLATE)
    if tmpl is None:
        tmpl = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>$title</title></head>"
                "<body><h1>$title</h1>$meta<table>$table</table>$commands$plots"
                "<h2>Kernel coverage</h2>$coverage<h2>Findings</h2>$findings"
                "<pre>$summary_text</pre></body></html>")
    page = string.Template(tmpl).safe_substitute(
        title=h(f"fragsim fuzz {s['name']}"), meta=meta, table=table, commands=cmds,
        plots=inline, coverage=cov_html, findings=findings, summary_text=h(text),
        status=h(s["status"]))
    return put_banner(page, verdict_banner(*fuzz_verdict(s)))


def write_report(d):
    s = collect(d)
    text = summary_txt(s)
    plots = svgs(s)
    (d / "summary.json").write_text(json.dumps(s, indent=2) + "\n", encoding="utf-8")
    (d / "summary.txt").write_text(text, encoding="utf-8")
    for k, v in plots.items():
        (d / k).write_text(v, encoding="utf-8")
    (d / "index.html").write_text(index_html(s, plots, text), encoding="utf-8")
    return s


# ---------------------------------------------------------------- campaign

MARK_BEGIN, MARK_END = "<!-- fuzz:begin -->", "<!-- fuzz:end -->"
MARK = "<!-- fuzz -->"


def campaign(d):
    info = read_kv(d / "campaign.info")
    fdir = d / "fuzz"
    order = [t for t in info.get("targets", "").split()]
    found = sorted(p.name for p in fdir.iterdir() if p.is_dir()) if fdir.is_dir() else []
    order += [t for t in found if t not in order]
    fuzz_seconds = to_int(info.get("fuzz_seconds"))
    entries = []
    for t in order:
        code = to_int(info.get(f"fuzz.exit.{t}"))
        p = fdir / t
        if not p.is_dir() or not (p / "fuzz.info").exists():
            if code is None and not fuzz_seconds:
                continue
            entries.append({"target": t, "dir": f"fuzz/{t}", "index": None, "exit_code": code,
                            "status": "not run" if code is None else "failed",
                            "error": "not run" if code is None else
                            f"scripts/fuzz.sh exit {code} before any report (see fuzz/{t}.stderr)"})
            continue
        s = write_report(p)  # cheap, and current (paths, template)
        c = s.get("coverage") or {}
        st = s.get("stats", {})
        status = s["status"]
        if code not in (None, 0, 1, 130) and status in ("ok", "findings"):
            status = "failed"
        entries.append({
            "target": t, "dir": f"fuzz/{t}", "index": f"fuzz/{t}/index.html",
            "exit_code": code, "status": status, "error": s.get("error") or (
                f"scripts/fuzz.sh exit {code}" if status == "failed" else None),
            "engine": s.get("engine"), "fuzzer": s.get("fuzzer"),
            "seconds": s.get("elapsed"), "execs": st.get("execs"),
            "exec_per_s": st.get("exec_per_s"), "corpus": st.get("corpus_final"),
            "cov": st.get("cov"), "ft": st.get("ft"),
            "kernel_lines": c.get("lines"), "kernel_branches": c.get("branches"),
            "uncovered_lines": len(c.get("uncovered_lines") or []) if c.get("corpus") else None,
            "known": len(s.get("known") or []),
            "findings": [{"title": f["title"], "count": f["count"], "verdict": f["verdict"],
                          "report": f"fuzz/{t}/{f['report']}" if f.get("report") else None,
                          "replay": f["replay"]} for f in s.get("findings", [])],
        })
    fuzz = {"seconds_per_target": fuzz_seconds, "targets": entries,
            "totals": {"distinct_titles": sum(len(e.get("findings", [])) for e in entries),
                       "failed_targets": [e["target"] for e in entries
                                          if e["status"] in ("failed",)]}}

    sj = read_json(d / "summary.json")
    if sj is not None:
        sj["fuzz"] = fuzz
        if fuzz["totals"]["failed_targets"] or any(e["status"] == "interrupted" for e in entries):
            sj["result"] = "failed"
        elif fuzz["totals"]["distinct_titles"] and sj.get("result") == "ok":
            sj["result"] = "findings"
        (d / "summary.json").write_text(json.dumps(sj, indent=2) + "\n", encoding="utf-8")

    text = campaign_txt(fuzz)
    st = read_text(d / "summary.txt")
    if st is not None:
        st = st.split("\nFuzzing (scripts/fuzz.sh", 1)[0].rstrip("\n") + "\n"
        (d / "summary.txt").write_text(st + "\n" + text, encoding="utf-8")

    page = read_text(d / "index.html")
    if page is not None:
        section = MARK_BEGIN + campaign_html(fuzz) + MARK_END
        if MARK_BEGIN in page and MARK_END in page:
            a, rest = page.split(MARK_BEGIN, 1)
            page = a + section + rest.split(MARK_END, 1)[1]
        elif MARK in page:
            page = page.replace(MARK, section, 1)
        else:
            page = page.replace("</body>", section + "\n</body>", 1)
        if sj is not None:
            page = put_banner(page, verdict_banner(*campaign_verdict(sj)))
        # the summary.txt block of the page shows the file: keep it current
        if st is not None:
            page = re.sub(r"(<h2>summary\.txt</h2>\s*<pre>)(.*?)(</pre>)",
                          lambda m: m.group(1) + h(st + "\n" + text) + m.group(3),
                          page, count=1, flags=re.S)
        (d / "index.html").write_text(page, encoding="utf-8")


def read_json(p):
    t = read_text(p)
    if t is None:
        return None
    try:
        return json.loads(t)
    except ValueError:
        return None


def campaign_txt(fuzz):
    out = [f"Fuzzing (scripts/fuzz.sh, libFuzzer on fuzz_trace, "
           f"{fmt(fuzz['seconds_per_target'])} s per target; reports in fuzz/<target>/):", ""]
    head = ("target", "seconds", "execs", "exec/s", "corpus", "cov", "kernel lines",
            "kernel branches", "findings", "known", "status")
    rows = [head]
    for e in fuzz["targets"]:
        rows.append((e["target"], fmt(e.get("seconds"), "{:.1f}"), fmt(e.get("execs")),
                     fmt(e.get("exec_per_s")), fmt(e.get("corpus")), fmt(e.get("cov")),
                     fmt_ratio(e.get("kernel_lines")), fmt_ratio(e.get("kernel_branches")),
                     str(len(e.get("findings", []))), fmt(e.get("known")), e["status"]))
    w = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        out.append("  ".join([r[0].ljust(w[0])] + [r[i].rjust(w[i]) for i in range(1, 10)]
                             + [r[10]]).rstrip())
    for e in fuzz["targets"]:
        if e.get("error"):
            out.append(f"{e['target']}: {e['error']}")
    for e in fuzz["targets"]:
        for f in e.get("findings", []):
            out.append("")
            out.append(f"fuzz {e['target']}: {f['count']} x {f['title']}")
            if f.get("report"):
                out.append(f"  report: {f['report']}")
            out.append(f"  replay: {f['replay']}")
    return "\n".join(out) + "\n"


def campaign_html(fuzz):
    rows = []
    for e in fuzz["targets"]:
        rows.append(
            f"<tr><td>{h(e['target'])}</td>"
            + "".join(f'<td class="n">{h(v)}</td>' for v in (
                fmt(e.get("seconds"), "{:.1f}"), fmt(e.get("execs")), fmt(e.get("exec_per_s")),
                fmt(e.get("corpus")), fmt(e.get("cov")), fmt_ratio(e.get("kernel_lines")),
                fmt_ratio(e.get("kernel_branches")), len(e.get("findings", []))))
            + f'<td class="{h(e["status"].split()[0])}">{h(e["status"])}</td>'
            + f"<td>{link(e.get('index'), 'fuzz report') if e.get('index') else '-'}</td></tr>")
    errs = "".join(f"<p class=\"error\"><b>{h(e['target'])}</b>: {h(e['error'])}</p>"
                   for e in fuzz["targets"] if e.get("error"))
    items = "".join(
        f"<li><code>{h(f['title'])}</code> &mdash; fuzz {h(e['target'])}, {h(f['count'])} artifact(s)"
        f"<br>report {link(f.get('report'))}<br><code>{h(f['replay'])}</code></li>"
        for e in fuzz["targets"] for f in e.get("findings", []))
    return ("\n<h2>Fuzzing</h2>\n"
            f"<p>libFuzzer on <code>fuzz_trace</code>, {h(fmt(fuzz['seconds_per_target']))} s per "
            "target (<code>scripts/fuzz.sh</code>); kernel coverage by llvm-cov over the final "
            "corpus. Each target's report is under <code>fuzz/&lt;target&gt;/</code>.</p>\n"
            "<table><tr><th>target</th><th>seconds</th><th>execs</th><th>exec/s</th>"
            "<th>corpus</th><th>cov</th><th>kernel lines</th><th>kernel branches</th>"
            "<th>findings</th><th>status</th><th>report</th></tr>" + "".join(rows) + "</table>\n"
            + errs + (f"<ul>{items}</ul>" if items else "<p>No fuzz findings.</p>") + "\n")


def main(argv):
    args = argv[1:]
    if args and args[0] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1])
        return 0
    if len(args) == 2 and args[0] == "--campaign":
        d = Path(args[1])
        if not d.is_dir():
            die(f"{d} is not a directory")
        campaign(d)
        return 0
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: scripts/fuzz_report.py FUZZ_DIR | --campaign CAMPAIGN_DIR", file=sys.stderr)
        return 2
    d = Path(args[0])
    if not d.is_dir():
        die(f"{d} is not a directory")
    write_report(d)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
