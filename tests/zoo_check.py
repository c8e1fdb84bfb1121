#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Finder and silence tests for fragsim run.

  zoo_check.py find FRAGSIM TARGET SLUG OUTDIR RUNS
      `fragsim run` must stop with finding SLUG within RUNS traces, and the
      trace it wrote must replay to the same report, twice, bit for bit.
  zoo_check.py quiet FRAGSIM TARGET RUNS
      `fragsim run` over RUNS traces must find nothing.
"""
import glob
import os
import re
import shutil
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def report_block(text):
    """The report between the ===== rules, without the Replay line."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("====="))
    end = next(i for i in range(start + 1, len(lines))
               if lines[i].startswith("====="))
    return "\n".join(l for l in lines[start:end]
                     if not l.startswith(("Replay:", "Repro key:")))


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
                        "--seed", "1", "--stop", "--quiet", "--out", outdir])
    if rc != 1:
        sys.exit(f"FAIL: {target}: exit {rc}, expected 1 (finding)\n{out}{err}")
    title = next((l for l in out.splitlines()
                  if l.startswith(("BUG:", "kernel BUG", "WARNING"))), "")
    if f": {slug} in " not in title:
        sys.exit(f"FAIL: {target}: first finding is '{title}', expected {slug}\n{out}")
    traces = [t for t in glob.glob(os.path.join(outdir, f"{slug}-{target}-*.trace"))
              if not t.endswith(".orig.trace")]
    if len(traces) != 1:
        sys.exit(f"FAIL: {target}: expected one {slug} trace in {outdir}, got {traces}")
    minimized(fragsim, target, out, traces[0])
    first = report_block(out)
    for i in range(2):
        rc, rout, rerr = run([fragsim, "replay", traces[0]])
        if rc != 1:
            sys.exit(f"FAIL: replay {traces[0]}: exit {rc}, expected 1\n{rout}{rerr}")
        if report_block(rout) != first:
            sys.exit(f"FAIL: replay {i + 1} of {traces[0]} differs from the run's report:\n"
                     f"--- run\n{first}\n--- replay\n{report_block(rout)}")
    print(f"ok: {target}: {title}; replayed twice identically")
    print("1 passed, 0 failed")


def quiet(fragsim, target, runs):
    rc, out, err = run([fragsim, "run", "--target", target, "--runs", runs,
                        "--seed", "1", "--quiet", "--out", "/nonexistent/never-written"])
    if rc != 0 or "0 finding(s)" not in out:
        sys.exit(f"FAIL: {target}: exit {rc}, expected 0 and no finding\n{out}{err}")
    print(out.strip().splitlines()[-1])
    print("1 passed, 0 failed")


if __name__ == "__main__":
    if sys.argv[1] == "find":
        find(*sys.argv[2:7])
    else:
        quiet(*sys.argv[2:5])
