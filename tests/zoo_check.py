#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Finder and silence tests for fragsim run.

  zoo_check.py find FRAGSIM TARGET SLUG OUTDIR RUNS [ALLOWED]
      `fragsim run` must stop with finding SLUG within RUNS traces, and the
      trace it wrote must replay to the same report, twice, bit for bit.
  zoo_check.py quiet FRAGSIM TARGET RUNS [ALLOWED]
      `fragsim run` over RUNS traces must find nothing.

ALLOWED is a comma-separated list of finding kinds the clean kernel of
TARGET's layout is known to show (a known upstream bug, e.g.
oversize-null-no-refill on v6.13+): `quiet` accepts findings of those kinds
only, and `find` runs all RUNS traces and wants SLUG as the first finding
of any other kind.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

TITLE = re.compile(r"^BUG: fragsim: (\S+) in ")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def reports(text):
    """Each report between its ===== rules, without the repro footer, and
    the trace its Replay line names."""
    found, cur, trace = [], None, None
    for line in text.splitlines():
        if line.startswith("====="):
            if cur is None:
                cur, trace = [line], None
            else:
                found.append(("\n".join(cur + [line]), trace))
                cur = None
        elif cur is not None and line.startswith("Replay:"):
            trace = line.split()[-1]
        elif cur is not None and not line.startswith("Repro key:"):
            cur.append(line)
    return found


def report_blocks(text):
    return [b for b, _ in reports(text)]


def report_block(text):
    """The first report, without the Replay line."""
    return report_blocks(text)[0]


def title_of(block):
    return next((l for l in block.splitlines()
                 if l.startswith(("BUG:", "kernel BUG", "WARNING"))), "")


def slug_of(block):
    m = TITLE.match(title_of(block))
    return m.group(1) if m else None


def replay_twice(fragsim, trace, first):
    for i in range(2):
        rc, rout, rerr = run([fragsim, "replay", trace])
        if rc != 1:
            sys.exit(f"FAIL: replay {trace}: exit {rc}, expected 1\n{rout}{rerr}")
        if report_block(rout) != first:
            sys.exit(f"FAIL: replay {i + 1} of {trace} differs from the run's report:\n"
                     f"--- run\n{first}\n--- replay\n{report_block(rout)}")


MINIMIZED = re.compile(r"^fragsim run: minimized in .*: (\d+) -> (\d+) operations")
SLACK = 3   # operations a run's minimized finding may keep beyond `fragsim minimize`


def minimized(fragsim, target, out, trace):
    """The run wrote the minimized trace, the original beside it, and it is
    within SLACK operations of what `fragsim minimize` reaches."""
    orig = trace[:-len(".trace")] + ".orig.trace"
    m = next((MINIMIZED.match(l) for l in out.splitlines() if MINIMIZED.match(l)), None)
    if not m or not os.path.exists(orig):
        sys.exit(f"FAIL: {target}: no minimized finding (line {bool(m)}, {orig}: "
                 f"{os.path.exists(orig)})\n{out}")
    rc, mout, merr = run([fragsim, "minimize", "--quiet", orig, "-o", orig + ".min"])
    best = next((int(x.group(2)) for x in map(MINIMIZE.match, mout.splitlines()) if x), None)
    if rc != 1 or best is None or int(m.group(2)) > best + SLACK:
        sys.exit(f"FAIL: {target}: run kept {m.group(2)} operations, minimize reaches "
                 f"{best} (exit {rc})\n{mout}{merr}")
    os.unlink(orig + ".min")


MINIMIZE = re.compile(r"^fragsim minimize: (\d+) -> (\d+) operations")


def find(fragsim, target, slug, outdir, runs):
    shutil.rmtree(outdir, ignore_errors=True)
    rc, out, err = run([fragsim, "run", "--target", target, "--runs", runs,
                        "--seed", "1", "--stop", "--quiet", "--out", outdir,
                        # One worker: the first finding and its one trace
                        # are then the same on every machine.
                        "--jobs", "1"])
    if rc != 1:
        sys.exit(f"FAIL: {target}: exit {rc}, expected 1 (finding)\n{out}{err}")
    title = title_of(report_block(out))
    if f": {slug} in " not in title:
        sys.exit(f"FAIL: {target}: first finding is '{title}', expected {slug}\n{out}")
    traces = [t for t in glob.glob(os.path.join(outdir, f"{slug}-{target}-*.trace"))
              if not t.endswith(".orig.trace")]
    if len(traces) != 1:
        sys.exit(f"FAIL: {target}: expected one {slug} trace in {outdir}, got {traces}")
    minimized(fragsim, target, out, traces[0])
    replay_twice(fragsim, traces[0], report_block(out))
    print(f"ok: {target}: {title}; replayed twice identically")
    print("1 passed, 0 failed")


def unexpected(blocks, allowed):
    return [title_of(b) for b in blocks if slug_of(b) not in allowed]


def find_among(fragsim, target, slug, outdir, runs, allowed):
    """find, where the clean kernel also shows the @allowed kinds."""
    shutil.rmtree(outdir, ignore_errors=True)
    rc, out, err = run([fragsim, "run", "--target", target, "--runs", runs,
                        "--seed", "1", "--quiet", "--out", outdir, "--jobs", "1"])
    found = [(b, t) for b, t in reports(out) if slug_of(b) not in allowed]
    if rc != 1 or not found:
        sys.exit(f"FAIL: {target}: exit {rc}, no {slug} finding\n{out}{err}")
    block, trace = found[0]
    if slug_of(block) != slug:
        sys.exit(f"FAIL: {target}: first finding besides the known "
                 f"{', '.join(allowed)} is '{title_of(block)}', expected "
                 f"{slug}\n{out}")
    if not trace:
        sys.exit(f"FAIL: {target}: no Replay line for {title_of(block)}\n{out}")
    replay_twice(fragsim, trace, block)
    print(f"ok: {target}: {title_of(block)} (besides known "
          f"{', '.join(allowed)}); replayed twice identically")
    print("1 passed, 0 failed")


def quiet(fragsim, target, runs, allowed):
    # --out must be writable before a run starts: a directory of our own.
    outdir = tempfile.mkdtemp()
    try:
        rc, out, err = run([fragsim, "run", "--target", target, "--runs",
                            runs, "--seed", "1", "--quiet", "--out", outdir])
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    blocks = report_blocks(out)
    known = rc == 1 and allowed and blocks and not unexpected(blocks, allowed)
    if not known and (rc != 0 or "0 finding(s)" not in out):
        sys.exit(f"FAIL: {target}: exit {rc}, expected 0 and no finding"
                 f"{' besides ' + ', '.join(allowed) if allowed else ''}\n{out}{err}")
    print(out.strip().splitlines()[-1])
    print("1 passed, 0 failed")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    n = 5 if mode == "find" else 3
    allowed = [k for k in (args[n] if len(args) > n else "").split(",") if k]
    if mode == "find" and allowed:
        find_among(*args[:n], allowed)
    elif mode == "find":
        find(*args[:n])
    else:
        quiet(*args[:n], allowed)
