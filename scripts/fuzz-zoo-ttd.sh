#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Time to detect each bug-zoo entry with libFuzzer's fuzz_trace, with and
# without fragsim's structure-aware mutator and concurrency feedback: the
# measurement that says whether they help.
#
#   scripts/fuzz-zoo-ttd.sh [--build DIR] [--kernel K] [--seconds S]
#                           [--modes "full plain no-feedback neither"]
#                           [--seed N] [--zoo "Z-1 Z-3 ..."] [--out FILE]
#
# K is a kernel target (default: the newest, alloc/kernels.list's last line).
# DIR is a libFuzzer build with the zoo (scripts/fuzz.sh makes
# build-libfuzzer; any -Dfuzzing_engine=-fsanitize=fuzzer build works).
# One core per run, runs one after another.  Prints a table (seconds to
# the first crash, or ">S" when the budget ran out, and the finding) and
# writes it to FILE (default: stdout only).  Exit 0, or 2 on bad usage.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
build=$root/build-libfuzzer seconds=300 seed=1
kernel=$(fs_kernels | awk '{ k = $1 } END { print k }')
modes="full plain no-feedback neither" zoo= out=

die() { echo "fuzz-zoo-ttd: error: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1 needs a value"
	case $1 in
	--build) build=$2 ;; --kernel) kernel=$2 ;; --seconds) seconds=$2 ;;
	--modes) modes=$2 ;; --seed) seed=$2 ;; --zoo) zoo=$2 ;; --out) out=$2 ;;
	*) die "unknown option '$1'" ;;
	esac
	shift 2
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "--seconds: '$seconds' is not a positive integer"
fuzzer=$build/fuzz/fuzz_trace
[ -x "$fuzzer" ] || die "$fuzzer is missing (build a libFuzzer build with the zoo first)"
if [ -z "$zoo" ]; then
	zoo=$(grep -ho '^id: .*' "$root"/alloc/zoo/*.zoo | cut -d' ' -f2 | sort)
fi

# The fuzzer's own flags (max_len, timeout, power schedule), as campaigns
# and OSS-Fuzz run it.
read -r -a lf_opts <<< "$(fs_fuzz_options "$root/fuzz/fuzz_trace.options" libfuzzer)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
table=$work/table
printf '%-18s' "zoo@$kernel" > "$table"
for m in $modes; do printf '%14s' "$m" >> "$table"; done
printf '  finding\n' >> "$table"

for z in $zoo; do
	target=$z@$kernel
	printf '%-18s' "$z" >> "$table"
	finding=
	for m in $modes; do
		env=(FRAGSIM_FUZZ_TARGET="$target")
		case $m in
		full) ;;
		plain) env+=(FRAGSIM_FUZZ_PLAIN_MUTATOR=1) ;;
		no-feedback) env+=(FRAGSIM_FUZZ_NO_FEEDBACK=1) ;;
		neither) env+=(FRAGSIM_FUZZ_PLAIN_MUTATOR=1 FRAGSIM_FUZZ_NO_FEEDBACK=1) ;;
		*) die "unknown mode '$m' (full, plain, no-feedback, neither)" ;;
		esac
		rm -rf "$work/c" "$work/a" && mkdir -p "$work/c" "$work/a"
		cp "$root"/corpus/fuzz_trace/* "$work/c/"
		t0=$(date +%s.%N)
		env "${env[@]}" timeout $((seconds + 30)) "$fuzzer" "$work/c" \
			"${lf_opts[@]}" -max_total_time="$seconds" -seed="$seed" \
			-dict="$root/fuzz/fuzz_trace.dict" -artifact_prefix="$work/a/" \
			-error_exitcode=1 > "$work/log" 2>&1
		rc=$?
		t1=$(date +%s.%N)
		if [ -z "$(ls "$work/a")" ]; then
			if [ "$rc" -ne 0 ]; then
				printf '%14s' "error" >> "$table"
				tail -3 "$work/log" >&2
			else
				printf '%14s' ">$seconds" >> "$table"
			fi
			echo "fuzz-zoo-ttd: $target $m: nothing in ${seconds}s" >&2
			continue
		fi
		dt=$(awk "BEGIN { print $t1 - $t0 }")
		printf '%14.1f' "$dt" >> "$table"
		title=$(grep -m1 '^BUG: fragsim:' "$work/log" | sed 's/^BUG: fragsim: //')
		finding=${finding:-$title}
		echo "fuzz-zoo-ttd: $target $m: ${dt}s: $title" >&2
	done
	printf '  %s\n' "${finding:--}" >> "$table"
done
cat "$table"
[ -z "$out" ] || cp "$table" "$out"
