#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""--jobs and --shard keep a campaign's finding set.

  jobs_check.py FRAGSIM TARGET RUNS MERGE_PY OUTDIR

The same --seed and --runs must give the same traces, runs, ops and
findings (titles and hit counts) with --jobs 1, with --jobs 2, and as two
--shard halves merged by scripts/merge-runs.py; each title leaves one trace.
"""
import glob
import json
import os
import shutil
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    if p.returncode not in (0, 1):
        sys.exit(f"FAIL: {' '.join(cmd)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p.returncode, p.stdout


def finding_set(summary):
    return ({k: summary[k] for k in ("traces", "trace_runs", "ops", "findings", "known")},
            sorted((t["title"], t["hits"], t["known"]) for t in summary["titles"]))


def campaign(fragsim, target, runs, out, extra):
    cmd = [fragsim, "run", "--target", target, "--runs", runs, "--seed", "1",
           "--quiet", "--out", out] + extra
    return run(cmd)


def main(fragsim, target, runs, merge_py, outdir):
    shutil.rmtree(outdir, ignore_errors=True)
    sets, codes = {}, {}
    for jobs in ("1", "2"):
        out = os.path.join(outdir, f"jobs{jobs}")
        summ = os.path.join(outdir, f"jobs{jobs}.jsonl")
        codes[jobs], _ = campaign(fragsim, target, runs, out,
                                  ["--jobs", jobs, "--summary", summ])
        with open(summ) as f:
            s = json.loads(f.readline())
        sets[jobs] = finding_set(s)
        nr = len([t for t in glob.glob(os.path.join(out, "*.trace"))
                  if not t.endswith(".orig.trace")])
        if nr != sum(1 for t in s["titles"] if not t["known"]):
            sys.exit(f"FAIL: --jobs {jobs}: {nr} traces written for {len(s['titles'])} titles")
    shards = os.path.join(outdir, "shards")
    for i, jobs in (("0", "2"), ("1", "1")):
        campaign(fragsim, target, runs, shards, ["--jobs", jobs, "--shard", f"{i}/2"])
    p = subprocess.run([sys.executable, merge_py, "--json", shards],
                       stdout=subprocess.PIPE, text=True)
    sets["shards"] = finding_set(json.loads(p.stdout))
    if sets["1"] != sets["2"] or sets["1"] != sets["shards"]:
        sys.exit(f"FAIL: finding sets differ:\n--jobs 1 {sets['1']}\n--jobs 2 {sets['2']}\n"
                 f"shards  {sets['shards']}")
    if not sets["1"][1]:
        sys.exit(f"FAIL: {target}: no finding in {runs} runs; the test needs one")
    if codes["1"] != codes["2"] or p.returncode != codes["1"]:
        sys.exit(f"FAIL: exit statuses differ: {codes} merge {p.returncode}")
    print(f"ok: {target} --runs {runs}: {sets['1']}")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main(*sys.argv[1:6])
