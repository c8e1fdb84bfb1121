#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora of the fuzz targets (standard library only).

    python3 scripts/make-fuzz-seeds.py [--check]

corpus/fuzz_trace/ and corpus/fuzz_diff/ get binary traces
(docs/binary-format.md) built here from a few hand-written workloads, one
per thing the simulator can do; corpus/fuzz_trace_text/ gets the text
traces of corpus/regress/ and of docs/.  Files are named by the SHA-1 of
their content, as libFuzzer's -merge=1 names them.  --check exits 1 if the
corpus differs from what would be written.
"""

import hashlib
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent

BIN_FORMAT = ROOT / "sim" / "trace" / "bin_format.h"


def bin_enum(name):
    """The X-macro list @name of bin_format.h: entry name -> its number."""
    lines = BIN_FORMAT.read_text().split("\n")
    start = lines.index(next(x for x in lines if x.startswith("#define %s(X)" % name)))
    body = []
    for line in lines[start + 1:]:
        body.append(line)
        if not line.rstrip().endswith("\\"):
            break
    names = [m.group(1) for m in re.finditer(r"\bX\((\w+)", "\n".join(body))]
    if not names:
        sys.exit("make-fuzz-seeds: no %s list in %s" % (name, BIN_FORMAT))
    return SimpleNamespace(**{n: i for i, n in enumerate(names)})


def bin_define(name):
    """The number #defined as @name in bin_format.h."""
    m = re.search(r"^#define %s\s+(\w+)" % name, BIN_FORMAT.read_text(), re.M)
    if not m:
        sys.exit("make-fuzz-seeds: no %s in %s" % (name, BIN_FORMAT))
    return int(m.group(1), 0)


# The binary form's numbers, from the one header that defines them.
OP = bin_enum("FS_BIN_OPCODES")
DEC = bin_enum("FS_BIN_DECISIONS")
GFP = bin_enum("FS_BIN_GFPS")
SLOT = bin_enum("FS_BIN_SLOT_KINDS")
GFP_SHIFT = bin_define("FS_BIN_GFP_SHIFT")
ALIGN_SHIFT = bin_define("FS_BIN_ALIGN_SHIFT")
MAGIC = b"FZ" + bytes([bin_define("FS_BIN_VERSION")])


def op(code, actor=0, s=0, v=0):
    return bytes([code, (s << 2) | actor, v & 0xff, (v >> 8) & 0xff])


def size_gfp(size, gfp=0):
    return size | gfp << GFP_SHIFT


def align(size, shift):
    return size | shift << ALIGN_SHIFT


def slot(kind, cpu, count=1):
    return bytes([kind | cpu << 2 | (count - 1) << 5])


def trace(ops, cpus=1, preempt=False, rt=False, spec=False, pressure=False,
          faults=0, caches=1, rings=(), slots=(), decisions=()):
    mach = (cpus - 1) | preempt << 2 | rt << 3 | spec << 4 | pressure << 5 | faults << 6
    cach = (caches - 1) | sum(0x10 << i for i in rings)
    b = MAGIC + bytes([mach, cach, len(slots)]) + b"".join(slots)
    b += bytes([len(ops)]) + b"".join(ops)
    for gap, kind, arg in decisions:
        b += bytes([gap, kind, arg])
    return b


