#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report generators on synthetic campaign, fuzz and validate
directories (no fragsim run needed):

  - scripts/report.py reads the "<count> x <title>" lines of a fragsim run
    log in any order around its summary and simulator lines;
  - every HTML report starts with one verdict banner (PASS / FINDINGS /
    INCOMPLETE), which scripts/fuzz_report.py --campaign updates;
  - no report box clips its text (pre wraps);
  - the campaign report shows the kernel line coverage of the fragsim run
    part from coverage/<target>/ (llvm-cov export and function table);
  - scripts/campaign.sh refuses a bad --coverage-seconds with one line.

    tests/report_check.py SOURCE_ROOT
"""
import json
import os
import re
import subprocess
import sys
import tempfile

FAILED = []
TITLE = "BUG: fragsim: pfmemalloc-recycled in __page_frag_alloc_align"
KNOWN = "BUG: fragsim: oversize-null-no-refill in __page_frag_alloc_align"
FIRST = ("fragsim run: target {t} (7.3.4, layout encoded, build 192d61f518ce), "
         "seed 0x0000000000000007, seconds 5, differential vs ref, 2 job(s)")
SUMMARY = ("fragsim run: {t}: 5.0 s, 38 traces (515 runs), 1268984 ops executed "
           "(252848 ops/s), {n} finding(s){k}")
SIM = ("fragsim run: simulator: 8417922 scheduling points, 322 hard irqs injected, 402 "
       "softirqs run, 4160 CPU switches (1970 preemptions), 1516 agent actions")
BLOCK = ["=" * 66, TITLE, "Invariant: x", "  7 x not a count line: inside a report",
         "Replay: build/fragsim replay reports/x/findings/{t}/pfmemalloc-recycled-{t}-1.trace",
         "=" * 66]


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name)
    if not ok:
        FAILED.append(name)
        if detail:
            print("     " + str(detail)[:3000].replace("\n", "\n     "))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def campaign_dir(tmp, name, logs, exits=None, info_extra=""):
    """A campaign directory as scripts/campaign.sh leaves it: {target: log lines}."""
    d = os.path.join(tmp, name)
    targets = " ".join(logs)
    info = (f"name={name}\nstarted=2026-12-03T10:00:00+00:00\nuname_r=6.1.0\nnproc=2\n"
            f"seconds=5\nseed=7\ntargets={targets}\nfragsim=build/fragsim\nfuzz_seconds=0\n")
    for t in logs:
        info += f"exit.{t}={(exits or {}).get(t, 0)}\n"
        write(os.path.join(d, f"{t}.log"), "\n".join(l.format(t=t) for l in logs[t]) + "\n")
        write(os.path.join(d, f"{t}.progress"),
              "[   5.0s] ops 1268984  traces 38  findings 0  ops/s 252848\n")
    write(os.path.join(d, "campaign.info"), info + info_extra)
    return d


def report(src, d):
    r = run([sys.executable, os.path.join(src, "scripts", "report.py"), d])
    s = json.load(open(os.path.join(d, "summary.json"))) if r.returncode == 0 else {}
    return r, s


def campaign_page(src, d):
    """report.py on campaign directory d: its index.html ("" if it failed)."""
    r, _ = report(src, d)
    return open(os.path.join(d, "index.html")).read() if r.returncode == 0 else ""


def banner(page):
    """The text of the verdict banners of a page, and whether the first
    is the first thing in <body>."""
    texts = re.findall(r'<div class="verdict verdict-(\w+)"[^>]*>([^<]*)</div>', page)
    body = page.split("<body", 1)[-1]
    body = body.split(">", 1)[-1].lstrip()
    return texts, body.startswith("<!-- verdict:begin --><div class=\"verdict")


def pre_wraps(page):
    """Every CSS rule of the page that styles pre lets long lines wrap."""
    rules = re.findall(r"([^{}]*)\{([^}]*)\}", " ".join(re.findall(r"<style>(.*?)</style>",
                                                                   page, re.S)))
    pre = [body for sel, body in rules
           if re.search(r"(^|[\s,])pre\s*$", sel.strip().split(",")[-1]) or
           re.search(r"(^|,)\s*pre\s*(,|$)", sel.strip())]
    return bool(pre) and all("pre-wrap" in b or "white-space" not in b for b in pre) and \
        any("pre-wrap" in b for b in pre)


def counts(src, tmp):
    t = "linux-7.3"
    variants = {
        # the simulator line between the summary and the counts, the
        # determinism note on it, another fragsim run: line in between
        "after": [FIRST] + BLOCK + [
            "fragsim run: minimized in 0.0 s (24 runs): 128 -> 2 operations",
            SUMMARY.format(t=t, n=15, k=", 3 known (suppressed)"),
            SIM + "; every case ran twice with identical event hashes",
            "fragsim run: a note a later fragsim may print",
            f"      15 x {TITLE}",
            f"       3 x (known) {KNOWN}  [suppressed by sim/check/known-bugs.supp:13]"],
        # the counts first, then the summary and simulator lines
        "before": [FIRST] + BLOCK + [
            f"      15 x {TITLE}",
            f"       3 x (known) {KNOWN}  [suppressed by sim/check/known-bugs.supp:13]",
            SUMMARY.format(t=t, n=15, k=", 3 known (suppressed)"), SIM],
    }
    for name, lines in variants.items():
        d = campaign_dir(tmp, "counts-" + name, {t: lines}, exits={t: 1})
        r, s = report(src, d)
        tg = (s.get("targets") or [{}])[0]
        ft = tg.get("finding_titles") or []
        kt = tg.get("known_titles") or []
        txt = open(os.path.join(d, "summary.txt")).read() if r.returncode == 0 else ""
        check(f"report.py: finding count with the count lines {name} the summary",
              r.returncode == 0 and [(f["title"], f["count"]) for f in ft] == [(TITLE, 15)]
              and "? x" not in txt and f"{t}: 15 x {TITLE}" in txt,
              r.stderr + json.dumps(ft) + txt)
        check(f"report.py: known count with the count lines {name} the summary",
              [(k["title"], k["count"]) for k in kt] == [(KNOWN, 3)] and tg.get("known") == 3,
              json.dumps(kt))
        check(f"report.py: simulator line read ({name})",
              (tg.get("simulator") or {}).get("irqs") == 322, json.dumps(tg.get("simulator")))


def banners(src, tmp):
    clean = [FIRST, SUMMARY.format(t="{t}", n=0, k=""), SIM]
    d = campaign_dir(tmp, "pass", {"linux-7.3": clean, "linux-6.1": clean})
    page = campaign_page(src, d)
    texts, first = banner(page)
    check("campaign banner: PASS, first in the page, naming the targets",
          first and len(texts) == 1 and texts[0][0] == "pass" and
          texts[0][1].startswith("PASS: 0 findings on linux-7.3, linux-6.1"), texts or page[:500])
    check("campaign page: pre boxes wrap long lines", pre_wraps(page))

    found = [FIRST] + BLOCK + [SUMMARY.format(t="{t}", n=2, k=""), SIM, f"       2 x {TITLE}"]
    d = campaign_dir(tmp, "findings", {"linux-7.3": found, "linux-6.1": clean},
                     exits={"linux-7.3": 1})
    page = campaign_page(src, d)
    texts, first = banner(page)
    check("campaign banner: FINDINGS, naming the target with findings",
          first and len(texts) == 1 and texts[0][0] == "findings" and
          texts[0][1].startswith("FINDINGS:") and "linux-7.3" in texts[0][1] and
          "linux-6.1" not in texts[0][1], texts)

    d = campaign_dir(tmp, "failed", {"linux-7.3": clean, "linux-6.1": [FIRST]},
                     exits={"linux-6.1": 3})
    page = campaign_page(src, d)
    texts, first = banner(page)
    check("campaign banner: INCOMPLETE when a run failed",
          first and len(texts) == 1 and texts[0][0] == "incomplete" and
          "linux-6.1" in texts[0][1], texts)

    # A fuzz part with a finding: fuzz_report.py --campaign turns PASS into FINDINGS.
    d = campaign_dir(tmp, "fuzz", {"linux-7.3": clean}, info_extra="fuzz.exit.linux-7.3=1\n")
    with open(os.path.join(d, "campaign.info"), "a") as f:
        f.write("fuzz_seconds=30\n")
    fz = os.path.join(d, "fuzz", "linux-7.3")
    write(os.path.join(fz, "fuzz.info"),
          "engine=libfuzzer\nfuzzer=fuzz_trace\ntarget=linux-7.3\nseconds=30\n"
          "fuzz_seconds=30\njobs=2\ncommand=build-libfuzzer/fuzz/fuzz_trace -fork=2 "
          + " ".join(f"-opt{i}=" + "x" * 40 for i in range(12)) + "\n")
    write(os.path.join(fz, "fuzz.progress"),
          "[  10.0s] execs 1000  exec/s 100  corpus 20  cov 300  ft 900  crashes 1\n")
    write(os.path.join(fz, "triage.tsv"), "artifact\tkind\treplay_exit\tverdict\ttitle\tfinding\n"
          f"artifacts/crash-1\tcrash\t1\tfinding\t{TITLE}\tfindings/pfmemalloc-recycled\n")
    write(os.path.join(fz, "findings", "pfmemalloc-recycled", "crash-1"), "x")
    r, s = report(src, d)
    r = run([sys.executable, os.path.join(src, "scripts", "fuzz_report.py"), "--campaign", d])
    page = open(os.path.join(d, "index.html")).read() if r.returncode == 0 else ""
    texts, first = banner(page)
    check("campaign banner: FINDINGS from libFuzzer after fuzz_report.py --campaign",
          r.returncode == 0 and first and len(texts) == 1 and texts[0][0] == "findings" and
          "libFuzzer" in texts[0][1], r.stderr + str(texts))
    fpage = open(os.path.join(fz, "index.html")).read() if r.returncode == 0 else ""
    texts, first = banner(fpage)
    check("fuzz report banner: FINDINGS, first in the page",
          first and len(texts) == 1 and texts[0][0] == "findings", texts or fpage[:500])
    check("fuzz page: the Commands and summary boxes wrap long lines", pre_wraps(fpage))


def validate(src, tmp):
    d = os.path.join(tmp, "validate")
    side = {"name": "tree", "release": "6.12", "layout": "classic", "build": "b", "runs": 10,
            "ops": 100}
    v = {"verdict": "REGRESSION", "base": dict(side, name="tree-base"), "patched": side,
         "titles": [{"class": "new", "base_cases": 0, "patched_cases": 3, "title": TITLE,
                     "first_case": "gen-1"}], "regressions": [], "divergences": 0,
         "divergence_examples": [], "cases": 10, "generated": 8, "seed": 1, "corpus": 2,
         "skipped_count": 0, "jobs": 2, "seconds": 1.0, "skipped": []}
    write(os.path.join(d, "validate.json"), json.dumps(v))
    write(os.path.join(d, "validate.info"), "tree=/x\npatch=" + "p" * 300 + "\n")
    r = run([sys.executable, os.path.join(src, "scripts", "validate_report.py"), d])
    page = open(os.path.join(d, "report.html")).read() if r.returncode == 0 else ""
    texts, first = banner(page)
    check("validate report banner: the verdict, first in the page",
          r.returncode == 0 and first and len(texts) == 1 and texts[0][0] == "findings" and
          texts[0][1].startswith("REGRESSION"), r.stderr + str(texts) + page[:400])
    check("validate page: pre boxes wrap long lines", pre_wraps(page))


def coverage(src, tmp):
    """coverage/<target>/ as scripts/campaign.sh writes it, with a small
    llvm-cov export: two functions, one per kernel file."""
    t = "linux-6.1"
    clean = [FIRST, SUMMARY.format(t="{t}", n=0, k=""), SIM]
    d = campaign_dir(tmp, "coverage", {t: clean})
    c = os.path.join(d, "coverage", t)
    kabs = "/b/alloc/linux_6_1.c"
    write(os.path.join(c, "linux_6_1.c"), "\n".join([
        "#define FS_TARGET_ID linux_6_1",                    # 1
        '#line 100 "mm/page_alloc.c"',                       # 2
        "void *fs_linux_6_1_page_frag_alloc(void)", "{",     # 3, 4
        "\treturn 0;", "}",                                  # 5, 6
        '#line 200 "net/core/skbuff.c"',                     # 7
        "void *fs_linux_6_1_napi_alloc_frag(void)", "{",     # 8, 9
        "\tif (x)", "\t\treturn 0;", "\treturn 0;", "}"]) + "\n")  # 10-13
    write(os.path.join(c, "coverage.info"), f"target={t}\nkernel_file=build-cov/alloc/linux_6_1.c\n"
          f"kernel_file_abs={kabs}\nbinary=build-cov/sim/fragsim\nllvm_cov=version 14.0.6\n"
          "kernel_source=linux_6_1.c\nseed=0x7\ntraces.campaign=38\ninputs.run=30\nseconds=30\n")
    seg = [[3, 1, 5, True, True, False], [6, 2, 0, False, False, False],
           [8, 1, 4, True, True, False], [11, 3, 0, True, True, False],
           [12, 1, 4, True, True, False], [13, 2, 0, False, False, False]]
    fn = [{"name": "fs_linux_6_1_page_frag_alloc", "count": 5, "filenames": [kabs],
           "regions": [[3, 1, 6, 2, 5, 0, 0, 0]], "branches": []},
          {"name": "fs_linux_6_1_napi_alloc_frag", "count": 4, "filenames": [kabs],
           "regions": [[8, 1, 13, 2, 4, 0, 0, 0], [11, 3, 11, 12, 0, 0, 0, 0]],
           "branches": [[10, 6, 10, 7, 0, 4, 0, 0, 4]]}]
    write(os.path.join(c, "run.json"), json.dumps(
        {"data": [{"files": [{"filename": kabs, "segments": seg}], "functions": fn}]}))
    write(os.path.join(c, "run-functions.txt"),
          "Name  Regions  Miss  Cover  Lines  Miss  Cover  Branches  Miss  Cover\n"
          "fs_linux_6_1_page_frag_alloc  1  0  100.00%  4  0  100.00%  0  0  0.00%\n"
          "fs_linux_6_1_napi_alloc_frag  2  1  50.00%  6  1  83.33%  2  1  50.00%\n"
          "TOTAL  3  1  66.67%  10  1  90.00%  2  1  50.00%\n")
    r, s = report(src, d)
    cov = ((s.get("targets") or [{}])[0]).get("coverage") or {}
    files = {f["file"]: (f["covered"], f["total"]) for f in cov.get("files") or []}
    check("campaign coverage: lines per kernel file of the fragsim run part",
          r.returncode == 0 and files == {"mm/page_alloc.c": (4, 4), "net/core/skbuff.c": (5, 6)}
          and cov.get("lines", {}).get("covered") == 9 and cov.get("traces") == 30
          and cov.get("traces_campaign") == 38, r.stderr + json.dumps(cov)[:2000])
    check("campaign coverage: per-function table",
          [(f["function"], f["calls"]) for f in cov.get("functions") or []] ==
          [("page_frag_alloc", 5), ("napi_alloc_frag", 4)], json.dumps(cov.get("functions")))
    txt = open(os.path.join(d, "summary.txt")).read() if r.returncode == 0 else ""
    page = open(os.path.join(d, "index.html")).read() if r.returncode == 0 else ""
    check("campaign coverage: in summary.txt, index.html and coverage.svg",
          f"{t}: 30 of 38 traces, lines 9/10 (90.0%)" in txt and
          "Kernel coverage of the fragsim run traces" in page and "napi_alloc_frag" in page
          and os.path.exists(os.path.join(d, "coverage.svg")), txt)


def campaign_usage(src):
    r = run(["bash", os.path.join(src, "scripts", "campaign.sh"), "--coverage-seconds", "x"])
    lines = r.stderr.strip().splitlines()
    check("campaign.sh --coverage-seconds x: one error line, exit 2",
          r.returncode == 2 and len(lines) == 1 and "--coverage-seconds" in lines[0]
          and "whole number" in lines[0], r.stderr)


def main():
    src = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        counts(src, tmp)
        banners(src, tmp)
        validate(src, tmp)
        coverage(src, tmp)
        campaign_usage(src)
    print(f"{len(FAILED)} failed" if FAILED else "all passed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
