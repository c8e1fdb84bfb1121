#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Do finding traces made on one build replay on another?

Builds three configurations of fragsim-zoo (linux-6.12 and its bug zoo
only, to keep them short), makes the zoo's finding traces on each with
`fragsim run --stop`, replays every trace on every other build and prints
what came of it (docs/trace-format.md, "Portable schedules"):

  same     the finding the trace was written for (its `recorded` title);
           "moved": of them, replays that placed a decision nearby
  other    another finding
  exit4    `fragsim replay` exit 4: not reproducible on this build, with
           its one-line reason
  clean    exit 0 without a finding: must never happen (the script
           exits 1 if an anchored trace does)

Each trace is replayed as written (anchored) and, for comparison, with its
anchors stripped (`at STEP` only, as traces were before anchors).  Binary
fuzz crash files (--crashes DIR) are replayed on every build too; they
carry no recorded title, so the table lists the title each build gives.

usage: scripts/cross-build.py [--out DIR] [--cache DIR] [--no-build]
                              [--builds NAME,...] [--crashes DIR] [--runs N]
                              [--seeds S,...]
"""
import argparse
import collections
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILDS = {
    "clang-O2": ({"CC": "clang"}, []),
    "gcc-O2": ({"CC": "gcc"}, []),
    "clang-O1-asan": ({"CC": "clang"}, ["-Db_sanitize=address",
                                        "-Doptimization=1",
                                        "-Db_lundef=false"]),
}
TITLE = re.compile(r"^(BUG: fragsim: .*|kernel BUG at .*|WARNING in .*)$", re.M)
ANCHOR = re.compile(r" op=\S+ actor=\S+ loc=\S+ k=\S+( fn=\S+)?")
KINDS = ("same", "other", "exit4", "clean")


def sh(cmd, env=None, timeout=3600):
    e = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=e, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def build(name, bdir, cache):
    env, opts = BUILDS[name]
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        empty = os.path.join(bdir + ".no-cache")
        os.makedirs(empty, exist_ok=True)
        rc, out, err = sh(["meson", "setup", bdir, ROOT,
                           "-Dkernel_cache=" + empty,
                           "-Dkernels=linux-6.12=" +
                           os.path.join(cache, "kernels", "linux-6.12"),
                           "-Dfuzzing=false"] + opts, env)
        if rc:
            sys.exit(f"cross-build: meson setup {bdir} failed\n{out}{err}")
    rc, out, err = sh(["nice", "-n", "10", "ninja", "-C", bdir, "-j2",
                       "sim/fragsim-zoo"])
    if rc:
        sys.exit(f"cross-build: building {bdir} failed\n{out[-3000:]}{err}")
    return os.path.join(bdir, "sim", "fragsim-zoo")


def zoo_targets(fragsim):
    rc, out, _ = sh([fragsim, "targets"])
    return [l.split()[0] for l in out.splitlines()[1:]
            if l.split() and " zoo " in l]


def make_traces(fragsim, target, outdir, runs, seed):
    sh([fragsim, "run", "--target", target, "--runs", str(runs), "--seed",
        seed, "--stop", "--quiet", "--jobs", "1", "--out", outdir])
    return sorted(glob.glob(os.path.join(outdir, "*.trace")))


def recorded(path):
    m = re.search(r"^recorded \S+ (.*)$", open(path).read(), re.M)
    return m.group(1) if m else None


def strip_anchors(path):
    """The trace as fragsim wrote it before anchors: steps, no `recorded`."""
    out = path + ".steps"
    with open(path) as f, open(out, "w") as g:
        for line in f:
            if not line.startswith("recorded "):
                g.write(ANCHOR.sub("", line) if line.startswith("at ") else line)
    return out


def replay(fragsim, path, want, target=None):
    rc, out, err = sh([fragsim, "replay", path] +
                      (["--target", target] if target else []), timeout=600)
    m = TITLE.search(out)
    title = m.group(1) if m else None
    if rc == 4:
        return "exit4", err.strip().splitlines()[-1] if err.strip() else ""
    if title is None:
        return ("clean" if rc == 0 else "other"), f"exit {rc}"
    if title == want and re.search(r"^fragsim replay: decision at .* placed at ",
                                   out, re.M):
        return "moved", title
    return ("same" if title == want else "other"), title


def row(c):
    """same (moved included), moved, other, exit4, clean."""
    return [c["same"] + c["moved"], c["moved"]] + [c[k] for k in KINDS[1:]]


def table(rows, label):
    print(f"\n{label}")
    print(f"{'made on':16} {'replayed on':16} " +
          " ".join(f"{k:>6}" for k in ("same", "moved") + KINDS[1:]) +
          "  traces")
    total = collections.Counter()
    for (a, b), c in sorted(rows.items()):
        total.update(c)
        print(f"{a:16} {b:16} " + " ".join(f"{v:6}" for v in row(c)) +
              f"  {sum(c.values())}")
    n = sum(total.values())
    same = total["same"] + total["moved"]
    print(f"{'all':33} " + " ".join(f"{v:6}" for v in row(total)) +
          f"  {n}" + (f"   same: {100.0 * same / n:.1f}%" if n else ""))
    return total


def crashes(fragsims, cdir):
    files = sorted(glob.glob(os.path.join(cdir, "*")))
    if not files:
        return
    print(f"\nBinary crash files of {cdir} (gap-based decisions, "
          "build-specific by nature): the finding each build gives")
    for f in files:
        # libFuzzer's crash files are named here TARGET.crash.
        target = os.path.basename(f).rsplit(".", 1)[0]
        print(os.path.basename(f))
        for name, fs in fragsims.items():
            kind, what = replay(fs, f, None,
                                target if target in zoo_targets(fs) else None)
            print(f"  {name:16} {kind if kind != 'other' else 'finding'}: {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "reports", "cross-build"))
    ap.add_argument("--cache", default=os.environ.get(
        "FRAGSIM_CACHE", os.path.join(ROOT, ".cache")))
    ap.add_argument("--builds", default=",".join(BUILDS))
    ap.add_argument("--no-build", action="store_true",
                    help="use the build directories under --out as they are")
    ap.add_argument("--crashes", default="")
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--seeds", default="1",
                    help="one `fragsim run --stop` per zoo target and seed")
    a = ap.parse_args()
    names = a.builds.split(",")
    fragsims = {}
    for n in names:
        if n not in BUILDS:
            sys.exit(f"cross-build: unknown build '{n}' (known: {', '.join(BUILDS)})")
        bdir = os.path.join(a.out, "build-" + n)
        fragsims[n] = (os.path.join(bdir, "sim", "fragsim-zoo") if a.no_build
                       else build(n, bdir, a.cache))
    traces = []
    for n in names:
        for z in zoo_targets(fragsims[n]):
            for seed in a.seeds.split(","):
                d = os.path.join(a.out, "traces", n, z, "seed-" + seed)
                for t in make_traces(fragsims[n], z, d, a.runs, seed):
                    traces.append((n, t))
    anchored, steps = {}, {}
    for made, t in traces:
        want = recorded(t)
        for on in names:
            if on == made:
                continue
            kind, what = replay(fragsims[on], t, want)
            anchored.setdefault((made, on), collections.Counter())[kind] += 1
            if kind not in ("same", "moved"):
                print(f"{made} -> {on}: {os.path.relpath(t, a.out)}: {kind}: {what}")
            kind, _ = replay(fragsims[on], strip_anchors(t), want)
            steps.setdefault((made, on), collections.Counter())[kind] += 1
    total = table(anchored, "Anchored traces (as fragsim run writes them)")
    table(steps, "The same traces with their anchors stripped (global steps only)")
    if a.crashes:
        crashes(fragsims, a.crashes)
    sys.exit(1 if total["clean"] else 0)


if __name__ == "__main__":
    main()