def sequential():
    yield trace([op(OP.ALLOC, v=64), op(OP.ALLOC, v=576), op(OP.FREE), op(OP.FREE), op(OP.DRAIN)])
    yield trace([op(OP.REPEAT, s=1, v=13), op(OP.ALLOC, v=1856), op(OP.FREE),
                 op(OP.ALLOC, v=size_gfp(4096)), op(OP.ALLOC, v=4097), op(OP.FREE, s=1), op(OP.FREE)])
    yield trace([op(OP.ALLOC_ALIGN, v=align(100, 6)), op(OP.ALLOC_ALIGN, v=align(3000, 11)),
                 op(OP.FREE), op(OP.ALLOC, v=8191), op(OP.FREE), op(OP.FREE)])
    yield trace([op(OP.FAULTS, s=2), op(OP.ALLOC, v=size_gfp(2048, GFP.MEMALLOC)), op(OP.ALLOC, v=size_gfp(4000, GFP.MEMALLOC)),
                 op(OP.FREE), op(OP.FAULTS, s=0), op(OP.ALLOC, v=64), op(OP.FREE), op(OP.FREE)])
    yield trace([op(OP.FAULTS, s=1), op(OP.ALLOC, v=3000), op(OP.ALLOC, v=3000), op(OP.FREE), op(OP.FREE),
                 op(OP.DRAIN)], faults=1)
    yield trace([op(OP.ALLOC, s=1, v=256), op(OP.ALLOC, s=1, v=1024), op(OP.FREE), op(OP.ALLOC, s=0, v=1),
                 op(OP.DRAIN, s=1), op(OP.FREE), op(OP.FREE)], caches=2, rings=(1,))
    yield trace([op(OP.NETDEV, v=576), op(OP.IRQ_OFF, s=1), op(OP.NETDEV, v=2048), op(OP.FREE),
                 op(OP.NAPI, v=1856), op(OP.NAPI_1K), op(OP.FREE), op(OP.FREE), op(OP.FREE)])
    yield trace([op(OP.REPEAT, s=0, v=40), op(OP.ALLOC, v=1), op(OP.ALLOC, v=32768 & 0x1fff),
                 op(OP.FREE, s=1)])


