#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merge the summaries of the shards of one `fragsim run` campaign.

  scripts/merge-runs.py [--out DIR] [--json] PATH...

Each PATH is a summary file (JSON lines, written by `fragsim run --shard I/N`
into its --out directory as summary-shard-I-of-N.jsonl, or by --summary FILE)
or a directory holding such files.  The lines must come from one campaign
(same target, build, seed and --runs); the script checks that the shards
cover 0..N-1 once each, then prints one summary as `fragsim run` does: the
totals, and each distinct finding with its hits summed and the trace of its
lowest trace index.  --out DIR copies those traces and their reports into
DIR; --json prints the merged summary as one JSON line instead.

Exit status: 0 no finding, 1 finding(s), 2 bad input (mixed campaigns,
a shard missing or given twice).
"""
import glob
import json
import os
import shutil
import sys


def die(msg):
    print(f"merge-runs: error: {msg}", file=sys.stderr)
    sys.exit(2)


def load(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "*.jsonl")))
        elif os.path.isfile(p):
            files.append(p)
        else:
            die(f"{p}: no such file or directory")
    runs = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except ValueError as e:
                    die(f"{f}:{n}: not JSON ({e})")
                if r.get("fragsim_run") != 1:
                    die(f"{f}:{n}: not a fragsim run summary")
                r["_file"] = f
                runs.append(r)
    if not runs:
        die("no summary lines found")
    return runs


def check(runs):
    key = ("target", "build", "seed", "runs", "seconds")
    first = runs[0]
    for r in runs[1:]:
        for k in key:
            if r[k] != first[k]:
                die(f"{r['_file']}: {k} {r[k]!r} differs from {first['_file']}'s {first[k]!r}")
    n = first["shard"][1]
    seen = {}
    for r in runs:
        i, rn = r["shard"]
        if rn != n:
            die(f"{r['_file']}: shard {i}/{rn} of another split than {n}")
        if i in seen:
            die(f"shard {i}/{n} given twice ({seen[i]} and {r['_file']})")
        seen[i] = r["_file"]
    missing = [i for i in range(n) if i not in seen]
    if missing:
        die(f"shard(s) {', '.join(f'{i}/{n}' for i in missing)} missing")


def merge(runs):
    m = {k: runs[0][k] for k in ("target", "build", "seed", "runs", "seconds")}
    m["fragsim_merged"] = 1
    m["shards"] = len(runs)
    for k in ("traces", "trace_runs", "ops", "findings", "known"):
        m[k] = sum(r[k] for r in runs)
    m["elapsed"] = max(r["elapsed"] for r in runs)
    titles = {}
    for r in runs:
        for t in r["titles"]:
            cur = titles.get(t["title"])
            if cur is None:
                titles[t["title"]] = dict(t)
                continue
            cur["hits"] += t["hits"]
            if t["first_trace"] < cur["first_trace"]:
                cur["first_trace"] = t["first_trace"]
                cur["trace"] = t["trace"]
    m["titles"] = sorted(titles.values(), key=lambda t: t["first_trace"])
    return m


def copy_traces(m, out):
    os.makedirs(out, exist_ok=True)
    for t in m["titles"]:
        if not t["trace"]:
            continue
        for p in (t["trace"], t["trace"][:-len(".trace")] + ".txt"):
            if os.path.exists(p):
                shutil.copy2(p, out)
        t["trace"] = os.path.join(out, os.path.basename(t["trace"]))


def main(argv):
    out, as_json, paths = None, False, []
    it = iter(argv)
    for a in it:
        if a == "--out":
            out = next(it, None) or die("--out needs a directory")
        elif a == "--json":
            as_json = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            paths.append(a)
    if not paths:
        die("no summary given (see --help)")
    runs = load(paths)
    check(runs)
    m = merge(runs)
    if out:
        copy_traces(m, out)
    if as_json:
        print(json.dumps(m, sort_keys=True))
    else:
        known = f", {m['known']} known (suppressed)" if m["known"] else ""
        print(f"fragsim run: {m['target']}: {m['shards']} shard(s), {m['traces']} traces "
              f"({m['trace_runs']} runs), {m['ops']} ops executed, "
              f"{m['findings']} finding(s){known}")
        for t in m["titles"]:
            tag = "(known) " if t["known"] else ""
            where = f"  [{t['trace']}]" if t["trace"] else ""
            print(f"  {t['hits']:6d} x {tag}{t['title']}{where}")
    return 1 if m["findings"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
