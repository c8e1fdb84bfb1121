#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bug-zoo benchmark (issue 13; a skeleton): every zoo entry x engine x
# seed with a time budget.  Engines: run (mixed strategies), run-pct,
# stress, stress-asan, stress-tsan (build-asan / build-tsan, docs/stress.md),
# libfuzzer (build-libfuzzer), afl++ (not yet).  Prints a table (detected
# runs, median and max seconds to detect per entry x engine) and writes JSON.
#
#   scripts/zoo-bench.sh [--quick] [--build DIR] [--seconds S] [--seeds N]
#                        [--engines "run run-pct ..."] [--zoo "Z-1 Z-10"]
#                        [--json FILE]
#
# --quick (CI): Z-1, Z-3 and Z-10 on every kernel, run/run-pct/stress, 2
# seeds, 5 s each.  The full run (all entries, engines, 5 seeds, 60 s) takes
# up to entries x engines x seeds x 60 s of wall time; one run at a time.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
args=(--root "$root" --build "$root/build")
while [ $# -gt 0 ]; do
	case $1 in
	--quick) args+=(--seconds 5 --seeds 2 --engines "run run-pct stress"
			--zoo "Z-1 Z-3 Z-10") ; shift ;;
	--build|--seconds|--seeds|--engines|--zoo|--json)
		[ $# -ge 2 ] || { echo "zoo-bench: error: $1 needs a value" >&2; exit 2; }
		args+=("$1" "$2"); shift 2 ;;
	*) echo "zoo-bench: error: unknown option '$1'" >&2; exit 2 ;;
	esac
done
exec python3 "$root/scripts/zoo_bench.py" "${args[@]}"