def concurrent():
    # A NIC interrupt takes skb heads from the netdev cache and raises NAPI.
    yield trace([op(OP.NETDEV, 1, 0, 1856), op(OP.RAISE, 1), op(OP.NAPI, 2, 0, 576), op(OP.FREE, 2),
                 op(OP.NETDEV, 1, 1, align(2048, 6)), op(OP.FREE, 1),
                 op(OP.ALLOC, 0, 0, 576), op(OP.NETDEV, 0, 0, 3000), op(OP.FREE, 0), op(OP.FREE, 0, 1)],
                slots=[slot(SLOT.SOFTIRQ, 0), slot(SLOT.HARDIRQ, 0, 4)],
                decisions=[(20, DEC.IRQ, 1), (60, DEC.IRQ, 1), (90, DEC.IRQ, 1)])
    # The page_frag_test pair: one CPU allocates and pushes, another pops.
    yield trace([op(OP.REPEAT, 1, 1, 30), op(OP.ALLOC, 1, 0, 500), op(OP.PUSH, 1),
                 op(OP.REPEAT, 2, 1, 30), op(OP.POP, 2), op(OP.NAPI, 2, 0, 600), op(OP.FREE, 2),
                 op(OP.DRAIN, 1)], cpus=2, slots=[slot(SLOT.TASK, 1), slot(SLOT.TASK, 0)],
                decisions=[(100, DEC.SWITCH, 1), (200, DEC.SWITCH, 0), (255, DEC.SWITCH, 1)])
    # Speculative references on pages the caches recycle.
    yield trace([op(OP.ALLOC, v=2048), op(OP.SPEC_GET), op(OP.ALLOC, v=2048), op(OP.FREE, s=0),
                 op(OP.FREE), op(OP.ALLOC, v=3000), op(OP.SPEC_PUT), op(OP.FREE)], spec=True,
                decisions=[(10, DEC.SPEC_GET, 8), (30, DEC.SPEC_PUT, 8), (15, DEC.SPEC_GET, 16), (40, DEC.SPEC_PUT, 16)])
    # A cache recycles its page (every fragment freed, then the reuse path)
    # while the speculative agent holds or takes references on it.
    yield trace([op(OP.ALLOC, v=4096), op(OP.FREE)] * 9 + [op(OP.ALLOC, v=2048), op(OP.FREE)],
                spec=True, decisions=[(40, DEC.SPEC_GET, 8), (30, DEC.SPEC_PUT, 8), (20, DEC.SPEC_GET, 8), (30, DEC.SPEC_PUT, 8)])
    # The same with the agent busy all along: a get and a put on the
    # cache's first page every 15 points (its 64 actions).
    yield trace([op(OP.ALLOC, v=4096), op(OP.FREE)] * 9 + [op(OP.ALLOC, v=2048), op(OP.FREE)],
                spec=True, decisions=[(14, DEC.SPEC_GET, 8), (1, DEC.SPEC_PUT, 8)] * 32)
    # Two tasks on one CPU with kernel preemption, napi and netdev paths.
    yield trace([op(OP.BH_OFF, 1, 1), op(OP.NAPI, 1, 0, 256), op(OP.NAPI, 1, 0, 512), op(OP.FREE, 1),
                 op(OP.FREE, 1), op(OP.NETDEV, 0, 0, 1024), op(OP.NAPI_1K, 0), op(OP.FREE, 0), op(OP.FREE, 0)],
                preempt=True, slots=[slot(SLOT.TASK, 0)], decisions=[(12, DEC.SWITCH, 1), (30, DEC.SWITCH, 0)])
    # PREEMPT_RT: the napi cache's local lock is a real per-CPU lock.
    yield trace([op(OP.NAPI, 1, 0, 700), op(OP.FREE, 1), op(OP.NAPI, 0, 0, 700), op(OP.FREE, 0)],
                rt=True, preempt=True, slots=[slot(SLOT.TASK, 0)], decisions=[(8, DEC.SWITCH, 1)])
    # Memory pressure flips under a driver cache and the network caches.
    yield trace([op(OP.ALLOC, 0, 0, size_gfp(1500, GFP.MEMALLOC)), op(OP.NETDEV, 0, 0, 4096), op(OP.FREE, 0),
                 op(OP.ALLOC, 0, 0, 3000), op(OP.FREE, 0), op(OP.FREE, 0)], pressure=True,
                decisions=[(5, DEC.PRESSURE_ON, 0), (40, DEC.PRESSURE_OFF, 0)])
    # An RX ring on one CPU, its pages freed by another.
    yield trace([op(OP.ALLOC, 1, 0, 1536), op(OP.PUSH, 1), op(OP.ALLOC, 1, 0, 1536), op(OP.PUSH, 1),
                 op(OP.ALLOC, 1, 0, 1536), op(OP.PUSH, 1), op(OP.POP), op(OP.POP), op(OP.POP), op(OP.DRAIN, 1)],
                cpus=2, rings=(0,), slots=[slot(SLOT.TASK, 1)], decisions=[(50, DEC.SWITCH, 1)])


def write(d, blobs, check):
    d.mkdir(parents=True, exist_ok=True)
    want = {hashlib.sha1(b).hexdigest(): b for b in blobs}
    have = {p.name for p in d.iterdir() if not p.name.startswith(".")}
    if check:
        return set(want) == have
    for name in have - set(want):
        (d / name).unlink()
    for name, b in want.items():
        (d / name).write_bytes(b)
    return True


def text_traces():
    for p in sorted((ROOT / "corpus" / "regress").glob("*.trace")):
        yield p.read_bytes()
    for p in sorted((ROOT / "docs").glob("*.md")):
        for m in re.finditer(r"```\n(fragsim-trace 1\n.*?)```", p.read_text(), re.S):
            yield m.group(1).encode()


def main(argv):
    check = "--check" in argv[1:]
    seq, conc = list(sequential()), list(concurrent())
    ok = write(ROOT / "corpus" / "fuzz_trace", seq + conc, check)
    ok &= write(ROOT / "corpus" / "fuzz_diff", seq, check)
    ok &= write(ROOT / "corpus" / "fuzz_trace_text", list(text_traces()), check)
    if not ok:
        print("make-fuzz-seeds: corpus/ differs from what the script writes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
